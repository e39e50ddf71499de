//! The canonical contact: the fields every dialect shares, each stored under one name.
//!
//! A record's form is keyed by field name. Dialects that have their own names for a
//! contact's name, company, e-mail, postal address, phones and notes (jtel's `Company`,
//! iovox's `home_city`) read and write these stored names through the tables here, so a
//! contact written through one dialect shows its values under each dialect's own names.
//! VCC Live's form keys are the stored names themselves. Fields outside the model stay
//! custom fields under the name the writing dialect gave them. docs/fields.md has the table.

use crate::domain::iovox::Detail;

/// A field of the canonical contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Canonical {
    /// The name the contact is shown and addressed by (iovox's display name).
    Name,
    FirstName,
    LastName,
    Company,
    Email,
    /// Street and number.
    Address,
    City,
    Postcode,
    Region,
    Country,
    Notes,
    /// `phone1`..`phone9`: the numbers a dialer calls.
    Phone(u8),
}

impl Canonical {
    /// Every field but the phones, in the order docs/fields.md lists them.
    pub const NAMED: [Canonical; 11] = [
        Canonical::Name,
        Canonical::FirstName,
        Canonical::LastName,
        Canonical::Company,
        Canonical::Email,
        Canonical::Address,
        Canonical::City,
        Canonical::Postcode,
        Canonical::Region,
        Canonical::Country,
        Canonical::Notes,
    ];

    /// The stored field name (VCC Live's form key).
    pub fn field_name(self) -> &'static str {
        const PHONES: [&str; 9] = [
            "phone1", "phone2", "phone3", "phone4", "phone5", "phone6", "phone7", "phone8", "phone9",
        ];
        match self {
            Canonical::Name => "name",
            Canonical::FirstName => "first_name",
            Canonical::LastName => "last_name",
            Canonical::Company => "company",
            Canonical::Email => "email",
            Canonical::Address => "address",
            Canonical::City => "city",
            Canonical::Postcode => "postcode",
            Canonical::Region => "region",
            Canonical::Country => "country",
            Canonical::Notes => "notes",
            Canonical::Phone(slot) => PHONES[usize::from(slot.clamp(1, 9) - 1)],
        }
    }
}

/// jtel's keys of canonical fields; `PhoneNumber1`..`PhoneNumber9` are the phones.
/// jtel has no last-name key: a `last_name` shows under its own name there.
const JTEL: [(&str, Canonical); 10] = [
    ("Name", Canonical::Name),
    ("FirstName", Canonical::FirstName),
    ("Company", Canonical::Company),
    ("Email", Canonical::Email),
    ("Address", Canonical::Address),
    ("City", Canonical::City),
    ("PostalCode", Canonical::Postcode),
    ("Region", Canonical::Region),
    ("Country", Canonical::Country),
    ("Comment", Canonical::Notes),
];

/// The stored field a jtel key names: canonical fields by the table, `PhoneNumberN` the
/// phone N, any other key the custom field of the same name.
pub fn jtel_field(key: &str) -> String {
    if let Some(slot) = jtel_phone_slot(key) {
        return Canonical::Phone(slot).field_name().to_owned();
    }
    match JTEL.iter().find(|(jtel, _)| *jtel == key) {
        Some((_, canonical)) => canonical.field_name().to_owned(),
        None => key.to_owned(),
    }
}

/// The jtel key of a stored field (the inverse of [`jtel_field`]), or None for a custom
/// field whose name is a canonical jtel key already taken by a canonical field (a project
/// that held both `Company` and `company` before the mapping: `company` wins).
pub fn jtel_key(field: &str) -> Option<String> {
    if let Some(slot) = crate::domain::schema::phone_slot(field) {
        return Some(format!("PhoneNumber{slot}"));
    }
    if let Some((jtel, _)) = JTEL.iter().find(|(_, c)| c.field_name() == field) {
        return Some((*jtel).to_owned());
    }
    let shadowed = JTEL.iter().any(|(jtel, _)| *jtel == field) || jtel_phone_slot(field).is_some();
    (!shadowed).then(|| field.to_owned())
}

/// N of jtel's `PhoneNumberN`, 1 to 9.
pub fn jtel_phone_slot(key: &str) -> Option<u8> {
    match key.strip_prefix("PhoneNumber")?.as_bytes() {
        [d @ b'1'..=b'9'] => Some(d - b'0'),
        _ => None,
    }
}

/// iovox's details of canonical fields. The home address is the postal address; the work
/// address, `email_2` and `business_country` stay iovox's own fields.
const IOVOX: [(Detail, Canonical); 14] = [
    (Detail::DisplayName, Canonical::Name),
    (Detail::FirstName, Canonical::FirstName),
    (Detail::LastName, Canonical::LastName),
    (Detail::Company, Canonical::Company),
    (Detail::Email, Canonical::Email),
    (Detail::HomeAddress1, Canonical::Address),
    (Detail::HomeCity, Canonical::City),
    (Detail::HomePostcode, Canonical::Postcode),
    (Detail::HomeCountry, Canonical::Country),
    (Detail::Notes, Canonical::Notes),
    (Detail::MobilePhone, Canonical::Phone(1)),
    (Detail::HomePhone, Canonical::Phone(2)),
    (Detail::BusinessPhone, Canonical::Phone(3)),
    (Detail::BusinessFax, Canonical::Phone(4)),
];

/// The stored field of an iovox detail.
pub fn iovox_field(detail: Detail) -> &'static str {
    match IOVOX.iter().find(|(d, _)| *d == detail) {
        Some((_, canonical)) => canonical.field_name(),
        None => detail.element_name(),
    }
}

/// The iovox detail a stored field holds, if any.
pub fn iovox_detail(field: &str) -> Option<Detail> {
    Detail::ALL.into_iter().find(|&detail| iovox_field(detail) == field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jtel_keys_map_both_ways() {
        for (key, field) in [
            ("Name", "name"),
            ("FirstName", "first_name"),
            ("PostalCode", "postcode"),
            ("Comment", "notes"),
            ("PhoneNumber3", "phone3"),
            ("Tag", "Tag"),
            ("last_name", "last_name"),
            ("PhoneNumber10", "PhoneNumber10"),
        ] {
            assert_eq!(jtel_field(key), field, "{key}");
            assert_eq!(jtel_key(field).as_deref(), Some(key), "{field}");
        }
        assert_eq!(jtel_key("Company"), None, "shadowed by company");
    }

    #[test]
    fn iovox_details_map_both_ways() {
        for detail in Detail::ALL {
            assert_eq!(iovox_detail(iovox_field(detail)), Some(detail), "{detail:?}");
        }
        assert_eq!(iovox_field(Detail::DisplayName), "name");
        assert_eq!(iovox_field(Detail::HomeCity), "city");
        assert_eq!(iovox_field(Detail::WorkCity), "work_city");
        assert_eq!(iovox_field(Detail::BusinessFax), "phone4");
        assert_eq!(iovox_detail("phone5"), None);
    }

    #[test]
    fn field_names_are_distinct() {
        let mut names: Vec<&str> = Canonical::NAMED.iter().map(|c| c.field_name()).collect();
        names.extend((1..=9).map(|slot| Canonical::Phone(slot).field_name()));
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
    }
}
