/*
 * The OpenAPI document served at /api/v1/openapi.json must describe exactly
 * the routes in api_routes[]: every route documented (with its summary, its
 * security, its path parameters and its body), nothing documented that the
 * server does not route, every $ref resolvable, and the answers the server
 * really gives (status, content type, headers, JSON shape) as documented.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "harness.h"

#define PW "correct horse battery"

typedef struct fixture {
    th_server *s;
    th_client admin;
    int64_t admin_id;
    int64_t admin_org;
    json_t *doc; /* fetched over HTTP in setup */
} fixture;

static const char *const http_methods[] = {"get",     "put",  "post",  "delete",
                                           "options", "head", "patch", "trace"};

/* ---- helpers over the document ---- */

/* strcmp that treats NULL as different from everything. */
static int str_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

static void lower(const char *in, char *out, size_t size) {
    size_t i = 0;
    for (; in[i] && i + 1 < size; i++)
        out[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] + 32 : in[i]);
    out[i] = '\0';
}

/* Resolves a local JSON pointer ("#/components/schemas/User"); NULL when it leads nowhere. */
static json_t *resolve_pointer(json_t *root, const char *ref) {
    if (strncmp(ref, "#/", 2) != 0)
        return NULL;
    json_t *node = root;
    const char *p = ref + 2;
    while (node && *p) {
        char seg[256];
        size_t n = 0;
        for (; *p && *p != '/' && n + 1 < sizeof seg; p++) {
            if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
                seg[n++] = p[1] == '0' ? '~' : '/';
                p++;
            } else {
                seg[n++] = *p;
            }
        }
        seg[n] = '\0';
        if (*p == '/')
            p++;
        if (json_is_object(node))
            node = json_object_get(node, seg);
        else if (json_is_array(node))
            node = json_array_get(node, strtoul(seg, NULL, 10));
        else
            node = NULL;
    }
    return node;
}

/* Follows NODE's $ref (and the refs it leads to); NULL when one does not resolve. */
static json_t *deref(json_t *root, json_t *node) {
    for (int hops = 0; hops < 16 && json_is_object(node); hops++) {
        const char *ref = json_string_value(json_object_get(node, "$ref"));
        if (!ref)
            return node;
        node = resolve_pointer(root, ref);
    }
    return json_is_object(node) ? node : NULL;
}

static json_t *operation(json_t *doc, const char *pattern, const char *method) {
    char m[16];
    lower(method, m, sizeof m);
    return json_object_get(json_object_get(json_object_get(doc, "paths"), pattern), m);
}

static const api_route *route_for(const char *pattern, const char *method) {
    for (size_t i = 0; i < api_nroutes; i++)
        if (strcmp(api_routes[i].pattern, pattern) == 0 &&
            strcasecmp(api_routes[i].method, method) == 0)
            return &api_routes[i];
    return NULL;
}

static int is_http_method(const char *key) {
    for (size_t i = 0; i < sizeof http_methods / sizeof http_methods[0]; i++)
        if (strcmp(key, http_methods[i]) == 0)
            return 1;
    return 0;
}

/* The parameter NAME in LOCATION of OP (or of its path item), following $refs. */
static json_t *find_param(json_t *doc, json_t *path_item, json_t *op, const char *name,
                          const char *location) {
    json_t *lists[2] = {json_object_get(op, "parameters"),
                        json_object_get(path_item, "parameters")};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *p;
        json_array_foreach(lists[l], i, p) {
            json_t *param = deref(doc, p);
            if (param && str_eq(json_string_value(json_object_get(param, "name")), name) &&
                str_eq(json_string_value(json_object_get(param, "in")), location))
                return param;
        }
    }
    return NULL;
}

/* ---- a small JSON Schema check (the keywords the document uses) ---- */

static int type_is(const char *type, const json_t *v) {
    if (strcmp(type, "object") == 0)
        return json_is_object(v);
    if (strcmp(type, "array") == 0)
        return json_is_array(v);
    if (strcmp(type, "string") == 0)
        return json_is_string(v);
    if (strcmp(type, "integer") == 0)
        return json_is_integer(v);
    if (strcmp(type, "number") == 0)
        return json_is_number(v);
    if (strcmp(type, "boolean") == 0)
        return json_is_boolean(v);
    if (strcmp(type, "null") == 0)
        return json_is_null(v);
    return 0;
}

