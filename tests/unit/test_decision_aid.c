/* Unit tests for domain/decision_aid: the built-in set (every category has
 * honest pros and cons, every need has categories), which categories fit a
 * person's needs, classifying services, ratings and how they re-rank the
 * matcher's results, bad ratings, and a stored set replacing the built-in one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/decision_aid.h"
#include "domain/match.h"

#define HOME_LAT 53380000
#define HOME_LON (-1470000)

static int32_t north(double m) {
    return (int32_t)(m / 111195.08 * 1e6 + 0.5);
}

static lw_match_service svc(const char *id, const char *name, double metres) {
    lw_match_service s;
    memset(&s, 0, sizeof s);
    s.id = id;
    s.name = name;
    s.status = LW_MATCH_ACTIVE;
    s.min_age = s.max_age = -1;
    s.capacity = LW_MATCH_HAS_PLACES;
    s.cost = LW_MATCH_COST_FREE;
    s.located = true;
    s.lat = HOME_LAT + north(metres);
    s.lon = HOME_LON;
    return s;
}

static lw_match_person person(void) {
    lw_match_person p;
    match_person_init(&p);
    p.has_home = true;
    p.home_lat = HOME_LAT;
    p.home_lon = HOME_LON;
    p.needs[LW_MATCH_NEED_ISOLATION] = 2;
    return p;
}

static const lw_aid *builtin(lw_arena *a) {
    const lw_aid *aid = NULL;
    lw_error err = {0};
    assert_int_equal(decision_aid_new(a, decision_aid_builtin(), &aid, &err), LW_OK);
    assert_non_null(aid);
    return aid;
}

static int cat(const lw_aid *aid, const char *id) {
    int i = decision_aid_category_find(aid, id);
    assert_true(i >= 0);
    return i;
}

static uint64_t bit(const lw_aid *aid, const char *id) {
    return (uint64_t)1 << cat(aid, id);
}

/* ---- the built-in set ---- */

