/*
 * The directory's rules (domain/directory.c, directory_postcodes.c) and its
 * search index (domain/search.c): the text an import keeps, postcodes, dates
 * and times from messy feeds, need domains, staleness, and search results a
 * link worker would see — ranking, every filter, paging.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/directory.h"
#include "domain/search.h"

static void clean(const char *in, size_t max, const char *want, int want_cut) {
    int cut = -1;
    char *out = dir_text_clean(in, strlen(in), max, &cut);
    assert_string_equal(out, want);
    assert_int_equal(cut, want_cut);
    free(out);
}

static void html_becomes_safe_text(void **state) {
    (void)state;
    clean("<p>Tea &amp; <b>cake</b></p><p>Every&nbsp;Tuesday</p>", 1000, "Tea & cake Every Tuesday",
          0);
    clean("Hi<script>alert('x')</script> there<style>p{}</style>!", 1000, "Hi there !", 0);
    clean("  lots \n\t of   space  ", 1000, "lots of space", 0);
    clean("5 < 6 & 7 > 3", 1000, "5 < 6 & 7 > 3", 0);
    clean("&#163;5 &#x20AC;3 &pound;2 &bogus;", 1000,
          "\xc2\xa3"
          "5 \xe2\x82\xac"
          "3 \xc2\xa3"
          "2 &bogus;",
          0);
    clean("bad \xff byte", 1000, "bad \xef\xbf\xbd byte", 0);
    clean("<!-- hidden --> shown", 1000, "shown", 0);
    /* Cut at a character boundary, never inside one. */
    clean("caf\xc3\xa9 caf\xc3\xa9", 4, "caf", 1);
    clean("abcdef", 3, "abc", 1);
}

static void postcodes(void **state) {
    (void)state;
    char out[9];
    assert_int_equal(dir_postcode_normalise("s601ae", out), 0);
    assert_string_equal(out, "S60 1AE");
    assert_int_equal(dir_postcode_normalise(" sw1a 1aa ", out), 0);
    assert_string_equal(out, "SW1A 1AA");
    assert_int_equal(dir_postcode_normalise("S60", out), 0);
    assert_string_equal(out, "S60");
    assert_int_equal(dir_postcode_normalise("M1", out), 0);
    assert_int_equal(dir_postcode_normalise("hello", out), -1);
    assert_int_equal(dir_postcode_normalise("12345", out), -1);
    assert_int_equal(dir_postcode_normalise("S60 1A", out), -1);
    char oc[5];
    dir_postcode_outcode("S60 1AE", oc);
    assert_string_equal(oc, "S60");
    int64_t lat, lon;
    assert_int_equal(dir_postcode_locate("s60 1ae", &lat, &lon), 0);
    assert_true(lat > 53000000 && lat < 54000000 && lon < -1000000 && lon > -2000000);
    int64_t lat2, lon2;
    assert_int_equal(dir_postcode_locate("S60", &lat2, &lon2), 0);
    assert_true(lat == lat2 && lon == lon2); /* a full postcode resolves through its district */
    assert_int_equal(dir_postcode_locate("ZZ99 9ZZ", &lat, &lon), -1);
    assert_int_equal(dir_postcode_locate("nonsense", &lat, &lon), -1);
    /* Rotherham to Sheffield is about 9 km. */
    int64_t s1lat, s1lon;
    assert_int_equal(dir_postcode_locate("S1", &s1lat, &s1lon), 0);
    double d = dir_distance_m(lat2, lon2, s1lat, s1lon);
    assert_true(d > 7000 && d < 12000);
}

