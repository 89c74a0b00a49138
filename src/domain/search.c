/*
 * The search index (see search.h): a dictionary of tokens with posting lists
 * sorted by service number, BM25 scoring with per-field weights folded into
 * the term frequency, and compact per-service data for the filters.
 */
#include "domain/search.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/directory.h"

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

static void *xrealloc(void *p, size_t n) {
    void *g = realloc(p, n ? n : 1);
    if (!g)
        abort();
    return g;
}

static char *xstrdup(const char *s) {
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = xmalloc(n);
    memcpy(d, s, n);
    return d;
}

#define GROW(arr, n, cap)                                                                          \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            (cap) = (cap) ? (cap)*2 : 4;                                                           \
            (arr) = xrealloc((arr), sizeof *(arr) * (size_t)(cap));                                \
        }                                                                                          \
    } while (0)

/* ---- a pool: the index's strings and arrays, in big blocks freed at once ---- */
typedef struct pool {
    char **blocks;
    size_t nblocks, cap;
    size_t used, size; /* of the last block */
    size_t total;
} pool;

static void *pool_alloc(pool *p, size_t n) {
    n = (n + 7) & ~(size_t)7;
    if (!p->nblocks || p->used + n > p->size) {
        size_t size = n > (1u << 20) ? n : (1u << 20);
        GROW(p->blocks, p->nblocks, p->cap);
        p->blocks[p->nblocks++] = xmalloc(size);
        p->used = 0;
        p->size = size;
        p->total += size;
    }
    void *r = p->blocks[p->nblocks - 1] + p->used;
    p->used += n;
    return r;
}

static char *pool_strdup(pool *p, const char *s) {
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = pool_alloc(p, n);
    memcpy(d, s, n);
    return d;
}

/* Moves N elements of SIZE from a malloc'd array into the pool. */
static void *pool_take(pool *p, void *arr, size_t n, size_t size) {
    if (!arr || !n) {
        free(arr);
        return NULL;
    }
    void *d = pool_alloc(p, n * size);
    memcpy(d, arr, n * size);
    free(arr);
    return d;
}

static void pool_free(pool *p) {
    for (size_t i = 0; i < p->nblocks; i++)
        free(p->blocks[i]);
    free(p->blocks);
}

/* ---- a string → int map (open addressing) ---- */
typedef struct smap {
    const char **keys;
    int *vals;
    size_t cap, n;
} smap;

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void smap_put(smap *m, const char *key, int val);

static void smap_grow(smap *m) {
    smap old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->keys = calloc(m->cap, sizeof *m->keys);
    m->vals = calloc(m->cap, sizeof *m->vals);
    if (!m->keys || !m->vals)
        abort();
    m->n = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i])
            smap_put(m, old.keys[i], old.vals[i]);
    free(old.keys);
    free(old.vals);
}

/* KEY is borrowed: it must outlive the map. */
static void smap_put(smap *m, const char *key, int val) {
    if ((m->n + 1) * 2 > m->cap)
        smap_grow(m);
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    if (!m->keys[i])
        m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
}

static int smap_get(const smap *m, const char *key) {
    if (!m->cap || !key)
        return -1;
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (strcmp(m->keys[i], key) == 0)
            return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return -1;
}

static void smap_free(smap *m) {
    free(m->keys);
    free(m->vals);
}

/* ---- the index ---- */
typedef struct token {
    char *s;
    uint32_t *doc;  /* the services it occurs in, ascending */
    uint16_t *tf;   /* how often, weighted by field */
    uint8_t *dense; /* common words: tf by service (capped at 255; 0: absent), or NULL */
    uint32_t n, cap;
} token;

typedef struct term {
    char *id, *name, *parent_id, *taxonomy_id;
    int parent, taxonomy;
} term;

typedef struct loc {
    int32_t lat, lon;
    int has;
} loc;

typedef struct sched {
    uint8_t days;
    int16_t open, close;
} sched;

/* The little a search reads for every match, packed together. */
/* Where a service is, when it is at exactly one place (else lat is NO_PLACE and the
 * full record is read): 8 bytes, so that the whole array stays in cache. */
typedef struct hot {
    int32_t lat, lon;
} hot;
#define NO_PLACE INT32_MIN

#define BM25_K1 1.2
#define BM25_B 0.75

typedef struct svc {
    char *id, *org_id, *name, *oruk_json, *lw_json;
    char *desc, *org_name; /* freed once tokenised */
    int16_t min_age, max_age;
    uint8_t status, cap, cost, setting, mh;
    uint32_t domains;
    int64_t modified, last_checked, managed_by;
    int *terms;
    int nterms, capterms;
    loc *locs;
    int nlocs, caplocs;
    char **sals;
    int nsals, capsals;
    sched *scheds;
    int nscheds, capscheds;
    float len;
} svc;

struct search_index {
    svc *svcs;
    size_t nsvcs, capsvcs;
    term *terms;
    size_t nterms, capterms;
    smap term_ix, tax_ix, svc_ix, tok_ix;
    char **taxonomies;
    size_t ntax, captax;
    token *toks;
    size_t ntoks, captoks;
    double avglen;
    int built;
    pool pool;
    /* Built by search_build(): what a search walks, in service order. */
    hot *hot;    /* per service: its place */
    float *norm; /* per service: BM25's length normalisation, k1 * (1 - b + b * len / avglen) */
    uint32_t **term_docs; /* per term: the services under it (or under a term below it) */
    uint32_t *term_ndocs;
    uint32_t **tax_docs; /* per taxonomy: the services with a term of it */
    uint32_t *tax_ndocs;
    uint8_t **term_bits; /* common terms and taxonomies: the same as bitmaps, or NULL */
    uint8_t **tax_bits;
};

