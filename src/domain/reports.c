/* Report arithmetic (suppression, rates, means, percentiles, outcome change)
 * and the SVG bar charts. Layout is computed from conservative text widths
 * so that no two texts overlap whatever the font the viewer picks. */
#include "domain/reports.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- suppression ---- */

int report_is_small(int64_t n) {
    return n >= 1 && n <= LW_SUPPRESS_MAX;
}

const char *report_count_text(int64_t n, int suppress, char out[24]) {
    if (suppress && report_is_small(n))
        snprintf(out, 24, "<%d", LW_SUPPRESS_MAX + 1);
    else
        snprintf(out, 24, "%lld", (long long)n);
    return out;
}

const char *report_cell_text(int64_t n, lw_cell_mark mark, char out[24]) {
    if (mark == LW_CELL_SUPPRESSED)
        snprintf(out, 24, "<%d", LW_SUPPRESS_MAX + 1);
    else if (mark == LW_CELL_SECONDARY)
        snprintf(out, 24, "[c]");
    else
        snprintf(out, 24, "%lld", (long long)n);
    return out;
}

size_t report_suppress_cells(const int64_t *cells, size_t n, lw_cell_mark *marks) {
    size_t hidden = 0;
    for (size_t i = 0; i < n; i++) {
        if (report_is_small(cells[i]))
            marks[i] = LW_CELL_SUPPRESSED;
        hidden += marks[i] != LW_CELL_SHOWN;
    }
    return hidden;
}

size_t report_suppress_group(const int64_t *cells, size_t n, size_t stride, lw_cell_mark *marks) {
    int64_t total = 0;
    size_t hidden = 0;
    for (size_t i = 0; i < n; i++) {
        total += cells[i * stride];
        hidden += marks[i * stride] != LW_CELL_SHOWN;
    }
    /* A hidden total protects the group; two hidden cells protect each other. */
    if (hidden != 1 || report_is_small(total))
        return 0;
    size_t pick = n, zero = n;
    for (size_t i = 0; i < n; i++) {
        size_t k = i * stride;
        if (marks[k] != LW_CELL_SHOWN)
            continue;
        if (cells[k] == 0) {
            if (zero == n)
                zero = i;
        } else if (pick == n || cells[k] < cells[pick * stride]) {
            pick = i;
        }
    }
    if (pick == n)
        pick = zero;
    if (pick == n) /* a group of one cell: its total is the cell itself */
        return 0;
    marks[pick * stride] = LW_CELL_SECONDARY;
    return 1;
}

size_t report_suppress_table(const int64_t *cells, size_t rows, size_t cols, lw_cell_mark *marks) {
    size_t hidden = report_suppress_cells(cells, rows * cols, marks);
    size_t added;
    do {
        added = 0;
        for (size_t r = 0; r < rows; r++)
            added += report_suppress_group(cells + r * cols, cols, 1, marks + r * cols);
        for (size_t c = 0; c < cols; c++)
            added += report_suppress_group(cells + c, rows, cols, marks + c);
        hidden += added;
    } while (added > 0);
    return hidden;
}

int report_rate_is_small(int64_t num, int64_t den) {
    return report_is_small(num) || report_is_small(den) || report_is_small(den - num);
}

/* ---- rates, means, percentiles ---- */

int64_t report_div_round(int64_t num, int64_t den) {
    if (den == 0)
        return 0;
    if (den < 0) {
        num = -num;
        den = -den;
    }
    int64_t q = num / den, r = num % den;
    if (r < 0)
        r = -r;
    if (2 * r >= den)
        q += num < 0 ? -1 : 1;
    return q;
}

lw_rate report_rate(int64_t numerator, int64_t denominator) {
    lw_rate r = {numerator, denominator, denominator != 0, 0};
    if (r.defined)
        r.permille = report_div_round(numerator * 1000, denominator);
    return r;
}

