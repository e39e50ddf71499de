//! Batch updates on every backend (docs/storage.md): the elements apply in order, each
//! seeing what the earlier ones changed, however many records a search reaches.

use crate::common::{Database, Server};
use serde_json::{Value, json};

#[tokio::test]
async fn batch_elements_apply_in_order_across_chunks_of_a_large_search() {
    const RECORDS: usize = 4_500; // more than one chunk of loaded rows
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Batches").await;
    let records: Vec<Value> = (0..RECORDS)
        .map(|i| json!({"form": {"group": "a", "n": i.to_string()}}))
        .collect();
    let ids = api.add_records(project, &Value::Array(records).to_string()).await;
    let (first, last) = (ids[0], ids[RECORDS - 1]);

    let path = format!("/v2/projects/{project}/records");
    let body = json!({"elements": [
        {"search": {"group": "a"}, "form": {"group": "b", "tag": "new"}},
        {"search": {"group": "b"}, "form": {"stage": "2"}},
        // Two elements setting a field the project does not have yet, on one record.
        {"numberid": first, "form": {"fresh": "x"}},
        {"numberid": first, "form": {"fresh": "y", "other": "z"}},
    ]});
    let reply = api.put(&path, &body.to_string()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body,
        json!({"errors": [], "response": {"0": true, "1": true, "2": true, "3": true}})
    );

    let total = |query: &'static str| {
        let (api, path) = (&api, &path);
        async move { api.get(&format!("{path}?{query}")).await.headers["X-Total-Count"].clone() }
    };
    assert_eq!(
        total("stage=2").await,
        RECORDS.to_string().as_str(),
        "the second search saw the first"
    );
    assert_eq!(total("group=a").await, "0");
    let values = |id: i64| {
        let (api, path) = (&api, &path);
        async move { api.get(&format!("{path}/{id}")).await.body["response"]["values"].clone() }
    };
    assert_eq!(
        values(first).await,
        json!({"group": "b", "n": "0", "tag": "new", "stage": "2", "fresh": "y", "other": "z"})
    );
    assert_eq!(values(last).await["stage"], "2");
}
