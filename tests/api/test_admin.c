/*
 * The administrator's endpoints: organisations, users and the audit log,
 * signed in as an admin. Every response is checked for password hashes.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PW "correct horse battery"
#define DAY_MS (24LL * 3600 * 1000)

typedef struct fx {
    th_server *s;
    th_client admin;
    int64_t admin_id, admin_org, gp_org, gp_id;
} fx;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->s = th_start();
    f->admin_org = th_org(f->s, "Admin Org", "other");
    f->gp_org = th_org(f->s, "Riverside Medical Practice", "gp_practice");
    f->admin_id = th_user(f->s, f->admin_org, "admin@example.org", "admin", PW);
    f->gp_id = th_user(f->s, f->gp_org, "gp@example.org", "referrer", PW);
    assert_int_equal(th_login(f->s, &f->admin, "admin@example.org", PW), 201);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    th_stop(f->s);
    free(f);
    return 0;
}

/* ---- helpers ---- */

/* A request as C (NULL: anonymous) whose answer must never carry a password hash. */
static th_resp *call(fx *f, const th_client *c, const char *method, const char *path,
                     const char *body) {
    th_resp *r = th_call(f->s, c, method, path, body);
    if (strstr(r->body, "password_hash") || strstr(r->body, "$argon2") ||
        strstr(r->headers, "$argon2"))
        fail_msg("%s %s answered with a password hash: %s", method, path, r->body);
    return r;
}

/* call() with a JSON body built by the caller (stolen). */
static th_resp *callj(fx *f, const th_client *c, const char *method, const char *path,
                      json_t *body) {
    assert_non_null(body);
    char *text = json_dumps(body, 0);
    json_decref(body);
    th_resp *r = call(f, c, method, path, text);
    free(text);
    return r;
}

/* call() with a printf-style path. */
static th_resp *getf(fx *f, const th_client *c, const char *fmt, ...) LW_PRINTF(3, 4);
static th_resp *getf(fx *f, const th_client *c, const char *fmt, ...) {
    char path[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof path);
    return call(f, c, "GET", path, NULL);
}

/* PATCH /api/v1/KIND/ID as the admin (BODY stolen). */
static th_resp *patchf(fx *f, const char *kind, int64_t id, json_t *body) {
    char path[128];
    snprintf(path, sizeof path, "/api/v1/%s/%lld", kind, (long long)id);
    return callj(f, &f->admin, "PATCH", path, body);
}

static void expect_status(const th_resp *r, long status) {
    if (r->status != status)
        fail_msg("expected %ld, got %ld: %s", status, r->status, r->body);
}

/* Asserts R is a problem with STATUS naming FIELD; frees R. */
static void expect_field(th_resp *r, long status, const char *field) {
    const char *got = th_assert_problem(r, status);
    if (!got || strcmp(got, field) != 0)
        fail_msg("expected field '%s', got '%s': %s", field, got ? got : "(none)", r->body);
    th_resp_free(r);
}

static const char *jstr(const json_t *j, const char *key) {
    return json_string_value(json_object_get(j, key));
}

static int64_t jint(const json_t *j, const char *key) {
    return (int64_t)json_integer_value(json_object_get(j, key));
}

static long long count(fx *f, const char *sql) {
    return th_sql_count(f->s, sql);
}

/* The first column of the first row of SQL as text (caller frees), NULL when no row. */
static char *sql_text(fx *f, const char *sql) {
    char *all = th_sql_text(f->s, sql);
    if (!*all) {
        free(all);
        return NULL;
    }
    all[strcspn(all, "\t\n")] = '\0';
    return all;
}

static int64_t create_org(fx *f, const char *name, const char *kind) {
    th_resp *r = callj(f, &f->admin, "POST", "/api/v1/organisations",
                       json_pack("{s:s, s:s}", "name", name, "kind", kind));
    expect_status(r, 201);
    int64_t id = jint(r->json, "id");
    assert_true(id > 0);
    th_resp_free(r);
    return id;
}

static int64_t create_user(fx *f, int64_t org, const char *email, const char *role,
                           const char *password) {
    th_resp *r =
        callj(f, &f->admin, "POST", "/api/v1/users",
              json_pack("{s:s, s:s, s:s, s:I, s:s}", "email", email, "name", "Sam Example", "role",
                        role, "organisation_id", (json_int_t)org, "password", password));
    expect_status(r, 201);
    int64_t id = jint(r->json, "id");
    assert_true(id > 0);
    th_resp_free(r);
    return id;
}

/* ---- organisations ---- */

static void org_create_answers_201_with_location_and_body(void **state) {
    fx *f = *state;
    th_resp *r = callj(f, &f->admin, "POST", "/api/v1/organisations",
                       json_pack("{s:s, s:s}", "name", "Northside CMHT", "kind", "cmht"));
    expect_status(r, 201);
    int64_t id = jint(r->json, "id");
    assert_true(id > 0);
    assert_string_equal(jstr(r->json, "name"), "Northside CMHT");
    assert_string_equal(jstr(r->json, "kind"), "cmht");
    assert_true(json_is_true(json_object_get(r->json, "active")));
    assert_non_null(jstr(r->json, "created_at"));
    char loc[128], want[128];
    snprintf(want, sizeof want, "/api/v1/organisations/%lld", (long long)id);
    assert_non_null(th_header(r, "Location", loc, sizeof loc));
    assert_string_equal(loc, want);
    th_resp_free(r);

    r = call(f, &f->admin, "GET", want, NULL);
    expect_status(r, 200);
    assert_int_equal(jint(r->json, "id"), id);
    assert_string_equal(jstr(r->json, "name"), "Northside CMHT");
    assert_string_equal(jstr(r->json, "kind"), "cmht");
    th_resp_free(r);
    assert_int_equal(count(f, "SELECT count(*) FROM organisations WHERE name = 'Northside CMHT'"),
                     1);
}

