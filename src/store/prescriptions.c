/* Social prescriptions, their attendance register, and spot-purchase funds. */
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "store/qb.h"
#include "store/store.h"

#define RX_COLS                                                                                    \
    "x.id, x.case_id, x.person_id, x.service_id, x.kind, x.mode, x.status, x.status_reason, "      \
    "x.status_at, x.override_reason, x.note, x.consent_share, x.prescriber_id, "                   \
    "x.sender_organisation_id, x.provider_organisation_id, x.fund_id, x.cost, x.started_at, "      \
    "x.created_at, c.referral_id, r.from_organisation_id"
#define RX_FROM                                                                                    \
    " FROM prescriptions x LEFT JOIN cases c ON c.id = x.case_id "                                 \
    "LEFT JOIN referrals r ON r.id = c.referral_id "

static void rx_row(const db_result *res, int i, lw_rx *x) {
    x->id = db_int(res, i, 0);
    x->case_id = db_int(res, i, 1);
    x->person_id = db_int(res, i, 2);
    x->service_id = db_text(res, i, 3);
    x->kind = db_text(res, i, 4);
    x->mode = db_text(res, i, 5);
    x->status = db_text(res, i, 6);
    x->status_reason = db_text(res, i, 7);
    x->status_at = db_int(res, i, 8);
    x->override_reason = db_text(res, i, 9);
    x->note = db_text(res, i, 10);
    x->consent_share = (int)db_int(res, i, 11);
    x->prescriber_id = db_int(res, i, 12);
    x->sender_org_id = db_int(res, i, 13);
    x->provider_org_id = db_int(res, i, 14);
    x->fund_id = db_int(res, i, 15);
    x->cost = db_int(res, i, 16);
    x->started_at = db_int(res, i, 17);
    x->created_at = db_int(res, i, 18);
    x->referral_id = db_int(res, i, 19);
    x->referral_from_org_id = db_int(res, i, 20);
}

