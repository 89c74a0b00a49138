/*
 * The decision aid: the built-in categories with their pros and cons, the
 * rating questions, checking a set, classifying services, and turning ratings
 * into the matcher's weights.
 *
 * The pros and cons are written for a person choosing with a psychiatrist,
 * social worker, occupational therapist, link worker or peer worker (seed 000):
 * honest about the downsides, practical ("ask if someone can meet you at the
 * door"), and never promising a cure. docs/matching.md says where they came
 * from and how they should be reviewed.
 */
#include "domain/decision_aid.h"

#include <stdio.h>
#include <string.h>

#define N(x) LW_MATCH_NEED_BIT(LW_MATCH_NEED_##x)
#define T(x) LW_MATCH_TRAIT_BIT(LW_MATCH_TRAIT_##x)
#define LIST(a) a, sizeof a / sizeof a[0]

/* ---- the built-in categories ---- */

static const char *const arts_pros[] = {
    ("You need no experience or talent: most groups are for beginners, and the point is taking "
     "part, not the result."),
    ("Getting absorbed in making something can quieten worries for a while and gives a sense of "
     "achievement."),
    "You meet people with something to talk about other than your health.",
    "Many community arts groups are free or cheap, and materials are often provided.",
};
static const char *const arts_cons[] = {
    "Some people feel self-conscious about their work at first, especially in a group.",
    "Groups are often small and fill up; some run in terms with a start date, so you may wait.",
    "Courses may end after a set number of weeks, and you may then need to find what comes next.",
    "Materials can cost money if you carry on at home.",
};
static const char *const arts_words[] = {
    "art",      "arts",        "craft",    "crafts",     "painting",         "drawing", "pottery",
    "ceramics", "sculpture",   "creative", "creativity", "creative writing", "poetry",  "drama",
    "theatre",  "photography", "knitting", "sewing",     "crochet",          "museum",  "gallery",
};

static const char *const music_pros[] = {
    ("Singing together is one of the easiest ways to feel part of a group: you do not have to talk "
     "much to belong."),
    "Most community choirs do not audition, and you do not need to read music.",
    "Many people say singing or playing lifts their mood and energy for the rest of the day.",
    "Regular rehearsals give the week a fixed point.",
};
static const char *const music_cons[] = {
    ("Singing in front of others can feel exposing at first; you can usually just listen the "
     "first time, or go with someone."),
    "Some choirs work towards concerts, which some people enjoy and others find a pressure.",
    "Groups can be large and loud, which does not suit everyone.",
    "Learning an instrument may mean buying or hiring one.",
};
static const char *const music_words[] = {
    "music",    "choir", "singing", "sing",   "song",      "songs",    "band",
    "drumming", "drum",  "ukulele", "guitar", "orchestra", "musician",
};

static const char *const activity_pros[] = {
    ("Being active helps both mood and physical health, and the benefits start with small "
     "amounts."),
    "There is a level for everyone, including gentle and chair-based classes.",
    "A class gives the week a structure and a reason to leave the house.",
    ("Some medicines make weight gain or tiredness more likely; regular activity can help with "
     "both."),
};
static const char *const activity_cons[] = {
    ("Starting is hard when energy or motivation is low; it is fine to begin with something very "
     "gentle."),
    "Gyms and leisure centres can feel busy or intimidating.",
    "Many classes charge each time, although concessions and exercise referral schemes exist.",
    "If you have a health condition, ask your GP or care team what is safe for you.",
};
static const char *const activity_words[] = {
    "exercise",    "sport",     "sports",   "fitness", "gym",     "swimming", "swim",
    "yoga",        "pilates",   "tai chi",  "dance",   "dancing", "football", "cycling",
    "bowls",       "badminton", "tennis",   "boxing",  "running", "parkrun",  "physical activity",
    "chair based", "movement",  "aerobics", "zumba",
};

static const char *const walking_pros[] = {
    "Walking side by side makes conversation easy without having to sit face to face.",
    "It is usually free, needs nothing but comfortable shoes, and goes at an easy pace.",
    "Moving gently outdoors can help with low mood and with sleep.",
    "A walk leader plans the route, so you do not need to know the area.",
};
static const char *const walking_cons[] = {
    "Walks go ahead in most weather, which can put people off in winter.",
    "Routes may have slopes, stiles or rough ground: ask how long and how hard a walk is.",
    "Most groups walk in the daytime on weekdays, which is hard if you work.",
};
static const char *const walking_words[] = {
    "walk",     "walking",  "walks", "health walk", "ramble",
    "rambling", "ramblers", "hike",  "hiking",      "nordic walking",
};

