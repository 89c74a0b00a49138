/* Unit tests for domain/accounts: roles, organisation kinds, account input
 * validation, session expiry and login throttling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/accounts.h"

/* ---- roles and organisation kinds ---- */

static void test_role_round_trip(void **state) {
    (void)state;
    static const char *const expected[LW_ROLE_COUNT] = {
        "referrer", "link_worker",  "peer_worker", "clinician_prescriber",
        "provider", "commissioner", "admin",
    };
    for (int r = 0; r < LW_ROLE_COUNT; r++) {
        const char *name = role_name((lw_role)r);
        assert_string_equal(name, expected[r]);
        assert_int_equal(role_parse(name), r);
        /* Every role is named in the list shown in error messages. */
        assert_non_null(strstr(role_names_list(), name));
    }
    assert_string_equal(role_name(LW_ROLE_COUNT), "unknown");
    assert_string_equal(role_name((lw_role)-1), "unknown");
}

static void test_role_parse_unknown(void **state) {
    (void)state;
    assert_int_equal(role_parse("superuser"), -1);
    assert_int_equal(role_parse(""), -1);
    assert_int_equal(role_parse("Admin"), -1);
    assert_int_equal(role_parse("admin "), -1);
    assert_int_equal(role_parse("unknown"), -1);
    assert_int_equal(role_parse(NULL), -1);
}

static void test_org_kind_round_trip(void **state) {
    (void)state;
    static const char *const expected[LW_ORG_KIND_COUNT] = {
        "gp_practice", "cmht",         "inpatient_ward", "link_worker_service",
        "vcse",        "commissioner", "community",      "other",
    };
    for (int k = 0; k < LW_ORG_KIND_COUNT; k++) {
        const char *name = org_kind_name((lw_org_kind)k);
        assert_string_equal(name, expected[k]);
        assert_int_equal(org_kind_parse(name), k);
        assert_non_null(strstr(org_kind_names_list(), name));
    }
    assert_string_equal(org_kind_name(LW_ORG_KIND_COUNT), "unknown");
}

static void test_org_kind_parse_unknown(void **state) {
    (void)state;
    assert_int_equal(org_kind_parse("hospital"), -1);
    assert_int_equal(org_kind_parse(""), -1);
    assert_int_equal(org_kind_parse("GP_PRACTICE"), -1);
    assert_int_equal(org_kind_parse("referrer"), -1);
    assert_int_equal(org_kind_parse(NULL), -1);
}

/* ---- email ---- */

static void expect_email_ok(const char *in, const char *want) {
    char out[LW_EMAIL_MAX + 1];
    lw_error err = {0};
    lw_status st = account_email_normalise(in, "email", out, &err);
    if (st != LW_OK)
        fail_msg("'%s' was refused: %s", in, err.msg);
    assert_string_equal(out, want);
}

static void expect_email_bad(const char *in) {
    char out[LW_EMAIL_MAX + 1];
    lw_error err = {0};
    lw_status st = account_email_normalise(in, "email", out, &err);
    if (st != LW_EINVAL)
        fail_msg("'%s' was accepted (status %d)", in, st);
    assert_string_equal(err.field, "email");
    assert_true(strlen(err.msg) > 0);
}

static void test_email_normalise_ok(void **state) {
    (void)state;
    expect_email_ok("Jo.Bloggs@Example.NHS.uk", "jo.bloggs@example.nhs.uk");
    expect_email_ok("ADMIN@LINKWELL.TEST", "admin@linkwell.test");
    expect_email_ok("a@b.co", "a@b.co");
    expect_email_ok("first+tag@sub.example.org", "first+tag@sub.example.org");
}

