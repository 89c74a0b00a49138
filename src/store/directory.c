/*
 * The community directory: organisations (HSDS "organizations", distinct from
 * linkwell's account organisations, which may manage them), services,
 * locations, taxonomies and the nested HSDS objects under them.
 *
 * Rows are mapped to and from HSDS documents (jansson objects in the canonical
 * shape io/ produces) by the model table in domain/directory.c, so every
 * entity is written and read by the same two walkers below: a root record is
 * one row keyed by its id; each nested object is a row of its own table with
 * root_id (whose document holds it), owner_kind/owner_ref (the object above it),
 * pos (its place in that list) and ref (its HSDS id).
 */
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/directory.h"
#include "store/db.h"
#include "store/directory.h"
#include "store/store.h"
#include "util/timeutil.h"

lw_status store_service_brief(lw_db *db, lw_arena *a, const char *id, lw_service_brief *out,
                              lw_error *err) {
    db_val p[] = {DB_S(id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT s.id, s.name, s.status, s.capacity, s.capacity_status, "
                            "s.organization_id, o.name, o.organisation_id FROM services s "
                            "JOIN directory_organizations o ON o.id = s.organization_id "
                            "WHERE s.id = $1",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such service");
    out->id = db_text(&r, 0, 0);
    out->name = db_text(&r, 0, 1);
    out->status = db_text(&r, 0, 2);
    out->capacity = db_is_null(&r, 0, 3) ? -1 : db_int(&r, 0, 3);
    out->capacity_status = db_text(&r, 0, 4);
    out->organization_id = db_text(&r, 0, 5);
    out->organization_name = db_text(&r, 0, 6);
    out->managed_by = db_int(&r, 0, 7);
    return LW_OK;
}

/* ---- values between JSON and columns ---- */

static const char *col_of(const dir_field *f) {
    return f->col ? f->col : f->name;
}

static db_val field_val(lw_arena *a, const dir_field *f, json_t *v) {
    if (!v || json_is_null(v))
        return DB_NUL;
    switch (f->type) {
    case DF_INT:
        return json_is_integer(v) ? DB_I(json_integer_value(v)) : DB_NUL;
    case DF_COORD:
        return json_is_number(v) ? DB_I(llround(json_number_value(v) * 1e6)) : DB_NUL;
    case DF_MONEY:
        return json_is_number(v) ? DB_I(llround(json_number_value(v) * 100)) : DB_NUL;
    case DF_DATETIME: {
        int64_t ms;
        lw_error ignored;
        if (json_is_string(v) &&
            time_parse_iso(json_string_value(v), f->name, &ms, &ignored) == LW_OK)
            return DB_I(ms);
        return DB_NUL;
    }
    default:
        /* Bound as it is: the document outlives the statement. */
        (void)a;
        return json_is_string(v) ? DB_S(json_string_value(v)) : DB_NUL;
    }
}

json_t *dir_json_coord(int64_t e6) {
    return json_real((double)e6 / 1e6);
}

json_t *dir_json_money(int64_t pence) {
    return pence % 100 == 0 ? json_integer(pence / 100) : json_real((double)pence / 100.0);
}

json_t *dir_json_datetime(int64_t ms) {
    char iso[LW_ISO_LEN];
    time_format_iso(ms, iso);
    return json_string(iso);
}

static json_t *cell_json(const dir_field *f, const db_result *r, int row, int col) {
    if (db_is_null(r, row, col))
        return NULL;
    switch (f->type) {
    case DF_INT:
        return json_integer(db_int(r, row, col));
    case DF_COORD:
        return dir_json_coord(db_int(r, row, col));
    case DF_MONEY:
        return dir_json_money(db_int(r, row, col));
    case DF_DATETIME:
        return dir_json_datetime(db_int(r, row, col));
    default:
        return json_string(db_text(r, row, col));
    }
}

typedef struct keyed {
    const char *key;
    size_t len;
    json_t *v;
} keyed;

static int key_cmp(const void *x, const void *y) {
    return strcmp(((const keyed *)x)->key, ((const keyed *)y)->key);
}

/* The hash's input goes through a buffer: one SHA-256 update per 4 KiB instead of
 * three per value (the same bytes, so the same digest). */
typedef struct hash_buf {
    crypto_hash_sha256_state h;
    size_t len;
    unsigned char b[4096];
} hash_buf;

static void hb_put(hash_buf *hb, const void *p, size_t n) {
    if (hb->len + n > sizeof hb->b) {
        crypto_hash_sha256_update(&hb->h, hb->b, hb->len);
        hb->len = 0;
        if (n > sizeof hb->b) {
            crypto_hash_sha256_update(&hb->h, p, n);
            return;
        }
    }
    memcpy(hb->b + hb->len, p, n);
    hb->len += n;
}

static void hb_tag(hash_buf *hb, unsigned char tag) {
    hb_put(hb, &tag, 1);
}

/* Feeds V to the hash unambiguously (type tags and lengths), object keys sorted. */
static void hash_value(hash_buf *hb, json_t *v, int top) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v), k = 0;
        keyed stack[64];
        keyed *keys = n <= 64 ? stack : malloc(sizeof *keys * n);
        if (!keys)
            lw_oom();
        const char *key;
        json_t *member;
        json_object_foreach(v, key, member) {
            /* last_modified is the source's clock, not content: an export re-imported
             * (which then carries one) is unchanged. */
            if (!(top && strcmp(key, "last_modified") == 0))
                keys[k++] = (keyed){key, strlen(key), member};
        }
        qsort(keys, k, sizeof *keys, key_cmp);
        hb_tag(hb, '{');
        for (size_t i = 0; i < k; i++) {
            uint64_t len = keys[i].len;
            hb_put(hb, &len, sizeof len);
            hb_put(hb, keys[i].key, len);
            hash_value(hb, keys[i].v, 0);
        }
        hb_tag(hb, '}');
        if (keys != stack)
            free(keys);
        return;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *item;
        hb_tag(hb, '[');
        json_array_foreach(v, i, item) hash_value(hb, item, 0);
        hb_tag(hb, ']');
        return;
    }
    case JSON_STRING: {
        uint64_t len = json_string_length(v);
        hb_tag(hb, 's');
        hb_put(hb, &len, sizeof len);
        hb_put(hb, json_string_value(v), len);
        return;
    }
    case JSON_INTEGER: {
        int64_t i = json_integer_value(v);
        hb_tag(hb, 'i');
        hb_put(hb, &i, sizeof i);
        return;
    }
    case JSON_REAL: {
        double d = json_real_value(v);
        hb_tag(hb, 'r');
        hb_put(hb, &d, sizeof d);
        return;
    }
    default:
        hb_tag(hb, json_is_true(v) ? 't' : json_is_false(v) ? 'f' : 'n');
    }
}

