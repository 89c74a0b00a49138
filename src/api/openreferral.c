/*
 * The public Open Referral UK API (HSDS 3.0, UK profile) under /openreferral/:
 * read-only, no sign-in, Access-Control-Allow-Origin: * on every answer.
 * Lists are paged objects (total_items, total_pages, page_number, size,
 * first_page, last_page, empty, contents). /services and
 * /service_at_locations are answered from the search index, so they take
 * every filter the standard defines; the others from the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/directory.h"
#include "domain/directory.h"
#include "io/oruk.h"
#include "store/directory.h"

static void cors(api_response *res) {
    api_header(res, "Access-Control-Allow-Origin", "*");
}

static void fail(api_response *res, const lw_error *err) {
    api_fail(res, err);
    cors(res);
}

/* The paging members around CONTENTS (a JSON array's text). */
static char *page_text(lw_arena *a, size_t total, int page, int per_page, size_t n,
                       const char *contents) {
    size_t pages = total ? (total + (size_t)per_page - 1) / (size_t)per_page : 1;
    char head[256];
    int k = snprintf(head, sizeof head,
                     "{\"total_items\":%zu,\"total_pages\":%zu,\"page_number\":%d,\"size\":%zu,"
                     "\"first_page\":%s,\"last_page\":%s,\"empty\":%s,\"contents\":",
                     total, pages, page, n, page == 1 ? "true" : "false",
                     (size_t)page >= pages ? "true" : "false", n == 0 ? "true" : "false");
    /* The contents can be large: copied, not formatted. */
    size_t clen = strlen(contents);
    char *s = arena_alloc(a, (size_t)k + clen + 2);
    memcpy(s, head, (size_t)k);
    memcpy(s + k, contents, clen);
    s[(size_t)k + clen] = '}';
    s[(size_t)k + clen + 1] = '\0';
    return s;
}

static void raw(api_response *res, const char *body) {
    res->status = 200;
    res->body = body;
    res->body_len = strlen(body);
    res->content_type = "application/json";
    cors(res);
}

void api_oruk_root(api_request *req, api_response *res) {
    (void)req;
    api_json(res, 200,
             json_pack("{s:s, s:s, s:s, s:s}", "version", "HSDS-UK-3.0", "profile",
                       "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md",
                       "openapi_url", "https://docs.openreferraluk.org/en/latest/openapi30.json",
                       "publisher", "linkwell"));
    cors(res);
}

/* Joins the chosen items of a search page into one array's text. */
static char *join(lw_arena *a, const char *const *items, size_t n) {
    size_t len = 2;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + 1;
    char *s = arena_alloc(a, len + 1), *p = s;
    *p++ = '[';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        size_t k = strlen(items[i]);
        memcpy(p, items[i], k);
        p += k;
    }
    *p++ = ']';
    *p = '\0';
    return s;
}

void api_oruk_services(api_request *req, api_response *res) {
    lw_error err;
    search_query q;
    lw_status st = dirx_query(req, 1, &q, &err);
    dir_snap *snap = NULL;
    if (st == LW_OK)
        st = dirx_acquire(req, &snap, &err);
    if (st != LW_OK) {
        fail(res, &err);
        return;
    }
    search_result r;
    dirx_search(snap, &q, &r);
    const char **items = arena_alloc(req->arena, sizeof *items * (r.nhits + 1));
    for (size_t i = 0; i < r.nhits; i++)
        items[i] = search_oruk_json(snap->ix, r.hits[i].svc);
    char *contents = join(req->arena, items, r.nhits);
    raw(res, page_text(req->arena, r.total, q.page, q.per_page, r.nhits, contents));
    search_result_free(&r);
    dirx_release(req, snap);
}

void api_oruk_service_at_locations(api_request *req, api_response *res) {
    lw_error err;
    search_query q;
    lw_status st = dirx_query(req, 1, &q, &err);
    dir_snap *snap = NULL;
    if (st == LW_OK)
        st = dirx_acquire(req, &snap, &err);
    if (st != LW_OK) {
        fail(res, &err);
        return;
    }
    /* Every matching service's places, in the services' order, paged by place. */
    search_query all = q;
    all.page = 1;
    all.per_page = (int)(search_count(snap->ix) ? search_count(snap->ix) : 1);
    search_result r;
    search_run(snap->ix, &all, &r);
    size_t total = 0;
    for (size_t i = 0; i < r.nhits; i++) {
        size_t n;
        search_sal_json(snap->ix, r.hits[i].svc, &n);
        total += n;
    }
    size_t from = (size_t)(q.page - 1) * (size_t)q.per_page, k = 0, seen = 0;
    const char **items = arena_alloc(req->arena, sizeof *items * ((size_t)q.per_page + 1));
    for (size_t i = 0; i < r.nhits && k < (size_t)q.per_page; i++) {
        size_t n;
        const char *const *sal = search_sal_json(snap->ix, r.hits[i].svc, &n);
        for (size_t j = 0; j < n && k < (size_t)q.per_page; j++, seen++)
            if (seen >= from)
                items[k++] = sal[j];
    }
    raw(res, page_text(req->arena, total, q.page, q.per_page, k, join(req->arena, items, k)));
    search_result_free(&r);
    dirx_release(req, snap);
}

