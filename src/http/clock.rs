//! The time a request acts at. In production the real clock; a server started with
//! `DIALBASE_TEST_CLOCK=1` takes it from the `X-Dialbase-Now` header (Unix seconds or RFC
//! 3339), so that tests of calling hours and retries never sleep until a window opens.

use super::AppState;
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
        Ok(RequestNow(header.and_then(parse_now)))
    }
}

fn parse_now(text: &str) -> Option<i64> {
    let text = text.trim();
    text.parse::<i64>()
        .ok()
        .or_else(|| text.parse::<jiff::Timestamp>().ok().map(|t| t.as_second()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn seconds_or_rfc3339() {
        assert_eq!(super::parse_now("1700000000"), Some(1_700_000_000));
        assert_eq!(super::parse_now("1970-01-01T00:01:00Z"), Some(60));
        assert_eq!(super::parse_now("tomorrow"), None);
    }
}
