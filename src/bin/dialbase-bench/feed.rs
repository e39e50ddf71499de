//! The change feed's cost and the webhook sender's speed (docs/changes.md): the same
//! import with the feed's triggers on, off and on again (each run by a server started
//! with that setting on the same database), then webhook deliveries per second to a
//! receiver in this process.

use crate::client::Api;
use crate::import;
use crate::server::ServerProcess;
use axum::Router;
use axum::routing::post;
use reqwest::Method;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub struct FeedOutcome {
    pub records: usize,
    pub with_feed: f64,
    pub without_feed: f64,
    pub deliveries: u64,
    pub deliveries_per_second: f64,
}

async fn import_with(database: &str, feed: &str, name: &str, records: usize, batch: usize) -> Result<f64, String> {
    let server = ServerProcess::start_with(database, &[("DIALBASE_CHANGE_FEED", feed)])?;
    let api = Api::new(&server.origin);
    Ok(import::run_into(&api, name, records, batch).await?.records_per_second)
}

/// A receiver that counts what it gets; its URL.
async fn receiver(count: Arc<AtomicU64>) -> Result<String, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let app = Router::new().route(
        "/hook",
        post(move || {
            let count = count.clone();
            async move {
                count.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}/hook"))
}

pub async fn run(database: &str, records: usize, batch: usize, deliveries: u64) -> Result<FeedOutcome, String> {
    // On, off, on: the database grows between runs, so "on" is the mean of before and after.
    let on_before = import_with(database, "on", "feed on 1", records, batch).await?;
    let off = import_with(database, "off", "feed off", records, batch).await?;
    let on_after = import_with(database, "on", "feed on 2", records, batch).await?;

    let count = Arc::new(AtomicU64::new(0));
    let url = receiver(count.clone()).await?;
    let server = ServerProcess::start(database)?;
    let api = Api::new(&server.origin);
    // From the start of the feed: every event kept is due at once.
    let body = serde_json::json!({"url": url, "after": "0"}).to_string().into_bytes();
    let (status, reply, _, _) = api.call(Method::POST, "/dialbase/v1/webhooks", Some(body)).await?;
    if status != 201 {
        return Err(format!("creating the webhook answered {status}: {reply}"));
    }
    let started = Instant::now();
    while count.load(Ordering::Relaxed) < deliveries {
        if started.elapsed() > Duration::from_secs(120) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let delivered = count.load(Ordering::Relaxed);
    Ok(FeedOutcome {
        records,
        with_feed: (on_before + on_after) / 2.0,
        without_feed: off,
        deliveries: delivered,
        deliveries_per_second: delivered as f64 / started.elapsed().as_secs_f64(),
    })
}
