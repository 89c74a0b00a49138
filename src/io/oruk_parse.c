/*
 * A fast JSON reader for the items of a large list (see oruk_internal.h). It builds
 * the same jansson tree json_loadb(JSON_ALLOW_NUL | JSON_DECODE_ANY) builds, with the
 * same calls (json_object_setn_new_nocheck, json_stringn_nocheck, strtoll, strtod),
 * but scans strings a run at a time instead of jansson's byte-at-a-time lexer. It
 * accepts only what it is sure jansson accepts the same way: anything unusual (an
 * error, a surrogate pair, a number out of range, deep nesting, a NUL in a key) makes
 * it give up, and the caller lets jansson read the item (and report the error).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/oruk_internal.h"

#define FP_MAX_DEPTH 256

typedef struct fp {
    const char *p, *end;
    char *buf; /* unescaped strings */
    size_t cap;
} fp;

static void fp_ws(fp *f) {
    while (f->p < f->end && (*f->p == ' ' || *f->p == '\n' || *f->p == '\r' || *f->p == '\t'))
        f->p++;
}

/* The length of the valid UTF-8 sequence at S (at most N bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0) /* overlong */
            return 0;
        if (c == 0xED && s[1] >= 0xA0) /* a surrogate */
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90) /* overlong */
            return 0;
        if (c == 0xF4 && s[1] >= 0x90) /* above U+10FFFF */
            return 0;
        return 4;
    }
    return 0;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void fp_reserve(fp *f, size_t need) {
    if (need <= f->cap)
        return;
    size_t cap = f->cap ? f->cap : 256;
    while (cap < need)
        cap *= 2;
    char *g = realloc(f->buf, cap);
    if (!g)
        lw_oom();
    f->buf = g;
    f->cap = cap;
}

/* The string at f->p (just past its opening quote) into *S, *LEN: either in the input
 * (no escapes) or in f->buf. 0 when it is not one jansson reads the same way. */
static int fp_string(fp *f, const char **s, size_t *len) {
    const unsigned char *p = (const unsigned char *)f->p, *end = (const unsigned char *)f->end;
    const unsigned char *start = p;
    /* The common case: no escapes. */
    while (p < end) {
        unsigned char c = *p;
        if (c == '"') {
            *s = (const char *)start;
            *len = (size_t)(p - start);
            f->p = (const char *)p + 1;
            return 1;
        }
        if (c == '\\')
            break;
        if (c < 0x20)
            return 0;
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t n = utf8_len(p, (size_t)(end - p));
        if (!n)
            return 0;
        p += n;
    }
    if (p >= end)
        return 0;
    /* With escapes: unescaped into f->buf (never longer than the source). */
    size_t o = (size_t)(p - start);
    fp_reserve(f, (size_t)(end - start) < 64 ? 64 : (size_t)(end - start) + 1);
    memcpy(f->buf, start, o);
    while (p < end) {
        unsigned char c = *p;
        if (c == '"') {
            *s = f->buf;
            *len = o;
            f->p = (const char *)p + 1;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c != '\\') {
            size_t n = c < 0x80 ? 1 : utf8_len(p, (size_t)(end - p));
            if (!n)
                return 0;
            memcpy(f->buf + o, p, n);
            o += n;
            p += n;
            continue;
        }
        if (p + 1 >= end)
            return 0;
        char e = (char)p[1];
        p += 2;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            f->buf[o++] = e;
            break;
        case 'b':
            f->buf[o++] = '\b';
            break;
        case 'f':
            f->buf[o++] = '\f';
            break;
        case 'n':
            f->buf[o++] = '\n';
            break;
        case 'r':
            f->buf[o++] = '\r';
            break;
        case 't':
            f->buf[o++] = '\t';
            break;
        case 'u': {
            if (end - p < 4)
                return 0;
            int v = 0;
            for (int k = 0; k < 4; k++) {
                int h = hexval((char)p[k]);
                if (h < 0)
                    return 0;
                v = v * 16 + h;
            }
            p += 4;
            if (v >= 0xD800 && v <= 0xDFFF) /* surrogates: left to jansson */
                return 0;
            if (v < 0x80) {
                f->buf[o++] = (char)v;
            } else if (v < 0x800) {
                f->buf[o++] = (char)(0xC0 | (v >> 6));
                f->buf[o++] = (char)(0x80 | (v & 0x3F));
            } else {
                f->buf[o++] = (char)(0xE0 | (v >> 12));
                f->buf[o++] = (char)(0x80 | ((v >> 6) & 0x3F));
                f->buf[o++] = (char)(0x80 | (v & 0x3F));
            }
            break;
        }
        default:
            return 0;
        }
    }
    return 0;
}

