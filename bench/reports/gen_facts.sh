#!/usr/bin/env bash
# Adds what the reports read to a database from bench/referrals/gen_referrals.sh
# (1,000,000 referrals; 801,200 cases: ids divisible by 5 were declined): a directory of 1,000 services over the 15 need
# domains, one prescription per case (60% took up; of those 50% completed, 20% dropped
# out; the rest sent, accepted, waitlisted or declined, some for lack of capacity),
# a first contact per case (0-29 days after the referral), two needs per case,
# SWEMWBS at baseline and follow-up for every second case (495,000 pairs), a decision
# for every case (75% link worker, 25% peer; 10% not now), the secondary mental
# health pathway with a due discharge review for every tenth case, GP consultation
# counts for every fifth referral, and unmet needs for every twentieth case.
# Deterministic: the same input gives the same rows.
#
# Usage: bench/reports/gen_facts.sh DB_FILE   (after gen_referrals.sh)
set -euo pipefail
DB=${1:?usage: gen_facts.sh DB_FILE}
sqlite3 -bail "$DB" <<'SQL'
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE domains(i INTEGER PRIMARY KEY, d TEXT);
INSERT INTO domains VALUES (0,'isolation'),(1,'mood'),(2,'physical_activity'),(3,'weight_nutrition'),
  (4,'debt'),(5,'benefits'),(6,'housing'),(7,'employment'),(8,'learning'),(9,'arts'),
  (10,'volunteering'),(11,'carers'),(12,'parenting'),(13,'legal'),(14,'bereavement');
INSERT INTO directory_organizations (id, name, modified_at) VALUES ('bench-dir-org', 'Bench VCSE', 0);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)
INSERT INTO services (id, organization_id, name, status, capacity, capacity_status, modified_at,
                      need_domains)
SELECT 'bench-svc-' || i, 'bench-dir-org', 'Bench service ' || i, 'active', 5 + i % 40,
       CASE i % 10 WHEN 0 THEN 'no_capacity' WHEN 1 THEN 'waitlist' ELSE 'capacity' END, 0,
       (SELECT d FROM domains WHERE domains.i = n.i % 15)
FROM n;
INSERT INTO prescriptions (id, case_id, person_id, service_id, kind, mode, status, status_reason,
                           status_at, consent_share, prescriber_id, sender_organisation_id,
                           started_at, created_at)
SELECT c.id, c.id, c.person_id, 'bench-svc-' || (c.id % 1000), 'referral', 'link_worker',
       CASE WHEN c.id % 10 < 3 THEN 'completed' WHEN c.id % 10 < 4 THEN 'dropped_out'
            WHEN c.id % 10 < 6 THEN 'started' WHEN c.id % 10 = 6 THEN 'sent'
            WHEN c.id % 10 = 7 THEN 'accepted' WHEN c.id % 10 = 8 THEN 'waitlisted'
            ELSE 'declined' END,
       CASE WHEN c.id % 10 = 9 AND c.id % 20 = 9 THEN 'no_capacity'
            WHEN c.id % 10 = 9 THEN 'not_suitable' END,
       c.opened_at + 7 * 86400000, 1, c.assignee_id, c.organisation_id,
       CASE WHEN c.id % 10 < 6 THEN c.opened_at + 14 * 86400000 END, c.opened_at + 86400000
FROM cases c;
INSERT INTO case_contacts (case_id, at, mode, minutes, by_user_id, created_at)
SELECT c.id, c.opened_at + (c.id % 30) * 86400000, 'phone', 20, c.assignee_id, c.opened_at
FROM cases c;
INSERT INTO case_needs (case_id, domain, importance)
SELECT c.id, (SELECT d FROM domains WHERE i = c.id % 15), 5 FROM cases c;
INSERT INTO case_needs (case_id, domain, importance)
SELECT c.id, (SELECT d FROM domains WHERE i = (c.id + 7) % 15), 3 FROM cases c;
INSERT INTO measures (case_id, person_id, instrument, timepoint, date, items, scores, recorded_by,
                      created_at)
SELECT c.id, c.person_id, 'swemwbs', 'baseline', date(c.opened_at / 1000, 'unixepoch'),
       '[' || (1 + c.id % 3) || ',3,3,' || (2 + c.id % 2) || ',3,3,3]', '{}', c.assignee_id, c.opened_at
FROM cases c WHERE c.id % 2 = 0;
INSERT INTO measures (case_id, person_id, instrument, timepoint, date, items, scores, recorded_by,
                      created_at)
SELECT c.id, c.person_id, 'swemwbs', 'follow_up', date(c.opened_at / 1000 + 60 * 86400, 'unixepoch'),
       '[' || (2 + c.id % 4) || ',4,3,' || (3 + c.id % 3) || ',3,4,3]', '{}', c.assignee_id,
       c.opened_at + 60 * 86400000
FROM cases c WHERE c.id % 2 = 0;
INSERT INTO decisions (case_id, person_id, organisation_id, facilitator_user_id, mode, outcome,
                       ratings, considered, created_at)
SELECT c.id, c.person_id, c.organisation_id, c.assignee_id,
       CASE WHEN c.id % 5 = 1 THEN 'peer' ELSE 'link_worker' END,
       CASE WHEN c.id % 10 = 3 THEN 'not_now' ELSE 'chosen' END, '{}', '[]', c.opened_at
FROM cases c;
INSERT INTO case_pathways (case_id, pathway, started_at, ended_at, outcome)
SELECT c.id, 'secondary-mental-health', c.opened_at,
       CASE WHEN c.id % 100 < 90 THEN c.opened_at + 182 * 86400000 END,
       CASE WHEN c.id % 100 < 54 THEN 'discharged' WHEN c.id % 100 < 75 THEN 'extended'
            WHEN c.id % 100 < 90 THEN 're_referred' END
FROM cases c WHERE c.id % 10 = 1;
INSERT INTO case_milestones (case_id, pos, key, title, max_contacts, needs_outcome, due_at,
                             original_due_at, status, outcome, updated_at)
SELECT p.case_id, 3, 'discharge_review', 'Discharge review', 0, 1, p.started_at + 182 * 86400000,
       p.started_at + 182 * 86400000, CASE WHEN p.outcome IS NULL THEN 'open' ELSE 'done' END,
       p.outcome, p.started_at
FROM case_pathways p;
INSERT INTO gp_consultations (person_id, referral_id, before_count, after_count, entered_at)
SELECT r.person_id, r.id, 3 + r.id % 7, 1 + r.id % 5, r.created_at FROM referrals r
WHERE r.id % 5 = 0;
INSERT INTO unmet_needs (case_id, person_id, organisation_id, need, max_km, recorded_at)
SELECT c.id, c.person_id, c.organisation_id, (SELECT d FROM domains WHERE i = c.id % 15), 5,
       c.opened_at FROM cases c WHERE c.id % 20 = 1;
COMMIT;
ANALYZE;
SQL
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
for t in services prescriptions case_contacts measures decisions case_pathways gp_consultations unmet_needs; do
  printf '%s %s  ' "$t" "$(sqlite3 "$DB" "SELECT count(*) FROM $t")"
done
echo
