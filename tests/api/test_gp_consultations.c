/*
 * GP consultation counts over HTTP: a practice user enters the counts for a
 * referral their practice made (and corrects them), an admin for any; a CSV
 * import all or nothing, with a report naming each wrong line and field; and
 * the refusals (another practice's referral: 404; other roles: 403; bad
 * counts or the wrong person: 400), with nothing written.
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

static long long rows(jf *f) {
    return th_sql_count(f->s, "SELECT count(*) FROM gp_consultations");
}

static json_t *counts(int64_t referral, const char *nhs, int before, int after) {
    json_t *b = json_pack("{s:I, s:i}", "referral_id", (json_int_t)referral, "before", before);
    if (nhs)
        json_object_set_new(b, "nhs_number", json_string(nhs));
    if (after >= 0)
        json_object_set_new(b, "after", json_integer(after));
    return b;
}

/* POST a CSV body as WHO (caller frees). */
static th_resp *import_csv(jf *f, int who, const char *type, const char *csv) {
    char auth[200], ct[100];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", f->who[who].bearer);
    snprintf(ct, sizeof ct, "Content-Type: %s", type);
    const char *headers[] = {auth, ct, NULL};
    return th_raw(f->s, "POST", "/api/v1/gp-consultations/imports", headers, csv, (size_t)-1);
}

static void practice_enters_and_corrects_counts(void **state) {
    jf *f = *state;
    int64_t ref = jf_refer(f, JF_GP, "Mary", JF_NHS, 1);
    th_resp *r = jf_call(f, JF_GP, "POST", "/api/v1/gp-consultations", counts(ref, JF_NHS, 9, -1));
    jf_expect(r, 201, "entered");
    assert_int_equal(jf_int(r->json, "before"), 9);
    assert_true(json_is_null(json_object_get(r->json, "after")));
    th_resp_free(r);
    /* Six months later the practice adds the count after; the row is replaced, not doubled. */
    r = jf_call(f, JF_GP, "POST", "/api/v1/gp-consultations", counts(ref, NULL, 9, 4));
    jf_expect(r, 200, "corrected");
    assert_true(json_is_true(json_object_get(r->json, "updated")));
    th_resp_free(r);
    assert_int_equal(rows(f), 1);
    char *got = th_sql_text(f->s, "SELECT before_count, after_count FROM gp_consultations");
    assert_string_equal(got, "9\t4\n");
    free(got);
    /* An admin may enter any referral's counts. */
    r = jf_call(f, JF_ADMIN, "POST", "/api/v1/gp-consultations", counts(ref, NULL, 8, 4));
    jf_expect(r, 200, "admin");
    th_resp_free(r);
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action LIKE "
                                        "'gp_consultation.%' AND outcome = 'ok'"),
                     3);
}

static void refusals_write_nothing(void **state) {
    jf *f = *state;
    int64_t ref = jf_refer(f, JF_GP, "Mary", JF_NHS, 1);
    jf_refer(f, JF_GP2, "Bea", JF_NHS_2, 1);
    jf_problem(jf_call(f, JF_GP2, "POST", "/api/v1/gp-consultations", counts(ref, NULL, 3, 1)), 404,
               "referral_id", "another practice's referral");
    jf_problem(jf_call(f, JF_LW, "POST", "/api/v1/gp-consultations", counts(ref, NULL, 3, 1)), 403,
               NULL, "a link worker");
    jf_problem(jf_call(f, JF_DOC, "POST", "/api/v1/gp-consultations", counts(ref, NULL, 3, 1)), 403,
               NULL, "a clinician prescriber");
    jf_problem(jf_call(f, JF_COMM, "POST", "/api/v1/gp-consultations", counts(ref, NULL, 3, 1)),
               403, NULL, "a commissioner");
    jf_problem(jf_call(f, JF_GP, "POST", "/api/v1/gp-consultations", counts(ref, JF_NHS_2, 3, 1)),
               400, "nhs_number", "someone else's NHS number");
    jf_problem(jf_call(f, JF_GP, "POST", "/api/v1/gp-consultations", counts(ref, NULL, -1, 1)), 400,
               "before", "a negative count");
    jf_problem(jf_call(f, JF_GP, "POST", "/api/v1/gp-consultations", counts(ref, NULL, 3, 5000)),
               400, "after", "an impossible count");
    jf_problem(jf_call(f, JF_GP, "POST", "/api/v1/gp-consultations",
                       json_pack("{s:I}", "referral_id", (json_int_t)ref)),
               400, "before", "no count");
    jf_problem(jf_call(f, JF_GP, "POST", "/api/v1/gp-consultations", counts(99999, NULL, 3, 1)),
               404, "referral_id", "no such referral");
    assert_int_equal(rows(f), 0);
    /* A file with only its header imports nothing. */
    th_resp *r = import_csv(f, JF_GP2, "text/csv", "nhs_number,referral_id,before,after\n");
    jf_problem(r, 400, "file", "a file with no rows");
}