const char *report_rate_text(const lw_rate *r, char out[24]) {
    if (!r->defined) {
        snprintf(out, 24, "n/a");
        return out;
    }
    int64_t v = r->permille < 0 ? -r->permille : r->permille;
    snprintf(out, 24, "%s%lld.%lld%%", r->permille < 0 ? "-" : "", (long long)(v / 10),
             (long long)(v % 10));
    return out;
}

int report_mean_hundredths(const int64_t *values, size_t n, int decimals, int64_t *out) {
    if (n == 0 || decimals < 0 || decimals > 2)
        return 0;
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += values[i];
    int64_t scale = decimals == 0 ? 100 : decimals == 1 ? 10 : 1;
    *out = report_div_round(sum * scale, (int64_t)n);
    return 1;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void report_sort(int64_t *values, size_t n) {
    if (n > 1)
        qsort(values, n, sizeof *values, cmp_i64);
}

size_t report_nearest_rank(size_t n, int p) {
    if (n == 0 || p < 1 || p > 100)
        return 0;
    size_t rank = ((size_t)p * n + 99) / 100; /* ceil(p * n / 100) */
    return rank < 1 ? 1 : rank;
}

int report_percentile_sorted(const int64_t *sorted, size_t n, int p, int64_t *out) {
    size_t rank = report_nearest_rank(n, p);
    if (rank == 0)
        return 0;
    *out = sorted[rank - 1];
    return 1;
}

int report_percentile(int64_t *values, size_t n, int p, int64_t *out) {
    if (report_nearest_rank(n, p) == 0)
        return 0;
    report_sort(values, n);
    return report_percentile_sorted(values, n, p, out);
}

/* ---- outcome change ---- */

void report_change_add(lw_change_summary *s, const lw_measure_change *c, const char *score) {
    const char *name = score ? score : measure_primary_score(c->instrument);
    const lw_score_change *sc = name ? measure_change_find(c, name) : NULL;
    if (score && !sc)
        return;
    s->n++;
    if (sc) {
        s->sum_delta += sc->delta;
        s->decimals = sc->decimals;
    }
    int verdict = score ? sc->verdict : c->improved ? 1 : sc ? sc->verdict : 0;
    s->improved += verdict > 0;
    s->deteriorated += verdict < 0;
    s->flourishing_before += c->flourishing_before;
    s->flourishing_after += c->flourishing_after;
}

int64_t report_change_mean(const lw_change_summary *s) {
    if (s->n == 0)
        return 0;
    int64_t scale = s->decimals == 0 ? 100 : s->decimals == 1 ? 10 : 1;
    return report_div_round(s->sum_delta * scale, s->n);
}

lw_rate report_change_improved(const lw_change_summary *s) {
    return report_rate(s->improved, s->n);
}

/* ---- text: a growable buffer, UTF-8, escaping, widths ---- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            lw_oom();
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_printf(sbuf *b, const char *fmt, ...) LW_PRINTF(2, 3);
static void sb_printf(sbuf *b, const char *fmt, ...) {
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        sb_put(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big)
        lw_oom();
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_put(b, big, (size_t)n);
    free(big);
}

/* Decodes one UTF-8 code point at S (at least one byte, NUL-terminated).
 * Returns the bytes used; *CP is 0xFFFD for an invalid sequence (1 byte used). */
static size_t utf8_next(const unsigned char *s, unsigned *cp) {
    size_t n;
    unsigned c, min;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        n = 2, c = s[0] & 0x1Fu, min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        n = 3, c = s[0] & 0x0Fu, min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        n = 4, c = s[0] & 0x07u, min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        c = 0xFFFD;
    *cp = c;
    return n;
}

static void sb_esc(sbuf *b, const char *s) {
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned cp;
        size_t n = utf8_next(p, &cp);
        switch (cp) {
        case '&':
            sb_put(b, "&amp;", 5);
            break;
        case '<':
            sb_put(b, "&lt;", 4);
            break;
        case '>':
            sb_put(b, "&gt;", 4);
            break;
        case '"':
            sb_put(b, "&quot;", 6);
            break;
        case '\'':
            sb_put(b, "&apos;", 6);
            break;
        default:
            if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
                sb_put(b, " ", 1);
            else if (cp == 0xFFFD || cp == 0xFFFE || cp == 0xFFFF)
                sb_put(b, "\xEF\xBF\xBD", 3);
            else
                sb_put(b, (const char *)p, n);
        }
        p += n;
    }
}

