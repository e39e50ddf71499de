//! VCC Live's disposition calls (issue 14, item 5): "Add disposition" and "Batch disposition
//! modification" with `avoid_in_call` (records being handled, claimed by a dialer or locked,
//! are left alone), and batch `search` objects: several combine with OR, the keys of one with AND.

use crate::common::dialer::claim_id;
use crate::common::{Client, Database, Server};
use serde_json::{Value, json};

async fn add_disposition(api: &Client, project: i64, record: i64, body: Value) -> crate::common::Reply {
    api.post(
        &format!("/v2/projects/{project}/records/{record}/dispositions"),
        &body.to_string(),
    )
    .await
}

async fn last_disposition(api: &Client, project: i64, record: i64) -> Value {
    let reply = api.get(&format!("/v2/projects/{project}/records/{record}")).await;
    let events = reply.body["response"]["events"].as_array().cloned().unwrap_or_default();
    events.last().map_or(Value::Null, |e| e["dispositionid"].clone())
}

/// Records with these latest dispositions (`(dispositionid, userid)`), the first claimed by
/// a dialer; returns their ids.
async fn records(api: &Client, project: i64, dispositions: &[Option<(i64, &str)>]) -> Vec<i64> {
    let items: Vec<Value> = (0..dispositions.len())
        .map(|n| json!({"form": {"name": format!("r{n}")}, "contacts": {"1": {"phone": format!("3612340{n:03}")}}}))
        .collect();
    let ids = api.add_records(project, &Value::Array(items).to_string()).await;
    assert_eq!(
        claim_id(api, project, "dialer-1").await,
        Some(ids[0]),
        "the first record is claimed"
    );
    for (id, disposition) in ids.iter().zip(dispositions) {
        if let Some((dispositionid, userid)) = disposition {
            let body = json!({"dispositionid": dispositionid, "userid": userid});
            assert_eq!(add_disposition(api, project, *id, body).await.status, 200);
        }
    }
    ids
}

#[tokio::test]
async fn add_disposition_takes_the_documented_example_and_avoids_records_in_call() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Dispositions").await;
    let ids = records(&api, project, &[None, None]).await;
    // The vendor's example (its record and project ids are this test's).
    let example = json!({"dispositionid": "1", "userid": "17", "next_calldate": "2017-01-17 11:00:00",
                         "next_contactid": "2", "description": "University degree", "avoid_in_call": true});
    let reply = add_disposition(&api, project, ids[1], example.clone()).await;
    assert_eq!(reply.body, json!({"errors": [], "response": true}));
    let record = api
        .get(&format!("/v2/projects/{project}/records/{}", ids[1]))
        .await
        .body;
    assert_eq!(record["response"]["phone_field"], "phone2");
    assert_eq!(record["response"]["events"][0]["description"], "University degree");

    // The claimed record is being handled: refused with avoid_in_call, nothing stored.
    let reply = add_disposition(&api, project, ids[0], example).await;
    assert_eq!(reply.status, 417, "{}", reply.text);
    assert_eq!(reply.body["errors"][0]["errormessage"], "error.record_in_call");
    assert_eq!(last_disposition(&api, project, ids[0]).await, Value::Null);
    let reply = add_disposition(
        &api,
        project,
        ids[0],
        json!({"dispositionid": "1", "userid": "17", "avoid_in_call": false}),
    )
    .await;
    assert_eq!(reply.body, json!({"errors": [], "response": true}));
    let reply = add_disposition(
        &api,
        project,
        ids[0],
        json!({"dispositionid": "1", "userid": "17", "avoid_in_call": "maybe"}),
    )
    .await;
    assert_eq!(reply.body["errors"][0]["errormessage"], "error.wrong_avoid_in_call");
}

#[tokio::test]
async fn batch_searches_combine_with_or_and_their_keys_with_and() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Batch").await;
    let ids = records(
        &api,
        project,
        &[
            Some((1, "17")),
            Some((1, "17")),
            Some((1, "18")),
            Some((2, "17")),
            None,
            Some((1, "17")),
        ],
    )
    .await;
    let (claimed, first, other_user, second, fresh, locked) = (ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]);
    let lock = api.patch(&format!("/dialler/contacts/contact/{locked}/lock")).await;
    assert_eq!(lock.status, 200, "{}", lock.text);

    let body = json!({
        "avoid_in_call": true,
        "disposition": {"dispositionid": 9, "userid": "5", "description": "batch", "next_calldate": "2031-01-02 03:04:05"},
        "elements": [
            {"search": {"act_status": "1", "pref_userid": "17"}},
            {"search": [{"act_status": 2}, {"numberid": fresh}]},
            {"numberid": claimed},
            {"search": {"colour": "red"}},
            {"numberid": 999_999},
            {"search": {"act_status": "7"}, "dispositionid": 3}
        ]
    });
    let reply = api
        .put(
            &format!("/v2/projects/{project}/records/dispositions"),
            &body.to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body,
        json!({"response": {"0": true, "1": true, "5": true}, "errors": [
            {"index": 2, "errorcode": 417, "errormessage": "error.record_in_call"},
            {"index": 3, "errorcode": 417, "errormessage": "error.missing_numberid_or_search", "property": "colour"},
            {"index": 4, "errorcode": 417, "errormessage": "error.record_not_exists"}]})
    );
    let latest = |id| last_disposition(&api, project, id);
    assert_eq!(latest(first).await, 9, "act_status AND pref_userid");
    assert_eq!(latest(other_user).await, 1, "another user's is left");
    assert_eq!(latest(second).await, 9, "the first search of an OR");
    assert_eq!(latest(fresh).await, 9, "the second search of an OR");
    assert_eq!(latest(claimed).await, 1, "claimed: avoided");
    assert_eq!(latest(locked).await, 1, "locked: avoided");
    let record = api.get(&format!("/v2/projects/{project}/records/{first}")).await.body;
    let event = &record["response"]["events"][1];
    assert_eq!(
        (&event["userid"], &event["description"]),
        (&json!("5"), &json!("batch"))
    );
    assert_eq!(record["response"]["next_calldate"], "2031-01-02 03:04:05");

    // Without avoid_in_call the records being handled are changed too.
    let body = json!({"disposition": {"dispositionid": 4, "userid": "5"}, "elements": [{"search": {"act_status": 1}}]});
    let reply = api
        .put(
            &format!("/v2/projects/{project}/records/dispositions"),
            &body.to_string(),
        )
        .await;
    assert_eq!(reply.body, json!({"errors": [], "response": {"0": true}}));
    for id in [claimed, other_user, locked] {
        assert_eq!(latest(id).await, 4);
    }
}
