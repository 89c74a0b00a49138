/*
 * The matcher: vocabularies, the person check, hard filters, the score parts
 * and their reasons, and top-K ranking with a bounded heap.
 *
 * Speed matters (100,000 services for one person well under 20 ms), so the
 * pass over the services computes numbers only; the reasons (arena strings)
 * are written afterwards for the results actually returned. The same
 * functions compute the numbers in both passes, so the totals agree exactly.
 *
 * linkwell does not link libm, so the few trigonometric functions haversine
 * needs are written here (Taylor series on a reduced range; accurate to far
 * better than a metre at any distance on Earth).
 */
#include "domain/match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- vocabularies ---- */

static const char *const need_names[LW_MATCH_NEED_COUNT] = {
    "isolation", "mood",     "physical_activity", "weight_nutrition",
    "debt",      "benefits", "housing",           "employment",
    "learning",  "arts",     "volunteering",      "carers",
    "parenting", "legal",    "bereavement",
};

static const char *const need_words[LW_MATCH_NEED_COUNT] = {
    "loneliness",
    "low mood",
    "being more active",
    "weight and eating well",
    "debt",
    "benefits",
    "housing",
    "work",
    "learning",
    "arts and creativity",
    "volunteering",
    "caring for someone",
    "parenting",
    "legal problems",
    "bereavement",
};

static int parse_in(const char *const *names, int n, const char *s) {
    for (int i = 0; s && i < n; i++)
        if (names[i] && strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

const char *match_need_name(lw_match_need n) {
    return (unsigned)n < LW_MATCH_NEED_COUNT ? need_names[n] : NULL;
}

const char *match_need_words(lw_match_need n) {
    return (unsigned)n < LW_MATCH_NEED_COUNT ? need_words[n] : NULL;
}

int match_need_parse(const char *name) {
    return parse_in(need_names, LW_MATCH_NEED_COUNT, name);
}

static const char *const day_codes[LW_MATCH_DAY_COUNT] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
static const char *const day_names[LW_MATCH_DAY_COUNT] = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

int match_day_parse(const char *code) {
    return parse_in(day_codes, LW_MATCH_DAY_COUNT, code);
}

const char *match_day_code(lw_match_day d) {
    return (unsigned)d < LW_MATCH_DAY_COUNT ? day_codes[d] : "??";
}

const char *match_day_name(lw_match_day d) {
    return (unsigned)d < LW_MATCH_DAY_COUNT ? day_names[d] : "?";
}

int match_status_parse(const char *s) {
    static const char *const names[] = {"active", "inactive", "temporarily closed", "defunct"};
    return parse_in(names, 4, s);
}

int match_cost_parse(const char *s) {
    static const char *const names[] = {NULL, "free", "low", "paid"};
    return parse_in(names, 4, s);
}

int match_cost_limit_parse(const char *s) {
    static const char *const names[] = {"any", "free", "low"};
    return parse_in(names, 3, s);
}

int match_capacity_parse(const char *s) {
    static const char *const names[] = {NULL, "capacity", "waitlist", "no_capacity"};
    return parse_in(names, 4, s);
}

int match_setting_parse(const char *s) {
    static const char *const names[] = {NULL, "group", "one_to_one", "both"};
    return parse_in(names, 4, s);
}

int match_setting_pref_parse(const char *s) {
    static const char *const names[] = {"either", "group", "one_to_one"};
    return parse_in(names, 3, s);
}

int match_travel_parse(const char *s) {
    static const char *const names[] = {"walk", "bus", "car"};
    return parse_in(names, 3, s);
}

int match_answer_parse(const char *s) {
    static const char *const names[] = {"unknown", "yes", "no"};
    return parse_in(names, 3, s);
}

static const char *const access_names[LW_MATCH_ACCESS_COUNT] = {
    "step_free", "accessible_toilet", "hearing_loop", "disabled_parking", "quiet_space",
    "bsl",       "easy_read",         "large_print",
};
static const char *const access_words[LW_MATCH_ACCESS_COUNT] = {
    "step-free access", "an accessible toilet",  "a hearing loop",        "disabled parking",
    "a quiet space",    "British Sign Language", "easy-read information", "large print",
};
/* Features of a place: they do not apply to a service given online or by phone. */
#define ACCESS_PHYSICAL                                                                            \
    (LW_MATCH_ACCESS_BIT(LW_MATCH_ACCESS_STEP_FREE) |                                              \
     LW_MATCH_ACCESS_BIT(LW_MATCH_ACCESS_ACCESSIBLE_TOILET) |                                      \
     LW_MATCH_ACCESS_BIT(LW_MATCH_ACCESS_HEARING_LOOP) |                                           \
     LW_MATCH_ACCESS_BIT(LW_MATCH_ACCESS_PARKING) |                                                \
     LW_MATCH_ACCESS_BIT(LW_MATCH_ACCESS_QUIET_SPACE))
#define ACCESS_ALL ((1u << LW_MATCH_ACCESS_COUNT) - 1u)

int match_access_parse(const char *s) {
    return parse_in(access_names, LW_MATCH_ACCESS_COUNT, s);
}

const char *match_access_name(lw_match_access x) {
    return (unsigned)x < LW_MATCH_ACCESS_COUNT ? access_names[x] : NULL;
}

const char *match_access_words(lw_match_access x) {
    return (unsigned)x < LW_MATCH_ACCESS_COUNT ? access_words[x] : NULL;
}

static const char *const trait_names[LW_MATCH_TRAIT_COUNT] = {
    "social", "one_to_one", "routine",   "outdoors", "creative",
    "active", "learning",   "practical", "helping",  "peer",
};
static const char *const trait_words[LW_MATCH_TRAIT_COUNT] = {
    "meeting new people",       "one-to-one time",
    "a fixed weekly routine",   "being outdoors",
    "doing something creative", "being physically active",
    "learning something new",   "practical help",
    "helping others",           "people who have been through similar things",
};

const char *match_trait_name(lw_match_trait t) {
    return (unsigned)t < LW_MATCH_TRAIT_COUNT ? trait_names[t] : NULL;
}

const char *match_trait_words(lw_match_trait t) {
    return (unsigned)t < LW_MATCH_TRAIT_COUNT ? trait_words[t] : NULL;
}

static const char *const part_names[LW_MATCH_PART_COUNT] = {
    "need",    "interest", "schedule",      "distance",     "cost",
    "setting", "capacity", "mental_health", "what_matters",
};

const char *match_part_name(lw_match_part_id p) {
    return (unsigned)p < LW_MATCH_PART_COUNT ? part_names[p] : NULL;
}

static const char *const exclusion_names[LW_MATCH_EXCL_COUNT] = {
    "inactive", "age", "language", "accessibility", "distance",
};

const char *match_exclusion_name(lw_match_exclusion x) {
    return (unsigned)x < LW_MATCH_EXCL_COUNT ? exclusion_names[x] : NULL;
}

/* Languages often asked for in the UK: ISO 639-1/3 code and English name, so
 * that "pl" in a listing meets "Polish" in preferences, and reasons say "Polish". */
static const char *const languages[][2] = {
    {"en", "English"},  {"cy", "Welsh"},      {"gd", "Scottish Gaelic"}, {"ga", "Irish"},
    {"pl", "Polish"},   {"ro", "Romanian"},   {"lt", "Lithuanian"},      {"pa", "Punjabi"},
    {"ur", "Urdu"},     {"bn", "Bengali"},    {"gu", "Gujarati"},        {"hi", "Hindi"},
    {"ta", "Tamil"},    {"ar", "Arabic"},     {"fa", "Persian"},         {"ps", "Pashto"},
    {"ku", "Kurdish"},  {"so", "Somali"},     {"ti", "Tigrinya"},        {"am", "Amharic"},
    {"tr", "Turkish"},  {"pt", "Portuguese"}, {"es", "Spanish"},         {"fr", "French"},
    {"it", "Italian"},  {"de", "German"},     {"uk", "Ukrainian"},       {"ru", "Russian"},
    {"zh", "Chinese"},  {"yue", "Cantonese"}, {"cmn", "Mandarin"},       {"bg", "Bulgarian"},
    {"sq", "Albanian"}, {"hu", "Hungarian"},  {"lv", "Latvian"},         {"sk", "Slovak"},
    {"cs", "Czech"},    {"tl", "Tagalog"},    {"ne", "Nepali"},          {"sgn", "Sign language"},
};
#define N_LANGUAGES (sizeof languages / sizeof languages[0])

static int ascii_casecmp(const char *a, const char *b) {
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y || !x)
            return x - y;
    }
}

