//! Webhooks: the change feed delivered to a receiver running inside the test, signed,
//! retried, dead-lettered and redelivered, and complete in order per record across a
//! server killed in the middle of its deliveries.

use crate::common::dialer::{add_records, record};
use crate::common::{Client, Database, Server};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "receiver-secret-0123456789";

/// What the receiver got, and how it answers.
#[derive(Default)]
struct Inbox {
    received: Mutex<Vec<(HeaderMap, Value)>>,
    /// Requests still to answer 500.
    failures_left: Mutex<usize>,
    /// Per request, before answering.
    delay: Mutex<Duration>,
}

impl Inbox {
    fn events(&self) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|(_, body)| body.clone())
            .collect()
    }
}

async fn receive(State(inbox): State<Arc<Inbox>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let delay = *inbox.delay.lock().unwrap();
    tokio::time::sleep(delay).await;
    {
        let mut left = inbox.failures_left.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    }
    // The signature: HMAC-SHA256 of "<timestamp>.<body>" under the secret.
    let timestamp = headers["x-dialbase-timestamp"].to_str().unwrap().to_string();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(&body);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        headers["x-dialbase-signature"].to_str().unwrap(),
        format!("sha256={expected}")
    );
    let body: Value = serde_json::from_slice(&body).unwrap();
    inbox.received.lock().unwrap().push((headers, body));
    StatusCode::NO_CONTENT
}

/// A receiver on a free local port; its URL.
async fn receiver(inbox: Arc<Inbox>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = Router::new().route("/hook", post(receive)).with_state(inbox);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/hook")
}

async fn subscribe(api: &Client, body: Value) -> Value {
    let created = api.post("/dialbase/v1/webhooks", &body.to_string()).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body["webhook"].clone()
}

