/*
 * The community directory in the store (directory.c): HSDS documents written
 * and read whole, linkwell's own fields on services, the need-domain mapping,
 * the directory version every serve process watches, and the scans the
 * search index is built from.
 *
 * Documents are jansson objects in the canonical HSDS 3.0 shape that io/
 * produces (only the members of the model in domain/directory.h, typed as it
 * says, inline root records replaced by their ids). store_dir_put() borrows
 * the document; store_dir_get()/store_dir_list() return new references the
 * caller owns. Everything else follows store.h: strings live in the arena
 * passed in.
 */
#ifndef LW_STORE_DIRECTORY_H
#define LW_STORE_DIRECTORY_H

#include <jansson.h>

#include "domain/directory.h"
#include "store/store.h"

typedef enum lw_dir_outcome { LW_DIR_NEW, LW_DIR_UPDATED, LW_DIR_UNCHANGED } lw_dir_outcome;

/* What linkwell keeps beside a document (X may be NULL: nothing). */
typedef struct lw_dir_extra {
    const char *postcode;     /* locations: the normalised postcode it is found by */
    const char *need_domains; /* services: "isolation,mood"; set only when the service is new */
    const char *cost_band;    /* services: set only when new */
    int64_t last_checked_at;  /* services: set only when new; 0: never */
    int known_new;    /* the caller knows no record has this id (an empty table): skip the lookup */
    const char *hash; /* dir_doc_hash() of the document, when the caller has it; else NULL */
} lw_dir_extra;

/* Inserts or replaces the root record DOC of entity E (and every nested object
 * under it) unless its content hash is the stored one (*OUT LW_DIR_UNCHANGED). */
lw_status store_dir_put(lw_db *db, const dir_entity *e, json_t *doc, const lw_dir_extra *x,
                        int64_t now, lw_dir_outcome *out, lw_error *err) LW_MUST_CHECK;
/* Sets the normalised postcode a location is found by (NULL: none). */
lw_status store_dir_location_postcode(lw_db *db, const char *id, const char *postcode,
                                      lw_error *err) LW_MUST_CHECK;
/* The whole document of root record ID; LW_ENOTFOUND when there is none. */
lw_status store_dir_get(lw_db *db, lw_arena *a, const dir_entity *e, const char *id, json_t **out,
                        lw_error *err) LW_MUST_CHECK;

#define LW_DIR_SEARCH_WORDS_MAX 16
typedef struct lw_dir_list_filter {
    const char *parent_id;   /* taxonomy terms: children of this term */
    const char *taxonomy_id; /* taxonomy terms: of this taxonomy */
    int top_only;            /* taxonomy terms: only those without a parent */
    /* Words (lower-case; at most LW_DIR_SEARCH_WORDS_MAX) that must each occur, as text,
     * in the name or description, or an organisation's alternate_name, or a term's code or
     * taxonomy (its vocabulary); ASCII letters compare case-insensitively. */
    const char *const *words;
    int nwords;
    /* Keyset paging for streams: only ids after this ("" for the first batch), ordered by
     * id (PG.page is then 1); NULL: ordered by name, paged by PG. */
    const char *after_id;
} lw_dir_list_filter;
/* A page of root records of E (without nested objects), by name; a JSON array. TOTAL may be
 * NULL (not counted). */
lw_status store_dir_list(lw_db *db, lw_arena *a, const dir_entity *e, const lw_dir_list_filter *f,
                         lw_page pg, json_t **out, int64_t *total, lw_error *err) LW_MUST_CHECK;

/* The SHA-256 (hex) of a canonical document, as stored in content_hash. */
void dir_doc_hash(json_t *doc, char out[65]);
/* Wire forms of stored numbers, shared with the exporters. */
json_t *dir_json_coord(int64_t e6);
json_t *dir_json_money(int64_t pence);
json_t *dir_json_datetime(int64_t ms);

/* ---- linkwell's own fields on a service ---- */
typedef struct lw_service_local {
    int64_t capacity; /* -1: unknown */
    int capacity_set; /* store_service_local_set: 1 to write capacity */
    const char *capacity_status;
    const char *cost_band;
    const char *need_domains; /* "isolation,mood" */
    int mental_health_ready;  /* -1: unchanged (set) */
    const char *setting;
    int64_t last_checked_at;
    const char *status;
    int64_t managed_by;          /* get only */
    const char *organization_id; /* get only */
} lw_service_local;

/* After an import: fills need domains, cost band and last-checked date only
 * where nobody has set them yet. */
lw_status store_service_local_init(lw_db *db, const char *id, const char *need_domains,
                                   const char *cost_band, int64_t last_checked,
                                   lw_error *err) LW_MUST_CHECK;
/* NULL strings, capacity_set 0, mental_health_ready -1 and last_checked_at 0 leave a
 * field as it is. LW_ENOTFOUND when there is no such service. */
