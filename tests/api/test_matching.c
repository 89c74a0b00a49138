/*
 * Matching and the shared decision aid over HTTP (issue 6): a link worker, a
 * peer worker and a clinician prescriber each run the decision aid and record
 * a decision; the prescriptions reach the provider; the decisions table tells
 * direct, link-worker and peer-led decisions apart; matches explain
 * themselves in words, come in the same order every time, and list what was
 * excluded and why; bad input is refused naming the field with nothing
 * written; admins edit the categories' text.
 *
 * The directory is built through the API as a small demo area round
 * Rotherham: two services a provider keeps (so prescriptions reach it), a
 * youth project and a full allotment, and two imported listings with places
 * and times — a free Tuesday walk a short way from the person's home and a
 * paid Saturday class in Doncaster, 18 km away.
 */
#include "journey_fixture.h"

typedef struct mf {
    jf *f;
    int64_t case_a, case_b; /* Riverside cases: Edith (68, Rotherham), Frank */
    char walk[64], garden[64], youth[64], allotment[64], tuesday[64], saturday[64];
} mf;

/* A service the Riverside Community Gardens provider adds; its id into OUT. */
static void add_service(jf *f, json_t *body, char *out, size_t n) {
    th_resp *r = jf_call(f, JF_PROV, "POST", "/api/v1/services", body);
    jf_expect(r, 201, "service");
    snprintf(out, n, "%s", jf_str(r->json, "id"));
    th_resp_free(r);
}

static const char *import_body =
    "{\"id\": \"org-rwt\", \"name\": \"Rotherham Walking Trust\", \"description\": \"Walks\", "
    "\"services\": ["
    "{\"id\": \"svc-tuesday-walk\", \"name\": \"Tuesday Health Walk\", \"description\": \"A "
    "gentle led walk round Clifton Park, then tea.\", \"status\": \"active\", \"fees\": "
    "\"Free\", \"schedules\": [{\"id\": \"sch-1\", \"freq\": \"WEEKLY\", \"byday\": \"TU\", "
    "\"opens_at\": \"10:00:00\", \"closes_at\": \"11:30:00\"}], \"service_at_locations\": "
    "[{\"id\": "
    "\"sal-1\", \"location\": {\"id\": \"loc-park\", \"name\": \"Clifton Park gates\", "
    "\"location_type\": \"physical\", \"latitude\": 53.4300, \"longitude\": -1.3500, "
    "\"accessibility\": [{\"id\": \"acc-1\", \"description\": \"Steps at the gates; a hearing "
    "loop in the tea room.\"}]}}]},"
    "{\"id\": \"svc-saturday-class\", \"name\": \"Saturday Fitness Class\", \"description\": "
    "\"Circuit training in Doncaster.\", \"status\": \"active\", \"languages\": [{\"id\": "
    "\"lang-1\", \"name\": \"English\", \"code\": \"en\"}], \"fees\": \"\\u00a36 a "
    "session\", \"schedules\": [{\"id\": \"sch-2\", \"freq\": \"WEEKLY\", \"byday\": \"SA\", "
    "\"opens_at\": \"09:00:00\", \"closes_at\": \"10:00:00\"}], \"service_at_locations\": "
    "[{\"id\": "
    "\"sal-2\", \"location\": {\"id\": \"loc-dn\", \"name\": \"Doncaster Leisure Centre\", "
    "\"location_type\": \"physical\", \"latitude\": 53.5230, \"longitude\": -1.1330}}]}]}";

static void patch_service(jf *f, const char *id, json_t *body) {
    th_resp *r = jf_callf(f, JF_ADMIN, "PATCH", body, "/api/v1/services/%s", id);
    jf_expect(r, 200, "patch service");
    th_resp_free(r);
}

/* A referral from the GP of a person living in Rotherham (S60) who needs LANGUAGE (NULL:
 * English), accepted; the case id. */
static int64_t refer_and_accept(jf *f, const char *given, const char *dob, const char *language) {
    json_t *person = json_pack("{s:s, s:s, s:s, s:s}", "given_name", given, "family_name", "Walker",
                               "date_of_birth", dob, "postcode", "S60 1AE");
    if (language)
        json_object_set_new(person, "preferred_language", json_string(language));
    json_t *body =
        json_pack("{s:o, s:[s, s], s:s, s:{s:b, s:s}, s:I}", "person", person, "reasons",
                  "isolation", "physical_activity", "urgency", "routine", "consent", "share", 1,
                  "given_on", "2026-01-05", "to_organisation_id", (json_int_t)f->lws);
    th_resp *r = jf_call(f, JF_GP, "POST", "/api/v1/referrals", body);
    jf_expect(r, 201, "referral");
    int64_t id = jf_int(r->json, "id");
    th_resp_free(r);
    return jf_accept(f, id);
}

