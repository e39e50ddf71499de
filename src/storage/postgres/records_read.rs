//! Record reads: rows (one statement, with their project's schema version), their
//! dispositions (one more), and the schemas from the node's cache.

use super::fields::{Schemas, current_schema};
use super::search::{Params, borrowed};
use super::{PgError, PgResult, PostgresStore, Tx};
use crate::domain::document::RecordDoc;
use crate::domain::record::{DispositionEntry, Record};
use crate::domain::schema::ProjectSchema;
use crate::storage::shared::row::{RecordRow, parse_contacts};
use crate::storage::shared::{POSTGRES, SqlArg, render_halves, search_sql};
use crate::storage::{PageRenderer, RecordQuery, RenderedPage, StoreError, TenantId};
use deadpool_postgres::Transaction;
use std::collections::HashMap;
use std::sync::Arc;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

/// The columns of `records r` that [`row_of`] reads, in its order.
pub const ROW_COLUMNS: &str = "r.id, r.project_id, r.user_data, r.phone_field, r.next_calldate, r.price, r.commission,
    r.locked, r.claimed_by, r.claim_expires_at, r.done_at, r.attempts, r.robinson, r.created_at, r.updated_at,
    r.contacts::text, r.data::text, r.zones";

/// How many columns [`ROW_COLUMNS`] has: what a query selects after them starts here.
pub const ROW_WIDTH: usize = 18;

/// A record's row from the [`ROW_COLUMNS`] at the start of a result row.
pub fn row_of(r: &Row) -> PgResult<RecordRow> {
    let bad = |e: serde_json::Error| StoreError::Backend(format!("record {}: {e}", r.get::<_, i64>(0)));
    Ok(RecordRow {
        id: r.get(0),
        project_id: r.get(1),
        user_data: r.get(2),
        phone_field: r.get(3),
        next_calldate: r.get(4),
        price: r.get(5),
        commission: r.get(6),
        locked: r.get(7),
        claimed_by: r.get(8),
        claim_expires_at: r.get(9),
        done_at: r.get(10),
        attempts: r.get(11),
        robinson: r.get(12),
        created_at: r.get(13),
        updated_at: r.get(14),
        contacts: parse_contacts(r.get(15)).map_err(bad)?,
        data: RecordDoc::parse(r.get(16)).map_err(bad)?,
        zones: r.get(17),
    })
}

/// The rows of `records r` matching `condition`, in id order; with `lock` locked (in
/// that order, so that writers locking overlapping sets queue instead of deadlocking).
pub async fn select_rows(
    tx: &Transaction<'_>,
    condition: &str,
    params: &[&(dyn ToSql + Sync)],
    lock: bool,
) -> PgResult<Vec<RecordRow>> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {ROW_COLUMNS} FROM records r WHERE {condition} ORDER BY r.id{lock}");
    let statement = tx.prepare_cached(&sql).await?;
    tx.query(&statement, params).await?.iter().map(row_of).collect()
}

/// The records of `records r` (tenant `$1`) matching `condition`, in id order, as the
/// API shows them; `tail` follows the ORDER BY (a LIMIT, its numbers bound: the statement
/// is prepared once per connection).
pub async fn select_records(
    tx: &Tx<'_>,
    tenant: TenantId,
    condition: &str,
    params: &[&(dyn ToSql + Sync)],
    tail: &str,
) -> PgResult<Vec<Record>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS}, p.schema_version FROM records r
         JOIN projects p ON p.tenant_id = r.tenant_id AND p.id = r.project_id
         WHERE {condition} ORDER BY r.id {tail}"
    );
    let statement = tx.prepare_cached(&sql).await?;
    let mut rows = Vec::new();
    for r in tx.query(&statement, params).await? {
        rows.push((row_of(&r)?, r.get::<_, i64>(ROW_WIDTH)));
    }
    to_records(tx, tenant, rows).await
}

