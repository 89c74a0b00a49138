/* linkwell org add, user add, token, token list, token revoke: accounts from the command
 * line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "api/accounts.h"
#include "cli/cli.h"
#include "domain/accounts.h"
#include "util/timeutil.h"

static const lw_actor cli_actor = {.remote_addr = "cli"};

/* Opens the store at URL (checked to be at this binary's schema) and acquires a
 * connection; *S and *DB are NULL or set, for close_db() either way. */
static lw_status open_db(const char *url, lw_store **s, lw_db **db, lw_error *err) {
    *s = NULL;
    *db = NULL;
    lw_status st = cli_open_store(url, 0, s, err);
    if (st == LW_OK)
        st = store_schema_check(*s, err);
    if (st == LW_OK)
        st = store_acquire(*s, db, err);
    return st;
}

static void close_db(lw_store *s, lw_db *db) {
    if (db)
        store_release(s, db);
    store_close(s);
}

int cmd_org_add(const cli_cmd *cmd, int argc, char **argv) {
    cli_opt opts[] = {
        {"db", "LINKWELL_DB", NULL, 0}, {"name", NULL, NULL, 0}, {"kind", NULL, NULL, 0}, {0}};
    int rc = cli_parse(cmd, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc < 0 ? LW_EXIT_OK : rc;
    if (!opts[1].value)
        return cli_usage_error(cmd, "--name is required");
    if (!opts[2].value)
        return cli_usage_error(cmd, "--kind is required");
    lw_error err;
    lw_store *s = NULL;
    lw_db *db = NULL;
    int64_t id = 0;
    lw_status st = open_db(opts[0].value, &s, &db, &err);
    if (st == LW_OK)
        st =
            accounts_org_create(db, opts[1].value, opts[2].value, cli_now(), &cli_actor, &id, &err);
    close_db(s, db);
    if (st != LW_OK)
        return cli_fail(&err);
    printf("%lld\n", (long long)id);
    return LW_EXIT_OK;
}

/* Reads one line from stdin without echo when it is a terminal. */
static int read_password(char *buf, size_t size) {
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fputs("password: ", stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    char *line = fgets(buf, (int)size, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fputc('\n', stderr);
    }
    if (!line)
        return -1;
    size_t n = strlen(buf);
    if (n == size - 1 && buf[n - 1] != '\n')
        return -2; /* too long */
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return 0;
}

/* An organisation given by its exact name or by its id (a name made of digits,
 * such as "2024", is found by name first). */
static lw_status find_org(lw_db *db, const char *ref, int64_t *id, lw_error *err) {
    lw_arena *a = arena_new();
    lw_org o;
    lw_status st = store_org_by_name(db, a, ref, &o, err);
    if (st == LW_ENOTFOUND) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(ref, &end, 10);
        if (*ref && end && !*end && !errno && v > 0)
            st = store_org_get(db, a, v, &o, err);
    }
    if (st == LW_OK)
        *id = o.id;
    else if (st == LW_ENOTFOUND)
        st = lw_fail(err, LW_EINVAL, "org",
                     "there is no organisation '%s' (give its id or exact name)", ref);
    arena_free(a);
    return st;
}

int cmd_user_add(const cli_cmd *cmd, int argc, char **argv) {
    cli_opt opts[] = {{"db", "LINKWELL_DB", NULL, 0},
                      {"org", NULL, NULL, 0},
                      {"role", NULL, NULL, 0},
                      {"email", NULL, NULL, 0},
                      {"name", NULL, NULL, 0},
                      {"password-cost", "LINKWELL_PASSWORD_COST", NULL, 0},
                      {0}};
    int rc = cli_parse(cmd, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc < 0 ? LW_EXIT_OK : rc;
    for (int i = 1; i <= 3; i++)
        if (!opts[i].value)
            return cli_usage_error(cmd, "--%s is required", opts[i].name);
    lw_error err;
    lw_pwcost cost;
    if (cli_pwcost(opts[5].value, &cost, &err) != LW_OK)
        return cli_fail(&err);
    char name[LW_NAME_MAX + 1];
    if (opts[4].value) {
        snprintf(name, sizeof name, "%s", opts[4].value);
    } else {
        snprintf(name, sizeof name, "%s", opts[3].value);
        char *at = strchr(name, '@');
        if (at)
            *at = '\0';
    }
    lw_store *s = NULL;
    lw_db *db = NULL;
    int64_t org_id = 0, id = 0;
    char password[LW_PASSWORD_MAX + 2] = "";
    lw_status st = open_db(opts[0].value, &s, &db, &err);
    if (st == LW_OK)
        st = find_org(db, opts[1].value, &org_id, &err);
    /* Ask for the password only once the rest is known to be good. */
    int pr = st == LW_OK ? read_password(password, sizeof password) : 0;
    if (pr == -1)
        st = lw_fail(&err, LW_EINVAL, "password", "give the password on standard input");
    else if (pr == -2)
        st = lw_fail(&err, LW_EINVAL, "password", "must be at most %d characters long",
                     LW_PASSWORD_MAX);
    if (st == LW_OK)
        st = accounts_user_create(db, org_id, opts[3].value, name, opts[2].value, password, cost,
                                  cli_now(), &cli_actor, &id, &err);
    memset(password, 0, sizeof password);
    close_db(s, db);
    if (st != LW_OK)
        return cli_fail(&err);
    printf("%lld\n", (long long)id);
    return LW_EXIT_OK;
}

/* open_db(), then the user with EMAIL (as typed); the caller close_db()s either way. */
static lw_status open_user(const char *url, const char *email_in, lw_store **s, lw_db **db,
                           lw_arena *a, lw_user *u, lw_error *err) {
    char email[LW_EMAIL_MAX + 1];
    *s = NULL;
    *db = NULL; /* for close_db() when the email is refused */
    lw_status st = account_email_normalise(email_in, "email", email, err);
    if (st == LW_OK)
        st = open_db(url, s, db, err);
    if (st == LW_OK) {
        st = store_user_by_email(*db, a, email, u, err);
        if (st == LW_ENOTFOUND)
            st = lw_fail(err, LW_EINVAL, "email", "there is no user with the email %s", email);
    }
    return st;
}

/* OPTS is {db, email}: both parsed, the email required. As cli_parse returns. */
static int parse_db_email(const cli_cmd *cmd, int argc, char **argv, cli_opt *opts) {
    int rc = cli_parse(cmd, argc, argv, opts, NULL, NULL);
    if (rc == 0 && !opts[1].value)
        rc = cli_usage_error(cmd, "--email is required");
    return rc;
}

int cmd_token(const cli_cmd *cmd, int argc, char **argv) {
    cli_opt opts[] = {{"db", "LINKWELL_DB", NULL, 0}, {"email", NULL, NULL, 0}, {0}};
    int rc = parse_db_email(cmd, argc, argv, opts);
    if (rc)
        return rc < 0 ? LW_EXIT_OK : rc;
    lw_error err;
    lw_store *s;
    lw_db *db;
    lw_arena *a = arena_new();
    lw_user u;
    char token[LW_TOKEN_LEN];
    lw_status st = open_user(opts[0].value, opts[1].value, &s, &db, a, &u, &err);
    if (st == LW_OK && (!u.active || !u.org_active))
        st = lw_fail(&err, LW_ECONFLICT, "email",
                     "%s is deactivated (or their organisation is); a token would not work",
                     u.email);
    if (st == LW_OK)
        st = accounts_token_create(db, u.id, cli_now(), &cli_actor, token, &err);
    close_db(s, db);
    arena_free(a);
    if (st != LW_OK)
        return cli_fail(&err);
    printf("%s\n", token);
    return LW_EXIT_OK;
}

int cmd_token_list(const cli_cmd *cmd, int argc, char **argv) {
    cli_opt opts[] = {{"db", "LINKWELL_DB", NULL, 0}, {"email", NULL, NULL, 0}, {0}};
    int rc = parse_db_email(cmd, argc, argv, opts);
    if (rc)
        return rc < 0 ? LW_EXIT_OK : rc;
    lw_error err;
    lw_store *s;
    lw_db *db;
    lw_arena *a = arena_new();
    lw_user u;
    lw_token_info *t = NULL;
    int n = 0;
    lw_status st = open_user(opts[0].value, opts[1].value, &s, &db, a, &u, &err);
    if (st == LW_OK)
        st = store_token_list(db, a, u.id, &t, &n, &err);
    close_db(s, db);
    if (st != LW_OK) {
        arena_free(a);
        return cli_fail(&err);
    }
    printf("%-8s %-22s %s\n", "ID", "CREATED", "LAST USED");
    for (int i = 0; i < n; i++) {
        char created[LW_ISO_LEN], used[LW_ISO_LEN] = "never";
        time_format_iso(t[i].created_at, created);
        if (t[i].last_used_at)
            time_format_iso(t[i].last_used_at, used);
        printf("%-8lld %-22s %s\n", (long long)t[i].id, created, used);
    }
    arena_free(a);
    return LW_EXIT_OK;
}

int cmd_token_revoke(const cli_cmd *cmd, int argc, char **argv) {
    cli_opt opts[] = {{"db", "LINKWELL_DB", NULL, 0}, {"id", NULL, NULL, 0}, {0}};
    int rc = cli_parse(cmd, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc < 0 ? LW_EXIT_OK : rc;
    if (!opts[1].value)
        return cli_usage_error(cmd, "--id is required (see 'linkwell token list')");
    char *end = NULL;
    errno = 0;
    long long id = strtoll(opts[1].value, &end, 10);
    if (errno || end == opts[1].value || *end || id <= 0)
        return cli_usage_error(cmd,
                               "--id must be a token's number, as 'linkwell token list' shows");
    lw_error err;
    lw_store *s = NULL;
    lw_db *db = NULL;
    int64_t user_id = 0;
    lw_status st = open_db(opts[0].value, &s, &db, &err);
    if (st == LW_OK) {
        st = accounts_token_revoke(db, id, cli_now(), &cli_actor, &user_id, &err);
        if (st == LW_ENOTFOUND) /* a wrong number given: the caller's mistake */
            st = lw_fail(&err, LW_EINVAL, "id", "there is no token %lld", id);
    }
    close_db(s, db);
    if (st != LW_OK)
        return cli_fail(&err);
    printf("token %lld revoked\n", id);
    return LW_EXIT_OK;
}
