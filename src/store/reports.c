/*
 * The facts reports are made of, read in pages by id, and the audit log read
 * as a change log (store/reports.h).
 */
#include <stdlib.h>

#include "store/db.h"
#include "store/store.h"

const char *rows_text(const lw_rows *r, int row, int col) {
    return r->cells[row * r->ncols + col];
}

int64_t rows_int(const lw_rows *r, int row, int col) {
    const char *s = rows_text(r, row, col);
    return s ? strtoll(s, NULL, 10) : 0;
}

static lw_status rows_query(lw_db *db, lw_arena *a, const char *sql, const db_val *p, int n,
                            lw_rows *out, lw_error *err) {
    db_result r;
    lw_status st = db_query(db, a, sql, p, n, &r, err);
    if (st != LW_OK)
        return st;
    out->nrows = r.nrows;
    out->ncols = r.ncols;
    out->cells = r.cells;
    return LW_OK;
}

lw_status store_rf_referrals(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                             lw_error *err) {
    db_val p[] = {DB_I(after), DB_I(limit)};
    return rows_query(db, a,
                      "SELECT id, created_at, source, reasons, status, from_organisation_id, "
                      "to_organisation_id FROM referrals WHERE id > $1 ORDER BY id LIMIT $2",
                      p, 2, out, err);
}

lw_status store_rf_cases(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                         lw_error *err) {
    db_val p[] = {DB_I(after), DB_I(limit)};
    return rows_query(db, a,
                      "SELECT c.id, c.referral_id, c.organisation_id, c.assignee_id, c.status, "
                      "c.opened_at, (SELECT min(k.at) FROM case_contacts k WHERE k.case_id = c.id) "
                      "FROM cases c WHERE c.id > $1 ORDER BY c.id LIMIT $2",
                      p, 2, out, err);
}

lw_status store_rf_case_needs(lw_db *db, lw_arena *a, int64_t case_id, int64_t after, int limit,
                              lw_rows *out, lw_error *err) {
    if (case_id > 0) {
        db_val p[] = {DB_I(case_id)};
        return rows_query(db, a,
                          "SELECT id, case_id, domain FROM case_needs WHERE case_id = $1 "
                          "ORDER BY id",
                          p, 1, out, err);
    }
    db_val p[] = {DB_I(after), DB_I(limit)};
    return rows_query(db, a,
                      "SELECT id, case_id, domain FROM case_needs WHERE id > $1 ORDER BY id "
                      "LIMIT $2",
                      p, 2, out, err);
}

lw_status store_rf_prescriptions(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                                 lw_error *err) {
    db_val p[] = {DB_I(after), DB_I(limit)};
    return rows_query(db, a,
                      "SELECT id, case_id, sender_organisation_id, created_at, started_at, "
                      "service_id, kind, mode, status, coalesce(decline_code, status_reason) "
                      "FROM prescriptions "
                      "WHERE id > $1 ORDER BY id LIMIT $2",
                      p, 2, out, err);
}

lw_status store_rf_measures(lw_db *db, lw_arena *a, int64_t case_id, int64_t after, int limit,
                            lw_rows *out, lw_error *err) {
    if (case_id > 0) {
        db_val p[] = {DB_I(case_id)};
        return rows_query(db, a,
                          "SELECT id, case_id, instrument, date, items FROM measures "
                          "WHERE case_id = $1 ORDER BY id",
                          p, 1, out, err);
    }
    db_val p[] = {DB_I(after), DB_I(limit)};
    return rows_query(db, a,
                      "SELECT id, case_id, instrument, date, items FROM measures WHERE id > $1 "
                      "ORDER BY id LIMIT $2",
                      p, 2, out, err);
}

lw_status store_rf_services(lw_db *db, lw_arena *a, const char *after, int limit, lw_rows *out,
                            lw_error *err) {
    db_val p[] = {DB_S(after ? after : ""), DB_I(limit)};
    return rows_query(db, a,
                      "SELECT id, need_domains, capacity_status, status, capacity FROM services "
                      "WHERE id > CAST($1 AS TEXT) ORDER BY id LIMIT $2",
                      p, 2, out, err);
}