static void org_create_refuses_bad_input_and_writes_nothing(void **state) {
    fx *f = *state;
    long long orgs = count(f, "SELECT count(*) FROM organisations");
    long long audits = count(f, "SELECT count(*) FROM audit_log");

    th_resp *r =
        callj(f, &f->admin, "POST", "/api/v1/organisations",
              json_pack("{s:s, s:s}", "name", "Riverside Medical Practice", "kind", "gp_practice"));
    expect_field(r, 409, "name");

    r = callj(f, &f->admin, "POST", "/api/v1/organisations",
              json_pack("{s:s, s:s}", "name", "Hilltop", "kind", "hospital"));
    const char *field = th_assert_problem(r, 400);
    assert_non_null(field);
    assert_string_equal(field, "kind");
    const char *detail = jstr(r->json, "detail");
    static const char *const kinds[] = {"gp_practice",         "cmht", "inpatient_ward",
                                        "link_worker_service", "vcse", "commissioner",
                                        "community",           "other"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strstr(detail, kinds[i]))
            fail_msg("the detail does not list the kind '%s': %s", kinds[i], detail);
    th_resp_free(r);

    char long_name[202];
    memset(long_name, 'n', 201);
    long_name[201] = '\0';
    static const char *const bad_names[] = {"", "   ", NULL};
    for (int i = 0; bad_names[i]; i++) {
        r = callj(f, &f->admin, "POST", "/api/v1/organisations",
                  json_pack("{s:s, s:s}", "name", bad_names[i], "kind", "vcse"));
        expect_field(r, 400, "name");
    }
    r = callj(f, &f->admin, "POST", "/api/v1/organisations",
              json_pack("{s:s, s:s}", "name", long_name, "kind", "vcse"));
    expect_field(r, 400, "name");
    r = callj(f, &f->admin, "POST", "/api/v1/organisations", json_pack("{s:s}", "kind", "vcse"));
    expect_field(r, 400, "name");
    r = callj(f, &f->admin, "POST", "/api/v1/organisations", json_pack("{s:s}", "name", "Hilltop"));
    expect_field(r, 400, "kind");
    r = callj(f, &f->admin, "POST", "/api/v1/organisations",
              json_pack("{s:s, s:i}", "name", "Hilltop", "kind", 3));
    expect_field(r, 400, "kind");
    r = callj(f, &f->admin, "POST", "/api/v1/organisations",
              json_pack("{s:s, s:s, s:b}", "name", "Hilltop", "kind", "vcse", "admin", 1));
    expect_field(r, 400, "admin");

    assert_int_equal(count(f, "SELECT count(*) FROM organisations"), orgs);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log"), audits);

    /* 200 characters is allowed. */
    long_name[200] = '\0';
    create_org(f, long_name, "vcse");
    assert_int_equal(count(f, "SELECT count(*) FROM organisations"), orgs + 1);
}

static void org_list_is_paged_and_get_finds_one(void **state) {
    fx *f = *state;
    create_org(f, "Alpha Trust", "vcse");
    create_org(f, "Beta Council", "commissioner");
    create_org(f, "Gamma Ward", "inpatient_ward");
    long long total = count(f, "SELECT count(*) FROM organisations");
    assert_int_equal(total, 5);
    char seen[5][64];
    int nseen = 0;
    for (int page = 1; page <= 3; page++) {
        th_resp *r = getf(f, &f->admin, "/api/v1/organisations?per_page=2&page=%d", page);
        expect_status(r, 200);
        assert_int_equal(jint(r->json, "total"), total);
        json_t *list = json_object_get(r->json, "contents");
        assert_int_equal(json_array_size(list), page < 3 ? 2 : 1);
        size_t i;
        json_t *o;
        json_array_foreach(list, i, o) {
            for (int k = 0; k < nseen; k++)
                assert_string_not_equal(seen[k], jstr(o, "name"));
            snprintf(seen[nseen++], sizeof seen[0], "%s", jstr(o, "name"));
        }
        th_resp_free(r);
    }
    assert_int_equal(nseen, 5);

    th_resp *r = getf(f, &f->admin, "/api/v1/organisations/%lld", (long long)f->gp_org);
    expect_status(r, 200);
    assert_string_equal(jstr(r->json, "name"), "Riverside Medical Practice");
    assert_string_equal(jstr(r->json, "kind"), "gp_practice");
    th_resp_free(r);

    static const char *const missing[] = {"/api/v1/organisations/99999",
                                          "/api/v1/organisations/abc", "/api/v1/organisations/0",
                                          "/api/v1/organisations/-1", "/api/v1/organisations/1x"};
    for (size_t k = 0; k < sizeof missing / sizeof missing[0]; k++) {
        r = call(f, &f->admin, "GET", missing[k], NULL);
        if (r->status != 404)
            fail_msg("GET %s: expected 404, got %ld", missing[k], r->status);
        th_assert_problem(r, 404);
        th_resp_free(r);
    }
}

