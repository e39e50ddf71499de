//! Record writes on SQLite: every write loads the rows it changes, applies itself in Rust
//! (`shared::row`) and stores them with their side-table differences (docs/storage.md).

use super::SqliteStore;
use super::bulk::{insert_all, insert_many};
use super::changes::{FeedEvents, TriggersOff};
use super::dedup::{find_duplicate, merge_or_reject};
use super::dnc_lists::{dnc_until_for, refresh_dnc_until};
use super::fields::project;
use super::fields::{apply_additions, schema, schema_version, versioned_schema};
use super::import::import_record;
use super::packed;
use super::phone_key::PhoneKey;
use super::terms::{TermTally, delete_terms, insert_new_terms, insert_terms};
use super::{dialler, records_read};
use crate::domain::calldate;
use crate::domain::dialing_rules::Dedup;
use crate::domain::record::{Contact, Record};
use crate::domain::record::{Disposition, RecordWrite};
use crate::domain::resolve::SchemaIds;
use crate::domain::schema::{ProjectSchema, phone_slot};
use crate::storage::RecordKey;
use crate::storage::RecordQuery;
use crate::storage::RecordStore;
use crate::storage::shared::all_or_nothing;
use crate::storage::shared::dedup::Probe;
use crate::storage::shared::row::{FormChanges, RecordRow, form_changes, side_changes};
use crate::storage::shared::schema_cache::SchemaCache;
use crate::storage::shared::{
    Binds, SQLITE, SearchSql, SqlArg, disposition_condition, record_in_call, record_not_exists, resolve_writes,
    search_sql, unknown_search_field,
};
use crate::storage::shared::{contact_update, single_update_outcome};
use crate::storage::shared::{live_writes, with_rejections};
use crate::storage::{
    Imported, ItemResult, PageRenderer, RecordTarget, RecordUpdate, RenderedPage, StoreError, TenantId,
};
use async_trait::async_trait;
use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::{Connection, OptionalExtension, Row, ToSql, params, params_from_iter};
use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock};

/// The columns of `records` in [`RecordRow`] order.
/// Bare names, so that `RETURNING` takes them too; a query joining another table qualifies none.
pub const ROW_COLUMNS: &str = "id, project_id, user_data, phone_field, next_calldate, price, commission,
    locked, claimed_by, claim_expires_at, done_at, attempts, robinson, created_at, updated_at, contacts, data, zones";

pub fn read_row(r: &Row<'_>) -> rusqlite::Result<RecordRow> {
    read_unparsed_row(r)?
        .parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into()))
}

/// A row as stored, its form and contacts not parsed yet: a page of them is parsed on
/// several threads (`records_read::render_page`).
pub struct UnparsedRow {
    row: RecordRow,
    contacts: Value,
    data: Value,
}

impl UnparsedRow {
    pub fn id(&self) -> i64 {
        self.row.id
    }

    pub fn parse(mut self) -> Result<RecordRow, serde_json::Error> {
        self.row.contacts = packed::read_contacts((&self.contacts).into())?;
        self.row.data = packed::read_doc((&self.data).into())?;
        Ok(self.row)
    }
}

pub fn read_unparsed_row(r: &Row<'_>) -> rusqlite::Result<UnparsedRow> {
    Ok(UnparsedRow {
        contacts: r.get(15)?,
        data: r.get(16)?,
        row: RecordRow {
            id: r.get(0)?,
            project_id: r.get(1)?,
            user_data: r.get(2)?,
            phone_field: r.get(3)?,
            next_calldate: r.get(4)?,
            price: r.get(5)?,
            commission: r.get(6)?,
            locked: r.get(7)?,
            claimed_by: r.get(8)?,
            claim_expires_at: r.get(9)?,
            done_at: r.get(10)?,
            attempts: r.get(11)?,
            robinson: r.get(12)?,
            created_at: r.get(13)?,
            updated_at: r.get(14)?,
            contacts: Vec::new(),
            data: Default::default(),
            zones: r.get(17)?,
        },
    })
}

// The hot statements' text is built once: formatted on every call it was ~2% of a claim.
static ROW_BY_ID: LazyLock<String> = LazyLock::new(|| format!("SELECT {ROW_COLUMNS} FROM records r WHERE r.id = ?1"));

pub fn load_row(conn: &Connection, id: i64) -> Result<RecordRow, StoreError> {
    conn.prepare_cached(&ROW_BY_ID)?
        .query_row([id], read_row)
        .optional()?
        .ok_or(StoreError::NotFound("record"))
}

