/*
 * The demo directory: about 150 services from about 40 organisations around
 * Rotherham's postcodes, across the categories social prescribing schemes use,
 * with schedules, ages, costs and capacities. Made deterministically as an
 * Open Referral document and loaded through the importer, so running the demo
 * again changes nothing. Riverside Community Gardens (the demo VCSE) keeps the
 * gardening organisation's listings, so the demo provider has some to edit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/directory.h"
#include "io/oruk.h"
#include "store/directory.h"

typedef struct category {
    const char *term, *domain, *setting;
    const char *names[6]; /* "%s" is a place */
    const char *what;
    int free_pct, min_age;
} category;

static const category cats[] = {
    {"Physical activity",
     "physical_activity",
     "group",
     {"%s Chair Exercise", "%s Strength and Balance", "Move More %s", "%s Tai Chi",
      "%s Seated Yoga", "%s Boccia Club"},
     "Gentle exercise for all fitness levels, led by a qualified instructor.",
     60,
     18},
    {"Walking",
     "physical_activity",
     "group",
     {"%s Health Walks", "%s Walking Group", "%s Nordic Walking", "Walk and Talk %s",
      "%s Buggy Walks", "%s Heritage Walks"},
     "A friendly walking group on flat paths; walks last about an hour with a cuppa after.",
     95,
     16},
    {"Gardening and green gyms",
     "arts",
     "group",
     {"%s Green Gym", "%s Community Allotment", "%s Growing Together", "%s Wildlife Garden",
      "%s Orchard Volunteers", "%s Therapeutic Gardening"},
     "Outdoor gardening sessions: grow food, learn skills and enjoy time in green space.",
     90,
     16},
    {"Weight and nutrition",
     "weight_nutrition",
     "group",
     {"%s Cook and Eat", "%s Healthy Weight Club", "Eat Well %s", "%s Family Cookery",
      "%s Slimming Support", "%s Food Club"},
     "Cooking on a budget and healthy eating, with weigh-ins for those who want them.",
     50,
     16},
    {"Arts and crafts",
     "arts",
     "group",
     {"%s Art Club", "%s Craft and Chat", "%s Pottery Studio", "%s Creative Writing",
      "%s Photography Group", "%s Knit and Natter"},
     "Creative sessions for beginners and the experienced; materials provided.",
     40,
     16},
    {"Music and choirs",
     "arts",
     "group",
     {"%s Community Choir", "Singing for the Brain %s", "%s Ukulele Group", "%s Drumming Circle",
      "%s Sing and Smile", "%s Samba Band"},
     "Sing or play together, no experience or reading music needed.",
     50,
     16},
    {"Befriending",
     "isolation",
     "one_to_one",
     {"%s Befriending Service", "%s Telephone Friends", "%s Home Visits", "Good Neighbours %s",
      "%s Companions", "%s Tea and Chat"},
     "A trained volunteer visits or phones every week for a chat and company.",
     100,
     18},
    {"Peer support",
     "mood",
     "group",
     {"%s Peer Support Group", "%s Men's Shed", "%s Wellbeing Cafe", "%s Hearing Voices Group",
      "%s Recovery Group", "%s Anxiety Peer Group"},
     "Run by people with lived experience: share, listen and support each other.",
     100,
     18},
    {"Mutual aid",
     "isolation",
     "either",
     {"%s Mutual Aid", "%s Community Pantry", "%s Repair Cafe", "%s Skill Swap",
      "%s Good Food Network", "%s Neighbourhood Help"},
     "Neighbours helping neighbours: shopping, lifts, food and shared skills.",
     100,
     0},
    {"Volunteering",
     "volunteering",
     "either",
     {"Volunteer %s", "%s Volunteer Centre", "%s Conservation Volunteers", "%s Library Volunteers",
      "%s Hospital Volunteers", "%s Community Litter Pick"},
     "Give a few hours a week: meet people, learn skills and help your community.",
     100,
     16},
    {"Employment support",
     "employment",
     "one_to_one",
     {"%s Work Club", "%s Job Coaching", "%s CV and Interview Help", "Back to Work %s",
      "%s Employment Advisers", "%s Jobs Fair"},
     "One-to-one help to find work: CVs, applications, interviews and confidence.",
     100,
     16},
    {"Learning and skills",
     "learning",
     "group",
     {"%s Digital Skills", "%s English Conversation", "%s Adult Learning", "%s Maths for Life",
      "%s Computer Club", "%s Reading Group"},
     "Short friendly courses for adults, with tutors who go at your pace.",
     80,
     16},
    {"Welfare benefits",
     "benefits",
     "one_to_one",
     {"%s Benefits Advice", "%s Universal Credit Help", "%s Welfare Rights", "%s PIP Support",
      "%s Benefit Checks", "%s Money Matters"},
     "Free, confidential help to claim the benefits you are entitled to and challenge decisions.",
     100,
     16},
    {"Debt advice",
     "debt",
     "one_to_one",
     {"%s Debt Advice", "%s Money Advice", "%s Budgeting Support", "%s Fuel Debt Help",
      "%s Credit Union", "%s Debt Clinic"},
     "Free debt advice: budgeting, dealing with creditors and debt solutions.",
     100,
     18},
    {"Housing advice",
     "housing",
     "one_to_one",
     {"%s Housing Advice", "%s Tenancy Support", "%s Homelessness Prevention", "%s Home Repairs",
      "%s Warm Homes", "%s Housing Options"},
     "Advice on renting, repairs, eviction and keeping your home warm.",
     100,
     16},
    {"Legal advice",
     "legal",
     "one_to_one",
     {"%s Legal Advice Clinic", "%s Law Centre", "%s Immigration Advice", "%s Employment Rights",
      "%s Family Law Clinic", "%s Consumer Rights"},
     "Free legal advice from volunteer solicitors, by appointment.",
     100,
     18},
    {"Parenting",
     "parenting",
     "group",
     {"%s Parents Group", "%s Stay and Play", "%s Dads Club", "%s Parenting Course",
      "%s Baby Massage", "%s Family Hub"},
     "Support and activities for parents and carers of young children.",
     90,
     16},
    {"Carers",
     "carers",
     "group",
     {"%s Carers Group", "%s Carers Cafe", "%s Young Carers", "%s Carers Break", "%s Carers Advice",
      "%s Dementia Carers"},
     "Support, advice and a break for people who look after someone.",
     100,
     8},
};
#define NCATS (sizeof cats / sizeof cats[0])

