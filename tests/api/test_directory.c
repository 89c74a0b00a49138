/*
 * The community directory over HTTP: imports (real Open Referral files and messy
 * ones), the public Open Referral UK API (paging, filters, refusals, CORS; the
 * answers are saved for tests/oruk/validate.mjs to check against the validator's
 * schemas with ajv), link workers' search, providers' edits and their audit
 * rows, and another process's changes reaching this process's index.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/directory.h"
#include "cli/cli.h"
#include "domain/directory.h"
#include "harness.h"

#define PW "correct horse battery"

typedef struct fx {
    th_server *s;
    th_client admin, lw, provider, other_provider;
    int64_t gardens_org;
    int saved;
} fx;

static char *fixture(const char *rel, size_t *len) {
    const char *src = getenv("LW_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/oruk/%s", src ? src : ".", rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return b;
}

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->s = th_start();
    int64_t admin_org = th_org(f->s, "Admin Org", "other");
    int64_t pcn = th_org(f->s, "Riverside PCN", "link_worker_service");
    f->gardens_org = th_org(f->s, "Riverside Community Gardens", "vcse");
    int64_t other = th_org(f->s, "Other Charity", "vcse");
    th_user(f->s, admin_org, "admin@example.org", "admin", PW);
    th_user(f->s, pcn, "lw@example.org", "link_worker", PW);
    th_user(f->s, f->gardens_org, "maggie@example.org", "provider", PW);
    th_user(f->s, other, "other@example.org", "provider", PW);
    assert_int_equal(th_login(f->s, &f->admin, "admin@example.org", PW), 201);
    assert_int_equal(th_login(f->s, &f->lw, "lw@example.org", PW), 201);
    assert_int_equal(th_login(f->s, &f->provider, "maggie@example.org", PW), 201);
    assert_int_equal(th_login(f->s, &f->other_provider, "other@example.org", PW), 201);
    /* The demo directory: 150 services around Rotherham. */
    lw_db *db;
    lw_error err;
    assert_int_equal(store_acquire(f->s->store, &db, &err), LW_OK);
    lw_status st = demo_directory_load(db, f->gardens_org, 1700000000000LL, &err);
    store_release(f->s->store, db);
    if (st != LW_OK)
        fail_msg("demo directory: %s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    th_stop(f->s);
    free(f);
    return 0;
}

/* Saves an Open Referral answer for the schema check (tests/oruk/validate.mjs). */
static void save(fx *f, const char *schema, const th_resp *r) {
    const char *dir = getenv("LW_ORUK_OUT");
    if (!dir || getenv("LINKWELL_TEST_POSTGRES"))
        return;
    mkdir(dir, 0755);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.%d.json", dir, schema, f->saved++);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    fwrite(r->body, 1, r->body_len, out);
    fclose(out);
}

static th_resp *get(fx *f, const th_client *c, const char *path) {
    return th_call(f->s, c, "GET", path, NULL);
}

static json_t *find_entry(json_t *list, const char *path) {
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "path")), path) == 0)
            return e;
    }
    return NULL;
}

static long long services_named(fx *f, const char *name) {
    return th_sql_countf(f->s, "SELECT count(*) FROM services WHERE name = '%s'", name);
}

/* ---- imports ---- */

