/*
 * libmicrohttpd glue: turns a connection into an api_request, routes it,
 * and turns the api_response back into HTTP with the security headers every
 * response carries. Bodies over the limit are refused with 413 before they
 * are read; one JSON access-log line per request names the route pattern,
 * never the path, query, body or any header value.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "util/embed.h"
#include "util/metrics.h"

/* Memory per connection for the request line and headers (and the read buffer):
 * libmicrohttpd's own default. Headers beyond it are answered 431. */
#define CONN_MEMORY (32 * 1024)
#define MAX_QUERY 64

struct lw_http {
    struct MHD_Daemon *d;
    lw_app *app;
    lw_http_options opt;
    int port;
    atomic_int in_flight;
    atomic_int streams; /* streamed responses not yet freed */
    const char **slot_methods;
    const char **slot_routes;
};

typedef struct conn_ctx {
    lw_arena *arena;
    double start;
    char *body;
    size_t len, cap;
    int too_large;
    size_t received; /* all body bytes seen, kept or not */
    int slot;
    const char *route;
    const char *method;
    int status;
} conn_ctx;

static const char CSP[] = "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/* ---- routing ---- */

/* Matches PATH against PATTERN ("/api/v1/users/{id}"), filling PARAMS. */
static int route_match(const char *pattern, const char *path, lw_arena *a, const char **params,
                       int *nparams) {
    int n = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return 0;
        p++, s++;
        const char *pe = strchr(p, '/'), *se = strchr(s, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p), sl = se ? (size_t)(se - s) : strlen(s);
        if (pl > 1 && p[0] == '{') {
            if (sl == 0 || n == API_MAX_PARAMS)
                return 0;
            params[n++] = arena_strndup(a, s, sl);
        } else if (pl != sl || strncmp(p, s, pl) != 0) {
            return 0;
        }
        p += pl, s += sl;
    }
    if (*p || *s)
        return 0;
    *nparams = n;
    return 1;
}

static const char *content_type_for(const char *path) {
    const char *dot = strrchr(path, '.');
    if (!dot)
        return "application/octet-stream";
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* ---- request extraction ---- */

typedef struct query_acc {
    api_request *req;
    int overflow;
} query_acc;

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value) {
    (void)kind;
    query_acc *q = cls;
    if (q->req->nquery == MAX_QUERY) {
        q->overflow = 1;
        return MHD_NO;
    }
    q->req->query[q->req->nquery].key = arena_strdup(q->req->arena, key);
    q->req->query[q->req->nquery].value = arena_strdup(q->req->arena, value ? value : "");
    q->req->nquery++;
    return MHD_YES;
}

static const char *remote_addr(struct MHD_Connection *c, lw_arena *a) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char buf[INET6_ADDRSTRLEN] = "unknown";
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
                      sizeof buf);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
                      sizeof buf);
    }
    return arena_strdup(a, buf);
}

/* The client's address: the peer, or, behind the trusted proxy, the address
 * that proxy appended to X-Forwarded-For (the right-most entry; the entries
 * before it come from the client and could be forged). */
static const char *client_addr(lw_http *h, struct MHD_Connection *c, lw_arena *a) {
    const char *peer = remote_addr(c, a);
    if (!h->opt.trusted_proxy || strcmp(peer, h->opt.trusted_proxy) != 0)
        return peer;
    const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff || !*xff)
        return peer;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ')
        last++;
    size_t n = strcspn(last, " ");
    if (n == 0 || n >= INET6_ADDRSTRLEN)
        return peer;
    return arena_strndup(a, last, n);
}

/* ---- responses ---- */

/* A streamed body on its way out (api_stream()): the handler's producer and what frees
 * it. libmicrohttpd calls stream_read as the client reads, and stream_done once, when the
 * response is destroyed: after the last byte, when the client went away mid-stream, or
 * when the server stops. */
