/*
 * People: the list and the record a link worker, a prescribing clinician or
 * an admin may see (access_person), and changes to contact details and
 * preferences. Every read and change is audited.
 */
#include <stdlib.h>
#include <string.h>

#include "api/journey.h"

/* Loads person ID and checks the viewer may see it: LW_ENOTFOUND (audited) otherwise. */
static lw_status person_for(api_request *req, int64_t id, const char *action, lw_person *p,
                            lw_error *err) {
    lw_status st = store_person_get(req->db, req->arena, id, p, err);
    if (st != LW_OK)
        return st;
    lw_person_facts facts = {0};
    lw_viewer v = jr_viewer(req);
    if (v.role != LW_ROLE_ADMIN)
        st = jr_person_facts(req, id, &facts, err);
    if (st == LW_OK && access_person(&v, &facts) == LW_SEE_NONE) {
        jr_audit_denied(req, action, "person", id);
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such person");
    }
    return st;
}

void api_people_list(api_request *req, api_response *res) {
    lw_error err;
    lw_page pg;
    lw_person_filter f = {0};
    lw_viewer v = jr_viewer(req);
    lw_status st = api_page(req, &pg, &err);
    if (v.role == LW_ROLE_LINK_WORKER || v.role == LW_ROLE_PEER_WORKER)
        f.org_id = v.org_id;
    else if (v.role == LW_ROLE_CLINICIAN_PRESCRIBER)
        f.prescriber_id = v.user_id;
    f.name = api_query(req, "name");
    if (st == LW_OK && f.name && (strlen(f.name) < 2 || strlen(f.name) > 100))
        st = lw_fail(&err, LW_EINVAL, "name", "give 2 to 100 characters of a name");
    const char *nhs = api_query(req, "nhs_number");
    char digits[LW_NHS_LEN];
    if (st == LW_OK && nhs) {
        st = nhs_number_check(nhs, "nhs_number", digits, &err);
        f.nhs_number = digits;
    }
    lw_person *list = NULL;
    int n = 0;
    int64_t total = 0;
    if (st == LW_OK)
        st = store_person_list(req->db, req->arena, &f, pg, &list, &n, &total, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "person.list", "person", 0, NULL, NULL, 0, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, jr_person_json(&list[i], LW_SEE_FULL));
    api_json(res, 200, api_paged(a, total, pg));
}

void api_people_get(api_request *req, api_response *res) {
    lw_error err;
    int64_t id = 0;
    lw_person p;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = person_for(req, id, "person.read", &p, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "person.read", "person", id, NULL, NULL, 0, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, jr_person_json(&p, LW_SEE_FULL));
}

void api_people_update(api_request *req, api_response *res) {
    static const char *const fields[] = {"nhs_number",
                                         "given_name",
                                         "family_name",
                                         "date_of_birth",
                                         "postcode",
                                         "phone",
                                         "email",
                                         "address",
                                         "gp_practice",
                                         "preferred_language",
                                         "accessibility_needs",
                                         "preferences",
                                         NULL};
    lw_error err;
    int64_t id = 0;
    lw_person p, ch = {0};
    char nhs[LW_NHS_LEN], pc[9], key[400], today[11];
    jr_today(req, today);
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = person_for(req, id, "person.update", &p, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    const char *s = NULL;
    if (st == LW_OK)
        st = jr_string(req->json, "nhs_number", "nhs_number", 0, 20, &s, &err);
    if (st == LW_OK && s) {
        st = nhs_number_check(s, "nhs_number", nhs, &err);
        ch.nhs_number = nhs;
    }
    if (st == LW_OK)
        st = jr_string(req->json, "given_name", "given_name", 0, 100, &ch.given_name, &err);
    if (st == LW_OK && ch.given_name)
        st = account_name_check(ch.given_name, "given_name", &err);
    if (st == LW_OK)
        st = jr_string(req->json, "family_name", "family_name", 0, 100, &ch.family_name, &err);
    if (st == LW_OK && ch.family_name)
        st = account_name_check(ch.family_name, "family_name", &err);
    if (st == LW_OK)
        st = jr_string(req->json, "date_of_birth", "date_of_birth", 0, 10, &ch.date_of_birth, &err);
    if (st == LW_OK && ch.date_of_birth)
        st = birth_date_check(ch.date_of_birth, today, "date_of_birth", &err);
    if (st == LW_OK)
        st = jr_string(req->json, "postcode", "postcode", 0, 10, &s, &err);
    if (st == LW_OK && s) {
        st = postcode_normalise(s, "postcode", pc, &err);
        ch.postcode = pc;
    }
    if (st == LW_OK)
        st = jr_string(req->json, "phone", "phone", 0, 40, &ch.phone, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "email", "email", 0, LW_EMAIL_MAX, &ch.email, &err);
    if (st == LW_OK && ch.email) {
        char norm[LW_EMAIL_MAX + 1];
        st = account_email_normalise(ch.email, "email", norm, &err);
        ch.email = arena_strdup(req->arena, norm);
    }
    if (st == LW_OK)
        st = jr_string(req->json, "address", "address", 0, LW_SHORT_TEXT_MAX, &ch.address, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "gp_practice", "gp_practice", 0, 200, &ch.gp_practice, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "preferred_language", "preferred_language", 0, 100,
                       &ch.preferred_language, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "accessibility_needs", "accessibility_needs", 0,
                       LW_SHORT_TEXT_MAX, &ch.accessibility_needs, &err);
    json_t *prefs = st == LW_OK ? json_object_get(req->json, "preferences") : NULL;
    if (prefs && !json_is_null(prefs)) {
        if (!json_is_object(prefs)) {
            st = lw_fail(&err, LW_EINVAL, "preferences", "must be a JSON object");
        } else {
            char *text = json_dumps(prefs, JSON_COMPACT | JSON_SORT_KEYS);
            if (strlen(text) > LW_NOTE_MAX)
                st =
                    lw_fail(&err, LW_EINVAL, "preferences", "is larger than %d bytes", LW_NOTE_MAX);
            ch.preferences = arena_strdup(req->arena, text);
            free(text);
        }
    }
    if (st == LW_OK && ch.nhs_number == NULL && ch.given_name == NULL && ch.family_name == NULL &&
        ch.date_of_birth == NULL && ch.postcode == NULL && ch.phone == NULL && ch.email == NULL &&
        ch.address == NULL && ch.gp_practice == NULL && ch.preferred_language == NULL &&
        ch.accessibility_needs == NULL && ch.preferences == NULL)
        st = lw_fail(&err, LW_EINVAL, NULL, "nothing to change");
    if (st == LW_OK && (ch.given_name || ch.family_name || ch.date_of_birth)) {
        person_match_key(ch.given_name ? ch.given_name : p.given_name,
                         ch.family_name ? ch.family_name : p.family_name,
                         ch.date_of_birth ? ch.date_of_birth : p.date_of_birth, key, sizeof key);
        ch.match_key = key;
    }
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_person_update(req->db, id, &ch, jr_now(req), &err);
    if (st == LW_OK)
        st = api_audit(req, "person.update", "person", id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st == LW_OK)
        st = store_person_get(req->db, req->arena, id, &p, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, jr_person_json(&p, LW_SEE_FULL));
}