static int setup(void **state) {
    mf *m = calloc(1, sizeof *m);
    assert_non_null(m);
    jf *f = m->f = jf_start();
    add_service(f,
                json_pack("{s:s, s:s, s:s, s:[s, s], s:s, s:s, s:s, s:i, s:b}", "name",
                          "Riverside Walking Group", "description",
                          "Short walks by the river for people who want company.", "status",
                          "active", "need_domains", "isolation", "physical_activity", "cost_band",
                          "free", "setting", "group", "capacity_status", "capacity", "capacity", 12,
                          "mental_health_ready", 1),
                m->walk, sizeof m->walk);
    add_service(f,
                json_pack("{s:s, s:s, s:s, s:[s, s], s:s, s:s, s:s}", "name",
                          "Riverside Community Garden", "description",
                          "Growing vegetables together on the old bowling green.", "status",
                          "active", "need_domains", "isolation", "mood", "cost_band", "free",
                          "setting", "group", "capacity_status", "capacity"),
                m->garden, sizeof m->garden);
    add_service(f,
                json_pack("{s:s, s:s, s:s, s:[s], s:s, s:i, s:i}", "name", "Youth Music Project",
                          "description", "Bands and recording for teenagers.", "status", "active",
                          "need_domains", "isolation", "cost_band", "free", "minimum_age", 11,
                          "maximum_age", 17),
                m->youth, sizeof m->youth);
    add_service(f,
                json_pack("{s:s, s:s, s:s, s:[s, s], s:s, s:s, s:s}", "name",
                          "Riverside Allotment Society", "description",
                          "Allotment plots and a gardening club.", "status", "active",
                          "need_domains", "isolation", "physical_activity", "cost_band", "free",
                          "setting", "group", "capacity_status", "no_capacity"),
                m->allotment, sizeof m->allotment);
    th_resp *r = th_call(f->s, &f->who[JF_ADMIN], "POST", "/api/v1/directory/imports", import_body);
    jf_expect(r, 200, "import");
    th_resp_free(r);
    /* The importer keeps ids that are UUIDs and gives others one of their own. */
    char *id = th_sql_text(f->s, "SELECT id FROM services WHERE name = 'Tuesday Health Walk'");
    snprintf(m->tuesday, sizeof m->tuesday, "%.*s", (int)strcspn(id, "\t\n"), id);
    free(id);
    id = th_sql_text(f->s, "SELECT id FROM services WHERE name = 'Saturday Fitness Class'");
    snprintf(m->saturday, sizeof m->saturday, "%.*s", (int)strcspn(id, "\t\n"), id);
    free(id);
    patch_service(f, m->tuesday,
                  json_pack("{s:[s, s], s:s, s:s, s:s}", "need_domains", "isolation",
                            "physical_activity", "cost_band", "free", "setting", "group",
                            "capacity_status", "capacity"));
    patch_service(f, m->saturday,
                  json_pack("{s:[s, s], s:s, s:s, s:s}", "need_domains", "isolation",
                            "physical_activity", "cost_band", "paid", "setting", "group",
                            "capacity_status", "capacity"));
    m->case_a = refer_and_accept(f, "Edith", "1958-03-14", NULL);
    m->case_b = refer_and_accept(f, "Frank", "1971-09-30", "Polish");
    r = jf_callf(f, JF_LW, "PUT",
                 json_pack("{s:[s, s], s:[s], s:[{s:s, s:s, s:s}], s:i, s:s, s:s}", "needs",
                           "isolation", "physical_activity", "interests", "walking", "available",
                           "day", "TU", "from", "09:00", "to", "12:00", "max_km", 25, "cost_limit",
                           "free", "setting", "group"),
                 "/api/v1/cases/%lld/preferences", (long long)m->case_a);
    jf_expect(r, 200, "preferences");
    th_resp_free(r);
    *state = m;
    return 0;
}

static int teardown(void **state) {
    mf *m = *state;
    jf_stop(m->f);
    free(m);
    return 0;
}

/* ---- the answers are those documented (src/api/openapi.json) ---- */

static json_t *resolve(json_t *doc, json_t *schema) {
    const char *ref = json_string_value(json_object_get(schema, "$ref"));
    if (!ref)
        return schema;
    assert_true(strncmp(ref, "#/components/schemas/", 21) == 0);
    json_t *to =
        json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"), ref + 21);
    assert_non_null(to);
    return resolve(doc, to);
}

static int is_type(const char *t, const json_t *v) {
    return (strcmp(t, "object") == 0 && json_is_object(v)) ||
           (strcmp(t, "array") == 0 && json_is_array(v)) ||
           (strcmp(t, "string") == 0 && json_is_string(v)) ||
           (strcmp(t, "integer") == 0 && json_is_integer(v)) ||
           (strcmp(t, "number") == 0 && json_is_number(v)) ||
           (strcmp(t, "boolean") == 0 && json_is_boolean(v)) ||
           (strcmp(t, "null") == 0 && json_is_null(v));
}

