/*
 * The caseload's order (GET /api/v1/cases): overdue first (an action due before
 * today or a pathway milestone due before today), then by the next action's due
 * date, then cases with no action planned; ties by when the case was opened,
 * then by id. On SQLite a caseload of up to a thousand cases is sorted by the
 * store itself rather than by the database (store/cases.c): these tests compare
 * every page the API gives with the database's own ORDER BY of the same cases,
 * including NULL due dates inside the overdue group, ties, a whole service's
 * list, and a caseload too long to be sorted in the store.
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

/* The ids of the cases that WHERE selects, as the database orders them with the
 * ORDER BY the store's query uses; each ended by "\n". Caller frees. */
static char *expected_order(jf *f, const char *where) {
    char today[16], sql[1024];
    jf_today(f, today);
    int64_t now = clock_now(&f->s->app.clock);
    long long cutoff = (long long)(now - now % JF_DAY); /* milestone_overdue_cutoff() */
    snprintf(sql, sizeof sql,
             "SELECT c.id FROM cases c WHERE %s ORDER BY CASE WHEN "
             "c.next_action_due < '%s' OR c.next_ms_due < %lld THEN 0 WHEN c.next_action_due "
             "IS NULL THEN 2 ELSE 1 END, c.next_action_due, c.opened_at, c.id",
             where, today, cutoff);
    return th_sql_text(f->s, sql);
}

/* The ids of the caseload QUERY's pages of PER cases, each ended by "\n" (as
 * th_sql_text() ends rows), as WHO sees them; checks every page's total against
 * WANT_TOTAL. Caller frees. */
static char *api_order(jf *f, int who, const char *query, int per, long long want_total) {
    size_t cap = 64, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    for (int page = 1;; page++) {
        th_resp *r =
            jf_callf(f, who, "GET", NULL, "/api/v1/cases?%s&per_page=%d&page=%d", query, per, page);
        jf_expect(r, 200, "caseload page");
        assert_int_equal(jf_int(r->json, "total"), want_total);
        json_t *list = json_object_get(r->json, "contents");
        size_t n = json_array_size(list);
        for (size_t i = 0; i < n; i++) {
            char id[32];
            int k =
                snprintf(id, sizeof id, "%lld\n", (long long)jf_int(json_array_get(list, i), "id"));
            if (len + (size_t)k + 1 > cap) {
                cap = 2 * (len + (size_t)k + 1);
                out = realloc(out, cap);
                assert_non_null(out);
            }
            memcpy(out + len, id, (size_t)k + 1);
            len += (size_t)k;
        }
        th_resp_free(r);
        if (n < (size_t)per)
            break;
    }
    return out;
}

static void assert_same_order(char *got, char *want, const char *what) {
    if (strcmp(got, want) != 0)
        fail_msg("%s: the caseload's order\n%s\nis not the database's\n%s", what, got, want);
    free(got);
    free(want);
}

/* The link worker's open caseload, through the API in pages of PER and as the
 * database orders it: the two must agree. MIN: the fewest cases it must have. */
static void worker_list_agrees(jf *f, int per, long long min) {
    char where[160];
    snprintf(where, sizeof where,
             "c.status = 'open' AND c.assignee_id = %lld AND c.organisation_id = %lld",
             (long long)f->user[JF_LW], (long long)f->lws);
    long long mine = th_sql_countf(
        f->s, "SELECT count(*) FROM cases WHERE assignee_id = %lld AND status = 'open'",
        (long long)f->user[JF_LW]);
    assert_true(mine >= min);
    assert_same_order(api_order(f, JF_LW, "assignee=me", per, mine), expected_order(f, where),
                      "the worker's open caseload");
}

/* The whole service's open list (the peer worker's view), the same way. */
static void service_list_agrees(jf *f, int per) {
    char where[160];
    snprintf(where, sizeof where, "c.status = 'open' AND c.organisation_id = %lld",
             (long long)f->lws);
    long long service = th_sql_countf(
        f->s, "SELECT count(*) FROM cases WHERE organisation_id = %lld AND status = 'open'",
        (long long)f->lws);
    assert_same_order(api_order(f, JF_PEER, "status=open", per, service), expected_order(f, where),
                      "the service's list");
}

/* Cases whose next action and next milestone fall in every group, with ties and
 * missing dates, set with SQL (both backends) after the referrals are accepted. */
