-- The change feed (docs/changes.md): every committed change of a record appends an
-- event in the same transaction. Triggers write them (installed at start-up unless
-- DIALBASE_CHANGE_FEED=off, see storage/sqlite/change_feed.sql), so no write path can
-- forget one. One writer commits at a time, so id order is commit order. Ids count per
-- tenant, and the table is clustered by (tenant, id): an event is one B-tree insert at
-- the end of its tenant's range. Pruning never deletes a tenant's newest event, so a new
-- id is always above every id handed out.
CREATE TABLE changes (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    record_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;

-- Idempotency keys (docs/changes.md): a key is recorded by the transaction of the
-- write it guards; the answer is stored right after the commit.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    status INTEGER,
    content_type TEXT,
    body BLOB,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