/// Resolves every form of the batch, creating the fields and values they need; returns
/// each write's changes (or why it was rejected) and the schema they refer to.
fn resolve(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    project: i64,
    writes: &[&RecordWrite],
) -> Result<(Vec<ItemResult<FormChanges>>, Arc<ProjectSchema>), StoreError> {
    let before = schema(conn, cache, project)?;
    let (cells, additions) = resolve_writes(&before, writes);
    let (fields, values) = apply_additions(conn, tenant, project, &additions)?;
    let ids = SchemaIds { fields, values };
    let changes = form_changes(cells, &ids);
    let after = if additions.is_empty() {
        before
    } else {
        schema(conn, cache, project)?
    };
    Ok((changes, after))
}

/// Whether any of these numbers is on the tenant's Robinson list.
fn any_listed(conn: &Connection, tenant: TenantId, phones: &BTreeSet<String>) -> Result<bool, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM robinson WHERE tenant_id = ?1 AND phone = ?2)")?;
    for phone in phones {
        if stmt.query_row(params![tenant, phone], |r| r.get::<_, bool>(0))? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn tenant_lists_numbers(conn: &Connection, tenant: TenantId) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM robinson WHERE tenant_id = ?1)")?
        .query_row([tenant], |r| r.get(0))?)
}

/// A record to insert, built and encoded: what the writer stores for it.
pub struct NewRow {
    row: RecordRow,
    /// The write's form changes: a duplicate merged into its existing record applies them.
    form: FormChanges,
    contacts: Option<Vec<u8>>,
    data: Vec<u8>,
    phones: BTreeSet<String>,
    terms: BTreeSet<(i64, String)>,
}

/// The rows of a batch's accepted writes, against the schema their changes refer to.
fn new_rows(
    schema: &ProjectSchema,
    project: i64,
    writes: &[RecordWrite],
    changes: Vec<ItemResult<FormChanges>>,
    now: i64,
) -> Vec<ItemResult<NewRow>> {
    writes
        .iter()
        .zip(changes)
        .map(|(write, changes)| {
            let changes = changes?;
            // Only a duplicate check looks at the values again: without one, a batch
            // waiting for the writer holds its encoded rows alone (a third of the memory).
            let checks_duplicates = schema.rules.dedup.is_some();
            let form = if checks_duplicates {
                changes.clone()
            } else {
                FormChanges::new()
            };
            let mut row = RecordRow::new(project, write, changes, now);
            row.zones = row.zones_for(schema);
            let mut new = NewRow {
                form,
                contacts: packed::contacts(&row.contacts),
                data: packed::doc(&row.data),
                phones: row.phones(schema),
                terms: row.terms(schema),
                row,
            };
            if !checks_duplicates {
                new.row.data = Default::default();
                new.row.contacts = Vec::new();
            }
            Ok(new)
        })
        .collect()
}

/// A batch's rows built outside the writer (on a reader), valid while the project's
/// schema stays at `version`: the writer then only stores them.
pub struct PreparedInsert {
    version: i64,
    rows: Vec<ItemResult<NewRow>>,
}

/// Builds the batch's rows if it needs no new field or value (the usual import after the
/// first batch); `None` leaves the whole write to the writer.
pub fn prepare_insert(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    project_id: i64,
    writes: &[RecordWrite],
) -> Result<Option<PreparedInsert>, StoreError> {
    project(conn, tenant, project_id)?;
    let (version, schema) = versioned_schema(conn, cache, project_id)?;
    let (cells, additions) = resolve_writes(&schema, &writes.iter().collect::<Vec<_>>());
    if !additions.is_empty() {
        return Ok(None);
    }
    let ids = SchemaIds::default();
    let changes = form_changes(cells, &ids);
    let rows = new_rows(&schema, project_id, writes, changes, calldate::now_seconds());
    Ok(Some(PreparedInsert { version, rows }))
}

/// Inserts the batch: the prepared rows if the schema is still theirs, else resolved and
/// built here.
pub fn insert_records(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    project: i64,
    writes: &[RecordWrite],
    prepared: Option<PreparedInsert>,
) -> Result<Vec<ItemResult<i64>>, StoreError> {
    store_rows(conn, cache, tenant, project, writes, prepared).map(|(results, _)| results)
}