void dir_doc_hash(json_t *doc, char out[65]) {
    hash_buf hb;
    crypto_hash_sha256_init(&hb.h);
    hb.len = 0;
    hash_value(&hb, doc, 1);
    crypto_hash_sha256_update(&hb.h, hb.b, hb.len);
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&hb.h, d);
    sodium_bin2hex(out, 65, d, sizeof d);
}

/* ---- writing documents ---- */

static int nfields(const dir_entity *e) {
    int n = 0;
    while (e->fields[n].name)
        n++;
    return n;
}

/* The SQL of each entity, made once per process (an import runs these a million times). */
enum {
    SQL_INSERT_ROOT,
    SQL_INSERT_NESTED,
    SQL_HASH,
    SQL_SELECT_ROOT,
    SQL_SELECT_NESTED,
    SQL_DELETE_NESTED,
    SQL_KINDS
};

static const char *make_sql(lw_arena *a, const dir_entity *e, int kind) {
    int nf = nfields(e);
    char *cols = "", *ph = "", *set = "";
    for (int i = 0; i < nf; i++) {
        const char *c = col_of(&e->fields[i]);
        cols = arena_printf(a, "%s, %s", cols, c);
        ph = arena_printf(a, "%s, $%d", ph, i + (kind == SQL_INSERT_NESTED ? 6 : 2));
        set = arena_printf(a, "%s%s = excluded.%s, ", set, c, c);
    }
    switch (kind) {
    case SQL_INSERT_ROOT:
        /* linkwell's own columns ride along: a service's are set only when it is new
         * (then kept, whoever changes them), a location's postcode follows its address. */
        if (e == &dir_service_entity)
            return arena_printf(
                a,
                "INSERT INTO %s (id%s, content_hash, modified_at, need_domains, cost_band, "
                "last_checked_at) VALUES ($1%s, $%d, $%d, $%d, $%d, $%d) ON CONFLICT (id) DO "
                "UPDATE SET %scontent_hash = excluded.content_hash, modified_at = "
                "excluded.modified_at",
                e->table, cols, ph, nf + 2, nf + 3, nf + 4, nf + 5, nf + 6, set);
        if (e == &dir_location_entity)
            return arena_printf(a,
                                "INSERT INTO %s (id%s, content_hash, modified_at, postcode) "
                                "VALUES ($1%s, $%d, $%d, $%d) ON CONFLICT (id) DO UPDATE SET "
                                "%scontent_hash = excluded.content_hash, modified_at = "
                                "excluded.modified_at, postcode = excluded.postcode",
                                e->table, cols, ph, nf + 2, nf + 3, nf + 4, set);
        return arena_printf(a,
                            "INSERT INTO %s (id%s, content_hash, modified_at) VALUES ($1%s, $%d, "
                            "$%d) ON CONFLICT (id) DO UPDATE SET %scontent_hash = "
                            "excluded.content_hash, modified_at = excluded.modified_at",
                            e->table, cols, ph, nf + 2, nf + 3, set);
    case SQL_INSERT_NESTED:
        return arena_printf(a,
                            "INSERT INTO %s (root_id, owner_kind, owner_ref, pos, ref%s) VALUES "
                            "($1, $2, $3, $4, $5%s)",
                            e->table, cols, ph);
    case SQL_HASH:
        return arena_printf(a, "SELECT content_hash FROM %s WHERE id = $1", e->table);
    case SQL_SELECT_ROOT:
        return arena_printf(a, "SELECT id%s, modified_at FROM %s", cols, e->table);
    case SQL_SELECT_NESTED:
        return arena_printf(a,
                            "SELECT owner_kind, owner_ref, ref%s FROM %s WHERE root_id = $1 ORDER "
                            "BY owner_kind, owner_ref, pos",
                            cols, e->table);
    default:
        return arena_printf(a, "DELETE FROM %s WHERE root_id = $1", e->table);
    }
}

