//! Record writes (docs/storage.md): load the rows, apply each write in Rust
//! (`shared::row`), store them back with their side-table differences, a statement per
//! kind of change for many records. Rejected items are found before anything is written,
//! so they never abort the transaction the others are written in.

use super::PostgresStore;
use super::dedup::{find_duplicates, lock_scope};
use super::dnc_lists::{dnc_expiries, set_dnc_until};
use super::fields::{Schemas, apply_additions, cached_schema, own_schema};
use super::fields::{current_schema, project};
use super::import::import_record;
use super::record_rows::{DispositionRows, SideChanges, insert_rows, register_zones, take_ids, update_rows};
use super::records_read::{ROW_COLUMNS, row_of, select_rows, sql_params};
use super::search::{Params, borrowed};
use super::tenants::listed;
use super::{PgResult, Tx};
use super::{dialler, records_read};
use crate::domain::ValidationError;
use crate::domain::calldate;
use crate::domain::dialing_rules::{Dedup, OnDuplicate};
use crate::domain::dnc::named_lists;
use crate::domain::record::RecordWrite;
use crate::domain::record::{Contact, Record};
use crate::domain::resolve::SchemaIds;
use crate::domain::schema::ProjectSchema;
use crate::storage::RecordStore;
use crate::storage::shared::dedup::{BatchKeys, Probe};
use crate::storage::shared::row::{FormChanges, RecordRow, form_changes, side_changes};
use crate::storage::shared::{
    Binds, POSTGRES, SqlArg, all_or_nothing, disposition_condition, record_in_call, search_sql,
};
use crate::storage::shared::{contact_update, single_update_outcome};
use crate::storage::shared::{live_writes, with_rejections};
use crate::storage::shared::{record_not_exists, resolve_writes, unknown_search_field};
use crate::storage::{
    Imported, ItemResult, PageRenderer, RecordTarget, RecordUpdate, RenderedPage, StoreError, TenantId,
};
use crate::storage::{RecordKey, RecordQuery};
use async_trait::async_trait;
use deadpool_postgres::Transaction;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// How many rows a search's or last disposition's targets are loaded and written in at once.
const CHUNK: i32 = 2_000;

/// A row as loaded, with the side-table entries the database holds for it.
pub struct Tracked {
    pub row: RecordRow,
    phones: BTreeSet<String>,
    terms: BTreeSet<(i64, String)>,
    /// Whether the row differs from what the database holds.
    pub changed: bool,
}

impl Tracked {
    /// A row as loaded, its side-table entries as `schema` gives them.
    pub fn new(row: RecordRow, schema: &ProjectSchema) -> Self {
        Self {
            phones: row.phones(schema),
            terms: row.terms(schema),
            row,
            changed: false,
        }
    }
}

pub fn track(rows: Vec<RecordRow>, schema: &ProjectSchema) -> Vec<Tracked> {
    rows.into_iter().map(|row| Tracked::new(row, schema)).collect()
}

