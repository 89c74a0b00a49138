/*
 * Pathways over HTTP: a case gets its pathway when its referral is accepted
 * (primary care by default, secondary mental health for a mental health
 * team's referral, or the one named), with milestones due from the day of
 * acceptance; milestones completed, moved (history kept) and skipped as the
 * server's clock moves on; overdue milestones per worker and per service and
 * in the caseload; the discharge review's outcome; templates edited by an
 * admin; and every refusal (another organisation: 404; bad input: 4xx with
 * nothing written).
 */
#include "journey_fixture.h"

static int setup(void **state) {
    *state = jf_start();
    return 0;
}

static int teardown(void **state) {
    jf_stop(*state);
    return 0;
}

/* YMD plus DAYS, as YYYY-MM-DD. */
static const char *add_days(const char *ymd, int days, char out[16]) {
    struct tm tm = {0};
    assert_int_equal(sscanf(ymd, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday), 3);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm) + (time_t)days * 86400;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
    return out;
}

/* Accepts referral ID as WHO with BODY (stolen; NULL: just accepted); returns the case id. */
static int64_t accept_with(jf *f, int64_t id, json_t *extra) {
    json_t *b = json_pack("{s:s}", "status", "accepted");
    if (extra) {
        json_object_update(b, extra);
        json_decref(extra);
    }
    th_resp *r = jf_callf(f, JF_LW, "POST", b, "/api/v1/referrals/%lld/status", (long long)id);
    jf_expect(r, 200, "accept");
    int64_t case_id = jf_int(r->json, "case_id");
    th_resp_free(r);
    return case_id;
}

/* GET /cases/{id}/milestones as the Riverside link worker (caller frees). */
static th_resp *milestones(jf *f, int64_t case_id) {
    th_resp *r =
        jf_callf(f, JF_LW, "GET", NULL, "/api/v1/cases/%lld/milestones", (long long)case_id);
    jf_expect(r, 200, "milestones");
    return r;
}

static const json_t *milestone(const th_resp *r, const char *key) {
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(r->json, "milestones"), i, m) {
        if (strcmp(jf_str(m, "key"), key) == 0)
            return m;
    }
    fail_msg("no milestone %s: %s", key, r->body);
    return NULL;
}

static int64_t milestone_id(jf *f, int64_t case_id, const char *key) {
    th_resp *r = milestones(f, case_id);
    int64_t id = jf_int(milestone(r, key), "id");
    th_resp_free(r);
    return id;
}

/* POST a milestone change as WHO (caller frees). */
static th_resp *change(jf *f, int who, int64_t case_id, int64_t mid, json_t *body) {
    return jf_callf(f, who, "POST", body, "/api/v1/cases/%lld/milestones/%lld", (long long)case_id,
                    (long long)mid);
}

static void assert_str(const char *got, const char *want, const char *what) {
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s: expected '%s', got '%s'", what, want, got ? got : "(null)");
}

static void accepted_case_gets_primary_care_with_due_dates(void **state) {
    jf *f = *state;
    int64_t case_id = jf_accept(f, jf_refer(f, JF_GP, "Mary", JF_NHS, 1));
    th_resp *r = milestones(f, case_id);
    assert_str(jf_str(r->json, "pathway"), "primary-care", "a GP's referral");
    char start[16], want[16];
    snprintf(start, sizeof start, "%.10s", jf_str(r->json, "started_at"));
    assert_str(start, jf_today(f, want), "started the day it was accepted");
    static const struct {
        const char *key;
        int days;
    } expect[] = {
        {"first_conversation", 14}, {"plan_agreed", 28}, {"contacts", 84}, {"closing_review", 84}};
    assert_int_equal(json_array_size(json_object_get(r->json, "milestones")), 4);
    for (size_t i = 0; i < 4; i++) {
        const json_t *m = milestone(r, expect[i].key);
        add_days(start, expect[i].days, want);
        assert_str(jf_str(m, "due_on"), want, expect[i].key);
        assert_str(jf_str(m, "original_due_on"), want, expect[i].key);
        assert_str(jf_str(m, "status"), "open", expect[i].key);
        assert_false(json_is_true(json_object_get(m, "overdue")));
    }
    assert_true(json_is_null(json_object_get(r->json, "outcome")));
    th_resp_free(r);
    /* The acceptance wrote them in its own transaction, with an audit row. */
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM audit_log WHERE action = 'case.pathway' "
                                   "AND resource_id = '%lld'",
                                   (long long)case_id),
                     1);
}

