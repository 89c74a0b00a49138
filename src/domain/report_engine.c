/* The report engine's facts: arrays indexed by id, put idempotently. */
#include <stdlib.h>
#include <string.h>

#include "domain/report_engine_internal.h"

/* ---- memory ---- */

static void *grow(void *p, size_t *cap, size_t elem, size_t need) {
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    char *q = realloc(p, n * elem);
    if (!q)
        lw_oom();
    memset(q + *cap * elem, 0, (n - *cap) * elem);
    *cap = n;
    return q;
}

#define AT(arr, cap, id) ((arr) = grow((arr), &(cap), sizeof *(arr), (size_t)(id) + 1), &(arr)[id])

rp_data *rp_new(void) {
    rp_data *d = calloc(1, sizeof *d);
    if (!d)
        lw_oom();
    return d;
}

void rp_free(rp_data *d) {
    if (!d)
        return;
    for (size_t i = 0; i < d->nsvc; i++)
        free(d->svc[i].id);
    for (int i = 0; i < d->npathways; i++)
        free(d->pathways[i]);
    free(d->ref);
    free(d->cs);
    free(d->rx);
    free(d->svc);
    free(d->svc_hash);
    free(d->pair_of);
    free(d->pairs);
    free(d->dec);
    free(d->gp);
    free(d);
}

void rp_counts(const rp_data *d, int64_t *referrals, int64_t *cases, int64_t *rx, int64_t *pairs) {
    int64_t r = 0, c = 0, x = 0;
    for (size_t i = 0; i < d->nref; i++)
        r += d->ref[i].present;
    for (size_t i = 0; i < d->ncs; i++)
        c += d->cs[i].present;
    for (size_t i = 0; i < d->nrx; i++)
        x += d->rx[i].present;
    *referrals = r;
    *cases = c;
    *rx = x;
    *pairs = (int64_t)d->npairs;
}

size_t rp_bytes(const rp_data *d) {
    size_t n = sizeof *d + d->nref * sizeof *d->ref + d->ncs * sizeof *d->cs +
               d->nrx * sizeof *d->rx + d->capsvc * sizeof *d->svc +
               d->hash_cap * sizeof *d->svc_hash + d->npair_of * sizeof *d->pair_of +
               d->cappairs * sizeof *d->pairs + d->ndec * sizeof *d->dec + d->ngp * sizeof *d->gp;
    for (size_t i = 0; i < d->nsvc; i++)
        n += strlen(d->svc[i].id) + 1;
    return n;
}

/* ---- vocabularies ---- */

static const char *const sources[RP_SOURCES] = {"referrer", "clinician", "self"};

const char *rp_source_name(int i) {
    return i >= 0 && i < RP_SOURCES ? sources[i] : NULL;
}

int rp_source_parse(const char *s) {
    for (int i = 0; s && i < RP_SOURCES; i++)
        if (strcmp(s, sources[i]) == 0)
            return i;
    return -1;
}

int rp_pathway_lookup(const rp_data *d, const char *name) {
    for (int i = 0; name && i < d->npathways; i++)
        if (strcmp(d->pathways[i], name) == 0)
            return i;
    return -1;
}

static int pathway_intern(rp_data *d, const char *name) {
    int i = rp_pathway_lookup(d, name);
    if (i >= 0 || !name)
        return i;
    if (d->npathways == PATHWAYS_MAX)
        return -1;
    d->pathways[d->npathways] = strdup(name);
    if (!d->pathways[d->npathways])
        lw_oom();
    return d->npathways++;
}

static uint16_t domains_mask(const char *csv, int *first) {
    uint16_t m = 0;
    if (first)
        *first = -1;
    while (csv && *csv) {
        const char *e = strchr(csv, ',');
        size_t n = e ? (size_t)(e - csv) : strlen(csv);
        char buf[40];
        if (n < sizeof buf) {
            memcpy(buf, csv, n);
            buf[n] = '\0';
            int k = need_parse(buf);
            if (k >= 0) {
                m |= (uint16_t)(1u << k);
                if (first && *first < 0)
                    *first = k;
            }
        }
        csv = e ? e + 1 : csv + n;
    }
    return m;
}

/* ---- putting facts ---- */

static int32_t i32(int64_t v) {
    return v > INT32_MAX || v < 0 ? 0 : (int32_t)v;
}

