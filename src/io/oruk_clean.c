/*
 * Cleaning Open Referral records into the canonical shape of the model
 * (domain/directory.h): HTML reduced to text, dates and times in one form, ids made
 * UUIDs, unusable values dropped with a warning and unusable records rejected, each
 * with its path and reason in the report.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/directory.h"
#include "io/oruk_internal.h"
#include "util/timeutil.h"

/* "kind:id" into KEY (ids are UUIDs, kinds short words). */
static const char *root_key(char key[96], const char *kind, const char *id) {
    size_t kl = strlen(kind), il = strlen(id);
    if (kl + il + 2 > 96)
        il = 96 - kl - 2;
    memcpy(key, kind, kl);
    key[kl] = ':';
    memcpy(key + kl + 1, id, il);
    key[kl + 1 + il] = '\0';
    return key;
}

int oruk_seen_root(imp *m, const char *kind, const char *id) {
    char key[96];
    return json_object_get(m->cleaned, root_key(key, kind, id)) != NULL;
}

void oruk_mark_root(imp *m, const char *kind, const char *id) {
    char key[96];
    json_object_set_new(m->cleaned, root_key(key, kind, id), json_true());
}

void oruk_note(imp *m, json_t *list, const char *id, const char *path, const char *fmt, ...) {
    if (list == m->warnings) {
        m->nwarn++;
        if (json_array_size(list) >= (size_t)m->max_lines)
            return;
    } else if (json_array_size(list) >= (size_t)m->max_lines * 10) {
        return;
    }
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    json_t *o = json_pack("{s:s, s:s, s:s}", "file", m->file, "path", path, "reason", reason);
    json_object_set_new(o, "id", id ? json_string(id) : json_null());
    json_array_append_new(list, o);
}

/* A short, printable rendering of a JSON value for messages. */
static void show(json_t *v, char out[48]) {
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!s) {
        snprintf(out, 48, "?");
        return;
    }
    size_t n = strlen(s);
    if (n > 40)
        snprintf(out, 48, "%.37s...", s);
    else
        snprintf(out, 48, "%s", s);
    /* Keep the report one line per entry. */
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < ' ')
            *p = ' ';
    free(s);
}

/* The text of a scalar (strings as they are, numbers printed); NULL otherwise. */
char *oruk_scalar_text(json_t *v) {
    char buf[64];
    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return strdup(buf);
    }
    if (json_is_real(v)) {
        snprintf(buf, sizeof buf, "%.10g", json_real_value(v));
        return strdup(buf);
    }
    return NULL;
}

static int parse_number(json_t *v, double *out) {
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return isfinite(*out) ? 0 : -1;
    }
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    while (*s == ' ')
        s++;
    if (strncmp(s, "\xc2\xa3", 2) == 0) /* £ */
        s += 2;
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (errno || *end || !isfinite(d))
        return -1;
    *out = d;
    return 0;
}

static const char *ref_kind(const char *field) {
    if (strcmp(field, "organization_id") == 0 || strcmp(field, "parent_organization_id") == 0)
        return "organization";
    if (strcmp(field, "location_id") == 0)
        return "location";
    if (strcmp(field, "taxonomy_id") == 0)
        return "taxonomy";
    return "taxonomy_term"; /* taxonomy_term_id, parent_id */
}

/* An id as a UUID string into OUT; 0 when V is no usable id. */
static int make_id(const char *kind, json_t *v, char out[37]) {
    /* Most ids are lower-case UUIDs already. */
    if (json_is_string(v) && json_string_length(v) == 36 && dir_is_uuid(json_string_value(v))) {
        const char *t = json_string_value(v);
        for (size_t i = 0; i < 36; i++)
            out[i] = (char)tolower((unsigned char)t[i]);
        out[36] = '\0';
        return 1;
    }
    char *s = oruk_scalar_text(v);
    if (!s)
        return 0;
    char *t = s;
    while (*t == ' ')
        t++;
    size_t n = strlen(t);
    while (n && t[n - 1] == ' ')
        t[--n] = '\0';
    int ok = n > 0 && n < 400;
    if (ok) {
        if (dir_is_uuid(t)) {
            for (size_t i = 0; i < 36; i++)
                out[i] = (char)tolower((unsigned char)t[i]);
            out[36] = '\0';
        } else {
            dir_uuid_for(kind, t, out);
        }
    }
    free(s);
    return ok;
}

