/*
 * The journey from referral to closed loop, over HTTP: a GP's referral, a
 * self-referral and a direct prescription, each to the end, with what each
 * party sees on the way; the state machines' refusals; duplicate people;
 * capacity and funds.
 */
#include "journey_fixture.h"

static int setup(void **state) {
    *state = jf_start();
    return 0;
}

static int teardown(void **state) {
    jf_stop(*state);
    return 0;
}

/* The feedback event EVENT in the referral body R: its SNOMED code, or NULL when absent. */
static const char *feedback_code(const json_t *r, const char *event) {
    size_t i;
    json_t *fb;
    json_array_foreach(json_object_get(r, "feedback"), i, fb) {
        if (strcmp(jf_str(fb, "event"), event) == 0)
            return jf_str(fb, "snomed");
    }
    return NULL;
}

/* Fails when BODY holds any of the keys (anywhere, as "key":). */
static void assert_no_keys(const char *body, const char *const *keys, const char *what) {
    for (const char *const *k = keys; *k; k++) {
        char needle[64];
        snprintf(needle, sizeof needle, "\"%s\":", *k);
        if (strstr(body, needle))
            fail_msg("%s shows '%s': %s", what, *k, body);
    }
}

static const char *const case_notes[] = {"case_id",  "details", "risks",      "what_matters",
                                         "contacts", "goals",   "actions",    "needs",
                                         "consent",  "note",    "nhs_number", NULL};

/* ---- the whole journey of a GP's referral ---- */

