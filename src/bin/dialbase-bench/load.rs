//! Concurrent read load: `connections` tasks, each sending its GETs one after another.

use crate::client::{Api, percentile_ms};
use crate::report::Figure;
use reqwest::Method;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

pub struct LoadOutcome {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: usize,
}

impl LoadOutcome {
    /// Throughput and latency rows; targets (at least req/s, at most p99 ms) where given.
    pub fn figures(&self, what: &str, min_per_second: Option<f64>, max_p99_ms: Option<f64>) -> Vec<Figure> {
        let rate = format!("{what}: req/s");
        let p99 = format!("{what}: p99");
        vec![
            match min_per_second {
                Some(target) => Figure::at_least(rate, self.per_second, "req/s", target),
                None => Figure::info(rate, self.per_second, "req/s"),
            },
            Figure::info(format!("{what}: p50"), self.p50_ms, "ms"),
            match max_p99_ms {
                Some(target) => Figure::at_most(p99, self.p99_ms, "ms", target),
                None => Figure::info(p99, self.p99_ms, "ms"),
            },
        ]
    }
}

/// Sends `connections * per_connection` GETs: request `k` (0-based, over all connections)
/// goes to `path_of(k)`. Every answer must be 200.
pub async fn run(
    api: &Api,
    connections: usize,
    per_connection: usize,
    path_of: impl Fn(usize) -> String + Send + Sync + Clone + 'static,
) -> Result<LoadOutcome, String> {
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for connection in 0..connections {
        let (api, path_of) = (api.clone(), path_of.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(per_connection);
            for n in 0..per_connection {
                let path = path_of(connection * per_connection + n);
                let (status, body, elapsed, _) = api.call(Method::GET, &path, None).await?;
                if status != 200 {
                    return Err(format!("{path} answered {status}: {body}"));
                }
                latencies.push(elapsed);
            }
            Ok::<_, String>(latencies)
        });
    }
    let mut all: Vec<Duration> = Vec::with_capacity(connections * per_connection);
    while let Some(result) = tasks.join_next().await {
        all.extend(result.map_err(|e| e.to_string())??);
    }
    let seconds = started.elapsed().as_secs_f64();
    all.sort_unstable();
    Ok(LoadOutcome {
        per_second: all.len() as f64 / seconds,
        p50_ms: percentile_ms(&all, 50.0),
        p99_ms: percentile_ms(&all, 99.0),
        requests: all.len(),
    })
}

/// Spreads request numbers over `0..records` (a multiplicative hash), so a load touches
/// the whole table rather than its first rows.
pub fn spread(k: usize, records: usize) -> usize {
    k.wrapping_mul(2_654_435_761) % records.max(1)
}
