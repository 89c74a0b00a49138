/*
 * The store contract for people, referrals, cases, prescriptions, funds and
 * the feedback outbox (store/referrals.h): what every backend must do. As in
 * test_store.c, only the table `backends` knows which database it is; the
 * rest uses store.h (and db_exec for directory rows, which another feature
 * owns), so the same tests run on SQLite and on PostgreSQL
 * (LINKWELL_TEST_POSTGRES; ctest runs that as pg.store_referrals).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <unistd.h>

#include "domain/people.h"
#include "store/db.h"
#include "store/store.h"

/* ---- the backends under test ---- */

#include "store_backends.h"

static const test_backend *backend;

/* ---- fixtures ---- */

#define T0 1795253400000LL /* 2026-11-21T09:30:00Z */
#define DAY (24LL * 3600 * 1000)

typedef struct fixture {
    char *url;
    lw_store *s;
    lw_db *db;
    lw_arena *a;
    int64_t gp, lws, lws2, vcse;    /* organisations */
    int64_t gp_user, lw1, lw2, lw3; /* users */
} fixture;

#define OK(call)                                                                                   \
    do {                                                                                           \
        lw_error ok_err_ = {0};                                                                    \
        lw_error *err = &ok_err_;                                                                  \
        lw_status ok_st_ = (call);                                                                 \
        if (ok_st_ != LW_OK)                                                                       \
            fail_msg("%s: status %d: %s", #call, ok_st_, ok_err_.msg);                             \
    } while (0)

/* Asserts CALL fails with STATUS; the error is in E. */
#define FAILS(status, call)                                                                        \
    do {                                                                                           \
        lw_error *err = &e;                                                                        \
        memset(&e, 0, sizeof e);                                                                   \
        lw_status fails_st_ = (call);                                                              \
        if (fails_st_ != (status))                                                                 \
            fail_msg("%s: expected status %d, got %d (%s)", #call, (status), fails_st_, e.msg);    \
    } while (0)

static int64_t add_org(lw_db *db, const char *name, const char *kind) {
    int64_t id = 0;
    OK(store_org_insert(db, name, kind, T0, &id, err));
    return id;
}

static int64_t add_user(lw_db *db, int64_t org, const char *email, const char *role) {
    int64_t id = 0;
    OK(store_user_insert(db, org, email, "Test User", role, "$argon2id$fake", T0, &id, err));
    return id;
}

static void add_service(lw_db *db, const char *id, int64_t managed_by) {
    char buf[64];
    snprintf(buf, sizeof buf, "dir-%s", id);
    const char *dir = buf;
    db_val o[] = {DB_S(dir), DB_S("Riverside Gardens CIC"), DB_ID(managed_by), DB_I(T0)};
    OK(db_exec(db,
               "INSERT INTO directory_organizations (id, name, organisation_id, modified_at) "
               "VALUES ($1, $2, $3, $4)",
               o, 4, NULL, err));
    db_val sv[] = {DB_S(id), DB_S(dir), DB_S("Green Gym"), DB_I(T0)};
    OK(db_exec(db,
               "INSERT INTO services (id, organization_id, name, capacity, capacity_status, "
               "modified_at) VALUES ($1, $2, $3, 2, 'capacity', $4)",
               sv, 4, NULL, err));
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->url = backend->new_url();
    lw_error e = {0};
    lw_store_options opt = {.create = 1, .pool_size = 6};
    int from, to;
    if (store_open(f->url, &opt, &f->s, &e) != LW_OK ||
        store_migrate(f->s, T0, &from, &to, &e) != LW_OK ||
        store_acquire(f->s, &f->db, &e) != LW_OK) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    f->a = arena_new();
    f->gp = add_org(f->db, "Riverside Medical Practice", "gp_practice");
    f->lws = add_org(f->db, "Riverside PCN Social Prescribing", "link_worker_service");
    f->lws2 = add_org(f->db, "Hillside Social Prescribing", "link_worker_service");
    f->vcse = add_org(f->db, "Riverside Community Gardens", "vcse");
    f->gp_user = add_user(f->db, f->gp, "gp@example.org", "referrer");
    f->lw1 = add_user(f->db, f->lws, "lw1@example.org", "link_worker");
    f->lw2 = add_user(f->db, f->lws, "lw2@example.org", "peer_worker");
    f->lw3 = add_user(f->db, f->lws2, "lw3@example.org", "link_worker");
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    arena_free(f->a);
    store_release(f->s, f->db);
    store_close(f->s);
    backend->drop(f->url);
    free(f->url);
    free(f);
    return 0;
}

/* A person with the given NHS number (may be NULL) and key parts. */
static int64_t add_person(fixture *f, const char *ref, const char *nhs, const char *given,
                          const char *family, const char *dob) {
    char key[200];
    person_match_key(given, family, dob, key, sizeof key);
    lw_person p = {.reference = ref,
                   .nhs_number = nhs,
                   .given_name = given,
                   .family_name = family,
                   .date_of_birth = dob,
                   .match_key = key,
                   .postcode = "LS1 4AP"};
    int64_t id = 0;
    OK(store_person_insert(f->db, &p, T0, &id, err));
    assert_true(id > 0);
    return id;
}

static int64_t add_referral(fixture *f, const char *ref, int64_t person, int64_t to, int64_t at) {
    lw_referral r = {.reference = ref,
                     .person_id = person,
                     .source = "referrer",
                     .from_org_id = f->gp,
                     .referrer_id = f->gp_user,
                     .to_org_id = to,
                     .reasons = "isolation,mood",
                     .urgency = "routine",
                     .consent_share = 1,
                     .consent_given_on = "2026-11-20"};
    int64_t id = 0;
    OK(store_referral_insert(f->db, &r, at, &id, err));
    return id;
}

/* ---- people ---- */

static void test_person_round_trip(void **state) {
    fixture *f = *state;
    lw_error e;
    int64_t id = add_person(f, "P-AAAA1111", "9434765919", "Mary", "Smith", "1950-06-01");
    lw_person p;
    OK(store_person_get(f->db, f->a, id, &p, err));
    assert_string_equal(p.reference, "P-AAAA1111");
    assert_string_equal(p.nhs_number, "9434765919");
    assert_string_equal(p.given_name, "Mary");
    assert_string_equal(p.date_of_birth, "1950-06-01");
    assert_string_equal(p.match_key, "mary|smith|1950-06-01");
    assert_string_equal(p.postcode, "LS1 4AP");
    assert_null(p.phone);
    assert_int_equal(p.created_at, T0);
    /* One NHS number, one person. */
    lw_person dup = {.reference = "P-BBBB2222",
                     .nhs_number = "9434765919",
                     .given_name = "M",
                     .family_name = "S",
                     .date_of_birth = "1950-06-01",
                     .match_key = "m|s|1950-06-01"};
    int64_t other = 0;
    FAILS(LW_ECONFLICT, store_person_insert(f->db, &dup, T0, &other, err));
    assert_string_equal(e.field, "nhs_number");
    /* People without an NHS number do not collide. */
    add_person(f, "P-CCCC3333", NULL, "Ann", "Jones", "1960-01-01");
    add_person(f, "P-DDDD4444", NULL, "Ann", "Jones", "1961-01-01");
    FAILS(LW_ENOTFOUND, store_person_get(f->db, f->a, 99999, &p, err));
    /* Update changes only what is given. */
    lw_person ch = {.phone = "07700 900123", .preferences = "{\"setting\":\"group\"}"};
    OK(store_person_update(f->db, id, &ch, T0 + 5, err));
    OK(store_person_get(f->db, f->a, id, &p, err));
    assert_string_equal(p.phone, "07700 900123");
    assert_string_equal(p.given_name, "Mary");
    assert_string_equal(p.preferences, "{\"setting\":\"group\"}");
    assert_int_equal(p.updated_at, T0 + 5);
    FAILS(LW_ENOTFOUND, store_person_update(f->db, 99999, &ch, T0, err));
}

static void test_person_candidates(void **state) {
    fixture *f = *state;
    int64_t a = add_person(f, "P-A", "9434765919", "Mary", "Smith", "1950-06-01");
    int64_t b = add_person(f, "P-B", NULL, "Mary", "Smith", "1950-06-01");
    add_person(f, "P-C", NULL, "Mary", "Smith", "1950-06-02");
    lw_person_candidate *c = NULL;
    int n = 0;
    OK(store_person_candidates(f->db, f->a, "9434765919", "mary|smith|1950-06-01", &c, &n, err));
    assert_int_equal(n, 2);
    assert_int_equal(c[0].id, a);
    assert_int_equal(c[1].id, b);
    OK(store_person_candidates(f->db, f->a, NULL, "mary|smith|1950-06-02", &c, &n, err));
    assert_int_equal(n, 1);
    OK(store_person_candidates(f->db, f->a, "4010232137", "nobody|here|2000-01-01", &c, &n, err));
    assert_int_equal(n, 0);
    /* A merged record is no longer a candidate. */
    OK(store_person_merge(f->db, b, a, T0 + 1, err));
    OK(store_person_candidates(f->db, f->a, NULL, "mary|smith|1950-06-01", &c, &n, err));
    assert_int_equal(n, 1);
    assert_int_equal(c[0].id, a);
}

static void test_person_facts_and_list(void **state) {
    fixture *f = *state;
    int64_t mary = add_person(f, "P-A", NULL, "Mary", "Smith", "1950-06-01");
    int64_t john = add_person(f, "P-B", NULL, "John", "Smithers", "1970-01-01");
    add_person(f, "P-C", NULL, "Zed", "Other", "1980-01-01");
    add_referral(f, "R-1", mary, f->lws, T0);
    add_referral(f, "R-2", john, f->lws2, T0);
    lw_person_links pf;
    OK(store_person_links(f->db, mary, f->lws, f->lw1, &pf, err));
    assert_true(pf.referred_to_org);
    assert_false(pf.direct_rx_by_user);
    OK(store_person_links(f->db, mary, f->lws2, f->lw3, &pf, err));
    assert_false(pf.referred_to_org);
    assert_false(pf.in_case_of_org);
    lw_person_filter fl = {.org_id = f->lws};
    lw_page pg = {1, 20};
    lw_person *list = NULL;
    int n = 0;
    int64_t total = 0;
    OK(store_person_list(f->db, f->a, &fl, pg, &list, &n, &total, err));
    assert_int_equal(total, 1);
    assert_int_equal(list[0].id, mary);
    lw_person_filter by_name = {.name = "smi"};
    OK(store_person_list(f->db, f->a, &by_name, pg, &list, &n, &total, err));
    assert_int_equal(total, 2);
    lw_person_filter all = {0};
    lw_page one = {2, 1};
    OK(store_person_list(f->db, f->a, &all, one, &list, &n, &total, err));
    assert_int_equal(total, 3);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].family_name, "Smith"); /* Other, Smith, Smithers */
}

