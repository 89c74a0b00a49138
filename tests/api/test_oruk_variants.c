/*
 * The optional parts of the public Open Referral UK API (HSDS 3.0): format=ndjson on
 * every list (each line the item the paged answer has, as many as its total_items, with
 * every filter applied), minimal=true and full=true on /services, full=true on
 * /organizations and /service_at_locations, search on the store's lists, and the
 * refusals of bad values. Answers are saved for tests/oruk/validate.mjs (ctest
 * oruk.schemas) to check against the validator's schemas with ajv: ndjson files line by
 * line against the list's item schema. The last tests stream a directory of several
 * megabytes: a client that goes away mid-stream frees it at once (and, under
 * AddressSanitizer, leaks nothing), and a stream keeps the index it started with while
 * the directory changes.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/directory.h"
#include "cli/cli.h"
#include "harness.h"
#include "io/oruk.h"

typedef struct fx {
    th_server *s;
} fx;

/* Saved answers are numbered from 5000: beside, not over, api.test_directory's. */
static int saved = 5000;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->s = th_start();
    int64_t gardens = th_org(f->s, "Riverside Community Gardens", "vcse");
    lw_db *db;
    lw_error err;
    assert_int_equal(store_acquire(f->s->store, &db, &err), LW_OK);
    lw_status st = demo_directory_load(db, gardens, 1700000000000LL, &err);
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

/* Saves an answer for tests/oruk/validate.mjs: SCHEMA.N.json, or SCHEMA.N.ndjson (each
 * line checked against the schema's list item). */
static void save(fx *f, const char *schema, const char *ext, const char *body, size_t len) {
    (void)f;
    const char *dir = getenv("LW_ORUK_OUT");
    if (!dir || getenv("LINKWELL_TEST_POSTGRES"))
        return;
    mkdir(dir, 0755);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.%d.%s", dir, schema, saved++, ext);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    fwrite(body, 1, len, out);
    fclose(out);
}

static void save_json(fx *f, const char *schema, json_t *o) {
    char *text = json_dumps(o, JSON_COMPACT);
    save(f, schema, "json", text, strlen(text));
    free(text);
}

static th_resp *get(fx *f, const char *path) {
    return th_call(f->s, NULL, "GET", path, NULL);
}

/* Imports the HSDS JSON text JSON straight through the store. */
static void import_json(fx *f, const char *json, size_t len) {
    lw_db *db;
    lw_error err;
    assert_int_equal(store_acquire(f->s->store, &db, &err), LW_OK);
    oruk_source src = {.name = "test.json", .buf = json, .len = len};
    oruk_options opt = {.now = 1700000000000LL};
    json_t *report = NULL;
    lw_status st = oruk_import(db, &src, 1, &opt, &report, &err);
    store_release(f->s->store, db);
    if (st != LW_OK)
        fail_msg("import: %s", err.msg);
    json_decref(report);
}

static void has_header(const th_resp *r, const char *name, const char *want) {
    char v[256];
    if (!th_header(r, name, v, sizeof v))
        fail_msg("no %s header", name);
    assert_string_equal(v, want);
}

/* An ndjson answer: 200, its type, the public and security headers; its lines parsed
 * (each must be one JSON object, every line ended by a newline). */
static json_t *ndjson(fx *f, const char *path) {
    th_resp *r = get(f, path);
    if (r->status != 200)
        fail_msg("%s: %ld %s", path, r->status, r->body);
    has_header(r, "Content-Type", "application/x-ndjson");
    has_header(r, "Access-Control-Allow-Origin", "*");
    has_header(r, "X-Content-Type-Options", "nosniff");
    has_header(r, "X-Frame-Options", "DENY");
    has_header(r, "Cache-Control", "no-store");
    json_t *lines = json_array();
    const char *p = r->body, *end = r->body + r->body_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            fail_msg("%s: the last line has no newline", path);
        json_error_t je;
        json_t *o = json_loadb(p, (size_t)(nl - p), 0, &je);
        if (!json_is_object(o))
            fail_msg("%s: line %zu is not a JSON object: %s", path, json_array_size(lines) + 1,
                     je.text);
        json_array_append_new(lines, o);
        p = nl + 1;
    }
    th_resp_free(r);
    return lines;
}

/* TMPL with its one "%s" (if any) replaced by ARG. */
static void subst(char *out, size_t size, const char *tmpl, const char *arg) {
    const char *at = strstr(tmpl, "%s");
    if (!at)
        snprintf(out, size, "%s", tmpl);
    else
        snprintf(out, size, "%.*s%s%s", (int)(at - tmpl), tmpl, arg, at + 2);
}

