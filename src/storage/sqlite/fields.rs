//! Projects, their fields and list values.

use super::SqliteStore;
use super::dnc_lists::refresh_dnc_until;
use super::records_write::{load_row, store_row, sync_phones};
use super::tenants::not_found_unless;
use crate::domain::calldate;
use crate::domain::resolve::SchemaAdditions;
use crate::domain::schema::{
    Field, FieldKind, FieldSpec, FieldValue, NewValue, ProjectSchema, ValueAttributes, phone_slot,
};
use crate::storage::SchemaStore;
use crate::storage::shared::schema_cache::SchemaCache;
use crate::storage::shared::{DocOp, SQLITE, taken_value_ids, value_exists, value_not_exists};
use crate::storage::{ItemResult, Project, StoreError, TenantId};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;
use std::sync::Arc;

pub fn create_project(conn: &Connection, tenant: TenantId, name: &str) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO projects (tenant_id, name, created_at) VALUES (?1, ?2, ?3)",
        params![tenant, name, calldate::now()],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn list_projects(conn: &Connection, tenant: TenantId) -> Result<Vec<Project>, StoreError> {
    let mut stmt = conn.prepare("SELECT id, name, created_at FROM projects WHERE tenant_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([tenant], |r| {
        Ok(Project {
            id: r.get(0)?,
            name: r.get(1)?,
            created_at: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The tenant's project, or NotFound: a project of another tenant does not exist for this one.
pub fn project(conn: &Connection, tenant: TenantId, project: i64) -> Result<Project, StoreError> {
    conn.prepare_cached("SELECT id, name, created_at FROM projects WHERE id = ?1 AND tenant_id = ?2")?
        .query_row(params![project, tenant], |r| {
            Ok(Project {
                id: r.get(0)?,
                name: r.get(1)?,
                created_at: r.get(2)?,
            })
        })
        .optional()?
        .ok_or(StoreError::NotFound("project"))
}

/// The project's schema with its dialing rules.
pub fn load_schema(conn: &Connection, project: i64) -> Result<ProjectSchema, StoreError> {
    let rules: Option<String> = conn
        .prepare_cached("SELECT rules FROM projects WHERE id = ?1")?
        .query_row([project], |r| r.get(0))
        .optional()?
        .flatten();
    let mut schema = load_fields(conn, project)?;
    // Read apart: migrations before `customised` existed (version 16) read fields too.
    let customised: Vec<i64> = conn
        .prepare_cached("SELECT id FROM fields WHERE project_id = ?1 AND customised")?
        .query_map([project], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for field in &mut schema.fields {
        field.customised = customised.contains(&field.id);
    }
    Ok(schema.with_rules(rules.as_deref()))
}

/// The project's fields and values alone: what migrations before rules existed can read.
pub fn load_fields(conn: &Connection, project: i64) -> Result<ProjectSchema, StoreError> {
    let mut fields: Vec<Field> = conn
        .prepare_cached("SELECT id, name, label, kind, indexed FROM fields WHERE project_id = ?1 ORDER BY id")?
        .query_map([project], |r| {
            let kind: String = r.get(3)?;
            Ok(Field {
                id: r.get(0)?,
                name: r.get(1)?,
                label: r.get(2)?,
                kind: FieldKind::parse(&kind).unwrap_or(FieldKind::Text),
                indexed: r.get(4)?,
                customised: false,
                values: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    let position: HashMap<i64, usize> = fields.iter().enumerate().map(|(i, f)| (f.id, i)).collect();
    let mut stmt = conn.prepare_cached(
        "SELECT v.field_id, v.id, v.name, v.exportvalue, v.description, v.commission, v.price
         FROM field_values v JOIN fields f ON f.id = v.field_id WHERE f.project_id = ?1 ORDER BY v.id",
    )?;
    let mut rows = stmt.query([project])?;
    while let Some(r) = rows.next()? {
        let field_id: i64 = r.get(0)?;
        if let Some(&i) = position.get(&field_id) {
            fields[i].values.push(FieldValue {
                id: r.get(1)?,
                name: r.get(2)?,
                attributes: ValueAttributes {
                    exportvalue: r.get(3)?,
                    description: r.get(4)?,
                    commission: r.get(5)?,
                    price: r.get(6)?,
                },
            });
        }
    }
    Ok(ProjectSchema::new(fields))
}

/// The project's schema, from the cache when it holds the version the database has.
pub fn schema(conn: &Connection, cache: &SchemaCache, project: i64) -> Result<Arc<ProjectSchema>, StoreError> {
    Ok(versioned_schema(conn, cache, project)?.1)
}

/// The project's schema and the version it is at.
pub fn versioned_schema(
    conn: &Connection,
    cache: &SchemaCache,
    project: i64,
) -> Result<(i64, Arc<ProjectSchema>), StoreError> {
    let version = schema_version(conn, project)?;
    Ok((
        version,
        cache.get_or_load(project, version, || load_schema(conn, project))?,
    ))
}

pub fn schema_version(conn: &Connection, project: i64) -> Result<i64, StoreError> {
    conn.prepare_cached("SELECT schema_version FROM projects WHERE id = ?1")?
        .query_row([project], |r| r.get(0))
        .optional()?
        .ok_or(StoreError::NotFound("project"))
}

/// Marks the project's schema changed. The new version is random, never one a
/// rolled-back write had used, so any schema read can be cached (docs/storage.md).
pub fn bump_schema(conn: &Connection, project: i64) -> Result<(), StoreError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Backend(format!("no randomness: {e}")))?;
    let version = i64::from_le_bytes(bytes);
    conn.prepare_cached("UPDATE projects SET schema_version = ?2 WHERE id = ?1")?
        .execute(params![project, version])?;
    Ok(())
}

pub fn add_field(conn: &Connection, tenant: i64, project: i64, spec: &FieldSpec) -> Result<i64, StoreError> {
    let inserted = conn.execute(
        "INSERT INTO fields (tenant_id, project_id, name, label, kind, indexed, customised)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
        params![
            tenant,
            project,
            spec.name,
            spec.label,
            spec.kind.as_str(),
            spec.indexed,
            spec.customised
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::Conflict(format!("field '{}' already exists", spec.name)));
    }
    let field = conn.last_insert_rowid();
    for value in &spec.values {
        insert_value(conn, field, value)?.map_err(StoreError::Invalid)?;
    }
    bump_schema(conn, project)?;
    Ok(field)
}

fn insert_value(conn: &Connection, field: i64, value: &NewValue) -> Result<ItemResult<i64>, StoreError> {
    let a = &value.attributes;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO field_values (tenant_id, field_id, name, exportvalue, description, commission, price)
             SELECT f.tenant_id, f.id, ?2, ?3, ?4, ?5, ?6 FROM fields f WHERE f.id = ?1 ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            field,
            value.name,
            a.exportvalue,
            a.description,
            a.commission,
            a.price
        ])?;
    Ok(if inserted == 0 {
        Err(value_exists(&value.name))
    } else {
        Ok(conn.last_insert_rowid())
    })
}

/// The field of this project, or NotFound.
pub fn field_kind(conn: &Connection, project: i64, field: i64) -> Result<FieldKind, StoreError> {
    let kind: Option<String> = conn
        .query_row(
            "SELECT kind FROM fields WHERE id = ?1 AND project_id = ?2",
            params![field, project],
            |r| r.get(0),
        )
        .optional()?;
    let kind = kind.ok_or(StoreError::NotFound("field"))?;
    Ok(FieldKind::parse(&kind).unwrap_or(FieldKind::Text))
}

/// Adds values; a name the field (or an earlier item) already has, case ignored, is
/// reported in its place.
pub fn add_values(
    conn: &Connection,
    project: i64,
    field: i64,
    values: &[NewValue],
) -> Result<Vec<ItemResult<i64>>, StoreError> {
    bump_schema(conn, project)?;
    let mut taken = field_value_names(conn, field)?;
    let mut results = Vec::with_capacity(values.len());
    for value in values {
        let outcome = if taken_value_ids(&taken, [value.name.as_str()])[0].is_some() {
            Err(value_exists(&value.name))
        } else {
            insert_value(conn, field, value)?
        };
        if let Ok(id) = outcome {
            taken.push((id, value.name.clone()));
        }
        results.push(outcome);
    }
    Ok(results)
}

/// A field's values: id and name.
fn field_value_names(conn: &Connection, field: i64) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id, name FROM field_values WHERE field_id = ?1")?
        .query_map([field], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}

/// Renames or re-describes values; records hold the value's id, so they show the new name.
/// A value of a `phoneN` field is a number: its records' numbers and flags (Robinson,
/// `dnc_until`) follow.
pub fn modify_value(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: i64,
    project: i64,
    field: i64,
    value: i64,
    new: &NewValue,
) -> Result<ItemResult<()>, StoreError> {
    let old: Option<String> = conn
        .query_row(
            "SELECT name FROM field_values WHERE id = ?1 AND field_id = ?2",
            params![value, field],
            |r| r.get(0),
        )
        .optional()?;
    if old.is_none() {
        return Ok(Err(value_not_exists(value)));
    }
    let others: Vec<(i64, String)> = field_value_names(conn, field)?
        .into_iter()
        .filter(|(id, _)| *id != value)
        .collect();
    if taken_value_ids(&others, [new.name.as_str()])[0].is_some() {
        return Ok(Err(value_exists(&new.name)));
    }
    let a = &new.attributes;
    conn.execute(
        "UPDATE field_values SET name = ?1, exportvalue = ?2, description = ?3, commission = ?4, price = ?5 WHERE id = ?6",
        params![new.name, a.exportvalue, a.description, a.commission, a.price, value],
    )?;
    let before = schema(conn, cache, project)?;
    bump_schema(conn, project)?;
    if before.field_by_id(field).is_some_and(|f| phone_slot(&f.name).is_some()) {
        let after = schema(conn, cache, project)?;
        for id in holders(conn, project, field, value)? {
            let row = load_row(conn, id)?;
            let phones = row.phones(&after);
            if let Some(listed) = sync_phones(conn, tenant, id, &row.phones(&before), &phones)? {
                conn.prepare_cached("UPDATE records SET robinson = ?2 WHERE id = ?1")?
                    .execute(params![id, listed])?;
                refresh_dnc_until(conn, tenant, &after.rules.dnc_lists, id, &phones)?;
            }
        }
    }
    Ok(Ok(()))
}

/// The project's records holding a list value.
fn holders(conn: &Connection, project: i64, field: i64, value: i64) -> Result<Vec<i64>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT r.id FROM records r WHERE r.project_id = ?1 AND {}",
            (SQLITE.doc_match)("?2", DocOp::Ids, "?3")
        ))?
        .query_map(params![project, field, value.to_string()], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Deletes a value and takes it off every record that held it.
pub fn delete_value(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: i64,
    project: i64,
    field: i64,
    value: i64,
) -> Result<(), StoreError> {
    let found: Option<i64> = conn
        .query_row(
            "SELECT id FROM field_values WHERE id = ?1 AND field_id = ?2",
            params![value, field],
            |r| r.get(0),
        )
        .optional()?;
    found.ok_or(StoreError::NotFound("value"))?;
    let schema = schema(conn, cache, project)?;
    let now = calldate::now_seconds();
    for id in holders(conn, project, field, value)? {
        let old = load_row(conn, id)?;
        let mut row = old.clone();
        row.data.remove_id(field, value);
        row.updated_at = now;
        store_row(conn, tenant, &schema, &old, &row)?;
    }
    let deleted = conn.execute("DELETE FROM field_values WHERE id = ?1", [value])?;
    bump_schema(conn, project)?;
    not_found_unless(deleted > 0, "value")
}

/// Creates the text fields and list values a write needs; returns their ids in order.
/// Concurrent writers may have created the same ones: those are looked up instead.
pub fn apply_additions(
    conn: &Connection,
    tenant: i64,
    project: i64,
    additions: &SchemaAdditions,
) -> Result<(Vec<i64>, Vec<i64>), StoreError> {
    if additions.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut field_ids = Vec::with_capacity(additions.text_fields.len());
    for name in &additions.text_fields {
        conn.prepare_cached(
            "INSERT INTO fields (tenant_id, project_id, name, kind) VALUES (?1, ?2, ?3, 'text') ON CONFLICT DO NOTHING",
        )?
        .execute(params![tenant, project, name])?;
        field_ids.push(
            conn.prepare_cached("SELECT id FROM fields WHERE project_id = ?1 AND name = ?2")?
                .query_row(params![project, name], |r| r.get(0))?,
        );
    }
    let mut value_ids = Vec::with_capacity(additions.values.len());
    for (field, name) in &additions.values {
        // A writer since the schema was read may have created it in another case.
        if let Some(id) = taken_value_ids(&field_value_names(conn, *field)?, [name.as_str()])[0] {
            value_ids.push(id);
            continue;
        }
        conn.prepare_cached(
            "INSERT INTO field_values (tenant_id, field_id, name) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        )?
        .execute(params![tenant, field, name])?;
        value_ids.push(
            conn.prepare_cached("SELECT id FROM field_values WHERE field_id = ?1 AND name = ?2")?
                .query_row(params![field, name], |r| r.get(0))?,
        );
    }
    bump_schema(conn, project)?;
    Ok((field_ids, value_ids))
}

#[async_trait]
impl SchemaStore for SqliteStore {
    async fn create_project(&self, tenant: TenantId, name: &str) -> Result<i64, StoreError> {
        let name = name.to_string();
        self.write(move |tx, _| create_project(tx, tenant, &name)).await
    }

    async fn list_projects(&self, tenant: TenantId) -> Result<Vec<Project>, StoreError> {
        self.read(move |tx, _| list_projects(tx, tenant)).await
    }

    async fn project_schema(&self, tenant: TenantId, project_id: i64) -> Result<(Project, ProjectSchema), StoreError> {
        self.read(move |tx, _| Ok((project(tx, tenant, project_id)?, load_schema(tx, project_id)?)))
            .await
    }

    async fn add_field(&self, tenant: TenantId, project_id: i64, spec: FieldSpec) -> Result<i64, StoreError> {
        self.write(move |tx, _| {
            project(tx, tenant, project_id)?;
            add_field(tx, tenant, project_id, &spec)
        })
        .await
    }

    async fn add_values(
        &self,
        tenant: TenantId,
        project_id: i64,
        field: i64,
        values: Vec<NewValue>,
    ) -> Result<Vec<ItemResult<i64>>, StoreError> {
        self.write(move |tx, _| {
            project(tx, tenant, project_id)?;
            field_kind(tx, project_id, field)?;
            add_values(tx, project_id, field, &values)
        })
        .await
    }

    async fn modify_values(
        &self,
        tenant: TenantId,
        project_id: i64,
        field: i64,
        values: Vec<(i64, NewValue)>,
    ) -> Result<Vec<ItemResult<()>>, StoreError> {
        self.write(move |tx, cache| {
            project(tx, tenant, project_id)?;
            field_kind(tx, project_id, field)?;
            values
                .iter()
                .map(|(id, value)| modify_value(tx, cache, tenant, project_id, field, *id, value))
                .collect()
        })
        .await
    }

    async fn delete_value(&self, tenant: TenantId, project_id: i64, field: i64, value: i64) -> Result<(), StoreError> {
        self.write(move |tx, cache| {
            project(tx, tenant, project_id)?;
            field_kind(tx, project_id, field)?;
            delete_value(tx, cache, tenant, project_id, field, value)
        })
        .await
    }
}
