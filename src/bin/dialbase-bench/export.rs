//! Phase 7: the whole imported project exported, by the CLI (`dialbase export`, a process
//! of its own reading the server's database while the server runs) to a CSV file, and over
//! HTTP (`GET /dialbase/v1/projects/{p}/export`, NDJSON, streamed).

use crate::client::Api;
use crate::server::{TENANT, dialbase};
use reqwest::Method;
use std::path::Path;
use std::time::Instant;

pub struct ExportOutcome {
    pub records: u64,
    pub records_per_second: f64,
}

/// Runs `dialbase export`; checks its count and the file's rows, then removes the file.
pub async fn cli(database: &str, project: i64, dir: &Path, records: usize) -> Result<ExportOutcome, String> {
    let file = dir.join("export.csv");
    let mut command = dialbase(database)?;
    command
        .args(["export", TENANT, &project.to_string(), "--output"])
        .arg(&file);
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot run dialbase export: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let reported: Option<u64> = stderr
        .trim()
        .strip_suffix(" records exported")
        .and_then(|n| n.parse().ok());
    if !output.status.success() || reported != Some(records as u64) {
        return Err(format!("dialbase export: {stderr}"));
    }
    let rows = count_lines(&file)?;
    let _ = std::fs::remove_file(&file);
    if rows != records as u64 + 1 {
        return Err(format!(
            "the CLI export has {rows} lines, expected a header and {records} rows"
        ));
    }
    Ok(ExportOutcome {
        records: records as u64,
        records_per_second: records as f64 / seconds,
    })
}

fn count_lines(file: &Path) -> Result<u64, String> {
    use std::io::Read;
    let mut reader = std::fs::File::open(file).map_err(|e| e.to_string())?;
    let (mut buffer, mut lines) = (vec![0u8; 1 << 20], 0u64);
    loop {
        let n = reader.read(&mut buffer).map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(lines);
        }
        lines += buffer[..n].iter().filter(|&&b| b == b'\n').count() as u64;
    }
}

/// Streams the NDJSON export, counting lines as they arrive; checks the count and the
/// first line's shape (a multi-value field joined by `|`).
pub async fn http(api: &Api, project: i64, records: usize) -> Result<ExportOutcome, String> {
    let path = format!("/dialbase/v1/projects/{project}/export");
    let started = Instant::now();
    let mut response = api
        .request(Method::GET, &path)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    if status != 200 {
        let body = response.text().await.unwrap_or_default();
        return Err(format!("{path} answered {status}: {body}"));
    }
    let (mut lines, mut first_line) = (0u64, Vec::new());
    while let Some(chunk) = response.chunk().await.map_err(|e| format!("{path}: {e}"))? {
        if lines == 0 {
            let end = chunk.iter().position(|&b| b == b'\n').unwrap_or(chunk.len());
            first_line.extend_from_slice(&chunk[..end]);
        }
        lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    if lines != records as u64 {
        return Err(format!("the HTTP export has {lines} lines, expected {records}"));
    }
    let first: serde_json::Value = serde_json::from_slice(&first_line).map_err(|e| format!("first line: {e}"))?;
    if !first["form"]["interests"].as_str().is_some_and(|t| t.contains('|')) {
        return Err(format!("unexpected first line: {first}"));
    }
    Ok(ExportOutcome {
        records: lines,
        records_per_second: records as f64 / seconds,
    })
}
