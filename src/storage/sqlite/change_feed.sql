-- The change feed's triggers (docs/changes.md), installed at start-up unless
-- DIALBASE_CHANGE_FEED=off. An update says what changed about the record: one event
-- per kind, most records get one. An event's id is the next of its tenant's.
CREATE TRIGGER IF NOT EXISTS change_feed_add AFTER INSERT ON records BEGIN
    INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
    VALUES (new.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = new.tenant_id), 0) + 1,
            new.project_id, new.id, 'add', unixepoch());
END;

CREATE TRIGGER IF NOT EXISTS change_feed_delete AFTER DELETE ON records BEGIN
    INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
    VALUES (old.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = old.tenant_id), 0) + 1,
            old.project_id, old.id, 'delete', unixepoch());
END;

CREATE TRIGGER IF NOT EXISTS change_feed_update AFTER UPDATE ON records BEGIN
    INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
    SELECT new.tenant_id,
           coalesce((SELECT max(id) FROM changes WHERE tenant_id = new.tenant_id), 0) + row_number() OVER (),
           new.project_id, new.id, kind, unixepoch() FROM (
        SELECT 'modify' AS kind
         WHERE old.data IS NOT new.data OR old.user_data IS NOT new.user_data
            OR old.phone_field IS NOT new.phone_field OR old.price IS NOT new.price
            OR old.commission IS NOT new.commission
            -- A release moves these too: it is its own event.
            OR ((old.next_calldate IS NOT new.next_calldate OR old.done_at IS NOT new.done_at)
                AND old.claimed_by IS new.claimed_by)
        UNION ALL SELECT 'contact' WHERE old.contacts IS NOT new.contacts
        UNION ALL SELECT 'claim'
         WHERE new.claimed_by IS NOT NULL
           AND (old.claimed_by IS NOT new.claimed_by OR old.claim_expires_at IS NOT new.claim_expires_at)
        UNION ALL SELECT 'release' WHERE old.claimed_by IS NOT NULL AND new.claimed_by IS NULL
        UNION ALL SELECT 'lock' WHERE new.locked AND NOT old.locked
        UNION ALL SELECT 'unlock' WHERE old.locked AND NOT new.locked
        UNION ALL SELECT 'dnc' WHERE old.robinson IS NOT new.robinson OR old.dnc_until IS NOT new.dnc_until
    );
END;

CREATE TRIGGER IF NOT EXISTS change_feed_disposition AFTER INSERT ON dispositions BEGIN
    INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
    SELECT r.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = r.tenant_id), 0) + 1,
           r.project_id, r.id, 'disposition', unixepoch()
      FROM records r WHERE r.id = new.record_id;
END;
