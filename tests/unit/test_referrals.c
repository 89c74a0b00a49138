/* Unit tests for domain/referrals and domain/referrals_access: both state
 * machines over every (from, to) pair, the overdue and auto-close rules with
 * an injected clock, capacity, funds, self-referral throttling, text checks,
 * and who sees what. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "domain/referrals.h"
#include "domain/referrals_access.h"

#define T0 1795253400000LL /* 2026-11-21T09:30:00Z */
#define DAY LW_DAY_MS

/* ---- the referral state machine ---- */

/* The machine as the issue states it, written out independently of the code. */
static const char *const ref_allowed[][2] = {
    {"received", "accepted"}, {"received", "declined"},  {"accepted", "in_progress"},
    {"accepted", "closed"},   {"in_progress", "closed"},
};

static int ref_expected(const char *from, const char *to) {
    for (size_t i = 0; i < sizeof ref_allowed / sizeof ref_allowed[0]; i++)
        if (strcmp(ref_allowed[i][0], from) == 0 && strcmp(ref_allowed[i][1], to) == 0)
            return 1;
    return 0;
}

static void test_referral_every_pair(void **state) {
    (void)state;
    int allowed = 0;
    for (int f = 0; f < LW_REF_STATE_COUNT; f++) {
        for (int t = 0; t < LW_REF_STATE_COUNT; t++) {
            const char *from = referral_state_name((lw_referral_state)f);
            const char *to = referral_state_name((lw_referral_state)t);
            int want = ref_expected(from, to);
            assert_int_equal(
                referral_transition_allowed((lw_referral_state)f, (lw_referral_state)t), want);
            lw_error err = {0};
            lw_status st =
                referral_transition_check((lw_referral_state)f, (lw_referral_state)t, &err);
            if (want) {
                assert_int_equal(st, LW_OK);
                allowed++;
                continue;
            }
            /* Refused with a conflict on "status" that names every allowed step. */
            assert_int_equal(st, LW_ECONFLICT);
            assert_string_equal(err.field, "status");
            for (int k = 0; k < LW_REF_STATE_COUNT; k++) {
                const char *other = referral_state_name((lw_referral_state)k);
                if (ref_expected(from, other) && !strstr(err.msg, other))
                    fail_msg("%s -> %s: '%s' does not name %s", from, to, err.msg, other);
            }
            if (f == LW_REF_CLOSED || f == LW_REF_DECLINED)
                assert_non_null(strstr(err.msg, "final"));
        }
    }
    assert_int_equal(allowed, 5);
}

static void test_referral_names(void **state) {
    (void)state;
    for (int s = 0; s < LW_REF_STATE_COUNT; s++) {
        const char *n = referral_state_name((lw_referral_state)s);
        assert_int_equal(referral_state_parse(n), s);
        assert_non_null(strstr(referral_state_names_list(), n));
    }
    assert_int_equal(referral_state_parse("open"), -1);
    assert_int_equal(referral_state_parse(NULL), -1);
    assert_string_equal(referral_state_name(LW_REF_STATE_COUNT), "unknown");
    assert_int_equal(referral_transition_allowed(LW_REF_STATE_COUNT, LW_REF_ACCEPTED), 0);
    static const char *const reasons[] = {"not_eligible", "declined_by_person", "unable_to_contact",
                                          "duplicate",    "referred_elsewhere", "no_response"};
    for (size_t i = 0; i < 6; i++) {
        assert_true(decline_reason_parse(reasons[i]) >= 0);
        assert_non_null(strstr(decline_reason_names_list(), reasons[i]));
    }
    assert_int_equal(decline_reason_parse("bored"), -1);
}

/* ---- the prescription state machine ---- */

static const char *const rx_referral_allowed[][2] = {
    {"proposed", "sent"},       {"sent", "accepted"},        {"sent", "waitlisted"},
    {"sent", "declined"},       {"waitlisted", "accepted"},  {"waitlisted", "declined"},
    {"accepted", "started"},    {"accepted", "dropped_out"}, {"started", "completed"},
    {"started", "dropped_out"},
};
static const char *const rx_signpost_allowed[][2] = {
    {"proposed", "started"},
    {"proposed", "dropped_out"},
    {"started", "completed"},
    {"started", "dropped_out"},
};

