//! The console's sessions, uploads, API users and project summary on PostgreSQL.

use super::PostgresStore;
use crate::storage::{ConsoleSession, ConsoleStore, ImportStatus, ProjectOverview, StoreError, TenantId};
use async_trait::async_trait;

const OVERVIEW: &str = "
SELECT p.id, p.name, COUNT(r.id),
  COUNT(*) FILTER (WHERE r.done_at IS NULL AND NOT r.locked AND NOT r.robinson
      AND (r.dnc_until IS NULL OR r.dnc_until <= $2)
      AND (r.next_calldate IS NULL OR r.next_calldate <= $2)
      AND (r.claimed_by IS NULL OR r.claim_expires_at <= $2)),
  COUNT(*) FILTER (WHERE r.done_at IS NULL AND r.claimed_by IS NOT NULL AND r.claim_expires_at > $2),
  COUNT(*) FILTER (WHERE r.done_at IS NOT NULL),
  COUNT(*) FILTER (WHERE r.locked),
  COUNT(*) FILTER (WHERE r.robinson OR r.dnc_until > $2)
FROM projects p LEFT JOIN records r ON r.project_id = p.id
WHERE p.tenant_id = $1 GROUP BY p.id, p.name ORDER BY p.id";

fn import_of(r: &tokio_postgres::Row) -> ImportStatus {
    ImportStatus {
        id: r.get(0),
        project: r.get(1),
        total_bytes: r.get(2),
        read_bytes: r.get(3),
        stored: r.get(4),
        rejected: r.get(5),
        outcome: r.get(6),
        report: r.get(7),
    }
}

#[async_trait]
impl ConsoleStore for PostgresStore {
    async fn create_session(
        &self,
        token_hash: &str,
        session: ConsoleSession,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.write((token_hash, session), |tx, (token_hash, session)| {
            Box::pin(async move {
                tx.execute("DELETE FROM console_sessions WHERE expires_at <= $1", &[&now])
                    .await?;
                tx.execute(
                    "INSERT INTO console_sessions (token_hash, tenant_id, username, key_id, csrf_token, created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        token_hash,
                        &session.tenant,
                        &session.user,
                        &session.key_id,
                        &session.csrf_token,
                        &now,
                        &expires_at,
                    ],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    async fn session(&self, token_hash: &str, now: i64) -> Result<Option<ConsoleSession>, StoreError> {
        self.read(token_hash, |tx, token_hash| {
            Box::pin(async move {
                let statement = tx
                    .prepare_cached(
                        "SELECT s.tenant_id, s.username, s.csrf_token, t.name, s.key_id FROM console_sessions s
                     JOIN tenants t ON t.id = s.tenant_id
                         JOIN api_keys k ON k.id = s.key_id AND k.tenant_id = s.tenant_id AND k.revoked_at IS NULL
                         WHERE s.token_hash = $1 AND s.expires_at > $2",
                    )
                    .await?;
                Ok(tx
                    .query_opt(&statement, &[token_hash, &now])
                    .await?
                    .map(|r| ConsoleSession {
                        tenant: r.get(0),
                        user: r.get(1),
                        csrf_token: r.get(2),
                        tenant_name: r.get(3),
                        key_id: r.get(4),
                    }))
            })
        })
        .await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.write(token_hash, |tx, token_hash| {
            Box::pin(async move {
                tx.execute("DELETE FROM console_sessions WHERE token_hash = $1", &[token_hash])
                    .await?;
                Ok(())
            })
        })
        .await
    }

    async fn project_overview(&self, tenant: TenantId, now: i64) -> Result<Vec<ProjectOverview>, StoreError> {
        self.read((), |tx, ()| {
            Box::pin(async move {
                let rows = tx.query(OVERVIEW, &[&tenant, &now]).await?;
                Ok(rows
                    .iter()
                    .map(|r| ProjectOverview {
                        id: r.get(0),
                        name: r.get(1),
                        records: r.get(2),
                        due_now: r.get(3),
                        claimed: r.get(4),
                        done: r.get(5),
                        locked: r.get(6),
                        on_dnc: r.get(7),
                    })
                    .collect())
            })
        })
        .await
    }

    async fn records_by_phone(
        &self,
        tenant: TenantId,
        project: i64,
        phone: &str,
        limit: u32,
    ) -> Result<Vec<i64>, StoreError> {
        let limit = i64::from(limit);
        self.read(phone, |tx, phone| {
            Box::pin(async move {
                let rows = tx
                    .query(
                        "SELECT p.record_id FROM record_phones p JOIN records r ON r.id = p.record_id
                         WHERE p.tenant_id = $1 AND p.phone = $2 AND r.project_id = $3
                         ORDER BY p.record_id LIMIT $4",
                        &[&tenant, phone, &project, &limit],
                    )
                    .await?;
                Ok(rows.iter().map(|r| r.get(0)).collect())
            })
        })
        .await
    }

    async fn create_import(
        &self,
        tenant: TenantId,
        project: i64,
        user: &str,
        total_bytes: i64,
        now: i64,
    ) -> Result<i64, StoreError> {
        self.write(user, |tx, user| {
            Box::pin(async move {
                super::fields::project(tx, tenant, project).await?;
                let row = tx
                    .query_one(
                        "INSERT INTO console_imports (tenant_id, project_id, username, total_bytes, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                        &[&tenant, &project, user, &total_bytes, &now],
                    )
                    .await?;
                Ok(row.get(0))
            })
        })
        .await
    }

    async fn update_import(&self, tenant: TenantId, status: ImportStatus, now: i64) -> Result<(), StoreError> {
        self.write(status, |tx, status| {
            Box::pin(async move {
                tx.execute(
                    "UPDATE console_imports SET read_bytes = $3, stored = $4, rejected = $5, outcome = $6,
                       report = $7, updated_at = $8 WHERE tenant_id = $1 AND id = $2",
                    &[
                        &tenant,
                        &status.id,
                        &status.read_bytes,
                        &status.stored,
                        &status.rejected,
                        &status.outcome,
                        &status.report,
                        &now,
                    ],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    async fn import_status(&self, tenant: TenantId, id: i64) -> Result<Option<ImportStatus>, StoreError> {
        self.read((), |tx, ()| {
            Box::pin(async move {
                let row = tx
                    .query_opt(
                        "SELECT id, project_id, total_bytes, read_bytes, stored, rejected, outcome, report
                         FROM console_imports WHERE tenant_id = $1 AND id = $2",
                        &[&tenant, &id],
                    )
                    .await?;
                Ok(row.as_ref().map(import_of))
            })
        })
        .await
    }
}
