/* People: one record per human, matched by NHS number or name + date of birth. */
#include <string.h>

#include "store/db.h"
#include "store/qb.h"
#include "store/store.h"

#define PERSON_COLS                                                                                \
    "p.id, p.reference, p.nhs_number, p.given_name, p.family_name, p.date_of_birth, "              \
    "p.match_key, p.phone, p.email, p.address, p.postcode, p.gp_practice, p.gp_practice_id, "      \
    "p.preferred_language, p.accessibility_needs, p.preferences, p.merged_into, p.created_at, "    \
    "p.updated_at"

static void person_row(const db_result *r, int i, lw_person *p) {
    p->id = db_int(r, i, 0);
    p->reference = db_text(r, i, 1);
    p->nhs_number = db_text(r, i, 2);
    p->given_name = db_text(r, i, 3);
    p->family_name = db_text(r, i, 4);
    p->date_of_birth = db_text(r, i, 5);
    p->match_key = db_text(r, i, 6);
    p->phone = db_text(r, i, 7);
    p->email = db_text(r, i, 8);
    p->address = db_text(r, i, 9);
    p->postcode = db_text(r, i, 10);
    p->gp_practice = db_text(r, i, 11);
    p->gp_practice_id = db_int(r, i, 12);
    p->preferred_language = db_text(r, i, 13);
    p->accessibility_needs = db_text(r, i, 14);
    p->preferences = db_text(r, i, 15);
    p->merged_into = db_int(r, i, 16);
    p->created_at = db_int(r, i, 17);
    p->updated_at = db_int(r, i, 18);
}

lw_status store_person_candidates(lw_db *db, lw_arena *a, const char *nhs_number,
                                  const char *match_key, lw_person_candidate **out, int *n,
                                  lw_error *err) {
    db_val p[] = {DB_S(nhs_number), DB_S(match_key)};
    db_result r;
    /* Merged records are never candidates: the record they were merged into is. */
    lw_status st = db_query(db, a,
                            "SELECT id, nhs_number, match_key FROM people "
                            "WHERE nhs_number = $1 AND merged_into IS NULL UNION "
                            "SELECT id, nhs_number, match_key FROM people "
                            "WHERE match_key = $2 AND merged_into IS NULL ORDER BY 1 LIMIT 50",
                            p, DB_NPARAMS(p), &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        (*out)[i].id = db_int(&r, i, 0);
        (*out)[i].nhs_number = db_text(&r, i, 1);
        (*out)[i].match_key = db_text(&r, i, 2);
    }
    *n = r.nrows;
    return LW_OK;
}

