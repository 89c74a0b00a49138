-- The community directory (Open Referral UK / HSDS 3.0). This is the core that
-- other features point at (a social prescription names a service); the
-- directory's own feature fills in locations, schedules, taxonomies and the rest.
CREATE TABLE directory_organizations (
  id TEXT PRIMARY KEY,                 -- the HSDS organization id
  name TEXT NOT NULL,
  description TEXT,
  email TEXT,
  url TEXT,
  -- the linkwell organisation (a VCSE provider) whose users keep these listings; NULL: admins only
  organisation_id INTEGER REFERENCES organisations(id),
  modified_at INTEGER NOT NULL
);
CREATE INDEX directory_organizations_owner ON directory_organizations(organisation_id);
CREATE TABLE services (
  id TEXT PRIMARY KEY,                 -- the HSDS service id
  organization_id TEXT NOT NULL REFERENCES directory_organizations(id),
  name TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL DEFAULT 'active',          -- active | inactive | defunct | temporarily closed
  capacity INTEGER,                                -- places; NULL when unknown
  capacity_status TEXT NOT NULL DEFAULT 'capacity', -- capacity | no_capacity | waitlist
  modified_at INTEGER NOT NULL
);
CREATE INDEX services_org ON services(organization_id);
