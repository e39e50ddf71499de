//! Turns `form` key/value text into field and value references, following VCC Live:
//! text of a list field is looked up by value name and an unknown name becomes a new
//! value; text of a multi-value field is split on `|`; a key naming no field becomes
//! a new text field (where a `|` stays text).

use super::ValidationError;
use super::contact::normalize_phone;
use super::schema::{
    Field, FieldKind, ProjectSchema, is_phone_field, validate_field_name, validate_value_name, value_name_key,
};
// foldhash: names and ids are hashed for every value of every imported record.
use foldhash::{HashMap, HashMapExt};
use std::borrow::Cow;

/// Longest text a text field holds.
pub const MAX_TEXT_CHARS: usize = 65_535;

/// A `form` value as sent: a string (numbers arrive as their text), a list, or null.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormValue {
    Text(String),
    List(Vec<String>),
    /// Several values kept apart even in a text field (one stored value each), where
    /// `List` joins them with `|`: an iovox contact's several business phones.
    Values(Vec<String>),
    /// A JSON number (its text): see [`FormItem::Number`].
    Number(String),
    /// A JSON array holding a number; arrays of strings are `List`.
    Items(Vec<FormItem>),
    Clear,
}

/// One item of a JSON array sent for a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormItem {
    Text(String),
    /// A JSON number. For a list field it is the id of one of the field's values when the
    /// field has a value with that id (VCC Live's `data` answers value ids, so what a read
    /// returns can be written back); otherwise it is its text, like a string.
    Number(String),
}

impl FormItem {
    pub fn text(&self) -> &str {
        match self {
            FormItem::Text(text) | FormItem::Number(text) => text,
        }
    }
}

