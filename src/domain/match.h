/*
 * Matching a person to community services (issue 6): hard filters, then a
 * score made of parts, each with a reason in plain words, then a deterministic
 * order. Pure: no I/O, no clock, no globals; everything it allocates comes from
 * the lw_arena the caller passes and is freed with it.
 *
 * The types here are the matcher's own, independent of the store: the API
 * loads services and preferences, fills these plain structs and calls
 * match_rank(). docs/matching.md explains the score, the weights and the travel
 * assumptions.
 *
 * Ownership: the matcher never keeps or frees what it is given. Every string in
 * a result (reasons) lives in the arena passed to the call; `id` fields point
 * at the caller's own strings.
 */
#ifndef LW_MATCH_H
#define LW_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/error.h"

/* ---- vocabularies (every parse function returns -1 for an unknown name) ---- */

/* Need domains, in DESIGN.md's order and with its ids. */
typedef enum lw_match_need {
    LW_MATCH_NEED_ISOLATION,
    LW_MATCH_NEED_MOOD,
    LW_MATCH_NEED_PHYSICAL_ACTIVITY,
    LW_MATCH_NEED_WEIGHT_NUTRITION,
    LW_MATCH_NEED_DEBT,
    LW_MATCH_NEED_BENEFITS,
    LW_MATCH_NEED_HOUSING,
    LW_MATCH_NEED_EMPLOYMENT,
    LW_MATCH_NEED_LEARNING,
    LW_MATCH_NEED_ARTS,
    LW_MATCH_NEED_VOLUNTEERING,
    LW_MATCH_NEED_CARERS,
    LW_MATCH_NEED_PARENTING,
    LW_MATCH_NEED_LEGAL,
    LW_MATCH_NEED_BEREAVEMENT,
    LW_MATCH_NEED_COUNT
} lw_match_need;
#define LW_MATCH_NEED_BIT(n) (1u << (n))
#define LW_MATCH_NEEDS_ALL ((1u << LW_MATCH_NEED_COUNT) - 1u)

const char *match_need_name(lw_match_need n);  /* "isolation"; NULL past the end */
const char *match_need_words(lw_match_need n); /* "loneliness", as reasons say it */
int match_need_parse(const char *name);

/* Days, as HSDS writes them (MO..SU). */
typedef enum lw_match_day {
    LW_MATCH_MO,
    LW_MATCH_TU,
    LW_MATCH_WE,
    LW_MATCH_TH,
    LW_MATCH_FR,
    LW_MATCH_SA,
    LW_MATCH_SU,
    LW_MATCH_DAY_COUNT
} lw_match_day;
int match_day_parse(const char *code);      /* "MO".."SU" */
const char *match_day_code(lw_match_day d); /* "MO" */
const char *match_day_name(lw_match_day d); /* "Monday" */

/* A weekly time: a service's session or a time the person is free. */
typedef struct lw_match_slot {
    lw_match_day day;
    uint16_t from, to; /* minutes after midnight, from < to <= 1440 */
} lw_match_slot;

/* HSDS service status: active | inactive | temporarily closed | defunct. */
typedef enum lw_match_status {
    LW_MATCH_ACTIVE,
    LW_MATCH_INACTIVE,
    LW_MATCH_TEMPORARILY_CLOSED,
    LW_MATCH_DEFUNCT
} lw_match_status;
int match_status_parse(const char *s);

typedef enum lw_match_cost {
    LW_MATCH_COST_UNKNOWN, /* the listing does not say */
    LW_MATCH_COST_FREE,
    LW_MATCH_COST_LOW,
    LW_MATCH_COST_PAID
} lw_match_cost;
int match_cost_parse(const char *s); /* free | low | paid */

/* What the person can spend. */
typedef enum lw_match_cost_limit {
    LW_MATCH_LIMIT_ANY,
    LW_MATCH_LIMIT_FREE,
    LW_MATCH_LIMIT_LOW
} lw_match_cost_limit;
int match_cost_limit_parse(const char *s); /* free | low | any */

/* DESIGN.md's capacity status (capacity | no_capacity | waitlist). */
typedef enum lw_match_capacity {
    LW_MATCH_CAPACITY_UNKNOWN,
    LW_MATCH_HAS_PLACES, /* "capacity" */
    LW_MATCH_WAITLIST,   /* "waitlist" */
    LW_MATCH_FULL        /* "no_capacity": listed after every other result */
} lw_match_capacity;
int match_capacity_parse(const char *s);

/* How a service is delivered. */
typedef enum lw_match_setting {
    LW_MATCH_SETTING_UNKNOWN,
    LW_MATCH_SETTING_GROUP,
    LW_MATCH_SETTING_ONE_TO_ONE,
    LW_MATCH_SETTING_BOTH
} lw_match_setting;
int match_setting_parse(const char *s); /* group | one_to_one | both */