/* Fails naming WHERE when V does not follow SCHEMA: types, enums, required and
 * undocumented members, array items. */
static void conforms_to(json_t *doc, json_t *schema, json_t *v, const char *where) {
    schema = resolve(doc, schema);
    json_t *type = json_object_get(schema, "type");
    int ok = !type;
    if (json_is_string(type))
        ok = is_type(json_string_value(type), v);
    size_t i;
    json_t *x;
    if (json_is_array(type))
        json_array_foreach(type, i, x) ok = ok || is_type(json_string_value(x), v);
    if (!ok)
        fail_msg("%s: not of the documented type", where);
    json_t *en = json_object_get(schema, "enum");
    if (json_is_array(en)) {
        ok = 0;
        json_array_foreach(en, i, x) ok = ok || json_equal(x, v);
        if (!ok)
            fail_msg("%s: not one of the documented values", where);
    }
    char sub[300];
    if (json_is_object(v)) {
        json_array_foreach(json_object_get(schema, "required"), i, x) {
            if (!json_object_get(v, json_string_value(x)))
                fail_msg("%s: the required member %s is missing", where, json_string_value(x));
        }
        const char *key;
        json_t *member;
        json_object_foreach(v, key, member) {
            snprintf(sub, sizeof sub, "%s.%s", where, key);
            json_t *prop = json_object_get(json_object_get(schema, "properties"), key);
            json_t *more = json_object_get(schema, "additionalProperties");
            if (prop)
                conforms_to(doc, prop, member, sub);
            else if (json_is_object(more))
                conforms_to(doc, more, member, sub);
            else if (json_is_false(more))
                fail_msg("%s: not documented", sub);
        }
    }
    json_t *items = json_object_get(schema, "items");
    if (json_is_array(v) && items)
        json_array_foreach(v, i, x) {
            snprintf(sub, sizeof sub, "%s[%zu]", where, i);
            conforms_to(doc, items, x, sub);
        }
}

/* R's body follows the schema NAME of the OpenAPI document. */
static void documented(jf *f, const th_resp *r, const char *name) {
    th_resp *d = jf_call(f, -1, "GET", "/api/v1/openapi.json", NULL);
    jf_expect(d, 200, "openapi");
    char ref[120];
    snprintf(ref, sizeof ref, "#/components/schemas/%s", name);
    json_t *schema = json_pack("{s:s}", "$ref", ref);
    conforms_to(d->json, schema, r->json, name);
    json_decref(schema);
    th_resp_free(d);
}

static th_resp *matches(mf *m, int who, int64_t case_id, const char *query) {
    return jf_callf(m->f, who, "GET", NULL, "/api/v1/cases/%lld/matches%s", (long long)case_id,
                    query);
}

/* Position of service ID in RESULTS, or -1. */
static int position(const json_t *results, const char *id) {
    size_t i;
    json_t *x;
    json_array_foreach(results, i, x) {
        if (strcmp(jf_str(json_object_get(x, "service"), "id"), id) == 0)
            return (int)i;
    }
    return -1;
}

static const char *reason_of(const json_t *result, const char *part) {
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(result, "parts"), i, p) {
        if (strcmp(jf_str(p, "part"), part) == 0)
            return jf_str(p, "reason");
    }
    return NULL;
}

