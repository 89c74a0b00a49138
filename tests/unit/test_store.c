/*
 * The store contract: what every backend behind store.h must do. The tests
 * use store.h only (plus db_exec from store/db.h, the store's portable query
 * helper, for the two things the interface deliberately cannot do: fake a
 * newer schema and try to rewrite the audit log), so they run unchanged
 * against any backend. Which backends run is decided by the table
 * `backends` below, the only part that knows which database it is.
 *
 * SQLite always runs. PostgreSQL runs when LINKWELL_TEST_POSTGRES is the URL
 * of a server on which the test may create and drop databases, e.g.
 *   URL=$(scripts/pg-test-server.sh start /tmp/lwpg)
 *   LINKWELL_TEST_POSTGRES=$URL build/debug/tests/test_store
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
#include <sys/stat.h>
#include <unistd.h>

#include "store/db.h"
#include "store/store.h"
#include "util/embed.h"

#include "store_backends.h"

static const test_backend *backend; /* the one running now */

/* ---- fixtures ---- */

#define T0 1795253400000LL /* 2026-11-21T09:30:00Z */
#define MIN_MS (60LL * 1000)
#define HOUR_MS (60LL * MIN_MS)

typedef struct fixture {
    char *url;
    lw_store *s;
    lw_db *db;
    lw_arena *a;
} fixture;

/* Fails the test with the error's message when ST is not LW_OK. */
#define OK(call)                                                                                   \
    do {                                                                                           \
        lw_error ok_err_ = {0};                                                                    \
        lw_error *err = &ok_err_;                                                                  \
        lw_status ok_st_ = (call);                                                                 \
        if (ok_st_ != LW_OK)                                                                       \
            fail_msg("%s: status %d: %s", #call, ok_st_, ok_err_.msg);                             \
    } while (0)

/* A fresh database, empty: the test opens it itself. */
static int empty_setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->url = backend->new_url();
    *state = f;
    return 0;
}

static int empty_teardown(void **state) {
    fixture *f = *state;
    if (f->a)
        arena_free(f->a);
    if (f->db)
        store_release(f->s, f->db);
    store_close(f->s);
    backend->drop(f->url);
    free(f->url);
    free(f);
    return 0;
}

/* A fresh database at the latest schema, with a connection and an arena. */
static int store_setup(void **state) {
    if (empty_setup(state) != 0)
        return -1;
    fixture *f = *state;
    lw_error e = {0};
    lw_store_options opt = {.create = 1};
    if (store_open(f->url, &opt, &f->s, &e) != LW_OK) {
        fprintf(stderr, "store_open: %s\n", e.msg);
        return -1;
    }
    int from = -1, to = -1;
    if (store_migrate(f->s, T0, &from, &to, &e) != LW_OK) {
        fprintf(stderr, "store_migrate: %s\n", e.msg);
        return -1;
    }
    if (store_acquire(f->s, &f->db, &e) != LW_OK) {
        fprintf(stderr, "store_acquire: %s\n", e.msg);
        return -1;
    }
    f->a = arena_new();
    return 0;
}

static int64_t add_org(lw_db *db, const char *name, const char *kind) {
    int64_t id = 0;
    OK(store_org_insert(db, name, kind, T0, &id, err));
    assert_true(id > 0);
    return id;
}

static int64_t add_user(lw_db *db, int64_t org, const char *email, const char *role) {
    int64_t id = 0;
    OK(store_user_insert(db, org, email, "Test User", role, "$argon2id$fake", T0, &id, err));
    assert_true(id > 0);
    return id;
}

static int version_of(lw_store *s) {
    lw_db *db = NULL;
    int v = -1;
    OK(store_acquire(s, &db, err));
    OK(store_schema_version(db, &v, err));
    store_release(s, db);
    return v;
}

/* ---- opening and migrations ---- */

static void test_open_and_migrate(void **state) {
    fixture *f = *state;
    lw_store_options opt = {.create = 1};
    OK(store_open(f->url, &opt, &f->s, err));
    assert_string_equal(store_backend(f->s), backend->name);
    int latest = store_schema_latest(f->s);
    assert_true(latest >= 1);
    assert_int_equal(version_of(f->s), 0);

    int from = -1, to = -1;
    OK(store_migrate(f->s, T0, &from, &to, err));
    assert_int_equal(from, 0);
    assert_int_equal(to, latest);
    assert_int_equal(version_of(f->s), latest);
    OK(store_schema_check(f->s, err));
    OK(store_ping(f->s, err));

    /* Migrating again changes nothing. */
    from = to = -1;
    OK(store_migrate(f->s, T0 + 1000, &from, &to, err));
    assert_int_equal(from, latest);
    assert_int_equal(to, latest);
    OK(store_schema_check(f->s, err));

    /* The schema persists: reopened without create, it is still current. */
    store_close(f->s);
    f->s = NULL;
    lw_store_options plain = {0};
    OK(store_open(f->url, &plain, &f->s, err));
    assert_int_equal(version_of(f->s), latest);
    OK(store_schema_check(f->s, err));
}

static void test_schema_check_empty(void **state) {
    fixture *f = *state;
    lw_store_options opt = {.create = 1};
    OK(store_open(f->url, &opt, &f->s, err));
    lw_error e = {0};
    lw_status st = store_schema_check(f->s, &e);
    assert_int_not_equal(st, LW_OK);
    assert_non_null(strstr(e.msg, "linkwell init"));
    assert_string_equal(e.field, "db");
    /* Checking does not create anything. */
    assert_int_equal(version_of(f->s), 0);
}

static void test_schema_newer_than_binary(void **state) {
    fixture *f = *state;
    lw_store_options opt = {.create = 1};
    OK(store_open(f->url, &opt, &f->s, err));
    int from, to;
    OK(store_migrate(f->s, T0, &from, &to, err));
    int latest = store_schema_latest(f->s);

    /* A later linkwell migrated this database. */
    lw_db *db = NULL;
    OK(store_acquire(f->s, &db, err));
    db_val p[] = {DB_I(latest + 1), DB_S("from the future"), DB_I(T0)};
    OK(db_exec(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
               p, DB_NPARAMS(p), NULL, err));
    store_release(f->s, db);
    assert_int_equal(version_of(f->s), latest + 1);

    lw_error e = {0};
    assert_int_not_equal(store_schema_check(f->s, &e), LW_OK);
    assert_non_null(strstr(e.msg, "upgrade linkwell"));
    assert_string_equal(e.field, "db");

    lw_error_clear(&e);
    from = to = -1;
    assert_int_not_equal(store_migrate(f->s, T0, &from, &to, &e), LW_OK);
    assert_non_null(strstr(e.msg, "upgrade linkwell"));
    assert_int_equal(version_of(f->s), latest + 1);
}

static void test_open_missing(void **state) {
    (void)state;
    if (!backend->missing_url)
        skip();
    char *url = backend->missing_url();
    lw_store *s = NULL;
    lw_error e = {0};
    lw_store_options plain = {0};
    lw_status st = store_open(url, &plain, &s, &e);
    assert_int_equal(st, LW_EINVAL);
    assert_null(s);
    assert_string_equal(e.field, "db");
    assert_non_null(strstr(e.msg, "linkwell init"));
    /* Opening without create did not create it. */
    assert_int_equal(store_open(url, NULL, &s, &e), LW_EINVAL);
    backend->drop(url);
    free(url);
}

