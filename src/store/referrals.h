/*
 * The store interface for the journey from referral to closed loop: people,
 * referrals, cases (contacts, needs, goals, actions), social prescriptions
 * and attendance, spot-purchase funds, the feedback outbox and self-referral
 * throttling. Part of store.h (which includes it); the same ownership rule
 * holds: every string or array returned lives in the caller's arena.
 *
 * Status changes are compare-and-set (WHERE status = the state the caller
 * saw): two requests racing to change one record cannot both win; the loser
 * gets LW_ECONFLICT and nothing is written.
 */
#ifndef LW_STORE_REFERRALS_H
#define LW_STORE_REFERRALS_H

#include <stdint.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/error.h"

/* ---- group commit (batch.c) ---- */
/* Work to run inside a transaction on DB; it must not begin or commit one itself. */
typedef lw_status (*lw_batch_fn)(lw_db *db, void *ctx, lw_error *err);
/* Runs FN(db, CTX) in a transaction it may share with other threads' work (each
 * job in its own SAVEPOINT: a job that fails is rolled back alone) and returns
 * once that transaction is durably committed, with FN's status. FN runs on
 * whichever thread leads the batch, so CTX must not be thread-local; FN must
 * not call store_batched. */
lw_status store_batched(lw_store *s, lw_batch_fn fn, void *ctx, lw_error *err) LW_MUST_CHECK;
/* If the disk cannot confirm a batch (SQLite: the log's fdatasync fails), its jobs
 * get LW_EUNAVAILABLE although their rows are committed, and so does every batch
 * after it until the store is opened again (store.c: store_batch_sync). Tests: the
 * next N syncs of S fail as a failing disk's would. */
void store_test_fail_syncs(lw_store *s, int n);

/* ---- people (people.c) ---- */
typedef struct lw_person {
    int64_t id;
    const char *reference;
    const char *nhs_number; /* NULL: not known */
    const char *given_name;
    const char *family_name;
    const char *date_of_birth;
    const char *match_key;
    const char *phone, *email, *address, *postcode;
    const char *gp_practice;
    int64_t gp_practice_id;
    const char *preferred_language;
    const char *accessibility_needs;
    const char *preferences; /* JSON text or NULL */
    int64_t merged_into;
    int64_t created_at, updated_at;
} lw_person;

/* A person who may be the one a referral names (domain/people.h matches them). */
typedef struct lw_person_candidate {
    int64_t id;
    const char *nhs_number;
    const char *match_key;
} lw_person_candidate;

/* The people with NHS_NUMBER (may be NULL) or MATCH_KEY, merged ones left out, by id. */
lw_status store_person_candidates(lw_db *db, lw_arena *a, const char *nhs_number,
                                  const char *match_key, lw_person_candidate **out, int *n,
                                  lw_error *err) LW_MUST_CHECK;
/* Inserts P (id, timestamps ignored). LW_ECONFLICT (field "nhs_number") when
 * another person has the NHS number. */
lw_status store_person_insert(lw_db *db, const lw_person *p, int64_t now, int64_t *id,
                              lw_error *err) LW_MUST_CHECK;
lw_status store_person_get(lw_db *db, lw_arena *a, int64_t id, lw_person *out,
                           lw_error *err) LW_MUST_CHECK;
/* Changes the non-NULL fields of P (not the id, reference, timestamps or
 * merged_into); match_key must be given when a name or the date of birth is. */
lw_status store_person_update(lw_db *db, int64_t id, const lw_person *p, int64_t now,
                              lw_error *err) LW_MUST_CHECK;
/* How a person is linked to an organisation and a user (for who sees what). */
typedef struct lw_person_links {
    int referred_to_org;   /* has a referral to ORG_ID */
    int in_case_of_org;    /* has a link-worker prescription sent by ORG_ID */
    int direct_rx_by_user; /* has a direct prescription made by USER_ID */
} lw_person_links;

lw_status store_person_links(lw_db *db, int64_t person_id, int64_t org_id, int64_t user_id,
                             lw_person_links *out, lw_error *err) LW_MUST_CHECK;

