//! Many rows per INSERT: an import writes its side-table rows (phones, indexed terms) this
//! way, so a 10,000-record batch runs a few hundred statements instead of 40,000.

use crate::storage::StoreError;
use rusqlite::{Connection, ToSql};

/// Rows per statement: 64 rows of 15 columns stay far below SQLite's parameter limit.
const ROWS_PER_STATEMENT: usize = 64;

/// `INSERT OR IGNORE INTO {into} VALUES ...` for each row (`into` names the table and its
/// columns, `N` of them).
pub fn insert_many<const N: usize>(conn: &Connection, into: &str, rows: &[[&dyn ToSql; N]]) -> Result<(), StoreError> {
    insert_rows(conn, "INSERT OR IGNORE", into, rows)
}

/// [`insert_many`] where a row that is already there fails the statement.
pub fn insert_all<const N: usize>(conn: &Connection, into: &str, rows: &[[&dyn ToSql; N]]) -> Result<(), StoreError> {
    insert_rows(conn, "INSERT", into, rows)
}

fn insert_rows<const N: usize>(
    conn: &Connection,
    verb: &str,
    into: &str,
    rows: &[[&dyn ToSql; N]],
) -> Result<(), StoreError> {
    let statement_for = |count: usize| {
        let row = format!("({})", vec!["?"; N].join(", "));
        format!("{verb} INTO {into} VALUES {}", vec![row; count].join(", "))
    };
    // Binds `rows` to a statement written for that many rows and runs it.
    let run = |stmt: &mut rusqlite::CachedStatement<'_>, rows: &[[&dyn ToSql; N]]| -> rusqlite::Result<()> {
        for (i, value) in rows.iter().flatten().enumerate() {
            stmt.raw_bind_parameter(i + 1, value)?;
        }
        stmt.raw_execute().map(|_| ())
    };
    let mut chunks = rows.chunks_exact(ROWS_PER_STATEMENT);
    if chunks.len() > 0 {
        let mut stmt = conn.prepare_cached(&statement_for(ROWS_PER_STATEMENT))?;
        for chunk in chunks.by_ref() {
            run(&mut stmt, chunk)?;
        }
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut stmt = conn.prepare_cached(&statement_for(1))?;
        for row in rest {
            run(&mut stmt, std::slice::from_ref(row))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_goes_in_whatever_the_count_and_duplicates_are_ignored() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER, b TEXT, PRIMARY KEY (a, b))")
            .unwrap();
        for count in [0usize, 1, 63, 64, 65, 129] {
            conn.execute("DELETE FROM t", []).unwrap();
            let values: Vec<(i64, String)> = (0..count).map(|i| (i as i64, format!("v{i}"))).collect();
            let mut rows: Vec<[&dyn ToSql; 2]> = values.iter().map(|(a, b)| [a as &dyn ToSql, b]).collect();
            // The same row twice: ignored, as an existing one would be.
            if let Some(first) = rows.first().copied() {
                rows.push(first);
            }
            insert_many(&conn, "t (a, b)", &rows).unwrap();
            let stored: Vec<(i64, String)> = conn
                .prepare("SELECT a, b FROM t ORDER BY a")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(stored, values, "{count} rows");
        }
    }
}
