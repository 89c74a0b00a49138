/* Unit tests for util/jsonw: the same text as jansson's json_dumps(JSON_COMPACT). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "domain/referrals.h"
#include "util/arena.h"
#include "util/jsonw.h"
#include "util/timeutil.h"

/* What jansson writes for J (J is released). */
static char *jansson_text(json_t *j) {
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

static void test_nesting_and_values(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    lw_jw w;
    jw_init(&w, a, 1); /* tiny: the buffer must grow */
    jw_object(&w);
    jw_key(&w, "contents");
    jw_array(&w);
    for (int i = 0; i < 3; i++) {
        jw_object(&w);
        jw_key(&w, "id");
        jw_int(&w, i - 1);
        jw_key(&w, "name");
        jw_string(&w, i == 1 ? NULL : "Ann \"Nan\" O'Neil\\");
        jw_key(&w, "open");
        jw_bool(&w, i == 2);
        jw_key(&w, "nested");
        jw_object(&w);
        jw_key(&w, "empty");
        jw_array(&w);
        jw_array_end(&w);
        jw_object_end(&w);
        jw_object_end(&w);
    }
    jw_array_end(&w);
    jw_key(&w, "total");
    jw_int(&w, INT64_MIN);
    jw_key(&w, "max");
    jw_int(&w, INT64_MAX);
    jw_key(&w, "none");
    jw_null(&w);
    jw_object_end(&w);
    size_t len = 0;
    const char *text = jw_text(&w, &len);

    json_t *contents = json_array();
    for (int i = 0; i < 3; i++)
        json_array_append_new(
            contents, json_pack("{s:I, s:o, s:b, s:{s:[]}}", "id", (json_int_t)(i - 1), "name",
                                i == 1 ? json_null() : json_string("Ann \"Nan\" O'Neil\\"), "open",
                                i == 2, "nested", "empty"));
    char *want =
        jansson_text(json_pack("{s:o, s:I, s:I, s:n}", "contents", contents, "total",
                               (json_int_t)INT64_MIN, "max", (json_int_t)INT64_MAX, "none"));
    assert_string_equal(text, want);
    assert_int_equal(len, strlen(want));
    free(want);
    arena_free(a);
}

static void test_escaping_like_jansson(void **state) {
    (void)state;
    /* Every control character, quotes, backslash, a slash, and UTF-8 left as it is. */
    char s[64];
    size_t k = 0;
    for (int c = 1; c < 0x20; c++)
        s[k++] = (char)c;
    memcpy(s + k, "\"\\/ \xc3\xa9\xe2\x80\xa8 end", 14);
    s[k + 14] = '\0';
    lw_arena *a = arena_new();
    lw_jw w;
    jw_init(&w, a, 16);
    jw_array(&w);
    jw_string(&w, s);
    jw_string(&w, "");
    jw_array_end(&w);
    char *want = jansson_text(json_pack("[s, s]", s, ""));
    assert_string_equal(jw_text(&w, NULL), want);
    free(want);
    arena_free(a);
}

/* Times to try: FIXED's N first, then SAMPLED_TIMES pseudo-random ones (X is the
 * generator's state) between 1906 and 2223. */
enum { SAMPLED_TIMES = 20000 };
static int64_t sample_ms(const int64_t *fixed, int n, int i, uint64_t *x) {
    if (i < n)
        return fixed[i];
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return (int64_t)(*x % 8000000000000ULL) - 2000000000000LL;
}

static void test_time_like_time_format_iso(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    /* Leap days, century years, the end of a day, and times before 1970. */
    const int64_t fixed[] = {1,
                             999,
                             951782400000LL,  /* 2000-02-29 */
                             4107542399999LL, /* 2100-02-28T23:59:59 */
                             1700000000123LL,
                             -1000,
                             -86400001LL,
                             -2208988800000LL, /* 1900-01-01 */
                             253402300799000LL /* 9999-12-31T23:59:59 */};
    int n = (int)(sizeof fixed / sizeof fixed[0]);
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < n + SAMPLED_TIMES; i++) {
        int64_t ms = sample_ms(fixed, n, i, &x);
        char want[LW_ISO_LEN + 2];
        char iso[LW_ISO_LEN];
        time_format_iso(ms, iso);
        snprintf(want, sizeof want, "\"%s\"", iso);
        lw_jw w;
        jw_init(&w, a, 8);
        jw_time(&w, ms);
        if (strcmp(jw_text(&w, NULL), want) != 0)
            fail_msg("%lld: %s, want %s", (long long)ms, jw_text(&w, NULL), want);
    }
    lw_jw w;
    jw_init(&w, a, 8);
    jw_time(&w, 0);
    assert_string_equal(jw_text(&w, NULL), "null");
    arena_free(a);
}

/* jw_date writes the day date_of_ms() gives (the next milestone's due_on in a caseload). */
static void test_date_like_date_of_ms(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    const int64_t fixed[] = {0,
                             1,
                             -1,
                             951782400000LL,   /* 2000-02-29 */
                             4107542399999LL,  /* 2100-02-28T23:59:59 */
                             -86400001LL,      /* before 1970 */
                             -2208988800000LL, /* 1900-01-01 */
                             253402300799000LL /* 9999-12-31T23:59:59 */};
    int n = (int)(sizeof fixed / sizeof fixed[0]);
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < n + SAMPLED_TIMES; i++) {
        int64_t ms = sample_ms(fixed, n, i, &x);
        char day[11], want[16];
        date_of_ms(ms, day);
        snprintf(want, sizeof want, "[\"%s\"]", day);
        lw_jw w;
        jw_init(&w, a, 8);
        jw_array(&w);
        jw_date(&w, ms);
        jw_array_end(&w);
        if (strcmp(jw_text(&w, NULL), want) != 0)
            fail_msg("%lld: %s, want %s", (long long)ms, jw_text(&w, NULL), want);
    }
    arena_free(a);
}

/* JW_KEY writes what jw_key writes. */
static void test_literal_keys(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    lw_jw w, k;
    jw_init(&w, a, 1);
    jw_init(&k, a, 1);
    jw_object(&w);
    jw_object(&k);
    JW_KEY(&w, "id");
    jw_key(&k, "id");
    jw_int(&w, 7);
    jw_int(&k, 7);
    JW_KEY(&w, "next_milestone");
    jw_key(&k, "next_milestone");
    jw_object(&w);
    jw_object(&k);
    JW_KEY(&w, "due_on");
    jw_key(&k, "due_on");
    jw_null(&w);
    jw_null(&k);
    jw_object_end(&w);
    jw_object_end(&k);
    jw_object_end(&w);
    jw_object_end(&k);
    assert_string_equal(jw_text(&w, NULL), "{\"id\":7,\"next_milestone\":{\"due_on\":null}}");
    assert_string_equal(jw_text(&w, NULL), jw_text(&k, NULL));
    arena_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_like_date_of_ms),
        cmocka_unit_test(test_literal_keys),
        cmocka_unit_test(test_nesting_and_values),
        cmocka_unit_test(test_escaping_like_jansson),
        cmocka_unit_test(test_time_like_time_format_iso),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
