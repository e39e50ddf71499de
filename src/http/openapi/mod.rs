//! The OpenAPI 3.1 description of the JSON APIs at `/openapi.json`, built from the table of
//! operations (`operations.rs`), and an API reference page rendered from the same table,
//! served by the binary with nothing fetched from elsewhere.

mod document;
mod operations;
mod reference;

use super::AppState;
use axum::Router;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(document::serve))
        .route("/api", get(|| async { axum::response::Redirect::permanent("/api/") }))
        .route("/api/", get(reference::page))
}
