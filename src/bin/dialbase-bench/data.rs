//! Deterministic benchmark records: 10 form fields (one multi-value, one single-value
//! list field), two phones and one contact, as a call centre's lead import looks.

use serde_json::{Value, json};

pub const SEGMENTS: usize = 10;
const INTERESTS: [&str; 8] = ["sports", "movies", "books", "travel", "music", "food", "cars", "garden"];
const CITIES: [&str; 6] = ["Budapest", "London", "Berlin", "Warsaw", "Bucharest", "Vienna"];

/// The segment value of record `i`; each of the [`SEGMENTS`] values holds a tenth of the records.
pub fn segment(i: usize) -> String {
    format!("S{}", i % SEGMENTS)
}

pub fn user_data(i: usize) -> String {
    format!("lead-{i}")
}

pub fn phone(i: usize, which: usize) -> String {
    format!("36{}{:08}", which, i)
}

/// The form of record `i` as (field, text) pairs; `interests` holds two `|`-separated values.
pub fn form(i: usize) -> Vec<(&'static str, String)> {
    vec![
        ("name", format!("Lead Number {i}")),
        ("city", CITIES[i % CITIES.len()].to_string()),
        ("email", format!("lead{i}@example.com")),
        ("company", format!("Company {}", i % 5000)),
        ("address", format!("{} Main Street", i % 999 + 1)),
        ("zip", format!("{:04}", i % 10000)),
        ("age", format!("{}", 18 + i % 60)),
        ("segment", segment(i)),
        ("notes", "imported by dialbase-bench".to_string()),
        ("interests", interests_of(i).join("|")),
    ]
}

/// Record `i` in VCC Live's "Add record" shape.
pub fn vcc_record(i: usize) -> Value {
    let form: serde_json::Map<String, Value> = form(i).into_iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    let mut form = form;
    form.insert("phone2".into(), json!(phone(i, 2)));
    json!({
        "form": form,
        "contacts": {"1": {"name": format!("Lead Number {i}"), "phone": phone(i, 1), "email": format!("lead{i}@example.com")}},
        "next_calldate": "2020-01-01 08:00:00",
    })
}

/// The fields to declare before the import: list fields need their kind.
pub fn field_declarations() -> Vec<Value> {
    vec![
        json!({"name": "interests", "type": "multiple", "values": INTERESTS.iter().map(|n| json!({"name": n})).collect::<Vec<_>>()}),
        json!({"name": "segment", "type": "simple", "values": (0..SEGMENTS).map(|s| json!({"name": format!("S{s}")})).collect::<Vec<_>>()}),
    ]
}

/// Two different interests per record.
pub fn interests_of(i: usize) -> [&'static str; 2] {
    [INTERESTS[i % 8], INTERESTS[(i % 8 + 1 + (i / 8) % 7) % 8]]
}
