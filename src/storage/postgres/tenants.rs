//! Tenants, API users and the per-tenant Robinson list, with the records' Robinson flags.

use super::PostgresStore;
use super::fields::Schemas;
use super::keys;
use super::records_read::select_rows;
use super::{PgError, PgResult, Tx};
use crate::domain::audit::{AuditEntry, NewAuditEntry};
use crate::domain::calldate;
use crate::domain::keys::{ApiKey, Login, ProjectScope, Role};
use crate::storage::TenantId;
use crate::storage::{AuditStore, StoreError, TenantStore};
use async_trait::async_trait;
use deadpool_postgres::Transaction;
use std::collections::HashSet;

pub async fn ensure_tenant(tx: &Transaction<'_>, name: &str) -> PgResult<TenantId> {
    tx.execute(
        "INSERT INTO tenants (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        &[&name, &calldate::now()],
    )
    .await?;
    Ok(tx
        .query_one("SELECT id FROM tenants WHERE name = $1", &[&name])
        .await?
        .get(0))
}

/// Takes the tenant's row in share mode until the transaction ends: a writer of record
/// phones does, before it reads the Robinson list, so that a change of the list (which
/// takes the row exclusively) and the write see each other's work (docs/postgres.md).
pub async fn share_tenant(tx: &Transaction<'_>, tenant: TenantId) -> PgResult<()> {
    let statement = tx
        .prepare_cached("SELECT id FROM tenants WHERE id = $1 FOR KEY SHARE")
        .await?;
    tx.query(&statement, &[&tenant]).await?;
    Ok(())
}

/// Waits for every writer of record phones of the tenant, and keeps new ones waiting.
pub async fn lock_tenant(tx: &Transaction<'_>, tenant: TenantId) -> PgResult<()> {
    tx.query("SELECT id FROM tenants WHERE id = $1 FOR UPDATE", &[&tenant])
        .await?;
    Ok(())
}

