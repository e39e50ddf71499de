//! Issue 14, item 7 and the add-record items: an "Add record" answer maps every id to its
//! item (a plain list when all were stored, else an object keyed by the request index), a
//! top-level `user_data` is the record's user data, and an unknown top-level key is an item
//! error naming it.

use crate::common::{Database, Server};
use serde_json::json;

#[tokio::test]
async fn ids_are_keyed_by_request_index_when_an_item_fails() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Positions").await;
    let path = format!("/v2/projects/{project}/records");
    let all = api
        .post(
            &path,
            r#"[{"form": {"name": "a"}}, {"form": {"name": "b"}}, {"form": {"name": "c"}}]"#,
        )
        .await;
    assert_eq!(
        all.body,
        json!({"errors": [], "response": [1, 2, 3]}),
        "all stored: as before"
    );

    let some = api
        .post(
            &path,
            r#"[{"form": {"name": "d"}}, {"form": {"name": "e"}, "next_calldate": "soon"}, {"form": {"name": "f"}}]"#,
        )
        .await;
    assert_eq!(some.status, 200);
    assert_eq!(
        some.body,
        json!({"response": {"0": 4, "2": 5},
               "errors": [{"index": 1, "errorcode": 417, "errormessage": "error.wrong_date_format"}]})
    );
    let none = api
        .post(&path, r#"[{"form": {"name": "g"}, "phone_field": "phone0"}]"#)
        .await;
    assert_eq!(none.status, 417);
    assert_eq!(none.body["response"], json!({}));
}

#[tokio::test]
async fn user_data_is_stored_and_unknown_keys_are_item_errors() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Keys").await;
    let body = json!([
        {"form": {"name": "Anna"}, "user_data": "crm-17"},
        {"form": {"name": "Bea"}, "colour": "red", "user_data": "crm-18"},
        {"form": {"name": "Cecil"}, "user_data": {"id": 19}},
        {"form": {"name": "Dora"}}
    ]);
    let reply = api
        .post(&format!("/v2/projects/{project}/records"), &body.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body,
        json!({"response": {"0": 1, "3": 2}, "errors": [
            {"index": 1, "errorcode": 417, "errormessage": "error.unknown_property", "property": "colour"},
            {"index": 2, "errorcode": 417, "errormessage": "error.wrong_user_data_format", "property": "user_data"}]})
    );
    let anna = api.get(&format!("/v2/projects/{project}/records/1")).await.body;
    assert_eq!(anna["response"]["user_data"], "crm-17");
    // The same user data through jtel and Dialbase's own API.
    let jtel = api.get("/dialler/contacts/contact?userData=crm-17").await;
    assert_eq!(jtel.body["records"][0]["DiallerContactsID"], 1, "{}", jtel.text);
    let dora = api.get(&format!("/v2/projects/{project}/records/2")).await.body;
    assert_eq!(dora["response"]["user_data"], json!(null));
    // Modify record takes it too, in the "Add record" shape.
    let reply = api
        .put(
            &format!("/v2/projects/{project}/records/2"),
            r#"{"form": {"name": "Dora"}, "user_data": "crm-20"}"#,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let dora = api.get(&format!("/v2/projects/{project}/records/2")).await.body;
    assert_eq!(dora["response"]["user_data"], "crm-20");
}

/// Record ids are never given twice: a batch after the newest record was deleted goes on
/// above it, with the ids in request order (SQLite writes a batch's records several to a
/// statement with the ids it gives them).
#[tokio::test]
async fn ids_of_deleted_records_are_not_given_again() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Ids").await;
    let path = format!("/v2/projects/{project}/records");
    let names = |from: usize, count: usize| {
        let records: Vec<_> = (from..from + count)
            .map(|i| json!({"form": {"name": format!("r{i}")}, "user_data": format!("u{i}")}))
            .collect();
        json!(records).to_string()
    };
    let first = api.post(&path, &names(0, 70)).await;
    let ids: Vec<i64> = (1..=70).collect();
    assert_eq!(first.body["response"], json!(ids), "{}", first.text);
    let deleted = api.delete("/dialler/contacts/contact?userData=u69").await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    let second = api.post(&path, &names(70, 3)).await;
    assert_eq!(second.body["response"], json!([71, 72, 73]), "{}", second.text);
    for (id, name) in [(70, None), (71, Some("r70")), (73, Some("r72")), (65, Some("r64"))] {
        let record = api.get(&format!("{path}/{id}")).await;
        match name {
            Some(name) => assert_eq!(record.body["response"]["data"]["name"], name, "{}", record.text),
            None => assert_eq!(record.status, 404, "{}", record.text),
        }
    }
}
