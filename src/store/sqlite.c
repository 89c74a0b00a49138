/*
 * The SQLite backend: one file, WAL, foreign keys on, a busy timeout, and
 * synchronous=FULL so that a write acknowledged to a user survives a power cut
 * (the group commit's own connection commits first and syncs the log after:
 * see "group commit's connection" below).
 * Each pooled connection keeps its prepared statements in a small cache keyed
 * by the SQL text.
 *
 * Concurrency: readers never wait for the writer (WAL), and writers take turns
 * for the one write lock. A writer that finds the lock taken retries after
 * tens of microseconds (busy_wait), not after SQLite's default 1-100 ms sleeps:
 * the lock is held for one short transaction at a time (see store/batch.c), so
 * a millisecond's sleep would mostly be spent with the lock free. The file is
 * memory-mapped (MMAP_BYTES): in WAL mode a connection drops its page cache
 * whenever another connection has committed. SQLite then unmaps the file too,
 * so the pages are faulted in again, but that still measured about 10% less
 * CPU than reading them with pread() (the caseload with 16 threads writing
 * audit rows). store_trim() unmaps after a read of everything.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"

/* Prepared statements kept per connection; past that the least recently used is
 * finalized (the store has about 180 query sites, most rarely used). */
#define STMT_CACHE 96
/* How long a writer waits for the write lock before LW_EUNAVAILABLE (503). */
#define BUSY_TIMEOUT_NS (5LL * 1000 * 1000 * 1000)
/* Map up to this much of the file (SQLite caps it at its compile-time limit). */
#define MMAP_BYTES "2147418112"
/* Page cache per connection, in KiB (negative: KiB, as PRAGMA cache_size takes). */
#define CACHE_KIB "-16384"

typedef struct cached {
    uint64_t hash;
    char *sql;
    sqlite3_stmt *stmt;
    const char *seen; /* the caller's text it last matched: checked first (no hashing) */
    int natural;      /* every parameter k is "$k" at index k: bound without name lookups */
    uint64_t used;    /* when it was last asked for (sq_conn.clock): the least recent goes */
} cached;

typedef struct sq_conn {
    sqlite3 *db;
    cached cache[STMT_CACHE];
    int ncache;
    uint64_t clock;             /* counts the statements asked for (cached.used) */
    struct timespec busy_since; /* when the current wait for the lock began */
    int log_pages;              /* frames in the log after the last commit (batch connection) */
} sq_conn;

