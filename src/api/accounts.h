/*
 * Creating organisations, users and API tokens: validation, hashing, the
 * insert and its audit row in one transaction. Shared by the API handlers
 * and the CLI (user add, org add, token, demo), so both apply the same rules.
 */
#ifndef LW_ACCOUNTS_OPS_H
#define LW_ACCOUNTS_OPS_H

#include "store/store.h"
#include "util/crypto.h"
#include "util/error.h"

/* Who is acting, for the audit row. user_id 0 is the local operator (CLI). */
typedef struct lw_actor {
    int64_t user_id;
    const char *role;
    int64_t org_id;
    const char *remote_addr; /* "cli" for the command line */
} lw_actor;

/* NAME and KIND are checked; LW_ECONFLICT when the name is taken. */
lw_status accounts_org_create(lw_db *db, const char *name, const char *kind, int64_t now,
                              const lw_actor *by, int64_t *id, lw_error *err) LW_MUST_CHECK;

/* Every field is checked (EMAIL is normalised to lower case); ORG_ID must
 * exist; LW_ECONFLICT when the email is taken. */
lw_status accounts_user_create(lw_db *db, int64_t org_id, const char *email, const char *name,
                               const char *role, const char *password, lw_pwcost cost, int64_t now,
                               const lw_actor *by, int64_t *id, lw_error *err) LW_MUST_CHECK;

/* A new token for USER_ID, written to TOKEN (shown once; only its digest is kept). */
lw_status accounts_token_create(lw_db *db, int64_t user_id, int64_t now, const lw_actor *by,
                                char token[LW_TOKEN_LEN], lw_error *err) LW_MUST_CHECK;
/* Revokes token TOKEN_ID (it stops working at once); its user in *USER_ID.
 * LW_ENOTFOUND when there is no such token. */
lw_status accounts_token_revoke(lw_db *db, int64_t token_id, int64_t now, const lw_actor *by,
                                int64_t *user_id, lw_error *err) LW_MUST_CHECK;

#endif
