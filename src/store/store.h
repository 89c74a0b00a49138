/*
 * The store: everything linkwell keeps, behind one interface. Callers (api/,
 * cli/) see only this header; SQL lives in the files of store/ and the backend (SQLite
 * now, PostgreSQL later) is chosen by the URL given to store_open().
 *
 * Ownership, once for the whole interface: every string or array a store
 * function returns lives in the lw_arena the caller passed to it; nothing
 * returned needs freeing on its own.
 *
 * Concurrency: an lw_store is shared by all threads; an lw_db (one pooled
 * connection) is used by one thread at a time, between store_acquire() and
 * store_release(). Writes that must commit together run between store_begin()
 * and store_commit(); a request's audit rows are written in the same
 * transaction as the change they describe.
 */
#ifndef LW_STORE_H
#define LW_STORE_H

#include <stdint.h>

#include "util/arena.h"
#include "util/error.h"

typedef struct lw_store lw_store;
typedef struct lw_db lw_db;

typedef struct lw_store_options {
    int pool_size; /* connections; 0 means 4 */
    int create;    /* create the database if it does not exist (init only) */
    /* Group commit (store/batch.c): a batch waits for the last one's sync to end before
     * it commits, so there is one commit per sync. For cheap jobs (the reads' audit
     * rows): fewer, larger commits. Off (the default), a batch commits at once and its
     * sync overlaps the next batch's work: for jobs whose commit is dear (a referral),
     * measured faster. */
    int commit_per_sync;
    /* SQLite: from how many pages of write-ahead log on it is copied into the database
     * (store_batch_log); 0 means 16,000 (64 MiB). Tests set fewer. */
    int checkpoint_pages;
} lw_store_options;

lw_status store_open(const char *url, const lw_store_options *opt, lw_store **out,
                     lw_error *err) LW_MUST_CHECK;
void store_close(lw_store *s);                /* NULL is fine; waits for nothing: release first */
const char *store_backend(const lw_store *s); /* "sqlite" */
const char *store_url(const lw_store *s);     /* as opened: a path or a postgres:// URL */

lw_status store_acquire(lw_store *s, lw_db **out, lw_error *err) LW_MUST_CHECK;
/* As store_acquire, for a request that WRITES (1) or only reads (0): the pool
 * keeps connections tuned for each (on SQLite, a reading one maps the file,
 * a writing one does not), and hands out the other kind rather than wait. */
lw_status store_acquire_for(lw_store *s, int writes, lw_db **out, lw_error *err) LW_MUST_CHECK;
void store_release(lw_store *s, lw_db *db); /* rolls back an open transaction */

lw_status store_begin(lw_db *db, lw_error *err) LW_MUST_CHECK;
lw_status store_commit(lw_db *db, lw_error *err) LW_MUST_CHECK;
void store_rollback(lw_db *db); /* no-op outside a transaction */
/* After DB has read a whole table or more (building an in-memory index): gives
 * back the pages of the database file it cached or mapped, which would
 * otherwise stay resident, counted in the process's memory, until the
 * connection closes. */
void store_trim(lw_db *db);

/* Migrations. The schema version this binary knows; the version of the
 * database (0 when empty); migrate applies what is missing, each step in its
 * own transaction. */
int store_schema_latest(const lw_store *s);
lw_status store_schema_version(lw_db *db, int *out, lw_error *err) LW_MUST_CHECK;
lw_status store_migrate(lw_store *s, int64_t now, int *from, int *to, lw_error *err) LW_MUST_CHECK;
/* For serve: LW_OK when the database is exactly at the latest version; an error
 * saying what to do when it is older (run init) or newer (upgrade linkwell). */
lw_status store_schema_check(lw_store *s, lw_error *err) LW_MUST_CHECK;
/* A cheap round trip, for /healthz. */
lw_status store_ping(lw_store *s, lw_error *err) LW_MUST_CHECK;

/* ---- whole-database operations (copy.c) ---- */
typedef struct lw_table_sum {
    const char *table;
    int64_t rows;
    char checksum[65]; /* hex SHA-256 of the rows in key order, values as text */
} lw_table_sum;

/* The tables a database holds (without schema_migrations), in dependency order. */
int store_table_count(void);
const char *store_table_name(int i); /* NULL past the end */
/* Row count and content checksum of every table. */
lw_status store_checksums(lw_store *s, lw_arena *a, lw_table_sum **out, int *n,
                          lw_error *err) LW_MUST_CHECK;
/* Copies every row of every table from SRC into DST, which must be migrated to the
 * same schema version and empty; all in one transaction on DST. PROGRESS (may be
 * NULL) is called after each table. */
