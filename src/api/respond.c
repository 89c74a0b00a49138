/* Building responses: JSON, problems (RFC 9457), paged lists, shared shapes. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"

void api_json(api_response *res, int status, json_t *json) {
    json_decref(res->json);
    res->status = status;
    res->json = json;
    res->content_type = "application/json";
}

void api_problem(api_response *res, int status, const char *title, const char *detail,
                 const char *field) {
    json_t *p = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title", title, "status",
                          status, "detail", detail);
    if (field && *field)
        json_object_set_new(p, "field", json_string(field));
    api_json(res, status, p);
    res->content_type = "application/problem+json";
}

void api_fail(api_response *res, const lw_error *err) {
    int status = lw_status_http(err->code);
    const char *detail = err->msg[0] ? err->msg : lw_status_title(err->code);
    if (status == 500) {
        /* The detail may hold SQL or paths: log it, tell the client less. */
        fprintf(stderr, "linkwell: internal error: %s\n", detail);
        detail = "something went wrong inside linkwell; the details are in the server log";
    }
    char buf[sizeof err->field + sizeof err->msg + 4];
    /* Say which field in the detail too, for people reading only the text. */
    if (err->field[0] && status == 400) {
        snprintf(buf, sizeof buf, "%s: %s", err->field, detail);
        detail = buf;
    }
    api_problem(res, status, lw_status_title(err->code), detail, err->field);
    if (err->code == LW_ETHROTTLED && err->retry_after > 0) {
        res->retry_after = err->retry_after;
        json_object_set_new(res->json, "retry_after", json_integer(err->retry_after));
    }
}

void api_header(api_response *res, const char *name, const char *value) {
    if (res->nheaders < API_MAX_HEADERS) {
        res->headers[res->nheaders].key = name;
        res->headers[res->nheaders].value = value;
        res->nheaders++;
    }
}

void api_stream(api_response *res, int status, const char *content_type, api_producer fn, void *ctx,
                api_stream_free free_fn) {
    json_decref(res->json);
    res->json = NULL;
    res->body = NULL;
    res->body_len = 0;
    if (res->stream_free)
        res->stream_free(res->stream_ctx); /* a stream set before is replaced */
    res->status = status;
    res->content_type = content_type;
    res->stream = fn;
    res->stream_ctx = ctx;
    res->stream_free = free_fn;
}

json_t *api_paged(json_t *contents, int64_t total, lw_page pg) {
    return json_pack("{s:o, s:I, s:i, s:i}", "contents", contents, "total", (json_int_t)total,
                     "page", pg.page, "per_page", pg.per_page);
}

json_t *api_time_json(int64_t ms) {
    if (ms == 0)
        return json_null();
    char iso[LW_ISO_LEN];
    time_format_iso(ms, iso);
    return json_string(iso);
}

json_t *api_user_json(const lw_user *u) {
    return json_pack("{s:I, s:s, s:s, s:s, s:b, s:{s:I, s:s, s:s, s:b}, s:o}", "id",
                     (json_int_t)u->id, "email", u->email, "name", u->name, "role", u->role,
                     "active", u->active, "organisation", "id", (json_int_t)u->org_id, "name",
                     u->org_name, "kind", u->org_kind, "active", u->org_active, "created_at",
                     api_time_json(u->created_at));
}
