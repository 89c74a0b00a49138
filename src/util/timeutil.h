/*
 * Time. Code that needs "now" is handed an lw_clock so tests can move time;
 * only clock_system() reads the real clock. Times are int64 milliseconds since
 * the Unix epoch, UTC; on the wire they are ISO 8601 ("2026-11-21T09:30:00Z").
 */
#ifndef LW_TIMEUTIL_H
#define LW_TIMEUTIL_H

#include <stdint.h>

#include "util/error.h"

typedef struct lw_clock {
    int64_t (*now_ms)(void *ctx);
    void *ctx;
} lw_clock;

/* The real clock. */
lw_clock clock_system(void);
int64_t clock_now(const lw_clock *c);

/* Milliseconds since the epoch, monotonic: for durations only. */
double clock_monotonic_ms(void);

#define LW_ISO_LEN 32
/* "2026-11-21T09:30:00Z" (seconds precision). */
void time_format_iso(int64_t ms, char out[LW_ISO_LEN]);

/* Accepts "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM:SS" with an optional
 * fraction and "Z" or "+HH:MM"/"-HH:MM". FIELD names the input in the error. */
lw_status time_parse_iso(const char *s, const char *field, int64_t *out_ms,
                         lw_error *err) LW_MUST_CHECK;

#endif
