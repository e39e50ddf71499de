//! A project's dialing rules (docs/dialing.md): the JSON of
//! `PUT /dialbase/v1/projects/{id}/rules`, parsed once into checked values. A rule left
//! out keeps its default: no restriction. Stored as the canonical JSON [`DialingRules::to_json`]
//! gives, which parses back to the same rules.

use crate::domain::ValidationError;
use crate::domain::dialing::{Schedule, WeeklyHours, parse_clock, parse_zone, to_e164, zones_for_number};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesBody {
    calling_hours: Option<BTreeMap<String, Option<(String, String)>>>,
    holidays: Option<Vec<String>>,
    default_timezone: Option<String>,
    default_country: Option<String>,
    dedup: Option<DedupBody>,
    dnc_lists: Option<Vec<String>>,
    retries: Option<Retries>,
    dispositions: Option<BTreeMap<String, DispositionAction>>,
    callback_grace_minutes: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DedupBody {
    keys: Vec<String>,
    scope: Option<DedupScope>,
    window_days: Option<u32>,
    on_duplicate: Option<OnDuplicate>,
}

/// What makes two records the same contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DedupKey {
    /// Any number of the one is a number of the other (E.164 compared).
    Phone,
    UserData,
    /// The same text in this (indexed) field.
    Field(String),
}

impl DedupKey {
    fn name(&self) -> &str {
        match self {
            DedupKey::Phone => "phone",
            DedupKey::UserData => "user_data",
            DedupKey::Field(name) => name,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DedupScope {
    /// The records of the same project.
    #[default]
    Project,
    /// The records of every project of the tenant.
    Tenant,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDuplicate {
    /// The new item is refused (`error.duplicate_record` with the existing numberid).
    #[default]
    Reject,
    /// The new item is written over the existing record (of the same project).
    Update,
}

/// The duplicate check of every way records come in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dedup {
    pub keys: Vec<DedupKey>,
    pub scope: DedupScope,
    /// Only records created this many days back count; None: all of them.
    pub window_days: Option<u32>,
    pub on_duplicate: OnDuplicate,
}

impl Dedup {
    fn parse(body: DedupBody) -> Result<Self, ValidationError> {
        if body.keys.is_empty() {
            return Err(invalid("wrong_dedup", "dedup needs at least one key"));
        }
        let mut keys: Vec<DedupKey> = Vec::new();
        for key in body.keys {
            let key = match key.as_str() {
                "phone" => DedupKey::Phone,
                "user_data" => DedupKey::UserData,
                "" => return Err(invalid("wrong_dedup", "a dedup key must not be empty")),
                _ => DedupKey::Field(key),
            };
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        Ok(Dedup {
            keys,
            scope: body.scope.unwrap_or_default(),
            window_days: body.window_days,
            on_duplicate: body.on_duplicate.unwrap_or_default(),
        })
    }

    fn to_json(&self) -> Value {
        json!({"keys": self.keys.iter().map(DedupKey::name).collect::<Vec<_>>(), "scope": self.scope,
               "window_days": self.window_days, "on_duplicate": self.on_duplicate})
    }

    /// The named fields it compares.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().filter_map(|key| match key {
            DedupKey::Field(name) => Some(name.as_str()),
            _ => None,
        })
    }
}

/// Attempt limits; each left out (null) is no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retries {
    pub max_attempts_per_number: Option<u32>,
    pub max_attempts: Option<u32>,
    pub min_gap_minutes: Option<u32>,
}

/// What a call result (a disposition id) does to the record when a dialer releases it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum DispositionAction {
    /// The record is finished.
    Done,
    /// Call again after this many minutes (within the attempt limits).
    Retry { after_minutes: u32 },
    /// Call back at the `next_calldate` the release gives (required then).
    Callback,
    /// Put the dialed number on a do-not-call list; the record is finished.
    Dnc { list: String },
}

/// The rules of one project, checked. `Default` is "no restriction".
#[derive(Debug, Clone, Default)]
pub struct DialingRules {
    /// Some when calls are restricted to windows (or holidays are given).
    pub calling_hours: Option<WeeklyHours>,
    pub holidays: Vec<Date>,
    pub default_timezone: Option<(String, TimeZone)>,
    /// ISO 3166 alpha-2, upper case: national numbers are read as this country's.
    pub default_country: Option<String>,
    pub dedup: Option<Dedup>,
    pub dnc_lists: Vec<String>,
    pub retries: Retries,
    pub dispositions: BTreeMap<i64, DispositionAction>,
    pub callback_grace_minutes: u32,
}

