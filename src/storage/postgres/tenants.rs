//! Tenants, API users and the per-tenant Robinson list.

use super::PgResult;
use crate::domain::calldate;
use crate::storage::TenantId;
use deadpool_postgres::Transaction;

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

pub async fn list_tenants(tx: &Transaction<'_>) -> PgResult<Vec<(TenantId, String)>> {
    let rows = tx.query("SELECT id, name FROM tenants ORDER BY id", &[]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

pub async fn put_api_user(
    tx: &Transaction<'_>,
    tenant: TenantId,
    user: &str,
    key_hash: &str,
    replace: bool,
) -> PgResult<bool> {
    let sql = if replace {
        "INSERT INTO api_users (tenant_id, username, key_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, username) DO UPDATE SET key_hash = excluded.key_hash"
    } else {
        "INSERT INTO api_users (tenant_id, username, key_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, username) DO NOTHING"
    };
    Ok(tx.execute(sql, &[&tenant, &user, &key_hash, &calldate::now()]).await? > 0)
}

pub async fn authenticate(
    tx: &Transaction<'_>,
    tenant: &str,
    user: &str,
    key_hash: &str,
) -> PgResult<Option<TenantId>> {
    let statement = tx
        .prepare_cached(
            "SELECT t.id FROM tenants t JOIN api_users u ON u.tenant_id = t.id
             WHERE t.name = $1 AND u.username = $2 AND u.key_hash = $3",
        )
        .await?;
    Ok(tx
        .query_opt(&statement, &[&tenant, &user, &key_hash])
        .await?
        .map(|r| r.get(0)))
}

/// One statement for the whole list; numbers already listed are kept as they are.
pub async fn add_robinson(tx: &Transaction<'_>, tenant: TenantId, phones: &[String]) -> PgResult<()> {
    tx.execute(
        "INSERT INTO robinson (tenant_id, phone, created_at) SELECT $1, phone, $3 FROM (SELECT DISTINCT unnest($2::text[]) AS phone) AS listed
         ON CONFLICT DO NOTHING",
        &[&tenant, &phones, &calldate::now()],
    )
    .await?;
    Ok(())
}

pub async fn delete_robinson(tx: &Transaction<'_>, tenant: TenantId, phone: &str) -> PgResult<bool> {
    Ok(tx
        .execute(
            "DELETE FROM robinson WHERE tenant_id = $1 AND phone = $2",
            &[&tenant, &phone],
        )
        .await?
        > 0)
}
