/* A JSON writer into an arena buffer (see jsonw.h). */
#include "util/jsonw.h"

#include <assert.h>
#include <string.h>

#include "util/timeutil.h"

void jw_init(lw_jw *w, lw_arena *a, size_t cap) {
    memset(w, 0, sizeof *w);
    w->a = a;
    w->cap = cap < 64 ? 64 : cap;
    w->buf = arena_alloc_raw(a, w->cap);
}

void jw_grow(lw_jw *w, size_t n) {
    size_t cap = w->cap * 2;
    while (w->len + n + 1 > cap)
        cap *= 2;
    char *grown = arena_alloc_raw(w->a, cap);
    memcpy(grown, w->buf, w->len);
    w->buf = grown;
    w->cap = cap;
}

static void begin(lw_jw *w, char c) {
    jw_sep(w);
    jw_put(w, &c, 1);
    assert(w->depth < JW_MAX_DEPTH);
    w->has_item[w->depth++] = 0;
}

static void close_(lw_jw *w, char c) {
    assert(w->depth > 0);
    w->depth--;
    jw_put(w, &c, 1);
}

void jw_object(lw_jw *w) {
    begin(w, '{');
}

void jw_object_end(lw_jw *w) {
    close_(w, '}');
}

void jw_array(lw_jw *w) {
    begin(w, '[');
}

void jw_array_end(lw_jw *w) {
    close_(w, ']');
}

/* Bytes a JSON string cannot hold as they are: controls, '"' and '\\' (and the
 * terminating NUL, which ends the scan). */
static const unsigned char escaped[256] = {
    [0] = 1,  [1] = 1,  [2] = 1,  [3] = 1,  [4] = 1,  [5] = 1,   [6] = 1,   [7] = 1,  [8] = 1,
    [9] = 1,  [10] = 1, [11] = 1, [12] = 1, [13] = 1, [14] = 1,  [15] = 1,  [16] = 1, [17] = 1,
    [18] = 1, [19] = 1, [20] = 1, [21] = 1, [22] = 1, [23] = 1,  [24] = 1,  [25] = 1, [26] = 1,
    [27] = 1, [28] = 1, [29] = 1, [30] = 1, [31] = 1, ['"'] = 1, ['\\'] = 1};

/* S as a JSON string, escaped as jansson escapes it. */
static void quoted(lw_jw *w, const char *s) {
    /* Most strings need no escape: one pass finds that and the length. */
    const unsigned char *q = (const unsigned char *)s;
    while (!escaped[*q])
        q++;
    if (!*q) {
        size_t len = (size_t)((const char *)q - s);
        jw_reserve(w, len + 2);
        w->buf[w->len++] = '"';
        memcpy(w->buf + w->len, s, len);
        w->len += len;
        w->buf[w->len++] = '"';
        return;
    }
    size_t n = strlen(s);
    jw_reserve(w, n + 2);
    w->buf[w->len++] = '"';
    const char *run = s;
    for (const char *p = s;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        jw_put(w, run, (size_t)(p - run));
        if (!c)
            break;
        char esc[8];
        const char *e = esc;
        size_t en = 2;
        switch (c) {
        case '"':
            e = "\\\"";
            break;
        case '\\':
            e = "\\\\";
            break;
        case '\b':
            e = "\\b";
            break;
        case '\f':
            e = "\\f";
            break;
        case '\n':
            e = "\\n";
            break;
        case '\r':
            e = "\\r";
            break;
        case '\t':
            e = "\\t";
            break;
        default: {
            static const char hex[] = "0123456789ABCDEF";
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            en = 6;
        }
        }
        jw_put(w, e, en);
        run = p + 1;
    }
    jw_put(w, "\"", 1);
}

void jw_key(lw_jw *w, const char *key) {
    jw_sep(w);
    quoted(w, key);
    jw_put(w, ":", 1);
    w->after_key = 1;
}

void jw_string(lw_jw *w, const char *s) {
    if (!s) {
        jw_null(w);
        return;
    }
    jw_sep(w);
    quoted(w, s);
}

/* V in decimal at the end of BUF (24 bytes); returns where it starts. */
static char *decimal(char *end, int64_t v) {
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = end;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return p;
}

void jw_int(lw_jw *w, int64_t v) {
    char buf[24], *end = buf + sizeof buf;
    char *p = decimal(end, v);
    jw_sep(w);
    jw_put(w, p, (size_t)(end - p));
}

void jw_bool(lw_jw *w, int v) {
    jw_sep(w);
    if (v)
        jw_put(w, "true", 4);
    else
        jw_put(w, "false", 5);
}

void jw_null(lw_jw *w) {
    jw_sep(w);
    jw_put(w, "null", 4);
}

/* N (0..99) as two digits at P. */
static void two(char *p, int64_t n) {
    p[0] = (char)('0' + n / 10);
    p[1] = (char)('0' + n % 10);
}

/* The UTC calendar date and time of day of the second MS / 1000 (as gmtime_r
 * gives them), with the days-to-civil-date arithmetic of H. Hinnant's chrono
 * algorithms: no lock (gmtime_r takes the time zone's) and no table. */
static void civil(int64_t ms, int64_t *y, int64_t *m, int64_t *d, int64_t *secs) {
    int64_t t = ms / 1000;
    int64_t days = t / 86400;
    *secs = t % 86400;
    if (*secs < 0) {
        *secs += 86400;
        days--;
    }
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

/* "YYYY-MM-DD" (10 characters, no NUL) for a year of 0..9999. */
static void ymd(char *out, int64_t y, int64_t m, int64_t d) {
    two(out, y / 100);
    two(out + 2, y % 100);
    out[4] = '-';
    two(out + 5, m);
    out[7] = '-';
    two(out + 8, d);
}

void jw_time(lw_jw *w, int64_t ms) {
    if (ms == 0) {
        jw_null(w);
        return;
    }
    /* As gmtime_r + strftime("%Y-%m-%dT%H:%M:%SZ") of ms / 1000 (util/timeutil.c). */
    int64_t y, m, d, secs;
    civil(ms, &y, &m, &d, &secs);
    if (y < 0 || y > 9999) { /* outside what the API stores; the slow way */
        char iso[LW_ISO_LEN];
        time_format_iso(ms, iso);
        jw_string(w, iso);
        return;
    }
    char iso[21];
    ymd(iso, y, m, d);
    iso[10] = 'T';
    two(iso + 11, secs / 3600);
    iso[13] = ':';
    two(iso + 14, secs / 60 % 60);
    iso[16] = ':';
    two(iso + 17, secs % 60);
    iso[19] = 'Z';
    iso[20] = '\0';
    jw_sep(w);
    jw_put(w, "\"", 1);
    jw_put(w, iso, 20);
    jw_put(w, "\"", 1);
}

void jw_date(lw_jw *w, int64_t ms) {
    int64_t y, m, d, secs;
    civil(ms, &y, &m, &d, &secs);
    /* The year's last four digits, as date_of_ms() writes them. */
    unsigned yy = (unsigned)(int)y % 10000u;
    char day[12];
    day[0] = '"';
    ymd(day + 1, yy, m, d);
    day[11] = '"';
    jw_sep(w);
    jw_put(w, day, 12);
}

const char *jw_text(lw_jw *w, size_t *len) {
    jw_reserve(w, 0);
    w->buf[w->len] = '\0';
    if (len)
        *len = w->len;
    return w->buf;
}
