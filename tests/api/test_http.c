/*
 * The HTTP layer as a client sees it: body limits, JSON and Content-Type
 * errors, 404 and 405, security headers, the static page, /healthz,
 * /metrics, the access log, paging, and many requests at once.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define PW "correct horse battery"
#define MIB (1024u * 1024u)
#define LOGIN_JSON "{\"email\": \"admin@example.org\", \"password\": \"" PW "\"}"

static const char *const json_ct[] = {"Content-Type: application/json", NULL};

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

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Asserts R is a problem with STATUS naming FIELD (also in its detail). */
static void assert_field(const th_resp *r, long status, const char *field) {
    const char *f = th_assert_problem(r, status);
    if (!f || strcmp(f, field) != 0)
        fail_msg("expected field '%s', got '%s': %s", field, f ? f : "(none)", r->body);
    const char *detail = json_string_value(json_object_get(r->json, "detail"));
    if (!strstr(detail, field))
        fail_msg("the detail does not name '%s': %s", field, detail);
}

/* A sign-in body padded with spaces to exactly LEN bytes: valid JSON with the
 * right password, so only the size limit can refuse it. */
static char *padded_login(size_t len) {
    size_t n = strlen(LOGIN_JSON);
    assert_true(len >= n);
    char *b = malloc(len + 1);
    assert_non_null(b);
    memcpy(b, LOGIN_JSON, n);
    memset(b + n, ' ', len - n);
    b[len] = '\0';
    return b;
}

static long long written_rows(th_server *s) {
    return th_sql_count(s, "SELECT (SELECT count(*) FROM audit_log) + "
                           "(SELECT count(*) FROM sessions) + "
                           "(SELECT count(*) FROM login_failures)");
}

/* ---- body limit ---- */

static void body_over_limit_is_413_and_nothing_written(void **state) {
    th_server *s = *state;
    long long before = written_rows(s);
    char *body = padded_login(MIB + 1);
    th_resp *r = th_raw(s, "POST", "/api/v1/session", json_ct, body, MIB + 1);
    th_assert_problem(r, 413);
    assert_non_null(strstr(json_string_value(json_object_get(r->json, "detail")), "1048576"));
    th_resp_free(r);
    free(body);
    assert_int_equal(written_rows(s), before);
}

/* Headers: 32 KiB per connection. A sign-in with 16 KiB of headers works; 40 KiB
 * is refused with 431, nothing is written, and the server goes on answering. */
static char *big_header(size_t n) {
    char *h = malloc(n + 1);
    assert_non_null(h);
    memcpy(h, "X-Padding: ", 11);
    memset(h + 11, 'a', n - 11);
    h[n] = '\0';
    return h;
}

static void headers_over_limit_are_431_and_nothing_written(void **state) {
    th_server *s = *state;
    char *pad = big_header(16 * 1024);
    const char *ok[] = {"Content-Type: application/json", pad, NULL};
    th_resp *r = th_raw(s, "POST", "/api/v1/session", ok, LOGIN_JSON, (size_t)-1);
    if (r->status != 201)
        fail_msg("16 KiB of headers should sign in, got %ld: %s", r->status, r->body);
    th_resp_free(r);
    free(pad);

    long long before = written_rows(s);
    pad = big_header(40 * 1024);
    const char *big[] = {"Content-Type: application/json", pad, NULL};
    r = th_raw(s, "POST", "/api/v1/session", big, LOGIN_JSON, (size_t)-1);
    assert_int_equal(r->status, 431);
    th_resp_free(r);
    free(pad);
    assert_int_equal(written_rows(s), before);

    r = th_raw(s, "POST", "/api/v1/session", json_ct, LOGIN_JSON, (size_t)-1);
    assert_int_equal(r->status, 201);
    th_resp_free(r);
}

static void body_at_limit_is_accepted(void **state) {
    th_server *s = *state;
    char *body = padded_login(MIB);
    th_resp *r = th_raw(s, "POST", "/api/v1/session", json_ct, body, MIB);
    if (r->status != 201)
        fail_msg("a body of exactly 1 MiB should sign in, got %ld: %s", r->status, r->body);
    th_resp_free(r);
    free(body);
}