static void dates_and_times_from_messy_feeds(void **state) {
    (void)state;
    char d[11], t[9];
    assert_int_equal(dir_date_parse("2023-03-14", d), 0);
    assert_string_equal(d, "2023-03-14");
    assert_int_equal(dir_date_parse("14/03/2023", d), 0);
    assert_string_equal(d, "2023-03-14");
    assert_int_equal(dir_date_parse("1 March 2023", d), 0);
    assert_string_equal(d, "2023-03-01");
    assert_int_equal(dir_date_parse("2023-03-14T10:00:00Z", d), 0);
    assert_int_equal(dir_date_parse("2023-02-30", d), -1);
    assert_int_equal(dir_date_parse("soon", d), -1);
    assert_int_equal(dir_time_parse("10.30", t), 0);
    assert_string_equal(t, "10:30:00");
    assert_int_equal(dir_time_parse("12pm", t), 0);
    assert_string_equal(t, "12:00:00");
    assert_int_equal(dir_time_parse("12am", t), 0);
    assert_string_equal(t, "00:00:00");
    assert_int_equal(dir_time_parse("5:30 pm", t), 0);
    assert_string_equal(t, "17:30:00");
    assert_int_equal(dir_time_parse("25:99", t), -1);
    assert_int_equal(dir_time_minutes("17:30:00"), 17 * 60 + 30);
    assert_int_equal(dir_day_parse("TU"), 1);
    assert_int_equal(dir_day_parse("sunday"), 6);
    assert_int_equal(dir_day_parse("Funday"), -1);
    assert_int_equal(dir_byday_mask("MO,WE, Friday"), 1u | 4u | 16u);
    assert_int_equal(dir_byday_mask("1MO,-1FR"), 1u | 16u);
}

static void ids_urls_emails(void **state) {
    (void)state;
    char a[37], b[37];
    dir_uuid_for("service", "101", a);
    dir_uuid_for("service", "101", b);
    assert_string_equal(a, b);
    assert_true(dir_is_uuid(a));
    dir_uuid_for("organization", "101", b);
    assert_string_not_equal(a, b);
    assert_false(dir_is_uuid("101"));
    assert_true(dir_url_valid("https://example.org/x?y=1"));
    assert_false(dir_url_valid("javascript:alert(1)"));
    assert_false(dir_url_valid("http://"));
    assert_true(dir_email_valid("a.b@example.org"));
    assert_false(dir_email_valid("not an email"));
    assert_false(dir_email_valid("a@b"));
}

static void rules(void **state) {
    (void)state;
    assert_string_equal(dir_cost_band(0, NULL), "free");
    assert_string_equal(dir_cost_band(350, NULL), "low");
    assert_string_equal(dir_cost_band(1200, NULL), "paid");
    assert_string_equal(dir_cost_band(-1, "Free of charge"), "free");
    assert_null(dir_cost_band(-1, NULL));
    int64_t day = 24LL * 3600 * 1000, now = 2000 * day;
    assert_false(dir_is_stale(now - 364 * day, now));
    assert_true(dir_is_stale(now - 366 * day, now));
    assert_true(dir_is_stale(0, now));
    uint32_t m = dir_domains_for_text("Wath Walking Group and Lunch Club", NULL, 0);
    assert_true(m & (1u << dir_domain_parse("physical_activity")));
    assert_true(m & (1u << dir_domain_parse("isolation")));
    assert_false(m & (1u << dir_domain_parse("debt")));
    /* A configured rule adds a domain and overrides a default for the same word. */
    dir_domain_rule r[] = {{"dementia", "carers"}, {"walk", "isolation"}};
    m = dir_domains_for_text("Dementia walk", r, 2);
    assert_true(m & (1u << dir_domain_parse("carers")));
    assert_true(m & (1u << dir_domain_parse("isolation")));
    assert_false(m & (1u << dir_domain_parse("physical_activity")));
    uint32_t mask;
    lw_error err;
    assert_int_equal(dir_domains_parse("debt,mood", "f", &mask, &err), LW_OK);
    assert_int_equal(mask, (1u << dir_domain_parse("debt")) | (1u << dir_domain_parse("mood")));
    assert_int_equal(dir_domains_parse("debt,sadness", "f", &mask, &err), LW_EINVAL);
}

