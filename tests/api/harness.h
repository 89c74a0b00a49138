/*
 * API test harness: starts linkwell in-process on 127.0.0.1:0 against a fresh
 * SQLite database in a temporary folder, with the minimum password cost and a
 * clock the test can move forward, and talks to it over real HTTP (libcurl).
 *
 * Usage: th_server *s = th_start(); ... th_stop(s);
 * Ownership: th_resp values are freed with th_resp_free(); strings inside
 * live as long as the response.
 */
#ifndef LW_TEST_HARNESS_H
#define LW_TEST_HARNESS_H

/* cmocka needs these before it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>

#include "http/server.h"

typedef struct th_server {
    char dir[256];
    char db_path[320]; /* the SQLite file (unused on PostgreSQL) */
    char db_url[600];  /* what the store was opened with */
    char pg_name[64];  /* the PostgreSQL database made for this test, or "" */
    char log_path[320];
    lw_store *store;
    lw_app app;
    lw_http *http;
    FILE *log;
    int port;
    _Atomic int64_t offset_ms; /* added to the real clock; th_advance() moves it */
} th_server;

typedef struct th_resp {
    long status;
    char *body;
    size_t body_len;
    char *headers; /* raw response header block */
    json_t *json;  /* parsed body, or NULL when it is not JSON */
} th_resp;

/* Session state a test client carries between calls. */
typedef struct th_client {
    char cookie[128]; /* "lw_session=..." or "" */
    char csrf[128];
    char bearer[128];
} th_client;

th_server *th_start(void);
void th_stop(th_server *s);
void th_advance(th_server *s, int64_t ms);

/* Direct set-up through the store (as `linkwell org add` / `user add` do). */
int64_t th_org(th_server *s, const char *name, const char *kind);
int64_t th_user(th_server *s, int64_t org_id, const char *email, const char *role,
                const char *password);
/* A bearer token for EMAIL (as `linkwell token` does). */
void th_token(th_server *s, const char *email, char out[64]);

/* A raw request. HEADERS is a NULL-terminated list of "Name: value" (may be NULL).
 * BODY may be NULL; BODY_LEN (size_t)-1 means strlen(BODY). */
th_resp *th_raw(th_server *s, const char *method, const char *path, const char *const *headers,
                const char *body, size_t body_len);
/* A request as CLIENT (may be NULL): adds its cookie, CSRF token (on writes) or bearer token,
 * and Content-Type: application/json when there is a body. */
th_resp *th_call(th_server *s, const th_client *c, const char *method, const char *path,
                 const char *body);
/* Signs in; on 201 fills CLIENT's cookie and CSRF token. Returns the HTTP status. */
long th_login(th_server *s, th_client *c, const char *email, const char *password);

/* The value of response header NAME (case-insensitive), copied into BUF; NULL when absent. */
const char *th_header(const th_resp *r, const char *name, char *buf, size_t size);
void th_resp_free(th_resp *r);

/* The whole access log written so far. Caller frees. */
char *th_read_log(th_server *s);

/* The backend comes from the environment: LINKWELL_TEST_POSTGRES (a server URL
 * on which the test may create and drop databases) selects PostgreSQL, with a
 * fresh database per th_start(); otherwise a SQLite file in a temporary folder.
 * The th_sql_* functions go through the store's driver, so tests written with
 * SQL that both backends accept run unchanged on either. */

/* Counts rows of a SQL query's single integer result (test inspection of the database). */
long long th_sql_count(th_server *s, const char *sql);

/* Asserts R is a problem+json with STATUS, and returns its "field" (or NULL). */
const char *th_assert_problem(const th_resp *r, long status);

/* Every value of every row of SQL's result as text: columns separated by a tab, rows
 * by a newline, NULL as "NULL" (test inspection of the database). Caller frees. */
char *th_sql_text(th_server *s, const char *sql);

/* Runs SQL that returns no rows needed; 0 on success, else -1 with the database's
 * message in MSG (may be NULL). */
int th_sql_exec(th_server *s, const char *sql, char *msg, size_t size);

/* th_sql_count() with a printf-style query. */
long long th_sql_countf(th_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