lw_status store_service_local_set(lw_db *db, const char *id, const lw_service_local *l,
                                  lw_error *err) LW_MUST_CHECK;
lw_status store_service_local_get(lw_db *db, lw_arena *a, const char *id, lw_service_local *l,
                                  lw_error *err) LW_MUST_CHECK;

/* Which linkwell organisation (0: none, admins only) keeps a directory organisation's listings. */
lw_status store_dir_org_manage(lw_db *db, const char *dir_org_id, int64_t organisation_id,
                               lw_error *err) LW_MUST_CHECK;
lw_status store_dir_org_managed_by(lw_db *db, lw_arena *a, const char *dir_org_id, int64_t *out,
                                   lw_error *err) LW_MUST_CHECK;

/* Whether E's table has no rows (an import into an empty directory skips lookups). */
lw_status store_dir_empty(lw_db *db, const dir_entity *e, int *empty, lw_error *err) LW_MUST_CHECK;
/* Drops (DROP 1) or creates again (0) the directory's secondary indexes, inside the
 * caller's transaction: an import into an empty directory builds them once at the end
 * instead of updating them a million times. */
lw_status store_dir_indexes(lw_db *db, int drop, lw_error *err) LW_MUST_CHECK;
/* Tunes the connection for a large import and back: SQLite gets a 32 MiB page cache
 * and no memory map while it imports (then its own settings again, as SAVED recorded
 * them); PostgreSQL nothing. */
typedef struct lw_dir_bulk {
    int set;
    int64_t cache_size, mmap_size;
} lw_dir_bulk;
lw_status store_dir_bulk_begin(lw_db *db, lw_dir_bulk *saved, lw_error *err) LW_MUST_CHECK;
void store_dir_bulk_end(lw_db *db, const lw_dir_bulk *saved);

/* ---- the directory version (one row, bumped by every change) ---- */
lw_status store_dir_bump(lw_db *db, int64_t now, lw_error *err) LW_MUST_CHECK;
lw_status store_dir_version(lw_db *db, int64_t *out, lw_error *err) LW_MUST_CHECK;
/* The service whose document holds the service_at_location with the HSDS id SAL_ID
 * (*OUT in A); LW_ENOTFOUND when there is none. */
lw_status store_dir_sal_service(lw_db *db, lw_arena *a, const char *sal_id, const char **out,
                                lw_error *err) LW_MUST_CHECK;

/* ---- the need-domain mapping: rows that add to the built-in defaults ---- */
lw_status store_dir_domain_rules(lw_db *db, lw_arena *a, dir_domain_rule **out, int *n,
                                 lw_error *err) LW_MUST_CHECK;
lw_status store_dir_domain_rule_put(lw_db *db, const char *pattern, const char *domain,
                                    lw_error *err) LW_MUST_CHECK;

/* ---- scans for the search index (keyset paged) ---- */
typedef struct lw_dir_svc {
    const char *id, *organization_id, *organization_name, *name, *description, *status, *url,
        *email;
    int64_t minimum_age, maximum_age; /* -1: none */
    int64_t last_modified, modified_at;
    int64_t capacity; /* -1: unknown */
    const char *capacity_status, *cost_band, *need_domains;
    int mental_health_ready;
    const char *setting;
    int64_t last_checked_at;
    const char *fees, *accreditations, *assured_date, *assurer_email, *alert;
    int64_t managed_by;
} lw_dir_svc;

/* Services with an id after AFTER ("" or NULL: from the start), by id, at most LIMIT. */
lw_status store_dir_scan_services(lw_db *db, lw_arena *a, const char *after, int limit,
                                  lw_dir_svc **out, int *n, lw_error *err) LW_MUST_CHECK;

typedef enum lw_dir_link_kind {
    LW_DIR_LINK_TERMS,     /* v: taxonomy_term_id */
    LW_DIR_LINK_LOCATIONS, /* v: service_at_location id, location_id, lat_e6, lon_e6, postcode */
    LW_DIR_LINK_SCHEDULES, /* v: byday, opens_at, closes_at, freq */
} lw_dir_link_kind;
typedef struct lw_dir_link {
    const char *row; /* the key to continue after */
    const char *service_id;
    const char *v[5];
} lw_dir_link;
lw_status store_dir_scan_links(lw_db *db, lw_arena *a, lw_dir_link_kind kind, const char *after,
                               int limit, lw_dir_link **out, int *n, lw_error *err) LW_MUST_CHECK;

typedef struct lw_dir_term {
    const char *id, *name, *parent_id, *taxonomy_id, *code;
} lw_dir_term;
lw_status store_dir_terms(lw_db *db, lw_arena *a, lw_dir_term **out, int *n,
                          lw_error *err) LW_MUST_CHECK;

#endif