/* A list at least this common also gets a by-service form, so that a search led by a
 * rarer list tests it in one load instead of a search through it. */
#define DENSE_MIN(n) ((n) >= 1024 ? (n) / 16 : (size_t)-1)

static uint8_t *bitmap_of(pool *p, const uint32_t *doc, uint32_t n, size_t nsvcs) {
    uint8_t *b = pool_alloc(p, nsvcs / 8 + 1);
    memset(b, 0, nsvcs / 8 + 1);
    for (uint32_t i = 0; i < n; i++)
        b[doc[i] >> 3] = (uint8_t)(b[doc[i] >> 3] | (1u << (doc[i] & 7)));
    return b;
}

search_index *search_new(void) {
    search_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        abort();
    return ix;
}

static int bit_of(const char *s, const char *const *list) {
    for (int i = 0; s && list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return i + 1;
    return 0;
}

static const char *const statuses[] = {"active", "inactive", "defunct", "temporarily closed", NULL};
static const char *const caps[] = {"capacity", "no_capacity", "waitlist", NULL};
static const char *const costs[] = {"free", "low", "paid", NULL};
static const char *const settings[] = {"group", "one_to_one", "either", NULL};

void search_add_term(search_index *ix, const char *id, const char *name, const char *parent_id,
                     const char *taxonomy_id) {
    GROW(ix->terms, ix->nterms, ix->capterms);
    term *t = &ix->terms[ix->nterms];
    t->id = xstrdup(id);
    t->name = xstrdup(name);
    t->parent_id = xstrdup(parent_id);
    t->taxonomy_id = xstrdup(taxonomy_id);
    t->parent = -1;
    t->taxonomy = -1;
    smap_put(&ix->term_ix, t->id, (int)ix->nterms);
    ix->nterms++;
}

int search_add_service(search_index *ix, const search_svc *s) {
    GROW(ix->svcs, ix->nsvcs, ix->capsvcs);
    svc *v = &ix->svcs[ix->nsvcs];
    memset(v, 0, sizeof *v);
    v->id = pool_strdup(&ix->pool, s->id);
    v->org_id = pool_strdup(&ix->pool, s->organization_id);
    v->name = pool_strdup(&ix->pool, s->name);
    v->desc = xstrdup(s->description);
    v->org_name = xstrdup(s->organization_name);
    v->oruk_json = pool_strdup(&ix->pool, s->oruk_json);
    v->lw_json = pool_strdup(&ix->pool, s->lw_json);
    v->min_age = (int16_t)(s->minimum_age < 0 ? -1 : s->minimum_age);
    v->max_age = (int16_t)(s->maximum_age < 0 ? -1 : s->maximum_age);
    v->status = (uint8_t)bit_of(s->status, statuses);
    v->cap = (uint8_t)bit_of(s->capacity_status, caps);
    v->cost = (uint8_t)bit_of(s->cost_band, costs);
    v->setting = (uint8_t)bit_of(s->setting, settings);
    v->mh = (uint8_t)(s->mental_health_ready != 0);
    v->domains = s->domains;
    v->modified = s->modified;
    v->last_checked = s->last_checked;
    v->managed_by = s->managed_by;
    smap_put(&ix->svc_ix, v->id, (int)ix->nsvcs);
    return (int)ix->nsvcs++;
}

void search_service_term(search_index *ix, int n, const char *term_id) {
    int t = smap_get(&ix->term_ix, term_id);
    if (t < 0 || n < 0 || (size_t)n >= ix->nsvcs)
        return;
    svc *v = &ix->svcs[n];
    for (int i = 0; i < v->nterms; i++)
        if (v->terms[i] == t)
            return;
    GROW(v->terms, v->nterms, v->capterms);
    v->terms[v->nterms++] = t;
}

void search_service_location(search_index *ix, int n, int64_t lat_e6, int64_t lon_e6, int has_point,
                             const char *sal_json) {
    if (n < 0 || (size_t)n >= ix->nsvcs)
        return;
    svc *v = &ix->svcs[n];
    if (has_point) {
        GROW(v->locs, v->nlocs, v->caplocs);
        v->locs[v->nlocs++] = (loc){(int32_t)lat_e6, (int32_t)lon_e6, 1};
    }
    if (sal_json) {
        GROW(v->sals, v->nsals, v->capsals);
        v->sals[v->nsals++] = pool_strdup(&ix->pool, sal_json);
    }
}

void search_service_schedule(search_index *ix, int n, unsigned days, int opens, int closes) {
    if (n < 0 || (size_t)n >= ix->nsvcs)
        return;
    svc *v = &ix->svcs[n];
    GROW(v->scheds, v->nscheds, v->capscheds);
    v->scheds[v->nscheds++] = (sched){(uint8_t)days, (int16_t)opens, (int16_t)closes};
}

/* ---- tokens ---- */

static const char *const stopwords[] = {
    "a",  "an",   "and", "are",  "as",  "at",  "be",   "by",   "for",  "from", "in",
    "is", "it",   "its", "of",   "on",  "or",  "our",  "that", "the",  "this", "to",
    "we", "with", "you", "your", "can", "all", "will", "who",  "have", "has",  NULL};

static void stem(char *w) {
    size_t n = strlen(w);
    if (n > 5 && strcmp(w + n - 3, "ing") == 0) {
        w[n - 3] = '\0';
        n -= 3;
        /* "walking" → "walk", "running" → "run" */
        if (n > 3 && w[n - 1] == w[n - 2] && !strchr("aeiouls", w[n - 1]))
            w[--n] = '\0';
        return;
    }
    if (n > 4 && strcmp(w + n - 3, "ies") == 0) {
        strcpy(w + n - 3, "y");
        return;
    }
    if (n > 4 && strcmp(w + n - 2, "ed") == 0 && w[n - 3] != 'e') {
        w[n - 2] = '\0';
        return;
    }
    if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != 'u' && w[n - 2] != 'i')
        w[n - 1] = '\0';
}

