/*
 * Moving reads' audit rows into audit_log (SQLite; store/audit_reads.c): a
 * thread moves them every interval, in one transaction per few thousand rows,
 * so the main file changes a few times a second for all the reads together
 * instead of once per group commit of reads. Every read is still durably
 * audited before it is answered (in the file beside the database); audit_log
 * shows it within the interval.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "api/api.h"

#define INTERVAL_MS_DEFAULT 200

struct api_reads {
    lw_app *app;
    int interval_ms;
    int stopping;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

lw_status api_reads_flush(lw_app *app, lw_error *err) {
    return store_reads_move(app->store, app->reads, NULL, err);
}

static void *run(void *arg) {
    struct api_reads *m = arg;
    pthread_mutex_lock(&m->mu);
    while (!m->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)m->interval_ms * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        while (!m->stopping && pthread_cond_timedwait(&m->cv, &m->mu, &until) != ETIMEDOUT)
            ;
        if (m->stopping)
            break;
        pthread_mutex_unlock(&m->mu);
        lw_error err;
        if (api_reads_flush(m->app, &err) != LW_OK)
            fprintf(stderr, "linkwell: moving reads' audit rows failed (retrying): %s\n", err.msg);
        pthread_mutex_lock(&m->mu);
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

lw_status api_reads_start(lw_app *app, int interval_ms, lw_error *err) {
    lw_status st = store_reads_open(app->store, 1, &app->reads, err);
    if (st != LW_OK || !app->reads)
        return st;
    st = api_reads_flush(app, err); /* what a previous run left */
    if (st != LW_OK) {
        store_close(app->reads);
        app->reads = NULL;
        return st;
    }
    struct api_reads *m = calloc(1, sizeof *m);
    if (!m)
        lw_oom();
    m->app = app;
    m->interval_ms = interval_ms > 0 ? interval_ms : INTERVAL_MS_DEFAULT;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    if (pthread_create(&m->thread, NULL, run, m) != 0) {
        pthread_mutex_destroy(&m->mu);
        pthread_cond_destroy(&m->cv);
        free(m);
        store_close(app->reads);
        app->reads = NULL;
        return lw_fail(err, LW_EINTERNAL, NULL, "cannot start the audit mover thread");
    }
    app->reads_mover = m;
    return LW_OK;
}

void api_reads_stop(lw_app *app) {
    struct api_reads *m = app->reads_mover;
    if (m) {
        pthread_mutex_lock(&m->mu);
        m->stopping = 1;
        pthread_cond_signal(&m->cv);
        pthread_mutex_unlock(&m->mu);
        pthread_join(m->thread, NULL);
        pthread_mutex_destroy(&m->mu);
        pthread_cond_destroy(&m->cv);
        free(m);
        app->reads_mover = NULL;
    }
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
