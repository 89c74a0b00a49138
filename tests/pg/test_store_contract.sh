#!/usr/bin/env bash
# The store contract (tests/unit/test_store.c) against PostgreSQL as well as
# SQLite, on a private cluster (scripts/pg-test-server.sh).
set -euo pipefail
BIN=${1:?usage: test_store_contract.sh PATH_TO_test_store}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d /tmp/lwpgs-XXXXXX)
chmod 755 "$TMP"
cleanup() {
  "$ROOT/scripts/pg-test-server.sh" stop "$TMP/pg" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
URL=$("$ROOT/scripts/pg-test-server.sh" start "$TMP/pg")
LINKWELL_TEST_POSTGRES=$URL "$BIN"
