/* Unit tests for the report engine (domain/report_engine.h): selection and
 * months, facts put twice replace themselves, the first and latest measure of
 * a pair whatever order they arrive in, the filters (direct prescriptions have
 * no source), and suppression in a computed report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/report_engine.h"

#define DAY (24LL * 3600 * 1000)
#define T0 1767225600000LL /* 2026-01-01 */

static void test_select_is_the_sorted_value(void **state) {
    (void)state;
    int64_t v[11] = {9, 3, 7, 1, 10, 2, 8, 6, 4, 5, 5};
    int64_t sorted[11] = {1, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10};
    for (size_t k = 0; k < 11; k++) {
        int64_t copy[11];
        memcpy(copy, v, sizeof v);
        assert_int_equal(rp_select(copy, 11, k), sorted[k]);
    }
    int64_t same[5] = {4, 4, 4, 4, 4};
    assert_int_equal(rp_select(same, 5, 2), 4);
}

static void test_months(void **state) {
    (void)state;
    char t[8];
    rp_month_text(rp_month(T0), t);
    assert_string_equal(t, "2026-01");
    rp_month_text(rp_month(T0 - 1), t);
    assert_string_equal(t, "2025-12");
    rp_month_text(rp_month(T0 + 59 * DAY), t); /* 1 March */
    assert_string_equal(t, "2026-03");
    rp_month_text(rp_month(T0 + 58 * DAY), t); /* 28 February */
    assert_string_equal(t, "2026-02");
}

static const char *figure(const rp_result *r, lw_arena *a, const char *key) {
    for (size_t i = 0; i < r->nfigs; i++)
        if (strcmp(r->fig_keys[i], key) == 0)
            return rp_cell_text(a, &r->figs[i]);
    fail_msg("no figure %s", key);
    return NULL;
}

/* Two referrals, one case, three prescriptions (one direct). */
static rp_data *small(void) {
    rp_data *d = rp_new();
    rp_referral_in r1 = {1, T0, 10, 20, "referrer", "isolation,mood", "accepted"};
    rp_referral_in r2 = {2, T0 + DAY, 0, 20, "self", "debt", "received"};
    rp_put_referral(d, &r1);
    rp_put_referral(d, &r2);
    rp_case_in c = {.id = 5,
                    .referral_id = 1,
                    .org = 20,
                    .assignee = 7,
                    .opened_at = T0,
                    .first_contact_at = T0 + 3 * DAY,
                    .open = 1};
    rp_put_case(d, &c);
    rp_rx_in x1 = {.id = 1,
                   .case_id = 5,
                   .sender_org = 20,
                   .created_at = T0,
                   .started_at = T0,
                   .service_id = "s1",
                   .kind = "referral",
                   .status = "started"};
    rp_rx_in x2 = {.id = 2,
                   .case_id = 5,
                   .sender_org = 20,
                   .created_at = T0,
                   .service_id = "s1",
                   .kind = "referral",
                   .status = "sent"};
    rp_rx_in x3 = {.id = 3,
                   .sender_org = 30,
                   .created_at = T0,
                   .started_at = T0,
                   .service_id = "s2",
                   .kind = "referral",
                   .status = "completed"};
    rp_put_rx(d, &x1);
    rp_put_rx(d, &x2);
    rp_put_rx(d, &x3);
    return d;
}

static void test_filters_and_replacement(void **state) {
    (void)state;
    rp_data *d = small();
    lw_arena *a = arena_new();
    lw_error err;
    rp_result r;
    rp_filter f = {.source = -1, .pathway = -1, .now = T0 + 10 * DAY};
    assert_int_equal(rp_run(d, "take-up", &f, NULL, NULL, a, &r, &err), LW_OK);
    assert_string_equal(figure(&r, a, "prescriptions"), "3");
    assert_string_equal(figure(&r, a, "took_up"), "2");
    assert_string_equal(figure(&r, a, "take_up_rate"), "66.7");
    /* A source filter leaves out the direct prescription (it has no referral). */
    f.source = rp_source_parse("referrer");
    assert_int_equal(rp_run(d, "take-up", &f, NULL, NULL, a, &r, &err), LW_OK);
    assert_string_equal(figure(&r, a, "prescriptions"), "2");
    /* Putting a prescription again replaces it. */
    rp_rx_in x2 = {.id = 2,
                   .case_id = 5,
                   .sender_org = 20,
                   .created_at = T0,
                   .started_at = T0 + DAY,
                   .service_id = "s1",
                   .kind = "referral",
                   .status = "started"};
    rp_put_rx(d, &x2);
    rp_put_rx(d, &x2);
    assert_int_equal(rp_run(d, "take-up", &f, NULL, NULL, a, &r, &err), LW_OK);
    assert_string_equal(figure(&r, a, "took_up"), "2");
    assert_string_equal(figure(&r, a, "prescriptions"), "2");
    /* The period: only the second referral (a self-referral, no case). */
    rp_filter g = {.from_ms = T0 + DAY, .to_ms = T0 + 2 * DAY, .source = -1, .pathway = -1};
    assert_int_equal(rp_run(d, "referrals-by-month", &g, NULL, NULL, a, &r, &err), LW_OK);
    assert_string_equal(figure(&r, a, "referrals"), "1");
    /* A commissioner sees the 1 as "<5". */
    g.suppress = 1;
    assert_int_equal(rp_run(d, "referrals-by-month", &g, NULL, NULL, a, &r, &err), LW_OK);
    assert_string_equal(figure(&r, a, "referrals"), "<5");
    assert_int_equal(rp_run(d, "nonsense", &g, NULL, NULL, a, &r, &err), LW_ENOTFOUND);
    arena_free(a);
    rp_free(d);
}

static void test_measure_pairs_in_any_order(void **state) {
    (void)state;
    rp_data *d = small();
    lw_arena *a = arena_new();
    lw_error err;
    rp_result r;
    /* The follow-up arrives first; then the baseline, dated earlier; then a repeat. */
    rp_measure_in late = {10, 5, "swemwbs", "2026-03-01", "[4,4,4,4,4,4,4]"};
    rp_measure_in early = {11, 5, "swemwbs", "2026-01-05", "[3,3,3,3,3,3,3]"};
    rp_put_measure(d, &late);
    rp_filter f = {.source = -1, .pathway = -1};
    assert_int_equal(rp_run(d, "outcomes", &f, NULL, NULL, a, &r, &err), LW_OK);
    assert_string_equal(figure(&r, a, "swemwbs_pairs"), "0");
    rp_put_measure(d, &early);
    rp_put_measure(d, &early);
    assert_int_equal(rp_run(d, "outcomes", &f, NULL, NULL, a, &r, &err), LW_OK);
    assert_string_equal(figure(&r, a, "swemwbs_pairs"), "1");
    assert_string_equal(figure(&r, a, "swemwbs_improved"), "1");
    /* Row swemwbs/metric: mean change 25.03 - 19.25 = 5.78. */
    int found = 0;
    for (size_t i = 0; i < r.nrows; i++) {
        const rp_cell *row = &r.cells[i * r.ncols];
        if (strcmp(row[0].s, "swemwbs") == 0) {
            assert_string_equal(rp_cell_text(a, &row[3]), "5.78");
            found = 1;
        }
    }
    assert_true(found);
    arena_free(a);
    rp_free(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select_is_the_sorted_value),
        cmocka_unit_test(test_months),
        cmocka_unit_test(test_filters_and_replacement),
        cmocka_unit_test(test_measure_pairs_in_any_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
