/* Who may do what: 401 without credentials, 403 for the wrong role, CSRF on cookie writes,
 * bearer tokens, and deactivated users and organisations. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PW "correct horse battery"

static const char *const non_admin_roles[] = {
    "referrer", "link_worker", "peer_worker", "clinician_prescriber", "provider", "commissioner",
};
#define NROLES (sizeof non_admin_roles / sizeof non_admin_roles[0])

static int setup(void **state) {
    th_server *s = th_start();
    int64_t admin_org = th_org(s, "Admin Org", "other");
    int64_t gp = th_org(s, "Riverside Medical Practice", "gp_practice");
    th_user(s, admin_org, "admin@example.org", "admin", PW);
    th_user(s, admin_org, "admin2@example.org", "admin", PW);
    char email[64];
    for (size_t i = 0; i < NROLES; i++) {
        snprintf(email, sizeof email, "%s@example.org", non_admin_roles[i]);
        th_user(s, gp, email, non_admin_roles[i], PW);
    }
    *state = s;
    return 0;
}

static int teardown(void **state) {
    th_stop(*state);
    return 0;
}

static long long id_of_user(th_server *s, const char *email) {
    return th_sql_countf(s, "SELECT id FROM users WHERE email = '%s'", email);
}

static long long id_of_org(th_server *s, const char *name) {
    return th_sql_countf(s, "SELECT id FROM organisations WHERE name = '%s'", name);
}

static const char *detail_of(const th_resp *r) {
    const char *d = json_string_value(json_object_get(r->json, "detail"));
    assert_non_null(d);
    return d;
}

/* Asserts a 401 problem that says how to authenticate. */
static void assert_unauthorised(const th_resp *r) {
    th_assert_problem(r, 401);
    char h[128];
    if (!th_header(r, "WWW-Authenticate", h, sizeof h))
        fail_msg("401 without WWW-Authenticate: %s", r->headers);
    assert_non_null(strstr(h, "Bearer"));
    char sc[128];
    assert_null(th_header(r, "Set-Cookie", sc, sizeof sc));
}

static void expect_status(th_resp *r, long status, const char *what) {
    if (r->status != status)
        fail_msg("%s: expected %ld, got %ld: %s", what, status, r->status, r->body);
    th_resp_free(r);
}

/* PREFIX/ID, written into BUF. */
static const char *path_id(char *buf, size_t size, const char *prefix, long long id) {
    snprintf(buf, size, "%s/%lld", prefix, id);
    return buf;
}

/* ---- 401: no or bad credentials ---- */

static void protected_routes_need_credentials(void **state) {
    th_server *s = *state;
    static const char *const routes[][2] = {
        {"GET", "/api/v1/users/me"},      {"GET", "/api/v1/users"},   {"GET", "/api/v1/audit"},
        {"GET", "/api/v1/organisations"}, {"GET", "/api/v1/users/1"}, {"DELETE", "/api/v1/session"},
        {"POST", "/api/v1/organisations"}};
    long long orgs = th_sql_count(s, "SELECT count(*) FROM organisations");
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const char *body = strcmp(routes[i][0], "POST") == 0
                               ? "{\"name\": \"Sneaky Org\", \"kind\": \"other\"}"
                               : NULL;
        th_resp *r = th_call(s, NULL, routes[i][0], routes[i][1], body);
        assert_unauthorised(r);
        assert_non_null(strstr(detail_of(r), "sign in"));
        th_resp_free(r);
    }
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM organisations"), orgs);
}