static void chunked_body_over_limit_is_413(void **state) {
    th_server *s = *state;
    /* libcurl sends the body chunked (no Content-Length) when told so by this header. */
    static const char *const chunked[] = {"Content-Type: application/json",
                                          "Transfer-Encoding: chunked", NULL};
    /* A small chunked body is read and used: the server understands chunked uploads. */
    th_resp *r = th_raw(s, "POST", "/api/v1/session", chunked, LOGIN_JSON, (size_t)-1);
    if (r->status != 201)
        fail_msg("a small chunked sign-in should work, got %ld: %s", r->status, r->body);
    th_resp_free(r);
    long long before = written_rows(s);
    char *body = padded_login(MIB + 1);
    r = th_raw(s, "POST", "/api/v1/session", chunked, body, MIB + 1);
    th_assert_problem(r, 413);
    th_resp_free(r);
    free(body);
    assert_int_equal(written_rows(s), before);
}

/* ---- JSON and Content-Type ---- */

static void malformed_json_names_the_position(void **state) {
    th_server *s = *state;
    long long before = written_rows(s);
    th_resp *r = th_raw(s, "POST", "/api/v1/session", json_ct,
                        "{\"email\": \"a@b.c\", \"password\": }", (size_t)-1);
    th_assert_problem(r, 400);
    const char *detail = json_string_value(json_object_get(r->json, "detail"));
    if (!strstr(detail, "line 1, column 32"))
        fail_msg("the detail should point at line 1, column 32: %s", detail);
    th_resp_free(r);

    r = th_raw(s, "POST", "/api/v1/session", json_ct,
               "{\n  \"email\": \"a@b.c\",\n  \"password\": \"x\" \"y\"\n}", (size_t)-1);
    th_assert_problem(r, 400);
    detail = json_string_value(json_object_get(r->json, "detail"));
    if (!strstr(detail, "line 3"))
        fail_msg("the detail should point at line 3: %s", detail);
    th_resp_free(r);
    assert_int_equal(written_rows(s), before);
}

static void truncated_and_non_object_json_are_400(void **state) {
    th_server *s = *state;
    long long before = written_rows(s);
    static const char *const bodies[] = {
        "{\"email\": \"admin@example.org\", \"password\": \"" PW "\"",
        "{\"email\": \"admin@exa",
        "[\"admin@example.org\", \"" PW "\"]",
        "\"admin@example.org\"",
        "42",
        "null",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        th_resp *r = th_raw(s, "POST", "/api/v1/session", json_ct, bodies[i], (size_t)-1);
        if (r->status != 400)
            fail_msg("body %s: expected 400, got %ld", bodies[i], r->status);
        th_assert_problem(r, 400);
        th_resp_free(r);
    }
    assert_int_equal(written_rows(s), before);
}

static void wrong_content_type_is_400_naming_it(void **state) {
    th_server *s = *state;
    long long before = written_rows(s);
    static const char *const types[] = {"Content-Type: text/plain",
                                        "Content-Type: application/jsonx",
                                        "Content-Type: application/x-www-form-urlencoded"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        const char *h[] = {types[i], NULL};
        th_resp *r = th_raw(s, "POST", "/api/v1/session", h, LOGIN_JSON, (size_t)-1);
        assert_field(r, 400, "Content-Type");
        th_resp_free(r);
    }
    assert_int_equal(written_rows(s), before);
    /* With a charset parameter it is still JSON. */
    const char *h[] = {"Content-Type: application/json; charset=utf-8", NULL};
    th_resp *r = th_raw(s, "POST", "/api/v1/session", h, LOGIN_JSON, (size_t)-1);
    assert_int_equal(r->status, 201);
    th_resp_free(r);
}

static void duplicate_keys_are_400(void **state) {
    th_server *s = *state;
    long long before = written_rows(s);
    th_resp *r = th_raw(s, "POST", "/api/v1/session", json_ct,
                        "{\"email\": \"nobody@example.org\", \"email\": \"admin@example.org\", "
                        "\"password\": \"" PW "\"}",
                        (size_t)-1);
    th_assert_problem(r, 400);
    assert_non_null(strstr(json_string_value(json_object_get(r->json, "detail")), "duplicate"));
    th_resp_free(r);
    assert_int_equal(written_rows(s), before);
}

