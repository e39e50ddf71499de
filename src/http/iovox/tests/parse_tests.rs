use super::super::parse::parse_contacts_request;
use super::{SEED_PAYLOAD, seed_payload_with_ellipsis};
use crate::domain::iovox::{ContactInput, ContactsRequest, Detail, IovoxError};

fn parse(xml: &str) -> Result<ContactsRequest, IovoxError> {
    parse_contacts_request(xml.as_bytes())
}

fn parse_error(xml: &str) -> String {
    parse(xml).expect_err("should fail").message
}

fn only_contact(xml: &str) -> ContactInput {
    let mut request = parse(xml).expect("should parse");
    assert_eq!(request.contacts.len(), 1);
    request.contacts.remove(0)
}

#[test]
fn parses_the_seed_payload() {
    let request = parse(SEED_PAYLOAD).unwrap();
    assert!(request.rm_rules);
    assert!(request.replace_details);
    assert_eq!(request.contacts.len(), 1);
    let contact = &request.contacts[0];
    assert_eq!(contact.contact_id.as_deref(), Some("333"));
    assert_eq!(contact.new_contact_id.as_deref(), Some("333 Updated"));
    assert_eq!(contact.details.len(), 21, "every detail of the seed's first contact");
    // Each detail as the domain's tests use it without parsing it.
    assert_eq!(request, crate::domain::iovox::tests::seed_request());
}

#[test]
fn seed_ellipsis_is_a_located_parse_error() {
    let xml = seed_payload_with_ellipsis();
    // The mismatch is reported where `</request>` starts: line 33, column 1.
    let offset = xml.find("</request>").unwrap();
    assert_eq!(xml[..offset].matches('\n').count() + 1, 33);
    assert_eq!(
        parse_error(&xml),
        "XML parse error. ill-formed document: expected `</contact>`, but `</request>` was found at line 33, column 1"
    );
}

#[test]
fn empty_body_is_xml_empty() {
    for body in ["", "   ", "\n\t \r\n", "\u{FEFF} \n"] {
        assert_eq!(parse_error(body), "XML Empty", "body {body:?}");
    }
}

#[test]
fn request_without_contacts_is_request_empty() {
    for body in [
        "<request/>",
        "<?xml version=\"1.0\"?>\n<request>\n</request>",
        "<request><rm_rules>TRUE</rm_rules><other><contact/></other></request>",
    ] {
        assert_eq!(parse_error(body), "Request Empty", "body {body:?}");
    }
}

#[test]
fn flags_accept_true_false_any_case_and_1_0() {
    let cases = [("TRUE", true), ("true", true), ("True", true), ("1", true)];
    let cases = cases
        .into_iter()
        .chain([("FALSE", false), ("false", false), ("0", false)]);
    for (text, expected) in cases {
        let xml = format!(
            "<request><rm_rules>{text}</rm_rules><replace_details> {text} </replace_details><contact/></request>"
        );
        let request = parse(&xml).unwrap();
        assert_eq!((request.rm_rules, request.replace_details), (expected, expected));
    }
    let defaults = parse("<request><contact/></request>").unwrap();
    assert!(!defaults.rm_rules && !defaults.replace_details);
}

#[test]
fn other_flag_values_are_parse_errors_at_the_element() {
    assert_eq!(
        parse_error("<request><rm_rules>yes</rm_rules><contact/></request>"),
        "XML parse error. invalid value 'yes' for <rm_rules>, expected TRUE or FALSE at line 1, column 10"
    );
    assert_eq!(
        parse_error("<request>\n <replace_details>no</replace_details><contact/></request>"),
        "XML parse error. invalid value 'no' for <replace_details>, expected TRUE or FALSE at line 2, column 2"
    );
}

