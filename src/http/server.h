/*
 * The HTTP server: libmicrohttpd, a thread per connection (or a fixed pool of
 * threads when asked for one), the route table from
 * api/, static web assets, limits, security headers, the access log and
 * metrics. This module is the only one that includes microhttpd.h.
 */
#ifndef LW_SERVER_H
#define LW_SERVER_H

#include <stdio.h>

#include "api/api.h"

typedef struct lw_http lw_http;

typedef struct lw_http_options {
    const char *listen; /* "127.0.0.1:8080", "[::1]:0", "localhost:8080" */
    /* 0: a thread per connection (serve's default). N: a pool of N threads, each
     * serving many connections; a request that waits (for a commit's trip to the
     * disk) then holds up the other connections of its thread, and which thread a
     * connection lands on is a race, so a few threads may serve most of them. */
    int threads;
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
