/*
 * The API layer: one file per resource. A handler validates its input,
 * authorises, calls domain/ and store/, and fills an api_response. It never
 * sees HTTP: http/ turns a connection into an api_request, picks the route
 * from api_routes[] and calls api_dispatch(), which authenticates, checks the
 * CSRF token and the role, parses the JSON body and calls the handler.
 *
 * Ownership: everything in an api_request lives in req->arena or is borrowed
 * for the call; a handler hands its response JSON to the response
 * (api_json() steals the reference) and http/ frees it.
 */
#ifndef LW_API_H
#define LW_API_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "api/accounts.h"
#include "domain/accounts.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/crypto.h"
#include "util/error.h"
#include "util/timeutil.h"

/* What a running server shares between requests. */
typedef struct lw_app {
    lw_store *store;
    lw_clock clock;
    lw_pwcost pwcost;
    int cookie_secure;              /* add Secure to the session cookie */
    char dummy_hash[LW_PWHASH_LEN]; /* verified against for unknown accounts, for even timing */
    /* The directory's search index (api/directory_index.c): made on first use,
     * freed by api_directory_close(). */
    struct api_directory *directory;
    /* Unanswered referrals: overdue after this many days, closed by the job
     * after that many (0: the defaults, 5 and 14; domain/referrals.h). */
    int overdue_days, auto_close_days;
    /* The facts behind the reports (api/reports.c): loaded by
     * api_reports_preload() or the first report, freed by api_reports_close(). */
    struct api_reports *reports;
    /* SQLite only: where reads' audit rows are committed first, and the thread
     * that moves them into audit_log (api/audit_reads.c); NULL: audit_log itself. */
    lw_store *reads;
    struct lw_ticker *reads_mover;
} lw_app;

/* Reads' audit rows beside a SQLite database (store.h: store_reads_open): opens
 * the file, moves what an earlier run left there, and starts moving every
 * INTERVAL_MS (0: 200 ms). Nothing on PostgreSQL. api_reads_stop() moves the last
 * rows and closes it; api_reads_flush() moves now (tests, backups). */
lw_status api_reads_start(lw_app *app, int interval_ms, lw_error *err) LW_MUST_CHECK;
void api_reads_stop(lw_app *app);
lw_status api_reads_flush(lw_app *app, lw_error *err) LW_MUST_CHECK;

/* Fills APP; STORE stays the caller's. */
lw_status app_init(lw_app *app, lw_store *store, lw_clock clock, lw_pwcost cost, int cookie_secure,
                   lw_error *err) LW_MUST_CHECK;

typedef struct api_kv {
    const char *key;
    const char *value;
} api_kv;

typedef struct api_principal {
    int64_t user_id;
    int64_t org_id;
    lw_role role;
    const char *email;
    const char *name;
    const char *org_name;
    const char *org_kind;
    const char *session_digest; /* NULL when authenticated by an API token */
} api_principal;

struct api_route;

#define API_MAX_PARAMS 4
#define API_MAX_HEADERS 8

typedef struct api_request {
    lw_arena *arena;
    lw_app *app;
    const struct api_route *route;
    const char *method;
    const char *path;
    const char *params[API_MAX_PARAMS]; /* the {name} segments of the route, in order */
    int nparams;
    api_kv *query;
    int nquery;
    const char *authorization; /* headers http/ extracts; NULL when absent */
    const char *session_cookie;
    const char *csrf_token;
    const char *content_type;
    const char *remote_addr;
    const char *body;
    size_t body_len;
    json_t *json; /* the parsed body, owned by dispatch */
    lw_db *db;    /* a pooled connection, held for the request */
    api_principal who;
    int signed_in;
} api_request;

/* A streamed body's producer (api_stream()): writes at most MAX bytes of the body into BUF
 * and returns how many (1 or more), 0 at the end of the body, or -1 when it cannot go on
 * (the connection is then closed before the body is complete, so the client sees a
 * truncated answer, never a short one that looks whole). http/ calls it from its own
 * threads after the handler has returned, one call at a time for one response, as the
 * client reads. By then the request is gone: its arena, its pooled connection and
 * everything borrowed from the api_request must not be touched. CTX holds what the
 * producer needs (its own snapshot reference, strings copied with malloc); an
 * api_stream_free is called exactly once with it when the response is finished, the
 * client went away mid-stream, or the server stops (and also when no response could be
 * made at all). */
typedef long (*api_producer)(void *ctx, char *buf, size_t max);
typedef void (*api_stream_free)(void *ctx);

