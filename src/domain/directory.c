/*
 * The directory's model (HSDS 3.0, UK profile) as data, and its rules: need
 * domains, cost bands, staleness, and the text rules of an import.
 */
#include "domain/directory.h"

#include <ctype.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the model ---- */

#define END                                                                                        \
    { NULL, NULL, DF_TEXT, 0 }

static const dir_field language_fields[] = {
    {"name", NULL, DF_TEXT, 200}, {"code", NULL, DF_CODE, 20}, {"note", NULL, DF_TEXT, 0}, END};
static const dir_entity language_entity = {"languages",     "language", "languages", 0,
                                           language_fields, NULL,       NULL};
static const dir_entity *const phone_children[] = {&language_entity, NULL};
static const dir_field phone_fields[] = {{"number", NULL, DF_CODE, 60},
                                         {"extension", NULL, DF_INT, 0},
                                         {"type", NULL, DF_CODE, 40},
                                         {"description", NULL, DF_TEXT, 0},
                                         END};
static const dir_entity phone_entity = {"phones",     "phone",        "phones", 0,
                                        phone_fields, phone_children, NULL};
static const dir_entity *const contact_children[] = {&phone_entity, NULL};
static const dir_field contact_fields[] = {{"name", NULL, DF_TEXT, 200},
                                           {"title", NULL, DF_TEXT, 200},
                                           {"department", NULL, DF_TEXT, 200},
                                           {"email", NULL, DF_EMAIL, 254},
                                           END};
static const dir_entity contact_entity = {"contacts",     "contact",        "contacts", 0,
                                          contact_fields, contact_children, NULL};
static const dir_field schedule_fields[] = {{"valid_from", NULL, DF_DATE, 0},
                                            {"valid_to", NULL, DF_DATE, 0},
                                            {"dtstart", NULL, DF_DATE, 0},
                                            {"timezone", "tz", DF_INT, 0},
                                            {"until", "until_date", DF_DATE, 0},
                                            {"count", "occurrences", DF_INT, 0},
                                            {"wkst", NULL, DF_CODE, 2},
                                            {"freq", NULL, DF_CODE, 10},
                                            {"interval", "freq_interval", DF_INT, 0},
                                            {"byday", NULL, DF_CODE, 60},
                                            {"byweekno", NULL, DF_CODE, 200},
                                            {"bymonthday", NULL, DF_CODE, 200},
                                            {"byyearday", NULL, DF_CODE, 400},
                                            {"description", NULL, DF_TEXT, 0},
                                            {"opens_at", NULL, DF_TIME, 0},
                                            {"closes_at", NULL, DF_TIME, 0},
                                            {"schedule_link", NULL, DF_URL, 2000},
                                            {"attending_type", NULL, DF_TEXT, 0},
                                            {"notes", NULL, DF_TEXT, 0},
                                            END};
static const dir_entity schedule_entity = {"schedules",     "schedule", "schedules", 0,
                                           schedule_fields, NULL,       NULL};
static const dir_field accessibility_fields[] = {{"description", NULL, DF_TEXT, 0},
                                                 {"details", NULL, DF_TEXT, 0},
                                                 {"url", NULL, DF_URL, 2000},
                                                 END};
static const dir_entity accessibility_entity = {
    "accessibility", "accessibility", "accessibility", 0, accessibility_fields, NULL, NULL};
static const dir_field address_fields[] = {
    {"attention", NULL, DF_TEXT, 200},   {"address_1", NULL, DF_TEXT, 300},
    {"address_2", NULL, DF_TEXT, 300},   {"city", NULL, DF_TEXT, 200},
    {"region", NULL, DF_TEXT, 200},      {"state_province", NULL, DF_TEXT, 200},
    {"postal_code", NULL, DF_CODE, 20},  {"country", NULL, DF_CODE, 60},
    {"address_type", NULL, DF_CODE, 20}, END};
static const dir_entity address_entity = {"addresses",    "address", "addresses", 0,
                                          address_fields, NULL,      NULL};
static const dir_field cost_fields[] = {{"valid_from", NULL, DF_DATE, 0},
                                        {"valid_to", NULL, DF_DATE, 0},
                                        {"option", "option_text", DF_TEXT, 0},
                                        {"currency", NULL, DF_CODE, 3},
                                        {"amount", "amount_pence", DF_MONEY, 0},
                                        {"amount_description", NULL, DF_TEXT, 0},
                                        END};
