/*
 * A tiny query builder for the list queries of people.c, referrals.c, cases.c
 * and prescriptions.c: only the filters actually given become conditions, so
 * the planner can use an index for each (a "$1 IS NULL OR col = $1" filter
 * defeats SQLite's index choice and scans the table). Fragments are fixed
 * text; each '?' in a fragment becomes the $N of the value it binds.
 * Private to store/.
 */
#ifndef LW_STORE_QB_H
#define LW_STORE_QB_H

#include <stdio.h>
#include <string.h>

#include "store/db.h"

#define QB_MAX_PARAMS 12

typedef struct qb {
    char sql[2048];
    size_t len;
    db_val p[QB_MAX_PARAMS];
    int n;
} qb;

static inline void qb_text(qb *q, const char *s) {
    size_t n = strlen(s);
    if (q->len + n >= sizeof q->sql)
        lw_oom(); /* a fixed query never gets here: a bug, not input */
    memcpy(q->sql + q->len, s, n + 1);
    q->len += n;
}

/* Appends FRAG binding V: each '?' in FRAG becomes this value's $N. */
static inline void qb_param(qb *q, const char *frag, db_val v) {
    if (q->n == QB_MAX_PARAMS)
        lw_oom();
    q->p[q->n++] = v;
    char num[16];
    snprintf(num, sizeof num, "$%d", q->n);
    for (const char *c = frag; *c; c++) {
        char one[2] = {*c, '\0'};
        qb_text(q, *c == '?' ? num : one);
    }
}

#endif
