-- The change feed (docs/changes.md): every committed change of a record appends an
-- event in the same transaction. Triggers write them (installed at start-up unless
-- DIALBASE_CHANGE_FEED=off, see storage/sqlite/change_feed.sql), so no write path can
-- forget one. One writer commits at a time, so id order is commit order. Pruning never
-- deletes the newest event, so a new id is always above every id handed out (cheaper
-- than AUTOINCREMENT, which writes its counter for every row); ids grow with time, so
-- pruning walks them from the lowest and needs no index on `at`.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    record_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX changes_by_tenant ON changes (tenant_id, id);

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
