/*
 * The directory for signed-in users: GET /api/v1/services searches (the Open
 * Referral filters plus need domains, cost band, capacity status, setting,
 * staleness), GET /api/v1/services/{id} shows one service with linkwell's own
 * fields; providers create and edit their own organisation's services
 * (capacity, status, ...), admins every service. Every change is audited in
 * its transaction and rebuilds this process's search index before the answer.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/directory.h"
#include "domain/directory.h"
#include "io/oruk.h"
#include "store/directory.h"

/* An audit row about a directory record (ids are text here). */
static lw_status audit(api_request *req, const char *action, const char *id, lw_error *err) {
    lw_audit_entry e = {
        .at = clock_now(&req->app->clock),
        .user_id = req->who.user_id,
        .role = role_name(req->who.role),
        .org_id = req->who.org_id,
        .action = action,
        .resource_type = "service",
        .resource_id = id,
        .remote_addr = req->remote_addr,
        .outcome = "ok",
    };
    return store_audit_insert(req->db, &e, err);
}

void api_services_list(api_request *req, api_response *res) {
    lw_error err;
    search_query q;
    lw_status st = dirx_query(req, 0, &q, &err);
    const char *mine = api_query(req, "managed_by");
    if (st == LW_OK && mine) {
        if (strcmp(mine, "me") == 0)
            q.managed_by = req->who.org_id;
        else
            st = lw_fail(&err, LW_EINVAL, "managed_by",
                         "only 'me' (the services your organisation keeps) is understood");
    }
    dir_snap *snap = NULL;
    if (st == LW_OK)
        st = dirx_acquire(req, &snap, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    search_result r;
    dirx_search(snap, &q, &r);
    /* Each item: the Open Referral item's members, linkwell's, then this search's. */
    const char **oruk = arena_alloc(req->arena, sizeof *oruk * (r.nhits + 1));
    const char **lw = arena_alloc(req->arena, sizeof *lw * (r.nhits + 1));
    size_t *lw_len = arena_alloc(req->arena, sizeof *lw_len * (r.nhits + 1));
    size_t cap = 128;
    for (size_t i = 0; i < r.nhits; i++) {
        oruk[i] = search_oruk_json(snap->ix, r.hits[i].svc);
        lw[i] = dirx_lw_members(req->arena, snap->ix, r.hits[i].svc, &lw_len[i]);
        cap += strlen(oruk[i]) + lw_len[i] + 512; /* + the search's members */
    }
    char *body = arena_alloc(req->arena, cap);
    size_t len = (size_t)snprintf(body, cap, "{\"contents\":[");
    for (size_t i = 0; i < r.nhits; i++) {
        const search_hit *h = &r.hits[i];
        char dist[40] = "null";
        if (h->distance_m >= 0)
            snprintf(dist, sizeof dist, "%.0f", h->distance_m);
        len += (size_t)snprintf(body + len, cap - len, "%s%.*s,", i ? "," : "",
                                (int)strlen(oruk[i]) - 1, oruk[i]);
        memcpy(body + len, lw[i], lw_len[i]);
        len += lw_len[i];
        len += (size_t)snprintf(
            body + len, cap - len, ",\"stale\":%s,\"distance_m\":%s,\"score\":%.4f}",
            search_is_stale(snap->ix, h->svc, q.now) ? "true" : "false", dist, h->score);
    }
    len += (size_t)snprintf(body + len, cap - len, "],\"total\":%zu,\"page\":%d,\"per_page\":%d}",
                            r.total, q.page, q.per_page);
    search_result_free(&r);
    dirx_release(req, snap);
    res->status = 200;
    res->body = body;
    res->body_len = len;
    res->content_type = "application/json";
}

/* The service as HSDS plus a "linkwell" member with linkwell's own fields. */
static lw_status service_json(api_request *req, const char *id, json_t **out, lw_error *err) {
    json_t *doc = NULL;
    lw_service_local l;
    lw_status st = oruk_service_full(req->db, req->arena, id, &doc, err);
    if (st == LW_OK)
        st = store_service_local_get(req->db, req->arena, id, &l, err);
    if (st != LW_OK) {
        json_decref(doc);
        return st;
    }
    json_t *dom = json_array();
    for (const char *p = l.need_domains; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        json_array_append_new(dom, json_stringn(p, n));
        p = e ? e + 1 : NULL;
    }
    int64_t now = clock_now(&req->app->clock);
    json_t *lw = json_pack("{s:o, s:s, s:o, s:o, s:b, s:o, s:o, s:b, s:o}", "capacity",
                           l.capacity >= 0 ? json_integer(l.capacity) : json_null(),
                           "capacity_status", l.capacity_status, "cost_band",
                           l.cost_band ? json_string(l.cost_band) : json_null(), "need_domains",
                           dom, "mental_health_ready", l.mental_health_ready, "setting",
                           l.setting ? json_string(l.setting) : json_null(), "last_checked",
                           l.last_checked_at ? dir_json_datetime(l.last_checked_at) : json_null(),
                           "stale", dir_is_stale(l.last_checked_at, now), "managed_by",
                           l.managed_by ? json_integer(l.managed_by) : json_null());
    json_object_set_new(doc, "linkwell", lw);
    *out = doc;
    return LW_OK;
}

void api_services_get(api_request *req, api_response *res) {
    lw_error err;
    json_t *doc = NULL;
    lw_status st = service_json(req, req->params[0], &doc, &err);
    if (st == LW_ENOTFOUND)
        st = lw_fail(&err, LW_ENOTFOUND, NULL, "there is no service with this id");
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, doc);
}

