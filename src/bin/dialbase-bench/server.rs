//! The server under test: this same executable re-run as `serve`, in its own process.
//! The CLI export is run the same way (`export`), so the bench needs no other binary.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const TENANT: &str = "bench";
pub const KEY: &str = "bench-key-0123456789";

/// The `dialbase` commands this executable runs instead of benchmarking.
pub const DIALBASE_COMMANDS: [&str; 2] = ["serve", "export"];

/// This executable as `dialbase`, against `database` (a SQLite path or a PostgreSQL URL).
pub fn dialbase(database: &str) -> Result<Command, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = Command::new(exe);
    command.env("DIALBASE_DATABASE", database);
    Ok(command)
}

pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:port`
    pub origin: String,
}

impl ServerProcess {
    pub fn start(database: &str) -> Result<Self, String> {
        Self::start_with(database, &[])
    }

    /// [`Self::start`] with extra environment.
    pub fn start_with(database: &str, env: &[(&str, &str)]) -> Result<Self, String> {
        let mut child = dialbase(database)?
            .args(["serve", "--listen", "127.0.0.1:0", "--log-level", "warn"])
            .envs(env.iter().copied())
            .env("DIALBASE_BOOTSTRAP", format!("{TENANT}:{TENANT}:{KEY}"))
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("no server stdout")?;
        BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
        let origin = line.trim().rsplit(' ').next().unwrap_or_default().to_string();
        if !origin.starts_with("http://") {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("server did not start: {line:?}"));
        }
        Ok(Self { child, origin })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (at most 30 s) until the server has used under a tenth of a core for half a
    /// second: after a bulk write it checkpoints its WAL in the background, and the next
    /// phase should start on a quiet server, as it would in use.
    pub async fn settle(&self) {
        let cpu_ticks = |pid: u32| -> Option<u64> {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // After the command's closing parenthesis: fields 14 and 15 are utime and stime.
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        };
        let started = std::time::Instant::now();
        let mut last = cpu_ticks(self.pid());
        while started.elapsed() < std::time::Duration::from_secs(30) {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            let now = cpu_ticks(self.pid());
            // 100 ticks a second: under 5 in half a second is under a tenth of a core.
            if let (Some(before), Some(after)) = (last, now)
                && after.saturating_sub(before) < 5
            {
                return;
            }
            last = now;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
