-- The caseload (store/cases.c), the link worker's most frequent read, in one
-- index walk per page instead of four lookups per case.
--
-- A case's next open pathway milestone (the earliest due; store/pathways.c keeps
-- these three columns in step whenever a milestone is added or changed), so the
-- caseload needs no per-case subquery to find it.
ALTER TABLE cases ADD COLUMN next_ms_id INTEGER;
ALTER TABLE cases ADD COLUMN next_ms_title TEXT;
ALTER TABLE cases ADD COLUMN next_ms_due INTEGER;
-- One seek per case to find its next milestone or count its overdue ones.
CREATE INDEX case_milestones_next ON case_milestones(case_id, status, due_at, pos);
UPDATE cases SET next_ms_id = (SELECT m.id FROM case_milestones m
                               WHERE m.case_id = cases.id AND m.status = 'open'
                               ORDER BY m.due_at, m.pos LIMIT 1);
UPDATE cases SET next_ms_title = (SELECT m.title FROM case_milestones m WHERE m.id = cases.next_ms_id),
                 next_ms_due = (SELECT m.due_at FROM case_milestones m WHERE m.id = cases.next_ms_id)
WHERE next_ms_id IS NOT NULL;
-- Covering: every column a caseload row shows (and the organisation it is
-- filtered by) is in the index, so a page is read without visiting the table.
DROP INDEX cases_caseload;
CREATE INDEX cases_caseload ON cases(assignee_id, status, organisation_id, next_action_due,
  opened_at, person_id, referral_id, support_level, last_contact_at, closed_at, next_ms_id,
  next_ms_due, next_ms_title);

-- On SQLite, the audit rows of reads are first committed to a file beside the
-- database (store/audit_reads.c) and moved into audit_log in bulk, so that a read
-- does not change the main file (which makes every connection drop its cache).
-- The last moved row's id there, updated in the same transaction as the move, so
-- a row is moved exactly once. Unused on PostgreSQL.
CREATE TABLE audit_reads_moved (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_id INTEGER NOT NULL
);
