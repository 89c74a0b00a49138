/*
 * Open Referral UK / HSDS 3.0 in and out.
 *
 * Import (oruk_import.c, oruk_clean.c, oruk_v1.c, csv.c): HSDS 3.0 JSON (a paged
 * list object, an array, a single service, an organisation with its services),
 * the older ORUK v1 JSON (services with nested organization,
 * service_at_locations, regular_schedules, eligibilitys, cost_options,
 * service_taxonomys, ...), and the HSDS CSV datapackage (a folder with
 * datapackage.json and one CSV per table). Every source is first turned into
 * HSDS 3.0 service documents, then cleaned into the canonical shape of the
 * model (domain/directory.h): HTML reduced to text, dates and times in one
 * form, ids made UUIDs, unusable values dropped with a warning, unusable
 * records rejected with their path and reason. Everything is written in one
 * transaction; unchanged records are skipped, so a second import of the same
 * file changes nothing.
 *
 * Export (oruk_export.c): the documents the public /openreferral/ API serves.
 */
#ifndef LW_IO_ORUK_H
#define LW_IO_ORUK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/directory.h"
#include "store/store.h"
#include "util/error.h"

/* Input from memory (BUF, LEN bytes; NAME names it in the report) or a path
 * (a JSON file, a folder holding datapackage.json, or datapackage.json). */
typedef struct oruk_source {
    const char *name;
    const char *path; /* NULL: BUF */
    const char *buf;
    size_t len;
} oruk_source;

typedef struct oruk_options {
    int64_t now;
    /* Called every 10,000 services with the number done (TOTAL is -1: sources are
     * read as they are written); may be NULL. */
    void (*progress)(int64_t done, int64_t total, void *ctx);
    void *ctx;
    int max_report_lines; /* 0: 1000 */
    /* Runs inside the import's transaction just before it commits (the audit row). */
    lw_status (*before_commit)(lw_db *db, void *ctx, lw_error *err);
    void *before_ctx;
} oruk_options;

/* Reads, cleans and writes SOURCES in one transaction on DB (which must not be
 * in one). On success *REPORT is a new JSON object:
 *   {"services": {"imported", "updated", "unchanged", "rejected"},
 *    "organizations": {...}, "locations": {...}, "taxonomy_terms": {...},
 *    "rejected": [{"file", "id", "path", "reason"}], "warnings": [...same...],
 *    "warnings_total": N}
 * A source that cannot be read (not JSON, truncated, not an Open Referral
 * document, a missing file) fails the whole import with LW_EINVAL naming it,
 * and nothing is written. */
lw_status oruk_import(lw_db *db, const oruk_source *sources, int n, const oruk_options *opt,
                      json_t **report, lw_error *err) LW_MUST_CHECK;

/* Cleans one service document given by a person (the API): the canonical
 * document in *DOC, or LW_EINVAL naming the first member that had to be dropped
 * or made the record unusable (nothing is dropped silently). */
lw_status oruk_clean_service(json_t *raw, json_t **doc, lw_error *err) LW_MUST_CHECK;

/* The report as text lines (for the command line): one line per rejection
 * ("FILE: services[12].name: empty (id X)") and warning, then the totals. */
char *oruk_report_text(const json_t *report);

/* ---- internals shared by the import files ---- */
/* An ORUK v1 service turned into an HSDS 3.0 one (new reference). */
json_t *oruk_v1_to_v3(json_t *v1);
/* Whether an item looks like ORUK v1. */
int oruk_is_v1(json_t *item);
/* The services of a CSV datapackage folder DIR, as HSDS 3.0 documents (a new
 * array); LW_EINVAL naming the file when one cannot be read. */
lw_status oruk_csv_read(const char *dir, json_t **out, lw_error *err) LW_MUST_CHECK;

/* ---- export ---- */
/* The full HSDS 3.0 service ID with its organization, service_at_locations (with
 * their locations) and attributes (with their taxonomy terms) inline. */
lw_status oruk_service_full(lw_db *db, lw_arena *a, const char *id, json_t **out,
                            lw_error *err) LW_MUST_CHECK;
/* The service_at_location SAL_ID of the full service SVC (oruk_service_full(); borrowed) in
 * full, as GET /openreferral/service_at_locations/{id} serves it: the record with its
 * location, its service_id and its service in full (a copy). A new reference; NULL when
 * SVC has no such service_at_location. */
json_t *oruk_sal_full(json_t *svc, const char *sal_id);

#endif
