/*
 * Referrals: made by a referrer or a clinician (POST /referrals) or by the
 * person themselves (POST /self-referrals, public, throttled per address,
 * with a honeypot field); read by their referrer (status and feedback only)
 * and by the receiving service (everything); moved through the state machine
 * only by POST /referrals/{id}/status, where accepting opens a case and every
 * answer writes the referrer's feedback to the outbox.
 */
#include <string.h>

#include "api/journey.h"
#include "api/pathways.h"

#define REFERRAL_FIELDS                                                                            \
    "person", "reasons", "details", "urgency", "consent", "accessibility_needs", "language",       \
        "to_organisation_id"

/* What a referral request says, validated. */
typedef struct ref_in {
    jr_person_in person;
    const char *reasons; /* comma-separated, in the order given */
    const char *details, *urgency, *consent_given_on, *consent_with, *risks;
    const char *accessibility_needs, *language;
    int consent_share;
    int64_t to_org;
    const char *to_org_name;
} ref_in;

static lw_status parse_reasons(api_request *req, const json_t *v, const char **out, lw_error *err) {
    if (!v || json_is_null(v))
        return lw_fail(err, LW_EINVAL, "reasons", "is required: at least one need domain (%s)",
                       need_names_list());
    if (!json_is_array(v) || json_array_size(v) == 0)
        return lw_fail(err, LW_EINVAL, "reasons", "must be a non-empty list of need domains (%s)",
                       need_names_list());
    if (json_array_size(v) > LW_NEED_COUNT)
        return lw_fail(err, LW_EINVAL, "reasons", "lists more than %d need domains", LW_NEED_COUNT);
    int seen[LW_NEED_COUNT] = {0};
    char *csv = "";
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
        char field[32];
        snprintf(field, sizeof field, "reasons[%zu]", i);
        int d = need_parse(json_string_value(item));
        if (d < 0)
            return lw_fail(err, LW_EINVAL, field, "is not a need domain (one of %s)",
                           need_names_list());
        if (seen[d]++)
            return lw_fail(err, LW_EINVAL, field, "'%s' is listed twice", need_name(d));
        csv = arena_printf(req->arena, "%s%s%s", csv, *csv ? "," : "", need_name(d));
    }
    *out = csv;
    return LW_OK;
}

static lw_status parse_consent(api_request *req, const json_t *v, ref_in *in, lw_error *err) {
    static const char *const fields[] = {"share", "given_on", "with", NULL};
    if (!v || json_is_null(v))
        return lw_fail(err, LW_EINVAL, "consent",
                       "is required: {\"share\": true|false, \"given_on\": \"YYYY-MM-DD\"}");
    char today[11];
    jr_today(req, today);
    lw_status st = jr_object(v, "consent", fields, err);
    if (st == LW_OK) {
        json_t *share = json_object_get(v, "share");
        if (!share || json_is_null(share))
            st = lw_fail(err, LW_EINVAL, "consent.share", "is required (true or false)");
        else if (!json_is_boolean(share))
            st = lw_fail(err, LW_EINVAL, "consent.share", "must be true or false");
        else
            in->consent_share = json_is_true(share);
    }
    if (st == LW_OK)
        st = jr_date(v, "given_on", "consent.given_on", 0, today, &in->consent_given_on, err);
    if (st == LW_OK)
        st = jr_string(v, "with", "consent.with", 0, 200, &in->consent_with, err);
    /* Consent given without a date was given today. */
    if (st == LW_OK && in->consent_share && !in->consent_given_on)
        in->consent_given_on = arena_strdup(req->arena, today);
    return st;
}

/* The receiving organisation: an active link worker service. SELF may leave it
 * out when there is exactly one. */
