/* Helpers shared by the people, referral, case and prescription handlers (see journey.h). */
#include "api/journey.h"

#include <string.h>

/* ---- input ---- */

static lw_status need_object(const json_t *obj, const char *path, lw_error *err) {
    if (!json_is_object(obj))
        return lw_fail(err, LW_EINVAL, path, "must be a JSON object");
    return LW_OK;
}

lw_status jr_object(const json_t *obj, const char *path, const char *const *allowed,
                    lw_error *err) {
    lw_status st = need_object(obj, path, err);
    if (st != LW_OK)
        return st;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        int known = 0;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        if (!known) {
            char field[96];
            snprintf(field, sizeof field, "%s.%s", path, key);
            return lw_fail(err, LW_EINVAL, field, "is not a field of this request");
        }
    }
    return LW_OK;
}

lw_status jr_string(const json_t *obj, const char *key, const char *path, int required,
                    size_t maxlen, const char **out, lw_error *err) {
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return lw_fail(err, LW_EINVAL, path, "is required");
        return LW_OK;
    }
    if (!json_is_string(v))
        return lw_fail(err, LW_EINVAL, path, "must be a string");
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (strlen(s) != len)
        return lw_fail(err, LW_EINVAL, path, "must not contain NUL characters");
    if (len > maxlen)
        return lw_fail(err, LW_EINVAL, path, "is longer than %zu characters", maxlen);
    lw_status st = text_check(s, maxlen, path, err);
    if (st != LW_OK)
        return st;
    /* Blank text is no text. */
    int blank = 1;
    for (const char *p = s; *p && blank; p++)
        blank = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
    if (blank) {
        if (required)
            return lw_fail(err, LW_EINVAL, path, "must not be empty");
        return LW_OK;
    }
    *out = s;
    return LW_OK;
}

lw_status jr_int(const json_t *obj, const char *key, const char *path, int required, int64_t min,
                 int64_t max, int64_t *out, int *present, lw_error *err) {
    json_t *v = json_object_get(obj, key);
    if (present)
        *present = 0;
    if (!v || json_is_null(v)) {
        if (required)
            return lw_fail(err, LW_EINVAL, path, "is required");
        return LW_OK;
    }
    if (!json_is_integer(v))
        return lw_fail(err, LW_EINVAL, path, "must be a whole number");
    json_int_t i = json_integer_value(v);
    if (i < min || i > max)
        return lw_fail(err, LW_EINVAL, path, "must be between %lld and %lld", (long long)min,
                       (long long)max);
    *out = (int64_t)i;
    if (present)
        *present = 1;
    return LW_OK;
}

lw_status jr_date(const json_t *obj, const char *key, const char *path, int required,
                  const char *not_after, const char **out, lw_error *err) {
    lw_status st = jr_string(obj, key, path, required, 10, out, err);
    if (st == LW_OK && *out)
        st = date_check(*out, path, err);
    if (st == LW_OK && *out && not_after && strcmp(*out, not_after) > 0)
        st = lw_fail(err, LW_EINVAL, path, "%s is in the future", *out);
    return st;
}

/* ---- the request ---- */

lw_viewer jr_viewer(const api_request *req) {
    lw_viewer v = {req->who.role, req->who.user_id, req->who.org_id};
    return v;
}

int64_t jr_now(const api_request *req) {
    return clock_now(&req->app->clock);
}

void jr_today(const api_request *req, char out[11]) {
    date_of_ms(jr_now(req), out);
}

lw_referral_limits jr_limits(const lw_app *app) {
    return referral_limits(app->overdue_days, app->auto_close_days);
}

const char *jr_reference(lw_arena *a, char prefix) {
    /* No 0/O, 1/I/L: references are read out over the phone. */
    static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    char token[LW_TOKEN_LEN];
    crypto_random_token(token);
    char ref[11];
    ref[0] = prefix;
    ref[1] = '-';
    for (int i = 0; i < 8; i++)
        ref[2 + i] = alphabet[(unsigned char)token[3 + i] % (sizeof alphabet - 1)];
    ref[10] = '\0';
    return arena_strdup(a, ref);
}

void jr_audit_denied(api_request *req, const char *action, const char *type, int64_t id) {
    lw_error ignored;
    store_rollback(req->db);
    lw_ignore(api_audit(req, action, type, id, "denied", &ignored));
}

/* ---- group commit ---- */

typedef struct batch_call {
    api_request *req;
    jr_batch_fn fn;
    void *ctx;
} batch_call;