/* Counts the ways V breaks SCHEMA, reporting them unless QUIET. WHERE names V. */
static int schema_errors(json_t *doc, json_t *schema_in, json_t *v, const char *where, int quiet) {
    json_t *schema = deref(doc, schema_in);
    if (!schema) {
        if (!quiet)
            print_error("%s: its schema does not resolve\n", where);
        return 1;
    }
    int bad = 0;
    json_t *any = json_object_get(schema, "anyOf");
    if (json_is_array(any)) {
        size_t i;
        json_t *alt;
        int ok = 0;
        json_array_foreach(any, i, alt) ok = ok || schema_errors(doc, alt, v, where, 1) == 0;
        if (!ok) {
            if (!quiet)
                print_error("%s: matches none of its anyOf schemas\n", where);
            bad++;
        }
    }
    json_t *type = json_object_get(schema, "type");
    if (type) {
        int ok = 0;
        if (json_is_string(type)) {
            ok = type_is(json_string_value(type), v);
        } else {
            size_t i;
            json_t *t;
            json_array_foreach(type, i, t) ok = ok || type_is(json_string_value(t), v);
        }
        if (!ok) {
            if (!quiet) {
                char *t = json_dumps(type, JSON_ENCODE_ANY);
                char *got = json_dumps(v, JSON_ENCODE_ANY);
                print_error("%s: %s is not of the documented type %s\n", where, got, t);
                free(t);
                free(got);
            }
            return bad + 1;
        }
    }
    json_t *en = json_object_get(schema, "enum");
    if (json_is_array(en)) {
        size_t i;
        json_t *e;
        int ok = 0;
        json_array_foreach(en, i, e) ok = ok || json_equal(e, v);
        if (!ok) {
            if (!quiet)
                print_error("%s: value not in the documented enum\n", where);
            bad++;
        }
    }
    json_t *cst = json_object_get(schema, "const");
    if (cst && !json_equal(cst, v)) {
        if (!quiet)
            print_error("%s: value is not the documented const\n", where);
        bad++;
    }
    json_t *min = json_object_get(schema, "minimum"), *max = json_object_get(schema, "maximum");
    if (json_is_number(v) && ((min && json_number_value(v) < json_number_value(min)) ||
                              (max && json_number_value(v) > json_number_value(max)))) {
        if (!quiet)
            print_error("%s: out of the documented range\n", where);
        bad++;
    }
    if (json_is_object(v)) {
        json_t *props = json_object_get(schema, "properties");
        size_t i;
        json_t *req;
        json_array_foreach(json_object_get(schema, "required"), i, req) {
            if (!json_object_get(v, json_string_value(req))) {
                if (!quiet)
                    print_error("%s: the required member '%s' is missing\n", where,
                                json_string_value(req));
                bad++;
            }
        }
        const char *key;
        json_t *member;
        json_object_foreach(v, key, member) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s.%s", where, key);
            json_t *prop = json_object_get(props, key);
            if (prop) {
                bad += schema_errors(doc, prop, member, sub, quiet);
            } else if (json_is_false(json_object_get(schema, "additionalProperties"))) {
                if (!quiet)
                    print_error("%s: not documented\n", sub);
                bad++;
            }
        }
    }
    json_t *items = json_object_get(schema, "items");
    if (json_is_array(v) && items) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s[%zu]", where, i);
            bad += schema_errors(doc, items, item, sub, quiet);
        }
    }
    return bad;
}

/* ---- fixture ---- */

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->s = th_start();
    f->admin_org = th_org(f->s, "Admin Org", "other");
    f->admin_id = th_user(f->s, f->admin_org, "admin@example.org", "admin", PW);
    assert_int_equal(th_login(f->s, &f->admin, "admin@example.org", PW), 201);
    th_resp *r = th_call(f->s, NULL, "GET", "/api/v1/openapi.json", NULL);
    assert_int_equal(r->status, 200);
    if (!json_is_object(r->json))
        fail_msg("/api/v1/openapi.json is not a JSON object");
    f->doc = json_incref(r->json);
    th_resp_free(r);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    json_decref(f->doc);
    th_stop(f->s);
    free(f);
    return 0;
}

