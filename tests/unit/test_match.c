/* Unit tests for domain/match: hard filters and their reasons, the score parts
 * and their reasons, the order (full last, ties by id), determinism, paging,
 * input checks, the geography, and 100,000 services against a reference
 * ranking made by a full sort. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/match.h"

/* ---- a small hand-built directory ---- */

#define HOME_LAT 53380000 /* Sheffield, in micro-degrees */
#define HOME_LON (-1470000)

/* Micro-degrees of latitude for M metres due north. */
static int32_t north(double m) {
    return (int32_t)(m / 111195.08 * 1e6 + 0.5);
}

static lw_match_service svc(const char *id, const char *name) {
    lw_match_service s;
    memset(&s, 0, sizeof s);
    s.id = id;
    s.name = name;
    s.organisation = "Hillside Community Trust";
    s.status = LW_MATCH_ACTIVE;
    s.min_age = s.max_age = -1;
    s.capacity = LW_MATCH_HAS_PLACES;
    s.cost = LW_MATCH_COST_FREE;
    return s;
}

static void place(lw_match_service *s, double metres_north) {
    s->located = true;
    s->lat = HOME_LAT + north(metres_north);
    s->lon = HOME_LON;
}

static lw_match_person person(void) {
    lw_match_person p;
    match_person_init(&p);
    p.has_home = true;
    p.home_lat = HOME_LAT;
    p.home_lon = HOME_LON;
    return p;
}

static const lw_match_slot tue_morning[] = {{LW_MATCH_TU, 10 * 60, 12 * 60}};
static const lw_match_slot sat_morning[] = {{LW_MATCH_SA, 10 * 60, 12 * 60}};
static const lw_match_slot free_tuesday[] = {{LW_MATCH_TU, 9 * 60, 17 * 60}};

typedef struct ranked {
    lw_arena *a;
    lw_match_result res[64];
    lw_match_excluded exc[64];
    lw_match_out out;
} ranked;

/* Ranks with default weights (or W) and checks it worked. */
static void rank(ranked *r, const lw_match_person *p, const lw_match_weights *w,
                 const lw_match_service *s, size_t n) {
    r->a = arena_new();
    memset(&r->out, 0, sizeof r->out);
    r->out.results = r->res;
    r->out.results_cap = 64;
    r->out.excluded = r->exc;
    r->out.excluded_cap = 64;
    lw_error err = {0};
    assert_int_equal(match_rank(r->a, p, w, s, n, &r->out, &err), LW_OK);
}

static const char *reason(const lw_match_result *r, lw_match_part_id part) {
    assert_true(r->part[part].weight > 0);
    assert_non_null(r->part[part].reason);
    return r->part[part].reason;
}

/* ---- the issue's own examples ---- */

static void test_free_tuesday_walk_beats_paid_saturday_class(void **state) {
    (void)state;
    lw_match_service s[2];
    s[0] = svc("zz-class", "Saturday Fitness Class");
    place(&s[0], 20000);
    s[0].cost = LW_MATCH_COST_PAID;
    s[0].sessions = sat_morning;
    s[0].n_sessions = 1;
    s[0].needs = LW_MATCH_NEED_BIT(LW_MATCH_NEED_PHYSICAL_ACTIVITY);
    s[1] = svc("aa-walk", "Tuesday Walking Group");
    place(&s[1], 1000);
    s[1].cost = LW_MATCH_COST_FREE;
    s[1].sessions = tue_morning;
    s[1].n_sessions = 1;
    s[1].needs = LW_MATCH_NEED_BIT(LW_MATCH_NEED_PHYSICAL_ACTIVITY);

    lw_match_person p = person();
    p.needs[LW_MATCH_NEED_PHYSICAL_ACTIVITY] = 2;
    p.free = free_tuesday;
    p.n_free = 1;
    p.cost_limit = LW_MATCH_LIMIT_FREE;

    /* Whichever way round the directory lists them (and whatever the ids). */
    for (int flip = 0; flip < 2; flip++) {
        lw_match_service d[2] = {s[flip], s[1 - flip]};
        ranked r;
        rank(&r, &p, NULL, d, 2);
        assert_int_equal(r.out.n_results, 2);
        assert_string_equal(r.res[0].id, "aa-walk");
        assert_string_equal(r.res[1].id, "zz-class");
        assert_true(r.res[0].score > r.res[1].score);
        assert_string_equal(reason(&r.res[0], LW_MATCH_PART_COST), "free");
        assert_string_equal(reason(&r.res[0], LW_MATCH_PART_SCHEDULE),
                            "Tuesday mornings — you are free");
        assert_string_equal(reason(&r.res[0], LW_MATCH_PART_DISTANCE), "15 min walk (1.0 km)");
        assert_string_equal(reason(&r.res[0], LW_MATCH_PART_CAPACITY), "has places");
        assert_string_equal(reason(&r.res[1], LW_MATCH_PART_COST),
                            "costs money — you asked for free ones");
        assert_string_equal(reason(&r.res[1], LW_MATCH_PART_SCHEDULE),
                            "Saturday mornings — you are not free then");
        assert_string_equal(reason(&r.res[1], LW_MATCH_PART_DISTANCE), "5 h walk (20 km)");
        assert_int_equal(r.res[0].distance_m, 1000);
        assert_int_equal(r.res[0].travel_min, 15);
        arena_free(r.a);
    }
}

static void test_outside_age_range_excluded_with_reason(void **state) {
    (void)state;
    lw_match_service s[2];
    s[0] = svc("young", "Young People's Art Club");
    s[0].min_age = 18;
    s[0].max_age = 25;
    s[1] = svc("open", "Community Art Club");
    lw_match_person p = person();
    p.age = 67;
    ranked r;
    rank(&r, &p, NULL, s, 2);
    assert_int_equal(r.out.n_results, 1);
    assert_string_equal(r.res[0].id, "open");
    assert_int_equal(r.out.n_excluded, 1);
    assert_int_equal(r.out.excluded_total, 1);
    assert_int_equal(r.out.eligible, 1);
    assert_string_equal(r.exc[0].id, "young");
    assert_int_equal(r.exc[0].index, 0);
    assert_int_equal(r.exc[0].why, LW_MATCH_EXCL_BIT(LW_MATCH_EXCL_AGE));
    assert_string_equal(r.exc[0].reason, "for ages 18–25; you are 67");
    arena_free(r.a);
}

