//! The console's stylesheet and script, embedded in the binary (no CDN, no build step).

use axum::extract::RawPathParams;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("assets/console.css");
const JS: &str = include_str!("assets/console.js");

pub async fn serve(params: RawPathParams) -> Response {
    let asset = params.iter().find(|(name, _)| *name == "asset").map(|(_, v)| v);
    let (content_type, body) = match asset {
        Some("console.css") => ("text/css; charset=utf-8", CSS),
        Some("console.js") => ("text/javascript; charset=utf-8", JS),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [(CONTENT_TYPE, content_type), (CACHE_CONTROL, "public, max-age=3600")],
        body,
    )
        .into_response()
}
