//! Dialing rules that need no I/O: where (in which time zones) a phone
//! number may ring, and whether it is a decent hour there.
//!
//! Typical flow for a contact's number:
//! 1. [`to_e164`] turns the number as written into E.164 digits;
//! 2. [`zones_for_number`] names the zones libphonenumber associates with
//!    it (several for a number whose prefix spans zones; none if unknown);
//! 3. [`parse_zone`] turns names into [`jiff::tz::TimeZone`]s, from the Time
//!    Zone Database compiled into the binary;
//! 4. a [`Schedule`] ([`WeeklyHours`], e.g. from [`parse_clock`], plus
//!    holidays) answers [`Schedule::callable`] and
//!    [`Schedule::next_callable_at`].

mod hours;
mod phone;
mod zones;

#[cfg(test)]
mod tests;

pub use hours::{MINUTES_PER_DAY, Schedule, WeeklyHours, parse_clock};
pub use phone::{number_variants, to_e164};
pub use zones::{parse_zone, zones_for_number};