static json_int_t total_items(fx *f, const char *path) {
    th_resp *r = get(f, path);
    if (r->status != 200)
        fail_msg("%s: %ld %s", path, r->status, r->body);
    json_int_t n = json_integer_value(json_object_get(r->json, "total_items"));
    th_resp_free(r);
    return n;
}

static int by_id(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The ids of ITEMS, sorted (SORTED 1) or in order, joined by spaces. Caller frees. */
static char *ids(json_t *items, int sorted) {
    size_t n = json_array_size(items);
    const char **v = calloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_string_value(json_object_get(json_array_get(items, i), "id"));
    if (sorted)
        qsort(v, n, sizeof *v, by_id);
    char *s = calloc(n * 40 + 1, 1);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(v[i]);
        strcat(s, v[i]);
        strcat(s, " ");
    }
    free(v);
    return s;
}

static const char *first_id(fx *f, const char *path, char *buf, size_t size) {
    th_resp *r = get(f, path);
    assert_int_equal(r->status, 200);
    const char *id = json_string_value(
        json_object_get(json_array_get(json_object_get(r->json, "contents"), 0), "id"));
    assert_non_null(id);
    snprintf(buf, size, "%s", id);
    th_resp_free(r);
    return buf;
}

/* ---- format=ndjson ---- */

/* Each list streamed: as many lines as the paged answer's total_items with the same
 * filters, the same items (the search's order for the index's lists), each valid. */
