//! Which IANA time zones a phone number may be in, from libphonenumber's prefix map as the
//! `namba` crate carries it (libphonenumber's data, Apache-2.0, compiled into the binary:
//! nothing is downloaded), and checked zone names.

use std::sync::LazyLock;

use jiff::tz::{TimeZone, TimeZoneDatabase};

/// libphonenumber's marker for "no idea where this number is".
const UNKNOWN_ZONE: &str = "Etc/Unknown";

/// The IANA zone names libphonenumber maps the number's longest matching prefix to
/// (sorted, deduplicated); empty when unknown. A leading '+' is tolerated; any other
/// non-digit gives an empty list.
pub fn zones_for_number(e164_digits: &str) -> Vec<String> {
    let digits = e164_digits.strip_prefix('+').unwrap_or(e164_digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let Ok(number) = namba::parse(&format!("+{digits}")) else {
        return Vec::new();
    };
    let Some(zones) = namba::TimeZones::for_number(&number) else {
        return Vec::new();
    };
    let mut names: Vec<String> = zones
        .iter()
        .filter(|name| !name.is_empty() && *name != UNKNOWN_ZONE)
        .map(str::to_string)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The Time Zone Database compiled into the binary (jiff's
/// `tzdb-bundle-always`). Used instead of jiff's global database, which
/// prefers /usr/share/zoneinfo, so that results do not depend on the host.
static BUNDLED_TZDB: LazyLock<TimeZoneDatabase> = LazyLock::new(TimeZoneDatabase::bundled);

/// A checked IANA zone name, e.g. "Europe/Budapest". Err with a message for
/// a name the bundled Time Zone Database does not know.
pub fn parse_zone(name: &str) -> Result<TimeZone, String> {
    BUNDLED_TZDB
        .get(name)
        .map_err(|err| format!("unknown time zone {name:?}: {err}"))
}
