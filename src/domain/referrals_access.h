/*
 * Who sees what (issue 5, "Who sees what"), in one place: one function per
 * resource — person, referral, case, prescription — deciding from the
 * viewer's role and organisation and from facts about the record how much of
 * it the viewer may see. LW_SEE_NONE means "answer 404": a record of another
 * organisation must not even be admitted to exist. The api/ handlers fetch
 * the facts, call these, and shape their JSON by the answer.
 *
 * Pure: no I/O.
 */
#ifndef LW_REFERRALS_ACCESS_H
#define LW_REFERRALS_ACCESS_H

#include <stdint.h>

#include "domain/accounts.h"

typedef struct lw_viewer {
    lw_role role;
    int64_t user_id;
    int64_t org_id;
} lw_viewer;

typedef enum lw_view {
    LW_SEE_NONE = 0,
    /* A referral to its referrer: status and feedback, never the case. */
    LW_SEE_REFERRER,
    /* A prescription to its provider, the person cut to what consent allows. */
    LW_SEE_PROVIDER_CONSENTED,
    /* The same without consent: the person's first name and reference only. */
    LW_SEE_PROVIDER_MINIMAL,
    /* Everything (link and peer workers of the service, the prescriber, admins). */
    LW_SEE_FULL
} lw_view;

/* A referral: FROM_ORG sent it (0 for a self-referral), TO_ORG received it. */
lw_view access_referral(const lw_viewer *v, int64_t from_org, int64_t to_org);

/* A case: held by the link worker service CASE_ORG. */
lw_view access_case(const lw_viewer *v, int64_t case_org);

typedef struct lw_rx_facts {
    int64_t sender_org;    /* the case's service, or the prescribing clinician's organisation */
    int64_t prescriber_id; /* the user who made it */
    int direct;            /* mode direct */
    int64_t provider_org;  /* the organisation managing the service (0: none) */
    int sent;              /* it reached the provider (kind referral, past proposed) */
    int consent;           /* the person consented to share with providers */
} lw_rx_facts;

lw_view access_prescription(const lw_viewer *v, const lw_rx_facts *f);

typedef struct lw_person_facts {
    int referred_to_org;     /* has a referral to the viewer's organisation */
    int in_case_of_org;      /* has a case or a prescription sent by the viewer's organisation */
    int direct_rx_by_viewer; /* has a direct prescription the viewer made */
} lw_person_facts;

lw_view access_person(const lw_viewer *v, const lw_person_facts *f);

#endif
