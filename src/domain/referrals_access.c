/* Who sees what: one function per resource (see referrals_access.h). */
#include "domain/referrals_access.h"

static int is_worker(lw_role r) {
    return r == LW_ROLE_LINK_WORKER || r == LW_ROLE_PEER_WORKER;
}

lw_view access_referral(const lw_viewer *v, int64_t from_org, int64_t to_org) {
    if (v->role == LW_ROLE_ADMIN)
        return LW_SEE_FULL;
    if (is_worker(v->role) && to_org == v->org_id)
        return LW_SEE_FULL;
    if ((v->role == LW_ROLE_REFERRER || v->role == LW_ROLE_CLINICIAN_PRESCRIBER) && from_org &&
        from_org == v->org_id)
        return LW_SEE_REFERRER;
    return LW_SEE_NONE;
}

lw_view access_case(const lw_viewer *v, int64_t case_org) {
    if (v->role == LW_ROLE_ADMIN)
        return LW_SEE_FULL;
    if (is_worker(v->role) && case_org == v->org_id)
        return LW_SEE_FULL;
    return LW_SEE_NONE;
}

lw_view access_prescription(const lw_viewer *v, const lw_rx_facts *f) {
    switch (v->role) {
    case LW_ROLE_ADMIN:
        return LW_SEE_FULL;
    case LW_ROLE_LINK_WORKER:
    case LW_ROLE_PEER_WORKER:
        return !f->direct && f->sender_org == v->org_id ? LW_SEE_FULL : LW_SEE_NONE;
    case LW_ROLE_CLINICIAN_PRESCRIBER:
        return f->direct && f->prescriber_id == v->user_id ? LW_SEE_FULL : LW_SEE_NONE;
    case LW_ROLE_PROVIDER:
        if (!f->sent || !f->provider_org || f->provider_org != v->org_id)
            return LW_SEE_NONE;
        return f->consent ? LW_SEE_PROVIDER_CONSENTED : LW_SEE_PROVIDER_MINIMAL;
    default: /* referrers and commissioners see no prescription */
        return LW_SEE_NONE;
    }
}

lw_view access_person(const lw_viewer *v, const lw_person_facts *f) {
    switch (v->role) {
    case LW_ROLE_ADMIN:
        return LW_SEE_FULL;
    case LW_ROLE_LINK_WORKER:
    case LW_ROLE_PEER_WORKER:
        return f->referred_to_org || f->in_case_of_org ? LW_SEE_FULL : LW_SEE_NONE;
    case LW_ROLE_CLINICIAN_PRESCRIBER:
        return f->direct_rx_by_viewer ? LW_SEE_FULL : LW_SEE_NONE;
    default: /* providers see people only through prescriptions; commissioners never */
        return LW_SEE_NONE;
    }
}
