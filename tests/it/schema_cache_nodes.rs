//! Two nodes on one database (docs/storage.md, the schema cache): a node that has read a
//! project's schema shows another node's change of it at once.

use crate::common::{Client, Database, Server};
use serde_json::{Value, json};

async fn values(api: &Client, path: &str) -> Value {
    api.get(path).await.body["response"]["values"].clone()
}

#[tokio::test]
async fn a_node_shows_the_schema_changes_another_node_made() {
    let db = Database::fresh();
    let (a, b) = (Server::start(&db), Server::start(&db));
    let (a, b) = (a.client(), b.client());
    let project = a.project("Cached").await;
    let body = json!({"name": "city", "type": "simple", "values": [{"name": "London"}]});
    let field = a
        .post(&format!("/v2/projects/{project}/fields"), &body.to_string())
        .await;
    let field = field.body["response"].as_i64().expect("field id");
    let id = a.add_records(project, r#"{"form": {"city": "London"}}"#).await[0];
    let path = format!("/v2/projects/{project}/records/{id}");
    assert_eq!(
        values(&a, &path).await,
        json!({"city": "London"}),
        "a has read the schema"
    );

    let project_view = b.get(&format!("/v2/projects/{project}")).await.body;
    let london = project_view["response"]["fields"][0]["values"][0]["valueid"]
        .as_i64()
        .unwrap();
    let renamed = b
        .put(
            &format!("/v2/projects/{project}/fields/{field}/values/{london}"),
            r#"{"name": "Paris"}"#,
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(
        values(&a, &path).await,
        json!({"city": "Paris"}),
        "a follows b's rename"
    );

    let reply = b
        .put(
            &format!("/v2/projects/{project}/records/{id}"),
            r#"{"form": {"note": "new field"}}"#,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        values(&a, &path).await,
        json!({"city": "Paris", "note": "new field"}),
        "a shows b's new field"
    );
}
