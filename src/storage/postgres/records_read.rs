//! Record reads: any number of records with their values, contacts and dispositions
//! in four queries (ids passed as an array), one record or a page of them.

use super::PgResult;
use super::fields::load_schema;
use crate::domain::record::{Contact, DispositionEntry, FormEntry, Premium, Record, StoredValue};
use crate::domain::schema::{FieldKind, ProjectSchema};
use crate::storage::shared::{POSTGRES, legacy_search_sql, push_form_value};
use crate::storage::{RecordQuery, StoreError, TenantId};
use deadpool_postgres::Transaction;
use std::collections::HashMap;
use tokio_postgres::types::ToSql;

pub type Params = Vec<Box<dyn ToSql + Sync + Send>>;

/// [`search_sql`] with PostgreSQL's parameters.
pub fn postgres_search(schema: &ProjectSchema, pairs: &[(String, String)]) -> Option<(String, Params)> {
    let (sql, args) = legacy_search_sql(schema, pairs, &POSTGRES)?;
    let params = args
        .into_iter()
        .flat_map(|(field, text)| -> [Box<dyn ToSql + Sync + Send>; 2] { [Box::new(field), Box::new(text)] })
        .collect();
    Some((sql, params))
}

pub fn borrowed(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

/// True when one of the record's phone fields is on the tenant's Robinson list.
pub const ROBINSON_SQL: &str = "EXISTS (SELECT 1 FROM record_values v JOIN fields f ON f.id = v.field_id
     JOIN robinson rb ON rb.tenant_id = r.tenant_id AND rb.phone = v.value
     WHERE v.record_id = r.id AND f.name ~ '^phone[1-9]$')";

pub async fn get_record(tx: &Transaction<'_>, tenant: TenantId, project: i64, id: i64) -> PgResult<Record> {
    let mut found = load_records(tx, tenant, project, &[id]).await?;
    Ok(found.pop().ok_or(StoreError::NotFound("record"))?)
}

/// The records of the tenant's project among `ids`, in the order of `ids`.
async fn load_records(tx: &Transaction<'_>, tenant: TenantId, project: i64, ids: &[i64]) -> PgResult<Vec<Record>> {
    let statement = tx
        .prepare_cached(&format!(
            "SELECT r.id, r.project_id, r.user_data, r.phone_field, r.next_calldate, r.price, r.commission,
                    r.locked, r.claimed_by, r.claim_expires_at, {ROBINSON_SQL}, r.created_at, r.updated_at,
                    r.done_at, r.attempts
             FROM records r WHERE r.id = ANY($1) AND r.project_id = $2 AND r.tenant_id = $3"
        ))
        .await?;
    let mut records: Vec<Record> = tx
        .query(&statement, &[&ids, &project, &tenant])
        .await?
        .iter()
        .map(|r| Record {
            id: r.get(0),
            project_id: r.get(1),
            user_data: r.get(2),
            phone_field: r.get(3),
            next_calldate: r.get(4),
            premium: Premium {
                price: r.get(5),
                commission: r.get(6),
            },
            locked: r.get(7),
            claimed_by: r.get(8),
            claim_expires_at: r.get(9),
            done_at: r.get(13),
            attempts: r.get(14),
            robinson: r.get(10),
            form: Vec::new(),
            contacts: Vec::new(),
            dispositions: Vec::new(),
            created_at: r.get(11),
            updated_at: r.get(12),
        })
        .collect();
    let order: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    records.sort_by_key(|r| order.get(&r.id).copied());
    let found: Vec<i64> = records.iter().map(|r| r.id).collect();
    let position: HashMap<i64, usize> = found.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let record_of = |id: i64| position[&id];

    let mut forms = load_forms(tx, &found).await?;
    for record in &mut records {
        record.form = forms.remove(&record.id).unwrap_or_default();
    }

    let statement = tx
        .prepare_cached(
            "SELECT record_id, slot, title, name, phone, email FROM contacts
             WHERE record_id = ANY($1) ORDER BY record_id, slot",
        )
        .await?;
    for r in tx.query(&statement, &[&found]).await? {
        records[record_of(r.get(0))].contacts.push(Contact {
            slot: u8::try_from(r.get::<_, i16>(1)).unwrap_or_default(),
            title: r.get(2),
            name: r.get(3),
            phone: r.get(4),
            email: r.get(5),
        });
    }

    let statement = tx
        .prepare_cached(
            "SELECT record_id, disposition_id, user_id, next_calldate, description, created_at FROM dispositions
             WHERE record_id = ANY($1) ORDER BY record_id, id",
        )
        .await?;
    for r in tx.query(&statement, &[&found]).await? {
        records[record_of(r.get(0))].dispositions.push(DispositionEntry {
            disposition_id: r.get(1),
            user_id: r.get(2),
            next_calldate: r.get(3),
            description: r.get(4),
            created_at: r.get(5),
        });
    }
    Ok(records)
}

