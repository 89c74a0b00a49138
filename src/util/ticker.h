/*
 * A thread that calls a function every interval until it is stopped: the
 * shape of serve's periodic work (api/jobs.c, api/audit_reads.c). Stopping
 * wakes the thread at once and waits for a call in progress.
 */
#ifndef LW_UTIL_TICKER_H
#define LW_UTIL_TICKER_H

#include <stdint.h>

#include "util/error.h"

typedef struct lw_ticker lw_ticker;

/* Starts a thread calling FN(ARG) every INTERVAL_MS (> 0), the first call at
 * once when FIRST_NOW, else after one interval. WHAT names it in the error
 * when the thread cannot be started. */
lw_status ticker_start(int64_t interval_ms, int first_now, void (*fn)(void *), void *arg,
                       const char *what, lw_ticker **out, lw_error *err) LW_MUST_CHECK;
/* Stops the thread (no call starts after this) and frees it. NULL is fine. */
void ticker_stop(lw_ticker *t);

#endif
