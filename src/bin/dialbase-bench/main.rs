//! `dialbase-bench`: measures Dialbase against the targets of the Storage v2 issue, in one
//! run, next to physical baselines measured in the same run. Starts the server (this same
//! executable, re-run as `serve`) on a fresh SQLite file, or on a fresh database of the
//! PostgreSQL server `--database` names, drives it over loopback HTTP from this process,
//! and prints one table of figures (also written as JSON).
//!
//!     cargo build --release --bin dialbase-bench && target/release/dialbase-bench --records 1000000
//!
//! Phases, each in its own module: `import` (with the `flat` baseline and bytes per
//! record), `modify`, `list`, `lookup`, `dialer`, `export`; `rss` samples the server's
//! memory in every phase.

mod backend;
mod ceiling;
mod client;
mod data;
mod dialer;
mod export;
mod feed;
mod flat;
mod import;
mod list;
mod load;
mod lookup;
mod modify;
mod report;
mod rss;
mod server;

use clap::Parser;
use report::Figure;
use serde_json::json;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "dialbase-bench", about = "Benchmark Dialbase against the Storage v2 targets")]
struct Options {
    /// Records to import.
    #[arg(long, default_value_t = 1_000_000)]
    records: usize,
    /// Records per import request.
    #[arg(long, default_value_t = 10_000)]
    batch: usize,
    /// A PostgreSQL server (`postgres://user@host:port/db`) to run on instead of SQLite; the
    /// bench creates a database of its own there and drops it at the end.
    #[arg(long)]
    database: Option<String>,
    /// Concurrent connections for the filtered list.
    #[arg(long, default_value_t = 8)]
    list_connections: usize,
    /// Filtered list requests per connection.
    #[arg(long, default_value_t = 50)]
    list_requests: usize,
    /// Concurrent connections for the look-ups.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Look-ups per connection (each of numberid, userData and /healthz).
    #[arg(long, default_value_t = 300)]
    lookups: usize,
    /// Concurrent dialers for claim + release.
    #[arg(long, default_value_t = 8)]
    dialers: usize,
    /// Claims per dialer (fewer when the campaign holds fewer claimable contacts). 2,000
    /// each keeps 8 dialers busy for seconds, not a one-second burst that a checkpoint or
    /// the first statements' preparation could decide.
    #[arg(long, default_value_t = 2_000)]
    claims: usize,
    /// Records per import of the change feed's on/off comparison.
    #[arg(long, default_value_t = 200_000)]
    feed_records: usize,
    /// Webhook deliveries to time.
    #[arg(long, default_value_t = 20_000)]
    deliveries: u64,
    /// Where to write the JSON results.
    #[arg(long, default_value = "bench-results/latest.json")]
    json: std::path::PathBuf,
    /// Directory for the SQLite databases and the export file (default: a temporary directory).
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    dialbase::no_transparent_huge_pages();
    dialbase::install_tls_provider();
    // Re-run as `dialbase serve` (the server under test) or `dialbase export`: the very code.
    if std::env::args()
        .nth(1)
        .is_some_and(|command| server::DIALBASE_COMMANDS.contains(&command.as_str()))
    {
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
    // Declared before the server, so the server stops before its database is dropped.
    let backend = backend::Backend::new(options.database.as_deref(), &temp.path).await?;
    let server = server::ServerProcess::start(&backend.location())?;
    let api = client::Api::new(&server.origin);
    let mut rss = rss::RssLog::new(server.pid());
    let n = options.records;
    let mut figures = Vec::new();
    let flat_name = match backend {
        backend::Backend::Sqlite { .. } => "flat rusqlite",
        backend::Backend::Postgres(_) => "flat PostgreSQL COPY",
    };

    // The baseline runs first, on a quiet machine: right after the import the server is
    // still checkpointing its WAL, which halved the baseline in some runs.
    eprintln!("the rows into a flat table ({flat_name}) ...");
    let flat = flat::insert(&backend, &temp.path, n, 1).await?;
    if flat.rows != n as u64 {
        return Err(format!("the flat table holds {} rows, expected {n}", flat.rows));
    }
    eprintln!(
        "[{}] importing {n} records over HTTP in arrays of {} ...",
        backend.name(),
        options.batch
    );
    let import = rss.during("import", import::run(&api, n, options.batch)).await?;
    eprintln!(
        "  {:.0} records/s, server RSS at most {} MiB",
        import.records_per_second,
        rss.phases.last().map_or(0, |(_, kib)| kib / 1024)
    );
    let server_bytes = backend.bytes_in_use().await?;
    let server_file_bytes = backend.file_bytes();
    let import_cpu_us = rss
        .cpu
        .last()
        .map_or(0.0, |(_, seconds)| seconds * 1e6 / import.imported.max(1) as f64);

    server.settle().await;
    let ceiling = match &backend {
        backend::Backend::Postgres(db) => {
            eprintln!("the import's own rows again by COPY, two sessions (PostgreSQL's ceiling) ...");
            Some(ceiling::postgres(db, n).await?)
        }
        backend::Backend::Sqlite { .. } => None,
    };
    eprintln!("batch modification by search ...");
    let modified = rss.during("batch modify", modify::run(&api, import.project, n)).await?;
    eprintln!("  {} records in {:.2} s", modified.touched, modified.seconds);
    figures.push(Figure::at_most(
        format!("batch modify by search ({} of {n})", modified.touched),
        modified.seconds,
        "s",
        1.0,
    ));

    // The modification's pages are still being checkpointed: p99 measured the checkpoint.
    server.settle().await;
    eprintln!("filtered list pages, {} connections ...", options.list_connections);
    let list = rss
        .during(
            "filtered list",
            list::run(&api, import.project, n, options.list_connections, options.list_requests),
        )
        .await?;
    let what = format!(
        "list ?city={}&limit={}, {} conns",
        list::CITY,
        list::PAGE,
        options.list_connections
    );
    figures.push(Figure::info(format!("{what}: p50"), list.load.p50_ms, "ms"));
    figures.push(Figure::at_most(format!("{what}: p99"), list.load.p99_ms, "ms", 20.0));

    let contacts = (n / 10).clamp(1, 100_000);
    eprintln!("loading {contacts} dialer contacts through the jtel dialect, a tenth on the Robinson list ...");
    let campaign = rss
        .during(
            "dialer contacts load",
            dialer::load(&api, contacts, options.batch, None),
        )
        .await?;

    server.settle().await;
    eprintln!("look-ups, {} connections ...", options.connections);
    let lookups = rss
        .during(
            "lookups",
            lookup::run(
                &api,
                (import.project, import.first_id),
                n,
                contacts,
                options.connections,
                options.lookups,
            ),
        )
        .await?;
    let conns = options.connections;
    figures.extend(lookups.by_id.figures(
        &format!("lookup by numberid, {conns} conns"),
        Some(15_000.0),
        Some(10.0),
    ));
    figures.extend(lookups.by_user_data.figures(
        &format!("lookup by userData, {conns} conns"),
        Some(15_000.0),
        Some(10.0),
    ));
    figures.extend(
        lookups
            .healthz
            .figures(&format!("GET /healthz, {conns} conns"), None, None),
    );

    eprintln!("claim + release, {} dialers ...", options.dialers);
    let claims = rss
        .during(
            "claims",
            dialer::claim_and_release(&api, &campaign, options.dialers, options.claims),
        )
        .await?;
    figures.extend(claims.figures("", 5_000.0)?);

    eprintln!(
        "claim + release under every dialing rule, {} dialers ...",
        options.dialers
    );
    let ruled = rss
        .during("claims under rules", async {
            let campaign = dialer::load(&api, contacts, options.batch, Some(dialer::all_rules())).await?;
            dialer::claim_and_release(&api, &campaign, options.dialers, options.claims).await
        })
        .await?;
    figures.extend(ruled.figures(" under all rules", claims.per_second / 2.0)?);

    eprintln!("exports of the whole project: CLI, then HTTP ...");
    let (cli, http) = rss
        .during("export", async {
            let cli = export::cli(&backend.location(), import.project, &temp.path, n).await?;
            let http = export::http(&api, import.project, n).await?;
            Ok((cli, http))
        })
        .await?;
    figures.push(Figure::at_least(
        "export: CLI CSV records/s",
        cli.records_per_second,
        "rec/s",
        200_000.0,
    ));
    figures.push(Figure::at_least(
        "export: HTTP NDJSON records/s",
        http.records_per_second,
        "rec/s",
        200_000.0,
    ));
    // The feed phase starts servers of its own on the same database: this one stops first.
    drop(server);
    let feed_records = options.feed_records.min(n).max(1);
    eprintln!("the change feed: {feed_records} records imported with it on, off, on; then webhook deliveries ...");
    let feed = feed::run(&backend.location(), feed_records, options.batch, options.deliveries).await?;
    figures.extend([
        Figure::info(
            format!("feed on: import rec/s ({feed_records})"),
            feed.with_feed,
            "rec/s",
        ),
        Figure::info(
            format!("feed off: import rec/s ({feed_records})"),
            feed.without_feed,
            "rec/s",
        ),
        Figure::at_least(
            "feed: import on / off",
            feed.with_feed / feed.without_feed,
            "ratio",
            0.80,
        ),
        Figure::info(
            format!("webhook deliveries/s ({} events, local receiver)", feed.deliveries),
            feed.deliveries_per_second,
            "/s",
        ),
    ]);
    // The baseline again at the end, the server quiet: this machine's speed drifts within a
    // run (the same flat insert measured 262,000 and 400,000 rows/s in two runs), so the
    // import is compared with the mean of the inserts before and after the other phases
    // (right after the import, the second insert's writeback slowed the modification). Every
    // server of the run has stopped by now.
    eprintln!("the rows into a flat table again ({flat_name}) ...");
    let flat_after = flat::insert(&backend, &temp.path, n, 2).await?;
    let flat_rate = (flat.records_per_second + flat_after.records_per_second) / 2.0;
    let per_record = |bytes: u64| bytes as f64 / n.max(1) as f64;
    let import_figures = [
        Figure::at_least("import: HTTP records/s", import.records_per_second, "rec/s", 100_000.0),
        Figure::info(
            format!("import: {flat_name} records/s, first"),
            flat.records_per_second,
            "rec/s",
        ),
        Figure::info(
            format!("import: {flat_name} records/s, last"),
            flat_after.records_per_second,
            "rec/s",
        ),
        Figure::at_least(
            "import: HTTP / flat (mean of first and last)",
            import.records_per_second / flat_rate,
            "ratio",
            0.40,
        ),
        Figure::info("import: server CPU us/record", import_cpu_us, "us"),
    ];
    let ceiling_figures = ceiling.into_iter().flat_map(|rate| {
        [
            Figure::info("import: its rows by COPY, 2 sessions (ceiling) rec/s", rate, "rec/s"),
            Figure::info("import: ceiling / flat", rate / flat_rate, "ratio"),
            Figure::info("import: HTTP / ceiling", import.records_per_second / rate, "ratio"),
        ]
    });
    let disk_figures = [
        Figure::info("disk: server bytes/record", per_record(server_bytes), "B"),
        Figure::info("disk: flat table bytes/record", per_record(flat.bytes), "B"),
        Figure::at_most(
            "disk: server / flat",
            server_bytes as f64 / flat.bytes.max(1) as f64,
            "ratio",
            1.5,
        ),
    ];
    figures.splice(
        0..0,
        import_figures.into_iter().chain(ceiling_figures).chain(disk_figures),
    );
    for (phase, kib) in &rss.phases {
        figures.push(Figure::at_most(
            format!("server RSS max: {phase}"),
            *kib as f64 / 1024.0,
            "MiB",
            256.0,
        ));
    }

    report::print_table(&figures);
    let context = json!({
        "backend": backend.name(), "records": n, "batch": options.batch, "imported": import.imported,
        "flat_rows": flat.rows, "flat_records_per_second": [flat.records_per_second, flat_after.records_per_second],
        "server_bytes": server_bytes, "server_file_bytes": server_file_bytes,
        "flat_bytes": flat.bytes, "ceiling_records_per_second": ceiling, "batch_modified": modified.touched,
        "list_total": list.total, "list_requests": list.load.requests,
        "lookups": lookups.by_id.requests, "user_data_lookups": lookups.by_user_data.requests,
        "healthz_requests": lookups.healthz.requests,
        "jtel_contacts": campaign.contacts, "robinson_listed": campaign.listed.len(),
        "claims": claims.claims, "distinct_claims": claims.distinct, "robinson_claimed": claims.robinson_claimed,
        "claims_drained_queue": claims.drained,
        "claims_under_rules": ruled.claims, "distinct_claims_under_rules": ruled.distinct,
        "exported_cli": cli.records, "exported_http": http.records,
        "feed_records": feed.records, "webhook_deliveries": feed.deliveries,
        "rss_phases": rss.phases.iter().map(|(phase, kib)| json!({"phase": phase, "max_kib": kib})).collect::<Vec<_>>(),
        "server_cpu_seconds": rss.cpu.iter().map(|(phase, seconds)| json!({"phase": phase, "seconds": seconds})).collect::<Vec<_>>(),
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
    let (path, remove) = match dir {
        Some(dir) => (dir.to_path_buf(), false),
        None => (
            std::env::temp_dir().join(format!("dialbase-bench-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&path).map_err(|e| e.to_string())?;
    Ok(TempDir { path, remove })
}

struct TempDir {
    path: std::path::PathBuf,
    remove: bool,
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