static void ndjson_streams_every_result_of_every_list(void **state) {
    fx *f = *state;
    char term[64], parent[64], tax[64], org[64], buf[600];
    first_id(f, "/openreferral/taxonomy_terms", term, sizeof term);
    th_resp *t = get(f, "/openreferral/taxonomy_terms");
    snprintf(parent, sizeof parent, "%s",
             json_string_value(json_object_get(
                 json_array_get(json_object_get(t->json, "contents"), 0), "parent_id")));
    th_resp_free(t);
    first_id(f, "/openreferral/taxonomies", tax, sizeof tax);
    first_id(f, "/openreferral/organizations?search=gardens", org, sizeof org);
    static const struct {
        const char *list, *query, *schema;
        int same_order;
    } cases[] = {
        {"services", "", "service_list", 1},
        {"services", "search=walking", "service_list", 1},
        {"services", "postcode=S60%201AE&proximity=4000&minimum_age=16", "service_list", 1},
        {"services", "taxonomy_term_id=%s", "service_list", 1},
        {"services", "organization_id=%s&day=MO", "service_list", 1},
        {"service_at_locations", "", "service_at_location_list", 1},
        {"service_at_locations", "search=choir", "service_at_location_list", 1},
        {"taxonomies", "", "taxonomy_list", 0},
        {"taxonomy_terms", "", "taxonomy_term_list", 0},
        {"taxonomy_terms", "parent_id=%s", "taxonomy_term_list", 0},
        {"taxonomy_terms", "taxonomy_id=%s&top_only=false", "taxonomy_term_list", 0},
        {"organizations", "", "organization_list", 0},
        {"organizations", "search=trust", "organization_list", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char query[200];
        const char *arg = strstr(cases[i].query, "taxonomy_term_id") ? term
                          : strstr(cases[i].query, "parent_id")      ? parent
                          : strstr(cases[i].query, "taxonomy_id")    ? tax
                                                                     : org;
        subst(query, sizeof query, cases[i].query, arg);
        snprintf(buf, sizeof buf, "/openreferral/%s?per_page=1000&%s", cases[i].list, query);
        th_resp *paged = get(f, buf);
        assert_int_equal(paged->status, 200);
        json_t *contents = json_object_get(paged->json, "contents");
        json_int_t total = json_integer_value(json_object_get(paged->json, "total_items"));
        assert_true(total < 1000); /* one page holds them all, to compare */
        snprintf(buf, sizeof buf, "/openreferral/%s?format=ndjson&%s", cases[i].list, query);
        th_resp *raw = get(f, buf);
        save(f, cases[i].schema, "ndjson", raw->body, raw->body_len);
        th_resp_free(raw);
        json_t *lines = ndjson(f, buf);
        if ((json_int_t)json_array_size(lines) != total)
            fail_msg("%s: %zu lines, but total_items is %lld", buf, json_array_size(lines),
                     (long long)total);
        char *a = ids(contents, !cases[i].same_order), *b = ids(lines, !cases[i].same_order);
        if (strcmp(a, b) != 0)
            fail_msg("%s: the lines are not the paged answer's items", buf);
        /* Each line is the very item the paged answer has. */
        for (size_t k = 0; cases[i].same_order && k < json_array_size(lines); k++)
            assert_true(json_equal(json_array_get(lines, k), json_array_get(contents, k)));
        free(a);
        free(b);
        json_decref(lines);
        th_resp_free(paged);
    }
    /* The filters really narrow the stream (so the counts above are not all the same). */
    json_t *all = ndjson(f, "/openreferral/services?format=ndjson");
    json_t *some = ndjson(f, "/openreferral/services?format=ndjson&search=walking");
    assert_true(json_array_size(all) >= 100);
    assert_true(json_array_size(some) > 0 && json_array_size(some) < json_array_size(all));
    json_decref(all);
    json_decref(some);
    /* format=json is the paged default. */
    assert_true(total_items(f, "/openreferral/services?format=json") >= 100);
    /* HEAD: the headers only, and the stream is freed (AddressSanitizer checks). */
    th_resp *h = th_raw(f->s, "HEAD", "/openreferral/services?format=ndjson", NULL, NULL, 0);
    assert_int_equal(h->status, 200);
    assert_int_equal(h->body_len, 0);
    th_resp_free(h);
}

static void expect_400(fx *f, const char *path, const char *field) {
    th_resp *r = get(f, path);
    if (r->status != 400)
        fail_msg("%s: %ld, wanted 400: %s", path, r->status, r->body);
    const char *got = th_assert_problem(r, 400);
    if (!got || strcmp(got, field) != 0)
        fail_msg("%s: the problem names '%s', not '%s'", path, got ? got : "(nothing)", field);
    has_header(r, "Access-Control-Allow-Origin", "*");
    th_resp_free(r);
}

/* Bad values of each parameter: 400 problems naming it, on every list that takes it. */
static void bad_values_are_refused_naming_the_parameter(void **state) {
    fx *f = *state;
    static const char *const lists[] = {"services", "service_at_locations", "taxonomies",
                                        "taxonomy_terms", "organizations"};
    char path[300];
    for (size_t i = 0; i < 5; i++) {
        static const char *const bad[][2] = {
            {"format=xml", "format"},
            {"format=NDJSON", "format"},
            {"format=", "format"},
            {"format=ndjson&page=2", "page"},
            {"format=ndjson&per_page=1000", "per_page"},
            {"format=ndjson&page=1", "page"},
            {"search=%FF%FE", "search"},
        };
        for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            snprintf(path, sizeof path, "/openreferral/%s?%s", lists[i], bad[k][0]);
            if (i < 2 && k == 6)
                continue; /* the index's search takes any bytes: they match nothing */
            expect_400(f, path, bad[k][1]);
        }
    }
    expect_400(f, "/openreferral/services?minimal=maybe", "minimal");
    expect_400(f, "/openreferral/services?minimal=1", "minimal");
    expect_400(f, "/openreferral/services?full=2", "full");
    expect_400(f, "/openreferral/services?minimal=true&full=true", "minimal");
    expect_400(f, "/openreferral/services?format=ndjson&minimal=true&full=true", "minimal");
    expect_400(f, "/openreferral/organizations?full=yes", "full");
    expect_400(f, "/openreferral/organizations?full_service=yes", "full_service");
    expect_400(f, "/openreferral/service_at_locations?full=TRUE", "full");
    expect_400(f, "/openreferral/taxonomy_terms?top_only=maybe", "top_only");
    expect_400(f, "/openreferral/taxonomy_terms?parent_id=%FF", "parent_id");
    expect_400(f, "/openreferral/organizations?search=a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q", "search");
    /* 500 bytes is the limit, as for the services' search. */
    char longq[700] = "/openreferral/taxonomies?search=";
    memset(longq + strlen(longq), 'a', 501);
    expect_400(f, longq, "search");
    /* The existing refusals hold with the new parameters beside them. */
    expect_400(f, "/openreferral/services?minimal=true&per_page=0", "per_page");
    expect_400(f, "/openreferral/services?format=ndjson&proximity=10", "proximity");
    expect_400(f, "/openreferral/service_at_locations?format=ndjson&day=someday", "day");
    /* Parameters a list does not define are ignored, as they always were. */
    assert_true(total_items(f, "/openreferral/taxonomies?minimal=maybe&full=2") >= 1);
}

/* ---- minimal=true ---- */