/* The members a person may send: HSDS service fields and linkwell's own. */
static const char *const hsds_members[] = {"name",
                                           "alternate_name",
                                           "description",
                                           "url",
                                           "email",
                                           "status",
                                           "interpretation_services",
                                           "application_process",
                                           "fees_description",
                                           "wait_time",
                                           "accreditations",
                                           "eligibility_description",
                                           "minimum_age",
                                           "maximum_age",
                                           "alert",
                                           NULL};
static const char *const allowed[] = {"name",
                                      "alternate_name",
                                      "description",
                                      "url",
                                      "email",
                                      "status",
                                      "interpretation_services",
                                      "application_process",
                                      "fees_description",
                                      "wait_time",
                                      "accreditations",
                                      "eligibility_description",
                                      "minimum_age",
                                      "maximum_age",
                                      "alert",
                                      "organization_id",
                                      "capacity",
                                      "capacity_status",
                                      "cost_band",
                                      "need_domains",
                                      "mental_health_ready",
                                      "setting",
                                      "checked",
                                      NULL};

/* Reads linkwell's own members of the body into L (absent: unchanged). */
static lw_status read_local(api_request *req, lw_service_local *l, int64_t now, lw_error *err) {
    json_t *b = req->json;
    memset(l, 0, sizeof *l);
    l->mental_health_ready = -1;
    json_t *cap = json_object_get(b, "capacity");
    if (cap) {
        if (json_is_null(cap)) {
            l->capacity_set = 1;
            l->capacity = -1;
        } else if (json_is_integer(cap) && json_integer_value(cap) >= 0 &&
                   json_integer_value(cap) <= 100000) {
            l->capacity_set = 1;
            l->capacity = json_integer_value(cap);
        } else {
            return lw_fail(err, LW_EINVAL, "capacity",
                           "must be a number of places (0 to 100000), or null for unknown");
        }
    }
    lw_status st = jin_string(b, "capacity_status", 0, 20, &l->capacity_status, err);
    if (st == LW_OK && l->capacity_status && !dir_capacity_status_valid(l->capacity_status))
        st =
            lw_fail(err, LW_EINVAL, "capacity_status", "must be capacity, no_capacity or waitlist");
    if (st == LW_OK)
        st = jin_string(b, "cost_band", 0, 10, &l->cost_band, err);
    if (st == LW_OK && l->cost_band && !dir_cost_band_valid(l->cost_band))
        st = lw_fail(err, LW_EINVAL, "cost_band", "must be free, low or paid");
    if (st == LW_OK)
        st = jin_string(b, "setting", 0, 20, &l->setting, err);
    if (st == LW_OK && l->setting && !dir_setting_valid(l->setting))
        st = lw_fail(err, LW_EINVAL, "setting", "must be group, one_to_one or either");
    int mh = -1, checked = -1;
    if (st == LW_OK)
        st = jin_bool(b, "mental_health_ready", 0, &mh, err);
    if (st == LW_OK)
        st = jin_bool(b, "checked", 0, &checked, err);
    l->mental_health_ready = mh;
    if (checked == 1)
        l->last_checked_at = now;
    json_t *dom = json_object_get(b, "need_domains");
    if (st == LW_OK && dom && !json_is_null(dom)) {
        if (!json_is_array(dom))
            return lw_fail(err, LW_EINVAL, "need_domains", "must be a list of need domains");
        char *list = "";
        size_t i;
        json_t *d;
        json_array_foreach(dom, i, d) {
            if (!json_is_string(d) || dir_domain_parse(json_string_value(d)) < 0)
                return lw_fail(err, LW_EINVAL, "need_domains",
                               "item %zu is not a need domain (isolation, mood, physical_activity, "
                               "weight_nutrition, debt, benefits, housing, employment, learning, "
                               "arts, volunteering, carers, parenting, legal, bereavement)",
                               i);
            list = arena_printf(req->arena, "%s%s%s", list, *list ? "," : "", json_string_value(d));
        }
        l->need_domains = list;
    }
    return st;
}

