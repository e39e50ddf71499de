//! What jtel and dialers need beyond the project-scoped calls: records by id or user data
//! across the tenant's projects, deletion, the lock flag, and the claim queue.

use super::SqliteStore;
use super::fields::{project, schema};
use super::records_read::to_record;
use super::records_write::{ROW_COLUMNS, insert_disposition, load_row, read_row};
use super::terms::{TermTally, delete_terms};
use crate::domain::calldate;
use crate::domain::record::{Disposition, Record};
use crate::storage::DialingStore;
use crate::storage::shared::dialler::{check_claimant, record_key_sql};
use crate::storage::shared::schema_cache::SchemaCache;
use crate::storage::shared::{SQLITE, SqlArg};
use crate::storage::{RecordKey, StoreError, TenantId};
use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};

/// Ids of the tenant's records a key names, lowest first; with `first` only one.
fn matching(conn: &Connection, tenant: TenantId, key: &RecordKey, first: bool) -> Result<Vec<i64>, StoreError> {
    let (sql, value) = record_key_sql(key, &SQLITE);
    let sql = if first { format!("{sql} LIMIT 1") } else { sql };
    let value = match value {
        SqlArg::Integer(id) => Value::Integer(id),
        SqlArg::Text(text) => Value::Text(text),
    };
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![tenant, value], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The one record a key names: the lowest id for user data.
fn first_id(conn: &Connection, tenant: TenantId, key: &RecordKey) -> Result<i64, StoreError> {
    matching(conn, tenant, key, true)?
        .first()
        .copied()
        .ok_or(StoreError::NotFound("record"))
}

pub fn find_records(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    key: &RecordKey,
) -> Result<Vec<Record>, StoreError> {
    matching(conn, tenant, key, false)?
        .into_iter()
        .map(|id| to_record(conn, cache, load_row(conn, id)?))
        .collect()
}

/// Deletes a record with its side-table rows and dispositions (Rule Template rows
/// referencing it go by ON DELETE CASCADE).
pub fn delete_record(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    key: &RecordKey,
) -> Result<i64, StoreError> {
    let id = first_id(conn, tenant, key)?;
    delete_by_id(conn, cache, tenant, id)?;
    Ok(id)
}

pub fn delete_by_id(conn: &Connection, cache: &SchemaCache, tenant: TenantId, id: i64) -> Result<(), StoreError> {
    let row = load_row(conn, id)?;
    let schema = schema(conn, cache, row.project_id)?;
    let mut phones =
        conn.prepare_cached("DELETE FROM record_phones WHERE tenant_id = ?1 AND phone = ?2 AND record_id = ?3")?;
    for phone in row.phones(&schema) {
        phones.execute(params![tenant, phone, id])?;
    }
    let mut tally = TermTally::default();
    delete_terms(conn, tenant, id, row.terms(&schema).iter(), &mut tally)?;
    tally.flush(conn, tenant)?;
    conn.prepare_cached("DELETE FROM dispositions WHERE record_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM records WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

pub fn set_locked(conn: &Connection, tenant: TenantId, key: &RecordKey, locked: bool) -> Result<i64, StoreError> {
    let id = first_id(conn, tenant, key)?;
    conn.prepare_cached("UPDATE records SET locked = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, locked, calldate::now_seconds()])?;
    Ok(id)
}

/// One statement picks and claims, inside the writer's transaction, so no two claims can
/// take the same record. The candidates: the first due dated and the first unset record
/// of the queue index (each its first entry in order), and the first expired lease; the
/// earliest of them in queue order is claimed.
pub fn claim_next(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    project_id: i64,
    owner: &str,
    lease_seconds: u32,
) -> Result<Option<Record>, StoreError> {
    project(conn, tenant, project_id)?;
    let queued = "project_id = ?1 AND done_at IS NULL AND claimed_by IS NULL AND locked = 0 AND robinson = 0";
    let sql = format!(
        "UPDATE records SET claimed_by = ?2, claim_expires_at = ?3, updated_at = ?4
         WHERE id = (SELECT id FROM (
           SELECT * FROM (SELECT id, next_calldate FROM records
             WHERE {queued} AND next_calldate <= ?4 ORDER BY next_calldate, id LIMIT 1)
           UNION ALL
           SELECT * FROM (SELECT id, next_calldate FROM records
             WHERE {queued} AND next_calldate IS NULL ORDER BY id LIMIT 1)
           UNION ALL
           SELECT * FROM (SELECT id, next_calldate FROM records
             WHERE project_id = ?1 AND done_at IS NULL AND claimed_by IS NOT NULL AND claim_expires_at < ?4
               AND locked = 0 AND robinson = 0 AND (next_calldate IS NULL OR next_calldate <= ?4)
             ORDER BY next_calldate IS NULL, next_calldate, id LIMIT 1)
         ) ORDER BY next_calldate IS NULL, next_calldate, id LIMIT 1)
         RETURNING {ROW_COLUMNS}"
    );
    let now = calldate::now_seconds();
    let row = conn
        .prepare_cached(&sql)?
        .query_row(
            params![project_id, owner, now + i64::from(lease_seconds), now],
            read_row,
        )
        .optional()?;
    row.map(|row| to_record(conn, cache, row)).transpose()
}

pub fn release_claim(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    id: i64,
    owner: &str,
    result: Option<&Disposition>,
) -> Result<Record, StoreError> {
    let claimed_by: Option<String> = conn
        .prepare_cached("SELECT claimed_by FROM records WHERE id = ?1 AND tenant_id = ?2")?
        .query_row(params![id, tenant], |r| r.get(0))
        .optional()?
        .ok_or(StoreError::NotFound("record"))?;
    check_claimant(id, claimed_by.as_deref(), owner)?;
    let now = calldate::now_seconds();
    let row = match result {
        None => conn
            .prepare_cached(&format!(
                "UPDATE records SET claimed_by = NULL, claim_expires_at = NULL, updated_at = ?2
                 WHERE id = ?1 RETURNING {ROW_COLUMNS}"
            ))?
            .query_row(params![id, now], read_row)?,
        Some(disposition) => {
            insert_disposition(conn, tenant, id, disposition)?;
            let callback = disposition
                .next_calldate
                .as_deref()
                .map(calldate::to_seconds)
                .transpose()?;
            // With a call-back the record comes due then; without one it is done.
            conn.prepare_cached(&format!(
                "UPDATE records SET claimed_by = NULL, claim_expires_at = NULL, attempts = attempts + 1,
                   next_calldate = ?2, done_at = CASE WHEN ?2 IS NULL THEN ?3 END, updated_at = ?3
                 WHERE id = ?1 RETURNING {ROW_COLUMNS}"
            ))?
            .query_row(params![id, callback, now], read_row)?
        }
    };
    to_record(conn, cache, row)
}

#[async_trait]
impl DialingStore for SqliteStore {
    async fn claim_next(
        &self,
        tenant: TenantId,
        project_id: i64,
        owner: &str,
        lease_seconds: u32,
    ) -> Result<Option<Record>, StoreError> {
        let owner = owner.to_string();
        self.write(move |tx, cache| claim_next(tx, cache, tenant, project_id, &owner, lease_seconds))
            .await
    }

    async fn release_claim(
        &self,
        tenant: TenantId,
        record: i64,
        owner: &str,
        result: Option<Disposition>,
    ) -> Result<Record, StoreError> {
        let owner = owner.to_string();
        self.write(move |tx, cache| release_claim(tx, cache, tenant, record, &owner, result.as_ref()))
            .await
    }
}
