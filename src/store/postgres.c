/*
 * The PostgreSQL backend (libpq). Each pooled connection prepares a statement
 * the first time it sees a SQL text and reuses it after (PQprepare with
 * parameter types left to the server to infer, values sent as text). Errors
 * are mapped by SQLSTATE: integrity violations are conflicts, lost
 * connections and server shutdowns are "unavailable" (503), so that a
 * restart of the database is survived without restarting linkwell: the pool
 * replaces broken connections.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

#define STMT_CACHE 128

typedef struct pcached {
    uint64_t hash;
    char *sql;
    char name[24];
} pcached;

typedef struct pg_conn {
    PGconn *pg;
    pcached cache[STMT_CACHE];
    int ncache;
    int nprepared; /* names are never reused within a connection */
} pg_conn;

static uint64_t fnv1a(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Trims the trailing newline libpq puts on messages. */
static const char *pg_msg(const char *m, char *buf, size_t size) {
    snprintf(buf, size, "%s", m ? m : "unknown error");
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return buf;
}

static lw_status pg_error(pg_conn *c, const PGresult *res, lw_error *err) {
    char buf[400];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    if (!msg || !*msg)
        msg = PQerrorMessage(c->pg);
    pg_msg(msg, buf, sizeof buf);
    if (PQstatus(c->pg) != CONNECTION_OK || !state)
        return lw_fail(err, LW_EUNAVAILABLE, NULL, "the database is unreachable: %s", buf);
    if (strncmp(state, "23", 2) == 0) /* integrity constraint violation */
        return lw_fail(err, LW_ECONFLICT, NULL, "%s", buf);
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57", 2) == 0 ||
        strncmp(state, "53", 2) == 0 || strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return lw_fail(err, LW_EUNAVAILABLE, NULL, "the database is unavailable: %s", buf);
    if (strcmp(state, "42P01") == 0) /* undefined table */
        return lw_fail(err, LW_EINTERNAL, NULL, "database error: %s", buf);
    return lw_fail(err, LW_EINTERNAL, NULL, "database error (%s): %s", state, buf);
}

static void pg_disconnect(void *conn) {
    pg_conn *c = conn;
    if (!c)
        return;
    for (int i = 0; i < c->ncache; i++)
        free(c->cache[i].sql);
    PQfinish(c->pg);
    free(c);
}

static lw_status pg_connect(const char *url, int create, void **out, lw_error *err) {
    (void)create; /* the database itself is created by its administrator */
    pg_conn *c = calloc(1, sizeof *c);
    if (!c)
        lw_oom();
    /* Fail fast when the server is unreachable, unless the URL says otherwise.
     * Later keys override what the expanded URL ("dbname") sets. */
    const char *keys[4] = {"dbname", "application_name", NULL, NULL};
    const char *vals[4] = {url, "linkwell", NULL, NULL};
    if (!strstr(url, "connect_timeout")) {
        keys[2] = "connect_timeout";
        vals[2] = "3";
    }
    c->pg = PQconnectdbParams(keys, vals, 1);
    if (!c->pg)
        lw_oom();
    if (PQstatus(c->pg) != CONNECTION_OK) {
        char buf[400];
        lw_status st = lw_fail(err, LW_EUNAVAILABLE, "db", "cannot connect to PostgreSQL: %s",
                               pg_msg(PQerrorMessage(c->pg), buf, sizeof buf));
        pg_disconnect(c);
        return st;
    }
    PGresult *r = PQexec(c->pg, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    lw_status st = ok ? LW_OK : pg_error(c, r, err);
    PQclear(r);
    if (st != LW_OK) {
        pg_disconnect(c);
        return st;
    }
    *out = c;
    return LW_OK;
}

static lw_status pg_exec_script(void *conn, const char *sql, lw_error *err) {
    pg_conn *c = conn;
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType s = PQresultStatus(r);
    lw_status st = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? LW_OK : pg_error(c, r, err);
    PQclear(r);
    return st;
}

/* The prepared statement's name for SQL, preparing it on first use. */
static const char *pg_prepare(pg_conn *c, const char *sql, int n, lw_error *err) {
    uint64_t h = fnv1a(sql);
    for (int i = 0; i < c->ncache; i++)
        if (c->cache[i].hash == h && strcmp(c->cache[i].sql, sql) == 0)
            return c->cache[i].name;
    if (c->ncache == STMT_CACHE) {
        /* Forget the oldest: deallocate it on the server and shift. */
        char dealloc[48];
        snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s", c->cache[0].name);
        PQclear(PQexec(c->pg, dealloc));
        free(c->cache[0].sql);
        memmove(&c->cache[0], &c->cache[1], sizeof c->cache[0] * (STMT_CACHE - 1));
        c->ncache--;
    }
    pcached *e = &c->cache[c->ncache];
    snprintf(e->name, sizeof e->name, "lw_%d", c->nprepared++);
    PGresult *r = PQprepare(c->pg, e->name, sql, n, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        (void)pg_error(c, r, err);
        PQclear(r);
        return NULL;
    }
    PQclear(r);
    e->hash = h;
    e->sql = strdup(sql);
    if (!e->sql)
        lw_oom();
    c->ncache++;
    return e->name;
}

static lw_status pg_query(void *conn, lw_arena *a, const char *sql, const db_val *params, int n,
                          db_result *out, lw_error *err) {
    pg_conn *c = conn;
    memset(out, 0, sizeof *out);
    const char *name = pg_prepare(c, sql, n, err);
    if (!name)
        return err ? err->code : LW_EINTERNAL;
    const char **values = n ? arena_alloc(a, sizeof *values * (size_t)n) : NULL;
    for (int i = 0; i < n; i++) {
        if (params[i].t == DB_INT)
            values[i] = arena_printf(a, "%lld", (long long)params[i].i);
        else if (params[i].t == DB_TEXT)
            values[i] = params[i].s;
        else
            values[i] = NULL;
    }
    PGresult *r = PQexecPrepared(c->pg, name, n, values, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        lw_status st = pg_error(c, r, err);
        PQclear(r);
        return st;
    }
    int nrows = PQntuples(r), ncols = PQnfields(r);
    out->nrows = nrows;
    out->ncols = ncols;
    out->cells = arena_alloc(a, sizeof *out->cells * (size_t)nrows * (size_t)ncols + 1);
    for (int i = 0; i < nrows; i++)
        for (int j = 0; j < ncols; j++)
            out->cells[i * ncols + j] =
                PQgetisnull(r, i, j)
                    ? NULL
                    : arena_strndup(a, PQgetvalue(r, i, j), (size_t)PQgetlength(r, i, j));
    const char *tuples = PQcmdTuples(r);
    out->changes = tuples && *tuples ? strtoll(tuples, NULL, 10) : 0;
    PQclear(r);
    return LW_OK;
}

static lw_status pg_after_copy(void *conn, const char *table, lw_error *err) {
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
             "coalesce((SELECT max(id) FROM %s), 0) + 1, false)",
             table, table);
    return pg_exec_script(conn, sql, err);
}

/* COPY TABLE FROM STDIN in the text format: one round trip for a whole batch
 * instead of one per row. Backslash, tab, newline and carriage return are
 * escaped; \N is NULL. */
static lw_status pg_copy_rows(void *conn, const char *table, const char *const *cells, int nrows,
                              int ncols, lw_error *err) {
    pg_conn *c = conn;
    size_t size = 1;
    for (long i = 0; i < (long)nrows * ncols; i++)
        size += (cells[i] ? 2 * strlen(cells[i]) : 2) + 1;
    char *buf = malloc(size);
    if (!buf)
        lw_oom();
    char *w = buf;
    for (int row = 0; row < nrows; row++) {
        for (int col = 0; col < ncols; col++) {
            const char *v = cells[(long)row * ncols + col];
            if (!v) {
                *w++ = '\\';
                *w++ = 'N';
            }
            for (; v && *v; v++) {
                char e = *v == '\\'   ? '\\'
                         : *v == '\t' ? 't'
                         : *v == '\n' ? 'n'
                         : *v == '\r' ? 'r'
                                      : 0;
                if (e) {
                    *w++ = '\\';
                    *w++ = e;
                } else {
                    *w++ = *v;
                }
            }
            *w++ = col + 1 < ncols ? '\t' : '\n';
        }
    }
    char sql[160];
    snprintf(sql, sizeof sql, "COPY %s FROM STDIN", table);
    PGresult *r = PQexec(c->pg, sql);
    lw_status st = LW_OK;
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        st = pg_error(c, r, err);
        PQclear(r);
        free(buf);
        return st;
    }
    PQclear(r);
    if (PQputCopyData(c->pg, buf, (int)(w - buf)) != 1)
        st = pg_error(c, NULL, err);
    free(buf);
    if (PQputCopyEnd(c->pg, st == LW_OK ? NULL : "linkwell: copy abandoned") != 1 && st == LW_OK)
        st = pg_error(c, NULL, err);
    /* The COPY's outcome, then the end of its results. */
    while ((r = PQgetResult(c->pg)) != NULL) {
        if (st == LW_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
            st = pg_error(c, r, err);
        PQclear(r);
    }
    return st;
}

static int pg_healthy(void *conn) {
    pg_conn *c = conn;
    return PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) == PQTRANS_IDLE;
}

const db_driver db_postgres_driver = {
    .name = "postgres",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .exec_script = pg_exec_script,
    .query = pg_query,
    .healthy = pg_healthy,
    .begin_sql = "BEGIN",
    /* Two `linkwell init` at once must not both migrate. */
    .migrate_lock_sql = "SELECT pg_advisory_lock(7315001)",
    .migrate_unlock_sql = "SELECT pg_advisory_unlock(7315001)",
    .after_copy = pg_after_copy,
    .copy_rows = pg_copy_rows,
    .migration_files = lw_postgres_migrations,
};
