//! Prometheus metrics on their own address (`DIALBASE_METRICS_LISTEN`): requests by
//! dialect, route and status, latency histograms, the database pool.

use crate::common::{Database, Server};
use reqwest::Method;

#[tokio::test]
async fn requests_are_counted_by_dialect_route_and_status_on_the_metrics_address() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let metrics_address = free.local_addr().unwrap();
    drop(free);
    let db = Database::fresh();
    let server = Server::start_with(&db, &[("DIALBASE_METRICS_LISTEN", &metrics_address.to_string())]);
    let api = server.client();
    assert_eq!(api.get("/v2/projects").await.status, 200);
    assert_eq!(api.get("/v2/projects/999/records").await.status, 404);
    assert_eq!(api.get("/dialler/contacts").await.status, 200);
    api.iovox(Method::GET, "/Contacts?v=3&method=getContacts", None).await;

    let text = reqwest::get(format!("http://{metrics_address}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = |needles: &[&str]| {
        text.lines()
            .any(|l| l.starts_with("dialbase_http_requests_total") && needles.iter().all(|n| l.contains(n)))
    };
    assert!(
        line(&["dialect=\"vcc\"", "route=\"/{customer}/v2/projects\"", "status=\"200\""]),
        "{text}"
    );
    assert!(line(&["dialect=\"vcc\"", "status=\"404\""]), "{text}");
    assert!(
        line(&["dialect=\"jtel\"", "route=\"/{customer}/dialler/contacts\""]),
        "{text}"
    );
    assert!(line(&["dialect=\"iovox\""]), "{text}");
    assert!(text.contains("dialbase_http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains("dialbase_db_pool_connections_max"), "{text}");
    let on_api = reqwest::get(format!("{}/metrics", server.base)).await.unwrap();
    assert_eq!(on_api.status(), 404, "the API's address does not show them");
}

/// The gauge's value for one project, once a sample shows it.
fn queue_depth(text: &str, project: i64) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with("dialbase_claim_queue_depth{"))
        .find(|l| l.contains(&format!("project=\"{project}\"")) && l.contains("tenant=\"mycc\""))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

#[tokio::test]
async fn each_project_s_claim_queue_depth_is_sampled_into_a_gauge() {
    use crate::common::dialer::{add_records, claim_id, record};
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let metrics_address = free.local_addr().unwrap();
    drop(free);
    let db = Database::fresh();
    let env = [
        ("DIALBASE_METRICS_LISTEN", metrics_address.to_string()),
        ("DIALBASE_QUEUE_SAMPLE", "1".to_string()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start_with(&db, &env);
    let api = server.client();
    let (busy, other) = (api.project("Busy").await, api.project("Other").await);
    let records = vec![
        record("3612345670", None),
        record("3612345671", None),
        record("3612345672", None),
        record("3612345673", Some("2099-01-01 00:00:00")),
    ];
    add_records(&api, busy, records).await;
    add_records(&api, other, vec![record("3612345674", None)]).await;
    claim_id(&api, busy, "d1").await.expect("a record");

    // Due, unclaimed: two of Busy's four (one is claimed, one not due until 2099); Other's one.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let text = reqwest::get(format!("http://{metrics_address}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if queue_depth(&text, busy) == Some(2.0) && queue_depth(&text, other) == Some(1.0) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no queue depths sampled: {text}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