static void mental_health_team_referral_gets_secondary_pathway(void **state) {
    jf *f = *state;
    int64_t case_id = jf_accept(f, jf_refer(f, JF_DOC, "Ann", JF_NHS, 1));
    th_resp *r = milestones(f, case_id);
    assert_str(jf_str(r->json, "pathway"), "secondary-mental-health", "a CMHT referral");
    char start[16], want[16];
    snprintf(start, sizeof start, "%.10s", jf_str(r->json, "started_at"));
    assert_str(jf_str(milestone(r, "ready_for_community_review"), "due_on"),
               add_days(start, 70, want), "week 10");
    assert_str(jf_str(milestone(r, "discharge_review"), "due_on"), add_days(start, 182, want),
               "week 26");
    assert_true(json_is_true(json_object_get(milestone(r, "discharge_review"), "needs_outcome")));
    th_resp_free(r);

    /* Named explicitly, the pathway wins over the default. */
    int64_t other = accept_with(f, jf_refer(f, JF_DOC, "Bea", JF_NHS_2, 1),
                                json_pack("{s:s}", "pathway", "primary-care"));
    r = milestones(f, other);
    assert_str(jf_str(r->json, "pathway"), "primary-care", "named");
    th_resp_free(r);
}

static void unknown_pathway_refused_and_nothing_written(void **state) {
    jf *f = *state;
    int64_t ref = jf_refer(f, JF_GP, "Mary", JF_NHS, 1);
    th_resp *r = jf_callf(f, JF_LW, "POST",
                          json_pack("{s:s, s:s}", "status", "accepted", "pathway", "tertiary-care"),
                          "/api/v1/referrals/%lld/status", (long long)ref);
    jf_problem(r, 400, "pathway", "unknown pathway");
    r = jf_callf(f, JF_LW, "POST",
                 json_pack("{s:s, s:s, s:s}", "status", "declined", "reason", "not_eligible",
                           "pathway", "primary-care"),
                 "/api/v1/referrals/%lld/status", (long long)ref);
    jf_problem(r, 400, "pathway", "a pathway when declining");
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM cases"), 0);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM case_pathways"), 0);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM case_milestones"), 0);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM referrals WHERE id = %lld AND status = "
                                   "'received'",
                                   (long long)ref),
                     1);
}

