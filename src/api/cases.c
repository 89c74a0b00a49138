/*
 * Cases: the link worker's episode with a person, opened by accepting a
 * referral and closed by closing it. The caseload (open cases, last contact,
 * next action due, overdue first), the record with its contacts, what
 * matters, needs, support level, goals and co-produced action plan, and the
 * changes to them. Only the link and peer workers of the case's service (and
 * admins) see a case; every read and change is audited.
 */
#include <stdlib.h>
#include <string.h>

#include "api/journey.h"
#include "api/matching.h"
#include "api/pathways.h"
#include "domain/pathways.h"
#include "util/jsonw.h"

/* The case from the path, open, for a change (LW_ECONFLICT when closed). */
static lw_status open_case_for(api_request *req, const char *action, lw_case *c, lw_error *err) {
    int64_t id = 0;
    lw_status st = api_param_id(req, 0, &id, err);
    if (st == LW_OK)
        st = jr_case_get(req, id, action, NULL, c, err);
    if (st == LW_OK && strcmp(c->status, "open") != 0)
        st = lw_fail(err, LW_ECONFLICT, "status",
                     "the case is closed; reopen it with a new referral to change it");
    return st;
}

static json_t *case_summary(const lw_case *c, const char *today) {
    json_t *j = json_pack("{s:I, s:I, s:s, s:{s:I, s:s, s:s, s:s}, s:{s:I, s:s}, s:o}", "id",
                          (json_int_t)c->id, "referral_id", (json_int_t)c->referral_id, "status",
                          c->status, "person", "id", (json_int_t)c->person_id, "reference",
                          c->person_reference, "given_name", c->person_given_name, "family_name",
                          c->person_family_name, "assignee", "id", (json_int_t)c->assignee_id,
                          "name", c->assignee_name, "opened_at", api_time_json(c->opened_at));
    json_object_set_new(j, "support_level", jr_str_or_null(c->support_level));
    json_object_set_new(j, "last_contact_at", api_time_json(c->last_contact_at));
    json_object_set_new(j, "next_action_due", jr_str_or_null(c->next_action_due));
    json_object_set_new(j, "overdue",
                        json_boolean(strcmp(c->status, "open") == 0 && c->next_action_due &&
                                     strcmp(c->next_action_due, today) < 0));
    json_object_set_new(j, "closed_at", api_time_json(c->closed_at));
    return j;
}

/* A caseload row: case_summary()'s members and the pathway's part (issue 7:
 * overdue milestones make a case overdue, and the next open milestone), written
 * straight to text (util/jsonw.h) because a page of 50 built as json_t trees
 * cost more CPU than its queries. Keep it in step with case_summary(). */
static void case_row_jw(lw_jw *w, const lw_case *c, const char *today) {
    int open = strcmp(c->status, "open") == 0;
    jw_object(w);
    JW_KEY(w, "id");
    jw_int(w, c->id);
    JW_KEY(w, "referral_id");
    jw_int(w, c->referral_id);
    JW_KEY(w, "status");
    jw_string(w, c->status);
    JW_KEY(w, "person");
    jw_object(w);
    JW_KEY(w, "id");
    jw_int(w, c->person_id);
    JW_KEY(w, "reference");
    jw_string(w, c->person_reference);
    JW_KEY(w, "given_name");
    jw_string(w, c->person_given_name);
    JW_KEY(w, "family_name");
    jw_string(w, c->person_family_name);
    jw_object_end(w);
    JW_KEY(w, "assignee");
    jw_object(w);
    JW_KEY(w, "id");
    jw_int(w, c->assignee_id);
    JW_KEY(w, "name");
    jw_string(w, c->assignee_name);
    jw_object_end(w);
    JW_KEY(w, "opened_at");
    jw_time(w, c->opened_at);
    JW_KEY(w, "support_level");
    jw_string(w, c->support_level);
    JW_KEY(w, "last_contact_at");
    jw_time(w, c->last_contact_at);
    JW_KEY(w, "next_action_due");
    jw_string(w, c->next_action_due);
    JW_KEY(w, "overdue");
    jw_bool(w, (open && c->next_action_due && strcmp(c->next_action_due, today) < 0) ||
                   (open && c->overdue_milestones > 0));
    JW_KEY(w, "closed_at");
    jw_time(w, c->closed_at);
    JW_KEY(w, "overdue_milestones");
    jw_int(w, c->overdue_milestones);
    JW_KEY(w, "next_milestone");
    if (c->next_milestone_id) {
        jw_object(w);
        JW_KEY(w, "id");
        jw_int(w, c->next_milestone_id);
        JW_KEY(w, "title");
        jw_string(w, c->next_milestone_title ? c->next_milestone_title : "");
        JW_KEY(w, "due_on");
        jw_date(w, c->next_milestone_due);
        jw_object_end(w);
    } else {
        jw_null(w);
    }
    jw_object_end(w);
}