static void minimal_gives_every_service_id_and_date_in_one_call(void **state) {
    fx *f = *state;
    th_resp *r = get(f, "/openreferral/services?minimal=true");
    assert_int_equal(r->status, 200);
    has_header(r, "Access-Control-Allow-Origin", "*");
    json_int_t total = json_integer_value(json_object_get(r->json, "total_items"));
    json_t *items = json_object_get(r->json, "contents");
    assert_true(total >= 100);
    /* All of them at once: one page of every service. */
    assert_int_equal(json_array_size(items), (size_t)total);
    assert_int_equal(json_integer_value(json_object_get(r->json, "size")), total);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total_pages")), 1);
    assert_true(json_is_true(json_object_get(r->json, "last_page")));
    save(f, "service_list", "json", r->body, r->body_len);
    /* Each item: the id and its modified date (plus what the validator requires). */
    th_resp *full = get(f, "/openreferral/services?per_page=1000");
    json_t *fitems = json_object_get(full->json, "contents");
    assert_int_equal(json_array_size(fitems), (size_t)total);
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *o = json_array_get(items, i), *want = json_array_get(fitems, i);
        assert_int_equal(json_object_size(o), 5);
        assert_true(json_equal(json_object_get(o, "id"), json_object_get(want, "id")));
        assert_true(json_equal(json_object_get(o, "name"), json_object_get(want, "name")));
        assert_true(json_equal(json_object_get(o, "status"), json_object_get(want, "status")));
        assert_true(json_equal(json_object_get(o, "modified_date"),
                               json_object_get(want, "last_modified")));
        assert_true(json_equal(json_object_get(o, "last_modified"),
                               json_object_get(want, "last_modified")));
        assert_null(json_object_get(o, "description"));
    }
    th_resp_free(full);
    th_resp_free(r);

    /* With per_page it pages as any list does; past the one page, an empty page. */
    r = get(f, "/openreferral/services?minimal=true&per_page=10&page=2");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "contents")), 10);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total_pages")), (total + 9) / 10);
    assert_int_equal(json_object_size(json_array_get(json_object_get(r->json, "contents"), 0)), 5);
    save(f, "service_list", "json", r->body, r->body_len);
    th_resp_free(r);
    r = get(f, "/openreferral/services?minimal=true&page=2");
    assert_int_equal(r->status, 200);
    assert_true(json_is_true(json_object_get(r->json, "empty")));
    assert_int_equal(json_integer_value(json_object_get(r->json, "total_items")), total);
    th_resp_free(r);

    /* Filters apply; minimal=false is the default shape; with ndjson, one per line. */
    json_int_t walking = total_items(f, "/openreferral/services?search=walking");
    assert_int_equal(total_items(f, "/openreferral/services?search=walking&minimal=true"), walking);
    r = get(f, "/openreferral/services?minimal=false&per_page=1");
    assert_non_null(
        json_object_get(json_array_get(json_object_get(r->json, "contents"), 0), "description"));
    th_resp_free(r);
    json_t *lines = ndjson(f, "/openreferral/services?format=ndjson&minimal=true&search=walking");
    assert_int_equal(json_array_size(lines), (size_t)walking);
    assert_int_equal(json_object_size(json_array_get(lines, 0)), 5);
    json_decref(lines);
    r = get(f, "/openreferral/services?format=ndjson&minimal=true");
    save(f, "service_list", "ndjson", r->body, r->body_len);
    th_resp_free(r);

    /* Items are copied from the index's text: a name full of JSON's own characters, and
     * a description that looks like the members, come out as they are. */
    static const char tricky[] =
        "[{\"id\":\"tricky-1\",\"name\":\"Quote \\\"q\\\" back\\\\slash {x} [y], "
        "\\\"status\\\":\\\"fake\\\" caf\\u00e9\",\"status\":\"inactive\","
        "\"description\":\"\\\",\\\"name\\\":\\\"evil\\\",\\\"status\\\":\\\"evil\"}]";
    import_json(f, tricky, sizeof tricky - 1);
    th_advance(f->s, 2 * LW_DIR_POLL_MS);
    json_t *all = ndjson(f, "/openreferral/services?format=ndjson&minimal=true");
    json_t *one = NULL;
    for (size_t i = 0; i < json_array_size(all); i++)
        if (strncmp(json_string_value(json_object_get(json_array_get(all, i), "name")), "Quote",
                    5) == 0)
            one = json_array_get(all, i);
    assert_non_null(one);
    assert_string_equal(json_string_value(json_object_get(one, "name")),
                        "Quote \"q\" back\\slash {x} [y], \"status\":\"fake\" caf\xc3\xa9");
    assert_int_equal(json_object_size(one), 5);
    assert_string_equal(json_string_value(json_object_get(one, "status")), "inactive");
    char path[200];
    snprintf(path, sizeof path, "/openreferral/services/%s",
             json_string_value(json_object_get(one, "id")));
    r = get(f, path);
    assert_true(json_equal(json_object_get(one, "modified_date"),
                           json_object_get(r->json, "last_modified")));
    th_resp_free(r);
    json_decref(all);
}

/* ---- full=true ---- */

