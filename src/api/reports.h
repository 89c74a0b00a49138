/*
 * Reports (issue 7), shared by the API (api/reports.c) and the CLI
 * (cli/cmd_report.c): loading the report engine's facts from the store,
 * keeping them fresh from the audit log, and reading a report's filters.
 *
 * Why an in-memory copy (docs/architecture.md, "Reports"): the same
 * aggregations as SQL take 200-900 ms over a million referrals in SQLite; the
 * engine answers from compact arrays in a few milliseconds, and is kept fresh
 * incrementally: every write of a person's data writes an audit row in the
 * same transaction, so the audit rows after the last one applied name exactly
 * the records to read again.
 */
#ifndef LW_API_REPORTS_H
#define LW_API_REPORTS_H

#include "domain/report_engine.h"
#include "store/store.h"

/* How far the facts have been read: the last audit id applied, the directory's
 * version, the last unmet-need row seen. */
#define REPORTS_RECENT 2048
typedef struct reports_pos {
    int64_t audit, dir_version, unmet;
    /* The change rows applied most recently (a ring), so that re-reading an
     * overlap skips what was applied already. */
    int64_t recent[REPORTS_RECENT];
    int nrecent, head;
} reports_pos;

/* Reads every fact into D (new, empty) and the position into *POS (the audit
 * log's taken first, so changes made during the load are applied by the next
 * refresh). */
lw_status reports_load(lw_db *db, rp_data *d, reports_pos *pos, lw_error *err) LW_MUST_CHECK;
/* Applies the changes recorded after POS (re-reading the last OVERLAP audit
 * ids, for a backend whose ids may commit out of order); reloads the services
 * when the directory's version moved. */
lw_status reports_refresh(lw_db *db, rp_data *d, reports_pos *pos, int64_t overlap,
                          lw_error *err) LW_MUST_CHECK;
/* The names of organisations and users, for the rows. In A. */
lw_status reports_names(lw_db *db, lw_arena *a, rp_names *orgs, rp_names *users,
                        lw_error *err) LW_MUST_CHECK;

/* The filters as given (strings may be NULL): checked, each error naming its
 * field (from, to, organisation_id, source, pathway); NOW is for the filter. */
typedef struct reports_query {
    const char *from, *to, *organisation_id, *source, *pathway;
} reports_query;
lw_status reports_filter(const rp_data *d, const reports_query *q, int64_t now, rp_filter *out,
                         lw_error *err) LW_MUST_CHECK;

#endif
