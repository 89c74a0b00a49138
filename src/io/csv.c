/*
 * The HSDS CSV datapackage: a folder with datapackage.json and one CSV file per
 * table (services.csv, organizations.csv, locations.csv, ...), RFC 4180 with a
 * header row. The rows are joined back into nested HSDS 3.0 service documents
 * (each nested row under the most specific record it names: a phone under its
 * contact before its service), which the common cleaner then takes like JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"
#include "io/oruk.h"

int csv_records(const char *s, size_t len, json_t **out) {
    json_t *records = json_array(), *rec = json_array();
    size_t cap = 256, n = 0;
    char *cell = malloc(cap);
    size_t i = 0;
    int ok = 1;
    if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        i = 3; /* a byte-order mark */
    while (i <= len) {
        n = 0;
        if (i < len && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) {
                    ok = 0;
                    break;
                }
                if (s[i] == '"') {
                    if (i + 1 < len && s[i + 1] == '"') {
                        i += 2;
                        if (n + 1 >= cap)
                            cell = realloc(cell, cap *= 2);
                        cell[n++] = '"';
                        continue;
                    }
                    i++;
                    break;
                }
                if (n + 1 >= cap)
                    cell = realloc(cell, cap *= 2);
                cell[n++] = s[i++];
            }
            if (!ok)
                break;
        }
        while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
            if (n + 1 >= cap)
                cell = realloc(cell, cap *= 2);
            cell[n++] = s[i++];
        }
        cell[n] = '\0';
        json_array_append_new(rec, json_stringn(cell, n));
        if (i >= len || s[i] == '\n' || s[i] == '\r') {
            if (i < len && s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
                i++;
            json_array_append_new(records, rec);
            rec = json_array();
            i++;
            if (i >= len)
                break;
            continue;
        }
        i++; /* the comma */
    }
    free(cell);
    json_decref(rec);
    if (!ok) {
        json_decref(records);
        return -1;
    }
    *out = records;
    return 0;
}

/* Parses CSV text into an array of objects keyed by the header (empty cells
 * left out, blank lines skipped). -1 on a malformed file (an unterminated quote). */
static int csv_parse(const char *s, size_t len, json_t **out) {
    json_t *records = NULL;
    if (csv_records(s, len, &records) != 0)
        return -1;
    json_t *rows = json_array(), *header = json_array_get(records, 0);
    for (size_t r = 1; r < json_array_size(records); r++) {
        json_t *rec = json_array_get(records, r), *row = json_object();
        for (size_t col = 0; col < json_array_size(rec); col++) {
            const char *key = json_string_value(json_array_get(header, col));
            json_t *v = json_array_get(rec, col);
            if (key && json_string_length(v) > 0)
                json_object_set(row, key, v);
        }
        if (json_object_size(row) > 0)
            json_array_append(rows, row);
        json_decref(row);
    }
    json_decref(records);
    *out = rows;
    return 0;
}

/* The rows of DIR/NAME.csv (an empty array when the file is absent). */
static lw_status load(const char *dir, const char *name, json_t **out, lw_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) {
            *out = json_array();
            return LW_OK;
        }
        return lw_fail(err, LW_EINVAL, path, "cannot be read: %s", strerror(errno));
    }
    size_t cap = 1 << 16, n = 0, got;
    char *b = malloc(cap);
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
    int rc = csv_parse(b, n, out);
    free(b);
    if (rc != 0)
        return lw_fail(err, LW_EINVAL, path,
                       "is not valid CSV (a quoted cell is never closed): nothing was imported");
    return LW_OK;
}

static const char *val(json_t *row, const char *key) {
    return json_string_value(json_object_get(row, key));
}

/* Appends ITEM to the list KEY of OBJ. */
static void push(json_t *obj, const char *key, json_t *item) {
    json_t *arr = json_object_get(obj, key);
    if (!arr) {
        arr = json_array();
        json_object_set_new(obj, key, arr);
    }
    json_array_append(arr, item);
}

/* Index: id → row. */
static json_t *by_id(json_t *rows) {
    json_t *ix = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        const char *id = val(r, "id");
        if (id && !json_object_get(ix, id))
            json_object_set(ix, id, r);
    }
    return ix;
}

/* Puts each row of ROWS under the first of OWNERS (column name, index) it names. */
typedef struct owner {
    const char *col;
    json_t *ix;
} owner;

static void attach(json_t *rows, const char *key, const owner *owners, int n) {
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        for (int k = 0; k < n; k++) {
            const char *ref = val(r, owners[k].col);
            json_t *o = ref ? json_object_get(owners[k].ix, ref) : NULL;
            if (o) {
                push(o, key, r);
                break;
            }
        }
    }
}

