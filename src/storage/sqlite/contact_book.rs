//! The iovox contact book on SQLite: a project per tenant whose records are the
//! contacts (`user_data` = contact_id, one text field per detail). Validation and
//! writes run in the caller's write transaction, so the all-or-nothing rule holds.

use super::SqliteStore;
use super::dialler::delete_by_id;
use super::fields::{create_project, schema};
use super::records_read::to_record;
use super::records_write::{insert_records, load_row, sql_values, update_records};
use super::rules::{release_rules, rule_uses};
use crate::domain::iovox::book::{
    BookContact, BookSnapshot, candidate_display_names, plan_contacts, request_contact_ids,
};
use crate::domain::iovox::{ContactQuery, ContactView, ContactsRequest, DeleteTarget, Detail, Mode, validate_delete};
use crate::domain::iovox::{RuleTemplateInput, RuleTemplateView};
use crate::storage::ContactBookStore;
use crate::storage::shared::SQLITE;
use crate::storage::shared::contact_book::{BOOK_NAME, ContactFilter, book_contact, contact_updates, first_rejection};
use crate::storage::shared::schema_cache::SchemaCache;
use crate::storage::{StoreError, TenantId};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

pub fn find_book(conn: &Connection, tenant: TenantId) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT project_id FROM contact_books WHERE tenant_id = ?1")?
        .query_row([tenant], |r| r.get(0))
        .optional()?)
}

fn ensure_book(conn: &Connection, tenant: TenantId) -> Result<i64, StoreError> {
    if let Some(book) = find_book(conn, tenant)? {
        return Ok(book);
    }
    let project = create_project(conn, tenant, BOOK_NAME)?;
    conn.execute(
        "INSERT INTO contact_books (tenant_id, project_id) VALUES (?1, ?2)",
        params![tenant, project],
    )?;
    Ok(project)
}

/// The record of a contact; the oldest one should the VCC Live API have given
/// another record of the book the same user_data.
fn contact_record(conn: &Connection, tenant: TenantId, book: i64, contact_id: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM records WHERE tenant_id = ?1 AND user_data = ?2 AND project_id = ?3 ORDER BY id LIMIT 1",
        )?
        .query_row(params![tenant, contact_id, book], |r| r.get(0))
        .optional()?)
}

fn load_contact(conn: &Connection, cache: &SchemaCache, record_id: i64) -> Result<BookContact, StoreError> {
    let record = to_record(conn, cache, load_row(conn, record_id)?)?;
    Ok(book_contact(record_id, record.form))
}

/// Adds the contacts with these ids (those that exist) to the snapshot.
pub fn load_contacts(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    book: i64,
    contact_ids: &[String],
    snapshot: &mut BookSnapshot,
) -> Result<(), StoreError> {
    for contact_id in contact_ids {
        if let Some(record) = contact_record(conn, tenant, book, contact_id)? {
            snapshot.insert_contact(contact_id.clone(), load_contact(conn, cache, record)?);
        }
    }
    Ok(())
}

/// Adds the contacts holding one of these display names to the snapshot.
fn load_by_display_names(
    conn: &Connection,
    cache: &SchemaCache,
    book: i64,
    names: &[String],
    snapshot: &mut BookSnapshot,
) -> Result<(), StoreError> {
    let schema = schema(conn, cache, book)?;
    let Some(field) = schema.field(Detail::DisplayName.field()) else {
        return Ok(());
    };
    // One pass over the book for all the names (a scan per name made a 10,000-contact
    // request into a large book quadratic).
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.user_data FROM records r WHERE r.project_id = ?1 AND r.user_data IS NOT NULL
           AND EXISTS (SELECT 1 FROM json_each(dialbase_doc_json(r.data), '$.\"' || ?2 || '\"') v
                       WHERE v.type = 'text' AND v.value IN (SELECT value FROM json_each(?3)))
         ORDER BY r.id",
    )?;
    let names = serde_json::Value::from(names).to_string();
    let holders: Vec<(i64, String)> = stmt
        .query_map(params![book, field.id, names], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (record, contact_id) in holders {
        snapshot.insert_contact(contact_id, load_contact(conn, cache, record)?);
    }
    Ok(())
}