static const struct {
    const char *name, *postcode;
    double lat, lon;
} places[] = {
    {"Clifton", "S65 2AA", 53.4330, -1.3420},
    {"Kimberworth", "S61 1AA", 53.4430, -1.3930},
    {"Rawmarsh", "S62 5AA", 53.4610, -1.3430},
    {"Wath", "S63 7AA", 53.5020, -1.3420},
    {"Herringthorpe", "S65 3AA", 53.4270, -1.3190},
    {"Maltby", "S66 7AA", 53.4230, -1.1990},
    {"Dinnington", "S25 2AA", 53.3680, -1.2040},
    {"Swallownest", "S26 4AA", 53.3620, -1.3050},
    {"Wickersley", "S66 1AA", 53.4200, -1.2830},
    {"Brinsworth", "S60 5AA", 53.4040, -1.3770},
    {"Greasbrough", "S61 4AA", 53.4530, -1.3640},
    {"Eastwood", "S65 1AA", 53.4350, -1.3460},
    {"Parkgate", "S62 6AA", 53.4680, -1.3520},
    {"Thurcroft", "S66 9AA", 53.4010, -1.2600},
    {"Canklow", "S60 2AA", 53.4150, -1.3480},
    {"Rotherham Town Centre", "S60 1AA", 53.4300, -1.3560},
};
#define NPLACES (sizeof places / sizeof places[0])