static void complete_move_skip_and_overdue(void **state) {
    jf *f = *state;
    int64_t case_id = jf_accept(f, jf_refer(f, JF_GP, "Mary", JF_NHS, 1));
    char start[16], want[16], path[160];
    jf_today(f, start);
    int64_t first = milestone_id(f, case_id, "first_conversation");
    int64_t plan = milestone_id(f, case_id, "plan_agreed");
    int64_t contacts = milestone_id(f, case_id, "contacts");

    /* Nothing is overdue on the due day itself; from the next day it is. */
    th_advance(f->s, 14 * JF_DAY);
    th_resp *r = milestones(f, case_id);
    assert_false(json_is_true(json_object_get(milestone(r, "first_conversation"), "overdue")));
    th_resp_free(r);
    th_advance(f->s, 2 * JF_DAY);
    r = milestones(f, case_id);
    const json_t *m = milestone(r, "first_conversation");
    assert_true(json_is_true(json_object_get(m, "overdue")));
    assert_int_equal(jf_int(m, "days_overdue"), 2);
    assert_int_equal(jf_int(r->json, "overdue"), 1);
    th_resp_free(r);

    /* The worker's and the service's overdue lists have it; another worker's does not. */
    snprintf(path, sizeof path, "/api/v1/milestones/overdue?worker_id=%lld",
             (long long)f->user[JF_LW]);
    r = jf_call(f, JF_LW, "GET", path, NULL);
    jf_expect(r, 200, "overdue for the worker");
    assert_int_equal(jf_int(r->json, "total"), 1);
    json_t *o = json_array_get(json_object_get(r->json, "milestones"), 0);
    assert_int_equal(jf_int(o, "case_id"), case_id);
    assert_str(jf_str(o, "key"), "first_conversation", "overdue key");
    assert_str(jf_str(json_object_get(o, "person"), "name"), "Mary Smith", "person");
    assert_int_equal(jf_int(json_object_get(o, "worker"), "id"), f->user[JF_LW]);
    th_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/milestones/overdue?worker_id=%lld",
             (long long)f->user[JF_PEER]);
    r = jf_call(f, JF_LW, "GET", path, NULL);
    jf_expect(r, 200, "overdue for the peer worker");
    assert_int_equal(jf_int(r->json, "total"), 0);
    th_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/milestones/overdue?service_id=%lld", (long long)f->lws);
    r = jf_call(f, JF_ADMIN, "GET", path, NULL);
    jf_expect(r, 200, "overdue for the service");
    assert_int_equal(jf_int(r->json, "total"), 1);
    th_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/milestones/overdue?service_id=%lld", (long long)f->lws2);
    r = jf_call(f, JF_ADMIN, "GET", path, NULL);
    jf_expect(r, 200, "overdue for another service");
    assert_int_equal(jf_int(r->json, "total"), 0);
    th_resp_free(r);

    /* The caseload puts the case first and says why. */
    r = jf_call(f, JF_LW, "GET", "/api/v1/cases?assignee=me", NULL);
    jf_expect(r, 200, "caseload");
    json_t *row = json_array_get(json_object_get(r->json, "contents"), 0);
    assert_int_equal(jf_int(row, "id"), case_id);
    assert_int_equal(jf_int(row, "overdue_milestones"), 1);
    assert_true(json_is_true(json_object_get(row, "overdue")));
    assert_int_equal(jf_int(json_object_get(row, "next_milestone"), "id"), first);
    th_resp_free(r);

    /* Completed yesterday: no longer overdue, done on that day. */
    char yesterday[16], today[16];
    jf_today(f, today);
    add_days(today, -1, yesterday);
    r = change(f, JF_LW, case_id, first,
               json_pack("{s:s, s:s}", "action", "complete", "done_on", yesterday));
    jf_expect(r, 200, "complete");
    assert_str(jf_str(r->json, "status"), "done", "completed");
    assert_str(jf_str(r->json, "done_on"), yesterday, "done on");
    th_resp_free(r);
    r = jf_call(f, JF_LW, "GET", "/api/v1/milestones/overdue", NULL);
    assert_int_equal(jf_int(r->json, "total"), 0);
    th_resp_free(r);
    /* The caseload follows at once: the next milestone is now the plan. */
    r = jf_call(f, JF_LW, "GET", "/api/v1/cases?assignee=me", NULL);
    jf_expect(r, 200, "caseload after completing");
    row = json_array_get(json_object_get(r->json, "contents"), 0);
    assert_int_equal(jf_int(row, "overdue_milestones"), 0);
    assert_int_equal(jf_int(json_object_get(row, "next_milestone"), "id"), plan);
    assert_str(jf_str(json_object_get(row, "next_milestone"), "title"), "Plan agreed",
               "next milestone's title");
    th_resp_free(r);

    /* Moved twice: the due date changes, the template's date and both moves are kept. */
    add_days(start, 42, want);
    r = change(f, JF_LW, case_id, plan,
               json_pack("{s:s, s:s, s:s}", "action", "move", "due_on", want, "reason",
                         "Mary is in hospital for two weeks"));
    jf_expect(r, 200, "move");
    assert_str(jf_str(r->json, "due_on"), want, "moved");
    th_resp_free(r);
    add_days(start, 49, want);
    r = change(f, JF_PEER, case_id, plan,
               json_pack("{s:s, s:s, s:s}", "action", "move", "due_on", want, "reason",
                         "She asked to wait for her daughter's visit"));
    jf_expect(r, 200, "second move");
    th_resp_free(r);
    r = milestones(f, case_id);
    m = milestone(r, "plan_agreed");
    assert_str(jf_str(m, "due_on"), want, "moved again");
    th_resp_free(r);
    r = jf_call(f, JF_LW, "GET", "/api/v1/cases?assignee=me", NULL);
    jf_expect(r, 200, "caseload after the moves");
    row = json_array_get(json_object_get(r->json, "contents"), 0);
    assert_str(jf_str(json_object_get(row, "next_milestone"), "due_on"), want,
               "the caseload shows the moved date");
    th_resp_free(r);
    r = milestones(f, case_id);
    m = milestone(r, "plan_agreed");
    assert_str(jf_str(m, "original_due_on"), add_days(start, 28, want), "template date kept");
    json_t *moves = json_object_get(m, "moves");
    assert_int_equal(json_array_size(moves), 2);
    assert_str(jf_str(json_array_get(moves, 0), "reason"), "Mary is in hospital for two weeks",
               "first move's reason");
    assert_str(jf_str(json_array_get(moves, 0), "from"), add_days(start, 28, want), "from");
    assert_str(jf_str(json_array_get(moves, 1), "from"), add_days(start, 42, want), "then from");
    assert_int_equal(jf_int(json_object_get(json_array_get(moves, 1), "by"), "id"),
                     f->user[JF_PEER]);
    th_resp_free(r);

    /* Skipped with a reason. */
    r = change(f, JF_LW, case_id, contacts,
               json_pack("{s:s, s:s}", "action", "skip", "reason", "Moved to group support"));
    jf_expect(r, 200, "skip");
    assert_str(jf_str(r->json, "status"), "skipped", "skipped");
    assert_str(jf_str(r->json, "reason"), "Moved to group support", "skip reason");
    th_resp_free(r);
    /* Done is done. */
    r = change(f, JF_LW, case_id, contacts, json_pack("{s:s}", "action", "complete"));
    jf_problem(r, 409, "status", "completing a skipped milestone");
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM audit_log WHERE action IN "
                                   "('milestone.complete', 'milestone.move', 'milestone.skip') "
                                   "AND outcome = 'ok'"),
                     4);
}

