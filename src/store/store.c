/*
 * The store's frame: choosing a backend from the URL, the connection pool,
 * transactions, migrations, and the helpers every query uses.
 */
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

struct lw_store {
    const db_driver *drv;
    db_migration *migs;
    int nmigs;
    char *url;
    int create;
    int commit_per_sync;  /* lw_store_options */
    int checkpoint_pages; /* lw_store_options */
    int size, open;
    lw_db *free_list[2]; /* idle connections for reading, for writing (store_acquire_for) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    lw_db *batch_db; /* group commit's own connection (store_batch_db) */
    lw_batch_queue batch_queue;
    void *sync; /* the driver's durability state (drv->sync_open), or NULL */
    /* Batches committed, and how many of them are known to be on disk; one
     * sync at a time covers every commit made before it began (under mu). */
    uint64_t committed, synced;
    int syncing;
    /* A sync failed: from then on no batch is confirmed (store_batch_sync). */
    int sync_failed;
    int fail_syncs; /* tests: the next syncs to fail (store_test_fail_syncs) */
    pthread_cond_t sync_cv;
    /* The background copy of the log into the database (store_batch_log): its
     * thread and connection, made on first use, and under mu whether a copy
     * is asked for, running, or has ended since the leader last looked. */
    pthread_t copier;
    int copier_started, copier_stop;
    int copy_wanted, copy_running, copy_ended;
    pthread_cond_t copy_cv;
    lw_db *copier_db;
};

/* The log's length from which it is copied into the database (store_batch_log). */
#define CHECKPOINT_PAGES 16000

static void load_migrations(lw_store *s);

