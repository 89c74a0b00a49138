/*
 * Accessibility features read from a listing's free text (domain/access_words.c), as
 * the matcher's accessibility filter uses them: the words a provider writes, not
 * parts of other words, and not what a listing says it does not have.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/access_words.h"
#include "domain/match.h"

#define BIT(x) LW_MATCH_ACCESS_BIT(LW_MATCH_ACCESS_##x)

static void the_validators_example_reads_as_a_person_would(void **state) {
    (void)state;
    assert_int_equal(access_words_features("The building is equipped with induction loops for "
                                           "hearing aids. Wheelchair access is possible on all "
                                           "levels."),
                     BIT(HEARING_LOOP) | BIT(STEP_FREE));
    assert_int_equal(access_words_features("Step-free entrance, accessible toilet, Blue Badge "
                                           "parking; BSL interpreter on request."),
                     BIT(STEP_FREE) | BIT(ACCESSIBLE_TOILET) | BIT(PARKING) | BIT(BSL));
    assert_int_equal(access_words_features("Leaflets in EASY READ and large print; a quiet room."),
                     BIT(EASY_READ) | BIT(LARGE_PRINT) | BIT(QUIET_SPACE));
}

static void other_words_and_denials_do_not_count(void **state) {
    (void)state;
    assert_int_equal(access_words_features(NULL), 0);
    assert_int_equal(access_words_features(""), 0);
    /* "lift" inside "uplifting", "ramp" inside "trampoline", "bsl" inside a postcode-like word */
    assert_int_equal(access_words_features("An uplifting trampoline class at BSL1 Hall."), 0);
    assert_int_equal(access_words_features("There is no lift; not wheelchair accessible."), 0);
    assert_int_equal(access_words_features("Upstairs without a ramp, but with a hearing loop."),
                     BIT(HEARING_LOOP));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_validators_example_reads_as_a_person_would),
        cmocka_unit_test(other_words_and_denials_do_not_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