static void garbage_session_cookie_is_refused(void **state) {
    th_server *s = *state;
    static const char *const cookies[] = {
        "Cookie: lw_session=garbage",
        "Cookie: lw_session=lw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "Cookie: other=1; lw_session=%00%27%22",
    };
    for (size_t i = 0; i < sizeof cookies / sizeof cookies[0]; i++) {
        const char *h[] = {cookies[i], NULL};
        th_resp *r = th_raw(s, "GET", "/api/v1/users/me", h, NULL, 0);
        assert_unauthorised(r);
        th_resp_free(r);
    }
    /* A real session's CSRF token does not make a forged cookie work. */
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "admin@example.org", PW), 201);
    snprintf(c.cookie, sizeof c.cookie, "lw_session=garbage");
    th_resp *r = th_call(s, &c, "GET", "/api/v1/users", NULL);
    assert_unauthorised(r);
    th_resp_free(r);
}

static void malformed_authorization_is_refused(void **state) {
    th_server *s = *state;
    static const char *const headers[] = {
        "Authorization: Basic YWRtaW5AZXhhbXBsZS5vcmc6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5",
        "Authorization: Bearer",
        "Authorization: Token abc",
        "Authorization: garbage",
    };
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        const char *h[] = {headers[i], NULL};
        th_resp *r = th_raw(s, "GET", "/api/v1/users/me", h, NULL, 0);
        assert_unauthorised(r);
        th_resp_free(r);
    }
}

static void wrong_bearer_token_is_refused(void **state) {
    th_server *s = *state;
    th_client t = {0};
    th_token(s, "admin@example.org", t.bearer);
    /* A token of the right shape that was never issued, and a real one altered. */
    th_client fake = {0};
    snprintf(fake.bearer, sizeof fake.bearer, "lw_%s",
             "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG");
    th_client altered = t;
    size_t n = strlen(altered.bearer);
    altered.bearer[n - 1] = altered.bearer[n - 1] == 'A' ? 'B' : 'A';
    th_resp *r = th_call(s, &fake, "GET", "/api/v1/users/me", NULL);
    assert_unauthorised(r);
    th_resp_free(r);
    r = th_call(s, &altered, "GET", "/api/v1/users", NULL);
    assert_unauthorised(r);
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM audit_log WHERE action = 'token.use'"),
                     0);
    /* The real one works. */
    r = th_call(s, &t, "GET", "/api/v1/users", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
}

/* ---- bearer tokens ---- */

static void bearer_token_works_and_each_use_is_audited(void **state) {
    th_server *s = *state;
    long long uid = id_of_user(s, "referrer@example.org");
    long long org = id_of_org(s, "Riverside Medical Practice");
    th_client t = {0};
    th_token(s, "referrer@example.org", t.bearer);
    for (int i = 0; i < 3; i++) {
        th_resp *r = th_call(s, &t, "GET", "/api/v1/users/me", NULL);
        assert_int_equal(r->status, 200);
        assert_string_equal(json_string_value(json_object_get(r->json, "email")),
                            "referrer@example.org");
        assert_string_equal(json_string_value(json_object_get(r->json, "role")), "referrer");
        /* A token sets no cookie: it is not a session. */
        char sc[128];
        assert_null(th_header(r, "Set-Cookie", sc, sizeof sc));
        th_resp_free(r);
    }
    assert_int_equal(th_sql_countf(s,
                                   "SELECT count(*) FROM audit_log WHERE action = 'token.use' "
                                   "AND outcome = 'ok' AND user_id = %lld AND role = 'referrer' "
                                   "AND organisation_id = %lld AND remote_addr = '127.0.0.1'",
                                   uid, org),
                     3);
    assert_true(th_sql_count(s, "SELECT count(*) FROM api_tokens WHERE last_used_at > 0") == 1);
    /* A token cannot sign out (there is no session) and still works after trying. */
    th_resp *r = th_call(s, &t, "DELETE", "/api/v1/session", NULL);
    th_assert_problem(r, 400);
    th_resp_free(r);
    r = th_call(s, &t, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
}

static void bearer_writes_need_no_csrf_token(void **state) {
    th_server *s = *state;
    th_client t = {0};
    th_token(s, "admin@example.org", t.bearer);
    th_resp *r = th_call(s, &t, "POST", "/api/v1/organisations",
                         "{\"name\": \"Token Org\", \"kind\": \"vcse\"}");
    assert_int_equal(r->status, 201);
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM organisations WHERE name = 'Token Org'"),
                     1);
    char path[64];
    long long gp = id_of_user(s, "referrer@example.org");
    r = th_call(s, &t, "PATCH", path_id(path, sizeof path, "/api/v1/users", gp),
                "{\"name\": \"Renamed By Token\"}");
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    assert_int_equal(th_sql_countf(s,
                                   "SELECT count(*) FROM users WHERE id = %lld AND name = "
                                   "'Renamed By Token'",
                                   gp),
                     1);
}

