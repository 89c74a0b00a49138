#!/usr/bin/env python3
"""Generates N realistic services (default 100,000) as one HSDS 3.0 JSON list for
`linkwell import oruk`, deterministically (seed 42), with the search vocabulary of the
peer anchors (../shared/bench-anchors/search_words.txt): each service belongs to one
of 12 categories (a taxonomy term under one parent), its name and its 40-80-word
description use that category's activity words and the generic words, and it runs at
one place clustered round the South Yorkshire postcode districts in data/outcodes.csv
(the districts linkwell can locate), with a weekly schedule, ages, a cost and a
capacity. Also writes bench/wrk_search.lua, the wrk script of random searches.

usage: bench/gen_services.py [N] > services.json
"""
import json, random, sys, uuid, os

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
HERE = os.path.dirname(os.path.abspath(__file__))
CATS = [
    ("physical_activity", "Physical activity", "walking swimming yoga dance cycling football"),
    ("arts_creativity", "Arts and creativity", "art painting choir singing music crafts"),
    ("mental_wellbeing", "Mental wellbeing", "mindfulness meditation peer anxiety recovery wellbeing"),
    ("befriending_social", "Befriending and social", "befriending coffee lunch friendship chat games"),
    ("money_debt", "Money and debt", "debt benefits budgeting money welfare grants"),
    ("housing", "Housing", "housing tenancy homelessness repairs rent accommodation"),
    ("employment_skills", "Employment and skills", "employment job interview skills training digital"),
    ("volunteering", "Volunteering", "volunteering volunteer litter conservation mentoring fundraising"),
    ("food_nutrition", "Food and nutrition", "cooking eating food kitchen nutrition baking"),
    ("nature_green", "Nature and green spaces", "gardening allotment nature outdoors wildlife park"),
    ("carers_family", "Carers and family", "carers family parenting respite dementia bereavement"),
    ("long_term_conditions", "Long-term conditions", "diabetes breathing heart pain weight smoking"),
]
GENERIC = "group session club support weekly free friendly local community people".split()
FILLER = ("for adults who want to meet others and try something new in a welcoming space "
          "run by trained volunteers with tea and biscuits every time no experience needed "
          "just come along on the day or ring first if you have questions about access").split()
NS = uuid.UUID("6f1f2f3e-0000-4000-8000-000000000042")


def uid(kind, key):
    return str(uuid.uuid5(NS, f"{kind}/{key}"))


def outcodes():
    rows = []
    with open(os.path.join(HERE, "..", "data", "outcodes.csv")) as f:
        for line in f:
            if line.startswith("#") or line.startswith("outcode"):
                continue
            oc, lat, lon = line.strip().split(",")
            rows.append((oc, float(lat), float(lon)))
    return rows


def main():
    rnd = random.Random(42)
    places = outcodes()
    tax = uid("taxonomy", "bench")
    parent = uid("term", "all")
    terms = {slug: uid("term", slug) for slug, _, _ in CATS}
    orgs = [(uid("org", i), f"{rnd.choice(['Northside', 'Hillside', 'Valley', 'Riverside', 'Moorland', 'Parkside'])} "
             f"{rnd.choice(['Community Trust', 'Wellbeing CIC', 'Neighbours', 'Partnership', 'Project', 'Network'])} {i}")
            for i in range(max(1, N // 20))]
    out = sys.stdout
    out.write('{"total_items": %d, "contents": [\n' % N)
    for i in range(N):
        slug, title, words = rnd.choice(CATS)
        words = words.split()
        act, gen = rnd.choice(words), rnd.choice(GENERIC)
        oc, lat, lon = rnd.choice(places)
        oid, oname = rnd.choice(orgs)
        n = rnd.randint(40, 80)
        desc = " ".join(rnd.choice(words + GENERIC + FILLER + FILLER) for _ in range(n))
        sid = uid("service", i)
        lid = uid("location", i)
        day = rnd.choice(["MO", "TU", "WE", "TH", "FR", "SA", "SU"])
        hour = rnd.randint(9, 18)
        free = rnd.random() < 0.6
        svc = {
            "id": sid, "name": f"{oc} {act.capitalize()} {gen.capitalize()}",
            "description": desc.capitalize() + ".", "status": "active",
            "email": "hello@example.org", "url": "https://example.org/",
            "minimum_age": rnd.choice([0, 16, 18, 18, 50]),
            "organization": {"id": oid, "name": oname, "description": "A local charity."},
            "schedules": [{"id": sid, "freq": "WEEKLY", "byday": day,
                           "opens_at": "%02d:00:00" % hour, "closes_at": "%02d:00:00" % (hour + 2)}],
            "cost_options": [{"id": sid, "amount": 0 if free else rnd.randint(2, 12), "currency": "GBP"}],
            "service_at_locations": [{"id": sid, "location_id": lid, "location": {
                "id": lid, "name": f"{oc} Community Centre", "location_type": "physical",
                "latitude": round(lat + rnd.gauss(0, 0.02), 6),
                "longitude": round(lon + rnd.gauss(0, 0.03), 6),
                "addresses": [{"id": lid, "address_1": "High Street", "city": "South Yorkshire",
                               "postal_code": f"{oc} {rnd.randint(1, 9)}AB", "country": "GB",
                               "address_type": "physical"}]}}],
            "attributes": [{"id": sid, "taxonomy_term_id": terms[slug], "taxonomy_term": {
                "id": terms[slug], "name": title, "description": title, "parent_id": parent,
                "taxonomy_id": tax}}],
        }
        out.write(json.dumps(svc, separators=(",", ":")))
        out.write(",\n" if i + 1 < N else "\n")
    out.write("]}\n")
    # The wrk script: a random activity word + generic word of a random category, that
    # category's taxonomy term, a proximity filter round a district, a page of 20.
    lua = ["-- Generated by bench/gen_services.py: random searches over its data set.",
           "local cats = {"]
    for slug, _, words in CATS:
        lua.append('  {"%s", %s},' % (terms[slug], ", ".join('"%s"' % w for w in words.split())))
    lua.append("}")
    lua.append("local generic = {%s}" % ", ".join('"%s"' % g for g in GENERIC))
    lua.append("local places = {%s}" % ", ".join('"%s"' % p[0] for p in places if p[0].startswith("S")))
    lua.append('''local seed = 1
function init(args) seed = 12345 + (tonumber(tostring({}):match("0x(%x+)"), 16) or 1) % 100000 end
local function rnd(n) seed = (seed * 16807) % 2147483647; return (seed % n) + 1 end
function request()
  local c = cats[rnd(#cats)]
  local q = c[1 + rnd(#c - 1)] .. "+" .. generic[rnd(#generic)]
  return wrk.format("GET", "/openreferral/services?search=" .. q .. "&taxonomy_term_id=" .. c[1] ..
    "&postcode=" .. places[rnd(#places)] .. "&proximity=20000&per_page=20")
end
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local errs = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(
    "WRK_RESULT rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f requests=%d bytes=%d errors=%d non2xx=%d\\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests, summary.bytes, errs, e.status))
end''')
    with open(os.path.join(HERE, "wrk_search.lua"), "w") as f:
        f.write("\n".join(lua) + "\n")


main()
