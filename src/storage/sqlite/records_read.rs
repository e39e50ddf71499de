//! Record reads: one record with its values, contacts and dispositions, or a page of them.

use super::fields::load_schema;
use super::records_write::sqlite_search;
use crate::domain::record::{Contact, DispositionEntry, FormEntry, Premium, Record, StoredValue};
use crate::domain::schema::FieldKind;
use crate::storage::shared::push_form_value;
use crate::storage::{RecordQuery, StoreError, TenantId};
use rusqlite::{Connection, OptionalExtension, params};

/// True when one of the record's phone fields is on the tenant's Robinson list.
pub const ROBINSON_SQL: &str = "EXISTS (SELECT 1 FROM record_values v JOIN fields f ON f.id = v.field_id
     JOIN robinson rb ON rb.tenant_id = r.tenant_id AND rb.phone = v.value
     WHERE v.record_id = r.id AND f.name GLOB 'phone[1-9]')";

pub fn get_record(conn: &Connection, tenant: TenantId, project: i64, id: i64) -> Result<Record, StoreError> {
    let sql = format!(
        "SELECT r.id, r.project_id, r.user_data, r.phone_field, r.next_calldate, r.price, r.commission,
                r.locked, r.claimed_by, r.claim_expires_at, {ROBINSON_SQL}, r.created_at, r.updated_at,
                r.done_at, r.attempts
         FROM records r WHERE r.id = ?1 AND r.project_id = ?2 AND r.tenant_id = ?3"
    );
    let record = conn
        .prepare_cached(&sql)?
        .query_row(params![id, project, tenant], |r| {
            Ok(Record {
                id: r.get(0)?,
                project_id: r.get(1)?,
                user_data: r.get(2)?,
                phone_field: r.get(3)?,
                next_calldate: r.get(4)?,
                premium: Premium {
                    price: r.get(5)?,
                    commission: r.get(6)?,
                },
                locked: r.get(7)?,
                claimed_by: r.get(8)?,
                claim_expires_at: r.get(9)?,
                done_at: r.get(13)?,
                attempts: r.get(14)?,
                robinson: r.get(10)?,
                form: Vec::new(),
                contacts: Vec::new(),
                dispositions: Vec::new(),
                created_at: r.get(11)?,
                updated_at: r.get(12)?,
            })
        })
        .optional()?;
    let mut record = record.ok_or(StoreError::NotFound("record"))?;
    record.form = load_form(conn, id)?;
    record.contacts = load_contacts(conn, id)?;
    record.dispositions = load_dispositions(conn, id)?;
    Ok(record)
}

pub fn load_form(conn: &Connection, record: i64) -> Result<Vec<FormEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.field_id, f.name, v.value, v.value_id, f.kind FROM record_values v JOIN fields f ON f.id = v.field_id
         WHERE v.record_id = ?1 ORDER BY v.field_id, v.ordinal",
    )?;
    let mut rows = stmt.query([record])?;
    let mut form: Vec<FormEntry> = Vec::new();
    while let Some(r) = rows.next()? {
        let value = StoredValue {
            text: r.get(2)?,
            value_id: r.get(3)?,
        };
        let (name, kind): (String, String) = (r.get(1)?, r.get(4)?);
        let entry = || (name, FieldKind::parse(&kind).unwrap_or(FieldKind::Text));
        push_form_value(&mut form, r.get(0)?, entry, value);
    }
    Ok(form)
}

fn load_contacts(conn: &Connection, record: i64) -> Result<Vec<Contact>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT slot, title, name, phone, email FROM contacts WHERE record_id = ?1 ORDER BY slot")?;
    let rows = stmt.query_map([record], |r| {
        Ok(Contact {
            slot: r.get(0)?,
            title: r.get(1)?,
            name: r.get(2)?,
            phone: r.get(3)?,
            email: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn load_dispositions(conn: &Connection, record: i64) -> Result<Vec<DispositionEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT disposition_id, user_id, next_calldate, description, created_at FROM dispositions
         WHERE record_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([record], |r| {
        Ok(DispositionEntry {
            disposition_id: r.get(0)?,
            user_id: r.get(1)?,
            next_calldate: r.get(2)?,
            description: r.get(3)?,
            created_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn list_records(
    conn: &Connection,
    tenant: TenantId,
    project: i64,
    query: &RecordQuery,
) -> Result<(Vec<Record>, u64), StoreError> {
    let (ids_sql, args) = if query.search.is_empty() {
        (
            "SELECT id FROM records WHERE project_id = ?1".to_string(),
            vec![rusqlite::types::Value::Integer(project)],
        )
    } else {
        let schema = load_schema(conn, project)?;
        match sqlite_search(&schema, &query.search) {
            Some(found) => found,
            None => return Ok((Vec::new(), 0)),
        }
    };
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM ({ids_sql})"))?
        .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
    let page_sql = format!(
        "SELECT id FROM ({ids_sql}) AS matched ORDER BY 1 LIMIT {} OFFSET {}",
        query.limit, query.offset
    );
    let ids: Vec<i64> = conn
        .prepare_cached(&page_sql)?
        .query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let records = ids
        .into_iter()
        .map(|id| get_record(conn, tenant, project, id))
        .collect::<Result<_, _>>()?;
    Ok((records, total as u64))
}

pub fn records_after(
    conn: &Connection,
    tenant: TenantId,
    project: i64,
    after: i64,
    limit: u64,
) -> Result<Vec<Record>, StoreError> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM records WHERE project_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3")?
        .query_map(params![project, after, limit.min(i64::MAX as u64) as i64], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    ids.into_iter()
        .map(|id| get_record(conn, tenant, project, id))
        .collect()
}