static const dir_entity cost_entity = {
    "cost_options", "cost_option", "cost_options", 0, cost_fields, NULL, NULL};

static const dir_entity *const term_ref[] = {&dir_taxonomy_term_entity};
static const dir_inline attribute_inlines[] = {{"taxonomy_term", "taxonomy_term_id", term_ref},
                                               {NULL, NULL, NULL}};
static const dir_field attribute_fields[] = {{"taxonomy_term_id", NULL, DF_REF, 0},
                                             {"link_type", NULL, DF_CODE, 100},
                                             {"link_entity", NULL, DF_CODE, 100},
                                             {"value", NULL, DF_TEXT, 0},
                                             END};
static const dir_entity attribute_entity = {"attributes",     "attribute", "attributes",     0,
                                            attribute_fields, NULL,        attribute_inlines};
static const dir_field area_fields[] = {
    {"name", NULL, DF_TEXT, 0},        {"description", NULL, DF_TEXT, 0},
    {"extent", NULL, DF_CODE, 100000}, {"extent_type", NULL, DF_CODE, 40},
    {"uri", NULL, DF_URL, 2000},       END};
static const dir_entity area_entity = {
    "service_areas", "service_area", "service_areas", 0, area_fields, NULL, NULL};
static const dir_field document_fields[] = {
    {"document", NULL, DF_TEXT, 0}, {"uri", NULL, DF_URL, 2000}, END};
static const dir_entity document_entity = {"required_documents",
                                           "required_document",
                                           "required_documents",
                                           0,
                                           document_fields,
                                           NULL,
                                           NULL};
static const dir_field funding_fields[] = {{"source", NULL, DF_TEXT, 0}, END};
static const dir_entity funding_entity = {"funding",      "funding", "funding", 0,
                                          funding_fields, NULL,      NULL};

static const dir_entity *const location_ref[] = {&dir_location_entity};
static const dir_inline sal_inlines[] = {{"location", "location_id", location_ref},
                                         {NULL, NULL, NULL}};
static const dir_entity *const sal_children[] = {&phone_entity, &schedule_entity, &contact_entity,
                                                 NULL};
static const dir_field sal_fields[] = {
    {"location_id", NULL, DF_REF, 0}, {"description", NULL, DF_TEXT, 0}, END};
static const dir_entity sal_entity = {"service_at_locations",
                                      "service_at_location",
                                      "service_at_locations",
                                      0,
                                      sal_fields,
                                      sal_children,
                                      sal_inlines};

static const dir_entity *const org_ref[] = {&dir_organization_entity};
static const dir_inline service_inlines[] = {{"organization", "organization_id", org_ref},
                                             {NULL, NULL, NULL}};
static const dir_entity *const service_children[] = {
    &phone_entity, &schedule_entity,  &sal_entity,  &contact_entity,  &language_entity,
    &cost_entity,  &attribute_entity, &area_entity, &document_entity, &funding_entity,
    NULL};
static const dir_field service_fields[] = {{"organization_id", NULL, DF_REF, 0},
                                           {"name", NULL, DF_TEXT, LW_DIR_NAME_MAX},
                                           {"alternate_name", NULL, DF_TEXT, LW_DIR_NAME_MAX},
                                           {"description", NULL, DF_TEXT, LW_DIR_DESCRIPTION_MAX},
                                           {"url", NULL, DF_URL, 2000},
                                           {"email", NULL, DF_EMAIL, 254},
                                           {"status", NULL, DF_CODE, 20},
                                           {"interpretation_services", NULL, DF_TEXT, 0},
                                           {"application_process", NULL, DF_TEXT, 0},
                                           {"fees_description", NULL, DF_TEXT, 0},
                                           {"wait_time", NULL, DF_TEXT, 0},
                                           {"fees", NULL, DF_TEXT, 0},
                                           {"accreditations", NULL, DF_TEXT, 0},
                                           {"eligibility_description", NULL, DF_TEXT, 0},
                                           {"minimum_age", NULL, DF_INT, 0},
                                           {"maximum_age", NULL, DF_INT, 0},
                                           {"assured_date", NULL, DF_DATE, 0},
                                           {"assurer_email", NULL, DF_EMAIL, 254},
                                           {"licenses", NULL, DF_TEXT, 0},
                                           {"alert", NULL, DF_TEXT, 0},
                                           {"last_modified", NULL, DF_DATETIME, 0},
                                           END};
const dir_entity dir_service_entity = {"services",     "service",        "services",     1,
                                       service_fields, service_children, service_inlines};