static void csv_import_all_or_nothing(void **state) {
    jf *f = *state;
    int64_t a = jf_refer(f, JF_GP, "Mary", JF_NHS, 1);
    int64_t b = jf_refer(f, JF_GP, "Bea", JF_NHS_2, 1);
    int64_t other = jf_refer(f, JF_GP2, "Cal", NULL, 1);
    char csv[1024];
    /* Line 3: a count that is not a number; line 4: the same referral again;
     * line 5: another practice's referral; line 6: the wrong person. */
    snprintf(csv, sizeof csv,
             "nhs_number,referral_id,before,after\n"
             "%s,%lld,7,3\n"
             "%s,%lld,seven,3\n"
             "%s,%lld,7,2\n"
             "%s,%lld,1,1\n"
             "%s,%lld,4,\n",
             JF_NHS, (long long)a, JF_NHS_2, (long long)b, JF_NHS, (long long)a, JF_NHS,
             (long long)other, JF_NHS, (long long)b);
    th_resp *r = import_csv(f, JF_GP, "text/csv", csv);
    assert_int_equal(r->status, 400);
    json_t *rej = json_object_get(r->json, "rejected");
    assert_int_equal(json_array_size(rej), 4);
    static const struct {
        int row;
        const char *field;
    } want[] = {{3, "before"}, {4, "referral_id"}, {5, "referral_id"}, {6, "nhs_number"}};
    for (size_t i = 0; i < 4; i++) {
        json_t *e = json_array_get(rej, i);
        assert_int_equal(jf_int(e, "row"), want[i].row);
        assert_string_equal(jf_str(e, "field"), want[i].field);
    }
    assert_int_equal(jf_int(r->json, "imported"), 0);
    th_resp_free(r);
    assert_int_equal(rows(f), 0);

    /* Fixed, it goes in whole; the blank "after" is not known yet. */
    snprintf(csv, sizeof csv,
             "referral_id,nhs_number,before,after\r\n"
             "%lld,%s,7,3\r\n"
             "%lld,\"%s\",4,\r\n",
             (long long)a, JF_NHS, (long long)b, JF_NHS_2);
    r = import_csv(f, JF_GP, "text/csv; charset=utf-8", csv);
    jf_expect(r, 200, "import");
    assert_int_equal(jf_int(r->json, "imported"), 2);
    assert_int_equal(jf_int(r->json, "updated"), 0);
    th_resp_free(r);
    char *got =
        th_sql_text(f->s, "SELECT before_count, after_count FROM gp_consultations ORDER BY id");
    assert_string_equal(got, "7\t3\n4\tNULL\n");
    free(got);
    /* Again: updated, not doubled. */
    r = import_csv(f, JF_ADMIN, "text/csv", csv);
    jf_expect(r, 200, "import again");
    assert_int_equal(jf_int(r->json, "updated"), 2);
    th_resp_free(r);
    assert_int_equal(rows(f), 2);

    jf_problem(import_csv(f, JF_GP, "application/json", "{}"), 400, "Content-Type", "not CSV");
    jf_problem(import_csv(f, JF_GP, "text/csv", "nhs,ref\n1,2\n"), 400, "file", "wrong header");
    jf_problem(import_csv(f, JF_LW, "text/csv", csv), 403, NULL, "a link worker importing");
    assert_int_equal(th_sql_count(f->s, "SELECT count(*) FROM audit_log WHERE action = "
                                        "'gp_consultation.import'"),
                     2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(practice_enters_and_corrects_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals_write_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_import_all_or_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
