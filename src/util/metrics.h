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
/* The exposition text. */
char *metrics_render(lw_arena *a);

#endif