/// A [`FormItem`] or a piece of a [`FormValue`], borrowed where it can be.
enum Item<'v> {
    Text(Cow<'v, str>),
    Number(&'v str),
}

impl<'v> Item<'v> {
    fn of(item: &'v FormItem) -> Self {
        match item {
            FormItem::Text(text) => Item::Text(Cow::Borrowed(text)),
            FormItem::Number(text) => Item::Number(text),
        }
    }

    fn text(&self) -> &str {
        match self {
            Item::Text(text) => text,
            Item::Number(text) => text,
        }
    }

    fn into_text(self) -> String {
        match self {
            Item::Text(text) => text.into_owned(),
            Item::Number(text) => text.to_string(),
        }
    }
}

/// One value a form gives a field: its text, and the value it names when known.
#[derive(Debug, Clone)]
struct Choice {
    text: String,
    existing: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldRef {
    Existing(i64),
    /// Index into [`SchemaAdditions::text_fields`].
    New(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRef {
    /// Text of a text field.
    Free,
    Existing(i64),
    /// Index into [`SchemaAdditions::values`].
    New(usize),
}

/// The new content of one field of one record; no values clears the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub field: FieldRef,
    pub values: Vec<(String, ValueRef)>,
}

/// Fields and values a write must create before its records can reference them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaAdditions {
    pub text_fields: Vec<String>,
    /// (list field id, value name)
    pub values: Vec<(i64, String)>,
}

impl SchemaAdditions {
    pub fn is_empty(&self) -> bool {
        self.text_fields.is_empty() && self.values.is_empty()
    }
}

/// Resolves the forms of one request against one project's schema, sharing the
/// fields and values it has to create between the request's records.
pub struct Resolver<'a> {
    schema: &'a ProjectSchema,
    additions: SchemaAdditions,
    new_fields: HashMap<String, usize>,
    new_values: HashMap<(i64, String), usize>,
}

impl<'a> Resolver<'a> {
    pub fn new(schema: &'a ProjectSchema) -> Self {
        Self {
            schema,
            additions: SchemaAdditions::default(),
            new_fields: HashMap::new(),
            new_values: HashMap::new(),
        }
    }

    /// Resolves one record's form. All of it is checked before anything is
    /// registered, so a rejected record adds no fields or values.
    pub fn resolve_form(&mut self, form: &[(String, FormValue)]) -> Result<Vec<Cell>, ValidationError> {
        // Each field looked up once, for both passes; the vector sized first (collected
        // through a `Result` it would grow step by step).
        let schema = self.schema;
        let mut texts = Vec::with_capacity(form.len());
        for (name, value) in form {
            let field = schema.field(name);
            texts.push((field, self.choices_for(name, field, value)?));
        }
        Ok(form
            .iter()
            .zip(texts)
            .map(|((name, _), (field, texts))| self.register(name, field, texts))
            .collect())
    }

    pub fn finish(self) -> SchemaAdditions {
        self.additions
    }

    /// The items a value gives a field of this kind, before any look-up; borrowed from the
    /// value where they can be (an import resolves every value of every record).
    fn items_for<'v>(name: &str, kind: FieldKind, value: &'v FormValue) -> Result<Vec<Item<'v>>, ValidationError> {
        let texts = |items: &'v [String]| items.iter().map(|t| Item::Text(Cow::Borrowed(t))).collect::<Vec<_>>();
        let borrowed = |items: &'v [FormItem]| items.iter().map(Item::of).collect::<Vec<_>>();
        let joined = |items: &[FormItem]| items.iter().map(FormItem::text).collect::<Vec<_>>().join("|");
        Ok(match (kind, value) {
            (_, FormValue::Clear) => Vec::new(),
            (FieldKind::Text, FormValue::Text(t) | FormValue::Number(t)) => vec![Item::Text(Cow::Borrowed(t))],
            (FieldKind::Text, FormValue::List(items)) => vec![Item::Text(Cow::Owned(items.join("|")))],
            (FieldKind::Text, FormValue::Items(items)) => vec![Item::Text(Cow::Owned(joined(items)))],
            (FieldKind::Text, FormValue::Values(items)) => texts(items),
            (FieldKind::Simple | FieldKind::Multiple, FormValue::Number(n)) => vec![Item::Number(n)],
            (FieldKind::Simple, FormValue::Text(t)) => vec![Item::Text(Cow::Borrowed(t))],
            (FieldKind::Simple, FormValue::List(items) | FormValue::Values(items)) if items.len() <= 1 => texts(items),
            (FieldKind::Simple, FormValue::Items(items)) if items.len() <= 1 => borrowed(items),
            (FieldKind::Simple, FormValue::List(_) | FormValue::Values(_) | FormValue::Items(_)) => {
                return Err(ValidationError::new(
                    "too_many_values",
                    format!("field '{name}' holds a single value"),
                ));
            }
            (FieldKind::Multiple, FormValue::Text(t)) => t.split('|').map(|s| Item::Text(Cow::Borrowed(s))).collect(),
            (FieldKind::Multiple, FormValue::List(items) | FormValue::Values(items)) => texts(items),
            (FieldKind::Multiple, FormValue::Items(items)) => borrowed(items),
        })
    }

    fn choices_for(
        &self,
        name: &str,
        field: Option<&Field>,
        value: &FormValue,
    ) -> Result<Vec<Choice>, ValidationError> {
        // A field of the schema passed when it was made: only a new name is checked (every
        // key of every imported record comes here).
        if field.is_none() {
            validate_field_name(name)?;
        }
        let kind = field.map_or(FieldKind::Text, |f| f.kind);
        // One text for a text field, nearly every value of an import: no list of items.
        if let (FieldKind::Text, FormValue::Text(text) | FormValue::Number(text)) = (kind, value) {
            return Ok(Self::text_choice(name, Item::Text(Cow::Borrowed(text)))?
                .into_iter()
                .collect());
        }
        let items = Self::items_for(name, kind, value)?;
        let mut choices = Vec::with_capacity(items.len());
        for item in items {
            let choice = match field.filter(|f| f.kind.is_list()) {
                Some(field) => {
                    let by_id = match &item {
                        Item::Number(n) => n.parse().ok().and_then(|id| field.value_by_id(id)),
                        Item::Text(_) => None,
                    };
                    match by_id {
                        Some(value) => Choice {
                            text: value.name.clone(),
                            existing: Some(value.id),
                        },
                        None => {
                            let text = item.text().trim();
                            if text.is_empty() {
                                continue;
                            }
                            validate_value_name(text)?;
                            Choice {
                                text: text.to_string(),
                                existing: self.schema.value_id_named(field.id, text),
                            }
                        }
                    }
                }
                None => match Self::text_choice(name, item)? {
                    Some(choice) => choice,
                    None => continue,
                },
            };
            choices.push(choice);
        }
        dedup_keep_order(&mut choices, kind.is_list());
        Ok(choices)
    }

    /// An item of a text field: none when empty, a phone field's number normalized.
    fn text_choice(name: &str, item: Item<'_>) -> Result<Option<Choice>, ValidationError> {
        if item.text().is_empty() {
            return Ok(None);
        }
        let text = if is_phone_field(name) {
            normalize_phone(item.text())?
        } else if item.text().len() > MAX_TEXT_CHARS && item.text().chars().count() > MAX_TEXT_CHARS {
            return Err(ValidationError::new(
                "value_too_long",
                format!("field '{name}' holds at most {MAX_TEXT_CHARS} characters"),
            ));
        } else {
            item.into_text()
        };
        Ok(Some(Choice { text, existing: None }))
    }

    fn register(&mut self, name: &str, field: Option<&Field>, choices: Vec<Choice>) -> Cell {
        let Some(field) = field else {
            let next = self.new_fields.len();
            let index = *self.new_fields.entry(name.to_string()).or_insert(next);
            if index == next {
                self.additions.text_fields.push(name.to_string());
            }
            let values = choices.into_iter().map(|c| (c.text, ValueRef::Free)).collect();
            return Cell {
                field: FieldRef::New(index),
                values,
            };
        };
        let values = choices
            .into_iter()
            .map(|Choice { text, existing }| {
                let reference = if !field.kind.is_list() {
                    ValueRef::Free
                } else if let Some(id) = existing {
                    ValueRef::Existing(id)
                } else {
                    // One new value per name whatever its case; the first spelling is kept.
                    let next = self.additions.values.len();
                    let key = (field.id, value_name_key(&text).into_owned());
                    let index = *self.new_values.entry(key).or_insert(next);
                    if index == next {
                        self.additions.values.push((field.id, text.clone()));
                    }
                    ValueRef::New(index)
                };
                (text, reference)
            })
            .collect();
        Cell {
            field: FieldRef::Existing(field.id),
            values,
        }
    }
}

