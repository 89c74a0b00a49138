-- Outcome measures (issue 7): one administration of an instrument for a case,
-- its item answers (a JSON array) and the scores computed from them (a JSON
-- object of integers; the SWEMWBS metric score in hundredths).
CREATE TABLE measures (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  person_id INTEGER NOT NULL REFERENCES people(id),
  instrument TEXT NOT NULL,              -- ons4 | mhcsf | swemwbs | ucla3
  timepoint TEXT NOT NULL,               -- baseline | review | end | follow_up
  date TEXT NOT NULL,                    -- YYYY-MM-DD
  items TEXT NOT NULL,                   -- JSON array of integers
  scores TEXT NOT NULL,                  -- JSON object: score name -> integer
  recorded_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX measures_case ON measures(case_id, instrument, date);
