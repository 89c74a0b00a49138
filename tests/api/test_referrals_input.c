/*
 * Bad input to the referral journey: missing fields, wrong types, unknown
 * need domains, dates of birth in the future, invalid NHS numbers, oversized
 * notes, transitions the state does not allow. Each is a 4xx problem naming
 * the field, and leaves every table exactly as it was.
 */
#include "journey_fixture.h"

typedef struct fx {
    jf *f;
    int64_t ref, case_id, rx;
} fx;

static int setup(void **state) {
    fx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->f = jf_start();
    x->ref = jf_refer(x->f, JF_GP, "Mary", JF_NHS, 1);
    x->case_id = jf_accept(x->f, x->ref);
    x->rx = jf_prescribe(x->f, x->case_id, "svc-garden", "referral");
    *state = x;
    return 0;
}

static int teardown(void **state) {
    fx *x = *state;
    jf_stop(x->f);
    free(x);
    return 0;
}

static const char *const tables[] = {
    "people",     "referrals",    "cases",         "case_contacts",           "case_needs",
    "case_goals", "case_actions", "prescriptions", "prescription_attendance", "feedback_messages",
    "funds"};
#define NTABLES (sizeof tables / sizeof tables[0])

static void snapshot(jf *f, char **out) {
    for (size_t t = 0; t < NTABLES; t++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY id", tables[t]);
        out[t] = th_sql_text(f->s, sql);
    }
}

/* A referral body with PATCH applied: each key of PATCH replaces (or, when null, removes)
 * a top-level member; "person.X" keys do the same inside person. */
static json_t *referral_with(jf *f, json_t *patch) {
    json_t *b = jf_referral_body(f->lws, "Ann", "Jones", "1960-01-01", NULL, 1);
    const char *key;
    json_t *v;
    json_object_foreach(patch, key, v) {
        json_t *target = b;
        const char *k = key;
        if (strncmp(key, "person.", 7) == 0) {
            target = json_object_get(b, "person");
            k = key + 7;
        }
        if (json_is_null(v))
            json_object_del(target, k);
        else
            json_object_set(target, k, v);
    }
    json_decref(patch);
    return b;
}

