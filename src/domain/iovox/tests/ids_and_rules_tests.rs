//! Contact id, combination and rm_rules checks of `validate_contacts`.

use super::super::{ContactInput, ContactsRequest, Detail, Mode, validate_contacts};
use super::{FakeDb, contact, seed_request};

fn db() -> FakeDb {
    FakeDb::default()
        .with("333", "John Smith", &[(Detail::BusinessPhone, "44123871237")])
        .with(
            "444",
            "Jane Doe",
            &[
                (Detail::MobilePhone, "447772412312"),
                (Detail::BusinessPhone, "44123871237"),
            ],
        )
        .with("555", "John Smith", &[(Detail::HomePhone, "442079460000")])
        .with_rule("333", Detail::HomePhone)
}

fn check(mode: Mode, rm_rules: bool, contacts: Vec<ContactInput>) -> Result<(), String> {
    let request = ContactsRequest {
        rm_rules,
        replace_details: false,
        contacts,
    };
    validate_contacts(&request, mode, &db()).map_err(|e| e.message)
}

fn renamed(id: &str, new_id: &str) -> ContactInput {
    ContactInput {
        new_contact_id: Some(new_id.to_owned()),
        ..contact(id, &[])
    }
}

fn duplicate() -> Result<(), String> {
    Err("Duplicate Contact ID Received".to_owned())
}

#[test]
fn the_seed_payload_validates_for_an_existing_contact() {
    let request = seed_request();
    assert_eq!(validate_contacts(&request, Mode::Update, &db()), Ok(()));
}

#[test]
fn update_ids_must_exist_and_end_up_unique() {
    assert_eq!(
        check(Mode::Update, false, vec![contact("333", &[]), contact("444", &[])]),
        Ok(())
    );
    assert_eq!(check(Mode::Update, false, vec![renamed("333", "333 Updated")]), Ok(()));
    assert_eq!(check(Mode::Update, false, vec![renamed("333", "333")]), Ok(()));
    // An empty new_contact_id means "no rename".
    assert_eq!(check(Mode::Update, false, vec![renamed("333", "")]), Ok(()));
    assert_eq!(check(Mode::Update, false, vec![renamed("333", "444")]), duplicate());
    assert_eq!(
        check(Mode::Update, false, vec![renamed("333", "new"), renamed("444", "new")]),
        duplicate()
    );
    assert_eq!(
        check(Mode::Update, false, vec![contact("333", &[]), renamed("444", "333")]),
        duplicate()
    );
    assert_eq!(
        check(Mode::Update, false, vec![renamed("333", "new"), contact("333", &[])]),
        duplicate()
    );
}

#[test]
fn add_ids_must_be_new_and_unique() {
    assert_eq!(
        check(Mode::Add, false, vec![contact("a", &[]), contact("b", &[])]),
        Ok(())
    );
    assert_eq!(
        check(Mode::Add, false, vec![contact("a", &[]), contact("a", &[])]),
        duplicate()
    );
    assert_eq!(check(Mode::Add, false, vec![contact("333", &[])]), duplicate());
    assert_eq!(
        check(Mode::Add, false, vec![contact("", &[])]),
        Err("Contact ID 1 of 1 Empty".to_owned())
    );
    // addContacts ignores new_contact_id.
    assert_eq!(check(Mode::Add, false, vec![renamed("a", "333")]), Ok(()));
}

#[test]
fn combinations_use_stored_values_for_what_the_request_leaves_out() {
    let exists = || Err("Display Name and Phone Number Combination 1 of 1 already exists".to_owned());
    // Phone only: paired with the stored display name "John Smith" (555's).
    let phone_only = contact("333", &[(Detail::HomePhone, "442079460000")]);
    assert_eq!(check(Mode::Update, true, vec![phone_only]), exists());
    // Name only: paired with the stored business phone (444's).
    let rename = contact("333", &[(Detail::DisplayName, "Jane Doe")]);
    assert_eq!(check(Mode::Update, true, vec![rename.clone()]), exists());
    // ...unless replace_details drops that stored number.
    let mut replacing = rename;
    replacing
        .details
        .push((Detail::BusinessPhone, "442079460009".to_owned()));
    let request = ContactsRequest {
        rm_rules: true,
        replace_details: true,
        contacts: vec![replacing],
    };
    assert_eq!(validate_contacts(&request, Mode::Update, &db()), Ok(()));
    // Re-sending a contact's own combination is not a clash with itself.
    let own = contact(
        "444",
        &[
            (Detail::DisplayName, "Jane Doe"),
            (Detail::MobilePhone, "+447772412312"),
        ],
    );
    assert_eq!(check(Mode::Update, true, vec![own.clone()]), Ok(()));
    // For addContacts nobody is excepted.
    let new = ContactInput {
        contact_id: Some("new".to_owned()),
        ..own
    };
    assert_eq!(check(Mode::Add, true, vec![new]), exists());
}

#[test]
fn combinations_repeated_inside_the_request_are_duplicated() {
    let a = contact("a", &[(Detail::DisplayName, "Ann"), (Detail::HomePhone, "3619997400")]);
    let b = contact(
        "b",
        &[(Detail::DisplayName, "Ann"), (Detail::MobilePhone, "+3619997400")],
    );
    assert_eq!(
        check(Mode::Add, false, vec![a.clone(), b]),
        Err("Display Name and Phone Number Combination duplicated".to_owned())
    );
    let other_name = contact("b", &[(Detail::DisplayName, "Bob"), (Detail::HomePhone, "3619997400")]);
    assert_eq!(check(Mode::Add, false, vec![a.clone(), other_name]), Ok(()));
    // The same number twice within one contact is no duplicate.
    let twice = contact(
        "c",
        &[
            (Detail::DisplayName, "C"),
            (Detail::HomePhone, "3619997400"),
            (Detail::BusinessPhone, "3619997400"),
        ],
    );
    assert_eq!(check(Mode::Add, false, vec![twice]), Ok(()));
}

#[test]
fn emptying_a_detail_used_by_rules_needs_rm_rules() {
    let empties_rule_detail = contact("333", &[(Detail::HomePhone, "")]);
    assert_eq!(
        check(
            Mode::Update,
            false,
            vec![contact("444", &[]), empties_rule_detail.clone()]
        ),
        Err("Contact 2 of 2 has empty fields that are used in Rules or Rule Templates".to_owned())
    );
    assert_eq!(check(Mode::Update, true, vec![empties_rule_detail]), Ok(()));
    let empties_other = contact("333", &[(Detail::Notes, "")]);
    assert_eq!(check(Mode::Update, false, vec![empties_other]), Ok(()));
    // An empty entry next to a real number does not empty the list.
    let still_set = contact("333", &[(Detail::HomePhone, ""), (Detail::HomePhone, "44123231231")]);
    assert_eq!(check(Mode::Update, false, vec![still_set]), Ok(()));
    // New contacts are in no rule yet.
    let added = contact("new", &[(Detail::HomePhone, "")]);
    assert_eq!(check(Mode::Add, false, vec![added]), Ok(()));
}