static const char *const nature_pros[] = {
    "Time in green spaces and working with plants is calming for many people.",
    ("You can work alongside others without having to talk much, which suits people who find "
     "groups hard."),
    "The tasks are clear and practical, and you see the results of your work over the seasons.",
    "It is usually free, and tools and gloves are often provided.",
};
static const char *const nature_cons[] = {
    "It is outdoor, physical work, sometimes in cold or wet weather.",
    "Sites can be away from bus routes and may not have step-free paths or toilets.",
    "Some projects are seasonal, with less going on in winter.",
};
static const char *const nature_words[] = {
    "garden",       "gardening", "allotment", "nature",      "conservation",
    "horticulture", "outdoor",   "outdoors",  "green space", "farm",
    "woodland",     "forest",    "wildlife",  "growing",     "green social prescribing",
};

static const char *const befriending_pros[] = {
    "One person, at your pace: good if groups feel too much right now.",
    "It can happen at home or by phone, so it works if getting out is difficult.",
    "Seeing the same volunteer over time can become something you look forward to.",
    ("It can be a first step towards joining a group later, sometimes with your befriender coming "
     "along."),
};
static const char *const befriending_cons[] = {
    ("It depends on one volunteer: if you do not get on, you can ask for someone else, and if they "
     "leave there may be a gap."),
    "There is often a wait while volunteers are matched and checked.",
    "It is company and conversation, not counselling or practical help.",
    "It widens your circle less than a group does.",
};
static const char *const befriending_words[] = {
    "befriending", "befriender", "befriend", "friendship", "companionship", "telephone friendship",
};

static const char *const peer_pros[] = {
    ("Being with people who have been through something similar can make you feel understood "
     "without having to explain."),
    "Peer workers and group members share what helped them, and show that recovery is possible.",
    ("The relationship is more equal than with professionals, and many people find it easier to "
     "be honest."),
    "Many groups are free, and you can usually come when you need to.",
};
static const char *const peer_cons[] = {
    "Hearing about other people's difficulties can sometimes be upsetting.",
    ("Groups vary with who leads them and who comes; it may take a couple of tries to find one "
     "that "
     "fits."),
    "It does not replace treatment or help in a crisis.",
    ("Talking about your own experience in a group is not for everyone, although you can usually "
     "just listen."),
};
static const char *const peer_words[] = {
    "peer support", "peer",          "lived experience", "mutual aid",
    "self help",    "support group", "recovery",         "hearing voices",
};

static const char *const advice_pros[] = {
    ("Sorting out money or housing problems can remove a big source of stress, which often helps "
     "mood and sleep."),
    ("Advisers know the system: they can check you get what you are entitled to, and deal with "
     "creditors, landlords or the council with you."),
    "Free, independent and confidential advice is widely available.",
    "It is one to one and about your own situation.",
};
static const char *const advice_cons[] = {
    "You usually need to bring letters, bills or documents, which can feel daunting to gather.",
    "Busy services can have waits, and a problem can take several appointments to sort out.",
    "It is practical help, not company: on its own it will not ease loneliness.",
};
static const char *const advice_words[] = {
    "advice",    "adviser",          "advisor",         "debt",         "money",   "benefits",
    "welfare",   "housing",          "homeless",        "homelessness", "tenancy", "legal",
    "budgeting", "universal credit", "citizens advice", "food bank",    "grants",
};

static const char *const learning_pros[] = {
    "Learning something new builds confidence and gives a sense of progress.",
    "Courses have a clear start, end and weekly routine.",
    ("Recovery colleges run courses about understanding and managing your own mental health, "
     "written and taught with people with lived experience."),
    "Skills and certificates can help later with work or volunteering.",
};
static const char *const learning_cons[] = {
    "Courses run in terms, so you may have to wait for the next start date.",
    "A classroom can bring back bad memories of school for some people.",
    "Some courses charge fees, although many are free for people on benefits.",
    "Missing sessions can make it harder to keep up.",
};
static const char *const learning_words[] = {
    "learning",       "course",         "courses",  "college",   "recovery college",
    "education",      "literacy",       "numeracy", "esol",      "english language",
    "maths",          "digital skills", "computer", "computers", "skills",
    "adult learning", "library",
};

