/* Referrals, their automatic closing, the feedback outbox and self-referral throttling. */
#include <string.h>

#include "store/db.h"
#include "store/qb.h"
#include "store/store.h"

#define REF_COLS                                                                                   \
    "r.id, r.reference, r.person_id, r.possible_duplicate_of, r.source, r.from_organisation_id, "  \
    "fo.name, r.referrer_id, u.name, r.to_organisation_id, tor.name, r.reasons, r.details, "       \
    "r.urgency, r.consent_share, r.consent_given_on, r.consent_with, r.risks, "                    \
    "r.accessibility_needs, r.language, r.status, r.status_reason, r.status_note, r.status_by, "   \
    "r.status_at, r.created_at, p.given_name, p.family_name, c.id"
#define REF_FROM                                                                                   \
    " FROM referrals r JOIN people p ON p.id = r.person_id "                                       \
    "JOIN organisations tor ON tor.id = r.to_organisation_id "                                     \
    "LEFT JOIN organisations fo ON fo.id = r.from_organisation_id "                                \
    "LEFT JOIN users u ON u.id = r.referrer_id LEFT JOIN cases c ON c.referral_id = r.id "

static void ref_row(const db_result *res, int i, lw_referral *r) {
    r->id = db_int(res, i, 0);
    r->reference = db_text(res, i, 1);
    r->person_id = db_int(res, i, 2);
    r->possible_duplicate_of = db_int(res, i, 3);
    r->source = db_text(res, i, 4);
    r->from_org_id = db_int(res, i, 5);
    r->from_org_name = db_text(res, i, 6);
    r->referrer_id = db_int(res, i, 7);
    r->referrer_name = db_text(res, i, 8);
    r->to_org_id = db_int(res, i, 9);
    r->to_org_name = db_text(res, i, 10);
    r->reasons = db_text(res, i, 11);
    r->details = db_text(res, i, 12);
    r->urgency = db_text(res, i, 13);
    r->consent_share = (int)db_int(res, i, 14);
    r->consent_given_on = db_text(res, i, 15);
    r->consent_with = db_text(res, i, 16);
    r->risks = db_text(res, i, 17);
    r->accessibility_needs = db_text(res, i, 18);
    r->language = db_text(res, i, 19);
    r->status = db_text(res, i, 20);
    r->status_reason = db_text(res, i, 21);
    r->status_note = db_text(res, i, 22);
    r->status_by = db_int(res, i, 23);
    r->status_at = db_int(res, i, 24);
    r->created_at = db_int(res, i, 25);
    r->person_given_name = db_text(res, i, 26);
    r->person_family_name = db_text(res, i, 27);
    r->case_id = db_int(res, i, 28);
}

lw_status store_referral_insert(lw_db *db, const lw_referral *r, int64_t now, int64_t *id,
                                lw_error *err) {
    lw_arena *a = arena_new();
    db_val v[] = {DB_S(r->reference),
                  DB_I(r->person_id),
                  DB_ID(r->possible_duplicate_of),
                  DB_S(r->source),
                  DB_ID(r->from_org_id),
                  DB_ID(r->referrer_id),
                  DB_I(r->to_org_id),
                  DB_S(r->reasons),
                  DB_S(r->details),
                  DB_S(r->urgency),
                  DB_I(r->consent_share ? 1 : 0),
                  DB_S(r->consent_given_on),
                  DB_S(r->consent_with),
                  DB_S(r->risks),
                  DB_S(r->accessibility_needs),
                  DB_S(r->language),
                  DB_I(now)};
    db_result res;
    lw_status st = db_query(db, a,
                            "INSERT INTO referrals (reference, person_id, possible_duplicate_of, "
                            "source, from_organisation_id, referrer_id, to_organisation_id, "
                            "reasons, details, urgency, consent_share, consent_given_on, "
                            "consent_with, risks, accessibility_needs, language, status, "
                            "status_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                            "$10, $11, $12, $13, $14, $15, $16, 'received', $17, $17) RETURNING id",
                            v, DB_NPARAMS(v), &res, err);
    if (st == LW_OK)
        *id = db_int(&res, 0, 0);
    arena_free(a);
    return st;
}

