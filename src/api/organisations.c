/* Organisations: the admin's list, create, read and change. */
#include <string.h>

#include "api/accounts.h"
#include "api/api.h"

static json_t *org_json(const lw_org *o) {
    return json_pack("{s:I, s:s, s:s, s:b, s:o}", "id", (json_int_t)o->id, "name", o->name, "kind",
                     o->kind, "active", o->active, "created_at", api_time_json(o->created_at));
}

static lw_status check_kind(const char *kind, lw_error *err) {
    if (kind && org_kind_parse(kind) < 0)
        return lw_fail(err, LW_EINVAL, "kind", "'%.40s' is not an organisation kind (one of %s)",
                       kind, org_kind_names_list());
    return LW_OK;
}

void api_orgs_list(api_request *req, api_response *res) {
    lw_error err;
    lw_page pg;
    lw_org *orgs = NULL;
    int n = 0;
    int64_t total = 0;
    lw_status st = api_page(req, &pg, &err);
    if (st == LW_OK)
        st = store_org_list(req->db, req->arena, pg, &orgs, &n, &total, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, org_json(&orgs[i]));
    api_json(res, 200, api_paged(list, total, pg));
}

void api_orgs_create(api_request *req, api_response *res) {
    static const char *const fields[] = {"name", "kind", NULL};
    lw_error err;
    const char *name, *kind;
    int64_t id = 0;
    lw_status st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jin_string(req->json, "name", 1, LW_NAME_MAX, &name, &err);
    if (st == LW_OK)
        st = jin_string(req->json, "kind", 1, 64, &kind, &err);
    lw_actor by = api_actor(req);
    if (st == LW_OK)
        st = accounts_org_create(req->db, name, kind, clock_now(&req->app->clock), &by, &id, &err);
    lw_org o;
    if (st == LW_OK)
        st = store_org_get(req->db, req->arena, id, &o, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    api_header(res, "Location",
               arena_printf(req->arena, "/api/v1/organisations/%lld", (long long)id));
    api_json(res, 201, org_json(&o));
}

void api_orgs_get(api_request *req, api_response *res) {
    lw_error err;
    int64_t id;
    lw_org o;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = store_org_get(req->db, req->arena, id, &o, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, org_json(&o));
}

void api_orgs_update(api_request *req, api_response *res) {
    static const char *const fields[] = {"name", "kind", "active", NULL};
    lw_error err;
    int64_t id;
    const char *name, *kind;
    int active = -1;
    lw_org o;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = store_org_get(req->db, req->arena, id, &o, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jin_string(req->json, "name", 0, LW_NAME_MAX, &name, &err);
    if (st == LW_OK && name)
        st = account_name_check(name, "name", &err);
    if (st == LW_OK)
        st = jin_string(req->json, "kind", 0, 64, &kind, &err);
    if (st == LW_OK)
        st = check_kind(kind, &err);
    if (st == LW_OK)
        st = jin_bool(req->json, "active", 0, &active, &err);
    if (st == LW_OK && !name && !kind && active < 0)
        st = lw_fail(&err, LW_EINVAL, NULL,
                     "nothing to change: give at least one of name, kind, active");
    if (st == LW_OK && active == 0 && id == req->who.org_id)
        st = lw_fail(&err, LW_ECONFLICT, "active",
                     "you cannot deactivate your own organisation; ask another administrator");
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_org_update(req->db, id, name, kind, active, &err);
    if (st == LW_OK)
        st = api_audit(req, "organisation.update", "organisation", id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st == LW_OK)
        st = store_org_get(req->db, req->arena, id, &o, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, org_json(&o));
}