/// [`insert_records`], also handing back the stored rows: the writer's caller frees them,
/// so the single writer thread spends its time on SQLite rather than on freeing memory
/// another thread allocated.
fn store_rows(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    project: i64,
    writes: &[RecordWrite],
    prepared: Option<PreparedInsert>,
) -> Result<(Vec<ItemResult<i64>>, Vec<NewRow>), StoreError> {
    let rows = match prepared {
        Some(prepared) if prepared.version == schema_version(conn, project)? => prepared.rows,
        _ => {
            let (changes, schema) = resolve(conn, cache, tenant, project, &writes.iter().collect::<Vec<_>>())?;
            new_rows(&schema, project, writes, changes, calldate::now_seconds())
        }
    };
    let check_robinson = tenant_lists_numbers(conn, tenant)?;
    let schema = schema(conn, cache, project)?;
    let now = calldate::now_seconds();
    let mut batch = StoredBatch {
        results: Vec::with_capacity(writes.len()),
        stored: Vec::with_capacity(writes.len()),
        events: FeedEvents::adds(conn, tenant, project, now)?,
        tally: TermTally::default(),
    };
    let destination = Destination {
        tenant,
        project,
        schema: &schema,
        check_robinson,
    };
    match &schema.rules.dedup {
        Some(dedup) => store_checked(conn, &destination, dedup, writes, rows, now, &mut batch)?,
        None => store_batched(conn, &destination, writes, rows, &mut batch)?,
    }
    batch.events.flush(conn)?;
    if schema.rules.dedup.is_none() {
        insert_new_side_rows(conn, tenant, &batch.stored)?;
    }
    batch.tally.flush(conn)?;
    Ok((batch.results, batch.stored.into_iter().map(|(_, row)| row).collect()))
}

/// Where a batch's rows go.
struct Destination<'s> {
    tenant: TenantId,
    project: i64,
    schema: &'s ProjectSchema,
    /// Whether the tenant's Robinson list holds any number.
    check_robinson: bool,
}

impl Destination<'_> {
    /// A new row's Robinson flag and `dnc_until`, from its phones.
    fn flags(&self, conn: &Connection, phones: &BTreeSet<String>) -> Result<(bool, Option<i64>), StoreError> {
        let robinson = self.check_robinson && any_listed(conn, self.tenant, phones)?;
        Ok((
            robinson,
            dnc_until_for(conn, self.tenant, &self.schema.rules.dnc_lists, phones)?,
        ))
    }
}

/// What storing a batch's rows has done so far.
struct StoredBatch {
    results: Vec<ItemResult<i64>>,
    /// Inserted rows: their phones and terms go in after the batch's records, all at once,
    /// unless the project checks duplicates.
    stored: Vec<(i64, NewRow)>,
    events: FeedEvents,
    tally: TermTally,
}

/// Stores the rows of a project that checks duplicates, one by one: each record's phones and
/// terms go in before the next record looks for duplicates. Ids are given as in
/// [`store_batched`].
fn store_checked(
    conn: &Connection,
    destination: &Destination<'_>,
    dedup: &Dedup,
    writes: &[RecordWrite],
    rows: Vec<ItemResult<NewRow>>,
    now: i64,
    batch: &mut StoredBatch,
) -> Result<(), StoreError> {
    let Destination {
        tenant,
        project,
        schema,
        ..
    } = *destination;
    let mut next_id = next_record_id(conn)?;
    for (write, new) in writes.iter().zip(rows) {
        let new = match new {
            Ok(new) => new,
            Err(e) => {
                batch.results.push(Err(e));
                continue;
            }
        };
        let probe = Probe::of(&new.row, schema, dedup);
        if let Some(existing) = find_duplicate(conn, tenant, project, dedup, &probe, now)? {
            batch.events.flush(conn)?;
            let outcome = merge_or_reject(conn, tenant, project, schema, dedup, existing, write, &new.form, now)?;
            batch.results.push(outcome);
            continue;
        }
        let flags = destination.flags(conn, &new.phones)?;
        if let Some(zones) = &new.row.zones {
            register_zones(conn, tenant, project, zones)?;
        }
        let id = next_id;
        next_id += 1;
        let last = batch.stored.len();
        batch.stored.push((id, new));
        batch.results.push(Ok(id));
        insert_new_records(conn, destination, &batch.stored[last..], &[flags], &mut batch.events)?;
        if let Some(d) = &write.disposition {
            batch.events.flush(conn)?;
            insert_disposition(conn, tenant, id, d)?;
        }
        let new = &batch.stored[last].1;
        insert_phones(conn, tenant, id, new.phones.iter())?;
        insert_terms(conn, tenant, id, new.terms.iter(), &mut batch.tally)?;
    }
    Ok(())
}

