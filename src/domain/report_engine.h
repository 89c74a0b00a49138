/*
 * The report engine: a compact, in-memory copy of the facts reports are made
 * of (referrals, cases, prescriptions, services, outcome measure pairs,
 * decisions, pathways, GP consultation counts) and the reports computed from
 * it in one pass over plain arrays. Pure: no I/O and no clock; the API and the
 * CLI load the facts from the store (api/report_index.c) and hand them in with
 * rp_put_*(), and pass "now" in the filter.
 *
 * Records are kept in arrays indexed by their database id, so putting a record
 * again (after it changed) replaces it: loading is idempotent, which is what
 * lets the caller refresh from a change log that may repeat itself.
 *
 * Ownership: rp_data owns its memory (rp_free); a result lives in the arena
 * passed to rp_run(). docs/outcomes.md defines every figure.
 */
#ifndef LW_REPORT_ENGINE_H
#define LW_REPORT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "domain/reports.h"
#include "util/arena.h"
#include "util/error.h"

typedef struct rp_data rp_data;

rp_data *rp_new(void);
void rp_free(rp_data *d); /* NULL is fine */

/* ---- facts ---- */
typedef struct rp_referral_in {
    int64_t id, created_at, from_org, to_org;
    const char *source;  /* referrer | clinician | self */
    const char *reasons; /* comma-separated need domains */
    const char *status;
} rp_referral_in;
void rp_put_referral(rp_data *d, const rp_referral_in *r);

typedef struct rp_case_in {
    int64_t id, referral_id, org, assignee, opened_at;
    int64_t first_contact_at; /* 0: no contact yet */
    int open;
} rp_case_in;
void rp_put_case(rp_data *d, const rp_case_in *c);
/* The need domains of a case: clear, then add one by one. */
void rp_case_needs_clear(rp_data *d, int64_t case_id);
void rp_case_need_add(rp_data *d, int64_t case_id, const char *domain);
/* The needs of a case with no local service within the person's travel limit. */
void rp_case_nolocal_clear(rp_data *d, int64_t case_id);
void rp_case_nolocal_add(rp_data *d, int64_t case_id, const char *domain);

typedef struct rp_service_in {
    const char *id;
    const char *need_domains;    /* comma-separated; the first is its category */
    const char *capacity_status; /* capacity | no_capacity | waitlist */
    const char *status;          /* active | ... */
    int64_t capacity;            /* -1: unknown */
} rp_service_in;
void rp_put_service(rp_data *d, const rp_service_in *s);

typedef struct rp_rx_in {
    int64_t id, case_id, sender_org, created_at, started_at;
    const char *service_id, *kind, *mode, *status, *status_reason;
} rp_rx_in;
void rp_put_rx(rp_data *d, const rp_rx_in *x);

typedef struct rp_measure_in {
    int64_t id, case_id;
    const char *instrument, *date, *items; /* items: the stored JSON array */
} rp_measure_in;
/* Measures are never changed once recorded: putting one keeps, per case and
 * instrument, the first and the latest administration (by date, then id). */
void rp_put_measure(rp_data *d, const rp_measure_in *m);

typedef struct rp_decision_in {
    int64_t id, case_id, org, created_at;
    const char *mode;    /* direct | link_worker | peer */
    const char *outcome; /* chosen | not_now */
} rp_decision_in;
void rp_put_decision(rp_data *d, const rp_decision_in *x);

typedef struct rp_pathway_in {
    int64_t case_id;
    const char *pathway;   /* primary-care | secondary-mental-health | ... */
    const char *outcome;   /* discharged | extended | re_referred | NULL */
    int64_t review_due_at; /* the discharge review's due time; 0: none */
} rp_pathway_in;
void rp_put_pathway(rp_data *d, const rp_pathway_in *p);

typedef struct rp_gp_in {
    int64_t id, referral_id, person_id, before;
    int64_t after; /* -1: not known yet (the row is left out until it is) */
} rp_gp_in;
void rp_put_gp(rp_data *d, const rp_gp_in *g);

/* How many referrals, cases, prescriptions and measure pairs are held. */
void rp_counts(const rp_data *d, int64_t *referrals, int64_t *cases, int64_t *rx, int64_t *pairs);
/* The memory the facts hold, in bytes. */
size_t rp_bytes(const rp_data *d);

/* ---- vocabularies ---- */
#define RP_SOURCES 3
const char *rp_source_name(int i);  /* referrer, clinician, self; NULL past the end */
int rp_source_parse(const char *s); /* -1 when unknown */
/* Pathway names are interned as they are seen; -1 when NAME was never seen. */
int rp_pathway_lookup(const rp_data *d, const char *name);

/* ---- reports ---- */
typedef struct rp_filter {
    int64_t from_ms; /* referrals received at or after (0: open) */
    int64_t to_ms;   /* ... and before (exclusive; 0: open) */
    int64_t org;     /* the link worker service (0: any) */
    int source;      /* -1: any */
    int pathway;     /* -1: any */
    int64_t now;
    int suppress; /* a commissioner's view: counts 1-4 as "<5", no names of workers */
} rp_filter;

typedef enum rp_kind { RP_NULL, RP_TEXT, RP_INT, RP_DEC, RP_ID } rp_kind;

typedef struct rp_cell {
    rp_kind kind;
    int decimals;      /* RP_DEC: v is in units of 10^-decimals */
    lw_cell_mark mark; /* hidden: "<5" (a small count) or "[c]" (anything else) */
    int64_t v;
    const char *s; /* RP_TEXT */
} rp_cell;

/* Names of organisations and users, for the rows (sorted by id). */
typedef struct rp_names {
    size_t n;
    const int64_t *ids;
    const char *const *names;
} rp_names;

typedef struct rp_result {
    const char *name, *title, *description;
    size_t ncols;
    const char **columns;
    size_t nrows;
    rp_cell *cells; /* nrows * ncols */
    size_t nfigs;
    const char **fig_keys;
    rp_cell *figs;
    lw_chart chart;   /* what the SVG shows */
    int before_after; /* draw it as a before/after chart */
} rp_result;

#define RP_REPORTS 11
typedef struct rp_info {
    const char *name, *title, *description;
} rp_info;
const rp_info *rp_report_at(size_t i); /* NULL past the end */
const rp_info *rp_report(const char *name);

/* Computes report NAME over D. LW_ENOTFOUND for an unknown name. */
lw_status rp_run(const rp_data *d, const char *name, const rp_filter *f, const rp_names *orgs,
                 const rp_names *users, lw_arena *a, rp_result *out, lw_error *err) LW_MUST_CHECK;

/* The text of a cell as shown ("<5", "[c]", "78.0", "" for null). In A. */
const char *rp_cell_text(lw_arena *a, const rp_cell *c);

/* Month index (year * 12 + month - 1) of a time, and its "YYYY-MM" text. */
int rp_month(int64_t ms);
void rp_month_text(int month, char out[8]);

/* The K-th smallest (0-based) of V[0..N), reordering V; N > K. */
int64_t rp_select(int64_t *v, size_t n, size_t k);

#endif
