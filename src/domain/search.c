/*
 * The search index (see search.h): a dictionary of tokens with posting lists
 * sorted by service number, BM25 scoring with per-field weights folded into
 * the term frequency, and compact per-service data for the filters.
 *
 * Inside, services are numbered by place (number_by_place()) in blocks of 64
 * with bounding boxes; common lists also have bitmaps, one word per block, and
 * per-block bounds on each word's score, so that a search intersects, skips
 * and counts blocks and reads the data of only the matches that may reach its
 * page (run_blocks()). Outside, a service keeps the number it was added with.
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

/* N bytes at a multiple of ALIGN (a power of two): 8 for arrays, 1 for strings, which
 * are most of the index and would waste 3.5 bytes each on average when aligned. */
static void *pool_get(pool *p, size_t n, size_t align) {
    size_t at = (p->used + align - 1) & ~(align - 1);
    if (!p->nblocks || at + n > p->size) {
        size_t size = n > (1u << 20) ? n : (1u << 20);
        GROW(p->blocks, p->nblocks, p->cap);
        p->blocks[p->nblocks++] = xmalloc(size);
        p->size = size;
        p->total += size;
        at = 0;
    }
    void *r = p->blocks[p->nblocks - 1] + at;
    p->used = at + n;
    return r;
}

static void *pool_alloc(pool *p, size_t n) {
    return pool_get(p, n, 8);
}