static void org_patch_renames_changes_kind_and_deactivates(void **state) {
    fx *f = *state;
    th_client gp = {0};
    assert_int_equal(th_login(f->s, &gp, "gp@example.org", PW), 201);

    th_resp *r =
        patchf(f, "organisations", f->gp_org, json_pack("{s:s}", "name", "Riverside Surgery"));
    expect_status(r, 200);
    assert_string_equal(jstr(r->json, "name"), "Riverside Surgery");
    assert_string_equal(jstr(r->json, "kind"), "gp_practice");
    th_resp_free(r);
    r = patchf(f, "organisations", f->gp_org, json_pack("{s:s}", "kind", "community"));
    expect_status(r, 200);
    assert_string_equal(jstr(r->json, "name"), "Riverside Surgery");
    assert_string_equal(jstr(r->json, "kind"), "community");
    th_resp_free(r);
    r = getf(f, &f->admin, "/api/v1/organisations/%lld", (long long)f->gp_org);
    assert_string_equal(jstr(r->json, "name"), "Riverside Surgery");
    assert_string_equal(jstr(r->json, "kind"), "community");
    th_resp_free(r);

    /* Refusals change nothing. */
    expect_field(patchf(f, "organisations", f->gp_org, json_pack("{s:s}", "name", "Admin Org")),
                 409, "name");
    expect_field(patchf(f, "organisations", f->gp_org, json_pack("{s:s}", "kind", "castle")), 400,
                 "kind");
    expect_field(patchf(f, "organisations", f->gp_org, json_pack("{s:s}", "name", " ")), 400,
                 "name");
    expect_field(patchf(f, "organisations", f->gp_org, json_pack("{s:s}", "active", "no")), 400,
                 "active");
    r = patchf(f, "organisations", 99999, json_pack("{s:s}", "name", "Ghost"));
    th_assert_problem(r, 404);
    th_resp_free(r);
    assert_int_equal(count(f, "SELECT count(*) FROM organisations WHERE name = 'Riverside "
                              "Surgery' AND kind = 'community' AND active = 1"),
                     1);

    /* Deactivating ends its users' sessions, tokens and sign-ins. */
    th_client bearer = {0};
    th_token(f->s, "gp@example.org", bearer.bearer);
    r = call(f, &gp, "GET", "/api/v1/users/me", NULL);
    expect_status(r, 200);
    th_resp_free(r);
    r = call(f, &bearer, "GET", "/api/v1/users/me", NULL);
    expect_status(r, 200);
    th_resp_free(r);
    r = patchf(f, "organisations", f->gp_org, json_pack("{s:b}", "active", 0));
    expect_status(r, 200);
    assert_true(json_is_false(json_object_get(r->json, "active")));
    th_resp_free(r);
    r = call(f, &gp, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    th_resp_free(r);
    r = call(f, &bearer, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    th_resp_free(r);
    th_client again = {0};
    assert_int_equal(th_login(f->s, &again, "gp@example.org", PW), 401);
    r = patchf(f, "organisations", f->gp_org, json_pack("{s:b}", "active", 1));
    expect_status(r, 200);
    th_resp_free(r);
    assert_int_equal(th_login(f->s, &again, "gp@example.org", PW), 201);
}

static void admin_cannot_deactivate_own_organisation(void **state) {
    fx *f = *state;
    expect_field(patchf(f, "organisations", f->admin_org, json_pack("{s:b}", "active", 0)), 409,
                 "active");
    assert_int_equal(count(f, "SELECT count(*) FROM organisations WHERE name = 'Admin Org' "
                              "AND active = 1"),
                     1);
    th_resp *r = call(f, &f->admin, "GET", "/api/v1/users/me", NULL);
    expect_status(r, 200);
    th_resp_free(r);
    /* Renaming it is fine. */
    r = patchf(f, "organisations", f->admin_org, json_pack("{s:s}", "name", "Operations"));
    expect_status(r, 200);
    th_resp_free(r);
}

/* ---- users ---- */

static void user_create_works_for_every_role(void **state) {
    fx *f = *state;
    static const char *const roles[] = {
        "referrer", "link_worker",  "peer_worker", "clinician_prescriber",
        "provider", "commissioner", "admin"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        char email[64], lower[64];
        snprintf(email, sizeof email, "New.%s@Example.org", roles[i]);
        snprintf(lower, sizeof lower, "new.%s@example.org", roles[i]);
        th_resp *r = callj(f, &f->admin, "POST", "/api/v1/users",
                           json_pack("{s:s, s:s, s:s, s:I, s:s}", "email", email, "name",
                                     "Sam Example", "role", roles[i], "organisation_id",
                                     (json_int_t)f->gp_org, "password", "a long password 1"));
        expect_status(r, 201);
        int64_t id = jint(r->json, "id");
        assert_true(id > 0);
        assert_string_equal(jstr(r->json, "email"), lower);
        assert_string_equal(jstr(r->json, "name"), "Sam Example");
        assert_string_equal(jstr(r->json, "role"), roles[i]);
        assert_true(json_is_true(json_object_get(r->json, "active")));
        assert_int_equal(jint(json_object_get(r->json, "organisation"), "id"), f->gp_org);
        assert_null(json_object_get(r->json, "password"));
        char loc[128], want[128];
        snprintf(want, sizeof want, "/api/v1/users/%lld", (long long)id);
        assert_non_null(th_header(r, "Location", loc, sizeof loc));
        assert_string_equal(loc, want);
        th_resp_free(r);

        th_client c = {0};
        assert_int_equal(th_login(f->s, &c, email, "a long password 1"), 201);
        r = call(f, &c, "GET", "/api/v1/users/me", NULL);
        expect_status(r, 200);
        assert_int_equal(jint(r->json, "id"), id);
        assert_string_equal(jstr(r->json, "role"), roles[i]);
        th_resp_free(r);
    }
}

static void user_create_refuses_bad_input_and_writes_nothing(void **state) {
    fx *f = *state;
    long long users = count(f, "SELECT count(*) FROM users");
    long long creates = count(f, "SELECT count(*) FROM audit_log WHERE action = 'user.create'");
    json_int_t gp = (json_int_t)f->gp_org;
    static const char *const full = "{s:s, s:s, s:s, s:I, s:s}";
#define USER(email, role, org, password)                                                           \
    json_pack(full, "email", email, "name", "Sam", "role", role, "organisation_id", org,           \
              "password", password)
    struct {
        json_t *body;
        long status;
        const char *field;
    } cases[] = {
        {USER("GP@EXAMPLE.ORG", "referrer", gp, "a long password"), 409, "email"},
        {USER("gp@example.org", "referrer", gp, "a long password"), 409, "email"},
        {USER("not-an-email", "referrer", gp, "a long password"), 400, "email"},
        {USER("two@@example.org", "referrer", gp, "a long password"), 400, "email"},
        {USER("space @example.org", "referrer", gp, "a long password"), 400, "email"},
        {USER("new@example.org", "referrer", gp, "123456789"), 400, "password"},
        {USER("new@example.org", "superuser", gp, "a long password"), 400, "role"},
        {USER("new@example.org", "Admin", gp, "a long password"), 400, "role"},
        {USER("new@example.org", "referrer", (json_int_t)99999, "a long password"), 400,
         "organisation_id"},
        {USER("new@example.org", "referrer", (json_int_t)0, "a long password"), 400,
         "organisation_id"},
        {json_pack("{s:s, s:s, s:s, s:s, s:s}", "email", "new@example.org", "name", "Sam", "role",
                   "referrer", "organisation_id", "2", "password", "a long password"),
         400, "organisation_id"},
        {json_pack("{s:s, s:s, s:I, s:s}", "email", "new@example.org", "role", "referrer",
                   "organisation_id", gp, "password", "a long password"),
         400, "name"},
        {json_pack(full, "email", "new@example.org", "name", "   ", "role", "referrer",
                   "organisation_id", gp, "password", "a long password"),
         400, "name"},
        {json_pack("{s:s, s:s, s:s, s:I}", "email", "new@example.org", "name", "Sam", "role",
                   "referrer", "organisation_id", gp),
         400, "password"},
        /* A hash cannot be smuggled in. */
        {json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "email", "new@example.org", "name", "Sam",
                   "role", "referrer", "organisation_id", gp, "password", "a long password",
                   "password_hash", "x"),
         400, "password_hash"},
    };
#undef USER
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_non_null(cases[i].body);
        char *text = json_dumps(cases[i].body, 0);
        json_decref(cases[i].body);
        /* th_call, not call: the last refusal rightly names the field "password_hash". */
        th_resp *r = th_call(f->s, &f->admin, "POST", "/api/v1/users", text);
        assert_null(strstr(r->body, "$argon2"));
        if (r->status != cases[i].status)
            fail_msg("case %zu (%s): expected %ld, got %ld: %s", i, text, cases[i].status,
                     r->status, r->body);
        free(text);
        expect_field(r, cases[i].status, cases[i].field);
        assert_int_equal(count(f, "SELECT count(*) FROM users"), users);
        assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'user.create'"),
                         creates);
    }
    th_client c = {0};
    assert_int_equal(th_login(f->s, &c, "new@example.org", "a long password"), 401);
}