typedef struct lw_person_filter {
    int64_t org_id;        /* people referred to, or with prescriptions sent by, this org; 0 any */
    int64_t prescriber_id; /* people with a direct prescription by this user; 0 any */
    const char *name;      /* a prefix of the given or family name (case-insensitive); NULL any */
    const char *nhs_number;
} lw_person_filter;

lw_status store_person_list(lw_db *db, lw_arena *a, const lw_person_filter *f, lw_page pg,
                            lw_person **out, int *n, int64_t *total, lw_error *err) LW_MUST_CHECK;
/* FROM is the same human as INTO: FROM's referrals, cases and prescriptions move to INTO. */
lw_status store_person_merge(lw_db *db, int64_t from, int64_t into, int64_t now,
                             lw_error *err) LW_MUST_CHECK;

/* ---- referrals (referrals.c) ---- */
typedef struct lw_referral {
    int64_t id;
    const char *reference;
    int64_t person_id;
    int64_t possible_duplicate_of; /* 0: none */
    const char *source;            /* referrer | clinician | self */
    int64_t from_org_id;           /* 0: self-referral */
    const char *from_org_name;
    int64_t referrer_id;
    const char *referrer_name;
    int64_t to_org_id;
    const char *to_org_name;
    const char *reasons; /* comma-separated need ids */
    const char *details;
    const char *urgency;
    int consent_share;
    const char *consent_given_on;
    const char *consent_with;
    const char *risks;
    const char *accessibility_needs;
    const char *language;
    const char *status;
    const char *status_reason;
    const char *status_note;
    int64_t status_by;
    int64_t status_at;
    int64_t created_at;
    /* read only: joined */
    const char *person_given_name;
    const char *person_family_name;
    int64_t case_id; /* 0: none */
} lw_referral;

/* Inserts R as received at NOW (status fields ignored). */
lw_status store_referral_insert(lw_db *db, const lw_referral *r, int64_t now, int64_t *id,
                                lw_error *err) LW_MUST_CHECK;
lw_status store_referral_get(lw_db *db, lw_arena *a, int64_t id, lw_referral *out,
                             lw_error *err) LW_MUST_CHECK;

typedef struct lw_referral_filter {
    int64_t from_org_id;     /* 0: any */
    int64_t to_org_id;       /* 0: any */
    const char *status;      /* NULL: any */
    int64_t received_before; /* only received referrals created at or before this; 0: off */
    int64_t person_id;       /* 0: any */
} lw_referral_filter;

/* Newest first, or (with received_before) oldest first. */
lw_status store_referral_list(lw_db *db, lw_arena *a, const lw_referral_filter *f, lw_page pg,
                              lw_referral **out, int *n, int64_t *total,
                              lw_error *err) LW_MUST_CHECK;
/* Moves referral ID from status FROM to TO, or LW_ECONFLICT when it is no
 * longer FROM. BY 0 is the system. */
lw_status store_referral_set_status(lw_db *db, int64_t id, const char *from, const char *to,
                                    const char *reason, const char *note, int64_t by, int64_t now,
                                    lw_error *err) LW_MUST_CHECK;
/* A link worker confirmed the flagged possible duplicate is another person. */
lw_status store_referral_clear_duplicate(lw_db *db, int64_t id, lw_error *err) LW_MUST_CHECK;

/* Claims at most LIMIT referrals received at or before CUTOFF by declining them
 * with reason no_response, atomically (a row claimed by one process is not
 * claimed by another). Their ids and referring organisations in OUT. */
typedef struct lw_claimed_referral {
    int64_t id;
    int64_t from_org_id;
} lw_claimed_referral;
lw_status store_referral_auto_close(lw_db *db, lw_arena *a, int64_t cutoff, int64_t now, int limit,
                                    lw_claimed_referral **out, int *n, lw_error *err) LW_MUST_CHECK;

/* ---- self-referral throttling ---- */
/* Records an attempt under KEY; its id (for _delete) in *ID, which may be NULL. */
lw_status store_selfref_attempt_add(lw_db *db, const char *key, int64_t now, int64_t *id,
                                    lw_error *err) LW_MUST_CHECK;
