//! Issue 14, item 3: list value names are case-insensitive. `budapest` names the value
//! `Budapest` (the first spelling is kept) when written, searched and added; a database from
//! before, holding two spellings of one name, keeps working (the lowest id is the one meant).

use crate::common::{Client, Database, Server};
use serde_json::{Value, json};

async fn add_field(api: &Client, project: i64, field: Value) -> i64 {
    let reply = api
        .post(&format!("/v2/projects/{project}/fields"), &field.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["response"].as_i64().unwrap()
}

async fn values(api: &Client, project: i64, field: &str) -> Vec<(i64, String)> {
    let schema = api.get(&format!("/v2/projects/{project}")).await.body;
    let fields = schema["response"]["fields"].as_array().unwrap();
    let field = fields.iter().find(|f| f["name"] == field).unwrap();
    field["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["valueid"].as_i64().unwrap(), v["name"].as_str().unwrap().to_string()))
        .collect()
}

async fn record(api: &Client, project: i64, id: i64) -> Value {
    api.get(&format!("/v2/projects/{project}/records/{id}")).await.body["response"].clone()
}

async fn found(api: &Client, project: i64, query: &str) -> Vec<i64> {
    let reply = api.get(&format!("/v2/projects/{project}/records?{query}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["numberid"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn names_differing_only_in_case_are_one_value_keeping_the_first_spelling() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Cities").await;
    let city = add_field(&api, project, json!({"name": "city", "type": "simple"})).await;
    add_field(
        &api,
        project,
        json!({"name": "likes", "type": "multiple", "indexed": "yes"}),
    )
    .await;

    // In one request and across requests: one value, spelled as first written.
    let ids = api
        .add_records(
            project,
            r#"[{"form": {"city": "Budapest", "likes": "Sports|SPORTS|movies"}}, {"form": {"city": "budapest", "likes": ["sports", "Movies"]}}]"#,
        )
        .await;
    let later = api
        .add_records(project, r#"{"form": {"city": "BUDAPEST", "likes": "MOVIES"}}"#)
        .await[0];
    let cities = values(&api, project, "city").await;
    assert_eq!(cities.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(), ["Budapest"]);
    let likes = values(&api, project, "likes").await;
    assert_eq!(
        likes.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
        ["Sports", "movies"]
    );
    for id in [ids[0], ids[1], later] {
        assert_eq!(record(&api, project, id).await["data"]["city"], json!(cities[0].0));
    }
    assert_eq!(record(&api, project, ids[0]).await["values"]["likes"], "Sports|movies");

    // Searches and filters by value name ignore case too (indexed or not).
    assert_eq!(found(&api, project, "city=bUdApEsT").await, [ids[0], ids[1], later]);
    assert_eq!(found(&api, project, "likes=SPORTS").await, [ids[0], ids[1]]);
    let batch = json!({"elements": [{"search": {"city": "budapest"}, "form": {"note": "seen"}}]});
    let reply = api
        .put(&format!("/v2/projects/{project}/records"), &batch.to_string())
        .await;
    assert_eq!(reply.body, json!({"errors": [], "response": {"0": true}}));
    assert_eq!(found(&api, project, "note=seen").await.len(), 3);

    // Adding or renaming to another spelling of a taken name is refused, naming the property.
    let reply = api
        .post(
            &format!("/v2/projects/{project}/fields/{city}/values"),
            r#"[{"name": "Pécs"}, {"name": "budapest"}, {"name": "PÉCS"}]"#,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let exists = |index| json!({"index": index, "errorcode": 417, "errormessage": "error.value_name_already_exists", "property": "name"});
    assert_eq!(reply.body["errors"], json!([exists(1), exists(2)]));
    let pecs = reply.body["response"]["0"].as_i64().unwrap();
    let reply = api
        .put(
            &format!("/v2/projects/{project}/fields/{city}/values/{pecs}"),
            r#"{"name": "BUDAPEST"}"#,
        )
        .await;
    assert_eq!(reply.status, 417);
    assert_eq!(reply.body["errors"], json!([exists(0)]));
    // Its own name in another case is a rename.
    let reply = api
        .put(
            &format!("/v2/projects/{project}/fields/{city}/values/{pecs}"),
            r#"{"name": "PÉCS"}"#,
        )
        .await;
    assert_eq!(reply.body, json!({"errors": [], "response": true}));
    let field = json!({"name": "size", "type": "simple", "values": [{"name": "Large"}, {"name": "large"}]});
    let reply = api
        .post(&format!("/v2/projects/{project}/fields"), &field.to_string())
        .await;
    assert_eq!(
        reply.body["errors"][0]["errormessage"],
        "error.value_name_already_exists"
    );
}

/// A database written before names were case-insensitive may hold `Budapest` and
/// `budapest` as two values of one field: records keep the value they hold, a name
/// written now means the lowest id, and a search by the name finds both.
#[tokio::test]
async fn old_values_differing_only_in_case_keep_working() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Old").await;
    let field = json!({"name": "city", "type": "simple", "values": [{"name": "Budapest"}, {"name": "Pest"}]});
    add_field(&api, project, field).await;
    let ids = api
        .add_records(
            project,
            r#"[{"form": {"city": "Budapest"}}, {"form": {"city": "Pest"}}]"#,
        )
        .await;
    let before = values(&api, project, "city").await;
    let (lowest, other) = (before[0].0, before[1].0);
    server.stop();
    // What an older server let in: the second value renamed to another spelling of the first.
    db.execute(&format!("UPDATE field_values SET name = 'budapest' WHERE id = {other}"));

    let server = Server::start(&db);
    let api = server.client();
    let held = record(&api, project, ids[1]).await;
    assert_eq!(
        (&held["data"]["city"], &held["values"]["city"]),
        (&json!(other), &json!("budapest"))
    );
    // Written back, it keeps its value; written by name, it takes the lowest id.
    let reply = api
        .put(
            &format!("/v2/projects/{project}/records/{}", ids[1]),
            &held["data"].to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(record(&api, project, ids[1]).await["data"]["city"], json!(other));
    let new = api.add_records(project, r#"{"form": {"city": "BUDAPEST"}}"#).await[0];
    assert_eq!(record(&api, project, new).await["data"]["city"], json!(lowest));
    assert_eq!(found(&api, project, "city=Budapest").await, [ids[0], ids[1], new]);
    assert_eq!(
        values(&api, project, "city").await.len(),
        2,
        "nothing merged, nothing lost"
    );
}
