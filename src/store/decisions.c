/*
 * The shared decision aid's records (issue 6): decisions, the prescriptions a
 * decision created, and the admins' edits of the decision aid's categories.
 * Declared in store.h.
 */
#include "store/db.h"
#include "store/store.h"

#define DECISION_COLS                                                                              \
    "d.id, d.case_id, d.person_id, d.organisation_id, d.facilitator_user_id, d.mode, d.outcome, "  \
    "d.ratings, d.considered, d.note, d.created_at, u.name, u.role"

lw_status store_decision_insert(lw_db *db, const lw_decision *d, int64_t *id, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_ID(d->case_id), DB_I(d->person_id), DB_I(d->org_id),  DB_I(d->facilitator_id),
                  DB_S(d->mode),     DB_S(d->outcome),   DB_S(d->ratings), DB_S(d->considered),
                  DB_S(d->note),     DB_I(d->created_at)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO decisions (case_id, person_id, organisation_id, "
                            "facilitator_user_id, mode, outcome, ratings, considered, note, "
                            "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                            "RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_OK)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

lw_status store_decision_rx_insert(lw_db *db, int64_t decision_id, int64_t prescription_id,
                                   lw_error *err) {
    db_val p[] = {DB_I(decision_id), DB_I(prescription_id)};
    return db_exec(db,
                   "INSERT INTO decision_prescriptions (decision_id, prescription_id) VALUES "
                   "($1, $2)",
                   p, 2, NULL, err);
}

lw_status store_decision_list(lw_db *db, lw_arena *a, int64_t case_id, lw_decision **out, int *n,
                              lw_error *err) {
    db_val p[] = {DB_I(case_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT " DECISION_COLS " FROM decisions d JOIN users u ON u.id = "
                            "d.facilitator_user_id WHERE d.case_id = $1 ORDER BY d.created_at "
                            "DESC, d.id DESC",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    lw_decision *v = arena_alloc(a, sizeof *v * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        v[i].id = db_int(&r, i, 0);
        v[i].case_id = db_int(&r, i, 1);
        v[i].person_id = db_int(&r, i, 2);
        v[i].org_id = db_int(&r, i, 3);
        v[i].facilitator_id = db_int(&r, i, 4);
        v[i].mode = db_text(&r, i, 5);
        v[i].outcome = db_text(&r, i, 6);
        v[i].ratings = db_text(&r, i, 7);
        v[i].considered = db_text(&r, i, 8);
        v[i].note = db_text(&r, i, 9);
        v[i].created_at = db_int(&r, i, 10);
        v[i].facilitator_name = db_text(&r, i, 11);
        v[i].facilitator_role = db_text(&r, i, 12);
    }
    *out = v;
    *n = r.nrows;
    return LW_OK;
}

lw_status store_decision_rxs(lw_db *db, lw_arena *a, int64_t decision_id, lw_decision_rx **out,
                             int *n, lw_error *err) {
    db_val p[] = {DB_I(decision_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT x.id, x.service_id, x.status FROM decision_prescriptions dp "
                            "JOIN prescriptions x ON x.id = dp.prescription_id WHERE "
                            "dp.decision_id = $1 ORDER BY dp.id",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    lw_decision_rx *v = arena_alloc(a, sizeof *v * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        v[i].prescription_id = db_int(&r, i, 0);
        v[i].service_id = db_text(&r, i, 1);
        v[i].status = db_text(&r, i, 2);
    }
    *out = v;
    *n = r.nrows;
    return LW_OK;
}

lw_status store_aid_categories(lw_db *db, lw_arena *a, lw_aid_category_row **out, int *n,
                               lw_error *err) {
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id, name, pros, cons, updated_at, updated_by FROM "
                            "aid_categories ORDER BY id",
                            NULL, 0, &r, err);
    if (st != LW_OK)
        return st;
    lw_aid_category_row *v = arena_alloc(a, sizeof *v * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        v[i].id = db_text(&r, i, 0);
        v[i].name = db_text(&r, i, 1);
        v[i].pros = db_text(&r, i, 2);
        v[i].cons = db_text(&r, i, 3);
        v[i].updated_at = db_int(&r, i, 4);
        v[i].updated_by = db_int(&r, i, 5);
    }
    *out = v;
    *n = r.nrows;
    return LW_OK;
}

lw_status store_aid_category_put(lw_db *db, const lw_aid_category_row *c, lw_error *err) {
    db_val p[] = {DB_S(c->id),   DB_S(c->name),       DB_S(c->pros),
                  DB_S(c->cons), DB_I(c->updated_at), DB_ID(c->updated_by)};
    return db_exec(db,
                   "INSERT INTO aid_categories (id, name, pros, cons, updated_at, updated_by) "
                   "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET name = "
                   "excluded.name, pros = excluded.pros, cons = excluded.cons, updated_at = "
                   "excluded.updated_at, updated_by = excluded.updated_by",
                   p, DB_NPARAMS(p), NULL, err);
}

lw_status store_match_scan_languages(lw_db *db, lw_arena *a, int64_t after, int limit,
                                     lw_match_language **out, int *n, lw_error *err) {
    db_val p[] = {DB_I(after), DB_I(limit)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id, owner_ref, name, code FROM languages WHERE owner_kind = "
                            "'service' AND id > $1 ORDER BY id LIMIT $2",
                            p, 2, &r, err);
    if (st != LW_OK)
        return st;
    lw_match_language *v = arena_alloc(a, sizeof *v * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        v[i].row = db_int(&r, i, 0);
        v[i].service_id = db_text(&r, i, 1);
        v[i].name = db_text(&r, i, 2);
        v[i].code = db_text(&r, i, 3);
    }
    *out = v;
    *n = r.nrows;
    return LW_OK;
}

lw_status store_match_scan_accessibility(lw_db *db, lw_arena *a, int64_t after, int limit,
                                         lw_match_access_text **out, int *n, lw_error *err) {
    db_val p[] = {DB_I(after), DB_I(limit)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT x.id, sal.root_id, x.description, x.details FROM "
                            "accessibility x JOIN service_at_locations sal ON sal.location_id = "
                            "x.root_id WHERE x.id IN (SELECT id FROM accessibility WHERE "
                            "owner_kind = 'location' AND id > $1 ORDER BY id LIMIT $2) ORDER BY "
                            "x.id, sal.id",
                            p, 2, &r, err);
    if (st != LW_OK)
        return st;
    lw_match_access_text *v = arena_alloc(a, sizeof *v * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        v[i].row = db_int(&r, i, 0);
        v[i].service_id = db_text(&r, i, 1);
        v[i].description = db_text(&r, i, 2);
        v[i].details = db_text(&r, i, 3);
    }
    *out = v;
    *n = r.nrows;
    return LW_OK;
}

lw_status store_match_accessibility_rows(lw_db *db, int64_t after, int limit, int64_t *last, int *n,
                                         lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(after), DB_I(limit)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT count(*), max(id) FROM (SELECT id FROM accessibility WHERE "
                            "owner_kind = 'location' AND id > $1 ORDER BY id LIMIT $2) t",
                            p, 2, &r, err);
    if (st == LW_OK) {
        *n = (int)db_int(&r, 0, 0);
        *last = db_int(&r, 0, 1);
    }
    arena_free(a);
    return st;
}
