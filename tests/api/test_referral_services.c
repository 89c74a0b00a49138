/*
 * GET /api/v1/referral-services: the link worker services a referral form
 * offers, by name; inactive services and other kinds of organisation are left
 * out, and no one gets more than id and name; no sign-in is needed (the
 * self-referral form asks too).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PW "correct horse battery"

static void lists_active_link_worker_services_only(void **state) {
    (void)state;
    th_server *s = th_start();
    int64_t gp = th_org(s, "Riverside Medical Practice", "gp_practice");
    int64_t north = th_org(s, "Northside Social Prescribing", "link_worker_service");
    int64_t south = th_org(s, "Ashby Link Workers", "link_worker_service");
    int64_t gone = th_org(s, "Closed Link Workers", "link_worker_service");
    th_org(s, "Riverside Gardens", "vcse");
    th_user(s, gp, "gp@example.org", "referrer", PW);
    th_client c = {0};
    assert_int_equal(th_login(s, &c, "gp@example.org", PW), 201);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE organisations SET active = 0 WHERE id = %lld",
             (long long)gone);
    assert_int_equal(th_sql_exec(s, sql, NULL, 0), 0);

    th_resp *r = th_call(s, &c, "GET", "/api/v1/referral-services", NULL);
    assert_int_equal(r->status, 200);
    json_t *list = json_object_get(r->json, "contents");
    assert_int_equal(json_array_size(list), 2);
    /* By name: Ashby before Northside. */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "id")), south);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
                        "Ashby Link Workers");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 1), "id")), north);
    assert_int_equal(json_object_size(json_array_get(list, 0)), 2);
    assert_null(strstr(r->body, "Closed Link Workers"));
    assert_null(strstr(r->body, "Riverside Gardens"));
    th_resp_free(r);

    /* The self-referral form asks too, without signing in: the same answer. */
    r = th_call(s, NULL, "GET", "/api/v1/referral-services", NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "contents")), 2);
    th_resp_free(r);
    r = th_call(s, NULL, "GET", "/api/v1/referral-services", "{}");
    th_assert_problem(r, 400);
    th_resp_free(r);
    th_stop(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lists_active_link_worker_services_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