static const char *entity_sql(const dir_entity *e, int kind) {
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static lw_arena *keep;
    static struct {
        const dir_entity *e;
        const char *sql[SQL_KINDS];
    } cache[32];
    pthread_mutex_lock(&mu);
    if (!keep)
        keep = arena_new();
    size_t i = 0;
    while (i < 32 && cache[i].e && cache[i].e != e)
        i++;
    assert(i < 32);
    cache[i].e = e;
    if (!cache[i].sql[kind])
        cache[i].sql[kind] = make_sql(keep, e, kind);
    const char *sql = cache[i].sql[kind];
    pthread_mutex_unlock(&mu);
    return sql;
}

static lw_status put_children(lw_db *db, lw_arena *a, const dir_entity *e, const char *root_id,
                              json_t *obj, lw_error *err);

/* The most parameters a row of the model takes (services: 21 fields and 6 more). */
#define MAX_PARAMS 64

static lw_status put_nested(lw_db *db, lw_arena *a, const dir_entity *c, const char *root_id,
                            const char *owner_kind, const char *owner_ref, json_t *arr,
                            lw_error *err) {
    int nf = nfields(c);
    const char *sql = entity_sql(c, SQL_INSERT_NESTED);
    db_val p[MAX_PARAMS];
    if (nf + 5 > MAX_PARAMS)
        return lw_fail(err, LW_EINTERNAL, NULL, "%s has too many columns", c->table);
    size_t i;
    json_t *obj;
    json_array_foreach(arr, i, obj) {
        const char *ref = json_string_value(json_object_get(obj, "id"));
        if (!ref)
            continue;
        p[0] = DB_S(root_id);
        p[1] = DB_S(owner_kind);
        p[2] = DB_S(owner_ref);
        p[3] = DB_I(i);
        p[4] = DB_S(ref);
        for (int k = 0; k < nf; k++)
            p[k + 5] = field_val(a, &c->fields[k], json_object_get(obj, c->fields[k].name));
        lw_status st = db_exec(db, sql, p, nf + 5, NULL, err);
        if (st == LW_OK)
            st = put_children(db, a, c, root_id, obj, err);
        if (st != LW_OK)
            return st;
    }
    return LW_OK;
}

static lw_status put_children(lw_db *db, lw_arena *a, const dir_entity *e, const char *root_id,
                              json_t *obj, lw_error *err) {
    for (int k = 0; e->children && e->children[k]; k++) {
        const dir_entity *c = e->children[k];
        json_t *arr = json_object_get(obj, c->key);
        if (!json_is_array(arr) || json_array_size(arr) == 0)
            continue;
        lw_status st = put_nested(db, a, c, root_id, e->kind,
                                  json_string_value(json_object_get(obj, "id")), arr, err);
        if (st != LW_OK)
            return st;
    }
    return LW_OK;
}

lw_status store_dir_put(lw_db *db, const dir_entity *e, json_t *doc, const lw_dir_extra *x,
                        int64_t now, lw_dir_outcome *out, lw_error *err) {
    static const lw_dir_extra none = {0};
    if (!x)
        x = &none;
    /* Made only when needed: a first import (KNOWN_NEW) writes a million rows without. */
    lw_arena *a = NULL;
    const char *id = json_string_value(json_object_get(doc, "id"));
    char hash[65];
    if (x->hash)
        memcpy(hash, x->hash, sizeof hash);
    else
        dir_doc_hash(doc, hash);
    db_val key[] = {DB_S(id)};
    db_result r = {0};
    lw_status st = LW_OK;
    if (!x->known_new) {
        a = arena_new();
        st = db_query(db, a, entity_sql(e, SQL_HASH), key, 1, &r, err);
    }
    if (st != LW_OK)
        goto done;
    int exists = r.nrows > 0;
    if (exists && db_text(&r, 0, 0) && strcmp(db_text(&r, 0, 0), hash) == 0) {
        *out = LW_DIR_UNCHANGED;
        goto done;
    }
    int nf = nfields(e), np = nf + 3;
    db_val p[MAX_PARAMS];
    if (nf + 6 > MAX_PARAMS) {
        st = lw_fail(err, LW_EINTERNAL, NULL, "%s has too many columns", e->table);
        goto done;
    }
    p[0] = DB_S(id);
    for (int i = 0; i < nf; i++)
        p[i + 1] = field_val(a, &e->fields[i], json_object_get(doc, e->fields[i].name));
    p[nf + 1] = (db_val){.t = DB_TEXT, .s = hash};
    p[nf + 2] = DB_I(now);
    if (e == &dir_service_entity) {
        p[np++] = DB_S(x->need_domains ? x->need_domains : "");
        p[np++] = DB_S(x->cost_band);
        p[np++] = DB_ID(x->last_checked_at);
    } else if (e == &dir_location_entity) {
        p[np++] = DB_S(x->postcode);
    }
    st = db_exec(db, entity_sql(e, SQL_INSERT_ROOT), p, np, NULL, err);
    if (st == LW_OK && exists && e->children) {
        for (int k = 0; dir_nested_entities[k] && st == LW_OK; k++)
            st = db_exec(db, entity_sql(dir_nested_entities[k], SQL_DELETE_NESTED), key, 1, NULL,
                         err);
    }
    if (st == LW_OK)
        st = put_children(db, a, e, id, doc, err);
    if (st == LW_OK)
        *out = exists ? LW_DIR_UPDATED : LW_DIR_NEW;
done:
    arena_free(a);
    return st;
}