/* Whether the signed-in user may change services of directory organisation ORG_ID. */
static lw_status may_edit(api_request *req, const char *org_id, lw_error *err) {
    if (req->who.role == LW_ROLE_ADMIN)
        return LW_OK;
    int64_t managed = 0;
    lw_status st = store_dir_org_managed_by(req->db, req->arena, org_id, &managed, err);
    if (st != LW_OK)
        return st;
    if (managed != req->who.org_id)
        return lw_fail(err, LW_EFORBIDDEN, NULL,
                       "this service is kept by another organisation; providers change only their "
                       "own organisation's services");
    return LW_OK;
}

/* The directory organisation a provider's new service belongs to: their own,
 * made the first time. */
static lw_status provider_dir_org(api_request *req, const char **out, int64_t now, lw_error *err) {
    char id[37];
    char key[32];
    snprintf(key, sizeof key, "%lld", (long long)req->who.org_id);
    dir_uuid_for("linkwell-organisation", key, id);
    json_t *existing = NULL;
    lw_status st = store_dir_get(req->db, req->arena, &dir_organization_entity, id, &existing, err);
    json_decref(existing);
    if (st == LW_ENOTFOUND) {
        json_t *org = json_pack("{s:s, s:s}", "id", id, "name", req->who.org_name);
        lw_dir_outcome o;
        st = store_dir_put(req->db, &dir_organization_entity, org, NULL, now, &o, err);
        json_decref(org);
        if (st == LW_OK)
            st = store_dir_org_manage(req->db, id, req->who.org_id, err);
    }
    *out = arena_strdup(req->arena, id);
    return st;
}

/* Writes the service: HSDS members from the body over BASE (a document or NULL),
 * then linkwell's own; in the caller's transaction. */
static lw_status write_service(api_request *req, json_t *base, int replace, const char *id,
                               const char *org_id, int64_t now, lw_error *err) {
    json_t *raw = base ? json_copy(base) : json_object();
    if (replace)
        for (const char *const *m = hsds_members; *m; m++)
            json_object_del(raw, *m);
    for (const char *const *m = hsds_members; *m; m++) {
        json_t *v = json_object_get(req->json, *m);
        if (v && json_is_null(v))
            json_object_del(raw, *m);
        else if (v)
            json_object_set(raw, *m, v);
    }
    json_object_set_new(raw, "id", json_string(id));
    json_object_set_new(raw, "organization_id", json_string(org_id));
    json_object_del(raw, "organization");
    json_object_del(raw, "linkwell");
    json_object_del(raw, "last_modified");
    /* Inline records came from the store; keep the references only. */
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(raw, "service_at_locations"), i, x)
        json_object_del(x, "location");
    json_array_foreach(json_object_get(raw, "attributes"), i, x)
        json_object_del(x, "taxonomy_term");
    json_t *doc = NULL;
    lw_status st = oruk_clean_service(raw, &doc, err);
    json_decref(raw);
    lw_dir_outcome o;
    if (st == LW_OK)
        st = store_dir_put(req->db, &dir_service_entity, doc, NULL, now, &o, err);
    json_decref(doc);
    lw_service_local l;
    if (st == LW_OK)
        st = read_local(req, &l, now, err);
    if (st == LW_OK)
        st = store_service_local_set(req->db, id, &l, err);
    if (st == LW_OK)
        st = store_dir_bump(req->db, now, err);
    return st;
}

