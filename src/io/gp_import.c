/* GP consultation counts: one entry's checks and the CSV import (io/gp_import.h). */
#include "io/gp_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/people.h"
#include "io/csv.h"

lw_status gp_resolve(lw_db *db, lw_arena *a, const char *nhs, int64_t person_id,
                     int64_t referral_id, int64_t only_org, int64_t *person_out, lw_error *err) {
    lw_referral r;
    lw_status st = store_referral_get(db, a, referral_id, &r, err);
    if (st == LW_ENOTFOUND || (st == LW_OK && only_org && r.from_org_id != only_org))
        return lw_fail(err, LW_ENOTFOUND, "referral_id", "no such referral from your organisation");
    if (st != LW_OK)
        return st;
    if (nhs) {
        char norm[LW_NHS_LEN];
        int64_t found = 0;
        st = nhs_number_check(nhs, "nhs_number", norm, err);
        if (st == LW_OK)
            st = store_person_by_nhs(db, norm, &found, err);
        if (st == LW_ENOTFOUND)
            st = lw_fail(err, LW_EINVAL, "nhs_number", "no person with this NHS number is known");
        if (st == LW_OK && found != r.person_id)
            st = lw_fail(err, LW_EINVAL, "nhs_number",
                         "is not the NHS number of the person this referral is about");
        if (st != LW_OK)
            return st;
    }
    if (person_id && person_id != r.person_id)
        return lw_fail(err, LW_EINVAL, "person_id", "is not the person this referral is about");
    *person_out = r.person_id;
    return LW_OK;
}

/* A count cell: a whole number 0..LW_GP_COUNT_MAX; empty → -1 (when OPTIONAL). */
static int count_cell(const char *s, int optional, int64_t *out, const char **why) {
    if (!s || !*s) {
        *out = -1;
        *why = "is required: the number of GP consultations";
        return optional;
    }
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (*end || end == s || s[0] == '-' || s[0] == '+' || v > LW_GP_COUNT_MAX) {
        *why = "must be a whole number of consultations from 0 to 1000";
        return 0;
    }
    *out = (int64_t)v;
    return 1;
}

static void reject(json_t *rejected, size_t row, const char *field, const char *reason) {
    json_array_append_new(rejected, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)row, "field",
                                              field, "reason", reason));
}

typedef struct gp_line {
    size_t row;
    lw_gp_consultation g;
} gp_line;