lw_status store_selfref_attempt_delete(lw_db *db, int64_t id, lw_error *err) LW_MUST_CHECK;
lw_status store_selfref_attempts(lw_db *db, const char *key, int64_t since, int *count,
                                 int64_t *oldest, lw_error *err) LW_MUST_CHECK;
lw_status store_selfref_attempts_purge(lw_db *db, int64_t before, lw_error *err) LW_MUST_CHECK;

/* The active link worker services (organisations a referral can go to), by name. */
lw_status store_link_worker_services(lw_db *db, lw_arena *a, lw_org **out, int *n,
                                     lw_error *err) LW_MUST_CHECK;

/* ---- the feedback outbox ---- */
typedef struct lw_feedback {
    int64_t id;
    int64_t referral_id;     /* 0: none (a direct prescription) */
    int64_t prescription_id; /* 0: none */
    int64_t recipient_org_id;
    const char *event; /* accepted | declined | started | closed */
    int64_t at;
    const char *snomed;
    const char *text;
    int64_t delivered_at;
} lw_feedback;

lw_status store_feedback_insert(lw_db *db, const lw_feedback *f, lw_error *err) LW_MUST_CHECK;
/* Oldest first: for a referral (REFERRAL_ID) or a direct prescription (PRESCRIPTION_ID). */
lw_status store_feedback_list(lw_db *db, lw_arena *a, int64_t referral_id, int64_t prescription_id,
                              lw_feedback **out, int *n, lw_error *err) LW_MUST_CHECK;

/* ---- cases (cases.c) ---- */
typedef struct lw_case {
    int64_t id;
    int64_t referral_id;
    int64_t person_id;
    int64_t org_id;
    int64_t assignee_id;
    const char *assignee_name;
    const char *status; /* open | closed */
    const char *support_level;
    const char *what_matters;
    const char *outcome;
    const char *outcome_note;
    int64_t opened_at, closed_at;
    int64_t last_contact_at;
    const char *next_action_due;
    int64_t updated_at;
    /* read only: joined */
    const char *person_given_name;
    const char *person_family_name;
    const char *person_reference;
    /* read only, filled by store_caseload: the pathway's next open milestone
     * (0/NULL: none) and, when the filter has a milestone_cutoff, how many are
     * overdue */
    int64_t overdue_milestones;
    int64_t next_milestone_id;
    const char *next_milestone_title;
    int64_t next_milestone_due;
} lw_case;

lw_status store_case_insert(lw_db *db, int64_t referral_id, int64_t person_id, int64_t org_id,
                            int64_t assignee_id, int64_t now, int64_t *id,
                            lw_error *err) LW_MUST_CHECK;
lw_status store_case_get(lw_db *db, lw_arena *a, int64_t id, lw_case *out,
                         lw_error *err) LW_MUST_CHECK;
/* NULL / 0 leave a field unchanged. */
lw_status store_case_update(lw_db *db, int64_t id, const char *support_level,
                            const char *what_matters, int64_t assignee_id, int64_t now,
                            lw_error *err) LW_MUST_CHECK;
lw_status store_case_close(lw_db *db, int64_t id, const char *outcome, const char *note,
                           int64_t now, lw_error *err) LW_MUST_CHECK;

typedef struct lw_caseload_filter {
    int64_t assignee_id; /* 0: any */
    int64_t org_id;      /* 0: any */
    const char *status;  /* NULL: any */
    const char *today;   /* "YYYY-MM-DD": actions due before it are overdue */
    /* With a cutoff (ms; pathway milestones due before it are overdue), a case
     * with an overdue milestone is overdue too, and each case carries its
     * count of overdue milestones (lw_case). 0: off. */
    int64_t milestone_cutoff;
} lw_caseload_filter;

/* Overdue first (next action due before today), then by next action due, then the rest. */
lw_status store_caseload(lw_db *db, lw_arena *a, const lw_caseload_filter *f, lw_page pg,
                         lw_case **out, int *n, int64_t *total, lw_error *err) LW_MUST_CHECK;

typedef struct lw_worker_load {
    int64_t user_id;
    const char *name;
    const char *role;
    int64_t open_cases;
} lw_worker_load;

