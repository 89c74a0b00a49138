/* NHS numbers, dates of birth, postcodes and duplicate matching. */
#include "domain/people.h"

#include <stdio.h>
#include <string.h>

#include "domain/referrals.h"

int nhs_check_digit(const char *nine) {
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += (nine[i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11)
        return 0;
    if (check == 10)
        return -1;
    return check;
}

lw_status nhs_number_check(const char *s, const char *field, char out[LW_NHS_LEN], lw_error *err) {
    int n = 0;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n == 10)
                return lw_fail(err, LW_EINVAL, field, "an NHS number has 10 digits, not more");
            out[n++] = *p;
        } else if (*p == ' ' && n > 0 && p[1] != '\0' && p[1] != ' ') {
            continue;
        } else {
            return lw_fail(err, LW_EINVAL, field, "an NHS number is 10 digits (e.g. 943 476 5919)");
        }
    }
    out[n] = '\0';
    if (n != 10)
        return lw_fail(err, LW_EINVAL, field, "an NHS number has 10 digits, this has %d", n);
    int check = nhs_check_digit(out);
    if (check < 0 || check != out[9] - '0')
        return lw_fail(err, LW_EINVAL, field,
                       "'%s' is not a valid NHS number (its check digit is wrong); check it "
                       "against the person's record",
                       out);
    return LW_OK;
}

lw_status birth_date_check(const char *dob, const char *today, const char *field, lw_error *err) {
    lw_status st = date_check(dob, field, err);
    if (st != LW_OK)
        return st;
    if (strcmp(dob, today) > 0)
        return lw_fail(err, LW_EINVAL, field, "%s is in the future", dob);
    int ty =
        (today[0] - '0') * 1000 + (today[1] - '0') * 100 + (today[2] - '0') * 10 + (today[3] - '0');
    char oldest[32];
    snprintf(oldest, sizeof oldest, "%04d%.6s", (ty - 130) % 10000, today + 4);
    if (strcmp(dob, oldest) < 0)
        return lw_fail(err, LW_EINVAL, field, "%s is more than 130 years ago", dob);
    return LW_OK;
}

static int is_alpha(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
static int is_digit(char c) {
    return c >= '0' && c <= '9';
}

lw_status postcode_normalise(const char *s, const char *field, char out[9], lw_error *err) {
    char raw[8];
    int n = 0;
    for (const char *p = s; *p; p++) {
        if (*p == ' ')
            continue;
        if (!is_alpha(*p) && !is_digit(*p))
            goto bad;
        if (n == 7)
            goto bad;
        raw[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    }
    /* Outward code 2-4 characters starting with a letter; inward code digit letter letter. */
    if (n < 5 || !is_alpha(raw[0]) || !is_digit(raw[n - 3]) || !is_alpha(raw[n - 2]) ||
        !is_alpha(raw[n - 1]))
        goto bad;
    snprintf(out, 9, "%.*s %.3s", n - 3, raw, raw + n - 3);
    return LW_OK;
bad:
    return lw_fail(err, LW_EINVAL, field, "'%.20s' is not a UK postcode (e.g. LS1 4AP)", s);
}

/* Appends NAME normalised (trimmed, single spaces, ASCII lower case) at OUT+*LEN. */
static void append_name(const char *name, char *out, size_t size, size_t *len) {
    int space = 0;
    for (const char *p = name; *p && *len + 1 < size; p++) {
        if (*p == ' ' || *p == '\t') {
            space = 1;
            continue;
        }
        if (space && *len > 0 && out[*len - 1] != '|')
            out[(*len)++] = ' ';
        space = 0;
        if (*len + 1 < size)
            out[(*len)++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    }
    out[*len] = '\0';
}

void person_match_key(const char *given, const char *family, const char *dob, char *out,
                      size_t size) {
    size_t len = 0;
    if (size == 0)
        return;
    out[0] = '\0';
    append_name(given ? given : "", out, size, &len);
    if (len + 1 < size)
        out[len++] = '|';
    out[len] = '\0';
    append_name(family ? family : "", out, size, &len);
    if (len + 1 < size)
        out[len++] = '|';
    out[len] = '\0';
    snprintf(out + len, size - len, "%s", dob ? dob : "");
}

static int has(const char *s) {
    return s && *s;
}

lw_match person_match(const lw_person_key *in, const lw_person_key *c, int n) {
    lw_match best = {LW_MATCH_NONE, 0};
    /* By NHS number first: it identifies the person whatever the name says. */
    if (has(in->nhs_number))
        for (int i = 0; i < n; i++)
            if (has(c[i].nhs_number) && strcmp(c[i].nhs_number, in->nhs_number) == 0 &&
                (best.kind != LW_MATCH_NHS || c[i].id < best.person_id))
                best = (lw_match){LW_MATCH_NHS, c[i].id};
    if (best.kind == LW_MATCH_NHS)
        return best;
    /* Then by name + date of birth, unless two NHS numbers say they differ. */
    lw_match conflict = {LW_MATCH_NONE, 0};
    for (int i = 0; i < n; i++) {
        if (!has(in->match_key) || !has(c[i].match_key) ||
            strcmp(in->match_key, c[i].match_key) != 0)
            continue;
        if (has(in->nhs_number) && has(c[i].nhs_number)) {
            if (conflict.kind == LW_MATCH_NONE || c[i].id < conflict.person_id)
                conflict = (lw_match){LW_MATCH_CONFLICT, c[i].id};
        } else if (best.kind == LW_MATCH_NONE || c[i].id < best.person_id) {
            best = (lw_match){LW_MATCH_NAME_DOB, c[i].id};
        }
    }
    return best.kind != LW_MATCH_NONE ? best : conflict;
}
