/* Users: who am I, and the admin's list, create, read and change. */
#include <string.h>

#include "api/accounts.h"
#include "api/api.h"

void api_users_me(api_request *req, api_response *res) {
    lw_error err;
    lw_user u;
    lw_status st = store_user_get(req->db, req->arena, req->who.user_id, &u, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, api_user_json(&u));
}

void api_users_list(api_request *req, api_response *res) {
    lw_error err;
    lw_page pg;
    lw_user_filter f = {.active = -1};
    lw_status st = api_page(req, &pg, &err);
    if (st == LW_OK)
        st = api_query_id(req, "organisation_id", &f.org_id, &err);
    f.role = api_query(req, "role");
    if (st == LW_OK && f.role && role_parse(f.role) < 0)
        st = lw_fail(&err, LW_EINVAL, "role", "'%.40s' is not a role (one of %s)", f.role,
                     role_names_list());
    const char *active = api_query(req, "active");
    if (st == LW_OK && active) {
        if (strcmp(active, "true") == 0)
            f.active = 1;
        else if (strcmp(active, "false") == 0)
            f.active = 0;
        else
            st = lw_fail(&err, LW_EINVAL, "active", "must be true or false");
    }
    lw_user *users = NULL;
    int n = 0;
    int64_t total = 0;
    if (st == LW_OK)
        st = store_user_list(req->db, req->arena, &f, pg, &users, &n, &total, &err);
    if (st == LW_OK)
        st = api_audit(req, "user.list", "user", 0, "ok", &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, api_user_json(&users[i]));
    api_json(res, 200, api_paged(list, total, pg));
}

/* Validates a role name from the body. */
static lw_status check_role(const char *role, lw_error *err) {
    if (role && role_parse(role) < 0)
        return lw_fail(err, LW_EINVAL, "role", "'%.40s' is not a role (one of %s)", role,
                       role_names_list());
    return LW_OK;
}

void api_users_create(api_request *req, api_response *res) {
    static const char *const fields[] = {"email",           "name",     "role",
                                         "organisation_id", "password", NULL};
    lw_error err;
    const char *email, *name, *role, *password;
    int64_t org_id = 0, id = 0;
    lw_status st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jin_string(req->json, "email", 1, LW_EMAIL_MAX, &email, &err);
    if (st == LW_OK)
        st = jin_string(req->json, "name", 1, LW_NAME_MAX, &name, &err);
    if (st == LW_OK)
        st = jin_string(req->json, "role", 1, 64, &role, &err);
    if (st == LW_OK)
        st = jin_id(req->json, "organisation_id", 1, &org_id, &err);
    if (st == LW_OK)
        st = jin_string(req->json, "password", 1, LW_PASSWORD_MAX, &password, &err);
    lw_actor by = api_actor(req);
    if (st == LW_OK)
        st = accounts_user_create(req->db, org_id, email, name, role, password, req->app->pwcost,
                                  clock_now(&req->app->clock), &by, &id, &err);
    lw_user u;
    if (st == LW_OK)
        st = store_user_get(req->db, req->arena, id, &u, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    api_header(res, "Location", arena_printf(req->arena, "/api/v1/users/%lld", (long long)id));
    api_json(res, 201, api_user_json(&u));
}

void api_users_get(api_request *req, api_response *res) {
    lw_error err;
    int64_t id;
    lw_user u;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = store_user_get(req->db, req->arena, id, &u, &err);
    if (st == LW_OK)
        st = api_audit(req, "user.read", "user", id, "ok", &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, api_user_json(&u));
}

void api_users_update(api_request *req, api_response *res) {
    static const char *const fields[] = {"name", "role", "active", "password", NULL};
    lw_error err;
    int64_t id;
    const char *name, *role, *password;
    int active = -1;
    lw_user u;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = store_user_get(req->db, req->arena, id, &u, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jin_string(req->json, "name", 0, LW_NAME_MAX, &name, &err);
    if (st == LW_OK && name)
        st = account_name_check(name, "name", &err);
    if (st == LW_OK)
        st = jin_string(req->json, "role", 0, 64, &role, &err);
    if (st == LW_OK)
        st = check_role(role, &err);
    if (st == LW_OK)
        st = jin_bool(req->json, "active", 0, &active, &err);
    if (st == LW_OK)
        st = jin_string(req->json, "password", 0, LW_PASSWORD_MAX, &password, &err);
    if (st == LW_OK && password)
        st = account_password_check(password, "password", &err);
    if (st == LW_OK && !name && !role && active < 0 && !password)
        st = lw_fail(&err, LW_EINVAL, NULL,
                     "nothing to change: give at least one of name, role, active, password");
    /* An administrator cannot lock themselves out. */
    if (st == LW_OK && id == req->who.user_id &&
        (active == 0 || (role && strcmp(role, "admin") != 0)))
        st = lw_fail(&err, LW_ECONFLICT, active == 0 ? "active" : "role",
                     "you cannot deactivate yourself or take away your own admin role; ask "
                     "another administrator");
    char hash[LW_PWHASH_LEN];
    if (st == LW_OK && password)
        st = crypto_password_hash(password, req->app->pwcost, hash, &err);
    int64_t now = clock_now(&req->app->clock);
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_user_update(req->db, id, role, name, active, now, &err);
    if (st == LW_OK && password)
        st = store_user_set_password(req->db, id, hash, now, req->who.session_digest, &err);
    if (st == LW_OK)
        st = api_audit(req, "user.update", "user", id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st == LW_OK)
        st = store_user_get(req->db, req->arena, id, &u, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, api_user_json(&u));
}