/* Lists users with QUERY: asserts the total, and that every user listed has CHECK_ROLE
 * (unless NULL), CHECK_ACTIVE (unless -1) and CHECK_ORG (unless 0). */
static void expect_list(fx *f, const char *query, long long want_total, const char *check_role,
                        int check_active, int64_t check_org) {
    th_resp *r = getf(f, &f->admin, "/api/v1/users?%s", query);
    expect_status(r, 200);
    if (jint(r->json, "total") != want_total)
        fail_msg("?%s: total %lld, expected %lld", query, (long long)jint(r->json, "total"),
                 want_total);
    json_t *list = json_object_get(r->json, "contents");
    assert_int_equal(json_array_size(list), want_total);
    size_t i;
    json_t *u;
    json_array_foreach(list, i, u) {
        if (check_role)
            assert_string_equal(jstr(u, "role"), check_role);
        if (check_active >= 0)
            assert_int_equal(json_is_true(json_object_get(u, "active")), check_active);
        if (check_org)
            assert_int_equal(jint(json_object_get(u, "organisation"), "id"), check_org);
    }
    th_resp_free(r);
}

static void user_list_filters_by_organisation_role_and_active(void **state) {
    fx *f = *state;
    int64_t lws = create_org(f, "Link Worker Service", "link_worker_service");
    create_user(f, lws, "lw1@example.org", "link_worker", PW);
    int64_t lw2 = create_user(f, lws, "lw2@example.org", "link_worker", PW);
    create_user(f, lws, "peer@example.org", "peer_worker", PW);
    create_user(f, f->gp_org, "gp-lw@example.org", "link_worker", PW);
    th_resp *r = patchf(f, "users", lw2, json_pack("{s:b}", "active", 0));
    expect_status(r, 200);
    th_resp_free(r);

    char q[128];
    snprintf(q, sizeof q, "organisation_id=%lld", (long long)lws);
    expect_list(f, q, 3, NULL, -1, lws);
    expect_list(f, "role=link_worker", 3, "link_worker", -1, 0);
    expect_list(f, "active=false", 1, NULL, 0, 0);
    expect_list(f, "active=true", 5, NULL, 1, 0);
    snprintf(q, sizeof q, "organisation_id=%lld&role=link_worker&active=true", (long long)lws);
    expect_list(f, q, 1, "link_worker", 1, lws);
    expect_list(f, "role=commissioner", 0, NULL, -1, 0);

    expect_field(call(f, &f->admin, "GET", "/api/v1/users?active=yes", NULL), 400, "active");
    expect_field(call(f, &f->admin, "GET", "/api/v1/users?role=boss", NULL), 400, "role");
    expect_field(call(f, &f->admin, "GET", "/api/v1/users?organisation_id=abc", NULL), 400,
                 "organisation_id");
}

