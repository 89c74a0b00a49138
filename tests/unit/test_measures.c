/* Unit tests for domain/measures: instrument and timepoint names, the scoring
 * of ONS4, MHC-SF, SWEMWBS and UCLA-3 at every boundary, and the change
 * between two administrations. Every expected value is worked out by hand
 * from the published rules in the comment above it (docs/outcomes.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/measures.h"

/* Scores ITEMS and fails the test with the message when it is refused. */
static lw_scores score_ok(lw_instrument instr, const int64_t *items, size_t n) {
    lw_scores s;
    lw_error err = {0};
    lw_status st = measure_score(instr, items, n, NULL, &s, &err);
    if (st != LW_OK)
        fail_msg("refused: %s: %s", err.field, err.msg);
    assert_int_equal(s.instrument, instr);
    return s;
}

/* Scores ITEMS, expecting LW_EINVAL naming FIELD with WORDS in the message. */
static void score_bad(lw_instrument instr, const int64_t *items, size_t n, const char *field,
                      const char *words) {
    lw_scores s;
    lw_error err = {0};
    assert_int_equal(measure_score(instr, items, n, NULL, &s, &err), LW_EINVAL);
    assert_string_equal(err.field, field);
    if (words && !strstr(err.msg, words))
        fail_msg("message '%s' lacks '%s'", err.msg, words);
}

static int value_of(const lw_scores *s, const char *name) {
    const lw_score *sc = measure_score_find(s, name);
    if (!sc)
        fail_msg("no score '%s'", name);
    return sc->value;
}

static const char *label_of(const lw_scores *s, const char *name) {
    const lw_score *sc = measure_score_find(s, name);
    if (!sc)
        fail_msg("no score '%s'", name);
    return sc->label;
}

/* ---- names ---- */

static void test_instrument_names(void **state) {
    (void)state;
    static const char *const names[] = {"ons4", "mhcsf", "swemwbs", "ucla3"};
    static const int items[] = {4, 14, 7, 3};
    static const int lo[] = {0, 0, 1, 1}, hi[] = {10, 5, 5, 3};
    for (int i = 0; i < LW_INSTR_COUNT; i++) {
        lw_instrument got = LW_INSTR_COUNT;
        lw_error err = {0};
        assert_int_equal(instrument_parse(names[i], "instrument", &got, &err), LW_OK);
        assert_int_equal(got, i);
        assert_string_equal(instrument_name(got), names[i]);
        assert_non_null(strstr(instrument_names_list(), names[i]));
        const lw_instrument_info *info = instrument_info(got);
        assert_int_equal(info->items, items[i]);
        assert_int_equal(info->item_min, lo[i]);
        assert_int_equal(info->item_max, hi[i]);
    }
    assert_string_equal(instrument_name(LW_INSTR_COUNT), "unknown");
    assert_null(instrument_info(LW_INSTR_COUNT));
}

static void test_instrument_unknown(void **state) {
    (void)state;
    const char *bad[] = {"phq9", "ONS4", "", "ons4 ", "wemwbs"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lw_instrument got = LW_INSTR_ONS4;
        lw_error err = {0};
        assert_int_equal(instrument_parse(bad[i], "instrument", &got, &err), LW_EINVAL);
        assert_string_equal(err.field, "instrument");
        /* The message tells the person what would be accepted. */
        assert_non_null(strstr(err.msg, "ons4, mhcsf, swemwbs, ucla3"));
        assert_int_equal(got, LW_INSTR_ONS4); /* untouched */
    }
    lw_instrument got;
    lw_error err = {0};
    assert_int_equal(instrument_parse(NULL, "instrument", &got, &err), LW_EINVAL);
    assert_non_null(strstr(err.msg, "required"));
}

