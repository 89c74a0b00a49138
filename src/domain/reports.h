/*
 * Report arithmetic and charts: small-number suppression for commissioners,
 * nearest-rank percentiles, rates that keep their numerator and denominator,
 * mean change and share improved between outcome measures, and SVG bar charts.
 * Pure: no I/O. Everything is integer arithmetic except chart layout; the
 * store counts and the API formats, this module decides what may be shown and
 * how figures are rounded. docs/outcomes.md states the rules.
 */
#ifndef LW_REPORTS_H
#define LW_REPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "domain/measures.h"
#include "util/arena.h"
#include "util/error.h"

/* ---- small-number suppression ---- */

/* Counts from 1 to LW_SUPPRESS_MAX are shown to commissioners as "<5". */
#define LW_SUPPRESS_MAX 4

typedef enum lw_cell_mark {
    LW_CELL_SHOWN,      /* the number */
    LW_CELL_SUPPRESSED, /* a count from 1 to 4: "<5" */
    LW_CELL_SECONDARY   /* hidden so a shown total cannot reveal a suppressed cell: "[c]" */
} lw_cell_mark;

/* Whether N is a count a commissioner may not see (1..4). */
int report_is_small(int64_t n);

/* The text of a count: "<5" for a small count when SUPPRESS, else the number
 * ("0", "17", "1234"). Returns OUT (at least 24 bytes). */
const char *report_count_text(int64_t n, int suppress, char out[24]);
/* The text of a cell by its mark: "<5", "[c]" or the number. Returns OUT. */
const char *report_cell_text(int64_t n, lw_cell_mark mark, char out[24]);

/* Primary suppression: marks every cell of CELLS[0..N) that is 1..4 as
 * LW_CELL_SUPPRESSED (others are left as they are). Returns how many cells of
 * the list are now suppressed either way. */
size_t report_suppress_cells(const int64_t *cells, size_t n, lw_cell_mark *marks);

/* Secondary suppression in one group of cells whose total is published (a
 * row or a column; the cells are CELLS[0], CELLS[STRIDE], ... N of them, and
 * MARKS has the same layout). When the total is shown (not 1..4) and exactly
 * one cell of the group is hidden, the total minus the others would reveal
 * it, so one more cell is hidden as LW_CELL_SECONDARY: the smallest non-zero
 * shown cell (the first if tied), else the first shown zero. Returns the number
 * of cells it newly hid (0 or 1). Run report_suppress_cells() first. */
size_t report_suppress_group(const int64_t *cells, size_t n, size_t stride, lw_cell_mark *marks);

/* Primary and secondary suppression of a ROWS x COLS table (row-major) whose
 * row and column totals are published: repeats the group rule over every row
 * and column until nothing changes. MARKS (same layout) starts zeroed
 * (LW_CELL_SHOWN). Returns the number of hidden cells. */
size_t report_suppress_table(const int64_t *cells, size_t rows, size_t cols, lw_cell_mark *marks);

/* Whether a rate NUM/DEN must be hidden from commissioners: when the
 * numerator, the denominator or the complement DEN - NUM is 1..4 (any of them
 * would give back a small count). */
int report_rate_is_small(int64_t num, int64_t den);

/* ---- rates, means, percentiles ---- */

typedef struct lw_rate {
    int64_t numerator, denominator;
    int defined;      /* 0 when the denominator is 0 (no rate) */
    int64_t permille; /* the rate in tenths of a percent, rounded half up: 39/50 -> 780 */
} lw_rate;

lw_rate report_rate(int64_t numerator, int64_t denominator);
/* "78.0%", or "n/a" when undefined. Returns OUT (at least 24 bytes). */
const char *report_rate_text(const lw_rate *r, char out[24]);

/* NUM / DEN rounded to the nearest integer, halves away from zero; 0 when DEN
 * is 0. */
int64_t report_div_round(int64_t num, int64_t den);

/* The mean of VALUES[0..N), which are in units of 10^-DECIMALS (0..2), as
 * hundredths (two decimals), halves away from zero: {1, 2} with 0 decimals ->
 * 150 (1.50). Returns 0 (leaving OUT alone) when N is 0. */
int report_mean_hundredths(const int64_t *values, size_t n, int decimals, int64_t *out);

