/*
 * Outcome measures (store/measures.h).
 */
#include "store/db.h"
#include "store/store.h"

#define MEASURE_COLS                                                                               \
    "id, case_id, person_id, instrument, timepoint, date, items, scores, recorded_by, created_at"

static void measure_row(const db_result *r, int i, lw_measure *m) {
    m->id = db_int(r, i, 0);
    m->case_id = db_int(r, i, 1);
    m->person_id = db_int(r, i, 2);
    m->instrument = db_text(r, i, 3);
    m->timepoint = db_text(r, i, 4);
    m->date = db_text(r, i, 5);
    m->items = db_text(r, i, 6);
    m->scores = db_text(r, i, 7);
    m->recorded_by = db_int(r, i, 8);
    m->created_at = db_int(r, i, 9);
}

lw_status store_measure_insert(lw_db *db, const lw_measure *m, int64_t *id, lw_error *err) {
    lw_arena *a = arena_new();
    db_val p[] = {DB_I(m->case_id),   DB_I(m->person_id),   DB_S(m->instrument),
                  DB_S(m->timepoint), DB_S(m->date),        DB_S(m->items),
                  DB_S(m->scores),    DB_I(m->recorded_by), DB_I(m->created_at)};
    db_result r;
    lw_status st = db_query(db, a,
                            "INSERT INTO measures (case_id, person_id, instrument, timepoint, "
                            "date, items, scores, recorded_by, created_at) VALUES ($1, $2, $3, "
                            "$4, $5, $6, $7, $8, $9) RETURNING id",
                            p, DB_NPARAMS(p), &r, err);
    if (st == LW_OK)
        *id = db_int(&r, 0, 0);
    arena_free(a);
    return st;
}

lw_status store_measure_get(lw_db *db, lw_arena *a, int64_t id, lw_measure *out, lw_error *err) {
    db_val p[] = {DB_I(id)};
    db_result r;
    lw_status st =
        db_query(db, a, "SELECT " MEASURE_COLS " FROM measures WHERE id = $1", p, 1, &r, err);
    if (st != LW_OK)
        return st;
    if (r.nrows == 0)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such measure");
    measure_row(&r, 0, out);
    return LW_OK;
}

lw_status store_measure_list(lw_db *db, lw_arena *a, int64_t case_id, lw_measure **out, int *n,
                             lw_error *err) {
    db_val p[] = {DB_I(case_id)};
    db_result r;
    lw_status st = db_query(db, a,
                            "SELECT " MEASURE_COLS " FROM measures WHERE case_id = $1 "
                            "ORDER BY instrument, date, id",
                            p, 1, &r, err);
    if (st != LW_OK)
        return st;
    *out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
    for (int i = 0; i < r.nrows; i++)
        measure_row(&r, i, &(*out)[i]);
    *n = r.nrows;
    return LW_OK;
}