static const char *const work_pros[] = {
    ("Work and volunteering give purpose, structure and a role, which many people say matters in "
     "recovery."),
    "Volunteering is a low-pressure way to try out work and gain experience and a reference.",
    ("Supported employment services help you find a job that suits you and keep supporting you "
     "once you are in it."),
    "You meet people by doing something together.",
};
static const char *const work_cons[] = {
    ("A commitment can feel like pressure if your health goes up and down; ask how flexible a role "
     "is."),
    "Some roles need references or checks before you start, which takes time.",
    "Paid work can affect benefits: get advice before you start.",
    "Some roles suit the organisation's needs more than yours.",
};
static const char *const work_words[] = {
    "employment",
    "supported employment",
    "job",
    "jobs",
    "careers",
    "cv",
    "back to work",
    "work experience",
    "volunteer",
    "volunteering",
    "volunteers",
    "apprenticeship",
    "apprenticeships",
};

static const char *const social_pros[] = {
    "Informal: you can drop in, have a cup of tea and leave when you want.",
    "A regular, friendly place where people get to know you by name.",
    ("There is something for many interests and communities, often close to home and cheap or "
     "free."),
};
static const char *const social_cons[] = {
    "Walking in for the first time can be hard; ask if someone can meet you at the door.",
    "Some groups are mostly older people, or mostly one community, which may or may not suit you.",
    "Without a set activity, conversation can feel awkward at first.",
};
static const char *const social_words[] = {
    "lunch club",   "coffee morning",   "cafe",      "café",
    "social club",  "men's shed",       "shed",      "community group",
    "social group", "friendship group", "club",      "clubs",
    "bingo",        "tea dance",        "book club", "faith group",
};

static const char *const family_pros[] = {
    "Meeting others in the same position can ease the feeling of being alone with it.",
    ("Carers' services can tell you about breaks, carer's assessments and money you may be "
     "entitled to."),
    "Groups for parents often welcome children, so you do not need childcare.",
};
static const char *const family_cons[] = {
    "Getting time away from caring or children to go can be difficult.",
    "Groups can end up talking about the person you care for more than about you.",
    "Sessions are often in the daytime on weekdays.",
};
static const char *const family_words[] = {
    "carer",     "carers", "caring",   "young carers",  "parent",  "parents",
    "parenting", "family", "families", "stay and play", "toddler", "baby",
};

static const char *const bereavement_pros[] = {
    "A place where grief is expected and understood, and you do not have to put on a brave face.",
    "Trained volunteers and others who have been bereaved can help you feel less alone.",
    "It can be one to one or in a group, and some support is by phone.",
};
static const char *const bereavement_cons[] = {
    "Talking about your loss can be painful, especially at first.",
    ("Some services suggest waiting a few weeks after a death before starting, and there may be a "
     "waiting list."),
    "Support is usually for a set number of sessions.",
};
static const char *const bereavement_words[] = {
    "bereavement",
    "bereaved",
    "grief",
    "loss",
};

static const char *const food_pros[] = {
    "Practical skills you use every day, often with food to take home.",
    "Cooking with others is sociable and gives everyone a shared task.",
    "Some medicines affect appetite and weight; support can help you manage this.",
};
static const char *const food_cons[] = {
    "Talking about weight can feel sensitive; choose a group whose approach feels right to you.",
    "Some weight management programmes charge or have conditions for joining (such as a BMI).",
    "Courses are often time-limited.",
};
static const char *const food_words[] = {
    "nutrition", "weight", "healthy eating", "cooking",           "cook",
    "cookery",   "diet",   "slimming",       "weight management", "food",
};