static void test_full_service_last_with_reason(void **state) {
    (void)state;
    lw_match_service s[3];
    /* The full one fits best in every other way: it is still last. */
    s[0] = svc("a-full", "Choir");
    s[0].capacity = LW_MATCH_FULL;
    s[0].needs = LW_MATCH_NEED_BIT(LW_MATCH_NEED_ISOLATION);
    place(&s[0], 100);
    s[0].needs |= LW_MATCH_NEED_BIT(LW_MATCH_NEED_MOOD);
    s[1] = svc("b-wait", "Lunch club");
    s[1].capacity = LW_MATCH_WAITLIST;
    s[1].needs = LW_MATCH_NEED_BIT(LW_MATCH_NEED_ISOLATION);
    place(&s[1], 3000);
    s[2] = svc("c-places", "Coffee morning");
    s[2].capacity = LW_MATCH_HAS_PLACES;
    s[2].needs = LW_MATCH_NEED_BIT(LW_MATCH_NEED_ISOLATION);
    place(&s[2], 3000);
    lw_match_person p = person();
    p.needs[LW_MATCH_NEED_ISOLATION] = 3;
    p.needs[LW_MATCH_NEED_MOOD] = 1;
    ranked r;
    rank(&r, &p, NULL, s, 3);
    assert_int_equal(r.out.n_results, 3);
    assert_string_equal(r.res[0].id, "c-places");
    assert_string_equal(r.res[1].id, "b-wait"); /* waitlisted: lower, not left out */
    assert_string_equal(r.res[2].id, "a-full");
    assert_true(r.res[2].full);
    assert_false(r.res[0].full);
    assert_true(r.res[2].total > r.res[0].total); /* it really was the best otherwise */
    assert_string_equal(reason(&r.res[2], LW_MATCH_PART_CAPACITY),
                        "full — no places at the moment");
    assert_string_equal(reason(&r.res[1], LW_MATCH_PART_CAPACITY), "waiting list");
    assert_string_equal(reason(&r.res[0], LW_MATCH_PART_CAPACITY), "has places");
    assert_int_equal(r.out.n_excluded, 0);
    arena_free(r.a);
}

/* ---- every filter's reason ---- */

static void test_filter_reasons(void **state) {
    (void)state;
    static const char *const en_cy[] = {"en", "cy"};
    static const char *const pl[] = {"pl"};
    lw_match_service s[12];
    int n = 0;
    s[n] = svc("01-inactive", "Old group");
    s[n++].status = LW_MATCH_INACTIVE;
    s[n] = svc("02-closed", "Paused group");
    s[n++].status = LW_MATCH_TEMPORARILY_CLOSED;
    s[n] = svc("03-defunct", "Gone group");
    s[n++].status = LW_MATCH_DEFUNCT;
    s[n] = svc("04-over", "Over 70s club");
    s[n++].min_age = 70;
    s[n] = svc("05-under", "Youth club");
    s[n++].max_age = 17;
    s[n] = svc("06-lang", "Welsh choir");
    s[n].languages = en_cy;
    s[n++].n_languages = 2;
    s[n] = svc("07-polish", "Polish club"); /* "pl" meets "Polish": included */
    s[n].languages = pl;
    s[n++].n_languages = 1;
    s[n] = svc("08-access", "Upstairs group");
    s[n].access_listed = true;
    s[n].access = LW_MATCH_ACCESS_BIT(LW_MATCH_ACCESS_ACCESSIBLE_TOILET);
    place(&s[n++], 500);
    s[n] = svc("09-unlisted", "Group that does not say"); /* included: the listing is silent */
    place(&s[n++], 500);
    s[n] = svc("10-phone", "Phone line"); /* included: a phone line has no steps */
    s[n].access_listed = true;
    s[n++].access = 0;
    s[n] = svc("11-far", "Far group");
    place(&s[n++], 6000);
    s[n] = svc("12-two", "Far youth group");
    s[n].max_age = 25;
    place(&s[n++], 6000);

    lw_match_person p = person();
    p.age = 40;
    p.language = "Polish";
    p.access_needs = LW_MATCH_ACCESS_BIT(LW_MATCH_ACCESS_STEP_FREE) |
                     LW_MATCH_ACCESS_BIT(LW_MATCH_ACCESS_HEARING_LOOP);
    p.max_m = 5000;
    ranked r;
    rank(&r, &p, NULL, s, (size_t)n);
    static const char *const want[][2] = {
        {"01-inactive", "not running at the moment"},
        {"02-closed", "temporarily closed"},
        {"03-defunct", "has closed down"},
        {"04-over", "for ages 70 and over; you are 40"},
        {"05-under", "for ages up to 17; you are 40"},
        {"06-lang", "offered in English and Welsh; you asked for Polish"},
        {"08-access", "does not list step-free access or a hearing loop, which you need"},
        {"11-far", "6.0 km away; you can travel up to 5 km"},
        {"12-two", "for ages up to 25; you are 40"},
    };
    assert_int_equal(r.out.n_excluded, 9);
    assert_int_equal(r.out.excluded_total, 9);
    for (size_t i = 0; i < 9; i++) {
        assert_string_equal(r.exc[i].id, want[i][0]); /* in id order */
        assert_string_equal(r.exc[i].reason, want[i][1]);
    }
    /* Two reasons: both given, in order. */
    assert_int_equal(r.exc[8].n_reasons, 2);
    assert_int_equal(r.exc[8].why, LW_MATCH_EXCL_BIT(LW_MATCH_EXCL_AGE) |
                                       LW_MATCH_EXCL_BIT(LW_MATCH_EXCL_DISTANCE));
    assert_string_equal(r.exc[8].reasons[1], "6.0 km away; you can travel up to 5 km");
    assert_int_equal(r.out.n_results, 3);
    int seen = 0;
    for (size_t i = 0; i < 3; i++)
        seen |= strcmp(r.res[i].id, "07-polish") == 0     ? 1
                : strcmp(r.res[i].id, "09-unlisted") == 0 ? 2
                                                          : 4;
    assert_int_equal(seen, 7);
    arena_free(r.a);

    /* A limit that is not whole kilometres; age unknown: no age filter. */
    p.max_m = 2500;
    p.age = -1;
    rank(&r, &p, NULL, s + 10, 2);
    assert_int_equal(r.out.n_excluded, 2);
    assert_string_equal(r.exc[0].reason, "6.0 km away; you can travel up to 2.5 km");
    assert_int_equal(r.exc[1].n_reasons, 1);
    arena_free(r.a);
}