char *report_xml_escape(lw_arena *a, const char *s) {
    sbuf b = {0};
    sb_put(&b, "", 0);
    sb_esc(&b, s);
    char *r = arena_strndup(a, b.p, b.len);
    free(b.p);
    return r;
}

/* A conservative width of one code point, in em: at or above Arial's and
 * DejaVu Sans's advance for the same character, so real text is never wider. */
static double glyph_em(unsigned cp) {
    if (cp == ' ')
        return 0.34;
    if (cp >= 0x80)
        return 1.0; /* accents, CJK, symbols: assume the widest */
    if (strchr("il.,:;'|!`", (int)cp))
        return 0.36;
    if (strchr("fjrtI()[]{}/\\-\"", (int)cp))
        return 0.5;
    if (strchr("mwMW@%", (int)cp))
        return 1.05;
    if (cp >= 'A' && cp <= 'Z')
        return 0.82;
    return 0.66; /* lower case, digits, other punctuation */
}

static double text_w(const char *s, double fs, int bold) {
    double em = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned cp;
        p += utf8_next(p, &cp);
        em += glyph_em(cp);
    }
    return em * fs * (bold ? 1.1 : 1.0);
}

/* At most MAX code points of S, with "…" when it was cut. */
static char *truncate_cp(lw_arena *a, const char *s, size_t max) {
    size_t count = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && count < max) {
        unsigned cp;
        p += utf8_next(p, &cp);
        count++;
    }
    if (!*p)
        return arena_strdup(a, s);
    return arena_printf(a, "%.*s\xE2\x80\xA6", (int)((const char *)p - s), s);
}

/* Greedy word wrap of S into at most MAXL lines no wider than AVAIL. Returns
 * the number of lines (LINES filled, in A), 0 when it cannot fit. */
static size_t wrap(lw_arena *a, const char *s, double avail, double fs, int bold, size_t maxl,
                   char **lines) {
    size_t nl = 0;
    char *cur = NULL;
    const char *p = s;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *e = strchr(p, ' ');
        size_t wl = e ? (size_t)(e - p) : strlen(p);
        char *word = arena_strndup(a, p, wl);
        p += wl;
        if (text_w(word, fs, bold) > avail)
            return 0;
        char *joined = cur ? arena_printf(a, "%s %s", cur, word) : word;
        if (cur && text_w(joined, fs, bold) > avail) {
            if (nl + 1 >= maxl)
                return 0;
            lines[nl++] = cur;
            cur = word;
        } else {
            cur = joined;
        }
    }
    if (!cur)
        cur = arena_strdup(a, "");
    lines[nl++] = cur;
    return nl;
}

/* "1,234", "-0.50", "78.0%" */
static char *fmt_value(lw_arena *a, int64_t v, int decimals, const char *suffix) {
    char digits[32], grouped[48];
    uint64_t mag = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    uint64_t scale = decimals == 2 ? 100 : decimals == 1 ? 10 : 1;
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)(mag / scale));
    size_t len = strlen(digits), k = 0;
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            grouped[k++] = ',';
        grouped[k++] = digits[i];
    }
    grouped[k] = '\0';
    if (decimals > 0)
        return arena_printf(a, "%s%s.%0*llu%s", v < 0 ? "-" : "", grouped, decimals,
                            (unsigned long long)(mag % scale), suffix ? suffix : "");
    return arena_printf(a, "%s%s%s", v < 0 ? "-" : "", grouped, suffix ? suffix : "");
}

/* ---- charts ---- */

