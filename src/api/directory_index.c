/*
 * The per-process search index over the directory: built from the store on
 * first use, swapped for a new one when the directory changes. The database
 * is the source of truth; every change bumps directory_state.version, and each
 * process compares that row with its index's version at most every
 * LW_DIR_POLL_MS milliseconds (so a change made through another process on a
 * shared PostgreSQL is found within that bound, plus the rebuild time). A
 * change made through this process rebuilds at once, before its response.
 *
 * Readers take a reference to the current snapshot under a mutex held for a
 * few instructions; a rebuild happens beside the old index, which is freed
 * when its last reader lets go.
 */
#include <ctype.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/directory.h"
#include "domain/directory.h"
#include "store/directory.h"
#include "util/jsonw.h"
#include "util/metrics.h"

struct api_directory {
    pthread_mutex_t mu;         /* cur and every snapshot's refs */
    pthread_mutex_t rebuild_mu; /* one rebuild at a time */
    dir_snap *cur;
    _Atomic int64_t last_check;
};

static pthread_mutex_t create_mu = PTHREAD_MUTEX_INITIALIZER;

static struct api_directory *directory_of(lw_app *app) {
    pthread_mutex_lock(&create_mu);
    if (!app->directory) {
        struct api_directory *d = calloc(1, sizeof *d);
        if (!d)
            lw_oom();
        pthread_mutex_init(&d->mu, NULL);
        pthread_mutex_init(&d->rebuild_mu, NULL);
        app->directory = d;
    }
    struct api_directory *d = app->directory;
    pthread_mutex_unlock(&create_mu);
    return d;
}

/* ---- the result cache: open addressing by the key's hash, one lock; when its entries
 * pass the byte budget it is emptied and starts again (no order to keep per hit) ---- */
typedef struct cache_entry {
    uint64_t hash;
    size_t total, nhits;
    char *key; /* after the hits, in the same block */
    search_hit hits[];
} cache_entry;

struct dir_cache {
    pthread_mutex_t mu;
    cache_entry **slot; /* LW_DIR_CACHE_SLOTS, a power of two */
    size_t n, bytes, budget;
};

static _Atomic size_t cache_budget = LW_DIR_CACHE_BYTES;

void dirx_cache_budget(size_t bytes) {
    atomic_store(&cache_budget, bytes);
}

