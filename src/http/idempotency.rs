//! `Idempotency-Key` on every POST, PUT, PATCH and DELETE of every dialect (docs/changes.md).
//! The key is recorded by the transaction of the request's write (`storage::WriteKey`);
//! the answer is stored once that has committed. A repeat within a day gets the first
//! answer byte for byte and writes nothing; the key with another request answers 422; a
//! concurrent repeat waits for the first one's answer. A request that wrote nothing (it
//! failed, or only read) records no key: its repeat runs again.

use super::{ApiError, AppState, error_in_dialect};
use crate::domain::calldate;
use crate::storage::{StoredKey, StoredReply, WriteKey};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::time::Duration;

pub const HEADER: &str = "idempotency-key";
/// Set on a repeated request's answer.
pub const REPLAYED: &str = "idempotent-replayed";
/// How long a key is kept.
pub const KEEP_SECONDS: i64 = 86_400;
const MAX_KEY_LENGTH: usize = 255;
/// How long a repeat waits for the answer of a first request still running.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(30);

/// The path segments that start a dialect at the root, where the Host names the tenant.
const ROOTS: [&str; 6] = ["v2", "Contacts", "Rules", "dialler", "dialbase", "console"];

pub async fn guard(State(state): State<AppState>, body_limit: usize, request: Request, next: Next) -> Response {
    let writes = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let Some(key) = request.headers().get(HEADER).filter(|_| writes).cloned() else {
        return next.run(request).await;
    };
    let path = request.uri().path().to_string();
    let refuse = |e: ApiError| error_in_dialect(&path, e);
    let Some(key) = key
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=MAX_KEY_LENGTH).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
    else {
        return refuse(ApiError::BadRequest(format!(
            "Idempotency-Key must be 1-{MAX_KEY_LENGTH} visible ASCII characters"
        )));
    };
    let Some(scope) = tenant_of(&request) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, body_limit).await else {
        return refuse(ApiError::PayloadTooLarge);
    };
    let fingerprint = fingerprint(&parts, &body);
    let store = &state.store;
    match store.idempotency_key(&scope, &key).await {
        Err(e) => return refuse(e.into()),
        Ok(Some(first))
            if first.created_at > calldate::now_seconds() - KEEP_SECONDS && first.fingerprint == fingerprint =>
        {
            return repeat(&state, &scope, &key, &fingerprint, first, &path).await;
        }
        // None, expired (the write replaces it), or another request's: that one runs, so
        // that its credentials are checked first; its write then finds the key taken (422).
        Ok(_) => {}
    }
    let claim = WriteKey::new(scope.clone(), key.clone(), fingerprint.clone(), calldate::now_seconds());
    let request = Request::from_parts(parts, Body::from(body));
    let response = claim.clone().scope(next.run(request)).await;
    if claim.taken() {
        // A concurrent request with the key wrote first; this one's write rolled back.
        let first = match store.idempotency_key(&scope, &key).await {
            Ok(Some(first)) => first,
            Ok(None) => return refuse(ApiError::Internal("idempotency key vanished".into())),
            Err(e) => return refuse(e.into()),
        };
        return repeat(&state, &scope, &key, &fingerprint, first, &path).await;
    }
    if !claim.recorded() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = to_bytes(body, usize::MAX).await else {
        return refuse(ApiError::Internal("the answer could not be read".into()));
    };
    let reply = StoredReply {
        status: parts.status.as_u16(),
        content_type: parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: body.to_vec(),
    };
    // The write has committed: failing to keep its answer must not turn it into an error.
    if let Err(e) = store.store_reply(&scope, &key, reply).await {
        tracing::warn!(error = %e, "an idempotent answer could not be stored");
    }
    Response::from_parts(parts, Body::from(body))
}

/// The answer to a repeated key: the first answer, once there is one.
async fn repeat(
    state: &AppState,
    scope: &str,
    key: &str,
    fingerprint: &str,
    mut first: StoredKey,
    path: &str,
) -> Response {
    let refuse = |e: ApiError| error_in_dialect(path, e);
    if first.fingerprint != fingerprint {
        return refuse(ApiError::Unprocessable(
            "this Idempotency-Key was used for another request (method, path, body or credentials differ)".into(),
        ));
    }
    let deadline = tokio::time::Instant::now() + WAIT_FOR_FIRST;
    loop {
        if let Some(reply) = first.reply.take() {
            return replay(reply);
        }
        if tokio::time::Instant::now() >= deadline {
            return refuse(ApiError::Conflict(
                "a request with this Idempotency-Key was applied, but its answer is not available: read the \
                 data to see its effect"
                    .into(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        match state.store.idempotency_key(scope, key).await {
            Ok(Some(now)) => first = now,
            Ok(None) => return refuse(ApiError::Internal("idempotency key vanished".into())),
            Err(e) => return refuse(e.into()),
        }
    }
}

fn replay(reply: StoredReply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut response = (status, reply.body).into_response();
    let headers = response.headers_mut();
    match reply.content_type.and_then(|t| HeaderValue::from_str(&t).ok()) {
        Some(content_type) => headers.insert(CONTENT_TYPE, content_type),
        None => headers.remove(CONTENT_TYPE),
    };
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

/// The tenant the request is for: the path's first segment, or the Host's first label
/// when the path starts with a dialect.
fn tenant_of(request: &Request) -> Option<String> {
    let mut segments = request.uri().path().split('/').filter(|s| !s.is_empty());
    let first = segments.next()?;
    // jtel's base path names the tenant third: `/rest/v1.0/{ClientsID}`.
    if first == "rest" && segments.next() == Some("v1.0") {
        return segments.next().map(str::to_string);
    }
    if !ROOTS.contains(&first) {
        return Some(first.to_string());
    }
    super::auth::host_tenant(request.headers())
}

/// What makes two requests the same: method, path and query, body, and the credentials
/// (so that a key of one API user never answers another's request).
fn fingerprint(parts: &axum::http::request::Parts, body: &[u8]) -> String {
    let mut digest = Sha256::new();
    digest.update(parts.method.as_str());
    digest.update([0]);
    digest.update(parts.uri.path_and_query().map_or("", |p| p.as_str()));
    for name in [AUTHORIZATION.as_str(), "username", "securekey"] {
        digest.update([0]);
        if let Some(value) = parts.headers.get(name) {
            digest.update(value.as_bytes());
        }
    }
    digest.update([0]);
    digest.update(body);
    digest.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
