/*
 * The facts behind the reports, in memory (api/reports.h): loaded from the
 * store in pages of PAGE rows, refreshed from the audit log, and read by the
 * engine (domain/report_engine.h). One copy per process (lw_app.reports), its
 * refresh and the report computed from it under one mutex: a report takes a
 * few milliseconds, so requests simply take turns.
 */
#include <stdlib.h>
#include <string.h>

#include "api/reports.h"
#include "domain/pathways.h"
#include "domain/referrals.h"
#include "store/directory.h"
#include "util/timeutil.h"

#define PAGE 20000

typedef lw_status (*page_fn)(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                             lw_error *err);
typedef void (*row_fn)(rp_data *d, const lw_rows *r, int i);

static void put_referral(rp_data *d, const lw_rows *r, int i) {
    rp_referral_in x = {.id = rows_int(r, i, 0),
                        .created_at = rows_int(r, i, 1),
                        .source = rows_text(r, i, 2),
                        .reasons = rows_text(r, i, 3),
                        .status = rows_text(r, i, 4),
                        .from_org = rows_int(r, i, 5),
                        .to_org = rows_int(r, i, 6)};
    rp_put_referral(d, &x);
}

static void put_case(rp_data *d, const lw_rows *r, int i) {
    const char *st = rows_text(r, i, 4);
    rp_case_in x = {.id = rows_int(r, i, 0),
                    .referral_id = rows_int(r, i, 1),
                    .org = rows_int(r, i, 2),
                    .assignee = rows_int(r, i, 3),
                    .open = st && strcmp(st, "open") == 0,
                    .opened_at = rows_int(r, i, 5),
                    .first_contact_at = rows_int(r, i, 6)};
    rp_put_case(d, &x);
}

static void put_need(rp_data *d, const lw_rows *r, int i) {
    rp_case_need_add(d, rows_int(r, i, 1), rows_text(r, i, 2));
}

static void put_rx(rp_data *d, const lw_rows *r, int i) {
    rp_rx_in x = {.id = rows_int(r, i, 0),
                  .case_id = rows_int(r, i, 1),
                  .sender_org = rows_int(r, i, 2),
                  .created_at = rows_int(r, i, 3),
                  .started_at = rows_int(r, i, 4),
                  .service_id = rows_text(r, i, 5),
                  .kind = rows_text(r, i, 6),
                  .mode = rows_text(r, i, 7),
                  .status = rows_text(r, i, 8),
                  .status_reason = rows_text(r, i, 9)};
    rp_put_rx(d, &x);
}

static void put_measure(rp_data *d, const lw_rows *r, int i) {
    rp_measure_in x = {.id = rows_int(r, i, 0),
                       .case_id = rows_int(r, i, 1),
                       .instrument = rows_text(r, i, 2),
                       .date = rows_text(r, i, 3),
                       .items = rows_text(r, i, 4)};
    rp_put_measure(d, &x);
}

static void put_decision(rp_data *d, const lw_rows *r, int i) {
    rp_decision_in x = {.id = rows_int(r, i, 0),
                        .case_id = rows_int(r, i, 1),
                        .org = rows_int(r, i, 2),
                        .created_at = rows_int(r, i, 3),
                        .mode = rows_text(r, i, 4),
                        .outcome = rows_text(r, i, 5)};
    rp_put_decision(d, &x);
}

static void put_service(rp_data *d, const lw_rows *r, int i) {
    rp_service_in x = {.id = rows_text(r, i, 0),
                       .need_domains = rows_text(r, i, 1),
                       .capacity_status = rows_text(r, i, 2),
                       .status = rows_text(r, i, 3),
                       .capacity = rows_text(r, i, 4) ? rows_int(r, i, 4) : -1};
    rp_put_service(d, &x);
}

static void put_pathway(rp_data *d, const lw_rows *r, int i) {
    rp_pathway_in x = {.case_id = rows_int(r, i, 1),
                       .pathway = rows_text(r, i, 2),
                       .outcome = rows_text(r, i, 3),
                       .review_due_at = rows_int(r, i, 4)};
    rp_put_pathway(d, &x);
}

