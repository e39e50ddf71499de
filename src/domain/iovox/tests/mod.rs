//! Unit tests of the iovox module, with shared fixtures.

mod book_tests;
mod countries_tests;
mod error_tests;
mod ids_and_rules_tests;
mod parse_safety_tests;
mod parse_tests;
mod phone_and_name_tests;
mod precedence_tests;
mod query_tests;
mod request_helpers_tests;
mod rules_tests;
mod write_tests;

use std::collections::HashMap;

use super::{ContactInput, ContactLookup, Detail, StoredContact};

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

pub(super) fn contact(id: &str, details: &[(Detail, &str)]) -> ContactInput {
    ContactInput {
        contact_id: Some(id.to_owned()),
        new_contact_id: None,
        details: details.iter().map(|(d, v)| (*d, (*v).to_owned())).collect(),
    }
}

/// Replaces every value of `detail` by `value` (or removes the detail).
pub(super) fn set(contact: &mut ContactInput, detail: Detail, value: Option<&str>) {
    contact.details.retain(|(d, _)| *d != detail);
    if let Some(value) = value {
        contact.details.push((detail, value.to_owned()));
    }
}

/// An in-memory stand-in for the caller's prefetched database state.
#[derive(Default)]
pub(super) struct FakeDb {
    pub contacts: HashMap<String, StoredContact>,
    pub rules: Vec<(String, Detail)>,
}

impl FakeDb {
    pub(super) fn with(mut self, id: &str, display_name: &str, phones: &[(Detail, &str)]) -> Self {
        let stored = StoredContact {
            display_name: display_name.to_owned(),
            phones: phones.iter().map(|(d, v)| (*d, (*v).to_owned())).collect(),
        };
        self.contacts.insert(id.to_owned(), stored);
        self
    }

    pub(super) fn with_rule(mut self, id: &str, detail: Detail) -> Self {
        self.rules.push((id.to_owned(), detail));
        self
    }
}

impl ContactLookup for FakeDb {
    fn stored(&self, contact_id: &str) -> Option<&StoredContact> {
        self.contacts.get(contact_id)
    }

    fn combination_taken(&self, name: &str, phone: &str, except: Option<&str>) -> bool {
        self.contacts.iter().any(|(id, stored)| {
            Some(id.as_str()) != except && stored.display_name == name && stored.phones.iter().any(|(_, p)| p == phone)
        })
    }

    fn used_by_rules(&self, contact_id: &str, detail: Detail) -> bool {
        self.rules.contains(&(contact_id.to_owned(), detail))
    }
}

/// Property tests: no byte string makes the XML request parser panic.
mod fuzz {
    use crate::domain::iovox::parse_contacts_request;
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