/* ---- every part's reasons ---- */

static const char *one_reason(const lw_match_person *p, const lw_match_service *s,
                              lw_match_part_id part, lw_arena *a) {
    bool included = false;
    lw_match_result res;
    lw_match_excluded exc;
    lw_error err = {0};
    assert_int_equal(match_one(a, p, NULL, s, 0, &included, &res, &exc, &err), LW_OK);
    assert_true(included);
    if (res.part[part].weight == 0)
        return NULL;
    assert_non_null(res.part[part].reason);
    return res.part[part].reason;
}

static void test_need_reasons(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    lw_match_person p = person();
    lw_match_service s = svc("x", "Group");
    assert_null(one_reason(&p, &s, LW_MATCH_PART_NEED, a)); /* no needs: the part does not count */
    p.needs[LW_MATCH_NEED_ISOLATION] = 3;
    p.needs[LW_MATCH_NEED_PHYSICAL_ACTIVITY] = 1;
    s.needs = LW_MATCH_NEED_BIT(LW_MATCH_NEED_ISOLATION) |
              LW_MATCH_NEED_BIT(LW_MATCH_NEED_PHYSICAL_ACTIVITY);
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_NEED, a),
                        "helps with loneliness and being more active");
    p.needs[LW_MATCH_NEED_DEBT] = 2;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_NEED, a),
                        "helps with loneliness and being more active; not with debt");
    s.needs = LW_MATCH_NEED_BIT(LW_MATCH_NEED_ARTS);
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_NEED, a),
                        "does not say it helps with loneliness, debt or being more active");
    arena_free(a);
}

static void test_interest_reasons(void **state) {
    (void)state;
    static const char *const interests[] = {"walking", "nature", "tai chi"};
    static const char *const terms[] = {"Health walks", "Nature and wildlife"};
    static const char *const taichi[] = {"Tai Chi for beginners"};
    lw_arena *a = arena_new();
    lw_match_person p = person();
    p.interests = interests;
    p.n_interests = 3;
    lw_match_service s = svc("x", "Hillside Walkers");
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_INTEREST, a),
                        "walking — one of your interests");
    s.terms = terms;
    s.n_terms = 2;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_INTEREST, a),
                        "walking and nature — your interests");
    lw_match_service t = svc("y", "Chair based exercise");
    assert_string_equal(one_reason(&p, &t, LW_MATCH_PART_INTEREST, a),
                        "does not match your interests");
    t.terms = taichi; /* a phrase */
    t.n_terms = 1;
    assert_string_equal(one_reason(&p, &t, LW_MATCH_PART_INTEREST, a),
                        "tai chi — one of your interests");
    lw_match_service u = svc("z", "Chi-squared statistics for tai-lovers"); /* not the phrase */
    assert_string_equal(one_reason(&p, &u, LW_MATCH_PART_INTEREST, a),
                        "does not match your interests");
    /* The same interest twice counts once. */
    static const char *const twice[] = {"walking", "Walks"};
    p.interests = twice;
    p.n_interests = 2;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_INTEREST, a),
                        "walking — one of your interests");
    bool included;
    lw_match_result res;
    lw_match_excluded exc;
    lw_error err = {0};
    assert_int_equal(match_one(a, &p, NULL, &s, 0, &included, &res, &exc, &err), LW_OK);
    assert_int_equal(res.part[LW_MATCH_PART_INTEREST].fit, 1000); /* its only interest */
    arena_free(a);
}

static void test_schedule_reasons(void **state) {
    (void)state;
    static const lw_match_slot free_times[] = {
        {LW_MATCH_TH, 17 * 60, 22 * 60},
        {LW_MATCH_TU, 9 * 60, 12 * 60},
        {LW_MATCH_WE, 11 * 60, 12 * 60},
    };
    static const lw_match_slot two_good[] = {
        {LW_MATCH_TH, 18 * 60, 20 * 60}, {LW_MATCH_TU, 10 * 60, 11 * 60}, {LW_MATCH_SU, 600, 660}};
    static const lw_match_slot partial[] = {{LW_MATCH_WE, 10 * 60, 12 * 60 + 30}};
    static const lw_match_slot none[] = {{LW_MATCH_SU, 14 * 60, 16 * 60},
                                         {LW_MATCH_SA, 10 * 60, 12 * 60}};
    static const lw_match_slot many[] = {
        {LW_MATCH_TU, 9 * 60, 10 * 60},  {LW_MATCH_TU, 10 * 60, 11 * 60},
        {LW_MATCH_TH, 19 * 60, 20 * 60}, {LW_MATCH_MO, 19 * 60, 20 * 60},
        {LW_MATCH_TH, 17 * 60, 18 * 60}, {LW_MATCH_WE, 11 * 60, 12 * 60}};
    lw_arena *a = arena_new();
    lw_match_person p = person();
    lw_match_service s = svc("x", "Group");
    s.sessions = two_good;
    s.n_sessions = 3;
    assert_null(one_reason(&p, &s, LW_MATCH_PART_SCHEDULE, a)); /* free times not given */
    p.free = free_times;
    p.n_free = 3;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_SCHEDULE, a),
                        "Tuesday mornings and Thursday evenings — you are free");
    s.sessions = partial;
    s.n_sessions = 1;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_SCHEDULE, a),
                        "Wednesday 10:00–12:30 — you are free for part of it");
    s.sessions = none;
    s.n_sessions = 2;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_SCHEDULE, a),
                        "Saturday mornings and Sunday afternoons — you are not free then");
    s.sessions = many;
    s.n_sessions = 6;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_SCHEDULE, a),
                        "Tuesday mornings, Wednesday mornings and 2 more times — you are free");
    s.n_sessions = 0;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_SCHEDULE, a),
                        "times not listed — ask the provider");
    arena_free(a);
}

