/*
 * Reports (issue 7): GET /api/v1/reports (the list) and GET
 * /api/v1/reports/{name} as JSON, CSV or SVG, filtered by date range,
 * organisation, referral source and pathway. Commissioners get every count
 * from 1 to 4 as "<5" and no names; link and peer workers see their own
 * organisation only (another one's is 404); admins see everything. Every
 * report is audited (report.read, with its filters).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/journey.h"
#include "api/reports.h"
#include "io/report_format.h"

/* Re-read this many audit ids on PostgreSQL, whose ids may commit out of order. */
#define PG_OVERLAP 1000

struct api_reports {
    pthread_mutex_t mu;
    rp_data *d;
    reports_pos pos;
    pthread_t preload;
    int preloading; /* a preload thread was started (joined by api_reports_close) */
};

static pthread_mutex_t create_mu = PTHREAD_MUTEX_INITIALIZER;

static struct api_reports *reports_of(lw_app *app) {
    pthread_mutex_lock(&create_mu);
    if (!app->reports) {
        struct api_reports *r = calloc(1, sizeof *r);
        if (!r)
            lw_oom();
        pthread_mutex_init(&r->mu, NULL);
        app->reports = r;
    }
    struct api_reports *r = app->reports;
    pthread_mutex_unlock(&create_mu);
    return r;
}

void api_reports_close(lw_app *app) {
    struct api_reports *r = app->reports;
    if (!r)
        return;
    if (r->preloading)
        pthread_join(r->preload, NULL);
    rp_free(r->d);
    pthread_mutex_destroy(&r->mu);
    free(r);
    app->reports = NULL;
}

/* Loads R's facts from DB. Call with R->mu held. */
static lw_status facts_load(lw_db *db, struct api_reports *r, lw_error *err) {
    rp_data *d = rp_new();
    double t0 = clock_monotonic_ms();
    lw_status st = reports_load(db, d, &r->pos, err);
    store_trim(db);
    if (st != LW_OK) {
        rp_free(d);
        return st;
    }
    int64_t nr, nc, nx, np;
    rp_counts(d, &nr, &nc, &nx, &np);
    if (nr >= 10000)
        fprintf(stderr,
                "linkwell: report facts of %lld referrals, %lld cases, %lld prescriptions, "
                "%lld measure pairs loaded in %.0f ms (%.0f MB)\n",
                (long long)nr, (long long)nc, (long long)nx, (long long)np,
                clock_monotonic_ms() - t0, (double)rp_bytes(d) / 1e6);
    r->d = d;
    return LW_OK;
}

/* Makes R's facts current (loading them the first time). Call with R->mu held. */
static lw_status facts_current(api_request *req, struct api_reports *r, lw_error *err) {
    if (!r->d)
        return facts_load(req->db, r, err);
    int64_t overlap = strcmp(store_backend(req->app->store), "postgres") == 0 ? PG_OVERLAP : 0;
    return reports_refresh(req->db, r->d, &r->pos, overlap, err);
}

static void *preload_main(void *arg) {
    lw_app *app = arg;
    struct api_reports *r = app->reports;
    lw_db *db = NULL;
    lw_error err;
    if (store_acquire(app->store, &db, &err) != LW_OK) {
        fprintf(stderr, "linkwell: report facts not preloaded: %s\n", err.msg);
        return NULL;
    }
    pthread_mutex_lock(&r->mu);
    if (!r->d && facts_load(db, r, &err) != LW_OK)
        fprintf(stderr, "linkwell: report facts not preloaded: %s\n", err.msg);
    pthread_mutex_unlock(&r->mu);
    store_release(app->store, db);
    return NULL;
}

void api_reports_preload(lw_app *app) {
    struct api_reports *r = reports_of(app);
    r->preloading = pthread_create(&r->preload, NULL, preload_main, app) == 0;
}

void api_reports_list(api_request *req, api_response *res) {
    (void)req;
    json_t *list = json_array();
    for (size_t i = 0; i < RP_REPORTS; i++) {
        const rp_info *x = rp_report_at(i);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "name", x->name, "title", x->title,
                                              "description", x->description));
    }
    api_json(res, 200, json_pack("{s:o}", "reports", list));
}

static void set_opt(json_t *o, const char *k, const char *v) {
    json_object_set_new(o, k, v && *v ? json_string(v) : json_null());
}

