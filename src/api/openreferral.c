/*
 * The public Open Referral UK API (HSDS 3.0, UK profile) under /openreferral/:
 * read-only, no sign-in, Access-Control-Allow-Origin: * on every answer.
 * Lists are paged objects (total_items, total_pages, page_number, size,
 * first_page, last_page, empty, contents), or with format=ndjson every result
 * streamed one JSON object a line (openreferral_stream.c). /services and
 * /service_at_locations are answered from the search index, so they take
 * every filter the standard defines; the others from the store. minimal=true
 * (services) and full=true (services, organisations, service_at_locations)
 * choose the items' shape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/openreferral.h"
#include "domain/directory.h"
#include "domain/referrals.h"
#include "io/oruk.h"
#include "store/directory.h"

static void cors(api_response *res) {
    api_header(res, "Access-Control-Allow-Origin", "*");
}

static void fail(api_response *res, const lw_error *err) {
    api_fail(res, err);
    cors(res);
}

/* The paging members before the contents, into HEAD (256 bytes); their length. */
static size_t page_head(char *head, size_t total, int page, int per_page, size_t n) {
    size_t pages = total ? (total + (size_t)per_page - 1) / (size_t)per_page : 1;
    int k = snprintf(head, 256,
                     "{\"total_items\":%zu,\"total_pages\":%zu,\"page_number\":%d,\"size\":%zu,"
                     "\"first_page\":%s,\"last_page\":%s,\"empty\":%s,\"contents\":",
                     total, pages, page, n, page == 1 ? "true" : "false",
                     (size_t)page >= pages ? "true" : "false", n == 0 ? "true" : "false");
    return (size_t)k;
}

/* The paging members around CONTENTS (a JSON array's text). */
static char *page_text(lw_arena *a, size_t total, int page, int per_page, size_t n,
                       const char *contents) {
    char head[256];
    size_t k = page_head(head, total, page, per_page, n);
    /* The contents can be large: copied, not formatted. */
    size_t clen = strlen(contents);
    char *s = arena_alloc_raw(a, k + clen + 2);
    memcpy(s, head, k);
    memcpy(s + k, contents, clen);
    s[k + clen] = '}';
    s[k + clen + 1] = '\0';
    return s;
}

/* A whole page — the paging members and the N items' texts as its contents — written
 * once into one buffer (each item's length measured once): the body of a search's page,
 * byte for byte what page_text() makes of their array joined. Its length in *LEN. */
static char *page_of_items(lw_arena *a, size_t total, int page, int per_page,
                           const char *const *items, size_t n, size_t *len) {
    char head[256];
    size_t k = page_head(head, total, page, per_page, n);
    size_t *lens = arena_alloc_raw(a, sizeof *lens * (n + 1));
    size_t size = k + 2 + (n ? n - 1 : 0) + 2;
    /* The texts are scattered over the index: asked for all at once, not one by one. */
    for (size_t i = 0; i < n; i++)
        __builtin_prefetch(items[i]);
    for (size_t i = 0; i < n; i++) {
        lens[i] = strlen(items[i]);
        size += lens[i];
    }
    char *s = arena_alloc_raw(a, size), *p = s;
    memcpy(p, head, k);
    p += k;
    *p++ = '[';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        memcpy(p, items[i], lens[i]);
        p += lens[i];
    }
    *p++ = ']';
    *p++ = '}';
    *p = '\0';
    *len = (size_t)(p - s);
    return s;
}

static void raw_len(api_response *res, const char *body, size_t len) {
    res->status = 200;
    res->body = body;
    res->body_len = len;
    res->content_type = "application/json";
    cors(res);
}

