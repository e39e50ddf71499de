//! The iovox contact book on SQLite: a project per tenant whose records are the
//! contacts (`user_data` = contact_id, one text field per detail). Validation and
//! writes run in the caller's write transaction, so the all-or-nothing rule holds.

use super::fields::{create_project, load_schema};
use super::records_read::load_form;
use super::records_write::{insert_records, update_records};
use super::rules::{release_rules, rule_uses};
use crate::domain::iovox::book::{
    BookContact, BookSnapshot, candidate_display_names, plan_contacts, request_contact_ids,
};
use crate::domain::iovox::{ContactQuery, ContactView, ContactsRequest, DeleteTarget, Detail, Mode, validate_delete};
use crate::storage::{ItemResult, RecordTarget, RecordUpdate, StoreError, TenantId};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

/// The name the contact book project shows under in the VCC Live API.
pub const BOOK_NAME: &str = "Contact book";

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

/// The contact details of a record (other fields, e.g. the phoneN mirrors, are left out).
fn load_contact(conn: &Connection, record_id: i64) -> Result<BookContact, StoreError> {
    let details = load_form(conn, record_id)?
        .into_iter()
        .filter_map(|entry| Detail::from_element(&entry.name).map(|detail| (detail, entry.values)))
        .flat_map(|(detail, values)| values.into_iter().map(move |v| (detail, v.text)))
        .collect();
    Ok(BookContact { record_id, details })
}

/// Adds the contacts with these ids (those that exist) to the snapshot.
pub fn load_contacts(
    conn: &Connection,
    tenant: TenantId,
    book: i64,
    contact_ids: &[String],
    snapshot: &mut BookSnapshot,
) -> Result<(), StoreError> {
    for contact_id in contact_ids {
        if let Some(record) = contact_record(conn, tenant, book, contact_id)? {
            snapshot.insert_contact(contact_id.clone(), load_contact(conn, record)?);
        }
    }
    Ok(())
}

/// Adds the contacts holding one of these display names to the snapshot.
fn load_by_display_names(
    conn: &Connection,
    book: i64,
    names: &[String],
    snapshot: &mut BookSnapshot,
) -> Result<(), StoreError> {
    let schema = load_schema(conn, book)?;
    let Some(field) = schema.field(Detail::DisplayName.element_name()) else {
        return Ok(());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT v.record_id, r.user_data FROM record_values v JOIN records r ON r.id = v.record_id
         WHERE v.field_id = ?1 AND v.value = ?2 AND r.user_data IS NOT NULL",
    )?;
    for name in names {
        let holders: Vec<(i64, String)> = stmt
            .query_map(params![field.id, name], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (record, contact_id) in holders {
            snapshot.insert_contact(contact_id, load_contact(conn, record)?);
        }
    }
    Ok(())
}

/// createContacts / updateContacts: see `Store::write_contacts`.
pub fn write_contacts(
    conn: &Connection,
    tenant: TenantId,
    mode: Mode,
    request: &ContactsRequest,
) -> Result<(), StoreError> {
    let book = ensure_book(conn, tenant)?;
    let mut snapshot = BookSnapshot::default();
    load_contacts(conn, tenant, book, &request_contact_ids(request), &mut snapshot)?;
    load_by_display_names(conn, book, &candidate_display_names(request, &snapshot), &mut snapshot)?;
    for record in snapshot.record_ids() {
        for detail in rule_uses(conn, record)? {
            snapshot.insert_rule_use(record, detail);
        }
    }
    let plan = plan_contacts(request, mode, &snapshot)?;
    for &(record, detail) in &plan.released {
        release_rules(conn, record, Some(detail))?;
    }
    first_rejection(insert_records(conn, tenant, book, &plan.inserts)?)?;
    let updates: Vec<RecordUpdate> = plan
        .updates
        .into_iter()
        .map(|(record, write)| RecordUpdate {
            target: RecordTarget::Id(record),
            write,
        })
        .collect();
    first_rejection(update_records(conn, book, &updates)?)
}

/// Any item the record layer rejects (e.g. a value over its length cap) rejects the request.
fn first_rejection<T>(results: Vec<ItemResult<T>>) -> Result<(), StoreError> {
    match results.into_iter().find_map(Result::err) {
        Some(e) => Err(StoreError::Invalid(e)),
        None => Ok(()),
    }
}

/// deleteContacts: see `Store::delete_contacts`.
pub fn delete_contacts(
    conn: &Connection,
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
        conn.prepare_cached("DELETE FROM records WHERE id = ?1")?
            .execute([record])?;
    }
    Ok(())
}

