/* Signing in and out, sessions, throttling, and what the audit and access logs keep of it. */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define PW "correct horse battery"
#define MINUTE (60LL * 1000)

static int setup(void **state) {
    th_server *s = th_start();
    int64_t admin_org = th_org(s, "Admin Org", "other");
    int64_t gp = th_org(s, "Riverside Medical Practice", "gp_practice");
    th_user(s, admin_org, "admin@example.org", "admin", PW);
    th_user(s, gp, "gp@example.org", "referrer", PW);
    *state = s;
    return 0;
}

static int teardown(void **state) {
    th_stop(*state);
    return 0;
}

/* POST /api/v1/session with a raw JSON body. */
static th_resp *login_body(th_server *s, const char *body) {
    return th_call(s, NULL, "POST", "/api/v1/session", body);
}

static th_resp *login_resp(th_server *s, const char *email, const char *password) {
    json_t *body = json_pack("{s:s, s:s}", "email", email, "password", password);
    char *text = json_dumps(body, 0);
    th_resp *r = login_body(s, text);
    free(text);
    json_decref(body);
    return r;
}

static const char *detail_of(const th_resp *r) {
    const char *d = json_string_value(json_object_get(r->json, "detail"));
    assert_non_null(d);
    return d;
}

/* Asserts a 429 problem with a Retry-After of whole positive seconds; returns them. */
static long assert_throttled(const th_resp *r) {
    th_assert_problem(r, 429);
    char ra[64];
    if (!th_header(r, "Retry-After", ra, sizeof ra))
        fail_msg("429 without Retry-After: %s", r->headers);
    for (const char *p = ra; *p; p++)
        if (!isdigit((unsigned char)*p))
            fail_msg("Retry-After is not whole seconds: '%s'", ra);
    long secs = strtol(ra, NULL, 10);
    assert_true(secs > 0);
    assert_true(secs <= 15 * 60);
    assert_int_equal(json_integer_value(json_object_get(r->json, "retry_after")), secs);
    char sc[256];
    assert_null(th_header(r, "Set-Cookie", sc, sizeof sc));
    return secs;
}

static long long user_id(th_server *s, const char *email) {
    return th_sql_countf(s, "SELECT id FROM users WHERE email = '%s'", email);
}

/* The access log once it has at least LINES lines: a line is written when the
 * server has finished a request, which may be just after the client has its answer. */
static char *read_log_lines(th_server *s, int lines) {
    for (int tries = 0;; tries++) {
        char *log = th_read_log(s);
        int n = 0;
        for (const char *p = log; (p = strchr(p, '\n')) != NULL; p++)
            n++;
        if (n >= lines || tries == 200)
            return log;
        free(log);
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* ---- signing in ---- */

static void login_ok_sets_httponly_strict_cookie(void **state) {
    th_server *s = *state;
    th_resp *r = login_resp(s, "gp@example.org", PW);
    assert_int_equal(r->status, 201);
    char sc[512];
    assert_non_null(th_header(r, "Set-Cookie", sc, sizeof sc));
    assert_non_null(strstr(sc, "lw_session="));
    assert_non_null(strstr(sc, "HttpOnly"));
    assert_non_null(strstr(sc, "SameSite=Strict"));
    assert_non_null(strstr(sc, "Path=/"));
    const char *csrf = json_string_value(json_object_get(r->json, "csrf_token"));
    assert_non_null(csrf);
    assert_true(strlen(csrf) > 20);
    /* The CSRF token is not the session id. */
    assert_null(strstr(sc, csrf));
    assert_int_equal(json_integer_value(json_object_get(r->json, "idle_timeout_seconds")), 30 * 60);
    json_t *user = json_object_get(r->json, "user");
    assert_string_equal(json_string_value(json_object_get(user, "email")), "gp@example.org");
    assert_string_equal(json_string_value(json_object_get(user, "role")), "referrer");
    assert_null(json_object_get(user, "password_hash"));
    assert_null(strstr(r->body, "argon2"));
    th_resp_free(r);
}

static void wrong_password_and_unknown_user_look_the_same(void **state) {
    th_server *s = *state;
    th_resp *a = login_resp(s, "gp@example.org", "wrong password!");
    th_resp *b = login_resp(s, "nobody@example.org", "wrong password!");
    th_assert_problem(a, 401);
    th_assert_problem(b, 401);
    assert_string_equal(detail_of(a), detail_of(b));
    assert_string_equal(json_string_value(json_object_get(a->json, "title")),
                        json_string_value(json_object_get(b->json, "title")));
    assert_null(json_object_get(a->json, "field"));
    assert_null(json_object_get(b->json, "field"));
    /* Nothing in the answer hints whether the account exists. */
    assert_null(strstr(detail_of(b), "exist"));
    assert_null(strstr(detail_of(b), "nobody"));
    char sc[256];
    assert_null(th_header(a, "Set-Cookie", sc, sizeof sc));
    assert_null(th_header(b, "Set-Cookie", sc, sizeof sc));
    th_resp_free(a);
    th_resp_free(b);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM sessions"), 0);
}

static void login_email_is_case_insensitive(void **state) {
    th_server *s = *state;
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "GP@Example.ORG", PW), 201);
    th_resp *r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(json_string_value(json_object_get(r->json, "email")), "gp@example.org");
    th_resp_free(r);
    /* The password is not case-insensitive. */
    th_resp *w = login_resp(s, "gp@example.org", "CORRECT HORSE BATTERY");
    th_assert_problem(w, 401);
    th_resp_free(w);
}

