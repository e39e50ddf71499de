//! The server under test: this same executable re-run as `serve`, in its own process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub const TENANT: &str = "bench";
pub const KEY: &str = "bench-key-0123456789";

pub struct ServerProcess {
    child: Child,
    pub base: String,
}

impl ServerProcess {
    pub fn start(database: &Path) -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut child = Command::new(exe)
            .args(["serve", "--listen", "127.0.0.1:0", "--log-level", "warn"])
            .arg("--database")
            .arg(database)
            .env("DIALBASE_BOOTSTRAP", format!("{TENANT}:{TENANT}:{KEY}"))
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("no server stdout")?;
        BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
        let base = line.trim().rsplit(' ').next().unwrap_or_default().to_string();
        if !base.starts_with("http://") {
            let _ = child.kill();
            return Err(format!("server did not start: {line:?}"));
        }
        Ok(Self {
            child,
            base: format!("{base}/{TENANT}"),
        })
    }

    /// Resident and peak resident memory of the server process, in KiB (Linux).
    pub fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
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
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
