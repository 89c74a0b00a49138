#!/usr/bin/env bash
# Caseload reads and referral writes through HTTP, measured with wrk on loopback
# with the anchors' client settings, on a database from gen_referrals.sh.
#
# Usage: bench/referrals/run.sh PATH_TO_LINKWELL DB_FILE [serve flags...]
# Environment: ANCHORS (default ../shared/bench-anchors), PORT (18095), REPEATS (3),
# WRK_ARGS ("-t2 -c64 -d10s"), OUT (a directory for the raw logs; default a temporary one).
# Prints one line per run (WRK_RESULT ...) and the median of each measure.
set -euo pipefail
BIN=$(cd "$(dirname "${1:?usage: run.sh PATH_TO_LINKWELL DB_FILE}")" && pwd)/$(basename "$1")
DB=${2:?usage: run.sh PATH_TO_LINKWELL DB_FILE}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
export ANCHORS=${ANCHORS:-$(cd "$HERE/../../../shared/bench-anchors" && pwd)}
PORT=${PORT:-18095}
REPEATS=${REPEATS:-3}
WRK_ARGS=${WRK_ARGS:--t2 -c64 -d10s}
OUT=${OUT:-$(mktemp -d /tmp/lwbench-XXXXXX)}
PW=bench-password-1
URL=http://127.0.0.1:$PORT

"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" --no-access-log --jobs-interval 0 "$@" \
  2>"$OUT/serve.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "serving on port" "$OUT/serve.log" && break
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

measure() { # measure NAME SCRIPT
  local name=$1 script=$2
  wrk -t2 -c64 -d3s -s "$script" "$URL" >/dev/null # warm-up
  for i in $(seq 1 "$REPEATS"); do
    echo "# $name run $i $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/$name.log"
    # shellcheck disable=SC2086
    wrk $WRK_ARGS --latency -s "$script" "$URL" | tee -a "$OUT/$name.log" | grep WRK_RESULT |
      sed "s/^/$name /"
  done
  grep -o 'rps=[0-9.]*' "$OUT/$name.log" | cut -d= -f2 | sort -g |
    awk -v n="$name" '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
      printf "%s median_rps=%.0f min=%.0f max=%.0f runs=%d\n", n, m, v[1], v[NR], NR}'
}

measure caseload "$HERE/wrk_caseload.lua"
measure referral "$HERE/wrk_referral.lua"
echo "raw logs in $OUT"
