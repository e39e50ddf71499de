//! Dialbase's own dialer API: a dialer claims the next dialable record of a project, calls
//! it and releases it with the call's result. Errors look like jtel's: `{"status", "error"}`.
//!
//! - `POST /dialbase/v1/projects/{projectid}/claim` `{"owner": "dialer-1", "lease_seconds": 300}`
//!   → 200 `{"status": 200, "record": {...}}`, or 204 when nothing is dialable now.
//! - `POST /dialbase/v1/records/{id}/release` `{"owner": "dialer-1", "dispositionid": 3,
//!   "userid": "agent-7", "next_calldate": "...", "description": "..."}` → 200 with the record.
//!   Only `owner` is required: without `dispositionid` the record goes back to the queue as it was.

use crate::domain::ValidationError;
use crate::domain::record::{Record, validate_disposition};
use crate::http::jtel::JtelError;
use crate::http::record_view::FormTexts;
use crate::http::{ApiError, AppState, Authed, Dialect, json_body, path_id};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawPathParams, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub struct DialbaseApi;

impl Dialect for DialbaseApi {
    type Error = JtelError;
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dialbase/v1/projects/{projectid}/claim", post(claim))
        .route("/dialbase/v1/records/{id}/release", post(release))
}

pub const DEFAULT_LEASE_SECONDS: u32 = 300;
pub const MAX_LEASE_SECONDS: u32 = 86_400;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimRequest {
    owner: String,
    lease_seconds: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleaseRequest {
    owner: String,
    dispositionid: Option<i64>,
    userid: Option<String>,
    next_calldate: Option<String>,
    description: Option<String>,
}

/// Owners name dialers (or agents): short, printable.
fn check_owner(owner: &str) -> Result<(), ValidationError> {
    let length = owner.chars().count();
    if length == 0 || length > 128 || owner.chars().any(char::is_control) {
        return Err(ValidationError::new(
            "wrong_owner",
            "owner must be 1-128 printable characters",
        ));
    }
    Ok(())
}

/// What a dialer needs: the number to call (`phone`), the form texts and the dial state.
fn record_json(record: &Record) -> Value {
    let form = FormTexts(record);
    json!({
        "id": record.id, "projectid": record.project_id, "user_data": record.user_data,
        "phone": record.dial_number(), "phone_field": record.phone_field, "form": form,
        "next_calldate": record.next_calldate, "claimed_by": record.claimed_by,
        "claim_expires_at": record.claim_expires_at, "attempts": record.attempts, "done_at": record.done_at,
        "locked": record.locked, "robinson": record.robinson,
    })
}

fn answer(record: &Record) -> Response {
    Json(json!({"status": 200, "record": record_json(record)})).into_response()
}

async fn claim(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, JtelError> {
    let project = path_id(&params, "projectid", "project")?;
    let request: ClaimRequest = json_body(body)?;
    check_owner(&request.owner)?;
    let lease = request.lease_seconds.unwrap_or(DEFAULT_LEASE_SECONDS);
    if !(1..=MAX_LEASE_SECONDS).contains(&lease) {
        let detail = format!("lease_seconds must be between 1 and {MAX_LEASE_SECONDS}");
        return Err(ValidationError::new("wrong_lease", detail).into());
    }
    match state
        .store
        .claim_next(auth.tenant, project, &request.owner, lease)
        .await?
    {
        Some(record) => Ok(answer(&record)),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

async fn release(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, JtelError> {
    let record = path_id(&params, "id", "record")?;
    let request: ReleaseRequest = json_body(body)?;
    check_owner(&request.owner)?;
    let result = match request.dispositionid {
        Some(id) => {
            let user = request.userid.unwrap_or_else(|| request.owner.clone());
            let mut disposition = validate_disposition(Some(id), Some(user), request.next_calldate.as_deref(), false)?;
            disposition.description = request.description;
            Some(disposition)
        }
        None if request.userid.is_some() || request.next_calldate.is_some() || request.description.is_some() => {
            let detail = "userid, next_calldate and description come with a dispositionid";
            return Err(ApiError::Invalid(ValidationError::new("missing_dispositionid", detail)).into());
        }
        None => None,
    };
    let record = state
        .store
        .release_claim(auth.tenant, record, &request.owner, result)
        .await?;
    Ok(answer(&record))
}
