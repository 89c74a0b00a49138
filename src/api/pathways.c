/*
 * Pathways (issue 7): the templates (GET /api/v1/pathways for anyone signed
 * in; PUT /api/v1/pathways/{name} for admins, checked by domain/pathways.h and
 * stored as data: a stored row overrides the built-in of the same name), a
 * case's pathway started when its referral is accepted (api_pathway_start,
 * called by api/referrals.c in the acceptance's transaction), its milestones
 * (GET /api/v1/cases/{id}/milestones) and their changes (POST
 * /api/v1/cases/{id}/milestones/{milestone_id}: complete, move with a reason,
 * skip with a reason; completing the discharge review records its outcome),
 * and the overdue milestones of a service or a worker (GET
 * /api/v1/milestones/overdue). Only the link and peer workers of the case's
 * service (and admins) see a case's milestones: another organisation's case
 * is 404. Every read and write of a case's milestones is audited.
 */
#include "api/pathways.h"

#include <stdlib.h>
#include <string.h>

#include "api/journey.h"

/* ---- templates ---- */

/* Fills OUT from the stored JSON of a template row (written by this file, so
 * trusted; anything malformed is left out and the domain check catches it). */
static void template_from_row(const lw_pathway_row *r, lw_arena *a, api_pathway *out) {
    memset(out, 0, sizeof *out);
    out->def.key = r->name;
    out->def.title = r->title;
    out->def.milestones = out->ms;
    json_t *list = json_loads(r->milestones ? r->milestones : "[]", 0, NULL);
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m) {
        if (i >= LW_PATHWAY_MILESTONES_MAX)
            break;
        lw_milestone_def *d = &out->ms[out->def.n++];
        const char *key = json_string_value(json_object_get(m, "key"));
        const char *title = json_string_value(json_object_get(m, "title"));
        d->key = arena_strdup(a, key ? key : "");
        d->title = arena_strdup(a, title ? title : "");
        d->due_days = (int)json_integer_value(json_object_get(m, "due_days"));
        d->max_contacts = (int)json_integer_value(json_object_get(m, "max_contacts"));
        d->flags = json_is_true(json_object_get(m, "needs_outcome")) ? LW_MS_NEEDS_OUTCOME : 0u;
    }
    json_decref(list);
}

static void template_from_builtin(const lw_pathway_def *b, api_pathway *out) {
    memset(out, 0, sizeof *out);
    out->def = *b;
    for (int i = 0; i < b->n && i < LW_PATHWAY_MILESTONES_MAX; i++)
        out->ms[i] = b->milestones[i];
    out->def.milestones = out->ms;
}

static json_t *milestone_defs_json(const lw_pathway_def *d) {
    json_t *a = json_array();
    for (int i = 0; i < d->n; i++) {
        const lw_milestone_def *m = &d->milestones[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:i, s:b}", "key", m->key, "title",
                                           m->title, "due_days", m->due_days, "max_contacts",
                                           m->max_contacts, "needs_outcome",
                                           (m->flags & LW_MS_NEEDS_OUTCOME) != 0));
    }
    return a;
}

static json_t *template_json(const lw_pathway_def *d, int builtin, int edited) {
    return json_pack("{s:s, s:s, s:b, s:b, s:o}", "name", d->key, "title", d->title, "builtin",
                     builtin, "edited", edited, "milestones", milestone_defs_json(d));
}

/* The template NAME: LW_ENOTFOUND when there is neither a row nor a built-in. */
static lw_status template_load(api_request *req, const char *name, api_pathway *out, int *edited,
                               lw_error *err) {
    lw_pathway_row row;
    lw_status st = store_pathway_row_get(req->db, req->arena, name, &row, err);
    if (st == LW_OK) {
        template_from_row(&row, req->arena, out);
        *edited = 1;
        return LW_OK;
    }
    if (st != LW_ENOTFOUND)
        return st;
    *edited = 0;
    const lw_pathway_def *b = pathway_builtin(name);
    if (!b)
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such pathway");
    template_from_builtin(b, out);
    return LW_OK;
}

