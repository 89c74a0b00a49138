/*
 * linkwell demo: a believable demo area. For now one organisation of every
 * kind and one user of every role, all with the same password, printed at
 * the end. Running it twice changes nothing.
 */
#include <stdio.h>

#include "api/accounts.h"
#include "cli/cli.h"

#define DEMO_PASSWORD "linkwell-demo"

static const struct {
    const char *name, *kind;
} demo_orgs[] = {
    {"Riverside Medical Practice", "gp_practice"},
    {"Northgate Community Mental Health Team", "cmht"},
    {"Willow Ward, Hillside Hospital", "inpatient_ward"},
    {"Riverside PCN Social Prescribing Service", "link_worker_service"},
    {"Riverside Community Gardens", "vcse"},
    {"Riverside Integrated Care Board", "commissioner"},
    {"St Mark's Church Community Hub", "community"},
    {"linkwell administration", "other"},
};

static const struct {
    const char *email, *name, *role;
    int org; /* index into demo_orgs */
} demo_users[] = {
    {"admin@demo.linkwell.example", "Alex Admin", "admin", 7},
    {"gp@demo.linkwell.example", "Dr Priya Shah", "referrer", 0},
    {"linkworker@demo.linkwell.example", "Sam Okafor", "link_worker", 3},
    {"peer@demo.linkwell.example", "Jo Reilly", "peer_worker", 3},
    {"psychiatrist@demo.linkwell.example", "Dr Tom Evans", "clinician_prescriber", 1},
    {"provider@demo.linkwell.example", "Maggie Brown", "provider", 4},
    {"commissioner@demo.linkwell.example", "Ruth Patel", "commissioner", 5},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static lw_status load(lw_db *db, lw_pwcost cost, lw_error *err) {
    static const lw_actor by = {.remote_addr = "cli"};
    int64_t org_ids[N(demo_orgs)];
    lw_arena *a = arena_new();
    lw_status st = LW_OK;
    for (size_t i = 0; i < N(demo_orgs) && st == LW_OK; i++) {
        lw_org o;
        st = store_org_by_name(db, a, demo_orgs[i].name, &o, err);
        if (st == LW_OK) {
            org_ids[i] = o.id;
        } else if (st == LW_ENOTFOUND) {
            st = accounts_org_create(db, demo_orgs[i].name, demo_orgs[i].kind, cli_now(), &by,
                                     &org_ids[i], err);
        }
    }
    for (size_t i = 0; i < N(demo_users) && st == LW_OK; i++) {
        lw_user u;
        int64_t id;
        st = store_user_by_email(db, a, demo_users[i].email, &u, err);
        if (st == LW_ENOTFOUND)
            st = accounts_user_create(db, org_ids[demo_users[i].org], demo_users[i].email,
                                      demo_users[i].name, demo_users[i].role, DEMO_PASSWORD, cost,
                                      cli_now(), &by, &id, err);
    }
    if (st == LW_OK)
        st = demo_directory_load(db, org_ids[4], cli_now(), err);
    if (st == LW_OK)
        st = demo_referrals_load(db, cli_now(), err);
    if (st == LW_OK)
        st = demo_pathways_load(db, cli_now(), err);
    if (st == LW_OK)
        st = demo_matching_load(db, cli_now(), err);
    arena_free(a);
    return st;
}

int cmd_demo(const cli_cmd *cmd, int argc, char **argv) {
    cli_opt opts[] = {
        {"db", "LINKWELL_DB", NULL, 0}, {"password-cost", "LINKWELL_PASSWORD_COST", NULL, 0}, {0}};
    int rc = cli_parse(cmd, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc < 0 ? LW_EXIT_OK : rc;
    lw_error err;
    lw_pwcost cost;
    if (cli_pwcost(opts[1].value, &cost, &err) != LW_OK)
        return cli_fail(&err);
    lw_store *s = NULL;
    lw_db *db = NULL;
    int from = 0, to = 0;
    lw_status st = cli_open_store(opts[0].value, 1, &s, &err);
    if (st == LW_OK)
        st = store_migrate(s, cli_now(), &from, &to, &err);
    if (st == LW_OK)
        st = store_acquire(s, &db, &err);
    if (st == LW_OK)
        st = load(db, cost, &err);
    if (db)
        store_release(s, db);
    store_close(s);
    if (st != LW_OK)
        return cli_fail(&err);
    printf("linkwell: demo data loaded into %s\n\nDemo logins (password for all: %s):\n",
           opts[0].value, DEMO_PASSWORD);
    for (size_t i = 0; i < N(demo_users); i++)
        printf("  %-21s %-38s %s\n", demo_users[i].role, demo_users[i].email,
               demo_orgs[demo_users[i].org].name);
    printf("\nThese accounts share a published password: never load demo data into a database "
           "that holds real people's records.\n");
    return LW_EXIT_OK;
}
