-- The change feed's triggers (docs/changes.md), installed at start-up unless
-- DIALBASE_CHANGE_FEED=off. An event's id is the next of its tenant's.
-- An insert's `add` events are written by the insert itself (`changes::FeedEvents`), several
-- to a statement: the row trigger that wrote them before goes.
DROP TRIGGER IF EXISTS change_feed_add;

CREATE TRIGGER IF NOT EXISTS change_feed_delete AFTER DELETE ON records BEGIN
    INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
    VALUES (old.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = old.tenant_id), 0) + 1,
            old.project_id, old.id, 'delete', unixepoch());
END;

-- An update: one trigger per kind of change, each firing only when its columns are
-- set and its condition holds (a claim runs one small insert, not a query of every kind).
CREATE TRIGGER IF NOT EXISTS change_feed_modify AFTER UPDATE OF data, user_data, phone_field, price, commission, next_calldate, done_at ON records
  WHEN old.data IS NOT new.data OR old.user_data IS NOT new.user_data
       OR old.phone_field IS NOT new.phone_field OR old.price IS NOT new.price
       OR old.commission IS NOT new.commission
       -- A release moves these too: it is its own event.
       OR ((old.next_calldate IS NOT new.next_calldate OR old.done_at IS NOT new.done_at)
           AND old.claimed_by IS new.claimed_by)
BEGIN
    INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
    VALUES (new.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = new.tenant_id), 0) + 1,
            new.project_id, new.id, 'modify', unixepoch());
END;

CREATE TRIGGER IF NOT EXISTS change_feed_contact AFTER UPDATE OF contacts ON records
  WHEN old.contacts IS NOT new.contacts
BEGIN
    INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
    VALUES (new.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = new.tenant_id), 0) + 1,
            new.project_id, new.id, 'contact', unixepoch());
END;

CREATE TRIGGER IF NOT EXISTS change_feed_claim AFTER UPDATE OF claimed_by, claim_expires_at ON records
  WHEN new.claimed_by IS NOT NULL
       AND (old.claimed_by IS NOT new.claimed_by OR old.claim_expires_at IS NOT new.claim_expires_at)
BEGIN
    INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
    VALUES (new.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = new.tenant_id), 0) + 1,
            new.project_id, new.id, 'claim', unixepoch());
END;

CREATE TRIGGER IF NOT EXISTS change_feed_release AFTER UPDATE OF claimed_by ON records
  WHEN old.claimed_by IS NOT NULL AND new.claimed_by IS NULL
BEGIN
    INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
    VALUES (new.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = new.tenant_id), 0) + 1,
            new.project_id, new.id, 'release', unixepoch());
END;

CREATE TRIGGER IF NOT EXISTS change_feed_lock AFTER UPDATE OF locked ON records
  WHEN new.locked AND NOT old.locked
BEGIN
    INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
    VALUES (new.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = new.tenant_id), 0) + 1,
            new.project_id, new.id, 'lock', unixepoch());
END;

CREATE TRIGGER IF NOT EXISTS change_feed_unlock AFTER UPDATE OF locked ON records
  WHEN old.locked AND NOT new.locked
BEGIN
    INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
    VALUES (new.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = new.tenant_id), 0) + 1,
            new.project_id, new.id, 'unlock', unixepoch());
END;

CREATE TRIGGER IF NOT EXISTS change_feed_dnc AFTER UPDATE OF robinson, dnc_until ON records
  WHEN old.robinson IS NOT new.robinson OR old.dnc_until IS NOT new.dnc_until
BEGIN
    INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
    VALUES (new.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = new.tenant_id), 0) + 1,
            new.project_id, new.id, 'dnc', unixepoch());
END;

-- One row of VALUES: an `INSERT ... SELECT` that reads `changes` (its max id) first copies
-- what it selects into a temporary B-tree, a tenth of a claim + release. A disposition's
-- record exists (a foreign key), in the disposition's tenant. Replaced at start-up, since
-- an earlier version installed the `INSERT ... SELECT`.
DROP TRIGGER IF EXISTS change_feed_disposition;
CREATE TRIGGER change_feed_disposition AFTER INSERT ON dispositions BEGIN
    INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
    VALUES (new.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = new.tenant_id), 0) + 1,
            (SELECT project_id FROM records WHERE id = new.record_id), new.record_id, 'disposition', unixepoch());
END;
