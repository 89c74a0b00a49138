/*
 * Who sees what, as a matrix: every endpoint of the referral journey × every
 * role, from the record's own organisation and from another, with the exact
 * status expected, and no value or field the caller must not see anywhere in
 * any answer. Writes are sent with a body that is wrong in a way checked only
 * after access, so that "allowed" shows as 400, "another organisation's
 * record" as 404, "not your role" as 403 — and nothing changes.
 */
#include "journey_fixture.h"

/* The callers: the fixture's, plus a peer worker of the other service and a clinician of
 * another team. */
enum {
    V_ANON,
    V_GP,
    V_GP2,
    V_LW,
    V_PEER,
    V_LW2,
    V_PEER2,
    V_DOC,
    V_DOC2,
    V_DOC3,
    V_PROV,
    V_PROV2,
    V_COMM,
    V_ADMIN,
    NV
};
static const char *const vname[NV] = {"anonymous", "gp",        "gp2",          "lw",   "peer",
                                      "lw2",       "peer2",     "doc",          "doc2", "doc3",
                                      "provider",  "provider2", "commissioner", "admin"};

typedef struct mx {
    jf *f;
    th_client extra_peer2, extra_doc3;
    int64_t ref, ref_nora, case_id, goal, action, rx, rx_nora, rx_direct, fund, mary, tomasz;
} mx;

static const th_client *client(mx *m, int v) {
    static const int map[NV] = {-1,     JF_GP,   JF_GP2, JF_LW,   JF_PEER,  JF_LW2,  -1,
                                JF_DOC, JF_DOC2, -1,     JF_PROV, JF_PROV2, JF_COMM, JF_ADMIN};
    if (v == V_PEER2)
        return &m->extra_peer2;
    if (v == V_DOC3)
        return &m->extra_doc3;
    return map[v] >= 0 ? &m->f->who[map[v]] : NULL;
}

#define MARY_PHONE "07700 900123"
#define NOREEN_PHONE "07700 900555"
#define TOMASZ_PHONE "07700 900999"