static void test_timepoint_names(void **state) {
    (void)state;
    static const char *const names[] = {"baseline", "review", "end", "follow_up"};
    for (int i = 0; i < LW_TP_COUNT; i++) {
        lw_timepoint tp = LW_TP_COUNT;
        lw_error err = {0};
        assert_int_equal(timepoint_parse(names[i], "timepoint", &tp, &err), LW_OK);
        assert_int_equal(tp, i);
        assert_string_equal(timepoint_name(tp), names[i]);
        assert_non_null(strstr(timepoint_names_list(), names[i]));
    }
    const char *bad[] = {"follow-up", "Baseline", "midpoint", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lw_timepoint tp;
        lw_error err = {0};
        assert_int_equal(timepoint_parse(bad[i], "timepoint", &tp, &err), LW_EINVAL);
        assert_string_equal(err.field, "timepoint");
        assert_non_null(strstr(err.msg, "baseline, review, end, follow_up"));
    }
    assert_string_equal(timepoint_name(LW_TP_COUNT), "unknown");
}

/* ---- ONS4 ---- */

static void test_ons4_bands_every_score(void **state) {
    (void)state;
    /* ONS thresholds, written out for each of 0..10:
     * life satisfaction, worthwhile, happiness: 0-4 low, 5-6 medium, 7-8 high,
     * 9-10 very high; anxiety: 0-1 very low, 2-3 low, 4-5 medium, 6-10 high. */
    static const char *const positive[11] = {"low",  "low",       "low",      "low",
                                             "low",  "medium",    "medium",   "high",
                                             "high", "very_high", "very_high"};
    static const char *const anxiety[11] = {"very_low", "very_low", "low",  "low",
                                            "medium",   "medium",   "high", "high",
                                            "high",     "high",     "high"};
    for (int v = 0; v <= 10; v++) {
        assert_string_equal(ons4_band_name(ons4_band(v, 0)), positive[v]);
        assert_string_equal(ons4_band_name(ons4_band(v, 1)), anxiety[v]);
        /* Through the scorer too: every item carries the same score v. */
        int64_t items[4] = {v, v, v, v};
        lw_scores s = score_ok(LW_INSTR_ONS4, items, 4);
        assert_int_equal(s.count, 4);
        assert_string_equal(label_of(&s, "life_satisfaction"), positive[v]);
        assert_string_equal(label_of(&s, "worthwhile"), positive[v]);
        assert_string_equal(label_of(&s, "happiness"), positive[v]);
        assert_string_equal(label_of(&s, "anxiety"), anxiety[v]);
        assert_int_equal(value_of(&s, "anxiety"), v);
    }
}

static void test_ons4_worked_example(void **state) {
    (void)state;
    /* Life satisfaction 7 (7-8: high), worthwhile 4 (0-4: low), happiness 9
     * (9-10: very high), anxiety 6 (6-10: high). */
    int64_t items[4] = {7, 4, 9, 6};
    lw_scores s = score_ok(LW_INSTR_ONS4, items, 4);
    assert_string_equal(s.s[0].name, "life_satisfaction");
    assert_int_equal(s.s[0].kind, LW_SCORE_BANDED);
    assert_int_equal(s.s[0].value, 7);
    assert_string_equal(s.s[0].label, "high");
    assert_string_equal(s.s[1].name, "worthwhile");
    assert_string_equal(s.s[1].label, "low");
    assert_string_equal(s.s[2].name, "happiness");
    assert_string_equal(s.s[2].label, "very_high");
    assert_string_equal(s.s[3].name, "anxiety");
    assert_string_equal(s.s[3].label, "high");
}