lw_status store_rf_decisions(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                             lw_error *err) {
    db_val p[] = {DB_I(after), DB_I(limit)};
    return rows_query(db, a,
                      "SELECT id, case_id, organisation_id, created_at, mode, outcome "
                      "FROM decisions WHERE id > $1 ORDER BY id LIMIT $2",
                      p, 2, out, err);
}

lw_status store_rf_pathways(lw_db *db, lw_arena *a, int64_t case_id, int64_t after, int limit,
                            lw_rows *out, lw_error *err) {
    /* Two statements rather than one with OR, so each uses its index. */
    if (case_id > 0) {
        db_val p[] = {DB_I(case_id)};
        return rows_query(db, a,
                          "SELECT p.id, p.case_id, p.pathway, p.outcome, (SELECT min(m.due_at) "
                          "FROM case_milestones m WHERE m.case_id = p.case_id AND "
                          "m.needs_outcome = 1) FROM case_pathways p WHERE p.case_id = $1",
                          p, 1, out, err);
    }
    db_val p[] = {DB_I(after), DB_I(limit)};
    return rows_query(db, a,
                      "SELECT p.id, p.case_id, p.pathway, p.outcome, (SELECT min(m.due_at) FROM "
                      "case_milestones m WHERE m.case_id = p.case_id AND m.needs_outcome = 1) "
                      "FROM case_pathways p WHERE p.id > $1 ORDER BY p.id LIMIT $2",
                      p, 2, out, err);
}

lw_status store_rf_milestone_case(lw_db *db, int64_t id, int64_t *case_id, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(id)};
    db_result r;
    lw_status st =
        db_query(db, a, "SELECT case_id FROM case_milestones WHERE id = $1", p, 1, &r, err);
    if (st == LW_OK)
        *case_id = r.nrows ? db_int(&r, 0, 0) : 0;
    arena_free(a);
    return st;
}

lw_status store_rf_gp(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                      lw_error *err) {
    db_val p[] = {DB_I(after), DB_I(limit)};
    return rows_query(db, a,
                      "SELECT id, referral_id, person_id, before_count, after_count "
                      "FROM gp_consultations WHERE id > $1 ORDER BY id LIMIT $2",
                      p, 2, out, err);
}

lw_status store_rf_unmet(lw_db *db, lw_arena *a, int64_t case_id, int64_t after, int limit,
                         lw_rows *out, lw_error *err) {
    if (case_id > 0) {
        db_val p[] = {DB_I(case_id)};
        return rows_query(db, a,
                          "SELECT id, case_id, need FROM unmet_needs WHERE case_id = $1 "
                          "ORDER BY id",
                          p, 1, out, err);
    }
    db_val p[] = {DB_I(after), DB_I(limit)};
    return rows_query(db, a,
                      "SELECT id, case_id, need FROM unmet_needs WHERE id > $1 ORDER BY id "
                      "LIMIT $2",
                      p, 2, out, err);
}

lw_status store_rf_changes(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                           lw_error *err) {
    db_val p[] = {DB_I(after), DB_I(limit)};
    return rows_query(db, a,
                      "SELECT id, action, resource_type, resource_id FROM audit_log "
                      "WHERE id > $1 AND outcome = 'ok' AND action NOT LIKE '%.read' "
                      "AND action NOT LIKE '%.list' ORDER BY id LIMIT $2",
                      p, 2, out, err);
}

lw_status store_rf_audit_max(lw_db *db, int64_t *out, lw_error *err) {
    lw_arena *a = arena_new();
    db_result r;
    lw_status st = db_query(db, a, "SELECT max(id) FROM audit_log", NULL, 0, &r, err);
    if (st == LW_OK)
        *out = r.nrows ? db_int(&r, 0, 0) : 0;
    arena_free(a);
    return st;
}

lw_status store_rf_org_names(lw_db *db, lw_arena *a, lw_rows *out, lw_error *err) {
    return rows_query(db, a, "SELECT id, name FROM organisations ORDER BY id", NULL, 0, out, err);
}

lw_status store_rf_user_names(lw_db *db, lw_arena *a, lw_rows *out, lw_error *err) {
    return rows_query(db, a, "SELECT id, name FROM users ORDER BY id", NULL, 0, out, err);
}
