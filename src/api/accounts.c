/* Account creation shared by the API and the CLI. */
#include "api/accounts.h"

#include <stdio.h>

#include "domain/accounts.h"

static lw_status audit(lw_db *db, const lw_actor *by, const char *action, const char *type,
                       int64_t id, int64_t now, lw_error *err) {
    char rid[24];
    snprintf(rid, sizeof rid, "%lld", (long long)id);
    lw_audit_entry e = {.at = now,
                        .user_id = by->user_id,
                        .role = by->role,
                        .org_id = by->org_id,
                        .action = action,
                        .resource_type = type,
                        .resource_id = rid,
                        .remote_addr = by->remote_addr,
                        .outcome = "ok"};
    return store_audit_insert(db, &e, err);
}

lw_status accounts_org_create(lw_db *db, const char *name, const char *kind, int64_t now,
                              const lw_actor *by, int64_t *id, lw_error *err) {
    lw_status st = account_name_check(name, "name", err);
    if (st != LW_OK)
        return st;
    if (org_kind_parse(kind) < 0)
        return lw_fail(err, LW_EINVAL, "kind", "'%.40s' is not an organisation kind (one of %s)",
                       kind, org_kind_names_list());
    st = store_begin(db, err);
    if (st == LW_OK)
        st = store_org_insert(db, name, kind, now, id, err);
    if (st == LW_OK)
        st = audit(db, by, "organisation.create", "organisation", *id, now, err);
    if (st == LW_OK)
        st = store_commit(db, err);
    if (st != LW_OK)
        store_rollback(db);
    return st;
}

lw_status accounts_user_create(lw_db *db, int64_t org_id, const char *email_in, const char *name,
                               const char *role, const char *password, lw_pwcost cost, int64_t now,
                               const lw_actor *by, int64_t *id, lw_error *err) {
    char email[LW_EMAIL_MAX + 1];
    char hash[LW_PWHASH_LEN];
    lw_status st = account_email_normalise(email_in, "email", email, err);
    if (st == LW_OK)
        st = account_name_check(name, "name", err);
    if (st == LW_OK && role_parse(role) < 0)
        st = lw_fail(err, LW_EINVAL, "role", "'%.40s' is not a role (one of %s)", role,
                     role_names_list());
    if (st == LW_OK)
        st = account_password_check(password, "password", err);
    if (st != LW_OK)
        return st;
    lw_arena *a = arena_new();
    lw_org org;
    st = store_org_get(db, a, org_id, &org, err);
    arena_free(a);
    if (st == LW_ENOTFOUND)
        return lw_fail(err, LW_EINVAL, "organisation_id", "there is no organisation %lld",
                       (long long)org_id);
    if (st == LW_OK && !org.active)
        return lw_fail(err, LW_ECONFLICT, "organisation_id",
                       "organisation %lld is deactivated; its users could not sign in",
                       (long long)org_id);
    if (st == LW_OK)
        st = crypto_password_hash(password, cost, hash, err);
    if (st == LW_OK)
        st = store_begin(db, err);
    if (st == LW_OK)
        st = store_user_insert(db, org_id, email, name, role, hash, now, id, err);
    if (st == LW_OK)
        st = audit(db, by, "user.create", "user", *id, now, err);
    if (st == LW_OK)
        st = store_commit(db, err);
    if (st != LW_OK)
        store_rollback(db);
    return st;
}

lw_status accounts_token_create(lw_db *db, int64_t user_id, int64_t now, const lw_actor *by,
                                char token[LW_TOKEN_LEN], lw_error *err) {
    char digest[LW_DIGEST_LEN];
    int64_t token_id = 0;
    crypto_random_token(token);
    crypto_token_digest(token, digest);
    lw_status st = store_begin(db, err);
    if (st == LW_OK)
        st = store_token_insert(db, digest, user_id, now, &token_id, err);
    if (st == LW_OK)
        st = audit(db, by, "token.create", "user", user_id, now, err);
    if (st == LW_OK)
        st = store_commit(db, err);
    if (st != LW_OK)
        store_rollback(db);
    return st;
}

lw_status accounts_token_revoke(lw_db *db, int64_t token_id, int64_t now, const lw_actor *by,
                                int64_t *user_id, lw_error *err) {
    lw_status st = store_begin(db, err);
    if (st == LW_OK)
        st = store_token_delete(db, token_id, user_id, err);
    if (st == LW_OK)
        st = audit(db, by, "token.revoke", "user", *user_id, now, err);
    if (st == LW_OK)
        st = store_commit(db, err);
    if (st != LW_OK)
        store_rollback(db);
    return st;
}