static void test_ons4_bad_items(void **state) {
    (void)state;
    int64_t three[3] = {5, 5, 5};
    score_bad(LW_INSTR_ONS4, three, 3, "items", "ons4 has 4 items; got 3");
    int64_t five[5] = {5, 5, 5, 5, 5};
    score_bad(LW_INSTR_ONS4, five, 5, "items", "got 5");
    score_bad(LW_INSTR_ONS4, NULL, 0, "items", "got 0");
    /* 11 is one past the top of 0-10, -1 one below the bottom. */
    int64_t high[4] = {5, 5, 11, 5};
    score_bad(LW_INSTR_ONS4, high, 4, "items[2]", "item 3 (happiness)");
    score_bad(LW_INSTR_ONS4, high, 4, "items[2]", "from 0 to 10; got 11");
    int64_t low[4] = {-1, 5, 5, 5};
    score_bad(LW_INSTR_ONS4, low, 4, "items[0]", "life_satisfaction");
    int64_t missing[4] = {5, 5, 5, LW_ITEM_MISSING};
    score_bad(LW_INSTR_ONS4, missing, 4, "items[3]", "item 4 (anxiety) of ons4 is missing");
    /* The first bad item is the one named. */
    int64_t two_bad[4] = {5, 12, LW_ITEM_MISSING, 5};
    score_bad(LW_INSTR_ONS4, two_bad, 4, "items[1]", NULL);
    /* A huge value is out of range, not wrapped into range. */
    int64_t huge[4] = {5, 5, 5, (int64_t)1 << 32};
    score_bad(LW_INSTR_ONS4, huge, 4, "items[3]", "4294967296");
    /* The caller names the array. */
    lw_scores s;
    lw_error err = {0};
    assert_int_equal(measure_score(LW_INSTR_ONS4, high, 4, "answers", &s, &err), LW_EINVAL);
    assert_string_equal(err.field, "answers[2]");
}

/* ---- MHC-SF ---- */

/* Builds 14 items: three emotional, then the eleven social (4-8) and
 * psychological (9-14) answers. */
static void mhc(int64_t out[14], int e1, int e2, int e3, const int rest[11]) {
    out[0] = e1;
    out[1] = e2;
    out[2] = e3;
    for (int i = 0; i < 11; i++)
        out[3 + i] = rest[i];
}

static const char *mhc_category(int e1, int e2, int e3, const int rest[11]) {
    int64_t items[14];
    mhc(items, e1, e2, e3, rest);
    lw_scores s = score_ok(LW_INSTR_MHCSF, items, 14);
    assert_string_equal(mhcsf_category_name(mhcsf_category(items)), label_of(&s, "category"));
    return label_of(&s, "category");
}

static void test_mhcsf_totals(void **state) {
    (void)state;
    /* All 5: emotional 3 x 5 = 15, social 5 x 5 = 25, psychological 6 x 5 =
     * 30, total 70; every item is 4-5, so flourishing. */
    int64_t all5[14];
    for (int i = 0; i < 14; i++)
        all5[i] = 5;
    lw_scores s = score_ok(LW_INSTR_MHCSF, all5, 14);
    assert_int_equal(s.count, 5);
    assert_int_equal(value_of(&s, "total"), 70);
    assert_int_equal(value_of(&s, "emotional"), 15);
    assert_int_equal(value_of(&s, "social"), 25);
    assert_int_equal(value_of(&s, "psychological"), 30);
    assert_string_equal(label_of(&s, "category"), "flourishing");
    assert_int_equal(measure_score_find(&s, "category")->kind, LW_SCORE_CATEGORY);
    assert_int_equal(value_of(&s, "category"), LW_MHCSF_FLOURISHING);

    /* All 0: every sum 0; every item 0-1, so languishing. */
    int64_t all0[14] = {0};
    s = score_ok(LW_INSTR_MHCSF, all0, 14);
    assert_int_equal(value_of(&s, "total"), 0);
    assert_string_equal(label_of(&s, "category"), "languishing");

    /* Items 1..14 answered 0,1,2,3,4,5,0,1,2,3,4,5,0,1:
     * emotional 0+1+2 = 3; social (items 4-8) 3+4+5+0+1 = 13;
     * psychological (items 9-14) 2+3+4+5+0+1 = 15; total 31.
     * Emotional: item 1 is 0 (low), none 4-5. Of the eleven, 4-5: items 5, 6,
     * 11, 12 = 4; 0-1: items 7, 8, 13, 14 = 4. Neither rule: moderate. */
    int64_t mixed[14] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1};
    s = score_ok(LW_INSTR_MHCSF, mixed, 14);
    assert_int_equal(value_of(&s, "emotional"), 3);
    assert_int_equal(value_of(&s, "social"), 13);
    assert_int_equal(value_of(&s, "psychological"), 15);
    assert_int_equal(value_of(&s, "total"), 31);
    assert_string_equal(label_of(&s, "category"), "moderate");
}