static void role_change_shows_on_the_users_next_request(void **state) {
    fx *f = *state;
    th_client gp = {0};
    assert_int_equal(th_login(f->s, &gp, "gp@example.org", PW), 201);
    th_resp *r = call(f, &gp, "GET", "/api/v1/users", NULL);
    th_assert_problem(r, 403);
    th_resp_free(r);

    r = patchf(f, "users", f->gp_id, json_pack("{s:s}", "role", "link_worker"));
    expect_status(r, 200);
    assert_string_equal(jstr(r->json, "role"), "link_worker");
    th_resp_free(r);
    r = call(f, &gp, "GET", "/api/v1/users/me", NULL);
    expect_status(r, 200);
    assert_string_equal(jstr(r->json, "role"), "link_worker");
    th_resp_free(r);

    r = patchf(f, "users", f->gp_id, json_pack("{s:s}", "role", "admin"));
    expect_status(r, 200);
    th_resp_free(r);
    r = call(f, &gp, "GET", "/api/v1/users", NULL);
    expect_status(r, 200);
    th_resp_free(r);

    expect_field(patchf(f, "users", f->gp_id, json_pack("{s:s}", "role", "king")), 400, "role");
    r = patchf(f, "users", 99999, json_pack("{s:s}", "role", "referrer"));
    th_assert_problem(r, 404);
    th_resp_free(r);
}

static void password_change_replaces_the_old_one(void **state) {
    fx *f = *state;
    expect_field(patchf(f, "users", f->gp_id, json_pack("{s:s}", "password", "too short")), 400,
                 "password");
    th_client c = {0};
    assert_int_equal(th_login(f->s, &c, "gp@example.org", PW), 201);

    th_resp *r = patchf(f, "users", f->gp_id, json_pack("{s:s}", "password", "a brand new secret"));
    expect_status(r, 200);
    assert_null(strstr(r->body, "a brand new secret"));
    th_resp_free(r);
    assert_int_equal(th_login(f->s, &c, "gp@example.org", PW), 401);
    assert_int_equal(th_login(f->s, &c, "gp@example.org", "a brand new secret"), 201);
}

/* A new password ends the user's other sessions (a reset after a leak locks the
 * intruder out), but not the admin's own session that made the change. */
static void password_change_ends_the_users_sessions(void **state) {
    fx *f = *state;
    th_client gp = {0};
    assert_int_equal(th_login(f->s, &gp, "gp@example.org", PW), 201);
    th_resp *r = call(f, &gp, "GET", "/api/v1/users/me", NULL);
    expect_status(r, 200);
    th_resp_free(r);
    r = patchf(f, "users", f->gp_id, json_pack("{s:s}", "password", "a brand new secret"));
    expect_status(r, 200);
    th_resp_free(r);
    r = call(f, &gp, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    th_resp_free(r);
    /* The admin changing their own password keeps the session they did it from. */
    th_client other = {0};
    assert_int_equal(th_login(f->s, &other, "admin@example.org", PW), 201);
    r = patchf(f, "users", f->admin_id, json_pack("{s:s}", "password", "the admin's new one"));
    expect_status(r, 200);
    th_resp_free(r);
    r = call(f, &f->admin, "GET", "/api/v1/users/me", NULL);
    expect_status(r, 200);
    th_resp_free(r);
    r = call(f, &other, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    th_resp_free(r);
}

/* A PATCH that changes nothing is refused, and writes no audit row. */
static void empty_patch_is_refused(void **state) {
    fx *f = *state;
    long long before = th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action LIKE "
                                          "'%.update'");
    th_resp *r = patchf(f, "users", f->gp_id, json_object());
    th_assert_problem(r, 400);
    assert_non_null(strstr(json_string_value(json_object_get(r->json, "detail")), "nothing"));
    th_resp_free(r);
    r = patchf(f, "organisations", f->gp_org, json_object());
    th_assert_problem(r, 400);
    th_resp_free(r);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action LIKE "
                                        "'%.update'"),
                     before);
}

/* No user is created in a deactivated organisation: they could never sign in. */
static void no_user_in_a_deactivated_organisation(void **state) {
    fx *f = *state;
    th_resp *r = patchf(f, "organisations", f->gp_org, json_pack("{s:b}", "active", 0));
    expect_status(r, 200);
    th_resp_free(r);
    long long users = th_sql_count(f->s, "SELECT count(*) FROM users");
    expect_field(callj(f, &f->admin, "POST", "/api/v1/users",
                       json_pack("{s:s, s:s, s:s, s:I, s:s}", "email", "new@example.org", "name",
                                 "New Person", "role", "referrer", "organisation_id",
                                 (json_int_t)f->gp_org, "password", "long enough password")),
                 409, "organisation_id");
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM users"), users);
}