lw_status store_person_insert(lw_db *db, const lw_person *p, int64_t now, int64_t *id,
                              lw_error *err) {
    lw_arena *a = arena_new();
    db_val v[] = {DB_S(p->reference),
                  DB_S(p->nhs_number),
                  DB_S(p->given_name),
                  DB_S(p->family_name),
                  DB_S(p->date_of_birth),
                  DB_S(p->match_key),
                  DB_S(p->phone),
                  DB_S(p->email),
                  DB_S(p->address),
                  DB_S(p->postcode),
                  DB_S(p->gp_practice),
                  DB_ID(p->gp_practice_id),
                  DB_S(p->preferred_language),
                  DB_S(p->accessibility_needs),
                  DB_S(p->preferences),
                  DB_I(now)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO people (reference, nhs_number, given_name, family_name, "
                            "date_of_birth, match_key, phone, email, address, postcode, "
                            "gp_practice, gp_practice_id, preferred_language, "
                            "accessibility_needs, preferences, created_at, updated_at) VALUES "
                            "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
                            "$16, $16) RETURNING id",
                            v, DB_NPARAMS(v), &r, err);
    if (st == LW_ECONFLICT)
        st = lw_fail(err, LW_ECONFLICT, "nhs_number", "another person already has this NHS number");
    else if (st == LW_OK)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

lw_status store_person_get(lw_db *db, lw_arena *a, int64_t id, lw_person *out, lw_error *err) {
    db_val p[] = {DB_I(id)};
    db_result r;
    lw_status st =
        db_query(db, a, "SELECT " PERSON_COLS " FROM people p WHERE p.id = $1", p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such person");
    person_row(&r, 0, out);
    return LW_OK;
}

lw_status store_person_update(lw_db *db, int64_t id, const lw_person *p, int64_t now,
                              lw_error *err) {
    db_val v[] = {DB_I(id),
                  DB_S(p->nhs_number),
                  DB_S(p->given_name),
                  DB_S(p->family_name),
                  DB_S(p->date_of_birth),
                  DB_S(p->match_key),
                  DB_S(p->phone),
                  DB_S(p->email),
                  DB_S(p->address),
                  DB_S(p->postcode),
                  DB_S(p->gp_practice),
                  DB_S(p->preferred_language),
                  DB_S(p->accessibility_needs),
                  DB_S(p->preferences),
                  DB_I(now)};
    int64_t changes = 0;
    lw_status st = db_exec(db,
                           "UPDATE people SET nhs_number = coalesce($2, nhs_number), "
                           "given_name = coalesce($3, given_name), "
                           "family_name = coalesce($4, family_name), "
                           "date_of_birth = coalesce($5, date_of_birth), "
                           "match_key = coalesce($6, match_key), phone = coalesce($7, phone), "
                           "email = coalesce($8, email), address = coalesce($9, address), "
                           "postcode = coalesce($10, postcode), "
                           "gp_practice = coalesce($11, gp_practice), "
                           "preferred_language = coalesce($12, preferred_language), "
                           "accessibility_needs = coalesce($13, accessibility_needs), "
                           "preferences = coalesce($14, preferences), updated_at = $15 "
                           "WHERE id = $1",
                           v, DB_NPARAMS(v), &changes, err);
    if (st == LW_ECONFLICT)
        return lw_fail(err, LW_ECONFLICT, "nhs_number",
                       "another person already has this NHS number");
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such person");
    return st;
}

lw_status store_person_links(lw_db *db, int64_t person_id, int64_t org_id, int64_t user_id,
                             lw_person_links *out, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(person_id), DB_I(org_id), DB_I(user_id)};
    db_result r;
    lw_status st = db_query(
        db, a,
        "SELECT (SELECT count(*) FROM referrals WHERE person_id = $1 AND to_organisation_id = $2), "
        "(SELECT count(*) FROM prescriptions WHERE person_id = $1 AND mode = 'link_worker' "
        "AND sender_organisation_id = $2), "
        "(SELECT count(*) FROM prescriptions WHERE person_id = $1 AND mode = 'direct' "
        "AND prescriber_id = $3)",
        p, DB_NPARAMS(p), &r, err);
    if (st == LW_OK) {
        out->referred_to_org = db_int(&r, 0, 0) > 0;
        out->in_case_of_org = db_int(&r, 0, 1) > 0;
        out->direct_rx_by_user = db_int(&r, 0, 2) > 0;
    }
    arena_free(a);
    return st;
}

static void person_where(qb *q, const lw_person_filter *f, const char *prefix) {
    qb_text(q, " WHERE p.merged_into IS NULL");
    if (f->org_id)
        qb_param(q,
                 " AND p.id IN (SELECT r.person_id FROM referrals r WHERE r.to_organisation_id = ? "
                 "UNION SELECT x.person_id FROM prescriptions x WHERE x.mode = 'link_worker' AND "
                 "x.sender_organisation_id = ?)",
                 DB_I(f->org_id));
    if (f->prescriber_id)
        qb_param(q,
                 " AND p.id IN (SELECT x.person_id FROM prescriptions x WHERE x.mode = 'direct' "
                 "AND x.prescriber_id = ?)",
                 DB_I(f->prescriber_id));
    if (prefix)
        qb_param(q,
                 " AND (lower(p.given_name) LIKE lower(?) OR lower(p.family_name) LIKE lower(?))",
                 DB_S(prefix));
    if (f->nhs_number)
        qb_param(q, " AND p.nhs_number = ?", DB_S(f->nhs_number));
}

lw_status store_person_list(lw_db *db, lw_arena *a, const lw_person_filter *f, lw_page pg,
                            lw_person **out, int *n, int64_t *total, lw_error *err) {
    const char *prefix = f->name ? arena_printf(a, "%s%%", f->name) : NULL;
    qb q = {0};
    qb_text(&q, "SELECT count(*) FROM people p");
    person_where(&q, f, prefix);
    db_result r;
    lw_status st = db_query(db, a, q.sql, q.p, q.n, &r, err);
    if (st != LW_OK)
        return st;
    *total = db_int(&r, 0, 0);
    q = (qb){0};
    qb_text(&q, "SELECT " PERSON_COLS " FROM people p");
    person_where(&q, f, prefix);
    qb_text(&q, " ORDER BY p.family_name, p.given_name, p.id");
    qb_param(&q, " LIMIT ?", DB_I(pg.per_page));
    qb_param(&q, " OFFSET ?", DB_I((pg.page - 1) * pg.per_page));
    st = db_query(db, a, q.sql, q.p, q.n, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++)
        person_row(&r, i, &(*out)[i]);
    *n = r.nrows;
    return LW_OK;
}

lw_status store_person_merge(lw_db *db, int64_t from, int64_t into, int64_t now, lw_error *err) {
    db_val p[] = {DB_I(from), DB_I(into), DB_I(now)};
    static const char *const moves[] = {
        "UPDATE referrals SET person_id = $2 WHERE person_id = $1",
        "UPDATE cases SET person_id = $2 WHERE person_id = $1",
        "UPDATE prescriptions SET person_id = $2 WHERE person_id = $1",
        "UPDATE referrals SET possible_duplicate_of = NULL WHERE person_id = $2 "
        "AND possible_duplicate_of = $1",
    };
    lw_status st = LW_OK;
    for (size_t i = 0; i < sizeof moves / sizeof moves[0] && st == LW_OK; i++)
        st = db_exec(db, moves[i], p, 2, NULL, err);
    /* The flag that asked for this merge has been answered. */
    if (st == LW_OK)
        st = db_exec(db,
                     "UPDATE referrals SET possible_duplicate_of = NULL WHERE person_id = $1 "
                     "AND possible_duplicate_of = $1",
                     p + 1, 1, NULL, err);
    if (st == LW_OK)
        st = db_exec(db, "UPDATE people SET merged_into = $2, updated_at = $3 WHERE id = $1", p,
                     DB_NPARAMS(p), NULL, err);
    return st;
}