static void test_mhcsf_flourishing_edges(void **state) {
    (void)state;
    /* Exactly 6 of the 11 at 4 ("almost every day") and one emotional item at
     * 4: both conditions hold -> flourishing. The 3s ("2 or 3 times a week")
     * count for neither rule. */
    const int six_high[11] = {4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3};
    assert_string_equal(mhc_category(4, 3, 3, six_high), "flourishing");
    /* Only 5 of 11 at 4-5: the second condition fails -> moderate. */
    const int five_high[11] = {4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3};
    assert_string_equal(mhc_category(4, 3, 3, five_high), "moderate");
    /* Six of 11 high but no emotional item at 4-5 (3 is not enough) -> moderate. */
    assert_string_equal(mhc_category(3, 3, 3, six_high), "moderate");
    /* Even all eleven at 5 need an emotional 4-5. */
    const int all_high[11] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
    assert_string_equal(mhc_category(3, 3, 3, all_high), "moderate");
    /* The six may be anywhere among the eleven: the last six (psychological
     * items 9-14) -> flourishing. */
    const int last_six[11] = {3, 3, 3, 3, 3, 5, 5, 5, 5, 5, 5};
    assert_string_equal(mhc_category(5, 2, 2, last_six), "flourishing");
}

static void test_mhcsf_languishing_edges(void **state) {
    (void)state;
    /* Exactly 6 of 11 at 0-1 and one emotional item at 1 ("once or twice"):
     * languishing. The 2s ("about once a week") count for neither rule. */
    const int six_low[11] = {1, 1, 1, 0, 0, 0, 2, 2, 2, 2, 2};
    assert_string_equal(mhc_category(1, 2, 2, six_low), "languishing");
    /* Five of 11 low -> moderate. */
    const int five_low[11] = {1, 1, 1, 0, 0, 2, 2, 2, 2, 2, 2};
    assert_string_equal(mhc_category(1, 2, 2, five_low), "moderate");
    /* Six low but no emotional item at 0-1 (2 is not low) -> moderate. */
    assert_string_equal(mhc_category(2, 2, 2, six_low), "moderate");
}

static void test_mhcsf_emotional_high_and_low(void **state) {
    (void)state;
    /* Emotional items 5, 0, 2: one counts as high and one as low at once, so
     * the eleven decide. Six of them at 4-5 -> flourishing; six at 0-1 ->
     * languishing; neither -> moderate. (Both cannot hold: 6 + 6 > 11.) */
    const int six_high[11] = {5, 5, 5, 5, 5, 5, 2, 2, 2, 2, 2};
    const int six_low[11] = {0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2};
    const int middle[11] = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3};
    assert_string_equal(mhc_category(5, 0, 2, six_high), "flourishing");
    assert_string_equal(mhc_category(5, 0, 2, six_low), "languishing");
    assert_string_equal(mhc_category(5, 0, 2, middle), "moderate");
    /* Five high and five low among the eleven -> neither -> moderate. */
    const int split[11] = {5, 5, 5, 5, 5, 0, 0, 0, 0, 0, 3};
    assert_string_equal(mhc_category(5, 0, 2, split), "moderate");
}

