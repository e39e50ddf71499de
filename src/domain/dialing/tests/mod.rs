//! Unit tests of the dialing module, with shared fixtures.

mod dst_tests;
mod hours_tests;
mod phone_tests;
mod zones_tests;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{WeeklyHours, parse_clock, parse_zone};

/// A zone the bundled database must know.
pub(super) fn zone(name: &str) -> TimeZone {
    parse_zone(name).unwrap_or_else(|err| panic!("{err}"))
}

/// An instant written in RFC 3339, e.g. "2026-03-29T07:00:00Z".
pub(super) fn at(text: &str) -> Timestamp {
    text.parse()
        .unwrap_or_else(|err| panic!("bad timestamp {text:?}: {err}"))
}

/// The same window ("HH:MM", "HH:MM") on every day of the week.
pub(super) fn every_day(start: &str, end: &str) -> WeeklyHours {
    WeeklyHours {
        days: [Some(window(start, end)); 7],
    }
}

/// The window on Monday to Friday, no calls at the weekend.
pub(super) fn working_days(start: &str, end: &str) -> WeeklyHours {
    let mut hours = every_day(start, end);
    hours.days[5] = None;
    hours.days[6] = None;
    hours
}

pub(super) fn window(start: &str, end: &str) -> (u16, u16) {
    (parse_clock(start).unwrap(), parse_clock(end).unwrap())
}