/* What the person prefers. */
typedef enum lw_match_setting_pref {
    LW_MATCH_PREFER_EITHER,
    LW_MATCH_PREFER_GROUP,
    LW_MATCH_PREFER_ONE_TO_ONE
} lw_match_setting_pref;
int match_setting_pref_parse(const char *s); /* group | one_to_one | either */

typedef enum lw_match_travel { LW_MATCH_WALK, LW_MATCH_BUS, LW_MATCH_CAR } lw_match_travel;
int match_travel_parse(const char *s); /* walk | bus | car */

/* Whether a provider says it is prepared for people with mental health needs. */
typedef enum lw_match_answer { LW_MATCH_UNKNOWN, LW_MATCH_YES, LW_MATCH_NO } lw_match_answer;
int match_answer_parse(const char *s); /* yes | no | unknown */

/* Accessibility features (a service's) and needs (a person's), as bits. */
typedef enum lw_match_access {
    LW_MATCH_ACCESS_STEP_FREE,         /* step_free */
    LW_MATCH_ACCESS_ACCESSIBLE_TOILET, /* accessible_toilet */
    LW_MATCH_ACCESS_HEARING_LOOP,      /* hearing_loop */
    LW_MATCH_ACCESS_PARKING,           /* disabled_parking */
    LW_MATCH_ACCESS_QUIET_SPACE,       /* quiet_space */
    LW_MATCH_ACCESS_BSL,               /* bsl: British Sign Language */
    LW_MATCH_ACCESS_EASY_READ,         /* easy_read */
    LW_MATCH_ACCESS_LARGE_PRINT,       /* large_print */
    LW_MATCH_ACCESS_COUNT
} lw_match_access;
#define LW_MATCH_ACCESS_BIT(x) (1u << (x))
int match_access_parse(const char *s);
const char *match_access_name(lw_match_access x);  /* "step_free" */
const char *match_access_words(lw_match_access x); /* "step-free access" */

/* What an activity is like. The matcher sets SOCIAL, ONE_TO_ONE and ROUTINE
 * itself (from the setting and the sessions); the others come from the
 * service's `traits`, which decision_aid_prepare() fills from its categories. */
typedef enum lw_match_trait {
    LW_MATCH_TRAIT_SOCIAL,     /* meeting new people (a group) */
    LW_MATCH_TRAIT_ONE_TO_ONE, /* one person to talk to */
    LW_MATCH_TRAIT_ROUTINE,    /* the same day and time each week */
    LW_MATCH_TRAIT_OUTDOORS,
    LW_MATCH_TRAIT_CREATIVE,
    LW_MATCH_TRAIT_ACTIVE, /* physically active */
    LW_MATCH_TRAIT_LEARNING,
    LW_MATCH_TRAIT_PRACTICAL, /* practical help: money, housing, work */
    LW_MATCH_TRAIT_HELPING,   /* helping others */
    LW_MATCH_TRAIT_PEER,      /* people with lived experience */
    LW_MATCH_TRAIT_COUNT
} lw_match_trait;
#define LW_MATCH_TRAIT_BIT(t) (1u << (t))
#define LW_MATCH_TRAITS_ALL ((1u << LW_MATCH_TRAIT_COUNT) - 1u)
const char *match_trait_name(lw_match_trait t);  /* "outdoors" */
const char *match_trait_words(lw_match_trait t); /* "being outdoors" */

/* ---- the input ---- */

/* One service the person could be matched to. Unknown values are the zero
 * ones, except ages (-1). */
typedef struct lw_match_service {
    const char *id; /* unique: ties are broken by it (strcmp), so the order is total */
    const char *name;
    const char *organisation;
    lw_match_status status;
    uint32_t needs;                /* LW_MATCH_NEED_BIT()s it says it helps with */
    const char *const *terms;      /* taxonomy terms and keywords */
    size_t n_terms;                /* (a term may be several words) */
    int min_age, max_age;          /* -1: no limit */
    const char *const *languages;  /* ISO 639 codes or names; */
    size_t n_languages;            /* none: the listing does not say */
    uint32_t access;               /* LW_MATCH_ACCESS_BIT()s it has */
    bool access_listed;            /* false: the listing says nothing */
    const lw_match_slot *sessions; /* weekly sessions; */
    size_t n_sessions;             /* none: times not listed */
    bool located;                  /* false: online or by phone, no travel */
    int32_t lat, lon;              /* micro-degrees (WGS84), when located */
    lw_match_cost cost;
    lw_match_capacity capacity;
    lw_match_setting setting;
    lw_match_answer mh_prepared; /* prepared for people with mental health needs */
    uint32_t traits;             /* LW_MATCH_TRAIT_BIT()s; see lw_match_trait */
    /* Optional, for speed: the word stems of the name and terms as
     * match_service_stems() makes them (match_prepare() fills these). NULL:
     * the matcher reads the name and terms on every call instead. */
    const uint64_t *stems;
    size_t n_stems;
} lw_match_service;