/* ---- 403: the wrong role ---- */

typedef struct route_case {
    const char *method;
    const char *path;
    int id; /* append the admin user's id (1) or the admin organisation's id (2) */
    const char *body;
} route_case;

static const route_case admin_routes[] = {
    {"GET", "/api/v1/users", 0, NULL},
    {"POST", "/api/v1/users", 0,
     "{\"email\": \"intruder@example.org\", \"name\": \"Intruder\", \"role\": \"admin\", "
     "\"organisation_id\": 1, \"password\": \"intruder password\"}"},
    {"GET", "/api/v1/users", 1, NULL},
    {"PATCH", "/api/v1/users", 1, "{\"active\": false, \"name\": \"Hacked\"}"},
    {"GET", "/api/v1/organisations", 0, NULL},
    {"POST", "/api/v1/organisations", 0, "{\"name\": \"Intruder Org\", \"kind\": \"other\"}"},
    {"GET", "/api/v1/organisations", 2, NULL},
    {"PATCH", "/api/v1/organisations", 2, "{\"active\": false, \"name\": \"Hacked Org\"}"},
    {"GET", "/api/v1/audit", 0, NULL},
};
#define NADMIN_ROUTES (sizeof admin_routes / sizeof admin_routes[0])

/* The state an admin-only write would change, as one string. */
static char *accounts_snapshot(th_server *s) {
    return th_sql_text(s, "SELECT 'u', id, email, name, role, active, organisation_id FROM users "
                          "UNION ALL SELECT 'o', id, name, kind, CAST(active AS TEXT), NULL, NULL "
                          "FROM organisations ORDER BY 1, 2");
}

