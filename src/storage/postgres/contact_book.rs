//! The iovox contact book on PostgreSQL, as on SQLite: a project per tenant whose
//! records are the contacts (`user_data` = contact_id, one text field per detail).
//! Every writer first locks the tenant's `contact_books` row, so requests from any
//! node validate and write one after another and never both pass a uniqueness check.
//! Snapshots load in a few array queries, however many contacts a request names.

use super::PgResult;
use super::fields::{create_project, load_schema};
use super::records_read::{Params, borrowed, load_forms};
use super::records_write::{insert_records, update_records};
use super::rules::{release_rules, rule_uses};
use crate::domain::iovox::book::{BookSnapshot, candidate_display_names, plan_contacts, request_contact_ids};
use crate::domain::iovox::{ContactQuery, ContactView, ContactsRequest, DeleteTarget, Detail, Mode, validate_delete};
use crate::storage::shared::contact_book::{BOOK_NAME, ContactFilter, book_contact, contact_updates, first_rejection};
use crate::storage::shared::{POSTGRES, SqlArg};
use crate::storage::{StoreError, TenantId};
use deadpool_postgres::Transaction;
use std::collections::{HashMap, HashSet};

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
async fn ensure_locked_book(tx: &Transaction<'_>, tenant: TenantId) -> PgResult<i64> {
    if let Some(book) = lock_book(tx, tenant).await? {
        return Ok(book);
    }
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
    tx.execute("DELETE FROM projects WHERE id = $1", &[&project]).await?;
    let book = lock_book(tx, tenant).await?;
    Ok(book.ok_or_else(|| StoreError::Backend("the contact book was deleted while being created".into()))?)
}

