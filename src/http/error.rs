//! The HTTP layer's error; each dialect renders it in its own format (see its `error` module).

use crate::domain::ValidationError;
use crate::storage::StoreError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

#[derive(Debug)]
pub enum ApiError {
    Unauthorized,
    /// The key may not do this (its role, or a project it is not limited to).
    Forbidden(String),
    /// What was not found: "project", "record", ...
    NotFound(&'static str),
    /// The request as a whole is malformed (not JSON, wrong shape).
    BadRequest(String),
    /// The request is well-formed but its content is rejected.
    Invalid(ValidationError),
    Conflict(String),
    /// Well-formed, but refused as a whole: an idempotency key reused for another request.
    Unprocessable(String),
    PayloadTooLarge,
    /// No route has this path (a wrong path, or another dialect's name in other letter case).
    UnknownPath,
    /// The path exists, not with this method; the answer's `Allow` header lists those it has.
    MethodNotAllowed,
    /// The body is not in the media type the call reads (what it wants).
    UnsupportedMediaType(String),
    /// Refused for now (rate limit, failed logins); the client may retry after this long.
    TooManyRequests(std::time::Duration),
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Invalid(_) | Self::Conflict(_) => StatusCode::EXPECTATION_FAILED,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnknownPath => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The check that failed, for clients to tell errors apart: a rejected value's code, or
    /// what HTTP refused (no such path is not "no such record").
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Invalid(v) => Some(v.code),
            Self::UnknownPath => Some("unknown_path"),
            Self::MethodNotAllowed => Some("method_not_allowed"),
            Self::UnsupportedMediaType(_) => Some("unsupported_media_type"),
            _ => None,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Unauthorized => "missing or invalid credentials".into(),
            Self::NotFound(what) => format!("{what} does not exist"),
            Self::BadRequest(m)
            | Self::Conflict(m)
            | Self::Unprocessable(m)
            | Self::Forbidden(m)
            | Self::UnsupportedMediaType(m) => m.clone(),
            Self::Invalid(e) => e.detail.clone(),
            Self::PayloadTooLarge => "request body is too large".into(),
            Self::UnknownPath => "no such path: see /api/ for the calls there are".into(),
            Self::MethodNotAllowed => "this path does not take this method (Allow lists those it takes)".into(),
            Self::TooManyRequests(wait) => format!("too many requests: retry after {} s", retry_after(*wait)),
            Self::Internal(_) => "internal server error".into(),
        }
    }
}

/// Whole seconds to wait, at least one.
fn retry_after(wait: std::time::Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// A dialect's error response with `Retry-After` when the error asks the client to wait.
pub fn with_retry_after(mut response: Response, error: &ApiError) -> Response {
    if let ApiError::TooManyRequests(wait) = error {
        response
            .headers_mut()
            .insert("Retry-After", retry_after(*wait).max(1).into());
    }
    response
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Conflict(m) => Self::Conflict(m),
            StoreError::Invalid(v) => Self::Invalid(v),
            StoreError::Rejected(index, v) => Self::Invalid(ValidationError {
                detail: format!("item {index}: {}", v.detail),
                ..v
            }),
            StoreError::Backend(m) => {
                tracing::error!(error = %m, "storage failure");
                Self::Internal(m)
            }
        }
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        Self::Invalid(e)
    }
}

impl From<BytesRejection> for ApiError {
    fn from(e: BytesRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::PayloadTooLarge
        } else {
            Self::BadRequest(e.body_text())
        }
    }
}

/// A request body as JSON (a `Value` or a typed request); malformed JSON names the line and column.
pub fn json_body<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let bytes = body?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))
}

/// A dialect's error body with its status; a 401 also asks for HTTP Basic credentials.
pub fn error_response(status: StatusCode, body: Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            "WWW-Authenticate",
            "Basic realm=\"dialbase\"".parse().expect("static header"),
        );
    }
    response
}