#define FONT "Arial, Helvetica, &apos;Liberation Sans&apos;, sans-serif"
#define INK "#212b32"
#define GRID "#d8dde0"
#define FS_TITLE 18.0
#define FS_AXIS 13.0
#define FS_TICK 12.0
#define FS_CAT 12.0
#define FS_VALUE 11.0
#define FS_LEGEND 12.0
#define PAD 16.0
#define W_MIN 640.0
#define PLOT_H_MIN 300.0
#define GROUP_PAD 16.0
#define BAR_GAP 2.0
#define CAT_LINES_MAX 3
#define CAT_CHARS_MAX 40
#define SIN45 0.70710678

static const char *const palette[LW_CHART_SERIES_MAX] = {"#005eb8", "#ed8b00", "#007f3b",
                                                         "#7c2855", "#330072", "#768692"};
static const char *const before_after[2] = {"#768692", "#005eb8"};

static int text_given(const char *s) {
    return s && *s;
}

static lw_status chart_check(const lw_chart *c, lw_error *err) {
    if (!text_given(c->title))
        return lw_fail(err, LW_EINVAL, "title", "a chart needs a title");
    if (!text_given(c->x_label) || !text_given(c->y_label))
        return lw_fail(err, LW_EINVAL, text_given(c->x_label) ? "y_label" : "x_label",
                       "a chart needs both axis titles");
    if (c->n_categories < 1 || c->n_categories > LW_CHART_CATEGORIES_MAX || !c->categories)
        return lw_fail(err, LW_EINVAL, "categories", "a chart has 1 to %d categories",
                       LW_CHART_CATEGORIES_MAX);
    for (size_t i = 0; i < c->n_categories; i++)
        if (!c->categories[i])
            return lw_fail(err, LW_EINVAL, "categories", "category %zu has no label", i + 1);
    if (c->n_series < 1 || c->n_series > LW_CHART_SERIES_MAX || !c->series)
        return lw_fail(err, LW_EINVAL, "series", "a chart has 1 to %d series", LW_CHART_SERIES_MAX);
    for (size_t s = 0; s < c->n_series; s++)
        if (!c->series[s].values)
            return lw_fail(err, LW_EINVAL, "series", "series %zu has no values", s + 1);
    if (c->decimals < 0 || c->decimals > 2)
        return lw_fail(err, LW_EINVAL, "decimals", "must be 0, 1 or 2");
    return LW_OK;
}

static int hidden(const lw_chart_series *s, size_t i) {
    return s->marks && s->marks[i] != LW_CELL_SHOWN;
}

/* A tick step from 1, 2, 5 x 10^k giving at most about 5 intervals. */
static int64_t nice_step(int64_t range) {
    int64_t raw = (range + 4) / 5;
    for (int64_t p = 1;; p *= 10) {
        if (raw <= p)
            return p;
        if (raw <= 2 * p)
            return 2 * p;
        if (raw <= 5 * p)
            return 5 * p;
        if (p > INT64_MAX / 100)
            return p * 10;
    }
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

static void put_text(sbuf *b, double x, double y, double fs, const char *anchor, int bold,
                     const char *rotate, const char *text) {
    sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"%s\"%s", x, y, fs,
              anchor, bold ? " font-weight=\"bold\"" : "");
    if (rotate)
        sb_printf(b, " transform=\"rotate(%s %.1f %.1f)\"", rotate, x, y);
    sb_put(b, ">", 1);
    sb_esc(b, text);
    sb_put(b, "</text>\n", 8);
}

