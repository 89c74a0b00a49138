/*
 * What the matching and decision-aid handlers share (api/matching.h): the
 * directory prepared for the matcher once per directory version and kept with
 * the search index snapshot, a person's preferences as lw_match_person, the
 * decision aid with the admins' text over the built-in set, and the JSON of
 * results.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/matching.h"
#include "domain/access_words.h"
#include "domain/directory.h"
#include "store/directory.h"
#include "util/timeutil.h"

/* ---- the prepared directory ---- */

/* Guards dir_snap.match: one thread prepares a snapshot's directory, the others wait. */
static pthread_mutex_t prepare_mu = PTHREAD_MUTEX_INITIALIZER;

void match_dir_free(struct match_dir *m) {
    if (!m)
        return;
    arena_free(m->arena);
    free(m);
}

typedef struct link_row {
    size_t svc, seq;
    const char *text;   /* a term's name */
    lw_match_slot slot; /* a session */
} link_row;

typedef struct link_vec {
    link_row *v;
    size_t n, cap;
} link_vec;

static void vec_push(link_vec *x, link_row r) {
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 1024;
        x->v = realloc(x->v, x->cap * sizeof *x->v);
        if (!x->v)
            lw_oom();
    }
    r.seq = x->n;
    x->v[x->n++] = r;
}

static int row_cmp(const void *a, const void *b) {
    const link_row *x = a, *y = b;
    if (x->svc != y->svc)
        return x->svc < y->svc ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int term_cmp(const void *a, const void *b) {
    return strcmp(((const lw_dir_term *)a)->id, ((const lw_dir_term *)b)->id);
}

static long find_svc(const match_dir *m, const char *id) {
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(m->svc[mid].id, id);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static uint32_t needs_mask(const char *list) {
    uint32_t m = 0;
    char buf[64];
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n < sizeof buf) {
            memcpy(buf, p, n);
            buf[n] = '\0';
            int d = match_need_parse(buf);
            if (d >= 0)
                m |= LW_MATCH_NEED_BIT(d);
        }
        p = e ? e + 1 : NULL;
    }
    return m;
}

static void fill_service(lw_arena *a, const lw_dir_svc *v, lw_match_service *s,
                         const char **org_id) {
    memset(s, 0, sizeof *s);
    s->id = arena_strdup(a, v->id);
    s->name = arena_strdup(a, v->name ? v->name : "");
    s->organisation = arena_strdup(a, v->organization_name ? v->organization_name : "");
    *org_id = arena_strdup(a, v->organization_id ? v->organization_id : "");
    int st = v->status ? match_status_parse(v->status) : -1;
    s->status = st < 0 ? LW_MATCH_INACTIVE : (lw_match_status)st;
    s->needs = needs_mask(v->need_domains);
    s->min_age = v->minimum_age >= 0 ? (int)v->minimum_age : -1;
    s->max_age = v->maximum_age >= 0 ? (int)v->maximum_age : -1;
    int c = v->cost_band ? match_cost_parse(v->cost_band) : -1;
    s->cost = c < 0 ? LW_MATCH_COST_UNKNOWN : (lw_match_cost)c;
    c = v->capacity_status ? match_capacity_parse(v->capacity_status) : -1;
    s->capacity = c < 0 ? LW_MATCH_CAPACITY_UNKNOWN : (lw_match_capacity)c;
    /* The directory says "either" where the matcher says "both". */
    c = !v->setting                         ? -1
        : strcmp(v->setting, "either") == 0 ? (int)LW_MATCH_SETTING_BOTH
                                            : match_setting_parse(v->setting);
    s->setting = c < 0 ? LW_MATCH_SETTING_UNKNOWN : (lw_match_setting)c;
    s->mh_prepared = v->mental_health_ready ? LW_MATCH_YES : LW_MATCH_UNKNOWN;
}

typedef struct loaded {
    lw_match_service s;
    const char *org_id;
} loaded;

static int loaded_cmp(const void *a, const void *b) {
    return strcmp(((const loaded *)a)->s.id, ((const loaded *)b)->s.id);
}