static void test_email_normalise_bad(void **state) {
    (void)state;
    expect_email_bad("");
    expect_email_bad("jo.example.org");        /* no @ */
    expect_email_bad("jo@bloggs@example.org"); /* two @ */
    expect_email_bad("@example.org");          /* nothing before @ */
    expect_email_bad("jo@localhost");          /* no dot in the domain */
    expect_email_bad("jo.bloggs@localhost");   /* a dot, but not in the domain */
    expect_email_bad("jo@.example.org");       /* domain starts with a dot */
    expect_email_bad("jo@example.org.");       /* trailing dot */
    expect_email_bad("jo bloggs@example.org"); /* space */
    expect_email_bad(" jo@example.org");
    expect_email_bad("jo@example.org ");
    expect_email_bad("jo\t@example.org");
    expect_email_bad("si\xc3\xa2n@example.org"); /* non-ASCII */
    expect_email_bad("jo@ex\x7f"
                     "ample.org");
}

static void test_email_length(void **state) {
    (void)state;
    /* local part + "@" + domain: 254 characters in all is the limit. */
    char in[300];
    const char *domain = "@example.org"; /* 12 */
    size_t local = LW_EMAIL_MAX - strlen(domain);
    memset(in, 'A', local);
    memcpy(in + local, domain, strlen(domain) + 1);
    assert_int_equal(strlen(in), 254);
    char out[LW_EMAIL_MAX + 1];
    lw_error err = {0};
    assert_int_equal(account_email_normalise(in, "email", out, &err), LW_OK);
    assert_int_equal(strlen(out), 254);
    assert_int_equal(out[0], 'a');
    assert_string_equal(out + local, domain);

    memset(in, 'a', local + 1);
    memcpy(in + local + 1, domain, strlen(domain) + 1);
    assert_int_equal(strlen(in), 255);
    assert_int_equal(account_email_normalise(in, "email", out, &err), LW_EINVAL);
    assert_string_equal(err.field, "email");
    assert_non_null(strstr(err.msg, "254"));
}

/* ---- password ---- */

static lw_status password_of_len(size_t n, lw_error *err) {
    char buf[600];
    assert_true(n < sizeof buf);
    memset(buf, 'p', n);
    buf[n] = '\0';
    return account_password_check(buf, "password", err);
}

static void test_password_length(void **state) {
    (void)state;
    lw_error err = {0};
    assert_int_equal(password_of_len(9, &err), LW_EINVAL);
    assert_string_equal(err.field, "password");
    assert_non_null(strstr(err.msg, "at least 10"));
    assert_int_equal(password_of_len(0, &err), LW_EINVAL);
    assert_int_equal(password_of_len(10, &err), LW_OK);
    assert_int_equal(password_of_len(512, &err), LW_OK);
    lw_error_clear(&err);
    assert_int_equal(password_of_len(513, &err), LW_EINVAL);
    assert_string_equal(err.field, "password");
    assert_non_null(strstr(err.msg, "at most 512"));
}

/* ---- names ---- */

static void expect_name_ok(const char *name) {
    lw_error err = {0};
    lw_status st = account_name_check(name, "name", &err);
    if (st != LW_OK)
        fail_msg("name '%s' was refused: %s", name, err.msg);
}

static void expect_name_bad(const char *name, const char *why) {
    lw_error err = {0};
    lw_status st = account_name_check(name, "name", &err);
    if (st != LW_EINVAL)
        fail_msg("name '%s' was accepted (status %d)", name, st);
    assert_string_equal(err.field, "name");
    if (!strstr(err.msg, why))
        fail_msg("name '%s': message '%s' does not say '%s'", name, err.msg, why);
}

static void test_name_ok(void **state) {
    (void)state;
    expect_name_ok("Jo Bloggs");
    expect_name_ok("Si\xc3\xa2n \xc3\x93 Briain");          /* Siân Ó Briain */
    expect_name_ok("\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x99"); /* 李小龙 (3 bytes each) */
    expect_name_ok("Zo\xc3\xab \xf0\x9f\x8c\xbb");          /* 4-byte emoji */
    expect_name_ok("\xef\xbb\xbf"                           /* U+FEFF */
                   "A");
    expect_name_ok(" x ");
}

