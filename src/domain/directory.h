/*
 * The community directory's model and rules: the HSDS 3.0 (UK profile) objects
 * linkwell keeps (as a table of entities and fields that both the importer in
 * io/ and the store's row mapping in store/directory.c read), the need domains,
 * cost bands, capacity statuses, staleness, and the small text rules an import
 * needs (HTML reduced to text, UK postcodes, dates, times, ids). Pure: no I/O,
 * no clock (times are passed in).
 */
#ifndef LW_DOMAIN_DIRECTORY_H
#define LW_DOMAIN_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* ---- the HSDS model ---- */
typedef enum dir_ftype {
    DF_TEXT,     /* free text: HTML reduced to text, whitespace collapsed */
    DF_CODE,     /* a short code or identifier-like text, kept as given (trimmed) */
    DF_INT,      /* a whole number (ages, counts) */
    DF_COORD,    /* degrees on the wire, integer micro-degrees in the store */
    DF_MONEY,    /* an amount on the wire, integer pence in the store */
    DF_DATE,     /* "YYYY-MM-DD" */
    DF_DATETIME, /* ISO 8601 on the wire, milliseconds in the store */
    DF_TIME,     /* "HH:MM:SS" */
    DF_URL,      /* an absolute http(s) URL */
    DF_EMAIL,
    DF_REF, /* the id of another record (a UUID; other ids are mapped to one) */
} dir_ftype;

typedef struct dir_field {
    const char *name; /* the HSDS member */
    const char *col;  /* the column, when it differs */
    dir_ftype type;
    unsigned maxlen; /* for text: longer values are cut (0: LW_DIR_TEXT_MAX) */
} dir_field;

typedef struct dir_entity dir_entity;
/* A member holding another root record inline (service.organization), kept as a
 * reference (organization_id) once the record is imported on its own. */
typedef struct dir_inline {
    const char *key;            /* "organization" */
    const char *ref;            /* "organization_id" */
    const dir_entity *const *e; /* the root entity it is */
} dir_inline;

struct dir_entity {
    const char *key;         /* the member that holds a list of these in the parent ("phones") */
    const char *kind;        /* owner_kind of the rows under it ("phone") */
    const char *table;       /* SQL table */
    int root;                /* 1: a root record keyed by id; 0: nested rows (root_id, owner_...) */
    const dir_field *fields; /* without "id"; NULL name ends */
    const dir_entity *const *children; /* NULL-terminated */
    const dir_inline *inlines;         /* NULL key ends; may be NULL */
};

extern const dir_entity dir_service_entity;
extern const dir_entity dir_organization_entity;
extern const dir_entity dir_location_entity;
extern const dir_entity dir_taxonomy_entity;
extern const dir_entity dir_taxonomy_term_entity;
/* Every nested (non-root) entity, NULL-terminated: the tables an import rewrites. */
extern const dir_entity *const dir_nested_entities[];

#define LW_DIR_TEXT_MAX 4000
#define LW_DIR_DESCRIPTION_MAX 20000
#define LW_DIR_NAME_MAX 300

/* ---- linkwell's vocabularies ---- */
#define LW_DOMAIN_COUNT 15
/* "isolation", "mood", ... (DESIGN.md), by index; NULL past the end. */
const char *dir_domain_name(int i);
/* -1 when unknown. */
int dir_domain_parse(const char *s);
/* Parses "isolation,mood" into a bit mask; -1 with ERR naming FIELD when a name
 * is unknown. */
lw_status dir_domains_parse(const char *list, const char *field, uint32_t *mask,
                            lw_error *err) LW_MUST_CHECK;

/* The built-in word → need domain defaults: pattern and domain pairs, NULL-ended. */
typedef struct dir_domain_rule {
    const char *pattern; /* lower case; matched as a word prefix in a name */
    const char *domain;
} dir_domain_rule;
extern const dir_domain_rule dir_domain_defaults[];
/* The domains TEXT (a service or taxonomy term name) speaks of, by RULES (N of
 * them, checked after the defaults, and winning over them for the same pattern). */
