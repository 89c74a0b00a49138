/* Roles, organisation kinds, account validation, session expiry, throttling. */
#include "domain/accounts.h"

#include <string.h>

static const char *const roles[LW_ROLE_COUNT] = {
    "referrer", "link_worker",  "peer_worker", "clinician_prescriber",
    "provider", "commissioner", "admin",
};

static const char *const kinds[LW_ORG_KIND_COUNT] = {
    "gp_practice", "cmht",         "inpatient_ward", "link_worker_service",
    "vcse",        "commissioner", "community",      "other",
};

const char *role_name(lw_role r) {
    return (unsigned)r < LW_ROLE_COUNT ? roles[r] : "unknown";
}

int role_parse(const char *name) {
    for (int i = 0; name && i < LW_ROLE_COUNT; i++)
        if (strcmp(name, roles[i]) == 0)
            return i;
    return -1;
}

const char *role_names_list(void) {
    return "referrer, link_worker, peer_worker, clinician_prescriber, provider, commissioner, "
           "admin";
}

const char *org_kind_name(lw_org_kind k) {
    return (unsigned)k < LW_ORG_KIND_COUNT ? kinds[k] : "unknown";
}

int org_kind_parse(const char *name) {
    for (int i = 0; name && i < LW_ORG_KIND_COUNT; i++)
        if (strcmp(name, kinds[i]) == 0)
            return i;
    return -1;
}

const char *org_kind_names_list(void) {
    return "gp_practice, cmht, inpatient_ward, link_worker_service, vcse, commissioner, "
           "community, other";
}

/* Length of the UTF-8 sequence starting at S, or 0 when it is not valid UTF-8. */
static size_t utf8_len(const unsigned char *s) {
    size_t n;
    unsigned min;
    unsigned cp;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0) {
        n = 2, cp = s[0] & 0x1Fu, min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        n = 3, cp = s[0] & 0x0Fu, min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        n = 4, cp = s[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

lw_status account_name_check(const char *name, const char *field, lw_error *err) {
    size_t len = strlen(name);
    if (len == 0)
        return lw_fail(err, LW_EINVAL, field, "must not be empty");
    if (len > LW_NAME_MAX)
        return lw_fail(err, LW_EINVAL, field, "is longer than %d characters", LW_NAME_MAX);
    int visible = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p;) {
        if (*p < 0x20 || *p == 0x7F)
            return lw_fail(err, LW_EINVAL, field, "must not contain control characters");
        size_t n = utf8_len(p);
        if (n == 0)
            return lw_fail(err, LW_EINVAL, field, "is not valid UTF-8");
        if (p[0] == 0xC2 && p[1] < 0xA0) /* U+0080..U+009F, the C1 controls */
            return lw_fail(err, LW_EINVAL, field, "must not contain control characters");
        if (*p != ' ')
            visible = 1;
        p += n;
    }
    if (!visible)
        return lw_fail(err, LW_EINVAL, field, "must not be blank");
    return LW_OK;
}

lw_status account_email_normalise(const char *email, const char *field, char *out, lw_error *err) {
    size_t len = strlen(email);
    if (len == 0)
        return lw_fail(err, LW_EINVAL, field, "must not be empty");
    if (len > LW_EMAIL_MAX)
        return lw_fail(err, LW_EINVAL, field, "is longer than %d characters", LW_EMAIL_MAX);
    const char *at = strchr(email, '@');
    if (!at || at == email || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.' ||
        email[len - 1] == '.')
        return lw_fail(err, LW_EINVAL, field, "'%.60s' is not an email address", email);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)email[i];
        if (c <= 0x20 || c == 0x7F || c >= 0x80)
            return lw_fail(err, LW_EINVAL, field,
                           "must not contain spaces, control or non-ASCII characters");
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[len] = '\0';
    return LW_OK;
}

lw_status account_password_check(const char *password, const char *field, lw_error *err) {
    size_t len = strlen(password);
    if (len < LW_PASSWORD_MIN)
        return lw_fail(err, LW_EINVAL, field, "must be at least %d characters long",
                       LW_PASSWORD_MIN);
    if (len > LW_PASSWORD_MAX)
        return lw_fail(err, LW_EINVAL, field, "must be at most %d characters long",
                       LW_PASSWORD_MAX);
    return LW_OK;
}

lw_session_state session_state(int64_t created_ms, int64_t last_seen_ms, int64_t now_ms) {
    if (now_ms - created_ms >= LW_SESSION_MAX_MS)
        return LW_SESSION_MAX_EXPIRED;
    if (now_ms - last_seen_ms >= LW_SESSION_IDLE_MS)
        return LW_SESSION_IDLE_EXPIRED;
    return LW_SESSION_LIVE;
}

long throttle_retry_after(int failures, int limit, int64_t oldest_ms, int64_t now_ms) {
    if (failures < limit)
        return 0;
    int64_t wait_ms = oldest_ms + LW_THROTTLE_WINDOW_MS - now_ms;
    if (wait_ms <= 0)
        return 0;
    return (long)((wait_ms + 999) / 1000);
}
