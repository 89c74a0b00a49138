/* Outcome measures: instrument and timepoint names, scoring, bands, Keyes'
 * rule, the SWEMWBS conversion table, and change between administrations. */
#include "domain/measures.h"

#include <stdio.h>
#include <string.h>

static const lw_instrument_info instruments[LW_INSTR_COUNT] = {
    {"ons4", "ONS personal wellbeing (ONS4)", 4, 0, 10},
    {"mhcsf", "Mental Health Continuum Short Form (MHC-SF)", 14, 0, 5},
    {"swemwbs", "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)", 7, 1, 5},
    {"ucla3", "UCLA 3-item loneliness scale", 3, 1, 3},
};

static const char *const timepoints[LW_TP_COUNT] = {"baseline", "review", "end", "follow_up"};

const lw_instrument_info *instrument_info(lw_instrument instr) {
    return (unsigned)instr < LW_INSTR_COUNT ? &instruments[instr] : NULL;
}

const char *instrument_name(lw_instrument instr) {
    return (unsigned)instr < LW_INSTR_COUNT ? instruments[instr].name : "unknown";
}

const char *instrument_names_list(void) {
    return "ons4, mhcsf, swemwbs, ucla3";
}

lw_status instrument_parse(const char *name, const char *field, lw_instrument *out, lw_error *err) {
    if (!name)
        return lw_fail(err, LW_EINVAL, field, "is required: one of %s", instrument_names_list());
    for (int i = 0; i < LW_INSTR_COUNT; i++)
        if (strcmp(name, instruments[i].name) == 0) {
            *out = (lw_instrument)i;
            return LW_OK;
        }
    return lw_fail(err, LW_EINVAL, field, "'%.40s' is not an instrument; use one of %s", name,
                   instrument_names_list());
}

const char *timepoint_name(lw_timepoint tp) {
    return (unsigned)tp < LW_TP_COUNT ? timepoints[tp] : "unknown";
}

const char *timepoint_names_list(void) {
    return "baseline, review, end, follow_up";
}

lw_status timepoint_parse(const char *name, const char *field, lw_timepoint *out, lw_error *err) {
    if (!name)
        return lw_fail(err, LW_EINVAL, field, "is required: one of %s", timepoint_names_list());
    for (int i = 0; i < LW_TP_COUNT; i++)
        if (strcmp(name, timepoints[i]) == 0) {
            *out = (lw_timepoint)i;
            return LW_OK;
        }
    return lw_fail(err, LW_EINVAL, field, "'%.40s' is not a timepoint; use one of %s", name,
                   timepoint_names_list());
}

/* ---- bands, categories, tables ---- */

static const char *const band_names[LW_BAND_COUNT] = {"very_low", "low", "medium", "high",
                                                      "very_high"};

lw_ons4_band ons4_band(int score, int anxiety) {
    if (anxiety) {
        if (score <= 1)
            return LW_BAND_VERY_LOW;
        if (score <= 3)
            return LW_BAND_LOW;
        if (score <= 5)
            return LW_BAND_MEDIUM;
        return LW_BAND_HIGH;
    }
    if (score <= 4)
        return LW_BAND_LOW;
    if (score <= 6)
        return LW_BAND_MEDIUM;
    if (score <= 8)
        return LW_BAND_HIGH;
    return LW_BAND_VERY_HIGH;
}

const char *ons4_band_name(lw_ons4_band b) {
    return (unsigned)b < LW_BAND_COUNT ? band_names[b] : "unknown";
}

static const char *const category_names[LW_MHCSF_COUNT] = {"languishing", "moderate",
                                                           "flourishing"};

lw_mhcsf_category mhcsf_category(const int64_t items[14]) {
    int emo_high = 0, emo_low = 0, rest_high = 0, rest_low = 0;
    for (int i = 0; i < 14; i++) {
        int high = items[i] >= 4; /* "almost every day" or "every day" */
        int low = items[i] <= 1;  /* "never" or "once or twice" */
        if (i < 3) {
            emo_high += high;
            emo_low += low;
        } else {
            rest_high += high;
            rest_low += low;
        }
    }
    /* Both cannot hold at once: 6 + 6 > 11 social and psychological items. */
    if (emo_high >= 1 && rest_high >= 6)
        return LW_MHCSF_FLOURISHING;
    if (emo_low >= 1 && rest_low >= 6)
        return LW_MHCSF_LANGUISHING;
    return LW_MHCSF_MODERATE;
}

