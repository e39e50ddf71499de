-- The web console (/{customer}/console/): sign-in sessions, kept in the database so that any
-- node behind a load balancer knows them, and CSV imports by upload with their progress, which
-- the uploading browser polls (possibly through another node). Times are Unix seconds.
CREATE TABLE console_sessions (
    -- SHA-256 of the cookie's token: a leaked table holds no usable session.
    token_hash TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    username TEXT NOT NULL,
    -- The admin key signed in with: revoking it ends the session.
    key_id INTEGER NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX console_sessions_by_user ON console_sessions (tenant_id, username);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);

CREATE TABLE console_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    username TEXT NOT NULL,
    total_bytes INTEGER NOT NULL,
    read_bytes INTEGER NOT NULL DEFAULT 0,
    stored INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    -- NULL while the upload goes in; then 'done' or 'failed'.
    outcome TEXT,
    -- Rejected lines, one "line N: reason" a line (the first 1,000), or why it failed.
    report TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX console_imports_by_tenant ON console_imports (tenant_id, id);
