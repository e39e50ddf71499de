//! The model's reading of form values, phones, dates and e-mails, written from the
//! documents (README, docs/vcc.md): a key naming no field makes a text field, a `multiple`
//! field splits on `|`, list values are trimmed, empty ones dropped and repeats removed (for
//! list fields whatever their case, a name naming the value of another spelling),
//! phones keep their digits, and a rejected form creates nothing.

use super::ops::{Form, In};
use super::state::{Cell, FieldDef, Kind, Schema, ValueDef, same_value_name};

/// An error code (`error.<code>` in VCC Live, `code` in jtel).
pub type Code = &'static str;

#[derive(Debug, Clone, PartialEq)]
pub enum FormValue {
    Text(String),
    List(Vec<String>),
    /// Several texts kept apart even in a text field (an iovox contact's phones).
    Values(Vec<String>),
    Clear,
}

/// A `form` object as the field name / value pairs it stands for, in the server's key order.
pub fn parse_form(form: &Form) -> Result<Vec<(String, FormValue)>, Code> {
    form.iter()
        .map(|(name, value)| {
            let value = match value {
                In::Null => FormValue::Clear,
                In::Arr(items) => FormValue::List(items.clone()),
                In::Obj => return Err("wrong_form_value"),
                scalar => FormValue::Text(scalar_text(scalar).expect("a scalar")),
            };
            Ok((name.clone(), value))
        })
        .collect()
}

/// A string, number or boolean as text.
pub fn scalar_text(value: &In) -> Option<String> {
    match value {
        In::Str(s) => Some(s.clone()),
        In::Num(n) => Some(n.to_string()),
        In::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub fn phone_slot(name: &str) -> Option<u8> {
    match name.strip_prefix("phone")?.as_bytes() {
        [d @ b'1'..=b'9'] => Some(d - b'0'),
        _ => None,
    }
}

/// jtel keys of the canonical contact's fields (docs/fields.md), written out again here.
pub const JTEL_CANONICAL: [(&str, &str); 10] = [
    ("Name", "name"),
    ("FirstName", "first_name"),
    ("Company", "company"),
    ("Email", "email"),
    ("Address", "address"),
    ("City", "city"),
    ("PostalCode", "postcode"),
    ("Region", "region"),
    ("Country", "country"),
    ("Comment", "notes"),
];

/// The field a jtel key writes (phones are handled by the caller).
pub fn jtel_field(key: &str) -> String {
    JTEL_CANONICAL
        .iter()
        .find(|(jtel, _)| *jtel == key)
        .map_or_else(|| key.to_string(), |(_, field)| field.to_string())
}

/// The jtel key a field shows under; None for a custom field named like a canonical key.
pub fn jtel_key(field: &str) -> Option<String> {
    if let Some(slot) = phone_slot(field) {
        return Some(format!("PhoneNumber{slot}"));
    }
    if let Some((jtel, _)) = JTEL_CANONICAL.iter().find(|(_, f)| *f == field) {
        return Some(jtel.to_string());
    }
    let shadowed = JTEL_CANONICAL.iter().any(|(jtel, _)| *jtel == field) || field.starts_with("PhoneNumber");
    (!shadowed).then(|| field.to_string())
}

/// Digits only: spaces, `-`, `.`, `/`, brackets and a leading `+` go; 3 to 20 digits.
pub fn normalize_phone(text: &str) -> Result<String, Code> {
    let trimmed = text.trim();
    let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
    let mut digits = String::new();
    for c in body.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            _ => return Err("wrong_phone_format"),
        }
    }
    if (3..=20).contains(&digits.len()) {
        Ok(digits)
    } else {
        Err("wrong_phone_format")
    }
}

/// `YYYY-MM-DD hh:mm:ss`, a real instant.
pub fn valid_date(text: &str) -> bool {
    let b = text.trim().as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| std::str::from_utf8(part).ok()?.parse().ok())
            .flatten()
    };
    let shape = b.len() == 19 && b[4] == b'-' && b[7] == b'-' && b[10] == b' ' && b[13] == b':' && b[16] == b':';
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        number(0..4),
        number(5..7),
        number(8..10),
        number(11..13),
        number(14..16),
        number(17..19),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    shape && (1..=days).contains(&day) && hour < 24 && minute < 60 && second < 60
}

pub fn valid_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace)
}

/// The texts one form value stores in a field of this kind.
fn texts_for(kind: Kind, name: &str, value: &FormValue) -> Result<Vec<String>, Code> {
    let trimmed = |items: &[String]| items.iter().map(|t| t.trim().to_string()).collect::<Vec<_>>();
    let texts = match (kind, value) {
        (_, FormValue::Clear) => Vec::new(),
        (Kind::Text, FormValue::Text(t)) => vec![t.clone()],
        (Kind::Text, FormValue::List(items)) => vec![items.join("|")],
        (Kind::Text, FormValue::Values(items)) => items.clone(),
        (Kind::Simple, FormValue::Text(t)) => vec![t.trim().to_string()],
        (Kind::Simple, FormValue::List(items) | FormValue::Values(items)) if items.len() <= 1 => trimmed(items),
        (Kind::Simple, _) => return Err("too_many_values"),
        (Kind::Multiple, FormValue::Text(t)) => t.split('|').map(|s| s.trim().to_string()).collect(),
        (Kind::Multiple, FormValue::List(items) | FormValue::Values(items)) => trimmed(items),
    };
    let mut out: Vec<String> = Vec::new();
    for text in texts {
        // A list field's values repeat whatever their case: the first spelling counts.
        let repeated = out
            .iter()
            .any(|o| *o == text || (kind.is_list() && same_value_name(o, &text)));
        if !text.is_empty() && !repeated {
            out.push(text);
        }
    }
    if !kind.is_list() && phone_slot(name).is_some() {
        out = out.iter().map(|t| normalize_phone(t)).collect::<Result<_, _>>()?;
    }
    Ok(out)
}

/// Resolves a form against a schema: checks all of it first, then creates the text fields
/// and list values it names that do not exist yet (born at `step`).
pub fn resolve(
    schema: &mut Schema,
    form: &[(String, FormValue)],
    step: usize,
) -> Result<Vec<(String, Vec<Cell>)>, Code> {
    let texts = form
        .iter()
        .map(|(name, value)| texts_for(schema.kind(name).unwrap_or(Kind::Text), name, value))
        .collect::<Result<Vec<_>, _>>()?;
    let mut cells = Vec::new();
    for ((name, _), texts) in form.iter().zip(texts) {
        let index = match schema.position(name) {
            Some(index) => index,
            None => {
                schema.fields.push(FieldDef {
                    id: None,
                    name: name.clone(),
                    kind: Kind::Text,
                    values: Vec::new(),
                    born: step,
                });
                schema.fields.len() - 1
            }
        };
        let field = &mut schema.fields[index];
        let values = texts
            .into_iter()
            .map(|text| {
                if !field.kind.is_list() {
                    return Cell::Text(text);
                }
                let value = field.value_named(&text).unwrap_or_else(|| {
                    field.values.push(ValueDef {
                        id: None,
                        name: text,
                        deleted: false,
                        born: step,
                    });
                    field.values.len() - 1
                });
                Cell::Value(value)
            })
            .collect();
        cells.push((name.clone(), values));
    }
    Ok(cells)
}
