//! `Idempotency-Key` on writes of every dialect: a repeat gets the first answer byte for
//! byte and writes nothing; the key with another request is 422 in the dialect's format;
//! concurrent repeats store once; a request that wrote nothing leaves no key behind.

use crate::common::dialer::record;
use crate::common::iovox::{contact, request};
use crate::common::{Client, Database, Reply, Server};
use reqwest::Method;
use serde_json::{Value, json};

async fn keyed(api: &Client, method: Method, path: &str, body: &Value, key: &str) -> Reply {
    api.send_with(method, path, Some(body.to_string()), &[("Idempotency-Key", key)])
        .await
}

async fn record_count(api: &Client, project: i64) -> u64 {
    let list = api.get(&format!("/v2/projects/{project}/records?limit=1")).await;
    list.headers["x-total-count"].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_repeated_key_answers_the_first_answer_and_writes_nothing() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Keys").await;
    let path = format!("/v2/projects/{project}/records");
    let batch = json!([record("3611111111", None), record("3622222222", None)]);

    let first = keyed(&api, Method::POST, &path, &batch, "import-0001").await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert!(!first.headers.contains_key("idempotent-replayed"));
    for _ in 0..2 {
        let again = keyed(&api, Method::POST, &path, &batch, "import-0001").await;
        assert_eq!((again.status, &again.text), (first.status, &first.text));
        assert_eq!(again.headers["content-type"], first.headers["content-type"]);
        assert_eq!(again.headers["idempotent-replayed"], "true");
    }
    assert_eq!(record_count(&api, project).await, 2);

    // The key with another body: 422 in VCC's envelope, nothing written.
    let other = json!([record("3633333333", None)]);
    let reused = keyed(&api, Method::POST, &path, &other, "import-0001").await;
    assert_eq!(reused.status, 422, "{}", reused.text);
    assert_eq!(reused.body["errors"][0]["errormessage"], "error.idempotency_key_reused");
    assert_eq!(record_count(&api, project).await, 2);
    // Credentials are checked before a key says anything.
    let stranger = server.client_as("mycc", "mycc", "not-the-key-0000");
    let unknown = keyed(&stranger, Method::POST, &path, &batch, "import-0001").await;
    assert_eq!(unknown.status, 401, "{}", unknown.text);
    // Another key stores again; no key at all as well.
    assert_eq!(
        keyed(&api, Method::POST, &path, &other, "import-0002").await.status,
        200
    );
    assert_eq!(api.post(&path, &other.to_string()).await.status, 200);
    assert_eq!(record_count(&api, project).await, 4);

    // A batch whose items all failed was still answered by its write: the answer repeats.
    let refused = keyed(&api, Method::POST, &path, &json!({"not": "a record"}), "import-0003").await;
    assert_eq!(refused.status, 417, "{}", refused.text);
    let repeated = keyed(&api, Method::POST, &path, &json!({"not": "a record"}), "import-0003").await;
    assert_eq!((repeated.status, repeated.text), (refused.status, refused.text));
    // A request refused before any write keeps no key: fixed, it runs.
    let broken = api
        .send_with(
            Method::POST,
            &path,
            Some("[{".into()),
            &[("Idempotency-Key", "import-0004")],
        )
        .await;
    assert_eq!(broken.status, 400, "{}", broken.text);
    let fixed = keyed(&api, Method::POST, &path, &batch, "import-0004").await;
    assert_eq!(fixed.status, 200, "{}", fixed.text);
    assert_eq!(record_count(&api, project).await, 6);

    // Keys are per tenant: another tenant's identical key is its own.
    db.admin(&["key", "add", "other", "other", "--key", "other-key-123"]);
    let theirs = server.client_as("other", "other", "other-key-123");
    let their_project = theirs.project("Theirs").await;
    let their_path = format!("/v2/projects/{their_project}/records");
    let stored = keyed(&theirs, Method::POST, &their_path, &batch, "import-0001").await;
    assert_eq!(stored.status, 200, "{}", stored.text);
    assert!(!stored.headers.contains_key("idempotent-replayed"));

    // A key must be 1-255 visible characters.
    let long = "k".repeat(256);
    let refused = keyed(&api, Method::POST, &path, &batch, &long).await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(record_count(&api, project).await, 6);
}

#[tokio::test]
async fn jtel_and_iovox_writes_repeat_their_first_answer() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let campaign = api.project("Campaign").await;
    let contact_json = json!([{"DiallerCampaignsID": campaign, "Name": "Ann", "UserData": "u-1",
                               "PhoneNumber1": "3611111111"}]);
    let first = keyed(&api, Method::POST, "/dialler/contacts/contact", &contact_json, "jtel-1").await;
    assert_eq!(first.status, 200, "{}", first.text);
    let again = keyed(&api, Method::POST, "/dialler/contacts/contact", &contact_json, "jtel-1").await;
    assert_eq!(again.text, first.text);
    let reused = keyed(
        &api,
        Method::DELETE,
        "/dialler/contacts/contact/1",
        &json!({}),
        "jtel-1",
    )
    .await;
    assert_eq!(
        (reused.status.as_u16(), reused.body["status"].clone()),
        (422, json!(422)),
        "{}",
        reused.text
    );
    let users = api.get("/dialler/contacts/contact?userData=u-1").await;
    assert_eq!(users.body["count"], 1, "{}", users.text);

    let xml = request(
        "",
        &[contact(
            "c-1",
            &[("first_name", "Ann"), ("phone_number", "441234567890")],
        )],
    );
    let send = |key: &'static str| {
        let api = &api;
        let xml = xml.clone();
        async move {
            api.http
                .post(format!("{}/Contacts?v=3&method=createContacts", api.base))
                .header("username", &api.user)
                .header("secureKey", &api.key)
                .header("Idempotency-Key", key)
                .body(xml)
                .send()
                .await
                .unwrap()
        }
    };
    let created = send("iovox-1").await;
    let status = created.status();
    let body = created.bytes().await.unwrap();
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let repeated = send("iovox-1").await;
    assert_eq!(repeated.status(), status);
    assert_eq!(repeated.bytes().await.unwrap(), body);
    // Without the key the vendor's own rule answers: the contact exists already.
    let unkeyed = api.create_contacts(&xml).await;
    assert_ne!(unkeyed.status, 201, "{}", unkeyed.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_with_one_key_store_once() {
    let db = Database::fresh();
    let nodes = [Server::start(&db), Server::start(&db)];
    let api = nodes[0].client();
    let project = api.project("Race").await;
    let path = format!("/v2/projects/{project}/records");
    let batch = json!(
        (0..50)
            .map(|i| record(&format!("3650{i:06}"), None))
            .collect::<Vec<_>>()
    );
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let api = nodes[n % 2].client();
            let (path, batch) = (path.clone(), batch.clone());
            tokio::spawn(async move { keyed(&api, Method::POST, &path, &batch, "race-key").await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        let reply = task.await.unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text);
        answers.push(reply.text);
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert_eq!(record_count(&api, project).await, 50);
}
