//! Planner statistics after bulk inserts. Autovacuum analyzes a table only after its
//! naptime and thresholds: right after an import of 200,000 records the planner still
//! believed a project held 7 rows, and list pages and look-ups ran 5-30x slower (bitmap
//! scans over the project instead of index look-ups) until it caught up. Nor are the new
//! rows' pages marked all-visible until a vacuum: counting a list's matches (an index-only
//! scan of `record_terms`) visited the table for every entry, 60 ms for 33,000 of them
//! instead of 5. The node that inserted many rows vacuums and analyzes the record tables
//! itself, in the background (a vacuum visits only pages not yet all-visible).

use deadpool_postgres::Pool;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Rows inserted by this node after which it vacuums and analyzes.
const VACUUM_EVERY: u64 = 50_000;

/// The tables bulk inserts fill. One statement each: VACUUM cannot run in a transaction.
const TABLES: [&str; 3] = ["records", "record_phones", "record_terms"];

#[derive(Default)]
pub struct Statistics {
    inserted: AtomicU64,
    running: Arc<AtomicBool>,
}

impl Statistics {
    /// Counts inserted rows; past the threshold starts one VACUUM (ANALYZE) (never two at once).
    pub fn inserted(&self, rows: u64, pool: &Pool) {
        let total = self.inserted.fetch_add(rows, Ordering::Relaxed) + rows;
        if total < VACUUM_EVERY || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        self.inserted.store(0, Ordering::Relaxed);
        let (pool, running) = (pool.clone(), self.running.clone());
        tokio::spawn(async move {
            match pool.get().await {
                Ok(client) => {
                    for table in TABLES {
                        if let Err(error) = client.batch_execute(&format!("VACUUM (ANALYZE) {table}")).await {
                            tracing::warn!(%error, table, "VACUUM (ANALYZE) after bulk inserts failed");
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "no connection to VACUUM (ANALYZE) after bulk inserts"),
            }
            running.store(false, Ordering::Release);
        });
    }
}