static int rx_expected(lw_rx_kind kind, const char *from, const char *to) {
    const char *const(*list)[2] =
        kind == LW_RX_SIGNPOST ? rx_signpost_allowed : rx_referral_allowed;
    size_t n = kind == LW_RX_SIGNPOST ? 4 : 10;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i][0], from) == 0 && strcmp(list[i][1], to) == 0)
            return 1;
    return 0;
}

static void test_rx_every_pair(void **state) {
    (void)state;
    for (int k = 0; k < 2; k++) {
        lw_rx_kind kind = (lw_rx_kind)k;
        int allowed = 0;
        for (int f = 0; f < LW_RX_STATE_COUNT; f++) {
            for (int t = 0; t < LW_RX_STATE_COUNT; t++) {
                const char *from = rx_state_name((lw_rx_state)f);
                const char *to = rx_state_name((lw_rx_state)t);
                int want = rx_expected(kind, from, to);
                assert_int_equal(rx_transition_allowed(kind, (lw_rx_state)f, (lw_rx_state)t), want);
                lw_error err = {0};
                lw_status st = rx_transition_check(kind, (lw_rx_state)f, (lw_rx_state)t, &err);
                if (want) {
                    assert_int_equal(st, LW_OK);
                    allowed++;
                    continue;
                }
                assert_int_equal(st, LW_ECONFLICT);
                assert_string_equal(err.field, "status");
                int any = 0;
                for (int o = 0; o < LW_RX_STATE_COUNT; o++) {
                    const char *other = rx_state_name((lw_rx_state)o);
                    if (rx_expected(kind, from, other)) {
                        any = 1;
                        if (!strstr(err.msg, other))
                            fail_msg("%s %s -> %s: '%s' does not name %s", rx_kind_name(kind), from,
                                     to, err.msg, other);
                    }
                }
                if (!any)
                    assert_non_null(strstr(err.msg, "final"));
            }
        }
        assert_int_equal(allowed, kind == LW_RX_SIGNPOST ? 4 : 10);
    }
}

static void test_rx_names_and_actors(void **state) {
    (void)state;
    for (int s = 0; s < LW_RX_STATE_COUNT; s++)
        assert_int_equal(rx_state_parse(rx_state_name((lw_rx_state)s)), s);
    assert_int_equal(rx_kind_parse("signpost"), LW_RX_SIGNPOST);
    assert_int_equal(rx_kind_parse("referral"), LW_RX_REFERRAL);
    assert_int_equal(rx_kind_parse("leaflet"), -1);
    assert_int_equal(rx_mode_parse("direct"), LW_RX_DIRECT);
    assert_int_equal(rx_mode_parse("link_worker"), LW_RX_LINK_WORKER);
    assert_int_equal(rx_mode_parse("gp"), -1);
    /* Providers answer; senders send; a referral starts only by attendance. */
    assert_true(rx_actor_may(LW_RX_BY_PROVIDER, LW_RX_REFERRAL, LW_RX_ACCEPTED));
    assert_true(rx_actor_may(LW_RX_BY_PROVIDER, LW_RX_REFERRAL, LW_RX_WAITLISTED));
    assert_true(rx_actor_may(LW_RX_BY_PROVIDER, LW_RX_REFERRAL, LW_RX_DECLINED));
    assert_false(rx_actor_may(LW_RX_BY_SENDER, LW_RX_REFERRAL, LW_RX_ACCEPTED));
    assert_true(rx_actor_may(LW_RX_BY_SENDER, LW_RX_REFERRAL, LW_RX_SENT));
    assert_false(rx_actor_may(LW_RX_BY_PROVIDER, LW_RX_REFERRAL, LW_RX_SENT));
    assert_false(rx_actor_may(LW_RX_BY_SENDER, LW_RX_REFERRAL, LW_RX_STARTED));
    assert_false(rx_actor_may(LW_RX_BY_PROVIDER, LW_RX_REFERRAL, LW_RX_STARTED));
    assert_true(rx_actor_may(LW_RX_BY_SENDER, LW_RX_SIGNPOST, LW_RX_STARTED));
    assert_true(rx_actor_may(LW_RX_BY_SENDER, LW_RX_REFERRAL, LW_RX_COMPLETED));
    assert_true(rx_actor_may(LW_RX_BY_PROVIDER, LW_RX_REFERRAL, LW_RX_DROPPED_OUT));
    assert_false(rx_actor_may(LW_RX_BY_SENDER, LW_RX_REFERRAL, LW_RX_PROPOSED));
    /* Open prescriptions hold places. */
    assert_false(rx_state_is_open(LW_RX_PROPOSED));
    assert_true(rx_state_is_open(LW_RX_SENT));
    assert_true(rx_state_is_open(LW_RX_WAITLISTED));
    assert_true(rx_state_is_open(LW_RX_STARTED));
    assert_false(rx_state_is_open(LW_RX_DECLINED));
    assert_false(rx_state_is_open(LW_RX_COMPLETED));
    assert_true(rx_attendance_allowed(LW_RX_REFERRAL, LW_RX_ACCEPTED));
    assert_false(rx_attendance_allowed(LW_RX_REFERRAL, LW_RX_SENT));
    assert_false(rx_attendance_allowed(LW_RX_REFERRAL, LW_RX_PROPOSED));
    assert_true(rx_attendance_allowed(LW_RX_SIGNPOST, LW_RX_PROPOSED));
    assert_false(rx_attendance_allowed(LW_RX_REFERRAL, LW_RX_COMPLETED));
}

