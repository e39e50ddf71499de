use super::super::write::{write_contacts_xml, write_countries_xml, write_errors_xml, write_rule_templates_xml};
use super::super::write_json::{write_contacts_json, write_errors_json};
use crate::domain::iovox::{
    ContactField, ContactQuery, ContactView, Country, Detail, IovoxError, RuleTemplateView, countries,
};

fn page(page: u32, limit: u32, fields: &[ContactField]) -> ContactQuery {
    ContactQuery {
        page,
        limit,
        fields: fields.to_vec(),
        ..ContactQuery::new()
    }
}

fn all_fields() -> Vec<ContactField> {
    ContactField::all().collect()
}

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
        assigned: false,
    };
    let xml = write_contacts_xml(&[contact], 42, &page(2, 10, &all_fields()));
    assert_eq!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><response>\
         <current_page>2</current_page><total_pages>5</total_pages><total_results>42</total_results>\
         <results><result><contact_id>a&amp;b&lt;1&gt;</contact_id>\
         <display_name>Smith&apos;s &lt;ABC&gt; &amp; Co</display_name>\
         <business_phone>442</business_phone><business_phone>441</business_phone>\
         <notes>xy &quot;q&quot; &apos;a&apos; &gt; b</notes><assigned_status>UNASSIGNED</assigned_status>\
         </result></results></response>"
    );
}

#[test]
fn results_show_only_the_requested_fields() {
    let contact = ContactView {
        contact_id: "7".to_owned(),
        details: vec![
            (Detail::Company, "Acme".to_owned()),
            (Detail::Notes, "n".to_owned()),
            (Detail::DisplayName, "Ann".to_owned()),
        ],
        assigned: true,
    };
    let fields = [
        ContactField::Detail(Detail::DisplayName),
        ContactField::Detail(Detail::Notes),
        ContactField::AssignedStatus,
    ];
    let xml = write_contacts_xml(std::slice::from_ref(&contact), 1, &page(1, 20, &fields));
    assert!(
        xml.contains(
            "<result><display_name>Ann</display_name><notes>n</notes>\
             <assigned_status>ASSIGNED</assigned_status></result>"
        ),
        "{xml}"
    );
}

#[test]
fn json_keeps_the_xml_shape_with_numbers_as_strings() {
    let contact = ContactView {
        contact_id: "333".to_owned(),
        details: vec![
            (Detail::DisplayName, "John \"JS\" Smith".to_owned()),
            (Detail::BusinessPhone, "441".to_owned()),
            (Detail::BusinessPhone, "442".to_owned()),
            (Detail::MobilePhone, "447".to_owned()),
        ],
        assigned: false,
    };
    let json = write_contacts_json(&[contact], 3, &page(2, 1, &all_fields()));
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        parsed,
        serde_json::json!({"response": {
            "current_page": "2", "total_pages": "3", "total_results": "3",
            "results": {"result": [{
                "contact_id": "333",
                "display_name": "John \"JS\" Smith",
                "mobile_phone": "447",
                "business_phone": ["441", "442"],
                "assigned_status": "UNASSIGNED"
            }]}
        }})
    );
    assert!(json.starts_with("{\"response\":{\"current_page\":\"2\""), "{json}");
    assert!(
        json.contains("{\"contact_id\":\"333\",\"display_name\""),
        "keys in element order: {json}"
    );
    assert_eq!(
        write_contacts_json(&[], 0, &page(1, 20, &all_fields())),
        "{\"response\":{\"current_page\":\"1\",\"total_pages\":\"0\",\"total_results\":\"0\",\"results\":{\"result\":[]}}}"
    );
    let error: serde_json::Value =
        serde_json::from_str(&write_errors_json(&[IovoxError::limit_not_integer()])).unwrap();
    assert_eq!(
        error,
        serde_json::json!({"errors": {"error": [{"status": "400", "__content__": "Limit not an integer"}]}})
    );
}

#[test]
fn empty_pages_and_zero_per_page() {
    let xml = write_contacts_xml(&[], 0, &page(1, 20, &all_fields()));
    assert_eq!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><current_page>1</current_page>\
         <total_pages>0</total_pages><total_results>0</total_results><results></results></response>"
    );
    assert!(write_contacts_xml(&[], 7, &page(1, 0, &[])).contains("<total_pages>0</total_pages>"));
    assert!(write_contacts_xml(&[], 21, &page(1, 20, &[])).contains("<total_pages>2</total_pages>"));
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