static void test_distance_reasons(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    lw_match_person p = person();
    lw_match_service s = svc("x", "Group");
    place(&s, 6200);
    p.travel = LW_MATCH_BUS; /* 10 + 6.2 km x 1.3 at 15 km/h = 42.2 min */
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_DISTANCE, a), "42 min by bus (6.2 km)");
    p.travel = LW_MATCH_CAR; /* 5 + 6.2 km x 1.3 at 30 km/h = 21.1 min */
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_DISTANCE, a), "21 min by car (6.2 km)");
    p.travel = LW_MATCH_WALK; /* 6.2 km x 1.2 at 4.8 km/h = 93 min */
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_DISTANCE, a), "1 h 33 min walk (6.2 km)");
    lw_match_service online = svc("y", "Phone befriending");
    assert_string_equal(one_reason(&p, &online, LW_MATCH_PART_DISTANCE, a),
                        "online or by phone — no travel");
    p.has_home = false;
    assert_null(one_reason(&p, &s, LW_MATCH_PART_DISTANCE, a)); /* no home: does not count */
    arena_free(a);
}

static void test_cost_capacity_setting_reasons(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    lw_match_person p = person();
    lw_match_service s = svc("x", "Group");
    static const struct {
        lw_match_cost_limit limit;
        lw_match_cost cost;
        const char *want;
    } costs[] = {
        {LW_MATCH_LIMIT_FREE, LW_MATCH_COST_FREE, "free"},
        {LW_MATCH_LIMIT_FREE, LW_MATCH_COST_LOW, "low cost — you asked for free ones"},
        {LW_MATCH_LIMIT_FREE, LW_MATCH_COST_PAID, "costs money — you asked for free ones"},
        {LW_MATCH_LIMIT_LOW, LW_MATCH_COST_LOW, "low cost"},
        {LW_MATCH_LIMIT_LOW, LW_MATCH_COST_PAID,
         "costs more than a little — you asked for free or low-cost ones"},
        {LW_MATCH_LIMIT_ANY, LW_MATCH_COST_PAID, "costs money"},
        {LW_MATCH_LIMIT_ANY, LW_MATCH_COST_UNKNOWN, "cost not listed — ask the provider"},
    };
    for (size_t i = 0; i < sizeof costs / sizeof costs[0]; i++) {
        p.cost_limit = costs[i].limit;
        s.cost = costs[i].cost;
        assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_COST, a), costs[i].want);
    }
    s.capacity = LW_MATCH_CAPACITY_UNKNOWN;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_CAPACITY, a),
                        "places not listed — ask the provider");
    assert_null(one_reason(&p, &s, LW_MATCH_PART_SETTING, a)); /* "either": does not count */
    p.setting = LW_MATCH_PREFER_GROUP;
    s.setting = LW_MATCH_SETTING_GROUP;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_SETTING, a), "a group, as you prefer");
    s.setting = LW_MATCH_SETTING_ONE_TO_ONE;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_SETTING, a),
                        "one-to-one — you prefer a group");
    p.setting = LW_MATCH_PREFER_ONE_TO_ONE;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_SETTING, a), "one-to-one, as you prefer");
    s.setting = LW_MATCH_SETTING_GROUP;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_SETTING, a),
                        "a group — you prefer one-to-one");
    s.setting = LW_MATCH_SETTING_UNKNOWN;
    assert_string_equal(one_reason(&p, &s, LW_MATCH_PART_SETTING, a),
                        "does not say whether it is a group or one-to-one");
    arena_free(a);
}

static void test_mental_health_preparedness(void **state) {
    (void)state;
    lw_match_service s[3];
    s[0] = svc("a", "Group A");
    s[0].mh_prepared = LW_MATCH_NO;
    s[1] = svc("b", "Group B");
    s[1].mh_prepared = LW_MATCH_UNKNOWN;
    s[2] = svc("c", "Group C");
    s[2].mh_prepared = LW_MATCH_YES;
    lw_match_person p = person();
    ranked r;
    /* Not referred from mental health services: the part does not count; ties by id. */
    rank(&r, &p, NULL, s, 3);
    assert_string_equal(r.res[0].id, "a");
    assert_int_equal(r.res[0].part[LW_MATCH_PART_MENTAL_HEALTH].weight, 0);
    assert_null(r.res[0].part[LW_MATCH_PART_MENTAL_HEALTH].reason);
    arena_free(r.a);
    p.from_mental_health = true;
    rank(&r, &p, NULL, s, 3);
    assert_string_equal(r.res[0].id, "c");
    assert_string_equal(r.res[1].id, "b");
    assert_string_equal(r.res[2].id, "a");
    assert_string_equal(reason(&r.res[0], LW_MATCH_PART_MENTAL_HEALTH),
                        "prepared for people with mental health needs");
    assert_string_equal(reason(&r.res[1], LW_MATCH_PART_MENTAL_HEALTH),
                        "does not say whether it is prepared for people with mental health needs");
    assert_string_equal(reason(&r.res[2], LW_MATCH_PART_MENTAL_HEALTH),
                        "says it is not prepared for people with mental health needs");
    arena_free(r.a);
}

static void test_what_matters_part(void **state) {
    (void)state;
    lw_match_service s[2];
    s[0] = svc("a", "Walk");
    s[0].traits = LW_MATCH_TRAIT_BIT(LW_MATCH_TRAIT_OUTDOORS);
    s[1] = svc("b", "Pottery");
    s[1].traits = LW_MATCH_TRAIT_BIT(LW_MATCH_TRAIT_CREATIVE);
    lw_match_person p = person();
    lw_match_weights w;
    match_weights_default(&w);
    w.trait[LW_MATCH_TRAIT_CREATIVE] = 10;
    w.trait[LW_MATCH_TRAIT_OUTDOORS] = 4;
    w.part[LW_MATCH_PART_WHAT_MATTERS] = 20;
    ranked r;
    rank(&r, &p, &w, s, 2);
    assert_string_equal(r.res[0].id, "b");
    assert_string_equal(reason(&r.res[0], LW_MATCH_PART_WHAT_MATTERS),
                        "what matters to you: doing something creative; not being outdoors");
    assert_string_equal(reason(&r.res[1], LW_MATCH_PART_WHAT_MATTERS),
                        "what matters to you: being outdoors; not doing something creative");
    assert_int_equal(r.res[0].part[LW_MATCH_PART_WHAT_MATTERS].fit, 1000 * 10 / 14);
    arena_free(r.a);
}

