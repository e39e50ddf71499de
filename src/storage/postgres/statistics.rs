//! Planner statistics after bulk inserts. Autovacuum analyzes a table only after its
//! naptime and thresholds: right after an import of 200,000 records the planner still
//! believed a project held 7 rows, and list pages and look-ups ran 5-30x slower (bitmap
//! scans over the project instead of index look-ups) until it caught up. The node that
//! inserted many rows analyzes the record tables itself, in the background: after 50,000
//! rows, then each time its inserts have doubled (100,000, 200,000, ...), as the tables'
//! statistics matter less the more rows they already describe. At every 50,000 rows,
//! `ANALYZE` was about 12% of the database's work in an import (`pg_stat_statements`).

use deadpool_postgres::Pool;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Rows inserted by this node after which it analyzes first.
const FIRST_ANALYZE: u64 = 50_000;

#[derive(Default)]
pub struct Statistics(Arc<Counts>);

#[derive(Default)]
struct Counts {
    /// Rows this node inserted since it started.
    inserted: AtomicU64,
    /// The number of inserted rows analyzed for last.
    analyzed_at: AtomicU64,
    running: AtomicBool,
}

/// Whether `total` inserted rows call for an ANALYZE when the last ran at `last` of them.
fn due(total: u64, last: u64) -> bool {
    total >= FIRST_ANALYZE.max(last.saturating_mul(2))
}

impl Counts {
    /// Notes an ANALYZE for the rows inserted so far if they call for one.
    fn take_due(&self) -> bool {
        let total = self.inserted.load(Ordering::Relaxed);
        let due = due(total, self.analyzed_at.load(Ordering::Relaxed));
        if due {
            self.analyzed_at.store(total, Ordering::Relaxed);
        }
        due
    }
}

impl Statistics {
    /// Counts inserted rows; past the threshold starts one ANALYZE (never two at once), and
    /// another after it if the rows inserted meanwhile call for one (the import may be over).
    pub fn inserted(&self, rows: u64, pool: &Pool) {
        let counts = &self.0;
        let total = counts.inserted.fetch_add(rows, Ordering::Relaxed) + rows;
        if !due(total, counts.analyzed_at.load(Ordering::Relaxed)) || counts.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let (pool, counts) = (pool.clone(), counts.clone());
        tokio::spawn(async move {
            while counts.take_due() {
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
            }
            counts.running.store(false, Ordering::Release);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyzes_at_fifty_thousand_rows_then_each_time_they_double() {
        let mut last = 0;
        let mut at = Vec::new();
        for total in (10_000..=1_000_000).step_by(10_000) {
            if due(total, last) {
                at.push(total);
                last = total;
            }
        }
        assert_eq!(at, [50_000, 100_000, 200_000, 400_000, 800_000]);
    }

    #[test]
    fn rows_inserted_during_an_analyze_are_analyzed_after_it() {
        let counts = Counts::default();
        counts.inserted.store(60_000, Ordering::Relaxed);
        assert!(counts.take_due());
        assert!(!counts.take_due());
        // While that ran, the import went on to 130,000 rows and ended.
        counts.inserted.store(130_000, Ordering::Relaxed);
        assert!(counts.take_due());
        assert_eq!(counts.analyzed_at.load(Ordering::Relaxed), 130_000);
        assert!(!counts.take_due());
    }
}
