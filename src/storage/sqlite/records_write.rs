//! Record writes. Updates are set-based: the targeted ids go into a temporary table
//! and each change is one statement over all of them, so a search touching 100k
//! records costs a handful of statements, not 100k.

use super::fields::{apply_additions, load_schema};
use crate::domain::ValidationError;
use crate::domain::calldate;
use crate::domain::record::{Contact, Disposition, RecordWrite};
use crate::domain::resolve::{Cell, SchemaIds, resolve_batch};
use crate::domain::schema::ProjectSchema;
use crate::storage::{ItemResult, RecordTarget, RecordUpdate, StoreError, TenantId};
use rusqlite::{Connection, params};

/// Per write its resolved cells (or why it was rejected), the ids of what had to be
/// created, and the schema they were resolved against.
type Resolved = (Vec<ItemResult<Vec<Cell>>>, SchemaIds, ProjectSchema);

/// Resolves every form of the batch and creates the fields and values they need.
fn resolve(conn: &Connection, project: i64, writes: &[&RecordWrite]) -> Result<Resolved, StoreError> {
    let schema = load_schema(conn, project)?;
    let (cells, additions) = resolve_batch(&schema, writes.iter().map(|w| w.form.as_slice()));
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
            upsert_contact(conn, "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", record, contact)?;
        }
        if let Some(d) = &write.disposition {
            insert_disposition(conn, "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", record, d, &now)?;
        }
        results.push(Ok(record));
    }
    Ok(results)
}

/// `source` is a VALUES list for one record, or a SELECT over `target_ids`.
fn upsert_contact(conn: &Connection, source: &str, record: i64, c: &Contact) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO contacts (record_id, slot, title, name, phone, email) {source}
         ON CONFLICT (record_id, slot) DO UPDATE SET
           title = COALESCE(excluded.title, title), name = COALESCE(excluded.name, name),
           phone = COALESCE(excluded.phone, phone), email = COALESCE(excluded.email, email)"
    );
    conn.prepare_cached(&sql)?
        .execute(params![record, c.slot, c.title, c.name, c.phone, c.email])?;
    Ok(())
}

pub(super) fn insert_disposition(
    conn: &Connection,
    source: &str,
    record: i64,
    d: &Disposition,
    now: &str,
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO dispositions (record_id, disposition_id, user_id, next_calldate, description, created_at) {source}"
    );
    conn.prepare_cached(&sql)?.execute(params![
        record,
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
                Ok(count) => apply_update(conn, &update.write, &cells, &ids, &now).map(|()| Ok(count))?,
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
                return Ok(Err(ValidationError::new(
                    "record_not_exists",
                    format!("record {id} does not exist"),
                )));
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
            let Some(sql_and_args) = search_sql(schema, pairs) else {
                return Ok(Err(unknown_search_field(schema, pairs)));
            };
            let (sql, args) = sql_and_args;
            let n = conn
                .prepare_cached(&format!("INSERT INTO target_ids (id) {sql}"))?
                .execute(rusqlite::params_from_iter(args))?;
            Ok(Ok(n as u64))
        }
    }
}

fn unknown_search_field(schema: &ProjectSchema, pairs: &[(String, String)]) -> ValidationError {
    let name = pairs
        .iter()
        .map(|(n, _)| n)
        .find(|n| schema.field(n).is_none())
        .cloned()
        .unwrap_or_default();
    let detail = if pairs.is_empty() {
        "search is empty".to_string()
    } else {
        format!("no field named '{name}'")
    };
    ValidationError::new("missing_numberid_or_search", detail)
}

/// SQL selecting the ids of records whose fields match every (name, value) pair; the
/// first pair drives the (field_id, value) index. None when a field does not exist.
pub fn search_sql(schema: &ProjectSchema, pairs: &[(String, String)]) -> Option<(String, Vec<rusqlite::types::Value>)> {
    use rusqlite::types::Value;
    let mut args: Vec<Value> = Vec::new();
    let mut conditions = Vec::new();
    for (name, value) in pairs {
        let field = schema.field(name)?;
        // Only `%` is a wildcard: `_` and the escape character match themselves.
        let (op, pattern) = if value.contains('%') {
            ("LIKE", value.replace('\\', "\\\\").replace('_', "\\_"))
        } else {
            ("=", value.clone())
        };
        let escape = if op == "LIKE" { " ESCAPE '\\'" } else { "" };
        args.push(Value::Integer(field.id));
        args.push(Value::Text(pattern));
        let (f, v) = (args.len() - 1, args.len());
        conditions.push(format!("field_id = ?{f} AND value {op} ?{v}{escape}"));
    }
    let (first, rest) = conditions.split_first()?;
    let mut sql = format!("SELECT DISTINCT record_id AS id FROM record_values WHERE {first}");
    for condition in rest {
        sql.push_str(&format!(
            " AND record_id IN (SELECT record_id FROM record_values WHERE {condition})"
        ));
    }
    Some((sql, args))
}

fn apply_update(
    conn: &Connection,
    write: &RecordWrite,
    cells: &[Cell],
    ids: &SchemaIds,
    now: &str,
) -> Result<(), StoreError> {
    for cell in cells {
        let field = ids.field(cell.field);
        conn.prepare_cached(
            "DELETE FROM record_values WHERE field_id = ?1 AND record_id IN (SELECT id FROM target_ids)",
        )?
        .execute([field])?;
        for (ordinal, (text, value)) in cell.values.iter().enumerate() {
            conn.prepare_cached(
                "INSERT INTO record_values (record_id, field_id, ordinal, value, value_id)
                 SELECT id, ?1, ?2, ?3, ?4 FROM target_ids",
            )?
            .execute(params![field, ordinal as i64, text, ids.value(*value)])?;
        }
    }
    let premium = write.premium.clone().unwrap_or_default();
    conn.prepare_cached(
        "UPDATE records SET updated_at = ?1,
           user_data = COALESCE(?2, user_data), phone_field = COALESCE(?3, phone_field),
           next_calldate = COALESCE(?4, next_calldate), price = COALESCE(?5, price),
           -- a new call date reopens a record a dialer had finished
           done_at = CASE WHEN ?4 IS NULL THEN done_at END,
           commission = COALESCE(?6, commission)
         WHERE id IN (SELECT id FROM target_ids)",
    )?
    .execute(params![
        now,
        write.user_data,
        write.phone_field,
        write.effective_next_calldate(),
        premium.price,
        premium.commission
    ])?;
    for contact in &write.contacts {
        upsert_contact(
            conn,
            "SELECT id, ?2, ?3, ?4, ?5, ?6 FROM target_ids WHERE ?1 IS NOT NULL",
            0,
            contact,
        )?;
    }
    if let Some(d) = &write.disposition {
        insert_disposition(
            conn,
            "SELECT id, ?2, ?3, ?4, ?5, ?6 FROM target_ids WHERE ?1 IS NOT NULL",
            0,
            d,
            now,
        )?;
    }
    Ok(())
}