/* The audit row: the report's name and its filters as the resource. */
static lw_status audit_report(api_request *req, const char *resource, const char *outcome,
                              lw_error *err) {
    lw_audit_entry e = {.at = jr_now(req),
                        .user_id = req->who.user_id,
                        .role = role_name(req->who.role),
                        .org_id = req->who.org_id,
                        .action = "report.read",
                        .resource_type = "report",
                        .resource_id = resource,
                        .remote_addr = req->remote_addr,
                        .outcome = outcome};
    return store_audit_insert(req->db, &e, err);
}

void api_reports_get(api_request *req, api_response *res) {
    lw_error err;
    const char *name = req->params[0];
    const rp_info *info = rp_report(name);
    if (!info) {
        api_problem(res, 404, "Not Found",
                    "no such report; GET /api/v1/reports lists the reports there are", NULL);
        return;
    }
    const char *fmt = api_query(req, "format");
    int f = report_format_parse(fmt);
    if (f < 0) {
        lw_fail(&err, LW_EINVAL, "format", "must be json, csv or svg");
        api_fail(res, &err);
        return;
    }
    reports_query q = {.from = api_query(req, "from"),
                       .to = api_query(req, "to"),
                       .organisation_id = api_query(req, "organisation_id"),
                       .source = api_query(req, "source"),
                       .pathway = api_query(req, "pathway")};
    int worker = req->who.role == LW_ROLE_LINK_WORKER || req->who.role == LW_ROLE_PEER_WORKER;
    int suppress = req->who.role == LW_ROLE_COMMISSIONER;
    char own[24];
    const char *resource = arena_printf(
        req->arena, "%s?format=%s&from=%s&to=%s&organisation_id=%s&source=%s&pathway=%s", name,
        fmt ? fmt : "json", q.from ? q.from : "", q.to ? q.to : "",
        q.organisation_id ? q.organisation_id : "", q.source ? q.source : "",
        q.pathway ? q.pathway : "");
    struct api_reports *r = reports_of(req->app);
    pthread_mutex_lock(&r->mu);
    rp_filter filter;
    rp_result result;
    rp_names orgs = {0}, users = {0};
    char *body = NULL;
    lw_status st = facts_current(req, r, &err);
    if (st == LW_OK)
        st = reports_filter(r->d, &q, jr_now(req), &filter, &err);
    if (st == LW_OK && filter.org) {
        lw_org org;
        st = store_org_get(req->db, req->arena, filter.org, &org, &err);
        if (st == LW_OK && worker && filter.org != req->who.org_id)
            st = lw_fail(&err, LW_ENOTFOUND, NULL, "no such organisation");
        if (st == LW_ENOTFOUND) {
            pthread_mutex_unlock(&r->mu);
            jr_audit_denied(req, "report.read", "organisation", filter.org);
            api_problem(res, 404, "Not Found", "no such organisation", "organisation_id");
            return;
        }
    }
    if (st == LW_OK && worker && !filter.org) {
        filter.org = req->who.org_id;
        snprintf(own, sizeof own, "%lld", (long long)req->who.org_id);
        q.organisation_id = own;
    }
    filter.suppress = suppress;
    if (st == LW_OK)
        st = reports_names(req->db, req->arena, &orgs, &users, &err);
    if (st == LW_OK)
        st = rp_run(r->d, name, &filter, &orgs, &users, req->arena, &result, &err);
    if (st == LW_OK) {
        json_t *filters = json_object();
        set_opt(filters, "from", q.from);
        set_opt(filters, "to", q.to);
        json_object_set_new(filters, "organisation_id",
                            filter.org ? json_integer((json_int_t)filter.org) : json_null());
        set_opt(filters, "source", q.source);
        set_opt(filters, "pathway", q.pathway);
        /* JSON too is rendered here, with reals at 15 digits (78.0, 33.3). */
        st = report_render(req->arena, &result, (report_format)f, filters, suppress, &body, &err);
    }
    pthread_mutex_unlock(&r->mu);
    if (st == LW_OK)
        st = audit_report(req, resource, "ok", &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    res->status = 200;
    res->body = body;
    res->body_len = strlen(body);
    res->content_type = report_format_type((report_format)f);
}