static json_t *contact_json(const lw_contact *c) {
    json_t *j = json_pack("{s:I, s:o, s:s, s:I, s:I}", "id", (json_int_t)c->id, "at",
                          api_time_json(c->at), "mode", c->mode, "minutes", (json_int_t)c->minutes,
                          "by_user_id", (json_int_t)c->by_user_id);
    json_object_set_new(j, "note", jr_str_or_null(c->note));
    return j;
}

static json_t *goal_json(const lw_goal *g) {
    json_t *j = json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)g->id, "text", g->text,
                          "status", g->status, "updated_at", api_time_json(g->updated_at));
    json_object_set_new(j, "domain", jr_str_or_null(g->domain));
    json_object_set_new(j, "target_date", jr_str_or_null(g->target_date));
    return j;
}

static json_t *action_json(const lw_action *x) {
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)x->id, "who", x->who,
                          "what", x->what, "due", x->due, "done", x->done);
    json_object_set_new(j, "goal_id", jr_id_or_null(x->goal_id));
    json_object_set_new(j, "done_at", api_time_json(x->done_at));
    return j;
}

/* The whole case. */
static lw_status case_record(api_request *req, const lw_case *c, json_t **out, lw_error *err) {
    char today[11];
    jr_today(req, today);
    lw_person p;
    lw_contact *contacts = NULL;
    lw_need *needs = NULL;
    lw_goal *goals = NULL;
    lw_action *actions = NULL;
    lw_rx *rx = NULL;
    int nc = 0, nn = 0, ng = 0, na = 0, nr = 0;
    int64_t total = 0;
    lw_rx_filter rf = {.case_id = c->id};
    lw_page all = {1, LW_PER_PAGE_MAX};
    lw_status st = store_person_get(req->db, req->arena, c->person_id, &p, err);
    if (st == LW_OK)
        st = store_contact_list(req->db, req->arena, c->id, &contacts, &nc, err);
    if (st == LW_OK)
        st = store_case_needs(req->db, req->arena, c->id, &needs, &nn, err);
    if (st == LW_OK)
        st = store_goal_list(req->db, req->arena, c->id, &goals, &ng, err);
    if (st == LW_OK)
        st = store_action_list(req->db, req->arena, c->id, &actions, &na, err);
    if (st == LW_OK)
        st = store_rx_list(req->db, req->arena, &rf, all, &rx, &nr, &total, err);
    if (st != LW_OK)
        return st;
    json_t *j = case_summary(c, today);
    json_object_set_new(j, "person", jr_person_json(&p, LW_SEE_FULL));
    json_object_set_new(j, "organisation_id", json_integer(c->org_id));
    json_object_set_new(j, "what_matters", jr_str_or_null(c->what_matters));
    json_object_set_new(j, "outcome", jr_str_or_null(c->outcome));
    json_object_set_new(j, "outcome_note", jr_str_or_null(c->outcome_note));
    json_t *a = json_array();
    for (int i = 0; i < nc; i++)
        json_array_append_new(a, contact_json(&contacts[i]));
    json_object_set_new(j, "contacts", a);
    a = json_array();
    for (int i = 0; i < nn; i++)
        json_array_append_new(a, json_pack("{s:s, s:I}", "domain", needs[i].domain, "importance",
                                           (json_int_t)needs[i].importance));
    json_object_set_new(j, "needs", a);
    a = json_array();
    for (int i = 0; i < ng; i++)
        json_array_append_new(a, goal_json(&goals[i]));
    json_object_set_new(j, "goals", a);
    a = json_array();
    for (int i = 0; i < na; i++)
        json_array_append_new(a, action_json(&actions[i]));
    json_object_set_new(j, "actions", a);
    a = json_array();
    for (int i = 0; i < nr; i++)
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)rx[i].id,
                                           "service_id", rx[i].service_id, "kind", rx[i].kind,
                                           "status", rx[i].status));
    json_object_set_new(j, "prescriptions", a);
    *out = j;
    return LW_OK;
}

