/* Reports as JSON, CSV and SVG (io/report_format.h). */
#include "io/report_format.h"

#include <stdlib.h>
#include <string.h>

int report_format_parse(const char *name) {
    if (!name || !*name || strcmp(name, "json") == 0)
        return REPORT_JSON;
    if (strcmp(name, "csv") == 0)
        return REPORT_CSV;
    if (strcmp(name, "svg") == 0)
        return REPORT_SVG;
    return -1;
}

const char *report_format_type(report_format f) {
    return f == REPORT_CSV ? "text/csv" : f == REPORT_SVG ? "image/svg+xml" : "application/json";
}

static json_t *cell_json(const rp_cell *c) {
    char buf[24];
    if (c->mark != LW_CELL_SHOWN)
        return json_string(report_cell_text(c->v, c->mark, buf));
    switch (c->kind) {
    case RP_TEXT:
        return json_string(c->s ? c->s : "");
    case RP_INT:
    case RP_ID:
        return json_integer((json_int_t)c->v);
    case RP_DEC: {
        double scale = c->decimals == 2 ? 100.0 : c->decimals == 1 ? 10.0 : 1.0;
        return json_real((double)c->v / scale);
    }
    case RP_NULL:
        break;
    }
    return json_null();
}

json_t *report_json(const rp_result *r, json_t *filters, int suppressed) {
    json_t *cols = json_array(), *rows = json_array(), *figs = json_object();
    for (size_t c = 0; c < r->ncols; c++)
        json_array_append_new(cols, json_string(r->columns[c]));
    for (size_t i = 0; i < r->nrows; i++) {
        json_t *row = json_array();
        for (size_t c = 0; c < r->ncols; c++)
            json_array_append_new(row, cell_json(&r->cells[i * r->ncols + c]));
        json_array_append_new(rows, row);
    }
    for (size_t i = 0; i < r->nfigs; i++)
        json_object_set_new(figs, r->fig_keys[i], cell_json(&r->figs[i]));
    return json_pack("{s:s, s:s, s:s, s:o, s:b, s:o, s:o, s:o}", "name", r->name, "title", r->title,
                     "description", r->description, "filters", filters ? filters : json_object(),
                     "suppressed", suppressed, "columns", cols, "rows", rows, "figures", figs);
}

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s) {
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            lw_oom();
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

/* One field, quoted when it holds a comma, quote or line break; a leading
 * = + - @ is prefixed with ' so a spreadsheet never runs it as a formula
 * (numbers are written by us and may start with '-', so they are left alone). */
static void put_field(buf *b, const char *s, int text) {
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        put(b, "\"");
    if (text && strchr("=+-@", s[0]) && s[0])
        put(b, "'");
    for (const char *p = s; *p; p++) {
        char one[2] = {*p, 0};
        put(b, *p == '"' ? "\"\"" : one);
    }
    if (quote)
        put(b, "\"");
}

char *report_csv(lw_arena *a, const rp_result *r) {
    buf b = {0};
    put(&b, "");
    for (size_t c = 0; c < r->ncols; c++) {
        if (c)
            put(&b, ",");
        put_field(&b, r->columns[c], 1);
    }
    put(&b, "\r\n");
    for (size_t i = 0; i < r->nrows; i++) {
        for (size_t c = 0; c < r->ncols; c++) {
            const rp_cell *cell = &r->cells[i * r->ncols + c];
            if (c)
                put(&b, ",");
            put_field(&b, rp_cell_text(a, cell), cell->kind == RP_TEXT);
        }
        put(&b, "\r\n");
    }
    char *out = arena_strndup(a, b.p, b.len);
    free(b.p);
    return out;
}

lw_status report_svg(lw_arena *a, const rp_result *r, char **out, lw_error *err) {
    if (r->before_after && r->chart.n_series == 2)
        return chart_before_after_svg(a, &r->chart, out, err);
    return chart_bar_svg(a, &r->chart, out, err);
}

lw_status report_render(lw_arena *a, const rp_result *r, report_format f, json_t *filters,
                        int suppressed, char **out, lw_error *err) {
    if (f == REPORT_CSV) {
        json_decref(filters);
        *out = report_csv(a, r);
        return LW_OK;
    }
    if (f == REPORT_SVG) {
        json_decref(filters);
        return report_svg(a, r, out, err);
    }
    json_t *j = report_json(r, filters, suppressed);
    /* 15 significant digits: 33.3, not 33.299999999999997 */
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(j);
    if (!s)
        lw_oom();
    *out = arena_strdup(a, s);
    free(s);
    return LW_OK;
}