/* The row of LANG (a code or a name) in languages[], or -1. */
static int language_row(const char *lang) {
    for (size_t i = 0; i < N_LANGUAGES; i++)
        if (ascii_casecmp(lang, languages[i][0]) == 0 || ascii_casecmp(lang, languages[i][1]) == 0)
            return (int)i;
    return -1;
}

static const char *language_words(const char *lang) {
    int row = language_row(lang);
    return row >= 0 ? languages[row][1] : lang;
}

/* ---- arithmetic without libm ---- */

#define PI 3.14159265358979323846
#define EARTH_M 6371008.8 /* mean radius (IUGG) */
#define MICRO_TO_RAD (PI / 180.0 / 1e6)

/* Taylor series on [-pi/4, pi/4]: error below 1e-13. */
static double sin_reduced(double x) {
    double x2 = x * x;
    return x * (1.0 + x2 * (-1.0 / 6 +
                            x2 * (1.0 / 120 +
                                  x2 * (-1.0 / 5040 +
                                        x2 * (1.0 / 362880 + x2 * (-1.0 / 39916800 +
                                                                   x2 * (1.0 / 6227020800.0)))))));
}

static double cos_reduced(double x) {
    double x2 = x * x;
    return 1.0 + x2 * (-0.5 + x2 * (1.0 / 24 +
                                    x2 * (-1.0 / 720 +
                                          x2 * (1.0 / 40320 + x2 * (-1.0 / 3628800 +
                                                                    x2 * (1.0 / 479001600.0))))));
}

/* sin(x) + QUARTER * pi/2, for |x| up to a few turns (all this file needs). */
static double sin_quarter(double x, long quarter) {
    double q = x * (2.0 / PI);
    long k = (long)(q >= 0 ? q + 0.5 : q - 0.5);
    double r = x - (double)k * (PI / 2);
    switch ((unsigned long)(k + quarter) & 3u) {
    case 0:
        return sin_reduced(r);
    case 1:
        return cos_reduced(r);
    case 2:
        return -sin_reduced(r);
    default:
        return -cos_reduced(r);
    }
}

static double lw_sin(double x) {
    return x > -PI / 4 && x < PI / 4 ? sin_reduced(x) : sin_quarter(x, 0);
}

static double lw_cos(double x) {
    return x > -PI / 4 && x < PI / 4 ? cos_reduced(x) : sin_quarter(x, 1);
}

static double lw_sqrt(double x) {
    if (!(x > 1e-300))
        return 0;
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    bits = (bits >> 1) + ((uint64_t)1023 << 51); /* halve the exponent: within ~6% */
    double y;
    memcpy(&y, &bits, sizeof y);
    for (int i = 0; i < 5; i++)
        y = 0.5 * (y + x / y);
    return y;
}

/* asin(x) for 0 <= x <= 1. */
static double lw_asin(double x) {
    if (x > 0.5)
        return PI / 2 - 2 * lw_asin(lw_sqrt((1 - x) / 2));
    /* Taylor: term(n+1) = term(n) * x^2 * (2n+1)^2 / ((2n+2)(2n+3)); converges
     * at once for the small x of nearby places. */
    double x2 = x * x, term = x, sum = x;
    for (int n = 0; n < 40 && term > sum * 1e-17; n++) {
        double k = 2.0 * n + 1;
        term *= x2 * k * k / ((k + 1) * (k + 2));
        sum += term;
    }
    return sum;
}

/* haversine's a: sin^2(dlat/2) + cos(lat1) cos(lat2) sin^2(dlon/2). */
static double haversine_a(double lat1, double coslat1, double lat2, double lon1, double lon2) {
    double s1 = lw_sin((lat2 - lat1) / 2), s2 = lw_sin((lon2 - lon1) / 2);
    double a = s1 * s1 + coslat1 * lw_cos(lat2) * s2 * s2;
    return a < 0 ? 0 : a > 1 ? 1 : a;
}

static double a_to_m(double a) {
    return 2 * EARTH_M * lw_asin(lw_sqrt(a));
}

double match_distance_m(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2) {
    double p1 = lat1 * MICRO_TO_RAD, p2 = lat2 * MICRO_TO_RAD;
    return a_to_m(haversine_a(p1, lw_cos(p1), p2, lon1 * MICRO_TO_RAD, lon2 * MICRO_TO_RAD));
}

/* Travel assumptions (docs/matching.md): minutes = FIXED + metres x PER_M.
 * Routes are longer than the straight line (x1.2 on foot, x1.3 by road);
 * buses and cars have a fixed start-up cost (walk to the stop and wait; park). */
static void travel_params(lw_match_travel mode, double *fixed, double *per_m) {
    switch (mode) {
    case LW_MATCH_BUS:
        *fixed = 10.0, *per_m = 1.3 / (15000.0 / 60);
        break;
    case LW_MATCH_CAR:
        *fixed = 5.0, *per_m = 1.3 / (30000.0 / 60);
        break;
    default:
        *fixed = 0.0, *per_m = 1.2 / (4800.0 / 60);
        break;
    }
}

int match_travel_minutes(double metres, lw_match_travel mode) {
    double fixed, per_m;
    travel_params(mode, &fixed, &per_m);
    double min = fixed + metres * per_m;
    if (min > 100000)
        return 100000;
    int m = (int)(min + 0.5);
    return m < 1 ? 1 : m;
}

/* ---- words ---- */

#define STEM_MAX 32
#define PHRASE_MAX 8  /* words of an interest that count */
#define TEXT_WORDS 64 /* words of a name or term that count */

static int ascii_alnum(unsigned char c) {
    return (unsigned)((c | 32) - 'a') < 26u || (unsigned)(c - '0') < 10u;
}

/* Length of the separator at P (0 when P starts a word character, or at the
 * end). Letters and digits in ASCII, and any other UTF-8 character, make
 * words; ASCII punctuation, the no-break space and General Punctuation
 * (U+2000–U+206F: dashes, quotes, ellipsis) separate them. */
static size_t sep_len(const unsigned char *p) {
    unsigned char c = p[0];
    if (c < 0x80)
        return c && !ascii_alnum(c) ? 1 : 0;
    if (c == 0xC2 && p[1] == 0xA0)
        return 2;
    if (c == 0xE2 && (p[1] == 0x80 || p[1] == 0x81) && p[2] >= 0x80 && p[2] <= 0xBF)
        return 3;
    return 0;
}

/* The next word at or after P, its length in *LEN; NULL when there is none. */
static const unsigned char *next_word(const unsigned char *p, size_t *len) {
    for (;;) {
        unsigned char c = *p;
        if (!c)
            return NULL;
        if (c < 0x80) {
            if (ascii_alnum(c))
                break;
            p++;
        } else {
            size_t k = sep_len(p);
            if (!k)
                break;
            p += k;
        }
    }
    const unsigned char *start = p;
    for (p++;; p++) {
        unsigned char c = *p;
        if (c < 0x80 ? !ascii_alnum(c) : sep_len(p) != 0)
            break;
    }
    *len = (size_t)(p - start);
    return start;
}

static unsigned char lower(unsigned char c) {
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int ends(const unsigned char *w, size_t len, const char *suffix) {
    size_t n = strlen(suffix);
    return len >= n && memcmp(w + len - n, suffix, n) == 0;
}

static int consonant(unsigned char c) {
    return c >= 'a' && c <= 'z' && !strchr("aeiou", c);
}

/* A light English stemmer, the same for both sides of every comparison:
 * plurals (-s, -es, -ies), then -ing / -er / -ed when at least 4 letters remain
 * (undoubling "swimm" → "swim"), then a final -e ("dance" and "dancing" meet
 * at "danc"). Not Porter; enough for activity words. Returns the new length. */
static size_t stem(unsigned char *w, size_t len) {
    if (len > 4 && ends(w, len, "sses"))
        len -= 2;
    else if (len > 4 && ends(w, len, "ies")) {
        len -= 2;
        w[len - 1] = 'y';
    } else if (len > 3 && w[len - 1] == 's' && !ends(w, len, "ss") && !ends(w, len, "us") &&
               !ends(w, len, "is"))
        len -= 1;
    size_t before = len;
    if (len >= 7 && ends(w, len, "ing"))
        len -= 3;
    else if (len >= 6 && ends(w, len, "ed"))
        len -= 2;
    if (len >= 6 && ends(w, len, "er"))
        len -= 2;
    if (len != before && len >= 2 && w[len - 1] == w[len - 2] && consonant(w[len - 1]) &&
        !strchr("lsz", w[len - 1]))
        len -= 1;
    if (len > 3 && w[len - 1] == 'e')
        len -= 1;
    return len;
}

static uint64_t stem_hash(const unsigned char *word, size_t len) {
    unsigned char buf[STEM_MAX];
    if (len > STEM_MAX)
        len = STEM_MAX;
    for (size_t i = 0; i < len; i++)
        buf[i] = lower(word[i]);
    len = stem(buf, len);
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= buf[i];
        h *= 1099511628211ull;
    }
    return h ? h : 1; /* 0 means "a word that cannot match" below */
}