static void discharge_review_records_the_outcome(void **state) {
    jf *f = *state;
    int64_t case_id = jf_accept(f, jf_refer(f, JF_DOC, "Ann", JF_NHS, 1));
    int64_t review = milestone_id(f, case_id, "discharge_review");
    int64_t meeting = milestone_id(f, case_id, "first_joint_meeting");
    th_advance(f->s, 183 * JF_DAY);
    th_resp *r = change(f, JF_LW, case_id, review, json_pack("{s:s}", "action", "complete"));
    jf_problem(r, 400, "outcome", "a discharge review without its outcome");
    r = change(f, JF_LW, case_id, review,
               json_pack("{s:s, s:s}", "action", "complete", "outcome", "cured"));
    jf_problem(r, 400, "outcome", "an unknown outcome");
    r = change(f, JF_LW, case_id, meeting,
               json_pack("{s:s, s:s}", "action", "complete", "outcome", "discharged"));
    jf_problem(r, 400, "outcome", "an outcome for a milestone that records none");
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM case_pathways WHERE outcome IS "
                                        "NOT NULL"),
                     0);
    r = change(f, JF_LW, case_id, review,
               json_pack("{s:s, s:s}", "action", "complete", "outcome", "discharged"));
    jf_expect(r, 200, "discharge review");
    assert_str(jf_str(r->json, "pathway_outcome"), "discharged", "recorded");
    th_resp_free(r);
    r = milestones(f, case_id);
    assert_str(jf_str(r->json, "outcome"), "discharged", "the pathway's outcome");
    assert_false(json_is_null(json_object_get(r->json, "ended_at")));
    th_resp_free(r);
}