static json_t *fp_number(fp *f) {
    const char *p = f->p, *end = f->end, *start = p;
    int real = 0;
    if (p < end && *p == '-')
        p++;
    if (p >= end || *p < '0' || *p > '9')
        return NULL;
    if (*p == '0') {
        p++;
        if (p < end && *p >= '0' && *p <= '9')
            return NULL;
    } else {
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && *p == '.') {
        real = 1;
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return NULL;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        real = 1;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return NULL;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    char tmp[64];
    size_t n = (size_t)(p - start);
    if (n >= sizeof tmp)
        return NULL;
    memcpy(tmp, start, n);
    tmp[n] = '\0';
    errno = 0;
    char *stop;
    json_t *v;
    if (real) {
        double d = strtod(tmp, &stop);
        if (errno || stop != tmp + n)
            return NULL;
        v = json_real(d);
    } else {
        long long i = strtoll(tmp, &stop, 10);
        if (errno || stop != tmp + n)
            return NULL;
        v = json_integer((json_int_t)i);
    }
    f->p = p;
    return v;
}

static json_t *fp_value(fp *f, int depth);

static json_t *fp_object(fp *f, int depth) {
    json_t *o = json_object();
    f->p++;
    fp_ws(f);
    if (f->p < f->end && *f->p == '}') {
        f->p++;
        return o;
    }
    for (;;) {
        if (f->p >= f->end || *f->p != '"')
            break;
        f->p++;
        const char *k;
        size_t klen;
        if (!fp_string(f, &k, &klen) || memchr(k, '\0', klen))
            break;
        /* The key is copied before the value's strings reuse f->buf. */
        char kstack[128];
        char *key = klen < sizeof kstack ? kstack : malloc(klen + 1);
        if (!key)
            lw_oom();
        memcpy(key, k, klen);
        key[klen] = '\0';
        fp_ws(f);
        json_t *v = NULL;
        if (f->p < f->end && *f->p == ':') {
            f->p++;
            v = fp_value(f, depth);
        }
        int bad = !v || json_object_setn_new_nocheck(o, key, klen, v) != 0;
        if (key != kstack)
            free(key);
        if (bad)
            break;
        fp_ws(f);
        if (f->p < f->end && *f->p == ',') {
            f->p++;
            fp_ws(f);
            continue;
        }
        if (f->p < f->end && *f->p == '}') {
            f->p++;
            return o;
        }
        break;
    }
    json_decref(o);
    return NULL;
}

static json_t *fp_array(fp *f, int depth) {
    json_t *a = json_array();
    f->p++;
    fp_ws(f);
    if (f->p < f->end && *f->p == ']') {
        f->p++;
        return a;
    }
    for (;;) {
        json_t *v = fp_value(f, depth);
        if (!v || json_array_append_new(a, v) != 0)
            break;
        fp_ws(f);
        if (f->p < f->end && *f->p == ',') {
            f->p++;
            continue;
        }
        if (f->p < f->end && *f->p == ']') {
            f->p++;
            return a;
        }
        break;
    }
    json_decref(a);
    return NULL;
}

static int fp_word(fp *f, const char *w, size_t n) {
    if ((size_t)(f->end - f->p) < n || memcmp(f->p, w, n) != 0)
        return 0;
    f->p += n;
    return 1;
}

static json_t *fp_value(fp *f, int depth) {
    fp_ws(f);
    if (f->p >= f->end || depth >= FP_MAX_DEPTH)
        return NULL;
    switch (*f->p) {
    case '{':
        return fp_object(f, depth + 1);
    case '[':
        return fp_array(f, depth + 1);
    case '"': {
        f->p++;
        const char *s;
        size_t len;
        return fp_string(f, &s, &len) ? json_stringn_nocheck(s, len) : NULL;
    }
    case 't':
        return fp_word(f, "true", 4) ? json_true() : NULL;
    case 'f':
        return fp_word(f, "false", 5) ? json_false() : NULL;
    case 'n':
        return fp_word(f, "null", 4) ? json_null() : NULL;
    default:
        return fp_number(f);
    }
}

json_t *oruk_parse_fast(const char *buf, size_t len) {
    fp f = {.p = buf, .end = buf + len};
    json_t *v = fp_value(&f, 0);
    if (v) {
        fp_ws(&f);
        if (f.p != f.end) {
            json_decref(v);
            v = NULL;
        }
    }
    free(f.buf);
    return v;
}