/* ---- order and determinism ---- */

static void test_ties_broken_by_id(void **state) {
    (void)state;
    lw_match_service s[4] = {svc("c", "Same"), svc("a", "Same"), svc("d", "Same"),
                             svc("b", "Same")};
    lw_match_person p = person();
    ranked r;
    rank(&r, &p, NULL, s, 4);
    assert_int_equal(r.out.n_results, 4);
    const char *want[] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(r.res[i].id, want[i]);
        assert_true(r.res[i].total == r.res[0].total);
    }
    arena_free(r.a);
}

/* A deterministic generator (64-bit LCG), for big directories. */
typedef struct rng {
    uint64_t s;
} rng;

static uint32_t next(rng *r) {
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(r->s >> 33);
}

static uint32_t below(rng *r, uint32_t n) {
    return next(r) % n;
}

static const char *const gen_terms[] = {
    "walking",      "health walks", "gardening",   "art",         "crafts",   "choir",
    "tai chi",      "yoga",         "befriending", "debt advice", "benefits", "cooking",
    "peer support", "volunteering", "lunch club",  "swimming",    "nature",   "music",
};
static const char *const gen_words[] = {"Hillside", "Riverside", "Park",    "Northern",
                                        "Friendly", "Community", "Tuesday", "Green"};
static const char *const gen_kinds[] = {"Walking Group",  "Art Club",   "Choir", "Garden",
                                        "Advice Drop-in", "Lunch Club", "Yoga",  "Men's Shed",
                                        "Befriending",    "Tai Chi",    "Cafe",  "Swim"};
static const char *const gen_langs[][2] = {{"en", NULL}, {"en", "pl"}, {"ur", "pa"}};

typedef struct gen {
    lw_match_service *s;
    char (*ids)[16];
    char (*names)[48];
    const char *(*terms)[3];
    lw_match_slot (*sessions)[3];
    size_t n;
} gen;

/* N services around HOME, deterministic from SEED. */
static void generate(gen *g, size_t n, uint64_t seed) {
    rng r = {seed};
    g->n = n;
    g->s = calloc(n, sizeof *g->s);
    g->ids = calloc(n, sizeof *g->ids);
    g->names = calloc(n, sizeof *g->names);
    g->terms = calloc(n, sizeof *g->terms);
    g->sessions = calloc(n, sizeof *g->sessions);
    assert_non_null(g->s);
    assert_non_null(g->sessions);
    for (size_t i = 0; i < n; i++) {
        lw_match_service *s = &g->s[i];
        /* Unique (an odd multiplier is a bijection mod 2^32), in no particular order. */
        snprintf(g->ids[i], sizeof g->ids[i], "svc-%08x",
                 (unsigned)((uint32_t)i * 2654435761u + (uint32_t)seed));
        snprintf(g->names[i], sizeof g->names[i], "%s %s", gen_words[below(&r, 8)],
                 gen_kinds[below(&r, 12)]);
        s->id = g->ids[i];
        s->name = g->names[i];
        s->organisation = "Generated";
        s->status = below(&r, 20) == 0 ? LW_MATCH_INACTIVE : LW_MATCH_ACTIVE;
        s->needs = (1u << below(&r, LW_MATCH_NEED_COUNT)) | (1u << below(&r, LW_MATCH_NEED_COUNT));
        s->n_terms = below(&r, 4);
        for (size_t k = 0; k < s->n_terms; k++)
            g->terms[i][k] = gen_terms[below(&r, 18)];
        s->terms = g->terms[i];
        s->min_age = s->max_age = -1;
        uint32_t age = below(&r, 10);
        if (age == 0) {
            s->min_age = 18;
            s->max_age = 25;
        } else if (age == 1) {
            s->min_age = 65;
        }
        uint32_t lang = below(&r, 10);
        if (lang < 3) {
            s->languages = gen_langs[lang];
            s->n_languages = gen_langs[lang][1] ? 2 : 1;
        }
        s->access_listed = below(&r, 2) == 0;
        s->access = below(&r, 256);
        s->n_sessions = below(&r, 4);
        for (size_t k = 0; k < s->n_sessions; k++) {
            uint16_t from = (uint16_t)(8 * 60 + 30 * below(&r, 24));
            g->sessions[i][k] = (lw_match_slot){(lw_match_day)below(&r, 7), from,
                                                (uint16_t)(from + 60 + 30 * below(&r, 4))};
        }
        s->sessions = g->sessions[i];
        s->located = below(&r, 10) != 0;
        s->lat = HOME_LAT + (int32_t)below(&r, 400000) - 200000;
        s->lon = HOME_LON + (int32_t)below(&r, 600000) - 300000;
        s->cost = (lw_match_cost)below(&r, 4);
        s->capacity = (lw_match_capacity)below(&r, 4);
        s->setting = (lw_match_setting)below(&r, 4);
        s->mh_prepared = (lw_match_answer)below(&r, 3);
        s->traits = below(&r, 1u << LW_MATCH_TRAIT_COUNT);
    }
}

static void gen_free(gen *g) {
    free(g->s);
    free(g->ids);
    free(g->names);
    free(g->terms);
    free(g->sessions);
}

static const char *const busy_interests[] = {"walking", "art", "tai chi", "gardening"};
static const lw_match_slot busy_free[] = {{LW_MATCH_TU, 9 * 60, 13 * 60},
                                          {LW_MATCH_TH, 13 * 60, 17 * 60},
                                          {LW_MATCH_SA, 10 * 60, 12 * 60}};

static lw_match_person busy_person(void) {
    lw_match_person p = person();
    p.needs[LW_MATCH_NEED_ISOLATION] = 3;
    p.needs[LW_MATCH_NEED_MOOD] = 2;
    p.needs[LW_MATCH_NEED_DEBT] = 1;
    p.interests = busy_interests;
    p.n_interests = 4;
    p.free = busy_free;
    p.n_free = 3;
    p.max_m = 15000;
    p.travel = LW_MATCH_BUS;
    p.cost_limit = LW_MATCH_LIMIT_LOW;
    p.setting = LW_MATCH_PREFER_GROUP;
    p.language = "English";
    p.access_needs = LW_MATCH_ACCESS_BIT(LW_MATCH_ACCESS_STEP_FREE);
    p.age = 67;
    p.from_mental_health = true;
    return p;
}

