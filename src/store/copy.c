/*
 * Whole-database operations: per-table row counts and content checksums, and
 * copying every row from one store to another (SQLite → PostgreSQL), so an
 * installation can move up without losing a row and prove it. The copy reads a
 * batch at a time and writes it with the target driver's bulk load when it has
 * one (PostgreSQL: COPY), so memory stays one batch whatever the size.
 *
 * Every table is listed in store_tables[] with its primary key, which is its
 * first column (batches are paged by it); a contract
 * test checks the list against the tables the migrations create. Values are
 * compared as text, which is why the schema holds only integers and text.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/store.h"

typedef struct table_def {
    const char *name;
    const char *key; /* a unique, ordered column to page by: the first column */
    int serial;      /* the key is a generated integer id (else text) */
} table_def;

/* In dependency order: a table comes after the tables it references. */
static const table_def store_tables[] = {
    {"organisations", "id", 1},
    {"users", "id", 1},
    {"sessions", "id_digest", 0},
    {"api_tokens", "id", 1},
    {"login_failures", "id", 1},
    {"audit_log", "id", 1},
    {"audit_reads_moved", "id", 0},
    {"directory_organizations", "id", 0},
    {"services", "id", 0},
    {"locations", "id", 0},
    {"taxonomies", "id", 0},
    {"taxonomy_terms", "id", 0},
    {"service_at_locations", "id", 1},
    {"schedules", "id", 1},
    {"contacts", "id", 1},
    {"phones", "id", 1},
    {"languages", "id", 1},
    {"accessibility", "id", 1},
    {"addresses", "id", 1},
    {"cost_options", "id", 1},
    {"attributes", "id", 1},
    {"service_areas", "id", 1},
    {"required_documents", "id", 1},
    {"funding", "id", 1},
    {"directory_domain_map", "pattern", 0},
    {"directory_state", "id", 1},
    {"people", "id", 1},
    {"referrals", "id", 1},
    {"cases", "id", 1},
    {"case_contacts", "id", 1},
    {"case_needs", "id", 1},
    {"case_goals", "id", 1},
    {"case_actions", "id", 1},
    {"funds", "id", 1},
    {"prescriptions", "id", 1},
    {"prescription_attendance", "id", 1},
    {"feedback_messages", "id", 1},
    {"self_referral_attempts", "id", 1},
    {"measures", "id", 1},
    {"decisions", "id", 1},
    {"decision_prescriptions", "id", 1},
    {"aid_categories", "id", 0},
    {"pathway_templates", "name", 0},
    {"case_pathways", "id", 1},
    {"case_milestones", "id", 1},
    {"milestone_moves", "id", 1},
    {"gp_consultations", "id", 1},
    {"unmet_needs", "id", 1},
};
#define NTABLES ((int)(sizeof store_tables / sizeof store_tables[0]))
#define BATCH 2000

int store_table_count(void) {
    return NTABLES;
}

const char *store_table_name(int i) {
    return i >= 0 && i < NTABLES ? store_tables[i].name : NULL;
}

/* Reads the rows of T after KEY (NULL: from the start), at most BATCH. */
static lw_status read_batch(lw_db *db, lw_arena *a, const table_def *t, const char *after,
                            db_result *r, lw_error *err) {
    const char *sql =
        after ? arena_printf(a, "SELECT * FROM %s WHERE %s > $1 ORDER BY %s LIMIT %d", t->name,
                             t->key, t->key, BATCH)
              : arena_printf(a, "SELECT * FROM %s ORDER BY %s LIMIT %d", t->name, t->key, BATCH);
    /* Integer keys must be compared as integers, not text. */
    db_val p[1] = {DB_S(after)};
    if (after && t->serial)
        p[0] = DB_I(strtoll(after, NULL, 10));
    return db_query(db, a, sql, p, after ? 1 : 0, r, err);
}

