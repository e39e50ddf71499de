//! The audit log (docs/operations.md): admin actions and deletes through every dialect,
//! with user, time and what; read by pages through the API and the CLI, per tenant.

use crate::common::dialer::{add_records, record};
use crate::common::iovox::contact;
use crate::common::{Database, Server, TENANT, USER};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn admin_actions_and_deletes_are_audited_per_tenant() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Audited").await;
    let field = api
        .post(
            &format!("/v2/projects/{project}/fields"),
            r#"{"name": "city", "type": "simple", "values": [{"name": "London"}]}"#,
        )
        .await;
    let field = field.body["response"].as_i64().unwrap();
    let schema = api.get(&format!("/v2/projects/{project}")).await.body;
    let value = schema["response"]["fields"][0]["values"][0]["valueid"]
        .as_i64()
        .unwrap();
    let path = format!("/v2/projects/{project}/fields/{field}/values/{value}");
    assert_eq!(api.put(&path, r#"{"name": "Paris"}"#).await.status, 200);
    assert_eq!(api.delete(&path).await.status, 200);
    let ids = add_records(
        &api,
        project,
        vec![record("3612345678", None), record("3612345679", None)],
    )
    .await;
    let disposition = api
        .post(
            &format!("/v2/projects/{project}/records/{}/dispositions", ids[0]),
            r#"{"dispositionid": 3, "userid": "agent1"}"#,
        )
        .await;
    assert_eq!(disposition.status, 200, "{}", disposition.text);
    assert_eq!(
        api.delete(&format!("/dialler/contacts/contact/{}", ids[1]))
            .await
            .status,
        200
    );
    api.create_ok(&[contact("c1", &[("first_name", "Ann")])]).await;
    let deleted = api
        .iovox(
            Method::DELETE,
            "/Contacts?v=3&method=deleteContacts&contact_ids=c1",
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let rules = api
        .put(
            &format!("/dialbase/v1/projects/{project}/rules"),
            r#"{"retries": {"max_attempts": 3}}"#,
        )
        .await;
    assert_eq!(rules.status, 200, "{}", rules.text);
    assert_eq!(api.post("/v2/robinson", r#"{"phone": "3611111111"}"#).await.status, 200);
    let dnc = api
        .post(
            "/dialbase/v1/dnc/lists/mine/entries",
            r#"{"entries": [{"phone": "3611111112"}]}"#,
        )
        .await;
    assert_eq!(dnc.status, 200, "{}", dnc.text);
    let key = api
        .post("/dialbase/v1/keys", r#"{"user": "crm", "role": "read-only"}"#)
        .await;
    let key_id = key.body["key"]["id"].as_i64().unwrap();
    assert_eq!(api.delete(&format!("/dialbase/v1/keys/{key_id}")).await.status, 200);
    // Reads and plain record writes are not audited.
    api.get(&format!("/v2/projects/{project}/records")).await;

    let log = api.get("/dialbase/v1/audit").await;
    assert_eq!(log.status, 200, "{}", log.text);
    let entries = log.body["entries"].as_array().unwrap().clone();
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "project.create",
            "field.create",
            "value.modify",
            "value.delete",
            "disposition.add",
            "record.delete",
            "record.delete",
            "rules.put",
            "dnc.add",
            "dnc.add",
            "key.create",
            "key.revoke",
        ]
    );
    let sources: Vec<&str> = entries.iter().map(|e| e["source"].as_str().unwrap()).collect();
    assert_eq!(sources[0], "vcc");
    assert_eq!(sources[5], "jtel");
    assert_eq!(sources[6], "iovox");
    assert_eq!(sources[7], "dialbase");
    assert!(entries.iter().all(|e| e["user"] == USER && e["at"].is_string()));
    assert_eq!(entries[0]["target"], format!("project {project}"));
    assert_eq!(entries[0]["detail"], json!({"name": "Audited"}));
    assert_eq!(entries[5]["target"], format!("record {}", ids[1]));
    assert_eq!(entries[6]["detail"]["contacts"], json!(["c1"]));
    assert_eq!(entries[11]["target"], format!("key {key_id}"));
    assert!(log.body.get("next_after").is_none(), "one page holds it all");

    // Paging by cursor.
    let first = api.get("/dialbase/v1/audit?limit=5").await.body;
    assert_eq!(first["entries"].as_array().unwrap().len(), 5);
    let after = first["next_after"].as_i64().expect("a next page");
    let rest = api
        .get(&format!("/dialbase/v1/audit?after={after}&limit=100"))
        .await
        .body;
    let rest: Vec<Value> = rest["entries"].as_array().unwrap().clone();
    assert_eq!(rest, entries[5..].to_vec());
    assert_eq!(api.get("/dialbase/v1/audit?limit=0").await.status, 400);
    assert_eq!(api.get("/dialbase/v1/audit?after=x").await.status, 400);

    // The command line shows the same lines.
    let cli = db.admin(&["audit", "list", TENANT]);
    assert_eq!(cli.lines().count(), entries.len());
    assert!(cli.lines().next().unwrap().contains("\tvcc\tproject.create\tproject "));

    // Another tenant sees none of it.
    db.admin(&["key", "add", "other", "other", "--key", "other-tenant-key"]);
    let other = server.client_as("other", "other", "other-tenant-key");
    let theirs = other.get("/dialbase/v1/audit").await;
    assert_eq!(theirs.status, 200, "{}", theirs.text);
    assert_eq!(theirs.body["entries"], json!([]));
}