static void matches_explain_themselves_in_a_stable_order(void **state) {
    mf *m = *state;
    th_resp *r = matches(m, JF_LW, m->case_a, "?per_page=50&excluded=true");
    jf_expect(r, 200, "matches");
    documented(m->f, r, "MatchList");
    json_t *res = json_object_get(r->json, "results");
    int walk = position(res, m->tuesday), sat = position(res, m->saturday);
    int full = position(res, m->allotment);
    assert_true(walk >= 0 && sat >= 0 && full >= 0);
    /* The free Tuesday walk near home beats the paid Saturday class in Doncaster. */
    assert_true(walk < sat);
    json_t *w = json_array_get(res, (size_t)walk);
    assert_string_equal(reason_of(w, "schedule"), "Tuesday mornings — you are free");
    assert_string_equal(reason_of(w, "cost"), "free");
    assert_non_null(strstr(reason_of(w, "distance"), "by bus"));
    assert_non_null(
        strstr(reason_of(json_array_get(res, (size_t)sat), "cost"), "you asked for free"));
    assert_true(json_integer_value(json_object_get(w, "distance_m")) < 1500);
    /* The full allotment comes after every service with places, saying so. */
    size_t first_full = json_array_size(res);
    for (size_t i = json_array_size(res); i-- > 0;)
        if (json_is_true(json_object_get(json_array_get(res, i), "full")))
            first_full = i;
        else
            break;
    assert_true((size_t)full >= first_full && first_full > (size_t)sat);
    json_t *fa = json_array_get(res, (size_t)full);
    assert_true(json_is_true(json_object_get(fa, "full")));
    assert_non_null(strstr(reason_of(fa, "capacity"), "full"));
    /* The youth project is excluded: she is 68. */
    assert_int_equal(position(res, m->youth), -1);
    json_t *ex = json_object_get(r->json, "excluded");
    int y = position(ex, m->youth);
    assert_true(y >= 0);
    const char *why = jf_str(json_array_get(ex, (size_t)y), "reason");
    assert_non_null(strstr(why, "for ages 11–17"));
    assert_non_null(strstr(why, "you are 68"));
    assert_int_equal(json_integer_value(json_object_get(r->json, "excluded_total")),
                     (json_int_t)json_array_size(ex));
    /* Frank needs Polish: the class that lists only English is excluded, saying so; the
     * walk, whose listing names no language, is not. */
    th_resp *rb = matches(m, JF_LW, m->case_b, "?per_page=50&excluded=true");
    jf_expect(rb, 200, "Frank's matches");
    json_t *exb = json_object_get(rb->json, "excluded");
    int cls = position(exb, m->saturday);
    assert_true(cls >= 0);
    assert_string_equal(jf_str(json_array_get(exb, (size_t)cls), "reason"),
                        "offered in English; you asked for Polish");
    assert_true(position(json_object_get(rb->json, "results"), m->tuesday) >= 0);
    th_resp_free(rb);
    /* Same call, same order. */
    char *first = json_dumps(res, JSON_COMPACT);
    th_resp_free(r);
    r = matches(m, JF_LW, m->case_a, "?per_page=50&excluded=true");
    char *second = json_dumps(json_object_get(r->json, "results"), JSON_COMPACT);
    assert_string_equal(first, second);
    free(first);
    free(second);
    th_resp_free(r);
    /* How she travels, kept with her preferences, changes the words and the times. */
    th_resp *pr = jf_callf(m->f, JF_LW, "PUT",
                           json_pack("{s:[s], s:i, s:s, s:s}", "needs", "isolation", "max_km", 25,
                                     "travel", "car", "language", "English"),
                           "/api/v1/cases/%lld/preferences", (long long)m->case_a);
    jf_expect(pr, 200, "preferences with travel");
    assert_string_equal(jf_str(pr->json, "travel"), "car");
    th_resp_free(pr);
    r = matches(m, JF_LW, m->case_a, "?per_page=50");
    jf_expect(r, 200, "matches by car");
    assert_true(position(json_object_get(r->json, "results"), m->tuesday) >= 0);
    json_t *wc = json_array_get(json_object_get(r->json, "results"),
                                (size_t)position(json_object_get(r->json, "results"), m->tuesday));
    assert_non_null(strstr(reason_of(wc, "distance"), "by car"));
    /* A way of travelling the matcher does not know is refused, and nothing changes. */
    pr = jf_callf(m->f, JF_LW, "PUT", json_pack("{s:s}", "travel", "hovercraft"),
                  "/api/v1/cases/%lld/preferences", (long long)m->case_a);
    jf_problem(pr, 400, "travel", "unknown travel");
    pr = jf_callf(m->f, JF_LW, "PUT", json_pack("{s:[s]}", "accessibility", "lift"),
                  "/api/v1/cases/%lld/preferences", (long long)m->case_a);
    jf_problem(pr, 400, "accessibility[0]", "unknown accessibility need");
    th_resp_free(r);
    r = matches(m, JF_LW, m->case_a, "?per_page=50");
    wc = json_array_get(json_object_get(r->json, "results"),
                        (size_t)position(json_object_get(r->json, "results"), m->tuesday));
    assert_non_null(strstr(reason_of(wc, "distance"), "by car"));
    /* Admins may look too. */
    th_resp_free(r);
    r = matches(m, JF_ADMIN, m->case_a, "?per_page=1");
    jf_expect(r, 200, "admin");
    th_resp_free(r);
    /* Paging: page 2 of size 1 is the second result. */
    r = matches(m, JF_PEER, m->case_a, "?per_page=1&page=2");
    jf_expect(r, 200, "page 2");
    assert_int_equal(json_array_size(json_object_get(r->json, "results")), 1);
    assert_null(json_object_get(r->json, "excluded"));
    th_resp_free(r);
    /* A change to the directory is matched at once: the youth project opens to all ages. */
    patch_service(m->f, m->youth, json_pack("{s:n, s:n}", "minimum_age", "maximum_age"));
    r = matches(m, JF_LW, m->case_a, "?per_page=50");
    assert_true(position(json_object_get(r->json, "results"), m->youth) >= 0);
    th_resp_free(r);
    /* Reading a person's matches is audited. */
    assert_true(th_sql_countf(m->f->s,
                              "SELECT count(*) FROM audit_log WHERE action = 'case.matches' AND "
                              "resource_id = '%lld'",
                              (long long)m->case_a) >= 3);
}

