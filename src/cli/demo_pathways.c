/*
 * The demo's pathways and GP consultation counts (issue 7): every demo case
 * gets the pathway its referral's source calls for (secondary mental health
 * for the mental health team's referrals, primary care otherwise), started
 * the day it was accepted, with the milestones already due mostly done, one
 * moved with its reason, and some left overdue so the overdue lists and the
 * caseload have something to show; the GP practice's referrals get their GP
 * consultation counts. Once only (a case with a pathway means it was done),
 * in one transaction, with audit rows.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/pathways.h"

#define DAY LW_DAY_MS

static lw_status audit(lw_db *db, const char *action, const char *type, int64_t id, int64_t at,
                       lw_error *err) {
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", (long long)id);
    lw_audit_entry e = {.at = at,
                        .action = action,
                        .resource_type = type,
                        .resource_id = idtext,
                        .remote_addr = "cli",
                        .outcome = "ok"};
    return store_audit_insert(db, &e, err);
}

/* The pathway for case C (its referral's source), its milestones, and what the
 * worker has done with those already due. I varies the story between cases. */
static lw_status case_pathway(lw_db *db, lw_arena *a, const lw_case *c, int i, int64_t now,
                              lw_error *err) {
    lw_referral r;
    lw_org from = {0};
    lw_status st = store_referral_get(db, a, c->referral_id, &r, err);
    if (st == LW_OK && r.from_org_id)
        st = store_org_get(db, a, r.from_org_id, &from, err);
    if (st != LW_OK)
        return st;
    int mh =
        from.kind && (strcmp(from.kind, "cmht") == 0 || strcmp(from.kind, "inpatient_ward") == 0);
    const lw_pathway_def *d = pathway_builtin(mh ? "secondary-mental-health" : "primary-care");
    lw_milestone ms[LW_PATHWAY_MILESTONES_MAX];
    int n = pathway_milestones(d, c->opened_at, ms);
    st = store_case_pathway_insert(db, c->id, d->key, c->opened_at, err);
    int closed = strcmp(c->status, "closed") == 0;
    for (int k = 0; k < n && st == LW_OK; k++) {
        lw_case_milestone m = {.case_id = c->id,
                               .pos = k,
                               .key = ms[k].key,
                               .title = ms[k].title,
                               .max_contacts = ms[k].max_contacts,
                               .needs_outcome = (ms[k].flags & LW_MS_NEEDS_OUTCOME) != 0,
                               .due_at = ms[k].due_ms,
                               .original_due_at = ms[k].planned_ms,
                               .status = "open",
                               .updated_by = c->assignee_id,
                               .updated_at = c->opened_at};
        int due = ms[k].due_ms < pathway_day(now);
        int64_t moved_to = 0;
        /* Every other open case leaves its first two milestones undone when due
         * (overdue); a closed case did what was due and skipped the rest; the
         * second milestone of every third case was moved a fortnight on. */
        if (k == 1 && i % 3 == 2 && !closed) {
            moved_to = ms[k].due_ms + 14 * DAY;
            if (moved_to < pathway_day(now) + 7 * DAY)
                moved_to = pathway_day(now) + 7 * DAY;
            m.due_at = moved_to;
        } else if (due && (closed || i % 2 == 0 || k > 1)) {
            m.status = "done";
            m.done_at = ms[k].due_ms - 2 * DAY;
            if (m.done_at < c->opened_at)
                m.done_at = c->opened_at;
        } else if (closed) {
            m.status = "skipped";
            m.done_at = c->closed_at ? c->closed_at : now;
            m.reason = "The case closed first";
        }
        if (m.needs_outcome && strcmp(m.status, "done") == 0)
            m.status = "open"; /* the discharge review waits for the team's decision */
        int64_t id = 0;
        st = store_milestone_insert(db, &m, &id, err);
        if (st == LW_OK && moved_to) {
            lw_milestone_move mv = {.milestone_id = id,
                                    .case_id = c->id,
                                    .from_at = ms[k].due_ms,
                                    .to_at = moved_to,
                                    .reason = "Wants to settle into the walking group first",
                                    .by_user_id = c->assignee_id,
                                    .at = c->opened_at + 3 * DAY};
            st = store_milestone_move_insert(db, &mv, err);
        }
    }
    if (st == LW_OK)
        st = audit(db, "case.pathway", "case", c->id, c->opened_at, err);
    /* The practice's referrals: GP consultations in the 6 months before, and after
     * for the cases that have ended. */
    if (st == LW_OK && from.kind && strcmp(from.kind, "gp_practice") == 0) {
        lw_gp_consultation g = {.person_id = c->person_id,
                                .referral_id = c->referral_id,
                                .before_count = 5 + i % 6,
                                .after_count = closed ? 2 + i % 3 : -1,
                                .entered_at = now};
        int64_t id = 0;
        int updated = 0;
        st = store_gp_put(db, &g, &id, &updated, err);
        if (st == LW_OK)
            st = audit(db, "gp_consultation.create", "gp_consultation", id, now, err);
    }
    return st;
}

lw_status demo_pathways_load(lw_db *db, int64_t now, lw_error *err) {
    lw_arena *a = arena_new();
    lw_case *cases = NULL;
    int n = 0;
    int64_t total = 0;
    lw_caseload_filter f = {.today = "0000-00-00"};
    lw_page pg = {1, LW_PER_PAGE_MAX};
    lw_status st = store_caseload(db, a, &f, pg, &cases, &n, &total, err);
    /* Once only: a demo case with a pathway means this ran before. */
    for (int i = 0; i < n && st == LW_OK; i++) {
        lw_case_pathway cp;
        lw_error ignored;
        if (store_case_pathway_get(db, a, cases[i].id, &cp, &ignored) == LW_OK) {
            arena_free(a);
            return LW_OK;
        }
    }
    if (st == LW_OK)
        st = store_begin(db, err);
    for (int i = 0; i < n && st == LW_OK; i++)
        st = case_pathway(db, a, &cases[i], i, now, err);
    if (st == LW_OK)
        st = store_commit(db, err);
    if (st != LW_OK)
        store_rollback(db);
    arena_free(a);
    return st;
}