static char *pool_strdup(pool *p, const char *s) {
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = pool_get(p, n, 1);
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
    uint64_t *bits; /* words in more than 1/64 of the services: the list as a bitmap */
    uint32_t *rank; /* with bits: per block, how many of its postings come before it */
    uint8_t *bimp;  /* with bits: per block, the most its BM25 part tf / (tf + norm) is
                     * there, in 255ths rounded up (a bound on the word's score there) */
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

/* The bounding box of a block's places; lat_min is NO_PLACE when some service of the
 * block has no single place (the block is then always tested service by service). */
typedef struct box {
    int32_t lat_min, lat_max, lon_min, lon_max;
} box;
#define BLOCK_SHIFT 6 /* 64: a block is one word of a bitmap (run_blocks()) */
#define BLOCK (1u << BLOCK_SHIFT)
#define SUPER 16

#define BM25_K1 1.2
#define BM25_B 0.75

/* A service_at_location: its id and its location's (NULL: none), the two strings its list
 * item is written from (api/directory_index.c), kept instead of the item itself. */
typedef struct sal_ref {
    char *id, *location_id;
} sal_ref;

/* An organisation: its id and name, once for all its services. */
typedef struct org_ref {
    char *id, *name;
} org_ref;

/* A service's own data, 128 bytes: its lists grow by doubling while the index is built
 * (so need no capacity kept), and its organisation is a number in orgs[]. Of the JSON
 * it is shown as, only the Open Referral list item is kept whole; linkwell's members are
 * written from the fields below when asked for (search_lw_fields()). */
typedef struct svc {
    char *id, *name, *oruk_json;
    int64_t modified, last_checked, managed_by;
    int *terms;
    loc *locs;
    sal_ref *sals;
    sched *scheds;
    int nterms, nlocs, nsals, nscheds;
    int32_t org; /* -1: none */
    uint32_t domains;
    int32_t capacity; /* -1: not said */
    float len;
    int16_t min_age, max_age;
    uint8_t status, cap, cost, setting, mh;
} svc;

/* Room for one more in ARR of N, grown by doubling: at 0, 4, 8, 16, … */
#define GROW_POW2(arr, n)                                                                          \
    do {                                                                                           \
        if ((n) == 0 || ((n) >= 4 && ((n) & ((n)-1)) == 0))                                        \
            (arr) = xrealloc((arr), sizeof *(arr) * (size_t)((n) ? (n)*2 : 4));                    \
    } while (0)

struct search_index {
    svc *svcs;
    size_t nsvcs, capsvcs;
    char **btext; /* while building: per service its description and organisation name */
    size_t capbtext;
    org_ref *orgs; /* organisations, once each */
    size_t norgs, caporgs;
    smap org_ix;
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
    uint64_t **term_bits; /* common terms and taxonomies: the same as bitmaps, or NULL */
    uint64_t **tax_bits;
    /* Services are numbered twice. Outside (search_hit.svc, search_find(), svcs[]) a
     * service keeps the number it was added with. Inside — posting lists, term lists,
     * bitmaps, hot, norm — it has its place in an order by place (a Hilbert curve over
     * its coordinates; services without exactly one place last), so that the services
     * near a point are runs of consecutive numbers: posting lists are in that order,
     * and a block of BLOCK consecutive services has a bounding box that a search with a
     * radius tests once for the whole block. */
    uint32_t *ext_of; /* inside number → outside number */
    box *boxes;       /* per block of BLOCK inside numbers */
    box *sboxes;      /* per SUPER blocks: the box of their boxes */
    float *bnorm;     /* per block: the least norm in it (for a bound on its scores) */
};

/* A word at least this common is a "common" word: a search sums its part of the score
 * after the lead list's and before rarer words' (the order in which the scores have
 * always been summed, so that they round the same). */
#define DENSE_MIN(n) ((n) >= 1024 ? (n) / 16 : (size_t)-1)
/* A list in more than 1/64 of the services is also kept as a bitmap (no larger than the
 * list): one 64-bit word of it per block of services, so that a search whose lists all
 * have one intersects them a block at a time. */
#define BITS_MIN(n) ((n) / 64 > 0 ? (n) / 64 : 1)

/* Set bits of a word, without the library call that __builtin_popcountll becomes on
 * x86-64 without -mpopcnt. */
static inline uint32_t popcount64(uint64_t x) {
#ifdef __POPCNT__
    return (uint32_t)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (uint32_t)((x * 0x0101010101010101ULL) >> 56);
#endif
}

/* A search counts bits in every block it visits (run_blocks()) or for every match of a
 * common word (search_run()): on x86-64 both are also compiled for processors with the
 * popcnt instruction (almost all), chosen when the program starts, where the compiler
 * turns popcount64() into that one instruction. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__POPCNT__)
#define POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define POPCNT_CLONES
#endif

/* How many of the bits below bit N (0..63) are set in W. */
static inline uint32_t rank_below(uint64_t w, uint32_t n) {
    return popcount64(w & (((uint64_t)1 << n) - 1));
}

static uint64_t *bitmap_of(pool *p, const uint32_t *doc, uint32_t n, size_t nsvcs) {
    size_t words = (nsvcs + 63) / 64 + 1;
    uint64_t *b = pool_alloc(p, sizeof *b * words);
    memset(b, 0, sizeof *b * words);
    for (uint32_t i = 0; i < n; i++)
        b[doc[i] >> 6] |= (uint64_t)1 << (doc[i] & 63);
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
    if (2 * ix->nsvcs + 2 > ix->capbtext) {
        ix->capbtext = ix->capsvcs * 2;
        ix->btext = xrealloc(ix->btext, sizeof *ix->btext * ix->capbtext);
    }
    svc *v = &ix->svcs[ix->nsvcs];
    memset(v, 0, sizeof *v);
    v->id = pool_strdup(&ix->pool, s->id);
    v->org = -1;
    if (s->organization_id) {
        v->org = smap_get(&ix->org_ix, s->organization_id);
        if (v->org < 0) {
            GROW(ix->orgs, ix->norgs, ix->caporgs);
            ix->orgs[ix->norgs].id = pool_strdup(&ix->pool, s->organization_id);
            ix->orgs[ix->norgs].name =
                s->organization_name ? pool_strdup(&ix->pool, s->organization_name) : NULL;
            smap_put(&ix->org_ix, ix->orgs[ix->norgs].id, (int)ix->norgs);
            v->org = (int32_t)ix->norgs++;
        }
    }
    v->name = pool_strdup(&ix->pool, s->name);
    ix->btext[2 * ix->nsvcs] = xstrdup(s->description);
    ix->btext[2 * ix->nsvcs + 1] = xstrdup(s->organization_name);
    v->oruk_json = pool_strdup(&ix->pool, s->oruk_json);
    v->capacity = s->capacity < 0 || s->capacity > INT32_MAX ? -1 : (int32_t)s->capacity;
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
    GROW_POW2(v->terms, v->nterms);
    v->terms[v->nterms++] = t;
}

void search_service_location(search_index *ix, int n, int64_t lat_e6, int64_t lon_e6, int has_point,
                             const char *sal_id, const char *location_id) {
    if (n < 0 || (size_t)n >= ix->nsvcs)
        return;
    svc *v = &ix->svcs[n];
    if (has_point) {
        GROW_POW2(v->locs, v->nlocs);
        v->locs[v->nlocs++] = (loc){(int32_t)lat_e6, (int32_t)lon_e6, 1};
    }
    if (sal_id) {
        GROW_POW2(v->sals, v->nsals);
        v->sals[v->nsals++] = (sal_ref){pool_strdup(&ix->pool, sal_id),
                                        location_id ? pool_strdup(&ix->pool, location_id) : NULL};
    }
}

void search_service_schedule(search_index *ix, int n, unsigned days, int opens, int closes) {
    if (n < 0 || (size_t)n >= ix->nsvcs)
        return;
    svc *v = &ix->svcs[n];
    GROW_POW2(v->scheds, v->nscheds);
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

/* The position of (X, Y) on a Hilbert curve over a 65,536 × 65,536 grid: points near
 * each other on the map are mostly near each other on the curve. */
static uint64_t hilbert(uint32_t x, uint32_t y) {
    uint64_t d = 0;
    for (uint32_t s = 1u << 15; s > 0; s >>= 1) {
        uint32_t rx = (x & s) ? 1 : 0, ry = (y & s) ? 1 : 0;
        d += (uint64_t)s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = 0xFFFFu - x;
                y = 0xFFFFu - y;
            }
            uint32_t t = x;
            x = y;
            y = t;
        }
    }
    return d;
}

static int u64_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The single place of a service, or 0 when it has none or several. */
static int single_place(const svc *v, int32_t *lat, int32_t *lon) {
    if (v->nlocs != 1)
        return 0;
    *lat = v->locs[0].lat;
    *lon = v->locs[0].lon;
    return 1;
}

