/*
 * The store interface for outcome measures (issue 7): one administration of
 * an instrument for a case, with its item answers and computed scores as JSON
 * text (integers only). Part of store.h (which includes it); strings returned
 * live in the caller's arena.
 */
#ifndef LW_STORE_MEASURES_H
#define LW_STORE_MEASURES_H

#include <stdint.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/error.h"

typedef struct lw_measure {
    int64_t id;
    int64_t case_id;
    int64_t person_id;
    const char *instrument; /* ons4 | mhcsf | swemwbs | ucla3 */
    const char *timepoint;  /* baseline | review | end | follow_up */
    const char *date;       /* YYYY-MM-DD */
    const char *items;      /* JSON array of integers */
    const char *scores;     /* JSON object: score name -> integer */
    int64_t recorded_by;
    int64_t created_at;
} lw_measure;

/* Inserts M (id ignored). */
lw_status store_measure_insert(lw_db *db, const lw_measure *m, int64_t *id,
                               lw_error *err) LW_MUST_CHECK;
/* LW_ENOTFOUND when there is no measure ID. */
lw_status store_measure_get(lw_db *db, lw_arena *a, int64_t id, lw_measure *out,
                            lw_error *err) LW_MUST_CHECK;
/* The measures of CASE_ID by instrument, then date, then id (oldest first). */
lw_status store_measure_list(lw_db *db, lw_arena *a, int64_t case_id, lw_measure **out, int *n,
                             lw_error *err) LW_MUST_CHECK;

#endif