static const lw_aid_category builtin_categories[] = {
    {"arts", "Arts and creativity",
     "Art, craft, writing, photography, drama and museum groups, usually in a small group with "
     "a tutor.",
     LIST(arts_pros), LIST(arts_cons), N(ARTS) | N(ISOLATION) | N(MOOD), N(ARTS), LIST(arts_words),
     T(CREATIVE)},
    {"music", "Music and singing",
     "Community choirs, singing groups, bands and music-making, including groups for people "
     "with no experience.",
     LIST(music_pros), LIST(music_cons), N(ARTS) | N(ISOLATION) | N(MOOD), 0, LIST(music_words),
     T(CREATIVE)},
    {"physical_activity", "Physical activity and sport",
     "Exercise classes, gentle movement, swimming, dance, yoga, tai chi, exercise referral "
     "schemes and team sports.",
     LIST(activity_pros), LIST(activity_cons), N(PHYSICAL_ACTIVITY) | N(WEIGHT_NUTRITION) | N(MOOD),
     N(PHYSICAL_ACTIVITY), LIST(activity_words), T(ACTIVE)},
    {"walking", "Walking groups",
     "Led walks at an easy pace, often short and local, often ending with a cup of tea.",
     LIST(walking_pros), LIST(walking_cons), N(PHYSICAL_ACTIVITY) | N(ISOLATION) | N(MOOD), 0,
     LIST(walking_words), T(ACTIVE) | T(OUTDOORS)},
    {"nature", "Gardening and nature",
     "Community gardens, allotment projects, conservation volunteering and nature groups "
     "(\"green social prescribing\").",
     LIST(nature_pros), LIST(nature_cons), N(MOOD) | N(ISOLATION) | N(PHYSICAL_ACTIVITY), 0,
     LIST(nature_words), T(OUTDOORS)},
    {"befriending", "Befriending",
     "A trained volunteer who visits, phones or meets you regularly, one to one, to chat and "
     "perhaps go out together.",
     LIST(befriending_pros), LIST(befriending_cons), N(ISOLATION) | N(BEREAVEMENT) | N(MOOD), 0,
     LIST(befriending_words), T(ONE_TO_ONE)},
    {"peer_support", "Peer support",
     "Groups or one-to-one support led by people with lived experience of mental health "
     "problems, or of the same situation as you.",
     LIST(peer_pros), LIST(peer_cons),
     N(MOOD) | N(ISOLATION) | N(BEREAVEMENT) | N(CARERS) | N(PARENTING), N(MOOD), LIST(peer_words),
     T(PEER)},
    {"advice", "Advice on money, benefits and housing",
     "Advisers who help with debt, welfare benefits, housing problems and legal questions, by "
     "appointment, drop-in or phone.",
     LIST(advice_pros), LIST(advice_cons), N(DEBT) | N(BENEFITS) | N(HOUSING) | N(LEGAL),
     N(DEBT) | N(BENEFITS) | N(HOUSING) | N(LEGAL), LIST(advice_words), T(PRACTICAL)},
    {"learning", "Learning and skills",
     "Adult learning, English for speakers of other languages (ESOL), reading, maths and digital "
     "skills, and recovery college courses.",
     LIST(learning_pros), LIST(learning_cons), N(LEARNING) | N(EMPLOYMENT) | N(MOOD), N(LEARNING),
     LIST(learning_words), T(LEARNING)},
    {"work_volunteering", "Employment and volunteering",
     "Support to find or keep work (including supported employment), and volunteering with "
     "local organisations.",
     LIST(work_pros), LIST(work_cons), N(EMPLOYMENT) | N(VOLUNTEERING) | N(ISOLATION) | N(LEARNING),
     N(EMPLOYMENT) | N(VOLUNTEERING), LIST(work_words), T(HELPING) | T(PRACTICAL)},
    {"social_groups", "Social groups and clubs",
     "Lunch clubs, coffee mornings, community cafés, Men's Sheds, faith and cultural groups, and "
     "hobby clubs.",
     LIST(social_pros), LIST(social_cons), N(ISOLATION) | N(MOOD), N(ISOLATION), LIST(social_words),
     T(SOCIAL)},
    {"carers_families", "Support for carers and families",
     "Carers' groups and breaks, parenting support and family groups.", LIST(family_pros),
     LIST(family_cons), N(CARERS) | N(PARENTING) | N(ISOLATION), N(CARERS) | N(PARENTING),
     LIST(family_words), T(PEER) | T(PRACTICAL)},
    {"bereavement", "Bereavement support",
     "Bereavement groups, one-to-one support from trained volunteers, and peer support after a "
     "death.",
     LIST(bereavement_pros), LIST(bereavement_cons), N(BEREAVEMENT) | N(MOOD) | N(ISOLATION),
     N(BEREAVEMENT), LIST(bereavement_words), T(PEER)},
    {"healthy_eating", "Healthy eating and weight",
     "Cooking on a budget, weight management groups, healthy eating courses and food projects.",
     LIST(food_pros), LIST(food_cons), N(WEIGHT_NUTRITION) | N(PHYSICAL_ACTIVITY),
     N(WEIGHT_NUTRITION), LIST(food_words), T(LEARNING)},
};