lw_status store_rx_insert(lw_db *db, const lw_rx *x, int64_t now, int64_t *id, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_ID(x->case_id),
                  DB_I(x->person_id),
                  DB_S(x->service_id),
                  DB_S(x->kind),
                  DB_S(x->mode),
                  DB_S(x->note),
                  DB_I(x->consent_share ? 1 : 0),
                  DB_I(x->prescriber_id),
                  DB_I(x->sender_org_id),
                  DB_ID(x->provider_org_id),
                  DB_ID(x->fund_id),
                  DB_I(x->cost),
                  DB_I(now)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO prescriptions (case_id, person_id, service_id, kind, "
                            "mode, status, status_at, note, consent_share, prescriber_id, "
                            "sender_organisation_id, provider_organisation_id, fund_id, cost, "
                            "created_at) VALUES ($1, $2, $3, $4, $5, 'proposed', $13, $6, $7, "
                            "$8, $9, $10, $11, $12, $13) RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_OK)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

lw_status store_rx_get(lw_db *db, lw_arena *a, int64_t id, lw_rx *out, lw_error *err) {
    db_val p[] = {DB_I(id)};
    db_result r;
    lw_status st = db_query(db, a, "SELECT " RX_COLS RX_FROM "WHERE x.id = $1", p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such prescription");
    rx_row(&r, 0, out);
    return LW_OK;
}

static void rx_where(qb *q, const lw_rx_filter *f) {
    qb_text(q, " WHERE 1 = 1");
    if (f->case_id)
        qb_param(q, " AND x.case_id = ?", DB_I(f->case_id));
    if (f->person_id)
        qb_param(q, " AND x.person_id = ?", DB_I(f->person_id));
    if (f->sender_org_id)
        qb_param(q, " AND x.mode = 'link_worker' AND x.sender_organisation_id = ?",
                 DB_I(f->sender_org_id));
    if (f->prescriber_id)
        qb_param(q, " AND x.mode = 'direct' AND x.prescriber_id = ?", DB_I(f->prescriber_id));
    if (f->provider_org_id)
        qb_param(q,
                 " AND x.provider_organisation_id = ? AND x.kind = 'referral' "
                 "AND x.status <> 'proposed'",
                 DB_I(f->provider_org_id));
    if (f->status)
        qb_param(q, " AND x.status = ?", DB_S(f->status));
    if (f->service_id)
        qb_param(q, " AND x.service_id = ?", DB_S(f->service_id));
}

lw_status store_rx_list(lw_db *db, lw_arena *a, const lw_rx_filter *f, lw_page pg, lw_rx **out,
                        int *n, int64_t *total, lw_error *err) {
    qb q = {0};
    qb_text(&q, "SELECT count(*) FROM prescriptions x");
    rx_where(&q, f);
    db_result r;
    lw_status st = db_query(db, a, q.sql, q.p, q.n, &r, err);
    if (st != LW_OK)
        return st;
    *total = db_int(&r, 0, 0);
    q = (qb){0};
    qb_text(&q, "SELECT " RX_COLS RX_FROM);
    rx_where(&q, f);
    qb_text(&q, " ORDER BY x.created_at DESC, x.id DESC");
    qb_param(&q, " LIMIT ?", DB_I(pg.per_page));
    qb_param(&q, " OFFSET ?", DB_I((pg.page - 1) * pg.per_page));
    st = db_query(db, a, q.sql, q.p, q.n, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++)
        rx_row(&r, i, &(*out)[i]);
    *n = r.nrows;
    return LW_OK;
}

lw_status store_rx_set_status(lw_db *db, int64_t id, const char *from, const char *to,
                              const char *reason, const char *override_reason, int64_t provider_org,
                              int64_t now, lw_error *err) {
    db_val p[] = {DB_I(id),
                  DB_S(from),
                  DB_S(to),
                  DB_S(reason),
                  DB_S(override_reason),
                  provider_org <= 0 ? DB_NUL : DB_I(provider_org),
                  DB_I(provider_org >= 0 ? 1 : 0),
                  DB_I(now)};
    int64_t changes = 0;
    lw_status st = db_exec(db,
                           "UPDATE prescriptions SET status = $3, status_reason = $4, "
                           "override_reason = coalesce($5, override_reason), "
                           "provider_organisation_id = CASE WHEN $7 = 1 THEN CAST($6 AS BIGINT) "
                           "ELSE provider_organisation_id END, status_at = $8 "
                           "WHERE id = $1 AND status = $2",
                           p, DB_NPARAMS(p), &changes, err);
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ECONFLICT, "status",
                       "the prescription is no longer %s (someone changed it a moment ago); "
                       "reload it",
                       from);
    return st;
}

lw_status store_rx_set_started(lw_db *db, int64_t id, int64_t at, lw_error *err) {
    db_val p[] = {DB_I(id), DB_I(at)};
    return db_exec(db,
                   "UPDATE prescriptions SET started_at = $2 WHERE id = $1 AND started_at IS NULL",
                   p, DB_NPARAMS(p), NULL, err);
}

lw_status store_rx_open_count(lw_db *db, const char *service_id, int64_t *out, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_S(service_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT count(*) FROM prescriptions WHERE service_id = $1 AND status "
                            "IN ('sent', 'accepted', 'waitlisted', 'started')",
                            p, 1, &r, err);
    if (st == LW_OK)
        *out = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

lw_status store_rx_started_count(lw_db *db, int64_t case_id, int64_t *out, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(case_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT count(*) FROM prescriptions WHERE case_id = $1 "
                            "AND started_at IS NOT NULL",
                            p, 1, &r, err);
    if (st == LW_OK)
        *out = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

/* ---- attendance ---- */

lw_status store_attendance_insert(lw_db *db, const lw_attendance *x, int64_t *id, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(x->prescription_id),  DB_S(x->date),
                  DB_I(x->attended ? 1 : 0), DB_S(x->note),
                  DB_I(x->by_user_id),       DB_I(x->created_at)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO prescription_attendance (prescription_id, date, "
                            "attended, note, by_user_id, created_at) VALUES ($1, $2, $3, $4, $5, "
                            "$6) RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_ECONFLICT)
        st = lw_fail(err, LW_ECONFLICT, "date", "attendance on %s is already recorded", x->date);
    else if (st == LW_OK)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

lw_status store_attendance_list(lw_db *db, lw_arena *a, int64_t prescription_id,
                                lw_attendance **out, int *n, lw_error *err) {
    db_val p[] = {DB_I(prescription_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id, prescription_id, date, attended, note, by_user_id, "
                            "created_at FROM prescription_attendance WHERE prescription_id = $1 "
                            "ORDER BY date, id",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        lw_attendance *x = &(*out)[i];
        x->id = db_int(&r, i, 0);
        x->prescription_id = db_int(&r, i, 1);
        x->date = db_text(&r, i, 2);
        x->attended = (int)db_int(&r, i, 3);
        x->note = db_text(&r, i, 4);
        x->by_user_id = db_int(&r, i, 5);
        x->created_at = db_int(&r, i, 6);
    }
    *n = r.nrows;
    return LW_OK;
}

/* ---- funds ---- */

lw_status store_fund_insert(lw_db *db, int64_t org_id, const char *name, int64_t balance,
                            int64_t now, int64_t *id, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(org_id), DB_S(name), DB_I(balance), DB_I(now)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO funds (organisation_id, name, balance, created_at, "
                            "updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_ECONFLICT)
        st = lw_fail(err, LW_ECONFLICT, "name", "this organisation already has a fund called '%s'",
                     name);
    else if (st == LW_OK)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

static void fund_row(const db_result *r, int i, lw_fund *f) {
    f->id = db_int(r, i, 0);
    f->org_id = db_int(r, i, 1);
    f->name = db_text(r, i, 2);
    f->balance = db_int(r, i, 3);
    f->created_at = db_int(r, i, 4);
    f->updated_at = db_int(r, i, 5);
}

lw_status store_fund_get(lw_db *db, lw_arena *a, int64_t id, lw_fund *out, lw_error *err) {
    db_val p[] = {DB_I(id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id, organisation_id, name, balance, created_at, updated_at "
                            "FROM funds WHERE id = $1",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such fund");
    fund_row(&r, 0, out);
    return LW_OK;
}

lw_status store_fund_list(lw_db *db, lw_arena *a, int64_t org_id, lw_fund **out, int *n,
                          lw_error *err) {
    db_val p[] = {DB_ID(org_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id, organisation_id, name, balance, created_at, updated_at "
                            "FROM funds WHERE CAST($1 AS BIGINT) IS NULL OR organisation_id = $1 "
                            "ORDER BY organisation_id, name",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++)
        fund_row(&r, i, &(*out)[i]);
    *n = r.nrows;
    return LW_OK;
}

lw_status store_fund_adjust(lw_db *db, int64_t id, int64_t delta, int64_t now, lw_error *err) {
    /* One statement: the balance is checked and changed atomically, so two
     * prescriptions drawn at once cannot both take the last pound. */
    db_val p[] = {DB_I(id), DB_I(delta), DB_I(now)};
    int64_t changes = 0;
    lw_status st = db_exec(db,
                           "UPDATE funds SET balance = balance + $2, updated_at = $3 "
                           "WHERE id = $1 AND balance + $2 >= 0",
                           p, DB_NPARAMS(p), &changes, err);
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ECONFLICT, "cost",
                       "the fund does not hold enough to pay this cost; its balance cannot go "
                       "below zero");
    return st;
}

/* ---- the demo ---- */

static lw_status demo_service_ids(lw_db *db, lw_arena *a, int64_t org_id, int n, db_result *r,
                                  lw_error *err) {
    db_val p[] = {DB_I(org_id), DB_I(n)};
    return db_query(db, a,
                    "SELECT s.id FROM services s JOIN directory_organizations o "
                    "ON o.id = s.organization_id WHERE o.organisation_id = $1 "
                    "AND s.status = 'active' AND s.capacity_status <> 'no_capacity' "
                    "ORDER BY s.id LIMIT $2",
                    p, DB_NPARAMS(p), r, err);
}

lw_status store_demo_services(lw_db *db, lw_arena *a, int64_t org_id, int n, int64_t now,
                              const char ***out, int *got, lw_error *err) {
    static const char *const names[] = {"Riverside Allotment Project", "Green Gym Riverside",
                                        "Men in Sheds Riverside"};
    db_result r;
    lw_status st = demo_service_ids(db, a, org_id, n, &r, err);
    if (st == LW_OK && r.nrows < n) {
        /* Only the columns of the directory's first migration: the directory feature owns
         * these tables and may add to them. */
        db_val o[] = {DB_S("demo-riverside-gardens"), DB_S("Riverside Community Gardens CIC"),
                      DB_I(org_id), DB_I(now)};
        st = db_exec(db,
                     "INSERT INTO directory_organizations (id, name, organisation_id, modified_at) "
                     "VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
                     o, DB_NPARAMS(o), NULL, err);
        for (int i = 0; i < 3 && st == LW_OK; i++) {
            char id[32];
            snprintf(id, sizeof id, "demo-riverside-%d", i + 1);
            db_val v[] = {DB_S(arena_strdup(a, id)), DB_S("demo-riverside-gardens"), DB_S(names[i]),
                          DB_I(8 + 4 * i), DB_I(now)};
            st = db_exec(db,
                         "INSERT INTO services (id, organization_id, name, status, capacity, "
                         "capacity_status, modified_at) VALUES ($1, $2, $3, 'active', $4, "
                         "'capacity', $5) ON CONFLICT (id) DO NOTHING",
                         v, DB_NPARAMS(v), NULL, err);
        }
        if (st == LW_OK)
            st = demo_service_ids(db, a, org_id, n, &r, err);
    }
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++)
        (*out)[i] = db_text(&r, i, 0);
    *got = r.nrows;
    return LW_OK;
}
