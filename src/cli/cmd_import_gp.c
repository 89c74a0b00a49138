/*
 * linkwell import gp-consultations: GP consultation counts from a CSV file
 * (io/gp_import.h), all rows or none, with one audit row per row written.
 * The report goes to standard output; when a row is wrong, each wrong line
 * and field goes to standard error and the exit status is 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/accounts.h"
#include "io/gp_import.h"

static lw_status audit(lw_db *db, const char *action, int64_t id, lw_error *err) {
    lw_audit_entry e = {.at = cli_now(),
                        .action = action,
                        .resource_type = "gp_consultation",
                        .remote_addr = "cli",
                        .outcome = "ok"};
    char idtext[24];
    if (id) {
        snprintf(idtext, sizeof idtext, "%lld", (long long)id);
        e.resource_id = idtext;
    }
    return store_audit_insert(db, &e, err);
}

static lw_status audit_row(lw_db *db, void *ctx, int64_t id, int updated, lw_error *err) {
    (void)ctx;
    return audit(db, updated ? "gp_consultation.update" : "gp_consultation.create", id, err);
}

static lw_status audit_import(lw_db *db, void *ctx, lw_error *err) {
    (void)ctx;
    return audit(db, "gp_consultation.import", 0, err);
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *b = malloc(cap);
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
    *len = n;
    return b;
}

int cmd_import_gp(const cli_cmd *cmd, int argc, char **argv) {
    cli_opt opts[] = {{"db", "LINKWELL_DB", NULL, 0}, {0}};
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int nfiles = 0;
    int rc = cli_parse(cmd, argc, argv, opts, &files, &nfiles);
    if (rc) {
        free(files);
        return rc < 0 ? LW_EXIT_OK : rc;
    }
    if (nfiles != 1) {
        free(files);
        return cli_usage_error(cmd, "name one CSV file");
    }
    size_t len = 0;
    char *text = read_file(files[0], &len);
    if (!text) {
        fprintf(stderr, "linkwell: cannot read %s\n", files[0]);
        free(files);
        return LW_EXIT_USAGE;
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
    gp_import_options o = {.now = cli_now(), .audit_row = audit_row, .before_commit = audit_import};
    if (st == LW_OK)
        st = gp_import(db, text, len, &o, &report, &err);
    if (db)
        store_release(s, db);
    store_close(s);
    free(text);
    if (report) {
        char *out = gp_report_text(report);
        fputs(out, st == LW_OK ? stdout : stderr);
        free(out);
        json_decref(report);
    }
    free(files);
    if (st != LW_OK)
        return cli_fail(&err);
    return LW_EXIT_OK;
}
