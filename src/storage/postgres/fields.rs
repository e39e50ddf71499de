//! Projects, their fields and list values.

use super::PgResult;
use crate::domain::calldate;
use crate::domain::resolve::SchemaAdditions;
use crate::domain::schema::{Field, FieldKind, FieldSpec, FieldValue, NewValue, ProjectSchema, ValueAttributes};
use crate::storage::shared::{value_exists, value_not_exists};
use crate::storage::{ItemResult, Project, StoreError, TenantId};
use deadpool_postgres::Transaction;
use std::collections::{HashMap, HashSet};
use tokio_postgres::Row;

fn project_of(r: &Row) -> Project {
    Project {
        id: r.get(0),
        name: r.get(1),
        created_at: r.get(2),
    }
}

pub async fn create_project(tx: &Transaction<'_>, tenant: TenantId, name: &str) -> PgResult<i64> {
    Ok(tx
        .query_one(
            "INSERT INTO projects (tenant_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
            &[&tenant, &name, &calldate::now()],
        )
        .await?
        .get(0))
}

pub async fn list_projects(tx: &Transaction<'_>, tenant: TenantId) -> PgResult<Vec<Project>> {
    let rows = tx
        .query(
            "SELECT id, name, created_at FROM projects WHERE tenant_id = $1 ORDER BY id",
            &[&tenant],
        )
        .await?;
    Ok(rows.iter().map(project_of).collect())
}

/// The tenant's project, or NotFound: a project of another tenant does not exist for this one.
pub async fn project(tx: &Transaction<'_>, tenant: TenantId, project: i64) -> PgResult<Project> {
    let statement = tx
        .prepare_cached("SELECT id, name, created_at FROM projects WHERE id = $1 AND tenant_id = $2")
        .await?;
    let row = tx.query_opt(&statement, &[&project, &tenant]).await?;
    Ok(row.as_ref().map(project_of).ok_or(StoreError::NotFound("project"))?)
}

fn kind_of(text: &str) -> FieldKind {
    FieldKind::parse(text).unwrap_or(FieldKind::Text)
}

pub async fn load_schema(tx: &Transaction<'_>, project: i64) -> PgResult<ProjectSchema> {
    let statement = tx
        .prepare_cached("SELECT id, name, label, kind FROM fields WHERE project_id = $1 ORDER BY id")
        .await?;
    let mut fields: Vec<Field> = tx
        .query(&statement, &[&project])
        .await?
        .iter()
        .map(|r| Field {
            id: r.get(0),
            name: r.get(1),
            label: r.get(2),
            kind: kind_of(r.get(3)),
            indexed: false,
            values: Vec::new(),
        })
        .collect();
    let position: HashMap<i64, usize> = fields.iter().enumerate().map(|(i, f)| (f.id, i)).collect();
    let statement = tx
        .prepare_cached(
            "SELECT v.field_id, v.id, v.name, v.exportvalue, v.description, v.commission, v.price
             FROM field_values v JOIN fields f ON f.id = v.field_id WHERE f.project_id = $1 ORDER BY v.id",
        )
        .await?;
    for r in tx.query(&statement, &[&project]).await? {
        if let Some(&i) = position.get(&r.get::<_, i64>(0)) {
            fields[i].values.push(FieldValue {
                id: r.get(1),
                name: r.get(2),
                attributes: ValueAttributes {
                    exportvalue: r.get(3),
                    description: r.get(4),
                    commission: r.get(5),
                    price: r.get(6),
                },
            });
        }
    }
    Ok(ProjectSchema::new(fields))
}

pub async fn add_field(tx: &Transaction<'_>, project: i64, spec: &FieldSpec) -> PgResult<i64> {
    let field: i64 = tx
        .query_opt(
            "INSERT INTO fields (project_id, name, label, kind) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
            &[&project, &spec.name, &spec.label, &spec.kind.as_str()],
        )
        .await?
        .ok_or_else(|| StoreError::Conflict(format!("field '{}' already exists", spec.name)))?
        .get(0);
    for value in add_values(tx, field, &spec.values).await? {
        value.map_err(StoreError::Invalid)?;
    }
    Ok(field)
}

/// The field of this project, or NotFound.
pub async fn field_kind(tx: &Transaction<'_>, project: i64, field: i64) -> PgResult<FieldKind> {
    let row = tx
        .query_opt(
            "SELECT kind FROM fields WHERE id = $1 AND project_id = $2",
            &[&field, &project],
        )
        .await?;
    Ok(kind_of(row.ok_or(StoreError::NotFound("field"))?.get(0)))
}

