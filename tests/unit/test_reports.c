/* Unit tests for domain/reports: small-number suppression (primary and
 * secondary), rates, rounding, means, nearest-rank percentiles, outcome change
 * summaries, and the SVG charts, which are parsed here as XML (balanced tags,
 * escaped text) and checked for their labels and for overlapping text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/measures.h"
#include "domain/reports.h"

/* ---- suppression ---- */

static void test_count_text_edges(void **state) {
    (void)state;
    char t[24];
    /* 0 shown (nobody), 1..4 hidden, 5 and more shown. */
    assert_string_equal(report_count_text(0, 1, t), "0");
    assert_string_equal(report_count_text(1, 1, t), "<5");
    assert_string_equal(report_count_text(4, 1, t), "<5");
    assert_string_equal(report_count_text(5, 1, t), "5");
    assert_string_equal(report_count_text(1234, 1, t), "1234");
    /* Link-worker services see their own numbers. */
    assert_string_equal(report_count_text(3, 0, t), "3");
    assert_false(report_is_small(0));
    assert_true(report_is_small(1));
    assert_true(report_is_small(4));
    assert_false(report_is_small(5));
    assert_false(report_is_small(-2));
    assert_string_equal(report_cell_text(3, LW_CELL_SUPPRESSED, t), "<5");
    assert_string_equal(report_cell_text(12, LW_CELL_SECONDARY, t), "[c]");
    assert_string_equal(report_cell_text(12, LW_CELL_SHOWN, t), "12");
}

/* Suppresses one group (a row with its total) and returns the texts joined by
 * spaces. */
static const char *group_texts(const int64_t *cells, size_t n) {
    static char out[256];
    lw_cell_mark marks[16] = {0};
    report_suppress_cells(cells, n, marks);
    report_suppress_group(cells, n, 1, marks);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char t[24];
        strcat(out, i ? " " : "");
        strcat(out, report_cell_text(cells[i], marks[i], t));
    }
    return out;
}

static void test_secondary_suppression(void **state) {
    (void)state;
    /* {3, 10, 12}, total 25 shown: 25 - 10 - 12 would give back the 3, so the
     * smallest other non-zero cell, 10, is hidden too. */
    assert_string_equal(group_texts((int64_t[]){3, 10, 12}, 3), "<5 [c] 12");
    /* Two small cells protect each other: {3, 2, 12} needs nothing more. */
    assert_string_equal(group_texts((int64_t[]){3, 2, 12}, 3), "<5 <5 12");
    /* A zero is not the cell to hide when a non-zero one exists. */
    assert_string_equal(group_texts((int64_t[]){3, 0, 12}, 3), "<5 0 [c]");
    /* Ties: the first of the smallest. */
    assert_string_equal(group_texts((int64_t[]){8, 4, 8}, 3), "[c] <5 8");
    /* Total 3 is itself hidden, so it reveals nothing: {3, 0, 0}. */
    assert_string_equal(group_texts((int64_t[]){3, 0, 0}, 3), "<5 0 0");
    /* No small cell: nothing hidden. */
    assert_string_equal(group_texts((int64_t[]){0, 5, 9}, 3), "0 5 9");
    /* Two cells, {7, 3}: total 10 - 7 = 3, so the 7 goes too. */
    assert_string_equal(group_texts((int64_t[]){7, 3}, 2), "[c] <5");
    /* A group of one: its total is the cell, nothing to do. */
    assert_string_equal(group_texts((int64_t[]){3}, 1), "<5");
}

static void test_table_suppression(void **state) {
    (void)state;
    /* Rows are months, columns referral sources; row and column totals are
     * published.
     *        GP  CMHT self
     *   Jan  20    3   10     row: one hidden -> hide the smallest other, 10
     *   Feb  15    8    9     column CMHT: 3 hidden alone -> hide 8
     *                         column self: 10 hidden alone -> hide 9
     *   Then Feb has 8 and 9 hidden (two): done. Jan has 3 and 10: done. */
    int64_t cells[6] = {20, 3, 10, 15, 8, 9};
    lw_cell_mark marks[6] = {0};
    assert_int_equal(report_suppress_table(cells, 2, 3, marks), 4);
    assert_int_equal(marks[0], LW_CELL_SHOWN);
    assert_int_equal(marks[1], LW_CELL_SUPPRESSED);
    assert_int_equal(marks[2], LW_CELL_SECONDARY);
    assert_int_equal(marks[3], LW_CELL_SHOWN);
    assert_int_equal(marks[4], LW_CELL_SECONDARY);
    assert_int_equal(marks[5], LW_CELL_SECONDARY);
    /* Every row and column now hides 0 or at least 2 cells. */
    for (int r = 0; r < 2; r++) {
        int h = (marks[r * 3] != 0) + (marks[r * 3 + 1] != 0) + (marks[r * 3 + 2] != 0);
        assert_true(h == 0 || h >= 2);
    }
    for (int c = 0; c < 3; c++) {
        int h = (marks[c] != 0) + (marks[3 + c] != 0);
        assert_true(h == 0 || h >= 2);
    }
    /* Nothing small: nothing hidden. */
    int64_t big[4] = {5, 6, 7, 0};
    lw_cell_mark m2[4] = {0};
    assert_int_equal(report_suppress_table(big, 2, 2, m2), 0);
}

static void test_rate_suppression(void **state) {
    (void)state;
    assert_false(report_rate_is_small(39, 50));
    assert_true(report_rate_is_small(3, 50));  /* 3 took up */
    assert_true(report_rate_is_small(48, 50)); /* 2 did not */
    assert_true(report_rate_is_small(3, 3));   /* 3 referred */
    assert_false(report_rate_is_small(0, 50));
    assert_false(report_rate_is_small(50, 50));
    assert_false(report_rate_is_small(0, 0));
}

