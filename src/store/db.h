/*
 * The driver interface inside store/: what a database backend must provide.
 * Only the files of store/ include this. Queries are written once, in SQL that both
 * SQLite and PostgreSQL accept, with parameters $1..$n; the drivers differ in
 * how they connect, prepare, bind and report errors, and in their migrations.
 *
 * A result is read whole into the caller's arena as text (NULL for SQL NULL);
 * db_int()/db_text() convert. Ownership: every string a query returns lives
 * in the arena passed to it.
 */
#ifndef LW_DB_H
#define LW_DB_H

#include <stdint.h>

#include "util/arena.h"
#include "util/embed.h"
#include "util/error.h"

typedef enum db_type { DB_NULL, DB_INT, DB_TEXT } db_type;

typedef struct db_val {
    db_type t;
    int64_t i;
    const char *s;
} db_val;

#define DB_I(x) ((db_val){.t = DB_INT, .i = (int64_t)(x)})
#define DB_S(x) ((db_val){.t = (x) ? DB_TEXT : DB_NULL, .s = (x)})
#define DB_NUL ((db_val){.t = DB_NULL})
/* An integer where 0 means "none" (an unset foreign key). */
#define DB_ID(x) ((x) ? DB_I(x) : DB_NUL)

typedef struct db_result {
    int nrows, ncols;
    const char **cells; /* nrows * ncols, row-major; NULL for SQL NULL */
    int64_t changes;    /* rows changed by an INSERT/UPDATE/DELETE */
    /* Only from db_query_ints(): integer values, row-major as cells, of the cells
     * that are db_int_cell; NULL when there are none. */
    const int64_t *ints;
} db_result;

/* The text of a cell whose integer value is in db_result.ints: db_query_ints()
 * leaves the integers of the columns it is told of unformatted. Read them with
 * db_i64() (db_is_null() works too), never with db_text() or db_int(). */
extern const char db_int_cell[];

typedef struct db_migration {
    int version;
    char name[64];
    const char *sql; /* one or more statements */
} db_migration;

/* One backend. CONN is the backend's own connection object. */
typedef struct db_driver {
    const char *name; /* "sqlite" or "postgres" */
    lw_status (*connect)(const char *url, int create, void **conn, lw_error *err);
    void (*disconnect)(void *conn);
    /* Runs statements with no parameters and no result (DDL, BEGIN, COMMIT). */
    lw_status (*exec_script)(void *conn, const char *sql, lw_error *err);
    lw_status (*query)(void *conn, lw_arena *a, const char *sql, const db_val *params, int n,
                       db_result *out, lw_error *err);
    /* As query, but the integers of the columns in INT_COLS (bit k: column k) may
     * be given as values (db_int_cell) instead of text. NULL when the backend has
     * no such path (db_query_ints() then runs query). */
    lw_status (*query_ints)(void *conn, lw_arena *a, const char *sql, const db_val *params, int n,
                            uint64_t int_cols, db_result *out, lw_error *err);
    /* 1 when the connection is usable, 0 when it must be replaced. */
    int (*healthy)(void *conn);
    const char *begin_sql;        /* "BEGIN IMMEDIATE" / "BEGIN" */
    const char *migrate_lock_sql; /* held while migrating; NULL when not needed */
    const char *migrate_unlock_sql;
    /* 1 when queries run inside this process (SQLite): a second query costs no
     * round trip, so a list may be read in two cheap queries rather than one
     * dear one (store_caseload). */
    int in_process;
    /* After rows were copied into TABLE with explicit ids: moves the id
     * generator past them. NULL when the backend needs nothing. */
    lw_status (*after_copy)(void *conn, const char *table, lw_error *err);
    /* Online backup to a file (SQLite); NULL when the backend has its own tools. */
    lw_status (*backup)(void *conn, const char *path, lw_error *err);
    /* Bulk load for store_copy: appends NROWS rows of NCOLS text cells (row-major,
     * NULL for SQL NULL, in the table's column order) to TABLE, in the caller's
     * transaction. NULL when the backend has none (then one INSERT per row). */
    lw_status (*copy_rows)(void *conn, const char *table, const char *const *cells, int nrows,
                           int ncols, lw_error *err);
    /* Gives back memory the connection holds only to be quick, after a read of
     * everything (an index build): cached and memory-mapped pages of the
     * database file. NULL when the backend holds none. */
    void (*trim)(void *conn);
    /* Tunes a new connection for requests that write (store_acquire_for); NULL
     * when the backend has nothing to tune. */
    lw_status (*for_writes)(void *conn, lw_error *err);
    /* Group commit (store/batch.c), all NULL when the backend's commits are durable
     * when they return. batch_setup makes CONN's commits return before the disk
     * has them; sync, on the state sync_open made for the database at URL, then
     * makes everything committed so far durable (thread-safe, and it does not
     * touch any connection, so the next batch runs meanwhile). log_pages: pages
     * in the write-ahead log after CONN's last commit; checkpoint copies the log
     * into the database without waiting for readers or writers, and returns its
     * length in pages when all of it was copied (-1 when not: a reader still
     * needs some of it, or the copy could not start). */
    lw_status (*batch_setup)(void *conn, lw_error *err);
    int (*log_pages)(void *conn);
    int (*checkpoint)(void *conn);
    void *(*sync_open)(const char *url);
    lw_status (*sync)(void *state, lw_error *err);
    void (*sync_close)(void *state);
    /* The numbered migration files, store/migrations/<backend>/NNNN_name.sql,
     * embedded at build time (sorted by name). */
    const lw_embedded *migration_files;
} db_driver;

