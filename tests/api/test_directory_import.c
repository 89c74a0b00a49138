/*
 * The import's two ways of writing (io/oruk_import.c): into an empty directory it
 * drops the secondary indexes, skips the id lookups and builds the indexes again at
 * the end, all inside its one transaction; into a directory with records it upserts
 * each one. Both must leave the same rows, and a failed import — a broken second
 * file, or a failure just before the commit — must leave the directory as it was,
 * indexes included. Runs on SQLite and (as .pg) on PostgreSQL.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "io/oruk.h"

#define NOW 1700000000000LL

/* A feed of N services (deterministic: service I is the same in every feed): shared
 * organisations and taxonomy terms, nested schedules, contacts with phones, places
 * with addresses, HTML, a service without a name (rejected) and a repeated id. */
static char *feed(int n) {
    size_t cap = (size_t)n * 2048 + 1024, len = 0;
    char *b = malloc(cap);
    len += (size_t)snprintf(b + len, cap - len, "{\"total_items\": %d, \"contents\": [", n);
    for (int i = 0; i < n; i++) {
        char name[64] = "";
        if (i != 7)
            snprintf(name, sizeof name, "%s %d",
                     i % 3 ? "Walking group" : "Befriending <b>café</b>", i);
        len += (size_t)snprintf(
            b + len, cap - len,
            "%s{\"id\": \"svc-%d\", \"name\": \"%s\", \"description\": \"<p>Meet &amp; "
            "greet</p> number %d\", \"status\": \"%s\", \"minimum_age\": %d, "
            "\"organization\": {\"id\": \"org-%d\", \"name\": \"Org %d\"}, "
            "\"schedules\": [{\"id\": \"sch-%d-a\", \"freq\": \"WEEKLY\", \"byday\": \"MO\", "
            "\"opens_at\": \"10:00\", \"closes_at\": \"12:00\"}, {\"byday\": \"TU\", "
            "\"opens_at\": \"5:30pm\"}], "
            "\"contacts\": [{\"id\": \"c-%d\", \"name\": \"Sam\", \"phones\": [{\"number\": "
            "\"0114 496 %04d\"}]}], "
            "\"cost_options\": [{\"amount\": %d, \"currency\": \"GBP\"}], "
            "\"service_at_locations\": [{\"id\": \"sal-%d\", \"location\": {\"id\": \"loc-%d\", "
            "\"name\": \"Hall %d\", \"latitude\": 53.%04d, \"longitude\": -1.%04d, "
            "\"addresses\": [{\"address_1\": \"%d High Street\", \"city\": \"Sheffield\", "
            "\"postal_code\": \"s1 %dAB\", \"country\": \"GB\"}]}}], "
            "\"attributes\": [{\"taxonomy_term\": {\"id\": \"term-%d\", \"name\": \"%s\"}}]}",
            i ? ", " : "", i == 9 ? 8 : i, name, i, i % 5 ? "active" : "Temporarily_Closed", i % 20,
            i / 4, i / 4, i, i, i, i % 4 ? i : 0, i, i % 50, i, i, i, i, i % 10, i % 3,
            i % 3 ? "Walking" : "Befriending");
    }
    len += (size_t)snprintf(b + len, cap - len, "]}");
    return b;
}

static const char *const tables[] = {
    "directory_organizations", "services", "locations", "taxonomies", "taxonomy_terms", NULL};
static const char *const nested[] = {
    "service_at_locations", "schedules",  "contacts", "phones", "addresses",
    "cost_options",         "attributes", NULL};

static const char *const indexes[] = {"services_org",
                                      "taxonomy_terms_parent",
                                      "service_at_locations_root",
                                      "schedules_root",
                                      "contacts_root",
                                      "phones_root",
                                      "addresses_root",
                                      "cost_options_root",
                                      "attributes_root",
                                      "funding_root",
                                      "service_at_locations_location",
                                      "attributes_term",
                                      "languages_root",
                                      "accessibility_root",
                                      "service_areas_root",
                                      "required_documents_root"};