/// The record of each of these contact ids that has one: the oldest, should the VCC
/// Live API have given another record of the book the same user_data.
async fn contact_records(
    tx: &Transaction<'_>,
    tenant: TenantId,
    book: i64,
    contact_ids: &[String],
) -> PgResult<Vec<(String, i64)>> {
    let statement = tx
        .prepare_cached(
            "SELECT DISTINCT ON (user_data) user_data, id FROM records
             WHERE tenant_id = $1 AND project_id = $2 AND user_data = ANY($3) ORDER BY user_data, id",
        )
        .await?;
    // TEXT cannot hold a NUL, so no contact has an id with one (nor can it be bound).
    let contact_ids: Vec<&str> = contact_ids
        .iter()
        .map(String::as_str)
        .filter(|id| !id.contains('\0'))
        .collect();
    let rows = tx.query(&statement, &[&tenant, &book, &contact_ids]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Adds these (contact_id, record) holders' contacts to the snapshot, in order.
async fn load_holders(tx: &Transaction<'_>, holders: Vec<(String, i64)>, snapshot: &mut BookSnapshot) -> PgResult<()> {
    let records: Vec<i64> = holders.iter().map(|(_, record)| *record).collect();
    let forms = load_forms(tx, &records).await?;
    for (contact_id, record) in holders {
        let form = forms.get(&record).cloned().unwrap_or_default();
        snapshot.insert_contact(contact_id, book_contact(record, form));
    }
    Ok(())
}

/// Adds the contacts with these ids (those that exist) to the snapshot.
pub async fn load_contacts(
    tx: &Transaction<'_>,
    tenant: TenantId,
    book: i64,
    contact_ids: &[String],
    snapshot: &mut BookSnapshot,
) -> PgResult<()> {
    let holders = contact_records(tx, tenant, book, contact_ids).await?;
    load_holders(tx, holders, snapshot).await
}

/// Adds the contacts holding one of these display names to the snapshot.
async fn load_by_display_names(
    tx: &Transaction<'_>,
    book: i64,
    names: &[String],
    snapshot: &mut BookSnapshot,
) -> PgResult<()> {
    let schema = load_schema(tx, book).await?;
    let Some(field) = schema.field(Detail::DisplayName.element_name()) else {
        return Ok(());
    };
    let statement = tx
        .prepare_cached(
            "SELECT r.user_data, v.record_id FROM record_values v JOIN records r ON r.id = v.record_id
             WHERE v.field_id = $1 AND v.value = ANY($2) AND r.user_data IS NOT NULL ORDER BY v.record_id",
        )
        .await?;
    let rows = tx.query(&statement, &[&field.id, &names]).await?;
    load_holders(tx, rows.iter().map(|r| (r.get(0), r.get(1))).collect(), snapshot).await
}

/// createContacts / updateContacts: see `Store::write_contacts`.
pub async fn write_contacts(
    tx: &Transaction<'_>,
    tenant: TenantId,
    mode: Mode,
    request: &ContactsRequest,
) -> PgResult<()> {
    let book = ensure_locked_book(tx, tenant).await?;
    let mut snapshot = BookSnapshot::default();
    load_contacts(tx, tenant, book, &request_contact_ids(request), &mut snapshot).await?;
    let names = candidate_display_names(request, &snapshot);
    load_by_display_names(tx, book, &names, &mut snapshot).await?;
    for (record, detail) in rule_uses(tx, &snapshot.record_ids()).await? {
        snapshot.insert_rule_use(record, detail);
    }
    let plan = plan_contacts(request, mode, &snapshot)?;
    let released: Vec<(i64, Option<Detail>)> = plan.released.iter().map(|&(r, d)| (r, Some(d))).collect();
    release_rules(tx, &released).await?;
    first_rejection(insert_records(tx, tenant, book, &plan.inserts).await?)?;
    Ok(first_rejection(
        update_records(tx, book, &contact_updates(plan.updates)).await?,
    )?)
}

/// deleteContacts: see `Store::delete_contacts`.
pub async fn delete_contacts(
    tx: &Transaction<'_>,
    tenant: TenantId,
    contact_ids: &[String],
    rm_rules: bool,
) -> PgResult<()> {
    let records: HashMap<String, i64> = match lock_book(tx, tenant).await? {
        Some(book) => contact_records(tx, tenant, book, contact_ids)
            .await?
            .into_iter()
            .collect(),
        None => HashMap::new(),
    };
    let found: Vec<i64> = records.values().copied().collect();
    let used: HashSet<i64> = rule_uses(tx, &found).await?.into_iter().map(|(r, _)| r).collect();
    let targets: Vec<DeleteTarget> = contact_ids
        .iter()
        .map(|id| records.get(id).map(|&record| (record, used.contains(&record))))
        .collect();
    let doomed = validate_delete(&targets, rm_rules)?;
    let released: Vec<(i64, Option<Detail>)> = doomed.iter().map(|&record| (record, None)).collect();
    release_rules(tx, &released).await?;
    let statement = tx.prepare_cached("DELETE FROM records WHERE id = ANY($1)").await?;
    tx.execute(&statement, &[&doomed]).await?;
    Ok(())
}

/// getContacts / getContactDetails: a page in creation order and the total.
pub async fn list_contacts(
    tx: &Transaction<'_>,
    tenant: TenantId,
    query: &ContactQuery,
) -> PgResult<(Vec<ContactView>, u64)> {
    let Some(book) = find_book(tx, tenant).await? else {
        return Ok((Vec::new(), 0));
    };
    let filter = ContactFilter::new(book, &load_schema(tx, book).await?, query, &POSTGRES);
    let args: Params = filter
        .args
        .iter()
        .map(|arg| -> Box<dyn tokio_postgres::types::ToSql + Sync + Send> {
            match arg {
                SqlArg::Integer(n) => Box::new(*n),
                SqlArg::Text(text) => Box::new(text.clone()),
            }
        })
        .collect();
    let args = borrowed(&args);
    let total: i64 = tx.query_one(&filter.count_sql(), &args).await?.get(0);
    let page: Vec<(i64, String)> = tx
        .query(&filter.page_sql(query), &args)
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let records: Vec<i64> = page.iter().map(|(record, _)| *record).collect();
    let mut forms = load_forms(tx, &records).await?;
    let contacts = page
        .into_iter()
        .map(|(record, contact_id)| {
            let details = book_contact(record, forms.remove(&record).unwrap_or_default()).details;
            ContactView { contact_id, details }
        })
        .collect();
    Ok((contacts, u64::try_from(total).unwrap_or_default()))
}
