//! What jtel and dialers need beyond the project-scoped calls: records by id or user data
//! across the tenant's projects, deletion, the lock flag, and the claim queue.

use super::fields::project;
use super::records_read::{ROBINSON_SQL, get_record};
use super::records_write::{Rows, insert_disposition};
use crate::domain::calldate;
use crate::domain::record::{Disposition, Record};
use crate::storage::shared::dialler::{check_claimant, record_key_sql, release_result_sql, release_sql};
use crate::storage::shared::{SQLITE, SqlArg};
use crate::storage::{RecordKey, StoreError, TenantId};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};

/// (id, project) of the tenant's records a key names, lowest id first; with `first` only one.
fn matching(conn: &Connection, tenant: TenantId, key: &RecordKey, first: bool) -> Result<Vec<(i64, i64)>, StoreError> {
    let (sql, value) = record_key_sql(key, &SQLITE);
    let sql = if first { format!("{sql} LIMIT 1") } else { sql };
    let value = match value {
        SqlArg::Integer(id) => Value::Integer(id),
        SqlArg::Text(text) => Value::Text(text),
    };
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![tenant, value], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The one record a key names: the lowest id for user data.
fn first_id(conn: &Connection, tenant: TenantId, key: &RecordKey) -> Result<i64, StoreError> {
    matching(conn, tenant, key, true)?
        .first()
        .map(|(id, _)| *id)
        .ok_or(StoreError::NotFound("record"))
}

pub fn find_records(conn: &Connection, tenant: TenantId, key: &RecordKey) -> Result<Vec<Record>, StoreError> {
    matching(conn, tenant, key, false)?
        .into_iter()
        .map(|(id, project)| get_record(conn, tenant, project, id))
        .collect()
}

/// Values, contacts and dispositions go with the record (ON DELETE CASCADE).
pub fn delete_record(conn: &Connection, tenant: TenantId, key: &RecordKey) -> Result<i64, StoreError> {
    let id = first_id(conn, tenant, key)?;
    conn.execute("DELETE FROM records WHERE id = ?1", [id])?;
    Ok(id)
}

pub fn set_locked(conn: &Connection, tenant: TenantId, key: &RecordKey, locked: bool) -> Result<i64, StoreError> {
    let id = first_id(conn, tenant, key)?;
    conn.execute(
        "UPDATE records SET locked = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, locked, calldate::now()],
    )?;
    Ok(id)
}

/// The claim order: dated records by due time, then unset ones ("due now") by id.
const QUEUE_ORDER: &str = "next_calldate IS NULL, next_calldate, id";

/// One statement picks and claims, inside the writer's transaction, so no two claims can take
/// the same record. The candidates: the first dialable dated and unset records of the queue
/// (`records_queue`, walked in order) and the first expired lease (`records_leases`); the
/// earliest of them in queue order is claimed.
pub fn claim_next(
    conn: &Connection,
    tenant: TenantId,
    project_id: i64,
    owner: &str,
    lease_seconds: u32,
) -> Result<Option<Record>, StoreError> {
    project(conn, tenant, project_id)?;
    let allowed = format!("r.project_id = ?1 AND r.tenant_id = ?2 AND r.done_at IS NULL AND NOT {ROBINSON_SQL}");
    let queued = format!("{allowed} AND r.claimed_by IS NULL AND r.locked = 0");
    let sql = format!(
        "UPDATE records SET claimed_by = ?3, claim_expires_at = ?4, updated_at = ?5
         WHERE id = (SELECT id FROM (
           SELECT * FROM (SELECT r.id, r.next_calldate FROM records r
             WHERE {queued} AND r.next_calldate <= ?5 ORDER BY r.next_calldate, r.id LIMIT 1)
           UNION ALL
           SELECT * FROM (SELECT r.id, r.next_calldate FROM records r
             WHERE {queued} AND r.next_calldate IS NULL ORDER BY r.id LIMIT 1)
           UNION ALL
           SELECT * FROM (SELECT r.id, r.next_calldate FROM records r
             WHERE {allowed} AND r.claimed_by IS NOT NULL AND r.claim_expires_at < ?5 AND r.locked = 0
               AND (r.next_calldate IS NULL OR r.next_calldate <= ?5)
             ORDER BY {QUEUE_ORDER} LIMIT 1)
         ) ORDER BY {QUEUE_ORDER} LIMIT 1)
         RETURNING id"
    );
    let expires = calldate::now_plus_seconds(i64::from(lease_seconds));
    let claimed: Option<i64> = conn
        .prepare_cached(&sql)?
        .query_row(params![project_id, tenant, owner, expires, calldate::now()], |r| {
            r.get(0)
        })
        .optional()?;
    claimed.map(|id| get_record(conn, tenant, project_id, id)).transpose()
}

pub fn release_claim(
    conn: &Connection,
    tenant: TenantId,
    id: i64,
    owner: &str,
    result: Option<&Disposition>,
) -> Result<Record, StoreError> {
    let (project_id, claimed_by): (i64, Option<String>) = conn
        .prepare_cached("SELECT project_id, claimed_by FROM records WHERE id = ?1 AND tenant_id = ?2")?
        .query_row(params![id, tenant], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(StoreError::NotFound("record"))?;
    check_claimant(id, claimed_by.as_deref(), owner)?;
    let now = calldate::now();
    match result {
        None => conn.execute(&release_sql(&SQLITE), params![id, now])?,
        Some(disposition) => {
            insert_disposition(conn, Rows::Record(id), disposition, &now)?;
            conn.execute(
                &release_result_sql(&SQLITE),
                params![id, disposition.next_calldate, now],
            )?
        }
    };
    get_record(conn, tenant, project_id, id)
}