lw_status store_checksums(lw_store *s, lw_arena *out_arena, lw_table_sum **out, int *n,
                          lw_error *err) {
    lw_db *db = NULL;
    lw_status st = store_acquire(s, &db, err);
    if (st != LW_OK)
        return st;
    lw_table_sum *sums = arena_alloc(out_arena, sizeof *sums * NTABLES);
    for (int i = 0; i < NTABLES && st == LW_OK; i++) {
        const table_def *t = &store_tables[i];
        crypto_hash_sha256_state h;
        crypto_hash_sha256_init(&h);
        int64_t rows = 0;
        char *after = NULL;
        for (;;) {
            lw_arena *a = arena_new();
            db_result r;
            st = read_batch(db, a, t, after, &r, err);
            if (st != LW_OK) {
                arena_free(a);
                break;
            }
            for (int row = 0; row < r.nrows; row++) {
                for (int col = 0; col < r.ncols; col++) {
                    const char *v = db_text(&r, row, col);
                    /* Length-prefixed so that ("ab","c") differs from ("a","bc"). */
                    char prefix[24];
                    int len = v ? snprintf(prefix, sizeof prefix, "%zu:", strlen(v))
                                : snprintf(prefix, sizeof prefix, "N;");
                    crypto_hash_sha256_update(&h, (const unsigned char *)prefix,
                                              (unsigned long long)len);
                    if (v)
                        crypto_hash_sha256_update(&h, (const unsigned char *)v,
                                                  (unsigned long long)strlen(v));
                }
                rows++;
            }
            free(after);
            after = r.nrows == BATCH ? strdup(db_text(&r, r.nrows - 1, 0)) : NULL;
            arena_free(a);
            if (!after)
                break;
        }
        free(after);
        unsigned char d[crypto_hash_sha256_BYTES];
        crypto_hash_sha256_final(&h, d);
        sums[i].table = t->name;
        sums[i].rows = rows;
        sodium_bin2hex(sums[i].checksum, sizeof sums[i].checksum, d, sizeof d);
    }
    store_release(s, db);
    if (st == LW_OK) {
        *out = sums;
        *n = NTABLES;
    }
    return st;
}

lw_status store_copy(lw_store *src, lw_store *dst,
                     void (*progress)(const char *table, int64_t rows, void *ctx), void *ctx,
                     lw_error *err) {
    lw_db *from = NULL, *to = NULL;
    lw_status st = store_acquire(src, &from, err);
    if (st == LW_OK)
        st = store_acquire(dst, &to, err);
    if (st == LW_OK)
        st = store_begin(to, err);
    for (int i = 0; i < NTABLES && st == LW_OK; i++) {
        const table_def *t = &store_tables[i];
        /* The target must be empty: a copy never merges. */
        lw_arena *ca = arena_new();
        db_result cnt;
        st = db_query(to, ca, arena_printf(ca, "SELECT count(*) FROM %s", t->name), NULL, 0, &cnt,
                      err);
        if (st == LW_OK && db_int(&cnt, 0, 0) != 0)
            st = lw_fail(err, LW_ECONFLICT, "to",
                         "the target database already has rows in %s; copy only into an "
                         "empty, freshly initialised database",
                         t->name);
        arena_free(ca);
        int64_t rows = 0;
        char *after = NULL;
        while (st == LW_OK) {
            lw_arena *a = arena_new();
            db_result r;
            st = read_batch(from, a, t, after, &r, err);
            const char *insert = NULL;
            if (st == LW_OK && r.nrows > 0 && to->drv->copy_rows) {
                /* The backend's bulk load (PostgreSQL: COPY): a round trip a batch. */
                st = to->drv->copy_rows(to->conn, t->name, r.cells, r.nrows, r.ncols, err);
                if (st == LW_OK)
                    rows += r.nrows;
            } else if (st == LW_OK && r.nrows > 0) {
                char *cols = "";
                for (int c = 1; c <= r.ncols; c++)
                    cols = arena_printf(a, "%s%s$%d", cols, c > 1 ? ", " : "", c);
                insert = arena_printf(a, "INSERT INTO %s VALUES (%s)", t->name, cols);
            }
            db_val *p = arena_alloc(a, sizeof *p * (size_t)(r.ncols + 1));
            for (int row = 0; st == LW_OK && insert && row < r.nrows; row++) {
                for (int c = 0; c < r.ncols; c++)
                    p[c] = DB_S(db_text(&r, row, c));
                st = db_exec(to, insert, p, r.ncols, NULL, err);
                rows++;
            }
            free(after);
            after = st == LW_OK && r.nrows == BATCH ? strdup(db_text(&r, r.nrows - 1, 0)) : NULL;
            arena_free(a);
            if (!after)
                break;
        }
        free(after);
        if (st == LW_OK && to->drv->after_copy && t->serial)
            st = to->drv->after_copy(to->conn, t->name, err);
        if (st == LW_OK && progress)
            progress(t->name, rows, ctx);
    }
    if (st == LW_OK)
        st = store_commit(to, err);
    /* Fresh statistics for the planner: the copied tables were empty when last looked at. */
    if (st == LW_OK)
        st = db_exec(to, "ANALYZE", NULL, 0, NULL, err);
    if (to)
        store_release(dst, to);
    if (from)
        store_release(src, from);
    return st;
}

lw_status store_backup(lw_store *s, const char *path, lw_error *err) {
    lw_db *db = NULL;
    lw_status st = store_acquire(s, &db, err);
    if (st != LW_OK)
        return st;
    if (!db->drv->backup)
        st = lw_fail(err, LW_EINVAL, "db",
                     "linkwell backup is for SQLite databases; back up PostgreSQL with pg_dump "
                     "(see docs/deploy.md)");
    else
        st = db->drv->backup(db->conn, path, err);
    store_release(s, db);
    return st;
}
