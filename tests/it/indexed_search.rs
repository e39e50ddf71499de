//! Fields declared `"indexed": "yes"` are searched through an index; every search must
//! answer exactly as on the same data without the index. Two projects get the same fields
//! (one indexed, one not) and the same writes; every query is asked of both.

use crate::common::{Client, Database, Server};
use serde_json::{Value, json};

const FIELDS: [(&str, &str, &[&str]); 4] = [
    ("city", "text", &[]),
    ("segment", "simple", &["S1", "S2", "S3"]),
    ("tags", "multiple", &["red", "green", "blue"]),
    ("notes", "text", &[]),
];

async fn project(api: &Client, name: &str, indexed: bool) -> i64 {
    let project = api.project(name).await;
    for (field, kind, values) in FIELDS {
        let values: Vec<Value> = values.iter().map(|v| json!({"name": v})).collect();
        let flag = if indexed && field != "notes" { "yes" } else { "no" };
        let body = json!({"name": field, "type": kind, "indexed": flag, "values": values});
        let reply = api
            .post(&format!("/v2/projects/{project}/fields"), &body.to_string())
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let schema = api.get(&format!("/v2/projects/{project}")).await;
    let flags: Vec<&str> = schema.body["response"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["indexed"].as_str().unwrap())
        .collect();
    let expected = if indexed {
        ["yes", "yes", "yes", "no"]
    } else {
        ["no"; 4]
    };
    assert_eq!(flags, expected);
    project
}

/// (numberids in order, X-Total-Count) of a list query.
async fn list(api: &Client, project: i64, query: &str) -> (Vec<Value>, String) {
    let reply = api
        .get(&format!("/v2/projects/{project}/records?limit=1000&{query}"))
        .await;
    assert_eq!(reply.status, 200, "{query}: {}", reply.text);
    let ids = reply.body["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!([r["numberid"], r["values"]]))
        .collect();
    (ids, reply.headers["X-Total-Count"].to_str().unwrap().to_string())
}

async fn same_answers(api: &Client, indexed: i64, plain: i64, queries: &[&str]) {
    for query in queries {
        let (with_index, without) = (list(api, indexed, query).await, list(api, plain, query).await);
        assert_eq!(with_index.1, without.1, "count of {query}");
        let strip = |rows: &[Value]| rows.iter().map(|r| r[1].clone()).collect::<Vec<_>>();
        assert_eq!(strip(&with_index.0), strip(&without.0), "rows of {query}");
    }
}

#[tokio::test]
async fn indexed_fields_answer_every_search_as_unindexed_ones_do() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let (indexed, plain) = (
        project(&api, "indexed", true).await,
        project(&api, "plain", false).await,
    );
    let records: Vec<Value> = (0..40)
        .map(|i| {
            let city = ["London", "london", "Berlin", "Lon_don", "Pécs"][i % 5];
            let tags = ["red", "red|green", "blue", "", "green|blue"][i % 5];
            json!({"form": {"city": city, "segment": format!("S{}", i % 3 + 1), "tags": tags, "notes": format!("n{}", i % 4)}})
        })
        .collect();
    let body = Value::Array(records).to_string();
    for project in [indexed, plain] {
        assert_eq!(api.add_records(project, &body).await.len(), 40);
    }
    let queries = [
        "city=London",
        "city=london",
        "city=lon%",
        "city=Lon_don",
        "city=Lon%25don",
        "city=P%C3%A9cs",
        "city=%25",
        "city=Nowhere",
        "segment=S1",
        "segment=s%25",
        "segment=S9",
        "tags=red",
        "tags=%25e%25",
        "city=London&segment=S2",
        "city=London&notes=n0",
        "segment=S3&tags=blue",
        "notes=n1&city=B%25",
    ];
    same_answers(&api, indexed, plain, &queries).await;

    // Writes keep the index in step: batch modification by search, a renamed and a
    // deleted list value, a cleared field.
    for project in [indexed, plain] {
        let batch = json!({"elements": [
            {"search": {"city": "London"}, "form": {"city": "Paris", "tags": "blue"}},
            {"search": {"segment": "S2"}, "form": {"city": null}},
        ]});
        let reply = api
            .put(&format!("/v2/projects/{project}/records"), &batch.to_string())
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let schema = api.get(&format!("/v2/projects/{project}")).await.body["response"].clone();
        let field = |name: &str| {
            schema["fields"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["name"] == name)
                .unwrap()
                .clone()
        };
        let value = |field: &Value, name: &str| {
            field["values"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["name"] == name)
                .unwrap()["valueid"]
                .clone()
        };
        let (segment, tags) = (field("segment"), field("tags"));
        let rename = format!(
            "/v2/projects/{project}/fields/{}/values/{}",
            segment["fieldid"],
            value(&segment, "S1")
        );
        assert_eq!(api.put(&rename, r#"{"name": "Gold"}"#).await.status, 200);
        let delete = format!(
            "/v2/projects/{project}/fields/{}/values/{}",
            tags["fieldid"],
            value(&tags, "red")
        );
        assert_eq!(api.delete(&delete).await.status, 200);
    }
    let after = [
        "city=Paris",
        "city=London",
        "city=lon%",
        "segment=Gold",
        "segment=S1",
        "tags=red",
        "tags=blue",
        "tags=%25",
    ];
    same_answers(&api, indexed, plain, &after).await;
    let (paris, count) = list(&api, indexed, "city=Paris").await;
    assert!(!paris.is_empty() && count == paris.len().to_string());
}
