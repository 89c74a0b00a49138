-- From referral to closed loop: people, referrals, cases (contacts, needs, goals,
-- actions), social prescriptions and their attendance, spot-purchase funds, the
-- feedback outbox for referrers, and self-referral throttling.
-- Times are integer milliseconds since the epoch (UTC); calendar dates are
-- 'YYYY-MM-DD' text (they compare correctly as text); flags are 0/1 integers;
-- money is integer pence.
CREATE TABLE people (
  id INTEGER PRIMARY KEY,
  reference TEXT NOT NULL UNIQUE,        -- shown instead of the name where consent is not given
  nhs_number TEXT UNIQUE,                -- 10 digits, modulus-11 checked; NULL: not known
  given_name TEXT NOT NULL,
  family_name TEXT NOT NULL,
  date_of_birth TEXT NOT NULL,
  match_key TEXT NOT NULL,               -- normalised given|family|dob (domain/people.c)
  phone TEXT,
  email TEXT,
  address TEXT,
  postcode TEXT,
  gp_practice TEXT,                      -- the person's GP practice, as given
  gp_practice_id INTEGER REFERENCES organisations(id),
  preferred_language TEXT,
  accessibility_needs TEXT,
  preferences TEXT,                      -- JSON object, filled in by the case
  merged_into INTEGER REFERENCES people(id), -- a link worker confirmed this is that person
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX people_match ON people(match_key);
CREATE TABLE referrals (
  id INTEGER PRIMARY KEY,
  reference TEXT NOT NULL UNIQUE,
  person_id INTEGER NOT NULL REFERENCES people(id),
  possible_duplicate_of INTEGER REFERENCES people(id), -- same name + DOB, other NHS number
  source TEXT NOT NULL,                  -- referrer | clinician | self
  from_organisation_id INTEGER REFERENCES organisations(id), -- NULL for a self-referral
  referrer_id INTEGER REFERENCES users(id),
  to_organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  reasons TEXT NOT NULL,                 -- comma-separated need domain ids
  details TEXT,
  urgency TEXT NOT NULL,                 -- routine | urgent
  consent_share INTEGER NOT NULL,
  consent_given_on TEXT,
  consent_with TEXT,                     -- with whom, as the person said
  risks TEXT,                            -- what the link worker should know before contact
  accessibility_needs TEXT,
  language TEXT,
  status TEXT NOT NULL,                  -- received | accepted | in_progress | closed | declined
  status_reason TEXT,
  status_note TEXT,
  status_by INTEGER REFERENCES users(id), -- NULL: the system (auto-close)
  status_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX referrals_to ON referrals(to_organisation_id, status, created_at);
CREATE INDEX referrals_from ON referrals(from_organisation_id, created_at);
CREATE INDEX referrals_person ON referrals(person_id);
CREATE INDEX referrals_waiting ON referrals(status, created_at);
CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER NOT NULL UNIQUE REFERENCES referrals(id),
  person_id INTEGER NOT NULL REFERENCES people(id),
  organisation_id INTEGER NOT NULL REFERENCES organisations(id), -- the link worker service
  assignee_id INTEGER NOT NULL REFERENCES users(id),
  status TEXT NOT NULL,                  -- open | closed
  support_level TEXT,                    -- signpost | light | intensive
  what_matters TEXT,
  outcome TEXT,
  outcome_note TEXT,
  opened_at INTEGER NOT NULL,
  closed_at INTEGER,
  last_contact_at INTEGER,               -- kept with the contacts, for the caseload
  next_action_due TEXT,                  -- earliest due date of an open action, for the caseload
  updated_at INTEGER NOT NULL
);
CREATE INDEX cases_caseload ON cases(assignee_id, status, next_action_due);
CREATE INDEX cases_org ON cases(organisation_id, status);
CREATE INDEX cases_person ON cases(person_id);
CREATE TABLE case_contacts (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  at INTEGER NOT NULL,
  mode TEXT NOT NULL,                    -- phone | face_to_face | video | text | home_visit
  minutes INTEGER NOT NULL,
  note TEXT,
  by_user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX case_contacts_case ON case_contacts(case_id, at);
CREATE TABLE case_needs (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  domain TEXT NOT NULL,
  importance INTEGER NOT NULL,           -- how much it matters to the person, 0..10
  UNIQUE (case_id, domain)
);
CREATE TABLE case_goals (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  text TEXT NOT NULL,
  domain TEXT,
  target_date TEXT,
  status TEXT NOT NULL,                  -- active | achieved | partly_achieved | not_achieved | dropped
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX case_goals_case ON case_goals(case_id);
CREATE TABLE case_actions (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  goal_id INTEGER REFERENCES case_goals(id),
  who TEXT NOT NULL,                     -- the person, the link worker, a family member, ...
  what TEXT NOT NULL,
  due TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  done_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX case_actions_case ON case_actions(case_id, done, due);
CREATE TABLE funds (
  id INTEGER PRIMARY KEY,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id), -- the link worker service
  name TEXT NOT NULL,
  balance INTEGER NOT NULL CHECK (balance >= 0), -- pence
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (organisation_id, name)
);
CREATE TABLE prescriptions (
  id INTEGER PRIMARY KEY,
  case_id INTEGER REFERENCES cases(id),  -- NULL for a direct prescription
  person_id INTEGER NOT NULL REFERENCES people(id),
  service_id TEXT NOT NULL,              -- a directory service (no foreign key: imports may replace it)
  kind TEXT NOT NULL,                    -- signpost | referral
  mode TEXT NOT NULL,                    -- link_worker | direct
  status TEXT NOT NULL,
  status_reason TEXT,
  status_at INTEGER NOT NULL,
  override_reason TEXT,                  -- why it was sent to a full service
  note TEXT,                             -- for the provider
  consent_share INTEGER NOT NULL,        -- the provider may see the person's details
  prescriber_id INTEGER NOT NULL REFERENCES users(id),
  sender_organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  provider_organisation_id INTEGER REFERENCES organisations(id), -- manages the service
  fund_id INTEGER REFERENCES funds(id),
  cost INTEGER NOT NULL DEFAULT 0,       -- pence, drawn from the fund
  started_at INTEGER,                    -- first attendance (take-up)
  created_at INTEGER NOT NULL
);
CREATE INDEX prescriptions_case ON prescriptions(case_id);
CREATE INDEX prescriptions_person ON prescriptions(person_id);
CREATE INDEX prescriptions_service ON prescriptions(service_id, status);
CREATE INDEX prescriptions_provider ON prescriptions(provider_organisation_id, status);
CREATE INDEX prescriptions_prescriber ON prescriptions(prescriber_id);
CREATE TABLE prescription_attendance (
  id INTEGER PRIMARY KEY,
  prescription_id INTEGER NOT NULL REFERENCES prescriptions(id),
  date TEXT NOT NULL,
  attended INTEGER NOT NULL,
  note TEXT,
  by_user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  UNIQUE (prescription_id, date)
);
-- The closed loop: messages for the referrer (delivery is pluggable; stored here).
CREATE TABLE feedback_messages (
  id INTEGER PRIMARY KEY,
  referral_id INTEGER REFERENCES referrals(id),
  prescription_id INTEGER REFERENCES prescriptions(id),
  recipient_organisation_id INTEGER REFERENCES organisations(id),
  event TEXT NOT NULL,                   -- accepted | declined | started | closed
  at INTEGER NOT NULL,
  snomed TEXT NOT NULL,
  text TEXT NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX feedback_referral ON feedback_messages(referral_id, at);
CREATE INDEX feedback_prescription ON feedback_messages(prescription_id, at);
CREATE INDEX feedback_undelivered ON feedback_messages(delivered_at, id);
CREATE TABLE self_referral_attempts (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX self_referral_attempts_key ON self_referral_attempts(key, at);