static char *repeat(char c, size_t n) {
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void bad_referrals(void **state) {
    fx *x = *state;
    jf *f = x->f;
    char *before[NTABLES];
    snapshot(f, before);
    char *huge = repeat('a', 4001);
    static const struct {
        const char *patch; /* JSON */
        const char *field;
    } cases[] = {
        {"{\"person\": null}", "person"},
        {"{\"person\": \"Ann\"}", "person"},
        {"{\"person.given_name\": null}", "person.given_name"},
        {"{\"person.given_name\": \"\"}", "person.given_name"},
        {"{\"person.given_name\": 7}", "person.given_name"},
        {"{\"person.family_name\": \"\\u0007bell\"}", "person.family_name"},
        {"{\"person.date_of_birth\": null}", "person.date_of_birth"},
        {"{\"person.date_of_birth\": \"2999-01-01\"}", "person.date_of_birth"},
        {"{\"person.date_of_birth\": \"1960-02-30\"}", "person.date_of_birth"},
        {"{\"person.date_of_birth\": \"01/01/1960\"}", "person.date_of_birth"},
        {"{\"person.nhs_number\": \"9434765918\"}", "person.nhs_number"},
        {"{\"person.nhs_number\": \"12345\"}", "person.nhs_number"},
        {"{\"person.nhs_number\": 9434765919}", "person.nhs_number"},
        {"{\"person.postcode\": \"nowhere\"}", "person.postcode"},
        {"{\"person.email\": \"not an email\"}", "person.email"},
        {"{\"person.shoe_size\": 9}", "person.shoe_size"},
        {"{\"reasons\": null}", "reasons"},
        {"{\"reasons\": []}", "reasons"},
        {"{\"reasons\": \"isolation\"}", "reasons"},
        {"{\"reasons\": [\"isolation\", \"loneliness\"]}", "reasons[1]"},
        {"{\"reasons\": [\"mood\", \"mood\"]}", "reasons[1]"},
        {"{\"reasons\": [7]}", "reasons[0]"},
        {"{\"urgency\": \"asap\"}", "urgency"},
        {"{\"consent\": null}", "consent"},
        {"{\"consent\": {\"given_on\": \"2026-01-01\"}}", "consent.share"},
        {"{\"consent\": {\"share\": \"yes\"}}", "consent.share"},
        {"{\"consent\": {\"share\": true, \"given_on\": \"2999-01-01\"}}", "consent.given_on"},
        {"{\"consent\": {\"share\": true, \"by\": \"x\"}}", "consent.by"},
        {"{\"to_organisation_id\": null}", "to_organisation_id"},
        {"{\"to_organisation_id\": \"3\"}", "to_organisation_id"},
        {"{\"to_organisation_id\": 99999}", "to_organisation_id"},
        {"{\"colour\": \"blue\"}", "colour"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *patch = json_loads(cases[i].patch, 0, NULL);
        assert_non_null(patch);
        th_resp *r = jf_call(f, JF_GP, "POST", "/api/v1/referrals", referral_with(f, patch));
        jf_problem(r, 400, cases[i].field, cases[i].patch);
    }
    /* A referral to an organisation that is not a link worker service. */
    jf_problem(
        jf_call(f, JF_GP, "POST", "/api/v1/referrals",
                referral_with(f, json_pack("{s:I}", "to_organisation_id", (json_int_t)f->vcse))),
        400, "to_organisation_id", "to a provider");
    /* Oversized details. */
    jf_problem(jf_call(f, JF_GP, "POST", "/api/v1/referrals",
                       referral_with(f, json_pack("{s:s}", "details", huge))),
               400, "details", "huge details");
    /* Not JSON, not an object. */
    th_resp *r = th_call(f->s, &f->who[JF_GP], "POST", "/api/v1/referrals", "{\"person\": ");
    th_assert_problem(r, 400);
    th_resp_free(r);
    r = th_call(f->s, &f->who[JF_GP], "POST", "/api/v1/referrals", "[1, 2]");
    th_assert_problem(r, 400);
    th_resp_free(r);
    free(huge);
    char *after[NTABLES];
    snapshot(f, after);
    for (size_t t = 0; t < NTABLES; t++) {
        if (strcmp(before[t], after[t]) != 0)
            fail_msg("table %s changed", tables[t]);
        free(before[t]);
        free(after[t]);
    }
}

static void bad_changes(void **state) {
    fx *x = *state;
    jf *f = x->f;
    char *before[NTABLES];
    snapshot(f, before);
    char *huge = repeat('n', 4001);
    char ref[64], cs[64], contacts[80], goals[80], actions[80], rx[64], rxs[80], att[80];
    snprintf(ref, sizeof ref, "/api/v1/referrals/%lld/status", (long long)x->ref);
    snprintf(cs, sizeof cs, "/api/v1/cases/%lld", (long long)x->case_id);
    snprintf(contacts, sizeof contacts, "%s/contacts", cs);
    snprintf(goals, sizeof goals, "%s/goals", cs);
    snprintf(actions, sizeof actions, "%s/actions", cs);
    snprintf(rx, sizeof rx, "/api/v1/prescriptions/%lld", (long long)x->rx);
    snprintf(rxs, sizeof rxs, "%s/status", rx);
    snprintf(att, sizeof att, "%s/attendance", rx);
    char today[16];
    jf_today(f, today);
    const struct {
        int who;
        const char *method, *path;
        json_t *body;
        long status;
        const char *field;
    } cases[] = {
        /* referral transitions */
        {JF_LW, "POST", ref, json_pack("{s:s}", "status", "received"), 409, "status"},
        {JF_LW, "POST", ref, json_pack("{s:s, s:s}", "status", "declined", "reason", "duplicate"),
         409, "status"},
        {JF_LW, "POST", ref, json_pack("{s:s}", "status", "closed"), 400, "reason"},
        {JF_LW, "POST", ref, json_pack("{s:s, s:s}", "status", "closed", "reason", "happy"), 400,
         "reason"},
        {JF_LW, "POST", ref, json_pack("{s:s, s:s}", "status", "in_progress", "note", huge), 400,
         "note"},
        {JF_LW, "POST", ref, json_pack("{s:i}", "status", 3), 400, "status"},
        {JF_LW, "POST", ref, json_pack("{}"), 400, "status"},
        /* the case */
        {JF_LW, "PATCH", cs, json_pack("{s:s}", "support_level", "heavy"), 400, "support_level"},
        {JF_LW, "PATCH", cs, json_pack("{s:s}", "what_matters", huge), 400, "what_matters"},
        {JF_LW, "PATCH", cs,
         json_pack("{s:[{s:s, s:i}]}", "needs", "domain", "pets", "importance", 5), 400,
         "needs[0].domain"},
        {JF_LW, "PATCH", cs,
         json_pack("{s:[{s:s, s:i}]}", "needs", "domain", "mood", "importance", 11), 400,
         "needs[0].importance"},
        {JF_LW, "PATCH", cs,
         json_pack("{s:[{s:s, s:i}, {s:s, s:i}]}", "needs", "domain", "mood", "importance", 3,
                   "domain", "mood", "importance", 4),
         400, "needs[1].domain"},
        {JF_LW, "PATCH", cs, json_pack("{s:I}", "assignee_id", (json_int_t)f->user[JF_LW2]), 400,
         "assignee_id"},
        {JF_LW, "PATCH", cs, json_pack("{}"), 400, NULL},
        {JF_LW, "POST", contacts,
         json_pack("{s:s, s:s, s:i}", "date", "2999-01-01", "mode", "phone", "minutes", 10), 400,
         "date"},
        {JF_LW, "POST", contacts,
         json_pack("{s:s, s:s, s:i}", "date", "2026-01-01", "mode", "pigeon", "minutes", 10), 400,
         "mode"},
        {JF_LW, "POST", contacts,
         json_pack("{s:s, s:s, s:i}", "date", "2026-01-01", "mode", "phone", "minutes", 0), 400,
         "minutes"},
        {JF_LW, "POST", contacts,
         json_pack("{s:s, s:s, s:s}", "date", "2026-01-01", "mode", "phone", "minutes", "ten"), 400,
         "minutes"},
        {JF_LW, "POST", contacts,
         json_pack("{s:s, s:s, s:i, s:s}", "date", "2026-01-01", "mode", "phone", "minutes", 10,
                   "note", huge),
         400, "note"},
        {JF_LW, "POST", goals, json_pack("{s:s, s:s}", "text", "Walk", "domain", "walking"), 400,
         "domain"},
        {JF_LW, "POST", goals, json_pack("{s:s, s:s}", "text", "Walk", "target_date", "soon"), 400,
         "target_date"},
        {JF_LW, "POST", goals, json_pack("{s:s}", "domain", "mood"), 400, "text"},
        {JF_LW, "POST", actions, json_pack("{s:s, s:s}", "who", "Mary", "what", "Call"), 400,
         "due"},
        {JF_LW, "POST", actions,
         json_pack("{s:s, s:s, s:s, s:i}", "who", "Mary", "what", "Call", "due", "2027-01-01",
                   "goal_id", 999),
         400, "goal_id"},
        /* prescriptions */
        {JF_LW, "POST", "/api/v1/prescriptions",
         json_pack("{s:I, s:s, s:s}", "case_id", (json_int_t)x->case_id, "service_id",
                   "svc-nowhere", "kind", "referral"),
         400, "service_id"},
        {JF_LW, "POST", "/api/v1/prescriptions",
         json_pack("{s:I, s:s, s:s}", "case_id", (json_int_t)x->case_id, "service_id", "svc-garden",
                   "kind", "leaflet"),
         400, "kind"},
        {JF_LW, "POST", "/api/v1/prescriptions",
         json_pack("{s:I, s:s, s:s, s:s}", "case_id", (json_int_t)x->case_id, "service_id",
                   "svc-garden", "kind", "referral", "mode", "direct"),
         400, "mode"},
        {JF_LW, "POST", "/api/v1/prescriptions",
         json_pack("{s:s, s:s}", "service_id", "svc-garden", "kind", "referral"), 400, "case_id"},
        {JF_LW, "POST", "/api/v1/prescriptions",
         json_pack("{s:I, s:s, s:s, s:i}", "case_id", (json_int_t)x->case_id, "service_id",
                   "svc-garden", "kind", "referral", "cost", 100),
         400, "fund_id"},
        {JF_DOC, "POST", "/api/v1/prescriptions",
         json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "service_id", "svc-garden", "kind", "referral",
                   "person", "given_name", "Tom", "family_name", "Baker", "date_of_birth",
                   "1975-09-09"),
         400, "consent"},
        {JF_DOC, "POST", "/api/v1/prescriptions",
         json_pack("{s:s, s:s, s:{s:b}}", "service_id", "svc-garden", "kind", "referral", "consent",
                   "share", 1),
         400, "person"},
        {JF_DOC, "POST", "/api/v1/prescriptions",
         json_pack("{s:s, s:s, s:{s:b}, s:{s:s, s:s, s:s, s:s}}", "service_id", "svc-garden",
                   "kind", "referral", "consent", "share", 1, "person", "given_name", "Tom",
                   "family_name", "Baker", "date_of_birth", "1975-09-09", "nhs_number",
                   "0000000001"),
         400, "person.nhs_number"},
        {JF_LW, "POST", rxs, json_pack("{s:s}", "status", "completed"), 409, "status"},
        {JF_LW, "POST", rxs, json_pack("{s:s, s:s}", "status", "sent", "reason", huge), 400,
         "reason"},
        {JF_LW, "POST", att, json_pack("{s:s, s:b}", "date", today, "attended", 1), 409, "status"},
        {JF_LW, "POST", att, json_pack("{s:s, s:b}", "date", "2026-01-01", "attended", 1), 400,
         "date"},
        {JF_LW, "POST", att, json_pack("{s:s}", "date", today), 400, "attended"},
        {JF_ADMIN, "POST", "/api/v1/funds",
         json_pack("{s:I, s:s, s:i}", "organisation_id", (json_int_t)f->lws, "name", "Fund",
                   "balance", -1),
         400, "balance"},
        {JF_ADMIN, "POST", "/api/v1/funds",
         json_pack("{s:I, s:s, s:i}", "organisation_id", (json_int_t)f->gp, "name", "Fund",
                   "balance", 10),
         400, "organisation_id"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[160];
        snprintf(what, sizeof what, "case %zu: %s %s", i, cases[i].method, cases[i].path);
        jf_problem(jf_call(f, cases[i].who, cases[i].method, cases[i].path, cases[i].body),
                   cases[i].status, cases[i].field, what);
    }
    free(huge);
    char *after[NTABLES];
    snapshot(f, after);
    for (size_t t = 0; t < NTABLES; t++) {
        if (strcmp(before[t], after[t]) != 0)
            fail_msg("table %s changed:\n%s\n---\n%s", tables[t], before[t], after[t]);
        free(before[t]);
        free(after[t]);
    }
}

/* A status change or attendance for a record that does not exist is a 404,
 * whatever the body holds (this once read an uninitialised record and crashed). */
static void changes_to_missing_records(void **state) {
    fx *x = *state;
    static const char *const bodies[] = {"[]", "{}", "{\"status\": \"accepted\"}",
                                         "{\"status\": \"sent\"}",
                                         "{\"date\": \"2026-11-20\", \"attended\": true}"};
    static const char *const paths[] = {"/api/v1/referrals/999999/status",
                                        "/api/v1/prescriptions/999999/status",
                                        "/api/v1/prescriptions/999999/attendance"};
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++)
        for (size_t b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
            th_resp *r = th_call(x->f->s, &x->f->who[JF_LW], "POST", paths[p], bodies[b]);
            if (r->status != 404)
                fail_msg("POST %s %s: expected 404, got %ld: %s", paths[p], bodies[b], r->status,
                         r->body);
            th_resp_free(r);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(bad_referrals, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(changes_to_missing_records, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
