//! API users' keys (migration 010) and the audit log (migration 011).

use super::PgResult;
use crate::domain::audit::{AuditEntry, NewAuditEntry};
use crate::domain::calldate;
use crate::domain::keys::{ApiKey, Login, ProjectScope, Role};
use crate::storage::{StoreError, TenantId};
use deadpool_postgres::Transaction;
use tokio_postgres::Row;

const KEY_COLUMNS: &str = "id, username, role, projects, created_at, revoked_at";

fn key_row(r: &Row) -> ApiKey {
    ApiKey::from_columns(
        r.get(0),
        r.get(1),
        r.get::<_, &str>(2),
        r.get::<_, Option<&str>>(3),
        r.get(4),
        r.get(5),
    )
}

async fn ensure_user(tx: &Transaction<'_>, tenant: TenantId, user: &str) -> PgResult<bool> {
    Ok(tx
        .execute(
            "INSERT INTO api_users (tenant_id, username, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id, username) DO NOTHING",
            &[&tenant, &user, &calldate::now()],
        )
        .await?
        > 0)
}

async fn insert_key(
    tx: &Transaction<'_>,
    tenant: TenantId,
    user: &str,
    key_hash: &str,
    role: Role,
    projects: &ProjectScope,
) -> PgResult<ApiKey> {
    let row = tx
        .query_one(
            &format!(
                "INSERT INTO api_keys (tenant_id, username, key_hash, role, projects, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {KEY_COLUMNS}"
            ),
            &[
                &tenant,
                &user,
                &key_hash,
                &role.as_str(),
                &projects.to_column(),
                &calldate::now(),
            ],
        )
        .await?;
    Ok(key_row(&row))
}

async fn bump_generation(tx: &Transaction<'_>, tenant: TenantId) -> PgResult<()> {
    tx.execute(
        "UPDATE tenants SET key_generation = key_generation + 1 WHERE id = $1",
        &[&tenant],
    )
    .await?;
    Ok(())
}

pub async fn put_api_user(
    tx: &Transaction<'_>,
    tenant: TenantId,
    user: &str,
    key_hash: &str,
    replace: bool,
) -> PgResult<bool> {
    let created = ensure_user(tx, tenant, user).await?;
    if !created && !replace {
        return Ok(false);
    }
    if replace {
        tx.execute(
            "UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND username = $2 AND revoked_at IS NULL",
            &[&tenant, &user, &calldate::now()],
        )
        .await?;
        bump_generation(tx, tenant).await?;
    }
    insert_key(tx, tenant, user, key_hash, Role::Admin, &ProjectScope::All).await?;
    Ok(true)
}

pub async fn create_key(
    tx: &Transaction<'_>,
    tenant: TenantId,
    user: &str,
    key_hash: &str,
    role: Role,
    projects: &ProjectScope,
    by: &NewAuditEntry,
) -> PgResult<ApiKey> {
    ensure_user(tx, tenant, user).await?;
    let key = insert_key(tx, tenant, user, key_hash, role, projects).await?;
    let entry = NewAuditEntry {
        target: format!("key {}", key.id),
        detail: serde_json::json!({"user": user, "role": role, "projects": key.projects}),
        ..by.clone()
    };
    append_audit(tx, tenant, &entry).await?;
    Ok(key)
}

pub async fn list_keys(tx: &Transaction<'_>, tenant: TenantId) -> PgResult<Vec<ApiKey>> {
    let rows = tx
        .query(
            &format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY id"),
            &[&tenant],
        )
        .await?;
    Ok(rows.iter().map(key_row).collect())
}

pub async fn revoke_key(tx: &Transaction<'_>, tenant: TenantId, key: i64, by: &NewAuditEntry) -> PgResult<ApiKey> {
    let revoked = tx
        .execute(
            "UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL",
            &[&tenant, &key, &calldate::now()],
        )
        .await?
        > 0;
    let found = tx
        .query_opt(
            &format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE tenant_id = $1 AND id = $2"),
            &[&tenant, &key],
        )
        .await?
        .map(|r| key_row(&r))
        .ok_or(StoreError::NotFound("key"))?;
    if revoked {
        bump_generation(tx, tenant).await?;
        let entry = NewAuditEntry {
            target: format!("key {key}"),
            detail: serde_json::json!({"user": found.user}),
            ..by.clone()
        };
        append_audit(tx, tenant, &entry).await?;
    }
    Ok(found)
}

pub async fn authenticate(tx: &Transaction<'_>, tenant: &str, user: &str, key_hash: &str) -> PgResult<Option<Login>> {
    let statement = tx
        .prepare_cached(
            "SELECT t.id, t.key_generation, k.id, k.role, k.projects, k.username FROM tenants t
             JOIN api_keys k ON k.tenant_id = t.id
             WHERE t.name = $1 AND k.username = $2 AND k.key_hash = $3 AND k.revoked_at IS NULL
             ORDER BY k.id LIMIT 1",
        )
        .await?;
    let row = tx.query_opt(&statement, &[&tenant, &user, &key_hash]).await?;
    Ok(row.map(|row| login_of(&row)).transpose()?.map(|(_, login)| login))
}

/// A bearer token: the tenant's live key with this digest, whoever's it is (the lowest id
/// where two users chose the same key), with its user's name.
pub async fn authenticate_token(
    tx: &Transaction<'_>,
    tenant: &str,
    key_hash: &str,
) -> PgResult<Option<(String, Login)>> {
    let statement = tx
        .prepare_cached(
            "SELECT t.id, t.key_generation, k.id, k.role, k.projects, k.username FROM tenants t
             JOIN api_keys k ON k.tenant_id = t.id
             WHERE t.name = $1 AND k.key_hash = $2 AND k.revoked_at IS NULL
             ORDER BY k.id LIMIT 1",
        )
        .await?;
    let row = tx.query_opt(&statement, &[&tenant, &key_hash]).await?;
    Ok(row.map(|row| login_of(&row)).transpose()?)
}

/// (user, login) of a row: tenant id, key generation, key id, role, projects, user.
fn login_of(row: &tokio_postgres::Row) -> Result<(String, Login), StoreError> {
    let login = Login {
        tenant: row.get(0),
        generation: row.get(1),
        key_id: row.get(2),
        role: Role::parse(row.get(3))?,
        projects: ProjectScope::parse(row.get(4))?,
    };
    Ok((row.get(5), login))
}

pub async fn append_audit(tx: &Transaction<'_>, tenant: TenantId, entry: &NewAuditEntry) -> PgResult<()> {
    let statement = tx
        .prepare_cached(
            "INSERT INTO audit_log (tenant_id, at, username, source, action, target, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    tx.execute(
        &statement,
        &[
            &tenant,
            &calldate::now(),
            &entry.user,
            &entry.source,
            &entry.action,
            &entry.target,
            &entry.detail.to_string(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn audit_log(tx: &Transaction<'_>, tenant: TenantId, after: i64, limit: u32) -> PgResult<Vec<AuditEntry>> {
    let rows = tx
        .query(
            "SELECT id, at, username, source, action, target, detail FROM audit_log
             WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            &[&tenant, &after, &i64::from(limit)],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            AuditEntry::from_columns(
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get::<_, &str>(6),
            )
        })
        .collect())
}
