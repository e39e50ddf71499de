//! Parts of a record's JSON that several APIs show the same way, serialized straight from
//! the record (building `serde_json::Value` maps first was most of a list page's time).
//! Keys come out in the order a `serde_json::Map` keeps them (by name), as they always have.

use crate::domain::record::{Contact, FormEntry, Record};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// The form as texts by field name; several values are joined by `|`.
pub struct FormTexts<'a>(pub &'a Record);

impl Serialize for FormTexts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(by_name(self.0).into_iter().map(|entry| (&entry.name, Joined(entry))))
    }
}

/// [`FormEntry::text`] written straight into the output: no string per field and record
/// (an export allocated and freed one for every value it wrote).
struct Joined<'a>(&'a FormEntry);

impl Serialize for Joined<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.values.as_slice() {
            [one] => serializer.serialize_str(&one.text),
            _ => serializer.collect_str(self),
        }
    }
}

impl std::fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, value) in self.0.values.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            f.write_str(&value.text)?;
        }
        Ok(())
    }
}

/// The form entries in name order.
pub fn by_name(record: &Record) -> Vec<&FormEntry> {
    let mut entries: Vec<&FormEntry> = record.form.iter().collect();
    entries.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    entries
}

/// The contacts keyed by their phone field (`phone1`..`phone9`), as VCC Live keys them.
pub struct Contacts<'a>(pub &'a Record);

impl Serialize for Contacts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut contacts: Vec<&Contact> = self.0.contacts.iter().collect();
        contacts.sort_unstable_by_key(|c| c.slot);
        let mut map = serializer.serialize_map(Some(contacts.len()))?;
        for c in contacts {
            map.serialize_entry(&format!("phone{}", c.slot), &ContactParts(c))?;
        }
        map.end()
    }
}

struct ContactParts<'a>(&'a Contact);

impl Serialize for ContactParts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("email", &c.email)?;
        map.serialize_entry("name", &c.name)?;
        map.serialize_entry("phone", &c.phone)?;
        map.serialize_entry("title", &c.title)?;
        map.end()
    }
}