/// The records of `records r` matching `condition` (tenant `$1`), in id order, in one
/// statement outside a transaction (a statement is a snapshot of its own): rows, their
/// schema versions and their dispositions at once, one round trip instead of a
/// transaction's four. None when a schema version is not in the node's cache: the caller
/// then reads in a transaction, which loads it.
pub async fn point_records(
    store: &PostgresStore,
    condition: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<Vec<Record>>, StoreError> {
    let Some((rows, schemas)) = point_rows(store, condition, "", params).await? else {
        return Ok(None);
    };
    rows.iter()
        .zip(schemas)
        .map(|(r, schema)| point_record(r, &schema))
        .collect::<Result<_, _>>()
        .map(Some)
}

/// The dispositions of `records r`, oldest first, as one JSON text (NULL when none): a
/// column beside the row and its schema version, read by [`point_record`].
pub const DISPOSITIONS_JSON: &str =
    "(SELECT json_agg(json_build_array(d.disposition_id, d.user_id, d.next_calldate, d.description, d.created_at)
                      ORDER BY d.id)
      FROM dispositions d WHERE d.tenant_id = r.tenant_id AND d.record_id = r.id)::text";

/// The rows of [`point_records`] (`tail` after its ORDER BY) with each row's schema; None
/// when one is not cached.
pub async fn point_rows(
    store: &PostgresStore,
    condition: &str,
    tail: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<(Vec<Row>, Vec<Arc<ProjectSchema>>)>, StoreError> {
    let sql = format!(
        "SELECT {ROW_COLUMNS}, p.schema_version, {DISPOSITIONS_JSON}
         FROM records r JOIN projects p ON p.tenant_id = r.tenant_id AND p.id = r.project_id
         WHERE {condition} ORDER BY r.id {tail}"
    );
    let client = store.connection().await?;
    let statement = client.prepare_cached(&sql).await.map_err(PgError::from)?;
    let rows = client.query(&statement, params).await.map_err(PgError::from)?;
    let mut schemas = Vec::with_capacity(rows.len());
    for r in &rows {
        match store.schemas.cached(r.get(1), r.get(ROW_WIDTH)) {
            Some(schema) => schemas.push(schema),
            None => return Ok(None),
        }
    }
    Ok(Some((rows, schemas)))
}

/// A row of [`point_rows`] (or any with the schema version and [`DISPOSITIONS_JSON`] after
/// the record's columns) as the API's record.
pub fn point_record(r: &Row, schema: &ProjectSchema) -> Result<Record, StoreError> {
    let row = row_of(r)?;
    let dispositions: Option<&str> = r.get(ROW_WIDTH + 1);
    let dispositions = match dispositions {
        None => Vec::new(),
        Some(json) => serde_json::from_str::<Vec<(i64, String, Option<String>, Option<String>, String)>>(json)
            .map_err(|e| StoreError::Backend(format!("record {}: dispositions: {e}", row.id)))?
            .into_iter()
            .map(
                |(disposition_id, user_id, next_calldate, description, created_at)| DispositionEntry {
                    disposition_id,
                    user_id,
                    next_calldate,
                    description,
                    created_at,
                },
            )
            .collect(),
    };
    Ok(row.into_record(schema, dispositions))
}

/// An export's page ([`RecordStore::render_records_after`]): read in one statement, then
/// parsed and rendered in two halves on two threads. None when the schema is not cached.
pub async fn render_page_after(
    store: &PostgresStore,
    tenant: TenantId,
    project: i64,
    after: i64,
    limit: u64,
    render: PageRenderer,
) -> Result<Option<RenderedPage>, StoreError> {
    let tail = format!("LIMIT {}", limit.min(i64::MAX as u64));
    let Some((rows, schemas)) = point_rows(store, PAGE_AFTER, &tail, &[&tenant, &project, &after]).await? else {
        return Ok(None);
    };
    let (last, count) = (rows.last().map(|r| r.get::<_, i64>(0)), rows.len());
    let rows: Vec<(Row, Arc<ProjectSchema>)> = rows.into_iter().zip(schemas).collect();
    let parts = render_halves(rows, move |rows| {
        let records = rows
            .iter()
            .map(|(r, schema)| point_record(r, schema))
            .collect::<Result<Vec<_>, _>>()?;
        render(&records).map_err(StoreError::Backend)
    })
    .await?;
    Ok(Some(RenderedPage { parts, last, count }))
}

/// Rows, each with its project's schema version, as the API shows them.
pub async fn to_records(tx: &Tx<'_>, tenant: TenantId, rows: Vec<(RecordRow, i64)>) -> PgResult<Vec<Record>> {
    let ids: Vec<i64> = rows.iter().map(|(row, _)| row.id).collect();
    let mut dispositions = load_dispositions(tx, tenant, &ids).await?;
    let mut schemas = Schemas::default();
    let mut records = Vec::with_capacity(rows.len());
    for (row, version) in rows {
        let schema = schemas.get(tx, tenant, row.project_id, Some(version)).await?;
        let own = dispositions.remove(&row.id).unwrap_or_default();
        records.push(row.into_record(&schema, own));
    }
    Ok(records)
}

/// The dispositions of these records, oldest first, by record.
async fn load_dispositions(
    tx: &Transaction<'_>,
    tenant: TenantId,
    ids: &[i64],
) -> PgResult<HashMap<i64, Vec<DispositionEntry>>> {
    let mut found: HashMap<i64, Vec<DispositionEntry>> = HashMap::new();
    if ids.is_empty() {
        return Ok(found);
    }
    let statement = tx
        .prepare_cached(
            "SELECT record_id, disposition_id, user_id, next_calldate, description, created_at FROM dispositions
             WHERE tenant_id = $1 AND record_id = ANY($2) ORDER BY record_id, id",
        )
        .await?;
    for r in tx.query(&statement, &[&tenant, &ids]).await? {
        found.entry(r.get(0)).or_default().push(DispositionEntry {
            disposition_id: r.get(1),
            user_id: r.get(2),
            next_calldate: r.get(3),
            description: r.get(4),
            created_at: r.get(5),
        });
    }
    Ok(found)
}

/// A record of a project: tenant `$1`, record `$2`, project `$3`.
pub const ONE_RECORD: &str = "r.tenant_id = $1 AND r.id = $2 AND r.project_id = $3";

/// A page of a project: tenant `$1`, project `$2`, ids above `$3` (LIMIT after the ORDER BY).
const PAGE_AFTER: &str = "r.tenant_id = $1 AND r.project_id = $2 AND r.id > $3";

pub async fn get_record(tx: &Tx<'_>, tenant: TenantId, project: i64, id: i64) -> PgResult<Record> {
    let mut found = select_records(tx, tenant, ONE_RECORD, &[&tenant, &id, &project], "").await?;
    Ok(found.pop().ok_or(StoreError::NotFound("record"))?)
}

/// The tenant's records with these ids, in id order.
pub async fn records_by_id(tx: &Tx<'_>, tenant: TenantId, ids: &[i64]) -> PgResult<Vec<Record>> {
    select_records(tx, tenant, "r.tenant_id = $1 AND r.id = ANY($2)", &[&tenant, &ids], "").await
}

pub async fn list_records(
    tx: &Tx<'_>,
    tenant: TenantId,
    project: i64,
    query: &RecordQuery,
) -> PgResult<(Vec<Record>, u64)> {
    let schema = current_schema(tx, tenant, project).await?;
    let Some(search) = search_sql(tenant, project, &schema, &query.search, query.updated_since, &POSTGRES) else {
        return Ok((Vec::new(), 0));
    };
    let mut params = sql_params(&search.args);
    let count = tx.prepare_cached(&search.count).await?;
    let total: i64 = tx.query_one(&count, &borrowed(&params)).await?.get(0);
    let page = tx.prepare_cached(&page_of(&search.ids, &mut params, query)).await?;
    let ids: Vec<i64> = tx
        .query(&page, &borrowed(&params))
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok((records_by_id(tx, tenant, &ids).await?, total as u64))
}

/// [`list_records`] in one statement outside a transaction (one snapshot: the total, the
/// page's rows and their dispositions at once), built from the schema this node last kept
/// for the project; the statement also reads the project's schema version, and the answer
/// counts only if it is that schema's. None when it cannot answer (no schema kept, a field
/// the kept schema lacks, another version): the caller then reads in a transaction.
pub async fn point_list(
    store: &PostgresStore,
    tenant: TenantId,
    project: i64,
    query: &RecordQuery,
) -> Result<Option<(Vec<Record>, u64)>, StoreError> {
    let Some((version, schema)) = store.schemas.latest(project) else {
        return Ok(None);
    };
    let Some(search) = search_sql(tenant, project, &schema, &query.search, query.updated_since, &POSTGRES) else {
        return Ok(None);
    };
    let mut params = sql_params(&search.args);
    let (tenant_arg, project_arg) = (params.len() + 1, params.len() + 2);
    params.push(Box::new(tenant));
    params.push(Box::new(project));
    let page = page_of(&search.ids, &mut params, query);
    // One row even for an empty page (its record columns NULL): the total and the version.
    let sql = format!(
        "WITH head AS (SELECT (SELECT p.schema_version FROM projects p WHERE p.tenant_id = ${tenant_arg}
                                 AND p.id = ${project_arg}) AS version,
                              ({}) AS total),
              page AS ({page})
         SELECT {ROW_COLUMNS}, head.version, {DISPOSITIONS_JSON}, head.total
         FROM head LEFT JOIN (page JOIN records r ON r.tenant_id = ${tenant_arg} AND r.id = page.id) ON true
         ORDER BY r.id",
        search.count
    );
    let client = store.connection().await?;
    let statement = client.prepare_cached(&sql).await.map_err(PgError::from)?;
    let rows = client
        .query(&statement, &borrowed(&params))
        .await
        .map_err(PgError::from)?;
    let Some(head) = rows.first() else {
        return Ok(None);
    };
    if head.get::<_, Option<i64>>(ROW_WIDTH) != Some(version) {
        return Ok(None);
    }
    let total: i64 = head.get(ROW_WIDTH + 2);
    let records = rows
        .iter()
        .filter(|r| r.get::<_, Option<i64>>(0).is_some())
        .map(|r| point_record(r, &schema))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((records, total as u64)))
}