size_t search_tokenise(const char *text, char (*out)[32], size_t max) {
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (p && *p && n < max) {
        while (*p && !isalnum(*p) && *p < 0x80)
            p++;
        char w[32];
        size_t k = 0;
        while (*p && (isalnum(*p) || *p >= 0x80)) {
            if (k < sizeof w - 1)
                w[k++] = (char)tolower(*p);
            p++;
        }
        w[k] = '\0';
        if (k < 2 && !(k == 1 && isdigit((unsigned char)w[0])))
            continue;
        int stop = 0;
        for (int i = 0; stopwords[i] && !stop; i++)
            stop = strcmp(w, stopwords[i]) == 0;
        if (stop)
            continue;
        stem(w);
        memcpy(out[n++], w, sizeof w);
    }
    return n;
}

typedef struct tw {
    int tok;
    uint32_t w;
} tw;

static int tw_cmp(const void *a, const void *b) {
    const tw *x = a, *y = b;
    return (x->tok > y->tok) - (x->tok < y->tok);
}

static int token_id(search_index *ix, const char *w) {
    int t = smap_get(&ix->tok_ix, w);
    if (t >= 0)
        return t;
    GROW(ix->toks, ix->ntoks, ix->captoks);
    token *k = &ix->toks[ix->ntoks];
    memset(k, 0, sizeof *k);
    k->s = pool_strdup(&ix->pool, w);
    smap_put(&ix->tok_ix, k->s, (int)ix->ntoks);
    return (int)ix->ntoks++;
}

static void add_text(search_index *ix, const char *text, uint32_t weight, tw **buf, size_t *n,
                     size_t *cap, float *len) {
    /* Long descriptions are indexed in slices. */
    char(*w)[32] = xmalloc(sizeof *w * 4096);
    const char *p = text;
    while (p && *p) {
        /* Tokenise at most ~16 KB at a time. */
        size_t chunk = strlen(p);
        size_t take = chunk > 16000 ? 16000 : chunk;
        while (take < chunk && (isalnum((unsigned char)p[take]) || (unsigned char)p[take] >= 0x80))
            take++;
        char *slice = xmalloc(take + 1);
        memcpy(slice, p, take);
        slice[take] = '\0';
        size_t k = search_tokenise(slice, w, 4096);
        free(slice);
        for (size_t i = 0; i < k; i++) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 64;
                *buf = xrealloc(*buf, sizeof **buf * *cap);
            }
            (*buf)[(*n)++] = (tw){token_id(ix, w[i]), weight};
            *len += (float)weight;
        }
        p += take;
    }
    free(w);
}

