/*
 * The demo's living service: people referred by the demo GP practice, the
 * mental health team and themselves, in every state of a referral; cases
 * with contacts, what matters, needs, goals and action plans; social
 * prescriptions in every state with their attendance; the feedback the GP
 * has received; a spot-purchase fund. Written once (a second run finds the
 * first demo referral and does nothing), in one transaction, with audit rows.
 */
#include <stdio.h>
#include <string.h>

#include "api/journey.h"
#include "cli/cli.h"

#define DAY LW_DAY_MS

typedef struct demo {
    lw_db *db;
    lw_arena *a;
    int64_t now;
    int64_t gp, cmht, lws, vcse;
    int64_t u_gp, u_lw, u_peer, u_doc;
    const char **svc;
    int nsvc;
    int next_svc;
} demo;

/* One person's story. STAGE: received, declined, no_response, accepted, in_progress, closed,
 * direct. RX: prescriptions as "kind:state" separated by spaces. */
typedef struct story {
    const char *given, *family, *dob, *postcode, *phone;
    const char *source; /* referrer | clinician | self */
    int days_ago, consent;
    const char *reasons, *details, *urgency, *stage, *rx;
    const char *what_matters, *support;
} story;

static const story stories[] = {
    {"Margaret", "Hill", "1948-03-12", "S60 1AE", "07700 900101", "referrer", 0, 1,
     "isolation,bereavement", "Widowed in the spring; says the days are very long.", "routine",
     "received", "", NULL, NULL},
    {"David", "Clarke", "1962-11-02", "S60 2BX", "07700 900102", "referrer", 7, 1, "debt,mood",
     "Worried about rent arrears since losing his job; low mood.", "routine", "received", "", NULL,
     NULL},
    {"Aisha", "Khan", "1995-07-21", "S61 4QP", "07700 900103", "self", 2, 1, "mood,learning",
     "I want to meet people and maybe learn something new.", "urgent", "received", "", NULL, NULL},
    {"Peter", "Wood", "1958-01-30", "S60 3DD", "07700 900104", "referrer", 12, 1, "housing",
     "Needs urgent rehousing; already with the council's housing team.", "routine", "declined", "",
     NULL, NULL},
    {"Linda", "Barnes", "1971-05-05", "S63 7HT", "07700 900105", "referrer", 20, 0,
     "weight_nutrition", "Would like support with healthy eating.", "routine", "no_response", "",
     NULL, NULL},
    {"Tom", "Hughes", "1983-09-14", "S65 1LL", "07700 900106", "referrer", 4, 1,
     "physical_activity,isolation", "Back pain has stopped him going out; keen to get moving.",
     "routine", "accepted", "", NULL, NULL},
    {"Susan", "Patel", "1954-12-08", "S60 5RS", "07700 900107", "referrer", 21, 1, "isolation,arts",
     "Lives alone; used to paint and misses it.", "routine", "in_progress",
     "signpost:proposed referral:sent", "Painting again and having people to talk to", "light"},
    {"John", "Evans", "1966-04-17", "S62 6PP", "07700 900108", "clinician", 30, 1,
     "mood,volunteering", "Recovering from depression; wants something meaningful to do.",
     "routine", "in_progress", "referral:accepted referral:waitlisted",
     "Feeling useful again, being part of something", "light"},
    {"Mary", "O'Brien", "1949-08-25", "S60 4TT", "07700 900109", "referrer", 45, 0,
     "isolation,physical_activity", "Recently discharged from hospital after a fall.", "routine",
     "in_progress", "referral:started referral:declined",
     "Getting her confidence back to go out on her own", "intensive"},
    {"Graham", "Lee", "1957-02-11", "S61 1AA", "07700 900110", "referrer", 100, 1,
     "isolation,carers", "Carer for his wife; no time for himself.", "routine", "closed",
     "referral:completed signpost:started", "An afternoon a week for himself", "light"},
    {"Janet", "Moore", "1975-10-03", "S63 2XY", "07700 900111", "referrer", 80, 1,
     "weight_nutrition,mood", "Type 2 diabetes; wants to lose weight.", "routine", "closed",
     "referral:dropped_out", "Feeling more in control of her health", "signpost"},
    {"Kevin", "Ward", "1988-06-30", "S60 9ZZ", "07700 900112", "clinician", 25, 1, "",
     "Prescribed directly by his psychiatrist after a shared decision.", "routine", "direct",
     "referral:started", NULL, NULL},
};
#define NSTORIES (sizeof stories / sizeof stories[0])

