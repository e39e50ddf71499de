//! The server's resident memory in every phase: sampled every 20 ms while the phase runs,
//! plus the kernel's peak (`VmHWM`), which is reset at the start of each phase through
//! `/proc/<pid>/clear_refs` where the kernel allows it (Linux).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub struct RssLog {
    pid: u32,
    /// (phase, peak KiB) in the order the phases ran.
    pub phases: Vec<(&'static str, u64)>,
}

impl RssLog {
    pub fn new(pid: u32) -> Self {
        Self {
            pid,
            phases: Vec::new(),
        }
    }

    /// Runs one phase and records the server's peak resident memory during it.
    pub async fn during<T>(
        &mut self,
        phase: &'static str,
        work: impl Future<Output = Result<T, String>>,
    ) -> Result<T, String> {
        let pid = self.pid;
        let peak_was_reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
        let sampled = Arc::new(AtomicU64::new(memory_kib(pid).0));
        let sampler = {
            let sampled = sampled.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_millis(20));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    sampled.fetch_max(memory_kib(pid).0, Ordering::Relaxed);
                }
            })
        };
        let result = work.await;
        sampler.abort();
        let (rss, hwm) = memory_kib(pid);
        let mut peak = sampled.load(Ordering::Relaxed).max(rss);
        if peak_was_reset {
            peak = peak.max(hwm);
        }
        self.phases.push((phase, peak));
        result
    }
}

/// Resident and peak resident memory of a process, in KiB (0 where /proc has no answer).
pub fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
