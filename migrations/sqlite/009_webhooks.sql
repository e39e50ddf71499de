-- Webhooks (docs/changes.md): subscriptions to the change feed, each with its place in
-- the feed, and a log of what was delivered, what died and what waits to go again.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    -- Comma-separated change types; NULL: every type.
    kinds TEXT,
    project_id INTEGER,
    created_at INTEGER NOT NULL,
    -- The last event delivered (or given up on): the feed's cursor.
    cursor_commit INTEGER NOT NULL DEFAULT 0,
    cursor_event INTEGER NOT NULL DEFAULT 0,
    -- Failed attempts at the next event, and when to try it again.
    failures INTEGER NOT NULL DEFAULT 0,
    retry_at INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX webhooks_by_tenant ON webhooks (tenant_id, id);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL,
    webhook_id INTEGER NOT NULL,
    cursor TEXT NOT NULL,
    kind TEXT NOT NULL,
    project_id INTEGER NOT NULL,
    record_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    -- delivered | dead | pending (asked to go again)
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    updated_at INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (state) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (updated_at);

-- Work one node of the cluster does at a time (the webhook sender): who holds it, until when.
CREATE TABLE worker_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
