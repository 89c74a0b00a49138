-- Pathways, milestones and GP consultation counts (issue 7).
-- pathway_templates: admins' edits and additions; a row overrides the built-in
-- template of the same name (domain/pathways.c), which is used while there is none.
-- A case's milestones are copied from its template when the referral is accepted,
-- so a later edit of the template never changes a running case.
-- Times are integer milliseconds (UTC); a due date is midnight UTC of its day.
CREATE TABLE pathway_templates (
  name TEXT PRIMARY KEY,                 -- "primary-care"
  title TEXT NOT NULL,
  milestones TEXT NOT NULL,              -- JSON array of {key, title, due_days, max_contacts, needs_outcome}
  builtin INTEGER NOT NULL,              -- 1: overrides a built-in template
  updated_at INTEGER NOT NULL,
  updated_by INTEGER REFERENCES users(id)
);
CREATE TABLE case_pathways (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL UNIQUE REFERENCES cases(id),
  pathway TEXT NOT NULL,                 -- the template's name
  started_at INTEGER NOT NULL,           -- when the referral was accepted
  ended_at INTEGER,                      -- when the outcome was recorded
  outcome TEXT,                          -- discharged | extended | re_referred
  outcome_by INTEGER REFERENCES users(id)
);
CREATE INDEX case_pathways_pathway ON case_pathways(pathway, started_at);
CREATE TABLE case_milestones (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  pos INTEGER NOT NULL,                  -- order in the template
  key TEXT NOT NULL,
  title TEXT NOT NULL,
  max_contacts INTEGER NOT NULL,
  needs_outcome INTEGER NOT NULL,        -- completing it records the discharge outcome
  due_at INTEGER NOT NULL,
  original_due_at INTEGER NOT NULL,
  status TEXT NOT NULL,                  -- open | done | skipped
  done_at INTEGER,                       -- completed or skipped on
  reason TEXT,                           -- why it was skipped
  outcome TEXT,                          -- the discharge review's outcome
  updated_by INTEGER REFERENCES users(id),
  updated_at INTEGER NOT NULL
);
CREATE INDEX case_milestones_case ON case_milestones(case_id, pos);
CREATE INDEX case_milestones_open ON case_milestones(status, due_at);
CREATE TABLE milestone_moves (
  id INTEGER PRIMARY KEY,
  milestone_id INTEGER NOT NULL REFERENCES case_milestones(id),
  case_id INTEGER NOT NULL REFERENCES cases(id),
  from_at INTEGER NOT NULL,
  to_at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  by_user_id INTEGER NOT NULL REFERENCES users(id),
  at INTEGER NOT NULL
);
CREATE INDEX milestone_moves_case ON milestone_moves(case_id, milestone_id, id);
-- GP consultations in the 6 months before and after a referral (seed 004's
-- system outcome), one row per referral.
CREATE TABLE gp_consultations (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES people(id),
  referral_id INTEGER NOT NULL UNIQUE REFERENCES referrals(id),
  before_count INTEGER NOT NULL,
  after_count INTEGER,                   -- NULL until the 6 months after are known
  entered_by INTEGER REFERENCES users(id), -- NULL: imported on the command line
  entered_at INTEGER NOT NULL
);
CREATE INDEX gp_consultations_person ON gp_consultations(person_id);
-- Needs for which no local service was found within the person's travel limit
-- (seed 002: groups that do not exist locally), one row per case and need,
-- replaced each time the case's matches are worked out.
CREATE TABLE unmet_needs (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  person_id INTEGER NOT NULL REFERENCES people(id),
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  need TEXT NOT NULL,                    -- a need domain id
  max_km INTEGER,                        -- the travel limit it was judged against
  recorded_at INTEGER NOT NULL,
  UNIQUE (case_id, need)
);
CREATE INDEX unmet_needs_need ON unmet_needs(need, recorded_at);
-- A prescription declined because the service had no places (for demand against capacity).
ALTER TABLE prescriptions ADD COLUMN decline_code TEXT;
