#!/usr/bin/env bash
# Moving up: the demo database (accounts, directory, referrals, cases,
# prescriptions, audit log) is copied from SQLite into an empty PostgreSQL
# database; every table's row count and checksum match; text the bulk load must
# escape arrives byte for byte; new rows get fresh ids there; and a second copy
# into the now non-empty database is refused.
BIN=${1:?usage: test_migrate.sh PATH_TO_LINKWELL}
source "$(dirname "$0")/lib.sh"

pg_start
"$BIN" init --db "$TMP/demo.db" >/dev/null
"$BIN" demo --db "$TMP/demo.db" >/dev/null
# Text that a bulk load must escape: tab, newline, carriage return, backslashes, what
# looks like COPY's NULL (\N) and end-of-data (\.) markers, and non-ASCII letters.
awkward="char(9) || 'tab' || char(10) || 'newline' || char(13) || 'cr \\ back\\slash \\N \\. Zoë Åsa 名前'"
sqlite3 "$TMP/demo.db" "INSERT INTO organisations (name, kind, created_at) VALUES ($awkward, 'vcse', 1)"
sqlite3 "$TMP/demo.db" "INSERT INTO organisations (name, kind, created_at) VALUES ('\\N', 'vcse', 2)"

if "$BIN" migrate-to-postgres --from "$TMP/demo.db" --to "$URL" >"$TMP/out" 2>"$TMP/err"; then
  ok "migrate-to-postgres exits 0"
else
  not_ok "migrate-to-postgres exits 0: $(cat "$TMP/err")"
fi
tables=$(awk 'NR > 1 && NF == 4 {print}' "$TMP/out")
ntables=$(grep -c . <<<"$tables" || true)
[ "$ntables" -ge 20 ] && ok "it reports every table ($ntables)" || not_ok "it reports every table (only $ntables)"
check "every table's count and checksum are equal" 0 "$(grep -vc ' equal$' <<<"$tables" || true)"
rows=$(awk '{s += $2} END {print s}' <<<"$tables")
[ "$rows" -gt 500 ] && ok "the demo's rows were copied ($rows)" || not_ok "the demo's rows were copied ($rows)"
for t in organisations users services referrals cases prescriptions audit_log; do
  sqlite=$(sqlite3 "$TMP/demo.db" "select count(*) from $t")
  pg=$(psql -qAt "$URL" -c "select count(*) from $t")
  check "$t: $sqlite rows in both" "$sqlite" "$pg"
done

# The awkward names arrive byte for byte, and '\N' as text, not NULL.
for at in 1 2; do
  check "an awkward name ($at) arrives byte for byte" \
    "$(sqlite3 "$TMP/demo.db" "SELECT lower(hex(name)) FROM organisations WHERE created_at = $at")" \
    "$(psql -qAt "$URL" -c "SELECT encode(convert_to(name, 'UTF8'), 'hex') FROM organisations WHERE created_at = $at")"
done

# New rows on PostgreSQL get ids after the copied ones.
max=$(psql -qAt "$URL" -c "select max(id) from organisations")
id=$("$BIN" org add --db "$URL" --name "Made after the move" --kind vcse)
[ "$id" -gt "$max" ] && ok "a new organisation gets a fresh id ($id > $max)" || not_ok "a new organisation gets a fresh id ($id, max was $max)"

# The server works on the copy: the demo admin signs in, the caseload is there.
serve A
status=$(http POST "$PORT_A" /api/v1/session '{"email": "linkworker@demo.linkwell.example", "password": "linkwell-demo"}' -c "$TMP/cookies")
check "the demo link worker signs in on PostgreSQL" 201 "$status"
status=$(http GET "$PORT_A" "/api/v1/cases?assignee=me" "" -b "$TMP/cookies")
check "their caseload is there" 200 "$status"
[ "$(jq '.total' "$TMP/body")" -gt 0 ] && ok "with cases in it" || not_ok "with cases in it"

# A second copy into a database that now has rows is refused, and changes nothing.
before=$(psql -qAt "$URL" -c "select count(*) from audit_log")
if "$BIN" migrate-to-postgres --from "$TMP/demo.db" --to "$URL" >/dev/null 2>"$TMP/err2"; then
  not_ok "a second copy is refused"
else
  ok "a second copy is refused"
fi
grep -q "already has rows" "$TMP/err2" && ok "... saying the target already has rows" || not_ok "... saying why: $(cat "$TMP/err2")"
after=$(psql -qAt "$URL" -c "select count(*) from audit_log")
check "... and the target is unchanged" "$before" "$after"

finish
