/*
 * In-process cost of the directory search (no HTTP): loads the search index from a
 * linkwell database as `serve` does, then runs random two-word searches with a
 * taxonomy filter and a proximity filter (the same distribution as
 * bench/wrk_search.lua), a page of 20, on one thread, and prints the CPU time per
 * search (thread CPU time, so that other load on the machine does not count), the
 * searches per second of CPU that makes, and wall-clock latency percentiles.
 *
 * usage: search_inproc DB QUERIES [REPEAT]   (how to build it: bench/README.md)
 * REPEAT > 1 runs the same query sequence again that many times through the result
 * cache `serve` uses (dirx_search()); the figures are then those of the last pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/directory.h"
#include "domain/directory.h"
#include "store/store.h"

static const char *const cats[12][7] = {
    {"physical activity", "walking", "swimming", "yoga", "dance", "cycling", "football"},
    {"arts and creativity", "art", "painting", "choir", "singing", "music", "crafts"},
    {"mental wellbeing", "mindfulness", "meditation", "peer", "anxiety", "recovery", "wellbeing"},
    {"befriending and social", "befriending", "coffee", "lunch", "friendship", "chat", "games"},
    {"money and debt", "debt", "benefits", "budgeting", "money", "welfare", "grants"},
    {"housing", "housing", "tenancy", "homelessness", "repairs", "rent", "accommodation"},
    {"employment and skills", "employment", "job", "interview", "skills", "training", "digital"},
    {"volunteering", "volunteering", "volunteer", "litter", "conservation", "mentoring",
     "fundraising"},
    {"food and nutrition", "cooking", "eating", "food", "kitchen", "nutrition", "baking"},
    {"nature and green spaces", "gardening", "allotment", "nature", "outdoors", "wildlife", "park"},
    {"carers and family", "carers", "family", "parenting", "respite", "dementia", "bereavement"},
    {"long-term conditions", "diabetes", "breathing", "heart", "pain", "weight", "smoking"}};
static const char *const generic[] = {"group", "session",  "club",  "support",   "weekly",
                                      "free",  "friendly", "local", "community", "people"};
/* As bench/wrk_search.lua: the category's taxonomy term, the same districts. */
static const char *const term_ids[12] = {
    "131914e2-63b0-517d-85d5-0c9e4e37d0ec", "2057b0ae-2971-53ab-af09-f56683cc33ad",
    "d87ef242-05a3-5ff7-9aa9-63af626843a9", "01313da0-8e90-5866-ac2d-0507782a2c9f",
    "8bcd353a-4ca9-577f-92c7-cc77ec50967d", "3d5a6579-8d08-5705-8eac-8652e1179043",
    "a3acd883-a2d2-5ff8-9514-bb554b2e79ff", "a9633d42-5a53-557f-8c36-97a15eefa3f1",
    "b5086b34-a302-5810-b539-dc502795eff2", "ada04345-c426-5ede-ac40-91bd26d28209",
    "50e5850d-7c8e-5430-ab74-eea62b00e621", "c1800b50-0f90-5c72-9495-0dcd82487f23"};
static const char *const places[] = {"S1",  "S2",  "S3",  "S4",  "S5",  "S6",  "S7",  "S8",  "S9",
                                     "S10", "S11", "S12", "S13", "S14", "S17", "S20", "S21", "S25",
                                     "S26", "S35", "S60", "S61", "S62", "S63", "S64", "S65", "S66",
                                     "S70", "S71", "S72", "S73", "S74", "S75", "S80", "S81"};
#define NPLACES (sizeof places / sizeof *places)

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of this thread: what a search costs, whatever else the machine runs. */
static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* This process's resident memory of its own (not pages of the mapped database), kB. */
static long rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "RssAnon:", 8) == 0)
            kb = atol(line + 8);
    if (f)
        fclose(f);
    return kb;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: search_inproc DB QUERIES\n");
        return 2;
    }
    int n = atoi(argv[2]);
    lw_error err;
    lw_store *s = NULL;
    lw_db *db = NULL;
    search_index *ix = NULL;
    lw_store_options o = {0};
    double t0 = now_ms();
    if (store_open(argv[1], &o, &s, &err) != LW_OK || store_acquire(s, &db, &err) != LW_OK ||
        dirx_build(db, &ix, &err) != LW_OK) {
        fprintf(stderr, "search_inproc: %s\n", err.msg);
        return 1;
    }
    printf("index: %zu services, %.1f MB, built in %.0f ms, process RssAnon %ld kB\n",
           search_count(ix), (double)search_memory(ix) / 1048576.0, now_ms() - t0, rss_kb());
    /* The term ids of the generated taxonomy, by name. */
    int repeat = argc > 3 ? atoi(argv[3]) : 1;
    if (repeat < 1)
        repeat = 1;
    double *lat = malloc(sizeof *lat * (size_t)n);
    size_t total = 0;
    /* A digest of every answer (totals, services, order), to compare two versions. */
    unsigned long long digest = 1469598103934665603ULL;
    double cpu = 0;
    dir_snap *snap = repeat > 1 ? dirx_snap_new(ix, 0) : NULL;
    for (int rep = 0; rep < repeat; rep++) {
        unsigned seed = 12345;
        total = 0;
        digest = 1469598103934665603ULL; /* of the last pass */
        double c0 = cpu_ms();
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            int c = (int)((seed >> 8) % 12);
            char words[64];
            snprintf(words, sizeof words, "%s %s", cats[c][1 + (seed >> 12) % 6],
                     generic[(seed >> 16) % 10]);
            search_query q;
            search_query_init(&q);
            q.words = words;
            q.taxonomy_term_id = term_ids[c];
            q.has_point = 1;
            if (dir_postcode_locate(places[(seed >> 20) % NPLACES], &q.lat_e6, &q.lon_e6) != 0)
                return 1;
            q.radius_m = 20000;
            q.per_page = 20;
            double a = now_ms();
            search_result r;
            if (snap)
                dirx_search(snap, &q, &r);
            else
                search_run(ix, &q, &r);
            lat[i] = now_ms() - a;
            total += r.total;
            digest = (digest ^ r.total) * 1099511628211ULL;
            for (size_t h = 0; h < r.nhits; h++)
                digest = (digest ^ (unsigned)r.hits[h].svc) * 1099511628211ULL;
            search_result_free(&r);
        }
        cpu = cpu_ms() - c0;
    }
    qsort(lat, (size_t)n, sizeof *lat, cmp);
    printf("searches: %d, CPU %.1f us per search (%.0f per CPU second), wall p50 %.3f ms, "
           "p99 %.3f ms, mean matches %.0f, digest %016llx\n",
           n, cpu * 1e3 / n, (double)n / (cpu / 1e3), lat[n / 2], lat[n * 99 / 100],
           (double)total / n, digest);
    free(lat);
    if (snap)
        dirx_snap_free(snap); /* and the index */
    else
        search_free(ix);
    store_release(s, db);
    store_close(s);
    return 0;
}
