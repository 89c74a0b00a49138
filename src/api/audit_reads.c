/*
 * Moving reads' audit rows into audit_log (SQLite; store/audit_reads.c): a
 * thread moves them every interval, in one transaction per few thousand rows,
 * so the main file changes a few times a second for all the reads together
 * instead of once per group commit of reads. Every read is still durably
 * audited before it is answered (in the file beside the database); audit_log
 * shows it within the interval.
 */
#include <stdio.h>

#include "api/api.h"
#include "util/ticker.h"

#define INTERVAL_MS_DEFAULT 200

lw_status api_reads_flush(lw_app *app, lw_error *err) {
    return store_reads_move(app->store, app->reads, NULL, err);
}

/* One move, on the ticker's thread. */
static void tick(void *arg) {
    lw_app *app = arg;
    lw_error err;
    if (api_reads_flush(app, &err) != LW_OK)
        fprintf(stderr, "linkwell: moving reads' audit rows failed (retrying): %s\n", err.msg);
}

lw_status api_reads_start(lw_app *app, int interval_ms, lw_error *err) {
    lw_status st = store_reads_open(app->store, 1, &app->reads, err);
    if (st != LW_OK || !app->reads)
        return st;
    st = api_reads_flush(app, err); /* what a previous run left */
    if (st == LW_OK)
        st = ticker_start(interval_ms > 0 ? interval_ms : INTERVAL_MS_DEFAULT, 0, tick, app,
                          "audit mover", &app->reads_mover, err);
    if (st != LW_OK) {
        store_close(app->reads);
        app->reads = NULL;
    }
    return st;
}

void api_reads_stop(lw_app *app) {
    ticker_stop(app->reads_mover);
    app->reads_mover = NULL;
    if (app->reads) {
        lw_error err;
        if (api_reads_flush(app, &err) != LW_OK)
            fprintf(stderr,
                    "linkwell: moving reads' audit rows failed; they stay in the file beside "
                    "the database and are moved at the next start: %s\n",
                    err.msg);
        store_close(app->reads);
        app->reads = NULL;
    }
}
