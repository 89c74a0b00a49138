/* The reports, computed from the engine's facts in one pass each, with the
 * commissioner's suppression applied cell by cell (docs/outcomes.md). */
#include <stdlib.h>
#include <string.h>

#include "domain/report_engine_internal.h"

/* ---- building results ---- */

typedef struct tb {
    lw_arena *a;
    const rp_filter *f;
    size_t ncols, nrows, cap;
    rp_cell *cells;
    size_t nfigs;
    const char *fig_keys[24];
    rp_cell figs[24];
} tb;

static rp_cell *tb_row(tb *t) {
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        rp_cell *c = arena_alloc(t->a, cap * t->ncols * sizeof *c);
        if (t->cells)
            memcpy(c, t->cells, t->nrows * t->ncols * sizeof *c);
        t->cells = c;
        t->cap = cap;
    }
    return &t->cells[t->nrows++ * t->ncols];
}

static rp_cell c_text(const char *s) {
    return (rp_cell){.kind = s ? RP_TEXT : RP_NULL, .s = s};
}
static rp_cell c_id(int64_t id) {
    return (rp_cell){.kind = id ? RP_ID : RP_NULL, .v = id};
}
static rp_cell c_null(void) {
    return (rp_cell){.kind = RP_NULL};
}
/* A count of people or records: hidden from commissioners when 1..4. */
static rp_cell c_count(const tb *t, int64_t n) {
    return (rp_cell){.kind = RP_INT,
                     .v = n,
                     .mark =
                         t->f->suppress && report_is_small(n) ? LW_CELL_SUPPRESSED : LW_CELL_SHOWN};
}
/* A number that is not a count of people (places, services): always shown. */
static rp_cell c_plain(int64_t n) {
    return (rp_cell){.kind = RP_INT, .v = n};
}
/* A rate in percent with one decimal; hidden when NUM, DEN or DEN - NUM is small. */
static rp_cell c_rate(const tb *t, int64_t num, int64_t den) {
    if (den == 0)
        return c_null();
    lw_rate r = report_rate(num, den);
    return (rp_cell){.kind = RP_DEC,
                     .decimals = 1,
                     .v = r.permille,
                     .mark = t->f->suppress && report_rate_is_small(num, den) ? LW_CELL_SECONDARY
                                                                              : LW_CELL_SHOWN};
}
/* A statistic over N people (mean, percentile): hidden when N is small. */
static rp_cell c_stat(const tb *t, int64_t v, int decimals, int64_t n) {
    if (n == 0)
        return c_null();
    return (rp_cell){.kind = RP_DEC,
                     .decimals = decimals,
                     .v = v,
                     .mark =
                         t->f->suppress && report_is_small(n) ? LW_CELL_SECONDARY : LW_CELL_SHOWN};
}

static void fig(tb *t, const char *key, rp_cell c) {
    if (t->nfigs < 24) {
        t->fig_keys[t->nfigs] = key;
        t->figs[t->nfigs++] = c;
    }
}

/* Secondary suppression over cells G[0..N) whose total is published. */
static void group_suppress(const tb *t, rp_cell **g, size_t n) {
    if (!t->f->suppress || n == 0)
        return;
    int64_t v[64] = {0};
    lw_cell_mark m[64] = {LW_CELL_SHOWN};
    if (n > 64)
        n = 64;
    for (size_t i = 0; i < n; i++) {
        v[i] = g[i]->v;
        m[i] = g[i]->mark;
    }
    report_suppress_group(v, n, 1, m);
    for (size_t i = 0; i < n; i++)
        g[i]->mark = m[i];
}

