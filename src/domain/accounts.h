/*
 * Rules about accounts: the roles and organisation kinds, what makes a valid
 * email and password, when a session has expired and when login attempts are
 * throttled. Pure: no I/O, no clock (times are passed in).
 */
#ifndef LW_ACCOUNTS_H
#define LW_ACCOUNTS_H

#include <stdint.h>

#include "util/error.h"

typedef enum lw_role {
    LW_ROLE_REFERRER,
    LW_ROLE_LINK_WORKER,
    LW_ROLE_PEER_WORKER,
    LW_ROLE_CLINICIAN_PRESCRIBER,
    LW_ROLE_PROVIDER,
    LW_ROLE_COMMISSIONER,
    LW_ROLE_ADMIN,
    LW_ROLE_COUNT
} lw_role;

/* Bit masks of roles, for route tables. */
#define LW_ROLE_BIT(r) (1u << (r))
#define LW_ROLES_ALL ((1u << LW_ROLE_COUNT) - 1u)
#define LW_ROLES_ADMIN LW_ROLE_BIT(LW_ROLE_ADMIN)

typedef enum lw_org_kind {
    LW_ORG_GP_PRACTICE,
    LW_ORG_CMHT,
    LW_ORG_INPATIENT_WARD,
    LW_ORG_LINK_WORKER_SERVICE,
    LW_ORG_VCSE,
    LW_ORG_COMMISSIONER,
    LW_ORG_COMMUNITY,
    LW_ORG_OTHER,
    LW_ORG_KIND_COUNT
} lw_org_kind;

const char *role_name(lw_role r);
/* -1 when NAME is not a role. */
int role_parse(const char *name);
/* "referrer, link_worker, ..." for error messages. */
const char *role_names_list(void);

const char *org_kind_name(lw_org_kind k);
int org_kind_parse(const char *name);
const char *org_kind_names_list(void);

#define LW_PASSWORD_MIN 10
#define LW_PASSWORD_MAX 512
#define LW_EMAIL_MAX 254
#define LW_NAME_MAX 200

/* Checks an email address's shape (one @, a dot in the domain, no spaces) and
 * writes its lower-case form into OUT (at least LW_EMAIL_MAX + 1 bytes). */
lw_status account_email_normalise(const char *email, const char *field, char *out,
                                  lw_error *err) LW_MUST_CHECK;
lw_status account_password_check(const char *password, const char *field,
                                 lw_error *err) LW_MUST_CHECK;
/* A name: 1..LW_NAME_MAX bytes of valid UTF-8 with no control characters, not all spaces. */
lw_status account_name_check(const char *name, const char *field, lw_error *err) LW_MUST_CHECK;

/* Sessions end after 30 idle minutes and 12 hours in all. */
#define LW_SESSION_IDLE_MS (30LL * 60 * 1000)
#define LW_SESSION_MAX_MS (12LL * 60 * 60 * 1000)

typedef enum lw_session_state {
    LW_SESSION_LIVE,
    LW_SESSION_IDLE_EXPIRED,
    LW_SESSION_MAX_EXPIRED
} lw_session_state;

lw_session_state session_state(int64_t created_ms, int64_t last_seen_ms, int64_t now_ms);

/* Login throttling: at most LW_THROTTLE_ACCOUNT failures per account (and
 * LW_THROTTLE_ADDRESS per remote address) in LW_THROTTLE_WINDOW_MS; after that,
 * attempts are refused until the oldest failure leaves the window. */
#define LW_THROTTLE_ACCOUNT 5
#define LW_THROTTLE_ADDRESS 20
#define LW_THROTTLE_WINDOW_MS (15LL * 60 * 1000)

/* Seconds until another attempt is allowed, or 0 when it is allowed now.
 * FAILURES is the number of failures in the window, OLDEST_MS the time of the
 * oldest of them. */
long throttle_retry_after(int failures, int limit, int64_t oldest_ms, int64_t now_ms);

#endif
