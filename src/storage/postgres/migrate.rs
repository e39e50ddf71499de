//! Schema migrations, embedded in the binary and applied in order at start-up. Nodes
//! starting together queue on an advisory lock, so exactly one applies each migration.

use crate::domain::calldate;
use crate::storage::StoreError;
use tokio_postgres::Client;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/postgres/001_init.sql")),
    (2, include_str!("../../../migrations/postgres/002_dial_state.sql")),
    (3, include_str!("../../../migrations/postgres/003_contact_book.sql")),
    (4, include_str!("../../../migrations/postgres/004_storage_v2.sql")),
    (
        5,
        include_str!("../../../migrations/postgres/005_records_without_foreign_keys.sql"),
    ),
    (6, include_str!("../../../migrations/postgres/006_dialing_rules.sql")),
    (7, include_str!("../../../migrations/postgres/007_dnc_lists.sql")),
    (8, include_str!("../../../migrations/postgres/008_change_feed.sql")),
    (9, include_str!("../../../migrations/postgres/009_webhooks.sql")),
    (10, include_str!("../../../migrations/postgres/010_api_keys.sql")),
    (11, include_str!("../../../migrations/postgres/011_audit_log.sql")),
    (12, include_str!("../../../migrations/postgres/012_console.sql")),
    (
        13,
        include_str!("../../../migrations/postgres/013_canonical_contact.sql"),
    ),
    (
        16,
        include_str!("../../../migrations/postgres/016_field_customised.sql"),
    ),
    (17, include_str!("../../../migrations/postgres/017_term_counts.sql")),
    (18, include_str!("../../../migrations/postgres/018_change_spans.sql")),
];

/// The advisory lock key every node takes around its migration run ("dialbase").
const MIGRATION_LOCK: i64 = 0x6469_616c_6261_7365;

pub async fn apply(client: &mut Client) -> Result<(), StoreError> {
    apply_migrations(client, MIGRATIONS).await?;
    // The change feed's triggers, under the same lock: nodes starting together with
    // different settings take turns.
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    super::changes::set_feed(&tx, crate::storage::change_feed_on()?).await?;
    tx.commit().await?;
    Ok(())
}

/// Applies pending migrations in one transaction; the transaction-scoped lock is
/// released by the commit (or rollback), so no pooled connection keeps holding it.
/// Each migration not recorded yet runs, whatever its neighbours: a version slotted in
/// below applied ones (a branch's 2 merged after 3 shipped) still runs, once.
async fn apply_migrations(client: &mut Client, migrations: &[(i64, &str)]) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .await?;
    for (version, sql) in migrations {
        let applied: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)",
                &[version],
            )
            .await?
            .get(0);
        if !applied {
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                &[version, &calldate::now()],
            )
            .await?;
            tracing::info!(version, "applied PostgreSQL migration");
        }
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_postgres::NoTls;

    /// Needs a server: `scripts/test` runs it with DIALBASE_TEST_POSTGRES set (a plain
    /// `cargo test` has none and skips it; SQLite's twin runs there).
    #[tokio::test]
    async fn a_version_slotted_in_below_applied_ones_is_applied_later_and_once() {
        let Ok(url) = std::env::var("DIALBASE_TEST_POSTGRES") else {
            return;
        };
        let (mut client, connection) = tokio_postgres::connect(&url, NoTls).await.unwrap();
        tokio::spawn(connection);
        let schema = format!("migrate_gap_{}", std::process::id());
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path TO {schema}"
            ))
            .await
            .unwrap();
        let (one, two, three) = (
            (1, "CREATE TABLE one (id BIGINT)"),
            (2, "CREATE TABLE two (id BIGINT)"),
            (3, "CREATE TABLE three (id BIGINT)"),
        );
        apply_migrations(&mut client, &[one, three]).await.unwrap();
        // Running 1 or 3 again would fail: their tables exist.
        let slotted_in = apply_migrations(&mut client, &[one, two, three]).await;
        let versions = client
            .query("SELECT version FROM schema_migrations ORDER BY version", &[])
            .await
            .unwrap();
        let versions: Vec<i64> = versions.iter().map(|r| r.get(0)).collect();
        client
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .unwrap();
        slotted_in.unwrap();
        assert_eq!(versions, [1, 2, 3]);
    }

    #[test]
    fn migrations_are_listed_in_version_order() {
        assert!(MIGRATIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
