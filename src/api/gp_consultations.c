/*
 * GP consultation counts (issue 7): POST /api/v1/gp-consultations records,
 * for one referral, how many times the person consulted their GP in the 6
 * months before it and the 6 months after; POST
 * /api/v1/gp-consultations/imports takes a CSV file of them (text/csv:
 * nhs_number,referral_id,before,after), all rows or none. Practice users
 * (referrers of a GP practice) enter counts for referrals their practice
 * made; another practice's referral is 404. Admins enter any. Every write is
 * audited in its transaction.
 */
#include <string.h>

#include "api/journey.h"
#include "io/gp_import.h"

/* Practice users only, and only for their practice's referrals (*ONLY_ORG). */
static lw_status gp_caller(api_request *req, const char *action, int64_t *only_org, lw_error *err) {
    *only_org = 0;
    if (req->who.role == LW_ROLE_ADMIN)
        return LW_OK;
    if (!req->who.org_kind || strcmp(req->who.org_kind, "gp_practice") != 0) {
        jr_audit_denied(req, action, "organisation", req->who.org_id);
        return lw_fail(err, LW_EFORBIDDEN, NULL,
                       "GP consultation counts are entered by the referring GP practice");
    }
    *only_org = req->who.org_id;
    return LW_OK;
}

static json_t *gp_json(const lw_gp_consultation *g, int updated) {
    return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:b}", "id", (json_int_t)g->id, "person_id",
                     (json_int_t)g->person_id, "referral_id", (json_int_t)g->referral_id, "before",
                     (json_int_t)g->before_count, "after",
                     g->after_count < 0 ? json_null() : json_integer(g->after_count), "entered_at",
                     api_time_json(g->entered_at), "updated", updated);
}

void api_gp_create(api_request *req, api_response *res) {
    static const char *const fields[] = {"person_id", "nhs_number", "referral_id",
                                         "before",    "after",      NULL};
    lw_error err;
    int64_t only_org = 0, person_id = 0, referral_id = 0, before = 0, after = -1, id = 0;
    int present = 0, updated = 0;
    const char *nhs = NULL;
    lw_status st = gp_caller(req, "gp_consultation.create", &only_org, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jin_id(req->json, "referral_id", 1, &referral_id, &err);
    if (st == LW_OK)
        st = jin_id(req->json, "person_id", 0, &person_id, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "nhs_number", "nhs_number", 0, 20, &nhs, &err);
    if (st == LW_OK)
        st = jr_int(req->json, "before", "before", 1, 0, LW_GP_COUNT_MAX, &before, &present, &err);
    if (st == LW_OK)
        st = jr_int(req->json, "after", "after", 0, 0, LW_GP_COUNT_MAX, &after, &present, &err);
    if (st == LW_OK && !present)
        after = -1;
    if (st == LW_OK) {
        st = gp_resolve(req->db, req->arena, nhs, person_id, referral_id, only_org, &person_id,
                        &err);
        if (st == LW_ENOTFOUND)
            jr_audit_denied(req, "gp_consultation.create", "referral", referral_id);
    }
    lw_gp_consultation g = {.person_id = person_id,
                            .referral_id = referral_id,
                            .before_count = before,
                            .after_count = after,
                            .entered_by = req->who.user_id,
                            .entered_at = jr_now(req)};
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_gp_put(req->db, &g, &id, &updated, &err);
    if (st == LW_OK)
        st = api_audit(req, updated ? "gp_consultation.update" : "gp_consultation.create",
                       "gp_consultation", id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    g.id = id;
    api_json(res, updated ? 200 : 201, gp_json(&g, updated));
}

static lw_status audit_row(lw_db *db, void *ctx, int64_t id, int updated, lw_error *err) {
    api_request *req = ctx;
    (void)db; /* the request's own connection: the import runs on it */
    return api_audit(req, updated ? "gp_consultation.update" : "gp_consultation.create",
                     "gp_consultation", id, "ok", err);
}

static lw_status audit_import(lw_db *db, void *ctx, lw_error *err) {
    api_request *req = ctx;
    (void)db;
    return api_audit(req, "gp_consultation.import", "gp_consultation", 0, "ok", err);
}

void api_gp_import(api_request *req, api_response *res) {
    lw_error err;
    int64_t only_org = 0;
    json_t *report = NULL;
    lw_status st = gp_caller(req, "gp_consultation.import", &only_org, &err);
    if (st == LW_OK && (!req->content_type || strncmp(req->content_type, "text/csv", 8) != 0))
        st = lw_fail(&err, LW_EINVAL, "Content-Type",
                     "send the file as text/csv with the header nhs_number,referral_id,before,"
                     "after");
    if (st == LW_OK && (!req->body || req->body_len == 0))
        st = lw_fail(&err, LW_EINVAL, "file", "is empty: nothing to import");
    gp_import_options o = {.now = jr_now(req),
                           .user_id = req->who.user_id,
                           .only_org = only_org,
                           .audit_row = audit_row,
                           .before_commit = audit_import,
                           .ctx = req};
    if (st == LW_OK)
        st = gp_import(req->db, req->body, req->body_len, &o, &report, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        /* The problem carries the whole report: every wrong row and field. */
        if (report && res->json) {
            json_object_set(res->json, "rejected", json_object_get(report, "rejected"));
            json_object_set_new(res->json, "imported", json_integer(0));
            json_object_set_new(res->json, "updated", json_integer(0));
        }
        json_decref(report);
        return;
    }
    api_json(res, 200, report);
}
