/*
 * Social prescriptions: one activity for one person, made by a link worker
 * for a case or by a clinician directly for a person (mode direct), kind
 * signpost (recorded) or referral (sent to the provider). The provider
 * accepts, waitlists or declines, and keeps the attendance register; the
 * first attendance is take-up (started) and tells the referrer. Sending to a
 * full service needs an override reason; a cost is drawn from the sender's
 * spot-purchase fund, which cannot go below zero.
 *
 * Who sees what is access_prescription(): the provider sees only what was
 * sent to a service its organisation manages, and of the person only what
 * consent allows.
 */
#include <string.h>

#include "api/journey.h"

/* Loads prescription ID and how the viewer may see it (LW_ENOTFOUND, audited, when not). */
static lw_status rx_for(api_request *req, int64_t id, const char *action, lw_rx *x, lw_view *view,
                        lw_error *err) {
    lw_status st = store_rx_get(req->db, req->arena, id, x, err);
    if (st != LW_OK)
        return st;
    lw_viewer v = jr_viewer(req);
    lw_rx_facts f = {.sender_org = x->sender_org_id,
                     .prescriber_id = x->prescriber_id,
                     .direct = strcmp(x->mode, "direct") == 0,
                     .provider_org = x->provider_org_id,
                     .sent = strcmp(x->kind, "referral") == 0 && strcmp(x->status, "proposed") != 0,
                     .consent = x->consent_share};
    *view = access_prescription(&v, &f);
    if (*view == LW_SEE_NONE) {
        jr_audit_denied(req, action, "prescription", id);
        return lw_fail(err, LW_ENOTFOUND, NULL, "no such prescription");
    }
    return LW_OK;
}

static json_t *service_json(api_request *req, const char *service_id) {
    lw_service_brief b;
    lw_error ignored;
    if (store_service_brief(req->db, req->arena, service_id, &b, &ignored) != LW_OK)
        return json_pack("{s:s, s:n}", "id", service_id, "name");
    return json_pack("{s:s, s:s, s:s, s:s}", "id", b.id, "name", b.name, "status", b.status,
                     "capacity_status", b.capacity_status);
}

/* The prescription as VIEW allows; RECORD adds the attendance register and feedback. */
static lw_status rx_json(api_request *req, const lw_rx *x, lw_view view, int record, json_t **out,
                         lw_error *err) {
    lw_person p;
    lw_status st = store_person_get(req->db, req->arena, x->person_id, &p, err);
    lw_attendance *att = NULL;
    int na = 0;
    if (st == LW_OK && record)
        st = store_attendance_list(req->db, req->arena, x->id, &att, &na, err);
    lw_feedback *fb = NULL;
    int nf = 0;
    if (st == LW_OK && record && view == LW_SEE_FULL)
        st = store_feedback_list(req->db, req->arena, 0, x->id, &fb, &nf, err);
    if (st != LW_OK)
        return st;
    json_t *j = json_pack("{s:I, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:b}", "id", (json_int_t)x->id,
                          "status", x->status, "status_at", api_time_json(x->status_at), "kind",
                          x->kind, "mode", x->mode, "service", service_json(req, x->service_id),
                          "person", jr_person_json(&p, view), "created_at",
                          api_time_json(x->created_at), "consent_share", x->consent_share);
    json_object_set_new(j, "status_reason", jr_str_or_null(x->status_reason));
    json_object_set_new(j, "note", jr_str_or_null(x->note));
    json_object_set_new(j, "started_at", api_time_json(x->started_at));
    if (view == LW_SEE_FULL) {
        json_object_set_new(j, "case_id", jr_id_or_null(x->case_id));
        json_object_set_new(j, "prescriber_id", json_integer(x->prescriber_id));
        json_object_set_new(j, "override_reason", jr_str_or_null(x->override_reason));
        json_object_set_new(j, "cost", json_integer(x->cost));
        json_object_set_new(j, "fund_id", jr_id_or_null(x->fund_id));
    }
    if (record) {
        json_t *a = json_array();
        for (int i = 0; i < na; i++) {
            json_t *e = json_pack("{s:s, s:b}", "date", att[i].date, "attended", att[i].attended);
            json_object_set_new(e, "note", jr_str_or_null(att[i].note));
            json_array_append_new(a, e);
        }
        json_object_set_new(j, "attendance", a);
        if (view == LW_SEE_FULL)
            json_object_set_new(j, "feedback", jr_feedback_json(fb, nf));
    }
    *out = j;
    return LW_OK;
}

