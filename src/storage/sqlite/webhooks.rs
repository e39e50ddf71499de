//! Webhooks on SQLite (docs/changes.md): subscriptions, their log, the sender's lease.

use super::SqliteStore;
use crate::domain::changes::{ChangeCursor, ChangeFilter, parse_kinds};
use crate::domain::webhook::{Delivery, DeliveryState, NewWebhook, Webhook};
use crate::storage::{StoreError, TenantId, WebhookProgress, WebhookStore};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};

const WEBHOOK_COLUMNS: &str = "id, tenant_id, url, secret, kinds, project_id, created_at, cursor_commit, cursor_event, failures, retry_at, last_error";
const DELIVERY_COLUMNS: &str =
    "id, webhook_id, cursor, kind, project_id, record_id, at, state, attempts, last_status, last_error, updated_at";

fn bad_text(e: crate::domain::ValidationError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

fn webhook_of(r: &Row<'_>) -> rusqlite::Result<Webhook> {
    let kinds: Option<String> = r.get(4)?;
    Ok(Webhook {
        id: r.get(0)?,
        tenant: r.get(1)?,
        url: r.get(2)?,
        secret: r.get(3)?,
        filter: ChangeFilter {
            kinds: parse_kinds(kinds.as_deref().unwrap_or_default()).map_err(bad_text)?,
            project: r.get(5)?,
        },
        created_at: r.get(6)?,
        cursor: ChangeCursor {
            commit: r.get(7)?,
            event: r.get(8)?,
        },
        failures: r.get(9)?,
        retry_at: r.get(10)?,
        last_error: r.get(11)?,
    })
}

fn delivery_of(r: &Row<'_>) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: r.get(0)?,
        webhook: r.get(1)?,
        cursor: r.get(2)?,
        kind: r.get(3)?,
        project: r.get(4)?,
        record: r.get(5)?,
        at: r.get(6)?,
        state: DeliveryState::parse(&r.get::<_, String>(7)?).map_err(bad_text)?,
        attempts: r.get(8)?,
        last_status: r.get(9)?,
        last_error: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

fn kinds_text(filter: &ChangeFilter) -> Option<String> {
    filter.kind_names().map(|names| names.join(","))
}

fn owned(conn: &Connection, tenant: TenantId, webhook: i64) -> Result<(), StoreError> {
    conn.prepare_cached("SELECT 1 FROM webhooks WHERE tenant_id = ?1 AND id = ?2")?
        .query_row(params![tenant, webhook], |_| Ok(()))
        .optional()?
        .ok_or(StoreError::NotFound("webhook"))
}

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn create_webhook(&self, tenant: TenantId, new: NewWebhook, now: i64) -> Result<Webhook, StoreError> {
        self.write(move |tx, _| {
            let after = match new.after {
                Some(after) => after,
                None => {
                    let last: i64 = tx
                        .prepare_cached("SELECT coalesce(max(id), 0) FROM changes WHERE tenant_id = ?1")?
                        .query_row([tenant], |r| r.get(0))?;
                    ChangeCursor { commit: last, event: last }
                }
            };
            Ok(tx
                .prepare_cached(&format!(
                    "INSERT INTO webhooks (tenant_id, url, secret, kinds, project_id, created_at, cursor_commit, cursor_event)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING {WEBHOOK_COLUMNS}"
                ))?
                .query_row(
                    params![
                        tenant,
                        new.url.as_str(),
                        new.secret,
                        kinds_text(&new.filter),
                        new.filter.project,
                        now,
                        after.commit,
                        after.event
                    ],
                    webhook_of,
                )?)
        })
        .await
    }

    async fn webhooks(&self, tenant: TenantId) -> Result<Vec<Webhook>, StoreError> {
        self.read(move |tx, _| {
            Ok(tx
                .prepare_cached(&format!(
                    "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE tenant_id = ?1 ORDER BY id"
                ))?
                .query_map([tenant], webhook_of)?
                .collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn delete_webhook(&self, tenant: TenantId, id: i64) -> Result<(), StoreError> {
        self.write(move |tx, _| {
            owned(tx, tenant, id)?;
            tx.prepare_cached("DELETE FROM webhook_deliveries WHERE webhook_id = ?1")?
                .execute([id])?;
            tx.prepare_cached("DELETE FROM webhooks WHERE id = ?1")?.execute([id])?;
            Ok(())
        })
        .await
    }

    async fn deliveries(
        &self,
        tenant: TenantId,
        webhook: i64,
        after: i64,
        limit: u32,
        state: Option<DeliveryState>,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.read(move |tx, _| {
            owned(tx, tenant, webhook)?;
            Ok(tx
                .prepare_cached(&format!(
                    "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries
                      WHERE webhook_id = ?1 AND id > ?2 AND (?3 IS NULL OR state = ?3) ORDER BY id LIMIT ?4"
                ))?
                .query_map(
                    params![webhook, after, state.map(DeliveryState::as_str), limit],
                    delivery_of,
                )?
                .collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn redeliver(&self, tenant: TenantId, webhook: i64, delivery: i64) -> Result<(), StoreError> {
        self.write(move |tx, _| {
            owned(tx, tenant, webhook)?;
            let state: Option<String> = tx
                .prepare_cached("SELECT state FROM webhook_deliveries WHERE webhook_id = ?1 AND id = ?2")?
                .query_row(params![webhook, delivery], |r| r.get(0))
                .optional()?;
            match state.as_deref() {
                None => Err(StoreError::NotFound("delivery")),
                Some("dead") => {
                    tx.prepare_cached("UPDATE webhook_deliveries SET state = 'pending', attempts = 0 WHERE id = ?1")?
                        .execute([delivery])?;
                    // Due now, even if the webhook is waiting to retry its next event.
                    tx.prepare_cached("UPDATE webhooks SET retry_at = 0 WHERE id = ?1")?
                        .execute([webhook])?;
                    Ok(())
                }
                Some(other) => Err(StoreError::Conflict(format!(
                    "only a dead delivery is sent again; this one is {other}"
                ))),
            }
        })
        .await
    }

    async fn take_lease(&self, name: &str, holder: &str, ttl: i64, now: i64) -> Result<bool, StoreError> {
        let (name, holder) = (name.to_string(), holder.to_string());
        self.write(move |tx, _| {
            let taken = tx
                .prepare_cached(
                    "INSERT INTO worker_leases (name, holder, expires_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                      WHERE worker_leases.holder = excluded.holder OR worker_leases.expires_at < ?4",
                )?
                .execute(params![name, holder, now + ttl, now])?;
            Ok(taken == 1)
        })
        .await
    }

    async fn due_webhooks(&self, now: i64) -> Result<Vec<Webhook>, StoreError> {
        self.read(move |tx, _| {
            Ok(tx
                .prepare_cached(&format!(
                    "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE retry_at <= ?1 ORDER BY id"
                ))?
                .query_map([now], webhook_of)?
                .collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn pending_deliveries(&self, webhook: &Webhook, limit: u32) -> Result<Vec<Delivery>, StoreError> {
        let id = webhook.id;
        self.read(move |tx, _| {
            Ok(tx
                .prepare_cached(&format!(
                    "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries
                      WHERE webhook_id = ?1 AND state = 'pending' ORDER BY id LIMIT ?2"
                ))?
                .query_map(params![id, limit], delivery_of)?
                .collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn save_progress(&self, webhook: &Webhook, progress: WebhookProgress) -> Result<(), StoreError> {
        let (id, tenant) = (webhook.id, webhook.tenant);
        self.write(move |tx, _| {
            // A webhook deleted meanwhile keeps nothing.
            if tx
                .prepare_cached(
                    "UPDATE webhooks SET cursor_commit = ?2, cursor_event = ?3, failures = ?4, retry_at = ?5,
                            last_error = ?6 WHERE id = ?1",
                )?
                .execute(params![
                    id,
                    progress.cursor.commit,
                    progress.cursor.event,
                    progress.failures,
                    progress.retry_at,
                    progress.last_error
                ])?
                == 0
            {
                return Ok(());
            }
            let mut log = tx.prepare_cached(
                "INSERT INTO webhook_deliveries (tenant_id, webhook_id, cursor, kind, project_id, record_id, at, state,
                                                 attempts, last_status, last_error, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            for d in &progress.logged {
                log.execute(params![
                    tenant,
                    id,
                    d.cursor,
                    d.kind,
                    d.project,
                    d.record,
                    d.at,
                    d.state.as_str(),
                    d.attempts,
                    d.last_status,
                    d.last_error,
                    d.updated_at
                ])?;
            }
            let mut again = tx.prepare_cached(
                "UPDATE webhook_deliveries SET state = ?2, attempts = ?3, last_status = ?4, last_error = ?5,
                        updated_at = unixepoch() WHERE id = ?1",
            )?;
            for r in &progress.redelivered {
                again.execute(params![r.id, r.state.as_str(), r.attempts, r.last_status, r.last_error])?;
            }
            Ok(())
        })
        .await
    }
}
