/*
 * The import's fast JSON reader (io/oruk_parse.c) must read every list item exactly as
 * jansson does (the same values, the same member order, the same numbers), and give
 * up (so that jansson reads it, or reports the error) on anything it is not sure of:
 * it must never accept what jansson refuses. Checked on crafted edge cases and on
 * the repository's copies of the shared test data (tests/fixtures/oruk).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/oruk_internal.h"

static const size_t flags = JSON_ALLOW_NUL | JSON_DECODE_ANY;

/* The tree as text that shows member order, exact reals and NULs in strings. */
static char *shown(json_t *v) {
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17));
}

/* Either the fast reader gives up, or it reads TEXT as jansson does; returns 1 when
 * it read it. */
static int same_as_jansson(const char *text, size_t len) {
    json_error_t je;
    json_t *want = json_loadb(text, len, flags, &je);
    json_t *got = oruk_parse_fast(text, len);
    int read = got != NULL;
    if (got) {
        if (!want)
            fail_msg("the fast reader accepted what jansson refuses (%s): %.*s", je.text,
                     (int)(len > 200 ? 200 : len), text);
        char *a = shown(want), *b = shown(got);
        if (strcmp(a, b) != 0 || !json_equal(want, got))
            fail_msg("read differently:\n jansson %.300s\n fast    %.300s", a, b);
        free(a);
        free(b);
        json_decref(got);
    }
    json_decref(want);
    return read;
}

static void reads(const char *text) {
    if (!same_as_jansson(text, strlen(text)))
        fail_msg("the fast reader gave up on: %s", text);
}

static void gives_up(const char *text, size_t len) {
    json_t *got = oruk_parse_fast(text, len);
    if (got) {
        char *s = shown(got);
        fail_msg("the fast reader read %s as %s", text, s);
    }
}

static void ordinary_items_read_alike(void **state) {
    (void)state;
    reads("{\"id\":\"a\",\"name\":\"Tea & chat\",\"n\":3,\"x\":-0,\"r\":1.5,\"e\":2E3,\"t\":true,"
          "\"f\":false,\"z\":null,\"l\":[1,[2,[]],{}],\"o\":{\"a\":{\"b\":[\"c\"]}}}");
    reads("  [ 1 , 2 ]\n\t");
    reads("\"just a string\"");
    reads("0");
    reads("-12.5e-3");
    reads("0.1");
    reads("123456789012345678");
    reads("-9223372036854775808");
    reads("{\"a\":1,\"b\":2,\"a\":3}"); /* a repeated member: the last value, the first place */
    reads("{\"\":\"empty key\"}");
    /* Escapes and UTF-8. */
    reads("\"line\\nbreak \\\"quoted\\\" back\\\\slash \\/ \\b\\f\\r\\t\"");
    reads("\"\\u00e9t\\u00C9 \\u20ac \\u0041\"");
    reads("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    reads("{\"k\\u00e9y\":\"v\",\"long\":\"" /* a key unescaped, then a long value */
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          "\\n\"}");
    /* A NUL in a string value (JSON_ALLOW_NUL). */
    const char nul[] = "\"a\\u0000b\"";
    assert_true(same_as_jansson(nul, sizeof nul - 1));
    json_t *v = oruk_parse_fast(nul, sizeof nul - 1);
    assert_int_equal(json_string_length(v), 3);
    json_decref(v);
}

static void anything_doubtful_is_left_to_jansson(void **state) {
    (void)state;
    const char *bad[] = {
        "",
        "   ",
        "{",
        "{\"a\":1",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "[1,]",
        "[1 2]",
        "{a:1}",
        "'single'",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "+1",
        "1e400",
        "1e-400", /* jansson reads 0; out of range is left to it */
        "99999999999999999999",
        "-99999999999999999999",
        "tru",
        "nul",
        "True",
        "\"unterminated",
        "\"bad escape \\x\"",
        "\"short \\u12\"",
        "\"surrogates \\ud83d\\ude00\"", /* valid, but left to jansson */
        "\"lone \\udc00\"",
        "\"control \x01 char\"",
        "\"tab \t inside\"",
        "\"bad \xff byte\"",
        "\"overlong \xc0\xaf\"",
        "\"overlong \xe0\x80\xaf\"",
        "\"surrogate \xed\xa0\x80\"",
        "\"too high \xf4\x90\x80\x80\"",
        "\"cut \xe2\x82\"",
        "{\"key\\u0000nul\":1}",
        "1 2",
        "{} x",
        "nan",
        "Infinity",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* Whatever jansson makes of it, the fast reader never differs... */
        (void)same_as_jansson(bad[i], strlen(bad[i]));
        /* ...and on these it gives up. */
        gives_up(bad[i], strlen(bad[i]));
    }
    /* Deep nesting: left to jansson (which has its own limit). */
    char deep[2 * 600 + 1];
    memset(deep, '[', 600);
    memset(deep + 600, ']', 600);
    deep[1200] = '\0';
    gives_up(deep, strlen(deep));
    (void)same_as_jansson(deep, strlen(deep));
    /* A text cut anywhere is never read. */
    const char *whole = "{\"id\":\"x\",\"a\":[1,2.5,\"\\u00e9\"],\"b\":{\"c\":null}}";
    for (size_t n = 0; n < strlen(whole); n++)
        gives_up(whole, n);
}

/* Every JSON file under DIR: the whole document, and each item of a list in it. */
static void check_dir(const char *dir, int *files, int *items) {
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            check_dir(path, files, items);
            continue;
        }
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0 || sb.st_size > (32 << 20))
            continue;
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        char *buf = malloc((size_t)sb.st_size + 1);
        size_t len = fread(buf, 1, (size_t)sb.st_size, f);
        fclose(f);
        (*files)++;
        (void)same_as_jansson(buf, len);
        json_t *doc = json_loadb(buf, len, flags, NULL);
        json_t *list = json_is_array(doc) ? doc : json_object_get(doc, "contents");
        size_t i;
        json_t *item;
        json_array_foreach(list, i, item) {
            char *text = json_dumps(item, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
            (*items)++;
            if (!same_as_jansson(text, strlen(text)))
                fail_msg("the fast reader gave up on item %zu of %s", i, path);
            free(text);
        }
        json_decref(doc);
        free(buf);
    }
    closedir(d);
}

static void the_shared_test_data_reads_alike(void **state) {
    (void)state;
    /* The repository's copies of the shared test data (tests/fixtures/oruk: a clean
     * clone has no ../shared), found from this file's path (tests/unit/ in it). */
    char dir[1024];
    const char *src = getenv("LW_SOURCE_DIR");
    if (src) {
        snprintf(dir, sizeof dir, "%s/tests/fixtures/oruk", src);
    } else {
        snprintf(dir, sizeof dir, "%s", __FILE__);
        char *t = strstr(dir, "/tests/unit/");
        if (!t)
            skip();
        snprintf(t, sizeof dir - (size_t)(t - dir), "/tests/fixtures/oruk");
    }
    int files = 0, items = 0;
    check_dir(dir, &files, &items);
    if (files < 5)
        fail_msg("expected the shared test data in %s", dir);
    print_message("%d files, %d list items read alike\n", files, items);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ordinary_items_read_alike),
        cmocka_unit_test(anything_doubtful_is_left_to_jansson),
        cmocka_unit_test(the_shared_test_data_reads_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
