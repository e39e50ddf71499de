//! A record's row as both backends store it (docs/storage.md), and the one place a
//! write changes it: each backend loads rows, applies writes here and stores the result.

use crate::domain::calldate;
use crate::domain::document::{DocValue, RecordDoc};
use crate::domain::record::{Contact, DispositionEntry, FormEntry, Premium, Record, RecordWrite, StoredValue};
use crate::domain::resolve::{Cell, SchemaIds};
use crate::domain::schema::{PHONE_FIELDS, ProjectSchema, phone_slot};
use crate::storage::ItemResult;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordRow {
    pub id: i64,
    pub project_id: i64,
    pub user_data: Option<String>,
    pub phone_field: Option<String>,
    /// Unix seconds, as every stored time.
    pub next_calldate: Option<i64>,
    pub price: Option<String>,
    pub commission: Option<String>,
    pub locked: bool,
    pub claimed_by: Option<String>,
    pub claim_expires_at: Option<i64>,
    pub done_at: Option<i64>,
    pub attempts: i64,
    pub robinson: bool,
    /// The time zones of the number dialed next, kept while the project has calling hours.
    pub zones: Option<String>,
    pub data: RecordDoc,
    pub contacts: Vec<Contact>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The form field whose IANA zone name overrides the zones of a record's number.
pub const TIMEZONE_FIELD: &str = "timezone";

/// The form part of a write, resolved to field ids once for all records it reaches.
pub type FormChanges = Vec<(i64, Vec<DocValue>)>;

/// A batch's resolved forms as changes by field id; a rejected form stays rejected.
pub fn form_changes(cells: Vec<ItemResult<Vec<Cell>>>, ids: &SchemaIds) -> Vec<ItemResult<FormChanges>> {
    cells
        .into_iter()
        .map(|cells| cells.map(|cells| record_changes(cells, ids)))
        .collect()
}

fn record_changes(cells: Vec<Cell>, ids: &SchemaIds) -> FormChanges {
    // Into new vectors: collected in place, the smaller items would make each vector
    // shrink by a reallocation (about 3% of an import's work).
    let mut changes = Vec::with_capacity(cells.len());
    changes.extend(cells.into_iter().map(|cell| {
        let mut values = Vec::with_capacity(cell.values.len());
        values.extend(cell.values.into_iter().map(|(text, value)| match ids.value(value) {
            Some(id) => DocValue::Id(id),
            None => DocValue::Text(text),
        }));
        (ids.field(cell.field), values)
    }));
    changes
}

/// A write's call date in stored form; validated text always converts.
fn seconds(text: Option<&str>) -> Option<i64> {
    text.and_then(|t| calldate::to_seconds(t).ok())
}

impl RecordRow {
    /// Whether the record is being handled at `now` (Unix seconds): claimed by a dialer whose
    /// lease has not ended (a lease ends once the clock has passed its expiry second), or
    /// locked. VCC Live's `avoid_in_call` leaves such records alone.
    pub fn is_handled(&self, now: i64) -> bool {
        self.locked || (self.claimed_by.is_some() && self.claim_expires_at.is_some_and(|expiry| now <= expiry))
    }

    /// The row a new record starts as (its id is the database's to give).
    /// It takes the form's changes by value: an import moves each value in once.
    pub fn new(project_id: i64, write: &RecordWrite, form: FormChanges, now: i64) -> Self {
        let premium = write.premium.clone().unwrap_or_default();
        let mut row = RecordRow {
            project_id,
            user_data: write.user_data.clone(),
            phone_field: write.phone_field.clone(),
            next_calldate: seconds(write.effective_next_calldate()),
            price: premium.price,
            commission: premium.commission,
            created_at: now,
            updated_at: now,
            data: RecordDoc::with_capacity(form.len()),
            ..Default::default()
        };
        row.apply_form_and_contacts(write, form);
        row
    }

    /// An update: the fields it names are replaced, attributes it gives are set, contacts
    /// are merged slot by slot (a detail left out keeps its value), a new call date reopens
    /// a record a dialer had finished.
    pub fn apply(&mut self, write: &RecordWrite, form: &FormChanges, now: i64) {
        let premium = write.premium.clone().unwrap_or_default();
        set_if_some(&mut self.user_data, &write.user_data);
        set_if_some(&mut self.phone_field, &write.phone_field);
        set_if_some(&mut self.price, &premium.price);
        set_if_some(&mut self.commission, &premium.commission);
        if let Some(next) = seconds(write.effective_next_calldate()) {
            self.next_calldate = Some(next);
            self.done_at = None;
        }
        self.updated_at = now;
        self.apply_form_and_contacts(write, form.iter().cloned());
    }

    fn apply_form_and_contacts(&mut self, write: &RecordWrite, form: impl IntoIterator<Item = (i64, Vec<DocValue>)>) {
        for (field, values) in form {
            self.data.set(field, values);
        }
        for contact in &write.contacts {
            merge_contact(&mut self.contacts, contact);
        }
    }

    /// The numbers in the record's `phone1`..`phone9` fields, each once, as stored and in
    /// their E.164 form where that differs (`0036...`, or `06...` in a project whose rules
    /// name a default country): `record_phones` holds both, so a Robinson or do-not-call
    /// entry and a phone look-up meet a number however a dialect wrote it.
    pub fn phones(&self, schema: &ProjectSchema) -> BTreeSet<String> {
        let country = schema.rules.default_country.as_deref();
        let mut phones = BTreeSet::new();
        for number in self.stored_phones(schema) {
            if let Some(e164) = crate::domain::dialing::to_e164(number, country).filter(|e164| e164 != number) {
                phones.insert(e164);
            }
            if !phones.contains(number) {
                phones.insert(number.to_owned());
            }
        }
        phones
    }

    fn stored_phones<'r>(&'r self, schema: &'r ProjectSchema) -> impl Iterator<Item = &'r str> + 'r {
        self.data
            .entries()
            .filter_map(|(id, values)| {
                Some((
                    schema.field_by_id(id).filter(|f| phone_slot(&f.name).is_some())?,
                    values,
                ))
            })
            .flat_map(|(field, values)| {
                values.iter().filter_map(move |v| match v {
                    DocValue::Text(text) => Some(text.as_str()),
                    DocValue::Id(id) => field.value_by_id(*id).map(|v| v.name.as_str()),
                })
            })
    }

    /// The first text of the field named `name`.
    fn text_of(&self, schema: &ProjectSchema, name: &str) -> Option<String> {
        let field = schema.field(name)?;
        self.data.get(field.id).iter().find_map(|v| match v {
            DocValue::Text(text) => Some(text.clone()),
            DocValue::Id(id) => field.value_by_id(*id).map(|v| v.name.clone()),
        })
    }

    /// The fields that hold a number, in dialing order: `phone_field` when it names another
    /// field, then `phone1`..`phone9`.
    pub fn numbers(&self, schema: &ProjectSchema) -> Vec<(String, String)> {
        let own = self.phone_field.as_deref().filter(|f| phone_slot(f).is_none());
        own.into_iter()
            .chain(PHONE_FIELDS)
            .filter_map(|field| {
                let number = self.text_of(schema, field).filter(|n| !n.trim().is_empty())?;
                Some((field.to_string(), number))
            })
            .collect()
    }

    /// The field and number a dialer calls: `phone_field`'s when it holds one, else the first.
    pub fn dialed(&self, schema: &ProjectSchema) -> Option<(String, String)> {
        let numbers = self.numbers(schema);
        let chosen = self
            .phone_field
            .as_ref()
            .and_then(|f| numbers.iter().find(|(field, _)| field == f));
        chosen.or(numbers.first()).cloned()
    }

    /// The zones to keep for this row: those of the number it dials (or of its `timezone`
    /// field) while the project has calling hours, else none.
    pub fn zones_for(&self, schema: &ProjectSchema) -> Option<String> {
        schema.rules.schedule()?;
        let number = self.dialed(schema).map(|(_, number)| number);
        let timezone = self.text_of(schema, TIMEZONE_FIELD);
        schema.rules.zones_key(number.as_deref(), timezone.as_deref())
    }

    /// The `record_terms` of its indexed fields: (field id, term).
    pub fn terms(&self, schema: &ProjectSchema) -> BTreeSet<(i64, String)> {
        self.data
            .entries()
            .filter(|(id, _)| schema.field_by_id(*id).is_some_and(|f| f.indexed))
            .flat_map(|(id, values)| values.iter().map(move |v| (id, term(v))))
            .collect()
    }

    /// The record as the API sees it: value texts from the schema, times as text.
    pub fn into_record(self, schema: &ProjectSchema, dispositions: Vec<DispositionEntry>) -> Record {
        let form = self
            .data
            .into_entries()
            .filter_map(|(id, values)| {
                let field = schema.field_by_id(id)?;
                let values = values
                    .into_iter()
                    .filter_map(|v| match v {
                        DocValue::Text(text) => Some(StoredValue { text, value_id: None }),
                        DocValue::Id(id) => field.value_by_id(id).map(|value| StoredValue {
                            text: value.name.clone(),
                            value_id: Some(id),
                        }),
                    })
                    .collect::<Vec<_>>();
                (!values.is_empty()).then(|| FormEntry {
                    field_id: id,
                    name: field.name.clone(),
                    kind: field.kind,
                    values,
                })
            })
            .collect();
        let time = |t: Option<i64>| t.map(calldate::from_seconds);
        Record {
            id: self.id,
            project_id: self.project_id,
            user_data: self.user_data,
            phone_field: self.phone_field,
            next_calldate: time(self.next_calldate),
            premium: Premium {
                price: self.price,
                commission: self.commission,
            },
            locked: self.locked,
            claimed_by: self.claimed_by,
            claim_expires_at: time(self.claim_expires_at),
            done_at: time(self.done_at),
            attempts: self.attempts,
            robinson: self.robinson,
            form,
            contacts: self.contacts,
            dispositions,
            created_at: calldate::from_seconds(self.created_at),
            updated_at: calldate::from_seconds(self.updated_at),
        }
    }
}

