//! API users' keys (migration 010) and the audit log (migration 011).

use super::tenants::not_found_unless;
use crate::domain::audit::{AuditEntry, NewAuditEntry};
use crate::domain::calldate;
use crate::domain::keys::{ApiKey, Login, ProjectScope, Role};
use crate::storage::{StoreError, TenantId};
use rusqlite::{Connection, OptionalExtension, params};

const KEY_COLUMNS: &str = "id, username, role, projects, created_at, revoked_at";

fn key_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiKey> {
    Ok(ApiKey::from_columns(
        r.get(0)?,
        r.get(1)?,
        &r.get::<_, String>(2)?,
        r.get::<_, Option<String>>(3)?.as_deref(),
        r.get(4)?,
        r.get(5)?,
    ))
}

fn ensure_user(conn: &Connection, tenant: TenantId, user: &str) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "INSERT INTO api_users (tenant_id, username, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (tenant_id, username) DO NOTHING",
        params![tenant, user, calldate::now()],
    )? > 0)
}

fn insert_key(
    conn: &Connection,
    tenant: TenantId,
    user: &str,
    key_hash: &str,
    role: Role,
    projects: &ProjectScope,
) -> Result<ApiKey, StoreError> {
    conn.execute(
        "INSERT INTO api_keys (tenant_id, username, key_hash, role, projects, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            tenant,
            user,
            key_hash,
            role.as_str(),
            projects.to_column(),
            calldate::now()
        ],
    )?;
    let id = conn.last_insert_rowid();
    Ok(conn.query_row(
        &format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = ?1"),
        [id],
        key_row,
    )?)
}

fn bump_generation(conn: &Connection, tenant: TenantId) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE tenants SET key_generation = key_generation + 1 WHERE id = ?1",
        [tenant],
    )?;
    Ok(())
}

pub fn put_api_user(
    conn: &Connection,
    tenant: TenantId,
    user: &str,
    key_hash: &str,
    replace: bool,
) -> Result<bool, StoreError> {
    let created = ensure_user(conn, tenant, user)?;
    if !created && !replace {
        return Ok(false);
    }
    if replace {
        conn.execute(
            "UPDATE api_keys SET revoked_at = ?3 WHERE tenant_id = ?1 AND username = ?2 AND revoked_at IS NULL",
            params![tenant, user, calldate::now()],
        )?;
        bump_generation(conn, tenant)?;
    }
    insert_key(conn, tenant, user, key_hash, Role::Admin, &ProjectScope::All)?;
    Ok(true)
}

pub fn create_key(
    conn: &Connection,
    tenant: TenantId,
    user: &str,
    key_hash: &str,
    role: Role,
    projects: &ProjectScope,
    by: NewAuditEntry,
) -> Result<ApiKey, StoreError> {
    ensure_user(conn, tenant, user)?;
    let key = insert_key(conn, tenant, user, key_hash, role, projects)?;
    let detail = serde_json::json!({"user": user, "role": role, "projects": key.projects});
    append_audit(
        conn,
        tenant,
        NewAuditEntry {
            target: format!("key {}", key.id),
            detail,
            ..by
        },
    )?;
    Ok(key)
}

pub fn list_keys(conn: &Connection, tenant: TenantId) -> Result<Vec<ApiKey>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {KEY_COLUMNS} FROM api_keys WHERE tenant_id = ?1 ORDER BY id"
    ))?;
    let keys = stmt.query_map([tenant], key_row)?;
    Ok(keys.collect::<Result<_, _>>()?)
}

pub fn revoke_key(conn: &Connection, tenant: TenantId, key: i64, by: NewAuditEntry) -> Result<ApiKey, StoreError> {
    let revoked = conn.execute(
        "UPDATE api_keys SET revoked_at = ?3 WHERE tenant_id = ?1 AND id = ?2 AND revoked_at IS NULL",
        params![tenant, key, calldate::now()],
    )? > 0;
    let found: Option<ApiKey> = conn
        .query_row(
            &format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE tenant_id = ?1 AND id = ?2"),
            params![tenant, key],
            key_row,
        )
        .optional()?;
    not_found_unless(found.is_some(), "key")?;
    let found = found.expect("checked");
    if revoked {
        bump_generation(conn, tenant)?;
        let detail = serde_json::json!({"user": found.user});
        append_audit(
            conn,
            tenant,
            NewAuditEntry {
                target: format!("key {key}"),
                detail,
                ..by
            },
        )?;
    }
    Ok(found)
}

pub fn authenticate(conn: &Connection, tenant: &str, user: &str, key_hash: &str) -> Result<Option<Login>, StoreError> {
    let found = conn
        .prepare_cached(
            "SELECT t.id, t.key_generation, k.id, k.role, k.projects, k.username FROM tenants t
             JOIN api_keys k ON k.tenant_id = t.id
             WHERE t.name = ?1 AND k.username = ?2 AND k.key_hash = ?3 AND k.revoked_at IS NULL
             ORDER BY k.id LIMIT 1",
        )?
        .query_row(params![tenant, user, key_hash], login_row)
        .optional()?;
    found.map(|found| found.parse().map(|(_, login)| login)).transpose()
}

/// A bearer token: the tenant's live key with this digest, whoever's it is (the lowest id
/// where two users chose the same key), with its user's name.
pub fn authenticate_token(
    conn: &Connection,
    tenant: &str,
    key_hash: &str,
) -> Result<Option<(String, Login)>, StoreError> {
    let found = conn
        .prepare_cached(
            "SELECT t.id, t.key_generation, k.id, k.role, k.projects, k.username FROM tenants t
             JOIN api_keys k ON k.tenant_id = t.id
             WHERE t.name = ?1 AND k.key_hash = ?2 AND k.revoked_at IS NULL
             ORDER BY k.id LIMIT 1",
        )?
        .query_row(params![tenant, key_hash], login_row)
        .optional()?;
    found.map(LoginRow::parse).transpose()
}

/// tenant id, key generation, key id, role, projects, user
struct LoginRow(i64, i64, i64, String, Option<String>, String);

fn login_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LoginRow> {
    Ok(LoginRow(
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

impl LoginRow {
    fn parse(self) -> Result<(String, Login), StoreError> {
        let LoginRow(tenant, generation, key_id, role, projects, user) = self;
        let login = Login {
            tenant,
            key_id,
            role: Role::parse(&role)?,
            projects: ProjectScope::parse(projects.as_deref())?,
            generation,
        };
        Ok((user, login))
    }
}

pub fn key_generation(conn: &Connection, tenant: TenantId) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT key_generation FROM tenants WHERE id = ?1")?
        .query_row([tenant], |r| r.get(0))
        .optional()?
        .unwrap_or(-1))
}

pub fn append_audit(conn: &Connection, tenant: TenantId, entry: NewAuditEntry) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO audit_log (tenant_id, at, username, source, action, target, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        tenant,
        calldate::now(),
        entry.user,
        entry.source,
        entry.action,
        entry.target,
        entry.detail.to_string()
    ])?;
    Ok(())
}

pub fn audit_log(conn: &Connection, tenant: TenantId, after: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, username, source, action, target, detail FROM audit_log
         WHERE tenant_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![tenant, after, limit], |r| {
        Ok(AuditEntry::from_columns(
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            &r.get::<_, String>(6)?,
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