/* Reads every service with its terms, first place and weekly sessions. */
static lw_status load(lw_db *db, match_dir *m, lw_error *err) {
    lw_arena *ma = m->arena;
    size_t cap = 1024;
    loaded *tmp = malloc(cap * sizeof *tmp);
    if (!tmp)
        lw_oom();
    char *after = strdup("");
    lw_status st = LW_OK;
    while (st == LW_OK && after) {
        lw_arena *a = arena_new();
        lw_dir_svc *v;
        int n = 0;
        st = store_dir_scan_services(db, a, after, 5000, &v, &n, err);
        for (int i = 0; st == LW_OK && i < n; i++) {
            if (m->n == cap) {
                cap *= 2;
                tmp = realloc(tmp, cap * sizeof *tmp);
                if (!tmp)
                    lw_oom();
            }
            fill_service(ma, &v[i], &tmp[m->n].s, &tmp[m->n].org_id);
            m->n++;
        }
        free(after);
        after = st == LW_OK && n == 5000 ? strdup(v[n - 1].id) : NULL;
        arena_free(a);
    }
    free(after);
    /* In strcmp order (the scan's order is the database's collation), for bsearch. */
    if (m->n)
        qsort(tmp, m->n, sizeof *tmp, loaded_cmp);
    m->svc = arena_alloc(ma, (m->n + 1) * sizeof *m->svc);
    m->org_ids = arena_alloc(ma, (m->n + 1) * sizeof *m->org_ids);
    for (size_t i = 0; i < m->n; i++) {
        m->svc[i] = tmp[i].s;
        m->org_ids[i] = tmp[i].org_id;
    }
    free(tmp);
    if (st != LW_OK)
        return st;

    lw_arena *ta = arena_new();
    lw_dir_term *terms = NULL;
    int nterms = 0;
    st = store_dir_terms(db, ta, &terms, &nterms, err);
    if (st == LW_OK && nterms > 0)
        qsort(terms, (size_t)nterms, sizeof *terms, term_cmp);
    link_vec tv = {0}, sv = {0};
    for (int kind = 0; kind < 3 && st == LW_OK; kind++) {
        char *from = strdup("0");
        while (st == LW_OK && from) {
            lw_arena *a = arena_new();
            lw_dir_link *l;
            int n = 0;
            st = store_dir_scan_links(db, a, (lw_dir_link_kind)kind, from, 20000, &l, &n, err);
            for (int i = 0; st == LW_OK && i < n; i++) {
                long k = find_svc(m, l[i].service_id);
                if (k < 0)
                    continue;
                lw_match_service *s = &m->svc[k];
                if (kind == LW_DIR_LINK_TERMS && l[i].v[0] && nterms > 0) {
                    lw_dir_term key = {.id = l[i].v[0]};
                    lw_dir_term *t = bsearch(&key, terms, (size_t)nterms, sizeof *terms, term_cmp);
                    if (t && t->name)
                        vec_push(&tv,
                                 (link_row){.svc = (size_t)k, .text = arena_strdup(ma, t->name)});
                } else if (kind == LW_DIR_LINK_LOCATIONS && !s->located) {
                    int64_t lat = 0, lon = 0;
                    int has = l[i].v[2] && l[i].v[3];
                    if (has) {
                        lat = strtoll(l[i].v[2], NULL, 10);
                        lon = strtoll(l[i].v[3], NULL, 10);
                    } else if (l[i].v[4]) {
                        has = dir_postcode_locate(l[i].v[4], &lat, &lon) == 0;
                    }
                    if (has) {
                        s->located = true;
                        s->lat = (int32_t)lat;
                        s->lon = (int32_t)lon;
                    }
                } else if (kind == LW_DIR_LINK_SCHEDULES) {
                    unsigned days = dir_byday_mask(l[i].v[0]);
                    const char *freq = l[i].v[3];
                    if (!days && freq && strcasecmp(freq, "DAILY") == 0)
                        days = 0x7F;
                    int from_m = l[i].v[1] ? dir_time_minutes(l[i].v[1]) : -1;
                    int to_m = l[i].v[2] ? dir_time_minutes(l[i].v[2]) : -1;
                    if (from_m < 0 || to_m <= from_m || to_m > 1440)
                        continue; /* times not said: not a session the matcher can place */
                    for (int d = 0; d < LW_MATCH_DAY_COUNT; d++)
                        if (days & (1u << d))
                            vec_push(&sv, (link_row){.svc = (size_t)k,
                                                     .slot = {.day = (lw_match_day)d,
                                                              .from = (uint16_t)from_m,
                                                              .to = (uint16_t)to_m}});
                }
            }
            free(from);
            from = st == LW_OK && n == 20000 ? strdup(l[n - 1].row) : NULL;
            arena_free(a);
        }
        free(from);
    }
    arena_free(ta);
    /* Languages the listings name (a listing naming none is never excluded for language). */
    link_vec lv = {0};
    for (int64_t from = 0; st == LW_OK;) {
        lw_arena *a = arena_new();
        lw_match_language *l;
        int n = 0;
        st = store_match_scan_languages(db, a, from, 20000, &l, &n, err);
        for (int i = 0; st == LW_OK && i < n; i++) {
            long k = l[i].service_id ? find_svc(m, l[i].service_id) : -1;
            const char *lang = l[i].code && *l[i].code ? l[i].code : l[i].name;
            if (k >= 0 && lang && *lang)
                vec_push(&lv, (link_row){.svc = (size_t)k, .text = arena_strdup(ma, lang)});
        }
        from = n > 0 ? l[n - 1].row : 0;
        arena_free(a);
        if (n < 20000)
            break;
    }
    if (st == LW_OK) {
        if (lv.n)
            qsort(lv.v, lv.n, sizeof *lv.v, row_cmp);
        const char **lp = arena_alloc(ma, (lv.n + 1) * sizeof *lp);
        for (size_t i = 0; i < lv.n; i++) {
            lp[i] = lv.v[i].text;
            lw_match_service *s = &m->svc[lv.v[i].svc];
            if (!s->languages)
                s->languages = &lp[i];
            s->n_languages++;
        }
    }
    free(lv.v);
    /* Accessibility: what the text of a service's places states; a service with any such
     * text "lists" its accessibility (and is excluded when it lacks what a person needs). */
    for (int64_t from = 0; st == LW_OK;) {
        lw_arena *a = arena_new();
        lw_match_access_text *x;
        int n = 0, rows = 0;
        int64_t last = 0;
        st = store_match_accessibility_rows(db, from, 5000, &last, &rows, err);
        if (st == LW_OK && rows > 0)
            st = store_match_scan_accessibility(db, a, from, 5000, &x, &n, err);
        for (int i = 0; st == LW_OK && i < n; i++) {
            long k = x[i].service_id ? find_svc(m, x[i].service_id) : -1;
            if (k < 0)
                continue;
            m->svc[k].access_listed = true;
            m->svc[k].access |=
                access_words_features(x[i].description) | access_words_features(x[i].details);
        }
        arena_free(a);
        from = last;
        if (rows < 5000)
            break;
    }
    if (st == LW_OK) {
        if (tv.n)
            qsort(tv.v, tv.n, sizeof *tv.v, row_cmp);
        const char **tp = arena_alloc(ma, (tv.n + 1) * sizeof *tp);
        for (size_t i = 0; i < tv.n; i++) {
            tp[i] = tv.v[i].text;
            lw_match_service *s = &m->svc[tv.v[i].svc];
            if (!s->terms)
                s->terms = &tp[i];
            s->n_terms++;
        }
        if (sv.n)
            qsort(sv.v, sv.n, sizeof *sv.v, row_cmp);
        lw_match_slot *sp = arena_alloc(ma, (sv.n + 1) * sizeof *sp);
        for (size_t i = 0; i < sv.n; i++) {
            sp[i] = sv.v[i].slot;
            lw_match_service *s = &m->svc[sv.v[i].svc];
            if (!s->sessions)
                s->sessions = &sp[i];
            s->n_sessions++;
        }
    }
    free(tv.v);
    free(sv.v);
    return st;
}

