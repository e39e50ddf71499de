//! Tenants, API users and the per-tenant Robinson list.

use super::SqliteStore;
use super::fields::schema;
use super::keys;
use super::phone_key::PhoneKey;
use super::records_write::load_row;
use crate::domain::audit::{AuditEntry, NewAuditEntry};
use crate::domain::calldate;
use crate::domain::keys::{ApiKey, Login, ProjectScope, Role};
use crate::storage::shared::schema_cache::SchemaCache;
use crate::storage::{AuditStore, TenantStore};
use crate::storage::{StoreError, TenantId};
use async_trait::async_trait;
use rusqlite::{Connection, params};

pub fn ensure_tenant(conn: &Connection, name: &str) -> Result<TenantId, StoreError> {
    conn.execute(
        "INSERT INTO tenants (name, created_at) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
        params![name, calldate::now()],
    )?;
    Ok(conn.query_row("SELECT id FROM tenants WHERE name = ?1", [name], |r| r.get(0))?)
}

pub fn list_tenants(conn: &Connection) -> Result<Vec<(TenantId, String)>, StoreError> {
    let mut stmt = conn.prepare("SELECT id, name FROM tenants ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Lists the numbers and flags every record holding one of them.
pub fn add_robinson(conn: &Connection, tenant: TenantId, phones: &[String]) -> Result<(), StoreError> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO robinson (tenant_id, phone, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )?;
    let mut flag = conn.prepare_cached(
        "UPDATE records SET robinson = 1 WHERE robinson = 0 AND id IN
           (SELECT record_id FROM record_phones WHERE tenant_id = ?1 AND phone = ?2)",
    )?;
    let now = calldate::now();
    for phone in phones {
        insert.execute(params![tenant, phone, now])?;
        flag.execute(params![tenant, PhoneKey::of(phone)])?;
    }
    Ok(())
}

/// Takes the number off the list; its records stay flagged only for another listed number.
pub fn delete_robinson(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    phone: &str,
) -> Result<bool, StoreError> {
    let deleted = conn.execute(
        "DELETE FROM robinson WHERE tenant_id = ?1 AND phone = ?2",
        params![tenant, phone],
    )? > 0;
    if deleted {
        let holders: Vec<i64> = conn
            .prepare_cached("SELECT record_id FROM record_phones WHERE tenant_id = ?1 AND phone = ?2")?
            .query_map(params![tenant, PhoneKey::of(phone)], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut listed =
            conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM robinson WHERE tenant_id = ?1 AND phone = ?2)")?;
        for id in holders {
            let row = load_row(conn, id)?;
            let schema = schema(conn, cache, row.project_id)?;
            let mut still = false;
            for other in row.phones(&schema) {
                still |= listed.query_row(params![tenant, other], |r| r.get::<_, bool>(0))?;
            }
            conn.prepare_cached("UPDATE records SET robinson = ?2 WHERE id = ?1")?
                .execute(params![id, still])?;
        }
    }
    Ok(deleted)
}

pub fn not_found_unless(found: bool, what: &'static str) -> Result<(), StoreError> {
    if found { Ok(()) } else { Err(StoreError::NotFound(what)) }
}

#[async_trait]
impl TenantStore for SqliteStore {
    async fn ensure_tenant(&self, name: &str) -> Result<TenantId, StoreError> {
        let name = name.to_string();
        self.write(move |tx, _| ensure_tenant(tx, &name)).await
    }

    async fn list_tenants(&self) -> Result<Vec<(TenantId, String)>, StoreError> {
        self.read(|tx, _| list_tenants(tx)).await
    }

    async fn put_api_user(
        &self,
        tenant: TenantId,
        user: &str,
        key_hash: &str,
        replace: bool,
    ) -> Result<bool, StoreError> {
        let (user, key_hash) = (user.to_string(), key_hash.to_string());
        self.write(move |tx, _| keys::put_api_user(tx, tenant, &user, &key_hash, replace))
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
        let (user, key_hash) = (user.to_string(), key_hash.to_string());
        self.write(move |tx, _| keys::create_key(tx, tenant, &user, &key_hash, role, &projects, by))
            .await
    }

    async fn list_keys(&self, tenant: TenantId) -> Result<Vec<ApiKey>, StoreError> {
        self.read(move |tx, _| keys::list_keys(tx, tenant)).await
    }

    async fn revoke_key(&self, tenant: TenantId, key: i64, by: NewAuditEntry) -> Result<ApiKey, StoreError> {
        self.write(move |tx, _| keys::revoke_key(tx, tenant, key, by)).await
    }

    async fn authenticate(&self, tenant: &str, user: &str, key_hash: &str) -> Result<Option<Login>, StoreError> {
        let (tenant, user, key_hash) = (tenant.to_string(), user.to_string(), key_hash.to_string());
        self.read_point(move |tx, _| keys::authenticate(tx, &tenant, &user, &key_hash))
            .await
    }

    async fn authenticate_token(&self, tenant: &str, key_hash: &str) -> Result<Option<(String, Login)>, StoreError> {
        let (tenant, key_hash) = (tenant.to_string(), key_hash.to_string());
        self.read_point(move |tx, _| keys::authenticate_token(tx, &tenant, &key_hash))
            .await
    }

    async fn key_generation(&self, tenant: TenantId) -> Result<i64, StoreError> {
        self.read_statement(move |conn, _| keys::key_generation(conn, tenant))
            .await
    }
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn append_audit(&self, tenant: TenantId, entry: NewAuditEntry) -> Result<(), StoreError> {
        self.write(move |tx, _| keys::append_audit(tx, tenant, entry)).await
    }

    async fn audit_log(&self, tenant: TenantId, after: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(move |tx, _| keys::audit_log(tx, tenant, after, limit)).await
    }
}
