/*
 * The backends the store contract tests run on, shared by tests/unit/test_store*.c:
 * SQLite always (a temporary file); PostgreSQL when LINKWELL_TEST_POSTGRES is the URL
 * of a server on which the tests may create and drop databases (one per test).
 * Include after cmocka.h.
 */
#ifndef LW_TEST_STORE_BACKENDS_H
#define LW_TEST_STORE_BACKENDS_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the backends under test: the only part that knows which database it is ---- */

typedef struct test_backend {
    const char *name;
    /* 1 when this backend can be tested here. */
    int (*available)(void);
    /* A new, empty database that store_open(create) accepts. Caller frees. */
    char *(*new_url)(void);
    /* Removes what new_url made. */
    void (*drop)(const char *url);
    /* A URL naming a database that does not exist, which store_open must
     * refuse with advice to run 'linkwell init'; NULL to skip. Caller frees. */
    char *(*missing_url)(void);
} test_backend;

static int sqlite_available(void) {
    return 1;
}

static char *sqlite_tmpdir(void) {
    const char *base = getenv("TMPDIR");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/linkwell-store-XXXXXX", base && *base ? base : "/tmp");
    char *dir = mkdtemp(tmpl);
    if (!dir)
        fail_msg("mkdtemp failed");
    return strdup(dir);
}

static char *sqlite_new_url(void) {
    char *dir = sqlite_tmpdir();
    size_t n = strlen(dir) + 16;
    char *url = malloc(n);
    assert_non_null(url);
    snprintf(url, n, "%s/store.db", dir);
    free(dir);
    return url;
}

static void sqlite_drop(const char *url) {
    const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    char path[600];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s%s", url, suffixes[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s", url);
    char *slash = strrchr(path, '/');
    if (slash) {
        *slash = '\0';
        rmdir(path);
    }
}

static char *sqlite_missing_url(void) {
    /* A fresh directory, so the file surely does not exist. */
    return sqlite_new_url();
}

/* PostgreSQL: a fresh database per test on the server LINKWELL_TEST_POSTGRES names. */
static const char *pg_admin_url(void) {
    const char *url = getenv("LINKWELL_TEST_POSTGRES");
    return url && *url ? url : NULL;
}

static int pg_available(void) {
    return pg_admin_url() != NULL;
}

static void pg_quiet(void *arg, const char *message) {
    (void)arg;
    (void)message; /* "database does not exist, skipping" and the like */
}

static void pg_admin(const char *sql) {
    PGconn *c = PQconnectdb(pg_admin_url());
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", pg_admin_url(), PQerrorMessage(c));
    PQsetNoticeProcessor(c, pg_quiet, NULL);
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    char msg[300];
    snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
    if (st != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, msg);
}

static char *pg_url_for(const char *dbname) {
    const char *base = pg_admin_url();
    size_t n = strlen(base) + strlen(dbname) + 16;
    char *url = malloc(n);
    assert_non_null(url);
    /* A later dbname parameter overrides the one in the URL's path. */
    snprintf(url, n, "%s%cdbname=%s", base, strchr(base, '?') ? '&' : '?', dbname);
    return url;
}

static char *pg_new_url(void) {
    static int seq;
    char name[64], sql[128];
    snprintf(name, sizeof name, "lwtest_%ld_%d", (long)getpid(), seq++);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
    pg_admin(sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    pg_admin(sql);
    return pg_url_for(name);
}

static void pg_drop(const char *url) {
    const char *name = strrchr(url, '=') + 1;
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    pg_admin(sql);
}

static const test_backend backends[] = {
    {"sqlite", sqlite_available, sqlite_new_url, sqlite_drop, sqlite_missing_url},
    /* PostgreSQL databases are created by their administrator, not by init. */
    {"postgres", pg_available, pg_new_url, pg_drop, NULL},
};

#endif