static const char *const org_names[] = {"Riverside Community Gardens",
                                        "Rotherham Ramblers Trust",
                                        "Active Rotherham CIC",
                                        "South Yorkshire Food Partnership",
                                        "Clifton Arts Collective",
                                        "Voices Together Choir Trust",
                                        "Age Well Rotherham",
                                        "Mind in Rotherham",
                                        "Rotherham Mutual Aid Network",
                                        "Voluntary Action Rotherham",
                                        "Rotherham Works",
                                        "Rotherham Adult Learning",
                                        "Citizens Advice Rotherham",
                                        "Rotherham Money Advice",
                                        "Rotherham Housing Aid",
                                        "Rotherham Law Centre",
                                        "Rotherham Family Hubs",
                                        "Rotherham Carers Centre",
                                        "Wath Community Association",
                                        "Maltby Miners Welfare",
                                        "Dinnington Community Hub",
                                        "Swallownest Village Trust",
                                        "Kimberworth Park Residents",
                                        "Rawmarsh Community Forum",
                                        "Parkgate Churches Together",
                                        "Herringthorpe Leisure Trust",
                                        "Wickersley Rotary Club",
                                        "Brinsworth Parish Council",
                                        "Greasbrough Youth and Family",
                                        "Eastwood Village Project",
                                        "Thurcroft Welfare Hall",
                                        "Canklow Community Centre",
                                        "Rotherham Men's Sheds",
                                        "The Rotherham Cookery School",
                                        "Green Spaces South Yorkshire",
                                        "Rotherham Hearing Voices",
                                        "Digital Inclusion Rotherham",
                                        "Rotherham Credit Union",
                                        "Home Safe Rotherham",
                                        "Rotherham Young Carers Trust"};
#define NORGS (sizeof org_names / sizeof org_names[0])

static const char *const days[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

static void uuid(const char *kind, const char *key, char out[37]) {
    dir_uuid_for(kind, key, out);
}

/* The demo document: a JSON array of HSDS 3.0 services. */
static json_t *demo_doc(void) {
    json_t *list = json_array();
    char tax_id[37], parent_id[37];
    uuid("demo-taxonomy", "categories", tax_id);
    uuid("demo-term", "community activities", parent_id);
    unsigned seed = 42;
    for (int i = 0; i < 150; i++) {
        seed = seed * 1103515245u + 12345u;
        const category *c = &cats[(size_t)i % NCATS];
        size_t ci = (size_t)i % NCATS;
        size_t pi = ((size_t)i * 7 + (seed >> 16) % 3) % NPLACES;
        /* Each category's organisations: its own (i < NCATS) and local ones. */
        size_t oi = i < (int)(2 * NCATS) ? ci : 18 + ((size_t)i * 5 + pi) % (NORGS - 18);
        if (ci == 2 && i < (int)(3 * NCATS))
            oi = 0; /* Riverside Community Gardens runs the gardening groups */
        char name[120], key[16], sid[37], oid[37], lid[37], tid[37];
        /* The pattern's "%s" is the place. */
        const char *pat = c->names[((size_t)i / NCATS) % 6], *mark = strstr(pat, "%s");
        snprintf(name, sizeof name, "%.*s%s%s", (int)(mark - pat), pat, places[pi].name, mark + 2);
        snprintf(key, sizeof key, "%d", i);
        uuid("demo-service", key, sid);
        uuid("demo-organisation", org_names[oi], oid);
        uuid("demo-location", places[pi].name, lid);
        uuid("demo-term", c->term, tid);
        int is_free = (int)((seed >> 8) % 100) < c->free_pct;
        int day = (int)((seed >> 4) % 7), hour = 9 + (int)((seed >> 12) % 9);
        char opens[9], closes[9], pc[12];
        snprintf(opens, sizeof opens, "%02d:%02d:00", hour, (seed >> 20) % 2 ? 30 : 0);
        snprintf(closes, sizeof closes, "%02d:%02d:00", hour + 2, (seed >> 20) % 2 ? 30 : 0);
        snprintf(pc, sizeof pc, "%.4s %dAB", places[pi].postcode, 1 + (i % 9));
        json_t *s = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:{s:s, s:s, s:s, s:s}}", "id", sid, "name", name,
            "description", c->what, "status", i % 37 == 36 ? "temporarily closed" : "active",
            "email", "hello@demo.linkwell.example", "url", "https://demo.linkwell.example/services",
            "minimum_age", c->min_age, "organization", "id", oid, "name", org_names[oi],
            "description", "A local voluntary and community organisation in Rotherham.", "website",
            "https://demo.linkwell.example/");
        if (c->min_age >= 18 && i % 3 == 0)
            json_object_set_new(s, "maximum_age", json_integer(i % 2 ? 99 : 65));
        json_object_set_new(s, "fees_description",
                            json_string(is_free ? "Free" : "A small charge covers materials"));
        json_object_set_new(s, "cost_options",
                            json_pack("[{s:s, s:s, s:f, s:s}]", "id", sid, "currency", "GBP",
                                      "amount", is_free ? 0.0 : (double)(2 + (seed >> 9) % 6),
                                      "amount_description", "per session"));
        json_object_set_new(s, "schedules",
                            json_pack("[{s:s, s:s, s:s, s:s, s:s, s:s}]", "id", sid, "freq",
                                      "WEEKLY", "byday", days[day], "opens_at", opens, "closes_at",
                                      closes, "description", "Every week, except bank holidays"));
        json_object_set_new(
            s, "service_at_locations",
            json_pack("[{s:s, s:s, s:{s:s, s:s, s:s, s:f, s:f, s:[{s:s, s:s, s:s, s:s, s:s}]}}]",
                      "id", sid, "location_id", lid, "location", "id", lid, "name", places[pi].name,
                      "location_type", "physical", "latitude",
                      places[pi].lat + 0.001 * (double)(i % 5), "longitude",
                      places[pi].lon - 0.001 * (double)(i % 4), "addresses", "id", lid, "address_1",
                      "Community Centre", "city", "Rotherham", "postal_code", pc, "address_type",
                      "physical"));
        json_object_set_new(
            s, "attributes",
            json_pack("[{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}}}]", "id", tid,
                      "taxonomy_term_id", tid, "taxonomy_term", "id", tid, "name", c->term,
                      "description", c->what, "parent_id", parent_id, "taxonomy_id", tax_id,
                      "taxonomy_detail", "id", tax_id, "name", "linkwell demo categories",
                      "description", "The activity categories of the demo directory"));
        json_array_append_new(list, s);
    }
    return list;
}