typedef struct api_response {
    int status;
    json_t *json;             /* owned; serialised by http/ */
    const char *content_type; /* default application/json */
    const char *body;         /* a raw body when json is NULL (arena or static: sent uncopied) */
    size_t body_len;
    api_kv headers[API_MAX_HEADERS]; /* names and values must outlive the request */
    int nheaders;
    long retry_after; /* seconds; sent as Retry-After when > 0 */
    /* A streamed body instead of json/body (set by api_stream(); owned by the response
     * from then on: http/ frees STREAM_CTX with STREAM_FREE). */
    api_producer stream;
    void *stream_ctx;
    api_stream_free stream_free;
} api_response;

typedef void (*api_handler)(api_request *req, api_response *res);

#define API_NO_DB 1u    /* the handler needs no database connection */
#define API_NO_BODY 2u  /* the route takes no request body */
#define API_RAW_BODY 4u /* the body is not JSON: the handler reads req->body itself */

typedef struct api_route {
    const char *method;
    const char *pattern; /* "/api/v1/users/{id}" */
    api_handler handler;
    unsigned roles; /* LW_ROLE_BIT mask; 0 means public (no sign-in) */
    unsigned flags;
    const char *summary;
} api_route;

extern const api_route api_routes[];
extern const size_t api_nroutes;

/* Runs REQ->route's handler with authentication, CSRF and role checks. */
void api_dispatch(api_request *req, api_response *res);

/* ---- responses ---- */
void api_json(api_response *res, int status, json_t *json); /* steals JSON */
void api_fail(api_response *res, const lw_error *err);
void api_problem(api_response *res, int status, const char *title, const char *detail,
                 const char *field);
void api_header(api_response *res, const char *name, const char *value);
/* Answers STATUS with a body of CONTENT_TYPE (static text) made by FN from CTX after the
 * handler returns (see api_producer); the response owns CTX from now on. Headers added
 * with api_header() and the security headers are sent as with any answer. */
void api_stream(api_response *res, int status, const char *content_type, api_producer fn, void *ctx,
                api_stream_free free_fn);
/* {"contents": CONTENTS, "total", "page", "per_page"} (steals CONTENTS). */
json_t *api_paged(json_t *contents, int64_t total, lw_page pg);

/* ---- input ---- */
const char *api_query(const api_request *req, const char *name);
/* page and per_page from the query string, validated. */
lw_status api_page(const api_request *req, lw_page *out, lw_error *err) LW_MUST_CHECK;
lw_status api_query_id(const api_request *req, const char *name, int64_t *out,
                       lw_error *err) LW_MUST_CHECK; /* 0 when absent */
lw_status api_param_id(const api_request *req, int idx, int64_t *out,
                       lw_error *err) LW_MUST_CHECK; /* a positive integer path segment */

/* The body must be a JSON object whose keys are all in ALLOWED (NULL-terminated). */
lw_status jin_object(const api_request *req, const char *const *allowed,
                     lw_error *err) LW_MUST_CHECK;
/* A string member: absent → *out NULL (error when REQUIRED); wrong type, empty
 * when required, longer than MAXLEN bytes, or with a NUL → LW_EINVAL naming KEY. */
lw_status jin_string(const json_t *obj, const char *key, int required, size_t maxlen,
                     const char **out, lw_error *err) LW_MUST_CHECK;
/* A boolean member: absent → *out = -1 (error when REQUIRED). */
lw_status jin_bool(const json_t *obj, const char *key, int required, int *out,
                   lw_error *err) LW_MUST_CHECK;
/* A positive integer id member: absent → 0 (error when REQUIRED). */
lw_status jin_id(const json_t *obj, const char *key, int required, int64_t *out,
                 lw_error *err) LW_MUST_CHECK;

/* ---- audit ---- */
/* Appends an audit row for the signed-in user (or nobody), in the request's
 * connection (and so in its transaction, if one is open). */
lw_status api_audit(api_request *req, const char *action, const char *resource_type,
                    int64_t resource_id, const char *outcome, lw_error *err) LW_MUST_CHECK;

/* The signed-in user as an actor for api/accounts.h. */
lw_actor api_actor(const api_request *req);
/* 1 when the request's method may change something (not GET or HEAD): it
 * takes a connection meant for writing (store_acquire_for). */
int api_writes(const api_request *req);

/* ---- JSON of shared shapes ---- */
json_t *api_user_json(const lw_user *u);
json_t *api_time_json(int64_t ms); /* ISO 8601 string, or null for 0 */

/* ---- handlers (one file per resource) ---- */
void api_healthz(api_request *req, api_response *res);
void api_metrics(api_request *req, api_response *res);
void api_openapi(api_request *req, api_response *res);
void api_session_create(api_request *req, api_response *res);
void api_session_delete(api_request *req, api_response *res);
void api_users_me(api_request *req, api_response *res);
void api_users_list(api_request *req, api_response *res);
void api_users_create(api_request *req, api_response *res);
void api_users_get(api_request *req, api_response *res);
void api_users_update(api_request *req, api_response *res);
void api_orgs_list(api_request *req, api_response *res);
void api_orgs_create(api_request *req, api_response *res);
void api_orgs_get(api_request *req, api_response *res);
void api_orgs_update(api_request *req, api_response *res);
void api_audit_list(api_request *req, api_response *res);

