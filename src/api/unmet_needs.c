/*
 * Recording unmet need (issue 7): when a case's preferences are saved, the
 * needs that no local service meets within the person's travel limit
 * (domain/unmet_need.h, over the directory prepared for the matcher) replace
 * the case's rows in unmet_needs, which the reports count per need domain.
 */
#include "api/pathways.h"

#include "api/matching.h"
#include "domain/unmet_need.h"

lw_status api_unmet_needs_record(api_request *req, const lw_case *c, lw_error *err) {
    mt_person who;
    dir_snap *snap = NULL;
    const match_dir *md = NULL;
    lw_status st = mt_case_person(req, c, &who, err);
    if (st == LW_OK)
        st = mt_acquire(req, &snap, &md, err);
    if (st != LW_OK)
        return st;
    uint32_t unmet = unmet_needs(&who.p, md->svc, md->n);
    dirx_release(req, snap);
    const char *needs[LW_MATCH_NEED_COUNT];
    int n = 0;
    for (int i = 0; i < LW_MATCH_NEED_COUNT; i++)
        if (unmet & LW_MATCH_NEED_BIT(i))
            needs[n++] = match_need_name((lw_match_need)i);
    int64_t km = who.p.max_m < 0 ? -1 : (who.p.max_m + 999) / 1000;
    return store_unmet_needs_set(req->db, c->id, c->person_id, c->org_id, needs, n, km,
                                 clock_now(&req->app->clock), err);
}