static void test_open_no_url(void **state) {
    (void)state;
    lw_store *s = NULL;
    lw_error e = {0};
    assert_int_equal(store_open("", NULL, &s, &e), LW_EINVAL);
    assert_non_null(strstr(e.msg, "--db"));
    assert_string_equal(e.field, "db");
    assert_int_equal(store_open(NULL, NULL, &s, &e), LW_EINVAL);
    assert_null(s);
}

/* ---- organisations ---- */

static void test_org_insert_get(void **state) {
    fixture *f = *state;
    int64_t id = 0;
    OK(store_org_insert(f->db, "Riverside Surgery", "gp_practice", T0, &id, err));
    assert_true(id > 0);

    lw_org o;
    memset(&o, 0, sizeof o);
    OK(store_org_get(f->db, f->a, id, &o, err));
    assert_int_equal(o.id, id);
    assert_string_equal(o.name, "Riverside Surgery");
    assert_string_equal(o.kind, "gp_practice");
    assert_int_equal(o.active, 1);
    assert_int_equal(o.created_at, T0);

    memset(&o, 0, sizeof o);
    OK(store_org_by_name(f->db, f->a, "Riverside Surgery", &o, err));
    assert_int_equal(o.id, id);
    assert_string_equal(o.kind, "gp_practice");

    /* Names are unique. */
    lw_error e = {0};
    int64_t id2 = 0;
    assert_int_equal(store_org_insert(f->db, "Riverside Surgery", "vcse", T0, &id2, &e),
                     LW_ECONFLICT);
    assert_string_equal(e.field, "name");
    assert_non_null(strstr(e.msg, "Riverside Surgery"));
    assert_int_equal(id2, 0);

    assert_int_equal(store_org_get(f->db, f->a, id + 1000, &o, &e), LW_ENOTFOUND);
    assert_int_equal(store_org_by_name(f->db, f->a, "riverside surgery", &o, &e), LW_ENOTFOUND);
    int64_t other = add_org(f->db, "Hill CMHT", "cmht");
    assert_true(other != id);
}

static void test_org_list_paging(void **state) {
    fixture *f = *state;
    /* Inserted out of order; listed by name. */
    for (int i = 0; i < 25; i++) {
        char name[32];
        snprintf(name, sizeof name, "Org %02d", (i * 7) % 25);
        add_org(f->db, name, "community");
    }
    lw_org *list = NULL;
    int n = -1;
    int64_t total = -1;
    OK(store_org_list(f->db, f->a, (lw_page){1, 10}, &list, &n, &total, err));
    assert_int_equal(total, 25);
    assert_int_equal(n, 10);
    assert_string_equal(list[0].name, "Org 00");
    assert_string_equal(list[9].name, "Org 09");
    assert_string_equal(list[0].kind, "community");

    OK(store_org_list(f->db, f->a, (lw_page){3, 10}, &list, &n, &total, err));
    assert_int_equal(total, 25);
    assert_int_equal(n, 5);
    assert_string_equal(list[0].name, "Org 20");
    assert_string_equal(list[4].name, "Org 24");

    OK(store_org_list(f->db, f->a, (lw_page){4, 10}, &list, &n, &total, err));
    assert_int_equal(total, 25);
    assert_int_equal(n, 0);

    OK(store_org_list(f->db, f->a, (lw_page){1, LW_PER_PAGE_MAX}, &list, &n, &total, err));
    assert_int_equal(n, 25);
    for (int i = 1; i < n; i++)
        assert_true(strcmp(list[i - 1].name, list[i].name) < 0);
}

static void test_org_update(void **state) {
    fixture *f = *state;
    int64_t id = add_org(f->db, "Old Name", "other");
    add_org(f->db, "Taken", "vcse");
    lw_org o;

    OK(store_org_update(f->db, id, "New Name", NULL, -1, err));
    OK(store_org_get(f->db, f->a, id, &o, err));
    assert_string_equal(o.name, "New Name");
    assert_string_equal(o.kind, "other");
    assert_int_equal(o.active, 1);

    OK(store_org_update(f->db, id, NULL, "vcse", -1, err));
    OK(store_org_get(f->db, f->a, id, &o, err));
    assert_string_equal(o.name, "New Name");
    assert_string_equal(o.kind, "vcse");
    assert_int_equal(o.active, 1);

    OK(store_org_update(f->db, id, NULL, NULL, 0, err));
    OK(store_org_get(f->db, f->a, id, &o, err));
    assert_int_equal(o.active, 0);
    assert_string_equal(o.kind, "vcse");
    OK(store_org_update(f->db, id, NULL, NULL, 1, err));
    OK(store_org_get(f->db, f->a, id, &o, err));
    assert_int_equal(o.active, 1);

    lw_error e = {0};
    assert_int_equal(store_org_update(f->db, id, "Taken", NULL, -1, &e), LW_ECONFLICT);
    assert_string_equal(e.field, "name");
    OK(store_org_get(f->db, f->a, id, &o, err));
    assert_string_equal(o.name, "New Name");
    assert_int_equal(store_org_update(f->db, id + 1000, "X", NULL, -1, &e), LW_ENOTFOUND);
}

static void test_org_deactivate_ends_sessions(void **state) {
    fixture *f = *state;
    int64_t org = add_org(f->db, "Closing Practice", "gp_practice");
    int64_t keep_org = add_org(f->db, "Staying Practice", "gp_practice");
    int64_t u = add_user(f->db, org, "a@closing.test", "referrer");
    int64_t k = add_user(f->db, keep_org, "b@staying.test", "referrer");
    OK(store_session_insert(f->db, "s-closing", "c1", u, T0, err));
    OK(store_session_insert(f->db, "s-staying", "c2", k, T0, err));
    OK(store_org_update(f->db, org, NULL, NULL, 0, err));
    lw_session s;
    lw_error e = {0};
    assert_int_equal(store_session_get(f->db, f->a, "s-closing", &s, &e), LW_ENOTFOUND);
    OK(store_session_get(f->db, f->a, "s-staying", &s, err));
    /* The organisation's users are seen as in an inactive organisation. */
    lw_user uu;
    OK(store_user_get(f->db, f->a, u, &uu, err));
    assert_int_equal(uu.org_active, 0);
    assert_int_equal(uu.active, 1);
}

/* ---- users ---- */

