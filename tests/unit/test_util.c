/* Unit tests for util/: the arena, ISO 8601 time, crypto, error mapping and metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "util/arena.h"
#include "util/crypto.h"
#include "util/error.h"
#include "util/metrics.h"
#include "util/ticker.h"
#include "util/timeutil.h"

/* ---- arena ---- */

static void test_arena_many_allocations(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    enum { N = 5000 };
    static int *ptrs[N];
    /* 5000 x 40 bytes is far more than one block: every value must survive. */
    for (int i = 0; i < N; i++) {
        ptrs[i] = arena_alloc(a, 10 * sizeof(int));
        for (int j = 0; j < 10; j++) {
            assert_int_equal(ptrs[i][j], 0); /* zeroed */
            ptrs[i][j] = i * 10 + j;
        }
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 10; j++)
            assert_int_equal(ptrs[i][j], i * 10 + j);
    arena_free(a);
}

static void test_arena_large(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    char *small = arena_strdup(a, "before");
    size_t big_n = 1u << 20; /* far larger than a block */
    unsigned char *big = arena_alloc(a, big_n);
    for (size_t i = 0; i < big_n; i++)
        assert_int_equal(big[i], 0);
    memset(big, 0xAB, big_n);
    char *after = arena_strdup(a, "after");
    assert_string_equal(small, "before");
    assert_string_equal(after, "after");
    assert_int_equal(big[0], 0xAB);
    assert_int_equal(big[big_n - 1], 0xAB);
    /* An allocation exactly one block long, and one just over. */
    unsigned char *b1 = arena_alloc(a, 8192);
    unsigned char *b2 = arena_alloc(a, 8193);
    memset(b1, 1, 8192);
    memset(b2, 2, 8193);
    assert_int_equal(b1[8191], 1);
    assert_int_equal(b2[8192], 2);
    assert_int_equal(big[big_n / 2], 0xAB);
    arena_free(a);
}

static void test_arena_alignment(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    size_t sizes[] = {0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 8191, 9000};
    for (int round = 0; round < 4; round++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            void *p = arena_alloc(a, sizes[i]);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
            /* Usable as a long double / int64 without UB (the sanitizer checks). */
            if (sizes[i] >= sizeof(long double)) {
                long double *ld = p;
                *ld = 1.5L;
                assert_true(*ld == 1.5L);
            }
        }
    /* Two allocations do not overlap. */
    char *x = arena_alloc(a, 1);
    char *y = arena_alloc(a, 1);
    assert_true(x != y);
    *x = 'x';
    *y = 'y';
    assert_int_equal(*x, 'x');
    arena_free(a);
}

static void test_arena_strings(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    const char *src = "Siân Ó Briain";
    char *d = arena_strdup(a, src);
    assert_string_equal(d, src);
    assert_true(d != src);
    assert_null(arena_strdup(a, NULL));
    assert_null(arena_strndup(a, NULL, 3));

    char *n = arena_strndup(a, "linkwell", 4);
    assert_string_equal(n, "link");
    char *empty = arena_strndup(a, "linkwell", 0);
    assert_string_equal(empty, "");

    char *p = arena_printf(a, "%s has %d cases (%.1f%%)", "Jo", 42, 78.0);
    assert_string_equal(p, "Jo has 42 cases (78.0%)");
    char *e = arena_printf(a, "%s", "");
    assert_string_equal(e, "");

    /* A long formatted string crosses blocks intact. */
    char long_src[20000];
    memset(long_src, 'z', sizeof long_src - 1);
    long_src[sizeof long_src - 1] = '\0';
    char *l = arena_printf(a, "<%s>", long_src);
    assert_int_equal(strlen(l), sizeof long_src + 1);
    assert_int_equal(l[0], '<');
    assert_int_equal(l[sizeof long_src], '>');
    assert_string_equal(d, src); /* earlier strings untouched */
    arena_free(a);
}

static void test_arena_free_null(void **state) {
    (void)state;
    arena_free(NULL);
    lw_arena *a = arena_new(); /* an arena that never allocated */
    arena_free(a);
}

/* ---- time ---- */

