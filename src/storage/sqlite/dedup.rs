//! The duplicate check on SQLite: a new row's keys looked up in the side tables. The
//! writer inserts a batch row by row, so the batch's earlier rows are found the same way.

use super::phone_key::PhoneKey;
use super::records_write::{insert_disposition, load_row, store_row};
use crate::domain::ValidationError;
use crate::domain::dialing_rules::{Dedup, OnDuplicate};
use crate::domain::record::RecordWrite;
use crate::domain::schema::ProjectSchema;
use crate::storage::shared::dedup::{Probe, bounds};
use crate::storage::shared::row::FormChanges;
use crate::storage::{ItemResult, StoreError, TenantId};
use rusqlite::{Connection, OptionalExtension, params};

/// The lowest id of a record `probe` duplicates, if any.
pub fn find_duplicate(
    conn: &Connection,
    tenant: TenantId,
    project: i64,
    dedup: &Dedup,
    probe: &Probe,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let (scope, since) = bounds(dedup, project, now);
    let within = "(?3 IS NULL OR r.project_id = ?3) AND (?4 IS NULL OR r.created_at >= ?4)";
    let mut found: Vec<i64> = Vec::new();
    if !probe.phones.is_empty() {
        let keys = probe.phones.iter().map(|phone| PhoneKey::of(phone).to_json());
        let phones = serde_json::Value::Array(keys.collect()).to_string();
        let sql = format!(
            "SELECT min(p.record_id) FROM record_phones p JOIN records r ON r.id = p.record_id
             WHERE p.tenant_id = ?1 AND p.phone IN (SELECT value FROM json_each(?2)) AND {within}"
        );
        found.extend(first(conn, &sql, params![tenant, phones, scope, since])?);
    }
    if let Some(user_data) = &probe.user_data {
        let sql = format!("SELECT min(r.id) FROM records r WHERE r.tenant_id = ?1 AND r.user_data = ?2 AND {within}");
        found.extend(first(conn, &sql, params![tenant, user_data, scope, since])?);
    }
    for (field, term) in &probe.terms {
        let sql = format!(
            "SELECT min(t.record_id) FROM term_counts d JOIN record_terms t ON t.term_id = d.id
               JOIN records r ON r.id = t.record_id
             WHERE d.tenant_id = ?1 AND d.term = ?5 AND {within}
               AND d.field_id IN (SELECT f.id FROM fields f WHERE f.tenant_id = ?1 AND f.name = ?2 AND f.indexed = 1
                                  AND (?3 IS NULL OR f.project_id = ?3))"
        );
        found.extend(first(conn, &sql, params![tenant, field, scope, since, term])?);
    }
    Ok(found.into_iter().min())
}

fn first(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row(args, |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .flatten())
}

/// A duplicate item: refused, or with `on_duplicate: update` written over the existing
/// record when that is of the same project.
#[allow(clippy::too_many_arguments)]
pub fn merge_or_reject(
    conn: &Connection,
    tenant: TenantId,
    project: i64,
    schema: &ProjectSchema,
    dedup: &Dedup,
    existing: i64,
    write: &RecordWrite,
    form: &FormChanges,
    now: i64,
) -> Result<ItemResult<i64>, StoreError> {
    let old = load_row(conn, existing)?;
    if dedup.on_duplicate != OnDuplicate::Update || old.project_id != project {
        return Ok(Err(ValidationError::duplicate(existing)));
    }
    let mut new = old.clone();
    new.apply(write, form, now);
    store_row(conn, tenant, schema, &old, &new)?;
    if let Some(d) = &write.disposition {
        insert_disposition(conn, tenant, existing, d)?;
    }
    Ok(Ok(existing))
}
