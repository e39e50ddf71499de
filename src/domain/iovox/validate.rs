//! Validation of a parsed updateContacts / addContacts request, stateless
//! and stateful checks together so the whole precedence lives here.
//!
//! The first failing check wins. Errors found while parsing come first
//! (XML Empty, XML parse error, Too many contacts, Request Empty). Then each
//! contact is checked in document order (item 1 fully, then item 2...),
//! and within one contact the checks follow the vendor's error table:
//!
//!  1. Contact ID x of y Empty: `<contact_id>` missing or empty.
//!  2. Contact ID x of y does not exist (updateContacts only).
//!  3. Duplicate Contact ID Received: the contact_id, or the id it ends up
//!     with, repeats one of an earlier item; or the id is already taken in
//!     the database (addContacts: contact_id exists; updateContacts: a
//!     non-empty new_contact_id other than its own exists). Renames that
//!     swap or chain ids within one request are therefore rejected.
//!  4. Display Name x of y Empty: `<display_name>` present but empty.
//!  5. Home Phone, then Business Phone, Business Fax, Mobile Phone x of y
//!     is not internationalised (non-empty values only).
//!  6. First Name, then Last Name x of y Invalid (non-empty values only).
//!  7. Display Name and Phone Number Combination x of y already exists:
//!     a resulting combination is held by another stored contact.
//!  8. Display Name and Phone Number Combination duplicated: a resulting
//!     combination equals one of an earlier item.
//!  9. Home Country, then Business Country x of y Invalid: a non-empty
//!     value that is not a getCountries name (case-insensitive).
//! 10. Contact x of y has empty fields that are used in Rules or Rule
//!     Templates: updateContacts with rm_rules FALSE empties a detail
//!     that a Rule or Rule Template uses.
//!
//! addContacts ignores new_contact_id and rm_rules (new contacts are in no
//! Rule yet); empty details there are simply not stored.

use std::collections::HashSet;

use super::combination::resulting_pairs;
use super::countries::country_by_name;
use super::detail::{Detail, values_of};
use super::error::IovoxError;
use super::names::is_valid_person_name;
use super::phone::is_internationalised;
use super::request::{ContactInput, ContactsRequest, emptied_details};

/// Which method is being validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Add,
    Update,
}

/// What validation needs to know about an existing contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredContact {
    pub display_name: String,
    /// Phone numbers as digits (no '+'), by phone detail.
    pub phones: Vec<(Detail, String)>,
}

impl StoredContact {
    /// The stored numbers of one phone detail.
    pub fn phones_of(&self, detail: Detail) -> Vec<String> {
        values_of(&self.phones, detail)
    }
}

/// Database state the caller prefetches (in one go) before validating:
/// the stored contacts for every contact_id and new_contact_id of the
/// request, the display-name/phone combinations of the account and the
/// details used by Rules or Rule Templates.
pub trait ContactLookup {
    /// The stored contact with this id, `None` when it does not exist.
    fn stored(&self, contact_id: &str) -> Option<&StoredContact>;
    /// Whether a stored contact other than `except_contact_id` has this
    /// display name together with this phone number (digits, no '+').
    fn combination_taken(&self, display_name: &str, phone: &str, except_contact_id: Option<&str>) -> bool;
    /// Whether a Rule or Rule Template uses this detail of the contact.
    fn used_by_rules(&self, contact_id: &str, detail: Detail) -> bool;
}

