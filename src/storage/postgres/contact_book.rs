//! The iovox contact book on PostgreSQL, as on SQLite: a project per tenant whose
//! records are the contacts (`user_data` = contact_id, one text field per detail).
//! Every writer first locks the tenant's `contact_books` row, so requests from any
//! node validate and write one after another and never both pass a uniqueness check.
//! Snapshots load in a few array queries, however many contacts a request names.

use super::PostgresStore;
use super::fields::{create_project, current_schema};
use super::records_read::{ROW_COLUMNS, ROW_WIDTH, row_of};
use super::records_write::{delete_rows, insert_records, update_records};
use super::rules;
use super::rules::{release_rules, rule_uses};
use super::search::{Condition, borrowed, key, text_contains, text_equals};
use super::{PgResult, Tx};
use crate::domain::iovox::book::{BookSnapshot, candidate_display_names, plan_contacts, request_contact_ids};
use crate::domain::iovox::{ContactQuery, ContactView, ContactsRequest, DeleteTarget, Detail, Mode, validate_delete};
use crate::domain::iovox::{RuleTemplateInput, RuleTemplateView};
use crate::domain::record::FormEntry;
use crate::domain::schema::ProjectSchema;
use crate::storage::ContactBookStore;
use crate::storage::shared::contact_book::{
    BOOK_NAME, POSTGRES_BOOK, book_contact, contact_updates, first_rejection, order_by,
};
use crate::storage::{StoreError, TenantId};
use async_trait::async_trait;
use deadpool_postgres::Transaction;
use futures_util::TryStreamExt;
use std::collections::{HashMap, HashSet};
use tokio_postgres::types::ToSql;

/// The tenant's contact book, for reading.
async fn find_book(tx: &Transaction<'_>, tenant: TenantId) -> PgResult<Option<i64>> {
    let statement = tx
        .prepare_cached("SELECT project_id FROM contact_books WHERE tenant_id = $1")
        .await?;
    Ok(tx.query_opt(&statement, &[&tenant]).await?.map(|r| r.get(0)))
}

/// The tenant's contact book, its row locked until the transaction ends.
pub async fn lock_book(tx: &Transaction<'_>, tenant: TenantId) -> PgResult<Option<i64>> {
    let statement = tx
        .prepare_cached("SELECT project_id FROM contact_books WHERE tenant_id = $1 FOR UPDATE")
        .await?;
    Ok(tx.query_opt(&statement, &[&tenant]).await?.map(|r| r.get(0)))
}

/// The tenant's contact book, locked; created on first use. Of two first writers the
/// second one's insert waits for the first's commit, then it drops the project it
/// made and locks the first one's book.
async fn ensure_locked_book(tx: &Tx<'_>, tenant: TenantId) -> PgResult<i64> {
    if let Some(book) = lock_book(tx, tenant).await? {
        return Ok(book);
    }
    // Its schema is this transaction's own until the commit: not for the cache.
    tx.mark_schema_changed();
    let project = create_project(tx, tenant, BOOK_NAME).await?;
    let created = tx
        .query_opt(
            "INSERT INTO contact_books (tenant_id, project_id) VALUES ($1, $2)
             ON CONFLICT (tenant_id) DO NOTHING RETURNING project_id",
            &[&tenant, &project],
        )
        .await?;
    if created.is_some() {
        return Ok(project);
    }
    tx.execute(
        "DELETE FROM projects WHERE tenant_id = $1 AND id = $2",
        &[&tenant, &project],
    )
    .await?;
    let book = lock_book(tx, tenant).await?;
    Ok(book.ok_or_else(|| StoreError::Backend("the contact book was deleted while being created".into()))?)
}

/// The contact book's records matching `condition` (on `records r`; `$1` is the tenant,
/// `$2` the book) that have a contact_id: (contact_id, record, form), in `order`.
async fn holders(
    tx: &Tx<'_>,
    tenant: TenantId,
    book: i64,
    condition: &str,
    params: &[&(dyn ToSql + Sync)],
    order: &str,
) -> PgResult<Vec<(String, i64, Vec<FormEntry>)>> {
    let schema = current_schema(tx, tenant, book).await?;
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM records r
         WHERE r.tenant_id = $1 AND r.project_id = $2 AND r.user_data IS NOT NULL AND {condition} ORDER BY {order}"
    );
    let statement = tx.prepare_cached(&sql).await?;
    let mut found = Vec::new();
    for r in tx.query(&statement, params).await? {
        let row = row_of(&r)?;
        let contact_id = row.user_data.clone().unwrap_or_default();
        let id = row.id;
        found.push((contact_id, id, row.into_record(&schema, Vec::new()).form));
    }
    Ok(found)
}

/// Adds these holders' contacts to the snapshot, in order.
fn add_holders(holders: Vec<(String, i64, Vec<FormEntry>)>, snapshot: &mut BookSnapshot) {
    for (contact_id, record, form) in holders {
        snapshot.insert_contact(contact_id, book_contact(record, form));
    }
}

