//! Planner statistics after bulk inserts. Autovacuum analyzes a table only after its
//! naptime and thresholds: right after an import of 200,000 records the planner still
//! believed a project held 7 rows, and list pages and look-ups ran 5-30x slower (bitmap
//! scans over the project instead of index look-ups) until it caught up. Nor are new rows'
//! pages marked all-visible until a vacuum: until then an index-only scan of `record_terms`
//! or `record_phones` (a search's matches, a number's records) visits the table for every
//! entry. The node that inserted many rows analyzes the record tables and vacuums the side
//! tables itself, in the background (a vacuum visits only pages not yet all-visible).

use deadpool_postgres::Pool;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Rows inserted by this node after which it runs [`PASSES`].
const PASSES_EVERY: u64 = 50_000;

/// What runs on the tables bulk inserts fill, one statement each (VACUUM cannot run in a
/// transaction). `records` is only analyzed: its reads visit the rows anyway, and a vacuum
/// of it after a batch modification cleans every index of the table while requests wait
/// for the CPU; the side tables are read by index-only scans and only ever inserted into
/// and deleted from.
const PASSES: [&str; 3] = [
    "ANALYZE records",
    "VACUUM (ANALYZE) record_phones",
    "VACUUM (ANALYZE) record_terms",
];

#[derive(Default)]
pub struct Statistics {
    inserted: AtomicU64,
    running: Arc<AtomicBool>,
}

impl Statistics {
    /// Counts inserted rows; past the threshold starts one run of [`PASSES`] (never two at once).
    pub fn inserted(&self, rows: u64, pool: &Pool) {
        let total = self.inserted.fetch_add(rows, Ordering::Relaxed) + rows;
        if total < PASSES_EVERY || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        self.inserted.store(0, Ordering::Relaxed);
        let (pool, running) = (pool.clone(), self.running.clone());
        tokio::spawn(async move {
            match pool.get().await {
                Ok(client) => {
                    for pass in PASSES {
                        if let Err(error) = client.batch_execute(pass).await {
                            tracing::warn!(%error, pass, "statistics after bulk inserts failed");
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "no connection for statistics after bulk inserts"),
            }
            running.store(false, Ordering::Release);
        });
    }
}