static void gp_referral_to_closed_loop(void **state) {
    jf *f = *state;
    /* 1. The GP refers. */
    th_resp *r =
        jf_call(f, JF_GP, "POST", "/api/v1/referrals",
                jf_referral_body(f->lws, "Mary", "Smith", "1950-06-01", "943 476 5919", 1));
    jf_expect(r, 201, "referral");
    int64_t ref = jf_int(r->json, "id");
    assert_string_equal(jf_str(r->json, "status"), "received");
    assert_string_equal(jf_str(r->json, "snomed"), "871731000000106");
    assert_non_null(strstr(jf_str(r->json, "reference"), "R-"));
    assert_no_keys(r->body, case_notes, "the referrer's answer");
    th_resp_free(r);
    assert_int_equal(
        th_sql_countf(f->s, "SELECT count(*) FROM people WHERE nhs_number = '%s'", JF_NHS), 1);

    /* 2. The link worker sees everything the GP sent, and who could take it. */
    r = jf_callf(f, JF_LW, "GET", NULL, "/api/v1/referrals/%lld", (long long)ref);
    jf_expect(r, 200, "link worker reads");
    json_t *person = json_object_get(r->json, "person");
    assert_string_equal(jf_str(person, "nhs_number"), JF_NHS);
    assert_string_equal(jf_str(person, "postcode"), "LS1 4AP");
    assert_string_equal(jf_str(r->json, "risks"), "Dog in the house.");
    assert_string_equal(jf_str(r->json, "source"), "referrer");
    assert_false(json_is_true(json_object_get(r->json, "overdue")));
    th_resp_free(r);
    /* The peer worker already holds a case elsewhere, so the link worker is suggested. */
    int64_t other = jf_refer(f, JF_GP, "Zed", NULL, 1);
    th_resp *acc = jf_callf(
        f, JF_LW, "POST",
        json_pack("{s:s, s:I}", "status", "accepted", "assignee_id", (json_int_t)f->user[JF_PEER]),
        "/api/v1/referrals/%lld/status", (long long)other);
    jf_expect(acc, 200, "accept for the peer worker");
    th_resp_free(acc);
    r = jf_callf(f, JF_LW, "GET", NULL, "/api/v1/referrals/%lld/assignees", (long long)ref);
    jf_expect(r, 200, "assignees");
    assert_int_equal(jf_int(r->json, "suggested_id"), f->user[JF_LW]);
    assert_int_equal(json_array_size(json_object_get(r->json, "contents")), 2);
    th_resp_free(r);

    /* 3. Accepted: a case for the suggested worker; the GP is told. */
    int64_t case_id = jf_accept(f, ref);
    assert_int_equal(
        th_sql_countf(f->s, "SELECT assignee_id FROM cases WHERE id = %lld", (long long)case_id),
        f->user[JF_LW]);
    r = jf_callf(f, JF_GP, "GET", NULL, "/api/v1/referrals/%lld", (long long)ref);
    jf_expect(r, 200, "GP reads");
    assert_string_equal(jf_str(r->json, "status"), "accepted");
    assert_string_equal(feedback_code(r->json, "accepted"), "871731000000106");
    assert_no_keys(r->body, case_notes, "the GP's view");
    th_resp_free(r);

    /* 4. The case: a contact (the referral is now in progress), what matters, needs, goals
     *    and a plan. */
    r = jf_callf(f, JF_LW, "POST",
                 json_pack("{s:s, s:s, s:i, s:s}", "date", "2026-01-06", "mode", "home_visit",
                           "minutes", 45, "note", "Talked about her garden."),
                 "/api/v1/cases/%lld/contacts", (long long)case_id);
    jf_expect(r, 201, "contact");
    th_resp_free(r);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM referrals WHERE id = %lld AND status = "
                                   "'in_progress'",
                                   (long long)ref),
                     1);
    r = jf_callf(f, JF_LW, "PATCH",
                 json_pack("{s:s, s:s, s:[{s:s, s:i}, {s:s, s:i}]}", "what_matters",
                           "Getting back to her allotment", "support_level", "light", "needs",
                           "domain", "isolation", "importance", 9, "domain", "physical_activity",
                           "importance", 6),
                 "/api/v1/cases/%lld", (long long)case_id);
    jf_expect(r, 200, "case update");
    assert_int_equal(json_array_size(json_object_get(r->json, "needs")), 2);
    th_resp_free(r);
    r = jf_callf(f, JF_LW, "POST",
                 json_pack("{s:s, s:s, s:s}", "text", "Join the community garden", "domain",
                           "physical_activity", "target_date", "2027-03-01"),
                 "/api/v1/cases/%lld/goals", (long long)case_id);
    jf_expect(r, 201, "goal");
    int64_t goal = jf_int(r->json, "id");
    th_resp_free(r);
    r = jf_callf(f, JF_LW, "POST",
                 json_pack("{s:s, s:s, s:s, s:I}", "who", "Mary", "what", "Visit the garden", "due",
                           "2020-01-01", "goal_id", (json_int_t)goal),
                 "/api/v1/cases/%lld/actions", (long long)case_id);
    jf_expect(r, 201, "action");
    int64_t action = jf_int(r->json, "id");
    th_resp_free(r);
    /* The caseload: the overdue case first, with its next action. */
    r = jf_call(f, JF_LW, "GET", "/api/v1/cases?assignee=me", NULL);
    jf_expect(r, 200, "caseload");
    json_t *first = json_array_get(json_object_get(r->json, "contents"), 0);
    assert_int_equal(jf_int(first, "id"), case_id);
    assert_string_equal(jf_str(first, "next_action_due"), "2020-01-01");
    assert_true(json_is_true(json_object_get(first, "overdue")));
    assert_non_null(jf_str(first, "last_contact_at"));
    th_resp_free(r);
    r = jf_callf(f, JF_LW, "PATCH", json_pack("{s:b}", "done", 1),
                 "/api/v1/cases/%lld/actions/%lld", (long long)case_id, (long long)action);
    jf_expect(r, 200, "action done");
    assert_true(json_is_true(json_object_get(r->json, "done")));
    th_resp_free(r);

    /* 5. A prescription to the community garden, sent; the provider accepts. */
    int64_t rx = jf_prescribe(f, case_id, "svc-garden", "referral");
    jf_rx_status(f, JF_LW, rx, json_pack("{s:s}", "status", "sent"), 200);
    r = jf_call(f, JF_PROV, "GET", "/api/v1/prescriptions", NULL);
    jf_expect(r, 200, "provider list");
    assert_int_equal(jf_int(r->json, "total"), 1);
    json_t *item = json_array_get(json_object_get(r->json, "contents"), 0);
    assert_string_equal(jf_str(json_object_get(item, "person"), "family_name"), "Smith");
    static const char *const not_for_provider[] = {"nhs_number",   "case_id", "address", "cost",
                                                   "what_matters", "risks",   NULL};
    assert_no_keys(r->body, not_for_provider, "the provider's list");
    th_resp_free(r);
    jf_rx_status(f, JF_PROV, rx, json_pack("{s:s}", "status", "accepted"), 200);

    /* 6. The first attendance is take-up: started, and the GP hears of it. */
    char today[16];
    r = jf_callf(f, JF_PROV, "POST",
                 json_pack("{s:s, s:b}", "date", jf_today(f, today), "attended", 1),
                 "/api/v1/prescriptions/%lld/attendance", (long long)rx);
    jf_expect(r, 201, "attendance");
    assert_string_equal(jf_str(r->json, "status"), "started");
    assert_int_equal(json_array_size(json_object_get(r->json, "attendance")), 1);
    th_resp_free(r);
    r = jf_callf(f, JF_GP, "GET", NULL, "/api/v1/referrals/%lld", (long long)ref);
    assert_string_equal(feedback_code(r->json, "started"), "871731000000106");
    assert_int_equal(jf_int(r->json, "activities_started"), 1);
    th_resp_free(r);

    /* 7. The case closes with its outcome; the GP sees the closing feedback, and still no
     *    case notes. */
    r = jf_callf(f, JF_LW, "POST",
                 json_pack("{s:s, s:s}", "status", "closed", "reason", "goals_met"),
                 "/api/v1/referrals/%lld/status", (long long)ref);
    jf_expect(r, 200, "close");
    th_resp_free(r);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM cases WHERE id = %lld AND status = "
                                   "'closed' AND outcome = 'goals_met'",
                                   (long long)case_id),
                     1);
    r = jf_callf(f, JF_GP, "GET", NULL, "/api/v1/referrals/%lld", (long long)ref);
    jf_expect(r, 200, "GP reads the end");
    assert_string_equal(jf_str(r->json, "status"), "closed");
    assert_string_equal(feedback_code(r->json, "closed"), "871731000000106");
    assert_null(feedback_code(r->json, "declined"));
    assert_no_keys(r->body, case_notes, "the GP's final view");
    assert_non_null(strstr(r->body, "Activities started: 1"));
    th_resp_free(r);
    /* The outbox holds the three messages for the GP practice, undelivered. */
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM feedback_messages WHERE referral_id = "
                                   "%lld AND recipient_organisation_id = %lld AND delivered_at IS "
                                   "NULL",
                                   (long long)ref, (long long)f->gp),
                     3);
    /* Every step is in the audit log. */
    static const char *const actions[] = {"referral.create",
                                          "referral.read",
                                          "referral.status",
                                          "case.create",
                                          "case.contact",
                                          "case.update",
                                          "case.goal",
                                          "case.action",
                                          "prescription.create",
                                          "prescription.status",
                                          "prescription.attendance",
                                          "case.close",
                                          "person.create"};
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (th_sql_countf(f->s, "SELECT count(*) FROM audit_log WHERE action = '%s'", actions[i]) ==
            0)
            fail_msg("no audit row for %s", actions[i]);
}

