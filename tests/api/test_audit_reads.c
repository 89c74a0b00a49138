/*
 * Reads' audit rows on SQLite (store/audit_reads.c, api/audit_reads.c): durably
 * committed beside the database before the answer, then moved into audit_log
 * exactly once, also after a move that stopped half way or a stop with rows
 * left. On PostgreSQL nothing is kept beside: the read is in audit_log at once.
 */
#include "journey_fixture.h"
#include "store/db.h"

static int setup(void **state) {
    *state = jf_start();
    return 0;
}

static int teardown(void **state) {
    jf_stop(*state);
    return 0;
}

/* The link worker's caseload reads, audited as case.list. */
static long long case_lists(jf *f) {
    return th_sql_countf(f->s,
                         "SELECT count(*) FROM audit_log WHERE action = 'case.list' AND "
                         "user_id = %lld AND role = 'link_worker' AND outcome = 'ok'",
                         (long long)f->user[JF_LW]);
}

static void read_caseload(jf *f) {
    th_resp *r = jf_call(f, JF_LW, "GET", "/api/v1/cases?assignee=me", NULL);
    jf_expect(r, 200, "caseload");
    th_resp_free(r);
}

/* Rows waiting beside the database. */
static long long beside(lw_store *reads) {
    lw_db *db = NULL;
    lw_error err;
    lw_arena *a = arena_new();
    db_result r;
    assert_int_equal(store_acquire(reads, &db, &err), LW_OK);
    assert_int_equal(db_query(db, a, "SELECT count(*) FROM audit_log", NULL, 0, &r, &err), LW_OK);
    long long n = db_int(&r, 0, 0);
    store_release(reads, db);
    arena_free(a);
    return n;
}

/* Started with an interval of an hour, so that the test decides when rows move. */
static int start_mover(jf *f) {
    lw_error err;
    assert_int_equal(api_reads_start(&f->s->app, 3600 * 1000, &err), LW_OK);
    if (f->s->app.reads)
        return 1;
    assert_string_equal(store_backend(f->s->store), "postgres");
    return 0;
}

static void reads_are_moved_once(void **state) {
    jf *f = *state;
    int sqlite = start_mover(f);
    long long before = case_lists(f);
    read_caseload(f);
    if (!sqlite) {
        assert_int_equal(case_lists(f), before + 1);
        return;
    }
    /* Answered only after its row was committed beside the database. */
    assert_int_equal(beside(f->s->app.reads), 1);
    assert_int_equal(case_lists(f), before);
    lw_error err;
    assert_int_equal(api_reads_flush(&f->s->app, &err), LW_OK);
    assert_int_equal(case_lists(f), before + 1);
    assert_int_equal(beside(f->s->app.reads), 0);
    /* Again: nothing more. */
    assert_int_equal(api_reads_flush(&f->s->app, &err), LW_OK);
    assert_int_equal(case_lists(f), before + 1);
    /* Stopping moves what is left. */
    read_caseload(f);
    read_caseload(f);
    api_reads_stop(&f->s->app);
    assert_int_equal(case_lists(f), before + 3);
}

/* A move that committed in the main file but stopped before deleting here (a
 * crash): the rows it moved are not moved again, the later ones are. */
static void a_half_done_move_is_not_repeated(void **state) {
    jf *f = *state;
    if (!start_mover(f))
        return;
    lw_error err;
    read_caseload(f);
    assert_int_equal(api_reads_flush(&f->s->app, &err), LW_OK);
    long long before = case_lists(f);
    read_caseload(f);
    read_caseload(f);
    read_caseload(f);
    assert_int_equal(beside(f->s->app.reads), 3);
    /* As if the first two had been moved and the process had died there. */
    char msg[256];
    assert_int_equal(
        th_sql_exec(f->s, "UPDATE audit_reads_moved SET last_id = last_id + 2", msg, sizeof msg),
        0);
    assert_int_equal(api_reads_flush(&f->s->app, &err), LW_OK);
    assert_int_equal(case_lists(f), before + 1);
    assert_int_equal(beside(f->s->app.reads), 0);
}

/* Rows an earlier run left beside the database are moved when the next starts. */
static void leftovers_are_moved_at_start(void **state) {
    jf *f = *state;
    lw_store *reads = NULL;
    lw_error err;
    assert_int_equal(store_reads_open(f->s->store, 1, &reads, &err), LW_OK);
    if (!reads) {
        assert_string_equal(store_backend(f->s->store), "postgres");
        return;
    }
    lw_db *db = NULL;
    assert_int_equal(store_acquire(reads, &db, &err), LW_OK);
    lw_audit_entry e = {.at = 1700000000000,
                        .user_id = f->user[JF_LW],
                        .role = "link_worker",
                        .org_id = 0,
                        .action = "case.list",
                        .resource_type = "case",
                        .resource_id = NULL,
                        .remote_addr = "192.0.2.7",
                        .outcome = "ok"};
    assert_int_equal(store_audit_insert(db, &e, &err), LW_OK);
    store_release(reads, db);
    store_close(reads);
    long long before = case_lists(f);
    assert_int_equal(start_mover(f), 1);
    assert_int_equal(case_lists(f), before + 1);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM audit_log WHERE remote_addr = '192.0.2.7' "
                                   "AND at = 1700000000000"),
                     1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reads_are_moved_once, setup, teardown),
        cmocka_unit_test_setup_teardown(a_half_done_move_is_not_repeated, setup, teardown),
        cmocka_unit_test_setup_teardown(leftovers_are_moved_at_start, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