static const dir_field org_fields[] = {{"name", NULL, DF_TEXT, LW_DIR_NAME_MAX},
                                       {"alternate_name", NULL, DF_TEXT, LW_DIR_NAME_MAX},
                                       {"description", NULL, DF_TEXT, LW_DIR_DESCRIPTION_MAX},
                                       {"email", NULL, DF_EMAIL, 254},
                                       {"website", "url", DF_URL, 2000},
                                       {"tax_status", NULL, DF_TEXT, 200},
                                       {"tax_id", NULL, DF_CODE, 100},
                                       {"year_incorporated", NULL, DF_INT, 0},
                                       {"legal_status", NULL, DF_TEXT, 200},
                                       {"logo", NULL, DF_URL, 2000},
                                       {"uri", NULL, DF_URL, 2000},
                                       {"parent_organization_id", NULL, DF_REF, 0},
                                       END};
const dir_entity dir_organization_entity = {
    "organizations", "organization", "directory_organizations", 1, org_fields, NULL, NULL};

static const dir_entity *const location_children[] = {&address_entity,
                                                      &accessibility_entity,
                                                      &language_entity,
                                                      &phone_entity,
                                                      &schedule_entity,
                                                      &contact_entity,
                                                      NULL};
static const dir_field location_fields[] = {{"location_type", NULL, DF_CODE, 20},
                                            {"url", NULL, DF_URL, 2000},
                                            {"organization_id", NULL, DF_REF, 0},
                                            {"name", NULL, DF_TEXT, LW_DIR_NAME_MAX},
                                            {"alternate_name", NULL, DF_TEXT, LW_DIR_NAME_MAX},
                                            {"description", NULL, DF_TEXT, 0},
                                            {"transportation", NULL, DF_TEXT, 0},
                                            {"latitude", "lat_e6", DF_COORD, 0},
                                            {"longitude", "lon_e6", DF_COORD, 0},
                                            {"external_identifier", NULL, DF_CODE, 200},
                                            {"external_identifier_type", NULL, DF_CODE, 200},
                                            END};
const dir_entity dir_location_entity = {"locations",     "location",        "locations", 1,
                                        location_fields, location_children, NULL};

static const dir_field taxonomy_fields[] = {{"name", NULL, DF_TEXT, LW_DIR_NAME_MAX},
                                            {"description", NULL, DF_TEXT, 0},
                                            {"uri", NULL, DF_URL, 2000},
                                            {"version", NULL, DF_CODE, 100},
                                            END};
const dir_entity dir_taxonomy_entity = {"taxonomies",    "taxonomy", "taxonomies", 1,
                                        taxonomy_fields, NULL,       NULL};

static const dir_entity *const taxonomy_ref[] = {&dir_taxonomy_entity};
static const dir_inline term_inlines[] = {{"taxonomy_detail", "taxonomy_id", taxonomy_ref},
                                          {NULL, NULL, NULL}};
static const dir_field term_fields[] = {{"code", NULL, DF_CODE, 200},
                                        {"name", NULL, DF_TEXT, LW_DIR_NAME_MAX},
                                        {"description", NULL, DF_TEXT, 0},
                                        {"parent_id", NULL, DF_REF, 0},
                                        {"taxonomy", NULL, DF_TEXT, 300},
                                        {"language", NULL, DF_CODE, 20},
                                        {"taxonomy_id", NULL, DF_REF, 0},
                                        {"term_uri", NULL, DF_URL, 2000},
                                        END};
const dir_entity dir_taxonomy_term_entity = {
    "taxonomy_terms", "taxonomy_term", "taxonomy_terms", 1, term_fields, NULL, term_inlines};

const dir_entity *const dir_nested_entities[] = {&sal_entity,
                                                 &schedule_entity,
                                                 &contact_entity,
                                                 &phone_entity,
                                                 &language_entity,
                                                 &accessibility_entity,
                                                 &address_entity,
                                                 &cost_entity,
                                                 &attribute_entity,
                                                 &area_entity,
                                                 &document_entity,
                                                 &funding_entity,
                                                 NULL};

/* ---- vocabularies ---- */

static const char *const domains[LW_DOMAIN_COUNT] = {
    "isolation", "mood",     "physical_activity", "weight_nutrition",
    "debt",      "benefits", "housing",           "employment",
    "learning",  "arts",     "volunteering",      "carers",
    "parenting", "legal",    "bereavement"};

const char *dir_domain_name(int i) {
    return i >= 0 && i < LW_DOMAIN_COUNT ? domains[i] : NULL;
}