/// Stores the changed rows with their side-table differences; a row whose numbers change
/// gets its Robinson flag anew. The caller holds the tenant in share mode (see
/// `tenants::share_tenant`).
pub async fn write_tracked(
    tx: &Transaction<'_>,
    tenant: TenantId,
    schema: &ProjectSchema,
    rows: &mut [Tracked],
) -> PgResult<()> {
    let mut sides = SideChanges::default();
    let mut renumbered = Vec::new();
    for (i, t) in rows.iter_mut().enumerate().filter(|(_, t)| t.changed) {
        let (phones, terms) = (t.row.phones(schema), t.row.terms(schema));
        let (gone, new) = side_changes(&t.phones, &phones);
        if !gone.is_empty() || !new.is_empty() {
            renumbered.push(i);
        }
        sides.phones(t.row.id, gone, new);
        let (gone, new) = side_changes(&t.terms, &terms);
        sides.terms(t.row.id, gone, new);
        (t.phones, t.terms) = (phones, terms);
        t.row.zones = t.row.zones_for(schema);
    }
    let on_list = listed(tx, tenant, renumbered.iter().flat_map(|&i| &rows[i].phones)).await?;
    for &i in &renumbered {
        let t = &mut rows[i];
        t.row.robinson = t.phones.iter().any(|p| on_list.contains(p));
    }
    let lists = &schema.rules.dnc_lists;
    let expiries = dnc_expiries(tx, tenant, lists, renumbered.iter().flat_map(|&i| &rows[i].phones)).await?;
    if !named_lists(lists).is_empty() {
        let ids: Vec<i64> = renumbered.iter().map(|&i| rows[i].row.id).collect();
        let until: Vec<Option<i64>> = renumbered.iter().map(|&i| expiries.until(&rows[i].phones)).collect();
        set_dnc_until(tx, tenant, &ids, &until).await?;
    }
    let changed: Vec<&RecordRow> = rows.iter().filter(|t| t.changed).map(|t| &t.row).collect();
    update_rows(tx, tenant, &changed).await?;
    if let Some(project) = changed.first().map(|r| r.project_id) {
        register_zones(tx, tenant, project, changed.iter().map(|r| &r.zones)).await?;
    }
    sides.write(tx, tenant).await?;
    rows.iter_mut().for_each(|t| t.changed = false);
    Ok(())
}

/// The project's schema version, or NotFound; the tenant is taken in share mode for the
/// rest of the write (see `tenants::share_tenant`), in the same statement.
async fn version_for_write(tx: &Transaction<'_>, tenant: TenantId, project: i64) -> PgResult<i64> {
    let statement = tx
        .prepare_cached(
            "SELECT p.schema_version FROM projects p JOIN tenants t ON t.id = p.tenant_id
             WHERE p.tenant_id = $1 AND p.id = $2 FOR KEY SHARE OF t",
        )
        .await?;
    let row = tx.query_opt(&statement, &[&tenant, &project]).await?;
    Ok(row.ok_or(StoreError::NotFound("project"))?.get(0))
}

/// Resolves every form of the batch, creating the fields and values they need; returns
/// each write's changes (or why it was rejected) and the schema they refer to.
async fn resolve(
    tx: &Tx<'_>,
    tenant: TenantId,
    project: i64,
    writes: &[&RecordWrite],
) -> PgResult<(Vec<ItemResult<FormChanges>>, Arc<ProjectSchema>)> {
    let version = version_for_write(tx, tenant, project).await?;
    let before = cached_schema(tx, tenant, project, version).await?;
    let (cells, additions) = resolve_writes(&before, writes);
    let (fields, values) = apply_additions(tx, tenant, project, &additions).await?;
    let ids = SchemaIds { fields, values };
    let changes = form_changes(cells, &ids);
    let after = if additions.is_empty() {
        before
    } else {
        own_schema(tx, tenant, project).await?
    };
    Ok((changes, after))
}

