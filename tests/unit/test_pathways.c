/* Unit tests for domain/pathways: the built-in templates, template checks,
 * milestone due dates from a start date, complete / move / skip, overdue
 * milestones at an injected "now", and discharge outcomes. Dates are worked
 * out by hand in the comments (March has 31 days, April 30, ...). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/pathways.h"
#include "util/timeutil.h"

/* The clock the tests inject: an ISO date or time as milliseconds. */
static int64_t at(const char *iso) {
    int64_t ms = 0;
    lw_error err = {0};
    if (time_parse_iso(iso, "t", &ms, &err) != LW_OK)
        fail_msg("bad test date %s", iso);
    return ms;
}

static void assert_day(int64_t ms, const char *day) {
    char iso[LW_ISO_LEN];
    time_format_iso(ms, iso);
    iso[10] = '\0';
    assert_string_equal(iso, day);
}

/* The milestones of a pathway started at 10:30 on Monday 2 March 2026. */
static int start(const char *key, lw_milestone *ms) {
    const lw_pathway_def *d = pathway_builtin(key);
    assert_non_null(d);
    return pathway_milestones(d, at("2026-03-02T10:30:00Z"), ms);
}

static void test_builtins(void **state) {
    (void)state;
    assert_string_equal(pathway_builtin_at(0)->key, "primary-care");
    assert_string_equal(pathway_builtin_at(1)->key, "secondary-mental-health");
    assert_null(pathway_builtin_at(LW_PATHWAY_BUILTINS));
    assert_null(pathway_builtin("tertiary"));
    assert_null(pathway_builtin(NULL));
    for (size_t i = 0; i < LW_PATHWAY_BUILTINS; i++) {
        lw_error err = {0};
        lw_status st = pathway_def_check(pathway_builtin_at(i), &err);
        if (st != LW_OK)
            fail_msg("built-in %zu refused: %s %s", i, err.field, err.msg);
    }
}

static void test_primary_care_dates(void **state) {
    (void)state;
    lw_milestone ms[LW_PATHWAY_MILESTONES_MAX];
    assert_int_equal(start("primary-care", ms), 4);
    /* The start is the day (midnight UTC), not 10:30. */
    assert_day(ms[0].start_ms, "2026-03-02");
    assert_int_equal(ms[0].start_ms % LW_DAY_MS, 0);
    /* First conversation within 2 weeks: 2 March + 14 = 16 March. */
    assert_string_equal(ms[0].key, "first_conversation");
    assert_day(ms[0].due_ms, "2026-03-16");
    /* Plan agreed within 4 weeks: 2 + 28 = 30 March. */
    assert_string_equal(ms[1].key, "plan_agreed");
    assert_day(ms[1].due_ms, "2026-03-30");
    /* 12 weeks = 84 days: 29 days to 31 March, 30 more to 30 April (59), 25
     * more to 25 May (84). Up to 6 contacts in that time. */
    assert_string_equal(ms[2].key, "contacts");
    assert_day(ms[2].due_ms, "2026-05-25");
    assert_int_equal(ms[2].max_contacts, 6);
    assert_string_equal(ms[3].key, "closing_review");
    assert_day(ms[3].due_ms, "2026-05-25");
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ms[i].state, LW_MS_PENDING);
        assert_int_equal(ms[i].due_ms, ms[i].planned_ms);
        assert_int_equal(ms[i].moves, 0);
        assert_int_equal(ms[i].outcome, -1);
        assert_int_equal(ms[i].closed_ms, 0);
    }
}

static void test_secondary_mh_dates(void **state) {
    (void)state;
    lw_milestone ms[LW_PATHWAY_MILESTONES_MAX];
    assert_int_equal(start("secondary-mental-health", ms), 4);
    assert_string_equal(ms[0].key, "first_joint_meeting");
    assert_day(ms[0].due_ms, "2026-03-16"); /* 2 + 14 */
    /* Week 10 = 70 days: 29 to 31 March, 30 to 30 April (59), 11 to 11 May. */
    assert_string_equal(ms[1].key, "joint_support");
    assert_day(ms[1].due_ms, "2026-05-11");
    assert_string_equal(ms[2].key, "ready_for_community_review");
    assert_day(ms[2].due_ms, "2026-05-11");
    /* Week 26 = 182 days: 31 Mar (29), 30 Apr (59), 31 May (90), 30 Jun (120),
     * 31 Jul (151), 31 Aug (182). */
    assert_string_equal(ms[3].key, "discharge_review");
    assert_day(ms[3].due_ms, "2026-08-31");
    assert_true(ms[3].flags & LW_MS_NEEDS_OUTCOME);
    assert_false(ms[0].flags & LW_MS_NEEDS_OUTCOME);
}