/* The active link and peer workers of ORG_ID, fewest open cases first. */
lw_status store_worker_loads(lw_db *db, lw_arena *a, int64_t org_id, lw_worker_load **out, int *n,
                             lw_error *err) LW_MUST_CHECK;

typedef struct lw_contact {
    int64_t id;
    int64_t case_id;
    int64_t at;
    const char *mode;
    int64_t minutes;
    const char *note;
    int64_t by_user_id;
    int64_t created_at;
} lw_contact;

/* Also keeps the case's last contact time. */
lw_status store_contact_insert(lw_db *db, const lw_contact *c, int64_t *id,
                               lw_error *err) LW_MUST_CHECK;
lw_status store_contact_list(lw_db *db, lw_arena *a, int64_t case_id, lw_contact **out, int *n,
                             lw_error *err) LW_MUST_CHECK;

typedef struct lw_need {
    const char *domain;
    int64_t importance;
} lw_need;

/* Replaces the case's needs with NEEDS. */
lw_status store_case_needs_set(lw_db *db, int64_t case_id, const lw_need *needs, int n,
                               lw_error *err) LW_MUST_CHECK;
lw_status store_case_needs(lw_db *db, lw_arena *a, int64_t case_id, lw_need **out, int *n,
                           lw_error *err) LW_MUST_CHECK;

typedef struct lw_goal {
    int64_t id;
    int64_t case_id;
    const char *text;
    const char *domain;
    const char *target_date;
    const char *status;
    int64_t created_at, updated_at;
} lw_goal;

lw_status store_goal_insert(lw_db *db, const lw_goal *g, int64_t now, int64_t *id,
                            lw_error *err) LW_MUST_CHECK;
/* LW_ENOTFOUND unless goal ID belongs to CASE_ID. NULLs leave fields unchanged. */
lw_status store_goal_update(lw_db *db, int64_t case_id, int64_t id, const char *text,
                            const char *status, const char *target_date, int64_t now,
                            lw_error *err) LW_MUST_CHECK;
lw_status store_goal_list(lw_db *db, lw_arena *a, int64_t case_id, lw_goal **out, int *n,
                          lw_error *err) LW_MUST_CHECK;

typedef struct lw_action {
    int64_t id;
    int64_t case_id;
    int64_t goal_id; /* 0: none */
    const char *who;
    const char *what;
    const char *due;
    int done;
    int64_t done_at;
    int64_t created_at;
} lw_action;

/* Both keep the case's next action due. */
lw_status store_action_insert(lw_db *db, const lw_action *x, int64_t now, int64_t *id,
                              lw_error *err) LW_MUST_CHECK;
/* DONE -1 leaves it; NULLs leave the text fields. LW_ENOTFOUND unless it belongs to CASE_ID. */
lw_status store_action_update(lw_db *db, int64_t case_id, int64_t id, const char *who,
                              const char *what, const char *due, int done, int64_t now,
                              lw_error *err) LW_MUST_CHECK;
lw_status store_action_list(lw_db *db, lw_arena *a, int64_t case_id, lw_action **out, int *n,
                            lw_error *err) LW_MUST_CHECK;

/* ---- prescriptions and funds (prescriptions.c) ---- */
typedef struct lw_rx {
    int64_t id;
    int64_t case_id; /* 0: direct */
    int64_t person_id;
    const char *service_id;
    const char *kind;
    const char *mode;
    const char *status;
    const char *status_reason;
    int64_t status_at;
    const char *override_reason;
    const char *note;
    int consent_share;
    int64_t prescriber_id;
    int64_t sender_org_id;
    int64_t provider_org_id; /* 0: the service has no managing organisation */
    int64_t fund_id;
    int64_t cost;
    int64_t started_at;
    int64_t created_at;
    /* read only: joined */
    int64_t referral_id;          /* the case's referral; 0 for direct */
    int64_t referral_from_org_id; /* its referrer's organisation; 0 for none */
} lw_rx;

lw_status store_rx_insert(lw_db *db, const lw_rx *r, int64_t now, int64_t *id,
                          lw_error *err) LW_MUST_CHECK;