/* ---- search ---- */

typedef struct doc {
    const char *id, *name, *desc, *org, *term;
    double lat, lon;
    int min_age, max_age;
    const char *status, *cost, *setting;
    unsigned days;
    int opens, closes;
    int64_t checked;
} doc;

static const doc docs[] = {
    {"a", "Riverside Walking Group", "Gentle walks by the river", "Ramblers", "walking", 53.43,
     -1.35, 16, -1, "active", "free", "group", 1u << 1, 600, 720, 1},
    {"b", "Book Club", "We read and sometimes walk to the library", "Library", "arts", 53.50, -1.33,
     18, 99, "active", "low", "group", 1u << 3, 1080, 1200, 1},
    {"c", "Debt Advice", "One to one money help", "Citizens Advice", "debt", 53.38, -1.47, 18, -1,
     "active", "free", "one_to_one", 1u << 0, 540, 1020, 0},
    {"d", "Nordic Walking", "Poles provided, brisk walking for fitness", "Active Town", "walking",
     53.36, -1.20, 30, 80, "active", "paid", "group", 1u << 5, 600, 660, 1},
    {"e", "Closed Walking Club", "walking walking walking", "Old Org", "walking", 53.43, -1.35, -1,
     -1, "defunct", NULL, NULL, 0, -1, -1, 1},
};
#define NDOCS (sizeof docs / sizeof docs[0])

static int setup_index(void **state) {
    search_index *ix = search_new();
    search_add_term(ix, "physical", "Physical activity", NULL, "tax1");
    search_add_term(ix, "walking", "Walking", "physical", "tax1");
    search_add_term(ix, "arts", "Arts", NULL, "tax1");
    search_add_term(ix, "debt", "Money", NULL, "tax2");
    for (size_t i = 0; i < NDOCS; i++) {
        const doc *d = &docs[i];
        search_svc s = {.id = d->id,
                        .organization_id = d->org,
                        .name = d->name,
                        .description = d->desc,
                        .organization_name = d->org,
                        .minimum_age = d->min_age,
                        .maximum_age = d->max_age,
                        .modified = 1000 * (int64_t)i,
                        .status = d->status,
                        .capacity_status = "capacity",
                        .cost_band = d->cost,
                        .setting = d->setting,
                        .last_checked = d->checked ? 1700000000000LL : 0,
                        .managed_by = i == 0 ? 7 : 0,
                        .oruk_json = "{}",
                        .capacity = i == 1 ? 12 : -1,
                        .domains = 1u << i};
        int n = search_add_service(ix, &s);
        search_service_term(ix, n, d->term);
        char sal[16];
        snprintf(sal, sizeof sal, "sal-%s", d->id);
        /* The last service's place has no location (a feed may say so). */
        search_service_location(ix, n, (int64_t)(d->lat * 1e6), (int64_t)(d->lon * 1e6), 1, sal,
                                i + 1 < NDOCS ? "loc" : NULL);
        if (d->days)
            search_service_schedule(ix, n, d->days, d->opens, d->closes);
    }
    search_build(ix);
    *state = ix;
    return 0;
}

static int teardown_index(void **state) {
    search_free(*state);
    return 0;
}

/* The ids of the results of Q, in order, joined by commas. */
static const char *run(search_index *ix, search_query *q, char *buf, size_t *total) {
    search_result r;
    q->now = 1700000000000LL + 1000;
    search_run(ix, q, &r);
    buf[0] = '\0';
    for (size_t i = 0; i < r.nhits; i++) {
        strcat(buf, search_id(ix, r.hits[i].svc));
        if (i + 1 < r.nhits)
            strcat(buf, ",");
    }
    if (total)
        *total = r.total;
    search_result_free(&r);
    return buf;
}

