use super::super::parse::{ParseLimits, parse_contacts_request, parse_contacts_request_with};

fn parse_error(body: &[u8]) -> String {
    parse_contacts_request(body).expect_err("should fail").message
}

fn parse_error_str(xml: &str) -> String {
    parse_error(xml.as_bytes())
}

#[test]
fn doctype_and_entity_declarations_are_rejected() {
    let billion_laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">\
        <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\n\
        <request><contact><notes>&lol2;</notes></contact></request>";
    assert_eq!(
        parse_error_str(billion_laughs),
        "XML parse error. DOCTYPE declarations are not allowed at line 2, column 1"
    );
    let xxe = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><request><contact><notes>&x;</notes></contact></request>";
    assert_eq!(
        parse_error_str(xxe),
        "XML parse error. DOCTYPE declarations are not allowed at line 1, column 1"
    );
}

#[test]
fn custom_entities_are_never_expanded() {
    assert_eq!(
        parse_error_str("<request><contact><notes>a &x; b</notes></contact></request>"),
        "XML parse error. undefined entity &x; at line 1, column 28"
    );
    assert_eq!(
        parse_error_str("<request><contact><notes>&#0;</notes></contact></request>"),
        "XML parse error. invalid character reference &#0; at line 1, column 26"
    );
    assert_eq!(
        parse_error_str("<request><contact><notes>&#1;</notes></contact></request>"),
        "XML parse error. invalid character reference &#1; at line 1, column 26"
    );
}

#[test]
fn nesting_depth_is_capped() {
    let limits = ParseLimits {
        max_contacts: 10,
        max_depth: 4,
    };
    let ok = b"<request><contact><x><y/></x></contact></request>";
    assert!(parse_contacts_request_with(ok, &limits).is_ok());
    let deep = b"<request><contact><x><y><z/></y></x></contact></request>";
    let err = parse_contacts_request_with(deep, &limits).unwrap_err();
    assert_eq!(
        err.message,
        "XML parse error. elements nested deeper than 4 levels at line 1, column 25"
    );
    let very_deep = format!("<request><contact>{}</contact></request>", "<a>".repeat(100_000));
    assert!(parse_error_str(&very_deep).starts_with("XML parse error. elements nested deeper than 16 levels"));
}

#[test]
fn contact_count_is_capped() {
    let limits = ParseLimits {
        max_contacts: 2,
        max_depth: 16,
    };
    let two = b"<request><contact/><contact/></request>";
    assert_eq!(parse_contacts_request_with(two, &limits).unwrap().contacts.len(), 2);
    let three = b"<request><contact/><contact/><contact/></request>";
    let err = parse_contacts_request_with(three, &limits).unwrap_err();
    assert_eq!(
        (err.status, err.message.as_str()),
        (400, "Too many contacts. At most 2 contacts per request")
    );
    assert_eq!(ParseLimits::default().max_contacts, 10_000);
}

#[test]
fn document_structure_errors_are_located() {
    let cases = [
        (
            "<contacts><contact/></contacts>",
            "root element must be <request>, found <contacts> at line 1, column 1",
        ),
        ("<!-- only a comment -->", "no root element at line 1, column 24"),
        (
            "<request><contact/></request>\n<request/>",
            "unexpected element <request> after the root element at line 2, column 1",
        ),
        (
            "<request><contact/></request> junk",
            "text outside the root element at line 1, column 30",
        ),
        ("junk<request/>", "text outside the root element at line 1, column 1"),
        (
            "<request><contact>\n<notes>x</notes>",
            "unexpected end of document, </contact> expected at line 2, column 17",
        ),
        (
            "\n<?xml version=\"1.0\"?><request/>",
            "XML declaration allowed only at the start of the document at line 2, column 1",
        ),
        (
            "<request><contact><notes>a\u{1}</notes></contact></request>",
            "invalid character U+0001 at line 1, column 27",
        ),
        (
            "<request><contact a='1' a='2'/></request>",
            "position 14: duplicated attribute, previous declaration at position 8 at line 1, column 10",
        ),
    ];
    for (xml, expected) in cases {
        assert_eq!(
            parse_error_str(xml),
            format!("XML parse error. {expected}"),
            "xml {xml:?}"
        );
    }
}

#[test]
fn columns_count_characters_not_bytes() {
    assert_eq!(
        parse_error_str("<request><contact><notes>é€😀&bad;</notes></contact></request>"),
        "XML parse error. undefined entity &bad; at line 1, column 29"
    );
}

#[test]
fn invalid_utf8_is_a_located_parse_error() {
    let body = b"<request>\n  <contact><notes>\xff</notes></contact></request>";
    assert_eq!(
        parse_error(body),
        "XML parse error. invalid UTF-8 sequence at line 2, column 19"
    );
}

#[test]
fn byte_order_mark_is_accepted() {
    let body = "\u{FEFF}<request><contact/></request>";
    assert!(parse_contacts_request(body.as_bytes()).is_ok());
}