/* ---- 404 and 405 ---- */

static void unknown_route_is_404_problem(void **state) {
    th_server *s = *state;
    static const char *const paths[] = {"/api/v1/nothing", "/api/v1/users/1/extra", "/nope.js",
                                        "/api/v2/users", "/api/v1/users/"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        th_resp *r = th_call(s, NULL, "GET", paths[i], NULL);
        if (r->status != 404)
            fail_msg("GET %s: expected 404, got %ld", paths[i], r->status);
        th_assert_problem(r, 404);
        th_resp_free(r);
    }
    th_resp *r = th_call(s, NULL, "POST", "/api/v1/nothing", "{}");
    th_assert_problem(r, 404);
    th_resp_free(r);
}

/* The methods in an Allow header value, checked against EXPECTED ("GET, PATCH"). */
static void assert_allow(const th_resp *r, const char *expected) {
    char allow[128];
    th_assert_problem(r, 405);
    assert_non_null(th_header(r, "Allow", allow, sizeof allow));
    if (strcmp(allow, expected) != 0)
        fail_msg("Allow: expected '%s', got '%s'", expected, allow);
}

static void wrong_method_is_405_with_allow(void **state) {
    th_server *s = *state;
    th_resp *r = th_call(s, NULL, "PUT", "/api/v1/session", "{}");
    assert_allow(r, "POST, DELETE");
    th_resp_free(r);
    r = th_call(s, NULL, "POST", "/healthz", NULL);
    assert_allow(r, "GET");
    th_resp_free(r);
    r = th_call(s, NULL, "DELETE", "/api/v1/users/12", NULL);
    assert_allow(r, "GET, PATCH");
    th_resp_free(r);
    /* "/api/v1/users/me" matches two patterns; each method is listed once. */
    r = th_call(s, NULL, "DELETE", "/api/v1/users/me", NULL);
    assert_allow(r, "GET, PATCH");
    th_resp_free(r);
}

/* ---- security headers ---- */

static void assert_security_headers(const th_resp *r, const char *what) {
    char v[512];
    if (!th_header(r, "Content-Security-Policy", v, sizeof v))
        fail_msg("%s: no Content-Security-Policy", what);
    if (!strstr(v, "frame-ancestors 'none'") || !strstr(v, "default-src"))
        fail_msg("%s: Content-Security-Policy is '%s'", what, v);
    if (!th_header(r, "X-Content-Type-Options", v, sizeof v) || strcmp(v, "nosniff") != 0)
        fail_msg("%s: X-Content-Type-Options missing or not nosniff", what);
    if (!th_header(r, "Referrer-Policy", v, sizeof v) || !v[0])
        fail_msg("%s: no Referrer-Policy", what);
}

static void security_headers_on_every_response(void **state) {
    th_server *s = *state;
    th_client c = {0};
    struct {
        const char *what;
        th_resp *r;
        long status;
    } cases[12];
    int n = 0;
#define CASE(label, expr, st)                                                                      \
    do {                                                                                           \
        cases[n].what = label;                                                                     \
        cases[n].r = (expr);                                                                       \
        cases[n].status = st;                                                                      \
        n++;                                                                                       \
    } while (0)
    CASE("201 sign-in", th_call(s, NULL, "POST", "/api/v1/session", LOGIN_JSON), 201);
    assert_int_equal(th_login(s, &c, "admin@example.org", PW), 201);
    CASE("200 JSON", th_call(s, &c, "GET", "/api/v1/users/me", NULL), 200);
    CASE("401 problem", th_call(s, NULL, "GET", "/api/v1/users/me", NULL), 401);
    CASE("400 problem", th_call(s, NULL, "POST", "/api/v1/session", "{"), 400);
    CASE("404", th_call(s, NULL, "GET", "/api/v1/nothing", NULL), 404);
    CASE("405", th_call(s, NULL, "PUT", "/healthz", NULL), 405);
    char *big = padded_login(MIB + 1);
    CASE("413", th_raw(s, "POST", "/api/v1/session", json_ct, big, MIB + 1), 413);
    free(big);
    CASE("static /", th_call(s, NULL, "GET", "/", NULL), 200);
    CASE("HEAD /", th_call(s, NULL, "HEAD", "/", NULL), 200);
    CASE("/healthz", th_call(s, NULL, "GET", "/healthz", NULL), 200);
    CASE("/metrics", th_call(s, NULL, "GET", "/metrics", NULL), 200);
    CASE("204 sign-out", th_call(s, &c, "DELETE", "/api/v1/session", NULL), 204);
#undef CASE
    for (int i = 0; i < n; i++) {
        if (cases[i].r->status != cases[i].status)
            fail_msg("%s: expected %ld, got %ld", cases[i].what, cases[i].status,
                     cases[i].r->status);
        assert_security_headers(cases[i].r, cases[i].what);
        th_resp_free(cases[i].r);
    }
}