lw_status mt_prepare(lw_db *db, match_dir **out, lw_error *err) {
    match_dir *m = calloc(1, sizeof *m);
    if (!m)
        lw_oom();
    m->arena = arena_new();
    lw_status st = decision_aid_new(m->arena, decision_aid_builtin(), &m->aid, err);
    if (st == LW_OK)
        st = load(db, m, err);
    if (st != LW_OK) {
        match_dir_free(m);
        return st;
    }
    m->cats = arena_alloc(m->arena, (m->n + 1) * sizeof *m->cats);
    decision_aid_prepare(m->aid, m->svc, m->n, m->cats);
    match_prepare(m->arena, m->svc, m->n);
    size_t ncat = decision_aid_set(m->aid)->n_categories;
    for (size_t i = 0; i < m->n; i++) {
        m->local |= m->cats[i];
        for (size_t c = 0; c < ncat; c++)
            m->n_cat[c] += (m->cats[i] >> c) & 1u;
    }
    for (size_t c = 0; c < ncat; c++) {
        m->by_cat[c] = arena_alloc(m->arena, (m->n_cat[c] + 1) * sizeof *m->by_cat[c]);
        m->by_cat_index[c] = arena_alloc(m->arena, (m->n_cat[c] + 1) * sizeof(size_t));
        m->n_cat[c] = 0;
    }
    for (size_t i = 0; i < m->n; i++)
        for (size_t c = 0; c < ncat; c++)
            if ((m->cats[i] >> c) & 1u) {
                m->by_cat[c][m->n_cat[c]] = m->svc[i];
                m->by_cat_index[c][m->n_cat[c]++] = i;
            }
    *out = m;
    return LW_OK;
}

