//! The contact book snapshot and the record writes a request plans.

use super::super::book::{
    BookContact, BookSnapshot, candidate_display_names, fill_default_display_names, plan_contacts, request_contact_ids,
};
use super::super::{ContactLookup, ContactsRequest, Detail, Mode};
use super::{contact, seed_request};
use crate::domain::resolve::FormValue;

fn stored(record_id: i64, details: &[(Detail, &str)]) -> BookContact {
    BookContact {
        record_id,
        details: details.iter().map(|(d, v)| (*d, (*v).to_owned())).collect(),
    }
}

fn snapshot() -> BookSnapshot {
    let mut book = BookSnapshot::default();
    book.insert_contact(
        "333".into(),
        stored(
            7,
            &[
                (Detail::DisplayName, "John Smith"),
                (Detail::BusinessPhone, "44123871237"),
                (Detail::BusinessPhone, "44123871238"),
                (Detail::Notes, "old"),
            ],
        ),
    );
    book
}

fn form_value(form: &[(String, FormValue)], name: &str) -> Option<FormValue> {
    form.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
}

fn values(items: &[&str]) -> FormValue {
    FormValue::Values(items.iter().map(|s| (*s).to_owned()).collect())
}

#[test]
fn snapshot_answers_lookups_from_loaded_contacts() {
    let mut book = snapshot();
    book.insert_rule_use(7, Detail::Notes);
    assert_eq!(book.stored("333").unwrap().display_name, "John Smith");
    assert!(book.combination_taken("John Smith", "44123871238", None));
    assert!(!book.combination_taken("John Smith", "44123871238", Some("333")));
    assert!(!book.combination_taken("Jane", "44123871238", None));
    assert!(book.used_by_rules("333", Detail::Notes));
    assert!(!book.used_by_rules("333", Detail::Email));
    assert_eq!(book.record_ids(), vec![7]);
}

#[test]
fn prefetch_keys_cover_ids_and_resulting_names() {
    let request = seed_request();
    assert_eq!(request_contact_ids(&request), vec!["333", "333 Updated"]);
    let mut without_name = request.clone();
    without_name.contacts[0]
        .details
        .retain(|(d, _)| *d != Detail::DisplayName);
    assert_eq!(candidate_display_names(&without_name, &snapshot()), vec!["John Smith"]);
}

#[test]
fn seed_update_replaces_lists_renames_and_stores_phones_in_phone_fields() {
    let request = seed_request();
    let plan = plan_contacts(&request, Mode::Update, &snapshot()).unwrap();
    assert!(plan.inserts.is_empty());
    let (record, write) = &plan.updates[0];
    assert_eq!(*record, 7);
    assert_eq!(write.user_data.as_deref(), Some("333 Updated"));
    assert_eq!(form_value(&write.form, "phone3"), Some(values(&["44123871237"])));
    assert_eq!(
        form_value(&write.form, "name"),
        Some(FormValue::Text("John Smith".into()))
    );
    assert_eq!(form_value(&write.form, "phone1"), Some(values(&["447772412312"])));
    assert_eq!(form_value(&write.form, "business_phone"), None, "no field of its own");
    assert_eq!(
        form_value(&write.form, "company"),
        Some(FormValue::Text("Smith's ABC".into()))
    );
}

#[test]
fn append_keeps_stored_numbers_and_empty_clears() {
    let mut update = contact("333", &[(Detail::BusinessPhone, "+449999999999"), (Detail::Notes, "")]);
    update.new_contact_id = Some(String::new());
    let request = ContactsRequest {
        contacts: vec![update],
        ..Default::default()
    };
    let plan = plan_contacts(&request, Mode::Update, &snapshot()).unwrap();
    let write = &plan.updates[0].1;
    assert_eq!(write.user_data, None);
    assert_eq!(
        form_value(&write.form, "phone3"),
        Some(values(&["44123871237", "44123871238", "449999999999"]))
    );
    assert_eq!(form_value(&write.form, "notes"), Some(FormValue::Clear));
    assert_eq!(
        form_value(&write.form, "business_country"),
        Some(FormValue::Text("United Kingdom".into()))
    );
    assert_eq!(form_value(&write.form, "name"), None);
}

#[test]
fn rm_rules_releases_only_emptied_details_that_rules_use() {
    let mut book = snapshot();
    book.insert_rule_use(7, Detail::Notes);
    let request = |rm_rules| ContactsRequest {
        rm_rules,
        contacts: vec![contact("333", &[(Detail::Notes, ""), (Detail::Email, "")])],
        ..Default::default()
    };
    let plan = plan_contacts(&request(true), Mode::Update, &book).unwrap();
    assert_eq!(plan.released, vec![(7, Detail::Notes)]);
    let err = plan_contacts(&request(false), Mode::Update, &book).unwrap_err();
    assert_eq!(
        err.message,
        "Contact 1 of 1 has empty fields that are used in Rules or Rule Templates"
    );
}

#[test]
fn add_plans_new_records_without_empty_fields() {
    let request = ContactsRequest {
        contacts: vec![contact(
            "new",
            &[
                (Detail::DisplayName, "Ann"),
                (Detail::Notes, ""),
                (Detail::HomePhone, "33142685300"),
            ],
        )],
        ..Default::default()
    };
    let plan = plan_contacts(&request, Mode::Add, &BookSnapshot::default()).unwrap();
    let write = &plan.inserts[0];
    assert_eq!(write.user_data.as_deref(), Some("new"));
    assert_eq!(form_value(&write.form, "notes"), None);
    assert_eq!(
        form_value(&write.form, "country"),
        Some(FormValue::Text("France".into()))
    );
    assert_eq!(form_value(&write.form, "phone2"), Some(values(&["33142685300"])));
    assert_eq!(form_value(&write.form, "phone1"), None);
}

#[test]
fn default_display_name_is_first_and_last_name_or_company() {
    let mut request = ContactsRequest {
        contacts: vec![
            contact(
                "a",
                &[
                    (Detail::FirstName, "John"),
                    (Detail::LastName, "Smith"),
                    (Detail::Company, "ABC"),
                ],
            ),
            contact("b", &[(Detail::Company, "ABC")]),
            contact("c", &[(Detail::DisplayName, "Kept"), (Detail::FirstName, "X")]),
            contact("d", &[(Detail::Notes, "nothing to name it by")]),
        ],
        ..Default::default()
    };
    fill_default_display_names(&mut request);
    let names: Vec<Option<&str>> = request.contacts.iter().map(|c| c.value(Detail::DisplayName)).collect();
    assert_eq!(names, vec![Some("John Smith"), Some("ABC"), Some("Kept"), None]);
}