lw_status store_referral_get(lw_db *db, lw_arena *a, int64_t id, lw_referral *out, lw_error *err) {
    db_val p[] = {DB_I(id)};
    db_result r;
    lw_status st = db_query(db, a, "SELECT " REF_COLS REF_FROM "WHERE r.id = $1", p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such referral");
    ref_row(&r, 0, out);
    return LW_OK;
}

static void referral_where(qb *q, const lw_referral_filter *f) {
    qb_text(q, " WHERE 1 = 1");
    if (f->from_org_id)
        qb_param(q, " AND r.from_organisation_id = ?", DB_I(f->from_org_id));
    if (f->to_org_id)
        qb_param(q, " AND r.to_organisation_id = ?", DB_I(f->to_org_id));
    if (f->status)
        qb_param(q, " AND r.status = ?", DB_S(f->status));
    if (f->received_before)
        qb_param(q, " AND r.status = 'received' AND r.created_at <= ?", DB_I(f->received_before));
    if (f->person_id)
        qb_param(q, " AND r.person_id = ?", DB_I(f->person_id));
}

lw_status store_referral_list(lw_db *db, lw_arena *a, const lw_referral_filter *f, lw_page pg,
                              lw_referral **out, int *n, int64_t *total, lw_error *err) {
    qb q = {0};
    qb_text(&q, "SELECT count(*) FROM referrals r");
    referral_where(&q, f);
    db_result r;
    lw_status st = db_query(db, a, q.sql, q.p, q.n, &r, err);
    if (st != LW_OK)
        return st;
    *total = db_int(&r, 0, 0);
    q = (qb){0};
    qb_text(&q, "SELECT " REF_COLS REF_FROM);
    referral_where(&q, f);
    /* The overdue list is oldest first (the longest wait on top); the rest newest first. */
    qb_text(&q, f->received_before ? " ORDER BY r.created_at, r.id"
                                   : " ORDER BY r.created_at DESC, r.id DESC");
    qb_param(&q, " LIMIT ?", DB_I(pg.per_page));
    qb_param(&q, " OFFSET ?", DB_I((pg.page - 1) * pg.per_page));
    st = db_query(db, a, q.sql, q.p, q.n, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++)
        ref_row(&r, i, &(*out)[i]);
    *n = r.nrows;
    return LW_OK;
}

lw_status store_referral_set_status(lw_db *db, int64_t id, const char *from, const char *to,
                                    const char *reason, const char *note, int64_t by, int64_t now,
                                    lw_error *err) {
    db_val p[] = {DB_I(id), DB_S(from), DB_S(to), DB_S(reason), DB_S(note), DB_ID(by), DB_I(now)};
    int64_t changes = 0;
    lw_status st = db_exec(db,
                           "UPDATE referrals SET status = $3, status_reason = $4, "
                           "status_note = $5, status_by = $6, status_at = $7 "
                           "WHERE id = $1 AND status = $2",
                           p, DB_NPARAMS(p), &changes, err);
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ECONFLICT, "status",
                       "the referral is no longer %s (someone changed it a moment ago); reload it",
                       from);
    return st;
}

lw_status store_referral_clear_duplicate(lw_db *db, int64_t id, lw_error *err) {
    db_val p[] = {DB_I(id)};
    return db_exec(db, "UPDATE referrals SET possible_duplicate_of = NULL WHERE id = $1", p, 1,
                   NULL, err);
}

lw_status store_referral_auto_close(lw_db *db, lw_arena *a, int64_t cutoff, int64_t now, int limit,
                                    lw_claimed_referral **out, int *n, lw_error *err) {
    /* One statement claims the rows: on PostgreSQL a row another process is
     * updating is waited for and then skipped when it is no longer received
     * (the outer condition is re-checked); on SQLite writers take turns. */
    db_val p[] = {DB_I(cutoff), DB_I(now), DB_I(limit)};
    db_result r;
    lw_status st = db_query(db, a,
                            "UPDATE referrals SET status = 'declined', "
                            "status_reason = 'no_response', status_note = NULL, "
                            "status_by = NULL, status_at = $2 "
                            "WHERE status = 'received' AND created_at <= $1 AND id IN "
                            "(SELECT id FROM referrals WHERE status = 'received' "
                            "AND created_at <= $1 ORDER BY created_at, id LIMIT $3) "
                            "RETURNING id, from_organisation_id",
                            p, DB_NPARAMS(p), &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        (*out)[i].id = db_int(&r, i, 0);
        (*out)[i].from_org_id = db_int(&r, i, 1);
    }
    *n = r.nrows;
    return LW_OK;
}