lw_status store_dir_location_postcode(lw_db *db, const char *id, const char *postcode,
                                      lw_error *err) {
    db_val p[] = {DB_S(id), DB_S(postcode)};
    return db_exec(db, "UPDATE locations SET postcode = $2 WHERE id = $1", p, 2, NULL, err);
}

/* ---- reading documents ---- */

typedef struct loaded {
    const dir_entity *e;
    db_result r; /* root_id-ordered rows of e's table: owner_kind, owner_ref, ref, fields */
} loaded;

static void attach_children(const dir_entity *e, json_t *obj, loaded *tabs, int ntabs);

static void attach_list(const dir_entity *c, const char *owner_kind, const char *owner_ref,
                        json_t *parent, loaded *tabs, int ntabs) {
    loaded *t = NULL;
    for (int i = 0; i < ntabs && !t; i++)
        if (tabs[i].e == c)
            t = &tabs[i];
    if (!t)
        return;
    json_t *arr = NULL;
    int nf = nfields(c);
    for (int row = 0; row < t->r.nrows; row++) {
        if (strcmp(db_text(&t->r, row, 0), owner_kind) != 0 ||
            strcmp(db_text(&t->r, row, 1), owner_ref) != 0)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(db_text(&t->r, row, 2)));
        for (int k = 0; k < nf; k++) {
            json_t *v = cell_json(&c->fields[k], &t->r, row, k + 3);
            if (v)
                json_object_set_new(o, c->fields[k].name, v);
        }
        attach_children(c, o, tabs, ntabs);
        if (!arr)
            arr = json_array();
        json_array_append_new(arr, o);
    }
    if (arr)
        json_object_set_new(parent, c->key, arr);
}

static void attach_children(const dir_entity *e, json_t *obj, loaded *tabs, int ntabs) {
    const char *ref = json_string_value(json_object_get(obj, "id"));
    for (int k = 0; e->children && e->children[k]; k++)
        attach_list(e->children[k], e->kind, ref, obj, tabs, ntabs);
}

/* Every nested entity under E (recursively), once each, into LIST. */
static void collect(const dir_entity *e, const dir_entity **list, int *n) {
    for (int k = 0; e->children && e->children[k]; k++) {
        const dir_entity *c = e->children[k];
        int seen = 0;
        for (int i = 0; i < *n && !seen; i++)
            seen = list[i] == c;
        if (!seen) {
            list[(*n)++] = c;
            collect(c, list, n);
        }
    }
}

static const char *root_select(lw_arena *a, const dir_entity *e) {
    (void)a;
    return entity_sql(e, SQL_SELECT_ROOT);
}

static json_t *root_json(const dir_entity *e, const db_result *r, int row) {
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(db_text(r, row, 0)));
    int nf = nfields(e);
    for (int k = 0; k < nf; k++) {
        json_t *v = cell_json(&e->fields[k], r, row, k + 1);
        if (!v && e->fields[k].type == DF_DATETIME && !db_is_null(r, row, nf + 1))
            v = dir_json_datetime(db_int(r, row, nf + 1)); /* when linkwell last changed it */
        if (v)
            json_object_set_new(o, e->fields[k].name, v);
    }
    return o;
}

lw_status store_dir_get(lw_db *db, lw_arena *a, const dir_entity *e, const char *id, json_t **out,
                        lw_error *err) {
    *out = NULL;
    db_val key[] = {DB_S(id)};
    db_result r;
    lw_status st =
        db_query(db, a, arena_printf(a, "%s WHERE id = $1", root_select(a, e)), key, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "there is no %s with the id '%.80s'", e->kind, id);
    json_t *doc = root_json(e, &r, 0);
    const dir_entity *list[32];
    int n = 0;
    collect(e, list, &n);
    loaded tabs[32];
    for (int i = 0; i < n && st == LW_OK; i++) {
        const dir_entity *c = list[i];
        tabs[i].e = c;
        st = db_query(db, a, entity_sql(c, SQL_SELECT_NESTED), key, 1, &tabs[i].r, err);
    }
    if (st != LW_OK) {
        json_decref(doc);
        return st;
    }
    attach_children(e, doc, tabs, n);
    *out = doc;
    return LW_OK;
}

