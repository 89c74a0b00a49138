/*
 * Unmet need (issue 7, seed 002: "groups that do not exist locally"): which of
 * a person's needs no local service can meet within their travel limit. A
 * need is met when some active service says it helps with it and is either
 * not at a place (online, by phone) or, for a person with a home and a
 * travel limit, within that limit in a straight line. Capacity, times, cost
 * and the rest do not count: a full group still exists locally (the reports
 * count full groups separately, as declined for lack of capacity). Pure.
 */
#ifndef LW_UNMET_NEED_H
#define LW_UNMET_NEED_H

#include <stddef.h>
#include <stdint.h>

#include "domain/match.h"

/* The needs of P (weight > 0) that none of SVC[0..N) meets, as LW_MATCH_NEED_BIT()s. */
uint32_t unmet_needs(const lw_match_person *p, const lw_match_service *svc, size_t n);

#endif