/* Each item of a full list is exactly the record by id (RECORD: "/openreferral/x/%s"). */
static void full_items_are_the_records(fx *f, const char *list, const char *record,
                                       const char *item_schema) {
    char path[300];
    th_resp *r = get(f, list);
    if (r->status != 200)
        fail_msg("%s: %ld %s", list, r->status, r->body);
    has_header(r, "Access-Control-Allow-Origin", "*");
    json_t *items = json_object_get(r->json, "contents");
    assert_true(json_array_size(items) > 0);
    assert_int_equal(json_integer_value(json_object_get(r->json, "size")), json_array_size(items));
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *o = json_array_get(items, i);
        subst(path, sizeof path, record, json_string_value(json_object_get(o, "id")));
        th_resp *one = get(f, path);
        assert_int_equal(one->status, 200);
        if (!json_equal(o, one->json))
            fail_msg("%s: item %zu differs from %s", list, i, path);
        save_json(f, item_schema, o);
        th_resp_free(one);
    }
    th_resp_free(r);
}

static void full_nests_services_organisations_and_places(void **state) {
    fx *f = *state;
    full_items_are_the_records(f, "/openreferral/services?full=true&per_page=4&search=walking",
                               "/openreferral/services/%s", "service");
    full_items_are_the_records(f, "/openreferral/organizations?full=true&per_page=3",
                               "/openreferral/organizations/%s", "organization");
    full_items_are_the_records(f, "/openreferral/organizations?full_service=true&per_page=2",
                               "/openreferral/organizations/%s?full_service=true", "organization");
    full_items_are_the_records(f, "/openreferral/service_at_locations?full=true&per_page=3&page=2",
                               "/openreferral/service_at_locations/%s", "service_at_location");

    /* The nesting is there: a full service has its organisation and places. */
    th_resp *r = get(f, "/openreferral/services?full=true&per_page=2");
    json_t *svc = json_array_get(json_object_get(r->json, "contents"), 0);
    assert_non_null(json_object_get(json_object_get(svc, "organization"), "name"));
    assert_non_null(json_object_get(json_array_get(json_object_get(svc, "service_at_locations"), 0),
                                    "location"));
    save(f, "service_list", "json", r->body, r->body_len);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total_items")),
                     total_items(f, "/openreferral/services"));
    th_resp_free(r);
    /* Without full, the list items stay as they were. */
    r = get(f, "/openreferral/services?full=false&per_page=2");
    assert_null(json_object_get(json_array_get(json_object_get(r->json, "contents"), 0),
                                "service_at_locations"));
    th_resp_free(r);
    r = get(f, "/openreferral/organizations?per_page=2");
    assert_null(
        json_object_get(json_array_get(json_object_get(r->json, "contents"), 0), "services"));
    th_resp_free(r);

    /* Places in full, paged by place: the same places the plain list pages through. */
    th_resp *plain = get(f, "/openreferral/service_at_locations?per_page=5&page=3");
    r = get(f, "/openreferral/service_at_locations?full=true&per_page=5&page=3");
    char *a = ids(json_object_get(plain->json, "contents"), 0);
    char *b = ids(json_object_get(r->json, "contents"), 0);
    assert_string_equal(a, b);
    assert_true(json_equal(json_object_get(plain->json, "total_items"),
                           json_object_get(r->json, "total_items")));
    save(f, "service_at_location_list", "json", r->body, r->body_len);
    free(a);
    free(b);
    th_resp_free(plain);
    th_resp_free(r);

    /* ndjson in full: the same count, each line a record by id. */
    static const struct {
        const char *stream, *paged, *schema, *record;
    } streams[] = {
        {"/openreferral/services?format=ndjson&full=true&search=choir",
         "/openreferral/services?search=choir", "service", "/openreferral/services/%s"},
        {"/openreferral/organizations?format=ndjson&full=true", "/openreferral/organizations",
         "organization", "/openreferral/organizations/%s"},
        {"/openreferral/organizations?format=ndjson&full_service=true&search=trust",
         "/openreferral/organizations?search=trust", "organization",
         "/openreferral/organizations/%s?full_service=true"},
        {"/openreferral/service_at_locations?format=ndjson&full=true&search=choir",
         "/openreferral/service_at_locations?search=choir", "service_at_location",
         "/openreferral/service_at_locations/%s"},
    };
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++) {
        json_t *lines = ndjson(f, streams[i].stream);
        assert_int_equal(json_array_size(lines), (size_t)total_items(f, streams[i].paged));
        r = get(f, streams[i].stream);
        save(f, streams[i].schema, "ndjson", r->body, r->body_len);
        th_resp_free(r);
        json_t *o = json_array_get(lines, 0);
        assert_true(json_object_get(o, "organization") || json_object_get(o, "services") ||
                    json_object_get(o, "location"));
        /* Each line is exactly the record by id. */
        for (size_t k = 0; k < json_array_size(lines); k++) {
            char path[300];
            subst(path, sizeof path, streams[i].record,
                  json_string_value(json_object_get(json_array_get(lines, k), "id")));
            th_resp *one = get(f, path);
            assert_int_equal(one->status, 200);
            if (!json_equal(json_array_get(lines, k), one->json))
                fail_msg("%s: line %zu differs from %s", streams[i].stream, k + 1, path);
            th_resp_free(one);
        }
        json_decref(lines);
    }
}

