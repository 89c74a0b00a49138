/* Need domains, the referral and prescription state machines, ageing of
 * unanswered referrals, capacity and fund rules, self-referral throttling. */
#include "domain/referrals.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int parse_in(const char *const *names, int n, const char *s) {
    for (int i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* ---- vocabularies ---- */

static const char *const needs[LW_NEED_COUNT] = {
    "isolation", "mood",     "physical_activity", "weight_nutrition",
    "debt",      "benefits", "housing",           "employment",
    "learning",  "arts",     "volunteering",      "carers",
    "parenting", "legal",    "bereavement",
};

const char *need_name(int i) {
    return i >= 0 && i < LW_NEED_COUNT ? needs[i] : NULL;
}

int need_parse(const char *name) {
    return parse_in(needs, LW_NEED_COUNT, name);
}

const char *need_names_list(void) {
    return "isolation, mood, physical_activity, weight_nutrition, debt, benefits, housing, "
           "employment, learning, arts, volunteering, carers, parenting, legal, bereavement";
}

static const char *const urgencies[] = {"routine", "urgent"};
int urgency_parse(const char *s) {
    return parse_in(urgencies, N(urgencies), s);
}
const char *urgency_names_list(void) {
    return "routine, urgent";
}

static const char *const modes[] = {"phone", "face_to_face", "video", "text", "home_visit"};
int contact_mode_parse(const char *s) {
    return parse_in(modes, N(modes), s);
}
const char *contact_mode_names_list(void) {
    return "phone, face_to_face, video, text, home_visit";
}

static const char *const levels[] = {"signpost", "light", "intensive"};
int support_level_parse(const char *s) {
    return parse_in(levels, N(levels), s);
}
const char *support_level_names_list(void) {
    return "signpost, light, intensive";
}

static const char *const goal_statuses[] = {"active", "achieved", "partly_achieved", "not_achieved",
                                            "dropped"};
int goal_status_parse(const char *s) {
    return parse_in(goal_statuses, N(goal_statuses), s);
}
const char *goal_status_names_list(void) {
    return "active, achieved, partly_achieved, not_achieved, dropped";
}

static const char *const outcomes[] = {
    "goals_met",  "partly_met", "disengaged", "referred_elsewhere",
    "moved_away", "deceased",   "other"};
int case_outcome_parse(const char *s) {
    return parse_in(outcomes, N(outcomes), s);
}
const char *case_outcome_names_list(void) {
    return "goals_met, partly_met, disengaged, referred_elsewhere, moved_away, deceased, other";
}

/* ---- referrals ---- */

static const char *const ref_states[LW_REF_STATE_COUNT] = {"received", "accepted", "in_progress",
                                                           "closed", "declined"};

const char *referral_state_name(lw_referral_state s) {
    return (unsigned)s < LW_REF_STATE_COUNT ? ref_states[s] : "unknown";
}

int referral_state_parse(const char *name) {
    return parse_in(ref_states, LW_REF_STATE_COUNT, name);
}

const char *referral_state_names_list(void) {
    return "received, accepted, in_progress, closed, declined";
}

static const char *const decline_reasons[] = {"not_eligible",       "declined_by_person",
                                              "unable_to_contact",  "duplicate",
                                              "referred_elsewhere", LW_DECLINE_NO_RESPONSE};
int decline_reason_parse(const char *s) {
    return parse_in(decline_reasons, N(decline_reasons), s);
}
const char *decline_reason_names_list(void) {
    return "not_eligible, declined_by_person, unable_to_contact, duplicate, referred_elsewhere, "
           "no_response";
}

/* ref_next[from][to] */
static const unsigned char ref_next[LW_REF_STATE_COUNT][LW_REF_STATE_COUNT] = {
    [LW_REF_RECEIVED] = {[LW_REF_ACCEPTED] = 1, [LW_REF_DECLINED] = 1},
    [LW_REF_ACCEPTED] = {[LW_REF_IN_PROGRESS] = 1, [LW_REF_CLOSED] = 1},
    [LW_REF_IN_PROGRESS] = {[LW_REF_CLOSED] = 1},
};

int referral_transition_allowed(lw_referral_state from, lw_referral_state to) {
    if ((unsigned)from >= LW_REF_STATE_COUNT || (unsigned)to >= LW_REF_STATE_COUNT)
        return 0;
    return ref_next[from][to];
}

/* Joins the names of the states NEXT allows, or says the state is final. */
static const char *allowed_text(const unsigned char *next, int n, const char *const *names,
                                const char *from, char *buf, size_t size) {
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        if (next[i] && len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", names[i]);
    if (len == 0)
        snprintf(buf, size, "none: %s is final", from);
    return buf;
}

const char *referral_allowed_text(lw_referral_state from, char *buf, size_t size) {
    if ((unsigned)from >= LW_REF_STATE_COUNT) {
        snprintf(buf, size, "none");
        return buf;
    }
    return allowed_text(ref_next[from], LW_REF_STATE_COUNT, ref_states, ref_states[from], buf,
                        size);
}

lw_status referral_transition_check(lw_referral_state from, lw_referral_state to, lw_error *err) {
    if (referral_transition_allowed(from, to))
        return LW_OK;
    char allowed[160];
    return lw_fail(err, LW_ECONFLICT, "status",
                   "a %s referral cannot become %s; allowed from %s: %s", referral_state_name(from),
                   referral_state_name(to), referral_state_name(from),
                   referral_allowed_text(from, allowed, sizeof allowed));
}

lw_referral_limits referral_limits(int overdue_days, int auto_close_days) {
    lw_referral_limits l = {overdue_days ? overdue_days : LW_OVERDUE_DAYS_DEFAULT,
                            auto_close_days ? auto_close_days : LW_AUTO_CLOSE_DAYS_DEFAULT};
    return l;
}

lw_status referral_limits_check(const lw_referral_limits *l, lw_error *err) {
    if (l->overdue_days < 1 || l->overdue_days > 365)
        return lw_fail(err, LW_EINVAL, "overdue_days", "must be between 1 and 365 days");
    if (l->auto_close_days < 1 || l->auto_close_days > 3650)
        return lw_fail(err, LW_EINVAL, "auto_close_days", "must be between 1 and 3650 days");
    if (l->auto_close_days <= l->overdue_days)
        return lw_fail(err, LW_EINVAL, "auto_close_days",
                       "must be more than the overdue limit (%d days)", l->overdue_days);
    return LW_OK;
}

int64_t referral_overdue_cutoff(int64_t now, const lw_referral_limits *l) {
    return now - (int64_t)l->overdue_days * LW_DAY_MS;
}

int64_t referral_auto_close_cutoff(int64_t now, const lw_referral_limits *l) {
    return now - (int64_t)l->auto_close_days * LW_DAY_MS;
}

lw_referral_age referral_age(lw_referral_state state, int64_t received_at, int64_t now,
                             const lw_referral_limits *l) {
    if (state != LW_REF_RECEIVED)
        return LW_AGE_ON_TIME;
    if (received_at <= referral_auto_close_cutoff(now, l))
        return LW_AGE_AUTO_CLOSE;
    if (received_at <= referral_overdue_cutoff(now, l))
        return LW_AGE_OVERDUE;
    return LW_AGE_ON_TIME;
}

/* ---- prescriptions ---- */

static const char *const rx_states[LW_RX_STATE_COUNT] = {
    "proposed", "sent", "accepted", "waitlisted", "declined", "started", "completed", "dropped_out",
};

const char *rx_state_name(lw_rx_state s) {
    return (unsigned)s < LW_RX_STATE_COUNT ? rx_states[s] : "unknown";
}

int rx_state_parse(const char *name) {
    return parse_in(rx_states, LW_RX_STATE_COUNT, name);
}

const char *rx_state_names_list(void) {
    return "proposed, sent, accepted, waitlisted, declined, started, completed, dropped_out";
}

static const char *const rx_kinds[] = {"signpost", "referral"};
static const char *const rx_modes[] = {"link_worker", "direct"};
int rx_kind_parse(const char *s) {
    return parse_in(rx_kinds, N(rx_kinds), s);
}
int rx_mode_parse(const char *s) {
    return parse_in(rx_modes, N(rx_modes), s);
}
const char *rx_kind_name(lw_rx_kind k) {
    return (unsigned)k < 2 ? rx_kinds[k] : "unknown";
}
const char *rx_mode_name(lw_rx_mode m) {
    return (unsigned)m < 2 ? rx_modes[m] : "unknown";
}

static const unsigned char rx_next_referral[LW_RX_STATE_COUNT][LW_RX_STATE_COUNT] = {
    [LW_RX_PROPOSED] = {[LW_RX_SENT] = 1},
    [LW_RX_SENT] = {[LW_RX_ACCEPTED] = 1, [LW_RX_WAITLISTED] = 1, [LW_RX_DECLINED] = 1},
    [LW_RX_WAITLISTED] = {[LW_RX_ACCEPTED] = 1, [LW_RX_DECLINED] = 1},
    [LW_RX_ACCEPTED] = {[LW_RX_STARTED] = 1, [LW_RX_DROPPED_OUT] = 1},
    [LW_RX_STARTED] = {[LW_RX_COMPLETED] = 1, [LW_RX_DROPPED_OUT] = 1},
};

static const unsigned char rx_next_signpost[LW_RX_STATE_COUNT][LW_RX_STATE_COUNT] = {
    [LW_RX_PROPOSED] = {[LW_RX_STARTED] = 1, [LW_RX_DROPPED_OUT] = 1},
    [LW_RX_STARTED] = {[LW_RX_COMPLETED] = 1, [LW_RX_DROPPED_OUT] = 1},
};

static const unsigned char (*rx_table(lw_rx_kind kind))[LW_RX_STATE_COUNT] {
    return kind == LW_RX_SIGNPOST ? rx_next_signpost : rx_next_referral;
}

int rx_transition_allowed(lw_rx_kind kind, lw_rx_state from, lw_rx_state to) {
    if ((unsigned)from >= LW_RX_STATE_COUNT || (unsigned)to >= LW_RX_STATE_COUNT)
        return 0;
    return rx_table(kind)[from][to];
}

const char *rx_allowed_text(lw_rx_kind kind, lw_rx_state from, char *buf, size_t size) {
    if ((unsigned)from >= LW_RX_STATE_COUNT) {
        snprintf(buf, size, "none");
        return buf;
    }
    return allowed_text(rx_table(kind)[from], LW_RX_STATE_COUNT, rx_states, rx_states[from], buf,
                        size);
}

lw_status rx_transition_check(lw_rx_kind kind, lw_rx_state from, lw_rx_state to, lw_error *err) {
    if (rx_transition_allowed(kind, from, to))
        return LW_OK;
    char allowed[160];
    return lw_fail(err, LW_ECONFLICT, "status", "a %s %s cannot become %s; allowed from %s: %s",
                   rx_state_name(from), kind == LW_RX_SIGNPOST ? "signpost" : "prescription",
                   rx_state_name(to), rx_state_name(from),
                   rx_allowed_text(kind, from, allowed, sizeof allowed));
}

int rx_actor_may(lw_rx_actor by, lw_rx_kind kind, lw_rx_state to) {
    switch (to) {
    case LW_RX_SENT:
        return by == LW_RX_BY_SENDER;
    case LW_RX_ACCEPTED:
    case LW_RX_WAITLISTED:
    case LW_RX_DECLINED:
        return by == LW_RX_BY_PROVIDER;
    case LW_RX_STARTED:
        /* A referral starts with its first attendance; a signpost when the sender hears. */
        return kind == LW_RX_SIGNPOST && by == LW_RX_BY_SENDER;
    case LW_RX_COMPLETED:
    case LW_RX_DROPPED_OUT:
        return 1;
    default:
        return 0;
    }
}

int rx_state_is_open(lw_rx_state s) {
    return s == LW_RX_SENT || s == LW_RX_ACCEPTED || s == LW_RX_WAITLISTED || s == LW_RX_STARTED;
}

int rx_attendance_allowed(lw_rx_kind kind, lw_rx_state s) {
    return s == LW_RX_ACCEPTED || s == LW_RX_STARTED ||
           (kind == LW_RX_SIGNPOST && s == LW_RX_PROPOSED);
}

lw_status rx_capacity_check(const char *capacity_status, int64_t capacity, int64_t open,
                            const char *override_reason, lw_error *err) {
    int full = capacity_status && strcmp(capacity_status, "no_capacity") == 0;
    int taken = capacity >= 0 && open >= capacity;
    if ((!full && !taken) || (override_reason && *override_reason))
        return LW_OK;
    if (full)
        return lw_fail(err, LW_ECONFLICT, "override_reason",
                       "the service says it has no capacity; give an override_reason to send "
                       "anyway");
    return lw_fail(err, LW_ECONFLICT, "override_reason",
                   "all %lld places of the service are taken by open prescriptions; give an "
                   "override_reason to send anyway",
                   (long long)capacity);
}

lw_status fund_draw_check(int64_t balance, int64_t cost, lw_error *err) {
    if (cost < 0)
        return lw_fail(err, LW_EINVAL, "cost", "must not be negative");
    if (cost > balance)
        return lw_fail(err, LW_ECONFLICT, "cost",
                       "the fund holds %lld pence; this cost (%lld pence) would take it below zero",
                       (long long)balance, (long long)cost);
    return LW_OK;
}

const char *feedback_snomed(const char *event) {
    return event && strcmp(event, "declined") == 0 ? LW_SNOMED_DECLINED : LW_SNOMED_REFERRAL;
}

/* A reason or outcome id as words ("declined_by_person" → "declined by person"). */
static void words(const char *id, char *out, size_t size) {
    size_t i = 0;
    for (; id && id[i] && i + 1 < size; i++)
        out[i] = id[i] == '_' ? ' ' : id[i];
    out[i] = '\0';
}

void feedback_text(char *out, size_t size, const char *event, const char *date, const char *service,
                   const char *reason, int64_t started) {
    char why[64];
    words(reason, why, sizeof why);
    const char *svc = service && *service ? service : "the social prescribing service";
    if (strcmp(event, "accepted") == 0)
        snprintf(out, size, "Referral accepted by %s on %s. A link worker will contact the person.",
                 svc, date);
    else if (strcmp(event, "declined") == 0)
        snprintf(out, size, "Social prescribing declined on %s (%s).", date,
                 *why ? why : "no reason given");
    else if (strcmp(event, "started") == 0)
        snprintf(out, size, "The person started a social prescribing activity on %s.", date);
    else if (strcmp(event, "closed") == 0)
        snprintf(out, size,
                 "Social prescribing completed on %s (outcome: %s). Activities started: %lld.",
                 date, *why ? why : "not recorded", (long long)started);
    else
        snprintf(out, size, "%s on %s.", event, date);
}

long selfref_retry_after(int attempts, int64_t oldest_ms, int64_t now_ms) {
    if (attempts < LW_SELFREF_LIMIT)
        return 0;
    int64_t wait_ms = oldest_ms + LW_SELFREF_WINDOW_MS - now_ms;
    if (wait_ms <= 0)
        return 0;
    return (long)((wait_ms + 999) / 1000);
}

/* ---- text ---- */

static int is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

lw_status date_check(const char *s, const char *field, lw_error *err) {
    int v[8];
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        goto bad;
    for (int i = 0, j = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            goto bad;
        v[j++] = s[i] - '0';
    }
    int y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    int m = v[4] * 10 + v[5];
    int d = v[6] * 10 + v[7];
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1800 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && is_leap(y)))
        goto bad;
    return LW_OK;
bad:
    return lw_fail(err, LW_EINVAL, field, "'%.20s' is not a date (YYYY-MM-DD)", s);
}

