/*
 * The one place every request passes through: take a database connection,
 * authenticate (session cookie or bearer token), check the CSRF token on
 * cookie-authenticated writes, check the role, parse the JSON body, run the
 * handler. Refusals of a signed-in user (wrong role, missing or wrong CSRF
 * token) are audited; anonymous 401s are not, so that noise cannot flood the
 * audit log (failed sign-ins are audited by the session handler).
 */
#include <string.h>
#include <strings.h>

#include "api/accounts.h"
#include "api/api.h"

/* How stale a session's last_seen_at may get before a request writes it again. */
#define SESSION_TOUCH_MS (60 * 1000)

lw_status app_init(lw_app *app, lw_store *store, lw_clock clock, lw_pwcost cost, int cookie_secure,
                   lw_error *err) {
    memset(app, 0, sizeof *app);
    app->store = store;
    app->clock = clock;
    app->pwcost = cost;
    app->cookie_secure = cookie_secure;
    return crypto_password_hash("linkwell timing equaliser", cost, app->dummy_hash, err);
}

/* An audit row for the signed-in user (or nobody) about RESOURCE_ID (may be NULL). */
static lw_status audit_row(api_request *req, const char *action, const char *resource_type,
                           const char *resource_id, const char *outcome, lw_error *err) {
    lw_audit_entry e = {
        .at = clock_now(&req->app->clock),
        .user_id = req->signed_in ? req->who.user_id : 0,
        .role = req->signed_in ? role_name(req->who.role) : NULL,
        .org_id = req->signed_in ? req->who.org_id : 0,
        .action = action,
        .resource_type = resource_type,
        .resource_id = resource_id,
        .remote_addr = req->remote_addr,
        .outcome = outcome,
    };
    return store_audit_insert(req->db, &e, err);
}

lw_status api_audit(api_request *req, const char *action, const char *resource_type,
                    int64_t resource_id, const char *outcome, lw_error *err) {
    return audit_row(req, action, resource_type,
                     resource_id ? arena_printf(req->arena, "%lld", (long long)resource_id) : NULL,
                     outcome, err);
}

int api_writes(const api_request *req) {
    return strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0;
}

lw_actor api_actor(const api_request *req) {
    lw_actor a = {.remote_addr = req->remote_addr};
    if (req->signed_in) {
        a.user_id = req->who.user_id;
        a.role = role_name(req->who.role);
        a.org_id = req->who.org_id;
    }
    return a;
}

static void principal_from_user(api_principal *who, const lw_user *u) {
    who->user_id = u->id;
    who->org_id = u->org_id;
    int r = role_parse(u->role);
    who->role = r < 0 ? LW_ROLE_REFERRER : (lw_role)r;
    who->email = u->email;
    who->name = u->name;
    who->org_name = u->org_name;
    who->org_kind = u->org_kind;
}

static lw_status check_active(const lw_user *u, lw_error *err) {
    if (!u->active)
        return lw_fail(err, LW_EAUTH, NULL,
                       "this account has been deactivated; ask your administrator");
    if (!u->org_active)
        return lw_fail(err, LW_EAUTH, NULL,
                       "this account's organisation has been deactivated; ask your administrator");
    if (role_parse(u->role) < 0)
        return lw_fail(err, LW_EAUTH, NULL, "this account has no valid role");
    return LW_OK;
}

typedef struct token_use {
    api_request *req;
    int64_t token_id, now;
} token_use;

/* Runs inside the group commit (store_batched), on the batch's connection. */
static lw_status token_use_rows(lw_db *db, void *ctx, lw_error *err) {
    token_use *t = ctx;
    lw_db *own = t->req->db;
    t->req->db = db;
    lw_status st = store_token_touch(db, t->token_id, t->now, err);
    if (st == LW_OK)
        st = api_audit(t->req, "token.use", "token", t->token_id, "ok", err);
    t->req->db = own;
    return st;
}

static lw_status auth_token(api_request *req, const char *token, lw_error *err) {
    char digest[LW_DIGEST_LEN];
    crypto_token_digest(token, digest);
    int64_t token_id = 0;
    lw_user u;
    lw_status st = store_token_get(req->db, req->arena, digest, &token_id, &u, err);
    if (st == LW_ENOTFOUND)
        return lw_fail(err, LW_EAUTH, NULL, "the API token is not valid");
    if (st != LW_OK)
        return st;
    st = check_active(&u, err);
    if (st != LW_OK)
        return st;
    principal_from_user(&req->who, &u);
    req->signed_in = 1;
    /* The use (last_used_at and the token.use audit row) is committed before the
     * request goes on, through the group commit: concurrent requests share one
     * durable commit instead of taking SQLite's write lock one after another. The
     * request's connection goes back to the pool while it waits (as jr_batched
     * does), so that waiting requests never hold every connection. */
    token_use use = {req, token_id, clock_now(&req->app->clock)};
    lw_store *store = req->app->store;
    store_release(store, req->db);
    req->db = NULL;
    st = store_batched(store, token_use_rows, &use, err);
    lw_error again;
    lw_status got = store_acquire_for(store, api_writes(req), &req->db, &again);
    if (got != LW_OK) {
        req->db = NULL;
        if (st == LW_OK) {
            *err = again;
            st = got;
        }
    }
    return st;
}