/* ---- static page, health, metrics ---- */

static void root_serves_the_page_and_its_script(void **state) {
    th_server *s = *state;
    char ct[128], cl[32];
    th_resp *page = th_call(s, NULL, "GET", "/", NULL);
    assert_int_equal(page->status, 200);
    assert_non_null(th_header(page, "Content-Type", ct, sizeof ct));
    assert_int_equal(strncmp(ct, "text/html", 9), 0);
    assert_non_null(strstr(page->body, "<title>linkwell</title>"));
    assert_non_null(strstr(page->body, "src=\"/js/app.js\""));

    th_resp *js = th_call(s, NULL, "GET", "/js/app.js", NULL);
    assert_int_equal(js->status, 200);
    assert_non_null(th_header(js, "Content-Type", ct, sizeof ct));
    assert_int_equal(strncmp(ct, "text/javascript", 15), 0);
    assert_non_null(strstr(js->body, "/api/v1/session"));
    th_resp_free(js);

    th_resp *head = th_call(s, NULL, "HEAD", "/", NULL);
    assert_int_equal(head->status, 200);
    assert_int_equal(head->body_len, 0);
    assert_non_null(th_header(head, "Content-Type", ct, sizeof ct));
    assert_int_equal(strncmp(ct, "text/html", 9), 0);
    assert_non_null(th_header(head, "Content-Length", cl, sizeof cl));
    assert_int_equal(strtoul(cl, NULL, 10), page->body_len);
    th_resp_free(head);
    th_resp_free(page);
}

static void healthz_reports_the_database_without_auth(void **state) {
    th_server *s = *state;
    th_resp *r = th_call(s, NULL, "GET", "/healthz", NULL);
    assert_int_equal(r->status, 200);
    char ct[128];
    assert_non_null(th_header(r, "Content-Type", ct, sizeof ct));
    assert_string_equal(ct, "application/json");
    assert_non_null(r->json);
    assert_string_equal(json_string_value(json_object_get(r->json, "status")), "ok");
    json_t *db = json_object_get(json_object_get(r->json, "dependencies"), "database");
    assert_non_null(db);
    assert_string_equal(json_string_value(json_object_get(db, "status")), "up");
    const char *pg = getenv("LINKWELL_TEST_POSTGRES");
    assert_string_equal(json_string_value(json_object_get(db, "backend")),
                        pg && *pg ? "postgres" : "sqlite");
    th_resp_free(r);
}

/* The value of the metrics line that starts with PREFIX, or -1 when absent. */
static long long metric_value(const char *text, const char *prefix) {
    size_t n = strlen(prefix);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, prefix, n) == 0 && line[n] == ' ')
            return strtoll(line + n + 1, NULL, 10);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

typedef struct series_want {
    const char *prefix;
    long long want;
} series_want;

/* Reads /metrics until every series in WANT (N of them) reaches its count: a
 * request is counted when it completes, a moment after its answer, so the
 * last few may not be counted yet. Caller frees. */
static th_resp *metrics_when(th_server *s, const series_want *want, size_t n) {
    th_resp *r = NULL;
    for (int i = 0; i < 100; i++) {
        th_resp_free(r);
        r = th_call(s, NULL, "GET", "/metrics", NULL);
        assert_int_equal(r->status, 200);
        size_t done = 0;
        while (done < n && metric_value(r->body, want[done].prefix) >= want[done].want)
            done++;
        if (done == n)
            break;
        sleep_ms(20);
    }
    return r;
}