/* "OBJ.FIELD" into BUF (640 bytes), made only when something is reported. */
static const char *fpath(char *buf, const char *obj, const char *field) {
    snprintf(buf, 640, "%s.%s", obj, field);
    return buf;
}

/* One field: the canonical value, or NULL (absent, or dropped with a warning). */
static json_t *clean_field(imp *m, const dir_field *f, json_t *v, const char *id,
                           const char *objpath) {
    char shown[48], path[640];
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v) && json_string_value(v)[0] == '\0')
        return NULL;
    switch (f->type) {
    case DF_TEXT:
    case DF_CODE: {
        /* Most text is already clean: kept as it is, without a copy. */
        if (json_is_string(v) && dir_text_is_clean(json_string_value(v), json_string_length(v),
                                                   f->maxlen ? f->maxlen : LW_DIR_TEXT_MAX))
            return json_incref(v);
        char *s = oruk_scalar_text(v);
        if (!s) {
            show(v, shown);
            oruk_note(m, m->warnings, id, fpath(path, objpath, f->name), "%s is not text; left out",
                      shown);
            return NULL;
        }
        size_t max = f->maxlen ? f->maxlen : LW_DIR_TEXT_MAX;
        int cut = 0;
        size_t len = strlen(s);
        char *c = dir_text_clean(s, len, max, &cut);
        free(s);
        if (cut)
            oruk_note(m, m->warnings, id, fpath(path, objpath, f->name),
                      "%zu bytes long; cut to %zu", len, strlen(c));
        json_t *r = *c ? json_string(c) : NULL;
        free(c);
        return r;
    }
    case DF_INT: {
        double d;
        if (parse_number(v, &d) != 0 || d != floor(d) || fabs(d) > 1e12) {
            show(v, shown);
            oruk_note(m, m->warnings, id, fpath(path, objpath, f->name),
                      "%s is not a whole number; left out", shown);
            return NULL;
        }
        int age = strstr(f->name, "_age") != NULL;
        if (age && (d < 0 || d > 150)) {
            oruk_note(m, m->warnings, id, fpath(path, objpath, f->name),
                      "%g is not an age; left out", d);
            return NULL;
        }
        return json_integer((json_int_t)d);
    }
    case DF_COORD: {
        double d, lim = strcmp(f->name, "latitude") == 0 ? 90 : 180;
        if (parse_number(v, &d) != 0 || d < -lim || d > lim) {
            show(v, shown);
            oruk_note(m, m->warnings, id, fpath(path, objpath, f->name), "%s is not a %s; left out",
                      shown, f->name);
            return NULL;
        }
        return dir_json_coord(llround(d * 1e6));
    }
    case DF_MONEY: {
        double d;
        if (parse_number(v, &d) != 0 || d < 0 || d > 1e9) {
            show(v, shown);
            oruk_note(m, m->warnings, id, fpath(path, objpath, f->name),
                      "%s is not an amount; left out", shown);
            return NULL;
        }
        return dir_json_money(llround(d * 100));
    }
    case DF_DATE: {
        char out[11];
        if (!json_is_string(v) || dir_date_parse(json_string_value(v), out) != 0) {
            show(v, shown);
            oruk_note(m, m->warnings, id, fpath(path, objpath, f->name),
                      "%s is not a date; left out", shown);
            return NULL;
        }
        return json_string(out);
    }
    case DF_DATETIME: {
        int64_t ms;
        char d[11];
        lw_error ignored;
        if (json_is_string(v) &&
            time_parse_iso(json_string_value(v), f->name, &ms, &ignored) == LW_OK)
            return dir_json_datetime(ms);
        if (json_is_string(v) && dir_date_parse(json_string_value(v), d) == 0 &&
            time_parse_iso(d, f->name, &ms, &ignored) == LW_OK)
            return dir_json_datetime(ms);
        show(v, shown);
        oruk_note(m, m->warnings, id, fpath(path, objpath, f->name),
                  "%s is not a date and time; left out", shown);
        return NULL;
    }
    case DF_TIME: {
        char out[9];
        if (!json_is_string(v) || dir_time_parse(json_string_value(v), out) != 0) {
            show(v, shown);
            oruk_note(m, m->warnings, id, fpath(path, objpath, f->name),
                      "%s is not a time of day; left out", shown);
            return NULL;
        }
        return json_string(out);
    }
    case DF_URL: {
        char *s = oruk_scalar_text(v);
        char *t = s;
        while (t && *t == ' ')
            t++;
        size_t n = t ? strlen(t) : 0;
        while (n && t[n - 1] == ' ')
            t[--n] = '\0';
        json_t *r = NULL;
        if (t && strncasecmp(t, "www.", 4) == 0) {
            char *w = malloc(n + 8);
            snprintf(w, n + 8, "http://%s", t);
            if (dir_url_valid(w) && n + 7 <= f->maxlen)
                r = json_string(w);
            free(w);
        } else if (t && dir_url_valid(t) && n <= f->maxlen) {
            r = json_string(t);
        }
        if (!r) {
            show(v, shown);
            oruk_note(m, m->warnings, id, fpath(path, objpath, f->name),
                      "%s is not a web address (http:// or https://); left out", shown);
        }
        free(s);
        return r;
    }
    case DF_EMAIL: {
        char *s = oruk_scalar_text(v);
        char *t = s;
        while (t && *t == ' ')
            t++;
        if (t && strncasecmp(t, "mailto:", 7) == 0)
            t += 7;
        size_t n = t ? strlen(t) : 0;
        while (n && t[n - 1] == ' ')
            t[--n] = '\0';
        json_t *r = t && n <= 254 && dir_email_valid(t) ? json_string(t) : NULL;
        if (!r) {
            show(v, shown);
            oruk_note(m, m->warnings, id, fpath(path, objpath, f->name),
                      "%s is not an email address; left out", shown);
        }
        free(s);
        return r;
    }
    case DF_REF: {
        char out[37];
        if (json_is_string(v) && dir_is_uuid(json_string_value(v))) {
            int lower = 1;
            for (const char *c = json_string_value(v); *c && lower; c++)
                lower = !(*c >= 'A' && *c <= 'F');
            if (lower)
                return json_incref(v);
        }
        if (!make_id(ref_kind(f->name), v, out)) {
            show(v, shown);
            oruk_note(m, m->warnings, id, fpath(path, objpath, f->name),
                      "%s is not an id; left out", shown);
            return NULL;
        }
        return json_string(out);
    }
    }
    return NULL;
}

