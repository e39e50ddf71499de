//! The change feed and idempotency keys on SQLite (docs/changes.md). Triggers append the
//! events (`change_feed.sql`); one writer commits at a time, so an event's id (counted
//! per tenant) is its place in the tenant's commit order and serves as both parts of the
//! cursor.

use super::SqliteStore;
use super::bulk::insert_many;
use crate::domain::changes::{Change, ChangeCursor, ChangeFilter, ChangeKind, EventSpan, StoredEvents};
use crate::storage::write_key::key_taken;
use crate::storage::{ChangeStore, StoreError, StoredKey, StoredReply, TenantId, WriteKey};
use async_trait::async_trait;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OptionalExtension, params};

const TRIGGERS: &str = include_str!("change_feed.sql");
const TRIGGER_NAMES: [&str; 10] = [
    "change_feed_add",
    "change_feed_delete",
    "change_feed_modify",
    "change_feed_contact",
    "change_feed_claim",
    "change_feed_release",
    "change_feed_lock",
    "change_feed_unlock",
    "change_feed_dnc",
    "change_feed_disposition",
];
/// Installs the feed's triggers, or removes them when the feed is off.
pub fn set_feed(conn: &Connection, on: bool) -> Result<(), StoreError> {
    if on {
        conn.execute_batch(TRIGGERS)?;
    } else {
        for name in TRIGGER_NAMES {
            conn.execute_batch(&format!("DROP TRIGGER IF EXISTS {name}"))?;
        }
    }
    Ok(())
}

/// Events a write numbers and stores itself, several to a statement, instead of leaving
/// them to a row trigger each (a sub-program, a `max(id)` look-up and an insert per row:
/// as costly as the row's own write):
///
/// - an insert's `add` events (the `add` row trigger is gone). They are written before
///   anything else in the write that makes an event (a disposition, a merge into a
///   duplicate), which keeps every event in the order its change happened. Where the row
///   trigger still exists (a node of an earlier version installed it), it writes them and
///   this does not.
/// - the `modify` events of a large batch modification, which runs with the triggers off
///   ([`TriggersOff`]).
pub struct FeedEvents {
    on: bool,
    kind: &'static str,
    tenant: TenantId,
    project: i64,
    at: i64,
    records: Vec<i64>,
}

impl FeedEvents {
    pub fn adds(conn: &Connection, tenant: TenantId, project: i64, at: i64) -> Result<Self, StoreError> {
        let on = trigger_exists(conn, "change_feed_delete")? && !trigger_exists(conn, "change_feed_add")?;
        Ok(Self::new(on, "add", tenant, project, at))
    }

    /// The `modify` events of a write that turns the triggers off; none (`None`) when the
    /// feed is off.
    pub fn modifications(
        conn: &Connection,
        tenant: TenantId,
        project: i64,
        at: i64,
    ) -> Result<Option<Self>, StoreError> {
        let on = trigger_exists(conn, "change_feed_modify")?;
        Ok(on.then(|| Self::new(on, "modify", tenant, project, at)))
    }

    fn new(on: bool, kind: &'static str, tenant: TenantId, project: i64, at: i64) -> Self {
        Self {
            on,
            kind,
            tenant,
            project,
            at,
            records: Vec::new(),
        }
    }

    pub fn push(&mut self, record: i64) {
        if self.on {
            self.records.push(record);
        }
    }

    /// Writes the events pushed so far, numbered on from the tenant's last event: a row
    /// per run of consecutive records ([`EventSpan`]).
    pub fn flush(&mut self, conn: &Connection) -> Result<(), StoreError> {
        if self.records.is_empty() {
            return Ok(());
        }
        let last: i64 = conn
            .prepare_cached("SELECT coalesce(max(id), 0) FROM changes WHERE tenant_id = ?1")?
            .query_row([self.tenant], |r| r.get(0))?;
        let spans = EventSpan::numbered(&self.records, last);
        let rows: Vec<[&dyn rusqlite::ToSql; 7]> = spans
            .iter()
            .map(|span| {
                [
                    &self.tenant as &dyn rusqlite::ToSql,
                    &span.last_event,
                    &self.project,
                    &span.last_record,
                    &self.kind,
                    &self.at,
                    &span.len,
                ]
            })
            .collect();
        insert_many(
            conn,
            "changes (tenant_id, id, project_id, record_id, kind, at, span)",
            &rows,
        )?;
        self.records.clear();
        Ok(())
    }
}