static void test_capacity(void **state) {
    (void)state;
    lw_error err = {0};
    assert_int_equal(rx_capacity_check("capacity", -1, 500, NULL, &err), LW_OK);
    assert_int_equal(rx_capacity_check("capacity", 10, 9, NULL, &err), LW_OK);
    assert_int_equal(rx_capacity_check("waitlist", 10, 0, NULL, &err), LW_OK);
    assert_int_equal(rx_capacity_check("no_capacity", 10, 0, NULL, &err), LW_ECONFLICT);
    assert_string_equal(err.field, "override_reason");
    assert_non_null(strstr(err.msg, "no capacity"));
    assert_int_equal(rx_capacity_check("no_capacity", -1, 0, "", &err), LW_ECONFLICT);
    assert_int_equal(rx_capacity_check("no_capacity", -1, 0, "person already a member", &err),
                     LW_OK);
    /* Open prescriptions count against the places. */
    assert_int_equal(rx_capacity_check("capacity", 10, 10, NULL, &err), LW_ECONFLICT);
    assert_non_null(strstr(err.msg, "10 places"));
    assert_int_equal(rx_capacity_check("capacity", 0, 0, NULL, &err), LW_ECONFLICT);
    assert_int_equal(rx_capacity_check("capacity", 10, 12, "agreed with the leader", &err), LW_OK);
}

static void test_fund(void **state) {
    (void)state;
    lw_error err = {0};
    assert_int_equal(fund_draw_check(1000, 1000, &err), LW_OK);
    assert_int_equal(fund_draw_check(1000, 0, &err), LW_OK);
    assert_int_equal(fund_draw_check(1000, 1001, &err), LW_ECONFLICT);
    assert_string_equal(err.field, "cost");
    assert_non_null(strstr(err.msg, "below zero"));
    assert_int_equal(fund_draw_check(0, 1, &err), LW_ECONFLICT);
    assert_int_equal(fund_draw_check(1000, -5, &err), LW_EINVAL);
}

/* ---- ageing, with an injected clock ---- */

static void test_limits(void **state) {
    (void)state;
    lw_referral_limits d = referral_limits(0, 0);
    assert_int_equal(d.overdue_days, 5);
    assert_int_equal(d.auto_close_days, 14);
    lw_error err = {0};
    assert_int_equal(referral_limits_check(&d, &err), LW_OK);
    lw_referral_limits c = referral_limits(2, 3);
    assert_int_equal(c.overdue_days, 2);
    assert_int_equal(c.auto_close_days, 3);
    assert_int_equal(referral_limits_check(&c, &err), LW_OK);
    lw_referral_limits bad = {7, 7};
    assert_int_equal(referral_limits_check(&bad, &err), LW_EINVAL);
    assert_string_equal(err.field, "auto_close_days");
    lw_referral_limits neg = {-1, 14};
    assert_int_equal(referral_limits_check(&neg, &err), LW_EINVAL);
    assert_string_equal(err.field, "overdue_days");
}

