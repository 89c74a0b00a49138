/* Organisations, users, sessions, API tokens and login failures. */
#include <string.h>

#include "store/db.h"
#include "store/store.h"

static int page_offset(lw_page pg) {
    return (pg.page - 1) * pg.per_page;
}

/* ---- organisations ---- */

#define ORG_COLS "o.id, o.name, o.kind, o.active, o.created_at"

static void org_row(const db_result *r, int i, lw_org *o) {
    o->id = db_int(r, i, 0);
    o->name = db_text(r, i, 1);
    o->kind = db_text(r, i, 2);
    o->active = (int)db_int(r, i, 3);
    o->created_at = db_int(r, i, 4);
}

lw_status store_org_insert(lw_db *db, const char *name, const char *kind, int64_t now, int64_t *id,
                           lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_S(name), DB_S(kind), DB_I(now)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO organisations (name, kind, active, created_at) "
                            "VALUES ($1, $2, 1, $3) RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_ECONFLICT)
        st = lw_fail(err, LW_ECONFLICT, "name", "an organisation called '%.100s' already exists",
                     name);
    else if (st == LW_OK)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

static lw_status org_one(lw_db *db, lw_arena *a, const char *sql, db_val key, lw_org *out,
                         lw_error *err) {
    db_result r;
    lw_status st = db_query(db, a, sql, &key, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such organisation");
    org_row(&r, 0, out);
    return LW_OK;
}

lw_status store_org_get(lw_db *db, lw_arena *a, int64_t id, lw_org *out, lw_error *err) {
    return org_one(db, a, "SELECT " ORG_COLS " FROM organisations o WHERE o.id = $1", DB_I(id), out,
                   err);
}

lw_status store_org_by_name(lw_db *db, lw_arena *a, const char *name, lw_org *out, lw_error *err) {
    return org_one(db, a, "SELECT " ORG_COLS " FROM organisations o WHERE o.name = $1", DB_S(name),
                   out, err);
}

lw_status store_org_list(lw_db *db, lw_arena *a, lw_page pg, lw_org **out, int *n, int64_t *total,
                         lw_error *err) {
    db_result r;
    lw_status st = db_query(db, a, "SELECT count(*) FROM organisations", NULL, 0, &r, err);
    if (st != LW_OK)
        return st;
    *total = db_int(&r, 0, 0);
    db_val p[] = {DB_I(pg.per_page), DB_I(page_offset(pg))};
    st = db_query(db, a,
                  "SELECT " ORG_COLS " FROM organisations o ORDER BY o.name, o.id "
                  "LIMIT $1 OFFSET $2",
                  p, DB_NPARAMS(p), &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++)
        org_row(&r, i, &(*out)[i]);
    *n = r.nrows;
    return LW_OK;
}

lw_status store_org_update(lw_db *db, int64_t id, const char *name, const char *kind, int active,
                           lw_error *err) {
    db_val p[] = {DB_I(id), DB_S(name), DB_S(kind), active < 0 ? DB_NUL : DB_I(active)};
    int64_t changes = 0;
    lw_status st = db_exec(db,
                           "UPDATE organisations SET name = coalesce($2, name), "
                           "kind = coalesce($3, kind), active = coalesce($4, active) "
                           "WHERE id = $1",
                           p, DB_NPARAMS(p), &changes, err);
    if (st == LW_ECONFLICT)
        return lw_fail(err, LW_ECONFLICT, "name", "an organisation called '%.100s' already exists",
                       name ? name : "");
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such organisation");
    if (st == LW_OK && active == 0) {
        /* Deactivation ends every session and revokes every API token of its users,
         * so that reactivating does not bring old credentials back. */
        db_val q[] = {DB_I(id)};
        st = db_exec(db,
                     "DELETE FROM sessions WHERE user_id IN "
                     "(SELECT id FROM users WHERE organisation_id = $1)",
                     q, 1, NULL, err);
        if (st == LW_OK)
            st = db_exec(db,
                         "DELETE FROM api_tokens WHERE user_id IN "
                         "(SELECT id FROM users WHERE organisation_id = $1)",
                         q, 1, NULL, err);
    }
    return st;
}

/* ---- users ---- */

#define USER_COLS                                                                                  \
    "u.id, u.organisation_id, o.name, o.kind, o.active, u.email, u.name, u.role, u.active, "       \
    "u.created_at"
#define USER_FROM " FROM users u JOIN organisations o ON o.id = u.organisation_id "

static void user_row(const db_result *r, int i, int col, lw_user *u) {
    u->id = db_int(r, i, col + 0);
    u->org_id = db_int(r, i, col + 1);
    u->org_name = db_text(r, i, col + 2);
    u->org_kind = db_text(r, i, col + 3);
    u->org_active = (int)db_int(r, i, col + 4);
    u->email = db_text(r, i, col + 5);
    u->name = db_text(r, i, col + 6);
    u->role = db_text(r, i, col + 7);
    u->active = (int)db_int(r, i, col + 8);
    u->created_at = db_int(r, i, col + 9);
    u->password_hash = NULL; /* only store_user_by_email reads it */
}

lw_status store_user_insert(lw_db *db, int64_t org_id, const char *email, const char *name,
                            const char *role, const char *password_hash, int64_t now, int64_t *id,
                            lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(org_id), DB_S(email),         DB_S(name),
                  DB_S(role),   DB_S(password_hash), DB_I(now)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO users (organisation_id, email, name, role, "
                            "password_hash, active, created_at, updated_at) "
                            "VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_ECONFLICT)
        st = lw_fail(err, LW_ECONFLICT, "email", "a user with this email already exists");
    else if (st == LW_OK)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

lw_status store_user_get(lw_db *db, lw_arena *a, int64_t id, lw_user *out, lw_error *err) {
    db_val p[] = {DB_I(id)};
    db_result r;
    lw_status st = db_query(db, a, "SELECT " USER_COLS USER_FROM "WHERE u.id = $1", p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such user");
    user_row(&r, 0, 0, out);
    return LW_OK;
}

lw_status store_user_by_email(lw_db *db, lw_arena *a, const char *email, lw_user *out,
                              lw_error *err) {
    db_val p[] = {DB_S(email)};
    db_result r;
    lw_status st =
        db_query(db, a, "SELECT " USER_COLS ", u.password_hash" USER_FROM "WHERE u.email = $1", p,
                 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such user");
    user_row(&r, 0, 0, out);
    out->password_hash = db_text(&r, 0, 10);
    return LW_OK;
}

lw_status store_user_list(lw_db *db, lw_arena *a, const lw_user_filter *f, lw_page pg,
                          lw_user **out, int *n, int64_t *total, lw_error *err) {
    db_val p[] = {DB_ID(f->org_id), DB_S(f->role), f->active < 0 ? DB_NUL : DB_I(f->active),
                  DB_I(pg.per_page), DB_I(page_offset(pg))};
#define USER_WHERE                                                                                 \
    "WHERE (CAST($1 AS BIGINT) IS NULL OR u.organisation_id = $1) "                                \
    "AND (CAST($2 AS TEXT) IS NULL OR u.role = $2) "                                               \
    "AND (CAST($3 AS INTEGER) IS NULL OR u.active = $3) "
    db_result r;
    lw_status st = db_query(db, a, "SELECT count(*)" USER_FROM USER_WHERE, p, 3, &r, err);
    if (st != LW_OK)
        return st;
    *total = db_int(&r, 0, 0);
    st = db_query(db, a,
                  "SELECT " USER_COLS USER_FROM USER_WHERE "ORDER BY u.email LIMIT $4 OFFSET $5", p,
                  DB_NPARAMS(p), &r, err);
#undef USER_WHERE
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++)
        user_row(&r, i, 0, &(*out)[i]);
    *n = r.nrows;
    return LW_OK;
}

lw_status store_user_update(lw_db *db, int64_t id, const char *role, const char *name, int active,
                            int64_t now, lw_error *err) {
    db_val p[] = {DB_I(id), DB_S(role), DB_S(name), active < 0 ? DB_NUL : DB_I(active), DB_I(now)};
    int64_t changes = 0;
    lw_status st = db_exec(db,
                           "UPDATE users SET role = coalesce($2, role), name = coalesce($3, name), "
                           "active = coalesce($4, active), updated_at = $5 WHERE id = $1",
                           p, DB_NPARAMS(p), &changes, err);
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such user");
    if (st == LW_OK && active == 0) {
        db_val q[] = {DB_I(id)};
        st = db_exec(db, "DELETE FROM sessions WHERE user_id = $1", q, 1, NULL, err);
        if (st == LW_OK)
            st = db_exec(db, "DELETE FROM api_tokens WHERE user_id = $1", q, 1, NULL, err);
    }
    return st;
}

lw_status store_user_set_password(lw_db *db, int64_t id, const char *password_hash, int64_t now,
                                  const char *keep_session, lw_error *err) {
    db_val p[] = {DB_I(id), DB_S(password_hash), DB_I(now)};
    int64_t changes = 0;
    lw_status st = db_exec(db, "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
                           p, DB_NPARAMS(p), &changes, err);
    if (st == LW_OK && changes == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such user");
    if (st == LW_OK) {
        /* A new password ends the user's other sessions (a reset after a leak must
         * lock the intruder out); the session making the change may stay. */
        db_val q[] = {DB_I(id), DB_S(keep_session)};
        st = db_exec(db,
                     "DELETE FROM sessions WHERE user_id = $1 "
                     "AND (CAST($2 AS TEXT) IS NULL OR id_digest <> $2)",
                     q, DB_NPARAMS(q), NULL, err);
    }
    return st;
}

/* ---- sessions ---- */

lw_status store_session_insert(lw_db *db, const char *id_digest, const char *csrf_digest,
                               int64_t user_id, int64_t now, lw_error *err) {
    db_val p[] = {DB_S(id_digest), DB_I(user_id), DB_S(csrf_digest), DB_I(now)};
    return db_exec(db,
                   "INSERT INTO sessions (id_digest, user_id, csrf_digest, created_at, "
                   "last_seen_at) VALUES ($1, $2, $3, $4, $4)",
                   p, DB_NPARAMS(p), NULL, err);
}

lw_status store_session_get(lw_db *db, lw_arena *a, const char *id_digest, lw_session *out,
                            lw_error *err) {
    db_val p[] = {DB_S(id_digest)};
    db_result r;
    lw_status st =
        db_query(db, a,
                 "SELECT s.id_digest, s.csrf_digest, s.created_at, s.last_seen_at, " USER_COLS
                 " FROM sessions s JOIN users u ON u.id = s.user_id "
                 "JOIN organisations o ON o.id = u.organisation_id "
                 "WHERE s.id_digest = $1",
                 p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such session");
    out->id_digest = db_text(&r, 0, 0);
    out->csrf_digest = db_text(&r, 0, 1);
    out->created_at = db_int(&r, 0, 2);
    out->last_seen_at = db_int(&r, 0, 3);
    user_row(&r, 0, 4, &out->user);
    return LW_OK;
}

lw_status store_session_touch(lw_db *db, const char *id_digest, int64_t now, lw_error *err) {
    db_val p[] = {DB_S(id_digest), DB_I(now)};
    return db_exec(db, "UPDATE sessions SET last_seen_at = $2 WHERE id_digest = $1", p,
                   DB_NPARAMS(p), NULL, err);
}

lw_status store_session_delete(lw_db *db, const char *id_digest, lw_error *err) {
    db_val p[] = {DB_S(id_digest)};
    return db_exec(db, "DELETE FROM sessions WHERE id_digest = $1", p, 1, NULL, err);
}

lw_status store_session_purge(lw_db *db, int64_t now, int64_t idle_ms, int64_t max_ms,
                              lw_error *err) {
    db_val p[] = {DB_I(now - idle_ms), DB_I(now - max_ms)};
    return db_exec(db, "DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2", p,
                   DB_NPARAMS(p), NULL, err);
}

/* ---- API tokens ---- */

lw_status store_token_insert(lw_db *db, const char *digest, int64_t user_id, int64_t now,
                             int64_t *id, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_S(digest), DB_I(user_id), DB_I(now)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO api_tokens (digest, user_id, created_at) "
                            "VALUES ($1, $2, $3) RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_OK)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

lw_status store_token_get(lw_db *db, lw_arena *a, const char *digest, int64_t *token_id,
                          lw_user *user, lw_error *err) {
    db_val p[] = {DB_S(digest)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT t.id, " USER_COLS " FROM api_tokens t "
                            "JOIN users u ON u.id = t.user_id "
                            "JOIN organisations o ON o.id = u.organisation_id "
                            "WHERE t.digest = $1",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such token");
    *token_id = db_int(&r, 0, 0);
    user_row(&r, 0, 1, user);
    return LW_OK;
}

lw_status store_token_touch(lw_db *db, int64_t token_id, int64_t now, lw_error *err) {
    db_val p[] = {DB_I(token_id), DB_I(now)};
    return db_exec(db, "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", p, DB_NPARAMS(p),
                   NULL, err);
}

lw_status store_token_list(lw_db *db, lw_arena *a, int64_t user_id, lw_token_info **out, int *n,
                           lw_error *err) {
    db_val p[] = {DB_I(user_id)};
    db_result r;
    lw_status st =
        db_query(db, a,
                 "SELECT id, created_at, last_used_at FROM api_tokens WHERE user_id = $1 "
                 "ORDER BY id DESC",
                 p, 1, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++)
        (*out)[i] = (lw_token_info){db_int(&r, i, 0), db_int(&r, i, 1), db_int(&r, i, 2)};
    *n = r.nrows;
    return LW_OK;
}

lw_status store_token_delete(lw_db *db, int64_t token_id, int64_t *user_id, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(token_id)};
    db_result r;
    lw_status st =
        db_query(db, a, "DELETE FROM api_tokens WHERE id = $1 RETURNING user_id", p, 1, &r, err);
    if (st == LW_OK && r.nrows == 0)
        st = lw_fail(err, LW_ENOTFOUND, "id", "there is no token %lld", (long long)token_id);
    if (st == LW_OK)
        *user_id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

/* ---- login failures ---- */

lw_status store_login_failure_add(lw_db *db, const char *key, int64_t now, int64_t *id,
                                  lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_S(key), DB_I(now)};
    db_result r;
    lw_status st =
        db_query(db, a, "INSERT INTO login_failures (key, at) VALUES ($1, $2) RETURNING id", p,
                 DB_NPARAMS(p), &r, err);
    if (st == LW_OK && id)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

lw_status store_login_failure_delete(lw_db *db, int64_t id, lw_error *err) {
    db_val p[] = {DB_I(id)};
    return db_exec(db, "DELETE FROM login_failures WHERE id = $1", p, 1, NULL, err);
}

lw_status store_login_failures_purge(lw_db *db, int64_t before, lw_error *err) {
    db_val p[] = {DB_I(before)};
    return db_exec(db, "DELETE FROM login_failures WHERE at < $1", p, 1, NULL, err);
}

lw_status store_login_failures(lw_db *db, const char *key, int64_t since, int *count,
                               int64_t *oldest, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_S(key), DB_I(since)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT count(*), min(at) FROM login_failures "
                            "WHERE key = $1 AND at >= $2",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_OK) {
        *count = (int)db_int(&r, 0, 0);
        *oldest = db_int(&r, 0, 1);
    }
    arena_free(a);
    return st;
}

lw_status store_login_failures_clear(lw_db *db, const char *key, lw_error *err) {
    db_val p[] = {DB_S(key)};
    return db_exec(db, "DELETE FROM login_failures WHERE key = $1", p, 1, NULL, err);
}
