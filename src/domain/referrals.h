/*
 * The rules of the journey from referral to closed loop (DESIGN.md "The
 * flow"): need domains, the referral and prescription state machines, case
 * vocabularies (contact modes, support levels, goal statuses, outcomes),
 * when an unanswered referral is overdue or may be closed automatically,
 * the SNOMED CT codes of the feedback, and self-referral throttling.
 *
 * Pure: no I/O, no clock (times are passed in), no randomness. Names are the
 * ids used on the wire; every parse function returns -1 for an unknown name,
 * and every "names_list" is for error messages.
 */
#ifndef LW_REFERRALS_H
#define LW_REFERRALS_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define LW_DAY_MS (24LL * 60 * 60 * 1000)

/* SNOMED CT codes the referral and its feedback carry. */
#define LW_SNOMED_REFERRAL "871731000000106" /* |Referral to social prescribing service| */
#define LW_SNOMED_DECLINED "871711000000103" /* |Social prescribing declined| */

/* ---- need domains (DESIGN.md) ---- */
#define LW_NEED_COUNT 15
const char *need_name(int i); /* NULL past the end */
int need_parse(const char *name);
const char *need_names_list(void);

/* ---- vocabularies ---- */
int urgency_parse(const char *s); /* routine | urgent */
const char *urgency_names_list(void);
int contact_mode_parse(const char *s); /* phone | face_to_face | video | text | home_visit */
const char *contact_mode_names_list(void);
int support_level_parse(const char *s); /* signpost | light | intensive */
const char *support_level_names_list(void);
int goal_status_parse(
    const char *s); /* active | achieved | partly_achieved | not_achieved | dropped
                     */
const char *goal_status_names_list(void);
/* How a case ends: goals_met | partly_met | disengaged | referred_elsewhere | moved_away |
 * deceased | other. */
int case_outcome_parse(const char *s);
const char *case_outcome_names_list(void);

/* ---- referrals ---- */
typedef enum lw_referral_state {
    LW_REF_RECEIVED,
    LW_REF_ACCEPTED,
    LW_REF_IN_PROGRESS,
    LW_REF_CLOSED,
    LW_REF_DECLINED,
    LW_REF_STATE_COUNT
} lw_referral_state;

const char *referral_state_name(lw_referral_state s);
int referral_state_parse(const char *name);
const char *referral_state_names_list(void);

/* Why a referral is declined (PRSB): not_eligible | declined_by_person |
 * unable_to_contact | duplicate | referred_elsewhere | no_response. */
int decline_reason_parse(const char *s);
const char *decline_reason_names_list(void);
#define LW_DECLINE_NO_RESPONSE "no_response"

/* 1 when FROM → TO is a step the machine allows (received → accepted |
 * declined, accepted → in_progress | closed, in_progress → closed). */
int referral_transition_allowed(lw_referral_state from, lw_referral_state to);
/* "accepted, declined" (or "none: closed is final"), into BUF. */
const char *referral_allowed_text(lw_referral_state from, char *buf, size_t size);
/* LW_OK, or LW_ECONFLICT (field "status") naming the allowed transitions. */
lw_status referral_transition_check(lw_referral_state from, lw_referral_state to,
                                    lw_error *err) LW_MUST_CHECK;

/* How long an unanswered (received) referral may wait. */
typedef struct lw_referral_limits {
    int overdue_days;    /* on the overdue list after this many days; default 5 */
    int auto_close_days; /* closed by the job with reason no_response; default 14 */
} lw_referral_limits;

#define LW_OVERDUE_DAYS_DEFAULT 5
#define LW_AUTO_CLOSE_DAYS_DEFAULT 14

/* LIMITS with 0s replaced by the defaults. */
lw_referral_limits referral_limits(int overdue_days, int auto_close_days);
/* LW_EINVAL when a limit is below 1 or the auto-close limit is not after the
 * overdue one (fields "overdue_days", "auto_close_days"). */
lw_status referral_limits_check(const lw_referral_limits *l, lw_error *err) LW_MUST_CHECK;

typedef enum lw_referral_age {
    LW_AGE_ON_TIME,   /* answered, or received less than overdue_days ago */
    LW_AGE_OVERDUE,   /* received, not answered for overdue_days */
    LW_AGE_AUTO_CLOSE /* received, not answered for auto_close_days: the job closes it */
} lw_referral_age;

lw_referral_age referral_age(lw_referral_state state, int64_t received_at, int64_t now,
                             const lw_referral_limits *l);
/* Referrals received at or before this time are overdue / due for auto-close. */
int64_t referral_overdue_cutoff(int64_t now, const lw_referral_limits *l);
int64_t referral_auto_close_cutoff(int64_t now, const lw_referral_limits *l);

