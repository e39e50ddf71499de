//! Calling hours: when a contact may be called, judged by the local clock
//! of every time zone the contact may be in.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

/// 24:00, the exclusive end of a window that runs to midnight.
pub const MINUTES_PER_DAY: u16 = 24 * 60;

/// How far [`Schedule::next_callable_at`] looks: two weeks plus a day, so
/// that a long holiday break still finds the next working day.
const SEARCH_HORIZON: SignedDuration = SignedDuration::from_hours(15 * 24);

/// Calling hours per weekday, minutes since local midnight, end exclusive,
/// end may be 1440 (midnight). Index 0 = Monday .. 6 = Sunday; None = no
/// calls that day. A window whose start is not before its end allows no
/// calls; windows do not run past midnight.
///
/// `Default` (all None) means "never", not "no restriction": callers build
/// a schedule only when hours are configured.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WeeklyHours {
    pub days: [Option<(u16, u16)>; 7],
}

impl WeeklyHours {
    /// The window of a local weekday, if calls are allowed that day.
    pub fn window(&self, weekday: Weekday) -> Option<(u16, u16)> {
        let index = usize::try_from(weekday.to_monday_zero_offset()).ok()?;
        self.days.get(index).copied().flatten()
    }
}

/// Calling hours plus days off. Holidays are local dates: a holiday blocks
/// the whole local day in each zone, whatever its weekday window says.
#[derive(Debug, Clone, Copy)]
pub struct Schedule<'a> {
    pub hours: &'a WeeklyHours,
    pub holidays: &'a [Date],
}

impl Schedule<'_> {
    /// True when, in EVERY zone of `zones`, the local time at `now` is inside
    /// that local weekday's window and the local date is not a holiday. A
    /// number that may be in several zones is called only when it is a
    /// decent hour in all of them. An empty `zones` slice is never callable:
    /// not knowing where a number is must not mean "call any time".
    pub fn callable(&self, zones: &[TimeZone], now: Timestamp) -> bool {
        !zones.is_empty() && zones.iter().all(|zone| self.callable_in(zone, now))
    }

    /// The earliest instant >= `now` (to the second; `now` itself when
    /// callable) at which [`Schedule::callable`] holds, searching at most 15
    /// days ahead; None if never in that horizon or `zones` is empty.
    ///
    /// Being callable is a conjunction of per-zone conditions, so it can only
    /// start at `now` or where some zone's condition starts: a window opening
    /// (both occurrences when the opening falls in a DST fold) or a clock
    /// jump (a DST gap can carry the local time past a window's start).
    /// Those instants are tested in ascending order.
    pub fn next_callable_at(&self, zones: &[TimeZone], now: Timestamp) -> Option<Timestamp> {
        if zones.is_empty() {
            return None;
        }
        let horizon_end = now.checked_add(SEARCH_HORIZON).ok()?;
        let mut candidates = vec![now];
        for zone in zones {
            self.push_openings(zone, now, horizon_end, &mut candidates);
            let jumps = zone.following(now).map(|transition| transition.timestamp());
            candidates.extend(jumps.take_while(|&instant| instant <= horizon_end));
        }
        candidates.retain(|&instant| now <= instant && instant <= horizon_end);
        candidates.sort_unstable();
        candidates.dedup();
        candidates.into_iter().find(|&instant| self.callable(zones, instant))
    }

    fn callable_in(&self, zone: &TimeZone, now: Timestamp) -> bool {
        let local = zone.to_datetime(now);
        if self.holidays.contains(&local.date()) {
            return false;
        }
        let Some((start, end)) = self.hours.window(local.weekday()) else {
            return false;
        };
        let minute = minute_of_day(local.time());
        start <= minute && minute < end
    }

    /// Pushes the instants at which the zone's local windows open, for local
    /// dates from the day before `from` to the day of `until` (the margin
    /// costs a few extra candidates and never misses an opening).
    fn push_openings(&self, zone: &TimeZone, from: Timestamp, until: Timestamp, out: &mut Vec<Timestamp>) {
        let last_day = zone.to_datetime(until).date();
        let mut day = zone.to_datetime(from).date().yesterday().ok();
        while let Some(date) = day.filter(|date| *date <= last_day) {
            if let Some(opening) = self.opening_time(date) {
                let ambiguous = zone.to_ambiguous_timestamp(date.to_datetime(opening));
                out.extend(ambiguous.compatible().ok());
                // In a fold the clock shows the opening time twice; the window
                // reopens at the second showing.
                if let AmbiguousOffset::Fold { .. } = ambiguous.offset() {
                    out.extend(ambiguous.later().ok());
                }
            }
            day = date.tomorrow().ok();
        }
    }

    /// The local clock time at which `date`'s window opens; None when no
    /// calls are possible that day.
    fn opening_time(&self, date: Date) -> Option<Time> {
        if self.holidays.contains(&date) {
            return None;
        }
        let (start, end) = self.hours.window(date.weekday())?;
        if start >= end || start >= MINUTES_PER_DAY {
            return None;
        }
        let hour = i8::try_from(start / 60).ok()?;
        let minute = i8::try_from(start % 60).ok()?;
        Time::new(hour, minute, 0, 0).ok()
    }
}

fn minute_of_day(time: Time) -> u16 {
    u16::from(time.hour().unsigned_abs()) * 60 + u16::from(time.minute().unsigned_abs())
}

/// "HH:MM" (00:00..=24:00) to minutes since midnight; Err with a message
/// otherwise. 24:00 exists so a window can run to the end of the day.
pub fn parse_clock(text: &str) -> Result<u16, String> {
    let invalid = || format!("invalid time of day {text:?}: expected HH:MM from 00:00 to 24:00");
    let two_digits = |part: &str| {
        let digits = part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| part.parse::<u16>().ok()).flatten()
    };
    let (hours, minutes) = text.trim().split_once(':').ok_or_else(invalid)?;
    let (Some(hours), Some(minutes)) = (two_digits(hours), two_digits(minutes)) else {
        return Err(invalid());
    };
    let total = hours * 60 + minutes;
    if minutes >= 60 || total > MINUTES_PER_DAY {
        return Err(invalid());
    }
    Ok(total)
}
