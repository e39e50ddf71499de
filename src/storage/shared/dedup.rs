//! The duplicate check of new records (docs/dialing.md, rule `dedup`): what a new row is
//! compared by, and the batch's own rows (a batch may hold the same contact twice).
//! Each backend looks the keys up in its side tables.

use super::row::{RecordRow, term};
use crate::domain::ValidationError;
use crate::domain::dialing::number_variants;
use crate::domain::dialing_rules::{Dedup, DedupKey, DedupScope, DialingRules};
use crate::domain::schema::ProjectSchema;
use std::collections::HashMap;

/// A new row's keys, as the side tables hold them.
#[derive(Debug, Default)]
pub struct Probe {
    /// Every digit form of every number of the row (`record_phones` holds them as stored).
    pub phones: Vec<String>,
    pub user_data: Option<String>,
    /// (field name, term) of the compared fields (`record_terms`).
    pub terms: Vec<(String, String)>,
}

impl Probe {
    pub fn of(row: &RecordRow, schema: &ProjectSchema, dedup: &Dedup) -> Self {
        let country = schema.rules.default_country.as_deref();
        let mut probe = Probe::default();
        for key in &dedup.keys {
            match key {
                DedupKey::Phone => {
                    for number in row.phones(schema) {
                        probe.phones.extend(number_variants(&number, country));
                    }
                }
                DedupKey::UserData => probe.user_data = row.user_data.clone(),
                DedupKey::Field(name) => {
                    if let Some(field) = schema.field(name) {
                        let terms = row.data.get(field.id).iter().map(|v| (name.clone(), term(v)));
                        probe.terms.extend(terms);
                    }
                }
            }
        }
        probe.phones.sort();
        probe.phones.dedup();
        probe
    }

    fn keys(&self) -> impl Iterator<Item = BatchKey> + '_ {
        let phones = self.phones.iter().map(|p| BatchKey::Phone(p.clone()));
        let user_data = self.user_data.iter().map(|u| BatchKey::UserData(u.clone()));
        let terms = self.terms.iter().map(|(f, t)| BatchKey::Term(f.clone(), t.clone()));
        phones.chain(user_data).chain(terms)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum BatchKey {
    Phone(String),
    UserData(String),
    Term(String, String),
}

/// The keys a batch has seen so far and the record each leads to (a new row of the batch,
/// or a stored record an item was merged into), for a backend that stores the batch only
/// at its end.
pub struct BatchKeys<T> {
    owners: HashMap<BatchKey, T>,
}

impl<T> Default for BatchKeys<T> {
    fn default() -> Self {
        Self { owners: HashMap::new() }
    }
}

impl<T: Copy> BatchKeys<T> {
    /// The record of the batch's earlier items that `probe` duplicates.
    pub fn earlier(&self, probe: &Probe) -> Option<T> {
        probe.keys().find_map(|key| self.owners.get(&key).copied())
    }

    pub fn add(&mut self, probe: &Probe, owner: T) {
        for key in probe.keys() {
            self.owners.entry(key).or_insert(owner);
        }
    }
}

/// Where a duplicate check looks: the project (None for the whole tenant) and the earliest
/// creation time that counts (None: any).
pub fn bounds(dedup: &Dedup, project: i64, now: i64) -> (Option<i64>, Option<i64>) {
    let project = (dedup.scope == DedupScope::Project).then_some(project);
    let since = dedup.window_days.map(|days| now - i64::from(days) * 86_400);
    (project, since)
}

/// Rules whose duplicate check names fields need them indexed (the check looks terms up).
pub fn check_dedup_fields(schema: &ProjectSchema, rules: &DialingRules) -> Result<(), ValidationError> {
    let Some(dedup) = &rules.dedup else {
        return Ok(());
    };
    for name in dedup.fields() {
        if !schema.field(name).is_some_and(|f| f.indexed) {
            return Err(ValidationError::new(
                "wrong_dedup",
                format!(
                    "dedup key {name:?} must be an indexed field of the project (add it with \"indexed\": \"yes\")"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dialing_rules::OnDuplicate;

    fn dedup(scope: DedupScope, window_days: Option<u32>) -> Dedup {
        Dedup {
            keys: vec![DedupKey::Phone],
            scope,
            window_days,
            on_duplicate: OnDuplicate::Reject,
        }
    }

    #[test]
    fn the_scope_and_the_window_bound_the_look_up() {
        let now = 10 * 86_400;
        assert_eq!(bounds(&dedup(DedupScope::Project, None), 7, now), (Some(7), None));
        assert_eq!(
            bounds(&dedup(DedupScope::Tenant, Some(3)), 7, now),
            (None, Some(7 * 86_400))
        );
    }

    #[test]
    fn a_batch_remembers_whose_keys_it_has_seen() {
        let mut batch = BatchKeys::default();
        let probe = |phone: &str| Probe {
            phones: vec![phone.into()],
            ..Probe::default()
        };
        batch.add(&probe("361"), 0);
        batch.add(&probe("361"), 5);
        assert_eq!(batch.earlier(&probe("361")), Some(0), "the first owner stays");
        assert_eq!(batch.earlier(&probe("362")), None);
    }
}
