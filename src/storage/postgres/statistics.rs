//! Planner statistics after bulk inserts. Autovacuum analyzes a table only after its
//! naptime and thresholds: right after an import of 200,000 records the planner still
//! believed a project held 7 rows, and list pages and look-ups ran 5-30x slower (bitmap
//! scans over the project instead of index look-ups) until it caught up. The node that
//! inserted many rows analyzes the record tables itself, in the background.

use deadpool_postgres::Pool;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Rows inserted by this node after which it analyzes.
const ANALYZE_EVERY: u64 = 50_000;

#[derive(Default)]
pub struct Statistics {
    inserted: AtomicU64,
    running: Arc<AtomicBool>,
}

impl Statistics {
    /// Counts inserted rows; past the threshold starts one ANALYZE (never two at once).
    pub fn inserted(&self, rows: u64, pool: &Pool) {
        let total = self.inserted.fetch_add(rows, Ordering::Relaxed) + rows;
        if total < ANALYZE_EVERY || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        self.inserted.store(0, Ordering::Relaxed);
        let (pool, running) = (pool.clone(), self.running.clone());
        tokio::spawn(async move {
            let analyzed = match pool.get().await {
                Ok(client) => client
                    .batch_execute("ANALYZE records; ANALYZE record_phones; ANALYZE record_terms")
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(error) = analyzed {
                tracing::warn!(%error, "ANALYZE after bulk inserts failed");
            }
            running.store(false, Ordering::Release);
        });
    }
}
