/*
 * Matching a person to community services and the shared decision aid
 * (issue 6), over HTTP: for a case (link and peer workers of the case's
 * service, admins) and in a direct form for clinician prescribers, who may
 * run them for a person with no case. The ranking is domain/match.c over the
 * directory prepared once per directory version (api/matching.c), so a
 * request costs one match_rank() and the JSON of one page. Every look at a
 * person's matches is audited; the decision aid's categories are the built-in
 * set with the text admins stored over it (aid_categories).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/matching.h"

/* Results deeper than this are not served: nobody reads them, and a deep page
 * costs the matcher a heap of every result before it. */
#define MT_DEPTH_MAX 1000
/* The best-matched options shown in each category of the decision aid. */
#define MT_OPTIONS 3

/* ---- matches ---- */

static lw_status matches_query(const api_request *req, lw_page *pg, int *excluded, lw_error *err) {
    lw_status st = api_page(req, pg, err);
    if (st == LW_OK && (int64_t)pg->page * pg->per_page > MT_DEPTH_MAX)
        st = lw_fail(err, LW_EINVAL, "page",
                     "matches are shown up to the %d best; ask for an earlier page", MT_DEPTH_MAX);
    const char *v = api_query(req, "excluded");
    *excluded = 0;
    if (st == LW_OK && v) {
        if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
            *excluded = 1;
        else if (strcmp(v, "false") != 0 && strcmp(v, "0") != 0)
            st = lw_fail(err, LW_EINVAL, "excluded", "'%.40s' is not true or false", v);
    }
    return st;
}

/* Ranks the prepared directory for P and adds the page (and the excluded services on
 * the same page, when EXCLUDED) to OUT. */
static lw_status rank_into(api_request *req, const match_dir *md, const lw_match_person *p,
                           lw_page pg, int excluded, json_t *out, lw_error *err) {
    size_t per = (size_t)pg.per_page, skip = (size_t)(pg.page - 1) * per;
    lw_match_out mo = {
        .results = arena_alloc(req->arena, per * sizeof(lw_match_result)),
        .results_cap = per,
        .skip = skip,
        .excluded = excluded ? arena_alloc(req->arena, per * sizeof(lw_match_excluded)) : NULL,
        .excluded_cap = excluded ? per : 0,
        .excluded_skip = skip,
    };
    lw_status st = match_rank(req->arena, p, NULL, md->svc, md->n, &mo, err);
    if (st != LW_OK)
        return st;
    json_t *res = json_array();
    for (size_t i = 0; i < mo.n_results; i++)
        json_array_append_new(res, mt_result_json(md, &mo.results[i]));
    json_object_set_new(out, "eligible", json_integer((json_int_t)mo.eligible));
    json_object_set_new(out, "excluded_total", json_integer((json_int_t)mo.excluded_total));
    json_object_set_new(out, "page", json_integer(pg.page));
    json_object_set_new(out, "per_page", json_integer(pg.per_page));
    json_object_set_new(out, "results", res);
    if (excluded) {
        json_t *ex = json_array();
        for (size_t i = 0; i < mo.n_excluded; i++)
            json_array_append_new(ex, mt_excluded_json(md, &mo.excluded[i]));
        json_object_set_new(out, "excluded", ex);
    }
    return LW_OK;
}

static void matches_answer(api_request *req, api_response *res, const lw_match_person *p,
                           int64_t case_id, lw_page pg, int excluded) {
    lw_error err;
    dir_snap *snap = NULL;
    const match_dir *md = NULL;
    json_t *out = json_object();
    if (case_id)
        json_object_set_new(out, "case_id", json_integer(case_id));
    lw_status st = mt_acquire(req, &snap, &md, &err);
    if (st == LW_OK)
        st = rank_into(req, md, p, pg, excluded, out, &err);
    if (snap)
        dirx_release(req, snap);
    if (st != LW_OK) {
        json_decref(out);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, out);
}

