//! Record reads: one row per record, its form texts from the (cached) project schema.

use super::fields::schema;
use super::records_write::{ROW_COLUMNS, UnparsedRow, read_row, read_unparsed_row, sql_values};
use crate::domain::record::{DispositionEntry, Record};
use crate::domain::schema::ProjectSchema;
use crate::storage::shared::row::RecordRow;
use crate::storage::shared::schema_cache::SchemaCache;
use crate::storage::shared::{SQLITE, render_halves, search_sql};
use crate::storage::{PageRenderer, RecordQuery, RenderedPage, StoreError, TenantId};
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

/// A stored row as the API's record: schema texts and dispositions added.
pub fn to_record(conn: &Connection, cache: &SchemaCache, row: RecordRow) -> Result<Record, StoreError> {
    let schema = schema(conn, cache, row.project_id)?;
    let dispositions = load_dispositions(conn, row.id)?;
    Ok(row.into_record(&schema, dispositions))
}

/// Rows as the API's records: one schema look-up per project and one dispositions query
/// for the whole page, instead of one of each per record.
pub fn to_records(conn: &Connection, cache: &SchemaCache, rows: Vec<RecordRow>) -> Result<Vec<Record>, StoreError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut dispositions = page_dispositions(conn, &ids)?;
    let mut schemas: Vec<(i64, Arc<ProjectSchema>)> = Vec::new();
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        let schema = match schemas.iter().find(|(project, _)| *project == row.project_id) {
            Some((_, schema)) => schema.clone(),
            None => {
                let schema = schema(conn, cache, row.project_id)?;
                schemas.push((row.project_id, schema.clone()));
                schema
            }
        };
        let own = dispositions.remove(&row.id).unwrap_or_default();
        records.push(row.into_record(&schema, own));
    }
    Ok(records)
}

/// Records up to which [`page_dispositions`] reads each record's own: for a look-up's one
/// or two records, an indexed equality beats building and walking a JSON array of ids.
const DISPOSITIONS_ONE_BY_ONE: usize = 4;

/// The dispositions of these records, oldest first, by record; for a page, one statement
/// (the ids go as one JSON array).
fn page_dispositions(conn: &Connection, ids: &[i64]) -> Result<HashMap<i64, Vec<DispositionEntry>>, StoreError> {
    if ids.len() <= DISPOSITIONS_ONE_BY_ONE {
        let mut found = HashMap::new();
        for &id in ids {
            let entries = load_dispositions(conn, id)?;
            if !entries.is_empty() {
                found.insert(id, entries);
            }
        }
        return Ok(found);
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT record_id, {DISPOSITION_COLUMNS} FROM dispositions
         WHERE record_id IN (SELECT value FROM json_each(?1)) ORDER BY record_id, id"
    ))?;
    let mut found: HashMap<i64, Vec<DispositionEntry>> = HashMap::new();
    let mut rows = stmt.query([id_array(ids)?])?;
    while let Some(r) = rows.next()? {
        found.entry(r.get(0)?).or_default().push(disposition(r, 1)?);
    }
    Ok(found)
}

pub fn get_record(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    project: i64,
    id: i64,
) -> Result<Record, StoreError> {
    static ROW_IN_PROJECT: LazyLock<String> = LazyLock::new(|| {
        format!("SELECT {ROW_COLUMNS} FROM records r WHERE r.id = ?1 AND r.project_id = ?2 AND r.tenant_id = ?3")
    });
    let row = conn
        .prepare_cached(&ROW_IN_PROJECT)?
        .query_row(params![id, project, tenant], read_row)
        .optional()?
        .ok_or(StoreError::NotFound("record"))?;
    to_record(conn, cache, row)
}

