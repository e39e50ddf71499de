//! Webhooks on PostgreSQL (docs/changes.md): subscriptions, their log, the sender's lease.

use super::{PgResult, PostgresStore, Tx};
use crate::domain::changes::{ChangeCursor, ChangeFilter, parse_kinds};
use crate::domain::webhook::{Delivery, DeliveryState, NewWebhook, Webhook};
use crate::storage::{StoreError, TenantId, WebhookProgress, WebhookStore};
use async_trait::async_trait;
use tokio_postgres::Row;

const WEBHOOK_COLUMNS: &str = "id, tenant_id, url, secret, kinds, project_id, created_at, cursor_commit, cursor_event, failures, retry_at, last_error";
const DELIVERY_COLUMNS: &str =
    "id, webhook_id, cursor, kind, project_id, record_id, at, state, attempts, last_status, last_error, updated_at";

fn webhook_of(r: &Row) -> PgResult<Webhook> {
    Ok(Webhook {
        id: r.get(0),
        tenant: r.get(1),
        url: r.get(2),
        secret: r.get(3),
        filter: ChangeFilter {
            kinds: parse_kinds(r.get::<_, Option<&str>>(4).unwrap_or_default())?,
            project: r.get(5),
        },
        created_at: r.get(6),
        cursor: ChangeCursor {
            commit: r.get(7),
            event: r.get(8),
        },
        failures: r.get(9),
        retry_at: r.get(10),
        last_error: r.get(11),
    })
}

fn delivery_of(r: &Row) -> PgResult<Delivery> {
    Ok(Delivery {
        id: r.get(0),
        webhook: r.get(1),
        cursor: r.get(2),
        kind: r.get(3),
        project: r.get(4),
        record: r.get(5),
        at: r.get(6),
        state: DeliveryState::parse(r.get(7))?,
        attempts: r.get(8),
        last_status: r.get::<_, Option<i64>>(9).and_then(|s| u16::try_from(s).ok()),
        last_error: r.get(10),
        updated_at: r.get(11),
    })
}

async fn owned(tx: &Tx<'_>, tenant: TenantId, webhook: i64) -> PgResult<()> {
    tx.query_opt(
        "SELECT 1 FROM webhooks WHERE tenant_id = $1 AND id = $2",
        &[&tenant, &webhook],
    )
    .await?
    .map(|_| ())
    .ok_or_else(|| StoreError::NotFound("webhook").into())
}

/// The tenant's last event now: a new webhook starts after it.
async fn feed_end(tx: &Tx<'_>, tenant: TenantId) -> PgResult<ChangeCursor> {
    let row = tx
        .query_opt(
            "SELECT c.seq, (SELECT max(e.id) FROM changes e WHERE e.tenant_id = c.tenant_id AND e.xid = c.xid)
               FROM change_commits c WHERE c.tenant_id = $1 AND c.seq IS NOT NULL ORDER BY c.seq DESC LIMIT 1",
            &[&tenant],
        )
        .await?;
    Ok(row.map_or(ChangeCursor::START, |r| ChangeCursor {
        commit: r.get(0),
        event: r.get::<_, Option<i64>>(1).unwrap_or(i64::MAX),
    }))
}

async fn create(tx: &Tx<'_>, tenant: TenantId, new: &NewWebhook, now: i64) -> PgResult<Webhook> {
    let after = match new.after {
        Some(after) => after,
        None => feed_end(tx, tenant).await?,
    };
    let kinds = new.filter.kind_names().map(|names| names.join(","));
    let row = tx
        .query_one(
            &format!(
                "INSERT INTO webhooks (tenant_id, url, secret, kinds, project_id, created_at, cursor_commit, cursor_event)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {WEBHOOK_COLUMNS}"
            ),
            &[
                &tenant,
                &new.url.as_str(),
                &new.secret,
                &kinds,
                &new.filter.project,
                &now,
                &after.commit,
                &after.event,
            ],
        )
        .await?;
    webhook_of(&row)
}

async fn redeliver(tx: &Tx<'_>, tenant: TenantId, webhook: i64, delivery: i64) -> PgResult<()> {
    owned(tx, tenant, webhook).await?;
    let state: Option<String> = tx
        .query_opt(
            "SELECT state FROM webhook_deliveries WHERE tenant_id = $1 AND webhook_id = $2 AND id = $3 FOR UPDATE",
            &[&tenant, &webhook, &delivery],
        )
        .await?
        .map(|r| r.get(0));
    match state.as_deref() {
        None => Err(StoreError::NotFound("delivery").into()),
        Some("dead") => {
            tx.execute(
                "UPDATE webhook_deliveries SET state = 'pending', attempts = 0 WHERE tenant_id = $1 AND id = $2",
                &[&tenant, &delivery],
            )
            .await?;
            // Due now, even if the webhook is waiting to retry its next event.
            tx.execute(
                "UPDATE webhooks SET retry_at = 0 WHERE tenant_id = $1 AND id = $2",
                &[&tenant, &webhook],
            )
            .await?;
            Ok(())
        }
        Some(other) => {
            Err(StoreError::Conflict(format!("only a dead delivery is sent again; this one is {other}")).into())
        }
    }
}