static void test_mhcsf_bad_items(void **state) {
    (void)state;
    int64_t items[14] = {0};
    score_bad(LW_INSTR_MHCSF, items, 13, "items", "mhcsf has 14 items; got 13");
    items[13] = 6; /* one past 0-5, in the last (psychological) item */
    score_bad(LW_INSTR_MHCSF, items, 14, "items[13]", "item 14 (psychological)");
    items[13] = 0;
    items[0] = -1;
    score_bad(LW_INSTR_MHCSF, items, 14, "items[0]", "item 1 (emotional)");
    items[0] = 0;
    items[7] = LW_ITEM_MISSING;
    score_bad(LW_INSTR_MHCSF, items, 14, "items[7]", "item 8 (social) of mhcsf is missing");
    items[7] = 5; /* the top of the range is fine */
    score_ok(LW_INSTR_MHCSF, items, 14);
}

/* ---- SWEMWBS ---- */

static void test_swemwbs_table(void **state) {
    (void)state;
    /* The published raw -> metric table, typed again here from the source
     * (Stewart-Brown et al. 2009; Warwick Medical School), not from the code. */
    static const char *const metric[29] = {
        "7.00",  "9.51",  "11.25", "12.40", "13.33", "14.08", "14.75", "15.32", "15.84", "16.36",
        "16.88", "17.43", "17.98", "18.59", "19.25", "19.98", "20.73", "21.54", "22.35", "23.21",
        "24.11", "25.03", "26.02", "27.03", "28.13", "29.31", "30.70", "32.55", "35.00"};
    int prev = 0;
    for (int raw = 7; raw <= 35; raw++) {
        char text[24];
        int m = swemwbs_metric(raw);
        measure_value_format(m, 2, text);
        assert_string_equal(text, metric[raw - 7]);
        assert_true(m > prev); /* strictly increasing */
        prev = m;
    }
    assert_int_equal(swemwbs_metric(6), -1);
    assert_int_equal(swemwbs_metric(36), -1);
}

static void test_swemwbs_scores(void **state) {
    (void)state;
    /* All 1: raw 7 (the bottom of the table) -> 7.00. */
    int64_t low[7] = {1, 1, 1, 1, 1, 1, 1};
    lw_scores s = score_ok(LW_INSTR_SWEMWBS, low, 7);
    assert_int_equal(s.count, 2);
    assert_int_equal(value_of(&s, "raw"), 7);
    assert_int_equal(value_of(&s, "metric"), 700);
    assert_int_equal(measure_score_find(&s, "metric")->decimals, 2);
    /* All 5: raw 35 (the top) -> 35.00. */
    int64_t high[7] = {5, 5, 5, 5, 5, 5, 5};
    s = score_ok(LW_INSTR_SWEMWBS, high, 7);
    assert_int_equal(value_of(&s, "raw"), 35);
    assert_int_equal(value_of(&s, "metric"), 3500);
    /* One above the bottom: 2 + 6 x 1 = 8 -> 9.51; one below the top:
     * 4 + 6 x 5 = 34 -> 32.55. */
    int64_t eight[7] = {2, 1, 1, 1, 1, 1, 1};
    assert_int_equal(score_ok(LW_INSTR_SWEMWBS, eight, 7).s[1].value, 951);
    int64_t thirty_four[7] = {5, 5, 5, 4, 5, 5, 5};
    assert_int_equal(score_ok(LW_INSTR_SWEMWBS, thirty_four, 7).s[1].value, 3255);
    /* The example of the API sketch: all 3 -> raw 21 -> 19.25. */
    int64_t mid[7] = {3, 3, 3, 3, 3, 3, 3};
    s = score_ok(LW_INSTR_SWEMWBS, mid, 7);
    assert_int_equal(value_of(&s, "raw"), 21);
    char text[24];
    measure_value_format(value_of(&s, "metric"), 2, text);
    assert_string_equal(text, "19.25");
}

static void test_swemwbs_bad_items(void **state) {
    (void)state;
    int64_t zero[7] = {3, 3, 0, 3, 3, 3, 3}; /* 0 is below 1-5 */
    score_bad(LW_INSTR_SWEMWBS, zero, 7, "items[2]", "from 1 to 5; got 0");
    int64_t six[7] = {3, 3, 3, 3, 3, 3, 6};
    score_bad(LW_INSTR_SWEMWBS, six, 7, "items[6]", "item 7 of swemwbs");
    score_bad(LW_INSTR_SWEMWBS, six, 6, "items", "swemwbs has 7 items; got 6");
}