/// The longest wait a rule may name: ten years (dates stay within what every clock handles).
const MAX_MINUTES: u32 = 10 * 365 * 24 * 60;

/// The one list every project applies: the VCC Robinson list.
pub const DEFAULT_DNC_LIST: &str = "default";

fn invalid(code: &'static str, detail: impl Into<String>) -> ValidationError {
    ValidationError::new(code, detail)
}

impl DialingRules {
    /// Rules from the request body (or the stored text).
    pub fn parse(body: &[u8]) -> Result<Self, ValidationError> {
        let body: RulesBody =
            serde_json::from_slice(body).map_err(|e| invalid("wrong_rules", format!("rules: {e}")))?;
        let mut rules = DialingRules {
            retries: body.retries.unwrap_or_default(),
            callback_grace_minutes: body.callback_grace_minutes.unwrap_or(0),
            ..Default::default()
        };
        if let Some(days) = body.calling_hours {
            rules.calling_hours = Some(weekly_hours(days)?);
        }
        for day in body.holidays.unwrap_or_default() {
            let date: Date = day
                .parse()
                .map_err(|_| invalid("wrong_holiday", format!("holiday {day:?} is not a YYYY-MM-DD date")))?;
            rules.holidays.push(date);
        }
        rules.holidays.sort();
        rules.holidays.dedup();
        if let Some(name) = body.default_timezone {
            let zone = parse_zone(&name).map_err(|e| invalid("wrong_timezone", e))?;
            rules.default_timezone = Some((name, zone));
        }
        if let Some(country) = body.default_country {
            let upper = country.to_ascii_uppercase();
            if upper.parse::<phonenumber::country::Id>().is_err() {
                return Err(invalid(
                    "wrong_country",
                    format!("{country:?} is not an ISO 3166 country code"),
                ));
            }
            rules.default_country = Some(upper);
        }
        rules.dedup = body.dedup.map(Dedup::parse).transpose()?;
        rules.dnc_lists = body.dnc_lists.unwrap_or_default();
        for list in &rules.dnc_lists {
            check_list_name(list)?;
        }
        rules.dnc_lists.sort();
        rules.dnc_lists.dedup();
        let minutes = [rules.retries.min_gap_minutes, Some(rules.callback_grace_minutes)];
        if minutes.iter().flatten().any(|m| *m > MAX_MINUTES) {
            return Err(invalid("wrong_minutes", "minutes must be at most 5256000 (ten years)"));
        }
        for (id, action) in body.dispositions.unwrap_or_default() {
            let id: i64 = id
                .parse()
                .map_err(|_| invalid("wrong_disposition", format!("disposition key {id:?} is not an id")))?;
            match &action {
                DispositionAction::Dnc { list } => check_list_name(list)?,
                DispositionAction::Retry { after_minutes } if *after_minutes > MAX_MINUTES => {
                    return Err(invalid(
                        "wrong_minutes",
                        "after_minutes must be at most 5256000 (ten years)",
                    ));
                }
                _ => {}
            }
            rules.dispositions.insert(id, action);
        }
        Ok(rules)
    }

