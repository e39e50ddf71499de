//! What a dialer's release with a call result does to a record under its project's
//! rules (docs/dialing.md): done, due again later (maybe on its next number), a call-back
//! for an owner, or a number put on a do-not-call list. Pure: both backends apply it.

use crate::domain::ValidationError;
use crate::domain::dialing_rules::{DialingRules, DispositionAction};
use std::collections::HashMap;

/// The record as the call left it, before this result counts.
pub struct CallFacts<'a> {
    pub attempts: i64,
    /// The field whose number was dialed; None when the record has no number.
    pub dialed: Option<&'a str>,
    /// The fields that hold a number, in dialing order.
    pub numbers: &'a [String],
    /// Results already stored per dialed field.
    pub attempts_by_number: &'a HashMap<String, i64>,
}

/// The result a dialer reports.
pub struct CallResult<'a> {
    pub disposition_id: i64,
    /// Unix seconds of an agreed call-back.
    pub callback_at: Option<i64>,
    pub callback_owner: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// When the record is due again (Unix seconds); None: it is done.
    pub next_calldate: Option<i64>,
    /// The field to dial next time.
    pub phone_field: Option<String>,
    pub callback_owner: Option<String>,
    /// A do-not-call list and the field whose number goes on it.
    pub dnc: Option<(String, String)>,
}

impl Outcome {
    fn done(facts: &CallFacts) -> Self {
        Outcome {
            next_calldate: None,
            phone_field: facts.dialed.map(str::to_string),
            callback_owner: None,
            dnc: None,
        }
    }
}

/// Works out the outcome. An explicit call-back date always wins (an appointment made
/// with the contact is kept whatever the attempt limits); otherwise the disposition's
/// action decides, and without one the record is done, as before rules existed.
pub fn plan(
    rules: &DialingRules,
    facts: &CallFacts,
    result: &CallResult,
    now: i64,
) -> Result<Outcome, ValidationError> {
    if let Some(at) = result.callback_at {
        return Ok(Outcome {
            next_calldate: Some(at),
            phone_field: facts.dialed.map(str::to_string),
            callback_owner: result.callback_owner.map(str::to_string),
            dnc: None,
        });
    }
    if result.callback_owner.is_some() {
        return Err(ValidationError::new(
            "missing_next_calldate",
            "callback_owner comes with a next_calldate",
        ));
    }
    match rules.dispositions.get(&result.disposition_id) {
        None | Some(DispositionAction::Done) => Ok(Outcome::done(facts)),
        Some(DispositionAction::Callback) => Err(ValidationError::new(
            "missing_next_calldate",
            format!(
                "disposition {} is a call-back: next_calldate is required",
                result.disposition_id
            ),
        )),
        Some(DispositionAction::Dnc { list }) => Ok(Outcome {
            dnc: facts.dialed.map(|field| (list.clone(), field.to_string())),
            ..Outcome::done(facts)
        }),
        Some(DispositionAction::Retry { after_minutes }) => Ok(retry(rules, facts, *after_minutes, now)),
    }
}

fn retry(rules: &DialingRules, facts: &CallFacts, after_minutes: u32, now: i64) -> Outcome {
    let retries = &rules.retries;
    if retries
        .max_attempts
        .is_some_and(|max| facts.attempts + 1 >= i64::from(max))
    {
        return Outcome::done(facts);
    }
    let Some(field) = next_number(facts, retries.max_attempts_per_number) else {
        return Outcome::done(facts);
    };
    let minutes = after_minutes.max(retries.min_gap_minutes.unwrap_or(0));
    Outcome {
        next_calldate: Some(now + i64::from(minutes) * 60),
        phone_field: Some(field),
        callback_owner: None,
        dnc: None,
    }
}