int dir_domain_parse(const char *s) {
    for (int i = 0; s && i < LW_DOMAIN_COUNT; i++)
        if (strcmp(s, domains[i]) == 0)
            return i;
    return -1;
}

lw_status dir_domains_parse(const char *list, const char *field, uint32_t *mask, lw_error *err) {
    *mask = 0;
    const char *p = list;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char buf[40];
        if (n == 0 || n >= sizeof buf)
            return lw_fail(err, LW_EINVAL, field, "'%.*s' is not a need domain",
                           (int)(n > 40 ? 40 : n), p);
        memcpy(buf, p, n);
        buf[n] = '\0';
        int d = dir_domain_parse(buf);
        if (d < 0)
            return lw_fail(err, LW_EINVAL, field,
                           "'%s' is not a need domain (one of isolation, "
                           "mood, physical_activity, weight_nutrition, "
                           "debt, benefits, housing, employment, learning, "
                           "arts, volunteering, carers, parenting, legal, "
                           "bereavement)",
                           buf);
        *mask |= 1u << d;
        p = e ? e + 1 : NULL;
    }
    return LW_OK;
}

const dir_domain_rule dir_domain_defaults[] = {{"lonel", "isolation"},
                                               {"isolat", "isolation"},
                                               {"befriend", "isolation"},
                                               {"social group", "isolation"},
                                               {"lunch club", "isolation"},
                                               {"coffee morning", "isolation"},
                                               {"mental health", "mood"},
                                               {"wellbeing", "mood"},
                                               {"anxiety", "mood"},
                                               {"depression", "mood"},
                                               {"counselling", "mood"},
                                               {"peer support", "mood"},
                                               {"mindfulness", "mood"},
                                               {"mutual aid", "mood"},
                                               {"physical activit", "physical_activity"},
                                               {"exercise", "physical_activity"},
                                               {"sport", "physical_activity"},
                                               {"walk", "physical_activity"},
                                               {"fitness", "physical_activity"},
                                               {"dance", "physical_activity"},
                                               {"swim", "physical_activity"},
                                               {"green gym", "physical_activity"},
                                               {"yoga", "physical_activity"},
                                               {"weight", "weight_nutrition"},
                                               {"nutrition", "weight_nutrition"},
                                               {"healthy eating", "weight_nutrition"},
                                               {"cooking", "weight_nutrition"},
                                               {"debt", "debt"},
                                               {"money", "debt"},
                                               {"budget", "debt"},
                                               {"benefit", "benefits"},
                                               {"welfare", "benefits"},
                                               {"universal credit", "benefits"},
                                               {"housing", "housing"},
                                               {"homeless", "housing"},
                                               {"tenancy", "housing"},
                                               {"employment", "employment"},
                                               {"job", "employment"},
                                               {"careers", "employment"},
                                               {"learning", "learning"},
                                               {"skills", "learning"},
                                               {"education", "learning"},
                                               {"course", "learning"},
                                               {"digital", "learning"},
                                               {"art", "arts"},
                                               {"craft", "arts"},
                                               {"music", "arts"},
                                               {"choir", "arts"},
                                               {"singing", "arts"},
                                               {"creative", "arts"},
                                               {"garden", "arts"},
                                               {"volunteer", "volunteering"},
                                               {"carer", "carers"},
                                               {"caring", "carers"},
                                               {"parent", "parenting"},
                                               {"famil", "parenting"},
                                               {"legal", "legal"},
                                               {"law", "legal"},
                                               {"immigration", "legal"},
                                               {"bereave", "bereavement"},
                                               {"grief", "bereavement"},
                                               {NULL, NULL}};

/* Whether PATTERN starts a word of LOWER (already lower case). */
static int has_word_prefix(const char *lower, const char *pattern) {
    size_t n = strlen(pattern);
    for (const char *p = strstr(lower, pattern); p; p = strstr(p + 1, pattern))
        if (p == lower || !isalnum((unsigned char)p[-1]))
            return n > 0;
    return 0;
}

