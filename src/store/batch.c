/*
 * Group commit: concurrent requests' small writes (an audit row for a read, a
 * referral with its person and audit rows) share one transaction and so one
 * durable commit (one fsync) instead of one each, and one writer instead of
 * many contending for SQLite's write lock.
 *
 * The first caller to find no batch running becomes the leader: it takes the
 * waiting jobs of its store (up to BATCH_MAX), runs each inside its own
 * SAVEPOINT on one pooled connection (a job that fails is rolled back alone),
 * commits once, and wakes exactly the callers whose work that was; callers
 * arriving meanwhile form the next batch, led by the oldest of them. A caller returns only when its
 * work is durably committed or rolled back. State is process-wide (static), so there is nothing to
 * create or free.
 */
#include <pthread.h>
#include <string.h>

#include "store/db.h"
#include "store/store.h"

#define BATCH_MAX 64

typedef struct job {
    lw_store *store;
    lw_batch_fn fn;
    void *ctx;
    lw_status st;
    lw_error err;
    int done;
    int lead; /* this job's thread runs the next batch */
    pthread_cond_t cv;
    struct job *next;
} job;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static job *queue;  /* waiting jobs, oldest first */
static int leading; /* a batch is running, or its leader has been chosen */

/* Takes up to BATCH_MAX queued jobs of the first job's store, in order. Locked. */
static job *take_batch(void) {
    job *batch = NULL, **tail = &batch, **p = &queue;
    lw_store *s = queue ? queue->store : NULL;
    int n = 0;
    while (*p && n < BATCH_MAX) {
        if ((*p)->store != s) {
            p = &(*p)->next;
            continue;
        }
        job *j = *p;
        *p = j->next;
        j->next = NULL;
        *tail = j;
        tail = &j->next;
        n++;
    }
    return batch;
}

static void fail_all(job *batch, const lw_error *err) {
    for (job *j = batch; j; j = j->next)
        if (j->st == LW_OK) {
            j->st = err->code;
            j->err = *err;
        }
}

/* Runs BATCH in one transaction. Unlocked: only the leader touches these jobs now. */
static void run_batch(job *batch) {
    lw_store *s = batch->store;
    lw_db *db = NULL;
    lw_error err;
    lw_error_clear(&err);
    lw_status st = store_acquire(s, &db, &err);
    if (st == LW_OK)
        st = store_begin(db, &err);
    for (job *j = batch; j && st == LW_OK; j = j->next) {
        st = db_exec(db, "SAVEPOINT lw_job", NULL, 0, NULL, &err);
        if (st != LW_OK)
            break;
        lw_error_clear(&j->err);
        j->st = j->fn(db, j->ctx, &j->err);
        if (j->st != LW_OK)
            st = db_exec(db, "ROLLBACK TO SAVEPOINT lw_job", NULL, 0, NULL, &err);
        if (st == LW_OK)
            st = db_exec(db, "RELEASE SAVEPOINT lw_job", NULL, 0, NULL, &err);
    }
    if (st == LW_OK)
        st = store_commit(db, &err);
    if (st != LW_OK) {
        if (db)
            store_rollback(db);
        /* Nothing of this batch was kept: every job that had not failed by itself
         * fails with the reason. */
        fail_all(batch, &err);
    }
    if (db)
        store_release(s, db);
}

lw_status store_batched(lw_store *s, lw_batch_fn fn, void *ctx, lw_error *err) {
    job me = {.store = s, .fn = fn, .ctx = ctx};
    pthread_cond_init(&me.cv, NULL);
    pthread_mutex_lock(&mu);
    job **tail = &queue;
    while (*tail)
        tail = &(*tail)->next;
    *tail = &me;
    if (!leading) {
        leading = 1;
        me.lead = 1;
    }
    while (!me.done) {
        if (!me.lead) {
            pthread_cond_wait(&me.cv, &mu);
            continue;
        }
        me.lead = 0;
        job *batch = take_batch();
        pthread_mutex_unlock(&mu);
        run_batch(batch);
        pthread_mutex_lock(&mu);
        /* Each waiter is woken once, when its own work is done: waking them all
         * (one condition for everyone) cost more CPU than the commits with many
         * threads waiting. Under the lock, so none can return and free its job
         * before it is signalled. */
        for (job *j = batch; j;) {
            job *next = j->next;
            j->done = 1;
            if (j != &me)
                pthread_cond_signal(&j->cv);
            j = next;
        }
        /* Lead on while our own work waits; else hand over to the oldest waiter. */
        if (!me.done)
            me.lead = 1;
        else if (queue) {
            queue->lead = 1;
            pthread_cond_signal(&queue->cv);
        } else
            leading = 0;
    }
    pthread_mutex_unlock(&mu);
    pthread_cond_destroy(&me.cv);
    if (me.st != LW_OK && err)
        *err = me.err;
    return me.st;
}