static void put_field(imp *m, const dir_field *f, json_t *in, json_t *out, const char *id,
                      const char *path) {
    json_t *v = clean_field(m, f, json_object_get(in, f->name), id, path);
    if (v)
        json_object_set_new(out, f->name, v);
}

/* "A.B" (or "A[N]" when B is NULL) in STACK (SIZE bytes) when it fits, else malloc'd:
 * free it with path_free. */
static char *path_join(char *stack, size_t size, const char *a, const char *b, size_t n) {
    char idx[24];
    if (!b) {
        snprintf(idx, sizeof idx, "[%zu]", n);
    }
    size_t la = strlen(a), lb = b ? strlen(b) + 1 : strlen(idx);
    char *p = la + lb + 1 <= size ? stack : malloc(la + lb + 1);
    if (!p)
        lw_oom();
    memcpy(p, a, la);
    if (b) {
        p[la] = '.';
        memcpy(p + la + 1, b, lb - 1);
    } else {
        memcpy(p + la, idx, lb);
    }
    p[la + lb] = '\0';
    return p;
}

static void path_free(char *p, const char *stack) {
    if (p != stack)
        free(p);
}

static json_t *clean_nested(imp *m, const dir_entity *e, json_t *in, const char *path,
                            const char *parent_id, const char *root_id, size_t pos);