/// Which of these numbers are on the tenant's Robinson list.
pub async fn listed<'a>(
    tx: &Transaction<'_>,
    tenant: TenantId,
    phones: impl IntoIterator<Item = &'a String>,
) -> PgResult<HashSet<String>> {
    let phones: Vec<&str> = phones.into_iter().map(String::as_str).collect();
    if phones.is_empty() {
        return Ok(HashSet::new());
    }
    let statement = tx
        .prepare_cached("SELECT phone FROM robinson WHERE tenant_id = $1 AND phone = ANY($2)")
        .await?;
    let rows = tx.query(&statement, &[&tenant, &phones]).await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// One statement for the whole list; numbers already listed are kept as they are.
/// Records holding a newly listed number get their Robinson flag.
pub async fn add_robinson(tx: &Transaction<'_>, tenant: TenantId, phones: &[String]) -> PgResult<()> {
    lock_tenant(tx, tenant).await?;
    tx.execute(
        "INSERT INTO robinson (tenant_id, phone, created_at) SELECT $1, phone, $3 FROM (SELECT DISTINCT unnest($2::text[]) AS phone) AS listed
         ON CONFLICT DO NOTHING",
        &[&tenant, &phones, &calldate::now()],
    )
    .await?;
    tx.execute(
        "UPDATE records r SET robinson = TRUE
         FROM (SELECT DISTINCT record_id FROM record_phones WHERE tenant_id = $1 AND phone = ANY($2)) AS p
         WHERE r.tenant_id = $1 AND r.id = p.record_id AND NOT r.robinson",
        &[&tenant, &phones],
    )
    .await?;
    Ok(())
}

/// Records holding the number keep their Robinson flag only for another listed number.
pub async fn delete_robinson(tx: &Tx<'_>, tenant: TenantId, phone: &str) -> PgResult<bool> {
    lock_tenant(tx, tenant).await?;
    let deleted = tx
        .execute(
            "DELETE FROM robinson WHERE tenant_id = $1 AND phone = $2",
            &[&tenant, &phone],
        )
        .await?;
    if deleted == 0 {
        return Ok(false);
    }
    let condition = "r.tenant_id = $1 AND r.robinson
        AND r.id IN (SELECT record_id FROM record_phones WHERE tenant_id = $1 AND phone = $2)";
    let rows = select_rows(tx, condition, &[&tenant, &phone], true).await?;
    let (mut phones, mut schemas) = (Vec::with_capacity(rows.len()), Schemas::default());
    for row in &rows {
        let schema = schemas.get(tx, tenant, row.project_id, None).await?;
        phones.push(row.phones(&schema));
    }
    let still = listed(tx, tenant, phones.iter().flatten()).await?;
    let cleared: Vec<i64> = rows
        .iter()
        .zip(&phones)
        .filter(|(_, phones)| !phones.iter().any(|p| still.contains(p)))
        .map(|(row, _)| row.id)
        .collect();
    tx.execute(
        "UPDATE records SET robinson = FALSE WHERE tenant_id = $1 AND id = ANY($2)",
        &[&tenant, &cleared],
    )
    .await?;
    Ok(true)
}

#[async_trait]
impl TenantStore for PostgresStore {
    async fn ensure_tenant(&self, name: &str) -> Result<TenantId, StoreError> {
        self.write(name, |tx, name| Box::pin(ensure_tenant(tx, name))).await
    }

    async fn list_tenants(&self) -> Result<Vec<(TenantId, String)>, StoreError> {
        // One statement, no transaction around it: `/healthz` asks this of every node.
        let client = self.connection().await?;
        let rows = client
            .query("SELECT id, name FROM tenants ORDER BY id", &[])
            .await
            .map_err(PgError::from)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn put_api_user(
        &self,
        tenant: TenantId,
        user: &str,
        key_hash: &str,
        replace: bool,
    ) -> Result<bool, StoreError> {
        self.write((user, key_hash), |tx, (user, key_hash)| {
            Box::pin(keys::put_api_user(tx, tenant, user, key_hash, replace))
        })
        .await
    }

    async fn create_key(
        &self,
        tenant: TenantId,
        user: &str,
        key_hash: &str,
        role: Role,
        projects: ProjectScope,
        by: NewAuditEntry,
    ) -> Result<ApiKey, StoreError> {
        self.write((user, key_hash, projects, by), |tx, (user, key_hash, projects, by)| {
            Box::pin(keys::create_key(tx, tenant, user, key_hash, role, projects, by))
        })
        .await
    }

    async fn list_keys(&self, tenant: TenantId) -> Result<Vec<ApiKey>, StoreError> {
        self.read((), |tx, ()| Box::pin(keys::list_keys(tx, tenant))).await
    }

    async fn revoke_key(&self, tenant: TenantId, key: i64, by: NewAuditEntry) -> Result<ApiKey, StoreError> {
        self.write(by, |tx, by| Box::pin(keys::revoke_key(tx, tenant, key, by)))
            .await
    }

    async fn authenticate(&self, tenant: &str, user: &str, key_hash: &str) -> Result<Option<Login>, StoreError> {
        self.read((tenant, user, key_hash), |tx, (tenant, user, key_hash)| {
            Box::pin(keys::authenticate(tx, tenant, user, key_hash))
        })
        .await
    }

    async fn authenticate_token(&self, tenant: &str, key_hash: &str) -> Result<Option<(String, Login)>, StoreError> {
        self.read((tenant, key_hash), |tx, (tenant, key_hash)| {
            Box::pin(keys::authenticate_token(tx, tenant, key_hash))
        })
        .await
    }

    /// One statement outside a transaction: a single round trip on a cached login.
    async fn key_generation(&self, tenant: TenantId) -> Result<i64, StoreError> {
        let client = self.connection().await?;
        let statement = client
            .prepare_cached("SELECT key_generation FROM tenants WHERE id = $1")
            .await?;
        Ok(client.query_opt(&statement, &[&tenant]).await?.map_or(-1, |r| r.get(0)))
    }
}

#[async_trait]
impl AuditStore for PostgresStore {
    async fn append_audit(&self, tenant: TenantId, entry: NewAuditEntry) -> Result<(), StoreError> {
        self.write(entry, |tx, entry| Box::pin(keys::append_audit(tx, tenant, entry)))
            .await
    }

    async fn audit_log(&self, tenant: TenantId, after: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.read((), |tx, ()| Box::pin(keys::audit_log(tx, tenant, after, limit)))
            .await
    }
}
