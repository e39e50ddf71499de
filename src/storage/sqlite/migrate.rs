//! Schema migrations, embedded in the binary and applied in order at start-up.

use crate::storage::StoreError;
use rusqlite::Connection;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/sqlite/001_init.sql")),
    (2, include_str!("../../../migrations/sqlite/002_dial_state.sql")),
    (3, include_str!("../../../migrations/sqlite/003_contact_book.sql")),
];

pub fn apply(conn: &mut Connection) -> Result<(), StoreError> {
    apply_migrations(conn, MIGRATIONS)
}

/// Applies each migration not recorded yet, whatever its neighbours: a version slotted
/// in below applied ones (a branch's 2 merged after 3 shipped) still runs, once.
fn apply_migrations(conn: &mut Connection, migrations: &[(i64, &str)]) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    for (version, sql) in migrations {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let applied: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |row| row.get(0),
        )?;
        if !applied {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                rusqlite::params![version, crate::domain::calldate::now()],
            )?;
            tracing::info!(version, "applied SQLite migration");
        }
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_slotted_in_below_applied_ones_is_applied_later_and_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        let (one, two, three) = (
            (1, "CREATE TABLE one (id INTEGER)"),
            (2, "CREATE TABLE two (id INTEGER)"),
            (3, "CREATE TABLE three (id INTEGER)"),
        );
        apply_migrations(&mut conn, &[one, three]).unwrap();
        // Running 1 or 3 again would fail: their tables exist.
        apply_migrations(&mut conn, &[one, two, three]).unwrap();
        let versions: Vec<i64> = conn
            .prepare("SELECT version FROM schema_migrations ORDER BY version")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(versions, [1, 2, 3]);
        conn.execute("INSERT INTO two (id) VALUES (1)", []).unwrap();
    }

    #[test]
    fn migrations_are_listed_in_version_order() {
        assert!(MIGRATIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