/// The index term of a value: its text, or a list value's id in decimal.
pub fn term(value: &DocValue) -> String {
    match value {
        DocValue::Text(text) => text.clone(),
        DocValue::Id(id) => id.to_string(),
    }
}

fn set_if_some(target: &mut Option<String>, value: &Option<String>) {
    if value.is_some() {
        target.clone_from(value);
    }
}

/// A contact written to a slot: details it gives replace, details it leaves out stay.
pub fn merge_contact(contacts: &mut Vec<Contact>, new: &Contact) {
    match contacts.binary_search_by_key(&new.slot, |c| c.slot) {
        Ok(i) => {
            let old = &mut contacts[i];
            set_if_some(&mut old.title, &new.title);
            set_if_some(&mut old.name, &new.name);
            set_if_some(&mut old.phone, &new.phone);
            set_if_some(&mut old.email, &new.email);
        }
        Err(i) => contacts.insert(i, new.clone()),
    }
}

/// The `contacts` column: NULL without contacts, else `{"slot":[title,name,phone,email]}`.
pub fn contacts_json(contacts: &[Contact]) -> Option<String> {
    // Written straight from the contacts (an import encodes one per record).
    (!contacts.is_empty())
        .then(|| serde_json::to_string(&contact_slots(contacts)).expect("strings and numbers always serialize"))
}

