#!/usr/bin/env bash
# linkwell report on the command line, on the demo: each format, the filters, the
# commissioner's view (--suppress), "all", --time, and bad input refused with exit 2.
set -euo pipefail
LW="$1"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export LINKWELL_PASSWORD_COST=min
"$LW" demo --db "$T/d.db" >/dev/null 2>&1 || fail "demo"

"$LW" report take-up --db "$T/d.db" >"$T/out" 2>"$T/err" || fail "take-up exited $?: $(cat "$T/err")"
grep -q '^{"name":"take-up","title":"Take-up of social prescriptions"' "$T/out" || fail "json: $(cat "$T/out")"
grep -q '"suppressed":false' "$T/out" || fail "suppressed: $(cat "$T/out")"
grep -q '"figures":{"prescriptions":[0-9]*,"took_up":[0-9]*,"take_up_rate":[0-9.]*}' "$T/out" \
    || fail "figures: $(cat "$T/out")"

"$LW" report completion --db "$T/d.db" --format csv >"$T/out" || fail "csv"
[ "$(head -n 1 "$T/out")" = $'outcome,prescriptions,share_of_took_up\r' ] || fail "csv header: $(head -n 1 "$T/out")"
[ "$(wc -l <"$T/out")" = 5 ] || fail "csv rows: $(cat "$T/out")"

"$LW" report referrals-by-month --db "$T/d.db" --format svg >"$T/out" || fail "svg"
grep -q '^<svg xmlns="http://www.w3.org/2000/svg"' "$T/out" || fail "svg: $(head -c 200 "$T/out")"
grep -q '<title>Referrals by month</title>' "$T/out" || fail "svg title"

# The demo's take-up has counts from 1 to 4: shown as <5 with --suppress only.
"$LW" report take-up --db "$T/d.db" --suppress >"$T/out" || fail "suppress"
grep -q '"suppressed":true' "$T/out" || fail "suppressed flag"
grep -q '"<5"' "$T/out" || fail "no <5: $(cat "$T/out")"
"$LW" report take-up --db "$T/d.db" >"$T/out"
grep -q '"<5"' "$T/out" && fail "<5 without --suppress"

# Filters: a period with no referrals, a source, a bad date, an unknown source.
"$LW" report take-up --db "$T/d.db" --from 2001-01-01 --to 2001-12-31 >"$T/out" || fail "period"
grep -q '"prescriptions":0,' "$T/out" || fail "period: $(cat "$T/out")"
"$LW" report referrals-by-month --db "$T/d.db" --source self >"$T/out" || fail "source"
set +e
"$LW" report take-up --db "$T/d.db" --from 2026-02-30 >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q 'from' "$T/err" || fail "bad date: exit $rc, $(cat "$T/err")"
"$LW" report take-up --db "$T/d.db" --source gp >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q 'source' "$T/err" || fail "bad source: exit $rc, $(cat "$T/err")"
"$LW" report take-up --db "$T/d.db" --format xml >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q 'format' "$T/err" || fail "bad format: exit $rc"
"$LW" report popularity --db "$T/d.db" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q 'no report called popularity' "$T/err" || fail "unknown report: exit $rc"
"$LW" report --db "$T/d.db" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] || fail "no name: exit $rc"
set -e

# all: one document per report; --time: a line per report on stderr instead.
"$LW" report all --db "$T/d.db" >"$T/out" || fail "all"
[ "$(grep -c '^{"name":' "$T/out")" = 11 ] || fail "all: $(grep -c '^{"name":' "$T/out") reports"
"$LW" report all --db "$T/d.db" --time --repeat 3 >"$T/out" 2>"$T/err" || fail "time"
[ "$(grep -c 'linkwell: report .* runs 3  CPU p50' "$T/err")" = 11 ] || fail "time: $(cat "$T/err")"
[ -s "$T/out" ] && fail "--time printed reports"
echo "report CLI: ok"
