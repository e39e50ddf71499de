-- Tenants (call centres) and their API users; keys are stored as SHA-256 digests.
CREATE TABLE tenants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE api_users (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, username)
);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX projects_by_tenant ON projects(tenant_id, id);

CREATE TABLE fields (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    label TEXT,
    kind TEXT NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE field_values (
    id INTEGER PRIMARY KEY,
    field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    exportvalue TEXT,
    description TEXT,
    commission TEXT,
    price TEXT,
    UNIQUE (field_id, name)
);

CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_data TEXT,
    phone_field TEXT,
    next_calldate TEXT,
    price TEXT,
    commission TEXT,
    locked INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claim_expires_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- The dialer's queue order: due time, then id.
CREATE INDEX records_due ON records(project_id, next_calldate, id);
CREATE INDEX records_by_user_data ON records(tenant_id, user_data, id) WHERE user_data IS NOT NULL;

-- One row per value of a field of a record; list fields also keep the value id.
-- The text is kept for every kind so that search is one index look-up.
-- Clustered by field, then record: a batch update of one field over many records
-- changes a compact run of pages instead of nearly every page of the table.
CREATE TABLE record_values (
    record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    field_id INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    value TEXT NOT NULL,
    value_id INTEGER,
    PRIMARY KEY (field_id, record_id, ordinal)
) WITHOUT ROWID;
CREATE INDEX record_values_by_record ON record_values(record_id);
CREATE INDEX record_values_search ON record_values(field_id, value);

CREATE TABLE contacts (
    record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    slot INTEGER NOT NULL,
    title TEXT,
    name TEXT,
    phone TEXT,
    email TEXT,
    PRIMARY KEY (record_id, slot)
) WITHOUT ROWID;

CREATE TABLE dispositions (
    id INTEGER PRIMARY KEY,
    record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    disposition_id INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    next_calldate TEXT,
    description TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX dispositions_by_record ON dispositions(record_id, id);

-- The Robinson (do-not-call) list, per tenant, as digit strings.
CREATE TABLE robinson (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    phone TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, phone)
) WITHOUT ROWID;
