/*
 * The periodic job: referrals nobody answered within the auto-close limit are
 * declined with reason no_response, the referrer is told (SNOMED
 * 871711000000103), and each is closed exactly once even when several runners
 * (threads here; serve processes on PostgreSQL in tests/pg/test_autoclose.sh)
 * run at the same moment. The clock is moved, never waited for.
 */
#include <pthread.h>

#include "api/jobs.h"
#include "journey_fixture.h"

static int setup(void **state) {
    *state = jf_start();
    return 0;
}

static int teardown(void **state) {
    jf_stop(*state);
    return 0;
}

static int run_jobs(jf *f) {
    lw_error err;
    int closed = -1;
    if (jobs_run_once(&f->s->app, &closed, &err) != LW_OK)
        fail_msg("jobs_run_once: %s", err.msg);
    return closed;
}

static void unanswered_referrals_close_after_the_limit(void **state) {
    jf *f = *state;
    int64_t old = jf_refer(f, JF_GP, "Ann", NULL, 1);
    int64_t answered = jf_refer(f, JF_GP, "Bob", NULL, 1);
    jf_accept(f, answered);
    th_advance(f->s, 10 * JF_DAY);
    int64_t young = jf_refer(f, JF_GP, "Cat", NULL, 1);
    /* Day 10: overdue, not yet closed. */
    assert_int_equal(run_jobs(f), 0);
    th_resp *r = jf_call(f, JF_LW, "GET", "/api/v1/referrals/overdue", NULL);
    assert_int_equal(jf_int(r->json, "total"), 1);
    th_resp_free(r);
    /* Day 14: the first referral is closed, the one answered and the younger one are not. */
    th_advance(f->s, 4 * JF_DAY);
    assert_int_equal(run_jobs(f), 1);
    assert_int_equal(run_jobs(f), 0);
    r = jf_callf(f, JF_GP, "GET", NULL, "/api/v1/referrals/%lld", (long long)old);
    jf_expect(r, 200, "GP reads");
    assert_string_equal(jf_str(r->json, "status"), "declined");
    assert_string_equal(jf_str(r->json, "status_reason"), "no_response");
    json_t *fb = json_array_get(json_object_get(r->json, "feedback"), 0);
    assert_string_equal(jf_str(fb, "event"), "declined");
    assert_string_equal(jf_str(fb, "snomed"), "871711000000103");
    assert_non_null(strstr(jf_str(fb, "text"), "no response"));
    th_resp_free(r);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM audit_log WHERE action = "
                                   "'referral.auto_close' AND resource_id = '%lld' AND user_id IS "
                                   "NULL AND remote_addr = 'job'",
                                   (long long)old),
                     1);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM referrals WHERE id IN (%lld, %lld) "
                                   "AND status IN ('received', 'accepted')",
                                   (long long)answered, (long long)young),
                     2);
    /* The younger one goes at its own day 14. */
    th_advance(f->s, 10 * JF_DAY);
    assert_int_equal(run_jobs(f), 1);
}

static void limits_are_configurable(void **state) {
    jf *f = *state;
    f->s->app.overdue_days = 1;
    f->s->app.auto_close_days = 2;
    jf_refer(f, JF_GP, "Ann", NULL, 1);
    th_advance(f->s, JF_DAY);
    assert_int_equal(run_jobs(f), 0);
    th_resp *r = jf_call(f, JF_LW, "GET", "/api/v1/referrals/overdue", NULL);
    assert_int_equal(jf_int(r->json, "total"), 1);
    assert_int_equal(jf_int(r->json, "auto_close_days"), 2);
    th_resp_free(r);
    th_advance(f->s, JF_DAY);
    assert_int_equal(run_jobs(f), 1);
}

/* Several runners at once: every due referral is closed once, with one feedback message and
 * one audit row, whoever closed it. */
enum { RUNNERS = 4, DUE = 120 };

typedef struct runner {
    lw_app *app;
    int closed;
    char msg[600];
} runner;

static void *runner_main(void *arg) {
    runner *rn = arg;
    for (int i = 0; i < 5; i++) {
        lw_error err;
        int n = 0;
        lw_status st = jobs_run_once(rn->app, &n, &err);
        if (st != LW_OK && st != LW_EUNAVAILABLE)
            snprintf(rn->msg, sizeof rn->msg, "%s", err.msg);
        rn->closed += st == LW_OK ? n : 0;
    }
    return NULL;
}

static void concurrent_runners_close_each_once(void **state) {
    jf *f = *state;
    /* Many referrals, put in place with SQL in one go (what the API would have made). */
    int64_t first = jf_refer(f, JF_GP, "Ann", NULL, 1);
    int64_t person =
        th_sql_countf(f->s, "SELECT person_id FROM referrals WHERE id = %lld", (long long)first);
    for (int i = 0; i < DUE - 1; i++) {
        char sql[600];
        snprintf(sql, sizeof sql,
                 "INSERT INTO referrals (reference, person_id, source, from_organisation_id, "
                 "to_organisation_id, reasons, urgency, consent_share, status, status_at, "
                 "created_at) SELECT 'R-BULK%04d', %lld, 'referrer', %lld, %lld, 'mood', "
                 "'routine', 1, 'received', created_at, created_at FROM referrals WHERE id = %lld",
                 i, (long long)person, (long long)f->gp, (long long)f->lws, (long long)first);
        jf_sql(f, sql);
    }
    th_advance(f->s, 15 * JF_DAY);
    runner rn[RUNNERS];
    pthread_t th[RUNNERS];
    memset(rn, 0, sizeof rn);
    for (int i = 0; i < RUNNERS; i++) {
        rn[i].app = &f->s->app;
        pthread_create(&th[i], NULL, runner_main, &rn[i]);
    }
    int total = 0;
    for (int i = 0; i < RUNNERS; i++) {
        pthread_join(th[i], NULL);
        if (rn[i].msg[0])
            fail_msg("runner %d: %s", i, rn[i].msg);
        total += rn[i].closed;
    }
    assert_int_equal(total, DUE);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM referrals WHERE status = 'declined' "
                                        "AND status_reason = 'no_response'"),
                     DUE);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM feedback_messages WHERE snomed = "
                                        "'871711000000103'"),
                     DUE);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM (SELECT referral_id FROM "
                                        "feedback_messages GROUP BY referral_id HAVING count(*) > "
                                        "1) d"),
                     0);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action = "
                                        "'referral.auto_close'"),
                     DUE);
}

/* The runner serve starts: started and stopped cleanly, and its first run is at once. */
static void runner_thread_starts_and_stops(void **state) {
    jf *f = *state;
    jf_refer(f, JF_GP, "Ann", NULL, 1);
    th_advance(f->s, 20 * JF_DAY);
    lw_jobs *j = NULL;
    lw_error err;
    assert_int_equal(jobs_start(&f->s->app, 3600LL * 1000, &j, &err), LW_OK);
    jobs_stop(j); /* waits for the first run */
    jobs_stop(NULL);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM referrals WHERE status = 'declined'"),
                     1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(unanswered_referrals_close_after_the_limit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(limits_are_configurable, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_runners_close_each_once, setup, teardown),
        cmocka_unit_test_setup_teardown(runner_thread_starts_and_stops, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
