# Shared by the PostgreSQL shell tests: a private cluster, servers on free
# ports, tiny assertion helpers. Source it; it expects BIN (the linkwell binary).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TMP=$(mktemp -d /tmp/lwpgt-XXXXXX)
chmod 755 "$TMP"
PGDIR=$TMP/pg
PIDS=()
passed=0
failed=0
export LINKWELL_PASSWORD_COST=min

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  "$ROOT/scripts/pg-test-server.sh" stop "$PGDIR" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
check() { # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

pg_start() { URL=$("$ROOT/scripts/pg-test-server.sh" start "$PGDIR"); }
pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }
pg_ctl_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$(pg_bin)/pg_ctl" "$@"; else "$(pg_bin)/pg_ctl" "$@"; fi
}

# serve NAME: starts `linkwell serve` on a free port; sets PORT_<NAME>.
serve() {
  local name=$1 log=$TMP/$1.log
  : >"$log" # exists before the server's own redirect opens it (the loop below reads it)
  "$BIN" serve --db "$URL" --listen 127.0.0.1:0 --threads 2 >"$log" 2>&1 &
  PIDS+=($!)
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$log" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { cat "$log" >&2; echo "server $name did not start" >&2; exit 1; }
  printf -v "PORT_$name" '%s' "$port"
}

# http METHOD PORT PATH [BODY] [extra curl args...]: prints the status; body in $TMP/body
http() {
  local method=$1 port=$2 path=$3 body=${4:-}
  shift 4 || shift $#
  local args=(-s -o "$TMP/body" -w '%{http_code}' -X "$method" "http://127.0.0.1:$port$path")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  curl "${args[@]}" "$@"
}
