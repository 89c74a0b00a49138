/*
 * Secrets: password hashing (libsodium argon2id), random tokens, digests of
 * tokens for storage, and constant-time comparison. Call crypto_init() once
 * before anything else here. Nothing in this module logs or stores a secret.
 */
#ifndef LW_CRYPTO_H
#define LW_CRYPTO_H

#include <stddef.h>

#include "util/error.h"

#define LW_PWHASH_LEN 128 /* >= crypto_pwhash_STRBYTES */
#define LW_TOKEN_LEN 48   /* "lw_" + 43 base64url chars + NUL, rounded up */
#define LW_DIGEST_LEN 65  /* 64 hex chars + NUL */

/* Argon2id cost. "min" is for tests only; "interactive" is the default. */
typedef enum lw_pwcost { LW_PWCOST_MIN, LW_PWCOST_INTERACTIVE, LW_PWCOST_MODERATE } lw_pwcost;

lw_status crypto_init(lw_error *err) LW_MUST_CHECK;

/* Parses "min", "interactive" or "moderate". */
lw_status crypto_pwcost_parse(const char *s, lw_pwcost *out, lw_error *err) LW_MUST_CHECK;

/* Hashes PASSWORD into OUT (an argon2id string that records its own cost). */
lw_status crypto_password_hash(const char *password, lw_pwcost cost, char out[LW_PWHASH_LEN],
                               lw_error *err) LW_MUST_CHECK;

/* 1 when PASSWORD matches HASH, else 0 (also for a malformed HASH). */
int crypto_password_verify(const char *hash, const char *password);

/* A new random bearer secret: "lw_" followed by 32 random bytes in base64url. */
void crypto_random_token(char out[LW_TOKEN_LEN]);

/* The hex BLAKE2b-256 digest of a token: what the database stores instead of it. */
void crypto_token_digest(const char *token, char out[LW_DIGEST_LEN]);

/* Constant-time string equality (time depends only on the lengths). */
int crypto_equal(const char *a, const char *b);

#endif
