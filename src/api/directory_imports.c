/*
 * POST /api/v1/directory/imports (admins): imports the Open Referral UK / HSDS
 * document in the body (as `linkwell import oruk` does with a file) in one
 * transaction, and answers with the same report as JSON. Bodies are limited
 * to the server's 1 MiB; larger directories are imported on the command line.
 */
#include <string.h>

#include "api/directory.h"
#include "io/oruk.h"

static lw_status audit(lw_db *db, void *ctx, lw_error *err) {
    api_request *req = ctx;
    lw_audit_entry e = {.at = clock_now(&req->app->clock),
                        .user_id = req->who.user_id,
                        .role = role_name(req->who.role),
                        .org_id = req->who.org_id,
                        .action = "directory.import",
                        .resource_type = "directory",
                        .remote_addr = req->remote_addr,
                        .outcome = "ok"};
    return store_audit_insert(db, &e, err);
}

void api_directory_import(api_request *req, api_response *res) {
    lw_error err;
    if (!req->json) {
        lw_ignore(
            lw_fail(&err, LW_EINVAL, NULL, "send the Open Referral document (JSON) as the body"));
        api_fail(res, &err);
        return;
    }
    oruk_source src = {.name = "body", .buf = req->body, .len = req->body_len};
    oruk_options opt = {
        .now = clock_now(&req->app->clock), .before_commit = audit, .before_ctx = req};
    json_t *report = NULL;
    lw_status st = oruk_import(req->db, &src, 1, &opt, &report, &err);
    if (st == LW_OK)
        st = dirx_refresh(req, &err);
    if (st != LW_OK) {
        json_decref(report);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, report);
}