/// Inserts the values in one statement; a name the field (or an earlier item) already
/// has is reported in its place.
pub async fn add_values(tx: &Transaction<'_>, field: i64, values: &[NewValue]) -> PgResult<Vec<ItemResult<i64>>> {
    let mut seen = HashSet::new();
    let fresh: Vec<&NewValue> = values.iter().filter(|v| seen.insert(v.name.as_str())).collect();
    let column = |get: fn(&ValueAttributes) -> &Option<String>| -> Vec<Option<&str>> {
        fresh.iter().map(|v| get(&v.attributes).as_deref()).collect()
    };
    let names: Vec<&str> = fresh.iter().map(|v| v.name.as_str()).collect();
    let rows = tx
        .query(
            "INSERT INTO field_values (field_id, name, exportvalue, description, commission, price)
             SELECT $1, n, e, d, c, p FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
               WITH ORDINALITY AS t(n, e, d, c, p, i) ORDER BY i
             ON CONFLICT DO NOTHING RETURNING id, name",
            &[
                &field,
                &names,
                &column(|a| &a.exportvalue),
                &column(|a| &a.description),
                &column(|a| &a.commission),
                &column(|a| &a.price),
            ],
        )
        .await?;
    let mut created: HashMap<String, i64> = rows.iter().map(|r| (r.get(1), r.get(0))).collect();
    Ok(values
        .iter()
        .map(|v| created.remove(&v.name).ok_or_else(|| value_exists(&v.name)))
        .collect())
}

/// Renames or re-describes a value; records holding a renamed value show the new name.
/// Checked before writing, so a rejected item leaves the transaction usable.
pub async fn modify_value(tx: &Transaction<'_>, field: i64, value: i64, new: &NewValue) -> PgResult<ItemResult<()>> {
    let old = tx
        .query_opt(
            "SELECT name FROM field_values WHERE id = $1 AND field_id = $2 FOR UPDATE",
            &[&value, &field],
        )
        .await?;
    let Some(old) = old.map(|r| r.get::<_, String>(0)) else {
        return Ok(Err(value_not_exists(value)));
    };
    let taken: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM field_values WHERE field_id = $1 AND name = $2 AND id <> $3)",
            &[&field, &new.name, &value],
        )
        .await?
        .get(0);
    if taken {
        return Ok(Err(value_exists(&new.name)));
    }
    let a = &new.attributes;
    tx.execute(
        "UPDATE field_values SET name = $1, exportvalue = $2, description = $3, commission = $4, price = $5 WHERE id = $6",
        &[&new.name, &a.exportvalue, &a.description, &a.commission, &a.price, &value],
    )
    .await?;
    tx.execute(
        "UPDATE record_values SET value = $1 WHERE field_id = $2 AND value = $3 AND value_id = $4",
        &[&new.name, &field, &old, &value],
    )
    .await?;
    Ok(Ok(()))
}

/// Deletes a value and takes it off every record that held it.
pub async fn delete_value(tx: &Transaction<'_>, field: i64, value: i64) -> PgResult<()> {
    let deleted = tx
        .query_opt(
            "DELETE FROM field_values WHERE id = $1 AND field_id = $2 RETURNING name",
            &[&value, &field],
        )
        .await?;
    let name: String = deleted.ok_or(StoreError::NotFound("value"))?.get(0);
    tx.execute(
        "DELETE FROM record_values WHERE field_id = $1 AND value = $2 AND value_id = $3",
        &[&field, &name, &value],
    )
    .await?;
    Ok(())
}

/// Creates the text fields and list values a write needs (one statement each) and
/// returns their ids in order. Concurrent writers may have created the same ones:
/// ON CONFLICT waits for them, and the look-up that follows sees what they made.
pub async fn apply_additions(
    tx: &Transaction<'_>,
    project: i64,
    additions: &SchemaAdditions,
) -> PgResult<(Vec<i64>, Vec<i64>)> {
    let mut field_ids = Vec::new();
    if !additions.text_fields.is_empty() {
        let names = &additions.text_fields;
        tx.execute(
            "INSERT INTO fields (project_id, name, kind)
             SELECT $1, n, 'text' FROM unnest($2::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i
             ON CONFLICT DO NOTHING",
            &[&project, names],
        )
        .await?;
        let rows = tx
            .query(
                "SELECT name, id FROM fields WHERE project_id = $1 AND name = ANY($2)",
                &[&project, names],
            )
            .await?;
        let ids: HashMap<String, i64> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        field_ids = names
            .iter()
            .map(|n| ids.get(n).copied())
            .collect::<Option<_>>()
            .ok_or_else(|| StoreError::Backend("a created field is missing".into()))?;
    }
    let mut value_ids = Vec::new();
    if !additions.values.is_empty() {
        let (fields, names): (Vec<i64>, Vec<&str>) = additions.values.iter().map(|(f, n)| (*f, n.as_str())).unzip();
        tx.execute(
            "INSERT INTO field_values (field_id, name)
             SELECT f, n FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS t(f, n, i) ORDER BY i
             ON CONFLICT DO NOTHING",
            &[&fields, &names],
        )
        .await?;
        let rows = tx
            .query(
                "SELECT v.field_id, v.name, v.id FROM field_values v
                 JOIN unnest($1::bigint[], $2::text[]) AS t(f, n) ON v.field_id = t.f AND v.name = t.n",
                &[&fields, &names],
            )
            .await?;
        let ids: HashMap<(i64, String), i64> = rows.iter().map(|r| ((r.get(0), r.get(1)), r.get(2))).collect();
        value_ids = additions
            .values
            .iter()
            .map(|key| ids.get(key).copied())
            .collect::<Option<_>>()
            .ok_or_else(|| StoreError::Backend("a created value is missing".into()))?;
    }
    Ok((field_ids, value_ids))
}