lw_status store_copy(lw_store *src, lw_store *dst,
                     void (*progress)(const char *table, int64_t rows, void *ctx), void *ctx,
                     lw_error *err) LW_MUST_CHECK;
/* A consistent copy of a SQLite database into the file PATH while it is in use
 * (SQLite's online backup API). For PostgreSQL: an error pointing to pg_dump. */
lw_status store_backup(lw_store *s, const char *path, lw_error *err) LW_MUST_CHECK;

/* ---- paging ---- */
typedef struct lw_page {
    int page;     /* 1-based */
    int per_page; /* 1..LW_PER_PAGE_MAX */
} lw_page;
#define LW_PER_PAGE_DEFAULT 20
#define LW_PER_PAGE_MAX 100

/* ---- organisations ---- */
typedef struct lw_org {
    int64_t id;
    const char *name;
    const char *kind;
    int active;
    int64_t created_at;
} lw_org;

/* LW_ECONFLICT (field "name") when the name is taken. */
lw_status store_org_insert(lw_db *db, const char *name, const char *kind, int64_t now, int64_t *id,
                           lw_error *err) LW_MUST_CHECK;
lw_status store_org_get(lw_db *db, lw_arena *a, int64_t id, lw_org *out,
                        lw_error *err) LW_MUST_CHECK;
lw_status store_org_by_name(lw_db *db, lw_arena *a, const char *name, lw_org *out,
                            lw_error *err) LW_MUST_CHECK;
lw_status store_org_list(lw_db *db, lw_arena *a, lw_page pg, lw_org **out, int *n, int64_t *total,
                         lw_error *err) LW_MUST_CHECK;
/* NAME or KIND may be NULL (unchanged); ACTIVE -1 means unchanged. Deactivating
 * ends the sessions and revokes the API tokens of every user of the organisation. */
lw_status store_org_update(lw_db *db, int64_t id, const char *name, const char *kind, int active,
                           lw_error *err) LW_MUST_CHECK;

/* ---- users ---- */
typedef struct lw_user {
    int64_t id;
    int64_t org_id;
    const char *org_name;
    const char *org_kind;
    int org_active;
    const char *email;
    const char *name;
    const char *role;
    const char *password_hash; /* filled only by store_user_by_email */
    int active;
    int64_t created_at;
} lw_user;

typedef struct lw_user_filter {
    int64_t org_id;   /* 0: any */
    const char *role; /* NULL: any */
    int active;       /* -1: any */
} lw_user_filter;

/* LW_ECONFLICT (field "email") when the email is taken. */
lw_status store_user_insert(lw_db *db, int64_t org_id, const char *email, const char *name,
                            const char *role, const char *password_hash, int64_t now, int64_t *id,
                            lw_error *err) LW_MUST_CHECK;
lw_status store_user_get(lw_db *db, lw_arena *a, int64_t id, lw_user *out,
                         lw_error *err) LW_MUST_CHECK;
lw_status store_user_by_email(lw_db *db, lw_arena *a, const char *email, lw_user *out,
                              lw_error *err) LW_MUST_CHECK;
lw_status store_user_list(lw_db *db, lw_arena *a, const lw_user_filter *f, lw_page pg,
                          lw_user **out, int *n, int64_t *total, lw_error *err) LW_MUST_CHECK;
/* ROLE, NAME may be NULL (unchanged); ACTIVE -1 means unchanged. Deactivating
 * also ends the user's sessions and revokes their API tokens. */
lw_status store_user_update(lw_db *db, int64_t id, const char *role, const char *name, int active,
                            int64_t now, lw_error *err) LW_MUST_CHECK;
/* Also ends the user's sessions, except the one whose digest is KEEP_SESSION
 * (may be NULL). */
lw_status store_user_set_password(lw_db *db, int64_t id, const char *password_hash, int64_t now,
                                  const char *keep_session, lw_error *err) LW_MUST_CHECK;

/* ---- sessions and API tokens (stored by digest only, never in clear) ---- */
typedef struct lw_session {
    const char *id_digest;
    const char *csrf_digest;
    int64_t created_at;
    int64_t last_seen_at;
    lw_user user;
} lw_session;

lw_status store_session_insert(lw_db *db, const char *id_digest, const char *csrf_digest,
                               int64_t user_id, int64_t now, lw_error *err) LW_MUST_CHECK;
/* LW_ENOTFOUND when there is no such session. */
lw_status store_session_get(lw_db *db, lw_arena *a, const char *id_digest, lw_session *out,
                            lw_error *err) LW_MUST_CHECK;
lw_status store_session_touch(lw_db *db, const char *id_digest, int64_t now,
                              lw_error *err) LW_MUST_CHECK;
