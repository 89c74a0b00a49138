/*
 * Open Referral UK lists streamed after the handler has returned: format=ndjson on
 * every list, and /services?minimal=true in one page (see openreferral.h). Each call
 * of the producer hands out text from one batch, made when the last was used up, so
 * the whole answer is never in memory: 100,000 services go out a few dozen kilobytes
 * at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/openreferral.h"
#include "io/oruk.h"

#define BATCH_BYTES (32 * 1024) /* a batch of list items: about this much text */
#define BATCH_FULL 16           /* records in full read on one connection, per batch */
#define BATCH_RECORDS 200       /* store records a query */

typedef enum source { SRC_SERVICES, SRC_SALS, SRC_RECORDS } source;

typedef struct org_svc {
    const char *org; /* the organization_id's text in the index's item, quotes included */
    size_t len;
    size_t pos; /* in the order of an unfiltered search (services by name) */
    int svc;
} org_svc;

struct oruk_stream {
    lw_app *app;
    source src;
    oruk_shape shape;
    char *head; /* a paged object's members before the items; NULL: ndjson */
    dir_snap *snap;
    search_result r; /* SRC_SERVICES, SRC_SALS: the services, in order */
    size_t next;
    const dir_entity *e; /* SRC_RECORDS */
    lw_dir_list_filter f;
    char *parent_id, *taxonomy_id, **words; /* F's own copies */
    char *after;                            /* the last record's id */
    /* Organisations in full: every service of the index by organisation id (made once, at
     * the first batch: one pass instead of a search of the whole index per organisation). */
    struct org_svc *by_org;
    size_t nby_org;
    int started, source_done, finished;
    size_t items;
    char *buf;
    size_t len, off, cap;
};

static char *dup_or_null(const char *s) {
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        lw_oom();
    return d;
}

static oruk_stream *stream_new(lw_app *app, source src, oruk_shape shape, dir_snap *snap) {
    oruk_stream *s = calloc(1, sizeof *s);
    if (!s)
        lw_oom();
    s->app = app;
    s->src = src;
    s->shape = shape;
    s->snap = snap;
    return s;
}

oruk_stream *oruk_stream_services(lw_app *app, dir_snap *snap, search_result *r, int sals,
                                  oruk_shape shape, const char *head) {
    oruk_stream *s = stream_new(app, sals ? SRC_SALS : SRC_SERVICES, shape, snap);
    s->r = *r;
    r->hits = NULL;
    r->nhits = 0;
    s->head = dup_or_null(head);
    return s;
}

oruk_stream *oruk_stream_records(lw_app *app, const dir_entity *e, const lw_dir_list_filter *f,
                                 oruk_shape shape, dir_snap *snap) {
    oruk_stream *s = stream_new(app, SRC_RECORDS, shape, snap);
    s->e = e;
    s->f = *f;
    s->f.parent_id = s->parent_id = dup_or_null(f->parent_id);
    s->f.taxonomy_id = s->taxonomy_id = dup_or_null(f->taxonomy_id);
    s->after = dup_or_null(""); /* every id is after "": in id order from the first batch */
    s->f.after_id = s->after;
    if (f->nwords > 0) {
        s->words = calloc((size_t)f->nwords, sizeof *s->words);
        if (!s->words)
            lw_oom();
        for (int i = 0; i < f->nwords; i++)
            s->words[i] = dup_or_null(f->words[i]);
        s->f.words = (const char *const *)s->words;
    }
    return s;
}

void oruk_stream_free(void *ctx) {
    oruk_stream *s = ctx;
    if (!s)
        return;
    if (s->snap)
        dirx_release_app(s->app, s->snap);
    search_result_free(&s->r);
    free(s->head);
    free(s->parent_id);
    free(s->taxonomy_id);
    for (int i = 0; s->words && i < s->f.nwords; i++)
        free(s->words[i]);
    free(s->words);
    free(s->after);
    free(s->by_org);
    free(s->buf);
    free(s);
}

/* ---- the batch's text ---- */