static void login_without_email_names_the_field(void **state) {
    th_server *s = *state;
    th_resp *r = login_body(s, "{\"password\": \"" PW "\"}");
    const char *field = th_assert_problem(r, 400);
    assert_non_null(field);
    assert_string_equal(field, "email");
    th_resp_free(r);
    r = login_body(s, "{\"email\": \"\", \"password\": \"" PW "\"}");
    field = th_assert_problem(r, 400);
    assert_non_null(field);
    assert_string_equal(field, "email");
    th_resp_free(r);
    /* A malformed request is not a failed attempt: it does not count towards throttling. */
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM login_failures"), 0);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM sessions"), 0);
}

static void login_password_must_be_a_string(void **state) {
    th_server *s = *state;
    static const char *const bodies[] = {
        "{\"email\": \"gp@example.org\", \"password\": 12345678901}",
        "{\"email\": \"gp@example.org\", \"password\": [\"" PW "\"]}",
        "{\"email\": \"gp@example.org\", \"password\": true}",
        "{\"email\": \"gp@example.org\"}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        th_resp *r = login_body(s, bodies[i]);
        const char *field = th_assert_problem(r, 400);
        if (!field || strcmp(field, "password") != 0)
            fail_msg("%s: expected field password, got %s", bodies[i], r->body);
        th_resp_free(r);
    }
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM sessions"), 0);
}

static void login_unknown_field_is_named(void **state) {
    th_server *s = *state;
    th_resp *r = login_body(s, "{\"email\": \"gp@example.org\", \"password\": \"" PW
                               "\", \"remember_me\": true}");
    const char *field = th_assert_problem(r, 400);
    assert_non_null(field);
    assert_string_equal(field, "remember_me");
    assert_non_null(strstr(detail_of(r), "remember_me"));
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM sessions"), 0);
}

static void login_body_must_be_a_json_object(void **state) {
    th_server *s = *state;
    static const char *const bodies[] = {"[]", "\"gp@example.org\"", "{\"email\": "};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        th_resp *r = login_body(s, bodies[i]);
        th_assert_problem(r, 400);
        th_resp_free(r);
    }
    th_resp *r = th_raw(s, "POST", "/api/v1/session", NULL, NULL, 0);
    th_assert_problem(r, 400);
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM sessions"), 0);
}