uint32_t dir_domains_for_text(const char *text, const dir_domain_rule *rules, int n) {
    if (!text)
        return 0;
    size_t len = strlen(text);
    char *lower = malloc(len + 1);
    if (!lower)
        return 0;
    for (size_t i = 0; i <= len; i++)
        lower[i] = (char)tolower((unsigned char)text[i]);
    uint32_t mask = 0;
    for (const dir_domain_rule *r = dir_domain_defaults; r->pattern; r++) {
        int overridden = 0;
        for (int i = 0; i < n && !overridden; i++)
            overridden = strcmp(rules[i].pattern, r->pattern) == 0;
        int d = dir_domain_parse(r->domain);
        if (!overridden && d >= 0 && has_word_prefix(lower, r->pattern))
            mask |= 1u << d;
    }
    for (int i = 0; i < n; i++) {
        int d = dir_domain_parse(rules[i].domain);
        if (d >= 0 && has_word_prefix(lower, rules[i].pattern))
            mask |= 1u << d;
    }
    free(lower);
    return mask;
}

static int one_of(const char *s, const char *const *list) {
    for (; s && *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

int dir_status_valid(const char *s) {
    static const char *const v[] = {"active", "inactive", "defunct", "temporarily closed", NULL};
    return one_of(s, v);
}

int dir_capacity_status_valid(const char *s) {
    static const char *const v[] = {"capacity", "no_capacity", "waitlist", NULL};
    return one_of(s, v);
}

int dir_cost_band_valid(const char *s) {
    static const char *const v[] = {"free", "low", "paid", NULL};
    return one_of(s, v);
}

int dir_setting_valid(const char *s) {
    static const char *const v[] = {"group", "one_to_one", "either", NULL};
    return one_of(s, v);
}

const char *dir_cost_band(int64_t cheapest_pence, const char *fees_text) {
    if (cheapest_pence == 0)
        return "free";
    if (cheapest_pence > 0)
        return cheapest_pence <= 500 ? "low" : "paid";
    if (fees_text) {
        char buf[200];
        size_t n = strlen(fees_text);
        if (n >= sizeof buf)
            n = sizeof buf - 1;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)tolower((unsigned char)fees_text[i]);
        buf[n] = '\0';
        if (has_word_prefix(buf, "free") || has_word_prefix(buf, "no charge") ||
            has_word_prefix(buf, "no cost"))
            return "free";
        if (strchr(buf, '\xa3') || strstr(buf, "\xc2\xa3") || has_word_prefix(buf, "charge") ||
            has_word_prefix(buf, "fee"))
            return "paid";
    }
    return NULL;
}

int dir_is_stale(int64_t last_checked, int64_t now) {
    return last_checked <= 0 || now - last_checked > LW_DIR_STALE_MS;
}

/* ---- text ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap, max;
    int cut;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
    if (b->n + n > b->max) {
        b->cut = 1;
        return;
    }
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *g = realloc(b->p, cap);
        if (!g)
            abort();
        b->p = g;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_space(sbuf *b) {
    if (b->n > 0 && b->p[b->n - 1] != ' ')
        sb_put(b, " ", 1);
}

static void put_codepoint(sbuf *b, unsigned long cp) {
    char u[4];
    size_t n;
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = 0xFFFD;
    if (cp < 0x20 || cp == 0x7F) {
        sb_space(b);
        return;
    }
    if (cp == 0xA0) {
        sb_space(b);
        return;
    }
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sb_put(b, u, n);
}

/* Decodes one UTF-8 sequence at S (LEN bytes left); its length in *N. */
static unsigned long utf8_next(const unsigned char *s, size_t len, size_t *n) {
    unsigned long cp;
    size_t need;
    if (s[0] < 0x80) {
        *n = 1;
        return s[0];
    } else if ((s[0] & 0xE0) == 0xC0) {
        cp = s[0] & 0x1F;
        need = 2;
    } else if ((s[0] & 0xF0) == 0xE0) {
        cp = s[0] & 0x0F;
        need = 3;
    } else if ((s[0] & 0xF8) == 0xF0) {
        cp = s[0] & 0x07;
        need = 4;
    } else {
        *n = 1;
        return 0xFFFD;
    }
    if (need > len) {
        *n = 1;
        return 0xFFFD;
    }
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *n = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *n = need;
    static const unsigned long min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[need])
        return 0xFFFD;
    return cp;
}

static const struct {
    const char *name;
    unsigned long cp;
} entities[] = {{"amp", '&'},       {"lt", '<'},       {"gt", '>'},       {"quot", '"'},
                {"apos", '\''},     {"nbsp", 0xA0},    {"pound", 0xA3},   {"euro", 0x20AC},
                {"copy", 0xA9},     {"reg", 0xAE},     {"ndash", 0x2013}, {"mdash", 0x2014},
                {"lsquo", 0x2018},  {"rsquo", 0x2019}, {"ldquo", 0x201C}, {"rdquo", 0x201D},
                {"hellip", 0x2026}, {"bull", 0x2022},  {NULL, 0}};

