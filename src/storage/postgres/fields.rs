//! Projects, their fields and list values. Every change of a project's fields or values
//! raises `projects.schema_version` in its transaction (first, so that it also queues
//! the project's schema writers); reads find schemas in the node's cache by that version.

use super::PostgresStore;
use super::records_write::{track, write_tracked};
use super::tenants::share_tenant;
use super::{PgResult, Tx};
use crate::domain::calldate;
use crate::domain::resolve::SchemaAdditions;
use crate::domain::schema::{
    Field, FieldKind, FieldSpec, FieldValue, NewValue, ProjectSchema, ValueAttributes, is_phone_field, value_name_key,
};
use crate::storage::SchemaStore;
use crate::storage::shared::{taken_value_ids, value_exists, value_not_exists};
use crate::storage::{ItemResult, Project, StoreError, TenantId};
use async_trait::async_trait;
use deadpool_postgres::Transaction;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
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
        .prepare_cached("SELECT id, name, created_at FROM projects WHERE tenant_id = $1 AND id = $2")
        .await?;
    let row = tx.query_opt(&statement, &[&tenant, &project]).await?;
    Ok(row.as_ref().map(project_of).ok_or(StoreError::NotFound("project"))?)
}

/// Raises the project's schema version (NotFound when it is not the tenant's). Its row
/// stays locked until the transaction ends: schema writers of a project queue here.
pub async fn change_schema(tx: &Tx<'_>, tenant: TenantId, project: i64) -> PgResult<()> {
    tx.mark_schema_changed();
    let statement = tx
        .prepare_cached(
            "UPDATE projects SET schema_version = schema_version + 1 WHERE tenant_id = $1 AND id = $2 RETURNING id",
        )
        .await?;
    match tx.query_opt(&statement, &[&tenant, &project]).await? {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound("project").into()),
    }
}

fn kind_of(text: &str) -> FieldKind {
    FieldKind::parse(text).unwrap_or(FieldKind::Text)
}

/// The project's schema and its version, in one statement (so in one snapshot, whatever
/// the isolation level); None when the project is not the tenant's.
pub async fn load_schema(
    tx: &Transaction<'_>,
    tenant: TenantId,
    project: i64,
) -> PgResult<Option<(i64, ProjectSchema)>> {
    let statement = tx
        .prepare_cached(
            "SELECT p.schema_version, f.id, f.name, f.label, f.kind, f.indexed,
                    v.id, v.name, v.exportvalue, v.description, v.commission, v.price, p.rules, f.customised
             FROM projects p
             LEFT JOIN fields f ON f.tenant_id = p.tenant_id AND f.project_id = p.id
             LEFT JOIN field_values v ON v.tenant_id = f.tenant_id AND v.field_id = f.id
             WHERE p.tenant_id = $1 AND p.id = $2 ORDER BY f.id, v.id",
        )
        .await?;
    let rows = tx.query(&statement, &[&tenant, &project]).await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut fields: Vec<Field> = Vec::new();
    for r in &rows {
        let Some(id) = r.get::<_, Option<i64>>(1) else {
            continue; // a project without fields
        };
        if fields.last().is_none_or(|f| f.id != id) {
            fields.push(Field {
                id,
                name: r.get(2),
                label: r.get(3),
                kind: kind_of(r.get(4)),
                indexed: r.get(5),
                customised: r.get(13),
                values: Vec::new(),
            });
        }
        if let (Some(field), Some(value)) = (fields.last_mut(), r.get::<_, Option<i64>>(6)) {
            field.values.push(FieldValue {
                id: value,
                name: r.get(7),
                attributes: ValueAttributes {
                    exportvalue: r.get(8),
                    description: r.get(9),
                    commission: r.get(10),
                    price: r.get(11),
                },
            });
        }
    }
    let rules: Option<&str> = first.get(12);
    Ok(Some((first.get(0), ProjectSchema::new(fields).with_rules(rules))))
}

/// The project's schema at `version` (or later): from the node's cache, else loaded and
/// kept. A transaction that has changed a schema reads its own, and keeps nothing.
pub async fn cached_schema(tx: &Tx<'_>, tenant: TenantId, project: i64, version: i64) -> PgResult<Arc<ProjectSchema>> {
    if tx.schema_changed() {
        return own_schema(tx, tenant, project).await;
    }
    if let Some(schema) = tx.schemas.cached(project, version) {
        return Ok(schema);
    }
    let (loaded, schema) = load_schema(tx, tenant, project)
        .await?
        .ok_or(StoreError::NotFound("project"))?;
    let schema = Arc::new(schema);
    tx.schemas.keep(project, loaded, schema.clone());
    Ok(schema)
}