static void put(oruk_stream *s, const char *text, size_t n) {
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : BATCH_BYTES * 2;
        while (cap < s->len + n)
            cap *= 2;
        char *grown = realloc(s->buf, cap);
        if (!grown)
            lw_oom();
        s->buf = grown;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, text, n);
    s->len += n;
}

/* One item: a line of ndjson, or an element of the paged object's array. */
static void put_item(oruk_stream *s, const char *text) {
    if (s->head && s->items)
        put(s, ",", 1);
    put(s, text, strlen(text));
    if (!s->head)
        put(s, "\n", 1);
    s->items++;
}

static void put_json(oruk_stream *s, json_t *o) {
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text)
        lw_oom();
    put_item(s, text);
    free(text);
}

/* ---- batches ---- */

/* Items made from the index alone: no connection needed. */
static void index_batch(oruk_stream *s) {
    const search_index *ix = s->snap->ix;
    lw_arena *a = s->src == SRC_SALS ? arena_new() : NULL; /* the places' items, written */
    while (s->next < s->r.nhits && s->len < BATCH_BYTES) {
        int svc = s->r.hits[s->next++].svc;
        if (s->src == SRC_SALS) {
            size_t n = search_sal_count(ix, svc);
            for (size_t j = 0; j < n; j++)
                put_item(s, dirx_sal_json(a, ix, svc, j));
        } else if (s->shape == ORUK_MINIMAL) {
            char *text = oruk_minimal_text(search_oruk_json(ix, svc));
            put_item(s, text);
            free(text);
        } else {
            put_item(s, search_oruk_json(ix, svc));
        }
    }
    arena_free(a);
    s->source_done = s->next == s->r.nhits;
}

/* Services or their places in full: read from the store, BATCH_FULL services at a time. */
static lw_status full_batch(oruk_stream *s, lw_db *db, lw_arena *a, lw_error *err) {
    const search_index *ix = s->snap->ix;
    lw_status st = LW_OK;
    for (int k = 0; k < BATCH_FULL && s->next < s->r.nhits && st == LW_OK; k++) {
        int svc = s->r.hits[s->next++].svc;
        if (s->src == SRC_SALS) {
            json_t *arr = json_array();
            st = oruk_sal_full_items(db, a, ix, svc, arr, err);
            size_t i;
            json_t *o;
            json_array_foreach(arr, i, o) put_json(s, json_incref(o));
            json_decref(arr);
            continue;
        }
        json_t *o = NULL;
        st = oruk_service_full(db, a, search_id(ix, svc), &o, err);
        if (st == LW_ENOTFOUND) {
            st = LW_OK; /* deleted since the index was built: the next index will not have it */
            continue;
        }
        if (st == LW_OK)
            put_json(s, o);
    }
    s->source_done = s->next == s->r.nhits;
    return st;
}

static int org_svc_cmp(const void *x, const void *y) {
    const org_svc *a = x, *b = y;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->org, b->org, n);
    if (c == 0)
        c = a->len < b->len ? -1 : a->len > b->len;
    if (c == 0)
        c = a->pos < b->pos ? -1 : a->pos > b->pos;
    return c;
}

static void group_by_org(oruk_stream *s) {
    const search_index *ix = s->snap->ix;
    search_query q;
    search_query_init(&q);
    q.per_page = (int)(search_count(ix) ? search_count(ix) : 1);
    search_result r;
    search_run(ix, &q, &r);
    s->by_org = malloc(sizeof *s->by_org * (r.nhits + 1));
    if (!s->by_org)
        lw_oom();
    for (size_t i = 0; i < r.nhits; i++) {
        org_svc *o = &s->by_org[s->nby_org];
        o->org =
            oruk_member_string(search_oruk_json(ix, r.hits[i].svc), "organization_id", &o->len);
        o->pos = i;
        o->svc = r.hits[i].svc;
        if (o->org)
            s->nby_org++;
    }
    search_result_free(&r);
    qsort(s->by_org, s->nby_org, sizeof *s->by_org, org_svc_cmp);
}

