/*
 * GP consultation counts (issue 7, seed 004's system outcome): the number of
 * GP consultations a person had in the 6 months before a referral and the 6
 * months after, one row per referral. gp_resolve() checks one entry (shared by
 * POST /api/v1/gp-consultations); gp_import() reads a CSV file of them
 * (nhs_number,referral_id,before,after) all or nothing, for
 * POST /api/v1/gp-consultations/imports and `linkwell import gp-consultations`.
 */
#ifndef LW_IO_GP_IMPORT_H
#define LW_IO_GP_IMPORT_H

#include <jansson.h>

#include "store/store.h"

#define LW_GP_COUNT_MAX 1000 /* consultations in 6 months: more is a typing error */

/* Checks an entry for REFERRAL_ID: the referral must exist and, with
 * ONLY_ORG, come from that organisation (else LW_ENOTFOUND naming
 * "referral_id"); NHS (may be NULL) or PERSON_ID (0: none) must name the
 * person referred (LW_EINVAL naming "nhs_number" or "person_id"). The
 * person's id in *PERSON_OUT. */
lw_status gp_resolve(lw_db *db, lw_arena *a, const char *nhs, int64_t person_id,
                     int64_t referral_id, int64_t only_org, int64_t *person_out,
                     lw_error *err) LW_MUST_CHECK;

typedef struct gp_import_options {
    int64_t now;
    int64_t user_id;  /* who imports; 0: the command line */
    int64_t only_org; /* a practice user: only referrals from this organisation; 0: any */
    /* Called in the import's transaction for each row written and once before
     * the commit (may be NULL). */
    lw_status (*audit_row)(lw_db *db, void *ctx, int64_t id, int updated, lw_error *err);
    lw_status (*before_commit)(lw_db *db, void *ctx, lw_error *err);
    void *ctx;
} gp_import_options;

/* Imports CSV[0..LEN): a header naming nhs_number, referral_id, before and
 * after (any order; after may be empty when not known yet). Every row is
 * checked first; when any is wrong nothing is written and LW_EINVAL is
 * returned with the report listing each wrong row. *REPORT (the caller's):
 * {"imported", "updated", "rejected": [{"row", "field", "reason"}]}; "row"
 * counts lines of the file, the header being line 1. */
lw_status gp_import(lw_db *db, const char *csv, size_t len, const gp_import_options *o,
                    json_t **report, lw_error *err) LW_MUST_CHECK;

/* The report as lines for a terminal. Caller frees. */
char *gp_report_text(const json_t *report);

#endif