/* The id of the user C acts as, from GET /api/v1/users/me. */
static long long me(th_server *s, const th_client *c) {
    th_resp *r = th_call(s, c, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    long long id = json_integer_value(json_object_get(r->json, "id"));
    th_resp_free(r);
    assert_true(id > 0);
    return id;
}

static void refuse_all_admin_routes(th_server *s, const th_client *c, const char *role) {
    long long uid = me(s, c);
    long long admin_id = id_of_user(s, "admin@example.org");
    long long admin_org = id_of_org(s, "Admin Org");
    char path[128], what[256];
    for (size_t i = 0; i < NADMIN_ROUTES; i++) {
        const route_case *rc = &admin_routes[i];
        if (rc->id)
            path_id(path, sizeof path, rc->path, rc->id == 2 ? admin_org : admin_id);
        else
            snprintf(path, sizeof path, "%s", rc->path);
        snprintf(what, sizeof what, "%s %s %s", role, rc->method, path);
        th_resp *r = th_call(s, c, rc->method, path, rc->body);
        if (r->status != 403)
            fail_msg("%s: expected 403, got %ld: %s", what, r->status, r->body);
        th_assert_problem(r, 403);
        /* The refusal says what is needed, and leaks none of the data. */
        assert_non_null(strstr(detail_of(r), "admin"));
        assert_null(json_object_get(r->json, "contents"));
        assert_null(strstr(r->body, "admin@example.org"));
        char h[128];
        assert_null(th_header(r, "WWW-Authenticate", h, sizeof h));
        th_resp_free(r);
        /* The audit row says who was refused what. */
        if (th_sql_countf(s,
                          "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND "
                          "user_id = %lld AND resource_type = 'route' AND resource_id = '%s %s%s'",
                          uid, rc->method, rc->path, rc->id ? "/{id}" : "") != 1)
            fail_msg("%s: no access.denied audit row naming the route", what);
    }
}

static void non_admin_roles_are_refused_admin_routes(void **state) {
    th_server *s = *state;
    char *before = accounts_snapshot(s);
    long long audit_before = th_sql_count(s, "SELECT count(*) FROM audit_log");
    long long org = id_of_org(s, "Riverside Medical Practice");
    char email[64];
    for (size_t i = 0; i < NROLES; i++) {
        snprintf(email, sizeof email, "%s@example.org", non_admin_roles[i]);
        th_client c = {0};
        assert_int_equal(th_login(s, &c, email, PW), 201);
        refuse_all_admin_routes(s, &c, non_admin_roles[i]);
        /* Each refusal is in the audit log, with who was refused. */
        assert_int_equal(th_sql_countf(s,
                                       "SELECT count(*) FROM audit_log WHERE action = "
                                       "'access.denied' AND outcome = 'denied' AND user_id = %lld "
                                       "AND role = '%s' AND organisation_id = %lld AND "
                                       "remote_addr = '127.0.0.1'",
                                       id_of_user(s, email), non_admin_roles[i], org),
                         (long long)NADMIN_ROUTES);
    }
    /* Nothing was written but the audit log: users, organisations unchanged. */
    char *after = accounts_snapshot(s);
    assert_string_equal(before, after);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM users"), 2 + (long long)NROLES);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM organisations"), 2);
    /* Only the logins and the refusals were audited: no user.read, user.list or audit.read. */
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM audit_log") - audit_before,
                     (long long)(NROLES * (1 + NADMIN_ROUTES)));
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM audit_log WHERE action IN "
                                     "('user.read', 'user.list', 'audit.read', 'user.update', "
                                     "'organisation.update')"),
                     0);
    free(before);
    free(after);
    /* The admin, meanwhile, is let through. */
    th_client admin = {0};
    assert_int_equal(th_login(s, &admin, "admin@example.org", PW), 201);
    expect_status(th_call(s, &admin, "GET", "/api/v1/users", NULL), 200, "admin GET users");
    expect_status(th_call(s, &admin, "GET", "/api/v1/audit", NULL), 200, "admin GET audit");
}

static void a_token_of_the_wrong_role_is_refused_too(void **state) {
    th_server *s = *state;
    char *before = accounts_snapshot(s);
    th_client t = {0};
    th_token(s, "provider@example.org", t.bearer);
    refuse_all_admin_routes(s, &t, "provider (token)");
    char *after = accounts_snapshot(s);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(
        th_sql_count(s, "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND "
                        "role = 'provider'"),
        (long long)NADMIN_ROUTES);
}

static void refusal_does_not_reveal_whether_a_record_exists(void **state) {
    th_server *s = *state;
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "referrer@example.org", PW), 201);
    th_resp *a = th_call(s, &c, "GET", "/api/v1/users/1", NULL);
    th_resp *b = th_call(s, &c, "GET", "/api/v1/users/999999", NULL);
    th_assert_problem(a, 403);
    th_assert_problem(b, 403);
    assert_string_equal(detail_of(a), detail_of(b));
    th_resp_free(a);
    th_resp_free(b);
}

static void referrer_cannot_make_themselves_admin(void **state) {
    th_server *s = *state;
    long long me = id_of_user(s, "referrer@example.org");
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "referrer@example.org", PW), 201);
    char path[64];
    th_resp *r = th_call(s, &c, "PATCH", path_id(path, sizeof path, "/api/v1/users", me),
                         "{\"role\": \"admin\"}");
    th_assert_problem(r, 403);
    th_resp_free(r);
    assert_int_equal(th_sql_countf(s,
                                   "SELECT count(*) FROM users WHERE id = %lld AND role = "
                                   "'referrer'",
                                   me),
                     1);
    expect_status(th_call(s, &c, "GET", "/api/v1/users", NULL), 403, "referrer GET users");
}