/// The query's page of a search's `ids`: its LIMIT and OFFSET, their parameters added.
fn page_of(ids: &str, params: &mut Params, query: &RecordQuery) -> String {
    let page = format!("{ids} LIMIT ${} OFFSET ${}", params.len() + 1, params.len() + 2);
    // Beyond i64 the page is empty anyway.
    params.push(Box::new(query.limit.min(i64::MAX as u64) as i64));
    params.push(Box::new(query.offset.min(i64::MAX as u64) as i64));
    page
}

/// The arguments of SQL built by `storage::shared` as PostgreSQL parameters.
pub fn sql_params(args: &[SqlArg]) -> Params {
    args.iter()
        .map(|arg| -> Box<dyn ToSql + Sync + Send> {
            match arg {
                SqlArg::Integer(i) => Box::new(*i),
                SqlArg::Text(t) => Box::new(t.clone()),
            }
        })
        .collect()
}

pub async fn records_after(
    tx: &Tx<'_>,
    tenant: TenantId,
    project: i64,
    after: i64,
    limit: u64,
) -> PgResult<Vec<Record>> {
    let tail = format!("LIMIT {}", limit.min(i64::MAX as u64));
    select_records(tx, tenant, PAGE_AFTER, &[&tenant, &project, &after], &tail).await
}
