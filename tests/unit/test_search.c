/*
 * The search index's inner structure (domain/search.c) against a brute-force search
 * written here: services numbered by place inside the index but known by their own
 * numbers outside, blocks skipped by their bounding boxes, lists intersected a block
 * at a time, and matches only counted when a bound says they cannot enter the page.
 * None of that may change an answer: every total is the brute force's count, every
 * page holds the services the brute force finds, and a page is the same slice of the
 * whole ranking however it was pruned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/search.h"

#define NSVC 3000
#define NWORDS 24

/* Words the stemmer leaves alone. The first 4 are in about half the services (common:
 * bitmaps and the by-block path), the next 10 in about 5% (bitmaps, not common), the
 * rest in about 0.5% (too rare for a bitmap: the list-led path). */
static const char *const words[NWORDS] = {
    "alpha", "bravo",  "charlie", "delta", "echo",   "foxtrot", "golf",    "hotel",
    "india", "juliet", "kilo",    "lima",  "mike",   "oscar",   "papa",    "quebec",
    "romeo", "tango",  "victor",  "xray",  "yankee", "zulu",    "whiskey", "uniform"};

static double word_p(int w) {
    return w < 4 ? 0.5 : (w < 14 ? 0.05 : 0.005);
}

/* Terms: two parents with two children each. */
static const char *const term_ids[6] = {"P1", "P2", "C11", "C12", "C21", "C22"};
static const char *const term_parent[6] = {NULL, NULL, "P1", "P1", "P2", "P2"};
static const char *const term_names[6] = {"Zeta", "Eta", "Theta", "Iota", "Kappa", "Lambda"};

typedef struct ref {
    char id[16];
    unsigned char has[NWORDS]; /* the word is in its text */
    int term;                  /* index in term_ids (a child) */
    int nplaces;
    int64_t lat[2], lon[2];
} ref;

static ref refs[NSVC];
static search_index *ix;

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static double rand01(void) {
    return (double)(next_rand() >> 11) / 9007199254740992.0;
}

static int setup(void **state) {
    (void)state;
    ix = search_new();
    for (int t = 0; t < 6; t++)
        search_add_term(ix, term_ids[t], term_names[t], term_parent[t], "tax");
    for (int i = 0; i < NSVC; i++) {
        ref *r = &refs[i];
        snprintf(r->id, sizeof r->id, "svc%05d", (i * 7919) % 100000);
        char name[256] = "", desc[1024] = "";
        for (int w = 0; w < NWORDS; w++) {
            if (rand01() >= word_p(w))
                continue;
            r->has[w] = 1;
            /* Some in the name (weight 3), some said twice, most once in the description. */
            double u = rand01();
            char *into = u < 0.3 ? name : desc;
            strcat(into, words[w]);
            strcat(into, " ");
            if (u > 0.9) {
                strcat(desc, words[w]);
                strcat(desc, " ");
            }
        }
        /* Lengths vary, so norms do: filler the query never asks for. */
        int filler = (int)(rand01() * 30);
        for (int f = 0; f < filler; f++)
            strcat(desc, "filler ");
        if (!name[0])
            strcpy(name, "Service");
        r->term = 2 + (int)(rand01() * 4);
        /* Places: most at one point in a 60 × 40 km box, some at two, some at none. */
        double u = rand01();
        r->nplaces = u < 0.9 ? 1 : (u < 0.95 ? 2 : 0);
        for (int k = 0; k < r->nplaces; k++) {
            r->lat[k] = 53200000 + (int64_t)(rand01() * 400000);
            r->lon[k] = -1700000 + (int64_t)(rand01() * 900000);
        }
        search_svc s = {.id = r->id,
                        .organization_id = "org",
                        .name = name,
                        .description = desc,
                        .organization_name = "Organisation",
                        .minimum_age = -1,
                        .maximum_age = -1,
                        .status = "active",
                        .capacity_status = "capacity",
                        .oruk_json = "{}",
                        .capacity = -1};
        int n = search_add_service(ix, &s);
        assert_int_equal(n, i);
        search_service_term(ix, n, term_ids[r->term]);
        for (int k = 0; k < r->nplaces; k++)
            search_service_location(ix, n, r->lat[k], r->lon[k], 1, NULL, NULL);
    }
    search_build(ix);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    search_free(ix);
    return 0;
}