static const char *name_of(const rp_names *names, int64_t id, lw_arena *a, const char *kind) {
    size_t lo = 0, hi = names ? names->n : 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (names->ids[mid] == id)
            return names->names[mid];
        if (names->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return arena_printf(a, "%s %lld", kind, (long long)id);
}

static void finish(tb *t, const rp_info *info, const char *const *cols, rp_result *out) {
    out->name = info->name;
    out->title = info->title;
    out->description = info->description;
    out->ncols = t->ncols;
    out->columns = arena_alloc(t->a, t->ncols * sizeof *out->columns);
    for (size_t i = 0; i < t->ncols; i++)
        out->columns[i] = cols[i];
    out->nrows = t->nrows;
    out->cells = t->cells;
    out->nfigs = t->nfigs;
    out->fig_keys = arena_alloc(t->a, (t->nfigs + 1) * sizeof *out->fig_keys);
    out->figs = arena_alloc(t->a, (t->nfigs + 1) * sizeof *out->figs);
    memcpy(out->fig_keys, t->fig_keys, t->nfigs * sizeof *out->fig_keys);
    memcpy(out->figs, t->figs, t->nfigs * sizeof *out->figs);
}

/* A label for people: "physical_activity" -> "physical activity". In A. */
static const char *human(lw_arena *a, const char *s) {
    char *h = arena_strdup(a, s ? s : "");
    for (char *p = h; *p; p++)
        if (*p == '_')
            *p = ' ';
    return h;
}

/* A chart with one category per row: values from columns VCOLS of the result. */
static void chart_from_rows(lw_arena *a, rp_result *r, size_t label_col, const size_t *vcols,
                            const char *const *series_names, size_t ns, const char *x_label,
                            const char *y_label, int decimals, const char *suffix) {
    size_t nc = r->nrows < LW_CHART_CATEGORIES_MAX ? r->nrows : LW_CHART_CATEGORIES_MAX;
    const char **cats = arena_alloc(a, (nc + 1) * sizeof *cats);
    lw_chart_series *se = arena_alloc(a, ns * sizeof *se);
    for (size_t s = 0; s < ns; s++) {
        int64_t *v = arena_alloc(a, (nc + 1) * sizeof *v);
        lw_cell_mark *m = arena_alloc(a, (nc + 1) * sizeof *m);
        for (size_t i = 0; i < nc; i++) {
            const rp_cell *c = &r->cells[i * r->ncols + vcols[s]];
            /* Counts are drawn whole; decimals are scaled to the chart's. */
            int64_t val = c->v;
            int have = c->kind == RP_DEC ? c->decimals : 0;
            for (int k = have; k < decimals; k++)
                val *= 10;
            v[i] = c->kind == RP_NULL ? 0 : val;
            m[i] = c->kind == RP_NULL ? LW_CELL_SECONDARY : c->mark;
        }
        se[s] = (lw_chart_series){.name = series_names[s], .values = v, .marks = m};
    }
    for (size_t i = 0; i < nc; i++)
        cats[i] = human(a, rp_cell_text(a, &r->cells[i * r->ncols + label_col]));
    if (nc == 0) { /* an empty report still draws its axes */
        cats[0] = "No data";
        nc = 1;
        for (size_t s = 0; s < ns; s++)
            se[s].marks = NULL;
    }
    r->chart = (lw_chart){.title = r->title,
                          .x_label = x_label,
                          .y_label = y_label,
                          .desc = r->description,
                          .n_categories = nc,
                          .categories = cats,
                          .n_series = ns,
                          .series = se,
                          .decimals = decimals,
                          .value_suffix = suffix};
}

/* ---- the filter ---- */

static int ref_ok(const rp_data *d, const rp_filter *f, int64_t id) {
    if (id <= 0 || (size_t)id >= d->nref)
        return 0;
    const ref_t *r = &d->ref[id];
    if (!r->present)
        return 0;
    if (f->from_ms && r->created_at < f->from_ms)
        return 0;
    if (f->to_ms && r->created_at >= f->to_ms)
        return 0;
    if (f->org && r->to_org != f->org)
        return 0;
    if (f->source >= 0 && r->source != f->source)
        return 0;
    if (f->pathway >= 0) {
        if (!r->case_id || (size_t)r->case_id >= d->ncs ||
            d->cs[r->case_id].pathway != f->pathway + 1)
            return 0;
    }
    return 1;
}

static int case_ok(const rp_data *d, const rp_filter *f, int64_t case_id) {
    if (case_id <= 0 || (size_t)case_id >= d->ncs || !d->cs[case_id].present)
        return 0;
    return ref_ok(d, f, d->cs[case_id].referral_id);
}

/* A record made without a referral (a clinician's direct prescription or decision). */
static int direct_ok(const rp_filter *f, int64_t at, int64_t org) {
    if (f->source >= 0 || f->pathway >= 0)
        return 0;
    if ((f->from_ms && at < f->from_ms) || (f->to_ms && at >= f->to_ms))
        return 0;
    return !f->org || org == f->org;
}

static int rx_ok(const rp_data *d, const rp_filter *f, const rx_t *x) {
    if (!x->present)
        return 0;
    if (x->case_id)
        return case_ok(d, f, x->case_id);
    return direct_ok(f, x->created_at, x->sender_org);
}

/* ---- the reports ---- */

static const rp_info infos[RP_REPORTS] = {
    {"referrals-by-month", "Referrals by month",
     "Referrals received each month, by source, by reason and by referring organisation."},
    {"time-to-first-contact", "Time from referral to first contact",
     "Days from receiving a referral to the first recorded contact: median and 90th "
     "percentile, by link worker service."},
    {"take-up", "Take-up of social prescriptions",
     "Prescriptions made and how many of them the person took up (reached started)."},
    {"completion", "Completion and drop-out",
     "Of the prescriptions taken up: completed, dropped out, still going."},
    {"discharge", "Discharge at the end of the pathway",
     "Cases whose discharge review is due: discharged from secondary care, extended, "
     "re-referred, or not yet reviewed."},
    {"outcomes", "Change in wellbeing by instrument",
     "Change from the first to the latest administration of each instrument: mean change, "
     "share improved by at least the instrument's meaningful change, and flourishing before "
     "and after (MHC-SF)."},
    {"demand-capacity", "Demand against capacity by category",
     "Per category of service: services, places, services full, and prescriptions sent, "
     "accepted, waitlisted, declined and declined for lack of capacity."},
    {"unmet-need", "Unmet need by need domain",
     "Per need domain: cases whose need had no local service within the person's travel "
     "limit, cases with the need and whether an activity was prescribed for it, and the "
     "active services the directory lists for it."},
    {"gp-consultations", "GP consultations before and after",
     "GP consultations in the 6 months before and the 6 months after the referral."},
    {"caseload", "Caseload per worker", "Open and closed cases per link or peer worker."},
    {"decisions", "Who facilitated decisions",
     "Shared decisions by who facilitated them: direct (a clinician), a link worker, or a "
     "peer worker."},
};

const rp_info *rp_report_at(size_t i) {
    return i < RP_REPORTS ? &infos[i] : NULL;
}

const rp_info *rp_report(const char *name) {
    for (size_t i = 0; name && i < RP_REPORTS; i++)
        if (strcmp(infos[i].name, name) == 0)
            return &infos[i];
    return NULL;
}

static void r_by_month(const rp_data *d, tb *t, const rp_names *orgs, rp_result *out) {
    static const char *const cols[] = {"month", "breakdown", "value", "referrals"};
    t->ncols = 4;
    int lo = 0, hi = -1;
    for (size_t i = 1; i < d->nref; i++) {
        if (!ref_ok(d, t->f, (int64_t)i))
            continue;
        int m = d->ref[i].month;
        if (hi < lo) {
            lo = hi = m;
        } else {
            lo = m < lo ? m : lo;
            hi = m > hi ? m : hi;
        }
    }
    size_t nm = hi >= lo ? (size_t)(hi - lo + 1) : 0;
    size_t norg = (size_t)d->max_org + 1;
    int64_t *total = arena_alloc(t->a, (nm + 1) * sizeof *total);
    int64_t *src = arena_alloc(t->a, (nm * RP_SOURCES + 1) * sizeof *src);
    int64_t *rsn = arena_alloc(t->a, (nm * LW_NEED_COUNT + 1) * sizeof *rsn);
    int64_t *org = arena_alloc(t->a, (nm * norg + 1) * sizeof *org);
    for (size_t i = 1; i < d->nref; i++) {
        if (!ref_ok(d, t->f, (int64_t)i))
            continue;
        const ref_t *r = &d->ref[i];
        size_t m = (size_t)(r->month - lo);
        total[m]++;
        if (r->source < RP_SOURCES)
            src[m * RP_SOURCES + r->source]++;
        for (unsigned bits = r->reasons; bits; bits &= bits - 1)
            rsn[m * LW_NEED_COUNT + (size_t)__builtin_ctz(bits)]++;
        org[m * norg + (size_t)r->from_org]++;
    }
    int64_t all = 0;
    for (size_t m = 0; m < nm; m++) {
        if (!total[m])
            continue;
        all += total[m];
        char mt[8];
        rp_month_text(lo + (int)m, mt);
        const char *month = arena_strdup(t->a, mt);
        rp_cell *row = tb_row(t);
        row[0] = c_text(month), row[1] = c_text("total"), row[2] = c_text("all");
        row[3] = c_count(t, total[m]);
        rp_cell *g[64];
        size_t ng = 0, first = t->nrows;
        for (int s = 0; s < RP_SOURCES; s++) {
            row = tb_row(t);
            row[0] = c_text(month), row[1] = c_text("source"), row[2] = c_text(rp_source_name(s));
            row[3] = c_count(t, src[m * RP_SOURCES + (size_t)s]);
        }
        /* Pointers into t->cells stay valid only until the next growth: taken now. */
        for (size_t r = first; r < t->nrows; r++)
            g[ng++] = &t->cells[r * t->ncols + 3];
        group_suppress(t, g, ng);
        for (int k = 0; k < LW_NEED_COUNT; k++) {
            int64_t n = rsn[m * LW_NEED_COUNT + (size_t)k];
            if (!n)
                continue;
            row = tb_row(t);
            row[0] = c_text(month), row[1] = c_text("reason"), row[2] = c_text(need_name(k));
            row[3] = c_count(t, n);
        }
        first = t->nrows;
        for (size_t o = 0; o < norg; o++) {
            int64_t n = org[m * norg + o];
            if (!n)
                continue;
            row = tb_row(t);
            row[0] = c_text(month), row[1] = c_text("organisation");
            row[2] = c_text(o ? name_of(orgs, (int64_t)o, t->a, "Organisation")
                              : "none (self-referral)");
            row[3] = c_count(t, n);
        }
        ng = 0;
        for (size_t r = first; r < t->nrows && ng < 64; r++)
            g[ng++] = &t->cells[r * t->ncols + 3];
        group_suppress(t, g, ng);
    }
    fig(t, "referrals", c_count(t, all));
    finish(t, rp_report("referrals-by-month"), cols, out);
    /* The chart: months across, one bar per source. */
    const char **cats = arena_alloc(t->a, (nm + 1) * sizeof *cats);
    lw_chart_series *se = arena_alloc(t->a, RP_SOURCES * sizeof *se);
    size_t nc = 0;
    int64_t *vals[RP_SOURCES];
    lw_cell_mark *marks[RP_SOURCES];
    for (int s = 0; s < RP_SOURCES; s++) {
        vals[s] = arena_alloc(t->a, (nm + 1) * sizeof *vals[s]);
        marks[s] = arena_alloc(t->a, (nm + 1) * sizeof *marks[s]);
    }
    for (size_t r = 0; r < out->nrows; r++) {
        const rp_cell *row = &out->cells[r * 4];
        if (strcmp(row[1].s, "total") == 0 && nc < LW_CHART_CATEGORIES_MAX) {
            cats[nc] = row[0].s;
            for (int s = 0; s < RP_SOURCES; s++) {
                const rp_cell *c = &out->cells[(r + 1 + (size_t)s) * 4 + 3];
                vals[s][nc] = c->v;
                marks[s][nc] = c->mark;
            }
            nc++;
        }
    }
    for (int s = 0; s < RP_SOURCES; s++)
        se[s] = (lw_chart_series){.name = rp_source_name(s), .values = vals[s], .marks = marks[s]};
    if (nc == 0) {
        cats[0] = "No data";
        nc = 1;
    }
    out->chart = (lw_chart){.title = out->title,
                            .x_label = "Month received",
                            .y_label = "Referrals",
                            .desc = out->description,
                            .n_categories = nc,
                            .categories = cats,
                            .n_series = RP_SOURCES,
                            .series = se};
}

/* Days in tenths from milliseconds, rounded. */
static int64_t tenth_days(int64_t ms) {
    return report_div_round(ms * 10, LW_DAY_MS);
}

static void r_first_contact(const rp_data *d, tb *t, const rp_names *orgs, rp_result *out) {
    static const char *const cols[] = {"organisation_id", "organisation", "cases",
                                       "contacted",       "median_days",  "p90_days"};
    t->ncols = 6;
    size_t norg = (size_t)d->max_org + 1;
    int64_t *cases = arena_alloc(t->a, norg * sizeof *cases);
    int64_t *cnt = arena_alloc(t->a, (norg + 1) * sizeof *cnt);
    size_t n = 0;
    for (size_t i = 1; i < d->ncs; i++) {
        const case_t *c = &d->cs[i];
        if (!case_ok(d, t->f, (int64_t)i))
            continue;
        cases[c->org]++;
        if (c->first_contact_at) {
            cnt[c->org]++;
            n++;
        }
    }
    /* Waits grouped by organisation (a counting sort), then selected per group. */
    size_t *start = arena_alloc(t->a, (norg + 1) * sizeof *start);
    for (size_t o = 0; o < norg; o++)
        start[o + 1] = start[o] + (size_t)cnt[o];
    size_t *pos = arena_alloc(t->a, (norg + 1) * sizeof *pos);
    memcpy(pos, start, (norg + 1) * sizeof *pos);
    int64_t *w = malloc((n + 1) * sizeof *w);
    if (!w)
        lw_oom();
    for (size_t i = 1; i < d->ncs; i++) {
        const case_t *c = &d->cs[i];
        if (!c->first_contact_at || !case_ok(d, t->f, (int64_t)i))
            continue;
        int64_t v = c->first_contact_at - d->ref[c->referral_id].created_at;
        w[pos[c->org]++] = v < 0 ? 0 : v;
    }
    int64_t all_cases = 0;
    for (size_t o = 1; o < norg; o++) {
        if (!cases[o])
            continue;
        all_cases += cases[o];
        size_t k = (size_t)cnt[o];
        rp_cell *row = tb_row(t);
        row[0] = c_id((int64_t)o);
        row[1] = c_text(name_of(orgs, (int64_t)o, t->a, "Organisation"));
        row[2] = c_count(t, cases[o]);
        row[3] = c_count(t, (int64_t)k);
        if (k) {
            int64_t med = rp_select(w + start[o], k, report_nearest_rank(k, 50) - 1);
            int64_t p90 = rp_select(w + start[o], k, report_nearest_rank(k, 90) - 1);
            row[4] = c_stat(t, tenth_days(med), 1, (int64_t)k);
            row[5] = c_stat(t, tenth_days(p90), 1, (int64_t)k);
        } else {
            row[4] = row[5] = c_null();
        }
    }
    fig(t, "cases", c_count(t, all_cases));
    fig(t, "contacted", c_count(t, (int64_t)n));
    fig(t, "not_contacted", c_count(t, all_cases - (int64_t)n));
    if (n) {
        int64_t med = rp_select(w, n, report_nearest_rank(n, 50) - 1);
        int64_t p90 = rp_select(w, n, report_nearest_rank(n, 90) - 1);
        fig(t, "median_days", c_stat(t, tenth_days(med), 1, (int64_t)n));
        fig(t, "p90_days", c_stat(t, tenth_days(p90), 1, (int64_t)n));
    } else {
        fig(t, "median_days", c_null());
        fig(t, "p90_days", c_null());
    }
    free(w);
    finish(t, rp_report("time-to-first-contact"), cols, out);
    static const size_t vc[] = {4, 5};
    static const char *const sn[] = {"Median", "90th percentile"};
    chart_from_rows(t->a, out, 1, vc, sn, 2, "Link worker service", "Days to first contact", 1,
                    NULL);
}

static void r_take_up(const rp_data *d, tb *t, const rp_names *orgs, rp_result *out) {
    static const char *const cols[] = {"organisation_id", "organisation", "prescriptions",
                                       "took_up", "take_up_rate"};
    t->ncols = 5;
    size_t norg = (size_t)d->max_org + 1;
    int64_t *made = arena_alloc(t->a, norg * sizeof *made);
    int64_t *took = arena_alloc(t->a, norg * sizeof *took);
    int64_t all = 0, all_took = 0;
    for (size_t i = 1; i < d->nrx; i++) {
        const rx_t *x = &d->rx[i];
        if (!rx_ok(d, t->f, x))
            continue;
        if (x->kind == LW_RX_REFERRAL && x->status == LW_RX_PROPOSED)
            continue; /* not sent yet */
        made[x->sender_org]++;
        took[x->sender_org] += x->took;
        all++;
        all_took += x->took;
    }
    for (size_t o = 0; o < norg; o++) {
        if (!made[o])
            continue;
        rp_cell *row = tb_row(t);
        row[0] = c_id((int64_t)o);
        row[1] = c_text(name_of(orgs, (int64_t)o, t->a, "Organisation"));
        row[2] = c_count(t, made[o]);
        row[3] = c_count(t, took[o]);
        row[4] = c_rate(t, took[o], made[o]);
    }
    fig(t, "prescriptions", c_count(t, all));
    fig(t, "took_up", c_count(t, all_took));
    fig(t, "take_up_rate", c_rate(t, all_took, all));
    finish(t, rp_report("take-up"), cols, out);
    static const size_t vc[] = {2, 3};
    static const char *const sn[] = {"Prescriptions", "Took up"};
    chart_from_rows(t->a, out, 1, vc, sn, 2, "Prescribing organisation", "Prescriptions", 0, NULL);
}

static void r_completion(const rp_data *d, tb *t, rp_result *out) {
    static const char *const cols[] = {"outcome", "prescriptions", "share_of_took_up"};
    t->ncols = 3;
    int64_t took = 0, completed = 0, dropped = 0, going = 0, before = 0;
    for (size_t i = 1; i < d->nrx; i++) {
        const rx_t *x = &d->rx[i];
        if (!rx_ok(d, t->f, x))
            continue;
        if (x->took) {
            took++;
            completed += x->status == LW_RX_COMPLETED;
            dropped += x->status == LW_RX_DROPPED_OUT;
            going += x->status != LW_RX_COMPLETED && x->status != LW_RX_DROPPED_OUT;
        } else if (x->status == LW_RX_DROPPED_OUT) {
            before++;
        }
    }
    const char *names[3] = {"completed", "dropped_out", "still_going"};
    int64_t v[3] = {completed, dropped, going};
    rp_cell *g[3];
    for (int i = 0; i < 3; i++) {
        rp_cell *row = tb_row(t);
        row[0] = c_text(names[i]);
        row[1] = c_count(t, v[i]);
        row[2] = c_rate(t, v[i], took);
    }
    for (int i = 0; i < 3; i++)
        g[i] = &t->cells[(size_t)i * 3 + 1];
    group_suppress(t, g, 3);
    for (int i = 0; i < 3; i++)
        if (g[i]->mark != LW_CELL_SHOWN)
            t->cells[(size_t)i * 3 + 2].mark = LW_CELL_SECONDARY;
    rp_cell *row = tb_row(t);
    row[0] = c_text("dropped_out_before_starting");
    row[1] = c_count(t, before);
    row[2] = c_null();
    fig(t, "took_up", c_count(t, took));
    fig(t, "completed", t->cells[1]);
    fig(t, "dropped_out", t->cells[4]);
    fig(t, "still_going", t->cells[7]);
    fig(t, "completion_rate", t->cells[2]);
    fig(t, "drop_out_rate", t->cells[5]);
    fig(t, "dropped_out_before_starting", c_count(t, before));
    finish(t, rp_report("completion"), cols, out);
    static const size_t vc[] = {1};
    static const char *const sn[] = {"Prescriptions"};
    chart_from_rows(t->a, out, 0, vc, sn, 1, "Outcome", "Prescriptions", 0, NULL);
}

static void r_discharge(const rp_data *d, tb *t, rp_result *out) {
    static const char *const cols[] = {"outcome", "cases", "share"};
    t->ncols = 3;
    int64_t v[4] = {0, 0, 0, 0}, due = 0;
    for (size_t i = 1; i < d->ncs; i++) {
        const case_t *c = &d->cs[i];
        if (!c->review_due || !case_ok(d, t->f, (int64_t)i))
            continue;
        if (c->outcome) {
            v[c->outcome - 1]++;
            due++;
        } else if (c->review_due <= t->f->now) {
            v[3]++;
            due++;
        }
    }
    const char *names[4] = {"discharged", "extended", "re_referred", "not_yet_reviewed"};
    rp_cell *g[4];
    for (int i = 0; i < 4; i++) {
        rp_cell *row = tb_row(t);
        row[0] = c_text(names[i]);
        row[1] = c_count(t, v[i]);
        row[2] = c_rate(t, v[i], due);
    }
    for (int i = 0; i < 4; i++)
        g[i] = &t->cells[(size_t)i * 3 + 1];
    group_suppress(t, g, 4);
    for (int i = 0; i < 4; i++)
        if (g[i]->mark != LW_CELL_SHOWN)
            t->cells[(size_t)i * 3 + 2].mark = LW_CELL_SECONDARY;
    fig(t, "due", c_count(t, due));
    fig(t, "discharged", t->cells[1]);
    fig(t, "discharge_rate", t->cells[2]);
    finish(t, rp_report("discharge"), cols, out);
    static const size_t vc[] = {1};
    static const char *const sn[] = {"Cases"};
    chart_from_rows(t->a, out, 0, vc, sn, 1, "Outcome of the discharge review", "Cases", 0, NULL);
}

static void r_outcomes(const rp_data *d, tb *t, rp_result *out) {
    static const char *const cols[] = {"instrument",
                                       "score",
                                       "pairs",
                                       "mean_change",
                                       "improved",
                                       "improved_share",
                                       "flourishing_before",
                                       "flourishing_after"};
    t->ncols = 8;
    /* rows: ons4 x4, mhcsf total, swemwbs metric, ucla3 total */
    static const struct {
        int instr, slot;
        const char *score;
        int decimals;
    } rows[] = {{LW_INSTR_ONS4, 0, "life_satisfaction", 0},
                {LW_INSTR_ONS4, 1, "worthwhile", 0},
                {LW_INSTR_ONS4, 2, "happiness", 0},
                {LW_INSTR_ONS4, 3, "anxiety", 0},
                {LW_INSTR_MHCSF, 0, "total", 0},
                {LW_INSTR_SWEMWBS, 0, "metric", 2},
                {LW_INSTR_UCLA3, 0, "total", 0}};
    enum { NR = 7 };
    int64_t n[NR] = {0}, sum[NR] = {0}, imp[NR] = {0}, fb = 0, fa = 0;
    int64_t head_n[LW_INSTR_COUNT] = {0}, head_imp[LW_INSTR_COUNT] = {0};
    for (size_t i = 0; i < d->npairs; i++) {
        const pair_t *p = &d->pairs[i];
        if (!p->two || !case_ok(d, t->f, p->case_id))
            continue;
        head_n[p->instr]++;
        head_imp[p->instr] += p->improved;
        if (p->instr == LW_INSTR_MHCSF) {
            fb += p->flo_b;
            fa += p->flo_a;
        }
        for (int r = 0; r < NR; r++) {
            if (rows[r].instr != p->instr)
                continue;
            n[r]++;
            sum[r] += p->delta[rows[r].slot];
            imp[r] += p->verdict[rows[r].slot] > 0;
        }
    }
    for (int r = 0; r < NR; r++) {
        rp_cell *row = tb_row(t);
        row[0] = c_text(instrument_name((lw_instrument)rows[r].instr));
        row[1] = c_text(rows[r].score);
        row[2] = c_count(t, n[r]);
        /* the mean in hundredths of the score's unit */
        int64_t scale = rows[r].decimals == 2 ? 1 : 100;
        row[3] = c_stat(t, report_div_round(sum[r] * scale, n[r] ? n[r] : 1), 2, n[r]);
        row[4] = c_count(t, imp[r]);
        row[5] = c_rate(t, imp[r], n[r]);
        if (rows[r].instr == LW_INSTR_MHCSF) {
            row[6] = c_count(t, fb);
            row[7] = c_count(t, fa);
        } else {
            row[6] = row[7] = c_null();
        }
    }
    for (int i = 0; i < LW_INSTR_COUNT; i++) {
        const char *in = instrument_name((lw_instrument)i);
        fig(t, arena_printf(t->a, "%s_pairs", in), c_count(t, head_n[i]));
        fig(t, arena_printf(t->a, "%s_improved", in), c_count(t, head_imp[i]));
        fig(t, arena_printf(t->a, "%s_improved_share", in), c_rate(t, head_imp[i], head_n[i]));
    }
    fig(t, "mhcsf_flourishing_before", c_count(t, fb));
    fig(t, "mhcsf_flourishing_after", c_count(t, fa));
    finish(t, rp_report("outcomes"), cols, out);
    /* The chart: share improved per instrument and score. */
    const char **cats = arena_alloc(t->a, NR * sizeof *cats);
    int64_t *v = arena_alloc(t->a, NR * sizeof *v);
    lw_cell_mark *m = arena_alloc(t->a, NR * sizeof *m);
    for (int r = 0; r < NR; r++) {
        const rp_cell *c = &out->cells[(size_t)r * 8 + 5];
        cats[r] =
            human(t->a, arena_printf(t->a, "%s %s", instrument_name((lw_instrument)rows[r].instr),
                                     rows[r].score));
        v[r] = c->kind == RP_NULL ? 0 : c->v;
        m[r] = c->kind == RP_NULL ? LW_CELL_SECONDARY : c->mark;
    }
    lw_chart_series *se = arena_alloc(t->a, sizeof *se);
    se[0] = (lw_chart_series){.name = "Improved meaningfully", .values = v, .marks = m};
    out->chart = (lw_chart){.title = out->title,
                            .x_label = "Instrument and score",
                            .y_label = "Share of people improved",
                            .desc = out->description,
                            .n_categories = NR,
                            .categories = cats,
                            .n_series = 1,
                            .series = se,
                            .decimals = 1,
                            .value_suffix = "%"};
}

static const char *category_name(int k) {
    return k < LW_NEED_COUNT ? need_name(k) : "other";
}

static void r_demand(const rp_data *d, tb *t, rp_result *out) {
    static const char *const cols[] = {"category",      "services", "places",
                                       "services_full", "sent",     "accepted",
                                       "waitlisted",    "declined", "declined_no_capacity"};
    t->ncols = 9;
    enum { NCAT = LW_NEED_COUNT + 1 };
    int64_t svc[NCAT] = {0}, places[NCAT] = {0}, full[NCAT] = {0}, sent[NCAT] = {0},
            acc[NCAT] = {0}, wait[NCAT] = {0}, dec[NCAT] = {0}, nocap[NCAT] = {0};
    for (size_t i = 0; i < d->nsvc; i++) {
        const svc_t *s = &d->svc[i];
        if (!s->active)
            continue;
        svc[s->category]++;
        places[s->category] += s->capacity > 0 ? s->capacity : 0;
        full[s->category] += s->full;
    }
    for (size_t i = 1; i < d->nrx; i++) {
        const rx_t *x = &d->rx[i];
        if (x->kind != LW_RX_REFERRAL || x->status == LW_RX_PROPOSED || x->service == NO_IX ||
            !rx_ok(d, t->f, x))
            continue;
        int k = d->svc[x->service].category;
        sent[k]++;
        acc[k] +=
            x->status == LW_RX_ACCEPTED || x->took || (x->status == LW_RX_DROPPED_OUT && x->took);
        wait[k] += x->status == LW_RX_WAITLISTED;
        dec[k] += x->status == LW_RX_DECLINED;
        nocap[k] += x->no_capacity;
    }
    for (int k = 0; k < NCAT; k++) {
        if (!svc[k] && !sent[k])
            continue;
        rp_cell *row = tb_row(t);
        row[0] = c_text(category_name(k));
        row[1] = c_plain(svc[k]);
        row[2] = c_plain(places[k]);
        row[3] = c_plain(full[k]);
        row[4] = c_count(t, sent[k]);
        row[5] = c_count(t, acc[k]);
        row[6] = c_count(t, wait[k]);
        row[7] = c_count(t, dec[k]);
        row[8] = c_count(t, nocap[k]);
    }
    int64_t ts = 0, tp = 0, tsent = 0, tnocap = 0;
    for (int k = 0; k < NCAT; k++)
        ts += svc[k], tp += places[k], tsent += sent[k], tnocap += nocap[k];
    fig(t, "services", c_plain(ts));
    fig(t, "places", c_plain(tp));
    fig(t, "sent", c_count(t, tsent));
    fig(t, "declined_no_capacity", c_count(t, tnocap));
    finish(t, rp_report("demand-capacity"), cols, out);
    static const size_t vc[] = {2, 4};
    static const char *const sn[] = {"Places", "Prescriptions sent"};
    chart_from_rows(t->a, out, 0, vc, sn, 2, "Category of service", "Places and prescriptions", 0,
                    NULL);
}

static void r_unmet(const rp_data *d, tb *t, rp_result *out) {
    static const char *const cols[] = {"need",           "cases_with_need",  "prescribed",
                                       "not_prescribed", "no_local_service", "services"};
    t->ncols = 6;
    uint16_t *covered = calloc(d->ncs + 1, sizeof *covered);
    if (!covered)
        lw_oom();
    for (size_t i = 1; i < d->nrx; i++) {
        const rx_t *x = &d->rx[i];
        if (!x->present || !x->case_id || (size_t)x->case_id >= d->ncs || x->service == NO_IX)
            continue;
        if (x->kind == LW_RX_REFERRAL && x->status == LW_RX_PROPOSED)
            continue;
        covered[x->case_id] |= d->svc[x->service].domains;
    }
    int64_t with[LW_NEED_COUNT] = {0}, met[LW_NEED_COUNT] = {0}, svc[LW_NEED_COUNT] = {0},
            nolocal[LW_NEED_COUNT] = {0};
    for (size_t i = 1; i < d->ncs; i++) {
        const case_t *c = &d->cs[i];
        if ((!c->needs && !c->nolocal) || !case_ok(d, t->f, (int64_t)i))
            continue;
        for (int k = 0; k < LW_NEED_COUNT; k++) {
            nolocal[k] += (c->nolocal & (1u << k)) != 0;
            if (!(c->needs & (1u << k)))
                continue;
            with[k]++;
            met[k] += (covered[i] & (1u << k)) != 0;
        }
    }
    free(covered);
    for (size_t i = 0; i < d->nsvc; i++)
        for (int k = 0; k < LW_NEED_COUNT; k++)
            svc[k] += d->svc[i].active && (d->svc[i].domains & (1u << k));
    int64_t unmet = 0, none = 0;
    for (int k = 0; k < LW_NEED_COUNT; k++) {
        rp_cell *row = tb_row(t);
        row[0] = c_text(need_name(k));
        row[1] = c_count(t, with[k]);
        row[2] = c_count(t, met[k]);
        row[3] = c_count(t, with[k] - met[k]);
        row[4] = c_count(t, nolocal[k]);
        row[5] = c_plain(svc[k]);
        rp_cell *g[2] = {&row[2], &row[3]};
        group_suppress(t, g, 2);
        unmet += with[k] - met[k];
        none += nolocal[k];
    }
    fig(t, "not_prescribed", c_count(t, unmet));
    fig(t, "no_local_service", c_count(t, none));
    finish(t, rp_report("unmet-need"), cols, out);
    static const size_t vc[] = {4, 3};
    static const char *const sn[] = {"No local service", "No activity prescribed"};
    chart_from_rows(t->a, out, 0, vc, sn, 2, "Need domain", "Cases", 0, NULL);
}

static void r_gp(const rp_data *d, tb *t, const rp_names *orgs, rp_result *out) {
    static const char *const cols[] = {"organisation_id", "organisation", "people",
                                       "before",          "after",        "mean_before",
                                       "mean_after",      "mean_change"};
    t->ncols = 8;
    size_t norg = (size_t)d->max_org + 1;
    int64_t *n = arena_alloc(t->a, norg * sizeof *n);
    int64_t *b = arena_alloc(t->a, norg * sizeof *b);
    int64_t *af = arena_alloc(t->a, norg * sizeof *af);
    int64_t tn = 0, tb_ = 0, ta = 0;
    for (size_t i = 1; i < d->ngp; i++) {
        const gp_t *g = &d->gp[i];
        if (!g->present || !ref_ok(d, t->f, g->referral_id))
            continue;
        size_t o = (size_t)d->ref[g->referral_id].to_org;
        n[o]++, b[o] += g->before, af[o] += g->after;
        tn++, tb_ += g->before, ta += g->after;
    }
    for (size_t o = 0; o < norg; o++) {
        if (!n[o])
            continue;
        rp_cell *row = tb_row(t);
        row[0] = c_id((int64_t)o);
        row[1] = c_text(name_of(orgs, (int64_t)o, t->a, "Organisation"));
        row[2] = c_count(t, n[o]);
        row[3] = c_stat(t, b[o], 0, n[o]);
        row[3].kind = RP_INT;
        row[4] = c_stat(t, af[o], 0, n[o]);
        row[4].kind = RP_INT;
        row[5] = c_stat(t, report_div_round(b[o] * 100, n[o]), 2, n[o]);
        row[6] = c_stat(t, report_div_round(af[o] * 100, n[o]), 2, n[o]);
        row[7] = c_stat(t, report_div_round((af[o] - b[o]) * 100, n[o]), 2, n[o]);
    }
    fig(t, "people", c_count(t, tn));
    rp_cell cb = c_stat(t, tb_, 0, tn), ca = c_stat(t, ta, 0, tn);
    if (tn)
        cb.kind = ca.kind = RP_INT;
    fig(t, "before", cb);
    fig(t, "after", ca);
    fig(t, "mean_before", c_stat(t, report_div_round(tb_ * 100, tn ? tn : 1), 2, tn));
    fig(t, "mean_after", c_stat(t, report_div_round(ta * 100, tn ? tn : 1), 2, tn));
    fig(t, "mean_change", c_stat(t, report_div_round((ta - tb_) * 100, tn ? tn : 1), 2, tn));
    finish(t, rp_report("gp-consultations"), cols, out);
    static const size_t vc[] = {5, 6};
    static const char *const sn[] = {"6 months before", "6 months after"};
    chart_from_rows(t->a, out, 1, vc, sn, 2, "Link worker service",
                    "Mean GP consultations per person", 2, NULL);
    out->before_after = 1;
}

static void r_caseload(const rp_data *d, tb *t, const rp_names *orgs, const rp_names *users,
                       rp_result *out) {
    static const char *const cols[] = {"worker_id", "worker", "organisation", "open_cases",
                                       "closed_cases"};
    t->ncols = 5;
    int64_t maxu = 0;
    for (size_t i = 1; i < d->ncs; i++)
        if (d->cs[i].present && d->cs[i].assignee > maxu)
            maxu = d->cs[i].assignee;
    int64_t *open = arena_alloc(t->a, (size_t)(maxu + 1) * sizeof *open);
    int64_t *closed = arena_alloc(t->a, (size_t)(maxu + 1) * sizeof *closed);
    int32_t *org = arena_alloc(t->a, (size_t)(maxu + 1) * sizeof *org);
    int64_t to = 0, tc = 0;
    for (size_t i = 1; i < d->ncs; i++) {
        const case_t *c = &d->cs[i];
        if (!case_ok(d, t->f, (int64_t)i))
            continue;
        if (c->open)
            open[c->assignee]++, to++;
        else
            closed[c->assignee]++, tc++;
        org[c->assignee] = c->org;
    }
    int64_t k = 0;
    for (int64_t u = 1; u <= maxu; u++) {
        if (!open[u] && !closed[u])
            continue;
        rp_cell *row = tb_row(t);
        k++;
        /* Commissioners see workers by number, never by name. */
        row[0] = t->f->suppress ? c_null() : c_id(u);
        row[1] = c_text(t->f->suppress ? arena_printf(t->a, "Worker %lld", (long long)k)
                                       : name_of(users, u, t->a, "User"));
        row[2] = c_text(name_of(orgs, org[u], t->a, "Organisation"));
        row[3] = c_count(t, open[u]);
        row[4] = c_count(t, closed[u]);
    }
    fig(t, "workers", c_plain(k));
    fig(t, "open_cases", c_count(t, to));
    fig(t, "closed_cases", c_count(t, tc));
    finish(t, rp_report("caseload"), cols, out);
    static const size_t vc[] = {3};
    static const char *const sn[] = {"Open cases"};
    chart_from_rows(t->a, out, 1, vc, sn, 1, "Worker", "Open cases", 0, NULL);
}

static void r_decisions(const rp_data *d, tb *t, rp_result *out) {
    static const char *const cols[] = {"mode", "decisions", "chosen", "not_now", "share"};
    t->ncols = 5;
    int64_t n[3] = {0}, ch[3] = {0}, all = 0;
    for (size_t i = 1; i < d->ndec; i++) {
        const dec_t *x = &d->dec[i];
        if (!x->present || x->mode > 2)
            continue;
        if (x->case_id ? !case_ok(d, t->f, x->case_id) : !direct_ok(t->f, x->created_at, x->org))
            continue;
        n[x->mode]++, ch[x->mode] += x->chosen, all++;
    }
    static const char *const modes[3] = {"direct", "link_worker", "peer"};
    rp_cell *g[3];
    for (int m = 0; m < 3; m++) {
        rp_cell *row = tb_row(t);
        row[0] = c_text(modes[m]);
        row[1] = c_count(t, n[m]);
        row[2] = c_count(t, ch[m]);
        row[3] = c_count(t, n[m] - ch[m]);
        row[4] = c_rate(t, n[m], all);
    }
    for (int m = 0; m < 3; m++)
        g[m] = &t->cells[(size_t)m * 5 + 1];
    group_suppress(t, g, 3);
    for (int m = 0; m < 3; m++)
        if (g[m]->mark != LW_CELL_SHOWN)
            t->cells[(size_t)m * 5 + 4].mark = LW_CELL_SECONDARY;
    fig(t, "decisions", c_count(t, all));
    fig(t, "direct_share", t->cells[4]);
    fig(t, "link_worker_share", t->cells[9]);
    fig(t, "peer_share", t->cells[14]);
    finish(t, rp_report("decisions"), cols, out);
    static const size_t vc[] = {1};
    static const char *const sn[] = {"Decisions"};
    chart_from_rows(t->a, out, 0, vc, sn, 1, "Who facilitated", "Decisions", 0, NULL);
}

lw_status rp_run(const rp_data *d, const char *name, const rp_filter *f, const rp_names *orgs,
                 const rp_names *users, lw_arena *a, rp_result *out, lw_error *err) {
    memset(out, 0, sizeof *out);
    tb t = {.a = a, .f = f};
    if (!rp_report(name))
        return lw_fail(err, LW_ENOTFOUND, "name", "no report called %s", name ? name : "");
    if (strcmp(name, "referrals-by-month") == 0)
        r_by_month(d, &t, orgs, out);
    else if (strcmp(name, "time-to-first-contact") == 0)
        r_first_contact(d, &t, orgs, out);
    else if (strcmp(name, "take-up") == 0)
        r_take_up(d, &t, orgs, out);
    else if (strcmp(name, "completion") == 0)
        r_completion(d, &t, out);
    else if (strcmp(name, "discharge") == 0)
        r_discharge(d, &t, out);
    else if (strcmp(name, "outcomes") == 0)
        r_outcomes(d, &t, out);
    else if (strcmp(name, "demand-capacity") == 0)
        r_demand(d, &t, out);
    else if (strcmp(name, "unmet-need") == 0)
        r_unmet(d, &t, out);
    else if (strcmp(name, "gp-consultations") == 0)
        r_gp(d, &t, orgs, out);
    else if (strcmp(name, "caseload") == 0)
        r_caseload(d, &t, orgs, users, out);
    else
        r_decisions(d, &t, out);
    return LW_OK;
}

const char *rp_cell_text(lw_arena *a, const rp_cell *c) {
    char buf[24];
    if (c->mark != LW_CELL_SHOWN)
        return arena_strdup(a, report_cell_text(c->v, c->mark, buf));
    switch (c->kind) {
    case RP_NULL:
        return "";
    case RP_TEXT:
        return c->s;
    case RP_INT:
    case RP_ID:
        return arena_printf(a, "%lld", (long long)c->v);
    case RP_DEC: {
        int64_t scale = c->decimals == 2 ? 100 : c->decimals == 1 ? 10 : 1;
        int64_t v = c->v < 0 ? -c->v : c->v;
        if (scale == 1)
            return arena_printf(a, "%s%lld", c->v < 0 ? "-" : "", (long long)v);
        return arena_printf(a, "%s%lld.%0*lld", c->v < 0 ? "-" : "", (long long)(v / scale),
                            c->decimals, (long long)(v % scale));
    }
    }
    return "";
}