static void test_user_insert_get(void **state) {
    fixture *f = *state;
    int64_t org = add_org(f->db, "Northgate CMHT", "cmht");
    int64_t id = 0;
    OK(store_user_insert(f->db, org, "jo@northgate.test", "Siân Ó Briain", "link_worker",
                         "$argon2id$hash-one", T0, &id, err));
    assert_true(id > 0);

    lw_user u;
    memset(&u, 0xA5, sizeof u); /* nothing may be left unset */
    OK(store_user_get(f->db, f->a, id, &u, err));
    assert_int_equal(u.id, id);
    assert_int_equal(u.org_id, org);
    assert_string_equal(u.org_name, "Northgate CMHT");
    assert_string_equal(u.org_kind, "cmht");
    assert_int_equal(u.org_active, 1);
    assert_string_equal(u.email, "jo@northgate.test");
    assert_string_equal(u.name, "Siân Ó Briain");
    assert_string_equal(u.role, "link_worker");
    assert_int_equal(u.active, 1);
    assert_int_equal(u.created_at, T0);
    assert_null(u.password_hash); /* only by_email reads the hash */

    lw_error e = {0};
    int64_t id2 = 0;
    assert_int_equal(store_user_insert(f->db, org, "jo@northgate.test", "Another", "referrer", NULL,
                                       T0, &id2, &e),
                     LW_ECONFLICT);
    assert_string_equal(e.field, "email");
    assert_int_equal(id2, 0);

    /* A user must belong to an organisation that exists. */
    assert_int_not_equal(store_user_insert(f->db, org + 1000, "x@northgate.test", "X", "referrer",
                                           NULL, T0, &id2, &e),
                         LW_OK);
    assert_int_equal(store_user_get(f->db, f->a, id + 1000, &u, &e), LW_ENOTFOUND);
}

static void test_user_by_email(void **state) {
    fixture *f = *state;
    int64_t org = add_org(f->db, "Link Service", "link_worker_service");
    int64_t id = 0;
    OK(store_user_insert(f->db, org, "lw@link.test", "Lee Worker", "peer_worker",
                         "$argon2id$v=19$stored", T0, &id, err));
    int64_t nopw = 0;
    OK(store_user_insert(f->db, org, "nopw@link.test", "No Password", "referrer", NULL, T0, &nopw,
                         err));

    lw_user u;
    memset(&u, 0, sizeof u);
    OK(store_user_by_email(f->db, f->a, "lw@link.test", &u, err));
    assert_int_equal(u.id, id);
    assert_string_equal(u.password_hash, "$argon2id$v=19$stored");
    assert_string_equal(u.role, "peer_worker");
    assert_string_equal(u.org_name, "Link Service");
    assert_string_equal(u.org_kind, "link_worker_service");

    memset(&u, 0xA5, sizeof u);
    OK(store_user_by_email(f->db, f->a, "nopw@link.test", &u, err));
    assert_int_equal(u.id, nopw);
    assert_null(u.password_hash);

    lw_error e = {0};
    assert_int_equal(store_user_by_email(f->db, f->a, "nobody@link.test", &u, &e), LW_ENOTFOUND);
}

static void test_user_list_filters(void **state) {
    fixture *f = *state;
    int64_t a = add_org(f->db, "Org A", "gp_practice");
    int64_t b = add_org(f->db, "Org B", "vcse");
    int64_t u1 = add_user(f->db, a, "a1@x.test", "referrer");
    int64_t u2 = add_user(f->db, a, "a2@x.test", "admin");
    int64_t u3 = add_user(f->db, b, "b1@x.test", "provider");
    int64_t u4 = add_user(f->db, b, "b2@x.test", "referrer");
    int64_t u5 = add_user(f->db, b, "b3@x.test", "referrer");
    OK(store_user_update(f->db, u5, NULL, NULL, 0, T0, err));
    (void)u3;

    lw_user *l = NULL;
    int n = -1;
    int64_t total = -1;
    lw_page all = {1, LW_PER_PAGE_MAX};

    lw_user_filter any = {.active = -1};
    OK(store_user_list(f->db, f->a, &any, all, &l, &n, &total, err));
    assert_int_equal(total, 5);
    assert_int_equal(n, 5);
    assert_string_equal(l[0].email, "a1@x.test"); /* by email */
    assert_string_equal(l[4].email, "b3@x.test");
    assert_string_equal(l[2].org_name, "Org B");
    assert_null(l[0].password_hash);

    lw_user_filter by_org = {.org_id = a, .active = -1};
    OK(store_user_list(f->db, f->a, &by_org, all, &l, &n, &total, err));
    assert_int_equal(total, 2);
    assert_int_equal(l[0].id, u1);
    assert_int_equal(l[1].id, u2);

    lw_user_filter by_role = {.role = "referrer", .active = -1};
    OK(store_user_list(f->db, f->a, &by_role, all, &l, &n, &total, err));
    assert_int_equal(total, 3);
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++)
        assert_string_equal(l[i].role, "referrer");

    lw_user_filter active = {.active = 1};
    OK(store_user_list(f->db, f->a, &active, all, &l, &n, &total, err));
    assert_int_equal(total, 4);
    lw_user_filter inactive = {.active = 0};
    OK(store_user_list(f->db, f->a, &inactive, all, &l, &n, &total, err));
    assert_int_equal(total, 1);
    assert_int_equal(l[0].id, u5);
    assert_int_equal(l[0].active, 0);

    lw_user_filter combined = {.org_id = b, .role = "referrer", .active = 1};
    OK(store_user_list(f->db, f->a, &combined, all, &l, &n, &total, err));
    assert_int_equal(total, 1);
    assert_int_equal(l[0].id, u4);

    lw_user_filter none = {.org_id = a, .role = "provider", .active = -1};
    OK(store_user_list(f->db, f->a, &none, all, &l, &n, &total, err));
    assert_int_equal(total, 0);
    assert_int_equal(n, 0);

    /* Paging: the total is of all matches, the page holds its share. */
    OK(store_user_list(f->db, f->a, &any, (lw_page){2, 2}, &l, &n, &total, err));
    assert_int_equal(total, 5);
    assert_int_equal(n, 2);
    assert_string_equal(l[0].email, "b1@x.test");
    assert_string_equal(l[1].email, "b2@x.test");
    OK(store_user_list(f->db, f->a, &any, (lw_page){3, 2}, &l, &n, &total, err));
    assert_int_equal(n, 1);
    assert_string_equal(l[0].email, "b3@x.test");
}

