//! Do-not-call lists (docs/dialing.md "Do-not-call lists"): a tenant has the VCC Robinson
//! list (`default`, no expiry) and any number of named lists whose entries may expire.
//! A project names the lists it applies in its rules' `dnc_lists`.

use super::ValidationError;
use super::calldate;
use super::contact::normalize_phone;
use super::dialing_rules::{DEFAULT_DNC_LIST, check_list_name};
use std::collections::HashMap;

/// `records.dnc_until` of a record on a list entry without expiry: never callable.
pub const NO_EXPIRY: i64 = i64::MAX;

/// The most entries one request (or one CLI batch) may add or remove: one transaction.
pub const MAX_ENTRIES_PER_REQUEST: usize = 10_000;

/// Longest `source`, `reason` or author name kept with an entry, in characters.
const MAX_LABEL_CHARS: usize = 255;

/// A checked list name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DncList(String);

impl DncList {
    pub fn parse(name: &str) -> Result<Self, ValidationError> {
        check_list_name(name)?;
        Ok(Self(name.to_string()))
    }

    /// The VCC Robinson list: stored in `robinson`, flagged by `records.robinson`.
    pub fn robinson() -> Self {
        Self(DEFAULT_DNC_LIST.to_string())
    }

    pub fn is_robinson(&self) -> bool {
        self.0 == DEFAULT_DNC_LIST
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for DncList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An entry to put on a list, checked: a normalized number, an expiry the list allows,
/// and short printable labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDncEntry {
    pub phone: String,
    /// Unix seconds from which the number may be called again; None: never.
    pub expires_at: Option<i64>,
    pub source: Option<String>,
    pub reason: Option<String>,
}

impl NewDncEntry {
    /// Empty texts count as absent (a CSV cell left blank).
    pub fn parse(
        list: &DncList,
        phone: &str,
        expires_at: Option<&str>,
        source: Option<&str>,
        reason: Option<&str>,
    ) -> Result<Self, ValidationError> {
        let phone = normalize_phone(phone)?;
        let expires_at = present(expires_at).map(parse_time).transpose()?;
        if expires_at.is_some() && list.is_robinson() {
            return Err(ValidationError::new(
                "wrong_expires_at",
                "the Robinson list (default) has no expiry",
            ));
        }
        Ok(Self {
            phone,
            expires_at,
            source: present(source).map(|s| check_label("source", s)).transpose()?,
            reason: present(reason).map(|r| check_label("reason", r)).transpose()?,
        })
    }
}

fn present(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// A time as Dialbase writes them (`YYYY-MM-DD hh:mm:ss`, UTC) or RFC 3339, in Unix seconds.
pub fn parse_time(text: &str) -> Result<i64, ValidationError> {
    calldate::to_seconds(text)
        .or_else(|_| text.trim().parse::<jiff::Timestamp>().map(|t| t.as_second()))
        .map_err(|_| {
            ValidationError::new(
                "wrong_date_format",
                format!("'{text}' is not a time (YYYY-MM-DD hh:mm:ss UTC, or RFC 3339)"),
            )
        })
}

/// A source, reason or author: 1-255 characters, no control characters.
pub fn check_label(what: &str, text: &str) -> Result<String, ValidationError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_LABEL_CHARS || text.chars().any(char::is_control) {
        return Err(ValidationError::new(
            "wrong_label",
            format!("{what} must be 1-{MAX_LABEL_CHARS} printable characters"),
        ));
    }
    Ok(text.to_string())
}

/// Entries of one request, each number once: a later entry for a number replaces an
/// earlier one, as a second request would.
pub fn last_per_phone(entries: Vec<NewDncEntry>) -> Vec<NewDncEntry> {
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut kept: Vec<NewDncEntry> = Vec::with_capacity(entries.len());
    for entry in entries {
        match position.get(&entry.phone) {
            Some(&at) => kept[at] = entry,
            None => {
                position.insert(entry.phone.clone(), kept.len());
                kept.push(entry);
            }
        }
    }
    kept
}

/// The entry a release's `dnc` action puts on `list`: the dialed number, for good, with
/// the call result as its reason.
pub fn disposition_entry(
    list: &str,
    number: String,
    disposition_id: i64,
    record: i64,
) -> Result<(DncList, NewDncEntry), ValidationError> {
    let entry = NewDncEntry {
        phone: normalize_phone(&number).unwrap_or(number),
        expires_at: None,
        source: Some("disposition".into()),
        reason: Some(format!("disposition {disposition_id} of record {record}")),
    };
    Ok((DncList::parse(list)?, entry))
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DncEntry {
    pub list: String,
    pub phone: String,
    pub expires_at: Option<i64>,
    pub source: Option<String>,
    pub reason: Option<String>,
    /// Who put the entry there as it stands (None for Robinson numbers VCC's API added).
    pub created_by: Option<String>,
    pub created_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DncAction {
    Add,
    Remove,
}

impl DncAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Remove => "remove",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "add" => Some(Self::Add),
            "remove" => Some(Self::Remove),
            _ => None,
        }
    }
}

