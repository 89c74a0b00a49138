/* Cases: the link worker's episode with a person, its contacts, needs, goals and action plan. */
#include <string.h>

#include "store/db.h"
#include "store/qb.h"
#include "store/store.h"

#define CASE_COLS                                                                                  \
    "c.id, c.referral_id, c.person_id, c.organisation_id, c.assignee_id, u.name, c.status, "       \
    "c.support_level, c.what_matters, c.outcome, c.outcome_note, c.opened_at, c.closed_at, "       \
    "c.last_contact_at, c.next_action_due, c.updated_at, p.given_name, p.family_name, "            \
    "p.reference"
#define CASE_FROM                                                                                  \
    " FROM cases c JOIN people p ON p.id = c.person_id JOIN users u ON u.id = c.assignee_id "

static void case_row(const db_result *r, int i, lw_case *c) {
    c->id = db_int(r, i, 0);
    c->referral_id = db_int(r, i, 1);
    c->person_id = db_int(r, i, 2);
    c->org_id = db_int(r, i, 3);
    c->assignee_id = db_int(r, i, 4);
    c->assignee_name = db_text(r, i, 5);
    c->status = db_text(r, i, 6);
    c->support_level = db_text(r, i, 7);
    c->what_matters = db_text(r, i, 8);
    c->outcome = db_text(r, i, 9);
    c->outcome_note = db_text(r, i, 10);
    c->opened_at = db_int(r, i, 11);
    c->closed_at = db_int(r, i, 12);
    c->last_contact_at = db_int(r, i, 13);
    c->next_action_due = db_text(r, i, 14);
    c->updated_at = db_int(r, i, 15);
    c->person_given_name = db_text(r, i, 16);
    c->person_family_name = db_text(r, i, 17);
    c->person_reference = db_text(r, i, 18);
}