static uint64_t fnv1a(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static lw_status sq_error(sqlite3 *db, int rc, lw_error *err) {
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        return lw_fail(err, LW_ECONFLICT, NULL, "%s", msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return lw_fail(err, LW_EUNAVAILABLE, NULL, "the database is busy; try again (%s)", msg);
    case SQLITE_FULL:
    case SQLITE_IOERR:
        return lw_fail(err, LW_EUNAVAILABLE, NULL, "the database cannot be written: %s", msg);
    default:
        return lw_fail(err, LW_EINTERNAL, NULL, "database error: %s", msg);
    }
}

static lw_status sq_exec_script(void *conn, const char *sql, lw_error *err) {
    sq_conn *c = conn;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? LW_OK : sq_error(c->db, rc, err);
}

static void sq_disconnect(void *conn) {
    sq_conn *c = conn;
    if (!c)
        return;
    for (int i = 0; i < c->ncache; i++) {
        sqlite3_finalize(c->cache[i].stmt);
        free(c->cache[i].sql);
    }
    sqlite3_close(c->db);
    free(c);
}

static int64_t elapsed_ns(const struct timespec *from, const struct timespec *to) {
    return (int64_t)(to->tv_sec - from->tv_sec) * 1000000000LL + (to->tv_nsec - from->tv_nsec);
}

/* The busy handler: retry after 20 us, doubling to at most 1 ms, for up to
 * BUSY_TIMEOUT_NS in all (0: give up, and the statement fails with SQLITE_BUSY). */
static int busy_wait(void *arg, int count) {
    sq_conn *c = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (count == 0)
        c->busy_since = now;
    else if (elapsed_ns(&c->busy_since, &now) >= BUSY_TIMEOUT_NS)
        return 0;
    long ns = 20000L << (count < 6 ? count : 6);
    if (ns > 1000000L)
        ns = 1000000L;
    struct timespec d = {0, ns};
    nanosleep(&d, NULL);
    return 1;
}

/* Before SQLite's first use in the process: no memory statistics. With them,
 * every allocation SQLite makes takes one process-wide mutex, which all the
 * server's threads then queue for. linkwell reads none of them. */
static void sq_configure(void) {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static lw_status sq_connect(const char *url, int create, void **out, lw_error *err) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_configure);
    const char *path = url;
    if (strncmp(path, "sqlite:", 7) == 0)
        path += 7;
    sq_conn *c = calloc(1, sizeof *c);
    if (!c)
        lw_oom();
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
    lw_status st = LW_OK;
    if (rc != SQLITE_OK) {
        if (!create && (rc & 0xff) == SQLITE_CANTOPEN)
            st = lw_fail(err, LW_EINVAL, "db",
                         "there is no database at %s; create it with: linkwell init --db %s", path,
                         path);
        else
            st = lw_fail(err, LW_EUNAVAILABLE, "db", "cannot open %s: %s", path,
                         c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_handler(c->db, busy_wait, c);
    st = sq_exec_script(c,
                        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                        "PRAGMA synchronous=FULL; PRAGMA trusted_schema=OFF; "
                        "PRAGMA mmap_size=" MMAP_BYTES "; PRAGMA cache_size=" CACHE_KIB ";",
                        err);
    if (st != LW_OK)
        goto fail;
    *out = c;
    return LW_OK;
fail:
    sq_disconnect(c);
    return st;
}

/* Whether parameter k of STMT is "$k" for every k (SQLite numbers named parameters
 * in order of first appearance): then they are bound by position. */
static int natural_params(sqlite3_stmt *stmt) {
    int n = sqlite3_bind_parameter_count(stmt);
    for (int k = 1; k <= n; k++) {
        const char *name = sqlite3_bind_parameter_name(stmt, k);
        char want[16];
        snprintf(want, sizeof want, "$%d", k);
        if (!name || strcmp(name, want) != 0)
            return 0;
    }
    return 1;
}

static sqlite3_stmt *sq_prepare(sq_conn *c, const char *sql, int *natural, lw_error *err) {
    /* Most callers pass the same constant text each time: its address is checked
     * first (and the text compared, as addresses can be reused), before hashing. */
    c->clock++;
    for (int i = 0; i < c->ncache; i++)
        if (c->cache[i].seen == sql && strcmp(c->cache[i].sql, sql) == 0) {
            *natural = c->cache[i].natural;
            c->cache[i].used = c->clock;
            return c->cache[i].stmt;
        }
    uint64_t h = fnv1a(sql);
    for (int i = 0; i < c->ncache; i++)
        if (c->cache[i].hash == h && strcmp(c->cache[i].sql, sql) == 0) {
            *natural = c->cache[i].natural;
            c->cache[i].seen = sql;
            c->cache[i].used = c->clock;
            return c->cache[i].stmt;
        }
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
    if (rc != SQLITE_OK) {
        (void)sq_error(c->db, rc, err);
        return NULL;
    }
    *natural = natural_params(stmt);
    /* A free slot, else the least recently asked for: no statement is running
     * when another is prepared (sq_run steps each to its end and resets it). */
    int slot = c->ncache;
    if (slot == STMT_CACHE) {
        slot = 0;
        for (int i = 1; i < STMT_CACHE; i++)
            if (c->cache[i].used < c->cache[slot].used)
                slot = i;
        sqlite3_finalize(c->cache[slot].stmt);
        free(c->cache[slot].sql);
    } else {
        c->ncache++;
    }
    c->cache[slot] = (cached){.hash = h,
                              .sql = strdup(sql),
                              .stmt = stmt,
                              .seen = sql,
                              .natural = *natural,
                              .used = c->clock};
    if (!c->cache[slot].sql)
        lw_oom();
    return stmt;
}

/* V in decimal, in A. */
static const char *int_text(lw_arena *a, int64_t v) {
    char buf[24], *p = buf + sizeof buf;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    *--p = '\0';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return arena_strndup(a, p, (size_t)(buf + sizeof buf - 1 - p));
}

/* See db.h: the text of an integer cell left unformatted by sq_query_ints. */
const char db_int_cell[] = "";

/* A query; the integer cells of the columns in INT_COLS are kept as values
 * (db_int_cell, the value in out->ints), the others become text. */
static lw_status sq_run(sq_conn *c, lw_arena *a, const char *sql, const db_val *params, int n,
                        uint64_t int_cols, db_result *out, lw_error *err) {
    int natural = 0;
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt = sq_prepare(c, sql, &natural, err);
    if (!stmt)
        return err ? err->code : LW_EINTERNAL;
    lw_status st = LW_OK;
    int nparams = natural ? sqlite3_bind_parameter_count(stmt) : 0;
    for (int k = 1; k <= n; k++) {
        int idx;
        if (natural) {
            idx = k <= nparams ? k : 0;
        } else {
            char name[16];
            snprintf(name, sizeof name, "$%d", k);
            idx = sqlite3_bind_parameter_index(stmt, name);
        }
        if (idx == 0)
            continue;
        const db_val *v = &params[k - 1];
        int rc = v->t == DB_INT    ? sqlite3_bind_int64(stmt, idx, v->i)
                 : v->t == DB_TEXT ? sqlite3_bind_text(stmt, idx, v->s, -1, SQLITE_STATIC)
                                   : sqlite3_bind_null(stmt, idx);
        if (rc != SQLITE_OK) {
            st = sq_error(c->db, rc, err);
            goto done;
        }
    }
    int ncols = sqlite3_column_count(stmt);
    int cap = 0;
    const char **cells = NULL;
    int64_t *ints = NULL;
    if (ncols < 64)
        int_cols &= ((uint64_t)1 << ncols) - 1;
    for (;;) {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            st = sq_error(c->db, rc, err);
            goto done;
        }
        if (out->nrows == cap) {
            int ncap = cap ? cap * 2 : 16;
            const char **grown =
                arena_alloc_raw(a, sizeof *grown * (size_t)ncap * (size_t)ncols + 1);
            if (cells)
                memcpy(grown, cells, sizeof *grown * (size_t)cap * (size_t)ncols);
            cells = grown;
            if (int_cols) {
                int64_t *more = arena_alloc_raw(a, sizeof *more * (size_t)ncap * (size_t)ncols);
                if (ints)
                    memcpy(more, ints, sizeof *more * (size_t)cap * (size_t)ncols);
                ints = more;
            }
            cap = ncap;
        }
        for (int j = 0; j < ncols; j++) {
            const char **cell = &cells[out->nrows * ncols + j];
            /* Each cell's value once, then read with the sqlite3_value_* functions:
             * the sqlite3_column_* ones look the column up again on every call
             * (a fifth of a 50-row caseload's reading). The value is "unprotected"
             * (no connection mutex held), which is safe here: a connection is used
             * by one thread at a time and opened without a mutex (NOMUTEX). */
            sqlite3_value *v = sqlite3_column_value(stmt, j);
            int type = sqlite3_value_type(v);
            if (type == SQLITE_NULL) {
                *cell = NULL;
            } else if (type == SQLITE_INTEGER && j < 64 && (int_cols >> j & 1)) {
                *cell = db_int_cell;
                ints[out->nrows * ncols + j] = sqlite3_value_int64(v);
            } else if (type == SQLITE_INTEGER) {
                /* Formatted here: SQLite's own conversion goes through its printf. */
                *cell = int_text(a, sqlite3_value_int64(v));
            } else {
                const unsigned char *t = sqlite3_value_text(v);
                *cell =
                    t ? arena_strndup(a, (const char *)t, (size_t)sqlite3_value_bytes(v)) : NULL;
            }
        }
        out->nrows++;
    }
    out->ncols = ncols;
    out->cells = cells;
    out->ints = ints;
    out->changes = sqlite3_changes64(c->db);
done:
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return st;
}

static lw_status sq_query(void *conn, lw_arena *a, const char *sql, const db_val *params, int n,
                          db_result *out, lw_error *err) {
    return sq_run(conn, a, sql, params, n, 0, out, err);
}

static lw_status sq_query_ints(void *conn, lw_arena *a, const char *sql, const db_val *params,
                               int n, uint64_t int_cols, db_result *out, lw_error *err) {
    return sq_run(conn, a, sql, params, n, int_cols, out, err);
}

static lw_status sq_backup(void *conn, const char *path, lw_error *err) {
    sq_conn *c = conn;
    sqlite3 *dst = NULL;
    int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    lw_status st = LW_OK;
    if (rc != SQLITE_OK) {
        st = lw_fail(err, LW_EINVAL, "to", "cannot create %s: %s", path,
                     dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
        goto done;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", c->db, "main");
    if (!b) {
        st = lw_fail(err, LW_EINVAL, "to", "cannot back up into %s: %s", path, sqlite3_errmsg(dst));
        goto done;
    }
    /* Copy in steps so that writers are not held off for the whole copy. */
    do {
        rc = sqlite3_backup_step(b, 1024);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        st = lw_fail(err, LW_EUNAVAILABLE, "to", "the backup failed: %s", sqlite3_errstr(rc));
done:
    sqlite3_close(dst);
    return st;
}

/* Unmaps the file (a new mmap_size limit remaps it, with no page resident until
 * touched again) and empties the page cache. */
static void sq_trim(void *conn) {
    sq_conn *c = conn;
    (void)sqlite3_exec(c->db, "PRAGMA mmap_size=0; PRAGMA mmap_size=" MMAP_BYTES ";", NULL, NULL,
                       NULL);
    (void)sqlite3_db_release_memory(c->db);
}

/* ---- group commit's connection and the log's durability (store/batch.c) ----
 *
 * The batch connection commits with synchronous=NORMAL: in WAL mode the commit
 * writes its frames to the log and returns without waiting for the disk, so
 * the write lock passes to the next batch at once. The leader then calls
 * sq_sync(), an fdatasync() of the log, before it answers anyone: a request is
 * still answered only after its rows are on disk, but one batch's wait for the
 * disk overlaps the next batch's work. The log only ever grows by whole
 * commits and is replayed up to the last intact one, so syncing it after
 * later commits were appended covers the earlier ones too; SQLite itself
 * syncs the log before a checkpoint copies it into the database and the
 * database after, so a log restarted after a checkpoint loses nothing.
 * The cost: between the commit and the sync (about a millisecond) another
 * connection may read rows that a power cut would still take away.
 *
 * Automatic checkpoints are off on this connection (they would run inside
 * the commit, holding the next batch up); sq_log_pages() tells the leader when
 * the log is long, and it checkpoints on a pooled connection after answering. */

static int log_hook(void *arg, sqlite3 *db, const char *name, int pages) {
    (void)db;
    (void)name;
    ((sq_conn *)arg)->log_pages = pages;
    return SQLITE_OK;
}

static lw_status sq_batch_setup(void *conn, lw_error *err) {
    sq_conn *c = conn;
    /* temp_store: each job's SAVEPOINT keeps the pages it changes in a
     * sub-journal, which otherwise spills to a temporary file (a tenth of the
     * CPU of a referral's create went to writing it). A batch's jobs are small. */
    lw_status st = sq_exec_script(c, "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY", err);
    if (st == LW_OK)
        sqlite3_wal_hook(c->db, log_hook, c); /* replaces the automatic checkpoint */
    return st;
}

static int sq_log_pages(void *conn) {
    return ((sq_conn *)conn)->log_pages;
}

static int sq_checkpoint(void *conn) {
    sq_conn *c = conn;
    int log = 0, copied = 0;
    if (sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) !=
        SQLITE_OK)
        return -1;
    return copied < log ? -1 : log;
}

typedef struct sq_log {
    pthread_mutex_t mu;
    char *path, *dir; /* the log file (PATH-wal) and its folder */
    int fd;           /* open on the log, or -1 */
    dev_t dev;
    ino_t ino;
} sq_log;

static void *sq_sync_open(const char *url) {
    const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
    sq_log *l = calloc(1, sizeof *l);
    size_t n = strlen(path);
    if (!l || !(l->path = malloc(n + 5)) || !(l->dir = strdup(path)))
        lw_oom();
    memcpy(l->path, path, n);
    memcpy(l->path + n, "-wal", 5);
    char *slash = strrchr(l->dir, '/');
    if (!slash)
        strcpy(l->dir, ".");
    else
        slash[slash == l->dir] = '\0';
    l->fd = -1;
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

static void sq_sync_close(void *state) {
    sq_log *l = state;
    if (!l)
        return;
    if (l->fd >= 0)
        close(l->fd);
    pthread_mutex_destroy(&l->mu);
    free(l->path);
    free(l->dir);
    free(l);
}

/* Makes durable everything committed to the log so far. The log is the file
 * now at PATH-wal: SQLite removes it only after copying it into the database
 * (synced), so when it is gone or replaced there is nothing older to sync. */
static lw_status sq_sync(void *state, lw_error *err) {
    sq_log *l = state;
    struct stat now;
    lw_status st = LW_OK;
    pthread_mutex_lock(&l->mu);
    if (stat(l->path, &now) != 0)
        goto done;
    if (l->fd < 0 || now.st_ino != l->ino || now.st_dev != l->dev) {
        if (l->fd >= 0)
            close(l->fd);
        l->fd = open(l->path, O_RDONLY | O_CLOEXEC);
        struct stat opened;
        if (l->fd < 0 || fstat(l->fd, &opened) != 0) {
            st = lw_fail(err, LW_EUNAVAILABLE, NULL, "cannot open the database log %s", l->path);
            goto done;
        }
        l->dev = opened.st_dev;
        l->ino = opened.st_ino;
        /* A new log file: its name must reach the disk as well as its contents. */
        int dfd = open(l->dir, O_RDONLY | O_CLOEXEC);
        int bad = dfd < 0 || fsync(dfd) != 0;
        if (dfd >= 0)
            close(dfd);
        if (bad) {
            st = lw_fail(err, LW_EUNAVAILABLE, NULL, "cannot sync the folder of %s", l->path);
            goto done;
        }
    }
    if (fdatasync(l->fd) != 0)
        st = lw_fail(err, LW_EUNAVAILABLE, NULL, "cannot write the database log %s to disk",
                     l->path);
done:
    pthread_mutex_unlock(&l->mu);
    return st;
}

/* A connection for requests that write does not map the file. In WAL mode a
 * connection drops its cache and its map whenever another has committed, so
 * while writes are frequent nearly every request unmaps and maps the file
 * again, and faults its pages back in: with the map, the unmapping (every
 * thread's mappings change; the kernel interrupts the other cores) and the
 * page faults cost a referral's create more than reading its few pages with
 * pread() does. A read of many pages (a caseload) gains from the map, which
 * all connections share where their page caches would each hold a copy. */
static lw_status sq_for_writes(void *conn, lw_error *err) {
    return sq_exec_script(conn, "PRAGMA mmap_size=0", err);
}

static int sq_healthy(void *conn) {
    (void)conn;
    return 1;
}

const db_driver db_sqlite_driver = {
    .name = "sqlite",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .exec_script = sq_exec_script,
    .query = sq_query,
    .query_ints = sq_query_ints,
    .healthy = sq_healthy,
    .begin_sql = "BEGIN IMMEDIATE",
    .in_process = 1,
    .backup = sq_backup,
    .trim = sq_trim,
    .for_writes = sq_for_writes,
    .batch_setup = sq_batch_setup,
    .log_pages = sq_log_pages,
    .checkpoint = sq_checkpoint,
    .sync_open = sq_sync_open,
    .sync = sq_sync,
    .sync_close = sq_sync_close,
    .migration_files = lw_sqlite_migrations,
};