    /// The calling-hours schedule, when calls are restricted at all.
    pub fn schedule(&self) -> Option<Schedule<'_>> {
        const ALWAYS: WeeklyHours = WeeklyHours {
            days: [Some((0, 1440)); 7],
        };
        match &self.calling_hours {
            Some(hours) => Some(Schedule {
                hours,
                holidays: &self.holidays,
            }),
            None if !self.holidays.is_empty() => Some(Schedule {
                hours: &ALWAYS,
                holidays: &self.holidays,
            }),
            None => None,
        }
    }

    /// The canonical JSON: every rule, null where it has its default.
    pub fn to_json(&self) -> Value {
        let calling_hours = self.calling_hours.as_ref().map(|hours| {
            let days: serde_json::Map<String, Value> = WEEKDAYS
                .iter()
                .zip(hours.days.iter())
                .map(|(day, window)| {
                    let window = window.map(|(start, end)| json!([clock(start), clock(end)]));
                    (day.to_string(), window.unwrap_or(Value::Null))
                })
                .collect();
            Value::Object(days)
        });
        let dispositions: serde_json::Map<String, Value> = self
            .dispositions
            .iter()
            .map(|(id, action)| (id.to_string(), json!(action)))
            .collect();
        json!({
            "calling_hours": calling_hours,
            "holidays": self.holidays.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            "default_timezone": self.default_timezone.as_ref().map(|(name, _)| name),
            "default_country": self.default_country,
            "dedup": self.dedup.as_ref().map(Dedup::to_json),
            "dnc_lists": self.dnc_lists,
            "retries": self.retries,
            "dispositions": dispositions,
            "callback_grace_minutes": self.callback_grace_minutes,
        })
    }
}

/// Time zones as a record keeps them: sorted IANA names separated by spaces.
impl DialingRules {
    /// The zones of a record that dials `number`: its own `timezone` field when that names
    /// a zone, else the number's (libphonenumber's map), else the project's default.
    pub fn zones_key(&self, number: Option<&str>, timezone: Option<&str>) -> Option<String> {
        if let Some(name) = timezone.map(str::trim).filter(|name| parse_zone(name).is_ok()) {
            return Some(name.to_string());
        }
        let from_number = number
            .and_then(|n| to_e164(n, self.default_country.as_deref()))
            .map(|e164| zones_for_number(&e164))
            .filter(|zones| !zones.is_empty())
            .map(|zones| zones.join(" "));
        from_number.or_else(|| self.default_timezone.as_ref().map(|(name, _)| name.clone()))
    }

    /// Whether a record with these zones may be called at `now` (Unix seconds); true when
    /// the project has no calling hours.
    pub fn callable(&self, zones: Option<&str>, now: i64) -> bool {
        match self.schedule() {
            None => true,
            Some(schedule) => schedule.callable(&zone_list(zones), timestamp(now)),
        }
    }

    /// The first second from `from` on at which a record with these zones may be called;
    /// None when never within the search horizon (or the zones are unknown).
    pub fn next_callable_at(&self, zones: Option<&str>, from: i64) -> Option<i64> {
        match self.schedule() {
            None => Some(from),
            Some(schedule) => schedule
                .next_callable_at(&zone_list(zones), timestamp(from))
                .map(|t| t.as_second()),
        }
    }
}

/// The zones of a stored key; names no longer known are left out.
pub fn zone_list(key: Option<&str>) -> Vec<TimeZone> {
    key.unwrap_or_default()
        .split_whitespace()
        .filter_map(|name| parse_zone(name).ok())
        .collect()
}