pub async fn insert_records(
    tx: &Tx<'_>,
    tenant: TenantId,
    project: i64,
    writes: &[RecordWrite],
) -> PgResult<Vec<ItemResult<i64>>> {
    let (changes, schema) = resolve(tx, tenant, project, &writes.iter().collect::<Vec<_>>()).await?;
    let now = calldate::now_seconds();
    let accepted: Vec<(usize, &RecordWrite, &FormChanges)> = writes
        .iter()
        .zip(&changes)
        .enumerate()
        .filter_map(|(i, (write, change))| Some((i, write, change.as_ref().ok()?)))
        .collect();
    let mut rows: Vec<RecordRow> = accepted
        .iter()
        .map(|(_, write, form)| RecordRow::new(project, write, FormChanges::clone(form), now))
        .collect();
    let fates = match &schema.rules.dedup {
        Some(dedup) => check_duplicates(tx, tenant, project, &schema, dedup, &accepted, &mut rows, now).await?,
        None => vec![Fate::New; rows.len()],
    };
    let kept: Vec<usize> = (0..rows.len()).filter(|&k| fates[k] == Fate::New).collect();
    let ids = take_ids(tx, kept.len()).await?;
    let mut id_of = vec![0; rows.len()];
    kept.iter().zip(&ids).for_each(|(&k, &id)| id_of[k] = id);
    let mut rows: Vec<RecordRow> = rows
        .into_iter()
        .zip(&id_of)
        .zip(&fates)
        .filter(|(_, fate)| **fate == Fate::New)
        .map(|((mut row, &id), _)| {
            row.id = id;
            row
        })
        .collect();
    let (mut sides, mut dispositions) = (SideChanges::default(), DispositionRows::default());
    let mut phones = Vec::with_capacity(rows.len());
    for row in rows.iter_mut() {
        row.zones = row.zones_for(&schema);
        let row_phones = row.phones(&schema);
        sides.phones(row.id, Vec::new(), row_phones.iter().cloned().collect());
        sides.terms(row.id, Vec::new(), row.terms(&schema).into_iter().collect());
        phones.push(row_phones);
    }
    for (k, (_, write, _)) in accepted.iter().enumerate() {
        if let (Some(d), Some(id)) = (&write.disposition, record_of(&fates, &id_of, k)) {
            dispositions.push(id, d);
        }
    }
    let on_list = listed(tx, tenant, phones.iter().flatten()).await?;
    for (row, phones) in rows.iter_mut().zip(&phones) {
        row.robinson = phones.iter().any(|p| on_list.contains(p));
    }
    let expiries = dnc_expiries(tx, tenant, &schema.rules.dnc_lists, phones.iter().flatten()).await?;
    insert_rows(tx, tenant, project, &rows).await?;
    if !named_lists(&schema.rules.dnc_lists).is_empty() {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let until: Vec<Option<i64>> = phones.iter().map(|p| expiries.until(p)).collect();
        set_dnc_until(tx, tenant, &ids, &until).await?;
    }
    register_zones(tx, tenant, project, rows.iter().map(|r| &r.zones)).await?;
    sides.copy_new(tx, tenant).await?;
    merge_into_stored(tx, tenant, &schema, &accepted, &fates, now).await?;
    dispositions.insert(tx, tenant, &calldate::from_seconds(now)).await?;

    let mut outcomes: Vec<ItemResult<i64>> = changes.iter().map(|c| c.clone().map(|_| 0)).collect();
    for (k, (index, _, _)) in accepted.iter().enumerate() {
        outcomes[*index] = match fates[k] {
            Fate::Duplicate(of) => Err(ValidationError::duplicate(of.resolve(&id_of))),
            _ => Ok(record_of(&fates, &id_of, k).unwrap_or_default()),
        };
    }
    Ok(outcomes)
}

/// A stored record of the project, one of another project (never merged into), or an
/// earlier new row of the batch (its position among the accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Stored(i64),
    Foreign(i64),
    Batch(usize),
}

impl Target {
    fn resolve(self, id_of: &[i64]) -> i64 {
        match self {
            Target::Stored(id) | Target::Foreign(id) => id,
            Target::Batch(k) => id_of[k],
        }
    }
}

/// What becomes of an accepted write under the duplicate check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    New,
    Duplicate(Target),
    MergedInto(Target),
}

/// The record a write ends up in: its own, or the one it was merged into.
fn record_of(fates: &[Fate], id_of: &[i64], k: usize) -> Option<i64> {
    match fates[k] {
        Fate::New => Some(id_of[k]),
        Fate::MergedInto(target) => Some(target.resolve(id_of)),
        Fate::Duplicate(_) => None,
    }
}