void search_build(search_index *ix) {
    /* Term parents and taxonomies. */
    for (size_t i = 0; i < ix->nterms; i++) {
        term *t = &ix->terms[i];
        t->parent = smap_get(&ix->term_ix, t->parent_id);
        if (t->parent == (int)i)
            t->parent = -1;
        if (t->taxonomy_id) {
            int x = smap_get(&ix->tax_ix, t->taxonomy_id);
            if (x < 0) {
                GROW(ix->taxonomies, ix->ntax, ix->captax);
                ix->taxonomies[ix->ntax] = xstrdup(t->taxonomy_id);
                smap_put(&ix->tax_ix, ix->taxonomies[ix->ntax], (int)ix->ntax);
                x = (int)ix->ntax++;
            }
            t->taxonomy = x;
        }
    }
    tw *buf = NULL;
    size_t cap = 0;
    double total = 0;
    for (size_t d = 0; d < ix->nsvcs; d++) {
        svc *v = &ix->svcs[d];
        /* A service filed under a term is also under the term's ancestors. */
        int direct = v->nterms;
        for (int i = 0; i < direct; i++) {
            int p = ix->terms[v->terms[i]].parent;
            for (int depth = 0; p >= 0 && depth < 16; depth++) {
                int seen = 0;
                for (int k = 0; k < v->nterms && !seen; k++)
                    seen = v->terms[k] == p;
                if (!seen) {
                    GROW(v->terms, v->nterms, v->capterms);
                    v->terms[v->nterms++] = p;
                }
                p = ix->terms[p].parent;
            }
        }
        size_t n = 0;
        float len = 0;
        add_text(ix, v->name, 3, &buf, &n, &cap, &len);
        add_text(ix, v->desc, 1, &buf, &n, &cap, &len);
        add_text(ix, v->org_name, 2, &buf, &n, &cap, &len);
        for (int i = 0; i < direct; i++)
            add_text(ix, ix->terms[v->terms[i]].name, 2, &buf, &n, &cap, &len);
        free(v->desc);
        free(v->org_name);
        v->desc = v->org_name = NULL;
        v->len = len;
        total += len;
        qsort(buf, n, sizeof *buf, tw_cmp);
        for (size_t i = 0; i < n;) {
            size_t j = i;
            uint32_t tf = 0;
            while (j < n && buf[j].tok == buf[i].tok)
                tf += buf[j++].w;
            token *k = &ix->toks[buf[i].tok];
            if (k->n == k->cap) {
                k->cap = k->cap ? k->cap * 2 : 4;
                k->doc = xrealloc(k->doc, sizeof *k->doc * k->cap);
                k->tf = xrealloc(k->tf, sizeof *k->tf * k->cap);
            }
            k->doc[k->n] = (uint32_t)d;
            k->tf[k->n++] = (uint16_t)(tf > 65535 ? 65535 : tf);
            i = j;
        }
    }
    free(buf);
    /* Everything into the pool, packed: the build's growing arrays go. */
    for (size_t i = 0; i < ix->ntoks; i++) {
        token *k = &ix->toks[i];
        k->doc = pool_take(&ix->pool, k->doc, k->n, sizeof *k->doc);
        k->tf = pool_take(&ix->pool, k->tf, k->n, sizeof *k->tf);
        k->cap = k->n;
    }
    for (size_t d = 0; d < ix->nsvcs; d++) {
        svc *v = &ix->svcs[d];
        v->terms = pool_take(&ix->pool, v->terms, (size_t)v->nterms, sizeof *v->terms);
        v->locs = pool_take(&ix->pool, v->locs, (size_t)v->nlocs, sizeof *v->locs);
        v->sals = pool_take(&ix->pool, v->sals, (size_t)v->nsals, sizeof *v->sals);
        v->scheds = pool_take(&ix->pool, v->scheds, (size_t)v->nscheds, sizeof *v->scheds);
        v->capterms = v->nterms;
        v->caplocs = v->nlocs;
        v->capsals = v->nsals;
        v->capscheds = v->nscheds;
    }
    /* Services per term and per taxonomy, and the hot array. */
    ix->term_ndocs = calloc(ix->nterms + 1, sizeof *ix->term_ndocs);
    ix->term_docs = calloc(ix->nterms + 1, sizeof *ix->term_docs);
    ix->tax_ndocs = calloc(ix->ntax + 1, sizeof *ix->tax_ndocs);
    ix->tax_docs = calloc(ix->ntax + 1, sizeof *ix->tax_docs);
    ix->hot = pool_alloc(&ix->pool, sizeof *ix->hot * (ix->nsvcs + 1));
    ix->norm = pool_alloc(&ix->pool, sizeof *ix->norm * (ix->nsvcs + 1));
    if (!ix->term_ndocs || !ix->term_docs || !ix->tax_ndocs || !ix->tax_docs)
        abort();
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            for (size_t t = 0; t < ix->nterms; t++) {
                ix->term_docs[t] = pool_alloc(&ix->pool, sizeof(uint32_t) * ix->term_ndocs[t]);
                ix->term_ndocs[t] = 0;
            }
            for (size_t t = 0; t < ix->ntax; t++) {
                ix->tax_docs[t] = pool_alloc(&ix->pool, sizeof(uint32_t) * ix->tax_ndocs[t]);
                ix->tax_ndocs[t] = 0;
            }
        }
        for (size_t d = 0; d < ix->nsvcs; d++) {
            const svc *v = &ix->svcs[d];
            for (int i = 0; i < v->nterms; i++) {
                int t = v->terms[i];
                if (pass)
                    ix->term_docs[t][ix->term_ndocs[t]] = (uint32_t)d;
                ix->term_ndocs[t]++;
                int x = ix->terms[t].taxonomy, dup = 0;
                for (int k = 0; k < i && !dup; k++)
                    dup = ix->terms[v->terms[k]].taxonomy == x;
                if (x < 0 || dup)
                    continue;
                if (pass)
                    ix->tax_docs[x][ix->tax_ndocs[x]] = (uint32_t)d;
                ix->tax_ndocs[x]++;
            }
        }
    }
    ix->avglen = ix->nsvcs ? total / (double)ix->nsvcs : 1;
    if (ix->avglen <= 0)
        ix->avglen = 1;
    for (size_t d = 0; d < ix->nsvcs; d++) {
        const svc *v = &ix->svcs[d];
        float norm = (float)(BM25_K1 * (1 - BM25_B + BM25_B * (double)v->len / ix->avglen));
        ix->hot[d] = v->nlocs == 1 ? (hot){v->locs[0].lat, v->locs[0].lon} : (hot){NO_PLACE, 0};
        ix->norm[d] = norm;
    }
    size_t dense = DENSE_MIN(ix->nsvcs);
    for (size_t i = 0; i < ix->ntoks; i++) {
        token *k = &ix->toks[i];
        if (k->n < dense)
            continue;
        k->dense = pool_alloc(&ix->pool, ix->nsvcs);
        memset(k->dense, 0, ix->nsvcs);
        for (uint32_t j = 0; j < k->n; j++)
            k->dense[k->doc[j]] = (uint8_t)(k->tf[j] > 255 ? 255 : k->tf[j]);
    }
    ix->term_bits = calloc(ix->nterms + 1, sizeof *ix->term_bits);
    ix->tax_bits = calloc(ix->ntax + 1, sizeof *ix->tax_bits);
    if (!ix->term_bits || !ix->tax_bits)
        abort();
    for (size_t t = 0; t < ix->nterms; t++)
        if (ix->term_ndocs[t] >= dense)
            ix->term_bits[t] = bitmap_of(&ix->pool, ix->term_docs[t], ix->term_ndocs[t], ix->nsvcs);
    for (size_t t = 0; t < ix->ntax; t++)
        if (ix->tax_ndocs[t] >= dense)
            ix->tax_bits[t] = bitmap_of(&ix->pool, ix->tax_docs[t], ix->tax_ndocs[t], ix->nsvcs);
    ix->avglen = ix->nsvcs ? total / (double)ix->nsvcs : 1;
    if (ix->avglen <= 0)
        ix->avglen = 1;
    ix->built = 1;
}