static void test_user_update(void **state) {
    fixture *f = *state;
    int64_t org = add_org(f->db, "Org", "cmht");
    int64_t id = add_user(f->db, org, "u@x.test", "referrer");
    int64_t other = add_user(f->db, org, "v@x.test", "referrer");
    lw_user u;

    OK(store_user_update(f->db, id, "link_worker", NULL, -1, T0 + 1, err));
    OK(store_user_get(f->db, f->a, id, &u, err));
    assert_string_equal(u.role, "link_worker");
    assert_string_equal(u.name, "Test User");
    assert_int_equal(u.active, 1);

    OK(store_user_update(f->db, id, NULL, "Renamed Person", -1, T0 + 2, err));
    OK(store_user_get(f->db, f->a, id, &u, err));
    assert_string_equal(u.role, "link_worker");
    assert_string_equal(u.name, "Renamed Person");

    /* Deactivating ends this user's sessions, and only theirs. */
    OK(store_session_insert(f->db, "sess-u-1", "csrf1", id, T0, err));
    OK(store_session_insert(f->db, "sess-u-2", "csrf2", id, T0, err));
    OK(store_session_insert(f->db, "sess-v", "csrf3", other, T0, err));
    OK(store_user_update(f->db, id, NULL, NULL, 0, T0 + 3, err));
    OK(store_user_get(f->db, f->a, id, &u, err));
    assert_int_equal(u.active, 0);
    assert_string_equal(u.role, "link_worker");
    lw_session s;
    lw_error e = {0};
    assert_int_equal(store_session_get(f->db, f->a, "sess-u-1", &s, &e), LW_ENOTFOUND);
    assert_int_equal(store_session_get(f->db, f->a, "sess-u-2", &s, &e), LW_ENOTFOUND);
    OK(store_session_get(f->db, f->a, "sess-v", &s, err));

    /* Reactivating does not bring the sessions back. */
    OK(store_user_update(f->db, id, NULL, NULL, 1, T0 + 4, err));
    OK(store_user_get(f->db, f->a, id, &u, err));
    assert_int_equal(u.active, 1);
    assert_int_equal(store_session_get(f->db, f->a, "sess-u-1", &s, &e), LW_ENOTFOUND);

    assert_int_equal(store_user_update(f->db, id + 1000, "admin", NULL, -1, T0, &e), LW_ENOTFOUND);
}

static void test_user_set_password(void **state) {
    fixture *f = *state;
    int64_t org = add_org(f->db, "Org", "cmht");
    int64_t id = add_user(f->db, org, "u@x.test", "referrer");
    OK(store_session_insert(f->db, "sess-old", "csrf-old", id, T0, err));
    OK(store_session_insert(f->db, "sess-mine", "csrf-mine", id, T0, err));
    OK(store_user_set_password(f->db, id, "$argon2id$new", T0 + 5, "sess-mine", err));
    lw_user u;
    OK(store_user_by_email(f->db, f->a, "u@x.test", &u, err));
    assert_string_equal(u.password_hash, "$argon2id$new");
    /* The other sessions end; the one making the change stays. */
    lw_session s;
    lw_error e = {0};
    assert_int_equal(store_session_get(f->db, f->a, "sess-old", &s, &e), LW_ENOTFOUND);
    OK(store_session_get(f->db, f->a, "sess-mine", &s, err));
    OK(store_user_set_password(f->db, id, "$argon2id$newer", T0 + 6, NULL, err));
    assert_int_equal(store_session_get(f->db, f->a, "sess-mine", &s, &e), LW_ENOTFOUND);
    assert_int_equal(store_user_set_password(f->db, id + 1000, "$argon2id$x", T0, NULL, &e),
                     LW_ENOTFOUND);
}

/* ---- sessions ---- */

static void test_session_lifecycle(void **state) {
    fixture *f = *state;
    int64_t org = add_org(f->db, "Org", "vcse");
    int64_t uid = add_user(f->db, org, "s@x.test", "provider");
    OK(store_session_insert(f->db, "digest-1", "csrf-digest-1", uid, T0, err));

    lw_session s;
    memset(&s, 0, sizeof s);
    OK(store_session_get(f->db, f->a, "digest-1", &s, err));
    assert_string_equal(s.id_digest, "digest-1");
    assert_string_equal(s.csrf_digest, "csrf-digest-1");
    assert_int_equal(s.created_at, T0);
    assert_int_equal(s.last_seen_at, T0);
    assert_int_equal(s.user.id, uid);
    assert_string_equal(s.user.email, "s@x.test");
    assert_string_equal(s.user.role, "provider");
    assert_string_equal(s.user.org_name, "Org");
    assert_int_equal(s.user.active, 1);

    OK(store_session_touch(f->db, "digest-1", T0 + 10 * MIN_MS, err));
    OK(store_session_get(f->db, f->a, "digest-1", &s, err));
    assert_int_equal(s.created_at, T0);
    assert_int_equal(s.last_seen_at, T0 + 10 * MIN_MS);

    /* The same id twice is refused. */
    lw_error e = {0};
    assert_int_not_equal(store_session_insert(f->db, "digest-1", "other", uid, T0, &e), LW_OK);

    OK(store_session_delete(f->db, "digest-1", err));
    assert_int_equal(store_session_get(f->db, f->a, "digest-1", &s, &e), LW_ENOTFOUND);
    assert_int_equal(store_session_get(f->db, f->a, "never-was", &s, &e), LW_ENOTFOUND);
    /* Deleting twice is harmless. */
    OK(store_session_delete(f->db, "digest-1", err));
}

static void test_session_purge(void **state) {
    fixture *f = *state;
    int64_t org = add_org(f->db, "Org", "vcse");
    int64_t uid = add_user(f->db, org, "s@x.test", "provider");
    const int64_t idle = 30 * MIN_MS, max = 12 * HOUR_MS;
    const int64_t now = T0 + 30 * MIN_MS;

    /* Idle for exactly 30 minutes at NOW: expired. */
    OK(store_session_insert(f->db, "idle-30", "c", uid, T0, err));
    /* Idle for 30 minutes less 1 ms: live. */
    OK(store_session_insert(f->db, "idle-29", "c", uid, T0, err));
    OK(store_session_touch(f->db, "idle-29", T0 + 1, err));
    /* Exactly 12 hours old, though just used: expired. */
    OK(store_session_insert(f->db, "old-12h", "c", uid, now - max, err));
    OK(store_session_touch(f->db, "old-12h", now - MIN_MS, err));
    /* 12 hours less 1 ms old and just used: live. */
    OK(store_session_insert(f->db, "old-11h", "c", uid, now - max + 1, err));
    OK(store_session_touch(f->db, "old-11h", now - MIN_MS, err));

    OK(store_session_purge(f->db, now, idle, max, err));
    lw_session s;
    lw_error e = {0};
    assert_int_equal(store_session_get(f->db, f->a, "idle-30", &s, &e), LW_ENOTFOUND);
    OK(store_session_get(f->db, f->a, "idle-29", &s, err));
    assert_int_equal(store_session_get(f->db, f->a, "old-12h", &s, &e), LW_ENOTFOUND);
    OK(store_session_get(f->db, f->a, "old-11h", &s, err));
}

/* ---- API tokens ---- */