/// Resolves the forms of a batch; a rejected form is reported in its place.
pub fn resolve_batch<'f>(
    schema: &ProjectSchema,
    forms: impl IntoIterator<Item = &'f [(String, FormValue)]>,
) -> (Vec<Result<Vec<Cell>, ValidationError>>, SchemaAdditions) {
    let mut resolver = Resolver::new(schema);
    let cells = forms.into_iter().map(|form| resolver.resolve_form(form)).collect();
    (cells, resolver.finish())
}

/// The ids the storage assigned to [`SchemaAdditions`], to turn references into ids.
#[derive(Debug, Default)]
pub struct SchemaIds {
    pub fields: Vec<i64>,
    pub values: Vec<i64>,
}

impl SchemaIds {
    pub fn field(&self, field: FieldRef) -> i64 {
        match field {
            FieldRef::Existing(id) => id,
            FieldRef::New(i) => self.fields[i],
        }
    }

    pub fn value(&self, value: ValueRef) -> Option<i64> {
        match value {
            ValueRef::Free => None,
            ValueRef::Existing(id) => Some(id),
            ValueRef::New(i) => Some(self.values[i]),
        }
    }
}

/// Drops repeated values, keeping the first: for a list field, the same value (by id, or
/// by name whatever its case); for a text field, the same text. A field's few values are
/// compared pairwise (no set, no keys: imports run this for every field of every record);
/// many go through a set, so that no input costs quadratic time.
fn dedup_keep_order(choices: &mut Vec<Choice>, list: bool) {
    const PAIRWISE_UP_TO: usize = 16;
    if choices.len() < 2 {
        return;
    }
    if choices.len() <= PAIRWISE_UP_TO {
        let same = |a: &Choice, b: &Choice| match (list, a.existing, b.existing) {
            (true, Some(x), Some(y)) => x == y,
            (true, None, None) => a.text == b.text || value_name_key(&a.text) == value_name_key(&b.text),
            (true, _, _) => false,
            (false, _, _) => a.text == b.text,
        };
        let mut index = 1;
        while index < choices.len() {
            if choices[..index].iter().any(|kept| same(kept, &choices[index])) {
                choices.remove(index);
            } else {
                index += 1;
            }
        }
        return;
    }
    dedup_by_set(choices, list);
}