/// The forms of these records (one query), by record id; a record without values has none.
pub async fn load_forms(tx: &Transaction<'_>, ids: &[i64]) -> PgResult<HashMap<i64, Vec<FormEntry>>> {
    let statement = tx
        .prepare_cached(
            "SELECT v.record_id, v.field_id, f.name, v.value, v.value_id, f.kind
             FROM record_values v JOIN fields f ON f.id = v.field_id
             WHERE v.record_id = ANY($1) ORDER BY v.record_id, v.field_id, v.ordinal",
        )
        .await?;
    let mut forms: HashMap<i64, Vec<FormEntry>> = HashMap::new();
    for r in tx.query(&statement, &[&ids]).await? {
        let value = StoredValue {
            text: r.get(3),
            value_id: r.get(4),
        };
        let entry = || (r.get(2), FieldKind::parse(r.get(5)).unwrap_or(FieldKind::Text));
        push_form_value(forms.entry(r.get(0)).or_default(), r.get(1), entry, value);
    }
    Ok(forms)
}

pub async fn list_records(
    tx: &Transaction<'_>,
    tenant: TenantId,
    project: i64,
    query: &RecordQuery,
) -> PgResult<(Vec<Record>, u64)> {
    let (ids_sql, params): (String, Params) = if query.search.is_empty() {
        (
            "SELECT id FROM records WHERE project_id = $1".to_string(),
            vec![Box::new(project)],
        )
    } else {
        let schema = load_schema(tx, project).await?;
        match postgres_search(&schema, &query.search) {
            Some(found) => found,
            None => return Ok((Vec::new(), 0)),
        }
    };
    let params = borrowed(&params);
    let total: i64 = tx
        .query_one(&format!("SELECT count(*) FROM ({ids_sql}) AS matched"), &params)
        .await?
        .get(0);
    // Beyond i64 the page is empty anyway; Postgres rejects larger literals.
    let (limit, offset) = (query.limit.min(i64::MAX as u64), query.offset.min(i64::MAX as u64));
    let page_sql = format!("SELECT id FROM ({ids_sql}) AS matched ORDER BY 1 LIMIT {limit} OFFSET {offset}");
    let ids: Vec<i64> = tx.query(&page_sql, &params).await?.iter().map(|r| r.get(0)).collect();
    let records = load_records(tx, tenant, project, &ids).await?;
    Ok((records, total as u64))
}

pub async fn records_after(
    tx: &Transaction<'_>,
    tenant: TenantId,
    project: i64,
    after: i64,
    limit: u64,
) -> PgResult<Vec<Record>> {
    let limit = limit.min(i64::MAX as u64) as i64;
    let ids: Vec<i64> = tx
        .query(
            "SELECT id FROM records WHERE project_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            &[&project, &after, &limit],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    load_records(tx, tenant, project, &ids).await
}
