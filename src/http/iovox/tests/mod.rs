//! Unit tests of the iovox wire format, with shared fixtures.

mod parse_safety_tests;
mod parse_tests;
mod query_tests;
mod rules_tests;
mod write_tests;

/// The seed's updateContacts payload with only its first, complete contact.
pub(super) const SEED_PAYLOAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<request>
  <rm_rules>TRUE</rm_rules>
  <replace_details>TRUE</replace_details>
  <contact>
    <contact_id>333</contact_id>
    <new_contact_id>333 Updated</new_contact_id>
    <display_name>John Smith</display_name>
    <first_name>John</first_name>
    <last_name>Smith</last_name>
    <email>jsmith@iovox.com</email>
    <email_2>jsmith@iovox.com</email_2>
    <company>Smith's ABC</company>
    <mobile_phone>447772412312</mobile_phone>
    <home_phone>44123231231</home_phone>
    <business_phone>44123871237</business_phone>
    <business_fax>44123875237</business_fax>
    <work_address_1>155 Abbey Street</work_address_1>
    <work_address_2>Westminister</work_address_2>
    <work_city>London</work_city>
    <work_country>United Kingdom</work_country>
    <work_postcode>W1 5P6</work_postcode>
    <home_address_1>155 Abbey Street</home_address_1>
    <home_address_2>Westminister</home_address_2>
    <home_city>London</home_city>
    <home_country>United Kingdom</home_country>
    <home_postcode>W1 5P6</home_postcode>
    <notes>This is a note.</notes>
  </contact>
</request>
"#;

/// The seed's payload verbatim, whose trailing `<contact> ... <contact>` is
/// a documentation ellipsis and not well-formed.
pub(super) fn seed_payload_with_ellipsis() -> String {
    SEED_PAYLOAD.replace(
        "  </contact>\n</request>\n",
        "  </contact>\n  <contact>\n    ...\n  <contact>\n</request>\n",
    )
}

/// Property tests: no byte string makes the XML request parser panic.
mod fuzz {
    use super::super::parse::parse_contacts_request;
    use proptest::prelude::*;

    fn xmlish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("<request>".to_string()),
            Just("</request>".to_string()),
            Just("<contact>".to_string()),
            Just("</contact>".to_string()),
            Just("<contact_id>".to_string()),
            Just("</contact_id>".to_string()),
            Just("<mobile_phone>".to_string()),
            Just("</mobile_phone>".to_string()),
            Just("<rm_rules/>".to_string()),
            Just("&amp;".to_string()),
            Just("<![CDATA[".to_string()),
            Just("]]>".to_string()),
            Just("<?xml version=\"1.0\"?>".to_string()),
            ".{0,8}",
        ];
        prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("DIALBASE_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
        ))]

        #[test]
        fn any_bytes_are_parsed_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_contacts_request(&bytes);
        }

        #[test]
        fn any_xml_like_text_is_parsed_or_refused(text in xmlish()) {
            let _ = parse_contacts_request(text.as_bytes());
        }
    }
}