/// Decides each accepted write's fate; a write merged into an earlier new row of the batch
/// is applied to that row here (stored records are merged after the insert).
#[allow(clippy::too_many_arguments)]
async fn check_duplicates(
    tx: &Tx<'_>,
    tenant: TenantId,
    project: i64,
    schema: &ProjectSchema,
    dedup: &Dedup,
    accepted: &[(usize, &RecordWrite, &FormChanges)],
    rows: &mut [RecordRow],
    now: i64,
) -> PgResult<Vec<Fate>> {
    lock_scope(tx, tenant, project, dedup).await?;
    let update = dedup.on_duplicate == OnDuplicate::Update;
    let probes: Vec<Probe> = rows.iter().map(|row| Probe::of(row, schema, dedup)).collect();
    let stored = find_duplicates(tx, tenant, project, dedup, &probes, now).await?;
    let mut batch = BatchKeys::default();
    let mut fates = Vec::with_capacity(rows.len());
    for (k, (probe, stored)) in probes.iter().zip(stored).enumerate() {
        let found = batch.earlier(probe).or_else(|| {
            stored.map(|(id, of_project)| match of_project == project {
                true => Target::Stored(id),
                false => Target::Foreign(id),
            })
        });
        let fate = match found {
            None => Fate::New,
            Some(Target::Foreign(id)) => Fate::Duplicate(Target::Stored(id)),
            Some(target) if !update => Fate::Duplicate(target),
            Some(target) => {
                if let Target::Batch(j) = target {
                    let (_, write, form) = accepted[k];
                    rows[j].apply(write, form, now);
                }
                Fate::MergedInto(target)
            }
        };
        // Later items find this one's keys: in its own new row, or where it was merged.
        match fate {
            Fate::New => batch.add(probe, Target::Batch(k)),
            Fate::MergedInto(target) => batch.add(probe, target),
            Fate::Duplicate(_) => {}
        }
        fates.push(fate);
    }
    Ok(fates)
}

/// Writes the writes merged into stored records over them, in batch order.
async fn merge_into_stored(
    tx: &Tx<'_>,
    tenant: TenantId,
    schema: &ProjectSchema,
    accepted: &[(usize, &RecordWrite, &FormChanges)],
    fates: &[Fate],
    now: i64,
) -> PgResult<()> {
    let merged: Vec<(i64, usize)> = fates
        .iter()
        .enumerate()
        .filter_map(|(k, fate)| match fate {
            Fate::MergedInto(Target::Stored(id)) => Some((*id, k)),
            _ => None,
        })
        .collect();
    if merged.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<i64> = merged.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    let loaded = select_rows(tx, "r.tenant_id = $1 AND r.id = ANY($2)", &[&tenant, &ids], true).await?;
    let mut tracked = track(loaded, schema);
    for (id, k) in merged {
        if let Some(t) = tracked.iter_mut().find(|t| t.row.id == id) {
            let (_, write, form) = accepted[k];
            t.row.apply(write, form, now);
            t.changed = true;
        }
    }
    write_tracked(tx, tenant, schema, &mut tracked).await
}

/// A batch of updates in progress: the rows it names by id (locked at its start) as they
/// stand after the elements applied so far, and the dispositions not stored yet.
struct Batch<'a> {
    tenant: TenantId,
    project: i64,
    schema: Arc<ProjectSchema>,
    named: Vec<Tracked>,
    position: HashMap<i64, usize>,
    dispositions: DispositionRows<'a>,
    now: i64,
}

impl<'a> Batch<'a> {
    /// Stores what the batch has changed so far, so that a query sees it.
    async fn flush(&mut self, tx: &Transaction<'_>) -> PgResult<()> {
        write_tracked(tx, self.tenant, &self.schema, &mut self.named).await?;
        let now = calldate::from_seconds(self.now);
        self.dispositions.insert(tx, self.tenant, &now).await
    }

    /// Applies a write to a row of the batch's own (one it names by id).
    fn apply_named(&mut self, i: usize, write: &'a RecordWrite, form: &FormChanges) {
        let t = &mut self.named[i];
        t.changed = true;
        t.row.apply(write, form, self.now);
        if let Some(d) = &write.disposition {
            self.dispositions.push(t.row.id, d);
        }
    }