/* LIKE's pattern for text containing WORD, its wildcards and escape character escaped. */
static const char *like_pattern(lw_arena *a, const char *word) {
    size_t n = strlen(word);
    char *p = arena_alloc(a, 2 * n + 3), *o = p;
    *o++ = '%';
    for (const char *c = word; *c; c++) {
        if (*c == '%' || *c == '_' || *c == '\\')
            *o++ = '\\';
        *o++ = *c;
    }
    *o++ = '%';
    *o = '\0';
    return p;
}

lw_status store_dir_list(lw_db *db, lw_arena *a, const dir_entity *e, const lw_dir_list_filter *f,
                         lw_page pg, json_t **out, int64_t *total, lw_error *err) {
    int terms = e == &dir_taxonomy_term_entity;
    const char *where = terms ? "WHERE (CAST($1 AS TEXT) IS NULL OR parent_id = $1) AND "
                                "(CAST($2 AS TEXT) IS NULL OR taxonomy_id = $2) AND "
                                "(CAST($3 AS BIGINT) IS NULL OR parent_id IS NULL)"
                              : "WHERE 1 = 1";
    db_val p[3 + LW_DIR_SEARCH_WORDS_MAX + 3];
    int np = 0;
    if (terms) {
        p[np++] = DB_S(f ? f->parent_id : NULL);
        p[np++] = DB_S(f ? f->taxonomy_id : NULL);
        p[np++] = (f && f->top_only) ? DB_I(1) : DB_NUL;
    }
    static const char *const org_cols[] = {"name", "alternate_name", "description", NULL};
    static const char *const term_cols[] = {"name", "description", "code", "taxonomy", NULL};
    static const char *const other_cols[] = {"name", "description", NULL};
    const char *const *cols = e == &dir_organization_entity ? org_cols
                              : terms                       ? term_cols
                                                            : other_cols;
    for (int w = 0; f && w < f->nwords && w < LW_DIR_SEARCH_WORDS_MAX; w++) {
        p[np++] = DB_S(like_pattern(a, f->words[w]));
        const char *any = "";
        for (int c = 0; cols[c]; c++)
            any = arena_printf(a, "%s%slower(COALESCE(%s, '')) LIKE $%d ESCAPE '\\'", any,
                               c ? " OR " : "", cols[c], np);
        where = arena_printf(a, "%s AND (%s)", where, any);
    }
    if (f && f->after_id) {
        p[np++] = DB_S(f->after_id);
        where = arena_printf(a, "%s AND id > $%d", where, np);
    }
    db_result r;
    lw_status st;
    if (total) {
        st = db_query(db, a, arena_printf(a, "SELECT count(*) FROM %s %s", e->table, where), p, np,
                      &r, err);
        if (st != LW_OK)
            return st;
        *total = db_int(&r, 0, 0);
    }
    p[np] = DB_I(pg.per_page);
    p[np + 1] = DB_I((int64_t)(pg.page - 1) * pg.per_page);
    st = db_query(db, a,
                  arena_printf(a, "%s %s ORDER BY %s LIMIT $%d OFFSET $%d", root_select(a, e),
                               where, f && f->after_id ? "id" : "name, id", np + 1, np + 2),
                  p, np + 2, &r, err);
    if (st != LW_OK)
        return st;
    json_t *arr = json_array();
    for (int i = 0; i < r.nrows; i++)
        json_array_append_new(arr, root_json(e, &r, i));
    *out = arr;
    return LW_OK;
}

/* ---- linkwell's own fields ---- */

lw_status store_service_local_init(lw_db *db, const char *id, const char *need_domains,
                                   const char *cost_band, int64_t last_checked, lw_error *err) {
    db_val p[] = {DB_S(id), DB_S(need_domains ? need_domains : ""), DB_S(cost_band),
                  DB_ID(last_checked)};
    return db_exec(db,
                   "UPDATE services SET need_domains = CASE WHEN need_domains = '' THEN $2 ELSE "
                   "need_domains END, cost_band = COALESCE(cost_band, $3), last_checked_at = "
                   "COALESCE(last_checked_at, CAST($4 AS BIGINT)) WHERE id = $1",
                   p, 4, NULL, err);
}