static void metrics_count_requests_by_route_and_status(void **state) {
    th_server *s = *state;
    th_client c = {0};
    for (int i = 0; i < 3; i++) {
        th_resp *r = th_call(s, NULL, "GET", "/api/v1/users/me", NULL);
        assert_int_equal(r->status, 401);
        th_resp_free(r);
    }
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
    for (int i = 0; i < 2; i++) {
        th_resp *r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
        assert_int_equal(r->status, 200);
        th_resp_free(r);
    }
    th_resp *r = th_call(s, NULL, "GET", "/api/v1/users/42", NULL);
    assert_int_equal(r->status, 401);
    th_resp_free(r);

    static const char me401[] =
        "linkwell_http_requests_total{method=\"GET\",route=\"/api/v1/users/me\",status=\"401\"}";
    static const char me200[] =
        "linkwell_http_requests_total{method=\"GET\",route=\"/api/v1/users/me\",status=\"200\"}";
    static const char id401[] =
        "linkwell_http_requests_total{method=\"GET\",route=\"/api/v1/users/{id}\",status=\"401\"}";
    static const char inf401[] =
        "linkwell_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/users/me\","
        "status=\"401\",le=\"+Inf\"}";
    static const char cnt401[] =
        "linkwell_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/users/me\","
        "status=\"401\"}";
    const series_want want[] = {{me401, 3}, {me200, 2}, {id401, 1}, {inf401, 3}, {cnt401, 3}};
    r = metrics_when(s, want, sizeof want / sizeof want[0]);
    char ct[128];
    assert_non_null(th_header(r, "Content-Type", ct, sizeof ct));
    assert_int_equal(strncmp(ct, "text/plain", 10), 0);
    assert_non_null(strstr(r->body, "# TYPE linkwell_http_requests_total counter"));
    assert_non_null(strstr(r->body, "# TYPE linkwell_http_request_duration_seconds histogram"));
    assert_int_equal(metric_value(r->body, me401), 3);
    assert_int_equal(metric_value(r->body, me200), 2);
    assert_int_equal(metric_value(r->body, id401), 1);
    assert_int_equal(metric_value(r->body, inf401), 3);
    assert_int_equal(metric_value(r->body, cnt401), 3);
    /* The concrete path never becomes a series. */
    assert_null(strstr(r->body, "/api/v1/users/42"));
    th_resp_free(r);
}

/* ---- access log ---- */

/* The access log once it has at least N lines after its first SKIP bytes
 * (a line is written when a request completes, a moment after its answer).
 * Caller frees. */
static char *log_with_lines(th_server *s, size_t skip, int n) {
    char *log = NULL;
    for (int i = 0; i < 100; i++) {
        free(log);
        log = th_read_log(s);
        int lines = 0;
        for (const char *p = log + skip; (p = strchr(p, '\n')) != NULL; p++)
            lines++;
        if (lines >= n)
            break;
        sleep_ms(20);
    }
    return log;
}