static void bad_changes_refused_and_nothing_written(void **state) {
    jf *f = *state;
    int64_t case_id = jf_accept(f, jf_refer(f, JF_GP, "Mary", JF_NHS, 1));
    int64_t plan = milestone_id(f, case_id, "plan_agreed");
    char *before = th_sql_text(f->s, "SELECT id, due_at, status, done_at, reason FROM "
                                     "case_milestones ORDER BY id");
    char today[16], later[16];
    add_days(jf_today(f, today), 40, later);
    struct {
        json_t *body;
        long status;
        const char *field;
    } bad[] = {
        {json_pack("{s:s}", "action", "finish"), 400, "action"},
        {json_pack("{}"), 400, "action"},
        {json_pack("{s:s, s:s}", "action", "move", "due_on", later), 400, "reason"},
        {json_pack("{s:s, s:s, s:s}", "action", "move", "due_on", later, "reason", "   "), 400,
         "reason"},
        {json_pack("{s:s, s:s}", "action", "move", "reason", "later"), 400, "due_on"},
        {json_pack("{s:s, s:s, s:s}", "action", "move", "due_on", "next week", "reason", "x"), 400,
         "due_on"},
        {json_pack("{s:s, s:s, s:s}", "action", "move", "due_on", "2026-02-30", "reason", "x"), 400,
         "due_on"},
        {json_pack("{s:s, s:s, s:s}", "action", "move", "due_on", "2001-01-01", "reason", "x"), 400,
         "due_on"},
        {json_pack("{s:s}", "action", "skip"), 400, "reason"},
        {json_pack("{s:s, s:s}", "action", "complete", "done_on", later), 400, "done_on"},
        {json_pack("{s:s, s:s}", "action", "complete", "reason", "why"), 400, "reason"},
        {json_pack("{s:s, s:s, s:s}", "action", "skip", "reason", "x", "due_on", later), 400,
         "due_on"},
        {json_pack("{s:s, s:s}", "action", "complete", "colour", "blue"), 400, "colour"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "bad change %zu", i);
        jf_problem(change(f, JF_LW, case_id, plan, bad[i].body), bad[i].status, bad[i].field, what);
    }
    jf_problem(change(f, JF_LW, case_id, 999999, json_pack("{s:s}", "action", "complete")), 404,
               NULL, "no such milestone");
    char *after = th_sql_text(f->s, "SELECT id, due_at, status, done_at, reason FROM "
                                    "case_milestones ORDER BY id");
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM milestone_moves"), 0);
}

static void other_organisations_get_404(void **state) {
    jf *f = *state;
    int64_t case_id = jf_accept(f, jf_refer(f, JF_GP, "Mary", JF_NHS, 1));
    int64_t plan = milestone_id(f, case_id, "plan_agreed");
    char path[160];
    th_resp *r =
        jf_callf(f, JF_LW2, "GET", NULL, "/api/v1/cases/%lld/milestones", (long long)case_id);
    jf_problem(r, 404, NULL, "another service's milestones");
    r = change(f, JF_LW2, case_id, plan, json_pack("{s:s}", "action", "complete"));
    jf_problem(r, 404, NULL, "another service completing");
    snprintf(path, sizeof path, "/api/v1/milestones/overdue?service_id=%lld", (long long)f->lws);
    jf_problem(jf_call(f, JF_LW2, "GET", path, NULL), 404, "service_id", "another service");
    snprintf(path, sizeof path, "/api/v1/milestones/overdue?worker_id=%lld",
             (long long)f->user[JF_LW]);
    jf_problem(jf_call(f, JF_LW2, "GET", path, NULL), 404, "worker_id", "another's worker");
    r = jf_callf(f, JF_COMM, "GET", NULL, "/api/v1/cases/%lld/milestones", (long long)case_id);
    jf_problem(r, 403, NULL, "a commissioner");
    r = jf_callf(f, JF_GP, "GET", NULL, "/api/v1/cases/%lld/milestones", (long long)case_id);
    jf_problem(r, 403, NULL, "the referrer");
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM case_milestones WHERE status <> "
                                        "'open'"),
                     0);
    assert_true(th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action LIKE "
                                   "'milestone.%' AND outcome = 'denied'") >= 4);
    /* Reads are audited too. */
    r = milestones(f, case_id);
    th_resp_free(r);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM audit_log WHERE action = "
                                   "'milestone.list' AND outcome = 'ok' AND resource_id = '%lld'",
                                   (long long)case_id),
                     2); /* milestone_id() above read them once */
}

