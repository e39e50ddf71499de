-- Storage v2 (docs/storage.md): a record is one row, its form one JSON document.
-- The runner applies this with foreign keys off; at the marker below it moves every
-- record into `records_v2` (Rust: the document codec is the application's).

ALTER TABLE projects ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 0;

-- Fields and values are rebuilt with AUTOINCREMENT (as records below): an id, once given,
-- is never given again, even after the newest row was deleted.
CREATE TABLE fields_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    label TEXT,
    kind TEXT NOT NULL,
    indexed INTEGER NOT NULL DEFAULT 0,
    UNIQUE (project_id, name)
);
INSERT INTO fields_v2 (id, tenant_id, project_id, name, label, kind)
    SELECT f.id, p.tenant_id, f.project_id, f.name, f.label, f.kind FROM fields f JOIN projects p ON p.id = f.project_id;
DROP TABLE fields;
ALTER TABLE fields_v2 RENAME TO fields;

CREATE TABLE field_values_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL,
    field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    exportvalue TEXT,
    description TEXT,
    commission TEXT,
    price TEXT,
    UNIQUE (field_id, name)
);
INSERT INTO field_values_v2 (id, tenant_id, field_id, name, exportvalue, description, commission, price)
    SELECT v.id, f.tenant_id, v.field_id, v.name, v.exportvalue, v.description, v.commission, v.price
    FROM field_values v JOIN fields f ON f.id = v.field_id;
DROP TABLE field_values;
ALTER TABLE field_values_v2 RENAME TO field_values;

-- Times are Unix seconds (UTC); `data` and `contacts` are JSON (docs/storage.md).
CREATE TABLE records_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    user_data TEXT,
    phone_field TEXT,
    next_calldate INTEGER,
    price TEXT,
    commission TEXT,
    locked INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claim_expires_at INTEGER,
    done_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    robinson INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    contacts TEXT,
    data TEXT NOT NULL
);

-- Every number in a record's phone1..phone9, for the Robinson flags and phone look-ups.
CREATE TABLE record_phones (
    tenant_id INTEGER NOT NULL,
    phone TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, phone, record_id)
) WITHOUT ROWID;

-- The values of indexed fields: text, or a list value's id in decimal.
CREATE TABLE record_terms (
    tenant_id INTEGER NOT NULL,
    field_id INTEGER NOT NULL,
    term TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, field_id, term, record_id)
) WITHOUT ROWID;

-- @move-records

DROP TABLE record_values;
DROP TABLE contacts;
DROP TABLE records;
ALTER TABLE records_v2 RENAME TO records;

CREATE INDEX records_by_project ON records (project_id, id);
CREATE INDEX records_by_user_data ON records (tenant_id, user_data, id) WHERE user_data IS NOT NULL;
-- The claim walks this: a project's dialable records in queue order.
CREATE INDEX records_queue ON records (project_id, next_calldate, id)
    WHERE done_at IS NULL AND claimed_by IS NULL AND locked = 0 AND robinson = 0;
CREATE INDEX records_leases ON records (project_id, claim_expires_at)
    WHERE claimed_by IS NOT NULL AND done_at IS NULL;

ALTER TABLE dispositions ADD COLUMN tenant_id INTEGER NOT NULL DEFAULT 0;
UPDATE dispositions SET tenant_id = (SELECT r.tenant_id FROM records r WHERE r.id = dispositions.record_id);

ALTER TABLE rule_template_rules ADD COLUMN tenant_id INTEGER NOT NULL DEFAULT 0;
UPDATE rule_template_rules SET tenant_id = (SELECT t.tenant_id FROM rule_templates t WHERE t.id = rule_template_rules.template_id);
ALTER TABLE rule_template_links ADD COLUMN tenant_id INTEGER NOT NULL DEFAULT 0;
UPDATE rule_template_links SET tenant_id = (SELECT t.tenant_id FROM rule_templates t WHERE t.id = rule_template_links.template_id);