/// The project's schema now (NotFound when the project is not the tenant's): one
/// statement when the cache has it, two otherwise.
pub async fn current_schema(tx: &Tx<'_>, tenant: TenantId, project: i64) -> PgResult<Arc<ProjectSchema>> {
    let version = schema_version(tx, tenant, project).await?;
    cached_schema(tx, tenant, project, version).await
}

pub async fn schema_version(tx: &Transaction<'_>, tenant: TenantId, project: i64) -> PgResult<i64> {
    let statement = tx
        .prepare_cached("SELECT schema_version FROM projects WHERE tenant_id = $1 AND id = $2")
        .await?;
    let row = tx.query_opt(&statement, &[&tenant, &project]).await?;
    Ok(row.ok_or(StoreError::NotFound("project"))?.get(0))
}

/// The project's schema as this transaction sees it, changes included: never cached.
pub async fn own_schema(tx: &Transaction<'_>, tenant: TenantId, project: i64) -> PgResult<Arc<ProjectSchema>> {
    let (_, schema) = load_schema(tx, tenant, project)
        .await?
        .ok_or(StoreError::NotFound("project"))?;
    Ok(Arc::new(schema))
}

/// Adds a field; the caller has raised the schema version.
pub async fn add_field(tx: &Transaction<'_>, tenant: TenantId, project: i64, spec: &FieldSpec) -> PgResult<i64> {
    let field: i64 = tx
        .query_opt(
            "INSERT INTO fields (tenant_id, project_id, name, label, kind, indexed, customised)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
            &[
                &tenant,
                &project,
                &spec.name,
                &spec.label,
                &spec.kind.as_str(),
                &spec.indexed,
                &spec.customised,
            ],
        )
        .await?
        .ok_or_else(|| StoreError::Conflict(format!("field '{}' already exists", spec.name)))?
        .get(0);
    for value in add_values(tx, tenant, field, &spec.values).await? {
        value.map_err(StoreError::Invalid)?;
    }
    Ok(field)
}

/// The field of this project, or NotFound.
pub async fn field(tx: &Transaction<'_>, tenant: TenantId, project: i64, field: i64) -> PgResult<(String, FieldKind)> {
    let row = tx
        .query_opt(
            "SELECT name, kind FROM fields WHERE tenant_id = $1 AND id = $2 AND project_id = $3",
            &[&tenant, &field, &project],
        )
        .await?;
    let row = row.ok_or(StoreError::NotFound("field"))?;
    Ok((row.get(0), kind_of(row.get(1))))
}