/* ---- the document against the route table ---- */

static void document_is_openapi_3_1_json(void **state) {
    fixture *f = *state;
    th_resp *r = th_call(f->s, NULL, "GET", "/api/v1/openapi.json", NULL);
    assert_int_equal(r->status, 200);
    char ct[128];
    assert_non_null(th_header(r, "Content-Type", ct, sizeof ct));
    assert_string_equal(ct, "application/json");
    json_error_t je;
    json_t *doc = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        fail_msg("openapi.json is not valid JSON: %s at line %d, column %d", je.text, je.line,
                 je.column);
    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
    json_t *info = json_object_get(doc, "info");
    assert_non_null(json_string_value(json_object_get(info, "title")));
    assert_non_null(json_string_value(json_object_get(info, "version")));
    assert_true(json_is_object(json_object_get(doc, "paths")));
    assert_true(json_object_size(json_object_get(doc, "paths")) > 0);
    json_t *schemes = json_object_get(json_object_get(doc, "components"), "securitySchemes");
    json_t *cookie = json_object_get(schemes, "cookieAuth");
    assert_string_equal(json_string_value(json_object_get(cookie, "type")), "apiKey");
    assert_string_equal(json_string_value(json_object_get(cookie, "in")), "cookie");
    assert_string_equal(json_string_value(json_object_get(cookie, "name")), "lw_session");
    json_t *bearer = json_object_get(schemes, "bearerAuth");
    assert_string_equal(json_string_value(json_object_get(bearer, "type")), "http");
    assert_string_equal(json_string_value(json_object_get(bearer, "scheme")), "bearer");
    json_decref(doc);
    th_resp_free(r);
}

/* Checks the operation documenting RT; returns how many things are wrong. */
static int route_errors(json_t *doc, const api_route *rt) {
    int bad = 0;
    json_t *path_item = json_object_get(json_object_get(doc, "paths"), rt->pattern);
    json_t *op = operation(doc, rt->pattern, rt->method);
    if (!json_is_object(op)) {
        print_error("%s %s is in api_routes[] but not documented in openapi.json\n", rt->method,
                    rt->pattern);
        return 1;
    }
    const char *summary = json_string_value(json_object_get(op, "summary"));
    if (!summary || strcmp(summary, rt->summary) != 0) {
        print_error("%s %s: summary '%s' is not the route table's '%s'\n", rt->method, rt->pattern,
                    summary ? summary : "(none)", rt->summary);
        bad++;
    }
    /* Security: public routes say so; the others name known schemes and the roles. */
    json_t *sec = json_object_get(op, "security");
    json_t *schemes = json_object_get(json_object_get(doc, "components"), "securitySchemes");
    if (!json_is_array(sec) || (rt->roles == 0) != (json_array_size(sec) == 0)) {
        print_error("%s %s: security must be %s\n", rt->method, rt->pattern,
                    rt->roles ? "a non-empty list" : "[] (the route is public)");
        bad++;
    }
    size_t i;
    json_t *req;
    json_array_foreach(sec, i, req) {
        const char *name;
        json_t *scopes;
        json_object_foreach(req, name, scopes) {
            if (!json_object_get(schemes, name)) {
                print_error("%s %s: unknown security scheme %s\n", rt->method, rt->pattern, name);
                bad++;
            }
        }
    }
    if (rt->roles) {
        json_t *roles = json_object_get(op, "x-roles");
        size_t want = 0;
        for (int r = 0; r < LW_ROLE_COUNT; r++) {
            if (!(rt->roles & LW_ROLE_BIT(r)))
                continue;
            want++;
            int found = 0;
            size_t j;
            json_t *name;
            json_array_foreach(roles, j, name) found =
                found || str_eq(json_string_value(name), role_name((lw_role)r));
            if (!found) {
                print_error("%s %s: x-roles lacks %s\n", rt->method, rt->pattern,
                            role_name((lw_role)r));
                bad++;
            }
        }
        if (json_array_size(roles) != want) {
            print_error("%s %s: x-roles lists %zu roles; the route allows %zu\n", rt->method,
                        rt->pattern, json_array_size(roles), want);
            bad++;
        }
    }
    /* Every {name} in the pattern is a required path parameter. */
    for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
        json_t *param = find_param(doc, path_item, op, name, "path");
        if (!param || !json_is_true(json_object_get(param, "required"))) {
            print_error("%s %s: path parameter {%s} is not documented as required\n", rt->method,
                        rt->pattern, name);
            bad++;
        }
    }
    /* A body is documented exactly where the route takes one. */
    int writes = strcmp(rt->method, "GET") != 0 && strcmp(rt->method, "HEAD") != 0;
    int takes_body = writes && strcmp(rt->method, "DELETE") != 0 && !(rt->flags & API_NO_BODY);
    if (takes_body != (json_object_get(op, "requestBody") != NULL)) {
        print_error("%s %s: %s\n", rt->method, rt->pattern,
                    takes_body ? "takes a body but documents no requestBody"
                               : "documents a requestBody but takes none");
        bad++;
    }
    json_t *responses = json_object_get(op, "responses");
    if (rt->roles && !json_object_get(responses, "401")) {
        print_error("%s %s: needs sign-in but documents no 401\n", rt->method, rt->pattern);
        bad++;
    }
    if (rt->roles && (rt->roles != LW_ROLES_ALL || writes) && !json_object_get(responses, "403")) {
        print_error("%s %s: can refuse with 403 (role or CSRF) but documents no 403\n", rt->method,
                    rt->pattern);
        bad++;
    }
    if (rt->roles && writes && !find_param(doc, path_item, op, "X-CSRF-Token", "header")) {
        print_error("%s %s: a write that needs X-CSRF-Token with a cookie does not document it\n",
                    rt->method, rt->pattern);
        bad++;
    }
    return bad;
}