/* ---- UCLA-3 ---- */

static void test_ucla3(void **state) {
    (void)state;
    /* 1 + 1 + 1 = 3 (the least lonely), 3 + 3 + 3 = 9 (the most), 2 + 3 + 1 = 6. */
    int64_t least[3] = {1, 1, 1}, most[3] = {3, 3, 3}, some[3] = {2, 3, 1};
    lw_scores s = score_ok(LW_INSTR_UCLA3, least, 3);
    assert_int_equal(s.count, 1);
    assert_string_equal(s.s[0].name, "total");
    assert_int_equal(s.s[0].value, 3);
    assert_null(s.s[0].label);
    assert_int_equal(score_ok(LW_INSTR_UCLA3, most, 3).s[0].value, 9);
    assert_int_equal(score_ok(LW_INSTR_UCLA3, some, 3).s[0].value, 6);
    int64_t zero[3] = {0, 2, 2}, four[3] = {2, 4, 2};
    score_bad(LW_INSTR_UCLA3, zero, 3, "items[0]", "from 1 to 3; got 0");
    score_bad(LW_INSTR_UCLA3, four, 3, "items[1]", "got 4");
    score_bad(LW_INSTR_UCLA3, most, 2, "items", "ucla3 has 3 items; got 2");
}

static void test_value_format(void **state) {
    (void)state;
    char t[24];
    measure_value_format(1925, 2, t);
    assert_string_equal(t, "19.25");
    measure_value_format(-300, 2, t);
    assert_string_equal(t, "-3.00");
    measure_value_format(5, 2, t);
    assert_string_equal(t, "0.05");
    measure_value_format(-5, 2, t);
    assert_string_equal(t, "-0.05");
    measure_value_format(21, 0, t);
    assert_string_equal(t, "21");
}

/* ---- change ---- */

static lw_measure_change change_ok(const lw_scores *a, const lw_scores *b) {
    lw_measure_change c;
    lw_error err = {0};
    if (measure_change(a, b, &c, &err) != LW_OK)
        fail_msg("refused: %s", err.msg);
    return c;
}

static lw_scores swemwbs_raw(int raw) {
    /* raw = 7 + extra, spread over the items. */
    int64_t items[7] = {1, 1, 1, 1, 1, 1, 1};
    for (int extra = raw - 7, i = 0; extra > 0; i = (i + 1) % 7)
        if (items[i] < 5) {
            items[i]++;
            extra--;
        }
    lw_scores s = score_ok(LW_INSTR_SWEMWBS, items, 7);
    assert_int_equal(value_of(&s, "raw"), raw);
    return s;
}

static void test_change_swemwbs(void **state) {
    (void)state;
    /* Raw 11 -> 16: 13.33 -> 16.36 = +3.03, at least 3.00: improved. */
    lw_scores a = swemwbs_raw(11), b = swemwbs_raw(16);
    lw_measure_change c = change_ok(&a, &b);
    const lw_score_change *m = measure_change_find(&c, "metric");
    assert_int_equal(m->delta, 303);
    assert_int_equal(m->threshold, 300);
    assert_int_equal(m->verdict, 1);
    assert_int_equal(c.improved, 1);
    /* The raw score changes too but is not judged (the metric is). */
    assert_int_equal(measure_change_find(&c, "raw")->delta, 5);
    assert_int_equal(measure_change_find(&c, "raw")->verdict, 0);
    /* Raw 20 -> 24: 18.59 -> 21.54 = +2.95, under 3.00: not improved. */
    a = swemwbs_raw(20), b = swemwbs_raw(24);
    c = change_ok(&a, &b);
    assert_int_equal(measure_change_find(&c, "metric")->delta, 295);
    assert_int_equal(measure_change_find(&c, "metric")->verdict, 0);
    assert_int_equal(c.improved, 0);
    /* Raw 25 -> 21: 22.35 -> 19.25 = -3.10: a meaningful deterioration. */
    a = swemwbs_raw(25), b = swemwbs_raw(21);
    c = change_ok(&a, &b);
    assert_int_equal(measure_change_find(&c, "metric")->delta, -310);
    assert_int_equal(measure_change_find(&c, "metric")->verdict, -1);
    assert_int_equal(c.improved, 0);
    /* Exactly 3.00 counts ("at least"): no two table entries are 3.00 apart,
     * so set the metric by hand; 2.99 does not. */
    a.s[1].value = 1000;
    b.s[1].value = 1300;
    assert_int_equal(change_ok(&a, &b).improved, 1);
    b.s[1].value = 1299;
    assert_int_equal(change_ok(&a, &b).improved, 0);
}

