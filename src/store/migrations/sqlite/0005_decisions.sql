-- The shared decision aid (issue 6): what a person decided with a clinician
-- (mode direct), a link worker (link_worker) or a peer worker (peer), the
-- prescriptions the decision created, and the admins' edits of the decision
-- aid's categories (rows override the built-in text of the same id).
-- ratings and considered are JSON text; times are integer milliseconds (UTC).
CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  case_id INTEGER REFERENCES cases(id),         -- NULL for a direct decision
  person_id INTEGER NOT NULL REFERENCES people(id),
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  facilitator_user_id INTEGER NOT NULL REFERENCES users(id),
  mode TEXT NOT NULL,                           -- direct | link_worker | peer
  outcome TEXT NOT NULL,                        -- chosen | not_now
  ratings TEXT NOT NULL,                        -- JSON object: question id -> 0..10
  considered TEXT NOT NULL,                     -- JSON array of service ids
  note TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX decisions_case ON decisions(case_id, created_at);
CREATE INDEX decisions_person ON decisions(person_id, created_at);
CREATE INDEX decisions_mode ON decisions(mode, created_at);
CREATE TABLE decision_prescriptions (
  id INTEGER PRIMARY KEY,
  decision_id INTEGER NOT NULL REFERENCES decisions(id),
  prescription_id INTEGER NOT NULL UNIQUE REFERENCES prescriptions(id)
);
CREATE INDEX decision_prescriptions_decision ON decision_prescriptions(decision_id);
CREATE TABLE aid_categories (
  id TEXT PRIMARY KEY,                          -- a built-in category id ("arts")
  name TEXT NOT NULL,
  pros TEXT NOT NULL,                           -- JSON array of strings
  cons TEXT NOT NULL,                           -- JSON array of strings
  updated_at INTEGER NOT NULL,
  updated_by INTEGER REFERENCES users(id)
);