/* A referral declined: the GP sees the declined code, and the reason. */
static void declined_referral_feedback(void **state) {
    jf *f = *state;
    int64_t ref = jf_refer(f, JF_GP, "Ann", NULL, 1);
    th_resp *r =
        jf_callf(f, JF_PEER, "POST",
                 json_pack("{s:s, s:s}", "status", "declined", "reason", "declined_by_person"),
                 "/api/v1/referrals/%lld/status", (long long)ref);
    jf_expect(r, 200, "decline");
    th_resp_free(r);
    r = jf_callf(f, JF_GP, "GET", NULL, "/api/v1/referrals/%lld", (long long)ref);
    assert_string_equal(jf_str(r->json, "status"), "declined");
    assert_string_equal(jf_str(r->json, "status_reason"), "declined_by_person");
    assert_string_equal(feedback_code(r->json, "declined"), "871711000000103");
    th_resp_free(r);
    assert_int_equal(
        th_sql_countf(f->s, "SELECT count(*) FROM cases WHERE referral_id = %lld", (long long)ref),
        0);
}

/* ---- a disk that cannot confirm a write ---- */

/* SQLite: when the log's sync fails, the referral's sender is told it may not be
 * saved (503, not 201), so is everyone after, and /healthz says so, until restart. */
static void failing_disk_refuses_writes(void **state) {
    jf *f = *state;
    if (getenv("LINKWELL_TEST_POSTGRES") && *getenv("LINKWELL_TEST_POSTGRES"))
        skip();                         /* PostgreSQL's commit is its own sync */
    jf_refer(f, JF_GP, "Ann", NULL, 1); /* the batch connection is open */
    store_test_fail_syncs(f->s->store, 1);
    for (int i = 0; i < 2; i++) {
        th_resp *r = jf_call(f, JF_GP, "POST", "/api/v1/referrals",
                             jf_referral_body(f->lws, "Bea", "Smith", "1950-06-01", NULL, 1));
        assert_int_equal(r->status, 503);
        assert_non_null(strstr(jf_str(r->json, "detail"), "disk"));
        th_resp_free(r);
    }
    th_resp *r = th_call(f->s, NULL, "GET", "/healthz", NULL);
    assert_int_equal(r->status, 503);
    assert_non_null(strstr(r->body, "restart"));
    th_resp_free(r);
}

/* ---- the self-referral journey ---- */

static void self_referral_to_closed_loop(void **state) {
    jf *f = *state;
    json_t *body = jf_referral_body(f->lws, "Sam", "Jones", "1990-02-03", NULL, 1);
    json_object_del(body, "risks");
    th_resp *r = jf_call(f, -1, "POST", "/api/v1/self-referrals", body);
    jf_expect(r, 201, "self-referral");
    assert_string_equal(jf_str(r->json, "status"), "received");
    assert_string_equal(jf_str(r->json, "snomed"), "871731000000106");
    char reference[32];
    snprintf(reference, sizeof reference, "%s", jf_str(r->json, "reference"));
    assert_null(json_object_get(r->json, "id")); /* no sequential ids to the public */
    th_resp_free(r);
    int64_t ref = th_sql_countf(f->s, "SELECT id FROM referrals WHERE reference = '%s'", reference);
    assert_true(ref > 0);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM referrals WHERE id = %lld AND source = "
                                   "'self' AND from_organisation_id IS NULL AND status = "
                                   "'received'",
                                   (long long)ref),
                     1);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM audit_log WHERE action = "
                                   "'referral.create' AND user_id IS NULL AND resource_id = "
                                   "'%lld'",
                                   (long long)ref),
                     1);
    /* No referrer sees it: it came from nobody's organisation. */
    r = jf_callf(f, JF_GP, "GET", NULL, "/api/v1/referrals/%lld", (long long)ref);
    jf_problem(r, 404, NULL, "GP reads a self-referral");

    int64_t case_id = jf_accept(f, ref);
    /* A signpost: recorded, no provider handshake; the sender marks it started. */
    int64_t rx = jf_prescribe(f, case_id, "svc-other", "signpost");
    jf_rx_status(f, JF_LW, rx, json_pack("{s:s}", "status", "sent"), 409);
    r = jf_callf(f, JF_PROV2, "GET", NULL, "/api/v1/prescriptions/%lld", (long long)rx);
    jf_problem(r, 404, NULL, "provider reads a signpost");
    jf_rx_status(f, JF_LW, rx, json_pack("{s:s}", "status", "started"), 200);
    jf_rx_status(f, JF_LW, rx, json_pack("{s:s}", "status", "completed"), 200);
    r = jf_callf(f, JF_LW, "POST",
                 json_pack("{s:s, s:s}", "status", "closed", "reason", "partly_met"),
                 "/api/v1/referrals/%lld/status", (long long)ref);
    jf_expect(r, 200, "close");
    /* The loop closes on the record: accepted, started, closed. */
    assert_string_equal(feedback_code(r->json, "accepted"), "871731000000106");
    assert_string_equal(feedback_code(r->json, "started"), "871731000000106");
    assert_string_equal(feedback_code(r->json, "closed"), "871731000000106");
    assert_int_equal(jf_int(r->json, "activities_started"), 1);
    th_resp_free(r);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM feedback_messages WHERE referral_id = "
                                   "%lld AND recipient_organisation_id IS NULL",
                                   (long long)ref),
                     3);
}

