//! Backend-neutral pieces both stores use, so SQLite and PostgreSQL answer alike:
//! the search SQL, the per-item errors, the update a "Modify contact" becomes, and (in
//! [`contact_book`] and [`dialler`]) the iovox contact book's and the dialer calls'.

pub mod contact_book;
pub mod dialler;
pub mod row;
pub mod schema_cache;

use super::{ItemResult, RecordTarget, RecordUpdate, StoreError};
use crate::domain::ValidationError;
use crate::domain::record::{Contact, FormEntry, RecordWrite, StoredValue};
use crate::domain::resolve::{Cell, SchemaAdditions, resolve_batch};
use crate::domain::schema::{FieldKind, ProjectSchema};

/// How a backend spells the parts of the search SQL that differ.
pub struct SqlDialect {
    /// The n-th bind parameter (1-based): `?1` or `$1`.
    pub param: fn(usize) -> String,
    /// Pattern match, case-insensitive at least for ASCII: SQLite's LIKE, Postgres' ILIKE.
    pub like: &'static str,
    /// A condition: the column's text contains the parameter's, ignoring ASCII case only.
    pub contains: fn(&str, &str) -> String,
}

pub const SQLITE: SqlDialect = SqlDialect {
    param: |n| format!("?{n}"),
    like: "LIKE",
    // SQLite's lower() folds ASCII only.
    contains: |column, param| format!("instr(lower({column}), lower({param})) > 0"),
};

pub const POSTGRES: SqlDialect = SqlDialect {
    param: |n| format!("${n}"),
    // On the "C"-collated value column ILIKE folds ASCII case only, as SQLite's LIKE.
    like: "ILIKE",
    // lower() folds ASCII only under "C"; the parameter would otherwise take the
    // database's collation.
    contains: |column, param| format!("strpos(lower({column}), lower({param}::text COLLATE \"C\")) > 0"),
};

/// A bind argument of SQL built here, for either backend to bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlArg {
    Integer(i64),
    Text(String),
}