async fn save_progress(tx: &Tx<'_>, webhook: &Webhook, progress: &WebhookProgress) -> PgResult<()> {
    let (id, tenant) = (webhook.id, webhook.tenant);
    let updated = tx
        .execute(
            "UPDATE webhooks SET cursor_commit = $3, cursor_event = $4, failures = $5, retry_at = $6, last_error = $7
              WHERE tenant_id = $1 AND id = $2",
            &[
                &tenant,
                &id,
                &progress.cursor.commit,
                &progress.cursor.event,
                &progress.failures,
                &progress.retry_at,
                &progress.last_error,
            ],
        )
        .await?;
    // A webhook deleted meanwhile keeps nothing.
    if updated == 0 {
        return Ok(());
    }
    let log = tx
        .prepare(
            "INSERT INTO webhook_deliveries (tenant_id, webhook_id, cursor, kind, project_id, record_id, at, state,
                                             attempts, last_status, last_error, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .await?;
    for d in &progress.logged {
        let status = d.last_status.map(i64::from);
        tx.execute(
            &log,
            &[
                &tenant,
                &id,
                &d.cursor,
                &d.kind,
                &d.project,
                &d.record,
                &d.at,
                &d.state.as_str(),
                &d.attempts,
                &status,
                &d.last_error,
                &d.updated_at,
            ],
        )
        .await?;
    }
    for r in &progress.redelivered {
        let status = r.last_status.map(i64::from);
        tx.execute(
            "UPDATE webhook_deliveries SET state = $3, attempts = $4, last_status = $5, last_error = $6,
                    updated_at = floor(extract(epoch FROM now()))::bigint WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &r.id, &r.state.as_str(), &r.attempts, &status, &r.last_error],
        )
        .await?;
    }
    Ok(())
}

#[async_trait]
impl WebhookStore for PostgresStore {
    async fn create_webhook(&self, tenant: TenantId, new: NewWebhook, now: i64) -> Result<Webhook, StoreError> {
        self.write(new, |tx, new| Box::pin(create(tx, tenant, new, now))).await
    }

    async fn webhooks(&self, tenant: TenantId) -> Result<Vec<Webhook>, StoreError> {
        self.read((), |tx, _| {
            Box::pin(async move {
                let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE tenant_id = $1 ORDER BY id");
                tx.query(&sql, &[&tenant]).await?.iter().map(webhook_of).collect()
            })
        })
        .await
    }

    async fn delete_webhook(&self, tenant: TenantId, id: i64) -> Result<(), StoreError> {
        self.write((), |tx, _| {
            Box::pin(async move {
                owned(tx, tenant, id).await?;
                tx.execute(
                    "DELETE FROM webhook_deliveries WHERE tenant_id = $1 AND webhook_id = $2",
                    &[&tenant, &id],
                )
                .await?;
                tx.execute("DELETE FROM webhooks WHERE tenant_id = $1 AND id = $2", &[&tenant, &id])
                    .await?;
                Ok(())
            })
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
        self.read((), |tx, _| {
            Box::pin(async move {
                owned(tx, tenant, webhook).await?;
                let sql = format!(
                    "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries
                      WHERE tenant_id = $1 AND webhook_id = $2 AND id > $3 AND ($4::text IS NULL OR state = $4)
                      ORDER BY id LIMIT $5"
                );
                let state = state.map(DeliveryState::as_str);
                tx.query(&sql, &[&tenant, &webhook, &after, &state, &i64::from(limit)])
                    .await?
                    .iter()
                    .map(delivery_of)
                    .collect()
            })
        })
        .await
    }

    async fn redeliver(&self, tenant: TenantId, webhook: i64, delivery: i64) -> Result<(), StoreError> {
        self.write((), |tx, _| Box::pin(redeliver(tx, tenant, webhook, delivery)))
            .await
    }

    async fn take_lease(&self, name: &str, holder: &str, ttl: i64, now: i64) -> Result<bool, StoreError> {
        self.write((name, holder), |tx, (name, holder)| {
            Box::pin(async move {
                let taken = tx
                    .execute(
                        "INSERT INTO worker_leases AS l (name, holder, expires_at) VALUES ($1, $2, $3)
                         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                          WHERE l.holder = excluded.holder OR l.expires_at < $4",
                        &[name, holder, &(now + ttl), &now],
                    )
                    .await?;
                Ok(taken == 1)
            })
        })
        .await
    }

    async fn due_webhooks(&self, now: i64) -> Result<Vec<Webhook>, StoreError> {
        self.read((), |tx, _| {
            Box::pin(async move {
                let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE retry_at <= $1 ORDER BY tenant_id, id");
                tx.query(&sql, &[&now]).await?.iter().map(webhook_of).collect()
            })
        })
        .await
    }

    async fn pending_deliveries(&self, webhook: &Webhook, limit: u32) -> Result<Vec<Delivery>, StoreError> {
        let (tenant, id) = (webhook.tenant, webhook.id);
        self.read((), |tx, _| {
            Box::pin(async move {
                let sql = format!(
                    "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries
                      WHERE tenant_id = $1 AND webhook_id = $2 AND state = 'pending' ORDER BY id LIMIT $3"
                );
                tx.query(&sql, &[&tenant, &id, &i64::from(limit)])
                    .await?
                    .iter()
                    .map(delivery_of)
                    .collect()
            })
        })
        .await
    }

    async fn save_progress(&self, webhook: &Webhook, progress: WebhookProgress) -> Result<(), StoreError> {
        self.write((webhook, progress), |tx, (webhook, progress)| {
            Box::pin(save_progress(tx, webhook, progress))
        })
        .await
    }
}