/* The first two letters of a word, lower case: stemming never changes them
 * (stems keep at least 3 letters and change only from the third on), so a word
 * whose prefix no wanted stem has cannot match and need not be stemmed. */
static unsigned prefix2(const unsigned char *w, size_t len) {
    return lower(w[0]) | (len > 1 ? (unsigned)lower(w[1]) << 8 : 0u);
}

#define PREFIX_WORDS (65536 / 64)

/* Stems of TEXT's words; when FILTER is not NULL, a word whose prefix2() is
 * not in it gets 0 (matches nothing) without being stemmed. *ANY says whether
 * any word got a real stem. */
static size_t stems_filtered(const char *text, uint64_t *out, size_t cap, const uint64_t *filter,
                             int *any) {
    const unsigned char *p = (const unsigned char *)text, *w;
    size_t n = 0, len;
    *any = 0;
    if (!p)
        return 0;
    while (n < cap && (w = next_word(p, &len)) != NULL) {
        unsigned k = filter ? prefix2(w, len) : 0;
        if (filter && !(filter[k >> 6] & ((uint64_t)1 << (k & 63)))) {
            out[n++] = 0;
        } else {
            out[n++] = stem_hash(w, len);
            *any = 1;
        }
        p = w + len;
    }
    return n;
}

size_t match_stems(const char *text, uint64_t *out, size_t cap) {
    int any;
    return stems_filtered(text, out, cap, NULL, &any);
}

size_t match_service_stems_max(const lw_match_service *s) {
    return (1 + s->n_terms) * (TEXT_WORDS + 1);
}

size_t match_service_stems(const lw_match_service *s, uint64_t *out, size_t cap) {
    size_t n = 0;
    for (size_t i = 0; i <= s->n_terms && n < cap; i++) {
        const char *text = i == 0 ? s->name : s->terms[i - 1];
        size_t room = cap - n - 1 < TEXT_WORDS ? cap - n - 1 : TEXT_WORDS;
        n += match_stems(text, out + n, room);
        out[n++] = 0;
    }
    return n;
}

void match_prepare(lw_arena *a, lw_match_service *s, size_t n) {
    uint64_t buf[16 * (TEXT_WORDS + 1)];
    for (size_t i = 0; i < n; i++) {
        size_t max = match_service_stems_max(&s[i]);
        uint64_t *out = max <= sizeof buf / sizeof buf[0] ? buf : arena_alloc(a, max * sizeof *out);
        size_t k = match_service_stems(&s[i], out, max);
        uint64_t *keep = out == buf ? arena_alloc(a, (k ? k : 1) * sizeof *keep) : out;
        if (keep != out)
            memcpy(keep, out, k * sizeof *keep);
        s[i].stems = keep;
        s[i].n_stems = k;
    }
}

/* ---- the person ---- */

void match_person_init(lw_match_person *p) {
    memset(p, 0, sizeof *p);
    p->max_m = LW_MATCH_NO_LIMIT;
    p->age = -1;
    p->travel = LW_MATCH_WALK;
    p->cost_limit = LW_MATCH_LIMIT_ANY;
    p->setting = LW_MATCH_PREFER_EITHER;
}

static int has_word(const char *s) {
    size_t len;
    return next_word((const unsigned char *)s, &len) != NULL;
}

lw_status match_person_check(const lw_match_person *p, lw_error *err) {
    char field[96];
    for (int i = 0; i < LW_MATCH_NEED_COUNT; i++)
        if (p->needs[i] > LW_MATCH_NEED_WEIGHT_MAX) {
            snprintf(field, sizeof field, "needs.%s", need_names[i]);
            return lw_fail(err, LW_EINVAL, field,
                           "must be from 0 (not a need) to %d (matters a lot)",
                           LW_MATCH_NEED_WEIGHT_MAX);
        }
    if (p->n_interests > LW_MATCH_MAX_INTERESTS)
        return lw_fail(err, LW_EINVAL, "interests", "has %zu entries; at most %d are allowed",
                       p->n_interests, LW_MATCH_MAX_INTERESTS);
    for (size_t i = 0; i < p->n_interests; i++) {
        const char *s = p->interests[i];
        snprintf(field, sizeof field, "interests[%zu]", i);
        if (!s || !has_word(s))
            return lw_fail(err, LW_EINVAL, field, "must contain a word, such as \"walking\"");
        if (strlen(s) > LW_MATCH_MAX_INTEREST_LEN)
            return lw_fail(err, LW_EINVAL, field, "is longer than %d characters",
                           LW_MATCH_MAX_INTEREST_LEN);
    }
    if (p->n_free > LW_MATCH_MAX_FREE)
        return lw_fail(err, LW_EINVAL, "available", "has %zu entries; at most %d are allowed",
                       p->n_free, LW_MATCH_MAX_FREE);
    for (size_t i = 0; i < p->n_free; i++) {
        const lw_match_slot *t = &p->free[i];
        if ((unsigned)t->day >= LW_MATCH_DAY_COUNT) {
            snprintf(field, sizeof field, "available[%zu].day", i);
            return lw_fail(err, LW_EINVAL, field, "must be one of MO, TU, WE, TH, FR, SA, SU");
        }
        if (t->to > 1440 || t->from >= t->to) {
            snprintf(field, sizeof field, "available[%zu].to", i);
            return lw_fail(err, LW_EINVAL, field, "must be after \"from\" and at most 24:00");
        }
    }
    if (p->max_m < LW_MATCH_NO_LIMIT || p->max_m > LW_MATCH_MAX_KM * 1000)
        return lw_fail(err, LW_EINVAL, "max_km", "must be from 0 to %d (or absent for no limit)",
                       LW_MATCH_MAX_KM);
    if ((unsigned)p->travel > LW_MATCH_CAR)
        return lw_fail(err, LW_EINVAL, "travel", "must be one of walk, bus, car");
    if ((unsigned)p->cost_limit > LW_MATCH_LIMIT_LOW)
        return lw_fail(err, LW_EINVAL, "cost_limit", "must be one of free, low, any");
    if ((unsigned)p->setting > LW_MATCH_PREFER_ONE_TO_ONE)
        return lw_fail(err, LW_EINVAL, "setting", "must be one of group, one_to_one, either");
    if (p->language && strlen(p->language) > 100)
        return lw_fail(err, LW_EINVAL, "language", "is longer than 100 characters");
    if (p->access_needs & ~ACCESS_ALL)
        return lw_fail(err, LW_EINVAL, "accessibility", "holds an unknown accessibility need");
    if (p->age < -1 || p->age > 130)
        return lw_fail(err, LW_EINVAL, "age", "must be from 0 to 130");
    if (p->has_home && (p->home_lat < -90000000 || p->home_lat > 90000000 ||
                        p->home_lon < -180000000 || p->home_lon > 180000000))
        return lw_fail(err, LW_EINVAL, "home",
                       "is not a place on Earth (latitude -90..90, "
                       "longitude -180..180)");
    return LW_OK;
}

void match_weights_default(lw_match_weights *w) {
    memset(w, 0, sizeof *w);
    w->part[LW_MATCH_PART_NEED] = 30;
    w->part[LW_MATCH_PART_INTEREST] = 15;
    w->part[LW_MATCH_PART_SCHEDULE] = 15;
    w->part[LW_MATCH_PART_DISTANCE] = 15;
    w->part[LW_MATCH_PART_COST] = 10;
    w->part[LW_MATCH_PART_SETTING] = 5;
    w->part[LW_MATCH_PART_CAPACITY] = 10;
    w->part[LW_MATCH_PART_MENTAL_HEALTH] = 10;
    w->part[LW_MATCH_PART_WHAT_MATTERS] = 0;
}

static lw_status weights_check(const lw_match_weights *w, lw_error *err) {
    char field[96];
    for (int i = 0; i < LW_MATCH_PART_COUNT; i++)
        if (w->part[i] > LW_MATCH_WEIGHT_MAX) {
            snprintf(field, sizeof field, "weights.%s", part_names[i]);
            return lw_fail(err, LW_EINVAL, field, "must be from 0 to %d", LW_MATCH_WEIGHT_MAX);
        }
    for (int i = 0; i < LW_MATCH_TRAIT_COUNT; i++)
        if (w->trait[i] > 10) {
            snprintf(field, sizeof field, "weights.traits.%s", trait_names[i]);
            return lw_fail(err, LW_EINVAL, field, "must be from 0 to 10");
        }
    return LW_OK;
}