static void import_real_files_twice_changes_nothing(void **state) {
    fx *f = *state;
    static const char *const files[] = {"hsds-3.0/service_full.json",
                                        "oruk-uk-profile/service_full.json",
                                        "oruk-validator/mock-pass/organization_full.json"};
    for (size_t i = 0; i < 3; i++) {
        char *body = fixture(files[i], NULL);
        th_resp *r = th_call(f->s, &f->admin, "POST", "/api/v1/directory/imports", body);
        assert_int_equal(r->status, 200);
        json_t *svc = json_object_get(r->json, "services");
        assert_int_equal(json_integer_value(json_object_get(svc, "rejected")), 0);
        /* The example's latitude (100) cannot be one: dropped and said so. */
        assert_non_null(find_entry(json_object_get(r->json, "warnings"),
                                   i == 2
                                       ? "services[0].services[0].service_at_locations[0]."
                                         "location.latitude"
                                       : "services[0].service_at_locations[0].location.latitude"));
        th_resp_free(r);
        r = th_call(f->s, &f->admin, "POST", "/api/v1/directory/imports", body);
        assert_int_equal(r->status, 200);
        svc = json_object_get(r->json, "services");
        assert_int_equal(json_integer_value(json_object_get(svc, "unchanged")), 1);
        assert_int_equal(json_integer_value(json_object_get(svc, "imported")) +
                             json_integer_value(json_object_get(svc, "updated")),
                         0);
        th_resp_free(r);
        free(body);
    }
    assert_int_equal(services_named(f, "Community Counselling"), 1);
    /* The validator's list: 128 entries sharing one id — the first kept, 127 rejected. */
    char *body = fixture("oruk-validator/mock-pass/service_list.json", NULL);
    th_resp *r = th_call(f->s, &f->admin, "POST", "/api/v1/directory/imports", body);
    assert_int_equal(r->status, 200);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r->json, "services"), "rejected")), 127);
    json_t *dup = find_entry(json_object_get(r->json, "rejected"), "services[5].id");
    assert_non_null(dup);
    assert_non_null(strstr(json_string_value(json_object_get(dup, "reason")), "duplicate"));
    th_resp_free(r);
    free(body);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action = "
                                        "'directory.import'"),
                     7);
}

static void messy_feeds_keep_what_can_be_used(void **state) {
    fx *f = *state;
    long long before = th_sql_count(f->s, "SELECT count(*) FROM services");
    char *body = fixture("messy/messy_v3.json", NULL);
    th_resp *r = th_call(f->s, &f->admin, "POST", "/api/v1/directory/imports", body);
    free(body);
    assert_int_equal(r->status, 200);
    json_t *rej = json_object_get(r->json, "rejected");
    json_t *e = find_entry(rej, "services[1].name");
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "reason")), "empty");
    assert_string_equal(json_string_value(json_object_get(e, "id")), "svc-b");
    assert_non_null(find_entry(rej, "services[2].id"));   /* duplicate of services[0] */
    assert_non_null(find_entry(rej, "services[3].id"));   /* missing */
    assert_non_null(find_entry(rej, "services[4].name")); /* a number */
    assert_non_null(find_entry(rej, "services[6]"));      /* not an object */
    json_t *warn = json_object_get(r->json, "warnings");
    assert_non_null(find_entry(warn, "services[5].minimum_age"));
    assert_non_null(find_entry(warn, "services[5].email"));
    assert_non_null(find_entry(warn, "services[5].url"));
    assert_non_null(find_entry(warn, "services[0].last_modified")); /* 30 February */
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r->json, "services"), "imported")), 2);
    th_resp_free(r);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM services"), before + 2);
    /* HTML reduced to text. */
    assert_int_equal(services_named(f, "Good Service"), 1);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM services WHERE description = "
                                        "'Fine <really>'"),
                     1);

    /* The older ORUK v1 shape, as many council directories publish it. */
    body = fixture("messy/council_v1.json", NULL);
    r = th_call(f->s, &f->admin, "POST", "/api/v1/directory/imports", body);
    free(body);
    assert_int_equal(r->status, 200);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r->json, "services"), "imported")), 2);
    assert_non_null(find_entry(json_object_get(r->json, "rejected"), "services[1].name"));
    th_resp_free(r);
    assert_int_equal(services_named(f, "Wath Memory Cafe"), 1);
    char *desc = th_sql_text(f->s, "SELECT description FROM services WHERE name = 'Wath Memory "
                                   "Cafe'");
    assert_string_equal(desc, "A cafe for people living with dementia & their carers. Tea, cake & "
                              "company.\n");
    free(desc);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM locations WHERE postcode = 'S63 "
                                        "7RD'"),
                     1);
    /* Found by its taxonomy term's words, by its place, and its times parsed. */
    r = get(f, NULL, "/openreferral/services?search=dementia&postcode=S63&proximity=3000");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total_items")), 1);
    th_resp_free(r);
    r = get(f, NULL, "/openreferral/services?search=memory&day=TU&start_time=10:00&end_time=12:30");
    assert_int_equal(json_integer_value(json_object_get(r->json, "total_items")), 1);
    th_resp_free(r);
    /* The feed's own id finds the service too. */
    r = get(f, NULL, "/openreferral/services/101");
    assert_int_equal(r->status, 200);
    assert_string_equal(json_string_value(json_object_get(r->json, "name")), "Wath Memory Cafe");
    th_resp_free(r);
    r = get(f, NULL, "/openreferral/services?search=memory&day=WE");
    assert_int_equal(json_integer_value(json_object_get(r->json, "total_items")), 0);
    th_resp_free(r);
}