/* Nearest-rank percentile: the value at 1-based rank ceil(P * N / 100) in
 * ascending order (the median is P = 50, so the lower middle value for an even
 * N). Always one of the observations, so no interpolation and no fractions. */
size_t report_nearest_rank(size_t n, int p); /* the rank, 1..N; 0 when N is 0 or P not 1..100 */
/* Sorts VALUES in place (ascending) and writes the P-th percentile to OUT.
 * Returns 0 (OUT untouched) when N is 0 or P is not 1..100. */
int report_percentile(int64_t *values, size_t n, int p, int64_t *out);
/* The same on values already sorted ascending (several percentiles, one sort). */
int report_percentile_sorted(const int64_t *sorted, size_t n, int p, int64_t *out);
void report_sort(int64_t *values, size_t n);

/* ---- outcome change across people ---- */

/* Accumulates one score's change over many people (pairs of administrations):
 * zero-initialise, then report_change_add() once per person. */
typedef struct lw_change_summary {
    int64_t n;            /* pairs counted */
    int64_t sum_delta;    /* sum of after - before, in the score's units */
    int decimals;         /* of sum_delta */
    int64_t improved;     /* pairs with a meaningful improvement (verdict +1) */
    int64_t deteriorated; /* pairs with a meaningful deterioration (verdict -1) */
    int64_t flourishing_before, flourishing_after; /* MHC-SF: pairs flourishing at each end */
} lw_change_summary;

/* Adds the change in score SCORE (e.g. "metric", "anxiety") of one person.
 * SCORE NULL counts the instrument's headline verdict (lw_measure_change
 * .improved) and adds the primary score's delta (none for ONS4, which has no
 * single score: pass an item name for its mean change). A SCORE the
 * instrument does not have adds nothing. */
void report_change_add(lw_change_summary *s, const lw_measure_change *c, const char *score);
/* Mean change in hundredths of the score's unit; 0 when nothing was added. */
int64_t report_change_mean(const lw_change_summary *s);
/* Share improved: improved / n. */
lw_rate report_change_improved(const lw_change_summary *s);

/* ---- SVG charts ---- */

#define LW_CHART_SERIES_MAX 6
#define LW_CHART_CATEGORIES_MAX 400

typedef struct lw_chart_series {
    const char *name;          /* legend text */
    const int64_t *values;     /* one per category, in units of 10^-decimals */
    const lw_cell_mark *marks; /* NULL, or per value: a hidden value draws no bar and its
                                  label reads "<5" or "[c]" */
} lw_chart_series;

typedef struct lw_chart {
    const char *title;             /* required */
    const char *x_label, *y_label; /* axis titles, required */
    const char *desc;              /* optional longer description (SVG <desc>) */
    size_t n_categories;           /* 1..LW_CHART_CATEGORIES_MAX */
    const char *const *categories; /* labels along the x axis */
    size_t n_series;               /* 1..LW_CHART_SERIES_MAX */
    const lw_chart_series *series;
    int decimals;             /* of every value: 0..2 */
    const char *value_suffix; /* optional, after each value label: "%" */
} lw_chart;

/* A vertical bar chart (one bar per category and series, grouped by category)
 * as a standalone SVG document in A: a title, a legend, axis titles, y-axis
 * gridlines with values, each value written on its bar, and category labels
 * that are wrapped or rotated so that no two texts overlap. Text is escaped
 * (and invalid UTF-8 replaced); width and height are fixed numbers equal to the
 * viewBox, which grows with the number of categories. LW_EINVAL for a chart
 * that breaks the limits above. The string lives in A. */
lw_status chart_bar_svg(lw_arena *a, const lw_chart *c, char **out, lw_error *err) LW_MUST_CHECK;

/* The same for exactly two series, before (grey) and after (blue): series
 * names default to "Before" and "After" when NULL. */
lw_status chart_before_after_svg(lw_arena *a, const lw_chart *c, char **out,
                                 lw_error *err) LW_MUST_CHECK;

/* S escaped for XML text and attributes (& < > " '), with control characters
 * turned into spaces and invalid UTF-8 into U+FFFD, as a string in A (NULL
 * gives ""). For other SVG/HTML producers too. */
char *report_xml_escape(lw_arena *a, const char *s);

#endif