uint32_t dir_domains_for_text(const char *text, const dir_domain_rule *rules, int n);

int dir_status_valid(const char *s);          /* active | inactive | defunct | temporarily closed */
int dir_capacity_status_valid(const char *s); /* capacity | no_capacity | waitlist */
int dir_cost_band_valid(const char *s);       /* free | low | paid */
int dir_setting_valid(const char *s);         /* group | one_to_one | either */

/* The cost band of a service from its cheapest cost option (pence; -1: none) and
 * its fees text (may be NULL): free when it costs nothing, low up to £5 a time,
 * else paid; NULL when nothing says. */
const char *dir_cost_band(int64_t cheapest_pence, const char *fees_text);

/* A listing not checked for 12 months (365 days) is stale; LAST_CHECKED 0 means
 * never checked, which is stale. */
#define LW_DIR_STALE_MS (365LL * 24 * 3600 * 1000)
int dir_is_stale(int64_t last_checked, int64_t now);

/* ---- text rules for imports ---- */
/* Tags removed (block tags become spaces, <script>/<style> dropped with their
 * content), character references decoded, control characters dropped,
 * whitespace collapsed and trimmed, invalid UTF-8 replaced; at most MAX bytes
 * (cut at a character boundary). Returns a malloc'd string; *CUT set when it
 * was shortened. */
char *dir_text_clean(const char *in, size_t len, size_t max, int *cut);

/* Whether dir_text_clean() would return S unchanged (no markup, references, control
 * characters, runs of spaces, edge spaces or invalid UTF-8, and at most MAX bytes). */
int dir_text_is_clean(const char *s, size_t len, size_t max);

/* A UK postcode normalised to "OUTCODE INCODE" ("S60 1AE") or an outcode alone
 * ("S60") into OUT (at least 9 bytes). 0 on success, -1 when S is not one. */
int dir_postcode_normalise(const char *s, char out[9]);
/* The outcode of a normalised postcode into OUT (at least 5 bytes). */
void dir_postcode_outcode(const char *norm, char out[5]);

/* The centre of the postcode district of POSTCODE (a full postcode or an
 * outcode), from the shipped table; -1 when it is not a postcode or its district
 * is not in the table. */
int dir_postcode_locate(const char *postcode, int64_t *lat_e6, int64_t *lon_e6);

/* Dates: "YYYY-MM-DD", "YYYY/MM/DD", "DD/MM/YYYY", "DD-MM-YYYY", "D Month YYYY" and
 * ISO date-times → "YYYY-MM-DD" in OUT (11 bytes); -1 when not a real date. */
int dir_date_parse(const char *s, char out[11]);
/* Times: "HH:MM", "HH:MM:SS", "H.MM", "9am", "5:30pm" → "HH:MM:SS" (9 bytes); -1 else. */
int dir_time_parse(const char *s, char out[9]);
/* Minutes since midnight of a canonical "HH:MM:SS"; -1 when S is NULL or bad. */
int dir_time_minutes(const char *s);
/* "MO".."SU" → 0..6; also full English day names; -1 else. */
int dir_day_parse(const char *s);
/* A byday list ("MO,WE" or "Monday, Wednesday") → bit mask of days (bit 0 Monday). */
unsigned dir_byday_mask(const char *s);

int dir_is_uuid(const char *s);
/* A stable UUID (version 8, from SHA-256) for a foreign id that is not one, so
 * the same source id always maps to the same linkwell id. KIND separates
 * namespaces ("service", "organization", ...). OUT: 37 bytes. */
void dir_uuid_for(const char *kind, const char *id, char out[37]);

/* An absolute http(s) URL without spaces. */
int dir_url_valid(const char *s);
/* One @, a dot in the domain, no spaces. */
int dir_email_valid(const char *s);

/* Great-circle distance in metres between two points in micro-degrees. */
double dir_distance_m(int64_t lat1_e6, int64_t lon1_e6, int64_t lat2_e6, int64_t lon2_e6);

#endif
