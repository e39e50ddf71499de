//! `record_terms` (the entries of indexed fields) and `term_counts` (how many records hold
//! each term, so a search for one exact term reads its total instead of counting). Every
//! change of `record_terms` goes through here, which keeps the counts in step; a batch
//! tallies its changes and writes each term's count once.

use super::bulk::insert_many;
use crate::storage::{StoreError, TenantId};
use rusqlite::{Connection, ToSql, params};
// foldhash: a batch tallies and gathers every entry it writes.
use foldhash::HashMap;

/// Count changes by field id and term, not written yet.
#[derive(Default)]
pub struct TermTally(HashMap<i64, HashMap<String, i64>>);

impl TermTally {
    fn add(&mut self, field: i64, term: &str, delta: i64) {
        // A batch meets few distinct terms many times: look up before allocating the key.
        let counts = self.0.entry(field).or_default();
        match counts.get_mut(term) {
            Some(count) => *count += delta,
            None => {
                counts.insert(term.to_owned(), delta);
            }
        }
    }

    /// Writes the tallied changes to `term_counts`.
    pub fn flush(self, conn: &Connection, tenant: TenantId) -> Result<(), StoreError> {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO term_counts (tenant_id, field_id, term, records) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tenant_id, field_id, term) DO UPDATE SET records = records + excluded.records",
        )?;
        for (field, counts) in self.0 {
            for (term, delta) in counts {
                if delta != 0 {
                    stmt.execute(params![tenant, field, term, delta])?;
                }
            }
        }
        Ok(())
    }
}

/// Adds a record's entries; an entry already there is not counted again.
pub fn insert_terms<'a>(
    conn: &Connection,
    tenant: TenantId,
    record: i64,
    terms: impl Iterator<Item = &'a (i64, String)>,
    tally: &mut TermTally,
) -> Result<(), StoreError> {
    let sql = "INSERT OR IGNORE INTO record_terms (tenant_id, field_id, term, record_id) VALUES (?1, ?2, ?3, ?4)";
    change_terms(conn, sql, 1, tenant, record, terms, tally)
}

/// Adds the entries of records new in this transaction (none of them can be there yet),
/// sorted, several rows per statement: an import's entries reach each term's range in order.
/// An import meets few distinct terms many times, so its entries are gathered by term (a
/// hash) and only the distinct terms are sorted, not every entry by its text.
pub fn insert_new_terms(
    conn: &Connection,
    tenant: TenantId,
    entries: Vec<(i64, &str, i64)>,
    tally: &mut TermTally,
) -> Result<(), StoreError> {
    let mut index: HashMap<(i64, &str), usize> = HashMap::default();
    let mut terms: Vec<((i64, &str), Vec<i64>)> = Vec::new();
    for (field, term, record) in entries {
        let next = terms.len();
        let at = *index.entry((field, term)).or_insert(next);
        if at == next {
            terms.push(((field, term), Vec::new()));
        }
        terms[at].1.push(record);
    }
    terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for ((field, term), records) in &mut terms {
        records.sort_unstable();
        tally.add(*field, term, records.len() as i64);
    }
    let tenant = &tenant;
    let rows: Vec<[&dyn ToSql; 4]> = terms
        .iter()
        .flat_map(|((field, term), records)| {
            records
                .iter()
                .map(move |record| [tenant as &dyn ToSql, field, term, record])
        })
        .collect();
    insert_many(conn, "record_terms (tenant_id, field_id, term, record_id)", &rows)
}

/// Removes a record's entries; only entries that were there are counted off.
pub fn delete_terms<'a>(
    conn: &Connection,
    tenant: TenantId,
    record: i64,
    terms: impl Iterator<Item = &'a (i64, String)>,
    tally: &mut TermTally,
) -> Result<(), StoreError> {
    let sql = "DELETE FROM record_terms WHERE tenant_id = ?1 AND field_id = ?2 AND term = ?3 AND record_id = ?4";
    change_terms(conn, sql, -1, tenant, record, terms, tally)
}

/// Runs `sql` (tenant, field, term, record) for each entry; each row it changed counts `delta`.
fn change_terms<'a>(
    conn: &Connection,
    sql: &str,
    delta: i64,
    tenant: TenantId,
    record: i64,
    terms: impl Iterator<Item = &'a (i64, String)>,
    tally: &mut TermTally,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    for (field, term) in terms {
        if stmt.execute(params![tenant, field, term, record])? > 0 {
            tally.add(*field, term, delta);
        }
    }
    Ok(())
}