void api_case_matches(api_request *req, api_response *res) {
    lw_error err;
    lw_case c;
    lw_page pg;
    int excluded = 0;
    mt_person mp;
    lw_status st = mt_case_for(req, "case.matches", &c, &err);
    if (st == LW_OK)
        st = matches_query(req, &pg, &excluded, &err);
    if (st == LW_OK)
        st = mt_case_person(req, &c, &mp, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "case.matches", "case", c.id, "person.read", "person", c.person_id,
                           &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    matches_answer(req, res, &mp.p, c.id, pg, excluded);
}

void api_matches_direct(api_request *req, api_response *res) {
    static const char *const fields[] = {"person_id", "person", "preferences", NULL};
    lw_error err;
    lw_page pg;
    int excluded = 0;
    mt_person mp;
    lw_status st = matches_query(req, &pg, &excluded, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = mt_direct_person(req, &mp, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "person.matches", "person", mp.person_id, NULL, NULL, 0, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    matches_answer(req, res, &mp.p, 0, pg, excluded);
}

/* ---- the decision aid ---- */

/* "meeting_people:8,costs_nothing:10" from the query string. */
static lw_status ratings_query(const api_request *req, const lw_aid *aid, lw_aid_ratings *r,
                               lw_error *err) {
    decision_aid_ratings_init(r);
    const char *v = api_query(req, "ratings");
    if (!v || !*v)
        return LW_OK;
    if (strlen(v) > 2000)
        return lw_fail(err, LW_EINVAL, "ratings", "is too long");
    char *buf = arena_strdup(req->arena, v);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(t, ':');
        if (!colon)
            return lw_fail(err, LW_EINVAL, "ratings",
                           "'%.60s' is not question:rating (for example meeting_people:8)", t);
        *colon = '\0';
        char *end = NULL;
        long long x = strtoll(colon + 1, &end, 10);
        if (!colon[1] || *end)
            x = -1;
        lw_status st = decision_aid_rate(aid, r, t, x, err);
        if (st != LW_OK)
            return st;
    }
    return LW_OK;
}

/* The categories for P's needs that exist locally, each with its best options for P
 * under these ratings, into OUT. */
static lw_status aid_into(api_request *req, const match_dir *md, const lw_aid *aid,
                          const lw_match_person *p, const lw_aid_ratings *r, json_t *out,
                          lw_error *err) {
    lw_match_weights w;
    lw_status st = decision_aid_weights(aid, r, &w, err);
    if (st != LW_OK)
        return st;
    size_t idx[LW_AID_MAX_CATEGORIES];
    size_t n =
        decision_aid_categories_for_needs(aid, p->needs, md->local, idx, LW_AID_MAX_CATEGORIES);
    json_t *cats = json_array();
    for (size_t k = 0; k < n && st == LW_OK; k++) {
        size_t c = idx[k];
        lw_match_result res[MT_OPTIONS];
        lw_match_out mo = {.results = res, .results_cap = MT_OPTIONS};
        st = match_rank(req->arena, p, &w, md->by_cat[c], md->n_cat[c], &mo, err);
        if (st != LW_OK)
            break;
        json_t *opts = json_array();
        for (size_t i = 0; i < mo.n_results; i++) {
            res[i].index = md->by_cat_index[c][res[i].index];
            json_array_append_new(opts, mt_result_json(md, &res[i]));
        }
        json_t *cj = mt_category_json(aid, c);
        json_object_set_new(cj, "eligible", json_integer((json_int_t)mo.eligible));
        json_object_set_new(cj, "options", opts);
        json_array_append_new(cats, cj);
    }
    if (st != LW_OK) {
        json_decref(cats);
        return st;
    }
    json_object_set_new(out, "question_prompt", json_string("How much does it matter to you:"));
    json_object_set_new(out, "questions", mt_questions_json(aid));
    json_object_set_new(out, "ratings", mt_ratings_out(aid, r));
    json_object_set_new(out, "categories", cats);
    return LW_OK;
}

static void aid_answer(api_request *req, api_response *res, const lw_aid *aid,
                       const lw_match_person *p, const lw_aid_ratings *r, int64_t case_id) {
    lw_error err;
    dir_snap *snap = NULL;
    const match_dir *md = NULL;
    json_t *out = json_object();
    if (case_id)
        json_object_set_new(out, "case_id", json_integer(case_id));
    lw_status st = mt_acquire(req, &snap, &md, &err);
    if (st == LW_OK)
        st = aid_into(req, md, aid, p, r, out, &err);
    if (snap)
        dirx_release(req, snap);
    if (st != LW_OK) {
        json_decref(out);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, out);
}

void api_case_decision_aid(api_request *req, api_response *res) {
    lw_error err;
    lw_case c;
    mt_person mp;
    const lw_aid *aid = NULL;
    lw_aid_ratings r;
    lw_status st = mt_case_for(req, "case.decision_aid", &c, &err);
    if (st == LW_OK)
        st = mt_aid(req, &aid, &err);
    if (st == LW_OK)
        st = ratings_query(req, aid, &r, &err);
    if (st == LW_OK)
        st = mt_case_person(req, &c, &mp, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "case.decision_aid", "case", c.id, "person.read", "person",
                           c.person_id, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    aid_answer(req, res, aid, &mp.p, &r, c.id);
}

void api_decision_aid_direct(api_request *req, api_response *res) {
    static const char *const fields[] = {"person_id", "person", "preferences", "ratings", NULL};
    lw_error err;
    mt_person mp;
    const lw_aid *aid = NULL;
    lw_aid_ratings r;
    lw_status st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = mt_aid(req, &aid, &err);
    if (st == LW_OK)
        st = mt_ratings_json(aid, json_object_get(req->json, "ratings"), &r, &err);
    if (st == LW_OK)
        st = mt_direct_person(req, &mp, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "person.decision_aid", "person", mp.person_id, NULL, NULL, 0, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    aid_answer(req, res, aid, &mp.p, &r, 0);
}

/* ---- the categories and their text ---- */

void api_aid_categories_list(api_request *req, api_response *res) {
    lw_error err;
    const lw_aid *aid = NULL;
    lw_status st = mt_aid(req, &aid, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    const lw_aid_set *set = decision_aid_set(aid);
    json_t *a = json_array();
    for (size_t i = 0; i < set->n_categories; i++)
        json_array_append_new(a, mt_category_json(aid, i));
    api_json(res, 200,
             json_pack("{s:o, s:s, s:o}", "categories", a, "question_prompt",
                       "How much does it matter to you:", "questions", mt_questions_json(aid)));
}

/* A list of 1..20 plain texts of 1..1000 characters, as JSON text in the arena. */
static lw_status text_list(api_request *req, const char *key, const char **out, lw_error *err) {
    json_t *v = json_object_get(req->json, key);
    char f[40];
    *out = NULL;
    if (!v || json_is_null(v))
        return LW_OK;
    if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > 20)
        return lw_fail(err, LW_EINVAL, key, "must be a list of 1 to 20 sentences");
    size_t i;
    json_t *s;
    json_array_foreach(v, i, s) {
        snprintf(f, sizeof f, "%s[%zu]", key, i);
        if (!json_is_string(s) || json_string_length(s) < 1 || json_string_length(s) > 1000)
            return lw_fail(err, LW_EINVAL, f, "must be text of 1 to 1000 characters");
        lw_status st = text_check(json_string_value(s), 1000, f, err);
        if (st != LW_OK)
            return st;
    }
    char *text = json_dumps(v, JSON_COMPACT);
    if (!text)
        lw_oom();
    *out = arena_strdup(req->arena, text);
    free(text);
    return LW_OK;
}

void api_aid_categories_put(api_request *req, api_response *res) {
    static const char *const fields[] = {"name", "pros", "cons", NULL};
    lw_error err;
    const lw_aid *aid = NULL;
    const char *id = req->nparams > 0 ? req->params[0] : "";
    lw_status st = mt_aid(req, &aid, &err);
    int c = st == LW_OK ? decision_aid_category_find(aid, id) : -1;
    if (st == LW_OK && c < 0)
        st = lw_fail(&err, LW_ENOTFOUND, "id",
                     "no decision aid category '%.60s'; GET /api/v1/decision-aid/categories "
                     "lists them",
                     id);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    lw_aid_category_row row = {.id = id, .updated_at = jr_now(req), .updated_by = req->who.user_id};
    if (st == LW_OK)
        st = jr_string(req->json, "name", "name", 1, 200, &row.name, &err);
    if (st == LW_OK)
        st = text_list(req, "pros", &row.pros, &err);
    if (st == LW_OK)
        st = text_list(req, "cons", &row.cons, &err);
    /* What is not sent stays as it is. */
    const lw_aid_category *cur = st == LW_OK ? &decision_aid_set(aid)->categories[c] : NULL;
    if (st == LW_OK && !row.pros) {
        json_t *a = json_array();
        for (size_t i = 0; i < cur->n_pros; i++)
            json_array_append_new(a, json_string(cur->pros[i]));
        char *t = json_dumps(a, JSON_COMPACT);
        row.pros = arena_strdup(req->arena, t);
        free(t);
        json_decref(a);
    }
    if (st == LW_OK && !row.cons) {
        json_t *a = json_array();
        for (size_t i = 0; i < cur->n_cons; i++)
            json_array_append_new(a, json_string(cur->cons[i]));
        char *t = json_dumps(a, JSON_COMPACT);
        row.cons = arena_strdup(req->arena, t);
        free(t);
        json_decref(a);
    }
    lw_audit_entry audit = {.at = row.updated_at,
                            .user_id = req->who.user_id,
                            .role = role_name(req->who.role),
                            .org_id = req->who.org_id,
                            .action = "aid_category.update",
                            .resource_type = "aid_category",
                            .resource_id = id,
                            .remote_addr = req->remote_addr,
                            .outcome = "ok"};
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_aid_category_put(req->db, &row, &err);
    if (st == LW_OK)
        st = store_audit_insert(req->db, &audit, &err);
    /* The whole set, as it now is, must still be a valid decision aid. */
    if (st == LW_OK)
        st = mt_aid(req, &aid, &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, mt_category_json(aid, (size_t)c));
}