static void assert_same_result(const lw_match_result *x, const lw_match_result *y) {
    assert_string_equal(x->id, y->id);
    assert_int_equal(x->total, y->total);
    assert_int_equal(x->score, y->score);
    assert_int_equal(x->full, y->full);
    assert_int_equal(x->distance_m, y->distance_m);
    assert_int_equal(x->travel_min, y->travel_min);
    for (int k = 0; k < LW_MATCH_PART_COUNT; k++) {
        assert_int_equal(x->part[k].weight, y->part[k].weight);
        assert_int_equal(x->part[k].fit, y->part[k].fit);
        if (x->part[k].reason || y->part[k].reason)
            assert_string_equal(x->part[k].reason, y->part[k].reason);
    }
}

static void test_shuffled_input_same_output(void **state) {
    (void)state;
    gen g;
    generate(&g, 500, 7);
    lw_match_person p = busy_person();
    ranked first;
    rank(&first, &p, NULL, g.s, g.n);
    assert_int_equal(first.out.n_results, 64);
    assert_int_equal(first.out.n_excluded, 64);
    rng r = {99};
    for (int round = 0; round < 5; round++) {
        for (size_t i = g.n - 1; i > 0; i--) { /* Fisher–Yates */
            size_t j = below(&r, (uint32_t)(i + 1));
            lw_match_service t = g.s[i];
            g.s[i] = g.s[j];
            g.s[j] = t;
        }
        ranked again;
        rank(&again, &p, NULL, g.s, g.n);
        assert_int_equal(again.out.eligible, first.out.eligible);
        assert_int_equal(again.out.excluded_total, first.out.excluded_total);
        assert_int_equal(again.out.n_results, first.out.n_results);
        for (size_t i = 0; i < first.out.n_results; i++) {
            assert_same_result(&again.res[i], &first.res[i]);
            assert_ptr_equal(g.s[again.res[i].index].id, again.res[i].id);
        }
        for (size_t i = 0; i < first.out.n_excluded; i++) {
            assert_string_equal(again.exc[i].id, first.exc[i].id);
            assert_string_equal(again.exc[i].reason, first.exc[i].reason);
        }
        arena_free(again.a);
    }
    arena_free(first.a);
    gen_free(&g);
}

static void test_paging(void **state) {
    (void)state;
    gen g;
    generate(&g, 300, 11);
    lw_match_person p = busy_person();
    ranked all;
    rank(&all, &p, NULL, g.s, g.n);
    lw_arena *a = arena_new();
    lw_match_result page[10];
    lw_match_excluded epage[5];
    lw_match_out out = {.results = page,
                        .results_cap = 10,
                        .skip = 20,
                        .excluded = epage,
                        .excluded_cap = 5,
                        .excluded_skip = 3};
    lw_error err = {0};
    assert_int_equal(match_rank(a, &p, NULL, g.s, g.n, &out, &err), LW_OK);
    assert_int_equal(out.n_results, 10);
    assert_int_equal(out.n_excluded, 5);
    for (size_t i = 0; i < 10; i++)
        assert_same_result(&page[i], &all.res[20 + i]);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(epage[i].index, all.exc[3 + i].index);
    /* Past the end: nothing, and the totals still. */
    out.skip = 100000;
    out.excluded = NULL;
    out.excluded_cap = 0;
    assert_int_equal(match_rank(a, &p, NULL, g.s, g.n, &out, &err), LW_OK);
    assert_int_equal(out.n_results, 0);
    assert_int_equal(out.n_excluded, 0);
    assert_int_equal(out.eligible + out.excluded_total, 300);
    arena_free(a);
    arena_free(all.a);
    gen_free(&g);
}

/* Reference: every service scored alone (match_one), then a full sort. */
typedef struct ref {
    lw_match_result r; /* numbers only: reasons are freed chunk by chunk */
} ref;

static int ref_cmp(const void *x, const void *y) {
    return match_compare(&((const ref *)x)->r, &((const ref *)y)->r);
}

static int excl_ref_cmp(const void *x, const void *y) {
    const lw_match_excluded *a = x, *b = y;
    int k = strcmp(a->id, b->id);
    return k ? k : (a->index > b->index) - (a->index < b->index);
}

