/*
 * CPU per request of the referral journey's two benchmarked operations, in
 * process, on one thread, through api_dispatch() (authentication, the handler,
 * its audit rows, the JSON answer serialised as http/ does) without HTTP:
 *
 *   caseload  GET /api/v1/cases?assignee=me&per_page=50 as one of the 200 link
 *             workers (session cookie), with its case.list audit row
 *   referral  POST /api/v1/referrals as the GP (session cookie + CSRF), a new
 *             person each time: matching, person, referral, 2 audit rows
 *
 * Each is timed with the process CPU clock (user + system, fsync included),
 * so the figures do not depend on what else the machine runs as much as
 * throughput does. With THREADS > 1 the requests run concurrently, as a
 * server's worker threads do, so durable writes share commits (store/batch.c);
 * with 1 every write pays its own commit and fsync. Run it on a throw-away copy
 * of a gen_referrals.sh database.
 *
 * Build: cc -O2 -g -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Isrc \
 *   bench/referrals/inproc.c build/release/liblwcore.a \
 *   $(pkg-config --libs libmicrohttpd jansson sqlite3 libsodium libpq) -lpthread -lm \
 *   -o referrals_inproc
 * Usage: referrals_inproc DB [N [caseload|referral|both [THREADS]]]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "api/api.h"

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const api_route *route(const char *method, const char *pattern) {
    for (const api_route *r = api_routes; r->method; r++)
        if (strcmp(r->method, method) == 0 && strcmp(r->pattern, pattern) == 0)
            return r;
    fprintf(stderr, "no route %s %s\n", method, pattern);
    exit(1);
}

typedef struct session {
    char sid[LW_TOKEN_LEN], csrf[LW_TOKEN_LEN];
} session;

static void sign_in(lw_store *s, const char *email, int64_t now, session *out) {
    lw_error err;
    lw_db *db = NULL;
    lw_arena *a = arena_new();
    lw_user u;
    char sd[LW_DIGEST_LEN], cd[LW_DIGEST_LEN];
    crypto_random_token(out->sid);
    crypto_random_token(out->csrf);
    crypto_token_digest(out->sid, sd);
    crypto_token_digest(out->csrf, cd);
    if (store_acquire(s, &db, &err) != LW_OK || store_user_by_email(db, a, email, &u, &err) ||
        store_session_insert(db, sd, cd, u.id, now, &err) != LW_OK) {
        fprintf(stderr, "%s: %s\n", email, err.msg);
        exit(1);
    }
    store_release(s, db);
    arena_free(a);
}

/* One request through api_dispatch; returns its status. */
static int call(lw_app *app, const api_route *rt, const char *path, api_kv *q, int nq,
                const session *se, const char *body) {
    api_request req = {0};
    api_response res = {0};
    req.arena = arena_new();
    req.app = app;
    req.route = rt;
    req.method = rt->method;
    req.path = path;
    req.query = q;
    req.nquery = nq;
    req.session_cookie = se->sid;
    req.csrf_token = se->csrf;
    req.remote_addr = "127.0.0.1";
    if (body) {
        req.body = body;
        req.body_len = strlen(body);
        req.content_type = "application/json";
    }
    api_dispatch(&req, &res);
    if (res.json) { /* as http/server.c sends it */
        char *d = json_dumps(res.json, JSON_COMPACT);
        free(d);
        json_decref(res.json);
    }
    arena_free(req.arena);
    return res.status;
}

enum { WORKERS = 200, MAX_THREADS = 64 };

typedef struct bench {
    lw_app app;
    session lw[WORKERS], gp;
    char orgs[10][24];
    const api_route *cases, *refs;
    int n, threads;
} bench;

typedef struct worker {
    bench *b;
    int k;
    int failed;
} worker;

static void *caseload_worker(void *arg) {
    worker *w = arg;
    bench *b = w->b;
    api_kv q[] = {{"assignee", "me"}, {"per_page", "50"}};
    for (int i = w->k; i < b->n; i += b->threads)
        if (call(&b->app, b->cases, "/api/v1/cases", q, 2, &b->lw[(i * 7) % WORKERS], NULL) != 200)
            w->failed = 1;
    return NULL;
}

