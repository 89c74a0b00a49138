#!/usr/bin/env bash
# Runs one test file (node --test) against a real `linkwell serve` on a temporary
# database loaded with the demo: run.sh LINKWELL_BINARY TEST_FILE ARTIFACT_DIR
set -euo pipefail
bin=${1:?usage: run.sh LINKWELL TEST_FILE ARTIFACT_DIR}
test_file=${2:?}
artifacts=${3:?}
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/lwe2e-XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
export LINKWELL_PASSWORD_COST=min
"$bin" init --db "$tmp/e2e.db" >/dev/null
"$bin" demo --db "$tmp/e2e.db" >/dev/null
: >"$tmp/serve.log" # exists before the server's own redirect opens it (the loop below reads it)
"$bin" serve --db "$tmp/e2e.db" --listen 127.0.0.1:0 2>"$tmp/serve.log" &
pid=$!
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/^linkwell: serving on port \([0-9]*\).*/\1/p' "$tmp/serve.log" | head -n 1)
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { cat "$tmp/serve.log" >&2; exit 1; }
mkdir -p "$artifacts"
LW_URL="http://127.0.0.1:$port" LW_ARTIFACTS="$artifacts" LW_DB="$tmp/e2e.db" LW_BIN="$bin" \
  NODE_PATH="$root/node_modules" node --test --test-reporter=spec "$test_file"
