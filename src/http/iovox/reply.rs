//! iovox responses: XML (or, when asked, JSON) bodies, and errors as the vendor's
//! `<errors><error status="400">TEXT</error></errors>` with that HTTP status; as
//! JSON when the query string says `output=JSON` ([`errors_in_the_asked_format`]).

use super::query::Output;
use super::write::write_errors_xml;
use super::write_json::write_errors_json;
use crate::domain::iovox::IovoxError;
use crate::http::{ApiError, with_retry_after};
use crate::storage::StoreError;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

const XML: &str = "application/xml; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";

/// A failed call, rendered as the vendor's XML error body; with the seconds a refused
/// client should wait (`Retry-After`).
pub struct IovoxReply(pub IovoxError, Option<std::time::Duration>);

impl From<IovoxError> for IovoxReply {
    fn from(e: IovoxError) -> Self {
        Self(e, None)
    }
}

/// The texts iovox gives HTTP-level failures ("HTTP 401: Unauthorized"); a request the
/// storage rejects carries the vendor's validation text as its detail.
impl From<ApiError> for IovoxReply {
    fn from(e: ApiError) -> Self {
        let bad_request = |message: String| IovoxError { status: 400, message };
        let wait = match e {
            ApiError::TooManyRequests(wait) => Some(wait),
            _ => None,
        };
        Self(
            match e {
                ApiError::Unauthorized => IovoxError::http_status(401, "Unauthorized"),
                ApiError::Forbidden(_) => IovoxError::http_status(403, "Forbidden"),
                ApiError::NotFound(_) => IovoxError::http_status(404, "Not Found"),
                ApiError::BadRequest(message) | ApiError::Conflict(message) => bad_request(message),
                ApiError::Invalid(invalid) => bad_request(invalid.detail),
                ApiError::Unprocessable(message) => IovoxError { status: 422, message },
                ApiError::PayloadTooLarge => IovoxError::http_status(413, "Request Entity Too Large"),
                ApiError::UnknownPath => IovoxError::http_status(404, "Not Found"),
                ApiError::MethodNotAllowed => IovoxError::http_status(405, "Method Not Allowed"),
                ApiError::UnsupportedMediaType(_) => IovoxError::http_status(415, "Unsupported Media Type"),
                ApiError::TooManyRequests(_) => IovoxError::http_status(429, "Too Many Requests"),
                ApiError::Internal(_) => IovoxError::internal_server_error(),
            },
            wait,
        )
    }
}

impl From<StoreError> for IovoxReply {
    fn from(e: StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<QueryRejection> for IovoxReply {
    fn from(e: QueryRejection) -> Self {
        ApiError::BadRequest(e.body_text()).into()
    }
}

impl IntoResponse for IovoxReply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (
            status,
            [(CONTENT_TYPE, XML)],
            write_errors_xml(std::slice::from_ref(&self.0)),
        )
            .into_response();
        // Kept for `errors_in_the_asked_format`, which may render it as JSON instead.
        response.extensions_mut().insert(RenderedError(self.0));
        if status == StatusCode::UNAUTHORIZED {
            let challenge = HeaderValue::from_static("Basic realm=\"dialbase\"");
            response.headers_mut().insert(WWW_AUTHENTICATE, challenge);
        }
        match self.1 {
            Some(wait) => with_retry_after(response, &ApiError::TooManyRequests(wait)),
            None => response,
        }
    }
}

/// 200 with an XML document.
pub fn xml(body: String) -> Response {
    ([(CONTENT_TYPE, XML)], body).into_response()
}

/// 200 with a JSON document.
pub fn json(body: String) -> Response {
    ([(CONTENT_TYPE, JSON)], body).into_response()
}

/// The error an XML error answer carries.
#[derive(Clone)]
struct RenderedError(IovoxError);

/// Middleware of the iovox routes: a request whose query string asks
/// `output=JSON` gets its error (credentials, version, method, parameters,
/// storage) as JSON, with the same status and headers.
pub async fn errors_in_the_asked_format(request: Request, next: Next) -> Response {
    let asks_json = Query::<HashMap<String, String>>::try_from_uri(request.uri())
        .is_ok_and(|Query(params)| Output::asks_json(&params));
    let response = next.run(request).await;
    match response.extensions().get::<RenderedError>().cloned() {
        Some(RenderedError(error)) if asks_json => {
            let (mut parts, _) = response.into_parts();
            parts.headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
            parts.headers.remove(CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(write_errors_json(&[error])))
        }
        _ => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ValidationError;

    fn mapped(e: ApiError) -> (u16, String) {
        let IovoxReply(error, _) = e.into();
        (error.status, error.message)
    }

    #[test]
    fn only_real_faults_are_internal_server_errors() {
        assert_eq!(
            mapped(ApiError::Internal("disk I/O error".into())),
            (500, "Internal Server Error".into())
        );
        let rejected = ValidationError::new("iovox_rejected", "Request Empty");
        assert_eq!(mapped(ApiError::Invalid(rejected)), (400, "Request Empty".into()));
        assert_eq!(mapped(ApiError::Unauthorized), (401, "HTTP 401: Unauthorized".into()));
    }

    #[test]
    fn errors_are_xml_with_their_status() {
        let response = IovoxReply::from(IovoxError::internal_server_error()).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[CONTENT_TYPE], XML);
    }
}
