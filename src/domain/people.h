/*
 * Rules about people (one record per human): the NHS number and its
 * modulus-11 check digit, the name + date of birth key, and how a new
 * referral's person is matched to the people already known, so that
 * caseloads never double-count and nobody is merged silently.
 *
 * Pure: no I/O, no clock.
 */
#ifndef LW_PEOPLE_H
#define LW_PEOPLE_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define LW_NHS_LEN 11 /* 10 digits + NUL */

/* Checks an NHS number: 10 digits (spaces between groups allowed, "943 476
 * 5919"), the tenth the modulus-11 check digit of the first nine (weights 10
 * down to 2; 11 → 0; 10 is never valid). Writes the 10 digits to OUT.
 * LW_EINVAL naming FIELD, saying what is wrong. */
lw_status nhs_number_check(const char *s, const char *field, char out[LW_NHS_LEN],
                           lw_error *err) LW_MUST_CHECK;
/* The check digit of the nine digits at S, or -1 when there is none (remainder 1). */
int nhs_check_digit(const char *nine);

/* A date of birth: a real YYYY-MM-DD date, not after TODAY ("YYYY-MM-DD"),
 * and not more than 130 years before it. */
lw_status birth_date_check(const char *dob, const char *today, const char *field,
                           lw_error *err) LW_MUST_CHECK;

/* A UK postcode's shape ("LS1 4AP", "ls14ap"): normalised to upper case with
 * one space before the last three characters, into OUT (at least 9 bytes). */
lw_status postcode_normalise(const char *s, const char *field, char out[9],
                             lw_error *err) LW_MUST_CHECK;

/* The name + date of birth key people are matched on: given and family names
 * trimmed, inner runs of spaces collapsed, ASCII letters in lower case, joined
 * with the date by '|'. Writes at most SIZE bytes to OUT. */
void person_match_key(const char *given, const char *family, const char *dob, char *out,
                      size_t size);

/* What is known about a person for matching. NHS may be NULL or "". */
typedef struct lw_person_key {
    int64_t id;
    const char *nhs_number;
    const char *match_key; /* person_match_key() */
} lw_person_key;

typedef enum lw_match_kind {
    LW_MATCH_NONE,     /* a new person */
    LW_MATCH_NHS,      /* the same NHS number: the same person */
    LW_MATCH_NAME_DOB, /* no NHS number to tell them apart, same name and date of birth */
    LW_MATCH_CONFLICT  /* same name and date of birth, different NHS numbers: a new
                          person, flagged for a link worker to confirm */
} lw_match_kind;

typedef struct lw_match {
    lw_match_kind kind;
    int64_t person_id; /* NHS, NAME_DOB: the person; CONFLICT: the possible duplicate */
} lw_match;

/* Matches INCOMING against CANDIDATES (the people with its NHS number or its
 * key): by NHS number first; else by name + date of birth when at most one
 * side has an NHS number; the same name + date of birth with another NHS
 * number is a conflict, never a match. Among several, the lowest id wins. */
lw_match person_match(const lw_person_key *incoming, const lw_person_key *candidates, int n);

#endif
