//! Dialing rules over HTTP (docs/dialing.md): calling hours in the contact's local time
//! (DST, several zones, holidays), attempt limits and gaps, numbers in turn, call-backs
//! with an owner, and a result that puts a number on the Robinson list. The server runs
//! with `DIALBASE_TEST_CLOCK=1`, so every request names its own time.

use crate::common::dialer::{add_records, at, record};
use crate::common::{Client, Database, Reply, Server};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashSet;

fn start(db: &Database) -> Server {
    Server::start_with(db, &[("DIALBASE_TEST_CLOCK", "1")])
}

async fn claim_at(api: &Client, project: i64, owner: &str, now: &str) -> Option<Value> {
    let path = format!("/dialbase/v1/projects/{project}/claim");
    let reply = at(api, now, Method::POST, &path, Some(json!({"owner": owner}))).await;
    match reply.status.as_u16() {
        200 => Some(reply.body["record"].clone()),
        204 => None,
        other => panic!("claim answered {other}: {}", reply.text),
    }
}

async fn claim_phone(api: &Client, project: i64, owner: &str, now: &str) -> Option<String> {
    claim_at(api, project, owner, now)
        .await
        .map(|r| r["phone"].as_str().unwrap().to_string())
}

async fn release_at(api: &Client, record: i64, now: &str, body: Value) -> Value {
    let path = format!("/dialbase/v1/records/{record}/release");
    let reply = at(api, now, Method::POST, &path, Some(body)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["record"].clone()
}

async fn put_rules(api: &Client, project: i64, rules: Value) -> Reply {
    api.put(&format!("/dialbase/v1/projects/{project}/rules"), &rules.to_string())
        .await
}

async fn show(api: &Client, record: i64, now: &str) -> Value {
    let reply = at(api, now, Method::GET, &format!("/dialbase/v1/records/{record}"), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["record"].clone()
}

/// Calling hours from `start` to `end` on every day of the week.
fn every_day(start: &str, end: &str) -> Value {
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    Value::Object(days.iter().map(|d| (d.to_string(), json!([start, end]))).collect())
}

const BUDAPEST: &str = "3612345678";
const NEW_YORK: &str = "12125551234";

#[tokio::test]
async fn rules_are_stored_whole_and_wrong_ones_refused() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let project = api.project("Rules").await;
    let rules = json!({
        "calling_hours": {"mon": ["09:00", "20:00"], "sat": ["10:00", "16:00"], "sun": null},
        "holidays": ["2026-12-25"], "default_timezone": "Europe/Budapest", "default_country": "HU",
        "dnc_lists": ["default"], "retries": {"max_attempts_per_number": 3, "max_attempts": 6, "min_gap_minutes": 60},
        "dispositions": {"7": {"action": "done"}, "8": {"action": "retry", "after_minutes": 120}},
        "callback_grace_minutes": 30
    });
    let stored = put_rules(&api, project, rules).await;
    assert_eq!(stored.status, 200, "{}", stored.text);
    let got = api.get(&format!("/dialbase/v1/projects/{project}/rules")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, stored.body);
    let rules = &got.body["rules"];
    assert_eq!(rules["calling_hours"]["mon"], json!(["09:00", "20:00"]));
    assert_eq!(
        rules["calling_hours"]["tue"],
        Value::Null,
        "a day left out has no calls"
    );
    assert_eq!(
        rules["dispositions"]["8"],
        json!({"action": "retry", "after_minutes": 120})
    );

    let wrong = put_rules(&api, project, json!({"calling_hours": {"mon": ["20:00", "09:00"]}})).await;
    assert_eq!(wrong.status, 400, "{}", wrong.text);
    assert!(
        wrong.body["error"].as_str().unwrap().contains("end after"),
        "{}",
        wrong.text
    );
    let wrong = put_rules(&api, project, json!({"default_timezone": "Mars/Base"})).await;
    assert_eq!(wrong.status, 400, "{}", wrong.text);
    let unchanged = api.get(&format!("/dialbase/v1/projects/{project}/rules")).await;
    assert_eq!(unchanged.body, stored.body, "a refused change changes nothing");
    assert_eq!(put_rules(&api, 999_999, json!({})).await.status, 404);
    let other = server.client_as("othercc", "u", "k");
    assert_eq!(put_rules(&other, project, json!({})).await.status, 401);
    assert_eq!(
        put_rules(&api, project, json!({})).await.body["rules"]["calling_hours"],
        Value::Null
    );
}

/// 09:00-20:00 every day, in each contact's own zone: Budapest switches to summer time on
/// 2026-03-29, New York on 2026-03-08.
#[tokio::test]
async fn calling_hours_follow_each_contacts_local_time_through_dst() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let project = api.project("Hours").await;
    let week = every_day("09:00", "20:00");
    assert_eq!(
        put_rules(&api, project, json!({"calling_hours": week})).await.status,
        200
    );
    let ids = add_records(&api, project, vec![record(BUDAPEST, None), record(NEW_YORK, None)]).await;

    // Saturday 07:30 UTC is 08:30 in Budapest (winter time): nobody.
    assert_eq!(claim_phone(&api, project, "d", "2026-03-28T07:30:00Z").await, None);
    // Sunday 07:30 UTC is 09:30 in Budapest (summer time since 02:00), 03:30 in New York.
    let budapest = claim_phone(&api, project, "d", "2026-03-29T07:30:00Z").await;
    assert_eq!(budapest.as_deref(), Some(BUDAPEST));
    assert_eq!(claim_phone(&api, project, "d", "2026-03-29T07:30:00Z").await, None);
    release_at(&api, ids[0], "2026-03-29T07:31:00Z", json!({"owner": "d"})).await;

    // 13:30 UTC on Friday 2026-03-06 is 08:30 in New York (EST); on Monday 03-09 09:30 (EDT).
    let friday = claim_phone(&api, project, "d", "2026-03-06T13:30:00Z").await;
    assert_eq!(friday.as_deref(), Some(BUDAPEST), "New York is not awake yet");
    release_at(&api, ids[0], "2026-03-06T13:31:00Z", json!({"owner": "d"})).await;
    assert_eq!(
        claim_phone(&api, project, "e", "2026-03-06T13:32:00Z").await.as_deref(),
        Some(BUDAPEST)
    );
    assert_eq!(claim_phone(&api, project, "f", "2026-03-06T13:33:00Z").await, None);
    release_at(&api, ids[0], "2026-03-06T13:34:00Z", json!({"owner": "e"})).await;
    let monday = claim_phone(&api, project, "g", "2026-03-09T13:30:00Z").await;
    assert_eq!(monday.as_deref(), Some(BUDAPEST), "lower id first");
    let monday = claim_phone(&api, project, "g", "2026-03-09T13:30:00Z").await;
    assert_eq!(monday.as_deref(), Some(NEW_YORK));
    release_at(&api, ids[0], "2026-03-09T13:31:00Z", json!({"owner": "g"})).await;

    // The record shows its zones and when it may next be called.
    let new_york = show(&api, ids[1], "2026-03-09T02:00:00Z").await;
    assert_eq!(new_york["timezones"], json!(["America/New_York"]));
    let budapest = show(&api, ids[0], "2026-03-09T20:00:00Z").await;
    assert_eq!(budapest["timezones"], json!(["Europe/Budapest"]));
    assert_eq!(
        budapest["next_callable_at"], "2026-03-10 08:00:00",
        "09:00 in Budapest (UTC+1)"
    );
}