static void test_100000_services_match_reference(void **state) {
    (void)state;
    enum { N = 100000, K = 200 };
    gen g;
    generate(&g, N, 2024);
    lw_match_person p = busy_person();

    ref *refs = calloc(N, sizeof *refs);
    lw_match_excluded *rexc = calloc(N, sizeof *rexc);
    assert_non_null(refs);
    assert_non_null(rexc);
    size_t nr = 0, ne = 0;
    lw_arena *chunk = arena_new();
    lw_error err = {0};
    for (size_t i = 0; i < N; i++) {
        if (i % 2000 == 0) {
            arena_free(chunk);
            chunk = arena_new();
        }
        bool included;
        lw_match_result res;
        lw_match_excluded exc;
        assert_int_equal(match_one(chunk, &p, NULL, &g.s[i], i, &included, &res, &exc, &err),
                         LW_OK);
        if (included) {
            refs[nr].r = res;
            refs[nr].r.id = g.s[i].id;
            for (int k = 0; k < LW_MATCH_PART_COUNT; k++)
                refs[nr].r.part[k].reason = NULL;
            nr++;
        } else {
            rexc[ne] = exc;
            rexc[ne].id = g.s[i].id;
            rexc[ne].reason = NULL;
            ne++;
        }
    }
    arena_free(chunk);
    qsort(refs, nr, sizeof *refs, ref_cmp);
    qsort(rexc, ne, sizeof *rexc, excl_ref_cmp);
    assert_true(nr > 1000); /* the filters leave plenty in, and take plenty out */
    assert_true(ne > 1000);

    lw_arena *a = arena_new();
    lw_match_result *res = calloc(K, sizeof *res);
    lw_match_excluded *exc = calloc(K, sizeof *exc);
    lw_match_out out = {.results = res, .results_cap = K, .excluded = exc, .excluded_cap = K};
    assert_int_equal(match_rank(a, &p, NULL, g.s, N, &out, &err), LW_OK);
    assert_int_equal(out.eligible, nr);
    assert_int_equal(out.excluded_total, ne);
    assert_int_equal(out.n_results, K);
    for (size_t i = 0; i < K; i++) {
        assert_int_equal(res[i].index, refs[i].r.index);
        assert_int_equal(res[i].total, refs[i].r.total);
        assert_int_equal(res[i].full, refs[i].r.full);
        assert_int_equal(res[i].score, refs[i].r.score);
        for (int k = 0; k < LW_MATCH_PART_COUNT; k++)
            assert_int_equal(res[i].part[k].fit, refs[i].r.part[k].fit);
    }
    for (size_t i = 0; i < K; i++) {
        assert_int_equal(exc[i].index, rexc[i].index);
        assert_int_equal(exc[i].why, rexc[i].why);
    }
    /* Prepared stems give exactly the same ranking. */
    lw_arena *prep = arena_new();
    match_prepare(prep, g.s, N);
    assert_non_null(g.s[0].stems);
    lw_match_result *res2 = calloc(K, sizeof *res2);
    lw_match_out out2 = {.results = res2, .results_cap = K};
    assert_int_equal(match_rank(a, &p, NULL, g.s, N, &out2, &err), LW_OK);
    assert_int_equal(out2.n_results, K);
    for (size_t i = 0; i < K; i++)
        assert_same_result(&res2[i], &res[i]);
    free(res2);

    /* And a page from the middle, where full services begin. */
    size_t first_full = 0;
    while (first_full < nr && !refs[first_full].r.full)
        first_full++;
    assert_true(first_full > 50 && first_full < nr);
    out.skip = first_full - 50;
    out.excluded = NULL;
    out.excluded_cap = 0;
    assert_int_equal(match_rank(a, &p, NULL, g.s, N, &out, &err), LW_OK);
    assert_int_equal(out.n_results, K);
    for (size_t i = 0; i < K; i++)
        assert_int_equal(res[i].index, refs[first_full - 50 + i].r.index);
    assert_false(res[49].full);
    assert_true(res[50].full);

    free(res);
    free(exc);
    arena_free(a);
    arena_free(prep);
    free(refs);
    free(rexc);
    gen_free(&g);
}

/* ---- input checks ---- */

static void expect_bad(const lw_match_person *p, const char *field) {
    lw_error err = {0};
    assert_int_equal(match_person_check(p, &err), LW_EINVAL);
    assert_string_equal(err.field, field);
    assert_true(strlen(err.msg) > 0);
    /* match_rank refuses it too, and writes nothing. */
    lw_arena *a = arena_new();
    lw_match_service s = svc("x", "Group");
    lw_match_result res[1];
    lw_match_out out = {.results = res, .results_cap = 1};
    lw_error err2 = {0};
    assert_int_equal(match_rank(a, p, NULL, &s, 1, &out, &err2), LW_EINVAL);
    assert_string_equal(err2.field, field);
    assert_int_equal(out.n_results, 0);
    arena_free(a);
}

static void test_person_check(void **state) {
    (void)state;
    lw_match_person ok = person();
    lw_error err = {0};
    assert_int_equal(match_person_check(&ok, &err), LW_OK);

    lw_match_person p = ok;
    p.needs[LW_MATCH_NEED_MOOD] = 4;
    expect_bad(&p, "needs.mood");
    static const char *const bad_interests[] = {"walking", " -- "};
    p = ok;
    p.interests = bad_interests;
    p.n_interests = 2;
    expect_bad(&p, "interests[1]");
    static const lw_match_slot bad_free[] = {{LW_MATCH_TU, 600, 660}, {LW_MATCH_WE, 700, 600}};
    p = ok;
    p.free = bad_free;
    p.n_free = 2;
    expect_bad(&p, "available[1].to");
    static const lw_match_slot bad_day[] = {{(lw_match_day)7, 600, 660}};
    p = ok;
    p.free = bad_day;
    p.n_free = 1;
    expect_bad(&p, "available[0].day");
    p = ok;
    p.max_m = -2;
    expect_bad(&p, "max_km");
    p = ok;
    p.max_m = 1000001;
    expect_bad(&p, "max_km");
    p = ok;
    p.age = 131;
    expect_bad(&p, "age");
    p = ok;
    p.home_lat = 91000000;
    expect_bad(&p, "home");
    p = ok;
    p.travel = (lw_match_travel)3;
    expect_bad(&p, "travel");
    p = ok;
    p.cost_limit = (lw_match_cost_limit)5;
    expect_bad(&p, "cost_limit");
    p = ok;
    p.setting = (lw_match_setting_pref)3;
    expect_bad(&p, "setting");
    p = ok;
    p.access_needs = 1u << 20;
    expect_bad(&p, "accessibility");

    lw_match_weights w;
    match_weights_default(&w);
    w.part[LW_MATCH_PART_COST] = LW_MATCH_WEIGHT_MAX + 1;
    lw_arena *a = arena_new();
    lw_match_service s = svc("x", "Group");
    lw_match_result res[1];
    lw_match_out out = {.results = res, .results_cap = 1};
    assert_int_equal(match_rank(a, &ok, &w, &s, 1, &out, &err), LW_EINVAL);
    assert_string_equal(err.field, "weights.cost");
    match_weights_default(&w);
    w.trait[LW_MATCH_TRAIT_OUTDOORS] = 11;
    assert_int_equal(match_rank(a, &ok, &w, &s, 1, &out, &err), LW_EINVAL);
    assert_string_equal(err.field, "weights.traits.outdoors");
    arena_free(a);
}

