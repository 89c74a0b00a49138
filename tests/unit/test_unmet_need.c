/* Unit tests for domain/unmet_need: a need is met by an active service that
 * helps with it and is online or within the travel limit; anything else
 * leaves it unmet. Distances worked out from micro-degrees: 0.01 degrees of
 * latitude is about 1,112 m. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/unmet_need.h"

#define BIT(n) LW_MATCH_NEED_BIT(n)

static lw_match_person person(int32_t max_m) {
    lw_match_person p;
    match_person_init(&p);
    p.needs[LW_MATCH_NEED_ISOLATION] = 3;
    p.needs[LW_MATCH_NEED_DEBT] = 1;
    p.max_m = max_m;
    p.has_home = true;
    p.home_lat = 53430000;
    p.home_lon = -1350000;
    return p;
}

static lw_match_service service(uint32_t needs, int32_t north_microdeg) {
    lw_match_service s = {0};
    s.id = "s";
    s.status = LW_MATCH_ACTIVE;
    s.needs = needs;
    s.located = true;
    s.lat = 53430000 + north_microdeg;
    s.lon = -1350000;
    return s;
}

static void nothing_listed_leaves_every_need_unmet(void **state) {
    (void)state;
    lw_match_person p = person(5000);
    assert_int_equal(unmet_needs(&p, NULL, 0),
                     BIT(LW_MATCH_NEED_ISOLATION) | BIT(LW_MATCH_NEED_DEBT));
    lw_match_person none;
    match_person_init(&none);
    assert_int_equal(unmet_needs(&none, NULL, 0), 0);
}

static void within_the_limit_meets_beyond_does_not(void **state) {
    (void)state;
    lw_match_person p = person(5000);
    /* 0.04 degrees north: about 4.4 km, inside 5 km. */
    lw_match_service near = service(BIT(LW_MATCH_NEED_ISOLATION), 40000);
    assert_int_equal(unmet_needs(&p, &near, 1), BIT(LW_MATCH_NEED_DEBT));
    /* 0.05 degrees: about 5.6 km, outside. */
    lw_match_service far = service(BIT(LW_MATCH_NEED_ISOLATION), 50000);
    assert_int_equal(unmet_needs(&p, &far, 1),
                     BIT(LW_MATCH_NEED_ISOLATION) | BIT(LW_MATCH_NEED_DEBT));
    /* No limit, or no home: any distance will do. */
    lw_match_person free = person(LW_MATCH_NO_LIMIT);
    assert_int_equal(unmet_needs(&free, &far, 1), BIT(LW_MATCH_NEED_DEBT));
    lw_match_person homeless = person(5000);
    homeless.has_home = false;
    assert_int_equal(unmet_needs(&homeless, &far, 1), BIT(LW_MATCH_NEED_DEBT));
}

static void online_meets_inactive_does_not(void **state) {
    (void)state;
    lw_match_person p = person(1000);
    lw_match_service s[2] = {service(BIT(LW_MATCH_NEED_DEBT), 900000),
                             service(BIT(LW_MATCH_NEED_ISOLATION), 0)};
    s[0].located = false; /* a phone line for debt advice */
    s[1].status = LW_MATCH_INACTIVE;
    assert_int_equal(unmet_needs(&p, s, 2), BIT(LW_MATCH_NEED_ISOLATION));
    s[1].status = LW_MATCH_ACTIVE;
    assert_int_equal(unmet_needs(&p, s, 2), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_listed_leaves_every_need_unmet),
        cmocka_unit_test(within_the_limit_meets_beyond_does_not),
        cmocka_unit_test(online_meets_inactive_does_not),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
