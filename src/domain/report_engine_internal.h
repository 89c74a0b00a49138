/*
 * Inside the report engine (report_engine.c keeps the facts, report_tables.c
 * computes the reports from them): the layout of the facts, shared by the two.
 * Nothing else includes this.
 */
#ifndef LW_REPORT_ENGINE_INTERNAL_H
#define LW_REPORT_ENGINE_INTERNAL_H

#include <stdint.h>

#include "domain/measures.h"
#include "domain/referrals.h"
#include "domain/report_engine.h"

#define NO_IX (-1)
#define PATHWAYS_MAX 16
#define CATEGORY_OTHER LW_NEED_COUNT /* services with no need domain */

typedef struct ref_t {
    int64_t created_at;
    int32_t from_org, to_org, case_id;
    int32_t month; /* rp_month(created_at), kept so reports need not work it out */
    uint16_t reasons;
    uint8_t source, status, present;
} ref_t;

typedef struct case_t {
    int64_t opened_at, first_contact_at, review_due;
    int32_t referral_id, org, assignee;
    uint16_t needs, nolocal;
    uint8_t open, present, pathway, outcome; /* pathway: index + 1; outcome: 1..3 */
} case_t;

typedef struct rx_t {
    int64_t created_at;
    int32_t case_id, sender_org, service;
    uint8_t kind, status, took, no_capacity, present;
} rx_t;

typedef struct svc_t {
    char *id;
    uint16_t domains;
    uint8_t category, full, active;
    int64_t capacity;
} svc_t;

typedef struct pair_t {
    int32_t case_id;
    uint8_t instr, two, improved, flo_b, flo_a;
    int32_t first_date, last_date;
    int64_t first_id, last_id;
    uint8_t first_items[LW_MEASURE_ITEMS_MAX], last_items[LW_MEASURE_ITEMS_MAX];
    uint8_t nitems;
    int32_t delta[4];
    int8_t verdict[4];
} pair_t;

typedef struct dec_t {
    int64_t created_at;
    int32_t case_id, org;
    uint8_t mode, chosen, present;
} dec_t;

typedef struct gp_t {
    int32_t referral_id;
    int32_t before, after;
    uint8_t present;
} gp_t;

struct rp_data {
    ref_t *ref;
    size_t nref;
    case_t *cs;
    size_t ncs;
    rx_t *rx;
    size_t nrx;
    svc_t *svc;
    size_t nsvc, capsvc;
    int32_t *svc_hash; /* open addressing over svc indexes */
    size_t hash_cap;
    int32_t *pair_of; /* case_id * 4 + instrument -> pair index */
    size_t npair_of;
    pair_t *pairs;
    size_t npairs, cappairs;
    dec_t *dec;
    size_t ndec;
    gp_t *gp;
    size_t ngp;
    char *pathways[PATHWAYS_MAX];
    int npathways;
    int64_t max_org;
};

#endif
