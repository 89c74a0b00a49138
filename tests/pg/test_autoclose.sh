#!/usr/bin/env bash
# The auto-close job across processes: three `linkwell serve` processes share
# one PostgreSQL and all run the job (every second, and at once on start).
# Each referral left unanswered past the limit is declined exactly once: one
# feedback message for its referrer, one audit row — whichever process got it.
BIN=${1:?usage: test_autoclose.sh PATH_TO_LINKWELL}
source "$(dirname "$0")/lib.sh"

pg_start
"$BIN" init --db "$URL" >/dev/null
"$BIN" demo --db "$URL" >/dev/null
sql() { psql -X -q -t -A "$URL" -c "$1"; }

# 200 referrals received 20 days ago from the demo GP practice (as the API would store them).
sql "INSERT INTO referrals (reference, person_id, source, from_organisation_id, to_organisation_id,
       reasons, urgency, consent_share, status, status_at, created_at)
     SELECT 'R-OLD' || g, (SELECT min(id) FROM people), 'referrer',
       (SELECT id FROM organisations WHERE name = 'Riverside Medical Practice'),
       (SELECT id FROM organisations WHERE name = 'Riverside PCN Social Prescribing Service'),
       'isolation', 'routine', 1, 'received',
       (extract(epoch FROM now()) * 1000)::bigint - 20 * 86400000,
       (extract(epoch FROM now()) * 1000)::bigint - 20 * 86400000
     FROM generate_series(1, 200) g" >/dev/null
check "200 old referrals waiting" 200 "$(sql "SELECT count(*) FROM referrals WHERE reference LIKE 'R-OLD%' AND status = 'received'")"
young=$(sql "SELECT count(*) FROM referrals WHERE status = 'received'")

export LINKWELL_JOBS_INTERVAL=1
serve A
serve B
serve C

left=200
for _ in $(seq 1 100); do
  left=$(sql "SELECT count(*) FROM referrals WHERE reference LIKE 'R-OLD%' AND status = 'received'")
  [ "$left" = 0 ] && break
  sleep 0.1
done
check "every old referral is closed" 0 "$left"
sleep 2 # let each process run the job again: nothing more may happen
check "declined with reason no_response" 200 \
  "$(sql "SELECT count(*) FROM referrals WHERE reference LIKE 'R-OLD%' AND status = 'declined' AND status_reason = 'no_response'")"
check "one feedback message each, with the declined SNOMED code" 200 \
  "$(sql "SELECT count(*) FROM feedback_messages f JOIN referrals r ON r.id = f.referral_id WHERE r.reference LIKE 'R-OLD%' AND f.snomed = '871711000000103'")"
check "no referral was closed twice" 0 \
  "$(sql "SELECT count(*) FROM (SELECT referral_id FROM feedback_messages WHERE event = 'declined' GROUP BY referral_id HAVING count(*) > 1) d")"
check "one audit row each" 200 \
  "$(sql "SELECT count(*) FROM audit_log WHERE action = 'referral.auto_close'")"
check "the younger referrals still wait" "$((young - 200))" \
  "$(sql "SELECT count(*) FROM referrals WHERE status = 'received'")"

finish
