//! Every row of the vendor's updateContacts error table over HTTP (same status, same
//! text, XML error body), plus the request-level rows of the other methods.

use crate::common::iovox::{SEED_VERBATIM, contact, request, start_with_contacts};
use crate::common::{Client, Database, KEY, Server};
use reqwest::Method;

async fn server_with_contacts() -> (Database, Server, Client) {
    start_with_contacts(&[
        contact(
            "333",
            &[("display_name", "John Smith"), ("business_phone", "44123871237")],
        ),
        contact("444", &[("display_name", "Jane Roe"), ("home_phone", "447772412312")]),
    ])
    .await
}

/// updateContacts with these contacts: the error must be exactly `text`.
async fn update_fails(api: &Client, contacts: &[String], text: &str) {
    api.update_contacts(&request("", contacts))
        .await
        .assert_error(400, text);
}

#[tokio::test]
async fn request_level_rows() {
    let (_db, _server, api) = server_with_contacts().await;
    let put = |path: &'static str| api.iovox(Method::PUT, path, Some("<request/>"));
    put("/Contacts?method=updateContacts")
        .await
        .assert_error(400, "API Version Empty");
    put("/Contacts?v=&method=updateContacts")
        .await
        .assert_error(400, "API Version Empty");
    put("/Contacts?v=2&method=updateContacts")
        .await
        .assert_error(400, "API Version Invalid");
    put("/Contacts?v=3").await.assert_error(400, "Method Empty");
    put("/Contacts?v=3&method=updateContact")
        .await
        .assert_error(400, "Method Invalid");
    api.contacts(Method::GET, "updateContacts", None)
        .await
        .assert_error(400, "Request Method must be PUT. GET attempted");
    api.contacts(Method::PUT, "createContacts", Some("<request/>"))
        .await
        .assert_error(400, "Request Method must be POST. PUT attempted");
    api.contacts(Method::POST, "getContacts", None)
        .await
        .assert_error(400, "Request Method must be GET. POST attempted");
    api.contacts(Method::GET, "deleteContacts", None)
        .await
        .assert_error(400, "Request Method must be DELETE. GET attempted");
    api.update_contacts("").await.assert_error(400, "XML Empty");
    api.update_contacts(" \n\t").await.assert_error(400, "XML Empty");
    api.update_contacts(SEED_VERBATIM).await.assert_error(
        400,
        "XML parse error. ill-formed document: expected `&lt;/contact&gt;`, but `&lt;/request&gt;` was found \
             at line 33, column 1",
    );
    api.update_contacts("<request><rm_rules>TRUE</rm_rules></request>")
        .await
        .assert_error(400, "Request Empty");
}

#[tokio::test]
async fn contact_id_rows() {
    let (_db, _server, api) = server_with_contacts().await;
    update_fails(
        &api,
        &[contact("333", &[]), contact("", &[])],
        "Contact ID 2 of 2 Empty",
    )
    .await;
    update_fails(
        &api,
        &["<contact><notes>x</notes></contact>".into()],
        "Contact ID 1 of 1 Empty",
    )
    .await;
    update_fails(
        &api,
        &[contact("333", &[]), contact("999", &[])],
        "Contact ID 2 of 2 does not exist",
    )
    .await;
    update_fails(
        &api,
        &[contact("333", &[]), contact("333", &[])],
        "Duplicate Contact ID Received",
    )
    .await;
    let rename_onto_existing = "<contact><contact_id>333</contact_id><new_contact_id>444</new_contact_id></contact>";
    update_fails(&api, &[rename_onto_existing.into()], "Duplicate Contact ID Received").await;
    api.create_contacts(&request("", &[contact("444", &[("display_name", "X")])]))
        .await
        .assert_error(400, "Duplicate Contact ID Received");
}

#[tokio::test]
async fn detail_rows() {
    let (_db, _server, api) = server_with_contacts().await;
    let cases = [
        (("display_name", ""), "Display Name 2 of 2 Empty"),
        (
            ("home_phone", "01234 567890"),
            "Home Phone 2 of 2 is not internationalised",
        ),
        (
            ("business_phone", "4412"),
            "Business Phone 2 of 2 is not internationalised",
        ),
        (("business_fax", "fax"), "Business Fax 2 of 2 is not internationalised"),
        (
            ("mobile_phone", "+0447772412312"),
            "Mobile Phone 2 of 2 is not internationalised",
        ),
        (("first_name", "J0hn"), "First Name 2 of 2 Invalid"),
        (("last_name", "Sm!th"), "Last Name 2 of 2 Invalid"),
        (("home_country", "Englandshire"), "Home Country 2 of 2 Invalid"),
        (("business_country", "UK"), "Business Country 2 of 2 Invalid"),
    ];
    for ((element, text), expected) in cases {
        update_fails(
            &api,
            &[contact("333", &[]), contact("444", &[(element, text)])],
            expected,
        )
        .await;
    }
}

