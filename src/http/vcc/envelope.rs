//! VCC Live's envelope: `{"response": ..., "errors": [{"index", "errorcode", "errormessage"}]}`.
//! Item errors are 417 with `error.<code>`, as in the vendor's examples.

use crate::domain::ValidationError;
use crate::http::{ApiError, error_response};
use crate::http::{MAX_BATCH_ITEMS, too_many_items, with_retry_after};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

/// A request-level failure rendered as a VCC Live envelope.
pub struct VccError(pub ApiError);

impl From<ApiError> for VccError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl From<crate::storage::StoreError> for VccError {
    fn from(e: crate::storage::StoreError) -> Self {
        Self(e.into())
    }
}

impl From<ValidationError> for VccError {
    fn from(e: ValidationError) -> Self {
        Self(e.into())
    }
}

fn error_message(e: &ApiError) -> String {
    match e {
        ApiError::Unauthorized => "error.unauthorized".into(),
        ApiError::Forbidden(_) => "error.forbidden".into(),
        ApiError::NotFound(what) => format!("error.{what}_not_exists"),
        ApiError::BadRequest(_) => "error.wrong_request_format".into(),
        ApiError::Invalid(v) => format!("error.{}", v.code),
        ApiError::Conflict(_) => "error.already_exists".into(),
        ApiError::Unprocessable(_) => "error.idempotency_key_reused".into(),
        ApiError::PayloadTooLarge => "error.request_too_large".into(),
        ApiError::UnknownPath => "error.resource_not_exists".into(),
        ApiError::MethodNotAllowed => "error.method_not_allowed".into(),
        ApiError::UnsupportedMediaType(_) => "error.unsupported_media_type".into(),
        ApiError::TooManyRequests(_) => "error.too_many_requests".into(),
        ApiError::Internal(_) => "error.internal_server_error".into(),
    }
}

impl IntoResponse for VccError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let body = json!({
            "response": false,
            "errors": [{
                "index": 0,
                "errorcode": status.as_u16(),
                "errormessage": error_message(&self.0),
                "detail": self.0.message(),
            }],
        });
        with_retry_after(error_response(status, body), &self.0)
    }
}

/// The vendor's three keys, so clients comparing error objects keep working; a duplicate
/// adds the record it repeats and an unknown key the `property` at fault.
pub fn item_error(index: usize, e: &ValidationError) -> Value {
    let mut error = json!({"index": index, "errorcode": 417, "errormessage": format!("error.{}", e.code)});
    // A duplicate names the record it duplicates.
    if let Some(existing) = e.existing {
        error["numberid"] = json!(existing);
    }
    // The vendor's value calls name the property at fault: so does an unknown key.
    if let Some(property) = &e.property {
        error["property"] = json!(property);
    }
    error
}

/// Errors about a list value's name, which VCC Live's value calls mark `"property": "name"`.
const NAME_ERRORS: [&str; 4] = [
    "name_must_be_between",
    "value_name_already_exists",
    "wrong_value_format",
    "invalid_character",
];

/// An item error of the value calls (add values, modify a value): as [`item_error`], with
/// the vendor's `"property": "name"` when the name is at fault.
pub fn value_error(index: usize, e: &ValidationError) -> Value {
    let mut error = item_error(index, e);
    if NAME_ERRORS.contains(&e.code) {
        error["property"] = json!("name");
    }
    error
}

/// A successful response.
pub fn ok(response: impl Serialize) -> Response {
    /// Keys in name order, as a `serde_json::Map` wrote them.
    #[derive(Serialize)]
    struct Ok<T> {
        errors: [(); 0],
        response: T,
    }
    Json(Ok { errors: [], response }).into_response()
}

/// A batch answer: 200 while anything succeeded (or nothing was asked), 417 when every item failed.
/// Errors reported item by item; beyond them one more error counts the rest.
pub const MAX_REPORTED_ERRORS: usize = 1_000;

pub fn partial(response: Value, mut errors: Vec<Value>, succeeded: usize) -> Response {
    let status = if succeeded == 0 && !errors.is_empty() {
        StatusCode::EXPECTATION_FAILED
    } else {
        StatusCode::OK
    };
    if errors.len() > MAX_REPORTED_ERRORS {
        let more = errors.len() - MAX_REPORTED_ERRORS;
        errors.truncate(MAX_REPORTED_ERRORS);
        errors.push(json!({"errorcode": 417, "errormessage": "error.too_many_errors", "count": more}));
    }
    (status, Json(json!({"response": response, "errors": errors}))).into_response()
}

fn malformed(e: serde_json::Error) -> VccError {
    VccError(ApiError::BadRequest(format!("malformed JSON: {e}")))
}

/// The request body as JSON; malformed JSON names the line and column.
pub fn json_body(body: Result<Bytes, BytesRejection>) -> Result<Value, VccError> {
    crate::http::json_body(body).map_err(VccError)
}

/// A body holding one object or an array of them, each parsed by `parse` on its own so
/// that only one item's JSON tree is in memory at a time (imports send 10,000 at once).
/// `fast_array` reads a whole array of the common shape in one pass; when it cannot, each
/// item is split off and read by `fast` or else `parse` (the error of the item at fault).
pub fn json_items<T>(
    body: Result<Bytes, BytesRejection>,
    fast_array: impl Fn(&str) -> Option<Vec<T>>,
    fast: impl Fn(&str) -> Option<T>,
    parse: impl Fn(&Value) -> Result<T, ValidationError>,
) -> Result<Vec<Result<T, ValidationError>>, VccError> {
    let bytes = body.map_err(ApiError::from)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    // `fast` reads the common shape straight from the text; anything else takes `parse`.
    let item = |json: &str| match fast(json) {
        Some(item) => Ok(item),
        None => parse(&serde_json::from_str(json).map_err(malformed_item)?),
    };
    if text.trim_start().starts_with('[') {
        if let Some(items) = fast_array(text) {
            if items.len() > MAX_BATCH_ITEMS {
                return Err(too_many_items(items.len()).into());
            }
            return Ok(items.into_iter().map(Ok).collect());
        }
        let items: Vec<&serde_json::value::RawValue> = serde_json::from_str(text).map_err(malformed)?;
        if items.len() > MAX_BATCH_ITEMS {
            return Err(too_many_items(items.len()).into());
        }
        Ok(items.iter().map(|raw| item(raw.get())).collect())
    } else {
        serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(malformed)?;
        Ok(vec![item(text)])
    }
}

/// Unreachable in practice: the item was already checked as part of the array.
fn malformed_item(e: serde_json::Error) -> ValidationError {
    ValidationError::new("wrong_record_format", e.to_string())
}
