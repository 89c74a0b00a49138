/*
 * Spot-purchase funds held by a link worker service (seed 004): a
 * prescription's cost is drawn from one, and a balance never goes below zero.
 * Admins create and top up funds; the service's link and peer workers see
 * their own. Every read and change is audited.
 */
#include <string.h>

#include "api/journey.h"

static json_t *fund_json(const lw_fund *f) {
    return json_pack("{s:I, s:I, s:s, s:I, s:o}", "id", (json_int_t)f->id, "organisation_id",
                     (json_int_t)f->org_id, "name", f->name, "balance", (json_int_t)f->balance,
                     "updated_at", api_time_json(f->updated_at));
}

void api_funds_list(api_request *req, api_response *res) {
    lw_error err;
    int64_t org = req->who.role == LW_ROLE_ADMIN ? 0 : req->who.org_id;
    lw_status st = LW_OK;
    if (req->who.role == LW_ROLE_ADMIN)
        st = api_query_id(req, "organisation_id", &org, &err);
    lw_fund *list = NULL;
    int n = 0;
    if (st == LW_OK)
        st = store_fund_list(req->db, req->arena, org, &list, &n, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "fund.list", "fund", 0, NULL, NULL, 0, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, fund_json(&list[i]));
    api_json(res, 200, json_pack("{s:o}", "contents", a));
}

void api_funds_create(api_request *req, api_response *res) {
    static const char *const fields[] = {"organisation_id", "name", "balance", NULL};
    lw_error err;
    int64_t org = 0, balance = 0, id = 0, now = jr_now(req);
    const char *name = NULL;
    lw_org o;
    lw_status st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jin_id(req->json, "organisation_id", 1, &org, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "name", "name", 1, LW_NAME_MAX, &name, &err);
    if (st == LW_OK)
        st = jr_int(req->json, "balance", "balance", 1, 0, 100000000, &balance, NULL, &err);
    if (st == LW_OK) {
        st = store_org_get(req->db, req->arena, org, &o, &err);
        if (st == LW_ENOTFOUND || (st == LW_OK && strcmp(o.kind, "link_worker_service") != 0))
            st = lw_fail(&err, LW_EINVAL, "organisation_id",
                         "is not a link worker service (funds are held by one)");
    }
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_fund_insert(req->db, org, name, balance, now, &id, &err);
    if (st == LW_OK)
        st = api_audit(req, "fund.create", "fund", id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    lw_fund f;
    if (st == LW_OK)
        st = store_fund_get(req->db, req->arena, id, &f, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    api_header(res, "Location", arena_printf(req->arena, "/api/v1/funds/%lld", (long long)id));
    api_json(res, 201, fund_json(&f));
}

void api_funds_update(api_request *req, api_response *res) {
    static const char *const fields[] = {"add", NULL};
    lw_error err;
    int64_t id = 0, add = 0;
    lw_fund f;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = store_fund_get(req->db, req->arena, id, &f, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jr_int(req->json, "add", "add", 1, -100000000, 100000000, &add, NULL, &err);
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK) {
        st = store_fund_adjust(req->db, id, add, jr_now(req), &err);
        if (st == LW_ECONFLICT)
            st =
                lw_fail(&err, LW_ECONFLICT, "add",
                        "the fund holds %lld pence; it cannot go below zero", (long long)f.balance);
    }
    if (st == LW_OK)
        st = api_audit(req, "fund.update", "fund", id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st == LW_OK)
        st = store_fund_get(req->db, req->arena, id, &f, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, fund_json(&f));
}