lw_status store_service_local_set(lw_db *db, const char *id, const lw_service_local *l,
                                  lw_error *err) {
    db_val p[] = {DB_S(id),
                  l->capacity_set ? (l->capacity >= 0 ? DB_I(l->capacity) : DB_NUL) : DB_NUL,
                  DB_I(l->capacity_set),
                  DB_S(l->capacity_status),
                  DB_S(l->cost_band),
                  DB_S(l->need_domains),
                  DB_I(l->mental_health_ready),
                  DB_S(l->setting),
                  DB_ID(l->last_checked_at),
                  DB_S(l->status)};
    int64_t changes = 0;
    lw_status st =
        db_exec(db,
                "UPDATE services SET capacity = CASE WHEN $3 = 1 THEN CAST($2 AS BIGINT) ELSE "
                "capacity END, "
                "capacity_status = COALESCE(CAST($4 AS TEXT), capacity_status), "
                "cost_band = COALESCE(CAST($5 AS TEXT), cost_band), "
                "need_domains = COALESCE(CAST($6 AS TEXT), need_domains), "
                "mental_health_ready = CASE WHEN $7 >= 0 THEN $7 ELSE mental_health_ready END, "
                "setting = COALESCE(CAST($8 AS TEXT), setting), "
                "last_checked_at = COALESCE(CAST($9 AS BIGINT), last_checked_at), "
                "status = COALESCE(CAST($10 AS TEXT), status) WHERE id = $1",
                p, 10, &changes, err);
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such service");
    return st;
}

lw_status store_service_local_get(lw_db *db, lw_arena *a, const char *id, lw_service_local *l,
                                  lw_error *err) {
    (void)a;
    db_val p[] = {DB_S(id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT capacity, capacity_status, cost_band, need_domains, "
                            "mental_health_ready, setting, last_checked_at, status, "
                            "o.organisation_id, s.organization_id FROM services s JOIN "
                            "directory_organizations o ON o.id = s.organization_id WHERE s.id = $1",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such service");
    memset(l, 0, sizeof *l);
    l->capacity = db_is_null(&r, 0, 0) ? -1 : db_int(&r, 0, 0);
    l->capacity_status = db_text(&r, 0, 1);
    l->cost_band = db_text(&r, 0, 2);
    l->need_domains = db_text(&r, 0, 3);
    l->mental_health_ready = (int)db_int(&r, 0, 4);
    l->setting = db_text(&r, 0, 5);
    l->last_checked_at = db_int(&r, 0, 6);
    l->status = db_text(&r, 0, 7);
    l->managed_by = db_int(&r, 0, 8);
    l->organization_id = db_text(&r, 0, 9);
    return LW_OK;
}

lw_status store_dir_org_manage(lw_db *db, const char *dir_org_id, int64_t organisation_id,
                               lw_error *err) {
    db_val p[] = {DB_S(dir_org_id), DB_ID(organisation_id)};
    int64_t changes = 0;
    lw_status st =
        db_exec(db, "UPDATE directory_organizations SET organisation_id = $2 WHERE id = $1", p, 2,
                &changes, err);
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ENOTFOUND, "organization_id", "there is no such organization");
    return st;
}

lw_status store_dir_org_managed_by(lw_db *db, lw_arena *a, const char *dir_org_id, int64_t *out,
                                   lw_error *err) {
    db_val p[] = {DB_S(dir_org_id)};
    db_result r;
    lw_status st = db_query(
        db, a, "SELECT organisation_id FROM directory_organizations WHERE id = $1", p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, "organization_id", "there is no such organization");
    *out = db_int(&r, 0, 0);
    return LW_OK;
}

/* ---- bulk writes ---- */

lw_status store_dir_empty(lw_db *db, const dir_entity *e, int *empty, lw_error *err) {
    lw_arena *a = arena_new();
    db_result r;
    lw_status st = db_query(
        db, a, arena_printf(a, "SELECT count(*) FROM (SELECT id FROM %s LIMIT 1) t", e->table),
        NULL, 0, &r, err);
    if (st == LW_OK)
        *empty = db_int(&r, 0, 0) == 0;
    arena_free(a);
    return st;
}

/* The page cache while importing, in KiB. A first import writes its tables in rowid
 * order and only the primary keys (random UUIDs, 5 MB each for 100,000) need to stay
 * in memory; a re-import reads each record's hash once. 256 MiB was measured no
 * faster than this (bench/README.md) and was most of the import's peak memory. */
#define BULK_CACHE_KIB 32768

lw_status store_dir_bulk_begin(lw_db *db, lw_dir_bulk *saved, lw_error *err) {
    memset(saved, 0, sizeof *saved);
    if (strcmp(db->drv->name, "sqlite") != 0)
        return LW_OK;
    lw_arena *a = arena_new();
    db_result rc, rm;
    lw_status st = db_query(db, a, "PRAGMA cache_size", NULL, 0, &rc, err);
    if (st == LW_OK)
        st = db_query(db, a, "PRAGMA mmap_size", NULL, 0, &rm, err);
    if (st == LW_OK && rc.nrows == 1 && rm.nrows == 1) {
        saved->cache_size = db_int(&rc, 0, 0);
        saved->mmap_size = db_int(&rm, 0, 0);
        saved->set = 1;
        /* Without the map, what the import reads goes through the page cache above
         * instead of staying mapped (and counted in the process's memory) after. */
        st = db_exec(db, arena_printf(a, "PRAGMA cache_size = -%d", BULK_CACHE_KIB), NULL, 0, NULL,
                     err);
        if (st == LW_OK)
            st = db_exec(db, "PRAGMA mmap_size = 0", NULL, 0, NULL, err);
    }
    arena_free(a);
    return st;
}

void store_dir_bulk_end(lw_db *db, const lw_dir_bulk *saved) {
    if (!saved->set)
        return;
    char sql[64];
    lw_error ignored;
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)saved->cache_size);
    lw_ignore(db_exec(db, sql, NULL, 0, NULL, &ignored));
    snprintf(sql, sizeof sql, "PRAGMA mmap_size = %lld", (long long)saved->mmap_size);
    lw_ignore(db_exec(db, sql, NULL, 0, NULL, &ignored));
}