static void deactivated_user_is_locked_out_at_once(void **state) {
    fx *f = *state;
    th_client session = {0}, bearer = {0};
    assert_int_equal(th_login(f->s, &session, "gp@example.org", PW), 201);
    th_token(f->s, "gp@example.org", bearer.bearer);
    th_resp *r = call(f, &bearer, "GET", "/api/v1/users/me", NULL);
    expect_status(r, 200);
    th_resp_free(r);

    r = patchf(f, "users", f->gp_id, json_pack("{s:b}", "active", 0));
    expect_status(r, 200);
    assert_true(json_is_false(json_object_get(r->json, "active")));
    th_resp_free(r);
    r = call(f, &session, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    th_resp_free(r);
    r = call(f, &bearer, "GET", "/api/v1/users/me", NULL);
    th_assert_problem(r, 401);
    th_resp_free(r);
    th_client again = {0};
    assert_int_equal(th_login(f->s, &again, "gp@example.org", PW), 401);

    r = patchf(f, "users", f->gp_id, json_pack("{s:b}", "active", 1));
    expect_status(r, 200);
    th_resp_free(r);
    assert_int_equal(th_login(f->s, &again, "gp@example.org", PW), 201);
}

static void admin_cannot_deactivate_or_demote_themselves(void **state) {
    fx *f = *state;
    expect_field(patchf(f, "users", f->admin_id, json_pack("{s:b}", "active", 0)), 409, "active");
    expect_field(patchf(f, "users", f->admin_id, json_pack("{s:s}", "role", "referrer")), 409,
                 "role");
    expect_field(patchf(f, "users", f->admin_id,
                        json_pack("{s:s, s:s}", "name", "Renamed", "role", "provider")),
                 409, "role");
    th_resp *r = call(f, &f->admin, "GET", "/api/v1/users/me", NULL);
    expect_status(r, 200);
    assert_string_equal(jstr(r->json, "role"), "admin");
    assert_true(json_is_true(json_object_get(r->json, "active")));
    assert_string_equal(jstr(r->json, "name"), "Test User");
    th_resp_free(r);
    /* Changing their own name (and restating the admin role) is fine. */
    r = patchf(f, "users", f->admin_id,
               json_pack("{s:s, s:s}", "name", "Ada Admin", "role", "admin"));
    expect_status(r, 200);
    assert_string_equal(jstr(r->json, "name"), "Ada Admin");
    th_resp_free(r);
}

static void no_response_carries_a_password_hash(void **state) {
    fx *f = *state;
    int64_t id = create_user(f, f->gp_org, "hash@example.org", "provider", PW);
    char *hash = sql_text(f, "SELECT password_hash FROM users WHERE email = 'hash@example.org'");
    assert_non_null(hash);
    assert_true(strlen(hash) > 20);
    th_resp *rs[4];
    rs[0] = call(f, &f->admin, "GET", "/api/v1/users?per_page=100", NULL);
    rs[1] = getf(f, &f->admin, "/api/v1/users/%lld", (long long)id);
    rs[2] = patchf(f, "users", id, json_pack("{s:s}", "password", "another long secret"));
    rs[3] = call(f, &f->admin, "GET", "/api/v1/audit?per_page=100", NULL);
    for (int i = 0; i < 4; i++) {
        expect_status(rs[i], 200);
        assert_null(strstr(rs[i]->body, hash));
        assert_null(strstr(rs[i]->body, "another long secret"));
        th_resp_free(rs[i]);
    }
    free(hash);
}

/* ---- audit ---- */

/* GET /api/v1/audit?QUERY as the admin (printf-style), asserting 200. Caller frees. */
static th_resp *audit(fx *f, const char *fmt, ...) LW_PRINTF(2, 3);
static th_resp *audit(fx *f, const char *fmt, ...) {
    char q[400], path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q, sizeof q, fmt, ap);
    va_end(ap);
    snprintf(path, sizeof path, "/api/v1/audit?%s", q);
    th_resp *r = call(f, &f->admin, "GET", path, NULL);
    expect_status(r, 200);
    return r;
}

/* Asserts exactly one ACTION row about TYPE/ID by the admin. */
static void expect_admin_row(fx *f, const char *action, const char *type, int64_t id) {
    th_resp *r =
        audit(f, "action=%s&resource_type=%s&resource_id=%lld", action, type, (long long)id);
    if (jint(r->json, "total") != 1)
        fail_msg("%s %s %lld: %lld rows", action, type, (long long)id,
                 (long long)jint(r->json, "total"));
    json_t *e = json_array_get(json_object_get(r->json, "contents"), 0);
    assert_string_equal(jstr(e, "action"), action);
    assert_int_equal(jint(e, "user_id"), f->admin_id);
    assert_string_equal(jstr(e, "role"), "admin");
    assert_int_equal(jint(e, "organisation_id"), f->admin_org);
    assert_string_equal(jstr(e, "resource_type"), type);
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", (long long)id);
    assert_string_equal(jstr(e, "resource_id"), idtext);
    assert_string_equal(jstr(e, "outcome"), "ok");
    assert_string_equal(jstr(e, "remote_addr"), "127.0.0.1");
    assert_non_null(jstr(e, "at"));
    th_resp_free(r);
}