static int setup(void **state) {
    mx *m = calloc(1, sizeof *m);
    assert_non_null(m);
    jf *f = m->f = jf_start();
    int64_t lws2 = f->lws2;
    int64_t cmht2 = th_org(f->s, "Southside CMHT", "cmht");
    th_user(f->s, lws2, "peer2@example.org", "peer_worker", JF_PW);
    th_token(f->s, "peer2@example.org", m->extra_peer2.bearer);
    th_user(f->s, cmht2, "doc3@example.org", "clinician_prescriber", JF_PW);
    th_token(f->s, "doc3@example.org", m->extra_doc3.bearer);

    /* Marigold: referred by the GP with consent, accepted, a case with a plan, a prescription
     * sent to the community garden. */
    th_resp *r = jf_call(f, JF_GP, "POST", "/api/v1/referrals",
                         jf_referral_body(f->lws, "Marigold", "Smithson", "1950-06-01", JF_NHS, 1));
    jf_expect(r, 201, "referral");
    m->ref = jf_int(r->json, "id");
    th_resp_free(r);
    m->case_id = jf_accept(f, m->ref);
    m->mary =
        th_sql_countf(f->s, "SELECT person_id FROM referrals WHERE id = %lld", (long long)m->ref);
    r = jf_callf(f, JF_LW, "POST",
                 json_pack("{s:s, s:s, s:i, s:s}", "date", "2026-01-06", "mode", "phone", "minutes",
                           30, "note", "Talked about her garden."),
                 "/api/v1/cases/%lld/contacts", (long long)m->case_id);
    jf_expect(r, 201, "contact");
    th_resp_free(r);
    r = jf_callf(f, JF_LW, "PATCH", json_pack("{s:s}", "what_matters", "Back to the allotment"),
                 "/api/v1/cases/%lld", (long long)m->case_id);
    jf_expect(r, 200, "what matters");
    th_resp_free(r);
    r = jf_callf(f, JF_LW, "POST", json_pack("{s:s}", "text", "Join the garden"),
                 "/api/v1/cases/%lld/goals", (long long)m->case_id);
    m->goal = jf_int(r->json, "id");
    th_resp_free(r);
    r = jf_callf(
        f, JF_LW, "POST",
        json_pack("{s:s, s:s, s:s}", "who", "Marigold", "what", "Ring them", "due", "2030-01-01"),
        "/api/v1/cases/%lld/actions", (long long)m->case_id);
    m->action = jf_int(r->json, "id");
    th_resp_free(r);
    m->rx = jf_prescribe(f, m->case_id, "svc-garden", "referral");
    jf_rx_status(f, JF_LW, m->rx, json_pack("{s:s}", "status", "sent"), 200);

    /* Noreen: referred without consent to share; her prescription reaches the provider. */
    json_t *body = jf_referral_body(f->lws, "Noreen", "Hughesworth", "1960-03-03", NULL, 0);
    json_object_set_new(json_object_get(body, "person"), "phone", json_string(NOREEN_PHONE));
    r = jf_call(f, JF_GP, "POST", "/api/v1/referrals", body);
    m->ref_nora = jf_int(r->json, "id");
    th_resp_free(r);
    int64_t case_nora = jf_accept(f, m->ref_nora);
    m->rx_nora = jf_prescribe(f, case_nora, "svc-garden", "referral");
    jf_rx_status(f, JF_LW, m->rx_nora, json_pack("{s:s}", "status", "sent"), 200);

    /* Tomasz: a direct prescription by the clinician, without consent. */
    r = jf_call(f, JF_DOC, "POST", "/api/v1/prescriptions",
                json_pack("{s:{s:s, s:s, s:s, s:s}, s:s, s:s, s:{s:b}}", "person", "given_name",
                          "Tomasz", "family_name", "Bakerman", "date_of_birth", "1975-09-09",
                          "phone", TOMASZ_PHONE, "service_id", "svc-garden", "kind", "referral",
                          "consent", "share", 0));
    jf_expect(r, 201, "direct");
    m->rx_direct = jf_int(r->json, "id");
    th_resp_free(r);
    jf_rx_status(f, JF_DOC, m->rx_direct, json_pack("{s:s}", "status", "sent"), 200);
    m->tomasz = th_sql_countf(f->s, "SELECT person_id FROM prescriptions WHERE id = %lld",
                              (long long)m->rx_direct);

    r = jf_call(f, JF_ADMIN, "POST", "/api/v1/funds",
                json_pack("{s:I, s:s, s:i}", "organisation_id", (json_int_t)f->lws, "name",
                          "Riverside spot fund", "balance", 900));
    m->fund = jf_int(r->json, "id");
    th_resp_free(r);
    /* The referrals wait long enough to be overdue. */
    th_advance(f->s, 6 * JF_DAY);
    *state = m;
    return 0;
}

static int teardown(void **state) {
    mx *m = *state;
    jf_stop(m->f);
    free(m);
    return 0;
}

/* ---- what each caller must never see ---- */

#define SECRET_NOTES "\"risks\":", "Dog in the house", "Lost her husband", "\"details\":"
#define CASE_NOTES "allotment", "Talked about her garden", "\"what_matters\":", "\"contacts\":"
#define ALL_PEOPLE                                                                                 \
    "Marigold", "Smithson", "Noreen", "Hughesworth", "Tomasz", "Bakerman", JF_NHS, MARY_PHONE,     \
        NOREEN_PHONE, TOMASZ_PHONE

static const char *const never_anon[] = {ALL_PEOPLE, SECRET_NOTES, CASE_NOTES, NULL};
/* The referrer: status, names and feedback of its own referrals; nothing of the case. */
static const char *const never_gp[] = {
    JF_NHS,       MARY_PHONE,   NOREEN_PHONE,   "Tomasz",          "Bakerman",
    "1950-06-01", "LS1 4AP",    "\"case_id\":", "\"nhs_number\":", "\"consent\":",
    "\"goals\":", "\"needs\":", "\"phone\":",   SECRET_NOTES,      CASE_NOTES,
    NULL};