static int64_t parse_ok(const char *s) {
    int64_t ms = -1;
    lw_error err = {0};
    lw_status st = time_parse_iso(s, "date", &ms, &err);
    if (st != LW_OK)
        fail_msg("'%s' was refused: %s", s, err.msg);
    return ms;
}

static void expect_parse_bad(const char *s) {
    int64_t ms = 12345;
    lw_error err = {0};
    lw_status st = time_parse_iso(s, "when", &ms, &err);
    if (st != LW_EINVAL)
        fail_msg("'%s' was accepted as %lld", s, (long long)ms);
    assert_string_equal(err.field, "when");
    assert_non_null(strstr(err.msg, "YYYY-MM-DD"));
}

static void test_time_parse_dates(void **state) {
    (void)state;
    assert_int_equal(parse_ok("1970-01-01"), 0);
    assert_int_equal(parse_ok("2026-11-21"), 1795219200000LL);
    assert_int_equal(parse_ok("2000-02-29"), 951782400000LL);
    assert_int_equal(parse_ok("2024-02-29"), 1709164800000LL);
    assert_int_equal(parse_ok("1950-03-01"), -626054400000LL); /* before the epoch */
    assert_int_equal(parse_ok("2024-12-31"), 1735603200000LL);
}

static void test_time_parse_datetimes(void **state) {
    (void)state;
    const int64_t base = 1795253400000LL; /* 2026-11-21T09:30:00Z */
    assert_int_equal(parse_ok("2026-11-21T09:30:00Z"), base);
    assert_int_equal(parse_ok("2026-11-21T09:30:00"), base);
    assert_int_equal(parse_ok("2026-11-21 09:30:00Z"), base);
    assert_int_equal(parse_ok("2026-11-21T09:30Z"), base);
    /* 10:30 an hour ahead of UTC is 09:30 UTC. */
    assert_int_equal(parse_ok("2026-11-21T10:30:00+01:00"), base);
    /* 04:00 five and a half hours behind UTC is 09:30 UTC. */
    assert_int_equal(parse_ok("2026-11-21T04:00:00-05:30"), base);
    assert_int_equal(parse_ok("2026-11-21T09:30:00+00:00"), base);
    /* An offset that crosses midnight. */
    assert_int_equal(parse_ok("2026-11-22T00:30:00+15:00"), base);
    /* Fractions are accepted and dropped (seconds precision). */
    assert_int_equal(parse_ok("2026-11-21T09:30:00.5Z"), base);
    assert_int_equal(parse_ok("2026-11-21T09:30:00.123456789Z"), base);
    assert_int_equal(parse_ok("2026-11-21T10:30:00.999+01:00"), base);
    assert_int_equal(parse_ok("2026-11-21T23:59:59Z"), 1795305599000LL);
}

static void test_time_parse_bad(void **state) {
    (void)state;
    expect_parse_bad("");
    expect_parse_bad("garbage");
    expect_parse_bad("2026");
    expect_parse_bad("2026-11");
    expect_parse_bad("2026-1-21");
    expect_parse_bad("2026/11/21");
    expect_parse_bad("21-11-2026");
    expect_parse_bad("2026-00-10"); /* month 0 */
    expect_parse_bad("2026-13-10"); /* month 13 */
    expect_parse_bad("2026-11-00"); /* day 0 */
    expect_parse_bad("2026-11-31"); /* November has 30 */
    expect_parse_bad("2026-01-32");
    expect_parse_bad("2023-02-29"); /* not a leap year */
    expect_parse_bad("1900-02-29"); /* divisible by 100, not by 400 */
    expect_parse_bad("2024-02-30");
    expect_parse_bad("2026-11-21 "); /* trailing text */
    expect_parse_bad("2026-11-21x"); /* trailing text */
    expect_parse_bad("2026-11-21T"); /* time missing */
    expect_parse_bad("2026-11-21T9:30:00Z");
    expect_parse_bad("2026-11-21T09");
    expect_parse_bad("2026-11-21T09:3");
    expect_parse_bad("2026-11-21T24:00:00Z");
    expect_parse_bad("2026-11-21T09:60:00Z");
    expect_parse_bad("2026-11-21T09:30:61Z");
    expect_parse_bad("2026-11-21T09:30:00.Z"); /* empty fraction */
    expect_parse_bad("2026-11-21T09:30:00ZZ");
    expect_parse_bad("2026-11-21T09:30:00Z trailing");
    expect_parse_bad("2026-11-21T09:30:00+01");
    expect_parse_bad("2026-11-21T09:30:00+0100");
    expect_parse_bad("2026-11-21T09:30:00+01:0");
    expect_parse_bad("2026-11-21T09:30:00+24:00");
    expect_parse_bad("2026-11-21T09:30:00+01:60");
    expect_parse_bad("2026-11-21T09:30:00z");
    expect_parse_bad("+026-11-21");
}

