/*
 * Periodic jobs run by `linkwell serve`: for now, closing referrals nobody
 * answered within the auto-close limit (reason no_response), telling their
 * referrers. Each item is claimed by one atomic UPDATE ... RETURNING, so
 * several serve processes sharing one PostgreSQL close each referral exactly
 * once; the feedback and audit rows commit with the claim.
 */
#ifndef LW_API_JOBS_H
#define LW_API_JOBS_H

#include <stdint.h>

#include "api/api.h"

typedef struct lw_jobs lw_jobs;

#define LW_JOBS_INTERVAL_MS_DEFAULT (60LL * 1000)

/* Runs every job once, now (APP's clock and limits). *CLOSED (may be NULL):
 * how many referrals this call closed. */
lw_status jobs_run_once(lw_app *app, int *closed, lw_error *err) LW_MUST_CHECK;

/* Starts a thread running the jobs every INTERVAL_MS (the first run at once).
 * Failures are reported on standard error and retried next time. */
lw_status jobs_start(lw_app *app, int64_t interval_ms, lw_jobs **out, lw_error *err) LW_MUST_CHECK;
/* Stops the thread, waiting for a run in progress. NULL is fine. */
void jobs_stop(lw_jobs *j);

#endif
