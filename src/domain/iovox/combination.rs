//! The display-name + phone-number combinations a contact will have, which
//! the vendor requires to be unique.

use std::collections::HashSet;

use super::detail::Detail;
use super::list_update::updated_list;
use super::request::ContactInput;
use super::validate::StoredContact;

/// (display name, phone digits) pairs the contact will have once the
/// request is applied, or none when the request touches neither the
/// display name nor a phone (nothing changes, nothing to check) or the
/// contact ends up without a display name.
///
/// `stored` is the existing contact for updateContacts, `None` for
/// addContacts. Display names compare exactly (after the parser's trim).
pub(super) fn resulting_pairs(
    contact: &ContactInput,
    stored: Option<&StoredContact>,
    replace_details: bool,
) -> Vec<(String, String)> {
    let touched = contact.sends(Detail::DisplayName) || Detail::PHONES.iter().any(|&phone| contact.sends(phone));
    if !touched {
        return Vec::new();
    }
    let sent_name = contact.value(Detail::DisplayName).filter(|n| !n.is_empty());
    let stored_name = stored.map(|s| s.display_name.as_str());
    let Some(name) = sent_name.or(stored_name).filter(|n| !n.is_empty()) else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    let mut pairs = Vec::new();
    for phone in Detail::PHONES {
        let before = stored.map(|s| s.phones_of(phone)).unwrap_or_default();
        for number in updated_list(&before, contact, phone, replace_details) {
            if seen.insert(number.clone()) {
                pairs.push((name.to_owned(), number));
            }
        }
    }
    pairs
}