static void test_builtin_set_is_complete(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    const lw_aid *aid = builtin(a);
    const lw_aid_set *set = decision_aid_set(aid);
    assert_ptr_equal(set, decision_aid_builtin());
    /* The categories the issue and DESIGN.md name are all there. */
    static const char *const named[] = {
        "arts",     "physical_activity", "nature", "befriending", "peer_support", "advice",
        "learning", "work_volunteering", "music",  "walking",
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        assert_true(decision_aid_category_find(aid, named[i]) >= 0);
    assert_int_equal(decision_aid_category_find(aid, "astrology"), -1);
    uint32_t needs = 0, listed = 0;
    for (size_t i = 0; i < set->n_categories; i++) {
        const lw_aid_category *c = &set->categories[i];
        /* Every category is honest: at least two pros and two cons, as
         * sentences a person can read. */
        assert_true(c->n_pros >= 2);
        assert_true(c->n_cons >= 2);
        for (size_t k = 0; k < c->n_pros + c->n_cons; k++) {
            const char *t = k < c->n_pros ? c->pros[k] : c->cons[k - c->n_pros];
            size_t n = strlen(t);
            assert_true(n > 20 && n < 200);
            assert_true(t[0] >= 'A' && t[0] <= 'Z');
            assert_true(t[n - 1] == '.');
        }
        assert_true(strlen(c->summary) > 20);
        assert_true(c->n_words > 0);
        assert_true(c->traits != 0);
        needs |= c->needs;
        listed |= c->listed_needs;
    }
    /* Every need domain has categories to offer, and a service listed only
     * under a need (no words) still lands in a category. */
    assert_int_equal(needs, LW_MATCH_NEEDS_ALL);
    assert_int_equal(listed, LW_MATCH_NEEDS_ALL);
    /* Every question re-weights something, and the examples exist. */
    static const char *const questions[] = {"meeting_people", "costs_nothing", "close_to_home",
                                            "fixed_routine",  "outdoors",      "creative"};
    for (size_t i = 0; i < sizeof questions / sizeof questions[0]; i++)
        assert_true(decision_aid_question_find(aid, questions[i]) >= 0);
    assert_true(set->n_questions <= LW_AID_MAX_QUESTIONS);
    arena_free(a);
}

static void test_categories_for_needs(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    const lw_aid *aid = builtin(a);
    uint8_t needs[LW_MATCH_NEED_COUNT] = {0};
    size_t out[LW_AID_MAX_CATEGORIES];
    needs[LW_MATCH_NEED_DEBT] = 3;
    needs[LW_MATCH_NEED_ISOLATION] = 1;
    size_t n = decision_aid_categories_for_needs(aid, needs, ~(uint64_t)0, out, 64);
    assert_true(n >= 3);
    assert_int_equal(out[0], cat(aid, "advice")); /* debt matters most */
    /* Only categories that help with a need, each once. */
    for (size_t i = 0; i < n; i++) {
        const lw_aid_category *c = &decision_aid_set(aid)->categories[out[i]];
        assert_true(c->needs & (LW_MATCH_NEED_BIT(LW_MATCH_NEED_DEBT) |
                                LW_MATCH_NEED_BIT(LW_MATCH_NEED_ISOLATION)));
        for (size_t k = 0; k < i; k++)
            assert_true(out[k] != out[i]);
    }
    assert_int_equal(decision_aid_categories_for_needs(aid, needs, ~(uint64_t)0, out, 1), 1);
    /* Only what exists locally: no advice service here. */
    uint64_t local = bit(aid, "walking") | bit(aid, "befriending") | bit(aid, "music");
    n = decision_aid_categories_for_needs(aid, needs, local, out, 64);
    assert_int_equal(n, 3);
    assert_int_equal(out[0], cat(aid, "music")); /* equal weight: the set's order */
    assert_int_equal(out[1], cat(aid, "walking"));
    assert_int_equal(out[2], cat(aid, "befriending"));
    /* No needs given: every local category, in the set's order. */
    memset(needs, 0, sizeof needs);
    n = decision_aid_categories_for_needs(aid, needs, local, out, 64);
    assert_int_equal(n, 3);
    arena_free(a);
}

static void test_classify(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    const lw_aid *aid = builtin(a);
    static const char *const walk_terms[] = {"Health walks", "Outdoor activities"};
    lw_match_service s = svc("1", "Hillside Tuesday Group", 0);
    s.terms = walk_terms;
    s.n_terms = 2;
    assert_true(decision_aid_classify(aid, &s) == (bit(aid, "walking") | bit(aid, "nature")));
    /* No terms: the name decides. */
    lw_match_service shed = svc("2", "Riverside Men's Shed", 0);
    assert_true(decision_aid_classify(aid, &shed) == bit(aid, "social_groups"));
    lw_match_service taichi = svc("3", "Tai Chi for beginners", 0);
    assert_true(decision_aid_classify(aid, &taichi) == bit(aid, "physical_activity"));
    /* Terms win over the name ("House" in a name is not housing advice). */
    static const char *const lunch[] = {"lunch club"};
    lw_match_service house = svc("4", "Meeting House", 0);
    house.terms = lunch;
    house.n_terms = 1;
    assert_true(decision_aid_classify(aid, &house) == bit(aid, "social_groups"));
    /* Nothing in the words: the need domains it is listed under. */
    lw_match_service money = svc("5", "Hillside Helpline", 0);
    money.needs = LW_MATCH_NEED_BIT(LW_MATCH_NEED_DEBT);
    assert_true(decision_aid_classify(aid, &money) == bit(aid, "advice"));
    /* Words that only look alike do not count. */
    lw_match_service arth = svc("6", "Arthritis support line", 0);
    assert_true(decision_aid_classify(aid, &arth) == 0);
    /* prepare() fills traits (and the masks) for a directory. */
    lw_match_service dir[2] = {s, taichi};
    uint64_t masks[2];
    decision_aid_prepare(aid, dir, 2, masks);
    assert_true(masks[0] == (bit(aid, "walking") | bit(aid, "nature")));
    assert_int_equal(dir[0].traits, LW_MATCH_TRAIT_BIT(LW_MATCH_TRAIT_ACTIVE) |
                                        LW_MATCH_TRAIT_BIT(LW_MATCH_TRAIT_OUTDOORS));
    assert_int_equal(dir[1].traits, LW_MATCH_TRAIT_BIT(LW_MATCH_TRAIT_ACTIVE));
    arena_free(a);
}

/* ---- ratings ---- */

static void test_bad_ratings_rejected(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    const lw_aid *aid = builtin(a);
    lw_aid_ratings r;
    decision_aid_ratings_init(&r);
    lw_error err = {0};
    assert_int_equal(decision_aid_rate(aid, &r, "costs_nothing", 11, &err), LW_EINVAL);
    assert_string_equal(err.field, "ratings.costs_nothing");
    assert_non_null(strstr(err.msg, "0"));
    assert_non_null(strstr(err.msg, "10"));
    assert_int_equal(decision_aid_rate(aid, &r, "costs_nothing", -1, &err), LW_EINVAL);
    assert_string_equal(err.field, "ratings.costs_nothing");
    assert_int_equal(decision_aid_rate(aid, &r, "flying", 5, &err), LW_EINVAL);
    assert_string_equal(err.field, "ratings.flying");
    assert_non_null(strstr(err.msg, "meeting_people")); /* says what is allowed */
    assert_int_equal(decision_aid_rate(aid, &r, NULL, 5, &err), LW_EINVAL);
    /* Nothing was recorded by the refusals. */
    for (int i = 0; i < LW_AID_MAX_QUESTIONS; i++)
        assert_int_equal(r.value[i], LW_AID_NOT_RATED);
    assert_int_equal(decision_aid_rate(aid, &r, "costs_nothing", 0, &err), LW_OK);
    assert_int_equal(decision_aid_rate(aid, &r, "costs_nothing", 10, &err), LW_OK);
    /* A corrupted value is caught when the ratings are used. */
    r.value[decision_aid_question_find(aid, "outdoors")] = 12;
    lw_match_weights w;
    assert_int_equal(decision_aid_weights(aid, &r, &w, &err), LW_EINVAL);
    assert_string_equal(err.field, "ratings.outdoors");
    lw_match_person p = person();
    lw_match_service s = svc("1", "Walk", 0);
    lw_match_result res = {0};
    assert_int_equal(decision_aid_rerank(a, aid, &r, &p, &s, 1, &res, 1, &err), LW_EINVAL);
    assert_string_equal(err.field, "ratings.outdoors");
    arena_free(a);
}

static void test_ratings_to_weights(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    const lw_aid *aid = builtin(a);
    lw_aid_ratings r;
    decision_aid_ratings_init(&r);
    lw_match_weights w, def;
    lw_error err = {0};
    match_weights_default(&def);
    assert_int_equal(decision_aid_weights(aid, &r, &w, &err), LW_OK);
    assert_memory_equal(&w, &def, sizeof w); /* nothing rated: the defaults */
    assert_int_equal(decision_aid_rate(aid, &r, "costs_nothing", 10, &err), LW_OK);
    assert_int_equal(decision_aid_rate(aid, &r, "close_to_home", 0, &err), LW_OK);
    assert_int_equal(decision_aid_rate(aid, &r, "fits_my_week", 5, &err), LW_OK);
    assert_int_equal(decision_aid_rate(aid, &r, "creative", 7, &err), LW_OK);
    assert_int_equal(decision_aid_rate(aid, &r, "outdoors", 3, &err), LW_OK);
    assert_int_equal(decision_aid_rate(aid, &r, "mental_health_aware", 8, &err), LW_OK);
    assert_int_equal(decision_aid_weights(aid, &r, &w, &err), LW_OK);
    assert_int_equal(w.part[LW_MATCH_PART_COST], 2 * def.part[LW_MATCH_PART_COST]);
    assert_int_equal(w.part[LW_MATCH_PART_DISTANCE], 0);
    assert_int_equal(w.part[LW_MATCH_PART_SCHEDULE], def.part[LW_MATCH_PART_SCHEDULE]);
    assert_int_equal(w.part[LW_MATCH_PART_NEED], def.part[LW_MATCH_PART_NEED]);
    assert_int_equal(w.trait[LW_MATCH_TRAIT_CREATIVE], 7);
    assert_int_equal(w.trait[LW_MATCH_TRAIT_OUTDOORS], 3);
    assert_int_equal(w.trait[LW_MATCH_TRAIT_SOCIAL], 0);
    assert_int_equal(w.part[LW_MATCH_PART_WHAT_MATTERS], 14);
    assert_int_equal(w.part[LW_MATCH_PART_MENTAL_HEALTH], 16);
    assert_true(w.mental_health_for_all);
    arena_free(a);
}

/* Ranks S for P with these ratings (NULL: none), whole directory. */
static void rank_rated(lw_arena *a, const lw_aid *aid, const lw_aid_ratings *r,
                       const lw_match_person *p, lw_match_service *s, size_t n,
                       lw_match_result *res) {
    lw_match_weights w;
    lw_error err = {0};
    lw_aid_ratings none;
    decision_aid_ratings_init(&none);
    assert_int_equal(decision_aid_weights(aid, r ? r : &none, &w, &err), LW_OK);
    lw_match_out out = {.results = res, .results_cap = n};
    assert_int_equal(match_rank(a, p, &w, s, n, &out, &err), LW_OK);
    assert_int_equal(out.n_results, n);
}

static void test_costs_nothing_puts_free_option_first(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    const lw_aid *aid = builtin(a);
    lw_match_service s[2];
    s[0] = svc("a-paid", "Pottery class", 500); /* 8 min walk, costs money */
    s[0].cost = LW_MATCH_COST_PAID;
    s[0].needs = LW_MATCH_NEED_BIT(LW_MATCH_NEED_ISOLATION);
    s[1] = svc("b-free", "Craft group", 1650); /* 25 min walk, free */
    s[1].cost = LW_MATCH_COST_FREE;
    s[1].needs = LW_MATCH_NEED_BIT(LW_MATCH_NEED_ISOLATION);
    lw_match_person p = person(); /* will pay if it must */
    decision_aid_prepare(aid, s, 2, NULL);
    lw_match_result res[2];
    rank_rated(a, aid, NULL, &p, s, 2, res);
    assert_string_equal(res[0].id, "a-paid"); /* without ratings, nearer wins */

    lw_aid_ratings r;
    decision_aid_ratings_init(&r);
    lw_error err = {0};
    assert_int_equal(decision_aid_rate(aid, &r, "costs_nothing", 10, &err), LW_OK);
    /* Re-ranking the options shown ... */
    assert_int_equal(decision_aid_rerank(a, aid, &r, &p, s, 2, res, 2, &err), LW_OK);
    assert_string_equal(res[0].id, "b-free");
    assert_string_equal(res[0].part[LW_MATCH_PART_COST].reason, "free");
    assert_int_equal(res[0].part[LW_MATCH_PART_COST].weight, 20);
    /* ... and ranking the whole directory with the ratings agree. */
    lw_match_result all[2];
    rank_rated(a, aid, &r, &p, s, 2, all);
    assert_string_equal(all[0].id, "b-free");
    assert_int_equal(all[0].total, res[0].total);
    arena_free(a);
}

static void test_creative_not_close_puts_far_art_class_first(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    const lw_aid *aid = builtin(a);
    static const char *const walk[] = {"walking group"};
    static const char *const art[] = {"art class"};
    lw_match_service s[2];
    s[0] = svc("a-walk", "Park Walk", 500);
    s[0].terms = walk;
    s[0].n_terms = 1;
    s[0].needs = LW_MATCH_NEED_BIT(LW_MATCH_NEED_ISOLATION);
    s[1] = svc("b-art", "Painting for Everyone", 4000); /* an hour's walk */
    s[1].terms = art;
    s[1].n_terms = 1;
    s[1].needs = LW_MATCH_NEED_BIT(LW_MATCH_NEED_ISOLATION);
    decision_aid_prepare(aid, s, 2, NULL);
    lw_match_person p = person();
    lw_match_result res[2];
    rank_rated(a, aid, NULL, &p, s, 2, res);
    assert_string_equal(res[0].id, "a-walk");

    lw_aid_ratings r;
    decision_aid_ratings_init(&r);
    lw_error err = {0};
    assert_int_equal(decision_aid_rate(aid, &r, "close_to_home", 0, &err), LW_OK);
    assert_int_equal(decision_aid_rate(aid, &r, "creative", 10, &err), LW_OK);
    assert_int_equal(decision_aid_rerank(a, aid, &r, &p, s, 2, res, 2, &err), LW_OK);
    assert_string_equal(res[0].id, "b-art");
    assert_string_equal(res[0].part[LW_MATCH_PART_WHAT_MATTERS].reason,
                        "what matters to you: doing something creative");
    assert_string_equal(res[1].part[LW_MATCH_PART_WHAT_MATTERS].reason,
                        "not what matters to you: doing something creative");
    /* Distance no longer counts, but the result still says how far it is. */
    assert_int_equal(res[0].part[LW_MATCH_PART_DISTANCE].weight, 0);
    assert_null(res[0].part[LW_MATCH_PART_DISTANCE].reason);
    assert_int_equal(res[0].distance_m, 4000);
    assert_int_equal(res[0].travel_min, 60);
    lw_match_result all[2];
    rank_rated(a, aid, &r, &p, s, 2, all);
    assert_string_equal(all[0].id, "b-art");
    arena_free(a);
}

static void test_rerank_refuses_bad_results(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    const lw_aid *aid = builtin(a);
    lw_match_service s = svc("1", "Walk", 0);
    lw_match_person p = person();
    lw_aid_ratings r;
    decision_aid_ratings_init(&r);
    lw_match_result res = {.index = 5};
    lw_error err = {0};
    assert_int_equal(decision_aid_rerank(a, aid, &r, &p, &s, 1, &res, 1, &err), LW_EINVAL);
    assert_string_equal(err.field, "results");
    /* A result for a service this person is excluded from. */
    s.min_age = 18;
    s.max_age = 25;
    p.age = 70;
    res.index = 0;
    assert_int_equal(decision_aid_rerank(a, aid, &r, &p, &s, 1, &res, 1, &err), LW_EINVAL);
    assert_string_equal(err.field, "results");
    arena_free(a);
}

static void test_options_per_category(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    const lw_aid *aid = builtin(a);
    static const char *const walk[] = {"walking"};
    static const char *const choir[] = {"choir"};
    lw_match_service s[4];
    s[0] = svc("w1", "Near walk", 200);
    s[1] = svc("c1", "Near choir", 300);
    s[2] = svc("w2", "Far walk", 3000);
    s[3] = svc("w3", "Middle walk", 1500);
    s[0].terms = s[2].terms = s[3].terms = walk;
    s[1].terms = choir;
    for (int i = 0; i < 4; i++)
        s[i].n_terms = 1;
    uint64_t masks[4];
    decision_aid_prepare(aid, s, 4, masks);
    lw_match_person p = person();
    lw_match_result res[4];
    rank_rated(a, aid, NULL, &p, s, 4, res);
    size_t idx[4];
    size_t n = decision_aid_options(res, 4, masks, (size_t)cat(aid, "walking"), idx, 2);
    assert_int_equal(n, 2);
    assert_string_equal(res[idx[0]].id, "w1");
    assert_string_equal(res[idx[1]].id, "w3");
    n = decision_aid_options(res, 4, masks, (size_t)cat(aid, "music"), idx, 4);
    assert_int_equal(n, 1);
    assert_string_equal(res[idx[0]].id, "c1");
    assert_int_equal(decision_aid_options(res, 4, masks, (size_t)cat(aid, "advice"), idx, 4), 0);
    arena_free(a);
}

/* ---- a stored set instead of the built-in one ---- */

static void test_stored_set_replaces_builtin(void **state) {
    (void)state;
    static const char *const pros[] = {"It is near the sea."};
    static const char *const cons[] = {"It is cold in winter."};
    static const char *const words[] = {"sea swimming", "surf"};
    static const lw_aid_category cats[] = {
        {"sea", "Sea and surf", "Cold-water swimming and surf groups.", pros, 1, cons, 1,
         LW_MATCH_NEED_BIT(LW_MATCH_NEED_MOOD), LW_MATCH_NEED_BIT(LW_MATCH_NEED_MOOD), words, 2,
         LW_MATCH_TRAIT_BIT(LW_MATCH_TRAIT_OUTDOORS)},
    };
    static const lw_aid_question qs[] = {
        {"near_water", "being near water", LW_AID_TRAIT, LW_MATCH_TRAIT_OUTDOORS},
    };
    lw_aid_set set = {cats, 1, qs, 1};
    lw_arena *a = arena_new();
    const lw_aid *aid = NULL;
    lw_error err = {0};
    assert_int_equal(decision_aid_new(a, &set, &aid, &err), LW_OK);
    lw_match_service s = svc("1", "Sea Swimming Club", 0);
    assert_true(decision_aid_classify(aid, &s) == 1);
    lw_match_service other = svc("2", "Pottery", 0);
    assert_true(decision_aid_classify(aid, &other) == 0);
    lw_aid_ratings r;
    decision_aid_ratings_init(&r);
    assert_int_equal(decision_aid_rate(aid, &r, "near_water", 9, &err), LW_OK);
    assert_int_equal(decision_aid_rate(aid, &r, "costs_nothing", 9, &err), LW_EINVAL);
    lw_match_weights w;
    assert_int_equal(decision_aid_weights(aid, &r, &w, &err), LW_OK);
    assert_int_equal(w.trait[LW_MATCH_TRAIT_OUTDOORS], 9);
    arena_free(a);
}

static void expect_bad_set(const lw_aid_set *set, const char *field) {
    lw_arena *a = arena_new();
    const lw_aid *aid = (const lw_aid *)1;
    lw_error err = {0};
    assert_int_equal(decision_aid_new(a, set, &aid, &err), LW_EINVAL);
    assert_string_equal(err.field, field);
    assert_null(aid);
    arena_free(a);
}

static void test_bad_sets_rejected(void **state) {
    (void)state;
    static const char *const one[] = {"Something true."};
    lw_aid_category c[2] = {
        {"a", "A", "An a.", one, 1, one, 1, 0, 0, NULL, 0, 0},
        {"b", "B", "A b.", one, 1, one, 1, 0, 0, NULL, 0, 0},
    };
    lw_aid_question q[1] = {{"q", "a question", LW_AID_PART, LW_MATCH_PART_COST}};
    lw_aid_set set = {c, 2, q, 1};
    lw_arena *a = arena_new();
    const lw_aid *aid;
    lw_error err = {0};
    assert_int_equal(decision_aid_new(a, &set, &aid, &err), LW_OK);
    arena_free(a);

    c[1].id = "a";
    expect_bad_set(&set, "categories[1].id");
    c[1].id = "Bad Id";
    expect_bad_set(&set, "categories[1].id");
    c[1].id = "b";
    c[0].n_cons = 0;
    expect_bad_set(&set, "categories[0].cons");
    c[0].n_cons = 1;
    c[0].name = "";
    expect_bad_set(&set, "categories[0].name");
    c[0].name = "A";
    c[1].needs = 1u << 20;
    expect_bad_set(&set, "categories[1].needs");
    c[1].needs = 0;
    q[0].target = LW_MATCH_PART_WHAT_MATTERS; /* set from the traits, not rated directly */
    expect_bad_set(&set, "questions[0].target");
    q[0].kind = LW_AID_TRAIT;
    q[0].target = LW_MATCH_TRAIT_COUNT;
    expect_bad_set(&set, "questions[0].target");
    q[0].target = LW_MATCH_TRAIT_PEER;
    set.n_categories = 0;
    expect_bad_set(&set, "categories");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_set_is_complete),
        cmocka_unit_test(test_categories_for_needs),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_bad_ratings_rejected),
        cmocka_unit_test(test_ratings_to_weights),
        cmocka_unit_test(test_costs_nothing_puts_free_option_first),
        cmocka_unit_test(test_creative_not_close_puts_far_art_class_first),
        cmocka_unit_test(test_rerank_refuses_bad_results),
        cmocka_unit_test(test_options_per_category),
        cmocka_unit_test(test_stored_set_replaces_builtin),
        cmocka_unit_test(test_bad_sets_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
