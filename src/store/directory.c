/*
 * The community directory: organisations (HSDS "organizations", distinct from
 * linkwell's account organisations, which may manage them) and their services.
 */
#include "store/db.h"
#include "store/store.h"

lw_status store_service_brief(lw_db *db, lw_arena *a, const char *id, lw_service_brief *out,
                              lw_error *err) {
    db_val p[] = {DB_S(id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT s.id, s.name, s.status, s.capacity, s.capacity_status, "
                            "s.organization_id, o.name, o.organisation_id FROM services s "
                            "JOIN directory_organizations o ON o.id = s.organization_id "
                            "WHERE s.id = $1",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such service");
    out->id = db_text(&r, 0, 0);
    out->name = db_text(&r, 0, 1);
    out->status = db_text(&r, 0, 2);
    out->capacity = db_is_null(&r, 0, 3) ? -1 : db_int(&r, 0, 3);
    out->capacity_status = db_text(&r, 0, 4);
    out->organization_id = db_text(&r, 0, 5);
    out->organization_name = db_text(&r, 0, 6);
    out->managed_by = db_int(&r, 0, 7);
    return LW_OK;
}