/// Seconds as a jiff timestamp, held inside jiff's range (years -9999..=9999).
fn timestamp(seconds: i64) -> Timestamp {
    let seconds = seconds.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A do-not-call list's name: 1-64 letters, digits, `_`, `-` or `.`.
pub fn check_list_name(name: &str) -> Result<(), ValidationError> {
    let fine = |c: char| c.is_ascii_alphanumeric() || "_-.".contains(c);
    if name.is_empty() || name.len() > 64 || !name.chars().all(fine) {
        return Err(invalid(
            "wrong_dnc_list",
            format!("{name:?} is not a list name (1-64 letters, digits, _ - .)"),
        ));
    }
    Ok(())
}

fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `{"mon": ["09:00", "20:00"], "sun": null}`: a day left out or null has no calls.
fn weekly_hours(days: BTreeMap<String, Option<(String, String)>>) -> Result<WeeklyHours, ValidationError> {
    let mut hours = WeeklyHours::default();
    for (day, window) in days {
        let index = WEEKDAYS
            .iter()
            .position(|d| *d == day)
            .ok_or_else(|| invalid("wrong_calling_hours", format!("{day:?} is not a weekday (mon..sun)")))?;
        let Some((start, end)) = window else { continue };
        let start = parse_clock(&start).map_err(|e| invalid("wrong_calling_hours", e))?;
        let end = parse_clock(&end).map_err(|e| invalid("wrong_calling_hours", e))?;
        if start >= end {
            return Err(invalid(
                "wrong_calling_hours",
                format!("{day}: the window must end after it starts"),
            ));
        }
        hours.days[index] = Some((start, end));
    }
    Ok(hours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example_parses_and_round_trips() {
        let body = br#"{"calling_hours": {"mon": ["09:00", "20:00"], "tue": ["09:00", "20:00"], "sat": ["10:00", "16:00"], "sun": null},
            "holidays": ["2026-12-25"], "default_timezone": "Europe/Budapest", "default_country": "hu",
            "dedup": {"keys": ["phone", "email"], "scope": "tenant", "window_days": 30, "on_duplicate": "update"},
            "dnc_lists": ["default"], "retries": {"max_attempts_per_number": 3, "max_attempts": 6, "min_gap_minutes": 60},
            "dispositions": {"7": {"action": "done"}, "8": {"action": "retry", "after_minutes": 120}, "9": {"action": "dnc", "list": "default"}},
            "callback_grace_minutes": 30}"#;
        let rules = DialingRules::parse(body).unwrap();
        assert_eq!(rules.calling_hours.as_ref().unwrap().days[0], Some((540, 1200)));
        assert_eq!(rules.calling_hours.as_ref().unwrap().days[6], None);
        assert_eq!(rules.default_country.as_deref(), Some("HU"));
        let dedup = rules.dedup.as_ref().unwrap();
        assert_eq!(dedup.keys, [DedupKey::Phone, DedupKey::Field("email".into())]);
        assert_eq!(
            (dedup.scope, dedup.window_days, dedup.on_duplicate),
            (DedupScope::Tenant, Some(30), OnDuplicate::Update)
        );
        assert_eq!(rules.dispositions[&8], DispositionAction::Retry { after_minutes: 120 });
        let again = DialingRules::parse(rules.to_json().to_string().as_bytes()).unwrap();
        assert_eq!(again.to_json(), rules.to_json());
        assert_ne!(rules.to_json(), DialingRules::default().to_json());
    }

    #[test]
    fn an_empty_body_is_no_restriction() {
        let rules = DialingRules::parse(b"{}").unwrap();
        assert_eq!(rules.to_json(), DialingRules::default().to_json());
        assert!(rules.schedule().is_none());
    }

    #[test]
    fn wrong_rules_are_refused_with_their_reason() {
        for (body, code) in [
            (
                r#"{"calling_hours": {"mon": ["20:00", "09:00"]}}"#,
                "wrong_calling_hours",
            ),
            (
                r#"{"calling_hours": {"monday": ["09:00", "20:00"]}}"#,
                "wrong_calling_hours",
            ),
            (r#"{"calling_hours": {"mon": ["9", "20:00"]}}"#, "wrong_calling_hours"),
            (r#"{"holidays": ["25.12.2026"]}"#, "wrong_holiday"),
            (r#"{"default_timezone": "Mars/Base"}"#, "wrong_timezone"),
            (r#"{"default_country": "XX"}"#, "wrong_country"),
            (r#"{"dispositions": {"x": {"action": "done"}}}"#, "wrong_disposition"),
            (r#"{"dispositions": {"1": {"action": "later"}}}"#, "wrong_rules"),
            (r#"{"retry": {}}"#, "wrong_rules"),
            (r#"{"dnc_lists": ["no spaces"]}"#, "wrong_dnc_list"),
            (r#"{"retries": {"min_gap_minutes": 4294967295}}"#, "wrong_minutes"),
            (
                r#"{"dispositions": {"8": {"action": "retry", "after_minutes": 6000000}}}"#,
                "wrong_minutes",
            ),
            (r#"{"dedup": {"keys": []}}"#, "wrong_dedup"),
            (r#"{"dedup": {"keys": ["phone"], "scope": "world"}}"#, "wrong_rules"),
        ] {
            let error = DialingRules::parse(body.as_bytes()).unwrap_err();
            assert_eq!(error.code, code, "{body}");
        }
    }

    #[test]
    fn holidays_alone_restrict_whole_days() {
        let rules = DialingRules::parse(br#"{"holidays": ["2026-12-25"]}"#).unwrap();
        assert_eq!(rules.schedule().unwrap().hours.days[3], Some((0, 1440)));
    }
}
