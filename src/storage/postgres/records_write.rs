//! Record writes in bulk. An insert is a handful of UNNEST statements for the whole
//! request; an update locks its target records (so nodes changing the same records
//! queue instead of colliding) and then changes all of them with one statement per
//! table, the ids passed as an array. Rejected items are found before anything is
//! written, so they never abort the transaction the others are written in.

use super::PgResult;
use super::fields::{apply_additions, load_schema};
use super::record_rows::{ContactRows, DispositionRows, ValueRows, merge_contacts};
use super::records_read::{borrowed, postgres_search};
use crate::domain::calldate;
use crate::domain::record::{Contact, RecordWrite};
use crate::domain::resolve::{Cell, SchemaIds};
use crate::domain::schema::ProjectSchema;
use crate::storage::shared::{record_not_exists, resolve_writes, unknown_search_field};
use crate::storage::{ItemResult, RecordTarget, RecordUpdate, StoreError, TenantId};
use deadpool_postgres::Transaction;

/// Per write its resolved cells (or why it was rejected), the ids of what had to be
/// created, and the schema they were resolved against.
type Resolved = (Vec<ItemResult<Vec<Cell>>>, SchemaIds, ProjectSchema);

/// Resolves every form of the batch and creates the fields and values they need.
async fn resolve(tx: &Transaction<'_>, project: i64, writes: &[&RecordWrite]) -> PgResult<Resolved> {
    let schema = load_schema(tx, project).await?;
    let (cells, additions) = resolve_writes(&schema, writes);
    let (fields, values) = apply_additions(tx, project, &additions).await?;
    Ok((cells, SchemaIds { fields, values }, schema))
}

pub async fn insert_records(
    tx: &Transaction<'_>,
    tenant: TenantId,
    project: i64,
    writes: &[RecordWrite],
) -> PgResult<Vec<ItemResult<i64>>> {
    let (cells, ids, _) = resolve(tx, project, &writes.iter().collect::<Vec<_>>()).await?;
    let accepted: Vec<(&RecordWrite, &[Cell])> = writes
        .iter()
        .zip(&cells)
        .filter_map(|(write, cells)| Some((write, cells.as_deref().ok()?)))
        .collect();
    let now = calldate::now();
    let record_ids = insert_record_rows(tx, tenant, project, &accepted, &now).await?;

    let contacts: Vec<Vec<Contact>> = accepted.iter().map(|(w, _)| merge_contacts(&w.contacts)).collect();
    let (mut values, mut contact_rows, mut dispositions) =
        (ValueRows::default(), ContactRows::default(), DispositionRows::default());
    for (((write, cells), contacts), &record) in accepted.iter().zip(&contacts).zip(&record_ids) {
        values.push(record, cells, &ids);
        contact_rows.push(record, contacts);
        if let Some(d) = &write.disposition {
            dispositions.push(record, d);
        }
    }
    values.insert(tx).await?;
    contact_rows.upsert(tx).await?;
    dispositions.insert(tx, &now).await?;

    // One id per accepted write (checked on insert), handed out in order.
    let mut record_ids = record_ids.into_iter();
    Ok(cells
        .into_iter()
        .map(|cells| cells.map(|_| record_ids.next().unwrap_or_default()))
        .collect())
}

/// Inserts the records' own rows in one statement; returns their ids in input order.
async fn insert_record_rows(
    tx: &Transaction<'_>,
    tenant: TenantId,
    project: i64,
    accepted: &[(&RecordWrite, &[Cell])],
    now: &str,
) -> PgResult<Vec<i64>> {
    if accepted.is_empty() {
        return Ok(Vec::new());
    }
    let column =
        |get: fn(&RecordWrite) -> Option<&str>| -> Vec<Option<&str>> { accepted.iter().map(|(w, _)| get(w)).collect() };
    let statement = tx
        .prepare_cached(
            "INSERT INTO records (tenant_id, project_id, user_data, phone_field, next_calldate, price, commission,
                                  created_at, updated_at)
             SELECT $1, $2, u, p, n, pr, c, $8, $8
             FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
               WITH ORDINALITY AS t(u, p, n, pr, c, i)
             ORDER BY i
             RETURNING id",
        )
        .await?;
    let rows = tx
        .query(
            &statement,
            &[
                &tenant,
                &project,
                &column(|w| w.user_data.as_deref()),
                &column(|w| w.phone_field.as_deref()),
                &column(RecordWrite::effective_next_calldate),
                &column(|w| w.premium.as_ref().and_then(|p| p.price.as_deref())),
                &column(|w| w.premium.as_ref().and_then(|p| p.commission.as_deref())),
                &now,
            ],
        )
        .await?;
    // Rows are inserted in ORDER BY order and the identity sequence only rises, so the
    // ids sorted are the ids in input order whatever order RETURNING lists them in.
    let mut ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    if ids.len() != accepted.len() {
        return Err(StoreError::Backend(format!("{} records inserted, {} expected", ids.len(), accepted.len())).into());
    }
    ids.sort_unstable();
    Ok(ids)
}

