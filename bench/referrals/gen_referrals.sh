#!/usr/bin/env bash
# A deterministic benchmark database for the referral journey (SQLite): 1,000,000
# people and referrals over 2022-01-01 .. yesterday from one GP practice to ten
# link worker services with 20 link workers each (200), the last 1,000 still
# received, 10,000 in progress with an open case (50 per link worker, each with a
# two-step action plan, a last contact and the primary-care pathway's milestones),
# the rest closed (80%) or declined (20%) with closed cases (their milestones done);
# one audit row per referral.
#
# Usage: bench/referrals/gen_referrals.sh PATH_TO_LINKWELL DB_FILE
# Logins: gp@bench.example (referrer), lw1@bench.example .. lw200@bench.example
# (link workers), password "bench-password-1".
set -euo pipefail
BIN=${1:?usage: gen_referrals.sh PATH_TO_LINKWELL DB_FILE}
DB=${2:?usage: gen_referrals.sh PATH_TO_LINKWELL DB_FILE}
PW=bench-password-1
export LINKWELL_PASSWORD_COST=min
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-reads" "$DB-reads-wal" "$DB-reads-shm"
"$BIN" init --db "$DB" >/dev/null
"$BIN" org add --db "$DB" --name "Bench Medical Practice" --kind gp_practice >/dev/null
for s in $(seq 1 10); do
  "$BIN" org add --db "$DB" --name "Bench Social Prescribing $s" --kind link_worker_service >/dev/null
done
echo "$PW" | "$BIN" user add --db "$DB" --org "Bench Medical Practice" --role referrer \
  --email gp@bench.example --name "Dr Bench" >/dev/null
echo "$PW" | "$BIN" user add --db "$DB" --org "Bench Social Prescribing 1" --role link_worker \
  --email lw1@bench.example --name "Link Worker 1" >/dev/null

NOW_MS=$(($(date +%s) * 1000))
START_MS=1640995200000 # 2022-01-01
sqlite3 -bail "$DB" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
-- 199 more link workers, 20 per service, sharing the first one's password hash.
WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO users (organisation_id, email, name, role, password_hash, active, created_at, updated_at)
SELECT (SELECT id FROM organisations WHERE name = 'Bench Social Prescribing ' || ((i - 1) / 20 + 1)),
       'lw' || i || '@bench.example', 'Link Worker ' || i, 'link_worker',
       (SELECT password_hash FROM users WHERE email = 'lw1@bench.example'), 1, $NOW_MS, $NOW_MS
FROM n;
CREATE TEMP TABLE workers AS
SELECT row_number() OVER (ORDER BY u.id) - 1 AS w, u.id AS user_id, u.organisation_id AS org_id
FROM users u WHERE u.role = 'link_worker';
CREATE TEMP TABLE k AS SELECT $NOW_MS AS now, $START_MS AS start,
  (SELECT id FROM organisations WHERE name = 'Bench Medical Practice') AS gp,
  (SELECT id FROM users WHERE email = 'gp@bench.example') AS gp_user;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO people (id, reference, given_name, family_name, date_of_birth, match_key, postcode,
                    phone, created_at, updated_at)
SELECT i, 'P-B' || i, 'Given' || (i % 4999), 'Family' || (i % 7919),
       date('1935-01-01', '+' || ((i * 37) % 29000) || ' days'),
       'given' || (i % 4999) || '|family' || (i % 7919) || '|' ||
         date('1935-01-01', '+' || ((i * 37) % 29000) || ' days'),
       'S60 1AE', '07700 900000',
       (SELECT start FROM k) + i * (((SELECT now FROM k) - 86400000 - (SELECT start FROM k)) / 1000000),
       (SELECT start FROM k) + i * (((SELECT now FROM k) - 86400000 - (SELECT start FROM k)) / 1000000)
FROM n;

INSERT INTO referrals (id, reference, person_id, source, from_organisation_id, referrer_id,
                       to_organisation_id, reasons, details, urgency, consent_share,
                       consent_given_on, status, status_reason, status_at, created_at)
SELECT p.id, 'R-B' || p.id, p.id, 'referrer', (SELECT gp FROM k), (SELECT gp_user FROM k),
       w.org_id, CASE p.id % 3 WHEN 0 THEN 'isolation,mood' WHEN 1 THEN 'debt' ELSE 'physical_activity' END,
       'Generated for the benchmark.', 'routine', 1, '2022-01-01',
       CASE WHEN p.id > 999000 THEN 'received'
            WHEN p.id > 989000 THEN 'in_progress'
            WHEN p.id % 5 = 0 THEN 'declined'
            ELSE 'closed' END,
       CASE WHEN p.id > 989000 THEN NULL WHEN p.id % 5 = 0 THEN 'not_eligible' ELSE 'goals_met' END,
       p.created_at, p.created_at
