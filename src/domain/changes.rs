//! The change feed's model (docs/changes.md): what happened to which record, and the
//! cursor a consumer resumes from.

use super::ValidationError;
use std::fmt;
use std::str::FromStr;

/// What a committed change did to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    Add,
    Modify,
    Contact,
    Disposition,
    Lock,
    Unlock,
    Claim,
    Release,
    Delete,
    /// The record's do-not-call state changed (Robinson list or a named list).
    Dnc,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 10] = [
        Self::Add,
        Self::Modify,
        Self::Contact,
        Self::Disposition,
        Self::Lock,
        Self::Unlock,
        Self::Claim,
        Self::Release,
        Self::Delete,
        Self::Dnc,
    ];

    /// The name in the feed, in webhook filters and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Modify => "modify",
            Self::Contact => "contact",
            Self::Disposition => "disposition",
            Self::Lock => "lock",
            Self::Unlock => "unlock",
            Self::Claim => "claim",
            Self::Release => "release",
            Self::Delete => "delete",
            Self::Dnc => "dnc",
        }
    }
}

impl FromStr for ChangeKind {
    type Err = ValidationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
            ValidationError::new(
                "wrong_type",
                format!("unknown change type {text:?}: one of {}", names.join(", ")),
            )
        })
    }
}

/// A comma-separated list of change types (`add,modify`); empty names none.
pub fn parse_kinds(text: &str) -> Result<Vec<ChangeKind>, ValidationError> {
    kinds_named(text.split(',').map(str::trim).filter(|name| !name.is_empty()))
}

/// The change types these names give, in order and each once.
pub fn kinds_named<'a>(names: impl Iterator<Item = &'a str>) -> Result<Vec<ChangeKind>, ValidationError> {
    let mut kinds: Vec<ChangeKind> = names.map(str::parse).collect::<Result<_, _>>()?;
    kinds.sort();
    kinds.dedup();
    Ok(kinds)
}

/// A position in a tenant's feed: the commit (numbered in commit order) and the event
/// within it. Shown as `commit.event`; clients treat it as opaque. On SQLite, where one
/// writer commits at a time, both are the event's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct ChangeCursor {
    pub commit: i64,
    pub event: i64,
}

impl ChangeCursor {
    /// Before every event.
    pub const START: ChangeCursor = ChangeCursor { commit: 0, event: 0 };
}

impl fmt::Display for ChangeCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.commit, self.event)
    }
}

impl FromStr for ChangeCursor {
    type Err = ValidationError;

    /// `commit.event` as handed out, or `0` for the start.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wrong = || ValidationError::new("wrong_after", "after is a cursor from this feed (or 0)");
        let number = |part: &str| part.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(wrong);
        match text.trim().split_once('.') {
            Some((commit, event)) => Ok(Self {
                commit: number(commit)?,
                event: number(event)?,
            }),
            None if text.trim() == "0" => Ok(Self::START),
            None => Err(wrong()),
        }
    }
}

/// One event of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub cursor: ChangeCursor,
    pub kind: ChangeKind,
    pub project: i64,
    pub record: i64,
    /// Unix seconds of the change.
    pub at: i64,
}

impl Change {
    /// The event as the feed and webhooks show it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"cursor": self.cursor.to_string(), "type": self.kind.as_str(), "project": self.project,
                           "record": self.record, "at": super::calldate::from_seconds(self.at)})
    }
}

/// Events of one kind and project for consecutive records with consecutive ids, stored
/// as one row: an import's `add` events take a row per run of new ids instead of one each
/// (a tenth of the import's B-tree inserts and about 27 bytes per record on SQLite). The
/// row holds its last event's id and record, so `id > after` finds every row with an event
/// after `after`; a row of one event is an event as stored before spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSpan {
    pub last_event: i64,
    pub last_record: i64,
    pub len: i64,
}