void rp_put_referral(rp_data *d, const rp_referral_in *r) {
    if (r->id <= 0 || r->id > INT32_MAX)
        return;
    ref_t *x = AT(d->ref, d->nref, r->id);
    int32_t case_id = x->case_id;
    int s = rp_source_parse(r->source);
    int st = referral_state_parse(r->status);
    *x = (ref_t){.created_at = r->created_at,
                 .from_org = i32(r->from_org),
                 .to_org = i32(r->to_org),
                 .case_id = case_id,
                 .month = rp_month(r->created_at),
                 .reasons = domains_mask(r->reasons, NULL),
                 .source = (uint8_t)(s < 0 ? 255 : s),
                 .status = (uint8_t)(st < 0 ? 255 : st),
                 .present = 1};
    if (r->from_org > d->max_org)
        d->max_org = r->from_org;
    if (r->to_org > d->max_org)
        d->max_org = r->to_org;
}

void rp_put_case(rp_data *d, const rp_case_in *c) {
    if (c->id <= 0 || c->id > INT32_MAX)
        return;
    case_t *x = AT(d->cs, d->ncs, c->id);
    x->opened_at = c->opened_at;
    x->first_contact_at = c->first_contact_at;
    x->referral_id = i32(c->referral_id);
    x->org = i32(c->org);
    x->assignee = i32(c->assignee);
    x->open = (uint8_t)(c->open != 0);
    x->present = 1;
    if (c->org > d->max_org)
        d->max_org = c->org;
    if (c->referral_id > 0 && c->referral_id <= INT32_MAX)
        AT(d->ref, d->nref, c->referral_id)->case_id = (int32_t)c->id;
}

void rp_case_needs_clear(rp_data *d, int64_t case_id) {
    if (case_id > 0 && case_id <= INT32_MAX)
        AT(d->cs, d->ncs, case_id)->needs = 0;
}

void rp_case_need_add(rp_data *d, int64_t case_id, const char *domain) {
    int k = need_parse(domain);
    if (k >= 0 && case_id > 0 && case_id <= INT32_MAX)
        AT(d->cs, d->ncs, case_id)->needs |= (uint16_t)(1u << k);
}

void rp_case_nolocal_clear(rp_data *d, int64_t case_id) {
    if (case_id > 0 && case_id <= INT32_MAX)
        AT(d->cs, d->ncs, case_id)->nolocal = 0;
}

void rp_case_nolocal_add(rp_data *d, int64_t case_id, const char *domain) {
    int k = need_parse(domain);
    if (k >= 0 && case_id > 0 && case_id <= INT32_MAX)
        AT(d->cs, d->ncs, case_id)->nolocal |= (uint16_t)(1u << k);
}

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void hash_insert(rp_data *d, int32_t ix) {
    size_t m = d->hash_cap - 1, k = (size_t)hash_str(d->svc[ix].id) & m;
    while (d->svc_hash[k] != NO_IX)
        k = (k + 1) & m;
    d->svc_hash[k] = ix;
}

static int32_t svc_find(const rp_data *d, const char *id) {
    if (!d->hash_cap || !id)
        return NO_IX;
    size_t m = d->hash_cap - 1, k = (size_t)hash_str(id) & m;
    while (d->svc_hash[k] != NO_IX) {
        if (strcmp(d->svc[d->svc_hash[k]].id, id) == 0)
            return d->svc_hash[k];
        k = (k + 1) & m;
    }
    return NO_IX;
}

/* The index of service ID, added (with no facts yet) when unknown. */
static int32_t svc_intern(rp_data *d, const char *id) {
    int32_t ix = svc_find(d, id);
    if (ix != NO_IX)
        return ix;
    d->svc = grow(d->svc, &d->capsvc, sizeof *d->svc, d->nsvc + 1);
    ix = (int32_t)d->nsvc++;
    d->svc[ix].id = strdup(id);
    if (!d->svc[ix].id)
        lw_oom();
    d->svc[ix].category = CATEGORY_OTHER;
    d->svc[ix].capacity = -1;
    if (d->nsvc * 2 > d->hash_cap) {
        free(d->svc_hash);
        d->hash_cap = d->hash_cap ? d->hash_cap * 2 : 1024;
        d->svc_hash = malloc(d->hash_cap * sizeof *d->svc_hash);
        if (!d->svc_hash)
            lw_oom();
        for (size_t i = 0; i < d->hash_cap; i++)
            d->svc_hash[i] = NO_IX;
        for (size_t i = 0; i < d->nsvc; i++)
            hash_insert(d, (int32_t)i);
    } else {
        hash_insert(d, ix);
    }
    return ix;
}

