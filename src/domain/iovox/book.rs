//! The contact book behind createContacts / updateContacts: a snapshot of the
//! stored contacts a request touches, which the storage loads inside its
//! writing transaction, and the plan of record writes a valid request makes.
//! Every storage backend shares this, so they agree on every rule.
//!
//! Loading protocol for a backend, all inside one write transaction:
//! 1. the contacts named by [`request_contact_ids`];
//! 2. the contacts whose display name is one of [`candidate_display_names`]
//!    (they may already hold a display-name/phone combination);
//! 3. the Rule uses ([`BookSnapshot::insert_rule_use`]) of the loaded records;
//! 4. [`plan_contacts`], then write its [`ContactsPlan`].

use std::collections::{HashMap, HashSet};

use super::detail::{Detail, values_of};
use super::error::IovoxError;
use super::list_update::updated_list;
use super::normalize::normalized_details;
use super::request::{ContactInput, ContactsRequest, emptied_details};
use super::validate::{ContactLookup, Mode, StoredContact, validate_contacts};
use crate::domain::record::RecordWrite;
use crate::domain::resolve::FormValue;

/// A stored contact: its record and every detail value (phones as digits),
/// several values of a list detail in their stored order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookContact {
    pub record_id: i64,
    pub details: Vec<(Detail, String)>,
}

impl BookContact {
    pub fn values(&self, detail: Detail) -> Vec<String> {
        values_of(&self.details, detail)
    }

    fn summary(&self) -> StoredContact {
        StoredContact {
            display_name: self.values(Detail::DisplayName).concat(),
            phones: self.details.iter().filter(|(d, _)| d.is_phone()).cloned().collect(),
        }
    }
}

/// The stored contacts, combinations and Rule uses a request can touch.
#[derive(Debug, Default)]
pub struct BookSnapshot {
    contacts: HashMap<String, (BookContact, StoredContact)>,
    /// (display name, phone digits) -> ids of the contacts holding it.
    holders: HashMap<(String, String), Vec<String>>,
    rule_uses: HashSet<(i64, Detail)>,
}

impl BookSnapshot {
    /// Adds a contact (once per contact id; later ones are ignored).
    pub fn insert_contact(&mut self, contact_id: String, contact: BookContact) {
        if self.contacts.contains_key(&contact_id) {
            return;
        }
        let summary = contact.summary();
        for (_, phone) in &summary.phones {
            let key = (summary.display_name.clone(), phone.clone());
            self.holders.entry(key).or_default().push(contact_id.clone());
        }
        self.contacts.insert(contact_id, (contact, summary));
    }

    /// A Rule or Rule Template uses this detail of this record.
    pub fn insert_rule_use(&mut self, record_id: i64, detail: Detail) {
        self.rule_uses.insert((record_id, detail));
    }

    pub fn contact(&self, contact_id: &str) -> Option<&BookContact> {
        self.contacts.get(contact_id).map(|(contact, _)| contact)
    }

    /// The records loaded so far, for step 3 of the loading protocol.
    pub fn record_ids(&self) -> Vec<i64> {
        self.contacts.values().map(|(contact, _)| contact.record_id).collect()
    }
}

impl ContactLookup for BookSnapshot {
    fn stored(&self, contact_id: &str) -> Option<&StoredContact> {
        self.contacts.get(contact_id).map(|(_, summary)| summary)
    }

    fn combination_taken(&self, display_name: &str, phone: &str, except_contact_id: Option<&str>) -> bool {
        self.holders
            .get(&(display_name.to_owned(), phone.to_owned()))
            .is_some_and(|ids| ids.iter().any(|id| Some(id.as_str()) != except_contact_id))
    }

    fn used_by_rules(&self, contact_id: &str, detail: Detail) -> bool {
        self.contact(contact_id)
            .is_some_and(|contact| self.rule_uses.contains(&(contact.record_id, detail)))
    }
}

/// Every contact_id and non-empty new_contact_id of the request.
pub fn request_contact_ids(request: &ContactsRequest) -> Vec<String> {
    let ids = request
        .contacts
        .iter()
        .flat_map(|c| [c.contact_id.as_deref(), c.new_contact_id.as_deref()]);
    unique(ids.flatten().filter(|id| !id.is_empty()))
}