void api_pathways_list(api_request *req, api_response *res) {
    lw_error err;
    lw_pathway_row *rows = NULL;
    int n = 0;
    lw_status st = store_pathway_rows(req->db, req->arena, &rows, &n, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    json_t *list = json_array();
    api_pathway p;
    /* The built-ins first (as edited, if they were), then the others by name. */
    for (size_t i = 0; i < LW_PATHWAY_BUILTINS; i++) {
        const lw_pathway_def *b = pathway_builtin_at(i);
        int edited = 0;
        for (int k = 0; k < n && !edited; k++)
            if (strcmp(rows[k].name, b->key) == 0) {
                template_from_row(&rows[k], req->arena, &p);
                edited = 1;
            }
        if (!edited)
            template_from_builtin(b, &p);
        json_array_append_new(list, template_json(&p.def, 1, edited));
    }
    for (int k = 0; k < n; k++) {
        if (pathway_builtin(rows[k].name))
            continue;
        template_from_row(&rows[k], req->arena, &p);
        json_array_append_new(list, template_json(&p.def, 0, 1));
    }
    api_json(res, 200, json_pack("{s:o}", "pathways", list));
}

/* The milestones of a PUT body, named "milestones[i].field" in errors. */
static lw_status parse_milestones(const json_t *v, api_pathway *out, lw_error *err) {
    static const char *const fields[] = {"key",          "title",         "due_days",
                                         "max_contacts", "needs_outcome", NULL};
    if (!json_is_array(v))
        return lw_fail(err, LW_EINVAL, "milestones", "must be a list of milestones");
    if (json_array_size(v) < 1 || json_array_size(v) > LW_PATHWAY_MILESTONES_MAX)
        return lw_fail(err, LW_EINVAL, "milestones", "must have 1 to %d milestones",
                       LW_PATHWAY_MILESTONES_MAX);
    size_t i;
    json_t *m;
    lw_status st = LW_OK;
    json_array_foreach(v, i, m) {
        char path[48], f[64];
        snprintf(path, sizeof path, "milestones[%zu]", i);
        lw_milestone_def *d = &out->ms[i];
        int64_t days = 0, cap = 0;
        int present = 0, outcome = -1;
        st = jr_object(m, path, fields, err);
        if (st == LW_OK) {
            snprintf(f, sizeof f, "%s.key", path);
            st = jr_string(m, "key", f, 1, LW_PATHWAY_KEY_MAX, &d->key, err);
        }
        if (st == LW_OK) {
            snprintf(f, sizeof f, "%s.title", path);
            st = jr_string(m, "title", f, 1, LW_PATHWAY_TITLE_MAX, &d->title, err);
        }
        if (st == LW_OK) {
            snprintf(f, sizeof f, "%s.due_days", path);
            st = jr_int(m, "due_days", f, 1, -1000000, 1000000, &days, &present, err);
        }
        if (st == LW_OK) {
            snprintf(f, sizeof f, "%s.max_contacts", path);
            st = jr_int(m, "max_contacts", f, 0, -1000000, 1000000, &cap, &present, err);
        }
        if (st == LW_OK) {
            snprintf(f, sizeof f, "%s.needs_outcome", path);
            st = jin_bool(m, "needs_outcome", 0, &outcome, err);
            if (st != LW_OK)
                snprintf(err->field, sizeof err->field, "%s", f);
        }
        if (st != LW_OK)
            return st;
        d->due_days = (int)days;
        d->max_contacts = (int)cap;
        d->flags = outcome == 1 ? LW_MS_NEEDS_OUTCOME : 0u;
        out->def.n = (int)i + 1;
    }
    return LW_OK;
}

void api_pathways_put(api_request *req, api_response *res) {
    static const char *const fields[] = {"title", "milestones", NULL};
    lw_error err;
    api_pathway p;
    memset(&p, 0, sizeof p);
    p.def.key = req->params[0];
    p.def.milestones = p.ms;
    lw_status st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "title", "title", 1, LW_PATHWAY_TITLE_MAX, &p.def.title, &err);
    if (st == LW_OK)
        st = parse_milestones(json_object_get(req->json, "milestones"), &p, &err);
    if (st == LW_OK) {
        st = pathway_def_check(&p.def, &err);
        if (st != LW_OK && strcmp(err.field, "key") == 0)
            lw_ignore(lw_fail(&err, LW_EINVAL, "name",
                              "the pathway's name must be 1 to %d lower-case letters, digits "
                              "and '-', starting with a letter",
                              LW_PATHWAY_KEY_MAX));
    }
    int builtin = pathway_builtin(p.def.key) != NULL;
    if (st == LW_OK) {
        json_t *ms = milestone_defs_json(&p.def);
        char *text = json_dumps(ms, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(ms);
        lw_pathway_row row = {.name = p.def.key,
                              .title = p.def.title,
                              .milestones = arena_strdup(req->arena, text ? text : "[]"),
                              .builtin = builtin,
                              .updated_at = jr_now(req),
                              .updated_by = req->who.user_id};
        free(text);
        st = store_begin(req->db, &err);
        if (st == LW_OK)
            st = store_pathway_put(req->db, &row, &err);
        if (st == LW_OK)
            st = api_audit(req, "pathway.update", "pathway", 0, "ok", &err);
        if (st == LW_OK)
            st = store_commit(req->db, &err);
    }
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, template_json(&p.def, builtin, 1));
}

