-- Scoped keys (issue 13): several keys per API user, each with a role and optionally
-- limited to some projects; revoked keys stay listed. The users' single keys become
-- admin keys. `tenants.key_generation` goes up with every revocation: a node's login
-- cache checks it, so a revoked key stops working at once on every node.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('read-only', 'read-write', 'admin')),
    -- Comma-separated project ids; NULL: every project of the tenant.
    projects TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    FOREIGN KEY (tenant_id, username) REFERENCES api_users(tenant_id, username) ON DELETE CASCADE
);
CREATE INDEX api_keys_by_digest ON api_keys(tenant_id, key_hash);
CREATE INDEX api_keys_by_tenant ON api_keys(tenant_id, id);

INSERT INTO api_keys (tenant_id, username, key_hash, role, created_at)
SELECT tenant_id, username, key_hash, 'admin', created_at FROM api_users ORDER BY tenant_id, username;

ALTER TABLE api_users DROP COLUMN key_hash;
ALTER TABLE tenants ADD COLUMN key_generation INTEGER NOT NULL DEFAULT 0;