static lw_status in_batch(lw_db *db, void *p, lw_error *err) {
    batch_call *b = p;
    lw_db *own = b->req->db;
    b->req->db = db;
    lw_status st = b->fn(b->req, b->ctx, err);
    b->req->db = own;
    return st;
}

lw_status jr_batched(api_request *req, jr_batch_fn fn, void *ctx, lw_error *err) {
    batch_call b = {req, fn, ctx};
    lw_store *s = req->app->store;
    if (req->db) {
        store_release(s, req->db);
        req->db = NULL;
    }
    lw_status st = store_batched(s, in_batch, &b, err);
    lw_error again;
    lw_status got = store_acquire_for(s, api_writes(req), &req->db, &again);
    if (got != LW_OK) {
        req->db = NULL;
        if (st == LW_OK) {
            *err = again;
            st = got;
        }
    }
    return st;
}

typedef struct audit_pair {
    const char *action, *type, *action2, *type2;
    int64_t id, id2;
} audit_pair;

static lw_status audit_rows(api_request *req, void *ctx, lw_error *err) {
    audit_pair *a = ctx;
    lw_status st = api_audit(req, a->action, a->type, a->id, "ok", err);
    if (st == LW_OK && a->action2)
        st = api_audit(req, a->action2, a->type2, a->id2, "ok", err);
    return st;
}

lw_status jr_audit_read(api_request *req, const char *action, const char *type, int64_t id,
                        const char *action2, const char *type2, int64_t id2, lw_error *err) {
    audit_pair a = {action, type, action2, type2, id, id2};
    if (!req->app->reads)
        return jr_batched(req, audit_rows, &a, err);
    /* SQLite: committed (durably, shared with other reads) to the file beside
     * the database, and moved into audit_log within a moment (api/audit_reads.c);
     * the request keeps its own connection meanwhile. */
    batch_call b = {req, audit_rows, &a};
    return store_batched(req->app->reads, in_batch, &b, err);
}

lw_status jr_case_get(api_request *req, int64_t id, const char *action, const char *field,
                      lw_case *c, lw_error *err) {
    lw_status st = store_case_get(req->db, req->arena, id, c, err);
    if (st == LW_OK) {
        lw_viewer v = jr_viewer(req);
        if (access_case(&v, c->org_id) == LW_SEE_NONE) {
            jr_audit_denied(req, action, "case", id);
            st = LW_ENOTFOUND;
        }
    }
    if (st == LW_ENOTFOUND)
        st = lw_fail(err, LW_ENOTFOUND, field, "no such case");
    return st;
}

/* ---- people ---- */

json_t *jr_str_or_null(const char *s) {
    return s ? json_string(s) : json_null();
}

json_t *jr_id_or_null(int64_t id) {
    return id ? json_integer(id) : json_null();
}

json_t *jr_csv_array(const char *csv) {
    json_t *a = json_array();
    while (csv && *csv) {
        const char *comma = strchr(csv, ',');
        size_t n = comma ? (size_t)(comma - csv) : strlen(csv);
        if (n)
            json_array_append_new(a, json_stringn(csv, n));
        csv = comma ? comma + 1 : NULL;
    }
    return a;
}

lw_status jr_person_parse(const api_request *req, const json_t *person, const char *path,
                          jr_person_in *out, lw_error *err) {
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
                                         NULL};
    memset(out, 0, sizeof *out);
    if (!person || json_is_null(person))
        return lw_fail(err, LW_EINVAL, path, "is required");
    lw_status st = jr_object(person, path, fields, err);
    char f[96];
    char today[11];
    jr_today(req, today);
    const char *nhs = NULL, *pc = NULL;
    lw_person *p = &out->p;
