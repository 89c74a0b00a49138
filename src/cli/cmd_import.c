/*
 * linkwell import oruk: imports Open Referral UK / HSDS directories (JSON files,
 * or CSV datapackage folders) in one transaction. The report (what was
 * imported, updated, unchanged and rejected, with each rejection's path and
 * reason) goes to standard output, progress to standard error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/directory.h"
#include "io/oruk.h"
#include "store/directory.h"
#include "util/timeutil.h"

static void progress(int64_t done, int64_t total, void *ctx) {
    const double *start = ctx;
    (void)total;
    fprintf(stderr, "linkwell: %lld services read and written so far (%.1f s)\n", (long long)done,
            (clock_monotonic_ms() - *start) / 1000.0);
}

/* A CSV of "pattern,domain" lines (an optional header "pattern,domain"). */
static lw_status load_domain_map(lw_db *db, const char *path, int *count, lw_error *err) {
    FILE *f = fopen(path, "r");
    if (!f)
        return lw_fail(err, LW_EINVAL, "domain-map", "cannot read %s", path);
    char line[512];
    int n = 0, lineno = 0;
    lw_status st = store_begin(db, err);
    while (st == LW_OK && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#' || strcmp(line, "pattern,domain") == 0)
            continue;
        char *comma = strrchr(line, ',');
        if (!comma || comma == line) {
            st = lw_fail(err, LW_EINVAL, "domain-map", "%s line %d: expected 'pattern,domain'",
                         path, lineno);
            break;
        }
        *comma = '\0';
        for (char *p = line; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        if (dir_domain_parse(comma + 1) < 0) {
            st = lw_fail(err, LW_EINVAL, "domain-map", "%s line %d: '%s' is not a need domain",
                         path, lineno, comma + 1);
            break;
        }
        st = store_dir_domain_rule_put(db, line, comma + 1, err);
        n++;
    }
    fclose(f);
    if (st == LW_OK)
        st = store_commit(db, err);
    if (st != LW_OK)
        store_rollback(db);
    *count = n;
    return st;
}

int cmd_import_oruk(const cli_cmd *cmd, int argc, char **argv) {
    cli_opt opts[] = {{"db", "LINKWELL_DB", NULL, 0}, {"domain-map", NULL, NULL, 0}, {0}};
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int nfiles = 0;
    int rc = cli_parse(cmd, argc, argv, opts, &files, &nfiles);
    if (rc) {
        free(files);
        return rc < 0 ? LW_EXIT_OK : rc;
    }
    if (nfiles == 0 && !opts[1].value) {
        free(files);
        return cli_usage_error(cmd, "name at least one FILE (a JSON file or a CSV datapackage "
                                    "folder)");
    }
    lw_error err;
    lw_store *s = NULL;
    lw_db *db = NULL;
    json_t *report = NULL;
    lw_status st = cli_open_store(opts[0].value, 0, &s, &err);
    if (st == LW_OK)
        st = store_schema_check(s, &err);
    if (st == LW_OK)
        st = store_acquire(s, &db, &err);
    if (st == LW_OK && opts[1].value) {
        int n = 0;
        st = load_domain_map(db, opts[1].value, &n, &err);
        if (st == LW_OK)
            fprintf(stderr, "linkwell: %d need-domain rules loaded from %s\n", n, opts[1].value);
    }
    if (st == LW_OK && nfiles > 0) {
        oruk_source *src = calloc((size_t)nfiles, sizeof *src);
        for (int i = 0; i < nfiles; i++) {
            src[i].name = files[i];
            src[i].path = files[i];
            fprintf(stderr, "linkwell: reading %s\n", files[i]);
        }
        double start = clock_monotonic_ms();
        oruk_options o = {.now = cli_now(), .progress = progress, .ctx = &start};
        st = oruk_import(db, src, nfiles, &o, &report, &err);
        if (st == LW_OK)
            fprintf(stderr, "linkwell: import committed in %.1f s\n",
                    (clock_monotonic_ms() - start) / 1000.0);
        free(src);
    }
    if (db)
        store_release(s, db);
    store_close(s);
    free(files);
    if (st != LW_OK)
        return cli_fail(&err);
    if (report) {
        char *text = oruk_report_text(report);
        fputs(text, stdout);
        free(text);
        json_decref(report);
    }
    return LW_EXIT_OK;
}