static void templates_are_data_admins_edit(void **state) {
    jf *f = *state;
    th_resp *r = jf_call(f, JF_GP, "GET", "/api/v1/pathways", NULL);
    jf_expect(r, 200, "pathways");
    json_t *list = json_object_get(r->json, "pathways");
    assert_int_equal(json_array_size(list), 2);
    assert_str(jf_str(json_array_get(list, 0), "name"), "primary-care", "first built-in");
    assert_str(jf_str(json_array_get(list, 1), "name"), "secondary-mental-health", "second");
    th_resp_free(r);

    int64_t old_case = jf_accept(f, jf_refer(f, JF_GP, "Mary", JF_NHS, 1));
    json_t *edit = json_pack("{s:s, s:[{s:s, s:s, s:i}, {s:s, s:s, s:i}]}", "title",
                             "Primary care (local)", "milestones", "key", "first_conversation",
                             "title", "First conversation", "due_days", 7, "key", "closing_review",
                             "title", "Closing review", "due_days", 56);
    jf_problem(jf_call(f, JF_LW, "PUT", "/api/v1/pathways/primary-care", json_incref(edit)), 403,
               NULL, "a link worker editing");
    struct {
        const char *json;
        const char *field;
    } bad[] = {
        {"{\"title\": \"T\", \"milestones\": [{\"key\": \"a\", \"title\": \"A\", \"due_days\": 1}, "
         "{\"key\": \"a\", \"title\": \"B\", \"due_days\": 2}]}",
         "milestones[1].key"},
        {"{\"title\": \"T\", \"milestones\": [{\"key\": \"a\", \"title\": \"A\", \"due_days\": "
         "-1}]}",
         "milestones[0].due_days"},
        {"{\"title\": \"T\", \"milestones\": []}", "milestones"},
        {"{\"title\": \"T\", \"milestones\": [{\"key\": \"a\", \"title\": \"A\"}]}",
         "milestones[0].due_days"},
        {"{\"milestones\": [{\"key\": \"a\", \"title\": \"A\", \"due_days\": 1}]}", "title"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        jf_problem(jf_call(f, JF_ADMIN, "PUT", "/api/v1/pathways/primary-care",
                           json_loads(bad[i].json, 0, NULL)),
                   400, bad[i].field, bad[i].json);
    jf_problem(jf_call(f, JF_ADMIN, "PUT", "/api/v1/pathways/Bad%20Name", json_incref(edit)), 400,
               "name", "a bad name");
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM pathway_templates"), 0);

    r = jf_call(f, JF_ADMIN, "PUT", "/api/v1/pathways/primary-care", edit);
    jf_expect(r, 200, "edit");
    th_resp_free(r);
    r = jf_call(f, JF_LW, "GET", "/api/v1/pathways", NULL);
    json_t *pc = json_array_get(json_object_get(r->json, "pathways"), 0);
    assert_str(jf_str(pc, "title"), "Primary care (local)", "edited title");
    assert_true(json_is_true(json_object_get(pc, "edited")));
    assert_int_equal(json_array_size(json_object_get(pc, "milestones")), 2);
    th_resp_free(r);

    /* New cases follow the edit; the case accepted before keeps its milestones. */
    int64_t new_case = jf_accept(f, jf_refer(f, JF_GP, "Bea", JF_NHS_2, 1));
    r = milestones(f, new_case);
    char today[16], want[16];
    assert_int_equal(json_array_size(json_object_get(r->json, "milestones")), 2);
    assert_str(jf_str(milestone(r, "first_conversation"), "due_on"),
               add_days(jf_today(f, today), 7, want), "edited due date");
    th_resp_free(r);
    r = milestones(f, old_case);
    assert_int_equal(json_array_size(json_object_get(r->json, "milestones")), 4);
    th_resp_free(r);

    /* An admin adds a pathway of their own, and a case can be given it. */
    r = jf_call(f, JF_ADMIN, "PUT", "/api/v1/pathways/carers",
                json_pack("{s:s, s:[{s:s, s:s, s:i}]}", "title", "Carers", "milestones", "key",
                          "carers_assessment", "title", "Carer's assessment", "due_days", 21));
    jf_expect(r, 200, "a new pathway");
    th_resp_free(r);
    int64_t carer = accept_with(f, jf_refer(f, JF_GP2, "Cal", NULL, 1),
                                json_pack("{s:s}", "pathway", "carers"));
    r = milestones(f, carer);
    assert_str(jf_str(r->json, "pathway"), "carers", "own pathway");
    th_resp_free(r);
}

/* Unmet need: saving a case's preferences records the needs no local service meets
 * within the travel limit (the fixture's services list no needs at all), and saving
 * them again replaces the record. */
static void unmet_needs_recorded_with_preferences(void **state) {
    jf *f = *state;
    int64_t case_id = jf_accept(f, jf_refer(f, JF_GP, "Mary", JF_NHS, 1));
    th_resp *r = jf_callf(f, JF_LW, "PUT",
                          json_pack("{s:[s, s], s:i}", "needs", "isolation", "debt", "max_km", 5),
                          "/api/v1/cases/%lld/preferences", (long long)case_id);
    jf_expect(r, 200, "preferences");
    th_resp_free(r);
    char *got = th_sql_text(f->s, "SELECT need, max_km FROM unmet_needs ORDER BY need");
    assert_string_equal(got, "debt\t5\nisolation\t5\n");
    free(got);
    r = jf_callf(f, JF_LW, "PUT", json_pack("{s:[s]}", "needs", "mood"),
                 "/api/v1/cases/%lld/preferences", (long long)case_id);
    jf_expect(r, 200, "preferences again");
    th_resp_free(r);
    got = th_sql_text(f->s, "SELECT need, max_km FROM unmet_needs ORDER BY need");
    assert_string_equal(got, "mood\tNULL\n");
    free(got);
}

/* Demand against capacity: a provider declining for lack of places says so
 * distinctly from any other reason. */
static void decline_for_no_capacity_recorded(void **state) {
    jf *f = *state;
    int64_t case_id = jf_accept(f, jf_refer(f, JF_GP, "Mary", JF_NHS, 1));
    int64_t a = jf_prescribe(f, case_id, "svc-garden", "referral");
    int64_t b = jf_prescribe(f, case_id, "svc-garden", "referral");
    jf_rx_status(f, JF_LW, a, json_pack("{s:s}", "status", "sent"), 200);
    jf_rx_status(f, JF_LW, b, json_pack("{s:s}", "status", "sent"), 200);
    th_resp *r = jf_callf(f, JF_PROV, "POST",
                          json_pack("{s:s, s:b}", "status", "accepted", "no_capacity", 1),
                          "/api/v1/prescriptions/%lld/status", (long long)a);
    jf_problem(r, 400, "no_capacity", "no_capacity when accepting");
    jf_rx_status(f, JF_PROV, a, json_pack("{s:s, s:b}", "status", "declined", "no_capacity", 1),
                 200);
    jf_rx_status(f, JF_PROV, b,
                 json_pack("{s:s, s:s}", "status", "declined", "reason", "Not suitable"), 200);
    char *got = th_sql_text(f->s, "SELECT status, status_reason, decline_code FROM prescriptions "
                                  "ORDER BY id");
    assert_string_equal(got, "declined\tno_capacity\tno_capacity\ndeclined\tNot "
                             "suitable\tNULL\n");
    free(got);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(accepted_case_gets_primary_care_with_due_dates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(mental_health_team_referral_gets_secondary_pathway, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unknown_pathway_refused_and_nothing_written, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(complete_move_skip_and_overdue, setup, teardown),
        cmocka_unit_test_setup_teardown(discharge_review_records_the_outcome, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_changes_refused_and_nothing_written, setup, teardown),
        cmocka_unit_test_setup_teardown(other_organisations_get_404, setup, teardown),
        cmocka_unit_test_setup_teardown(templates_are_data_admins_edit, setup, teardown),
        cmocka_unit_test_setup_teardown(unmet_needs_recorded_with_preferences, setup, teardown),
        cmocka_unit_test_setup_teardown(decline_for_no_capacity_recorded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