/* How much a need matters to the person (0: not a need). */
#define LW_MATCH_NEED_WEIGHT_MAX 3
#define LW_MATCH_NEED_WEIGHT_DEFAULT 2
/* Limits match_person_check() enforces. */
#define LW_MATCH_MAX_INTERESTS 32
#define LW_MATCH_MAX_INTEREST_LEN 100
#define LW_MATCH_MAX_FREE 64
#define LW_MATCH_MAX_KM 1000
#define LW_MATCH_NO_LIMIT (-1)

/* The person's preferences. Start from match_person_init(). */
typedef struct lw_match_person {
    uint8_t needs[LW_MATCH_NEED_COUNT]; /* 0..3 per need: 0 not a need, 1 a little, 2, 3 a lot */
    const char *const *interests;       /* taxonomy terms or words ("walking", "tai chi") */
    size_t n_interests;
    const lw_match_slot *free; /* when they are free; none: not said */
    size_t n_free;
    int32_t max_m; /* how far they can travel, metres in a straight line; -1: no limit */
    lw_match_travel travel;
    lw_match_cost_limit cost_limit;
    lw_match_setting_pref setting;
    const char *language;  /* the language they need; NULL or "": none */
    uint32_t access_needs; /* LW_MATCH_ACCESS_BIT()s */
    int age;               /* years; -1: not known */
    bool has_home;         /* false: no distance filter or distance part */
    int32_t home_lat, home_lon;
    bool from_mental_health; /* referred from mental health services */
} lw_match_person;

/* Everything unknown or "any": no needs, no limits, age -1, either setting, walking. */
void match_person_init(lw_match_person *p);

/* LW_EINVAL naming the field (as the preferences JSON does: "needs.mood",
 * "interests[2]", "available[0].to", "max_km", "age", "home", "travel", ...)
 * when a value is out of range. */
lw_status match_person_check(const lw_match_person *p, lw_error *err) LW_MUST_CHECK;

/* ---- the score ---- */

typedef enum lw_match_part_id {
    LW_MATCH_PART_NEED,          /* how many of the person's needs it helps with */
    LW_MATCH_PART_INTEREST,      /* whether it is about something they are interested in */
    LW_MATCH_PART_SCHEDULE,      /* whether it runs when they are free */
    LW_MATCH_PART_DISTANCE,      /* travel time by their mode */
    LW_MATCH_PART_COST,          /* against what they can spend */
    LW_MATCH_PART_SETTING,       /* group or one-to-one, as they prefer */
    LW_MATCH_PART_CAPACITY,      /* has places / waiting list / full */
    LW_MATCH_PART_MENTAL_HEALTH, /* prepared for mental health needs (referrals from MH services) */
    LW_MATCH_PART_WHAT_MATTERS,  /* the traits the person rated in the decision aid */
    LW_MATCH_PART_COUNT
} lw_match_part_id;
const char *match_part_name(lw_match_part_id p); /* "need", ..., "what_matters" */

/* How much each part counts, and how much each trait matters (0..10). */
typedef struct lw_match_weights {
    uint16_t part[LW_MATCH_PART_COUNT]; /* at most LW_MATCH_WEIGHT_MAX each */
    uint8_t trait[LW_MATCH_TRAIT_COUNT];
    bool mental_health_for_all; /* count preparedness for everyone, not only MH referrals */
} lw_match_weights;
#define LW_MATCH_WEIGHT_MAX 1000

/* need 30, interest 15, schedule 15, distance 15, cost 10, setting 5,
 * capacity 10, mental health 10, what matters 0; no traits. */
void match_weights_default(lw_match_weights *w);

typedef struct lw_match_part {
    uint16_t weight;    /* 0: the part does not count for this person (reason NULL) */
    uint16_t fit;       /* 0..1000 */
    const char *reason; /* plain words: "15 min walk (1.2 km)", "free", "waiting list" */
} lw_match_part;

typedef struct lw_match_result {
    size_t index;       /* position of the service in the array given */
    const char *id;     /* that service's id */
    int score;          /* 0..100: the parts' weighted fit, rounded (for showing) */
    uint64_t total;     /* sum of weight x fit: what the order uses */
    bool full;          /* no places: listed after every service that has some */
    int32_t distance_m; /* straight line; -1 when not known (no home, or online) */
    int32_t travel_min; /* by the person's mode; -1 when not known */
    lw_match_part part[LW_MATCH_PART_COUNT];
} lw_match_result;

