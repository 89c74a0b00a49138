/*
 * Outcome measures: the instruments (ONS4, MHC-SF, SWEMWBS, UCLA-3) and
 * timepoints by name, the scoring of one administration from its item answers,
 * and the change between two administrations of one instrument with each
 * instrument's threshold for a meaningful improvement. Pure: no I/O, no clock.
 *
 * Scores are integers. A score with decimals (the SWEMWBS metric score) is
 * held in units of 10^-decimals (hundredths: 19.25 is 1925), so the database
 * never stores floating point; measure_value_format() gives "19.25".
 * Every string a function here returns is static: nobody frees it.
 * docs/outcomes.md gives the rules, bands, thresholds and their sources.
 */
#ifndef LW_MEASURES_H
#define LW_MEASURES_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef enum lw_instrument {
    LW_INSTR_ONS4,    /* "ons4": 4 items 0-10 */
    LW_INSTR_MHCSF,   /* "mhcsf": 14 items 0-5 */
    LW_INSTR_SWEMWBS, /* "swemwbs": 7 items 1-5 */
    LW_INSTR_UCLA3,   /* "ucla3": 3 items 1-3 */
    LW_INSTR_COUNT
} lw_instrument;

typedef enum lw_timepoint {
    LW_TP_BASELINE,  /* "baseline" */
    LW_TP_REVIEW,    /* "review" */
    LW_TP_END,       /* "end" */
    LW_TP_FOLLOW_UP, /* "follow_up" */
    LW_TP_COUNT
} lw_timepoint;

#define LW_MEASURE_ITEMS_MAX 14 /* MHC-SF has the most items */
#define LW_SCORES_MAX 5         /* MHC-SF: total, 3 subscales, category */

/* An item answer the caller could not read (JSON null, absent): reported as
 * missing rather than out of range. */
#define LW_ITEM_MISSING INT64_MIN

typedef struct lw_instrument_info {
    const char *name;  /* "swemwbs" */
    const char *title; /* "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)" */
    int items;         /* number of item answers an administration must have */
    int item_min, item_max;
} lw_instrument_info;

/* NULL for a value outside the enum. */
const lw_instrument_info *instrument_info(lw_instrument instr);
const char *instrument_name(lw_instrument instr); /* "unknown" outside the enum */
/* LW_EINVAL naming FIELD (e.g. "instrument") for NULL or an unknown name. */
lw_status instrument_parse(const char *name, const char *field, lw_instrument *out,
                           lw_error *err) LW_MUST_CHECK;
const char *instrument_names_list(void); /* "ons4, mhcsf, swemwbs, ucla3" */

const char *timepoint_name(lw_timepoint tp); /* "unknown" outside the enum */
lw_status timepoint_parse(const char *name, const char *field, lw_timepoint *out,
                          lw_error *err) LW_MUST_CHECK;
const char *timepoint_names_list(void); /* "baseline, review, end, follow_up" */

/* ---- scores ---- */

typedef enum lw_score_kind {
    LW_SCORE_NUMBER,  /* a number: JSON "raw": 21 or "metric": 19.25 */
    LW_SCORE_BANDED,  /* a number with a band: JSON {"score": 7, "band": "high"} */
    LW_SCORE_CATEGORY /* a category only: JSON "category": "flourishing" */
} lw_score_kind;

typedef struct lw_score {
    const char *name;   /* "total", "metric", "life_satisfaction", "category", ... */
    lw_score_kind kind; /* how to show it (above) */
    int value;          /* NUMBER/BANDED: the score in units of 10^-decimals;
                           CATEGORY: its rank (0 = worst), for comparisons */
    int decimals;       /* 0, or 2 for the SWEMWBS metric score (value in hundredths) */
    const char *label;  /* BANDED: the band; CATEGORY: the category; NULL for NUMBER */
} lw_score;

/* The scores of one administration, in a fixed order per instrument:
 *   ons4:    life_satisfaction, worthwhile, happiness, anxiety (each BANDED)
 *   mhcsf:   total, emotional, social, psychological (NUMBER), category (CATEGORY)
 *   swemwbs: raw (NUMBER), metric (NUMBER, 2 decimals)
 *   ucla3:   total (NUMBER) */
typedef struct lw_scores {
    lw_instrument instrument;
    int count;
    lw_score s[LW_SCORES_MAX];
} lw_scores;

/* Scores one administration. ITEMS holds N answers in the instrument's item
 * order (item 1 first); LW_ITEM_MISSING marks an unanswered item. FIELD names
 * the items array in errors (NULL means "items"). Fails with LW_EINVAL and,
 * leaving OUT unspecified:
 *   - field "items" when N is not the instrument's number of items;
 *   - field "items[i]" (0-based, as in the JSON array) for the first missing
 *     or out-of-range answer, the message naming the item (1-based) and range. */