const char *mhcsf_category_name(lw_mhcsf_category c) {
    return (unsigned)c < LW_MHCSF_COUNT ? category_names[c] : "unknown";
}

/* SWEMWBS raw 7..35 -> metric, in hundredths (Stewart-Brown et al. 2009's
 * Rasch-based conversion table as published by Warwick Medical School). */
static const int swemwbs_table[29] = {
    700,  951,  1125, 1240, 1333, 1408, 1475, 1532, 1584, 1636, 1688, 1743, 1798, 1859, 1925,
    1998, 2073, 2154, 2235, 2321, 2411, 2503, 2602, 2703, 2813, 2931, 3070, 3255, 3500,
};

int swemwbs_metric(int raw) {
    if (raw < 7 || raw > 35)
        return -1;
    return swemwbs_table[raw - 7];
}

/* ---- scoring ---- */

static const char *const ons4_items[4] = {"life_satisfaction", "worthwhile", "happiness",
                                          "anxiety"};

/* The part of an instrument an item belongs to, for error messages. */
static const char *item_part(lw_instrument instr, size_t i) {
    switch (instr) {
    case LW_INSTR_ONS4:
        return ons4_items[i];
    case LW_INSTR_MHCSF:
        return i < 3 ? "emotional" : i < 8 ? "social" : "psychological";
    default:
        return NULL;
    }
}

static lw_score number(const char *name, int value, int decimals) {
    lw_score s = {name, LW_SCORE_NUMBER, value, decimals, NULL};
    return s;
}

lw_status measure_score(lw_instrument instr, const int64_t *items, size_t n, const char *field,
                        lw_scores *out, lw_error *err) {
    const lw_instrument_info *info = instrument_info(instr);
    if (!field)
        field = "items";
    if (!info)
        return lw_fail(err, LW_EINVAL, "instrument", "is not an instrument; use one of %s",
                       instrument_names_list());
    if (n != (size_t)info->items || (n > 0 && !items))
        return lw_fail(err, LW_EINVAL, field, "%s has %d items; got %zu", info->name, info->items,
                       n);
    for (size_t i = 0; i < n; i++) {
        char f[64];
        snprintf(f, sizeof f, "%.40s[%zu]", field, i);
        const char *part = item_part(instr, i);
        char what[64];
        if (part)
            snprintf(what, sizeof what, "item %zu (%s)", i + 1, part);
        else
            snprintf(what, sizeof what, "item %zu", i + 1);
        if (items[i] == LW_ITEM_MISSING)
            return lw_fail(err, LW_EINVAL, f, "%s of %s is missing: answer %d to %d", what,
                           info->name, info->item_min, info->item_max);
        if (items[i] < info->item_min || items[i] > info->item_max)
            return lw_fail(err, LW_EINVAL, f,
                           "%s of %s must be a whole number from %d to %d; got %lld", what,
                           info->name, info->item_min, info->item_max, (long long)items[i]);
    }

    memset(out, 0, sizeof *out);
    out->instrument = instr;
    /* Every answer is now within 0..10, so the sums below fit in an int. */
    int sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (int)items[i];
    switch (instr) {
    case LW_INSTR_ONS4:
        for (int i = 0; i < 4; i++) {
            int v = (int)items[i];
            lw_score s = {ons4_items[i], LW_SCORE_BANDED, v, 0,
                          ons4_band_name(ons4_band(v, i == 3))};
            out->s[i] = s;
        }
        out->count = 4;
        break;
    case LW_INSTR_MHCSF: {
        int emotional = 0, social = 0, psychological = 0;
        for (int i = 0; i < 14; i++) {
            int v = (int)items[i];
            if (i < 3)
                emotional += v;
            else if (i < 8)
                social += v;
            else
                psychological += v;
        }
        lw_mhcsf_category c = mhcsf_category(items);
        out->s[0] = number("total", sum, 0);
        out->s[1] = number("emotional", emotional, 0);
        out->s[2] = number("social", social, 0);
        out->s[3] = number("psychological", psychological, 0);
        lw_score cat = {"category", LW_SCORE_CATEGORY, (int)c, 0, mhcsf_category_name(c)};
        out->s[4] = cat;
        out->count = 5;
        break;
    }
    case LW_INSTR_SWEMWBS:
        out->s[0] = number("raw", sum, 0);
        out->s[1] = number("metric", swemwbs_metric(sum), 2);
        out->count = 2;
        break;
    case LW_INSTR_UCLA3:
        out->s[0] = number("total", sum, 0);
        out->count = 1;
        break;
    case LW_INSTR_COUNT:
        break;
    }
    return LW_OK;
}

