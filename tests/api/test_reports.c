/*
 * Reports over HTTP against a small scheme whose answers are worked out by
 * hand: 40 accepted referrals of 50, 50 prescriptions of which 39 were taken
 * up (then a 40th through the API), 30 first contacts 1..30 days after the
 * referral, SWEMWBS and MHC-SF pairs, 20 decisions, needs with and without a
 * service. Bulk facts are written with SQL before the first report (the
 * reports read them when they first load); the key flows go through the API
 * after it, which proves the reports follow later changes. Every figure is
 * checked exactly in JSON and CSV, the commissioner's view is suppressed in
 * every format, and bad input and other organisations are refused.
 */
#include "journey_fixture.h"

typedef struct rf {
    jf *f;
    int64_t ref[50]; /* the GP's referrals */
    int64_t cs[40];  /* cases of the first 40 */
    int64_t rx[50];  /* prescriptions */
    char today[16];
} rf;

static void sqlf(rf *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sqlf(rf *r, const char *fmt, ...) {
    char sql[2000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    jf_sql(r->f, sql);
}

static const char *const MHC_LOW = "[1, 2, 2, 0, 1, 0, 1, 0, 1, 3, 3, 3, 3, 3]";  /* languishing */
static const char *const MHC_HIGH = "[4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]"; /* flourishing */

static int setup(void **state) {
    rf *r = calloc(1, sizeof *r);
    assert_non_null(r);
    jf *f = r->f = jf_start();
    jf_today(f, r->today);
    for (int i = 0; i < 50; i++) {
        char given[32];
        snprintf(given, sizeof given, "Person%d", i);
        th_resp *x = jf_call(f, JF_GP, "POST", "/api/v1/referrals",
                             jf_referral_body(f->lws, given, "Known", "1960-01-01", NULL, 1));
        jf_expect(x, 201, "referral");
        r->ref[i] = jf_int(x->json, "id");
        th_resp_free(x);
    }
    for (int i = 0; i < 40; i++)
        r->cs[i] = jf_accept(f, r->ref[i]);
    /* Services: the garden is physical activity, the full one isolation. */
    jf_sql(f, "UPDATE services SET need_domains = 'physical_activity' WHERE id = 'svc-garden'");
    jf_sql(f, "UPDATE services SET need_domains = 'isolation' WHERE id = 'svc-full'");
    /* 50 prescriptions: 20 completed, 9 dropped out and 10 going after starting (39 took
     * up); 2 accepted, 2 dropped out before starting (all at the garden); 4 declined (2
     * for lack of capacity) and 3 waitlisted at the full service. */
    for (int i = 0; i < 50; i++) {
        const char *status = i < 20   ? "completed"
                             : i < 29 ? "dropped_out"
                             : i < 39 ? "started"
                             : i < 41 ? "accepted"
                             : i < 43 ? "dropped_out"
                             : i < 47 ? "declined"
                                      : "waitlisted";
        const char *service = i < 43 ? "svc-garden" : "svc-full";
        const char *reason = i == 43 || i == 44 ? "'no_capacity'"
                             : i < 47 && i > 44 ? "'not_suitable'"
                                                : "NULL";
        int64_t c = r->cs[i % 40];
        sqlf(r,
             "INSERT INTO prescriptions (case_id, person_id, service_id, kind, mode, status, "
             "status_reason, status_at, consent_share, prescriber_id, sender_organisation_id, "
             "provider_organisation_id, started_at, created_at) SELECT %lld, person_id, '%s', "
             "'referral', 'link_worker', '%s', %s, opened_at, 1, %lld, %lld, %lld, %s, opened_at "
             "FROM cases WHERE id = %lld",
             (long long)c, service, status, reason, (long long)f->user[JF_LW], (long long)f->lws,
             (long long)f->vcse, i < 39 ? "opened_at + 1000" : "NULL", (long long)c);
        r->rx[i] = th_sql_countf(f->s, "SELECT max(id) FROM prescriptions");
    }
    /* First contacts 1..30 days after the referral for the first 30 cases. */
    for (int i = 0; i < 30; i++)
        sqlf(r,
             "INSERT INTO case_contacts (case_id, at, mode, minutes, by_user_id, created_at) "
             "SELECT c.id, x.created_at + %lld, 'phone', 20, %lld, x.created_at "
             "FROM cases c JOIN referrals x ON x.id = c.referral_id WHERE c.id = %lld",
             (long long)(i + 1) * JF_DAY, (long long)f->user[JF_LW], (long long)r->cs[i]);
    /* Needs: every case physical activity, the first 10 debt too (no service has it). */
    for (int i = 0; i < 40; i++) {
        sqlf(r,
             "INSERT INTO case_needs (case_id, domain, importance) VALUES (%lld, "
             "'physical_activity', 5)",
             (long long)r->cs[i]);
        if (i < 10)
            sqlf(r, "INSERT INTO case_needs (case_id, domain, importance) VALUES (%lld, 'debt', 7)",
                 (long long)r->cs[i]);
    }
    /* SWEMWBS for 10 cases: 21 (19.25) at baseline; 6 go to 28 (25.03, +5.78), 4 to 22
     * (19.98, +0.73). */
    for (int i = 0; i < 10; i++) {
        sqlf(r,
             "INSERT INTO measures (case_id, person_id, instrument, timepoint, date, items, "
             "scores, recorded_by, created_at) SELECT id, person_id, 'swemwbs', 'baseline', "
             "'2026-01-10', '[3,3,3,3,3,3,3]', '{}', %lld, opened_at FROM cases WHERE id = %lld",
             (long long)f->user[JF_LW], (long long)r->cs[i]);
        sqlf(r,
             "INSERT INTO measures (case_id, person_id, instrument, timepoint, date, items, "
             "scores, recorded_by, created_at) SELECT id, person_id, 'swemwbs', 'follow_up', "
             "'2026-03-10', '%s', '{}', %lld, opened_at FROM cases WHERE id = %lld",
             i < 6 ? "[4,4,4,4,4,4,4]" : "[3,3,3,3,3,3,4]", (long long)f->user[JF_LW],
             (long long)r->cs[i]);
    }
    /* Decisions: 12 with the link worker (2 not now), 3 with the peer worker, 5 direct. */
    for (int i = 0; i < 20; i++) {
        const char *mode = i < 12 ? "link_worker" : i < 15 ? "peer" : "direct";
        int64_t c = i < 15 ? r->cs[i] : 0;
        char case_id[24];
        snprintf(case_id, sizeof case_id, c ? "%lld" : "NULL", (long long)c);
        sqlf(r,
             "INSERT INTO decisions (case_id, person_id, organisation_id, facilitator_user_id, "
             "mode, outcome, ratings, considered, created_at) SELECT %s, person_id, %lld, %lld, "
             "'%s', '%s', '{}', '[]', created_at FROM referrals WHERE id = %lld",
             case_id, (long long)(c ? f->lws : f->cmht),
             (long long)f->user[c ? (i < 12 ? JF_LW : JF_PEER) : JF_DOC], mode,
             i < 2 ? "not_now" : "chosen", (long long)r->ref[i < 15 ? i : 45 + (i - 15)]);
    }
    /* Pathways: cases 0..34 on secondary mental health, 35..39 primary care. The discharge
     * review of cases 0..29 is due (yesterday): 15 discharged, 6 extended, 4 re-referred, 5
     * not reviewed yet (50.0%); 30..34 are due next month. */
    for (int i = 0; i < 40; i++) {
        long long c = (long long)r->cs[i];
        sqlf(r, "DELETE FROM case_milestones WHERE case_id = %lld", c);
        sqlf(r, "DELETE FROM case_pathways WHERE case_id = %lld", c);
        const char *outcome = i < 15   ? "'discharged'"
                              : i < 21 ? "'extended'"
                              : i < 25 ? "'re_referred'"
                                       : "NULL";
        sqlf(r,
             "INSERT INTO case_pathways (case_id, pathway, started_at, outcome) SELECT id, '%s', "
             "opened_at, %s FROM cases WHERE id = %lld",
             i < 35 ? "secondary-mental-health" : "primary-care", i < 30 ? outcome : "NULL", c);
        if (i >= 35)
            continue;
        sqlf(r,
             "INSERT INTO case_milestones (case_id, pos, key, title, max_contacts, needs_outcome, "
             "due_at, original_due_at, status, done_at, outcome, updated_at) SELECT id, 3, "
             "'discharge_review', 'Discharge review', 0, 1, opened_at + %lld, opened_at + %lld, "
             "'%s', %s, %s, opened_at FROM cases WHERE id = %lld",
             i < 30 ? -JF_DAY : 30 * JF_DAY, i < 30 ? -JF_DAY : 30 * JF_DAY,
             i < 25 ? "done" : "open", i < 25 ? "opened_at" : "NULL", i < 30 ? outcome : "NULL", c);
    }
    /* GP consultations for referrals 0..11: 7 people 6 then 4, 3 people 3 then 3, and 2
     * whose 6 months after are not known yet. */
    for (int i = 0; i < 12; i++)
        sqlf(r,
             "INSERT INTO gp_consultations (person_id, referral_id, before_count, after_count, "
             "entered_at) SELECT person_id, id, %d, %s, created_at FROM referrals WHERE id = %lld",
             i < 7 ? 6 : 3,
             i < 7    ? "4"
             : i < 10 ? "3"
                      : "NULL",
             (long long)r->ref[i]);
    /* No debt service within reach for 6 of the 10 cases that need one. */
    for (int i = 0; i < 6; i++)
        sqlf(r,
             "INSERT INTO unmet_needs (case_id, person_id, organisation_id, need, max_km, "
             "recorded_at) SELECT id, person_id, organisation_id, 'debt', 5, opened_at FROM cases "
             "WHERE id = %lld",
             (long long)r->cs[i]);
    sqlf(r, "UPDATE users SET name = 'Lee Worker' WHERE id = %lld", (long long)f->user[JF_LW]);
    /* Every case with the link worker (accepting shares them out). */
    sqlf(r, "UPDATE cases SET assignee_id = %lld", (long long)f->user[JF_LW]);
    /* The first 10 cases are closed. */
    for (int i = 0; i < 10; i++)
        sqlf(r, "UPDATE cases SET status = 'closed', closed_at = opened_at WHERE id = %lld",
             (long long)r->cs[i]);
    *state = r;
    return 0;
}

static int teardown(void **state) {
    rf *r = *state;
    jf_stop(r->f);
    free(r);
    return 0;
}

/* GET a report as WHO; expects 200 and returns the response. */
static th_resp *report(rf *r, int who, const char *name, const char *query) {
    th_resp *x = jf_callf(r->f, who, "GET", NULL, "/api/v1/reports/%s%s%s", name, query ? "?" : "",
                          query ? query : "");
    jf_expect(x, 200, name);
    return x;
}

/* The cell in column COL of the row holding the text KEY0 (and after it KEY1, if not NULL). */
static const json_t *cell(const th_resp *x, const char *key0, const char *key1, const char *col) {
    const json_t *cols = json_object_get(x->json, "columns");
    size_t c = 0, i;
    json_t *v;
    json_array_foreach(cols, i, v) {
        if (strcmp(json_string_value(v), col) == 0)
            c = i;
    }
    json_t *row;
    json_array_foreach(json_object_get(x->json, "rows"), i, row) {
        size_t j, k = json_array_size(row);
        for (j = 0; j < json_array_size(row); j++) {
            const char *t = json_string_value(json_array_get(row, j));
            if (t && strcmp(t, key0) == 0) {
                k = j;
                break;
            }
        }
        if (k == json_array_size(row))
            continue;
        int ok = !key1;
        for (j = k + 1; !ok && j < json_array_size(row); j++) {
            const char *t = json_string_value(json_array_get(row, j));
            ok = t && strcmp(t, key1) == 0;
        }
        if (ok)
            return json_array_get(row, c);
    }
    fail_msg("no row %s/%s in %s", key0, key1 ? key1 : "", x->body);
    return NULL;
}

static const json_t *figure(const th_resp *x, const char *key) {
    const json_t *v = json_object_get(json_object_get(x->json, "figures"), key);
    if (!v)
        fail_msg("no figure %s in %s", key, x->body);
    return v;
}

static void is_int(const json_t *v, long long want, const char *what) {
    if (!json_is_integer(v) || json_integer_value(v) != want)
        fail_msg("%s: expected %lld, got %s", what, want, json_dumps(v, JSON_ENCODE_ANY));
}

static void is_num(const json_t *v, double want, const char *what) {
    if (!json_is_number(v) || json_number_value(v) < want - 1e-9 ||
        json_number_value(v) > want + 1e-9)
        fail_msg("%s: expected %g, got %s", what, want, json_dumps(v, JSON_ENCODE_ANY));
}

static void is_str(const json_t *v, const char *want, const char *what) {
    if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0)
        fail_msg("%s: expected \"%s\", got %s", what, want, json_dumps(v, JSON_ENCODE_ANY));
}

static void every_figure_as_admin(void **state) {
    rf *r = *state;
    jf *f = r->f;
    /* Take-up: 39 of 50. */
    th_resp *x = report(r, JF_ADMIN, "take-up", NULL);
    is_int(figure(x, "prescriptions"), 50, "prescriptions");
    is_int(figure(x, "took_up"), 39, "took up");
    is_num(figure(x, "take_up_rate"), 78.0, "take-up rate");
    assert_non_null(strstr(x->body, "\"take_up_rate\":78.0"));
    is_int(cell(x, "Riverside Social Prescribing", NULL, "took_up"), 39, "row took up");
    assert_false(json_is_true(json_object_get(x->json, "suppressed")));
    th_resp_free(x);

    /* Completion: of 39, 20 completed (51.3%), 9 dropped out (23.1%), 10 going; 2 dropped
     * out before starting. */
    x = report(r, JF_ADMIN, "completion", NULL);
    is_int(figure(x, "took_up"), 39, "took up");
    is_int(figure(x, "completed"), 20, "completed");
    is_int(figure(x, "dropped_out"), 9, "dropped out");
    is_int(figure(x, "still_going"), 10, "still going");
    is_num(figure(x, "completion_rate"), 51.3, "completion rate");
    is_num(figure(x, "drop_out_rate"), 23.1, "drop-out rate");
    is_int(figure(x, "dropped_out_before_starting"), 2, "before starting");
    th_resp_free(x);

    /* Time to first contact: 30 of 40 contacted, after 1..30 days: median 15, p90 27. */
    x = report(r, JF_ADMIN, "time-to-first-contact", NULL);
    is_int(figure(x, "cases"), 40, "cases");
    is_int(figure(x, "contacted"), 30, "contacted");
    is_int(figure(x, "not_contacted"), 10, "not contacted");
    is_num(figure(x, "median_days"), 15.0, "median");
    is_num(figure(x, "p90_days"), 27.0, "p90");
    is_num(cell(x, "Riverside Social Prescribing", NULL, "p90_days"), 27.0, "row p90");
    th_resp_free(x);

    /* Referrals by month: 50, all from the GP practice, for isolation and mood. */
    x = report(r, JF_ADMIN, "referrals-by-month", NULL);
    is_int(figure(x, "referrals"), 50, "referrals");
    is_int(cell(x, "total", "all", "referrals"), 50, "total");
    is_int(cell(x, "source", "referrer", "referrals"), 50, "referrer");
    is_int(cell(x, "source", "self", "referrals"), 0, "self");
    is_int(cell(x, "reason", "mood", "referrals"), 50, "mood");
    is_int(cell(x, "organisation", "Riverside Medical Practice", "referrals"), 50, "practice");
    th_resp_free(x);

    /* Outcomes: SWEMWBS 10 pairs, mean +3.76, 6 improved (60.0%). */
    x = report(r, JF_ADMIN, "outcomes", NULL);
    is_int(cell(x, "swemwbs", "metric", "pairs"), 10, "pairs");
    is_num(cell(x, "swemwbs", "metric", "mean_change"), 3.76, "mean change");
    is_int(cell(x, "swemwbs", "metric", "improved"), 6, "improved");
    is_num(cell(x, "swemwbs", "metric", "improved_share"), 60.0, "share improved");
    is_int(figure(x, "mhcsf_pairs"), 0, "no MHC-SF yet");
    th_resp_free(x);

    /* Demand against capacity. */
    x = report(r, JF_ADMIN, "demand-capacity", NULL);
    is_int(cell(x, "physical_activity", NULL, "sent"), 43, "garden sent");
    is_int(cell(x, "physical_activity", NULL, "accepted"), 41, "garden accepted");
    is_int(cell(x, "physical_activity", NULL, "places"), 10, "garden places");
    is_int(cell(x, "isolation", NULL, "sent"), 7, "full sent");
    is_int(cell(x, "isolation", NULL, "waitlisted"), 3, "waitlisted");
    is_int(cell(x, "isolation", NULL, "declined"), 4, "declined");
    is_int(cell(x, "isolation", NULL, "declined_no_capacity"), 2, "no capacity");
    is_int(cell(x, "isolation", NULL, "services_full"), 1, "full");
    th_resp_free(x);

    /* Unmet need: debt for 10 cases and no service; physical activity met for all 40. */
    x = report(r, JF_ADMIN, "unmet-need", NULL);
    is_int(cell(x, "debt", NULL, "not_prescribed"), 10, "debt unmet");
    is_int(cell(x, "debt", NULL, "services"), 0, "debt services");
    is_int(cell(x, "debt", NULL, "no_local_service"), 6, "no debt service near");
    is_int(cell(x, "physical_activity", NULL, "prescribed"), 40, "met");
    is_int(cell(x, "physical_activity", NULL, "not_prescribed"), 0, "none unmet");
    is_int(figure(x, "not_prescribed"), 10, "unmet");
    is_int(figure(x, "no_local_service"), 6, "no local service");
    th_resp_free(x);

    /* Decisions: direct 5 (25.0%), link worker 12 (60.0%, 2 not now), peer 3 (15.0%). */
    x = report(r, JF_ADMIN, "decisions", NULL);
    is_int(figure(x, "decisions"), 20, "decisions");
    is_num(figure(x, "direct_share"), 25.0, "direct");
    is_num(figure(x, "link_worker_share"), 60.0, "link worker");
    is_num(figure(x, "peer_share"), 15.0, "peer");
    is_int(cell(x, "link_worker", NULL, "not_now"), 2, "not now");
    th_resp_free(x);

    /* Caseload: the link worker holds 30 open and 10 closed, by name for an admin. */
    x = report(r, JF_ADMIN, "caseload", NULL);
    is_int(figure(x, "open_cases"), 30, "open");
    is_int(figure(x, "closed_cases"), 10, "closed");
    is_int(cell(x, "Lee Worker", NULL, "open_cases"), 30, "worker open");
    th_resp_free(x);

    /* Discharge at the end of the pathway: 15 of 30 due (50.0%). */
    x = report(r, JF_ADMIN, "discharge", NULL);
    is_int(figure(x, "due"), 30, "due");
    is_int(figure(x, "discharged"), 15, "discharged");
    is_num(figure(x, "discharge_rate"), 50.0, "discharge rate");
    is_int(cell(x, "extended", NULL, "cases"), 6, "extended");
    is_int(cell(x, "re_referred", NULL, "cases"), 4, "re-referred");
    is_int(cell(x, "not_yet_reviewed", NULL, "cases"), 5, "not reviewed");
    th_resp_free(x);

    /* GP consultations: 10 people with both counts, 51 before, 37 after. */
    x = report(r, JF_ADMIN, "gp-consultations", NULL);
    is_int(figure(x, "people"), 10, "people");
    is_int(figure(x, "before"), 51, "before");
    is_int(figure(x, "after"), 37, "after");
    is_num(figure(x, "mean_before"), 5.1, "mean before");
    is_num(figure(x, "mean_after"), 3.7, "mean after");
    is_num(figure(x, "mean_change"), -1.4, "mean change");
    th_resp_free(x);

    /* The pathway filter: 5 cases on primary care, none of them contacted. */
    x = report(r, JF_ADMIN, "time-to-first-contact", "pathway=primary-care");
    is_int(figure(x, "cases"), 5, "primary care cases");
    is_int(figure(x, "contacted"), 0, "contacted");
    th_resp_free(x);
    x = report(r, JF_ADMIN, "discharge", "pathway=primary-care");
    is_int(figure(x, "due"), 0, "no discharge reviews on primary care");
    th_resp_free(x);

    /* The same figures as CSV. */
    x = report(r, JF_ADMIN, "take-up", "format=csv");
    char ct[64];
    assert_string_equal(th_header(x, "Content-Type", ct, sizeof ct), "text/csv");
    char want[200];
    snprintf(want, sizeof want,
             "organisation_id,organisation,prescriptions,took_up,take_up_rate\r\n"
             "%lld,Riverside Social Prescribing,50,39,78.0\r\n",
             (long long)f->lws);
    assert_string_equal(x->body, want);
    th_resp_free(x);
    x = report(r, JF_ADMIN, "completion", "format=csv");
    assert_string_equal(x->body, "outcome,prescriptions,share_of_took_up\r\n"
                                 "completed,20,51.3\r\n"
                                 "dropped_out,9,23.1\r\n"
                                 "still_going,10,25.6\r\n"
                                 "dropped_out_before_starting,2,\r\n");
    th_resp_free(x);

    /* An SVG chart with its title and axis titles. */
    x = report(r, JF_ADMIN, "take-up", "format=svg");
    assert_string_equal(th_header(x, "Content-Type", ct, sizeof ct), "image/svg+xml");
    assert_non_null(strstr(x->body, "<svg"));
    assert_non_null(strstr(x->body, "Take-up of social prescriptions"));
    assert_non_null(strstr(x->body, "Prescribing organisation"));
    th_resp_free(x);
}

static void later_changes_through_the_api_are_counted(void **state) {
    rf *r = *state;
    jf *f = r->f;
    th_resp_free(report(r, JF_ADMIN, "take-up", NULL)); /* loads the facts */
    /* One of the accepted prescriptions is attended: 40 of 50 took up. */
    th_resp *x =
        jf_callf(f, JF_PROV, "POST", json_pack("{s:s, s:b}", "date", r->today, "attended", 1),
                 "/api/v1/prescriptions/%lld/attendance", (long long)r->rx[39]);
    jf_expect(x, 201, "attendance");
    th_resp_free(x);
    /* Three self-referrals. */
    for (int i = 0; i < 3; i++) {
        char given[16];
        snprintf(given, sizeof given, "Self%d", i);
        json_t *b = jf_referral_body(f->lws, given, "Referrer", "1980-01-01", NULL, 1);
        json_object_del(b, "risks");
        x = jf_call(f, -1, "POST", "/api/v1/self-referrals", b);
        jf_expect(x, 201, "self-referral");
        th_resp_free(x);
    }
    /* MHC-SF for 5 cases: languishing; 3 then flourishing, 2 the same. */
    for (int i = 10; i < 15; i++) {
        for (int k = 0; k < 2; k++) {
            json_t *b = json_pack("{s:I, s:s, s:s, s:s}", "case_id", (json_int_t)r->cs[i],
                                  "instrument", "mhcsf", "timepoint", k ? "end" : "baseline",
                                  "date", k ? "2026-03-10" : "2026-01-10");
            json_object_set_new(b, "items", json_loads(k && i < 13 ? MHC_HIGH : MHC_LOW, 0, NULL));
            x = jf_call(f, JF_LW, "POST", "/api/v1/measures", b);
            jf_expect(x, 201, "measure");
            th_resp_free(x);
        }
    }
    /* GP counts for one more person through the API. */
    long long person = th_sql_countf(f->s, "SELECT person_id FROM referrals WHERE id = %lld",
                                     (long long)r->ref[20]);
    x = jf_call(f, JF_GP, "POST", "/api/v1/gp-consultations",
                json_pack("{s:I, s:I, s:i, s:i}", "person_id", (json_int_t)person, "referral_id",
                          (json_int_t)r->ref[20], "before", 10, "after", 0));
    jf_expect(x, 201, "gp consultations");
    th_resp_free(x);
    /* One more discharge review completed: discharged. */
    long long mid = th_sql_countf(f->s, "SELECT id FROM case_milestones WHERE case_id = %lld",
                                  (long long)r->cs[25]);
    x = jf_callf(f, JF_LW, "POST",
                 json_pack("{s:s, s:s}", "action", "complete", "outcome", "discharged"),
                 "/api/v1/cases/%lld/milestones/%lld", (long long)r->cs[25], mid);
    jf_expect(x, 200, "discharge review");
    th_resp_free(x);
    x = report(r, JF_ADMIN, "discharge", NULL);
    is_int(figure(x, "discharged"), 16, "discharged");
    is_int(cell(x, "not_yet_reviewed", NULL, "cases"), 4, "not reviewed");
    is_num(figure(x, "discharge_rate"), 53.3, "discharge rate");
    th_resp_free(x);
    /* 11 people: 61 before, 37 after; means 5.55, 3.36, change -2.18. */
    x = report(r, JF_ADMIN, "gp-consultations", NULL);
    is_int(figure(x, "people"), 11, "people");
    is_int(figure(x, "before"), 61, "before");
    is_num(figure(x, "mean_before"), 5.55, "mean before");
    is_num(figure(x, "mean_after"), 3.36, "mean after");
    is_num(figure(x, "mean_change"), -2.18, "mean change");
    th_resp_free(x);
    x = report(r, JF_ADMIN, "take-up", NULL);
    is_int(figure(x, "took_up"), 40, "took up");
    is_num(figure(x, "take_up_rate"), 80.0, "take-up rate");
    th_resp_free(x);
    x = report(r, JF_ADMIN, "referrals-by-month", NULL);
    is_int(figure(x, "referrals"), 53, "referrals");
    is_int(cell(x, "source", "self", "referrals"), 3, "self");
    is_int(cell(x, "organisation", "none (self-referral)", "referrals"), 3, "no organisation");
    th_resp_free(x);
    x = report(r, JF_ADMIN, "referrals-by-month", "source=self");
    is_int(figure(x, "referrals"), 3, "self only");
    th_resp_free(x);
    /* MHC-SF: 5 pairs, mean total +19.80 (3 x 33 / 5), 3 improved, 0 then 3 flourishing. */
    x = report(r, JF_ADMIN, "outcomes", NULL);
    is_int(cell(x, "mhcsf", "total", "pairs"), 5, "pairs");
    is_num(cell(x, "mhcsf", "total", "mean_change"), 19.8, "mean change");
    is_int(cell(x, "mhcsf", "total", "improved"), 3, "improved");
    is_num(cell(x, "mhcsf", "total", "improved_share"), 60.0, "share");
    is_int(cell(x, "mhcsf", "total", "flourishing_before"), 0, "before");
    is_int(cell(x, "mhcsf", "total", "flourishing_after"), 3, "after");
    th_resp_free(x);
}

static void commissioners_see_small_numbers_suppressed(void **state) {
    rf *r = *state;
    th_resp *x = report(r, JF_COMM, "decisions", NULL);
    assert_true(json_is_true(json_object_get(x->json, "suppressed")));
    /* peer 3 is "<5"; direct 5 is hidden too ("[c]"), else 20 - 12 - 5 gives it back. */
    is_str(cell(x, "peer", NULL, "decisions"), "<5", "peer");
    is_str(cell(x, "direct", NULL, "decisions"), "[c]", "direct");
    is_int(cell(x, "link_worker", NULL, "decisions"), 12, "link worker");
    is_str(figure(x, "peer_share"), "[c]", "peer share");
    is_int(figure(x, "decisions"), 20, "total");
    th_resp_free(x);

    x = report(r, JF_COMM, "completion", NULL);
    is_str(figure(x, "dropped_out_before_starting"), "<5", "before starting");
    is_int(figure(x, "completed"), 20, "completed");
    th_resp_free(x);

    x = report(r, JF_COMM, "demand-capacity", NULL);
    is_str(cell(x, "isolation", NULL, "waitlisted"), "<5", "waitlisted");
    is_str(cell(x, "isolation", NULL, "declined"), "<5", "declined");
    is_int(cell(x, "isolation", NULL, "sent"), 7, "sent");
    is_int(cell(x, "isolation", NULL, "places"), 10, "places are not people");
    th_resp_free(x);

    /* No names of people: workers by number. */
    x = report(r, JF_COMM, "caseload", NULL);
    assert_null(strstr(x->body, "Lee Worker"));
    is_int(cell(x, "Worker 1", NULL, "open_cases"), 30, "worker 1");
    th_resp_free(x);

    /* "<5" in CSV and SVG too. */
    x = report(r, JF_COMM, "decisions", "format=csv");
    assert_non_null(strstr(x->body, "peer,<5,<5,0,[c]\r\n"));
    th_resp_free(x);
    x = report(r, JF_COMM, "decisions", "format=svg");
    assert_non_null(strstr(x->body, "&lt;5"));
    th_resp_free(x);
}

static void workers_see_their_own_service(void **state) {
    rf *r = *state;
    jf *f = r->f;
    /* The Riverside link worker sees Riverside's figures, unsuppressed. */
    th_resp *x = report(r, JF_PEER, "decisions", NULL);
    is_int(cell(x, "peer", NULL, "decisions"), 3, "peer");
    is_int(figure(x, "decisions"), 15, "not the direct ones (another organisation)");
    is_int(json_object_get(json_object_get(x->json, "filters"), "organisation_id"), f->lws,
           "own organisation");
    th_resp_free(x);
    /* Hillside's link worker: none of Riverside's. */
    x = report(r, JF_LW2, "take-up", NULL);
    is_int(figure(x, "prescriptions"), 0, "nothing of Riverside's");
    th_resp_free(x);
    long long denied = th_sql_count(
        f->s, "SELECT count(*) FROM audit_log WHERE action = 'report.read' AND outcome = 'denied'");
    char q[64];
    snprintf(q, sizeof q, "/api/v1/reports/take-up?organisation_id=%lld", (long long)f->lws);
    jf_problem(jf_call(f, JF_LW2, "GET", q, NULL), 404, NULL, "another service");
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action = "
                                        "'report.read' AND outcome = 'denied'"),
                     denied + 1);
    /* An admin may ask for any one. */
    x = th_call(f->s, &f->who[JF_ADMIN], "GET", q, NULL);
    jf_expect(x, 200, "admin");
    is_int(figure(x, "took_up"), 39, "Riverside's");
    th_resp_free(x);
    /* Referrers, clinicians and providers get no reports. */
    jf_problem(jf_call(f, JF_GP, "GET", "/api/v1/reports/take-up", NULL), 403, NULL, "referrer");
    jf_problem(jf_call(f, JF_PROV, "GET", "/api/v1/reports", NULL), 403, NULL, "provider");
    jf_problem(jf_call(f, JF_DOC, "GET", "/api/v1/reports/caseload", NULL), 403, NULL, "doctor");
    jf_problem(jf_call(f, -1, "GET", "/api/v1/reports/caseload", NULL), 401, NULL, "anonymous");
}

