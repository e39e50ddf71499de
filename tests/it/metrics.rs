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
