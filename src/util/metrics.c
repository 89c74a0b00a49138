/* Request counters and latency histograms for /metrics. */
#include "util/metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 12
#define NSTATUS 16

static const double bucket_ms[NBUCKETS - 1] = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 5000};
static const char *const bucket_le[NBUCKETS] = {
    "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "5", "+Inf"};

typedef struct series {
    int status;
    unsigned long long count;
    unsigned long long buckets[NBUCKETS];
    double sum_ms;
} series;

typedef struct slot {
    series s[NSTATUS];
    int ns;
} slot;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static slot *slots;
static int nslots;
static const char *const *slot_methods;
static const char *const *slot_routes;

void metrics_init(int n, const char *const *methods, const char *const *routes) {
    pthread_mutex_lock(&mu);
    free(slots);
    slots = calloc((size_t)n, sizeof *slots);
    if (!slots)
        lw_oom();
    nslots = n;
    slot_methods = methods;
    slot_routes = routes;
    pthread_mutex_unlock(&mu);
}

void metrics_observe(int idx, int status, double ms) {
    pthread_mutex_lock(&mu);
    if (idx < 0 || idx >= nslots)
        goto done;
    slot *sl = &slots[idx];
    series *se = NULL;
    for (int i = 0; i < sl->ns; i++)
        if (sl->s[i].status == status)
            se = &sl->s[i];
    if (!se) {
        if (sl->ns == NSTATUS)
            goto done; /* more distinct statuses than any route produces */
        se = &sl->s[sl->ns++];
        se->status = status;
    }
    se->count++;
    se->sum_ms += ms;
    int b = 0;
    while (b < NBUCKETS - 1 && ms > bucket_ms[b])
        b++;
    se->buckets[b]++;
done:
    pthread_mutex_unlock(&mu);
}

/* Without the mutex: counted from hot paths (a search served from the cache). */
static atomic_ullong counters[METRICS_NCOUNTERS];

void metrics_count(metrics_counter c) {
    atomic_fetch_add_explicit(&counters[c], 1, memory_order_relaxed);
}

/* A growable string in an arena. */
typedef struct out {
    lw_arena *a;
    char *buf;
    size_t len, cap;
} out;

static void put(out *o, const char *fmt, ...) LW_PRINTF(2, 3);
static void put(out *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vprintf(o->a, fmt, ap);
    va_end(ap);
    size_t n = strlen(s);
    if (o->len + n + 1 > o->cap) {
        size_t cap = (o->cap + n + 1) * 2;
        char *grown = arena_alloc(o->a, cap);
        if (o->buf)
            memcpy(grown, o->buf, o->len);
        o->buf = grown;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n + 1);
    o->len += n;
}

char *metrics_render(lw_arena *a) {
    out o = {.a = a};
    put(&o, "# HELP linkwell_http_requests_total HTTP requests by route and status.\n"
            "# TYPE linkwell_http_requests_total counter\n");
    pthread_mutex_lock(&mu);
    for (int i = 0; i < nslots; i++)
        for (int j = 0; j < slots[i].ns; j++)
            put(&o, "linkwell_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
                slot_methods[i], slot_routes[i], slots[i].s[j].status, slots[i].s[j].count);
    put(&o, "# HELP linkwell_http_request_duration_seconds Time to answer a request.\n"
            "# TYPE linkwell_http_request_duration_seconds histogram\n");
    for (int i = 0; i < nslots; i++)
        for (int j = 0; j < slots[i].ns; j++) {
            const series *se = &slots[i].s[j];
            unsigned long long cum = 0;
            for (int b = 0; b < NBUCKETS; b++) {
                cum += se->buckets[b];
                put(&o,
                    "linkwell_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                    "status=\"%d\",le=\"%s\"} %llu\n",
                    slot_methods[i], slot_routes[i], se->status, bucket_le[b], cum);
            }
            put(&o,
                "linkwell_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\","
                "status=\"%d\"} %.6f\n",
                slot_methods[i], slot_routes[i], se->status, se->sum_ms / 1000.0);
            put(&o,
                "linkwell_http_request_duration_seconds_count{method=\"%s\",route=\"%s\","
                "status=\"%d\"} %llu\n",
                slot_methods[i], slot_routes[i], se->status, se->count);
        }
    pthread_mutex_unlock(&mu);
    put(&o,
        "# HELP linkwell_search_cache_lookups_total Directory searches looked up in the "
        "result cache, by outcome.\n"
        "# TYPE linkwell_search_cache_lookups_total counter\n"
        "linkwell_search_cache_lookups_total{outcome=\"hit\"} %llu\n"
        "linkwell_search_cache_lookups_total{outcome=\"miss\"} %llu\n",
        atomic_load(&counters[METRICS_SEARCH_CACHE_HIT]),
        atomic_load(&counters[METRICS_SEARCH_CACHE_MISS]));
    return o.buf;
}
