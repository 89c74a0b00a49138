#!/usr/bin/env bash
# linkwell import gp-consultations: a CSV of GP consultation counts imported
# whole into the demo database, imported again (updated, not doubled), and a
# file with wrong rows refused with each line and field named and nothing written.
set -euo pipefail
LW="$1"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 "$T/d.db" "$1"; }

"$LW" demo --db "$T/d.db" >/dev/null 2>&1 || fail "demo"
"$LW" import gp-consultations --help | grep -q 'nhs_number,referral_id,before,after' || fail "help"
# Two demo referrals of people with an NHS number and no counts yet.
mapfile -t refs < <(q "SELECT r.id || ',' || p.nhs_number FROM referrals r JOIN people p \
    ON p.id = r.person_id WHERE p.nhs_number IS NOT NULL AND r.id NOT IN \
    (SELECT referral_id FROM gp_consultations) ORDER BY r.id LIMIT 2")
[ "${#refs[@]}" = 2 ] || fail "the demo has too few referrals: ${refs[*]}"
r1=${refs[0]%%,*}; n1=${refs[0]#*,}
r2=${refs[1]%%,*}; n2=${refs[1]#*,}
before=$(q "SELECT count(*) FROM gp_consultations")
audited=$(q "SELECT count(*) FROM audit_log WHERE action = 'gp_consultation.create' AND remote_addr = 'cli'")

printf 'nhs_number,referral_id,before,after\n%s,%s,8,3\n%s,%s,5,\n' "$n1" "$r1" "$n2" "$r2" >"$T/good.csv"
"$LW" import gp-consultations --db "$T/d.db" "$T/good.csv" >"$T/out" 2>"$T/err" \
    || fail "import exited $?: $(cat "$T/err")"
grep -qx 'gp consultations: 2 imported, 0 updated, 0 rejected' "$T/out" || fail "report: $(cat "$T/out")"
[ "$(q "SELECT before_count || '/' || coalesce(after_count, '-') FROM gp_consultations \
    WHERE referral_id = $r1")" = "8/3" ] || fail "counts of $r1"
[ "$(q "SELECT coalesce(after_count, '-') FROM gp_consultations WHERE referral_id = $r2")" = "-" ] \
    || fail "an empty after is unknown"
[ "$(q "SELECT count(*) FROM audit_log WHERE action = 'gp_consultation.create' AND remote_addr = 'cli'")" = $((audited + 2)) ] \
    || fail "audit rows"

"$LW" import gp-consultations --db "$T/d.db" "$T/good.csv" >"$T/out" 2>/dev/null
grep -qx 'gp consultations: 0 imported, 2 updated, 0 rejected' "$T/out" || fail "again: $(cat "$T/out")"
[ "$(q "SELECT count(*) FROM gp_consultations")" = $((before + 2)) ] || fail "doubled"

# Wrong rows: exit 2, every line and field on stderr, nothing written.
printf 'nhs_number,referral_id,before,after\n%s,%s,-3,1\n%s,999999,1,1\n%s,%s,2,2\n' \
    "$n1" "$r1" "$n1" "$n2" "$r2" >"$T/bad.csv"
snapshot=$(q "SELECT referral_id, before_count, after_count FROM gp_consultations ORDER BY id")
set +e
"$LW" import gp-consultations --db "$T/d.db" "$T/bad.csv" >"$T/out" 2>"$T/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "bad file: exit $rc"
grep -q '^line 2: before: ' "$T/err" || fail "line 2 not reported: $(cat "$T/err")"
grep -q '^line 3: referral_id: ' "$T/err" || fail "line 3 not reported: $(cat "$T/err")"
grep -q '^line 4' "$T/err" && fail "a good line reported: $(cat "$T/err")"
[ "$(q "SELECT referral_id, before_count, after_count FROM gp_consultations ORDER BY id")" = "$snapshot" ] \
    || fail "a refused file wrote"

set +e
"$LW" import gp-consultations --db "$T/d.db" "$T/missing.csv" >/dev/null 2>"$T/err"
rc=$?
set -e
[ "$rc" != 0 ] && grep -q 'cannot read' "$T/err" || fail "a missing file: $rc $(cat "$T/err")"
echo "ok: import gp-consultations"
