/*
 * The older Open Referral UK (v1) JSON that many English council directories
 * still publish, turned into HSDS 3.0 documents for the common cleaner:
 * eligibilitys become eligibility text and ages, regular_schedules schedules,
 * service_taxonomys attributes with their taxonomy terms, physical_addresses
 * addresses, accessibility_for_disabilities accessibility.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/oruk.h"

int oruk_is_v1(json_t *item) {
    static const char *const keys[] = {"service_taxonomys",
                                       "regular_schedules",
                                       "eligibilitys",
                                       "holiday_schedules",
                                       "fundings",
                                       "reviews",
                                       NULL};
    if (!json_is_object(item))
        return 0;
    for (const char *const *k = keys; *k; k++)
        if (json_object_get(item, *k))
            return 1;
    size_t i;
    json_t *sal;
    json_array_foreach(json_object_get(item, "service_at_locations"), i, sal) {
        json_t *loc = json_object_get(sal, "location");
        if (json_object_get(loc, "physical_addresses") ||
            json_object_get(loc, "accessibility_for_disabilities"))
            return 1;
    }
    return 0;
}

static void copy(json_t *to, const char *tkey, json_t *from, const char *fkey) {
    json_t *v = json_object_get(from, fkey);
    if (v && !json_is_null(v))
        json_object_set(to, tkey, v);
}

/* A list of objects, each mapped by F. */
static json_t *map_list(json_t *arr, json_t *(*f)(json_t *)) {
    json_t *out = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o) {
        if (json_is_object(o))
            json_array_append_new(out, f(o));
    }
    return out;
}

static json_t *schedule(json_t *s) {
    json_t *o = json_object();
    static const char *const keys[] = {"id",         "opens_at",    "closes_at",  "byday",
                                       "freq",       "interval",    "valid_from", "valid_to",
                                       "dtstart",    "until",       "count",      "wkst",
                                       "bymonthday", "description", NULL};
    for (const char *const *k = keys; *k; k++)
        copy(o, *k, s, *k);
    if (!json_object_get(o, "byday"))
        copy(o, "byday", s, "weekday");
    return o;
}

static json_t *phone(json_t *p) {
    json_t *o = json_object();
    copy(o, "id", p, "id");
    copy(o, "number", p, "number");
    copy(o, "type", p, "type");
    copy(o, "description", p, "description");
    return o;
}

static json_t *contact(json_t *c) {
    json_t *o = json_object();
    copy(o, "id", c, "id");
    copy(o, "name", c, "name");
    copy(o, "title", c, "title");
    copy(o, "email", c, "email");
    json_t *ph = json_object_get(c, "phones");
    if (json_is_array(ph))
        json_object_set_new(o, "phones", map_list(ph, phone));
    return o;
}

static json_t *language(json_t *l) {
    json_t *o = json_object();
    copy(o, "id", l, "id");
    copy(o, "name", l, "language");
    copy(o, "name", l, "name");
    copy(o, "code", l, "code");
    return o;
}

static json_t *cost(json_t *c) {
    json_t *o = json_object();
    static const char *const keys[] = {"id",         "amount",   "amount_description", "option",
                                       "valid_from", "valid_to", "currency",           NULL};
    for (const char *const *k = keys; *k; k++)
        copy(o, *k, c, *k);
    return o;
}

static json_t *address(json_t *a) {
    json_t *o = json_object();
    static const char *const keys[] = {
        "id",          "address_1", "address_2", "city", "region", "state_province",
        "postal_code", "country",   "attention", NULL};
    for (const char *const *k = keys; *k; k++)
        copy(o, *k, a, *k);
    if (!json_object_get(o, "address_1"))
        copy(o, "address_1", a, "address");
    json_object_set_new(o, "address_type", json_string("physical"));
    return o;
}

static json_t *accessibility(json_t *a) {
    json_t *o = json_object();
    copy(o, "id", a, "id");
    copy(o, "description", a, "accessibility");
    copy(o, "details", a, "details");
    return o;
}

static json_t *location(json_t *l) {
    json_t *o = json_object();
    static const char *const keys[] = {"id",        "name",           "description",    "latitude",
                                       "longitude", "transportation", "alternate_name", NULL};
    for (const char *const *k = keys; *k; k++)
        copy(o, *k, l, *k);
    json_object_set_new(o, "location_type", json_string("physical"));
    json_t *pa = json_object_get(l, "physical_addresses");
    if (json_is_array(pa))
        json_object_set_new(o, "addresses", map_list(pa, address));
    json_t *ac = json_object_get(l, "accessibility_for_disabilities");
    if (json_is_array(ac))
        json_object_set_new(o, "accessibility", map_list(ac, accessibility));
    return o;
}