#[tokio::test]
async fn a_number_spanning_zones_waits_for_all_of_them_and_holidays_are_local_days() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let project = api.project("Spanning").await;
    let week = every_day("08:00", "21:00");
    let rules = json!({"calling_hours": week, "holidays": ["2026-12-25"]});
    assert_eq!(put_rules(&api, project, rules).await.status, 200);
    // A record whose own `timezone` field names Chicago, with a New York number: the field wins.
    let mut chicago = record(NEW_YORK, None);
    chicago["form"]["timezone"] = json!("America/Chicago");
    let ids = add_records(&api, project, vec![chicago, record(NEW_YORK, None)]).await;
    let shown = show(&api, ids[0], "2026-06-10T12:30:00Z").await;
    assert_eq!(shown["timezones"], json!(["America/Chicago"]));

    // 12:30 UTC in June: 08:30 in New York, 07:30 in Chicago.
    let first = claim_at(&api, project, "d", "2026-06-10T12:30:00Z").await.unwrap();
    assert_eq!(first["id"], ids[1]);
    assert_eq!(claim_at(&api, project, "d", "2026-06-10T12:30:00Z").await, None);
    assert_eq!(
        claim_at(&api, project, "d", "2026-06-10T13:00:00Z").await.unwrap()["id"],
        ids[0]
    );

    // Christmas Day is no calling day in New York, even at noon.
    release_at(&api, ids[1], "2026-06-10T13:01:00Z", json!({"owner": "d"})).await;
    assert_eq!(claim_at(&api, project, "x", "2026-12-25T17:00:00Z").await, None);
    let shown = show(&api, ids[1], "2026-12-25T17:00:00Z").await;
    assert_eq!(
        shown["next_callable_at"], "2026-12-26 13:00:00",
        "08:00 EST the next day"
    );
    assert_eq!(
        claim_at(&api, project, "x", "2026-12-26T13:00:00Z").await.unwrap()["id"],
        ids[1]
    );

    // A toll-free number belongs to all of North America, from Newfoundland to Guam: it
    // waits until the window is open in every zone at once.
    let project = api.project("Toll-free").await;
    let week = every_day("08:00", "21:00");
    assert_eq!(
        put_rules(&api, project, json!({"calling_hours": week})).await.status,
        200
    );
    let toll_free = add_records(&api, project, vec![record("18005551234", None)]).await[0];
    let shown = show(&api, toll_free, "2026-06-11T13:00:00Z").await;
    let zones: Vec<&str> = shown["timezones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z.as_str().unwrap())
        .collect();
    assert!(
        zones.contains(&"America/Chicago") && zones.contains(&"Pacific/Honolulu"),
        "{zones:?}"
    );
    assert!(
        zones.contains(&"America/New_York") && zones.contains(&"Pacific/Guam"),
        "{zones:?}"
    );
    assert_eq!(
        claim_at(&api, project, "t", "2026-06-11T13:00:00Z").await,
        None,
        "03:00 in Honolulu"
    );
    // 22:00 UTC: 12:00 in Honolulu, 19:30 in St. John's, 08:00 next day in Guam.
    assert_eq!(shown["next_callable_at"], "2026-06-11 22:00:00");
    assert_eq!(claim_at(&api, project, "t", "2026-06-11T21:59:59Z").await, None);
    assert_eq!(
        claim_at(&api, project, "t", "2026-06-11T22:00:00Z").await.unwrap()["id"],
        toll_free
    );
}

