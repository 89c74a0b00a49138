/* Signing in and out, sessions, CSRF, throttling, deactivation. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PW "correct horse battery"

static int setup(void **state) {
    th_server *s = th_start();
    int64_t admin_org = th_org(s, "Admin Org", "other");
    int64_t gp = th_org(s, "Riverside Medical Practice", "gp_practice");
    th_user(s, admin_org, "admin@example.org", "admin", PW);
    th_user(s, gp, "gp@example.org", "referrer", PW);
    *state = s;
    return 0;
}

static int teardown(void **state) {
    th_stop(*state);
    return 0;
}

static void login_ok_sets_httponly_strict_cookie(void **state) {
    th_server *s = *state;
    th_resp *r = th_call(s, NULL, "POST", "/api/v1/session",
                         "{\"email\": \"GP@example.org\", \"password\": \"" PW "\"}");
    assert_int_equal(r->status, 201);
    char sc[512];
    assert_non_null(th_header(r, "Set-Cookie", sc, sizeof sc));
    assert_non_null(strstr(sc, "lw_session="));
    assert_non_null(strstr(sc, "HttpOnly"));
    assert_non_null(strstr(sc, "SameSite=Strict"));
    const char *csrf = json_string_value(json_object_get(r->json, "csrf_token"));
    assert_non_null(csrf);
    assert_true(strlen(csrf) > 20);
    json_t *user = json_object_get(r->json, "user");
    assert_string_equal(json_string_value(json_object_get(user, "email")), "gp@example.org");
    assert_string_equal(json_string_value(json_object_get(user, "role")), "referrer");
    assert_null(json_object_get(user, "password_hash"));
    th_resp_free(r);
}

static void wrong_password_and_unknown_user_look_the_same(void **state) {
    th_server *s = *state;
    th_resp *a = th_call(s, NULL, "POST", "/api/v1/session",
                         "{\"email\": \"gp@example.org\", \"password\": \"wrong password!\"}");
    th_resp *b = th_call(s, NULL, "POST", "/api/v1/session",
                         "{\"email\": \"nobody@example.org\", \"password\": \"wrong password!\"}");
    th_assert_problem(a, 401);
    th_assert_problem(b, 401);
    assert_string_equal(json_string_value(json_object_get(a->json, "detail")),
                        json_string_value(json_object_get(b->json, "detail")));
    th_resp_free(a);
    th_resp_free(b);
}

static void me_needs_credentials(void **state) {
    th_server *s = *state;
    th_resp *r = th_call(s, NULL, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    th_resp_free(r);
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
    r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(json_string_value(json_object_get(r->json, "role")), "referrer");
    th_resp_free(r);
}

static void logout_ends_the_session(void **state) {
    th_server *s = *state;
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
    th_resp *r = th_call(s, &c, "DELETE", "/api/v1/session", NULL);
    assert_int_equal(r->status, 204);
    th_resp_free(r);
    r = th_call(s, &c, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    th_resp_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(login_ok_sets_httponly_strict_cookie, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_password_and_unknown_user_look_the_same, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(me_needs_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(logout_ends_the_session, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