/// Inserts the values in one statement; a name the field (or an earlier item) already
/// has is reported in its place. The caller has raised the schema version.
pub async fn add_values(
    tx: &Transaction<'_>,
    tenant: TenantId,
    field: i64,
    values: &[NewValue],
) -> PgResult<Vec<ItemResult<i64>>> {
    // Names compare case-insensitively: with the field's values and with earlier items.
    let taken = field_value_names(tx, tenant, &[field]).await?;
    let taken: Vec<(i64, String)> = taken.into_iter().map(|(_, id, name)| (id, name)).collect();
    let mut seen = HashSet::new();
    let fresh: Vec<&NewValue> = values
        .iter()
        .zip(taken_value_ids(&taken, values.iter().map(|v| v.name.as_str())))
        .filter(|(v, taken)| taken.is_none() && seen.insert(value_name_key(&v.name).into_owned()))
        .map(|(v, _)| v)
        .collect();
    let column = |get: fn(&ValueAttributes) -> &Option<String>| -> Vec<Option<&str>> {
        fresh.iter().map(|v| get(&v.attributes).as_deref()).collect()
    };
    let names: Vec<&str> = fresh.iter().map(|v| v.name.as_str()).collect();
    let rows = tx
        .query(
            "INSERT INTO field_values (tenant_id, field_id, name, exportvalue, description, commission, price)
             SELECT $1, $2, n, e, d, c, p FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
               WITH ORDINALITY AS t(n, e, d, c, p, i) ORDER BY i
             ON CONFLICT DO NOTHING RETURNING id, name",
            &[
                &tenant,
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

/// The values of these fields: field id, value id and name.
async fn field_value_names(
    tx: &Transaction<'_>,
    tenant: TenantId,
    fields: &[i64],
) -> PgResult<Vec<(i64, i64, String)>> {
    let statement = tx
        .prepare_cached("SELECT field_id, id, name FROM field_values WHERE tenant_id = $1 AND field_id = ANY($2)")
        .await?;
    let rows = tx.query(&statement, &[&tenant, &fields]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
}

/// Renames or re-describes values; records keep the value's id and so show the new name.
/// Only a phone field's numbers (`record_phones`, Robinson flags) follow a rename.
/// Each item is checked before writing, so a rejected one leaves the transaction usable.
pub async fn modify_values(
    tx: &Tx<'_>,
    tenant: TenantId,
    project: i64,
    field: i64,
    values: &[(i64, NewValue)],
) -> PgResult<Vec<ItemResult<()>>> {
    let (name, _) = self::field(tx, tenant, project, field).await?;
    let phones = is_phone_field(&name);
    if phones {
        share_tenant(tx, tenant).await?;
    }
    let mut results = Vec::with_capacity(values.len());
    for (value, new) in values {
        let before = if phones {
            Some(own_schema(tx, tenant, project).await?)
        } else {
            None
        };
        let outcome = modify_value(tx, tenant, field, *value, new).await?;
        if let (Ok(()), Some(before)) = (&outcome, before) {
            let after = own_schema(tx, tenant, project).await?;
            let mut rows = track(holders(tx, tenant, project, field, *value).await?, &before);
            rows.iter_mut().for_each(|row| row.changed = true);
            write_tracked(tx, tenant, &after, &mut rows).await?;
        }
        results.push(outcome);
    }
    Ok(results)
}

async fn modify_value(
    tx: &Transaction<'_>,
    tenant: TenantId,
    field: i64,
    value: i64,
    new: &NewValue,
) -> PgResult<ItemResult<()>> {
    let values = field_value_names(tx, tenant, &[field]).await?;
    if !values.iter().any(|(_, id, _)| *id == value) {
        return Ok(Err(value_not_exists(value)));
    }
    let others: Vec<(i64, String)> = values
        .into_iter()
        .filter(|(_, id, _)| *id != value)
        .map(|(_, id, name)| (id, name))
        .collect();
    if taken_value_ids(&others, [new.name.as_str()])[0].is_some() {
        return Ok(Err(value_exists(&new.name)));
    }
    let a = &new.attributes;
    tx.execute(
        "UPDATE field_values SET name = $1, exportvalue = $2, description = $3, commission = $4, price = $5
         WHERE tenant_id = $6 AND id = $7",
        &[
            &new.name,
            &a.exportvalue,
            &a.description,
            &a.commission,
            &a.price,
            &tenant,
            &value,
        ],
    )
    .await?;
    Ok(Ok(()))
}

/// Deletes a value and takes it off every record that held it.
pub async fn delete_value(tx: &Tx<'_>, tenant: TenantId, project: i64, field: i64, value: i64) -> PgResult<()> {
    self::field(tx, tenant, project, field).await?;
    share_tenant(tx, tenant).await?;
    let before = own_schema(tx, tenant, project).await?;
    let deleted = tx
        .execute(
            "DELETE FROM field_values WHERE tenant_id = $1 AND id = $2 AND field_id = $3",
            &[&tenant, &value, &field],
        )
        .await?;
    if deleted == 0 {
        return Err(StoreError::NotFound("value").into());
    }
    let after = own_schema(tx, tenant, project).await?;
    let mut rows = track(holders(tx, tenant, project, field, value).await?, &before);
    for row in &mut rows {
        row.changed = row.row.data.remove_id(field, value);
    }
    write_tracked(tx, tenant, &after, &mut rows).await
}

/// The project's records holding the value, locked.
async fn holders(
    tx: &Transaction<'_>,
    tenant: TenantId,
    project: i64,
    field: i64,
    value: i64,
) -> PgResult<Vec<crate::storage::shared::row::RecordRow>> {
    let condition = "r.tenant_id = $1 AND r.project_id = $2 AND r.data -> $3::text @> to_jsonb($4::bigint)";
    super::records_read::select_rows(tx, condition, &[&tenant, &project, &field.to_string(), &value], true).await
}

/// Creates the text fields and list values a write needs (one statement each) and
/// returns their ids in order; raises the schema version when there are any. Concurrent
/// writers may have created the same ones: ON CONFLICT waits for them, and the look-up
/// that follows sees what they made.
pub async fn apply_additions(
    tx: &Tx<'_>,
    tenant: TenantId,
    project: i64,
    additions: &SchemaAdditions,
) -> PgResult<(Vec<i64>, Vec<i64>)> {
    if additions.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    change_schema(tx, tenant, project).await?;
    let mut field_ids = Vec::new();
    if !additions.text_fields.is_empty() {
        let names = &additions.text_fields;
        tx.execute(
            "INSERT INTO fields (tenant_id, project_id, name, kind)
             SELECT $1, $2, n, 'text' FROM unnest($3::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i
             ON CONFLICT DO NOTHING",
            &[&tenant, &project, names],
        )
        .await?;
        // A statement of its own: it sees rows of writers the insert waited for.
        let rows = tx
            .query(
                "SELECT name, id FROM fields WHERE tenant_id = $1 AND project_id = $2 AND name = ANY($3)",
                &[&tenant, &project, names],
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
        // A writer since the schema was read may have created a value in another case: the
        // project's row is locked now, so what is there is what counts.
        let wanted: Vec<i64> = additions.values.iter().map(|(f, _)| *f).collect();
        let existing = field_value_names(tx, tenant, &wanted).await?;
        let existing_id = |field: i64, name: &str| {
            let of_field: Vec<(i64, String)> = existing
                .iter()
                .filter(|(f, _, _)| *f == field)
                .map(|(_, id, name)| (*id, name.clone()))
                .collect();
            taken_value_ids(&of_field, [name])[0]
        };
        let found: Vec<Option<i64>> = additions.values.iter().map(|(f, n)| existing_id(*f, n)).collect();
        let missing: Vec<&(i64, String)> = additions
            .values
            .iter()
            .zip(&found)
            .filter(|(_, found)| found.is_none())
            .map(|(addition, _)| addition)
            .collect();
        let (fields, names): (Vec<i64>, Vec<&str>) = missing.iter().map(|(f, n)| (*f, n.as_str())).unzip();
        tx.execute(
            "INSERT INTO field_values (tenant_id, field_id, name)
             SELECT $1, f, n FROM unnest($2::bigint[], $3::text[]) WITH ORDINALITY AS t(f, n, i) ORDER BY i
             ON CONFLICT DO NOTHING",
            &[&tenant, &fields, &names],
        )
        .await?;
        let rows = tx
            .query(
                "SELECT v.field_id, v.name, v.id FROM field_values v
                 JOIN unnest($2::bigint[], $3::text[]) AS t(f, n) ON v.field_id = t.f AND v.name = t.n
                 WHERE v.tenant_id = $1",
                &[&tenant, &fields, &names],
            )
            .await?;
        let ids: HashMap<(i64, String), i64> = rows.iter().map(|r| ((r.get(0), r.get(1)), r.get(2))).collect();
        value_ids = additions
            .values
            .iter()
            .zip(found)
            .map(|(key, found)| found.or_else(|| ids.get(key).copied()))
            .collect::<Option<_>>()
            .ok_or_else(|| StoreError::Backend("a created value is missing".into()))?;
    }
    Ok((field_ids, value_ids))
}

/// The schemas of the projects a set of records belongs to, each looked up once.
#[derive(Default)]
pub struct Schemas(HashMap<i64, Arc<ProjectSchema>>);

impl Schemas {
    /// The project's schema, at the version read with a record if known.
    pub async fn get(
        &mut self,
        tx: &Tx<'_>,
        tenant: TenantId,
        project: i64,
        version: Option<i64>,
    ) -> PgResult<Arc<ProjectSchema>> {
        if let Some(schema) = self.0.get(&project) {
            return Ok(schema.clone());
        }
        let schema = match version {
            Some(version) => cached_schema(tx, tenant, project, version).await?,
            None => current_schema(tx, tenant, project).await?,
        };
        self.0.insert(project, schema.clone());
        Ok(schema)
    }
}

#[async_trait]
impl SchemaStore for PostgresStore {
    async fn create_project(&self, tenant: TenantId, name: &str) -> Result<i64, StoreError> {
        self.write(name, |tx, name| Box::pin(create_project(tx, tenant, name)))
            .await
    }

    async fn list_projects(&self, tenant: TenantId) -> Result<Vec<Project>, StoreError> {
        self.read((), |tx, ()| Box::pin(list_projects(tx, tenant))).await
    }

    async fn project_schema(&self, tenant: TenantId, project_id: i64) -> Result<(Project, ProjectSchema), StoreError> {
        self.read((), |tx, ()| {
            Box::pin(async move {
                let found = project(tx, tenant, project_id).await?;
                Ok((found, current_schema(tx, tenant, project_id).await?.as_ref().clone()))
            })
        })
        .await
    }

    async fn add_field(&self, tenant: TenantId, project_id: i64, spec: FieldSpec) -> Result<i64, StoreError> {
        self.write(spec, |tx, spec| {
            Box::pin(async move {
                change_schema(tx, tenant, project_id).await?;
                add_field(tx, tenant, project_id, spec).await
            })
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
        self.write(values, |tx, values| {
            Box::pin(async move {
                change_schema(tx, tenant, project_id).await?;
                super::fields::field(tx, tenant, project_id, field).await?;
                add_values(tx, tenant, field, values).await
            })
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
        self.write(values, |tx, values| {
            Box::pin(async move {
                change_schema(tx, tenant, project_id).await?;
                modify_values(tx, tenant, project_id, field, values).await
            })
        })
        .await
    }

    async fn delete_value(&self, tenant: TenantId, project_id: i64, field: i64, value: i64) -> Result<(), StoreError> {
        self.write((), |tx, ()| {
            Box::pin(async move {
                change_schema(tx, tenant, project_id).await?;
                delete_value(tx, tenant, project_id, field, value).await
            })
        })
        .await
    }
}