/// createContacts / updateContacts: see `Store::write_contacts`.
pub fn write_contacts(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    mode: Mode,
    request: &ContactsRequest,
) -> Result<(), StoreError> {
    let book = ensure_book(conn, tenant)?;
    let mut snapshot = BookSnapshot::default();
    load_contacts(conn, cache, tenant, book, &request_contact_ids(request), &mut snapshot)?;
    load_by_display_names(
        conn,
        cache,
        book,
        &candidate_display_names(request, &snapshot),
        &mut snapshot,
    )?;
    for record in snapshot.record_ids() {
        for detail in rule_uses(conn, record)? {
            snapshot.insert_rule_use(record, detail);
        }
    }
    let plan = plan_contacts(request, mode, &snapshot)?;
    for &(record, detail) in &plan.released {
        release_rules(conn, record, Some(detail))?;
    }
    first_rejection(insert_records(conn, cache, tenant, book, &plan.inserts, None)?)?;
    first_rejection(update_records(
        conn,
        cache,
        tenant,
        book,
        &contact_updates(plan.updates),
    )?)
}

/// deleteContacts: see `Store::delete_contacts`.
pub fn delete_contacts(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    contact_ids: &[String],
    rm_rules: bool,
) -> Result<(), StoreError> {
    let book = find_book(conn, tenant)?;
    let mut targets: Vec<DeleteTarget> = Vec::with_capacity(contact_ids.len());
    for contact_id in contact_ids {
        let record = match book {
            Some(book) => contact_record(conn, tenant, book, contact_id)?,
            None => None,
        };
        targets.push(match record {
            Some(record) => Some((record, !rule_uses(conn, record)?.is_empty())),
            None => None,
        });
    }
    for record in validate_delete(&targets, rm_rules)? {
        release_rules(conn, record, None)?;
        delete_by_id(conn, cache, tenant, record)?;
    }
    Ok(())
}

/// getContacts / getContactDetails: a page in the query's order, each contact with
/// only the fields asked for, and the number of all matching contacts.
pub fn list_contacts(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    query: &ContactQuery,
) -> Result<(Vec<ContactView>, u64), StoreError> {
    let Some(book) = find_book(conn, tenant)? else {
        return Ok((Vec::new(), 0));
    };
    let schema = schema(conn, cache, book)?;
    let filter = ContactFilter::new(book, &schema, query, &SQLITE);
    let args = sql_values(&filter.args);
    let total: i64 = conn
        .prepare_cached(&filter.count_sql())?
        .query_row(params_from_iter(&args), |r| r.get(0))?;
    let mut page = conn.prepare_cached(&filter.page_sql(query, &schema))?;
    let rows = page.query_map(params_from_iter(&args), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?))
    })?;
    let mut contacts = Vec::new();
    for row in rows {
        let (record, contact_id, assigned) = row?;
        let details = load_contact(conn, cache, record)?.details;
        contacts.push(query.view(contact_id, details, assigned));
    }
    Ok((contacts, u64::try_from(total).unwrap_or_default()))
}

#[async_trait]
impl ContactBookStore for SqliteStore {
    async fn write_contacts(&self, tenant: TenantId, mode: Mode, request: ContactsRequest) -> Result<(), StoreError> {
        self.write(move |tx, cache| write_contacts(tx, cache, tenant, mode, &request))
            .await
    }

    async fn delete_contacts(
        &self,
        tenant: TenantId,
        contact_ids: Vec<String>,
        rm_rules: bool,
    ) -> Result<(), StoreError> {
        self.write(move |tx, cache| delete_contacts(tx, cache, tenant, &contact_ids, rm_rules))
            .await
    }

    async fn list_contacts(
        &self,
        tenant: TenantId,
        query: ContactQuery,
    ) -> Result<(Vec<ContactView>, u64), StoreError> {
        self.read(move |tx, cache| list_contacts(tx, cache, tenant, &query))
            .await
    }

    async fn create_rule_templates(
        &self,
        tenant: TenantId,
        templates: Vec<RuleTemplateInput>,
    ) -> Result<(), StoreError> {
        self.write(move |tx, cache| super::rules::create_rule_templates(tx, cache, tenant, &templates))
            .await
    }

    async fn list_rule_templates(&self, tenant: TenantId) -> Result<Vec<RuleTemplateView>, StoreError> {
        self.read(move |tx, _| super::rules::list_rule_templates(tx, tenant))
            .await
    }
}