/// The number to dial next: the same one until it has used its attempts, then the next
/// one in dialing order (wrapping round) that has attempts left.
fn next_number(facts: &CallFacts, per_number: Option<u32>) -> Option<String> {
    let dialed = facts.dialed?;
    let Some(max) = per_number.map(i64::from) else {
        return Some(dialed.to_string());
    };
    let used = |field: &str| {
        let before = facts.attempts_by_number.get(field).copied().unwrap_or(0);
        before + i64::from(field == dialed)
    };
    let start = facts.numbers.iter().position(|f| f == dialed).unwrap_or(0);
    let mut ordered = facts.numbers[start..].iter().chain(&facts.numbers[..start]);
    ordered.find(|f| used(f) < max).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(json: &str) -> DialingRules {
        DialingRules::parse(json.as_bytes()).unwrap()
    }

    fn result(id: i64) -> CallResult<'static> {
        CallResult {
            disposition_id: id,
            callback_at: None,
            callback_owner: None,
        }
    }

    const NOW: i64 = 1_000_000;

    #[test]
    fn without_rules_a_result_finishes_the_record_and_a_call_back_reopens_it() {
        let numbers = vec!["phone1".to_string()];
        let counts = HashMap::new();
        let facts = CallFacts {
            attempts: 0,
            dialed: Some("phone1"),
            numbers: &numbers,
            attempts_by_number: &counts,
        };
        let plain = DialingRules::default();
        assert_eq!(plan(&plain, &facts, &result(3), NOW).unwrap().next_calldate, None);
        let callback = CallResult {
            callback_at: Some(NOW + 60),
            callback_owner: Some("agent-7"),
            ..result(3)
        };
        let outcome = plan(&plain, &facts, &callback, NOW).unwrap();
        assert_eq!(outcome.next_calldate, Some(NOW + 60));
        assert_eq!(outcome.callback_owner.as_deref(), Some("agent-7"));
    }

    #[test]
    fn a_retry_waits_at_least_the_minimum_gap_and_stops_at_the_attempt_limit() {
        let rules = rules(
            r#"{"retries": {"max_attempts": 3, "min_gap_minutes": 60}, "dispositions": {"8": {"action": "retry", "after_minutes": 15}}}"#,
        );
        let numbers = vec!["phone1".to_string()];
        let counts = HashMap::new();
        let mut facts = CallFacts {
            attempts: 1,
            dialed: Some("phone1"),
            numbers: &numbers,
            attempts_by_number: &counts,
        };
        assert_eq!(
            plan(&rules, &facts, &result(8), NOW).unwrap().next_calldate,
            Some(NOW + 3600)
        );
        facts.attempts = 2;
        assert_eq!(plan(&rules, &facts, &result(8), NOW).unwrap().next_calldate, None);
    }

    #[test]
    fn a_number_out_of_attempts_hands_over_to_the_next_one() {
        let rules = rules(
            r#"{"retries": {"max_attempts_per_number": 2}, "dispositions": {"8": {"action": "retry", "after_minutes": 10}}}"#,
        );
        let numbers = vec!["phone1".to_string(), "phone2".to_string(), "phone3".to_string()];
        let mut counts = HashMap::from([("phone1".to_string(), 0)]);
        let facts = |counts: &HashMap<String, i64>, dialed: &'static str| {
            plan(
                &rules,
                &CallFacts {
                    attempts: 0,
                    dialed: Some(dialed),
                    numbers: &numbers,
                    attempts_by_number: counts,
                },
                &result(8),
                NOW,
            )
            .unwrap()
        };
        assert_eq!(facts(&counts, "phone1").phone_field.as_deref(), Some("phone1"));
        counts.insert("phone1".into(), 1);
        assert_eq!(facts(&counts, "phone1").phone_field.as_deref(), Some("phone2"));
        counts.insert("phone2".into(), 2);
        assert_eq!(facts(&counts, "phone1").phone_field.as_deref(), Some("phone3"));
        counts.insert("phone1".into(), 2);
        counts.insert("phone3".into(), 1);
        let last = facts(&counts, "phone3");
        assert_eq!(
            (last.next_calldate, last.phone_field.as_deref()),
            (None, Some("phone3"))
        );
    }

    #[test]
    fn done_dnc_and_callback_actions() {
        let rules = rules(
            r#"{"dispositions": {"7": {"action": "done"}, "9": {"action": "dnc", "list": "default"}, "5": {"action": "callback"}}}"#,
        );
        let numbers = vec!["phone2".to_string()];
        let counts = HashMap::new();
        let facts = CallFacts {
            attempts: 0,
            dialed: Some("phone2"),
            numbers: &numbers,
            attempts_by_number: &counts,
        };
        assert_eq!(plan(&rules, &facts, &result(7), NOW).unwrap().next_calldate, None);
        let dnc = plan(&rules, &facts, &result(9), NOW).unwrap();
        assert_eq!(dnc.dnc, Some(("default".into(), "phone2".into())));
        assert_eq!(
            plan(&rules, &facts, &result(5), NOW).unwrap_err().code,
            "missing_next_calldate"
        );
    }
}
