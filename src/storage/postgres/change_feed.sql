-- The change feed's triggers (docs/changes.md), installed at start-up unless
-- DIALBASE_CHANGE_FEED=off. Statement triggers with transition tables: a batch of
-- 10,000 records appends its events with one INSERT. Each notes its transaction in
-- change_commits, whose deferred trigger numbers the transaction at commit
-- (migrations/postgres/008_change_feed.sql).
-- An insert's events as spans (docs/changes.md, migrations/postgres/018): a row per run of
-- consecutive new ids of a project, holding its last event's id and record. Event ids come
-- from the identity, one per record, ascending in record order: a run's range
-- (id - span, id] holds only ids this statement took, so no two rows' ranges overlap.
CREATE OR REPLACE FUNCTION change_feed_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH runs AS (
        SELECT tenant_id, project_id, max(id) AS last_record, count(*) AS span
          FROM (SELECT tenant_id, project_id, id,
                       id - row_number() OVER (PARTITION BY tenant_id, project_id ORDER BY id) AS run
                  FROM new_rows) r
         GROUP BY tenant_id, project_id, run),
    taken AS (
        SELECT array_agg(id ORDER BY id) AS ids FROM (SELECT nextval('changes_id_seq') AS id FROM new_rows) t),
    events AS (
        INSERT INTO changes (id, tenant_id, project_id, record_id, kind, span) OVERRIDING SYSTEM VALUE
        SELECT taken.ids[(sum(span) OVER (ORDER BY last_record))::int], tenant_id, project_id, last_record, 'add', span
          FROM runs, taken
         ORDER BY last_record
        RETURNING tenant_id)
    INSERT INTO change_commits (xid, tenant_id)
    SELECT DISTINCT pg_current_xact_id(), tenant_id FROM events ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION change_feed_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH events AS (
        INSERT INTO changes (tenant_id, project_id, record_id, kind)
        SELECT tenant_id, project_id, id, 'delete' FROM old_rows ORDER BY id
        RETURNING tenant_id)
    INSERT INTO change_commits (xid, tenant_id)
    SELECT DISTINCT pg_current_xact_id(), tenant_id FROM events ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION change_feed_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH events AS (
        INSERT INTO changes (tenant_id, project_id, record_id, kind)
        SELECT n.tenant_id, n.project_id, n.id, k.kind
          FROM old_rows o JOIN new_rows n ON n.id = o.id
         CROSS JOIN LATERAL (VALUES
            (1, 'modify', o.data IS DISTINCT FROM n.data OR o.user_data IS DISTINCT FROM n.user_data
                OR o.phone_field IS DISTINCT FROM n.phone_field OR o.price IS DISTINCT FROM n.price
                OR o.commission IS DISTINCT FROM n.commission
                -- A release moves these too: it is its own event.
                OR ((o.next_calldate IS DISTINCT FROM n.next_calldate OR o.done_at IS DISTINCT FROM n.done_at)
                    AND o.claimed_by IS NOT DISTINCT FROM n.claimed_by)),
            (2, 'contact', o.contacts IS DISTINCT FROM n.contacts),
            (3, 'claim', n.claimed_by IS NOT NULL
                AND (o.claimed_by IS DISTINCT FROM n.claimed_by OR o.claim_expires_at IS DISTINCT FROM n.claim_expires_at)),
            (4, 'release', o.claimed_by IS NOT NULL AND n.claimed_by IS NULL),
            (5, 'lock', n.locked AND NOT o.locked),
            (6, 'unlock', o.locked AND NOT n.locked),
            (7, 'dnc', o.robinson IS DISTINCT FROM n.robinson OR o.dnc_until IS DISTINCT FROM n.dnc_until)
         ) AS k(position, kind, happened)
         WHERE k.happened
         ORDER BY n.id, k.position
        RETURNING tenant_id)
    INSERT INTO change_commits (xid, tenant_id)
    SELECT DISTINCT pg_current_xact_id(), tenant_id FROM events ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION change_feed_disposition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH events AS (
        INSERT INTO changes (tenant_id, project_id, record_id, kind)
        SELECT r.tenant_id, r.project_id, r.id, 'disposition'
          FROM new_rows d JOIN records r ON r.tenant_id = d.tenant_id AND r.id = d.record_id
         ORDER BY d.id
        RETURNING tenant_id)
    INSERT INTO change_commits (xid, tenant_id)
    SELECT DISTINCT pg_current_xact_id(), tenant_id FROM events ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

-- @triggers: the functions above are replaced at every start-up; the triggers below are
-- created only where one is missing (creating one locks its table).
DROP TRIGGER IF EXISTS change_feed_add ON records;
CREATE TRIGGER change_feed_add AFTER INSERT ON records
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION change_feed_added();
DROP TRIGGER IF EXISTS change_feed_delete ON records;
CREATE TRIGGER change_feed_delete AFTER DELETE ON records
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION change_feed_deleted();
DROP TRIGGER IF EXISTS change_feed_update ON records;
CREATE TRIGGER change_feed_update AFTER UPDATE ON records
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION change_feed_updated();
DROP TRIGGER IF EXISTS change_feed_disposition ON dispositions;
CREATE TRIGGER change_feed_disposition AFTER INSERT ON dispositions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION change_feed_disposition();
