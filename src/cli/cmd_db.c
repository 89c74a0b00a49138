/* linkwell init: create or migrate a database. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

int cmd_init(const cli_cmd *cmd, int argc, char **argv) {
    cli_opt opts[] = {{"db", "LINKWELL_DB", NULL, 0}, {0}};
    int rc = cli_parse(cmd, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc < 0 ? LW_EXIT_OK : rc;
    lw_error err;
    lw_store *s = NULL;
    if (cli_open_store(opts[0].value, 1, &s, &err) != LW_OK)
        return cli_fail(&err);
    int from = 0, to = 0;
    lw_status st = store_migrate(s, cli_now(), &from, &to, &err);
    store_close(s);
    if (st != LW_OK)
        return cli_fail(&err);
    if (from == to)
        printf("linkwell: %s is up to date (schema version %d)\n", opts[0].value, to);
    else if (from == 0)
        printf("linkwell: created %s (schema version %d)\n", opts[0].value, to);
    else
        printf("linkwell: migrated %s from schema version %d to %d\n", opts[0].value, from, to);
    return LW_EXIT_OK;
}

/* Reads' audit rows a server left beside a SQLite database go into its
 * audit_log first, so the copy has them all. */
static lw_status move_reads(lw_store *s, lw_error *err) {
    lw_store *reads = NULL;
    lw_status st = store_reads_open(s, 0, &reads, err);
    if (st == LW_OK)
        st = store_reads_move(s, reads, NULL, err);
    store_close(reads);
    return st;
}

int cmd_backup(const cli_cmd *cmd, int argc, char **argv) {
    cli_opt opts[] = {{"db", "LINKWELL_DB", NULL, 0}, {"to", NULL, NULL, 0}, {0}};
    int rc = cli_parse(cmd, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc < 0 ? LW_EXIT_OK : rc;
    if (!opts[1].value)
        return cli_usage_error(cmd, "--to FILE is required");
    if (access(opts[1].value, F_OK) == 0)
        return cli_usage_error(cmd, "%s already exists; back up into a new file", opts[1].value);
    lw_error err;
    lw_store *s = NULL;
    lw_status st = cli_open_store(opts[0].value, 0, &s, &err);
    if (st == LW_OK)
        st = move_reads(s, &err);
    if (st == LW_OK)
        st = store_backup(s, opts[1].value, &err);
    store_close(s);
    if (st != LW_OK)
        return cli_fail(&err);
    printf("linkwell: backed up %s to %s\n", opts[0].value, opts[1].value);
    return LW_EXIT_OK;
}

static void print_progress(const char *table, int64_t rows, void *ctx) {
    (void)ctx;
    fprintf(stderr, "linkwell: copied %-16s %lld rows\n", table, (long long)rows);
}

int cmd_migrate_to_postgres(const cli_cmd *cmd, int argc, char **argv) {
    cli_opt opts[] = {{"from", "LINKWELL_DB", NULL, 0}, {"to", NULL, NULL, 0}, {0}};
    int rc = cli_parse(cmd, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc < 0 ? LW_EXIT_OK : rc;
    if (!opts[0].value)
        return cli_usage_error(cmd, "--from PATH (the SQLite database) is required");
    if (!opts[1].value || (strncmp(opts[1].value, "postgres://", 11) != 0 &&
                           strncmp(opts[1].value, "postgresql://", 13) != 0))
        return cli_usage_error(cmd, "--to must be a postgres:// URL");
    lw_error err;
    lw_store *src = NULL, *dst = NULL;
    lw_arena *a = arena_new();
    lw_table_sum *before = NULL, *after = NULL;
    int nb = 0, na = 0, from = 0, to = 0, mismatches = 0;
    lw_status st = cli_open_store(opts[0].value, 0, &src, &err);
    if (st == LW_OK)
        st = store_schema_check(src, &err);
    if (st == LW_OK)
        st = move_reads(src, &err);
    if (st == LW_OK)
        st = cli_open_store(opts[1].value, 1, &dst, &err);
    if (st == LW_OK)
        st = store_migrate(dst, cli_now(), &from, &to, &err);
    if (st == LW_OK)
        st = store_checksums(src, a, &before, &nb, &err);
    if (st == LW_OK)
        st = store_copy(src, dst, print_progress, NULL, &err);
    if (st == LW_OK)
        st = store_checksums(dst, a, &after, &na, &err);
    if (st == LW_OK) {
        printf("%-16s %10s %10s  %s\n", "table", "sqlite", "postgres", "checksums");
        for (int i = 0; i < nb && i < na; i++) {
            int same = before[i].rows == after[i].rows &&
                       strcmp(before[i].checksum, after[i].checksum) == 0;
            mismatches += !same;
            printf("%-16s %10lld %10lld  %s\n", before[i].table, (long long)before[i].rows,
                   (long long)after[i].rows, same ? "equal" : "DIFFERENT");
        }
    }
    store_close(src);
    store_close(dst);
    arena_free(a);
    if (st != LW_OK)
        return cli_fail(&err);
    if (mismatches) {
        fprintf(stderr, "linkwell: %d tables differ after the copy; do not switch over\n",
                mismatches);
        return LW_EXIT_FAIL;
    }
    printf("linkwell: every table copied and verified; serve with --db %s\n", opts[1].value);
    return LW_EXIT_OK;
}