typedef struct stream {
    lw_http *h;
    api_producer fn;
    void *ctx;
    api_stream_free free_fn;
} stream;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    stream *s = cls;
    long n = s->fn(s->ctx, buf, max);
    if (n > 0 && (size_t)n <= max)
        return (ssize_t)n;
    /* 0: the end (the chunked body is terminated); -1: cut short (the connection is
     * closed without the terminating chunk, so the client knows it is incomplete). */
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_done(void *cls) {
    stream *s = cls;
    if (s->free_fn)
        s->free_fn(s->ctx);
    atomic_fetch_sub(&s->h->streams, 1);
    free(s);
}

/* The streamed body of RES (its producer now belongs to the response made). */
static struct MHD_Response *stream_response(lw_http *h, api_response *res) {
    stream *s = malloc(sizeof *s);
    if (!s)
        lw_oom();
    *s = (stream){.h = h, .fn = res->stream, .ctx = res->stream_ctx, .free_fn = res->stream_free};
    res->stream = NULL;
    res->stream_ctx = NULL;
    res->stream_free = NULL;
    atomic_fetch_add(&h->streams, 1);
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, s, stream_done);
    if (!r)
        stream_done(s);
    return r;
}

static enum MHD_Result send_response(lw_http *h, struct MHD_Connection *c, conn_ctx *ctx,
                                     api_response *res) {
    char *dumped = NULL;
    const char *body = res->body ? res->body : "";
    size_t len = res->body ? res->body_len : 0;
    struct MHD_Response *r;
    if (res->stream) {
        json_decref(res->json);
        res->json = NULL;
        len = 1; /* a body: Content-Type below */
        r = stream_response(h, res);
    } else {
        /* The body is not copied: a raw body lives in the request's arena (or is static),
         * which is freed only at completion, after libmicrohttpd has sent it; a JSON
         * body's text is handed over and freed with the response. */
        enum MHD_ResponseMemoryMode mode = MHD_RESPMEM_PERSISTENT;
        if (res->json) {
            dumped = json_dumps(res->json, JSON_COMPACT);
            if (!dumped)
                lw_oom();
            body = dumped;
            len = strlen(dumped);
            json_decref(res->json);
            res->json = NULL;
            mode = MHD_RESPMEM_MUST_FREE;
        }
        r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, mode);
        if (!r)
            free(dumped);
    }
    if (!r)
        return MHD_NO;
    if (len || res->content_type)
        MHD_add_response_header(r, "Content-Type",
                                res->content_type ? res->content_type : "application/json");
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    int has_cache = 0;
    for (int i = 0; i < res->nheaders; i++) {
        MHD_add_response_header(r, res->headers[i].key, res->headers[i].value);
        has_cache |= strcasecmp(res->headers[i].key, "Cache-Control") == 0;
    }
    if (!has_cache)
        MHD_add_response_header(r, "Cache-Control", "no-store");
    if (res->retry_after > 0) {
        char ra[24];
        snprintf(ra, sizeof ra, "%ld", res->retry_after);
        MHD_add_response_header(r, "Retry-After", ra);
    }
    ctx->status = res->status;
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result send_problem(lw_http *h, struct MHD_Connection *c, conn_ctx *ctx, int status,
                                    const char *title, const char *detail) {
    api_response res = {0};
    api_problem(&res, status, title, detail, NULL);
    return send_response(h, c, ctx, &res);
}

/* Answers from the embedded web assets; 0 when there is no such asset. */
static int serve_static(lw_http *h, struct MHD_Connection *c, conn_ctx *ctx, const char *path,
                        enum MHD_Result *result) {
    const char *rel = strcmp(path, "/") == 0 ? "index.html" : path + 1;
    const lw_embedded *e = embed_find(lw_web_assets, rel);
    if (!e)
        return 0;
    api_response res = {.status = 200,
                        .body = (const char *)e->data,
                        .body_len = e->len,
                        .content_type = content_type_for(rel)};
    api_header(&res, "Cache-Control", "no-cache");
    ctx->slot = (int)api_nroutes;
    ctx->route = "static";
    *result = send_response(h, c, ctx, &res);
    return 1;
}