/* The inside numbers: services in the order of their place on a Hilbert curve (over the
 * bounding box of all places), those without a single place last; ties by the outside
 * number, so the order is the same for the same directory. */
static void number_by_place(search_index *ix) {
    size_t n = ix->nsvcs;
    int32_t lat0 = INT32_MAX, lat1 = INT32_MIN, lon0 = INT32_MAX, lon1 = INT32_MIN;
    for (size_t d = 0; d < n; d++) {
        int32_t la, lo;
        if (!single_place(&ix->svcs[d], &la, &lo))
            continue;
        lat0 = la < lat0 ? la : lat0;
        lat1 = la > lat1 ? la : lat1;
        lon0 = lo < lon0 ? lo : lon0;
        lon1 = lo > lon1 ? lo : lon1;
    }
    double sy = lat1 > lat0 ? 65535.0 / ((double)lat1 - lat0) : 0;
    double sx = lon1 > lon0 ? 65535.0 / ((double)lon1 - lon0) : 0;
    /* key: the curve position (32 bits, or all ones: no place) above the outside number */
    uint64_t *key = xmalloc(sizeof *key * (n + 1));
    for (size_t d = 0; d < n; d++) {
        int32_t la, lo;
        uint64_t h = 0xFFFFFFFFu;
        if (single_place(&ix->svcs[d], &la, &lo))
            h = hilbert((uint32_t)(((double)lo - lon0) * sx),
                        (uint32_t)(((double)la - lat0) * sy)) >>
                1;
        key[d] = h << 32 | (uint64_t)d;
    }
    qsort(key, n, sizeof *key, u64_cmp);
    ix->ext_of = pool_alloc(&ix->pool, sizeof *ix->ext_of * (n + 1));
    for (size_t i = 0; i < n; i++)
        ix->ext_of[i] = (uint32_t)(key[i] & 0xFFFFFFFFu);
    free(key);
    size_t nb = (n + BLOCK - 1) / BLOCK;
    ix->boxes = pool_alloc(&ix->pool, sizeof *ix->boxes * (nb + 1));
    for (size_t b = 0; b < nb; b++) {
        box x = {INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN};
        for (size_t i = b * BLOCK; i < n && i < (b + 1) * BLOCK; i++) {
            int32_t la, lo;
            if (!single_place(&ix->svcs[ix->ext_of[i]], &la, &lo)) {
                x.lat_min = NO_PLACE;
                break;
            }
            x.lat_min = la < x.lat_min ? la : x.lat_min;
            x.lat_max = la > x.lat_max ? la : x.lat_max;
            x.lon_min = lo < x.lon_min ? lo : x.lon_min;
            x.lon_max = lo > x.lon_max ? lo : x.lon_max;
        }
        ix->boxes[b] = x;
    }
    size_t nsb = (nb + SUPER - 1) / SUPER;
    ix->sboxes = pool_alloc(&ix->pool, sizeof *ix->sboxes * (nsb + 1));
    for (size_t sb = 0; sb < nsb; sb++) {
        box x = {INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN};
        for (size_t b = sb * SUPER; b < nb && b < (sb + 1) * SUPER; b++) {
            const box *y = &ix->boxes[b];
            if (y->lat_min == NO_PLACE) {
                x.lat_min = NO_PLACE;
                break;
            }
            x.lat_min = y->lat_min < x.lat_min ? y->lat_min : x.lat_min;
            x.lat_max = y->lat_max > x.lat_max ? y->lat_max : x.lat_max;
            x.lon_min = y->lon_min < x.lon_min ? y->lon_min : x.lon_min;
            x.lon_max = y->lon_max > x.lon_max ? y->lon_max : x.lon_max;
        }
        ix->sboxes[sb] = x;
    }
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
    /* The services' array at its final size (it grew by doubling). */
    ix->svcs = xrealloc(ix->svcs, sizeof *ix->svcs * (ix->nsvcs ? ix->nsvcs : 1));
    ix->capsvcs = ix->nsvcs;
    number_by_place(ix);
    tw *buf = NULL;
    size_t cap = 0;
    double total = 0;
    for (size_t in = 0; in < ix->nsvcs; in++) {
        svc *v = &ix->svcs[ix->ext_of[in]];
        /* A service filed under a term is also under the term's ancestors. */
        int direct = v->nterms;
        for (int i = 0; i < direct; i++) {
            int p = ix->terms[v->terms[i]].parent;
            for (int depth = 0; p >= 0 && depth < 16; depth++) {
                int seen = 0;
                for (int k = 0; k < v->nterms && !seen; k++)
                    seen = v->terms[k] == p;
                if (!seen) {
                    GROW_POW2(v->terms, v->nterms);
                    v->terms[v->nterms++] = p;
                }
                p = ix->terms[p].parent;
            }
        }
        size_t n = 0;
        float len = 0;
        add_text(ix, v->name, 3, &buf, &n, &cap, &len);
        char **text = &ix->btext[2 * (size_t)ix->ext_of[in]];
        add_text(ix, text[0], 1, &buf, &n, &cap, &len);
        add_text(ix, text[1], 2, &buf, &n, &cap, &len);
        for (int i = 0; i < direct; i++)
            add_text(ix, ix->terms[v->terms[i]].name, 2, &buf, &n, &cap, &len);
        free(text[0]);
        free(text[1]);
        text[0] = text[1] = NULL;
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
            k->doc[k->n] = (uint32_t)in;
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
    }
    free(ix->btext);
    ix->btext = NULL;
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
            const svc *v = &ix->svcs[ix->ext_of[d]];
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
        const svc *v = &ix->svcs[ix->ext_of[d]];
        float norm = (float)(BM25_K1 * (1 - BM25_B + BM25_B * (double)v->len / ix->avglen));
        ix->hot[d] = v->nlocs == 1 ? (hot){v->locs[0].lat, v->locs[0].lon} : (hot){NO_PLACE, 0};
        ix->norm[d] = norm;
    }
    for (size_t i = 0; i < ix->ntoks; i++) {
        token *k = &ix->toks[i];
        if (k->n < BITS_MIN(ix->nsvcs))
            continue;
        k->bits = bitmap_of(&ix->pool, k->doc, k->n, ix->nsvcs);
        size_t nw = (ix->nsvcs + 63) / 64;
        k->rank = pool_alloc(&ix->pool, sizeof *k->rank * (nw + 1));
        uint32_t r = 0;
        for (size_t w = 0; w < nw; w++) {
            k->rank[w] = r;
            r += popcount64(k->bits[w]);
        }
        k->bimp = pool_alloc(&ix->pool, nw + 1);
        memset(k->bimp, 0, nw + 1);
        for (uint32_t j = 0; j < k->n; j++) {
            uint32_t d = k->doc[j];
            double part = (double)k->tf[j] / ((double)k->tf[j] + (double)ix->norm[d]);
            uint8_t v = (uint8_t)(ceil(part * 255) > 255 ? 255 : ceil(part * 255));
            k->bimp[d >> 6] = v > k->bimp[d >> 6] ? v : k->bimp[d >> 6];
        }
    }
    size_t nb = (ix->nsvcs + BLOCK - 1) / BLOCK;
    ix->bnorm = pool_alloc(&ix->pool, sizeof *ix->bnorm * (nb + 1));
    for (size_t b = 0; b < nb; b++) {
        float m = INFINITY;
        for (size_t d = b * BLOCK; d < ix->nsvcs && d < (b + 1) * BLOCK; d++)
            m = ix->norm[d] < m ? ix->norm[d] : m;
        ix->bnorm[b] = m;
    }
    ix->term_bits = calloc(ix->nterms + 1, sizeof *ix->term_bits);
    ix->tax_bits = calloc(ix->ntax + 1, sizeof *ix->tax_bits);
    if (!ix->term_bits || !ix->tax_bits)
        abort();
    for (size_t t = 0; t < ix->nterms; t++)
        if (ix->term_ndocs[t] >= BITS_MIN(ix->nsvcs))
            ix->term_bits[t] = bitmap_of(&ix->pool, ix->term_docs[t], ix->term_ndocs[t], ix->nsvcs);
    for (size_t t = 0; t < ix->ntax; t++)
        if (ix->tax_ndocs[t] >= BITS_MIN(ix->nsvcs))
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
            free(ix->btext[2 * i]);
            free(ix->btext[2 * i + 1]);
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
    free(ix->btext);
    free(ix->orgs);
    smap_free(&ix->org_ix);
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
           ix->captoks * sizeof(token) + ix->pool.total + ix->caporgs * sizeof(org_ref) +
           (ix->svc_ix.cap + ix->tok_ix.cap + ix->term_ix.cap + ix->org_ix.cap) *
               (sizeof(char *) + sizeof(int));
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

