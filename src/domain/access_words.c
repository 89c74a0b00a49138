/*
 * Accessibility features from a listing's free text (domain/access_words.h).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "domain/access_words.h"
#include "domain/match.h"

static const struct {
    const char *phrase;
    lw_match_access feature;
} phrases[] = {
    {"wheelchair", LW_MATCH_ACCESS_STEP_FREE},
    {"step free", LW_MATCH_ACCESS_STEP_FREE},
    {"step-free", LW_MATCH_ACCESS_STEP_FREE},
    {"level access", LW_MATCH_ACCESS_STEP_FREE},
    {"ramp", LW_MATCH_ACCESS_STEP_FREE},
    {"ramped", LW_MATCH_ACCESS_STEP_FREE},
    {"lift", LW_MATCH_ACCESS_STEP_FREE},
    {"accessible toilet", LW_MATCH_ACCESS_ACCESSIBLE_TOILET},
    {"accessible toilets", LW_MATCH_ACCESS_ACCESSIBLE_TOILET},
    {"disabled toilet", LW_MATCH_ACCESS_ACCESSIBLE_TOILET},
    {"disabled toilets", LW_MATCH_ACCESS_ACCESSIBLE_TOILET},
    {"changing places", LW_MATCH_ACCESS_ACCESSIBLE_TOILET},
    {"hearing loop", LW_MATCH_ACCESS_HEARING_LOOP},
    {"induction loop", LW_MATCH_ACCESS_HEARING_LOOP},
    {"induction loops", LW_MATCH_ACCESS_HEARING_LOOP},
    {"disabled parking", LW_MATCH_ACCESS_PARKING},
    {"accessible parking", LW_MATCH_ACCESS_PARKING},
    {"blue badge", LW_MATCH_ACCESS_PARKING},
    {"quiet room", LW_MATCH_ACCESS_QUIET_SPACE},
    {"quiet space", LW_MATCH_ACCESS_QUIET_SPACE},
    {"quiet area", LW_MATCH_ACCESS_QUIET_SPACE},
    {"sensory room", LW_MATCH_ACCESS_QUIET_SPACE},
    {"bsl", LW_MATCH_ACCESS_BSL},
    {"sign language", LW_MATCH_ACCESS_BSL},
    {"easy read", LW_MATCH_ACCESS_EASY_READ},
    {"easy-read", LW_MATCH_ACCESS_EASY_READ},
    {"large print", LW_MATCH_ACCESS_LARGE_PRINT},
};

static int is_word(char c) {
    return isalnum((unsigned char)c) != 0;
}

/* The word that ends just before AT in TEXT: its start in *B, its length returned (0: none). */
static size_t word_before(const char *text, const char *at, const char **b) {
    const char *e = at;
    while (e > text && !is_word(e[-1]))
        e--;
    *b = e;
    while (*b > text && is_word((*b)[-1]))
        (*b)--;
    return (size_t)(e - *b);
}

static int word_is(const char *w, size_t n, const char *s) {
    return strlen(s) == n && strncasecmp(w, s, n) == 0;
}

/* The phrase at AT is denied: "no lift", "not wheelchair accessible", "without a ramp". */
static int denied(const char *text, const char *at) {
    const char *w;
    size_t n = word_before(text, at, &w);
    if (word_is(w, n, "a") || word_is(w, n, "an") || word_is(w, n, "any"))
        n = word_before(text, w, &w);
    return word_is(w, n, "no") || word_is(w, n, "not") || word_is(w, n, "without");
}

static int states(const char *text, const char *phrase) {
    size_t n = strlen(phrase);
    for (const char *p = text; *p; p++) {
        if (strncasecmp(p, phrase, n) != 0)
            continue;
        if ((p > text && is_word(p[-1])) || is_word(p[n]))
            continue; /* part of a longer word: "uplifting" */
        if (!denied(text, p))
            return 1;
    }
    return 0;
}

uint32_t access_words_features(const char *text) {
    uint32_t m = 0;
    if (!text)
        return 0;
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if (states(text, phrases[i].phrase))
            m |= LW_MATCH_ACCESS_BIT(phrases[i].feature);
    return m;
}
