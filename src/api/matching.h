/*
 * Shared by the matching and decision-aid handlers (matches.c, decisions.c):
 * the directory prepared for the matcher, kept with the search index snapshot
 * it belongs to (built once per directory version, on the first match against
 * that version), the person's preferences as the matcher's struct, the
 * decision aid with the admins' text, and the JSON of a match.
 *
 * Ownership: a match_dir belongs to its dir_snap and lives as long as it
 * (freed by match_dir_free() when the snapshot's last reader lets go); what
 * the other functions return lives in the request's arena, except json_t
 * values, which are new references owned by the caller.
 */
#ifndef LW_API_MATCHING_H
#define LW_API_MATCHING_H

#include "api/directory.h"
#include "api/journey.h"
#include "domain/decision_aid.h"
#include "domain/match.h"

typedef struct match_dir {
    lw_arena *arena;
    const lw_aid *aid; /* the built-in set: classification never changes with admins' text */
    lw_match_service *svc;
    size_t n;
    const char **org_ids; /* each service's directory organisation id */
    uint64_t *cats;       /* each service's categories (bits of the set) */
    uint64_t local;       /* the categories some service is in */
    /* Each category's services as a contiguous copy, and their indices in svc. */
    lw_match_service *by_cat[LW_AID_MAX_CATEGORIES];
    size_t *by_cat_index[LW_AID_MAX_CATEGORIES];
    size_t n_cat[LW_AID_MAX_CATEGORIES];
} match_dir;

/* Reads the whole directory from DB and prepares it for the matcher (the
 * caller frees it with match_dir_free()); for tools such as the benchmark. */
lw_status mt_prepare(lw_db *db, match_dir **out, lw_error *err) LW_MUST_CHECK;

/* The prepared directory of the current index snapshot, made on first use.
 * Release the snapshot (dirx_release) when done with *MD. */
lw_status mt_acquire(api_request *req, dir_snap **snap, const match_dir **md,
                     lw_error *err) LW_MUST_CHECK;

/* The person and their preferences, for the matcher. */
typedef struct mt_person {
    lw_match_person p;
    int64_t person_id; /* 0: described in the request, not stored */
} mt_person;

/* Fills P from PREFS (an object as PUT /cases/{id}/preferences takes, plus
 * travel, language and accessibility for the direct forms; NULL: none). Errors
 * name the field under PATH ("preferences.needs[0]"). */
lw_status mt_prefs(api_request *req, const json_t *prefs, const char *path, lw_match_person *p,
                   lw_error *err) LW_MUST_CHECK;
/* Age, home, language and accessibility needs of a person record into P. */
void mt_person_details(api_request *req, const lw_person *person, lw_match_person *p);
/* The person of case C with their stored preferences, the case's needs (when
 * the preferences name none) and whether they came from mental health services. */
lw_status mt_case_person(api_request *req, const lw_case *c, mt_person *out,
                         lw_error *err) LW_MUST_CHECK;
/* Loads the case from path parameter 0 if the caller may see it (404, audited as
 * ACTION denied, otherwise). */
lw_status mt_case_for(api_request *req, const char *action, lw_case *c,
                      lw_error *err) LW_MUST_CHECK;
/* The direct form's person: "person_id" (one the clinician prescribes for:
 * otherwise 404) or "person" (not stored), and "preferences". */
lw_status mt_direct_person(api_request *req, mt_person *out, lw_error *err) LW_MUST_CHECK;

/* ---- the decision aid ---- */
/* The built-in set with the admins' text over it (checked), in the request's arena. */
lw_status mt_aid(api_request *req, const lw_aid **out, lw_error *err) LW_MUST_CHECK;
/* Ratings from a JSON object {"question": 0..10} (NULL: none); errors "ratings.QUESTION". */
lw_status mt_ratings_json(const lw_aid *aid, const json_t *obj, lw_aid_ratings *r,
                          lw_error *err) LW_MUST_CHECK;
json_t *mt_ratings_out(const lw_aid *aid, const lw_aid_ratings *r);
json_t *mt_questions_json(const lw_aid *aid);
json_t *mt_category_json(const lw_aid *aid, size_t i);

/* ---- output ---- */
json_t *mt_service_json(const match_dir *md, size_t index);
json_t *mt_result_json(const match_dir *md, const lw_match_result *r);
json_t *mt_excluded_json(const match_dir *md, const lw_match_excluded *x);

#endif
