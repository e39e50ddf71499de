//! Duplicate checks (the `dedup` dialing rule, docs/dialing.md) on every way records come
//! in: VCC add (item errors with the existing numberid), jtel insert (409, all or nothing),
//! CSV import (the line and the existing id); merging with `on_duplicate: update`; the
//! project or the whole tenant as scope.

use crate::common::dialer::record;
use crate::common::{Client, Database, Server};
use serde_json::{Value, json};
use std::process::Command;

async fn put_rules(api: &Client, project: i64, rules: Value) {
    let reply = api
        .put(&format!("/dialbase/v1/projects/{project}/rules"), &rules.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

async fn add(api: &Client, project: i64, records: Vec<Value>) -> Value {
    let reply = api
        .post(
            &format!("/v2/projects/{project}/records"),
            &Value::Array(records).to_string(),
        )
        .await;
    assert!(reply.status.is_success() || reply.status == 417, "{}", reply.text);
    reply.body
}

#[tokio::test]
async fn one_number_written_two_ways_is_one_contact() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Leads").await;
    let rules = json!({"default_country": "HU", "dedup": {"keys": ["phone"]}});
    put_rules(&api, project, rules).await;
    let first = add(&api, project, vec![record("3619997400", None)]).await;
    let existing = first["response"][0].as_i64().unwrap();

    // National form, international form, and a new number: the new one is kept, the others
    // are refused by index with the record they repeat. In one request a repeat of an
    // earlier item of the same request counts too.
    let batch = vec![
        record("06 1 999 7400", None),
        record("3612223333", None),
        record("+36 1 999 7400", None),
        record("06-1-222-3333", None),
    ];
    let reply = add(&api, project, batch).await;
    // Items failed: the one id is keyed by its item's request index.
    let added = reply["response"]["1"].as_i64().unwrap();
    assert_eq!(reply["response"].as_object().unwrap().len(), 1, "{reply}");
    let errors = reply["errors"].as_array().unwrap();
    let expect = [(0, existing), (2, existing), (3, added)];
    assert_eq!(errors.len(), expect.len(), "{reply}");
    for (error, (index, numberid)) in errors.iter().zip(expect) {
        assert_eq!(error["index"], index);
        assert_eq!(error["errormessage"], "error.duplicate_record");
        assert_eq!(error["numberid"], numberid);
    }
    let listed = api.get(&format!("/v2/projects/{project}/records")).await;
    assert_eq!(
        listed.body["response"].as_array().map(Vec::len),
        Some(2),
        "{}",
        listed.text
    );
}

#[tokio::test]
async fn a_duplicate_merges_into_its_record_when_the_rule_says_update() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Leads").await;
    put_rules(
        &api,
        project,
        json!({"dedup": {"keys": ["phone"], "on_duplicate": "update"}}),
    )
    .await;
    let first = add(&api, project, vec![record("3611111111", None)]).await["response"][0]
        .as_i64()
        .unwrap();
    // The second item repeats the first record's number and brings a second one; the third
    // repeats that second number: both end up in the one record.
    let again =
        json!({"form": {"city": "Szeged"}, "contacts": {"1": {"phone": "3611111111"}, "2": {"phone": "3622222222"}}});
    let twice = json!({"form": {"company": "Acme"}, "contacts": {"1": {"phone": "3622222222"}}});
    let reply = add(&api, project, vec![again, twice]).await;
    assert_eq!(reply["response"], json!([first, first]), "{reply}");
    assert_eq!(reply["errors"], json!([]));
    let record = api.get(&format!("/v2/projects/{project}/records/{first}")).await.body["response"].clone();
    assert_eq!(record["values"]["city"], "Szeged");
    assert_eq!(record["values"]["company"], "Acme");
    assert_eq!(record["data"]["phone2"], "3622222222");
    let listed = api.get(&format!("/v2/projects/{project}/records")).await;
    assert_eq!(
        listed.body["response"].as_array().map(Vec::len),
        Some(1),
        "{}",
        listed.text
    );
}

#[tokio::test]
async fn jtel_refuses_a_batch_with_a_duplicate_whole_with_409() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Campaign").await;
    put_rules(&api, project, json!({"dedup": {"keys": ["user_data", "phone"]}})).await;
    let contact = |user_data: &str, phone: &str| json!({"DiallerCampaignsID": project, "UserData": user_data, "Name": user_data, "PhoneNumber1": phone});
    let first = api
        .post(
            "/dialler/contacts/contact",
            &json!([contact("crm-1", "3611111111")]).to_string(),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let id = first.body["records"][0]["DiallerContactsID"].as_i64().unwrap();
    let batch = json!([contact("crm-2", "3622222222"), contact("crm-3", "3611111111")]);
    let reply = api.post("/dialler/contacts/contact", &batch.to_string()).await;
    assert_eq!(reply.status, 409, "{}", reply.text);
    assert_eq!(reply.body["status"], 409);
    assert_eq!(reply.body["code"], "duplicate_record");
    assert_eq!(reply.body["DiallerContactsID"], id);
    assert!(
        reply.body["error"].as_str().unwrap().starts_with("contact 1"),
        "{}",
        reply.text
    );
    let crm2 = api.get("/dialler/contacts/contact?userData=crm-2").await;
    assert_eq!(
        crm2.status, 404,
        "nothing of the refused batch was stored: {}",
        crm2.text
    );
}