static void answer(api_request *req, api_response *res, int status, int64_t id, lw_view view) {
    lw_error err;
    lw_rx x = {0};
    json_t *out = NULL;
    lw_status st = store_rx_get(req->db, req->arena, id, &x, &err);
    if (st == LW_OK)
        st = rx_json(req, &x, view, 1, &out, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    api_json(res, status, out);
}

/* ---- create ---- */

typedef struct rx_in {
    jr_subject subj; /* the case, or the person of a direct prescription */
    int64_t fund_id, cost;
    const char *service_id, *kind, *mode, *note;
} rx_in;

static lw_status parse_rx(api_request *req, rx_in *in, lw_error *err) {
    static const char *const fields[] = {"case_id", "person_id", "person", "service_id",
                                         "kind",    "mode",      "note",   "consent",
                                         "cost",    "fund_id",   NULL};
    int direct_role = req->who.role == LW_ROLE_CLINICIAN_PRESCRIBER;
    memset(in, 0, sizeof *in);
    lw_status st = jin_object(req, fields, err);
    if (st == LW_OK)
        st = jr_string(req->json, "mode", "mode", 0, 20, &in->mode, err);
    if (st == LW_OK && in->mode && rx_mode_parse(in->mode) < 0)
        st = lw_fail(err, LW_EINVAL, "mode", "must be link_worker or direct");
    if (st == LW_OK && !in->mode)
        in->mode = direct_role ? "direct" : "link_worker";
    if (st == LW_OK && (strcmp(in->mode, "direct") == 0) != direct_role)
        st = lw_fail(err, LW_EINVAL, "mode",
                     direct_role ? "a clinician prescribes directly: mode must be direct"
                                 : "a link or peer worker prescribes for a case: mode must be "
                                   "link_worker");
    if (st == LW_OK)
        st = jr_string(req->json, "service_id", "service_id", 1, 200, &in->service_id, err);
    if (st == LW_OK)
        st = jr_string(req->json, "kind", "kind", 1, 20, &in->kind, err);
    if (st == LW_OK && rx_kind_parse(in->kind) < 0)
        st = lw_fail(err, LW_EINVAL, "kind", "must be signpost or referral");
    if (st == LW_OK)
        st = jr_string(req->json, "note", "note", 0, LW_NOTE_MAX, &in->note, err);
    if (st == LW_OK)
        st = jr_subject_parse(req, direct_role, "prescription", &in->subj, err);
    if (st == LW_OK && direct_role && in->subj.consent < 0)
        st = lw_fail(err, LW_EINVAL, "consent",
                     "is required for a direct prescription: {\"share\": true|false}");
    if (st == LW_OK)
        st = jr_int(req->json, "cost", "cost", 0, 0, 10000000, &in->cost, NULL, err);
    if (st == LW_OK)
        st = jin_id(req->json, "fund_id", 0, &in->fund_id, err);
    if (st == LW_OK && in->cost > 0 && !in->fund_id)
        st = lw_fail(err, LW_EINVAL, "fund_id", "is required when there is a cost");
    if (st == LW_OK && in->fund_id && in->cost == 0)
        st = lw_fail(err, LW_EINVAL, "cost", "is required (in pence) when a fund is given");
    return st;
}

void api_rx_create(api_request *req, api_response *res) {
    lw_error err;
    rx_in in;
    lw_case c;
    lw_service_brief svc;
    int64_t id = 0, now = jr_now(req);
    lw_status st = parse_rx(req, &in, &err);
    if (st == LW_OK && in.subj.case_id) {
        st = jr_case_get(req, in.subj.case_id, "prescription.create", "case_id", &c, &err);
        if (st == LW_ENOTFOUND)
            st = lw_fail(&err, LW_EINVAL, "case_id", "is not a case of your service");
        if (st == LW_OK && strcmp(c.status, "open") != 0)
            st = lw_fail(&err, LW_ECONFLICT, "case_id", "the case is closed");
        lw_referral r;
        if (st == LW_OK)
            st = store_referral_get(req->db, req->arena, c.referral_id, &r, &err);
        if (st == LW_OK) {
            in.subj.person_id = c.person_id;
            in.subj.consent = r.consent_share;
        }
    }
    if (st == LW_OK && !in.subj.case_id && in.subj.person_id) {
        /* An existing person, by id: only one this clinician already prescribes for. */
        lw_person_facts facts;
        lw_viewer v = jr_viewer(req);
        st = jr_person_facts(req, in.subj.person_id, &facts, &err);
        if (st == LW_OK && access_person(&v, &facts) == LW_SEE_NONE)
            st = lw_fail(&err, LW_EINVAL, "person_id",
                         "is not a person you prescribe for; give their details as person");
    }
    if (st == LW_OK) {
        st = store_service_brief(req->db, req->arena, in.service_id, &svc, &err);
        if (st == LW_ENOTFOUND)
            st = lw_fail(&err, LW_EINVAL, "service_id", "no service with this id in the directory");
        if (st == LW_OK && strcmp(svc.status, "active") != 0)
            st = lw_fail(&err, LW_ECONFLICT, "service_id", "the service is %s, not active",
                         svc.status);
    }
    if (st == LW_OK && in.fund_id) {
        lw_fund fund;
        st = store_fund_get(req->db, req->arena, in.fund_id, &fund, &err);
        if (st == LW_ENOTFOUND || (st == LW_OK && fund.org_id != req->who.org_id))
            st = lw_fail(&err, LW_EINVAL, "fund_id", "is not a fund of your organisation");
        if (st == LW_OK)
            st = fund_draw_check(fund.balance, in.cost, &err);
    }
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK && in.subj.has_person) {
        int64_t dup = 0;
        st = jr_person_resolve(req, &in.subj.person, &in.subj.person_id, &dup, &err);
    }
    if (st == LW_OK && in.fund_id)
        st = store_fund_adjust(req->db, in.fund_id, -in.cost, now, &err);
    lw_rx x = {.case_id = in.subj.case_id,
               .person_id = in.subj.person_id,
               .service_id = in.service_id,
               .kind = in.kind,
               .mode = in.mode,
               .note = in.note,
               .consent_share = in.subj.consent > 0,
               .prescriber_id = req->who.user_id,
               .sender_org_id = req->who.org_id,
               .provider_org_id = st == LW_OK ? svc.managed_by : 0,
               .fund_id = in.fund_id,
               .cost = in.cost};
    if (st == LW_OK)
        st = store_rx_insert(req->db, &x, now, &id, &err);
    if (st == LW_OK)
        st = api_audit(req, "prescription.create", "prescription", id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    api_header(res, "Location",
               arena_printf(req->arena, "/api/v1/prescriptions/%lld", (long long)id));
    answer(req, res, 201, id, LW_SEE_FULL);
}

/* ---- read ---- */

void api_rx_list(api_request *req, api_response *res) {
    lw_error err;
    lw_page pg;
    lw_rx_filter f = {0};
    lw_viewer v = jr_viewer(req);
    lw_status st = api_page(req, &pg, &err);
    switch (v.role) {
    case LW_ROLE_LINK_WORKER:
    case LW_ROLE_PEER_WORKER:
        f.sender_org_id = v.org_id;
        break;
    case LW_ROLE_CLINICIAN_PRESCRIBER:
        f.prescriber_id = v.user_id;
        break;
    case LW_ROLE_PROVIDER:
        f.provider_org_id = v.org_id;
        break;
    default:
        break;
    }
    f.status = api_query(req, "status");
    if (st == LW_OK && f.status && rx_state_parse(f.status) < 0)
        st = lw_fail(&err, LW_EINVAL, "status", "must be one of %s", rx_state_names_list());
    f.service_id = api_query(req, "service_id");
    if (st == LW_OK && v.role != LW_ROLE_PROVIDER)
        st = api_query_id(req, "case_id", &f.case_id, &err);
    lw_rx *list = NULL;
    int n = 0;
    int64_t total = 0;
    if (st == LW_OK)
        st = store_rx_list(req->db, req->arena, &f, pg, &list, &n, &total, &err);
    json_t *a = json_array();
    for (int i = 0; i < n && st == LW_OK; i++) {
        lw_rx_facts facts = {.sender_org = list[i].sender_org_id,
                             .prescriber_id = list[i].prescriber_id,
                             .direct = strcmp(list[i].mode, "direct") == 0,
                             .provider_org = list[i].provider_org_id,
                             .sent = strcmp(list[i].kind, "referral") == 0 &&
                                     strcmp(list[i].status, "proposed") != 0,
                             .consent = list[i].consent_share};
        lw_view view = access_prescription(&v, &facts);
        json_t *j = NULL;
        if (view != LW_SEE_NONE)
            st = rx_json(req, &list[i], view, 0, &j, &err);
        if (j)
            json_array_append_new(a, j);
    }
    if (st == LW_OK)
        st = jr_audit_read(req, "prescription.list", "prescription", 0, NULL, NULL, 0, &err);
    if (st != LW_OK) {
        json_decref(a);
        api_fail(res, &err);
        return;
    }
    api_json(res, 200, api_paged(a, total, pg));
}

void api_rx_get(api_request *req, api_response *res) {
    lw_error err;
    int64_t id = 0;
    lw_rx x = {0};
    lw_view view = LW_SEE_NONE;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = rx_for(req, id, "prescription.read", &x, &view, &err);
    if (st == LW_OK)
        st = jr_audit_read(req, "prescription.read", "prescription", id, NULL, NULL, 0, &err);
    if (st != LW_OK) {
        api_fail(res, &err);
        return;
    }
    answer(req, res, 200, id, view);
}

/* ---- changes ---- */

/* The take-up moment: the prescription becomes started and the referrer (or,
 * for a direct prescription, the prescriber's organisation) is told. */
static lw_status mark_started(api_request *req, const lw_rx *x, int64_t now, lw_error *err) {
    lw_status st = store_rx_set_started(req->db, x->id, now, err);
    jr_feedback fb = {.referral_id = x->referral_id,
                      .prescription_id = x->id,
                      .recipient_org = x->referral_id ? x->referral_from_org_id : x->sender_org_id,
                      .event = "started"};
    if (st == LW_OK)
        st = jr_feedback_emit(req->db, &fb, now, err);
    return st;
}

void api_rx_status(api_request *req, api_response *res) {
    static const char *const fields[] = {"status", "reason", "override_reason", "no_capacity",
                                         NULL};
    lw_error err;
    int64_t id = 0, now = jr_now(req), provider = -1;
    int no_capacity = -1;
    lw_rx x = {0};
    lw_view view = LW_SEE_NONE;
    const char *status = NULL, *reason = NULL, *override = NULL;
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = rx_for(req, id, "prescription.status", &x, &view, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "status", "status", 1, 32, &status, &err);
    int to = status ? rx_state_parse(status) : -1;
    if (st == LW_OK && to < 0)
        st = lw_fail(&err, LW_EINVAL, "status", "must be one of %s", rx_state_names_list());
    if (st == LW_OK)
        st = jr_string(req->json, "reason", "reason", 0, LW_SHORT_TEXT_MAX, &reason, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "override_reason", "override_reason", 0, LW_SHORT_TEXT_MAX,
                       &override, &err);
    lw_rx_kind kind = (lw_rx_kind)rx_kind_parse(x.kind);
    lw_rx_actor by = req->who.role == LW_ROLE_PROVIDER ? LW_RX_BY_PROVIDER : LW_RX_BY_SENDER;
    if (st == LW_OK)
        st =
            rx_transition_check(kind, (lw_rx_state)rx_state_parse(x.status), (lw_rx_state)to, &err);
    if (st == LW_OK && !rx_actor_may(by, kind, (lw_rx_state)to))
        st = lw_fail(&err, LW_EFORBIDDEN, "status",
                     to == LW_RX_STARTED
                         ? "a prescription starts when the provider records the first attendance"
                     : by == LW_RX_BY_PROVIDER ? "only the sender can make a prescription %s"
                                               : "only the provider can make a prescription %s",
                     status);
    /* Declined for lack of places (issue 7: demand against capacity): a reason of its own. */
    if (st == LW_OK)
        st = jin_bool(req->json, "no_capacity", 0, &no_capacity, &err);
    if (st == LW_OK && no_capacity >= 0 && to != LW_RX_DECLINED)
        st = lw_fail(&err, LW_EINVAL, "no_capacity", "is only for declining");
    if (st == LW_OK && no_capacity == 1 && !reason)
        reason = "no_capacity";
    if (st == LW_OK && to == LW_RX_DECLINED && !reason)
        st = lw_fail(&err, LW_EINVAL, "reason", "declining needs a reason");
    if (st == LW_OK && override && to != LW_RX_SENT)
        st = lw_fail(&err, LW_EINVAL, "override_reason", "is only for sending");
    if (st == LW_OK && to == LW_RX_SENT) {
        lw_service_brief svc;
        int64_t open = 0;
        st = store_service_brief(req->db, req->arena, x.service_id, &svc, &err);
        if (st == LW_ENOTFOUND)
            st = lw_fail(&err, LW_ECONFLICT, "service_id",
                         "the service is no longer in the directory");
        if (st == LW_OK && strcmp(svc.status, "active") != 0)
            st = lw_fail(&err, LW_ECONFLICT, "service_id", "the service is %s, not active",
                         svc.status);
        if (st == LW_OK && !svc.managed_by)
            st = lw_fail(&err, LW_ECONFLICT, "service_id",
                         "no organisation in linkwell answers for this service; record it as a "
                         "signpost instead");
        if (st == LW_OK)
            st = store_rx_open_count(req->db, x.service_id, &open, &err);
        if (st == LW_OK)
            st = rx_capacity_check(svc.capacity_status, svc.capacity, open, override, &err);
        provider = st == LW_OK ? svc.managed_by : -1;
    }
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_rx_set_status(req->db, id, x.status, status, reason, override, provider, now,
                                 &err);
    if (st == LW_OK && to == LW_RX_STARTED)
        st = mark_started(req, &x, now, &err);
    if (st == LW_OK && no_capacity == 1)
        st = store_rx_set_decline_code(req->db, id, "no_capacity", &err);
    /* A declined prescription gives its cost back to the fund. */
    if (st == LW_OK && to == LW_RX_DECLINED && x.fund_id && x.cost > 0)
        st = store_fund_adjust(req->db, x.fund_id, x.cost, now, &err);
    if (st == LW_OK)
        st = api_audit(req, "prescription.status", "prescription", id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    answer(req, res, 200, id, view);
}

void api_rx_attendance(api_request *req, api_response *res) {
    static const char *const fields[] = {"date", "attended", "note", NULL};
    lw_error err;
    int64_t id = 0, aid = 0, now = jr_now(req);
    lw_rx x = {0};
    lw_view view = LW_SEE_NONE;
    const char *date = NULL, *note = NULL;
    int attended = -1;
    char today[11], made[11];
    jr_today(req, today);
    lw_status st = api_param_id(req, 0, &id, &err);
    if (st == LW_OK)
        st = rx_for(req, id, "prescription.attendance", &x, &view, &err);
    if (st == LW_OK)
        st = jin_object(req, fields, &err);
    if (st == LW_OK)
        st = jr_date(req->json, "date", "date", 1, today, &date, &err);
    date_of_ms(x.created_at, made);
    if (st == LW_OK && strcmp(date, made) < 0)
        st = lw_fail(&err, LW_EINVAL, "date", "%s is before the prescription was made (%s)", date,
                     made);
    if (st == LW_OK)
        st = jin_bool(req->json, "attended", 1, &attended, &err);
    if (st == LW_OK)
        st = jr_string(req->json, "note", "note", 0, LW_SHORT_TEXT_MAX, &note, &err);
    lw_rx_kind kind = (lw_rx_kind)rx_kind_parse(x.kind);
    lw_rx_state state = (lw_rx_state)rx_state_parse(x.status);
    if (st == LW_OK && !rx_attendance_allowed(kind, state))
        st = lw_fail(&err, LW_ECONFLICT, "status",
                     "attendance is recorded once a prescription is accepted; this one is %s",
                     x.status);
    lw_attendance a = {.prescription_id = id,
                       .date = date,
                       .attended = attended > 0,
                       .note = note,
                       .by_user_id = req->who.user_id,
                       .created_at = now};
    if (st == LW_OK)
        st = store_begin(req->db, &err);
    if (st == LW_OK)
        st = store_attendance_insert(req->db, &a, &aid, &err);
    /* The first attendance is take-up. */
    if (st == LW_OK && attended > 0 && state != LW_RX_STARTED) {
        st = store_rx_set_status(req->db, id, x.status, "started", NULL, NULL, -1, now, &err);
        if (st == LW_OK)
            st = mark_started(req, &x, now, &err);
    }
    if (st == LW_OK)
        st = api_audit(req, "prescription.attendance", "prescription", id, "ok", &err);
    if (st == LW_OK)
        st = store_commit(req->db, &err);
    if (st != LW_OK) {
        store_rollback(req->db);
        api_fail(res, &err);
        return;
    }
    answer(req, res, 201, id, view);
}