static void access_log_has_one_line_per_request_and_no_secrets(void **state) {
    th_server *s = *state;
    char token[64];
    th_token(s, "admin@example.org", token);
    th_client admin = {0};
    snprintf(admin.bearer, sizeof admin.bearer, "%s", token);
    th_client gp = {0};
    char *before = th_read_log(s);
    size_t skip = strlen(before);
    free(before);

    /* Six requests. */
    assert_int_equal(th_login(s, &gp, "gp@example.org", PW), 201);
    th_resp *r = th_call(s, &admin, "GET", "/api/v1/users/2?secretquery=hunter2", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    r = th_call(s, &gp, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    r = th_call(s, NULL, "POST", "/api/v1/session",
                "{\"email\": \"gp@example.org\", \"password\": \"not the password\"}");
    assert_int_equal(r->status, 401);
    th_resp_free(r);
    r = th_call(s, NULL, "GET", "/no/such/page?x=1", NULL);
    assert_int_equal(r->status, 404);
    th_resp_free(r);
    r = th_call(s, NULL, "GET", "/", NULL);
    assert_int_equal(r->status, 200);
    th_resp_free(r);

    char *log = log_with_lines(s, skip, 6);
    const char *mine = log + skip;
    static const struct {
        const char *method, *route;
        long status;
    } want[] = {
        {"POST", "/api/v1/session", 201}, {"GET", "/api/v1/users/{id}", 200},
        {"GET", "/api/v1/users/me", 200}, {"POST", "/api/v1/session", 401},
        {"GET", "unmatched", 404},        {"GET", "static", 200},
    };
    int seen[6] = {0};
    int lines = 0;
    for (const char *line = mine; *line;) {
        const char *end = strchr(line, '\n');
        assert_non_null(end);
        json_error_t je;
        json_t *j = json_loadb(line, (size_t)(end - line), 0, &je);
        if (!j)
            fail_msg("access log line is not JSON: %.*s", (int)(end - line), line);
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v) {
            if (strcmp(key, "ts") && strcmp(key, "method") && strcmp(key, "route") &&
                strcmp(key, "status") && strcmp(key, "ms"))
                fail_msg("unexpected access log field '%s'", key);
        }
        assert_true(json_is_number(json_object_get(j, "ms")));
        assert_true(json_number_value(json_object_get(j, "ms")) >= 0);
        assert_non_null(json_string_value(json_object_get(j, "ts")));
        const char *m = json_string_value(json_object_get(j, "method"));
        const char *rt = json_string_value(json_object_get(j, "route"));
        long st = (long)json_integer_value(json_object_get(j, "status"));
        assert_non_null(m);
        assert_non_null(rt);
        int matched = 0;
        for (int i = 0; i < 6 && !matched; i++)
            if (!seen[i] && strcmp(want[i].method, m) == 0 && strcmp(want[i].route, rt) == 0 &&
                want[i].status == st)
                seen[i] = matched = 1;
        if (!matched)
            fail_msg("unexpected access log line: %.*s", (int)(end - line), line);
        json_decref(j);
        lines++;
        line = end + 1;
    }
    assert_int_equal(lines, 6);
    static const char *const never[] = {"secretquery",    "hunter2",          "/api/v1/users/2",
                                        "gp@example.org", "not the password", PW,
                                        "/no/such/page",  "lw_session"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (strstr(mine, never[i]))
            fail_msg("the access log contains '%s'", never[i]);
    if (strstr(mine, token) || strstr(mine, gp.cookie + strlen("lw_session=")) ||
        strstr(mine, gp.csrf))
        fail_msg("the access log contains a token, session id or CSRF token");
    free(log);
}

/* ---- paging ---- */

static void paging_parameters_are_validated(void **state) {
    th_server *s = *state;
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "admin@example.org", PW), 201);
    static const struct {
        const char *query, *field;
    } bad[] = {
        {"page=0", "page"},           {"page=abc", "page"},
        {"page=-1", "page"},          {"page=", "page"},
        {"page=1.5", "page"},         {"per_page=0", "per_page"},
        {"per_page=101", "per_page"}, {"per_page=x", "per_page"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/users?%s", bad[i].query);
        th_resp *r = th_call(s, &c, "GET", path, NULL);
        assert_field(r, 400, bad[i].field);
        th_resp_free(r);
    }
    th_resp *r = th_call(s, &c, "GET", "/api/v1/users?per_page=100&page=1", NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "per_page")), 100);
    th_resp_free(r);
}