static void put_gp(rp_data *d, const lw_rows *r, int i) {
    rp_gp_in x = {.id = rows_int(r, i, 0),
                  .referral_id = rows_int(r, i, 1),
                  .person_id = rows_int(r, i, 2),
                  .before = rows_int(r, i, 3),
                  .after = rows_text(r, i, 4) ? rows_int(r, i, 4) : -1};
    rp_put_gp(d, &x);
}

static void put_unmet(rp_data *d, const lw_rows *r, int i) {
    rp_case_nolocal_add(d, rows_int(r, i, 1), rows_text(r, i, 2));
}

static lw_status pathways_page(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                               lw_error *err) {
    return store_rf_pathways(db, a, 0, after, limit, out, err);
}

static lw_status unmet_page(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                            lw_error *err) {
    return store_rf_unmet(db, a, 0, after, limit, out, err);
}

static lw_status case_needs_page(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                                 lw_error *err) {
    return store_rf_case_needs(db, a, 0, after, limit, out, err);
}

static lw_status measures_page(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                               lw_error *err) {
    return store_rf_measures(db, a, 0, after, limit, out, err);
}

/* Every row of a table after id *LAST (0: all), page by page; *LAST becomes the
 * last id read (LAST may be NULL). */
static lw_status load_from(lw_db *db, rp_data *d, page_fn page, row_fn put, int64_t *last,
                           lw_error *err) {
    int64_t after = last ? *last : 0;
    for (;;) {
        lw_arena *a = arena_new();
        lw_rows r;
        lw_status st = page(db, a, after, PAGE, &r, err);
        if (st == LW_OK) {
            for (int i = 0; i < r.nrows; i++)
                put(d, &r, i);
            if (r.nrows)
                after = rows_int(&r, r.nrows - 1, 0);
        }
        int done = st != LW_OK || r.nrows < PAGE;
        arena_free(a);
        if (done) {
            if (last)
                *last = after;
            return st;
        }
    }
}

static lw_status load_all(lw_db *db, rp_data *d, page_fn page, row_fn put, lw_error *err) {
    return load_from(db, d, page, put, NULL, err);
}

static lw_status load_services(lw_db *db, rp_data *d, lw_error *err) {
    char after[512] = "";
    for (;;) {
        lw_arena *a = arena_new();
        lw_rows r;
        lw_status st = store_rf_services(db, a, after, PAGE, &r, err);
        if (st == LW_OK) {
            for (int i = 0; i < r.nrows; i++)
                put_service(d, &r, i);
            if (r.nrows) {
                const char *last = rows_text(&r, r.nrows - 1, 0);
                strncpy(after, last ? last : "", sizeof after - 1);
            }
        }
        int done = st != LW_OK || r.nrows < PAGE;
        arena_free(a);
        if (done)
            return st;
    }
}

lw_status reports_load(lw_db *db, rp_data *d, reports_pos *pos, lw_error *err) {
    memset(pos, 0, sizeof *pos);
    lw_status st = store_rf_audit_max(db, &pos->audit, err);
    if (st == LW_OK)
        st = store_dir_version(db, &pos->dir_version, err);
    if (st == LW_OK)
        st = load_services(db, d, err);
    if (st == LW_OK)
        st = load_all(db, d, store_rf_referrals, put_referral, err);
    if (st == LW_OK)
        st = load_all(db, d, store_rf_cases, put_case, err);
    if (st == LW_OK)
        st = load_all(db, d, case_needs_page, put_need, err);
    if (st == LW_OK)
        st = load_all(db, d, store_rf_prescriptions, put_rx, err);
    if (st == LW_OK)
        st = load_all(db, d, measures_page, put_measure, err);
    if (st == LW_OK)
        st = load_all(db, d, store_rf_decisions, put_decision, err);
    if (st == LW_OK)
        st = load_all(db, d, pathways_page, put_pathway, err);
    if (st == LW_OK)
        st = load_all(db, d, store_rf_gp, put_gp, err);
    if (st == LW_OK)
        st = load_from(db, d, unmet_page, put_unmet, &pos->unmet, err);
    return st;
}

