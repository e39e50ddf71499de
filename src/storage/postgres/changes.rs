//! The change feed and idempotency keys on PostgreSQL (docs/changes.md). Triggers append
//! the events (`change_feed.sql`) and number each transaction's events at its commit
//! (migrations/postgres/008_change_feed.sql): a reader pages by (commit number, event id).

use super::{PgResult, PostgresStore, Tx};
use crate::domain::changes::{Change, ChangeCursor, ChangeFilter, ChangeKind, EventSpan, StoredEvents};
use crate::storage::write_key::key_taken;
use crate::storage::{ChangeStore, StoreError, StoredKey, StoredReply, TenantId, WriteKey};
use async_trait::async_trait;
use tokio_postgres::Transaction;

const TRIGGERS: &str = include_str!("change_feed.sql");

/// The functions of [`TRIGGERS`]: replaced at every start-up, so that a new version's
/// function (spans of `add` events) takes over triggers an earlier version created.
fn functions() -> &'static str {
    TRIGGERS
        .split_once("-- @triggers")
        .map_or(TRIGGERS, |(functions, _)| functions)
}

/// Installs the feed's triggers (when one is missing), or removes them when the feed is
/// off. Runs inside the migrations' transaction, under their lock.
pub async fn set_feed(tx: &Transaction<'_>, on: bool) -> Result<(), StoreError> {
    let installed: i64 = tx
        .query_one(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'change\\_feed\\_%' AND NOT tgisinternal
               AND tgrelid IN ('records'::regclass, 'dispositions'::regclass)",
            &[],
        )
        .await?
        .get(0);
    match (on, installed) {
        (true, 4) => Ok(tx.batch_execute(functions()).await?),
        (false, 0) => Ok(()),
        (true, _) => Ok(tx.batch_execute(TRIGGERS).await?),
        (false, _) => Ok(tx
            .batch_execute(
                "DROP TRIGGER IF EXISTS change_feed_add ON records;
                 DROP TRIGGER IF EXISTS change_feed_delete ON records;
                 DROP TRIGGER IF EXISTS change_feed_update ON records;
                 DROP TRIGGER IF EXISTS change_feed_disposition ON dispositions;",
            )
            .await?),
    }
}

/// Records the request's key in the write's transaction. A concurrent request with the
/// same key waits here for the first to end; if it committed, this write rolls back.
pub async fn record_key(tx: &Tx<'_>, key: &WriteKey) -> PgResult<()> {
    let inserted = tx
        .execute(
            "INSERT INTO idempotency_keys AS k (tenant_id, key, fingerprint, created_at)
             SELECT id, $2, $3, $4 FROM tenants WHERE name = $1
             ON CONFLICT (tenant_id, key) DO UPDATE
                SET fingerprint = excluded.fingerprint, created_at = excluded.created_at, status = NULL,
                    content_type = NULL, body = NULL
              WHERE k.created_at < $5",
            &[
                &key.scope,
                &key.key,
                &key.fingerprint,
                &key.created_at,
                &(key.created_at - crate::http::IDEMPOTENCY_KEEP_SECONDS),
            ],
        )
        .await?;
    if inserted == 0 {
        key.mark_taken();
        return Err(key_taken().into());
    }
    Ok(())
}