#[tokio::test]
async fn retries_respect_the_gap_the_attempt_limit_and_move_to_the_next_number() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let project = api.project("Retries").await;
    let rules = json!({
        "retries": {"max_attempts_per_number": 1, "max_attempts": 3, "min_gap_minutes": 60},
        "dispositions": {"8": {"action": "retry", "after_minutes": 10}}
    });
    assert_eq!(put_rules(&api, project, rules).await.status, 200);
    let mut two_numbers = record("3611111111", None);
    two_numbers["contacts"]["2"] = json!({"phone": "3622222222"});
    let id = add_records(&api, project, vec![two_numbers]).await[0];
    let busy = |owner: &str| json!({"owner": owner, "dispositionid": 8, "userid": "agent"});

    let first = claim_at(&api, project, "d", "2026-05-04T08:00:00Z").await.unwrap();
    assert_eq!(first["phone"], "3611111111");
    let after = release_at(&api, id, "2026-05-04T08:01:00Z", busy("d")).await;
    assert_eq!(
        after["next_calldate"], "2026-05-04 09:01:00",
        "the 60-minute gap beats 10 minutes"
    );
    assert_eq!(after["phone"], "3622222222", "phone1 used its one attempt");
    assert_eq!(claim_at(&api, project, "d", "2026-05-04T09:00:00Z").await, None);
    let second = claim_at(&api, project, "d", "2026-05-04T09:01:00Z").await.unwrap();
    assert_eq!(second["phone"], "3622222222");
    let shown = show(&api, id, "2026-05-04T09:02:00Z").await;
    assert_eq!(shown["attempts_by_number"], json!({"phone1": 1}));
    let done = release_at(&api, id, "2026-05-04T09:05:00Z", busy("d")).await;
    assert!(done["done_at"].is_string(), "both numbers used their attempts: {done}");
    assert_eq!(claim_at(&api, project, "d", "2026-05-05T09:00:00Z").await, None);
    let shown = show(&api, id, "2026-05-05T09:00:00Z").await;
    assert_eq!(shown["attempts"], 2);
    assert_eq!(shown["attempts_by_number"], json!({"phone1": 1, "phone2": 1}));
    assert_eq!(shown["next_callable_at"], Value::Null);

    // Call-backs agreed with the contact are kept whatever the gap, not beyond the attempt limit.
    let other = add_records(&api, project, vec![record("3633333333", None)]).await[0];
    for minute in 0..3 {
        let now = format!("2026-05-06T10:0{minute}:00Z");
        assert_eq!(claim_at(&api, project, "d", &now).await.unwrap()["id"], other);
        let callback = json!({"owner": "d", "dispositionid": 5, "userid": "a", "next_calldate": "2020-01-01 00:00:00"});
        release_at(&api, other, &now, callback).await;
    }
    assert_eq!(
        claim_at(&api, project, "d", "2026-05-06T10:05:00Z").await,
        None,
        "3 attempts of 3"
    );
    assert_eq!(
        show(&api, other, "2026-05-06T10:05:00Z").await["next_callable_at"],
        Value::Null
    );
}

