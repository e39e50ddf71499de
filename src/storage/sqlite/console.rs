//! The console's sessions, uploads, API users and project summary on SQLite.

use super::SqliteStore;
use super::phone_key::PhoneKey;
use crate::storage::{ConsoleSession, ConsoleStore, ImportStatus, ProjectOverview, StoreError, TenantId};
use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};

const OVERVIEW: &str = "
SELECT p.id, p.name, COUNT(r.id),
  COALESCE(SUM(r.done_at IS NULL AND r.locked = 0 AND r.robinson = 0
      AND (r.dnc_until IS NULL OR r.dnc_until <= ?2)
      AND (r.next_calldate IS NULL OR r.next_calldate <= ?2)
      AND (r.claimed_by IS NULL OR r.claim_expires_at <= ?2)), 0),
  COALESCE(SUM(r.done_at IS NULL AND r.claimed_by IS NOT NULL AND r.claim_expires_at > ?2), 0),
  COALESCE(SUM(r.done_at IS NOT NULL), 0),
  COALESCE(SUM(r.locked <> 0), 0),
  COALESCE(SUM(r.robinson <> 0 OR (r.dnc_until IS NOT NULL AND r.dnc_until > ?2)), 0)
FROM projects p LEFT JOIN records r ON r.project_id = p.id
WHERE p.tenant_id = ?1 GROUP BY p.id, p.name ORDER BY p.id";

#[async_trait]
impl ConsoleStore for SqliteStore {
    async fn create_session(
        &self,
        token_hash: &str,
        session: ConsoleSession,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let token_hash = token_hash.to_string();
        self.write(move |tx, _| {
            tx.execute("DELETE FROM console_sessions WHERE expires_at <= ?1", [now])?;
            tx.execute(
                "INSERT INTO console_sessions (token_hash, tenant_id, username, key_id, csrf_token, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    token_hash,
                    session.tenant,
                    session.user,
                    session.key_id,
                    session.csrf_token,
                    now,
                    expires_at
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn session(&self, token_hash: &str, now: i64) -> Result<Option<ConsoleSession>, StoreError> {
        let token_hash = token_hash.to_string();
        self.read_point(move |tx, _| {
            Ok(tx
                .prepare_cached(
                    "SELECT s.tenant_id, s.username, s.csrf_token, t.name, s.key_id FROM console_sessions s
                     JOIN tenants t ON t.id = s.tenant_id
                     JOIN api_keys k ON k.id = s.key_id AND k.tenant_id = s.tenant_id AND k.revoked_at IS NULL
                     WHERE s.token_hash = ?1 AND s.expires_at > ?2",
                )?
                .query_row(params![token_hash, now], |r| {
                    Ok(ConsoleSession {
                        tenant: r.get(0)?,
                        user: r.get(1)?,
                        csrf_token: r.get(2)?,
                        tenant_name: r.get(3)?,
                        key_id: r.get(4)?,
                    })
                })
                .optional()?)
        })
        .await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let token_hash = token_hash.to_string();
        self.write(move |tx, _| {
            tx.execute("DELETE FROM console_sessions WHERE token_hash = ?1", [token_hash])?;
            Ok(())
        })
        .await
    }

    async fn project_overview(&self, tenant: TenantId, now: i64) -> Result<Vec<ProjectOverview>, StoreError> {
        self.read(move |tx, _| {
            let mut statement = tx.prepare_cached(OVERVIEW)?;
            let rows = statement.query_map(params![tenant, now], |r| {
                Ok(ProjectOverview {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    records: r.get(2)?,
                    due_now: r.get(3)?,
                    claimed: r.get(4)?,
                    done: r.get(5)?,
                    locked: r.get(6)?,
                    on_dnc: r.get(7)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
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
        let phone = phone.to_string();
        self.read(move |tx, _| {
            let mut statement = tx.prepare_cached(
                "SELECT p.record_id FROM record_phones p JOIN records r ON r.id = p.record_id
                 WHERE p.tenant_id = ?1 AND p.phone = ?2 AND r.project_id = ?3 ORDER BY p.record_id LIMIT ?4",
            )?;
            let rows = statement.query_map(params![tenant, PhoneKey::of(&phone), project, limit], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
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
        let user = user.to_string();
        self.write(move |tx, _| {
            super::fields::project(tx, tenant, project)?;
            tx.execute(
                "INSERT INTO console_imports (tenant_id, project_id, username, total_bytes, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![tenant, project, user, total_bytes, now],
            )?;
            Ok(tx.last_insert_rowid())
        })
        .await
    }

    async fn update_import(&self, tenant: TenantId, status: ImportStatus, now: i64) -> Result<(), StoreError> {
        self.write(move |tx, _| {
            tx.execute(
                "UPDATE console_imports SET read_bytes = ?3, stored = ?4, rejected = ?5, outcome = ?6,
                   report = ?7, updated_at = ?8 WHERE tenant_id = ?1 AND id = ?2",
                params![
                    tenant,
                    status.id,
                    status.read_bytes,
                    status.stored,
                    status.rejected,
                    status.outcome,
                    status.report,
                    now
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn import_status(&self, tenant: TenantId, id: i64) -> Result<Option<ImportStatus>, StoreError> {
        self.read_point(move |tx, _| {
            Ok(tx
                .prepare_cached(
                    "SELECT id, project_id, total_bytes, read_bytes, stored, rejected, outcome, report
                     FROM console_imports WHERE tenant_id = ?1 AND id = ?2",
                )?
                .query_row(params![tenant, id], |r| {
                    Ok(ImportStatus {
                        id: r.get(0)?,
                        project: r.get(1)?,
                        total_bytes: r.get(2)?,
                        read_bytes: r.get(3)?,
                        stored: r.get(4)?,
                        rejected: r.get(5)?,
                        outcome: r.get(6)?,
                        report: r.get(7)?,
                    })
                })
                .optional()?)
        })
        .await
    }
}
