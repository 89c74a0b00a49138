/*
 * A small area for the referral-journey API tests: two GP practices, two link
 * worker services, a mental health team, two VCSE providers, a commissioner
 * and an admin organisation, users of every role, a few directory services,
 * and bearer tokens for all of them. Helpers to call the API with a JSON body
 * and to assert statuses. Header-only (static inline), shared by the API
 * tests of referrals, access and jobs.
 */
#ifndef LW_TEST_JOURNEY_FIXTURE_H
#define LW_TEST_JOURNEY_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define JF_PW "correct horse battery"
#define JF_NHS "9434765919"   /* valid */
#define JF_NHS_2 "4010232137" /* valid */
#define JF_DAY (24LL * 3600 * 1000)

/* Indexes into jf.who[]. */
enum {
    JF_GP,    /* referrer, Riverside Medical Practice */
    JF_GP2,   /* referrer, Hillside Surgery */
    JF_LW,    /* link worker, Riverside Social Prescribing */
    JF_PEER,  /* peer worker, same service */
    JF_LW2,   /* link worker, Hillside Social Prescribing */
    JF_DOC,   /* clinician prescriber, Northgate CMHT */
    JF_DOC2,  /* clinician prescriber, same CMHT */
    JF_PROV,  /* provider, Riverside Community Gardens: manages svc-garden and svc-full */
    JF_PROV2, /* provider, Hillside Arts: manages svc-other */
    JF_COMM,  /* commissioner */
    JF_ADMIN, /* admin */
    JF_NWHO
};

typedef struct jf {
    th_server *s;
    th_client who[JF_NWHO];
    int64_t user[JF_NWHO];
    int64_t gp, gp2, lws, lws2, cmht, vcse, vcse2, comm, admin_org;
} jf;

static inline void jf_sql(jf *f, const char *sql) {
    char msg[300];
    if (th_sql_exec(f->s, sql, msg, sizeof msg) != 0)
        fail_msg("%s: %s", sql, msg);
}

/* A directory service managed by ORG (0: nobody), through plain SQL: the directory
 * feature owns those tables; only the columns of their first migration are used. */
