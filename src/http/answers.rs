//! Every answer on an API dialect's path is in that dialect's format. Handlers render their
//! own errors; this renders the rest: a refusal before any handler ran ([`error_in_dialect`]),
//! the router's 404 and 405 (its `Allow` header kept), an extractor's plain-text rejection,
//! and a panic (caught by tower-http's `CatchPanic`, answered 500; the request's transaction
//! rolled back with it).

use super::paths::ApiDialect;
use super::{ApiError, AppState, console, dialbase, iovox, jtel, vcc};
use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::any::Any;

/// An error answered outside the handlers, in the format of the path's dialect.
pub fn error_in_dialect(path: &str, e: ApiError) -> Response {
    match ApiDialect::of_path(path) {
        ApiDialect::Vcc => vcc::VccError::from(e).into_response(),
        ApiDialect::Iovox => iovox::IovoxReply::from(e).into_response(),
        ApiDialect::Jtel => jtel::JtelError::from(e).into_response(),
        ApiDialect::Console => console::error_answer(e),
        // What is no dialect's is Dialbase's own.
        ApiDialect::Dialbase | ApiDialect::Other => dialbase::DialbaseError::from(e).into_response(),
    }
}

/// Renders an error answer nobody rendered (no body, or axum's plain text) in the path's
/// dialect. The console's bare errors get its error page; other paths keep their answers.
pub async fn in_dialect(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let dialect = ApiDialect::of_path(&path);
    let response = next.run(request).await;
    if !(dialect.is_api() || dialect == ApiDialect::Console) || !unrendered(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    // axum's rejections are a line of text; more than this is not one of them.
    let text = to_bytes(body, 4096).await.unwrap_or_default();
    let error = match parts.status {
        StatusCode::NOT_FOUND => ApiError::UnknownPath,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::UnsupportedMediaType(String::from_utf8_lossy(&text).into_owned())
        }
        status if status.is_server_error() => ApiError::Internal(String::from_utf8_lossy(&text).into_owned()),
        _ => ApiError::BadRequest(String::from_utf8_lossy(&text).into_owned()),
    };
    let mut rendered = error_in_dialect(&path, error);
    keep_allow(&parts.headers, rendered.headers_mut());
    rendered
}

/// An error with no body of a dialect's: axum's routing answers have no Content-Type, its
/// extractors' rejections are `text/plain`; every dialect's own errors are JSON or XML.
fn unrendered(response: &Response) -> bool {
    let status = response.status();
    let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    (status.is_client_error() || status.is_server_error()) && content_type.is_none_or(|t| t.starts_with("text/plain"))
}

fn keep_allow(from: &HeaderMap, to: &mut HeaderMap) {
    if let Some(allow) = from.get(axum::http::header::ALLOW) {
        to.insert(axum::http::header::ALLOW, allow.clone());
    }
}

/// `CatchPanic`'s answer to a panic: logged, then a bare 500 that [`in_dialect`] renders.
pub fn panicked(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    tracing::error!(panic = what, "a request handler panicked");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// With `DIALBASE_TEST_PANIC=1` (tests only) a request carrying this header panics where the
/// handlers run, to show that a panic is answered in the dialect's format.
pub const PANIC_HEADER: &str = "x-dialbase-panic";

pub fn test_panic_enabled() -> bool {
    std::env::var("DIALBASE_TEST_PANIC").is_ok_and(|v| v == "1")
}

pub async fn panic_on_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if state.test_panic && request.headers().contains_key(PANIC_HEADER) {
        // Unwinds as a panic does, without the panic hook's message and backtrace on stderr.
        std::panic::resume_unwind(Box::new(format!("panic asked for by {PANIC_HEADER}")));
    }
    next.run(request).await
}