/// SQL selecting the ids (column `id`) of records whose fields match every (name, value)
/// pair, and its arguments as (field id, text) pairs bound in order; the first pair
/// drives the (field_id, value) index. None when a field does not exist.
pub fn search_sql(
    schema: &ProjectSchema,
    pairs: &[(String, String)],
    dialect: &SqlDialect,
) -> Option<(String, Vec<(i64, String)>)> {
    let mut args = Vec::new();
    let mut conditions = Vec::new();
    for (name, value) in pairs {
        let field = schema.field(name)?;
        // Only `%` is a wildcard: `_` and the escape character match themselves.
        let wildcard = value.contains('%');
        let text = if wildcard {
            value.replace('\\', "\\\\").replace('_', "\\_")
        } else {
            value.clone()
        };
        args.push((field.id, text));
        let (f, v) = ((dialect.param)(2 * args.len() - 1), (dialect.param)(2 * args.len()));
        conditions.push(if wildcard {
            format!("field_id = {f} AND value {} {v} ESCAPE '\\'", dialect.like)
        } else {
            format!("field_id = {f} AND value = {v}")
        });
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

/// Why [`search_sql`] found nothing to search.
pub fn unknown_search_field(schema: &ProjectSchema, pairs: &[(String, String)]) -> ValidationError {
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

/// Resolves the forms of a batch of writes (see [`resolve_batch`]); a write holding
/// text no backend can store is rejected first and adds no fields or values.
pub fn resolve_writes(
    schema: &ProjectSchema,
    writes: &[&RecordWrite],
) -> (Vec<ItemResult<Vec<Cell>>>, SchemaAdditions) {
    let checked: Vec<ItemResult<()>> = writes.iter().map(|w| w.check_storable_text()).collect();
    let forms = writes
        .iter()
        .zip(&checked)
        .map(|(w, check)| if check.is_ok() { w.form.as_slice() } else { &[] });
    let (cells, additions) = resolve_batch(schema, forms);
    let cells = checked.into_iter().zip(cells).map(|(check, cells)| check.and(cells));
    (cells.collect(), additions)
}

/// Adds a stored value to a record's form. Values arrive ordered by field, then
/// ordinal: a new field opens an entry, named and typed by `entry`.
pub fn push_form_value(
    form: &mut Vec<FormEntry>,
    field_id: i64,
    entry: impl FnOnce() -> (String, FieldKind),
    value: StoredValue,
) {
    match form.last_mut() {
        Some(last) if last.field_id == field_id => last.values.push(value),
        _ => {
            let (name, kind) = entry();
            form.push(FormEntry {
                field_id,
                name,
                kind,
                values: vec![value],
            });
        }
    }
}

pub fn record_not_exists(id: i64) -> ValidationError {
    ValidationError::new("record_not_exists", format!("record {id} does not exist"))
}

pub fn value_exists(name: &str) -> ValidationError {
    ValidationError::new("value_name_already_exists", format!("value '{name}' already exists"))
}

pub fn value_not_exists(value: i64) -> ValidationError {
    ValidationError::new("value_not_exists", format!("value {value} does not exist"))
}

/// The update "Modify contact" makes: the slot's details, and its phone as `phoneN`.
/// The slot must exist in the project (VCC Live: contact 1 always does).
pub fn contact_update(schema: &ProjectSchema, record: i64, contact: Contact) -> Result<RecordUpdate, StoreError> {
    if !schema.has_contact_slot(contact.slot) {
        return Err(
            ValidationError::new("contact_not_exists", format!("contact {} does not exist", contact.slot)).into(),
        );
    }
    let mut write = RecordWrite {
        contacts: vec![contact],
        ..Default::default()
    };
    write.mirror_contact_phones();
    Ok(RecordUpdate {
        target: RecordTarget::Id(record),
        write,
    })
}

/// The outcome of a single-record update as a request-level result.
pub fn single_update_outcome(mut results: Vec<ItemResult<u64>>) -> Result<(), StoreError> {
    match results.pop() {
        Some(Ok(_)) => Ok(()),
        Some(Err(e)) if e.code == "record_not_exists" => Err(StoreError::NotFound("record")),
        Some(Err(e)) => Err(e.into()),
        None => Err(StoreError::Backend("update returned no result".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::{Field, FieldKind};

    /// A schema of text fields, (id, name).
    pub(super) fn text_fields(fields: &[(i64, &str)]) -> ProjectSchema {
        let field = |&(id, name): &(i64, &str)| Field {
            id,
            name: name.into(),
            label: None,
            kind: FieldKind::Text,
            indexed: false,
            values: vec![],
        };
        ProjectSchema::new(fields.iter().map(field).collect())
    }

    fn schema() -> ProjectSchema {
        text_fields(&[(1, "name"), (2, "city")])
    }

    #[test]
    fn only_percent_is_a_wildcard_and_params_follow_the_dialect() {
        let pairs = [
            ("name".to_string(), "a_b%".to_string()),
            ("city".to_string(), "Pécs".to_string()),
        ];
        let (sql, args) = search_sql(&schema(), &pairs, &POSTGRES).unwrap();
        assert!(sql.contains("field_id = $1 AND value ILIKE $2 ESCAPE '\\'"), "{sql}");
        assert!(sql.contains("field_id = $3 AND value = $4"), "{sql}");
        assert_eq!(args, vec![(1, "a\\_b%".to_string()), (2, "Pécs".to_string())]);
    }

    #[test]
    fn an_unknown_field_is_named() {
        let pairs = [("nope".to_string(), "x".to_string())];
        assert!(search_sql(&schema(), &pairs, &POSTGRES).is_none());
        assert_eq!(unknown_search_field(&schema(), &pairs).detail, "no field named 'nope'");
    }
}
