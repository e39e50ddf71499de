//! Pure helpers the caller uses around validation.

use super::super::combination::resulting_pairs;
use super::super::{Detail, StoredContact, emptied_details, normalized_details, phone_numbers, updated_list};
use super::contact;

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

#[test]
fn detail_element_names_round_trip() {
    for detail in Detail::ALL {
        assert_eq!(Detail::from_element(detail.element_name()), Some(detail));
    }
    assert_eq!(Detail::from_element("email_2"), Some(Detail::Email2));
    assert_eq!(Detail::from_element("Display_Name"), None);
    assert_eq!(Detail::from_element("contact_id"), None);
    let multi: Vec<Detail> = Detail::ALL.into_iter().filter(Detail::is_multi_valued).collect();
    assert_eq!(
        multi,
        [
            Detail::Email,
            Detail::MobilePhone,
            Detail::HomePhone,
            Detail::BusinessPhone,
            Detail::BusinessFax
        ]
    );
    assert!(Detail::BusinessFax.is_phone() && !Detail::Email.is_phone());
}

#[test]
fn phone_numbers_lists_non_empty_numbers_in_check_order() {
    let c = contact(
        "1",
        &[
            (Detail::MobilePhone, "447772412312"),
            (Detail::BusinessPhone, "441"),
            (Detail::HomePhone, ""),
            (Detail::BusinessPhone, "+442"),
            (Detail::Notes, "12345"),
        ],
    );
    assert_eq!(phone_numbers(&c), ["441", "+442", "447772412312"]);
}

#[test]
fn emptied_details_are_those_sent_only_empty() {
    let c = contact(
        "1",
        &[
            (Detail::Notes, ""),
            (Detail::Company, "ACME"),
            (Detail::BusinessPhone, ""),
            (Detail::BusinessPhone, "441"),
            (Detail::HomePhone, ""),
            (Detail::HomePhone, ""),
            (Detail::FirstName, ""),
        ],
    );
    assert_eq!(
        emptied_details(&c),
        [Detail::FirstName, Detail::HomePhone, Detail::Notes]
    );
}

#[test]
fn list_updates_follow_replace_details() {
    let stored = strings(&["441", "442"]);
    let absent = contact("1", &[]);
    assert_eq!(updated_list(&stored, &absent, Detail::BusinessPhone, true), stored);
    let cleared = contact("1", &[(Detail::BusinessPhone, "")]);
    assert!(updated_list(&stored, &cleared, Detail::BusinessPhone, false).is_empty());
    let sent = contact("1", &[(Detail::BusinessPhone, "+443"), (Detail::BusinessPhone, "442")]);
    assert_eq!(
        updated_list(&stored, &sent, Detail::BusinessPhone, true),
        strings(&["443", "442"])
    );
    assert_eq!(
        updated_list(&stored, &sent, Detail::BusinessPhone, false),
        strings(&["441", "442", "443"])
    );
    let email = contact("1", &[(Detail::Email, "+a@x")]);
    assert_eq!(updated_list(&[], &email, Detail::Email, false), strings(&["+a@x"]));
}

#[test]
fn resulting_pairs_only_when_name_or_phones_change() {
    let stored = StoredContact {
        display_name: "Ann".to_owned(),
        phones: vec![(Detail::HomePhone, "441".to_owned())],
    };
    let untouched = contact("1", &[(Detail::Notes, "x")]);
    assert!(resulting_pairs(&untouched, Some(&stored), false).is_empty());
    let phone = contact("1", &[(Detail::MobilePhone, "+447")]);
    let pair = |name: &str, phone: &str| (name.to_owned(), phone.to_owned());
    assert_eq!(
        resulting_pairs(&phone, Some(&stored), false),
        [pair("Ann", "441"), pair("Ann", "447")]
    );
    let nameless = contact("1", &[(Detail::MobilePhone, "447")]);
    assert!(resulting_pairs(&nameless, None, false).is_empty());
}

#[test]
fn normalized_details_canonicalise_and_guess_countries() {
    let c = contact(
        "1",
        &[
            (Detail::HomePhone, "+44123231231"),
            (Detail::BusinessPhone, "3619997400"),
            (Detail::BusinessCountry, "hungary"),
            (Detail::Notes, ""),
        ],
    );
    let expected = [
        (Detail::HomePhone, "44123231231"),
        (Detail::BusinessPhone, "3619997400"),
        (Detail::BusinessCountry, "Hungary"),
        (Detail::Notes, ""),
        (Detail::HomeCountry, "United Kingdom"),
    ];
    let expected: Vec<(Detail, String)> = expected.iter().map(|(d, v)| (*d, (*v).to_owned())).collect();
    assert_eq!(normalized_details(&c), expected);
    // An explicitly emptied country is not overridden by a guess.
    let emptied = contact("1", &[(Detail::HomeCountry, ""), (Detail::HomePhone, "3619997400")]);
    assert_eq!(normalized_details(&emptied).len(), 2);
}