/* ---- rates, rounding, means ---- */

static void test_rates(void **state) {
    (void)state;
    char t[24];
    /* Seed 001's figures: 39 of 50 took up (78.0%), 27 of 50 discharged (54.0%). */
    lw_rate r = report_rate(39, 50);
    assert_int_equal(r.numerator, 39);
    assert_int_equal(r.denominator, 50);
    assert_true(r.defined);
    assert_int_equal(r.permille, 780);
    assert_string_equal(report_rate_text(&r, t), "78.0%");
    r = report_rate(27, 50);
    assert_string_equal(report_rate_text(&r, t), "54.0%");
    /* 1/3 = 333.33 per mille -> 333 (33.3%); 2/3 = 666.67 -> 667 (66.7%). */
    r = report_rate(1, 3);
    assert_int_equal(r.permille, 333);
    r = report_rate(2, 3);
    assert_string_equal(report_rate_text(&r, t), "66.7%");
    /* 1/16 = 62.5 per mille exactly: a half rounds up -> 63 (6.3%). */
    r = report_rate(1, 16);
    assert_int_equal(r.permille, 63);
    assert_string_equal(report_rate_text(&r, t), "6.3%");
    r = report_rate(0, 0);
    assert_false(r.defined);
    assert_string_equal(report_rate_text(&r, t), "n/a");
    r = report_rate(50, 50);
    assert_string_equal(report_rate_text(&r, t), "100.0%");
}

static void test_div_round(void **state) {
    (void)state;
    assert_int_equal(report_div_round(5, 2), 3);   /* 2.5 -> 3 */
    assert_int_equal(report_div_round(-5, 2), -3); /* -2.5 -> -3: away from zero */
    assert_int_equal(report_div_round(7, 3), 2);   /* 2.33 */
    assert_int_equal(report_div_round(-7, 3), -2);
    assert_int_equal(report_div_round(8, 3), 3); /* 2.67 */
    assert_int_equal(report_div_round(5, -2), -3);
    assert_int_equal(report_div_round(1, 0), 0);
}

static void test_means(void **state) {
    (void)state;
    int64_t m = 0;
    /* {1, 2}: 1.5 -> 150 hundredths. */
    assert_true(report_mean_hundredths((int64_t[]){1, 2}, 2, 0, &m));
    assert_int_equal(m, 150);
    /* {19, 20, 20}: 59 / 3 = 19.666... -> 19.67. */
    assert_true(report_mean_hundredths((int64_t[]){19, 20, 20}, 3, 0, &m));
    assert_int_equal(m, 1967);
    /* SWEMWBS deltas in hundredths {2.29, 3.10}: 5.39 / 2 = 2.695 -> 2.70. */
    assert_true(report_mean_hundredths((int64_t[]){229, 310}, 2, 2, &m));
    assert_int_equal(m, 270);
    /* {-1, -2, -2}: -5 / 3 = -1.666... -> -1.67. */
    assert_true(report_mean_hundredths((int64_t[]){-1, -2, -2}, 3, 0, &m));
    assert_int_equal(m, -167);
    m = 42;
    assert_false(report_mean_hundredths(NULL, 0, 0, &m));
    assert_int_equal(m, 42);
}

/* ---- percentiles ---- */

static int64_t pct(const int64_t *in, size_t n, int p) {
    int64_t v[64], out = -999;
    memcpy(v, in, n * sizeof *v);
    if (!report_percentile(v, n, p, &out))
        fail_msg("no percentile");
    return out;
}

static void test_percentiles(void **state) {
    (void)state;
    /* Nearest rank: the value at rank ceil(p * n / 100), 1-based, ascending.
     * n = 1: ranks ceil(0.5) = 1 and ceil(0.9) = 1: the one value. */
    assert_int_equal(pct((int64_t[]){7}, 1, 50), 7);
    assert_int_equal(pct((int64_t[]){7}, 1, 90), 7);
    /* n = 2 {3, 9}: median rank ceil(1.0) = 1 -> 3; p90 rank ceil(1.8) = 2 -> 9. */
    assert_int_equal(pct((int64_t[]){9, 3}, 2, 50), 3);
    assert_int_equal(pct((int64_t[]){9, 3}, 2, 90), 9);
    /* n = 4 unsorted {4, 1, 3, 2}: median rank 2 -> 2 (the lower middle);
     * p90 rank ceil(3.6) = 4 -> 4. */
    assert_int_equal(pct((int64_t[]){4, 1, 3, 2}, 4, 50), 2);
    assert_int_equal(pct((int64_t[]){4, 1, 3, 2}, 4, 90), 4);
    /* n = 5 {10..50}: median rank ceil(2.5) = 3 -> 30; p90 ceil(4.5) = 5 -> 50. */
    assert_int_equal(pct((int64_t[]){50, 10, 40, 20, 30}, 5, 50), 30);
    assert_int_equal(pct((int64_t[]){50, 10, 40, 20, 30}, 5, 90), 50);
    /* n = 10 {1..10}: median rank 5 -> 5; p90 rank 9 -> 9 (exact, no rounding up). */
    int64_t ten[10] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    assert_int_equal(pct(ten, 10, 50), 5);
    assert_int_equal(pct(ten, 10, 90), 9);
    assert_int_equal(pct(ten, 10, 100), 10);
    assert_int_equal(pct(ten, 10, 1), 1);
    /* n = 11: p90 rank ceil(9.9) = 10. Duplicates count once each. */
    int64_t eleven[11] = {0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6};
    assert_int_equal(pct(eleven, 11, 90), 5);
    assert_int_equal(pct(eleven, 11, 50), 2); /* rank ceil(5.5) = 6 */
    assert_int_equal(report_nearest_rank(11, 90), 10);
    assert_int_equal(report_nearest_rank(20, 90), 18);
    /* Nothing to rank, or P outside 1..100. */
    int64_t out = 77;
    assert_false(report_percentile(NULL, 0, 50, &out));
    assert_false(report_percentile(ten, 10, 0, &out));
    assert_false(report_percentile(ten, 10, 101, &out));
    assert_int_equal(out, 77);
    assert_int_equal(report_nearest_rank(0, 50), 0);
    /* report_percentile sorts the array in place. */
    assert_true(report_percentile(ten, 10, 50, &out));
    for (int i = 0; i < 10; i++)
        assert_int_equal(ten[i], i + 1);
}