#define PART(x) LW_AID_PART, LW_MATCH_PART_##x
#define TRAIT(x) LW_AID_TRAIT, LW_MATCH_TRAIT_##x

static const lw_aid_question builtin_questions[] = {
    {"meeting_people", "meeting new people", TRAIT(SOCIAL)},
    {"one_to_one", "having one person to talk to, rather than a group", TRAIT(ONE_TO_ONE)},
    {"costs_nothing", "it costs nothing", PART(COST)},
    {"close_to_home", "it is close to home", PART(DISTANCE)},
    {"fixed_routine", "it has a fixed routine: the same day and time each week", TRAIT(ROUTINE)},
    {"fits_my_week", "it happens at times when I am free", PART(SCHEDULE)},
    {"outdoors", "being outdoors", TRAIT(OUTDOORS)},
    {"creative", "doing something creative", TRAIT(CREATIVE)},
    {"active", "being physically active", TRAIT(ACTIVE)},
    {"learning", "learning something new", TRAIT(LEARNING)},
    {"practical_help", "getting practical help with money, housing or work", TRAIT(PRACTICAL)},
    {"helping_others", "helping other people", TRAIT(HELPING)},
    {"lived_experience", "being with people who have been through something similar", TRAIT(PEER)},
    {"starting_soon", "starting soon, without a waiting list", PART(CAPACITY)},
    {"my_interests", "it is about something I already enjoy", PART(INTEREST)},
    {"my_needs", "it helps with what I came for", PART(NEED)},
    {"mental_health_aware", "the people running it understand mental health", PART(MENTAL_HEALTH)},
};

static const lw_aid_set builtin_set = {
    builtin_categories,
    sizeof builtin_categories / sizeof builtin_categories[0],
    builtin_questions,
    sizeof builtin_questions / sizeof builtin_questions[0],
};

const lw_aid_set *decision_aid_builtin(void) {
    return &builtin_set;
}

/* ---- the checked set and its word index ---- */

#define PHRASE_MAX 8
#define TEXT_WORDS 64

typedef struct phrase {
    uint64_t stem[PHRASE_MAX];
    size_t len;
    uint64_t mask; /* the categories it names */
} phrase;

struct lw_aid {
    const lw_aid_set *set;
    phrase *phrases; /* sorted by first stem */
    size_t n_phrases;
};