/* ---- social prescriptions ---- */
typedef enum lw_rx_state {
    LW_RX_PROPOSED,
    LW_RX_SENT,
    LW_RX_ACCEPTED,
    LW_RX_WAITLISTED,
    LW_RX_DECLINED,
    LW_RX_STARTED,
    LW_RX_COMPLETED,
    LW_RX_DROPPED_OUT,
    LW_RX_STATE_COUNT
} lw_rx_state;

typedef enum lw_rx_kind { LW_RX_SIGNPOST, LW_RX_REFERRAL } lw_rx_kind;
typedef enum lw_rx_mode { LW_RX_LINK_WORKER, LW_RX_DIRECT } lw_rx_mode;

const char *rx_state_name(lw_rx_state s);
int rx_state_parse(const char *name);
const char *rx_state_names_list(void);
int rx_kind_parse(const char *s); /* signpost | referral */
int rx_mode_parse(const char *s); /* link_worker | direct */
const char *rx_kind_name(lw_rx_kind k);
const char *rx_mode_name(lw_rx_mode m);

/* A referral goes proposed → sent → accepted | waitlisted | declined;
 * waitlisted → accepted | declined; accepted → started | dropped_out;
 * started → completed | dropped_out. A signpost has no provider handshake:
 * proposed → started | dropped_out; started → completed | dropped_out. */
int rx_transition_allowed(lw_rx_kind kind, lw_rx_state from, lw_rx_state to);
const char *rx_allowed_text(lw_rx_kind kind, lw_rx_state from, char *buf, size_t size);
lw_status rx_transition_check(lw_rx_kind kind, lw_rx_state from, lw_rx_state to,
                              lw_error *err) LW_MUST_CHECK;

/* Who moves a prescription to TO: the provider answers (accepted, waitlisted,
 * declined); the sender (link worker or prescribing clinician) sends; either
 * may record completed or dropped_out; started comes from the attendance
 * register (or, for a signpost, from the sender). */
typedef enum lw_rx_actor { LW_RX_BY_SENDER, LW_RX_BY_PROVIDER } lw_rx_actor;
int rx_actor_may(lw_rx_actor by, lw_rx_kind kind, lw_rx_state to);

/* Open prescriptions hold a place at their service. */
int rx_state_is_open(lw_rx_state s);
/* Attendance can be recorded while accepted or started (a signpost: also proposed). */
int rx_attendance_allowed(lw_rx_kind kind, lw_rx_state s);

/* Whether a send is refused for capacity: the service says no_capacity, or
 * its known capacity (-1: unknown) is taken by OPEN prescriptions. An
 * OVERRIDE reason lets it through. LW_ECONFLICT naming "override_reason". */
lw_status rx_capacity_check(const char *capacity_status, int64_t capacity, int64_t open,
                            const char *override_reason, lw_error *err) LW_MUST_CHECK;

/* A fund can pay COST (pence, >= 0) when BALANCE covers it; LW_ECONFLICT naming "cost". */
lw_status fund_draw_check(int64_t balance, int64_t cost, lw_error *err) LW_MUST_CHECK;

/* ---- the closed loop: feedback for the referrer ---- */
/* The SNOMED CT code a feedback EVENT carries (accepted, started, closed: the
 * referral's; declined: 871711000000103). */
const char *feedback_snomed(const char *event);
/* The message for EVENT on DATE (YYYY-MM-DD): SERVICE is the link worker
 * service, REASON the decline reason or closing outcome id, STARTED the
 * activities taken up. Says nothing of the case notes. */
void feedback_text(char *out, size_t size, const char *event, const char *date, const char *service,
                   const char *reason, int64_t started);

/* ---- self-referral throttling (counted in the database, as login attempts are) ---- */
#define LW_SELFREF_LIMIT 5
#define LW_SELFREF_WINDOW_MS (60LL * 60 * 1000)
/* Seconds until another self-referral from the address is allowed, or 0.
 * ATTEMPTS is the number in the window (this one excluded), OLDEST_MS the oldest. */
long selfref_retry_after(int attempts, int64_t oldest_ms, int64_t now_ms);

/* ---- text ---- */
/* A date "YYYY-MM-DD" that exists; LW_EINVAL naming FIELD. */
lw_status date_check(const char *s, const char *field, lw_error *err) LW_MUST_CHECK;
/* The date of NOW_MS (UTC) as "YYYY-MM-DD" into OUT (11 bytes). */
void date_of_ms(int64_t now_ms, char out[11]);
/* Free text: valid UTF-8, at most MAX bytes, no control characters other
 * than newline and tab. LW_EINVAL naming FIELD. */
lw_status text_check(const char *s, size_t max, const char *field, lw_error *err) LW_MUST_CHECK;

#define LW_NOTE_MAX 4000
#define LW_SHORT_TEXT_MAX 500

#endif