static void every_route_is_documented(void **state) {
    fixture *f = *state;
    int bad = 0;
    assert_true(api_nroutes > 0);
    for (size_t i = 0; i < api_nroutes; i++)
        bad += route_errors(f->doc, &api_routes[i]);
    if (bad)
        fail_msg("openapi.json disagrees with api_routes[] in %d ways (listed above)", bad);
}

static void every_documented_operation_is_routed(void **state) {
    fixture *f = *state;
    int bad = 0;
    size_t nops = 0;
    const char *pattern;
    json_t *item;
    json_object_foreach(json_object_get(f->doc, "paths"), pattern, item) {
        const char *key;
        json_t *op;
        json_object_foreach(item, key, op) {
            if (is_http_method(key)) {
                nops++;
                if (!route_for(pattern, key)) {
                    print_error("openapi.json documents %s %s, which is not in api_routes[]\n", key,
                                pattern);
                    bad++;
                }
            } else if (strcmp(key, "summary") != 0 && strcmp(key, "description") != 0 &&
                       strcmp(key, "parameters") != 0 && strcmp(key, "servers") != 0) {
                print_error("openapi.json: %s has '%s', which is not a lower-case HTTP method\n",
                            pattern, key);
                bad++;
            }
        }
    }
    if (bad)
        fail_msg("openapi.json documents %d operations the server does not route", bad);
    assert_int_equal(nops, api_nroutes);
}