#[test]
fn empty_flags_take_the_vendors_default_false() {
    for flags in [
        "<rm_rules/><replace_details/>",
        "<rm_rules></rm_rules><replace_details> </replace_details>",
    ] {
        let request = parse(&format!("<request>{flags}<contact/></request>")).unwrap();
        assert!(!request.rm_rules && !request.replace_details, "{flags}");
    }
    assert_eq!(
        parse_error("<request><rm_rules/><rm_rules>TRUE</rm_rules><contact/></request>"),
        "XML parse error. element <rm_rules> may appear only once here at line 1, column 21"
    );
}

#[test]
fn unknown_elements_are_ignored_with_their_subtree() {
    let contact = only_contact(
        "<request><future>1<x><contact/></x></future><contact><title>Advertising</title>\
         <contact_id>7</contact_id><extra a='1'><display_name>no</display_name></extra>\
         <display_name>Ann</display_name></contact></request>",
    );
    assert_eq!(contact.contact_id.as_deref(), Some("7"));
    assert_eq!(contact.details, vec![(Detail::DisplayName, "Ann".to_owned())]);
}

#[test]
fn empty_elements_are_kept_as_empty_values() {
    let contact = only_contact(
        "<request><contact><contact_id/><display_name></display_name>\
         <notes>  \n </notes><company/></contact></request>",
    );
    assert_eq!(contact.contact_id.as_deref(), Some(""));
    let empty = |d| (d, String::new());
    assert_eq!(
        contact.details,
        vec![empty(Detail::DisplayName), empty(Detail::Notes), empty(Detail::Company)]
    );
    let missing = only_contact("<request><contact><notes>x</notes></contact></request>");
    assert_eq!(missing.contact_id, None);
    assert_eq!(missing.new_contact_id, None);
}

#[test]
fn values_are_trimmed_unescaped_and_line_ends_normalised() {
    let contact = only_contact(
        "<request><contact><first_name>  John \n</first_name>\
         <company>A &amp; B &lt;&#65;&#x42;&gt; &quot;&apos;</company>\
         <notes><![CDATA[<b>x</b>]]> &amp; line1\r\nline2</notes></contact></request>",
    );
    assert_eq!(contact.value(Detail::FirstName), Some("John"));
    assert_eq!(contact.value(Detail::Company), Some("A & B <AB> \"'"));
    assert_eq!(contact.value(Detail::Notes), Some("<b>x</b> & line1\nline2"));
}

#[test]
fn list_details_repeat_and_single_ones_may_not() {
    let contact = only_contact(
        "<request><contact><business_phone>441</business_phone><email>a@x</email>\
         <business_phone>442</business_phone><email>b@x</email></contact></request>",
    );
    let phones: Vec<&str> = contact.values(Detail::BusinessPhone).collect();
    assert_eq!(phones, ["441", "442"]);
    assert_eq!(contact.values(Detail::Email).count(), 2);
    assert_eq!(
        parse_error(
            "<request><contact><display_name>A</display_name>\n<display_name>B</display_name></contact></request>"
        ),
        "XML parse error. element <display_name> may appear only once here at line 2, column 1"
    );
    assert_eq!(
        parse_error("<request><contact><contact_id>1</contact_id><contact_id>2</contact_id></contact></request>"),
        "XML parse error. element <contact_id> may appear only once here at line 1, column 45"
    );
    assert_eq!(
        parse_error("<request><rm_rules>1</rm_rules><rm_rules>1</rm_rules><contact/></request>"),
        "XML parse error. element <rm_rules> may appear only once here at line 1, column 32"
    );
}

#[test]
fn details_must_hold_text_only() {
    assert_eq!(
        parse_error("<request><contact><display_name>A<b>B</b></display_name></contact></request>"),
        "XML parse error. element <display_name> must contain text only, found <b> at line 1, column 34"
    );
}

#[test]
fn contacts_keep_document_order() {
    let request = parse(
        "<request><contact><contact_id>a</contact_id></contact><contact/>\
         <contact><contact_id>c</contact_id></contact></request>",
    )
    .unwrap();
    let ids: Vec<Option<&str>> = request.contacts.iter().map(|c| c.contact_id.as_deref()).collect();
    assert_eq!(ids, [Some("a"), None, Some("c")]);
}