/* Attaches its services to the organisation O from the stream's grouping. */
static lw_status org_services(oruk_stream *s, lw_db *db, lw_arena *a, json_t *o, lw_error *err) {
    const char *id = json_string_value(json_object_get(o, "id"));
    size_t idlen = id ? strlen(id) : 0, lo = 0, hi = s->nby_org;
    /* The first entry whose text is "ID" or after it. */
    org_svc key = {.org = arena_printf(a, "\"%s\"", id ? id : ""), .len = idlen + 2, .pos = 0};
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (org_svc_cmp(&s->by_org[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = 0;
    int *svcs = arena_alloc(a, sizeof *svcs * (s->nby_org - lo + 1));
    for (size_t i = lo; i < s->nby_org && s->by_org[i].len == key.len &&
                        memcmp(s->by_org[i].org, key.org, key.len) == 0;
         i++)
        svcs[n++] = s->by_org[i].svc;
    return oruk_org_services_of(db, a, s->snap->ix, o, s->shape == ORUK_FULL_SERVICES, svcs, n,
                                err);
}

/* The next records of the store after the last one sent, in id order. */
static lw_status records_batch(oruk_stream *s, lw_db *db, lw_arena *a, lw_error *err) {
    int full = s->shape == ORUK_FULL || s->shape == ORUK_FULL_SERVICES;
    lw_page pg = {.page = 1, .per_page = full ? BATCH_FULL : BATCH_RECORDS};
    s->f.after_id = s->after;
    json_t *rows = NULL;
    lw_status st = store_dir_list(db, a, s->e, &s->f, pg, &rows, NULL, err);
    if (st != LW_OK)
        return st;
    size_t i, n = json_array_size(rows);
    json_t *o;
    json_array_foreach(rows, i, o) {
        const char *id = json_string_value(json_object_get(o, "id"));
        free(s->after);
        s->after = dup_or_null(id);
        if (!full) {
            oruk_with_description(o);
            put_json(s, json_incref(o));
            continue;
        }
        json_t *doc = NULL;
        st = store_dir_get(db, a, s->e, id, &doc, err);
        if (st == LW_ENOTFOUND) {
            st = LW_OK; /* deleted since the list was read */
            continue;
        }
        if (st == LW_OK && s->e == &dir_organization_entity) {
            if (!s->by_org)
                group_by_org(s);
            st = org_services(s, db, a, doc, err);
        }
        if (st != LW_OK) {
            json_decref(doc);
            break;
        }
        oruk_with_description(doc);
        put_json(s, doc);
    }
    json_decref(rows);
    s->source_done = st == LW_OK && n < (size_t)pg.per_page;
    return st;
}

static lw_status refill(oruk_stream *s, lw_error *err) {
    if (s->src != SRC_RECORDS && s->shape != ORUK_FULL) {
        index_batch(s);
        return LW_OK;
    }
    lw_db *db = NULL;
    lw_status st = store_acquire(s->app->store, &db, err);
    if (st != LW_OK)
        return st;
    lw_arena *a = arena_new();
    st = s->src == SRC_RECORDS ? records_batch(s, db, a, err) : full_batch(s, db, a, err);
    arena_free(a);
    store_release(s->app->store, db);
    return st;
}

long oruk_stream_read(void *ctx, char *buf, size_t max) {
    oruk_stream *s = ctx;
    while (s->off == s->len && !s->finished) {
        s->off = s->len = 0;
        if (!s->started) {
            s->started = 1;
            if (s->head)
                put(s, s->head, strlen(s->head));
        }
        if (!s->source_done) {
            lw_error err;
            lw_error_clear(&err);
            if (refill(s, &err) != LW_OK) {
                /* The status line has gone: all that is left is to cut the answer short. */
                fprintf(stderr, "linkwell: an Open Referral stream was cut short: %s\n", err.msg);
                return -1;
            }
        }
        if (s->source_done) {
            if (s->head)
                put(s, "]}", 2);
            s->finished = 1;
        }
    }
    size_t n = s->len - s->off;
    if (n > max)
        n = max;
    memcpy(buf, s->buf + s->off, n);
    s->off += n;
    return (long)n;
}
