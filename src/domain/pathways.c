/* Pathways: built-in templates, template checks, milestone dates and
 * transitions, overdue milestones, discharge outcomes. */
#include "domain/pathways.h"

#include <stdio.h>
#include <string.h>

#include "util/timeutil.h"

/* ---- discharge outcomes ---- */

static const char *const outcomes[LW_DISCHARGE_COUNT] = {"discharged", "extended", "re_referred"};

const char *discharge_outcome_name(lw_discharge_outcome o) {
    return (unsigned)o < LW_DISCHARGE_COUNT ? outcomes[o] : "unknown";
}

const char *discharge_outcome_names_list(void) {
    return "discharged, extended, re_referred";
}

lw_status discharge_outcome_parse(const char *name, const char *field, lw_discharge_outcome *out,
                                  lw_error *err) {
    if (!name)
        return lw_fail(err, LW_EINVAL, field, "is required: one of %s",
                       discharge_outcome_names_list());
    for (int i = 0; i < LW_DISCHARGE_COUNT; i++)
        if (strcmp(name, outcomes[i]) == 0) {
            *out = (lw_discharge_outcome)i;
            return LW_OK;
        }
    return lw_fail(err, LW_EINVAL, field, "'%.40s' is not a discharge outcome; use one of %s", name,
                   discharge_outcome_names_list());
}

/* ---- built-in templates ---- */

/* Primary care (seed 004 and NHS England's link-worker model): the first
 * conversation within 2 weeks, an agreed plan, up to 6 contacts over 12 weeks,
 * a closing review at 12 weeks. */
static const lw_milestone_def primary_care[] = {
    {"first_conversation", "First conversation", 14, 0, 0},
    {"plan_agreed", "Plan agreed", 28, 0, 0},
    {"contacts", "Up to 6 contacts over 12 weeks", 84, 6, 0},
    {"closing_review", "Closing review", 84, 0, 0},
};

/* Secondary mental health (seed 001, Rotherham): link worker and CMHT together
 * for 10 weeks, a ready-for-community review at week 10, the CMHT involved up
 * to 6 months, then a discharge review with its outcome. */
static const lw_milestone_def secondary_mh[] = {
    {"first_joint_meeting", "First joint meeting with the CMHT", 14, 0, 0},
    {"joint_support", "10 weeks of joint support with the CMHT", 70, 0, 0},
    {"ready_for_community_review", "Ready-for-community review", 70, 0, 0},
    {"discharge_review", "Discharge review", 182, 0, LW_MS_NEEDS_OUTCOME},
};

static const lw_pathway_def builtins[LW_PATHWAY_BUILTINS] = {
    {"primary-care", "Primary care", (int)(sizeof primary_care / sizeof primary_care[0]),
     primary_care},
    {"secondary-mental-health", "Secondary mental health",
     (int)(sizeof secondary_mh / sizeof secondary_mh[0]), secondary_mh},
};

const lw_pathway_def *pathway_builtin_at(size_t i) {
    return i < LW_PATHWAY_BUILTINS ? &builtins[i] : NULL;
}

const lw_pathway_def *pathway_builtin(const char *key) {
    for (size_t i = 0; key && i < LW_PATHWAY_BUILTINS; i++)
        if (strcmp(key, builtins[i].key) == 0)
            return &builtins[i];
    return NULL;
}

/* ---- template checks ---- */

/* 1..LW_PATHWAY_KEY_MAX bytes of [a-z0-9] and SEP, starting with a letter. */
static int key_ok(const char *k, char sep) {
    size_t len = k ? strlen(k) : 0;
    if (len == 0 || len > LW_PATHWAY_KEY_MAX || !(k[0] >= 'a' && k[0] <= 'z'))
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == sep))
            return 0;
    }
    return 1;
}

/* Text for people: 1..MAX bytes, not blank, no control characters except tab
 * and (when MULTILINE) newlines. */
static lw_status text_check(const char *s, size_t max, int multiline, const char *field,
                            lw_error *err) {
    if (!s)
        return lw_fail(err, LW_EINVAL, field, "is required");
    size_t len = strlen(s);
    if (len > max)
        return lw_fail(err, LW_EINVAL, field, "is longer than %zu characters", max);
    int visible = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\t' || (multiline && (c == '\n' || c == '\r')))
            continue;
        if (c < 0x20 || c == 0x7F)
            return lw_fail(err, LW_EINVAL, field, "must not contain control characters");
        if (c != ' ')
            visible = 1;
    }
    if (!visible)
        return lw_fail(err, LW_EINVAL, field, len ? "must not be blank" : "is required");
    return LW_OK;
}