/* ---- search on the store's lists ---- */

static int has_name(json_t *items, const char *name) {
    for (size_t i = 0; i < json_array_size(items); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(items, i), "name")), name) == 0)
            return 1;
    return 0;
}

static json_t *contents_of(fx *f, const char *path, th_resp **keep) {
    *keep = get(f, path);
    if ((*keep)->status != 200)
        fail_msg("%s: %ld %s", path, (*keep)->status, (*keep)->body);
    return json_object_get((*keep)->json, "contents");
}

static void search_finds_taxonomies_terms_organisations_and_places(void **state) {
    fx *f = *state;
    th_resp *r;
    /* Terms: by name, case-insensitive, part of a word; all words must match. */
    json_t *c = contents_of(f, "/openreferral/taxonomy_terms?search=WALK&per_page=100", &r);
    assert_true(has_name(c, "Walking"));
    assert_false(has_name(c, "Befriending"));
    save(f, "taxonomy_term_list", "json", r->body, r->body_len);
    th_resp_free(r);
    c = contents_of(f, "/openreferral/taxonomy_terms?search=befriend&per_page=100", &r);
    assert_true(has_name(c, "Befriending"));
    assert_false(has_name(c, "Walking"));
    th_resp_free(r);
    assert_int_equal(total_items(f, "/openreferral/taxonomy_terms?search=walking+zzzz"), 0);
    /* By description too. */
    assert_true(total_items(f, "/openreferral/taxonomy_terms?search=cuppa") >= 1);
    /* LIKE's wildcards are text, not wildcards. */
    assert_int_equal(total_items(f, "/openreferral/taxonomy_terms?search=%25"), 0);
    assert_int_equal(total_items(f, "/openreferral/taxonomy_terms?search=_"), 0);
    /* An empty search is no filter. */
    assert_int_equal(total_items(f, "/openreferral/taxonomy_terms?search="),
                     total_items(f, "/openreferral/taxonomy_terms"));

    /* Taxonomies: the demo's one, by a word of its name. */
    c = contents_of(f, "/openreferral/taxonomies", &r);
    const char *name = json_string_value(json_object_get(json_array_get(c, 0), "name"));
    assert_non_null(name);
    char path[300], word[64];
    snprintf(word, sizeof word, "%.*s", (int)strcspn(name, " "), name);
    th_resp_free(r);
    snprintf(path, sizeof path, "/openreferral/taxonomies?search=%s", word);
    assert_int_equal(total_items(f, path), 1);
    assert_int_equal(total_items(f, "/openreferral/taxonomies?search=zzzz"), 0);

    /* Organisations. */
    c = contents_of(f, "/openreferral/organizations?search=riverside+GARDENS", &r);
    assert_int_equal(json_array_size(c), 1);
    assert_true(has_name(c, "Riverside Community Gardens"));
    th_resp_free(r);
    json_int_t all = total_items(f, "/openreferral/organizations");
    json_int_t some = total_items(f, "/openreferral/organizations?search=TRUST");
    assert_true(some > 1 && some < all);
    json_t *lines = ndjson(f, "/openreferral/organizations?format=ndjson&search=trust");
    assert_int_equal(json_array_size(lines), (size_t)some);
    json_decref(lines);

    /* Places: the places of exactly the services the same search finds. */
    th_resp *svc = get(f, "/openreferral/services?search=choir&per_page=1000");
    c = contents_of(f, "/openreferral/service_at_locations?search=choir&per_page=1000", &r);
    assert_true(json_array_size(c) > 0);
    json_t *found = json_object_get(svc->json, "contents");
    for (size_t i = 0; i < json_array_size(c); i++) {
        const char *sid = json_string_value(json_object_get(json_array_get(c, i), "service_id"));
        int in = 0;
        for (size_t k = 0; k < json_array_size(found); k++)
            in |= strcmp(sid, json_string_value(json_object_get(json_array_get(found, k), "id"))) ==
                  0;
        if (!in)
            fail_msg("place of service %s, which the search did not find", sid);
    }
    assert_true(total_items(f, "/openreferral/service_at_locations?search=choir") <
                total_items(f, "/openreferral/service_at_locations"));
    th_resp_free(svc);
    th_resp_free(r);
}

