//! The dialer paths: contacts loaded through the jtel dialect, looked up by userData,
//! and claim + release by concurrent dialers.

use crate::client::{Api, percentile_ms};
use crate::data;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Loads `count` jtel contacts (UserData `lead-i`) into a new campaign; returns its id.
pub async fn load_jtel_contacts(api: &Api, count: usize, batch: usize) -> Result<i64, String> {
    let (reply, _) = api
        .ok(Method::POST, "/v2/projects", Some(br#"{"name": "dialer"}"#.to_vec()))
        .await?;
    let campaign = reply["response"].as_i64().ok_or("no project id")?;
    for start in (0..count).step_by(batch) {
        let contacts: Vec<Value> = (start..count.min(start + batch))
            .map(|i| {
                json!({"DiallerCampaignsID": campaign, "UserData": data::user_data(i), "Name": format!("Lead Number {i}"),
                       "PhoneNumber1": data::phone(i, 3), "Company": format!("Company {}", i % 5000)})
            })
            .collect();
        let body = serde_json::to_vec(&contacts).map_err(|e| e.to_string())?;
        let (status, reply, _, _) = api.call(Method::POST, "/dialler/contacts/contact", Some(body)).await?;
        if status != 200 || reply["count"].as_u64() != Some(contacts.len() as u64) {
            return Err(format!("jtel insert answered {status}: {reply}"));
        }
    }
    Ok(campaign)
}

pub struct ClaimOutcome {
    pub claims: usize,
    pub per_second: f64,
    pub claim_p99_ms: f64,
    pub distinct: usize,
}

/// `dialers` tasks each claim and release `per_dialer` contacts of `campaign`; every
/// released contact is done, so no contact may be handed out twice.
pub async fn claim_and_release(
    api: &Api,
    campaign: i64,
    dialers: usize,
    per_dialer: usize,
) -> Result<ClaimOutcome, String> {
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for dialer in 0..dialers {
        let api = api.clone();
        tasks.spawn(async move {
            let owner = format!("dialer-{dialer}");
            let claim_body = json!({"owner": owner, "lease_seconds": 60}).to_string().into_bytes();
            let release_body = json!({"owner": owner, "dispositionid": 1, "userid": "7"})
                .to_string()
                .into_bytes();
            let mut latencies = Vec::with_capacity(per_dialer);
            let mut ids = Vec::with_capacity(per_dialer);
            for _ in 0..per_dialer {
                let path = format!("/dialbase/v1/projects/{campaign}/claim");
                let (status, record, elapsed, _) = api.call(Method::POST, &path, Some(claim_body.clone())).await?;
                if status != 200 {
                    return Err(format!("claim answered {status}: {record}"));
                }
                latencies.push(elapsed);
                let id = record["record"]["id"].as_i64().ok_or("claimed record has no id")?;
                ids.push(id);
                let release = format!("/dialbase/v1/records/{id}/release");
                let (status, reply, _, _) = api.call(Method::POST, &release, Some(release_body.clone())).await?;
                if status != 200 {
                    return Err(format!("release answered {status}: {reply}"));
                }
            }
            Ok::<_, String>((latencies, ids))
        });
    }
    let mut latencies: Vec<Duration> = Vec::new();
    let mut ids = Vec::new();
    while let Some(result) = tasks.join_next().await {
        let (l, i) = result.map_err(|e| e.to_string())??;
        latencies.extend(l);
        ids.extend(i);
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let claims = ids.len();
    ids.sort_unstable();
    ids.dedup();
    Ok(ClaimOutcome {
        claims,
        per_second: claims as f64 / seconds,
        claim_p99_ms: percentile_ms(&latencies, 99.0),
        distinct: ids.len(),
    })
}