pub async fn update_records(
    tx: &Transaction<'_>,
    project: i64,
    updates: &[RecordUpdate],
) -> PgResult<Vec<ItemResult<u64>>> {
    let writes: Vec<&RecordWrite> = updates.iter().map(|u| &u.write).collect();
    let (cells, ids, schema) = resolve(tx, project, &writes).await?;
    lock_named_records(tx, project, updates).await?;
    let now = calldate::now();
    let mut results = Vec::with_capacity(updates.len());
    for (update, cells) in updates.iter().zip(cells) {
        let outcome = match cells {
            Ok(cells) => match lock_targets(tx, project, &schema, &update.target).await? {
                Ok(targets) => {
                    apply_update(tx, &update.write, &cells, &ids, &targets, &now).await?;
                    Ok(targets.len() as u64)
                }
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        results.push(outcome);
    }
    Ok(results)
}

/// Locks every record the batch names by id, at once and in id order: batches naming
/// the same records in different orders then queue instead of deadlocking.
async fn lock_named_records(tx: &Transaction<'_>, project: i64, updates: &[RecordUpdate]) -> PgResult<()> {
    let mut named: Vec<i64> = updates
        .iter()
        .filter_map(|u| match u.target {
            RecordTarget::Id(id) => Some(id),
            _ => None,
        })
        .collect();
    if named.len() > 1 {
        named.sort_unstable();
        named.dedup();
        let statement = tx
            .prepare_cached("SELECT id FROM records WHERE id = ANY($1) AND project_id = $2 ORDER BY id FOR UPDATE")
            .await?;
        tx.query(&statement, &[&named, &project]).await?;
    }
    Ok(())
}

/// The ids of the records a target names, locked in id order (a fixed order, so two
/// nodes updating overlapping sets queue rather than deadlock); or why the target is wrong.
async fn lock_targets(
    tx: &Transaction<'_>,
    project: i64,
    schema: &ProjectSchema,
    target: &RecordTarget,
) -> PgResult<ItemResult<Vec<i64>>> {
    let rows = match target {
        RecordTarget::Id(id) => {
            let statement = tx
                .prepare_cached("SELECT id FROM records WHERE id = $1 AND project_id = $2 FOR UPDATE")
                .await?;
            let rows = tx.query(&statement, &[id, &project]).await?;
            if rows.is_empty() {
                return Ok(Err(record_not_exists(*id)));
            }
            rows
        }
        RecordTarget::LastDisposition {
            disposition_id,
            user_id,
        } => {
            let statement = tx
                .prepare_cached(
                    "SELECT r.id FROM records r JOIN dispositions d
                       ON d.id = (SELECT max(id) FROM dispositions WHERE record_id = r.id)
                     WHERE r.project_id = $1 AND ($2::bigint IS NULL OR d.disposition_id = $2)
                       AND ($3::text IS NULL OR d.user_id = $3)
                     ORDER BY r.id FOR UPDATE OF r",
                )
                .await?;
            tx.query(&statement, &[&project, disposition_id, user_id]).await?
        }
        RecordTarget::Search(pairs) => {
            let Some((sql, args)) = postgres_search(schema, pairs) else {
                return Ok(Err(unknown_search_field(schema, pairs)));
            };
            let sql = format!("SELECT id FROM records WHERE id IN ({sql}) ORDER BY id FOR UPDATE");
            tx.query(&sql, &borrowed(&args)).await?
        }
    };
    Ok(Ok(rows.iter().map(|r| r.get(0)).collect()))
}

/// Applies one write to every target: a statement per table, over the id array.
async fn apply_update(
    tx: &Transaction<'_>,
    write: &RecordWrite,
    cells: &[Cell],
    ids: &SchemaIds,
    targets: &[i64],
    now: &str,
) -> PgResult<()> {
    if targets.is_empty() {
        return Ok(());
    }
    if !cells.is_empty() {
        let fields: Vec<i64> = cells.iter().map(|c| ids.field(c.field)).collect();
        let statement = tx
            .prepare_cached("DELETE FROM record_values WHERE record_id = ANY($1) AND field_id = ANY($2)")
            .await?;
        tx.execute(&statement, &[&targets, &fields]).await?;
        let mut values = ValueRows::default();
        for &record in targets {
            values.push(record, cells, ids);
        }
        values.insert(tx).await?;
    }
    let premium = write.premium.clone().unwrap_or_default();
    let statement = tx
        .prepare_cached(
            "UPDATE records SET updated_at = $2,
               user_data = COALESCE($3, user_data), phone_field = COALESCE($4, phone_field),
               next_calldate = COALESCE($5, next_calldate), price = COALESCE($6, price),
               -- a new call date reopens a record a dialer had finished
               done_at = CASE WHEN $5::text IS NULL THEN done_at END,
               commission = COALESCE($7, commission)
             WHERE id = ANY($1)",
        )
        .await?;
    tx.execute(
        &statement,
        &[
            &targets,
            &now,
            &write.user_data,
            &write.phone_field,
            &write.effective_next_calldate(),
            &premium.price,
            &premium.commission,
        ],
    )
    .await?;
    let contacts = merge_contacts(&write.contacts);
    let (mut contact_rows, mut dispositions) = (ContactRows::default(), DispositionRows::default());
    for &record in targets {
        contact_rows.push(record, &contacts);
        if let Some(d) = &write.disposition {
            dispositions.push(record, d);
        }
    }
    contact_rows.upsert(tx).await?;
    dispositions.insert(tx, now).await?;
    Ok(())
}