static lw_status render(lw_arena *a, const lw_chart *c, const char *const *colors,
                        const char *const *names, char **out, lw_error *err) {
    lw_status st = chart_check(c, err);
    if (st != LW_OK)
        return st;
    size_t nc = c->n_categories, ns = c->n_series;
    int64_t unit = c->decimals == 2 ? 100 : c->decimals == 1 ? 10 : 1;

    /* Values: their labels, the widest, and the range of the shown ones. */
    char **vl = arena_alloc(a, nc * ns * sizeof *vl);
    double max_vw = 0;
    int64_t vmin = 0, vmax = 0;
    for (size_t s = 0; s < ns; s++)
        for (size_t i = 0; i < nc; i++) {
            const lw_chart_series *se = &c->series[s];
            int64_t v = se->values[i];
            char cell[24];
            if (hidden(se, i)) {
                vl[s * nc + i] = arena_strdup(a, report_cell_text(v, se->marks[i], cell));
            } else {
                vl[s * nc + i] = fmt_value(a, v, c->decimals, c->value_suffix);
                vmin = v < vmin ? v : vmin;
                vmax = v > vmax ? v : vmax;
            }
            double w = text_w(vl[s * nc + i], FS_VALUE, 0);
            max_vw = w > max_vw ? w : max_vw;
        }

    /* The y axis: nice ticks from lo to hi, their widest label. */
    int64_t range = vmax - vmin > 0 ? vmax - vmin : unit;
    int64_t step = nice_step(range);
    int64_t lo = floor_div(vmin, step) * step;
    int64_t hi = -floor_div(-vmax, step) * step;
    if (hi <= lo)
        hi = lo + step;
    size_t nticks = (size_t)((hi - lo) / step) + 1;
    double max_tw = 0;
    for (size_t t = 0; t < nticks; t++) {
        double w =
            text_w(fmt_value(a, lo + (int64_t)t * step, c->decimals, c->value_suffix), FS_TICK, 0);
        max_tw = w > max_tw ? w : max_tw;
    }
    double plot_h = PLOT_H_MIN;
    double yt_w = text_w(c->y_label, FS_AXIS, 1) + 20;
    plot_h = yt_w > plot_h ? yt_w : plot_h;
    double left = PAD + FS_AXIS * 1.3 + 10 + max_tw + 8;

    /* Bars wide enough for their value labels; groups filling the minimum width. */
    double bw = max_vw + 6 > 22 ? max_vw + 6 : 22;
    double gw = (double)ns * bw + (double)(ns - 1) * BAR_GAP + GROUP_PAD;
    double fill = (W_MIN - left - PAD) / (double)nc;
    if (gw < fill) {
        gw = fill;
        double grown = (gw - GROUP_PAD - (double)(ns - 1) * BAR_GAP) / (double)ns;
        bw = grown < 72 ? grown : (bw > 72 ? bw : 72);
    }

    /* Category labels: horizontal (wrapped on spaces) when every one fits its
     * slot, else all rotated by 45 degrees and cut to 40 characters. */
    char **lines = arena_alloc(a, nc * CAT_LINES_MAX * sizeof *lines);
    size_t *nlines = arena_alloc(a, nc * sizeof *nlines);
    size_t max_lines = 1;
    int rotated = 0;
    for (size_t i = 0; i < nc && !rotated; i++) {
        nlines[i] =
            wrap(a, c->categories[i], gw - 8, FS_CAT, 0, CAT_LINES_MAX, lines + i * CAT_LINES_MAX);
        rotated = nlines[i] == 0;
        max_lines = nlines[i] > max_lines ? nlines[i] : max_lines;
    }
    double cat_h = (double)max_lines * FS_CAT * 1.25;
    if (rotated) {
        double max_w = 0;
        for (size_t i = 0; i < nc; i++) {
            lines[i * CAT_LINES_MAX] = truncate_cp(a, c->categories[i], CAT_CHARS_MAX);
            nlines[i] = 1;
            double w = text_w(lines[i * CAT_LINES_MAX], FS_CAT, 0);
            max_w = w > max_w ? w : max_w;
            /* The label hangs down and to the left of its tick. */
            double need = 6 + SIN45 * (w + 0.8 * FS_CAT) - ((double)i + 0.5) * gw;
            left = need > left ? need : left;
        }
        cat_h = 0.6 * FS_CAT + SIN45 * (max_w + 0.25 * FS_CAT);
    }

    /* Width: the plot, and anything that cannot wrap (a long word, a legend
     * entry, the x-axis title). */
    double plot_w = (double)nc * gw;
    double width = left + plot_w + PAD;
    width = width < W_MIN ? W_MIN : width;
    double legend_w[LW_CHART_SERIES_MAX];
    for (size_t s = 0; s < ns; s++) {
        legend_w[s] = 18 + text_w(names[s], FS_LEGEND, 0) + 20;
        width = legend_w[s] + 2 * PAD > width ? legend_w[s] + 2 * PAD : width;
    }
    double xt_w = text_w(c->x_label, FS_AXIS, 1);
    width = xt_w + 2 * PAD > width ? xt_w + 2 * PAD : width;
    char *title_lines[16];
    size_t n_title = 0;
    /* The title wraps on spaces; a word wider than the chart widens it. */
    while ((n_title = wrap(a, c->title, width - 2 * PAD, FS_TITLE, 1, 16, title_lines)) == 0)
        width += 40;
    width = (double)(long)(width + 0.999);

    /* Legend rows. */
    double lx[LW_CHART_SERIES_MAX], ly[LW_CHART_SERIES_MAX];
    double y = PAD + (double)n_title * FS_TITLE * 1.3 + 8;
    double x = PAD;
    y += FS_LEGEND;
    for (size_t s = 0; s < ns; s++) {
        if (x > PAD && x + legend_w[s] > width - PAD) {
            x = PAD;
            y += 20;
        }
        lx[s] = x;
        ly[s] = y;
        x += legend_w[s];
    }
    double plot_top = y + 10 + FS_VALUE + 8;
    double plot_bottom = plot_top + plot_h;
    double neg_pad = vmin < 0 ? FS_VALUE + 8 : 0;
    double cat_top = plot_bottom + neg_pad + 8;
    double xt_y = cat_top + cat_h + 14 + FS_AXIS * 0.8;
    double height = (double)(long)(xt_y + 0.25 * FS_AXIS + PAD + 0.999);

    sbuf b = {0};
    sb_printf(&b,
              "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
              "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"",
              width, height, width, height);
    sb_esc(&b, c->title);
    sb_printf(&b, "\" font-family=\"%s\" fill=\"%s\">\n<title>", FONT, INK);
    sb_esc(&b, c->title);
    sb_put(&b, "</title>\n", 9);
    if (text_given(c->desc)) {
        sb_put(&b, "<desc>", 6);
        sb_esc(&b, c->desc);
        sb_put(&b, "</desc>\n", 8);
    }
    sb_printf(&b, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
              width, height);
    /* Left-aligned, so a wide chart's title is seen without scrolling. */
    for (size_t i = 0; i < n_title; i++)
        put_text(&b, PAD, PAD + FS_TITLE * 0.8 + (double)i * FS_TITLE * 1.3, FS_TITLE, "start", 1,
                 NULL, title_lines[i]);
    for (size_t s = 0; s < ns; s++) {
        sb_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n",
                  lx[s], ly[s] - 10, colors[s]);
        put_text(&b, lx[s] + 18, ly[s], FS_LEGEND, "start", 0, NULL, names[s]);
    }

    /* Gridlines and y ticks. */
    double span = (double)(hi - lo);