/* ---- referrals ---- */

static void test_referral_round_trip(void **state) {
    fixture *f = *state;
    lw_error e;
    int64_t p = add_person(f, "P-A", NULL, "Mary", "Smith", "1950-06-01");
    int64_t id = add_referral(f, "R-XYZ", p, f->lws, T0);
    lw_referral r;
    OK(store_referral_get(f->db, f->a, id, &r, err));
    assert_string_equal(r.reference, "R-XYZ");
    assert_string_equal(r.status, "received");
    assert_int_equal(r.status_at, T0);
    assert_int_equal(r.from_org_id, f->gp);
    assert_string_equal(r.from_org_name, "Riverside Medical Practice");
    assert_string_equal(r.to_org_name, "Riverside PCN Social Prescribing");
    assert_string_equal(r.reasons, "isolation,mood");
    assert_int_equal(r.consent_share, 1);
    assert_string_equal(r.person_given_name, "Mary");
    assert_int_equal(r.case_id, 0);
    assert_int_equal(r.possible_duplicate_of, 0);
    /* Compare-and-set: the second of two racing changes loses. */
    OK(store_referral_set_status(f->db, id, "received", "accepted", NULL, NULL, f->lw1, T0 + 9,
                                 err));
    FAILS(LW_ECONFLICT, store_referral_set_status(f->db, id, "received", "declined", "duplicate",
                                                  NULL, f->lw1, T0 + 10, err));
    assert_string_equal(e.field, "status");
    OK(store_referral_get(f->db, f->a, id, &r, err));
    assert_string_equal(r.status, "accepted");
    assert_int_equal(r.status_by, f->lw1);
    assert_int_equal(r.status_at, T0 + 9);
    FAILS(LW_ENOTFOUND, store_referral_get(f->db, f->a, id + 100, &r, err));
}