static lw_status parse_to_org(api_request *req, int self, int64_t *out, const char **name,
                              lw_error *err) {
    lw_status st = jin_id(req->json, "to_organisation_id", !self, out, err);
    if (st != LW_OK)
        return st;
    if (!*out) {
        lw_org *orgs = NULL;
        int n = 0;
        st = store_link_worker_services(req->db, req->arena, &orgs, &n, err);
        if (st == LW_OK && n != 1)
            st = lw_fail(err, LW_EINVAL, "to_organisation_id",
                         "is required: there are %d social prescribing services to choose from", n);
        if (st == LW_OK) {
            *out = orgs[0].id;
            *name = orgs[0].name;
        }
        return st;
    }
    lw_org o;
    st = store_org_get(req->db, req->arena, *out, &o, err);
    if (st == LW_ENOTFOUND ||
        (st == LW_OK && (!o.active || strcmp(o.kind, "link_worker_service") != 0)))
        return lw_fail(err, LW_EINVAL, "to_organisation_id",
                       "is not an active social prescribing (link worker) service");
    if (st == LW_OK)
        *name = o.name;
    return st;
}

static lw_status parse_referral(api_request *req, int self, ref_in *in, lw_error *err) {
    static const char *const fields[] = {REFERRAL_FIELDS, "risks", NULL};
    static const char *const self_fields[] = {REFERRAL_FIELDS, "website", NULL};
    memset(in, 0, sizeof *in);
    lw_status st = jin_object(req, self ? self_fields : fields, err);
    if (st == LW_OK)
        st = jr_person_parse(req, json_object_get(req->json, "person"), "person", &in->person, err);
    if (st == LW_OK)
        st = parse_reasons(req, json_object_get(req->json, "reasons"), &in->reasons, err);
    if (st == LW_OK)
        st = jr_string(req->json, "details", "details", 0, LW_NOTE_MAX, &in->details, err);
    if (st == LW_OK)
        st = jr_string(req->json, "urgency", "urgency", 0, 20, &in->urgency, err);
    if (st == LW_OK && in->urgency && urgency_parse(in->urgency) < 0)
        st = lw_fail(err, LW_EINVAL, "urgency", "must be one of %s", urgency_names_list());
    if (st == LW_OK && !in->urgency)
        in->urgency = "routine";
    if (st == LW_OK)
        st = parse_consent(req, json_object_get(req->json, "consent"), in, err);
    if (st == LW_OK && !self)
        st = jr_string(req->json, "risks", "risks", 0, LW_NOTE_MAX, &in->risks, err);
    if (st == LW_OK)
        st = jr_string(req->json, "accessibility_needs", "accessibility_needs", 0,
                       LW_SHORT_TEXT_MAX, &in->accessibility_needs, err);
    if (st == LW_OK)
        st = jr_string(req->json, "language", "language", 0, 100, &in->language, err);
    if (st == LW_OK)
        st = parse_to_org(req, self, &in->to_org, &in->to_org_name, err);
    return st;
}

typedef struct create_call {
    ref_in *in;
    const char *source;
    lw_referral r; /* as stored (id, reference, times): enough to answer without reading it back */
} create_call;

/* Finds or creates the person, then the referral, with their audit rows. */
static lw_status create_in_tx(api_request *req, void *ctx, lw_error *err) {
    create_call *c = ctx;
    int64_t person_id = 0, dup = 0, now = jr_now(req);
    lw_status st = jr_person_resolve(req, &c->in->person, &person_id, &dup, err);
    c->r = (lw_referral){
        .reference = jr_reference(req->arena, 'R'),
        .person_id = person_id,
        .possible_duplicate_of = dup,
        .source = c->source,
        .from_org_id = req->signed_in ? req->who.org_id : 0,
        .referrer_id = req->signed_in ? req->who.user_id : 0,
        .to_org_id = c->in->to_org,
        .reasons = c->in->reasons,
        .details = c->in->details,
        .urgency = c->in->urgency,
        .consent_share = c->in->consent_share,
        .consent_given_on = c->in->consent_given_on,
        .consent_with = c->in->consent_with,
        .risks = c->in->risks,
        .accessibility_needs = c->in->accessibility_needs,
        .language = c->in->language,
        .to_org_name = c->in->to_org_name,
        .status = "received",
        .status_at = now,
        .created_at = now,
        .person_given_name = c->in->person.p.given_name,
        .person_family_name = c->in->person.p.family_name,
    };
    if (st == LW_OK)
        st = store_referral_insert(req->db, &c->r, now, &c->r.id, err);
    if (st == LW_OK)
        st = api_audit(req, "referral.create", "referral", c->r.id, "ok", err);
    return st;
}