FROM people p JOIN workers w ON w.w = p.id % 200;

INSERT INTO cases (id, referral_id, person_id, organisation_id, assignee_id, status, support_level,
                   what_matters, outcome, opened_at, closed_at, last_contact_at, next_action_due,
                   updated_at)
SELECT r.id, r.id, r.person_id, r.to_organisation_id, w.user_id,
       CASE WHEN r.status = 'in_progress' THEN 'open' ELSE 'closed' END, 'light',
       'Generated for the benchmark.', CASE WHEN r.status = 'closed' THEN 'goals_met' END,
       r.created_at + 86400000, CASE WHEN r.status = 'closed' THEN r.created_at + 60 * 86400000 END,
       r.created_at + 3 * 86400000,
       CASE WHEN r.status = 'in_progress'
            THEN date((SELECT now FROM k) / 1000, 'unixepoch', ((r.id % 61) - 30) || ' days') END,
       r.created_at
FROM referrals r JOIN workers w ON w.w = r.id % 200
WHERE r.status IN ('in_progress', 'closed');

INSERT INTO case_actions (case_id, who, what, due, done, created_at)
SELECT c.id, 'person', 'Try the group', c.next_action_due, 0, c.opened_at
FROM cases c WHERE c.status = 'open';
INSERT INTO case_actions (case_id, who, what, due, done, created_at)
SELECT c.id, 'link worker', 'Follow up', date(c.next_action_due, '+14 days'), 0, c.opened_at
FROM cases c WHERE c.status = 'open';

-- Every case follows the primary-care pathway from its opening, as an accepted
-- referral does: closed cases with every milestone done; open cases with the
-- first conversation done for two in three, the rest open (some overdue).
INSERT INTO case_pathways (case_id, pathway, started_at, ended_at, outcome)
SELECT c.id, 'primary-care', c.opened_at, c.closed_at,
       CASE WHEN c.status = 'closed' THEN 'discharged' END
FROM cases c;
CREATE TEMP TABLE ms(pos, key, title, days, max_contacts);
INSERT INTO ms VALUES (0, 'first_conversation', 'First conversation', 14, 0),
  (1, 'plan_agreed', 'Plan agreed', 28, 0),
  (2, 'contacts', 'Up to 6 contacts over 12 weeks', 84, 6),
  (3, 'closing_review', 'Closing review', 84, 0);
INSERT INTO case_milestones (case_id, pos, key, title, max_contacts, needs_outcome, due_at,
                             original_due_at, status, done_at, updated_at)
SELECT c.id, ms.pos, ms.key, ms.title, ms.max_contacts, 0,
       c.opened_at + ms.days * 86400000, c.opened_at + ms.days * 86400000,
       CASE WHEN c.status = 'closed' OR (ms.pos = 0 AND c.id % 3 <> 0) THEN 'done' ELSE 'open' END,
       CASE WHEN c.status = 'closed' OR (ms.pos = 0 AND c.id % 3 <> 0)
            THEN c.opened_at + ms.days * 86400000 END,
       c.opened_at
FROM cases c, ms ORDER BY c.id, ms.pos;
-- Each case's next open milestone, as store/pathways.c keeps it.
UPDATE cases SET next_ms_id = (SELECT m.id FROM case_milestones m
                               WHERE m.case_id = cases.id AND m.status = 'open'
                               ORDER BY m.due_at, m.pos LIMIT 1)
WHERE status = 'open';
UPDATE cases SET next_ms_title = (SELECT m.title FROM case_milestones m WHERE m.id = cases.next_ms_id),
                 next_ms_due = (SELECT m.due_at FROM case_milestones m WHERE m.id = cases.next_ms_id)
WHERE next_ms_id IS NOT NULL;

INSERT INTO audit_log (at, user_id, role, organisation_id, action, resource_type, resource_id,
                       remote_addr, outcome)
SELECT r.created_at, (SELECT gp_user FROM k), 'referrer', (SELECT gp FROM k), 'referral.create',
       'referral', CAST(r.id AS TEXT), '127.0.0.1', 'ok'
FROM referrals r;
COMMIT;
ANALYZE;
SQL
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
echo "people $(sqlite3 "$DB" 'SELECT count(*) FROM people'), referrals $(sqlite3 "$DB" 'SELECT count(*) FROM referrals'), link workers $(sqlite3 "$DB" "SELECT count(*) FROM users WHERE role = 'link_worker'"), open cases $(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE status = 'open'"), open milestones $(sqlite3 "$DB" "SELECT count(*) FROM case_milestones WHERE status = 'open'")"