static void test_referral_list_filters(void **state) {
    fixture *f = *state;
    int64_t p = add_person(f, "P-A", NULL, "Mary", "Smith", "1950-06-01");
    int64_t old = add_referral(f, "R-1", p, f->lws, T0 - 10 * DAY);
    int64_t mid = add_referral(f, "R-2", p, f->lws, T0 - 6 * DAY);
    int64_t fresh = add_referral(f, "R-3", p, f->lws, T0 - DAY);
    add_referral(f, "R-4", p, f->lws2, T0 - 20 * DAY);
    OK(store_referral_set_status(f->db, mid, "received", "accepted", NULL, NULL, f->lw1, T0, err));
    lw_page pg = {1, 20};
    lw_referral *list;
    int n;
    int64_t total;
    lw_referral_filter to = {.to_org_id = f->lws};
    OK(store_referral_list(f->db, f->a, &to, pg, &list, &n, &total, err));
    assert_int_equal(total, 3);
    assert_int_equal(list[0].id, fresh); /* newest first */
    /* Overdue: received and waiting since before the cut-off, oldest first. */
    lw_referral_filter overdue = {.to_org_id = f->lws, .received_before = T0 - 5 * DAY};
    OK(store_referral_list(f->db, f->a, &overdue, pg, &list, &n, &total, err));
    assert_int_equal(total, 1);
    assert_int_equal(list[0].id, old);
    lw_referral_filter from = {.from_org_id = f->gp, .status = "received"};
    OK(store_referral_list(f->db, f->a, &from, pg, &list, &n, &total, err));
    assert_int_equal(total, 3);
    lw_referral_filter none = {.from_org_id = f->vcse};
    OK(store_referral_list(f->db, f->a, &none, pg, &list, &n, &total, err));
    assert_int_equal(total, 0);
}

