//! The reference model: what the tenant's data should be, as plain structs.
//!
//! Ids the server assigns (records, fields, values) are learned from its answers and then
//! held to: a known id must never change, and new ones must be fresh and increasing.

use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Simple,
    Multiple,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Simple => "simple",
            Kind::Multiple => "multiple",
        }
    }

    pub fn is_list(self) -> bool {
        self != Kind::Text
    }
}

#[derive(Debug, Clone)]
pub struct ValueDef {
    pub id: Option<i64>,
    pub name: String,
    pub deleted: bool,
    /// The step that created it: values of one step may come in any order, later steps after.
    pub born: usize,
}

#[derive(Debug, Clone)]
pub struct FieldDef {
    pub id: Option<i64>,
    pub name: String,
    pub kind: Kind,
    pub values: Vec<ValueDef>,
    pub born: usize,
}

impl FieldDef {
    /// The live value of this name, case ignored (the first made, so the lowest id).
    pub fn value_named(&self, name: &str) -> Option<usize> {
        self.values
            .iter()
            .position(|v| !v.deleted && same_value_name(&v.name, name))
    }
}

/// A project's fields, in creation order.
#[derive(Debug, Clone)]
pub struct Schema {
    pub project: i64,
    pub fields: Vec<FieldDef>,
}

impl Schema {
    pub fn new(project: i64) -> Self {
        Self {
            project,
            fields: Vec::new(),
        }
    }

    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    pub fn kind(&self, name: &str) -> Option<Kind> {
        self.field(name).map(|f| f.kind)
    }
}

/// One stored value of a record's field: free text, or a value of a list field (index
/// into the field's `values`, so that a rename shows on every record holding it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Value(usize),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slot {
    pub title: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub dispositionid: i64,
    pub userid: String,
    pub next_calldate: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Rec {
    pub id: i64,
    pub project: i64,
    /// Field name -> its values (never empty: an emptied field is absent).
    pub form: BTreeMap<String, Vec<Cell>>,
    pub contacts: BTreeMap<u8, Slot>,
    pub events: Vec<Event>,
    pub next_calldate: Option<String>,
    pub phone_field: Option<String>,
    pub user_data: Option<String>,
    pub locked: bool,
    pub claimed_by: Option<String>,
    pub done: bool,
    pub attempts: i64,
}

impl Rec {
    pub fn new(id: i64, project: i64) -> Self {
        Self {
            id,
            project,
            form: BTreeMap::new(),
            contacts: BTreeMap::new(),
            events: Vec::new(),
            next_calldate: None,
            phone_field: None,
            user_data: None,
            locked: false,
            claimed_by: None,
            done: false,
            attempts: 0,
        }
    }

    /// Sets each named field to its new values (none: the field is emptied).
    pub fn set_cells(&mut self, cells: &[(String, Vec<Cell>)]) {
        for (name, values) in cells {
            if values.is_empty() {
                self.form.remove(name);
            } else {
                self.form.insert(name.clone(), values.clone());
            }
        }
    }

    /// A call date given by a write: it also reopens a record a dialer finished.
    pub fn set_next_calldate(&mut self, date: Option<&String>) {
        if let Some(date) = date {
            self.next_calldate = Some(date.clone());
            self.done = false;
        }
    }
}

/// The far-future call dates of the pools lie after this, the past ones before: the
/// test never depends on the clock.
pub const NOW: &str = "2050-01-01 00:00:00";

pub struct Model {
    pub main: Schema,
    /// The tenant's iovox contact book, once it exists.
    pub book: Option<Schema>,
    pub records: BTreeMap<i64, Rec>,
    pub robinson: BTreeSet<String>,
    /// The highest record id seen: a new one must be above it.
    pub max_id: i64,
    /// Ids of records deleted in this sequence (targets that must answer 404).
    pub gone: Vec<i64>,
    pub step: usize,
}

impl Model {
    pub fn new(main: i64, book: Option<Schema>, max_id: i64) -> Self {
        Self {
            main: Schema::new(main),
            book,
            records: BTreeMap::new(),
            robinson: BTreeSet::new(),
            max_id,
            gone: Vec::new(),
            step: 0,
        }
    }

