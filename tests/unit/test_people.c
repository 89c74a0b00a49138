/* Unit tests for domain/people: NHS number validation (modulus 11), dates of
 * birth, postcodes, the name + date of birth key and duplicate matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "domain/people.h"

/* ---- NHS numbers ---- */

static void test_nhs_valid(void **state) {
    (void)state;
    /* Published examples and numbers whose check digit is worked out by hand:
     * 943 476 591: 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 % 11 = 2; 11-2 = 9. */
    static const char *const ok[] = {"9434765919", "943 476 5919", "4010232137", "4505577104",
                                     "9999999999"};
    static const char *const digits[] = {"9434765919", "9434765919", "4010232137", "4505577104",
                                         "9999999999"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char out[LW_NHS_LEN];
        lw_error err = {0};
        if (nhs_number_check(ok[i], "nhs_number", out, &err) != LW_OK)
            fail_msg("%s refused: %s", ok[i], err.msg);
        assert_string_equal(out, digits[i]);
    }
    assert_int_equal(nhs_check_digit("943476591"), 9);
    /* Remainder 0 gives 11, which is written as 0: 000000000 → 0. */
    assert_int_equal(nhs_check_digit("000000000"), 0);
}

static void test_nhs_invalid(void **state) {
    (void)state;
    static const struct {
        const char *in, *says;
    } bad[] = {
        {"9434765918", "check digit"},  /* wrong check digit */
        {"9434765910", "check digit"},  /* another */
        {"943476591", "10 digits"},     /* too short */
        {"94347659190", "10 digits"},   /* too long */
        {"", "10 digits"},              /* empty */
        {"943-476-5919", "10 digits"},  /* dashes */
        {"94347659l9", "10 digits"},    /* a letter */
        {" 9434765919", "10 digits"},   /* leading space */
        {"943  476 5919", "10 digits"}, /* double space */
        {"9434765919 ", "10 digits"},   /* trailing space */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char out[LW_NHS_LEN];
        lw_error err = {0};
        if (nhs_number_check(bad[i].in, "person.nhs_number", out, &err) != LW_EINVAL)
            fail_msg("'%s' accepted", bad[i].in);
        assert_string_equal(err.field, "person.nhs_number");
        if (!strstr(err.msg, bad[i].says))
            fail_msg("'%s': message '%s' does not say '%s'", bad[i].in, err.msg, bad[i].says);
    }
    /* A number whose first nine digits give remainder 1 (check 10) is never valid, whatever its
     * last digit: 123456789 → 1*10+2*9+...+9*2 = 210, 210 % 11 = 1. */
    assert_int_equal(nhs_check_digit("123456789"), -1);
    for (char d = '0'; d <= '9'; d++) {
        char n[11] = "123456789";
        n[9] = d;
        n[10] = '\0';
        char out[LW_NHS_LEN];
        lw_error err = {0};
        assert_int_equal(nhs_number_check(n, "nhs_number", out, &err), LW_EINVAL);
    }
    /* Every single-digit change of a valid number is caught. */
    const char *valid = "9434765919";
    for (int pos = 0; pos < 10; pos++)
        for (char d = '0'; d <= '9'; d++) {
            if (valid[pos] == d)
                continue;
            char n[11];
            memcpy(n, valid, 11);
            n[pos] = d;
            char out[LW_NHS_LEN];
            lw_error err = {0};
            if (nhs_number_check(n, "nhs_number", out, &err) == LW_OK)
                fail_msg("%s (one digit changed from %s) accepted", n, valid);
        }
}

/* ---- dates of birth and postcodes ---- */

static void test_birth_date(void **state) {
    (void)state;
    lw_error err = {0};
    assert_int_equal(birth_date_check("1950-06-01", "2026-11-21", "dob", &err), LW_OK);
    assert_int_equal(birth_date_check("2026-11-21", "2026-11-21", "dob", &err), LW_OK);
    assert_int_equal(birth_date_check("2026-11-22", "2026-11-21", "dob", &err), LW_EINVAL);
    assert_string_equal(err.field, "dob");
    assert_non_null(strstr(err.msg, "future"));
    assert_int_equal(birth_date_check("1896-11-21", "2026-11-21", "dob", &err), LW_OK);
    assert_int_equal(birth_date_check("1896-11-20", "2026-11-21", "dob", &err), LW_EINVAL);
    assert_non_null(strstr(err.msg, "130 years"));
    assert_int_equal(birth_date_check("1950-02-30", "2026-11-21", "dob", &err), LW_EINVAL);
    assert_int_equal(birth_date_check("01/06/1950", "2026-11-21", "dob", &err), LW_EINVAL);
}

