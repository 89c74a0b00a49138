#!/usr/bin/env bash
# linkwell import oruk on the command line: real files (HSDS 3.0 JSON, the CSV
# datapackage, ORUK v1), a second import changing nothing, the report on stdout and
# progress on stderr, a 10 MB description, and broken input leaving the database as it was.
set -euo pipefail
LW="$1"
FX="$(cd "$(dirname "$0")/../fixtures/oruk" && pwd)"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
pass=0
ok() { pass=$((pass + 1)); }

"$LW" init --db "$T/d.db" >/dev/null 2>&1
"$LW" import oruk --db "$T/d.db" "$FX/hsds-3.0/service_full.json" \
    "$FX/messy/council_v1.json" >"$T/out" 2>"$T/err" || fail "import exited $?"
grep -q '^services: 3 imported, 0 updated, 0 unchanged, 1 rejected$' "$T/out" || fail "report: $(cat "$T/out")"
grep -q 'council_v1.json: rejected services\[1\].name: empty (id 102)' "$T/out" || fail "rejection line: $(cat "$T/out")"
grep -q 'reading .*service_full.json' "$T/err" || fail "no progress on stderr"
# An import into an empty directory drops the secondary indexes and builds them again.
[ "$(sqlite3 "$T/d.db" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN \
    ('schedules_root', 'attributes_term', 'services_org', 'service_at_locations_location')")" = 4 ] \
    || fail "indexes missing after a first import"
ok
"$LW" import oruk --db "$T/d.db" "$FX/hsds-3.0/service_full.json" \
    "$FX/messy/council_v1.json" >"$T/out" 2>/dev/null
grep -q '^services: 0 imported, 0 updated, 3 unchanged, 1 rejected$' "$T/out" || fail "second import: $(cat "$T/out")"
ok
# The CSV datapackage holds the same service as service_full.json, in another shape.
"$LW" import oruk --db "$T/d.db" "$FX/hsds-3.0/csv" >"$T/out" 2>/dev/null
grep -q '^services: 0 imported, 1 updated, 0 unchanged, 0 rejected$' "$T/out" || fail "csv: $(cat "$T/out")"
ok
# Truncated JSON: a clear error, exit 2, nothing written.
before=$(sqlite3 "$T/d.db" 'SELECT count(*) FROM services')
set +e
"$LW" import oruk --db "$T/d.db" "$FX/hsds-3.0/service_list.json" "$FX/messy/truncated.json" >"$T/out" 2>"$T/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "truncated: exit $rc"
grep -q 'truncated.json: is not valid JSON' "$T/err" || fail "truncated: $(cat "$T/err")"
[ "$(sqlite3 "$T/d.db" 'SELECT count(*) FROM services')" = "$before" ] || fail "truncated import wrote"
ok
# Broken structure around a list read item by item: refused, nothing written.
S='{"id": "x1", "name": "X"}'
for doc in "{\"contents\": [$S]" "[$S] more" "{\"contents\": [$S], \"x\": }" "[$S,"; do
    printf '%s' "$doc" >"$T/broken.json"
    set +e
    "$LW" import oruk --db "$T/d.db" "$T/broken.json" >/dev/null 2>"$T/err"
    rc=$?
    set -e
    [ "$rc" = 2 ] && grep -q 'broken.json: is not valid JSON' "$T/err" || fail "broken '$doc': $rc $(cat "$T/err")"
done
[ "$(sqlite3 "$T/d.db" "SELECT count(*) FROM services WHERE name = 'X'")" = 0 ] || fail "a broken file wrote"
ok
# A 10 MB description is kept, cut to the limit, and said so.
python3 -c "
import json
print(json.dumps([{'id': 'big-one', 'name': 'Big', 'description': 'word ' * 2097152}]))" >"$T/big.json"
"$LW" import oruk --db "$T/d.db" "$T/big.json" >"$T/out" 2>/dev/null
grep -q 'warning services\[0\].description: 10485760 bytes long; cut to' "$T/out" || fail "big: $(head -c 300 "$T/out")"
[ "$(sqlite3 "$T/d.db" "SELECT length(description) <= 20000 FROM services WHERE name = 'Big'")" = 1 ] || fail "big not cut"
ok
# A need-domain map, and a file that is not there.
printf 'pattern,domain\ndementia,carers\n' >"$T/map.csv"
"$LW" import oruk --db "$T/d.db" --domain-map "$T/map.csv" 2>"$T/err" >/dev/null || fail "map"
[ "$(sqlite3 "$T/d.db" "SELECT domain FROM directory_domain_map WHERE pattern = 'dementia'")" = carers ] || fail "map not stored"
set +e
"$LW" import oruk --db "$T/d.db" "$T/nothing.json" >/dev/null 2>"$T/err"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q 'nothing.json: cannot be read' "$T/err" || fail "missing file: $rc $(cat "$T/err")"
ok
# A file given as a pipe (read into memory, not mapped) imports the same; an empty file
# is refused.
"$LW" init --db "$T/p.db" >/dev/null 2>&1
cat "$FX/messy/council_v1.json" | "$LW" import oruk --db "$T/p.db" /dev/stdin >"$T/out" 2>/dev/null \
    || fail "stdin import"
grep -q '^services: 2 imported, 0 updated, 0 unchanged, 1 rejected$' "$T/out" || fail "stdin: $(cat "$T/out")"
: >"$T/empty.json"
set +e
"$LW" import oruk --db "$T/p.db" "$T/empty.json" >/dev/null 2>"$T/err"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q 'empty.json: is not valid JSON' "$T/err" || fail "empty file: $rc $(cat "$T/err")"
ok
# The import tunes its own connection only while it imports: the database file keeps
# its settings (WAL) and nothing of the import's page cache stays behind.
[ "$(sqlite3 "$T/p.db" 'PRAGMA journal_mode')" = wal ] || fail "journal mode changed"
ok
echo "cli import: $pass passed, 0 failed"
