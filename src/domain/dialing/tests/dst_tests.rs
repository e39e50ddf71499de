//! Windows across daylight saving changes: the local clock decides, so the
//! UTC instant of 09:00 moves by an hour.

use super::super::Schedule;
use super::{at, every_day, zone};

/// Asserts the zone is not callable one second before `opens` and is at `opens`.
fn assert_opens_at(schedule: &Schedule<'_>, zone_name: &str, opens: &str) {
    let zones = [zone(zone_name)];
    let opens = at(opens);
    let just_before = opens.checked_sub(jiff::SignedDuration::from_secs(1)).unwrap();
    assert!(
        !schedule.callable(&zones, just_before),
        "{zone_name} callable at {just_before}"
    );
    assert!(schedule.callable(&zones, opens), "{zone_name} not callable at {opens}");
}

#[test]
fn budapest_spring_forward() {
    let hours = every_day("09:00", "20:00");
    let schedule = Schedule {
        hours: &hours,
        holidays: &[],
    };
    assert_opens_at(&schedule, "Europe/Budapest", "2026-03-28T08:00:00Z"); // 09:00 CET
    assert_opens_at(&schedule, "Europe/Budapest", "2026-03-29T07:00:00Z"); // 09:00 CEST
    let zones = [zone("Europe/Budapest")];
    let saturday_evening = at("2026-03-28T21:00:00Z");
    assert_eq!(
        schedule.next_callable_at(&zones, saturday_evening),
        Some(at("2026-03-29T07:00:00Z"))
    );
}

#[test]
fn budapest_fall_back() {
    let hours = every_day("09:00", "20:00");
    let schedule = Schedule {
        hours: &hours,
        holidays: &[],
    };
    assert_opens_at(&schedule, "Europe/Budapest", "2026-10-24T07:00:00Z"); // 09:00 CEST
    assert_opens_at(&schedule, "Europe/Budapest", "2026-10-25T08:00:00Z"); // 09:00 CET
    let zones = [zone("Europe/Budapest")];
    assert_eq!(
        schedule.next_callable_at(&zones, at("2026-10-24T19:00:00Z")),
        Some(at("2026-10-25T08:00:00Z"))
    );
}

#[test]
fn new_york_spring_forward() {
    let hours = every_day("09:00", "20:00");
    let schedule = Schedule {
        hours: &hours,
        holidays: &[],
    };
    assert_opens_at(&schedule, "America/New_York", "2026-03-07T14:00:00Z"); // 09:00 EST
    assert_opens_at(&schedule, "America/New_York", "2026-03-08T13:00:00Z"); // 09:00 EDT
    let zones = [zone("America/New_York")];
    assert_eq!(
        schedule.next_callable_at(&zones, at("2026-03-08T02:00:00Z")),
        Some(at("2026-03-08T13:00:00Z"))
    );
}

#[test]
fn new_york_fall_back() {
    let hours = every_day("09:00", "20:00");
    let schedule = Schedule {
        hours: &hours,
        holidays: &[],
    };
    assert_opens_at(&schedule, "America/New_York", "2026-10-31T13:00:00Z"); // 09:00 EDT
    assert_opens_at(&schedule, "America/New_York", "2026-11-01T14:00:00Z"); // 09:00 EST
    let zones = [zone("America/New_York")];
    assert!(schedule.callable(&zones, at("2026-11-02T00:59:59Z")), "19:59:59 EST");
    assert!(!schedule.callable(&zones, at("2026-11-02T01:00:00Z")), "20:00 EST");
    assert_eq!(
        schedule.next_callable_at(&zones, at("2026-11-01T05:00:00Z")),
        Some(at("2026-11-01T14:00:00Z"))
    );
}

#[test]
fn zones_out_of_step_between_the_us_and_eu_changes() {
    // From 8 to 29 March 2026 New York is on EDT but Budapest still on CET:
    // five hours apart, not six.
    let hours = every_day("09:00", "20:00");
    let schedule = Schedule {
        hours: &hours,
        holidays: &[],
    };
    let zones = [zone("Europe/Budapest"), zone("America/New_York")];
    let monday_early = at("2026-03-16T08:00:00Z");
    assert_eq!(
        schedule.next_callable_at(&zones, monday_early),
        Some(at("2026-03-16T13:00:00Z"))
    );
    assert!(schedule.callable(&zones, at("2026-03-16T18:59:59Z")), "19:59:59 CET");
    assert!(!schedule.callable(&zones, at("2026-03-16T19:00:00Z")), "20:00 CET");
}

#[test]
fn window_opening_in_a_dst_gap_opens_when_the_clock_jumps() {
    // 02:30 does not exist on these days: clocks jump from 02:00 to 03:00,
    // which is already past the opening.
    let hours = every_day("02:30", "20:00");
    let schedule = Schedule {
        hours: &hours,
        holidays: &[],
    };
    let new_york = [zone("America/New_York")];
    assert!(
        !schedule.callable(&new_york, at("2026-03-08T06:59:59Z")),
        "01:59:59 EST"
    );
    assert!(schedule.callable(&new_york, at("2026-03-08T07:00:00Z")), "03:00 EDT");
    let midnight = at("2026-03-08T05:00:00Z");
    assert_eq!(
        schedule.next_callable_at(&new_york, midnight),
        Some(at("2026-03-08T07:00:00Z"))
    );
    let budapest = [zone("Europe/Budapest")];
    let midnight = at("2026-03-28T23:00:00Z");
    assert_eq!(
        schedule.next_callable_at(&budapest, midnight),
        Some(at("2026-03-29T01:00:00Z"))
    );
}

#[test]
fn window_opening_in_a_dst_fold_reopens_at_the_second_showing() {
    // On 1 November 2026 New York shows 01:00-01:59 twice (EDT, then EST).
    let hours = every_day("01:30", "01:45");
    let schedule = Schedule {
        hours: &hours,
        holidays: &[],
    };
    let zones = [zone("America/New_York")];
    let first_showing = at("2026-11-01T05:30:00Z");
    assert_eq!(
        schedule.next_callable_at(&zones, at("2026-11-01T04:00:00Z")),
        Some(first_showing)
    );
    let after_first = at("2026-11-01T05:50:00Z");
    assert_eq!(
        schedule.next_callable_at(&zones, after_first),
        Some(at("2026-11-01T06:30:00Z"))
    );
}
