//! The VCC Live vendor examples (seeds 000-002), sent verbatim over HTTP.

use crate::common::{Database, Server};
use serde_json::{Value, json};

const ADD_RECORD: &str = include_str!("fixtures/vcc_add_record.json");
const ADD_RECORDS: &str = include_str!("fixtures/vcc_add_records.json");
const BATCH_MODIFY: &str = include_str!("fixtures/vcc_batch_modify.json");
const MODIFY_CONTACT: &str = include_str!("fixtures/vcc_modify_contact.json");

fn value_ids(project: &Value, field: &str) -> Vec<(String, i64)> {
    let fields = project["response"]["fields"].as_array().expect("fields");
    let field = fields.iter().find(|f| f["name"] == field).expect("field exists");
    field["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| (v["name"].as_str().unwrap().to_string(), v["valueid"].as_i64().unwrap()))
        .collect()
}

#[tokio::test]
async fn add_record_seed_stores_every_part_of_the_record() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Sales").await;
    let field = api
        .post(
            &format!("/v2/projects/{project}/fields"),
            r#"{"name": "likes", "type": "multiple"}"#,
        )
        .await;
    assert_eq!(field.body["errors"], json!([]));

    let reply = api.post(&format!("/v2/projects/{project}/records"), ADD_RECORD).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["errors"], json!([]));
    let ids = reply.body["response"].as_array().expect("id list");
    assert_eq!(ids.len(), 1);
    let numberid = ids[0].as_i64().unwrap();

    let schema = api.get(&format!("/v2/projects/{project}")).await.body;
    let likes = value_ids(&schema, "likes");
    assert_eq!(
        likes.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["sports", "movies"]
    );

    let record = api.get(&format!("/v2/projects/{project}/records/{numberid}")).await;
    assert_eq!(record.status, 200);
    let r = &record.body["response"];
    assert_eq!(r["data"]["name"], "Peter Green");
    assert_eq!(r["data"]["city"], "Budapest");
    assert_eq!(r["data"]["likes"], json!([likes[0].1, likes[1].1]));
    assert_eq!(r["values"]["likes"], "sports|movies");
    assert_eq!(r["phone_field"], "phone4");
    // The disposition's next_calldate outranks the record's own.
    assert_eq!(r["next_calldate"], "2015-07-20 10:26:55");
    assert_eq!(r["premium"], json!({"price": "100", "commission": "50"}));
    assert_eq!(
        r["contacts"]["phone1"],
        json!({"title": "Supervisor", "name": "Peter Green", "phone": "3619997400", "email": "peter.green@email.com"})
    );
    assert_eq!(r["contacts"]["phone4"]["phone"], "3619996400");
    assert_eq!(r["data"]["phone4"], "3619996400");
    assert_eq!(r["events"][0]["dispositionid"], 1);
    assert_eq!(r["events"][0]["userid"], "7");
}

#[tokio::test]
async fn add_records_seed_returns_consecutive_ids_and_reuses_values() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Sales").await;
    api.multi_value_field(project, "likes").await;
    let first = api.add_records(project, ADD_RECORD).await[0];

    let reply = api.post(&format!("/v2/projects/{project}/records"), ADD_RECORDS).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, json!({"response": [first + 1, first + 2], "errors": []}));

    let schema = api.get(&format!("/v2/projects/{project}")).await.body;
    let names: Vec<String> = value_ids(&schema, "likes").into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ["sports", "movies", "books", "gadgets"],
        "known values are reused, new ones created once"
    );

    let rachel = api
        .get(&format!("/v2/projects/{project}/records/{}", first + 2))
        .await
        .body;
    assert_eq!(rachel["response"]["values"]["likes"], "books|gadgets");
    assert_eq!(rachel["response"]["next_calldate"], "2015-07-21 15:26:55");
}

#[tokio::test]
async fn a_form_key_naming_no_field_becomes_a_text_field_keeping_pipes() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Sales").await;
    let id = api.add_records(project, ADD_RECORD).await[0];
    let record = api.get(&format!("/v2/projects/{project}/records/{id}")).await.body;
    assert_eq!(record["response"]["data"]["likes"], "sports|movies");
    let schema = api.get(&format!("/v2/projects/{project}")).await.body;
    let likes = schema["response"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "likes")
        .cloned();
    assert_eq!(likes.unwrap()["type"], "text");
}

async fn project_with_four_records(api: &crate::common::Client) -> i64 {
    let project = api.project("Batch").await;
    api.multi_value_field(project, "likes").await;
    let records = json!([
        {"form": {"name": "Green"}}, {"form": {"name": "Anna"}}, {"form": {"name": "Green"}}, {"form": {"name": "Bob"}}
    ]);
    let reply = api
        .post(&format!("/v2/projects/{project}/records"), &records.to_string())
        .await;
    assert_eq!(
        reply.body["response"],
        json!([1, 2, 3, 4]),
        "fresh database numbers records from 1"
    );
    project
}