static void test_overdue_edges(void **state) {
    (void)state;
    lw_milestone ms[LW_PATHWAY_MILESTONES_MAX];
    start("primary-care", ms);
    /* Due 16 March: on time through the last second of that day, overdue
     * from midnight. */
    assert_false(milestone_overdue(&ms[0], at("2026-03-16T23:59:59Z")));
    assert_int_equal(milestone_days_overdue(&ms[0], at("2026-03-16T23:59:59Z")), 0);
    assert_true(milestone_overdue(&ms[0], at("2026-03-17T00:00:00Z")));
    assert_int_equal(milestone_days_overdue(&ms[0], at("2026-03-17T00:00:00Z")), 1);
    /* Thursday 19 March, 08:00: 16 -> 19 is 3 days. */
    assert_int_equal(milestone_days_overdue(&ms[0], at("2026-03-19T08:00:00Z")), 3);
    /* The cutoff a query uses gives the same answer. */
    assert_true(ms[0].due_ms < milestone_overdue_cutoff(at("2026-03-17T00:00:00Z")));
    assert_false(ms[0].due_ms < milestone_overdue_cutoff(at("2026-03-16T23:59:59Z")));

    /* On 31 March: first conversation (16th) and plan (30th) are overdue, the
     * 12-week ones (25 May) not yet. */
    size_t idx[LW_PATHWAY_MILESTONES_MAX];
    assert_int_equal(pathway_overdue(ms, 4, at("2026-03-31T09:00:00Z"), idx), 2);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
    assert_int_equal(pathway_overdue(ms, 4, at("2026-03-31T09:00:00Z"), NULL), 2);
    assert_int_equal(pathway_overdue(ms, 4, at("2026-03-02T09:00:00Z"), NULL), 0);
    assert_int_equal(pathway_overdue(ms, 4, at("2026-05-26T00:00:00Z"), NULL), 4);
}

static void test_complete(void **state) {
    (void)state;
    lw_milestone ms[LW_PATHWAY_MILESTONES_MAX];
    start("primary-care", ms);
    int64_t now = at("2026-03-10T15:00:00Z");
    lw_error err = {0};
    /* A date in the future (tomorrow) is refused and changes nothing. */
    assert_int_equal(milestone_complete(&ms[0], at("2026-03-11"), now, NULL, &err), LW_EINVAL);
    assert_string_equal(err.field, "date");
    assert_int_equal(ms[0].state, LW_MS_PENDING);
    /* Before the start (1 March) too. */
    assert_int_equal(milestone_complete(&ms[0], at("2026-03-01"), now, NULL, &err), LW_EINVAL);
    assert_string_equal(err.field, "date");
    assert_non_null(strstr(err.msg, "2026-03-02"));
    /* Later the same day as now is fine (the day counts, not the hour). */
    assert_int_equal(milestone_complete(&ms[0], at("2026-03-10T18:00:00Z"), now, NULL, &err),
                     LW_OK);
    assert_int_equal(ms[0].state, LW_MS_COMPLETED);
    assert_int_equal(ms[0].closed_ms, at("2026-03-10T18:00:00Z"));
    /* Completed milestones are never overdue. */
    assert_false(milestone_overdue(&ms[0], at("2026-12-01")));
    /* No second completion, no move, no skip afterwards: a conflict. */
    assert_int_equal(milestone_complete(&ms[0], now, now, NULL, &err), LW_ECONFLICT);
    assert_string_equal(err.field, "status");
    assert_non_null(strstr(err.msg, "already completed on 2026-03-10"));
    assert_int_equal(milestone_move(&ms[0], at("2026-03-20"), "later", &err), LW_ECONFLICT);
    assert_int_equal(milestone_skip(&ms[0], now, "not needed", &err), LW_ECONFLICT);
    assert_int_equal(ms[0].state, LW_MS_COMPLETED);
    /* An outcome belongs to the discharge review only. */
    assert_int_equal(milestone_complete(&ms[1], now, now, "discharged", &err), LW_EINVAL);
    assert_string_equal(err.field, "outcome");
    assert_int_equal(ms[1].state, LW_MS_PENDING);
}

