//! Webhooks' model (docs/changes.md): a subscription to the change feed, its deliveries,
//! the signature receivers check and the back-off between attempts.

use super::ValidationError;
use super::changes::{ChangeCursor, ChangeFilter};
use hmac::{KeyInit, Mac};
use sha2::Sha256;

/// A receiver's address: `http://` or `https://`, printable, at most 2,048 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let text = text.trim();
        let scheme = ["http://", "https://"]
            .iter()
            .any(|s| text.get(..s.len()).is_some_and(|p| p.eq_ignore_ascii_case(s)));
        let host = text.split_once("://").map_or("", |(_, rest)| rest);
        if !scheme
            || host.is_empty()
            || host.starts_with('/')
            || text.len() > 2_048
            || text.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ValidationError::new(
                "wrong_url",
                "url must be an http:// or https:// address of at most 2048 characters",
            ));
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A secret receivers check signatures with: 16-256 printable characters.
pub fn check_secret(secret: &str) -> Result<(), ValidationError> {
    if !(16..=256).contains(&secret.len()) || !secret.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ValidationError::new(
            "wrong_secret",
            "secret must be 16-256 visible ASCII characters",
        ));
    }
    Ok(())
}

/// A subscription as asked for.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: WebhookUrl,
    pub secret: String,
    pub filter: ChangeFilter,
    /// Where in the feed to start; None: after the last event now.
    pub after: Option<ChangeCursor>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub tenant: i64,
    pub url: String,
    pub secret: String,
    pub filter: ChangeFilter,
    pub created_at: i64,
    /// The last event delivered or given up on.
    pub cursor: ChangeCursor,
    /// Failed attempts at the next event.
    pub failures: i64,
    /// Unix seconds before which the next attempt waits.
    pub retry_at: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Delivered,
    /// Given up on after the attempts allowed; `redeliver` sends it again.
    Dead,
    /// Asked to go again.
    Pending,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Dead => "dead",
            Self::Pending => "pending",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text {
            "delivered" => Ok(Self::Delivered),
            "dead" => Ok(Self::Dead),
            "pending" => Ok(Self::Pending),
            _ => Err(ValidationError::new(
                "wrong_state",
                "state is delivered, dead or pending",
            )),
        }
    }
}

/// One event's delivery to one webhook, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub webhook: i64,
    pub cursor: String,
    pub kind: String,
    pub project: i64,
    pub record: i64,
    pub at: i64,
    pub state: DeliveryState,
    pub attempts: i64,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub updated_at: i64,
}

/// `sha256=<hex>`: HMAC-SHA256 of `<timestamp>.<body>` under the webhook's secret.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!(
        "sha256={}",
        digest.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// Seconds to wait after the `failures`-th failed attempt: 1, 2, 4, ... 256.
pub fn backoff_seconds(failures: i64) -> i64 {
    1 << (failures.clamp(1, 9) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http() {
        assert!(WebhookUrl::parse("https://crm.example.com/hooks/dialbase").is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/").is_ok());
        for wrong in [
            "",
            "ftp://x",
            "https://",
            "http:///path",
            "https://a b",
            "crm.example.com",
        ] {
            assert!(WebhookUrl::parse(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn signatures_are_hmac_sha256_of_timestamp_and_body() {
        let signed = signature("key-of-sixteen-chars", 1_700_000_000, b"{}");
        assert!(signed.starts_with("sha256=") && signed.len() == 7 + 64);
        assert_eq!(signed, signature("key-of-sixteen-chars", 1_700_000_000, b"{}"));
        assert_ne!(signed, signature("key-of-sixteen-chars", 1_700_000_001, b"{}"));
        // RFC 4231, test case 2: the HMAC itself.
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn back_off_doubles_up_to_a_limit() {
        let waits: Vec<i64> = (1..=11).map(backoff_seconds).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 256, 256]);
    }
}