/* A character reference at S ("&amp;"); its length in *N, 0 when not one. */
static unsigned long entity(const char *s, size_t len, size_t *n) {
    *n = 0;
    const char *semi = memchr(s, ';', len < 12 ? len : 12);
    if (!semi || semi == s + 1)
        return 0;
    size_t k = (size_t)(semi - s - 1);
    if (s[1] == '#') {
        char num[12];
        if (k < 2 || k > 10)
            return 0;
        memcpy(num, s + 2, k - 1);
        num[k - 1] = '\0';
        char *end;
        unsigned long v =
            (num[0] == 'x' || num[0] == 'X') ? strtoul(num + 1, &end, 16) : strtoul(num, &end, 10);
        if (*end || end == num)
            return 0;
        *n = k + 2;
        return v;
    }
    for (int i = 0; entities[i].name; i++)
        if (strlen(entities[i].name) == k && strncmp(s + 1, entities[i].name, k) == 0) {
            *n = k + 2;
            return entities[i].cp;
        }
    return 0;
}

char *dir_text_clean(const char *in, size_t len, size_t max, int *cut) {
    sbuf b = {.max = max};
    sb_put(&b, "", 0);
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0;
    while (i < len && !b.cut) {
        if (s[i] == '<') {
            /* A tag: <name ...> or </name> or <!-- -->. Anything else is a '<'. */
            const char *end = memchr(in + i, '>', len - i);
            int is_tag =
                end && i + 1 < len && (isalpha(s[i + 1]) || s[i + 1] == '/' || s[i + 1] == '!');
            if (!is_tag) {
                sb_put(&b, "<", 1);
                i++;
                continue;
            }
            if (strncmp(in + i, "<!--", 4) == 0) {
                const char *ce = NULL;
                for (size_t j = i + 4; j + 2 < len && !ce; j++)
                    if (memcmp(in + j, "-->", 3) == 0)
                        ce = in + j + 2;
                end = ce ? ce : in + len - 1;
            }
            char tag[16] = {0};
            size_t t = 0, j = i + 1 + (s[i + 1] == '/');
            while (j < len && isalpha(s[j]) && t < sizeof tag - 1)
                tag[t++] = (char)tolower(s[j++]);
            size_t next = (size_t)(end - in) + 1;
            if (s[i + 1] != '/' && (strcmp(tag, "script") == 0 || strcmp(tag, "style") == 0)) {
                /* Drop the content up to the closing tag. */
                char close[20];
                snprintf(close, sizeof close, "</%s", tag);
                size_t k = next;
                while (k + strlen(close) <= len && strncasecmp(in + k, close, strlen(close)) != 0)
                    k++;
                const char *ce = k < len ? memchr(in + k, '>', len - k) : NULL;
                next = ce ? (size_t)(ce - in) + 1 : len;
            }
            static const char *const inline_tags[] = {"a",    "b",    "i",     "em",  "strong",
                                                      "span", "u",    "small", "sup", "sub",
                                                      "font", "abbr", NULL};
            if (!one_of(tag, inline_tags))
                sb_space(&b);
            i = next;
        } else if (s[i] == '&') {
            size_t n;
            unsigned long cp = entity(in + i, len - i, &n);
            if (n) {
                put_codepoint(&b, cp);
                i += n;
            } else {
                sb_put(&b, "&", 1);
                i++;
            }
        } else if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
            sb_space(&b);
            i++;
        } else {
            size_t n;
            unsigned long cp = utf8_next(s + i, len - i, &n);
            put_codepoint(&b, cp);
            i += n;
        }
    }
    /* Trim; when cut, step back to a character boundary (sb_put never splits one). */
    size_t start = 0;
    while (start < b.n && b.p[start] == ' ')
        start++;
    while (b.n > start && b.p[b.n - 1] == ' ')
        b.n--;
    memmove(b.p, b.p + start, b.n - start);
    b.n -= start;
    b.p[b.n] = '\0';
    if (cut)
        *cut = b.cut;
    return b.p;
}

