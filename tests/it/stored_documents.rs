//! Records stored as JSON text (before SQLite stored JSONB) and as JSONB (before the packed
//! format): the migrations leave old rows as they are. They are read, found by an exact
//! value (also one JSON escapes), and modified (the edited document is written packed).

use crate::common::{Database, Server};
use serde_json::{Value, json};

#[tokio::test]
async fn records_of_earlier_formats_are_read_found_and_modified() {
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
    // The documents as the earlier versions wrote them: JSON text, and SQLite's JSONB of it.
    let field = |name: &str| {
        db.number(&format!(
            "SELECT id FROM fields WHERE project_id = {project} AND name = '{name}'"
        ))
    };
    let (name, city, phone1) = (field("name"), field("city"), field("phone1"));
    let first_form = json!({name.to_string(): quoted, city.to_string(): "Pécs", phone1.to_string(): "36301234567"});
    let second_form = json!({name.to_string(): "Bob", city.to_string(): "Győr"});
    let text = |value: &Value| value.to_string().replace('\'', "''");
    db.execute(&format!(
        "UPDATE records SET data = '{}', contacts = '{{\"1\":[null,\"Ann\",\"36301234567\",null]}}' WHERE id = {}",
        text(&first_form),
        ids[0]
    ));
    db.execute(&format!(
        "UPDATE records SET data = jsonb('{}') WHERE id = {}",
        text(&second_form),
        ids[1]
    ));
    assert_eq!(db.number("SELECT count(*) FROM records WHERE typeof(data) = 'text'"), 1);

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
    assert_eq!(found("city=Gy%C5%91r".into()).await, [ids[1]]);
    // A batch modification writes the edited text document packed (its first byte 0).
    let modify = json!({"elements": [{"search": {"city": "Pécs"}, "form": {"city": "Szeged"}}]});
    let reply = api
        .put(&format!("/v2/projects/{project}/records"), &modify.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let packed = format!(
        "SELECT count(*) FROM records WHERE id = {} AND hex(substr(data, 1, 1)) = '00'",
        ids[0]
    );
    assert_eq!(db.number(&packed), 1);
    assert_eq!(found(by_name()).await, [ids[0]]);
    assert_eq!(found("city=Szeged".into()).await, [ids[0]]);
    let first: Value = record(ids[0]).await;
    assert_eq!(
        (first["values"]["name"].as_str(), first["values"]["city"].as_str()),
        (Some(quoted), Some("Szeged"))
    );
    let second = record(ids[1]).await;
    assert_eq!(
        (second["values"]["name"].as_str(), second["values"]["city"].as_str()),
        (Some("Bob"), Some("Győr"))
    );
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