/* All of it in one transaction, shared with concurrent requests (group commit). */
static lw_status create_referral(api_request *req, ref_in *in, const char *source, lw_referral *out,
                                 lw_error *err) {
    create_call c = {.in = in, .source = source};
    lw_status st = jr_batched(req, create_in_tx, &c, err);
    *out = c.r;
    return st;
}

/* ---- JSON ---- */

static json_t *org_ref(int64_t id, const char *name) {
    if (!id)
        return json_null();
    return json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name ? name : "");
}

/* What every viewer of a referral sees: its status and where it went. */
static json_t *referral_base(const lw_referral *r) {
    json_t *j =
        json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:s, s:o}", "id", (json_int_t)r->id, "reference",
                  r->reference, "snomed", LW_SNOMED_REFERRAL, "status", r->status, "status_at",
                  api_time_json(r->status_at), "created_at", api_time_json(r->created_at),
                  "urgency", r->urgency, "to_organisation", org_ref(r->to_org_id, r->to_org_name));
    json_object_set_new(j, "status_reason", jr_str_or_null(r->status_reason));
    return j;
}

/* A list item or the head of the record, as VIEW allows. */
static json_t *referral_summary(const api_request *req, const lw_referral *r, lw_view view) {
    json_t *j = referral_base(r);
    json_t *person = json_pack("{s:s, s:s}", "given_name", r->person_given_name, "family_name",
                               r->person_family_name);
    if (view != LW_SEE_FULL) {
        json_object_set_new(j, "person", person);
        return j;
    }
    json_object_set_new(person, "id", json_integer(r->person_id));
    json_object_set_new(j, "person", person);
    lw_referral_limits lim = jr_limits(req->app);
    lw_referral_state state = (lw_referral_state)referral_state_parse(r->status);
    lw_referral_age age = referral_age(state, r->created_at, jr_now(req), &lim);
    json_object_set_new(j, "source", json_string(r->source));
    json_object_set_new(j, "reasons", jr_csv_array(r->reasons));
    json_object_set_new(j, "from_organisation", org_ref(r->from_org_id, r->from_org_name));
    json_object_set_new(j, "referrer", org_ref(r->referrer_id, r->referrer_name));
    json_object_set_new(j, "case_id", jr_id_or_null(r->case_id));
    json_object_set_new(j, "possible_duplicate_of", jr_id_or_null(r->possible_duplicate_of));
    json_object_set_new(j, "overdue", json_boolean(age != LW_AGE_ON_TIME));
    json_object_set_new(j, "status_note", jr_str_or_null(r->status_note));
    return j;
}

/* The whole record for VIEW: referrers get status, feedback and how many activities started. */
static lw_status referral_record(api_request *req, const lw_referral *r, lw_view view, json_t **out,
                                 lw_error *err) {
    lw_feedback *fb = NULL;
    int nfb = 0;
    lw_status st = store_feedback_list(req->db, req->arena, r->id, 0, &fb, &nfb, err);
    int64_t started = 0;
    if (st == LW_OK && r->case_id)
        st = store_rx_started_count(req->db, r->case_id, &started, err);
    lw_person p;
    if (st == LW_OK && view == LW_SEE_FULL)
        st = store_person_get(req->db, req->arena, r->person_id, &p, err);
    if (st != LW_OK)
        return st;
    json_t *j = referral_summary(req, r, view);
    json_object_set_new(j, "feedback", jr_feedback_json(fb, nfb));
    json_object_set_new(j, "activities_started", json_integer(started));
    if (view == LW_SEE_FULL) {
        json_object_set_new(j, "person", jr_person_json(&p, LW_SEE_FULL));
        json_object_set_new(j, "details", jr_str_or_null(r->details));
        json_object_set_new(j, "risks", jr_str_or_null(r->risks));
        json_object_set_new(j, "accessibility_needs", jr_str_or_null(r->accessibility_needs));
        json_object_set_new(j, "language", jr_str_or_null(r->language));
        json_t *consent = json_pack("{s:b}", "share", r->consent_share);
        json_object_set_new(consent, "given_on", jr_str_or_null(r->consent_given_on));
        json_object_set_new(consent, "with", jr_str_or_null(r->consent_with));
        json_object_set_new(j, "consent", consent);
    }
    *out = j;
    return LW_OK;
}