static void me_needs_credentials(void **state) {
    th_server *s = *state;
    th_resp *r = th_call(s, NULL, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    th_resp_free(r);
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
    r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(json_string_value(json_object_get(r->json, "role")), "referrer");
    th_resp_free(r);
}

static void logout_ends_the_session(void **state) {
    th_server *s = *state;
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
    th_resp *r = th_call(s, &c, "DELETE", "/api/v1/session", NULL);
    assert_int_equal(r->status, 204);
    char sc[256];
    assert_non_null(th_header(r, "Set-Cookie", sc, sizeof sc));
    assert_non_null(strstr(sc, "lw_session=;"));
    assert_non_null(strstr(sc, "Max-Age=0"));
    th_resp_free(r);
    /* The old cookie, replayed, no longer works. */
    r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM sessions"), 0);
}

static void logout_ends_only_that_session(void **state) {
    th_server *s = *state;
    th_client a = {0}, b = {0};
    assert_int_equal(th_login(s, &a, "gp@example.org", PW), 201);
    assert_int_equal(th_login(s, &b, "gp@example.org", PW), 201);
    assert_string_not_equal(a.cookie, b.cookie);
    th_resp *r = th_call(s, &a, "DELETE", "/api/v1/session", NULL);
    assert_int_equal(r->status, 204);
    th_resp_free(r);
    r = th_call(s, &b, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
}

/* ---- throttling ---- */

static void five_failures_throttle_the_account(void **state) {
    th_server *s = *state;
    for (int i = 0; i < 5; i++) {
        th_resp *r = login_resp(s, "gp@example.org", "wrong password!");
        th_assert_problem(r, 401);
        th_resp_free(r);
    }
    /* Even the right password is refused now. */
    th_resp *r = login_resp(s, "gp@example.org", PW);
    long first = assert_throttled(r);
    assert_true(first >= 15 * 60 - 5);
    th_resp_free(r);
    /* Ten minutes on, still refused, and Retry-After counts down. */
    th_advance(s, 10 * MINUTE);
    r = login_resp(s, "GP@example.org", PW);
    long later = assert_throttled(r);
    assert_true(later <= 5 * 60);
    assert_true(later >= 5 * 60 - 5);
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM sessions"), 0);
    /* Once the window has passed, the right password works again. */
    th_advance(s, 5 * MINUTE + 1000);
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
    r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
}

typedef struct guess {
    th_server *s;
    long status;
} guess;

static void *guess_once(void *arg) {
    guess *g = arg;
    th_resp *r = th_call(g->s, NULL, "POST", "/api/v1/session",
                         "{\"email\": \"gp@example.org\", \"password\": \"a wrong guess\"}");
    g->status = r->status;
    th_resp_free(r);
    return NULL;
}

/* Guesses sent all at once get no more tries than guesses sent one by one:
 * at most five are checked (401), every other one is throttled (429). */
static void parallel_guesses_are_throttled_too(void **state) {
    th_server *s = *state;
    enum { N = 24 };
    guess g[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        g[i] = (guess){.s = s};
        assert_int_equal(pthread_create(&t[i], NULL, guess_once, &g[i]), 0);
    }
    int checked = 0, throttled = 0;
    for (int i = 0; i < N; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        checked += g[i].status == 401;
        throttled += g[i].status == 429;
    }
    assert_int_equal(checked + throttled, N);
    assert_true(checked >= 1);
    assert_true(checked <= 5);
    /* And the right password is refused now too. */
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 429);
}

static void throttle_after_full_window(void **state) {
    th_server *s = *state;
    for (int i = 0; i < 5; i++) {
        th_resp *r = login_resp(s, "gp@example.org", "wrong password!");
        th_assert_problem(r, 401);
        th_resp_free(r);
    }
    th_resp *r = login_resp(s, "gp@example.org", PW);
    assert_throttled(r);
    th_resp_free(r);
    th_advance(s, 15 * MINUTE + 1000);
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
}

static void throttle_is_per_account(void **state) {
    th_server *s = *state;
    for (int i = 0; i < 5; i++) {
        th_resp *r = login_resp(s, "gp@example.org", "wrong password!");
        th_resp_free(r);
    }
    th_resp *r = login_resp(s, "gp@example.org", PW);
    assert_throttled(r);
    th_resp_free(r);
    /* Someone else signing in from the same address is not affected. */
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "admin@example.org", PW), 201);
}