/* ---- a case's pathway ---- */

lw_status api_pathway_choose(api_request *req, const char *name, int64_t from_org_id,
                             api_pathway *out, lw_error *err) {
    if (!name) {
        name = "primary-care";
        lw_org o;
        if (from_org_id && store_org_get(req->db, req->arena, from_org_id, &o, err) == LW_OK &&
            (strcmp(o.kind, "cmht") == 0 || strcmp(o.kind, "inpatient_ward") == 0))
            name = "secondary-mental-health";
    }
    int edited = 0;
    lw_status st = template_load(req, name, out, &edited, err);
    if (st == LW_ENOTFOUND)
        return lw_fail(err, LW_EINVAL, "pathway",
                       "'%.40s' is not a pathway; GET /api/v1/pathways "
                       "lists them",
                       name);
    return st;
}

lw_status api_pathway_start(api_request *req, int64_t case_id, const api_pathway *p, int64_t now,
                            lw_error *err) {
    lw_milestone ms[LW_PATHWAY_MILESTONES_MAX];
    int n = pathway_milestones(&p->def, now, ms);
    lw_status st = store_case_pathway_insert(req->db, case_id, p->def.key, now, err);
    for (int i = 0; st == LW_OK && i < n; i++) {
        lw_case_milestone m = {.case_id = case_id,
                               .pos = i,
                               .key = ms[i].key,
                               .title = ms[i].title,
                               .max_contacts = ms[i].max_contacts,
                               .needs_outcome = (ms[i].flags & LW_MS_NEEDS_OUTCOME) != 0,
                               .due_at = ms[i].due_ms,
                               .original_due_at = ms[i].planned_ms,
                               .status = "open",
                               .updated_by = req->who.user_id,
                               .updated_at = now};
        st = store_milestone_insert(req->db, &m, NULL, err);
    }
    if (st == LW_OK)
        st = api_audit(req, "case.pathway", "case", case_id, "ok", err);
    return st;
}

/* ---- milestones ---- */

static const char *const status_names[LW_MS_STATE_COUNT] = {"open", "done", "skipped"};

static lw_milestone_state state_of(const char *status) {
    for (int i = 0; i < LW_MS_STATE_COUNT; i++)
        if (status && strcmp(status, status_names[i]) == 0)
            return (lw_milestone_state)i;
    return LW_MS_PENDING;
}

/* The domain's view of a stored milestone of a pathway started at STARTED_AT. */
static lw_milestone domain_milestone(const lw_case_milestone *r, int64_t started_at) {
    lw_milestone m = {0};
    m.key = r->key;
    m.title = r->title;
    m.max_contacts = r->max_contacts;
    m.flags = r->needs_outcome ? LW_MS_NEEDS_OUTCOME : 0u;
    m.start_ms = pathway_day(started_at);
    m.planned_ms = r->original_due_at;
    m.due_ms = r->due_at;
    m.state = state_of(r->status);
    m.closed_ms = r->done_at;
    m.reason = r->reason;
    m.outcome = -1;
    return m;
}

static json_t *day_json(int64_t ms) {
    if (!ms)
        return json_null();
    char d[11];
    date_of_ms(ms, d);
    return json_string(d);
}

