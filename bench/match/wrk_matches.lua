-- GET /api/v1/cases/{id}/matches as a link worker (bench/match/run.sh sets TOKEN and
-- CASE_ID in the environment): one person ranked against the whole directory, a page of 20.
local token = os.getenv("TOKEN")
local case_id = os.getenv("CASE_ID")
local query = os.getenv("QUERY") or "?per_page=20"

request = function()
  return wrk.format("GET", "/api/v1/cases/" .. case_id .. "/matches" .. query,
                    {["Authorization"] = "Bearer " .. token})
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local errs = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(
    "WRK_RESULT rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f requests=%d bytes=%d errors=%d non2xx=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests, summary.bytes, errs, e.status))
end