static void signing_in_resets_the_account_count(void **state) {
    th_server *s = *state;
    th_client c = {0};
    /* Four mistakes, a success, four more mistakes: never five in a row, never throttled. */
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 4; i++) {
            th_resp *r = login_resp(s, "gp@example.org", "wrong password!");
            th_assert_problem(r, 401);
            th_resp_free(r);
        }
        if (th_login(s, &c, "gp@example.org", PW) != 201)
            fail_msg("round %d: the right password was refused", round);
    }
}

static void unknown_account_is_throttled_the_same_way(void **state) {
    th_server *s = *state;
    for (int i = 0; i < 5; i++) {
        th_resp *a = login_resp(s, "gp@example.org", "wrong password!");
        th_resp *b = login_resp(s, "nobody@example.org", "wrong password!");
        th_assert_problem(a, 401);
        th_assert_problem(b, 401);
        assert_string_equal(detail_of(a), detail_of(b));
        th_resp_free(a);
        th_resp_free(b);
    }
    th_resp *a = login_resp(s, "gp@example.org", PW);
    th_resp *b = login_resp(s, "nobody@example.org", PW);
    long wa = assert_throttled(a);
    long wb = assert_throttled(b);
    assert_true(labs(wa - wb) <= 2);
    assert_string_equal(json_string_value(json_object_get(a->json, "title")),
                        json_string_value(json_object_get(b->json, "title")));
    /* The details differ at most in the number of seconds. */
    const char *da = detail_of(a), *db = detail_of(b);
    for (; *da && *db; da++, db++) {
        while (isdigit((unsigned char)*da))
            da++;
        while (isdigit((unsigned char)*db))
            db++;
        assert_int_equal(*da, *db);
        if (!*da)
            break;
    }
    th_resp_free(a);
    th_resp_free(b);
}

static void twenty_failures_from_one_address_throttle_it(void **state) {
    th_server *s = *state;
    char email[64];
    /* Two failures each for ten accounts: no account reaches its own limit. */
    for (int i = 0; i < 20; i++) {
        snprintf(email, sizeof email, "user%d@example.org", i / 2);
        th_resp *r = login_resp(s, email, "wrong password!");
        th_assert_problem(r, 401);
        th_resp_free(r);
    }
    /* Yet another account, with the right password, from the same address. */
    th_resp *r = login_resp(s, "admin@example.org", PW);
    assert_throttled(r);
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM sessions"), 0);
    th_advance(s, 15 * MINUTE + 1000);
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "admin@example.org", PW), 201);
}

/* ---- session expiry ---- */

static void idle_session_expires_after_30_minutes(void **state) {
    th_server *s = *state;
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
    /* Activity keeps it alive: 29 + 29 minutes is more than 30 in all. */
    for (int i = 0; i < 2; i++) {
        th_advance(s, 29 * MINUTE);
        th_resp *r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
        assert_int_equal(r->status, 200);
        th_resp_free(r);
    }
    th_advance(s, 31 * MINUTE);
    th_resp *r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    const char *d = detail_of(r);
    if (!strstr(d, "session ended") || !strstr(d, "30 minutes"))
        fail_msg("detail does not say the session ended after 30 idle minutes: %s", d);
    char h[128];
    assert_non_null(th_header(r, "WWW-Authenticate", h, sizeof h));
    th_resp_free(r);
    /* And it stays ended. */
    r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM sessions"), 0);
}

/* The last-seen time is written at most once a minute (a write per request
 * was a turn at SQLite's one write lock for every read): a session ends between
 * 29 and 30 idle minutes after its last request, never later. */
static void last_seen_is_written_at_most_once_a_minute(void **state) {
    th_server *s = *state;
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
    const char *untouched = "SELECT count(*) FROM sessions WHERE last_seen_at = created_at";
    th_advance(s, 59 * 1000);
    th_resp *r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, untouched), 1);
    th_advance(s, 2 * 1000);
    r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, untouched), 0);
    /* Requests within the minute after that touch are not written... */
    th_advance(s, 50 * 1000);
    r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    /* ...so 30 minutes after the touch (29 min 10 s after the last request) it has ended. */
    th_advance(s, 29 * MINUTE + 10 * 1000);
    r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    th_resp_free(r);
}

