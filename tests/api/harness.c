/* The in-process API test harness (see harness.h). */
#include "harness.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/accounts.h"
#include "store/db.h"

static int64_t test_now(void *ctx) {
    th_server *s = ctx;
    lw_clock real = clock_system();
    return clock_now(&real) + atomic_load(&s->offset_ms);
}

static const lw_actor test_actor = {.remote_addr = "test"};

static void pg_quiet(void *arg, const char *message) {
    (void)arg;
    (void)message; /* "database does not exist, skipping" */
}

/* Runs one administrative statement on the PostgreSQL server at URL. */
static void pg_admin(const char *url, const char *fmt, ...) LW_PRINTF(2, 3);
static void pg_admin(const char *url, const char *fmt, ...) {
    char sql[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", url, PQerrorMessage(c));
    PQsetNoticeProcessor(c, pg_quiet, NULL);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
}

th_server *th_start(void) {
    th_server *s = calloc(1, sizeof *s);
    assert_non_null(s);
    snprintf(s->dir, sizeof s->dir, "/tmp/linkwell-test-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->db_path, sizeof s->db_path, "%s/test.db", s->dir);
    snprintf(s->log_path, sizeof s->log_path, "%s/access.log", s->dir);
    const char *pg = getenv("LINKWELL_TEST_POSTGRES");
    if (pg && *pg) {
        /* A fresh database per test on the server the variable names. */
        static atomic_int seq;
        snprintf(s->pg_name, sizeof s->pg_name, "lwapi_%ld_%d", (long)getpid(),
                 atomic_fetch_add(&seq, 1));
        pg_admin(pg, "DROP DATABASE IF EXISTS %s", s->pg_name);
        pg_admin(pg, "CREATE DATABASE %s", s->pg_name);
        snprintf(s->db_url, sizeof s->db_url, "%s%cdbname=%s", pg, strchr(pg, '?') ? '&' : '?',
                 s->pg_name);
    } else {
        snprintf(s->db_url, sizeof s->db_url, "%s", s->db_path);
    }
    lw_error err;
    assert_int_equal(crypto_init(&err), LW_OK);
    lw_store_options o = {.create = 1, .pool_size = 4};
    if (store_open(s->db_url, &o, &s->store, &err) != LW_OK)
        fail_msg("cannot open %s: %s", s->db_url, err.msg);
    int from, to;
    assert_int_equal(store_migrate(s->store, 0, &from, &to, &err), LW_OK);
    lw_clock clock = {.now_ms = test_now, .ctx = s};
    assert_int_equal(app_init(&s->app, s->store, clock, LW_PWCOST_MIN, 0, &err), LW_OK);
    s->log = fopen(s->log_path, "w+");
    assert_non_null(s->log);
    lw_http_options ho = {.listen = "127.0.0.1:0", .threads = 2, .access_log = s->log};
    assert_int_equal(http_start(&s->app, &ho, &s->http, &err), LW_OK);
    s->port = http_port(s->http);
    assert_true(s->port > 0);
    return s;
}

void th_stop(th_server *s) {
    if (!s)
        return;
    http_stop(s->http);
    api_directory_close(&s->app);
    api_reports_close(&s->app);
    api_reads_stop(&s->app); /* a test may have started it */
    store_close(s->store);
    fclose(s->log);
    if (s->pg_name[0])
        pg_admin(getenv("LINKWELL_TEST_POSTGRES"), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
                 s->pg_name);
    char path[400];
    const char *files[] = {"test.db",           "test.db-wal",       "test.db-shm", "test.db-reads",
                           "test.db-reads-wal", "test.db-reads-shm", "access.log"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", s->dir, files[i]);
        unlink(path);
    }
    rmdir(s->dir);
    free(s);
}

void th_advance(th_server *s, int64_t ms) {
    atomic_fetch_add(&s->offset_ms, ms);
}

int64_t th_org(th_server *s, const char *name, const char *kind) {
    lw_db *db;
    lw_error err;
    int64_t id = 0;
    assert_int_equal(store_acquire(s->store, &db, &err), LW_OK);
    lw_status st = accounts_org_create(db, name, kind, test_now(s), &test_actor, &id, &err);
    store_release(s->store, db);
    if (st != LW_OK)
        fail_msg("th_org(%s): %s", name, err.msg);
    return id;
}

int64_t th_user(th_server *s, int64_t org_id, const char *email, const char *role,
                const char *password) {
    lw_db *db;
    lw_error err;
    int64_t id = 0;
    assert_int_equal(store_acquire(s->store, &db, &err), LW_OK);
    lw_status st = accounts_user_create(db, org_id, email, "Test User", role, password,
                                        LW_PWCOST_MIN, test_now(s), &test_actor, &id, &err);
    store_release(s->store, db);
    if (st != LW_OK)
        fail_msg("th_user(%s): %s", email, err.msg);
    return id;
}

void th_token(th_server *s, const char *email, char out[64]) {
    lw_db *db;
    lw_error err;
    lw_arena *a = arena_new();
    lw_user u;
    char token[LW_TOKEN_LEN];
    assert_int_equal(store_acquire(s->store, &db, &err), LW_OK);
    assert_int_equal(store_user_by_email(db, a, email, &u, &err), LW_OK);
    assert_int_equal(accounts_token_create(db, u.id, test_now(s), &test_actor, token, &err), LW_OK);
    store_release(s->store, db);
    arena_free(a);
    snprintf(out, 64, "%s", token);
}

typedef struct buf {
    char *p;
    size_t n;
} buf;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud) {
    buf *b = ud;
    size_t n = size * nmemb;
    char *grown = realloc(b->p, b->n + n + 1);
    assert_non_null(grown);
    b->p = grown;
    memcpy(b->p + b->n, ptr, n);
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

th_resp *th_raw(th_server *s, const char *method, const char *path, const char *const *headers,
                const char *body, size_t body_len) {
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[2048];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s->port, path);
    buf b = {0}, h = {0};
    struct curl_slist *hl = NULL;
    for (const char *const *p = headers; p && *p; p++)
        hl = curl_slist_append(hl, *p);
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(body_len == (size_t)-1 ? strlen(body) : body_len));
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    th_resp *r = calloc(1, sizeof *r);
    assert_non_null(r);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    r->body = b.p ? b.p : strdup("");
    r->body_len = b.n;
    r->headers = h.p ? h.p : strdup("");
    if (r->body_len)
        r->json = json_loadb(r->body, r->body_len, 0, NULL);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return r;
}

