//! Which error wins when several apply.

use super::super::{ContactInput, ContactsRequest, Detail, Mode, validate_contacts};
use super::{FakeDb, contact, set};

fn db() -> FakeDb {
    FakeDb::default()
        .with("111", "", &[])
        .with("333", "John Smith", &[(Detail::BusinessPhone, "44123871237")])
        .with("999", "Taken Name", &[(Detail::HomePhone, "442079460000")])
        .with_rule("333", Detail::Notes)
}

fn request(contacts: Vec<ContactInput>) -> ContactsRequest {
    ContactsRequest {
        rm_rules: false,
        replace_details: false,
        contacts,
    }
}

fn first_error(request: &ContactsRequest, db: &FakeDb) -> Option<String> {
    validate_contacts(request, Mode::Update, db).err().map(|e| e.message)
}

/// Item 2 breaks every per-contact rule; each step fixes the error that
/// won, so the next one in the documented order must surface.
#[test]
fn within_a_contact_errors_follow_the_vendor_table_order() {
    let db = db();
    let item1 = contact(
        "111",
        &[
            (Detail::DisplayName, "Dup Name"),
            (Detail::BusinessPhone, "442079460001"),
        ],
    );
    let item2 = contact(
        "333",
        &[
            (Detail::DisplayName, ""),
            (Detail::HomePhone, "12"),
            (Detail::BusinessPhone, "abc"),
            (Detail::BusinessFax, "+"),
            (Detail::MobilePhone, "0044"),
            (Detail::FirstName, "J0hn"),
            (Detail::LastName, "Sm1th"),
            (Detail::HomeCountry, "Narnia"),
            (Detail::BusinessCountry, "Atlantis"),
            (Detail::Notes, ""),
        ],
    );
    let mut req = request(vec![item1, item2]);
    type Fix = fn(&mut ContactsRequest);
    let ladder: [(&str, Fix); 12] = [
        ("Display Name 2 of 2 Empty", |r| {
            set(&mut r.contacts[1], Detail::DisplayName, Some("Taken Name"))
        }),
        ("Home Phone 2 of 2 is not internationalised", |r| {
            set(&mut r.contacts[1], Detail::HomePhone, None)
        }),
        ("Business Phone 2 of 2 is not internationalised", |r| {
            set(&mut r.contacts[1], Detail::BusinessPhone, Some("+442079460000"))
        }),
        ("Business Fax 2 of 2 is not internationalised", |r| {
            set(&mut r.contacts[1], Detail::BusinessFax, None)
        }),
        ("Mobile Phone 2 of 2 is not internationalised", |r| {
            set(&mut r.contacts[1], Detail::MobilePhone, None)
        }),
        ("First Name 2 of 2 Invalid", |r| {
            set(&mut r.contacts[1], Detail::FirstName, Some("John"))
        }),
        ("Last Name 2 of 2 Invalid", |r| {
            set(&mut r.contacts[1], Detail::LastName, Some("Smith"))
        }),
        ("Display Name and Phone Number Combination 2 of 2 already exists", |r| {
            set(&mut r.contacts[1], Detail::DisplayName, Some("Dup Name"));
            set(&mut r.contacts[1], Detail::BusinessPhone, Some("442079460001"));
        }),
        ("Display Name and Phone Number Combination duplicated", |r| {
            set(&mut r.contacts[1], Detail::BusinessPhone, Some("442079460002"))
        }),
        ("Home Country 2 of 2 Invalid", |r| {
            set(&mut r.contacts[1], Detail::HomeCountry, Some("united kingdom"))
        }),
        ("Business Country 2 of 2 Invalid", |r| {
            set(&mut r.contacts[1], Detail::BusinessCountry, Some("HUNGARY"))
        }),
        (
            "Contact 2 of 2 has empty fields that are used in Rules or Rule Templates",
            |r| r.rm_rules = true,
        ),
    ];
    for (expected, fix) in ladder {
        assert_eq!(first_error(&req, &db).as_deref(), Some(expected));
        fix(&mut req);
    }
    assert_eq!(first_error(&req, &db), None);
}

#[test]
fn identity_errors_beat_detail_errors_of_the_same_contact() {
    let db = db();
    let broken = [(Detail::DisplayName, ""), (Detail::HomePhone, "x")];
    let mut no_id = contact("", &broken);
    assert_eq!(
        first_error(&request(vec![no_id.clone()]), &db).as_deref(),
        Some("Contact ID 1 of 1 Empty")
    );
    no_id.contact_id = None;
    assert_eq!(
        first_error(&request(vec![no_id]), &db).as_deref(),
        Some("Contact ID 1 of 1 Empty")
    );
    let unknown = contact("404", &broken);
    assert_eq!(
        first_error(&request(vec![unknown]), &db).as_deref(),
        Some("Contact ID 1 of 1 does not exist")
    );
    let repeated = vec![contact("333", &[]), contact("333", &broken)];
    assert_eq!(
        first_error(&request(repeated), &db).as_deref(),
        Some("Duplicate Contact ID Received")
    );
}

#[test]
fn earlier_items_win_over_later_ones() {
    let db = db();
    let bad_phone = contact("333", &[(Detail::MobilePhone, "12")]);
    let no_id = contact("", &[]);
    assert_eq!(
        first_error(&request(vec![bad_phone.clone(), no_id.clone()]), &db).as_deref(),
        Some("Mobile Phone 1 of 2 is not internationalised")
    );
    assert_eq!(
        first_error(&request(vec![no_id, bad_phone]), &db).as_deref(),
        Some("Contact ID 1 of 2 Empty")
    );
}

#[test]
fn a_hand_built_request_without_contacts_is_request_empty() {
    assert_eq!(first_error(&request(vec![]), &db()).as_deref(), Some("Request Empty"));
}
