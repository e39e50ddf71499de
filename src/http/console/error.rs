//! The console's errors: a short HTML page with the status, or a redirect to sign in.

use super::page;
use crate::http::ApiError;
use crate::storage::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

pub enum ConsoleError {
    /// Not signed in (or the session ended): to the sign-in page of this console.
    SignIn(String),
    /// A signed-in user of another tenant, or a form without the session's CSRF token.
    Forbidden(&'static str),
    Api(ApiError),
}

impl From<ApiError> for ConsoleError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<StoreError> for ConsoleError {
    fn from(e: StoreError) -> Self {
        Self::Api(e.into())
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn(base) => Redirect::to(&format!("{base}/login")).into_response(),
            Self::Forbidden(why) => page::error_page(StatusCode::FORBIDDEN, why),
            Self::Api(e) => {
                let status = match e.status() {
                    StatusCode::EXPECTATION_FAILED => StatusCode::BAD_REQUEST,
                    other => other,
                };
                if status == StatusCode::INTERNAL_SERVER_ERROR {
                    tracing::error!(error = %e.message(), "console request failed");
                }
                crate::http::error::with_retry_after(page::error_page(status, &e.message()), &e)
            }
        }
    }
}