static void test_referral_auto_close(void **state) {
    fixture *f = *state;
    int64_t p = add_person(f, "P-A", NULL, "Mary", "Smith", "1950-06-01");
    int64_t old1 = add_referral(f, "R-1", p, f->lws, T0 - 15 * DAY);
    int64_t old2 = add_referral(f, "R-2", p, f->lws2, T0 - 14 * DAY);
    int64_t answered = add_referral(f, "R-3", p, f->lws, T0 - 30 * DAY);
    int64_t young = add_referral(f, "R-4", p, f->lws, T0 - 13 * DAY);
    OK(store_referral_set_status(f->db, answered, "received", "accepted", NULL, NULL, f->lw1, T0,
                                 err));
    lw_claimed_referral *c;
    int n;
    OK(store_referral_auto_close(f->db, f->a, T0 - 14 * DAY, T0, 1, &c, &n, err));
    assert_int_equal(n, 1); /* the limit holds */
    assert_int_equal(c[0].id, old1);
    assert_int_equal(c[0].from_org_id, f->gp);
    OK(store_referral_auto_close(f->db, f->a, T0 - 14 * DAY, T0, 100, &c, &n, err));
    assert_int_equal(n, 1);
    assert_int_equal(c[0].id, old2);
    OK(store_referral_auto_close(f->db, f->a, T0 - 14 * DAY, T0, 100, &c, &n, err));
    assert_int_equal(n, 0); /* nothing is claimed twice */
    lw_referral r;
    OK(store_referral_get(f->db, f->a, old1, &r, err));
    assert_string_equal(r.status, "declined");
    assert_string_equal(r.status_reason, "no_response");
    assert_int_equal(r.status_by, 0);
    OK(store_referral_get(f->db, f->a, young, &r, err));
    assert_string_equal(r.status, "received");
    OK(store_referral_get(f->db, f->a, answered, &r, err));
    assert_string_equal(r.status, "accepted");
}

/* Several connections claim at once: every due referral is claimed exactly once. */
enum { CLAIMERS = 4, DUE = 60 };

typedef struct claimer {
    lw_store *s;
    int claimed;
    int64_t ids[DUE];
    char msg[600];
} claimer;

static void *claim_run(void *arg) {
    claimer *c = arg;
    lw_error e = {0};
    lw_arena *a = arena_new();
    for (int round = 0; round < 40; round++) {
        lw_db *db = NULL;
        if (store_acquire(c->s, &db, &e) != LW_OK)
            break;
        lw_claimed_referral *got = NULL;
        int n = 0;
        lw_status st = store_begin(db, &e);
        if (st == LW_OK)
            st = store_referral_auto_close(db, a, T0 - 14 * DAY, T0, 3, &got, &n, &e);
        if (st == LW_OK)
            st = store_commit(db, &e);
        if (st != LW_OK) {
            store_rollback(db);
            n = 0;
            if (st != LW_EUNAVAILABLE)
                snprintf(c->msg, sizeof c->msg, "%s", e.msg);
        }
        for (int i = 0; i < n && c->claimed < DUE; i++)
            c->ids[c->claimed++] = got[i].id;
        store_release(c->s, db);
    }
    arena_free(a);
    return NULL;
}

static void test_auto_close_exactly_once(void **state) {
    fixture *f = *state;
    int64_t p = add_person(f, "P-A", NULL, "Mary", "Smith", "1950-06-01");
    for (int i = 0; i < DUE; i++) {
        char ref[16];
        snprintf(ref, sizeof ref, "R-%d", i);
        add_referral(f, ref, p, f->lws, T0 - 20 * DAY + i);
    }
    lw_store *s = NULL;
    lw_store_options opt = {.pool_size = CLAIMERS};
    OK(store_open(f->url, &opt, &s, err));
    claimer cl[CLAIMERS];
    pthread_t th[CLAIMERS];
    memset(cl, 0, sizeof cl);
    for (int i = 0; i < CLAIMERS; i++) {
        cl[i].s = s;
        pthread_create(&th[i], NULL, claim_run, &cl[i]);
    }
    for (int i = 0; i < CLAIMERS; i++)
        pthread_join(th[i], NULL);
    store_close(s);
    int seen[DUE + 1];
    memset(seen, 0, sizeof seen);
    int total = 0;
    for (int i = 0; i < CLAIMERS; i++) {
        if (cl[i].msg[0])
            fail_msg("claimer %d: %s", i, cl[i].msg);
        for (int k = 0; k < cl[i].claimed; k++) {
            int64_t id = cl[i].ids[k];
            assert_true(id >= 1 && id <= DUE);
            seen[id]++;
            total++;
        }
    }
    assert_int_equal(total, DUE);
    for (int i = 1; i <= DUE; i++)
        if (seen[i] != 1)
            fail_msg("referral %d claimed %d times", i, seen[i]);
}