static inline void jf_service(jf *f, const char *id, int64_t org, int capacity,
                              const char *capacity_status) {
    char sql[600], owner[32], cap[32];
    snprintf(owner, sizeof owner, org ? "%lld" : "NULL", (long long)org);
    snprintf(cap, sizeof cap, capacity >= 0 ? "%d" : "NULL", capacity);
    snprintf(sql, sizeof sql,
             "INSERT INTO directory_organizations (id, name, organisation_id, modified_at) "
             "VALUES ('dir-%s', 'Runs %s', %s, 0)",
             id, id, owner);
    jf_sql(f, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO services (id, organization_id, name, status, capacity, capacity_status, "
             "modified_at) VALUES ('%s', 'dir-%s', 'Service %s', 'active', %s, '%s', 0)",
             id, id, id, cap, capacity_status);
    jf_sql(f, sql);
}

static inline jf *jf_start(void) {
    static const struct {
        const char *email, *role;
    } people[JF_NWHO] = {
        {"gp@example.org", "referrer"},
        {"gp2@example.org", "referrer"},
        {"lw@example.org", "link_worker"},
        {"peer@example.org", "peer_worker"},
        {"lw2@example.org", "link_worker"},
        {"doc@example.org", "clinician_prescriber"},
        {"doc2@example.org", "clinician_prescriber"},
        {"prov@example.org", "provider"},
        {"prov2@example.org", "provider"},
        {"comm@example.org", "commissioner"},
        {"admin@example.org", "admin"},
    };
    jf *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->s = th_start();
    f->gp = th_org(f->s, "Riverside Medical Practice", "gp_practice");
    f->gp2 = th_org(f->s, "Hillside Surgery", "gp_practice");
    f->lws = th_org(f->s, "Riverside Social Prescribing", "link_worker_service");
    f->lws2 = th_org(f->s, "Hillside Social Prescribing", "link_worker_service");
    f->cmht = th_org(f->s, "Northgate CMHT", "cmht");
    f->vcse = th_org(f->s, "Riverside Community Gardens", "vcse");
    f->vcse2 = th_org(f->s, "Hillside Arts", "vcse");
    f->comm = th_org(f->s, "Riverside ICB", "commissioner");
    f->admin_org = th_org(f->s, "Admin Org", "other");
    const int64_t orgs[JF_NWHO] = {f->gp,   f->gp2,  f->lws,   f->lws,  f->lws2,     f->cmht,
                                   f->cmht, f->vcse, f->vcse2, f->comm, f->admin_org};
    for (int i = 0; i < JF_NWHO; i++) {
        f->user[i] = th_user(f->s, orgs[i], people[i].email, people[i].role, JF_PW);
        th_token(f->s, people[i].email, f->who[i].bearer);
    }
    jf_service(f, "svc-garden", f->vcse, 10, "capacity");
    jf_service(f, "svc-full", f->vcse, 10, "no_capacity");
    jf_service(f, "svc-other", f->vcse2, -1, "capacity");
    jf_service(f, "svc-orphan", 0, -1, "capacity");
    return f;
}

static inline void jf_stop(jf *f) {
    th_stop(f->s);
    free(f);
}

/* METHOD PATH as WHO (-1: anonymous) with BODY (stolen; may be NULL). */
static inline th_resp *jf_call(jf *f, int who, const char *method, const char *path, json_t *body) {
    char *text = body ? json_dumps(body, 0) : NULL;
    json_decref(body);
    th_resp *r = th_call(f->s, who >= 0 ? &f->who[who] : NULL, method, path, text);
    free(text);
    return r;
}

static inline th_resp *jf_callf(jf *f, int who, const char *method, json_t *body, const char *fmt,
                                ...) __attribute__((format(printf, 5, 6)));
static inline th_resp *jf_callf(jf *f, int who, const char *method, json_t *body, const char *fmt,
                                ...) {
    char path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    return jf_call(f, who, method, path, body);
}

static inline void jf_expect(const th_resp *r, long status, const char *what) {
    if (r->status != status)
        fail_msg("%s: expected %ld, got %ld: %s", what, status, r->status, r->body);
}

/* Asserts R is a problem STATUS naming FIELD (NULL: any), frees R. */
static inline void jf_problem(th_resp *r, long status, const char *field, const char *what) {
    if (r->status != status)
        fail_msg("%s: expected %ld, got %ld: %s", what, status, r->status, r->body);
    const char *got = th_assert_problem(r, status);
    if (field && (!got || strcmp(got, field) != 0))
        fail_msg("%s: expected field '%s', got '%s': %s", what, field, got ? got : "(none)",
                 r->body);
    th_resp_free(r);
}

/* The server's date today (its clock, which tests move with th_advance) into OUT. */
static inline const char *jf_today(jf *f, char out[16]) {
    time_t t = (time_t)(clock_now(&f->s->app.clock) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
    return out;
}

static inline int64_t jf_int(const json_t *j, const char *key) {
    return (int64_t)json_integer_value(json_object_get(j, key));
}

static inline const char *jf_str(const json_t *j, const char *key) {
    return json_string_value(json_object_get(j, key));
}

/* A referral body for a person. NHS may be NULL. */
static inline json_t *jf_referral_body(int64_t to_org, const char *given, const char *family,
                                       const char *dob, const char *nhs, int consent) {
    json_t *person =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "given_name", given, "family_name", family,
                  "date_of_birth", dob, "postcode", "ls1 4ap", "phone", "07700 900123");
    if (nhs)
        json_object_set_new(person, "nhs_number", json_string(nhs));
    return json_pack("{s:o, s:[s, s], s:s, s:s, s:{s:b, s:s}, s:s, s:I}", "person", person,
                     "reasons", "isolation", "mood", "details",
                     "Lost her husband last year; rarely leaves the house.", "urgency", "routine",
                     "consent", "share", consent, "given_on", "2026-01-05", "risks",
                     "Dog in the house.", "to_organisation_id", (json_int_t)to_org);
}

/* A GP referral to the Riverside service; returns its id. */
static inline int64_t jf_refer(jf *f, int who, const char *given, const char *nhs, int consent) {
    th_resp *r = jf_call(f, who, "POST", "/api/v1/referrals",
                         jf_referral_body(f->lws, given, "Smith", "1950-06-01", nhs, consent));
    jf_expect(r, 201, "referral");
    int64_t id = jf_int(r->json, "id");
    th_resp_free(r);
    return id;
}

/* Accepts referral ID as the Riverside link worker; returns the case id. */
static inline int64_t jf_accept(jf *f, int64_t id) {
    th_resp *r = jf_callf(f, JF_LW, "POST", json_pack("{s:s}", "status", "accepted"),
                          "/api/v1/referrals/%lld/status", (long long)id);
    jf_expect(r, 200, "accept");
    int64_t case_id = jf_int(r->json, "case_id");
    th_resp_free(r);
    assert_true(case_id > 0);
    return case_id;
}

/* A prescription for CASE_ID of KIND at SERVICE, by the Riverside link worker; its id. */
static inline int64_t jf_prescribe(jf *f, int64_t case_id, const char *service, const char *kind) {
    th_resp *r = jf_call(f, JF_LW, "POST", "/api/v1/prescriptions",
                         json_pack("{s:I, s:s, s:s, s:s}", "case_id", (json_int_t)case_id,
                                   "service_id", service, "kind", kind, "note",
                                   "Keen on growing vegetables; anxious in big groups."));
    jf_expect(r, 201, "prescription");
    int64_t id = jf_int(r->json, "id");
    th_resp_free(r);
    return id;
}

/* Moves prescription ID to STATUS as WHO, expecting EXPECT. */
static inline void jf_rx_status(jf *f, int who, int64_t id, json_t *body, long expect) {
    th_resp *r = jf_callf(f, who, "POST", body, "/api/v1/prescriptions/%lld/status", (long long)id);
    jf_expect(r, expect, "prescription status");
    th_resp_free(r);
}

#endif
