//! `dialbase-bench`: measures Dialbase on this machine. Starts the server (this same
//! executable, re-run as `serve`) on a fresh SQLite file, loads it over loopback
//! HTTP from this process, and prints one table of figures (also written as JSON).
//!
//!     cargo build --release && target/release/dialbase-bench --records 1000000

mod client;
mod data;
mod dialer;
mod import;
mod lookup;
mod report;
mod server;

use clap::Parser;
use report::Figure;
use serde_json::json;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "dialbase-bench", about = "Benchmark Dialbase's bulk and hot paths")]
struct Options {
    /// Records to import.
    #[arg(long, default_value_t = 1_000_000)]
    records: usize,
    /// Records per import request.
    #[arg(long, default_value_t = 10_000)]
    batch: usize,
    /// Concurrent connections for the lookup load.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Lookups per connection.
    #[arg(long, default_value_t = 300)]
    lookups: usize,
    /// Concurrent dialers for claim + release.
    #[arg(long, default_value_t = 8)]
    dialers: usize,
    /// Claims per dialer.
    #[arg(long, default_value_t = 500)]
    claims: usize,
    /// Where to write the JSON results.
    #[arg(long, default_value = "bench-results/latest.json")]
    json: std::path::PathBuf,
    /// Directory for the benchmark databases (default: a temporary directory).
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    // Re-run as the server under test: the very code of `dialbase serve`.
    if std::env::args().nth(1).as_deref() == Some("serve") {
        return dialbase::cli::run();
    }
    let options = Options::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("benchmark failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: &Options) -> Result<(), String> {
    let temp = tempdir(options.dir.as_deref())?;
    let server = server::ServerProcess::start(&temp.join("http.db"))?;
    let api = client::Api::new(&server.base);
    let n = options.records;
    let mut figures = Vec::new();

    eprintln!("importing {n} records over HTTP in arrays of {} ...", options.batch);
    let import = import::http_import(&api, &server, n, options.batch).await?;
    eprintln!("inserting the same rows with raw rusqlite ...");
    let (raw_rate, raw_rows) = import::raw_insert(&temp.join("raw.db"), n).await?;
    figures.push(Figure::info(
        "import: HTTP records/s",
        import.records_per_second,
        "rec/s",
    ));
    figures.push(Figure::info("import: raw rusqlite records/s", raw_rate, "rec/s"));
    figures.push(Figure::at_least(
        "import: HTTP / raw",
        import.records_per_second / raw_rate,
        "ratio",
        0.5,
    ));

    eprintln!("batch modification by search ...");
    let (seconds, touched) = import::batch_modify(&api, import.project, n).await?;
    figures.push(Figure::at_most(
        format!("batch modify by search ({touched} records)"),
        seconds,
        "s",
        2.0,
    ));

    eprintln!("lookups by numberid, {} connections ...", options.connections);
    let project = import.project;
    let by_id = lookup::run(&api, options.connections, options.lookups, n, move |i| {
        format!("/v2/projects/{project}/records/{}", i + 1)
    })
    .await?;
    figures.extend(by_id.figures("lookup by numberid"));

    let jtel_contacts = (n / 10).clamp(1, 100_000);
    eprintln!("loading {jtel_contacts} contacts through the jtel dialect ...");
    let campaign = dialer::load_jtel_contacts(&api, jtel_contacts, options.batch).await?;
    eprintln!("lookups by userData, {} connections ...", options.connections);
    let by_user_data = lookup::run(&api, options.connections, options.lookups, jtel_contacts, |i| {
        format!("/dialler/contacts/contact?userData={}", data::user_data(i))
    })
    .await?;
    figures.extend(by_user_data.figures("lookup by userData"));

    eprintln!("claim + release, {} dialers ...", options.dialers);
    let claims = dialer::claim_and_release(&api, campaign, options.dialers, options.claims).await?;
    if claims.distinct != claims.claims {
        return Err(format!(
            "{} claims handed out only {} distinct contacts",
            claims.claims, claims.distinct
        ));
    }
    figures.push(Figure::info(
        format!("claim + release, {} dialers: claims/s", options.dialers),
        claims.per_second,
        "claims/s",
    ));
    figures.push(Figure::info("claim latency p99", claims.claim_p99_ms, "ms"));

    let growth = import.rss_end_kib as f64 / import.rss_early_kib.max(1) as f64;
    figures.push(Figure::info(
        "server RSS after 10% of import requests",
        import.rss_early_kib as f64 / 1024.0,
        "MiB",
    ));
    figures.push(Figure::info(
        "server RSS after the import",
        import.rss_end_kib as f64 / 1024.0,
        "MiB",
    ));
    figures.push(Figure::info("server peak RSS", import.peak_kib as f64 / 1024.0, "MiB"));
    figures.push(Figure::at_most(
        "server RSS growth, 10% -> 100% of requests",
        growth,
        "x",
        1.5,
    ));

    report::print_table(&figures);
    let context = json!({
        "records": n, "batch": options.batch, "imported": import.imported, "raw_rows": raw_rows,
        "batch_modified": touched, "lookups": by_id.requests, "user_data_lookups": by_user_data.requests,
        "jtel_contacts": jtel_contacts, "claims": claims.claims, "distinct_claims": claims.distinct,
        "cores": std::thread::available_parallelism().map(|c| c.get()).unwrap_or(1),
        "version": env!("CARGO_PKG_VERSION"),
    });
    if let Some(parent) = options.json.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let text = serde_json::to_string_pretty(&report::to_json(&figures, context)).map_err(|e| e.to_string())?;
    std::fs::write(&options.json, text).map_err(|e| format!("cannot write {}: {e}", options.json.display()))?;
    eprintln!("results written to {}", options.json.display());
    Ok(())
}

/// A fresh directory for the databases; removed at exit unless the user named one.
fn tempdir(dir: Option<&std::path::Path>) -> Result<TempDir, String> {
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            Ok(TempDir {
                path: dir.to_path_buf(),
                remove: false,
            })
        }
        None => {
            let path = std::env::temp_dir().join(format!("dialbase-bench-{}", std::process::id()));
            std::fs::create_dir_all(&path).map_err(|e| e.to_string())?;
            Ok(TempDir { path, remove: true })
        }
    }
}

struct TempDir {
    path: std::path::PathBuf,
    remove: bool,
}

impl TempDir {
    fn join(&self, name: &str) -> std::path::PathBuf {
        self.path.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