static void raw(api_response *res, const char *body) {
    raw_len(res, body, strlen(body));
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

/* ---- the query parameters every list shares: format, minimal, full ---- */

#define OPT_MINIMAL 1u
#define OPT_FULL 2u
#define OPT_FULL_SERVICE 4u

typedef struct oruk_opts {
    int ndjson;
    int minimal, full, full_service;
} oruk_opts;

static lw_status true_false(const api_request *req, const char *name, int *out, lw_error *err) {
    const char *v = api_query(req, name);
    *out = 0;
    if (!v || strcmp(v, "false") == 0)
        return LW_OK;
    if (strcmp(v, "true") != 0)
        return lw_fail(err, LW_EINVAL, name, "'%.40s' is not true or false", v);
    *out = 1;
    return LW_OK;
}

static lw_status options(const api_request *req, unsigned allowed, oruk_opts *o, lw_error *err) {
    memset(o, 0, sizeof *o);
    const char *f = api_query(req, "format");
    if (f && strcmp(f, "ndjson") == 0)
        o->ndjson = 1;
    else if (f && strcmp(f, "json") != 0)
        return lw_fail(err, LW_EINVAL, "format",
                       "'%.40s' is not a format: use json (paged, the default) or ndjson (every "
                       "result, one JSON object a line)",
                       f);
    /* ndjson has no pages: a client asking for one would silently get everything. */
    static const char *const paging[] = {"page", "per_page"};
    for (int i = 0; o->ndjson && i < 2; i++)
        if (api_query(req, paging[i]))
            return lw_fail(err, LW_EINVAL, paging[i],
                           "format=ndjson streams every result without pages: leave out %s",
                           paging[i]);
    lw_status st = LW_OK;
    if (allowed & OPT_MINIMAL)
        st = true_false(req, "minimal", &o->minimal, err);
    if (st == LW_OK && (allowed & OPT_FULL))
        st = true_false(req, "full", &o->full, err);
    if (st == LW_OK && (allowed & OPT_FULL_SERVICE))
        st = true_false(req, "full_service", &o->full_service, err);
    if (st == LW_OK && o->minimal && o->full)
        st = lw_fail(err, LW_EINVAL, "minimal",
                     "minimal=true and full=true ask for opposite shapes: choose one");
    return st;
}

/* Answers with the stream S: ndjson, or (NDJSON 0) a paged object made as it is sent. */
static void stream(api_response *res, oruk_stream *s, int ndjson) {
    api_stream(res, 200, ndjson ? "application/x-ndjson" : "application/json", oruk_stream_read, s,
               oruk_stream_free);
    cors(res);
}

/* Every match of Q on IX, in order, on one page. */
static void all_hits(const search_index *ix, search_query *q, search_result *r) {
    q->page = 1;
    q->per_page = (int)(search_count(ix) ? search_count(ix) : 1);
    search_run(ix, q, r);
}

static char *dump_arena(lw_arena *a, json_t *o) {
    char *t = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!t)
        lw_oom();
    char *copy = arena_strdup(a, t);
    free(t);
    return copy;
}

/* ---- items ---- */

void oruk_with_description(json_t *o) {
    if (!json_object_get(o, "description"))
        json_object_set_new(o, "description", json_string(""));
}

/* HSDS 3.0 asks for "just service 'id' and 'modified_date'"; the validator's list schema
 * also requires name and status, and HSDS 3.0 calls the date last_modified: all five. */
static json_t *minimal_item(const char *item_json) {
    json_t *item = json_loads(item_json, 0, NULL);
    json_t *o = json_object();
    static const char *const keep[] = {"id", "name", "status"};
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(item, keep[i]);
        if (v)
            json_object_set(o, keep[i], v);
    }
    json_t *m = json_object_get(item, "last_modified");
    if (m) {
        json_object_set(o, "modified_date", m);
        json_object_set(o, "last_modified", m);
    }
    json_decref(item);
    return o;
}

const char *oruk_member_string(const char *obj, const char *key, size_t *len) {
    size_t klen = strlen(key);
    int depth = 0;
    for (const char *p = obj; *p; p++) {
        if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            depth--;
        } else if (*p == '"') {
            const char *start = ++p;
            while (*p && *p != '"')
                p += (*p == '\\' && p[1]) ? 2 : 1;
            if (!*p)
                return NULL;
            if (depth != 1 || p[1] != ':' || (size_t)(p - start) != klen ||
                memcmp(start, key, klen) != 0)
                continue;
            const char *v = p + 2, *e = v + 1;
            if (*v != '"')
                return NULL;
            while (*e && *e != '"')
                e += (*e == '\\' && e[1]) ? 2 : 1;
            if (!*e)
                return NULL;
            *len = (size_t)(e - v + 1);
            return v;
        }
    }
    return NULL;
}

char *oruk_minimal_text(const char *item_json) {
    /* Copied from the item's text: about 1 µs, where parsing it took about 14 µs. */
    static const char *const keys[] = {"id", "name", "status", "last_modified"};
    const char *v[4];
    size_t n[4], total = 64;
    for (int i = 0; i < 4; i++) {
        v[i] = oruk_member_string(item_json, keys[i], &n[i]);
        total += v[i] ? 2 * n[i] : 0;
        if (!v[i]) {
            json_t *o = minimal_item(item_json);
            char *text = json_dumps(o, JSON_COMPACT);
            json_decref(o);
            if (!text)
                lw_oom();
            return text; /* the item is not as the index makes it: the slow way */
        }
    }
    char *text = malloc(total);
    if (!text)
        lw_oom();
    snprintf(text, total,
             "{\"id\":%.*s,\"name\":%.*s,\"status\":%.*s,\"modified_date\":%.*s,"
             "\"last_modified\":%.*s}",
             (int)n[0], v[0], (int)n[1], v[1], (int)n[2], v[2], (int)n[3], v[3], (int)n[3], v[3]);
    return text;
}

