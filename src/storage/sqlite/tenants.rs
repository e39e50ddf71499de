//! Tenants, API users and the per-tenant Robinson list.

use super::SqliteStore;
use super::fields::schema;
use super::records_write::load_row;
use crate::domain::calldate;
use crate::storage::TenantStore;
use crate::storage::shared::schema_cache::SchemaCache;
use crate::storage::{StoreError, TenantId};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};

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

pub fn put_api_user(
    conn: &Connection,
    tenant: TenantId,
    user: &str,
    key_hash: &str,
    replace: bool,
) -> Result<bool, StoreError> {
    let sql = if replace {
        "INSERT INTO api_users (tenant_id, username, key_hash, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (tenant_id, username) DO UPDATE SET key_hash = excluded.key_hash"
    } else {
        "INSERT INTO api_users (tenant_id, username, key_hash, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (tenant_id, username) DO NOTHING"
    };
    Ok(conn.execute(sql, params![tenant, user, key_hash, calldate::now()])? > 0)
}

pub fn authenticate(
    conn: &Connection,
    tenant: &str,
    user: &str,
    key_hash: &str,
) -> Result<Option<TenantId>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT t.id FROM tenants t JOIN api_users u ON u.tenant_id = t.id
             WHERE t.name = ?1 AND u.username = ?2 AND u.key_hash = ?3",
        )?
        .query_row(params![tenant, user, key_hash], |r| r.get(0))
        .optional()?)
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
        flag.execute(params![tenant, phone])?;
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
            .query_map(params![tenant, phone], |r| r.get(0))?
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
        self.write(move |tx, _| put_api_user(tx, tenant, &user, &key_hash, replace))
            .await
    }

    async fn authenticate(&self, tenant: &str, user: &str, key_hash: &str) -> Result<Option<TenantId>, StoreError> {
        let (tenant, user, key_hash) = (tenant.to_string(), user.to_string(), key_hash.to_string());
        self.read(move |tx, _| authenticate(tx, &tenant, &user, &key_hash))
            .await
    }
}
