//! iovox reads with `output=JSON`: the vendor's JSON keeps the XML's shape with numbers
//! as strings, `result` is always an array, and errors come as JSON when JSON was asked.

use crate::common::iovox::{contact, start_with_contacts};
use crate::common::{Database, Reply, Server};
use reqwest::Method;
use serde_json::json;

fn assert_json(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.text);
    let content_type = reply.headers["content-type"].to_str().unwrap();
    assert_eq!(content_type, "application/json; charset=utf-8");
}

#[tokio::test]
async fn get_contacts_as_json_keeps_the_xml_shape_with_numbers_as_strings() {
    let (_db, _server, api) = start_with_contacts(&[
        contact(
            "333",
            &[
                ("display_name", "John Smith"),
                ("company", "Smith&apos;s ABC"),
                ("business_phone", "44123871237"),
                ("business_phone", "44123871238"),
                ("notes", "not a default field"),
            ],
        ),
        contact("444", &[("display_name", "Ann"), ("email", "ann@example.com")]),
    ])
    .await;

    let reply = api.contacts_json("&method=getContacts").await;
    assert_json(&reply, 200);
    assert_eq!(
        reply.body,
        json!({"response": {
            "current_page": "1", "total_pages": "1", "total_results": "2",
            "results": {"result": [
                {"contact_id": "333", "display_name": "John Smith", "company": "Smith's ABC",
                 "business_phone": ["44123871237", "44123871238"], "assigned_status": "UNASSIGNED"},
                {"contact_id": "444", "display_name": "Ann", "email": "ann@example.com",
                 "assigned_status": "UNASSIGNED"}
            ]}
        }})
    );

    // One contact is still a one-element array; `output` is read in any case.
    let one = api
        .iovox(
            Method::GET,
            "/Contacts?v=3&method=getContacts&limit=1&page=2&req_fields=cid,dn&output=json",
            None,
        )
        .await;
    assert_json(&one, 200);
    assert_eq!(
        one.body["response"],
        json!({"current_page": "2", "total_pages": "2", "total_results": "2",
               "results": {"result": [{"contact_id": "444", "display_name": "Ann"}]}})
    );

    // An empty page.
    let none = api.contacts_json("&method=getContacts&display_name=nobody").await;
    assert_json(&none, 200);
    assert_eq!(
        none.body,
        json!({"response": {"current_page": "1", "total_pages": "0", "total_results": "0",
                            "results": {"result": []}}})
    );

    // output=XML, said explicitly, is the XML answer.
    let xml = api
        .iovox(Method::GET, "/Contacts?v=3&method=getContacts&output=XML", None)
        .await;
    assert_eq!(xml.status, 200);
    assert!(xml.text.starts_with("<?xml"), "{}", xml.text);
}

#[tokio::test]
async fn get_contact_details_as_json_shows_every_detail() {
    let (_db, _server, api) = start_with_contacts(&[contact(
        "c 1",
        &[
            ("display_name", "Zoë O&apos;Brien"),
            ("first_name", "Zoë"),
            ("mobile_phone", "+447700900123"),
            ("home_country", "france"),
            ("notes", "a &lt;b&gt; &amp; \"c\""),
        ],
    )])
    .await;
    let reply = api.contacts_json("&method=getContactDetails&contact_id=c%201").await;
    assert_json(&reply, 200);
    assert_eq!(
        reply.body["response"]["results"]["result"],
        json!([{"contact_id": "c 1", "display_name": "Zoë O'Brien", "first_name": "Zoë",
                "mobile_phone": "447700900123", "home_country": "France",
                "notes": "a <b> & \"c\""}])
    );
    assert_eq!(reply.body["response"]["total_results"], "1");
}

#[tokio::test]
async fn errors_are_json_when_json_was_asked() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let error =
        |status: u16, text: &str| json!({"errors": {"error": [{"status": status.to_string(), "__content__": text}]}});

    let unknown = api.contacts_json("&method=getContactDetails&contact_id=999").await;
    assert_json(&unknown, 400);
    assert_eq!(unknown.body, error(400, "Contact ID does not exist"));

    let limit = api.contacts_json("&method=getContacts&limit=x").await;
    assert_json(&limit, 400);
    assert_eq!(limit.body, error(400, "Limit not an integer"));

    let version = api
        .iovox(Method::GET, "/Contacts?method=getContacts&output=JSON", None)
        .await;
    assert_json(&version, 400);
    assert_eq!(version.body, error(400, "API Version Empty"));

    let verb = api
        .iovox(Method::POST, "/Contacts?v=3&method=getContacts&output=JSON", None)
        .await;
    assert_json(&verb, 400);
    assert_eq!(verb.body, error(400, "Request Method must be GET. POST attempted"));

    let stranger = server.client_as("mycc", "mycc", "wrong-key");
    let unauthorized = stranger.contacts_json("&method=getContacts").await;
    assert_json(&unauthorized, 401);
    assert_eq!(unauthorized.body, error(401, "HTTP 401: Unauthorized"));
    assert!(unauthorized.headers.contains_key("www-authenticate"));

    // A wrong output value cannot ask for JSON: its error is XML.
    api.iovox(Method::GET, "/Contacts?v=3&method=getContacts&output=YAML", None)
        .await
        .assert_error(400, "Output Type Invalid");
    // Without output=JSON errors stay XML.
    api.iovox(
        Method::GET,
        "/Contacts?v=3&method=getContactDetails&contact_id=999",
        None,
    )
    .await
    .assert_error(400, "Contact ID does not exist");
}
