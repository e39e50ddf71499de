//! The server's resident memory in every phase: sampled every 20 ms while the phase runs,
//! plus the kernel's peak (`VmHWM`), which is reset at the start of each phase through
//! `/proc/<pid>/clear_refs` where the kernel allows it (Linux). Also the CPU time the
//! server spent in each phase: on a shared or noisy machine, CPU per record moves far less
//! between runs than records per second.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub struct RssLog {
    pid: u32,
    /// (phase, peak KiB) in the order the phases ran.
    pub phases: Vec<(&'static str, u64)>,
    /// (phase, server CPU seconds, user + system) in the same order.
    pub cpu: Vec<(&'static str, f64)>,
}

impl RssLog {
    pub fn new(pid: u32) -> Self {
        Self {
            pid,
            phases: Vec::new(),
            cpu: Vec::new(),
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
        let cpu_before = cpu_seconds(pid);
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
        self.cpu.push((phase, cpu_seconds(pid) - cpu_before));
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

/// User + system CPU time a process has used, in seconds (0 where /proc has no answer).
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    // SAFETY: sysconf only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1);
    ticks as f64 / per_second as f64
}