lw_status measure_score(lw_instrument instr, const int64_t *items, size_t n, const char *field,
                        lw_scores *out, lw_error *err) LW_MUST_CHECK;

/* The score called NAME, or NULL. */
const lw_score *measure_score_find(const lw_scores *s, const char *name);

/* "21", "19.25", "-3.00" (a score's value with its decimals). OUT needs 24 bytes. */
void measure_value_format(int value, int decimals, char out[24]);

/* ---- bands and categories (exposed for tests and reports) ---- */

typedef enum lw_ons4_band {
    LW_BAND_VERY_LOW,  /* "very_low": anxiety 0-1 */
    LW_BAND_LOW,       /* "low": 0-4; anxiety 2-3 */
    LW_BAND_MEDIUM,    /* "medium": 5-6; anxiety 4-5 */
    LW_BAND_HIGH,      /* "high": 7-8; anxiety 6-10 */
    LW_BAND_VERY_HIGH, /* "very_high": 9-10 (not for anxiety) */
    LW_BAND_COUNT
} lw_ons4_band;

/* The ONS band of a 0-10 score; ANXIETY selects the anxiety bands. The score
 * must be in range (measure_score() checks). */
lw_ons4_band ons4_band(int score, int anxiety);
const char *ons4_band_name(lw_ons4_band b);

typedef enum lw_mhcsf_category {
    LW_MHCSF_LANGUISHING, /* "languishing" */
    LW_MHCSF_MODERATE,    /* "moderate": moderately mentally healthy */
    LW_MHCSF_FLOURISHING, /* "flourishing" */
    LW_MHCSF_COUNT
} lw_mhcsf_category;

/* Keyes' rule on 14 answers 0-5 (items 1-3 emotional, 4-14 social and
 * psychological): flourishing when at least one emotional item is 4 or 5 and at
 * least 6 of the other 11 are 4 or 5; languishing when at least one emotional
 * item is 0 or 1 and at least 6 of the other 11 are 0 or 1; else moderate. */
lw_mhcsf_category mhcsf_category(const int64_t items[14]);
const char *mhcsf_category_name(lw_mhcsf_category c);

/* SWEMWBS raw total 7..35 -> metric score in hundredths (7 -> 700, 21 -> 1925,
 * 35 -> 3500), from the published conversion table; -1 outside 7..35. */
int swemwbs_metric(int raw);

/* ---- change between two administrations ---- */

typedef struct lw_score_change {
    const char *name;                       /* as in lw_score */
    lw_score_kind kind;                     /* of the score */
    int decimals;                           /* of before, after, delta and threshold */
    int before, after;                      /* values (CATEGORY: ranks) */
    int delta;                              /* after - before (CATEGORY: rank difference) */
    const char *before_label, *after_label; /* bands/categories; NULL for NUMBER */
    int better;                             /* +1 when higher is better, -1 when lower is better */
    int threshold; /* smallest meaningful change (same units); 0: not judged */
    int verdict;   /* +1 meaningful improvement, -1 meaningful deterioration,
                      0 neither or not judged (threshold 0) */
} lw_score_change;

typedef struct lw_measure_change {
    lw_instrument instrument;
    int count;
    lw_score_change c[LW_SCORES_MAX]; /* same order as lw_scores */
    /* The instrument's headline verdict (its primary score's; see
     * measure_primary_score()): 1 improved meaningfully, 0 not, and for ONS4,
     * which has no single score, 1 when any of the four items improved
     * meaningfully and none deteriorated meaningfully. */
    int improved;
    /* MHC-SF only (0 otherwise): whether each administration was flourishing. */
    int flourishing_before, flourishing_after;
} lw_measure_change;

/* The change from BEFORE to AFTER, which must be scores of the same instrument
 * from measure_score() (LW_EINVAL "instrument" otherwise). Which one came first
 * is the caller's business (order by timepoint, then date). */
lw_status measure_change(const lw_scores *before, const lw_scores *after, lw_measure_change *out,
                         lw_error *err) LW_MUST_CHECK;

/* The change in one score, by the instrument's rule (NULL when NAME is not one
 * of its scores). */
const lw_score_change *measure_change_find(const lw_measure_change *c, const char *name);

/* The score whose verdict is the instrument's headline ("metric" for SWEMWBS,
 * "total" for UCLA-3, "category" for MHC-SF), NULL for ONS4 (four items). */
const char *measure_primary_score(lw_instrument instr);

/* Thresholds for a meaningful change (in the score's units), as documented in
 * docs/outcomes.md. */
#define LW_ONS4_MEANINGFUL 2      /* points on a 0-10 item (anxiety: a fall) */
#define LW_SWEMWBS_MEANINGFUL 300 /* 3.00 metric points */
#define LW_UCLA3_MEANINGFUL 1     /* a fall of 1 point in the 3-9 total */
#define LW_MHCSF_MEANINGFUL 1     /* one category up (languishing < moderate < flourishing) */

#endif
