//! Dialbase's own dialer API: a dialer claims the next dialable record of a project, calls
//! it and releases it with the call's result. Errors are the own API's (`super::error`).
//!
//! - `POST /dialbase/v1/projects/{projectid}/claim` `{"owner": "dialer-1", "lease_seconds": 300}`
//!   → 200 `{"status": 200, "record": {...}}`, or 204 when nothing is dialable now.
//! - `POST /dialbase/v1/records/{id}/release` `{"owner": "dialer-1", "dispositionid": 3,
//!   "userid": "agent-7", "next_calldate": "...", "description": "..."}` → 200 with the record.
//!   Only `owner` is required: without `dispositionid` the record goes back to the queue as it was.
//!   With a `next_calldate`, `callback_owner` makes the call-back that owner's until the
//!   project's grace time after it is due. The project's rules decide what a result does.
//! - `GET /dialbase/v1/records/{id}` → 200 `{"status": 200, "record": {...}}` with the dial
//!   state: `timezones`, `next_callable_at`, `callback_owner`, `attempts_by_number`.

use super::{DialbaseApi, DialbaseError};
use crate::domain::ValidationError;
use crate::domain::calldate;
use crate::domain::dnc::NO_EXPIRY;
use crate::domain::record::{Record, validate_disposition};
use crate::http::clock::RequestNow;
use crate::http::record_view::FormTexts;
use crate::http::{ApiError, AppState, Authed, json_body, path_id};
use crate::storage::{CallRelease, DialState};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawPathParams, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dialbase/v1/projects/{projectid}/claim", post(claim))
        .route("/dialbase/v1/records/{id}/release", post(release))
        .route("/dialbase/v1/records/{id}", get(show))
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
    callback_owner: Option<String>,
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
/// Written straight from the record, keys in name order as a `serde_json` map keeps them
/// (building the map first was a sixth of a claim's instructions).
pub(super) struct DialerRecord<'a>(pub &'a Record);

impl Serialize for DialerRecord<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let record = self.0;
        let mut map = serializer.serialize_map(Some(13))?;
        map.serialize_entry("attempts", &record.attempts)?;
        map.serialize_entry("claim_expires_at", &record.claim_expires_at)?;
        map.serialize_entry("claimed_by", &record.claimed_by)?;
        map.serialize_entry("done_at", &record.done_at)?;
        map.serialize_entry("form", &FormTexts(record))?;
        map.serialize_entry("id", &record.id)?;
        map.serialize_entry("locked", &record.locked)?;
        map.serialize_entry("next_calldate", &record.next_calldate)?;
        map.serialize_entry("phone", &record.dial_number())?;
        map.serialize_entry("phone_field", &record.phone_field)?;
        map.serialize_entry("projectid", &record.project_id)?;
        map.serialize_entry("robinson", &record.robinson)?;
        map.serialize_entry("user_data", &record.user_data)?;
        map.end()
    }
}

/// `{"record": ..., "status": 200}`.
struct Answer<'a>(&'a Record);

impl Serialize for Answer<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("record", &DialerRecord(self.0))?;
        map.serialize_entry("status", &200)?;
        map.end()
    }
}

fn answer(record: &Record) -> Response {
    Json(Answer(record)).into_response()
}

async fn claim(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    RequestNow(now): RequestNow,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, DialbaseError> {
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
        .claim_next(auth.tenant, project, &request.owner, lease, now)
        .await?
    {
        Some(record) => Ok(answer(&record)),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

async fn release(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    RequestNow(now): RequestNow,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, DialbaseError> {
    let record = path_id(&params, "id", "record")?;
    let request: ReleaseRequest = json_body(body)?;
    check_owner(&request.owner)?;
    let result = match request.dispositionid {
        Some(id) => {
            let user = request.userid.unwrap_or_else(|| request.owner.clone());
            let mut disposition = validate_disposition(Some(id), Some(user), request.next_calldate.as_deref(), false)?;
            disposition.description = request.description;
            if let Some(owner) = &request.callback_owner {
                check_owner(owner)?;
            }
            Some(CallRelease {
                disposition,
                callback_owner: request.callback_owner,
            })
        }
        None if request.userid.is_some()
            || request.next_calldate.is_some()
            || request.description.is_some()
            || request.callback_owner.is_some() =>
        {
            let detail = "userid, next_calldate, description and callback_owner come with a dispositionid";
            return Err(ApiError::Invalid(ValidationError::new("missing_dispositionid", detail)).into());
        }
        None => None,
    };
    let record = state
        .store
        .release_claim(auth.tenant, record, &request.owner, result, now)
        .await?;
    Ok(answer(&record))
}

async fn show(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    RequestNow(now): RequestNow,
    params: RawPathParams,
) -> Result<Response, DialbaseError> {
    let id = path_id(&params, "id", "record")?;
    let (record, dial) = state.store.dial_state(auth.tenant, id).await?;
    let now = now.unwrap_or_else(calldate::now_seconds);
    let mut body = serde_json::to_value(DialerRecord(&record)).unwrap_or_default();
    let timezones: Vec<&str> = dial.zones.as_deref().unwrap_or_default().split_whitespace().collect();
    let attempts: serde_json::Map<String, Value> = dial
        .attempts_by_number
        .iter()
        .map(|(field, count)| (field.clone(), json!(count)))
        .collect();
    let next = next_callable_at(&record, &dial, now).map(calldate::from_seconds);
    let extra = json!({
        "timezones": timezones, "next_callable_at": next, "callback_owner": dial.callback_owner,
        "last_attempt_at": dial.last_attempt_at.map(calldate::from_seconds), "attempts_by_number": attempts,
    });
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    Ok(Json(json!({"status": 200, "record": body})).into_response())
}

/// When a claim could first hand the record out, as far as time decides: after its call
/// date and its do-not-call entries' expiry, inside its zones' calling hours.
/// None when it will not come up by itself (done, locked, on the Robinson list or a
/// named list for good, out of attempts, or no callable time ahead).
fn next_callable_at(record: &Record, dial: &DialState, now: i64) -> Option<i64> {
    let rules = &dial.rules;
    let out_of_attempts = rules
        .retries
        .max_attempts
        .is_some_and(|max| record.attempts >= i64::from(max));
    let listed_for_good = dial.dnc_until == Some(NO_EXPIRY);
    if record.done_at.is_some() || record.locked || record.robinson || listed_for_good || out_of_attempts {
        return None;
    }
    let due = record
        .next_calldate
        .as_deref()
        .and_then(|t| calldate::to_seconds(t).ok());
    let from = [Some(now), due, dial.dnc_until]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(now);
    rules.next_callable_at(dial.zones.as_deref(), from)
}