static void test_name_bad(void **state) {
    (void)state;
    expect_name_bad("", "empty");
    expect_name_bad(" ", "blank");
    expect_name_bad("     ", "blank");
    expect_name_bad("Jo\nBloggs", "control");
    expect_name_bad("Jo\tBloggs", "control");
    expect_name_bad("\x1b[31mred", "control");
    expect_name_bad("Jo\x7f", "control");
    expect_name_bad("Jo\xc2\x85"
                    "Bloggs",
                    "control"); /* U+0085 NEXT LINE, a C1 control */
    expect_name_bad("Jo\xc2\x9b"
                    "31m",
                    "control");          /* U+009B CSI */
    expect_name_bad("Si\xe2n", "UTF-8"); /* Latin-1 byte */
    expect_name_bad("\xc3", "UTF-8");    /* truncated at the end */
    expect_name_bad("\xc3(", "UTF-8");   /* bad continuation */
    expect_name_bad("\x80"
                    "abc",
                    "UTF-8");                     /* stray continuation */
    expect_name_bad("\xc0\xaf", "UTF-8");         /* overlong '/' */
    expect_name_bad("\xc1\xbf", "UTF-8");         /* overlong */
    expect_name_bad("\xe0\x80\xaf", "UTF-8");     /* overlong, 3 bytes */
    expect_name_bad("\xf0\x80\x80\xaf", "UTF-8"); /* overlong, 4 bytes */
    expect_name_bad("\xed\xa0\x80", "UTF-8");     /* surrogate U+D800 */
    expect_name_bad("\xed\xbf\xbf", "UTF-8");     /* surrogate U+DFFF */
    expect_name_bad("\xf4\x90\x80\x80", "UTF-8"); /* above U+10FFFF */
    expect_name_bad("\xf8\x88\x80\x80\x80", "UTF-8");
    expect_name_bad("\xff", "UTF-8");
}

static void test_name_length(void **state) {
    (void)state;
    char buf[LW_NAME_MAX + 2];
    memset(buf, 'n', LW_NAME_MAX);
    buf[LW_NAME_MAX] = '\0';
    expect_name_ok(buf);
    buf[LW_NAME_MAX] = 'n';
    buf[LW_NAME_MAX + 1] = '\0';
    expect_name_bad(buf, "200");

    /* The limit is in bytes: 100 two-byte characters fit, 100 and a half do not. */
    char wide[LW_NAME_MAX + 4];
    for (int i = 0; i < LW_NAME_MAX / 2; i++)
        memcpy(wide + 2 * i, "\xc3\xa2", 2);
    wide[LW_NAME_MAX] = '\0';
    expect_name_ok(wide);
    wide[LW_NAME_MAX] = 'x';
    wide[LW_NAME_MAX + 1] = '\0';
    expect_name_bad(wide, "200");
}

/* ---- sessions ---- */

static void test_session_idle(void **state) {
    (void)state;
    const int64_t t0 = 1700000000000;
    assert_int_equal(session_state(t0, t0, t0), LW_SESSION_LIVE);
    assert_int_equal(session_state(t0, t0, t0 + LW_SESSION_IDLE_MS - 1), LW_SESSION_LIVE);
    assert_int_equal(session_state(t0, t0, t0 + LW_SESSION_IDLE_MS), LW_SESSION_IDLE_EXPIRED);
    assert_int_equal(session_state(t0, t0, t0 + 30LL * 60 * 1000), LW_SESSION_IDLE_EXPIRED);
    /* Activity moves the idle deadline. */
    const int64_t seen = t0 + 20LL * 60 * 1000;
    assert_int_equal(session_state(t0, seen, seen + 30LL * 60 * 1000 - 1), LW_SESSION_LIVE);
    assert_int_equal(session_state(t0, seen, seen + 30LL * 60 * 1000), LW_SESSION_IDLE_EXPIRED);
}

