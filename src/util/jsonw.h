/*
 * A JSON writer for hot responses: appends compact JSON text to a buffer in an
 * arena, with the same escaping and layout as jansson's json_dumps(JSON_COMPACT)
 * (so an answer does not change when a handler moves from json_t to this), but
 * without a tree of allocated nodes. Used where a response has many small
 * objects (a caseload of 50 cases: about 800 values) and building them as json_t
 * cost more than the database queries.
 *
 * Usage: jw_init, then objects/arrays/keys/values in order (the writer adds the
 * commas), then jw_text. Strings must be valid UTF-8 (what the API accepts and
 * the store returns). Nesting deeper than JW_MAX_DEPTH is a bug (assert).
 * Ownership: the text lives in the arena given to jw_init.
 */
#ifndef LW_JSONW_H
#define LW_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/arena.h"

#define JW_MAX_DEPTH 16

typedef struct lw_jw {
    lw_arena *a;
    char *buf;
    size_t len, cap;
    int depth;
    int after_key;
    unsigned char has_item[JW_MAX_DEPTH];
} lw_jw;

void jw_init(lw_jw *w, lw_arena *a, size_t cap);
void jw_object(lw_jw *w);
void jw_object_end(lw_jw *w);
void jw_array(lw_jw *w);
void jw_array_end(lw_jw *w);
void jw_key(lw_jw *w, const char *key);
/* A key that is a string literal needing no escape, written as it is (no scan):
 * JW_KEY(w, "id") writes "id": as jw_key(w, "id") does. For hot lists. */
#define JW_KEY(w, lit) jw_key_raw((w), "\"" lit "\":", sizeof(lit) + 2)
void jw_string(lw_jw *w, const char *s); /* NULL writes null */
void jw_int(lw_jw *w, int64_t v);
void jw_bool(lw_jw *w, int v);
void jw_null(lw_jw *w);
/* A time as api_time_json() gives it: "YYYY-MM-DDTHH:MM:SSZ", or null for 0. */
void jw_time(lw_jw *w, int64_t ms);
/* A day as date_of_ms() (domain/referrals.h) gives it: "YYYY-MM-DD", UTC. */
void jw_date(lw_jw *w, int64_t ms);
/* The text (NUL-terminated) and its length. */
const char *jw_text(lw_jw *w, size_t *len);

/* The writer's own steps, inline so that a constant key is a few moves. */
void jw_grow(lw_jw *w, size_t n); /* room for N more bytes and the NUL */

static inline void jw_reserve(lw_jw *w, size_t n) {
    if (w->len + n + 1 > w->cap)
        jw_grow(w, n);
}

static inline void jw_put(lw_jw *w, const char *s, size_t n) {
    jw_reserve(w, n);
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* The comma before a value, unless it follows its key or opens its container. */
static inline void jw_sep(lw_jw *w) {
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (w->has_item[w->depth - 1])
            jw_put(w, ",", 1);
        w->has_item[w->depth - 1] = 1;
    }
}

/* TEXT (LEN bytes) is a key already quoted and followed by its colon. */
static inline void jw_key_raw(lw_jw *w, const char *text, size_t len) {
    jw_sep(w);
    jw_put(w, text, len);
    w->after_key = 1;
}

#endif