static void clean_children(imp *m, const dir_entity *e, json_t *in, json_t *out, const char *id,
                           const char *root_id, const char *path) {
    for (int k = 0; e->children && e->children[k]; k++) {
        const dir_entity *c = e->children[k];
        json_t *arr = json_object_get(in, c->key);
        if (!arr || json_is_null(arr))
            continue;
        char cpstack[256];
        char *cp = path_join(cpstack, sizeof cpstack, path, c->key, 0);
        if (json_is_object(arr)) {
            /* One object where a list belongs: take it as a list of one. */
            json_t *one = json_array();
            json_array_append(one, arr);
            arr = one;
        } else if (!json_is_array(arr)) {
            char shown[48];
            show(arr, shown);
            oruk_note(m, m->warnings, id, cp, "%s is not a list; left out", shown);
            path_free(cp, cpstack);
            continue;
        } else {
            json_incref(arr);
        }
        json_t *list = json_array();
        json_t *seen = NULL; /* ids in LIST, made when a second item comes */
        size_t i;
        json_t *item;
        json_array_foreach(arr, i, item) {
            char ipstack[288];
            char *ip = path_join(ipstack, sizeof ipstack, cp, NULL, i);
            json_t *o = clean_nested(m, c, item, ip, id, root_id, i);
            if (o) {
                const char *oid = json_string_value(json_object_get(o, "id"));
                if (!seen && json_array_size(list) > 0) {
                    seen = json_object();
                    size_t j;
                    json_t *prev;
                    json_array_foreach(list, j, prev) json_object_set_new(
                        seen, json_string_value(json_object_get(prev, "id")), json_true());
                }
                if (seen && json_object_get(seen, oid)) {
                    oruk_note(m, m->warnings, id, ip,
                              "the id %s appears twice in this list; the second "
                              "is left out",
                              oid);
                    json_decref(o);
                } else {
                    if (seen)
                        json_object_set_new(seen, oid, json_true());
                    json_array_append_new(list, o);
                }
            }
            path_free(ip, ipstack);
        }
        json_decref(seen);
        json_decref(arr);
        if (json_array_size(list))
            json_object_set_new(out, c->key, list);
        else
            json_decref(list);
        path_free(cp, cpstack);
    }
}

/* Inline root records (service.organization, ...): imported on their own, kept as a reference. */
static void clean_inlines(imp *m, const dir_entity *e, json_t *in, json_t *out, const char *id,
                          const char *path) {
    (void)id;
    for (const dir_inline *il = e->inlines; il && il->key; il++) {
        json_t *v = json_object_get(in, il->key);
        if (!json_is_object(v))
            continue;
        /* Shared records (an organisation of many services, a taxonomy term) are
         * cleaned once: later copies only give their id. */
        char known[37];
        if (make_id((*il->e)->kind, json_object_get(v, "id"), known) &&
            oruk_seen_root(m, (*il->e)->kind, known)) {
            if (!json_object_get(out, il->ref))
                json_object_set_new(out, il->ref, json_string(known));
            continue;
        }
        char ipstack[256];
        char *ip = path_join(ipstack, sizeof ipstack, path, il->key, 0);
        int rej = 0;
        const char *given = json_string_value(json_object_get(out, il->ref));
        json_t *doc = oruk_clean_root(m, *il->e, v, ip, given, &rej);
        if (doc) {
            const char *rid = json_string_value(json_object_get(doc, "id"));
            if (!json_object_get(out, il->ref))
                json_object_set_new(out, il->ref, json_string(rid));
            json_t *into = *il->e == &dir_organization_entity ? m->orgs
                           : *il->e == &dir_location_entity   ? m->locs
                           : *il->e == &dir_taxonomy_entity   ? m->taxes
                                                              : m->terms;
            if (!oruk_seen_root(m, (*il->e)->kind, rid)) {
                json_object_set(into, rid, doc);
                oruk_mark_root(m, (*il->e)->kind, rid);
                if (*il->e == &dir_taxonomy_term_entity) {
                    const char *name = json_string_value(json_object_get(doc, "name"));
                    json_object_set_new(m->term_names, rid, json_string(name ? name : ""));
                }
            }
            json_decref(doc);
        }
        path_free(ip, ipstack);
    }
}