void search_free(search_index *ix) {
    if (!ix)
        return;
    /* Before search_build() some arrays are still malloc'd. */
    if (!ix->built) {
        for (size_t i = 0; i < ix->nsvcs; i++) {
            svc *v = &ix->svcs[i];
            free(v->desc);
            free(v->org_name);
            free(v->terms);
            free(v->locs);
            free(v->sals);
            free(v->scheds);
        }
        for (size_t i = 0; i < ix->ntoks; i++) {
            free(ix->toks[i].doc);
            free(ix->toks[i].tf);
        }
    }
    free(ix->svcs);
    for (size_t i = 0; i < ix->nterms; i++) {
        free(ix->terms[i].id);
        free(ix->terms[i].name);
        free(ix->terms[i].parent_id);
        free(ix->terms[i].taxonomy_id);
    }
    free(ix->terms);
    for (size_t i = 0; i < ix->ntax; i++)
        free(ix->taxonomies[i]);
    free(ix->taxonomies);
    free(ix->toks);
    free(ix->term_docs);
    free(ix->term_ndocs);
    free(ix->tax_docs);
    free(ix->tax_ndocs);
    free(ix->term_bits);
    free(ix->tax_bits);
    smap_free(&ix->term_ix);
    smap_free(&ix->tax_ix);
    smap_free(&ix->svc_ix);
    smap_free(&ix->tok_ix);
    pool_free(&ix->pool);
    free(ix);
}

size_t search_count(const search_index *ix) {
    return ix->nsvcs;
}

size_t search_memory(const search_index *ix) {
    return sizeof *ix + ix->capsvcs * sizeof(svc) + ix->capterms * sizeof(term) +
           ix->captoks * sizeof(token) + ix->pool.total +
           (ix->svc_ix.cap + ix->tok_ix.cap + ix->term_ix.cap) * (sizeof(char *) + sizeof(int));
}

int search_find(const search_index *ix, const char *id) {
    return smap_get(&ix->svc_ix, id);
}

int search_term_known(const search_index *ix, const char *term_id) {
    return smap_get(&ix->term_ix, term_id) >= 0;
}

int search_taxonomy_known(const search_index *ix, const char *taxonomy_id) {
    return smap_get(&ix->tax_ix, taxonomy_id) >= 0;
}

const char *search_oruk_json(const search_index *ix, int n) {
    return ix->svcs[n].oruk_json;
}

const char *search_lw_json(const search_index *ix, int n) {
    return ix->svcs[n].lw_json;
}

const char *search_id(const search_index *ix, int n) {
    return ix->svcs[n].id;
}

int search_is_stale(const search_index *ix, int n, int64_t now) {
    return dir_is_stale(ix->svcs[n].last_checked, now);
}

const char *const *search_sal_json(const search_index *ix, int n, size_t *count) {
    *count = (size_t)ix->svcs[n].nsals;
    return (const char *const *)ix->svcs[n].sals;
}

/* ---- searching ---- */

void search_query_init(search_query *q) {
    memset(q, 0, sizeof *q);
    q->minimum_age = q->maximum_age = q->age = -1;
    q->day = q->start_time = q->end_time = -1;
    q->stale = -1;
    q->page = 1;
    q->per_page = 20;
}

/* Metres per micro-degree of latitude, and of longitude at the query's latitude: an
 * equirectangular approximation, within 0.1% of the great circle over the tens of
 * kilometres a person travels (and far cheaper than sines per candidate). */
typedef struct geo {
    double ky, kx;
} geo;

