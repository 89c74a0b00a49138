/*
 * Pathways: templates of milestones with due offsets in days (data, so admins
 * can edit them; two are built in), the milestones of a case from its start
 * date, and the transitions of one milestone (complete, move with a reason,
 * skip), which milestones are overdue at a given time, and the outcomes of a
 * discharge review. Pure: no I/O; "now" is always passed in.
 *
 * Dates: a milestone is due on a calendar day (UTC). Its due_ms is midnight UTC
 * of that day; it is overdue from the following midnight while still pending,
 * i.e. when due_ms < pathway_day(now_ms). Strings in lw_milestone point into
 * the template or the caller's memory: nothing here allocates or frees.
 * docs/outcomes.md describes the built-in pathways.
 */
#ifndef LW_PATHWAYS_H
#define LW_PATHWAYS_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#ifndef LW_DAY_MS /* also in domain/referrals.h, with the same value */
#define LW_DAY_MS (24LL * 60 * 60 * 1000)
#endif
#define LW_PATHWAY_MILESTONES_MAX 32
#define LW_PATHWAY_MAX_DAYS 730 /* no milestone more than two years after the start */
#define LW_PATHWAY_KEY_MAX 40
#define LW_PATHWAY_TITLE_MAX 200
#define LW_REASON_MAX 1000

/* ---- discharge review outcomes ---- */

typedef enum lw_discharge_outcome {
    LW_DISCHARGE_DISCHARGED,  /* "discharged": discharged from secondary care */
    LW_DISCHARGE_EXTENDED,    /* "extended": the CMHT stays involved for longer */
    LW_DISCHARGE_RE_REFERRED, /* "re_referred": back to the CMHT / secondary care */
    LW_DISCHARGE_COUNT
} lw_discharge_outcome;

const char *discharge_outcome_name(lw_discharge_outcome o); /* "unknown" outside the enum */
lw_status discharge_outcome_parse(const char *name, const char *field, lw_discharge_outcome *out,
                                  lw_error *err) LW_MUST_CHECK;
const char *discharge_outcome_names_list(void); /* "discharged, extended, re_referred" */

/* ---- templates ---- */

/* Completing this milestone records a discharge outcome (required). */
#define LW_MS_NEEDS_OUTCOME 1u

typedef struct lw_milestone_def {
    const char *key;   /* unique in its pathway: 1..40 of [a-z0-9_] ("first_conversation") */
    const char *title; /* for people ("First conversation") */
    int due_days;      /* days after the pathway start, 0..LW_PATHWAY_MAX_DAYS */
    int max_contacts;  /* a cap on contacts up to this milestone (primary care: 6); 0 = none */
    unsigned flags;    /* LW_MS_* */
} lw_milestone_def;

typedef struct lw_pathway_def {
    const char *key;   /* 1..40 of [a-z0-9-] ("primary-care") */
    const char *title; /* "Primary care" */
    int n;             /* 1..LW_PATHWAY_MILESTONES_MAX */
    const lw_milestone_def *milestones;
} lw_pathway_def;

/* The built-ins, "primary-care" and "secondary-mental-health" (static data). */
#define LW_PATHWAY_BUILTINS 2
const lw_pathway_def *pathway_builtin_at(size_t i); /* NULL when i >= LW_PATHWAY_BUILTINS */
/* NULL when KEY is not a built-in (stored templates are the store's business). */
const lw_pathway_def *pathway_builtin(const char *key);

/* Checks a template (an admin's edit) before it is stored: key and title
 * shapes, 1..32 milestones with unique keys and titles, offsets within
 * 0..730 days, max_contacts 0..100, at most one milestone with an outcome.
 * LW_EINVAL naming the field: "key", "title", "milestones",
 * "milestones[2].due_days", ... */
lw_status pathway_def_check(const lw_pathway_def *d, lw_error *err) LW_MUST_CHECK;

/* ---- the milestones of a case ---- */

