//! API keys: generated with the OS random source, stored only as SHA-256 digests.
//! Keys carry 256 bits of entropy, so a fast digest is enough: there is nothing to brute-force.

use base64::Engine;
use sha2::{Digest, Sha256};

pub fn hash_key(key: &str) -> String {
    to_hex(&Sha256::digest(key.as_bytes()))
}

/// Lower-case hex. Every request hashes its key: `format!` per byte was a fifth of that.
fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// A fresh random API key (64 hex characters).
pub fn generate_key() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    to_hex(&bytes)
}

/// Decodes an `Authorization: Basic ...` header value into user and key.
pub fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, key) = text.split_once(':')?;
    Some((user.to_string(), key.to_string()))
}

/// The token of an `Authorization: Bearer ...` header value.
pub fn parse_bearer(header: &str) -> Option<String> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_round_trip() {
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("api:s3cr:et")
        );
        assert_eq!(parse_basic(&header), Some(("api".into(), "s3cr:et".into())));
        assert_eq!(parse_basic("Bearer abc"), None);
        assert_eq!(parse_basic("Basic !!!"), None);
    }

    #[test]
    fn bearer_tokens() {
        assert_eq!(parse_bearer("Bearer abc123"), Some("abc123".into()));
        assert_eq!(parse_bearer("bearer  abc123 "), Some("abc123".into()));
        assert_eq!(parse_bearer("Bearer "), None);
        assert_eq!(parse_bearer("Basic abc"), None);
    }

    #[test]
    fn keys_are_random_and_hashed() {
        let (a, b) = (generate_key(), generate_key());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(hash_key(&a), hash_key(&a));
        assert_ne!(hash_key(&a), a);
    }

    #[test]
    fn a_key_s_digest_is_its_sha256_in_lower_case_hex() {
        // Stored digests depend on this exact text.
        assert_eq!(
            hash_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
