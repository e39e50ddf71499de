//! Bad input over HTTP: every rejection is clear and leaves the database as it was.

use crate::common::{Database, KEY, Server};
use serde_json::json;

async fn record_count(api: &crate::common::Client, project: i64) -> usize {
    let reply = api.get(&format!("/v2/projects/{project}/records?limit=1000")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["response"].as_array().expect("list").len()
}

#[tokio::test]
async fn malformed_json_is_rejected_with_its_position_and_writes_nothing() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("P").await;
    let reply = api
        .post(
            &format!("/v2/projects/{project}/records"),
            "[{\"form\": {\"name\": \"x\"}},",
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["response"], false);
    assert_eq!(reply.body["errors"][0]["errormessage"], "error.wrong_request_format");
    assert!(
        reply.body["errors"][0]["detail"].as_str().unwrap().contains("line 1"),
        "{}",
        reply.text
    );
    assert_eq!(record_count(&api, project).await, 0);
}

#[tokio::test]
async fn invalid_items_are_reported_by_index_and_the_rest_stored() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("P").await;
    let body = json!([
        {"form": {"name": "ok 1"}},
        {"form": {"name": "bad date"}, "next_calldate": "2020-02-30 10:00:00"},
        {"form": "not an object"},
        {"form": {"name": "bad email"}, "contacts": {"1": {"phone": "3612345678", "email": "nope"}}},
        {"form": {"name": "bad phone field"}, "phone_field": "phone10"},
        {"form": {"name": "bad contact"}, "contacts": {"1": {"name": "no phone"}}},
        {"form": {"name": "bad nested", "nested": {"a": 1}}},
        {"form": {"name": "bad disposition"}, "disposition": {"userid": "7"}},
        {"form": {"name": "ok 2"}}
    ]);
    let reply = api
        .post(&format!("/v2/projects/{project}/records"), &body.to_string())
        .await;
    assert_eq!(reply.status, 200);
    // Some items failed: the ids are keyed by the items' request indexes.
    assert_eq!(reply.body["response"], json!({"0": 1, "8": 2}));
    let errors: Vec<(u64, &str)> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["index"].as_u64().unwrap(), e["errormessage"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (1, "error.wrong_date_format"),
            (2, "error.wrong_form_format"),
            (3, "error.wrong_email_format"),
            (4, "error.wrong_phone_field"),
            (5, "error.missing_contact_phone"),
            (6, "error.wrong_form_value"),
            (7, "error.wrong_dispositionid"),
        ]
    );
    assert_eq!(record_count(&api, project).await, 2);
    let fields = api.field_names(project).await;
    assert_eq!(fields, ["name"], "rejected items create no fields");
}

#[tokio::test]
async fn every_item_rejected_is_417_and_nothing_is_written() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("P").await;
    let reply = api
        .post(
            &format!("/v2/projects/{project}/records"),
            r#"{"form": {}, "next_calldate": "soon"}"#,
        )
        .await;
    assert_eq!(reply.status, 417);
    assert_eq!(
        reply.body,
        json!({"response": {}, "errors": [{"index": 0, "errorcode": 417, "errormessage": "error.wrong_date_format"}]})
    );
    let reply = api
        .put(&format!("/v2/projects/{project}/records"), r#"{"elements": "x"}"#)
        .await;
    assert_eq!(reply.status, 417);
    assert_eq!(reply.body["errors"][0]["errormessage"], "error.missing_elements");
    assert_eq!(record_count(&api, project).await, 0);
}

#[tokio::test]
async fn unknown_project_record_and_value_are_404() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("P").await;
    let cases = [
        api.get("/v2/projects/999").await,
        api.get("/v2/projects/abc").await,
        api.post("/v2/projects/999/records", r#"{"form": {}}"#).await,
        api.get(&format!("/v2/projects/{project}/records/999")).await,
        api.put(&format!("/v2/projects/{project}/records/999"), r#"{"city": "x"}"#)
            .await,
        api.post(
            &format!("/v2/projects/{project}/records/999/dispositions"),
            r#"{"dispositionid": 1, "userid": "7"}"#,
        )
        .await,
        api.put(
            &format!("/v2/projects/{project}/records/999/contacts/1"),
            r#"{"phone": "3612345678"}"#,
        )
        .await,
        api.post(
            &format!("/v2/projects/{project}/fields/999/values"),
            r#"[{"name": "a"}]"#,
        )
        .await,
        api.delete(&format!("/v2/projects/{project}/fields/999/values/1")).await,
        api.delete("/v2/robinson/3612345678").await,
    ];
    for (i, reply) in cases.iter().enumerate() {
        assert_eq!(reply.status, 404, "case {i}: {}", reply.text);
        assert!(
            reply.body["errors"][0]["errormessage"]
                .as_str()
                .unwrap()
                .ends_with("_not_exists"),
            "case {i}"
        );
    }
}

#[tokio::test]
async fn oversized_bodies_are_413_and_write_nothing() {
    let db = Database::fresh();
    let server = Server::start_with(&db, &[("DIALBASE_BODY_LIMIT", "2048")]);
    let api = server.client();
    let project = api.project("P").await;
    let records: Vec<_> = (0..100)
        .map(|i| json!({"form": {"name": format!("record {i}")}}))
        .collect();
    let reply = api
        .post(&format!("/v2/projects/{project}/records"), &json!(records).to_string())
        .await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.body["errors"][0]["errormessage"], "error.request_too_large");
    assert_eq!(record_count(&api, project).await, 0);
}