/* The secondary indexes of the directory's tables, as the 0002 migrations create them
 * (keep the two lists together). */
static const struct {
    const char *name, *table, *column;
} dir_indexes[] = {
    {"services_org", "services", "organization_id"},
    {"taxonomy_terms_parent", "taxonomy_terms", "parent_id"},
    {"service_at_locations_root", "service_at_locations", "root_id"},
    {"schedules_root", "schedules", "root_id"},
    {"contacts_root", "contacts", "root_id"},
    {"phones_root", "phones", "root_id"},
    {"languages_root", "languages", "root_id"},
    {"accessibility_root", "accessibility", "root_id"},
    {"addresses_root", "addresses", "root_id"},
    {"cost_options_root", "cost_options", "root_id"},
    {"attributes_root", "attributes", "root_id"},
    {"service_areas_root", "service_areas", "root_id"},
    {"required_documents_root", "required_documents", "root_id"},
    {"funding_root", "funding", "root_id"},
    {"service_at_locations_location", "service_at_locations", "location_id"},
    {"attributes_term", "attributes", "taxonomy_term_id"},
};

lw_status store_dir_indexes(lw_db *db, int drop, lw_error *err) {
    lw_arena *a = arena_new();
    lw_status st = LW_OK;
    for (size_t i = 0; i < sizeof dir_indexes / sizeof dir_indexes[0] && st == LW_OK; i++)
        st = db_exec(db,
                     drop ? arena_printf(a, "DROP INDEX IF EXISTS %s", dir_indexes[i].name)
                          : arena_printf(a, "CREATE INDEX IF NOT EXISTS %s ON %s(%s)",
                                         dir_indexes[i].name, dir_indexes[i].table,
                                         dir_indexes[i].column),
                     NULL, 0, NULL, err);
    arena_free(a);
    return st;
}

/* ---- the version every serve process watches ---- */

lw_status store_dir_bump(lw_db *db, int64_t now, lw_error *err) {
    db_val p[] = {DB_I(now)};
    return db_exec(db,
                   "INSERT INTO directory_state (id, version, changed_at) VALUES (1, 1, $1) "
                   "ON CONFLICT (id) DO UPDATE SET version = directory_state.version + 1, "
                   "changed_at = excluded.changed_at",
                   p, 1, NULL, err);
}

lw_status store_dir_version(lw_db *db, int64_t *out, lw_error *err) {
    lw_arena *a = arena_new();
    db_result r;
    lw_status st =
        db_query(db, a, "SELECT version FROM directory_state WHERE id = 1", NULL, 0, &r, err);
    if (st == LW_OK)
        *out = r.nrows ? db_int(&r, 0, 0) : 0;
    arena_free(a);
    return st;
}