static void test_postcode(void **state) {
    (void)state;
    static const char *const in[] = {"LS1 4AP", "ls14ap",  "SW1A 1AA",
                                     "m1 1ae",  "B33 8TH", "EC1A1BB"};
    static const char *const out[] = {"LS1 4AP", "LS1 4AP", "SW1A 1AA",
                                      "M1 1AE",  "B33 8TH", "EC1A 1BB"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        char pc[9];
        lw_error err = {0};
        if (postcode_normalise(in[i], "postcode", pc, &err) != LW_OK)
            fail_msg("%s refused: %s", in[i], err.msg);
        assert_string_equal(pc, out[i]);
    }
    static const char *const bad[] = {"",        "LS1",       "12345",  "LS1 4A",
                                      "LS1-4AP", "ABCDE 1AA", "1S1 4AP"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char pc[9];
        lw_error err = {0};
        if (postcode_normalise(bad[i], "postcode", pc, &err) != LW_EINVAL)
            fail_msg("'%s' accepted", bad[i]);
        assert_string_equal(err.field, "postcode");
    }
}

/* ---- matching ---- */

static void test_match_key(void **state) {
    (void)state;
    char a[200], b[200];
    person_match_key("Mary Ann", "O'Brien", "1950-06-01", a, sizeof a);
    assert_string_equal(a, "mary ann|o'brien|1950-06-01");
    person_match_key("  MARY   ann ", "o'brien ", "1950-06-01", b, sizeof b);
    assert_string_equal(a, b);
    person_match_key("Mary", "Ann O'Brien", "1950-06-01", b, sizeof b);
    assert_string_not_equal(a, b);
    person_match_key("Mary Ann", "O'Brien", "1950-06-02", b, sizeof b);
    assert_string_not_equal(a, b);
    char small[8];
    person_match_key("Mary Ann", "O'Brien", "1950-06-01", small, sizeof small);
    assert_int_equal(strlen(small), 7);
}

#define KEY "mary|smith|1950-06-01"

static void test_match_by_nhs(void **state) {
    (void)state;
    lw_person_key in = {0, "9434765919", "mary|smyth|1950-06-01"};
    /* The NHS number wins even when the name is spelt differently. */
    lw_person_key c[] = {{7, "9434765919", KEY}, {3, NULL, "mary|smyth|1950-06-01"}};
    lw_match m = person_match(&in, c, 2);
    assert_int_equal(m.kind, LW_MATCH_NHS);
    assert_int_equal(m.person_id, 7);
    /* Nobody known: a new person. */
    m = person_match(&in, NULL, 0);
    assert_int_equal(m.kind, LW_MATCH_NONE);
    assert_int_equal(m.person_id, 0);
}

static void test_match_by_name_dob(void **state) {
    (void)state;
    /* No NHS number on either side. */
    lw_person_key in = {0, NULL, KEY};
    lw_person_key c[] = {{9, NULL, KEY}, {4, NULL, KEY}, {2, NULL, "mary|smith|1950-06-02"}};
    lw_match m = person_match(&in, c, 3);
    assert_int_equal(m.kind, LW_MATCH_NAME_DOB);
    assert_int_equal(m.person_id, 4); /* the oldest record */
    /* Only the known person has an NHS number: still the same person. */
    lw_person_key known[] = {{5, "9434765919", KEY}};
    m = person_match(&in, known, 1);
    assert_int_equal(m.kind, LW_MATCH_NAME_DOB);
    assert_int_equal(m.person_id, 5);
    /* Only the newcomer has one. */
    lw_person_key in_nhs = {0, "9434765919", KEY};
    lw_person_key unknown_nhs[] = {{6, "", KEY}};
    m = person_match(&in_nhs, unknown_nhs, 1);
    assert_int_equal(m.kind, LW_MATCH_NAME_DOB);
    assert_int_equal(m.person_id, 6);
    /* Same name, another date of birth: nobody. */
    lw_person_key other_dob[] = {{8, NULL, "mary|smith|1950-06-02"}};
    m = person_match(&in, other_dob, 1);
    assert_int_equal(m.kind, LW_MATCH_NONE);
}

static void test_match_conflict_is_flagged_not_merged(void **state) {
    (void)state;
    lw_person_key in = {0, "9434765919", KEY};
    lw_person_key c[] = {{11, "4010232137", KEY}};
    lw_match m = person_match(&in, c, 1);
    assert_int_equal(m.kind, LW_MATCH_CONFLICT);
    assert_int_equal(m.person_id, 11);
    /* A true NHS match elsewhere beats the conflict. */
    lw_person_key c2[] = {{11, "4010232137", KEY}, {12, "9434765919", "someone|else|2000-01-01"}};
    m = person_match(&in, c2, 2);
    assert_int_equal(m.kind, LW_MATCH_NHS);
    assert_int_equal(m.person_id, 12);
    /* Without a key nothing matches by name. */
    lw_person_key nokey = {0, NULL, ""};
    lw_person_key c3[] = {{13, NULL, ""}};
    m = person_match(&nokey, c3, 1);
    assert_int_equal(m.kind, LW_MATCH_NONE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nhs_valid),
        cmocka_unit_test(test_nhs_invalid),
        cmocka_unit_test(test_birth_date),
        cmocka_unit_test(test_postcode),
        cmocka_unit_test(test_match_key),
        cmocka_unit_test(test_match_by_nhs),
        cmocka_unit_test(test_match_by_name_dob),
        cmocka_unit_test(test_match_conflict_is_flagged_not_merged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
