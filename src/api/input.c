/* Reading and validating request input: query parameters, path ids, JSON members. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

const char *api_query(const api_request *req, const char *name) {
    for (int i = 0; i < req->nquery; i++)
        if (strcmp(req->query[i].key, name) == 0)
            return req->query[i].value ? req->query[i].value : "";
    return NULL;
}

/* Parses a whole decimal integer in [MIN, MAX]; 0 on success. */
static int parse_int(const char *s, long long min, long long max, long long *out) {
    if (!s || !*s)
        return -1;
    for (const char *p = s; *p; p++)
        if ((*p < '0' || *p > '9') && !(p == s && *p == '-'))
            return -1;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

lw_status api_page(const api_request *req, lw_page *out, lw_error *err) {
    long long v;
    out->page = 1;
    out->per_page = LW_PER_PAGE_DEFAULT;
    const char *p = api_query(req, "page");
    if (p) {
        if (parse_int(p, 1, 1000000, &v) != 0)
            return lw_fail(err, LW_EINVAL, "page", "'%.40s' is not a page number (1 or more)", p);
        out->page = (int)v;
    }
    p = api_query(req, "per_page");
    if (p) {
        if (parse_int(p, 1, LW_PER_PAGE_MAX, &v) != 0)
            return lw_fail(err, LW_EINVAL, "per_page", "'%.40s' is not between 1 and %d", p,
                           LW_PER_PAGE_MAX);
        out->per_page = (int)v;
    }
    return LW_OK;
}

lw_status api_query_id(const api_request *req, const char *name, int64_t *out, lw_error *err) {
    long long v;
    const char *p = api_query(req, name);
    *out = 0;
    if (!p)
        return LW_OK;
    if (parse_int(p, 1, INT64_MAX, &v) != 0)
        return lw_fail(err, LW_EINVAL, name, "'%.40s' is not an id (a positive whole number)", p);
    *out = v;
    return LW_OK;
}

lw_status api_param_id(const api_request *req, int idx, int64_t *out, lw_error *err) {
    long long v;
    const char *p = idx < req->nparams ? req->params[idx] : NULL;
    if (parse_int(p, 1, INT64_MAX, &v) != 0)
        return lw_fail(err, LW_ENOTFOUND, NULL,
                       "there is nothing at this address (the id "
                       "must be a positive whole number)");
    *out = v;
    return LW_OK;
}

lw_status jin_object(const api_request *req, const char *const *allowed, lw_error *err) {
    if (!req->json)
        return lw_fail(err, LW_EINVAL, NULL, "the request needs a JSON object as its body");
    if (!json_is_object(req->json))
        return lw_fail(err, LW_EINVAL, NULL, "the body must be a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(req->json, key, v) {
        int known = 0;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        if (!known)
            return lw_fail(err, LW_EINVAL, key, "is not a field of this request");
    }
    return LW_OK;
}

lw_status jin_string(const json_t *obj, const char *key, int required, size_t maxlen,
                     const char **out, lw_error *err) {
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return lw_fail(err, LW_EINVAL, key, "is required");
        return LW_OK;
    }
    if (!json_is_string(v))
        return lw_fail(err, LW_EINVAL, key, "must be a string");
    size_t len = json_string_length(v);
    if (strlen(json_string_value(v)) != len)
        return lw_fail(err, LW_EINVAL, key, "must not contain NUL characters");
    if (len > maxlen)
        return lw_fail(err, LW_EINVAL, key, "is longer than %zu characters", maxlen);
    if (required && len == 0)
        return lw_fail(err, LW_EINVAL, key, "must not be empty");
    *out = json_string_value(v);
    return LW_OK;
}

lw_status jin_bool(const json_t *obj, const char *key, int required, int *out, lw_error *err) {
    json_t *v = json_object_get(obj, key);
    *out = -1;
    if (!v || json_is_null(v)) {
        if (required)
            return lw_fail(err, LW_EINVAL, key, "is required");
        return LW_OK;
    }
    if (!json_is_boolean(v))
        return lw_fail(err, LW_EINVAL, key, "must be true or false");
    *out = json_is_true(v);
    return LW_OK;
}

lw_status jin_id(const json_t *obj, const char *key, int required, int64_t *out, lw_error *err) {
    json_t *v = json_object_get(obj, key);
    *out = 0;
    if (!v || json_is_null(v)) {
        if (required)
            return lw_fail(err, LW_EINVAL, key, "is required");
        return LW_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return lw_fail(err, LW_EINVAL, key, "must be an id (a positive whole number)");
    *out = json_integer_value(v);
    return LW_OK;
}