lw_status pathway_reason_check(const char *reason, const char *field, lw_error *err) {
    if (!reason || strlen(reason) == 0)
        return lw_fail(err, LW_EINVAL, field,
                       "is required: say why, so the change to the pathway is explained");
    return text_check(reason, LW_REASON_MAX, 1, field, err);
}

lw_status pathway_def_check(const lw_pathway_def *d, lw_error *err) {
    if (!key_ok(d->key, '-'))
        return lw_fail(err, LW_EINVAL, "key",
                       "must be 1 to %d lower-case letters, digits and '-', starting with a letter",
                       LW_PATHWAY_KEY_MAX);
    lw_status st = text_check(d->title, LW_PATHWAY_TITLE_MAX, 0, "title", err);
    if (st != LW_OK)
        return st;
    if (d->n < 1 || d->n > LW_PATHWAY_MILESTONES_MAX || !d->milestones)
        return lw_fail(err, LW_EINVAL, "milestones", "must have 1 to %d milestones",
                       LW_PATHWAY_MILESTONES_MAX);
    int with_outcome = 0;
    for (int i = 0; i < d->n; i++) {
        const lw_milestone_def *m = &d->milestones[i];
        char f[64];
        snprintf(f, sizeof f, "milestones[%d].key", i);
        if (!key_ok(m->key, '_'))
            return lw_fail(err, LW_EINVAL, f,
                           "must be 1 to %d lower-case letters, digits and '_', starting with a "
                           "letter",
                           LW_PATHWAY_KEY_MAX);
        snprintf(f, sizeof f, "milestones[%d].title", i);
        st = text_check(m->title, LW_PATHWAY_TITLE_MAX, 0, f, err);
        if (st != LW_OK)
            return st;
        for (int j = 0; j < i; j++) {
            if (strcmp(m->key, d->milestones[j].key) == 0) {
                snprintf(f, sizeof f, "milestones[%d].key", i);
                return lw_fail(err, LW_EINVAL, f, "'%s' is already the key of milestone %d", m->key,
                               j + 1);
            }
            if (strcmp(m->title, d->milestones[j].title) == 0)
                return lw_fail(err, LW_EINVAL, f, "is already the title of milestone %d", j + 1);
        }
        snprintf(f, sizeof f, "milestones[%d].due_days", i);
        if (m->due_days < 0 || m->due_days > LW_PATHWAY_MAX_DAYS)
            return lw_fail(err, LW_EINVAL, f, "must be from 0 to %d days after the start",
                           LW_PATHWAY_MAX_DAYS);
        snprintf(f, sizeof f, "milestones[%d].max_contacts", i);
        if (m->max_contacts < 0 || m->max_contacts > 100)
            return lw_fail(err, LW_EINVAL, f, "must be from 0 (no cap) to 100");
        if (m->flags & LW_MS_NEEDS_OUTCOME) {
            if (with_outcome++) {
                snprintf(f, sizeof f, "milestones[%d]", i);
                return lw_fail(err, LW_EINVAL, f,
                               "only one milestone of a pathway can record a discharge outcome");
            }
        }
    }
    return LW_OK;
}

/* ---- milestones of a case ---- */

static const char *const states[LW_MS_STATE_COUNT] = {"pending", "completed", "skipped"};

const char *milestone_state_name(lw_milestone_state s) {
    return (unsigned)s < LW_MS_STATE_COUNT ? states[s] : "unknown";
}

int milestone_state_parse(const char *name) {
    for (int i = 0; name && i < LW_MS_STATE_COUNT; i++)
        if (strcmp(name, states[i]) == 0)
            return i;
    return -1;
}

int64_t pathway_day(int64_t ms) {
    int64_t r = ms % LW_DAY_MS;
    if (r < 0)
        r += LW_DAY_MS;
    return ms - r;
}

int pathway_milestones(const lw_pathway_def *d, int64_t start_ms, lw_milestone *out) {
    int64_t start = pathway_day(start_ms);
    for (int i = 0; i < d->n; i++) {
        const lw_milestone_def *m = &d->milestones[i];
        lw_milestone ms = {0};
        ms.key = m->key;
        ms.title = m->title;
        ms.max_contacts = m->max_contacts;
        ms.flags = m->flags;
        ms.start_ms = start;
        ms.planned_ms = start + (int64_t)m->due_days * LW_DAY_MS;
        ms.due_ms = ms.planned_ms;
        ms.state = LW_MS_PENDING;
        ms.outcome = -1;
        out[i] = ms;
    }
    return d->n;
}

/* "2026-03-01" */
static void day_text(int64_t ms, char out[LW_ISO_LEN]) {
    time_format_iso(ms, out);
    out[10] = '\0';
}