static const char *const never_other_org[] = {ALL_PEOPLE, SECRET_NOTES, CASE_NOTES,
                                              "Riverside spot fund", NULL};
static const char *const never_lw[] = {"Tomasz", "Bakerman", TOMASZ_PHONE, NULL};
static const char *const never_doc[] = {
    "Marigold",   "Smithson",   "Noreen",   "Hughesworth",         JF_NHS, MARY_PHONE,
    NOREEN_PHONE, SECRET_NOTES, CASE_NOTES, "Riverside spot fund", NULL};
/* The provider: what consent allows — Marigold's details, Noreen's and Tomasz's first names
 * and references only — and never the case, the referral or the money. */
static const char *const never_provider[] = {
    JF_NHS,         "Hughesworth",   "Bakerman",  NOREEN_PHONE,   TOMASZ_PHONE,
    "1960-03-03",   "1975-09-09",    "LS1 4AP",   "\"case_id\":", "\"nhs_number\":",
    "\"address\":", "\"postcode\":", "\"cost\":", "\"fund_id\":", "\"feedback\":",
    SECRET_NOTES,   CASE_NOTES,      NULL};
static const char *const never_admin[] = {NULL};

static const char *const *never(int v) {
    switch (v) {
    case V_ANON:
    case V_COMM:
        return never_anon;
    case V_GP:
        return never_gp;
    case V_LW:
    case V_PEER:
        return never_lw;
    case V_DOC:
        return never_doc;
    case V_DOC2:
        return never_other_org; /* same team, but not the prescriber */
    case V_PROV:
        return never_provider;
    case V_ADMIN:
        return never_admin;
    default:
        return never_other_org;
    }
}

/* ---- the matrix ---- */

enum { X = 401, F = 403, N = 404, B = 400, K = 200, C = 201 };

typedef struct row {
    const char *method;
    char path[160];
    const char *body; /* NULL: none */
    int expect[NV];
} row;

static int run_row(mx *m, const row *rw) {
    int bad = 0;
    for (int v = 0; v < NV; v++) {
        th_resp *r = th_call(m->f->s, client(m, v), rw->method, rw->path, rw->body);
        if (r->status != rw->expect[v]) {
            print_error("%s %s as %s: expected %d, got %ld: %s\n", rw->method, rw->path, vname[v],
                        rw->expect[v], r->status, r->body);
            bad++;
        }
        for (const char *const *s = never(v); *s; s++)
            if (strstr(r->body, *s)) {
                print_error("%s %s as %s: the answer shows '%s': %s\n", rw->method, rw->path,
                            vname[v], *s, r->body);
                bad++;
            }
        if (r->status >= 400)
            th_assert_problem(r, r->status);
        th_resp_free(r);
    }
    return bad;
}

