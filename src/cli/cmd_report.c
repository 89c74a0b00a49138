/*
 * linkwell report NAME: one report (or "all" of them) to standard output, as
 * JSON, CSV or SVG, from the same engine and formats as GET
 * /api/v1/reports/{name}. Whoever can read the database file sees everything,
 * so the CLI is unsuppressed unless --suppress asks for a commissioner's view
 * (for a file to send one). --time prints the load and per-report times
 * (in-process CPU) to standard error, for the benchmark.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/reports.h"
#include "cli/cli.h"
#include "io/report_format.h"
#include "util/timeutil.h"

/* This thread's CPU time in ms: what a report costs, whatever else the machine runs. */
static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int run_one(rp_data *d, const char *name, const rp_filter *f, const rp_names *orgs,
                   const rp_names *users, report_format fmt, int repeat, int timing,
                   lw_error *err) {
    double wall = 0, *cpu = calloc((size_t)repeat, sizeof *cpu);
    char *body = NULL;
    if (!cpu)
        lw_oom();
    lw_arena *keep = arena_new();
    for (int i = 0; i < repeat; i++) {
        lw_arena *a = arena_new();
        double t0 = clock_monotonic_ms(), c0 = cpu_ms();
        rp_result r;
        lw_status st = rp_run(d, name, f, orgs, users, a, &r, err);
        if (st == LW_OK) {
            json_t *filters = json_object();
            st = report_render(a, &r, fmt, filters, f->suppress, &body, err);
        }
        cpu[i] = cpu_ms() - c0;
        wall += clock_monotonic_ms() - t0;
        if (st == LW_OK && i == repeat - 1)
            body = arena_strdup(keep, body);
        arena_free(a);
        if (st != LW_OK) {
            arena_free(keep);
            free(cpu);
            return 0;
        }
    }
    qsort(cpu, (size_t)repeat, sizeof *cpu, cmp_double);
    if (timing)
        fprintf(
            stderr,
            "linkwell: report %-22s runs %d  CPU p50 %.2f ms  max %.2f ms  (wall mean %.2f ms)\n",
            name, repeat, cpu[(repeat - 1) / 2], cpu[repeat - 1], wall / repeat);
    else
        fputs(body, stdout);
    if (!timing && fmt == REPORT_JSON)
        fputc('\n', stdout);
    arena_free(keep);
    free(cpu);
    return 1;
}

int cmd_report(const cli_cmd *cmd, int argc, char **argv) {
    cli_opt opts[] = {{"db", "LINKWELL_DB", NULL, 0},
                      {"format", NULL, "json", 0},
                      {"from", NULL, NULL, 0},
                      {"to", NULL, NULL, 0},
                      {"organisation", NULL, NULL, 0},
                      {"source", NULL, NULL, 0},
                      {"pathway", NULL, NULL, 0},
                      {"suppress", NULL, NULL, 1},
                      {"time", NULL, NULL, 1},
                      {"repeat", NULL, "1", 0},
                      {0}};
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int nrest = 0;
    int rc = cli_parse(cmd, argc, argv, opts, &rest, &nrest);
    if (rc) {
        free(rest);
        return rc < 0 ? LW_EXIT_OK : rc;
    }
    const char *name = nrest == 1 ? rest[0] : NULL;
    free(rest);
    if (!name)
        return cli_usage_error(cmd,
                               "name one report (or all); 'linkwell report --help' lists them");
    if (strcmp(name, "all") != 0 && !rp_report(name))
        return cli_usage_error(cmd, "no report called %s; 'linkwell report --help' lists them",
                               name);
    int fmt = report_format_parse(opts[1].value);
    if (fmt < 0)
        return cli_usage_error(cmd, "--format must be json, csv or svg");
    int timing = opts[8].value != NULL;
    int repeat = atoi(opts[9].value);
    if (repeat < 1 || repeat > 10000)
        return cli_usage_error(cmd, "--repeat must be 1 to 10000");
    if (!timing)
        repeat = 1;
    lw_error err;
    lw_store *s = NULL;
    lw_db *db = NULL;
    rp_data *d = rp_new();
    lw_arena *a = arena_new();
    rp_names orgs = {0}, users = {0};
    rp_filter f;
    reports_pos pos;
    lw_status st = cli_open_store(opts[0].value, 0, &s, &err);
    if (st == LW_OK)
        st = store_schema_check(s, &err);
    if (st == LW_OK)
        st = store_acquire(s, &db, &err);
    double t0 = clock_monotonic_ms(), c0 = cpu_ms();
    if (st == LW_OK)
        st = reports_load(db, d, &pos, &err);
    if (st == LW_OK && timing) {
        int64_t nr, nc, nx, np;
        rp_counts(d, &nr, &nc, &nx, &np);
        fprintf(stderr,
                "linkwell: loaded %lld referrals, %lld cases, %lld prescriptions, %lld measure "
                "pairs (%.0f MB) in %.0f ms, CPU %.0f ms\n",
                (long long)nr, (long long)nc, (long long)nx, (long long)np,
                (double)rp_bytes(d) / 1e6, clock_monotonic_ms() - t0, cpu_ms() - c0);
    }
    if (st == LW_OK)
        st = reports_names(db, a, &orgs, &users, &err);
    reports_query q = {.from = opts[2].value,
                       .to = opts[3].value,
                       .organisation_id = opts[4].value,
                       .source = opts[5].value,
                       .pathway = opts[6].value};
    if (st == LW_OK)
        st = reports_filter(d, &q, cli_now(), &f, &err);
    if (db)
        store_release(s, db);
    f.suppress = opts[7].value != NULL;
    for (size_t i = 0; st == LW_OK && i < RP_REPORTS; i++) {
        const rp_info *info = rp_report_at(i);
        if (strcmp(name, "all") != 0 && strcmp(name, info->name) != 0)
            continue;
        if (!run_one(d, info->name, &f, &orgs, &users, (report_format)fmt, repeat, timing, &err))
            st = err.code;
    }
    rp_free(d);
    arena_free(a);
    store_close(s);
    if (st != LW_OK)
        return cli_fail(&err);
    return LW_EXIT_OK;
}