#[tokio::test]
async fn combination_rows() {
    let (_db, _server, api) = server_with_contacts().await;
    let taken = contact(
        "444",
        &[("display_name", "John Smith"), ("mobile_phone", "44123871237")],
    );
    update_fails(
        &api,
        &[contact("333", &[]), taken],
        "Display Name and Phone Number Combination 2 of 2 already exists",
    )
    .await;
    let twice = |id: &str| contact(id, &[("display_name", "Same Name"), ("business_fax", "441234567890")]);
    update_fails(
        &api,
        &[twice("333"), twice("444")],
        "Display Name and Phone Number Combination duplicated",
    )
    .await;
    api.create_contacts(&request(
        "",
        &[contact(
            "555",
            &[("display_name", "Jane Roe"), ("home_phone", "447772412312")],
        )],
    ))
    .await
    .assert_error(400, "Display Name and Phone Number Combination 1 of 1 already exists");
}

#[tokio::test]
async fn listing_and_deleting_rows() {
    let (_db, _server, api) = server_with_contacts().await;
    let get = |query: &'static str| api.iovox(Method::GET, query, None);
    get("/Contacts?v=3&method=getContacts&page=x")
        .await
        .assert_error(400, "Page Number not an integer");
    get("/Contacts?v=3&method=getContacts&limit=x")
        .await
        .assert_error(400, "Limit not an integer");
    get("/Contacts?v=3&method=getContacts&limit=20001")
        .await
        .assert_error(400, "Limit must be between 1 and 20000");
    get("/Contacts?v=3&method=getContacts&output=CSV")
        .await
        .assert_error(400, "Output Type Invalid");
    get("/Contacts?v=3&method=getContacts&order=od_DESC")
        .await
        .assert_error(400, "Order Invalid");
    get("/Contacts?v=3&method=getContacts&req_fields=cid,phone")
        .await
        .assert_error(400, "Requested Fields Invalid");
    get("/Contacts?v=3&method=getContactDetails")
        .await
        .assert_error(400, "Contact ID Empty");
    get("/Contacts?v=3&method=getContactDetails&contact_id=999")
        .await
        .assert_error(400, "Contact ID does not exist");
    let delete = |query: &'static str| api.iovox(Method::DELETE, query, None);
    delete("/Contacts?v=3&method=deleteContacts&contact_ids=333&rm_if_user=maybe")
        .await
        .assert_error(400, "Remove If User Invalid");
    delete("/Contacts?v=3&method=deleteContacts&contact_ids=,")
        .await
        .assert_error(400, "Contact IDs Empty");
    delete("/Contacts?v=3&method=deleteContacts&contact_ids=333,999")
        .await
        .assert_error(400, "Contact ID 2 of 2 does not exist");
    assert!(api.contact_details("333").await.is_some(), "nothing deleted");
}

#[tokio::test]
async fn credentials_and_body_size() {
    let db = Database::fresh();
    let server = Server::start_with(&db, &[("DIALBASE_BODY_LIMIT", "256")]);
    let wrong = server.client_as("mycc", "mycc", "wrong-key");
    let reply = wrong.contacts(Method::GET, "getContacts", None).await;
    reply.assert_error(401, "HTTP 401: Unauthorized");
    let no_credentials = crate::common::http_client()
        .get(format!("{}/mycc/Contacts?v=3&method=getContacts", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(no_credentials.status(), 401);
    let basic = crate::common::http_client()
        .get(format!("{}/mycc/Contacts?v=3&method=getContacts", server.base))
        .basic_auth("mycc", Some(KEY))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 200);

    let big = request("", &[contact("1", &[("notes", &"x".repeat(1000))])]);
    server
        .client()
        .create_contacts(&big)
        .await
        .assert_error(413, "HTTP 413: Request Entity Too Large");
}
