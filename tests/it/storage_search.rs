//! Search and list values on every backend (docs/storage.md): an indexed field (searched
//! through `record_terms` on Storage v2) finds what an unindexed twin (searched in the
//! documents) finds, and both follow updates, renamed and deleted values.

use crate::common::{Client, Database, Server};
use serde_json::{Value, json};

/// Adds a field; returns its id.
async fn field(api: &Client, project: i64, body: Value) -> i64 {
    let reply = api
        .post(&format!("/v2/projects/{project}/fields"), &body.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["response"].as_i64().expect("field id")
}

/// The id of a list field's value.
async fn value_id(api: &Client, project: i64, field: &str, value: &str) -> i64 {
    let reply = api.get(&format!("/v2/projects/{project}")).await;
    let fields = reply.body["response"]["fields"].as_array().expect("fields").clone();
    let field = fields.iter().find(|f| f["name"] == field).expect("field");
    let values = field["values"].as_array().expect("values");
    let value = values.iter().find(|v| v["name"] == value).expect("value");
    value["valueid"].as_i64().expect("value id")
}

/// The ids the search finds on `indexed` and on its unindexed `twin`, which must agree.
async fn found(api: &Client, project: i64, (indexed, twin): (&str, &str), text: &str) -> Vec<i64> {
    let mut answers = Vec::new();
    for name in [indexed, twin] {
        let query = format!("{name}={}", text.replace('%', "%25"));
        let reply = api.get(&format!("/v2/projects/{project}/records?{query}")).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let records = reply.body["response"].as_array().expect("records").iter();
        answers.push(records.map(|r| r["numberid"].as_i64().unwrap()).collect::<Vec<_>>());
    }
    assert_eq!(answers[0], answers[1], "{indexed} and {twin} on {text:?}");
    answers.remove(0)
}

#[tokio::test]
async fn indexed_and_unindexed_fields_find_the_same_records() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Search").await;
    let list = |name: &str, indexed: &str| {
        json!({"name": name, "type": "simple", "indexed": indexed,
               "values": [{"name": "Gold"}, {"name": "Silver"}]})
    };
    field(&api, project, json!({"name": "code", "type": "text", "indexed": "yes"})).await;
    field(&api, project, json!({"name": "note", "type": "text"})).await;
    let tier = field(&api, project, list("tier", "yes")).await;
    let level = field(&api, project, list("level", "no")).await;
    let body = json!([
        {"form": {"code": "AB_1", "note": "AB_1", "tier": "Gold", "level": "Gold"}},
        {"form": {"code": "ab-2", "note": "ab-2", "tier": "Silver", "level": "Silver"}},
        {"form": {"code": "Grün", "note": "Grün"}},
    ]);
    let ids = api.add_records(project, &body.to_string()).await;
    let (texts, lists) = (("code", "note"), ("tier", "level"));

    assert_eq!(found(&api, project, texts, "AB_1").await, [ids[0]]);
    assert_eq!(
        found(&api, project, texts, "ab_1").await,
        Vec::<i64>::new(),
        "exact is exact"
    );
    assert_eq!(found(&api, project, texts, "ab%").await, [ids[0], ids[1]]);
    assert_eq!(found(&api, project, texts, "%b_1").await, [ids[0]], "_ is no wildcard");
    assert_eq!(found(&api, project, texts, "a_%").await, Vec::<i64>::new());
    assert_eq!(
        found(&api, project, texts, "%GRÜN%").await,
        Vec::<i64>::new(),
        "ASCII folds only"
    );
    assert_eq!(found(&api, project, texts, "gr%").await, [ids[2]]);
    assert_eq!(found(&api, project, lists, "Gold").await, [ids[0]]);
    assert_eq!(found(&api, project, lists, "%L%").await, [ids[0], ids[1]]);
    assert_eq!(found(&api, project, lists, "Bronze").await, Vec::<i64>::new());

    let path = format!("/v2/projects/{project}/records/{}", ids[0]);
    let reply = api
        .put(
            &path,
            r#"{"form": {"tier": "Silver", "level": "Silver", "code": "CD", "note": "CD"}}"#,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(found(&api, project, lists, "Silver").await, [ids[0], ids[1]]);
    assert_eq!(found(&api, project, lists, "Gold").await, Vec::<i64>::new());
    assert_eq!(found(&api, project, texts, "AB_1").await, Vec::<i64>::new());
    assert_eq!(found(&api, project, texts, "cd").await, Vec::<i64>::new());
    assert_eq!(found(&api, project, texts, "CD").await, [ids[0]]);

    for (field, name) in [(tier, "tier"), (level, "level")] {
        let silver = value_id(&api, project, name, "Silver").await;
        let values = format!("/v2/projects/{project}/fields/{field}/values/{silver}");
        let renamed = api.put(&values, r#"{"name": "Platinum"}"#).await;
        assert_eq!(renamed.status, 200, "{}", renamed.text);
    }
    assert_eq!(found(&api, project, lists, "Platinum").await, [ids[0], ids[1]]);
    assert_eq!(found(&api, project, lists, "Silver").await, Vec::<i64>::new());
    for (field, name) in [(tier, "tier"), (level, "level")] {
        let platinum = value_id(&api, project, name, "Platinum").await;
        let deleted = api
            .delete(&format!("/v2/projects/{project}/fields/{field}/values/{platinum}"))
            .await;
        assert_eq!(deleted.status, 200, "{}", deleted.text);
    }
    assert_eq!(found(&api, project, lists, "%").await, Vec::<i64>::new());
    let record = api.get(&path).await.body["response"]["values"].clone();
    assert_eq!(
        record,
        json!({"code": "CD", "note": "CD"}),
        "deleted values leave the records"
    );
}

#[tokio::test]
async fn a_renamed_or_deleted_phone_value_moves_the_robinson_flag() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Phones").await;
    let body = json!({"name": "phone3", "type": "simple", "values": [{"name": "3677777777"}]});
    let phone3 = field(&api, project, body).await;
    let id = api.add_records(project, r#"{"form": {"phone3": "3677777777"}}"#).await[0];
    let reply = api.post("/v2/robinson", r#"{"phone": "3688888888"}"#).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let robinson = || async {
        api.get(&format!("/v2/projects/{project}/records/{id}")).await.body["response"]["robinson"].clone()
    };
    assert_eq!(robinson().await, false);

    let value = value_id(&api, project, "phone3", "3677777777").await;
    let path = format!("/v2/projects/{project}/fields/{phone3}/values/{value}");
    let renamed = api.put(&path, r#"{"name": "3688888888"}"#).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(robinson().await, true, "the record's number is listed now");
    assert_eq!(api.delete(&path).await.status, 200);
    assert_eq!(robinson().await, false, "the record has no number any more");
}