lw_status store_case_insert(lw_db *db, int64_t referral_id, int64_t person_id, int64_t org_id,
                            int64_t assignee_id, int64_t now, int64_t *id, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(referral_id), DB_I(person_id), DB_I(org_id), DB_I(assignee_id), DB_I(now)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO cases (referral_id, person_id, organisation_id, "
                            "assignee_id, status, opened_at, updated_at) "
                            "VALUES ($1, $2, $3, $4, 'open', $5, $5) RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_ECONFLICT)
        st = lw_fail(err, LW_ECONFLICT, "status", "this referral already has a case");
    else if (st == LW_OK)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

lw_status store_case_get(lw_db *db, lw_arena *a, int64_t id, lw_case *out, lw_error *err) {
    db_val p[] = {DB_I(id)};
    db_result r;
    lw_status st = db_query(db, a, "SELECT " CASE_COLS CASE_FROM "WHERE c.id = $1", p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such case");
    case_row(&r, 0, out);
    return LW_OK;
}

lw_status store_case_update(lw_db *db, int64_t id, const char *support_level,
                            const char *what_matters, int64_t assignee_id, int64_t now,
                            lw_error *err) {
    db_val p[] = {DB_I(id), DB_S(support_level), DB_S(what_matters), DB_ID(assignee_id), DB_I(now)};
    int64_t changes = 0;
    lw_status st = db_exec(db,
                           "UPDATE cases SET support_level = coalesce($2, support_level), "
                           "what_matters = coalesce($3, what_matters), "
                           "assignee_id = coalesce($4, assignee_id), updated_at = $5 "
                           "WHERE id = $1",
                           p, DB_NPARAMS(p), &changes, err);
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such case");
    return st;
}

lw_status store_case_close(lw_db *db, int64_t id, const char *outcome, const char *note,
                           int64_t now, lw_error *err) {
    db_val p[] = {DB_I(id), DB_S(outcome), DB_S(note), DB_I(now)};
    int64_t changes = 0;
    lw_status st = db_exec(db,
                           "UPDATE cases SET status = 'closed', outcome = $2, outcome_note = $3, "
                           "closed_at = $4, updated_at = $4 WHERE id = $1 AND status = 'open'",
                           p, DB_NPARAMS(p), &changes, err);
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ECONFLICT, "status", "the case is already closed");
    return st;
}

/* A caseload row: only what the list shows, all of it in the covering index
 * cases_caseload (migration 0007) but the person's name and the assignee's, and
 * the case's next open milestone kept on the case by store/pathways.c. Overdue
 * milestones are counted only for a case whose next one is overdue: the next is
 * the earliest, so for the others the count is 0 without looking. */
#define CASELOAD_COLS                                                                              \
    "c.id, c.referral_id, c.person_id, c.organisation_id, c.assignee_id, u.name, c.status, "       \
    "c.support_level, c.opened_at, c.closed_at, c.last_contact_at, c.next_action_due, "            \
    "p.given_name, p.family_name, p.reference, c.next_ms_id, c.next_ms_title, c.next_ms_due"
#define CASELOAD_MS_OVERDUE                                                                        \
    ", CASE WHEN c.next_ms_due < ? THEN (SELECT count(*) FROM case_milestones m "                  \
    "WHERE m.case_id = c.id AND m.status = 'open' AND m.due_at < ?) ELSE 0 END"
/* The integer columns of a caseload row (db_query_ints): 0-4, 8-10, 15, 17 and
 * the overdue count (18) when there is one (bits past the last column are ignored). */
#define CASELOAD_INTS                                                                              \
    ((uint64_t)0x1f | (uint64_t)0x7 << 8 | (uint64_t)1 << 15 | (uint64_t)0x3 << 17)
/* The most cases a caseload sorts itself (below). */
#define CASELOAD_SORT_MAX 1000

static void caseload_row(const db_result *r, int i, lw_case *c) {
    c->id = db_i64(r, i, 0);
    c->referral_id = db_i64(r, i, 1);
    c->person_id = db_i64(r, i, 2);
    c->org_id = db_i64(r, i, 3);
    c->assignee_id = db_i64(r, i, 4);
    c->assignee_name = db_text(r, i, 5);
    c->status = db_text(r, i, 6);
    c->support_level = db_text(r, i, 7);
    c->opened_at = db_i64(r, i, 8);
    c->closed_at = db_i64(r, i, 9);
    c->last_contact_at = db_i64(r, i, 10);
    c->next_action_due = db_text(r, i, 11);
    c->person_given_name = db_text(r, i, 12);
    c->person_family_name = db_text(r, i, 13);
    c->person_reference = db_text(r, i, 14);
    c->next_milestone_id = db_i64(r, i, 15);
    c->next_milestone_title = db_text(r, i, 16);
    c->next_milestone_due = db_i64(r, i, 17);
}

/* The caseload's conditions (only the filters given, so an index serves each). */
static void caseload_where(qb *q, const lw_caseload_filter *f) {
    qb_text(q, " WHERE 1 = 1");
    if (f->assignee_id)
        qb_param(q, " AND c.assignee_id = ?", DB_I(f->assignee_id));
    if (f->org_id)
        qb_param(q, " AND c.organisation_id = ?", DB_I(f->org_id));
    if (f->status)
        qb_param(q, " AND c.status = ?", DB_S(f->status));
}

/* The caseload's rows, in no order. */
static void caseload_select(qb *q, const lw_caseload_filter *f) {
    qb_text(q, "SELECT " CASELOAD_COLS);
    if (f->milestone_cutoff)
        qb_param(q, CASELOAD_MS_OVERDUE, DB_I(f->milestone_cutoff));
    qb_text(q, CASE_FROM);
    caseload_where(q, f);
}

static lw_status caseload_count(lw_db *db, lw_arena *a, const lw_caseload_filter *f, int64_t *total,
                                lw_error *err) {
    qb cq = {0};
    qb_text(&cq, "SELECT count(*) FROM cases c");
    caseload_where(&cq, f);
    db_result cr;
    lw_status st = db_query_ints(db, a, cq.sql, cq.p, cq.n, 1, &cr, err);
    if (st == LW_OK)
        *total = db_i64(&cr, 0, 0);
    return st;
}

/* Fills OUT (N rows of R, in the order of IDX) as the caller's page. */
static void caseload_rows(const db_result *r, const lw_caseload_filter *f, const int *idx, int n,
                          lw_arena *a, lw_case **out) {
    *out = arena_alloc(a, sizeof **out * (size_t)(n + 1));
    for (int k = 0; k < n; k++) {
        int i = idx ? idx[k] : k;
        lw_case *c = &(*out)[k];
        memset(c, 0, sizeof *c);
        caseload_row(r, i, c);
        if (f->milestone_cutoff)
            c->overdue_milestones = db_i64(r, i, r->ncols - 1);
    }
}

/* Where a row goes in the ORDER BY of store_caseload's query, as SQLite orders
 * it: the CASE's rank, then next_action_due (NULL first; text compared byte by
 * byte, as SQLite's BINARY collation does), opened_at, id. */
typedef struct caseload_key {
    int rank;
    const char *due;
    int64_t opened_at, id;
} caseload_key;

static int caseload_before(const caseload_key *x, const caseload_key *y) {
    if (x->rank != y->rank)
        return x->rank < y->rank;
    if (!x->due != !y->due)
        return !x->due;
    int c = x->due ? strcmp(x->due, y->due) : 0;
    if (c != 0)
        return c < 0;
    if (x->opened_at != y->opened_at)
        return x->opened_at < y->opened_at;
    return x->id < y->id;
}

/* Sorts IDX[0..N) by KEYS, stably (a merge sort; TMP holds N). */
static void caseload_sort(const caseload_key *keys, int *idx, int *tmp, int n) {
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n;
            int hi = lo + 2 * width < n ? lo + 2 * width : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = caseload_before(&keys[idx[j]], &keys[idx[i]]) ? idx[j++] : idx[i++];
            while (i < mid)
                tmp[k++] = idx[i++];
            while (j < hi)
                tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, sizeof *idx * (size_t)n);
    }
}

