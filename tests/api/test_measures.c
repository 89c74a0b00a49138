/*
 * Outcome measures over HTTP: recording an administration of each instrument
 * with scores worked out by hand from the rules (docs/outcomes.md), the change
 * from the first to the latest administration, every kind of bad input
 * refused with nothing stored, who may record and read them, and the audit.
 */
#include <math.h>

#include "journey_fixture.h"

typedef struct mf {
    jf *f;
    int64_t case_id; /* a Riverside case */
} mf;

static int setup(void **state) {
    mf *m = calloc(1, sizeof *m);
    assert_non_null(m);
    m->f = jf_start();
    m->case_id = jf_accept(m->f, jf_refer(m->f, JF_GP, "Mary", JF_NHS, 1));
    *state = m;
    return 0;
}

static int teardown(void **state) {
    mf *m = *state;
    jf_stop(m->f);
    free(m);
    return 0;
}

/* A measure body; ITEMS is a JSON array text. */
static json_t *body(int64_t case_id, const char *instrument, const char *timepoint,
                    const char *date, const char *items) {
    json_t *b = json_pack("{s:I, s:s, s:s, s:s}", "case_id", (json_int_t)case_id, "instrument",
                          instrument, "timepoint", timepoint, "date", date);
    json_object_set_new(b, "items", json_loads(items, JSON_DECODE_ANY, NULL));
    return b;
}

/* Records a measure as WHO, expecting 201; returns the response (caller frees). */
static th_resp *record(mf *m, int who, const char *instrument, const char *timepoint,
                       const char *date, const char *items) {
    th_resp *r = jf_call(m->f, who, "POST", "/api/v1/measures",
                         body(m->case_id, instrument, timepoint, date, items));
    jf_expect(r, 201, instrument);
    return r;
}

static long long measures(mf *m) {
    return th_sql_count(m->f->s, "SELECT count(*) FROM measures");
}

static double num(const json_t *j, const char *key) {
    return json_number_value(json_object_get(j, key));
}

static void assert_band(const json_t *scores, const char *name, int score, const char *band) {
    const json_t *s = json_object_get(scores, name);
    if (jf_int(s, "score") != score || !jf_str(s, "band") || strcmp(jf_str(s, "band"), band) != 0)
        fail_msg("%s: expected %d %s, got %s", name, score, band, json_dumps(s, 0));
}

/* The change for INSTRUMENT in a GET /cases/{id}/measures answer. */
static const json_t *change_of(const json_t *list, const char *instrument) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(list, "changes"), i, c) {
        if (strcmp(jf_str(c, "instrument"), instrument) == 0)
            return c;
    }
    fail_msg("no change for %s", instrument);
    return NULL;
}

static void swemwbs_scored_and_changed(void **state) {
    mf *m = *state;
    /* 7 x 3 = 21 -> 19.25 on the published table. */
    th_resp *r = record(m, JF_LW, "swemwbs", "baseline", "2026-01-10", "[3, 3, 3, 3, 3, 3, 3]");
    int64_t id = jf_int(r->json, "id");
    assert_int_equal(jf_int(r->json, "case_id"), m->case_id);
    assert_string_equal(jf_str(r->json, "instrument"), "swemwbs");
    assert_string_equal(jf_str(r->json, "timepoint"), "baseline");
    assert_string_equal(jf_str(r->json, "date"), "2026-01-10");
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 7);
    json_t *s = json_object_get(r->json, "scores");
    assert_int_equal(jf_int(s, "raw"), 21);
    assert_true(json_is_real(json_object_get(s, "metric")));
    assert_true(num(s, "metric") == 19.25);
    /* Written as 19.25, not 19.249999... */
    const char *text = strstr(r->body, "19.25");
    assert_non_null(text);
    assert_false(text[5] >= '0' && text[5] <= '9');
    th_resp_free(r);
    /* Stored with its answers, the metric score in hundredths. */
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT items, scores, timepoint FROM measures WHERE id = %lld",
             (long long)id);
    char *row = th_sql_text(m->f->s, sql);
    assert_string_equal(row, "[3,3,3,3,3,3,3]\t{\"raw\":21,\"metric\":1925}\tbaseline\n");
    free(row);

    /* 7 x 4 = 28 -> 25.03: up 5.78, more than the 3 points that count. */
    r = record(m, JF_PEER, "swemwbs", "review", "2026-03-10", "[4, 4, 4, 4, 4, 4, 4]");
    s = json_object_get(r->json, "scores");
    assert_int_equal(jf_int(s, "raw"), 28);
    assert_true(fabs(num(s, "metric") - 25.03) < 1e-9);
    th_resp_free(r);

    r = jf_callf(m->f, JF_LW, "GET", NULL, "/api/v1/cases/%lld/measures", (long long)m->case_id);
    jf_expect(r, 200, "list");
    assert_int_equal(json_array_size(json_object_get(r->json, "measures")), 2);
    const json_t *c = change_of(r->json, "swemwbs");
    assert_string_equal(jf_str(json_object_get(c, "from"), "timepoint"), "baseline");
    assert_string_equal(jf_str(json_object_get(c, "to"), "timepoint"), "review");
    assert_true(json_is_true(json_object_get(c, "improved")));
    const json_t *metric = json_object_get(json_object_get(c, "scores"), "metric");
    assert_true(num(metric, "before") == 19.25);
    assert_true(fabs(num(metric, "after") - 25.03) < 1e-9);
    assert_true(fabs(num(metric, "change") - 5.78) < 1e-9);
    assert_string_equal(jf_str(metric, "verdict"), "improved");
    const json_t *raw = json_object_get(json_object_get(c, "scores"), "raw");
    assert_int_equal(jf_int(raw, "change"), 7);
    th_resp_free(r);
}

