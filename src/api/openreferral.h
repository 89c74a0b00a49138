/*
 * Shared by the public Open Referral UK API's handlers (openreferral.c) and its
 * streamed answers (openreferral_stream.c): the shapes of list items, and the
 * producers that write a whole list after the handler has returned.
 *
 * A streamed list holds only what it needs to go on: its own reference to a
 * snapshot of the search index (the services, their places), the matching
 * services' numbers, copies of its filters, and one batch of text at a time.
 * Records it reads from the store (taxonomies, terms, organisations, services
 * in full) are read a batch at a time on a pooled connection it takes and gives
 * back for each batch, so a slow client never holds a connection.
 */
#ifndef LW_API_OPENREFERRAL_H
#define LW_API_OPENREFERRAL_H

#include "api/directory.h"
#include "store/directory.h"

/* What each item of a list is. */
typedef enum oruk_shape {
    ORUK_ITEM,          /* the list item the standard defines (the default) */
    ORUK_MINIMAL,       /* services: id, name, status, modified_date, last_modified */
    ORUK_FULL,          /* fully nested: as the record by id gives it */
    ORUK_FULL_SERVICES, /* organisations: fully nested with each service in full */
} oruk_shape;

/* ---- items ---- */
/* The validator's schemas require a description on these; linkwell may not have one. */
void oruk_with_description(json_t *o);
/* The minimal item's text (malloc'd) of a service from its list item's text
 * (search_oruk_json()): {"id","name","status","modified_date","last_modified"}. */
char *oruk_minimal_text(const char *item_json);
/* Attaches "services" to the organisation O (its record): the list items of its services
 * in IX, or with FULL each service in full (read from DB). */
lw_status oruk_org_services(lw_db *db, lw_arena *a, const search_index *ix, json_t *o, int full,
                            lw_error *err) LW_MUST_CHECK;
/* The same with its services given: the N service numbers SVCS of IX, in order. */
lw_status oruk_org_services_of(lw_db *db, lw_arena *a, const search_index *ix, json_t *o, int full,
                               const int *svcs, size_t n, lw_error *err) LW_MUST_CHECK;
/* In OBJ, a compact JSON object's text, the value of its top-level member KEY when that is
 * a string: *LEN bytes from the result, quotes and escapes as they are; NULL otherwise. */
const char *oruk_member_string(const char *obj, const char *key, size_t *len);
/* The service_at_location items of service SVC of IX in full (each with its location
 * and its service), appended to ARR. */
lw_status oruk_sal_full_items(lw_db *db, lw_arena *a, const search_index *ix, int svc, json_t *arr,
                              lw_error *err) LW_MUST_CHECK;

/* ---- streams (api_producer / api_stream_free) ---- */
typedef struct oruk_stream oruk_stream;

/* Services (SALS 0) or their service_at_locations (SALS 1): the hits of R (taken: R is left
 * empty) on SNAP (its reference is taken) in SHAPE. HEAD NULL: ndjson, one item a line;
 * else a paged object: HEAD (copied: the paging members up to "contents":[), the items,
 * and "]}". */
oruk_stream *oruk_stream_services(lw_app *app, dir_snap *snap, search_result *r, int sals,
                                  oruk_shape shape, const char *head);
/* Every record of E the filter F (copied) finds, as ndjson, in id order. SNAP (taken; may
 * be NULL unless SHAPE is full and E organisations) gives organisations their services. */
oruk_stream *oruk_stream_records(lw_app *app, const dir_entity *e, const lw_dir_list_filter *f,
                                 oruk_shape shape, dir_snap *snap);
long oruk_stream_read(void *ctx, char *buf, size_t max);
void oruk_stream_free(void *ctx); /* NULL is fine */

#endif
