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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