#define ROW(m, p, b, ...)                                                                          \
    {                                                                                              \
        m, p, b, {                                                                                 \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    }

static void access_matrix(void **state) {
    mx *m = *state;
    char p[32][160];
    long long ref = (long long)m->ref, cs = (long long)m->case_id, rx = (long long)m->rx,
              rxd = (long long)m->rx_direct, rxn = (long long)m->rx_nora;
    snprintf(p[0], 160, "/api/v1/referrals/%lld", ref);
    snprintf(p[1], 160, "/api/v1/referrals/%lld/status", ref);
    snprintf(p[2], 160, "/api/v1/referrals/%lld/assignees", ref);
    snprintf(p[3], 160, "/api/v1/referrals/%lld/duplicate", ref);
    snprintf(p[4], 160, "/api/v1/people/%lld", (long long)m->mary);
    snprintf(p[5], 160, "/api/v1/people/%lld", (long long)m->tomasz);
    snprintf(p[6], 160, "/api/v1/cases/%lld", cs);
    snprintf(p[7], 160, "/api/v1/cases/%lld/contacts", cs);
    snprintf(p[8], 160, "/api/v1/cases/%lld/goals", cs);
    snprintf(p[9], 160, "/api/v1/cases/%lld/goals/%lld", cs, (long long)m->goal);
    snprintf(p[10], 160, "/api/v1/cases/%lld/actions", cs);
    snprintf(p[11], 160, "/api/v1/cases/%lld/actions/%lld", cs, (long long)m->action);
    snprintf(p[12], 160, "/api/v1/prescriptions/%lld", rx);
    snprintf(p[13], 160, "/api/v1/prescriptions/%lld/status", rx);
    snprintf(p[14], 160, "/api/v1/prescriptions/%lld/attendance", rx);
    snprintf(p[15], 160, "/api/v1/prescriptions/%lld", rxd);
    snprintf(p[16], 160, "/api/v1/prescriptions/%lld/status", rxd);
    snprintf(p[17], 160, "/api/v1/prescriptions/%lld/attendance", rxd);
    snprintf(p[18], 160, "/api/v1/prescriptions/%lld", rxn);
    snprintf(p[19], 160, "/api/v1/funds/%lld", (long long)m->fund);
    snprintf(p[20], 160, "/api/v1/referrals/%lld", (long long)m->ref_nora);
    snprintf(p[21], 160, "/api/v1/cases/%lld/preferences", cs);
    /*                                          anon gp  gp2 lw  peer lw2 pr2 doc do2 do3 prv pv2
     * com adm */
    row rows[] = {
        ROW("GET", "/api/v1/referrals", NULL, X, K, K, K, K, K, K, K, K, K, F, F, F, K),
        ROW("GET", "/api/v1/referrals/overdue", NULL, X, F, F, K, K, K, K, F, F, F, F, F, F, K),
        ROW("POST", "/api/v1/referrals", "{\"person\": 1}", X, B, B, F, F, F, F, B, B, B, F, F, F,
            F),
        ROW("GET", "", NULL, X, K, N, K, K, N, N, N, N, N, F, F, F, K),
        ROW("POST", "", "{\"status\": \"bogus\"}", X, F, F, B, B, N, N, F, F, F, F, F, F, B),
        ROW("GET", "", NULL, X, F, F, K, K, N, N, F, F, F, F, F, F, K),
        ROW("POST", "", "{\"same_person\": \"x\"}", X, F, F, B, B, N, N, F, F, F, F, F, F, B),
        ROW("GET", "/api/v1/people", NULL, X, F, F, K, K, K, K, K, K, K, F, F, F, K),
        ROW("GET", "", NULL, X, F, F, K, K, N, N, N, N, N, F, F, F, K),
        ROW("GET", "", NULL, X, F, F, N, N, N, N, K, N, N, F, F, F, K),
        ROW("PATCH", "", "{\"phone\": 5}", X, F, F, B, B, N, N, F, F, F, F, F, F, B),
        ROW("GET", "/api/v1/cases", NULL, X, F, F, K, K, K, K, F, F, F, F, F, F, K),
        ROW("GET", "", NULL, X, F, F, K, K, N, N, F, F, F, F, F, F, K),
        ROW("PATCH", "", "{\"support_level\": 5}", X, F, F, B, B, N, N, F, F, F, F, F, F, B),
        ROW("POST", "", "{\"mode\": 5}", X, F, F, B, B, N, N, F, F, F, F, F, F, F),
        ROW("POST", "", "{\"text\": 5}", X, F, F, B, B, N, N, F, F, F, F, F, F, F),
        ROW("PATCH", "", "{\"status\": 5}", X, F, F, B, B, N, N, F, F, F, F, F, F, F),
        ROW("POST", "", "{\"who\": 5}", X, F, F, B, B, N, N, F, F, F, F, F, F, F),
        ROW("PATCH", "", "{\"done\": \"x\"}", X, F, F, B, B, N, N, F, F, F, F, F, F, F),
        ROW("PUT", "", "{\"max_km\": \"x\"}", X, F, F, B, B, N, N, F, F, F, F, F, F, B),
        ROW("POST", "/api/v1/prescriptions", "{\"kind\": 5}", X, F, F, B, B, B, B, B, B, B, F, F, F,
            F),
        ROW("GET", "/api/v1/prescriptions", NULL, X, F, F, K, K, K, K, K, K, K, K, K, F, K),
        ROW("GET", "", NULL, X, F, F, K, K, N, N, N, N, N, K, N, F, K),
        ROW("POST", "", "{\"status\": \"bogus\"}", X, F, F, B, B, N, N, N, N, N, B, N, F, F),
        ROW("POST", "", "{\"date\": 5}", X, F, F, B, B, N, N, N, N, N, B, N, F, F),
        ROW("GET", "", NULL, X, F, F, N, N, N, N, K, N, N, K, N, F, K),
        ROW("POST", "", "{\"status\": \"bogus\"}", X, F, F, N, N, N, N, B, N, N, B, N, F, F),
        ROW("POST", "", "{\"date\": 5}", X, F, F, N, N, N, N, B, N, N, B, N, F, F),
        ROW("GET", "", NULL, X, F, F, K, K, N, N, N, N, N, K, N, F, K),
        ROW("GET", "/api/v1/funds", NULL, X, F, F, K, K, K, K, F, F, F, F, F, F, K),
        ROW("POST", "/api/v1/funds", "{\"name\": 5}", X, F, F, F, F, F, F, F, F, F, F, F, F, B),
        ROW("PATCH", "", "{\"add\": \"x\"}", X, F, F, F, F, F, F, F, F, F, F, F, F, B),
        ROW("GET", "", NULL, X, K, N, K, K, N, N, N, N, N, F, F, F, K),
    };
    /* The record paths, in the order of the rows with an empty path. */
    const int paths[] = {0,  1,  2,  3,  4,  5,  4,  6,  6,  7,  8,  9,
                         10, 11, 21, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    size_t next = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (!rows[i].path[0]) {
            assert_true(next < sizeof paths / sizeof paths[0]);
            snprintf(rows[i].path, sizeof rows[i].path, "%s", p[paths[next++]]);
        }
    assert_int_equal(next, sizeof paths / sizeof paths[0]);

    /* Nothing a refused or invalid request does may change a record. */
    static const char *const tables[] = {"people",
                                         "referrals",
                                         "cases",
                                         "case_contacts",
                                         "case_needs",
                                         "case_goals",
                                         "case_actions",
                                         "prescriptions",
                                         "prescription_attendance",
                                         "feedback_messages",
                                         "funds"};
    char *before[sizeof tables / sizeof tables[0]];
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY id", tables[t]);
        before[t] = th_sql_text(m->f->s, sql);
    }
    int bad = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        bad += run_row(m, &rows[i]);
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY id", tables[t]);
        char *after = th_sql_text(m->f->s, sql);
        if (strcmp(before[t], after) != 0) {
            print_error("table %s changed during the matrix\n", tables[t]);
            bad++;
        }
        free(after);
        free(before[t]);
    }
    if (bad)
        fail_msg("%d cells of the access matrix are wrong (listed above)", bad);
}

