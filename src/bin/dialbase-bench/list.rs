//! Phase 4: a filtered list page, `GET /v2/projects/{p}/records?city=London&limit=100`
//! (`city` is an indexed text field), from several connections at once.

use crate::client::{Api, total_count};
use crate::data;
use crate::load::{self, LoadOutcome};
use reqwest::Method;

pub const CITY: &str = "London";
pub const PAGE: usize = 100;

pub struct ListOutcome {
    pub load: LoadOutcome,
    /// Records of the city, as the server counted them.
    pub total: u64,
}

pub async fn run(
    api: &Api,
    project: i64,
    records: usize,
    connections: usize,
    per_connection: usize,
) -> Result<ListOutcome, String> {
    let path = format!("/v2/projects/{project}/records?city={CITY}&limit={PAGE}");
    let expected = (0..records).filter(|&i| data::city(i) == CITY).count();
    // One answer checked in full; the load then checks the status only.
    let (status, body, _, headers) = api.call(Method::GET, &path, None).await?;
    let page = body["response"]
        .as_array()
        .ok_or_else(|| format!("{path} answered {status}: {body}"))?;
    let total = total_count(&headers).ok_or("the list has no X-Total-Count")?;
    if total != expected as u64 || page.len() != expected.min(PAGE) {
        return Err(format!(
            "the list found {total} records ({} on the page), expected {expected}",
            page.len()
        ));
    }
    if let Some(other) = page.iter().find(|r| r["values"]["city"] != CITY) {
        return Err(format!("the list holds a record of another city: {other}"));
    }
    let load = load::run(api, connections, per_connection, move |_| path.clone()).await?;
    Ok(ListOutcome { load, total })
}