void match_dir_carry(lw_db *db, const dir_snap *old, dir_snap *fresh) {
    pthread_mutex_lock(&prepare_mu);
    int used = old && old->match;
    pthread_mutex_unlock(&prepare_mu);
    if (!used)
        return;
    double t0 = clock_monotonic_ms();
    match_dir *m = NULL;
    lw_error err;
    if (mt_prepare(db, &m, &err) != LW_OK) {
        fprintf(stderr, "linkwell: matcher not prepared (%s); it will be on first use\n", err.msg);
        return;
    }
    fprintf(stderr, "linkwell: matcher prepared %zu services in %.0f ms\n", m->n,
            clock_monotonic_ms() - t0);
    pthread_mutex_lock(&prepare_mu);
    fresh->match = m;
    pthread_mutex_unlock(&prepare_mu);
}

lw_status mt_acquire(api_request *req, dir_snap **snap, const match_dir **md, lw_error *err) {
    lw_status st = dirx_acquire(req, snap, err);
    if (st != LW_OK)
        return st;
    pthread_mutex_lock(&prepare_mu);
    if (!(*snap)->match) {
        double t0 = clock_monotonic_ms();
        match_dir *m = NULL;
        st = mt_prepare(req->db, &m, err);
        if (st == LW_OK) {
            (*snap)->match = m;
            fprintf(stderr, "linkwell: matcher prepared %zu services in %.0f ms\n", m->n,
                    clock_monotonic_ms() - t0);
        }
    }
    *md = (*snap)->match;
    pthread_mutex_unlock(&prepare_mu);
    if (st != LW_OK) {
        dirx_release(req, *snap);
        *snap = NULL;
    }
    return st;
}

/* ---- the person ---- */

