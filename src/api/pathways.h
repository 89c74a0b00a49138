/*
 * Pathways shared with other handlers: choosing a case's pathway when its
 * referral is accepted (api/referrals.c) and writing its milestones in the
 * acceptance's transaction. Defined in api/pathways.c.
 */
#ifndef LW_API_PATHWAYS_H
#define LW_API_PATHWAYS_H

#include "api/api.h"
#include "domain/pathways.h"

/* A template with its milestones in an arena. */
typedef struct api_pathway {
    lw_pathway_def def;
    lw_milestone_def ms[LW_PATHWAY_MILESTONES_MAX];
} api_pathway;

/* The template NAME (a stored row, else the built-in), or when NAME is NULL the
 * default for a referral from FROM_ORG_ID: secondary-mental-health when it
 * comes from a mental health team or ward, else primary-care. An unknown
 * name is LW_EINVAL naming "pathway". Reads only: call before the transaction. */
lw_status api_pathway_choose(api_request *req, const char *name, int64_t from_org_id,
                             api_pathway *out, lw_error *err) LW_MUST_CHECK;

/* Gives CASE_ID the pathway P started at NOW: its case_pathways row and one
 * milestone per template milestone, due from the day of NOW, with an audit
 * row. Run inside the acceptance's transaction. */
lw_status api_pathway_start(api_request *req, int64_t case_id, const api_pathway *p, int64_t now,
                            lw_error *err) LW_MUST_CHECK;

/* Records which of case C's needs no local service meets within the person's
 * travel limit (api/unmet_needs.c), replacing what was recorded before. Run
 * inside the transaction that saved the case's preferences. */
lw_status api_unmet_needs_record(api_request *req, const lw_case *c, lw_error *err) LW_MUST_CHECK;

#endif