void api_cases_list(api_request *req, api_response *res) {
    lw_error err;
    lw_page pg;
    char today[11];
    jr_today(req, today);
    lw_caseload_filter f = {.today = today,
                            .status = "open",
                            .milestone_cutoff = milestone_overdue_cutoff(jr_now(req))};
    lw_viewer v = jr_viewer(req);
    lw_status st = api_page(req, &pg, &err);
    if (v.role != LW_ROLE_ADMIN)
        f.org_id = v.org_id;
    else if (st == LW_OK)
        st = api_query_id(req, "organisation_id", &f.org_id, &err);
    const char *assignee = api_query(req, "assignee");
    if (st == LW_OK && assignee) {
        if (strcmp(assignee, "me") == 0)
            f.assignee_id = v.user_id;
        else
            st = api_query_id(req, "assignee", &f.assignee_id, &err);
    }
    const char *status = api_query(req, "status");
    if (st == LW_OK && status) {
        if (strcmp(status, "all") == 0)
            f.status = NULL;
        else if (strcmp(status, "open") == 0 || strcmp(status, "closed") == 0)
            f.status = status;
        else
            st = lw_fail(&err, LW_EINVAL, "status", "must be open, closed or all");
    }
    lw_case *list = NULL;
    int n = 0;
    int64_t total = 0;
    if (st == LW_OK)
        st = store_caseload(req->db, req->arena, &f, pg, &list, &n, &total, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "case.list", "case", 0, NULL, NULL, 0, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    /* As api_paged() lays a page out. */
    lw_jw w;
    jw_init(&w, req->arena, 512 + 512 * (size_t)n);
    jw_object(&w);
    JW_KEY(&w, "contents");
    jw_array(&w);
    for (int i = 0; i < n; i++)
        case_row_jw(&w, &list[i], today);
    jw_array_end(&w);
    JW_KEY(&w, "total");
    jw_int(&w, total);
    JW_KEY(&w, "page");
    jw_int(&w, pg.page);
    JW_KEY(&w, "per_page");
    jw_int(&w, pg.per_page);
    jw_object_end(&w);
    res->status = 200;
    res->content_type = "application/json";
    res->body = jw_text(&w, &res->body_len);
}

void api_cases_get(api_request *req, api_response *res) {
    lw_error err;
    int64_t id = 0;
    lw_case c;
    json_t *out = NULL;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = jr_case_get(req, id, "case.read", NULL, &c, &err);
    if (st == LW_OK)
        st = case_record(req, &c, &out, &err);
    if (st == LW_OK)
        st =
            jr_audit_read(req, "case.read", "case", id, "person.read", "person", c.person_id, &err);
    if (st != LW_OK) {
        json_decref(out);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, out);
}

/* needs: [{"domain", "importance" 0..10}], each domain once. */
static lw_status parse_needs(api_request *req, const json_t *v, lw_need **out, int *n,
                             lw_error *err) {
    static const char *const fields[] = {"domain", "importance", NULL};
    if (!json_is_array(v))
        return lw_fail(err, LW_EINVAL, "needs", "must be a list of {\"domain\", \"importance\"}");
    if (json_array_size(v) > LW_NEED_COUNT)
        return lw_fail(err, LW_EINVAL, "needs", "lists more than %d needs", LW_NEED_COUNT);
    *out = arena_alloc(req->arena, sizeof **out * (json_array_size(v) + 1));
    int seen[LW_NEED_COUNT] = {0};
    size_t i;
    json_t *item;
    lw_status st = LW_OK;
    json_array_foreach(v, i, item) {
        char path[32], f[48];
        snprintf(path, sizeof path, "needs[%zu]", i);
        const char *domain = NULL;
        int64_t importance = 0;
        st = jr_object(item, path, fields, err);
        snprintf(f, sizeof f, "%s.domain", path);
        if (st == LW_OK)
            st = jr_string(item, "domain", f, 1, 40, &domain, err);
        int d = domain ? need_parse(domain) : -1;
        if (st == LW_OK && d < 0)
            st = lw_fail(err, LW_EINVAL, f, "is not a need domain (one of %s)", need_names_list());
        if (st == LW_OK && seen[d]++)
            st = lw_fail(err, LW_EINVAL, f, "'%s' is listed twice", domain);
        snprintf(f, sizeof f, "%s.importance", path);
        if (st == LW_OK)
            st = jr_int(item, "importance", f, 1, 0, 10, &importance, NULL, err);
        if (st != LW_OK)
            return st;
        (*out)[i].domain = need_name(d);
        (*out)[i].importance = importance;
    }
    *n = (int)json_array_size(v);
    return st;
}

void api_cases_update(api_request *req, api_response *res) {
    static const char *const fields[] = {"support_level", "what_matters", "needs", "assignee_id",
                                         NULL};
    lw_error err;
    lw_case c;
    const char *level = NULL, *matters = NULL;
    int64_t assignee = 0;
    lw_need *needs = NULL;
    int nneeds = -1;
    lw_status st = open_case_for(req, "case.update", &c, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "support_level", "support_level", 0, 20, &level, &err);
    if (st == LW_OK && level && support_level_parse(level) < 0)
        st = lw_fail(&err, LW_EINVAL, "support_level", "must be one of %s",
                     support_level_names_list());
    if (st == LW_OK)
        st = jr_string(req->json, "what_matters", "what_matters", 0, LW_NOTE_MAX, &matters, &err);
    json_t *jn = st == LW_OK ? json_object_get(req->json, "needs") : NULL;
    if (jn && !json_is_null(jn))
        st = parse_needs(req, jn, &needs, &nneeds, &err);
    if (st == LW_OK)
        st = jin_id(req->json, "assignee_id", 0, &assignee, &err);
    if (st == LW_OK && assignee) {
        /* Only to an active worker of the same service. */
        lw_worker_load *w = NULL;
        int n = 0, ok = 0;
        st = store_worker_loads(req->db, req->arena, c.org_id, &w, &n, &err);
        for (int i = 0; i < n; i++)
            ok |= w[i].user_id == assignee;
        if (st == LW_OK && !ok)
            st = lw_fail(&err, LW_EINVAL, "assignee_id",
                         "is not an active link or peer worker of this service");
    }
    if (st == LW_OK && !level && !matters && nneeds < 0 && !assignee)
        st = lw_fail(&err, LW_EINVAL, NULL,
                     "nothing to change: give support_level, what_matters, needs or assignee_id");
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_case_update(req->db, c.id, level, matters, assignee, jr_now(req), &err);
    if (st == LW_OK && nneeds >= 0)
        st = store_case_needs_set(req->db, c.id, needs, nneeds, &err);
    if (st == LW_OK)
        st = api_audit(req, "case.update", "case", c.id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    json_t *out = NULL;
    if (st == LW_OK)
        st = store_case_get(req->db, req->arena, c.id, &c, &err);
    if (st == LW_OK)
        st = case_record(req, &c, &out, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, out);
}

/* A contact's date: "YYYY-MM-DD" or a full ISO time, not in the future. */
static lw_status parse_when(api_request *req, const char *s, int64_t *out, lw_error *err) {
    char today[11];
    jr_today(req, today);
    lw_status st = time_parse_iso(s, "date", out, err);
    if (st == LW_OK &&
        (strlen(s) == 10 ? strcmp(s, today) > 0 : *out > jr_now(req) + 5 * 60 * 1000))
        st = lw_fail(err, LW_EINVAL, "date", "%s is in the future", s);
    return st;
}

void api_cases_contact_add(api_request *req, api_response *res) {
    static const char *const fields[] = {"date", "mode", "minutes", "note", NULL};
    lw_error err;
    lw_case c;
    const char *date = NULL, *mode = NULL, *note = NULL;
    int64_t minutes = 0, at = 0, id = 0, now = jr_now(req);
    lw_status st = open_case_for(req, "case.contact", &c, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "date", "date", 1, 40, &date, &err);
    if (st == LW_OK)
        st = parse_when(req, date, &at, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "mode", "mode", 1, 20, &mode, &err);
    if (st == LW_OK && contact_mode_parse(mode) < 0)
        st = lw_fail(&err, LW_EINVAL, "mode", "must be one of %s", contact_mode_names_list());
    if (st == LW_OK)
        st = jr_int(req->json, "minutes", "minutes", 1, 1, 600, &minutes, NULL, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "note", "note", 0, LW_NOTE_MAX, &note, &err);
    lw_referral r;
    if (st == LW_OK)
        st = store_referral_get(req->db, req->arena, c.referral_id, &r, &err);
    lw_contact ct = {.case_id = c.id,
                     .at = at,
                     .mode = mode,
                     .minutes = minutes,
                     .note = note,
                     .by_user_id = req->who.user_id,
                     .created_at = now};
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_contact_insert(req->db, &ct, &id, &err);
    /* The first contact puts an accepted referral in progress. */
    if (st == LW_OK && strcmp(r.status, "accepted") == 0) {
        st = store_referral_set_status(req->db, r.id, "accepted", "in_progress", NULL, NULL,
                                       req->who.user_id, now, &err);
        if (st == LW_OK)
            st = api_audit(req, "referral.status", "referral", r.id, "ok", &err);
    }
    if (st == LW_OK)
        st = api_audit(req, "case.contact", "case", c.id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    ct.id = id;
    api_json(res, 201, contact_json(&ct));
}

static lw_status parse_domain(const json_t *obj, const char **out, lw_error *err) {
    lw_status st = jr_string(obj, "domain", "domain", 0, 40, out, err);
    if (st == LW_OK && *out && need_parse(*out) < 0)
        st = lw_fail(err, LW_EINVAL, "domain", "is not a need domain (one of %s)",
                     need_names_list());
    return st;
}

static lw_status parse_goal_status(const json_t *obj, const char **out, lw_error *err) {
    lw_status st = jr_string(obj, "status", "status", 0, 20, out, err);
    if (st == LW_OK && *out && goal_status_parse(*out) < 0)
        st = lw_fail(err, LW_EINVAL, "status", "must be one of %s", goal_status_names_list());
    return st;
}

void api_cases_goal_add(api_request *req, api_response *res) {
    static const char *const fields[] = {"text", "domain", "target_date", "status", NULL};
    lw_error err;
    lw_case c;
    lw_goal g = {0};
    int64_t id = 0, now = jr_now(req);
    lw_status st = open_case_for(req, "case.goal", &c, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "text", "text", 1, LW_SHORT_TEXT_MAX, &g.text, &err);
    if (st == LW_OK)
        st = parse_domain(req->json, &g.domain, &err);
    if (st == LW_OK)
        st = jr_date(req->json, "target_date", "target_date", 0, NULL, &g.target_date, &err);
    if (st == LW_OK)
        st = parse_goal_status(req->json, &g.status, &err);
    if (st == LW_OK && !g.status)
        g.status = "active";
    g.case_id = c.id;
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_goal_insert(req->db, &g, now, &id, &err);
    if (st == LW_OK)
        st = api_audit(req, "case.goal", "case", c.id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    g.id = id;
    g.updated_at = now;
    api_json(res, 201, goal_json(&g));
}

/* The goal or action {id} of the case: the second path segment. */
static lw_status child_id(const api_request *req, int64_t *out, lw_error *err) {
    return api_param_id(req, 1, out, err);
}

void api_cases_goal_update(api_request *req, api_response *res) {
    static const char *const fields[] = {"text", "target_date", "status", NULL};
    lw_error err;
    lw_case c;
    int64_t gid = 0;
    const char *text = NULL, *target = NULL, *status = NULL;
    lw_status st = open_case_for(req, "case.goal", &c, &err);
    if (st == LW_OK)
        st = child_id(req, &gid, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "text", "text", 0, LW_SHORT_TEXT_MAX, &text, &err);
    if (st == LW_OK)
        st = jr_date(req->json, "target_date", "target_date", 0, NULL, &target, &err);
    if (st == LW_OK)
        st = parse_goal_status(req->json, &status, &err);
    if (st == LW_OK && !text && !target && !status)
        st = lw_fail(&err, LW_EINVAL, NULL, "nothing to change: give text, target_date or status");
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_goal_update(req->db, c.id, gid, text, status, target, jr_now(req), &err);
    if (st == LW_OK)
        st = api_audit(req, "case.goal", "case", c.id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    lw_goal *goals = NULL;
    int n = 0;
    if (st == LW_OK)
        st = store_goal_list(req->db, req->arena, c.id, &goals, &n, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    for (int i = 0; i < n; i++)
        if (goals[i].id == gid) {
            api_json(res, 200, goal_json(&goals[i]));
            return;
        }
    api_problem(res, 404, "Not Found", "this case has no such goal", NULL);
}

void api_cases_action_add(api_request *req, api_response *res) {
    static const char *const fields[] = {"who", "what", "due", "goal_id", NULL};
    lw_error err;
    lw_case c;
    lw_action x = {0};
    int64_t id = 0, now = jr_now(req);
    lw_status st = open_case_for(req, "case.action", &c, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "who", "who", 1, 200, &x.who, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "what", "what", 1, LW_SHORT_TEXT_MAX, &x.what, &err);
    if (st == LW_OK)
        st = jr_date(req->json, "due", "due", 1, NULL, &x.due, &err);
    if (st == LW_OK)
        st = jin_id(req->json, "goal_id", 0, &x.goal_id, &err);
    if (st == LW_OK && x.goal_id) {
        lw_goal *goals = NULL;
        int n = 0, ok = 0;
        st = store_goal_list(req->db, req->arena, c.id, &goals, &n, &err);
        for (int i = 0; i < n; i++)
            ok |= goals[i].id == x.goal_id;
        if (st == LW_OK && !ok)
            st = lw_fail(&err, LW_EINVAL, "goal_id", "is not a goal of this case");
    }
    x.case_id = c.id;
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_action_insert(req->db, &x, now, &id, &err);
    if (st == LW_OK)
        st = api_audit(req, "case.action", "case", c.id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    x.id = id;
    api_json(res, 201, action_json(&x));
}

void api_cases_action_update(api_request *req, api_response *res) {
    static const char *const fields[] = {"who", "what", "due", "done", NULL};
    lw_error err;
    lw_case c;
    int64_t xid = 0;
    const char *who = NULL, *what = NULL, *due = NULL;
    int done = -1;
    lw_status st = open_case_for(req, "case.action", &c, &err);
    if (st == LW_OK)
        st = child_id(req, &xid, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "who", "who", 0, 200, &who, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "what", "what", 0, LW_SHORT_TEXT_MAX, &what, &err);
    if (st == LW_OK)
        st = jr_date(req->json, "due", "due", 0, NULL, &due, &err);
    if (st == LW_OK)
        st = jin_bool(req->json, "done", 0, &done, &err);
    if (st == LW_OK && !who && !what && !due && done < 0)
        st = lw_fail(&err, LW_EINVAL, NULL, "nothing to change: give who, what, due or done");
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_action_update(req->db, c.id, xid, who, what, due, done, jr_now(req), &err);
    if (st == LW_OK)
        st = api_audit(req, "case.action", "case", c.id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    lw_action *xs = NULL;
    int n = 0;
    if (st == LW_OK)
        st = store_action_list(req->db, req->arena, c.id, &xs, &n, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    for (int i = 0; i < n; i++)
        if (xs[i].id == xid) {
            api_json(res, 200, action_json(&xs[i]));
            return;
        }
    api_problem(res, 404, "Not Found", "this case has no such action", NULL);
}

/* ---- the person's preferences (for matching and the decision aid) ---- */

static int hhmm(const char *s) {
    if (!s || strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' ||
        s[1] > '9' || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
        return -1;
    int m = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
    return m < 24 * 60 ? m : -1;
}

static lw_status parse_preferences(api_request *req, json_t **out, lw_error *err) {
    static const char *const fields[] = {"needs",         "interests", "available", "max_km",
                                         "cost_limit",    "setting",   "travel",    "language",
                                         "accessibility", NULL};
    static const char *const slot_fields[] = {"day", "from", "to", NULL};
    static const char *const days[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
    lw_status st = jin_object(req, fields, err);
    if (st != LW_OK)
        return st;
    json_t *p = json_object();
    *out = p;
    json_t *v = json_object_get(req->json, "needs");
    if (v && !json_is_null(v)) {
        if (!json_is_array(v) || json_array_size(v) > LW_NEED_COUNT)
            return lw_fail(err, LW_EINVAL, "needs", "must be a list of need domains (%s)",
                           need_names_list());
        int seen[LW_NEED_COUNT] = {0};
        size_t i;
        json_t *n;
        json_array_foreach(v, i, n) {
            char f[32];
            snprintf(f, sizeof f, "needs[%zu]", i);
            int d = need_parse(json_string_value(n));
            if (d < 0)
                return lw_fail(err, LW_EINVAL, f, "is not a need domain (one of %s)",
                               need_names_list());
            if (seen[d]++)
                return lw_fail(err, LW_EINVAL, f, "is listed twice");
        }
        json_object_set(p, "needs", v);
    }
    v = json_object_get(req->json, "interests");
    if (v && !json_is_null(v)) {
        if (!json_is_array(v) || json_array_size(v) > 20)
            return lw_fail(err, LW_EINVAL, "interests", "must be a list of at most 20 words");
        size_t i;
        json_t *n;
        json_array_foreach(v, i, n) {
            char f[32];
            snprintf(f, sizeof f, "interests[%zu]", i);
            if (!json_is_string(n) || json_string_length(n) == 0 || json_string_length(n) > 100)
                return lw_fail(err, LW_EINVAL, f, "must be text of 1 to 100 characters");
            st = text_check(json_string_value(n), 100, f, err);
            if (st != LW_OK)
                return st;
        }
        json_object_set(p, "interests", v);
    }
    v = json_object_get(req->json, "available");
    if (v && !json_is_null(v)) {
        if (!json_is_array(v) || json_array_size(v) > 21)
            return lw_fail(err, LW_EINVAL, "available",
                           "must be a list of at most 21 {\"day\", \"from\", \"to\"}");
        size_t i;
        json_t *slot;
        json_array_foreach(v, i, slot) {
            char path[32], f[48];
            snprintf(path, sizeof path, "available[%zu]", i);
            st = jr_object(slot, path, slot_fields, err);
            if (st != LW_OK)
                return st;
            const char *day = json_string_value(json_object_get(slot, "day"));
            int known = 0;
            for (size_t d = 0; d < 7 && day; d++)
                known |= strcmp(day, days[d]) == 0;
            snprintf(f, sizeof f, "%s.day", path);
            if (!known)
                return lw_fail(err, LW_EINVAL, f, "must be one of MO, TU, WE, TH, FR, SA, SU");
            int from = hhmm(json_string_value(json_object_get(slot, "from")));
            int to = hhmm(json_string_value(json_object_get(slot, "to")));
            snprintf(f, sizeof f, "%s.%s", path, from < 0 ? "from" : "to");
            if (from < 0 || to < 0)
                return lw_fail(err, LW_EINVAL, f, "must be a time of day HH:MM");
            if (to <= from)
                return lw_fail(err, LW_EINVAL, f, "must be after from");
        }
        json_object_set(p, "available", v);
    }
    int64_t km = 0;
    int has_km = 0;
    st = jr_int(req->json, "max_km", "max_km", 0, 0, 200, &km, &has_km, err);
    if (st != LW_OK)
        return st;
    if (has_km)
        json_object_set_new(p, "max_km", json_integer(km));
    const char *cost = NULL, *setting = NULL;
    st = jr_string(req->json, "cost_limit", "cost_limit", 0, 10, &cost, err);
    if (st == LW_OK && cost && strcmp(cost, "free") && strcmp(cost, "low") && strcmp(cost, "any"))
        st = lw_fail(err, LW_EINVAL, "cost_limit", "must be free, low or any");
    if (st == LW_OK && cost)
        json_object_set_new(p, "cost_limit", json_string(cost));
    if (st == LW_OK)
        st = jr_string(req->json, "setting", "setting", 0, 20, &setting, err);
    if (st == LW_OK && setting && strcmp(setting, "group") && strcmp(setting, "one_to_one") &&
        strcmp(setting, "either"))
        st = lw_fail(err, LW_EINVAL, "setting", "must be group, one_to_one or either");
    if (st == LW_OK && setting)
        json_object_set_new(p, "setting", json_string(setting));
    /* How they travel, the language and the accessibility they need: checked by the same
     * reader the matcher uses on the stored preferences, then kept as given. */
    lw_match_person check;
    match_person_init(&check);
    if (st == LW_OK)
        st = mt_prefs(req, req->json, "", &check, err);
    static const char *const kept[] = {"travel", "language", "accessibility"};
    for (size_t i = 0; st == LW_OK && i < sizeof kept / sizeof kept[0]; i++) {
        v = json_object_get(req->json, kept[i]);
        if (v && !json_is_null(v))
            json_object_set(p, kept[i], v);
    }
    return st;
}

void api_cases_preferences(api_request *req, api_response *res) {
    lw_error err;
    lw_case c;
    json_t *prefs = NULL;
    lw_status st = open_case_for(req, "case.update", &c, &err);
    if (st == LW_OK)
        st = parse_preferences(req, &prefs, &err);
    char *text = st == LW_OK ? json_dumps(prefs, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    lw_person ch = {.preferences = text};
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_person_update(req->db, c.person_id, &ch, jr_now(req), &err);
    /* Needs no local service meets within the travel limit, for the reports (issue 7). */
    if (st == LW_OK)
        st = api_unmet_needs_record(req, &c, &err);
    if (st == LW_OK)
        st = api_audit(req, "case.update", "case", c.id, "ok", &err);
    if (st == LW_OK)
        st = api_audit(req, "person.update", "person", c.person_id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    free(text);
    if (st != LW_OK) {
        store_rollback(req->db);
        json_decref(prefs);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, prefs);
}
