/*
 * The HTTP server: libmicrohttpd in thread-pool mode, the route table from
 * api/, static web assets, limits, security headers, the access log and
 * metrics. This module is the only one that includes microhttpd.h.
 */
#ifndef LW_SERVER_H
#define LW_SERVER_H

#include <stdio.h>

#include "api/api.h"

typedef struct lw_http lw_http;

typedef struct lw_http_options {
    const char *listen;       /* "127.0.0.1:8080", "[::1]:0", "localhost:8080" */
    int threads;              /* 0: one per core, at least 2 (serve passes 16 per core) */
    size_t body_limit;        /* bytes; 0: 1 MiB */
    unsigned timeout_s;       /* idle connection timeout; 0: 30 */
    unsigned max_connections; /* 0: 1000 */
    FILE *access_log;         /* one JSON line per request; NULL: none */
    /* When the peer is this address (a reverse proxy), the client's address is
     * the right-most entry of X-Forwarded-For. NULL: trust no proxy. */
    const char *trusted_proxy;
} lw_http_options;

/* Starts serving APP (borrowed; must outlive the server). */
lw_status http_start(lw_app *app, const lw_http_options *opt, lw_http **out,
                     lw_error *err) LW_MUST_CHECK;
/* The port actually bound (useful with port 0). */
int http_port(const lw_http *h);
/* How many streamed answers (api_stream()) are being sent or not yet freed: one whose
 * client went away mid-stream is freed as soon as the server notices, not at shutdown. */
int http_streams_open(const lw_http *h);
/* Stops accepting, lets requests in flight finish (up to 10 s), then stops.
 * NULL is fine. */
void http_stop(lw_http *h);

#endif