lw_status demo_directory_load(lw_db *db, int64_t riverside_org, int64_t now, lw_error *err) {
    json_t *doc = demo_doc();
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    oruk_source src = {.name = "demo", .buf = text, .len = strlen(text)};
    oruk_options opt = {.now = now};
    json_t *report = NULL;
    lw_status st = oruk_import(db, &src, 1, &opt, &report, err);
    free(text);
    int64_t imported =
        json_integer_value(json_object_get(json_object_get(report, "services"), "imported"));
    json_decref(report);
    if (st != LW_OK)
        return st;
    char gardens[37];
    uuid("demo-organisation", org_names[0], gardens);
    st = store_begin(db, err);
    if (st == LW_OK)
        st = store_dir_org_manage(db, gardens, riverside_org, err);
    /* Capacities and linkwell's own fields, only the first time. */
    unsigned seed = 7;
    for (int i = 0; imported > 0 && i < 150 && st == LW_OK; i++) {
        seed = seed * 1103515245u + 12345u;
        char key[16], sid[37];
        snprintf(key, sizeof key, "%d", i);
        uuid("demo-service", key, sid);
        const category *c = &cats[(size_t)i % NCATS];
        static const char *const caps[] = {"capacity", "capacity", "capacity", "waitlist",
                                           "no_capacity"};
        lw_service_local l = {
            .capacity = 6 + (int64_t)((seed >> 8) % 25),
            .capacity_set = 1,
            .capacity_status = caps[(seed >> 4) % 5],
            .need_domains = c->domain,
            .mental_health_ready = (int)((seed >> 12) % 3 != 0),
            .setting = c->setting,
            /* one in eight listings has not been checked for over a year */
            .last_checked_at =
                now - (int64_t)((seed >> 14) % 8 == 0 ? 400 : (seed >> 16) % 200) * 86400000LL};
        st = store_service_local_set(db, sid, &l, err);
    }
    if (st == LW_OK)
        st = store_dir_bump(db, now, err);
    if (st == LW_OK)
        st = store_commit(db, err);
    if (st != LW_OK)
        store_rollback(db);
    return st;
}
