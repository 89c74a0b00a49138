-- wrk: a link worker's caseload (GET /api/v1/cases?assignee=me, 50 per page), each
-- request as one of the 200 signed-in link workers at random (session cookies in the
-- file named by the COOKIES environment variable, one "lw_session=..." per line).
-- Prints WRK_RESULT like the anchors' wrk_report.lua.
local cookies = {}
for line in io.lines(os.getenv("COOKIES")) do cookies[#cookies + 1] = line end
local seed = 1
function init(args) seed = 4242 + (tonumber(tostring({}):match("0x(%x+)"), 16) or 1) % 100000 end
local function rnd(n) seed = (seed * 16807) % 2147483647; return (seed % n) + 1 end
function request()
  return wrk.format("GET", "/api/v1/cases?assignee=me&per_page=50",
                    {["Cookie"] = cookies[rnd(#cookies)]})
end
dofile(os.getenv("ANCHORS") .. "/wrk_report.lua")