static void test_age_default_limits(void **state) {
    (void)state;
    lw_referral_limits l = referral_limits(0, 0);
    int64_t recv = T0;
    /* Just before 5 days: on time; at 5 days: overdue; at 14 days: auto-close. */
    assert_int_equal(referral_age(LW_REF_RECEIVED, recv, recv, &l), LW_AGE_ON_TIME);
    assert_int_equal(referral_age(LW_REF_RECEIVED, recv, recv + 5 * DAY - 1, &l), LW_AGE_ON_TIME);
    assert_int_equal(referral_age(LW_REF_RECEIVED, recv, recv + 5 * DAY, &l), LW_AGE_OVERDUE);
    assert_int_equal(referral_age(LW_REF_RECEIVED, recv, recv + 14 * DAY - 1, &l), LW_AGE_OVERDUE);
    assert_int_equal(referral_age(LW_REF_RECEIVED, recv, recv + 14 * DAY, &l), LW_AGE_AUTO_CLOSE);
    assert_int_equal(referral_age(LW_REF_RECEIVED, recv, recv + 400 * DAY, &l), LW_AGE_AUTO_CLOSE);
    /* Answered referrals never age. */
    for (int s = LW_REF_ACCEPTED; s < LW_REF_STATE_COUNT; s++)
        assert_int_equal(referral_age((lw_referral_state)s, recv, recv + 400 * DAY, &l),
                         LW_AGE_ON_TIME);
    /* The cut-offs agree with referral_age(). */
    int64_t now = T0 + 30 * DAY;
    assert_int_equal(referral_overdue_cutoff(now, &l), now - 5 * DAY);
    assert_int_equal(referral_auto_close_cutoff(now, &l), now - 14 * DAY);
}

static void test_age_configured_limits(void **state) {
    (void)state;
    lw_referral_limits l = referral_limits(1, 2);
    assert_int_equal(referral_age(LW_REF_RECEIVED, T0, T0 + DAY - 1, &l), LW_AGE_ON_TIME);
    assert_int_equal(referral_age(LW_REF_RECEIVED, T0, T0 + DAY, &l), LW_AGE_OVERDUE);
    assert_int_equal(referral_age(LW_REF_RECEIVED, T0, T0 + 2 * DAY, &l), LW_AGE_AUTO_CLOSE);
}

static void test_selfref_throttle(void **state) {
    (void)state;
    assert_int_equal(selfref_retry_after(0, 0, T0), 0);
    assert_int_equal(selfref_retry_after(LW_SELFREF_LIMIT - 1, T0, T0), 0);
    assert_int_equal(selfref_retry_after(LW_SELFREF_LIMIT, T0, T0), LW_SELFREF_WINDOW_MS / 1000);
    assert_int_equal(selfref_retry_after(LW_SELFREF_LIMIT, T0, T0 + LW_SELFREF_WINDOW_MS - 1500),
                     2);
    assert_int_equal(selfref_retry_after(LW_SELFREF_LIMIT, T0, T0 + LW_SELFREF_WINDOW_MS), 0);
}

/* ---- vocabularies and text ---- */

static void test_needs(void **state) {
    (void)state;
    static const char *const ids[] = {
        "isolation", "mood",     "physical_activity", "weight_nutrition",
        "debt",      "benefits", "housing",           "employment",
        "learning",  "arts",     "volunteering",      "carers",
        "parenting", "legal",    "bereavement"};
    for (int i = 0; i < LW_NEED_COUNT; i++) {
        assert_string_equal(need_name(i), ids[i]);
        assert_int_equal(need_parse(ids[i]), i);
        assert_non_null(strstr(need_names_list(), ids[i]));
    }
    assert_null(need_name(LW_NEED_COUNT));
    assert_int_equal(need_parse("loneliness"), -1);
    assert_int_equal(need_parse("Isolation"), -1);
    assert_true(contact_mode_parse("home_visit") >= 0);
    assert_int_equal(contact_mode_parse("carrier pigeon"), -1);
    assert_true(support_level_parse("intensive") >= 0);
    assert_int_equal(support_level_parse("heavy"), -1);
    assert_true(goal_status_parse("achieved") >= 0);
    assert_true(case_outcome_parse("goals_met") >= 0);
    assert_int_equal(case_outcome_parse("finished"), -1);
    assert_true(urgency_parse("urgent") >= 0);
    assert_int_equal(urgency_parse("asap"), -1);
}

