/*
 * The store side of reports (issue 7): the facts the report engine
 * (domain/report_engine.h) is loaded from, read in pages by id (keyset paging,
 * so a million rows are read in bounded pieces), and the audit log read as a
 * change log (every write of a person's data writes an audit row in the same
 * transaction, so the rows after a known id name every record that changed).
 * Part of store.h (which includes it).
 *
 * Every function returns rows of text cells (NULL for SQL NULL) in the
 * caller's arena, in the column order its comment gives. A page is the rows
 * with id > AFTER, in id order, at most LIMIT of them; asking for AFTER = X - 1
 * and LIMIT 1 reads record X again (check the id).
 */
#ifndef LW_STORE_REPORTS_H
#define LW_STORE_REPORTS_H

#include <stdint.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/error.h"

typedef struct lw_rows {
    int nrows, ncols;
    const char **cells; /* row-major */
} lw_rows;

const char *rows_text(const lw_rows *r, int row, int col);
int64_t rows_int(const lw_rows *r, int row, int col); /* 0 for NULL */

/* id, created_at, source, reasons, status, from_organisation_id, to_organisation_id */
lw_status store_rf_referrals(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                             lw_error *err) LW_MUST_CHECK;
/* id, referral_id, organisation_id, assignee_id, status, opened_at, first contact at */
lw_status store_rf_cases(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                         lw_error *err) LW_MUST_CHECK;
/* id, case_id, domain (by id); with CASE_ID > 0 only that case's (all of them) */
lw_status store_rf_case_needs(lw_db *db, lw_arena *a, int64_t case_id, int64_t after, int limit,
                              lw_rows *out, lw_error *err) LW_MUST_CHECK;
/* id, case_id, sender_organisation_id, created_at, started_at, service_id, kind, mode,
 * status, decline code (or else the status reason) */
lw_status store_rf_prescriptions(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                                 lw_error *err) LW_MUST_CHECK;
/* id, case_id, instrument, date, items; with CASE_ID > 0 only that case's (all of them) */
lw_status store_rf_measures(lw_db *db, lw_arena *a, int64_t case_id, int64_t after, int limit,
                            lw_rows *out, lw_error *err) LW_MUST_CHECK;
/* id, need_domains, capacity_status, status, capacity: services with id > AFTER (text) */
lw_status store_rf_services(lw_db *db, lw_arena *a, const char *after, int limit, lw_rows *out,
                            lw_error *err) LW_MUST_CHECK;
/* id, case_id, organisation_id, created_at, mode, outcome */
lw_status store_rf_decisions(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                             lw_error *err) LW_MUST_CHECK;

/* id, case_id, pathway, outcome, the discharge review's due time (the first milestone
 * that records an outcome); with CASE_ID > 0 only that case's */
lw_status store_rf_pathways(lw_db *db, lw_arena *a, int64_t case_id, int64_t after, int limit,
                            lw_rows *out, lw_error *err) LW_MUST_CHECK;
/* The case of milestone ID (0 when there is none). */
lw_status store_rf_milestone_case(lw_db *db, int64_t id, int64_t *case_id,
                                  lw_error *err) LW_MUST_CHECK;
/* id, referral_id, person_id, before_count, after_count (NULL: not known yet) */
lw_status store_rf_gp(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                      lw_error *err) LW_MUST_CHECK;
/* id, case_id, need: needs with no local service within the person's travel limit;
 * with CASE_ID > 0 only that case's */
lw_status store_rf_unmet(lw_db *db, lw_arena *a, int64_t case_id, int64_t after, int limit,
                         lw_rows *out, lw_error *err) LW_MUST_CHECK;

/* The audit log as a change log: id, action, resource_type, resource_id of the
 * successful writes after AFTER (reads, lists and refusals left out). */
lw_status store_rf_changes(lw_db *db, lw_arena *a, int64_t after, int limit, lw_rows *out,
                           lw_error *err) LW_MUST_CHECK;
/* The newest audit row's id (0 when empty). */
lw_status store_rf_audit_max(lw_db *db, int64_t *out, lw_error *err) LW_MUST_CHECK;
/* id, name of every organisation, and of every user, by id. */
lw_status store_rf_org_names(lw_db *db, lw_arena *a, lw_rows *out, lw_error *err) LW_MUST_CHECK;
lw_status store_rf_user_names(lw_db *db, lw_arena *a, lw_rows *out, lw_error *err) LW_MUST_CHECK;

#endif