static void test_move(void **state) {
    (void)state;
    lw_milestone ms[LW_PATHWAY_MILESTONES_MAX];
    start("primary-care", ms);
    lw_error err = {0};
    lw_milestone before = ms[0];
    /* A reason is required: missing, empty, blank, with a control character,
     * too long. Each refusal leaves the milestone as it was. */
    const char *bad[] = {NULL, "", "   ", "in\x01hospital"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(milestone_move(&ms[0], at("2026-03-23"), bad[i], &err), LW_EINVAL);
        assert_string_equal(err.field, "reason");
        assert_memory_equal(&ms[0], &before, sizeof before);
    }
    char long_reason[LW_REASON_MAX + 2];
    memset(long_reason, 'a', sizeof long_reason - 1);
    long_reason[LW_REASON_MAX + 1] = '\0'; /* 1001 bytes */
    assert_int_equal(milestone_move(&ms[0], at("2026-03-23"), long_reason, &err), LW_EINVAL);
    assert_string_equal(err.field, "reason");
    /* The same day again, a day before the start, or past two years: "due". */
    assert_int_equal(milestone_move(&ms[0], at("2026-03-16T17:00:00Z"), "x", &err), LW_EINVAL);
    assert_string_equal(err.field, "due");
    assert_non_null(strstr(err.msg, "already the due date"));
    assert_int_equal(milestone_move(&ms[0], at("2026-03-01"), "x", &err), LW_EINVAL);
    assert_string_equal(err.field, "due");
    /* 2 March 2026 + 730 days: 365 reach 2 March 2027; the next year holds 29
     * February 2028, so 365 more reach 1 March 2028, the last allowed day. */
    assert_int_equal(milestone_move(&ms[0], at("2028-03-02"), "x", &err), LW_EINVAL);
    assert_string_equal(err.field, "due");
    assert_memory_equal(&ms[0], &before, sizeof before);

    /* A good move: first conversation to Monday 23 March (a week later), with
     * a reason of exactly LW_REASON_MAX bytes and a newline. */
    long_reason[LW_REASON_MAX] = '\0';
    long_reason[10] = '\n';
    assert_int_equal(milestone_move(&ms[0], at("2026-03-23T09:00:00Z"), long_reason, &err), LW_OK);
    assert_day(ms[0].due_ms, "2026-03-23");
    assert_int_equal(ms[0].due_ms % LW_DAY_MS, 0);
    assert_day(ms[0].planned_ms, "2026-03-16"); /* the template's date is kept */
    assert_int_equal(ms[0].moves, 1);
    assert_ptr_equal(ms[0].reason, long_reason);
    /* Not overdue on the 17th any more; overdue from the 24th. */
    assert_false(milestone_overdue(&ms[0], at("2026-03-17")));
    assert_false(milestone_overdue(&ms[0], at("2026-03-23T23:00:00Z")));
    assert_true(milestone_overdue(&ms[0], at("2026-03-24")));
    /* Moved again (earlier this time) and to the last allowed day. */
    assert_int_equal(milestone_move(&ms[0], at("2026-03-20"), "person is free sooner", &err),
                     LW_OK);
    assert_int_equal(milestone_move(&ms[0], at("2028-03-01T23:00:00Z"), "long illness", &err),
                     LW_OK);
    assert_int_equal(ms[0].moves, 3);
    assert_string_equal(ms[0].reason, "long illness");
    /* Moving to the start day itself is allowed. */
    assert_int_equal(milestone_move(&ms[1], at("2026-03-02"), "agreed at referral", &err), LW_OK);
}