static lw_status audit(demo *d, const char *action, const char *type, int64_t id, int64_t at,
                       lw_error *err) {
    lw_audit_entry e = {.at = at,
                        .action = action,
                        .resource_type = type,
                        .resource_id = arena_printf(d->a, "%lld", (long long)id),
                        .remote_addr = "cli",
                        .outcome = "ok"};
    return store_audit_insert(d->db, &e, err);
}

/* A valid NHS number in the range kept for testing (999 000 0000 onwards). */
static const char *demo_nhs(demo *d, int i) {
    for (int k = i * 7;; k++) {
        char nine[24];
        snprintf(nine, sizeof nine, "999%06u", (unsigned)k % 1000000u);
        int c = nhs_check_digit(nine);
        if (c >= 0)
            return arena_printf(d->a, "%s%d", nine, c);
    }
}

static const char *day(demo *d, int64_t at) {
    char *s = arena_alloc(d->a, 11);
    date_of_ms(at, s);
    return s;
}

static lw_status add_plan(demo *d, int64_t case_id, const story *s, int64_t opened, lw_error *err) {
    lw_status st = store_case_update(d->db, case_id, s->support, s->what_matters, 0, opened, err);
    lw_need needs[2] = {{"isolation", 8}, {"mood", 6}};
    if (st == LW_OK)
        st = store_case_needs_set(d->db, case_id, needs, 2, err);
    static const char *const modes[] = {"phone", "face_to_face", "home_visit", "video"};
    for (int i = 0; i < 3 && st == LW_OK; i++) {
        int64_t id = 0;
        lw_contact c = {.case_id = case_id,
                        .at = opened + (i + 1) * 3 * DAY,
                        .mode = modes[i % 4],
                        .minutes = 20 + 15 * i,
                        .note = i == 0 ? "First conversation: what matters to them."
                                       : "Reviewed the plan together.",
                        .by_user_id = d->u_lw,
                        .created_at = opened + (i + 1) * 3 * DAY};
        if (c.at < d->now)
            st = store_contact_insert(d->db, &c, &id, err);
    }
    int64_t goal = 0, action = 0;
    lw_goal g = {.case_id = case_id,
                 .text = s->what_matters,
                 .domain = "isolation",
                 .target_date = day(d, opened + 90 * DAY),
                 .status = strcmp(s->stage, "closed") == 0 ? "achieved" : "active"};
    if (st == LW_OK)
        st = store_goal_insert(d->db, &g, opened, &goal, err);
    /* One step done, one due (overdue for some), one later. */
    const struct {
        const char *who, *what;
        int64_t due;
        int done;
    } steps[] = {
        {"link worker", "Find groups near home with step-free access", opened + 7 * DAY, 1},
        {s->given, "Visit the group for a taster session",
         d->now - 2 * DAY + (case_id % 2) * 6 * DAY, 0},
        {s->given, "Tell the link worker how it went", d->now + 14 * DAY, 0},
    };
    for (size_t i = 0; i < 3 && st == LW_OK; i++) {
        lw_action x = {.case_id = case_id,
                       .goal_id = goal,
                       .who = steps[i].who,
                       .what = steps[i].what,
                       .due = day(d, steps[i].due)};
        st = store_action_insert(d->db, &x, opened, &action, err);
        if (st == LW_OK && steps[i].done)
            st =
                store_action_update(d->db, case_id, action, NULL, NULL, NULL, 1, steps[i].due, err);
    }
    return st;
}