static void mhcsf_languishing_to_flourishing(void **state) {
    mf *m = *state;
    /* Emotional 1+2+2 = 5 (item 1 is 0-1); social 0+1+0+1+0 = 2; psychological
     * 1+3+3+3+3+3 = 16; items 4-9 are all 0-1 (6 of the 11): languishing. */
    th_resp *r = record(m, JF_LW, "mhcsf", "baseline", "2026-01-10",
                        "[1, 2, 2, 0, 1, 0, 1, 0, 1, 3, 3, 3, 3, 3]");
    json_t *s = json_object_get(r->json, "scores");
    assert_int_equal(jf_int(s, "total"), 23);
    assert_int_equal(jf_int(s, "emotional"), 5);
    assert_int_equal(jf_int(s, "social"), 2);
    assert_int_equal(jf_int(s, "psychological"), 16);
    assert_string_equal(jf_str(s, "category"), "languishing");
    th_resp_free(r);
    /* Emotional 5+4+3 = 12 (item 1 is 4-5); social 4 x 5 = 20; psychological
     * 4+2+2+2+2+2 = 14; items 4-9 are all 4-5 (6 of the 11): flourishing. */
    r = record(m, JF_LW, "mhcsf", "end", "2026-04-01",
               "[5, 4, 3, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2]");
    s = json_object_get(r->json, "scores");
    assert_int_equal(jf_int(s, "total"), 46);
    assert_int_equal(jf_int(s, "emotional"), 12);
    assert_int_equal(jf_int(s, "social"), 20);
    assert_int_equal(jf_int(s, "psychological"), 14);
    assert_string_equal(jf_str(s, "category"), "flourishing");
    th_resp_free(r);

    r = jf_callf(m->f, JF_ADMIN, "GET", NULL, "/api/v1/cases/%lld/measures", (long long)m->case_id);
    jf_expect(r, 200, "admin lists");
    const json_t *c = change_of(r->json, "mhcsf");
    assert_true(json_is_true(json_object_get(c, "improved")));
    assert_true(json_is_false(json_object_get(c, "flourishing_before")));
    assert_true(json_is_true(json_object_get(c, "flourishing_after")));
    const json_t *cat = json_object_get(json_object_get(c, "scores"), "category");
    assert_string_equal(jf_str(cat, "before"), "languishing");
    assert_string_equal(jf_str(cat, "after"), "flourishing");
    assert_int_equal(jf_int(cat, "change"), 2);
    assert_int_equal(jf_int(json_object_get(json_object_get(c, "scores"), "total"), "change"), 23);
    th_resp_free(r);
}