/* What a result shows is kept as fields, not text: each comes back as it was given. */
static void a_services_fields_come_back_as_given(void **state) {
    search_index *ix = *state;
    search_lw f;
    int b = search_find(ix, "b");
    search_lw_fields(ix, b, &f);
    assert_string_equal(f.organization_id, docs[1].org);
    assert_string_equal(f.organization_name, docs[1].org);
    assert_int_equal(f.capacity, 12);
    assert_string_equal(f.capacity_status, "capacity");
    assert_string_equal(f.cost_band, "low");
    assert_string_equal(f.setting, "group");
    assert_int_equal(f.domains, 1u << 1);
    assert_int_equal(f.mental_health_ready, 0);
    assert_int_equal(f.last_checked, 1700000000000LL);
    assert_int_equal(f.managed_by, 0);
    search_lw_fields(ix, search_find(ix, "a"), &f);
    assert_int_equal(f.managed_by, 7);
    assert_int_equal(f.capacity, -1);
    int e = search_find(ix, "e");
    search_lw_fields(ix, e, &f);
    assert_null(f.cost_band); /* not said */
    assert_null(f.setting);
    search_lw_fields(ix, search_find(ix, "c"), &f);
    assert_int_equal(f.last_checked, 0); /* never checked */
    const char *loc;
    assert_int_equal(search_sal_count(ix, b), 1);
    assert_string_equal(search_sal(ix, b, 0, &loc), "sal-b");
    assert_string_equal(loc, "loc");
    assert_string_equal(search_sal(ix, e, 0, &loc), "sal-e");
    assert_null(loc);
}

static void words_are_ranked_and_all_must_match(void **state) {
    search_index *ix = *state;
    char buf[200];
    search_query q;
    search_query_init(&q);
    q.words = "walking";
    q.statuses = 1; /* active */
    /* "walks", "walk" and "walking" are one word; the name counts more than the description. */
    assert_string_equal(run(ix, &q, buf, NULL), "a,d,b");
    q.words = "walk group";
    assert_string_equal(run(ix, &q, buf, NULL), "a");
    q.words = "walking unicorns";
    assert_string_equal(run(ix, &q, buf, NULL), "");
    q.words = "citizens"; /* the organisation's name */
    assert_string_equal(run(ix, &q, buf, NULL), "c");
    q.words = "money"; /* the taxonomy term's name */
    assert_string_equal(run(ix, &q, buf, NULL), "c");
    q.words = "the and of"; /* nothing but stop words: no word filter */
    size_t total;
    run(ix, &q, buf, &total);
    assert_int_equal(total, 4);
    q.words = "walking";
    q.statuses = 0; /* any status: the defunct club is found too */
    run(ix, &q, buf, &total);
    assert_int_equal(total, 4);
}