static void test_skip(void **state) {
    (void)state;
    lw_milestone ms[LW_PATHWAY_MILESTONES_MAX];
    start("primary-care", ms);
    lw_error err = {0};
    int64_t now = at("2026-04-01T12:00:00Z");
    assert_true(milestone_overdue(&ms[1], now)); /* plan due 30 March */
    assert_int_equal(milestone_skip(&ms[1], now, NULL, &err), LW_EINVAL);
    assert_string_equal(err.field, "reason");
    assert_int_equal(ms[1].state, LW_MS_PENDING);
    assert_int_equal(milestone_skip(&ms[1], now, "plan made at the first conversation", &err),
                     LW_OK);
    assert_int_equal(ms[1].state, LW_MS_SKIPPED);
    assert_int_equal(ms[1].closed_ms, now);
    assert_false(milestone_overdue(&ms[1], now)); /* skipped is not overdue */
    assert_int_equal(milestone_skip(&ms[1], now, "again", &err), LW_ECONFLICT);
    assert_non_null(strstr(err.msg, "already skipped on 2026-04-01"));
    assert_int_equal(milestone_complete(&ms[1], now, now, NULL, &err), LW_ECONFLICT);
}

static void test_discharge_review(void **state) {
    (void)state;
    lw_milestone ms[LW_PATHWAY_MILESTONES_MAX];
    start("secondary-mental-health", ms);
    lw_milestone *review = &ms[3];
    int64_t now = at("2026-08-28T11:00:00Z");
    lw_error err = {0};
    /* The outcome is required, and must be one of the three. */
    assert_int_equal(milestone_complete(review, now, now, NULL, &err), LW_EINVAL);
    assert_string_equal(err.field, "outcome");
    assert_non_null(strstr(err.msg, "discharged, extended, re_referred"));
    assert_int_equal(milestone_complete(review, now, now, "transferred", &err), LW_EINVAL);
    assert_string_equal(err.field, "outcome");
    assert_int_equal(milestone_complete(review, now, now, "Discharged", &err), LW_EINVAL);
    assert_int_equal(review->state, LW_MS_PENDING);
    assert_int_equal(milestone_complete(review, now, now, "extended", &err), LW_OK);
    assert_int_equal(review->outcome, LW_DISCHARGE_EXTENDED);
    assert_int_equal(review->state, LW_MS_COMPLETED);
}

static void test_discharge_outcome_names(void **state) {
    (void)state;
    static const char *const names[] = {"discharged", "extended", "re_referred"};
    for (int i = 0; i < LW_DISCHARGE_COUNT; i++) {
        lw_discharge_outcome o = LW_DISCHARGE_COUNT;
        lw_error err = {0};
        assert_int_equal(discharge_outcome_parse(names[i], "outcome", &o, &err), LW_OK);
        assert_int_equal(o, i);
        assert_string_equal(discharge_outcome_name(o), names[i]);
        assert_non_null(strstr(discharge_outcome_names_list(), names[i]));
    }
    lw_discharge_outcome o;
    lw_error err = {0};
    assert_int_equal(discharge_outcome_parse("re-referred", "outcome", &o, &err), LW_EINVAL);
    assert_int_equal(discharge_outcome_parse(NULL, "outcome", &o, &err), LW_EINVAL);
    assert_string_equal(discharge_outcome_name(LW_DISCHARGE_COUNT), "unknown");
    /* Milestone states too. */
    assert_int_equal(milestone_state_parse("pending"), LW_MS_PENDING);
    assert_int_equal(milestone_state_parse("completed"), LW_MS_COMPLETED);
    assert_int_equal(milestone_state_parse("skipped"), LW_MS_SKIPPED);
    assert_int_equal(milestone_state_parse("done"), -1);
    assert_string_equal(milestone_state_name(LW_MS_SKIPPED), "skipped");
}

static void test_next_and_contacts(void **state) {
    (void)state;
    lw_milestone ms[LW_PATHWAY_MILESTONES_MAX];
    start("primary-care", ms);
    lw_error err = {0};
    int64_t now = at("2026-03-05");
    assert_int_equal(pathway_next(ms, 4), 0);
    assert_int_equal(milestone_complete(&ms[0], now, now, NULL, &err), LW_OK);
    assert_int_equal(pathway_next(ms, 4), 1);
    /* Moving the closing review before the plan makes it the next one. */
    assert_int_equal(milestone_move(&ms[3], at("2026-03-20"), "early close", &err), LW_OK);
    assert_int_equal(pathway_next(ms, 4), 3);
    for (int i = 1; i < 4; i++)
        assert_int_equal(milestone_skip(&ms[i], now, "closing", &err), LW_OK);
    assert_int_equal(pathway_next(ms, 4), -1);
    /* Up to 6 contacts: 4 used leaves 2; 6 and 7 leave 0; no cap is -1. */
    assert_int_equal(milestone_contacts_left(&ms[2], 4), 2);
    assert_int_equal(milestone_contacts_left(&ms[2], 6), 0);
    assert_int_equal(milestone_contacts_left(&ms[2], 7), 0);
    assert_int_equal(milestone_contacts_left(&ms[0], 3), -1);
}