/// One line of a list's audit: who changed which number, when, and to what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DncChange {
    pub id: i64,
    pub list: String,
    pub phone: String,
    pub action: DncAction,
    pub expires_at: Option<i64>,
    pub source: Option<String>,
    pub reason: Option<String>,
    pub changed_by: String,
    pub changed_at: i64,
}

/// A list of the tenant and how many entries it has, in all and at the time asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DncListSummary {
    pub name: String,
    pub entries: u64,
    pub active: u64,
}

/// The latest expiry per (list, number) on the lists a project applies: what
/// `records.dnc_until` is made of.
#[derive(Debug, Default)]
pub struct DncExpiries(HashMap<String, i64>);

impl DncExpiries {
    /// From (phone, expiry) rows; a NULL expiry is [`NO_EXPIRY`].
    pub fn from_rows(rows: impl IntoIterator<Item = (String, Option<i64>)>) -> Self {
        let mut latest: HashMap<String, i64> = HashMap::new();
        for (phone, expires_at) in rows {
            let at = expires_at.unwrap_or(NO_EXPIRY);
            latest.entry(phone).and_modify(|e| *e = (*e).max(at)).or_insert(at);
        }
        Self(latest)
    }

    /// A record's `dnc_until`: the latest expiry among its numbers' entries; None when none
    /// of them is listed.
    pub fn until<'a>(&self, phones: impl IntoIterator<Item = &'a String>) -> Option<i64> {
        phones.into_iter().filter_map(|p| self.0.get(p).copied()).max()
    }
}

/// Whether a project's `dnc_lists` name a list other than the Robinson list.
pub fn has_named_lists(lists: &[String]) -> bool {
    lists.iter().any(|l| l != DEFAULT_DNC_LIST)
}

/// The named lists among a project's `dnc_lists` (the Robinson list has its own flag).
pub fn named_lists(lists: &[String]) -> Vec<String> {
    lists.iter().filter(|l| *l != DEFAULT_DNC_LIST).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(name: &str) -> DncList {
        DncList::parse(name).unwrap()
    }

    #[test]
    fn entries_are_normalized_and_checked() {
        let entry = NewDncEntry::parse(
            &list("tcpa"),
            "+36 1 999-7400",
            Some("2030-01-01 00:00:00"),
            Some(" crm "),
            Some(""),
        )
        .unwrap();
        assert_eq!(entry.phone, "3619997400");
        assert_eq!(entry.expires_at, Some(1_893_456_000));
        assert_eq!(entry.source.as_deref(), Some("crm"));
        assert_eq!(entry.reason, None);
        let rfc = NewDncEntry::parse(
            &list("tcpa"),
            "3619997400",
            Some("2030-01-01T01:00:00+01:00"),
            None,
            None,
        );
        assert_eq!(rfc.unwrap().expires_at, Some(1_893_456_000));
        for (phone, expires, code) in [
            ("36 1 abc", None, "wrong_phone_format"),
            ("3619997400", Some("next week"), "wrong_date_format"),
        ] {
            let error = NewDncEntry::parse(&list("tcpa"), phone, expires, None, None).unwrap_err();
            assert_eq!(error.code, code);
        }
        let robinson = NewDncEntry::parse(
            &DncList::robinson(),
            "3619997400",
            Some("2030-01-01 00:00:00"),
            None,
            None,
        );
        assert_eq!(
            robinson.unwrap_err().detail,
            "the Robinson list (default) has no expiry"
        );
        assert_eq!(check_label("reason", "a\u{0}b").unwrap_err().code, "wrong_label");
    }

    #[test]
    fn list_names_are_checked_and_default_is_the_robinson_list() {
        assert!(DncList::parse("default").unwrap().is_robinson());
        assert!(!list("tcpa-2026").is_robinson());
        assert_eq!(DncList::parse("no spaces").unwrap_err().code, "wrong_dnc_list");
    }

    #[test]
    fn the_last_entry_for_a_number_wins() {
        let entry = |phone: &str, reason: &str| NewDncEntry {
            phone: phone.into(),
            expires_at: None,
            source: None,
            reason: Some(reason.into()),
        };
        let kept = last_per_phone(vec![entry("1111", "a"), entry("2222", "b"), entry("1111", "c")]);
        assert_eq!(kept, vec![entry("1111", "c"), entry("2222", "b")]);
    }

    #[test]
    fn a_record_is_listed_until_its_latest_expiry() {
        let expiries = DncExpiries::from_rows([
            ("1111".to_string(), Some(100)),
            ("1111".to_string(), Some(300)),
            ("2222".to_string(), Some(200)),
            ("3333".to_string(), None),
        ]);
        let phones = |list: &[&str]| list.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        assert_eq!(expiries.until(&phones(&["1111", "2222"])), Some(300));
        assert_eq!(expiries.until(&phones(&["2222", "3333"])), Some(NO_EXPIRY));
        assert_eq!(expiries.until(&phones(&["4444"])), None);
        assert_eq!(named_lists(&phones(&["default", "tcpa"])), phones(&["tcpa"]));
    }
}