static void per_page_pages_through_users(void **state) {
    th_server *s = *state;
    int64_t org = th_org(s, "Northside CMHT", "cmht");
    th_user(s, org, "c1@example.org", "link_worker", PW);
    th_user(s, org, "c2@example.org", "link_worker", PW);
    th_user(s, org, "c3@example.org", "peer_worker", PW);
    long long total = th_sql_count(s, "SELECT count(*) FROM users");
    assert_int_equal(total, 5);
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "admin@example.org", PW), 201);
    char seen[8][64];
    int nseen = 0;
    for (int page = 1; page <= 4; page++) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/users?per_page=2&page=%d", page);
        th_resp *r = th_call(s, &c, "GET", path, NULL);
        assert_int_equal(r->status, 200);
        assert_int_equal(json_integer_value(json_object_get(r->json, "total")), total);
        assert_int_equal(json_integer_value(json_object_get(r->json, "page")), page);
        assert_int_equal(json_integer_value(json_object_get(r->json, "per_page")), 2);
        json_t *list = json_object_get(r->json, "contents");
        size_t expect = page <= 2 ? 2 : page == 3 ? 1 : 0;
        assert_int_equal(json_array_size(list), expect);
        size_t i;
        json_t *u;
        json_array_foreach(list, i, u) {
            const char *email = json_string_value(json_object_get(u, "email"));
            assert_non_null(email);
            for (int k = 0; k < nseen; k++)
                if (strcmp(seen[k], email) == 0)
                    fail_msg("%s appears on two pages", email);
            snprintf(seen[nseen++], sizeof seen[0], "%s", email);
        }
        th_resp_free(r);
    }
    assert_int_equal(nseen, total);
}

/* ---- many requests at once ---- */

#define THREADS 4
#define PER_THREAD 50

typedef struct worker {
    int port;
    const char *token;
    long statuses[PER_THREAD];
    int curl_failures;
} worker;

static size_t discard(char *ptr, size_t size, size_t nmemb, void *ud) {
    (void)ptr;
    (void)ud;
    return size * nmemb;
}

/* Runs in its own thread: no cmocka asserts here, only recording. */
static void *work(void *arg) {
    worker *w = arg;
    CURL *c = curl_easy_init();
    if (!c) {
        w->curl_failures = PER_THREAD;
        return NULL;
    }
    char auth[160];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", w->token);
    struct curl_slist *hl = curl_slist_append(NULL, auth);
    for (int i = 0; i < PER_THREAD; i++) {
        char url[128];
        int me = i % 2 == 0;
        snprintf(url, sizeof url, "http://127.0.0.1:%d%s", w->port,
                 me ? "/api/v1/users/me" : "/healthz");
        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, me ? hl : NULL);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        if (curl_easy_perform(c) != CURLE_OK) {
            w->curl_failures++;
            continue;
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &w->statuses[i]);
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return NULL;
}

static void concurrent_requests_all_succeed(void **state) {
    th_server *s = *state;
    char token[64];
    th_token(s, "gp@example.org", token);
    long long uses_before = th_sql_count(s, "SELECT count(*) FROM audit_log "
                                            "WHERE action = 'token.use'");
    worker w[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].port = s->port;
        w[i].token = token;
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(w[i].curl_failures, 0);
        for (int k = 0; k < PER_THREAD; k++)
            if (w[i].statuses[k] != 200)
                fail_msg("thread %d request %d: status %ld", i, k, w[i].statuses[k]);
    }
    /* Every authenticated request was audited: none was lost to a busy database. */
    assert_int_equal(th_sql_count(s, "SELECT count(*) FROM audit_log WHERE action = 'token.use'"),
                     uses_before + THREADS * PER_THREAD / 2);
}

int main(void) {
    curl_global_init(CURL_GLOBAL_ALL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(body_over_limit_is_413_and_nothing_written, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(body_at_limit_is_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(headers_over_limit_are_431_and_nothing_written, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(chunked_body_over_limit_is_413, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_json_names_the_position, setup, teardown),
        cmocka_unit_test_setup_teardown(truncated_and_non_object_json_are_400, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_content_type_is_400_naming_it, setup, teardown),
        cmocka_unit_test_setup_teardown(duplicate_keys_are_400, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_route_is_404_problem, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_method_is_405_with_allow, setup, teardown),
        cmocka_unit_test_setup_teardown(security_headers_on_every_response, setup, teardown),
        cmocka_unit_test_setup_teardown(root_serves_the_page_and_its_script, setup, teardown),
        cmocka_unit_test_setup_teardown(healthz_reports_the_database_without_auth, setup, teardown),
        cmocka_unit_test_setup_teardown(metrics_count_requests_by_route_and_status, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(access_log_has_one_line_per_request_and_no_secrets, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(paging_parameters_are_validated, setup, teardown),
        cmocka_unit_test_setup_teardown(per_page_pages_through_users, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_requests_all_succeed, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