static void test_pathway_day(void **state) {
    (void)state;
    assert_int_equal(pathway_day(0), 0);
    assert_int_equal(pathway_day(LW_DAY_MS - 1), 0);
    assert_int_equal(pathway_day(LW_DAY_MS), LW_DAY_MS);
    /* Before 1970 the floor goes down, not toward zero. */
    assert_int_equal(pathway_day(-1), -LW_DAY_MS);
    assert_int_equal(pathway_day(-LW_DAY_MS), -LW_DAY_MS);
}

/* A template check that must fail on FIELD. */
static void def_bad(const lw_pathway_def *d, const char *field) {
    lw_error err = {0};
    assert_int_equal(pathway_def_check(d, &err), LW_EINVAL);
    assert_string_equal(err.field, field);
}

static void test_def_check(void **state) {
    (void)state;
    lw_milestone_def m[3] = {
        {"first", "First", 7, 0, 0},
        {"second", "Second", 14, 0, 0},
        {"review", "Review", 28, 0, LW_MS_NEEDS_OUTCOME},
    };
    lw_pathway_def d = {"my-pathway", "My pathway", 3, m};
    lw_error err = {0};
    assert_int_equal(pathway_def_check(&d, &err), LW_OK);

    d.key = "My Pathway";
    def_bad(&d, "key");
    d.key = "9lives";
    def_bad(&d, "key");
    d.key = "";
    def_bad(&d, "key");
    d.key = "my-pathway";
    d.title = "  ";
    def_bad(&d, "title");
    d.title = "My pathway";
    d.n = 0;
    def_bad(&d, "milestones");
    d.n = LW_PATHWAY_MILESTONES_MAX + 1;
    def_bad(&d, "milestones");
    d.n = 3;
    m[1].key = "first"; /* duplicate */
    def_bad(&d, "milestones[1].key");
    m[1].key = "second-step"; /* '-' is for pathway keys, '_' for milestones */
    def_bad(&d, "milestones[1].key");
    m[1].key = "second";
    m[1].title = "First";
    def_bad(&d, "milestones[1].title");
    m[1].title = "Second";
    /* 0 and 730 days are the ends of the range; -1 and 731 are outside. */
    m[0].due_days = 0;
    m[2].due_days = LW_PATHWAY_MAX_DAYS;
    assert_int_equal(pathway_def_check(&d, &err), LW_OK);
    m[0].due_days = -1;
    def_bad(&d, "milestones[0].due_days");
    m[0].due_days = 0;
    m[2].due_days = LW_PATHWAY_MAX_DAYS + 1;
    def_bad(&d, "milestones[2].due_days");
    m[2].due_days = 28;
    m[1].max_contacts = 101;
    def_bad(&d, "milestones[1].max_contacts");
    m[1].max_contacts = 100;
    m[1].flags = LW_MS_NEEDS_OUTCOME; /* a second outcome milestone */
    def_bad(&d, "milestones[2]");
    m[1].flags = 0;
    assert_int_equal(pathway_def_check(&d, &err), LW_OK);

    /* A stored template gives milestones like a built-in: 5 Jan 2026 + 28 days
     * = 2 Feb 2026 (26 days to the 31st, 2 more). */
    lw_milestone ms[3];
    assert_int_equal(pathway_milestones(&d, at("2026-01-05T23:59:00Z"), ms), 3);
    assert_day(ms[2].due_ms, "2026-02-02");
    assert_string_equal(ms[2].title, "Review");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtins),
        cmocka_unit_test(test_primary_care_dates),
        cmocka_unit_test(test_secondary_mh_dates),
        cmocka_unit_test(test_overdue_edges),
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_move),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_discharge_review),
        cmocka_unit_test(test_discharge_outcome_names),
        cmocka_unit_test(test_next_and_contacts),
        cmocka_unit_test(test_pathway_day),
        cmocka_unit_test(test_def_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
