use jiff::civil::date;

use super::super::{MINUTES_PER_DAY, Schedule, WeeklyHours, parse_clock, zones_for_number};
use super::{at, every_day, working_days, zone};

#[test]
fn clock_texts() {
    assert_eq!(parse_clock("00:00"), Ok(0));
    assert_eq!(parse_clock("08:30"), Ok(510));
    assert_eq!(parse_clock(" 21:00 "), Ok(1260));
    assert_eq!(parse_clock("24:00"), Ok(MINUTES_PER_DAY));
    for bad in [
        "24:01", "25:00", "12:60", "8:00", "08:0", "0800", "08-00", "", ":", "+8:00", "08:00:00", "ab:cd",
    ] {
        let err = parse_clock(bad).unwrap_err();
        assert!(err.contains("HH:MM"), "{bad:?}: {err}");
    }
}

#[test]
fn number_spanning_chicago_and_new_york_waits_for_chicago() {
    let names = zones_for_number("18005551234");
    assert!(names.iter().any(|n| n == "America/Chicago") && names.iter().any(|n| n == "America/New_York"));
    let zones = [zone("America/Chicago"), zone("America/New_York")];
    let hours = every_day("08:00", "21:00");
    let schedule = Schedule {
        hours: &hours,
        holidays: &[],
    };
    // Wednesday 2026-06-10, 08:30 in New York (EDT), 07:30 in Chicago.
    let half_past_eight_new_york = at("2026-06-10T12:30:00Z");
    assert!(schedule.callable(&zones[1..], half_past_eight_new_york));
    assert!(!schedule.callable(&zones, half_past_eight_new_york));
    let nine_new_york = at("2026-06-10T13:00:00Z");
    assert_eq!(
        schedule.next_callable_at(&zones, half_past_eight_new_york),
        Some(nine_new_york)
    );
    // Closes with New York: 21:00 there is 20:00 in Chicago.
    assert!(schedule.callable(&zones, at("2026-06-11T00:59:59Z")));
    assert!(!schedule.callable(&zones, at("2026-06-11T01:00:00Z")));
}

#[test]
fn callable_now_returns_now_itself() {
    let hours = every_day("09:00", "20:00");
    let schedule = Schedule {
        hours: &hours,
        holidays: &[],
    };
    let zones = [zone("Europe/Budapest")];
    let now = at("2026-06-10T10:15:42.5Z");
    assert_eq!(schedule.next_callable_at(&zones, now), Some(now));
}

#[test]
fn holiday_skips_the_whole_local_day() {
    let hours = working_days("09:00", "17:00");
    let holidays = [date(2026, 5, 1)];
    let schedule = Schedule {
        hours: &hours,
        holidays: &holidays,
    };
    let zones = [zone("Europe/Budapest")];
    // Friday 1 May 2026, 10:00 CEST: a working-day window, but a holiday.
    assert!(!schedule.callable(&zones, at("2026-05-01T08:00:00Z")));
    assert!(
        Schedule {
            hours: &hours,
            holidays: &[]
        }
        .callable(&zones, at("2026-05-01T08:00:00Z"))
    );
    // From Thursday evening the next chance is Monday 4 May, 09:00 CEST.
    let thursday_evening = at("2026-04-30T16:00:00Z");
    assert_eq!(
        schedule.next_callable_at(&zones, thursday_evening),
        Some(at("2026-05-04T07:00:00Z"))
    );
}

#[test]
fn holiday_is_a_local_date_per_zone() {
    let hours = every_day("00:00", "24:00");
    let holidays = [date(2026, 5, 1)];
    let schedule = Schedule {
        hours: &hours,
        holidays: &holidays,
    };
    // 23:30Z on 1 May is already 2 May in Budapest but still 1 May in New York.
    let instant = at("2026-05-01T23:30:00Z");
    assert!(schedule.callable(&[zone("Europe/Budapest")], instant));
    assert!(!schedule.callable(&[zone("Europe/Budapest"), zone("America/New_York")], instant));
}

#[test]
fn sunday_without_window_is_never_callable() {
    let mut hours = every_day("09:00", "17:00");
    hours.days[6] = None;
    let schedule = Schedule {
        hours: &hours,
        holidays: &[],
    };
    let zones = [zone("Europe/Budapest")];
    // Sunday 14 June 2026, 10:00 CEST.
    let sunday_morning = at("2026-06-14T08:00:00Z");
    assert!(!schedule.callable(&zones, sunday_morning));
    assert!(
        schedule.callable(&zones, at("2026-06-13T08:00:00Z")),
        "Saturday has a window"
    );
    assert_eq!(
        schedule.next_callable_at(&zones, sunday_morning),
        Some(at("2026-06-15T07:00:00Z"))
    );
}

#[test]
fn window_may_end_at_midnight() {
    let hours = every_day("20:00", "24:00");
    let schedule = Schedule {
        hours: &hours,
        holidays: &[],
    };
    let zones = [zone("Europe/Budapest")];
    assert!(schedule.callable(&zones, at("2026-06-10T21:59:59Z")), "23:59:59 CEST");
    assert!(
        !schedule.callable(&zones, at("2026-06-10T22:00:00Z")),
        "00:00 CEST next day"
    );
    assert_eq!(
        schedule.next_callable_at(&zones, at("2026-06-10T22:00:00Z")),
        Some(at("2026-06-11T18:00:00Z"))
    );
}

#[test]
fn no_zones_or_no_hours_is_never_callable() {
    let hours = every_day("00:00", "24:00");
    let schedule = Schedule {
        hours: &hours,
        holidays: &[],
    };
    let now = at("2026-06-10T12:00:00Z");
    assert!(!schedule.callable(&[], now));
    assert_eq!(schedule.next_callable_at(&[], now), None);

    let never = WeeklyHours::default();
    let closed = Schedule {
        hours: &never,
        holidays: &[],
    };
    assert_eq!(closed.next_callable_at(&[zone("Europe/Budapest")], now), None);
}

#[test]
fn search_stops_after_fifteen_days() {
    let hours = every_day("09:00", "17:00");
    let holidays: Vec<_> = (0..16).map(|offset| date(2026, 6, 10 + offset)).collect();
    let schedule = Schedule {
        hours: &hours,
        holidays: &holidays,
    };
    let zones = [zone("Europe/Budapest")];
    assert_eq!(schedule.next_callable_at(&zones, at("2026-06-10T12:00:00Z")), None);
    let fewer = Schedule {
        hours: &hours,
        holidays: &holidays[..14],
    };
    assert_eq!(
        fewer.next_callable_at(&zones, at("2026-06-10T12:00:00Z")),
        Some(at("2026-06-24T07:00:00Z"))
    );
}

#[test]
fn empty_or_reversed_window_allows_no_calls() {
    let mut hours = every_day("09:00", "17:00");
    hours.days = [Some((600, 600)); 7];
    hours.days[0] = Some((1000, 900));
    let schedule = Schedule {
        hours: &hours,
        holidays: &[],
    };
    let zones = [zone("Europe/Budapest")];
    assert_eq!(schedule.next_callable_at(&zones, at("2026-06-10T12:00:00Z")), None);
}