lw_status store_session_delete(lw_db *db, const char *id_digest, lw_error *err) LW_MUST_CHECK;
/* Deletes sessions idle or older than the limits, as of NOW. */
lw_status store_session_purge(lw_db *db, int64_t now, int64_t idle_ms, int64_t max_ms,
                              lw_error *err) LW_MUST_CHECK;

lw_status store_token_insert(lw_db *db, const char *digest, int64_t user_id, int64_t now,
                             int64_t *id, lw_error *err) LW_MUST_CHECK;
/* The token's id and its user; LW_ENOTFOUND when unknown. */
lw_status store_token_get(lw_db *db, lw_arena *a, const char *digest, int64_t *token_id,
                          lw_user *user, lw_error *err) LW_MUST_CHECK;
lw_status store_token_touch(lw_db *db, int64_t token_id, int64_t now, lw_error *err) LW_MUST_CHECK;
/* A user's tokens, newest first (their digests stay in the store). */
typedef struct lw_token_info {
    int64_t id, created_at, last_used_at; /* last_used_at 0: never used */
} lw_token_info;
lw_status store_token_list(lw_db *db, lw_arena *a, int64_t user_id, lw_token_info **out, int *n,
                           lw_error *err) LW_MUST_CHECK;
/* Deletes token ID and says whose it was; LW_ENOTFOUND when there is none. */
lw_status store_token_delete(lw_db *db, int64_t token_id, int64_t *user_id,
                             lw_error *err) LW_MUST_CHECK;

/* ---- login throttling (shared by every server process through the database) ---- */
/* Records an attempt under KEY; its id (for store_login_failure_delete) in *ID,
 * which may be NULL. */
lw_status store_login_failure_add(lw_db *db, const char *key, int64_t now, int64_t *id,
                                  lw_error *err) LW_MUST_CHECK;
lw_status store_login_failure_delete(lw_db *db, int64_t id, lw_error *err) LW_MUST_CHECK;
/* Forgets every failure older than BEFORE (they no longer count). */
lw_status store_login_failures_purge(lw_db *db, int64_t before, lw_error *err) LW_MUST_CHECK;
/* Failures for KEY at or after SINCE: their count and the oldest time. */
lw_status store_login_failures(lw_db *db, const char *key, int64_t since, int *count,
                               int64_t *oldest, lw_error *err) LW_MUST_CHECK;
lw_status store_login_failures_clear(lw_db *db, const char *key, lw_error *err) LW_MUST_CHECK;

/* ---- the community directory (directory.c) ---- */
/* What other features need to know about a service (a prescription points at one). */
typedef struct lw_service_brief {
    const char *id;
    const char *name;
    const char *status;          /* active | inactive | defunct | temporarily closed */
    int64_t capacity;            /* places; -1 when unknown */
    const char *capacity_status; /* capacity | no_capacity | waitlist */
    const char *organization_id; /* the directory organisation that runs it */
    const char *organization_name;
    int64_t managed_by; /* the linkwell organisation whose providers keep it; 0: none */
} lw_service_brief;

/* LW_ENOTFOUND when there is no such service. */
lw_status store_service_brief(lw_db *db, lw_arena *a, const char *id, lw_service_brief *out,
                              lw_error *err) LW_MUST_CHECK;

/* ---- the audit log (append-only: the schema refuses UPDATE and DELETE) ---- */
typedef struct lw_audit_entry {
    int64_t id;
    int64_t at;
    int64_t user_id; /* 0: nobody signed in */
    const char *role;
    int64_t org_id;            /* 0: none */
    const char *action;        /* "session.login", "user.create", ... */
    const char *resource_type; /* "user", "organisation", ... or NULL */
    const char *resource_id;
    const char *remote_addr;
    const char *outcome; /* "ok", "denied", "failed" */
} lw_audit_entry;

/* Reads' audit rows on SQLite (store/audit_reads.c). A read that writes its
 * audit row into the main file makes every pooled connection drop its page
 * cache and memory map (WAL: any commit does), so the rows of reads are
 * committed durably to a second SQLite file beside the database (PATH-reads)
 * and moved into audit_log in bulk, in order, exactly once, by
 * store_reads_move(). On PostgreSQL there is no such file: *OUT is NULL and
 * reads audit straight into audit_log. With CREATE 0, *OUT is NULL when the
 * file does not exist. */
lw_status store_reads_open(lw_store *main, int create, lw_store **out, lw_error *err) LW_MUST_CHECK;
/* Moves every committed row of READS into MAIN's audit_log; *MOVED (may be
 * NULL) how many. Safe to run from several threads or processes at once. */
lw_status store_reads_move(lw_store *main, lw_store *reads, int *moved,
                           lw_error *err) LW_MUST_CHECK;