/* Every row of the directory, as text (nested rows without their generated ids). */
static char *dump(th_server *s) {
    size_t cap = 1 << 20, len = 0;
    char *out = calloc(1, cap);
    for (int pass = 0; pass < 2; pass++) {
        const char *const *list = pass ? nested : tables;
        for (int t = 0; list[t]; t++) {
            char sql[256];
            snprintf(sql, sizeof sql,
                     pass ? "SELECT * FROM %s ORDER BY root_id, owner_kind, "
                            "owner_ref, pos"
                          : "SELECT * FROM %s ORDER BY id",
                     list[t]);
            char *rows = th_sql_text(s, sql);
            size_t need = len + strlen(rows) + strlen(list[t]) + 8;
            if (need > cap) {
                cap = need * 2;
                out = realloc(out, cap);
            }
            len += (size_t)snprintf(out + len, cap - len, "== %s\n", list[t]);
            for (char *line = rows; *line;) {
                char *nl = strchr(line, '\n');
                size_t ll = nl ? (size_t)(nl - line) : strlen(line);
                const char *from = line;
                if (pass) { /* drop the first column (the row's own id) */
                    const char *tab = memchr(line, '\t', ll);
                    from = tab ? tab + 1 : line + ll;
                }
                memcpy(out + len, from, ll - (size_t)(from - line));
                len += ll - (size_t)(from - line);
                out[len++] = '\n';
                line = nl ? nl + 1 : line + ll;
            }
            out[len] = '\0';
            free(rows);
        }
    }
    return out;
}

static long long directory_rows(th_server *s) {
    long long n = 0;
    for (int t = 0; tables[t]; t++)
        n += th_sql_countf(s, "SELECT count(*) FROM %s", tables[t]);
    for (int t = 0; nested[t]; t++)
        n += th_sql_countf(s, "SELECT count(*) FROM %s", nested[t]);
    return n;
}

/* How many of the directory's secondary indexes exist. */
static long long index_count(th_server *s) {
    int pg = getenv("LINKWELL_TEST_POSTGRES") != NULL;
    char sql[2048];
    size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s IN (",
                                  pg ? "pg_indexes" : "sqlite_master", pg ? "indexname" : "name");
    for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s'%s'", i ? ", " : "", indexes[i]);
    snprintf(sql + len, sizeof sql - len, ")");
    return th_sql_count(s, sql);
}

static lw_status fail_at_the_end(lw_db *db, void *ctx, lw_error *err) {
    (void)db;
    (void)ctx;
    return lw_fail(err, LW_EINTERNAL, NULL, "the audit row could not be written");
}

/* Imports the texts BUFS through the store; the status, and the report in *REPORT. */
static lw_status import(th_server *s, const char *const *bufs, int n, int fail_last,
                        json_t **report, lw_error *err) {
    lw_db *db;
    assert_int_equal(store_acquire(s->store, &db, err), LW_OK);
    oruk_source src[4];
    for (int i = 0; i < n; i++)
        src[i] = (oruk_source){.name = "feed.json", .buf = bufs[i], .len = strlen(bufs[i])};
    oruk_options opt = {.now = NOW, .before_commit = fail_last ? fail_at_the_end : NULL};
    *report = NULL;
    lw_status st = oruk_import(db, src, n, &opt, report, err);
    store_release(s->store, db);
    return st;
}

static json_int_t count_of(json_t *report, const char *kind, const char *what) {
    return json_integer_value(json_object_get(json_object_get(report, kind), what));
}

static void a_first_import_and_an_upsert_leave_the_same_rows(void **state) {
    (void)state;
    char *big = feed(300), *one = feed(1);
    lw_error err;
    json_t *rep;
    /* A: into an empty directory (the bulk path). */
    th_server *a = th_start();
    long long nindexes = index_count(a);
    assert_int_equal(nindexes, (long long)(sizeof indexes / sizeof indexes[0]));
    const char *ba[] = {big};
    assert_int_equal(import(a, ba, 1, 0, &rep, &err), LW_OK);
    assert_int_equal(count_of(rep, "services", "imported"), 298);
    assert_int_equal(count_of(rep, "services", "rejected"), 2);
    assert_int_equal(count_of(rep, "organizations", "imported"), 75);
    json_decref(rep);
    assert_int_equal(index_count(a), nindexes);
    /* B: one of the same services first, so the feed is upserted into a directory
     * that has records. */
    th_server *b = th_start();
    const char *bb1[] = {one};
    assert_int_equal(import(b, bb1, 1, 0, &rep, &err), LW_OK);
    json_decref(rep);
    assert_int_equal(import(b, ba, 1, 0, &rep, &err), LW_OK);
    assert_int_equal(count_of(rep, "services", "imported"), 297);
    assert_int_equal(count_of(rep, "services", "unchanged"), 1);
    json_decref(rep);
    char *da = dump(a), *db = dump(b);
    assert_string_equal(da, db);
    /* What a person would see: the HTML became text, the nested rows are all there. */
    assert_non_null(strstr(da, "Befriending café 0"));
    assert_null(strstr(da, "<b>"));
    assert_int_equal(th_sql_count(a, "SELECT count(*) FROM phones"), 298);
    assert_int_equal(th_sql_count(a, "SELECT count(*) FROM schedules"), 2 * 298);
    /* Both re-import unchanged. */
    assert_int_equal(import(a, ba, 1, 0, &rep, &err), LW_OK);
    assert_int_equal(count_of(rep, "services", "unchanged"), 298);
    assert_int_equal(count_of(rep, "locations", "unchanged"), 50); /* places are shared */
    json_decref(rep);
    char *da2 = dump(a);
    assert_string_equal(da, da2);
    free(da);
    free(da2);
    free(db);
    th_stop(a);
    th_stop(b);
    free(big);
    free(one);
}

