//! Phase 6: dialers. Contacts are loaded through the jtel dialect (user data `lead-i`,
//! number `data::phone(i, 3)`), a tenth of their numbers go on the Robinson list, then
//! concurrent dialers claim and release. Checked: no listed contact is ever handed out,
//! none twice, and once every claimable contact is taken the queue is empty.

use crate::client::{Api, percentile_ms};
use crate::data;
use crate::report::Figure;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

pub struct Campaign {
    pub project: i64,
    pub contacts: usize,
    /// The numbers put on the Robinson list.
    pub listed: Arc<HashSet<String>>,
}

impl Campaign {
    pub fn claimable(&self) -> usize {
        self.contacts - self.listed.len()
    }
}

/// Contact `i`'s number is on the Robinson list: every tenth contact.
fn listed(i: usize) -> bool {
    i % 10 == 9
}

/// Every dialing rule on (docs/dialing.md), none of them keeping a contact of the bench
/// from being claimed: calling hours all day in each contact's zone (still worked out for
/// every claim), a holiday years ahead, attempt limits above the one call per contact.
pub fn all_rules() -> Value {
    let day = json!(["00:00", "24:00"]);
    let week: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| (d.to_string(), day.clone()))
        .collect();
    json!({"calling_hours": week, "holidays": ["2099-12-25"], "default_timezone": "Europe/Budapest",
           "default_country": "HU", "dnc_lists": ["default"],
           "retries": {"max_attempts_per_number": 3, "max_attempts": 6, "min_gap_minutes": 60},
           "dispositions": {"1": {"action": "done"}, "8": {"action": "retry", "after_minutes": 120}},
           "callback_grace_minutes": 30})
}