typedef struct lw_audit_filter {
    int64_t user_id;           /* 0: any */
    const char *resource_type; /* NULL: any */
    const char *resource_id;   /* NULL: any */
    const char *action;        /* NULL: any */
    int64_t from, to;          /* inclusive, ms; 0: open */
} lw_audit_filter;

lw_status store_audit_insert(lw_db *db, const lw_audit_entry *e, lw_error *err) LW_MUST_CHECK;
/* Newest first. */
lw_status store_audit_list(lw_db *db, lw_arena *a, const lw_audit_filter *f, lw_page pg,
                           lw_audit_entry **out, int *n, int64_t *total,
                           lw_error *err) LW_MUST_CHECK;

/* People, referrals, cases, prescriptions, funds and the feedback outbox. */
#include "store/referrals.h"
/* Outcome measures. */
#include "store/measures.h"
/* The facts reports are made of, and the audit log as a change log. */
#include "store/reports.h"
/* Pathways, milestones, GP consultations and community outcomes. */
#include "store/pathways.h"

/* ---- the shared decision aid (decisions.c; issue 6) ---- */
typedef struct lw_decision {
    int64_t id;
    int64_t case_id; /* 0: direct (no case) */
    int64_t person_id;
    int64_t org_id;         /* the case's service, or the clinician's organisation */
    int64_t facilitator_id; /* the user who ran the decision aid with the person */
    const char *mode;       /* direct | link_worker | peer */
    const char *outcome;    /* chosen | not_now */
    const char *ratings;    /* JSON object */
    const char *considered; /* JSON array of service ids */
    const char *note;
    int64_t created_at;
    /* read only: joined */
    const char *facilitator_name;
    const char *facilitator_role;
} lw_decision;

typedef struct lw_decision_rx {
    int64_t prescription_id;
    const char *service_id;
    const char *status;
} lw_decision_rx;

lw_status store_decision_insert(lw_db *db, const lw_decision *d, int64_t *id,
                                lw_error *err) LW_MUST_CHECK;
lw_status store_decision_rx_insert(lw_db *db, int64_t decision_id, int64_t prescription_id,
                                   lw_error *err) LW_MUST_CHECK;
/* The decisions about CASE_ID, newest first. */
lw_status store_decision_list(lw_db *db, lw_arena *a, int64_t case_id, lw_decision **out, int *n,
                              lw_error *err) LW_MUST_CHECK;
/* The prescriptions decision DECISION_ID created, in the order chosen. */
lw_status store_decision_rxs(lw_db *db, lw_arena *a, int64_t decision_id, lw_decision_rx **out,
                             int *n, lw_error *err) LW_MUST_CHECK;

/* An admin's text for a decision aid category (overrides the built-in one). */
typedef struct lw_aid_category_row {
    const char *id;
    const char *name;
    const char *pros; /* JSON array of strings */
    const char *cons;
    int64_t updated_at;
    int64_t updated_by;
} lw_aid_category_row;

lw_status store_aid_categories(lw_db *db, lw_arena *a, lw_aid_category_row **out, int *n,
                               lw_error *err) LW_MUST_CHECK;
/* Inserts or replaces the row of C->id. */
lw_status store_aid_category_put(lw_db *db, const lw_aid_category_row *c,
                                 lw_error *err) LW_MUST_CHECK;

/* The languages directory services say they are offered in (HSDS languages of a
 * service), keyset paged by row id after AFTER, at most LIMIT: for the matcher. */
typedef struct lw_match_language {
    int64_t row;
    const char *service_id;
    const char *name; /* may be NULL */
    const char *code; /* may be NULL */
} lw_match_language;
lw_status store_match_scan_languages(lw_db *db, lw_arena *a, int64_t after, int limit,
                                     lw_match_language **out, int *n, lw_error *err) LW_MUST_CHECK;
/* The accessibility text of the places services are at (HSDS accessibility of a
 * location, one row per service at it), for the accessibility rows after AFTER, at
 * most LIMIT of them (store_match_accessibility_rows: how many there were and the
 * last row's id, to continue after). */
typedef struct lw_match_access_text {
    int64_t row;
    const char *service_id;
    const char *description, *details; /* may be NULL */
} lw_match_access_text;
lw_status store_match_scan_accessibility(lw_db *db, lw_arena *a, int64_t after, int limit,
                                         lw_match_access_text **out, int *n,
                                         lw_error *err) LW_MUST_CHECK;
lw_status store_match_accessibility_rows(lw_db *db, int64_t after, int limit, int64_t *last, int *n,
                                         lw_error *err) LW_MUST_CHECK;

#endif
