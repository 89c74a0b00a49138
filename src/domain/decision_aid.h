/*
 * The shared decision aid (seed 000; issue 6): the kinds ("categories") of
 * non-clinical services, each with plain pros and cons, which categories fit a
 * person's needs, which category a service belongs to, and the questions a
 * person rates 0–10 ("how much does it matter to you: it costs nothing") that
 * re-weight the matcher's score. Used by a person with a clinician, link
 * worker or peer worker. Pure: no I/O, no globals beyond the constant built-in
 * set.
 *
 * A set (lw_aid_set) is plain data: the built-in one is static; one stored by
 * admins later is loaded into the same structs and checked by
 * decision_aid_new(), which also builds the word index the other functions
 * use. Everything decision_aid_new() makes lives in the arena it is given (a
 * request's, or one that lives as long as the process); it points into the set,
 * which must live at least as long.
 */
#ifndef LW_DECISION_AID_H
#define LW_DECISION_AID_H

#include <stddef.h>
#include <stdint.h>

#include "domain/match.h"
#include "util/arena.h"
#include "util/error.h"

#define LW_AID_MAX_CATEGORIES 64 /* category masks are uint64_t */
#define LW_AID_MAX_QUESTIONS 32
#define LW_AID_RATING_MAX 10
#define LW_AID_NOT_RATED (-1)

/* A kind of non-clinical service. */
typedef struct lw_aid_category {
    const char *id;      /* "arts": lower case, digits and _; stable (decisions refer to it) */
    const char *name;    /* "Arts and creativity" */
    const char *summary; /* one sentence: what it is */
    const char *const *pros;
    size_t n_pros;
    const char *const *cons;
    size_t n_cons;
    uint32_t needs;           /* LW_MATCH_NEED_BIT()s this kind of activity can help with */
    uint32_t listed_needs;    /* a service whose words name no category, listed under one
                                 of these needs, is put here */
    const char *const *words; /* taxonomy words or phrases that put a service here */
    size_t n_words;
    uint32_t traits; /* LW_MATCH_TRAIT_BIT()s its activities have */
} lw_aid_category;

/* What a rating re-weights. */
typedef enum lw_aid_target {
    LW_AID_PART, /* a part of the matcher's score: weight x rating / 5 */
    LW_AID_TRAIT /* a trait: how much it counts in the "what matters" part */
} lw_aid_target;

typedef struct lw_aid_question {
    const char *id;   /* "costs_nothing": the key in "ratings" */
    const char *text; /* "it costs nothing" (after "How much does it matter to you:") */
    lw_aid_target kind;
    int target; /* an lw_match_part_id (LW_AID_PART) or lw_match_trait (LW_AID_TRAIT) */
} lw_aid_question;

typedef struct lw_aid_set {
    const lw_aid_category *categories;
    size_t n_categories;
    const lw_aid_question *questions;
    size_t n_questions;
} lw_aid_set;

/* The built-in set (static; never freed). docs/matching.md lists it. */
const lw_aid_set *decision_aid_builtin(void);

/* A checked set with its word index. */
typedef struct lw_aid lw_aid;

/* Checks SET (ids unique and well formed, names, at least one pro and one con,
 * needs and traits known, questions pointing at real parts and traits) and
 * builds its index in A. LW_EINVAL naming the field ("categories[2].pros",
 * "questions[0].target") for a bad set. */
lw_status decision_aid_new(lw_arena *a, const lw_aid_set *set, const lw_aid **out,
                           lw_error *err) LW_MUST_CHECK;
const lw_aid_set *decision_aid_set(const lw_aid *aid);

/* Index of the category or question with this id, or -1. */
int decision_aid_category_find(const lw_aid *aid, const char *id);
int decision_aid_question_find(const lw_aid *aid, const char *id);

/* ---- services and categories ---- */

/* The categories (bit i = set's category i) service S belongs to: those named
 * by the words of its taxonomy terms; failing that, by the words of its name;
 * failing that, those whose listed_needs it is listed under. May be 0. */
uint64_t decision_aid_classify(const lw_aid *aid, const lw_match_service *s);

/* Classifies each of the N services: sets S[i].traits to its categories'
 * traits and, when CATEGORIES is not NULL, CATEGORIES[i] to its mask. Call it
 * once when the directory is loaded, before match_rank(). */
void decision_aid_prepare(const lw_aid *aid, lw_match_service *s, size_t n, uint64_t *categories);

/*
 * The categories for a person's NEEDS (0..3 each, as lw_match_person.needs),
 * best first: by the sum of the weights of the needs each can help with, then
 * the set's order; only categories in LOCAL (OR of the directory's masks;
 * ~0 for all) and, when the person has needs, helping with at least one.
 * Writes at most CAP indices into OUT and returns how many.
 */
size_t decision_aid_categories_for_needs(const lw_aid *aid,
                                         const uint8_t needs[LW_MATCH_NEED_COUNT], uint64_t local,
                                         size_t *out, size_t cap);

/* The best-matched options in CATEGORY: the first (at most CAP) of the ranked
 * RESULTS whose service is in it (CATEGORIES[result.index], as prepared).
 * Writes indices into RESULTS to OUT; returns how many. */
size_t decision_aid_options(const lw_match_result *results, size_t n, const uint64_t *categories,
                            size_t category, size_t *out, size_t cap);

/* ---- ratings ---- */

/* The person's answers, by question index in the set; LW_AID_NOT_RATED when not answered. */
typedef struct lw_aid_ratings {
    int8_t value[LW_AID_MAX_QUESTIONS];
} lw_aid_ratings;

void decision_aid_ratings_init(lw_aid_ratings *r); /* all not rated */

/* Records one answer. LW_EINVAL with field "ratings.QUESTION": an unknown
 * question (the message lists the known ones) or a value that is not a whole
 * number from 0 to 10. */
lw_status decision_aid_rate(const lw_aid *aid, lw_aid_ratings *r, const char *question,
                            long long value, lw_error *err) LW_MUST_CHECK;

/*
 * The matcher's weights for these ratings: match_weights_default(), then for
 * each rated part question the part's weight times rating / 5 (5 keeps it, 0
 * removes it, 10 doubles it; a rated mental-health question makes that part
 * count for everyone); each rated trait question sets the trait's weight to the
 * rating, and the "what matters" part weighs 2 x the highest trait rating.
 * LW_EINVAL "ratings.QUESTION" for a value out of range.
 */
lw_status decision_aid_weights(const lw_aid *aid, const lw_aid_ratings *r, lw_match_weights *w,
                               lw_error *err) LW_MUST_CHECK;

/*
 * Re-ranks RESULTS (from match_rank() over the services S, N of them) for
 * these ratings, in place: every result is scored again with
 * decision_aid_weights() (new parts, reasons in A) and sorted. To re-rank the
 * whole directory instead, call match_rank() with decision_aid_weights().
 * Errors: the ratings' (as decision_aid_weights()), the person's (as
 * match_person_check()); LW_EINVAL "results" when a result's index is not in S.
 */
lw_status decision_aid_rerank(lw_arena *a, const lw_aid *aid, const lw_aid_ratings *r,
                              const lw_match_person *p, const lw_match_service *s, size_t n,
                              lw_match_result *results, size_t n_results,
                              lw_error *err) LW_MUST_CHECK;

#endif