static json_t *move_json(const lw_milestone_move *v) {
    return json_pack("{s:o, s:o, s:s, s:{s:I, s:s}, s:o}", "from", day_json(v->from_at), "to",
                     day_json(v->to_at), "reason", v->reason, "by", "id", (json_int_t)v->by_user_id,
                     "name", v->by_name ? v->by_name : "", "at", api_time_json(v->at));
}

static json_t *milestone_json(const lw_case_milestone *r, int64_t started_at, int64_t now,
                              const lw_milestone_move *moves, int nmoves) {
    lw_milestone m = domain_milestone(r, started_at);
    json_t *mv = json_array();
    for (int i = 0; i < nmoves; i++)
        if (moves[i].milestone_id == r->id)
            json_array_append_new(mv, move_json(&moves[i]));
    json_t *j = json_pack(
        "{s:I, s:s, s:s, s:o, s:o, s:s, s:b, s:i, s:o, s:o, s:o, s:b, s:o}", "id",
        (json_int_t)r->id, "key", r->key, "title", r->title, "due_on", day_json(r->due_at),
        "original_due_on", day_json(r->original_due_at), "status", r->status, "overdue",
        milestone_overdue(&m, now), "days_overdue", milestone_days_overdue(&m, now), "done_on",
        day_json(r->done_at), "reason", jr_str_or_null(r->reason), "outcome",
        jr_str_or_null(r->outcome), "needs_outcome", r->needs_outcome != 0, "moves", mv);
    json_object_set_new(j, "max_contacts",
                        r->max_contacts ? json_integer(r->max_contacts) : json_null());
    return j;
}

/* GET /cases/{id}/milestones's answer for case C. */
static lw_status milestones_record(api_request *req, const lw_case *c, json_t **out,
                                   lw_error *err) {
    lw_case_pathway cp;
    lw_status st = store_case_pathway_get(req->db, req->arena, c->id, &cp, err);
    if (st == LW_ENOTFOUND) {
        *out = json_pack("{s:I, s:n, s:n, s:n, s:n, s:n, s:[], s:n}", "case_id", (json_int_t)c->id,
                         "pathway", "title", "started_at", "ended_at", "outcome", "milestones",
                         "next_milestone");
        return LW_OK;
    }
    lw_case_milestone *ms = NULL;
    lw_milestone_move *moves = NULL;
    int n = 0, nmoves = 0;
    if (st == LW_OK)
        st = store_milestone_list(req->db, req->arena, c->id, &ms, &n, err);
    if (st == LW_OK)
        st = store_milestone_moves(req->db, req->arena, c->id, &moves, &nmoves, err);
    if (st != LW_OK)
        return st;
    int64_t now = jr_now(req);
    api_pathway p;
    int edited = 0;
    lw_error ignored;
    const char *title = cp.pathway;
    if (template_load(req, cp.pathway, &p, &edited, &ignored) == LW_OK)
        title = p.def.title;
    json_t *list = json_array();
    lw_milestone dm[LW_PATHWAY_MILESTONES_MAX];
    int k = 0;
    int64_t next_id = 0;
    for (int i = 0; i < n; i++) {
        json_array_append_new(list, milestone_json(&ms[i], cp.started_at, now, moves, nmoves));
        if (k < LW_PATHWAY_MILESTONES_MAX)
            dm[k++] = domain_milestone(&ms[i], cp.started_at);
    }
    int next = pathway_next(dm, (size_t)k);
    if (next >= 0)
        next_id = ms[next].id;
    *out =
        json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:i}", "case_id", (json_int_t)c->id,
                  "pathway", cp.pathway, "title", title, "started_at", api_time_json(cp.started_at),
                  "ended_at", api_time_json(cp.ended_at), "outcome", jr_str_or_null(cp.outcome),
                  "milestones", list, "next_milestone", jr_id_or_null(next_id), "overdue",
                  (int)pathway_overdue(dm, (size_t)k, now, NULL));
    return LW_OK;
}

void api_milestones_list(api_request *req, api_response *res) {
    lw_error err;
    int64_t id = 0;
    lw_case c;
    json_t *out = NULL;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = jr_case_get(req, id, "milestone.list", NULL, &c, &err);
    if (st == LW_OK)
        st = milestones_record(req, &c, &out, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "milestone.list", "case", id, "person.read", "person", c.person_id,
                           &err);
    if (st != LW_OK) {
        json_decref(out);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, out);
}