void rp_put_service(rp_data *d, const rp_service_in *s) {
    if (!s->id)
        return;
    int32_t ix = svc_intern(d, s->id); /* may move d->svc */
    svc_t *x = &d->svc[ix];
    int first;
    x->domains = domains_mask(s->need_domains, &first);
    x->category = (uint8_t)(first < 0 ? CATEGORY_OTHER : first);
    x->capacity = s->capacity;
    x->full = (uint8_t)(s->capacity_status && strcmp(s->capacity_status, "capacity") != 0);
    x->active = (uint8_t)(!s->status || strcmp(s->status, "active") == 0);
}

void rp_put_rx(rp_data *d, const rp_rx_in *in) {
    if (in->id <= 0 || in->id > INT32_MAX)
        return;
    int st = rx_state_parse(in->status);
    int kind = rx_kind_parse(in->kind);
    int32_t svc = in->service_id ? svc_intern(d, in->service_id) : NO_IX;
    rx_t *x = AT(d->rx, d->nrx, in->id);
    *x = (rx_t){.created_at = in->created_at,
                .case_id = i32(in->case_id),
                .sender_org = i32(in->sender_org),
                .service = svc,
                .kind = (uint8_t)(kind < 0 ? LW_RX_REFERRAL : kind),
                .status = (uint8_t)(st < 0 ? LW_RX_PROPOSED : st),
                .took =
                    (uint8_t)(in->started_at > 0 || st == LW_RX_STARTED || st == LW_RX_COMPLETED),
                .no_capacity = (uint8_t)(st == LW_RX_DECLINED && in->status_reason &&
                                         strcmp(in->status_reason, "no_capacity") == 0),
                .present = 1};
    if (in->sender_org > d->max_org)
        d->max_org = in->sender_org;
}

static int32_t date_int(const char *s) {
    if (!s || strlen(s) < 10)
        return 0;
    return (int32_t)(atoi(s) * 10000 + atoi(s + 5) * 100 + atoi(s + 8));
}

/* The stored JSON array of small integers, into OUT; the count. */
static size_t parse_items(const char *s, uint8_t *out) {
    size_t n = 0;
    while (s && *s && n < LW_MEASURE_ITEMS_MAX) {
        if (*s >= '0' && *s <= '9') {
            int v = 0;
            while (*s >= '0' && *s <= '9')
                v = v * 10 + (*s++ - '0');
            out[n++] = (uint8_t)(v > 255 ? 255 : v);
        } else {
            s++;
        }
    }
    return n;
}

static int score_items(lw_instrument in, const uint8_t *items, size_t n, lw_scores *s) {
    int64_t v[LW_MEASURE_ITEMS_MAX];
    for (size_t i = 0; i < n; i++)
        v[i] = items[i];
    lw_error err;
    return measure_score(in, v, n, NULL, s, &err) == LW_OK;
}

static void pair_compute(pair_t *p) {
    p->two = 0;
    if (p->first_id == p->last_id)
        return;
    lw_scores a, b;
    lw_measure_change mc;
    lw_error err;
    if (!score_items((lw_instrument)p->instr, p->first_items, p->nitems, &a) ||
        !score_items((lw_instrument)p->instr, p->last_items, p->nitems, &b) ||
        measure_change(&a, &b, &mc, &err) != LW_OK)
        return;
    p->two = 1;
    p->improved = (uint8_t)(mc.improved != 0);
    p->flo_b = (uint8_t)(mc.flourishing_before != 0);
    p->flo_a = (uint8_t)(mc.flourishing_after != 0);
    memset(p->delta, 0, sizeof p->delta);
    memset(p->verdict, 0, sizeof p->verdict);
    const char *slot[4] = {NULL, NULL, NULL, NULL};
    if (p->instr == LW_INSTR_ONS4) {
        slot[0] = "life_satisfaction", slot[1] = "worthwhile", slot[2] = "happiness",
        slot[3] = "anxiety";
    } else if (p->instr == LW_INSTR_MHCSF) {
        slot[0] = "total";
    } else if (p->instr == LW_INSTR_SWEMWBS) {
        slot[0] = "metric";
    } else {
        slot[0] = "total";
    }
    for (int i = 0; i < 4; i++) {
        const lw_score_change *c = slot[i] ? measure_change_find(&mc, slot[i]) : NULL;
        if (c) {
            p->delta[i] = c->delta;
            p->verdict[i] = (int8_t)c->verdict;
        }
    }
    if (p->instr == LW_INSTR_MHCSF) {
        const lw_score_change *c = measure_change_find(&mc, "category");
        p->verdict[0] = (int8_t)(c ? c->verdict : 0);
    }
}

