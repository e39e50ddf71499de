//! `record_terms` (the entries of indexed fields, by term id) and `term_counts` (the terms'
//! dictionary: an id for each tenant, field and term, and how many records hold it, so a
//! search for one exact term reads its total instead of counting). Every change of
//! `record_terms` goes through here, which keeps the counts in step; a batch tallies its
//! changes and writes each term's count once.

use super::bulk::insert_many;
use crate::storage::{StoreError, TenantId};
use rusqlite::{Connection, OptionalExtension, ToSql, params};
// foldhash: a batch tallies and gathers every entry it writes.
use foldhash::HashMap;

/// Count changes by term id, not written yet.
#[derive(Default)]
pub struct TermTally(HashMap<i64, i64>);

impl TermTally {
    /// Writes the tallied changes to `term_counts`.
    pub fn flush(self, conn: &Connection) -> Result<(), StoreError> {
        let mut stmt = conn.prepare_cached("UPDATE term_counts SET records = records + ?2 WHERE id = ?1")?;
        for (term, delta) in self.0 {
            if delta != 0 {
                stmt.execute(params![term, delta])?;
            }
        }
        Ok(())
    }
}

/// The id of a term, made with no records when it is new; `records` are added to its count.
fn term_id(conn: &Connection, tenant: TenantId, field: i64, term: &str, records: i64) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO term_counts (tenant_id, field_id, term, records) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tenant_id, field_id, term) DO UPDATE SET records = records + excluded.records
             RETURNING id",
        )?
        .query_row(params![tenant, field, term, records], |r| r.get(0))?)
}

/// The id of a term any record holds or held, if it has one.
fn known_term_id(conn: &Connection, tenant: TenantId, field: i64, term: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM term_counts WHERE tenant_id = ?1 AND field_id = ?2 AND term = ?3")?
        .query_row(params![tenant, field, term], |r| r.get(0))
        .optional()?)
}

/// Adds a record's entries; an entry already there is not counted again.
pub fn insert_terms<'a>(
    conn: &Connection,
    tenant: TenantId,
    record: i64,
    terms: impl Iterator<Item = &'a (i64, String)>,
    tally: &mut TermTally,
) -> Result<(), StoreError> {
    let mut insert =
        conn.prepare_cached("INSERT OR IGNORE INTO record_terms (term_id, record_id, tenant_id) VALUES (?1, ?2, ?3)")?;
    for (field, term) in terms {
        // Looked up first: the upsert of a term that exists would write its row again.
        let id = match known_term_id(conn, tenant, *field, term)? {
            Some(id) => id,
            None => term_id(conn, tenant, *field, term, 0)?,
        };
        if insert.execute(params![id, record, tenant])? > 0 {
            *tally.0.entry(id).or_default() += 1;
        }
    }
    Ok(())
}

/// Adds the entries of records new in this transaction (none of them can be there yet),
/// sorted, several rows per statement: an import's entries reach each term's range in order.
/// An import meets few distinct terms many times, so its entries are gathered by term (a
/// hash), and each distinct term's id is looked up, and its count raised, once.
pub fn insert_new_terms(conn: &Connection, tenant: TenantId, entries: Vec<(i64, &str, i64)>) -> Result<(), StoreError> {
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
    let mut by_id: Vec<(i64, &[i64])> = Vec::with_capacity(terms.len());
    for ((field, term), records) in &mut terms {
        records.sort_unstable();
        by_id.push((term_id(conn, tenant, *field, term, records.len() as i64)?, records));
    }
    by_id.sort_unstable_by_key(|(id, _)| *id);
    let tenant = &tenant;
    let rows: Vec<[&dyn ToSql; 3]> = by_id
        .iter()
        .flat_map(|(id, records)| records.iter().map(move |record| [id as &dyn ToSql, record, tenant]))
        .collect();
    insert_many(conn, "record_terms (term_id, record_id, tenant_id)", &rows)
}

/// Removes a record's entries; only entries that were there are counted off.
pub fn delete_terms<'a>(
    conn: &Connection,
    tenant: TenantId,
    record: i64,
    terms: impl Iterator<Item = &'a (i64, String)>,
    tally: &mut TermTally,
) -> Result<(), StoreError> {
    let mut delete = conn.prepare_cached("DELETE FROM record_terms WHERE term_id = ?1 AND record_id = ?2")?;
    for (field, term) in terms {
        let Some(id) = known_term_id(conn, tenant, *field, term)? else {
            continue;
        };
        if delete.execute(params![id, record])? > 0 {
            *tally.0.entry(id).or_default() -= 1;
        }
    }
    Ok(())
}