static int hhmm(const char *s) {
    if (!s || strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' ||
        s[1] > '9' || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
        return -1;
    int m = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
    return m <= 24 * 60 ? m : -1;
}

#define FIELD(...) (snprintf(f, sizeof f, __VA_ARGS__), f)

static lw_status prefs_needs(api_request *req, const json_t *v, const char *path,
                             lw_match_person *p, lw_error *err) {
    char f[192];
    (void)req;
    if (!json_is_array(v) || json_array_size(v) > LW_MATCH_NEED_COUNT)
        return lw_fail(err, LW_EINVAL, FIELD("%sneeds", path),
                       "must be a list of need domains (%s)", need_names_list());
    size_t i;
    json_t *n;
    json_array_foreach(v, i, n) {
        int d = json_is_string(n) ? match_need_parse(json_string_value(n)) : -1;
        if (d < 0)
            return lw_fail(err, LW_EINVAL, FIELD("%sneeds[%zu]", path, i),
                           "is not a need domain (one of %s)", need_names_list());
        p->needs[d] = LW_MATCH_NEED_WEIGHT_DEFAULT;
    }
    return LW_OK;
}

static lw_status prefs_interests(api_request *req, const json_t *v, const char *path,
                                 lw_match_person *p, lw_error *err) {
    char f[192];
    if (!json_is_array(v) || json_array_size(v) > 20)
        return lw_fail(err, LW_EINVAL, FIELD("%sinterests", path),
                       "must be a list of at most 20 words");
    const char **w = arena_alloc(req->arena, (json_array_size(v) + 1) * sizeof *w);
    size_t i;
    json_t *n;
    json_array_foreach(v, i, n) {
        FIELD("%sinterests[%zu]", path, i);
        if (!json_is_string(n) || json_string_length(n) == 0 || json_string_length(n) > 100)
            return lw_fail(err, LW_EINVAL, f, "must be text of 1 to 100 characters");
        lw_status st = text_check(json_string_value(n), 100, f, err);
        if (st != LW_OK)
            return st;
        w[i] = arena_strdup(req->arena, json_string_value(n));
    }
    p->interests = w;
    p->n_interests = json_array_size(v);
    return LW_OK;
}

static lw_status prefs_available(api_request *req, const json_t *v, const char *path,
                                 lw_match_person *p, lw_error *err) {
    static const char *const slot_fields[] = {"day", "from", "to", NULL};
    char f[192], sp[128];
    if (!json_is_array(v) || json_array_size(v) > 21)
        return lw_fail(err, LW_EINVAL, FIELD("%savailable", path),
                       "must be a list of at most 21 {\"day\", \"from\", \"to\"}");
    lw_match_slot *slots = arena_alloc(req->arena, (json_array_size(v) + 1) * sizeof *slots);
    size_t i;
    json_t *slot;
    json_array_foreach(v, i, slot) {
        snprintf(sp, sizeof sp, "%savailable[%zu]", path, i);
        lw_status st = jr_object(slot, sp, slot_fields, err);
        if (st != LW_OK)
            return st;
        const char *day = json_string_value(json_object_get(slot, "day"));
        int d = day ? match_day_parse(day) : -1;
        if (d < 0)
            return lw_fail(err, LW_EINVAL, FIELD("%s.day", sp),
                           "must be one of MO, TU, WE, TH, FR, SA, SU");
        int from = hhmm(json_string_value(json_object_get(slot, "from")));
        int to = hhmm(json_string_value(json_object_get(slot, "to")));
        if (from < 0 || to < 0)
            return lw_fail(err, LW_EINVAL, FIELD("%s.%s", sp, from < 0 ? "from" : "to"),
                           "must be a time of day HH:MM");
        if (to <= from)
            return lw_fail(err, LW_EINVAL, FIELD("%s.to", sp), "must be after from");
        slots[i] =
            (lw_match_slot){.day = (lw_match_day)d, .from = (uint16_t)from, .to = (uint16_t)to};
    }
    p->free = slots;
    p->n_free = json_array_size(v);
    return LW_OK;
}

/* A comma list (or JSON array) of accessibility names into bits; unknown names are
 * refused when STRICT (a request), skipped otherwise (free text kept on a person). */
static lw_status access_bits(const char *list, const char *field, int strict, uint32_t *out,
                             lw_error *err) {
    char buf[64];
    for (const char *q = list; q && *q;) {
        const char *e = strchr(q, ',');
        size_t n = e ? (size_t)(e - q) : strlen(q);
        while (n && (*q == ' '))
            q++, n--;
        while (n && q[n - 1] == ' ')
            n--;
        if (n && n < sizeof buf) {
            memcpy(buf, q, n);
            buf[n] = '\0';
            int x = match_access_parse(buf);
            if (x >= 0)
                *out |= LW_MATCH_ACCESS_BIT(x);
            else if (strict)
                return lw_fail(err, LW_EINVAL, field,
                               "'%s' is not one of step_free, accessible_toilet, hearing_loop, "
                               "disabled_parking, quiet_space, bsl, easy_read, large_print",
                               buf);
        }
        q = e ? e + 1 : NULL;
    }
    return LW_OK;
}

lw_status mt_prefs(api_request *req, const json_t *prefs, const char *path, lw_match_person *p,
                   lw_error *err) {
    static const char *const fields[] = {"needs",         "interests", "available", "max_km",
                                         "cost_limit",    "setting",   "travel",    "language",
                                         "accessibility", NULL};
    char f[192], pre[64];
    if (!prefs || json_is_null(prefs))
        return LW_OK;
    snprintf(pre, sizeof pre, "%s%s", path ? path : "", path && *path ? "." : "");
    lw_status st = jr_object(prefs, path && *path ? path : "preferences", fields, err);
    json_t *v;
    if (st == LW_OK && (v = json_object_get(prefs, "needs")) && !json_is_null(v))
        st = prefs_needs(req, v, pre, p, err);
    if (st == LW_OK && (v = json_object_get(prefs, "interests")) && !json_is_null(v))
        st = prefs_interests(req, v, pre, p, err);
    if (st == LW_OK && (v = json_object_get(prefs, "available")) && !json_is_null(v))
        st = prefs_available(req, v, pre, p, err);
    int64_t km = 0;
    int has = 0;
    if (st == LW_OK)
        st = jr_int(prefs, "max_km", FIELD("%smax_km", pre), 0, 0, 200, &km, &has, err);
    if (st == LW_OK && has)
        p->max_m = (int32_t)(km * 1000);
    const char *s = NULL;
    int x;
    if (st == LW_OK)
        st = jr_string(prefs, "cost_limit", FIELD("%scost_limit", pre), 0, 10, &s, err);
    if (st == LW_OK && s && (x = match_cost_limit_parse(s)) < 0)
        st = lw_fail(err, LW_EINVAL, f, "must be free, low or any");
    if (st == LW_OK && s)
        p->cost_limit = (lw_match_cost_limit)match_cost_limit_parse(s);
    s = NULL;
    if (st == LW_OK)
        st = jr_string(prefs, "setting", FIELD("%ssetting", pre), 0, 20, &s, err);
    if (st == LW_OK && s && match_setting_pref_parse(s) < 0)
        st = lw_fail(err, LW_EINVAL, f, "must be group, one_to_one or either");
    if (st == LW_OK && s)
        p->setting = (lw_match_setting_pref)match_setting_pref_parse(s);
    s = NULL;
    if (st == LW_OK)
        st = jr_string(prefs, "travel", FIELD("%stravel", pre), 0, 10, &s, err);
    if (st == LW_OK && s && match_travel_parse(s) < 0)
        st = lw_fail(err, LW_EINVAL, f, "must be walk, bus or car");
    if (st == LW_OK && s)
        p->travel = (lw_match_travel)match_travel_parse(s);
    else if (st == LW_OK && has)
        p->travel =
            km <= 2 ? LW_MATCH_WALK : LW_MATCH_BUS; /* not said: what the distance suggests */
    s = NULL;
    if (st == LW_OK)
        st = jr_string(prefs, "language", FIELD("%slanguage", pre), 0, 60, &s, err);
    if (st == LW_OK && s)
        p->language = arena_strdup(req->arena, s); /* outlives PREFS (stored ones are freed) */
    v = st == LW_OK ? json_object_get(prefs, "accessibility") : NULL;
    if (v && !json_is_null(v)) {
        if (!json_is_array(v) || json_array_size(v) > LW_MATCH_ACCESS_COUNT)
            return lw_fail(err, LW_EINVAL, FIELD("%saccessibility", pre),
                           "must be a list of accessibility needs");
        size_t i;
        json_t *n;
        json_array_foreach(v, i, n) {
            FIELD("%saccessibility[%zu]", pre, i);
            if (!json_is_string(n))
                return lw_fail(err, LW_EINVAL, f, "must be text");
            st = access_bits(json_string_value(n), f, 1, &p->access_needs, err);
            if (st != LW_OK)
                return st;
        }
    }
    return st;
}

/* Whole years between DOB (YYYY-MM-DD) and TODAY; -1 when DOB is not a date. */
static int age_on(const char *dob, const char *today) {
    int y, m, d, ty, tm, td;
    if (!dob || sscanf(dob, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
        sscanf(today, "%4d-%2d-%2d", &ty, &tm, &td) != 3)
        return -1;
    int age = ty - y - ((tm < m || (tm == m && td < d)) ? 1 : 0);
    return age >= 0 && age <= 150 ? age : -1;
}

void mt_person_details(api_request *req, const lw_person *person, lw_match_person *p) {
    char today[11];
    jr_today(req, today);
    p->age = age_on(person->date_of_birth, today);
    int64_t lat = 0, lon = 0;
    if (person->postcode && dir_postcode_locate(person->postcode, &lat, &lon) == 0) {
        p->has_home = true;
        p->home_lat = (int32_t)lat;
        p->home_lon = (int32_t)lon;
    }
    if (!p->language && person->preferred_language && *person->preferred_language &&
        strcasecmp(person->preferred_language, "English") != 0 &&
        strcasecmp(person->preferred_language, "en") != 0)
        p->language = person->preferred_language;
    lw_error ignored;
    lw_ignore(access_bits(person->accessibility_needs, "accessibility_needs", 0, &p->access_needs,
                          &ignored));
}

static int mental_health_kind(const char *kind) {
    return kind && (strcmp(kind, "cmht") == 0 || strcmp(kind, "inpatient_ward") == 0);
}

lw_status mt_case_person(api_request *req, const lw_case *c, mt_person *out, lw_error *err) {
    memset(out, 0, sizeof *out);
    match_person_init(&out->p);
    out->person_id = c->person_id;
    lw_person person;
    lw_status st = store_person_get(req->db, req->arena, c->person_id, &person, err);
    json_t *prefs = NULL;
    if (st == LW_OK && person.preferences)
        prefs = json_loads(person.preferences, 0, NULL);
    if (st == LW_OK && prefs) {
        /* Stored preferences were checked when they were saved; if they no longer read
         * (an older format), match as if none were given rather than fail. */
        lw_error ignored;
        if (mt_prefs(req, prefs, "preferences", &out->p, &ignored) != LW_OK)
            match_person_init(&out->p);
    }
    json_decref(prefs);
    if (st == LW_OK)
        mt_person_details(req, &person, &out->p);
    /* Needs: the preferences', else the case's (with their importance), else the
     * referral's reasons. */
    int any = 0;
    for (int i = 0; i < LW_MATCH_NEED_COUNT; i++)
        any |= out->p.needs[i] != 0;
    lw_need *needs = NULL;
    int nn = 0;
    if (st == LW_OK && !any)
        st = store_case_needs(req->db, req->arena, c->id, &needs, &nn, err);
    for (int i = 0; st == LW_OK && i < nn; i++) {
        int d = match_need_parse(needs[i].domain);
        int64_t w = needs[i].importance;
        if (d >= 0) {
            out->p.needs[d] = (uint8_t)(w < 1 ? 1 : w > 3 ? 3 : w);
            any = 1;
        }
    }
    lw_referral r;
    if (st == LW_OK && c->referral_id)
        st = store_referral_get(req->db, req->arena, c->referral_id, &r, err);
    if (st == LW_OK && c->referral_id) {
        uint32_t m = any ? 0 : needs_mask(r.reasons);
        for (int d = 0; d < LW_MATCH_NEED_COUNT; d++)
            if (m & LW_MATCH_NEED_BIT(d))
                out->p.needs[d] = LW_MATCH_NEED_WEIGHT_DEFAULT;
        lw_org o;
        if (r.from_org_id && store_org_get(req->db, req->arena, r.from_org_id, &o, err) == LW_OK)
            out->p.from_mental_health = mental_health_kind(o.kind);
        if (!out->p.language && r.language && *r.language && strcasecmp(r.language, "English") != 0)
            out->p.language = r.language;
        lw_error ignored;
        lw_ignore(access_bits(r.accessibility_needs, "accessibility_needs", 0, &out->p.access_needs,
                              &ignored));
    }
    return st;
}

lw_status mt_case_for(api_request *req, const char *action, lw_case *c, lw_error *err) {
    int64_t id = 0;
    lw_status st = api_param_id(req, 0, &id, err);
    if (st == LW_OK)
        st = jr_case_get(req, id, action, NULL, c, err);
    return st;
}

lw_status mt_direct_person(api_request *req, mt_person *out, lw_error *err) {
    memset(out, 0, sizeof *out);
    match_person_init(&out->p);
    int64_t pid = 0;
    lw_status st = jin_id(req->json, "person_id", 0, &pid, err);
    json_t *person = st == LW_OK ? json_object_get(req->json, "person") : NULL;
    int has_person = person && !json_is_null(person);
    if (st == LW_OK && !pid == !has_person)
        st = lw_fail(err, LW_EINVAL, "person", "give either person_id or person (not both)");
    lw_person rec;
    if (st == LW_OK && pid) {
        lw_person_facts facts;
        lw_viewer v = jr_viewer(req);
        st = jr_person_facts(req, pid, &facts, err);
        if (st == LW_OK && access_person(&v, &facts) == LW_SEE_NONE) {
            jr_audit_denied(req, "person.read", "person", pid);
            st = lw_fail(err, LW_ENOTFOUND, "person_id",
                         "is not a person you prescribe for; give their details as person");
        }
        if (st == LW_OK)
            st = store_person_get(req->db, req->arena, pid, &rec, err);
        if (st == LW_ENOTFOUND)
            st = lw_fail(err, LW_ENOTFOUND, "person_id", "no such person");
        out->person_id = pid;
    }
    if (st == LW_OK && has_person) {
        jr_person_in *in = arena_alloc(req->arena, sizeof *in);
        st = jr_person_parse(req, person, "person", in, err);
        rec = in->p;
    }
    if (st == LW_OK)
        st = mt_prefs(req, json_object_get(req->json, "preferences"), "preferences", &out->p, err);
    if (st == LW_OK)
        mt_person_details(req, &rec, &out->p);
    /* A clinician of a mental health team or a ward refers from mental health services. */
    if (st == LW_OK)
        out->p.from_mental_health = mental_health_kind(req->who.org_kind);
    return st;
}

/* ---- the decision aid ---- */

/* A JSON array of strings (text, 1..1000 characters each) into the arena. */
static const char *const *strings_of(lw_arena *a, const char *text, size_t *n) {
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    *n = 0;
    if (!json_is_array(j)) {
        json_decref(j);
        return NULL;
    }
    const char **v = arena_alloc(a, (json_array_size(j) + 1) * sizeof *v);
    size_t i;
    json_t *s;
    json_array_foreach(j, i, s) {
        if (json_is_string(s))
            v[(*n)++] = arena_strdup(a, json_string_value(s));
    }
    json_decref(j);
    return v;
}

lw_status mt_aid(api_request *req, const lw_aid **out, lw_error *err) {
    lw_aid_category_row *rows = NULL;
    int n = 0;
    lw_status st = store_aid_categories(req->db, req->arena, &rows, &n, err);
    if (st != LW_OK)
        return st;
    const lw_aid_set *b = decision_aid_builtin();
    lw_aid_set *set = arena_alloc(req->arena, sizeof *set);
    *set = *b;
    lw_aid_category *cats = arena_alloc(req->arena, (b->n_categories + 1) * sizeof *cats);
    memcpy(cats, b->categories, b->n_categories * sizeof *cats);
    for (int i = 0; i < n; i++)
        for (size_t c = 0; c < b->n_categories; c++)
            if (strcmp(cats[c].id, rows[i].id) == 0) {
                size_t np = 0, nc = 0;
                const char *const *pros = strings_of(req->arena, rows[i].pros, &np);
                const char *const *cons = strings_of(req->arena, rows[i].cons, &nc);
                cats[c].name = rows[i].name;
                if (np) {
                    cats[c].pros = pros;
                    cats[c].n_pros = np;
                }
                if (nc) {
                    cats[c].cons = cons;
                    cats[c].n_cons = nc;
                }
            }
    set->categories = cats;
    return decision_aid_new(req->arena, set, out, err);
}

lw_status mt_ratings_json(const lw_aid *aid, const json_t *obj, lw_aid_ratings *r, lw_error *err) {
    decision_aid_ratings_init(r);
    if (!obj || json_is_null(obj))
        return LW_OK;
    if (!json_is_object(obj))
        return lw_fail(err, LW_EINVAL, "ratings",
                       "must be an object of question ids and ratings from 0 to 10");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        long long x = json_is_integer(v) ? (long long)json_integer_value(v) : -1;
        lw_status st = decision_aid_rate(aid, r, k, x, err);
        if (st != LW_OK)
            return st;
    }
    return LW_OK;
}

json_t *mt_ratings_out(const lw_aid *aid, const lw_aid_ratings *r) {
    const lw_aid_set *set = decision_aid_set(aid);
    json_t *o = json_object();
    for (size_t i = 0; i < set->n_questions; i++)
        if (r->value[i] != LW_AID_NOT_RATED)
            json_object_set_new(o, set->questions[i].id, json_integer(r->value[i]));
    return o;
}

json_t *mt_questions_json(const lw_aid *aid) {
    const lw_aid_set *set = decision_aid_set(aid);
    json_t *a = json_array();
    for (size_t i = 0; i < set->n_questions; i++)
        json_array_append_new(
            a, json_pack("{s:s, s:s}", "id", set->questions[i].id, "text", set->questions[i].text));
    return a;
}

static json_t *strings_json(const char *const *v, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

json_t *mt_category_json(const lw_aid *aid, size_t i) {
    const lw_aid_category *c = &decision_aid_set(aid)->categories[i];
    json_t *needs = json_array();
    for (int d = 0; d < LW_MATCH_NEED_COUNT; d++)
        if (c->needs & LW_MATCH_NEED_BIT(d))
            json_array_append_new(needs, json_string(match_need_name((lw_match_need)d)));
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id", c->id, "name", c->name, "summary",
                     c->summary, "pros", strings_json(c->pros, c->n_pros), "cons",
                     strings_json(c->cons, c->n_cons), "needs", needs);
}

/* ---- output ---- */

json_t *mt_service_json(const match_dir *md, size_t index) {
    const lw_match_service *s = &md->svc[index];
    json_t *cats = json_array();
    const lw_aid_set *set = decision_aid_set(md->aid);
    for (size_t c = 0; c < set->n_categories; c++)
        if ((md->cats[index] >> c) & 1u)
            json_array_append_new(cats, json_string(set->categories[c].id));
    return json_pack("{s:s, s:s, s:{s:s, s:s}, s:o}", "id", s->id, "name", s->name, "organization",
                     "id", md->org_ids[index], "name", s->organisation, "categories", cats);
}

json_t *mt_result_json(const match_dir *md, const lw_match_result *r) {
    json_t *parts = json_array();
    for (int i = 0; i < LW_MATCH_PART_COUNT; i++) {
        const lw_match_part *p = &r->part[i];
        if (!p->weight)
            continue;
        json_array_append_new(parts, json_pack("{s:s, s:i, s:i, s:s}", "part",
                                               match_part_name((lw_match_part_id)i), "weight",
                                               (int)p->weight, "fit", (int)p->fit, "reason",
                                               p->reason ? p->reason : ""));
    }
    return json_pack("{s:o, s:i, s:b, s:o, s:o, s:o}", "service", mt_service_json(md, r->index),
                     "score", r->score, "full", r->full, "distance_m",
                     r->distance_m >= 0 ? json_integer(r->distance_m) : json_null(), "travel_min",
                     r->travel_min >= 0 ? json_integer(r->travel_min) : json_null(), "parts",
                     parts);
}

json_t *mt_excluded_json(const match_dir *md, const lw_match_excluded *x) {
    json_t *reasons = json_array();
    for (size_t i = 0; i < x->n_reasons; i++)
        json_array_append_new(reasons, json_string(x->reasons[i]));
    return json_pack("{s:o, s:s, s:o}", "service", mt_service_json(md, x->index), "reason",
                     x->reason ? x->reason : "", "reasons", reasons);
}