#[tokio::test]
async fn the_scope_is_the_project_or_the_whole_tenant() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let (first, second) = (api.project("One").await, api.project("Two").await);
    add(&api, first, vec![record("3611111111", None)]).await;
    put_rules(&api, second, json!({"dedup": {"keys": ["phone"], "scope": "project"}})).await;
    let kept = add(&api, second, vec![record("3611111111", None)]).await;
    assert_eq!(kept["errors"], json!([]), "another project's record does not count");
    put_rules(
        &api,
        second,
        json!({"dedup": {"keys": ["phone"], "scope": "tenant", "on_duplicate": "update"}}),
    )
    .await;
    let refused = add(&api, second, vec![record("3611111111", None)]).await;
    assert_eq!(
        refused["errors"][0]["errormessage"], "error.duplicate_record",
        "{refused}"
    );
    assert_eq!(
        refused["errors"][0]["numberid"], 1,
        "the lowest id; another project's is not merged into"
    );
}

#[tokio::test]
async fn a_field_key_needs_an_indexed_field() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Leads").await;
    let field = |name: &str, indexed: &str| json!({"name": name, "type": "text", "indexed": indexed}).to_string();
    let path = format!("/v2/projects/{project}/fields");
    assert_eq!(api.post(&path, &field("email", "yes")).await.status, 200);
    assert_eq!(api.post(&path, &field("note", "no")).await.status, 200);
    let refused = api
        .put(
            &format!("/dialbase/v1/projects/{project}/rules"),
            &json!({"dedup": {"keys": ["note"]}}).to_string(),
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(refused.body["code"], "wrong_dedup");
    put_rules(&api, project, json!({"dedup": {"keys": ["email"]}})).await;
    let items = vec![
        json!({"form": {"name": "A", "email": "a@example.com"}}),
        json!({"form": {"name": "B", "email": "b@example.com"}}),
        json!({"form": {"name": "A again", "email": "a@example.com"}}),
    ];
    let reply = add(&api, project, items).await;
    assert_eq!(reply["response"], json!({"0": 1, "1": 2}), "{reply}");
    assert_eq!(reply["errors"][0]["index"], 2);
}

#[tokio::test]
async fn a_csv_import_names_the_line_and_the_record_a_duplicate_repeats() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Leads").await;
    put_rules(
        &api,
        project,
        json!({"default_country": "HU", "dedup": {"keys": ["phone"]}}),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("leads.csv");
    std::fs::write(
        &csv,
        "name,phone1\nPeter,+36 1 999 7400\nRachel,06 1 222 3333\nPeter again,06 1 999 7400\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dialbase"))
        .args(["import", "mycc", &project.to_string()])
        .arg(&csv)
        .env("DIALBASE_DATABASE", &db.url)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "2 records imported, 1 rejected"
    );
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(errors.contains("line 4: duplicate of record 1"), "{errors}");
}

/// Two nodes, eight clients, every client loading the same 300 numbers at once (each
/// in its own order): each number is stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_loads_on_two_nodes_store_each_contact_once() {
    let db = Database::fresh();
    let nodes = [Server::start(&db), Server::start(&db)];
    let api = nodes[0].client();
    let project = api.project("Leads").await;
    put_rules(&api, project, json!({"dedup": {"keys": ["phone"]}})).await;
    // The fields exist before: creating them would queue the loads on the project's row.
    add(&api, project, vec![record("3699999999", None)]).await;
    let loads: Vec<_> = (0..8)
        .map(|n| {
            let api = nodes[n % 2].client();
            tokio::spawn(async move {
                let mut items: Vec<Value> = (0..300).map(|i| record(&format!("3630{i:07}"), None)).collect();
                items.rotate_left(n * 31);
                add(&api, project, items).await
            })
        })
        .collect();
    let mut stored = 0;
    for load in loads {
        let reply = load.await.expect("load");
        // A list when all were stored, else keyed by request index.
        let response = &reply["response"];
        stored += response
            .as_array()
            .map(Vec::len)
            .or(response.as_object().map(|o| o.len()))
            .unwrap_or(0);
    }
    assert_eq!(stored, 300, "each number once over all loads");
    let listed = api.get(&format!("/v2/projects/{project}/records?limit=1000")).await;
    assert_eq!(listed.body["response"].as_array().map(Vec::len), Some(301));
}

/// The iovox contact book is a project too: with a duplicate check on it, a createContacts
/// repeating a stored number is refused whole, in iovox's error format.
#[tokio::test]
async fn iovox_create_applies_the_contact_books_rule() {
    use crate::common::iovox::{contact, request, start_with_contacts};
    let (_db, _server, api) = start_with_contacts(&[contact("c-1", &[("mobile_phone", "447772412312")])]).await;
    let projects = api.get("/v2/projects").await;
    let book = projects.body["response"][0]["projectid"]
        .as_i64()
        .expect("the contact book");
    put_rules(&api, book, json!({"dedup": {"keys": ["phone"]}})).await;
    let twins = [
        contact("c-2", &[("home_phone", "441234567890")]),
        contact("c-3", &[("business_phone", "447772412312")]),
    ];
    let reply = api.create_contacts(&request("", &twins)).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.text.contains("duplicates record 1"), "{}", reply.text);
    assert_eq!(api.contact_details("c-2").await, None, "all or nothing");
}