static void finish(api_request *req, api_response *res, lw_status st, lw_error *err, const char *id,
                   int status) {
    if (st == LW_OK)
        st = store_commit(req->db, err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, err);
        return;
    }
    json_t *doc = NULL;
    st = dirx_refresh(req, err);
    if (st == LW_OK)
        st = service_json(req, id, &doc, err);
    if (st != LW_OK) {
        api_fail(res, err);
        return;
    }
    api_json(res, status, doc);
    if (status == 201)
        api_header(res, "Location", arena_printf(req->arena, "/api/v1/services/%s", id));
}

void api_services_create(api_request *req, api_response *res) {
    lw_error err;
    int64_t now = clock_now(&req->app->clock);
    const char *org_id = NULL, *name = NULL;
    lw_status st = jin_object(req, allowed, &err);
    if (st == LW_OK)
        st = jin_string(req->json, "name", 1, LW_DIR_NAME_MAX, &name, &err);
    if (st == LW_OK)
        st = jin_string(req->json, "organization_id", 0, 100, &org_id, &err);
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK && !org_id) {
        if (req->who.role == LW_ROLE_ADMIN)
            st = lw_fail(&err, LW_EINVAL, "organization_id",
                         "is required: the id of the directory organisation that runs it");
        else
            st = provider_dir_org(req, &org_id, now, &err);
    } else if (st == LW_OK) {
        st = may_edit(req, org_id, &err);
        if (st == LW_ENOTFOUND)
            st = lw_fail(&err, LW_EINVAL, "organization_id",
                         "there is no directory organisation with this id");
    }
    char id[37];
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    rnd[6] = (unsigned char)((rnd[6] & 0x0F) | 0x40);
    rnd[8] = (unsigned char)((rnd[8] & 0x3F) | 0x80);
    snprintf(id, sizeof id, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], rnd[8], rnd[9],
             rnd[10], rnd[11], rnd[12], rnd[13], rnd[14], rnd[15]);
    if (st == LW_OK)
        st = write_service(req, NULL, 1, id, org_id, now, &err);
    if (st == LW_OK)
        st = store_service_local_init(req->db, id, "", NULL, now, &err);
    if (st == LW_OK)
        st = audit(req, "service.create", id, &err);
    finish(req, res, st, &err, id, 201);
}

static void update(api_request *req, api_response *res, int replace) {
    lw_error err;
    int64_t now = clock_now(&req->app->clock);
    const char *id = req->params[0];
    json_t *base = NULL;
    const char *org_id = NULL;
    lw_status st = jin_object(req, allowed, &err);
    if (st == LW_OK && replace) {
        const char *name;
        st = jin_string(req->json, "name", 1, LW_DIR_NAME_MAX, &name, &err);
    }
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK) {
        st = store_dir_get(req->db, req->arena, &dir_service_entity, id, &base, &err);
        if (st == LW_ENOTFOUND)
            st = lw_fail(&err, LW_ENOTFOUND, NULL, "there is no service with this id");
    }
    if (st == LW_OK) {
        org_id =
            arena_strdup(req->arena, json_string_value(json_object_get(base, "organization_id")));
        st = may_edit(req, org_id, &err);
    }
    if (st == LW_OK && json_object_get(req->json, "organization_id")) {
        const char *to;
        st = jin_string(req->json, "organization_id", 1, 100, &to, &err);
        if (st == LW_OK && strcmp(to, org_id) != 0) {
            st = may_edit(req, to, &err);
            if (st == LW_ENOTFOUND)
                st = lw_fail(&err, LW_EINVAL, "organization_id",
                             "there is no directory organisation with this id");
            org_id = to;
        }
    }
    if (st == LW_OK)
        st = write_service(req, base, replace, id, org_id, now, &err);
    if (st == LW_OK)
        st = audit(req, "service.update", id, &err);
    json_decref(base);
    if (st == LW_EFORBIDDEN) {
        lw_error ignored;
        store_rollback(req->db);
        lw_audit_entry e = {.at = now,
                            .user_id = req->who.user_id,
                            .role = role_name(req->who.role),
                            .org_id = req->who.org_id,
                            .action = "service.update",
                            .resource_type = "service",
                            .resource_id = id,
                            .remote_addr = req->remote_addr,
                            .outcome = "denied"};
        lw_ignore(store_audit_insert(req->db, &e, &ignored));
        api_fail(res, &err);
        return;
    }
    finish(req, res, st, &err, id, 200);
}

void api_services_put(api_request *req, api_response *res) {
    update(req, res, 1);
}

void api_services_patch(api_request *req, api_response *res) {
    update(req, res, 0);
}
