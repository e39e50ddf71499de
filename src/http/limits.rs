//! Request limits per caller: failed logins per client address and per user are refused
//! for a while once they pile up (brute force), and each API user may be held to a token
//! bucket (`DIALBASE_RATE_LIMIT`). A refused request is `ApiError::TooManyRequests`, which
//! every dialect renders in its own format with a `Retry-After` header.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins allowed in a [`FAILURE_WINDOW`] per client address and per user; past
/// them the address or user is refused until the window ends.
const FAILURES_PER_ADDRESS: u32 = 20;
const FAILURES_PER_USER: u32 = 10;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// Entries kept at most; older windows are dropped first, then everything.
const MAX_TRACKED: usize = 100_000;

/// Who failed to log in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    Address(IpAddr),
    /// (tenant name, user)
    User(String, String),
}

#[derive(Default)]
struct FailureTracker {
    /// Failures in the current window and when the window started.
    failures: Mutex<HashMap<Caller, (u32, Instant)>>,
}

impl FailureTracker {
    fn allowed(caller: &Caller) -> u32 {
        match caller {
            Caller::Address(_) => FAILURES_PER_ADDRESS,
            Caller::User(..) => FAILURES_PER_USER,
        }
    }

    /// How long `caller` must still wait, if it has used up its failures.
    fn blocked(&self, caller: &Caller) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let (count, since) = failures.get(caller)?;
        let left = FAILURE_WINDOW.checked_sub(since.elapsed())?;
        (*count >= Self::allowed(caller)).then_some(left)
    }

    fn fail(&self, caller: Caller) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= MAX_TRACKED {
            failures.retain(|_, (_, since)| since.elapsed() < FAILURE_WINDOW);
            if failures.len() >= MAX_TRACKED {
                failures.clear();
            }
        }
        let entry = failures.entry(caller).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= FAILURE_WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }
}

/// `DIALBASE_RATE_LIMIT`: requests per second per API user, with a burst (`R` or `R/B`;
/// the burst defaults to twice the rate). Unset or `off`: no limit.
pub fn parse_rate_limit(text: &str) -> Result<Option<Quota>, String> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let wrong = || format!("DIALBASE_RATE_LIMIT must be requests per second, R or R/BURST: {text:?}");
    let (rate, burst) = match text.split_once('/') {
        Some((rate, burst)) => (rate, Some(burst)),
        None => (text, None),
    };
    let rate: u32 = rate.trim().parse().map_err(|_| wrong())?;
    let rate = NonZeroU32::new(rate).ok_or_else(wrong)?;
    let burst = match burst {
        Some(burst) => NonZeroU32::new(burst.trim().parse().map_err(|_| wrong())?).ok_or_else(wrong)?,
        None => rate.saturating_mul(NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN)),
    };
    Ok(Some(Quota::per_second(rate).allow_burst(burst)))
}

pub struct Limits {
    failures: FailureTracker,
    requests: Option<DefaultKeyedRateLimiter<(String, String)>>,
}

impl Limits {
    pub fn new(quota: Option<Quota>) -> Self {
        Limits {
            failures: FailureTracker::default(),
            requests: quota.map(DefaultKeyedRateLimiter::keyed),
        }
    }

    /// From `DIALBASE_RATE_LIMIT`; a value that is none is refused at start-up.
    pub fn from_env() -> Result<Self, String> {
        let quota = match std::env::var("DIALBASE_RATE_LIMIT") {
            Ok(text) => parse_rate_limit(&text)?,
            Err(_) => None,
        };
        Ok(Self::new(quota))
    }

    /// How long these callers must wait before they may try to log in again.
    pub fn login_blocked(&self, callers: &[Caller]) -> Option<Duration> {
        callers.iter().filter_map(|c| self.failures.blocked(c)).max()
    }

    pub fn login_failed(&self, callers: Vec<Caller>) {
        callers.into_iter().for_each(|c| self.failures.fail(c));
    }

    /// Takes a token of the user's bucket; the wait until the next one when it is empty.
    pub fn take(&self, tenant: &str, user: &str) -> Option<Duration> {
        let limiter = self.requests.as_ref()?;
        if limiter.len() > MAX_TRACKED {
            limiter.retain_recent();
        }
        let key = (tenant.to_string(), user.to_string());
        limiter
            .check_key(&key)
            .err()
            .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_parse_with_or_without_a_burst() {
        assert!(parse_rate_limit("off").unwrap().is_none());
        assert!(parse_rate_limit("").unwrap().is_none());
        let quota = parse_rate_limit("5/7").unwrap().unwrap();
        assert_eq!(quota.burst_size().get(), 7);
        assert_eq!(parse_rate_limit("5").unwrap().unwrap().burst_size().get(), 10);
        for wrong in ["0", "x", "5/0", "-1"] {
            assert!(parse_rate_limit(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn a_user_over_the_bucket_waits_and_failed_logins_block_for_a_while() {
        let limits = Limits::new(parse_rate_limit("1/2").unwrap());
        assert!(limits.take("t", "u").is_none());
        assert!(limits.take("t", "u").is_none());
        assert!(limits.take("t", "u").is_some(), "the burst of 2 is used up");
        assert!(limits.take("t", "other").is_none(), "buckets are per user");

        let user = Caller::User("t".into(), "u".into());
        for _ in 0..FAILURES_PER_USER - 1 {
            limits.login_failed(vec![user.clone()]);
        }
        assert!(limits.login_blocked(std::slice::from_ref(&user)).is_none());
        limits.login_failed(vec![user.clone()]);
        let wait = limits.login_blocked(&[user]).expect("blocked");
        assert!(wait <= FAILURE_WINDOW);
    }
}