#[async_trait]
impl ChangeStore for PostgresStore {
    async fn changes(
        &self,
        tenant: TenantId,
        after: ChangeCursor,
        filter: ChangeFilter,
        limit: u32,
    ) -> Result<Vec<Change>, StoreError> {
        self.read(filter, |tx, filter| {
            Box::pin(async move {
                let kinds = filter.kind_names();
                let rows = tx
                    .query(
                        "SELECT c.seq, e.id, e.project_id, e.record_id, e.kind, e.at, e.span
                           FROM change_commits c
                           JOIN changes e ON e.tenant_id = c.tenant_id AND e.xid = c.xid
                          WHERE c.tenant_id = $1 AND c.seq >= $2 AND (c.seq > $2 OR e.id > $3)
                            AND ($4::bigint IS NULL OR e.project_id = $4)
                            AND ($5::text[] IS NULL OR e.kind = ANY($5))
                          ORDER BY c.seq, e.id LIMIT $6",
                        &[
                            &tenant,
                            &after.commit,
                            &after.event,
                            &filter.project,
                            &kinds,
                            &i64::from(limit),
                        ],
                    )
                    .await?;
                let rows = rows
                    .iter()
                    .map(|r| {
                        let span = EventSpan {
                            last_event: r.get(1),
                            last_record: r.get(3),
                            len: r.get(6),
                        };
                        let kind = r.get::<_, &str>(4).parse::<ChangeKind>()?;
                        let row = StoredEvents {
                            span,
                            kind,
                            project: r.get(2),
                            at: r.get(5),
                        };
                        Ok((r.get::<_, i64>(0), row))
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                Ok(rows
                    .into_iter()
                    .flat_map(|(commit, row)| {
                        // Within the cursor's own commit, only the events after its event.
                        let after = if commit == after.commit { after.event } else { i64::MIN };
                        row.changes(after, move |event| ChangeCursor { commit, event })
                    })
                    .take(usize::try_from(limit).unwrap_or(usize::MAX))
                    .collect())
            })
        })
        .await
    }

    async fn prune(&self, events_before: i64, keys_before: i64) -> Result<u64, StoreError> {
        // A commit at a time (in slices of commits), so that no transaction holds many row
        // locks for long: its events, then the commit itself.
        let mut pruned = 0;
        loop {
            let (events, commits) = self
                .write((), |tx, _| {
                    Box::pin(async move {
                        let row = tx
                            .query_one(
                                "WITH old AS (SELECT tenant_id, xid FROM change_commits WHERE at < $1 ORDER BY at LIMIT 500),
                                      gone AS (DELETE FROM changes e USING old
                                                WHERE e.tenant_id = old.tenant_id AND e.xid = old.xid RETURNING e.span),
                                      done AS (DELETE FROM change_commits c USING old
                                                WHERE c.tenant_id = old.tenant_id AND c.xid = old.xid RETURNING 1)
                                 SELECT (SELECT coalesce(sum(span), 0)::bigint FROM gone), (SELECT count(*) FROM done)",
                                &[&events_before],
                            )
                            .await?;
                        Ok((row.get::<_, i64>(0), row.get::<_, i64>(1)))
                    })
                })
                .await?;
            pruned += events as u64;
            if commits < 500 {
                break;
            }
        }
        self.write((), |tx, _| {
            Box::pin(async move {
                tx.execute("DELETE FROM idempotency_keys WHERE created_at < $1", &[&keys_before])
                    .await?;
                // The webhook log goes with the events it reports (dead ones stay to be redelivered).
                tx.execute(
                    "DELETE FROM webhook_deliveries WHERE updated_at < $1 AND state = 'delivered'",
                    &[&events_before],
                )
                .await?;
                Ok(())
            })
        })
        .await?;
        Ok(pruned)
    }

    async fn idempotency_key(&self, scope: &str, key: &str) -> Result<Option<StoredKey>, StoreError> {
        self.read((scope, key), |tx, (scope, key)| {
            Box::pin(async move {
                let row = tx
                    .query_opt(
                        "SELECT fingerprint, status, content_type, body, created_at FROM idempotency_keys
                          WHERE tenant_id = (SELECT id FROM tenants WHERE name = $1) AND key = $2",
                        &[scope, key],
                    )
                    .await?;
                Ok(row.map(|r| StoredKey {
                    fingerprint: r.get(0),
                    created_at: r.get(4),
                    reply: r.get::<_, Option<i32>>(1).map(|status| StoredReply {
                        status: u16::try_from(status).unwrap_or(500),
                        content_type: r.get(2),
                        body: r.get::<_, Option<Vec<u8>>>(3).unwrap_or_default(),
                    }),
                }))
            })
        })
        .await
    }

    async fn store_reply(&self, scope: &str, key: &str, reply: StoredReply) -> Result<(), StoreError> {
        self.write((scope, key, reply), |tx, (scope, key, reply)| {
            Box::pin(async move {
                tx.execute(
                    "UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5
                      WHERE tenant_id = (SELECT id FROM tenants WHERE name = $1) AND key = $2",
                    &[scope, key, &i32::from(reply.status), &reply.content_type, &reply.body],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }
}
