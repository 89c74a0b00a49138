/*
 * Signing in and out. A session is a random id in an HttpOnly, SameSite=Strict
 * cookie plus a CSRF token returned in the body; the database keeps only
 * their digests. Failed attempts are counted per account and per address in
 * the database (so every server process sees them) and throttled.
 */
#include <string.h>

#include "api/api.h"

#define COOKIE "lw_session"

/* Records this attempt under KEY before the password is checked, then counts
 * the attempts in the window, this one included. Recording first makes the
 * limit hold against parallel guesses: of N simultaneous attempts, only those
 * that see at most LIMIT rows go on to the password check. On refusal the
 * attempt's own row is removed, so waiting out the window is enough. */
static lw_status claim_attempt(api_request *req, const char *key, int limit, int64_t now,
                               int64_t *id, lw_error *err) {
    int count = 0;
    int64_t oldest = 0;
    lw_status st = store_login_failure_add(req->db, key, now, id, err);
    if (st == LW_OK)
        st = store_login_failures(req->db, key, now - LW_THROTTLE_WINDOW_MS, &count, &oldest, err);
    if (st != LW_OK)
        return st;
    long wait = throttle_retry_after(count - 1, limit, oldest, now);
    if (wait > 0) {
        lw_error ignored;
        lw_ignore(store_login_failure_delete(req->db, *id, &ignored));
        *id = 0;
        st = lw_fail(err, LW_ETHROTTLED, NULL,
                     "too many failed sign-in attempts; try again in %ld seconds", wait);
        err->retry_after = wait;
    }
    return st;
}

/* Ends the attempt: OUTCOME "ok" forgets it (and the account's earlier
 * failures); "failed" keeps both rows as failures; anything else ("denied",
 * "throttled") forgets this attempt's rows. Writes the audit row too. */
static lw_status finish_attempt(api_request *req, const char *acct_key, int64_t acct_id,
                                int64_t addr_id, int64_t user_id, const char *outcome,
                                lw_error *err) {
    int failed = strcmp(outcome, "failed") == 0;
    lw_status st = LW_OK;
    if (!failed && strcmp(outcome, "ok") == 0)
        st = store_login_failures_clear(req->db, acct_key, err);
    else if (!failed && acct_id)
        st = store_login_failure_delete(req->db, acct_id, err);
    if (st == LW_OK && !failed && addr_id)
        st = store_login_failure_delete(req->db, addr_id, err);
    if (st == LW_OK)
        st = api_audit(req, "session.login", "user", user_id, outcome, err);
    return st;
}

void api_session_create(api_request *req, api_response *res) {
    static const char *const fields[] = {"email", "password", NULL};
    lw_error err;
    const char *email_in, *password;
    char email[LW_EMAIL_MAX + 1];
    lw_status st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jin_string(req->json, "email", 1, LW_EMAIL_MAX, &email_in, &err);
    if (st == LW_OK)
        st = jin_string(req->json, "password", 1, LW_PASSWORD_MAX, &password, &err);
    if (st == LW_OK)
        st = account_email_normalise(email_in, "email", email, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }

    int64_t now = clock_now(&req->app->clock);
    char digest[LW_DIGEST_LEN];
    crypto_token_digest(email, digest);
    const char *acct_key = arena_printf(req->arena, "account:%s", digest);
    const char *addr_key = arena_printf(req->arena, "address:%s", req->remote_addr);
    int64_t acct_id = 0, addr_id = 0;
    lw_error ignored;

    /* Each claim commits at once, so that parallel attempts see each other. */
    lw_ignore(store_login_failures_purge(req->db, now - LW_THROTTLE_WINDOW_MS, &ignored));
    st = claim_attempt(req, acct_key, LW_THROTTLE_ACCOUNT, now, &acct_id, &err);
    if (st == LW_OK)
        st = claim_attempt(req, addr_key, LW_THROTTLE_ADDRESS, now, &addr_id, &err);
    if (st == LW_ETHROTTLED) {
        lw_ignore(finish_attempt(req, acct_key, acct_id, addr_id, 0, "throttled", &ignored));
        api_fail(res, &err);
        return;
    }
    if (st != LW_OK)
        goto fail;

    lw_user u = {0};
    st = store_user_by_email(req->db, req->arena, email, &u, &err);
    if (st != LW_OK && st != LW_ENOTFOUND)
        goto fail;
    int found = st == LW_OK && u.password_hash;
    /* Verify against a dummy hash when there is no such account, so that the
     * answer takes as long either way. */
    int ok =
        crypto_password_verify(found ? u.password_hash : req->app->dummy_hash, password) && found;
    if (!ok) {
        st = finish_attempt(req, acct_key, acct_id, addr_id, found ? u.id : 0, "failed", &err);
        if (st == LW_OK)
            st = lw_fail(&err, LW_EAUTH, NULL, "the email or password is wrong");
        goto fail;
    }
    if (!u.active || !u.org_active || role_parse(u.role) < 0) {
        st = finish_attempt(req, acct_key, acct_id, addr_id, u.id, "denied", &err);
        if (st == LW_OK)
            st = lw_fail(&err, LW_EAUTH, NULL,
                         role_parse(u.role) < 0
                             ? "this account has no valid role; ask your administrator"
                             : "this account has been deactivated; ask your administrator");
        goto fail;
    }

    char sid[LW_TOKEN_LEN], csrf[LW_TOKEN_LEN], sid_digest[LW_DIGEST_LEN],
        csrf_digest[LW_DIGEST_LEN];
    crypto_random_token(sid);
    crypto_random_token(csrf);
    crypto_token_digest(sid, sid_digest);
    crypto_token_digest(csrf, csrf_digest);
    req->signed_in = 1;
    req->who.user_id = u.id;
    req->who.org_id = u.org_id;
    req->who.role = (lw_role)role_parse(u.role);
    st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_session_purge(req->db, now, LW_SESSION_IDLE_MS, LW_SESSION_MAX_MS, &err);
    if (st == LW_OK)
        st = store_session_insert(req->db, sid_digest, csrf_digest, u.id, now, &err);
    if (st == LW_OK)
        st = finish_attempt(req, acct_key, acct_id, addr_id, u.id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st != LW_OK)
        goto fail;

    api_header(res, "Set-Cookie",
               arena_printf(req->arena, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", sid,
                            req->app->cookie_secure ? "; Secure" : ""));
    api_header(res, "Cache-Control", "no-store");
    api_json(res, 201,
             json_pack("{s:s, s:o, s:o, s:i}", "csrf_token", csrf, "user", api_user_json(&u),
                       "expires_at", api_time_json(now + LW_SESSION_MAX_MS), "idle_timeout_seconds",
                       (int)(LW_SESSION_IDLE_MS / 1000)));
    return;
fail:
    store_rollback(req->db);
    api_fail(res, &err);
}

void api_session_delete(api_request *req, api_response *res) {
    lw_error err;
    if (!req->who.session_digest) {
        lw_fail(&err, LW_EINVAL, "Authorization",
                "an API token is not a session; there is nothing to sign out of");
        api_fail(res, &err);
        return;
    }
    lw_status st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_session_delete(req->db, req->who.session_digest, &err);
    if (st == LW_OK)
        st = api_audit(req, "session.logout", "user", req->who.user_id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    api_header(res, "Set-Cookie",
               arena_printf(req->arena, COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
                            req->app->cookie_secure ? "; Secure" : ""));
    res->status = 204;
}