/* Loads referral ID as the viewer may see it; LW_ENOTFOUND (audited) when they may not. */
static lw_status referral_for(api_request *req, int64_t id, const char *action, lw_referral *r,
                              lw_view *view, lw_error *err) {
    lw_status st = store_referral_get(req->db, req->arena, id, r, err);
    if (st != LW_OK)
        return st;
    lw_viewer v = jr_viewer(req);
    *view = access_referral(&v, r->from_org_id, r->to_org_id);
    if (*view == LW_SEE_NONE) {
        jr_audit_denied(req, action, "referral", id);
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such referral");
    }
    return LW_OK;
}

/* ---- handlers ---- */

void api_referrals_create(api_request *req, api_response *res) {
    lw_error err;
    ref_in in;
    lw_referral r;
    const char *source = req->who.role == LW_ROLE_CLINICIAN_PRESCRIBER ? "clinician" : "referrer";
    lw_status st = parse_referral(req, 0, &in, &err);
    if (st == LW_OK)
        st = create_referral(req, &in, source, &r, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    /* What the referrer sees, from what was just stored: no feedback yet, nothing started. */
    json_t *out = referral_summary(req, &r, LW_SEE_REFERRER);
    json_object_set_new(out, "feedback", json_array());
    json_object_set_new(out, "activities_started", json_integer(0));
    api_header(res, "Location",
               arena_printf(req->arena, "/api/v1/referrals/%lld", (long long)r.id));
    api_json(res, 201, out);
}

/* Counts this attempt from the client's address first, so that parallel
 * attempts see each other (as sign-in throttling does); a refused attempt
 * takes its row back, so waiting out the window is enough. */
static lw_status selfref_throttle(api_request *req, lw_error *err) {
    int64_t now = jr_now(req), id = 0, oldest = 0;
    int count = 0;
    const char *key = arena_printf(req->arena, "address:%s", req->remote_addr);
    lw_error ignored;
    lw_ignore(store_selfref_attempts_purge(req->db, now - LW_SELFREF_WINDOW_MS, &ignored));
    lw_status st = store_selfref_attempt_add(req->db, key, now, &id, err);
    if (st == LW_OK)
        st = store_selfref_attempts(req->db, key, now - LW_SELFREF_WINDOW_MS, &count, &oldest, err);
    if (st != LW_OK)
        return st;
    long wait = selfref_retry_after(count - 1, oldest, now);
    if (wait > 0) {
        lw_ignore(store_selfref_attempt_delete(req->db, id, &ignored));
        st = lw_fail(err, LW_ETHROTTLED, NULL,
                     "too many self-referrals from this address; try again in %ld seconds, or "
                     "ask your GP practice to refer you",
                     wait);
        err->retry_after = wait;
    }
    return st;
}

static json_t *selfref_answer(const char *reference) {
    return json_pack("{s:s, s:s, s:s, s:s}", "reference", reference, "status", "received", "snomed",
                     LW_SNOMED_REFERRAL, "message",
                     "Thank you. A link worker will contact you within a few working days. "
                     "Quote this reference if you call us.");
}

void api_self_referrals_create(api_request *req, api_response *res) {
    lw_error err;
    ref_in in;
    lw_referral r;
    lw_status st = selfref_throttle(req, &err);
    /* The honeypot: a field people never see. A bot that fills it is told
     * what a person would be told, and nothing is kept. */
    json_t *trap = json_is_object(req->json) ? json_object_get(req->json, "website") : NULL;
    if (st == LW_OK && json_is_string(trap) && json_string_length(trap) > 0) {
        api_json(res, 201, selfref_answer(jr_reference(req->arena, 'R')));
        return;
    }
    if (st == LW_OK)
        st = parse_referral(req, 1, &in, &err);
    if (st == LW_OK)
        st = create_referral(req, &in, "self", &r, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    api_json(res, 201, selfref_answer(r.reference));
}

void api_referrals_list(api_request *req, api_response *res) {
    lw_error err;
    lw_page pg;
    lw_referral_filter f = {0};
    lw_viewer v = jr_viewer(req);
    lw_view view = LW_SEE_FULL;
    lw_status st = api_page(req, &pg, &err);
    f.status = api_query(req, "status");
    if (st == LW_OK && f.status && referral_state_parse(f.status) < 0)
        st = lw_fail(&err, LW_EINVAL, "status", "must be one of %s", referral_state_names_list());
    if (v.role == LW_ROLE_REFERRER || v.role == LW_ROLE_CLINICIAN_PRESCRIBER) {
        f.from_org_id = v.org_id;
        view = LW_SEE_REFERRER;
    } else if (v.role == LW_ROLE_LINK_WORKER || v.role == LW_ROLE_PEER_WORKER) {
        f.to_org_id = v.org_id;
    } else if (st == LW_OK) {
        st = api_query_id(req, "to_organisation_id", &f.to_org_id, &err);
        if (st == LW_OK)
            st = api_query_id(req, "from_organisation_id", &f.from_org_id, &err);
    }
    if (st == LW_OK && view == LW_SEE_FULL)
        st = api_query_id(req, "person_id", &f.person_id, &err);
    lw_referral *list = NULL;
    int n = 0;
    int64_t total = 0;
    if (st == LW_OK)
        st = store_referral_list(req->db, req->arena, &f, pg, &list, &n, &total, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "referral.list", "referral", 0, NULL, NULL, 0, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, referral_summary(req, &list[i], view));
    api_json(res, 200, api_paged(a, total, pg));
}

void api_referrals_overdue(api_request *req, api_response *res) {
    lw_error err;
    lw_page pg;
    lw_referral_filter f = {0};
    lw_viewer v = jr_viewer(req);
    lw_referral_limits lim = jr_limits(req->app);
    int64_t now = jr_now(req);
    lw_status st = api_page(req, &pg, &err);
    if (v.role == LW_ROLE_ADMIN && st == LW_OK)
        st = api_query_id(req, "to_organisation_id", &f.to_org_id, &err);
    else
        f.to_org_id = v.org_id;
    f.received_before = referral_overdue_cutoff(now, &lim);
    lw_referral *list = NULL;
    int n = 0;
    int64_t total = 0;
    if (st == LW_OK)
        st = store_referral_list(req->db, req->arena, &f, pg, &list, &n, &total, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "referral.list", "referral", 0, NULL, NULL, 0, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        json_t *j = referral_summary(req, &list[i], LW_SEE_FULL);
        json_object_set_new(j, "days_waiting",
                            json_integer((now - list[i].created_at) / LW_DAY_MS));
        json_object_set_new(
            j, "auto_close_at",
            api_time_json(list[i].created_at + (int64_t)lim.auto_close_days * LW_DAY_MS));
        json_array_append_new(a, j);
    }
    json_t *body = api_paged(a, total, pg);
    json_object_set_new(body, "overdue_days", json_integer(lim.overdue_days));
    json_object_set_new(body, "auto_close_days", json_integer(lim.auto_close_days));
    api_json(res, 200, body);
}

void api_referrals_get(api_request *req, api_response *res) {
    lw_error err;
    int64_t id = 0;
    lw_referral r;
    lw_view view = LW_SEE_NONE;
    json_t *out = NULL;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = referral_for(req, id, "referral.read", &r, &view, &err);
    if (st == LW_OK)
        st = referral_record(req, &r, view, &out, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "referral.read", "referral", id,
                           view == LW_SEE_FULL ? "person.read" : NULL, "person", r.person_id, &err);
    if (st != LW_OK) {
        json_decref(out);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, out);
}

/* The link or peer worker who will hold the case: ASSIGNEE when given (it
 * must be an active worker of the service), else the one with the fewest
 * open cases. */
static lw_status choose_assignee(api_request *req, int64_t org_id, int64_t assignee, int64_t *out,
                                 lw_error *err) {
    lw_worker_load *w = NULL;
    int n = 0;
    lw_status st = store_worker_loads(req->db, req->arena, org_id, &w, &n, err);
    if (st != LW_OK)
        return st;
    if (!assignee) {
        if (n == 0)
            return lw_fail(err, LW_ECONFLICT, "assignee_id",
                           "the service has no active link or peer worker to hold the case");
        *out = w[0].user_id;
        return LW_OK;
    }
    for (int i = 0; i < n; i++)
        if (w[i].user_id == assignee) {
            *out = assignee;
            return LW_OK;
        }
    return lw_fail(err, LW_EINVAL, "assignee_id",
                   "is not an active link or peer worker of the receiving service");
}

void api_referrals_status(api_request *req, api_response *res) {
    static const char *const fields[] = {"status",      "reason",  "note",
                                         "assignee_id", "pathway", NULL};
    lw_error err;
    int64_t id = 0, assignee = 0, case_id = 0;
    lw_referral r = {0};
    lw_view view = LW_SEE_NONE;
    const char *status = NULL, *reason = NULL, *note = NULL, *pathway = NULL;
    api_pathway path;
    int64_t now = jr_now(req);
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = referral_for(req, id, "referral.status", &r, &view, &err);
    if (st == LW_OK && view != LW_SEE_FULL) {
        jr_audit_denied(req, "referral.status", "referral", id);
        st = lw_fail(&err, LW_ENOTFOUND, NULL, "no such referral");
    }
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "status", "status", 1, 32, &status, &err);
    int to = status ? referral_state_parse(status) : -1;
    if (st == LW_OK && to < 0)
        st = lw_fail(&err, LW_EINVAL, "status", "must be one of %s", referral_state_names_list());
    if (st == LW_OK)
        st = jr_string(req->json, "reason", "reason", 0, 64, &reason, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "note", "note", 0, LW_NOTE_MAX, &note, &err);
    if (st == LW_OK)
        st = jin_id(req->json, "assignee_id", 0, &assignee, &err);
    int from = st == LW_OK ? referral_state_parse(r.status) : -1;
    if (st == LW_OK)
        st = referral_transition_check((lw_referral_state)from, (lw_referral_state)to, &err);
    if (st == LW_OK && to != LW_REF_ACCEPTED && assignee)
        st = lw_fail(&err, LW_EINVAL, "assignee_id", "is only for accepting a referral");
    if (st == LW_OK && to == LW_REF_DECLINED && (!reason || decline_reason_parse(reason) < 0))
        st = lw_fail(&err, LW_EINVAL, "reason", "declining needs a reason: one of %s",
                     decline_reason_names_list());
    if (st == LW_OK && to == LW_REF_CLOSED && (!reason || case_outcome_parse(reason) < 0))
        st = lw_fail(&err, LW_EINVAL, "reason", "closing needs the case's outcome: one of %s",
                     case_outcome_names_list());
    if (st == LW_OK && (to == LW_REF_ACCEPTED || to == LW_REF_IN_PROGRESS) && reason)
        st = lw_fail(&err, LW_EINVAL, "reason", "is only for declining or closing");
    if (st == LW_OK)
        st = jr_string(req->json, "pathway", "pathway", 0, LW_PATHWAY_KEY_MAX, &pathway, &err);
    if (st == LW_OK && to != LW_REF_ACCEPTED && pathway)
        st = lw_fail(&err, LW_EINVAL, "pathway", "is only for accepting a referral");
    if (st == LW_OK && to == LW_REF_ACCEPTED)
        st = choose_assignee(req, r.to_org_id, assignee, &assignee, &err);
    /* The case's pathway (issue 7): named, or the default for the referral's source. */
    if (st == LW_OK && to == LW_REF_ACCEPTED)
        st = api_pathway_choose(req, pathway, r.from_org_id, &path, &err);

    /* The change, the case, the feedback and the audit rows commit together. */
    jr_feedback fb = {.referral_id = id,
                      .recipient_org = r.from_org_id,
                      .event = status,
                      .service_name = r.to_org_name,
                      .reason = reason};
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_referral_set_status(req->db, id, r.status, status, reason, note,
                                       req->who.user_id, now, &err);
    if (st == LW_OK && to == LW_REF_ACCEPTED) {
        st =
            store_case_insert(req->db, id, r.person_id, r.to_org_id, assignee, now, &case_id, &err);
        if (st == LW_OK)
            st = api_audit(req, "case.create", "case", case_id, "ok", &err);
        if (st == LW_OK)
            st = api_pathway_start(req, case_id, &path, now, &err);
    }
    if (st == LW_OK && to == LW_REF_CLOSED && r.case_id) {
        st = store_case_close(req->db, r.case_id, reason, note, now, &err);
        if (st == LW_OK)
            st = store_rx_started_count(req->db, r.case_id, &fb.activities_started, &err);
        if (st == LW_OK)
            st = api_audit(req, "case.close", "case", r.case_id, "ok", &err);
    }
    if (st == LW_OK && to != LW_REF_IN_PROGRESS)
        st = jr_feedback_emit(req->db, &fb, now, &err);
    if (st == LW_OK)
        st = api_audit(req, "referral.status", "referral", id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    json_t *out = NULL;
    if (st == LW_OK)
        st = store_referral_get(req->db, req->arena, id, &r, &err);
    if (st == LW_OK)
        st = referral_record(req, &r, LW_SEE_FULL, &out, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, out);
}

void api_referrals_assignees(api_request *req, api_response *res) {
    lw_error err;
    int64_t id = 0;
    lw_referral r;
    lw_view view = LW_SEE_NONE;
    lw_worker_load *w = NULL;
    int n = 0;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = referral_for(req, id, "referral.read", &r, &view, &err);
    if (st == LW_OK)
        st = store_worker_loads(req->db, req->arena, r.to_org_id, &w, &n, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "referral.read", "referral", id, NULL, NULL, 0, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)w[i].user_id,
                                           "name", w[i].name, "role", w[i].role, "open_cases",
                                           (json_int_t)w[i].open_cases));
    api_json(res, 200,
             json_pack("{s:o, s:o}", "contents", a, "suggested_id",
                       n ? json_integer(w[0].user_id) : json_null()));
}

