/* A periodic thread (see ticker.h). */
#include "util/ticker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "util/arena.h"

struct lw_ticker {
    int64_t interval_ms;
    int first_now;
    void (*fn)(void *);
    void *arg;
    int stopping;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* Waits one interval, or less if stopped. Returns 1 when stopped. Locked. */
static int wait_interval(lw_ticker *t) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)(t->interval_ms / 1000);
    until.tv_nsec += (long)(t->interval_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (!t->stopping && pthread_cond_timedwait(&t->cv, &t->mu, &until) != ETIMEDOUT)
        ;
    return t->stopping;
}

static void *run(void *arg) {
    lw_ticker *t = arg;
    pthread_mutex_lock(&t->mu);
    if (!t->first_now && wait_interval(t)) {
        pthread_mutex_unlock(&t->mu);
        return NULL;
    }
    for (;;) {
        pthread_mutex_unlock(&t->mu);
        t->fn(t->arg);
        pthread_mutex_lock(&t->mu);
        if (t->stopping || wait_interval(t))
            break;
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

lw_status ticker_start(int64_t interval_ms, int first_now, void (*fn)(void *), void *arg,
                       const char *what, lw_ticker **out, lw_error *err) {
    lw_ticker *t = calloc(1, sizeof *t);
    if (!t)
        lw_oom();
    t->interval_ms = interval_ms;
    t->first_now = first_now;
    t->fn = fn;
    t->arg = arg;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    if (pthread_create(&t->thread, NULL, run, t) != 0) {
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->cv);
        free(t);
        return lw_fail(err, LW_EINTERNAL, NULL, "cannot start the %s thread", what);
    }
    *out = t;
    return LW_OK;
}

void ticker_stop(lw_ticker *t) {
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->stopping = 1;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    free(t);
}