/* ---- the community directory (directory_index.c, services.c, openreferral.c,
 * directory_imports.c) ---- */
/* Frees the search index of APP (call after the server has stopped). */
void api_directory_close(lw_app *app);
void api_oruk_root(api_request *req, api_response *res);
void api_oruk_services(api_request *req, api_response *res);
void api_oruk_service(api_request *req, api_response *res);
void api_oruk_taxonomies(api_request *req, api_response *res);
void api_oruk_taxonomy_terms(api_request *req, api_response *res);
void api_oruk_organizations(api_request *req, api_response *res);
void api_oruk_service_at_locations(api_request *req, api_response *res);
void api_oruk_taxonomy(api_request *req, api_response *res);
void api_oruk_taxonomy_term(api_request *req, api_response *res);
void api_oruk_organization(api_request *req, api_response *res);
void api_oruk_service_at_location(api_request *req, api_response *res);
void api_services_list(api_request *req, api_response *res);
void api_services_get(api_request *req, api_response *res);
void api_services_create(api_request *req, api_response *res);
void api_services_put(api_request *req, api_response *res);
void api_services_patch(api_request *req, api_response *res);
void api_directory_import(api_request *req, api_response *res);

/* ---- from referral to closed loop (people.c, referrals.c, cases.c, prescriptions.c,
 * funds.c; shared helpers in journey.h, the periodic job in jobs.h) ---- */
void api_people_list(api_request *req, api_response *res);
void api_people_get(api_request *req, api_response *res);
void api_people_update(api_request *req, api_response *res);
void api_referrals_create(api_request *req, api_response *res);
void api_self_referrals_create(api_request *req, api_response *res);
void api_referrals_list(api_request *req, api_response *res);
void api_referrals_overdue(api_request *req, api_response *res);
void api_referrals_get(api_request *req, api_response *res);
void api_referrals_status(api_request *req, api_response *res);
void api_referrals_assignees(api_request *req, api_response *res);
void api_referrals_duplicate(api_request *req, api_response *res);
void api_cases_list(api_request *req, api_response *res);
void api_cases_get(api_request *req, api_response *res);
void api_cases_update(api_request *req, api_response *res);
void api_cases_contact_add(api_request *req, api_response *res);
void api_cases_goal_add(api_request *req, api_response *res);
void api_cases_goal_update(api_request *req, api_response *res);
void api_cases_action_add(api_request *req, api_response *res);
void api_cases_action_update(api_request *req, api_response *res);
void api_cases_preferences(api_request *req, api_response *res);
void api_rx_create(api_request *req, api_response *res);
void api_rx_list(api_request *req, api_response *res);
void api_rx_get(api_request *req, api_response *res);
void api_rx_status(api_request *req, api_response *res);
void api_rx_attendance(api_request *req, api_response *res);
void api_funds_list(api_request *req, api_response *res);
void api_funds_create(api_request *req, api_response *res);
void api_funds_update(api_request *req, api_response *res);
void api_measures_create(api_request *req, api_response *res);
void api_measures_list(api_request *req, api_response *res);

/* ---- matching and the shared decision aid (matches.c, decisions.c; issue 6) ---- */
void api_case_matches(api_request *req, api_response *res);
void api_matches_direct(api_request *req, api_response *res);
void api_case_decision_aid(api_request *req, api_response *res);
void api_decision_aid_direct(api_request *req, api_response *res);
void api_aid_categories_list(api_request *req, api_response *res);
void api_aid_categories_put(api_request *req, api_response *res);
void api_decisions_create(api_request *req, api_response *res);
void api_case_decisions(api_request *req, api_response *res);

/* ---- pathways and GP consultations (pathways.c, gp_consultations.c; issue 7) ---- */
void api_pathways_list(api_request *req, api_response *res);
void api_pathways_put(api_request *req, api_response *res);
void api_milestones_list(api_request *req, api_response *res);
void api_milestones_update(api_request *req, api_response *res);
void api_milestones_overdue(api_request *req, api_response *res);
void api_gp_create(api_request *req, api_response *res);
void api_gp_import(api_request *req, api_response *res);

/* ---- reports (reports.c, report_index.c) ---- */
/* Frees the reports' facts of APP (call after the server has stopped). */
void api_reports_close(lw_app *app);
/* Starts loading the reports' facts in the background (serve, at start), so the
 * first report does not wait for it; reports asked for meanwhile wait. */
void api_reports_preload(lw_app *app);
void api_reports_list(api_request *req, api_response *res);
void api_reports_get(api_request *req, api_response *res);

/* ---- referral services (referral_services.c) ---- */
void api_referral_services(api_request *req, api_response *res);

#endif