fn load_dispositions(conn: &Connection, record: i64) -> Result<Vec<DispositionEntry>, StoreError> {
    static OF_RECORD: LazyLock<String> =
        LazyLock::new(|| format!("SELECT {DISPOSITION_COLUMNS} FROM dispositions WHERE record_id = ?1 ORDER BY id"));
    let mut stmt = conn.prepare_cached(&OF_RECORD)?;
    let rows = stmt.query_map([record], |r| disposition(r, 0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The columns [`disposition`] reads, in its order.
const DISPOSITION_COLUMNS: &str = "disposition_id, user_id, next_calldate, description, created_at";

/// A disposition from [`DISPOSITION_COLUMNS`] starting at column `first`.
fn disposition(r: &Row<'_>, first: usize) -> rusqlite::Result<DispositionEntry> {
    Ok(DispositionEntry {
        disposition_id: r.get(first)?,
        user_id: r.get(first + 1)?,
        next_calldate: r.get(first + 2)?,
        description: r.get(first + 3)?,
        created_at: r.get(first + 4)?,
    })
}

/// Ids as one JSON array, for `json_each`: a page's worth in one statement.
fn id_array(ids: &[i64]) -> Result<String, StoreError> {
    serde_json::to_string(ids).map_err(|e| StoreError::Backend(e.to_string()))
}

pub fn list_records(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    project: i64,
    query: &RecordQuery,
) -> Result<(Vec<Record>, u64), StoreError> {
    let schema = schema(conn, cache, project)?;
    let Some(search) = search_sql(tenant, project, &schema, &query.search, query.updated_since, &SQLITE) else {
        return Ok((Vec::new(), 0));
    };
    let args = sql_values(&search.args);
    let total: i64 = conn
        .prepare_cached(&search.count)?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    // Beyond i64 the page is empty anyway; SQLite takes no larger integers.
    let (limit, offset) = (query.limit.min(i64::MAX as u64), query.offset.min(i64::MAX as u64));
    let ids: Vec<i64> = conn
        .prepare_cached(&format!("{} LIMIT {limit} OFFSET {offset}", search.ids))?
        .query_map(params_from_iter(args.iter()), |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok((to_records(conn, cache, rows_by_id(conn, &ids)?)?, total as u64))
}

/// The rows with these ids, in id order; one statement (the ids go as one JSON array).
fn rows_by_id(conn: &Connection, ids: &[i64]) -> Result<Vec<RecordRow>, StoreError> {
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM records r WHERE r.id IN (SELECT value FROM json_each(?1)) ORDER BY r.id"
        ))?
        .query_map([id_array(ids)?], read_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Up to `limit` records of the project after `after`, in id order.
pub fn records_after(
    conn: &Connection,
    cache: &SchemaCache,
    project: i64,
    after: i64,
    limit: u64,
) -> Result<Vec<Record>, StoreError> {
    let page = unparsed_page_after(conn, cache, project, after, limit)?;
    page.rows
        .into_iter()
        .map(|row| build_record(row, &page.schema))
        .collect()
}

/// A page of a project in id order, read in one snapshot but not parsed yet: an export
/// parses and renders it on two threads ([`render_page`]). Without the records'
/// dispositions: no export shows them, and reading them was a seventh of an export.
pub fn unparsed_page_after(
    conn: &Connection,
    cache: &SchemaCache,
    project: i64,
    after: i64,
    limit: u64,
) -> Result<UnparsedPage, StoreError> {
    let rows: Vec<UnparsedRow> = conn
        .prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM records r WHERE r.project_id = ?1 AND r.id > ?2 ORDER BY r.id LIMIT ?3"
        ))?
        .query_map(
            params![project, after, limit.min(i64::MAX as u64) as i64],
            read_unparsed_row,
        )?
        .collect::<Result<_, _>>()?;
    Ok(UnparsedPage {
        schema: schema(conn, cache, project)?,
        rows,
    })
}

pub struct UnparsedPage {
    rows: Vec<UnparsedRow>,
    schema: Arc<ProjectSchema>,
}

/// Parses a page's rows into records and renders them, in two halves on two threads.
pub async fn render_page(page: UnparsedPage, render: PageRenderer) -> Result<RenderedPage, StoreError> {
    let UnparsedPage { rows, schema } = page;
    let (last, count) = (rows.last().map(UnparsedRow::id), rows.len());
    let parts = render_halves(rows, move |rows| {
        let records = rows
            .into_iter()
            .map(|row| build_record(row, &schema))
            .collect::<Result<Vec<_>, _>>()?;
        render(&records).map_err(StoreError::Backend)
    })
    .await?;
    Ok(RenderedPage { parts, last, count })
}

fn build_record(row: UnparsedRow, schema: &ProjectSchema) -> Result<Record, StoreError> {
    let row = row
        .parse()
        .map_err(|e| StoreError::Backend(format!("a stored record is not valid JSON: {e}")))?;
    Ok(row.into_record(schema, Vec::new()))
}
