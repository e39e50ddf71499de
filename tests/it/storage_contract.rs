//! What every storage backend must do alike, run on SQLite and (with
//! DIALBASE_TEST_POSTGRES) on PostgreSQL: several nodes on one database, concurrent
//! batches, search semantics, bulk imports and text no backend may store.

use crate::common::{Database, Server};
use serde_json::{Value, json};

#[tokio::test]
async fn nodes_started_together_migrate_once_and_share_one_database() {
    let db = Database::fresh();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Server::start(&db));
        let b = s.spawn(|| Server::start(&db));
        (a.join().expect("node a"), b.join().expect("node b"))
    });
    let (a, b) = (a.client(), b.client());
    let project = a.project("Shared").await;
    let path = format!("/v2/projects/{project}/records");
    let first = a
        .post(&path, r#"{"form": {"name": "Anna", "phone1": "3619990000"}}"#)
        .await;
    assert_eq!(first.body["errors"], json!([]));
    let second = b.post(&path, r#"{"form": {"name": "Bob"}}"#).await;
    assert_eq!(second.body["errors"], json!([]));

    let listed = b.get(&path).await;
    assert_eq!(listed.headers["X-Total-Count"], "2");
    let robinson = a.post("/v2/robinson", r#"{"phone": "3619990000"}"#).await;
    assert_eq!(robinson.status, 200, "{}", robinson.text);
    let anna = first.body["response"][0].as_i64().unwrap();
    let record = b.get(&format!("{path}/{anna}")).await;
    assert_eq!(
        record.body["response"]["robinson"], true,
        "node b sees node a's listing"
    );
}

#[tokio::test]
async fn concurrent_batches_on_the_same_records_through_two_nodes_all_apply() {
    const RECORDS: i64 = 10;
    const BATCHES: usize = 8;
    let db = Database::fresh();
    let (a, b) = (Server::start(&db), Server::start(&db));
    let api = a.client();
    let project = api.project("Busy").await;
    let path = format!("/v2/projects/{project}/records");
    let records: Vec<Value> = (0..RECORDS)
        .map(|i| json!({"form": {"note": format!("new {i}")}}))
        .collect();
    let ids = api.post(&path, &Value::Array(records).to_string()).await.body["response"].clone();
    let ids: Vec<i64> = ids.as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();

    let mut tasks = Vec::new();
    for batch in 0..BATCHES {
        let client = if batch % 2 == 0 { a.client() } else { b.client() };
        // Opposite orders on alternate batches: the backends must still not fail one.
        let mut order = ids.clone();
        if batch % 2 == 1 {
            order.reverse();
        }
        let elements: Vec<Value> = order
            .iter()
            .map(|id| json!({"numberid": id, "form": {"note": format!("batch {batch}"), "tags": "x|y"}}))
            .collect();
        let body = json!({ "elements": elements }).to_string();
        let path = path.clone();
        tasks.push(tokio::spawn(async move { client.put(&path, &body).await }));
    }
    for task in tasks {
        let reply = task.await.expect("request task");
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body["errors"], json!([]));
    }
    for id in ids {
        let record = api.get(&format!("{path}/{id}")).await.body;
        let note = record["response"]["values"]["note"].as_str().unwrap().to_string();
        assert!(note.starts_with("batch "), "one batch's value, not a mix: {note}");
        assert_eq!(record["response"]["values"]["tags"], "x|y");
    }
}

#[tokio::test]
async fn search_wildcards_fold_ascii_case_and_underscore_is_literal() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Search").await;
    let path = format!("/v2/projects/{project}/records");
    let names = ["Peter Green", "peter_green", "GREEN", "Grün", "Green%"];
    let records: Vec<Value> = names.iter().map(|n| json!({"form": {"name": n}})).collect();
    api.post(&path, &Value::Array(records).to_string()).await;

    let found = |query: &'static str| {
        let api = &api;
        let path = &path;
        async move {
            let reply = api.get(&format!("{path}?name={query}")).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            let mut names: Vec<String> = reply.body["response"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["values"]["name"].as_str().unwrap().to_string())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(
        found("%25green%25").await,
        ["GREEN", "Green%", "Peter Green", "peter_green"]
    );
    assert_eq!(found("%25r_g%25").await, ["peter_green"], "_ matches only itself");
    assert_eq!(found("GREEN").await, ["GREEN"], "without a wildcard the match is exact");
    assert_eq!(found("green").await, Vec::<String>::new());
    assert_eq!(
        found("GR%C3%9CN%25").await,
        Vec::<String>::new(),
        "only ASCII case folds: Ü is not ü"
    );
    assert_eq!(found("GR%C3%BCN%25").await, ["Grün"]);
}

#[tokio::test]
async fn a_record_holding_a_nul_character_is_rejected_by_index_and_the_rest_stored() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Text").await;
    let path = format!("/v2/projects/{project}/records");
    let body =
        r#"[{"form": {"name": "a"}}, {"form": {"name": "b\u0000", "extra": "new field"}}, {"form": {"name": "c"}}]"#;
    let reply = api.post(&path, body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body["errors"],
        json!([{"index": 1, "errorcode": 417, "errormessage": "error.invalid_character"}])
    );
    let stored = reply.body["response"].as_object().unwrap();
    assert_eq!(
        stored.keys().collect::<Vec<_>>(),
        ["0", "2"],
        "ids keyed by request index"
    );
    let fields = api.field_names(project).await;
    assert_eq!(fields, ["name"], "the rejected record created no field");

    let update = json!({"elements": [{"numberid": reply.body["response"]["0"], "form": {"name": "x\u{0}"}}]});
    let reply = api.put(&path, &update.to_string()).await;
    assert_eq!(reply.status, 417);
    assert_eq!(reply.body["errors"][0]["errormessage"], "error.invalid_character");
}

