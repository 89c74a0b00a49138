#!/usr/bin/env bash
# The directory benchmark (issue 4): generates 100,000 services (bench/gen_services.py),
# imports them with `linkwell import oruk` (time and peak memory), serves them on
# loopback and loads the search with wrk: random two-word searches + a taxonomy term +
# a proximity filter, a page of 20 (bench/wrk_search.lua), plus the fixed "walking group"
# search of the peer anchors. Prints WRK_RESULT lines and the server's resident memory.
# The server is stopped by its process id.
#
# usage: bench/run_directory.sh [--backend sqlite|postgres] [--procs N] [LINKWELL] [WORKDIR]
#        (defaults: sqlite, 1, build/release/linkwell, /var/tmp/lwbench); REPEATS (default 3),
#        WRK_ARGS (default -t2 -c64 -d10s), PORT, SERVE_FLAGS (more `serve` flags, e.g.
#        "--search-cache-mb 0" to measure the index without the result cache).
#   --backend postgres: the imported SQLite file is moved into a private PostgreSQL server
#   by `linkwell migrate-to-postgres` and served from there; --procs N: N serve processes
#   on PORT .. PORT+N-1, loaded at once (bench/referrals/servers.sh: one wrk each with
#   WRK_ARGS' threads and connections divided by N, req/s summed, the worst p99).
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
if [ "$PROCS" -gt 1 ] && [ "$BACKEND" != postgres ]; then
  echo "run_directory.sh: several serve processes share a PostgreSQL database (--backend postgres)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
LW="$(realpath "${1:-build/release/linkwell}")"
W="${2:-/var/tmp/lwbench}"
REPEATS="${REPEATS:-3}"
WRK_ARGS="${WRK_ARGS:--t2 -c64 -d10s}"
PORT="${PORT:-18090}"
A="$(realpath ../shared/bench-anchors 2>/dev/null || true)"
mkdir -p "$W"
note() { echo "# date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ) nproc=$(nproc) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\" commit=$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo +changes)"; }

[ -s "$W/services_100k.json" ] || python3 bench/gen_services.py 100000 > "$W/services_100k.json"
sha256sum "$W/services_100k.json"
rm -f "$W"/bench.db "$W"/bench.db-wal "$W"/bench.db-shm "$W"/bench.db-reads*
"$LW" init --db "$W/bench.db" >/dev/null
note
echo "import:"
/usr/bin/time -f "import_wall_s=%e user_s=%U sys_s=%S max_rss_kb=%M" \
    "$LW" import oruk --db "$W/bench.db" "$W/services_100k.json" 2>&1 >"$W/import.out" | grep -v '^linkwell:'
head -1 "$W/import.out"
/usr/bin/time -f "reimport_wall_s=%e user_s=%U sys_s=%S max_rss_kb=%M" \
    "$LW" import oruk --db "$W/bench.db" "$W/services_100k.json" 2>&1 >"$W/import2.out" | grep -v '^linkwell:'
head -1 "$W/import2.out"

source bench/referrals/servers.sh # bench_backend, bench_serve, bench_wrk; stopped on exit
echo "# backend=$BACKEND procs=$PROCS"
bench_backend "$LW" "$W/bench.db" "$BACKEND"
# shellcheck disable=SC2086 # SERVE_FLAGS: extra serve flags, split on spaces
bench_serve "$LW" "$PORT" "$PROCS" "$W/serve.err" --no-access-log ${SERVE_FLAGS:-}
# The first search builds the index (in each process).
for p in "${PORTS[@]}"; do
  curl -s -o /dev/null -w "first search on port $p (builds the index): %{time_total} s\n" \
      "http://127.0.0.1:$p/openreferral/services?search=walking+group&per_page=20"
done
grep -h 'search index' "$W"/serve.err.* || true
TERM_ID=$(python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('6f1f2f3e-0000-4000-8000-000000000042'), 'term/physical_activity'))")
WALK="/openreferral/services?search=walking+group&taxonomy_term_id=$TERM_ID&per_page=20"
curl -s -o /dev/null -w "walking group page: %{size_download} bytes\n" "http://127.0.0.1:$PORT$WALK"
REPORT="$A/wrk_report.lua"
[ -f "$REPORT" ] || REPORT=bench/wrk_search.lua
# The result cache's lookups so far (hits and misses, summed over the processes).
cache_lookups() {
  for p in "${PORTS[@]}"; do curl -s "http://127.0.0.1:$p/metrics"; done |
    awk '/^linkwell_search_cache_lookups_total\{outcome="hit"\}/{h += $NF}
         /^linkwell_search_cache_lookups_total\{outcome="miss"\}/{m += $NF} END{print h + 0, m + 0}'
}
WRK_ARGS="-t2 -c64 -d3s" bench_wrk bench/wrk_search.lua / >/dev/null   # warm-up
read -r H0 M0 < <(cache_lookups)
for i in $(seq 1 "$REPEATS"); do
    note
    echo "wrk $WRK_ARGS --latency -s bench/wrk_search.lua (random), backend=$BACKEND procs=$PROCS"
    bench_wrk bench/wrk_search.lua /
done
read -r H1 M1 < <(cache_lookups)
# 12 categories x 6 words x 10 generic words x 35 districts = 25,200 distinct searches.
echo "random searches answered from the result cache: $((H1 - H0)) of $((H1 - H0 + M1 - M0))" \
     "($(awk -v h=$((H1 - H0)) -v m=$((M1 - M0)) 'BEGIN{printf "%.1f", h + m ? 100 * h / (h + m) : 0}')%)"
for i in $(seq 1 "$REPEATS"); do
    note
    echo "wrk $WRK_ARGS --latency -s wrk_report.lua '$WALK', backend=$BACKEND procs=$PROCS"
    bench_wrk "$REPORT" "$WALK"
done
for PID in "${BENCH_PIDS[@]}"; do
  echo "serve resident memory (pid $PID): $(awk '/VmRSS/{print $2, $3}' /proc/$PID/status)"
done
bench_stop
