//! The dialer calls' backend-neutral pieces: which records a key names, who may release a
//! claim, and what a release writes. Each backend claims with its own statement (SQLite
//! serialises writers; PostgreSQL skips rows that concurrent claims hold).

use super::row::RecordRow;
use super::{SqlArg, SqlDialect};
use crate::domain::call_outcome::{CallFacts, CallResult, plan};
use crate::domain::calldate;
use crate::domain::dialing_rules::DialingRules;
use crate::domain::schema::ProjectSchema;
use crate::storage::{CallRelease, RecordKey, StoreError};
use std::collections::HashMap;

/// SQL selecting (id, project_id) of the records of tenant `p1` a key names, lowest id
/// first, and the key's argument (`p2`). Append a LIMIT for "the one" a key means.
pub fn record_key_sql(key: &RecordKey, dialect: &SqlDialect) -> (String, SqlArg) {
    let (tenant, value) = ((dialect.param)(1), (dialect.param)(2));
    let (column, arg) = match key {
        RecordKey::Id(id) => ("id", SqlArg::Integer(*id)),
        RecordKey::UserData(data) => ("user_data", SqlArg::Text(data.clone())),
        RecordKey::Phone(number) => {
            let sql = format!(
                "SELECT id, project_id FROM (SELECT r.id, r.project_id FROM record_phones p
                   JOIN records r ON r.id = p.record_id AND r.tenant_id = p.tenant_id
                   WHERE p.tenant_id = {tenant} AND p.phone = {value} ORDER BY r.id LIMIT {}) AS found ORDER BY id",
                crate::storage::PHONE_MATCHES
            );
            return (sql, SqlArg::Text(number.clone()));
        }
    };
    let sql =
        format!("SELECT id, project_id FROM records WHERE tenant_id = {tenant} AND {column} = {value} ORDER BY id");
    (sql, arg)
}

/// Only the dialer holding the claim may release it; a lease that expired is still its
/// holder's until another dialer takes the record over.
pub fn check_claimant(id: i64, claimed_by: Option<&str>, owner: &str) -> Result<(), StoreError> {
    if claimed_by == Some(owner) {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!("record {id} is not claimed by '{owner}'")))
    }
}

/// What a project's rules restrict in a claim, as statement arguments (None: no limit).
/// The minimum gap is not among them: a retry's next call date keeps it, and a call-back
/// agreed with the contact (or a date an integrator sets) is kept as given.
pub struct ClaimLimits {
    /// The zone sets inside their calling hours now, as a JSON array; None without hours.
    pub callable_zones: Option<Vec<String>>,
    pub grace_seconds: i64,
    pub max_attempts: Option<i64>,
}

impl ClaimLimits {
    /// The limits at `now`; `zone_sets` are the project's (`project_zones`).
    pub fn at(rules: &DialingRules, zone_sets: Vec<String>, now: i64) -> Self {
        let callable_zones = rules.schedule().map(|_| {
            zone_sets
                .into_iter()
                .filter(|zones| rules.callable(Some(zones), now))
                .collect()
        });
        ClaimLimits {
            callable_zones,
            grace_seconds: i64::from(rules.callback_grace_minutes) * 60,
            max_attempts: rules.retries.max_attempts.map(i64::from),
        }
    }
}

/// The facts of a release the rules need, from the row and its call results per field.
pub fn plan_release(
    schema: &ProjectSchema,
    row: &RecordRow,
    counts: &HashMap<String, i64>,
    call: &CallRelease,
    now: i64,
) -> Result<ReleasePlan, StoreError> {
    let numbers = row.numbers(schema);
    let dialed = row.dialed(schema);
    let fields: Vec<String> = numbers.iter().map(|(field, _)| field.clone()).collect();
    let facts = CallFacts {
        attempts: row.attempts,
        dialed: dialed.as_ref().map(|(field, _)| field.as_str()),
        numbers: &fields,
        attempts_by_number: counts,
    };
    let callback_at = call
        .disposition
        .next_calldate
        .as_deref()
        .map(calldate::to_seconds)
        .transpose()?;
    let result = CallResult {
        disposition_id: call.disposition.disposition_id,
        callback_at,
        callback_owner: call.callback_owner.as_deref(),
    };
    let outcome = plan(&schema.rules, &facts, &result, now)?;
    // The record keeps its own phone_field unless the rules move it to another number.
    let moved = outcome.phone_field.is_some() && outcome.phone_field.as_deref() != facts.dialed;
    let phone_field = if moved {
        outcome.phone_field.clone()
    } else {
        row.phone_field.clone()
    };
    let zones = match schema.rules.schedule() {
        None => None,
        Some(_) if !moved => row.zones_for(schema),
        Some(_) => {
            let mut next = row.clone();
            next.phone_field = phone_field.clone();
            next.zones_for(schema)
        }
    };
    let dnc = outcome.dnc.as_ref().and_then(|(list, field)| {
        let number = numbers.iter().find(|(f, _)| f == field)?.1.clone();
        Some((list.clone(), number))
    });
    Ok(ReleasePlan {
        next_calldate: outcome.next_calldate,
        phone_field,
        zones,
        callback_owner: outcome.callback_owner,
        dialed_field: dialed.map(|(field, _)| field),
        dnc,
    })
}

/// What a release with a result writes.
pub struct ReleasePlan {
    /// None: the record is done.
    pub next_calldate: Option<i64>,
    pub phone_field: Option<String>,
    pub zones: Option<String>,
    pub callback_owner: Option<String>,
    /// Stored with the disposition: attempts per number count these.
    pub dialed_field: Option<String>,
    /// A do-not-call list and the dialed number that goes on it.
    pub dnc: Option<(String, String)>,
}

/// Whether new rules give records other zones than the old ones did.
pub fn zones_change(old: &DialingRules, new: &DialingRules) -> bool {
    old.schedule().is_some() != new.schedule().is_some()
        || (new.schedule().is_some()
            && (old.default_country != new.default_country
                || old.default_timezone.as_ref().map(|(n, _)| n) != new.default_timezone.as_ref().map(|(n, _)| n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::shared::{POSTGRES, SQLITE};

    #[test]
    fn a_key_selects_by_id_or_user_data_lowest_id_first() {
        let (sql, arg) = record_key_sql(&RecordKey::UserData("crm-1".into()), &POSTGRES);
        assert!(sql.ends_with("tenant_id = $1 AND user_data = $2 ORDER BY id"), "{sql}");
        assert_eq!(arg, SqlArg::Text("crm-1".into()));
        let (sql, arg) = record_key_sql(&RecordKey::Id(7), &SQLITE);
        assert!(sql.contains("tenant_id = ?1 AND id = ?2"), "{sql}");
        assert_eq!(arg, SqlArg::Integer(7));
    }

    #[test]
    fn only_the_holder_releases() {
        assert!(check_claimant(1, Some("d1"), "d1").is_ok());
        assert!(matches!(
            check_claimant(1, Some("d2"), "d1"),
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(check_claimant(1, None, "d1"), Err(StoreError::Conflict(_))));
    }
}