static void every_admin_write_is_audited(void **state) {
    fx *f = *state;
    int64_t org = create_org(f, "Audited Trust", "vcse");
    th_resp *r = patchf(f, "organisations", org, json_pack("{s:s}", "name", "Audited Trust Ltd"));
    expect_status(r, 200);
    th_resp_free(r);
    int64_t user = create_user(f, org, "audited@example.org", "provider", PW);
    r = patchf(f, "users", user, json_pack("{s:s}", "role", "link_worker"));
    expect_status(r, 200);
    th_resp_free(r);
    r = patchf(f, "users", user, json_pack("{s:s}", "password", "yet another secret"));
    expect_status(r, 200);
    th_resp_free(r);

    expect_admin_row(f, "organisation.create", "organisation", org);
    expect_admin_row(f, "organisation.update", "organisation", org);
    expect_admin_row(f, "user.create", "user", user);
    r = audit(f, "action=user.update&resource_type=user&resource_id=%lld", (long long)user);
    assert_int_equal(jint(r->json, "total"), 2);
    th_resp_free(r);
    /* The database agrees, and no row holds a secret. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE user_id = %lld AND role = 'admin' AND "
             "organisation_id = %lld AND action IN ('organisation.create', "
             "'organisation.update', 'user.create', 'user.update')",
             (long long)f->admin_id, (long long)f->admin_org);
    assert_int_equal(count(f, sql), 5);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action || resource_type || "
                              "resource_id || remote_addr LIKE '%secret%'"),
                     0);
}

/* Whether the audit list R has a row about RESOURCE_ID. */
static int has_resource(const th_resp *r, int64_t resource_id) {
    char want[24];
    snprintf(want, sizeof want, "%lld", (long long)resource_id);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "contents"), i, e) {
        const char *rid = jstr(e, "resource_id");
        if (rid && strcmp(rid, want) == 0)
            return 1;
    }
    return 0;
}

/* Asserts every row of R has its date (YYYY-MM-DD) within [FROM, TO] (either may be NULL). */
static void expect_dates(const th_resp *r, const char *from, const char *to) {
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "contents"), i, e) {
        const char *at = jstr(e, "at");
        assert_non_null(at);
        if ((from && strncmp(at, from, 10) < 0) || (to && strncmp(at, to, 10) > 0))
            fail_msg("row at %s is outside %s..%s", at, from ? from : "", to ? to : "");
    }
}

static void audit_filters_by_user_resource_action_and_dates(void **state) {
    fx *f = *state;
    int64_t a = create_org(f, "Day One Trust", "vcse");
    th_advance(f->s, 3 * DAY_MS);
    /* The session has idled out after three days; sign in again. */
    assert_int_equal(th_login(f->s, &f->admin, "admin@example.org", PW), 201);
    int64_t b = create_org(f, "Day Four Trust", "vcse");
    th_client gp = {0};
    assert_int_equal(th_login(f->s, &gp, "gp@example.org", PW), 201);

    char day_a[11], day_b[11];
    th_resp *r = audit(f, "action=organisation.create&resource_id=%lld", (long long)a);
    assert_int_equal(jint(r->json, "total"), 1);
    snprintf(day_a, sizeof day_a, "%.10s",
             jstr(json_array_get(json_object_get(r->json, "contents"), 0), "at"));
    th_resp_free(r);
    r = audit(f, "action=organisation.create&resource_id=%lld", (long long)b);
    assert_int_equal(jint(r->json, "total"), 1);
    snprintf(day_b, sizeof day_b, "%.10s",
             jstr(json_array_get(json_object_get(r->json, "contents"), 0), "at"));
    th_resp_free(r);
    assert_true(strcmp(day_a, day_b) < 0);

    /* Dates: from is inclusive, to runs to the end of its day. */
    r = audit(f, "action=organisation.create&from=%s", day_b);
    assert_true(has_resource(r, b) && !has_resource(r, a));
    assert_int_equal(jint(r->json, "total"), 1);
    expect_dates(r, day_b, NULL);
    th_resp_free(r);
    r = audit(f, "action=organisation.create&to=%s", day_a);
    assert_true(has_resource(r, a) && !has_resource(r, b));
    expect_dates(r, NULL, day_a);
    th_resp_free(r);
    r = audit(f, "from=%s&to=%s&per_page=100", day_a, day_a);
    assert_true(has_resource(r, a) && !has_resource(r, b));
    expect_dates(r, day_a, day_a);
    th_resp_free(r);
    r = audit(f, "from=%sT00:00:00Z&to=%sT23:59:59Z&action=organisation.create", day_b, day_b);
    assert_true(has_resource(r, b) && !has_resource(r, a));
    th_resp_free(r);

    /* By user. */
    r = audit(f, "user_id=%lld&per_page=100", (long long)f->gp_id);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE user_id = %lld",
             (long long)f->gp_id);
    assert_int_equal(jint(r->json, "total"), count(f, sql));
    assert_true(jint(r->json, "total") >= 1);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "contents"), i, e) {
        assert_int_equal(jint(e, "user_id"), f->gp_id);
        assert_string_equal(jstr(e, "role"), "referrer");
        assert_int_equal(jint(e, "organisation_id"), f->gp_org);
    }
    th_resp_free(r);

    /* By resource. */
    r = audit(f, "resource_type=organisation&resource_id=%lld", (long long)b);
    assert_int_equal(jint(r->json, "total"), 1);
    e = json_array_get(json_object_get(r->json, "contents"), 0);
    assert_string_equal(jstr(e, "action"), "organisation.create");
    th_resp_free(r);
    r = audit(f, "resource_type=user&resource_id=%lld", (long long)b);
    assert_false(has_resource(r, b));
    th_resp_free(r);

    /* By action. */
    r = audit(f, "action=session.login&per_page=100");
    assert_int_equal(jint(r->json, "total"),
                     count(f, "SELECT count(*) FROM audit_log WHERE action = 'session.login'"));
    assert_true(jint(r->json, "total") >= 3);
    json_array_foreach(json_object_get(r->json, "contents"), i, e) {
        assert_string_equal(jstr(e, "action"), "session.login");
    }
    th_resp_free(r);

    /* Bad filters name the parameter. */
    expect_field(call(f, &f->admin, "GET", "/api/v1/audit?from=2024-02-30", NULL), 400, "from");
    expect_field(call(f, &f->admin, "GET", "/api/v1/audit?from=yesterday", NULL), 400, "from");
    expect_field(call(f, &f->admin, "GET", "/api/v1/audit?from=2024-1-5", NULL), 400, "from");
    expect_field(call(f, &f->admin, "GET", "/api/v1/audit?to=2024-13-01", NULL), 400, "to");
    expect_field(getf(f, &f->admin, "/api/v1/audit?from=%s&to=%s", day_b, day_a), 400, "to");
    expect_field(call(f, &f->admin, "GET", "/api/v1/audit?user_id=abc", NULL), 400, "user_id");
    expect_field(call(f, &f->admin, "GET", "/api/v1/audit?page=0", NULL), 400, "page");
}

