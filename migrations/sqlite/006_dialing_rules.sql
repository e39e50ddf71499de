-- Dialing rules (docs/dialing.md). A project's rules are one JSON document beside its
-- schema: changing them raises `schema_version`, so every node's schema cache drops them.
ALTER TABLE projects ADD COLUMN rules TEXT;

-- The time zones of the number a record dials next (space-separated IANA names, sorted),
-- kept while the project has calling hours; NULL when unknown (never callable then).
ALTER TABLE records ADD COLUMN zones TEXT;
-- A call-back only this owner may claim until the project's grace time after it is due.
ALTER TABLE records ADD COLUMN callback_owner TEXT;
-- When the last call result came in (a retry is due at least the minimum gap after it).
ALTER TABLE records ADD COLUMN last_attempt_at INTEGER;

-- Which number a call dialed: attempts per number are counted from the call results.
ALTER TABLE dispositions ADD COLUMN phone_field TEXT;

-- Every zone set a project's records have: a claim works out which of them are inside
-- their calling hours now and takes only records with one of those.
CREATE TABLE project_zones (
    tenant_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    zones TEXT NOT NULL,
    PRIMARY KEY (tenant_id, project_id, zones)
) WITHOUT ROWID;