static void self_referral_honeypot_and_throttle(void **state) {
    jf *f = *state;
    long long people = th_sql_count(f->s, "SELECT count(*) FROM people");
    long long refs = th_sql_count(f->s, "SELECT count(*) FROM referrals");
    /* A bot fills the hidden field: the same answer, nothing kept. */
    json_t *body = jf_referral_body(f->lws, "Bot", "Spam", "1990-02-03", NULL, 1);
    json_object_del(body, "risks");
    json_object_set_new(body, "website", json_string("http://spam.example"));
    th_resp *r = jf_call(f, -1, "POST", "/api/v1/self-referrals", body);
    jf_expect(r, 201, "honeypot");
    assert_string_equal(jf_str(r->json, "status"), "received");
    assert_non_null(jf_str(r->json, "reference"));
    th_resp_free(r);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM people"), people);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM referrals"), refs);
    /* Risks are not a field of a self-referral. */
    body = jf_referral_body(f->lws, "Pat", "Lee", "1990-02-03", NULL, 1);
    jf_problem(jf_call(f, -1, "POST", "/api/v1/self-referrals", body), 400, "risks", "risks");
    /* Five attempts an hour from one address (the two above count), then 429 with Retry-After,
     * and nothing more is kept. */
    for (int i = 0; i < 3; i++) {
        body = jf_referral_body(f->lws, "Pat", "Lee", "1990-02-03", NULL, 1);
        json_object_del(body, "risks");
        r = jf_call(f, -1, "POST", "/api/v1/self-referrals", body);
        jf_expect(r, 201, "self-referral within the limit");
        th_resp_free(r);
    }
    refs = th_sql_count(f->s, "SELECT count(*) FROM referrals");
    body = jf_referral_body(f->lws, "Pat", "Lee", "1990-02-03", NULL, 1);
    json_object_del(body, "risks");
    r = jf_call(f, -1, "POST", "/api/v1/self-referrals", body);
    th_assert_problem(r, 429);
    char h[32];
    assert_non_null(th_header(r, "Retry-After", h, sizeof h));
    assert_true(atol(h) > 0 && atol(h) <= 3600);
    th_resp_free(r);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM referrals"), refs);
    /* After the hour, it works again. */
    th_advance(f->s, 3601LL * 1000);
    body = jf_referral_body(f->lws, "Pat", "Lee", "1990-02-03", NULL, 1);
    json_object_del(body, "risks");
    r = jf_call(f, -1, "POST", "/api/v1/self-referrals", body);
    jf_expect(r, 201, "after the window");
    th_resp_free(r);
    /* The same person three times: one person record. */
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM people WHERE given_name = 'Pat'"), 1);
}

/* ---- the direct prescription journey ---- */

static void direct_prescription_closed_loop(void **state) {
    jf *f = *state;
    th_resp *r = jf_call(f, JF_DOC, "POST", "/api/v1/prescriptions",
                         json_pack("{s:{s:s, s:s, s:s, s:s}, s:s, s:s, s:{s:b}, s:s}", "person",
                                   "given_name", "Tom", "family_name", "Baker", "date_of_birth",
                                   "1975-09-09", "phone", "07700 900999", "service_id",
                                   "svc-garden", "kind", "referral", "consent", "share", 0, "note",
                                   "Decided together with the decision aid."));
    jf_expect(r, 201, "direct prescription");
    int64_t rx = jf_int(r->json, "id");
    assert_string_equal(jf_str(r->json, "mode"), "direct");
    assert_string_equal(jf_str(r->json, "status"), "proposed");
    assert_true(json_is_null(json_object_get(r->json, "case_id")));
    th_resp_free(r);
    /* Not yet sent: the provider does not see it. */
    r = jf_callf(f, JF_PROV, "GET", NULL, "/api/v1/prescriptions/%lld", (long long)rx);
    jf_problem(r, 404, NULL, "provider before sending");
    jf_rx_status(f, JF_DOC, rx, json_pack("{s:s}", "status", "sent"), 200);
    /* Sent, without consent: the provider sees the first name and the reference only. */
    r = jf_callf(f, JF_PROV, "GET", NULL, "/api/v1/prescriptions/%lld", (long long)rx);
    jf_expect(r, 200, "provider reads");
    json_t *person = json_object_get(r->json, "person");
    assert_string_equal(jf_str(person, "given_name"), "Tom");
    assert_non_null(strstr(jf_str(person, "reference"), "P-"));
    assert_int_equal(json_object_size(person), 2);
    assert_null(strstr(r->body, "Baker"));
    assert_null(strstr(r->body, "07700"));
    assert_null(strstr(r->body, "1975"));
    th_resp_free(r);
    /* The other clinician of the same team does not see it; the prescriber does. */
    r = jf_callf(f, JF_DOC2, "GET", NULL, "/api/v1/prescriptions/%lld", (long long)rx);
    jf_problem(r, 404, NULL, "another clinician");
    jf_rx_status(f, JF_PROV, rx, json_pack("{s:s}", "status", "waitlisted"), 200);
    jf_rx_status(f, JF_PROV, rx, json_pack("{s:s}", "status", "accepted"), 200);
    char day[16];
    r = jf_callf(f, JF_PROV, "POST",
                 json_pack("{s:s, s:b}", "date", jf_today(f, day), "attended", 0),
                 "/api/v1/prescriptions/%lld/attendance", (long long)rx);
    jf_expect(r, 201, "missed session");
    assert_string_equal(jf_str(r->json, "status"), "accepted");
    th_resp_free(r);
    th_advance(f->s, 7 * JF_DAY);
    r = jf_callf(f, JF_PROV, "POST",
                 json_pack("{s:s, s:b}", "date", jf_today(f, day), "attended", 1),
                 "/api/v1/prescriptions/%lld/attendance", (long long)rx);
    jf_expect(r, 201, "first attendance");
    assert_string_equal(jf_str(r->json, "status"), "started");
    th_resp_free(r);
    /* The clinician sees take-up with its code, and finishes it. */
    r = jf_callf(f, JF_DOC, "GET", NULL, "/api/v1/prescriptions/%lld", (long long)rx);
    jf_expect(r, 200, "clinician reads");
    assert_string_equal(jf_str(r->json, "status"), "started");
    assert_string_equal(feedback_code(r->json, "started"), "871731000000106");
    assert_string_equal(jf_str(json_object_get(r->json, "person"), "family_name"), "Baker");
    th_resp_free(r);
    jf_rx_status(f, JF_DOC, rx, json_pack("{s:s}", "status", "completed"), 200);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM feedback_messages WHERE "
                                   "prescription_id = %lld AND referral_id IS NULL AND "
                                   "recipient_organisation_id = %lld",
                                   (long long)rx, (long long)f->cmht),
                     1);
    /* The clinician's people list has Tom; the other clinician's does not. */
    r = jf_call(f, JF_DOC, "GET", "/api/v1/people", NULL);
    assert_int_equal(jf_int(r->json, "total"), 1);
    th_resp_free(r);
    r = jf_call(f, JF_DOC2, "GET", "/api/v1/people", NULL);
    assert_int_equal(jf_int(r->json, "total"), 0);
    th_resp_free(r);
}

