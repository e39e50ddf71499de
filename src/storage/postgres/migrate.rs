//! Schema migrations, embedded in the binary and applied in order at start-up. Nodes
//! starting together queue on an advisory lock, so exactly one applies each migration.

use crate::domain::calldate;
use crate::storage::StoreError;
use deadpool_postgres::Object;

const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../../migrations/postgres/001_init.sql"))];

/// The advisory lock key every node takes around its migration run ("dialbase").
const MIGRATION_LOCK: i64 = 0x6469_616c_6261_7365;

/// Applies pending migrations in one transaction; the transaction-scoped lock is
/// released by the commit (or rollback), so no pooled connection keeps holding it.
pub async fn apply(client: &mut Object) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .await?;
    for (version, sql) in MIGRATIONS {
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