static void order_is_the_database_order(void **state) {
    jf *f = *state;
    static const char *const names[] = {"Ann", "Bob", "Cat", "Dan", "Eve", "Fay", "Gus",
                                        "Hal", "Ivy", "Jon", "Kim", "Lou", "Max", "Ned"};
    enum { N = sizeof names / sizeof names[0] };
    int64_t ids[N];
    for (int i = 0; i < N; i++)
        ids[i] = jf_accept(f, jf_refer(f, JF_GP, names[i], NULL, 1));
    char today[16], sql[600];
    jf_today(f, today);
    int64_t now = clock_now(&f->s->app.clock);
    /* next_action_due, next milestone due (ms, 0: none), opened_at (ms). */
    const struct {
        const char *due;
        int64_t ms_due, opened;
    } set[N] = {
        {NULL, now - 3 * JF_DAY, 5000}, /* overdue milestone, no action: NULL due in group 0 */
        {"2020-01-02", 0, 7000},        /* overdue action */
        {"2020-01-02", 0, 6000},        /* same due, opened earlier */
        {"2020-01-02", 0, 6000},        /* same due and opened: by id */
        {"2999-01-01", now - 5 * JF_DAY, 1000}, /* future action, overdue milestone */
        {NULL, 0, 1000},                        /* nothing planned: last */
        {NULL, now + 10 * JF_DAY, 2000},        /* nothing overdue, no action */
        {today, 0, 3000},                       /* due today: not overdue */
        {"2999-01-01", now + 2 * JF_DAY, 3000}, /* future */
        {"2998-12-31", 0, 9000},                /* sooner future */
        {NULL, now - 1 * JF_DAY, 100},          /* overdue milestone, no action */
        {"2019-12-31", now - 1 * JF_DAY, 8000}, /* both overdue */
        {"2999-01-01", now + 2 * JF_DAY, 3000}, /* tie with the ninth: by id */
        {"2020-01-02", now + 1 * JF_DAY, 400}}; /* overdue action, later milestone */
    for (int i = 0; i < N; i++) {
        char due[32], ms[160];
        snprintf(due, sizeof due, set[i].due ? "'%s'" : "NULL", set[i].due);
        if (set[i].ms_due)
            snprintf(ms, sizeof ms, "next_ms_id = 1, next_ms_title = 'Review', next_ms_due = %lld",
                     (long long)set[i].ms_due);
        else
            snprintf(ms, sizeof ms, "next_ms_id = NULL, next_ms_title = NULL, next_ms_due = NULL");
        snprintf(sql, sizeof sql,
                 "UPDATE cases SET next_action_due = %s, %s, opened_at = %lld WHERE id = %lld", due,
                 ms, (long long)set[i].opened, (long long)ids[i]);
        jf_sql(f, sql);
    }
    /* The link worker's own caseload, whole and in pages of every size (the service
     * shares new cases among its workers: at least 2 are theirs). */
    for (int per = 1; per <= N + 1; per++)
        worker_list_agrees(f, per, 2);
    /* The whole service's list, and all of a worker's cases with the closed ones
     * (both counted first on SQLite). */
    service_list_agrees(f, 5);
    char where[160];
    snprintf(sql, sizeof sql,
             "UPDATE cases SET status = 'closed', closed_at = 1 WHERE id IN (%lld, %lld)",
             (long long)ids[1], (long long)ids[2]);
    jf_sql(f, sql);
    snprintf(where, sizeof where, "c.assignee_id = %lld AND c.organisation_id = %lld",
             (long long)f->user[JF_LW], (long long)f->lws);
    long long all = th_sql_countf(f->s, "SELECT count(*) FROM cases WHERE assignee_id = %lld",
                                  (long long)f->user[JF_LW]);
    assert_same_order(api_order(f, JF_LW, "assignee=me&status=all", 4, all),
                      expected_order(f, where), "a worker's cases, closed ones too");
}

/* A caseload longer than the store sorts itself (1,100 cases, bulk-loaded with
 * SQL): the database sorts it, with the same order and total. */
static void long_caseload_sorted_by_the_database(void **state) {
    jf *f = *state;
    jf_sql(f, "INSERT INTO people (reference, given_name, family_name, date_of_birth, match_key, "
              "created_at, updated_at) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
              "FROM n WHERE i < 1100) SELECT 'BULK-' || i, 'Bulk', 'Person', '1980-01-01', "
              "'bulk|' || i, 0, 0 FROM n");
    char sql[900];
    snprintf(sql, sizeof sql,
             "INSERT INTO referrals (reference, person_id, source, to_organisation_id, reasons, "
             "urgency, consent_share, status, status_at, created_at) SELECT 'R' || p.reference, "
             "p.id, 'referrer', %lld, 'isolation', 'routine', 1, 'accepted', 0, 0 FROM people p "
             "WHERE p.reference LIKE 'BULK-%%'",
             (long long)f->lws);
    jf_sql(f, sql);
    int64_t now = clock_now(&f->s->app.clock);
    snprintf(sql, sizeof sql,
             "INSERT INTO cases (referral_id, person_id, organisation_id, assignee_id, status, "
             "opened_at, updated_at, next_action_due, next_ms_id, next_ms_title, next_ms_due) "
             "SELECT r.id, r.person_id, %lld, %lld, 'open', (r.id %% 7) * 1000, 0, CASE WHEN "
             "r.id %% 5 = 0 THEN NULL ELSE '2020-01-0' || (r.id %% 9 + 1) END, 1, 'Review', "
             "CASE WHEN r.id %% 3 = 0 THEN %lld ELSE %lld END FROM referrals r "
             "WHERE r.reference LIKE 'RBULK-%%'",
             (long long)f->lws, (long long)f->user[JF_LW], (long long)(now - 2 * JF_DAY),
             (long long)(now + 2 * JF_DAY));
    jf_sql(f, sql);
    worker_list_agrees(f, 100, 1100);
    service_list_agrees(f, 100);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(order_is_the_database_order, setup, teardown),
        cmocka_unit_test_setup_teardown(long_caseload_sorted_by_the_database, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