static void a_role_change_applies_to_open_sessions_at_once(void **state) {
    th_server *s = *state;
    th_client admin = {0}, other = {0}, ref = {0};
    assert_int_equal(th_login(s, &admin, "admin@example.org", PW), 201);
    assert_int_equal(th_login(s, &other, "admin2@example.org", PW), 201);
    assert_int_equal(th_login(s, &ref, "referrer@example.org", PW), 201);
    expect_status(th_call(s, &other, "GET", "/api/v1/users", NULL), 200, "admin2 before");
    expect_status(th_call(s, &ref, "GET", "/api/v1/users", NULL), 403, "referrer before");
    char path[64];
    expect_status(
        th_call(s, &admin, "PATCH",
                path_id(path, sizeof path, "/api/v1/users", id_of_user(s, "admin2@example.org")),
                "{\"role\": \"commissioner\"}"),
        200, "demote admin2");
    expect_status(
        th_call(s, &admin, "PATCH",
                path_id(path, sizeof path, "/api/v1/users", id_of_user(s, "referrer@example.org")),
                "{\"role\": \"admin\"}"),
        200, "promote referrer");
    expect_status(th_call(s, &other, "GET", "/api/v1/users", NULL), 403, "admin2 after");
    expect_status(th_call(s, &ref, "GET", "/api/v1/users", NULL), 200, "referrer after");
}

/* ---- CSRF ---- */

static void cookie_writes_without_csrf_token_are_refused(void **state) {
    th_server *s = *state;
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "admin@example.org", PW), 201);
    th_client bad[2];
    bad[0] = c;
    bad[0].csrf[0] = '\0'; /* no header */
    bad[1] = c;
    snprintf(bad[1].csrf, sizeof bad[1].csrf, "lw_not-the-token-of-this-session");
    long long gp = id_of_user(s, "referrer@example.org");
    char upath[64], opath[64];
    path_id(upath, sizeof upath, "/api/v1/users", gp);
    path_id(opath, sizeof opath, "/api/v1/organisations",
            id_of_org(s, "Riverside Medical Practice"));
    char *before = accounts_snapshot(s);
    const route_case writes[] = {
        {"POST", "/api/v1/organisations", 0, "{\"name\": \"Forged Org\", \"kind\": \"other\"}"},
        {"POST", "/api/v1/users", 0,
         "{\"email\": \"forged@example.org\", \"name\": \"Forged\", \"role\": \"admin\", "
         "\"organisation_id\": 1, \"password\": \"forged password\"}"},
        {"PATCH", upath, 0, "{\"active\": false}"},
        {"PATCH", opath, 0, "{\"name\": \"Forged Name\"}"},
        {"DELETE", "/api/v1/session", 0, NULL},
    };
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
            th_resp *r = th_call(s, &bad[k], writes[i].method, writes[i].path, writes[i].body);
            const char *field = th_assert_problem(r, 403);
            if (!field || strcmp(field, "X-CSRF-Token") != 0)
                fail_msg("%s %s (%s): expected field X-CSRF-Token: %s", writes[i].method,
                         writes[i].path, k ? "wrong token" : "no token", r->body);
            assert_non_null(strstr(detail_of(r), "X-CSRF-Token"));
            th_resp_free(r);
        }
    }
    /* Nothing changed, and the session was not signed out. */
    char *after = accounts_snapshot(s);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM sessions"), 1);
    /* Each refusal is in the audit log, naming the route that was attempted. */
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'access.denied' AND resource_type = 'csrf' AND outcome = "
                                     "'denied' AND resource_id = 'PATCH /api/v1/users/{id}'"),
                     2);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM audit_log WHERE resource_type = "
                                     "'csrf'"),
                     10);
    expect_status(th_call(s, &c, "GET", "/api/v1/users/me", NULL), 200, "still signed in");
}