static void broken_input_changes_nothing(void **state) {
    fx *f = *state;
    long long before = th_sql_count(f->s, "SELECT count(*) FROM services");
    char *body = fixture("messy/truncated.json", NULL);
    th_resp *r = th_call(f->s, &f->admin, "POST", "/api/v1/directory/imports", body);
    free(body);
    th_assert_problem(r, 400);
    th_resp_free(r);
    r = th_call(f->s, &f->admin, "POST", "/api/v1/directory/imports", "{\"hello\": 1}");
    th_assert_problem(r, 400);
    assert_non_null(strstr(json_string_value(json_object_get(r->json, "detail")),
                           "not an Open Referral document"));
    th_resp_free(r);
    /* A 10 MB description (the API's body limit is 1 MiB: refused whole). */
    size_t big = 10u * 1024 * 1024;
    char *huge = malloc(big + 200);
    int n = snprintf(huge, 200, "[{\"id\": \"huge\", \"name\": \"Huge\", \"description\": \"");
    memset(huge + n, 'x', big);
    strcpy(huge + n + big, "\"}]");
    r = th_call(f->s, &f->admin, "POST", "/api/v1/directory/imports", huge);
    th_assert_problem(r, 413);
    th_resp_free(r);
    free(huge);
    /* Not an admin. */
    r = th_call(f->s, &f->lw, "POST", "/api/v1/directory/imports", "[]");
    th_assert_problem(r, 403);
    th_resp_free(r);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM services"), before);
}

/* ---- the public Open Referral UK API ---- */