/* The domain names the moved date "due" and the completion date "date". */
static void rename_field(lw_error *err) {
    if (strcmp(err->field, "due") == 0)
        snprintf(err->field, sizeof err->field, "due_on");
    else if (strcmp(err->field, "date") == 0)
        snprintf(err->field, sizeof err->field, "done_on");
}

/* FIELD must be absent for ACTION. */
static lw_status not_for(const api_request *req, const char *field, const char *action,
                         const char *only, lw_error *err) {
    if (json_object_get(req->json, field) && !json_is_null(json_object_get(req->json, field)))
        return lw_fail(err, LW_EINVAL, field, "is not for '%s': it is only for %s", action, only);
    return LW_OK;
}

void api_milestones_update(api_request *req, api_response *res) {
    static const char *const fields[] = {"action", "due_on", "reason", "outcome", "done_on", NULL};
    lw_error err;
    int64_t id = 0, mid = 0, now = jr_now(req);
    lw_case c;
    lw_case_pathway cp = {0};
    lw_case_milestone row = {0};
    const char *action = NULL, *due_on = NULL, *reason = NULL, *outcome = NULL, *done_on = NULL;
    char today[11];
    jr_today(req, today);
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = api_param_id(req, 1, &mid, &err);
    if (st == LW_OK)
        st = jr_case_get(req, id, "milestone.update", NULL, &c, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "action", "action", 1, 20, &action, &err);
    int act = -1; /* 0 complete, 1 move, 2 skip */
    if (st == LW_OK) {
        act = strcmp(action, "complete") == 0 ? 0
              : strcmp(action, "move") == 0   ? 1
              : strcmp(action, "skip") == 0   ? 2
                                              : -1;
        if (act < 0)
            st = lw_fail(&err, LW_EINVAL, "action", "must be complete, move or skip");
    }
    if (st == LW_OK)
        st = jr_date(req->json, "due_on", "due_on", act == 1, NULL, &due_on, &err);
    if (st == LW_OK)
        st = jr_date(req->json, "done_on", "done_on", 0, today, &done_on, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "reason", "reason", 0, LW_REASON_MAX, &reason, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "outcome", "outcome", 0, 20, &outcome, &err);
    if (st == LW_OK && act != 1)
        st = not_for(req, "due_on", action, "moving", &err);
    if (st == LW_OK && act == 0)
        st = not_for(req, "reason", action, "moving or skipping", &err);
    if (st == LW_OK && act != 0)
        st = not_for(req, "outcome", action, "completing a discharge review", &err);
    if (st == LW_OK && act != 0)
        st = not_for(req, "done_on", action, "completing", &err);
    if (st == LW_OK && strcmp(c.status, "open") != 0)
        st = lw_fail(&err, LW_ECONFLICT, "status", "the case is closed; its pathway cannot change");
    if (st == LW_OK)
        st = store_case_pathway_get(req->db, req->arena, id, &cp, &err);
    if (st == LW_OK)
        st = store_milestone_get(req->db, req->arena, id, mid, &row, &err);
    lw_milestone m = {0};
    if (st == LW_OK)
        m = domain_milestone(&row, cp.started_at);
    int64_t was_due = row.due_at;
    if (st == LW_OK && act == 0) {
        int64_t at = now;
        if (done_on)
            st = time_parse_iso(done_on, "done_on", &at, &err);
        if (st == LW_OK)
            st = milestone_complete(&m, at, now, outcome, &err);
    } else if (st == LW_OK && act == 1) {
        int64_t to = 0;
        st = time_parse_iso(due_on, "due_on", &to, &err);
        if (st == LW_OK)
            st = milestone_move(&m, to, reason, &err);
    } else if (st == LW_OK && act == 2) {
        st = milestone_skip(&m, now, reason, &err);
    }
    if (st == LW_EINVAL)
        rename_field(&err);
    if (st == LW_OK) {
        row.due_at = m.due_ms;
        row.status = status_names[m.state];
        row.done_at = m.closed_ms;
        if (act == 2)
            row.reason = reason;
        if (act == 0 && m.outcome >= 0)
            row.outcome = discharge_outcome_name((lw_discharge_outcome)m.outcome);
        row.updated_by = req->who.user_id;
        row.updated_at = now;
        st = store_begin(req->db, &err);
    }
    if (st == LW_OK)
        st = store_milestone_update(req->db, &row, was_due, &err);
    if (st == LW_OK && act == 1) {
        lw_milestone_move mv = {.milestone_id = mid,
                                .case_id = id,
                                .from_at = was_due,
                                .to_at = row.due_at,
                                .reason = reason,
                                .by_user_id = req->who.user_id,
                                .at = now};
        st = store_milestone_move_insert(req->db, &mv, &err);
    }
    if (st == LW_OK && row.outcome && act == 0)
        st = store_case_pathway_end(req->db, id, row.outcome, req->who.user_id, now, &err);
    if (st == LW_OK)
        st = api_audit(req,
                       act == 0   ? "milestone.complete"
                       : act == 1 ? "milestone.move"
                                  : "milestone.skip",
                       "milestone", mid, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    lw_milestone_move *moves = NULL;
    int nmoves = 0;
    if (st == LW_OK)
        st = store_milestone_moves(req->db, req->arena, id, &moves, &nmoves, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    json_t *out = milestone_json(&row, cp.started_at, now, moves, nmoves);
    json_object_set_new(out, "case_id", json_integer(id));
    json_object_set_new(out, "pathway_outcome", jr_str_or_null(row.outcome));
    api_json(res, 200, out);
}

void api_milestones_overdue(api_request *req, api_response *res) {
    lw_error err;
    lw_page pg;
    int64_t now = jr_now(req), service = 0, worker = 0;
    lw_overdue_filter f = {.cutoff = milestone_overdue_cutoff(now)};
    lw_viewer v = jr_viewer(req);
    lw_status st = api_page(req, &pg, &err);
    if (st == LW_OK)
        st = api_query_id(req, "service_id", &service, &err);
    if (st == LW_OK)
        st = api_query_id(req, "worker_id", &worker, &err);
    f.org_id = v.role == LW_ROLE_ADMIN ? service : v.org_id;
    if (st == LW_OK && v.role != LW_ROLE_ADMIN && service && service != v.org_id) {
        jr_audit_denied(req, "milestone.overdue", "organisation", service);
        st = lw_fail(&err, LW_ENOTFOUND, "service_id", "no such service");
    }
    if (st == LW_OK && worker) {
        lw_user u;
        st = store_user_get(req->db, req->arena, worker, &u, &err);
        if (st == LW_OK && v.role != LW_ROLE_ADMIN && u.org_id != v.org_id) {
            jr_audit_denied(req, "milestone.overdue", "user", worker);
            st = LW_ENOTFOUND;
        }
        if (st == LW_ENOTFOUND)
            st = lw_fail(&err, LW_ENOTFOUND, "worker_id", "no such worker");
        f.worker_id = worker;
    }
    lw_case_milestone *list = NULL;
    int n = 0;
    int64_t total = 0;
    if (st == LW_OK)
        st = store_milestones_overdue(req->db, req->arena, &f, pg, &list, &n, &total, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "milestone.overdue", "case", 0, NULL, NULL, 0, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        lw_case_milestone *m = &list[i];
        /* The start only bounds moves; overdue needs the due day alone. */
        json_t *j = milestone_json(m, m->original_due_at, now, NULL, 0);
        json_object_del(j, "moves");
        json_object_set_new(j, "case_id", json_integer(m->case_id));
        json_object_set_new(j, "service_id", json_integer(m->org_id));
        json_object_set_new(j, "person",
                            json_pack("{s:I, s:s++}", "id", (json_int_t)m->person_id, "name",
                                      m->person_given_name ? m->person_given_name : "", " ",
                                      m->person_family_name ? m->person_family_name : ""));
        json_object_set_new(j, "worker",
                            m->worker_id ? json_pack("{s:I, s:s}", "id", (json_int_t)m->worker_id,
                                                     "name", m->worker_name ? m->worker_name : "")
                                         : json_null());
        json_array_append_new(a, j);
    }
    api_json(res, 200,
             json_pack("{s:o, s:I, s:i, s:i}", "milestones", a, "total", (json_int_t)total, "page",
                       pg.page, "per_page", pg.per_page));
}