static void test_session_max_age(void **state) {
    (void)state;
    const int64_t t0 = 1700000000000;
    const int64_t twelve_h = 12LL * 60 * 60 * 1000;
    assert_int_equal(LW_SESSION_MAX_MS, twelve_h);
    /* Active a second ago, but 12 hours old in all. */
    assert_int_equal(session_state(t0, t0 + twelve_h - 1001, t0 + twelve_h - 1), LW_SESSION_LIVE);
    assert_int_equal(session_state(t0, t0 + twelve_h - 1000, t0 + twelve_h),
                     LW_SESSION_MAX_EXPIRED);
    /* Both limits passed: the absolute one is reported. */
    assert_int_equal(session_state(t0, t0, t0 + twelve_h), LW_SESSION_MAX_EXPIRED);
}

/* ---- throttling ---- */

static void test_throttle_below_limit(void **state) {
    (void)state;
    const int64_t now = 1700000000000;
    assert_int_equal(throttle_retry_after(0, LW_THROTTLE_ACCOUNT, 0, now), 0);
    assert_int_equal(
        throttle_retry_after(LW_THROTTLE_ACCOUNT - 1, LW_THROTTLE_ACCOUNT, now - 1000, now), 0);
    assert_int_equal(throttle_retry_after(LW_THROTTLE_ADDRESS - 1, LW_THROTTLE_ADDRESS, now, now),
                     0);
}

static void test_throttle_at_limit(void **state) {
    (void)state;
    const int64_t now = 1700000000000;
    const int lim = LW_THROTTLE_ACCOUNT;
    /* The oldest failure was just now: wait the whole 15 minutes. */
    assert_int_equal(throttle_retry_after(lim, lim, now, now), 900);
    /* 1 ms ago: 899.999 s, rounded up. */
    assert_int_equal(throttle_retry_after(lim, lim, now - 1, now), 900);
    assert_int_equal(throttle_retry_after(lim, lim, now - 1000, now), 899);
    assert_int_equal(throttle_retry_after(lim, lim, now - 1001, now), 899);
    assert_int_equal(throttle_retry_after(lim + 3, lim, now - 10 * 60 * 1000, now), 300);
    /* 1 ms before the oldest failure leaves the window: still 1 s to wait. */
    assert_int_equal(throttle_retry_after(lim, lim, now - LW_THROTTLE_WINDOW_MS + 1, now), 1);
    assert_int_equal(
        throttle_retry_after(LW_THROTTLE_ADDRESS, LW_THROTTLE_ADDRESS, now - 60000, now), 840);
}

static void test_throttle_after_window(void **state) {
    (void)state;
    const int64_t now = 1700000000000;
    const int lim = LW_THROTTLE_ACCOUNT;
    assert_int_equal(throttle_retry_after(lim, lim, now - LW_THROTTLE_WINDOW_MS, now), 0);
    assert_int_equal(throttle_retry_after(lim, lim, now - LW_THROTTLE_WINDOW_MS - 1, now), 0);
    assert_int_equal(throttle_retry_after(lim * 4, lim, now - 24LL * 3600 * 1000, now), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_round_trip),
        cmocka_unit_test(test_role_parse_unknown),
        cmocka_unit_test(test_org_kind_round_trip),
        cmocka_unit_test(test_org_kind_parse_unknown),
        cmocka_unit_test(test_email_normalise_ok),
        cmocka_unit_test(test_email_normalise_bad),
        cmocka_unit_test(test_email_length),
        cmocka_unit_test(test_password_length),
        cmocka_unit_test(test_name_ok),
        cmocka_unit_test(test_name_bad),
        cmocka_unit_test(test_name_length),
        cmocka_unit_test(test_session_idle),
        cmocka_unit_test(test_session_max_age),
        cmocka_unit_test(test_throttle_below_limit),
        cmocka_unit_test(test_throttle_at_limit),
        cmocka_unit_test(test_throttle_after_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