static void oruk_lists_page_filter_and_refuse(void **state) {
    fx *f = *state;
    char buf[64];
    th_resp *r = get(f, NULL, "/openreferral/");
    assert_int_equal(r->status, 200);
    assert_string_equal(th_header(r, "Access-Control-Allow-Origin", buf, sizeof buf), "*");
    save(f, "api_details", r);
    th_resp_free(r);

    r = get(f, NULL, "/openreferral/services?per_page=50");
    assert_int_equal(r->status, 200);
    assert_string_equal(th_header(r, "Access-Control-Allow-Origin", buf, sizeof buf), "*");
    assert_true(json_integer_value(json_object_get(r->json, "total_items")) >= 150);
    assert_int_equal(json_integer_value(json_object_get(r->json, "size")), 50);
    assert_true(json_is_true(json_object_get(r->json, "first_page")));
    assert_true(json_is_false(json_object_get(r->json, "last_page")));
    json_int_t pages = json_integer_value(json_object_get(r->json, "total_pages"));
    save(f, "service_list", r);
    th_resp_free(r);

    /* Past the end: an empty page, not an error. */
    char path[256];
    snprintf(path, sizeof path, "/openreferral/services?per_page=50&page=%lld",
             (long long)pages + 1);
    r = get(f, NULL, path);
    assert_int_equal(r->status, 200);
    assert_true(json_is_true(json_object_get(r->json, "empty")));
    assert_int_equal(json_array_size(json_object_get(r->json, "contents")), 0);
    save(f, "service_list", r);
    th_resp_free(r);

    static const struct {
        const char *query, *field;
    } bad[] = {{"page=0", "page"},
               {"page=abc", "page"},
               {"per_page=0", "per_page"},
               {"per_page=10000", "per_page"},
               {"proximity=1000", "proximity"},
               {"postcode=S60&proximity=far", "proximity"},
               {"postcode=ZZ99%209ZZ", "postcode"},
               {"postcode=hello", "postcode"},
               {"day=Funday", "day"},
               {"start_time=noon", "start_time"},
               {"minimum_age=-3", "minimum_age"},
               {"modified_after=yesterday", "modified_after"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "/openreferral/services?%s", bad[i].query);
        r = get(f, NULL, path);
        const char *field = th_assert_problem(r, 400);
        if (!field || strcmp(field, bad[i].field) != 0)
            fail_msg("%s: field %s, wanted %s", bad[i].query, field ? field : "(none)",
                     bad[i].field);
        assert_string_equal(th_header(r, "Access-Control-Allow-Origin", buf, sizeof buf), "*");
        th_resp_free(r);
    }
    r = get(f, NULL, "/openreferral/services?postcode=ZZ99%209ZZ");
    assert_non_null(strstr(json_string_value(json_object_get(r->json, "detail")), "unknown"));
    th_resp_free(r);

    /* Every filter at once, and each narrowing the one before. */
    r = get(f, NULL, "/openreferral/services?search=walks&per_page=1000");
    json_int_t words = json_integer_value(json_object_get(r->json, "total_items"));
    assert_true(words > 0);
    th_resp_free(r);
    r = get(f, NULL,
            "/openreferral/services?search=walks&postcode=S60%201AE&proximity=8000&minimum_age=16"
            "&maximum_age=120&modified_after=2020-01-01&per_page=1000");
    assert_int_equal(r->status, 200);
    json_int_t near = json_integer_value(json_object_get(r->json, "total_items"));
    assert_true(near > 0 && near <= words);
    save(f, "service_list", r);
    th_resp_free(r);
    r = get(f, NULL, "/openreferral/services?postcode=S25&proximity=1500&per_page=1000");
    json_int_t dinnington = json_integer_value(json_object_get(r->json, "total_items"));
    th_resp_free(r);
    r = get(f, NULL, "/openreferral/services?postcode=S61%201AA&proximity=1500&per_page=1000");
    json_int_t kimberworth = json_integer_value(json_object_get(r->json, "total_items"));
    th_resp_free(r);
    assert_true(dinnington > 0 && kimberworth > 0 && dinnington + kimberworth < 150);

    /* Taxonomy: the terms list, a term and its taxonomy as filters. */
    r = get(f, NULL, "/openreferral/taxonomy_terms?per_page=100");
    assert_int_equal(r->status, 200);
    save(f, "taxonomy_term_list", r);
    json_t *term = NULL;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(r->json, "contents"), i, t) {
        if (strcmp(json_string_value(json_object_get(t, "name")), "Walking") == 0)
            term = t;
    }
    assert_non_null(term);
    snprintf(path, sizeof path,
             "/openreferral/services?taxonomy_term_id=%s&taxonomy_id=%s&search=walks",
             json_string_value(json_object_get(term, "id")),
             json_string_value(json_object_get(term, "taxonomy_id")));
    th_resp *w = get(f, NULL, path);
    assert_int_equal(w->status, 200);
    assert_true(json_integer_value(json_object_get(w->json, "total_items")) > 0);
    save(f, "service_list", w);
    th_resp_free(w);
    th_resp_free(r);
    r = get(f, NULL, "/openreferral/taxonomies");
    assert_int_equal(r->status, 200);
    save(f, "taxonomy_list", r);
    th_resp_free(r);
    r = get(f, NULL, "/openreferral/service_at_locations?search=choir&per_page=5");
    assert_int_equal(r->status, 200);
    assert_true(json_array_size(json_object_get(r->json, "contents")) > 0);
    save(f, "service_at_location_list", r);
    th_resp_free(r);
    r = get(f, NULL, "/openreferral/organizations?per_page=3");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "contents")), 3);
    /* organization_list.json is the schema of one item. */
    json_array_foreach(json_object_get(r->json, "contents"), i, t) {
        char *text = json_dumps(t, 0);
        th_resp one = {.status = 200, .body = text, .body_len = strlen(text)};
        save(f, "organization_list", &one);
        free(text);
    }
    th_resp_free(r);
    r = get(f, NULL, "/openreferral/services/no-such-service");
    th_assert_problem(r, 404);
    th_resp_free(r);
}

static void exported_service_reimports_unchanged(void **state) {
    fx *f = *state;
    th_resp *r = get(f, NULL, "/openreferral/services?search=choir&per_page=1");
    const char *id = json_string_value(
        json_object_get(json_array_get(json_object_get(r->json, "contents"), 0), "id"));
    char path[200];
    snprintf(path, sizeof path, "/openreferral/services/%s", id);
    th_resp *full = get(f, NULL, path);
    assert_int_equal(full->status, 200);
    save(f, "service", full);
    th_resp *imp = th_call(f->s, &f->admin, "POST", "/api/v1/directory/imports", full->body);
    assert_int_equal(imp->status, 200);
    json_t *svc = json_object_get(imp->json, "services");
    assert_int_equal(json_integer_value(json_object_get(svc, "unchanged")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(imp->json, "locations"), "unchanged")),
        1);
    th_resp_free(imp);
    th_resp_free(full);
    th_resp_free(r);
}

