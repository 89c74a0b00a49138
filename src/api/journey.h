/*
 * Helpers shared by the handlers of the journey from referral to closed loop
 * (people.c, referrals.c, cases.c, prescriptions.c, funds.c, jobs.c): reading
 * nested JSON input with the field's full path in errors, the viewer of a
 * request, random references, finding or creating a person, the feedback
 * outbox, and the JSON views of people shaped by who sees what
 * (domain/referrals_access.h).
 *
 * Ownership: strings live in the request's arena; json_t values returned are
 * new references owned by the caller.
 */
#ifndef LW_API_JOURNEY_H
#define LW_API_JOURNEY_H

#include "api/api.h"
#include "domain/people.h"
#include "domain/referrals.h"
#include "domain/referrals_access.h"

/* ---- input ---- */
/* A string member KEY of OBJ, named PATH in errors ("person.given_name"). As
 * jin_string, and the text must pass text_check (UTF-8, no control characters
 * other than newlines and tabs). */
lw_status jr_string(const json_t *obj, const char *key, const char *path, int required,
                    size_t maxlen, const char **out, lw_error *err) LW_MUST_CHECK;
/* A whole number in [MIN, MAX]; absent → *PRESENT 0 (error when REQUIRED). */
lw_status jr_int(const json_t *obj, const char *key, const char *path, int required, int64_t min,
                 int64_t max, int64_t *out, int *present, lw_error *err) LW_MUST_CHECK;
/* A date "YYYY-MM-DD"; with NOT_AFTER (a date) it must not be later. */
lw_status jr_date(const json_t *obj, const char *key, const char *path, int required,
                  const char *not_after, const char **out, lw_error *err) LW_MUST_CHECK;
/* OBJ must be an object (named PATH) whose keys are all in ALLOWED. */
lw_status jr_object(const json_t *obj, const char *path, const char *const *allowed,
                    lw_error *err) LW_MUST_CHECK;

/* ---- the request ---- */
lw_viewer jr_viewer(const api_request *req);
int64_t jr_now(const api_request *req);
/* Today (UTC) as YYYY-MM-DD. */
void jr_today(const api_request *req, char out[11]);
lw_referral_limits jr_limits(const lw_app *app);
/* A new random reference: PREFIX, '-', 8 characters of an unambiguous alphabet. */
const char *jr_reference(lw_arena *a, char prefix);
/* An audit row about RESOURCE_ID with OUTCOME "denied", committed on its own;
 * for a refusal answered 404. */
void jr_audit_denied(api_request *req, const char *action, const char *type, int64_t id);

/* ---- group commit ---- */
/* Work on REQ->db inside a shared transaction (store_batched): api_audit and the
 * store calls made through REQ join it. */
typedef lw_status (*jr_batch_fn)(api_request *req, void *ctx, lw_error *err);
/* Runs FN in the group commit and returns once it is durably committed. REQ's
 * own connection is given back to the pool meanwhile (so that waiting requests
 * never hold every connection the leader needs) and taken again after. No
 * transaction may be open on it. */
lw_status jr_batched(api_request *req, jr_batch_fn fn, void *ctx, lw_error *err) LW_MUST_CHECK;
/* The audit row of a read (and a second one when ACTION2 is not NULL, e.g. the
 * person shown with a referral), committed through the group commit. */
/* Case ID if the viewer may see it. Otherwise LW_ENOTFOUND naming FIELD (NULL: the
 * path), as for a case that does not exist; a refusal is audited as ACTION. */
lw_status jr_case_get(api_request *req, int64_t id, const char *action, const char *field,
                      lw_case *c, lw_error *err) LW_MUST_CHECK;
lw_status jr_audit_read(api_request *req, const char *action, const char *type, int64_t id,
                        const char *action2, const char *type2, int64_t id2,
                        lw_error *err) LW_MUST_CHECK;

/* ---- people ---- */
/* A person described in a request body (the "person" member), validated. */
typedef struct jr_person_in {
    lw_person p;
    char nhs[LW_NHS_LEN];
    char postcode[9];
    char key[400];
} jr_person_in;

/* Reads and checks the object PERSON (named PATH). */
lw_status jr_person_parse(const api_request *req, const json_t *person, const char *path,
                          jr_person_in *out, lw_error *err) LW_MUST_CHECK;
/* Whom a prescription or a decision is for: a case (link and peer workers; the person and
 * the consent to share come from the case's referral) or, when DIRECT (a clinician
 * prescriber, no case), a person known by "person_id" or described in "person", with
 * "consent": {"share": true|false} (CONSENT -1 when not given; the caller says whether it is
 * required). WHAT names the record in messages ("prescription", "decision"). */
typedef struct jr_subject {
    int64_t case_id, person_id;
    int has_person;
    jr_person_in person;
    int consent;
} jr_subject;
lw_status jr_subject_parse(const api_request *req, int direct, const char *what, jr_subject *out,
                           lw_error *err) LW_MUST_CHECK;
/* Matches IN against the people known (domain/people.h) and returns the
 * person to use: an existing one (its missing details filled in from IN) or a
 * new one. *DUPLICATE_OF is the possible duplicate to flag (0: none). Writes
 * a person.create or person.update audit row. Run inside a transaction. */
lw_status jr_person_resolve(api_request *req, jr_person_in *in, int64_t *person_id,
                            int64_t *duplicate_of, lw_error *err) LW_MUST_CHECK;

/* How person PERSON_ID is linked to the caller, for access_person(). */
lw_status jr_person_facts(api_request *req, int64_t person_id, lw_person_facts *out,
                          lw_error *err) LW_MUST_CHECK;

/* The person as VIEW allows: everything, what consent lets a provider see, or
 * the first name and reference only. */
json_t *jr_person_json(const lw_person *p, lw_view view);

/* ---- the closed loop ---- */
/* Writes a feedback message to the outbox for REFERRAL_ID's referrer (or, for
 * a direct prescription, the prescriber's organisation). EVENT: accepted,
 * declined, started, closed. */
typedef struct jr_feedback {
    int64_t referral_id;     /* 0 for a direct prescription */
    int64_t prescription_id; /* 0 when not about one */
    int64_t recipient_org;   /* 0: nobody to tell (a self-referral) */
    const char *event;
    const char *service_name;   /* the link worker service (accepted, declined) */
    const char *reason;         /* declined: the reason id; closed: the outcome id */
    int64_t activities_started; /* closed: how many activities the person took up */
} jr_feedback;
lw_status jr_feedback_emit(lw_db *db, const jr_feedback *f, int64_t now,
                           lw_error *err) LW_MUST_CHECK;
json_t *jr_feedback_json(const lw_feedback *f, int n);

/* Helpers for JSON output. */
json_t *jr_str_or_null(const char *s);
json_t *jr_id_or_null(int64_t id);
/* A comma-separated list as a JSON array of strings. */
json_t *jr_csv_array(const char *csv);

#endif