/* Reads record ID of a table again. */
static lw_status reload(lw_db *db, rp_data *d, page_fn page, row_fn put, int64_t id,
                        lw_error *err) {
    lw_arena *a = arena_new();
    lw_rows r;
    lw_status st = page(db, a, id - 1, 1, &r, err);
    if (st == LW_OK && r.nrows == 1 && rows_int(&r, 0, 0) == id)
        put(d, &r, 0);
    arena_free(a);
    return st;
}

static lw_status reload_case(lw_db *db, rp_data *d, int64_t id, lw_error *err) {
    lw_status st = reload(db, d, store_rf_cases, put_case, id, err);
    if (st != LW_OK)
        return st;
    lw_arena *a = arena_new();
    lw_rows r;
    st = store_rf_case_needs(db, a, id, 0, 0, &r, err);
    if (st == LW_OK) {
        rp_case_needs_clear(d, id);
        for (int i = 0; i < r.nrows; i++)
            put_need(d, &r, i);
        st = store_rf_pathways(db, a, id, 0, 1, &r, err);
    }
    if (st == LW_OK && r.nrows == 1)
        put_pathway(d, &r, 0);
    if (st == LW_OK)
        st = store_rf_unmet(db, a, id, 0, 1000, &r, err);
    if (st == LW_OK) {
        rp_case_nolocal_clear(d, id);
        for (int i = 0; i < r.nrows; i++)
            put_unmet(d, &r, i);
    }
    arena_free(a);
    return st;
}

/* Unmet needs are replaced whole for a case when its matches are worked out (a read,
 * so not in the change log): new rows name the cases to read again. */
static lw_status refresh_unmet(lw_db *db, rp_data *d, reports_pos *pos, lw_error *err) {
    lw_status st = LW_OK;
    for (;;) {
        lw_arena *a = arena_new();
        lw_rows r;
        st = store_rf_unmet(db, a, 0, pos->unmet, PAGE, &r, err);
        int64_t last_case = 0;
        for (int i = 0; st == LW_OK && i < r.nrows; i++) {
            int64_t c = rows_int(&r, i, 1);
            if (c != last_case)
                st = reload_case(db, d, c, err);
            last_case = c;
        }
        int n = st == LW_OK ? r.nrows : 0;
        if (n)
            pos->unmet = rows_int(&r, n - 1, 0);
        arena_free(a);
        if (n < PAGE)
            return st;
    }
}

/* Whether change row ID (at or below the position) was applied already. */
static int applied(const reports_pos *pos, int64_t id) {
    for (int i = 0; i < pos->nrecent; i++)
        if (pos->recent[i] == id)
            return 1;
    return 0;
}

static void remember(reports_pos *pos, int64_t id) {
    pos->recent[pos->head] = id;
    pos->head = (pos->head + 1) % REPORTS_RECENT;
    if (pos->nrecent < REPORTS_RECENT)
        pos->nrecent++;
}

lw_status reports_refresh(lw_db *db, rp_data *d, reports_pos *pos, int64_t overlap, lw_error *err) {
    int64_t version = 0;
    lw_status st = store_dir_version(db, &version, err);
    if (st == LW_OK && version != pos->dir_version) {
        st = load_services(db, d, err);
        if (st == LW_OK)
            pos->dir_version = version;
    }
    if (st == LW_OK)
        st = refresh_unmet(db, d, pos, err);
    int64_t after = pos->audit - overlap > 0 ? pos->audit - overlap : 0;
    while (st == LW_OK) {
        lw_arena *a = arena_new();
        lw_rows r;
        st = store_rf_changes(db, a, after, PAGE, &r, err);
        for (int i = 0; st == LW_OK && i < r.nrows; i++) {
            const char *type = rows_text(&r, i, 2);
            int64_t id = rows_int(&r, i, 3), change = rows_int(&r, i, 0);
            if (!type || id <= 0 || (change <= pos->audit && applied(pos, change)))
                continue;
            if (overlap)
                remember(pos, change);
            if (strcmp(type, "referral") == 0)
                st = reload(db, d, store_rf_referrals, put_referral, id, err);
            else if (strcmp(type, "case") == 0)
                st = reload_case(db, d, id, err);
            else if (strcmp(type, "prescription") == 0)
                st = reload(db, d, store_rf_prescriptions, put_rx, id, err);
            else if (strcmp(type, "measure") == 0)
                st = reload(db, d, measures_page, put_measure, id, err);
            else if (strcmp(type, "decision") == 0)
                st = reload(db, d, store_rf_decisions, put_decision, id, err);
            else if (strcmp(type, "gp_consultation") == 0)
                st = reload(db, d, store_rf_gp, put_gp, id, err);
            else if (strcmp(type, "milestone") == 0) {
                int64_t case_id = 0;
                st = store_rf_milestone_case(db, id, &case_id, err);
                if (st == LW_OK && case_id)
                    st = reload_case(db, d, case_id, err);
            }
        }
        int n = st == LW_OK ? r.nrows : 0;
        if (n) {
            after = rows_int(&r, n - 1, 0);
            if (after > pos->audit)
                pos->audit = after;
        }
        arena_free(a);
        if (n < PAGE)
            break;
    }
    return st;
}

