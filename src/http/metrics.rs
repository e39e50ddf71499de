//! Prometheus metrics (`DIALBASE_METRICS_LISTEN`, served on their own address so that the
//! API's port never exposes them): requests by dialect, route and status, latency
//! histograms, the database pool's use, and each project's claim queue depth (sampled
//! from the database every `DIALBASE_QUEUE_SAMPLE` seconds, never per request).

use super::paths::ApiDialect;
use crate::storage::Store;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed once (a second install would fail).
pub fn handle() -> Result<&'static PrometheusHandle, String> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle);
    }
    let buckets = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ];
    let handle = PrometheusBuilder::new()
        .set_buckets(&buckets)
        .and_then(|b| b.install_recorder())
        .map_err(|e| format!("metrics: {e}"))?;
    Ok(HANDLE.get_or_init(|| handle))
}

/// Counts and times every request (route as matched, `unmatched` otherwise).
pub async fn record(request: Request, next: Next) -> Response {
    if HANDLE.get().is_none() {
        return next.run(request).await; // metrics are off: nothing to pay for
    }
    let started = Instant::now();
    let dialect = ApiDialect::of_path(request.uri().path()).label();
    let method = request.method().to_string();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let status = response.status().as_u16().to_string();
    let labels = [("dialect", dialect.to_string()), ("route", route), ("method", method)];
    metrics::histogram!("dialbase_http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    let mut labels = labels.to_vec();
    labels.push(("status", status));
    metrics::counter!("dialbase_http_requests_total", &labels).increment(1);
    response
}

/// Hands the route the router matched to [`record`], which runs outside the router, on
/// the response.
pub async fn remember_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// Serves `/metrics` on `listen` until the process ends.
pub async fn serve(listen: &str, store: Arc<dyn Store>) -> Result<(), String> {
    let handle = handle()?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("metrics listener {listen}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!("metrics on http://{address}/metrics");
    let sampled = store.clone();
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let store = store.clone();
            async move {
                let (in_use, size) = store.pool_use();
                metrics::gauge!("dialbase_db_pool_connections_in_use").set(in_use as f64);
                metrics::gauge!("dialbase_db_pool_connections_max").set(size as f64);
                handle.render()
            }
        }),
    );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics listener failed");
        }
    });
    tokio::spawn(sample_queues(sampled, queue_sample_interval()?));
    Ok(())
}

/// Seconds between two samples of the claim queues.
const QUEUE_SAMPLE: u64 = 15;

fn queue_sample_interval() -> Result<Duration, String> {
    crate::settings::number("DIALBASE_QUEUE_SAMPLE", QUEUE_SAMPLE, 1..=3600).map(Duration::from_secs)
}

/// `dialbase_claim_queue_depth{tenant, project}`: one grouped count per sample. A project
/// whose queue emptied (or that went away) shows 0 until the process ends.
async fn sample_queues(store: Arc<dyn Store>, every: Duration) {
    let mut shown: HashSet<(String, i64)> = HashSet::new();
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let depths = match store.queue_depths(None).await {
            Ok(depths) => depths,
            Err(error) => {
                tracing::warn!(%error, "could not sample the claim queues");
                continue;
            }
        };
        let mut now_shown = HashSet::with_capacity(depths.len());
        for depth in depths {
            let labels = [("tenant", depth.tenant.clone()), ("project", depth.project.to_string())];
            metrics::gauge!("dialbase_claim_queue_depth", &labels).set(depth.waiting as f64);
            now_shown.insert((depth.tenant, depth.project));
        }
        for (tenant, project) in shown.difference(&now_shown) {
            let labels = [("tenant", tenant.clone()), ("project", project.to_string())];
            metrics::gauge!("dialbase_claim_queue_depth", &labels).set(0.0);
        }
        shown.extend(now_shown);
    }
}