extern const db_driver db_sqlite_driver;
extern const db_driver db_postgres_driver;

/* A connection taken from the pool (store_acquire) and the driver behind it. */
struct lw_db {
    const db_driver *drv;
    void *conn;
    int in_tx;
    int broken;
    int writes; /* taken for a request that writes (store_acquire_for) */
    struct lw_db *next_free;
};

/* For store/batch.c (store.c): the store's own connection for group commits,
 * made on first use and used by one batch leader at a time; the number of a
 * batch just committed on it; the durability step that returns when batch
 * SEQ is on disk (at once when commits are durable already: PostgreSQL),
 * sharing one sync among every batch committed before it starts; after a
 * commit on DB, the log copied into the database when it has grown long
 * (store_batch_log). */
struct lw_store;
typedef struct lw_batch_queue {
    void *head;  /* store/batch.c's waiting jobs, oldest first */
    int leading; /* a batch is running, or its leader has been chosen */
    int syncing; /* a committed batch is on its way to the disk */
} lw_batch_queue;
lw_batch_queue *store_batch_queue(struct lw_store *s);
int store_batch_commit_per_sync(const struct lw_store *s); /* lw_store_options */
lw_status store_batch_db(struct lw_store *s, struct lw_db **out, lw_error *err) LW_MUST_CHECK;
uint64_t store_batch_committed(struct lw_store *s);
lw_status store_batch_sync(struct lw_store *s, uint64_t seq, lw_error *err) LW_MUST_CHECK;
void store_batch_log(struct lw_store *s, struct lw_db *db);

lw_status db_query(struct lw_db *db, lw_arena *a, const char *sql, const db_val *params, int n,
                   db_result *out, lw_error *err) LW_MUST_CHECK;
/* As db_query, for statements whose rows are not needed. */
lw_status db_exec(struct lw_db *db, const char *sql, const db_val *params, int n, int64_t *changes,
                  lw_error *err) LW_MUST_CHECK;

const char *db_text(const db_result *r, int row, int col);
int64_t db_int(const db_result *r, int row, int col); /* 0 for NULL */
int db_is_null(const db_result *r, int row, int col);

/* As db_query, for a hot read whose integer columns (bit k of INT_COLS: column
 * k, k < 64) the caller reads with db_i64() only: the driver may hand their
 * values over without writing them as text and parsing them back. */
static inline lw_status db_query_ints(struct lw_db *db, lw_arena *a, const char *sql,
                                      const db_val *params, int n, uint64_t int_cols,
                                      db_result *out, lw_error *err) LW_MUST_CHECK;
static inline lw_status db_query_ints(struct lw_db *db, lw_arena *a, const char *sql,
                                      const db_val *params, int n, uint64_t int_cols,
                                      db_result *out, lw_error *err) {
    if (!db->drv->query_ints)
        return db_query(db, a, sql, params, n, out, err);
    lw_status st = db->drv->query_ints(db->conn, a, sql, params, n, int_cols, out, err);
    if (st == LW_EUNAVAILABLE && !db->drv->healthy(db->conn))
        db->broken = 1; /* as db_query does */
    return st;
}

/* An integer cell of a db_query_ints() (or db_query()) result; 0 for NULL. */
static inline int64_t db_i64(const db_result *r, int row, int col) {
    size_t k = (size_t)row * (size_t)r->ncols + (size_t)col;
    return r->cells[k] == db_int_cell ? r->ints[k] : db_int(r, row, col);
}

#define DB_NPARAMS(arr) ((int)(sizeof(arr) / sizeof((arr)[0])))

#endif
