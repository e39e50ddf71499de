//! How a request changes a multi-valued detail (phones, email). Shared by
//! validation (to know the resulting display-name/phone combinations) and
//! by the caller when it persists the update, so both agree.

use std::collections::HashSet;

use super::detail::Detail;
use super::phone::phone_digits;
use super::request::ContactInput;

/// The values `detail` holds once `contact` is applied to `stored`:
/// - element absent: the stored values, untouched;
/// - only empty values sent: cleared;
/// - `replace_details` TRUE: exactly the non-empty values sent;
/// - `replace_details` FALSE: the stored values, then the sent ones that
///   are not already there (the vendor only says TRUE replaces the list;
///   appending is Dialbase's reading of FALSE).
///
/// Phone values are compared and returned as digits (no '+'), assuming
/// `stored` holds digits already. Order is preserved, repeats dropped.
pub fn updated_list(stored: &[String], contact: &ContactInput, detail: Detail, replace_details: bool) -> Vec<String> {
    if !contact.sends(detail) {
        return stored.to_vec();
    }
    let sent = contact
        .values(detail)
        .filter(|value| !value.is_empty())
        .map(|value| if detail.is_phone() { phone_digits(value) } else { value });
    let mut result: Vec<String> = if replace_details { Vec::new() } else { stored.to_vec() };
    // A set keeps this linear even for a body with thousands of numbers.
    let mut present: HashSet<String> = result.iter().cloned().collect();
    let mut any_sent = false;
    for value in sent {
        any_sent = true;
        if present.insert(value.to_owned()) {
            result.push(value.to_owned());
        }
    }
    if any_sent { result } else { Vec::new() }
}
