//! A small JSON client for the server under test.

use crate::server::{KEY, TENANT};
use serde_json::Value;
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    /// The server's address with the tenant prefix (`http://127.0.0.1:port/bench`).
    base: String,
    /// The server's address alone, for routes outside the tenant (`/healthz`).
    origin: String,
}

impl Api {
    pub fn new(origin: &str) -> Self {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(128)
            .timeout(Duration::from_secs(3600))
            .build()
            .expect("HTTP client");
        Self {
            http,
            base: format!("{origin}/{TENANT}"),
            origin: origin.to_string(),
        }
    }

    /// The same client for paths outside the tenant prefix.
    pub fn root(&self) -> Self {
        Self {
            base: self.origin.clone(),
            ..self.clone()
        }
    }

    /// A request with the tenant's credentials, for callers that read the body themselves.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(TENANT, Some(KEY))
    }

    /// Sends a request; returns the status, the JSON body and the time it took.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Value, Duration, reqwest::header::HeaderMap), String> {
        let started = Instant::now();
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        let elapsed = started.elapsed();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, json, elapsed, headers))
    }

    /// Calls and insists on 200 with no errors in the envelope.
    pub async fn ok(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(Value, Duration), String> {
        let (status, json, elapsed, _) = self.call(method, path, body).await?;
        if status != 200 || json["errors"].as_array().is_some_and(|e| !e.is_empty()) {
            return Err(format!("{path} answered {status}: {json}"));
        }
        Ok((json, elapsed))
    }

    /// The `X-Total-Count` of a VCC Live list request.
    pub async fn total(&self, path: &str) -> Result<u64, String> {
        let (status, _, _, headers) = self.call(reqwest::Method::GET, path, None).await?;
        match (status, total_count(&headers)) {
            (200, Some(total)) => Ok(total),
            _ => Err(format!("{path} answered {status} without a total")),
        }
    }
}

pub fn total_count(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    headers
        .get("x-total-count")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// The p-th percentile (0-100) of sorted durations, in milliseconds.
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}