static void every_filter(void **state) {
    search_index *ix = *state;
    char buf[200];
    search_query q;
    search_query_init(&q);
    q.statuses = 1;
    q.taxonomy_term_id = "physical"; /* the parent of "walking" */
    assert_string_equal(run(ix, &q, buf, NULL), "d,a");
    q.taxonomy_term_id = NULL;
    q.taxonomy_id = "tax2";
    assert_string_equal(run(ix, &q, buf, NULL), "c");
    q.taxonomy_id = NULL;
    q.organization_id = "Library";
    assert_string_equal(run(ix, &q, buf, NULL), "b");
    q.organization_id = NULL;
    q.age = 17;
    assert_string_equal(run(ix, &q, buf, NULL), "a");
    q.age = -1;
    q.minimum_age = 20; /* services stating a minimum age of at least 20 */
    assert_string_equal(run(ix, &q, buf, NULL), "d");
    q.minimum_age = -1;
    q.day = 3; /* Thursday */
    assert_string_equal(run(ix, &q, buf, NULL), "b");
    q.day = -1;
    q.start_time = 600;
    q.end_time = 720;
    assert_string_equal(run(ix, &q, buf, NULL), "d,a");
    q.start_time = q.end_time = -1;
    q.cost_bands = 1u; /* free */
    assert_string_equal(run(ix, &q, buf, NULL), "c,a");
    q.cost_bands = 0;
    q.setting = 2; /* one to one */
    assert_string_equal(run(ix, &q, buf, NULL), "c");
    q.setting = 0;
    q.stale = 1;
    assert_string_equal(run(ix, &q, buf, NULL), "c");
    q.stale = 0;
    assert_string_equal(run(ix, &q, buf, NULL), "b,d,a");
    q.stale = -1;
    q.managed_by = 7;
    assert_string_equal(run(ix, &q, buf, NULL), "a");
    q.managed_by = 0;
    q.modified_after = 2000;
    assert_string_equal(run(ix, &q, buf, NULL), "c,d");
    q.modified_after = 0;
    /* Near Rotherham town centre, within 8.5 km, nearest first. */
    q.has_point = 1;
    q.lat_e6 = 53430000;
    q.lon_e6 = -1356000;
    q.radius_m = 8500;
    assert_string_equal(run(ix, &q, buf, NULL), "a,b");
    q.radius_m = 0;
    assert_string_equal(run(ix, &q, buf, NULL), "a,b,c,d");
    /* Words and distance together: relevance first unless asked. */
    q.words = "walking";
    q.order = SEARCH_ORDER_DISTANCE;
    assert_string_equal(run(ix, &q, buf, NULL), "a,b,d");
}

static void paging(void **state) {
    search_index *ix = *state;
    char buf[200];
    size_t total;
    search_query q;
    search_query_init(&q);
    q.per_page = 2;
    assert_string_equal(run(ix, &q, buf, &total), "b,e");
    assert_int_equal(total, 5);
    q.page = 3;
    assert_string_equal(run(ix, &q, buf, &total), "a");
    q.page = 4;
    assert_string_equal(run(ix, &q, buf, &total), "");
    assert_int_equal(total, 5);
    assert_int_equal(search_count(ix), 5);
    assert_true(search_find(ix, "c") >= 0);
    assert_int_equal(search_find(ix, "zzz"), -1);
    assert_true(search_term_known(ix, "walking"));
    assert_true(search_taxonomy_known(ix, "tax2"));
}

/* A larger index, where common words and terms get their by-service forms (bitmaps,
 * dense frequencies): the answers must be the same as by the lists. */
static void large_index_uses_its_fast_paths(void **state) {
    (void)state;
    search_index *ix = search_new();
    search_add_term(ix, "A", "Even", NULL, "t");
    search_add_term(ix, "B", "Odd", NULL, "t");
    char id[16], name[32], desc[64];
    for (int d = 0; d < 2000; d++) {
        snprintf(id, sizeof id, "s%04d", d);
        snprintf(name, sizeof name, d == 500 ? "Rare Club" : "Club %d", d);
        snprintf(desc, sizeof desc, "common%s%s", d % 10 == 0 ? " rare" : "",
                 d % 3 == 0 ? " middling" : "");
        search_svc s = {.id = id,
                        .organization_id = "o",
                        .name = name,
                        .description = desc,
                        .organization_name = "Org",
                        .minimum_age = -1,
                        .maximum_age = -1,
                        .status = "active",
                        .capacity_status = "capacity",
                        .oruk_json = "{}",
                        .capacity = -1};
        int n = search_add_service(ix, &s);
        search_service_term(ix, n, d % 2 ? "B" : "A");
        search_service_location(ix, n, 53000000 + (d % 100) * 1000, -1350000, 1, NULL, NULL);
    }
    search_build(ix);
    search_query q;
    search_query_init(&q);
    search_result r;
    q.words = "common rare";
    q.taxonomy_term_id = "A";
    search_run(ix, &q, &r);
    assert_int_equal(r.total, 200);
    assert_string_equal(search_id(ix, r.hits[0].svc), "s0500"); /* the word in its name */
    search_result_free(&r);
    q.words = "middling common";
    q.taxonomy_term_id = "B";
    search_run(ix, &q, &r);
    assert_int_equal(r.total, 333);
    search_result_free(&r);
    q.words = "rare common";
    q.taxonomy_term_id = NULL;
    q.taxonomy_id = "t";
    q.has_point = 1;
    q.lat_e6 = 53000000;
    q.lon_e6 = -1350000;
    q.radius_m = 1500; /* 0 and 10 of every hundred: 0 and 1.1 km away */
    search_run(ix, &q, &r);
    assert_int_equal(r.total, 40);
    assert_true(r.hits[0].distance_m < 1200);
    search_result_free(&r);
    search_free(ix);
}