/// Waits until `done` holds (or fails after `patience`).
async fn until(patience: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < patience, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn kinds(events: &[Value]) -> Vec<(String, i64)> {
    events
        .iter()
        .map(|e| (e["type"].as_str().unwrap().to_string(), e["record"].as_i64().unwrap()))
        .collect()
}

#[tokio::test]
async fn events_are_delivered_signed_in_order_and_logged() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let inbox = Arc::new(Inbox::default());
    let url = receiver(inbox.clone()).await;
    let project = api.project("Hooks").await;
    let before = add_records(&api, project, vec![record("3610000000", None)]).await[0];

    let webhook = subscribe(
        &api,
        json!({"url": url, "secret": SECRET, "types": ["add", "lock", "delete"]}),
    )
    .await;
    assert_eq!(webhook["secret"], SECRET);
    assert_eq!(webhook["types"], json!(["add", "lock", "delete"]));
    let id = webhook["id"].as_i64().unwrap();
    let ids = add_records(
        &api,
        project,
        vec![record("3611111111", None), record("3622222222", None)],
    )
    .await;
    let modify = json!({"elements": [{"numberid": ids[0], "form": {"city": "Eger"}}]});
    api.put(&format!("/v2/projects/{project}/records"), &modify.to_string())
        .await;
    api.patch(&format!("/dialler/contacts/contact/{}/lock", ids[1])).await;
    api.delete(&format!("/dialler/contacts/contact/{}", ids[0])).await;

    until(Duration::from_secs(20), "four deliveries", || inbox.events().len() >= 4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let events = inbox.events();
    // From its creation on (not the record added before), only the types asked for.
    assert_eq!(
        kinds(&events),
        [
            ("add".into(), ids[0]),
            ("add".into(), ids[1]),
            ("lock".into(), ids[1]),
            ("delete".into(), ids[0])
        ],
        "before: {before}"
    );
    assert!(
        events
            .iter()
            .all(|e| e["webhook"] == json!(id) && e["project"] == json!(project))
    );

    let log = api.get(&format!("/dialbase/v1/webhooks/{id}/deliveries")).await;
    assert_eq!(log.status, 200, "{}", log.text);
    let states: Vec<&str> = log.body["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["delivered"; 4]);
    let listed = api.get("/dialbase/v1/webhooks").await;
    assert_eq!(listed.body["webhooks"][0]["id"], json!(id));
    assert!(listed.body["webhooks"][0].get("secret").is_none(), "{}", listed.text);

    // Wrong subscriptions are refused with a code; another tenant sees none of it.
    for (body, code) in [
        (json!({"url": "ftp://x"}), "wrong_url"),
        (json!({"url": url, "secret": "short"}), "wrong_secret"),
        (json!({"url": url, "types": ["added"]}), "wrong_type"),
        (json!({"url": url, "after": "x"}), "wrong_after"),
    ] {
        let refused = api.post("/dialbase/v1/webhooks", &body.to_string()).await;
        assert_eq!(
            (refused.status.as_u16(), refused.body["code"].as_str()),
            (400, Some(code)),
            "{body}"
        );
    }
    db.admin(&["key", "add", "other", "other", "--key", "other-key-123"]);
    let theirs = server.client_as("other", "other", "other-key-123");
    assert_eq!(theirs.get("/dialbase/v1/webhooks").await.body["count"], 0);
    assert_eq!(
        theirs
            .get(&format!("/dialbase/v1/webhooks/{id}/deliveries"))
            .await
            .status,
        404
    );
    assert_eq!(theirs.delete(&format!("/dialbase/v1/webhooks/{id}")).await.status, 404);
    assert_eq!(api.delete(&format!("/dialbase/v1/webhooks/{id}")).await.status, 200);
    assert_eq!(api.get("/dialbase/v1/webhooks").await.body["count"], 0);
}

#[tokio::test]
async fn a_failing_receiver_is_retried_then_dead_lettered_and_redelivered() {
    let db = Database::fresh();
    let server = Server::start_with(&db, &[("DIALBASE_WEBHOOK_ATTEMPTS", "3")]);
    let api = server.client();
    let inbox = Arc::new(Inbox::default());
    let url = receiver(inbox.clone()).await;
    let project = api.project("Flaky").await;
    let id = subscribe(&api, json!({"url": url, "secret": SECRET})).await["id"]
        .as_i64()
        .unwrap();

    // Two failures, then it answers: the event arrives on its third attempt.
    *inbox.failures_left.lock().unwrap() = 2;
    let first = add_records(&api, project, vec![record("3611111111", None)]).await[0];
    until(Duration::from_secs(20), "the retried delivery", || {
        inbox.events().len() == 1
    })
    .await;
    let (headers, _) = inbox.received.lock().unwrap()[0].clone();
    assert_eq!(headers["x-dialbase-attempt"], "3");

    // Three failures: dead-lettered, and the next event goes out after it.
    *inbox.failures_left.lock().unwrap() = 3;
    let second = add_records(&api, project, vec![record("3622222222", None)]).await[0];
    let third = add_records(&api, project, vec![record("3633333333", None)]).await[0];
    until(Duration::from_secs(30), "the event after the dead one", || {
        inbox.events().len() == 2
    })
    .await;
    assert_eq!(kinds(&inbox.events()), [("add".into(), first), ("add".into(), third)]);
    let dead = api
        .get(&format!("/dialbase/v1/webhooks/{id}/deliveries?state=dead"))
        .await;
    let dead = dead.body["deliveries"].as_array().unwrap().clone();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(
        (dead[0]["record"].as_i64(), dead[0]["attempts"].as_i64()),
        (Some(second), Some(3))
    );
    assert_eq!(dead[0]["last_status"], 500);

    let path = format!("/dialbase/v1/webhooks/{id}/deliveries/{}/redeliver", dead[0]["id"]);
    assert_eq!(api.post(&path, "").await.status, 200);
    until(Duration::from_secs(20), "the redelivery", || inbox.events().len() == 3).await;
    assert_eq!(kinds(&inbox.events())[2], ("add".into(), second));
    // Only a dead delivery goes again.
    let again = api.post(&path, "").await;
    assert_eq!(again.status, 409, "{}", again.text);
}

#[tokio::test]
async fn every_event_arrives_in_order_per_record_across_a_killed_server() {
    let db = Database::fresh();
    let lease = [("DIALBASE_WEBHOOK_LEASE", "2")];
    let server = Server::start_with(&db, &lease);
    let api = server.client();
    let inbox = Arc::new(Inbox::default());
    *inbox.delay.lock().unwrap() = Duration::from_millis(15);
    let url = receiver(inbox.clone()).await;
    let project = api.project("Crash").await;
    subscribe(&api, json!({"url": url, "secret": SECRET})).await;
    let ids = add_records(
        &api,
        project,
        (0..20).map(|i| record(&format!("36{i:08}"), None)).collect(),
    )
    .await;
    for round in 0..4 {
        let elements: Vec<Value> = ids
            .iter()
            .map(|id| json!({"numberid": id, "form": {"round": format!("r{round}")}}))
            .collect();
        let reply = api
            .put(
                &format!("/v2/projects/{project}/records"),
                &json!({"elements": elements}).to_string(),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let (expected, _) = crate::change_feed::all_changes(&api, "").await;
    assert_eq!(expected.len(), 100);

    // Killed (SIGKILL) while it delivers; another node takes over once the lease lapses.
    until(Duration::from_secs(20), "some deliveries", || {
        inbox.events().len() >= 10
    })
    .await;
    server.stop();
    let delivered_before = inbox.events().len();
    assert!(delivered_before < expected.len(), "all delivered before the kill");
    let _next = Server::start_with(&db, &lease);
    let cursors = |events: &[Value]| {
        events
            .iter()
            .map(|e| e["cursor"].as_str().unwrap().to_string())
            .collect::<HashSet<_>>()
    };
    let wanted = cursors(&expected);
    until(Duration::from_secs(60), "every event", || {
        cursors(&inbox.events()) == wanted
    })
    .await;

    // Repeats are allowed (at least once); first arrivals are in feed order per record.
    let position: HashMap<String, usize> = expected
        .iter()
        .enumerate()
        .map(|(i, e)| (e["cursor"].as_str().unwrap().to_string(), i))
        .collect();
    let mut seen = HashSet::new();
    let mut last_per_record: HashMap<i64, usize> = HashMap::new();
    for event in inbox.events() {
        let cursor = event["cursor"].as_str().unwrap().to_string();
        if !seen.insert(cursor.clone()) {
            continue;
        }
        let at = position[&cursor];
        let record = event["record"].as_i64().unwrap();
        if let Some(previous) = last_per_record.insert(record, at) {
            assert!(previous < at, "record {record}: event {at} arrived after {previous}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_send_each_event_once() {
    let db = Database::fresh();
    let nodes = [Server::start(&db), Server::start(&db)];
    let api = nodes[0].client();
    let inbox = Arc::new(Inbox::default());
    let url = receiver(inbox.clone()).await;
    let project = api.project("Pair").await;
    subscribe(&api, json!({"url": url, "secret": SECRET})).await;
    for n in 0..10 {
        let api = nodes[n % 2].client();
        add_records(
            &api,
            project,
            (0..5).map(|i| record(&format!("36{n:02}{i:06}"), None)).collect(),
        )
        .await;
    }
    until(Duration::from_secs(30), "50 deliveries", || inbox.events().len() >= 50).await;
    // Time for a second sender to repeat anything, if there were one.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let events = inbox.events();
    let distinct: HashSet<&str> = events.iter().map(|e| e["cursor"].as_str().unwrap()).collect();
    assert_eq!((events.len(), distinct.len()), (50, 50));
}
