/*
 * The store interface for pathways (issue 7): admins' pathway templates (a row
 * overrides the built-in template of the same name), a case's pathway and
 * milestones with the history of their moves, overdue milestones, GP
 * consultation counts, the needs no local service could meet, and the
 * "no capacity" code of a declined prescription. Part of store.h (which
 * includes it); strings returned live in the caller's arena.
 */
#ifndef LW_STORE_PATHWAYS_H
#define LW_STORE_PATHWAYS_H

#include <stdint.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/error.h"

/* ---- templates ---- */
typedef struct lw_pathway_row {
    const char *name;
    const char *title;
    const char *milestones; /* JSON array of {key, title, due_days, max_contacts, needs_outcome} */
    int builtin;            /* overrides a built-in template */
    int64_t updated_at;
    int64_t updated_by; /* 0: none */
} lw_pathway_row;

/* Every stored template, by name. */
lw_status store_pathway_rows(lw_db *db, lw_arena *a, lw_pathway_row **out, int *n,
                             lw_error *err) LW_MUST_CHECK;
/* LW_ENOTFOUND when no template NAME is stored (a built-in may still exist). */
lw_status store_pathway_row_get(lw_db *db, lw_arena *a, const char *name, lw_pathway_row *out,
                                lw_error *err) LW_MUST_CHECK;
/* Inserts or replaces the template R->name. */
lw_status store_pathway_put(lw_db *db, const lw_pathway_row *r, lw_error *err) LW_MUST_CHECK;

/* ---- a case's pathway ---- */
typedef struct lw_case_pathway {
    int64_t id;
    int64_t case_id;
    const char *pathway;
    int64_t started_at;
    int64_t ended_at;    /* 0: running */
    const char *outcome; /* NULL until the discharge review */
    int64_t outcome_by;
} lw_case_pathway;

lw_status store_case_pathway_insert(lw_db *db, int64_t case_id, const char *pathway,
                                    int64_t started_at, lw_error *err) LW_MUST_CHECK;
/* LW_ENOTFOUND when the case has no pathway. */
lw_status store_case_pathway_get(lw_db *db, lw_arena *a, int64_t case_id, lw_case_pathway *out,
                                 lw_error *err) LW_MUST_CHECK;
/* Records the discharge review's OUTCOME at AT, by BY. */
lw_status store_case_pathway_end(lw_db *db, int64_t case_id, const char *outcome, int64_t by,
                                 int64_t at, lw_error *err) LW_MUST_CHECK;

/* ---- milestones ---- */
typedef struct lw_case_milestone {
    int64_t id;
    int64_t case_id;
    int pos;
    const char *key;
    const char *title;
    int max_contacts;
    int needs_outcome;
    int64_t due_at; /* midnight UTC of the due day */
    int64_t original_due_at;
    const char *status; /* open | done | skipped */
    int64_t done_at;    /* 0 while open */
    const char *reason; /* why it was skipped */
    const char *outcome;
    int64_t updated_by;
    int64_t updated_at;
    /* read only, filled by store_milestones_overdue: the case's person and worker */
    int64_t person_id;
    const char *person_given_name, *person_family_name;
    int64_t worker_id; /* the case's assignee; 0: none */
    const char *worker_name;
    int64_t org_id; /* the case's link worker service */
} lw_case_milestone;

lw_status store_milestone_insert(lw_db *db, const lw_case_milestone *m, int64_t *id,
                                 lw_error *err) LW_MUST_CHECK;
/* The milestones of CASE_ID in template order. */
lw_status store_milestone_list(lw_db *db, lw_arena *a, int64_t case_id, lw_case_milestone **out,
                               int *n, lw_error *err) LW_MUST_CHECK;
/* LW_ENOTFOUND when CASE_ID has no milestone ID. */
lw_status store_milestone_get(lw_db *db, lw_arena *a, int64_t case_id, int64_t id,
                              lw_case_milestone *out, lw_error *err) LW_MUST_CHECK;
