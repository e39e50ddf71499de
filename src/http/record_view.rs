//! Parts of a record's JSON that several APIs show the same way.

use crate::domain::record::Record;
use serde_json::{Map, Value, json};

/// The form as texts by field name; several values are joined by `|`.
pub fn form_texts(record: &Record) -> Map<String, Value> {
    record
        .form
        .iter()
        .map(|entry| (entry.name.clone(), Value::String(entry.text())))
        .collect()
}

/// The contacts keyed by their phone field (`phone1`..`phone9`), as VCC Live keys them.
pub fn contacts(record: &Record) -> Map<String, Value> {
    record
        .contacts
        .iter()
        .map(|c| {
            (
                format!("phone{}", c.slot),
                json!({"title": c.title, "name": c.name, "phone": c.phone, "email": c.email}),
            )
        })
        .collect()
}