#[tokio::test]
async fn a_call_back_is_its_owners_until_the_grace_time_is_over() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let project = api.project("Callbacks").await;
    assert_eq!(
        put_rules(&api, project, json!({"callback_grace_minutes": 30}))
            .await
            .status,
        200
    );
    let id = add_records(&api, project, vec![record(BUDAPEST, None)]).await[0];
    assert!(claim_at(&api, project, "d", "2026-05-04T08:00:00Z").await.is_some());
    let callback = json!({"owner": "d", "dispositionid": 5, "userid": "agent-7",
        "next_calldate": "2026-05-04 12:00:00", "callback_owner": "agent-7"});
    release_at(&api, id, "2026-05-04T08:05:00Z", callback).await;
    assert_eq!(claim_at(&api, project, "other", "2026-05-04T12:10:00Z").await, None);
    let shown = show(&api, id, "2026-05-04T12:10:00Z").await;
    assert_eq!(shown["callback_owner"], "agent-7");
    assert_eq!(
        claim_at(&api, project, "agent-7", "2026-05-04T12:10:00Z")
            .await
            .unwrap()["id"],
        id
    );
    release_at(&api, id, "2026-05-04T12:11:00Z", json!({"owner": "agent-7"})).await;
    assert_eq!(claim_at(&api, project, "other", "2026-05-04T12:29:59Z").await, None);
    assert_eq!(
        claim_at(&api, project, "other", "2026-05-04T12:30:00Z").await.unwrap()["id"],
        id
    );

    let orphan = json!({"owner": "other", "dispositionid": 5, "userid": "a", "callback_owner": "agent-7"});
    let path = format!("/dialbase/v1/records/{id}/release");
    let reply = at(&api, "2026-05-04T12:31:00Z", Method::POST, &path, Some(orphan)).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
}

#[tokio::test]
async fn a_do_not_call_result_lists_the_number_dialed() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let project = api.project("Optout").await;
    let rules = json!({"dispositions": {"9": {"action": "dnc", "list": "default"}}});
    assert_eq!(put_rules(&api, project, rules).await.status, 200);
    let ids = add_records(&api, project, vec![record(BUDAPEST, None), record(BUDAPEST, None)]).await;
    let first = claim_at(&api, project, "d", "2026-05-04T08:00:00Z").await.unwrap();
    let id = first["id"].as_i64().unwrap();
    let released = release_at(
        &api,
        id,
        "2026-05-04T08:01:00Z",
        json!({"owner": "d", "dispositionid": 9, "userid": "a"}),
    )
    .await;
    assert_eq!(released["robinson"], true);
    let twin = ids.iter().copied().find(|&i| i != id).unwrap();
    assert_eq!(
        show(&api, twin, "2026-05-04T08:02:00Z").await["robinson"],
        true,
        "same number elsewhere"
    );
    assert_eq!(claim_at(&api, project, "d", "2026-05-04T08:02:00Z").await, None);
}

/// Two nodes, eight dialers, at a time when only the Budapest half may be called: every
/// Budapest record is handed out once, no New York one at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_claim_under_rules_without_breaking_them() {
    let db = Database::fresh();
    let nodes = [start(&db), start(&db)];
    let api = nodes[0].client();
    let project = api.project("Nodes").await;
    let week = every_day("09:00", "20:00");
    assert_eq!(
        put_rules(&api, project, json!({"calling_hours": week})).await.status,
        200
    );
    let records = (0..1_000)
        .map(|i| match i % 2 {
            0 => record(&format!("361{i:07}"), None),
            _ => record(&format!("1212{i:07}"), None),
        })
        .collect();
    let ids = add_records(&api, project, records).await;
    let budapest: HashSet<i64> = ids.iter().step_by(2).copied().collect();
    let dialers: Vec<_> = (0..8)
        .map(|n| {
            let api = nodes[n % 2].client();
            tokio::spawn(async move {
                let mut got = Vec::new();
                let owner = format!("dialer-{n}");
                while got.len() <= 1_000
                    && let Some(r) = claim_at(&api, project, &owner, "2026-05-04T08:00:00Z").await
                {
                    got.push(r["id"].as_i64().unwrap());
                }
                got
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for dialer in dialers {
        claimed.extend(dialer.await.expect("dialer"));
    }
    let unique: HashSet<i64> = claimed.iter().copied().collect();
    assert_eq!(unique.len(), claimed.len(), "no contact twice");
    assert_eq!(
        unique, budapest,
        "every Budapest contact, no New York one (04:00 there)"
    );
}