static int id_ok(const char *id) {
    if (!id || !*id || strlen(id) > 64)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

static int text_ok(const char *s) {
    return s && *s && strlen(s) <= 1000;
}

static lw_status check_texts(const char *const *v, size_t n, size_t i, const char *what,
                             lw_error *err) {
    char field[96];
    snprintf(field, sizeof field, "categories[%zu].%s", i, what);
    if (n == 0 || !v)
        return lw_fail(err, LW_EINVAL, field, "must have at least one entry");
    for (size_t k = 0; k < n; k++)
        if (!text_ok(v[k])) {
            snprintf(field, sizeof field, "categories[%zu].%s[%zu]", i, what, k);
            return lw_fail(err, LW_EINVAL, field, "must be 1 to 1000 characters");
        }
    return LW_OK;
}

static lw_status set_check(const lw_aid_set *set, lw_error *err) {
    char field[96];
    if (set->n_categories == 0 || set->n_categories > LW_AID_MAX_CATEGORIES || !set->categories)
        return lw_fail(err, LW_EINVAL, "categories", "must have 1 to %d categories",
                       LW_AID_MAX_CATEGORIES);
    for (size_t i = 0; i < set->n_categories; i++) {
        const lw_aid_category *c = &set->categories[i];
        if (!id_ok(c->id)) {
            snprintf(field, sizeof field, "categories[%zu].id", i);
            return lw_fail(err, LW_EINVAL, field,
                           "must be 1 to 64 lower-case letters, digits or underscores");
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(set->categories[k].id, c->id) == 0) {
                snprintf(field, sizeof field, "categories[%zu].id", i);
                return lw_fail(err, LW_EINVAL, field, "\"%s\" is used twice", c->id);
            }
        if (!text_ok(c->name) || !text_ok(c->summary)) {
            snprintf(field, sizeof field, "categories[%zu].%s", i,
                     text_ok(c->name) ? "summary" : "name");
            return lw_fail(err, LW_EINVAL, field, "must be 1 to 1000 characters");
        }
        lw_status st = check_texts(c->pros, c->n_pros, i, "pros", err);
        if (st == LW_OK)
            st = check_texts(c->cons, c->n_cons, i, "cons", err);
        if (st == LW_OK && c->n_words)
            st = check_texts(c->words, c->n_words, i, "words", err);
        if (st != LW_OK)
            return st;
        if ((c->needs | c->listed_needs) & ~LW_MATCH_NEEDS_ALL) {
            snprintf(field, sizeof field, "categories[%zu].needs", i);
            return lw_fail(err, LW_EINVAL, field, "holds an unknown need");
        }
        if (c->traits & ~LW_MATCH_TRAITS_ALL) {
            snprintf(field, sizeof field, "categories[%zu].traits", i);
            return lw_fail(err, LW_EINVAL, field, "holds an unknown trait");
        }
    }
    if (set->n_questions > LW_AID_MAX_QUESTIONS || (set->n_questions && !set->questions))
        return lw_fail(err, LW_EINVAL, "questions", "must have at most %d questions",
                       LW_AID_MAX_QUESTIONS);
    for (size_t i = 0; i < set->n_questions; i++) {
        const lw_aid_question *q = &set->questions[i];
        if (!id_ok(q->id)) {
            snprintf(field, sizeof field, "questions[%zu].id", i);
            return lw_fail(err, LW_EINVAL, field,
                           "must be 1 to 64 lower-case letters, digits or underscores");
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(set->questions[k].id, q->id) == 0) {
                snprintf(field, sizeof field, "questions[%zu].id", i);
                return lw_fail(err, LW_EINVAL, field, "\"%s\" is used twice", q->id);
            }
        if (!text_ok(q->text)) {
            snprintf(field, sizeof field, "questions[%zu].text", i);
            return lw_fail(err, LW_EINVAL, field, "must be 1 to 1000 characters");
        }
        int ok = (q->kind == LW_AID_PART && q->target >= 0 && q->target < LW_MATCH_PART_COUNT &&
                  q->target != LW_MATCH_PART_WHAT_MATTERS) ||
                 (q->kind == LW_AID_TRAIT && q->target >= 0 && q->target < LW_MATCH_TRAIT_COUNT);
        if (!ok) {
            snprintf(field, sizeof field, "questions[%zu].target", i);
            return lw_fail(err, LW_EINVAL, field, "is not a part of the score or a trait");
        }
    }
    return LW_OK;
}

static int phrase_cmp(const phrase *a, const phrase *b) {
    if (a->stem[0] != b->stem[0])
        return a->stem[0] < b->stem[0] ? -1 : 1;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return memcmp(a->stem, b->stem, a->len * sizeof a->stem[0]);
}

lw_status decision_aid_new(lw_arena *a, const lw_aid_set *set, const lw_aid **out, lw_error *err) {
    *out = NULL;
    lw_status st = set_check(set, err);
    if (st != LW_OK)
        return st;
    lw_aid *aid = arena_alloc(a, sizeof *aid);
    aid->set = set;
    size_t total = 0;
    for (size_t i = 0; i < set->n_categories; i++)
        total += set->categories[i].n_words;
    aid->phrases = arena_alloc(a, (total ? total : 1) * sizeof *aid->phrases);
    for (size_t i = 0; i < set->n_categories; i++)
        for (size_t k = 0; k < set->categories[i].n_words; k++) {
            phrase ph = {.mask = (uint64_t)1 << i};
            ph.len = match_stems(set->categories[i].words[k], ph.stem, PHRASE_MAX);
            if (ph.len == 0)
                continue;
            /* Insertion keeps the array sorted; equal phrases merge their masks. */
            size_t j = aid->n_phrases;
            int merged = 0;
            for (size_t m = 0; m < aid->n_phrases; m++)
                if (phrase_cmp(&aid->phrases[m], &ph) == 0) {
                    aid->phrases[m].mask |= ph.mask;
                    merged = 1;
                    break;
                }
            if (merged)
                continue;
            while (j > 0 && phrase_cmp(&aid->phrases[j - 1], &ph) > 0) {
                aid->phrases[j] = aid->phrases[j - 1];
                j--;
            }
            aid->phrases[j] = ph;
            aid->n_phrases++;
        }
    *out = aid;
    return LW_OK;
}

const lw_aid_set *decision_aid_set(const lw_aid *aid) {
    return aid->set;
}

int decision_aid_category_find(const lw_aid *aid, const char *id) {
    for (size_t i = 0; id && i < aid->set->n_categories; i++)
        if (strcmp(aid->set->categories[i].id, id) == 0)
            return (int)i;
    return -1;
}

int decision_aid_question_find(const lw_aid *aid, const char *id) {
    for (size_t i = 0; id && i < aid->set->n_questions; i++)
        if (strcmp(aid->set->questions[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* ---- classification ---- */

/* The categories the phrases found in TEXT name. */
static uint64_t text_categories(const lw_aid *aid, const char *text) {
    uint64_t words[TEXT_WORDS];
    size_t n = match_stems(text, words, TEXT_WORDS);
    uint64_t mask = 0;
    for (size_t i = 0; i < n; i++) {
        /* The first phrase starting with this word (binary search), then each one. */
        size_t lo = 0, hi = aid->n_phrases;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (aid->phrases[mid].stem[0] < words[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < aid->n_phrases && aid->phrases[k].stem[0] == words[i]; k++) {
            const phrase *ph = &aid->phrases[k];
            if (i + ph->len <= n && memcmp(&words[i], ph->stem, ph->len * sizeof words[0]) == 0)
                mask |= ph->mask;
        }
    }
    return mask;
}

uint64_t decision_aid_classify(const lw_aid *aid, const lw_match_service *s) {
    uint64_t mask = 0;
    for (size_t i = 0; i < s->n_terms; i++)
        if (s->terms[i])
            mask |= text_categories(aid, s->terms[i]);
    if (!mask && s->name)
        mask = text_categories(aid, s->name);
    if (!mask)
        for (size_t i = 0; i < aid->set->n_categories; i++)
            if (aid->set->categories[i].listed_needs & s->needs)
                mask |= (uint64_t)1 << i;
    return mask;
}

static uint32_t mask_traits(const lw_aid *aid, uint64_t mask) {
    uint32_t t = 0;
    for (size_t i = 0; i < aid->set->n_categories; i++)
        if (mask & ((uint64_t)1 << i))
            t |= aid->set->categories[i].traits;
    return t;
}

void decision_aid_prepare(const lw_aid *aid, lw_match_service *s, size_t n, uint64_t *categories) {
    for (size_t i = 0; i < n; i++) {
        uint64_t mask = decision_aid_classify(aid, &s[i]);
        s[i].traits = mask_traits(aid, mask);
        if (categories)
            categories[i] = mask;
    }
}

size_t decision_aid_categories_for_needs(const lw_aid *aid,
                                         const uint8_t needs[LW_MATCH_NEED_COUNT], uint64_t local,
                                         size_t *out, size_t cap) {
    unsigned weight[LW_AID_MAX_CATEGORIES];
    size_t idx[LW_AID_MAX_CATEGORIES], n = 0;
    unsigned any = 0;
    for (int k = 0; k < LW_MATCH_NEED_COUNT; k++)
        any += needs[k];
    for (size_t i = 0; i < aid->set->n_categories; i++) {
        if (!(local & ((uint64_t)1 << i)))
            continue;
        unsigned w = 0;
        for (int k = 0; k < LW_MATCH_NEED_COUNT; k++)
            if (aid->set->categories[i].needs & LW_MATCH_NEED_BIT(k))
                w += needs[k];
        if (any && w == 0)
            continue;
        /* Insertion: heavier first, the set's order among equals. */
        size_t j = n++;
        while (j > 0 && weight[j - 1] < w) {
            weight[j] = weight[j - 1];
            idx[j] = idx[j - 1];
            j--;
        }
        weight[j] = w;
        idx[j] = i;
    }
    size_t m = n < cap ? n : cap;
    for (size_t i = 0; i < m; i++)
        out[i] = idx[i];
    return m;
}

size_t decision_aid_options(const lw_match_result *results, size_t n, const uint64_t *categories,
                            size_t category, size_t *out, size_t cap) {
    size_t m = 0;
    if (category >= LW_AID_MAX_CATEGORIES)
        return 0;
    for (size_t i = 0; i < n && m < cap; i++)
        if (categories[results[i].index] & ((uint64_t)1 << category))
            out[m++] = i;
    return m;
}

/* ---- ratings ---- */

void decision_aid_ratings_init(lw_aid_ratings *r) {
    for (int i = 0; i < LW_AID_MAX_QUESTIONS; i++)
        r->value[i] = LW_AID_NOT_RATED;
}

static const char *question_list(const lw_aid *aid, char *buf, size_t size) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < aid->set->n_questions && used < size; i++) {
        int k = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", aid->set->questions[i].id);
        if (k < 0)
            break;
        used += (size_t)k;
    }
    return buf;
}

lw_status decision_aid_rate(const lw_aid *aid, lw_aid_ratings *r, const char *question,
                            long long value, lw_error *err) {
    char field[96];
    snprintf(field, sizeof field, "ratings.%s", question ? question : "");
    int q = decision_aid_question_find(aid, question);
    if (q < 0) {
        char list[400];
        return lw_fail(err, LW_EINVAL, field, "is not one of the questions (%s)",
                       question_list(aid, list, sizeof list));
    }
    if (value < 0 || value > LW_AID_RATING_MAX)
        return lw_fail(err, LW_EINVAL, field,
                       "must be a whole number from 0 (does not matter) to %d (matters most)",
                       LW_AID_RATING_MAX);
    r->value[q] = (int8_t)value;
    return LW_OK;
}

lw_status decision_aid_weights(const lw_aid *aid, const lw_aid_ratings *r, lw_match_weights *w,
                               lw_error *err) {
    match_weights_default(w);
    lw_match_weights base = *w;
    int top_trait = 0;
    for (size_t i = 0; i < LW_AID_MAX_QUESTIONS; i++) {
        int v = r->value[i];
        if (v == LW_AID_NOT_RATED)
            continue;
        if (i >= aid->set->n_questions || v < 0 || v > LW_AID_RATING_MAX) {
            char field[96];
            snprintf(field, sizeof field, "ratings.%s",
                     i < aid->set->n_questions ? aid->set->questions[i].id : "?");
            return lw_fail(err, LW_EINVAL, field,
                           i < aid->set->n_questions
                               ? "must be a whole number from 0 (does not matter) to 10 (matters "
                                 "most)"
                               : "is not one of the questions");
        }
        const lw_aid_question *q = &aid->set->questions[i];
        if (q->kind == LW_AID_PART) {
            w->part[q->target] = (uint16_t)((base.part[q->target] * (unsigned)v + 2) / 5);
            if (q->target == LW_MATCH_PART_MENTAL_HEALTH && v > 0)
                w->mental_health_for_all = true;
        } else {
            if (v > w->trait[q->target])
                w->trait[q->target] = (uint8_t)v;
            if (v > top_trait)
                top_trait = v;
        }
    }
    w->part[LW_MATCH_PART_WHAT_MATTERS] = (uint16_t)(2 * top_trait);
    return LW_OK;
}

lw_status decision_aid_rerank(lw_arena *a, const lw_aid *aid, const lw_aid_ratings *r,
                              const lw_match_person *p, const lw_match_service *s, size_t n,
                              lw_match_result *results, size_t n_results, lw_error *err) {
    lw_match_weights w;
    lw_status st = decision_aid_weights(aid, r, &w, err);
    if (st != LW_OK)
        return st;
    for (size_t i = 0; i < n_results; i++)
        if (results[i].index >= n)
            return lw_fail(err, LW_EINVAL, "results", "result %zu names service %zu of %zu", i,
                           results[i].index, n);
    for (size_t i = 0; i < n_results; i++) {
        size_t index = results[i].index;
        bool included;
        lw_match_excluded exc;
        st = match_one(a, p, &w, &s[index], index, &included, &results[i], &exc, err);
        if (st != LW_OK)
            return st;
        if (!included) /* filters do not depend on ratings: only with another person */
            return lw_fail(err, LW_EINVAL, "results", "%s is excluded for this person: %s",
                           s[index].id ? s[index].id : "a service", exc.reason);
    }
    match_sort(results, n_results);
    return LW_OK;
}
