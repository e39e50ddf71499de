//! The small pools operations draw from, and the pieces of requests built from them.

use super::ops::{ContactIn, DispIn, Form, In};
use super::rng::Rng;
use super::state::Model;

pub const TEXT_KEYS: &[&str] = &["name", "city", "note", "tag"];
pub const LIST_KEYS: &[&str] = &["likes", "status", "colour"];
pub const PHONE_KEYS: &[&str] = &["phone1", "phone2", "phone3"];
/// Fields "Add field" declares, and the kinds it tends to give them.
pub const DECLARED: &[(&str, &[&str])] = &[
    ("likes", &["multiple"]),
    ("colour", &["multiple", "simple"]),
    ("status", &["simple"]),
    ("city", &["simple", "text"]),
    ("tag", &["multiple", "text"]),
    ("size", &["simple"]),
    ("grade", &["multiple", "simple"]),
];
pub const TEXTS: &[&str] = &["London", "Paris", "london", "Pécs", "a|b", "Lon don", ""];
pub const LIST_TEXTS: &[&str] = &[
    "sports",
    "movies",
    "music",
    "sports|movies",
    " art | music ",
    "Sports",
    "sports|sports",
    "new",
    "open",
    "red",
];
pub const VALUES: &[&str] = &["sports", "movies", "music", " art ", "new", "open", "red", "blue", ""];
pub const PHONES: &[&str] = &[
    "447700900001",
    "+44 7700 900002",
    "447700900003",
    "(44) 7700-900004",
    "447700900005",
];
pub const BAD_PHONES: &[&str] = &["abc", "12"];
pub const DATES: &[&str] = &[
    "2001-01-01 10:00:00",
    "2002-06-15 12:30:00",
    "2001-01-01 10:00:00",
    "2099-01-01 10:00:00",
];
pub const BAD_DATE: &str = "2020-02-30 10:00:00";
pub const PATTERNS: &[&str] = &[
    "London",
    "london",
    "Lon%",
    "%on%",
    "%ÉCS",
    "p%",
    "%",
    "sports",
    "mus%",
    "S%",
    "a|b",
    "447700900001",
    "4477%",
];
pub const CONTACT_IDS: &[&str] = &["c1", "c2", "c3", "c4", "c5", "c6"];
pub const DISPLAY_NAMES: &[&str] = &["Ann Lee", "Bob Ray", "Cy"];
pub const MOBILES: &[&str] = &["+447700900001", "447700900002", "+447700900003", "447700900004"];
pub fn phone(rng: &mut Rng, bad_percent: u32) -> &'static str {
    if rng.chance(bad_percent) {
        rng.pick(BAD_PHONES)
    } else {
        rng.pick(PHONES)
    }
}

pub fn date(rng: &mut Rng) -> String {
    if rng.chance(5) { BAD_DATE } else { rng.pick(DATES) }.to_string()
}

/// A form key: known names, phones, or the step's new field (shared by a request's items).
pub fn key(rng: &mut Rng, m: &Model) -> String {
    match rng.weighted(&[40, 20, 15, 25]) {
        0 => rng.pick(TEXT_KEYS).to_string(),
        1 => rng.pick(LIST_KEYS).to_string(),
        2 => rng.pick(PHONE_KEYS).to_string(),
        _ => format!("new{}", m.step),
    }
}

pub fn value_for(rng: &mut Rng, key: &str) -> In {
    if rng.chance(2) {
        return In::Obj;
    }
    if rng.chance(6) {
        return In::Null;
    }
    if key.starts_with("phone") {
        return In::str(phone(rng, 5));
    }
    if LIST_KEYS.contains(&key) {
        return match rng.below(10) {
            0 => In::Arr(vec!["red".into(), "blue".into()]),
            1 => In::Arr(vec!["music".into()]),
            _ => In::str(rng.pick(LIST_TEXTS)),
        };
    }
    match rng.below(12) {
        0 => In::Num(42),
        1 => In::Bool(true),
        2 => In::Arr(vec!["x".into(), "y".into()]),
        _ => In::str(rng.pick(TEXTS)),
    }
}

/// 1 to `most` keys.
pub fn form(rng: &mut Rng, m: &Model, most: usize) -> Form {
    (0..1 + rng.below(most))
        .map(|_| {
            let key = key(rng, m);
            let value = value_for(rng, &key);
            (key, value)
        })
        .collect()
}

/// A valid form (for batch defaults).
pub fn clean_form(rng: &mut Rng, m: &Model, most: usize) -> Form {
    let mut form = form(rng, m, most);
    form.retain(|k, v| *v != In::Obj && !k.starts_with("phone"));
    form
}

/// A record of the project, else one that is gone or never was.
pub fn target(rng: &mut Rng, m: &Model) -> i64 {
    let ids = m.ids_of(m.main.project);
    if ids.is_empty() || rng.chance(4) {
        return if !m.gone.is_empty() && rng.chance(50) {
            rng.pick(&m.gone)
        } else {
            999_999_999
        };
    }
    rng.pick(&ids)
}

/// Any record of the tenant the sequence knows (the contact book's too).
pub fn any_target(rng: &mut Rng, m: &Model) -> i64 {
    let ids: Vec<i64> = m.records.keys().copied().collect();
    if ids.is_empty() || rng.chance(5) {
        return target(rng, m);
    }
    rng.pick(&ids)
}

pub fn contact(rng: &mut Rng, adding: bool) -> ContactIn {
    ContactIn {
        name: rng.chance(50).then(|| rng.pick(&["Ann", "Bob", ""]).to_string()),
        phone: match rng.below(20) {
            0 => Some(rng.pick(BAD_PHONES).to_string()),
            1 if adding => None,
            1 | 2 => Some(String::new()),
            3..=8 if !adding => None,
            _ => Some(rng.pick(PHONES).to_string()),
        },
        email: rng
            .chance(10)
            .then(|| rng.pick(&["ann@example.com", "nope", ""]).to_string()),
    }
}

pub fn disposition(rng: &mut Rng) -> DispIn {
    DispIn {
        id: if rng.chance(5) { 0 } else { 1 + rng.below(5) as i64 },
        userid: (!rng.chance(5)).then(|| rng.pick(&["7", "8"]).to_string()),
        next_calldate: rng.chance(50).then(|| date(rng)),
    }
}
