//! XML response bodies. The seed does not show them; these shapes are
//! Dialbase's choice, modelled on the vendor's published getContactDetails
//! example (current_page / total_pages / total_results / results).

use quick_xml::escape::escape;

use super::xml_reader::is_xml_char;
use crate::domain::iovox::{
    ContactField, ContactQuery, ContactView, Country, Detail, IovoxError, RuleTemplateView, assigned_status,
};

const DECLARATION: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

/// getContacts / getContactDetails body, compact (no indentation):
///
/// ```text
/// <?xml version="1.0" encoding="utf-8"?>
/// <response>
///   <current_page>2</current_page>
///   <total_pages>5</total_pages>        ceil(total / limit)
///   <total_results>42</total_results>
///   <results>
///     <result>
///       <contact_id>333</contact_id>
///       <display_name>John Smith</display_name>
///       <business_phone>44123871237</business_phone>
///       <business_phone>44123871238</business_phone>
///       <assigned_status>UNASSIGNED</assigned_status>
///     </result>
///   </results>
/// </response>
/// ```
///
/// Each result shows the query's fields that the contact has, in
/// [`ContactField`] order (contact_id, the details in the vendor's payload
/// order, assigned_status); values of one list detail keep their order.
pub fn write_contacts_xml(contacts: &[ContactView], total: u64, query: &ContactQuery) -> String {
    let mut xml = String::from(DECLARATION);
    xml.push_str("<response>");
    element(&mut xml, "current_page", &query.page.to_string());
    element(&mut xml, "total_pages", &total_pages(total, query.limit).to_string());
    element(&mut xml, "total_results", &total.to_string());
    xml.push_str("<results>");
    for contact in contacts {
        xml.push_str("<result>");
        for (name, value) in shown_values(contact, &query.fields) {
            element(&mut xml, name, value);
        }
        xml.push_str("</result>");
    }
    xml.push_str("</results></response>");
    xml
}

/// ceil(total / limit); 0 for a limit of 0, which parsing never lets through.
pub(super) fn total_pages(total: u64, limit: u32) -> u64 {
    match limit {
        0 => 0,
        limit => total.div_ceil(u64::from(limit)),
    }
}

/// The (element name, text) pairs a result shows, in order.
pub(super) fn shown_values<'a>(
    contact: &'a ContactView,
    fields: &'a [ContactField],
) -> impl Iterator<Item = (&'static str, &'a str)> + 'a {
    fields.iter().flat_map(move |&field| {
        let values: Vec<&'a str> = match field {
            ContactField::ContactId => vec![contact.contact_id.as_str()],
            ContactField::AssignedStatus => vec![assigned_status(contact.assigned)],
            ContactField::Detail(detail) => contact
                .details
                .iter()
                .filter(|(d, _)| *d == detail)
                .map(|(_, value)| value.as_str())
                .collect(),
        };
        values.into_iter().map(move |value| (field.element_name(), value))
    })
}

/// Countries::getCountries body:
///
/// ```text
/// <?xml version="1.0" encoding="utf-8"?>
/// <response><countries>
///   <country><country_id>GB</country_id><country_name>United Kingdom</country_name></country>
///   ...
/// </countries></response>
/// ```
pub fn write_countries_xml(countries: &[Country]) -> String {
    let mut xml = String::from(DECLARATION);
    xml.push_str("<response><countries>");
    for country in countries {
        xml.push_str("<country>");
        element(&mut xml, "country_id", country.iso2);
        element(&mut xml, "country_name", country.name);
        xml.push_str("</country>");
    }
    xml.push_str("</countries></response>");
    xml
}

/// Error body, as the vendor documents it (status attribute, message as the
/// node value; one `<error>` per error):
///
/// ```text
/// <?xml version="1.0" encoding="utf-8"?>
/// <errors><error status="400">API Version Empty</error></errors>
/// ```
pub fn write_errors_xml(errors: &[IovoxError]) -> String {
    let mut xml = String::from(DECLARATION);
    xml.push_str("<errors>");
    for error in errors {
        xml.push_str(&format!("<error status=\"{}\">", error.status));
        xml.push_str(&escape(xml_chars_only(&error.message)));
        xml.push_str("</error>");
    }
    xml.push_str("</errors>");
    xml
}

/// Rules::getRuleTemplates body (Dialbase's shape, mirroring the
/// createRuleTemplates payload):
///
/// ```text
/// <response><rule_templates><rule_template>
///   <rule_template_name>Office hours</rule_template_name>
///   <rules><rule><contact_id>333</contact_id><detail>business_phone</detail></rule></rules>
///   <links><link><link_id>L1</link_id></link>
///     <link><link_id>L2</link_id><contact_id>444</contact_id><detail>mobile_phone</detail></link></links>
/// </rule_template></rule_templates></response>
/// ```
pub fn write_rule_templates_xml(templates: &[RuleTemplateView]) -> String {
    let mut xml = String::from(DECLARATION);
    xml.push_str("<response><rule_templates>");
    for template in templates {
        xml.push_str("<rule_template>");
        element(&mut xml, "rule_template_name", &template.name);
        xml.push_str("<rules>");
        for (contact_id, detail) in &template.rules {
            xml.push_str("<rule>");
            target(&mut xml, contact_id, *detail);
            xml.push_str("</rule>");
        }
        xml.push_str("</rules><links>");
        for (link_id, fixed) in &template.links {
            xml.push_str("<link>");
            element(&mut xml, "link_id", link_id);
            if let Some((contact_id, detail)) = fixed {
                target(&mut xml, contact_id, *detail);
            }
            xml.push_str("</link>");
        }
        xml.push_str("</links></rule_template>");
    }
    xml.push_str("</rule_templates></response>");
    xml
}

fn target(xml: &mut String, contact_id: &str, detail: Detail) {
    element(xml, "contact_id", contact_id);
    element(xml, "detail", detail.element_name());
}

pub(super) fn element(xml: &mut String, name: &str, text: &str) {
    xml.push('<');
    xml.push_str(name);
    xml.push('>');
    xml.push_str(&escape(xml_chars_only(text)));
    xml.push_str("</");
    xml.push_str(name);
    xml.push('>');
}

/// Drops characters XML 1.0 cannot carry at all (e.g. U+0000), so that a
/// stray control character in stored data cannot break the document.
fn xml_chars_only(text: &str) -> String {
    text.chars().filter(|&c| is_xml_char(c)).collect()
}