/* A caseload of at most CASELOAD_SORT_MAX cases on SQLite: every row read in the
 * index's order and sorted here, the page cut from them. SQLite would copy each
 * row (19 columns, with the names) into a temporary B-tree to sort it: a fifth of
 * the cost of a 50-case page. The order is the ORDER BY's of store_caseload, as
 * SQLite applies it (tests/api/test_caseload.c checks it against the ORDER BY).
 * *WHOLE is 0, and nothing else is filled, when there are more cases. */
static lw_status caseload_sorted_here(lw_db *db, lw_arena *a, const lw_caseload_filter *f,
                                      int64_t offset, int per_page, lw_case **out, int *n,
                                      int64_t *total, int *whole, lw_error *err) {
    qb q = {0};
    caseload_select(&q, f);
    qb_param(&q, " LIMIT ?", DB_I(CASELOAD_SORT_MAX + 1));
    db_result r;
    lw_status st = db_query_ints(db, a, q.sql, q.p, q.n, CASELOAD_INTS, &r, err);
    *whole = st == LW_OK && r.nrows <= CASELOAD_SORT_MAX;
    if (!*whole)
        return st;
    caseload_key *keys = arena_alloc(a, sizeof *keys * (size_t)(r.nrows + 1));
    int *idx = arena_alloc(a, sizeof *idx * (size_t)(r.nrows + 1) * 2);
    for (int i = 0; i < r.nrows; i++) {
        const char *due = db_text(&r, i, 11);
        int overdue = due && strcmp(due, f->today) < 0;
        if (f->milestone_cutoff && !db_is_null(&r, i, 17) &&
            db_i64(&r, i, 17) < f->milestone_cutoff)
            overdue = 1;
        keys[i] = (caseload_key){overdue ? 0
                                 : due   ? 1
                                         : 2,
                                 due, db_i64(&r, i, 8), db_i64(&r, i, 0)};
        idx[i] = i;
    }
    caseload_sort(keys, idx, idx + r.nrows, r.nrows);
    int64_t from = offset < r.nrows ? offset : r.nrows;
    int64_t count = r.nrows - from < per_page ? r.nrows - from : per_page;
    caseload_rows(&r, f, idx + from, (int)count, a, out);
    *n = (int)count;
    *total = r.nrows;
    return LW_OK;
}

