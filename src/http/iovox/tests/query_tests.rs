//! getContacts / deleteContacts query strings.

use std::collections::HashMap;

use super::super::query::{Output, parse_contact_ids, parse_contact_query, query_flag};
use crate::domain::iovox::{ContactField, ContactOrder, ContactQuery, Detail};

fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn query_error(pairs: &[(&str, &str)], details: bool) -> String {
    parse_contact_query(&params(pairs), details).unwrap_err().message
}

fn query(pairs: &[(&str, &str)], details: bool) -> ContactQuery {
    parse_contact_query(&params(pairs), details).unwrap().0
}

#[test]
fn paging_defaults_and_filters() {
    let page = query(
        &[
            ("page", "3"),
            ("limit", "10"),
            ("phone_number", "+44123"),
            ("display_name", " "),
        ],
        false,
    );
    assert_eq!((page.page, page.limit, page.offset()), (3, 10, 20));
    assert_eq!(page.phone_number.as_deref(), Some("44123"));
    assert_eq!(page.display_name, None);
    let defaults = query(&[], false);
    assert_eq!((defaults.page, defaults.limit, defaults.offset()), (1, 20_000, 0));
    assert_eq!(defaults, ContactQuery::new());
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
    assert_eq!(query_error(&[("output", "CSV")], false), "Output Type Invalid");
    assert_eq!(query_error(&[("output", "")], false), "Output Type Invalid");
    let output = |value: &str| parse_contact_query(&params(&[("output", value)]), false).unwrap().1;
    assert_eq!(output("xml"), Output::Xml);
    assert_eq!(output("JSON"), Output::Json);
    assert_eq!(output(" Json "), Output::Json);
    assert!(Output::asks_json(&params(&[("output", "json")])));
    assert!(!Output::asks_json(&params(&[("output", "jsonp")])));
}

#[test]
fn req_fields_take_abbreviations_or_element_names() {
    let fields = |list: &str| query(&[("req_fields", list)], false).fields;
    assert_eq!(fields(""), ContactField::VENDOR_DEFAULT);
    assert_eq!(
        fields("bphone, dn,DN,fn,contact_id,"),
        [
            ContactField::ContactId,
            ContactField::Detail(Detail::DisplayName),
            ContactField::Detail(Detail::FirstName),
            ContactField::Detail(Detail::BusinessPhone),
        ]
    );
    assert_eq!(
        query_error(&[("req_fields", "dn,phone")], false),
        "Requested Fields Invalid"
    );
    for field in ContactField::all() {
        assert_eq!(ContactField::parse(field.abbreviation()), Some(field));
        assert_eq!(ContactField::parse(field.element_name()), Some(field));
    }
    let details = query(&[("contact_id", "1"), ("req_fields", "dn")], true).fields;
    assert_eq!(details.len(), 1 + Detail::ALL.len(), "every detail, no assigned_status");
}

#[test]
fn orders_name_a_field_and_a_direction() {
    let order = |text: &str| query(&[("order", text)], false).order;
    assert_eq!(
        order("cid_ASC"),
        Some(ContactOrder {
            field: ContactField::ContactId,
            descending: false
        })
    );
    assert_eq!(
        order("dn_desc"),
        Some(ContactOrder {
            field: ContactField::Detail(Detail::DisplayName),
            descending: true
        })
    );
    assert_eq!(
        order("email_2_DESC").map(|o| o.field),
        Some(ContactField::Detail(Detail::Email2))
    );
    assert_eq!(order(" "), None);
    for wrong in ["dn", "dn_UP", "od_DESC", "_ASC"] {
        assert_eq!(query_error(&[("order", wrong)], false), "Order Invalid", "{wrong}");
    }
}

#[test]
fn contact_details_need_a_contact_id_and_ignore_searches() {
    assert_eq!(query_error(&[], true), "Contact ID Empty");
    let details = query(&[("contact_id", "333"), ("company", "X"), ("order", "x")], true);
    assert_eq!(details.contact_id.as_deref(), Some("333"));
    assert_eq!((details.company, details.order), (None, None));
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
    assert!(!query_flag(&params(&[("rm_if_user", " ")]), "rm_if_user", "Remove If User").unwrap());
    assert_eq!(
        query_flag(&params(&[("rm_if_user", "maybe")]), "rm_if_user", "Remove If User")
            .unwrap_err()
            .message,
        "Remove If User Invalid"
    );
}