static void test_feedback_and_throttle(void **state) {
    fixture *f = *state;
    int64_t p = add_person(f, "P-A", NULL, "Mary", "Smith", "1950-06-01");
    int64_t r = add_referral(f, "R-1", p, f->lws, T0);
    lw_feedback fb = {.referral_id = r,
                      .recipient_org_id = f->gp,
                      .event = "accepted",
                      .at = T0 + 2,
                      .snomed = "871731000000106",
                      .text = "Accepted"};
    OK(store_feedback_insert(f->db, &fb, err));
    fb.event = "declined";
    fb.at = T0 + 1;
    fb.snomed = "871711000000103";
    OK(store_feedback_insert(f->db, &fb, err));
    lw_feedback *list;
    int n;
    OK(store_feedback_list(f->db, f->a, r, 0, &list, &n, err));
    assert_int_equal(n, 2);
    assert_string_equal(list[0].event, "declined"); /* oldest first */
    assert_string_equal(list[1].snomed, "871731000000106");
    assert_int_equal(list[1].delivered_at, 0);
    OK(store_feedback_list(f->db, f->a, r + 1, 0, &list, &n, err));
    assert_int_equal(n, 0);

    int count = 0;
    int64_t oldest = 0, aid = 0;
    OK(store_selfref_attempt_add(f->db, "address:10.0.0.1", T0, NULL, err));
    OK(store_selfref_attempt_add(f->db, "address:10.0.0.1", T0 + 5, &aid, err));
    OK(store_selfref_attempt_add(f->db, "address:10.0.0.2", T0 + 5, NULL, err));
    OK(store_selfref_attempts(f->db, "address:10.0.0.1", T0, &count, &oldest, err));
    assert_int_equal(count, 2);
    assert_int_equal(oldest, T0);
    OK(store_selfref_attempts(f->db, "address:10.0.0.1", T0 + 1, &count, &oldest, err));
    assert_int_equal(count, 1);
    OK(store_selfref_attempt_delete(f->db, aid, err));
    OK(store_selfref_attempts(f->db, "address:10.0.0.1", T0, &count, &oldest, err));
    assert_int_equal(count, 1);
    OK(store_selfref_attempt_add(f->db, "address:10.0.0.1", T0 + 5, NULL, err));
    OK(store_selfref_attempts_purge(f->db, T0 + 1, err));
    OK(store_selfref_attempts(f->db, "address:10.0.0.1", 0, &count, &oldest, err));
    assert_int_equal(count, 1);
}

/* ---- cases ---- */

static int64_t open_case(fixture *f, const char *ref, int64_t assignee) {
    int64_t p = add_person(f, ref, NULL, ref, "Smith", "1950-06-01");
    int64_t r = add_referral(f, ref, p, f->lws, T0);
    int64_t id = 0;
    OK(store_case_insert(f->db, r, p, f->lws, assignee, T0, &id, err));
    return id;
}

static void test_case_round_trip(void **state) {
    fixture *f = *state;
    lw_error e;
    int64_t id = open_case(f, "P-1", f->lw1);
    lw_case c;
    OK(store_case_get(f->db, f->a, id, &c, err));
    assert_string_equal(c.status, "open");
    assert_int_equal(c.assignee_id, f->lw1);
    assert_int_equal(c.org_id, f->lws);
    assert_null(c.support_level);
    assert_null(c.next_action_due);
    assert_string_equal(c.person_reference, "P-1");
    /* One case per referral. */
    int64_t again = 0;
    FAILS(LW_ECONFLICT,
          store_case_insert(f->db, c.referral_id, c.person_id, f->lws, f->lw1, T0, &again, err));
    lw_referral r;
    OK(store_referral_get(f->db, f->a, c.referral_id, &r, err));
    assert_int_equal(r.case_id, id);
    OK(store_case_update(f->db, id, "light", "Getting out to the allotment again", 0, T0 + 1, err));
    OK(store_case_update(f->db, id, NULL, NULL, f->lw2, T0 + 2, err));
    OK(store_case_get(f->db, f->a, id, &c, err));
    assert_string_equal(c.support_level, "light");
    assert_string_equal(c.what_matters, "Getting out to the allotment again");
    assert_int_equal(c.assignee_id, f->lw2);
    OK(store_case_close(f->db, id, "goals_met", "Back at the allotment", T0 + 3, err));
    FAILS(LW_ECONFLICT, store_case_close(f->db, id, "other", NULL, T0 + 4, err));
    OK(store_case_get(f->db, f->a, id, &c, err));
    assert_string_equal(c.status, "closed");
    assert_string_equal(c.outcome, "goals_met");
    assert_int_equal(c.closed_at, T0 + 3);
    FAILS(LW_ENOTFOUND, store_case_get(f->db, f->a, id + 50, &c, err));
}