int dir_text_is_clean(const char *s, size_t len, size_t max) {
    if (len == 0 || len > max || s[0] == ' ' || s[len - 1] == ' ')
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned char ch = p[i];
        if (ch < 0x80) {
            if (ch < 0x20 || ch == 0x7F || ch == '<' || ch == '&' || (ch == ' ' && p[i + 1] == ' '))
                return 0;
            i++;
            continue;
        }
        size_t n;
        unsigned long cp = utf8_next(p + i, len - i, &n);
        if (cp == 0xFFFD || cp == 0xA0 || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0; /* replaced, or spacing that is collapsed */
        i += n;
    }
    return 1;
}

/* ---- postcodes ---- */

int dir_postcode_normalise(const char *s, char out[9]) {
    char c[9];
    size_t n = 0;
    for (; s && *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '-')
            continue;
        if (!isalnum((unsigned char)*s) || n == 7)
            return -1;
        c[n++] = (char)toupper((unsigned char)*s);
    }
    c[n] = '\0';
    if (n < 2)
        return -1;
    /* An outcode: A9, A99, AA9, AA99, A9A, AA9A. */
    int outcode_shape = isalpha((unsigned char)c[0]) != 0;
    if (n >= 5) {
        /* Full: the incode is the last three, digit letter letter. */
        const char *in = c + n - 3;
        if (!isdigit((unsigned char)in[0]) || !isalpha((unsigned char)in[1]) ||
            !isalpha((unsigned char)in[2]))
            return -1;
        size_t on = n - 3;
        if (on < 2 || on > 4 || !outcode_shape)
            return -1;
        char oc[5];
        memcpy(oc, c, on);
        oc[on] = '\0';
        char tmp[9];
        if (dir_postcode_normalise(oc, tmp) != 0)
            return -1;
        char buf[24];
        snprintf(buf, sizeof buf, "%s %s", oc, in);
        memcpy(out, buf, 9);
        return 0;
    }
    if (!outcode_shape)
        return -1;
    size_t i = 1;
    if (isalpha((unsigned char)c[i]))
        i++;
    if (i >= n || !isdigit((unsigned char)c[i]))
        return -1;
    i++;
    if (i < n && (isdigit((unsigned char)c[i]) || isalpha((unsigned char)c[i])))
        i++;
    if (i != n)
        return -1;
    memcpy(out, c, n + 1);
    return 0;
}

void dir_postcode_outcode(const char *norm, char out[5]) {
    size_t n = 0;
    while (norm[n] && norm[n] != ' ' && n < 4)
        n++;
    memcpy(out, norm, n);
    out[n] = '\0';
}

/* ---- dates, times, days ---- */

static int days_in_month(int y, int m) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

static int ymd(int y, int m, int d, char out[11]) {
    if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    char buf[40];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    memcpy(out, buf, 11);
    return 0;
}

int dir_date_parse(const char *s, char out[11]) {
    int a, b, c, n = 0;
    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    if (sscanf(s, "%4d-%2d-%2d%n", &a, &b, &c, &n) == 3 && n == 10 &&
        (s[10] == '\0' || s[10] == 'T' || s[10] == ' '))
        return ymd(a, b, c, out);
    if (sscanf(s, "%4d/%2d/%2d%n", &a, &b, &c, &n) == 3 && n == 10 && s[10] == '\0')
        return ymd(a, b, c, out);
    if ((sscanf(s, "%2d/%2d/%4d%n", &a, &b, &c, &n) == 3 ||
         sscanf(s, "%2d-%2d-%4d%n", &a, &b, &c, &n) == 3 ||
         sscanf(s, "%2d.%2d.%4d%n", &a, &b, &c, &n) == 3) &&
        s[n] == '\0')
        return ymd(c, b, a, out); /* UK order: day first */
    static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
    char mon[16];
    if (sscanf(s, "%2d %15s %4d%n", &a, mon, &c, &n) == 3 && s[n] == '\0') {
        for (int i = 0; i < 12; i++)
            if (strncasecmp(mon, months[i], 3) == 0)
                return ymd(c, i + 1, a, out);
    }
    return -1;
}