static void test_time_format_round_trip(void **state) {
    (void)state;
    char iso[LW_ISO_LEN];
    time_format_iso(1795253400000LL, iso);
    assert_string_equal(iso, "2026-11-21T09:30:00Z");
    time_format_iso(0, iso);
    assert_string_equal(iso, "1970-01-01T00:00:00Z");
    time_format_iso(1795253400999LL, iso); /* milliseconds are dropped */
    assert_string_equal(iso, "2026-11-21T09:30:00Z");

    const char *samples[] = {"2026-11-21T09:30:00Z", "2024-02-29T23:59:59Z", "1999-12-31T00:00:01Z",
                             "1950-03-01T12:00:00Z", "2038-01-19T03:14:08Z"};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        int64_t ms = parse_ok(samples[i]);
        time_format_iso(ms, iso);
        assert_string_equal(iso, samples[i]);
        assert_int_equal(parse_ok(iso), ms);
    }
    /* An offset time comes back in UTC. */
    time_format_iso(parse_ok("2026-11-21T04:00:00-05:30"), iso);
    assert_string_equal(iso, "2026-11-21T09:30:00Z");
}

static int64_t fixed_now(void *ctx) {
    return *(const int64_t *)ctx;
}

static void test_clock(void **state) {
    (void)state;
    int64_t t = 1234;
    lw_clock c = {.now_ms = fixed_now, .ctx = &t};
    assert_int_equal(clock_now(&c), 1234);
    t = 5678;
    assert_int_equal(clock_now(&c), 5678);
    lw_clock sys = clock_system();
    int64_t now = clock_now(&sys);
    assert_true(now > 1700000000000LL); /* after 2023 */
    double m1 = clock_monotonic_ms();
    double m2 = clock_monotonic_ms();
    assert_true(m2 >= m1);
}

/* ---- crypto ---- */

static int crypto_setup(void **state) {
    (void)state;
    lw_error err = {0};
    return crypto_init(&err) == LW_OK ? 0 : -1;
}

static void test_password_hash_verify(void **state) {
    (void)state;
    char hash[LW_PWHASH_LEN];
    lw_error err = {0};
    assert_int_equal(crypto_password_hash("correct horse battery", LW_PWCOST_MIN, hash, &err),
                     LW_OK);
    assert_non_null(strstr(hash, "$argon2id$"));
    assert_null(strstr(hash, "correct horse"));
    assert_true(crypto_password_verify(hash, "correct horse battery"));
    assert_false(crypto_password_verify(hash, "correct horse batterY"));
    assert_false(crypto_password_verify(hash, "correct horse battery "));
    assert_false(crypto_password_verify(hash, ""));
    assert_false(crypto_password_verify(hash, NULL));
    assert_false(crypto_password_verify(NULL, "correct horse battery"));

    /* The same password hashes differently each time (random salt). */
    char hash2[LW_PWHASH_LEN];
    assert_int_equal(crypto_password_hash("correct horse battery", LW_PWCOST_MIN, hash2, &err),
                     LW_OK);
    assert_string_not_equal(hash, hash2);
    assert_true(crypto_password_verify(hash2, "correct horse battery"));

    /* Non-ASCII passwords work byte for byte. */
    assert_int_equal(crypto_password_hash("Siân's pässwörd", LW_PWCOST_MIN, hash2, &err), LW_OK);
    assert_true(crypto_password_verify(hash2, "Siân's pässwörd"));
    assert_false(crypto_password_verify(hash2, "Sian's passwort"));
}

