/*
 * What a directory listing's accessibility text says a place has (issue 6):
 * HSDS 3.0 keeps a location's accessibility as free text ("Wheelchair access on
 * all levels; induction loop at reception"); the matcher filters on features
 * (lw_match_access). Pure: no I/O.
 */
#ifndef LW_DOMAIN_ACCESS_WORDS_H
#define LW_DOMAIN_ACCESS_WORDS_H

#include <stdint.h>

/* The LW_MATCH_ACCESS_BIT()s that TEXT (may be NULL) states, by whole words and
 * phrases, case-insensitively: "wheelchair", "step-free", "level access", "ramp", "lift"
 * → step_free; "accessible toilet", "disabled toilet", "changing places" →
 * accessible_toilet; "hearing loop", "induction loop" → hearing_loop; "disabled parking",
 * "blue badge" → disabled_parking; "quiet room", "quiet space", "sensory room" →
 * quiet_space; "BSL", "sign language" → bsl; "easy read" → easy_read; "large print" →
 * large_print. A phrase right after "no", "not" or "without" (and an article) does not
 * count ("no lift", "without a ramp"). */
uint32_t access_words_features(const char *text);

#endif
