//! Dialer API helpers: claims, releases, and records to claim.

use super::{Client, Reply};
use reqwest::Method;
use serde_json::{Value, json};

/// The record a claim handed out, or None when nothing is dialable.
pub async fn claim(api: &Client, project: i64, owner: &str, lease_seconds: u32) -> Option<Value> {
    let body = json!({"owner": owner, "lease_seconds": lease_seconds}).to_string();
    let reply = api.post(&format!("/dialbase/v1/projects/{project}/claim"), &body).await;
    match reply.status.as_u16() {
        200 => Some(reply.body["record"].clone()),
        204 => None,
        other => panic!("claim answered {other}: {}", reply.text),
    }
}

/// The id of the record a claim with a 10-minute lease handed out.
pub async fn claim_id(api: &Client, project: i64, owner: &str) -> Option<i64> {
    claim(api, project, owner, 600).await.map(|r| r["id"].as_i64().unwrap())
}

pub async fn release(api: &Client, record: i64, body: Value) -> Reply {
    api.post(&format!("/dialbase/v1/records/{record}/release"), &body.to_string())
        .await
}

/// Adds VCC Live records in one request; returns their ids.
pub async fn add_records(api: &Client, project: i64, records: Vec<Value>) -> Vec<i64> {
    let reply = api
        .post(
            &format!("/v2/projects/{project}/records"),
            &Value::Array(records).to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["errors"], json!([]));
    let ids = reply.body["response"].as_array().expect("ids");
    ids.iter().map(|id| id.as_i64().unwrap()).collect()
}

/// A VCC Live record whose contact 1 (and so `phone1`) holds `phone`.
pub fn record(phone: &str, next_calldate: Option<&str>) -> Value {
    let mut record = json!({"form": {"name": phone}, "contacts": {"1": {"phone": phone}}});
    if let Some(date) = next_calldate {
        record["next_calldate"] = json!(date);
    }
    record
}

/// A request at `now` (Unix seconds or RFC 3339), for a server started with
/// `DIALBASE_TEST_CLOCK=1`.
pub async fn at(api: &Client, now: &str, method: Method, path: &str, body: Option<Value>) -> Reply {
    let mut request = api
        .http
        .request(method, format!("{}{path}", api.base))
        .basic_auth(&api.user, Some(&api.key))
        .header("x-dialbase-now", now);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    Reply {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        headers,
    }
}