/* ---- the prepared person: everything computed once per call ---- */

#define MINUTES_TABLE 64 /* past the last minute that changes the distance part (60) */

typedef struct ctx {
    const lw_match_person *p;
    uint16_t weight[LW_MATCH_PART_COUNT]; /* 0 where the part does not apply */
    uint64_t weight_sum;
    uint64_t rest_max; /* the most evaluate_rest() can add */
    uint8_t trait[LW_MATCH_TRAIT_COUNT];
    unsigned trait_total;
    unsigned need_total;
    uint32_t need_mask;
    size_t n_phrases;
    uint64_t phrase[LW_MATCH_MAX_INTERESTS][PHRASE_MAX];
    uint64_t first[LW_MATCH_MAX_INTERESTS]; /* phrase[k][0], side by side for the scan */
    uint8_t phrase_len[LW_MATCH_MAX_INTERESTS];
    uint8_t phrase_interest[LW_MATCH_MAX_INTERESTS]; /* which of p->interests it came from */
    uint64_t prefixes[PREFIX_WORDS];                 /* prefix2() of every interest word, as bits */
    lw_match_slot free[LW_MATCH_MAX_FREE];
    uint8_t day_first[LW_MATCH_DAY_COUNT + 1]; /* free[day_first[d] .. day_first[d+1]) */
    bool distance;                             /* the person has a home */
    double cos_home, sin_home;
    bool limit;
    double a_max; /* haversine a at the distance limit */
    /* minute_a[m]: haversine a at which the trip rounds up from m to m+1
     * minutes, so that scoring needs no square root or arcsine per service. */
    double minute_a[MINUTES_TABLE];
    const char *lang, *lang_alt; /* the person's language and its code or name */
} ctx;

static int slot_cmp(const void *x, const void *y) {
    const lw_match_slot *a = x, *b = y;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    if (a->from != b->from)
        return a->from < b->from ? -1 : 1;
    return (a->to > b->to) - (a->to < b->to);
}

static lw_status ctx_init(ctx *c, const lw_match_person *p, const lw_match_weights *w,
                          lw_error *err) {
    lw_match_weights defaults;
    if (!w) {
        match_weights_default(&defaults);
        w = &defaults;
    }
    lw_status st = match_person_check(p, err);
    if (st != LW_OK)
        return st;
    st = weights_check(w, err);
    if (st != LW_OK)
        return st;
    memset(c, 0, sizeof *c);
    c->p = p;
    for (int i = 0; i < LW_MATCH_NEED_COUNT; i++)
        if (p->needs[i]) {
            c->need_mask |= LW_MATCH_NEED_BIT(i);
            c->need_total += p->needs[i];
        }
    for (size_t i = 0; i < p->n_interests; i++) {
        uint64_t *ph = c->phrase[c->n_phrases];
        size_t n = match_stems(p->interests[i], ph, PHRASE_MAX);
        int dup = 0; /* "walking" and "Walks" are one interest */
        for (size_t k = 0; k < c->n_phrases && !dup; k++)
            dup = c->phrase_len[k] == n && memcmp(c->phrase[k], ph, n * sizeof *ph) == 0;
        if (n == 0 || dup)
            continue;
        c->first[c->n_phrases] = ph[0];
        c->phrase_interest[c->n_phrases] = (uint8_t)i;
        c->phrase_len[c->n_phrases++] = (uint8_t)n;
        /* Every word of a phrase, so that the filter never hides a later word. */
        const unsigned char *s = (const unsigned char *)p->interests[i], *wd;
        size_t len;
        while ((wd = next_word(s, &len)) != NULL) {
            unsigned k = prefix2(wd, len);
            c->prefixes[k >> 6] |= (uint64_t)1 << (k & 63);
            s = wd + len;
        }
    }
    if (p->n_free) {
        memcpy(c->free, p->free, p->n_free * sizeof *p->free);
        qsort(c->free, p->n_free, sizeof *c->free, slot_cmp);
    }
    for (int d = 0, i = 0; d <= LW_MATCH_DAY_COUNT; d++) {
        while ((size_t)i < p->n_free && (int)c->free[i].day < d)
            i++;
        c->day_first[d] = (uint8_t)i;
    }
    c->day_first[LW_MATCH_DAY_COUNT] = (uint8_t)p->n_free;
    if (p->has_home) {
        c->distance = true;
        double home = p->home_lat * MICRO_TO_RAD;
        c->cos_home = lw_cos(home);
        c->sin_home = lw_sin(home);
        double fixed, per_m;
        travel_params(p->travel, &fixed, &per_m);
        for (int m = 0; m < MINUTES_TABLE; m++) {
            double d = (m + 0.5 - fixed) / per_m; /* metres where it becomes m+1 minutes */
            double h = d / (2 * EARTH_M);
            double sh = lw_sin(h < PI / 2 ? h : PI / 2);
            c->minute_a[m] = d < 0 ? -1 : sh * sh;
        }
        if (p->max_m >= 0) {
            c->limit = true;
            double s = lw_sin(p->max_m / (2 * EARTH_M));
            c->a_max = s * s;
        }
    }
    if (p->language && has_word(p->language)) {
        c->lang = p->language;
        int row = language_row(p->language);
        c->lang_alt =
            row < 0 ? p->language
                    : (ascii_casecmp(p->language, languages[row][0]) == 0 ? languages[row][1]
                                                                          : languages[row][0]);
    }
    for (int i = 0; i < LW_MATCH_TRAIT_COUNT; i++) {
        c->trait[i] = w->trait[i];
        c->trait_total += w->trait[i];
    }
    for (int i = 0; i < LW_MATCH_PART_COUNT; i++)
        c->weight[i] = w->part[i];
    if (c->need_total == 0)
        c->weight[LW_MATCH_PART_NEED] = 0;
    if (c->n_phrases == 0)
        c->weight[LW_MATCH_PART_INTEREST] = 0;
    if (p->n_free == 0)
        c->weight[LW_MATCH_PART_SCHEDULE] = 0;
    if (!c->distance)
        c->weight[LW_MATCH_PART_DISTANCE] = 0;
    if (p->setting == LW_MATCH_PREFER_EITHER)
        c->weight[LW_MATCH_PART_SETTING] = 0;
    if (!p->from_mental_health && !w->mental_health_for_all)
        c->weight[LW_MATCH_PART_MENTAL_HEALTH] = 0;
    if (c->trait_total == 0)
        c->weight[LW_MATCH_PART_WHAT_MATTERS] = 0;
    for (int i = 0; i < LW_MATCH_PART_COUNT; i++)
        c->weight_sum += c->weight[i];
    c->rest_max =
        1000u * ((uint64_t)c->weight[LW_MATCH_PART_INTEREST] + c->weight[LW_MATCH_PART_SCHEDULE] +
                 c->weight[LW_MATCH_PART_DISTANCE] + c->weight[LW_MATCH_PART_WHAT_MATTERS]);
    return LW_OK;
}

/* Minutes of travel for haversine's A, as match_travel_minutes() rounds them,
 * from the table while it lasts (the score needs no more); beyond it from the
 * distance itself, never less than the table's end. */
static int minutes_from_a(const ctx *c, double a, bool exact) {
    /* How many boundaries lie below A: a binary search without branches. */
    const double *t = c->minute_a;
    size_t base = 0, n = MINUTES_TABLE;
    while (n > 1) {
        size_t half = n / 2;
        base = t[base + half] < a ? base + half : base;
        n -= half;
    }
    size_t lo = base + (t[base] < a);
    if (lo < MINUTES_TABLE || !exact)
        return lo < 1 ? 1 : (int)lo;
    int m = match_travel_minutes(a_to_m(a), c->p->travel);
    return m < MINUTES_TABLE ? MINUTES_TABLE : m;
}

/* haversine's a from the person's home to (LAT, LON) in micro-degrees. The
 * differences are taken in integers (exact), and cos(lat2) is derived from
 * cos and sin of the home latitude and of half the difference, so every sine
 * here is of a small angle (no range reduction in the common case). */