    pub fn schema(&self, project: i64) -> &Schema {
        match &self.book {
            Some(book) if book.project == project => book,
            _ => &self.main,
        }
    }

    pub fn ids_of(&self, project: i64) -> Vec<i64> {
        self.records
            .values()
            .filter(|r| r.project == project)
            .map(|r| r.id)
            .collect()
    }

    /// The texts of a record's field, in order.
    pub fn texts(&self, rec: &Rec, field: &str) -> Vec<String> {
        let schema = self.schema(rec.project);
        rec.form
            .get(field)
            .map(|cells| {
                cells
                    .iter()
                    .map(|cell| match cell {
                        Cell::Text(text) => text.clone(),
                        Cell::Value(index) => schema.field(field).expect("field of a value").values[*index]
                            .name
                            .clone(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One of `phone1`..`phone9` holds a listed number.
    pub fn robinson_of(&self, rec: &Rec) -> bool {
        (1..=9).any(|slot| {
            self.texts(rec, &format!("phone{slot}"))
                .iter()
                .any(|phone| self.robinson.contains(phone))
        })
    }

    /// The number a dialer is told to call.
    pub fn dial_number(&self, rec: &Rec) -> Option<String> {
        let number = |field: &str| Some(self.texts(rec, field).join("|")).filter(|n| !n.is_empty());
        rec.phone_field
            .as_deref()
            .and_then(number)
            .or_else(|| (1..=9).find_map(|slot| number(&format!("phone{slot}"))))
    }

    /// Whether a record matches every (field, text) pair of a search; a `%` makes the text
    /// a pattern matching any run of characters, ASCII case-insensitively.
    /// A list field's value names match whatever their case.
    pub fn matches(&self, rec: &Rec, pairs: &[(String, String)]) -> bool {
        pairs.iter().all(|(field, wanted)| {
            let list = self.main.kind(field).is_some_and(Kind::is_list);
            self.texts(rec, field).iter().any(|text| {
                if wanted.contains('%') {
                    like(text, wanted)
                } else if list {
                    same_value_name(text, wanted)
                } else {
                    text == wanted
                }
            })
        })
    }

    /// The next record a claim hands out: dated due records by date then id, then undated by id.
    pub fn next_claim(&self) -> Option<i64> {
        let dialable = self.records.values().filter(|r| {
            r.project == self.main.project
                && !r.done
                && !r.locked
                && r.claimed_by.is_none()
                && !self.robinson_of(r)
                && r.next_calldate.as_deref().is_none_or(|d| d <= NOW)
        });
        dialable
            .min_by_key(|r| (r.next_calldate.is_none(), r.next_calldate.clone(), r.id))
            .map(|r| r.id)
    }
}

/// List value names are one whatever their case.
pub fn same_value_name(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// SQL LIKE with `%` as the only wildcard, ASCII case-insensitive.
pub fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    let parts: Vec<Vec<char>> = pattern
        .split('%')
        .map(|p| p.chars().map(|c| c.to_ascii_lowercase()).collect())
        .collect();
    let (first, last) = (&parts[0], &parts[parts.len() - 1]);
    if text.len() < first.len() || !text.starts_with(first) {
        return false;
    }
    let mut at = first.len();
    for part in &parts[1..parts.len() - 1] {
        match (at..=text.len().saturating_sub(part.len())).find(|&i| text[i..].starts_with(part)) {
            Some(i) if i + part.len() <= text.len() => at = i + part.len(),
            _ => return false,
        }
    }
    text.len() - at >= last.len() && text.ends_with(last)
}

#[test]
fn like_matches_percent_runs_only() {
    assert!(like("London", "lon%"));
    assert!(like("London", "%ND%"));
    assert!(like("London", "%"));
    assert!(!like("London", "%x%"));
    assert!(like("a_b", "a_%"));
    assert!(!like("Pécs", "%ÉCS"));
    assert!(like("Pécs", "p%cs"));
    assert!(!like("ab", "a%b%b"));
}
