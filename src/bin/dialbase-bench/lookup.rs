//! Concurrent read load: many connections looking records up one by one.

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
    /// Throughput and latency rows for the report, named after what was looked up.
    pub fn figures(&self, what: &str) -> [Figure; 3] {
        [
            Figure::info(format!("{what}: requests/s"), self.per_second, "req/s"),
            Figure::info(format!("{what}: p50"), self.p50_ms, "ms"),
            Figure::info(format!("{what}: p99"), self.p99_ms, "ms"),
        ]
    }
}

/// Runs `connections` tasks, each sending `per_connection` GETs of the paths `path_of`
/// yields for a pseudo-random record number; every answer must be 200.
pub async fn run(
    api: &Api,
    connections: usize,
    per_connection: usize,
    records: usize,
    path_of: impl Fn(usize) -> String + Send + Sync + Clone + 'static,
) -> Result<LoadOutcome, String> {
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for connection in 0..connections {
        let (api, path_of) = (api.clone(), path_of.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(per_connection);
            for n in 0..per_connection {
                // A multiplicative hash spreads the look-ups over the whole table.
                let record = (connection * per_connection + n).wrapping_mul(2_654_435_761) % records;
                let (status, _, elapsed, _) = api.call(Method::GET, &path_of(record), None).await?;
                if status != 200 {
                    return Err(format!("lookup answered {status}"));
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