static lw_status not_pending(const lw_milestone *m, lw_error *err) {
    char day[LW_ISO_LEN];
    day_text(m->closed_ms, day);
    return lw_fail(err, LW_ECONFLICT, "status", "'%s' was already %s on %s; it cannot change now",
                   m->title ? m->title : m->key, milestone_state_name(m->state), day);
}

lw_status milestone_complete(lw_milestone *m, int64_t at_ms, int64_t now_ms, const char *outcome,
                             lw_error *err) {
    if (m->state != LW_MS_PENDING)
        return not_pending(m, err);
    if (pathway_day(at_ms) > pathway_day(now_ms))
        return lw_fail(err, LW_EINVAL, "date", "is in the future");
    if (pathway_day(at_ms) < m->start_ms) {
        char day[LW_ISO_LEN];
        day_text(m->start_ms, day);
        return lw_fail(err, LW_EINVAL, "date", "is before the pathway started (%s)", day);
    }
    int result = -1;
    if (m->flags & LW_MS_NEEDS_OUTCOME) {
        lw_discharge_outcome o;
        if (!outcome)
            return lw_fail(err, LW_EINVAL, "outcome", "is required for '%s': one of %s",
                           m->title ? m->title : m->key, discharge_outcome_names_list());
        lw_status st = discharge_outcome_parse(outcome, "outcome", &o, err);
        if (st != LW_OK)
            return st;
        result = (int)o;
    } else if (outcome) {
        return lw_fail(err, LW_EINVAL, "outcome", "'%s' does not record an outcome",
                       m->title ? m->title : m->key);
    }
    m->state = LW_MS_COMPLETED;
    m->closed_ms = at_ms;
    m->outcome = result;
    return LW_OK;
}

lw_status milestone_move(lw_milestone *m, int64_t new_due_ms, const char *reason, lw_error *err) {
    if (m->state != LW_MS_PENDING)
        return not_pending(m, err);
    int64_t due = pathway_day(new_due_ms);
    char day[LW_ISO_LEN];
    if (due < m->start_ms) {
        day_text(m->start_ms, day);
        return lw_fail(err, LW_EINVAL, "due", "is before the pathway started (%s)", day);
    }
    if (due > m->start_ms + LW_PATHWAY_MAX_DAYS * LW_DAY_MS)
        return lw_fail(err, LW_EINVAL, "due", "is more than %d days after the pathway started",
                       LW_PATHWAY_MAX_DAYS);
    if (due == m->due_ms) {
        day_text(due, day);
        return lw_fail(err, LW_EINVAL, "due", "is already the due date (%s)", day);
    }
    lw_status st = pathway_reason_check(reason, "reason", err);
    if (st != LW_OK)
        return st;
    m->due_ms = due;
    m->moves++;
    m->reason = reason;
    return LW_OK;
}

lw_status milestone_skip(lw_milestone *m, int64_t at_ms, const char *reason, lw_error *err) {
    if (m->state != LW_MS_PENDING)
        return not_pending(m, err);
    lw_status st = pathway_reason_check(reason, "reason", err);
    if (st != LW_OK)
        return st;
    m->state = LW_MS_SKIPPED;
    m->closed_ms = at_ms;
    m->reason = reason;
    return LW_OK;
}

int64_t milestone_overdue_cutoff(int64_t now_ms) {
    return pathway_day(now_ms);
}

int milestone_overdue(const lw_milestone *m, int64_t now_ms) {
    return m->state == LW_MS_PENDING && m->due_ms < milestone_overdue_cutoff(now_ms);
}

int milestone_days_overdue(const lw_milestone *m, int64_t now_ms) {
    if (!milestone_overdue(m, now_ms))
        return 0;
    return (int)((pathway_day(now_ms) - pathway_day(m->due_ms)) / LW_DAY_MS);
}

size_t pathway_overdue(const lw_milestone *ms, size_t n, int64_t now_ms, size_t *idx) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (milestone_overdue(&ms[i], now_ms)) {
            if (idx)
                idx[k] = i;
            k++;
        }
    return k;
}

int pathway_next(const lw_milestone *ms, size_t n) {
    int best = -1;
    for (size_t i = 0; i < n; i++)
        if (ms[i].state == LW_MS_PENDING && (best < 0 || ms[i].due_ms < ms[best].due_ms))
            best = (int)i;
    return best;
}

int milestone_contacts_left(const lw_milestone *m, int used) {
    if (m->max_contacts <= 0)
        return -1;
    int left = m->max_contacts - used;
    return left > 0 ? left : 0;
}
