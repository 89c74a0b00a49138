/*
 * Group commit: concurrent requests' small writes (an audit row for a read, a
 * referral with its person and audit rows) share one transaction and so one
 * durable commit (one fsync) instead of one each, and one writer instead of
 * many contending for SQLite's write lock.
 *
 * The first caller to find no batch of its store running becomes the leader:
 * it takes the store's waiting jobs (up to BATCH_MAX), runs each inside its own
 * SAVEPOINT on the store's batch connection (a job that fails is rolled back
 * alone) and commits once. Then it lets the oldest waiter lead the next batch
 * at once, and only after that waits for its own batch to reach the disk
 * (store_batch_sync: one sync covers every batch committed before it began),
 * so the write lock is not held during the sync, and the next batch's work
 * overlaps it; a store opened with commit_per_sync instead has the next leader
 * wait for that sync to end, its batch filling meanwhile (one commit per sync).
 * Last it wakes exactly the callers whose work that was. A caller returns only when
 * its work is durably committed or rolled back. Each store has its own queue
 * (two databases' batches run side by side), kept in the store.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
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
    int done; /* set, then the semaphore posted, by the batch's leader */
    int lead; /* set, then posted: this job's thread runs the next batch */
    sem_t wake;
    struct job *next;
} job;

/* Guards every store's queue (store_batch_queue): held for a few instructions. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
/* Signalled when a queue's batch has reached the disk (lw_batch_queue.syncing). */
static pthread_cond_t synced = PTHREAD_COND_INITIALIZER;

/* Takes up to BATCH_MAX of Q's jobs, oldest first. Locked. */
static job *take_batch(lw_batch_queue *q) {
    job *batch = q->head, *j = batch;
    for (int n = 1; j && n < BATCH_MAX; n++)
        j = j->next;
    q->head = j ? j->next : NULL;
    if (j)
        j->next = NULL;
    return batch;
}

static void fail_all(job *batch, const lw_error *err) {
    for (job *j = batch; j; j = j->next)
        if (j->st == LW_OK) {
            j->st = err->code;
            j->err = *err;
        }
}

/* Runs BATCH in one transaction on the store's batch connection, and commits
 * it without waiting for the disk (see sync_batch). Unlocked: only the leader
 * touches these jobs now. Returns the batch's number (store_batch_committed),
 * or 0 when nothing was committed. */
static uint64_t run_batch(job *batch) {
    lw_store *s = batch->store;
    lw_db *db = NULL;
    lw_error err;
    lw_error_clear(&err);
    lw_status st = store_batch_db(s, &db, &err);
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
        return 0;
    }
    store_batch_log(s, db);
    return store_batch_committed(s);
}

/* After the next batch has been let go: waits until BATCH's commit is on disk.
 * If it cannot be, the jobs fail (503): their rows may be gone after a crash. */
static void sync_batch(job *batch, uint64_t seq) {
    lw_error err;
    lw_error_clear(&err);
    if (store_batch_sync(batch->store, seq, &err) != LW_OK)
        fail_all(batch, &err);
}

/* Waits for a post. */
static void wait_post(job *j) {
    while (sem_wait(&j->wake) != 0 && errno == EINTR)
        ;
}

/* Lets J go: J's thread reads its flags only after this post, so J cannot
 * return (and its job, on its stack, vanish) before it is made. A semaphore
 * rather than a condition: the woken thread need not take the mutex again,
 * which all the threads of a batch did at once. */
static void post(job *j) {
    sem_post(&j->wake);
}

/* Runs a batch as its leader ME, the oldest job in Q, so the batch it takes
 * holds ME's own job; lets the next leader go once committed; answers the
 * batch once it is on disk. */
static void lead(lw_batch_queue *q, job *me) {
    pthread_mutex_lock(&mu);
    /* With commit_per_sync (lw_store_options): while the last batch is on its way
     * to the disk, this one fills. Its jobs could not be durable before that sync
     * ends anyway (one sync at a time), so waiting costs them only this batch's
     * own commit, and saves the commits of the small batches that would run
     * meanwhile — but it also leaves the processor idle while the disk works,
     * which made referral writes slower (bench/README.md). */
    while (q->syncing && store_batch_commit_per_sync(me->store))
        pthread_cond_wait(&synced, &mu);
    job *batch = take_batch(q);
    pthread_mutex_unlock(&mu);
    uint64_t committed = run_batch(batch);
    /* The write lock is free again: the oldest waiter leads the next batch while
     * this one waits for the disk. It is waiting for that post, so it is there
     * to receive it. */
    pthread_mutex_lock(&mu);
    job *next_leader = q->head;
    if (next_leader)
        next_leader->lead = 1;
    else
        q->leading = 0;
    if (committed)
        q->syncing = 1;
    pthread_mutex_unlock(&mu);
    if (next_leader)
        post(next_leader);
    if (committed) {
        sync_batch(batch, committed);
        pthread_mutex_lock(&mu);
        q->syncing = 0;
        pthread_cond_broadcast(&synced);
        pthread_mutex_unlock(&mu);
    }
    /* Each waiter is woken once, when its own work is done: waking them all
     * (one condition for everyone) cost more CPU than the commits with many
     * threads waiting. */
    for (job *j = batch; j;) {
        job *next = j->next;
        j->done = 1;
        if (j != me)
            post(j);
        j = next;
    }
}

lw_status store_batched(lw_store *s, lw_batch_fn fn, void *ctx, lw_error *err) {
    job me = {.store = s, .fn = fn, .ctx = ctx};
    sem_init(&me.wake, 0, 0);
    lw_batch_queue *q = store_batch_queue(s);
    pthread_mutex_lock(&mu);
    job **tail = (job **)&q->head;
    while (*tail)
        tail = &(*tail)->next;
    *tail = &me;
    int leads = !q->leading; /* nobody leads: the queue was empty */
    q->leading = 1;
    pthread_mutex_unlock(&mu);
    /* Until another leader has done this job, or has made this thread lead. The
     * flags are read only after a post: read before, DONE could be seen set and
     * the job (on this stack) gone while its leader is still to post it. */
    while (!leads) {
        wait_post(&me);
        if (me.done)
            break;
        leads = me.lead;
    }
    if (leads)
        lead(q, &me);
    sem_destroy(&me.wake);
    if (me.st != LW_OK && err)
        *err = me.err;
    return me.st;
}
