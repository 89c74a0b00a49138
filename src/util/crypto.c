/* Password hashing, random tokens and digests, all through libsodium. */
#include "util/crypto.h"

#include <sodium.h>
#include <string.h>

lw_status crypto_init(lw_error *err) {
    if (sodium_init() < 0)
        return lw_fail(err, LW_EINTERNAL, NULL, "libsodium could not be initialised");
    return LW_OK;
}

lw_status crypto_pwcost_parse(const char *s, lw_pwcost *out, lw_error *err) {
    if (strcmp(s, "min") == 0)
        *out = LW_PWCOST_MIN;
    else if (strcmp(s, "interactive") == 0)
        *out = LW_PWCOST_INTERACTIVE;
    else if (strcmp(s, "moderate") == 0)
        *out = LW_PWCOST_MODERATE;
    else
        return lw_fail(err, LW_EINVAL, "password-cost",
                       "unknown password cost '%s' (use min, interactive or moderate)", s);
    return LW_OK;
}

lw_status crypto_password_hash(const char *password, lw_pwcost cost, char out[LW_PWHASH_LEN],
                               lw_error *err) {
    unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    if (cost == LW_PWCOST_MIN) {
        ops = crypto_pwhash_OPSLIMIT_MIN;
        mem = crypto_pwhash_MEMLIMIT_MIN;
    } else if (cost == LW_PWCOST_MODERATE) {
        ops = crypto_pwhash_OPSLIMIT_MODERATE;
        mem = crypto_pwhash_MEMLIMIT_MODERATE;
    }
    _Static_assert(LW_PWHASH_LEN >= crypto_pwhash_STRBYTES, "hash buffer too small");
    if (crypto_pwhash_str_alg(out, password, strlen(password), ops, mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return lw_fail(err, LW_EINTERNAL, NULL, "not enough memory to hash the password");
    return LW_OK;
}

int crypto_password_verify(const char *hash, const char *password) {
    if (!hash || !password)
        return 0;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void crypto_random_token(char out[LW_TOKEN_LEN]) {
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(out, "lw_", 3);
    sodium_bin2base64(out + 3, LW_TOKEN_LEN - 3, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void crypto_token_digest(const char *token, char out[LW_DIGEST_LEN]) {
    unsigned char d[32];
    crypto_generichash(d, sizeof d, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, LW_DIGEST_LEN, d, sizeof d);
}

int crypto_equal(const char *a, const char *b) {
    size_t n = strlen(a);
    if (n != strlen(b))
        return 0;
    return sodium_memcmp(a, b, n) == 0;
}