/* ---- state machines through the API ---- */

static void referral_transitions_refused_with_allowed_named(void **state) {
    jf *f = *state;
    int64_t ref = jf_refer(f, JF_GP, "Ann", NULL, 1);
    /* received → closed is not a step: 409 naming accepted and declined. */
    th_resp *r = jf_callf(f, JF_LW, "POST",
                          json_pack("{s:s, s:s}", "status", "closed", "reason", "goals_met"),
                          "/api/v1/referrals/%lld/status", (long long)ref);
    th_assert_problem(r, 409);
    const char *detail = jf_str(r->json, "detail");
    assert_non_null(strstr(detail, "accepted"));
    assert_non_null(strstr(detail, "declined"));
    assert_string_equal(jf_str(r->json, "field"), "status");
    th_resp_free(r);
    jf_accept(f, ref);
    /* Accepted twice: 409, and still one case. */
    r = jf_callf(f, JF_LW, "POST", json_pack("{s:s}", "status", "accepted"),
                 "/api/v1/referrals/%lld/status", (long long)ref);
    th_assert_problem(r, 409);
    assert_non_null(strstr(jf_str(r->json, "detail"), "in_progress"));
    th_resp_free(r);
    assert_int_equal(
        th_sql_countf(f->s, "SELECT count(*) FROM cases WHERE referral_id = %lld", (long long)ref),
        1);
    /* Declining needs a listed reason; closing an outcome. */
    int64_t ref2 = jf_refer(f, JF_GP, "Bob", NULL, 1);
    r = jf_callf(f, JF_LW, "POST", json_pack("{s:s, s:s}", "status", "declined", "reason", "bored"),
                 "/api/v1/referrals/%lld/status", (long long)ref2);
    jf_problem(r, 400, "reason", "unknown decline reason");
    r = jf_callf(f, JF_LW, "POST", json_pack("{s:s}", "status", "declined"),
                 "/api/v1/referrals/%lld/status", (long long)ref2);
    jf_problem(r, 400, "reason", "no decline reason");
    r = jf_callf(f, JF_LW, "POST", json_pack("{s:s}", "status", "finished"),
                 "/api/v1/referrals/%lld/status", (long long)ref2);
    jf_problem(r, 400, "status", "unknown state");
    r = jf_callf(
        f, JF_LW, "POST",
        json_pack("{s:s, s:I}", "status", "accepted", "assignee_id", (json_int_t)f->user[JF_LW2]),
        "/api/v1/referrals/%lld/status", (long long)ref2);
    jf_problem(r, 400, "assignee_id", "a worker of another service");
    r = jf_callf(f, JF_LW, "POST",
                 json_pack("{s:s, s:s}", "status", "declined", "reason", "duplicate"),
                 "/api/v1/referrals/%lld/status", (long long)ref2);
    jf_expect(r, 200, "decline");
    th_resp_free(r);
    r = jf_callf(f, JF_LW, "POST", json_pack("{s:s}", "status", "accepted"),
                 "/api/v1/referrals/%lld/status", (long long)ref2);
    th_assert_problem(r, 409);
    assert_non_null(strstr(jf_str(r->json, "detail"), "final"));
    th_resp_free(r);
}