/// The record of each of these contact ids that has one (the oldest, should the VCC Live
/// API have given another record of the book the same user_data), with its form.
async fn contact_records(
    tx: &Tx<'_>,
    tenant: TenantId,
    book: i64,
    contact_ids: &[String],
) -> PgResult<Vec<(String, i64, Vec<FormEntry>)>> {
    // TEXT cannot hold a NUL, so no contact has an id with one (nor can it be bound).
    let contact_ids: Vec<&str> = contact_ids
        .iter()
        .map(String::as_str)
        .filter(|id| !id.contains('\0'))
        .collect();
    let condition = "r.user_data = ANY($3) AND r.id = (SELECT min(o.id) FROM records o
        WHERE o.tenant_id = r.tenant_id AND o.user_data = r.user_data AND o.project_id = r.project_id)";
    holders(
        tx,
        tenant,
        book,
        condition,
        &[&tenant, &book, &contact_ids],
        "r.user_data, r.id",
    )
    .await
}

/// Adds the contacts with these ids (those that exist) to the snapshot.
pub async fn load_contacts(
    tx: &Tx<'_>,
    tenant: TenantId,
    book: i64,
    contact_ids: &[String],
    snapshot: &mut BookSnapshot,
) -> PgResult<()> {
    add_holders(contact_records(tx, tenant, book, contact_ids).await?, snapshot);
    Ok(())
}

/// Adds the contacts holding one of these display names to the snapshot.
async fn load_by_display_names(
    tx: &Tx<'_>,
    tenant: TenantId,
    book: i64,
    names: &[String],
    snapshot: &mut BookSnapshot,
) -> PgResult<()> {
    let schema = current_schema(tx, tenant, book).await?;
    let Some(field) = schema.field(Detail::DisplayName.field()) else {
        return Ok(());
    };
    let condition = "(r.data -> $3::text) ?| $4::text[]";
    let params: [&(dyn ToSql + Sync); 4] = [&tenant, &book, &key(field.id), &names];
    add_holders(holders(tx, tenant, book, condition, &params, "r.id").await?, snapshot);
    Ok(())
}

/// createContacts / updateContacts: see `Store::write_contacts`.
pub async fn write_contacts(tx: &Tx<'_>, tenant: TenantId, mode: Mode, request: &ContactsRequest) -> PgResult<()> {
    let book = ensure_locked_book(tx, tenant).await?;
    let mut snapshot = BookSnapshot::default();
    load_contacts(tx, tenant, book, &request_contact_ids(request), &mut snapshot).await?;
    let names = candidate_display_names(request, &snapshot);
    load_by_display_names(tx, tenant, book, &names, &mut snapshot).await?;
    for (record, detail) in rule_uses(tx, tenant, &snapshot.record_ids()).await? {
        snapshot.insert_rule_use(record, detail);
    }
    let plan = plan_contacts(request, mode, &snapshot)?;
    let released: Vec<(i64, Option<Detail>)> = plan.released.iter().map(|&(r, d)| (r, Some(d))).collect();
    release_rules(tx, tenant, &released).await?;
    first_rejection(insert_records(tx, tenant, book, &plan.inserts).await?)?;
    Ok(first_rejection(
        update_records(tx, tenant, book, &contact_updates(plan.updates)).await?,
    )?)
}

/// deleteContacts: see `Store::delete_contacts`.
pub async fn delete_contacts(tx: &Tx<'_>, tenant: TenantId, contact_ids: &[String], rm_rules: bool) -> PgResult<()> {
    let records: HashMap<String, i64> = match lock_book(tx, tenant).await? {
        Some(book) => contact_records(tx, tenant, book, contact_ids)
            .await?
            .into_iter()
            .map(|(contact_id, record, _)| (contact_id, record))
            .collect(),
        None => HashMap::new(),
    };
    let found: Vec<i64> = records.values().copied().collect();
    let used: HashSet<i64> = rule_uses(tx, tenant, &found)
        .await?
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    let targets: Vec<DeleteTarget> = contact_ids
        .iter()
        .map(|id| records.get(id).map(|&record| (record, used.contains(&record))))
        .collect();
    let doomed = validate_delete(&targets, rm_rules)?;
    let released: Vec<(i64, Option<Detail>)> = doomed.iter().map(|&record| (record, None)).collect();
    release_rules(tx, tenant, &released).await?;
    delete_rows(tx, tenant, &doomed).await
}