static double service_a(const ctx *c, int32_t lat, int32_t lon) {
    int64_t dlat = (int64_t)lat - c->p->home_lat, dlon = (int64_t)lon - c->p->home_lon;
    if (dlon > 180000000)
        dlon -= 360000000;
    else if (dlon < -180000000)
        dlon += 360000000;
    double h = (double)dlat * (MICRO_TO_RAD / 2), h2 = (double)dlon * (MICRO_TO_RAD / 2);
    int small = h > -PI / 4 && h < PI / 4 && h2 > -PI / 4 && h2 < PI / 4;
    double s1 = small ? sin_reduced(h) : lw_sin(h), c1 = small ? cos_reduced(h) : lw_cos(h);
    double cos_lat2 = c->cos_home * (1 - 2 * s1 * s1) - c->sin_home * (2 * s1 * c1);
    double s2 = small ? sin_reduced(h2) : lw_sin(h2);
    double a = s1 * s1 + c->cos_home * cos_lat2 * s2 * s2;
    return a < 0 ? 0 : a > 1 ? 1 : a;
}

/* ---- hard filters ---- */

static int language_ok(const ctx *c, const lw_match_service *s) {
    if (!c->lang || s->n_languages == 0)
        return 1;
    for (size_t i = 0; i < s->n_languages; i++) {
        const char *l = s->languages[i];
        if (l && (ascii_casecmp(l, c->lang) == 0 || ascii_casecmp(l, c->lang_alt) == 0))
            return 1;
    }
    return 0;
}

static uint32_t access_missing(const ctx *c, const lw_match_service *s) {
    if (!s->access_listed)
        return 0;
    uint32_t need = c->p->access_needs;
    if (!s->located)
        need &= ~(uint32_t)ACCESS_PHYSICAL;
    return need & ~s->access;
}

/* The exclusion bits for S; *A gets haversine's a when the distance is known, else -1. */
static uint32_t filter(const ctx *c, const lw_match_service *s, double *a) {
    uint32_t why = 0;
    const lw_match_person *p = c->p;
    *a = -1;
    if (s->status != LW_MATCH_ACTIVE)
        why |= LW_MATCH_EXCL_BIT(LW_MATCH_EXCL_INACTIVE);
    if (p->age >= 0 &&
        ((s->min_age >= 0 && p->age < s->min_age) || (s->max_age >= 0 && p->age > s->max_age)))
        why |= LW_MATCH_EXCL_BIT(LW_MATCH_EXCL_AGE);
    if (!language_ok(c, s))
        why |= LW_MATCH_EXCL_BIT(LW_MATCH_EXCL_LANGUAGE);
    if (p->access_needs && access_missing(c, s))
        why |= LW_MATCH_EXCL_BIT(LW_MATCH_EXCL_ACCESS);
    if (c->distance && s->located) {
        *a = service_a(c, s->lat, s->lon);
        if (c->limit && *a > c->a_max)
            why |= LW_MATCH_EXCL_BIT(LW_MATCH_EXCL_DISTANCE);
    }
    return why;
}

/* ---- the parts ---- */

typedef struct eval {
    uint16_t fit[LW_MATCH_PART_COUNT];
    uint32_t interests; /* bits of the phrases found */
    uint32_t traits;    /* the service's, with the ones the matcher derives */
} eval;

static int phrase_in(const uint64_t *words, size_t n, const uint64_t *phrase, size_t len) {
    for (size_t i = 0; i + len <= n; i++) {
        size_t j = 0;
        while (j < len && words[i + j] == phrase[j])
            j++;
        if (j == len)
            return 1;
    }
    return 0;
}

static uint32_t interests_in(const ctx *c, const char *text, uint32_t found) {
    uint64_t words[TEXT_WORDS];
    int any;
    size_t n = stems_filtered(text, words, TEXT_WORDS, c->prefixes, &any);
    if (!any)
        return found;
    for (size_t k = 0; k < c->n_phrases; k++)
        if (!(found & (1u << k)) && phrase_in(words, n, c->phrase[k], c->phrase_len[k]))
            found |= 1u << k;
    return found;
}

static uint16_t interest_fit(const ctx *c, const lw_match_service *s, uint32_t *found) {
    uint32_t f = 0;
    if (s->stems) {
        for (size_t i = 0; i < s->n_stems; i++) {
            uint64_t w = s->stems[i];
            if (!w)
                continue;
            for (size_t k = 0; k < c->n_phrases; k++)
                if (c->first[k] == w && !(f & (1u << k)) && i + c->phrase_len[k] <= s->n_stems &&
                    memcmp(&s->stems[i], c->phrase[k], c->phrase_len[k] * sizeof w) == 0)
                    f |= 1u << k;
        }
    } else {
        f = interests_in(c, s->name, 0);
        for (size_t i = 0; i < s->n_terms; i++)
            f = interests_in(c, s->terms[i], f);
    }
    *found = f;
    unsigned m = 0;
    for (uint32_t b = f; b; b &= b - 1)
        m++;
    if (m == 0)
        return 0;
    return m >= 2 || c->n_phrases == 1 ? 1000 : 750;
}

static int slot_valid(const lw_match_slot *t) {
    return (unsigned)t->day < LW_MATCH_DAY_COUNT && t->from < t->to && t->to <= 1440;
}

/* Minutes of session T inside the person's free time (the largest overlap
 * with one window). */
static int free_overlap(const ctx *c, const lw_match_slot *t) {
    int best = 0;
    for (int i = c->day_first[t->day]; i < c->day_first[t->day + 1]; i++) {
        const lw_match_slot *f = &c->free[i];
        int lo = f->from > t->from ? f->from : t->from;
        int hi = f->to < t->to ? f->to : t->to;
        if (hi - lo > best)
            best = hi - lo;
    }
    return best;
}

/* 1000: a whole session in free time; 600: at least half of one; 300: part of
 * one; 0: none; 500: no times listed. */
static uint16_t session_fit(const ctx *c, const lw_match_slot *t) {
    int len = t->to - t->from;
    int o = free_overlap(c, t);
    if (o >= len)
        return 1000;
    if (o * 2 >= len)
        return 600;
    return o > 0 ? 300 : 0;
}

static uint16_t schedule_fit(const ctx *c, const lw_match_service *s) {
    uint16_t best = 0;
    int any = 0;
    for (size_t i = 0; i < s->n_sessions && best < 1000; i++) {
        if (!slot_valid(&s->sessions[i]))
            continue;
        any = 1;
        uint16_t f = session_fit(c, &s->sessions[i]);
        if (f > best)
            best = f;
    }
    return any ? best : 500;
}

static uint16_t cost_fit(lw_match_cost_limit limit, lw_match_cost cost) {
    static const uint16_t table[3][4] = {
        /* unknown, free, low, paid */
        [LW_MATCH_LIMIT_ANY] = {700, 1000, 850, 700},
        [LW_MATCH_LIMIT_FREE] = {500, 1000, 300, 0},
        [LW_MATCH_LIMIT_LOW] = {500, 1000, 900, 100},
    };
    return table[limit][(unsigned)cost < 4 ? cost : 0];
}

static uint16_t capacity_fit(lw_match_capacity cap) {
    switch (cap) {
    case LW_MATCH_HAS_PLACES:
        return 1000;
    case LW_MATCH_WAITLIST:
        return 400;
    case LW_MATCH_FULL:
        return 0;
    default:
        return 700;
    }
}

static uint16_t setting_fit(lw_match_setting_pref pref, lw_match_setting s) {
    if (s == LW_MATCH_SETTING_UNKNOWN)
        return 500;
    if (s == LW_MATCH_SETTING_BOTH)
        return 1000;
    if (pref == LW_MATCH_PREFER_GROUP)
        return s == LW_MATCH_SETTING_GROUP ? 1000 : 0;
    return s == LW_MATCH_SETTING_ONE_TO_ONE ? 1000 : 0;
}

static uint16_t mh_fit(lw_match_answer a) {
    return a == LW_MATCH_YES ? 1000 : a == LW_MATCH_NO ? 0 : 400;
}

static uint32_t service_traits(const lw_match_service *s) {
    uint32_t t = s->traits & LW_MATCH_TRAITS_ALL;
    if (s->setting == LW_MATCH_SETTING_GROUP || s->setting == LW_MATCH_SETTING_BOTH)
        t |= LW_MATCH_TRAIT_BIT(LW_MATCH_TRAIT_SOCIAL);
    if (s->setting == LW_MATCH_SETTING_ONE_TO_ONE || s->setting == LW_MATCH_SETTING_BOTH)
        t |= LW_MATCH_TRAIT_BIT(LW_MATCH_TRAIT_ONE_TO_ONE);
    for (size_t i = 0; i < s->n_sessions; i++)
        if (slot_valid(&s->sessions[i])) {
            t |= LW_MATCH_TRAIT_BIT(LW_MATCH_TRAIT_ROUTINE);
            break;
        }
    return t;
}

