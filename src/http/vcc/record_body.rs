//! VCC Live's record shape, serialized straight from the record: `data` holds text for
//! text fields and value ids for list fields; Dialbase adds `values` with the texts, the
//! dialing state and `user_data`. Keys are in name order, as a `serde_json::Map` wrote them.

use crate::domain::record::{DispositionEntry, FormEntry, Record};
use crate::domain::schema::FieldKind;
use crate::http::record_view::{Contacts, FormTexts, by_name};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

pub struct VccRecord<'a>(pub &'a Record);

impl Serialize for VccRecord<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut map = serializer.serialize_map(Some(16))?;
        map.serialize_entry("cdrs", &[(); 0])?;
        map.serialize_entry("contacts", &Contacts(r))?;
        map.serialize_entry("create_date", &r.created_at)?;
        map.serialize_entry("create_date_utc", &r.created_at)?;
        map.serialize_entry("data", &Data(r))?;
        map.serialize_entry("events", &Events(&r.dispositions))?;
        map.serialize_entry("locked", &r.locked)?;
        map.serialize_entry("next_calldate", &r.next_calldate)?;
        map.serialize_entry("numberid", &r.id)?;
        map.serialize_entry("phone_field", &r.phone_field)?;
        map.serialize_entry(
            "premium",
            &Premium {
                commission: &r.premium.commission,
                price: &r.premium.price,
            },
        )?;
        map.serialize_entry("projectid", &r.project_id)?;
        map.serialize_entry("robinson", &r.robinson)?;
        map.serialize_entry("update_date", &r.updated_at)?;
        map.serialize_entry("user_data", &r.user_data)?;
        map.serialize_entry("values", &FormTexts(r))?;
        map.end()
    }
}

#[derive(Serialize)]
struct Premium<'a> {
    commission: &'a Option<String>,
    price: &'a Option<String>,
}

/// `data`: a text field's first text, a single-value field's value id (or null), a
/// multi-value field's ids.
struct Data<'a>(&'a Record);

impl Serialize for Data<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(by_name(self.0).into_iter().map(|entry| (&entry.name, DataValue(entry))))
    }
}

struct DataValue<'a>(&'a FormEntry);

impl Serialize for DataValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entry = self.0;
        match entry.kind {
            FieldKind::Text => serializer.serialize_str(entry.values.first().map_or("", |v| v.text.as_str())),
            FieldKind::Simple => entry.values.first().map(|v| v.value_id).serialize(serializer),
            FieldKind::Multiple => serializer.collect_seq(entry.values.iter().map(|v| v.value_id)),
        }
    }
}

struct Events<'a>(&'a [DispositionEntry]);

impl Serialize for Events<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Event<'a> {
            date: &'a str,
            description: &'a Option<String>,
            dispositionid: i64,
            next_calldate: &'a Option<String>,
            userid: &'a str,
        }
        serializer.collect_seq(self.0.iter().map(|d| Event {
            date: &d.created_at,
            description: &d.description,
            dispositionid: d.disposition_id,
            next_calldate: &d.next_calldate,
            userid: &d.user_id,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::{Contact, Premium, StoredValue};
    use serde_json::{Value, json};

    /// The shape as it was built before, through `serde_json::Value`: the oracle.
    fn as_value(record: &Record) -> Value {
        let mut data = serde_json::Map::new();
        let mut values = serde_json::Map::new();
        for entry in &record.form {
            let ids: Vec<Value> = entry.values.iter().map(|v| json!(v.value_id)).collect();
            let value = match entry.kind {
                FieldKind::Text => json!(entry.values.first().map(|v| v.text.as_str()).unwrap_or("")),
                FieldKind::Simple => ids.first().cloned().unwrap_or(Value::Null),
                FieldKind::Multiple => Value::Array(ids),
            };
            data.insert(entry.name.clone(), value);
            values.insert(entry.name.clone(), Value::String(entry.text()));
        }
        let contacts: serde_json::Map<String, Value> = record
            .contacts
            .iter()
            .map(|c| {
                let parts = json!({"title": c.title, "name": c.name, "phone": c.phone, "email": c.email});
                (format!("phone{}", c.slot), parts)
            })
            .collect();
        let events: Vec<Value> = record
            .dispositions
            .iter()
            .map(|d| {
                json!({"dispositionid": d.disposition_id, "userid": d.user_id, "next_calldate": d.next_calldate,
                       "description": d.description, "date": d.created_at})
            })
            .collect();
        json!({
            "numberid": record.id, "projectid": record.project_id,
            "data": data, "values": values, "contacts": contacts, "events": events, "cdrs": [],
            "phone_field": record.phone_field, "next_calldate": record.next_calldate,
            "premium": {"price": record.premium.price, "commission": record.premium.commission},
            "robinson": record.robinson, "locked": record.locked,
            "create_date": record.created_at, "create_date_utc": record.created_at, "update_date": record.updated_at,
            "user_data": record.user_data,
        })
    }

    fn entry(id: i64, name: &str, kind: FieldKind, values: &[(&str, Option<i64>)]) -> FormEntry {
        FormEntry {
            field_id: id,
            name: name.into(),
            kind,
            values: values
                .iter()
                .map(|(text, value_id)| StoredValue {
                    text: text.to_string(),
                    value_id: *value_id,
                })
                .collect(),
        }
    }

    #[test]
    fn writes_the_bytes_the_value_map_wrote() {
        let contact = |slot, name: Option<&str>| Contact {
            slot,
            title: None,
            name: name.map(String::from),
            phone: Some(format!("3610{slot}")),
            email: Some("a\"b@example.com".into()),
        };
        let record = Record {
            id: 7,
            project_id: 2,
            user_data: Some("crm-7".into()),
            phone_field: Some("phone2".into()),
            next_calldate: None,
            premium: Premium {
                price: Some("10".into()),
                commission: None,
            },
            locked: true,
            claimed_by: None,
            claim_expires_at: None,
            done_at: None,
            attempts: 0,
            robinson: false,
            form: vec![
                entry(3, "zeta", FieldKind::Text, &[("ünïcode\n", None)]),
                entry(1, "likes", FieldKind::Multiple, &[("a", Some(4)), ("b", Some(5))]),
                entry(2, "city", FieldKind::Simple, &[("Pécs", Some(9))]),
                entry(4, "empty", FieldKind::Simple, &[]),
                entry(5, "Name", FieldKind::Text, &[]),
            ],
            contacts: vec![contact(3, None), contact(1, Some("Ann"))],
            dispositions: vec![DispositionEntry {
                disposition_id: 3,
                user_id: "agent".into(),
                next_calldate: Some("2030-01-01 00:00:00".into()),
                description: None,
                created_at: "2026-11-24 02:00:00".into(),
            }],
            created_at: "2026-11-24 01:00:00".into(),
            updated_at: "2026-11-24 01:30:00".into(),
        };
        assert_eq!(
            serde_json::to_string(&VccRecord(&record)).unwrap(),
            serde_json::to_string(&as_value(&record)).unwrap()
        );
    }
}
