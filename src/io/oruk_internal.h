/*
 * Shared by the import's two halves (oruk_clean.c: turning a source's records into
 * the canonical shape of the model; oruk_import.c: reading sources and writing, on
 * two threads). Not for use outside io/.
 */
#ifndef LW_IO_ORUK_INTERNAL_H
#define LW_IO_ORUK_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "io/oruk.h"
#include "store/directory.h"

typedef struct counts {
    int64_t n[3]; /* by lw_dir_outcome */
} counts;

typedef struct imp {
    const char *file;
    json_t *rejected, *warnings;
    int64_t nwarn;
    int max_lines;
    /* Inline records found while cleaning the current service, written before it. */
    json_t *orgs, *locs, *terms, *taxes; /* id → canonical document */
    json_t *cleaned;                     /* "kind:id" of every record cleaned */
    json_t *term_names;                  /* taxonomy term id → name, for need domains */
    json_t *svc_seen;                    /* id → the path where it was first seen */
    int64_t nrejected;
    /* Writing (NULL db: cleaning only, for oruk_clean_service). */
    lw_db *db;
    const oruk_options *opt;
    lw_status st;
    lw_error *err;
    counts orgc, locc, termc, taxc, svcc;
    dir_domain_rule *rules;
    int nrules;
    lw_arena *ra;
    int64_t nsvc;
    int empty[5]; /* the table of each root entity was empty when the import began */
    /* The reader (a thread) cleans services into a queue; the caller's thread writes them. */
    json_t *w_orgs;      /* the writer's: organisations written or found in the directory */
    json_t *domain_memo; /* the writer's: need domains (a mask) of each text seen */
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_take;
    struct queued *ring;
    size_t head, count, cap;
    /* Written items go back to the reader to be freed: memory is freed by the thread
     * that allocated it (glibc's arenas would otherwise contend). */
    struct queued *spent;
    size_t nspent, capspent;
    int done;
    atomic_int abort;
} imp;

/* A cleaned service and the records it brought, on their way to the writer. */
typedef struct queued {
    json_t *svc;
    json_t *pend[4]; /* taxonomies, terms, organisations, locations: id → document */
    lw_dir_extra x;
    char text[512]; /* the words its need domains are found in */
    char hash[65];  /* of svc, made by the reader */
    /* The hashes of the documents in pend[0..3], in that order (the maps' own order):
     * in phash_in when there are at most 4, else in phash_heap. */
    size_t npend;
    char phash_in[4][65];
    char (*phash_heap)[65];
} queued;

/* Both lists of the report (rejected and warnings) are capped; FMT says why. */
void oruk_note(imp *m, json_t *list, const char *id, const char *path, const char *fmt, ...)
    LW_PRINTF(5, 6);
/* The text of a scalar (strings as they are, numbers printed); NULL otherwise. malloc'd. */
char *oruk_scalar_text(json_t *v);
/* Whether a record of KIND with ID was already cleaned in this import, and marking it. */
int oruk_seen_root(imp *m, const char *kind, const char *id);
void oruk_mark_root(imp *m, const char *kind, const char *id);
/* A root record (service, organisation, ...) in canonical form (a new reference), or
 * NULL with *REJECTED set and the reason in the report. FALLBACK_ID (may be NULL)
 * is used when it has no id. Records it holds inline go into M's pending maps. */
json_t *oruk_clean_root(imp *m, const dir_entity *e, json_t *in, const char *path,
                        const char *fallback_id, int *rejected);
/* The JSON value in BUF (LEN bytes; white space around it allowed) as jansson's
 * json_loadb(JSON_ALLOW_NUL | JSON_DECODE_ANY) reads it, only faster (oruk_parse.c);
 * NULL when it is not sure it would read it the same: then use json_loadb. */
json_t *oruk_parse_fast(const char *buf, size_t len);
void oruk_imp_init(imp *m, int max_lines);
void oruk_imp_free(imp *m);

#endif