/* Fills E's fits (only for the parts that count) and returns the total. A is
 * haversine's a from filter(), or -1. */
/* The parts that cost a table look-up (need, cost, setting, capacity, mental
 * health): E's fits for them, and their share of the total. */
static uint64_t evaluate_cheap(const ctx *c, const lw_match_service *s, eval *e) {
    const lw_match_person *p = c->p;
    memset(e->fit, 0, sizeof e->fit);
    e->interests = 0;
    e->traits = 0;
    if (c->weight[LW_MATCH_PART_NEED]) {
        unsigned got = 0;
        uint32_t both = c->need_mask & s->needs;
        while (both) {
            int i = __builtin_ctz(both);
            got += p->needs[i];
            both &= both - 1;
        }
        e->fit[LW_MATCH_PART_NEED] = (uint16_t)(got * 1000u / c->need_total);
    }
    e->fit[LW_MATCH_PART_COST] = cost_fit(p->cost_limit, s->cost);
    if (c->weight[LW_MATCH_PART_SETTING])
        e->fit[LW_MATCH_PART_SETTING] = setting_fit(p->setting, s->setting);
    e->fit[LW_MATCH_PART_CAPACITY] = capacity_fit(s->capacity);
    if (c->weight[LW_MATCH_PART_MENTAL_HEALTH])
        e->fit[LW_MATCH_PART_MENTAL_HEALTH] = mh_fit(s->mh_prepared);
    return (uint64_t)c->weight[LW_MATCH_PART_NEED] * e->fit[LW_MATCH_PART_NEED] +
           (uint64_t)c->weight[LW_MATCH_PART_COST] * e->fit[LW_MATCH_PART_COST] +
           (uint64_t)c->weight[LW_MATCH_PART_SETTING] * e->fit[LW_MATCH_PART_SETTING] +
           (uint64_t)c->weight[LW_MATCH_PART_CAPACITY] * e->fit[LW_MATCH_PART_CAPACITY] +
           (uint64_t)c->weight[LW_MATCH_PART_MENTAL_HEALTH] * e->fit[LW_MATCH_PART_MENTAL_HEALTH];
}

/* The other parts (interest, schedule, distance, what matters): at most
 * c->rest_max. A is haversine's a from filter(), or -1. */
static uint64_t evaluate_rest(const ctx *c, const lw_match_service *s, double a, eval *e) {
    if (c->weight[LW_MATCH_PART_INTEREST])
        e->fit[LW_MATCH_PART_INTEREST] = interest_fit(c, s, &e->interests);
    if (c->weight[LW_MATCH_PART_SCHEDULE])
        e->fit[LW_MATCH_PART_SCHEDULE] = schedule_fit(c, s);
    if (c->weight[LW_MATCH_PART_DISTANCE]) {
        if (!s->located) {
            e->fit[LW_MATCH_PART_DISTANCE] = 1000;
        } else {
            int t = minutes_from_a(c, a, false);
            e->fit[LW_MATCH_PART_DISTANCE] = (uint16_t)(t <= 10   ? 1000
                                                        : t >= 60 ? 0
                                                                  : (60 - t) * 20);
        }
    }
    if (c->weight[LW_MATCH_PART_WHAT_MATTERS]) {
        e->traits = service_traits(s);
        unsigned got = 0;
        for (int i = 0; i < LW_MATCH_TRAIT_COUNT; i++)
            if (e->traits & LW_MATCH_TRAIT_BIT(i))
                got += c->trait[i];
        e->fit[LW_MATCH_PART_WHAT_MATTERS] = (uint16_t)(got * 1000u / c->trait_total);
    }
    return (uint64_t)c->weight[LW_MATCH_PART_INTEREST] * e->fit[LW_MATCH_PART_INTEREST] +
           (uint64_t)c->weight[LW_MATCH_PART_SCHEDULE] * e->fit[LW_MATCH_PART_SCHEDULE] +
           (uint64_t)c->weight[LW_MATCH_PART_DISTANCE] * e->fit[LW_MATCH_PART_DISTANCE] +
           (uint64_t)c->weight[LW_MATCH_PART_WHAT_MATTERS] * e->fit[LW_MATCH_PART_WHAT_MATTERS];
}

/* Fills E's fits (only for the parts that count) and returns the total. */
static uint64_t evaluate(const ctx *c, const lw_match_service *s, double a, eval *e) {
    uint64_t cheap = evaluate_cheap(c, s, e);
    return cheap + evaluate_rest(c, s, a, e);
}

/* ---- reasons in words ---- */

/* "a", "a and b", "a, b and c" (CONJ is "and" or "or"). */
static const char *join(lw_arena *ar, const char *const *items, size_t n, const char *conj) {
    if (n == 0)
        return "";
    const char *out = items[0];
    for (size_t i = 1; i < n; i++)
        out = i + 1 == n ? arena_printf(ar, "%s %s %s", out, conj, items[i])
                         : arena_printf(ar, "%s, %s", out, items[i]);
    return out;
}

/* 1234 m → "1.2 km"; 23456 m → "23 km". */
static const char *km_words(lw_arena *ar, double m) {
    if (m < 9950)
        return arena_printf(ar, "%.1f km", m / 1000);
    return arena_printf(ar, "%.0f km", m / 1000);
}

static const char *limit_words(lw_arena *ar, int32_t m) {
    if (m % 1000 == 0)
        return arena_printf(ar, "%d km", m / 1000);
    return arena_printf(ar, "%.1f km", m / 1000.0);
}

static const char *period(int from) {
    return from < 12 * 60 ? "mornings" : from < 17 * 60 ? "afternoons" : "evenings";
}

static const char *hhmm(lw_arena *ar, int min) {
    return arena_printf(ar, "%02d:%02d", min / 60, min % 60);
}

static int session_index_cmp(const lw_match_slot *s, size_t x, size_t y) {
    return slot_cmp(&s[x], &s[y]);
}

/* "Tuesday mornings", "Tuesday mornings and Thursday evenings", "…, … and 2 more
 * times". IDX lists sessions in week order. */
static const char *sessions_words(lw_arena *ar, const lw_match_slot *s, const size_t *idx,
                                  size_t n) {
    const char *items[3];
    size_t k = 0, covered = 0;
    for (size_t i = 0; i < n; i++) {
        const lw_match_slot *t = &s[idx[i]];
        const char *w = arena_printf(ar, "%s %s", day_names[t->day], period(t->from));
        if (k > 0 && strcmp(w, items[k - 1]) == 0) {
            covered++;
            continue;
        }
        if (k == 2)
            break;
        items[k++] = w;
        covered++;
    }
    if (covered < n)
        items[k++] = arena_printf(ar, "%zu more time%s", n - covered, n - covered == 1 ? "" : "s");
    return join(ar, items, k, "and");
}

#define SHOW_SESSIONS 64

static const char *schedule_reason(lw_arena *ar, const ctx *c, const lw_match_service *s) {
    size_t idx[SHOW_SESSIONS], n = 0;
    for (size_t i = 0; i < s->n_sessions && n < SHOW_SESSIONS; i++)
        if (slot_valid(&s->sessions[i]))
            idx[n++] = i;
    if (n == 0)
        return "times not listed — ask the provider";
    for (size_t i = 1; i < n; i++) /* insertion sort: week order */
        for (size_t j = i; j > 0 && session_index_cmp(s->sessions, idx[j - 1], idx[j]) > 0; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    size_t good[SHOW_SESSIONS], ng = 0;
    size_t best = n;
    uint16_t best_fit = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t f = session_fit(c, &s->sessions[idx[i]]);
        if (f == 1000)
            good[ng++] = idx[i];
        else if (f > best_fit) {
            best_fit = f;
            best = idx[i];
        }
    }
    if (ng)
        return arena_printf(ar, "%s — you are free", sessions_words(ar, s->sessions, good, ng));
    if (best < s->n_sessions) {
        const lw_match_slot *t = &s->sessions[best];
        return arena_printf(ar, "%s %s–%s — you are free for part of it", day_names[t->day],
                            hhmm(ar, t->from), hhmm(ar, t->to));
    }
    return arena_printf(ar, "%s — you are not free then", sessions_words(ar, s->sessions, idx, n));
}

