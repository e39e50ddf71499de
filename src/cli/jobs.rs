//! Work a server does besides answering requests: pruning the change feed and old
//! idempotency keys (docs/changes.md).

use crate::domain::calldate;
use crate::http::IDEMPOTENCY_KEEP_SECONDS;
use crate::storage::Store;
use std::sync::Arc;
use std::time::Duration;

/// How long events are kept unless `DIALBASE_CHANGES_RETENTION` says otherwise.
const DEFAULT_RETENTION: Duration = Duration::from_secs(7 * 86_400);
const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// `DIALBASE_CHANGES_RETENTION`: seconds, or a number with `s`, `m`, `h` or `d`.
pub fn retention_from_env() -> Result<Duration, String> {
    match std::env::var("DIALBASE_CHANGES_RETENTION") {
        Err(_) => Ok(DEFAULT_RETENTION),
        Ok(text) => parse_duration(&text)
            .ok_or_else(|| format!("DIALBASE_CHANGES_RETENTION must be like 7d, 12h, 30m or 3600, not {text:?}")),
    }
}

fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last()? {
        (at, c) if c.is_ascii_alphabetic() => (&text[..at], c),
        _ => (text, 's'),
    };
    let scale = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => return None,
    };
    let seconds = number.parse::<u64>().ok()?.checked_mul(scale)?;
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

/// Prunes at start-up and every ten minutes after, for as long as the server runs.
pub fn start_pruning(store: Arc<dyn Store>, retention: Duration) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(PRUNE_EVERY);
        loop {
            every.tick().await;
            let now = calldate::now_seconds();
            let keep = i64::try_from(retention.as_secs()).unwrap_or(i64::MAX);
            match store
                .prune(now.saturating_sub(keep), now - IDEMPOTENCY_KEEP_SECONDS)
                .await
            {
                Ok(0) => {}
                Ok(pruned) => tracing::info!(pruned, "pruned old change events"),
                Err(e) => tracing::warn!(error = %e, "pruning the change feed failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_takes_units() {
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("12h"), Some(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1_800)));
        for wrong in ["", "d", "0", "-1d", "7w", "1.5h"] {
            assert_eq!(parse_duration(wrong), None, "{wrong}");
        }
    }
}
