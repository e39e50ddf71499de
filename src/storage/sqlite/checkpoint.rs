//! WAL checkpoints off the request path. SQLite's default makes the committing writer
//! copy the WAL back into the database file itself, so a big import or batch update paid
//! for that copy inside the request. Here the writer only appends to the WAL and a
//! background thread checkpoints it while the writer goes on; the writer still
//! checkpoints itself should the WAL ever grow past [`WRITER_FALLBACK_PAGES`].

use super::connect;
use crate::storage::StoreError;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// About 400 MiB of WAL: only reached if the background thread cannot keep up.
pub const WRITER_FALLBACK_PAGES: i64 = 100_000;
const INTERVAL: Duration = Duration::from_millis(100);
const CACHE_KIB: i64 = 2048;

pub struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub fn start(path: &PathBuf) -> Result<Self, StoreError> {
        let conn = connect(path, CACHE_KIB)?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn({
                let stop = stop.clone();
                move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(INTERVAL);
                        // PASSIVE never blocks readers or the writer; what it cannot copy now it copies next time.
                        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                            tracing::warn!(error = %e, "WAL checkpoint failed");
                        }
                    }
                }
            })
            .map_err(|e| StoreError::Backend(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