#[tokio::test]
async fn a_large_import_is_stored_whole_with_consecutive_ids() {
    const COUNT: usize = 2000;
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Import").await;
    api.post(
        &format!("/v2/projects/{project}/fields"),
        r#"{"name": "likes", "type": "multiple"}"#,
    )
    .await;
    let records: Vec<Value> = (0..COUNT)
        .map(|i| {
            json!({
                "form": {"name": format!("Caller {i}"), "likes": if i % 2 == 0 { "sports|books" } else { "movies" }},
                "contacts": {"1": {"name": format!("Caller {i}"), "phone": format!("36199{i:05}")}},
            })
        })
        .collect();
    let path = format!("/v2/projects/{project}/records");
    let reply = api.post(&path, &Value::Array(records).to_string()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let ids: Vec<i64> = reply.body["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), COUNT);
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "ids follow input order");

    let last = api.get(&format!("{path}/{}", ids[COUNT - 1])).await.body;
    assert_eq!(last["response"]["values"]["name"], format!("Caller {}", COUNT - 1));
    assert_eq!(last["response"]["values"]["likes"], "movies");
    assert_eq!(
        last["response"]["contacts"]["phone1"]["phone"],
        format!("36199{:05}", COUNT - 1)
    );
    let sporty = api.get(&format!("{path}?likes=sports&limit=1")).await;
    assert_eq!(sporty.headers["X-Total-Count"], (COUNT / 2).to_string().as_str());
    let page = api.get(&format!("{path}?offset={}&limit=1000", COUNT - 10)).await;
    assert_eq!(page.body["response"].as_array().unwrap().len(), 10);
    assert_eq!(page.body["response"][9]["numberid"], ids[COUNT - 1]);
}

#[tokio::test]
async fn repeated_value_names_are_reported_by_index_and_the_others_kept() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Values").await;
    let field = api
        .post(
            &format!("/v2/projects/{project}/fields"),
            r#"{"name": "city", "type": "simple", "values": [{"name": "Pécs"}]}"#,
        )
        .await
        .body["response"]
        .as_i64()
        .unwrap();
    let values = r#"[{"name": "Budapest", "price": "10"}, {"name": "Pécs"}, {"name": "Szeged"}, {"name": "Budapest"}]"#;
    let reply = api
        .post(&format!("/v2/projects/{project}/fields/{field}/values"), values)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let errors: Vec<(u64, &str)> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["index"].as_u64().unwrap(), e["errormessage"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (1, "error.value_name_already_exists"),
            (3, "error.value_name_already_exists")
        ]
    );
    let schema = api.get(&format!("/v2/projects/{project}")).await.body;
    let names: Vec<&str> = schema["response"]["fields"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Pécs", "Budapest", "Szeged"]);
}

#[tokio::test]
async fn nul_characters_in_names_are_refused_and_elsewhere_change_nothing_on_failure() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Atomic").await;
    let path = format!("/v2/projects/{project}/fields");
    let reply = api
        .post(
            &path,
            r#"{"name": "likes", "type": "multiple", "values": [{"name": "ok"}, {"name": "bad\u0000"}]}"#,
        )
        .await;
    assert_eq!(reply.status, 417, "{}", reply.text);
    assert_eq!(reply.body["errors"][0]["errormessage"], "error.invalid_character");

    // A NUL in a description is stored by SQLite; PostgreSQL refuses it in the
    // database, and the failed request must leave nothing behind.
    let reply = api
        .post(
            &path,
            r#"{"name": "likes", "type": "multiple", "values": [{"name": "ok"}, {"name": "x", "description": "bad\u0000"}]}"#,
        )
        .await;
    let schema = api.get(&format!("/v2/projects/{project}")).await.body;
    if db.is_postgres() {
        assert_eq!(reply.status, 417, "{}", reply.text);
        assert_eq!(reply.body["errors"][0]["errormessage"], "error.invalid_character");
        assert_eq!(schema["response"]["fields"], json!([]));
    } else {
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(schema["response"]["fields"][0]["values"][1]["description"], "bad\u{0}");
    }
}