static int passes(const search_index *ix, const svc *v, const search_query *q, int want_term,
                  int taxonomy, const geo *g, double *dist) {
    if (q->statuses && !(v->status && (q->statuses & (1u << (v->status - 1)))))
        return 0;
    if (want_term >= 0) {
        int ok = 0;
        for (int i = 0; i < v->nterms && !ok; i++)
            ok = v->terms[i] == want_term;
        if (!ok)
            return 0;
    }
    if (taxonomy >= 0) {
        int ok = 0;
        for (int i = 0; i < v->nterms && !ok; i++)
            ok = ix->terms[v->terms[i]].taxonomy == taxonomy;
        if (!ok)
            return 0;
    }
    if (q->organization_id && (!v->org_id || strcmp(v->org_id, q->organization_id) != 0))
        return 0;
    if (q->modified_after && v->modified < q->modified_after)
        return 0;
    /* The standard's age filters apply to services that state an age. */
    if (q->minimum_age >= 0 && v->min_age >= 0 && v->min_age < q->minimum_age)
        return 0;
    if (q->maximum_age >= 0 && v->max_age >= 0 && v->max_age > q->maximum_age)
        return 0;
    if (q->age >= 0 &&
        ((v->min_age >= 0 && q->age < v->min_age) || (v->max_age >= 0 && q->age > v->max_age)))
        return 0;
    if (q->day >= 0 || q->start_time >= 0 || q->end_time >= 0) {
        int ok = 0;
        for (int i = 0; i < v->nscheds && !ok; i++) {
            const sched *s = &v->scheds[i];
            ok = (q->day < 0 || (s->days & (1u << q->day))) &&
                 (q->start_time < 0 || (s->open >= 0 && s->open >= q->start_time)) &&
                 (q->end_time < 0 || (s->close >= 0 && s->close <= q->end_time));
        }
        if (!ok)
            return 0;
    }
    if (q->domains && !(v->domains & q->domains))
        return 0;
    if (q->cost_bands && !(v->cost && (q->cost_bands & (1u << (v->cost - 1)))))
        return 0;
    if (q->capacity_statuses && !(v->cap && (q->capacity_statuses & (1u << (v->cap - 1)))))
        return 0;
    if (q->setting && v->setting != (unsigned)q->setting && v->setting != 3)
        return 0;
    if (q->stale >= 0 && dir_is_stale(v->last_checked, q->now) != q->stale)
        return 0;
    if (q->mental_health_ready && !v->mh)
        return 0;
    if (q->managed_by && v->managed_by != q->managed_by)
        return 0;
    *dist = -1;
    if (q->has_point) {
        double best = -1;
        for (int i = 0; i < v->nlocs; i++) {
            double dy = (double)(v->locs[i].lat - q->lat_e6) * g->ky;
            double dx = (double)(v->locs[i].lon - q->lon_e6) * g->kx;
            double d2 = dx * dx + dy * dy;
            if (best < 0 || d2 < best)
                best = d2;
        }
        if (q->radius_m > 0 && (best < 0 || best > q->radius_m * q->radius_m))
            return 0;
        *dist = best; /* squared until the page is chosen */
    }
    return 1;
}

typedef struct ctx {
    const search_index *ix;
    search_order order;
} ctx;

/* 1 when A should come before B. */
static int better(const ctx *c, const search_hit *a, const search_hit *b) {
    if (c->order == SEARCH_ORDER_RELEVANCE && a->score != b->score)
        return a->score > b->score;
    if (c->order == SEARCH_ORDER_DISTANCE && a->distance_m != b->distance_m) {
        if (a->distance_m < 0 || b->distance_m < 0)
            return b->distance_m < 0;
        return a->distance_m < b->distance_m;
    }
    /* Ties of relevance or distance keep the index's order (by id): comparing names
     * would fetch two scattered strings per comparison. */
    if (c->order == SEARCH_ORDER_AUTO) {
        int k = strcmp(c->ix->svcs[a->svc].name, c->ix->svcs[b->svc].name);
        if (k)
            return k < 0;
    }
    return a->svc < b->svc;
}

/* A max-heap by "worse first": the root is the worst hit kept. */
static void sift_down(const ctx *c, search_hit *h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && better(c, &h[w], &h[l]))
            w = l;
        if (r < n && better(c, &h[w], &h[r]))
            w = r;
        if (w == i)
            return;
        search_hit t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void sift_up(const ctx *c, search_hit *h, size_t i) {
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!better(c, &h[p], &h[i]))
            return;
        search_hit t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

typedef struct topk {
    const ctx *c;
    search_hit *h;
    size_t n, k;
    size_t total;
} topk;

static void offer(topk *t, search_hit hit) {
    t->total++;
    if (t->k == 0)
        return;
    if (t->n < t->k) {
        t->h[t->n] = hit;
        sift_up(t->c, t->h, t->n++);
    } else if (better(t->c, &hit, &t->h[0])) {
        t->h[0] = hit;
        sift_down(t->c, t->h, t->n, 0);
    }
}

/* Finds DOC in P[from..n) by galloping; the index of the first posting >= DOC. */
static uint32_t gallop(const uint32_t *p, uint32_t from, uint32_t n, uint32_t doc) {
    uint32_t step = 1, lo = from, hi = from;
    while (hi < n && p[hi] < doc) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > n)
        hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p[mid] < doc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A sorted list of services the results must be in: a word's (with its weighted
 * frequencies, for the score) or a term's or taxonomy's (without). */
typedef struct qtok {
    const uint32_t *doc;
    const uint16_t *tf;   /* NULL: a filter, not scored */
    const uint8_t *dense; /* a common word's tf by service, or NULL */
    const uint8_t *bits;  /* a common filter's bitmap, or NULL */
    uint32_t n, cur;
    double idf;
    float w;    /* idf * (k1 + 1) */
    double tfv; /* this match's tf */
} qtok;

static int qtok_cmp(const void *a, const void *b) {
    const qtok *x = a, *y = b;
    return (x->n > y->n) - (x->n < y->n);
}

/* Whether Q has filters beyond words, terms, taxonomies and distance (which are
 * answered from the lists and the hot array). */