static void every_operation_is_complete(void **state) {
    fixture *f = *state;
    int bad = 0;
    json_t *ids = json_object();
    const char *pattern;
    json_t *item;
    json_object_foreach(json_object_get(f->doc, "paths"), pattern, item) {
        const char *method;
        json_t *op;
        json_object_foreach(item, method, op) {
            if (!is_http_method(method))
                continue;
            const char *id = json_string_value(json_object_get(op, "operationId"));
            if (!id || !*id || json_object_get(ids, id)) {
                print_error("%s %s: operationId missing or not unique\n", method, pattern);
                bad++;
            } else {
                json_object_set_new(ids, id, json_true());
            }
            if (json_array_size(json_object_get(op, "tags")) == 0) {
                print_error("%s %s: no tags\n", method, pattern);
                bad++;
            }
            json_t *responses = json_object_get(op, "responses");
            int ok2xx = 0;
            const char *code;
            json_t *resp;
            json_object_foreach(responses, code, resp) {
                ok2xx |= code[0] == '2';
                if (!deref(f->doc, resp) ||
                    !json_is_string(json_object_get(deref(f->doc, resp), "description"))) {
                    print_error("%s %s: response %s has no description\n", method, pattern, code);
                    bad++;
                }
            }
            if (!json_is_object(responses) || !ok2xx) {
                print_error("%s %s: no responses object with a 2xx status\n", method, pattern);
                bad++;
            }
        }
    }
    json_decref(ids);
    if (bad)
        fail_msg("%d operations are incomplete (listed above)", bad);
}

/* Checks every $ref under NODE resolves to a component, reporting the ones
 * that do not unless QUIET; counts them in *NREFS. */
static int ref_errors(json_t *doc, json_t *node, size_t *nrefs, int quiet) {
    int bad = 0;
    if (json_is_object(node)) {
        const char *key;
        json_t *v;
        json_object_foreach(node, key, v) {
            if (strcmp(key, "$ref") == 0 && json_is_string(v)) {
                (*nrefs)++;
                const char *ref = json_string_value(v);
                if (strncmp(ref, "#/components/", 13) != 0 || !resolve_pointer(doc, ref)) {
                    if (!quiet)
                        print_error("$ref %s does not resolve to a component\n", ref);
                    bad++;
                }
            } else {
                bad += ref_errors(doc, v, nrefs, quiet);
            }
        }
    } else if (json_is_array(node)) {
        size_t i;
        json_t *v;
        json_array_foreach(node, i, v) bad += ref_errors(doc, v, nrefs, quiet);
    }
    return bad;
}

static void every_ref_resolves(void **state) {
    fixture *f = *state;
    size_t nrefs = 0;
    int bad = ref_errors(f->doc, f->doc, &nrefs, 0);
    if (bad)
        fail_msg("%d $refs do not resolve (listed above)", bad);
    assert_true(nrefs > 0);
    /* And the resolver itself notices a dangling one. */
    json_t *dangling = json_pack("{s:s}", "$ref", "#/components/schemas/NoSuchThing");
    nrefs = 0;
    assert_int_equal(ref_errors(f->doc, dangling, &nrefs, 1), 1);
    json_decref(dangling);
}

/* ---- the server's answers against the document ---- */

/* Calls METHOD PATH as C and checks the answer has status WANT and is as
 * documented for PATTERN: status listed, content type, headers and JSON shape. */
static void check_answer(fixture *f, const th_client *c, const char *method, const char *pattern,
                         const char *path, const char *body, long want) {
    th_resp *r = th_call(f->s, c, method, path, body);
    if (r->status != want)
        fail_msg("%s %s: got %ld, wanted %ld: %s", method, path, r->status, want, r->body);
    json_t *op = operation(f->doc, pattern, method);
    if (!op)
        fail_msg("%s %s is not documented", method, pattern);
    char code[8];
    snprintf(code, sizeof code, "%ld", r->status);
    json_t *resp = deref(f->doc, json_object_get(json_object_get(op, "responses"), code));
    if (!resp)
        fail_msg("%s %s answered %ld, which is not documented", method, pattern, r->status);
    char value[512];
    const char *name;
    json_t *hdr;
    json_object_foreach(json_object_get(resp, "headers"), name, hdr) {
        if (!th_header(r, name, value, sizeof value))
            fail_msg("%s %s (%ld): documented header %s is missing", method, path, r->status, name);
    }
    json_t *content = json_object_get(resp, "content");
    if (!content) {
        if (r->body_len != 0)
            fail_msg("%s %s (%ld): a body is sent but none is documented", method, path, r->status);
        th_resp_free(r);
        return;
    }
    if (!th_header(r, "Content-Type", value, sizeof value))
        fail_msg("%s %s (%ld): no Content-Type", method, path, r->status);
    json_t *media = json_object_get(content, value);
    if (!media)
        fail_msg("%s %s (%ld): Content-Type %s is not documented", method, path, r->status, value);
    if (strstr(value, "json")) {
        if (!r->json)
            fail_msg("%s %s (%ld): the body is not JSON", method, path, r->status);
        char where[300];
        snprintf(where, sizeof where, "%s %s (%ld) body", method, path, r->status);
        int bad = schema_errors(f->doc, json_object_get(media, "schema"), r->json, where, 0);
        if (bad)
            fail_msg("%s: %d differences from the documented schema (listed above)", where, bad);
    }
    th_resp_free(r);
}