static void a_failed_first_import_leaves_an_empty_directory(void **state) {
    (void)state;
    char *big = feed(200);
    th_server *s = th_start();
    long long nindexes = index_count(s);
    lw_error err;
    json_t *rep;
    /* A broken second file: nothing of the first is kept. */
    const char *two[] = {big, "[{\"id\": \"x\", \"name\": \"Cut off"};
    assert_int_equal(import(s, two, 2, 0, &rep, &err), LW_EINVAL);
    assert_non_null(strstr(err.msg, "nothing was imported"));
    assert_null(rep);
    assert_int_equal(directory_rows(s), 0);
    assert_int_equal(index_count(s), nindexes);
    /* A failure after the indexes were built again, just before the commit. */
    const char *first[] = {big};
    assert_int_equal(import(s, first, 1, 1, &rep, &err), LW_EINTERNAL);
    assert_int_equal(directory_rows(s), 0);
    assert_int_equal(index_count(s), nindexes);
    /* And then it imports. */
    assert_int_equal(import(s, first, 1, 0, &rep, &err), LW_OK);
    assert_int_equal(count_of(rep, "services", "imported"), 198);
    json_decref(rep);
    assert_int_equal(index_count(s), nindexes);
    th_stop(s);
    free(big);
}

static void a_failed_upsert_leaves_the_directory_as_it_was(void **state) {
    (void)state;
    char *small = feed(50), *big = feed(120);
    th_server *s = th_start();
    lw_error err;
    json_t *rep;
    const char *first[] = {small};
    assert_int_equal(import(s, first, 1, 0, &rep, &err), LW_OK);
    json_decref(rep);
    char *before = dump(s);
    const char *more[] = {big};
    assert_int_equal(import(s, more, 1, 1, &rep, &err), LW_EINTERNAL);
    const char *broken[] = {big, "{\"contents\": [{\"id\": 1, \"name\": \"x\"}"};
    assert_int_equal(import(s, broken, 2, 0, &rep, &err), LW_EINVAL);
    char *after = dump(s);
    assert_string_equal(before, after);
    free(before);
    free(after);
    th_stop(s);
    free(small);
    free(big);
}

/* The import gives its connection a page cache of its own and no memory map while it
 * runs, and its settings back after (SQLite; the pool hands out the connection it was
 * given back last, so these queries run on the one that imported). */
static void the_connection_gets_its_settings_back(void **state) {
    (void)state;
    if (getenv("LINKWELL_TEST_POSTGRES"))
        skip();
    th_server *s = th_start();
    char *cache = th_sql_text(s, "PRAGMA cache_size"), *map = th_sql_text(s, "PRAGMA mmap_size");
    assert_string_not_equal(map, "0\n"); /* the store maps its file */
    char *big = feed(40);
    const char *one[] = {big};
    lw_error err;
    json_t *rep;
    assert_int_equal(import(s, one, 1, 0, &rep, &err), LW_OK);
    json_decref(rep);
    char *cache2 = th_sql_text(s, "PRAGMA cache_size"), *map2 = th_sql_text(s, "PRAGMA mmap_size");
    assert_string_equal(cache, cache2);
    assert_string_equal(map, map2);
    /* And after a failed one. */
    assert_int_equal(import(s, one, 1, 1, &rep, &err), LW_EINTERNAL);
    free(cache2);
    free(map2);
    cache2 = th_sql_text(s, "PRAGMA cache_size");
    map2 = th_sql_text(s, "PRAGMA mmap_size");
    assert_string_equal(cache, cache2);
    assert_string_equal(map, map2);
    free(cache);
    free(map);
    free(cache2);
    free(map2);
    free(big);
    th_stop(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_first_import_and_an_upsert_leave_the_same_rows),
        cmocka_unit_test(a_failed_first_import_leaves_an_empty_directory),
        cmocka_unit_test(a_failed_upsert_leaves_the_directory_as_it_was),
        cmocka_unit_test(the_connection_gets_its_settings_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