static void test_tokens(void **state) {
    fixture *f = *state;
    int64_t org = add_org(f->db, "Org", "commissioner");
    int64_t uid = add_user(f->db, org, "t@x.test", "commissioner");
    int64_t tid = 0;
    OK(store_token_insert(f->db, "tok-digest", uid, T0, &tid, err));
    assert_true(tid > 0);

    int64_t got = 0;
    lw_user u;
    memset(&u, 0, sizeof u);
    OK(store_token_get(f->db, f->a, "tok-digest", &got, &u, err));
    assert_int_equal(got, tid);
    assert_int_equal(u.id, uid);
    assert_string_equal(u.email, "t@x.test");
    assert_string_equal(u.role, "commissioner");
    assert_string_equal(u.org_kind, "commissioner");
    assert_int_equal(u.active, 1);
    OK(store_token_touch(f->db, tid, T0 + 1000, err));
    OK(store_token_get(f->db, f->a, "tok-digest", &got, &u, err));
    assert_int_equal(got, tid);

    /* Listed newest first with when they were used; one deleted, the other kept. */
    int64_t tid3 = 0, owner = 0;
    OK(store_token_insert(f->db, "tok-other", uid, T0 + 2000, &tid3, err));
    lw_token_info *list = NULL;
    int n = 0;
    OK(store_token_list(f->db, f->a, uid, &list, &n, err));
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, tid3);
    assert_int_equal(list[0].created_at, T0 + 2000);
    assert_int_equal(list[0].last_used_at, 0); /* never */
    assert_int_equal(list[1].id, tid);
    assert_int_equal(list[1].last_used_at, T0 + 1000);
    OK(store_token_delete(f->db, tid3, &owner, err));
    assert_int_equal(owner, uid);
    lw_error nf = {0};
    assert_int_equal(store_token_delete(f->db, tid3, &owner, &nf), LW_ENOTFOUND);
    assert_int_equal(store_token_get(f->db, f->a, "tok-other", &got, &u, &nf), LW_ENOTFOUND);
    OK(store_token_list(f->db, f->a, uid, &list, &n, err));
    assert_int_equal(n, 1);

    lw_error e = {0};
    assert_int_equal(store_token_get(f->db, f->a, "unknown", &got, &u, &e), LW_ENOTFOUND);
    int64_t tid2 = 0;
    assert_int_not_equal(store_token_insert(f->db, "tok-digest", uid, T0, &tid2, &e), LW_OK);

    /* Deactivating the user revokes the token; reactivating does not bring it back. */
    OK(store_user_update(f->db, uid, NULL, NULL, 0, T0, err));
    assert_int_equal(store_token_get(f->db, f->a, "tok-digest", &got, &u, &e), LW_ENOTFOUND);
    OK(store_user_update(f->db, uid, NULL, NULL, 1, T0, err));
    assert_int_equal(store_token_get(f->db, f->a, "tok-digest", &got, &u, &e), LW_ENOTFOUND);
}

/* ---- login failures ---- */

static void test_login_failures(void **state) {
    fixture *f = *state;
    OK(store_login_failure_add(f->db, "acct:jo@x.test", T0, NULL, err));
    OK(store_login_failure_add(f->db, "acct:jo@x.test", T0 + 1000, NULL, err));
    OK(store_login_failure_add(f->db, "acct:jo@x.test", T0 + 2000, NULL, err));
    OK(store_login_failure_add(f->db, "addr:127.0.0.1", T0 + 500, NULL, err));

    int count = -1;
    int64_t oldest = -1;
    OK(store_login_failures(f->db, "acct:jo@x.test", T0, &count, &oldest, err));
    assert_int_equal(count, 3);
    assert_int_equal(oldest, T0);
    OK(store_login_failures(f->db, "acct:jo@x.test", T0 + 1, &count, &oldest, err));
    assert_int_equal(count, 2);
    assert_int_equal(oldest, T0 + 1000);
    OK(store_login_failures(f->db, "acct:jo@x.test", T0 + 2000, &count, &oldest, err));
    assert_int_equal(count, 1);
    assert_int_equal(oldest, T0 + 2000);
    OK(store_login_failures(f->db, "acct:jo@x.test", T0 + 5000, &count, &oldest, err));
    assert_int_equal(count, 0);
    OK(store_login_failures(f->db, "addr:127.0.0.1", 0, &count, &oldest, err));
    assert_int_equal(count, 1);
    assert_int_equal(oldest, T0 + 500);

    OK(store_login_failures_clear(f->db, "acct:jo@x.test", err));
    OK(store_login_failures(f->db, "acct:jo@x.test", 0, &count, &oldest, err));
    assert_int_equal(count, 0);
    OK(store_login_failures(f->db, "addr:127.0.0.1", 0, &count, &oldest, err));
    assert_int_equal(count, 1);
}

/* ---- the audit log ---- */

static void audit(lw_db *db, int64_t at, int64_t user, const char *action, const char *rtype,
                  const char *rid, const char *outcome) {
    lw_audit_entry e = {.at = at,
                        .user_id = user,
                        .role = user ? "admin" : NULL,
                        .org_id = user ? 7 : 0,
                        .action = action,
                        .resource_type = rtype,
                        .resource_id = rid,
                        .remote_addr = "192.0.2.1",
                        .outcome = outcome};
    OK(store_audit_insert(db, &e, err));
}

static void test_audit_list(void **state) {
    fixture *f = *state;
    /* Audit rows do not need the users to exist (they outlive them). */
    audit(f->db, T0 + 1000, 1, "session.login", "user", "1", "ok");
    audit(f->db, T0 + 2000, 2, "user.create", "user", "5", "ok");
    audit(f->db, T0 + 3000, 0, "session.login", "user", NULL, "failed");
    audit(f->db, T0 + 4000, 1, "organisation.create", "organisation", "3", "ok");
    audit(f->db, T0 + 4000, 2, "user.update", "user", "5", "denied"); /* same time, later id */

    lw_audit_entry *l = NULL;
    int n = -1;
    int64_t total = -1;
    lw_page all = {1, LW_PER_PAGE_MAX};
    lw_audit_filter none = {0};
    OK(store_audit_list(f->db, f->a, &none, all, &l, &n, &total, err));
    assert_int_equal(total, 5);
    assert_int_equal(n, 5);
    /* Newest first; ties by insertion order, newest first. */
    assert_string_equal(l[0].action, "user.update");
    assert_string_equal(l[1].action, "organisation.create");
    assert_string_equal(l[2].outcome, "failed");
    assert_string_equal(l[4].action, "session.login");
    for (int i = 1; i < n; i++)
        assert_true(l[i - 1].at >= l[i].at);
    /* Fields round trip, NULLs included. */
    assert_int_equal(l[0].at, T0 + 4000);
    assert_int_equal(l[0].user_id, 2);
    assert_string_equal(l[0].role, "admin");
    assert_int_equal(l[0].org_id, 7);
    assert_string_equal(l[0].resource_type, "user");
    assert_string_equal(l[0].resource_id, "5");
    assert_string_equal(l[0].remote_addr, "192.0.2.1");
    assert_int_equal(l[2].user_id, 0);
    assert_null(l[2].role);
    assert_int_equal(l[2].org_id, 0);
    assert_null(l[2].resource_id);
    assert_true(l[0].id > l[1].id);

    lw_audit_filter by_user = {.user_id = 1};
    OK(store_audit_list(f->db, f->a, &by_user, all, &l, &n, &total, err));
    assert_int_equal(total, 2);
    assert_string_equal(l[0].action, "organisation.create");
    assert_string_equal(l[1].action, "session.login");

    lw_audit_filter by_type = {.resource_type = "organisation"};
    OK(store_audit_list(f->db, f->a, &by_type, all, &l, &n, &total, err));
    assert_int_equal(total, 1);
    assert_string_equal(l[0].resource_id, "3");

    lw_audit_filter by_res = {.resource_type = "user", .resource_id = "5"};
    OK(store_audit_list(f->db, f->a, &by_res, all, &l, &n, &total, err));
    assert_int_equal(total, 2);
    assert_string_equal(l[0].action, "user.update");
    assert_string_equal(l[1].action, "user.create");

    lw_audit_filter by_action = {.action = "session.login"};
    OK(store_audit_list(f->db, f->a, &by_action, all, &l, &n, &total, err));
    assert_int_equal(total, 2);

    /* The time range is inclusive at both ends. */
    lw_audit_filter range = {.from = T0 + 2000, .to = T0 + 3000};
    OK(store_audit_list(f->db, f->a, &range, all, &l, &n, &total, err));
    assert_int_equal(total, 2);
    assert_int_equal(l[0].at, T0 + 3000);
    assert_int_equal(l[1].at, T0 + 2000);
    lw_audit_filter from = {.from = T0 + 3001};
    OK(store_audit_list(f->db, f->a, &from, all, &l, &n, &total, err));
    assert_int_equal(total, 2);
    lw_audit_filter to = {.to = T0 + 1000};
    OK(store_audit_list(f->db, f->a, &to, all, &l, &n, &total, err));
    assert_int_equal(total, 1);
    assert_int_equal(l[0].user_id, 1);

    lw_audit_filter mixed = {.user_id = 2, .action = "user.create", .from = T0};
    OK(store_audit_list(f->db, f->a, &mixed, all, &l, &n, &total, err));
    assert_int_equal(total, 1);

    /* Paging. */
    OK(store_audit_list(f->db, f->a, &none, (lw_page){2, 2}, &l, &n, &total, err));
    assert_int_equal(total, 5);
    assert_int_equal(n, 2);
    assert_int_equal(l[0].at, T0 + 3000);
    assert_int_equal(l[1].at, T0 + 2000);
    OK(store_audit_list(f->db, f->a, &none, (lw_page){3, 2}, &l, &n, &total, err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].at, T0 + 1000);
}