static lw_status auth_session(api_request *req, lw_error *err) {
    char digest[LW_DIGEST_LEN];
    crypto_token_digest(req->session_cookie, digest);
    lw_session s;
    lw_status st = store_session_get(req->db, req->arena, digest, &s, err);
    if (st == LW_ENOTFOUND)
        return lw_fail(err, LW_EAUTH, NULL,
                       "you are not signed in (or were signed out); sign in "
                       "again");
    if (st != LW_OK)
        return st;
    int64_t now = clock_now(&req->app->clock);
    lw_session_state state = session_state(s.created_at, s.last_seen_at, now);
    if (state != LW_SESSION_LIVE) {
        lw_error ignored;
        lw_ignore(store_session_delete(req->db, digest, &ignored));
        return lw_fail(err, LW_EAUTH, NULL,
                       state == LW_SESSION_IDLE_EXPIRED
                           ? "your session ended after 30 minutes without activity; sign in again"
                           : "your session ended after 12 hours; sign in again");
    }
    st = check_active(&s.user, err);
    if (st != LW_OK)
        return st;
    principal_from_user(&req->who, &s.user);
    req->who.session_digest = arena_strdup(req->arena, digest);
    req->signed_in = 1;
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        char csrf[LW_DIGEST_LEN];
        const char *wrong = NULL;
        if (!req->csrf_token || !*req->csrf_token) {
            wrong = "a change made with a session cookie needs the X-CSRF-Token header (the "
                    "csrf_token returned when you signed in)";
        } else {
            crypto_token_digest(req->csrf_token, csrf);
            if (!crypto_equal(csrf, s.csrf_digest))
                wrong = "the X-CSRF-Token header does not match this session";
        }
        if (wrong) {
            /* A refused (possibly forged) request neither extends the session nor
             * goes unrecorded. */
            lw_error ignored;
            lw_ignore(audit_row(
                req, "access.denied", "csrf",
                arena_printf(req->arena, "%s %s", req->route->method, req->route->pattern),
                "denied", &ignored));
            return lw_fail(err, LW_EFORBIDDEN, "X-CSRF-Token", "%s", wrong);
        }
    }
    /* The last-seen time is written at most once a minute: written on every
     * request, it was a write (and a wait for SQLite's one write lock) per
     * read. It lags by under SESSION_TOUCH_MS, so the idle limit is measured
     * from a time at most that much earlier than the last request: a session
     * can end up to a minute early, never late. */
    if (now - s.last_seen_at >= SESSION_TOUCH_MS)
        st = store_session_touch(req->db, digest, now, err);
    return st;
}

static lw_status authenticate(api_request *req, lw_error *err) {
    const char *auth = req->authorization;
    if (auth && *auth) {
        if (strncasecmp(auth, "Bearer ", 7) != 0 || !auth[7])
            return lw_fail(err, LW_EAUTH, "Authorization",
                           "the Authorization header must be 'Bearer TOKEN'");
        return auth_token(req, auth + 7, err);
    }
    if (req->session_cookie && *req->session_cookie)
        return auth_session(req, err);
    return lw_fail(err, LW_EAUTH, NULL,
                   "sign in first (POST /api/v1/session) or send Authorization: Bearer TOKEN");
}

static const char *roles_text(lw_arena *a, unsigned roles) {
    char *s = "";
    for (int r = 0; r < LW_ROLE_COUNT; r++)
        if (roles & LW_ROLE_BIT(r))
            s = arena_printf(a, "%s%s%s", s, *s ? ", " : "", role_name((lw_role)r));
    return s;
}

static lw_status parse_body(api_request *req, lw_error *err) {
    if (req->body_len == 0)
        return LW_OK;
    if (req->route->flags & API_NO_BODY)
        return lw_fail(err, LW_EINVAL, NULL, "this request takes no body");
    if (req->route->flags & API_RAW_BODY)
        return LW_OK;
    const char *ct = req->content_type;
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' '))
        return lw_fail(err, LW_EINVAL, "Content-Type",
                       "send the body as JSON with Content-Type: application/json");
    json_error_t je;
    req->json = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!req->json)
        return lw_fail(err, LW_EINVAL, NULL,
                       "the body is not valid JSON: %s at line %d, column %d (byte %d)", je.text,
                       je.line, je.column, je.position);
    return LW_OK;
}

void api_dispatch(api_request *req, api_response *res) {
    const api_route *rt = req->route;
    lw_error err;
    lw_error_clear(&err);
    lw_status st = LW_OK;

    if (!(rt->flags & API_NO_DB)) {
        st = store_acquire_for(req->app->store, api_writes(req), &req->db, &err);
        if (st != LW_OK) {
            req->db = NULL;
            goto fail;
        }
    }
    if (rt->roles) {
        st = authenticate(req, &err);
        if (st != LW_OK)
            goto fail;
        if (!(rt->roles & LW_ROLE_BIT(req->who.role))) {
            lw_error ignored;
            /* Name the route refused, so the audit log says what was attempted. */
            lw_ignore(audit_row(req, "access.denied", "route",
                                arena_printf(req->arena, "%s %s", rt->method, rt->pattern),
                                "denied", &ignored));
            st = lw_fail(&err, LW_EFORBIDDEN, NULL, "this needs the role %s; you are %s",
                         roles_text(req->arena, rt->roles), role_name(req->who.role));
            goto fail;
        }
    }
    st = parse_body(req, &err);
    if (st != LW_OK)
        goto fail;
    rt->handler(req, res);
    goto done;
fail:
    api_fail(res, &err);
    if (st == LW_EAUTH)
        api_header(res, "WWW-Authenticate", "Bearer realm=\"linkwell\"");
done:
    json_decref(req->json);
    req->json = NULL;
    if (req->db)
        store_release(req->app->store, req->db);
    req->db = NULL;
}