const lw_score *measure_score_find(const lw_scores *s, const char *name) {
    for (int i = 0; s && name && i < s->count; i++)
        if (strcmp(s->s[i].name, name) == 0)
            return &s->s[i];
    return NULL;
}

void measure_value_format(int value, int decimals, char out[24]) {
    if (decimals <= 0) {
        snprintf(out, 24, "%d", value);
        return;
    }
    long long scale = 1;
    for (int i = 0; i < decimals && i < 9; i++)
        scale *= 10;
    long long v = value;
    const char *sign = v < 0 ? "-" : "";
    if (v < 0)
        v = -v;
    snprintf(out, 24, "%s%lld.%0*lld", sign, v / scale, decimals < 9 ? decimals : 9, v % scale);
}

/* ---- change ---- */

const char *measure_primary_score(lw_instrument instr) {
    switch (instr) {
    case LW_INSTR_MHCSF:
        return "category";
    case LW_INSTR_SWEMWBS:
        return "metric";
    case LW_INSTR_UCLA3:
        return "total";
    default:
        return NULL;
    }
}

/* Direction and threshold of one score of an instrument. */
static void rule_for(lw_instrument instr, const char *name, int *better, int *threshold) {
    *better = 1;
    *threshold = 0;
    switch (instr) {
    case LW_INSTR_ONS4:
        *threshold = LW_ONS4_MEANINGFUL;
        if (strcmp(name, "anxiety") == 0)
            *better = -1;
        break;
    case LW_INSTR_MHCSF:
        if (strcmp(name, "category") == 0)
            *threshold = LW_MHCSF_MEANINGFUL;
        break;
    case LW_INSTR_SWEMWBS:
        if (strcmp(name, "metric") == 0)
            *threshold = LW_SWEMWBS_MEANINGFUL;
        break;
    case LW_INSTR_UCLA3:
        *better = -1; /* a higher total is lonelier */
        *threshold = LW_UCLA3_MEANINGFUL;
        break;
    case LW_INSTR_COUNT:
        break;
    }
}

lw_status measure_change(const lw_scores *before, const lw_scores *after, lw_measure_change *out,
                         lw_error *err) {
    if (!before || !after || before->instrument != after->instrument ||
        before->count != after->count || !instrument_info(before->instrument))
        return lw_fail(err, LW_EINVAL, "instrument",
                       "a change needs two administrations of the same instrument");
    memset(out, 0, sizeof *out);
    out->instrument = before->instrument;
    out->count = before->count;
    int any_better = 0, any_worse = 0;
    for (int i = 0; i < before->count; i++) {
        const lw_score *b = &before->s[i], *a = &after->s[i];
        if (strcmp(b->name, a->name) != 0 || b->decimals != a->decimals)
            return lw_fail(err, LW_EINVAL, "instrument",
                           "the two administrations do not have the same scores");
        lw_score_change *c = &out->c[i];
        c->name = b->name;
        c->kind = b->kind;
        c->decimals = b->decimals;
        c->before = b->value;
        c->after = a->value;
        c->delta = a->value - b->value;
        c->before_label = b->label;
        c->after_label = a->label;
        rule_for(before->instrument, b->name, &c->better, &c->threshold);
        if (c->threshold > 0) {
            int gain = c->delta * c->better;
            c->verdict = gain >= c->threshold ? 1 : gain <= -c->threshold ? -1 : 0;
        }
        any_better |= c->verdict > 0;
        any_worse |= c->verdict < 0;
    }
    const char *primary = measure_primary_score(out->instrument);
    if (primary) {
        const lw_score_change *p = measure_change_find(out, primary);
        out->improved = p && p->verdict > 0;
    } else {
        out->improved = any_better && !any_worse;
    }
    if (out->instrument == LW_INSTR_MHCSF) {
        const lw_score_change *cat = measure_change_find(out, "category");
        out->flourishing_before = cat && cat->before == LW_MHCSF_FLOURISHING;
        out->flourishing_after = cat && cat->after == LW_MHCSF_FLOURISHING;
    }
    return LW_OK;
}

const lw_score_change *measure_change_find(const lw_measure_change *c, const char *name) {
    for (int i = 0; c && name && i < c->count; i++)
        if (strcmp(c->c[i].name, name) == 0)
            return &c->c[i];
    return NULL;
}