static const char *need_reason(lw_arena *ar, const ctx *c, const lw_match_service *s) {
    const char *yes[LW_MATCH_NEED_COUNT], *no[LW_MATCH_NEED_COUNT];
    size_t ny = 0, nn = 0;
    /* The needs that matter most first, then DESIGN.md's order. */
    for (int wgt = LW_MATCH_NEED_WEIGHT_MAX; wgt >= 1; wgt--)
        for (int i = 0; i < LW_MATCH_NEED_COUNT; i++)
            if (c->p->needs[i] == wgt) {
                if (s->needs & LW_MATCH_NEED_BIT(i))
                    yes[ny++] = need_words[i];
                else
                    no[nn++] = need_words[i];
            }
    if (ny == 0)
        return arena_printf(ar, "does not say it helps with %s", join(ar, no, nn, "or"));
    if (nn == 0)
        return arena_printf(ar, "helps with %s", join(ar, yes, ny, "and"));
    return arena_printf(ar, "helps with %s; not with %s", join(ar, yes, ny, "and"),
                        join(ar, no, nn, "or"));
}

static const char *interest_reason(lw_arena *ar, const ctx *c, uint32_t found) {
    const char *items[LW_MATCH_MAX_INTERESTS];
    size_t n = 0;
    for (size_t k = 0; k < c->n_phrases; k++)
        if (found & (1u << k))
            items[n++] = c->p->interests[c->phrase_interest[k]];
    if (n == 0)
        return "does not match your interests";
    if (n == 1)
        return arena_printf(ar, "%s — one of your interests", items[0]);
    return arena_printf(ar, "%s — your interests", join(ar, items, n, "and"));
}

/* 25 → "25 min"; 75 → "1 h 15 min"; 300 → "5 h". */
static const char *duration_words(lw_arena *ar, int min) {
    if (min < 60)
        return arena_printf(ar, "%d min", min);
    if (min % 60 == 0)
        return arena_printf(ar, "%d h", min / 60);
    return arena_printf(ar, "%d h %d min", min / 60, min % 60);
}

static const char *distance_reason(lw_arena *ar, const ctx *c, const lw_match_service *s,
                                   const lw_match_result *r) {
    if (!s->located)
        return "online or by phone — no travel";
    const char *km = km_words(ar, r->distance_m);
    const char *t = duration_words(ar, r->travel_min);
    switch (c->p->travel) {
    case LW_MATCH_BUS:
        return arena_printf(ar, "%s by bus (%s)", t, km);
    case LW_MATCH_CAR:
        return arena_printf(ar, "%s by car (%s)", t, km);
    default:
        return arena_printf(ar, "%s walk (%s)", t, km);
    }
}

static const char *cost_reason(lw_match_cost_limit limit, lw_match_cost cost) {
    switch (cost) {
    case LW_MATCH_COST_FREE:
        return "free";
    case LW_MATCH_COST_LOW:
        return limit == LW_MATCH_LIMIT_FREE ? "low cost — you asked for free ones" : "low cost";
    case LW_MATCH_COST_PAID:
        return limit == LW_MATCH_LIMIT_FREE  ? "costs money — you asked for free ones"
               : limit == LW_MATCH_LIMIT_LOW ? "costs more than a little — you asked for free or "
                                               "low-cost ones"
                                             : "costs money";
    default:
        return "cost not listed — ask the provider";
    }
}

static const char *capacity_reason(lw_match_capacity cap) {
    switch (cap) {
    case LW_MATCH_HAS_PLACES:
        return "has places";
    case LW_MATCH_WAITLIST:
        return "waiting list";
    case LW_MATCH_FULL:
        return "full — no places at the moment";
    default:
        return "places not listed — ask the provider";
    }
}

static const char *setting_reason(lw_match_setting_pref pref, lw_match_setting s) {
    switch (s) {
    case LW_MATCH_SETTING_GROUP:
        return pref == LW_MATCH_PREFER_GROUP ? "a group, as you prefer"
                                             : "a group — you prefer one-to-one";
    case LW_MATCH_SETTING_ONE_TO_ONE:
        return pref == LW_MATCH_PREFER_ONE_TO_ONE ? "one-to-one, as you prefer"
                                                  : "one-to-one — you prefer a group";
    case LW_MATCH_SETTING_BOTH:
        return "group or one-to-one, as you prefer";
    default:
        return "does not say whether it is a group or one-to-one";
    }
}

static const char *mh_reason(lw_match_answer a) {
    switch (a) {
    case LW_MATCH_YES:
        return "prepared for people with mental health needs";
    case LW_MATCH_NO:
        return "says it is not prepared for people with mental health needs";
    default:
        return "does not say whether it is prepared for people with mental health needs";
    }
}

static const char *matters_reason(lw_arena *ar, const ctx *c, uint32_t traits) {
    const char *yes[3], *no[3];
    size_t ny = 0, nn = 0;
    for (int wgt = 10; wgt >= 1; wgt--)
        for (int i = 0; i < LW_MATCH_TRAIT_COUNT; i++)
            if (c->trait[i] == wgt) {
                if (traits & LW_MATCH_TRAIT_BIT(i)) {
                    if (ny < 3)
                        yes[ny++] = trait_words[i];
                } else if (nn < 3) {
                    no[nn++] = trait_words[i];
                }
            }
    if (ny == 0)
        return arena_printf(ar, "not what matters to you: %s", join(ar, no, nn, "or"));
    if (nn == 0)
        return arena_printf(ar, "what matters to you: %s", join(ar, yes, ny, "and"));
    return arena_printf(ar, "what matters to you: %s; not %s", join(ar, yes, ny, "and"),
                        join(ar, no, nn, "or"));
}

static void fill_result(lw_arena *ar, const ctx *c, const lw_match_service *s, size_t index,
                        double a, const eval *e, uint64_t total, lw_match_result *r) {
    memset(r, 0, sizeof *r);
    r->index = index;
    r->id = s->id;
    r->total = total;
    r->full = s->capacity == LW_MATCH_FULL;
    r->score =
        c->weight_sum ? (int)((total * 100 + c->weight_sum * 500) / (c->weight_sum * 1000)) : 0;
    r->distance_m = -1;
    r->travel_min = -1;
    if (a >= 0) { /* shown even when distance does not count in the score */
        r->distance_m = (int32_t)(a_to_m(a) + 0.5);
        r->travel_min = minutes_from_a(c, a, true);
    }
    for (int i = 0; i < LW_MATCH_PART_COUNT; i++) {
        r->part[i].weight = c->weight[i];
        r->part[i].fit = c->weight[i] ? e->fit[i] : 0;
    }
    lw_match_part *pt = r->part;
    const lw_match_person *p = c->p;
    if (c->weight[LW_MATCH_PART_NEED])
        pt[LW_MATCH_PART_NEED].reason = need_reason(ar, c, s);
    if (c->weight[LW_MATCH_PART_INTEREST])
        pt[LW_MATCH_PART_INTEREST].reason = interest_reason(ar, c, e->interests);
    if (c->weight[LW_MATCH_PART_SCHEDULE])
        pt[LW_MATCH_PART_SCHEDULE].reason = schedule_reason(ar, c, s);
    if (c->weight[LW_MATCH_PART_DISTANCE])
        pt[LW_MATCH_PART_DISTANCE].reason = distance_reason(ar, c, s, r);
    if (c->weight[LW_MATCH_PART_COST])
        pt[LW_MATCH_PART_COST].reason = cost_reason(p->cost_limit, s->cost);
    if (c->weight[LW_MATCH_PART_SETTING])
        pt[LW_MATCH_PART_SETTING].reason = setting_reason(p->setting, s->setting);
    if (c->weight[LW_MATCH_PART_CAPACITY])
        pt[LW_MATCH_PART_CAPACITY].reason = capacity_reason(s->capacity);
    if (c->weight[LW_MATCH_PART_MENTAL_HEALTH])
        pt[LW_MATCH_PART_MENTAL_HEALTH].reason = mh_reason(s->mh_prepared);
    if (c->weight[LW_MATCH_PART_WHAT_MATTERS])
        pt[LW_MATCH_PART_WHAT_MATTERS].reason = matters_reason(ar, c, e->traits);
}

static const char *status_reason(lw_match_status st) {
    switch (st) {
    case LW_MATCH_TEMPORARILY_CLOSED:
        return "temporarily closed";
    case LW_MATCH_DEFUNCT:
        return "has closed down";
    default:
        return "not running at the moment";
    }
}

static const char *age_reason(lw_arena *ar, const lw_match_service *s, int age) {
    if (s->min_age >= 0 && s->max_age >= 0)
        return arena_printf(ar, "for ages %d–%d; you are %d", s->min_age, s->max_age, age);
    if (s->min_age >= 0)
        return arena_printf(ar, "for ages %d and over; you are %d", s->min_age, age);
    return arena_printf(ar, "for ages up to %d; you are %d", s->max_age, age);
}

