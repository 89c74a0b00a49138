/*
 * Outcome measures (issue 7): recording one administration of an instrument
 * (ONS4, MHC-SF, SWEMWBS, UCLA-3) for a case, scored by domain/measures.h and
 * stored with its answers, and the measures of a case with the change from
 * the first to the latest administration of each instrument. Only the link
 * and peer workers of the case's service (and admins) see a case's measures;
 * every read and write is audited.
 */
#include <stdlib.h>
#include <string.h>

#include "api/journey.h"
#include "domain/measures.h"

/* A score's value as JSON: an integer, or a real for a score with decimals. */
static json_t *value_json(int value, int decimals) {
    if (decimals == 0)
        return json_integer(value);
    double scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    return json_real((double)value / scale);
}

/* The scores as the API shows them (DESIGN.md). */
static json_t *scores_json(const lw_scores *s) {
    json_t *j = json_object();
    for (int i = 0; i < s->count; i++) {
        const lw_score *x = &s->s[i];
        if (x->kind == LW_SCORE_BANDED)
            json_object_set_new(j, x->name,
                                json_pack("{s:o, s:s}", "score", value_json(x->value, x->decimals),
                                          "band", x->label));
        else if (x->kind == LW_SCORE_CATEGORY)
            json_object_set_new(j, x->name, json_string(x->label));
        else
            json_object_set_new(j, x->name, value_json(x->value, x->decimals));
    }
    return j;
}

/* The scores as stored: every score an integer (categories by rank). */
static char *scores_stored(const lw_scores *s, lw_arena *a) {
    json_t *j = json_object();
    for (int i = 0; i < s->count; i++)
        json_object_set_new(j, s->s[i].name, json_integer(s->s[i].value));
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    char *out = arena_strdup(a, text ? text : "{}");
    free(text);
    return out;
}

/* Reads the answers of a stored administration back and scores them again. */
static lw_status measure_rescore(const lw_measure *m, int64_t items[LW_MEASURE_ITEMS_MAX],
                                 size_t *n, lw_scores *out, lw_error *err) {
    lw_instrument instr;
    lw_status st = instrument_parse(m->instrument, "instrument", &instr, err);
    if (st != LW_OK)
        return st;
    json_t *a = json_loads(m->items, 0, NULL);
    *n = 0;
    if (json_is_array(a) && json_array_size(a) <= LW_MEASURE_ITEMS_MAX) {
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v) items[i] =
            json_is_integer(v) ? json_integer_value(v) : LW_ITEM_MISSING;
        *n = json_array_size(a);
    }
    json_decref(a);
    return measure_score(instr, items, *n, "items", out, err);
}

static json_t *measure_json(const lw_measure *m, const int64_t *items, size_t n,
                            const lw_scores *s) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(items[i]));
    return json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:o, s:o, s:I, s:o}", "id", (json_int_t)m->id,
                     "case_id", (json_int_t)m->case_id, "person_id", (json_int_t)m->person_id,
                     "instrument", m->instrument, "timepoint", m->timepoint, "date", m->date,
                     "items", a, "scores", scores_json(s), "recorded_by",
                     (json_int_t)m->recorded_by, "created_at", api_time_json(m->created_at));
}

/* items: an array of exactly the instrument's number of whole numbers. */
static lw_status parse_items(const json_t *v, lw_instrument instr, int64_t *items, size_t *n,
                             lw_error *err) {
    const lw_instrument_info *info = instrument_info(instr);
    if (!json_is_array(v))
        return lw_fail(err, LW_EINVAL, "items", "must be a list of %d whole numbers", info->items);
    if (json_array_size(v) != (size_t)info->items)
        return lw_fail(err, LW_EINVAL, "items", "%s has %d items, not %zu", info->name, info->items,
                       json_array_size(v));
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
        if (json_is_null(x)) {
            items[i] = LW_ITEM_MISSING;
            continue;
        }
        if (!json_is_integer(x)) {
            char f[32];
            snprintf(f, sizeof f, "items[%zu]", i);
            return lw_fail(err, LW_EINVAL, f, "item %zu must be a whole number from %d to %d",
                           i + 1, info->item_min, info->item_max);
        }
        items[i] = json_integer_value(x);
    }
    *n = json_array_size(v);
    return LW_OK;
}