static void ons4_bands_at_their_edges(void **state) {
    mf *m = *state;
    /* 4 is the top of low, 5 the bottom of medium, 8 the top of high; anxiety
     * 6 is the bottom of its high band. */
    th_resp *r = record(m, JF_LW, "ons4", "baseline", "2026-01-10", "[4, 5, 8, 6]");
    json_t *s = json_object_get(r->json, "scores");
    assert_band(s, "life_satisfaction", 4, "low");
    assert_band(s, "worthwhile", 5, "medium");
    assert_band(s, "happiness", 8, "high");
    assert_band(s, "anxiety", 6, "high");
    th_resp_free(r);
    /* 9 the bottom of very high, 6 the top of medium, 7 the bottom of high;
     * anxiety 1 the top of very low. */
    r = record(m, JF_LW, "ons4", "review", "2026-03-10", "[9, 6, 7, 1]");
    s = json_object_get(r->json, "scores");
    assert_band(s, "life_satisfaction", 9, "very_high");
    assert_band(s, "worthwhile", 6, "medium");
    assert_band(s, "happiness", 7, "high");
    assert_band(s, "anxiety", 1, "very_low");
    th_resp_free(r);
    /* Anxiety 2 the bottom of low, 5 the top of medium; 0 and 10 at the ends. */
    r = record(m, JF_LW, "ons4", "follow_up", "2026-06-10", "[0, 10, 0, 2]");
    s = json_object_get(r->json, "scores");
    assert_band(s, "life_satisfaction", 0, "low");
    assert_band(s, "worthwhile", 10, "very_high");
    assert_band(s, "anxiety", 2, "low");
    th_resp_free(r);

    /* First (baseline) to latest (follow-up): life satisfaction 4 -> 0 is a
     * meaningful fall, so ONS4 has not improved although anxiety fell by 4. */
    r = jf_callf(m->f, JF_LW, "GET", NULL, "/api/v1/cases/%lld/measures", (long long)m->case_id);
    jf_expect(r, 200, "list");
    const json_t *c = change_of(r->json, "ons4");
    assert_string_equal(jf_str(json_object_get(c, "to"), "timepoint"), "follow_up");
    const json_t *cs = json_object_get(c, "scores");
    const json_t *ls = json_object_get(cs, "life_satisfaction");
    assert_int_equal(jf_int(ls, "change"), -4);
    assert_string_equal(jf_str(ls, "before_band"), "low");
    assert_string_equal(jf_str(ls, "verdict"), "deteriorated");
    const json_t *anx = json_object_get(cs, "anxiety");
    assert_int_equal(jf_int(anx, "change"), -4);
    assert_string_equal(jf_str(anx, "verdict"), "improved");
    assert_true(json_is_false(json_object_get(c, "improved")));
    th_resp_free(r);
}

static void ucla3_total_and_change(void **state) {
    mf *m = *state;
    th_resp *r = record(m, JF_LW, "ucla3", "baseline", "2026-01-10", "[3, 2, 3]");
    assert_int_equal(jf_int(json_object_get(r->json, "scores"), "total"), 8);
    th_resp_free(r);
    r = record(m, JF_LW, "ucla3", "end", "2026-04-10", "[1, 2, 1]");
    assert_int_equal(jf_int(json_object_get(r->json, "scores"), "total"), 4);
    th_resp_free(r);
    /* One administration has no change yet. */
    r = record(m, JF_LW, "swemwbs", "baseline", "2026-01-10", "[1, 1, 1, 1, 1, 1, 1]");
    assert_true(num(json_object_get(r->json, "scores"), "metric") == 7.0);
    th_resp_free(r);
    r = jf_callf(m->f, JF_LW, "GET", NULL, "/api/v1/cases/%lld/measures", (long long)m->case_id);
    jf_expect(r, 200, "list");
    assert_int_equal(json_array_size(json_object_get(r->json, "changes")), 1);
    const json_t *c = change_of(r->json, "ucla3");
    const json_t *t = json_object_get(json_object_get(c, "scores"), "total");
    assert_int_equal(jf_int(t, "before"), 8);
    assert_int_equal(jf_int(t, "after"), 4);
    assert_int_equal(jf_int(t, "change"), -4);
    assert_string_equal(jf_str(t, "verdict"), "improved");
    assert_true(json_is_true(json_object_get(c, "improved")));
    th_resp_free(r);
}

