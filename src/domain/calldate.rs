//! Call dates travel as `YYYY-MM-DD hh:mm:ss` (VCC Live's format). They are stored
//! in that canonical form, which sorts lexically in time order on every backend.

use super::ValidationError;
use chrono::NaiveDateTime;

pub const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Parses and canonicalises a call date; rejects anything not a real instant.
pub fn parse(text: &str) -> Result<String, ValidationError> {
    NaiveDateTime::parse_from_str(text.trim(), FORMAT)
        .map(|t| t.format(FORMAT).to_string())
        .map_err(|_| wrong_format(text))
}

fn wrong_format(text: &str) -> ValidationError {
    ValidationError::new(
        "wrong_date_format",
        format!("'{text}' is not a date in YYYY-MM-DD hh:mm:ss format"),
    )
}

/// The current instant in the stored format (UTC).
pub fn now() -> String {
    chrono::Utc::now().naive_utc().format(FORMAT).to_string()
}

/// `now` shifted by whole seconds, for lease expiry.
pub fn now_plus_seconds(seconds: i64) -> String {
    (chrono::Utc::now().naive_utc() + chrono::Duration::seconds(seconds))
        .format(FORMAT)
        .to_string()
}

/// A canonical call date as Unix seconds (UTC), the form the storage keeps it in.
pub fn to_seconds(text: &str) -> Result<i64, ValidationError> {
    NaiveDateTime::parse_from_str(text.trim(), FORMAT)
        .map(|t| t.and_utc().timestamp())
        .map_err(|_| wrong_format(text))
}

/// Stored Unix seconds back in the API's format.
pub fn from_seconds(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.naive_utc().format(FORMAT).to_string())
        .unwrap_or_default()
}

pub fn now_seconds() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_format() {
        assert_eq!(parse("2020-11-11 11:11:11").unwrap(), "2020-11-11 11:11:11");
        assert_eq!(parse(" 2015-07-20 10:26:55 ").unwrap(), "2015-07-20 10:26:55");
    }

    #[test]
    fn rejects_impossible_or_malformed_dates() {
        for bad in [
            "2020-13-01 00:00:00",
            "2020-02-30 10:00:00",
            "2020-11-11",
            "tomorrow",
            "",
        ] {
            assert_eq!(parse(bad).unwrap_err().code, "wrong_date_format", "{bad}");
        }
    }

    #[test]
    fn seconds_round_trip() {
        for text in [
            "2020-11-11 11:11:11",
            "1970-01-01 00:00:00",
            "1900-02-28 23:59:59",
            "9999-12-31 23:59:59",
        ] {
            assert_eq!(from_seconds(to_seconds(text).unwrap()), text);
        }
        assert_eq!(to_seconds("2020-02-30 00:00:00").unwrap_err().code, "wrong_date_format");
        assert!(from_seconds(now_seconds()) <= now());
    }

    #[test]
    fn lease_expiry_is_in_the_future() {
        assert!(now_plus_seconds(60) > now());
    }
}