    fn apply_other(&mut self, row: &mut RecordRow, write: &'a RecordWrite, form: &FormChanges) {
        row.apply(write, form, self.now);
        if let Some(d) = &write.disposition {
            self.dispositions.push(row.id, d);
        }
    }

    /// Applies a write to every record of `records r` matching the condition, in id order,
    /// a chunk at a time (locked as they are read), leaving out records being handled when
    /// `skip_handled`; returns how many it applied to.
    async fn apply_where(
        &mut self,
        tx: &Transaction<'_>,
        condition: &str,
        params: &Params,
        write: &'a RecordWrite,
        form: &FormChanges,
        skip_handled: bool,
    ) -> PgResult<u64> {
        self.flush(tx).await?;
        let sql = format!("SELECT {ROW_COLUMNS} FROM records r WHERE {condition} ORDER BY r.id FOR UPDATE OF r");
        let statement = tx.prepare_cached(&sql).await?;
        let portal = tx.bind(&statement, &borrowed(params)).await?;
        let mut count = 0;
        loop {
            let found = tx.query_portal(&portal, CHUNK).await?;
            if found.is_empty() {
                break;
            }
            // Rows the batch does not name are stored now and forgotten.
            let mut others = Vec::new();
            for r in &found {
                let row = row_of(r)?;
                let position = self.position.get(&row.id).copied();
                // A row the batch names is as the batch has left it.
                let current = position.map_or(&row, |i| &self.named[i].row);
                if skip_handled && current.is_handled(self.now) {
                    continue;
                }
                count += 1;
                match position {
                    Some(i) => self.apply_named(i, write, form),
                    None => {
                        let mut other = Tracked::new(row, &self.schema);
                        self.apply_other(&mut other.row, write, form);
                        other.changed = true;
                        others.push(other);
                    }
                }
            }
            write_tracked(tx, self.tenant, &self.schema, &mut others).await?;
            if found.len() < CHUNK as usize {
                break;
            }
        }
        Ok(count)
    }
}

/// Applies the updates in order, each seeing what the earlier ones did; returns per update
/// how many records it changed.
pub async fn update_records(
    tx: &Tx<'_>,
    tenant: TenantId,
    project: i64,
    updates: &[RecordUpdate],
) -> PgResult<Vec<ItemResult<u64>>> {
    let mut named: Vec<i64> = updates.iter().filter_map(|u| u.target.named_id()).collect();
    named.sort_unstable();
    named.dedup();
    // Locked together, in id order: batches naming the same records in different orders
    // queue instead of deadlocking.
    let condition = "r.tenant_id = $1 AND r.project_id = $2 AND r.id = ANY($3)";
    let rows = if named.is_empty() {
        Vec::new()
    } else {
        select_rows(tx, condition, &[&tenant, &project, &named], true).await?
    };
    let found: std::collections::HashSet<i64> = rows.iter().map(|r| r.id).collect();
    let (missing, writes) = live_writes(updates, |id| Ok::<_, StoreError>(found.contains(&id)))?;
    let (changes, schema) = resolve(tx, tenant, project, &writes).await?;
    let changes = with_rejections(missing, changes);
    let named = track(rows, &schema);
    let mut batch = Batch {
        tenant,
        project,
        position: named.iter().enumerate().map(|(i, t)| (t.row.id, i)).collect(),
        named,
        schema,
        dispositions: DispositionRows::default(),
        now: calldate::now_seconds(),
    };
    let mut results = Vec::with_capacity(updates.len());
    for (update, form) in updates.iter().zip(changes) {
        let outcome = match form {
            Ok(form) => apply_update(tx, &mut batch, update, &form).await?,
            Err(e) => Err(e),
        };
        results.push(outcome);
    }
    batch.flush(tx).await?;
    Ok(results)
}

