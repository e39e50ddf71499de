//! Deterministic benchmark records: 10 form fields (one multi-value, one single-value
//! list field), two phones and one contact, as a call centre's lead import looks; and the
//! same record as a row of the flat baseline table.

use serde_json::{Value, json};

pub const SEGMENTS: usize = 10;
const INTERESTS: [&str; 8] = ["sports", "movies", "books", "travel", "music", "food", "cars", "garden"];
const CITIES: [&str; 6] = ["Budapest", "London", "Berlin", "Warsaw", "Bucharest", "Vienna"];
pub const NEXT_CALLDATE: &str = "2020-01-01 08:00:00";

/// The segment value of record `i`; each of the [`SEGMENTS`] values holds a tenth of the records.
pub fn segment(i: usize) -> String {
    format!("S{}", i % SEGMENTS)
}

pub fn city(i: usize) -> &'static str {
    CITIES[i % CITIES.len()]
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
        ("city", city(i).to_string()),
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

/// Records `start..start + count` as a JSON array in VCC Live's "Add record" shape;
/// contact 1's phone is also `phone1`. Written straight into the body (the client shares
/// the machine with the server: building `serde_json::Value`s cost it a third of a core).
pub fn vcc_records(start: usize, count: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(count * 520);
    body.push(b'[');
    for i in start..start + count {
        if i > start {
            body.push(b',');
        }
        write_vcc_record(&mut body, i);
    }
    body.push(b']');
    body
}

fn write_vcc_record(out: &mut Vec<u8>, i: usize) {
    let text = |out: &mut Vec<u8>, s: &str| serde_json::to_writer(&mut *out, s).expect("writes to a Vec");
    out.extend_from_slice(b"{\"form\":{");
    for (key, value) in form(i).into_iter().chain([("phone2", phone(i, 2))]) {
        text(out, key);
        out.push(b':');
        text(out, &value);
        out.push(b',');
    }
    out.pop();
    out.extend_from_slice(b"},\"contacts\":{\"1\":{\"name\":");
    text(out, &format!("Lead Number {i}"));
    out.extend_from_slice(b",\"phone\":");
    text(out, &phone(i, 1));
    out.extend_from_slice(b",\"email\":");
    text(out, &format!("lead{i}@example.com"));
    out.extend_from_slice(b"}},\"next_calldate\":");
    text(out, NEXT_CALLDATE);
    out.push(b'}');
}

/// The columns of the flat baseline table: every form field, the phones, the contact and
/// the call date, all as text.
pub fn flat_columns() -> Vec<&'static str> {
    let mut columns: Vec<&str> = form(0).into_iter().map(|(name, _)| name).collect();
    columns.extend([
        "phone1",
        "phone2",
        "contact_name",
        "contact_phone",
        "contact_email",
        "next_calldate",
    ]);
    columns
}

/// Record `i` as a row of the flat table, in [`flat_columns`] order.
pub fn flat_row(i: usize) -> Vec<String> {
    let mut row: Vec<String> = form(i).into_iter().map(|(_, text)| text).collect();
    row.extend([
        phone(i, 1),
        phone(i, 2),
        format!("Lead Number {i}"),
        phone(i, 1),
        format!("lead{i}@example.com"),
        NEXT_CALLDATE.to_string(),
    ]);
    row
}

/// The fields to declare before the import: list fields need their kind; the fields the
/// benchmark searches on (`segment`, `city`) are indexed (VCC Live's `indexed: yes`).
pub fn field_declarations() -> Vec<Value> {
    vec![
        json!({"name": "interests", "type": "multiple", "values": INTERESTS.iter().map(|n| json!({"name": n})).collect::<Vec<_>>()}),
        json!({"name": "segment", "type": "simple", "indexed": "yes",
               "values": (0..SEGMENTS).map(|s| json!({"name": format!("S{s}")})).collect::<Vec<_>>()}),
        json!({"name": "city", "type": "text", "indexed": "yes"}),
    ]
}

/// Two different interests per record.
fn interests_of(i: usize) -> [&'static str; 2] {
    [INTERESTS[i % 8], INTERESTS[(i % 8 + 1 + (i / 8) % 7) % 8]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_bodies_are_the_records_in_vcc_shape() {
        let body: Value = serde_json::from_slice(&vcc_records(7, 2)).unwrap();
        let expected = |i: usize| {
            let mut form: serde_json::Map<String, Value> =
                form(i).into_iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
            form.insert("phone2".into(), json!(phone(i, 2)));
            json!({
                "form": form,
                "contacts": {"1": {"name": format!("Lead Number {i}"), "phone": phone(i, 1), "email": format!("lead{i}@example.com")}},
                "next_calldate": NEXT_CALLDATE,
            })
        };
        assert_eq!(body, json!([expected(7), expected(8)]));
    }
}
