//! Unit tests of the iovox domain, with shared fixtures.

mod book_tests;
mod countries_tests;
mod delete_tests;
mod error_tests;
mod ids_and_rules_tests;
mod phone_and_name_tests;
mod precedence_tests;
mod request_helpers_tests;

use std::collections::HashMap;

use super::{ContactInput, ContactLookup, ContactsRequest, Detail, StoredContact};

/// The seed's updateContacts payload with only its first, complete contact,
/// as the parser reads it (`http::iovox` checks that it does).
pub(crate) fn seed_request() -> ContactsRequest {
    let details = [
        (Detail::DisplayName, "John Smith"),
        (Detail::FirstName, "John"),
        (Detail::LastName, "Smith"),
        (Detail::Email, "jsmith@iovox.com"),
        (Detail::Email2, "jsmith@iovox.com"),
        (Detail::Company, "Smith's ABC"),
        (Detail::MobilePhone, "447772412312"),
        (Detail::HomePhone, "44123231231"),
        (Detail::BusinessPhone, "44123871237"),
        (Detail::BusinessFax, "44123875237"),
        (Detail::WorkAddress1, "155 Abbey Street"),
        (Detail::WorkAddress2, "Westminister"),
        (Detail::WorkCity, "London"),
        (Detail::WorkCountry, "United Kingdom"),
        (Detail::WorkPostcode, "W1 5P6"),
        (Detail::HomeAddress1, "155 Abbey Street"),
        (Detail::HomeAddress2, "Westminister"),
        (Detail::HomeCity, "London"),
        (Detail::HomeCountry, "United Kingdom"),
        (Detail::HomePostcode, "W1 5P6"),
        (Detail::Notes, "This is a note."),
    ];
    ContactsRequest {
        rm_rules: true,
        replace_details: true,
        contacts: vec![ContactInput {
            new_contact_id: Some("333 Updated".to_owned()),
            ..contact("333", &details)
        }],
    }
}

pub(crate) fn contact(id: &str, details: &[(Detail, &str)]) -> ContactInput {
    ContactInput {
        contact_id: Some(id.to_owned()),
        new_contact_id: None,
        details: details.iter().map(|(d, v)| (*d, (*v).to_owned())).collect(),
    }
}

/// Replaces every value of `detail` by `value` (or removes the detail).
pub(super) fn set(contact: &mut ContactInput, detail: Detail, value: Option<&str>) {
    contact.details.retain(|(d, _)| *d != detail);
    if let Some(value) = value {
        contact.details.push((detail, value.to_owned()));
    }
}

/// An in-memory stand-in for the caller's prefetched database state.
#[derive(Default)]
pub(super) struct FakeDb {
    pub contacts: HashMap<String, StoredContact>,
    pub rules: Vec<(String, Detail)>,
}

impl FakeDb {
    pub(super) fn with(mut self, id: &str, display_name: &str, phones: &[(Detail, &str)]) -> Self {
        let stored = StoredContact {
            display_name: display_name.to_owned(),
            phones: phones.iter().map(|(d, v)| (*d, (*v).to_owned())).collect(),
        };
        self.contacts.insert(id.to_owned(), stored);
        self
    }

    pub(super) fn with_rule(mut self, id: &str, detail: Detail) -> Self {
        self.rules.push((id.to_owned(), detail));
        self
    }
}

impl ContactLookup for FakeDb {
    fn stored(&self, contact_id: &str) -> Option<&StoredContact> {
        self.contacts.get(contact_id)
    }

    fn combination_taken(&self, name: &str, phone: &str, except: Option<&str>) -> bool {
        self.contacts.iter().any(|(id, stored)| {
            Some(id.as_str()) != except && stored.display_name == name && stored.phones.iter().any(|(_, p)| p == phone)
        })
    }

    fn used_by_rules(&self, contact_id: &str, detail: Detail) -> bool {
        self.rules.contains(&(contact_id.to_owned(), detail))
    }
}
