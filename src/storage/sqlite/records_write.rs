//! Record writes. Updates are set-based: the targeted ids go into a temporary table
//! and each change is one statement over all of them, so a search touching 100k
//! records costs a handful of statements, not 100k.

use super::fields::{apply_additions, load_schema};
use crate::domain::calldate;
use crate::domain::record::{Contact, Disposition, RecordWrite};
use crate::domain::resolve::{Cell, FieldRef, SchemaIds};
use crate::domain::schema::FieldKind;
use crate::domain::schema::ProjectSchema;
use crate::storage::shared::{SQLITE, record_not_exists, resolve_writes, search_sql, unknown_search_field};
use crate::storage::{ItemResult, RecordTarget, RecordUpdate, StoreError, TenantId};
use rusqlite::types::Value;
use rusqlite::{Connection, params};

/// Per write its resolved cells (or why it was rejected), the ids of what had to be
/// created, and the schema they were resolved against.
type Resolved = (Vec<ItemResult<Vec<Cell>>>, SchemaIds, ProjectSchema);

/// Resolves every form of the batch and creates the fields and values they need.
fn resolve(conn: &Connection, project: i64, writes: &[&RecordWrite]) -> Result<Resolved, StoreError> {
    let schema = load_schema(conn, project)?;
    let (cells, additions) = resolve_writes(&schema, writes);
    let (fields, values) = apply_additions(conn, project, &additions)?;
    Ok((cells, SchemaIds { fields, values }, schema))
}

