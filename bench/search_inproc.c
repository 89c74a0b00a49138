/*
 * In-process cost of the directory search (no HTTP): loads the search index from a
 * linkwell database as `serve` does, then runs random two-word searches with a
 * taxonomy filter and a proximity filter (the same distribution as
 * bench/wrk_search.lua), a page of 20, on one thread, and prints queries per
 * second and latency percentiles.
 *
 * usage: search_inproc DB QUERIES   (built by bench/CMakeLists.txt? no: see bench/README.md)
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
static const char *const places[] = {"S60", "S61", "S62", "S63", "S65", "S66", "S25", "S26",
                                     "S1",  "S2",  "S5",  "S10", "S70", "S71", "S72", "S73"};

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
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
    printf("index: %zu services, %.1f MB, built in %.0f ms\n", search_count(ix),
           (double)search_memory(ix) / 1048576.0, now_ms() - t0);
    /* The term ids of the generated taxonomy, by name. */
    double *lat = malloc(sizeof *lat * (size_t)n);
    unsigned seed = 12345;
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        int c = (int)((seed >> 8) % 12);
        char words[64];
        snprintf(words, sizeof words, "%s %s", cats[c][1 + (seed >> 12) % 6],
                 generic[(seed >> 16) % 10]);
        search_query q;
        search_query_init(&q);
        q.words = words;
        q.has_point = 1;
        if (dir_postcode_locate(places[(seed >> 20) % 16], &q.lat_e6, &q.lon_e6) != 0)
            return 1;
        q.radius_m = 20000;
        q.per_page = 20;
        double a = now_ms();
        search_result r;
        search_run(ix, &q, &r);
        lat[i] = now_ms() - a;
        total += r.total;
        search_result_free(&r);
    }
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += lat[i];
    qsort(lat, (size_t)n, sizeof *lat, cmp);
    printf("searches: %d, %.0f per second on one thread, p50 %.3f ms, p99 %.3f ms, "
           "mean matches %.0f\n",
           n, (double)n / (sum / 1e3), lat[n / 2], lat[n * 99 / 100], (double)total / n);
    free(lat);
    search_free(ix);
    store_release(s, db);
    store_close(s);
    return 0;
}