static void test_vocabularies(void **state) {
    (void)state;
    static const char *const needs[] = {
        "isolation", "mood",     "physical_activity", "weight_nutrition",
        "debt",      "benefits", "housing",           "employment",
        "learning",  "arts",     "volunteering",      "carers",
        "parenting", "legal",    "bereavement",
    };
    for (int i = 0; i < LW_MATCH_NEED_COUNT; i++) {
        assert_string_equal(match_need_name((lw_match_need)i), needs[i]);
        assert_int_equal(match_need_parse(needs[i]), i);
        assert_non_null(match_need_words((lw_match_need)i));
    }
    assert_null(match_need_name(LW_MATCH_NEED_COUNT));
    assert_int_equal(match_need_parse("loneliness"), -1);
    assert_int_equal(match_day_parse("TU"), LW_MATCH_TU);
    assert_int_equal(match_day_parse("tu"), -1);
    assert_string_equal(match_day_name(LW_MATCH_SU), "Sunday");
    assert_int_equal(match_status_parse("temporarily closed"), LW_MATCH_TEMPORARILY_CLOSED);
    assert_int_equal(match_cost_parse("free"), LW_MATCH_COST_FREE);
    assert_int_equal(match_cost_parse("cheap"), -1);
    assert_int_equal(match_cost_limit_parse("any"), LW_MATCH_LIMIT_ANY);
    assert_int_equal(match_capacity_parse("no_capacity"), LW_MATCH_FULL);
    assert_int_equal(match_capacity_parse("waitlist"), LW_MATCH_WAITLIST);
    assert_int_equal(match_capacity_parse("capacity"), LW_MATCH_HAS_PLACES);
    assert_int_equal(match_setting_parse("both"), LW_MATCH_SETTING_BOTH);
    assert_int_equal(match_setting_pref_parse("either"), LW_MATCH_PREFER_EITHER);
    assert_int_equal(match_travel_parse("bus"), LW_MATCH_BUS);
    assert_int_equal(match_answer_parse("yes"), LW_MATCH_YES);
    for (int i = 0; i < LW_MATCH_ACCESS_COUNT; i++)
        assert_int_equal(match_access_parse(match_access_name((lw_match_access)i)), i);
    assert_int_equal(match_access_parse("lift"), -1);
    for (int i = 0; i < LW_MATCH_PART_COUNT; i++)
        assert_non_null(match_part_name((lw_match_part_id)i));
    for (int i = 0; i < LW_MATCH_TRAIT_COUNT; i++)
        assert_non_null(match_trait_words((lw_match_trait)i));
    assert_string_equal(match_exclusion_name(LW_MATCH_EXCL_ACCESS), "accessibility");
}

/* ---- geography and words ---- */

static void test_distance_and_travel(void **state) {
    (void)state;
    /* Expected values: the haversine formula with libm (Python), R = 6371008.8 m. */
    assert_true(match_distance_m(51507400, -127800, 53480800, -2242600) - 261983.170 < 0.5);
    assert_true(match_distance_m(51507400, -127800, 53480800, -2242600) - 261983.170 > -0.5);
    double d = match_distance_m(-33868800, 151209300, 51507400, -127800); /* Sydney–London */
    assert_true(d > 16993956.0 && d < 16993958.0);
    d = match_distance_m(0, 0, 0, 180000000); /* half the world */
    assert_true(d > 20015114.0 && d < 20015115.0);
    d = match_distance_m(HOME_LAT, HOME_LON, HOME_LAT, HOME_LON + 1);
    assert_true(d > 0.06 && d < 0.07);
    assert_true(match_distance_m(HOME_LAT, HOME_LON, HOME_LAT, HOME_LON) == 0);
    assert_int_equal(match_travel_minutes(1000, LW_MATCH_WALK), 15);
    assert_int_equal(match_travel_minutes(1000, LW_MATCH_BUS), 15);
    assert_int_equal(match_travel_minutes(1000, LW_MATCH_CAR), 8);
    assert_int_equal(match_travel_minutes(0, LW_MATCH_WALK), 1);
    assert_int_equal(match_travel_minutes(20000, LW_MATCH_CAR), 57);
}

static uint64_t one_stem(const char *w) {
    uint64_t h[2] = {0, 0};
    assert_int_equal(match_stems(w, h, 2), 1);
    return h[0];
}

static void test_stems(void **state) {
    (void)state;
    static const char *const same[][4] = {
        {"walk", "Walking", "walks", "WALKERS"},
        {"garden", "gardening", "gardens", "gardener"},
        {"swim", "swimming", "swims", "swimmer"},
        {"dance", "dancing", "dances", "dancer"},
        {"art", "arts", "Art", "ARTS"},
        {"volunteer", "volunteering", "volunteers", "Volunteer"},
        {"activity", "activities", "Activity", "activity"},
        {"class", "classes", "class", "Class"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        for (int k = 1; k < 4; k++)
            assert_true(one_stem(same[i][0]) == one_stem(same[i][k]));
    assert_true(one_stem("art") != one_stem("arthritis"));
    assert_true(one_stem("shed") != one_stem("she"));
    assert_true(one_stem("carers") != one_stem("car"));
    uint64_t w[8];
    assert_int_equal(match_stems("  Men's Shed — tai-chi & café!  ", w, 8), 6);
    assert_true(w[5] == one_stem("Café")); /* a word with a non-ASCII letter */
    assert_true(w[3] == one_stem("Tai") && w[4] == one_stem("chi"));
    assert_int_equal(match_stems("", w, 8), 0);
    assert_int_equal(match_stems("a b c d e", w, 3), 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_tuesday_walk_beats_paid_saturday_class),
        cmocka_unit_test(test_outside_age_range_excluded_with_reason),
        cmocka_unit_test(test_full_service_last_with_reason),
        cmocka_unit_test(test_filter_reasons),
        cmocka_unit_test(test_need_reasons),
        cmocka_unit_test(test_interest_reasons),
        cmocka_unit_test(test_schedule_reasons),
        cmocka_unit_test(test_distance_reasons),
        cmocka_unit_test(test_cost_capacity_setting_reasons),
        cmocka_unit_test(test_mental_health_preparedness),
        cmocka_unit_test(test_what_matters_part),
        cmocka_unit_test(test_ties_broken_by_id),
        cmocka_unit_test(test_shuffled_input_same_output),
        cmocka_unit_test(test_paging),
        cmocka_unit_test(test_100000_services_match_reference),
        cmocka_unit_test(test_person_check),
        cmocka_unit_test(test_vocabularies),
        cmocka_unit_test(test_distance_and_travel),
        cmocka_unit_test(test_stems),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