void api_oruk_service(api_request *req, api_response *res) {
    lw_error err;
    json_t *svc = NULL;
    lw_status st = oruk_service_full(req->db, req->arena, req->params[0], &svc, &err);
    if (st == LW_ENOTFOUND && !dir_is_uuid(req->params[0])) {
        /* A feed's own id ("101"): linkwell keeps it as the UUID made from it. */
        char mapped[37];
        dir_uuid_for("service", req->params[0], mapped);
        st = oruk_service_full(req->db, req->arena, mapped, &svc, &err);
    }
    if (st == LW_ENOTFOUND)
        st = lw_fail(&err, LW_ENOTFOUND, NULL, "there is no service with the id '%.80s'",
                     req->params[0]);
    if (st != LW_OK) {
        fail(res, &err);
        return;
    }
    api_json(res, 200, svc);
    cors(res);
}

static void db_list(api_request *req, api_response *res, const dir_entity *e) {
    lw_error err;
    lw_page pg;
    lw_status st = dirx_page(req, LW_ORUK_PER_PAGE_MAX, &pg.page, &pg.per_page, &err);
    lw_dir_list_filter f = {0};
    if (e == &dir_taxonomy_term_entity) {
        f.parent_id = api_query(req, "parent_id");
        f.taxonomy_id = api_query(req, "taxonomy_id");
        const char *top = api_query(req, "top_only");
        if (top && strcmp(top, "true") != 0 && strcmp(top, "false") != 0)
            st = lw_fail(&err, LW_EINVAL, "top_only", "'%.40s' is not true or false", top);
        f.top_only = top && strcmp(top, "true") == 0;
    }
    json_t *contents = NULL;
    int64_t total = 0;
    if (st == LW_OK)
        st = store_dir_list(req->db, req->arena, e, &f, pg, &contents, &total, &err);
    if (st != LW_OK) {
        fail(res, &err);
        return;
    }
    size_t i;
    json_t *o;
    json_array_foreach(contents, i, o) {
        if (!json_object_get(o, "description"))
            json_object_set_new(o, "description", json_string(""));
    }
    size_t n = json_array_size(contents);
    char *text = json_dumps(contents, JSON_COMPACT);
    json_decref(contents);
    if (!text)
        lw_oom();
    char *body = page_text(req->arena, (size_t)total, pg.page, pg.per_page, n, text);
    free(text);
    raw(res, body);
}

void api_oruk_taxonomies(api_request *req, api_response *res) {
    db_list(req, res, &dir_taxonomy_entity);
}

void api_oruk_taxonomy_terms(api_request *req, api_response *res) {
    db_list(req, res, &dir_taxonomy_term_entity);
}

void api_oruk_organizations(api_request *req, api_response *res) {
    db_list(req, res, &dir_organization_entity);
}

/* ---- one record by id: /{collection}/{id} ---- */

/* Reads entity E's record ID (or the UUID linkwell made from a feed's own id, "101"). */
static lw_status get_root(api_request *req, const dir_entity *e, const char *id, json_t **out,
                          lw_error *err) {
    lw_status st = store_dir_get(req->db, req->arena, e, id, out, err);
    if (st == LW_ENOTFOUND && !dir_is_uuid(id)) {
        char mapped[37];
        dir_uuid_for(e->kind, id, mapped);
        st = store_dir_get(req->db, req->arena, e, mapped, out, err);
    }
    if (st == LW_ENOTFOUND)
        st = lw_fail(err, LW_ENOTFOUND, NULL, "there is no %s with the id '%.80s'", e->kind, id);
    return st;
}

/* The validator's schemas require a description on these; linkwell may not have one. */
static void with_description(json_t *o) {
    if (!json_object_get(o, "description"))
        json_object_set_new(o, "description", json_string(""));
}

static void send_json(api_response *res, json_t *o) {
    api_json(res, 200, o);
    cors(res);
}