int dir_time_parse(const char *s, char out[9]) {
    int h = 0, m = 0, sec = 0, n = 0;
    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    if (sscanf(s, "%2d:%2d:%2d%n", &h, &m, &sec, &n) == 3) {
    } else if (sscanf(s, "%2d:%2d%n", &h, &m, &n) == 2 || sscanf(s, "%2d.%2d%n", &h, &m, &n) == 2) {
    } else if (sscanf(s, "%2d%n", &h, &n) == 1) {
    } else {
        return -1;
    }
    const char *rest = s + n;
    if (*rest == '.' && isdigit((unsigned char)rest[1])) /* fractions of a second */
        for (rest++; isdigit((unsigned char)*rest); rest++)
            ;
    while (*rest == ' ')
        rest++;
    if (strncasecmp(rest, "pm", 2) == 0 || strncasecmp(rest, "am", 2) == 0) {
        if (h < 1 || h > 12)
            return -1;
        int pm = tolower((unsigned char)rest[0]) == 'p';
        h = h % 12 + (pm ? 12 : 0);
        rest += 2;
    } else if (*rest == 'Z') {
        rest++;
    } else if ((*rest == '+' || *rest == '-') && isdigit((unsigned char)rest[1])) {
        rest += strlen(rest); /* an offset: the local time is kept as given */
    }
    if (*rest || h < 0 || h > 24 || m < 0 || m > 59 || sec < 0 || sec > 59 ||
        (h == 24 && (m || sec)))
        return -1;
    char buf[40];
    snprintf(buf, sizeof buf, "%02d:%02d:%02d", h, m, sec);
    memcpy(out, buf, 9);
    return 0;
}

int dir_time_minutes(const char *s) {
    int h, m, sec;
    if (!s || sscanf(s, "%2d:%2d:%2d", &h, &m, &sec) != 3)
        return -1;
    return h * 60 + m;
}

int dir_day_parse(const char *s) {
    static const char *const codes[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
    static const char *const names[] = {"monday", "tuesday",  "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};
    if (!s)
        return -1;
    size_t n = strlen(s);
    for (int i = 0; i < 7; i++) {
        if (n == 2 && strcasecmp(s, codes[i]) == 0)
            return i;
        if (n >= 3 && strncasecmp(s, names[i], n) == 0)
            return i;
    }
    return -1;
}

unsigned dir_byday_mask(const char *s) {
    unsigned mask = 0;
    while (s && *s) {
        while (*s == ',' || *s == ' ')
            s++;
        char tok[16];
        size_t n = 0;
        /* Skip an ordinal prefix ("1MO", "-1FR"). */
        while (*s == '-' || *s == '+' || isdigit((unsigned char)*s))
            s++;
        while (*s && *s != ',' && *s != ' ' && n < sizeof tok - 1)
            tok[n++] = *s++;
        tok[n] = '\0';
        while (*s && *s != ',' && *s != ' ')
            s++;
        int d = dir_day_parse(tok);
        if (d >= 0)
            mask |= 1u << d;
    }
    return mask;
}

/* ---- ids, URLs, emails ---- */

int dir_is_uuid(const char *s) {
    if (!s || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

void dir_uuid_for(const char *kind, const char *id, char out[37]) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)"linkwell:", 9);
    crypto_hash_sha256_update(&st, (const unsigned char *)kind, strlen(kind));
    crypto_hash_sha256_update(&st, (const unsigned char *)":", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_hash_sha256_final(&st, h);
    h[6] = (unsigned char)((h[6] & 0x0F) | 0x80); /* version 8: custom */
    h[8] = (unsigned char)((h[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[h[i] >> 4];
        out[o++] = hex[h[i] & 15];
    }
    out[o] = '\0';
}

int dir_url_valid(const char *s) {
    if (!s)
        return 0;
    const char *rest;
    if (strncasecmp(s, "http://", 7) == 0)
        rest = s + 7;
    else if (strncasecmp(s, "https://", 8) == 0)
        rest = s + 8;
    else
        return 0;
    if (!*rest || *rest == '/' || *rest == '.')
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\' ||
            *p == '^' || *p == '`' || *p == '{' || *p == '|' || *p == '}' ||
            (unsigned char)*p >= 0x7F)
            return 0;
    return 1;
}

int dir_email_valid(const char *s) {
    if (!s)
        return 0;
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@'))
        return 0;
    const char *dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || !dot[1])
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7F || *p == ',' || *p == ';' ||
            *p == '<' || *p == '>' || *p == '"' || *p == '(' || *p == ')' || *p == '[' ||
            *p == ']' || *p == '\\')
            return 0;
    if (strstr(s, ".."))
        return 0;
    return 1;
}

double dir_distance_m(int64_t lat1_e6, int64_t lon1_e6, int64_t lat2_e6, int64_t lon2_e6) {
    const double r = 6371008.8, k = M_PI / 180e6;
    double p1 = (double)lat1_e6 * k, p2 = (double)lat2_e6 * k;
    double dp = p2 - p1, dl = (double)(lon2_e6 - lon1_e6) * k;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2 * r * asin(sqrt(a < 1 ? a : 1));
}