/* ---- self-referral throttling ---- */

lw_status store_selfref_attempt_add(lw_db *db, const char *key, int64_t now, int64_t *id,
                                    lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_S(key), DB_I(now)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO self_referral_attempts (key, at) VALUES ($1, $2) "
                            "RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_OK && id)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

lw_status store_selfref_attempt_delete(lw_db *db, int64_t id, lw_error *err) {
    db_val p[] = {DB_I(id)};
    return db_exec(db, "DELETE FROM self_referral_attempts WHERE id = $1", p, 1, NULL, err);
}

lw_status store_link_worker_services(lw_db *db, lw_arena *a, lw_org **out, int *n, lw_error *err) {
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id, name, kind, active, created_at FROM organisations "
                            "WHERE kind = 'link_worker_service' AND active = 1 ORDER BY name, id",
                            NULL, 0, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        lw_org *o = &(*out)[i];
        o->id = db_int(&r, i, 0);
        o->name = db_text(&r, i, 1);
        o->kind = db_text(&r, i, 2);
        o->active = (int)db_int(&r, i, 3);
        o->created_at = db_int(&r, i, 4);
    }
    *n = r.nrows;
    return LW_OK;
}

lw_status store_selfref_attempts(lw_db *db, const char *key, int64_t since, int *count,
                                 int64_t *oldest, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_S(key), DB_I(since)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT count(*), min(at) FROM self_referral_attempts "
                            "WHERE key = $1 AND at >= $2",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_OK) {
        *count = (int)db_int(&r, 0, 0);
        *oldest = db_int(&r, 0, 1);
    }
    arena_free(a);
    return st;
}

lw_status store_selfref_attempts_purge(lw_db *db, int64_t before, lw_error *err) {
    db_val p[] = {DB_I(before)};
    return db_exec(db, "DELETE FROM self_referral_attempts WHERE at < $1", p, 1, NULL, err);
}

/* ---- the feedback outbox ---- */

lw_status store_feedback_insert(lw_db *db, const lw_feedback *f, lw_error *err) {
    db_val p[] = {DB_ID(f->referral_id),
                  DB_ID(f->prescription_id),
                  DB_ID(f->recipient_org_id),
                  DB_S(f->event),
                  DB_I(f->at),
                  DB_S(f->snomed),
                  DB_S(f->text)};
    return db_exec(db,
                   "INSERT INTO feedback_messages (referral_id, prescription_id, "
                   "recipient_organisation_id, event, at, snomed, text) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                   p, DB_NPARAMS(p), NULL, err);
}

lw_status store_feedback_list(lw_db *db, lw_arena *a, int64_t referral_id, int64_t prescription_id,
                              lw_feedback **out, int *n, lw_error *err) {
    db_val p[] = {DB_ID(referral_id), DB_ID(prescription_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id, referral_id, prescription_id, recipient_organisation_id, "
                            "event, at, snomed, text, delivered_at FROM feedback_messages "
                            "WHERE (CAST($1 AS BIGINT) IS NOT NULL AND referral_id = $1) "
                            "OR (CAST($2 AS BIGINT) IS NOT NULL AND prescription_id = $2) "
                            "ORDER BY at, id",
                            p, DB_NPARAMS(p), &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        lw_feedback *f = &(*out)[i];
        f->id = db_int(&r, i, 0);
        f->referral_id = db_int(&r, i, 1);
        f->prescription_id = db_int(&r, i, 2);
        f->recipient_org_id = db_int(&r, i, 3);
        f->event = db_text(&r, i, 4);
        f->at = db_int(&r, i, 5);
        f->snomed = db_text(&r, i, 6);
        f->text = db_text(&r, i, 7);
        f->delivered_at = db_int(&r, i, 8);
    }
    *n = r.nrows;
    return LW_OK;
}