static void test_dates_and_text(void **state) {
    (void)state;
    lw_error err = {0};
    assert_int_equal(date_check("2024-02-29", "d", &err), LW_OK);
    assert_int_equal(date_check("2023-02-29", "d", &err), LW_EINVAL);
    assert_string_equal(err.field, "d");
    assert_int_equal(date_check("2023-13-01", "d", &err), LW_EINVAL);
    assert_int_equal(date_check("2023-1-01", "d", &err), LW_EINVAL);
    assert_int_equal(date_check("2023-01-01T00:00", "d", &err), LW_EINVAL);
    assert_int_equal(date_check("yesterday", "d", &err), LW_EINVAL);
    char d[11];
    date_of_ms(T0, d);
    assert_string_equal(d, "2026-11-21");
    assert_int_equal(text_check("line one\nline two\ttab", 100, "note", &err), LW_OK);
    assert_int_equal(text_check("caf\xc3\xa9", 100, "note", &err), LW_OK);
    assert_int_equal(text_check("bad \x01", 100, "note", &err), LW_EINVAL);
    assert_string_equal(err.field, "note");
    assert_int_equal(text_check("bad \xc3", 100, "note", &err), LW_EINVAL);
    assert_int_equal(text_check("12345", 4, "note", &err), LW_EINVAL);
    assert_non_null(strstr(err.msg, "longer"));
}

/* ---- who sees what ---- */

static void test_access_referral(void **state) {
    (void)state;
    const int64_t gp = 10, lws = 20, other = 30;
    lw_viewer referrer = {LW_ROLE_REFERRER, 1, gp};
    lw_viewer clinician = {LW_ROLE_CLINICIAN_PRESCRIBER, 2, gp};
    lw_viewer lw = {LW_ROLE_LINK_WORKER, 3, lws};
    lw_viewer peer = {LW_ROLE_PEER_WORKER, 4, lws};
    lw_viewer lw_other = {LW_ROLE_LINK_WORKER, 5, other};
    lw_viewer provider = {LW_ROLE_PROVIDER, 6, gp};
    lw_viewer comm = {LW_ROLE_COMMISSIONER, 7, gp};
    lw_viewer admin = {LW_ROLE_ADMIN, 8, other};
    assert_int_equal(access_referral(&referrer, gp, lws), LW_SEE_REFERRER);
    assert_int_equal(access_referral(&clinician, gp, lws), LW_SEE_REFERRER);
    assert_int_equal(access_referral(&referrer, other, lws), LW_SEE_NONE);
    assert_int_equal(access_referral(&lw, gp, lws), LW_SEE_FULL);
    assert_int_equal(access_referral(&peer, 0, lws), LW_SEE_FULL);
    assert_int_equal(access_referral(&lw_other, gp, lws), LW_SEE_NONE);
    assert_int_equal(access_referral(&provider, gp, lws), LW_SEE_NONE);
    assert_int_equal(access_referral(&comm, gp, lws), LW_SEE_NONE);
    assert_int_equal(access_referral(&admin, gp, lws), LW_SEE_FULL);
    /* A self-referral has no referring organisation: no referrer sees it. */
    lw_viewer zero = {LW_ROLE_REFERRER, 1, 0};
    assert_int_equal(access_referral(&zero, 0, lws), LW_SEE_NONE);

    assert_int_equal(access_case(&lw, lws), LW_SEE_FULL);
    assert_int_equal(access_case(&peer, lws), LW_SEE_FULL);
    assert_int_equal(access_case(&lw_other, lws), LW_SEE_NONE);
    assert_int_equal(access_case(&referrer, lws), LW_SEE_NONE);
    assert_int_equal(access_case(&admin, lws), LW_SEE_FULL);
}