static void test_case_plan(void **state) {
    fixture *f = *state;
    lw_error e;
    int64_t id = open_case(f, "P-1", f->lw1);
    lw_contact ct = {.case_id = id,
                     .at = T0 + DAY,
                     .mode = "phone",
                     .minutes = 20,
                     .note = "First call",
                     .by_user_id = f->lw1,
                     .created_at = T0 + DAY};
    int64_t cid;
    OK(store_contact_insert(f->db, &ct, &cid, err));
    ct.at = T0; /* an earlier contact recorded later does not move last contact back */
    ct.mode = "home_visit";
    OK(store_contact_insert(f->db, &ct, &cid, err));
    lw_case c;
    OK(store_case_get(f->db, f->a, id, &c, err));
    assert_int_equal(c.last_contact_at, T0 + DAY);
    lw_contact *cs;
    int n;
    OK(store_contact_list(f->db, f->a, id, &cs, &n, err));
    assert_int_equal(n, 2);
    assert_string_equal(cs[0].mode, "phone"); /* newest first */

    lw_need needs[] = {{"isolation", 9}, {"debt", 4}};
    OK(store_case_needs_set(f->db, id, needs, 2, err));
    lw_need one[] = {{"mood", 7}};
    OK(store_case_needs_set(f->db, id, one, 1, err));
    lw_need *got;
    OK(store_case_needs(f->db, f->a, id, &got, &n, err));
    assert_int_equal(n, 1);
    assert_string_equal(got[0].domain, "mood");
    lw_need twice[] = {{"mood", 7}, {"mood", 3}};
    FAILS(LW_EINVAL, store_case_needs_set(f->db, id, twice, 2, err));
    assert_string_equal(e.field, "needs");

    lw_goal g = {.case_id = id,
                 .text = "Join a walking group",
                 .domain = "physical_activity",
                 .target_date = "2027-01-31",
                 .status = "active"};
    int64_t gid;
    OK(store_goal_insert(f->db, &g, T0, &gid, err));
    OK(store_goal_update(f->db, id, gid, NULL, "achieved", NULL, T0 + 1, err));
    FAILS(LW_ENOTFOUND, store_goal_update(f->db, id + 1, gid, NULL, "dropped", NULL, T0, err));
    lw_goal *gs;
    OK(store_goal_list(f->db, f->a, id, &gs, &n, err));
    assert_int_equal(n, 1);
    assert_string_equal(gs[0].status, "achieved");
    assert_string_equal(gs[0].target_date, "2027-01-31");

    /* The action plan keeps the case's next action due. */
    lw_action x = {.case_id = id,
                   .goal_id = gid,
                   .who = "person",
                   .what = "Ring the group",
                   .due = "2026-12-05"};
    int64_t a1, a2;
    OK(store_action_insert(f->db, &x, T0, &a1, err));
    x.due = "2026-11-28";
    x.goal_id = 0;
    x.who = "link worker";
    OK(store_action_insert(f->db, &x, T0, &a2, err));
    OK(store_case_get(f->db, f->a, id, &c, err));
    assert_string_equal(c.next_action_due, "2026-11-28");
    OK(store_action_update(f->db, id, a2, NULL, NULL, NULL, 1, T0 + 5, err));
    OK(store_case_get(f->db, f->a, id, &c, err));
    assert_string_equal(c.next_action_due, "2026-12-05");
    OK(store_action_update(f->db, id, a1, NULL, NULL, NULL, 1, T0 + 6, err));
    OK(store_case_get(f->db, f->a, id, &c, err));
    assert_null(c.next_action_due);
    OK(store_action_update(f->db, id, a1, NULL, NULL, "2026-12-24", 0, T0 + 7, err));
    OK(store_case_get(f->db, f->a, id, &c, err));
    assert_string_equal(c.next_action_due, "2026-12-24");
    lw_action *xs;
    OK(store_action_list(f->db, f->a, id, &xs, &n, err));
    assert_int_equal(n, 2);
    assert_int_equal(xs[0].id, a2);
    assert_int_equal(xs[0].done, 1);
    assert_int_equal(xs[0].done_at, T0 + 5);
    assert_int_equal(xs[1].done, 0);
    assert_int_equal(xs[1].done_at, 0);
    assert_int_equal(xs[1].goal_id, gid);
    FAILS(LW_ENOTFOUND, store_action_update(f->db, id + 1, a1, NULL, NULL, NULL, 1, T0, err));
}

static void set_due(fixture *f, int64_t case_id, const char *due) {
    lw_action x = {.case_id = case_id, .who = "person", .what = "something", .due = due};
    int64_t id;
    OK(store_action_insert(f->db, &x, T0, &id, err));
}