static void bad_input_is_refused_and_nothing_stored(void **state) {
    mf *m = *state;
    jf *f = m->f;
    char today[16], tomorrow[16];
    jf_today(f, today);
    time_t t = (time_t)(clock_now(&f->s->app.clock) / 1000 + 24 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm);
    const struct {
        const char *instrument, *timepoint, *date, *items, *field;
    } bad[] = {
        {"swemwbs", "baseline", "2026-01-10", "[3, 3, 3, null, 3, 3, 3]", "items[3]"},
        {"swemwbs", "baseline", "2026-01-10", "[3, 3, \"3\", 3, 3, 3, 3]", "items[2]"},
        {"swemwbs", "baseline", "2026-01-10", "[3, 2.5, 3, 3, 3, 3, 3]", "items[1]"},
        {"swemwbs", "baseline", "2026-01-10", "[3, 3, 3, 6, 3, 3, 3]", "items[3]"},
        {"swemwbs", "baseline", "2026-01-10", "[0, 3, 3, 3, 3, 3, 3]", "items[0]"},
        {"ons4", "baseline", "2026-01-10", "[4, 5, 11, 1]", "items[2]"},
        {"ons4", "baseline", "2026-01-10", "[4, 5, 8, -1]", "items[3]"},
        {"mhcsf", "baseline", "2026-01-10", "[5, 4, 3, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 6]",
         "items[13]"},
        {"ucla3", "baseline", "2026-01-10", "[1, 4, 1]", "items[1]"},
        {"swemwbs", "baseline", "2026-01-10", "[3, 3, 3, 3, 3, 3]", "items"},
        {"ucla3", "baseline", "2026-01-10", "[1, 1, 1, 1]", "items"},
        {"ucla3", "baseline", "2026-01-10", "[]", "items"},
        {"ucla3", "baseline", "2026-01-10", "\"1,1,1\"", "items"},
        {"ucla3", "baseline", "2026-01-10", "null", "items"},
        {"phq9", "baseline", "2026-01-10", "[1, 1, 1]", "instrument"},
        {"ucla3", "midway", "2026-01-10", "[1, 1, 1]", "timepoint"},
        {"ucla3", "baseline", "2026-02-30", "[1, 1, 1]", "date"},
        {"ucla3", "baseline", "last week", "[1, 1, 1]", "date"},
        {"ucla3", "baseline", tomorrow, "[1, 1, 1]", "date"},
    };
    long long before = measures(m);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[120];
        snprintf(what, sizeof what, "%s %s %s %s", bad[i].instrument, bad[i].timepoint, bad[i].date,
                 bad[i].items);
        jf_problem(jf_call(f, JF_LW, "POST", "/api/v1/measures",
                           body(m->case_id, bad[i].instrument, bad[i].timepoint, bad[i].date,
                                bad[i].items)),
                   400, bad[i].field, what);
    }
    /* A missing member, an unknown one, no case. */
    json_t *b = body(m->case_id, "ucla3", "baseline", today, "[1, 1, 1]");
    json_object_del(b, "items");
    jf_problem(jf_call(f, JF_LW, "POST", "/api/v1/measures", b), 400, "items", "no items");
    b = body(m->case_id, "ucla3", "baseline", today, "[1, 1, 1]");
    json_object_del(b, "timepoint");
    jf_problem(jf_call(f, JF_LW, "POST", "/api/v1/measures", b), 400, "timepoint", "no timepoint");
    b = body(m->case_id, "ucla3", "baseline", today, "[1, 1, 1]");
    json_object_set_new(b, "wording", json_string("How often do you feel..."));
    jf_problem(jf_call(f, JF_LW, "POST", "/api/v1/measures", b), 400, "wording", "unknown");
    jf_problem(jf_call(f, JF_LW, "POST", "/api/v1/measures",
                       body(999999, "ucla3", "baseline", today, "[1, 1, 1]")),
               404, NULL, "no such case");
    assert_int_equal(measures(m), before);
    /* Today itself is fine. */
    th_resp *r = record(m, JF_LW, "ucla3", "baseline", today, "[1, 1, 1]");
    th_resp_free(r);
    assert_int_equal(measures(m), before + 1);
}