/* Whether the Allow list ALLOW ("GET, PATCH", or NULL) names METHOD. */
static int allow_has(const char *allow, const char *method) {
    size_t n = strlen(method);
    for (const char *p = allow; p && *p;) {
        if (strncmp(p, method, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return 1;
        p = strchr(p, ',');
        if (p)
            p += 2;
    }
    return 0;
}

static enum MHD_Result handle(lw_http *h, struct MHD_Connection *c, conn_ctx *ctx, const char *url,
                              const char *method) {
    int is_head = strcmp(method, "HEAD") == 0;
    const char *m = is_head ? "GET" : method;
    api_request req = {.arena = ctx->arena, .app = h->app, .method = m};
    req.path = arena_strdup(ctx->arena, url);
    const api_route *found = NULL;
    char *allow = NULL;
    for (size_t i = 0; i < api_nroutes; i++) {
        const api_route *rt = &api_routes[i];
        const char *params[API_MAX_PARAMS];
        int np = 0;
        if (!route_match(rt->pattern, url, ctx->arena, params, &np))
            continue;
        if (strcmp(rt->method, m) == 0) {
            found = rt;
            memcpy(req.params, params, sizeof params);
            req.nparams = np;
            ctx->slot = (int)i;
            ctx->route = rt->pattern;
            break;
        }
        /* "/api/v1/users/me" also matches "/api/v1/users/{id}": list each method once. */
        if (!allow_has(allow, rt->method))
            allow = arena_printf(ctx->arena, "%s%s%s", allow ? allow : "", allow ? ", " : "",
                                 rt->method);
    }
    if (!found) {
        if (!allow && strcmp(m, "GET") == 0) {
            enum MHD_Result r;
            if (serve_static(h, c, ctx, url, &r))
                return r;
        }
        ctx->slot = (int)api_nroutes + 1;
        ctx->route = "unmatched";
        if (allow) {
            api_response res = {0};
            api_problem(&res, 405, "Method not allowed",
                        arena_printf(ctx->arena, "%s is not allowed here; use %s", method, allow),
                        NULL);
            api_header(&res, "Allow", allow);
            return send_response(h, c, ctx, &res);
        }
        return send_problem(h, c, ctx, 404, "Not found",
                            "there is nothing at this address; the API is described at "
                            "/api/v1/openapi.json");
    }
    req.route = found;
    req.query = arena_alloc(ctx->arena, sizeof *req.query * MAX_QUERY);
    query_acc qa = {.req = &req};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_query, &qa);
    if (qa.overflow)
        return send_problem(h, c, ctx, 400, "Invalid input",
                            "too many query parameters (at most 64)");
    req.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    req.session_cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "lw_session");
    req.csrf_token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
    req.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    req.remote_addr = client_addr(h, c, ctx->arena);
    req.body = ctx->body;
    req.body_len = ctx->len;
    api_response res = {0};
    api_dispatch(&req, &res);
    if (res.status == 0)
        api_problem(&res, 500, "Internal error", "the handler gave no answer", NULL);
    return send_response(h, c, ctx, &res);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls) {
    (void)version;
    lw_http *h = cls;
    conn_ctx *ctx = *con_cls;
    if (!ctx) {
        ctx = calloc(1, sizeof *ctx);
        if (!ctx)
            lw_oom();
        ctx->arena = arena_new();
        ctx->start = clock_monotonic_ms();
        ctx->slot = -1;
        ctx->route = "unmatched";
        ctx->method = arena_strdup(ctx->arena, method);
        *con_cls = ctx;
        atomic_fetch_add(&h->in_flight, 1);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
        if (declared > h->opt.body_limit) {
            ctx->too_large = 1;
            ctx->slot = (int)api_nroutes + 1;
            /* Closing with the body unread makes TCP reset the connection, and the
             * client may never see the answer: a body up to 4 times the limit is
             * read, dropped and refused once it has arrived; a larger one at once. */
            if (declared / 4 <= h->opt.body_limit)
                return MHD_YES;
            return send_problem(h, c, ctx, 413, "Request too large",
                                arena_printf(ctx->arena,
                                             "the body is larger than the limit of %zu bytes",
                                             h->opt.body_limit));
        }
        return MHD_YES;
    }
    if (*upload_size > 0) {
        ctx->received += *upload_size;
        /* An over-limit body is read and dropped so the client sees the 413, but
         * not for ever: past 4 times the limit the connection is closed. */
        if (ctx->too_large && ctx->received / 4 > h->opt.body_limit)
            return MHD_NO;
        if (!ctx->too_large) {
            if (ctx->len + *upload_size > h->opt.body_limit) {
                ctx->too_large = 1;
            } else {
                if (ctx->len + *upload_size + 1 > ctx->cap) {
                    size_t cap = (ctx->len + *upload_size + 1) * 2;
                    if (cap > h->opt.body_limit + 1)
                        cap = h->opt.body_limit + 1;
                    char *grown = realloc(ctx->body, cap);
                    if (!grown)
                        lw_oom();
                    ctx->body = grown;
                    ctx->cap = cap;
                }
                memcpy(ctx->body + ctx->len, upload_data, *upload_size);
                ctx->len += *upload_size;
                ctx->body[ctx->len] = '\0';
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (ctx->status)
        return MHD_YES; /* already answered (413 at the first call) */
    if (ctx->too_large) {
        ctx->slot = (int)api_nroutes + 1;
        return send_problem(h, c, ctx, 413, "Request too large",
                            arena_printf(ctx->arena,
                                         "the body is larger than the limit of %zu bytes",
                                         h->opt.body_limit));
    }
    return handle(h, c, ctx, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)c;
    (void)toe;
    lw_http *h = cls;
    conn_ctx *ctx = *con_cls;
    if (!ctx)
        return;
    double ms = clock_monotonic_ms() - ctx->start;
    if (ctx->slot >= 0 && ctx->status)
        metrics_observe(ctx->slot, ctx->status, ms);
    if (h->opt.access_log) {
        char ts[LW_ISO_LEN];
        time_format_iso(clock_now(&h->app->clock), ts);
        json_t *line = json_pack("{s:s, s:s, s:s, s:i, s:f}", "ts", ts, "method", ctx->method,
                                 "route", ctx->route, "status", ctx->status, "ms", ms);
        char *s = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(4));
        if (s) {
            fprintf(h->opt.access_log, "%s\n", s);
            fflush(h->opt.access_log);
        }
        free(s);
        json_decref(line);
    }
    free(ctx->body);
    arena_free(ctx->arena);
    free(ctx);
    *con_cls = NULL;
    atomic_fetch_sub(&h->in_flight, 1);
}

/* ---- start and stop ---- */

static lw_status parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
                              int *v6, lw_error *err) {
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || !colon[1])
        return lw_fail(err, LW_EINVAL, "listen", "'%s' is not HOST:PORT (e.g. 127.0.0.1:8080)",
                       listen);
    size_t hl = (size_t)(colon - listen);
    if (listen[0] == '[' && hl >= 2 && listen[hl - 1] == ']') {
        listen++;
        hl -= 2;
    }
    if (hl >= sizeof host)
        return lw_fail(err, LW_EINVAL, "listen", "the host name is too long");
    memcpy(host, listen, hl);
    host[hl] = '\0';
    for (const char *p = colon + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return lw_fail(err, LW_EINVAL, "listen", "'%s' is not a port number", colon + 1);
    if (atoi(colon + 1) > 65535)
        return lw_fail(err, LW_EINVAL, "listen", "port %s is above 65535", colon + 1);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &ai);
    if (rc != 0 || !ai)
        return lw_fail(err, LW_EINVAL, "listen", "cannot resolve '%s': %s", host, gai_strerror(rc));
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *len = ai->ai_addrlen;
    *v6 = ai->ai_family == AF_INET6;
    freeaddrinfo(ai);
    return LW_OK;
}