static void another_sessions_csrf_token_does_not_fit(void **state) {
    th_server *s = *state;
    th_client a = {0}, b = {0};
    assert_int_equal(th_login(s, &a, "admin@example.org", PW), 201);
    assert_int_equal(th_login(s, &b, "admin@example.org", PW), 201);
    assert_string_not_equal(a.csrf, b.csrf);
    th_client mixed = a;
    memcpy(mixed.csrf, b.csrf, sizeof mixed.csrf);
    th_resp *r = th_call(s, &mixed, "POST", "/api/v1/organisations",
                         "{\"name\": \"Mixed Org\", \"kind\": \"other\"}");
    const char *field = th_assert_problem(r, 403);
    assert_non_null(field);
    assert_string_equal(field, "X-CSRF-Token");
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM organisations WHERE name = 'Mixed Org'"),
                     0);
}

static void cookie_writes_with_the_csrf_token_work(void **state) {
    th_server *s = *state;
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "admin@example.org", PW), 201);
    th_resp *r = th_call(s, &c, "POST", "/api/v1/organisations",
                         "{\"name\": \"Good Org\", \"kind\": \"vcse\"}");
    assert_int_equal(r->status, 201);
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM organisations WHERE name = 'Good Org'"),
                     1);
    long long gp = id_of_user(s, "referrer@example.org");
    char path[64];
    r = th_call(s, &c, "PATCH", path_id(path, sizeof path, "/api/v1/users", gp),
                "{\"name\": \"Dr Renamed\"}");
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    assert_int_equal(
        th_sql_countf(s, "SELECT count(*) FROM users WHERE id = %lld AND name = 'Dr Renamed'", gp),
        1);
    r = th_call(s, &c, "DELETE", "/api/v1/session", NULL);
    assert_int_equal(r->status, 204);
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM sessions"), 0);
}

static void reads_need_no_csrf_token(void **state) {
    th_server *s = *state;
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "admin@example.org", PW), 201);
    c.csrf[0] = '\0';
    static const char *const paths[] = {"/api/v1/users/me", "/api/v1/users",
                                        "/api/v1/organisations", "/api/v1/audit",
                                        "/api/v1/users/1"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        expect_status(th_call(s, &c, "GET", paths[i], NULL), 200, paths[i]);
}

/* ---- deactivation ---- */

static void deactivated_user_is_locked_out_at_once(void **state) {
    th_server *s = *state;
    th_client admin = {0}, user = {0}, token = {0};
    assert_int_equal(th_login(s, &admin, "admin@example.org", PW), 201);
    assert_int_equal(th_login(s, &user, "referrer@example.org", PW), 201);
    th_token(s, "referrer@example.org", token.bearer);
    expect_status(th_call(s, &user, "GET", "/api/v1/users/me", NULL), 200, "session before");
    expect_status(th_call(s, &token, "GET", "/api/v1/users/me", NULL), 200, "token before");

    char path[64];
    path_id(path, sizeof path, "/api/v1/users", id_of_user(s, "referrer@example.org"));
    th_resp *r = th_call(s, &admin, "PATCH", path, "{\"active\": false}");
    assert_int_equal(r->status, 200);
    assert_false(json_boolean_value(json_object_get(r->json, "active")));
    th_resp_free(r);

    r = th_call(s, &user, "GET", "/api/v1/users/me", NULL);
    assert_unauthorised(r);
    th_resp_free(r);
    r = th_call(s, &token, "GET", "/api/v1/users/me", NULL);
    assert_unauthorised(r);
    th_resp_free(r);
    /* Deactivation revoked the token: it is gone, not just refused. */
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM api_tokens t JOIN users u ON "
                                     "u.id = t.user_id WHERE u.email = 'referrer@example.org'"),
                     0);
    th_client again = {0};
    assert_int_equal(th_login(s, &again, "referrer@example.org", PW), 401);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM sessions s JOIN users u ON "
                                     "u.id = s.user_id WHERE u.email = 'referrer@example.org'"),
                     0);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'session.login' AND outcome = 'denied'"),
                     1);

    /* Reactivated: they can sign in again; the old session and token stay ended. */
    r = th_call(s, &admin, "PATCH", path, "{\"active\": true}");
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    r = th_call(s, &user, "GET", "/api/v1/users/me", NULL);
    assert_unauthorised(r);
    th_resp_free(r);
    r = th_call(s, &token, "GET", "/api/v1/users/me", NULL);
    assert_unauthorised(r);
    th_resp_free(r);
    assert_int_equal(th_login(s, &again, "referrer@example.org", PW), 201);
    expect_status(th_call(s, &again, "GET", "/api/v1/users/me", NULL), 200, "after reactivation");
}

