# Sourced by bench/referrals/run.sh and bench/run_directory.sh: the database
# backend and the number of `linkwell serve` processes a benchmark runs on, and
# wrk across all of them.
#
#   bench_backend BIN SQLITE_DB BACKEND  sets DBURL: the SQLite file itself, or (postgres)
#       a private PostgreSQL server (scripts/pg-test-server.sh: initdb on a temporary
#       directory, Unix socket only) with the anchors' settings, loaded from the SQLite
#       file by `linkwell migrate-to-postgres` (timed; it verifies every table).
#   bench_serve BIN PORT N LOG_PREFIX [serve flags...]  starts N serve processes on
#       ports PORT .. PORT+N-1 (PORTS), all on DBURL, and waits for them.
#   bench_wrk SCRIPT PATH  runs wrk against every process at once: one wrk per process
#       with WRK_ARGS_EACH (default: WRK_ARGS with its threads and connections divided
#       by N, so the total client load is the same as with one process), prints one
#       WRK_RESULT line: rps and requests summed, p50/p90/p99/max the worst process's
#       (wrk cannot merge histograms), errors and non2xx summed.
#   bench_stop  stops the servers (by process id) and the PostgreSQL server; bench_* set
#       an EXIT trap that calls it.
BENCH_PIDS=()
BENCH_PGDIR=""
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

bench_stop() {
  for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${BENCH_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  BENCH_PIDS=()
  if [ -n "$BENCH_PGDIR" ]; then
    "$BENCH_ROOT/scripts/pg-test-server.sh" stop "$BENCH_PGDIR" >/dev/null 2>&1 || true
    BENCH_PGDIR=""
  fi
}
trap bench_stop EXIT

bench_pg_ctl() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$bin/pg_ctl" "$@"; else "$bin/pg_ctl" "$@"; fi
}

bench_backend() { # bench_backend BIN SQLITE_DB BACKEND
  local bin=$1 db=$2 backend=$3
  case "$backend" in
  sqlite) DBURL=$db ;;
  postgres)
    "$bin" init --db "$db" >/dev/null # the copy needs the source at the binary's schema
    BENCH_PGDIR=$(mktemp -d /tmp/lwbenchpg-XXXXXX)
    DBURL=$("$BENCH_ROOT/scripts/pg-test-server.sh" start "$BENCH_PGDIR")
    # The anchors' settings (../shared/bench-anchors/30_pg_start.sh), so the figures
    # compare with theirs; durability as shipped (fsync, synchronous_commit on).
    psql "$DBURL" -qX -c "ALTER SYSTEM SET shared_buffers = '1GB'" \
      -c "ALTER SYSTEM SET effective_cache_size = '4GB'" -c "ALTER SYSTEM SET work_mem = '32MB'" \
      -c "ALTER SYSTEM SET maintenance_work_mem = '512MB'" -c "ALTER SYSTEM SET max_wal_size = '4GB'" \
      -c "ALTER SYSTEM SET random_page_cost = 1.1"
    bench_pg_ctl -D "$BENCH_PGDIR/data" -w -m fast restart >/dev/null
    echo "# postgres $(psql "$DBURL" -AtX -c 'SHOW server_version') in $BENCH_PGDIR; loading it from $db"
    /usr/bin/time -f "# migrate_wall_s=%e user_s=%U sys_s=%S max_rss_kb=%M" \
      "$bin" migrate-to-postgres --from "$db" --to "$DBURL" 2>&1 >"$BENCH_PGDIR.migrate.out" |
      grep -v '^linkwell: copied'
    grep -q 'every table copied and verified' "$BENCH_PGDIR.migrate.out" ||
      { cat "$BENCH_PGDIR.migrate.out" >&2; echo "migrate-to-postgres failed" >&2; return 1; }
    rm -f "$BENCH_PGDIR.migrate.out"
    ;;
  *)
    echo "unknown backend '$backend' (sqlite or postgres)" >&2
    return 2
    ;;
  esac
}