#[tokio::test]
async fn batch_modification_seed_applies_search_numberid_and_default() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = project_with_four_records(&api).await;

    let reply = api.put(&format!("/v2/projects/{project}/records"), BATCH_MODIFY).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, json!({"errors": [], "response": {"0": true, "1": true}}));

    for green in [1, 3] {
        let r = api.get(&format!("/v2/projects/{project}/records/{green}")).await.body;
        assert_eq!(r["response"]["values"]["name"], "Peter Green");
        assert_eq!(r["response"]["values"]["city"], "Budapest");
        assert_eq!(r["response"]["values"]["likes"], "sports|movies");
        assert_eq!(r["response"]["values"]["address"], "Budapest", "default applies");
        assert_eq!(r["response"]["values"]["age"], "30");
    }
    let thomas = api.get(&format!("/v2/projects/{project}/records/4")).await.body;
    assert_eq!(thomas["response"]["values"]["name"], "Thomas");
    assert_eq!(
        thomas["response"]["values"]["address"], "London",
        "the element's own form wins over default"
    );
    assert_eq!(thomas["response"]["values"]["age"], "30");
    let anna = api.get(&format!("/v2/projects/{project}/records/2")).await.body;
    assert_eq!(anna["response"]["values"]["name"], "Anna");
    assert!(
        anna["response"]["values"]["age"].is_null(),
        "a record no element targets is untouched"
    );
}

#[tokio::test]
async fn batch_modification_reports_a_missing_target_by_index_and_applies_the_rest() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = project_with_four_records(&api).await;
    let body = json!({"elements": [
        {"form": {"city": "Pécs"}, "numberid": "2"},
        {"form": {"city": "Nowhere"}},
        {"form": {"city": "Szeged"}, "search": {"name": "Bob"}}
    ]});
    let reply = api
        .put(&format!("/v2/projects/{project}/records"), &body.to_string())
        .await;
    assert_eq!(
        reply.body,
        json!({
            "errors": [{"errorcode": 417, "errormessage": "error.missing_numberid_or_search", "index": 1}],
            "response": {"0": true, "2": true}
        })
    );
    let anna = api.get(&format!("/v2/projects/{project}/records/2")).await.body;
    assert_eq!(anna["response"]["values"]["city"], "Pécs");
    let bob = api.get(&format!("/v2/projects/{project}/records/4")).await.body;
    assert_eq!(bob["response"]["values"]["city"], "Szeged");
}

#[tokio::test]
async fn modify_contact_seed_succeeds_and_reports_bad_email_and_missing_contact() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Contacts").await;
    let record = json!({"form": {"name": "Peter Green"}, "contacts": {"1": {"phone": "3619990000"}, "2": {"phone": "3619990001"}}});
    let id = api.add_records(project, &record.to_string()).await[0];
    let path = format!("/v2/projects/{project}/records/{id}/contacts/2");

    let reply = api.put(&path, MODIFY_CONTACT).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, json!({"errors": [], "response": true}));
    let r = api.get(&format!("/v2/projects/{project}/records/{id}")).await.body;
    assert_eq!(
        r["response"]["contacts"]["phone2"],
        json!({"title": "Supervisor", "name": "Peter Green", "phone": "3619997400", "email": "peter.green@gmail.com"})
    );
    assert_eq!(
        r["response"]["data"]["phone2"], "3619997400",
        "the contact's phone is the phone2 field"
    );

    let bad = MODIFY_CONTACT.replace("peter.green@gmail.com", "peter.green.gmail.com");
    let reply = api.put(&path, &bad).await;
    assert_eq!(reply.status, 417);
    assert_eq!(
        reply.body,
        json!({"response": false, "errors": [{"index": 1, "errorcode": 417, "errormessage": "error.wrong_email_format"}]})
    );
    let unchanged = api.get(&format!("/v2/projects/{project}/records/{id}")).await.body;
    assert_eq!(
        unchanged["response"]["contacts"]["phone2"]["email"],
        "peter.green@gmail.com"
    );

    let missing = api
        .put(
            &format!("/v2/projects/{project}/records/{id}/contacts/3"),
            MODIFY_CONTACT,
        )
        .await;
    assert_eq!(missing.status, 417);
    assert_eq!(missing.body["errors"][0]["errormessage"], "error.contact_not_exists");
    assert_eq!(missing.body["response"], false);
}
