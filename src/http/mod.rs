//! HTTP: one module per API dialect over the shared store (`vcc`, `iovox`, `jtel`, and
//! `dialbase`, Dialbase's own API), each owning its wire format and error rendering, plus
//! the `console`. Every dialect is mounted twice: under `/{customer}` and at the root,
//! where the Host header names the tenant. `paths` decides which dialect a path is;
//! `answers` puts every answer on a dialect's path in that dialect's format.

mod answers;
pub mod audit;
mod auth;
mod auth_cache;
mod clock;
mod console;
mod dialbase;
mod error;
mod idempotency;
mod iovox;
mod jtel;
mod limits;
pub mod metrics;
mod openapi;
mod paths;
mod record_view;
mod scope;
mod vcc;

use crate::domain;
use crate::storage::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use std::sync::Arc;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use answers::error_in_dialect;
pub use auth::{Authed, Dialect, path_id};
pub use error::{ApiError, error_response, json_body, with_retry_after};
pub use idempotency::KEEP_SECONDS as IDEMPOTENCY_KEEP_SECONDS;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    auth_cache: Arc<auth_cache::AuthCache>,
    /// Whether requests may set the clock (`clock::NOW_HEADER`): tests only.
    test_clock: bool,
    /// Whether a request may ask for a panic (`answers::PANIC_HEADER`): tests only.
    test_panic: bool,
    limits: Arc<limits::Limits>,
}

/// Items one request may carry (records, elements, numbers, contacts): with reported errors
/// capped too, what a request costs in memory stays a small multiple of the body limit.
pub const MAX_BATCH_ITEMS: usize = 20_000;

/// An error for a request with more than [`MAX_BATCH_ITEMS`] items.
pub fn too_many_items(count: usize) -> ApiError {
    ApiError::Invalid(domain::ValidationError::new(
        "too_many_items",
        format!("{count} items: at most {MAX_BATCH_ITEMS} per request"),
    ))
}

/// A page's `limit` of Dialbase's own API: 1-1000, 100 when not given.
pub fn page_limit(text: Option<&str>) -> Result<u32, domain::ValidationError> {
    const MAX_PAGE: u32 = 1000;
    match text {
        None => Ok(100),
        Some(text) => text.parse().ok().filter(|n| (1..=MAX_PAGE).contains(n)).ok_or_else(|| {
            domain::ValidationError::new("wrong_limit", format!("limit must be a number from 1 to {MAX_PAGE}"))
        }),
    }
}

/// Default cap on request bodies: a 10,000-record import fits with room to spare.
pub const DEFAULT_BODY_LIMIT: usize = 32 * 1024 * 1024;

pub fn router(store: Arc<dyn Store>, body_limit: usize) -> Result<Router, String> {
    let dialects = Router::new()
        .merge(vcc::routes())
        .merge(iovox::routes())
        .merge(jtel::routes())
        .merge(dialbase::routes())
        .merge(console::routes());
    let state = AppState {
        store,
        auth_cache: Default::default(),
        test_clock: clock::test_clock_enabled(),
        test_panic: answers::test_panic_enabled(),
        limits: Arc::new(limits::Limits::from_env()?),
    };
    let routed = Router::new()
        .route("/healthz", get(healthz))
        .merge(console::root_routes())
        .merge(openapi::routes())
        .nest("/{customer}", dialects.clone())
        .merge(dialects)
        // The one layer inside the router: the metrics' route label is known only there.
        .layer(middleware::from_fn(metrics::remember_route))
        .with_state(state.clone());
    // The middleware wraps the router once, outermost first. Added with `Router::layer`
    // it wrapped every route, and each request cloned the whole stack at every level
    // (54 boxed clones per request: 7% of a claim's instructions).
    let layered = ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn(metrics::record))
        .layer(middleware::from_fn(answers::in_dialect))
        // A declared Content-Length over the limit is refused before any of the body is read.
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            refuse_oversized(body_limit, request, next)
        }))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            move |state, request: Request, next: Next| idempotency::guard(state, body_limit, request, next),
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        // Innermost: a panic unwinds no further than the request's own handler.
        .layer(CatchPanicLayer::custom(answers::panicked))
        .layer(middleware::from_fn_with_state(state, answers::panic_on_request))
        .service(routed);
    // Paths are normalised before routing.
    Ok(Router::new().fallback_service(layered.map_request(paths::normalize_request)))
}

/// 413 at once, in the dialect of the path, for a declared body over the limit: nothing
/// of it is read (a client declaring 10 GB and sending nothing gets its answer).
async fn refuse_oversized(limit: usize, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_none_or(|length| length <= limit as u64) || console::unlimited_body(request.uri().path()) {
        return next.run(request).await;
    }
    error_in_dialect(request.uri().path(), ApiError::PayloadTooLarge)
}

/// The store answered a trivial query: the database is open and migrated.
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> axum::http::StatusCode {
    match state.store.list_tenants().await {
        Ok(_) => axum::http::StatusCode::OK,
        Err(_) => axum::http::StatusCode::SERVICE_UNAVAILABLE,
    }
}
