/*
 * Errors. Every fallible function in linkwell returns an lw_status and, when it
 * is not LW_OK, fills an lw_error with a message a person can act on and, for
 * bad input, the field (a JSON path such as "person.nhs_number") that was wrong.
 * The HTTP layer maps the status to a problem+json response; the CLI prints the
 * message to stderr.
 */
#ifndef LW_ERROR_H
#define LW_ERROR_H

#define LW_MUST_CHECK __attribute__((warn_unused_result))
#define LW_PRINTF(f, a) __attribute__((format(printf, f, a)))

typedef enum lw_status {
    LW_OK = 0,
    LW_EINVAL,       /* bad input: 400 */
    LW_EAUTH,        /* no or bad credentials: 401 */
    LW_EFORBIDDEN,   /* credentials without the right: 403 */
    LW_ENOTFOUND,    /* 404 */
    LW_ECONFLICT,    /* state or uniqueness conflict: 409 */
    LW_ETOOLARGE,    /* 413 */
    LW_ETHROTTLED,   /* 429 */
    LW_EUNAVAILABLE, /* a dependency (the database) is down: 503 */
    LW_EINTERNAL     /* a bug or an I/O failure: 500 */
} lw_status;

typedef struct lw_error {
    lw_status code;
    char field[96]; /* empty when no single field is to blame */
    char msg[512];
    long retry_after; /* seconds, for LW_ETHROTTLED */
} lw_error;

/* Fills ERR (which may be NULL) and returns CODE, so callers can write
 * `return lw_fail(err, LW_EINVAL, "email", "is required");`. */
lw_status lw_fail(lw_error *err, lw_status code, const char *field, const char *fmt, ...)
    LW_PRINTF(4, 5);

/* For a failure that is deliberately ignored (best-effort clean-up, or an
 * audit row about a request that is failing anyway). */
static inline void lw_ignore(lw_status st) {
    (void)st;
}

/* Resets ERR to "no error". */
void lw_error_clear(lw_error *err);

/* The HTTP status and a short title for a status code. */
int lw_status_http(lw_status code);
const char *lw_status_title(lw_status code);

#endif