#define YPOS(v) (plot_bottom - (double)((v)-lo) * plot_h / span)
    for (size_t t = 0; t < nticks; t++) {
        int64_t v = lo + (int64_t)t * step;
        double ty = YPOS(v);
        sb_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
                  left, ty, left + plot_w, ty, GRID);
        put_text(&b, left - 8, ty + FS_TICK * 0.35, FS_TICK, "end", 0, NULL,
                 fmt_value(a, v, c->decimals, c->value_suffix));
    }

    /* Bars and their values. */
    double inner = (double)ns * bw + (double)(ns - 1) * BAR_GAP;
    double zero_y = YPOS(0);
    for (size_t i = 0; i < nc; i++) {
        for (size_t s = 0; s < ns; s++) {
            const lw_chart_series *se = &c->series[s];
            int64_t v = se->values[i];
            double bx = left + (double)i * gw + (gw - inner) / 2 + (double)s * (bw + BAR_GAP);
            double vy = hidden(se, i) ? zero_y : YPOS(v);
            double top = vy < zero_y ? vy : zero_y, bottom = vy < zero_y ? zero_y : vy;
            if (!hidden(se, i) && bottom - top > 0) {
                sb_printf(&b,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                          "fill=\"%s\"><title>",
                          bx, top, bw, bottom - top, colors[s]);
                sb_esc(&b, names[s]);
                sb_put(&b, ", ", 2);
                sb_esc(&b, c->categories[i]);
                sb_put(&b, ": ", 2);
                sb_esc(&b, vl[s * nc + i]);
                sb_put(&b, "</title></rect>\n", 16);
            }
            double label_y = !hidden(se, i) && v < 0 ? vy + FS_VALUE + 2 : vy - 4;
            put_text(&b, bx + bw / 2, label_y, FS_VALUE, "middle", 0, NULL, vl[s * nc + i]);
        }
    }