async fn apply_update<'a>(
    tx: &Transaction<'_>,
    batch: &mut Batch<'a>,
    update: &'a RecordUpdate,
    form: &FormChanges,
) -> PgResult<ItemResult<u64>> {
    let (tenant, project) = (batch.tenant, batch.project);
    let skip_handled = update.target.skips_handled();
    match update.target.base() {
        RecordTarget::Id(id) => {
            let Some(&i) = batch.position.get(id) else {
                return Ok(Err(record_not_exists(*id)));
            };
            if skip_handled && batch.named[i].row.is_handled(batch.now) {
                return Ok(Err(record_in_call(*id)));
            }
            batch.apply_named(i, &update.write, form);
            Ok(Ok(1))
        }
        RecordTarget::Search(pairs) => {
            let Some(search) = search_sql(tenant, project, &batch.schema, pairs, None, &POSTGRES) else {
                return Ok(Err(unknown_search_field(&batch.schema, pairs)));
            };
            let mut params = sql_params(&search.args);
            params.push(Box::new(tenant));
            let condition = format!(
                "r.tenant_id = ${} AND r.id IN (SELECT id FROM ({}) AS s)",
                params.len(),
                search.ids
            );
            Ok(Ok(batch
                .apply_where(tx, &condition, &params, &update.write, form, skip_handled)
                .await?))
        }
        RecordTarget::Dispositions(matches) => {
            let mut sql = Binds::default();
            let tenant = sql.arg(&POSTGRES, SqlArg::Integer(tenant));
            let project = sql.arg(&POSTGRES, SqlArg::Integer(project));
            let any = disposition_condition(
                &mut sql,
                &POSTGRES,
                matches,
                ["m.id", "last.disposition_id", "last.user_id"],
            );
            let condition = format!(
                "r.tenant_id = {tenant} AND r.project_id = {project} AND r.id IN (
                   SELECT m.id FROM records m LEFT JOIN LATERAL (
                     SELECT d.disposition_id, d.user_id FROM dispositions d
                     WHERE d.tenant_id = m.tenant_id AND d.record_id = m.id ORDER BY d.id DESC LIMIT 1) AS last ON TRUE
                   WHERE m.tenant_id = {tenant} AND m.project_id = {project} AND {any})"
            );
            Ok(Ok(batch
                .apply_where(
                    tx,
                    &condition,
                    &sql_params(&sql.args),
                    &update.write,
                    form,
                    skip_handled,
                )
                .await?))
        }
        // `base` has taken the wrapper off.
        RecordTarget::NotHandled(_) => Ok(Ok(0)),
    }
}

/// Deletes the tenant's records with these ids and their `record_phones` and
/// `record_terms` entries; dispositions and rule uses go with them (ON DELETE CASCADE).
pub async fn delete_rows(tx: &Tx<'_>, tenant: TenantId, ids: &[i64]) -> PgResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let statement = tx
        .prepare_cached(&format!(
            "DELETE FROM records r WHERE r.tenant_id = $1 AND r.id = ANY($2) RETURNING {ROW_COLUMNS}"
        ))
        .await?;
    let mut sides = SideChanges::default();
    let mut schemas = Schemas::default();
    for r in tx.query(&statement, &[&tenant, &ids]).await? {
        let row = row_of(&r)?;
        let schema = schemas.get(tx, tenant, row.project_id, None).await?;
        sides.phones(row.id, row.phones(&schema).into_iter().collect(), Vec::new());
        sides.terms(row.id, row.terms(&schema).into_iter().collect(), Vec::new());
    }
    sides.write(tx, tenant).await
}

#[async_trait]
impl RecordStore for PostgresStore {
    async fn insert_records(
        &self,
        tenant: TenantId,
        project_id: i64,
        records: Vec<RecordWrite>,
        atomic: bool,
    ) -> Result<Vec<ItemResult<i64>>, StoreError> {
        let stored = self
            .write(records, |tx, records| {
                Box::pin(async move {
                    Ok(all_or_nothing(
                        insert_records(tx, tenant, project_id, records).await?,
                        atomic,
                    )?)
                })
            })
            .await?;
        let inserted = stored.iter().filter(|r| r.is_ok()).count() as u64;
        self.statistics.inserted(inserted, &self.pool);
        Ok(stored)
    }