fn trigger_exists(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND name = ?1)")?
        .query_row([name], |r| r.get(0))?)
}

/// The connection's triggers off while this lives (SQLite's `SQLITE_DBCONFIG_ENABLE_TRIGGER`),
/// for a write that stores its events through [`FeedEvents`]. Switching expires the
/// connection's prepared statements (each is compiled again at its next use), so only
/// large writes do it.
pub struct TriggersOff<'c>(&'c Connection);

impl<'c> TriggersOff<'c> {
    pub fn new(conn: &'c Connection) -> Result<Self, StoreError> {
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)?;
        Ok(Self(conn))
    }
}

impl Drop for TriggersOff<'_> {
    fn drop(&mut self) {
        // Setting a flag SQLite knows does not fail; should it, later writes miss events.
        if let Err(e) = self.0.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, true) {
            tracing::error!(error = %e, "cannot turn the SQLite triggers back on");
        }
    }
}

/// Records the request's key in the write's transaction; a key recorded before (by a
/// concurrent request with the same key) fails the write, which then rolls back.
pub fn record_key(conn: &Connection, key: &WriteKey) -> Result<(), StoreError> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (scope, key) DO UPDATE
                SET fingerprint = excluded.fingerprint, created_at = excluded.created_at, status = NULL,
                    content_type = NULL, body = NULL
              WHERE idempotency_keys.created_at < ?5",
        )?
        .execute(params![
            key.scope,
            key.key,
            key.fingerprint,
            key.created_at,
            key.created_at - crate::http::IDEMPOTENCY_KEEP_SECONDS
        ])?;
    if inserted == 0 {
        key.mark_taken();
        return Err(key_taken());
    }
    Ok(())
}

/// A stored row of the feed, its type still text.
fn read_change(row: &rusqlite::Row<'_>) -> rusqlite::Result<(EventSpan, i64, String, i64)> {
    let span = EventSpan {
        last_event: row.get(0)?,
        last_record: row.get(2)?,
        len: row.get(5)?,
    };
    Ok((span, row.get(1)?, row.get(3)?, row.get(4)?))
}