bench_serve() { # bench_serve BIN PORT N LOG_PREFIX [serve flags...]
  local bin=$1 port=$2 n=$3 log=$4
  shift 4
  PORTS=()
  rm -f "$log".* # a previous run's logs (another N) must not be read as this run's
  for i in $(seq 0 $((n - 1))); do
    "$bin" serve --db "$DBURL" --listen "127.0.0.1:$((port + i))" "$@" 2>"$log.$i" &
    BENCH_PIDS+=($!)
    PORTS+=($((port + i)))
  done
  for i in $(seq 0 $((n - 1))); do
    for _ in $(seq 1 100); do
      grep -q "serving on port" "$log.$i" && break
      sleep 0.1
    done
    grep -q "serving on port" "$log.$i" || { cat "$log.$i" >&2; echo "serve $i did not start" >&2; return 1; }
  done
  bench_wait_preload "$log" "$n"
}

# Waits (up to 120 s) until each of the N processes logging to LOG.i has loaded the
# reports' facts, which serve does on a thread of its own as it starts (about 6 s at
# 1,000,000 referrals): measured meanwhile, that work would count against the requests.
bench_wait_preload() {
  local log=$1 n=$2 i
  for i in $(seq 0 $((n - 1))); do
    for _ in $(seq 1 1200); do
      grep -q "report facts" "$log.$i" && break
      sleep 0.1
    done
  done
}

# The WRK_ARGS of one of N processes: threads and connections divided by N (at least 1).
bench_wrk_each() {
  local n=${#PORTS[@]}
  if [ -n "${WRK_ARGS_EACH:-}" ]; then echo "$WRK_ARGS_EACH"; return; fi
  echo "$WRK_ARGS" | awk -v n="$n" '{
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^-t[0-9]+$/) { v = int(substr($i, 3) / n); $i = "-t" (v < 1 ? 1 : v) }
      else if ($i ~ /^-c[0-9]+$/) { v = int(substr($i, 3) / n); $i = "-c" (v < 1 ? 1 : v) }
    }
    print }'
}

bench_wrk() { # bench_wrk SCRIPT PATH [extra wrk args]: one combined WRK_RESULT line
  local script=$1 path=$2
  shift 2
  local args out i
  args=$(bench_wrk_each)
  out=$(mktemp -d /tmp/lwbenchwrk-XXXXXX)
  local wpids=()
  for i in "${!PORTS[@]}"; do
    # shellcheck disable=SC2086
    wrk $args --latency -s "$script" "$@" "http://127.0.0.1:${PORTS[$i]}$path" >"$out/$i" 2>&1 &
    wpids+=($!)
  done
  for p in "${wpids[@]}"; do wait "$p"; done
  # The raw wrk reports, one per process, when BENCH_RAW names a file.
  if [ -n "${BENCH_RAW:-}" ]; then
    for i in "${!PORTS[@]}"; do
      echo "## wrk $args --latency -s $script $* http://127.0.0.1:${PORTS[$i]}$path" >>"$BENCH_RAW"
      cat "$out/$i" >>"$BENCH_RAW"
    done
  fi
  cat "$out"/* | grep WRK_RESULT | awk -v n="${#PORTS[@]}" -v a="$args" '
    function val(k,   i, kv) { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return 0 }
    { rps += val("rps"); req += val("requests"); by += val("bytes"); er += val("errors"); nx += val("non2xx")
      if (val("p50_ms") > p50) p50 = val("p50_ms"); if (val("p90_ms") > p90) p90 = val("p90_ms")
      if (val("p99_ms") > p99) p99 = val("p99_ms"); if (val("max_ms") > mx) mx = val("max_ms"); k++ }
    END { if (k != n) { print "bench_wrk: " k " of " n " wrk runs reported" > "/dev/stderr"; exit 1 }
      printf "WRK_RESULT rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f requests=%d bytes=%d errors=%d non2xx=%d procs=%d wrk_each=\"%s\"\n",
        rps, p50, p90, p99, mx, req, by, er, nx, n, a }'
  rm -rf "$out"
}
