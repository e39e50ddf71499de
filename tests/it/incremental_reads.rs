//! Incremental reads (`updated_since`): VCC list records, jtel's contact list and iovox
//! getContacts answer only what changed at or after the given moment, in each dialect's
//! shape; a moment that is none is refused in the dialect's format.

use crate::common::dialer::{add_records, record};
use crate::common::iovox::{contact, request, start_with_contacts, values};
use crate::common::{Database, Server};
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Waits into the next whole second and answers it: records written from now on have
/// `updated_at` at or after it, those written before are older.
async fn next_second() -> u64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    tokio::time::sleep(Duration::from_millis(1_050 - u64::from(now.subsec_millis()))).await;
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

#[tokio::test]
async fn vcc_and_jtel_lists_answer_what_changed_since() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Leads").await;
    let ids = add_records(
        &api,
        project,
        vec![record("3611111111", None), record("3622222222", None)],
    )
    .await;
    let since = next_second().await;
    let modify = json!({"elements": [{"numberid": ids[0], "form": {"city": "Szeged"}}]});
    let changed = api
        .put(&format!("/v2/projects/{project}/records"), &modify.to_string())
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let added = add_records(&api, project, vec![record("3633333333", None)]).await[0];

    let vcc = api
        .get(&format!("/v2/projects/{project}/records?updated_since={since}"))
        .await;
    assert_eq!(vcc.status, 200, "{}", vcc.text);
    let got: Vec<i64> = vcc.body["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["numberid"].as_i64().unwrap())
        .collect();
    assert_eq!(got, [ids[0], added]);
    assert_eq!(vcc.headers["x-total-count"], "2");
    let with_search = api
        .get(&format!(
            "/v2/projects/{project}/records?updated_since={since}&city=Szeged"
        ))
        .await;
    assert_eq!(with_search.body["response"].as_array().map(Vec::len), Some(1));

    let jtel = api
        .get(&format!(
            "/dialler/contacts?diallerCampaignsID={project}&updated_since={since}"
        ))
        .await;
    assert_eq!(jtel.status, 200, "{}", jtel.text);
    let got: Vec<i64> = jtel.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["DiallerContactsID"].as_i64().unwrap())
        .collect();
    assert_eq!(got, [ids[0], added]);

    let later = api
        .get(&format!(
            "/v2/projects/{project}/records?updated_since={}",
            since + 3600
        ))
        .await;
    assert_eq!(later.body["response"], json!([]));
    let wrong = api
        .get(&format!("/v2/projects/{project}/records?updated_since=yesterday"))
        .await;
    assert_eq!(wrong.status, 417, "{}", wrong.text);
    assert_eq!(wrong.body["errors"][0]["errormessage"], "error.wrong_updated_since");
    let wrong = api.get("/dialler/contacts?updated_since=yesterday").await;
    assert_eq!(wrong.status, 400, "{}", wrong.text);
}

#[tokio::test]
async fn iovox_get_contacts_answers_what_changed_since() {
    let (_db, _server, api) = start_with_contacts(&[
        contact("c-1", &[("display_name", "One")]),
        contact("c-2", &[("display_name", "Two")]),
    ])
    .await;
    let since = next_second().await;
    let update = request("", &[contact("c-2", &[("company", "Acme")])]);
    assert_eq!(api.update_contacts(&update).await.status, 204);
    let reply = api.get_contacts(&format!("&updated_since={}", since)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(values(&reply.text, "contact_id"), ["c-2"]);
    let wrong = api
        .iovox(Method::GET, "/Contacts?v=3&method=getContacts&updated_since=soon", None)
        .await;
    assert_eq!(wrong.status, 400, "{}", wrong.text);
    assert!(wrong.text.contains("Updated Since Invalid"), "{}", wrong.text);
}
