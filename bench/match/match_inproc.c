/*
 * In-process cost of matching one person against the whole directory (issue 6;
 * no HTTP): prepares the directory from a linkwell database exactly as `serve`
 * does for GET /api/v1/cases/{id}/matches (api/matching.c: mt_prepare), then
 * ranks it for a person like the benchmark's case — needs, interests, free
 * times, a home in Rotherham, a distance limit, an age, a cost limit — many
 * times on one thread, a page of 20, and prints the CPU time per ranking
 * (thread CPU time, so other load on the machine does not count) with its
 * percentiles, and wall-clock percentiles.
 *
 * Each iteration moves the person's home among the generator's postcode
 * districts and varies the interests, so the work is not one cached answer.
 *
 * usage: match_inproc DB [RANKINGS]   (how to build it: bench/README.md, "Matching")
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/matching.h"
#include "domain/directory.h"
#include "store/store.h"

static const char *const places[] = {"S1",  "S2",  "S5",  "S9",  "S10", "S20", "S35",
                                     "S60", "S61", "S62", "S63", "S64", "S65", "S66",
                                     "S70", "S71", "S72", "S73", "S80", "S81"};
#define NPLACES (sizeof places / sizeof *places)
static const char *const interests[][2] = {{"walking", "gardening"}, {"singing", "art"},
                                           {"cooking", "baking"},    {"yoga", "mindfulness"},
                                           {"coffee", "games"},      {"volunteering", "nature"}};
#define NINTERESTS (sizeof interests / sizeof *interests)

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: match_inproc DB [RANKINGS]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 200;
    if (n < 1)
        n = 1;
    lw_error err;
    lw_store *s = NULL;
    lw_db *db = NULL;
    match_dir *md = NULL;
    lw_store_options o = {0};
    double t0 = now_ms();
    if (store_open(argv[1], &o, &s, &err) != LW_OK || store_acquire(s, &db, &err) != LW_OK ||
        mt_prepare(db, &md, &err) != LW_OK) {
        fprintf(stderr, "match_inproc: %s\n", err.msg);
        return 1;
    }
    printf("prepared %zu services in %.0f ms\n", md->n, now_ms() - t0);
    static const lw_match_slot free_times[] = {{LW_MATCH_TU, 9 * 60, 12 * 60},
                                               {LW_MATCH_TH, 13 * 60, 17 * 60},
                                               {LW_MATCH_SA, 9 * 60, 13 * 60}};
    double *cpu = malloc(sizeof *cpu * (size_t)n), *wall = malloc(sizeof *wall * (size_t)n);
    size_t eligible = 0;
    unsigned long long digest = 1469598103934665603ULL;
    for (int i = 0; i < n; i++) {
        lw_arena *a = arena_new();
        lw_match_person p;
        match_person_init(&p);
        p.needs[LW_MATCH_NEED_ISOLATION] = 3;
        p.needs[LW_MATCH_NEED_MOOD] = 2;
        p.needs[LW_MATCH_NEED_PHYSICAL_ACTIVITY] = 1;
        p.interests = interests[(size_t)i % NINTERESTS];
        p.n_interests = 2;
        p.free = free_times;
        p.n_free = 3;
        p.max_m = 15000;
        p.travel = LW_MATCH_BUS;
        p.cost_limit = LW_MATCH_LIMIT_LOW;
        p.setting = LW_MATCH_PREFER_GROUP;
        p.age = 67;
        p.from_mental_health = true;
        int64_t lat, lon;
        if (dir_postcode_locate(places[(size_t)i % NPLACES], &lat, &lon) != 0)
            return 1;
        p.has_home = true;
        p.home_lat = (int32_t)lat;
        p.home_lon = (int32_t)lon;
        lw_match_result res[20];
        lw_match_out out = {.results = res, .results_cap = 20};
        double w0 = now_ms(), c0 = cpu_ms();
        if (match_rank(a, &p, NULL, md->svc, md->n, &out, &err) != LW_OK) {
            fprintf(stderr, "match_inproc: %s\n", err.msg);
            return 1;
        }
        cpu[i] = cpu_ms() - c0;
        wall[i] = now_ms() - w0;
        eligible += out.eligible;
        for (size_t k = 0; k < out.n_results; k++)
            digest = (digest ^ (unsigned long long)out.results[k].index) * 1099511628211ULL;
        arena_free(a);
    }
    qsort(cpu, (size_t)n, sizeof *cpu, cmp);
    qsort(wall, (size_t)n, sizeof *wall, cmp);
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += cpu[i];
    printf("rankings: %d of %zu services, mean eligible %.0f; CPU per ranking: mean %.2f ms, "
           "p50 %.2f ms, p99 %.2f ms, max %.2f ms; wall p50 %.2f ms, p99 %.2f ms; digest %016llx\n",
           n, md->n, (double)eligible / n, sum / n, cpu[n / 2], cpu[(n * 99) / 100], cpu[n - 1],
           wall[n / 2], wall[(n * 99) / 100], digest);
    free(cpu);
    free(wall);
    match_dir_free(md);
    store_release(s, db);
    store_close(s);
    return 0;
}