#[async_trait]
impl ChangeStore for SqliteStore {
    async fn changes(
        &self,
        tenant: TenantId,
        after: ChangeCursor,
        filter: ChangeFilter,
        limit: u32,
    ) -> Result<Vec<Change>, StoreError> {
        self.read(move |tx, _| {
            let kinds = filter
                .kind_names()
                .map(|names| serde_json::to_string(&names).unwrap_or_default());
            let rows = tx
                .prepare_cached(
                    "SELECT id, project_id, record_id, kind, at, span FROM changes
                      WHERE tenant_id = ?1 AND id > ?2
                        AND (?3 IS NULL OR project_id = ?3)
                        AND (?4 IS NULL OR kind IN (SELECT value FROM json_each(?4)))
                      ORDER BY id LIMIT ?5",
                )?
                .query_map(params![tenant, after.event, filter.project, kinds, limit], read_change)?
                .collect::<Result<Vec<_>, _>>()?;
            let rows = rows
                .into_iter()
                .map(|(span, project, kind, at)| {
                    let kind = kind.parse::<ChangeKind>()?;
                    Ok(StoredEvents {
                        span,
                        kind,
                        project,
                        at,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            // One writer commits at a time: an event's id is its commit too.
            Ok(rows
                .into_iter()
                .flat_map(|row| row.changes(after.event, |id| ChangeCursor { commit: id, event: id }))
                .take(limit as usize)
                .collect())
        })
        .await
    }

    async fn prune(&self, events_before: i64, keys_before: i64) -> Result<u64, StoreError> {
        let tenants: Vec<TenantId> = self
            .read(|tx, _| {
                Ok(tx
                    .prepare("SELECT id FROM tenants")?
                    .query_map([], |r| r.get(0))?
                    .collect::<Result<_, _>>()?)
            })
            .await?;
        // Per tenant, from its oldest event (ids grow with time), in slices: one big delete
        // would hold the writer (and every write) meanwhile. A tenant's newest event stays.
        let mut pruned = 0;
        for tenant in tenants {
            loop {
                // The events deleted, a row (span) at a time.
                let spans: Vec<i64> = self
                    .write(move |tx, _| {
                        Ok(tx
                            .prepare_cached(
                                "DELETE FROM changes
                                  WHERE tenant_id = ?1
                                    AND id IN (SELECT id FROM (SELECT id, at FROM changes WHERE tenant_id = ?1
                                                                ORDER BY id LIMIT 5000)
                                                WHERE at < ?2)
                                    AND id < (SELECT max(id) FROM changes WHERE tenant_id = ?1)
                                 RETURNING span",
                            )?
                            .query_map(params![tenant, events_before], |r| r.get(0))?
                            .collect::<Result<_, _>>()?)
                    })
                    .await?;
                pruned += spans.iter().map(|&n| u64::try_from(n).unwrap_or(1)).sum::<u64>();
                if spans.len() < 5000 {
                    break;
                }
            }
        }
        self.write(move |tx, _| {
            tx.prepare_cached("DELETE FROM idempotency_keys WHERE created_at < ?1")?
                .execute([keys_before])?;
            // The webhook log goes with the events it reports (dead ones stay to be redelivered).
            tx.prepare_cached("DELETE FROM webhook_deliveries WHERE updated_at < ?1 AND state = 'delivered'")?
                .execute([events_before])?;
            Ok(())
        })
        .await?;
        Ok(pruned)
    }

    async fn idempotency_key(&self, scope: &str, key: &str) -> Result<Option<StoredKey>, StoreError> {
        let (scope, key) = (scope.to_string(), key.to_string());
        self.read_point(move |tx, _| {
            let row = tx
                .prepare_cached(
                    "SELECT fingerprint, status, content_type, body, created_at FROM idempotency_keys
                      WHERE scope = ?1 AND key = ?2",
                )?
                .query_row(params![scope, key], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<u16>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<Vec<u8>>>(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                })
                .optional()?;
            Ok(
                row.map(|(fingerprint, status, content_type, body, created_at)| StoredKey {
                    fingerprint,
                    created_at,
                    reply: status.map(|status| StoredReply {
                        status,
                        content_type,
                        body: body.unwrap_or_default(),
                    }),
                }),
            )
        })
        .await
    }

    async fn store_reply(&self, scope: &str, key: &str, reply: StoredReply) -> Result<(), StoreError> {
        let (scope, key) = (scope.to_string(), key.to_string());
        self.write(move |tx, _| {
            tx.prepare_cached(
                "UPDATE idempotency_keys SET status = ?3, content_type = ?4, body = ?5 WHERE scope = ?1 AND key = ?2",
            )?
            .execute(params![scope, key, reply.status, reply.content_type, reply.body])?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An earlier version's disposition trigger (`INSERT ... SELECT`, a temporary B-tree per
    /// call result) is replaced at start-up, and the new one writes the same event.
    #[test]
    fn a_disposition_event_is_written_by_the_trigger_installed_at_start_up() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate::apply(&mut conn).unwrap();
        conn.execute_batch(
            "CREATE TRIGGER change_feed_disposition AFTER INSERT ON dispositions BEGIN
                 INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
                 SELECT r.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = r.tenant_id), 0) + 1,
                        r.project_id, r.id, 'disposition', unixepoch()
                   FROM records r WHERE r.id = new.record_id;
             END;
             PRAGMA foreign_keys = OFF;
             INSERT INTO records (id, tenant_id, project_id, created_at, updated_at, data) VALUES (11, 7, 3, 0, 0, '{}');
             INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at) VALUES (7, 41, 3, 11, 'add', 0);",
        )
        .unwrap();
        set_feed(&conn, true).unwrap();
        let trigger: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'change_feed_disposition'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(trigger.contains("VALUES"), "{trigger}");
        conn.execute(
            "INSERT INTO dispositions (tenant_id, record_id, disposition_id, user_id, created_at) VALUES (7, 11, 1, 5, 0)",
            [],
        )
        .unwrap();
        let event: (i64, i64, i64, String) = conn
            .query_row(
                "SELECT id, project_id, record_id, kind FROM changes WHERE tenant_id = 7 ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(event, (42, 3, 11, "disposition".to_string()));
    }
}