#define FIELD(name) (snprintf(f, sizeof f, "%s.%s", path, name), f)
    if (st == LW_OK)
        st = jr_string(person, "nhs_number", FIELD("nhs_number"), 0, 20, &nhs, err);
    if (st == LW_OK && nhs) {
        st = nhs_number_check(nhs, f, out->nhs, err);
        p->nhs_number = out->nhs;
    }
    if (st == LW_OK)
        st = jr_string(person, "given_name", FIELD("given_name"), 1, 100, &p->given_name, err);
    if (st == LW_OK)
        st = account_name_check(p->given_name, f, err);
    if (st == LW_OK)
        st = jr_string(person, "family_name", FIELD("family_name"), 1, 100, &p->family_name, err);
    if (st == LW_OK)
        st = account_name_check(p->family_name, f, err);
    if (st == LW_OK)
        st = jr_string(person, "date_of_birth", FIELD("date_of_birth"), 1, 10, &p->date_of_birth,
                       err);
    if (st == LW_OK)
        st = birth_date_check(p->date_of_birth, today, f, err);
    if (st == LW_OK)
        st = jr_string(person, "postcode", FIELD("postcode"), 0, 10, &pc, err);
    if (st == LW_OK && pc) {
        st = postcode_normalise(pc, f, out->postcode, err);
        p->postcode = out->postcode;
    }
    if (st == LW_OK)
        st = jr_string(person, "phone", FIELD("phone"), 0, 40, &p->phone, err);
    if (st == LW_OK)
        st = jr_string(person, "email", FIELD("email"), 0, LW_EMAIL_MAX, &p->email, err);
    if (st == LW_OK && p->email) {
        char norm[LW_EMAIL_MAX + 1];
        st = account_email_normalise(p->email, f, norm, err);
        if (st == LW_OK)
            p->email = arena_strdup(req->arena, norm);
    }
    if (st == LW_OK)
        st = jr_string(person, "address", FIELD("address"), 0, LW_SHORT_TEXT_MAX, &p->address, err);
    if (st == LW_OK)
        st = jr_string(person, "gp_practice", FIELD("gp_practice"), 0, 200, &p->gp_practice, err);
    if (st == LW_OK)
        st = jr_string(person, "preferred_language", FIELD("preferred_language"), 0, 100,
                       &p->preferred_language, err);
    if (st == LW_OK)
        st = jr_string(person, "accessibility_needs", FIELD("accessibility_needs"), 0,
                       LW_SHORT_TEXT_MAX, &p->accessibility_needs, err);
#undef FIELD
    if (st == LW_OK) {
        person_match_key(p->given_name, p->family_name, p->date_of_birth, out->key,
                         sizeof out->key);
        p->match_key = out->key;
    }
    return st;
}

lw_status jr_subject_parse(const api_request *req, int direct, const char *what, jr_subject *out,
                           lw_error *err) {
    memset(out, 0, sizeof *out);
    out->consent = -1;
    lw_status st = jin_id(req->json, "case_id", 0, &out->case_id, err);
    if (st == LW_OK)
        st = jin_id(req->json, "person_id", 0, &out->person_id, err);
    json_t *person = st == LW_OK ? json_object_get(req->json, "person") : NULL;
    out->has_person = person && !json_is_null(person);
    if (st == LW_OK && !direct && !out->case_id)
        st = lw_fail(err, LW_EINVAL, "case_id", "is required: the case the %s is for", what);
    if (st == LW_OK && !direct && (out->person_id || out->has_person))
        st = lw_fail(err, LW_EINVAL, out->person_id ? "person_id" : "person",
                     "comes from the case; give case_id only");
    if (st == LW_OK && direct && out->case_id)
        st = lw_fail(err, LW_EINVAL, "case_id",
                     "a clinician's %s is direct and has no case; give person_id or person", what);
    if (st == LW_OK && direct && !out->person_id == !out->has_person)
        st = lw_fail(err, LW_EINVAL, "person", "give either person_id or person (not both)");
    if (st == LW_OK && out->has_person)
        st = jr_person_parse(req, person, "person", &out->person, err);
    json_t *consent = st == LW_OK ? json_object_get(req->json, "consent") : NULL;
    if (st == LW_OK && !direct && consent && !json_is_null(consent))
        st = lw_fail(err, LW_EINVAL, "consent", "comes from the referral; do not give it");
    if (st == LW_OK && direct && consent && !json_is_null(consent)) {
        static const char *const cf[] = {"share", NULL};
        json_t *share = json_object_get(consent, "share");
        st = jr_object(consent, "consent", cf, err);
        if (st == LW_OK && !json_is_boolean(share))
            st = lw_fail(err, LW_EINVAL, "consent.share", "must be true or false");
        if (st == LW_OK)
            out->consent = json_is_true(share);
    }
    return st;
}

/* S when the known value K is missing, else NULL (fill in, never overwrite). */
static const char *fill(const char *known, const char *s) {
    return known ? NULL : s;
}