static void test_change_ucla3(void **state) {
    (void)state;
    /* Lower is less lonely: 7 -> 6 is a fall of 1, the threshold: improved. */
    int64_t seven[3] = {3, 3, 1}, six[3] = {2, 2, 2}, five[3] = {2, 2, 1};
    lw_scores s7 = score_ok(LW_INSTR_UCLA3, seven, 3), s6 = score_ok(LW_INSTR_UCLA3, six, 3),
              s5 = score_ok(LW_INSTR_UCLA3, five, 3);
    lw_measure_change c = change_ok(&s7, &s6);
    assert_int_equal(c.c[0].delta, -1);
    assert_int_equal(c.c[0].better, -1);
    assert_int_equal(c.c[0].verdict, 1);
    assert_int_equal(c.improved, 1);
    /* No change: neither. */
    c = change_ok(&s6, &s6);
    assert_int_equal(c.c[0].verdict, 0);
    assert_int_equal(c.improved, 0);
    /* 5 -> 7: lonelier by 2: deterioration. */
    c = change_ok(&s5, &s7);
    assert_int_equal(c.c[0].delta, 2);
    assert_int_equal(c.c[0].verdict, -1);
}

static void test_change_ons4(void **state) {
    (void)state;
    /* Before {5,5,5,6}, after {7,6,5,3}: life satisfaction +2 (= threshold:
     * improved), worthwhile +1 (under), happiness 0, anxiety -3 (lower is
     * better: improved). Headline: some improved, none worse -> improved. */
    int64_t b[4] = {5, 5, 5, 6}, a[4] = {7, 6, 5, 3};
    lw_scores sb = score_ok(LW_INSTR_ONS4, b, 4), sa = score_ok(LW_INSTR_ONS4, a, 4);
    lw_measure_change c = change_ok(&sb, &sa);
    assert_int_equal(measure_change_find(&c, "life_satisfaction")->verdict, 1);
    assert_int_equal(measure_change_find(&c, "worthwhile")->verdict, 0);
    assert_int_equal(measure_change_find(&c, "happiness")->verdict, 0);
    const lw_score_change *anx = measure_change_find(&c, "anxiety");
    assert_int_equal(anx->delta, -3);
    assert_int_equal(anx->verdict, 1);
    assert_string_equal(anx->before_label, "high"); /* 6: high */
    assert_string_equal(anx->after_label, "low");   /* 3: low */
    assert_int_equal(c.improved, 1);
    assert_null(measure_primary_score(LW_INSTR_ONS4));
    /* Before {5,5,5,3}, after {7,5,5,5}: life satisfaction +2 improved, but
     * anxiety +2 is a meaningful deterioration -> headline not improved. */
    int64_t b2[4] = {5, 5, 5, 3}, a2[4] = {7, 5, 5, 5};
    sb = score_ok(LW_INSTR_ONS4, b2, 4), sa = score_ok(LW_INSTR_ONS4, a2, 4);
    c = change_ok(&sb, &sa);
    assert_int_equal(measure_change_find(&c, "anxiety")->verdict, -1);
    assert_int_equal(c.improved, 0);
}

