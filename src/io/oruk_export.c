/*
 * Open Referral UK documents out: a service in full, with the records it
 * refers to inline, as GET /openreferral/services/{id} serves it. What it
 * writes, the importer reads back to the same directory.
 */
#include <string.h>

#include "io/oruk.h"

/* The validator's schemas require a description on these; linkwell may not have one. */
static void ensure_description(json_t *o) {
    if (!json_object_get(o, "description"))
        json_object_set_new(o, "description", json_string(""));
}

lw_status oruk_service_full(lw_db *db, lw_arena *a, const char *id, json_t **out, lw_error *err) {
    json_t *svc = NULL;
    lw_status st = store_dir_get(db, a, &dir_service_entity, id, &svc, err);
    if (st != LW_OK)
        return st;
    json_t *org = NULL;
    const char *oid = json_string_value(json_object_get(svc, "organization_id"));
    if (oid && store_dir_get(db, a, &dir_organization_entity, oid, &org, err) == LW_OK) {
        ensure_description(org);
        json_object_set_new(svc, "organization", org);
    }
    size_t i;
    json_t *sal;
    json_array_foreach(json_object_get(svc, "service_at_locations"), i, sal) {
        const char *lid = json_string_value(json_object_get(sal, "location_id"));
        json_t *loc = NULL;
        if (lid && store_dir_get(db, a, &dir_location_entity, lid, &loc, err) == LW_OK) {
            /* The UK profile requires these address members: "" where unknown
             * (which the importer reads back as absent). */
            static const char *const req[] = {"address_1",   "city",    "state_province",
                                              "postal_code", "country", NULL};
            size_t k;
            json_t *ad;
            json_array_foreach(json_object_get(loc, "addresses"), k, ad) {
                for (const char *const *m = req; *m; m++)
                    if (!json_object_get(ad, *m))
                        json_object_set_new(ad, *m, json_string(""));
            }
            json_object_set_new(sal, "location", loc);
        }
    }
    json_t *at;
    json_array_foreach(json_object_get(svc, "attributes"), i, at) {
        const char *tid = json_string_value(json_object_get(at, "taxonomy_term_id"));
        json_t *term = NULL;
        if (tid && store_dir_get(db, a, &dir_taxonomy_term_entity, tid, &term, err) == LW_OK) {
            ensure_description(term);
            const char *xid = json_string_value(json_object_get(term, "taxonomy_id"));
            json_t *tax = NULL;
            if (xid && store_dir_get(db, a, &dir_taxonomy_entity, xid, &tax, err) == LW_OK) {
                ensure_description(tax);
                json_object_set_new(term, "taxonomy_detail", tax);
            }
            json_object_set_new(at, "taxonomy_term", term);
        }
    }
    lw_error_clear(err);
    *out = svc;
    return LW_OK;
}

json_t *oruk_sal_full(json_t *svc, const char *sal_id) {
    size_t i;
    json_t *sal;
    json_array_foreach(json_object_get(svc, "service_at_locations"), i, sal) {
        const char *sid = json_string_value(json_object_get(sal, "id"));
        if (!sid || strcmp(sid, sal_id) != 0)
            continue;
        json_t *found = json_deep_copy(sal);
        if (!json_object_get(found, "service_id"))
            json_object_set(found, "service_id", json_object_get(svc, "id"));
        json_object_set_new(found, "service", json_deep_copy(svc));
        return found;
    }
    return NULL;
}