pub fn insert_records(
    conn: &Connection,
    tenant: TenantId,
    project: i64,
    writes: &[RecordWrite],
) -> Result<Vec<ItemResult<i64>>, StoreError> {
    let (cells, ids, _) = resolve(conn, project, &writes.iter().collect::<Vec<_>>())?;
    let now = calldate::now();
    let mut record_stmt = conn.prepare_cached(
        "INSERT INTO records (tenant_id, project_id, user_data, phone_field, next_calldate, price, commission, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?;
    let mut value_stmt = conn.prepare_cached(
        "INSERT INTO record_values (record_id, field_id, ordinal, value, value_id) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut results = Vec::with_capacity(writes.len());
    for (write, cells) in writes.iter().zip(cells) {
        let cells = match cells {
            Ok(cells) => cells,
            Err(e) => {
                results.push(Err(e));
                continue;
            }
        };
        let premium = write.premium.clone().unwrap_or_default();
        record_stmt.execute(params![
            tenant,
            project,
            write.user_data,
            write.phone_field,
            write.effective_next_calldate(),
            premium.price,
            premium.commission,
            now
        ])?;
        let record = conn.last_insert_rowid();
        for cell in &cells {
            let field = ids.field(cell.field);
            for (ordinal, (text, value)) in cell.values.iter().enumerate() {
                value_stmt.execute(params![record, field, ordinal as i64, text, ids.value(*value)])?;
            }
        }
        for contact in &write.contacts {
            upsert_contact(conn, Rows::Record(record), contact)?;
        }
        if let Some(d) = &write.disposition {
            insert_disposition(conn, Rows::Record(record), d, &now)?;
        }
        results.push(Ok(record));
    }
    Ok(results)
}

/// Which records a contact or disposition write goes to: one just inserted, or every
/// record in `target_ids` (then `?1` is unused but keeps the parameter numbering).
#[derive(Clone, Copy)]
pub(super) enum Rows {
    Record(i64),
    Targets,
}

impl Rows {
    fn id(self) -> i64 {
        match self {
            Rows::Record(id) => id,
            Rows::Targets => 0,
        }
    }
}

macro_rules! contact_upsert {
    ($source:literal) => {
        concat!(
            "INSERT INTO contacts (record_id, slot, title, name, phone, email) ",
            $source,
            " ON CONFLICT (record_id, slot) DO UPDATE SET
               title = COALESCE(excluded.title, title), name = COALESCE(excluded.name, name),
               phone = COALESCE(excluded.phone, phone), email = COALESCE(excluded.email, email)"
        )
    };
}

macro_rules! disposition_insert {
    ($source:literal) => {
        concat!(
            "INSERT INTO dispositions (record_id, disposition_id, user_id, next_calldate, description, created_at) ",
            $source
        )
    };
}

fn upsert_contact(conn: &Connection, rows: Rows, c: &Contact) -> Result<(), StoreError> {
    let sql = match rows {
        Rows::Record(_) => contact_upsert!("VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        Rows::Targets => contact_upsert!("SELECT id, ?2, ?3, ?4, ?5, ?6 FROM target_ids WHERE ?1 IS NOT NULL"),
    };
    conn.prepare_cached(sql)?
        .execute(params![rows.id(), c.slot, c.title, c.name, c.phone, c.email])?;
    Ok(())
}

pub(super) fn insert_disposition(conn: &Connection, rows: Rows, d: &Disposition, now: &str) -> Result<(), StoreError> {
    let sql = match rows {
        Rows::Record(_) => disposition_insert!("VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        Rows::Targets => disposition_insert!("SELECT id, ?2, ?3, ?4, ?5, ?6 FROM target_ids WHERE ?1 IS NOT NULL"),
    };
    conn.prepare_cached(sql)?.execute(params![
        rows.id(),
        d.disposition_id,
        d.user_id,
        d.next_calldate,
        d.description,
        now
    ])?;
    Ok(())
}

pub fn update_records(
    conn: &Connection,
    project: i64,
    updates: &[RecordUpdate],
) -> Result<Vec<ItemResult<u64>>, StoreError> {
    let (cells, ids, schema) = resolve(conn, project, &updates.iter().map(|u| &u.write).collect::<Vec<_>>())?;
    conn.execute_batch("CREATE TEMP TABLE IF NOT EXISTS target_ids (id INTEGER PRIMARY KEY)")?;
    let now = calldate::now();
    let mut results = Vec::with_capacity(updates.len());
    for (update, cells) in updates.iter().zip(cells) {
        let outcome = match cells {
            Ok(cells) => match select_targets(conn, project, &schema, &update.target)? {
                Ok(count) => apply_update(conn, &update.write, &cells, &ids, &schema, &now).map(|()| Ok(count))?,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        results.push(outcome);
    }
    Ok(results)
}

/// Fills `target_ids`; returns how many records it holds, or why the target is wrong.
fn select_targets(
    conn: &Connection,
    project: i64,
    schema: &ProjectSchema,
    target: &RecordTarget,
) -> Result<ItemResult<u64>, StoreError> {
    conn.execute("DELETE FROM target_ids", [])?;
    match target {
        RecordTarget::Id(id) => {
            let n = conn
                .prepare_cached("INSERT INTO target_ids (id) SELECT id FROM records WHERE id = ?1 AND project_id = ?2")?
                .execute(params![id, project])?;
            if n == 0 {
                return Ok(Err(record_not_exists(*id)));
            }
            Ok(Ok(1))
        }
        RecordTarget::LastDisposition {
            disposition_id,
            user_id,
        } => {
            let n = conn
                .prepare_cached(
                    "INSERT INTO target_ids (id)
                     SELECT r.id FROM records r JOIN dispositions d
                       ON d.id = (SELECT max(id) FROM dispositions WHERE record_id = r.id)
                     WHERE r.project_id = ?1 AND (?2 IS NULL OR d.disposition_id = ?2) AND (?3 IS NULL OR d.user_id = ?3)",
                )?
                .execute(params![project, disposition_id, user_id])?;
            Ok(Ok(n as u64))
        }
        RecordTarget::Search(pairs) => {
            let Some((sql, args)) = sqlite_search(schema, pairs) else {
                return Ok(Err(unknown_search_field(schema, pairs)));
            };
            let n = conn
                .prepare_cached(&format!("INSERT INTO target_ids (id) {sql}"))?
                .execute(rusqlite::params_from_iter(args))?;
            Ok(Ok(n as u64))
        }
    }
}

/// [`search_sql`] with SQLite's parameters and its ASCII-case-insensitive LIKE.
pub fn sqlite_search(
    schema: &ProjectSchema,
    pairs: &[(String, String)],
) -> Option<(String, Vec<rusqlite::types::Value>)> {
    use rusqlite::types::Value;
    let (sql, args) = search_sql(schema, pairs, &SQLITE)?;
    let args = args
        .into_iter()
        .flat_map(|(field, text)| [Value::Integer(field), Value::Text(text)])
        .collect();
    Some((sql, args))
}

/// Applies one update to every record in `target_ids` with a few set-based statements
/// per field. A field getting one value is updated in place (the common case: a batch
/// setting `status` on 100k records), which leaves the by-record index alone.
fn apply_update(
    conn: &Connection,
    write: &RecordWrite,
    cells: &[Cell],
    ids: &SchemaIds,
    schema: &ProjectSchema,
    now: &str,
) -> Result<(), StoreError> {
    let targets = conn.query_row("SELECT count(*) FROM target_ids", [], |r| r.get::<_, i64>(0))? as usize;
    for cell in cells {
        let field = ids.field(cell.field);
        // A field created by this write holds nothing yet; a simple field never holds two values.
        let (is_new, may_hold_more) = match cell.field {
            FieldRef::New(_) => (true, false),
            FieldRef::Existing(id) => (
                false,
                schema.field_by_id(id).is_none_or(|f| f.kind != FieldKind::Simple),
            ),
        };
        let mut values = cell.values.iter().enumerate();
        let first = if is_new { None } else { values.next() };
        let mut kept = 0;
        if let Some((_, (text, value))) = first {
            let updated = conn
                .prepare_cached(
                    "UPDATE record_values SET value = ?2, value_id = ?3
                     WHERE field_id = ?1 AND ordinal = 0 AND record_id IN (SELECT id FROM target_ids)",
                )?
                .execute(params![field, text, ids.value(*value)])?;
            if updated < targets {
                conn.prepare_cached(
                    "INSERT INTO record_values (record_id, field_id, ordinal, value, value_id)
                     SELECT t.id, ?1, 0, ?2, ?3 FROM target_ids t WHERE NOT EXISTS
                       (SELECT 1 FROM record_values v WHERE v.field_id = ?1 AND v.record_id = t.id AND v.ordinal = 0)",
                )?
                .execute(params![field, text, ids.value(*value)])?;
            }
            kept = 1;
        }
        if !is_new && (kept == 0 || may_hold_more) {
            conn.prepare_cached(
                "DELETE FROM record_values
                 WHERE field_id = ?1 AND ordinal >= ?2 AND record_id IN (SELECT id FROM target_ids)",
            )?
            .execute(params![field, kept])?;
        }
        for (ordinal, (text, value)) in values {
            conn.prepare_cached(
                "INSERT INTO record_values (record_id, field_id, ordinal, value, value_id)
                 SELECT id, ?1, ?2, ?3, ?4 FROM target_ids",
            )?
            .execute(params![field, ordinal as i64, text, ids.value(*value)])?;
        }
    }
    let (record_sql, record_args) = record_update(write, now);
    conn.prepare_cached(&record_sql)?
        .execute(rusqlite::params_from_iter(record_args.iter()))?;
    for contact in &write.contacts {
        upsert_contact(conn, Rows::Targets, contact)?;
    }
    if let Some(d) = &write.disposition {
        insert_disposition(conn, Rows::Targets, d, now)?;
    }
    Ok(())
}

/// `UPDATE records` of every record in `target_ids`, setting `updated_at` and only the
/// attributes the write gives (an untouched column keeps its index entries untouched).
fn record_update(write: &RecordWrite, now: &str) -> (String, Vec<Value>) {
    let text = |v: &Option<String>| v.clone().map(Value::Text);
    let premium = write.premium.clone().unwrap_or_default();
    let next_calldate = write.effective_next_calldate().map(str::to_string);
    let candidates = [
        ("user_data", text(&write.user_data)),
        ("phone_field", text(&write.phone_field)),
        ("next_calldate", text(&next_calldate)),
        ("price", text(&premium.price)),
        ("commission", text(&premium.commission)),
    ];
    let mut sets = vec!["updated_at = ?1".to_string()];
    let mut args = vec![Value::Text(now.to_string())];
    for (column, value) in candidates {
        if let Some(value) = value {
            args.push(value);
            sets.push(format!("{column} = ?{}", args.len()));
        }
    }
    if next_calldate.is_some() {
        // A new call date reopens a record a dialer had finished.
        sets.push("done_at = NULL".to_string());
    }
    (
        format!(
            "UPDATE records SET {} WHERE id IN (SELECT id FROM target_ids)",
            sets.join(", ")
        ),
        args,
    )
}