/* ---- outcome change summaries ---- */

static lw_scores swemwbs(int64_t item) {
    int64_t items[7] = {item, item, item, item, item, item, item};
    lw_scores s;
    lw_error err = {0};
    assert_int_equal(measure_score(LW_INSTR_SWEMWBS, items, 7, NULL, &s, &err), LW_OK);
    return s;
}

static void test_change_summary(void **state) {
    (void)state;
    /* Three people: raw 14 -> 21 (15.32 -> 19.25, +3.93, improved), 21 -> 21
     * (0), 28 -> 21 (25.03 -> 19.25, -5.78, worse). Mean (393 + 0 - 578) / 3 =
     * -61.67 -> -62 hundredths; 1 of 3 improved (33.3%). */
    lw_scores s14 = swemwbs(2), s21 = swemwbs(3), s28 = swemwbs(4);
    lw_measure_change c;
    lw_error err = {0};
    lw_change_summary sum = {0};
    assert_int_equal(measure_change(&s14, &s21, &c, &err), LW_OK);
    report_change_add(&sum, &c, NULL);
    assert_int_equal(measure_change(&s21, &s21, &c, &err), LW_OK);
    report_change_add(&sum, &c, NULL);
    assert_int_equal(measure_change(&s28, &s21, &c, &err), LW_OK);
    report_change_add(&sum, &c, "metric");
    report_change_add(&sum, &c, "no_such_score"); /* ignored */
    assert_int_equal(sum.n, 3);
    assert_int_equal(sum.sum_delta, 393 + 0 - 578);
    assert_int_equal(report_change_mean(&sum), -62);
    assert_int_equal(sum.improved, 1);
    assert_int_equal(sum.deteriorated, 1);
    lw_rate share = report_change_improved(&sum);
    assert_int_equal(share.permille, 333);
    /* The raw score of the last pair alone: 28 -> 21 = -7 -> -7.00; the raw
     * score is not judged, so no verdicts. */
    lw_change_summary raw = {0};
    report_change_add(&raw, &c, "raw");
    assert_int_equal(report_change_mean(&raw), -700);
    assert_int_equal(raw.improved + raw.deteriorated, 0);
    lw_change_summary empty = {0};
    assert_int_equal(report_change_mean(&empty), 0);
    assert_false(report_change_improved(&empty).defined);
}

static void test_change_summary_mhcsf(void **state) {
    (void)state;
    /* Flourishing before and after for MHC-SF: person A all 5 -> all 5
     * (flourishing both), person B all 3 -> all 5 (moderate -> flourishing). */
    int64_t all5[14], all3[14];
    for (int i = 0; i < 14; i++)
        all5[i] = 5, all3[i] = 3;
    lw_scores f, m;
    lw_error err = {0};
    assert_int_equal(measure_score(LW_INSTR_MHCSF, all5, 14, NULL, &f, &err), LW_OK);
    assert_int_equal(measure_score(LW_INSTR_MHCSF, all3, 14, NULL, &m, &err), LW_OK);
    lw_measure_change c;
    lw_change_summary sum = {0};
    assert_int_equal(measure_change(&f, &f, &c, &err), LW_OK);
    report_change_add(&sum, &c, NULL);
    assert_int_equal(measure_change(&m, &f, &c, &err), LW_OK);
    report_change_add(&sum, &c, NULL);
    assert_int_equal(sum.flourishing_before, 1);
    assert_int_equal(sum.flourishing_after, 2);
    assert_int_equal(sum.improved, 1);
}

/* ---- SVG: a small XML checker ---- */

typedef struct svg_text {
    double x, y, fs, angle;
    char anchor[8];
    int bold;
    char text[512]; /* unescaped */
} svg_text;

typedef struct svg_doc {
    double w, h;
    int viewbox_ok;
    int n_text, n_rect, n_title, n_desc;
    svg_text t[1500];
} svg_doc;