static void audit_pages_newest_first(void **state) {
    fx *f = *state;
    int64_t ids[5];
    for (int i = 0; i < 5; i++) {
        char email[64];
        snprintf(email, sizeof email, "paged%d@example.org", i);
        th_advance(f->s, 60 * 1000);
        ids[i] = create_user(f, f->gp_org, email, "referrer", PW);
    }
    long long total = count(f, "SELECT count(*) FROM audit_log WHERE action = 'user.create'");
    assert_int_equal(total, 7); /* two from the set-up, five here */
    char prev_at[64] = "9999";
    long long prev_id = -1;
    int rows = 0;
    for (int page = 1; page <= 3; page++) {
        th_resp *r = audit(f, "action=user.create&per_page=3&page=%d", page);
        assert_int_equal(jint(r->json, "total"), total);
        json_t *list = json_object_get(r->json, "contents");
        assert_int_equal(json_array_size(list), page < 3 ? 3 : 1);
        if (page == 1) {
            /* The newest is the last user created. */
            json_t *first = json_array_get(list, 0);
            char want[24];
            snprintf(want, sizeof want, "%lld", (long long)ids[4]);
            assert_string_equal(jstr(first, "resource_id"), want);
        }
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e) {
            const char *at = jstr(e, "at");
            long long id = jint(e, "id");
            if (strcmp(at, prev_at) > 0 || (prev_id >= 0 && id >= prev_id))
                fail_msg("row %lld at %s comes after row %lld at %s", id, at, prev_id, prev_at);
            snprintf(prev_at, sizeof prev_at, "%s", at);
            prev_id = id;
            rows++;
        }
        th_resp_free(r);
    }
    assert_int_equal(rows, total);
}

static void reading_the_audit_log_is_audited(void **state) {
    fx *f = *state;
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE action = 'audit.read' AND user_id = %lld "
             "AND role = 'admin' AND organisation_id = %lld AND outcome = 'ok'",
             (long long)f->admin_id, (long long)f->admin_org);
    assert_int_equal(count(f, sql), 0);
    th_resp *r = audit(f, "per_page=5");
    th_resp_free(r);
    assert_int_equal(count(f, sql), 1);
    /* The next read shows the first one, newest first. */
    r = audit(f, "action=audit.read");
    assert_int_equal(jint(r->json, "total"), 1);
    assert_int_equal(jint(json_array_get(json_object_get(r->json, "contents"), 0), "user_id"),
                     f->admin_id);
    th_resp_free(r);
    assert_int_equal(count(f, sql), 2);
    /* Only admins may read it. */
    th_client gp = {0};
    assert_int_equal(th_login(f->s, &gp, "gp@example.org", PW), 201);
    r = call(f, &gp, "GET", "/api/v1/audit", NULL);
    th_assert_problem(r, 403);
    th_resp_free(r);
}

static void audit_log_is_append_only(void **state) {
    fx *f = *state;
    create_org(f, "Some Trust", "vcse");
    static const char all_rows[] = "SELECT id, user_id, action, outcome FROM audit_log ORDER BY id";
    long long rows = count(f, "SELECT count(*) FROM audit_log");
    assert_true(rows > 0);
    char *before = th_sql_text(f->s, all_rows);
    static const char *const writes[] = {
        "UPDATE audit_log SET outcome = 'tampered'",
        "UPDATE audit_log SET user_id = NULL WHERE id = (SELECT max(id) FROM audit_log)",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)",
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        char msg[512];
        if (th_sql_exec(f->s, writes[i], msg, sizeof msg) == 0)
            fail_msg("'%s' succeeded on the audit log", writes[i]);
        if (!strstr(msg, "append-only"))
            fail_msg("'%s' failed for another reason: %s", writes[i], msg);
    }
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log"), rows);
    char *after = th_sql_text(f->s, all_rows);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(org_create_answers_201_with_location_and_body, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(org_create_refuses_bad_input_and_writes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(org_list_is_paged_and_get_finds_one, setup, teardown),
        cmocka_unit_test_setup_teardown(org_patch_renames_changes_kind_and_deactivates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(admin_cannot_deactivate_own_organisation, setup, teardown),
        cmocka_unit_test_setup_teardown(user_create_works_for_every_role, setup, teardown),
        cmocka_unit_test_setup_teardown(user_create_refuses_bad_input_and_writes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(user_list_filters_by_organisation_role_and_active, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(role_change_shows_on_the_users_next_request, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(password_change_replaces_the_old_one, setup, teardown),
        cmocka_unit_test_setup_teardown(password_change_ends_the_users_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_patch_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(no_user_in_a_deactivated_organisation, setup, teardown),
        cmocka_unit_test_setup_teardown(deactivated_user_is_locked_out_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(admin_cannot_deactivate_or_demote_themselves, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(no_response_carries_a_password_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(every_admin_write_is_audited, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_filters_by_user_resource_action_and_dates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(audit_pages_newest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(reading_the_audit_log_is_audited, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_log_is_append_only, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