static json_t *sal(json_t *s) {
    json_t *o = json_object();
    copy(o, "id", s, "id");
    json_t *loc = json_object_get(s, "location");
    if (json_is_object(loc)) {
        json_object_set_new(o, "location", location(loc));
        copy(o, "location_id", loc, "id");
    }
    json_t *rs = json_object_get(s, "regular_schedules");
    if (json_is_array(rs))
        json_object_set_new(o, "schedules", map_list(rs, schedule));
    return o;
}

static json_t *attribute(json_t *st) {
    json_t *o = json_object();
    copy(o, "id", st, "id");
    json_t *t = json_object_get(st, "taxonomy");
    if (json_is_object(t)) {
        json_t *term = json_object();
        copy(term, "id", t, "id");
        copy(term, "name", t, "name");
        copy(term, "taxonomy", t, "vocabulary");
        copy(term, "parent_id", t, "parent");
        json_object_set_new(o, "taxonomy_term", term);
        copy(o, "taxonomy_term_id", t, "id");
    }
    return o;
}

static json_t *area(json_t *a) {
    json_t *o = json_object();
    copy(o, "id", a, "id");
    copy(o, "name", a, "service_area");
    copy(o, "extent", a, "extent");
    copy(o, "uri", a, "uri");
    return o;
}

static json_t *funding(json_t *f) {
    json_t *o = json_object();
    copy(o, "id", f, "id");
    copy(o, "source", f, "source");
    return o;
}

json_t *oruk_v1_to_v3(json_t *v1) {
    json_t *o = json_object();
    static const char *const keys[] = {
        "id",    "name",           "description",         "url",
        "email", "status",         "accreditations",      "assured_date",
        "alert", "alternate_name", "application_process", "wait_time",
        NULL};
    for (const char *const *k = keys; *k; k++)
        copy(o, *k, v1, *k);
    copy(o, "fees_description", v1, "fees");
    json_t *org = json_object_get(v1, "organization");
    if (json_is_object(org)) {
        json_t *no = json_object();
        static const char *const ok[] = {"id", "name", "description", "email", "logo", "uri", NULL};
        for (const char *const *k = ok; *k; k++)
            copy(no, *k, org, *k);
        copy(no, "website", org, "url");
        copy(no, "website", org, "website");
        json_object_set_new(o, "organization", no);
        copy(o, "organization_id", org, "id");
    }
    copy(o, "organization_id", v1, "organization_id");
    /* eligibilitys: the texts joined, the widest ages. */
    size_t i;
    json_t *e;
    char *text = NULL;
    json_int_t lo = -1, hi = -1;
    json_array_foreach(json_object_get(v1, "eligibilitys"), i, e) {
        const char *t = json_string_value(json_object_get(e, "eligibility"));
        if (t && *t) {
            size_t n = (text ? strlen(text) + 2 : 0) + strlen(t) + 1;
            char *g = malloc(n);
            snprintf(g, n, "%s%s%s", text ? text : "", text ? "; " : "", t);
            free(text);
            text = g;
        }
        json_t *mn = json_object_get(e, "minimum_age"), *mx = json_object_get(e, "maximum_age");
        if (json_is_integer(mn) && (lo < 0 || json_integer_value(mn) < lo))
            lo = json_integer_value(mn);
        if (json_is_integer(mx) && (hi < 0 || json_integer_value(mx) > hi))
            hi = json_integer_value(mx);
    }
    if (text)
        json_object_set_new(o, "eligibility_description", json_string(text));
    free(text);
    if (lo >= 0)
        json_object_set_new(o, "minimum_age", json_integer(lo));
    if (hi >= 0)
        json_object_set_new(o, "maximum_age", json_integer(hi));
    static const struct {
        const char *from, *to;
        json_t *(*f)(json_t *);
    } lists[] = {{"regular_schedules", "schedules", schedule},
                 {"contacts", "contacts", contact},
                 {"languages", "languages", language},
                 {"cost_options", "cost_options", cost},
                 {"service_at_locations", "service_at_locations", sal},
                 {"service_taxonomys", "attributes", attribute},
                 {"service_areas", "service_areas", area},
                 {"fundings", "funding", funding},
                 {"phones", "phones", phone}};
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++) {
        json_t *arr = json_object_get(v1, lists[k].from);
        if (json_is_array(arr))
            json_object_set_new(o, lists[k].to, map_list(arr, lists[k].f));
    }
    return o;
}