/// Stores the rows of a project without duplicate checks, many records to a statement: each
/// statement's own cost (its start and end, the `AUTOINCREMENT` counter's write) is shared.
/// The ids are given here, as SQLite would give them, so a disposition knows its record's.
fn store_batched(
    conn: &Connection,
    destination: &Destination<'_>,
    writes: &[RecordWrite],
    rows: Vec<ItemResult<NewRow>>,
    batch: &mut StoredBatch,
) -> Result<(), StoreError> {
    let Destination { tenant, project, .. } = *destination;
    let mut next_id = next_record_id(conn)?;
    // The Robinson flag and `dnc_until` of each stored row not inserted yet.
    let mut flags: Vec<(bool, Option<i64>)> = Vec::new();
    let mut inserted = batch.stored.len();
    for (write, new) in writes.iter().zip(rows) {
        let new = match new {
            Ok(new) => new,
            Err(e) => {
                batch.results.push(Err(e));
                continue;
            }
        };
        flags.push(destination.flags(conn, &new.phones)?);
        if let Some(zones) = &new.row.zones {
            register_zones(conn, tenant, project, zones)?;
        }
        let id = next_id;
        next_id += 1;
        batch.stored.push((id, new));
        batch.results.push(Ok(id));
        if let Some(d) = &write.disposition {
            // The record and its `add` event go in before the disposition's event.
            insert_new_records(conn, destination, &batch.stored[inserted..], &flags, &mut batch.events)?;
            (inserted, flags) = (batch.stored.len(), Vec::new());
            batch.events.flush(conn)?;
            insert_disposition(conn, tenant, id, d)?;
        }
    }
    insert_new_records(conn, destination, &batch.stored[inserted..], &flags, &mut batch.events)
}

/// The id SQLite gives the next record: `AUTOINCREMENT` never gives an id again, so one
/// above both the highest it gave and the highest there is.
fn next_record_id(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'records'), 0),
                        coalesce((SELECT max(id) FROM records), 0)) + 1",
        )?
        .query_row([], |r| r.get(0))?)
}

/// Inserts rows (with their ids, Robinson flags and `dnc_until`) and notes their `add` events.
fn insert_new_records(
    conn: &Connection,
    destination: &Destination<'_>,
    rows: &[(i64, NewRow)],
    flags: &[(bool, Option<i64>)],
    events: &mut FeedEvents,
) -> Result<(), StoreError> {
    let Destination { tenant, project, .. } = *destination;
    let binds: Vec<[&dyn ToSql; 15]> = rows
        .iter()
        .zip(flags)
        .map(|((id, new), (robinson, dnc_until))| {
            let row = &new.row;
            [
                id as &dyn ToSql,
                &tenant,
                &project,
                &row.user_data,
                &row.phone_field,
                &row.next_calldate,
                &row.price,
                &row.commission,
                robinson,
                &row.created_at,
                &row.created_at,
                &new.contacts,
                &new.data,
                &row.zones,
                dnc_until,
            ]
        })
        .collect();
    insert_all(
        conn,
        "records (id, tenant_id, project_id, user_data, phone_field, next_calldate, price, commission,
                  robinson, created_at, updated_at, contacts, data, zones, dnc_until)",
        &binds,
    )?;
    for (id, _) in rows {
        events.push(*id);
    }
    Ok(())
}

/// The phones and indexed terms of records this transaction inserted, each table's rows
/// sorted and several to a statement.
fn insert_new_side_rows(conn: &Connection, tenant: TenantId, stored: &[(i64, NewRow)]) -> Result<(), StoreError> {
    // Sized first: a flat map's collect grows its vector step by step.
    let mut phones = Vec::with_capacity(stored.iter().map(|(_, new)| new.phones.len()).sum());
    phones.extend(
        stored
            .iter()
            .flat_map(|(id, new)| new.phones.iter().map(|phone| (PhoneKey::of(phone), *id))),
    );
    phones.sort_unstable();
    insert_phone_rows(conn, tenant, &phones)?;
    let mut terms = Vec::with_capacity(stored.iter().map(|(_, new)| new.terms.len()).sum());
    terms.extend(
        stored
            .iter()
            .flat_map(|(id, new)| new.terms.iter().map(|(field, term)| (*field, term.as_str(), *id))),
    );
    insert_new_terms(conn, tenant, terms)
}

