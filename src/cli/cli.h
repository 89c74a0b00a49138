/*
 * The command line: a table of subcommands (as tmux has), each with its usage,
 * help and an exec function. Exit codes: 0 ok, 1 runtime failure, 2 usage error.
 * Errors go to stderr, results to stdout.
 */
#ifndef LW_CLI_H
#define LW_CLI_H

#include "store/store.h"
#include "util/crypto.h"
#include "util/error.h"

#define LW_EXIT_OK 0
#define LW_EXIT_FAIL 1
#define LW_EXIT_USAGE 2

typedef struct cli_cmd {
    const char *name;  /* "init", "org add" */
    const char *usage; /* the options, for --help */
    const char *help;  /* what it does, and the options explained */
    int (*exec)(const struct cli_cmd *cmd, int argc, char **argv);
} cli_cmd;

/* One option: "--name VALUE" or "--name=VALUE"; ENV (may be NULL) is read
 * when the option is not given; FLAG options take no value and set "1". */
typedef struct cli_opt {
    const char *name;
    const char *env;
    const char *value; /* in: default; out: the value */
    int flag;
} cli_opt;

int cli_main(int argc, char **argv);

/* Parses ARGV (after the command words) into OPTS (ended by a NULL name).
 * Prints help and returns -1 for --help; prints a usage error and returns
 * LW_EXIT_USAGE for a bad option; returns 0 otherwise. Positional arguments
 * are collected into REST (may be NULL when none are allowed). */
int cli_parse(const cli_cmd *cmd, int argc, char **argv, cli_opt *opts, char ***rest, int *nrest);
int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...) LW_PRINTF(2, 3);
/* Prints "linkwell: MSG" for ERR and returns LW_EXIT_FAIL (or LW_EXIT_USAGE for bad input). */
int cli_fail(const lw_error *err);

/* Opens the store at URL (required: names --db and LINKWELL_DB when missing). */
lw_status cli_open_store(const char *url, int create, lw_store **out, lw_error *err) LW_MUST_CHECK;
lw_status cli_pwcost(const char *s, lw_pwcost *out, lw_error *err) LW_MUST_CHECK;
int64_t cli_now(void);

int cmd_init(const cli_cmd *cmd, int argc, char **argv);
int cmd_backup(const cli_cmd *cmd, int argc, char **argv);
int cmd_migrate_to_postgres(const cli_cmd *cmd, int argc, char **argv);
int cmd_serve(const cli_cmd *cmd, int argc, char **argv);
int cmd_org_add(const cli_cmd *cmd, int argc, char **argv);
int cmd_user_add(const cli_cmd *cmd, int argc, char **argv);
int cmd_token(const cli_cmd *cmd, int argc, char **argv);
int cmd_token_list(const cli_cmd *cmd, int argc, char **argv);
int cmd_token_revoke(const cli_cmd *cmd, int argc, char **argv);
int cmd_demo(const cli_cmd *cmd, int argc, char **argv);
int cmd_import_oruk(const cli_cmd *cmd, int argc, char **argv);
int cmd_report(const cli_cmd *cmd, int argc, char **argv);
int cmd_import_gp(const cli_cmd *cmd, int argc, char **argv);
/* The demo directory (demo_directory.c); RIVERSIDE_ORG keeps the gardening listings. */
lw_status demo_directory_load(lw_db *db, int64_t riverside_org, int64_t now,
                              lw_error *err) LW_MUST_CHECK;
/* The demo's people, referrals, cases and prescriptions (demo_referrals.c); once only. */
lw_status demo_referrals_load(lw_db *db, int64_t now, lw_error *err) LW_MUST_CHECK;
/* The demo cases' pathways and milestones, and GP consultation counts (demo_pathways.c). */
lw_status demo_pathways_load(lw_db *db, int64_t now, lw_error *err) LW_MUST_CHECK;
/* Preferences for some demo people with open cases, for matching (demo_matching.c). */
lw_status demo_matching_load(lw_db *db, int64_t now, lw_error *err) LW_MUST_CHECK;

#endif