/* Why a service was left out (bits of lw_match_excluded.why). */
typedef enum lw_match_exclusion {
    LW_MATCH_EXCL_INACTIVE,
    LW_MATCH_EXCL_AGE,
    LW_MATCH_EXCL_LANGUAGE,
    LW_MATCH_EXCL_ACCESS,
    LW_MATCH_EXCL_DISTANCE,
    LW_MATCH_EXCL_COUNT
} lw_match_exclusion;
#define LW_MATCH_EXCL_BIT(x) (1u << (x))
/* "inactive", "age", "language", "accessibility", "distance" */
const char *match_exclusion_name(lw_match_exclusion x);

typedef struct lw_match_excluded {
    size_t index;
    const char *id;
    uint32_t why;                             /* LW_MATCH_EXCL_BIT()s */
    const char *reason;                       /* the first reason: "for ages 18–25; you are 67" */
    const char *reasons[LW_MATCH_EXCL_COUNT]; /* all of them, in the enum's order */
    size_t n_reasons;
} lw_match_excluded;

/* The order: services with places (or a waiting list, or unknown) before full
 * ones; then the higher total; then the smaller id (strcmp). <0 when A comes first. */
int match_compare(const lw_match_result *a, const lw_match_result *b);

/* ---- ranking ---- */

/* Where match_rank() writes. The caller sets the "in" members and owns the
 * arrays. Results are the ranked services from position `skip` (0-based) on,
 * at most `results_cap` of them; excluded services are in id order, from
 * `excluded_skip` on, at most `excluded_cap` (excluded may be NULL when
 * excluded_cap is 0). */
typedef struct lw_match_out {
    lw_match_result *results; /* in */
    size_t results_cap;       /* in */
    size_t skip;              /* in */
    lw_match_excluded *excluded;
    size_t excluded_cap;
    size_t excluded_skip;
    size_t n_results;      /* out: how many written */
    size_t n_excluded;     /* out: how many written */
    size_t eligible;       /* out: services that passed every filter */
    size_t excluded_total; /* out: services a filter left out */
} lw_match_out;

/*
 * Ranks the N services in S for P. W NULL means match_weights_default().
 * One pass over S with no allocation per service: the hard filters, the cheap
 * parts, and the rest only when they could still beat the last of the best
 * skip + results_cap kept in a bounded heap (exact: the result is that of a
 * full sort). Reasons are written only for the results returned. Same input,
 * same output, whatever the order of S. Deep pages (a large skip) cost more.
 * LW_EINVAL naming the field when P fails match_person_check() or W has a
 * weight over LW_MATCH_WEIGHT_MAX ("weights.cost") or a trait over 10
 * ("weights.traits.outdoors"); nothing is written then.
 */
lw_status match_rank(lw_arena *a, const lw_match_person *p, const lw_match_weights *w,
                     const lw_match_service *s, size_t n, lw_match_out *out,
                     lw_error *err) LW_MUST_CHECK;

/*
 * Scores one service, with every reason, exactly as match_rank() does: sets
 * *INCLUDED and fills RES (included) or EXC (excluded); INDEX is copied into
 * either. For explaining one service, and for re-ranking. Errors as match_rank().
 */
lw_status match_one(lw_arena *a, const lw_match_person *p, const lw_match_weights *w,
                    const lw_match_service *s, size_t index, bool *included, lw_match_result *res,
                    lw_match_excluded *exc, lw_error *err) LW_MUST_CHECK;

/* Sorts N results by match_compare() (for re-ranking a handful; not the whole directory). */
void match_sort(lw_match_result *r, size_t n);

/* ---- preparing a directory ---- */

/* Longest stem list match_service_stems() can write for S. */
size_t match_service_stems_max(const lw_match_service *s);
/* The stems of S's name and of each of its terms, each text followed by a 0
 * (so that a phrase never spans two texts); at most 64 words per text. Writes
 * at most CAP, returns how many. */
size_t match_service_stems(const lw_match_service *s, uint64_t *out, size_t cap);
/* Sets stems/n_stems of each of the N services, allocated in A (which must
 * live as long as the services are ranked). Ranking then does no text work per
 * service. Results are identical with or without it. */
void match_prepare(lw_arena *a, lw_match_service *s, size_t n);

/* ---- geography and words (shared with the decision aid) ---- */

/* Great-circle (haversine) distance in metres between two points in micro-degrees. */
double match_distance_m(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2);
/* Door-to-door minutes for a straight-line distance by MODE (docs/matching.md). */
int match_travel_minutes(double metres, lw_match_travel mode);

/* The words of TEXT as hashes of their lower-case stems, so that "Walking",
 * "walks" and "walk" compare equal (a light English stemmer: docs/matching.md).
 * Writes at most CAP, returns how many. */
size_t match_stems(const char *text, uint64_t *out, size_t cap);

#endif