lw_status http_start(lw_app *app, const lw_http_options *opt, lw_http **out, lw_error *err) {
    struct sockaddr_storage ss;
    socklen_t sslen;
    int v6 = 0;
    lw_status st = parse_listen(opt->listen, &ss, &sslen, &v6, err);
    if (st != LW_OK)
        return st;
    lw_http *h = calloc(1, sizeof *h);
    if (!h)
        lw_oom();
    h->app = app;
    h->opt = *opt;
    if (!h->opt.body_limit)
        h->opt.body_limit = 1024 * 1024;
    if (!h->opt.timeout_s)
        h->opt.timeout_s = 30;
    if (!h->opt.max_connections)
        h->opt.max_connections = 1000;
    if (h->opt.threads < 0)
        h->opt.threads = 0;
    /* Metric slots: each route, then "static", then "unmatched". */
    int nslots = (int)api_nroutes + 2;
    h->slot_methods = calloc((size_t)nslots, sizeof *h->slot_methods);
    h->slot_routes = calloc((size_t)nslots, sizeof *h->slot_routes);
    if (!h->slot_methods || !h->slot_routes)
        lw_oom();
    for (size_t i = 0; i < api_nroutes; i++) {
        h->slot_methods[i] = api_routes[i].method;
        h->slot_routes[i] = api_routes[i].pattern;
    }
    h->slot_methods[api_nroutes] = "GET";
    h->slot_routes[api_nroutes] = "static";
    h->slot_methods[api_nroutes + 1] = "*";
    h->slot_routes[api_nroutes + 1] = "unmatched";
    metrics_init(nslots, h->slot_methods, h->slot_routes);

    /* CONN_MEMORY: libmicrohttpd zeroes a connection's whole pool for each request on
     * a kept-alive connection, so its size is CPU on every request (4% of a search's
     * at 64 KiB) as well as memory per connection. */
    /* poll(), not epoll: with epoll workers MHD_quiesce_daemon() races them to take
     * the listening socket out of their epoll sets, and the loser aborts the
     * process ("Failed to remove listen FD from epoll set") at shutdown. */
    /* A thread per connection unless a pool is asked for (lw_http_options.threads):
     * measured on the referral journey (bench/README.md), the pool's threads each
     * served several of wrk's 64 connections while others served none, and a
     * request waiting for its commit held up the rest of its thread's. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     (h->opt.threads ? 0 : MHD_USE_THREAD_PER_CONNECTION) | (v6 ? MHD_USE_IPv6 : 0);
    h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
                            (unsigned)h->opt.threads, MHD_OPTION_CONNECTION_TIMEOUT,
                            h->opt.timeout_s, MHD_OPTION_CONNECTION_LIMIT, h->opt.max_connections,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_END);
    if (!h->d) {
        free(h->slot_methods);
        free(h->slot_routes);
        free(h);
        return lw_fail(err, LW_EUNAVAILABLE, "listen",
                       "cannot listen on %s (is another server using that port?)", opt->listen);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di ? di->port : 0;
    *out = h;
    return LW_OK;
}

int http_port(const lw_http *h) {
    return h->port;
}

int http_streams_open(const lw_http *h) {
    return atomic_load(&h->streams);
}

void http_stop(lw_http *h) {
    if (!h)
        return;
    MHD_socket s = MHD_quiesce_daemon(h->d);
    for (int i = 0; i < 1000 && atomic_load(&h->in_flight) > 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(h->d);
    /* Closed only now: a worker may still be polling it until it has seen the quiesce. */
    if (s != MHD_INVALID_SOCKET)
        close(s);
    free(h->slot_methods);
    free(h->slot_routes);
    free(h);
}
