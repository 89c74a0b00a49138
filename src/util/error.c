/* Filling and describing lw_error values. */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

lw_status lw_fail(lw_error *err, lw_status code, const char *field, const char *fmt, ...) {
    if (!err)
        return code;
    err->code = code;
    err->retry_after = 0;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void lw_error_clear(lw_error *err) {
    if (err)
        memset(err, 0, sizeof *err);
}

int lw_status_http(lw_status code) {
    switch (code) {
    case LW_OK:
        return 200;
    case LW_EINVAL:
        return 400;
    case LW_EAUTH:
        return 401;
    case LW_EFORBIDDEN:
        return 403;
    case LW_ENOTFOUND:
        return 404;
    case LW_ECONFLICT:
        return 409;
    case LW_ETOOLARGE:
        return 413;
    case LW_ETHROTTLED:
        return 429;
    case LW_EUNAVAILABLE:
        return 503;
    case LW_EINTERNAL:
        break;
    }
    return 500;
}

const char *lw_status_title(lw_status code) {
    switch (code) {
    case LW_OK:
        return "OK";
    case LW_EINVAL:
        return "Invalid input";
    case LW_EAUTH:
        return "Not signed in";
    case LW_EFORBIDDEN:
        return "Not allowed";
    case LW_ENOTFOUND:
        return "Not found";
    case LW_ECONFLICT:
        return "Conflict";
    case LW_ETOOLARGE:
        return "Request too large";
    case LW_ETHROTTLED:
        return "Too many attempts";
    case LW_EUNAVAILABLE:
        return "Service unavailable";
    case LW_EINTERNAL:
        break;
    }
    return "Internal error";
}
