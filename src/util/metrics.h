/*
 * Process-wide request metrics, rendered in the Prometheus text format:
 * a counter and a latency histogram per (route, status). Routes are slots
 * registered once at start-up; observing is thread-safe.
 */
#ifndef LW_METRICS_H
#define LW_METRICS_H

#include "util/arena.h"

/* Registers N slots labelled by METHODS[i] and ROUTES[i] (borrowed, must
 * outlive the process's use of metrics). Call once before serving. */
void metrics_init(int n, const char *const *methods, const char *const *routes);
/* Records one request: SLOT from metrics_init, its HTTP status and duration. */
void metrics_observe(int slot, int status, double ms);
/* Counters of things other than requests. */
typedef enum metrics_counter {
    METRICS_SEARCH_CACHE_HIT,  /* a directory search answered from the result cache */
    METRICS_SEARCH_CACHE_MISS, /* one that could have been, and was run */
    METRICS_NCOUNTERS
} metrics_counter;
void metrics_count(metrics_counter c);
/* The exposition text. */
char *metrics_render(lw_arena *a);

#endif