/* Writes M's due_at, status, done_at, reason and outcome, if the milestone is
 * still open and due on WAS_DUE_AT (compare-and-set: LW_ECONFLICT otherwise). */
lw_status store_milestone_update(lw_db *db, const lw_case_milestone *m, int64_t was_due_at,
                                 lw_error *err) LW_MUST_CHECK;

typedef struct lw_milestone_move {
    int64_t id;
    int64_t milestone_id;
    int64_t case_id;
    int64_t from_at, to_at;
    const char *reason;
    int64_t by_user_id;
    const char *by_name; /* read only */
    int64_t at;
} lw_milestone_move;

lw_status store_milestone_move_insert(lw_db *db, const lw_milestone_move *mv,
                                      lw_error *err) LW_MUST_CHECK;
/* Every move of CASE_ID's milestones, oldest first. */
lw_status store_milestone_moves(lw_db *db, lw_arena *a, int64_t case_id, lw_milestone_move **out,
                                int *n, lw_error *err) LW_MUST_CHECK;

typedef struct lw_overdue_filter {
    int64_t org_id;    /* the link worker service of the case; 0: any */
    int64_t worker_id; /* the case's assignee; 0: any */
    int64_t cutoff;    /* open milestones due before this are overdue (pathway_day(now)) */
} lw_overdue_filter;

/* Open milestones of open cases due before F->cutoff, oldest due first. */
lw_status store_milestones_overdue(lw_db *db, lw_arena *a, const lw_overdue_filter *f, lw_page pg,
                                   lw_case_milestone **out, int *n, int64_t *total,
                                   lw_error *err) LW_MUST_CHECK;

/* ---- GP consultations ---- */
typedef struct lw_gp_consultation {
    int64_t id;
    int64_t person_id;
    int64_t referral_id;
    int64_t before_count;
    int64_t after_count; /* -1: not known yet */
    int64_t entered_by;  /* 0: the command line */
    int64_t entered_at;
} lw_gp_consultation;

/* Inserts G, or replaces the counts of REFERRAL_ID's row; *UPDATED says which. */
lw_status store_gp_put(lw_db *db, const lw_gp_consultation *g, int64_t *id, int *updated,
                       lw_error *err) LW_MUST_CHECK;
/* LW_ENOTFOUND when the referral has no counts. */
lw_status store_gp_get(lw_db *db, lw_arena *a, int64_t referral_id, lw_gp_consultation *out,
                       lw_error *err) LW_MUST_CHECK;
/* The (not merged) person with NHS_NUMBER: LW_ENOTFOUND when none. */
lw_status store_person_by_nhs(lw_db *db, const char *nhs_number, int64_t *person_id,
                              lw_error *err) LW_MUST_CHECK;

/* ---- community outcomes ---- */
/* Marks a declined prescription as declined for lack of capacity (CODE
 * "no_capacity") or clears the mark (NULL). */
lw_status store_rx_set_decline_code(lw_db *db, int64_t id, const char *code,
                                    lw_error *err) LW_MUST_CHECK;

/* Replaces CASE_ID's unmet needs by NEEDS[0..N): the need domains for which
 * no active local service was found within MAX_KM (-1: no limit given). */
lw_status store_unmet_needs_set(lw_db *db, int64_t case_id, int64_t person_id, int64_t org_id,
                                const char *const *needs, int n, int64_t max_km, int64_t now,
                                lw_error *err) LW_MUST_CHECK;

typedef struct lw_unmet_need_count {
    const char *need;
    int64_t people; /* distinct people */
} lw_unmet_need_count;

/* Per need domain, the people with an unmet need recorded in [FROM, TO) (0:
 * open) for cases of ORG_ID (0: any), by need. */
lw_status store_unmet_need_counts(lw_db *db, lw_arena *a, int64_t from, int64_t to, int64_t org_id,
                                  lw_unmet_need_count **out, int *n, lw_error *err) LW_MUST_CHECK;

#endif
