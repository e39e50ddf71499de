//! The parsed body of updateContacts / addContacts.

use super::detail::Detail;

/// One `<contact>` element.
///
/// Values are trimmed of surrounding whitespace. An element present with
/// empty text is kept as `(detail, "")`: "empty" is meaningful (it clears
/// the detail, triggers "Display Name x of y Empty" and the rm_rules logic),
/// while an absent element leaves the stored detail untouched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInput {
    /// `None` when `<contact_id>` is absent, `Some("")` when it is empty.
    pub contact_id: Option<String>,
    pub new_contact_id: Option<String>,
    /// In document order; multi-valued details may repeat.
    pub details: Vec<(Detail, String)>,
}

/// The whole `<request>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactsRequest {
    /// FALSE when absent (vendor default).
    pub rm_rules: bool,
    /// FALSE when absent (vendor default).
    pub replace_details: bool,
    pub contacts: Vec<ContactInput>,
}

impl ContactInput {
    /// The values sent for `detail`, in document order.
    pub fn values(&self, detail: Detail) -> impl Iterator<Item = &str> {
        self.details
            .iter()
            .filter(move |(d, _)| *d == detail)
            .map(|(_, v)| v.as_str())
    }

    /// The first value sent for `detail`, if the element is present.
    pub fn value(&self, detail: Detail) -> Option<&str> {
        self.values(detail).next()
    }

    /// Whether the element for `detail` is present at all (even empty).
    pub fn sends(&self, detail: Detail) -> bool {
        self.value(detail).is_some()
    }

    /// The contact id the contact will have after the request: the new id
    /// when a non-empty `<new_contact_id>` is sent, else the current one.
    pub fn final_contact_id(&self) -> Option<&str> {
        match self.new_contact_id.as_deref() {
            Some(new_id) if !new_id.is_empty() => Some(new_id),
            _ => self.contact_id.as_deref(),
        }
    }
}

/// Every non-empty phone number sent, as written in the request, in
/// `Detail::PHONES` order (home, business, fax, mobile).
pub fn phone_numbers(contact: &ContactInput) -> Vec<&str> {
    Detail::PHONES
        .iter()
        .flat_map(|&phone| contact.values(phone))
        .filter(|v| !v.is_empty())
        .collect()
}

/// Details the request empties: present, and with only empty values (an
/// empty entry next to a non-empty one of a list detail does not clear the
/// list). In `Detail::ALL` order, without repeats.
pub fn emptied_details(contact: &ContactInput) -> Vec<Detail> {
    Detail::ALL
        .into_iter()
        .filter(|&d| contact.sends(d) && contact.values(d).all(str::is_empty))
        .collect()
}