/// Notes a zone set the project's records have (claims look at each of them).
pub fn register_zones(conn: &Connection, tenant: TenantId, project: i64, zones: &str) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT OR IGNORE INTO project_zones (tenant_id, project_id, zones) VALUES (?1, ?2, ?3)")?
        .execute(params![tenant, project, zones])?;
    Ok(())
}

fn insert_phones<'a>(
    conn: &Connection,
    tenant: TenantId,
    record: i64,
    phones: impl Iterator<Item = &'a String>,
) -> Result<(), StoreError> {
    let phones: Vec<(PhoneKey, i64)> = phones.map(|phone| (PhoneKey::of(phone), record)).collect();
    insert_phone_rows(conn, tenant, &phones)
}

/// `record_phones` rows (number, record), several to a statement.
fn insert_phone_rows(conn: &Connection, tenant: TenantId, phones: &[(PhoneKey, i64)]) -> Result<(), StoreError> {
    let rows: Vec<[&dyn ToSql; 3]> = phones
        .iter()
        .map(|(phone, id)| [&tenant as &dyn ToSql, phone, id])
        .collect();
    insert_many(conn, "record_phones (tenant_id, phone, record_id)", &rows)
}

pub fn insert_disposition(conn: &Connection, tenant: TenantId, record: i64, d: &Disposition) -> Result<(), StoreError> {
    insert_call_result(conn, tenant, record, d, None)
}

/// A disposition with the field whose number was dialed (a dialer's call result).
pub fn insert_call_result(
    conn: &Connection,
    tenant: TenantId,
    record: i64,
    d: &Disposition,
    phone_field: Option<&str>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO dispositions (tenant_id, record_id, disposition_id, user_id, next_calldate, description, created_at,
                                   phone_field)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        tenant,
        record,
        d.disposition_id,
        d.user_id,
        d.next_calldate,
        d.description,
        calldate::now(),
        phone_field
    ])?;
    Ok(())
}

/// Writes `new` over `old` (the same record): the columns that changed and the side
/// tables' differences; the Robinson flag follows the phones.
pub fn store_row(
    conn: &Connection,
    tenant: TenantId,
    schema: &ProjectSchema,
    old: &RecordRow,
    new: &RecordRow,
) -> Result<(), StoreError> {
    let mut robinson = new.robinson;
    let zones = new.zones_for(schema);
    if let Some(key) = zones.as_ref().filter(|_| old.zones != zones) {
        register_zones(conn, tenant, new.project_id, key)?;
    }
    // Numbers and terms come from the document: an unchanged one changes neither.
    if old.data != new.data {
        let (old_phones, new_phones) = (old.phones(schema), new.phones(schema));
        if let Some(listed) = sync_phones(conn, tenant, new.id, &old_phones, &new_phones)? {
            robinson = listed;
            refresh_dnc_until(conn, tenant, &schema.rules.dnc_lists, new.id, &new_phones)?;
        }
        let (old_terms, new_terms) = (old.terms(schema), new.terms(schema));
        if old_terms != new_terms {
            let (gone, added) = side_changes(&old_terms, &new_terms);
            let mut tally = TermTally::default();
            delete_terms(conn, tenant, new.id, gone.iter(), &mut tally)?;
            insert_terms(conn, tenant, new.id, added.iter(), &mut tally)?;
            tally.flush(conn)?;
        }
    }
    // Only changed columns are set: an index over an untouched column is left alone.
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::Text);
    let int = |v: Option<i64>| v.map_or(Value::Null, Value::Integer);
    let candidates = [
        ("user_data", old.user_data != new.user_data, text(&new.user_data)),
        (
            "phone_field",
            old.phone_field != new.phone_field,
            text(&new.phone_field),
        ),
        (
            "next_calldate",
            old.next_calldate != new.next_calldate,
            int(new.next_calldate),
        ),
        ("price", old.price != new.price, text(&new.price)),
        ("commission", old.commission != new.commission, text(&new.commission)),
        ("done_at", old.done_at != new.done_at, int(new.done_at)),
        (
            "robinson",
            old.robinson != robinson,
            Value::Integer(i64::from(robinson)),
        ),
        (
            "updated_at",
            old.updated_at != new.updated_at,
            Value::Integer(new.updated_at),
        ),
        (
            "contacts",
            old.contacts != new.contacts,
            packed::contacts(&new.contacts).map_or(Value::Null, Value::Blob),
        ),
        ("data", old.data != new.data, Value::Blob(packed::doc(&new.data))),
        ("zones", old.zones != zones, text(&zones)),
    ];
    let mut sets = Vec::new();
    let mut args = vec![Value::Integer(new.id)];
    for (column, changed, value) in candidates {
        if changed {
            args.push(value);
            sets.push(format!("{column} = ?{}", args.len()));
        }
    }
    if !sets.is_empty() {
        conn.prepare_cached(&format!("UPDATE records SET {} WHERE id = ?1", sets.join(", ")))?
            .execute(params_from_iter(args))?;
    }
    Ok(())
}