lw_status jr_person_resolve(api_request *req, jr_person_in *in, int64_t *person_id,
                            int64_t *duplicate_of, lw_error *err) {
    lw_person_candidate *rows = NULL;
    int n = 0;
    *duplicate_of = 0;
    lw_status st = store_person_candidates(req->db, req->arena, in->p.nhs_number, in->p.match_key,
                                           &rows, &n, err);
    if (st != LW_OK)
        return st;
    lw_person_key *cands = arena_alloc(req->arena, sizeof *cands * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        cands[i] = (lw_person_key){rows[i].id, rows[i].nhs_number, rows[i].match_key};
    lw_person_key key = {0, in->p.nhs_number, in->p.match_key};
    lw_match m = person_match(&key, cands, n);
    int64_t now = jr_now(req);
    if (m.kind == LW_MATCH_NHS || m.kind == LW_MATCH_NAME_DOB) {
        lw_person known;
        st = store_person_get(req->db, req->arena, m.person_id, &known, err);
        if (st != LW_OK)
            return st;
        lw_person add = {
            .nhs_number = fill(known.nhs_number, in->p.nhs_number),
            .phone = fill(known.phone, in->p.phone),
            .email = fill(known.email, in->p.email),
            .address = fill(known.address, in->p.address),
            .postcode = fill(known.postcode, in->p.postcode),
            .gp_practice = fill(known.gp_practice, in->p.gp_practice),
            .preferred_language = fill(known.preferred_language, in->p.preferred_language),
            .accessibility_needs = fill(known.accessibility_needs, in->p.accessibility_needs),
        };
        st = store_person_update(req->db, m.person_id, &add, now, err);
        if (st == LW_OK)
            st = api_audit(req, "person.update", "person", m.person_id, "ok", err);
        *person_id = m.person_id;
        return st;
    }
    /* A new person; the same name and date of birth under another NHS number is
     * flagged for a link worker to confirm, never merged here. */
    in->p.reference = jr_reference(req->arena, 'P');
    st = store_person_insert(req->db, &in->p, now, person_id, err);
    if (st == LW_OK)
        st = api_audit(req, "person.create", "person", *person_id, "ok", err);
    if (m.kind == LW_MATCH_CONFLICT)
        *duplicate_of = m.person_id;
    return st;
}

json_t *jr_person_json(const lw_person *p, lw_view view) {
    if (view == LW_SEE_PROVIDER_MINIMAL)
        return json_pack("{s:s, s:s}", "reference", p->reference, "given_name", p->given_name);
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s}", "reference", p->reference, "given_name", p->given_name,
                  "family_name", p->family_name, "date_of_birth", p->date_of_birth);
    json_object_set_new(j, "phone", jr_str_or_null(p->phone));
    json_object_set_new(j, "email", jr_str_or_null(p->email));
    json_object_set_new(j, "preferred_language", jr_str_or_null(p->preferred_language));
    json_object_set_new(j, "accessibility_needs", jr_str_or_null(p->accessibility_needs));
    if (view != LW_SEE_FULL)
        return j;
    json_object_set_new(j, "id", json_integer(p->id));
    json_object_set_new(j, "nhs_number", jr_str_or_null(p->nhs_number));
    json_object_set_new(j, "address", jr_str_or_null(p->address));
    json_object_set_new(j, "postcode", jr_str_or_null(p->postcode));
    json_object_set_new(j, "gp_practice", jr_str_or_null(p->gp_practice));
    json_t *prefs = p->preferences ? json_loads(p->preferences, 0, NULL) : NULL;
    json_object_set_new(j, "preferences", prefs ? prefs : json_null());
    json_object_set_new(j, "merged_into", jr_id_or_null(p->merged_into));
    json_object_set_new(j, "created_at", api_time_json(p->created_at));
    json_object_set_new(j, "updated_at", api_time_json(p->updated_at));
    return j;
}

lw_status jr_person_facts(api_request *req, int64_t person_id, lw_person_facts *out,
                          lw_error *err) {
    lw_person_links l = {0};
    lw_status st =
        store_person_links(req->db, person_id, req->who.org_id, req->who.user_id, &l, err);
    *out = (lw_person_facts){l.referred_to_org, l.in_case_of_org, l.direct_rx_by_user};
    return st;
}

/* ---- the closed loop ---- */

lw_status jr_feedback_emit(lw_db *db, const jr_feedback *f, int64_t now, lw_error *err) {
    char date[11], text[400];
    date_of_ms(now, date);
    feedback_text(text, sizeof text, f->event, date, f->service_name, f->reason,
                  f->activities_started);
    lw_feedback fb = {.referral_id = f->referral_id,
                      .prescription_id = f->prescription_id,
                      .recipient_org_id = f->recipient_org,
                      .event = f->event,
                      .at = now,
                      .snomed = feedback_snomed(f->event),
                      .text = text};
    return store_feedback_insert(db, &fb, err);
}

json_t *jr_feedback_json(const lw_feedback *f, int n) {
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:o, s:s, s:s}", "event", f[i].event, "date",
                                           api_time_json(f[i].at), "snomed", f[i].snomed, "text",
                                           f[i].text));
    return a;
}
