//! Contacts and Rule Templates: emptying or deleting what a Rule uses needs rm_rules TRUE,
//! which deletes custom templates and detaches templates from the Links fixing a variable Rule.

use crate::common::iovox::{contact, request, start_with_contacts, value, values};
use crate::common::{Client, Database, Server};
use reqwest::Method;

const TEMPLATES: &str = "<request>
  <rule_template>
    <rule_template_name>Office hours</rule_template_name>
    <rule><contact_id>333</contact_id><detail>business_phone</detail></rule>
    <link><link_id>L0</link_id></link>
  </rule_template>
  <rule_template>
    <rule_template_name>On call</rule_template_name>
    <link><link_id>L1</link_id><contact_id>444</contact_id><detail>mobile_phone</detail></link>
    <link><link_id>L2</link_id></link>
  </rule_template>
</request>";

async fn setup() -> (Database, Server, Client) {
    let (db, server, api) = start_with_contacts(&[
        contact(
            "333",
            &[
                ("display_name", "John Smith"),
                ("business_phone", "44123871237"),
                ("notes", "n"),
            ],
        ),
        contact("444", &[("display_name", "Jane Roe"), ("mobile_phone", "447772412312")]),
    ])
    .await;
    let created = api
        .iovox(Method::POST, "/Rules?v=3&method=createRuleTemplates", Some(TEMPLATES))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    (db, server, api)
}

async fn rule_templates(api: &Client) -> String {
    let reply = api.iovox(Method::GET, "/Rules?v=3&method=getRuleTemplates", None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.text
}

fn emptying(id: &str, detail: &str, flags: &str) -> String {
    request(flags, &[contact(id, &[(detail, "")])])
}

#[tokio::test]
async fn templates_list_their_rules_and_links() {
    let (_db, _server, api) = setup().await;
    let listed = rule_templates(&api).await;
    assert_eq!(values(&listed, "rule_template_name"), ["Office hours", "On call"]);
    assert!(listed.contains("<rule><contact_id>333</contact_id><detail>business_phone</detail></rule>"));
    assert!(listed.contains(
        "<link><link_id>L1</link_id><contact_id>444</contact_id><detail>mobile_phone</detail></link><link><link_id>L2</link_id></link>"
    ));
    api.iovox(Method::POST, "/Rules?v=3&method=createRuleTemplates", Some(TEMPLATES))
        .await
        .assert_error(400, "Duplicate Rule Template Name Received");
}

#[tokio::test]
async fn emptying_a_used_detail_needs_rm_rules() {
    let (_db, _server, api) = setup().await;
    for flags in ["", "<rm_rules>FALSE</rm_rules>"] {
        api.update_contacts(&emptying("333", "business_phone", flags))
            .await
            .assert_error(
                400,
                "Contact 1 of 1 has empty fields that are used in Rules or Rule Templates",
            );
    }
    assert_eq!(
        value(&api.contact_details("333").await.unwrap(), "business_phone"),
        "44123871237"
    );
    let unused = api.update_contacts(&emptying("333", "notes", "")).await;
    assert_eq!(
        unused.status, 204,
        "a detail no Rule uses may be emptied: {}",
        unused.text
    );

    let reply = api
        .update_contacts(&emptying("333", "business_phone", "<rm_rules>TRUE</rm_rules>"))
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert!(values(&api.contact_details("333").await.unwrap(), "business_phone").is_empty());
    assert_eq!(
        values(&rule_templates(&api).await, "rule_template_name"),
        ["On call"],
        "custom template deleted"
    );
}

#[tokio::test]
async fn rm_rules_detaches_templates_from_links_fixing_a_variable_rule() {
    let (_db, _server, api) = setup().await;
    api.update_contacts(&emptying("444", "mobile_phone", ""))
        .await
        .assert_error(
            400,
            "Contact 1 of 1 has empty fields that are used in Rules or Rule Templates",
        );
    let reply = api
        .update_contacts(&emptying("444", "mobile_phone", "<rm_rules>TRUE</rm_rules>"))
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    let listed = rule_templates(&api).await;
    assert_eq!(values(&listed, "rule_template_name"), ["Office hours", "On call"]);
    assert_eq!(
        values(&listed, "link_id"),
        ["L0", "L2"],
        "only the link fixed by the emptied detail goes"
    );
}

#[tokio::test]
async fn rules_follow_renamed_contacts() {
    let (_db, _server, api) = setup().await;
    let rename = request(
        "",
        &["<contact><contact_id>333</contact_id><new_contact_id>333-b</new_contact_id></contact>".to_string()],
    );
    assert_eq!(api.update_contacts(&rename).await.status, 204);
    let listed = rule_templates(&api).await;
    assert!(listed.contains("<rule><contact_id>333-b</contact_id><detail>business_phone</detail></rule>"));
    api.update_contacts(&emptying("333-b", "business_phone", ""))
        .await
        .assert_error(
            400,
            "Contact 1 of 1 has empty fields that are used in Rules or Rule Templates",
        );
}

#[tokio::test]
async fn deleting_a_contact_that_rules_use_needs_rm_rules() {
    let (_db, _server, api) = setup().await;
    let delete = |query: &'static str| api.iovox(Method::DELETE, query, None);
    delete("/Contacts?v=3&method=deleteContacts&contact_ids=444,333")
        .await
        .assert_error(400, "Contact 1 of 2 is used in Rules or Rule Templates");
    assert!(api.contact_details("444").await.is_some());
    let reply = delete("/Contacts?v=3&method=deleteContacts&contact_ids=444,333&rm_rules=TRUE").await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert_eq!(value(&api.get_contacts("").await.text, "total_results"), "0");
    let listed = rule_templates(&api).await;
    assert_eq!(values(&listed, "rule_template_name"), ["On call"]);
    assert_eq!(values(&listed, "link_id"), ["L2"]);
}

#[tokio::test]
async fn templates_only_reference_the_tenants_own_contacts() {
    let (db, server, _api) = setup().await;
    db.admin(&["key", "add", "other", "other", "--key", "other-key-123"]);
    let theirs = server.client_as("other", "other", "other-key-123");
    let template = "<request><rule_template><rule_template_name>Steal</rule_template_name>\
        <rule><contact_id>333</contact_id><detail>business_phone</detail></rule></rule_template></request>";
    theirs
        .iovox(Method::POST, "/Rules?v=3&method=createRuleTemplates", Some(template))
        .await
        .assert_error(400, "Contact ID 1 of 1 does not exist");
    assert_eq!(
        values(&rule_templates(&theirs).await, "rule_template"),
        Vec::<String>::new()
    );
    let empty_detail = template
        .replace("business_phone", "home_phone")
        .replace("Steal", "Mine");
    let mine = server.client();
    mine.iovox(
        Method::POST,
        "/Rules?v=3&method=createRuleTemplates",
        Some(&empty_detail),
    )
    .await
    .assert_error(400, "Contact Detail 1 of 1 Empty");
}