static void prescription_transitions_capacity_and_funds(void **state) {
    jf *f = *state;
    int64_t case_id = jf_accept(f, jf_refer(f, JF_GP, "Ann", NULL, 1));
    /* No capacity: refused unless an override reason is given. */
    int64_t full = jf_prescribe(f, case_id, "svc-full", "referral");
    th_resp *r = jf_callf(f, JF_LW, "POST", json_pack("{s:s}", "status", "sent"),
                          "/api/v1/prescriptions/%lld/status", (long long)full);
    jf_problem(r, 409, "override_reason", "no capacity");
    jf_rx_status(f, JF_LW, full,
                 json_pack("{s:s, s:s}", "status", "sent", "override_reason",
                           "The leader knows her and has a place"),
                 200);
    /* A service nobody in linkwell answers for cannot be sent to. */
    int64_t orphan = jf_prescribe(f, case_id, "svc-orphan", "referral");
    r = jf_callf(f, JF_LW, "POST", json_pack("{s:s}", "status", "sent"),
                 "/api/v1/prescriptions/%lld/status", (long long)orphan);
    jf_problem(r, 409, "service_id", "orphan service");
    /* Only the provider answers, only the sender sends, and a referral starts by attendance. */
    int64_t rx = jf_prescribe(f, case_id, "svc-garden", "referral");
    jf_rx_status(f, JF_LW, rx, json_pack("{s:s}", "status", "accepted"), 409);
    jf_rx_status(f, JF_LW, rx, json_pack("{s:s}", "status", "sent"), 200);
    jf_rx_status(f, JF_LW, rx, json_pack("{s:s}", "status", "accepted"), 403);
    jf_rx_status(f, JF_PROV, rx, json_pack("{s:s}", "status", "declined"), 400); /* no reason */
    jf_rx_status(f, JF_PROV, rx, json_pack("{s:s}", "status", "accepted"), 200);
    jf_rx_status(f, JF_PROV, rx, json_pack("{s:s}", "status", "started"), 403);
    r = jf_callf(f, JF_PROV, "POST", json_pack("{s:s}", "status", "completed"),
                 "/api/v1/prescriptions/%lld/status", (long long)rx);
    th_assert_problem(r, 409);
    assert_non_null(strstr(jf_str(r->json, "detail"), "started"));
    assert_non_null(strstr(jf_str(r->json, "detail"), "dropped_out"));
    th_resp_free(r);
    /* Attendance: one entry a day, not in the future. */
    r = jf_callf(f, JF_PROV, "POST", json_pack("{s:s, s:b}", "date", "2099-01-01", "attended", 1),
                 "/api/v1/prescriptions/%lld/attendance", (long long)rx);
    jf_problem(r, 400, "date", "future attendance");
    char today[16];
    jf_today(f, today);
    r = jf_callf(f, JF_PROV, "POST", json_pack("{s:s, s:b}", "date", today, "attended", 1),
                 "/api/v1/prescriptions/%lld/attendance", (long long)rx);
    jf_expect(r, 201, "attendance today");
    th_resp_free(r);
    r = jf_callf(f, JF_PROV, "POST", json_pack("{s:s, s:b}", "date", today, "attended", 1),
                 "/api/v1/prescriptions/%lld/attendance", (long long)rx);
    jf_problem(r, 409, "date", "attendance twice");

    /* Funds: a cost is drawn at once; the balance never goes below zero. */
    r = jf_call(f, JF_ADMIN, "POST", "/api/v1/funds",
                json_pack("{s:I, s:s, s:i}", "organisation_id", (json_int_t)f->lws, "name",
                          "Spot purchase", "balance", 5000));
    jf_expect(r, 201, "fund");
    int64_t fund = jf_int(r->json, "id");
    th_resp_free(r);
    r = jf_call(f, JF_LW, "POST", "/api/v1/prescriptions",
                json_pack("{s:I, s:s, s:s, s:i, s:I}", "case_id", (json_int_t)case_id, "service_id",
                          "svc-other", "kind", "referral", "cost", 4000, "fund_id",
                          (json_int_t)fund));
    jf_expect(r, 201, "paid prescription");
    int64_t paid = jf_int(r->json, "id");
    th_resp_free(r);
    long long rxs = th_sql_count(f->s, "SELECT count(*) FROM prescriptions");
    r = jf_call(f, JF_LW, "POST", "/api/v1/prescriptions",
                json_pack("{s:I, s:s, s:s, s:i, s:I}", "case_id", (json_int_t)case_id, "service_id",
                          "svc-other", "kind", "referral", "cost", 1001, "fund_id",
                          (json_int_t)fund));
    jf_problem(r, 409, "cost", "overdrawn");
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM prescriptions"), rxs);
    assert_int_equal(
        th_sql_countf(f->s, "SELECT balance FROM funds WHERE id = %lld", (long long)fund), 1000);
    /* Another service's fund is not theirs to spend. */
    r = jf_call(f, JF_ADMIN, "POST", "/api/v1/funds",
                json_pack("{s:I, s:s, s:i}", "organisation_id", (json_int_t)f->lws2, "name",
                          "Hillside fund", "balance", 5000));
    int64_t other_fund = jf_int(r->json, "id");
    th_resp_free(r);
    r = jf_call(f, JF_LW, "POST", "/api/v1/prescriptions",
                json_pack("{s:I, s:s, s:s, s:i, s:I}", "case_id", (json_int_t)case_id, "service_id",
                          "svc-other", "kind", "referral", "cost", 10, "fund_id",
                          (json_int_t)other_fund));
    jf_problem(r, 400, "fund_id", "another service's fund");
    /* Declined by the provider: the cost goes back. */
    jf_rx_status(f, JF_LW, paid, json_pack("{s:s}", "status", "sent"), 200);
    jf_rx_status(f, JF_PROV2, paid,
                 json_pack("{s:s, s:s}", "status", "declined", "reason", "Not suitable for her"),
                 200);
    assert_int_equal(
        th_sql_countf(f->s, "SELECT balance FROM funds WHERE id = %lld", (long long)fund), 5000);
    r = jf_call(f, JF_LW, "GET", "/api/v1/funds", NULL);
    jf_expect(r, 200, "funds");
    assert_int_equal(json_array_size(json_object_get(r->json, "contents")), 1);
    th_resp_free(r);
}

