#!/usr/bin/env bash
# Caseload reads and referral writes through HTTP, measured with wrk on loopback
# with the anchors' client settings, on a database from gen_referrals.sh.
#
# Usage: bench/referrals/run.sh [--backend sqlite|postgres] [--procs N] PATH_TO_LINKWELL DB_FILE
#        [serve flags...]
#   --backend postgres: a private PostgreSQL server (bench/referrals/servers.sh) loaded
#       from DB_FILE by `linkwell migrate-to-postgres` (DB_FILE is only read; the
#       referral writes go to PostgreSQL). The default, sqlite, serves DB_FILE itself.
#   --procs N (default 1): N serve processes on ports PORT .. PORT+N-1 on the same
#       database, loaded at once by one wrk each with the threads and connections of
#       WRK_ARGS divided by N; req/s summed, latency percentiles the worst process's.
# Environment: ANCHORS (default ../shared/bench-anchors), PORT (18095), REPEATS (3),
# WRK_ARGS ("-t2 -c64 -d10s"), WRK_ARGS_EACH (overrides the divided per-process
# arguments), OUT (a directory for the raw logs; default a temporary one).
# Prints one line per run (WRK_RESULT ...) and the median of each measure.
set -euo pipefail
BACKEND=sqlite
PROCS=1
while [ $# -gt 0 ]; do
  case "$1" in
  --backend) BACKEND=${2:?--backend sqlite|postgres}; shift 2 ;;
  --procs) PROCS=${2:?--procs N}; shift 2 ;;
  *) break ;;
  esac
done
BIN=$(cd "$(dirname "${1:?usage: run.sh [--backend sqlite|postgres] [--procs N] PATH_TO_LINKWELL DB_FILE}")" && pwd)/$(basename "$1")
DB=${2:?usage: run.sh [--backend sqlite|postgres] [--procs N] PATH_TO_LINKWELL DB_FILE}
shift 2
if [ "$PROCS" -gt 1 ] && [ "$BACKEND" != postgres ]; then
  echo "run.sh: several serve processes share a PostgreSQL database (--backend postgres)" >&2
  exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
export ANCHORS=${ANCHORS:-$(cd "$HERE/../../../shared/bench-anchors" && pwd)}
PORT=${PORT:-18095}
REPEATS=${REPEATS:-3}
WRK_ARGS=${WRK_ARGS:--t2 -c64 -d10s}
OUT=${OUT:-$(mktemp -d /tmp/lwbench-XXXXXX)}
mkdir -p "$OUT"
PW=bench-password-1
URL=http://127.0.0.1:$PORT
source "$HERE/servers.sh" # bench_backend, bench_serve, bench_wrk; stops everything on exit

echo "# backend=$BACKEND procs=$PROCS date_utc=$(date -u +%FT%TZ) nproc=$(nproc) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
bench_backend "$BIN" "$DB" "$BACKEND"
bench_serve "$BIN" "$PORT" "$PROCS" "$OUT/serve.log" --no-access-log --jobs-interval 0 "$@"

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
  WRK_ARGS="-t2 -c64 -d3s" WRK_ARGS_EACH="" bench_wrk "$script" / >/dev/null # warm-up
  for i in $(seq 1 "$REPEATS"); do
    echo "# $name run $i backend=$BACKEND procs=$PROCS $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/$name.log"
    BENCH_RAW="$OUT/$name.raw" bench_wrk "$script" / | tee -a "$OUT/$name.log" | sed "s/^/$name /"
  done
  grep -o 'rps=[0-9.]*' "$OUT/$name.log" | cut -d= -f2 | sort -g |
    awk -v n="$name" '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
      printf "%s median_rps=%.0f min=%.0f max=%.0f runs=%d\n", n, m, v[1], v[NR], NR}'
  grep -o 'p99_ms=[0-9.]*' "$OUT/$name.log" | cut -d= -f2 | sort -g |
    awk -v n="$name" '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
      printf "%s median_p99_ms=%.1f min=%.1f max=%.1f\n", n, m, v[1], v[NR]}'
}

measure caseload "$HERE/wrk_caseload.lua"
measure referral "$HERE/wrk_referral.lua"
echo "raw logs in $OUT"