/* The cache key: one per query as the search sees it, none when the answer depends on
 * the time. */
static void query_keys(void **state) {
    (void)state;
    char a[512], b[512];
    search_query q, r;
    search_query_init(&q);
    q.words = "Walking, the GROUPS";
    r = q;
    r.words = "walking group";
    size_t ka = search_query_key(&q, a, sizeof a), kb = search_query_key(&r, b, sizeof b);
    assert_true(ka > 0);
    assert_int_equal(ka, kb);
    assert_string_equal(a, b);
    /* Every member that changes the answer changes the key. */
    search_query v[12];
    for (int i = 0; i < 12; i++)
        v[i] = q;
    v[0].words = "walking";
    v[1].taxonomy_term_id = "t1";
    v[2].taxonomy_id = "t1";
    v[3].organization_id = "t1";
    v[4].page = 2;
    v[5].per_page = 21;
    v[6].has_point = 1;
    v[7].has_point = 1;
    v[7].radius_m = 5000;
    v[8].day = 2;
    v[9].order = SEARCH_ORDER_DISTANCE;
    v[10].managed_by = 7;
    v[11].minimum_age = 18;
    for (int i = 0; i < 12; i++) {
        assert_true(search_query_key(&v[i], b, sizeof b) > 0);
        if (strcmp(a, b) == 0)
            fail_msg("query %d has the unchanged query's key", i);
        for (int j = 0; j < i; j++) {
            char c[512];
            assert_true(search_query_key(&v[j], c, sizeof c) > 0);
            if (strcmp(c, b) == 0)
                fail_msg("queries %d and %d share a key", i, j);
        }
    }
    /* A string cannot pass for two: "a|b" as one id is not "a" and "b". */
    v[0] = q;
    v[0].taxonomy_term_id = "x|1:y";
    v[1] = q;
    v[1].taxonomy_term_id = "x";
    v[1].taxonomy_id = "y";
    search_query_key(&v[0], a, sizeof a);
    search_query_key(&v[1], b, sizeof b);
    assert_string_not_equal(a, b);
    /* Staleness depends on the time: never cached. Nor a key that does not fit. */
    v[0] = q;
    v[0].stale = 1;
    assert_int_equal(search_query_key(&v[0], a, sizeof a), 0);
    assert_int_equal(search_query_key(&q, a, 8), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(html_becomes_safe_text),
        cmocka_unit_test(postcodes),
        cmocka_unit_test(dates_and_times_from_messy_feeds),
        cmocka_unit_test(ids_urls_emails),
        cmocka_unit_test(rules),
        cmocka_unit_test_setup_teardown(words_are_ranked_and_all_must_match, setup_index,
                                        teardown_index),
        cmocka_unit_test_setup_teardown(every_filter, setup_index, teardown_index),
        cmocka_unit_test_setup_teardown(a_services_fields_come_back_as_given, setup_index,
                                        teardown_index),
        cmocka_unit_test_setup_teardown(paging, setup_index, teardown_index),
        cmocka_unit_test(large_index_uses_its_fast_paths),
        cmocka_unit_test(query_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