/// getContacts' filter on `records r` of the book: every given filter must match; one on
/// a detail no contact has yet (no such field), or holding a NUL (which no contact can
/// hold, and PostgreSQL cannot bind), matches nothing.
fn contact_filter(tenant: TenantId, book: i64, schema: &ProjectSchema, query: &ContactQuery) -> Condition {
    let mut c = Condition::default();
    let (t, b) = (c.bind(tenant), c.bind(book));
    c.and(&format!(
        "r.tenant_id = {t} AND r.project_id = {b} AND r.user_data IS NOT NULL"
    ));
    if let Some(contact_id) = &query.contact_id {
        if contact_id.contains('\0') {
            c.and("FALSE");
        } else {
            let id = c.bind(contact_id.clone());
            c.and(&format!("r.user_data = {id}"));
        }
    }
    if let Some(since) = query.updated_since {
        let since = c.bind(since);
        c.and(&format!("r.updated_at >= {since}"));
    }
    let searches = [
        (&query.display_name, &[Detail::DisplayName][..], true),
        (&query.company, &[Detail::Company], false),
        (&query.email, &[Detail::Email, Detail::Email2], false),
        (&query.phone_number, &Detail::PHONES, false),
    ];
    for (wanted, details, contains) in searches {
        let Some(wanted) = wanted else { continue };
        let fields: Vec<i64> = details
            .iter()
            .filter_map(|d| schema.field(d.field()).map(|f| f.id))
            .collect();
        if fields.is_empty() || wanted.contains('\0') {
            c.and("FALSE");
            continue;
        }
        let text = c.bind(wanted.clone());
        let tests: Vec<String> = fields
            .iter()
            .map(|&field| {
                let k = c.bind(key(field));
                if contains {
                    text_contains(&k, &text)
                } else {
                    text_equals(&k, &text)
                }
            })
            .collect();
        c.and(&format!("({})", tests.join(" OR ")));
    }
    c
}

/// getContacts / getContactDetails: a page in creation order and the total.
pub async fn list_contacts(tx: &Tx<'_>, tenant: TenantId, query: &ContactQuery) -> PgResult<(Vec<ContactView>, u64)> {
    let Some(book) = find_book(tx, tenant).await? else {
        return Ok((Vec::new(), 0));
    };
    let schema = current_schema(tx, tenant, book).await?;
    let filter = contact_filter(tenant, book, &schema, query);
    let params = borrowed(&filter.params);
    let count = format!("SELECT count(*) FROM records r WHERE {}", filter.sql);
    let total: i64 = tx.query_one(&count, &params).await?.get(0);
    let assigned = if query.needs_assigned_status() {
        POSTGRES_BOOK.assigned
    } else {
        "FALSE"
    };
    let page = format!(
        "SELECT {ROW_COLUMNS}, {assigned} FROM records r WHERE {} ORDER BY {} LIMIT {} OFFSET {}",
        filter.sql,
        order_by(query, &schema, &POSTGRES_BOOK),
        query.limit,
        query.offset()
    );
    // Row by row: a page of 20,000 holds only the fields asked for, never all rows at once.
    let rows = tx.query_raw(&page, params).await?;
    futures_util::pin_mut!(rows);
    let mut contacts = Vec::new();
    while let Some(r) = rows.try_next().await? {
        let row = row_of(&r)?;
        let assigned: bool = r.get(ROW_WIDTH);
        let (record, contact_id) = (row.id, row.user_data.clone().unwrap_or_default());
        let details = book_contact(record, row.into_record(&schema, Vec::new()).form).details;
        contacts.push(query.view(contact_id, details, assigned));
    }
    Ok((contacts, u64::try_from(total).unwrap_or_default()))
}

#[async_trait]
impl ContactBookStore for PostgresStore {
    async fn write_contacts(&self, tenant: TenantId, mode: Mode, request: ContactsRequest) -> Result<(), StoreError> {
        self.write(request, |tx, request| {
            Box::pin(write_contacts(tx, tenant, mode, request))
        })
        .await
    }

    async fn delete_contacts(
        &self,
        tenant: TenantId,
        contact_ids: Vec<String>,
        rm_rules: bool,
    ) -> Result<(), StoreError> {
        self.write(contact_ids, |tx, contact_ids| {
            Box::pin(delete_contacts(tx, tenant, contact_ids, rm_rules))
        })
        .await
    }

    async fn list_contacts(
        &self,
        tenant: TenantId,
        query: ContactQuery,
    ) -> Result<(Vec<ContactView>, u64), StoreError> {
        self.read(query, |tx, query| Box::pin(list_contacts(tx, tenant, query)))
            .await
    }

    async fn create_rule_templates(
        &self,
        tenant: TenantId,
        templates: Vec<RuleTemplateInput>,
    ) -> Result<(), StoreError> {
        self.write(templates, |tx, templates| {
            Box::pin(rules::create_rule_templates(tx, tenant, templates))
        })
        .await
    }

    async fn list_rule_templates(&self, tenant: TenantId) -> Result<Vec<RuleTemplateView>, StoreError> {
        self.read((), |tx, ()| Box::pin(rules::list_rule_templates(tx, tenant)))
            .await
    }
}