static void test_audit_append_only(void **state) {
    fixture *f = *state;
    audit(f->db, T0, 1, "session.login", "user", "1", "ok");
    lw_error e = {0};
    db_val p[] = {DB_S("tampered")};
    assert_int_not_equal(db_exec(f->db, "UPDATE audit_log SET outcome = $1", p, 1, NULL, &e),
                         LW_OK);
    assert_non_null(strstr(e.msg, "append-only"));
    lw_error_clear(&e);
    assert_int_not_equal(db_exec(f->db, "DELETE FROM audit_log", NULL, 0, NULL, &e), LW_OK);
    assert_non_null(strstr(e.msg, "append-only"));

    lw_audit_entry *l = NULL;
    int n = 0;
    int64_t total = 0;
    lw_audit_filter none = {0};
    OK(store_audit_list(f->db, f->a, &none, (lw_page){1, 10}, &l, &n, &total, err));
    assert_int_equal(total, 1);
    assert_string_equal(l[0].outcome, "ok");
}

/* ---- transactions ---- */

static void test_tx_rollback(void **state) {
    fixture *f = *state;
    OK(store_begin(f->db, err));
    int64_t id = add_org(f->db, "Rolled Back", "other");
    audit(f->db, T0, 1, "organisation.create", "organisation", "x", "ok");
    store_rollback(f->db);
    lw_org o;
    lw_error e = {0};
    assert_int_equal(store_org_by_name(f->db, f->a, "Rolled Back", &o, &e), LW_ENOTFOUND);
    assert_int_equal(store_org_get(f->db, f->a, id, &o, &e), LW_ENOTFOUND);
    lw_audit_entry *l;
    int n;
    int64_t total = -1;
    lw_audit_filter none = {0};
    OK(store_audit_list(f->db, f->a, &none, (lw_page){1, 10}, &l, &n, &total, err));
    assert_int_equal(total, 0);
    /* Rolling back outside a transaction is a no-op; the connection still works. */
    store_rollback(f->db);
    add_org(f->db, "After", "other");
    OK(store_org_by_name(f->db, f->a, "After", &o, err));
}

static void test_tx_commit(void **state) {
    fixture *f = *state;
    OK(store_begin(f->db, err));
    int64_t id = add_org(f->db, "Committed", "other");
    OK(store_commit(f->db, err));
    /* Visible from another connection. */
    lw_db *other = NULL;
    OK(store_acquire(f->s, &other, err));
    lw_org o;
    OK(store_org_get(other, f->a, id, &o, err));
    assert_string_equal(o.name, "Committed");
    store_release(f->s, other);
    /* And a later rollback does not undo it. */
    store_rollback(f->db);
    OK(store_org_get(f->db, f->a, id, &o, err));
}

static void test_tx_release_rolls_back(void **state) {
    fixture *f = *state;
    lw_db *db = NULL;
    OK(store_acquire(f->s, &db, err));
    OK(store_begin(db, err));
    add_org(db, "Abandoned", "other");
    store_release(f->s, db); /* with the transaction open */

    lw_org o;
    lw_error e = {0};
    assert_int_equal(store_org_by_name(f->db, f->a, "Abandoned", &o, &e), LW_ENOTFOUND);
    /* The write lock was given up: this connection can write now. */
    OK(store_begin(f->db, err));
    add_org(f->db, "Next", "other");
    OK(store_commit(f->db, err));
    /* Every pooled connection is usable afterwards: none is stuck in a transaction. */
    lw_db *held[3];
    for (int i = 0; i < 3; i++)
        OK(store_acquire(f->s, &held[i], err));
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "Pooled %d", i);
        OK(store_begin(held[i], err));
        add_org(held[i], name, "other");
        OK(store_commit(held[i], err));
    }
    for (int i = 0; i < 3; i++)
        store_release(f->s, held[i]);
    OK(store_org_by_name(f->db, f->a, "Pooled 2", &o, err));
}

/* ---- concurrency ---- */

enum { WORKERS = 4, PER_WORKER = 50, POOL = 2 };

typedef struct worker {
    lw_store *s;
    int idx;
    lw_status st;
    char msg[600];
} worker;

static pthread_mutex_t hold_mu = PTHREAD_MUTEX_INITIALIZER;
static int holding, max_holding;

static void *worker_run(void *arg) {
    worker *w = arg;
    lw_error e = {0};
    for (int i = 0; i < PER_WORKER && w->st == LW_OK; i++) {
        lw_db *db = NULL;
        w->st = store_acquire(w->s, &db, &e);
        if (w->st != LW_OK)
            break;
        pthread_mutex_lock(&hold_mu);
        if (++holding > max_holding)
            max_holding = holding;
        pthread_mutex_unlock(&hold_mu);
        char name[32];
        snprintf(name, sizeof name, "Worker %d org %02d", w->idx, i);
        int64_t id = 0;
        w->st = store_begin(db, &e);
        if (w->st == LW_OK)
            w->st = store_org_insert(db, name, "community", T0 + i, &id, &e);
        if (w->st == LW_OK)
            w->st = store_commit(db, &e);
        pthread_mutex_lock(&hold_mu);
        holding--;
        pthread_mutex_unlock(&hold_mu);
        store_release(w->s, db);
    }
    if (w->st != LW_OK)
        snprintf(w->msg, sizeof w->msg, "worker %d: %s", w->idx, e.msg);
    return NULL;
}

