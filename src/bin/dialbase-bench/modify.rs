//! Phase 3: a batch modification by `search` on the indexed `segment` field, touching a
//! tenth of the records, in one request.

use crate::client::Api;
use crate::data;
use reqwest::Method;
use serde_json::json;

pub struct ModifyOutcome {
    pub seconds: f64,
    pub touched: u64,
}

pub async fn run(api: &Api, project: i64, records: usize) -> Result<ModifyOutcome, String> {
    let body =
        json!({"elements": [{"search": {"segment": data::segment(3)}, "form": {"notes": "called back", "age": "99"}}]});
    let path = format!("/v2/projects/{project}/records");
    let (reply, elapsed) = api.ok(Method::PUT, &path, Some(body.to_string().into_bytes())).await?;
    if reply["response"]["0"] != json!(true) {
        return Err(format!("batch modification failed: {reply}"));
    }
    let touched = api
        .total(&format!("/v2/projects/{project}/records?limit=1&notes=called%20back"))
        .await?;
    let expected = (0..records).filter(|i| i % data::SEGMENTS == 3).count() as u64;
    if touched != expected {
        return Err(format!(
            "batch modification touched {touched} records, expected {expected}"
        ));
    }
    Ok(ModifyOutcome {
        seconds: elapsed.as_secs_f64(),
        touched,
    })
}
