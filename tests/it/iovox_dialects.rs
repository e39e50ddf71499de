//! The iovox dialect next to the others: contacts as VCC Live records, tenant isolation,
//! the Host header and HTTP Basic, Countries::getCountries.

use crate::common::iovox::{contact, request, start_with_contacts, value, values};
use crate::common::{Database, KEY, Server};
use reqwest::Method;
use serde_json::Value;

#[tokio::test]
async fn iovox_contacts_are_records_of_the_contact_book_project() {
    let (_db, _server, api) = start_with_contacts(&[contact(
        "crm-42",
        &[
            ("display_name", "Ann Lee"),
            ("mobile_phone", "447772412312"),
            ("business_phone", "441234567890"),
            ("business_phone", "441234567891"),
        ],
    )])
    .await;
    api.post("/v2/robinson", r#"{"phones": ["441234567890"]}"#).await;

    let projects = api.get("/v2/projects").await.body;
    let book = projects["response"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Contact book")
        .expect("contact book project")["projectid"]
        .as_i64()
        .unwrap();
    let listed = api.get(&format!("/v2/projects/{book}/records")).await.body;
    let numberid = listed["response"][0]["numberid"].as_i64().unwrap();
    let record = api.get(&format!("/v2/projects/{book}/records/{numberid}")).await.body;
    let record = &record["response"];
    assert_eq!(
        record["values"]["name"], "Ann Lee",
        "display_name is the canonical name"
    );
    assert_eq!(record["values"]["phone3"], "441234567890|441234567891");
    assert_eq!(record["values"]["phone1"], "447772412312");
    assert_eq!(record["values"]["business_phone"], Value::Null, "no field of its own");
    assert_eq!(record["robinson"], true, "the phones meet the Robinson list");
}

#[tokio::test]
async fn tenants_only_see_their_own_contacts() {
    let db = Database::fresh();
    db.admin(&["key", "add", "other", "other", "--key", "other-key-123"]);
    let server = Server::start(&db);
    let mine = server.client();
    mine.create_ok(&[contact("shared-id", &[("display_name", "Mine")])])
        .await;

    let theirs = server.client_as("other", "other", "other-key-123");
    assert_eq!(value(&theirs.get_contacts("").await.text, "total_results"), "0");
    theirs
        .update_contacts(&request("", &[contact("shared-id", &[("notes", "x")])]))
        .await
        .assert_error(400, "Contact ID 1 of 1 does not exist");
    theirs
        .create_ok(&[contact("shared-id", &[("display_name", "Theirs")])])
        .await;
    let mine_now = mine.contact_details("shared-id").await.unwrap();
    assert_eq!(value(&mine_now, "display_name"), "Mine");

    let cross = server.client_as("mycc", "other", "other-key-123");
    cross
        .iovox(Method::GET, "/Contacts?v=3&method=getContacts", None)
        .await
        .assert_error(401, "HTTP 401: Unauthorized");
}

#[tokio::test]
async fn host_header_basic_auth_and_countries() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let reply = crate::common::http_client()
        .get(format!("{}/Countries?v=3&method=getCountries", server.base))
        .header("host", "mycc.api.example.com")
        .basic_auth("mycc", Some(KEY))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert!(
        reply.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let body = reply.text().await.unwrap();
    let names = values(&body, "country_name");
    assert_eq!(names.len(), 249);
    assert!(names.contains(&"United Kingdom".to_string()));
    assert!(body.contains("<country><country_id>GB</country_id><country_name>United Kingdom</country_name></country>"));
}