static void test_password_verify_malformed(void **state) {
    (void)state;
    char hash[LW_PWHASH_LEN];
    lw_error err = {0};
    assert_int_equal(crypto_password_hash("a password here", LW_PWCOST_MIN, hash, &err), LW_OK);
    assert_false(crypto_password_verify("", "a password here"));
    assert_false(crypto_password_verify("not a hash", "a password here"));
    assert_false(crypto_password_verify("$argon2id$v=19$m=8,t=1,p=1$", "a password here"));
    /* Truncated, and with one character of the digest changed. */
    char broken[LW_PWHASH_LEN];
    snprintf(broken, sizeof broken, "%s", hash);
    broken[strlen(broken) / 2] = '\0';
    assert_false(crypto_password_verify(broken, "a password here"));
    snprintf(broken, sizeof broken, "%s", hash);
    size_t last = strlen(broken) - 2;
    broken[last] = broken[last] == 'A' ? 'B' : 'A';
    assert_false(crypto_password_verify(broken, "a password here"));
}

static void test_pwcost_parse(void **state) {
    (void)state;
    lw_pwcost c = LW_PWCOST_MODERATE;
    lw_error err = {0};
    assert_int_equal(crypto_pwcost_parse("min", &c, &err), LW_OK);
    assert_int_equal(c, LW_PWCOST_MIN);
    assert_int_equal(crypto_pwcost_parse("interactive", &c, &err), LW_OK);
    assert_int_equal(c, LW_PWCOST_INTERACTIVE);
    assert_int_equal(crypto_pwcost_parse("moderate", &c, &err), LW_OK);
    assert_int_equal(c, LW_PWCOST_MODERATE);
    assert_int_equal(crypto_pwcost_parse("max", &c, &err), LW_EINVAL);
    assert_non_null(strstr(err.msg, "interactive"));
}

static int is_base64url(char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
}

static void test_random_tokens(void **state) {
    (void)state;
    enum { N = 64 };
    static char toks[N][LW_TOKEN_LEN];
    for (int i = 0; i < N; i++) {
        memset(toks[i], 0x55, LW_TOKEN_LEN);
        crypto_random_token(toks[i]);
        assert_int_equal(strncmp(toks[i], "lw_", 3), 0);
        assert_int_equal(strlen(toks[i]), 3 + 43); /* 32 bytes in unpadded base64url */
        for (size_t k = 3; k < 46; k++)
            assert_true(is_base64url(toks[i][k]));
        for (int j = 0; j < i; j++)
            assert_string_not_equal(toks[i], toks[j]);
    }
}

