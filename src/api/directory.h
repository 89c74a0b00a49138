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

typedef struct dir_snap {
    search_index *ix;
    int64_t version;
    int refs; /* guarded by the directory's mutex */
} dir_snap;

/* The current index, built on first use and rebuilt when the directory's version
 * row has moved (checked at most every LW_DIR_POLL_MS). Release it after use. */
lw_status dirx_acquire(api_request *req, dir_snap **out, lw_error *err) LW_MUST_CHECK;
void dirx_release(api_request *req, dir_snap *s);
/* After this process changed the directory (and committed): rebuild now. */
lw_status dirx_refresh(api_request *req, lw_error *err) LW_MUST_CHECK;

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
