//! Call dates travel as `YYYY-MM-DD hh:mm:ss` (VCC Live's format). They are stored
//! in that canonical form, which sorts lexically in time order on every backend.

use super::ValidationError;
use chrono::{Datelike, NaiveDateTime, Timelike};

pub const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Parses and canonicalises a call date; rejects anything not a real instant.
pub fn parse(text: &str) -> Result<String, ValidationError> {
    parse_time(text).map(format).map_err(|_| wrong_format(text))
}

fn parse_time(text: &str) -> Result<NaiveDateTime, ()> {
    let text = text.trim();
    match canonical_time(text.as_bytes()) {
        Some(t) => Ok(t),
        None => NaiveDateTime::parse_from_str(text, FORMAT).map_err(|_| ()),
    }
}

/// `YYYY-MM-DD hh:mm:ss` read digit by digit (what nearly every call date looks like);
/// `None` for anything else, which chrono's parser then reads or rejects.
fn canonical_time(text: &[u8]) -> Option<NaiveDateTime> {
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b' ',
        h0,
        h1,
        b':',
        i0,
        i1,
        b':',
        s0,
        s1,
    ] = *text
    else {
        return None;
    };
    let digit = |c: u8| c.is_ascii_digit().then(|| u32::from(c - b'0'));
    let two = |a: u8, b: u8| Some(digit(a)? * 10 + digit(b)?);
    let year = two(y0, y1)? * 100 + two(y2, y3)?;
    chrono::NaiveDate::from_ymd_opt(year as i32, two(m0, m1)?, two(d0, d1)?)?.and_hms_opt(
        two(h0, h1)?,
        two(i0, i1)?,
        two(s0, s1)?,
    )
}

/// `t` in [`FORMAT`]. Written digit by digit: chrono's `format` interprets the pattern
/// anew for every value, which was a tenth of an export's CPU.
pub fn format(t: NaiveDateTime) -> String {
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return t.format(FORMAT).to_string();
    }
    let mut out = String::with_capacity(19);
    let mut two = |value: u32, separator: Option<char>| {
        if let Some(separator) = separator {
            out.push(separator);
        }
        out.push(char::from(b'0' + (value / 10) as u8));
        out.push(char::from(b'0' + (value % 10) as u8));
    };
    let year = year as u32;
    two(year / 100, None);
    two(year % 100, None);
    two(t.month(), Some('-'));
    two(t.day(), Some('-'));
    two(t.hour(), Some(' '));
    two(t.minute(), Some(':'));
    two(t.second(), Some(':'));
    out
}

fn wrong_format(text: &str) -> ValidationError {
    ValidationError::new(
        "wrong_date_format",
        format!("'{text}' is not a date in YYYY-MM-DD hh:mm:ss format"),
    )
}

/// The current instant in the stored format (UTC).
pub fn now() -> String {
    format(chrono::Utc::now().naive_utc())
}

/// `now` shifted by whole seconds, for lease expiry.
pub fn now_plus_seconds(seconds: i64) -> String {
    format(chrono::Utc::now().naive_utc() + chrono::Duration::seconds(seconds))
}

/// A canonical call date as Unix seconds (UTC), the form the storage keeps it in.
pub fn to_seconds(text: &str) -> Result<i64, ValidationError> {
    parse_time(text)
        .map(|t| t.and_utc().timestamp())
        .map_err(|_| wrong_format(text))
}

/// Stored Unix seconds back in the API's format.
pub fn from_seconds(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| format(t.naive_utc()))
        .unwrap_or_default()
}

/// A moment as a client names one in a query (`updated_since`): Dialbase's own
/// `YYYY-MM-DD hh:mm:ss` (UTC), RFC 3339, or Unix seconds.
pub fn parse_moment(text: &str) -> Result<i64, ValidationError> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(seconds);
    }
    if let Ok(moment) = text.parse::<jiff::Timestamp>() {
        return Ok(moment.as_second());
    }
    parse(text).and_then(|t| to_seconds(&t)).map_err(|_| {
        ValidationError::new(
            "wrong_updated_since",
            "updated_since must be YYYY-MM-DD hh:mm:ss (UTC), RFC 3339 or Unix seconds",
        )
    })
}

pub fn now_seconds() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_in_any_of_three_spellings() {
        for text in [
            "2026-12-01 10:00:00",
            "2026-12-01T10:00:00Z",
            "1796119200",
            "2026-12-01T11:00:00+01:00",
        ] {
            assert_eq!(parse_moment(text).unwrap(), 1_796_119_200, "{text}");
        }
        assert_eq!(parse_moment("yesterday").unwrap_err().code, "wrong_updated_since");
    }

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
    fn format_writes_what_chrono_writes() {
        for seconds in [
            -62_000_000_000i64,
            -1,
            0,
            59,
            951_782_400,
            1_700_000_000,
            253_402_300_799,
            253_402_300_800,
        ] {
            let t = chrono::DateTime::from_timestamp(seconds, 0).unwrap().naive_utc();
            assert_eq!(format(t), t.format(FORMAT).to_string(), "{seconds}");
        }
        assert_eq!(parse("2020-1-2 3:04:05").unwrap(), "2020-01-02 03:04:05");
    }

    #[test]
    fn lease_expiry_is_in_the_future() {
        assert!(now_plus_seconds(60) > now());
    }
}