static void answers_match_the_document(void **state) {
    fixture *f = *state;
    th_client *a = &f->admin;
    char path[128], body[512];

    check_answer(f, NULL, "GET", "/healthz", "/healthz", NULL, 200);
    check_answer(f, NULL, "GET", "/metrics", "/metrics", NULL, 200);
    check_answer(f, NULL, "GET", "/api/v1/openapi.json", "/api/v1/openapi.json", NULL, 200);
    check_answer(f, NULL, "GET", "/healthz", "/healthz", "{}", 400);

    check_answer(f, NULL, "POST", "/api/v1/session", "/api/v1/session",
                 "{\"email\": \"admin@example.org\", \"password\": \"" PW "\"}", 201);
    check_answer(f, NULL, "POST", "/api/v1/session", "/api/v1/session",
                 "{\"email\": \"admin@example.org\", \"pasword\": \"x\"}", 400);
    check_answer(f, NULL, "GET", "/api/v1/users/me", "/api/v1/users/me", NULL, 401);
    check_answer(f, a, "GET", "/api/v1/users/me", "/api/v1/users/me", NULL, 200);

    /* Organisations and users, created, read, listed and changed. */
    check_answer(f, a, "POST", "/api/v1/organisations", "/api/v1/organisations",
                 "{\"name\": \"Riverside Medical Practice\", \"kind\": \"gp_practice\"}", 201);
    check_answer(f, a, "POST", "/api/v1/organisations", "/api/v1/organisations",
                 "{\"name\": \"Riverside Medical Practice\", \"kind\": \"gp_practice\"}", 409);
    check_answer(f, a, "POST", "/api/v1/organisations", "/api/v1/organisations",
                 "{\"name\": \"Elsewhere\", \"kind\": \"castle\"}", 400);
    check_answer(f, a, "GET", "/api/v1/organisations", "/api/v1/organisations?per_page=1", NULL,
                 200);
    snprintf(path, sizeof path, "/api/v1/organisations/%lld", (long long)f->admin_org);
    check_answer(f, a, "GET", "/api/v1/organisations/{id}", path, NULL, 200);
    check_answer(f, a, "PATCH", "/api/v1/organisations/{id}", path, "{\"kind\": \"other\"}", 200);
    check_answer(f, a, "PATCH", "/api/v1/organisations/{id}", path, "{\"active\": false}", 409);
    check_answer(f, a, "GET", "/api/v1/organisations/{id}", "/api/v1/organisations/99999", NULL,
                 404);

    snprintf(body, sizeof body,
             "{\"email\": \"gp@example.org\", \"name\": \"Dr Gee\", \"role\": \"referrer\", "
             "\"organisation_id\": %lld, \"password\": \"" PW "\"}",
             (long long)f->admin_org);
    check_answer(f, a, "POST", "/api/v1/users", "/api/v1/users", body, 201);
    check_answer(f, a, "POST", "/api/v1/users", "/api/v1/users", body, 409);
    check_answer(f, a, "GET", "/api/v1/users", "/api/v1/users?role=admin&active=true", NULL, 200);
    check_answer(f, a, "GET", "/api/v1/users", "/api/v1/users?role=wizard", NULL, 400);
    snprintf(path, sizeof path, "/api/v1/users/%lld", (long long)f->admin_id);
    check_answer(f, a, "GET", "/api/v1/users/{id}", path, NULL, 200);
    check_answer(f, a, "PATCH", "/api/v1/users/{id}", path, "{\"name\": \"The Admin\"}", 200);
    check_answer(f, a, "PATCH", "/api/v1/users/{id}", path, "{\"role\": \"referrer\"}", 409);
    check_answer(f, a, "GET", "/api/v1/users/{id}", "/api/v1/users/x", NULL, 404);

    check_answer(f, a, "GET", "/api/v1/audit", "/api/v1/audit?from=2000-01-01", NULL, 200);
    check_answer(f, a, "GET", "/api/v1/audit", "/api/v1/audit?from=yesterday", NULL, 400);

    /* A referrer is refused the admin's routes, and a cookie write needs the CSRF token. */
    th_client gp = {0};
    assert_int_equal(th_login(f->s, &gp, "gp@example.org", PW), 201);
    check_answer(f, &gp, "GET", "/api/v1/users", "/api/v1/users", NULL, 403);
    th_client no_csrf = gp;
    no_csrf.csrf[0] = '\0';
    check_answer(f, &no_csrf, "DELETE", "/api/v1/session", "/api/v1/session", NULL, 403);
    check_answer(f, &gp, "DELETE", "/api/v1/session", "/api/v1/session", NULL, 204);

    /* Throttled sign-in: 429 with Retry-After and retry_after. */
    const char *wrong = "{\"email\": \"gp@example.org\", \"password\": \"not the password\"}";
    for (int i = 0; i < LW_THROTTLE_ACCOUNT; i++)
        check_answer(f, NULL, "POST", "/api/v1/session", "/api/v1/session", wrong, 401);
    check_answer(f, NULL, "POST", "/api/v1/session", "/api/v1/session", wrong, 429);
}