/* Lists show each caller only their own organisation's records. */
static void lists_are_scoped(void **state) {
    mx *m = *state;
    jf *f = m->f;
    static const struct {
        int who;
        const char *path;
        int total;
    } want[] = {
        {JF_GP, "/api/v1/referrals", 2},
        {JF_GP2, "/api/v1/referrals", 0},
        {JF_LW, "/api/v1/referrals", 2},
        {JF_LW2, "/api/v1/referrals", 0},
        {JF_ADMIN, "/api/v1/referrals", 2},
        {JF_DOC, "/api/v1/referrals", 0},
        {JF_LW, "/api/v1/referrals/overdue", 0},
        {JF_LW, "/api/v1/cases", 2},
        {JF_LW2, "/api/v1/cases", 0},
        {JF_LW, "/api/v1/cases?assignee=me", 1},
        {JF_PEER, "/api/v1/cases?assignee=me", 1},
        {JF_LW, "/api/v1/people", 2},
        {JF_DOC, "/api/v1/people", 1},
        {JF_DOC2, "/api/v1/people", 0},
        {JF_ADMIN, "/api/v1/people", 3},
        {JF_PROV, "/api/v1/prescriptions", 3},
        {JF_PROV2, "/api/v1/prescriptions", 0},
        {JF_LW, "/api/v1/prescriptions", 2},
        {JF_DOC, "/api/v1/prescriptions", 1},
        {JF_DOC2, "/api/v1/prescriptions", 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        th_resp *r = jf_call(f, want[i].who, "GET", want[i].path, NULL);
        jf_expect(r, 200, want[i].path);
        if (jf_int(r->json, "total") != want[i].total)
            fail_msg("GET %s as %d: total %lld, wanted %d: %s", want[i].path, want[i].who,
                     (long long)jf_int(r->json, "total"), want[i].total, r->body);
        th_resp_free(r);
    }
    /* Both referrals are overdue after six days: accepted ones are not. */
    th_resp *r = jf_call(f, JF_GP, "POST", "/api/v1/referrals",
                         jf_referral_body(f->lws, "Late", "Person", "1970-01-01", NULL, 1));
    th_resp_free(r);
    th_advance(f->s, 5 * JF_DAY);
    r = jf_call(f, JF_LW, "GET", "/api/v1/referrals/overdue", NULL);
    assert_int_equal(jf_int(r->json, "total"), 1);
    assert_int_equal(jf_int(r->json, "overdue_days"), 5);
    assert_int_equal(
        jf_int(json_array_get(json_object_get(r->json, "contents"), 0), "days_waiting"), 5);
    th_resp_free(r);
    r = jf_call(f, JF_LW2, "GET", "/api/v1/referrals/overdue", NULL);
    assert_int_equal(jf_int(r->json, "total"), 0);
    th_resp_free(r);
}

/* Admins may read everything, and every read is in the audit log, as are refusals. */
static void admin_reads_are_audited(void **state) {
    mx *m = *state;
    jf *f = m->f;
    int64_t admin = f->user[JF_ADMIN];
    th_resp *r = jf_callf(f, JF_ADMIN, "GET", NULL, "/api/v1/referrals/%lld", (long long)m->ref);
    jf_expect(r, 200, "admin reads a referral");
    th_resp_free(r);
    r = jf_callf(f, JF_ADMIN, "GET", NULL, "/api/v1/cases/%lld", (long long)m->case_id);
    th_resp_free(r);
    r = jf_callf(f, JF_ADMIN, "GET", NULL, "/api/v1/prescriptions/%lld", (long long)m->rx);
    th_resp_free(r);
    r = jf_callf(f, JF_ADMIN, "GET", NULL, "/api/v1/people/%lld", (long long)m->mary);
    th_resp_free(r);
    static const char *const actions[][2] = {{"referral.read", "referral"},
                                             {"case.read", "case"},
                                             {"prescription.read", "prescription"},
                                             {"person.read", "person"}};
    for (size_t i = 0; i < 4; i++)
        if (th_sql_countf(f->s,
                          "SELECT count(*) FROM audit_log WHERE action = '%s' AND "
                          "resource_type = '%s' AND user_id = %lld AND role = 'admin' AND "
                          "outcome = 'ok'",
                          actions[i][0], actions[i][1], (long long)admin) < 1)
            fail_msg("admin's %s is not audited", actions[i][0]);
    /* Another service's link worker asking: 404, and audited as denied. */
    r = jf_callf(f, JF_LW2, "GET", NULL, "/api/v1/cases/%lld", (long long)m->case_id);
    jf_problem(r, 404, NULL, "other service");
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM audit_log WHERE action = 'case.read' AND "
                                   "outcome = 'denied' AND user_id = %lld",
                                   (long long)f->user[JF_LW2]),
                     1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(access_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(lists_are_scoped, setup, teardown),
        cmocka_unit_test_setup_teardown(admin_reads_are_audited, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