static struct dir_cache *cache_new(void) {
    struct dir_cache *c = calloc(1, sizeof *c);
    if (!c)
        lw_oom();
    c->slot = calloc(LW_DIR_CACHE_SLOTS, sizeof *c->slot);
    if (!c->slot)
        lw_oom();
    c->budget = atomic_load(&cache_budget);
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

static void cache_clear(struct dir_cache *c) {
    for (size_t i = 0; i < LW_DIR_CACHE_SLOTS; i++) {
        free(c->slot[i]);
        c->slot[i] = NULL;
    }
    c->n = c->bytes = 0;
}

static void cache_free(struct dir_cache *c) {
    if (!c)
        return;
    cache_clear(c);
    free(c->slot);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static uint64_t key_hash(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

/* The slot of KEY, or the empty one where it would go. Under c->mu. */
static size_t cache_find(const struct dir_cache *c, uint64_t h, const char *key) {
    size_t i = (size_t)h & (LW_DIR_CACHE_SLOTS - 1);
    while (c->slot[i] && !(c->slot[i]->hash == h && strcmp(c->slot[i]->key, key) == 0))
        i = (i + 1) & (LW_DIR_CACHE_SLOTS - 1);
    return i;
}

void dirx_search(dir_snap *s, const search_query *q, search_result *out) {
    char key[512];
    size_t klen = s->cache && s->cache->budget ? search_query_key(q, key, sizeof key) : 0;
    if (!klen) {
        search_run(s->ix, q, out);
        return;
    }
    struct dir_cache *c = s->cache;
    uint64_t h = key_hash(key, klen);
    pthread_mutex_lock(&c->mu);
    const cache_entry *e = c->slot[cache_find(c, h, key)];
    if (e) {
        out->total = e->total;
        out->nhits = e->nhits;
        out->hits = NULL;
        if (e->nhits) {
            out->hits = malloc(sizeof *out->hits * e->nhits);
            if (!out->hits)
                lw_oom();
            memcpy(out->hits, e->hits, sizeof *out->hits * e->nhits);
        }
        pthread_mutex_unlock(&c->mu);
        metrics_count(METRICS_SEARCH_CACHE_HIT);
        return;
    }
    pthread_mutex_unlock(&c->mu);
    metrics_count(METRICS_SEARCH_CACHE_MISS);
    search_run(s->ix, q, out);
    if (out->nhits > LW_DIR_CACHE_MAX_HITS)
        return;
    size_t size = sizeof(cache_entry) + sizeof *out->hits * out->nhits + klen + 1;
    cache_entry *n = malloc(size);
    if (!n)
        lw_oom();
    n->hash = h;
    n->total = out->total;
    n->nhits = out->nhits;
    if (out->nhits)
        memcpy(n->hits, out->hits, sizeof *n->hits * out->nhits);
    n->key = (char *)(n->hits + out->nhits);
    memcpy(n->key, key, klen + 1);
    pthread_mutex_lock(&c->mu);
    /* Full (by bytes, or the table at 3/4: probes stay short): start again. */
    if (c->bytes + size > c->budget || (c->n + 1) * 4 > LW_DIR_CACHE_SLOTS * 3)
        cache_clear(c);
    size_t i = cache_find(c, h, key);
    if (c->slot[i] || size > c->budget) {
        free(n); /* another thread put it first, or it can never fit */
    } else {
        c->slot[i] = n;
        c->n++;
        c->bytes += size;
    }
    pthread_mutex_unlock(&c->mu);
}

dir_snap *dirx_snap_new(search_index *ix, int64_t version) {
    dir_snap *s = calloc(1, sizeof *s);
    if (!s)
        lw_oom();
    s->ix = ix;
    s->version = version;
    s->refs = 1;
    s->cache = cache_new();
    return s;
}

void dirx_snap_free(dir_snap *s) {
    if (!s)
        return;
    search_free(s->ix);
    match_dir_free(s->match);
    cache_free(s->cache);
    free(s);
}

static void snap_unref(struct api_directory *d, dir_snap *s) {
    if (!s)
        return;
    pthread_mutex_lock(&d->mu);
    int last = --s->refs == 0;
    pthread_mutex_unlock(&d->mu);
    if (last)
        dirx_snap_free(s);
}

void api_directory_close(lw_app *app) {
    struct api_directory *d = app->directory;
    if (!d)
        return;
    snap_unref(d, d->cur);
    pthread_mutex_destroy(&d->mu);
    pthread_mutex_destroy(&d->rebuild_mu);
    free(d);
    app->directory = NULL;
}

/* ---- building ---- */

static void set_str(json_t *o, const char *k, const char *v) {
    if (v)
        json_object_set_new(o, k, json_string(v));
}

static char *dump(json_t *o) {
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s)
        lw_oom();
    return s;
}

/* The Open Referral list item of a service. */
static char *oruk_item(const lw_dir_svc *s) {
    json_t *o = json_object();
    set_str(o, "id", s->id);
    set_str(o, "organization_id", s->organization_id);
    set_str(o, "name", s->name);
    json_object_set_new(o, "description", json_string(s->description ? s->description : ""));
    set_str(o, "url", s->url);
    set_str(o, "email", s->email);
    set_str(o, "status", s->status);
    set_str(o, "fees", s->fees);
    set_str(o, "accreditations", s->accreditations);
    if (s->minimum_age >= 0)
        json_object_set_new(o, "minimum_age", json_integer(s->minimum_age));
    if (s->maximum_age >= 0)
        json_object_set_new(o, "maximum_age", json_integer(s->maximum_age));
    set_str(o, "assured_date", s->assured_date);
    set_str(o, "assurer_email", s->assurer_email);
    set_str(o, "alert", s->alert);
    json_object_set_new(o, "last_modified",
                        dir_json_datetime(s->last_modified ? s->last_modified : s->modified_at));
    return dump(o);
}

/* linkwell's members of the link worker's item, without the braces: they follow the
 * Open Referral item's members (so the description is kept once), then the dynamic ones.
 * Written from the index's fields rather than kept as text, which took a fifth of the
 * index's memory. */
const char *dirx_lw_members(lw_arena *a, const search_index *ix, int svc, size_t *len) {
    search_lw f;
    search_lw_fields(ix, svc, &f);
    lw_jw w;
    jw_init(&w, a, 384);
    jw_object(&w);
    if (f.organization_id && f.organization_name) {
        jw_key(&w, "organization");
        jw_object(&w);
        jw_key(&w, "id");
        jw_string(&w, f.organization_id);
        jw_key(&w, "name");
        jw_string(&w, f.organization_name);
        jw_object_end(&w);
    }
    jw_key(&w, "managed_by");
    if (f.managed_by)
        jw_int(&w, f.managed_by);
    else
        jw_null(&w);
    jw_key(&w, "capacity");
    if (f.capacity >= 0)
        jw_int(&w, f.capacity);
    else
        jw_null(&w);
    if (f.capacity_status) {
        jw_key(&w, "capacity_status");
        jw_string(&w, f.capacity_status);
    }
    jw_key(&w, "cost_band");
    jw_string(&w, f.cost_band);
    jw_key(&w, "need_domains");
    jw_array(&w);
    for (int i = 0; i < LW_DOMAIN_COUNT; i++)
        if (f.domains & (1u << i))
            jw_string(&w, dir_domain_name(i));
    jw_array_end(&w);
    jw_key(&w, "mental_health_ready");
    jw_bool(&w, f.mental_health_ready);
    jw_key(&w, "setting");
    jw_string(&w, f.setting);
    jw_key(&w, "last_checked");
    jw_time(&w, f.last_checked);
    jw_object_end(&w);
    size_t n;
    char *text = (char *)jw_text(&w, &n);
    text[n - 1] = '\0'; /* "{a,b}" → "a,b" */
    *len = n - 2;
    return text + 1;
}

const char *dirx_sal_json(lw_arena *a, const search_index *ix, int svc, size_t k) {
    const char *location_id;
    const char *id = search_sal(ix, svc, k, &location_id);
    lw_jw w;
    jw_init(&w, a, 160);
    jw_object(&w);
    jw_key(&w, "id");
    jw_string(&w, id);
    jw_key(&w, "service_id");
    jw_string(&w, search_id(ix, svc));
    if (location_id) {
        jw_key(&w, "location_id");
        jw_string(&w, location_id);
    }
    jw_object_end(&w);
    size_t n;
    return jw_text(&w, &n);
}

static uint32_t domain_mask(const char *list) {
    uint32_t m = 0;
    lw_error ignored;
    lw_ignore(dir_domains_parse(list, "need_domains", &m, &ignored));
    return m;
}

lw_status dirx_build(lw_db *db, search_index **out, lw_error *err) {
    search_index *ix = search_new();
    lw_arena *a = arena_new();
    lw_dir_term *terms;
    int n;
    lw_status st = store_dir_terms(db, a, &terms, &n, err);
    for (int i = 0; st == LW_OK && i < n; i++)
        search_add_term(ix, terms[i].id, terms[i].name, terms[i].parent_id, terms[i].taxonomy_id);
    arena_free(a);
    char *after = strdup("");
    while (st == LW_OK) {
        a = arena_new();
        lw_dir_svc *v;
        st = store_dir_scan_services(db, a, after, 5000, &v, &n, err);
        for (int i = 0; st == LW_OK && i < n; i++) {
            char *oj = oruk_item(&v[i]);
            search_svc s = {.id = v[i].id,
                            .organization_id = v[i].organization_id,
                            .name = v[i].name,
                            .description = v[i].description,
                            .organization_name = v[i].organization_name,
                            .minimum_age = (int)v[i].minimum_age,
                            .maximum_age = (int)v[i].maximum_age,
                            .modified = v[i].last_modified ? v[i].last_modified : v[i].modified_at,
                            .status = v[i].status,
                            .capacity_status = v[i].capacity_status,
                            .cost_band = v[i].cost_band,
                            .setting = v[i].setting,
                            .domains = domain_mask(v[i].need_domains),
                            .mental_health_ready = v[i].mental_health_ready,
                            .last_checked = v[i].last_checked_at,
                            .managed_by = v[i].managed_by,
                            .capacity = v[i].capacity,
                            .oruk_json = oj};
            search_add_service(ix, &s);
            free(oj);
        }
        free(after);
        after = st == LW_OK && n == 5000 ? strdup(v[n - 1].id) : NULL;
        arena_free(a);
        if (!after)
            break;
    }
    free(after);
    for (int kind = 0; kind < 3 && st == LW_OK; kind++) {
        char *from = strdup("0");
        while (st == LW_OK) {
            a = arena_new();
            lw_dir_link *l;
            st = store_dir_scan_links(db, a, (lw_dir_link_kind)kind, from, 20000, &l, &n, err);
            for (int i = 0; st == LW_OK && i < n; i++) {
                int svc = search_find(ix, l[i].service_id);
                if (svc < 0)
                    continue;
                if (kind == LW_DIR_LINK_TERMS) {
                    search_service_term(ix, svc, l[i].v[0]);
                } else if (kind == LW_DIR_LINK_LOCATIONS) {
                    int64_t lat = 0, lon = 0;
                    int has = l[i].v[2] && l[i].v[3];
                    if (has) {
                        lat = strtoll(l[i].v[2], NULL, 10);
                        lon = strtoll(l[i].v[3], NULL, 10);
                    } else if (l[i].v[4]) {
                        /* No coordinates: the centre of its postcode district. */
                        has = dir_postcode_locate(l[i].v[4], &lat, &lon) == 0;
                    }
                    search_service_location(ix, svc, lat, lon, has, l[i].v[0], l[i].v[1]);
                } else {
                    unsigned days = dir_byday_mask(l[i].v[0]);
                    const char *freq = l[i].v[3];
                    if (!days && (!freq || strcasecmp(freq, "DAILY") == 0))
                        days = freq ? 0x7F : 0;
                    search_service_schedule(ix, svc, days, dir_time_minutes(l[i].v[1]),
                                            dir_time_minutes(l[i].v[2]));
                }
            }
            free(from);
            from = st == LW_OK && n == 20000 ? strdup(l[n - 1].row) : NULL;
            arena_free(a);
            if (!from)
                break;
        }
        free(from);
    }
    if (st != LW_OK) {
        search_free(ix);
        return st;
    }
    search_build(ix);
    /* The build's scratch memory goes back to the system, not just to malloc. */
    malloc_trim(0);
    *out = ix;
    return LW_OK;
}

/* Rebuilds when the stored version differs from the index's (or there is none). */
static lw_status ensure(api_request *req, struct api_directory *d, int wait, lw_error *err) {
    if (wait)
        pthread_mutex_lock(&d->rebuild_mu);
    else if (pthread_mutex_trylock(&d->rebuild_mu) != 0)
        return LW_OK; /* another thread is rebuilding; use the index there is */
    int64_t version = 0;
    lw_status st = store_dir_version(req->db, &version, err);
    pthread_mutex_lock(&d->mu);
    int current = d->cur && d->cur->version == version;
    pthread_mutex_unlock(&d->mu);
    if (st == LW_OK && !current) {
        search_index *ix = NULL;
        double t0 = clock_monotonic_ms();
        st = dirx_build(req->db, &ix, err);
        store_trim(req->db); /* the whole directory was read: do not keep it mapped */
        if (st == LW_OK)
            fprintf(stderr,
                    "linkwell: search index of %zu services built in %.0f ms (%.1f MB), "
                    "directory version %lld\n",
                    search_count(ix), clock_monotonic_ms() - t0,
                    (double)search_memory(ix) / 1048576.0, (long long)version);
        if (st == LW_OK) {
            dir_snap *s = dirx_snap_new(ix, version);
            match_dir_carry(req->db, d->cur, s); /* before the swap: api/matching.c */
            pthread_mutex_lock(&d->mu);
            dir_snap *old = d->cur;
            d->cur = s;
            pthread_mutex_unlock(&d->mu);
            snap_unref(d, old);
        }
    }
    pthread_mutex_unlock(&d->rebuild_mu);
    return st;
}

lw_status dirx_acquire(api_request *req, dir_snap **out, lw_error *err) {
    struct api_directory *d = directory_of(req->app);
    int64_t now = clock_now(&req->app->clock);
    int64_t last = atomic_load(&d->last_check);
    pthread_mutex_lock(&d->mu);
    int have = d->cur != NULL;
    pthread_mutex_unlock(&d->mu);
    lw_status st = LW_OK;
    if (!have) {
        atomic_store(&d->last_check, now);
        st = ensure(req, d, 1, err);
    } else if ((now - last >= LW_DIR_POLL_MS || now < last) && /* the clock was set back */
               atomic_compare_exchange_strong(&d->last_check, &last, now)) {
        st = ensure(req, d, 0, err);
    }
    if (st != LW_OK)
        return st;
    pthread_mutex_lock(&d->mu);
    dir_snap *s = d->cur;
    s->refs++;
    pthread_mutex_unlock(&d->mu);
    *out = s;
    return LW_OK;
}

void dirx_release(api_request *req, dir_snap *s) {
    snap_unref(req->app->directory, s);
}

void dirx_release_app(lw_app *app, dir_snap *s) {
    snap_unref(app->directory, s);
}

lw_status dirx_refresh(api_request *req, lw_error *err) {
    struct api_directory *d = directory_of(req->app);
    atomic_store(&d->last_check, clock_now(&req->app->clock));
    return ensure(req, d, 1, err);
}

/* ---- query strings ---- */

static int parse_int(const char *s, long min, long max, long *out) {
    if (!s || !*s)
        return -1;
    char *end;
    long v = strtol(s, &end, 10);
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p) && !(p == s && *p == '-'))
            return -1;
    if (*end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

lw_status dirx_page(const api_request *req, int max, int *page, int *per_page, lw_error *err) {
    long v;
    const char *p = api_query(req, "page");
    *page = 1;
    *per_page = LW_PER_PAGE_DEFAULT;
    if (p) {
        if (parse_int(p, 1, 1000000, &v) != 0)
            return lw_fail(err, LW_EINVAL, "page", "'%.40s' is not a page number (1 or more)", p);
        *page = (int)v;
    }
    p = api_query(req, "per_page");
    if (p) {
        if (parse_int(p, 1, max, &v) != 0)
            return lw_fail(err, LW_EINVAL, "per_page",
                           "'%.40s' is not a page size: ask for 1 to %d results a page", p, max);
        *per_page = (int)v;
    }
    return LW_OK;
}

static lw_status bool_param(const api_request *req, const char *name, int *out, lw_error *err) {
    const char *v = api_query(req, name);
    if (!v)
        return LW_OK;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = 1;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = 0;
    else
        return lw_fail(err, LW_EINVAL, name, "'%.40s' is not true or false", v);
    return LW_OK;
}

/* A comma list of names from LIST into a bit mask. */
static lw_status list_param(const api_request *req, const char *name, const char *const *list,
                            unsigned *out, lw_error *err) {
    const char *v = api_query(req, name);
    if (!v)
        return LW_OK;
    char buf[200];
    snprintf(buf, sizeof buf, "%s", v);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int found = -1;
        for (int i = 0; list[i] && found < 0; i++)
            if (strcmp(list[i], t) == 0)
                found = i;
        if (found < 0) {
            char *names = "";
            lw_arena *a = req->arena;
            for (int i = 0; list[i]; i++)
                names = arena_printf(a, "%s%s%s", names, i ? ", " : "", list[i]);
            return lw_fail(err, LW_EINVAL, name, "'%.40s' is not one of %s", t, names);
        }
        *out |= 1u << found;
    }
    return LW_OK;
}

static lw_status time_param(const api_request *req, const char *name, int *out, lw_error *err) {
    const char *v = api_query(req, name);
    char t[9];
    if (!v)
        return LW_OK;
    if (dir_time_parse(v, t) != 0)
        return lw_fail(err, LW_EINVAL, name, "'%.40s' is not a time of day (HH:MM)", v);
    *out = dir_time_minutes(t);
    return LW_OK;
}

lw_status dirx_query(const api_request *req, int oruk, search_query *q, lw_error *err) {
    search_query_init(q);
    q->now = clock_now(&req->app->clock);
    lw_status st =
        dirx_page(req, oruk ? LW_ORUK_PER_PAGE_MAX : LW_PER_PAGE_MAX, &q->page, &q->per_page, err);
    if (st != LW_OK)
        return st;
    const char *v;
    long n;
    q->words = api_query(req, "search");
    if (q->words && strlen(q->words) > 500)
        return lw_fail(err, LW_EINVAL, "search", "is longer than 500 characters");
    q->taxonomy_term_id = api_query(req, "taxonomy_term_id");
    q->taxonomy_id = api_query(req, "taxonomy_id");
    q->organization_id = api_query(req, "organization_id");
    if ((v = api_query(req, "modified_after"))) {
        int64_t ms;
        lw_error e2;
        if (time_parse_iso(v, "modified_after", &ms, &e2) != LW_OK)
            return lw_fail(err, LW_EINVAL, "modified_after",
                           "'%.40s' is not a date and time (YYYY-MM-DD or ISO 8601)", v);
        q->modified_after = ms;
    }
    static const char *const ages[] = {"minimum_age", "maximum_age", "age"};
    int *age_out[] = {&q->minimum_age, &q->maximum_age, &q->age};
    for (int i = 0; i < (oruk ? 2 : 3); i++) {
        if ((v = api_query(req, ages[i]))) {
            if (parse_int(v, 0, 150, &n) != 0)
                return lw_fail(err, LW_EINVAL, ages[i], "'%.40s' is not an age (0 to 150)", v);
            *age_out[i] = (int)n;
        }
    }
    if ((v = api_query(req, "day"))) {
        q->day = dir_day_parse(v);
        if (q->day < 0)
            return lw_fail(err, LW_EINVAL, "day",
                           "'%.40s' is not a day: use MO, TU, WE, TH, FR, SA or SU (or the "
                           "day's name)",
                           v);
    }
    if ((st = time_param(req, "start_time", &q->start_time, err)) != LW_OK)
        return st;
    if ((st = time_param(req, "end_time", &q->end_time, err)) != LW_OK)
        return st;
    const char *postcode = api_query(req, "postcode");
    const char *proximity = api_query(req, "proximity");
    if (proximity && !postcode)
        return lw_fail(err, LW_EINVAL, "proximity",
                       "needs a postcode: proximity is a distance in metres from the postcode "
                       "given with it");
    if (postcode) {
        if (dir_postcode_locate(postcode, &q->lat_e6, &q->lon_e6) != 0) {
            char norm[9];
            if (dir_postcode_normalise(postcode, norm) != 0)
                return lw_fail(err, LW_EINVAL, "postcode", "'%.20s' is not a UK postcode",
                               postcode);
            return lw_fail(err, LW_EINVAL, "postcode",
                           "the postcode '%s' is unknown: its district is not in linkwell's "
                           "postcode table",
                           norm);
        }
        q->has_point = 1;
    }
    if (proximity) {
        if (parse_int(proximity, 1, 1000000, &n) != 0)
            return lw_fail(err, LW_EINVAL, "proximity",
                           "'%.40s' is not a distance in metres (1 to 1000000)", proximity);
        q->radius_m = (double)n;
    }
    if (oruk)
        return LW_OK;
    /* linkwell's own filters */
    if ((v = api_query(req, "need_domains"))) {
        uint32_t m;
        if ((st = dir_domains_parse(v, "need_domains", &m, err)) != LW_OK)
            return st;
        q->domains = m;
    }
    static const char *const costs[] = {"free", "low", "paid", NULL};
    static const char *const caps[] = {"capacity", "no_capacity", "waitlist", NULL};
    static const char *const statuses[] = {"active", "inactive", "defunct", "temporarily closed",
                                           NULL};
    static const char *const settings[] = {"group", "one_to_one", NULL};
    if ((st = list_param(req, "cost_band", costs, &q->cost_bands, err)) != LW_OK)
        return st;
    if ((st = list_param(req, "capacity_status", caps, &q->capacity_statuses, err)) != LW_OK)
        return st;
    q->statuses = 1; /* active only, unless asked */
    if (api_query(req, "status")) {
        q->statuses = 0;
        if ((st = list_param(req, "status", statuses, &q->statuses, err)) != LW_OK)
            return st;
    }
    unsigned setting = 0;
    if ((st = list_param(req, "setting", settings, &setting, err)) != LW_OK)
        return st;
    if (setting == 1 || setting == 2)
        q->setting = (int)setting;
    if ((st = bool_param(req, "stale", &q->stale, err)) != LW_OK)
        return st;
    if ((st = bool_param(req, "mental_health_ready", &q->mental_health_ready, err)) != LW_OK)
        return st;
    if ((v = api_query(req, "order"))) {
        if (strcmp(v, "relevance") == 0)
            q->order = SEARCH_ORDER_RELEVANCE;
        else if (strcmp(v, "distance") == 0)
            q->order = SEARCH_ORDER_DISTANCE;
        else
            return lw_fail(err, LW_EINVAL, "order", "'%.40s' is not relevance or distance", v);
        if (q->order == SEARCH_ORDER_DISTANCE && !q->has_point)
            return lw_fail(err, LW_EINVAL, "order", "ordering by distance needs a postcode");
    }
    return LW_OK;
}