static json_t *clean_nested(imp *m, const dir_entity *e, json_t *in, const char *path,
                            const char *parent_id, const char *root_id, size_t pos) {
    if (!json_is_object(in)) {
        char shown[48];
        show(in, shown);
        oruk_note(m, m->warnings, root_id, path, "%s is not an object; left out", shown);
        return NULL;
    }
    char id[37];
    if (!make_id(e->kind, json_object_get(in, "id"), id)) {
        char key[120];
        snprintf(key, sizeof key, "%s/%s/%zu", parent_id, e->key, pos);
        dir_uuid_for(e->kind, key, id);
    }
    json_t *out = json_object();
    json_object_set_new(out, "id", json_string(id));
    for (const dir_field *f = e->fields; f->name; f++)
        put_field(m, f, in, out, root_id, path);
    if (strcmp(e->kind, "address") == 0 && !json_object_get(out, "address_type"))
        json_object_set_new(out, "address_type", json_string("physical"));
    clean_inlines(m, e, in, out, root_id, path);
    clean_children(m, e, in, out, id, root_id, path);
    return out;
}

json_t *oruk_clean_root(imp *m, const dir_entity *e, json_t *in, const char *path,
                        const char *fallback_id, int *rejected) {
    *rejected = 0;
    if (!json_is_object(in)) {
        char shown[48];
        show(in, shown);
        oruk_note(m, m->rejected, NULL, path, "%s is not an object", shown);
        *rejected = 1;
        return NULL;
    }
    char id[37];
    json_t *given = json_object_get(in, "id");
    char *shown_id = oruk_scalar_text(given);
    if (!make_id(e->kind, given, id)) {
        if (fallback_id) {
            snprintf(id, sizeof id, "%s", fallback_id);
        } else {
            char p[600];
            snprintf(p, sizeof p, "%s.id", path);
            oruk_note(m, m->rejected, NULL, p, given ? "is not a usable id" : "missing");
            *rejected = 1;
            free(shown_id);
            return NULL;
        }
    }
    json_t *out = json_object();
    json_object_set_new(out, "id", json_string(id));
    for (const dir_field *f = e->fields; f->name; f++)
        put_field(m, f, in, out, shown_id ? shown_id : id, path);
    const char *name = json_string_value(json_object_get(out, "name"));
    if (!name && e == &dir_service_entity) {
        char p[600];
        snprintf(p, sizeof p, "%s.name", path);
        json_t *nv = json_object_get(in, "name");
        oruk_note(m, m->rejected, shown_id ? shown_id : id, p,
                  !nv || json_is_null(nv) ? "missing"
                  : json_is_string(nv)    ? "empty"
                                          : "not text");
        *rejected = 1;
        json_decref(out);
        free(shown_id);
        return NULL;
    }
    if (!name && e != &dir_location_entity) {
        /* Organisations, taxonomies and terms need a name to be shown at all. */
        const char *code = json_string_value(json_object_get(out, "code"));
        json_object_set_new(out, "name", json_string(code ? code : "Unnamed"));
        char p[600];
        snprintf(p, sizeof p, "%s.name", path);
        oruk_note(m, m->warnings, shown_id ? shown_id : id, p, "missing; shown as '%s'",
                  code ? code : "Unnamed");
    }
    if (e == &dir_location_entity && !json_object_get(out, "location_type"))
        json_object_set_new(out, "location_type", json_string("physical"));
    if (e == &dir_service_entity) {
        const char *st = json_string_value(json_object_get(out, "status"));
        const char *canon = "active";
        if (st) {
            char low[32];
            size_t n = strlen(st);
            for (size_t i = 0; i < n && i < sizeof low - 1; i++)
                low[i] = st[i] == '_' ? ' ' : (char)tolower((unsigned char)st[i]);
            low[n < sizeof low - 1 ? n : sizeof low - 1] = '\0';
            if (dir_status_valid(low))
                canon = low[0] == 't' ? "temporarily closed" : low;
            else if (strcmp(low, "closed temporarily") == 0)
                canon = "temporarily closed";
            else {
                char p[600];
                snprintf(p, sizeof p, "%s.status", path);
                oruk_note(
                    m, m->warnings, shown_id ? shown_id : id, p,
                    "'%s' is not a status (active, inactive, defunct, temporarily closed); taken "
                    "as active",
                    st);
            }
            canon = strcmp(canon, "active") == 0     ? "active"
                    : strcmp(canon, "inactive") == 0 ? "inactive"
                    : strcmp(canon, "defunct") == 0  ? "defunct"
                                                     : "temporarily closed";
        }
        json_object_set_new(out, "status", json_string(canon));
        json_t *mn = json_object_get(out, "minimum_age"), *mx = json_object_get(out, "maximum_age");
        if (mn && mx && json_integer_value(mn) > json_integer_value(mx)) {
            char p[600];
            snprintf(p, sizeof p, "%s.maximum_age", path);
            oruk_note(m, m->warnings, shown_id ? shown_id : id, p,
                      "is below minimum_age; both left out");
            json_object_del(out, "minimum_age");
            json_object_del(out, "maximum_age");
        }
    }
    clean_inlines(m, e, in, out, shown_id ? shown_id : id, path);
    clean_children(m, e, in, out, id, id, path);
    free(shown_id);
    return out;
}