/* Open prescriptions count against a service's places. */
static void open_prescriptions_fill_capacity(void **state) {
    jf *f = *state;
    jf_sql(f, "UPDATE services SET capacity = 1 WHERE id = 'svc-garden'");
    int64_t case_id = jf_accept(f, jf_refer(f, JF_GP, "Ann", NULL, 1));
    int64_t a = jf_prescribe(f, case_id, "svc-garden", "referral");
    int64_t b = jf_prescribe(f, case_id, "svc-garden", "referral");
    jf_rx_status(f, JF_LW, a, json_pack("{s:s}", "status", "sent"), 200);
    th_resp *r = jf_callf(f, JF_LW, "POST", json_pack("{s:s}", "status", "sent"),
                          "/api/v1/prescriptions/%lld/status", (long long)b);
    jf_problem(r, 409, "override_reason", "the one place is taken");
    /* The first is declined: its place is free again. */
    jf_rx_status(f, JF_PROV, a, json_pack("{s:s, s:s}", "status", "declined", "reason", "Full"),
                 200);
    jf_rx_status(f, JF_LW, b, json_pack("{s:s}", "status", "sent"), 200);
}

/* ---- people: matching and duplicates ---- */

static void people_are_matched_and_conflicts_flagged(void **state) {
    jf *f = *state;
    int64_t r1 = jf_refer(f, JF_GP, "Mary", JF_NHS, 1);
    /* Same NHS number, another spelling: the same person. */
    th_resp *r = jf_call(f, JF_GP2, "POST", "/api/v1/referrals",
                         jf_referral_body(f->lws, "Marie", "Smyth", "1950-06-01", JF_NHS, 1));
    jf_expect(r, 201, "second referral");
    int64_t r2 = jf_int(r->json, "id");
    th_resp_free(r);
    /* No NHS number, same name and date of birth: the same person. */
    int64_t r3 = jf_refer(f, JF_GP, "MARY ", NULL, 1);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM people"), 1);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(DISTINCT person_id) FROM referrals WHERE id IN "
                                   "(%lld, %lld, %lld)",
                                   (long long)r1, (long long)r2, (long long)r3),
                     1);
    /* Same name and date of birth, another NHS number: a new person, flagged, not merged. */
    int64_t r4 = jf_refer(f, JF_GP, "Mary", JF_NHS_2, 1);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM people"), 2);
    r = jf_callf(f, JF_LW, "GET", NULL, "/api/v1/referrals/%lld", (long long)r4);
    int64_t flagged = jf_int(r->json, "possible_duplicate_of");
    int64_t first_person =
        th_sql_countf(f->s, "SELECT person_id FROM referrals WHERE id = %lld", (long long)r1);
    assert_int_equal(flagged, first_person);
    th_resp_free(r);
    /* The referrer is not told about other people. */
    r = jf_callf(f, JF_GP, "GET", NULL, "/api/v1/referrals/%lld", (long long)r4);
    assert_null(json_object_get(r->json, "possible_duplicate_of"));
    th_resp_free(r);
    /* The link worker says they are different people: the flag goes, both people stay. */
    r = jf_callf(f, JF_LW, "POST", json_pack("{s:b}", "same_person", 0),
                 "/api/v1/referrals/%lld/duplicate", (long long)r4);
    jf_expect(r, 200, "not the same");
    assert_true(json_is_null(json_object_get(r->json, "possible_duplicate_of")));
    th_resp_free(r);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM people WHERE merged_into IS NULL"),
                     2);
    r = jf_callf(f, JF_LW, "POST", json_pack("{s:b}", "same_person", 1),
                 "/api/v1/referrals/%lld/duplicate", (long long)r4);
    jf_problem(r, 409, "same_person", "no flag any more");
    /* Another conflict, confirmed the same: merged into the first person. */
    json_t *body = jf_referral_body(f->lws, "Mary", "Smith", "1950-06-01", NULL, 1);
    json_object_set_new(json_object_get(body, "person"), "nhs_number", json_string("9999999999"));
    r = jf_call(f, JF_GP, "POST", "/api/v1/referrals", body);
    int64_t r5 = jf_int(r->json, "id");
    th_resp_free(r);
    int64_t new_person =
        th_sql_countf(f->s, "SELECT person_id FROM referrals WHERE id = %lld", (long long)r5);
    assert_int_not_equal(new_person, first_person);
    r = jf_callf(f, JF_LW, "POST", json_pack("{s:b}", "same_person", 1),
                 "/api/v1/referrals/%lld/duplicate", (long long)r5);
    jf_expect(r, 200, "the same");
    th_resp_free(r);
    assert_int_equal(
        th_sql_countf(f->s, "SELECT person_id FROM referrals WHERE id = %lld", (long long)r5),
        first_person);
    assert_int_equal(th_sql_countf(f->s, "SELECT merged_into FROM people WHERE id = %lld",
                                   (long long)new_person),
                     first_person);
}

static void person_update_and_read(void **state) {
    jf *f = *state;
    int64_t ref = jf_refer(f, JF_GP, "Mary", JF_NHS, 1);
    int64_t pid =
        th_sql_countf(f->s, "SELECT person_id FROM referrals WHERE id = %lld", (long long)ref);
    th_resp *r = jf_callf(f, JF_LW, "PATCH",
                          json_pack("{s:s, s:{s:s, s:i}}", "preferred_language", "Polish",
                                    "preferences", "setting", "group", "max_km", 5),
                          "/api/v1/people/%lld", (long long)pid);
    jf_expect(r, 200, "person update");
    assert_string_equal(jf_str(r->json, "preferred_language"), "Polish");
    assert_int_equal(jf_int(json_object_get(r->json, "preferences"), "max_km"), 5);
    th_resp_free(r);
    r = jf_callf(f, JF_LW, "PATCH", json_pack("{s:s}", "nhs_number", "1234567890"),
                 "/api/v1/people/%lld", (long long)pid);
    jf_problem(r, 400, "nhs_number", "bad NHS number");
    r = jf_callf(f, JF_LW2, "GET", NULL, "/api/v1/people/%lld", (long long)pid);
    jf_problem(r, 404, NULL, "another service");
    r = jf_call(f, JF_LW, "GET", "/api/v1/people?name=mar", NULL);
    jf_expect(r, 200, "people by name");
    assert_int_equal(jf_int(r->json, "total"), 1);
    th_resp_free(r);
    r = jf_call(f, JF_LW2, "GET", "/api/v1/people?name=mar", NULL);
    assert_int_equal(jf_int(r->json, "total"), 0);
    th_resp_free(r);
    assert_true(th_sql_countf(f->s,
                              "SELECT count(*) FROM audit_log WHERE action = 'person.read' AND "
                              "outcome = 'denied' AND resource_id = '%lld'",
                              (long long)pid) == 1);
}