static rp_names names_of(lw_arena *a, const lw_rows *r) {
    int64_t *ids = arena_alloc(a, ((size_t)r->nrows + 1) * sizeof *ids);
    const char **names = arena_alloc(a, ((size_t)r->nrows + 1) * sizeof *names);
    for (int i = 0; i < r->nrows; i++) {
        ids[i] = rows_int(r, i, 0);
        names[i] = rows_text(r, i, 1);
    }
    return (rp_names){(size_t)r->nrows, ids, names};
}

lw_status reports_names(lw_db *db, lw_arena *a, rp_names *orgs, rp_names *users, lw_error *err) {
    lw_rows o, u;
    lw_status st = store_rf_org_names(db, a, &o, err);
    if (st == LW_OK)
        st = store_rf_user_names(db, a, &u, err);
    if (st != LW_OK)
        return st;
    *orgs = names_of(a, &o);
    *users = names_of(a, &u);
    return LW_OK;
}

static lw_status day(const char *s, const char *field, int64_t *out, lw_error *err) {
    if (strlen(s) != 10 || date_check(s, field, err) != LW_OK)
        return lw_fail(err, LW_EINVAL, field, "must be a date YYYY-MM-DD, not \"%.40s\"", s);
    return time_parse_iso(s, field, out, err);
}

lw_status reports_filter(const rp_data *d, const reports_query *q, int64_t now, rp_filter *out,
                         lw_error *err) {
    memset(out, 0, sizeof *out);
    out->source = -1;
    out->pathway = -1;
    out->now = now;
    lw_status st = LW_OK;
    if (q->from && *q->from)
        st = day(q->from, "from", &out->from_ms, err);
    if (st == LW_OK && q->to && *q->to) {
        st = day(q->to, "to", &out->to_ms, err);
        out->to_ms += LW_DAY_MS; /* the whole last day */
    }
    if (st == LW_OK && out->from_ms && out->to_ms && out->from_ms >= out->to_ms)
        st = lw_fail(err, LW_EINVAL, "from", "%s is after to (%s)", q->from, q->to);
    if (st == LW_OK && q->organisation_id && *q->organisation_id) {
        char *end = NULL;
        long long v = strtoll(q->organisation_id, &end, 10);
        if (!end || *end || v <= 0)
            st = lw_fail(err, LW_EINVAL, "organisation_id", "must be a positive whole number");
        out->org = v;
    }
    if (st == LW_OK && q->source && *q->source) {
        out->source = rp_source_parse(q->source);
        if (out->source < 0)
            st = lw_fail(err, LW_EINVAL, "source", "must be one of referrer, clinician, self");
    }
    if (st == LW_OK && q->pathway && *q->pathway) {
        out->pathway = rp_pathway_lookup(d, q->pathway);
        if (out->pathway < 0) {
            if (pathway_builtin(q->pathway))
                out->pathway = 1000; /* known, but no case is on it yet: matches nothing */
            else
                st = lw_fail(err, LW_EINVAL, "pathway", "no pathway called \"%.60s\"", q->pathway);
        }
    }
    return st;
}