static void busy_session_ends_after_12_hours(void **state) {
    th_server *s = *state;
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
    /* A request every 20 minutes: alive up to 11h40, refused at 12h. */
    for (int step = 1; step <= 35; step++) {
        th_advance(s, 20 * MINUTE);
        th_resp *r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
        if (r->status != 200)
            fail_msg("after %d minutes: %ld %s", step * 20, r->status, r->body);
        th_resp_free(r);
    }
    th_advance(s, 20 * MINUTE);
    th_resp *r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    const char *d = detail_of(r);
    if (!strstr(d, "session ended") || !strstr(d, "12 hours"))
        fail_msg("detail does not say the session ended after 12 hours: %s", d);
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM sessions"), 0);
    /* Signing in again gives a fresh session. */
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
    r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
}

/* ---- audit and access logs ---- */

static void logins_logouts_and_token_use_are_audited(void **state) {
    th_server *s = *state;
    long long gp = user_id(s, "gp@example.org");
    long long gp_org =
        th_sql_count(s, "SELECT id FROM organisations WHERE name = 'Riverside Medical Practice'");
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
    assert_int_equal(th_sql_countf(s,
                                   "SELECT count(*) FROM audit_log WHERE action = 'session.login' "
                                   "AND outcome = 'ok' AND user_id = %lld AND role = 'referrer' "
                                   "AND organisation_id = %lld AND resource_type = 'user' "
                                   "AND resource_id = '%lld' AND remote_addr = '127.0.0.1' "
                                   "AND at > 0",
                                   gp, gp_org, gp),
                     1);

    th_resp *r = login_resp(s, "gp@example.org", "wrong password!");
    th_assert_problem(r, 401);
    th_resp_free(r);
    /* Nobody signed in: the row names the account tried, not an actor. */
    assert_int_equal(th_sql_countf(s,
                                   "SELECT count(*) FROM audit_log WHERE action = 'session.login' "
                                   "AND outcome = 'failed' AND user_id IS NULL AND role IS NULL "
                                   "AND organisation_id IS NULL AND resource_id = '%lld' "
                                   "AND remote_addr = '127.0.0.1'",
                                   gp),
                     1);

    for (int i = 0; i < 5; i++) {
        r = login_resp(s, "nobody@example.org", "wrong password!");
        th_resp_free(r);
    }
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'session.login' AND outcome = 'failed'"),
                     6);
    r = login_resp(s, "nobody@example.org", "wrong password!");
    assert_throttled(r);
    th_resp_free(r);
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'session.login' AND outcome = 'throttled' AND user_id IS "
                                     "NULL AND remote_addr = '127.0.0.1'"),
                     1);

    r = th_call(s, &c, "DELETE", "/api/v1/session", NULL);
    assert_int_equal(r->status, 204);
    th_resp_free(r);
    assert_int_equal(th_sql_countf(s,
                                   "SELECT count(*) FROM audit_log WHERE action = "
                                   "'session.logout' AND outcome = 'ok' AND user_id = %lld AND "
                                   "role = 'referrer' AND organisation_id = %lld AND "
                                   "remote_addr = '127.0.0.1'",
                                   gp, gp_org),
                     1);

    th_client t = {0};
    th_token(s, "gp@example.org", t.bearer);
    r = th_call(s, &t, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    assert_int_equal(th_sql_countf(s,
                                   "SELECT count(*) FROM audit_log WHERE action = 'token.use' "
                                   "AND outcome = 'ok' AND user_id = %lld AND role = 'referrer' "
                                   "AND organisation_id = %lld AND resource_type = 'token' "
                                   "AND remote_addr = '127.0.0.1'",
                                   gp, gp_org),
                     1);
    /* The audit log is append-only. */
    char msg[256];
    assert_int_equal(th_sql_exec(s, "DELETE FROM audit_log", msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "append-only"));
}

