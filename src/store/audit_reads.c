/*
 * The audit rows of reads on SQLite, kept beside the database until they are
 * moved into audit_log (store.h: store_reads_open). The file holds one table,
 * audit_log, with the main table's columns; AUTOINCREMENT keeps its ids rising
 * and never reused, so "moved up to id K" (audit_reads_moved in the main file,
 * written in the same transaction as the copies) says exactly what has been
 * moved, whatever happened between that commit and the deletion here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
#include "store/store.h"

#define MOVE_ROWS 5000

lw_status store_reads_open(lw_store *main, int create, lw_store **out, lw_error *err) {
    *out = NULL;
    if (strcmp(store_backend(main), "sqlite") != 0)
        return LW_OK;
    char path[4096];
    int k = snprintf(path, sizeof path, "%s-reads", store_url(main));
    if (k < 0 || (size_t)k >= sizeof path)
        return lw_fail(err, LW_EINVAL, "db", "the database path is too long");
    if (!create && access(path, F_OK) != 0)
        return LW_OK;
    /* Its jobs are one row each: one commit per sync (13 rows a batch instead of 2).
     * Its rows move into the database every moment and the file stays small, so
     * its log is copied into it from SQLite's usual 1,000 pages (4 MiB) on, not
     * from the main database's 64 MiB. */
    lw_store_options o = {
        .pool_size = 4, .create = 1, .commit_per_sync = 1, .checkpoint_pages = 1000};
    lw_store *s = NULL;
    lw_status st = store_open(path, &o, &s, err);
    lw_db *db = NULL;
    if (st == LW_OK)
        st = store_acquire(s, &db, err);
    if (st == LW_OK)
        st = db_exec(db,
                     "CREATE TABLE IF NOT EXISTS audit_log ("
                     "id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, "
                     "user_id INTEGER, role TEXT, organisation_id INTEGER, action TEXT NOT NULL, "
                     "resource_type TEXT, resource_id TEXT, remote_addr TEXT, "
                     "outcome TEXT NOT NULL)",
                     NULL, 0, NULL, err);
    if (db)
        store_release(s, db);
    if (st != LW_OK) {
        store_close(s);
        return st;
    }
    *out = s;
    return LW_OK;
}

/* One bulk move of up to MOVE_ROWS rows; *N how many. */
static lw_status move_some(lw_db *mdb, lw_db *rdb, lw_arena *a, int *n, lw_error *err) {
    *n = 0;
    /* The main file's write lock first: the mark read under it cannot change
     * until this commits, so two movers never copy the same row. */
    lw_status st = store_begin(mdb, err);
    db_result r;
    if (st == LW_OK)
        st = db_query(mdb, a, "SELECT last_id FROM audit_reads_moved WHERE id = 1", NULL, 0, &r,
                      err);
    int64_t mark = st == LW_OK && r.nrows ? db_int(&r, 0, 0) : 0;
    db_val p[] = {DB_I(mark), DB_I(MOVE_ROWS)};
    if (st == LW_OK)
        st = db_query(rdb, a,
                      "SELECT id, at, user_id, role, organisation_id, action, resource_type, "
                      "resource_id, remote_addr, outcome FROM audit_log WHERE id > $1 "
                      "ORDER BY id LIMIT $2",
                      p, DB_NPARAMS(p), &r, err);
    for (int i = 0; st == LW_OK && i < r.nrows; i++) {
        lw_audit_entry e = {.at = db_int(&r, i, 1),
                            .user_id = db_int(&r, i, 2),
                            .role = db_text(&r, i, 3),
                            .org_id = db_int(&r, i, 4),
                            .action = db_text(&r, i, 5),
                            .resource_type = db_text(&r, i, 6),
                            .resource_id = db_text(&r, i, 7),
                            .remote_addr = db_text(&r, i, 8),
                            .outcome = db_text(&r, i, 9)};
        st = store_audit_insert(mdb, &e, err);
    }
    int64_t last = st == LW_OK && r.nrows ? db_int(&r, r.nrows - 1, 0) : mark;
    if (st == LW_OK && last > mark) {
        db_val q[] = {DB_I(last)};
        st = db_exec(mdb,
                     "INSERT INTO audit_reads_moved (id, last_id) VALUES (1, $1) "
                     "ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id",
                     q, 1, NULL, err);
    }
    if (st == LW_OK)
        st = store_commit(mdb, err);
    else
        store_rollback(mdb);
    if (st != LW_OK)
        return st;
    /* Moved (now or by an earlier run that stopped here): gone from this file. */
    db_val d[] = {DB_I(last)};
    if (last > 0)
        st = db_exec(rdb, "DELETE FROM audit_log WHERE id <= $1", d, 1, NULL, err);
    if (st == LW_OK)
        *n = r.nrows;
    return st;
}

lw_status store_reads_move(lw_store *main, lw_store *reads, int *moved, lw_error *err) {
    if (moved)
        *moved = 0;
    if (!reads)
        return LW_OK;
    lw_db *mdb = NULL, *rdb = NULL;
    lw_status st = store_acquire(main, &mdb, err);
    if (st == LW_OK)
        st = store_acquire(reads, &rdb, err);
    int n = MOVE_ROWS;
    while (st == LW_OK && n == MOVE_ROWS) {
        lw_arena *a = arena_new();
        st = move_some(mdb, rdb, a, &n, err);
        arena_free(a);
        if (st == LW_OK && moved)
            *moved += n;
    }
    if (rdb)
        store_release(reads, rdb);
    if (mdb)
        store_release(main, mdb);
    return st;
}