lw_status store_dir_sal_service(lw_db *db, lw_arena *a, const char *sal_id, const char **out,
                                lw_error *err) {
    db_val key[] = {DB_S(sal_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT t.root_id FROM service_at_locations t JOIN services s ON "
                            "s.id = t.root_id WHERE t.ref = $1 ORDER BY t.id LIMIT 1",
                            key, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL,
                       "there is no service_at_location with the id '%.80s'", sal_id);
    *out = arena_strdup(a, db_text(&r, 0, 0));
    return LW_OK;
}

/* ---- the need-domain mapping ---- */

lw_status store_dir_domain_rules(lw_db *db, lw_arena *a, dir_domain_rule **out, int *n,
                                 lw_error *err) {
    db_result r;
    lw_status st =
        db_query(db, a, "SELECT pattern, domain FROM directory_domain_map ORDER BY pattern", NULL,
                 0, &r, err);
    if (st != LW_OK)
        return st;
    dir_domain_rule *rules = arena_alloc(a, sizeof *rules * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        rules[i].pattern = db_text(&r, i, 0);
        rules[i].domain = db_text(&r, i, 1);
    }
    *out = rules;
    *n = r.nrows;
    return LW_OK;
}

lw_status store_dir_domain_rule_put(lw_db *db, const char *pattern, const char *domain,
                                    lw_error *err) {
    db_val p[] = {DB_S(pattern), DB_S(domain)};
    return db_exec(db,
                   "INSERT INTO directory_domain_map (pattern, domain) VALUES ($1, $2) ON CONFLICT "
                   "(pattern) DO UPDATE SET domain = excluded.domain",
                   p, 2, NULL, err);
}

/* ---- what the search index is built from ---- */

#define SVC_COLS                                                                                   \
    "s.id, s.organization_id, o.name, s.name, s.description, s.status, s.url, s.email, "           \
    "s.minimum_age, s.maximum_age, s.last_modified, s.modified_at, s.capacity, "                   \
    "s.capacity_status, s.cost_band, s.need_domains, s.mental_health_ready, s.setting, "           \
    "s.last_checked_at, s.fees, s.accreditations, s.assured_date, s.assurer_email, s.alert, "      \
    "o.organisation_id"

lw_status store_dir_scan_services(lw_db *db, lw_arena *a, const char *after, int limit,
                                  lw_dir_svc **out, int *n, lw_error *err) {
    db_val p[] = {DB_S(after ? after : ""), DB_I(limit)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT " SVC_COLS " FROM services s JOIN directory_organizations o ON "
                            "o.id = s.organization_id WHERE s.id > $1 ORDER BY s.id LIMIT $2",
                            p, 2, &r, err);
    if (st != LW_OK)
        return st;
    lw_dir_svc *v = arena_alloc(a, sizeof *v * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        lw_dir_svc *s = &v[i];
        s->id = db_text(&r, i, 0);
        s->organization_id = db_text(&r, i, 1);
        s->organization_name = db_text(&r, i, 2);
        s->name = db_text(&r, i, 3);
        s->description = db_text(&r, i, 4);
        s->status = db_text(&r, i, 5);
        s->url = db_text(&r, i, 6);
        s->email = db_text(&r, i, 7);
        s->minimum_age = db_is_null(&r, i, 8) ? -1 : db_int(&r, i, 8);
        s->maximum_age = db_is_null(&r, i, 9) ? -1 : db_int(&r, i, 9);
        s->last_modified = db_int(&r, i, 10);
        s->modified_at = db_int(&r, i, 11);
        s->capacity = db_is_null(&r, i, 12) ? -1 : db_int(&r, i, 12);
        s->capacity_status = db_text(&r, i, 13);
        s->cost_band = db_text(&r, i, 14);
        s->need_domains = db_text(&r, i, 15);
        s->mental_health_ready = (int)db_int(&r, i, 16);
        s->setting = db_text(&r, i, 17);
        s->last_checked_at = db_int(&r, i, 18);
        s->fees = db_text(&r, i, 19);
        s->accreditations = db_text(&r, i, 20);
        s->assured_date = db_text(&r, i, 21);
        s->assurer_email = db_text(&r, i, 22);
        s->alert = db_text(&r, i, 23);
        s->managed_by = db_int(&r, i, 24);
    }
    *out = v;
    *n = r.nrows;
    return LW_OK;
}

lw_status store_dir_scan_links(lw_db *db, lw_arena *a, lw_dir_link_kind kind, const char *after,
                               int limit, lw_dir_link **out, int *n, lw_error *err) {
    static const char *const sql[] = {
        /* taxonomy terms of services (through attributes) */
        "SELECT t.id, t.root_id, t.taxonomy_term_id, NULL, NULL, NULL, NULL FROM attributes t "
        "WHERE t.owner_kind = 'service' AND t.taxonomy_term_id IS NOT NULL AND t.id > $1 "
        "ORDER BY t.id LIMIT $2",
        /* where services are: service_at_locations with their location's coordinates */
        "SELECT t.id, t.root_id, t.ref, t.location_id, l.lat_e6, l.lon_e6, l.postcode FROM "
        "service_at_locations t LEFT JOIN locations l ON l.id = t.location_id WHERE t.id > $1 "
        "ORDER BY t.id LIMIT $2",
        /* when: schedules of services and of their service_at_locations */
        "SELECT t.id, t.root_id, t.byday, t.opens_at, t.closes_at, t.freq, NULL FROM schedules "
        "t WHERE t.owner_kind IN ('service', 'service_at_location') AND t.id > $1 ORDER BY t.id "
        "LIMIT $2",
    };
    db_val p[] = {DB_I(after ? strtoll(after, NULL, 10) : 0), DB_I(limit)};
    db_result r;
    lw_status st = db_query(db, a, sql[kind], p, 2, &r, err);
    if (st != LW_OK)
        return st;
    lw_dir_link *v = arena_alloc(a, sizeof *v * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        v[i].row = db_text(&r, i, 0);
        v[i].service_id = db_text(&r, i, 1);
        for (int k = 0; k < 5; k++)
            v[i].v[k] = db_text(&r, i, k + 2);
    }
    *out = v;
    *n = r.nrows;
    return LW_OK;
}

lw_status store_dir_terms(lw_db *db, lw_arena *a, lw_dir_term **out, int *n, lw_error *err) {
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id, name, parent_id, taxonomy_id, code FROM taxonomy_terms "
                            "ORDER BY id",
                            NULL, 0, &r, err);
    if (st != LW_OK)
        return st;
    lw_dir_term *v = arena_alloc(a, sizeof *v * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        v[i].id = db_text(&r, i, 0);
        v[i].name = db_text(&r, i, 1);
        v[i].parent_id = db_text(&r, i, 2);
        v[i].taxonomy_id = db_text(&r, i, 3);
        v[i].code = db_text(&r, i, 4);
    }
    *out = v;
    *n = r.nrows;
    return LW_OK;
}
