//! getContacts / deleteContacts query strings.

use std::collections::HashMap;

use super::super::query::{parse_contact_ids, parse_contact_query, query_flag};

fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn query_error(pairs: &[(&str, &str)], details: bool) -> String {
    parse_contact_query(&params(pairs), details).unwrap_err().message
}

#[test]
fn paging_defaults_and_filters() {
    let query = parse_contact_query(
        &params(&[
            ("page", "3"),
            ("limit", "10"),
            ("phone_number", "+44123"),
            ("display_name", " "),
        ]),
        false,
    )
    .unwrap();
    assert_eq!((query.page, query.limit, query.offset()), (3, 10, 20));
    assert_eq!(query.phone_number.as_deref(), Some("44123"));
    assert_eq!(query.display_name, None);
    let defaults = parse_contact_query(&params(&[]), false).unwrap();
    assert_eq!((defaults.page, defaults.limit, defaults.offset()), (1, 20_000, 0));
}

#[test]
fn paging_errors_follow_the_vendor_table() {
    assert_eq!(
        query_error(&[("page", "x"), ("limit", "y")], false),
        "Page Number not an integer"
    );
    assert_eq!(query_error(&[("limit", "1.5")], false), "Limit not an integer");
    assert_eq!(
        query_error(&[("limit", "0")], false),
        "Limit must be between 1 and 20000"
    );
    assert_eq!(
        query_error(&[("limit", "20001")], false),
        "Limit must be between 1 and 20000"
    );
    assert_eq!(query_error(&[("output", "JSON")], false), "Output Type Invalid");
    assert!(parse_contact_query(&params(&[("output", "xml")]), false).is_ok());
}

#[test]
fn contact_details_need_a_contact_id_and_ignore_searches() {
    assert_eq!(query_error(&[], true), "Contact ID Empty");
    let query = parse_contact_query(&params(&[("contact_id", "333"), ("company", "X")]), true).unwrap();
    assert_eq!(query.contact_id.as_deref(), Some("333"));
    assert_eq!(query.company, None);
}

#[test]
fn delete_parameters() {
    assert_eq!(
        parse_contact_ids(&params(&[("contact_ids", "100A, 200B,,100A")])).unwrap(),
        vec!["100A", "200B"]
    );
    assert_eq!(
        parse_contact_ids(&params(&[("contact_ids", " , ")]))
            .unwrap_err()
            .message,
        "Contact IDs Empty"
    );
    assert_eq!(
        parse_contact_ids(&params(&[])).unwrap_err().message,
        "Contact IDs Empty"
    );
    assert!(query_flag(&params(&[("rm_if_user", "TRUE")]), "rm_if_user", "Remove If User").unwrap());
    assert!(!query_flag(&params(&[]), "rm_if_user", "Remove If User").unwrap());
    assert_eq!(
        query_flag(&params(&[("rm_if_user", "maybe")]), "rm_if_user", "Remove If User")
            .unwrap_err()
            .message,
        "Remove If User Invalid"
    );
}
