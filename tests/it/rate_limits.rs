//! Failed logins refused for a while once they pile up, and the per-user token bucket of
//! `DIALBASE_RATE_LIMIT`: 429 with `Retry-After`, in each dialect's own format.

use crate::common::{Database, Server};
use reqwest::Method;

#[tokio::test]
async fn a_user_guessing_keys_is_refused_for_a_while_even_with_the_right_one() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let guesser = server.client_as("mycc", "mycc", "wrong-key-1");
    for _ in 0..10 {
        assert_eq!(guesser.get("/v2/projects").await.status, 401);
    }
    let refused = server.client().get("/v2/projects").await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert_eq!(refused.body["errors"][0]["errormessage"], "error.too_many_requests");
    let wait: u64 = refused.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let jtel = server.client().get("/dialler/contacts").await;
    assert_eq!(
        (jtel.status.as_u16(), &jtel.body["status"]),
        (429, &serde_json::json!(429))
    );
    let iovox = server
        .client()
        .iovox(Method::GET, "/Contacts?v=3&method=getContacts", None)
        .await;
    assert_eq!(iovox.status, 429, "{}", iovox.text);
    assert!(iovox.text.contains("Too Many Requests"), "{}", iovox.text);
    assert!(iovox.headers.contains_key("retry-after"));
    // Another user of the tenant is not held up by this one's failures.
    db.admin(&["key", "add", "mycc", "crm", "--key", "crm-key-0001"]);
    assert_eq!(
        server
            .client_as("mycc", "crm", "crm-key-0001")
            .get("/v2/projects")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn each_user_has_a_token_bucket_when_a_rate_limit_is_set() {
    let db = Database::fresh();
    let server = Server::start_with(&db, &[("DIALBASE_RATE_LIMIT", "1/3")]);
    let api = server.client();
    for _ in 0..3 {
        assert_eq!(api.get("/v2/projects").await.status, 200, "the burst");
    }
    // A token a second comes back: ten quick requests outrun it (unless each took a second).
    let mut refused = None;
    for _ in 0..10 {
        let reply = api.get("/v2/projects").await;
        if reply.status == 429 {
            refused = Some(reply);
            break;
        }
    }
    let refused = refused.expect("a request beyond the bucket is refused");
    assert!(refused.headers.contains_key("retry-after"));
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(
        api.get("/v2/projects").await.status,
        200,
        "a token came back after a second"
    );
}

#[tokio::test]
async fn a_rate_limit_that_is_none_stops_the_start() {
    let db = Database::fresh();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dialbase"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DIALBASE_DATABASE", &db.url)
        .env("DIALBASE_RATE_LIMIT", "fast")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DIALBASE_RATE_LIMIT"));
}
