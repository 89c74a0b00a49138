/*
 * The directory's search index: an in-memory inverted index over services
 * (name, description, organisation name and taxonomy term names, weighted),
 * ranked by BM25, with every filter the Open Referral UK API and link workers
 * need evaluated on compact per-service data. Built once from the store by a
 * builder (api/directory_index.c) and then read by any number of threads
 * without locks: an index never changes after search_build() — a changed
 * directory gets a new index.
 *
 * Pure: no I/O, no clock (the time for staleness is passed in).
 * Ownership: the index owns copies of everything added; search_free() frees it.
 * Results point into the index and live as long as it does.
 */
#ifndef LW_DOMAIN_SEARCH_H
#define LW_DOMAIN_SEARCH_H

#include <stddef.h>
#include <stdint.h>

typedef struct search_index search_index;

/* ---- building ---- */
typedef struct search_svc {
    const char *id, *organization_id, *name, *description, *organization_name;
    int minimum_age, maximum_age; /* -1: none */
    int64_t modified;             /* ms: last_modified, or when linkwell last changed it */
    const char *status;           /* active | inactive | defunct | temporarily closed */
    const char *capacity_status;
    const char *cost_band; /* NULL: unknown */
    const char *setting;   /* NULL: unknown */
    uint32_t domains;      /* bit mask of need domains */
    int mental_health_ready;
    int64_t last_checked; /* ms; 0: never */
    int64_t managed_by;   /* the linkwell organisation that keeps it; 0: none */
    int64_t capacity;     /* places; -1: not said */
    /* The Open Referral list item shown for it ("{...}"), copied. linkwell's own members
     * are written from the fields above (search_lw_fields()), not kept as text. */
    const char *oruk_json;
} search_svc;

search_index *search_new(void);
/* A taxonomy term (in any order; parents may come later). */
void search_add_term(search_index *ix, const char *id, const char *name, const char *parent_id,
                     const char *taxonomy_id);
/* Services; returns its number for the calls below. */
int search_add_service(search_index *ix, const search_svc *s);
void search_service_term(search_index *ix, int svc, const char *term_id);
/* A place the service is delivered at (micro-degrees), and the service_at_location it
 * is (its id and its location's, copied; SAL_ID NULL: none to list, LOCATION_ID NULL:
 * none). */
void search_service_location(search_index *ix, int svc, int64_t lat_e6, int64_t lon_e6,
                             int has_point, const char *sal_id, const char *location_id);
/* When it runs: days (bit 0 Monday), minutes since midnight (-1: not said). */
void search_service_schedule(search_index *ix, int svc, unsigned days, int opens, int closes);
/* Finishes the index (tokenising, postings); nothing may be added after. */
void search_build(search_index *ix);
void search_free(search_index *ix); /* NULL is fine */

size_t search_count(const search_index *ix);
size_t search_memory(const search_index *ix); /* bytes held, roughly */
/* The number of the service with ID, or -1. */
int search_find(const search_index *ix, const char *id);
/* Whether a taxonomy term / taxonomy with that id is known. */
int search_term_known(const search_index *ix, const char *term_id);
int search_taxonomy_known(const search_index *ix, const char *taxonomy_id);

/* ---- searching ---- */
typedef enum search_order {
    SEARCH_ORDER_AUTO,
    SEARCH_ORDER_RELEVANCE,
    SEARCH_ORDER_DISTANCE
} search_order;

typedef struct search_query {
    const char *words;            /* NULL or "": no word filter */
    const char *taxonomy_term_id; /* services with this term or a term under it */
    const char *taxonomy_id;
    const char *organization_id;
    int64_t modified_after; /* ms; 0: any */
    int minimum_age;        /* ORUK: service minimum_age >= this; -1: any */
    int maximum_age;        /* ORUK: service maximum_age <= this; -1: any */
    int age;                /* eligible at this age; -1: any */
    int day;                /* 0..6; -1: any */
    int start_time;         /* minutes; a schedule opening at or after; -1: any */
    int end_time;           /* minutes; a schedule closing at or before; -1: any */
    int has_point;
    int64_t lat_e6, lon_e6;
    double radius_m;            /* with a point: only within this distance; 0: any */
    uint32_t domains;           /* any of these need domains; 0: any */
    unsigned cost_bands;        /* bit 0 free, 1 low, 2 paid; 0: any */
    unsigned capacity_statuses; /* bit 0 capacity, 1 no_capacity, 2 waitlist; 0: any */
    unsigned statuses;       /* bit 0 active, 1 inactive, 2 defunct, 3 temporarily closed; 0: any */
    int setting;             /* 0 any, 1 group, 2 one_to_one (each includes "either") */
    int stale;               /* -1 any, 0 only current, 1 only stale */
    int mental_health_ready; /* 1: only those prepared; 0: any */
    int64_t managed_by;      /* only services kept by this organisation; 0: any */
    int64_t now;             /* for staleness */
    search_order order;
    int page, per_page; /* 1-based */
} search_query;

void search_query_init(search_query *q);

typedef struct search_hit {
    int svc; /* the number search_add_service() gave it (not the index's inner order) */
    double score;
    double distance_m; /* -1 without a point or a located place */
} search_hit;

typedef struct search_result {
    size_t total;     /* every match */
    search_hit *hits; /* this page, malloc'd: free with search_result_free() */
    size_t nhits;
} search_result;

void search_run(const search_index *ix, const search_query *q, search_result *out);
void search_result_free(search_result *r);

/* What a hit shows. */
const char *search_oruk_json(const search_index *ix, int svc);
/* linkwell's own fields of a service, as the index holds them (strings point into it). */
typedef struct search_lw {
    const char *organization_id, *organization_name;   /* NULL: none */
    int64_t managed_by;                                /* 0: none */
    int capacity;                                      /* -1: not said */
    const char *capacity_status, *cost_band, *setting; /* NULL: not said */
    uint32_t domains;
    int mental_health_ready;
    int64_t last_checked; /* ms; 0: never */
} search_lw;
void search_lw_fields(const search_index *ix, int svc, search_lw *out);
int search_is_stale(const search_index *ix, int svc, int64_t now);
const char *search_id(const search_index *ix, int svc);
/* The service_at_locations of a service: how many, and the id of the Kth (0-based) with
 * its location's id (NULL: none) in *LOCATION_ID. */
size_t search_sal_count(const search_index *ix, int svc);
const char *search_sal(const search_index *ix, int svc, size_t k, const char **location_id);

/* The query in a normal form, for a cache of results: two queries with the same key
 * get the same results from the same index (words are compared as search_run() sees
 * them, after tokenising). Writes at most SIZE bytes (NUL included) into BUF and
 * returns the key's length; 0 when the query must not be cached (its results depend
 * on the time: the staleness filter) or the key does not fit. */
size_t search_query_key(const search_query *q, char *buf, size_t size);

/* Token rules shared with tests: lower-cased ASCII words, a light English stemmer. */
size_t search_tokenise(const char *text, char (*out)[32], size_t max);

#endif