/* ---- link workers' search and providers' edits ---- */

static void link_worker_search_filters(void **state) {
    fx *f = *state;
    th_resp *r = get(f, &f->lw, "/api/v1/services?need_domains=debt,benefits&per_page=100");
    assert_int_equal(r->status, 200);
    size_t i;
    json_t *s;
    assert_true(json_array_size(json_object_get(r->json, "contents")) > 0);
    json_array_foreach(json_object_get(r->json, "contents"), i, s) {
        const char *d = json_string_value(json_array_get(json_object_get(s, "need_domains"), 0));
        assert_true(strcmp(d, "debt") == 0 || strcmp(d, "benefits") == 0);
    }
    th_resp_free(r);
    r = get(f, &f->lw, "/api/v1/services?stale=true&per_page=100");
    assert_true(json_integer_value(json_object_get(r->json, "total")) > 0);
    json_array_foreach(json_object_get(r->json, "contents"), i, s)
        assert_true(json_is_true(json_object_get(s, "stale")));
    th_resp_free(r);
    r = get(f, &f->lw,
            "/api/v1/services?search=group&cost_band=free&capacity_status=capacity&setting=group"
            "&postcode=S60&order=distance&per_page=100");
    assert_int_equal(r->status, 200);
    double last = 0;
    json_array_foreach(json_object_get(r->json, "contents"), i, s) {
        assert_string_equal(json_string_value(json_object_get(s, "cost_band")), "free");
        assert_string_equal(json_string_value(json_object_get(s, "capacity_status")), "capacity");
        double d = json_number_value(json_object_get(s, "distance_m"));
        assert_true(d >= last);
        last = d;
    }
    th_resp_free(r);
    r = get(f, &f->lw, "/api/v1/services?need_domains=sadness");
    assert_string_equal(th_assert_problem(r, 400), "need_domains");
    th_resp_free(r);
    r = get(f, NULL, "/api/v1/services");
    th_assert_problem(r, 401);
    th_resp_free(r);
}

static const char *first_managed(fx *f, char *out, size_t n) {
    th_resp *r = get(f, &f->provider, "/api/v1/services?managed_by=me&per_page=1");
    assert_int_equal(r->status, 200);
    json_t *s = json_array_get(json_object_get(r->json, "contents"), 0);
    assert_non_null(s);
    snprintf(out, n, "%s", json_string_value(json_object_get(s, "id")));
    th_resp_free(r);
    return out;
}

static void providers_edit_their_own_services(void **state) {
    fx *f = *state;
    char id[64], path[200];
    first_managed(f, id, sizeof id);
    snprintf(path, sizeof path, "/api/v1/services/%s", id);
    long long audits = th_sql_countf(f->s,
                                     "SELECT count(*) FROM audit_log WHERE action = "
                                     "'service.update' AND resource_id = '%s'",
                                     id);
    th_resp *r = th_call(f->s, &f->provider, "PATCH", path,
                         "{\"capacity\": 3, \"capacity_status\": \"waitlist\", \"checked\": true, "
                         "\"description\": \"<p>Now on <b>Thursdays</b></p>\"}");
    assert_int_equal(r->status, 200);
    json_t *lw = json_object_get(r->json, "linkwell");
    assert_int_equal(json_integer_value(json_object_get(lw, "capacity")), 3);
    assert_true(json_is_false(json_object_get(lw, "stale")));
    assert_string_equal(json_string_value(json_object_get(r->json, "description")),
                        "Now on Thursdays");
    th_resp_free(r);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM audit_log WHERE action = "
                                   "'service.update' AND resource_id = '%s' AND outcome = 'ok'",
                                   id),
                     audits + 1);
    /* The index has it at once. */
    r = get(f, &f->lw, "/api/v1/services?search=thursdays&capacity_status=waitlist");
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 1);
    th_resp_free(r);
    /* Another organisation's provider, a link worker, bad values, no such service. */
    r = th_call(f->s, &f->other_provider, "PATCH", path, "{\"capacity\": 99}");
    th_assert_problem(r, 403);
    th_resp_free(r);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM audit_log WHERE action = "
                                   "'service.update' AND resource_id = '%s' AND outcome = "
                                   "'denied'",
                                   id),
                     1);
    r = th_call(f->s, &f->lw, "PATCH", path, "{\"capacity\": 99}");
    th_assert_problem(r, 403);
    th_resp_free(r);
    r = th_call(f->s, &f->provider, "PATCH", path, "{\"capacity\": -1}");
    assert_string_equal(th_assert_problem(r, 400), "capacity");
    th_resp_free(r);
    r = th_call(f->s, &f->provider, "PATCH", path, "{\"email\": \"not an email\"}");
    assert_string_equal(th_assert_problem(r, 400), "email");
    th_resp_free(r);
    r = th_call(f->s, &f->provider, "PATCH", "/api/v1/services/nope", "{\"capacity\": 1}");
    th_assert_problem(r, 404);
    th_resp_free(r);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM services WHERE id = '%s' AND "
                                   "capacity = 3",
                                   id),
                     1);
    /* A new service for the provider's own organisation. */
    r = th_call(f->s, &f->provider, "POST", "/api/v1/services",
                "{\"name\": \"Seed Swap Saturdays\", \"description\": \"Bring seeds, take "
                "seeds\", \"need_domains\": [\"arts\", \"isolation\"], \"setting\": \"group\"}");
    assert_int_equal(r->status, 201);
    th_resp_free(r);
    r = get(f, &f->lw, "/api/v1/services?search=seed%20swap&need_domains=isolation");
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 1);
    th_resp_free(r);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action = "
                                        "'service.create'"),
                     1);
    /* Admins edit every service; PUT clears what is not sent. */
    r = th_call(f->s, &f->admin, "PUT", path, "{\"name\": \"Renamed by admin\"}");
    assert_int_equal(r->status, 200);
    assert_null(json_object_get(r->json, "description"));
    th_resp_free(r);
}