static void test_caseload_order_and_loads(void **state) {
    fixture *f = *state;
    int64_t none = open_case(f, "P-none", f->lw1);
    int64_t later = open_case(f, "P-later", f->lw1);
    int64_t overdue = open_case(f, "P-overdue", f->lw1);
    int64_t soon = open_case(f, "P-soon", f->lw1);
    int64_t closed = open_case(f, "P-closed", f->lw1);
    open_case(f, "P-other", f->lw2);
    set_due(f, later, "2026-12-20");
    set_due(f, overdue, "2026-11-01");
    set_due(f, soon, "2026-11-25");
    OK(store_case_close(f->db, closed, "other", NULL, T0, err));
    lw_caseload_filter fl = {.assignee_id = f->lw1, .status = "open", .today = "2026-11-21"};
    lw_page pg = {1, 20};
    lw_case *cs;
    int n;
    int64_t total;
    OK(store_caseload(f->db, f->a, &fl, pg, &cs, &n, &total, err));
    assert_int_equal(total, 4);
    assert_int_equal(n, 4);
    assert_int_equal(cs[0].id, overdue);
    assert_int_equal(cs[1].id, soon);
    assert_int_equal(cs[2].id, later);
    assert_int_equal(cs[3].id, none);
    lw_caseload_filter org = {.org_id = f->lws, .today = "2026-11-21"};
    OK(store_caseload(f->db, f->a, &org, pg, &cs, &n, &total, err));
    assert_int_equal(total, 6);
    /* Fewest open cases first: lw2 has one, lw1 four; lw3 is another service's. */
    lw_worker_load *w;
    OK(store_worker_loads(f->db, f->a, f->lws, &w, &n, err));
    assert_int_equal(n, 2);
    assert_int_equal(w[0].user_id, f->lw2);
    assert_int_equal(w[0].open_cases, 1);
    assert_string_equal(w[0].role, "peer_worker");
    assert_int_equal(w[1].user_id, f->lw1);
    assert_int_equal(w[1].open_cases, 4);
    /* Deactivated workers are not offered. */
    OK(store_user_update(f->db, f->lw2, NULL, NULL, 0, T0, err));
    OK(store_worker_loads(f->db, f->a, f->lws, &w, &n, err));
    assert_int_equal(n, 1);
    assert_int_equal(w[0].user_id, f->lw1);
}

/* ---- prescriptions and funds ---- */

static int64_t add_rx(fixture *f, int64_t case_id, int64_t person, const char *kind,
                      const char *service) {
    lw_rx x = {.case_id = case_id,
               .person_id = person,
               .service_id = service,
               .kind = kind,
               .mode = case_id ? "link_worker" : "direct",
               .consent_share = 1,
               .prescriber_id = f->lw1,
               .sender_org_id = case_id ? f->lws : f->gp,
               .provider_org_id = f->vcse};
    int64_t id = 0;
    OK(store_rx_insert(f->db, &x, T0, &id, err));
    return id;
}

static void test_rx_round_trip(void **state) {
    fixture *f = *state;
    lw_error e;
    add_service(f->db, "svc-1", f->vcse);
    int64_t cid = open_case(f, "P-1", f->lw1);
    lw_case c;
    OK(store_case_get(f->db, f->a, cid, &c, err));
    int64_t id = add_rx(f, cid, c.person_id, "referral", "svc-1");
    lw_rx x;
    OK(store_rx_get(f->db, f->a, id, &x, err));
    assert_string_equal(x.status, "proposed");
    assert_string_equal(x.service_id, "svc-1");
    assert_int_equal(x.referral_id, c.referral_id);
    assert_int_equal(x.referral_from_org_id, f->gp);
    assert_int_equal(x.provider_org_id, f->vcse);
    assert_int_equal(x.started_at, 0);
    int64_t open = -1;
    OK(store_rx_open_count(f->db, "svc-1", &open, err));
    assert_int_equal(open, 0); /* proposed holds no place */
    OK(store_rx_set_status(f->db, id, "proposed", "sent", NULL, "known to the leader", 0, T0 + 1,
                           err));
    OK(store_rx_open_count(f->db, "svc-1", &open, err));
    assert_int_equal(open, 1);
    FAILS(LW_ECONFLICT,
          store_rx_set_status(f->db, id, "proposed", "sent", NULL, NULL, -1, T0 + 2, err));
    OK(store_rx_set_status(f->db, id, "sent", "accepted", NULL, NULL, -1, T0 + 3, err));
    OK(store_rx_get(f->db, f->a, id, &x, err));
    assert_string_equal(x.status, "accepted");
    assert_string_equal(x.override_reason, "known to the leader");
    assert_int_equal(x.provider_org_id, 0); /* refreshed at send: 0 meant none */
    OK(store_rx_set_status(f->db, id, "accepted", "accepted", NULL, NULL, f->vcse, T0 + 3, err));
    OK(store_rx_get(f->db, f->a, id, &x, err));
    assert_int_equal(x.provider_org_id, f->vcse);

    /* Attendance: one entry per date; first attendance marks take-up once. */
    lw_attendance at = {.prescription_id = id,
                        .date = "2026-11-25",
                        .attended = 1,
                        .by_user_id = f->lw1,
                        .created_at = T0};
    int64_t aid;
    OK(store_attendance_insert(f->db, &at, &aid, err));
    FAILS(LW_ECONFLICT, store_attendance_insert(f->db, &at, &aid, err));
    assert_string_equal(e.field, "date");
    at.date = "2026-11-18";
    at.attended = 0;
    OK(store_attendance_insert(f->db, &at, &aid, err));
    lw_attendance *list;
    int n;
    OK(store_attendance_list(f->db, f->a, id, &list, &n, err));
    assert_int_equal(n, 2);
    assert_string_equal(list[0].date, "2026-11-18");
    assert_int_equal(list[0].attended, 0);
    int64_t started = -1;
    OK(store_rx_started_count(f->db, cid, &started, err));
    assert_int_equal(started, 0);
    OK(store_rx_set_started(f->db, id, T0 + 10, err));
    OK(store_rx_set_started(f->db, id, T0 + 20, err));
    OK(store_rx_get(f->db, f->a, id, &x, err));
    assert_int_equal(x.started_at, T0 + 10);
    OK(store_rx_started_count(f->db, cid, &started, err));
    assert_int_equal(started, 1);
    FAILS(LW_ENOTFOUND, store_rx_get(f->db, f->a, id + 9, &x, err));
}

