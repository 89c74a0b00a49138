/*
 * Decisions made with the shared decision aid (issue 6): what the person
 * considered, their ratings, what they chose (or "not now"), who facilitated
 * and in which mode — direct (a clinician prescriber), link_worker or peer (a
 * peer worker) — and a note. The chosen prescriptions are made in the same
 * transaction as the decision and its audit rows, through the store function
 * POST /api/v1/prescriptions uses (store_rx_insert), as mode direct for a
 * clinician (no case) and link_worker for a case; a chosen referral is sent to
 * the provider at once, as POST /prescriptions/{id}/status would send it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/matching.h"

#define DECISION_CONSIDERED_MAX 100
#define DECISION_CHOSEN_MAX 10

static const char *mode_of(lw_role role) {
    switch (role) {
    case LW_ROLE_CLINICIAN_PRESCRIBER:
        return "direct";
    case LW_ROLE_PEER_WORKER:
        return "peer";
    default:
        return "link_worker";
    }
}

typedef struct chosen {
    const char *service_id, *kind, *note, *override_reason;
    lw_service_brief svc;
} chosen;

typedef struct decision_in {
    jr_subject subj; /* the case, or the person of a direct decision */
    const char *outcome, *note;
    const char *ratings;    /* JSON text */
    const char *considered; /* JSON text */
    chosen *chosen;
    size_t n_chosen;
} decision_in;

/* A service id that must be in the directory (LW_EINVAL naming FIELD otherwise). */
static lw_status known_service(api_request *req, const char *id, const char *field,
                               lw_service_brief *b, lw_error *err) {
    lw_status st = store_service_brief(req->db, req->arena, id, b, err);
    if (st == LW_ENOTFOUND)
        st = lw_fail(err, LW_EINVAL, field, "no service '%.80s' in the directory", id);
    return st;
}

static lw_status parse_considered(api_request *req, decision_in *in, lw_error *err) {
    json_t *v = json_object_get(req->json, "considered");
    json_t *out = json_array();
    lw_status st = LW_OK;
    if (v && !json_is_null(v) &&
        (!json_is_array(v) || json_array_size(v) > DECISION_CONSIDERED_MAX))
        st = lw_fail(err, LW_EINVAL, "considered", "must be a list of at most %d service ids",
                     DECISION_CONSIDERED_MAX);
    size_t i;
    json_t *s;
    if (st == LW_OK && v && json_is_array(v))
        json_array_foreach(v, i, s) {
            char f[48];
            snprintf(f, sizeof f, "considered[%zu]", i);
            lw_service_brief b;
            if (!json_is_string(s) || json_string_length(s) == 0 || json_string_length(s) > 200)
                st = lw_fail(err, LW_EINVAL, f, "must be a service id");
            if (st == LW_OK)
                st = known_service(req, json_string_value(s), f, &b, err);
            if (st != LW_OK)
                break;
            json_array_append(out, s);
        }
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    if (!text)
        lw_oom();
    in->considered = arena_strdup(req->arena, text);
    free(text);
    return st;
}

static lw_status parse_chosen(api_request *req, decision_in *in, lw_error *err) {
    static const char *const fields[] = {"service_id", "kind", "note", "override_reason", NULL};
    json_t *v = json_object_get(req->json, "chosen");
    size_t n = v && json_is_array(v) ? json_array_size(v) : 0;
    if (v && !json_is_null(v) && (!json_is_array(v) || n > DECISION_CHOSEN_MAX))
        return lw_fail(err, LW_EINVAL, "chosen",
                       "must be a list of at most %d {\"service_id\", \"note\"}",
                       DECISION_CHOSEN_MAX);
    int chose = strcmp(in->outcome, "chosen") == 0;
    if (chose && n == 0)
        return lw_fail(err, LW_EINVAL, "chosen",
                       "name at least one service when the outcome is chosen");
    if (!chose && n > 0)
        return lw_fail(err, LW_EINVAL, "chosen",
                       "must be empty when the outcome is not_now (nothing was chosen)");
    in->chosen = arena_alloc(req->arena, (n + 1) * sizeof *in->chosen);
    for (size_t i = 0; i < n; i++) {
        char path[40], f[80];
        json_t *o = json_array_get(v, i);
        chosen *c = &in->chosen[i];
        snprintf(path, sizeof path, "chosen[%zu]", i);
        lw_status st = jr_object(o, path, fields, err);
#define F(name) (snprintf(f, sizeof f, "%s.%s", path, name), f)
        if (st == LW_OK)
            st = jr_string(o, "service_id", F("service_id"), 1, 200, &c->service_id, err);
        if (st == LW_OK)
            st = known_service(req, c->service_id, f, &c->svc, err);
        if (st == LW_OK && strcmp(c->svc.status, "active") != 0)
            st = lw_fail(err, LW_ECONFLICT, f, "the service is %s, not active", c->svc.status);
        for (size_t k = 0; st == LW_OK && k < i; k++)
            if (strcmp(in->chosen[k].service_id, c->service_id) == 0)
                st = lw_fail(err, LW_EINVAL, f, "is chosen twice");
        if (st == LW_OK)
            st = jr_string(o, "kind", F("kind"), 0, 20, &c->kind, err);
        if (st == LW_OK && c->kind && rx_kind_parse(c->kind) < 0)
            st = lw_fail(err, LW_EINVAL, f, "must be signpost or referral");
        if (st == LW_OK && !c->kind)
            c->kind = "referral";
        if (st == LW_OK)
            st = jr_string(o, "note", F("note"), 0, LW_NOTE_MAX, &c->note, err);
        if (st == LW_OK)
            st = jr_string(o, "override_reason", F("override_reason"), 0, LW_SHORT_TEXT_MAX,
                           &c->override_reason, err);
        /* A referral goes to the provider now: someone in linkwell must answer for the
         * service, and it must have room (or an override reason), as for sending. */
        if (st == LW_OK && strcmp(c->kind, "referral") == 0) {
            int64_t open = 0;
            F("service_id");
            if (!c->svc.managed_by)
                st = lw_fail(err, LW_ECONFLICT, f,
                             "no organisation in linkwell answers for this service; choose it "
                             "with kind signpost instead");
            if (st == LW_OK)
                st = store_rx_open_count(req->db, c->service_id, &open, err);
            if (st == LW_OK) {
                st = rx_capacity_check(c->svc.capacity_status, c->svc.capacity, open,
                                       c->override_reason, err);
                if (st != LW_OK)
                    snprintf(err->field, sizeof err->field, "%s.override_reason", path);
            }
        }
#undef F
        if (st != LW_OK)
            return st;
    }
    in->n_chosen = n;
    return LW_OK;
}