lw_status oruk_org_services_of(lw_db *db, lw_arena *a, const search_index *ix, json_t *o, int full,
                               const int *svcs, size_t n, lw_error *err) {
    json_t *services = json_array();
    lw_status st = LW_OK;
    for (size_t i = 0; i < n && st == LW_OK; i++) {
        json_t *item = NULL;
        if (full)
            st = oruk_service_full(db, a, search_id(ix, svcs[i]), &item, err);
        else
            item = json_loads(search_oruk_json(ix, svcs[i]), 0, NULL);
        if (st == LW_ENOTFOUND)
            st = LW_OK; /* deleted since the index was built */
        if (item)
            json_array_append_new(services, item);
    }
    json_object_set_new(o, "services", services);
    return st;
}

lw_status oruk_org_services(lw_db *db, lw_arena *a, const search_index *ix, json_t *o, int full,
                            lw_error *err) {
    search_query q;
    search_query_init(&q);
    q.organization_id = json_string_value(json_object_get(o, "id"));
    q.per_page = (int)(search_count(ix) ? search_count(ix) : 1);
    search_result r;
    search_run(ix, &q, &r);
    int *svcs = arena_alloc(a, sizeof *svcs * (r.nhits + 1));
    for (size_t i = 0; i < r.nhits; i++)
        svcs[i] = r.hits[i].svc;
    lw_status st = oruk_org_services_of(db, a, ix, o, full, svcs, r.nhits, err);
    search_result_free(&r);
    return st;
}

/* The service_at_locations FROM..TO of service SVC in full, appended to ARR. */
static lw_status sal_full_range(lw_db *db, lw_arena *a, const search_index *ix, int svc,
                                size_t from, size_t to, json_t *arr, lw_error *err) {
    json_t *doc = NULL;
    lw_status st = oruk_service_full(db, a, search_id(ix, svc), &doc, err);
    if (st == LW_ENOTFOUND)
        return LW_OK; /* deleted since the index was built */
    if (st != LW_OK)
        return st;
    size_t n = search_sal_count(ix, svc);
    for (size_t j = from; j < to && j < n; j++) {
        const char *location_id;
        json_t *full = oruk_sal_full(doc, search_sal(ix, svc, j, &location_id));
        if (full)
            json_array_append_new(arr, full);
    }
    json_decref(doc);
    return LW_OK;
}

lw_status oruk_sal_full_items(lw_db *db, lw_arena *a, const search_index *ix, int svc, json_t *arr,
                              lw_error *err) {
    size_t n = search_sal_count(ix, svc);
    return n ? sal_full_range(db, a, ix, svc, 0, n, arr, err) : LW_OK;
}

/* ---- the lists ---- */