impl EventSpan {
    /// The spans of events for these records, numbered on from `last_event`: one per run
    /// of consecutive record ids, in the order given.
    pub fn numbered(records: &[i64], last_event: i64) -> Vec<EventSpan> {
        let mut spans: Vec<EventSpan> = Vec::new();
        let mut event = last_event;
        for &record in records {
            event += 1;
            match spans.last_mut() {
                Some(span) if span.last_record.checked_add(1) == Some(record) => {
                    span.last_record = record;
                    span.last_event = event;
                    span.len += 1;
                }
                _ => spans.push(EventSpan {
                    last_event: event,
                    last_record: record,
                    len: 1,
                }),
            }
        }
        spans
    }

    /// Its events after event `after`, as (event id, record id), in order.
    pub fn events_after(self, after: i64) -> impl Iterator<Item = (i64, i64)> {
        let first = (self.last_event - self.len.max(1) + 1).max(after.saturating_add(1));
        (first..=self.last_event).map(move |event| (event, self.last_record - (self.last_event - event)))
    }
}

/// A row of the feed as stored: a span of events of one kind and project, made at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredEvents {
    pub span: EventSpan,
    pub kind: ChangeKind,
    pub project: i64,
    /// Unix seconds of the change.
    pub at: i64,
}

impl StoredEvents {
    /// Its events after event `after`, each with the cursor `cursor` makes of its id.
    pub fn changes(self, after: i64, cursor: impl Fn(i64) -> ChangeCursor) -> impl Iterator<Item = Change> {
        self.span.events_after(after).map(move |(event, record)| Change {
            cursor: cursor(event),
            kind: self.kind,
            project: self.project,
            record,
            at: self.at,
        })
    }
}

/// Which events a read wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeFilter {
    pub project: Option<i64>,
    /// Empty: every kind.
    pub kinds: Vec<ChangeKind>,
}

impl ChangeFilter {
    pub fn admits(&self, change: &Change) -> bool {
        self.project.is_none_or(|p| p == change.project) && (self.kinds.is_empty() || self.kinds.contains(&change.kind))
    }

    /// The kinds as the database stores them, or None for every kind.
    pub fn kind_names(&self) -> Option<Vec<String>> {
        (!self.kinds.is_empty()).then(|| self.kinds.iter().map(|k| k.as_str().to_string()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_order_by_commit_first() {
        let cursor: ChangeCursor = "12.340".parse().unwrap();
        assert_eq!(cursor, ChangeCursor { commit: 12, event: 340 });
        assert_eq!(cursor.to_string(), "12.340");
        assert_eq!("0".parse::<ChangeCursor>().unwrap(), ChangeCursor::START);
        assert!(ChangeCursor { commit: 2, event: 1 } > ChangeCursor { commit: 1, event: 9 });
        for wrong in ["", "x", "1.", ".1", "-1.2", "7", "1.2.3"] {
            assert!(wrong.parse::<ChangeCursor>().is_err(), "{wrong}");
        }
    }

    #[test]
    fn kinds_parse_from_a_list() {
        assert_eq!(
            parse_kinds("modify, add,add").unwrap(),
            vec![ChangeKind::Add, ChangeKind::Modify]
        );
        assert!(parse_kinds("").unwrap().is_empty());
        assert_eq!(parse_kinds("added").unwrap_err().code, "wrong_type");
        for kind in ChangeKind::ALL {
            assert_eq!(kind.as_str().parse::<ChangeKind>().unwrap(), kind);
        }
    }

    #[test]
    fn spans_hold_runs_of_consecutive_records_and_give_their_events_back() {
        let records = [5, 6, 7, 9, 10, 4, 4];
        let spans = EventSpan::numbered(&records, 100);
        let span = |last_event, last_record, len| EventSpan {
            last_event,
            last_record,
            len,
        };
        assert_eq!(
            spans,
            [span(103, 7, 3), span(105, 10, 2), span(106, 4, 1), span(107, 4, 1)]
        );
        let events: Vec<(i64, i64)> = spans.iter().flat_map(|s| s.events_after(0)).collect();
        let expected: Vec<(i64, i64)> = (101..).zip(records).collect();
        assert_eq!(events, expected);
        // A cursor inside a span: only the events after it.
        assert_eq!(spans[0].events_after(101).collect::<Vec<_>>(), [(102, 6), (103, 7)]);
        assert_eq!(spans[0].events_after(103).count(), 0);
        assert!(EventSpan::numbered(&[], 3).is_empty());
    }
}
