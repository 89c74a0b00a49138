/* The periodic job runner started by serve (see jobs.h). */
#include "api/jobs.h"

#include <stdio.h>
#include <stdlib.h>

#include "api/journey.h"
#include "util/ticker.h"

#define BATCH 100

struct lw_jobs {
    lw_app *app;
    lw_ticker *ticker;
};

/* One batch: claims up to BATCH referrals and writes their feedback and audit
 * rows, all in one transaction. */
static lw_status close_batch(lw_app *app, lw_db *db, int *n, lw_error *err) {
    int64_t now = clock_now(&app->clock);
    lw_referral_limits lim = referral_limits(app->overdue_days, app->auto_close_days);
    lw_arena *a = arena_new();
    lw_claimed_referral *got = NULL;
    *n = 0;
    lw_status st = store_begin(db, err);
    if (st == LW_OK)
        st = store_referral_auto_close(db, a, referral_auto_close_cutoff(now, &lim), now, BATCH,
                                       &got, n, err);
    for (int i = 0; i < *n && st == LW_OK; i++) {
        jr_feedback fb = {.referral_id = got[i].id,
                          .recipient_org = got[i].from_org_id,
                          .event = "declined",
                          .reason = LW_DECLINE_NO_RESPONSE};
        st = jr_feedback_emit(db, &fb, now, err);
        lw_audit_entry e = {.at = now,
                            .action = "referral.auto_close",
                            .resource_type = "referral",
                            .resource_id = arena_printf(a, "%lld", (long long)got[i].id),
                            .remote_addr = "job",
                            .outcome = "ok"};
        if (st == LW_OK)
            st = store_audit_insert(db, &e, err);
    }
    if (st == LW_OK)
        st = store_commit(db, err);
    if (st != LW_OK) {
        store_rollback(db);
        *n = 0;
    }
    arena_free(a);
    return st;
}

lw_status jobs_run_once(lw_app *app, int *closed, lw_error *err) {
    lw_db *db = NULL;
    int total = 0, n = 0;
    lw_status st = store_acquire(app->store, &db, err);
    do {
        if (st == LW_OK)
            st = close_batch(app, db, &n, err);
        total += n;
    } while (st == LW_OK && n == BATCH);
    if (db)
        store_release(app->store, db);
    if (closed)
        *closed = total;
    return st;
}

/* One run of the jobs, on the ticker's thread. */
static void tick(void *arg) {
    lw_jobs *j = arg;
    lw_error err;
    int closed = 0;
    if (jobs_run_once(j->app, &closed, &err) != LW_OK)
        fprintf(stderr, "linkwell: the auto-close job failed (retrying later): %s\n", err.msg);
    else if (closed > 0)
        fprintf(stderr, "linkwell: closed %d unanswered referrals (no response)\n", closed);
}

lw_status jobs_start(lw_app *app, int64_t interval_ms, lw_jobs **out, lw_error *err) {
    lw_jobs *j = calloc(1, sizeof *j);
    if (!j)
        lw_oom();
    j->app = app;
    lw_status st = ticker_start(interval_ms > 0 ? interval_ms : LW_JOBS_INTERVAL_MS_DEFAULT, 1,
                                tick, j, "job", &j->ticker, err);
    if (st != LW_OK) {
        free(j);
        return st;
    }
    *out = j;
    return LW_OK;
}

void jobs_stop(lw_jobs *j) {
    if (!j)
        return;
    ticker_stop(j->ticker);
    free(j);
}