static const char *language_reason(lw_arena *ar, const ctx *c, const lw_match_service *s) {
    const char **items = arena_alloc(ar, s->n_languages * sizeof *items);
    size_t n = 0;
    for (size_t i = 0; i < s->n_languages; i++)
        if (s->languages[i])
            items[n++] = language_words(s->languages[i]);
    return arena_printf(ar, "offered in %s; you asked for %s", join(ar, items, n, "and"),
                        language_words(c->lang));
}

static const char *access_reason(lw_arena *ar, uint32_t missing) {
    const char *items[LW_MATCH_ACCESS_COUNT];
    size_t n = 0;
    for (int i = 0; i < LW_MATCH_ACCESS_COUNT; i++)
        if (missing & LW_MATCH_ACCESS_BIT(i))
            items[n++] = access_words[i];
    return arena_printf(ar, "does not list %s, which you need", join(ar, items, n, "or"));
}

static void fill_excluded(lw_arena *ar, const ctx *c, const lw_match_service *s, size_t index,
                          uint32_t why, double a, lw_match_excluded *x) {
    memset(x, 0, sizeof *x);
    x->index = index;
    x->id = s->id;
    x->why = why;
    for (int i = 0; i < LW_MATCH_EXCL_COUNT; i++) {
        if (!(why & LW_MATCH_EXCL_BIT(i)))
            continue;
        const char *r;
        switch ((lw_match_exclusion)i) {
        case LW_MATCH_EXCL_INACTIVE:
            r = status_reason(s->status);
            break;
        case LW_MATCH_EXCL_AGE:
            r = age_reason(ar, s, c->p->age);
            break;
        case LW_MATCH_EXCL_LANGUAGE:
            r = language_reason(ar, c, s);
            break;
        case LW_MATCH_EXCL_ACCESS:
            r = access_reason(ar, access_missing(c, s));
            break;
        default:
            r = arena_printf(ar, "%s away; you can travel up to %s", km_words(ar, a_to_m(a)),
                             limit_words(ar, c->p->max_m));
            break;
        }
        x->reasons[x->n_reasons++] = r;
    }
    x->reason = x->n_reasons ? x->reasons[0] : NULL;
}

/* ---- one service ---- */

lw_status match_one(lw_arena *a, const lw_match_person *p, const lw_match_weights *w,
                    const lw_match_service *s, size_t index, bool *included, lw_match_result *res,
                    lw_match_excluded *exc, lw_error *err) {
    ctx cx, *c = &cx;
    lw_status st = ctx_init(c, p, w, err);
    if (st != LW_OK)
        return st;
    double hav;
    uint32_t why = filter(c, s, &hav);
    *included = why == 0;
    if (why) {
        fill_excluded(a, c, s, index, why, hav, exc);
        return LW_OK;
    }
    eval e;
    uint64_t total = evaluate(c, s, hav, &e);
    fill_result(a, c, s, index, hav, &e, total, res);
    return LW_OK;
}

/* ---- ranking ---- */

int match_compare(const lw_match_result *a, const lw_match_result *b) {
    if (a->full != b->full)
        return a->full ? 1 : -1;
    if (a->total != b->total)
        return a->total > b->total ? -1 : 1;
    int k = strcmp(a->id ? a->id : "", b->id ? b->id : "");
    if (k)
        return k;
    return (a->index > b->index) - (a->index < b->index);
}

static int result_qsort_cmp(const void *x, const void *y) {
    return match_compare(x, y);
}

void match_sort(lw_match_result *r, size_t n) {
    if (n > 1)
        qsort(r, n, sizeof *r, result_qsort_cmp);
}

typedef struct cand {
    uint64_t total;
    const char *id;
    size_t index;
    bool full;
    double a;     /* haversine's a (results) / unused */
    uint32_t why; /* exclusions */
} cand;

/* <0 when X ranks before Y (the same order as match_compare()). */
static int cand_cmp(const cand *x, const cand *y) {
    if (x->full != y->full)
        return x->full ? 1 : -1;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    int k = strcmp(x->id ? x->id : "", y->id ? y->id : "");
    if (k)
        return k;
    return (x->index > y->index) - (x->index < y->index);
}

/* Excluded services are listed by id. */
static int excl_cmp(const cand *x, const cand *y) {
    int k = strcmp(x->id ? x->id : "", y->id ? y->id : "");
    if (k)
        return k;
    return (x->index > y->index) - (x->index < y->index);
}

typedef int (*cand_order)(const cand *, const cand *);

/* A bounded heap holding the CAP first candidates in ORDER: the root is the
 * last of them, so a newcomer only has to beat the root. */
typedef struct heap {
    cand *v;
    size_t n, cap;
    cand_order order;
} heap;

static void heap_sift_down(heap *h, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && h->order(&h->v[l], &h->v[m]) > 0)
            m = l;
        if (r < h->n && h->order(&h->v[r], &h->v[m]) > 0)
            m = r;
        if (m == i)
            return;
        cand t = h->v[i];
        h->v[i] = h->v[m];
        h->v[m] = t;
        i = m;
    }
}

static void heap_offer(heap *h, const cand *x) {
    if (h->cap == 0)
        return;
    if (h->n < h->cap) {
        size_t i = h->n++;
        h->v[i] = *x;
        while (i > 0) {
            size_t parent = (i - 1) / 2;
            if (h->order(&h->v[parent], &h->v[i]) >= 0)
                break;
            cand t = h->v[i];
            h->v[i] = h->v[parent];
            h->v[parent] = t;
            i = parent;
        }
        return;
    }
    if (h->order(x, &h->v[0]) >= 0)
        return;
    h->v[0] = *x;
    heap_sift_down(h, 0);
}

/* Sorts the heap's contents into order, in place (heapsort). */
static void heap_sort(heap *h) {
    size_t n = h->n;
    while (h->n > 1) {
        cand t = h->v[0];
        h->v[0] = h->v[h->n - 1];
        h->v[h->n - 1] = t;
        h->n--;
        heap_sift_down(h, 0);
    }
    h->n = n;
}

static size_t cap_sum(size_t a, size_t b, size_t limit) {
    size_t s = a + b;
    if (s < a || s > limit)
        s = limit;
    return s;
}

lw_status match_rank(lw_arena *a, const lw_match_person *p, const lw_match_weights *w,
                     const lw_match_service *s, size_t n, lw_match_out *out, lw_error *err) {
    out->n_results = out->n_excluded = out->eligible = out->excluded_total = 0;
    ctx cx, *c = &cx;
    lw_status st = ctx_init(c, p, w, err);
    if (st != LW_OK)
        return st;
    heap best = {.order = cand_cmp};
    best.cap = out->results && out->results_cap ? cap_sum(out->skip, out->results_cap, n) : 0;
    heap excl = {.order = excl_cmp};
    excl.cap =
        out->excluded && out->excluded_cap ? cap_sum(out->excluded_skip, out->excluded_cap, n) : 0;
    best.v = arena_alloc(a, (best.cap ? best.cap : 1) * sizeof(cand));
    excl.v = arena_alloc(a, (excl.cap ? excl.cap : 1) * sizeof(cand));

    eval e;
    for (size_t i = 0; i < n; i++) {
        const lw_match_service *sv = &s[i];
        cand x;
        x.id = sv->id;
        x.index = i;
        x.why = filter(c, sv, &x.a);
        if (x.why) {
            out->excluded_total++;
            x.total = 0;
            x.full = false;
            heap_offer(&excl, &x);
            continue;
        }
        out->eligible++;
        if (best.cap == 0)
            continue;
        x.full = sv->capacity == LW_MATCH_FULL;
        uint64_t cheap = evaluate_cheap(c, sv, &e);
        if (best.n == best.cap) {
            /* Exact pruning: if even the best the other parts could add
             * would not beat the last result kept, skip them. */
            const cand *last = &best.v[0];
            if ((x.full && !last->full) ||
                (x.full == last->full && cheap + c->rest_max < last->total))
                continue;
        }
        x.total = cheap + evaluate_rest(c, sv, x.a, &e);
        heap_offer(&best, &x);
    }

    heap_sort(&best);
    for (size_t k = out->skip; k < best.n; k++) {
        const cand *x = &best.v[k];
        uint64_t total = evaluate(c, &s[x->index], x->a, &e);
        fill_result(a, c, &s[x->index], x->index, x->a, &e, total, &out->results[out->n_results++]);
    }
    heap_sort(&excl);
    for (size_t k = out->excluded_skip; k < excl.n; k++) {
        const cand *x = &excl.v[k];
        fill_excluded(a, c, &s[x->index], x->index, x->why, x->a,
                      &out->excluded[out->n_excluded++]);
    }
    return LW_OK;
}