static void test_concurrent_writers(void **state) {
    fixture *f = *state;
    lw_store *s = NULL;
    lw_store_options opt = {.pool_size = POOL};
    OK(store_open(f->url, &opt, &s, err));
    holding = max_holding = 0;
    worker w[WORKERS];
    pthread_t th[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        w[i] = (worker){.s = s, .idx = i, .st = LW_OK};
        assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < WORKERS; i++)
        if (w[i].st != LW_OK)
            fail_msg("%s", w[i].msg);
    assert_true(max_holding >= 1);
    assert_true(max_holding <= POOL);

    lw_org *l = NULL;
    int n = 0;
    int64_t total = 0;
    OK(store_org_list(f->db, f->a, (lw_page){1, LW_PER_PAGE_MAX}, &l, &n, &total, err));
    assert_int_equal(total, WORKERS * PER_WORKER);
    for (int i = 0; i < WORKERS; i++)
        for (int j = 0; j < PER_WORKER; j += 7) {
            char name[32];
            snprintf(name, sizeof name, "Worker %d org %02d", i, j);
            lw_org o;
            OK(store_org_by_name(f->db, f->a, name, &o, err));
        }
    store_close(s);
}

/* Connections for reading and for writing share one pool: on SQLite a writing
 * one does not map the file; when the pool is full, a request takes an idle
 * connection of the other kind instead of waiting for its own. */
static int64_t mapped(lw_db *db, lw_arena *a) {
    db_result r;
    OK(db_query(db, a, "PRAGMA mmap_size", NULL, 0, &r, err));
    return db_int(&r, 0, 0);
}

static void test_pool_kinds(void **state) {
    fixture *f = *state;
    lw_store *s = NULL;
    lw_store_options opt = {.pool_size = 2};
    OK(store_open(f->url, &opt, &s, err));
    lw_db *r1 = NULL, *w1 = NULL, *x = NULL;
    OK(store_acquire_for(s, 0, &r1, err));
    OK(store_acquire_for(s, 1, &w1, err));
    if (strcmp(backend->name, "sqlite") == 0) {
        assert_true(mapped(r1, f->a) > 0);
        assert_int_equal(mapped(w1, f->a), 0);
    }
    /* Both kinds work as connections. */
    add_org(w1, "Written on a writing connection", "other");
    lw_org o;
    OK(store_org_by_name(r1, f->a, "Written on a writing connection", &o, err));
    /* The pool is full (2): a writer gets the idle reading connection at once. */
    store_release(s, r1);
    OK(store_acquire_for(s, 1, &x, err));
    assert_ptr_equal(x, r1);
    store_release(s, x);
    store_release(s, w1);
    /* And each kind gets its own back when both are idle. */
    OK(store_acquire_for(s, 1, &x, err));
    assert_ptr_equal(x, w1);
    store_release(s, x);
    OK(store_acquire_for(s, 0, &x, err));
    assert_ptr_equal(x, r1);
    store_release(s, x);
    store_close(s);
}

/* More distinct statements on one connection than it keeps prepared: each still
 * answers its own query, a statement asked for all along keeps working, and the
 * ones pushed out (finalized) are prepared again when asked for again. */
static void test_many_statements(void **state) {
    fixture *f = *state;
    const char *hot = "SELECT count(*) FROM organisations";
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 300; i++) {
            char *sql = arena_printf(f->a, "SELECT $1 + %d", i);
            db_val p[] = {DB_I(1000 * round)};
            db_result r;
            OK(db_query(f->db, f->a, sql, p, 1, &r, err));
            assert_int_equal(db_int(&r, 0, 0), 1000 * round + i);
            if (i % 7 == 0) {
                OK(db_query(f->db, f->a, hot, NULL, 0, &r, err));
                assert_int_equal(db_int(&r, 0, 0), 0);
            }
        }
}

/* ---- group commit (store_batched) ---- */

enum { BATCH_THREADS = 8, BATCH_JOBS = 600, BODY = 3000 };

typedef struct batch_job {
    int thread, n;
    int fail; /* this job writes, then fails: it alone must be rolled back */
} batch_job;

static char probe_body[BODY + 1]; /* filled before the threads start */

static lw_status probe_row(lw_db *db, void *ctx, lw_error *err) {
    batch_job *j = ctx;
    const char *body = probe_body;
    db_val p[] = {DB_I(j->thread * BATCH_JOBS + j->n + 1), DB_S(body)};
    lw_status st =
        db_exec(db, "INSERT INTO batch_probe (id, body) VALUES ($1, $2)", p, 2, NULL, err);
    if (st == LW_OK && j->fail)
        st = lw_fail(err, LW_ECONFLICT, NULL, "job %d/%d fails on purpose", j->thread, j->n);
    return st;
}

typedef struct batch_worker {
    lw_store *s;
    int idx, bad;
    char msg[600];
} batch_worker;

static void *batch_run(void *arg) {
    batch_worker *w = arg;
    for (int i = 0; i < BATCH_JOBS && !w->bad; i++) {
        batch_job j = {w->idx, i, i % 10 == 3};
        lw_error e = {0};
        lw_status st = store_batched(w->s, probe_row, &j, &e);
        if (st != (j.fail ? LW_ECONFLICT : LW_OK)) {
            w->bad = 1;
            snprintf(w->msg, sizeof w->msg, "job %d/%d: status %d: %s", w->idx, i, st, e.msg);
        }
    }
    return NULL;
}

/* Many threads' writes through the group commit: each job's own status comes
 * back, a failing job takes only its own rows with it, every other row is
 * there when store_batched returns, and on SQLite the write-ahead log stays
 * short although batches follow each other without a pause (the log is
 * copied into the database and started again). */
static void batched_writes(fixture *f, lw_store *store) {
    OK(db_exec(f->db, "CREATE TABLE batch_probe (id BIGINT PRIMARY KEY, body TEXT NOT NULL)", NULL,
               0, NULL, err));
    batch_worker w[BATCH_THREADS];
    pthread_t th[BATCH_THREADS];
    for (int i = 0; i < BATCH_THREADS; i++) {
        w[i] = (batch_worker){.s = store, .idx = i};
        assert_int_equal(pthread_create(&th[i], NULL, batch_run, &w[i]), 0);
    }
    for (int i = 0; i < BATCH_THREADS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < BATCH_THREADS; i++)
        if (w[i].bad)
            fail_msg("%s", w[i].msg);

    db_result r;
    OK(db_query(f->db, f->a, "SELECT count(*), sum(id) FROM batch_probe WHERE id > 0", NULL, 0, &r,
                err));
    int64_t want = 0, sum = 0;
    for (int t = 0; t < BATCH_THREADS; t++)
        for (int i = 0; i < BATCH_JOBS; i++)
            if (i % 10 != 3) {
                want++;
                sum += t * BATCH_JOBS + i + 1;
            }
    assert_int_equal(db_int(&r, 0, 0), want);
    assert_int_equal(db_int(&r, 0, 1), sum);

    if (strcmp(backend->name, "sqlite") == 0) {
        /* About 6,900 pages were written: without the checkpoints the log
         * would hold them all (28 MB). It restarts soon after 1,000 pages
         * (4.2 MB measured): the copier copied it, the leader what was left.
         * A copier that never ended would leave it to the leader at 4,000
         * (16.5 MB). */
        char wal[600];
        snprintf(wal, sizeof wal, "%s-wal", f->url);
        struct stat st;
        assert_int_equal(stat(wal, &st), 0);
        if (st.st_size > 10 * 1024 * 1024)
            fail_msg("the log grew to %lld bytes", (long long)st.st_size);
    }
}

