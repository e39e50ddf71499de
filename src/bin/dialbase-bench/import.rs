//! Phase 1: bulk import over HTTP (VCC Live "Add record"), arrays of `batch` records with
//! two requests in flight (the client builds the next body while the server stores one).

use crate::client::Api;
use crate::data;
use reqwest::Method;
use serde_json::Value;
use std::time::Instant;
use tokio::task::JoinSet;

pub struct ImportOutcome {
    pub project: i64,
    /// The lowest record id: the import's ids are `first_id..first_id + records`.
    pub first_id: i64,
    pub records_per_second: f64,
    pub imported: u64,
}

/// A new project with the declared fields (list fields, indexed search fields).
async fn setup_project(api: &Api, name: &str) -> Result<i64, String> {
    let body = serde_json::json!({ "name": name }).to_string().into_bytes();
    let (reply, _) = api.ok(Method::POST, "/v2/projects", Some(body)).await?;
    let project = reply["response"].as_i64().ok_or("no project id")?;
    for field in data::field_declarations() {
        let path = format!("/v2/projects/{project}/fields");
        api.ok(Method::POST, &path, Some(field.to_string().into_bytes()))
            .await?;
    }
    Ok(project)
}

pub async fn run(api: &Api, records: usize, batch: usize) -> Result<ImportOutcome, String> {
    run_into(api, "bench", records, batch).await
}

/// [`run`] into a new project of this name.
pub async fn run_into(api: &Api, name: &str, records: usize, batch: usize) -> Result<ImportOutcome, String> {
    let project = setup_project(api, name).await?;
    let path = format!("/v2/projects/{project}/records");
    let mut in_flight = JoinSet::new();
    let (mut done, mut first_id) = (0usize, i64::MAX);
    let mut count_in = |(count, lowest): (usize, i64)| {
        done += count;
        first_id = first_id.min(lowest);
    };
    let started = Instant::now();
    for start in (0..records).step_by(batch.max(1)) {
        let count = batch.min(records - start);
        let (api, path) = (api.clone(), path.clone());
        in_flight.spawn(async move {
            let (reply, _) = api
                .ok(Method::POST, &path, Some(data::vcc_records(start, count)))
                .await?;
            let ids: Vec<i64> = reply["response"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_i64)
                .collect();
            match ids.iter().min() {
                Some(&lowest) if ids.len() == count => Ok((count, lowest)),
                _ => Err(format!("stored {} of {count}", ids.len())),
            }
        });
        if in_flight.len() >= 2 {
            count_in(
                in_flight
                    .join_next()
                    .await
                    .ok_or("no task")?
                    .map_err(|e| e.to_string())??,
            );
        }
    }
    while let Some(result) = in_flight.join_next().await {
        count_in(result.map_err(|e| e.to_string())??);
    }
    let seconds = started.elapsed().as_secs_f64();
    let imported = api.total(&format!("/v2/projects/{project}/records?limit=1")).await?;
    if imported != records as u64 || done != records {
        return Err(format!("imported {imported} records, expected {records}"));
    }
    Ok(ImportOutcome {
        project,
        first_id,
        records_per_second: records as f64 / seconds,
        imported,
    })
}