static void case_preferences(void **state) {
    jf *f = *state;
    int64_t ref = jf_refer(f, JF_GP, "Mary", JF_NHS, 1);
    int64_t case_id = jf_accept(f, ref);
    th_resp *r = jf_callf(f, JF_PEER, "PUT",
                          json_pack("{s:[s, s], s:[s], s:[{s:s, s:s, s:s}], s:i, s:s, s:s}",
                                    "needs", "isolation", "mood", "interests", "gardening",
                                    "available", "day", "TU", "from", "09:00", "to", "12:00",
                                    "max_km", 5, "cost_limit", "free", "setting", "group"),
                          "/api/v1/cases/%lld/preferences", (long long)case_id);
    jf_expect(r, 200, "preferences");
    assert_int_equal(jf_int(r->json, "max_km"), 5);
    th_resp_free(r);
    int64_t pid =
        th_sql_countf(f->s, "SELECT person_id FROM referrals WHERE id = %lld", (long long)ref);
    r = jf_callf(f, JF_LW, "GET", NULL, "/api/v1/people/%lld", (long long)pid);
    json_t *prefs = json_object_get(r->json, "preferences");
    assert_string_equal(jf_str(prefs, "setting"), "group");
    assert_string_equal(jf_str(json_array_get(json_object_get(prefs, "available"), 0), "day"),
                        "TU");
    th_resp_free(r);
    char *before = th_sql_text(f->s, "SELECT preferences FROM people ORDER BY id");
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"available\": [{\"day\": \"XX\", \"from\": \"09:00\", \"to\": \"10:00\"}]}",
         "available[0].day"},
        {"{\"available\": [{\"day\": \"MO\", \"from\": \"11:00\", \"to\": \"10:00\"}]}",
         "available[0].to"},
        {"{\"available\": [{\"day\": \"MO\", \"from\": \"9am\", \"to\": \"10:00\"}]}",
         "available[0].from"},
        {"{\"needs\": [\"pets\"]}", "needs[0]"},
        {"{\"max_km\": 1000}", "max_km"},
        {"{\"cost_limit\": \"cheap\"}", "cost_limit"},
        {"{\"setting\": \"crowd\"}", "setting"},
        {"{\"colour\": \"blue\"}", "colour"},
    };
    char path[80];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/preferences", (long long)case_id);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        jf_problem(th_call(f->s, &f->who[JF_LW], "PUT", path, bad[i].body), 400, bad[i].field,
                   bad[i].body);
    char *after = th_sql_text(f->s, "SELECT preferences FROM people ORDER BY id");
    assert_string_equal(before, after);
    free(before);
    free(after);
    r = jf_callf(f, JF_LW2, "PUT", json_pack("{s:i}", "max_km", 3),
                 "/api/v1/cases/%lld/preferences", (long long)case_id);
    jf_problem(r, 404, NULL, "another service");
}

/* The caseload's paging: the total is right on a full page, a part page and
 * past the end (it is counted only when the page cannot tell it). */
static void caseload_pages(void **state) {
    jf *f = *state;
    const char *names[] = {"Ann", "Bob", "Cat", "Dan", "Eve"};
    for (int i = 0; i < 5; i++)
        (void)jf_accept(f, jf_refer(f, JF_GP, names[i], NULL, 1));
    int64_t mine = th_sql_countf(
        f->s, "SELECT count(*) FROM cases WHERE assignee_id = %lld AND status = 'open'",
        (long long)f->user[JF_LW]);
    assert_true(mine >= 2);
    for (int per = 1; per <= (int)mine + 1; per++)
        for (int page = 1; page <= (int)mine / per + 2; page++) {
            th_resp *r = jf_callf(f, JF_LW, "GET", NULL,
                                  "/api/v1/cases?assignee=me&per_page=%d&page=%d", per, page);
            jf_expect(r, 200, "caseload page");
            int64_t want = mine - (int64_t)(page - 1) * per;
            want = want < 0 ? 0 : want > per ? per : want;
            assert_int_equal(jf_int(r->json, "total"), mine);
            assert_int_equal(json_array_size(json_object_get(r->json, "contents")), want);
            th_resp_free(r);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(gp_referral_to_closed_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(declined_referral_feedback, setup, teardown),
        cmocka_unit_test_setup_teardown(failing_disk_refuses_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(self_referral_to_closed_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(self_referral_honeypot_and_throttle, setup, teardown),
        cmocka_unit_test_setup_teardown(direct_prescription_closed_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(referral_transitions_refused_with_allowed_named, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(prescription_transitions_capacity_and_funds, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(open_prescriptions_fill_capacity, setup, teardown),
        cmocka_unit_test_setup_teardown(people_are_matched_and_conflicts_flagged, setup, teardown),
        cmocka_unit_test_setup_teardown(person_update_and_read, setup, teardown),
        cmocka_unit_test_setup_teardown(case_preferences, setup, teardown),
        cmocka_unit_test_setup_teardown(caseload_pages, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