void api_referrals_duplicate(api_request *req, api_response *res) {
    static const char *const fields[] = {"same_person", NULL};
    lw_error err;
    int64_t id = 0;
    lw_referral r;
    lw_view view = LW_SEE_NONE;
    int same = -1;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = referral_for(req, id, "referral.duplicate", &r, &view, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jin_bool(req->json, "same_person", 1, &same, &err);
    if (st == LW_OK && !r.possible_duplicate_of)
        st = lw_fail(&err, LW_ECONFLICT, "same_person",
                     "this referral's person is not flagged as a possible duplicate");
    int64_t now = jr_now(req);
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK && same) {
        st = store_person_merge(req->db, r.person_id, r.possible_duplicate_of, now, &err);
        if (st == LW_OK)
            st = api_audit(req, "person.merge", "person", r.person_id, "ok", &err);
    } else if (st == LW_OK) {
        st = store_referral_clear_duplicate(req->db, id, &err);
    }
    if (st == LW_OK)
        st = api_audit(req, "referral.duplicate", "referral", id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    json_t *out = NULL;
    if (st == LW_OK)
        st = store_referral_get(req->db, req->arena, id, &r, &err);
    if (st == LW_OK)
        st = referral_record(req, &r, LW_SEE_FULL, &out, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, out);
}
