/* The audit log: append and search. The schema refuses UPDATE and DELETE. */
#include "store/db.h"
#include "store/store.h"

lw_status store_audit_insert(lw_db *db, const lw_audit_entry *e, lw_error *err) {
    db_val p[] = {DB_I(e->at),          DB_ID(e->user_id),    DB_S(e->role),
                  DB_ID(e->org_id),     DB_S(e->action),      DB_S(e->resource_type),
                  DB_S(e->resource_id), DB_S(e->remote_addr), DB_S(e->outcome)};
    return db_exec(db,
                   "INSERT INTO audit_log (at, user_id, role, organisation_id, action, "
                   "resource_type, resource_id, remote_addr, outcome) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                   p, DB_NPARAMS(p), NULL, err);
}

lw_status store_audit_list(lw_db *db, lw_arena *a, const lw_audit_filter *f, lw_page pg,
                           lw_audit_entry **out, int *n, int64_t *total, lw_error *err) {
    db_val p[] = {DB_ID(f->user_id),    DB_S(f->resource_type),
                  DB_S(f->resource_id), DB_S(f->action),
                  DB_ID(f->from),       DB_ID(f->to),
                  DB_I(pg.per_page),    DB_I((pg.page - 1) * pg.per_page)};
#define AUDIT_WHERE                                                                                \
    " FROM audit_log WHERE (CAST($1 AS BIGINT) IS NULL OR user_id = $1) "                          \
    "AND (CAST($2 AS TEXT) IS NULL OR resource_type = $2) "                                        \
    "AND (CAST($3 AS TEXT) IS NULL OR resource_id = $3) "                                          \
    "AND (CAST($4 AS TEXT) IS NULL OR action = $4) "                                               \
    "AND (CAST($5 AS BIGINT) IS NULL OR at >= $5) AND (CAST($6 AS BIGINT) IS NULL OR at <= $6) "
    db_result r;
    lw_status st = db_query(db, a, "SELECT count(*)" AUDIT_WHERE, p, 6, &r, err);
    if (st != LW_OK)
        return st;
    *total = db_int(&r, 0, 0);
    st = db_query(db, a,
                  "SELECT id, at, user_id, role, organisation_id, action, resource_type, "
                  "resource_id, remote_addr, outcome" AUDIT_WHERE
                  "ORDER BY at DESC, id DESC LIMIT $7 OFFSET $8",
                  p, DB_NPARAMS(p), &r, err);
#undef AUDIT_WHERE
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        lw_audit_entry *e = &(*out)[i];
        e->id = db_int(&r, i, 0);
        e->at = db_int(&r, i, 1);
        e->user_id = db_int(&r, i, 2);
        e->role = db_text(&r, i, 3);
        e->org_id = db_int(&r, i, 4);
        e->action = db_text(&r, i, 5);
        e->resource_type = db_text(&r, i, 6);
        e->resource_id = db_text(&r, i, 7);
        e->remote_addr = db_text(&r, i, 8);
        e->outcome = db_text(&r, i, 9);
    }
    *n = r.nrows;
    return LW_OK;
}