/* The brute force: whether service I matches, and its distance (-1: none). */
static int ref_match(int i, const int *qw, int nqw, int term, int has_point, int64_t lat,
                     int64_t lon, double radius, double *dist) {
    const ref *r = &refs[i];
    for (int k = 0; k < nqw; k++)
        if (!r->has[qw[k]])
            return 0;
    if (term >= 0 && r->term != term && term_parent[r->term] &&
        strcmp(term_parent[r->term], term_ids[term]) != 0)
        return 0;
    *dist = -1;
    if (has_point) {
        double ky = 6371008.8 * M_PI / 180e6, kx = ky * cos((double)lat * M_PI / 180e6);
        for (int k = 0; k < r->nplaces; k++) {
            double dy = (double)(r->lat[k] - lat) * ky, dx = (double)(r->lon[k] - lon) * kx;
            double d = sqrt(dx * dx + dy * dy);
            if (*dist < 0 || d < *dist)
                *dist = d;
        }
        if (radius > 0 && (*dist < 0 || *dist > radius))
            return 0;
    }
    return 1;
}

/* One random query: totals against the brute force, pages against the whole ranking. */
static void check_query(int nqw, int with_term, int with_radius, search_order order) {
    int qw[3];
    char text[100] = "";
    for (int k = 0; k < nqw; k++) {
        int w;
        int dup;
        do {
            /* mostly one common or middling word with a rarer one, as people search */
            w = k == 0 ? (int)(rand01() * 14) : (int)(rand01() * NWORDS);
            dup = 0;
            for (int j = 0; j < k; j++)
                dup |= qw[j] == w;
        } while (dup);
        qw[k] = w;
        strcat(text, words[w]);
        strcat(text, " ");
    }
    int term = with_term ? (int)(rand01() * 6) : -1;
    int64_t lat = 53200000 + (int64_t)(rand01() * 400000),
            lon = -1700000 + (int64_t)(rand01() * 900000);
    double radius = with_radius ? 2000 + rand01() * 25000 : 0;
    int has_point = with_radius || rand01() < 0.5;

    search_query q;
    search_query_init(&q);
    q.words = nqw ? text : NULL;
    q.taxonomy_term_id = term >= 0 ? term_ids[term] : NULL;
    q.has_point = has_point;
    q.lat_e6 = lat;
    q.lon_e6 = lon;
    q.radius_m = radius;
    q.order = order;

    size_t want = 0;
    for (int i = 0; i < NSVC; i++) {
        double d;
        want += (size_t)ref_match(i, qw, nqw, term, has_point, lat, lon, radius, &d);
    }
    /* The whole ranking: a page as long as the index, so that nothing is pruned. */
    search_result all;
    q.per_page = NSVC;
    search_run(ix, &q, &all);
    assert_int_equal(all.total, want);
    assert_int_equal(all.nhits, want);
    for (size_t h = 0; h < all.nhits; h++) {
        /* Each result is the service it says it is: renumbering kept the ids right. */
        int i = all.hits[h].svc; /* services were added in order: the numbers are I */
        assert_true(i >= 0 && i < NSVC);
        assert_string_equal(search_id(ix, i), refs[i].id);
        assert_int_equal(search_find(ix, refs[i].id), i);
        double d;
        if (!ref_match(i, qw, nqw, term, has_point, lat, lon, radius, &d))
            fail_msg("'%s' term %d r %.0f: %s is not a match", text, term, radius, refs[i].id);
        if (d >= 0)
            assert_true(fabs(all.hits[h].distance_m - d) <= 1e-3 * d + 1e-3);
        if (h > 0 && (order == SEARCH_ORDER_RELEVANCE || (order == SEARCH_ORDER_AUTO && nqw)))
            assert_true(all.hits[h - 1].score >= all.hits[h].score);
        if (h > 0 && order == SEARCH_ORDER_DISTANCE && all.hits[h].distance_m >= 0)
            assert_true(all.hits[h - 1].distance_m >= 0 &&
                        all.hits[h - 1].distance_m <= all.hits[h].distance_m);
    }
    /* Pages of 7: the same slices, the same exact total, whatever was pruned. */
    for (int page = 1; page <= 3; page++) {
        search_result r;
        q.per_page = 7;
        q.page = page;
        search_run(ix, &q, &r);
        assert_int_equal(r.total, want);
        size_t from = (size_t)(page - 1) * 7;
        size_t n = from < want ? (want - from < 7 ? want - from : 7) : 0;
        assert_int_equal(r.nhits, n);
        for (size_t h = 0; h < r.nhits; h++) {
            assert_int_equal(r.hits[h].svc, all.hits[from + h].svc);
            assert_true(r.hits[h].score == all.hits[from + h].score);
        }
        search_result_free(&r);
    }
    search_result_free(&all);
}