th_resp *th_call(th_server *s, const th_client *c, const char *method, const char *path,
                 const char *body) {
    char cookie[200], csrf[200], bearer[200];
    const char *h[5];
    int n = 0;
    if (c && c->cookie[0]) {
        snprintf(cookie, sizeof cookie, "Cookie: %s", c->cookie);
        h[n++] = cookie;
        if (strcmp(method, "GET") != 0 && c->csrf[0]) {
            snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", c->csrf);
            h[n++] = csrf;
        }
    }
    if (c && c->bearer[0]) {
        snprintf(bearer, sizeof bearer, "Authorization: Bearer %s", c->bearer);
        h[n++] = bearer;
    }
    if (body)
        h[n++] = "Content-Type: application/json";
    h[n] = NULL;
    return th_raw(s, method, path, h, body, (size_t)-1);
}

const char *th_header(const th_resp *r, const char *name, char *out, size_t size) {
    size_t nl = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = len - (size_t)(v - line);
            snprintf(out, size, "%.*s", (int)vl, v);
            return out;
        }
        line = end ? end + 2 : NULL;
    }
    return NULL;
}

long th_login(th_server *s, th_client *c, const char *email, const char *password) {
    json_t *body = json_pack("{s:s, s:s}", "email", email, "password", password);
    char *text = json_dumps(body, 0);
    th_resp *r = th_call(s, NULL, "POST", "/api/v1/session", text);
    free(text);
    json_decref(body);
    long status = r->status;
    if (status == 201) {
        char sc[512];
        assert_non_null(th_header(r, "Set-Cookie", sc, sizeof sc));
        char *semi = strchr(sc, ';');
        if (semi)
            *semi = '\0';
        size_t n = strlen(sc);
        assert_true(n < sizeof c->cookie);
        memcpy(c->cookie, sc, n + 1);
        snprintf(c->csrf, sizeof c->csrf, "%s",
                 json_string_value(json_object_get(r->json, "csrf_token")));
    }
    th_resp_free(r);
    return status;
}

