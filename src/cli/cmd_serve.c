/* linkwell serve: run the HTTP server until SIGTERM or SIGINT. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "api/directory.h"
#include "api/jobs.h"
#include "cli/cli.h"
#include "domain/referrals.h"
#include "http/server.h"

/* glibc gives memory back to the system whenever the top of the heap has 128 KiB
 * free, and a request frees about that much at its end (its arena, SQLite's page
 * cache after another connection's commit): each request paid for brk() calls
 * and for zeroing fresh pages again, a fifth of a caseload read's CPU. Keep up to
 * 64 MiB; allocations below 32 MiB come from the heap. */
static void tune_malloc(void) {
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

static int is_loopback(const char *listen) {
    return strncmp(listen, "127.", 4) == 0 || strncmp(listen, "localhost:", 10) == 0 ||
           strncmp(listen, "[::1]:", 6) == 0;
}

static int parse_count(const char *s, int max, int *out) {
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 1 || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

int cmd_serve(const cli_cmd *cmd, int argc, char **argv) {
    cli_opt opts[] = {{"db", "LINKWELL_DB", NULL, 0},
                      {"listen", "LINKWELL_LISTEN", "127.0.0.1:8080", 0},
                      {"threads", NULL, NULL, 0},
                      {"pool", NULL, NULL, 0},
                      {"password-cost", "LINKWELL_PASSWORD_COST", NULL, 0},
                      {"cookie-secure", NULL, "auto", 0},
                      {"no-access-log", NULL, NULL, 1},
                      {"trusted-proxy", "LINKWELL_TRUSTED_PROXY", NULL, 0},
                      {"overdue-days", "LINKWELL_OVERDUE_DAYS", NULL, 0},
                      {"auto-close-days", "LINKWELL_AUTO_CLOSE_DAYS", NULL, 0},
                      {"jobs-interval", "LINKWELL_JOBS_INTERVAL", "60", 0},
                      {"search-cache-mb", "LINKWELL_SEARCH_CACHE_MB", NULL, 0},
                      {0}};
    int rc = cli_parse(cmd, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc < 0 ? LW_EXIT_OK : rc;
    lw_http_options hopt = {.listen = opts[1].value, .access_log = stderr};
    int pool = 0;
    if (opts[2].value && parse_count(opts[2].value, 256, &hopt.threads) != 0)
        return cli_usage_error(cmd, "--threads must be a number from 1 to 256");
    if (opts[3].value && parse_count(opts[3].value, 1024, &pool) != 0)
        return cli_usage_error(cmd, "--pool must be a number from 1 to 1024");
    const char *cs = opts[5].value;
    int secure;
    if (strcmp(cs, "auto") == 0)
        secure = !is_loopback(hopt.listen);
    else if (strcmp(cs, "on") == 0)
        secure = 1;
    else if (strcmp(cs, "off") == 0)
        secure = 0;
    else
        return cli_usage_error(cmd, "--cookie-secure must be auto, on or off");
    if (opts[6].value)
        hopt.access_log = NULL;
    hopt.trusted_proxy = opts[7].value;
    /* Unanswered referrals (domain/referrals.h) and the job that closes them. */
    int overdue = 0, auto_close = 0, jobs_s = 0;
    if (opts[8].value && parse_count(opts[8].value, 365, &overdue) != 0)
        return cli_usage_error(cmd, "--overdue-days must be a number from 1 to 365");
    if (opts[9].value && parse_count(opts[9].value, 3650, &auto_close) != 0)
        return cli_usage_error(cmd, "--auto-close-days must be a number from 1 to 3650");
    lw_referral_limits lim = referral_limits(overdue, auto_close);
    lw_error lerr;
    if (referral_limits_check(&lim, &lerr) != LW_OK)
        return cli_usage_error(
            cmd, "--%s %s",
            strcmp(lerr.field, "overdue_days") == 0 ? "overdue-days" : "auto-close-days", lerr.msg);
    if (strcmp(opts[10].value, "0") != 0 && parse_count(opts[10].value, 86400, &jobs_s) != 0)
        return cli_usage_error(cmd, "--jobs-interval must be 0 (off) or seconds from 1 to 86400");
    /* Memory for repeated searches' answers, per directory version; 0 turns it off. */
    if (opts[11].value) {
        int mb = 0;
        if (strcmp(opts[11].value, "0") != 0 && parse_count(opts[11].value, 4096, &mb) != 0)
            return cli_usage_error(cmd, "--search-cache-mb must be 0 (off) or 1 to 4096");
        dirx_cache_budget((size_t)mb << 20);
    }
    lw_error err;
    lw_pwcost cost;
    if (cli_pwcost(opts[4].value, &cost, &err) != LW_OK)
        return cli_fail(&err);
    if (!opts[0].value)
        return cli_usage_error(cmd, "no database given: pass --db PATH or set LINKWELL_DB");

    /* Signals are taken by sigwait() below; block them before any thread starts. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    tune_malloc();

    if (!pool) {
        /* Without --threads each connection has its own thread (http/server.h), and
         * a request holds a database connection only while it queries: it gives it
         * back while its writes wait in a group commit (store/batch.c). Many more
         * connections than cores, because a request spends much of its life
         * waiting (for the disk, or for PostgreSQL); 16 per core measured best
         * for the referral journey on 2 cores (bench/README.md). */
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        n = n < 1 ? 1 : n > 4 ? 4 : n;
        pool = hopt.threads ? hopt.threads + 2 : (int)n * 16 + 2;
    }
    lw_store_options so = {.pool_size = pool};
    lw_store *s = NULL;
    lw_status st = store_open(opts[0].value, &so, &s, &err);
    if (st == LW_OK)
        st = store_schema_check(s, &err);
    if (st != LW_OK) {
        store_close(s);
        return cli_fail(&err);
    }
    lw_app app;
    lw_http *h = NULL;
    lw_jobs *jobs = NULL;
    st = app_init(&app, s, clock_system(), cost, secure, &err);
    app.overdue_days = lim.overdue_days;
    app.auto_close_days = lim.auto_close_days;
    if (st == LW_OK)
        st = api_reads_start(&app, 0, &err);
    if (st == LW_OK)
        st = http_start(&app, &hopt, &h, &err);
    if (st == LW_OK && jobs_s > 0)
        st = jobs_start(&app, (int64_t)jobs_s * 1000, &jobs, &err);
    if (st != LW_OK) {
        http_stop(h);
        api_reads_stop(&app);
        store_close(s);
        return cli_fail(&err);
    }
    api_reports_preload(&app); /* the reports' facts, in the background */
    fprintf(stderr, "linkwell: serving on port %d (listen %s), database %s\n", http_port(h),
            hopt.listen, opts[0].value);
    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "linkwell: %s received; finishing requests in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    jobs_stop(jobs);
    http_stop(h);
    api_reads_stop(&app); /* after the last request: every read's row is moved */
    api_directory_close(&app);
    api_reports_close(&app);
    store_close(s);
    fprintf(stderr, "linkwell: stopped\n");
    return LW_EXIT_OK;
}
