-- The change feed (docs/changes.md): every committed change of a record appends an
-- event in the same transaction, written by triggers (installed at start-up unless
-- DIALBASE_CHANGE_FEED=off, see storage/postgres/change_feed.sql).
--
-- Identity order is not commit order: a transaction that took id 10 may commit after
-- one that took id 11, and a reader that handed out cursor 11 would never see 10. So
-- each transaction's events are numbered at commit: a deferred trigger, run by COMMIT
-- itself, takes the next number of the tenant's clock (a row lock held until the
-- commit ends). The next transaction of that tenant cannot take a number before this
-- one has committed and become visible, so a reader seeing commit n sees all below n.
CREATE TABLE changes (
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    tenant_id BIGINT NOT NULL,
    project_id BIGINT NOT NULL,
    record_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL DEFAULT floor(extract(epoch FROM now()))::bigint,
    -- The one index: a commit's events in order. Pruning goes by change_commits.at.
    PRIMARY KEY (tenant_id, xid, id)
);

-- One row per transaction and tenant with events; `seq` is set at commit.
CREATE TABLE change_commits (
    xid xid8 NOT NULL,
    tenant_id BIGINT NOT NULL,
    seq BIGINT,
    at BIGINT,
    PRIMARY KEY (tenant_id, xid)
);
CREATE UNIQUE INDEX change_commits_in_order ON change_commits (tenant_id, seq);
CREATE INDEX change_commits_by_time ON change_commits (at);

CREATE TABLE change_clocks (
    tenant_id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL
);

CREATE FUNCTION change_feed_seal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next_seq BIGINT;
BEGIN
    INSERT INTO change_clocks AS c (tenant_id, seq) VALUES (NEW.tenant_id, 1)
        ON CONFLICT (tenant_id) DO UPDATE SET seq = c.seq + 1
        RETURNING c.seq INTO next_seq;
    UPDATE change_commits SET seq = next_seq, at = floor(extract(epoch FROM clock_timestamp()))::bigint
     WHERE xid = NEW.xid AND tenant_id = NEW.tenant_id;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER change_feed_seal AFTER INSERT ON change_commits
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_feed_seal();

-- Idempotency keys (docs/changes.md): a key is recorded by the transaction of the
-- write it guards; the answer is stored right after the commit. Requests name their
-- tenant (`scope` in the code) by name.
CREATE TABLE idempotency_keys (
    tenant_id BIGINT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    status INTEGER,
    content_type TEXT,
    body BYTEA,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
