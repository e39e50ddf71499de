//! jtel's envelope: `{"records": [...], "count": n, "status": 200}`, `{"status": 200}`, and on
//! failure `{"status": n, "error": "..."}` with the same HTTP status (jtel's "Return Codes").

use crate::domain::ValidationError;
use crate::http::{ApiError, error_response, with_retry_after};
use crate::storage::StoreError;
use axum::Json;
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

/// A failed call rendered the jtel way.
pub struct JtelError(pub ApiError);

impl From<ApiError> for JtelError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl From<StoreError> for JtelError {
    fn from(e: StoreError) -> Self {
        Self(e.into())
    }
}

impl From<ValidationError> for JtelError {
    fn from(e: ValidationError) -> Self {
        Self(e.into())
    }
}

/// jtel: 400 for a missing or wrong parameter, 409 when a precondition fails.
fn status(e: &ApiError) -> StatusCode {
    match e {
        // A duplicate contact: jtel's "already exists".
        ApiError::Invalid(v) if v.existing.is_some() => StatusCode::CONFLICT,
        ApiError::BadRequest(_) | ApiError::Invalid(_) => StatusCode::BAD_REQUEST,
        ApiError::Conflict(_) => StatusCode::CONFLICT,
        other => other.status(),
    }
}

/// In jtel's words ("Dialler campaign not found").
fn message(e: &ApiError) -> String {
    match e {
        ApiError::NotFound("record") => "Dialler contact not found".into(),
        ApiError::NotFound("project") => "Dialler campaign not found".into(),
        other => other.message(),
    }
}

impl IntoResponse for JtelError {
    fn into_response(self) -> Response {
        let status = status(&self.0);
        let mut body = json!({"status": status.as_u16(), "error": message(&self.0)});
        if let Some(code) = self.0.code() {
            body["code"] = json!(code);
        }
        if let ApiError::Invalid(v) = &self.0
            && let Some(existing) = v.existing
        {
            body["DiallerContactsID"] = json!(existing);
        }
        let mut response = with_retry_after(error_response(status, body), &self.0);
        if status == StatusCode::UNAUTHORIZED {
            // jtel's own clients send a bearer token; HTTP Basic works too.
            response
                .headers_mut()
                .append(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"dialbase\""));
        }
        response
    }
}

pub fn records<T: Serialize>(records: Vec<T>) -> Response {
    /// Keys in name order, as a `serde_json::Map` wrote them; the records are serialized
    /// once (`json!` would first copy each into a new `Value`).
    #[derive(Serialize)]
    struct Records<T> {
        count: usize,
        records: Vec<T>,
        status: u16,
    }
    Json(Records {
        count: records.len(),
        records,
        status: 200,
    })
    .into_response()
}

pub fn done() -> Response {
    Json(json!({"status": 200})).into_response()
}
