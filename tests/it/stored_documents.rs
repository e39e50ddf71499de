//! Records stored as JSON text, as before SQLite stored JSONB (the migration leaves old
//! rows as they are): read, found by an exact value (also one JSON escapes), and modified
//! (SQLite's edit turns the document into JSONB, escaped texts kept escaped).

use crate::common::{Database, Server};
use serde_json::{Value, json};

#[tokio::test]
async fn records_stored_as_json_text_are_read_found_and_modified() {
    let db = Database::fresh();
    if db.is_postgres() {
        return;
    }
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Old rows").await;
    let quoted = "Ann \"the\" \\ Tab\t";
    let body = json!([
        {"form": {"name": quoted, "city": "Pécs"}, "contacts": {"1": {"name": "Ann", "phone": "36301234567"}}},
        {"form": {"name": "Bob", "city": "Győr"}},
    ]);
    let ids = api.add_records(project, &body.to_string()).await;
    server.stop();
    db.execute("UPDATE records SET data = json(data), contacts = json(contacts)");
    assert_eq!(db.number("SELECT count(*) FROM records WHERE typeof(data) = 'text'"), 2);

    let server = Server::start(&db);
    let api = server.client();
    let record = |id: i64| {
        let api = &api;
        async move { api.get(&format!("/v2/projects/{project}/records/{id}")).await.body["response"].clone() }
    };
    let first = record(ids[0]).await;
    assert_eq!(first["values"]["name"], quoted, "{first}");
    assert_eq!(first["contacts"]["phone1"]["phone"], "36301234567", "{first}");
    let found = |query: String| {
        let api = &api;
        async move {
            let page = api.get(&format!("/v2/projects/{project}/records?{query}")).await;
            let records: Vec<i64> = page.body["response"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["numberid"].as_i64().unwrap())
                .collect();
            records
        }
    };
    let by_name = || format!("name={}", urlencoding(quoted));
    assert_eq!(found(by_name()).await, [ids[0]]);
    // A batch modification edits the text document into JSONB.
    let modify = json!({"elements": [{"search": {"city": "Pécs"}, "form": {"city": "Szeged"}}]});
    let reply = api
        .put(&format!("/v2/projects/{project}/records"), &modify.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(db.number("SELECT count(*) FROM records WHERE typeof(data) = 'blob'"), 1);
    assert_eq!(found(by_name()).await, [ids[0]]);
    assert_eq!(found("city=Szeged".into()).await, [ids[0]]);
    let first: Value = record(ids[0]).await;
    assert_eq!(
        (first["values"]["name"].as_str(), first["values"]["city"].as_str()),
        (Some(quoted), Some("Szeged"))
    );
    assert_eq!(record(ids[1]).await["values"]["city"], "Győr");
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