lw_status gp_import(lw_db *db, const char *csv, size_t len, const gp_import_options *o,
                    json_t **report, lw_error *err) {
    static const char *const cols[] = {"nhs_number", "referral_id", "before", "after"};
    json_t *records = NULL, *rejected = json_array();
    *report = NULL;
    if (csv_records(csv, len, &records) != 0) {
        json_decref(rejected);
        return lw_fail(err, LW_EINVAL, "file",
                       "is not valid CSV (a quoted cell is never closed): nothing was imported");
    }
    lw_arena *a = arena_new();
    int at[4] = {-1, -1, -1, -1};
    json_t *header = json_array_get(records, 0);
    for (size_t c = 0; c < json_array_size(header); c++) {
        const char *h = json_string_value(json_array_get(header, c));
        int known = 0;
        for (int k = 0; k < 4; k++)
            if (strcmp(h, cols[k]) == 0) {
                at[k] = (int)c;
                known = 1;
            }
        if (!known && *h) {
            char why[160];
            snprintf(why, sizeof why,
                     "'%.40s' is not a column: use nhs_number, referral_id, "
                     "before, after",
                     h);
            reject(rejected, 1, "header", why);
        }
    }
    for (int k = 0; k < 3; k++)
        if (at[k] < 0) {
            char why[80];
            snprintf(why, sizeof why, "the column %s is missing", cols[k]);
            reject(rejected, 1, "header", why);
        }
    size_t nrec = json_array_size(records);
    gp_line *lines = calloc(nrec + 1, sizeof *lines);
    size_t nlines = 0;
    /* With a wrong header the rows cannot be read: the header is the report. */
    size_t first_row = json_array_size(rejected) == 0 ? 1 : nrec;
    for (size_t r = first_row; r < nrec; r++) {
        json_t *rec = json_array_get(records, r);
        if (json_array_size(rec) == 1 && json_string_length(json_array_get(rec, 0)) == 0)
            continue; /* a blank line */
        const char *cell[4];
        for (int k = 0; k < 4; k++)
            cell[k] = at[k] >= 0 ? json_string_value(json_array_get(rec, (size_t)at[k])) : NULL;
        size_t row = r + 1;
        const char *why = NULL;
        gp_line *l = &lines[nlines];
        l->row = row;
        char *end = NULL;
        long long rid = cell[1] ? strtoll(cell[1], &end, 10) : 0;
        if (!cell[1] || !*cell[1] || *end || rid <= 0) {
            reject(rejected, row, "referral_id", "must be the number of a referral");
            continue;
        }
        if (!count_cell(cell[2], 0, &l->g.before_count, &why)) {
            reject(rejected, row, "before", why);
            continue;
        }
        if (!count_cell(cell[3], 1, &l->g.after_count, &why)) {
            reject(rejected, row, "after", why);
            continue;
        }
        int dup = 0;
        for (size_t j = 0; j < nlines && !dup; j++)
            dup = lines[j].g.referral_id == rid;
        if (dup) {
            reject(rejected, row, "referral_id", "the same referral is on an earlier row");
            continue;
        }
        lw_error e;
        const char *nhs = cell[0] && *cell[0] ? cell[0] : NULL;
        if (!nhs) {
            reject(rejected, row, "nhs_number", "is required");
            continue;
        }
        lw_status st = gp_resolve(db, a, nhs, 0, (int64_t)rid, o->only_org, &l->g.person_id, &e);
        if (st == LW_EINVAL || st == LW_ENOTFOUND) {
            reject(rejected, row, e.field, e.msg);
            continue;
        }
        if (st != LW_OK) {
            *err = e;
            free(lines);
            json_decref(records);
            json_decref(rejected);
            arena_free(a);
            return st;
        }
        l->g.referral_id = (int64_t)rid;
        l->g.entered_by = o->user_id;
        l->g.entered_at = o->now;
        nlines++;
    }
    json_decref(records);
    arena_free(a);
    int64_t imported = 0, updated = 0;
    lw_status st = LW_OK;
    if (json_array_size(rejected) > 0) {
        json_t *first = json_array_get(rejected, 0);
        st = lw_fail(err, LW_EINVAL, "file",
                     "%zu row(s) are wrong (the first: line %lld, %s: %s); nothing was imported",
                     json_array_size(rejected),
                     (long long)json_integer_value(json_object_get(first, "row")),
                     json_string_value(json_object_get(first, "field")),
                     json_string_value(json_object_get(first, "reason")));
    } else if (nlines == 0) {
        st = lw_fail(err, LW_EINVAL, "file", "has no rows after the header: nothing to import");
    } else {
        st = store_begin(db, err);
        for (size_t i = 0; st == LW_OK && i < nlines; i++) {
            int64_t id = 0;
            int upd = 0;
            st = store_gp_put(db, &lines[i].g, &id, &upd, err);
            if (st == LW_OK && o->audit_row)
                st = o->audit_row(db, o->ctx, id, upd, err);
            if (upd)
                updated++;
            else
                imported++;
        }
        if (st == LW_OK && o->before_commit)
            st = o->before_commit(db, o->ctx, err);
        if (st == LW_OK)
            st = store_commit(db, err);
        if (st != LW_OK) {
            store_rollback(db);
            imported = updated = 0;
        }
    }
    free(lines);
    *report = json_pack("{s:I, s:I, s:o}", "imported", (json_int_t)imported, "updated",
                        (json_int_t)updated, "rejected", rejected);
    return st;
}

char *gp_report_text(const json_t *report) {
    size_t cap = 256, len = 0;
    char *s = malloc(cap);
    s[0] = '\0';
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(report, "rejected"), i, e) {
        const char *f = json_string_value(json_object_get(e, "field"));
        const char *why = json_string_value(json_object_get(e, "reason"));
        size_t need = strlen(f ? f : "") + strlen(why ? why : "") + 64;
        while (len + need >= cap)
            s = realloc(s, cap *= 2);
        len += (size_t)snprintf(s + len, cap - len, "line %lld: %s: %s\n",
                                (long long)json_integer_value(json_object_get(e, "row")),
                                f ? f : "", why ? why : "");
    }
    while (len + 96 >= cap)
        s = realloc(s, cap *= 2);
    snprintf(s + len, cap - len, "gp consultations: %lld imported, %lld updated, %zu rejected\n",
             (long long)json_integer_value(json_object_get(report, "imported")),
             (long long)json_integer_value(json_object_get(report, "updated")),
             json_array_size(json_object_get(report, "rejected")));
    return s;
}