void search_lw_fields(const search_index *ix, int n, search_lw *out) {
    const svc *v = &ix->svcs[n];
    out->organization_id = v->org >= 0 ? ix->orgs[v->org].id : NULL;
    out->organization_name = v->org >= 0 ? ix->orgs[v->org].name : NULL;
    out->managed_by = v->managed_by;
    out->capacity = v->capacity;
    out->capacity_status = v->cap ? caps[v->cap - 1] : NULL;
    out->cost_band = v->cost ? costs[v->cost - 1] : NULL;
    out->setting = v->setting ? settings[v->setting - 1] : NULL;
    out->domains = v->domains;
    out->mental_health_ready = v->mh;
    out->last_checked = v->last_checked;
}

const char *search_id(const search_index *ix, int n) {
    return ix->svcs[n].id;
}

int search_is_stale(const search_index *ix, int n, int64_t now) {
    return dir_is_stale(ix->svcs[n].last_checked, now);
}

size_t search_sal_count(const search_index *ix, int n) {
    return (size_t)ix->svcs[n].nsals;
}

const char *search_sal(const search_index *ix, int n, size_t k, const char **location_id) {
    const sal_ref *r = &ix->svcs[n].sals[k];
    *location_id = r->location_id;
    return r->id;
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
    if (q->organization_id && (v->org < 0 || strcmp(ix->orgs[v->org].id, q->organization_id) != 0))
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

/* 1 when A should come before B (better(), for the other orders). */
static int better_other(const ctx *c, const search_hit *a, const search_hit *b) {
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

/* 1 when A should come before B: by relevance (the usual order, inline), ties by the
 * index's order. */
static inline int better(const ctx *c, const search_hit *a, const search_hit *b) {
    if (c->order == SEARCH_ORDER_RELEVANCE)
        return a->score != b->score ? a->score > b->score : a->svc < b->svc;
    return better_other(c, a, b);
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
    const uint16_t *tf;    /* NULL: a filter, not scored */
    int common;            /* a common word (DENSE_MIN): summed after the lead */
    const uint64_t *bits;  /* a common filter's bitmap, or NULL */
    const uint64_t *wbits; /* a common word's bitmap, or NULL */
    const uint32_t *rank;  /* with wbits: the word's postings before each block */
    const uint8_t *bimp;   /* with wbits: a bound on tf / (tf + norm) in each block */
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
    return passes(ix, &ix->svcs[ix->ext_of[d]], q, -1, -1, g, dist); /* several places, or none */
}

/* How a block's box lies against the query's circle. The margins (1e-4 of the radius
 * squared) are far wider than the rounding of the per-service test (float or double), so
 * a block called OUT holds no service that test would keep, and one called IN none it
 * would drop: skipping a block, or not testing inside one, never changes an answer. */
enum { BOX_OUT, BOX_PART, BOX_IN };

/* The query's circle, for testing boxes: the margins first as whole micro-degrees (a
 * box beyond the circle's bounding rectangle is out; one within the square inscribed in
 * it is in), then, for the few boxes neither decides, in metres. */
typedef struct circle {
    int64_t la, lo;         /* the centre */
    int64_t out_la, out_lo; /* half sides of the bounding rectangle, with the margin */
    int64_t in_la, in_lo;   /* half sides of the inscribed square, with the margin */
    double ky, kx, r2;
} circle;

static void circle_init(circle *c, const search_query *q, const geo *g) {
    double r = q->radius_m;
    c->la = q->lat_e6;
    c->lo = q->lon_e6;
    c->ky = g->ky;
    c->kx = g->kx;
    c->r2 = r * r;
    c->out_la = (int64_t)(r * (1 + 1e-4) / g->ky) + 1;
    c->out_lo = (int64_t)(r * (1 + 1e-4) / g->kx) + 1;
    c->in_la = (int64_t)(r * (1 - 1e-4) / M_SQRT2 / g->ky) - 1;
    c->in_lo = (int64_t)(r * (1 - 1e-4) / M_SQRT2 / g->kx) - 1;
}

static int box_class(const box *b, const circle *c) {
    if (b->lat_min == NO_PLACE)
        return BOX_PART;
    if (b->lat_min > c->la + c->out_la || b->lat_max < c->la - c->out_la ||
        b->lon_min > c->lo + c->out_lo || b->lon_max < c->lo - c->out_lo)
        return BOX_OUT;
    if (b->lat_min >= c->la - c->in_la && b->lat_max <= c->la + c->in_la &&
        b->lon_min >= c->lo - c->in_lo && b->lon_max <= c->lo + c->in_lo)
        return BOX_IN;
    /* nearest and farthest points of the box, in metres from the centre */
    double a0 = (double)(b->lat_min - c->la) * c->ky, a1 = (double)(b->lat_max - c->la) * c->ky;
    double o0 = (double)(b->lon_min - c->lo) * c->kx, o1 = (double)(b->lon_max - c->lo) * c->kx;
    double ny = a0 > 0 ? a0 : (a1 < 0 ? -a1 : 0), nx = o0 > 0 ? o0 : (o1 < 0 ? -o1 : 0);
    if (nx * nx + ny * ny > c->r2 * (1 + 1e-4))
        return BOX_OUT;
    double fy = a0 * a0 > a1 * a1 ? a0 : a1, fx = o0 * o0 > o1 * o1 ? o0 : o1;
    if (fx * fx + fy * fy < c->r2 * (1 - 1e-4))
        return BOX_IN;
    return BOX_PART;
}

/* The squared distance of a service's single place, as the search's main loop
 * computes it (float: the same rounding wherever it is computed). */
static inline float hot_d2(hot h, const search_query *q, float ky, float kx) {
    float dy = (float)(h.lat - q->lat_e6) * ky, dx = (float)(h.lon - q->lon_e6) * kx;
    return dx * dx + dy * dy;
}

/* A search whose lists all have bitmaps (every list is common): the lists are
 * intersected one block of 64 services (one word of each bitmap) at a time, blocks out
 * of range skipped whole, and only the services left are looked at — counted, and scored
 * when a bound on their score says that they may enter the page. The same matches,
 * totals and scores as the list-led loop in search_run(): the scores are summed over the
 * same lists in the same order (the lead list, common words, the others), so they round
 * the same. */
/* A bound on the scores in block B: each word's weight times the most its part
 * tf / (tf + norm) is there (kept in 255ths rounded up when the index was built). */
static float block_bound(const qtok *const *sl, const float *sw, size_t ns, size_t b) {
    float ub = 0;
    for (size_t x = 0; x < ns; x++)
        ub += sw[x] * (float)sl[x]->bimp[b];
    return ub * (1.0f / 255);
}

POPCNT_CLONES
static void run_blocks(const search_index *ix, const search_query *q, qtok *qt, size_t nq, topk *t,
                       int full, const geo *g, const circle *circ) {
    const uint64_t *bm[18];
    for (size_t j = 0; j < nq; j++)
        bm[j] = qt[j].bits ? qt[j].bits : qt[j].wbits;
    /* The scored lists, in the order search_run() sums them: the lead, then common
     * words, then the others (each tf read from its list through the bitmap's rank). */
    const qtok *sl[18];
    float sw[18];
    size_t ns = 0;
    if (qt[0].tf) {
        sl[ns] = &qt[0];
        sw[ns++] = qt[0].w;
    }
    for (size_t j = 1; j < nq; j++)
        if (qt[j].common) {
            sl[ns] = &qt[j];
            sw[ns++] = qt[j].w;
        }
    for (size_t j = 1; j < nq; j++)
        if (!qt[j].common && qt[j].tf) {
            sl[ns] = &qt[j];
            sw[ns++] = qt[j].w;
        }
    const ctx *c = t->c;
    int radius = q->has_point && q->radius_m > 0;
    int prune = c->order == SEARCH_ORDER_RELEVANCE && t->k > 0;
    float r2 = (float)(q->radius_m * q->radius_m), ky = (float)g->ky, kx = (float)g->kx;
    size_t nb = (ix->nsvcs + 63) / 64;
    /* 1. The blocks with matches: a box test and a word of each bitmap per block. */
    typedef struct run {
        uint64_t m;
        uint32_t b;
        float ub; /* by relevance: the bound on the block's scores */
        int cls;
    } run;
    run *runs = xmalloc(sizeof *runs * (nb + 1));
    size_t nrun = 0;
    float ubmin = INFINITY, ubmax = 0;
    int scls = BOX_PART;
    for (size_t b = 0; b < nb; b++) {
        int cls = BOX_PART;
        if (radius) {
            /* A super block's box first: out or in, its blocks need no test of their own. */
            if (b % SUPER == 0)
                scls = box_class(&ix->sboxes[b / SUPER], circ);
            if (scls == BOX_OUT) {
                b = (b / SUPER + 1) * SUPER - 1;
                continue;
            }
            cls = scls == BOX_IN ? BOX_IN : box_class(&ix->boxes[b], circ);
            if (cls == BOX_OUT)
                continue;
        }
        uint64_t m = bm[0][b];
        for (size_t j = 1; j < nq && m; j++)
            m &= bm[j][b];
        if (!m)
            continue;
        float ub = prune ? block_bound(sl, sw, ns, b) : 0;
        ubmin = ub < ubmin ? ub : ubmin;
        ubmax = ub > ubmax ? ub : ubmax;
        runs[nrun++] = (run){m, (uint32_t)b, ub, cls};
    }
    /* 2. By relevance, the blocks whose bound is highest first (sorted into bands of
     * bound): the page fills with good scores at once, and then most blocks cannot
     * enter it and are only counted, with no service's data read. */
    uint32_t *order = xmalloc(sizeof *order * (nrun + 1));
    if (prune && nrun && ubmax > ubmin) {
        enum { BANDS = 16 };
        size_t start[BANDS + 1] = {0};
        float scale = (float)BANDS / (ubmax - ubmin);
        for (size_t r = 0; r < nrun; r++) {
            int band = (int)((ubmax - runs[r].ub) * scale);
            start[(band >= BANDS ? BANDS - 1 : band) + 1]++;
        }
        for (int i = 0; i < BANDS; i++)
            start[i + 1] += start[i];
        for (size_t r = 0; r < nrun; r++) {
            int band = (int)((ubmax - runs[r].ub) * scale);
            order[start[band >= BANDS ? BANDS - 1 : band]++] = (uint32_t)r;
        }
    } else {
        for (size_t r = 0; r < nrun; r++)
            order[r] = (uint32_t)r;
    }
    /* 3. Their services, with the data of the blocks ahead asked for early: it is
     * scattered over the whole index, and waiting for it is most of the time. A second
     * cursor runs AHEAD blocks that will read data ahead of this one (most blocks are
     * only counted, and need none): as far as the page's bound so far tells (it only
     * rises), a block to be scored needs its words' frequencies and its first norm, and
     * one that crosses the circle's edge its matches' places. */
    enum { AHEAD = 4 };
    size_t pf = 0, pf_due = 0; /* the cursor; how many blocks it asked for, ahead of o */
    for (size_t o = 0; o < nrun; o++) {
        const run *rn = &runs[order[o]];
        size_t b = rn->b;
        uint64_t m = rn->m;
        int cls = rn->cls;
        int count_only = prune && t->n == t->k && rn->ub < t->h[0].score * (1 - 1e-4);
        if (pf <= o) {
            pf = o + 1;
            pf_due = 0;
        }
        for (; pf < nrun && pf_due < AHEAD; pf++) {
            const run *pr = &runs[order[pf]];
            int pr_count = prune && t->n == t->k && pr->ub < t->h[0].score * (1 - 1e-4);
            int pr_places = radius && !full && pr->cls == BOX_PART;
            if (pr_count && !pr_places && (pr->cls == BOX_IN || !radius))
                continue; /* only counted */
            pf_due++;
            if (!pr_count) {
                uint32_t pd = (uint32_t)(pr->b * 64 + (uint32_t)__builtin_ctzll(pr->m));
                for (size_t x = 0; x < ns; x++)
                    __builtin_prefetch(&sl[x]->tf[sl[x]->rank[pr->b]]);
                __builtin_prefetch(&ix->norm[pd]);
            }
            if (pr_places)
                for (uint64_t pm = pr->m; pm; pm &= pm - 1)
                    __builtin_prefetch(&ix->hot[pr->b * 64 + (size_t)__builtin_ctzll(pm)]);
        }
        if (count_only && !full && (cls == BOX_IN || !radius)) {
            t->total += popcount64(m);
            continue;
        }
        pf_due -= pf_due > 0; /* this block was one of them */
        float bn = ix->bnorm[b];
        for (; m; m &= m - 1) {
            uint32_t doc = (uint32_t)(b * 64 + (size_t)__builtin_ctzll(m));
            double dist = -1;
            int later = 0;
            if (full) {
                if (!passes(ix, &ix->svcs[ix->ext_of[doc]], q, -1, -1, g, &dist))
                    continue;
            } else if (cls == BOX_IN && c->order == SEARCH_ORDER_RELEVANCE) {
                later = 1;
            } else if (q->has_point) {
                hot h = ix->hot[doc];
                if (h.lat == NO_PLACE) {
                    if (!passes(ix, &ix->svcs[ix->ext_of[doc]], q, -1, -1, g, &dist))
                        continue;
                } else {
                    float d2 = hot_d2(h, q, ky, kx);
                    if (r2 > 0 && d2 > r2)
                        continue;
                    dist = d2;
                }
            }
            if (count_only) {
                t->total++;
                continue;
            }
            /* A word's tf: its posting is the word's postings before the block, plus
             * those of the block before this service. */
            float tfs[18];
            uint64_t below = (m & -m) - 1;
            for (size_t x = 0; x < ns; x++)
                tfs[x] = sl[x]->tf[sl[x]->rank[b] + popcount64(sl[x]->wbits[b] & below)];
            if (prune && t->n == t->k) {
                /* This service's bound: its score with the block's least norm, without
                 * reading its own; with a margin far above the rounding. */
                float bnum = 0, bden = 1;
                for (size_t x = 0; x < ns; x++) {
                    float d = tfs[x] + bn;
                    bnum = bnum * d + sw[x] * tfs[x] * bden;
                    bden *= d;
                }
                if ((double)bnum < t->h[0].score * (1 - 1e-4) * (double)bden) {
                    t->total++;
                    continue;
                }
            }
            float norm = ix->norm[doc], num = 0, den = 1;
            for (size_t x = 0; x < ns; x++) {
                float d = tfs[x] + norm;
                num = num * d + sw[x] * tfs[x] * den;
                den *= d;
            }
            if (prune && t->n == t->k && num < (float)t->h[0].score * den * (1 - 1e-5f)) {
                t->total++;
                continue;
            }
            if (later)
                dist = hot_d2(ix->hot[doc], q, ky, kx);
            offer(t, (search_hit){(int)ix->ext_of[doc], num / den, dist});
        }
    }
    free(order);
    free(runs);
}

POPCNT_CLONES
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
                          .common = tk->n >= DENSE_MIN(ix->nsvcs),
                          .wbits = tk->bits,
                          .rank = tk->rank,
                          .bimp = tk->bimp,
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
    circle circ;
    circle_init(&circ, q, &g);
    if (missing) {
        /* A word no service has, or an unknown term: nothing matches. */
    } else if (nq) {
        /* When every list has a bitmap, they are intersected a block at a time
         * (run_blocks()). Otherwise the rarest list leads; the others are tested in
         * their bitmaps or galloped through in step. */
        qsort(qt, nq, sizeof *qt, qtok_cmp);
        int all_bits = 1;
        for (size_t j = 0; j < nq; j++)
            all_bits &= qt[j].bits != NULL || qt[j].wbits != NULL;
        if (all_bits) {
            run_blocks(ix, q, qt, nq, &t, full, &g, &circ);
            goto page;
        }
        const qtok *first = &qt[0];
        const qtok *dense[16];
        const uint64_t *bits[16], *dense_bits[16];
        float dense_w[16], gal_w[16];
        qtok *gal[16];
        size_t nd = 0, nb = 0, ng = 0;
        for (size_t j = 1; j < nq; j++) {
            if (qt[j].common) {
                dense_w[nd] = qt[j].w;
                dense_bits[nd] = qt[j].wbits;
                dense[nd++] = &qt[j];
            } else if (qt[j].bits) {
                bits[nb++] = qt[j].bits;
            } else {
                gal_w[ng] = qt[j].tf ? qt[j].w : 0;
                gal[ng++] = &qt[j];
            }
        }
        float r2 = (float)(q->radius_m * q->radius_m), ky = (float)g.ky, kx = (float)g.kx;
        int radius = q->has_point && q->radius_m > 0;
        /* A bound on a match's score without reading its data: the lead word's part with
         * its tf and the least norm of the block, and at most idf * (k1 + 1) (a word's
         * weight) for each other word. */
        double lead_w = first->tf ? first->w : 0, rest_w = 0;
        for (size_t x = 0; x < nd; x++)
            rest_w += dense_w[x];
        for (size_t x = 0; x < ng; x++)
            rest_w += gal_w[x];
        int prune = c.order == SEARCH_ORDER_RELEVANCE && t.k > 0;
        uint32_t blk_end = 0;
        int cls = BOX_PART;
        double bn = 0;
        for (uint32_t i = 0; i < first->n; i++) {
            uint32_t doc = first->doc[i];
            if (doc >= blk_end) {
                uint32_t b = doc >> BLOCK_SHIFT;
                blk_end = (b + 1) << BLOCK_SHIFT;
                bn = ix->bnorm[b];
                /* A new block: skip it whole when its box is out of range. */
                cls = radius ? box_class(&ix->boxes[b], &circ) : BOX_PART;
                if (cls == BOX_OUT) {
                    i = gallop(first->doc, i, first->n, blk_end) - 1;
                    continue;
                }
            }
            for (size_t x = 0; x < nb; x++)
                if (!((bits[x][doc >> 6] >> (doc & 63)) & 1))
                    goto next;
            for (size_t x = 0; x < nd; x++)
                if (!((dense_bits[x][doc >> 6] >> (doc & 63)) & 1))
                    goto next;
            float gal_tf[16];
            for (size_t x = 0; x < ng; x++) {
                qtok *l = gal[x];
                l->cur = gallop(l->doc, l->cur, l->n, doc);
                if (l->cur >= l->n || l->doc[l->cur] != doc)
                    goto next;
                gal_tf[x] = l->tf ? l->tf[l->cur] : 0;
            }
            double dist = -1;
            /* In a block wholly in range, a match's distance is only needed once it is
             * kept for the page (unless the page is by distance). */
            int later = 0;
            if (full) {
                if (!passes(ix, &ix->svcs[ix->ext_of[doc]], q, -1, -1, &g, &dist))
                    continue;
            } else if (cls == BOX_IN && c.order == SEARCH_ORDER_RELEVANCE) {
                later = 1;
            } else if (q->has_point) {
                hot h = ix->hot[doc];
                if (h.lat == NO_PLACE) {
                    if (!passes(ix, &ix->svcs[ix->ext_of[doc]], q, -1, -1, &g, &dist))
                        continue;
                } else {
                    float d2 = hot_d2(h, q, ky, kx);
                    if (r2 > 0 && d2 > r2)
                        continue;
                    dist = d2; /* squared until the page is chosen */
                }
            }
            if (prune && t.n == t.k) {
                /* Counted only when even the bound cannot beat the worst of a full page
                 * (with a margin far above the score's rounding). */
                double f = first->tf ? first->tf[i] : 0;
                double thr = t.h[0].score * (1 / (1 + 1e-4)) - rest_w;
                if (thr > 0 && lead_w * f < thr * (f + bn)) {
                    t.total++;
                    continue;
                }
            }
            {
                /* BM25 as one fraction num / den (the sum of idf * tf * (k1 + 1) /
                 * (tf + norm)), so that most matches — those that cannot beat the worst of
                 * a full page — are only counted, without a division. The terms in the
                 * same order as ever (lead, common words, others): the same rounding. */
                float tfs[16], ws[16];
                size_t ns = 0;
                if (first->tf) {
                    tfs[ns] = first->tf[i];
                    ws[ns++] = first->w;
                }
                for (size_t x = 0; x < nd; x++) {
                    tfs[ns] = dense[x]->tf[dense[x]->rank[doc >> 6] +
                                           rank_below(dense_bits[x][doc >> 6], doc & 63)];
                    ws[ns++] = dense_w[x];
                }
                for (size_t x = 0; x < ng; x++)
                    if (gal[x]->tf) {
                        tfs[ns] = gal_tf[x];
                        ws[ns++] = gal_w[x];
                    }
                float norm = ix->norm[doc], num = 0, den = 1;
                for (size_t x = 0; x < ns; x++) {
                    float d = tfs[x] + norm;
                    num = num * d + ws[x] * tfs[x] * den;
                    den *= d;
                }
                if (t.n == t.k && c.order == SEARCH_ORDER_RELEVANCE &&
                    num < (float)t.h[0].score * den * (1 - 1e-5f)) {
                    t.total++;
                    continue;
                }
                if (later)
                    dist = hot_d2(ix->hot[doc], q, ky, kx);
                offer(&t, (search_hit){(int)ix->ext_of[doc], num / den, dist});
            }
        next:;
        }
    } else {
        int radius = q->has_point && q->radius_m > 0;
        for (uint32_t d = 0; d < (uint32_t)ix->nsvcs; d++) {
            if (radius && (d & (BLOCK - 1)) == 0 &&
                box_class(&ix->boxes[d >> BLOCK_SHIFT], &circ) == BOX_OUT) {
                d += BLOCK - 1;
                continue;
            }
            double dist;
            if (full ? passes(ix, &ix->svcs[ix->ext_of[d]], q, -1, -1, &g, &dist)
                     : near_enough(ix, d, q, &g, &dist))
                offer(&t, (search_hit){(int)ix->ext_of[d], 0, dist});
        }
    }
page:
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