void th_resp_free(th_resp *r) {
    if (!r)
        return;
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    free(r);
}

char *th_read_log(th_server *s) {
    fflush(s->log);
    FILE *f = fopen(s->log_path, "r");
    assert_non_null(f);
    buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        on_data(chunk, 1, n, &b);
    fclose(f);
    return b.p ? b.p : strdup("");
}

/* Runs SQL through the store's own driver, so it works on either backend. */
static lw_status sql_run(th_server *s, lw_arena *a, const char *sql, db_result *r, lw_error *err) {
    lw_db *db;
    lw_status st = store_acquire(s->store, &db, err);
    if (st != LW_OK)
        return st;
    st = db_query(db, a, sql, NULL, 0, r, err);
    store_release(s->store, db);
    return st;
}

long long th_sql_count(th_server *s, const char *sql) {
    lw_arena *a = arena_new();
    db_result r;
    lw_error err;
    if (sql_run(s, a, sql, &r, &err) != LW_OK)
        fail_msg("th_sql_count(%s): %s", sql, err.msg);
    assert_true(r.nrows >= 1);
    long long v = db_int(&r, 0, 0);
    arena_free(a);
    return v;
}

int th_sql_exec(th_server *s, const char *sql, char *msg, size_t size) {
    lw_arena *a = arena_new();
    db_result r;
    lw_error err;
    lw_status st = sql_run(s, a, sql, &r, &err);
    arena_free(a);
    if (msg)
        snprintf(msg, size, "%s", st == LW_OK ? "" : err.msg);
    return st == LW_OK ? 0 : -1;
}

const char *th_assert_problem(const th_resp *r, long status) {
    char ct[128];
    if (r->status != status)
        fail_msg("expected status %ld, got %ld: %s", status, r->status, r->body);
    assert_non_null(th_header(r, "Content-Type", ct, sizeof ct));
    assert_string_equal(ct, "application/problem+json");
    assert_non_null(r->json);
    assert_int_equal(json_integer_value(json_object_get(r->json, "status")), status);
    assert_non_null(json_string_value(json_object_get(r->json, "title")));
    const char *detail = json_string_value(json_object_get(r->json, "detail"));
    assert_non_null(detail);
    assert_true(strlen(detail) > 0);
    return json_string_value(json_object_get(r->json, "field"));
}

char *th_sql_text(th_server *s, const char *sql) {
    lw_arena *a = arena_new();
    db_result r;
    lw_error err;
    if (sql_run(s, a, sql, &r, &err) != LW_OK)
        fail_msg("th_sql_text(%s): %s", sql, err.msg);
    buf b = {0};
    for (int row = 0; row < r.nrows; row++)
        for (int i = 0; i < r.ncols; i++) {
            const char *v = db_text(&r, row, i);
            const char *text = v ? v : "NULL";
            on_data((char *)(uintptr_t)text, 1, strlen(text), &b);
            on_data(i + 1 < r.ncols ? "\t" : "\n", 1, 1, &b);
        }
    arena_free(a);
    return b.p ? b.p : strdup("");
}

long long th_sql_countf(th_server *s, const char *fmt, ...) {
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof sql);
    return th_sql_count(s, sql);
}