static void another_process_changes_reach_the_index(void **state) {
    fx *f = *state;
    th_resp *r = get(f, NULL, "/openreferral/services?search=zebra");
    assert_int_equal(json_integer_value(json_object_get(r->json, "total_items")), 0);
    th_resp_free(r);
    /* What another serve process sharing the database does: change a row, bump the version. */
    assert_int_equal(th_sql_exec(f->s,
                                 "UPDATE services SET name = 'Zebra Crossing Club' WHERE id = "
                                 "(SELECT min(id) FROM services)",
                                 NULL, 0),
                     0);
    assert_int_equal(th_sql_exec(f->s, "UPDATE directory_state SET version = version + 1", NULL, 0),
                     0);
    r = get(f, NULL, "/openreferral/services?search=zebra");
    assert_int_equal(json_integer_value(json_object_get(r->json, "total_items")), 0);
    th_resp_free(r);
    th_advance(f->s, 1000);
    r = get(f, NULL, "/openreferral/services?search=zebra");
    assert_int_equal(json_integer_value(json_object_get(r->json, "total_items")), 1);
    th_resp_free(r);
}

/* The first item's id of an Open Referral list. */
static char *first_id(fx *f, const char *path) {
    th_resp *r = get(f, NULL, path);
    assert_int_equal(r->status, 200);
    json_t *first = json_array_get(json_object_get(r->json, "contents"), 0);
    assert_non_null(first);
    char *id = strdup(json_string_value(json_object_get(first, "id")));
    th_resp_free(r);
    return id;
}

static void has_cors(const th_resp *r) {
    if (!strstr(r->headers, "Access-Control-Allow-Origin: *"))
        fail_msg("no Access-Control-Allow-Origin: * on %ld", r->status);
}

/* HSDS 3.0's /{collection}/{id}: each record the lists name, in the shape the
 * validator's schemas describe (saved for tests/oruk/validate.mjs). */