void rp_put_measure(rp_data *d, const rp_measure_in *m) {
    lw_instrument in;
    lw_error err;
    if (m->case_id <= 0 || m->case_id > INT32_MAX ||
        instrument_parse(m->instrument, "instrument", &in, &err) != LW_OK)
        return;
    size_t key = (size_t)m->case_id * 4 + (size_t)in;
    if (key + 1 > d->npair_of) {
        size_t old = d->npair_of;
        d->pair_of = grow(d->pair_of, &d->npair_of, sizeof *d->pair_of, key + 1);
        for (size_t i = old; i < d->npair_of; i++)
            d->pair_of[i] = NO_IX;
    }
    int32_t date = date_int(m->date);
    uint8_t items[LW_MEASURE_ITEMS_MAX] = {0};
    size_t n = parse_items(m->items, items);
    pair_t *p;
    if (d->pair_of[key] == NO_IX) {
        d->pairs = grow(d->pairs, &d->cappairs, sizeof *d->pairs, d->npairs + 1);
        d->pair_of[key] = (int32_t)d->npairs;
        p = &d->pairs[d->npairs++];
        p->case_id = (int32_t)m->case_id;
        p->instr = (uint8_t)in;
        p->nitems = (uint8_t)n;
        p->first_date = p->last_date = date;
        p->first_id = p->last_id = m->id;
        memcpy(p->first_items, items, sizeof items);
        memcpy(p->last_items, items, sizeof items);
        return;
    }
    p = &d->pairs[d->pair_of[key]];
    if (m->id == p->first_id || m->id == p->last_id)
        return; /* seen already */
    int changed = 0;
    if (date < p->first_date || (date == p->first_date && m->id < p->first_id)) {
        p->first_date = date;
        p->first_id = m->id;
        memcpy(p->first_items, items, sizeof items);
        changed = 1;
    }
    if (date > p->last_date || (date == p->last_date && m->id > p->last_id)) {
        p->last_date = date;
        p->last_id = m->id;
        memcpy(p->last_items, items, sizeof items);
        changed = 1;
    }
    p->nitems = (uint8_t)n;
    if (changed)
        pair_compute(p);
}

void rp_put_decision(rp_data *d, const rp_decision_in *in) {
    if (in->id <= 0 || in->id > INT32_MAX)
        return;
    dec_t *x = AT(d->dec, d->ndec, in->id);
    uint8_t mode = 255;
    if (in->mode && strcmp(in->mode, "direct") == 0)
        mode = 0;
    else if (in->mode && strcmp(in->mode, "link_worker") == 0)
        mode = 1;
    else if (in->mode && strcmp(in->mode, "peer") == 0)
        mode = 2;
    *x = (dec_t){.created_at = in->created_at,
                 .case_id = i32(in->case_id),
                 .org = i32(in->org),
                 .mode = mode,
                 .chosen = (uint8_t)(in->outcome && strcmp(in->outcome, "chosen") == 0),
                 .present = 1};
    if (in->org > d->max_org)
        d->max_org = in->org;
}

void rp_put_pathway(rp_data *d, const rp_pathway_in *p) {
    if (p->case_id <= 0 || p->case_id > INT32_MAX)
        return;
    case_t *c = AT(d->cs, d->ncs, p->case_id);
    int ix = pathway_intern(d, p->pathway);
    c->pathway = (uint8_t)(ix < 0 ? 0 : ix + 1);
    c->review_due = p->review_due_at;
    c->outcome = 0;
    if (p->outcome && strcmp(p->outcome, "discharged") == 0)
        c->outcome = 1;
    else if (p->outcome && strcmp(p->outcome, "extended") == 0)
        c->outcome = 2;
    else if (p->outcome && strcmp(p->outcome, "re_referred") == 0)
        c->outcome = 3;
}

void rp_put_gp(rp_data *d, const rp_gp_in *g) {
    if (g->id <= 0 || g->id > INT32_MAX)
        return;
    gp_t *x = AT(d->gp, d->ngp, g->id);
    *x = (gp_t){.referral_id = i32(g->referral_id),
                .before = (int32_t)(g->before < 0           ? 0
                                    : g->before > INT32_MAX ? INT32_MAX
                                                            : g->before),
                .after = (int32_t)(g->after < 0           ? 0
                                   : g->after > INT32_MAX ? INT32_MAX
                                                          : g->after),
                .present = (uint8_t)(g->after >= 0)};
}

/* ---- dates and selection ---- */

int rp_month(int64_t ms) {
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    /* Howard Hinnant's civil_from_days */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    return (int)(y * 12 + m - 1);
}

void rp_month_text(int month, char out[8]) {
    int y = month / 12, m = month % 12 + 1;
    if (y < 0 || y > 9999)
        y = 0;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '\0';
}

int64_t rp_select(int64_t *v, size_t n, size_t k) {
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        int64_t pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                int64_t t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}