static int is_postgres_url(const char *url) {
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

lw_status store_open(const char *url, const lw_store_options *opt, lw_store **out, lw_error *err) {
    if (!url || !*url)
        return lw_fail(err, LW_EINVAL, "db",
                       "no database given: pass --db PATH or set LINKWELL_DB");
    lw_store *s = calloc(1, sizeof *s);
    if (!s)
        lw_oom();
    s->drv = is_postgres_url(url) ? &db_postgres_driver : &db_sqlite_driver;
    load_migrations(s);
    s->url = strdup(url);
    if (!s->url)
        lw_oom();
    s->create = opt && opt->create;
    s->commit_per_sync = opt && opt->commit_per_sync;
    s->checkpoint_pages =
        opt && opt->checkpoint_pages > 0 ? opt->checkpoint_pages : CHECKPOINT_PAGES;
    s->size = opt && opt->pool_size > 0 ? opt->pool_size : 4;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_cond_init(&s->sync_cv, NULL);
    pthread_cond_init(&s->copy_cv, NULL);
    /* Open one connection now so that a bad path is reported at once. */
    lw_db *db = NULL;
    lw_status st = store_acquire(s, &db, err);
    if (st != LW_OK) {
        store_close(s);
        return st;
    }
    store_release(s, db);
    *out = s;
    return LW_OK;
}

static void db_free(lw_db *db) {
    if (!db)
        return;
    db->drv->disconnect(db->conn);
    free(db);
}

void store_close(lw_store *s) {
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    int copier = s->copier_started;
    s->copier_stop = 1;
    pthread_cond_broadcast(&s->copy_cv);
    pthread_mutex_unlock(&s->mu);
    if (copier)
        pthread_join(s->copier, NULL);
    db_free(s->copier_db);
    db_free(s->batch_db);
    if (s->sync)
        s->drv->sync_close(s->sync);
    for (int k = 0; k < 2; k++) {
        lw_db *db = s->free_list[k];
        while (db) {
            lw_db *next = db->next_free;
            db_free(db);
            db = next;
        }
    }
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    pthread_cond_destroy(&s->sync_cv);
    pthread_cond_destroy(&s->copy_cv);
    free(s->migs);
    free(s->url);
    free(s);
}

const char *store_backend(const lw_store *s) {
    return s->drv->name;
}

const char *store_url(const lw_store *s) {
    return s->url;
}

/* A new connection, tuned for writing requests when WRITES. */
static lw_status db_open(lw_store *s, int writes, lw_db **out, lw_error *err) {
    lw_db *db = calloc(1, sizeof *db);
    if (!db)
        lw_oom();
    db->drv = s->drv;
    db->writes = writes;
    lw_status st = s->drv->connect(s->url, s->create, &db->conn, err);
    if (st == LW_OK && writes && s->drv->for_writes)
        st = s->drv->for_writes(db->conn, err);
    if (st != LW_OK) {
        if (db->conn)
            db->drv->disconnect(db->conn);
        free(db);
        return st;
    }
    *out = db;
    return LW_OK;
}

lw_status store_acquire(lw_store *s, lw_db **out, lw_error *err) {
    return store_acquire_for(s, 0, out, err);
}

lw_status store_acquire_for(lw_store *s, int writes, lw_db **out, lw_error *err) {
    int k = writes ? 1 : 0;
    pthread_mutex_lock(&s->mu);
    while (!s->free_list[0] && !s->free_list[1] && s->open >= s->size)
        pthread_cond_wait(&s->cv, &s->mu);
    /* An idle connection of the kind asked for; else a new one while the pool
     * has room; else one of the other kind rather than a wait. */
    if (!s->free_list[k] && s->open < s->size) {
        s->open++;
        pthread_mutex_unlock(&s->mu);
        lw_status st = db_open(s, k, out, err);
        if (st != LW_OK) {
            pthread_mutex_lock(&s->mu);
            s->open--;
            pthread_cond_signal(&s->cv);
            pthread_mutex_unlock(&s->mu);
        }
        return st;
    }
    if (!s->free_list[k])
        k = !k;
    lw_db *db = s->free_list[k];
    s->free_list[k] = db->next_free;
    pthread_mutex_unlock(&s->mu);
    db->next_free = NULL;
    *out = db;
    return LW_OK;
}

void store_release(lw_store *s, lw_db *db) {
    if (!db)
        return;
    store_rollback(db);
    pthread_mutex_lock(&s->mu);
    if (db->broken || !db->drv->healthy(db->conn)) {
        s->open--;
        pthread_mutex_unlock(&s->mu);
        db_free(db);
        pthread_mutex_lock(&s->mu);
    } else {
        db->next_free = s->free_list[db->writes];
        s->free_list[db->writes] = db;
    }
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

lw_status store_begin(lw_db *db, lw_error *err) {
    lw_status st = db->drv->exec_script(db->conn, db->drv->begin_sql, err);
    if (st == LW_OK)
        db->in_tx = 1;
    return st;
}

lw_status store_commit(lw_db *db, lw_error *err) {
    lw_status st = db->drv->exec_script(db->conn, "COMMIT", err);
    if (st != LW_OK) {
        store_rollback(db);
        return st;
    }
    db->in_tx = 0;
    return LW_OK;
}

void store_rollback(lw_db *db) {
    if (!db->in_tx)
        return;
    if (db->drv->exec_script(db->conn, "ROLLBACK", NULL) != LW_OK)
        db->broken = 1;
    db->in_tx = 0;
}

lw_status store_batch_db(lw_store *s, lw_db **out, lw_error *err) {
    lw_db *db = s->batch_db;
    if (db && (db->broken || !db->drv->healthy(db->conn))) {
        db_free(db);
        s->batch_db = db = NULL;
    }
    if (!db) {
        lw_status st = db_open(s, 1, &db, err);
        if (st == LW_OK && s->drv->batch_setup) {
            st = s->drv->batch_setup(db->conn, err);
            if (st != LW_OK)
                db_free(db);
        }
        if (st != LW_OK)
            return st;
        if (s->drv->sync_open && !s->sync)
            s->sync = s->drv->sync_open(s->url);
        s->batch_db = db;
    }
    *out = db;
    return LW_OK;
}

lw_batch_queue *store_batch_queue(lw_store *s) {
    return &s->batch_queue;
}

int store_batch_commit_per_sync(const lw_store *s) {
    return s->commit_per_sync;
}

uint64_t store_batch_committed(lw_store *s) {
    pthread_mutex_lock(&s->mu);
    uint64_t seq = ++s->committed;
    pthread_mutex_unlock(&s->mu);
    return seq;
}

/* After a failed sync the kernel may have dropped the pages it could not write
 * and call them clean, so a later sync that succeeds proves nothing about them:
 * like PostgreSQL, which stops at such a failure, the store then confirms no
 * batch at all (every batched write and audited read is answered 503) until the
 * process starts again and SQLite recovers the log from what is on disk. */
lw_status store_batch_sync(lw_store *s, uint64_t seq, lw_error *err) {
    if (!s->sync)
        return LW_OK;
    lw_status st = LW_OK;
    pthread_mutex_lock(&s->mu);
    while (s->synced < seq && st == LW_OK) {
        if (s->sync_failed) {
            st = lw_fail(err, LW_EUNAVAILABLE, NULL,
                         "a write could not be confirmed on disk, so no write is accepted until "
                         "linkwell is restarted (check the disk)");
            break;
        }
        if (s->syncing) {
            pthread_cond_wait(&s->sync_cv, &s->mu);
            continue;
        }
        /* This sync covers every batch committed until now: the batches that
         * commit while it runs wait for the next one, and share it. */
        uint64_t target = s->committed;
        s->syncing = 1;
        int inject = s->fail_syncs > 0;
        s->fail_syncs -= inject;
        pthread_mutex_unlock(&s->mu);
        st = inject ? lw_fail(err, LW_EUNAVAILABLE, NULL,
                              "cannot write the database log to disk "
                              "(a failure injected by a test)")
                    : s->drv->sync(s->sync, err);
        pthread_mutex_lock(&s->mu);
        s->syncing = 0;
        if (st == LW_OK && target > s->synced)
            s->synced = target;
        if (st != LW_OK)
            s->sync_failed = 1;
        pthread_cond_broadcast(&s->sync_cv);
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}

void store_test_fail_syncs(lw_store *s, int n) {
    pthread_mutex_lock(&s->mu);
    s->fail_syncs = n;
    pthread_mutex_unlock(&s->mu);
}

/* The batch connection has no automatic checkpoint (it would run inside the
 * commit). From lw_store_options.checkpoint_pages of log on (64 MiB by default;
 * SQLite's own default is 1,000 pages, but a page changed by several batches is
 * copied once per checkpoint) the log is copied into the database in two steps:
 *
 * 1. A thread of the store's own (the copier) copies it on its own connection,
 *    beside the batches that go on writing: the pages, then the database
 *    file's sync; again while more than COPY_LEFT_MAX pages were written
 *    meanwhile. Done by the leader, this had stopped every batch for 13 ms of
 *    every 16 MiB at 1,000,000 referrals.
 * 2. When it has ended, the next leader copies what was written since, before
 *    it lets the next batch go: a few hundred pages, and two syncs (10-18 ms).
 *    It must be the leader, then: SQLite starts the log again from its
 *    beginning only when a checkpoint has copied all of it before the next
 *    write begins, and a copy made beside batches that go on writing never has
 *    (measured: the log grew past 300 MB in ten seconds).
 *
 * Measured on the referral writes (bench/README.md): the leader's share went
 * from 26 to 6 microseconds per referral. If the copier falls behind, the
 * leader copies all of the log itself from four times the length on. */
#define COPY_LEFT_MAX 256

static void *copier_main(void *arg) {
    lw_store *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->copy_wanted && !s->copier_stop)
            pthread_cond_wait(&s->copy_cv, &s->mu);
        if (s->copier_stop)
            break;
        s->copy_wanted = 0;
        s->copy_running = 1;
        pthread_mutex_unlock(&s->mu);
        lw_error ignored;
        /* Without a connection the copy ends at once, and the leader copies it all. */
        if (!s->copier_db && db_open(s, 1, &s->copier_db, &ignored) != LW_OK)
            s->copier_db = NULL;
        /* Again while much was written during the last copy, so as to leave the
         * leader little (it costs the leader two syncs whatever is left). */
        for (int i = 0, was = -1, now; s->copier_db && i < 4; i++, was = now)
            if ((now = s->drv->checkpoint(s->copier_db->conn)) < 0 ||
                (was >= 0 && now - was <= COPY_LEFT_MAX))
                break;
        pthread_mutex_lock(&s->mu);
        s->copy_running = 0;
        s->copy_ended = 1;
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

void store_batch_log(lw_store *s, lw_db *db) {
    if (!db->drv->log_pages)
        return;
    int pages = db->drv->log_pages(db->conn);
    if (pages < s->checkpoint_pages)
        return;
    int here = pages >= 4 * s->checkpoint_pages;
    pthread_mutex_lock(&s->mu);
    if (s->copy_ended) {
        s->copy_ended = 0;
        here = 1;
    } else if (!s->copy_running && !s->copy_wanted) {
        if (!s->copier_started)
            s->copier_started = pthread_create(&s->copier, NULL, copier_main, s) == 0;
        if (s->copier_started) {
            s->copy_wanted = 1;
            pthread_cond_signal(&s->copy_cv);
        } else {
            here = 1;
        }
    }
    pthread_mutex_unlock(&s->mu);
    if (here)
        (void)db->drv->checkpoint(db->conn);
}

void store_trim(lw_db *db) {
    if (db && db->drv->trim)
        db->drv->trim(db->conn);
}

/* ---- query helpers ---- */

lw_status db_query(lw_db *db, lw_arena *a, const char *sql, const db_val *params, int n,
                   db_result *out, lw_error *err) {
    lw_status st = db->drv->query(db->conn, a, sql, params, n, out, err);
    if (st == LW_EUNAVAILABLE && !db->drv->healthy(db->conn))
        db->broken = 1;
    return st;
}

lw_status db_exec(lw_db *db, const char *sql, const db_val *params, int n, int64_t *changes,
                  lw_error *err) {
    lw_arena *a = arena_new();
    db_result r;
    lw_status st = db_query(db, a, sql, params, n, &r, err);
    if (st == LW_OK && changes)
        *changes = r.changes;
    arena_free(a);
    return st;
}

const char *db_text(const db_result *r, int row, int col) {
    return r->cells[row * r->ncols + col];
}

int64_t db_int(const db_result *r, int row, int col) {
    const char *t = db_text(r, row, col);
    if (!t)
        return 0;
    /* The drivers write integers as plain decimal (at most 19 digits: an int64);
     * anything else (a number in a text column, say) goes the long way. */
    const char *p = t + (*t == '-');
    uint64_t v = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 19; p++, digits++)
        v = v * 10 + (uint64_t)(*p - '0');
    if (*p || digits == 0 || v > (uint64_t)INT64_MAX)
        return strtoll(t, NULL, 10);
    return *t == '-' ? -(int64_t)v : (int64_t)v;
}

int db_is_null(const db_result *r, int row, int col) {
    return db_text(r, row, col) == NULL;
}

/* ---- migrations ---- */

/* Reads the embedded migration files ("0002_directory.sql": version 2, name
 * "directory"). Versions must run 1, 2, 3... with no gap: a broken build is a
 * bug, so it aborts. */
static void load_migrations(lw_store *s) {
    int n = 0;
    for (const lw_embedded *e = s->drv->migration_files; e->path; e++)
        n++;
    s->migs = calloc((size_t)n + 1, sizeof *s->migs);
    if (!s->migs)
        lw_oom();
    for (int i = 0; i < n; i++) {
        const lw_embedded *e = &s->drv->migration_files[i];
        db_migration *m = &s->migs[i];
        char *end = NULL;
        m->version = (int)strtol(e->path, &end, 10);
        if (m->version != i + 1 || !end || *end != '_') {
            fprintf(stderr, "linkwell: migration %s is out of sequence (expected %04d_...)\n",
                    e->path, i + 1);
            abort();
        }
        snprintf(m->name, sizeof m->name, "%.*s", (int)strcspn(end + 1, "."), end + 1);
        for (char *c = m->name; *c; c++)
            if (*c == '_')
                *c = ' ';
        m->sql = (const char *)e->data;
    }
    s->nmigs = n;
}

int store_schema_latest(const lw_store *s) {
    return s->nmigs ? s->migs[s->nmigs - 1].version : 0;
}

lw_status store_schema_version(lw_db *db, int *out, lw_error *err) {
    lw_arena *a = arena_new();
    db_result r;
    /* Portable check for the migrations table: try to read it. */
    lw_status st = db_query(db, a, "SELECT max(version) FROM schema_migrations", NULL, 0, &r, err);
    if (st == LW_OK)
        *out = r.nrows ? (int)db_int(&r, 0, 0) : 0;
    else if (st == LW_EINTERNAL) {
        /* No migrations table: an empty (or foreign) database. */
        lw_error_clear(err);
        *out = 0;
        st = LW_OK;
    }
    arena_free(a);
    return st;
}

lw_status store_migrate(lw_store *s, int64_t now, int *from, int *to, lw_error *err) {
    lw_db *db = NULL;
    int locked = 0;
    lw_status st = store_acquire(s, &db, err);
    if (st != LW_OK)
        return st;
    st = db->drv->exec_script(db->conn,
                              "CREATE TABLE IF NOT EXISTS schema_migrations ("
                              "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                              "applied_at BIGINT NOT NULL)",
                              err);
    if (st != LW_OK)
        goto done;
    if (db->drv->migrate_lock_sql) {
        st = db->drv->exec_script(db->conn, db->drv->migrate_lock_sql, err);
        if (st != LW_OK)
            goto done;
        locked = 1;
    }
    int cur = 0;
    st = store_schema_version(db, &cur, err);
    if (st != LW_OK)
        goto done;
    *from = cur;
    if (cur > store_schema_latest(s)) {
        st = lw_fail(err, LW_ECONFLICT, "db",
                     "the database is at schema version %d, newer than this linkwell "
                     "(version %d): upgrade linkwell",
                     cur, store_schema_latest(s));
        goto done;
    }
    for (int i = 0; i < s->nmigs; i++) {
        const db_migration *m = &s->migs[i];
        if (m->version <= cur)
            continue;
        st = store_begin(db, err);
        if (st != LW_OK)
            goto done;
        st = db->drv->exec_script(db->conn, m->sql, err);
        if (st == LW_OK) {
            db_val p[] = {DB_I(m->version), DB_S(m->name), DB_I(now)};
            st = db_exec(db,
                         "INSERT INTO schema_migrations (version, name, applied_at) "
                         "VALUES ($1, $2, $3)",
                         p, DB_NPARAMS(p), NULL, err);
        }
        if (st == LW_OK)
            st = store_commit(db, err);
        if (st != LW_OK) {
            store_rollback(db);
            goto done;
        }
        cur = m->version;
    }
    *to = cur;
done:
    if (locked && db->drv->exec_script(db->conn, db->drv->migrate_unlock_sql, NULL) != LW_OK)
        db->broken = 1;
    store_release(s, db);
    return st;
}

lw_status store_schema_check(lw_store *s, lw_error *err) {
    lw_db *db = NULL;
    lw_status st = store_acquire(s, &db, err);
    if (st != LW_OK)
        return st;
    int cur = 0;
    st = store_schema_version(db, &cur, err);
    store_release(s, db);
    if (st != LW_OK)
        return st;
    int latest = store_schema_latest(s);
    if (cur == 0)
        return lw_fail(err, LW_ECONFLICT, "db",
                       "the database has no linkwell schema; create it with linkwell init");
    if (cur < latest)
        return lw_fail(err, LW_ECONFLICT, "db",
                       "the database is at schema version %d and this linkwell needs %d: "
                       "migrate it with linkwell init --db (back it up first)",
                       cur, latest);
    if (cur > latest)
        return lw_fail(err, LW_ECONFLICT, "db",
                       "the database is at schema version %d, newer than this linkwell "
                       "(version %d): upgrade linkwell",
                       cur, latest);
    return LW_OK;
}

lw_status store_ping(lw_store *s, lw_error *err) {
    pthread_mutex_lock(&s->mu);
    int failed = s->sync_failed;
    pthread_mutex_unlock(&s->mu);
    if (failed)
        return lw_fail(err, LW_EUNAVAILABLE, NULL,
                       "a write could not be confirmed on disk: restart linkwell (check the disk)");
    lw_db *db = NULL;
    lw_status st = store_acquire(s, &db, err);
    if (st != LW_OK)
        return st;
    st = db_exec(db, "SELECT 1", NULL, 0, NULL, err);
    store_release(s, db);
    return st;
}
