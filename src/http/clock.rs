//! The time a request acts at. In production the real clock; a server started with
//! `DIALBASE_TEST_CLOCK=1` takes it from the `X-Dialbase-Now` header (any moment
//! `calldate::parse_moment` reads), so that tests of calling hours and retries never sleep until a window opens.

use super::AppState;
use crate::domain::calldate;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;

pub const NOW_HEADER: &str = "x-dialbase-now";

/// Whether this process honours [`NOW_HEADER`]: read once at start-up.
pub fn test_clock_enabled() -> bool {
    std::env::var("DIALBASE_TEST_CLOCK").is_ok_and(|v| v == "1")
}

/// The request's time in Unix seconds when a test gives one; None: the real clock.
pub struct RequestNow(pub Option<i64>);

impl FromRequestParts<AppState> for RequestNow {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if !state.test_clock {
            return Ok(RequestNow(None));
        }
        let header = parts.headers.get(NOW_HEADER).and_then(|v| v.to_str().ok());
        Ok(RequestNow(header.and_then(|text| calldate::parse_moment(text).ok())))
    }
}