void oruk_imp_init(imp *m, int max_lines) {
    memset(m, 0, sizeof *m);
    m->rejected = json_array();
    m->warnings = json_array();
    m->max_lines = max_lines;
    m->orgs = json_object();
    m->locs = json_object();
    m->terms = json_object();
    m->taxes = json_object();
    m->cleaned = json_object();
    m->w_orgs = json_object();
    m->domain_memo = json_object();
    m->term_names = json_object();
    m->svc_seen = json_object();
    m->st = LW_OK;
}

void oruk_imp_free(imp *m) {
    json_decref(m->rejected);
    json_decref(m->warnings);
    json_decref(m->orgs);
    json_decref(m->locs);
    json_decref(m->terms);
    json_decref(m->taxes);
    json_decref(m->cleaned);
    json_decref(m->w_orgs);
    json_decref(m->domain_memo);
    json_decref(m->term_names);
    json_decref(m->svc_seen);
    arena_free(m->ra);
}

lw_status oruk_clean_service(json_t *raw, json_t **doc, lw_error *err) {
    imp m;
    oruk_imp_init(&m, 100);
    m.file = "body";
    int rej = 0;
    json_t *out = oruk_clean_root(&m, &dir_service_entity, raw, "service", NULL, &rej);
    lw_status st = LW_OK;
    json_t *first = json_array_get(out ? m.warnings : m.rejected, 0);
    if (!out || first) {
        /* A person editing one service gets told, not a silent drop. */
        const char *path = json_string_value(json_object_get(first, "path"));
        const char *dot = path ? strchr(path, '.') : NULL;
        st = lw_fail(err, LW_EINVAL, dot ? dot + 1 : "service", "%s",
                     first ? json_string_value(json_object_get(first, "reason")) : "is not usable");
        json_decref(out);
        out = NULL;
    }
    *doc = out;
    oruk_imp_free(&m);
    return st;
}