/// Loads `contacts` jtel contacts into a new campaign (with `rules`, set first), then
/// lists a tenth of their numbers.
pub async fn load(api: &Api, contacts: usize, batch: usize, rules: Option<Value>) -> Result<Campaign, String> {
    let (reply, _) = api
        .ok(Method::POST, "/v2/projects", Some(br#"{"name": "dialer"}"#.to_vec()))
        .await?;
    let project = reply["response"].as_i64().ok_or("no project id")?;
    if let Some(rules) = rules {
        let path = format!("/dialbase/v1/projects/{project}/rules");
        api.ok(Method::PUT, &path, Some(rules.to_string().into_bytes())).await?;
    }
    for start in (0..contacts).step_by(batch.max(1)) {
        let items: Vec<Value> = (start..contacts.min(start + batch))
            .map(|i| {
                json!({"DiallerCampaignsID": project, "UserData": data::user_data(i), "Name": format!("Lead Number {i}"),
                       "PhoneNumber1": data::phone(i, 3), "Company": format!("Company {}", i % 5000)})
            })
            .collect();
        let body = serde_json::to_vec(&items).map_err(|e| e.to_string())?;
        let (status, reply, _, _) = api.call(Method::POST, "/dialler/contacts/contact", Some(body)).await?;
        if status != 200 || reply["count"].as_u64() != Some(items.len() as u64) {
            return Err(format!("jtel insert answered {status}: {reply}"));
        }
    }
    let numbers: Vec<String> = (0..contacts)
        .filter(|&i| listed(i))
        .map(|i| data::phone(i, 3))
        .collect();
    for chunk in numbers.chunks(batch.max(1)) {
        let body = json!({ "phones": chunk }).to_string().into_bytes();
        api.ok(Method::POST, "/v2/robinson", Some(body)).await?;
    }
    Ok(Campaign {
        project,
        contacts,
        listed: Arc::new(numbers.into_iter().collect()),
    })
}

pub struct ClaimOutcome {
    pub dialers: usize,
    pub claims: usize,
    pub per_second: f64,
    pub claim_p99_ms: f64,
    pub distinct: usize,
    /// Claims that handed out a Robinson-listed contact (must be 0).
    pub robinson_claimed: usize,
    /// Whether every claimable contact was claimed and the next claim found none.
    pub drained: bool,
}

impl ClaimOutcome {
    /// The phase's figures (`what` qualifies their names), once it is checked that no
    /// contact was handed out twice or from the Robinson list.
    pub fn figures(&self, what: &str, per_second_target: f64) -> Result<Vec<Figure>, String> {
        if self.distinct != self.claims || self.robinson_claimed != 0 {
            return Err(format!(
                "{} claims{what} handed out {} distinct contacts, {} of them on the Robinson list",
                self.claims, self.distinct, self.robinson_claimed
            ));
        }
        Ok(vec![
            Figure::at_least(
                format!("claim + release{what}, {} dialers: claims/s", self.dialers),
                self.per_second,
                "claims/s",
                per_second_target,
            ),
            Figure::at_most(format!("claim p99{what}"), self.claim_p99_ms, "ms", 10.0),
        ])
    }
}

/// `dialers` tasks each claim and release up to `per_dialer` contacts; the number is cut
/// to what the campaign holds, so every claim must find a contact. Released contacts are
/// done, so none may be handed out twice.
pub async fn claim_and_release(
    api: &Api,
    campaign: &Campaign,
    dialers: usize,
    per_dialer: usize,
) -> Result<ClaimOutcome, String> {
    let per_dialer = per_dialer.min(campaign.claimable() / dialers.max(1));
    if per_dialer == 0 {
        return Err(format!(
            "{} claimable contacts are too few for {dialers} dialers: give more --records",
            campaign.claimable()
        ));
    }
    let claim_path = format!("/dialbase/v1/projects/{}/claim", campaign.project);
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for dialer in 0..dialers {
        let (api, claim_path, listed) = (api.clone(), claim_path.clone(), campaign.listed.clone());
        tasks.spawn(async move {
            let owner = format!("dialer-{dialer}");
            let claim_body = json!({"owner": owner, "lease_seconds": 60}).to_string().into_bytes();
            let release_body = json!({"owner": owner, "dispositionid": 1, "userid": "7"})
                .to_string()
                .into_bytes();
            let (mut latencies, mut ids, mut robinson) = (Vec::with_capacity(per_dialer), Vec::new(), 0);
            for _ in 0..per_dialer {
                let (status, reply, elapsed, _) = api.call(Method::POST, &claim_path, Some(claim_body.clone())).await?;
                if status != 200 {
                    return Err(format!("claim answered {status}: {reply}"));
                }
                latencies.push(elapsed);
                let record = &reply["record"];
                let phone = record["phone"].as_str().unwrap_or_default();
                if listed.contains(phone) || record["robinson"] == json!(true) {
                    robinson += 1;
                }
                let id = record["id"].as_i64().ok_or("claimed record has no id")?;
                ids.push(id);
                let release = format!("/dialbase/v1/records/{id}/release");
                let (status, reply, _, _) = api.call(Method::POST, &release, Some(release_body.clone())).await?;
                if status != 200 {
                    return Err(format!("release answered {status}: {reply}"));
                }
            }
            Ok::<_, String>((latencies, ids, robinson))
        });
    }
    let mut latencies: Vec<Duration> = Vec::new();
    let (mut ids, mut robinson_claimed) = (Vec::new(), 0);
    while let Some(result) = tasks.join_next().await {
        let (l, i, r) = result.map_err(|e| e.to_string())??;
        latencies.extend(l);
        ids.extend(i);
        robinson_claimed += r;
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let claims = ids.len();
    ids.sort_unstable();
    ids.dedup();
    // Every claimable contact taken: the queue must be empty, the listed ones left in it.
    let drained = if claims == campaign.claimable() {
        let body = json!({"owner": "dialer-check", "lease_seconds": 60})
            .to_string()
            .into_bytes();
        let (status, reply, _, _) = api.call(Method::POST, &claim_path, Some(body)).await?;
        if status != 204 {
            return Err(format!(
                "after every claimable contact, a claim answered {status}: {reply}"
            ));
        }
        true
    } else {
        false
    };
    Ok(ClaimOutcome {
        dialers,
        claims,
        per_second: claims as f64 / seconds,
        claim_p99_ms: percentile_ms(&latencies, 99.0),
        distinct: ids.len(),
        robinson_claimed,
        drained,
    })
}