void api_oruk_services(api_request *req, api_response *res) {
    lw_error err;
    oruk_opts o;
    search_query q;
    lw_status st = options(req, OPT_MINIMAL | OPT_FULL, &o, &err);
    if (st == LW_OK)
        st = dirx_query(req, 1, &q, &err);
    dir_snap *snap = NULL;
    if (st == LW_OK)
        st = dirx_acquire(req, &snap, &err);
    if (st != LW_OK) {
        fail(res, &err);
        return;
    }
    oruk_shape shape = o.minimal ? ORUK_MINIMAL : o.full ? ORUK_FULL : ORUK_ITEM;
    /* minimal=true without per_page: "aim to return all services within one call". */
    int one_page = o.minimal && !api_query(req, "per_page");
    if (o.ndjson || (one_page && q.page == 1)) {
        search_result r;
        all_hits(snap->ix, &q, &r);
        char *head = NULL;
        if (!o.ndjson) {
            char *text = page_text(req->arena, r.total, 1, q.per_page, r.nhits, "[");
            text[strlen(text) - 1] = '\0'; /* page_text's closing brace: the stream ends it */
            head = text;
        }
        /* The stream takes the hits and the snapshot's reference. */
        stream(res, oruk_stream_services(req->app, snap, &r, 0, shape, head), o.ndjson);
        return;
    }
    if (one_page)
        q.per_page = (int)(search_count(snap->ix) ? search_count(snap->ix) : 1);
    search_result r;
    dirx_search(snap, &q, &r);
    const char **items = arena_alloc(req->arena, sizeof *items * (r.nhits + 1));
    size_t k = 0;
    for (size_t i = 0; i < r.nhits && st == LW_OK; i++) {
        int svc = r.hits[i].svc;
        if (shape == ORUK_ITEM) {
            items[k++] = search_oruk_json(snap->ix, svc);
        } else if (shape == ORUK_MINIMAL) {
            char *text = oruk_minimal_text(search_oruk_json(snap->ix, svc));
            items[k++] = arena_strdup(req->arena, text);
            free(text);
        } else {
            json_t *full = NULL;
            st = oruk_service_full(req->db, req->arena, search_id(snap->ix, svc), &full, &err);
            if (st == LW_ENOTFOUND)
                st = LW_OK; /* deleted since the index was built */
            else if (st == LW_OK)
                items[k++] = dump_arena(req->arena, full);
        }
    }
    size_t total = r.total;
    search_result_free(&r);
    dirx_release(req, snap);
    if (st != LW_OK) {
        fail(res, &err);
        return;
    }
    size_t len;
    const char *body = page_of_items(req->arena, total, q.page, q.per_page, items, k, &len);
    raw_len(res, body, len);
}

