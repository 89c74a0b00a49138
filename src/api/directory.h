/*
 * Shared by the directory's handlers (services.c, openreferral.c,
 * directory_imports.c): the per-process search index and the query-string
 * parsing both searches use.
 */
#ifndef LW_API_DIRECTORY_H
#define LW_API_DIRECTORY_H

#include "api/api.h"
#include "domain/search.h"

/* How often (ms of the app clock) a process checks whether another process has
 * changed the directory (docs/architecture.md). */
#define LW_DIR_POLL_MS 1000

struct match_dir;
struct dir_cache;

typedef struct dir_snap {
    search_index *ix;
    int64_t version;
    int refs; /* guarded by the directory's mutex */
    /* The same directory prepared for the matcher, made on first use
     * (api/matching.c); freed with the snapshot. */
    struct match_dir *match;
    /* Recent searches' results on this index (dirx_search); freed with it, so a changed
     * directory never answers from it. */
    struct dir_cache *cache;
} dir_snap;

/* Frees a prepared directory (api/matching.c); NULL is fine. */
void match_dir_free(struct match_dir *m);
/* When OLD (may be NULL) has a prepared directory — this process matches — prepares
 * FRESH's too, before FRESH replaces it, so matches are answered from OLD meanwhile
 * rather than waiting (api/matching.c). A failure leaves FRESH to be prepared on use. */
void match_dir_carry(lw_db *db, const dir_snap *old, dir_snap *fresh);

/* The current index, built on first use and rebuilt when the directory's version
 * row has moved (checked at most every LW_DIR_POLL_MS). Release it after use. */
lw_status dirx_acquire(api_request *req, dir_snap **out, lw_error *err) LW_MUST_CHECK;
void dirx_release(api_request *req, dir_snap *s);
/* The same, for a holder that has no request any more (a streamed answer's producer,
 * api/openreferral_stream.c): APP is the one the snapshot was acquired from. */
void dirx_release_app(lw_app *app, dir_snap *s);
/* After this process changed the directory (and committed): rebuild now. */
lw_status dirx_refresh(api_request *req, lw_error *err) LW_MUST_CHECK;

/* search_run() on the snapshot's index, answered from its cache of recent results
 * when the same query (search_query_key()) was run on it before. OUT as search_run(). */
void dirx_search(dir_snap *s, const search_query *q, search_result *out);
/* The cache's table (a power of two; it holds up to 3/4 of it), the bytes its entries
 * may take before it is emptied, and the most results of a page it keeps. */
#define LW_DIR_CACHE_SLOTS 65536
#define LW_DIR_CACHE_BYTES ((size_t)16 << 20)
#define LW_DIR_CACHE_MAX_HITS 50
/* A snapshot of IX (which it then owns) with one reference and an empty cache, for a
 * caller that keeps its own index (bench/search_inproc.c); dirx_snap_free() frees both. */
dir_snap *dirx_snap_new(search_index *ix, int64_t version);
void dirx_snap_free(dir_snap *s); /* NULL is fine */
/* Tests: the byte budget of caches made from now on. */
void dirx_cache_budget(size_t bytes);

/* What the index keeps as fields, written as JSON text in A (jansson's compact layout,
 * so that answers are byte for byte what they were when the index kept the text):
 * the Kth service_at_location list item of SVC, {"id","service_id","location_id"}; and
 * linkwell's members of the link worker's item of SVC, without braces
 * ("organization":{...},"managed_by":...,"last_checked":...). */
const char *dirx_sal_json(lw_arena *a, const search_index *ix, int svc, size_t k);
const char *dirx_lw_members(lw_arena *a, const search_index *ix, int svc, size_t *len);

/* Builds a search index of the whole directory from DB (the caller frees it). */
lw_status dirx_build(lw_db *db, search_index **out, lw_error *err) LW_MUST_CHECK;

/* Reads the search parameters of the query string into Q. ORUK: the Open Referral
 * UK set only (per_page up to LW_ORUK_PER_PAGE_MAX); otherwise also linkwell's. */
#define LW_ORUK_PER_PAGE_MAX 1000
lw_status dirx_query(const api_request *req, int oruk, search_query *q,
                     lw_error *err) LW_MUST_CHECK;
/* page and per_page (1.., 1..MAX), for the ORUK lists. */
lw_status dirx_page(const api_request *req, int max, int *page, int *per_page,
                    lw_error *err) LW_MUST_CHECK;

#endif