/// Puts a record's `record_phones` from `old` to `new`; when they differ, returns whether
/// one of the new numbers is on the Robinson list (the record's flag to store).
pub fn sync_phones(
    conn: &Connection,
    tenant: TenantId,
    id: i64,
    old: &BTreeSet<String>,
    new: &BTreeSet<String>,
) -> Result<Option<bool>, StoreError> {
    if old == new {
        return Ok(None);
    }
    let (gone, added) = side_changes(old, new);
    let mut delete =
        conn.prepare_cached("DELETE FROM record_phones WHERE tenant_id = ?1 AND phone = ?2 AND record_id = ?3")?;
    for phone in &gone {
        delete.execute(params![tenant, PhoneKey::of(phone), id])?;
    }
    insert_phones(conn, tenant, id, added.iter())?;
    Ok(Some(any_listed(conn, tenant, new)?))
}

pub fn update_records(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    project: i64,
    updates: &[RecordUpdate],
) -> Result<Vec<ItemResult<u64>>, StoreError> {
    let mut exists = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM records WHERE id = ?1 AND project_id = ?2)")?;
    // A failing look-up fails the request; it does not make the record "missing".
    let (missing, writes) = live_writes(updates, |id| exists.query_row(params![id, project], |r| r.get(0)))?;
    let (changes, schema) = resolve(conn, cache, tenant, project, &writes)?;
    let changes = with_rejections(missing, changes);
    let now = calldate::now_seconds();
    let mut results = Vec::with_capacity(updates.len());
    // In order: each element sees what the ones before it wrote.
    for (update, changes) in updates.iter().zip(changes) {
        if let (RecordTarget::Search(pairs), Ok(changes)) = (&update.target, &changes)
            && let Some(patch) = doc_only_patch(&update.write, changes, &schema)
            && let Some(search) = search_sql(tenant, project, &schema, pairs, None, &SQLITE)
        {
            results.push(Ok(patch_docs(conn, tenant, project, &search, &patch, now)?));
            continue;
        }
        let outcome = match changes {
            Ok(changes) => match select_targets(conn, tenant, project, &schema, update.target.base())? {
                Ok(targets) => {
                    let mut applied = 0;
                    for &id in &targets {
                        let old = load_row(conn, id)?;
                        if update.target.skips_handled() && old.is_handled(now) {
                            continue;
                        }
                        let mut row = old.clone();
                        row.apply(&update.write, &changes, now);
                        store_row(conn, tenant, &schema, &old, &row)?;
                        if let Some(d) = &update.write.disposition {
                            insert_disposition(conn, tenant, id, d)?;
                        }
                        applied += 1;
                    }
                    match update.target.named_id() {
                        Some(id) if applied == 0 => Err(record_in_call(id)),
                        _ => Ok(applied),
                    }
                }
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        results.push(outcome);
    }
    Ok(results)
}

/// Fields' new values in the document; none removes the field.
type DocPatch = FormChanges;

/// The document changes of a write that touches nothing but fields no index, side table or
/// flag follows (not indexed, not `phone1`..`phone9`): one statement applies them to
/// every record a search reaches, instead of a read and a write per record.
fn doc_only_patch(write: &RecordWrite, changes: &FormChanges, schema: &ProjectSchema) -> Option<DocPatch> {
    let RecordWrite {
        form: _,
        contacts,
        phone_field,
        next_calldate,
        premium,
        disposition,
        user_data,
    } = write;
    let form_only = contacts.is_empty()
        && phone_field.is_none()
        && next_calldate.is_none()
        && premium.is_none()
        && disposition.is_none()
        && user_data.is_none();
    // Under calling hours a changed number may change the record's zones: row by row.
    if !form_only || schema.rules.schedule().is_some() {
        return None;
    }
    changes
        .iter()
        .map(|(field, values)| {
            let plain = schema
                .field_by_id(*field)
                .is_some_and(|f| !f.indexed && phone_slot(&f.name).is_none());
            plain.then(|| (*field, values.clone()))
        })
        .collect()
}

/// Records from which a batch modification writes its change-feed events itself, with the
/// triggers off: below it, the triggers' per-row work costs less than compiling the
/// writer's statements again after switching them.
const DIRECT_EVENTS_FROM: usize = 512;

/// Applies `patch` and the update time to every record `search` finds; returns how many.
///
/// Record by record, each a read of the document, the patch applied in Rust and a
/// single-row UPDATE, not one UPDATE over all of them: a statement that writes several rows
/// and calls a function must be able to undo itself, so SQLite copies every page it changes
/// into a statement journal first (100,000 records: hundreds of MiB written to a temporary
/// file and thrown away). From [`DIRECT_EVENTS_FROM`] records on, the triggers are off and
/// the `modify` events (a record whose document changed) are written 64 to a statement:
/// the feed's row trigger was 40% of such a modification.
fn patch_docs(
    conn: &Connection,
    tenant: TenantId,
    project: i64,
    search: &SearchSql,
    patch: &DocPatch,
    now: i64,
) -> Result<u64, StoreError> {
    let ids = search_ids(conn, search)?;
    let patch = packed::Patch::new(patch);
    let mut read = conn.prepare_cached("SELECT data FROM records WHERE id = ?1")?;
    let mut write = conn.prepare_cached("UPDATE records SET data = ?1, updated_at = ?2 WHERE id = ?3")?;
    // Some: the events this write makes itself, with the triggers off.
    let mut events = if ids.len() >= DIRECT_EVENTS_FROM {
        FeedEvents::modifications(conn, tenant, project, now)?
    } else {
        None
    };
    let triggers_off = events.is_some().then(|| TriggersOff::new(conn)).transpose()?;
    let mut updated = 0;
    for id in ids {
        read.raw_bind_parameter(1, id)?;
        let mut rows = read.raw_query();
        let Some(row) = rows.next()? else { continue };
        let stored = row.get_ref(0)?;
        let patched = patch.apply(stored).map_err(|e| StoreError::Backend(e.to_string()))?;
        // An unchanged document keeps its bytes (a row of an earlier format its format).
        let data = match patched {
            None => ToSqlOutput::Borrowed(stored),
            Some(patched) => {
                if let Some(events) = &mut events {
                    events.push(id);
                }
                ToSqlOutput::Owned(Value::Blob(patched))
            }
        };
        updated += write.execute(params![data, now, id])? as u64;
    }
    drop(triggers_off);
    if let Some(events) = &mut events {
        events.flush(conn)?;
    }
    Ok(updated)
}

/// The ids an update reaches, in id order, or why its target is wrong.
pub fn select_targets(
    conn: &Connection,
    tenant: TenantId,
    project: i64,
    schema: &ProjectSchema,
    target: &RecordTarget,
) -> Result<ItemResult<Vec<i64>>, StoreError> {
    match target {
        RecordTarget::Id(id) => {
            let found: Option<i64> = conn
                .prepare_cached("SELECT id FROM records WHERE id = ?1 AND project_id = ?2")?
                .query_row(params![id, project], |r| r.get(0))
                .optional()?;
            Ok(found.map(|id| vec![id]).ok_or_else(|| record_not_exists(*id)))
        }
        RecordTarget::Dispositions(matches) => {
            let mut sql = Binds::default();
            let project = sql.arg(&SQLITE, SqlArg::Integer(project));
            let condition =
                disposition_condition(&mut sql, &SQLITE, matches, ["r.id", "d.disposition_id", "d.user_id"]);
            let ids = conn
                .prepare_cached(&format!(
                    "SELECT r.id FROM records r LEFT JOIN dispositions d
                       ON d.id = (SELECT max(id) FROM dispositions WHERE record_id = r.id)
                     WHERE r.project_id = {project} AND {condition} ORDER BY r.id"
                ))?
                .query_map(params_from_iter(sql_values(&sql.args)), |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(Ok(ids))
        }
        RecordTarget::NotHandled(inner) => select_targets(conn, tenant, project, schema, inner),
        RecordTarget::Search(pairs) => {
            let Some(search) = search_sql(tenant, project, schema, pairs, None, &SQLITE) else {
                return Ok(Err(unknown_search_field(schema, pairs)));
            };
            Ok(Ok(search_ids(conn, &search)?))
        }
    }
}

/// The ids a search finds, in id order.
fn search_ids(conn: &Connection, search: &SearchSql) -> Result<Vec<i64>, StoreError> {
    Ok(conn
        .prepare_cached(&search.ids)?
        .query_map(params_from_iter(sql_values(&search.args)), |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Shared SQL arguments as rusqlite values.
pub fn sql_values(args: &[SqlArg]) -> Vec<Value> {
    args.iter()
        .map(|arg| match arg {
            SqlArg::Integer(n) => Value::Integer(*n),
            SqlArg::Text(text) => Value::Text(text.clone()),
        })
        .collect()
}

#[async_trait]
impl RecordStore for SqliteStore {
    async fn insert_records(
        &self,
        tenant: TenantId,
        project_id: i64,
        records: Vec<RecordWrite>,
        atomic: bool,
    ) -> Result<Vec<ItemResult<i64>>, StoreError> {
        // The rows are built on a reader, beside the writer, which then only stores them.
        let (records, prepared) = self
            .read(move |tx, cache| {
                let prepared = prepare_insert(tx, cache, tenant, project_id, &records)?;
                Ok((records, prepared))
            })
            .await?;
        let (results, spent) = self
            .write(move |tx, cache| {
                project(tx, tenant, project_id)?;
                let (results, rows) = store_rows(tx, cache, tenant, project_id, &records, prepared)?;
                Ok((all_or_nothing(results, atomic)?, (records, rows)))
            })
            .await?;
        drop(spent);
        Ok(results)
    }

    async fn import_record(
        &self,
        tenant: TenantId,
        project_id: i64,
        write: RecordWrite,
        overwrite: bool,
    ) -> Result<Imported, StoreError> {
        self.write(move |tx, cache| import_record(tx, cache, tenant, project_id, write, overwrite))
            .await
    }

    async fn update_records(
        &self,
        tenant: TenantId,
        project_id: i64,
        updates: Vec<RecordUpdate>,
    ) -> Result<Vec<ItemResult<u64>>, StoreError> {
        self.write(move |tx, cache| {
            project(tx, tenant, project_id)?;
            update_records(tx, cache, tenant, project_id, &updates)
        })
        .await
    }

    async fn get_record(&self, tenant: TenantId, project_id: i64, record: i64) -> Result<Record, StoreError> {
        self.read_point(move |tx, cache| records_read::get_record(tx, cache, tenant, project_id, record))
            .await
    }

    async fn list_records(
        &self,
        tenant: TenantId,
        project_id: i64,
        query: RecordQuery,
    ) -> Result<(Vec<Record>, u64), StoreError> {
        self.read(move |tx, cache| {
            project(tx, tenant, project_id)?;
            records_read::list_records(tx, cache, tenant, project_id, &query)
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
        self.read(move |tx, cache| {
            project(tx, tenant, project_id)?;
            records_read::records_after(tx, cache, project_id, after, limit)
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
        let page = self
            .read(move |tx, cache| {
                project(tx, tenant, project_id)?;
                records_read::unparsed_page_after(tx, cache, project_id, after, limit)
            })
            .await?;
        records_read::render_page(page, render).await
    }

    async fn modify_contact(
        &self,
        tenant: TenantId,
        project_id: i64,
        record: i64,
        contact: Contact,
    ) -> Result<(), StoreError> {
        self.write(move |tx, cache| {
            project(tx, tenant, project_id)?;
            let update = contact_update(&*schema(tx, cache, project_id)?, record, contact)?;
            single_update_outcome(update_records(tx, cache, tenant, project_id, &[update])?)
        })
        .await
    }

    async fn find_records(&self, tenant: TenantId, key: RecordKey) -> Result<Vec<Record>, StoreError> {
        self.read_point(move |tx, cache| dialler::find_records(tx, cache, tenant, &key))
            .await
    }

    async fn delete_record(&self, tenant: TenantId, key: RecordKey) -> Result<i64, StoreError> {
        self.write(move |tx, cache| dialler::delete_record(tx, cache, tenant, &key))
            .await
    }

    async fn set_locked(&self, tenant: TenantId, key: RecordKey, locked: bool) -> Result<i64, StoreError> {
        self.write(move |tx, _| dialler::set_locked(tx, tenant, &key, locked))
            .await
    }
}