static void deactivated_organisation_locks_out_its_users(void **state) {
    th_server *s = *state;
    th_client admin = {0}, user = {0}, token = {0};
    assert_int_equal(th_login(s, &admin, "admin@example.org", PW), 201);
    assert_int_equal(th_login(s, &user, "link_worker@example.org", PW), 201);
    th_token(s, "provider@example.org", token.bearer);
    expect_status(th_call(s, &user, "GET", "/api/v1/users/me", NULL), 200, "session before");
    expect_status(th_call(s, &token, "GET", "/api/v1/users/me", NULL), 200, "token before");

    char path[64];
    path_id(path, sizeof path, "/api/v1/organisations", id_of_org(s, "Riverside Medical Practice"));
    th_resp *r = th_call(s, &admin, "PATCH", path, "{\"active\": false}");
    assert_int_equal(r->status, 200);
    assert_false(json_boolean_value(json_object_get(r->json, "active")));
    th_resp_free(r);

    r = th_call(s, &user, "GET", "/api/v1/users/me", NULL);
    assert_unauthorised(r);
    th_resp_free(r);
    r = th_call(s, &token, "GET", "/api/v1/users/me", NULL);
    assert_unauthorised(r);
    th_resp_free(r);
    th_client again = {0};
    for (size_t i = 0; i < NROLES; i++) {
        char email[64];
        snprintf(email, sizeof email, "%s@example.org", non_admin_roles[i]);
        assert_int_equal(th_login(s, &again, email, PW), 401);
    }
    /* Other organisations are unaffected. */
    expect_status(th_call(s, &admin, "GET", "/api/v1/users/me", NULL), 200, "admin");

    r = th_call(s, &admin, "PATCH", path, "{\"active\": true}");
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    assert_int_equal(th_login(s, &again, "link_worker@example.org", PW), 201);
    expect_status(th_call(s, &again, "GET", "/api/v1/users/me", NULL), 200, "after reactivation");
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(protected_routes_need_credentials),
        T(garbage_session_cookie_is_refused),
        T(malformed_authorization_is_refused),
        T(wrong_bearer_token_is_refused),
        T(bearer_token_works_and_each_use_is_audited),
        T(bearer_writes_need_no_csrf_token),
        T(non_admin_roles_are_refused_admin_routes),
        T(a_token_of_the_wrong_role_is_refused_too),
        T(refusal_does_not_reveal_whether_a_record_exists),
        T(referrer_cannot_make_themselves_admin),
        T(a_role_change_applies_to_open_sessions_at_once),
        T(cookie_writes_without_csrf_token_are_refused),
        T(another_sessions_csrf_token_does_not_fit),
        T(cookie_writes_with_the_csrf_token_work),
        T(reads_need_no_csrf_token),
        T(deactivated_user_is_locked_out_at_once),
        T(deactivated_organisation_locks_out_its_users),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