static long long rows(mf *m, const char *table) {
    char sql[100];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return th_sql_count(m->f->s, sql);
}

static json_t *category(const json_t *aid, const char *id) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(aid, "categories"), i, c) {
        if (strcmp(jf_str(c, "id"), id) == 0)
            return c;
    }
    return NULL;
}

static void three_facilitators_decide_and_the_provider_sees_it(void **state) {
    mf *m = *state;
    jf *f = m->f;
    /* The link worker runs the decision aid with Edith: it costs nothing matters most. */
    th_resp *r =
        jf_callf(f, JF_LW, "GET", NULL,
                 "/api/v1/cases/%lld/decision-aid?ratings=costs_nothing:10,meeting_people:8",
                 (long long)m->case_a);
    jf_expect(r, 200, "decision aid");
    documented(f, r, "DecisionAid");
    json_t *walking = category(r->json, "walking");
    assert_non_null(walking);
    assert_true(json_array_size(json_object_get(walking, "pros")) > 0);
    assert_true(json_array_size(json_object_get(walking, "cons")) > 0);
    assert_true(json_array_size(json_object_get(walking, "options")) > 0);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r->json, "ratings"), "costs_nothing")),
        10);
    assert_true(json_array_size(json_object_get(r->json, "questions")) > 5);
    /* Arts is not among her needs and nothing local is arts: not offered. */
    assert_null(category(r->json, "arts"));
    th_resp_free(r);

    long long rx_before = rows(m, "prescriptions");
    r = jf_call(f, JF_LW, "POST", "/api/v1/decisions",
                json_pack("{s:I, s:{s:i, s:i}, s:[s, s], s:s, s:[{s:s, s:s}], s:s}", "case_id",
                          (json_int_t)m->case_a, "ratings", "costs_nothing", 10, "meeting_people",
                          8, "considered", m->walk, m->tuesday, "outcome", "chosen", "chosen",
                          "service_id", m->walk, "note", "Edith would like company.", "note",
                          "Chose the river walk: free and close."));
    jf_expect(r, 201, "link worker decision");
    documented(f, r, "Decision");
    assert_string_equal(jf_str(r->json, "mode"), "link_worker");
    assert_string_equal(jf_str(json_object_get(r->json, "facilitator"), "role"), "link_worker");
    json_t *made = json_object_get(r->json, "prescriptions");
    assert_int_equal(json_array_size(made), 1);
    assert_string_equal(jf_str(json_array_get(made, 0), "status"), "sent");
    th_resp_free(r);

    /* The peer worker, with Frank: peer-led. */
    r = jf_callf(f, JF_PEER, "GET", NULL, "/api/v1/cases/%lld/decision-aid", (long long)m->case_b);
    jf_expect(r, 200, "peer decision aid");
    th_resp_free(r);
    r = jf_call(f, JF_PEER, "POST", "/api/v1/decisions",
                json_pack("{s:I, s:{s:i}, s:s, s:[{s:s}]}", "case_id", (json_int_t)m->case_b,
                          "ratings", "lived_experience", 9, "outcome", "chosen", "chosen",
                          "service_id", m->garden));
    jf_expect(r, 201, "peer decision");
    assert_string_equal(jf_str(r->json, "mode"), "peer");
    th_resp_free(r);

    /* The clinician, for a person on the ward with no case: direct. */
    json_t *person = json_pack("{s:s, s:s, s:s, s:s}", "given_name", "Grace", "family_name",
                               "Oduya", "date_of_birth", "1980-11-02", "postcode", "S61 1AA");
    r = jf_call(f, JF_DOC, "POST", "/api/v1/decision-aid",
                json_pack("{s:O, s:{s:[s], s:s}, s:{s:i}}", "person", person, "preferences",
                          "needs", "mood", "cost_limit", "free", "ratings", "outdoors", 9));
    jf_expect(r, 200, "direct decision aid");
    documented(f, r, "DecisionAid");
    assert_null(json_object_get(r->json, "case_id"));
    assert_true(json_array_size(json_object_get(r->json, "categories")) > 0);
    th_resp_free(r);
    r = jf_call(f, JF_DOC, "POST", "/api/v1/matches?per_page=50&excluded=true",
                json_pack("{s:O, s:{s:[s], s:[s]}}", "person", person, "preferences", "needs",
                          "mood", "accessibility", "step_free"));
    jf_expect(r, 200, "direct matches");
    documented(f, r, "MatchList");
    assert_true(json_integer_value(json_object_get(r->json, "eligible")) > 0);
    /* She needs step-free access: the walk's listing says there are steps; the class's says
     * nothing about access, so it is not left out. */
    json_t *exd = json_object_get(r->json, "excluded");
    int walk_out = position(exd, m->tuesday);
    assert_true(walk_out >= 0);
    assert_non_null(
        strstr(jf_str(json_array_get(exd, (size_t)walk_out), "reason"), "step-free access"));
    assert_true(position(json_object_get(r->json, "results"), m->saturday) >= 0);
    th_resp_free(r);
    r = jf_call(f, JF_DOC, "POST", "/api/v1/decisions",
                json_pack("{s:o, s:{s:i}, s:s, s:[{s:s}], s:{s:b}}", "person", person, "ratings",
                          "outdoors", 9, "outcome", "chosen", "chosen", "service_id", m->garden,
                          "consent", "share", 1));
    jf_expect(r, 201, "direct decision");
    assert_string_equal(jf_str(r->json, "mode"), "direct");
    assert_true(json_is_null(json_object_get(r->json, "case_id")));
    int64_t direct_rx = jf_int(json_array_get(json_object_get(r->json, "prescriptions"), 0), "id");
    th_resp_free(r);
    assert_int_equal(rows(m, "prescriptions"), rx_before + 3);

    /* The provider sees all three, the direct one marked direct. */
    r = jf_call(f, JF_PROV, "GET", "/api/v1/prescriptions?per_page=100", NULL);
    jf_expect(r, 200, "provider list");
    size_t i;
    json_t *x;
    int seen = 0, direct_seen = 0;
    json_array_foreach(json_object_get(r->json, "contents"), i, x) {
        const char *svc = jf_str(json_object_get(x, "service"), "id");
        if (strcmp(svc, m->walk) == 0 || strcmp(svc, m->garden) == 0)
            seen++;
        if (jf_int(x, "id") == direct_rx) {
            direct_seen = 1;
            assert_string_equal(jf_str(x, "mode"), "direct");
            assert_string_equal(jf_str(x, "status"), "sent");
        }
    }
    assert_int_equal(seen, 3);
    assert_true(direct_seen);
    th_resp_free(r);

    /* A listing nobody in linkwell answers for can be chosen as a signpost: recorded, not
     * sent. */
    r = jf_call(f, JF_LW, "POST", "/api/v1/decisions",
                json_pack("{s:I, s:s, s:[{s:s, s:s}]}", "case_id", (json_int_t)m->case_a, "outcome",
                          "chosen", "chosen", "service_id", m->tuesday, "kind", "signpost"));
    jf_expect(r, 201, "signpost decision");
    assert_string_equal(
        jf_str(json_array_get(json_object_get(r->json, "prescriptions"), 0), "status"), "proposed");
    th_resp_free(r);
    rx_before++;
    /* "Not now" is recorded too, with no prescription. */
    r = jf_call(f, JF_LW, "POST", "/api/v1/decisions",
                json_pack("{s:I, s:s, s:s}", "case_id", (json_int_t)m->case_b, "outcome", "not_now",
                          "note", "Frank wants to wait until after his operation."));
    jf_expect(r, 201, "not now");
    assert_int_equal(json_array_size(json_object_get(r->json, "prescriptions")), 0);
    th_resp_free(r);
    assert_int_equal(rows(m, "prescriptions"), rx_before + 3);

    /* The table reports count from tells the three modes apart. */
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM decisions WHERE mode = 'direct' "
                                        "AND case_id IS NULL AND outcome = 'chosen'"),
                     1);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM decisions WHERE mode = 'peer'"), 1);
    assert_int_equal(
        th_sql_count(f->s, "SELECT count(*) FROM decisions WHERE mode = 'link_worker'"), 3);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM decisions WHERE outcome = "
                                        "'not_now'"),
                     1);
    assert_int_equal(rows(m, "decision_prescriptions"), 4);

    /* The case's decisions, newest first. */
    r = jf_callf(f, JF_PEER, "GET", NULL, "/api/v1/cases/%lld/decisions", (long long)m->case_b);
    jf_expect(r, 200, "case decisions");
    documented(f, r, "DecisionList");
    json_t *ds = json_object_get(r->json, "decisions");
    assert_int_equal(json_array_size(ds), 2);
    assert_string_equal(jf_str(json_array_get(ds, 0), "outcome"), "not_now");
    assert_string_equal(jf_str(json_array_get(ds, 1), "mode"), "peer");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_array_get(ds, 1), "ratings"), "lived_experience")),
                     9);
    th_resp_free(r);
    assert_true(th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action = "
                                   "'decision.create'") == 5);
}