lw_status store_caseload(lw_db *db, lw_arena *a, const lw_caseload_filter *f, lw_page pg,
                         lw_case **out, int *n, int64_t *total, lw_error *err) {
    int64_t offset = (int64_t)(pg.page - 1) * pg.per_page;
    int64_t counted = -1;
    if (db->drv->in_process) {
        /* A query costs no round trip here, so a caseload small enough is sorted
         * without SQLite's sorter. One worker's open cases are (tens): read at
         * once. Other lists (a service's, a worker's closed ones) may not be:
         * counted first (an index range), so that a long list does not read a
         * thousand rows for nothing. */
        lw_status st = LW_OK;
        int whole = 0;
        if (!f->assignee_id || !f->status || strcmp(f->status, "open") != 0)
            st = caseload_count(db, a, f, &counted, err);
        if (st == LW_OK && counted <= CASELOAD_SORT_MAX) {
            st = caseload_sorted_here(db, a, f, offset, pg.per_page, out, n, total, &whole, err);
            counted = -1; /* when not whole, cases were added since: counted again below */
        }
        if (st != LW_OK || whole)
            return st;
    }
    /* Overdue first, then the soonest next action, then cases with no action planned.
     * One row more than the page: when the page is not full, that tells the total
     * without counting. */
    qb q = {0};
    caseload_select(&q, f);
    qb_param(&q, " ORDER BY CASE WHEN c.next_action_due < ?", DB_S(f->today));
    if (f->milestone_cutoff)
        qb_param(&q, " OR c.next_ms_due < ?", DB_I(f->milestone_cutoff));
    qb_text(&q, " THEN 0");
    qb_text(&q, " WHEN c.next_action_due IS NULL THEN 2 ELSE 1 END, c.next_action_due, "
                "c.opened_at, c.id");
    qb_param(&q, " LIMIT ?", DB_I(pg.per_page + 1));
    qb_param(&q, " OFFSET ?", DB_I(offset));
    db_result r;
    lw_status st = db_query_ints(db, a, q.sql, q.p, q.n, CASELOAD_INTS, &r, err);
    if (st != LW_OK)
        return st;
    if (counted >= 0) {
        *total = counted;
        if (r.nrows > pg.per_page)
            r.nrows = pg.per_page;
    } else if (r.nrows > 0 && r.nrows <= pg.per_page) {
        *total = offset + r.nrows;
    } else {
        if (r.nrows > pg.per_page)
            r.nrows = pg.per_page;
        st = caseload_count(db, a, f, total, err);
        if (st != LW_OK)
            return st;
    }
    caseload_rows(&r, f, NULL, r.nrows, a, out);
    *n = r.nrows;
    return LW_OK;
}

