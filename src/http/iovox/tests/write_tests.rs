use super::super::write::{write_contacts_xml, write_countries_xml, write_errors_xml, write_rule_templates_xml};
use crate::domain::iovox::{ContactView, Country, Detail, IovoxError, RuleTemplateView, countries};

#[test]
fn contacts_are_written_escaped_and_in_payload_order() {
    let contact = ContactView {
        contact_id: "a&b<1>".to_owned(),
        details: vec![
            (Detail::Notes, "x\u{0}y \"q\" 'a' > b".to_owned()),
            (Detail::BusinessPhone, "442".to_owned()),
            (Detail::DisplayName, "Smith's <ABC> & Co".to_owned()),
            (Detail::BusinessPhone, "441".to_owned()),
        ],
    };
    let xml = write_contacts_xml(&[contact], 42, 2, 10);
    assert_eq!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><response>\
         <current_page>2</current_page><total_pages>5</total_pages><total_results>42</total_results>\
         <results><result><contact_id>a&amp;b&lt;1&gt;</contact_id>\
         <display_name>Smith&apos;s &lt;ABC&gt; &amp; Co</display_name>\
         <business_phone>442</business_phone><business_phone>441</business_phone>\
         <notes>xy &quot;q&quot; &apos;a&apos; &gt; b</notes></result></results></response>"
    );
}

#[test]
fn empty_pages_and_zero_per_page() {
    let xml = write_contacts_xml(&[], 0, 1, 20);
    assert_eq!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><current_page>1</current_page>\
         <total_pages>0</total_pages><total_results>0</total_results><results></results></response>"
    );
    assert!(write_contacts_xml(&[], 7, 1, 0).contains("<total_pages>0</total_pages>"));
    assert!(write_contacts_xml(&[], 21, 1, 20).contains("<total_pages>2</total_pages>"));
}

#[test]
fn countries_are_written_with_id_and_name() {
    let some = [
        Country {
            name: "United Kingdom",
            iso2: "GB",
        },
        Country {
            name: "Côte d'Ivoire",
            iso2: "CI",
        },
    ];
    assert_eq!(
        write_countries_xml(&some),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><countries>\
         <country><country_id>GB</country_id><country_name>United Kingdom</country_name></country>\
         <country><country_id>CI</country_id><country_name>Côte d&apos;Ivoire</country_name></country>\
         </countries></response>"
    );
    let all = write_countries_xml(countries());
    assert_eq!(all.matches("<country>").count(), 249);
}

#[test]
fn errors_carry_their_status_and_escaped_text() {
    let xml = write_errors_xml(&[IovoxError::http_status(401, "Unauthorized")]);
    assert_eq!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error status=\"401\">HTTP 401: Unauthorized</error></errors>"
    );
    let parse = IovoxError::xml_parse("bad <tag>", 1, 2);
    assert!(write_errors_xml(&[parse]).contains("XML parse error. bad &lt;tag&gt; at line 1, column 2"));
}

#[test]
fn rule_templates_list_rules_and_links() {
    let template = RuleTemplateView {
        name: "Office".into(),
        rules: vec![("333".into(), Detail::BusinessPhone)],
        links: vec![
            ("L1".into(), None),
            ("L2".into(), Some(("444".into(), Detail::MobilePhone))),
        ],
    };
    assert_eq!(
        write_rule_templates_xml(&[template]),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><rule_templates><rule_template>\
         <rule_template_name>Office</rule_template_name>\
         <rules><rule><contact_id>333</contact_id><detail>business_phone</detail></rule></rules>\
         <links><link><link_id>L1</link_id></link><link><link_id>L2</link_id><contact_id>444</contact_id>\
         <detail>mobile_phone</detail></link></links></rule_template></rule_templates></response>"
    );
}