static void bad_input_is_refused_with_nothing_written(void **state) {
    mf *m = *state;
    jf *f = m->f;
    long long d0 = rows(m, "decisions"), x0 = rows(m, "prescriptions"), p0 = rows(m, "people");
    struct {
        int who;
        json_t *body;
        long status;
        const char *field;
    } cases[] = {
        {JF_LW,
         json_pack("{s:I, s:{s:i}, s:s, s:[{s:s}]}", "case_id", (json_int_t)m->case_a, "ratings",
                   "costs_nothing", 11, "outcome", "chosen", "chosen", "service_id", m->walk),
         400, "ratings.costs_nothing"},
        {JF_LW,
         json_pack("{s:I, s:{s:i}, s:s, s:[{s:s}]}", "case_id", (json_int_t)m->case_a, "ratings",
                   "free_biscuits", 5, "outcome", "chosen", "chosen", "service_id", m->walk),
         400, "ratings.free_biscuits"},
        {JF_LW,
         json_pack("{s:I, s:s, s:[{s:s}]}", "case_id", (json_int_t)m->case_a, "outcome", "chosen",
                   "chosen", "service_id", "no-such-service"),
         400, "chosen[0].service_id"},
        {JF_LW,
         json_pack("{s:I, s:[s], s:s}", "case_id", (json_int_t)m->case_a, "considered",
                   "no-such-service", "outcome", "not_now"),
         400, "considered[0]"},
        {JF_LW,
         json_pack("{s:I, s:s, s:[]}", "case_id", (json_int_t)m->case_a, "outcome", "chosen",
                   "chosen"),
         400, "chosen"},
        {JF_LW,
         json_pack("{s:I, s:s, s:[{s:s}]}", "case_id", (json_int_t)m->case_a, "outcome", "not_now",
                   "chosen", "service_id", m->walk),
         400, "chosen"},
        {JF_LW, json_pack("{s:I, s:s}", "case_id", (json_int_t)m->case_a, "outcome", "maybe"), 400,
         "outcome"},
        /* Another organisation's case: as if it did not exist. */
        {JF_LW2,
         json_pack("{s:I, s:s, s:[{s:s}]}", "case_id", (json_int_t)m->case_a, "outcome", "chosen",
                   "chosen", "service_id", m->walk),
         404, "case_id"},
        /* A full service needs a reason to send to it. */
        {JF_LW,
         json_pack("{s:I, s:s, s:[{s:s}]}", "case_id", (json_int_t)m->case_a, "outcome", "chosen",
                   "chosen", "service_id", m->allotment),
         409, "chosen[0].override_reason"},
        /* Nobody in linkwell answers for an imported listing: a signpost, not a referral. */
        {JF_LW,
         json_pack("{s:I, s:s, s:[{s:s}]}", "case_id", (json_int_t)m->case_a, "outcome", "chosen",
                   "chosen", "service_id", m->tuesday),
         409, "chosen[0].service_id"},
        /* A clinician's decision is direct: no case, and consent for what is chosen. */
        {JF_DOC, json_pack("{s:I, s:s}", "case_id", (json_int_t)m->case_a, "outcome", "not_now"),
         400, "case_id"},
        {JF_DOC,
         json_pack("{s:{s:s, s:s, s:s}, s:s, s:[{s:s}]}", "person", "given_name", "Hal",
                   "family_name", "Brook", "date_of_birth", "1990-01-01", "outcome", "chosen",
                   "chosen", "service_id", m->walk),
         400, "consent"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "bad decision %zu", i);
        jf_problem(jf_call(f, cases[i].who, "POST", "/api/v1/decisions", cases[i].body),
                   cases[i].status, cases[i].field, what);
    }
    assert_int_equal(rows(m, "decisions"), d0);
    assert_int_equal(rows(m, "prescriptions"), x0);
    assert_int_equal(rows(m, "people"), p0);
    assert_int_equal(rows(m, "decision_prescriptions"), 0);

    /* Reads: ratings out of range or unknown, another service's case, wrong roles. */
    jf_problem(jf_callf(f, JF_LW, "GET", NULL,
                        "/api/v1/cases/%lld/decision-aid?ratings=costs_nothing:-1",
                        (long long)m->case_a),
               400, "ratings.costs_nothing", "rating below 0");
    jf_problem(jf_callf(f, JF_LW, "GET", NULL, "/api/v1/cases/%lld/decision-aid?ratings=unicorns:3",
                        (long long)m->case_a),
               400, "ratings.unicorns", "unknown question");
    jf_problem(matches(m, JF_LW2, m->case_a, ""), 404, NULL, "other service's matches");
    jf_problem(
        jf_callf(f, JF_LW2, "GET", NULL, "/api/v1/cases/%lld/decision-aid", (long long)m->case_a),
        404, NULL, "other service's decision aid");
    jf_problem(
        jf_callf(f, JF_LW2, "GET", NULL, "/api/v1/cases/%lld/decisions", (long long)m->case_a), 404,
        NULL, "other service's decisions");
    assert_true(th_sql_countf(f->s,
                              "SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND "
                              "resource_id = '%lld' AND action IN ('case.matches', "
                              "'case.decision_aid', 'decision.list', 'decision.create')",
                              (long long)m->case_a) >= 4);
    jf_problem(matches(m, JF_LW, m->case_a, "?page=51&per_page=20"), 400, "page", "too deep");
    jf_problem(matches(m, JF_LW, m->case_a, "?excluded=perhaps"), 400, "excluded", "excluded");
    jf_problem(matches(m, JF_DOC, m->case_a, ""), 403, NULL, "clinician on a case");
    jf_problem(jf_call(f, JF_LW, "POST", "/api/v1/matches",
                       json_pack("{s:{s:s, s:s, s:s}}", "person", "given_name", "A", "family_name",
                                 "B", "date_of_birth", "1990-01-01")),
               403, NULL, "direct form for a link worker");
    jf_problem(jf_call(f, JF_DOC, "POST", "/api/v1/matches",
                       json_pack("{s:{s:s, s:s, s:s}, s:{s:i}}", "person", "given_name", "A",
                                 "family_name", "B", "date_of_birth", "1990-01-01", "preferences",
                                 "max_km", 9000)),
               400, "preferences.max_km", "direct preferences");
    jf_problem(jf_call(f, JF_DOC, "POST", "/api/v1/decision-aid",
                       json_pack("{s:{s:s, s:s, s:s}, s:{s:i}}", "person", "given_name", "A",
                                 "family_name", "B", "date_of_birth", "1990-01-01", "ratings",
                                 "outdoors", 12)),
               400, "ratings.outdoors", "direct rating");
    /* A person the clinician does not prescribe for. */
    long long pid = th_sql_count(f->s, "SELECT min(id) FROM people");
    jf_problem(jf_call(f, JF_DOC2, "POST", "/api/v1/matches",
                       json_pack("{s:I}", "person_id", (json_int_t)pid)),
               404, "person_id", "someone else's person");
    assert_int_equal(rows(m, "decisions"), d0);
}

