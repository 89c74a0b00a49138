/* Unmet need: a person's needs no local service meets within their travel limit. */
#include "domain/unmet_need.h"

static int reachable(const lw_match_person *p, const lw_match_service *s) {
    if (!s->located || !p->has_home || p->max_m < 0)
        return 1;
    return match_distance_m(p->home_lat, p->home_lon, s->lat, s->lon) <= (double)p->max_m;
}

uint32_t unmet_needs(const lw_match_person *p, const lw_match_service *svc, size_t n) {
    uint32_t wanted = 0;
    for (int i = 0; i < LW_MATCH_NEED_COUNT; i++)
        if (p->needs[i])
            wanted |= LW_MATCH_NEED_BIT(i);
    uint32_t met = 0;
    for (size_t k = 0; k < n && (wanted & ~met); k++) {
        const lw_match_service *s = &svc[k];
        if (s->status == LW_MATCH_ACTIVE && (s->needs & wanted & ~met) && reachable(p, s))
            met |= s->needs & wanted;
    }
    return wanted & ~met;
}