fn dedup_by_set(choices: &mut Vec<Choice>, list: bool) {
    let mut seen = std::collections::HashSet::new();
    choices.retain(|c| {
        let key = match (list, c.existing) {
            (true, Some(id)) => format!("#{id}"),
            (true, None) => format!("={}", value_name_key(&c.text)),
            (false, _) => c.text.clone(),
        };
        seen.insert(key)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::{Field, FieldValue, ValueAttributes};

    #[test]
    fn pairwise_dedup_keeps_what_the_set_keeps() {
        let choice = |text: &str, existing: Option<i64>| Choice {
            text: text.into(),
            existing,
        };
        let cases = [
            vec![
                choice("a", None),
                choice("A", None),
                choice("b", None),
                choice("a", None),
            ],
            vec![
                choice("x", Some(3)),
                choice("y", Some(3)),
                choice("x", None),
                choice("X", None),
            ],
            vec![choice("ΟΔΟΣ", None), choice("οδοσ", None), choice("οδος", None)],
            vec![choice("", None), choice("", Some(1)), choice("q", Some(1))],
        ];
        for list in [true, false] {
            for case in &cases {
                let (mut pairwise, mut by_set) = (case.clone(), case.clone());
                dedup_keep_order(&mut pairwise, list);
                dedup_by_set(&mut by_set, list);
                let texts = |c: &[Choice]| c.iter().map(|c| (c.text.clone(), c.existing)).collect::<Vec<_>>();
                assert_eq!(texts(&pairwise), texts(&by_set), "{case:?} list={list}");
            }
        }
    }

    fn schema() -> ProjectSchema {
        let value = |id, name: &str| FieldValue {
            id,
            name: name.into(),
            attributes: ValueAttributes::default(),
        };
        ProjectSchema::new(vec![
            Field {
                id: 1,
                name: "name".into(),
                label: None,
                kind: FieldKind::Text,
                indexed: false,
                customised: false,
                values: vec![],
            },
            Field {
                id: 2,
                name: "likes".into(),
                label: None,
                kind: FieldKind::Multiple,
                indexed: false,
                customised: false,
                values: vec![value(10, "sports")],
            },
            Field {
                id: 3,
                name: "city".into(),
                label: None,
                kind: FieldKind::Simple,
                indexed: false,
                customised: false,
                values: vec![value(20, "Budapest")],
            },
        ])
    }

    fn text(t: &str) -> FormValue {
        FormValue::Text(t.into())
    }

    #[test]
    fn multi_values_split_and_unknown_values_are_created_once() {
        let schema = schema();
        let mut r = Resolver::new(&schema);
        let a = r.resolve_form(&[("likes".into(), text("sports|movies"))]).unwrap();
        let b = r
            .resolve_form(&[("likes".into(), text("movies | sports|movies"))])
            .unwrap();
        assert_eq!(
            a[0].values,
            vec![
                ("sports".into(), ValueRef::Existing(10)),
                ("movies".into(), ValueRef::New(0))
            ]
        );
        assert_eq!(
            b[0].values,
            vec![
                ("movies".into(), ValueRef::New(0)),
                ("sports".into(), ValueRef::Existing(10))
            ]
        );
        assert_eq!(r.finish().values, vec![(2, "movies".to_string())]);
    }

    #[test]
    fn simple_fields_do_not_split_and_text_keeps_pipes() {
        let schema = schema();
        let mut r = Resolver::new(&schema);
        let cells = r
            .resolve_form(&[
                ("city".into(), text("Budapest")),
                ("name".into(), text("a|b")),
                ("notes".into(), text("x|y")),
            ])
            .unwrap();
        assert_eq!(cells[0].values, vec![("Budapest".into(), ValueRef::Existing(20))]);
        assert_eq!(cells[1].values, vec![("a|b".into(), ValueRef::Free)]);
        assert_eq!(cells[2].field, FieldRef::New(0));
        assert_eq!(r.finish().text_fields, vec!["notes".to_string()]);
    }

    #[test]
    fn a_rejected_form_registers_nothing() {
        let schema = schema();
        let mut r = Resolver::new(&schema);
        let err = r
            .resolve_form(&[("likes".into(), text("new")), ("phone1".into(), text("not a phone"))])
            .unwrap_err();
        assert_eq!(err.code, "wrong_phone_format");
        assert!(r.finish().is_empty());
    }

    #[test]
    fn phone_fields_are_normalised_and_null_clears() {
        let schema = schema();
        let mut r = Resolver::new(&schema);
        let cells = r
            .resolve_form(&[
                ("phone1".into(), text("+36 1 999 7400")),
                ("name".into(), FormValue::Clear),
            ])
            .unwrap();
        assert_eq!(cells[0].values, vec![("3619997400".into(), ValueRef::Free)]);
        assert!(cells[1].values.is_empty());
    }

    #[test]
    fn values_stay_apart_in_a_text_field() {
        let schema = schema();
        let mut r = Resolver::new(&schema);
        let values = FormValue::Values(vec!["441".into(), "442".into(), "441".into()]);
        let cells = r.resolve_form(&[("name".into(), values)]).unwrap();
        assert_eq!(
            cells[0].values,
            vec![("441".into(), ValueRef::Free), ("442".into(), ValueRef::Free)]
        );
    }

    #[test]
    fn a_number_is_a_value_id_when_the_field_has_it_else_a_name() {
        let schema = schema();
        let mut r = Resolver::new(&schema);
        let items = FormValue::Items(vec![
            FormItem::Number("10".into()),
            FormItem::Text("SPORTS".into()),
            FormItem::Number("20".into()),
        ]);
        let cells = r
            .resolve_form(&[
                ("city".into(), FormValue::Number("20".into())),
                ("likes".into(), items),
                ("name".into(), FormValue::Number("10".into())),
            ])
            .unwrap();
        assert_eq!(cells[0].values, vec![("Budapest".into(), ValueRef::Existing(20))]);
        // 10 and "SPORTS" are one value; 20 is no value of `likes`: its name.
        assert_eq!(
            cells[1].values,
            vec![
                ("sports".into(), ValueRef::Existing(10)),
                ("20".into(), ValueRef::New(0))
            ]
        );
        assert_eq!(cells[2].values, vec![("10".into(), ValueRef::Free)]);
    }

    #[test]
    fn list_names_ignore_case_and_a_new_one_keeps_its_first_spelling() {
        let schema = schema();
        let mut r = Resolver::new(&schema);
        let a = r
            .resolve_form(&[
                ("city".into(), text("budapest")),
                ("likes".into(), text("Golf|GOLF|golf")),
            ])
            .unwrap();
        let b = r.resolve_form(&[("likes".into(), text("gOLF"))]).unwrap();
        assert_eq!(a[0].values, vec![("budapest".into(), ValueRef::Existing(20))]);
        assert_eq!(a[1].values, vec![("Golf".into(), ValueRef::New(0))]);
        assert_eq!(b[0].values[0].1, ValueRef::New(0));
        assert_eq!(r.finish().values, vec![(2, "Golf".to_string())]);
    }

    #[test]
    fn simple_field_rejects_two_values() {
        let schema = schema();
        let mut r = Resolver::new(&schema);
        let list = FormValue::List(vec!["a".into(), "b".into()]);
        assert_eq!(
            r.resolve_form(&[("city".into(), list)]).unwrap_err().code,
            "too_many_values"
        );
    }
}