void api_oruk_service_at_locations(api_request *req, api_response *res) {
    lw_error err;
    oruk_opts o;
    search_query q;
    lw_status st = options(req, OPT_FULL, &o, &err);
    if (st == LW_OK)
        st = dirx_query(req, 1, &q, &err);
    dir_snap *snap = NULL;
    if (st == LW_OK)
        st = dirx_acquire(req, &snap, &err);
    if (st != LW_OK) {
        fail(res, &err);
        return;
    }
    oruk_shape shape = o.full ? ORUK_FULL : ORUK_ITEM;
    /* Every matching service's places, in the services' order, paged by place. */
    search_query all = q;
    search_result r;
    all_hits(snap->ix, &all, &r);
    if (o.ndjson) {
        stream(res, oruk_stream_services(req->app, snap, &r, 1, shape, NULL), 1);
        return;
    }
    size_t total = 0;
    for (size_t i = 0; i < r.nhits; i++)
        total += search_sal_count(snap->ix, r.hits[i].svc);
    size_t from = (size_t)(q.page - 1) * (size_t)q.per_page, to = from + (size_t)q.per_page;
    size_t seen = 0;
    json_t *full = shape == ORUK_FULL ? json_array() : NULL;
    const char **items = arena_alloc(req->arena, sizeof *items * ((size_t)q.per_page + 1));
    size_t k = 0;
    for (size_t i = 0; i < r.nhits && seen < to && st == LW_OK; i++) {
        size_t n = search_sal_count(snap->ix, r.hits[i].svc);
        size_t lo = seen < from ? from - seen : 0, hi = seen + n > to ? to - seen : n;
        if (lo < hi && full)
            st = sal_full_range(req->db, req->arena, snap->ix, r.hits[i].svc, lo, hi, full, &err);
        for (size_t j = lo; j < hi && !full; j++)
            items[k++] = dirx_sal_json(req->arena, snap->ix, r.hits[i].svc, j);
        seen += n;
    }
    search_result_free(&r);
    dirx_release(req, snap);
    if (st != LW_OK) {
        json_decref(full);
        fail(res, &err);
        return;
    }
    if (!full) {
        size_t len;
        const char *body = page_of_items(req->arena, total, q.page, q.per_page, items, k, &len);
        raw_len(res, body, len);
        return;
    }
    k = json_array_size(full);
    raw(res, page_text(req->arena, total, q.page, q.per_page, k, dump_arena(req->arena, full)));
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

/* search on the store's lists: words (ASCII lower-cased) into F, in the arena. */
static lw_status words_param(const api_request *req, lw_dir_list_filter *f, lw_error *err) {
    const char *v = api_query(req, "search");
    if (!v)
        return LW_OK;
    lw_status st = text_check(v, 500, "search", err);
    if (st != LW_OK)
        return st;
    const char **words = arena_alloc(req->arena, sizeof *words * LW_DIR_SEARCH_WORDS_MAX);
    int n = 0;
    for (const char *p = v; *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        size_t len = strcspn(p, " \t\n");
        if (!len)
            break;
        if (n == LW_DIR_SEARCH_WORDS_MAX)
            return lw_fail(err, LW_EINVAL, "search", "has more than %d words",
                           LW_DIR_SEARCH_WORDS_MAX);
        char *w = arena_strndup(req->arena, p, len);
        for (char *c = w; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        words[n++] = w;
        p += len;
    }
    f->words = words;
    f->nwords = n;
    return LW_OK;
}

static void db_list(api_request *req, api_response *res, const dir_entity *e) {
    lw_error err;
    int orgs = e == &dir_organization_entity;
    oruk_opts o;
    lw_status st = options(req, orgs ? OPT_FULL | OPT_FULL_SERVICE : 0, &o, &err);
    lw_page pg = {.page = 1, .per_page = LW_PER_PAGE_DEFAULT};
    if (st == LW_OK && !o.ndjson)
        st = dirx_page(req, LW_ORUK_PER_PAGE_MAX, &pg.page, &pg.per_page, &err);
    lw_dir_list_filter f = {0};
    if (st == LW_OK)
        st = words_param(req, &f, &err);
    if (st == LW_OK && e == &dir_taxonomy_term_entity) {
        f.parent_id = api_query(req, "parent_id");
        f.taxonomy_id = api_query(req, "taxonomy_id");
        if (f.parent_id)
            st = text_check(f.parent_id, 200, "parent_id", &err);
        if (st == LW_OK && f.taxonomy_id)
            st = text_check(f.taxonomy_id, 200, "taxonomy_id", &err);
        if (st == LW_OK)
            st = true_false(req, "top_only", &f.top_only, &err);
    }
    /* full_service=true: nested, with each service in full (so full too). */
    oruk_shape shape = o.full_service ? ORUK_FULL_SERVICES : o.full ? ORUK_FULL : ORUK_ITEM;
    dir_snap *snap = NULL;
    if (st == LW_OK && shape != ORUK_ITEM)
        st = dirx_acquire(req, &snap, &err);
    if (st != LW_OK) {
        fail(res, &err);
        return;
    }
    if (o.ndjson) {
        stream(res, oruk_stream_records(req->app, e, &f, shape, snap), 1);
        return;
    }
    json_t *contents = NULL;
    int64_t total = 0;
    st = store_dir_list(req->db, req->arena, e, &f, pg, &contents, &total, &err);
    size_t i;
    json_t *row;
    json_array_foreach(contents, i, row) {
        if (st != LW_OK)
            break;
        if (shape == ORUK_ITEM) {
            oruk_with_description(row);
            continue;
        }
        /* The whole record, with its services. */
        json_t *doc = NULL;
        const char *id = json_string_value(json_object_get(row, "id"));
        st = store_dir_get(req->db, req->arena, e, id, &doc, &err);
        if (st == LW_OK)
            st = oruk_org_services(req->db, req->arena, snap->ix, doc, shape == ORUK_FULL_SERVICES,
                                   &err);
        if (st == LW_OK) {
            oruk_with_description(doc);
            json_array_set_new(contents, i, doc);
        } else {
            json_decref(doc);
        }
    }
    if (snap)
        dirx_release(req, snap);
    if (st != LW_OK) {
        json_decref(contents);
        fail(res, &err);
        return;
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
    oruk_with_description(o);
    send_json(res, o);
}

void api_oruk_taxonomy_term(api_request *req, api_response *res) {
    lw_error err;
    json_t *o = NULL;
    if (get_root(req, &dir_taxonomy_term_entity, req->params[0], &o, &err) != LW_OK) {
        fail(res, &err);
        return;
    }
    oruk_with_description(o);
    /* The term's taxonomy inline, as HSDS 3.0's taxonomy_term.taxonomy_detail. */
    const char *xid = json_string_value(json_object_get(o, "taxonomy_id"));
    json_t *tax = NULL;
    if (xid && store_dir_get(req->db, req->arena, &dir_taxonomy_entity, xid, &tax, &err) == LW_OK) {
        oruk_with_description(tax);
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
    oruk_with_description(o);
    st = oruk_org_services(req->db, req->arena, snap->ix, o, full, &err);
    dirx_release(req, snap);
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
    json_t *found = st == LW_OK ? oruk_sal_full(svc, id) : NULL;
    json_decref(svc);
    if (st == LW_ENOTFOUND || (st == LW_OK && !found))
        st = lw_fail(&err, LW_ENOTFOUND, NULL,
                     "there is no service_at_location with the id '%.80s'", req->params[0]);
    if (st != LW_OK) {
        fail(res, &err);
        return;
    }
    send_json(res, found);
}