static void answers_equal_the_brute_force(void **state) {
    (void)state;
    static const search_order orders[3] = {SEARCH_ORDER_AUTO, SEARCH_ORDER_RELEVANCE,
                                           SEARCH_ORDER_DISTANCE};
    for (int round = 0; round < 300; round++) {
        int nqw = round % 4 == 3 ? 0 : 1 + round % 3;
        search_order order = orders[(round / 4) % 3];
        if (order == SEARCH_ORDER_DISTANCE && nqw == 0)
            order = SEARCH_ORDER_AUTO;
        check_query(nqw, (round / 2) % 2, round % 5 != 0, order);
    }
}

/* Services on rings just inside and just outside the radius, in every direction, so
 * that the blocks there straddle the circle: none inside may be lost, none outside
 * kept, whether the block was skipped, taken whole or tested service by service. */
static void block_boxes_never_lose_a_service_in_range(void **state) {
    (void)state;
    search_index *rx = search_new();
    int64_t lat = 53400000, lon = -1300000;
    double ky = 6371008.8 * M_PI / 180e6, kx = ky * cos((double)lat * M_PI / 180e6);
    double radius = 10000;
    int n = 0, inside = 0;
    char id[32];
    for (int ring = 0; ring < 6; ring++) {
        /* 0.999, 1.001 of the radius, and four farther and nearer rings */
        static const double f[6] = {0.999, 1.001, 0.5, 0.9, 1.1, 2.0};
        for (int k = 0; k < 400; k++, n++) {
            double a = 2 * M_PI * k / 400;
            snprintf(id, sizeof id, "r%d-%d", ring, k);
            search_svc s = {.id = id,
                            .name = "Ring",
                            .description = k % 2 ? "walk" : "walk talk",
                            .organization_name = "Org",
                            .minimum_age = -1,
                            .maximum_age = -1,
                            .status = "active",
                            .oruk_json = "{}",
                            .capacity = -1};
            int v = search_add_service(rx, &s);
            search_service_location(rx, v, lat + (int64_t)(radius * f[ring] * sin(a) / ky),
                                    lon + (int64_t)(radius * f[ring] * cos(a) / kx), 1, NULL, NULL);
            inside += f[ring] < 1;
        }
    }
    search_build(rx);
    search_query q;
    search_query_init(&q);
    q.has_point = 1;
    q.lat_e6 = lat;
    q.lon_e6 = lon;
    q.radius_m = radius;
    const char *queries[3] = {NULL, "walk", "walk talk"};
    for (int i = 0; i < 3; i++) {
        q.words = queries[i];
        q.per_page = n;
        search_result r;
        search_run(rx, &q, &r);
        assert_int_equal(r.total, i == 2 ? inside / 2 : inside);
        for (size_t h = 0; h < r.nhits; h++) {
            assert_true(r.hits[h].distance_m <= radius);
            assert_true(strncmp(search_id(rx, r.hits[h].svc), "r1-", 3) != 0);
        }
        search_result_free(&r);
        /* and with a small page, where most matches are only counted */
        q.per_page = 5;
        search_run(rx, &q, &r);
        assert_int_equal(r.total, i == 2 ? inside / 2 : inside);
        search_result_free(&r);
    }
    search_free(rx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(answers_equal_the_brute_force, setup, teardown),
        cmocka_unit_test(block_boxes_never_lose_a_service_in_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
