#!/usr/bin/env bash
# Server CPU per request for the referral journey: the caseload read and the
# referral create, on a database from gen_referrals.sh. Throughput on a shared
# machine is noise; CPU time per request (user + system seconds of the server
# process, from /proc/PID/stat, divided by the requests answered) is not.
#
# Usage: bench/referrals/cpu.sh PATH_TO_LINKWELL DB_FILE [serve flags...]
# Environment: CONNS (wrk connections, default 16), SECS (per operation, 10),
# PORT (18096), OPS ("caseload referral"). Works on a copy of nothing: referral
# creates add rows to DB_FILE, so give it a copy you can throw away.
# Prints one line per operation: CPU_RESULT op=... requests=... cpu_us_per_req=...
set -euo pipefail
BIN=$(cd "$(dirname "${1:?usage: cpu.sh PATH_TO_LINKWELL DB_FILE}")" && pwd)/$(basename "$1")
DB=${2:?usage: cpu.sh PATH_TO_LINKWELL DB_FILE}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
export ANCHORS=${ANCHORS:-$(cd "$HERE/../../../shared/bench-anchors" && pwd)}
PORT=${PORT:-18096}
CONNS=${CONNS:-16}
SECS=${SECS:-10}
OPS=${OPS:-caseload referral}
OUT=$(mktemp -d /tmp/lwcpu-XXXXXX)
PW=bench-password-1
URL=http://127.0.0.1:$PORT

"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" --no-access-log --jobs-interval 0 "$@" \
  2>"$OUT/serve.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true; rm -rf "$OUT"' EXIT
for _ in $(seq 1 100); do
  grep -q "serving on port" "$OUT/serve.log" && break
  sleep 0.1
done
# serve loads the reports' facts on a thread of its own as it starts (about 6 s at
# 1,000,000 referrals): wait for that, or its CPU would count against the requests.
for _ in $(seq 1 1200); do
  grep -q "report facts" "$OUT/serve.log" && break
  sleep 0.1
done

login() { # login EMAIL -> prints "cookie csrf"
  local hdr body
  hdr=$(mktemp) body=$(curl -s -D "$hdr" -H 'Content-Type: application/json' \
    -d "{\"email\": \"$1\", \"password\": \"$PW\"}" "$URL/api/v1/session")
  printf '%s %s\n' "$(sed -n 's/^Set-Cookie: \(lw_session=[^;]*\).*/\1/ip' "$hdr")" \
    "$(printf '%s' "$body" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')"
  rm -f "$hdr"
}
: >"$OUT/cookies"
for i in $(seq 1 200); do login "lw$i@bench.example" | cut -d' ' -f1 >>"$OUT/cookies"; done
read -r COOKIE CSRF < <(login gp@bench.example)
export COOKIES=$OUT/cookies COOKIE CSRF
ORGS=$(sqlite3 "$DB" "SELECT group_concat(id) FROM organisations WHERE kind = 'link_worker_service'")
export ORGS

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
for op in $OPS; do
  wrk -t1 -c"$CONNS" -d2s -s "$HERE/wrk_$op.lua" "$URL" >/dev/null # warm-up
  t0=$(cpu_ticks)
  line=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$HERE/wrk_$op.lua" "$URL" | grep WRK_RESULT)
  t1=$(cpu_ticks)
  n=$(printf '%s' "$line" | grep -o 'requests=[0-9]*' | cut -d= -f2)
  hz=$(getconf CLK_TCK)
  echo "CPU_RESULT op=$op cpu_us_per_req=$(((t1 - t0) * 1000000 / hz / n)) $line"
done