static void bad_input_is_refused(void **state) {
    rf *r = *state;
    jf *f = r->f;
    jf_problem(jf_call(f, JF_ADMIN, "GET", "/api/v1/reports/take-up?format=xml", NULL), 400,
               "format", "format");
    jf_problem(jf_call(f, JF_ADMIN, "GET", "/api/v1/reports/take-up?from=2026-13-01", NULL), 400,
               "from", "bad date");
    jf_problem(jf_call(f, JF_ADMIN, "GET", "/api/v1/reports/take-up?to=yesterday", NULL), 400, "to",
               "not a date");
    jf_problem(
        jf_call(f, JF_ADMIN, "GET", "/api/v1/reports/take-up?from=2026-05-02&to=2026-05-01", NULL),
        400, "from", "from after to");
    jf_problem(jf_call(f, JF_ADMIN, "GET", "/api/v1/reports/take-up?source=gp", NULL), 400,
               "source", "source");
    jf_problem(jf_call(f, JF_ADMIN, "GET", "/api/v1/reports/take-up?pathway=nowhere", NULL), 400,
               "pathway", "pathway");
    jf_problem(jf_call(f, JF_ADMIN, "GET", "/api/v1/reports/take-up?organisation_id=x", NULL), 400,
               "organisation_id", "organisation");
    jf_problem(jf_call(f, JF_ADMIN, "GET", "/api/v1/reports/take-up?organisation_id=99999", NULL),
               404, NULL, "unknown organisation");
    jf_problem(jf_call(f, JF_ADMIN, "GET", "/api/v1/reports/popularity", NULL), 404, NULL,
               "unknown report");
    /* A period with no referrals: zeros, not errors. */
    th_resp *x = report(r, JF_ADMIN, "take-up", "from=2019-01-01&to=2019-12-31");
    is_int(figure(x, "prescriptions"), 0, "no prescriptions");
    assert_true(json_is_null(figure(x, "take_up_rate")));
    th_resp_free(x);
    /* Today's referrals, the whole day. */
    char q[80];
    snprintf(q, sizeof q, "from=%s&to=%s", r->today, r->today);
    x = report(r, JF_ADMIN, "referrals-by-month", q);
    is_int(figure(x, "referrals"), 50, "today");
    th_resp_free(x);
}

