#!/usr/bin/env bash
# Every report over 1,000,000 referrals with their cases, prescriptions, contacts,
# measures, decisions, pathways and GP counts: in process (the engine alone, CPU
# time per report) and through HTTP (curl -w %{time_total}: routing, sign-in by
# token, the refresh from the audit log, the report, its audit row, the answer).
#
# Usage: bench/reports/run.sh PATH_TO_LINKWELL DB_FILE [serve flags...]
#   DB_FILE is made when missing: bench/referrals/gen_referrals.sh, then
#   bench/reports/gen_facts.sh (about 2-4 minutes on 2 cores).
# Environment: RUNS (20 per report), PORT (18096), FORMATS ("json csv svg"), SKIP_INPROC (set:
# HTTP only),
# OUT (a directory for the raw logs; default a temporary one).
# Prints, per report and format, p50 and max of RUNS requests in ms.
set -euo pipefail
BIN=$(cd "$(dirname "${1:?usage: run.sh PATH_TO_LINKWELL DB_FILE}")" && pwd)/$(basename "$1")
DB=${2:?usage: run.sh PATH_TO_LINKWELL DB_FILE}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-20}
PORT=${PORT:-18096}
FORMATS=${FORMATS:-json csv svg}
OUT=${OUT:-$(mktemp -d /tmp/lwbench-reports-XXXXXX)}
URL=http://127.0.0.1:$PORT
REPORTS="referrals-by-month time-to-first-contact take-up completion discharge outcomes
demand-capacity unmet-need gp-consultations caseload decisions"

if [ ! -f "$DB" ]; then
  "$HERE/../referrals/gen_referrals.sh" "$BIN" "$DB"
  "$HERE/gen_facts.sh" "$DB"
fi
export LINKWELL_PASSWORD_COST=min
if ! "$BIN" token --db "$DB" --email admin@bench.example >/dev/null 2>&1; then
  "$BIN" org add --db "$DB" --name "Bench Administration" --kind other >/dev/null
  echo bench-password-1 | "$BIN" user add --db "$DB" --org "Bench Administration" --role admin \
    --email admin@bench.example --name "Bench Admin" >/dev/null
fi
TOKEN=$("$BIN" token --db "$DB" --email admin@bench.example)
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

if [ -z "${SKIP_INPROC:-}" ]; then
  echo "## in process ($RUNS runs each, after loading the facts once)"
  "$BIN" report all --db "$DB" --time --repeat "$RUNS" 2>&1 | tee "$OUT/inproc.log"
fi

echo "## HTTP ($RUNS requests each, one at a time, after one warm-up request per report)"
"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" --no-access-log --jobs-interval 0 "$@" \
  2>"$OUT/serve.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "serving on port" "$OUT/serve.log" && break
  sleep 0.1
done
get() { # get PATH -> prints time_total in ms; fails on a non-200
  local code t
  read -r code t < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' \
    -H "Authorization: Bearer $TOKEN" "$URL$1")
  [ "$code" = 200 ] || { echo "GET $1: HTTP $code" >&2; exit 1; }
  awk -v t="$t" 'BEGIN { printf "%.2f\n", t * 1000 }'
}
echo "first report (loads the facts): $(get /api/v1/reports/take-up) ms"
grep 'report facts' "$OUT/serve.log" || true
# The server's CPU time (user + system, in clock ticks) from /proc: CPU per request.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER/stat"; }
TICK=$(getconf CLK_TCK)
printf '%-24s %-5s %9s %9s %12s\n' report format p50_ms max_ms server_cpu_ms
for r in $REPORTS; do
  for f in $FORMATS; do
    get "/api/v1/reports/$r?format=$f" >/dev/null # warm-up
    : >"$OUT/$r.$f.ms"
    c0=$(cpu_ticks)
    for _ in $(seq 1 "$RUNS"); do get "/api/v1/reports/$r?format=$f" >>"$OUT/$r.$f.ms"; done
    cpu=$(awk -v a="$c0" -v b="$(cpu_ticks)" -v t="$TICK" -v n="$RUNS" \
      'BEGIN { printf "%.1f", (b - a) * 1000 / t / n }')
    sort -g "$OUT/$r.$f.ms" | awk -v r="$r" -v f="$f" -v c="$cpu" '{v[NR]=$1} END {
      printf "%-24s %-5s %9.2f %9.2f %12s\n", r, f, v[int((NR + 1) / 2)], v[NR], c }'
  done
done
echo "raw logs in $OUT"
