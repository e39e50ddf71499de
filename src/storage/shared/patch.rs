//! Batch modifications that only set plain fields: the document patch both backends apply
//! in SQL (SQLite `json_set`, PostgreSQL `||` on JSONB) instead of rebuilding each record.

use crate::domain::document::values_json;
use crate::domain::record::RecordWrite;
use crate::domain::schema::{ProjectSchema, phone_slot};
use crate::storage::shared::row::FormChanges;

/// A field's new values in the document (JSON), or `None` to remove the field.
pub type DocPatch = Vec<(i64, Option<String>)>;

/// The document changes of a write that touches nothing but fields no index, side table or
/// flag follows (not indexed, not `phone1`..`phone9`): a batch modification by search
/// applies them in SQL to every record it reaches, without building the records.
pub fn doc_only_patch(write: &RecordWrite, changes: &FormChanges, schema: &ProjectSchema) -> Option<DocPatch> {
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
            plain.then(|| (*field, values_json(values)))
        })
        .collect()
}