static lw_scores mhc_scores(int e1, const int rest[11]) {
    int64_t items[14];
    mhc(items, e1, 2, 2, rest);
    return score_ok(LW_INSTR_MHCSF, items, 14);
}

static void test_change_mhcsf(void **state) {
    (void)state;
    const int high[11] = {5, 5, 5, 5, 5, 5, 2, 2, 2, 2, 2};
    const int low[11] = {0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2};
    const int mid[11] = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3};
    lw_scores lang = mhc_scores(0, low), mod = mhc_scores(3, mid), flour = mhc_scores(5, high);
    /* Moderate -> flourishing: one category up: improved, flourishing after only. */
    lw_measure_change c = change_ok(&mod, &flour);
    const lw_score_change *cat = measure_change_find(&c, "category");
    assert_string_equal(cat->before_label, "moderate");
    assert_string_equal(cat->after_label, "flourishing");
    assert_int_equal(cat->delta, 1);
    assert_int_equal(c.improved, 1);
    assert_int_equal(c.flourishing_before, 0);
    assert_int_equal(c.flourishing_after, 1);
    /* Totals: moderate 3+2+2 + 11x3 = 40; flourishing 5+2+2 + 6x5 + 5x2 = 49. */
    assert_int_equal(measure_change_find(&c, "total")->delta, 9);
    assert_int_equal(measure_change_find(&c, "total")->verdict, 0); /* not judged */
    /* Languishing -> moderate: also one up. */
    assert_int_equal(change_ok(&lang, &mod).improved, 1);
    /* Flourishing -> flourishing: no change, flourishing at both ends. */
    c = change_ok(&flour, &flour);
    assert_int_equal(c.improved, 0);
    assert_int_equal(c.flourishing_before, 1);
    assert_int_equal(c.flourishing_after, 1);
    /* Flourishing -> languishing: two down. */
    c = change_ok(&flour, &lang);
    assert_int_equal(measure_change_find(&c, "category")->delta, -2);
    assert_int_equal(measure_change_find(&c, "category")->verdict, -1);
}

static void test_change_mismatch(void **state) {
    (void)state;
    int64_t u[3] = {1, 1, 1}, o[4] = {5, 5, 5, 5};
    lw_scores a = score_ok(LW_INSTR_UCLA3, u, 3), b = score_ok(LW_INSTR_ONS4, o, 4);
    lw_measure_change c;
    lw_error err = {0};
    assert_int_equal(measure_change(&a, &b, &c, &err), LW_EINVAL);
    assert_string_equal(err.field, "instrument");
    assert_int_equal(measure_change(NULL, &b, &c, &err), LW_EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instrument_names),
        cmocka_unit_test(test_instrument_unknown),
        cmocka_unit_test(test_timepoint_names),
        cmocka_unit_test(test_ons4_bands_every_score),
        cmocka_unit_test(test_ons4_worked_example),
        cmocka_unit_test(test_ons4_bad_items),
        cmocka_unit_test(test_mhcsf_totals),
        cmocka_unit_test(test_mhcsf_flourishing_edges),
        cmocka_unit_test(test_mhcsf_languishing_edges),
        cmocka_unit_test(test_mhcsf_emotional_high_and_low),
        cmocka_unit_test(test_mhcsf_bad_items),
        cmocka_unit_test(test_swemwbs_table),
        cmocka_unit_test(test_swemwbs_scores),
        cmocka_unit_test(test_swemwbs_bad_items),
        cmocka_unit_test(test_ucla3),
        cmocka_unit_test(test_value_format),
        cmocka_unit_test(test_change_swemwbs),
        cmocka_unit_test(test_change_ucla3),
        cmocka_unit_test(test_change_ons4),
        cmocka_unit_test(test_change_mhcsf),
        cmocka_unit_test(test_change_mismatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