    async fn import_record(
        &self,
        tenant: TenantId,
        project_id: i64,
        write: RecordWrite,
        overwrite: bool,
    ) -> Result<Imported, StoreError> {
        self.write(write, |tx, write| {
            Box::pin(import_record(tx, tenant, project_id, write, overwrite))
        })
        .await
    }

    async fn update_records(
        &self,
        tenant: TenantId,
        project_id: i64,
        updates: Vec<RecordUpdate>,
    ) -> Result<Vec<ItemResult<u64>>, StoreError> {
        self.write(updates, |tx, updates| {
            Box::pin(update_records(tx, tenant, project_id, updates))
        })
        .await
    }

    async fn get_record(&self, tenant: TenantId, project_id: i64, record: i64) -> Result<Record, StoreError> {
        let one = records_read::ONE_RECORD;
        if let Some(mut found) = records_read::point_records(self, one, &[&tenant, &record, &project_id]).await? {
            return found.pop().ok_or(StoreError::NotFound("record"));
        }
        self.read((), |tx, ()| {
            Box::pin(records_read::get_record(tx, tenant, project_id, record))
        })
        .await
    }

    async fn list_records(
        &self,
        tenant: TenantId,
        project_id: i64,
        query: RecordQuery,
    ) -> Result<(Vec<Record>, u64), StoreError> {
        if let Some(found) = records_read::point_list(self, tenant, project_id, &query).await? {
            return Ok(found);
        }
        self.read(query, |tx, query| {
            Box::pin(async move {
                project(tx, tenant, project_id).await?;
                records_read::list_records(tx, tenant, project_id, query).await
            })
        })
        .await
    }

    async fn records_after(
        &self,
        tenant: TenantId,
        project_id: i64,
        after: i64,
        limit: u64,
    ) -> Result<Vec<Record>, StoreError> {
        self.read((), |tx, ()| {
            Box::pin(async move {
                project(tx, tenant, project_id).await?;
                records_read::records_after(tx, tenant, project_id, after, limit).await
            })
        })
        .await
    }

    async fn render_records_after(
        &self,
        tenant: TenantId,
        project_id: i64,
        after: i64,
        limit: u64,
        render: PageRenderer,
    ) -> Result<RenderedPage, StoreError> {
        if let Some(page) =
            records_read::render_page_after(self, tenant, project_id, after, limit, render.clone()).await?
        {
            return Ok(page);
        }
        // The schema was not cached: read in a transaction, which loads it.
        RenderedPage::of(&self.records_after(tenant, project_id, after, limit).await?, &render)
    }

    async fn modify_contact(
        &self,
        tenant: TenantId,
        project_id: i64,
        record: i64,
        contact: Contact,
    ) -> Result<(), StoreError> {
        self.write(contact, |tx, contact| {
            Box::pin(async move {
                let schema = current_schema(tx, tenant, project_id).await?;
                let update = contact_update(&schema, record, contact.clone())?;
                Ok(single_update_outcome(
                    update_records(tx, tenant, project_id, &[update]).await?,
                )?)
            })
        })
        .await
    }

    async fn find_records(&self, tenant: TenantId, key: RecordKey) -> Result<Vec<Record>, StoreError> {
        if let Some(found) = dialler::point_find(self, tenant, &key).await? {
            return Ok(found);
        }
        self.read(key, |tx, key| Box::pin(dialler::find_records(tx, tenant, key)))
            .await
    }

    async fn delete_record(&self, tenant: TenantId, key: RecordKey) -> Result<i64, StoreError> {
        self.write(key, |tx, key| Box::pin(dialler::delete_record(tx, tenant, key)))
            .await
    }

    async fn set_locked(&self, tenant: TenantId, key: RecordKey, locked: bool) -> Result<i64, StoreError> {
        self.write(key, |tx, key| Box::pin(dialler::set_locked(tx, tenant, key, locked)))
            .await
    }
}