static void oruk_records_by_id(void **state) {
    fx *f = *state;
    f->saved = 1000; /* beside, not over, the other tests' saved answers */
    char path[300];
    char *id = first_id(f, "/openreferral/taxonomies");
    snprintf(path, sizeof path, "/openreferral/taxonomies/%s", id);
    th_resp *r = get(f, NULL, path);
    assert_int_equal(r->status, 200);
    has_cors(r);
    assert_string_equal(json_string_value(json_object_get(r->json, "id")), id);
    save(f, "taxonomy", r);
    th_resp_free(r);
    free(id);

    id = first_id(f, "/openreferral/taxonomy_terms?per_page=5");
    snprintf(path, sizeof path, "/openreferral/taxonomy_terms/%s", id);
    r = get(f, NULL, path);
    assert_int_equal(r->status, 200);
    assert_string_equal(json_string_value(json_object_get(r->json, "id")), id);
    assert_non_null(json_object_get(json_object_get(r->json, "taxonomy_detail"), "name"));
    save(f, "taxonomy_term", r);
    th_resp_free(r);
    free(id);

    /* An organisation lists exactly the services /services?organization_id= finds. */
    id = first_id(f, "/openreferral/organizations?per_page=1");
    snprintf(path, sizeof path, "/openreferral/services?organization_id=%s&per_page=1000", id);
    th_resp *list = get(f, NULL, path);
    assert_int_equal(list->status, 200);
    json_int_t total = json_integer_value(json_object_get(list->json, "total_items"));
    assert_true(total > 0);
    snprintf(path, sizeof path, "/openreferral/organizations/%s", id);
    r = get(f, NULL, path);
    assert_int_equal(r->status, 200);
    has_cors(r);
    json_t *svcs = json_object_get(r->json, "services");
    assert_int_equal(json_array_size(svcs), (size_t)total);
    for (size_t i = 0; i < json_array_size(svcs); i++) {
        const char *sid = json_string_value(json_object_get(json_array_get(svcs, i), "id"));
        int listed = 0;
        for (size_t k = 0; k < json_array_size(json_object_get(list->json, "contents")); k++)
            listed |=
                strcmp(sid,
                       json_string_value(json_object_get(
                           json_array_get(json_object_get(list->json, "contents"), k), "id"))) == 0;
        if (!listed)
            fail_msg("organisation lists service %s, which its search does not", sid);
    }
    /* List items by default: no nested records; in full with full_service=true. */
    assert_null(json_object_get(json_array_get(svcs, 0), "service_at_locations"));
    save(f, "organization", r);
    th_resp_free(r);
    th_resp_free(list);
    snprintf(path, sizeof path, "/openreferral/organizations/%s?full_service=true", id);
    r = get(f, NULL, path);
    assert_int_equal(r->status, 200);
    svcs = json_object_get(r->json, "services");
    assert_int_equal(json_array_size(svcs), (size_t)total);
    assert_non_null(json_object_get(json_array_get(svcs, 0), "service_at_locations"));
    save(f, "organization", r);
    th_resp_free(r);
    snprintf(path, sizeof path, "/openreferral/organizations/%s?full_service=yes", id);
    r = get(f, NULL, path);
    th_assert_problem(r, 400);
    has_cors(r);
    assert_string_equal(json_string_value(json_object_get(r->json, "field")), "full_service");
    th_resp_free(r);
    free(id);

    /* A service_at_location: its location and its service in full. */
    id = first_id(f, "/openreferral/service_at_locations?search=choir&per_page=1");
    snprintf(path, sizeof path, "/openreferral/service_at_locations/%s", id);
    r = get(f, NULL, path);
    assert_int_equal(r->status, 200);
    assert_string_equal(json_string_value(json_object_get(r->json, "id")), id);
    const char *svc = json_string_value(json_object_get(r->json, "service_id"));
    assert_non_null(svc);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r->json, "service"), "id")), svc);
    assert_non_null(json_object_get(json_object_get(r->json, "location"), "name"));
    save(f, "service_at_location", r);
    th_resp_free(r);
    free(id);

    /* Unknown ids: 404 problems, public ones too. */
    static const char *const missing[] = {
        "/openreferral/taxonomies/nope", "/openreferral/taxonomy_terms/nope",
        "/openreferral/organizations/nope",
        "/openreferral/service_at_locations/00000000-0000-4000-8000-000000000000"};
    for (size_t i = 0; i < sizeof missing / sizeof *missing; i++) {
        r = get(f, NULL, missing[i]);
        th_assert_problem(r, 404);
        has_cors(r);
        th_resp_free(r);
    }
}

/* The search cache's lookups with OUTCOME ("hit" or "miss") so far, from /metrics. */
static long long cache_lookups(fx *f, const char *outcome) {
    th_resp *r = th_call(f->s, NULL, "GET", "/metrics", NULL);
    assert_int_equal(r->status, 200);
    char prefix[80];
    snprintf(prefix, sizeof prefix, "linkwell_search_cache_lookups_total{outcome=\"%s\"} ",
             outcome);
    const char *at = strstr(r->body, prefix);
    assert_non_null(at);
    long long n = strtoll(at + strlen(prefix), NULL, 10);
    th_resp_free(r);
    return n;
}