/* The steps from proposed to STATE (a signpost skips the provider's handshake). */
static const char *steps_to(const char *state) {
    static const char *const paths[][2] = {
        {"proposed", ""},
        {"sent", "sent"},
        {"accepted", "sent accepted"},
        {"waitlisted", "sent waitlisted"},
        {"declined", "sent declined"},
        {"started", "sent accepted started"},
        {"completed", "sent accepted started completed"},
        {"dropped_out", "sent accepted dropped_out"},
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (strcmp(paths[i][0], state) == 0)
            return paths[i][1];
    return "";
}

/* A prescription of KIND for the story's person, walked from proposed to STATE, with
 * attendance (and the referrer's feedback) where it started. */
static lw_status add_rx(demo *d, const story *s, int64_t case_id, int64_t referral, int64_t person,
                        const char *kind, const char *state, int64_t at, lw_error *err) {
    int direct = strcmp(s->stage, "direct") == 0;
    int signpost = strcmp(kind, "signpost") == 0;
    lw_rx x = {.case_id = case_id,
               .person_id = person,
               .service_id = d->svc[d->next_svc++ % d->nsvc],
               .kind = kind,
               .mode = direct ? "direct" : "link_worker",
               .note = "Prefers mornings; would like someone to meet them at the door.",
               .consent_share = s->consent,
               .prescriber_id = direct ? d->u_doc : d->u_lw,
               .sender_org_id = direct ? d->cmht : d->lws,
               .provider_org_id = d->vcse};
    int64_t id = 0, t = at;
    lw_status st = store_rx_insert(d->db, &x, at, &id, err);
    if (st == LW_OK)
        st = audit(d, "prescription.create", "prescription", id, at, err);
    const char *from = "proposed";
    char to[16];
    for (const char *p = steps_to(state); st == LW_OK && sscanf(p, "%15s", to) == 1;) {
        p += strlen(to);
        while (*p == ' ')
            p++;
        if (signpost && (strcmp(to, "sent") == 0 || strcmp(to, "accepted") == 0))
            continue;
        t += 2 * DAY;
        if (strcmp(to, "started") == 0) {
            lw_attendance miss = {.prescription_id = id,
                                  .date = day(d, t - DAY),
                                  .attended = 0,
                                  .by_user_id = d->u_lw,
                                  .created_at = t};
            lw_attendance came = {.prescription_id = id,
                                  .date = day(d, t),
                                  .attended = 1,
                                  .note = "Enjoyed it; stayed for tea.",
                                  .by_user_id = d->u_lw,
                                  .created_at = t};
            int64_t aid;
            if (!signpost)
                st = store_attendance_insert(d->db, &miss, &aid, err);
            if (st == LW_OK)
                st = store_attendance_insert(d->db, &came, &aid, err);
            if (st == LW_OK)
                st = store_rx_set_started(d->db, id, t, err);
            jr_feedback fb = {.referral_id = referral,
                              .prescription_id = id,
                              .recipient_org = direct                                ? d->cmht
                                               : strcmp(s->source, "self") == 0      ? 0
                                               : strcmp(s->source, "clinician") == 0 ? d->cmht
                                                                                     : d->gp,
                              .event = "started"};
            if (st == LW_OK)
                st = jr_feedback_emit(d->db, &fb, t, err);
        }
        const char *reason = strcmp(to, "declined") == 0      ? "The group is full until spring"
                             : strcmp(to, "dropped_out") == 0 ? "Stopped coming after a fall"
                                                              : NULL;
        if (st == LW_OK)
            st = store_rx_set_status(d->db, id, from, to, reason, NULL, -1, t, err);
        from = strcmp(to, "sent") == 0         ? "sent"
               : strcmp(to, "accepted") == 0   ? "accepted"
               : strcmp(to, "started") == 0    ? "started"
               : strcmp(to, "waitlisted") == 0 ? "waitlisted"
                                               : "final";
    }
    return st;
}

static lw_status add_story(demo *d, int idx, const story *s, lw_error *err) {
    int64_t created = d->now - (int64_t)s->days_ago * DAY - (idx + 1) * 3600LL * 1000;
    char key[300];
    person_match_key(s->given, s->family, s->dob, key, sizeof key);
    lw_person p = {.reference = arena_printf(d->a, "P-DEMO%04d", idx + 1),
                   .nhs_number = idx % 3 == 2 ? NULL : demo_nhs(d, idx),
                   .given_name = s->given,
                   .family_name = s->family,
                   .date_of_birth = s->dob,
                   .match_key = arena_strdup(d->a, key),
                   .phone = s->phone,
                   .postcode = s->postcode,
                   .gp_practice = "Riverside Medical Practice",
                   .preferred_language = idx == 2 ? "Urdu" : "English"};
    int64_t person = 0, referral = 0, case_id = 0;
    lw_status st = store_person_insert(d->db, &p, created, &person, err);
    if (st == LW_OK)
        st = audit(d, "person.create", "person", person, created, err);
    if (st == LW_OK && strcmp(s->stage, "direct") == 0) {
        /* A direct prescription: no referral, no link worker. */
        for (const char *r = s->rx; st == LW_OK && r && *r;) {
            char kind[16], state[16];
            if (sscanf(r, "%15[^:]:%15s", kind, state) != 2)
                break;
            st = add_rx(d, s, 0, 0, person, kind, state, created, err);
            r = strchr(r, ' ');
            r = r ? r + 1 : NULL;
        }
        return st;
    }
    int self = strcmp(s->source, "self") == 0;
    int clinician = strcmp(s->source, "clinician") == 0;
    lw_referral r = {.reference = arena_printf(d->a, "R-DEMO%04d", idx + 1),
                     .person_id = person,
                     .source = s->source,
                     .from_org_id = self        ? 0
                                    : clinician ? d->cmht
                                                : d->gp,
                     .referrer_id = self        ? 0
                                    : clinician ? d->u_doc
                                                : d->u_gp,
                     .to_org_id = d->lws,
                     .reasons = s->reasons,
                     .details = s->details,
                     .urgency = s->urgency,
                     .consent_share = s->consent,
                     .consent_given_on = s->consent ? day(d, created) : NULL,
                     .consent_with = s->consent ? "link worker and activity providers" : NULL};
    if (st == LW_OK)
        st = store_referral_insert(d->db, &r, created, &referral, err);
    if (st == LW_OK)
        st = audit(d, "referral.create", "referral", referral, created, err);
    if (st != LW_OK || strcmp(s->stage, "received") == 0)
        return st;
    int64_t answered = created + DAY;
    jr_feedback fb = {.referral_id = referral,
                      .recipient_org = r.from_org_id,
                      .service_name = "Riverside PCN Social Prescribing Service"};
    if (strcmp(s->stage, "declined") == 0 || strcmp(s->stage, "no_response") == 0) {
        int auto_close = strcmp(s->stage, "no_response") == 0;
        if (auto_close)
            answered = created + 14 * DAY;
        fb.event = "declined";
        fb.reason = auto_close ? LW_DECLINE_NO_RESPONSE : "referred_elsewhere";
        st = store_referral_set_status(d->db, referral, "received", "declined", fb.reason,
                                       auto_close ? NULL : "Passed to the council's housing team.",
                                       auto_close ? 0 : d->u_lw, answered, err);
        if (st == LW_OK)
            st = jr_feedback_emit(d->db, &fb, answered, err);
        return st;
    }
    /* Accepted: a case for one of the two workers. */
    int64_t worker = idx % 2 ? d->u_peer : d->u_lw;
    st = store_referral_set_status(d->db, referral, "received", "accepted", NULL, NULL, d->u_lw,
                                   answered, err);
    if (st == LW_OK)
        st = store_case_insert(d->db, referral, person, d->lws, worker, answered, &case_id, err);
    if (st == LW_OK)
        st = audit(d, "case.create", "case", case_id, answered, err);
    fb.event = "accepted";
    if (st == LW_OK)
        st = jr_feedback_emit(d->db, &fb, answered, err);
    if (st != LW_OK || strcmp(s->stage, "accepted") == 0)
        return st;
    st = store_referral_set_status(d->db, referral, "accepted", "in_progress", NULL, NULL, worker,
                                   answered + 3 * DAY, err);
    if (st == LW_OK)
        st = add_plan(d, case_id, s, answered, err);
    for (const char *x = s->rx; st == LW_OK && x && *x;) {
        char kind[16], state[16];
        if (sscanf(x, "%15[^:]:%15s", kind, state) != 2)
            break;
        st = add_rx(d, s, case_id, referral, person, kind, state, answered + 5 * DAY, err);
        x = strchr(x, ' ');
        x = x ? x + 1 : NULL;
    }
    if (st != LW_OK || strcmp(s->stage, "closed") != 0)
        return st;
    int64_t closed = d->now - 5 * DAY;
    int64_t started = 0;
    st = store_case_close(d->db, case_id, "goals_met", "Settled into the group.", closed, err);
    if (st == LW_OK)
        st = store_referral_set_status(d->db, referral, "in_progress", "closed", "goals_met", NULL,
                                       worker, closed, err);
    if (st == LW_OK)
        st = store_rx_started_count(d->db, case_id, &started, err);
    fb.event = "closed";
    fb.reason = "goals_met";
    fb.activities_started = started;
    if (st == LW_OK)
        st = jr_feedback_emit(d->db, &fb, closed, err);
    return st;
}

/* Looks up the demo organisations and users by name; LW_ENOTFOUND when one is missing. */
static lw_status find(demo *d, lw_error *err) {
    static const char *const orgs[] = {
        "Riverside Medical Practice", "Northgate Community Mental Health Team",
        "Riverside PCN Social Prescribing Service", "Riverside Community Gardens"};
    static const char *const users[] = {
        "gp@demo.linkwell.example", "linkworker@demo.linkwell.example",
        "peer@demo.linkwell.example", "psychiatrist@demo.linkwell.example"};
    int64_t *org_out[] = {&d->gp, &d->cmht, &d->lws, &d->vcse};
    int64_t *user_out[] = {&d->u_gp, &d->u_lw, &d->u_peer, &d->u_doc};
    lw_status st = LW_OK;
    for (int i = 0; i < 4 && st == LW_OK; i++) {
        lw_org o;
        st = store_org_by_name(d->db, d->a, orgs[i], &o, err);
        *org_out[i] = st == LW_OK ? o.id : 0;
    }
    for (int i = 0; i < 4 && st == LW_OK; i++) {
        lw_user u;
        st = store_user_by_email(d->db, d->a, users[i], &u, err);
        *user_out[i] = st == LW_OK ? u.id : 0;
    }
    return st;
}

lw_status demo_referrals_load(lw_db *db, int64_t now, lw_error *err) {
    demo d = {.db = db, .a = arena_new(), .now = now};
    int n = 0;
    lw_person_candidate *known = NULL;
    lw_status st = find(&d, err);
    /* Once only: the first demo person marks the demo as loaded. */
    if (st == LW_OK)
        st = store_person_candidates(db, d.a, NULL, "margaret|hill|1948-03-12", &known, &n, err);
    if (st == LW_OK && n > 0) {
        arena_free(d.a);
        return LW_OK;
    }
    if (st == LW_OK)
        st = store_begin(db, err);
    if (st == LW_OK)
        st = store_demo_services(db, d.a, d.vcse, 3, now, &d.svc, &d.nsvc, err);
    if (st == LW_OK && d.nsvc == 0)
        st = lw_fail(err, LW_EINTERNAL, NULL, "the demo has no services to prescribe");
    int64_t fund = 0;
    if (st == LW_OK)
        st = store_fund_insert(db, d.lws, "Spot purchase 2026/27", 250000, now - 60 * DAY, &fund,
                               err);
    for (size_t i = 0; i < NSTORIES && st == LW_OK; i++)
        st = add_story(&d, (int)i, &stories[i], err);
    if (st == LW_OK)
        st = store_commit(db, err);
    if (st != LW_OK)
        store_rollback(db);
    arena_free(d.a);
    return st;
}