/// The contacts as stored: by slot, [title, name, phone, email], the last of a slot kept.
pub fn contact_slots(contacts: &[Contact]) -> BTreeMap<u8, [Option<&str>; 4]> {
    contacts
        .iter()
        .map(|c| {
            let details = [
                c.title.as_deref(),
                c.name.as_deref(),
                c.phone.as_deref(),
                c.email.as_deref(),
            ];
            (c.slot, details)
        })
        .collect()
}

pub fn parse_contacts(json: Option<&str>) -> Result<Vec<Contact>, serde_json::Error> {
    let Some(json) = json else {
        return Ok(Vec::new());
    };
    serde_json::from_str::<StoredContacts>(json).map(StoredContacts::into_contacts)
}

/// The stored contacts (`{"1": [title, name, phone, email], ...}`) read straight into the
/// list: through a map first, they were a twentieth of an export. Any deserializer of the
/// stored document reads them (JSON text, SQLite's JSONB).
pub struct StoredContacts(Vec<Contact>);

impl StoredContacts {
    /// In slot order, a repeated slot once (the last one, as a map would keep it).
    pub fn into_contacts(self) -> Vec<Contact> {
        let StoredContacts(mut contacts) = self;
        // Written in slot order (`contact_slots`); JSONB (PostgreSQL) keeps its own key order.
        if !contacts.is_sorted_by_key(|c| c.slot) {
            contacts.sort_by_key(|c| c.slot);
        }
        contacts.reverse();
        contacts.dedup_by_key(|c| c.slot);
        contacts.reverse();
        contacts
    }
}

impl<'de> serde::Deserialize<'de> for StoredContacts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Slots;
        impl<'de> serde::de::Visitor<'de> for Slots {
            type Value = StoredContacts;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("contacts by slot")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<StoredContacts, A::Error> {
                type Details = (Option<String>, Option<String>, Option<String>, Option<String>);
                let mut contacts = Vec::with_capacity(1);
                while let Some((slot, (title, name, phone, email))) = map.next_entry::<u8, Details>()? {
                    contacts.push(Contact {
                        slot,
                        title,
                        name,
                        phone,
                        email,
                    });
                }
                Ok(StoredContacts(contacts))
            }
        }
        deserializer.deserialize_map(Slots)
    }
}