/// Checks a parsed request; see the module doc for the precedence.
pub fn validate_contacts(request: &ContactsRequest, mode: Mode, lookup: &impl ContactLookup) -> Result<(), IovoxError> {
    let total = request.contacts.len();
    if total == 0 {
        return Err(IovoxError::request_empty());
    }
    let mut seen = Seen::default();
    for (index, contact) in request.contacts.iter().enumerate() {
        let item = Item {
            number: index + 1,
            total,
        };
        let contact_id = check_ids(contact, mode, lookup, &mut seen, item)?;
        check_details(contact, item)?;
        // Steps 7-8.
        let stored = match mode {
            Mode::Update => lookup.stored(contact_id),
            Mode::Add => None,
        };
        let except = (mode == Mode::Update).then_some(contact_id);
        let pairs = resulting_pairs(contact, stored, request.replace_details);
        if pairs
            .iter()
            .any(|(name, phone)| lookup.combination_taken(name, phone, except))
        {
            return Err(IovoxError::combination_exists(item.number, item.total));
        }
        if pairs.iter().any(|pair| seen.pairs.contains(pair)) {
            return Err(IovoxError::combination_duplicated());
        }
        seen.pairs.extend(pairs);
        check_countries(contact, item)?;
        if mode == Mode::Update && !request.rm_rules {
            check_rules(contact, contact_id, lookup, item)?;
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
struct Item {
    number: usize,
    total: usize,
}

/// What earlier items of the request already claimed.
#[derive(Default)]
struct Seen<'a> {
    contact_ids: HashSet<&'a str>,
    final_ids: HashSet<&'a str>,
    pairs: HashSet<(String, String)>,
}

/// Steps 1-3; returns the (non-empty) contact_id.
fn check_ids<'a>(
    contact: &'a ContactInput,
    mode: Mode,
    lookup: &impl ContactLookup,
    seen: &mut Seen<'a>,
    item: Item,
) -> Result<&'a str, IovoxError> {
    let Some(contact_id) = contact.contact_id.as_deref().filter(|id| !id.is_empty()) else {
        return Err(IovoxError::contact_id_empty(item.number, item.total));
    };
    let exists = lookup.stored(contact_id).is_some();
    let (final_id, taken_in_db) = match mode {
        Mode::Update if !exists => {
            return Err(IovoxError::contact_id_not_found(item.number, item.total));
        }
        Mode::Update => {
            let final_id = contact.final_contact_id().unwrap_or(contact_id);
            let renamed_onto_other = final_id != contact_id && lookup.stored(final_id).is_some();
            (final_id, renamed_onto_other)
        }
        Mode::Add => (contact_id, exists),
    };
    let first_use_of_id = seen.contact_ids.insert(contact_id);
    let first_use_of_final_id = seen.final_ids.insert(final_id);
    if !first_use_of_id || !first_use_of_final_id || taken_in_db {
        return Err(IovoxError::duplicate_contact_id());
    }
    Ok(contact_id)
}

/// Steps 4-6: stateless checks of the sent values.
fn check_details(contact: &ContactInput, item: Item) -> Result<(), IovoxError> {
    if contact.value(Detail::DisplayName) == Some("") {
        return Err(IovoxError::display_name_empty(item.number, item.total));
    }
    for phone in Detail::PHONES {
        if sent_values(contact, phone).any(|value| !is_internationalised(value)) {
            return Err(IovoxError::phone_not_internationalised(phone, item.number, item.total));
        }
    }
    for name in [Detail::FirstName, Detail::LastName] {
        if sent_values(contact, name).any(|value| !is_valid_person_name(value)) {
            return Err(IovoxError::detail_invalid(name, item.number, item.total));
        }
    }
    Ok(())
}

/// Step 9.
fn check_countries(contact: &ContactInput, item: Item) -> Result<(), IovoxError> {
    for country in [Detail::HomeCountry, Detail::BusinessCountry] {
        if sent_values(contact, country).any(|value| country_by_name(value).is_none()) {
            return Err(IovoxError::detail_invalid(country, item.number, item.total));
        }
    }
    Ok(())
}

/// Step 10.
fn check_rules(
    contact: &ContactInput,
    contact_id: &str,
    lookup: &impl ContactLookup,
    item: Item,
) -> Result<(), IovoxError> {
    let emptied = emptied_details(contact);
    if emptied
        .into_iter()
        .any(|detail| lookup.used_by_rules(contact_id, detail))
    {
        return Err(IovoxError::empty_fields_used_in_rules(item.number, item.total));
    }
    Ok(())
}

/// Non-empty values: empty ones clear the detail and need no format check.
fn sent_values(contact: &ContactInput, detail: Detail) -> impl Iterator<Item = &str> {
    contact.values(detail).filter(|value| !value.is_empty())
}
