-- wrk: a GP's referral (POST /api/v1/referrals) for a new person each time, to one of
-- the ten link worker services at random; signed in with a session cookie and its CSRF
-- token (environment: COOKIE, CSRF, ORGS = comma-separated organisation ids).
-- Each answer is 201 after the referral, the person and their audit rows are durably
-- committed. Prints WRK_RESULT like the anchors' wrk_report.lua.
local orgs = {}
for id in string.gmatch(os.getenv("ORGS"), "%d+") do orgs[#orgs + 1] = id end
local headers = {["Cookie"] = os.getenv("COOKIE"), ["X-CSRF-Token"] = os.getenv("CSRF"),
                 ["Content-Type"] = "application/json"}
local seed, n = 1, 0
function init(args) seed = 777 + (tonumber(tostring({}):match("0x(%x+)"), 16) or 1) % 100000 end
local function rnd(k) seed = (seed * 16807) % 2147483647; return (seed % k) + 1 end
function request()
  n = n + 1
  local body = string.format(
    '{"person": {"given_name": "Bench%d", "family_name": "Person%d-%d", "date_of_birth": "19%02d-%02d-%02d", "postcode": "S60 1AE"}, '
    .. '"reasons": ["isolation", "mood"], "details": "Lives alone since last year.", "urgency": "routine", '
    .. '"consent": {"share": true}, "to_organisation_id": %s}',
    rnd(100000), seed, n, 30 + rnd(60), rnd(12), rnd(28), orgs[rnd(#orgs)])
  return wrk.format("POST", "/api/v1/referrals", headers, body)
end
dofile(os.getenv("ANCHORS") .. "/wrk_report.lua")