/// The display names the request's contacts will have: those sent, and the
/// stored ones of the contacts (in `snapshot`) that keep theirs.
pub fn candidate_display_names(request: &ContactsRequest, snapshot: &BookSnapshot) -> Vec<String> {
    let names = request.contacts.iter().flat_map(|contact| {
        let stored = contact.contact_id.as_deref().and_then(|id| snapshot.stored(id));
        [
            contact.value(Detail::DisplayName),
            stored.map(|s| s.display_name.as_str()),
        ]
    });
    unique(names.flatten().filter(|name| !name.is_empty()))
}

fn unique<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = HashSet::new();
    items.filter(|item| seen.insert(*item)).map(str::to_owned).collect()
}

/// createContacts' default display name (vendor: "first_name last_name or
/// company"), for contacts that do not send `<display_name>` at all.
pub fn fill_default_display_names(request: &mut ContactsRequest) {
    for contact in &mut request.contacts {
        if contact.sends(Detail::DisplayName) {
            continue;
        }
        let full_name = [Detail::FirstName, Detail::LastName]
            .iter()
            .filter_map(|&d| contact.value(d).filter(|v| !v.is_empty()))
            .collect::<Vec<_>>()
            .join(" ");
        let company = contact.value(Detail::Company).unwrap_or_default();
        let name = if full_name.is_empty() { company } else { &full_name };
        if !name.is_empty() {
            let name = name.to_owned();
            contact.details.push((Detail::DisplayName, name));
        }
    }
}

/// The writes of a valid request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactsPlan {
    /// createContacts: new records of the contact book.
    pub inserts: Vec<RecordWrite>,
    /// updateContacts: (record id, change).
    pub updates: Vec<(i64, RecordWrite)>,
    /// rm_rules TRUE: details the request empties that Rules use. Rule
    /// Templates using one are deleted, Links fixing a variable Rule with one
    /// lose that template.
    pub released: Vec<(i64, Detail)>,
}

/// Validates the request against the snapshot (see `validate_contacts`) and
/// plans its writes. Each contact is one record of the contact book:
/// `user_data` is the contact_id, each detail its field (`Detail::field`: the canonical
/// contact's where there is one; list details as several values).
pub fn plan_contacts(
    request: &ContactsRequest,
    mode: Mode,
    snapshot: &BookSnapshot,
) -> Result<ContactsPlan, IovoxError> {
    validate_contacts(request, mode, snapshot)?;
    let mut plan = ContactsPlan::default();
    for contact in &request.contacts {
        let contact_id = contact.contact_id.clone().unwrap_or_default();
        match mode {
            Mode::Add => {
                let mut write = record_write(contact, None, true);
                write.form.retain(|(_, value)| *value != FormValue::Clear);
                write.user_data = Some(contact_id);
                plan.inserts.push(write);
            }
            Mode::Update => {
                let stored = snapshot
                    .contact(&contact_id)
                    .ok_or_else(IovoxError::internal_server_error)?;
                let mut write = record_write(contact, Some(stored), request.replace_details);
                write.user_data = contact
                    .final_contact_id()
                    .filter(|id| *id != contact_id)
                    .map(str::to_owned);
                if request.rm_rules {
                    let used = emptied_details(contact)
                        .into_iter()
                        .filter(|&detail| snapshot.used_by_rules(&contact_id, detail));
                    plan.released.extend(used.map(|detail| (stored.record_id, detail)));
                }
                plan.updates.push((stored.record_id, write));
            }
        }
    }
    Ok(plan)
}

/// The form change of one contact: sent details only; an emptied detail
/// clears its field.
fn record_write(contact: &ContactInput, stored: Option<&BookContact>, replace_details: bool) -> RecordWrite {
    let normalized = normalized_details(contact);
    let mut form: Vec<(String, FormValue)> = Vec::new();
    for detail in Detail::ALL {
        let Some(last) = normalized.iter().rev().find(|(d, _)| *d == detail) else {
            continue;
        };
        let value = if detail.is_multi_valued() {
            let before = stored.map(|s| s.values(detail)).unwrap_or_default();
            let list = updated_list(&before, contact, detail, replace_details);
            if list.is_empty() {
                FormValue::Clear
            } else {
                FormValue::Values(list)
            }
        } else if last.1.is_empty() {
            FormValue::Clear
        } else {
            FormValue::Text(last.1.clone())
        };
        form.push((detail.field().to_owned(), value));
    }
    RecordWrite {
        form,
        ..Default::default()
    }
}
