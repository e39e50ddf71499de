-- The audit log (issue 13): admin actions and deletes, with who, when and what.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    username TEXT NOT NULL,
    -- The way in: vcc, iovox, jtel, dialbase (the own API) or cli.
    source TEXT NOT NULL,
    -- What was done, e.g. project.create, record.delete, key.revoke.
    action TEXT NOT NULL,
    -- What it was done to, e.g. project 3, record 17.
    target TEXT NOT NULL,
    -- More about it, as JSON.
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_by_tenant ON audit_log(tenant_id, id);