lw_status store_rx_get(lw_db *db, lw_arena *a, int64_t id, lw_rx *out, lw_error *err) LW_MUST_CHECK;

typedef struct lw_rx_filter {
    int64_t case_id;         /* 0: any */
    int64_t person_id;       /* 0: any */
    int64_t sender_org_id;   /* link worker mode, from this service; 0: any */
    int64_t prescriber_id;   /* direct, by this user; 0: any */
    int64_t provider_org_id; /* sent to this provider (not proposed, not signposts); 0: any */
    const char *status;      /* NULL: any */
    const char *service_id;  /* NULL: any */
} lw_rx_filter;

lw_status store_rx_list(lw_db *db, lw_arena *a, const lw_rx_filter *f, lw_page pg, lw_rx **out,
                        int *n, int64_t *total, lw_error *err) LW_MUST_CHECK;
/* Compare-and-set, as store_referral_set_status. PROVIDER_ORG >= 0 also sets
 * the provider (refreshed when sent); OVERRIDE may be NULL. */
lw_status store_rx_set_status(lw_db *db, int64_t id, const char *from, const char *to,
                              const char *reason, const char *override_reason, int64_t provider_org,
                              int64_t now, lw_error *err) LW_MUST_CHECK;
lw_status store_rx_set_started(lw_db *db, int64_t id, int64_t at, lw_error *err) LW_MUST_CHECK;
/* Prescriptions holding a place at SERVICE_ID (sent, accepted, waitlisted, started). */
lw_status store_rx_open_count(lw_db *db, const char *service_id, int64_t *out,
                              lw_error *err) LW_MUST_CHECK;
/* Prescriptions of the case that reached started (take-up), for the referrer's feedback. */
lw_status store_rx_started_count(lw_db *db, int64_t case_id, int64_t *out,
                                 lw_error *err) LW_MUST_CHECK;

typedef struct lw_attendance {
    int64_t id;
    int64_t prescription_id;
    const char *date;
    int attended;
    const char *note;
    int64_t by_user_id;
    int64_t created_at;
} lw_attendance;

/* LW_ECONFLICT (field "date") when that date is already recorded. */
lw_status store_attendance_insert(lw_db *db, const lw_attendance *x, int64_t *id,
                                  lw_error *err) LW_MUST_CHECK;
lw_status store_attendance_list(lw_db *db, lw_arena *a, int64_t prescription_id,
                                lw_attendance **out, int *n, lw_error *err) LW_MUST_CHECK;

typedef struct lw_fund {
    int64_t id;
    int64_t org_id;
    const char *name;
    int64_t balance;
    int64_t created_at, updated_at;
} lw_fund;

/* LW_ECONFLICT (field "name") when the organisation has a fund of that name. */
lw_status store_fund_insert(lw_db *db, int64_t org_id, const char *name, int64_t balance,
                            int64_t now, int64_t *id, lw_error *err) LW_MUST_CHECK;
lw_status store_fund_get(lw_db *db, lw_arena *a, int64_t id, lw_fund *out,
                         lw_error *err) LW_MUST_CHECK;
lw_status store_fund_list(lw_db *db, lw_arena *a, int64_t org_id, lw_fund **out, int *n,
                          lw_error *err) LW_MUST_CHECK;
/* Adds DELTA (may be negative) to the balance, atomically: LW_ECONFLICT (field
 * "cost") when that would take it below zero, and nothing changes. */
lw_status store_fund_adjust(lw_db *db, int64_t id, int64_t delta, int64_t now,
                            lw_error *err) LW_MUST_CHECK;

/* ---- the demo (linkwell demo) ---- */
/* Up to N active directory services managed by ORG_ID that can take prescriptions
 * (capacity status not no_capacity), by id. When there are fewer than N (the
 * directory's demo has not run), adds a few demo listings of our own for ORG_ID first. */
lw_status store_demo_services(lw_db *db, lw_arena *a, int64_t org_id, int n, int64_t now,
                              const char ***out, int *got, lw_error *err) LW_MUST_CHECK;

#endif