static void admins_edit_the_categories_text(void **state) {
    mf *m = *state;
    jf *f = m->f;
    th_resp *r = jf_call(f, JF_PROV, "GET", "/api/v1/decision-aid/categories", NULL);
    jf_expect(r, 200, "categories");
    documented(f, r, "AidCategoryList");
    assert_true(json_array_size(json_object_get(r->json, "categories")) >= 10);
    th_resp_free(r);
    jf_problem(jf_call(f, JF_ADMIN, "PUT", "/api/v1/decision-aid/categories/knitting_circles",
                       json_pack("{s:s}", "name", "Knitting")),
               404, "id", "unknown category");
    jf_problem(jf_call(f, JF_ADMIN, "PUT", "/api/v1/decision-aid/categories/walking",
                       json_pack("{s:s, s:[]}", "name", "Walks", "pros")),
               400, "pros", "no pros");
    jf_problem(jf_call(f, JF_LW, "PUT", "/api/v1/decision-aid/categories/walking",
                       json_pack("{s:s}", "name", "Walks")),
               403, NULL, "link worker editing");
    assert_int_equal(rows(m, "aid_categories"), 0);
    r = jf_call(f, JF_ADMIN, "PUT", "/api/v1/decision-aid/categories/walking",
                json_pack("{s:s, s:[s]}", "name", "Walking for health", "pros",
                          "Our walk leaders are trained in mental health first aid."));
    jf_expect(r, 200, "edit");
    documented(f, r, "AidCategory");
    assert_string_equal(jf_str(r->json, "name"), "Walking for health");
    th_resp_free(r);
    r = jf_callf(f, JF_LW, "GET", NULL, "/api/v1/cases/%lld/decision-aid", (long long)m->case_a);
    json_t *w = category(r->json, "walking");
    assert_non_null(w);
    assert_string_equal(jf_str(w, "name"), "Walking for health");
    assert_int_equal(json_array_size(json_object_get(w, "pros")), 1);
    assert_true(json_array_size(json_object_get(w, "cons")) > 1); /* unchanged */
    th_resp_free(r);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action = "
                                        "'aid_category.update' AND resource_id = 'walking'"),
                     1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(matches_explain_themselves_in_a_stable_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(three_facilitators_decide_and_the_provider_sees_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bad_input_is_refused_with_nothing_written, setup, teardown),
        cmocka_unit_test_setup_teardown(admins_edit_the_categories_text, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