static lw_status parse_decision(api_request *req, const lw_aid *aid, decision_in *in,
                                lw_error *err) {
    static const char *const fields[] = {"case_id", "person_id", "person", "ratings", "considered",
                                         "outcome", "chosen",    "note",   "consent", NULL};
    int direct = req->who.role == LW_ROLE_CLINICIAN_PRESCRIBER;
    memset(in, 0, sizeof *in);
    lw_status st = jin_object(req, fields, err);
    if (st == LW_OK)
        st = jr_subject_parse(req, direct, "decision", &in->subj, err);
    lw_aid_ratings r;
    if (st == LW_OK)
        st = mt_ratings_json(aid, json_object_get(req->json, "ratings"), &r, err);
    if (st == LW_OK) {
        json_t *rj = mt_ratings_out(aid, &r);
        char *text = json_dumps(rj, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(rj);
        if (!text)
            lw_oom();
        in->ratings = arena_strdup(req->arena, text);
        free(text);
    }
    if (st == LW_OK)
        st = jr_string(req->json, "outcome", "outcome", 1, 20, &in->outcome, err);
    if (st == LW_OK && strcmp(in->outcome, "chosen") != 0 && strcmp(in->outcome, "not_now") != 0)
        st = lw_fail(err, LW_EINVAL, "outcome", "must be chosen or not_now");
    if (st == LW_OK)
        st = jr_string(req->json, "note", "note", 0, LW_NOTE_MAX, &in->note, err);
    if (st == LW_OK)
        st = parse_considered(req, in, err);
    if (st == LW_OK)
        st = parse_chosen(req, in, err);
    /* Consent to share with providers: a direct prescription needs it, as POST
     * /prescriptions does; a case's comes from its referral. */
    if (st == LW_OK && direct && in->n_chosen > 0 && in->subj.consent < 0)
        st = lw_fail(err, LW_EINVAL, "consent",
                     "is required for a direct prescription: {\"share\": true|false}");
    return st;
}

static json_t *decision_json(api_request *req, const lw_decision *d, const lw_decision_rx *rx,
                             int nrx) {
    json_t *list = json_array();
    for (int i = 0; i < nrx; i++)
        json_array_append_new(list,
                              json_pack("{s:I, s:s, s:s}", "id", (json_int_t)rx[i].prescription_id,
                                        "service_id", rx[i].service_id, "status", rx[i].status));
    json_t *ratings = d->ratings ? json_loads(d->ratings, 0, NULL) : NULL;
    json_t *considered = d->considered ? json_loads(d->considered, 0, NULL) : NULL;
    (void)req;
    json_t *j = json_pack(
        "{s:I, s:s, s:{s:I, s:s, s:s}, s:s, s:o, s:I, s:o, s:o, s:o}", "id", (json_int_t)d->id,
        "mode", d->mode, "facilitator", "id", (json_int_t)d->facilitator_id, "name",
        d->facilitator_name ? d->facilitator_name : "", "role",
        d->facilitator_role ? d->facilitator_role : "", "outcome", d->outcome, "prescriptions",
        list, "person_id", (json_int_t)d->person_id, "ratings", ratings ? ratings : json_object(),
        "considered", considered ? considered : json_array(), "created_at",
        api_time_json(d->created_at));
    json_object_set_new(j, "case_id", jr_id_or_null(d->case_id));
    json_object_set_new(j, "note", jr_str_or_null(d->note));
    return j;
}

void api_decisions_create(api_request *req, api_response *res) {
    lw_error err;
    decision_in in;
    const lw_aid *aid = NULL;
    lw_case c;
    int64_t now = jr_now(req), id = 0;
    int direct = req->who.role == LW_ROLE_CLINICIAN_PRESCRIBER;
    lw_status st = mt_aid(req, &aid, &err);
    if (st == LW_OK)
        st = parse_decision(req, aid, &in, &err);
    int64_t org = req->who.org_id;
    if (st == LW_OK && in.subj.case_id) {
        st = jr_case_get(req, in.subj.case_id, "decision.create", "case_id", &c, &err);
        if (st == LW_OK && strcmp(c.status, "open") != 0)
            st = lw_fail(&err, LW_ECONFLICT, "case_id", "the case is closed");
        lw_referral r;
        if (st == LW_OK)
            st = store_referral_get(req->db, req->arena, c.referral_id, &r, &err);
        if (st == LW_OK) {
            in.subj.person_id = c.person_id;
            in.subj.consent = r.consent_share;
            org = c.org_id;
        }
    }
    if (st == LW_OK && direct && in.subj.person_id) {
        lw_person_facts facts;
        lw_viewer v = jr_viewer(req);
        st = jr_person_facts(req, in.subj.person_id, &facts, &err);
        if (st == LW_OK && access_person(&v, &facts) == LW_SEE_NONE) {
            jr_audit_denied(req, "decision.create", "person", in.subj.person_id);
            st = lw_fail(&err, LW_ENOTFOUND, "person_id",
                         "is not a person you prescribe for; give their details as person");
        }
    }
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK && in.subj.has_person) {
        int64_t dup = 0;
        st = jr_person_resolve(req, &in.subj.person, &in.subj.person_id, &dup, &err);
    }
    lw_decision d = {.case_id = in.subj.case_id,
                     .person_id = in.subj.person_id,
                     .org_id = org,
                     .facilitator_id = req->who.user_id,
                     .mode = mode_of(req->who.role),
                     .outcome = in.outcome,
                     .ratings = in.ratings,
                     .considered = in.considered,
                     .note = in.note,
                     .created_at = now,
                     .facilitator_name = req->who.name,
                     .facilitator_role = role_name(req->who.role)};
    if (st == LW_OK)
        st = store_decision_insert(req->db, &d, &id, &err);
    lw_decision_rx *made = arena_alloc(req->arena, (in.n_chosen + 1) * sizeof *made);
    for (size_t i = 0; st == LW_OK && i < in.n_chosen; i++) {
        const chosen *ch = &in.chosen[i];
        lw_rx x = {.case_id = in.subj.case_id,
                   .person_id = in.subj.person_id,
                   .service_id = ch->service_id,
                   .kind = ch->kind,
                   .mode = direct ? "direct" : "link_worker",
                   .note = ch->note,
                   .consent_share = in.subj.consent > 0,
                   .prescriber_id = req->who.user_id,
                   .sender_org_id = req->who.org_id,
                   .provider_org_id = ch->svc.managed_by};
        int64_t rx = 0;
        int send = strcmp(ch->kind, "referral") == 0;
        st = store_rx_insert(req->db, &x, now, &rx, &err);
        if (st == LW_OK)
            st = api_audit(req, "prescription.create", "prescription", rx, "ok", &err);
        if (st == LW_OK && send)
            st = store_rx_set_status(req->db, rx, "proposed", "sent", NULL, ch->override_reason,
                                     ch->svc.managed_by, now, &err);
        if (st == LW_OK && send)
            st = api_audit(req, "prescription.status", "prescription", rx, "ok", &err);
        if (st == LW_OK)
            st = store_decision_rx_insert(req->db, id, rx, &err);
        made[i] = (lw_decision_rx){rx, ch->service_id, send ? "sent" : "proposed"};
    }
    if (st == LW_OK)
        st = api_audit(req, "decision.create", "decision", id, "ok", &err);
    if (st == LW_OK && in.subj.case_id)
        st = api_audit(req, "case.update", "case", in.subj.case_id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    d.id = id;
    api_json(res, 201, decision_json(req, &d, made, (int)in.n_chosen));
}

void api_case_decisions(api_request *req, api_response *res) {
    lw_error err;
    lw_case c;
    lw_decision *list = NULL;
    int n = 0;
    lw_status st = mt_case_for(req, "decision.list", &c, &err);
    if (st == LW_OK)
        st = store_decision_list(req->db, req->arena, c.id, &list, &n, &err);
    json_t *a = json_array();
    for (int i = 0; st == LW_OK && i < n; i++) {
        lw_decision_rx *rx = NULL;
        int nrx = 0;
        st = store_decision_rxs(req->db, req->arena, list[i].id, &rx, &nrx, &err);
        if (st == LW_OK)
            json_array_append_new(a, decision_json(req, &list[i], rx, nrx));
    }
    if (st == LW_OK)
        st = jr_audit_read(req, "decision.list", "case", c.id, NULL, NULL, 0, &err);
    if (st != LW_OK) {
        json_decref(a);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, json_pack("{s:I, s:o}", "case_id", (json_int_t)c.id, "decisions", a));
}