lw_status oruk_csv_read(const char *dir, json_t **out, lw_error *err) {
    static const char *const names[] = {"services",
                                        "organizations",
                                        "locations",
                                        "addresses",
                                        "service_at_location",
                                        "schedules",
                                        "phones",
                                        "contacts",
                                        "languages",
                                        "accessibility",
                                        "cost_options",
                                        "taxonomies",
                                        "taxonomy_terms",
                                        "attributes",
                                        "service_areas",
                                        "required_documents",
                                        "funding",
                                        "service_at_locations"};
    enum {
        SVC,
        ORG,
        LOC,
        ADDR,
        SAL,
        SCHED,
        PHONE,
        CONTACT,
        LANG,
        ACC,
        COST,
        TAX,
        TERM,
        ATTR,
        AREA,
        DOC,
        FUND,
        SAL2,
        NT
    };
    char path[4096];
    snprintf(path, sizeof path, "%s/datapackage.json", dir);
    FILE *dp = fopen(path, "rb");
    if (!dp)
        return lw_fail(err, LW_EINVAL, path,
                       "cannot be read: a CSV datapackage is a folder with datapackage.json and "
                       "one CSV file per table");
    fclose(dp);
    json_t *t[NT] = {0};
    lw_status st = LW_OK;
    for (int i = 0; i < NT && st == LW_OK; i++)
        st = load(dir, names[i], &t[i], err);
    if (st != LW_OK) {
        for (int i = 0; i < NT; i++)
            json_decref(t[i]);
        return st;
    }
    size_t i;
    json_t *r;
    json_array_foreach(t[SAL2], i, r) json_array_append(t[SAL], r);
    if (json_array_size(t[SVC]) == 0) {
        for (int k = 0; k < NT; k++)
            json_decref(t[k]);
        return lw_fail(err, LW_EINVAL, dir, "has no services.csv (or it has no rows)");
    }
    json_t *svc = by_id(t[SVC]), *org = by_id(t[ORG]), *loc = by_id(t[LOC]), *sal = by_id(t[SAL]),
           *contact = by_id(t[CONTACT]), *phone = by_id(t[PHONE]), *term = by_id(t[TERM]),
           *tax = by_id(t[TAX]);
    /* Deepest first, so that a phone is complete before its contact is attached. */
    owner lang_o[] = {{"phone_id", phone}, {"service_id", svc}, {"location_id", loc}};
    attach(t[LANG], "languages", lang_o, 3);
    owner phone_o[] = {{"contact_id", contact},
                       {"service_at_location_id", sal},
                       {"service_id", svc},
                       {"location_id", loc}};
    attach(t[PHONE], "phones", phone_o, 4);
    owner contact_o[] = {
        {"service_at_location_id", sal}, {"service_id", svc}, {"location_id", loc}};
    attach(t[CONTACT], "contacts", contact_o, 3);
    owner sched_o[] = {{"service_at_location_id", sal}, {"service_id", svc}, {"location_id", loc}};
    attach(t[SCHED], "schedules", sched_o, 3);
    owner loc_o[] = {{"location_id", loc}};
    attach(t[ADDR], "addresses", loc_o, 1);
    attach(t[ACC], "accessibility", loc_o, 1);
    owner svc_o[] = {{"service_id", svc}};
    attach(t[COST], "cost_options", svc_o, 1);
    attach(t[AREA], "service_areas", svc_o, 1);
    attach(t[DOC], "required_documents", svc_o, 1);
    attach(t[FUND], "funding", svc_o, 1);
    json_array_foreach(t[TERM], i, r) {
        json_t *tx = val(r, "taxonomy_id") ? json_object_get(tax, val(r, "taxonomy_id")) : NULL;
        if (tx)
            json_object_set(r, "taxonomy_detail", tx);
    }
    json_array_foreach(t[ATTR], i, r) {
        const char *link = val(r, "link_id");
        json_t *s = link ? json_object_get(svc, link) : NULL;
        if (!s)
            continue;
        json_t *tm =
            val(r, "taxonomy_term_id") ? json_object_get(term, val(r, "taxonomy_term_id")) : NULL;
        if (tm)
            json_object_set(r, "taxonomy_term", tm);
        push(s, "attributes", r);
    }
    json_array_foreach(t[SAL], i, r) {
        json_t *s = val(r, "service_id") ? json_object_get(svc, val(r, "service_id")) : NULL;
        json_t *l = val(r, "location_id") ? json_object_get(loc, val(r, "location_id")) : NULL;
        if (l)
            json_object_set(r, "location", l);
        if (s)
            push(s, "service_at_locations", r);
    }
    json_array_foreach(t[SVC], i, r) {
        json_t *o =
            val(r, "organization_id") ? json_object_get(org, val(r, "organization_id")) : NULL;
        if (o)
            json_object_set(r, "organization", o);
    }
    *out = json_deep_copy(t[SVC]);
    json_decref(svc);
    json_decref(org);
    json_decref(loc);
    json_decref(sal);
    json_decref(contact);
    json_decref(phone);
    json_decref(term);
    json_decref(tax);
    for (int k = 0; k < NT; k++)
        json_decref(t[k]);
    return LW_OK;
}
