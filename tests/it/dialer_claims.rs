//! Dialbase's dialer API over HTTP: claims are exclusive under concurrency, follow the queue
//! order, skip locked, Robinson-listed, done and leased records, and leases expire.

use crate::common::dialer::{add_records, claim, claim_id, record, release};
use crate::common::{Database, Server};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_dialers_share_ten_thousand_contacts_without_overlap() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Campaign").await;
    let phone = |i: usize| format!("36{i:08}");
    let records = (0..10_000)
        .map(|i| match i % 10 {
            0 => record(&phone(i), Some("2099-01-01 00:00:00")),
            1 => record(&phone(i), Some(&format!("2020-01-01 {:02}:{:02}:00", i % 24, i % 60))),
            _ => record(&phone(i), None),
        })
        .collect();
    let ids = add_records(&api, project, records).await;
    let locked: Vec<usize> = (0..10_000).filter(|i| i % 500 == 2).collect();
    let listed: Vec<usize> = (0..10_000).filter(|i| i % 500 == 3).collect();
    for &i in &locked {
        let reply = api.patch(&format!("/dialler/contacts/contact/{}/lock", ids[i])).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let phones: Vec<String> = listed.iter().map(|&i| phone(i)).collect();
    let robinson = api.post("/v2/robinson", &json!({"phones": phones}).to_string()).await;
    assert_eq!(robinson.status, 200, "{}", robinson.text);
    let due: HashSet<i64> = (0..10_000)
        .filter(|i| i % 10 != 0 && !locked.contains(i) && !listed.contains(i))
        .map(|i| ids[i])
        .collect();

    let dialers: Vec<_> = (0..8)
        .map(|n| {
            let api = server.client();
            tokio::spawn(async move {
                let mut got = Vec::new();
                // Bounded, so that a queue handing out records again fails instead of spinning.
                while got.len() <= 10_000
                    && let Some(id) = claim_id(&api, project, &format!("dialer-{n}")).await
                {
                    got.push(id);
                }
                got
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for dialer in dialers {
        let got = dialer.await.expect("dialer task");
        assert!(!got.is_empty(), "every dialer got work");
        claimed.extend(got);
    }
    let unique: HashSet<i64> = claimed.iter().copied().collect();
    assert_eq!(unique.len(), claimed.len(), "no contact was handed out twice");
    assert_eq!(claimed.len(), due.len(), "every due contact was handed out");
    assert_eq!(unique, due);
    assert!(
        locked.iter().all(|&i| !unique.contains(&ids[i])),
        "locked contacts are never claimed"
    );
    assert!(
        listed.iter().all(|&i| !unique.contains(&ids[i])),
        "Robinson-listed ones neither"
    );
    assert_eq!(claim_id(&api, project, "late").await, None);
}

#[tokio::test]
async fn claims_follow_the_due_time_then_id_with_unset_after_overdue() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Campaign").await;
    let ids = add_records(
        &api,
        project,
        vec![
            record("1000001", None),
            record("1000002", Some("2001-01-01 00:00:00")),
            record("1000003", Some("2000-01-01 00:00:00")),
            record("1000004", Some("2099-01-01 00:00:00")),
            record("1000005", None),
            record("1000006", Some("2000-01-01 00:00:00")),
        ],
    )
    .await;
    let first = claim(&api, project, "d", 600).await.expect("a due record");
    assert_eq!(first["id"], ids[2]);
    assert_eq!(first["phone"], "1000003");
    assert_eq!(first["claimed_by"], "d");
    let mut order = vec![ids[2]];
    while order.len() <= 6
        && let Some(id) = claim_id(&api, project, "d").await
    {
        order.push(id);
    }
    assert_eq!(order, [ids[2], ids[5], ids[1], ids[0], ids[4]], "the future one waits");
}

#[tokio::test]
async fn an_expired_lease_lets_another_dialer_take_the_record() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Campaign").await;
    let ids = add_records(&api, project, vec![record("1000001", None), record("1000002", None)]).await;
    let id = ids[0];

    assert_eq!(claim(&api, project, "crashed", 1).await.unwrap()["id"], id);
    assert_eq!(claim_id(&api, project, "other").await, Some(ids[1]), "the lease holds");
    let reply = release(&api, ids[1], json!({"owner": "other"})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let taken = claim(&api, project, "other", 600).await.expect("lease expired");
    assert_eq!(
        (taken["id"].clone(), taken["claimed_by"].clone()),
        (json!(id), json!("other")),
        "the expired lease comes first in queue order"
    );
    assert_eq!(claim_id(&api, project, "other").await, Some(ids[1]));

    let late = release(&api, id, json!({"owner": "crashed", "dispositionid": 1})).await;
    assert_eq!((late.status.as_u16(), late.body["status"].clone()), (409, json!(409)));
    let jtel = api.get(&format!("/dialler/contacts/contact/{id}")).await;
    assert_eq!(jtel.body["records"][0]["ReservedUsersUID"], "other");
}

#[tokio::test]
async fn release_records_the_result_and_a_finished_contact_is_not_dialled_again() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Campaign").await;
    let id = add_records(&api, project, vec![record("1000001", None)]).await[0];

    claim_id(&api, project, "d1").await.expect("due");
    let back = release(&api, id, json!({"owner": "d1"})).await;
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(
        back.body["record"]["attempts"], 0,
        "no result: back in the queue as it was"
    );
    assert_eq!(back.body["record"]["claimed_by"], Value::Null);

    claim_id(&api, project, "d1").await.expect("back in the queue");
    let callback = json!({"owner": "d1", "dispositionid": 3, "userid": "agent-7",
                          "next_calldate": "2000-01-01 00:00:00", "description": "call back"});
    let reply = release(&api, id, callback).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let r = &reply.body["record"];
    assert_eq!((r["attempts"].clone(), r["done_at"].clone()), (json!(1), Value::Null));
    assert_eq!(r["next_calldate"], "2000-01-01 00:00:00");

    assert_eq!(claim_id(&api, project, "d2").await, Some(id), "the call-back is due");
    let reply = release(&api, id, json!({"owner": "d2", "dispositionid": 5})).await;
    let r = &reply.body["record"];
    assert_eq!(
        (r["attempts"].clone(), r["next_calldate"].clone()),
        (json!(2), Value::Null)
    );
    assert!(r["done_at"].is_string(), "done: {}", reply.text);
    assert_eq!(
        claim_id(&api, project, "d2").await,
        None,
        "a done contact is not handed out"
    );

    let vcc = api.get(&format!("/v2/projects/{project}/records/{id}")).await.body;
    let events = vcc["response"]["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        (events[0]["userid"].clone(), events[0]["description"].clone()),
        (json!("agent-7"), json!("call back"))
    );
    assert_eq!(events[1]["userid"], "d2", "the owner is the user unless one is named");

    // Giving it a call date again (any dialect) reopens it.
    let reopen = json!({"dtNextTry": "2000-01-02 00:00:00"}).to_string();
    assert_eq!(
        api.put(&format!("/dialler/contacts/contact/{id}"), &reopen)
            .await
            .status,
        200
    );
    assert_eq!(claim_id(&api, project, "d3").await, Some(id));
}

#[tokio::test]
async fn locked_and_robinson_listed_contacts_wait_until_freed() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Campaign").await;
    let ids = add_records(&api, project, vec![record("1000001", None), record("1000002", None)]).await;
    api.patch(&format!("/dialler/contacts/contact/{}/lock", ids[0])).await;
    api.post("/v2/robinson", r#"{"phone": "1000002"}"#).await;
    assert_eq!(claim_id(&api, project, "d").await, None);

    api.patch(&format!("/dialler/contacts/contact/{}/unlock", ids[0])).await;
    assert_eq!(claim_id(&api, project, "d").await, Some(ids[0]));
    assert_eq!(api.delete("/v2/robinson/1000002").await.status, 200);
    assert_eq!(claim_id(&api, project, "d").await, Some(ids[1]));
}

#[tokio::test]
async fn bad_requests_and_other_tenants_are_refused() {
    let db = Database::fresh();
    db.admin(&["key", "add", "other", "other", "--key", "other-key-123"]);
    let server = Server::start(&db);
    let api = server.client();
    let theirs = server.client_as("other", "other", "other-key-123");
    let project = api.project("Campaign").await;
    let id = add_records(&api, project, vec![record("1000001", None)]).await[0];
    let path = format!("/dialbase/v1/projects/{project}/claim");

    let refused = theirs.post(&path, r#"{"owner": "thief"}"#).await;
    assert_eq!(
        (refused.status.as_u16(), refused.body["status"].clone()),
        (404, json!(404))
    );
    for (body, code) in [
        (r#"{"owner": ""}"#, Some("wrong_owner")),
        (r#"{"owner": "d", "lease_seconds": 0}"#, Some("wrong_lease")),
        (r#"{"lease_seconds": 5}"#, None),
        (r#"{"owner": "d", "colour": "red"}"#, None),
        ("not json", None),
    ] {
        let reply = api.post(&path, body).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        if let Some(code) = code {
            assert_eq!(reply.body["code"], code);
        }
    }
    assert_eq!(
        api.post("/dialbase/v1/projects/9999/claim", r#"{"owner": "d"}"#)
            .await
            .status,
        404
    );

    assert_eq!(
        release(&api, id, json!({"owner": "d"})).await.status,
        409,
        "not claimed"
    );
    claim_id(&api, project, "d").await.expect("due");
    let reply = release(&theirs, id, json!({"owner": "d"})).await;
    assert_eq!(reply.status, 404, "another tenant's record does not exist for them");
    let no_result = release(&api, id, json!({"owner": "d", "next_calldate": "2030-01-01 00:00:00"})).await;
    assert_eq!(no_result.body["code"], "missing_dispositionid");
    let bad_date = release(
        &api,
        id,
        json!({"owner": "d", "dispositionid": 1, "next_calldate": "soon"}),
    )
    .await;
    assert_eq!(
        (bad_date.status.as_u16(), bad_date.body["code"].clone()),
        (400, json!("wrong_date_format"))
    );
    assert_eq!(release(&api, id + 1, json!({"owner": "d"})).await.status, 404);
    let still = api.get(&format!("/dialler/contacts/contact/{id}")).await;
    assert_eq!(
        still.body["records"][0]["ReservedUsersUID"], "d",
        "refused calls changed nothing"
    );
}