/* Every member a request schema documents is one the handler knows: sending
 * it alone (as null, which handlers treat as absent) is never refused as "not
 * a field of this request". */
static void documented_body_members_are_accepted(void **state) {
    fixture *f = *state;
    int bad = 0, checked = 0;
    for (size_t i = 0; i < api_nroutes; i++) {
        const api_route *rt = &api_routes[i];
        json_t *op = operation(f->doc, rt->pattern, rt->method);
        json_t *body = json_object_get(op, "requestBody");
        if (!body)
            continue;
        json_t *schema = deref(
            f->doc, json_object_get(json_object_get(json_object_get(deref(f->doc, body), "content"),
                                                    "application/json"),
                                    "schema"));
        /* A body that is not JSON (a CSV import) has no members to try. */
        if (!json_object_get(json_object_get(deref(f->doc, body), "content"), "application/json"))
            continue;
        assert_non_null(schema);
        char path[256];
        const char *brace = strchr(rt->pattern, '{');
        if (brace)
            snprintf(path, sizeof path, "%.*s%lld", (int)(brace - rt->pattern), rt->pattern,
                     (long long)(strstr(rt->pattern, "/users/") ? f->admin_id : f->admin_org));
        else
            snprintf(path, sizeof path, "%s", rt->pattern);
        const char *member;
        json_t *prop;
        json_object_foreach(json_object_get(schema, "properties"), member, prop) {
            char text[256];
            snprintf(text, sizeof text, "{\"%s\": null}", member);
            th_resp *r = th_call(f->s, &f->admin, rt->method, path, text);
            const char *field = json_string_value(json_object_get(r->json, "field"));
            const char *detail = json_string_value(json_object_get(r->json, "detail"));
            if (r->status == 400 && field && strcmp(field, member) == 0 && detail &&
                strstr(detail, "is not a field")) {
                print_error("%s %s: documents '%s' but the handler refuses it\n", rt->method,
                            rt->pattern, member);
                bad++;
            }
            checked++;
            th_resp_free(r);
        }
    }
    if (bad)
        fail_msg("%d documented request members are refused (listed above)", bad);
    assert_true(checked > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(document_is_openapi_3_1_json),
        cmocka_unit_test(every_route_is_documented),
        cmocka_unit_test(every_documented_operation_is_routed),
        cmocka_unit_test(every_operation_is_complete),
        cmocka_unit_test(every_ref_resolves),
        cmocka_unit_test(documented_body_members_are_accepted),
        cmocka_unit_test(answers_match_the_document),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