void date_of_ms(int64_t now_ms, char out[11]) {
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    unsigned y = (unsigned)(tm.tm_year + 1900) % 10000u, m = (unsigned)tm.tm_mon + 1u,
             d = (unsigned)tm.tm_mday;
    const unsigned v[8] = {y / 1000, y / 100 % 10, y / 10 % 10, y % 10,
                           m / 10,   m % 10,       d / 10,      d % 10};
    for (int i = 0, j = 0; i < 10; i++)
        out[i] = i == 4 || i == 7 ? '-' : (char)('0' + v[j++] % 10);
    out[10] = '\0';
}

/* Length of the UTF-8 sequence at S, 0 when invalid. */
static size_t utf8_seq(const unsigned char *s) {
    size_t n;
    unsigned cp, min;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0)
        n = 2, cp = s[0] & 0x1Fu, min = 0x80;
    else if ((s[0] & 0xF0) == 0xE0)
        n = 3, cp = s[0] & 0x0Fu, min = 0x800;
    else if ((s[0] & 0xF8) == 0xF0)
        n = 4, cp = s[0] & 0x07u, min = 0x10000;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

lw_status text_check(const char *s, size_t max, const char *field, lw_error *err) {
    if (strlen(s) > max)
        return lw_fail(err, LW_EINVAL, field, "is longer than %zu characters", max);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if ((*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r') || *p == 0x7F)
            return lw_fail(err, LW_EINVAL, field, "must not contain control characters");
        size_t n = utf8_seq(p);
        if (n == 0)
            return lw_fail(err, LW_EINVAL, field, "is not valid UTF-8");
        p += n;
    }
    return LW_OK;
}
