//! Rule Template payloads, parsed and then planned by the domain's checks.

use std::collections::HashSet;

use super::super::parse_rules::parse_rule_templates_request;
use crate::domain::iovox::book::{BookContact, BookSnapshot};
use crate::domain::iovox::{Detail, plan_rule_templates, referenced_contact_ids};

const PAYLOAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<request>
  <rule_template>
    <rule_template_name>Office hours</rule_template_name>
    <rule><contact_id>333</contact_id><detail>business_phone</detail></rule>
    <link><link_id>L1</link_id></link>
    <link><link_id>L2</link_id><contact_id>444</contact_id><detail>mobile_phone</detail></link>
  </rule_template>
</request>"#;

fn book() -> BookSnapshot {
    let mut book = BookSnapshot::default();
    let contact = |record_id, detail, value: &str| BookContact {
        record_id,
        details: vec![(detail, value.to_owned())],
    };
    book.insert_contact("333".into(), contact(1, Detail::BusinessPhone, "441"));
    book.insert_contact("444".into(), contact(2, Detail::MobilePhone, "447"));
    book
}

fn plan_error(xml: &str, existing: &[&str]) -> String {
    let templates = parse_rule_templates_request(xml.as_bytes()).unwrap();
    let existing: HashSet<String> = existing.iter().map(|s| (*s).to_owned()).collect();
    plan_rule_templates(&templates, &existing, &book()).unwrap_err().message
}

fn with_template(body: &str) -> String {
    format!(
        "<request><rule_template>{body}</rule_template><rule_template><rule_template_name>Other</rule_template_name></rule_template></request>"
    )
}

#[test]
fn payload_parses_and_plans() {
    let templates = parse_rule_templates_request(PAYLOAD.as_bytes()).unwrap();
    assert_eq!(referenced_contact_ids(&templates), vec!["333", "444"]);
    let plans = plan_rule_templates(&templates, &HashSet::new(), &book()).unwrap();
    assert_eq!(plans[0].name, "Office hours");
    assert_eq!(plans[0].rules, vec![(1, Detail::BusinessPhone)]);
    assert_eq!(
        plans[0].links,
        vec![
            ("L1".to_owned(), None),
            ("L2".to_owned(), Some((2, Detail::MobilePhone)))
        ]
    );
}

#[test]
fn document_errors_are_shared_with_contacts() {
    assert_eq!(parse_rule_templates_request(b" ").unwrap_err().message, "XML Empty");
    assert_eq!(
        parse_rule_templates_request(b"<request/>").unwrap_err().message,
        "Request Empty"
    );
    assert!(
        parse_rule_templates_request(b"<request><rule_template>")
            .unwrap_err()
            .message
            .starts_with("XML parse error. ")
    );
}

#[test]
fn each_check_names_the_template() {
    let cases = [
        ("<rule_template_name/>", "Rule Template Name 1 of 2 Empty"),
        (
            "<rule_template_name>Other</rule_template_name>",
            "Duplicate Rule Template Name Received",
        ),
        (
            "<rule_template_name>A</rule_template_name><rule><detail>notes</detail></rule>",
            "Contact ID 1 of 2 Empty",
        ),
        (
            "<rule_template_name>A</rule_template_name><rule><contact_id>9</contact_id><detail>notes</detail></rule>",
            "Contact ID 1 of 2 does not exist",
        ),
        (
            "<rule_template_name>A</rule_template_name><rule><contact_id>333</contact_id><detail>fax</detail></rule>",
            "Contact Detail 1 of 2 Invalid",
        ),
        (
            "<rule_template_name>A</rule_template_name><rule><contact_id>333</contact_id><detail>notes</detail></rule>",
            "Contact Detail 1 of 2 Empty",
        ),
        (
            "<rule_template_name>A</rule_template_name><link><link_id/></link>",
            "Link ID 1 of 2 Empty",
        ),
        (
            "<rule_template_name>A</rule_template_name><link><link_id>L</link_id></link><link><link_id>L</link_id></link>",
            "Duplicate Link ID Received",
        ),
        (
            "<rule_template_name>A</rule_template_name><link><link_id>L</link_id><contact_id>444</contact_id></link>",
            "Contact Detail 1 of 2 Invalid",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(plan_error(&with_template(body), &[]), expected, "{body}");
    }
    assert_eq!(
        plan_error(PAYLOAD, &["Office hours"]),
        "Duplicate Rule Template Name Received"
    );
}
