#!/usr/bin/env bash
# The directory benchmark (issue 4): generates 100,000 services (bench/gen_services.py),
# imports them with `linkwell import oruk` (time and peak memory), serves them on
# loopback and loads the search with wrk: random two-word searches + a taxonomy term +
# a proximity filter, a page of 20 (bench/wrk_search.lua), plus the fixed "walking group"
# search of the peer anchors. Prints WRK_RESULT lines and the server's resident memory.
# The server is stopped by its process id.
#
# usage: bench/run_directory.sh [LINKWELL] [WORKDIR]   (defaults: build/release/linkwell,
#        /var/tmp/lwbench); REPEATS (default 3), WRK_ARGS (default -t2 -c64 -d10s), PORT.
set -euo pipefail
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
rm -f "$W/bench.db" "$W/bench.db-wal" "$W/bench.db-shm"
"$LW" init --db "$W/bench.db" >/dev/null
note
echo "import:"
/usr/bin/time -f "import_wall_s=%e user_s=%U sys_s=%S max_rss_kb=%M" \
    "$LW" import oruk --db "$W/bench.db" "$W/services_100k.json" 2>&1 >"$W/import.out" | grep -v '^linkwell:'
head -1 "$W/import.out"
/usr/bin/time -f "reimport_wall_s=%e user_s=%U sys_s=%S max_rss_kb=%M" \
    "$LW" import oruk --db "$W/bench.db" "$W/services_100k.json" 2>&1 >"$W/import2.out" | grep -v '^linkwell:'
head -1 "$W/import2.out"

"$LW" serve --db "$W/bench.db" --listen "127.0.0.1:$PORT" --no-access-log 2>"$W/serve.err" &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
# The first search builds the index.
curl -s -o /dev/null -w "first search (builds the index): %{time_total} s\n" \
    "http://127.0.0.1:$PORT/openreferral/services?search=walking+group&per_page=20"
grep 'search index' "$W/serve.err" || true
TERM_ID=$(python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('6f1f2f3e-0000-4000-8000-000000000042'), 'term/physical_activity'))")
WALK="http://127.0.0.1:$PORT/openreferral/services?search=walking+group&taxonomy_term_id=$TERM_ID&per_page=20"
curl -s -o /dev/null -w "walking group page: %{size_download} bytes\n" "$WALK"
REPORT="$A/wrk_report.lua"
[ -f "$REPORT" ] || REPORT=bench/wrk_search.lua
wrk -t2 -c64 -d3s -s bench/wrk_search.lua "http://127.0.0.1:$PORT/" >/dev/null   # warm-up
for i in $(seq 1 "$REPEATS"); do
    note
    echo "wrk $WRK_ARGS --latency -s bench/wrk_search.lua (random)"
    wrk $WRK_ARGS --latency -s bench/wrk_search.lua "http://127.0.0.1:$PORT/" | grep WRK_RESULT
done
for i in $(seq 1 "$REPEATS"); do
    note
    echo "wrk $WRK_ARGS --latency -s wrk_report.lua '$WALK'"
    wrk $WRK_ARGS --latency -s "$REPORT" "$WALK" | grep WRK_RESULT
done
echo "serve resident memory: $(awk '/VmRSS/{print $2, $3}' /proc/$PID/status)"
kill $PID
wait $PID 2>/dev/null || true
trap - EXIT