typedef enum lw_milestone_state {
    LW_MS_PENDING,   /* "pending" */
    LW_MS_COMPLETED, /* "completed" */
    LW_MS_SKIPPED,   /* "skipped" */
    LW_MS_STATE_COUNT
} lw_milestone_state;

const char *milestone_state_name(lw_milestone_state s); /* "unknown" outside the enum */
/* -1 when NAME is not a state. */
int milestone_state_parse(const char *name);

typedef struct lw_milestone {
    const char *key, *title; /* from the template */
    int max_contacts;        /* from the template */
    unsigned flags;          /* from the template */
    int64_t start_ms;        /* midnight UTC of the day the pathway started */
    int64_t planned_ms;      /* due date from the template, before any move */
    int64_t due_ms;          /* the current due date (midnight UTC) */
    lw_milestone_state state;
    int64_t closed_ms;  /* when it was completed or skipped; 0 while pending */
    int moves;          /* how many times it has been moved */
    const char *reason; /* the last move's or the skip's reason (caller's memory) */
    int outcome;        /* lw_discharge_outcome once completed with one, else -1 */
} lw_milestone;

/* Midnight UTC of the day holding MS (also for times before 1970). */
int64_t pathway_day(int64_t ms);

/* The milestones of a case whose pathway D starts on the day of START_MS: one
 * per template milestone, in template order, pending, due START + due_days.
 * OUT must hold D->n entries; returns D->n. */
int pathway_milestones(const lw_pathway_def *d, int64_t start_ms, lw_milestone *out);

/* Each transition changes M only when it returns LW_OK. A milestone that is no
 * longer pending gives LW_ECONFLICT (field "status"); bad input LW_EINVAL
 * naming "date", "due", "reason" or "outcome". */

/* Completed on the day of AT_MS, which may not be after NOW_MS nor before the
 * start. OUTCOME (a discharge outcome name) is required for a milestone with
 * LW_MS_NEEDS_OUTCOME and refused for any other (NULL = none). */
lw_status milestone_complete(lw_milestone *m, int64_t at_ms, int64_t now_ms, const char *outcome,
                             lw_error *err) LW_MUST_CHECK;

/* Moved to the day of NEW_DUE_MS, which must differ from the current due day,
 * not be before the start nor more than LW_PATHWAY_MAX_DAYS after it. REASON is
 * required (1..LW_REASON_MAX bytes, not blank, no control characters other than
 * tab and newline) and is kept by pointer in m->reason. */
lw_status milestone_move(lw_milestone *m, int64_t new_due_ms, const char *reason,
                         lw_error *err) LW_MUST_CHECK;

/* Skipped (on AT_MS) with a REASON, required as for a move. */
lw_status milestone_skip(lw_milestone *m, int64_t at_ms, const char *reason,
                         lw_error *err) LW_MUST_CHECK;

/* Checks a reason as move and skip do (exposed so the API can check first). */
lw_status pathway_reason_check(const char *reason, const char *field, lw_error *err) LW_MUST_CHECK;

/* Whether M is pending and its due day has passed at NOW_MS. */
int milestone_overdue(const lw_milestone *m, int64_t now_ms);
/* Whole days from the due day to the day of NOW_MS (due Monday, now any time on
 * Wednesday: 2), 0 when not overdue. */
int milestone_days_overdue(const lw_milestone *m, int64_t now_ms);
/* For queries: a pending milestone is overdue exactly when due_ms < this. */
int64_t milestone_overdue_cutoff(int64_t now_ms);

/* Writes the indexes of the overdue milestones among MS[0..N) into IDX (may be
 * NULL; at most N entries) in order; returns how many there are. */
size_t pathway_overdue(const lw_milestone *ms, size_t n, int64_t now_ms, size_t *idx);
/* The index of the pending milestone due first (earliest due, then template
 * order), or -1 when none is pending. */
int pathway_next(const lw_milestone *ms, size_t n);

/* Contacts still within a milestone's cap after USED contacts (never below 0),
 * or -1 when it has no cap. The cap guides; it does not forbid a 7th contact. */
int milestone_contacts_left(const lw_milestone *m, int used);

#endif