/* ---- a long stream ---- */

/* N services of about 2 KB each, imported straight through the store. */
static void import_many(fx *f, int n, const char *prefix) {
    size_t cap = (size_t)n * 2300 + 16;
    char *json = malloc(cap), *p = json;
    p += sprintf(p, "[");
    char desc[2001];
    for (int i = 0; i < 2000; i++)
        desc[i] = (char)("abcdefgh "[i % 9]);
    desc[2000] = '\0';
    for (int i = 0; i < n; i++)
        p += sprintf(p,
                     "%s{\"id\":\"%s-%d\",\"name\":\"Stream test %s %d\",\"status\":\"active\","
                     "\"description\":\"%s\"}",
                     i ? "," : "", prefix, i, prefix, i, desc);
    p += sprintf(p, "]");
    import_json(f, json, (size_t)(p - json));
    free(json);
}

/* A raw HTTP/1.0 request (so the body is not chunked: it ends when the server closes)
 * with a small receive buffer, so the server cannot send far ahead of what is read. */
static int open_stream(fx *f, const char *path) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->s->port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    char req[300];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    assert_int_equal(write(fd, req, (size_t)n), n);
    return fd;
}

/* Reads at least WANT bytes (or to the end) into BUF; returns how many. */
static size_t read_some(int fd, char *buf, size_t size, size_t want) {
    size_t got = 0;
    while (got < want && got < size) {
        ssize_t k = read(fd, buf + got, size - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    return got;
}

/* Waits (up to 10 s of real time: the server's own threads must notice the closed
 * socket; no app clock is involved) until no stream is left. */
static int streams_drain(fx *f) {
    for (int i = 0; i < 1000; i++) {
        if (http_streams_open(f->s->http) == 0)
            return 1;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static void a_client_leaving_mid_stream_frees_it(void **state) {
    fx *f = *state;
    import_many(f, 3000, "gone");
    th_advance(f->s, 2 * LW_DIR_POLL_MS); /* the next search sees the new version */
    json_int_t total = total_items(f, "/openreferral/services?search=stream");
    assert_int_equal(total, 3000);
    /* About 6 MB: more than the kernel buffers between the two ends hold. */
    int fd = open_stream(f, "/openreferral/services?format=ndjson&search=stream");
    static char buf[65536];
    size_t got = read_some(fd, buf, sizeof buf, 16384);
    assert_true(got >= 16384);
    assert_non_null(strstr(buf, "200 OK"));
    assert_non_null(strstr(buf, "application/x-ndjson"));
    assert_int_equal(http_streams_open(f->s->http), 1); /* still producing */
    close(fd);                                          /* unread data: the peer is reset */
    if (!streams_drain(f))
        fail_msg("the stream of a client that went away is still held");
    /* The server carries on. */
    assert_int_equal(total_items(f, "/openreferral/services?search=stream"), 3000);
}

static void a_stream_keeps_its_index_while_the_directory_changes(void **state) {
    fx *f = *state;
    import_many(f, 3000, "kept");
    th_advance(f->s, 2 * LW_DIR_POLL_MS);
    assert_int_equal(total_items(f, "/openreferral/services?search=kept"), 3000);
    int fd = open_stream(f, "/openreferral/services?format=ndjson&search=kept");
    size_t size = (size_t)16 << 20;
    char *buf = malloc(size);
    size_t got = read_some(fd, buf, size, 16384);
    assert_true(got >= 16384);
    assert_int_equal(http_streams_open(f->s->http), 1);
    /* The directory changes and this process's index is rebuilt meanwhile. */
    import_many(f, 10, "kept-later");
    th_advance(f->s, 2 * LW_DIR_POLL_MS);
    assert_int_equal(total_items(f, "/openreferral/services?search=kept"), 3010);
    /* The stream goes on from the index it started with, to its end. */
    got += read_some(fd, buf + got, size - got, size);
    close(fd);
    assert_true(got < size);
    buf[got] = '\0';
    char *body = strstr(buf, "\r\n\r\n");
    assert_non_null(body);
    size_t lines = 0;
    for (char *p = body + 4; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 3000);
    assert_null(strstr(body, "kept-later"));
    assert_true(streams_drain(f));
    free(buf);
}

/* ---- a page's text ---- */

/* A paged answer of PATH: 200, exactly the compact text of its own JSON (the paging
 * members and the items, written into one buffer from the index's texts: no byte lost,
 * doubled or out of place), its size and empty members true to its contents. */
static json_t *exact_page(fx *f, const char *path) {
    th_resp *r = get(f, path);
    if (r->status != 200 || !r->json)
        fail_msg("%s: %ld %s", path, r->status, r->body);
    has_header(r, "Content-Type", "application/json");
    char *again = json_dumps(r->json, JSON_COMPACT);
    if (strlen(again) != r->body_len || memcmp(again, r->body, r->body_len) != 0)
        fail_msg("%s: the body is not its JSON's compact text:\n%s\n%s", path, r->body, again);
    free(again);
    json_t *contents = json_object_get(r->json, "contents");
    assert_true(json_is_array(contents));
    assert_int_equal(json_integer_value(json_object_get(r->json, "size")),
                     (json_int_t)json_array_size(contents));
    assert_true(json_equal(json_object_get(r->json, "empty"),
                           json_boolean(json_array_size(contents) == 0)));
    json_t *o = json_incref(r->json);
    th_resp_free(r);
    return o;
}

/* Pages of every size, read to past their end, are the ndjson stream's items in order —
 * with names and descriptions full of escapes, non-ASCII text and members left out. */
static void a_page_is_its_items_written_out_exactly(void **state) {
    fx *f = *state;
    static const char odd[] =
        "[{\"id\":\"odd-1\",\"name\":\"Zebra \\\"club\\\" back\\\\slash \\t tab \\u0001 "
        "</script> caf\\u00e9 \\ud83d\\ude00\",\"status\":\"active\","
        "\"description\":\"zebra ],[ {} \\\"x\\\":1 \\n line\"},"
        "{\"id\":\"odd-2\",\"name\":\"Zebra crossing patrol\",\"status\":\"active\","
        "\"description\":\"\",\"url\":\"https://example.org/a?b=c&d=\\\"e\\\"\","
        "\"minimum_age\":0,\"maximum_age\":150},"
        "{\"id\":\"odd-3\",\"name\":\"zebra\",\"status\":\"active\"}]";
    import_json(f, odd, sizeof odd - 1);
    th_advance(f->s, 2 * LW_DIR_POLL_MS);
    static const char *const queries[] = {"services?search=zebra", "services?search=walking",
                                          "services?", "service_at_locations?search=walking",
                                          "service_at_locations?"};
    static const int sizes[] = {1, 2, 7, 50};
    char path[300];
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        const char *sep = strchr(queries[i], '?')[1] ? "&" : "";
        snprintf(path, sizeof path, "/openreferral/%s%sformat=ndjson", queries[i], sep);
        json_t *lines = ndjson(f, path);
        assert_true(json_array_size(lines) > 0);
        for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
            size_t seen = 0;
            for (int page = 1;; page++) {
                snprintf(path, sizeof path, "/openreferral/%s%sper_page=%d&page=%d", queries[i],
                         sep, sizes[z], page);
                json_t *o = exact_page(f, path);
                json_t *contents = json_object_get(o, "contents");
                assert_int_equal(json_integer_value(json_object_get(o, "total_items")),
                                 (json_int_t)json_array_size(lines));
                for (size_t k = 0; k < json_array_size(contents); k++)
                    if (!json_equal(json_array_get(contents, k), json_array_get(lines, seen + k)))
                        fail_msg("%s: item %zu is not the stream's", path, k);
                seen += json_array_size(contents);
                int empty = json_array_size(contents) == 0;
                json_decref(o);
                if (empty || (sizes[z] == 1 && page == 40))
                    break;
            }
            assert_int_equal(
                seen, sizes[z] == 1 && json_array_size(lines) > 40 ? 40 : json_array_size(lines));
        }
        json_decref(lines);
    }
    /* The odd name comes out as the import cleaned it (control characters and markup
     * gone, white space collapsed), its quotes, backslash and non-ASCII text intact. */
    json_t *o = exact_page(f, "/openreferral/services?search=zebra&per_page=50");
    json_t *contents = json_object_get(o, "contents");
    assert_int_equal(json_array_size(contents), 3);
    int found = 0;
    for (size_t k = 0; k < 3; k++) {
        const char *name = json_string_value(json_object_get(json_array_get(contents, k), "name"));
        found += strcmp(name, "Zebra \"club\" back\\slash tab caf\xc3\xa9 \xf0\x9f\x98\x80") == 0;
    }
    assert_int_equal(found, 1);
    json_decref(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ndjson_streams_every_result_of_every_list, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_values_are_refused_naming_the_parameter, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(minimal_gives_every_service_id_and_date_in_one_call, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(full_nests_services_organisations_and_places, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(search_finds_taxonomies_terms_organisations_and_places,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_client_leaving_mid_stream_frees_it, setup, teardown),
        cmocka_unit_test_setup_teardown(a_stream_keeps_its_index_while_the_directory_changes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_page_is_its_items_written_out_exactly, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
