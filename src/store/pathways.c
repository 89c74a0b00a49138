/*
 * Pathways, milestones, GP consultations and community outcomes
 * (store/pathways.h).
 */
#include "store/db.h"
#include "store/qb.h"
#include "store/store.h"

/* ---- templates ---- */

#define PATHWAY_COLS "name, title, milestones, builtin, updated_at, updated_by"

static void pathway_row(const db_result *r, int i, lw_pathway_row *p) {
    p->name = db_text(r, i, 0);
    p->title = db_text(r, i, 1);
    p->milestones = db_text(r, i, 2);
    p->builtin = (int)db_int(r, i, 3);
    p->updated_at = db_int(r, i, 4);
    p->updated_by = db_int(r, i, 5);
}

lw_status store_pathway_rows(lw_db *db, lw_arena *a, lw_pathway_row **out, int *n, lw_error *err) {
    db_result r;
    lw_status st = db_query(db, a, "SELECT " PATHWAY_COLS " FROM pathway_templates ORDER BY name",
                            NULL, 0, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++)
        pathway_row(&r, i, &(*out)[i]);
    *n = r.nrows;
    return LW_OK;
}

lw_status store_pathway_row_get(lw_db *db, lw_arena *a, const char *name, lw_pathway_row *out,
                                lw_error *err) {
    db_val p[] = {DB_S(name)};
    db_result r;
    lw_status st = db_query(db, a, "SELECT " PATHWAY_COLS " FROM pathway_templates WHERE name = $1",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such pathway");
    pathway_row(&r, 0, out);
    return LW_OK;
}

lw_status store_pathway_put(lw_db *db, const lw_pathway_row *t, lw_error *err) {
    db_val p[] = {DB_S(t->name),    DB_S(t->title),      DB_S(t->milestones),
                  DB_I(t->builtin), DB_I(t->updated_at), DB_ID(t->updated_by)};
    return db_exec(db,
                   "INSERT INTO pathway_templates (" PATHWAY_COLS ") VALUES ($1, $2, $3, $4, $5, "
                   "$6) ON CONFLICT (name) DO UPDATE SET title = excluded.title, milestones = "
                   "excluded.milestones, builtin = excluded.builtin, updated_at = "
                   "excluded.updated_at, updated_by = excluded.updated_by",
                   p, DB_NPARAMS(p), NULL, err);
}

/* ---- a case's pathway ---- */

lw_status store_case_pathway_insert(lw_db *db, int64_t case_id, const char *pathway,
                                    int64_t started_at, lw_error *err) {
    db_val p[] = {DB_I(case_id), DB_S(pathway), DB_I(started_at)};
    lw_status st = db_exec(db,
                           "INSERT INTO case_pathways (case_id, pathway, started_at) "
                           "VALUES ($1, $2, $3)",
                           p, DB_NPARAMS(p), NULL, err);
    if (st == LW_ECONFLICT)
        return lw_fail(err, LW_ECONFLICT, "pathway", "the case already has a pathway");
    return st;
}

lw_status store_case_pathway_get(lw_db *db, lw_arena *a, int64_t case_id, lw_case_pathway *out,
                                 lw_error *err) {
    db_val p[] = {DB_I(case_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id, case_id, pathway, started_at, ended_at, outcome, "
                            "outcome_by FROM case_pathways WHERE case_id = $1",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "the case has no pathway");
    out->id = db_int(&r, 0, 0);
    out->case_id = db_int(&r, 0, 1);
    out->pathway = db_text(&r, 0, 2);
    out->started_at = db_int(&r, 0, 3);
    out->ended_at = db_int(&r, 0, 4);
    out->outcome = db_text(&r, 0, 5);
    out->outcome_by = db_int(&r, 0, 6);
    return LW_OK;
}

lw_status store_case_pathway_end(lw_db *db, int64_t case_id, const char *outcome, int64_t by,
                                 int64_t at, lw_error *err) {
    db_val p[] = {DB_I(case_id), DB_S(outcome), DB_ID(by), DB_I(at)};
    int64_t changes = 0;
    lw_status st = db_exec(db,
                           "UPDATE case_pathways SET outcome = $2, outcome_by = $3, ended_at = $4 "
                           "WHERE case_id = $1 AND outcome IS NULL",
                           p, DB_NPARAMS(p), &changes, err);
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ECONFLICT, "outcome", "the pathway's outcome is already recorded");
    return st;
}

/* ---- milestones ---- */

#define MS_COLS                                                                                    \
    "m.id, m.case_id, m.pos, m.key, m.title, m.max_contacts, m.needs_outcome, m.due_at, "          \
    "m.original_due_at, m.status, m.done_at, m.reason, m.outcome, m.updated_by, m.updated_at"

static void ms_row(const db_result *r, int i, lw_case_milestone *m) {
    *m = (lw_case_milestone){0};
    m->id = db_int(r, i, 0);
    m->case_id = db_int(r, i, 1);
    m->pos = (int)db_int(r, i, 2);
    m->key = db_text(r, i, 3);
    m->title = db_text(r, i, 4);
    m->max_contacts = (int)db_int(r, i, 5);
    m->needs_outcome = (int)db_int(r, i, 6);
    m->due_at = db_int(r, i, 7);
    m->original_due_at = db_int(r, i, 8);
    m->status = db_text(r, i, 9);
    m->done_at = db_int(r, i, 10);
    m->reason = db_text(r, i, 11);
    m->outcome = db_text(r, i, 12);
    m->updated_by = db_int(r, i, 13);
    m->updated_at = db_int(r, i, 14);
}

/* Keeps the case's next open milestone (cases.next_ms_*, read by the caseload
 * in store/cases.c) in step after any change to its milestones. */
static lw_status next_ms_refresh(lw_db *db, int64_t case_id, lw_error *err) {
    db_val p[] = {DB_I(case_id)};
#define NEXT_MS(col)                                                                               \
    "(SELECT m." col " FROM case_milestones m WHERE m.case_id = $1 AND m.status = 'open' "         \
    "ORDER BY m.due_at, m.pos LIMIT 1)"
    return db_exec(db,
                   "UPDATE cases SET next_ms_id = " NEXT_MS("id") ", next_ms_title = " NEXT_MS(
                       "title") ", next_ms_due = " NEXT_MS("due_at") " WHERE id = $1",
                   p, 1, NULL, err);
#undef NEXT_MS
}

lw_status store_milestone_insert(lw_db *db, const lw_case_milestone *m, int64_t *id,
                                 lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(m->case_id),      DB_I(m->pos),
                  DB_S(m->key),          DB_S(m->title),
                  DB_I(m->max_contacts), DB_I(m->needs_outcome),
                  DB_I(m->due_at),       DB_I(m->original_due_at),
                  DB_S(m->status),       DB_ID(m->updated_by),
                  DB_I(m->updated_at),   DB_ID(m->done_at),
                  DB_S(m->reason),       DB_S(m->outcome)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO case_milestones (case_id, pos, key, title, max_contacts, "
                            "needs_outcome, due_at, original_due_at, status, updated_by, "
                            "updated_at, done_at, reason, outcome) VALUES ($1, $2, $3, $4, $5, "
                            "$6, $7, $8, $9, $10, $11, $12, $13, $14) "
                            "RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_OK && id)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    if (st == LW_OK)
        st = next_ms_refresh(db, m->case_id, err);
    return st;
}

static lw_status ms_many(lw_db *db, lw_arena *a, const char *sql, const db_val *p, int np,
                         lw_case_milestone **out, int *n, lw_error *err) {
    db_result r;
    lw_status st = db_query(db, a, sql, p, np, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++)
        ms_row(&r, i, &(*out)[i]);
    *n = r.nrows;
    return LW_OK;
}

lw_status store_milestone_list(lw_db *db, lw_arena *a, int64_t case_id, lw_case_milestone **out,
                               int *n, lw_error *err) {
    db_val p[] = {DB_I(case_id)};
    return ms_many(db, a,
                   "SELECT " MS_COLS " FROM case_milestones m WHERE m.case_id = $1 "
                   "ORDER BY m.pos, m.id",
                   p, 1, out, n, err);
}

lw_status store_milestone_get(lw_db *db, lw_arena *a, int64_t case_id, int64_t id,
                              lw_case_milestone *out, lw_error *err) {
    db_val p[] = {DB_I(case_id), DB_I(id)};
    lw_case_milestone *list = NULL;
    int n = 0;
    lw_status st = ms_many(db, a,
                           "SELECT " MS_COLS " FROM case_milestones m WHERE m.case_id = $1 "
                           "AND m.id = $2",
                           p, 2, &list, &n, err);
    if (st != LW_OK)
        return st;
    if (n == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "the case has no such milestone");
    *out = list[0];
    return LW_OK;
}

lw_status store_milestone_update(lw_db *db, const lw_case_milestone *m, int64_t was_due_at,
                                 lw_error *err) {
    db_val p[] = {DB_I(m->id),      DB_I(was_due_at),     DB_I(m->due_at),
                  DB_S(m->status),  DB_ID(m->done_at),    DB_S(m->reason),
                  DB_S(m->outcome), DB_ID(m->updated_by), DB_I(m->updated_at)};
    int64_t changes = 0;
    lw_status st = db_exec(db,
                           "UPDATE case_milestones SET due_at = $3, status = $4, done_at = $5, "
                           "reason = $6, outcome = $7, updated_by = $8, updated_at = $9 "
                           "WHERE id = $1 AND status = 'open' AND due_at = $2",
                           p, DB_NPARAMS(p), &changes, err);
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ECONFLICT, "status",
                       "the milestone was changed by someone else meanwhile; look again");
    if (st == LW_OK)
        st = next_ms_refresh(db, m->case_id, err);
    return st;
}

lw_status store_milestone_move_insert(lw_db *db, const lw_milestone_move *mv, lw_error *err) {
    db_val p[] = {DB_I(mv->milestone_id), DB_I(mv->case_id),    DB_I(mv->from_at), DB_I(mv->to_at),
                  DB_S(mv->reason),       DB_I(mv->by_user_id), DB_I(mv->at)};
    return db_exec(db,
                   "INSERT INTO milestone_moves (milestone_id, case_id, from_at, to_at, reason, "
                   "by_user_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                   p, DB_NPARAMS(p), NULL, err);
}

lw_status store_milestone_moves(lw_db *db, lw_arena *a, int64_t case_id, lw_milestone_move **out,
                                int *n, lw_error *err) {
    db_val p[] = {DB_I(case_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT v.id, v.milestone_id, v.case_id, v.from_at, v.to_at, "
                            "v.reason, v.by_user_id, u.name, v.at FROM milestone_moves v "
                            "JOIN users u ON u.id = v.by_user_id WHERE v.case_id = $1 "
                            "ORDER BY v.id",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        lw_milestone_move *v = &(*out)[i];
        v->id = db_int(&r, i, 0);
        v->milestone_id = db_int(&r, i, 1);
        v->case_id = db_int(&r, i, 2);
        v->from_at = db_int(&r, i, 3);
        v->to_at = db_int(&r, i, 4);
        v->reason = db_text(&r, i, 5);
        v->by_user_id = db_int(&r, i, 6);
        v->by_name = db_text(&r, i, 7);
        v->at = db_int(&r, i, 8);
    }
    *n = r.nrows;
    return LW_OK;
}

static void overdue_where(qb *q, const lw_overdue_filter *f) {
    qb_text(q, " FROM case_milestones m JOIN cases c ON c.id = m.case_id "
               "JOIN people p ON p.id = c.person_id LEFT JOIN users u ON u.id = c.assignee_id "
               "WHERE m.status = 'open' AND c.status = 'open'");
    qb_param(q, " AND m.due_at < ?", DB_I(f->cutoff));
    if (f->org_id)
        qb_param(q, " AND c.organisation_id = ?", DB_I(f->org_id));
    if (f->worker_id)
        qb_param(q, " AND c.assignee_id = ?", DB_I(f->worker_id));
}

lw_status store_milestones_overdue(lw_db *db, lw_arena *a, const lw_overdue_filter *f, lw_page pg,
                                   lw_case_milestone **out, int *n, int64_t *total, lw_error *err) {
    qb q = {0};
    qb_text(&q, "SELECT count(*)");
    overdue_where(&q, f);
    db_result r;
    lw_status st = db_query(db, a, q.sql, q.p, q.n, &r, err);
    if (st != LW_OK)
        return st;
    *total = db_int(&r, 0, 0);
    q = (qb){0};
    qb_text(&q, "SELECT " MS_COLS ", c.person_id, p.given_name, p.family_name, c.assignee_id, "
                "u.name, c.organisation_id");
    overdue_where(&q, f);
    qb_text(&q, " ORDER BY m.due_at, m.id");
    qb_param(&q, " LIMIT ?", DB_I(pg.per_page));
    qb_param(&q, " OFFSET ?", DB_I((pg.page - 1) * pg.per_page));
    st = db_query(db, a, q.sql, q.p, q.n, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        lw_case_milestone *m = &(*out)[i];
        ms_row(&r, i, m);
        m->person_id = db_int(&r, i, 15);
        m->person_given_name = db_text(&r, i, 16);
        m->person_family_name = db_text(&r, i, 17);
        m->worker_id = db_int(&r, i, 18);
        m->worker_name = db_text(&r, i, 19);
        m->org_id = db_int(&r, i, 20);
    }
    *n = r.nrows;
    return LW_OK;
}

/* ---- GP consultations ---- */

lw_status store_gp_get(lw_db *db, lw_arena *a, int64_t referral_id, lw_gp_consultation *out,
                       lw_error *err) {
    db_val p[] = {DB_I(referral_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id, person_id, referral_id, before_count, after_count, "
                            "entered_by, entered_at FROM gp_consultations WHERE referral_id = $1",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no GP consultation counts for the referral");
    out->id = db_int(&r, 0, 0);
    out->person_id = db_int(&r, 0, 1);
    out->referral_id = db_int(&r, 0, 2);
    out->before_count = db_int(&r, 0, 3);
    out->after_count = db_is_null(&r, 0, 4) ? -1 : db_int(&r, 0, 4);
    out->entered_by = db_int(&r, 0, 5);
    out->entered_at = db_int(&r, 0, 6);
    return LW_OK;
}

lw_status store_gp_put(lw_db *db, const lw_gp_consultation *g, int64_t *id, int *updated,
                       lw_error *err) {
    lw_arena *a = arena_new();
    lw_gp_consultation old;
    lw_error ignored;
    lw_status st = store_gp_get(db, a, g->referral_id, &old, &ignored);
    db_val after = g->after_count < 0 ? DB_NUL : DB_I(g->after_count);
    db_result r;
    if (st == LW_OK) {
        db_val p[] = {DB_I(old.id), DB_I(g->person_id),   DB_I(g->before_count),
                      after,        DB_ID(g->entered_by), DB_I(g->entered_at)};
        st = db_exec(db,
                     "UPDATE gp_consultations SET person_id = $2, before_count = $3, "
                     "after_count = $4, entered_by = $5, entered_at = $6 WHERE id = $1",
                     p, DB_NPARAMS(p), NULL, err);
        *id = old.id;
        *updated = 1;
    } else if (st == LW_ENOTFOUND) {
        db_val p[] = {DB_I(g->person_id),   DB_I(g->referral_id), DB_I(g->before_count), after,
                      DB_ID(g->entered_by), DB_I(g->entered_at)};
        st = db_query(db, a,
                      "INSERT INTO gp_consultations (person_id, referral_id, before_count, "
                      "after_count, entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6) "
                      "RETURNING id",
                      p, DB_NPARAMS(p), &r, err);
        if (st == LW_OK)
            *id = db_int(&r, 0, 0);
        *updated = 0;
    } else {
        *err = ignored;
    }
    arena_free(a);
    return st;
}

lw_status store_person_by_nhs(lw_db *db, const char *nhs_number, int64_t *person_id,
                              lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_S(nhs_number)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id FROM people WHERE nhs_number = $1 AND merged_into IS NULL "
                            "ORDER BY id LIMIT 1",
                            p, 1, &r, err);
    if (st == LW_OK && r.nrows == 0)
        st = lw_fail(err, LW_ENOTFOUND, "nhs_number", "no person with this NHS number is known");
    if (st == LW_OK)
        *person_id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

/* ---- community outcomes ---- */

lw_status store_rx_set_decline_code(lw_db *db, int64_t id, const char *code, lw_error *err) {
    db_val p[] = {DB_I(id), DB_S(code)};
    return db_exec(db, "UPDATE prescriptions SET decline_code = $2 WHERE id = $1", p, 2, NULL, err);
}

lw_status store_unmet_needs_set(lw_db *db, int64_t case_id, int64_t person_id, int64_t org_id,
                                const char *const *needs, int n, int64_t max_km, int64_t now,
                                lw_error *err) {
    db_val d[] = {DB_I(case_id)};
    lw_status st = db_exec(db, "DELETE FROM unmet_needs WHERE case_id = $1", d, 1, NULL, err);
    for (int i = 0; st == LW_OK && i < n; i++) {
        db_val p[] = {DB_I(case_id),
                      DB_I(person_id),
                      DB_I(org_id),
                      DB_S(needs[i]),
                      max_km < 0 ? DB_NUL : DB_I(max_km),
                      DB_I(now)};
        st = db_exec(db,
                     "INSERT INTO unmet_needs (case_id, person_id, organisation_id, need, max_km, "
                     "recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
                     p, DB_NPARAMS(p), NULL, err);
    }
    return st;
}

lw_status store_unmet_need_counts(lw_db *db, lw_arena *a, int64_t from, int64_t to, int64_t org_id,
                                  lw_unmet_need_count **out, int *n, lw_error *err) {
    qb q = {0};
    qb_text(&q, "SELECT need, count(DISTINCT person_id) FROM unmet_needs WHERE 1 = 1");
    if (from)
        qb_param(&q, " AND recorded_at >= ?", DB_I(from));
    if (to)
        qb_param(&q, " AND recorded_at < ?", DB_I(to));
    if (org_id)
        qb_param(&q, " AND organisation_id = ?", DB_I(org_id));
    qb_text(&q, " GROUP BY need ORDER BY need");
    db_result r;
    lw_status st = db_query(db, a, q.sql, q.p, q.n, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        (*out)[i].need = db_text(&r, i, 0);
        (*out)[i].people = db_int(&r, i, 1);
    }
    *n = r.nrows;
    return LW_OK;
}