#[tokio::test]
async fn credentials_are_required_and_checked() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let anonymous = crate::common::http_client()
        .get(format!("{}/mycc/v2/projects", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    let wrong = server.client_as("mycc", "mycc", "wrong-key").get("/v2/projects").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.body["errors"][0]["errormessage"], "error.unauthorized");
    let unknown_tenant = server.client_as("nobody", "mycc", KEY).get("/v2/projects").await;
    assert_eq!(unknown_tenant.status, 401);
}

#[tokio::test]
async fn the_host_header_names_the_tenant_without_a_path_prefix() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let project = server.client().project("By host").await;
    let reply = crate::common::http_client()
        .get(format!("{}/v2/projects", server.base))
        .header("host", "mycc.asp.example.com")
        .basic_auth("mycc", Some(KEY))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let body: serde_json::Value = serde_json::from_str(&reply.text().await.unwrap()).unwrap();
    assert_eq!(body["response"][0]["projectid"], project);
}

#[tokio::test]
async fn a_tenant_never_sees_another_tenants_data() {
    let db = Database::fresh();
    db.admin(&["key", "add", "other", "other", "--key", "other-key-123"]);
    let server = Server::start(&db);
    let mine = server.client();
    let project = mine.project("Mine").await;
    let id = mine.add_records(project, r#"{"form": {"name": "secret"}}"#).await[0];
    mine.post(
        &format!("/v2/projects/{project}/fields"),
        r#"{"name": "likes", "type": "multiple", "values": [{"name": "a"}]}"#,
    )
    .await;

    let theirs = server.client_as("other", "other", "other-key-123");
    assert_eq!(theirs.get("/v2/projects").await.body["response"], json!([]));
    let p = format!("/v2/projects/{project}");
    let attempts = [
        theirs.get(&p).await,
        theirs.get(&format!("{p}/records")).await,
        theirs.get(&format!("{p}/records/{id}")).await,
        theirs
            .post(&format!("{p}/records"), r#"{"form": {"name": "intruder"}}"#)
            .await,
        theirs
            .put(
                &format!("{p}/records"),
                &format!(r#"{{"elements": [{{"numberid": {id}, "form": {{"name": "x"}}}}]}}"#),
            )
            .await,
        theirs.put(&format!("{p}/records/{id}"), r#"{"name": "x"}"#).await,
        theirs
            .put(&format!("{p}/records/{id}/contacts/1"), r#"{"phone": "3612345678"}"#)
            .await,
        theirs
            .post(
                &format!("{p}/records/{id}/dispositions"),
                r#"{"dispositionid": 1, "userid": "7"}"#,
            )
            .await,
        theirs
            .put(
                &format!("{p}/records/dispositions"),
                &format!(r#"{{"elements": [{{"numberid": {id}, "dispositionid": 1, "userid": "7"}}]}}"#),
            )
            .await,
        theirs
            .post(&format!("{p}/fields"), r#"{"name": "x", "type": "text"}"#)
            .await,
        theirs.post(&format!("{p}/fields/1/values"), r#"[{"name": "b"}]"#).await,
        theirs.put(&format!("{p}/fields/1/values/1"), r#"{"name": "b"}"#).await,
        theirs.delete(&format!("{p}/fields/1/values/1")).await,
    ];
    for (i, reply) in attempts.iter().enumerate() {
        assert_eq!(reply.status, 404, "attempt {i}: {}", reply.text);
    }
    // Their key on my prefix is not a key of mine.
    assert_eq!(
        server
            .client_as("mycc", "other", "other-key-123")
            .get("/v2/projects")
            .await
            .status,
        401
    );
    let record = mine.get(&format!("{p}/records/{id}")).await.body;
    assert_eq!(record["response"]["values"]["name"], "secret");
    assert!(record["response"]["events"].as_array().unwrap().is_empty());
    let schema = mine.get(&p).await.body;
    assert_eq!(schema["response"]["fields"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn data_survives_a_restart_unchanged() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Durable").await;
    let body = include_str!("fixtures/vcc_add_records.json");
    let ids = api.post(&format!("/v2/projects/{project}/records"), body).await.body["response"].clone();
    api.post("/v2/robinson", r#"{"phone": "449997400"}"#).await;
    let before = api.get(&format!("/v2/projects/{project}/records")).await.body;
    let schema_before = api.get(&format!("/v2/projects/{project}")).await.body;
    server.stop();

    let server = Server::start(&db);
    let api = server.client();
    let after = api.get(&format!("/v2/projects/{project}/records")).await.body;
    assert_eq!(after, before);
    assert_eq!(api.get(&format!("/v2/projects/{project}")).await.body, schema_before);
    assert_eq!(
        after["response"].as_array().unwrap().len(),
        ids.as_array().unwrap().len()
    );
    assert_eq!(after["response"][1]["robinson"], true);
}