/* Runs searches twice each (the second answered from the cache) and checks the
 * answers are the same bytes. */
static void searches_answer_alike(fx *f) {
    static const char *const words[] = {"walking",   "gardening group", "debt advice", "choir", "",
                                        "art class", "Walking  GROUP",  "befriending"};
    static const char *const filters[] = {"", "&postcode=S60&proximity=5000",
                                          "&postcode=S65+1AA&proximity=20000&per_page=3",
                                          "&page=2&per_page=2", "&day=TU&minimum_age=18"};
    for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
        for (size_t k = 0; k < sizeof filters / sizeof *filters; k++) {
            for (int api = 0; api < 2; api++) {
                char path[300];
                snprintf(path, sizeof path, "%s?search=%s%s",
                         api ? "/api/v1/services" : "/openreferral/services", words[w], filters[k]);
                for (char *c = path; *c; c++)
                    if (*c == ' ')
                        *c = '+';
                th_resp *a = get(f, &f->lw, path), *b = get(f, &f->lw, path);
                assert_int_equal(a->status, 200);
                assert_int_equal(b->status, 200);
                if (strcmp(a->body, b->body) != 0)
                    fail_msg("%s: the repeated search answered differently", path);
                th_resp_free(a);
                th_resp_free(b);
            }
        }
    }
}

/* Repeated searches are answered from the index's cache of results: the same bytes as
 * the search itself, also when the cache is full and starts again, and a change to the
 * directory is seen at once. */
static void search_cache_answers_as_the_search(void **state) {
    fx *f = *state;
    /* A cache of 3,000 bytes: a handful of entries, emptied again and again. */
    dirx_cache_budget(3000);
    searches_answer_alike(f);
    dirx_cache_budget(LW_DIR_CACHE_BYTES);
    /* A change made through this process: the next identical search sees it (and the
     * new index has a cache of the usual size). */
    const char *q = "/openreferral/services?search=zumbathon";
    /* /metrics counts the lookups, so that a benchmark can say how many were answered
     * from the cache: the first search is a miss, the same again a hit. */
    long long hits = cache_lookups(f, "hit"), misses = cache_lookups(f, "miss");
    th_resp *r = get(f, &f->lw, q);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total_items")), 0);
    th_resp_free(r);
    assert_int_equal(cache_lookups(f, "miss"), misses + 1);
    assert_int_equal(cache_lookups(f, "hit"), hits);
    r = get(f, &f->lw, q);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total_items")), 0);
    th_resp_free(r);
    assert_int_equal(cache_lookups(f, "hit"), hits + 1);
    assert_int_equal(cache_lookups(f, "miss"), misses + 1);
    char id[64], path[200];
    first_managed(f, id, sizeof id);
    snprintf(path, sizeof path, "/api/v1/services/%s", id);
    r = th_call(f->s, &f->provider, "PATCH", path, "{\"description\": \"Zumbathon on Fridays\"}");
    assert_int_equal(r->status, 200);
    th_resp_free(r);
    r = get(f, &f->lw, q);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total_items")), 1);
    th_resp_free(r);
    searches_answer_alike(f);
    /* "walking group" and "Walking  GROUP" are one query. */
    th_resp *a = get(f, &f->lw, "/openreferral/services?search=walking+group");
    th_resp *b = get(f, &f->lw, "/openreferral/services?search=Walking++GROUP");
    assert_string_equal(a->body, b->body);
    th_resp_free(a);
    th_resp_free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(import_real_files_twice_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(messy_feeds_keep_what_can_be_used, setup, teardown),
        cmocka_unit_test_setup_teardown(broken_input_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(oruk_lists_page_filter_and_refuse, setup, teardown),
        cmocka_unit_test_setup_teardown(exported_service_reimports_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(link_worker_search_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(providers_edit_their_own_services, setup, teardown),
        cmocka_unit_test_setup_teardown(another_process_changes_reach_the_index, setup, teardown),
        cmocka_unit_test_setup_teardown(search_cache_answers_as_the_search, setup, teardown),
        cmocka_unit_test_setup_teardown(oruk_records_by_id, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