lw_status store_worker_loads(lw_db *db, lw_arena *a, int64_t org_id, lw_worker_load **out, int *n,
                             lw_error *err) {
    db_val p[] = {DB_I(org_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT u.id, u.name, u.role, (SELECT count(*) FROM cases c "
                            "WHERE c.assignee_id = u.id AND c.status = 'open') AS open_cases "
                            "FROM users u WHERE u.organisation_id = $1 AND u.active = 1 "
                            "AND u.role IN ('link_worker', 'peer_worker') "
                            "ORDER BY open_cases, u.id",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        (*out)[i].user_id = db_int(&r, i, 0);
        (*out)[i].name = db_text(&r, i, 1);
        (*out)[i].role = db_text(&r, i, 2);
        (*out)[i].open_cases = db_int(&r, i, 3);
    }
    *n = r.nrows;
    return LW_OK;
}

/* ---- contacts ---- */

lw_status store_contact_insert(lw_db *db, const lw_contact *c, int64_t *id, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(c->case_id), DB_I(c->at),         DB_S(c->mode),      DB_I(c->minutes),
                  DB_S(c->note),    DB_I(c->by_user_id), DB_I(c->created_at)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO case_contacts (case_id, at, mode, minutes, note, "
                            "by_user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                            "RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_OK) {
        *id = db_int(&r, 0, 0);
        db_val q[] = {DB_I(c->case_id), DB_I(c->at), DB_I(c->created_at)};
        st = db_exec(db,
                     "UPDATE cases SET last_contact_at = $2, updated_at = $3 WHERE id = $1 "
                     "AND (last_contact_at IS NULL OR last_contact_at < $2)",
                     q, DB_NPARAMS(q), NULL, err);
    }
    arena_free(a);
    return st;
}

lw_status store_contact_list(lw_db *db, lw_arena *a, int64_t case_id, lw_contact **out, int *n,
                             lw_error *err) {
    db_val p[] = {DB_I(case_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id, case_id, at, mode, minutes, note, by_user_id, created_at "
                            "FROM case_contacts WHERE case_id = $1 ORDER BY at DESC, id DESC",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        lw_contact *c = &(*out)[i];
        c->id = db_int(&r, i, 0);
        c->case_id = db_int(&r, i, 1);
        c->at = db_int(&r, i, 2);
        c->mode = db_text(&r, i, 3);
        c->minutes = db_int(&r, i, 4);
        c->note = db_text(&r, i, 5);
        c->by_user_id = db_int(&r, i, 6);
        c->created_at = db_int(&r, i, 7);
    }
    *n = r.nrows;
    return LW_OK;
}

/* ---- needs ---- */

lw_status store_case_needs_set(lw_db *db, int64_t case_id, const lw_need *needs, int n,
                               lw_error *err) {
    db_val p[] = {DB_I(case_id)};
    lw_status st = db_exec(db, "DELETE FROM case_needs WHERE case_id = $1", p, 1, NULL, err);
    for (int i = 0; i < n && st == LW_OK; i++) {
        db_val q[] = {DB_I(case_id), DB_S(needs[i].domain), DB_I(needs[i].importance)};
        st = db_exec(db, "INSERT INTO case_needs (case_id, domain, importance) VALUES ($1, $2, $3)",
                     q, DB_NPARAMS(q), NULL, err);
        if (st == LW_ECONFLICT)
            st = lw_fail(err, LW_EINVAL, "needs", "'%s' is listed twice", needs[i].domain);
    }
    return st;
}

lw_status store_case_needs(lw_db *db, lw_arena *a, int64_t case_id, lw_need **out, int *n,
                           lw_error *err) {
    db_val p[] = {DB_I(case_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT domain, importance FROM case_needs WHERE case_id = $1 "
                            "ORDER BY importance DESC, domain",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        (*out)[i].domain = db_text(&r, i, 0);
        (*out)[i].importance = db_int(&r, i, 1);
    }
    *n = r.nrows;
    return LW_OK;
}

/* ---- goals ---- */

lw_status store_goal_insert(lw_db *db, const lw_goal *g, int64_t now, int64_t *id, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(g->case_id),     DB_S(g->text),   DB_S(g->domain),
                  DB_S(g->target_date), DB_S(g->status), DB_I(now)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO case_goals (case_id, text, domain, target_date, status, "
                            "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) "
                            "RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_OK)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

lw_status store_goal_update(lw_db *db, int64_t case_id, int64_t id, const char *text,
                            const char *status, const char *target_date, int64_t now,
                            lw_error *err) {
    db_val p[] = {DB_I(id), DB_I(case_id), DB_S(text), DB_S(status), DB_S(target_date), DB_I(now)};
    int64_t changes = 0;
    lw_status st = db_exec(db,
                           "UPDATE case_goals SET text = coalesce($3, text), "
                           "status = coalesce($4, status), "
                           "target_date = coalesce($5, target_date), updated_at = $6 "
                           "WHERE id = $1 AND case_id = $2",
                           p, DB_NPARAMS(p), &changes, err);
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "this case has no such goal");
    return st;
}

lw_status store_goal_list(lw_db *db, lw_arena *a, int64_t case_id, lw_goal **out, int *n,
                          lw_error *err) {
    db_val p[] = {DB_I(case_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id, case_id, text, domain, target_date, status, created_at, "
                            "updated_at FROM case_goals WHERE case_id = $1 ORDER BY id",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        lw_goal *g = &(*out)[i];
        g->id = db_int(&r, i, 0);
        g->case_id = db_int(&r, i, 1);
        g->text = db_text(&r, i, 2);
        g->domain = db_text(&r, i, 3);
        g->target_date = db_text(&r, i, 4);
        g->status = db_text(&r, i, 5);
        g->created_at = db_int(&r, i, 6);
        g->updated_at = db_int(&r, i, 7);
    }
    *n = r.nrows;
    return LW_OK;
}

/* ---- the action plan ---- */

/* Keeps cases.next_action_due: the earliest due date of the case's open actions. */
static lw_status refresh_next_due(lw_db *db, int64_t case_id, int64_t now, lw_error *err) {
    db_val p[] = {DB_I(case_id), DB_I(now)};
    return db_exec(db,
                   "UPDATE cases SET next_action_due = (SELECT min(due) FROM case_actions "
                   "WHERE case_id = $1 AND done = 0), updated_at = $2 WHERE id = $1",
                   p, DB_NPARAMS(p), NULL, err);
}

lw_status store_action_insert(lw_db *db, const lw_action *x, int64_t now, int64_t *id,
                              lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(x->case_id), DB_ID(x->goal_id), DB_S(x->who),
                  DB_S(x->what),    DB_S(x->due),      DB_I(now)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO case_actions (case_id, goal_id, who, what, due, done, "
                            "created_at) VALUES ($1, $2, $3, $4, $5, 0, $6) RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_OK) {
        *id = db_int(&r, 0, 0);
        st = refresh_next_due(db, x->case_id, now, err);
    }
    arena_free(a);
    return st;
}

lw_status store_action_update(lw_db *db, int64_t case_id, int64_t id, const char *who,
                              const char *what, const char *due, int done, int64_t now,
                              lw_error *err) {
    db_val p[] = {DB_I(id),   DB_I(case_id), DB_S(who),
                  DB_S(what), DB_S(due),     done < 0 ? DB_NUL : DB_I(done ? 1 : 0),
                  DB_I(now)};
    int64_t changes = 0;
    lw_status st = db_exec(db,
                           "UPDATE case_actions SET who = coalesce($3, who), "
                           "what = coalesce($4, what), due = coalesce($5, due), "
                           "done_at = CASE WHEN $6 = 1 AND done = 0 THEN $7 "
                           "WHEN $6 = 0 THEN NULL ELSE done_at END, "
                           "done = coalesce($6, done) WHERE id = $1 AND case_id = $2",
                           p, DB_NPARAMS(p), &changes, err);
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "this case has no such action");
    if (st == LW_OK)
        st = refresh_next_due(db, case_id, now, err);
    return st;
}

lw_status store_action_list(lw_db *db, lw_arena *a, int64_t case_id, lw_action **out, int *n,
                            lw_error *err) {
    db_val p[] = {DB_I(case_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT id, case_id, goal_id, who, what, due, done, done_at, "
                            "created_at FROM case_actions WHERE case_id = $1 ORDER BY due, id",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++) {
        lw_action *x = &(*out)[i];
        x->id = db_int(&r, i, 0);
        x->case_id = db_int(&r, i, 1);
        x->goal_id = db_int(&r, i, 2);
        x->who = db_text(&r, i, 3);
        x->what = db_text(&r, i, 4);
        x->due = db_text(&r, i, 5);
        x->done = (int)db_int(&r, i, 6);
        x->done_at = db_int(&r, i, 7);
        x->created_at = db_int(&r, i, 8);
    }
    *n = r.nrows;
    return LW_OK;
}
