-- The community directory (Open Referral UK / HSDS 3.0, UK profile), plus what
-- link workers need. Root records (organisations, services, locations, taxonomies,
-- taxonomy terms) have the HSDS id as their key. The nested HSDS objects (phones,
-- schedules, contacts, ...) are rows of their own tables with the same columns on
-- both backends: `root_id` is the service, location or organisation whose document
-- holds them (so an import replaces them in one DELETE per table), `owner_kind`
-- and `owner_ref` the object directly above them (a phone of a contact), `pos` their
-- place in that list and `ref` their HSDS id. Coordinates are integer
-- micro-degrees, money integer pence, times integer milliseconds (UTC), flags 0/1.
-- content_hash: SHA-256 of the record as last imported (unchanged imports skip it).
CREATE TABLE directory_organizations (
  id TEXT PRIMARY KEY,                 -- the HSDS organization id
  name TEXT NOT NULL,
  description TEXT,
  email TEXT,
  url TEXT,                            -- HSDS "website"
  -- the linkwell organisation (a VCSE provider) whose users keep these listings; NULL: admins only
  organisation_id INTEGER REFERENCES organisations(id),
  modified_at INTEGER NOT NULL,
  alternate_name TEXT,
  tax_status TEXT,
  tax_id TEXT,
  year_incorporated INTEGER,
  legal_status TEXT,
  logo TEXT,
  uri TEXT,
  parent_organization_id TEXT,
  content_hash TEXT
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
  modified_at INTEGER NOT NULL,
  alternate_name TEXT,
  url TEXT,
  email TEXT,
  interpretation_services TEXT,
  application_process TEXT,
  fees_description TEXT,
  wait_time TEXT,
  fees TEXT,
  accreditations TEXT,
  eligibility_description TEXT,
  minimum_age INTEGER,
  maximum_age INTEGER,
  assured_date TEXT,                   -- YYYY-MM-DD
  assurer_email TEXT,
  licenses TEXT,
  alert TEXT,
  last_modified INTEGER,                 -- HSDS last_modified as given by the source (ms)
  -- linkwell's own fields (not in HSDS; kept across imports)
  cost_band TEXT,                      -- free | low | paid; NULL: unknown
  need_domains TEXT NOT NULL DEFAULT '', -- comma-separated need domain ids (DESIGN.md)
  mental_health_ready INTEGER NOT NULL DEFAULT 0, -- staff/volunteers prepared for mental health needs
  setting TEXT,                        -- group | one_to_one | either; NULL: unknown
  last_checked_at INTEGER,               -- when someone last confirmed the listing; stale after 12 months
  content_hash TEXT
);
CREATE INDEX services_org ON services(organization_id);
CREATE TABLE locations (
  id TEXT PRIMARY KEY,
  location_type TEXT,
  url TEXT,
  organization_id TEXT,
  name TEXT,
  alternate_name TEXT,
  description TEXT,
  transportation TEXT,
  lat_e6 INTEGER,                        -- latitude in micro-degrees (WGS84)
  lon_e6 INTEGER,
  external_identifier TEXT,
  external_identifier_type TEXT,
  postcode TEXT,                       -- normalised UK postcode of its first address ("S60 1AE")
  content_hash TEXT,
  modified_at INTEGER NOT NULL
);
CREATE TABLE taxonomies (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  uri TEXT,
  version TEXT,
  content_hash TEXT,
  modified_at INTEGER NOT NULL
);
CREATE TABLE taxonomy_terms (
  id TEXT PRIMARY KEY,
  code TEXT,
  name TEXT NOT NULL,
  description TEXT,
  parent_id TEXT,                      -- the parent term (hierarchical taxonomies)
  taxonomy TEXT,
  language TEXT,
  taxonomy_id TEXT,
  term_uri TEXT,
  content_hash TEXT,
  modified_at INTEGER NOT NULL
);
CREATE INDEX taxonomy_terms_parent ON taxonomy_terms(parent_id);
-- Nested HSDS objects (see the top of this file for root_id, owner_kind, owner_ref, pos, ref).
CREATE TABLE service_at_locations (
  id INTEGER PRIMARY KEY,
  root_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL,
  owner_ref TEXT NOT NULL,
  pos INTEGER NOT NULL,
  ref TEXT NOT NULL,
  location_id TEXT,
  description TEXT
);
CREATE INDEX service_at_locations_root ON service_at_locations(root_id);
CREATE TABLE schedules (
  id INTEGER PRIMARY KEY,
  root_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL,
  owner_ref TEXT NOT NULL,
  pos INTEGER NOT NULL,
  ref TEXT NOT NULL,
  valid_from TEXT,
  valid_to TEXT,
  dtstart TEXT,
  tz INTEGER,
  until_date TEXT,
  occurrences INTEGER,
  wkst TEXT,
  freq TEXT,
  freq_interval INTEGER,
  byday TEXT,
  byweekno TEXT,
  bymonthday TEXT,
  byyearday TEXT,
  description TEXT,
  opens_at TEXT,
  closes_at TEXT,
  schedule_link TEXT,
  attending_type TEXT,
  notes TEXT
);
CREATE INDEX schedules_root ON schedules(root_id);
CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  root_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL,
  owner_ref TEXT NOT NULL,
  pos INTEGER NOT NULL,
  ref TEXT NOT NULL,
  name TEXT,
  title TEXT,
  department TEXT,
  email TEXT
);
CREATE INDEX contacts_root ON contacts(root_id);
CREATE TABLE phones (
  id INTEGER PRIMARY KEY,
  root_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL,
  owner_ref TEXT NOT NULL,
  pos INTEGER NOT NULL,
  ref TEXT NOT NULL,
  number TEXT,
  extension INTEGER,
  type TEXT,
  description TEXT
);
CREATE INDEX phones_root ON phones(root_id);
CREATE TABLE languages (
  id INTEGER PRIMARY KEY,
  root_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL,
  owner_ref TEXT NOT NULL,
  pos INTEGER NOT NULL,
  ref TEXT NOT NULL,
  name TEXT,
  code TEXT,
  note TEXT
);
CREATE INDEX languages_root ON languages(root_id);
CREATE TABLE accessibility (
  id INTEGER PRIMARY KEY,
  root_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL,
  owner_ref TEXT NOT NULL,
  pos INTEGER NOT NULL,
  ref TEXT NOT NULL,
  description TEXT,
  details TEXT,
  url TEXT
);
CREATE INDEX accessibility_root ON accessibility(root_id);
CREATE TABLE addresses (
  id INTEGER PRIMARY KEY,
  root_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL,
  owner_ref TEXT NOT NULL,
  pos INTEGER NOT NULL,
  ref TEXT NOT NULL,
  attention TEXT,
  address_1 TEXT,
  address_2 TEXT,
  city TEXT,
  region TEXT,
  state_province TEXT,
  postal_code TEXT,
  country TEXT,
  address_type TEXT
);
CREATE INDEX addresses_root ON addresses(root_id);
CREATE TABLE cost_options (
  id INTEGER PRIMARY KEY,
  root_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL,
  owner_ref TEXT NOT NULL,
  pos INTEGER NOT NULL,
  ref TEXT NOT NULL,
  valid_from TEXT,
  valid_to TEXT,
  option_text TEXT,
  currency TEXT,
  amount_pence INTEGER,
  amount_description TEXT
);
CREATE INDEX cost_options_root ON cost_options(root_id);
CREATE TABLE attributes (
  id INTEGER PRIMARY KEY,
  root_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL,
  owner_ref TEXT NOT NULL,
  pos INTEGER NOT NULL,
  ref TEXT NOT NULL,
  taxonomy_term_id TEXT,
  link_type TEXT,
  link_entity TEXT,
  value TEXT
);
CREATE INDEX attributes_root ON attributes(root_id);
CREATE TABLE service_areas (
  id INTEGER PRIMARY KEY,
  root_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL,
  owner_ref TEXT NOT NULL,
  pos INTEGER NOT NULL,
  ref TEXT NOT NULL,
  name TEXT,
  description TEXT,
  extent TEXT,
  extent_type TEXT,
  uri TEXT
);
CREATE INDEX service_areas_root ON service_areas(root_id);
CREATE TABLE required_documents (
  id INTEGER PRIMARY KEY,
  root_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL,
  owner_ref TEXT NOT NULL,
  pos INTEGER NOT NULL,
  ref TEXT NOT NULL,
  document TEXT,
  uri TEXT
);
CREATE INDEX required_documents_root ON required_documents(root_id);
CREATE TABLE funding (
  id INTEGER PRIMARY KEY,
  root_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL,
  owner_ref TEXT NOT NULL,
  pos INTEGER NOT NULL,
  ref TEXT NOT NULL,
  source TEXT
);
CREATE INDEX funding_root ON funding(root_id);
CREATE INDEX service_at_locations_location ON service_at_locations(location_id);
CREATE INDEX attributes_term ON attributes(taxonomy_term_id);
-- Which need domains (DESIGN.md) a foreign taxonomy term or word stands for: a term
-- id, or a lower-case word found in a term's name or the service's name. These rows
-- add to (and override) the built-in defaults for common words (domain/directory.c);
-- `linkwell import oruk --domain-map FILE.csv` loads them.
CREATE TABLE directory_domain_map (
  pattern TEXT PRIMARY KEY,
  domain TEXT NOT NULL
);
-- At most one row (id 1, created by the first change): bumped by every change to the directory, so each serve process (which
-- keeps its own search index) sees another process's changes (docs/architecture.md).
CREATE TABLE directory_state (
  id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL,
  changed_at INTEGER NOT NULL
);