#undef YPOS
    sb_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n", left,
              zero_y, left + plot_w, zero_y, INK);
    sb_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n", left,
              plot_top, left, plot_bottom, INK);

    /* Category labels. */
    for (size_t i = 0; i < nc; i++) {
        double cx = left + ((double)i + 0.5) * gw;
        int cut = rotated && strcmp(lines[i * CAT_LINES_MAX], c->categories[i]) != 0;
        if (cut) { /* the whole label as a tooltip */
            sb_put(&b, "<g><title>", 10);
            sb_esc(&b, c->categories[i]);
            sb_put(&b, "</title>\n", 9);
        }
        if (rotated)
            put_text(&b, cx, cat_top + 0.6 * FS_CAT, FS_CAT, "end", 0, "-45",
                     lines[i * CAT_LINES_MAX]);
        else
            for (size_t l = 0; l < nlines[i]; l++)
                put_text(&b, cx, cat_top + FS_CAT * 0.8 + (double)l * FS_CAT * 1.25, FS_CAT,
                         "middle", 0, NULL, lines[i * CAT_LINES_MAX + l]);
        if (cut)
            sb_put(&b, "</g>\n", 5);
    }

    /* Axis titles. */
    double xt_x = left + plot_w / 2;
    if (xt_x - xt_w / 2 < PAD || xt_x + xt_w / 2 > width - PAD)
        xt_x = width / 2;
    put_text(&b, xt_x, xt_y, FS_AXIS, "middle", 1, NULL, c->x_label);
    put_text(&b, PAD + FS_AXIS * 0.8, plot_top + plot_h / 2, FS_AXIS, "middle", 1, "-90",
             c->y_label);
    sb_put(&b, "</svg>\n", 7);

    *out = arena_strndup(a, b.p, b.len);
    free(b.p);
    return LW_OK;
}

lw_status chart_bar_svg(lw_arena *a, const lw_chart *c, char **out, lw_error *err) {
    const char *names[LW_CHART_SERIES_MAX];
    for (size_t s = 0; s < c->n_series && s < LW_CHART_SERIES_MAX && c->series; s++)
        names[s] = c->series[s].name ? c->series[s].name : "";
    return render(a, c, palette, names, out, err);
}

lw_status chart_before_after_svg(lw_arena *a, const lw_chart *c, char **out, lw_error *err) {
    if (c->n_series != 2 || !c->series)
        return lw_fail(err, LW_EINVAL, "series", "a before/after chart has exactly 2 series");
    const char *names[2] = {c->series[0].name ? c->series[0].name : "Before",
                            c->series[1].name ? c->series[1].name : "After"};
    return render(a, c, before_after, names, out, err);
}