static void every_report_is_listed_audited_and_drawn(void **state) {
    rf *r = *state;
    jf *f = r->f;
    th_resp *x = jf_call(f, JF_COMM, "GET", "/api/v1/reports", NULL);
    jf_expect(x, 200, "list");
    json_t *list = json_object_get(x->json, "reports");
    assert_int_equal(json_array_size(list), 11);
    long long before = th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action = "
                                          "'report.read' AND outcome = 'ok'");
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        const char *name = jf_str(item, "name");
        for (int k = 0; k < 3; k++) {
            th_resp *y = report(r, JF_COMM, name,
                                k == 0   ? NULL
                                : k == 1 ? "format=csv"
                                         : "format=svg");
            if (k == 2 && (!strstr(y->body, "<title>") || !strstr(y->body, "</svg>")))
                fail_msg("%s: not a chart: %s", name, y->body);
            th_resp_free(y);
        }
    }
    th_resp_free(x);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action = "
                                        "'report.read' AND outcome = 'ok'"),
                     before + 33);
    /* The filters are in the audit row. */
    th_resp_free(report(r, JF_ADMIN, "take-up", "format=csv&source=self"));
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action = "
                                        "'report.read' AND resource_id LIKE "
                                        "'take-up?format=csv%source=self%'"),
                     1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_figure_as_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(later_changes_through_the_api_are_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(commissioners_see_small_numbers_suppressed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(workers_see_their_own_service, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_input_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(every_report_is_listed_audited_and_drawn, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
