-- Named do-not-call lists (docs/dialing.md "Do-not-call lists"). The list `default` stays
-- the VCC Robinson list (`robinson`, `records.robinson`); every other list's entries are here.
CREATE TABLE dnc_entries (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    list TEXT NOT NULL,
    phone TEXT NOT NULL,
    -- Unix seconds from which the number may be called again; NULL: never.
    expires_at INTEGER,
    source TEXT,
    reason TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, list, phone)
) WITHOUT ROWID;
-- A number's entries on every list: checks, and the flags of the records holding it.
CREATE INDEX dnc_entries_by_phone ON dnc_entries (tenant_id, phone);

-- Who changed which entry when, the Robinson list's changes through the list API included.
CREATE TABLE dnc_changes (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    list TEXT NOT NULL,
    phone TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('add', 'remove')),
    expires_at INTEGER,
    source TEXT,
    reason TEXT,
    changed_by TEXT NOT NULL,
    changed_at INTEGER NOT NULL
);
CREATE INDEX dnc_changes_by_list ON dnc_changes (tenant_id, list, id);

-- What the list API keeps about a Robinson number (NULL for numbers VCC's API added).
ALTER TABLE robinson ADD COLUMN source TEXT;
ALTER TABLE robinson ADD COLUMN reason TEXT;
ALTER TABLE robinson ADD COLUMN created_by TEXT;

-- The latest expiry among the entries, on the named lists the record's project applies,
-- of any of its numbers (Unix seconds; 9223372036854775807 for an entry without expiry);
-- NULL when none is listed. A claim takes the record only once the clock has reached it.
ALTER TABLE records ADD COLUMN dnc_until INTEGER;
