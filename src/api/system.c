/* /healthz, /metrics and the OpenAPI document. */
#include <string.h>

#include "api/api.h"
#include "util/embed.h"
#include "util/metrics.h"

void api_healthz(api_request *req, api_response *res) {
    lw_error err;
    lw_status st = store_ping(req->app->store, &err);
    if (st == LW_OK && req->app->reads) /* where reads are audited first (SQLite) */
        st = store_ping(req->app->reads, &err);
    json_t *db = json_pack("{s:s, s:s}", "backend", store_backend(req->app->store), "status",
                           st == LW_OK ? "up" : "down");
    if (st != LW_OK)
        json_object_set_new(db, "detail", json_string(err.msg));
    api_json(res, st == LW_OK ? 200 : 503,
             json_pack("{s:s, s:{s:o}}", "status", st == LW_OK ? "ok" : "unavailable",
                       "dependencies", "database", db));
    api_header(res, "Cache-Control", "no-store");
}

void api_metrics(api_request *req, api_response *res) {
    res->status = 200;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    res->body = metrics_render(req->arena);
    res->body_len = strlen(res->body);
}

void api_openapi(api_request *req, api_response *res) {
    (void)req;
    const lw_embedded *doc = embed_find(lw_api_docs, "openapi.json");
    res->status = 200;
    res->content_type = "application/json";
    res->body = (const char *)doc->data;
    res->body_len = doc->len;
}