static int needs_passes(const search_query *q) {
    return q->statuses || q->organization_id || q->modified_after || q->minimum_age >= 0 ||
           q->maximum_age >= 0 || q->age >= 0 || q->day >= 0 || q->start_time >= 0 ||
           q->end_time >= 0 || q->domains || q->cost_bands || q->capacity_statuses || q->setting ||
           q->stale >= 0 || q->mental_health_ready || q->managed_by;
}

/* Distance from the hot array alone; 0 when the service is out of range. */
static int near_enough(const search_index *ix, uint32_t d, const search_query *q, const geo *g,
                       double *dist) {
    *dist = -1;
    if (!q->has_point)
        return 1;
    const hot *h = &ix->hot[d];
    if (h->lat != NO_PLACE) {
        double dy = (double)(h->lat - q->lat_e6) * g->ky;
        double dx = (double)(h->lon - q->lon_e6) * g->kx;
        double d2 = dx * dx + dy * dy;
        if (q->radius_m > 0 && d2 > q->radius_m * q->radius_m)
            return 0;
        *dist = d2; /* squared until the page is chosen */
        return 1;
    }
    return passes(ix, &ix->svcs[d], q, -1, -1, g, dist); /* several places, or none */
}

void search_run(const search_index *ix, const search_query *q, search_result *out) {
    memset(out, 0, sizeof *out);
    char words[16][32];
    size_t nw = q->words ? search_tokenise(q->words, words, 16) : 0;
    qtok qt[18];
    size_t nq = 0, nscored = 0;
    int missing = 0;
    for (size_t i = 0; i < nw; i++) {
        int dup = 0;
        for (size_t k = 0; k < i && !dup; k++)
            dup = strcmp(words[k], words[i]) == 0;
        if (dup)
            continue;
        int t = smap_get(&ix->tok_ix, words[i]);
        if (t < 0) {
            missing = 1;
            break;
        }
        const token *tk = &ix->toks[t];
        double N = (double)ix->nsvcs, df = (double)tk->n;
        qt[nq++] = (qtok){.doc = tk->doc,
                          .tf = tk->tf,
                          .dense = tk->dense,
                          .n = tk->n,
                          .idf = log(1.0 + (N - df + 0.5) / (df + 0.5)),
                          .w = (float)(log(1.0 + (N - df + 0.5) / (df + 0.5)) * (BM25_K1 + 1))};
    }
    nscored = nq;
    if (q->taxonomy_term_id) {
        int tm = smap_get(&ix->term_ix, q->taxonomy_term_id);
        if (tm < 0)
            missing = 1;
        else
            qt[nq++] = (qtok){
                .doc = ix->term_docs[tm], .bits = ix->term_bits[tm], .n = ix->term_ndocs[tm]};
    }
    if (q->taxonomy_id) {
        int x = smap_get(&ix->tax_ix, q->taxonomy_id);
        if (x < 0)
            missing = 1;
        else
            qt[nq++] =
                (qtok){.doc = ix->tax_docs[x], .bits = ix->tax_bits[x], .n = ix->tax_ndocs[x]};
    }
    ctx c = {ix, q->order};
    if (c.order == SEARCH_ORDER_AUTO)
        c.order = nscored ? SEARCH_ORDER_RELEVANCE
                          : (q->has_point ? SEARCH_ORDER_DISTANCE : SEARCH_ORDER_AUTO);
    size_t k = (size_t)q->page * (size_t)q->per_page;
    if (k > ix->nsvcs)
        k = ix->nsvcs;
    topk t = {&c, xmalloc(sizeof(search_hit) * (k ? k : 1)), 0, k, 0};
    geo g = {.ky = 6371008.8 * M_PI / 180e6};
    g.kx = g.ky * cos((double)q->lat_e6 * M_PI / 180e6);
    int full = needs_passes(q);
    if (missing) {
        /* A word no service has, or an unknown term: nothing matches. */
    } else if (nq) {
        /* The rarest list leads; the others are tested in one load (common words and
         * terms) or galloped through in step. */
        qsort(qt, nq, sizeof *qt, qtok_cmp);
        const qtok *first = &qt[0];
        const uint8_t *dense[16], *bits[16];
        float dense_w[16], gal_w[16];
        qtok *gal[16];
        size_t nd = 0, nb = 0, ng = 0;
        for (size_t j = 1; j < nq; j++) {
            if (qt[j].dense) {
                dense_w[nd] = qt[j].w;
                dense[nd++] = qt[j].dense;
            } else if (qt[j].bits) {
                bits[nb++] = qt[j].bits;
            } else {
                gal_w[ng] = qt[j].tf ? qt[j].w : 0;
                gal[ng++] = &qt[j];
            }
        }
        float r2 = (float)(q->radius_m * q->radius_m), ky = (float)g.ky, kx = (float)g.kx;
        for (uint32_t i = 0; i < first->n; i++) {
            uint32_t doc = first->doc[i];
            /* The matches' data is scattered: ask for it a little ahead. */
            if (i + 16 < first->n) {
                uint32_t ahead = first->doc[i + 16];
                __builtin_prefetch(&ix->hot[ahead]);
                __builtin_prefetch(&ix->norm[ahead]);
                for (size_t x = 0; x < nd; x++)
                    __builtin_prefetch(&dense[x][ahead]);
            }
            float tfs[16], ws[16];
            size_t ns = 0;
            if (first->tf) {
                tfs[ns] = first->tf[i];
                ws[ns++] = first->w;
            }
            for (size_t x = 0; x < nd; x++) {
                uint8_t v = dense[x][doc];
                if (!v)
                    goto next;
                tfs[ns] = v;
                ws[ns++] = dense_w[x];
            }
            for (size_t x = 0; x < nb; x++)
                if (!((bits[x][doc >> 3] >> (doc & 7)) & 1))
                    goto next;
            for (size_t x = 0; x < ng; x++) {
                qtok *l = gal[x];
                l->cur = gallop(l->doc, l->cur, l->n, doc);
                if (l->cur >= l->n || l->doc[l->cur] != doc)
                    goto next;
                if (l->tf) {
                    tfs[ns] = l->tf[l->cur];
                    ws[ns++] = gal_w[x];
                }
            }
            double dist = -1;
            if (full) {
                if (!passes(ix, &ix->svcs[doc], q, -1, -1, &g, &dist))
                    continue;
            } else if (q->has_point) {
                hot h = ix->hot[doc];
                if (h.lat == NO_PLACE) {
                    if (!passes(ix, &ix->svcs[doc], q, -1, -1, &g, &dist))
                        continue;
                } else {
                    float dy = (float)(h.lat - q->lat_e6) * ky,
                          dx = (float)(h.lon - q->lon_e6) * kx;
                    float d2 = dx * dx + dy * dy;
                    if (r2 > 0 && d2 > r2)
                        continue;
                    dist = d2; /* squared until the page is chosen */
                }
            }
            {
                /* BM25 as one fraction num / den (the sum of idf * tf * (k1 + 1) /
                 * (tf + norm)), so that most matches — those that cannot beat the worst of
                 * a full page — are only counted, without a division. */
                float norm = ix->norm[doc], num = 0, den = 1;
                for (size_t x = 0; x < ns; x++) {
                    float d = tfs[x] + norm;
                    num = num * d + ws[x] * tfs[x] * den;
                    den *= d;
                }
                if (t.n == t.k && c.order == SEARCH_ORDER_RELEVANCE && num < t.h[0].score * den) {
                    t.total++;
                    continue;
                }
                offer(&t, (search_hit){(int)doc, num / den, dist});
            }
        next:;
        }
    } else {
        for (uint32_t d = 0; d < (uint32_t)ix->nsvcs; d++) {
            double dist;
            if (full ? passes(ix, &ix->svcs[d], q, -1, -1, &g, &dist)
                     : near_enough(ix, d, q, &g, &dist))
                offer(&t, (search_hit){(int)d, 0, dist});
        }
    }
    /* Heap sort: the worst goes to the end, so the best ends up first. */
    for (size_t i = t.n; i > 1; i--) {
        search_hit tmp = t.h[0];
        t.h[0] = t.h[i - 1];
        t.h[i - 1] = tmp;
        sift_down(&c, t.h, i - 1, 0);
    }
    for (size_t i = 0; i < t.n; i++)
        if (t.h[i].distance_m > 0)
            t.h[i].distance_m = sqrt(t.h[i].distance_m);
    size_t from = (size_t)(q->page - 1) * (size_t)q->per_page;
    out->total = t.total;
    if (from < t.n) {
        out->nhits = t.n - from;
        out->hits = xmalloc(sizeof *out->hits * out->nhits);
        memcpy(out->hits, t.h + from, sizeof *out->hits * out->nhits);
    }
    free(t.h);
}

