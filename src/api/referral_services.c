/*
 * GET /api/v1/referral-services: the social prescribing (link worker) services
 * a referral can be sent to, for the "Refer to" choice of a referral form.
 * Organisation names and ids only: no person's data, so nothing to audit.
 */
#include "api/journey.h"

void api_referral_services(api_request *req, api_response *res) {
    lw_error err;
    lw_org *orgs = NULL;
    int n = 0;
    lw_status st = store_link_worker_services(req->db, req->arena, &orgs, &n, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            a, json_pack("{s:I, s:s}", "id", (json_int_t)orgs[i].id, "name", orgs[i].name));
    api_json(res, 200, json_pack("{s:o}", "contents", a));
}