void api_measures_create(api_request *req, api_response *res) {
    static const char *const fields[] = {"case_id", "instrument", "timepoint",
                                         "date",    "items",      NULL};
    lw_error err;
    lw_case c;
    char today[11];
    jr_today(req, today);
    int64_t case_id = 0, id = 0, items[LW_MEASURE_ITEMS_MAX];
    size_t n = 0;
    const char *instrument = NULL, *timepoint = NULL, *date = NULL;
    lw_instrument instr = LW_INSTR_ONS4;
    lw_timepoint tp = LW_TP_BASELINE;
    lw_scores scores;
    lw_status st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jin_id(req->json, "case_id", 1, &case_id, &err);
    if (st == LW_OK)
        st = jr_case_get(req, case_id, "measure.create", NULL, &c, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "instrument", "instrument", 1, 20, &instrument, &err);
    if (st == LW_OK)
        st = instrument_parse(instrument, "instrument", &instr, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "timepoint", "timepoint", 1, 20, &timepoint, &err);
    if (st == LW_OK)
        st = timepoint_parse(timepoint, "timepoint", &tp, &err);
    if (st == LW_OK)
        st = jr_date(req->json, "date", "date", 1, today, &date, &err);
    if (st == LW_OK)
        st = parse_items(json_object_get(req->json, "items"), instr, items, &n, &err);
    if (st == LW_OK)
        st = measure_score(instr, items, n, "items", &scores, &err);
    lw_measure m = {0};
    if (st == LW_OK) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, json_integer(items[i]));
        char *text = json_dumps(a, JSON_COMPACT);
        json_decref(a);
        m = (lw_measure){.case_id = c.id,
                         .person_id = c.person_id,
                         .instrument = instrument_name(instr),
                         .timepoint = timepoint_name(tp),
                         .date = date,
                         .items = arena_strdup(req->arena, text ? text : "[]"),
                         .scores = scores_stored(&scores, req->arena),
                         .recorded_by = req->who.user_id,
                         .created_at = jr_now(req)};
        free(text);
        st = store_begin(req->db, &err);
    }
    if (st == LW_OK)
        st = store_measure_insert(req->db, &m, &id, &err);
    if (st == LW_OK)
        st = api_audit(req, "measure.create", "measure", id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    m.id = id;
    api_json(res, 201, measure_json(&m, items, n, &scores));
}

static const char *verdict_name(const lw_score_change *c) {
    if (c->threshold == 0)
        return "not_judged";
    return c->verdict > 0 ? "improved" : c->verdict < 0 ? "deteriorated" : "no_meaningful_change";
}

static json_t *change_json(const lw_measure *first, const lw_measure *last,
                           const lw_measure_change *mc) {
    json_t *scores = json_object();
    for (int i = 0; i < mc->count; i++) {
        const lw_score_change *c = &mc->c[i];
        json_t *j;
        if (c->kind == LW_SCORE_CATEGORY)
            j = json_pack("{s:s, s:s, s:I}", "before", c->before_label, "after", c->after_label,
                          "change", (json_int_t)c->delta);
        else
            j = json_pack("{s:o, s:o, s:o}", "before", value_json(c->before, c->decimals), "after",
                          value_json(c->after, c->decimals), "change",
                          value_json(c->delta, c->decimals));
        if (c->kind == LW_SCORE_BANDED) {
            json_object_set_new(j, "before_band", json_string(c->before_label));
            json_object_set_new(j, "after_band", json_string(c->after_label));
        }
        json_object_set_new(j, "verdict", json_string(verdict_name(c)));
        json_object_set_new(scores, c->name, j);
    }
    json_t *j = json_pack("{s:s, s:{s:I, s:s, s:s}, s:{s:I, s:s, s:s}, s:o, s:b}", "instrument",
                          first->instrument, "from", "id", (json_int_t)first->id, "timepoint",
                          first->timepoint, "date", first->date, "to", "id", (json_int_t)last->id,
                          "timepoint", last->timepoint, "date", last->date, "scores", scores,
                          "improved", mc->improved);
    if (mc->instrument == LW_INSTR_MHCSF) {
        json_object_set_new(j, "flourishing_before", json_boolean(mc->flourishing_before));
        json_object_set_new(j, "flourishing_after", json_boolean(mc->flourishing_after));
    }
    return j;
}

void api_measures_list(api_request *req, api_response *res) {
    lw_error err;
    int64_t id = 0;
    lw_case c;
    lw_measure *list = NULL;
    int n = 0;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = jr_case_get(req, id, "measure.list", NULL, &c, &err);
    if (st == LW_OK)
        st = store_measure_list(req->db, req->arena, id, &list, &n, &err);
    json_t *measures = json_array(), *changes = json_array();
    lw_scores *scores = arena_alloc(req->arena, sizeof *scores * (size_t)(n + 1));
    /* The list comes by instrument, then date: each instrument's run is contiguous. */
    for (int i = 0; st == LW_OK && i < n; i++) {
        int64_t items[LW_MEASURE_ITEMS_MAX];
        size_t ni = 0;
        st = measure_rescore(&list[i], items, &ni, &scores[i], &err);
        if (st != LW_OK)
            break;
        json_array_append_new(measures, measure_json(&list[i], items, ni, &scores[i]));
        int first = i;
        while (first > 0 && strcmp(list[first - 1].instrument, list[i].instrument) == 0)
            first--;
        int last_of_run = i + 1 == n || strcmp(list[i + 1].instrument, list[i].instrument) != 0;
        if (last_of_run && first < i) {
            lw_measure_change mc;
            st = measure_change(&scores[first], &scores[i], &mc, &err);
            if (st == LW_OK)
                json_array_append_new(changes, change_json(&list[first], &list[i], &mc));
        }
    }
    if (st == LW_OK)
        st = jr_audit_read(req, "measure.list", "case", id, "person.read", "person", c.person_id,
                           &err);
    if (st != LW_OK) {
        json_decref(measures);
        json_decref(changes);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200,
             json_pack("{s:I, s:o, s:o}", "case_id", (json_int_t)id, "measures", measures,
                       "changes", changes));
}