size_t search_query_key(const search_query *q, char *buf, size_t size) {
    if (q->stale >= 0 || size == 0)
        return 0;
    char words[16][32];
    size_t nw = q->words ? search_tokenise(q->words, words, 16) : 0;
    size_t n = 0;
#define KEY_PUT(...)                                                                               \
    do {                                                                                           \
        int k_ = snprintf(buf + n, size - n, __VA_ARGS__);                                         \
        if (k_ < 0 || (size_t)k_ >= size - n)                                                      \
            return 0;                                                                              \
        n += (size_t)k_;                                                                           \
    } while (0)
    for (size_t i = 0; i < nw; i++)
        KEY_PUT("%s ", words[i]);
    /* Strings with their lengths, so that no value can pass for two. */
    const char *strs[3] = {q->taxonomy_term_id, q->taxonomy_id, q->organization_id};
    for (int i = 0; i < 3; i++) {
        if (strs[i])
            KEY_PUT("|%zu:%s", strlen(strs[i]), strs[i]);
        else
            KEY_PUT("|-");
    }
    KEY_PUT("|%lld|%d|%d|%d|%d|%d|%d", (long long)q->modified_after, q->minimum_age, q->maximum_age,
            q->age, q->day, q->start_time, q->end_time);
    if (q->has_point)
        KEY_PUT("|%lld,%lld,%.17g", (long long)q->lat_e6, (long long)q->lon_e6, q->radius_m);
    else
        KEY_PUT("|-");
    KEY_PUT("|%u|%u|%u|%u|%d|%d|%lld|%d|%d|%d", (unsigned)q->domains, q->cost_bands,
            q->capacity_statuses, q->statuses, q->setting, q->mental_health_ready,
            (long long)q->managed_by, (int)q->order, q->page, q->per_page);
#undef KEY_PUT
    return n;
}

void search_result_free(search_result *r) {
    if (!r)
        return;
    free(r->hits);
    r->hits = NULL;
    r->nhits = 0;
}
