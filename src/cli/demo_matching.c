/*
 * The demo's preferences for matching and the decision aid (issue 6): what a
 * few of the demo's people with open cases told their link worker — needs,
 * interests, when they are free, how far they can go, what they can spend —
 * so that GET /api/v1/cases/{id}/matches and the decision aid show believable
 * suggestions in `make run`. Only people whose preferences are not set yet are
 * given them, so a second run (or a link worker's own edits) changes nothing.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "domain/people.h"
#include "store/store.h"

static const struct {
    const char *given, *family, *dob;
    const char *preferences; /* as PUT /api/v1/cases/{id}/preferences takes them */
} demo_prefs[] = {
    {"Tom", "Hughes", "1983-09-14",
     "{\"available\":[{\"day\":\"TU\",\"from\":\"09:00\",\"to\":\"13:00\"},{\"day\":\"SA\","
     "\"from\":\"09:00\",\"to\":\"12:00\"}],\"cost_limit\":\"free\",\"interests\":[\"walking\","
     "\"football\"],\"max_km\":5,\"needs\":[\"physical_activity\",\"isolation\"],\"setting\":"
     "\"group\"}"},
    {"Susan", "Patel", "1954-12-08",
     "{\"available\":[{\"day\":\"MO\",\"from\":\"10:00\",\"to\":\"16:00\"},{\"day\":\"WE\","
     "\"from\":\"10:00\",\"to\":\"16:00\"}],\"cost_limit\":\"low\",\"interests\":[\"painting\","
     "\"art\",\"crafts\"],\"max_km\":8,\"needs\":[\"isolation\",\"arts\"],\"setting\":\"group\"}"},
    {"John", "Evans", "1966-04-17",
     "{\"available\":[{\"day\":\"TH\",\"from\":\"09:00\",\"to\":\"17:00\"},{\"day\":\"FR\","
     "\"from\":\"09:00\",\"to\":\"17:00\"}],\"cost_limit\":\"free\",\"interests\":[\"gardening\","
     "\"volunteering\"],\"max_km\":10,\"needs\":[\"mood\",\"volunteering\"],\"setting\":"
     "\"either\"}"},
    {"Mary", "O'Brien", "1949-08-25",
     "{\"available\":[{\"day\":\"TU\",\"from\":\"10:00\",\"to\":\"15:00\"},{\"day\":\"TH\","
     "\"from\":\"10:00\",\"to\":\"15:00\"}],\"cost_limit\":\"free\",\"interests\":[\"coffee\","
     "\"chair based exercise\"],\"max_km\":3,\"needs\":[\"isolation\",\"physical_activity\"],"
     "\"setting\":\"group\"}"},
};

lw_status demo_matching_load(lw_db *db, int64_t now, lw_error *err) {
    lw_arena *a = arena_new();
    lw_status st = store_begin(db, err);
    for (size_t i = 0; st == LW_OK && i < sizeof demo_prefs / sizeof demo_prefs[0]; i++) {
        char key[400];
        person_match_key(demo_prefs[i].given, demo_prefs[i].family, demo_prefs[i].dob, key,
                         sizeof key);
        lw_person_candidate *c = NULL;
        int n = 0;
        st = store_person_candidates(db, a, NULL, key, &c, &n, err);
        lw_person p;
        if (st == LW_OK && n > 0)
            st = store_person_get(db, a, c[0].id, &p, err);
        if (st == LW_OK && n > 0 && !p.preferences) {
            lw_person ch = {.preferences = demo_prefs[i].preferences};
            st = store_person_update(db, c[0].id, &ch, now, err);
            lw_audit_entry e = {.at = now,
                                .action = "person.update",
                                .resource_type = "person",
                                .resource_id = arena_printf(a, "%lld", (long long)c[0].id),
                                .remote_addr = "cli",
                                .outcome = "ok"};
            if (st == LW_OK)
                st = store_audit_insert(db, &e, err);
        }
    }
    if (st == LW_OK)
        st = store_commit(db, err);
    else
        store_rollback(db);
    arena_free(a);
    return st;
}