static int entity_len(const char *p) {
    static const char *const names[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    for (size_t i = 0; i < 5; i++)
        if (strncmp(p, names[i], strlen(names[i])) == 0)
            return (int)strlen(names[i]);
    return 0;
}

static char entity_char(const char *p) {
    return p[1] == 'a' ? (p[2] == 'm' ? '&' : '\'') : p[1] == 'l' ? '<' : p[1] == 'g' ? '>' : '"';
}

/* Unescapes [P, END) into OUT; NULL when it holds a raw '<', '>' or an '&' that
 * starts no entity. */
static const char *unescape(const char *p, const char *end, char *out, size_t cap) {
    size_t k = 0;
    while (p < end) {
        if (*p == '<' || *p == '>')
            return NULL;
        char c = *p;
        if (*p == '&') {
            int n = entity_len(p);
            if (!n)
                return NULL;
            c = entity_char(p);
            p += n;
        } else {
            p++;
        }
        if (k + 1 < cap)
            out[k++] = c;
    }
    out[k] = '\0';
    return out;
}

static double absd(double x) {
    return x < 0 ? -x : x;
}

static const char *attr(char names[][32], char values[][600], int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return values[i];
    return NULL;
}

/* Checks that SVG is one well-formed <svg> element with escaped text and
 * collects its texts. Returns NULL when it is, else what is wrong. */
static const char *svg_check(const char *svg, svg_doc *d) {
    char stack[64][32];
    int depth = 0, roots = 0;
    int in_text = 0;
    const char *text_start = NULL;
    memset(d, 0, sizeof *d);
    const char *p = svg;
    while (*p) {
        if (*p != '<') {
            const char *e = strchr(p, '<');
            if (!e)
                e = p + strlen(p);
            char buf[1024];
            if (!unescape(p, e, buf, sizeof buf))
                return "unescaped character in text";
            if (depth == 0 && strspn(p, " \n\t") < (size_t)(e - p))
                return "text outside the root element";
            p = e;
            continue;
        }
        if (p[1] == '/') {
            p += 2;
            size_t n = strcspn(p, ">");
            if (!p[n] || depth == 0 || n >= 32 || strncmp(stack[depth - 1], p, n) != 0 ||
                stack[depth - 1][n] != '\0')
                return "unbalanced closing tag";
            if (strcmp(stack[depth - 1], "text") == 0) {
                svg_text *t = &d->t[d->n_text - 1];
                if (!unescape(text_start, p - 2, t->text, sizeof t->text))
                    return "bad text content";
                in_text = 0;
            }
            depth--;
            p += n + 1;
            continue;
        }
        p++;
        size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-");
        if (n == 0 || n >= 32)
            return "bad element name";
        char name[32];
        memcpy(name, p, n);
        name[n] = '\0';
        p += n;
        char an[16][32], av[16][600];
        int na = 0;
        for (;;) {
            p += strspn(p, " \n\t");
            if (*p == '/' && p[1] == '>') {
                p += 2;
                break;
            }
            if (*p == '>') {
                p++;
                break;
            }
            size_t k =
                strspn(p, "abcdefghijklmnopqrstuvwxyz-:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
            if (k == 0 || k >= 32 || p[k] != '=' || p[k + 1] != '"' || na == 16)
                return "bad attribute";
            memcpy(an[na], p, k);
            an[na][k] = '\0';
            for (int i = 0; i < na; i++)
                if (strcmp(an[i], an[na]) == 0)
                    return "duplicate attribute";
            p += k + 2;
            const char *e = strchr(p, '"');
            if (!e || !unescape(p, e, av[na], sizeof av[na]))
                return "bad attribute value";
            na++;
            p = e + 1;
        }
        int self_closing = p[-2] == '/';
        if (depth == 0) {
            if (strcmp(name, "svg") != 0 || ++roots > 1)
                return "the root is not one <svg>";
            const char *w = attr(an, av, na, "width"), *h = attr(an, av, na, "height");
            const char *vb = attr(an, av, na, "viewBox");
            if (!w || !h || !vb || !attr(an, av, na, "xmlns"))
                return "svg lacks width, height, viewBox or xmlns";
            d->w = atof(w);
            d->h = atof(h);
            char expect[64];
            snprintf(expect, sizeof expect, "0 0 %s %s", w, h);
            d->viewbox_ok = strcmp(vb, expect) == 0;
        }
        if (in_text)
            return "element inside <text>";
        if (strcmp(name, "rect") == 0) {
            d->n_rect++;
            const char *hh = attr(an, av, na, "height"), *ww = attr(an, av, na, "width");
            if (!hh || !ww || atof(hh) < 0 || atof(ww) < 0)
                return "rect with a negative size";
        }
        if (strcmp(name, "title") == 0)
            d->n_title++;
        if (strcmp(name, "desc") == 0)
            d->n_desc++;
        if (strcmp(name, "text") == 0) {
            if (d->n_text == (int)(sizeof d->t / sizeof d->t[0]))
                return "too many texts for the checker";
            svg_text *t = &d->t[d->n_text++];
            memset(t, 0, sizeof *t);
            const char *v;
            if (!(v = attr(an, av, na, "x")))
                return "text without x";
            t->x = atof(v);
            if (!(v = attr(an, av, na, "y")))
                return "text without y";
            t->y = atof(v);
            t->fs = (v = attr(an, av, na, "font-size")) ? atof(v) : 16;
            snprintf(t->anchor, sizeof t->anchor, "%s",
                     (v = attr(an, av, na, "text-anchor")) ? v : "start");
            t->bold = (v = attr(an, av, na, "font-weight")) && strcmp(v, "bold") == 0;
            if ((v = attr(an, av, na, "transform"))) {
                double ang, cx, cy;
                if (sscanf(v, "rotate(%lf %lf %lf)", &ang, &cx, &cy) != 3 ||
                    absd(cx - t->x) > 0.01 || absd(cy - t->y) > 0.01)
                    return "unexpected transform";
                t->angle = ang;
            }
            if (self_closing)
                return "empty text";
            in_text = 1;
            text_start = p;
        }
        if (!self_closing) {
            if (depth == 64)
                return "too deep";
            snprintf(stack[depth++], 32, "%s", name);
        }
    }
    if (depth != 0)
        return "unclosed element";
    if (roots != 1)
        return "no root element";
    return NULL;
}

/* The width a real sans-serif font gives TEXT: Arial-like advances, a little
 * generous, independent of the renderer's own estimate. */
static double real_width(const char *s, double fs, int bold) {
    double em = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue; /* UTF-8 continuation byte */
        if (*p >= 0x80)
            em += 0.9;
        else if (*p == ' ' || strchr("il.,:;'|!", *p))
            em += 0.28;
        else if (strchr("MWmw@%", *p))
            em += 0.85;
        else if (*p >= 'A' && *p <= 'Z')
            em += 0.7;
        else
            em += 0.56;
    }
    return em * fs * (bold ? 1.07 : 1.0);
}

/* Sine and cosine of the angles charts use (no libm needed). */
static void sin_cos(double deg, double *sn, double *cs) {
    const double h = 0.70710678118654752;
    if (deg == 0) {
        *sn = 0, *cs = 1;
    } else if (deg == 45 || deg == -45) {
        *sn = deg > 0 ? h : -h, *cs = h;
    } else if (deg == 90 || deg == -90) {
        *sn = deg > 0 ? 1 : -1, *cs = 0;
    } else {
        fail_msg("unexpected angle %f", deg);
    }
}

/* The four corners of a text's box (baseline at y: 0.75 em above, 0.2 below). */
static void corners(const svg_text *t, double cx[4], double cy[4]) {
    double w = real_width(t->text, t->fs, t->bold);
    double x0 = strcmp(t->anchor, "middle") == 0 ? -w / 2 : strcmp(t->anchor, "end") == 0 ? -w : 0;
    double dx[4] = {x0, x0 + w, x0 + w, x0},
           dy[4] = {-0.75 * t->fs, -0.75 * t->fs, 0.2 * t->fs, 0.2 * t->fs};
    double sn, cs;
    sin_cos(t->angle, &sn, &cs);
    for (int i = 0; i < 4; i++) {
        cx[i] = t->x + dx[i] * cs - dy[i] * sn;
        cy[i] = t->y + dx[i] * sn + dy[i] * cs;
    }
}

/* Axis-aligned bounds of corners, in a frame rotated by -ANGLE degrees. */
static void bounds(const double cx[4], const double cy[4], double angle, double b[4]) {
    double sn, cs;
    sin_cos(-angle, &sn, &cs);
    b[0] = b[1] = 1e9;
    b[2] = b[3] = -1e9;
    for (int i = 0; i < 4; i++) {
        double x = cx[i] * cs - cy[i] * sn, y = cx[i] * sn + cy[i] * cs;
        b[0] = x < b[0] ? x : b[0];
        b[1] = y < b[1] ? y : b[1];
        b[2] = x > b[2] ? x : b[2];
        b[3] = y > b[3] ? y : b[3];
    }
}

/* NULL when no two texts overlap and all lie inside the canvas; else a
 * description of the first problem (in a static buffer). */
static const char *svg_layout_problem(const svg_doc *d) {
    static char msg[1200];
    for (int i = 0; i < d->n_text; i++) {
        double x[4], y[4], b[4];
        corners(&d->t[i], x, y);
        bounds(x, y, 0, b);
        if (b[0] < -0.5 || b[1] < -0.5 || b[2] > d->w + 0.5 || b[3] > d->h + 0.5) {
            snprintf(msg, sizeof msg, "'%s' leaves the canvas", d->t[i].text);
            return msg;
        }
        for (int j = 0; j < i; j++) {
            double x2[4], y2[4], b1[4], b2[4];
            corners(&d->t[j], x2, y2);
            /* Same angle: exact test in that frame; else the bounding boxes. */
            double frame = d->t[i].angle == d->t[j].angle ? d->t[i].angle : 0;
            bounds(x, y, frame, b1);
            bounds(x2, y2, frame, b2);
            if (b1[0] < b2[2] - 0.5 && b2[0] < b1[2] - 0.5 && b1[1] < b2[3] - 0.5 &&
                b2[1] < b1[3] - 0.5) {
                snprintf(msg, sizeof msg, "'%s' overlaps '%s'", d->t[i].text, d->t[j].text);
                return msg;
            }
        }
    }
    return NULL;
}

static int has_text(const svg_doc *d, const char *text) {
    for (int i = 0; i < d->n_text; i++)
        if (strcmp(d->t[i].text, text) == 0)
            return 1;
    return 0;
}

/* Renders, parses and checks layout; returns the SVG. */
static char *render_ok(lw_arena *a, const lw_chart *c, int before_after, svg_doc *d) {
    char *svg = NULL;
    lw_error err = {0};
    lw_status st =
        before_after ? chart_before_after_svg(a, c, &svg, &err) : chart_bar_svg(a, c, &svg, &err);
    if (st != LW_OK)
        fail_msg("refused: %s %s", err.field, err.msg);
    const char *bad = svg_check(svg, d);
    if (bad)
        fail_msg("not well-formed: %s\n%s", bad, svg);
    assert_true(d->viewbox_ok);
    assert_true(d->w >= 640);
    assert_int_equal(d->n_title >= 1, 1);
    const char *overlap = svg_layout_problem(d);
    if (overlap)
        fail_msg("%s\n%s", overlap, svg);
    return svg;
}

static void test_svg_checker_catches_faults(void **state) {
    (void)state;
    /* The checker must itself be able to fail, or the chart tests prove nothing. */
    svg_doc *d = malloc(sizeof *d);
    const char *head = "<svg xmlns=\"x\" width=\"10\" height=\"10\" viewBox=\"0 0 10 10\">";
    char buf[512];
    snprintf(buf, sizeof buf, "%s<text x=\"1\" y=\"5\">ok</text></svg>", head);
    assert_null(svg_check(buf, d));
    snprintf(buf, sizeof buf, "%s<g></svg>", head);
    assert_non_null(svg_check(buf, d));
    snprintf(buf, sizeof buf, "%s<text x=\"1\" y=\"5\">a & b</text></svg>", head);
    assert_non_null(svg_check(buf, d));
    snprintf(buf, sizeof buf, "%s<text x=\"1\" y=\"5\">a < b</text></svg>", head);
    assert_non_null(svg_check(buf, d));
    snprintf(buf, sizeof buf, "%s<rect title=\"a<b\" width=\"1\" height=\"1\"/></svg>", head);
    assert_non_null(svg_check(buf, d));
    snprintf(buf, sizeof buf, "%s</svg><svg></svg>", head);
    assert_non_null(svg_check(buf, d));
    assert_non_null(svg_check("<svg width=\"1\">", d));
    /* And the layout check finds overlapping and escaping texts. */
    snprintf(buf, sizeof buf,
             "%s<text x=\"1\" y=\"5\" font-size=\"4\">abc</text>"
             "<text x=\"2\" y=\"5\" font-size=\"4\">def</text></svg>",
             head);
    assert_null(svg_check(buf, d));
    assert_non_null(svg_layout_problem(d));
    snprintf(buf, sizeof buf, "%s<text x=\"8\" y=\"5\" font-size=\"4\">abc</text></svg>", head);
    assert_null(svg_check(buf, d));
    assert_non_null(svg_layout_problem(d));
    free(d);
}

/* ---- SVG charts ---- */

static void test_chart_simple(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    svg_doc *d = malloc(sizeof *d);
    /* Referrals per month as a commissioner sees them: 3 is "<5", 0 is 0. */
    const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun"};
    int64_t v[] = {12, 3, 0, 27, 1234, 5};
    lw_cell_mark marks[6] = {0};
    report_suppress_cells(v, 6, marks);
    lw_chart_series s = {"Referrals", v, marks};
    lw_chart c = {"Referrals by month",
                  "Month",
                  "Referrals",
                  "Referrals received per month",
                  6,
                  months,
                  1,
                  &s,
                  0,
                  NULL};
    char *svg = render_ok(a, &c, 0, d);
    assert_true(has_text(d, "Referrals by month")); /* title */
    assert_true(has_text(d, "Month"));              /* x axis */
    assert_true(has_text(d, "Referrals"));          /* y axis and legend */
    for (int i = 0; i < 6; i++)
        assert_true(has_text(d, months[i]));
    /* Values on the bars: the small one hidden, thousands grouped. */
    assert_true(has_text(d, "<5"));
    assert_non_null(strstr(svg, ">&lt;5<"));
    assert_false(has_text(d, "3"));
    assert_true(has_text(d, "1,234"));
    assert_true(has_text(d, "0"));
    /* Rects: background, legend swatch, and bars for 12, 27, 1234, 5 (not the
     * hidden 3, not the 0). */
    assert_int_equal(d->n_rect, 2 + 4);
    assert_int_equal(d->n_desc, 1);
    assert_non_null(strstr(svg, "role=\"img\""));
    assert_non_null(strstr(svg, "aria-label=\"Referrals by month\""));
    /* Horizontal category labels here: no rotation. */
    assert_null(strstr(svg, "rotate(-45"));
    free(d);
    arena_free(a);
}

static void test_chart_escapes(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    svg_doc *d = malloc(sizeof *d);
    const char *cats[] = {"Arts & crafts <Tuesdays>", "\"Walk\" & 'talk'", "bad\x01\xff"};
    int64_t v[] = {10, 20, 30};
    lw_chart_series s = {"Peer-led & \"mixed\"", v, NULL};
    lw_chart c = {"Take-up <by> service & \"type\"",
                  "Service",
                  "Prescriptions",
                  NULL,
                  3,
                  cats,
                  1,
                  &s,
                  0,
                  NULL};
    char *svg = render_ok(a, &c, 0, d);
    assert_non_null(strstr(svg, "Arts &amp; crafts &lt;Tuesdays&gt;"));
    assert_non_null(strstr(svg, "&quot;Walk&quot; &amp; &apos;talk&apos;"));
    assert_non_null(strstr(svg, "Take-up &lt;by&gt; service &amp; &quot;type&quot;"));
    assert_null(strstr(svg, "<Tuesdays>"));
    assert_null(strstr(svg, "\x01"));
    assert_non_null(strstr(svg, "bad \xEF\xBF\xBD")); /* control -> space, bad byte -> U+FFFD */
    assert_true(has_text(d, "Peer-led & \"mixed\"")); /* unescapes back to the label */
    free(d);
    arena_free(a);
}

static void test_chart_long_labels_rotate(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    svg_doc *d = malloc(sizeof *d);
    /* Fifteen need domains, some long: they cannot sit side by side. */
    const char *cats[] = {"Loneliness and isolation",
                          "Low mood and anxiety",
                          "Physical activity",
                          "Weight and nutrition",
                          "Debt and money",
                          "Welfare benefits",
                          "Housing",
                          "Employment",
                          "Learning and skills",
                          "Arts and creativity",
                          "Volunteering",
                          "Carers",
                          "Parenting",
                          "Legal issues",
                          "Bereavement and a label that is far too long to show whole anywhere"};
    int64_t v[15];
    for (int i = 0; i < 15; i++)
        v[i] = i * 37 % 101;
    lw_chart_series s = {"People with no local service", v, NULL};
    lw_chart c = {"Unmet need by domain", "Need domain", "People", NULL, 15, cats, 1, &s, 0, NULL};
    char *svg = render_ok(a, &c, 0, d);
    assert_non_null(strstr(svg, "rotate(-45"));
    assert_true(has_text(d, "Loneliness and isolation"));
    /* The very long one is cut to 40 characters with an ellipsis; the whole
     * label stays in a tooltip. */
    assert_true(has_text(d, "Bereavement and a label that is far too \xE2\x80\xA6"));
    assert_non_null(strstr(svg, "<title>Bereavement and a label that is far too long to show "
                                "whole anywhere</title>"));
    free(d);
    arena_free(a);
}

static void test_chart_wraps_labels(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    svg_doc *d = malloc(sizeof *d);
    /* Four categories: wide slots; "Clinician (direct)" etc. fit, wrapped if needed. */
    const char *cats[] = {"Clinician direct prescribing", "Link worker", "Peer worker",
                          "Self referral through the website"};
    int64_t v[] = {40, 120, 35, 9};
    lw_chart_series s = {"Decisions", v, NULL};
    lw_chart c = {
        "Decisions by facilitator", "Facilitator", "Decisions", NULL, 4, cats, 1, &s, 0, NULL};
    char *svg = render_ok(a, &c, 0, d);
    assert_null(strstr(svg, "rotate(-45"));
    assert_true(has_text(d, "Link worker"));
    assert_true(has_text(d, "Peer worker"));
    free(d);
    arena_free(a);
}

static void test_chart_many_categories(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    svg_doc *d = malloc(sizeof *d);
    /* 60 months, two series with large values: the chart grows wider. */
    enum { N = 60 };
    const char *cats[N];
    int64_t v1[N], v2[N];
    for (int i = 0; i < N; i++) {
        cats[i] = arena_printf(a, "%04d-%02d", 2021 + i / 12, i % 12 + 1);
        v1[i] = 1000000 + i * 12345;
        v2[i] = i * 999;
    }
    lw_chart_series s[2] = {{"Sent", v1, NULL}, {"Accepted", v2, NULL}};
    lw_chart c = {"Prescriptions sent and accepted per month",
                  "Month",
                  "Prescriptions",
                  NULL,
                  N,
                  cats,
                  2,
                  s,
                  0,
                  NULL};
    render_ok(a, &c, 0, d);
    assert_true(d->w > 640);
    assert_true(has_text(d, "1,728,355")); /* 1,000,000 + 59 x 12,345 */
    assert_true(has_text(d, "2021-01"));
    assert_true(has_text(d, "2025-12"));
    free(d);
    arena_free(a);
}

static void test_chart_negative_and_decimals(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    svg_doc *d = malloc(sizeof *d);
    /* Mean change per instrument, two decimals, some negative. */
    const char *cats[] = {"ONS4 anxiety", "SWEMWBS", "UCLA-3", "MHC-SF total"};
    int64_t v[] = {-150, 230, -35, 0};
    lw_chart_series s = {"Mean change", v, NULL};
    lw_chart c = {"Mean change by instrument",
                  "Instrument",
                  "Change in points",
                  NULL,
                  4,
                  cats,
                  1,
                  &s,
                  2,
                  NULL};
    render_ok(a, &c, 0, d);
    assert_true(has_text(d, "-1.50"));
    assert_true(has_text(d, "2.30"));
    assert_true(has_text(d, "-0.35"));
    assert_true(has_text(d, "0.00"));
    free(d);
    arena_free(a);
}

static void test_chart_rates_and_legend(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    svg_doc *d = malloc(sizeof *d);
    /* Six series with long names: the legend wraps onto several rows. */
    const char *cats[] = {"Q1", "Q2"};
    int64_t v[6][2];
    lw_chart_series s[6];
    const char *names[6] = {
        "Primary care pathway (GP practices)", "Secondary mental health pathway (CMHT)",
        "Self referrals from the website",     "Community referrers such as housing officers",
        "Faith leaders and youth workers",     "Other"};
    for (int i = 0; i < 6; i++) {
        v[i][0] = 780 - i * 50;
        v[i][1] = 540 + i * 30;
        s[i] = (lw_chart_series){names[i], v[i], NULL};
    }
    lw_chart c = {"Take-up rate by referral source and quarter, 2026, all organisations in the "
                  "commissioning area",
                  "Quarter",
                  "Take-up (%)",
                  NULL,
                  2,
                  cats,
                  6,
                  s,
                  1,
                  "%"};
    render_ok(a, &c, 0, d);
    assert_true(has_text(d, "78.0%"));
    assert_true(has_text(d, "69.0%")); /* 540 + 5 x 30 = 690 */
    for (int i = 0; i < 6; i++)
        assert_true(has_text(d, names[i]));
    /* The long title wrapped into more than one line. */
    int title_lines = 0;
    for (int i = 0; i < d->n_text; i++)
        title_lines += d->t[i].fs == 18;
    assert_true(title_lines >= 2);
    free(d);
    arena_free(a);
}

static void test_chart_unbreakable_title(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    svg_doc *d = malloc(sizeof *d);
    const char *cats[] = {"A"};
    int64_t v[] = {1};
    lw_chart_series s = {"Count", v, NULL};
    char title[121];
    memset(title, 'W', 120);
    title[120] = '\0';
    lw_chart c = {title, "x", "y", NULL, 1, cats, 1, &s, 0, NULL};
    render_ok(a, &c, 0, d); /* widened rather than overflowing */
    assert_true(d->w > 120 * 18 * 0.85);
    free(d);
    arena_free(a);
}

static void test_chart_before_after(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    svg_doc *d = malloc(sizeof *d);
    /* GP consultations in the 6 months before and after referral. */
    const char *cats[] = {"Practice A", "Practice B", "Practice C"};
    int64_t before[] = {120, 4, 60}, after[] = {85, 2, 61};
    lw_cell_mark mb[3] = {0}, ma[3] = {0};
    report_suppress_cells(before, 3, mb);
    report_suppress_cells(after, 3, ma);
    lw_chart_series s[2] = {{NULL, before, mb}, {NULL, after, ma}};
    lw_chart c = {"GP consultations before and after referral",
                  "Practice",
                  "Consultations",
                  NULL,
                  3,
                  cats,
                  2,
                  s,
                  0,
                  NULL};
    char *svg = render_ok(a, &c, 1, d);
    assert_true(has_text(d, "Before"));
    assert_true(has_text(d, "After"));
    assert_non_null(strstr(svg, "#768692")); /* before: grey */
    assert_non_null(strstr(svg, "#005eb8")); /* after: blue */
    assert_true(has_text(d, "120"));
    assert_true(has_text(d, "85"));
    /* Background, 2 legend swatches, 4 shown bars (120, 60, 85, 61). */
    assert_int_equal(d->n_rect, 1 + 2 + 4);
    /* Exactly two series. */
    lw_chart bad = c;
    bad.n_series = 1;
    char *out = NULL;
    lw_error err = {0};
    assert_int_equal(chart_before_after_svg(a, &bad, &out, &err), LW_EINVAL);
    assert_string_equal(err.field, "series");
    assert_null(out);
    free(d);
    arena_free(a);
}

static void test_chart_refusals(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    const char *cats[] = {"A", NULL};
    int64_t v[] = {1, 2};
    lw_chart_series s[7];
    for (int i = 0; i < 7; i++)
        s[i] = (lw_chart_series){"S", v, NULL};
    lw_chart good = {"T", "x", "y", NULL, 1, cats, 1, s, 0, NULL};
    char *out = NULL;
    lw_error err = {0};
    assert_int_equal(chart_bar_svg(a, &good, &out, &err), LW_OK);
    struct {
        lw_chart c;
        const char *field;
    } cases[] = {
        {{NULL, "x", "y", NULL, 1, cats, 1, s, 0, NULL}, "title"},
        {{"", "x", "y", NULL, 1, cats, 1, s, 0, NULL}, "title"},
        {{"T", NULL, "y", NULL, 1, cats, 1, s, 0, NULL}, "x_label"},
        {{"T", "x", "", NULL, 1, cats, 1, s, 0, NULL}, "y_label"},
        {{"T", "x", "y", NULL, 0, cats, 1, s, 0, NULL}, "categories"},
        {{"T", "x", "y", NULL, 2, cats, 1, s, 0, NULL}, "categories"}, /* a NULL label */
        {{"T", "x", "y", NULL, 1, cats, 0, s, 0, NULL}, "series"},
        {{"T", "x", "y", NULL, 1, cats, 7, s, 0, NULL}, "series"},
        {{"T", "x", "y", NULL, 1, cats, 1, s, 3, NULL}, "decimals"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        out = NULL;
        assert_int_equal(chart_bar_svg(a, &cases[i].c, &out, &err), LW_EINVAL);
        assert_string_equal(err.field, cases[i].field);
        assert_null(out);
    }
    arena_free(a);
}

static void test_xml_escape(void **state) {
    (void)state;
    lw_arena *a = arena_new();
    assert_string_equal(report_xml_escape(a, "a & b <c> \"d\" 'e'"),
                        "a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;");
    assert_string_equal(report_xml_escape(a, "tab\there\x7f"), "tab here ");
    assert_string_equal(report_xml_escape(a, "caf\xC3\xA9"), "caf\xC3\xA9"); /* valid UTF-8 kept */
    assert_string_equal(report_xml_escape(a, "\xC3("), "\xEF\xBF\xBD("); /* truncated sequence */
    /* An encoded surrogate is not a character: one replacement for the sequence. */
    assert_string_equal(report_xml_escape(a, "\xED\xA0\x80"), "\xEF\xBF\xBD");
    assert_string_equal(report_xml_escape(a, NULL), "");
    arena_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_text_edges),
        cmocka_unit_test(test_secondary_suppression),
        cmocka_unit_test(test_table_suppression),
        cmocka_unit_test(test_rate_suppression),
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_div_round),
        cmocka_unit_test(test_means),
        cmocka_unit_test(test_percentiles),
        cmocka_unit_test(test_change_summary),
        cmocka_unit_test(test_change_summary_mhcsf),
        cmocka_unit_test(test_svg_checker_catches_faults),
        cmocka_unit_test(test_chart_simple),
        cmocka_unit_test(test_chart_escapes),
        cmocka_unit_test(test_chart_long_labels_rotate),
        cmocka_unit_test(test_chart_wraps_labels),
        cmocka_unit_test(test_chart_many_categories),
        cmocka_unit_test(test_chart_negative_and_decimals),
        cmocka_unit_test(test_chart_rates_and_legend),
        cmocka_unit_test(test_chart_unbreakable_title),
        cmocka_unit_test(test_chart_before_after),
        cmocka_unit_test(test_chart_refusals),
        cmocka_unit_test(test_xml_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