static void test_rx_list_filters(void **state) {
    fixture *f = *state;
    add_service(f->db, "svc-1", f->vcse);
    int64_t cid = open_case(f, "P-1", f->lw1);
    lw_case c;
    OK(store_case_get(f->db, f->a, cid, &c, err));
    int64_t proposed = add_rx(f, cid, c.person_id, "referral", "svc-1");
    int64_t sent = add_rx(f, cid, c.person_id, "referral", "svc-1");
    int64_t signpost = add_rx(f, cid, c.person_id, "signpost", "svc-1");
    int64_t direct = add_rx(f, 0, c.person_id, "referral", "svc-1");
    OK(store_rx_set_status(f->db, sent, "proposed", "sent", NULL, NULL, -1, T0, err));
    OK(store_rx_set_status(f->db, direct, "proposed", "sent", NULL, NULL, -1, T0, err));
    OK(store_rx_set_status(f->db, signpost, "proposed", "started", NULL, NULL, -1, T0, err));
    lw_page pg = {1, 20};
    lw_rx *list;
    int n;
    int64_t total;
    /* A provider sees what was sent to it: not proposals, not signposts. */
    lw_rx_filter prov = {.provider_org_id = f->vcse};
    OK(store_rx_list(f->db, f->a, &prov, pg, &list, &n, &total, err));
    assert_int_equal(total, 2);
    for (int i = 0; i < n; i++)
        assert_true(list[i].id == sent || list[i].id == direct);
    lw_rx_filter sender = {.sender_org_id = f->lws};
    OK(store_rx_list(f->db, f->a, &sender, pg, &list, &n, &total, err));
    assert_int_equal(total, 3);
    lw_rx_filter doc = {.prescriber_id = f->lw1};
    OK(store_rx_list(f->db, f->a, &doc, pg, &list, &n, &total, err));
    assert_int_equal(total, 1);
    assert_int_equal(list[0].id, direct);
    lw_rx_filter by_case = {.case_id = cid, .status = "proposed"};
    OK(store_rx_list(f->db, f->a, &by_case, pg, &list, &n, &total, err));
    assert_int_equal(total, 1);
    assert_int_equal(list[0].id, proposed);
    lw_rx_filter other = {.provider_org_id = f->gp};
    OK(store_rx_list(f->db, f->a, &other, pg, &list, &n, &total, err));
    assert_int_equal(total, 0);
}

static void test_funds(void **state) {
    fixture *f = *state;
    lw_error e;
    int64_t id = 0, other = 0;
    OK(store_fund_insert(f->db, f->lws, "Spot purchase 2026/27", 5000, T0, &id, err));
    FAILS(LW_ECONFLICT,
          store_fund_insert(f->db, f->lws, "Spot purchase 2026/27", 1, T0, &other, err));
    assert_string_equal(e.field, "name");
    OK(store_fund_insert(f->db, f->lws2, "Spot purchase 2026/27", 100, T0, &other, err));
    OK(store_fund_adjust(f->db, id, -4000, T0 + 1, err));
    FAILS(LW_ECONFLICT, store_fund_adjust(f->db, id, -1001, T0 + 2, err));
    assert_string_equal(e.field, "cost");
    OK(store_fund_adjust(f->db, id, -1000, T0 + 3, err));
    lw_fund fund;
    OK(store_fund_get(f->db, f->a, id, &fund, err));
    assert_int_equal(fund.balance, 0);
    assert_int_equal(fund.updated_at, T0 + 3);
    OK(store_fund_adjust(f->db, id, 250, T0 + 4, err));
    lw_fund *list;
    int n;
    OK(store_fund_list(f->db, f->a, f->lws, &list, &n, err));
    assert_int_equal(n, 1);
    assert_int_equal(list[0].balance, 250);
    OK(store_fund_list(f->db, f->a, 0, &list, &n, err));
    assert_int_equal(n, 2);
    FAILS(LW_ENOTFOUND, store_fund_get(f->db, f->a, id + 10, &fund, err));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_person_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_person_candidates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_person_facts_and_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_referral_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_referral_list_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_referral_auto_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auto_close_exactly_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feedback_and_throttle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_plan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_caseload_order_and_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_list_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_funds, setup, teardown),
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        backend = &backends[i];
        if (!backend->available()) {
            printf("[ SKIPPED  ] the %s backend (not configured)\n", backend->name);
            continue;
        }
        failed += _cmocka_run_group_tests(backend->name, tests, sizeof tests / sizeof tests[0],
                                          NULL, NULL);
    }
    return failed;
}
