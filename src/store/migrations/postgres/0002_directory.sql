-- The same tables as sqlite/0002, in PostgreSQL's dialect.
CREATE TABLE directory_organizations (
  id TEXT PRIMARY KEY,                 -- the HSDS organization id
  name TEXT NOT NULL,
  description TEXT,
  email TEXT,
  url TEXT,
  -- the linkwell organisation (a VCSE provider) whose users keep these listings; NULL: admins only
  organisation_id BIGINT REFERENCES organisations(id),
  modified_at BIGINT NOT NULL
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
  modified_at BIGINT NOT NULL
);
CREATE INDEX services_org ON services(organization_id);