void api_oruk_taxonomy(api_request *req, api_response *res) {
    lw_error err;
    json_t *o = NULL;
    if (get_root(req, &dir_taxonomy_entity, req->params[0], &o, &err) != LW_OK) {
        fail(res, &err);
        return;
    }
    with_description(o);
    send_json(res, o);
}

void api_oruk_taxonomy_term(api_request *req, api_response *res) {
    lw_error err;
    json_t *o = NULL;
    if (get_root(req, &dir_taxonomy_term_entity, req->params[0], &o, &err) != LW_OK) {
        fail(res, &err);
        return;
    }
    with_description(o);
    /* The term's taxonomy inline, as HSDS 3.0's taxonomy_term.taxonomy_detail. */
    const char *xid = json_string_value(json_object_get(o, "taxonomy_id"));
    json_t *tax = NULL;
    if (xid && store_dir_get(req->db, req->arena, &dir_taxonomy_entity, xid, &tax, &err) == LW_OK) {
        with_description(tax);
        json_object_set_new(o, "taxonomy_detail", tax);
    }
    send_json(res, o);
}

/* HSDS 3.0: the organisation with its services — their list items, or with
 * full_service=true each service in full. */
void api_oruk_organization(api_request *req, api_response *res) {
    lw_error err;
    const char *fs = api_query(req, "full_service");
    lw_status st = LW_OK;
    if (fs && strcmp(fs, "true") != 0 && strcmp(fs, "false") != 0)
        st = lw_fail(&err, LW_EINVAL, "full_service", "'%.40s' is not true or false", fs);
    int full = fs && strcmp(fs, "true") == 0;
    json_t *o = NULL;
    if (st == LW_OK)
        st = get_root(req, &dir_organization_entity, req->params[0], &o, &err);
    dir_snap *snap = NULL;
    if (st == LW_OK)
        st = dirx_acquire(req, &snap, &err);
    if (st != LW_OK) {
        json_decref(o);
        fail(res, &err);
        return;
    }
    with_description(o);
    search_query q;
    search_query_init(&q);
    q.organization_id = json_string_value(json_object_get(o, "id"));
    q.per_page = (int)(search_count(snap->ix) ? search_count(snap->ix) : 1);
    search_result r;
    search_run(snap->ix, &q, &r);
    json_t *services = json_array();
    for (size_t i = 0; i < r.nhits && st == LW_OK; i++) {
        json_t *item = NULL;
        if (full)
            st = oruk_service_full(req->db, req->arena, search_id(snap->ix, r.hits[i].svc), &item,
                                   &err);
        else
            item = json_loads(search_oruk_json(snap->ix, r.hits[i].svc), 0, NULL);
        if (item)
            json_array_append_new(services, item);
    }
    search_result_free(&r);
    dirx_release(req, snap);
    json_object_set_new(o, "services", services);
    if (st != LW_OK) {
        json_decref(o);
        fail(res, &err);
        return;
    }
    send_json(res, o);
}

/* HSDS 3.0: the service_at_location with its location and its service in full. */
void api_oruk_service_at_location(api_request *req, api_response *res) {
    lw_error err;
    const char *id = req->params[0];
    char mapped[37];
    const char *svc_id = NULL;
    lw_status st = store_dir_sal_service(req->db, req->arena, id, &svc_id, &err);
    if (st == LW_ENOTFOUND && !dir_is_uuid(id)) {
        dir_uuid_for("service_at_location", id, mapped);
        id = mapped;
        st = store_dir_sal_service(req->db, req->arena, id, &svc_id, &err);
    }
    json_t *svc = NULL;
    if (st == LW_OK)
        st = oruk_service_full(req->db, req->arena, svc_id, &svc, &err);
    json_t *found = NULL;
    if (st == LW_OK) {
        size_t i;
        json_t *sal;
        json_array_foreach(json_object_get(svc, "service_at_locations"), i, sal) {
            const char *sid = json_string_value(json_object_get(sal, "id"));
            if (sid && strcmp(sid, id) == 0) {
                found = json_deep_copy(sal);
                break;
            }
        }
    }
    if (st == LW_ENOTFOUND || (st == LW_OK && !found))
        st = lw_fail(&err, LW_ENOTFOUND, NULL,
                     "there is no service_at_location with the id '%.80s'", req->params[0]);
    if (st != LW_OK) {
        json_decref(svc);
        fail(res, &err);
        return;
    }
    if (!json_object_get(found, "service_id"))
        json_object_set_new(found, "service_id", json_string(svc_id));
    json_object_set_new(found, "service", svc);
    send_json(res, found);
}