static void test_access_prescription(void **state) {
    (void)state;
    const int64_t lws = 20, vcse = 40, cmht = 50;
    lw_viewer lw = {LW_ROLE_LINK_WORKER, 3, lws};
    lw_viewer prov = {LW_ROLE_PROVIDER, 6, vcse};
    lw_viewer prov_other = {LW_ROLE_PROVIDER, 9, 99};
    lw_viewer doc = {LW_ROLE_CLINICIAN_PRESCRIBER, 2, cmht};
    lw_viewer doc2 = {LW_ROLE_CLINICIAN_PRESCRIBER, 12, cmht};
    lw_viewer referrer = {LW_ROLE_REFERRER, 1, lws};
    lw_viewer comm = {LW_ROLE_COMMISSIONER, 7, vcse};
    lw_rx_facts via_lw = {
        .sender_org = lws, .prescriber_id = 3, .provider_org = vcse, .sent = 1, .consent = 1};
    assert_int_equal(access_prescription(&lw, &via_lw), LW_SEE_FULL);
    assert_int_equal(access_prescription(&prov, &via_lw), LW_SEE_PROVIDER_CONSENTED);
    assert_int_equal(access_prescription(&prov_other, &via_lw), LW_SEE_NONE);
    assert_int_equal(access_prescription(&doc, &via_lw), LW_SEE_NONE);
    assert_int_equal(access_prescription(&referrer, &via_lw), LW_SEE_NONE);
    assert_int_equal(access_prescription(&comm, &via_lw), LW_SEE_NONE);
    via_lw.consent = 0;
    assert_int_equal(access_prescription(&prov, &via_lw), LW_SEE_PROVIDER_MINIMAL);
    via_lw.sent = 0; /* proposed, or a signpost: the provider never sees it */
    assert_int_equal(access_prescription(&prov, &via_lw), LW_SEE_NONE);

    lw_rx_facts direct = {.sender_org = cmht,
                          .prescriber_id = 2,
                          .direct = 1,
                          .provider_org = vcse,
                          .sent = 1,
                          .consent = 1};
    assert_int_equal(access_prescription(&doc, &direct), LW_SEE_FULL);
    assert_int_equal(access_prescription(&doc2, &direct), LW_SEE_NONE); /* the one who made it */
    assert_int_equal(access_prescription(&prov, &direct), LW_SEE_PROVIDER_CONSENTED);
    lw_viewer lw_cmht = {LW_ROLE_LINK_WORKER, 3, cmht};
    assert_int_equal(access_prescription(&lw_cmht, &direct), LW_SEE_NONE);

    lw_person_facts none = {0}, referred = {.referred_to_org = 1},
                    direct_p = {.direct_rx_by_viewer = 1};
    assert_int_equal(access_person(&lw, &referred), LW_SEE_FULL);
    assert_int_equal(access_person(&lw, &none), LW_SEE_NONE);
    assert_int_equal(access_person(&doc, &direct_p), LW_SEE_FULL);
    assert_int_equal(access_person(&doc, &referred), LW_SEE_NONE);
    assert_int_equal(access_person(&prov, &referred), LW_SEE_NONE);
    assert_int_equal(access_person(&comm, &referred), LW_SEE_NONE);
    assert_int_equal(access_person(&referrer, &referred), LW_SEE_NONE);
    lw_viewer admin = {LW_ROLE_ADMIN, 8, 1};
    assert_int_equal(access_person(&admin, &none), LW_SEE_FULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_referral_every_pair),
        cmocka_unit_test(test_referral_names),
        cmocka_unit_test(test_rx_every_pair),
        cmocka_unit_test(test_rx_names_and_actors),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_fund),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_age_default_limits),
        cmocka_unit_test(test_age_configured_limits),
        cmocka_unit_test(test_selfref_throttle),
        cmocka_unit_test(test_needs),
        cmocka_unit_test(test_dates_and_text),
        cmocka_unit_test(test_access_referral),
        cmocka_unit_test(test_access_prescription),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