static void only_the_case_workers_and_admins(void **state) {
    mf *m = *state;
    jf *f = m->f;
    long long before = measures(m);
    const int refused[] = {JF_GP, JF_PROV, JF_COMM, JF_DOC};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        jf_problem(jf_call(f, refused[i], "POST", "/api/v1/measures",
                           body(m->case_id, "ucla3", "baseline", "2026-01-10", "[1, 1, 1]")),
                   403, NULL, "another role records");
        jf_problem(jf_callf(f, refused[i], "GET", NULL, "/api/v1/cases/%lld/measures",
                            (long long)m->case_id),
                   403, NULL, "another role reads");
    }
    jf_problem(jf_call(f, -1, "POST", "/api/v1/measures",
                       body(m->case_id, "ucla3", "baseline", "2026-01-10", "[1, 1, 1]")),
               401, NULL, "anonymous");
    /* The link worker of another service: as if the case did not exist. */
    jf_problem(jf_call(f, JF_LW2, "POST", "/api/v1/measures",
                       body(m->case_id, "ucla3", "baseline", "2026-01-10", "[1, 1, 1]")),
               404, NULL, "another service records");
    jf_problem(
        jf_callf(f, JF_LW2, "GET", NULL, "/api/v1/cases/%lld/measures", (long long)m->case_id), 404,
        NULL, "another service reads");
    assert_int_equal(measures(m), before);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM audit_log WHERE user_id = %lld AND "
                                   "outcome = 'denied' AND resource_type = 'case' AND "
                                   "resource_id = '%lld' AND action IN ('measure.create', "
                                   "'measure.list')",
                                   (long long)f->user[JF_LW2], (long long)m->case_id),
                     2);
    /* The other service's own case is theirs, not Riverside's. */
    th_resp *r = jf_call(f, JF_GP2, "POST", "/api/v1/referrals",
                         jf_referral_body(f->lws2, "Ann", "Jones", "1960-02-02", NULL, 1));
    jf_expect(r, 201, "referral to Hillside");
    int64_t ref = jf_int(r->json, "id");
    th_resp_free(r);
    r = jf_callf(f, JF_LW2, "POST", json_pack("{s:s}", "status", "accepted"),
                 "/api/v1/referrals/%lld/status", (long long)ref);
    jf_expect(r, 200, "Hillside accepts");
    int64_t other_case = jf_int(r->json, "case_id");
    th_resp_free(r);
    jf_problem(jf_call(f, JF_LW, "POST", "/api/v1/measures",
                       body(other_case, "ucla3", "baseline", "2026-01-10", "[1, 1, 1]")),
               404, NULL, "Riverside records on Hillside's case");
    r = jf_call(f, JF_LW2, "POST", "/api/v1/measures",
                body(other_case, "ucla3", "baseline", "2026-01-10", "[1, 1, 1]"));
    jf_expect(r, 201, "Hillside records on its own case");
    th_resp_free(r);
    assert_int_equal(measures(m), before + 1);
}

static void every_read_and_write_is_audited(void **state) {
    mf *m = *state;
    jf *f = m->f;
    th_resp *r = record(m, JF_PEER, "ucla3", "baseline", "2026-01-10", "[2, 2, 2]");
    int64_t id = jf_int(r->json, "id");
    th_resp_free(r);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM audit_log WHERE action = "
                                   "'measure.create' AND resource_type = 'measure' AND "
                                   "resource_id = '%lld' AND user_id = %lld AND outcome = 'ok'",
                                   (long long)id, (long long)f->user[JF_PEER]),
                     1);
    r = jf_callf(f, JF_LW, "GET", NULL, "/api/v1/cases/%lld/measures", (long long)m->case_id);
    jf_expect(r, 200, "list");
    th_resp_free(r);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM audit_log WHERE action = "
                                   "'measure.list' AND resource_type = 'case' AND "
                                   "resource_id = '%lld' AND user_id = %lld",
                                   (long long)m->case_id, (long long)f->user[JF_LW]),
                     1);
    assert_int_equal(th_sql_countf(f->s,
                                   "SELECT count(*) FROM audit_log WHERE action = "
                                   "'person.read' AND user_id = %lld",
                                   (long long)f->user[JF_LW]),
                     1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(swemwbs_scored_and_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(mhcsf_languishing_to_flourishing, setup, teardown),
        cmocka_unit_test_setup_teardown(ons4_bands_at_their_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(ucla3_total_and_change, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_input_is_refused_and_nothing_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(only_the_case_workers_and_admins, setup, teardown),
        cmocka_unit_test_setup_teardown(every_read_and_write_is_audited, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