static void test_token_digest(void **state) {
    (void)state;
    char d1[LW_DIGEST_LEN], d2[LW_DIGEST_LEN], d3[LW_DIGEST_LEN];
    crypto_token_digest("lw_example", d1);
    crypto_token_digest("lw_example", d2);
    crypto_token_digest("lw_examplf", d3);
    assert_int_equal(strlen(d1), 64);
    for (size_t i = 0; i < 64; i++)
        assert_non_null(strchr("0123456789abcdef", d1[i]));
    assert_string_equal(d1, d2);
    assert_string_not_equal(d1, d3);
    assert_null(strstr(d1, "example"));
    /* BLAKE2b-256 of the empty string, a known answer. */
    crypto_token_digest("", d1);
    assert_string_equal(d1, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

static void test_crypto_equal(void **state) {
    (void)state;
    assert_true(crypto_equal("", ""));
    assert_true(crypto_equal("abc", "abc"));
    assert_false(crypto_equal("abc", "abd"));
    assert_false(crypto_equal("abc", "ab"));
    assert_false(crypto_equal("ab", "abc"));
    assert_false(crypto_equal("", "a"));
    assert_false(crypto_equal("Abc", "abc"));
}

/* ---- errors ---- */

static void test_error_http_mapping(void **state) {
    (void)state;
    static const struct {
        lw_status code;
        int http;
    } map[] = {
        {LW_OK, 200},           {LW_EINVAL, 400},    {LW_EAUTH, 401},     {LW_EFORBIDDEN, 403},
        {LW_ENOTFOUND, 404},    {LW_ECONFLICT, 409}, {LW_ETOOLARGE, 413}, {LW_ETHROTTLED, 429},
        {LW_EUNAVAILABLE, 503}, {LW_EINTERNAL, 500},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        assert_int_equal(lw_status_http(map[i].code), map[i].http);
        const char *title = lw_status_title(map[i].code);
        assert_non_null(title);
        assert_true(strlen(title) > 0);
        /* Titles are distinct, so a problem says which kind it is. */
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(title, lw_status_title(map[j].code));
    }
    assert_string_equal(lw_status_title(LW_ETHROTTLED), "Too many attempts");
    assert_int_equal(lw_status_http((lw_status)99), 500);
}

static void test_error_fail(void **state) {
    (void)state;
    lw_error err;
    memset(&err, 0x5a, sizeof err);
    assert_int_equal(lw_fail(&err, LW_EINVAL, "person.nhs_number", "'%s' has %d digits", "123", 3),
                     LW_EINVAL);
    assert_int_equal(err.code, LW_EINVAL);
    assert_string_equal(err.field, "person.nhs_number");
    assert_string_equal(err.msg, "'123' has 3 digits");
    assert_int_equal(err.retry_after, 0);
    assert_int_equal(lw_fail(&err, LW_EINTERNAL, NULL, "boom"), LW_EINTERNAL);
    assert_string_equal(err.field, "");
    /* A NULL error is allowed; the code still comes back. */
    assert_int_equal(lw_fail(NULL, LW_ENOTFOUND, "x", "y"), LW_ENOTFOUND);
    /* Long messages are truncated, not overflowed. */
    char longmsg[2000];
    memset(longmsg, 'm', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    assert_int_equal(lw_fail(&err, LW_EINVAL, longmsg, "%s", longmsg), LW_EINVAL);
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
    assert_int_equal(strlen(err.field), sizeof err.field - 1);
    lw_error_clear(&err);
    assert_int_equal(err.code, LW_OK);
    assert_string_equal(err.msg, "");
    lw_error_clear(NULL);
}

/* ---- metrics ---- */

static int contains_line(const char *text, const char *line) {
    size_t n = strlen(line);
    for (const char *p = strstr(text, line); p; p = strstr(p + 1, line))
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return 1;
    return 0;
}

static void expect_line(const char *text, const char *line) {
    if (!contains_line(text, line))
        fail_msg("metrics lack the line\n  %s\nin:\n%s", line, text);
}

static void test_metrics_render(void **state) {
    (void)state;
    static const char *const methods[] = {"GET", "POST"};
    static const char *const routes[] = {"/healthz", "/api/v1/session"};
    metrics_init(2, methods, routes);
    metrics_observe(0, 200, 0.4);  /* le 0.001 */
    metrics_observe(0, 200, 3.0);  /* le 0.005 */
    metrics_observe(0, 200, 10.0); /* le 0.01 (bucket bounds are inclusive) */
    metrics_observe(1, 401, 7000); /* only +Inf */
    metrics_observe(1, 201, 20);
    metrics_observe(7, 200, 1); /* an unknown slot is ignored */
    metrics_observe(-1, 200, 1);

    lw_arena *a = arena_new();
    const char *m = metrics_render(a);
    assert_non_null(m);
    expect_line(m, "# TYPE linkwell_http_requests_total counter");
    expect_line(m, "# TYPE linkwell_http_request_duration_seconds histogram");
    expect_line(m,
                "linkwell_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 3");
    expect_line(m, "linkwell_http_requests_total{method=\"POST\",route=\"/api/v1/session\","
                   "status=\"401\"} 1");
    expect_line(m, "linkwell_http_requests_total{method=\"POST\",route=\"/api/v1/session\","
                   "status=\"201\"} 1");
#define GETB                                                                                       \
    "linkwell_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\","             \
    "status=\"200\",le="
    expect_line(m, GETB "\"0.001\"} 1");
    expect_line(m, GETB "\"0.0025\"} 1");
    expect_line(m, GETB "\"0.005\"} 2");
    expect_line(m, GETB "\"0.01\"} 3");
    expect_line(m, GETB "\"0.025\"} 3");
    expect_line(m, GETB "\"5\"} 3");
    expect_line(m, GETB "\"+Inf\"} 3");
#undef GETB
#define POSTB                                                                                      \
    "linkwell_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/session\","     \
    "status=\"401\",le="
    expect_line(m, POSTB "\"5\"} 0");
    expect_line(m, POSTB "\"+Inf\"} 1");
#undef POSTB
    expect_line(m, "linkwell_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\","
                   "status=\"200\"} 3");
    expect_line(m, "linkwell_http_request_duration_seconds_sum{method=\"GET\",route=\"/healthz\","
                   "status=\"200\"} 0.013400");
    expect_line(m, "linkwell_http_request_duration_seconds_sum{method=\"POST\",route=\"/api/v1/"
                   "session\",status=\"401\"} 7.000000");
    /* No series for a status never observed on a route. */
    assert_null(strstr(m, "route=\"/healthz\",status=\"401\""));
    /* Each series has 12 buckets. */
    int nb = 0;
    for (const char *p = strstr(m, "route=\"/healthz\",status=\"200\",le="); p;
         p = strstr(p + 1, "route=\"/healthz\",status=\"200\",le="))
        nb++;
    assert_int_equal(nb, 12);
    arena_free(a);

    /* Re-initialising starts from zero. */
    metrics_init(2, methods, routes);
    a = arena_new();
    m = metrics_render(a);
    assert_null(strstr(m, "linkwell_http_requests_total{"));
    arena_free(a);
}

/* ---- ticker ---- */

static void count_call(void *arg) {
    __atomic_add_fetch((int *)arg, 1, __ATOMIC_SEQ_CST);
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* First call at once when asked (the jobs), else only after an interval (the
 * audit mover); a stop wakes the thread at once, whatever the interval. */
static void test_ticker(void **state) {
    (void)state;
    lw_error err;
    int calls = 0;
    lw_ticker *t = NULL;
    assert_int_equal(ticker_start(3600 * 1000, 1, count_call, &calls, "test", &t, &err), LW_OK);
    while (__atomic_load_n(&calls, __ATOMIC_SEQ_CST) == 0)
        ;
    double t0 = now_s();
    ticker_stop(t);
    assert_true(now_s() - t0 < 5);
    assert_int_equal(calls, 1);

    calls = 0;
    assert_int_equal(ticker_start(3600 * 1000, 0, count_call, &calls, "test", &t, &err), LW_OK);
    ticker_stop(t);
    assert_int_equal(calls, 0);

    calls = 0;
    assert_int_equal(ticker_start(5, 0, count_call, &calls, "test", &t, &err), LW_OK);
    while (__atomic_load_n(&calls, __ATOMIC_SEQ_CST) < 3)
        ;
    ticker_stop(t);
    assert_true(calls >= 3);
    ticker_stop(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticker),
        cmocka_unit_test(test_arena_many_allocations),
        cmocka_unit_test(test_arena_large),
        cmocka_unit_test(test_arena_alignment),
        cmocka_unit_test(test_arena_strings),
        cmocka_unit_test(test_arena_free_null),
        cmocka_unit_test(test_time_parse_dates),
        cmocka_unit_test(test_time_parse_datetimes),
        cmocka_unit_test(test_time_parse_bad),
        cmocka_unit_test(test_time_format_round_trip),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_password_hash_verify),
        cmocka_unit_test(test_password_verify_malformed),
        cmocka_unit_test(test_pwcost_parse),
        cmocka_unit_test(test_random_tokens),
        cmocka_unit_test(test_token_digest),
        cmocka_unit_test(test_crypto_equal),
        cmocka_unit_test(test_error_http_mapping),
        cmocka_unit_test(test_error_fail),
        cmocka_unit_test(test_metrics_render),
    };
    return cmocka_run_group_tests(tests, crypto_setup, NULL);
}
