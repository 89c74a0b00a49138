/* The command table, option parsing, and helpers shared by the commands. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"

#ifndef LW_VERSION
#define LW_VERSION "0.0.0"
#endif

static const cli_cmd commands[] = {
    {"init", "--db PATH|URL",
     "Creates the database, or migrates an existing one to this version's schema.\n"
     "  --db PATH|URL   a SQLite file, or postgres://user@host/dbname (or set LINKWELL_DB)\n",
     cmd_init},
    {"backup", "--db PATH --to FILE",
     "Copies a SQLite database to a new FILE while the server keeps running (SQLite's\n"
     "online backup API). For PostgreSQL use pg_dump (docs/deploy.md).\n",
     cmd_backup},
    {"migrate-to-postgres", "--from PATH --to postgres://...",
     "Copies every row of a SQLite database into an empty PostgreSQL database (creating\n"
     "the schema), in one transaction, then compares every table's row count and\n"
     "content checksum on both sides. Stop the server first.\n",
     cmd_migrate_to_postgres},
    {"serve",
     "--db PATH [--listen HOST:PORT] [--threads N] [--pool N] [--password-cost C] "
     "[--cookie-secure auto|on|off] [--no-access-log] [--trusted-proxy ADDR] "
     "[--overdue-days N] [--auto-close-days N] [--jobs-interval S] [--search-cache-mb N]",
     "Runs the server: web UI at /, API under /api/v1/. Stops cleanly on SIGTERM or Ctrl-C.\n"
     "  --db PATH|URL        SQLite file or postgres:// URL (or LINKWELL_DB); create it\n"
     "                       first with 'linkwell init'\n"
     "  --listen HOST:PORT   address to listen on (or LINKWELL_LISTEN; default 127.0.0.1:8080)\n"
     "  --threads N          a pool of N HTTP threads, each serving many connections\n"
     "                       (default: a thread per connection)\n"
     "  --pool N             database connections (default: threads + 2, or without\n"
     "                       --threads 16 per core + 2, at most 66)\n"
     "  --password-cost C    argon2id cost for new passwords: min (tests only), interactive\n"
     "                       (default) or moderate (or LINKWELL_PASSWORD_COST)\n"
     "  --cookie-secure M    mark the session cookie Secure: auto (default: on unless\n"
     "                       listening on loopback), on (behind HTTPS), off\n"
     "  --no-access-log      do not write the JSON access log to stderr\n"
     "  --trusted-proxy ADDR requests from ADDR (your reverse proxy) are attributed to the\n"
     "                       last address in X-Forwarded-For (or LINKWELL_TRUSTED_PROXY)\n"
     "  --overdue-days N     unanswered referrals are overdue after N days (default 5;\n"
     "                       or LINKWELL_OVERDUE_DAYS)\n"
     "  --auto-close-days N  and are declined with reason no_response after N days\n"
     "                       (default 14; or LINKWELL_AUTO_CLOSE_DAYS)\n"
     "  --jobs-interval S    run that job every S seconds (default 60; 0: never; or\n"
     "                       LINKWELL_JOBS_INTERVAL)\n"
     "  --search-cache-mb N  memory for repeated directory searches' answers (default 16;\n"
     "                       0: off; or LINKWELL_SEARCH_CACHE_MB)\n",
     cmd_serve},
    {"org add", "--db PATH --name NAME --kind KIND",
     "Creates an organisation and prints its id.\n"
     "  --kind KIND   gp_practice, cmht, inpatient_ward, link_worker_service, vcse,\n"
     "                commissioner, community or other\n",
     cmd_org_add},
    {"user add", "--db PATH --org ORG --role ROLE --email EMAIL [--name NAME] < password",
     "Creates a user and prints its id. The password is read from standard input.\n"
     "  --org ORG     organisation id, or its exact name\n"
     "  --role ROLE   referrer, link_worker, peer_worker, clinician_prescriber, provider,\n"
     "                commissioner or admin\n"
     "  --name NAME   display name (default: the part of the email before @)\n"
     "  --password-cost C   as for serve\n",
     cmd_user_add},
    {"token list", "--db PATH --email EMAIL",
     "Lists that user's API tokens: number, when made, when last used (never the tokens).\n",
     cmd_token_list},
    {"token revoke", "--db PATH --id N",
     "Revokes API token N (from 'token list'): it stops working at once. Audited.\n",
     cmd_token_revoke},
    {"token", "--db PATH --email EMAIL",
     "Prints a new API token for that user, for 'Authorization: Bearer TOKEN'.\n"
     "The token is shown once; linkwell keeps only its digest.\n",
     cmd_token},
    {"demo", "--db PATH",
     "Loads a demo area into the database (creating it if needed): one organisation of\n"
     "every kind and one user of every role, and prints their logins. Safe to run twice.\n",
     cmd_demo},
    {"import oruk", "--db PATH [--domain-map FILE.csv] FILE...",
     "Imports an Open Referral UK / HSDS 3.0 directory: JSON files (a paged list, an\n"
     "array, one service, or the older ORUK v1 shape) or CSV datapackage folders (with\n"
     "datapackage.json). Records are upserted by id in one transaction; importing the same\n"
     "file again changes nothing. The report goes to standard output: one line per\n"
     "rejected record or dropped value ('services[12].name: empty'), then the counts.\n"
     "  --domain-map FILE.csv   'pattern,domain' lines mapping words of taxonomy terms or\n"
     "                          service names to need domains (added to the defaults)\n",
     cmd_import_oruk},
    {"report",
     "NAME --db PATH [--format json|csv|svg] [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
     "                       [--organisation ID] [--source S] [--pathway P] [--suppress]",
     "Prints a report to standard output (the same as GET /api/v1/reports/NAME). NAME is\n"
     "one of referrals-by-month, time-to-first-contact, take-up, completion, discharge,\n"
     "outcomes, demand-capacity, unmet-need, gp-consultations, caseload, decisions, or\n"
     "all. docs/outcomes.md defines every figure.\n"
     "  --format F         json (default), csv or svg (a chart)\n"
     "  --from, --to D     referrals received from D to D (whole days, UTC)\n"
     "  --organisation ID  the link worker service's organisation id\n"
     "  --source S         referrer, clinician or self\n"
     "  --pathway P        primary-care, secondary-mental-health, ...\n"
     "  --suppress         a commissioner's view: counts 1-4 as <5, no worker names\n"
     "  --time             print the load time and each report's time to standard error\n"
     "                     instead of the report; --repeat N runs each report N times\n",
     cmd_report},
    {"import gp-consultations", "--db PATH FILE.csv",
     "Imports GP consultation counts: how many times each person consulted their GP in\n"
     "the 6 months before a referral and the 6 months after (docs/outcomes.md). FILE.csv\n"
     "has the header nhs_number,referral_id,before,after (after may be empty while not\n"
     "known). Every row is checked first: if any is wrong, nothing is imported and each\n"
     "wrong line is reported with its field. A referral already counted is updated.\n",
     cmd_import_gp},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_overview(FILE *f) {
    fprintf(f,
            "linkwell %s: social prescribing, from referral to outcome\n\n"
            "usage: linkwell COMMAND [OPTIONS]\n\ncommands:\n",
            LW_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-24s %s\n", commands[i].name, commands[i].usage);
    fprintf(f, "\n'linkwell COMMAND --help' explains a command. 'linkwell --version' prints "
               "the version.\n");
}

static void print_help(const cli_cmd *cmd) {
    printf("usage: linkwell %s %s\n\n%s", cmd->name, cmd->usage, cmd->help);
}

int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("linkwell: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "\nusage: linkwell %s %s\n", cmd->name, cmd->usage);
    else
        fputc('\n', stderr);
    return LW_EXIT_USAGE;
}

int cli_fail(const lw_error *err) {
    if (err->field[0] && err->code == LW_EINVAL)
        fprintf(stderr, "linkwell: %s: %s\n", err->field, err->msg);
    else
        fprintf(stderr, "linkwell: %s\n", err->msg);
    return err->code == LW_EINVAL ? LW_EXIT_USAGE : LW_EXIT_FAIL;
}

int cli_parse(const cli_cmd *cmd, int argc, char **argv, cli_opt *opts, char ***rest, int *nrest) {
    if (nrest)
        *nrest = 0;
    for (cli_opt *o = opts; o->name; o++) {
        const char *e = o->env ? getenv(o->env) : NULL;
        if (e && *e)
            o->value = e;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(cmd);
            return -1;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (!rest)
                return cli_usage_error(cmd, "unexpected argument '%s'", a);
            (*rest)[(*nrest)++] = argv[i];
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t nl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        cli_opt *o = opts;
        while (o->name && !(strlen(o->name) == nl && strncmp(o->name, a + 2, nl) == 0))
            o++;
        if (!o->name)
            return cli_usage_error(cmd, "unknown option '%s'", a);
        if (o->flag) {
            if (eq)
                return cli_usage_error(cmd, "option --%s takes no value", o->name);
            o->value = "1";
        } else if (eq) {
            o->value = eq + 1;
        } else if (i + 1 < argc) {
            o->value = argv[++i];
        } else {
            return cli_usage_error(cmd, "option --%s needs a value", o->name);
        }
    }
    return 0;
}

lw_status cli_open_store(const char *url, int create, lw_store **out, lw_error *err) {
    if (!url || !*url)
        return lw_fail(err, LW_EINVAL, "db",
                       "no database given: pass --db PATH or set "
                       "LINKWELL_DB");
    lw_store_options o = {.create = create};
    return store_open(url, &o, out, err);
}

lw_status cli_pwcost(const char *s, lw_pwcost *out, lw_error *err) {
    return crypto_pwcost_parse(s ? s : "interactive", out, err);
}

int64_t cli_now(void) {
    lw_clock c = clock_system();
    return clock_now(&c);
}

int cli_main(int argc, char **argv) {
    if (argc < 2) {
        print_overview(stderr);
        return LW_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("linkwell %s\n", LW_VERSION);
        return LW_EXIT_OK;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_overview(stdout);
        return LW_EXIT_OK;
    }
    lw_error err;
    if (crypto_init(&err) != LW_OK)
        return cli_fail(&err);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const char *name = commands[i].name;
        const char *space = strchr(name, ' ');
        if (!space) {
            if (strcmp(argv[1], name) == 0)
                return commands[i].exec(&commands[i], argc - 2, argv + 2);
            continue;
        }
        size_t gl = (size_t)(space - name);
        if (strlen(argv[1]) != gl || strncmp(argv[1], name, gl) != 0)
            continue;
        if (argc >= 3 && strcmp(argv[2], space + 1) == 0)
            return commands[i].exec(&commands[i], argc - 3, argv + 3);
    }
    /* A group word without (or with a wrong) subcommand, e.g. "linkwell org". */
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const char *space = strchr(commands[i].name, ' ');
        if (space && strncmp(argv[1], commands[i].name, (size_t)(space - commands[i].name)) == 0 &&
            strlen(argv[1]) == (size_t)(space - commands[i].name))
            return cli_usage_error(&commands[i], "'%s' needs a subcommand, e.g. '%s'", argv[1],
                                   commands[i].name);
    }
    fprintf(stderr, "linkwell: unknown command '%s'\n\n", argv[1]);
    print_overview(stderr);
    return LW_EXIT_USAGE;
}
