/* Searching the audit log (admins only). Reading it is itself audited. */
#include "api/api.h"

static json_t *entry_json(const lw_audit_entry *e) {
    json_t *j = json_pack("{s:I, s:o, s:s, s:s}", "id", (json_int_t)e->id, "at",
                          api_time_json(e->at), "action", e->action, "outcome", e->outcome);
    json_object_set_new(j, "user_id", e->user_id ? json_integer(e->user_id) : json_null());
    json_object_set_new(j, "role", e->role ? json_string(e->role) : json_null());
    json_object_set_new(j, "organisation_id", e->org_id ? json_integer(e->org_id) : json_null());
    json_object_set_new(j, "resource_type",
                        e->resource_type ? json_string(e->resource_type) : json_null());
    json_object_set_new(j, "resource_id",
                        e->resource_id ? json_string(e->resource_id) : json_null());
    json_object_set_new(j, "remote_addr",
                        e->remote_addr ? json_string(e->remote_addr) : json_null());
    return j;
}

void api_audit_list(api_request *req, api_response *res) {
    lw_error err;
    lw_page pg;
    lw_audit_filter f = {0};
    lw_status st = api_page(req, &pg, &err);
    if (st == LW_OK)
        st = api_query_id(req, "user_id", &f.user_id, &err);
    f.resource_type = api_query(req, "resource_type");
    f.resource_id = api_query(req, "resource_id");
    f.action = api_query(req, "action");
    const char *from = api_query(req, "from"), *to = api_query(req, "to");
    if (st == LW_OK && from)
        st = time_parse_iso(from, "from", &f.from, &err);
    if (st == LW_OK && to) {
        st = time_parse_iso(to, "to", &f.to, &err);
        /* A bare date means "to the end of that day". */
        if (st == LW_OK && to[10] == '\0')
            f.to += 24LL * 3600 * 1000 - 1;
    }
    if (st == LW_OK && from && to && f.to < f.from)
        st = lw_fail(&err, LW_EINVAL, "to", "is before 'from'");
    lw_audit_entry *rows = NULL;
    int n = 0;
    int64_t total = 0;
    if (st == LW_OK)
        st = store_audit_list(req->db, req->arena, &f, pg, &rows, &n, &total, &err);
    if (st == LW_OK)
        st = api_audit(req, "audit.read", NULL, 0, "ok", &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, entry_json(&rows[i]));
    api_json(res, 200, api_paged(list, total, pg));
}
