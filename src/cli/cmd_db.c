/* linkwell init: create or migrate a database. */
#include <stdio.h>

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