/* With the log copied from 1,000 pages on (about a seventh of what is written), the
 * copier thread and the leader's copy of what it left both run several times. */
static void test_batched_writes(void **state) {
    fixture *f = *state;
    lw_store *s2 = NULL;
    lw_store_options o = {.pool_size = 2, .checkpoint_pages = 1000};
    OK(store_open(f->url, &o, &s2, err));
    batched_writes(f, s2);
    store_close(s2);
}

/* The same with one commit per sync (how the reads' audit file is opened): each
 * batch waits for the last one's sync, and all of the above still holds. */
static void test_batched_writes_commit_per_sync(void **state) {
    fixture *f = *state;
    lw_store *s2 = NULL;
    lw_store_options o = {.pool_size = 2, .commit_per_sync = 1, .checkpoint_pages = 1000};
    OK(store_open(f->url, &o, &s2, err));
    batched_writes(f, s2);
    store_close(s2);
}

/* A disk that cannot confirm a write: the batch's job is told so (its row may be
 * lost), and so is every later one, until the store is opened again. */
static void test_batch_sync_failure(void **state) {
    fixture *f = *state;
    if (strcmp(backend->name, "sqlite") != 0)
        skip(); /* PostgreSQL's commit is its own sync */
    OK(db_exec(f->db, "CREATE TABLE batch_probe (id BIGINT PRIMARY KEY, body TEXT NOT NULL)", NULL,
               0, NULL, err));
    probe_body[0] = '\0';
    batch_job j = {0, 0, 0};
    OK(store_batched(f->s, probe_row, &j, err));
    store_test_fail_syncs(f->s, 1);
    lw_error e = {0};
    j.n = 1;
    assert_int_equal(store_batched(f->s, probe_row, &j, &e), LW_EUNAVAILABLE);
    assert_non_null(strstr(e.msg, "disk"));
    /* The next sync would succeed, but proves nothing about the pages the failed one
     * could not write: no later write is confirmed either. */
    j.n = 2;
    lw_error e2 = {0};
    assert_int_equal(store_batched(f->s, probe_row, &j, &e2), LW_EUNAVAILABLE);
    assert_non_null(strstr(e2.msg, "restarted"));
    /* Opened again (a restart), writes are confirmed again. */
    lw_store *s2 = NULL;
    lw_store_options o = {.pool_size = 2};
    OK(store_open(f->url, &o, &s2, err));
    j.n = 3;
    OK(store_batched(s2, probe_row, &j, err));
    store_close(s2);
}

/* store_service_brief: what a prescription needs to know about a service. */
static void test_service_brief(void **state) {
    fixture *f = *state;
    int64_t org = add_org(f->db, "Riverside Community Gardens", "vcse");
    db_val o[] = {DB_S("dir-org-1"), DB_S("Riverside Gardens CIC"), DB_I(org), DB_I(T0)};
    OK(db_exec(f->db,
               "INSERT INTO directory_organizations (id, name, organisation_id, modified_at) "
               "VALUES ($1, $2, $3, $4)",
               o, 4, NULL, err));
    db_val sv[] = {DB_S("svc-1"), DB_S("dir-org-1"), DB_S("Green Gym"), DB_I(T0)};
    OK(db_exec(f->db,
               "INSERT INTO services (id, organization_id, name, capacity, capacity_status, "
               "modified_at) VALUES ($1, $2, $3, 12, 'waitlist', $4)",
               sv, 4, NULL, err));
    lw_service_brief b;
    OK(store_service_brief(f->db, f->a, "svc-1", &b, err));
    assert_string_equal(b.name, "Green Gym");
    assert_string_equal(b.status, "active");
    assert_int_equal(b.capacity, 12);
    assert_string_equal(b.capacity_status, "waitlist");
    assert_string_equal(b.organization_id, "dir-org-1");
    assert_string_equal(b.organization_name, "Riverside Gardens CIC");
    assert_int_equal(b.managed_by, org);
    lw_error e = {0};
    assert_int_equal(store_service_brief(f->db, f->a, "svc-404", &b, &e), LW_ENOTFOUND);
}

/* store_tables[] (what checksums and migrate-to-postgres cover) names exactly
 * the tables the migrations create, so a new table cannot be left out of a move
 * to PostgreSQL; and both backends have the same migration versions. */
static void test_table_list_matches_schema(void **state) {
    fixture *f = *state;
    db_result r;
    const char *sql = strcmp(store_backend(f->s), "sqlite") == 0
                          ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                            "LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name"
                          : "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND "
                            "tablename <> 'schema_migrations' ORDER BY tablename";
    OK(db_query(f->db, f->a, sql, NULL, 0, &r, err));
    assert_int_equal(r.nrows, store_table_count());
    for (int i = 0; i < r.nrows; i++) {
        int listed = 0;
        for (int j = 0; j < store_table_count(); j++)
            listed |= strcmp(store_table_name(j), db_text(&r, i, 0)) == 0;
        if (!listed)
            fail_msg("table %s is not in store_tables[] (src/store/copy.c)", db_text(&r, i, 0));
    }
    int n = 0;
    for (const lw_embedded *e = lw_sqlite_migrations; e->path; e++, n++)
        assert_non_null(embed_find(lw_postgres_migrations, e->path));
    for (const lw_embedded *e = lw_postgres_migrations; e->path; e++)
        n--;
    assert_int_equal(n, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_and_migrate, empty_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_schema_check_empty, empty_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_schema_newer_than_binary, empty_setup, empty_teardown),
        cmocka_unit_test(test_open_missing),
        cmocka_unit_test(test_open_no_url),
        cmocka_unit_test_setup_teardown(test_org_insert_get, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_org_list_paging, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_org_update, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_org_deactivate_ends_sessions, store_setup,
                                        empty_teardown),
        cmocka_unit_test_setup_teardown(test_user_insert_get, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_user_by_email, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_user_list_filters, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_user_update, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_user_set_password, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_session_lifecycle, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_session_purge, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_tokens, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_login_failures, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_audit_list, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_audit_append_only, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_tx_rollback, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_tx_commit, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_tx_release_rolls_back, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_many_statements, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_batched_writes, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_batched_writes_commit_per_sync, store_setup,
                                        empty_teardown),
        cmocka_unit_test_setup_teardown(test_batch_sync_failure, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_pool_kinds, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_service_brief, store_setup, empty_teardown),
        cmocka_unit_test_setup_teardown(test_table_list_matches_schema, store_setup,
                                        empty_teardown),
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