static void *referral_worker(void *arg) {
    worker *w = arg;
    bench *b = w->b;
    unsigned seed = 42u + (unsigned)w->k;
    for (int i = w->k; i < b->n; i += b->threads) {
        char body[600];
        snprintf(body, sizeof body,
                 "{\"person\": {\"given_name\": \"Inproc%d\", \"family_name\": \"Person%d-%d\", "
                 "\"date_of_birth\": \"19%02d-%02d-%02d\", \"postcode\": \"S60 1AE\"}, "
                 "\"reasons\": [\"isolation\", \"mood\"], \"details\": \"Lives alone since last "
                 "year.\", \"urgency\": \"routine\", \"consent\": {\"share\": true}, "
                 "\"to_organisation_id\": %s}",
                 rand_r(&seed) % 100000, rand_r(&seed), i, 30 + rand_r(&seed) % 60,
                 1 + rand_r(&seed) % 12, 1 + rand_r(&seed) % 28, b->orgs[i % 10]);
        if (call(&b->app, b->refs, "/api/v1/referrals", NULL, 0, &b->gp, body) != 201)
            w->failed = 1;
    }
    return NULL;
}

/* Runs FN on B->threads threads; prints the CPU per request. */
static int run(bench *b, const char *name, void *(*fn)(void *)) {
    pthread_t t[MAX_THREADS];
    worker w[MAX_THREADS];
    double t0 = cpu_now();
    for (int k = 0; k < b->threads; k++) {
        w[k] = (worker){b, k, 0};
        pthread_create(&t[k], NULL, fn, &w[k]);
    }
    int failed = 0;
    for (int k = 0; k < b->threads; k++) {
        pthread_join(t[k], NULL);
        failed |= w[k].failed;
    }
    double t1 = cpu_now();
    if (failed) {
        fprintf(stderr, "%s: a request failed\n", name);
        return 1;
    }
    printf("INPROC op=%s n=%d threads=%d cpu_us_per_req=%.0f\n", name, b->n, b->threads,
           (t1 - t0) * 1e6 / b->n);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: referrals_inproc DB [N [caseload|referral|both [THREADS]]]\n");
        return 2;
    }
    static bench b;
    b.n = argc > 2 ? atoi(argv[2]) : 2000;
    const char *only = argc > 3 && strcmp(argv[3], "both") != 0 ? argv[3] : NULL;
    b.threads = argc > 4 ? atoi(argv[4]) : 1;
    if (b.threads < 1 || b.threads > MAX_THREADS) {
        fprintf(stderr, "THREADS: 1 to %d\n", MAX_THREADS);
        return 2;
    }
#ifdef __GLIBC__
    /* As linkwell serve does (cli/cmd_serve.c); INPROC_NO_MALLOPT=1 to measure
     * a linkwell from before that. */
    if (!getenv("INPROC_NO_MALLOPT")) {
        mallopt(M_TRIM_THRESHOLD, 64 << 20);
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
    }
#endif
    lw_error err;
    lw_store *s = NULL;
    lw_store_options opt = {.pool_size = b.threads + 2};
    if (store_open(argv[1], &opt, &s, &err) != LW_OK ||
        app_init(&b.app, s, clock_system(), LW_PWCOST_MIN, 0, &err) != LW_OK ||
        api_reads_start(&b.app, 0, &err) != LW_OK) { /* as serve does */
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    int64_t now = clock_now(&b.app.clock);
    for (int i = 0; i < WORKERS; i++) {
        char email[64];
        snprintf(email, sizeof email, "lw%d@bench.example", i + 1);
        sign_in(s, email, now, &b.lw[i]);
    }
    sign_in(s, "gp@bench.example", now, &b.gp);
    b.cases = route("GET", "/api/v1/cases");
    b.refs = route("POST", "/api/v1/referrals");
    {
        lw_db *db = NULL;
        lw_arena *a = arena_new();
        lw_org *list = NULL;
        int no = 0;
        int64_t total = 0;
        lw_page pg = {1, 100};
        if (store_acquire(s, &db, &err) != LW_OK ||
            store_org_list(db, a, pg, &list, &no, &total, &err) != LW_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        int k = 0;
        for (int i = 0; i < no && k < 10; i++)
            if (strcmp(list[i].kind, "link_worker_service") == 0)
                snprintf(b.orgs[k++], sizeof b.orgs[0], "%lld", (long long)list[i].id);
        store_release(s, db);
        arena_free(a);
    }
    int rc = 0;
    if (!only || strcmp(only, "caseload") == 0)
        rc |= run(&b, "caseload", caseload_worker);
    if (!only || strcmp(only, "referral") == 0)
        rc |= run(&b, "referral", referral_worker);
    api_reads_stop(&b.app);
    store_close(s);
    return rc;
}