/// What changes in a side table when a record's entries go from `old` to `new`.
pub fn side_changes<T: Ord + Clone>(old: &BTreeSet<T>, new: &BTreeSet<T>) -> (Vec<T>, Vec<T>) {
    (
        old.difference(new).cloned().collect(),
        new.difference(old).cloned().collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::schema::{Field, FieldKind, FieldValue, ValueAttributes};

    fn schema() -> ProjectSchema {
        let field = |id, name: &str, kind, indexed, values: Vec<(i64, &str)>| Field {
            id,
            name: name.into(),
            label: None,
            kind,
            indexed,
            customised: false,
            values: values
                .into_iter()
                .map(|(id, name)| FieldValue {
                    id,
                    name: name.into(),
                    attributes: ValueAttributes::default(),
                })
                .collect(),
        };
        ProjectSchema::new(vec![
            field(1, "name", FieldKind::Text, false, vec![]),
            field(2, "city", FieldKind::Simple, true, vec![(20, "London")]),
            field(3, "phone1", FieldKind::Text, false, vec![]),
        ])
    }

    fn contact(slot: u8, name: Option<&str>, phone: Option<&str>) -> Contact {
        Contact {
            slot,
            title: None,
            name: name.map(Into::into),
            phone: phone.map(Into::into),
            email: None,
        }
    }

    #[test]
    fn a_new_row_reads_back_as_the_record_written() {
        let write = RecordWrite {
            contacts: vec![contact(1, Some("Ann"), Some("361")), contact(1, None, Some("362"))],
            next_calldate: Some("2020-01-01 08:00:00".into()),
            ..Default::default()
        };
        let form = vec![
            (1, vec![DocValue::Text("Ann".into())]),
            (2, vec![DocValue::Id(20)]),
            (3, vec![DocValue::Text("362".into())]),
        ];
        let row = RecordRow::new(5, &write, form.clone(), 0);
        assert_eq!(row.contacts, vec![contact(1, Some("Ann"), Some("362"))]);
        assert_eq!(row.phones(&schema()).into_iter().collect::<Vec<_>>(), ["362"]);
        assert_eq!(
            row.terms(&schema()).into_iter().collect::<Vec<_>>(),
            [(2, "20".to_string())]
        );
        let record = row.into_record(&schema(), vec![]);
        assert_eq!(record.form_text("city").as_deref(), Some("London"));
        assert_eq!(record.form[1].values[0].value_id, Some(20));
        assert_eq!(record.next_calldate.as_deref(), Some("2020-01-01 08:00:00"));
        assert_eq!(record.created_at, "1970-01-01 00:00:00");
    }

    #[test]
    fn an_update_sets_what_it_names_and_a_call_date_reopens() {
        let mut row = RecordRow {
            user_data: Some("u".into()),
            done_at: Some(1),
            ..Default::default()
        };
        row.data.set(1, vec![DocValue::Text("old".into())]);
        let write = RecordWrite {
            next_calldate: Some("2020-01-01 08:00:00".into()),
            ..Default::default()
        };
        row.apply(&write, &vec![(1, vec![])], 9);
        assert!(row.data.is_empty());
        assert_eq!(
            (row.user_data.as_deref(), row.done_at, row.updated_at),
            (Some("u"), None, 9)
        );
    }

    #[test]
    fn contacts_round_trip_through_their_column() {
        let contacts = vec![contact(1, Some("Ann"), None), contact(3, None, Some("1"))];
        let json = contacts_json(&contacts).unwrap();
        assert_eq!(json, r#"{"1":[null,"Ann",null,null],"3":[null,null,"1",null]}"#);
        assert_eq!(parse_contacts(Some(&json)).unwrap(), contacts);
        assert_eq!(contacts_json(&[]), None);
    }

    #[test]
    fn stored_contacts_come_back_in_slot_order_the_last_of_a_slot_kept() {
        let json = r#"{"3":[null,"C",null,null],"1":["Dr","A","361",null],"3":[null,"D",null,"d@x"]}"#;
        let contacts = parse_contacts(Some(json)).unwrap();
        let slots: Vec<(u8, Option<&str>)> = contacts.iter().map(|c| (c.slot, c.name.as_deref())).collect();
        assert_eq!(slots, [(1, Some("A")), (3, Some("D"))]);
        assert_eq!(contacts[0].title.as_deref(), Some("Dr"));
        assert_eq!(contacts[1].email.as_deref(), Some("d@x"));
        assert!(parse_contacts(None).unwrap().is_empty());
        assert!(parse_contacts(Some(r#"{"x":[null,null,null,null]}"#)).is_err());
    }
}