/// getContacts / getContactDetails: a page in creation order and the total.
pub fn list_contacts(
    conn: &Connection,
    tenant: TenantId,
    query: &ContactQuery,
) -> Result<(Vec<ContactView>, u64), StoreError> {
    let Some(book) = find_book(conn, tenant)? else {
        return Ok((Vec::new(), 0));
    };
    let schema = load_schema(conn, book)?;
    let field_ids = |details: &[Detail]| -> Vec<i64> {
        details
            .iter()
            .filter_map(|d| schema.field(d.element_name()).map(|f| f.id))
            .collect()
    };
    let mut filter = Filter::new(book);
    if let Some(contact_id) = &query.contact_id {
        filter.push("r.user_data = ?", vec![Value::Text(contact_id.clone())]);
    }
    let text_searches = [
        (&query.display_name, vec![Detail::DisplayName], true),
        (&query.company, vec![Detail::Company], false),
        (&query.email, vec![Detail::Email, Detail::Email2], false),
        (&query.phone_number, Detail::PHONES.to_vec(), false),
    ];
    for (wanted, details, contains) in text_searches {
        if let Some(wanted) = wanted {
            filter.value_in(&field_ids(&details), wanted, contains);
        }
    }
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM records r WHERE {}", filter.sql))?
        .query_row(params_from_iter(&filter.args), |r| r.get(0))?;
    let page_sql = format!(
        "SELECT r.id, r.user_data FROM records r WHERE {} ORDER BY r.id LIMIT {} OFFSET {}",
        filter.sql,
        query.limit,
        query.offset()
    );
    let page: Vec<(i64, String)> = conn
        .prepare_cached(&page_sql)?
        .query_map(params_from_iter(&filter.args), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let contacts = page
        .into_iter()
        .map(|(record, contact_id)| {
            let details = load_contact(conn, record)?.details;
            Ok(ContactView { contact_id, details })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((contacts, u64::try_from(total).unwrap_or_default()))
}

/// A WHERE clause over `records r` of the contact book, with its arguments.
struct Filter {
    sql: String,
    args: Vec<Value>,
}

impl Filter {
    fn new(book: i64) -> Self {
        Self {
            sql: "r.project_id = ? AND r.user_data IS NOT NULL".to_owned(),
            args: vec![Value::Integer(book)],
        }
    }

    fn push(&mut self, condition: &str, args: Vec<Value>) {
        self.sql.push_str(" AND ");
        self.sql.push_str(condition);
        self.args.extend(args);
    }

    /// One of the fields holds `wanted` (or, with `contains`, a value containing it,
    /// ignoring ASCII case). No such field: nothing matches.
    fn value_in(&mut self, fields: &[i64], wanted: &str, contains: bool) {
        if fields.is_empty() {
            self.push("0", Vec::new());
            return;
        }
        let marks = vec!["?"; fields.len()].join(", ");
        let test = if contains {
            "instr(lower(v.value), lower(?)) > 0"
        } else {
            "v.value = ?"
        };
        let condition = format!(
            "EXISTS (SELECT 1 FROM record_values v WHERE v.record_id = r.id AND v.field_id IN ({marks}) AND {test})"
        );
        let mut args: Vec<Value> = fields.iter().map(|&id| Value::Integer(id)).collect();
        args.push(Value::Text(wanted.to_owned()));
        self.push(&condition, args);
    }
}