static void no_secret_reaches_the_audit_or_access_log(void **state) {
    th_server *s = *state;
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
    /* The cookie's value, without "lw_session=". */
    const char *sid = strchr(c.cookie, '=') + 1;
    assert_true(strlen(sid) > 20);
    th_resp *r = login_resp(s, "gp@example.org", "wrong password 1!");
    th_resp_free(r);
    for (int i = 0; i < 6; i++) {
        r = login_resp(s, "nobody@example.org", "wrong password 2!");
        th_resp_free(r);
    }
    r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    th_client admin = {0};
    assert_int_equal(th_login(s, &admin, "admin@example.org", PW), 201);
    r = th_call(s, &admin, "GET", "/api/v1/audit?per_page=100", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    r = th_call(s, &admin, "GET", "/api/v1/users/1", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    th_client t = {0};
    th_token(s, "gp@example.org", t.bearer);
    r = th_call(s, &t, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    r = th_call(s, &c, "DELETE", "/api/v1/session", NULL);
    assert_int_equal(r->status, 204);
    th_resp_free(r);

    const char *secrets[] = {
        PW,       "wrong password 1!", "wrong password 2!",          sid, c.csrf,
        t.bearer, admin.csrf,          strchr(admin.cookie, '=') + 1};
    char *audit = th_sql_text(s, "SELECT * FROM audit_log");
    /* The dump did read the rows it searches. */
    assert_non_null(strstr(audit, "session.login"));
    assert_non_null(strstr(audit, "session.logout"));
    assert_non_null(strstr(audit, "token.use"));
    assert_non_null(strstr(audit, "127.0.0.1"));
    char *log = read_log_lines(s, 14);
    assert_non_null(strstr(log, "/api/v1/session"));
    /* Sessions and tokens are kept only as digests. */
    char *kept = th_sql_text(s, "SELECT * FROM sessions");
    char *tokens = th_sql_text(s, "SELECT * FROM api_tokens");
    assert_true(strlen(tokens) > 0);
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        assert_true(strlen(secrets[i]) >= 10);
        if (strstr(audit, secrets[i]))
            fail_msg("secret #%zu is in the audit log", i);
        if (strstr(log, secrets[i]))
            fail_msg("secret #%zu is in the access log", i);
        if (strstr(kept, secrets[i]) || strstr(tokens, secrets[i]))
            fail_msg("secret #%zu is stored in clear", i);
    }
    free(kept);
    free(tokens);
    free(audit);
    /* No email address (personal data) in the access log, nor the path's id. */
    if (strchr(log, '@') || strstr(log, "example.org"))
        fail_msg("an email address is in the access log:\n%s", log);
    assert_null(strstr(log, "/api/v1/users/1\""));
    assert_non_null(strstr(log, "/api/v1/users/{id}"));
    /* Each line is one JSON object with the method, route, status and duration. */
    int lines = 0;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t je;
        json_t *j = json_loads(line, 0, &je);
        if (!j)
            fail_msg("access log line is not JSON (%s): %s", je.text, line);
        assert_true(json_is_object(j));
        assert_true(json_is_string(json_object_get(j, "method")));
        assert_true(json_is_string(json_object_get(j, "route")));
        json_int_t status = json_integer_value(json_object_get(j, "status"));
        assert_true(status >= 100 && status < 600);
        assert_true(json_is_number(json_object_get(j, "ms")));
        assert_true(json_number_value(json_object_get(j, "ms")) >= 0);
        json_decref(j);
        lines++;
    }
    /* One line per request made above. */
    assert_int_equal(lines, 14);
    free(log);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(login_ok_sets_httponly_strict_cookie),
        T(wrong_password_and_unknown_user_look_the_same),
        T(login_email_is_case_insensitive),
        T(login_without_email_names_the_field),
        T(login_password_must_be_a_string),
        T(login_unknown_field_is_named),
        T(login_body_must_be_a_json_object),
        T(me_needs_credentials),
        T(logout_ends_the_session),
        T(logout_ends_only_that_session),
        T(five_failures_throttle_the_account),
        T(parallel_guesses_are_throttled_too),
        T(throttle_after_full_window),
        T(throttle_is_per_account),
        T(signing_in_resets_the_account_count),
        T(unknown_account_is_throttled_the_same_way),
        T(twenty_failures_from_one_address_throttle_it),
        T(idle_session_expires_after_30_minutes),
        T(last_seen_is_written_at_most_once_a_minute),
        T(busy_session_ends_after_12_hours),
        T(logins_logouts_and_token_use_are_audited),
        T(no_secret_reaches_the_audit_or_access_log),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
