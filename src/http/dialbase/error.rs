//! The own API's errors: `{"status": n, "error": "...", "code": "..."}` with the same HTTP
//! status; `code` names the check that failed (a rejected request, or what HTTP refused:
//! `unknown_path`, `method_not_allowed`), `index` the item of a batch at fault. The shape is the one jtel uses, which the dialer calls have always
//! answered, but it is Dialbase's own: it changes only with this API.

use crate::domain::ValidationError;
use crate::http::{ApiError, error_response, with_retry_after};
use crate::storage::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub enum DialbaseError {
    Call(ApiError),
    /// One item of a batch at fault: the request is refused whole (nothing stored).
    Item {
        index: usize,
        error: ValidationError,
    },
}

impl From<ApiError> for DialbaseError {
    fn from(e: ApiError) -> Self {
        Self::Call(e)
    }
}

impl From<StoreError> for DialbaseError {
    fn from(e: StoreError) -> Self {
        Self::Call(e.into())
    }
}

impl From<ValidationError> for DialbaseError {
    fn from(e: ValidationError) -> Self {
        Self::Call(e.into())
    }
}

/// A request whose content is rejected is a 400 (not the VCC dialect's 417); a state that
/// forbids the call (releasing a record one does not hold) a 409.
fn status(e: &ApiError) -> StatusCode {
    match e {
        ApiError::BadRequest(_) | ApiError::Invalid(_) => StatusCode::BAD_REQUEST,
        ApiError::Conflict(_) => StatusCode::CONFLICT,
        other => other.status(),
    }
}

/// The texts the dialer calls have answered since they began (jtel's words for a record and
/// a project), kept for clients that show or match them.
fn message(e: &ApiError) -> String {
    match e {
        ApiError::NotFound("record") => "Dialler contact not found".into(),
        ApiError::NotFound("project") => "Dialler campaign not found".into(),
        other => other.message(),
    }
}

impl IntoResponse for DialbaseError {
    fn into_response(self) -> Response {
        match self {
            Self::Call(e) => {
                let status = status(&e);
                let mut body = json!({"status": status.as_u16(), "error": message(&e)});
                if let Some(code) = e.code() {
                    body["code"] = json!(code);
                }
                with_retry_after(error_response(status, body), &e)
            }
            Self::Item { index, error } => error_response(
                StatusCode::BAD_REQUEST,
                json!({"status": 400, "error": format!("item {index}: {}", error.detail),
                       "code": error.code, "index": index}),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(e: DialbaseError) -> (StatusCode, serde_json::Value) {
        let response = e.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn a_rejected_request_is_400_with_its_code_and_an_item_names_its_index() {
        let rejected = ValidationError::new("wrong_owner", "owner must be 1-128 printable characters");
        let (status, json) = body(rejected.clone().into()).await;
        assert_eq!(status, 400);
        assert_eq!(
            json,
            json!({"status": 400, "error": rejected.detail, "code": "wrong_owner"})
        );
        let (status, json) = body(DialbaseError::Item {
            index: 2,
            error: rejected,
        })
        .await;
        assert_eq!(
            (status, &json["index"], &json["code"]),
            (StatusCode::BAD_REQUEST, &json!(2), &json!("wrong_owner"))
        );
        let (status, json) = body(ApiError::Conflict("not yours".into()).into()).await;
        assert_eq!(status, 409);
        assert_eq!(json, json!({"status": 409, "error": "not yours"}));
    }
}
