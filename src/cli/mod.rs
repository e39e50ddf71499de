//! The `dialbase` command: `serve`, CSV `import`/`export`, do-not-call list entries from
//! CSV (`dnc`), and tenant and key administration.

mod dnc;
mod jobs;
mod keys;
mod server;
pub mod transfer;

use crate::domain::auth::{generate_key, hash_key};
use crate::domain::tenant::{validate_tenant_name, validate_user_name};
use crate::http::{DEFAULT_BODY_LIMIT, router};
use crate::storage::{self, Store};
use clap::{Args, Parser, Subcommand};
use std::process::ExitCode;
use std::sync::Arc;
use tower_http::timeout::RequestBodyTimeoutLayer;

#[derive(Parser)]
#[command(
    name = "dialbase",
    version,
    about = "Contact database server for outbound call centres"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DatabaseArg {
    /// SQLite file path, or a postgres:// URL [default: $DATABASE_URL, else ./dialbase.db]
    #[arg(long, env = "DIALBASE_DATABASE")]
    database: Option<String>,
}

const DEFAULT_DATABASE: &str = "./dialbase.db";

impl DatabaseArg {
    /// `--database` or `DIALBASE_DATABASE`, else `DATABASE_URL` (what hosting platforms
    /// and Postgres tooling set), else the default SQLite file.
    fn location(&self) -> String {
        choose_database(self.database.clone(), std::env::var("DATABASE_URL").ok())
    }
}

fn choose_database(explicit: Option<String>, database_url: Option<String>) -> String {
    explicit
        .or(database_url.filter(|url| !url.is_empty()))
        .unwrap_or_else(|| DEFAULT_DATABASE.to_string())
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve {
        #[arg(long, env = "DIALBASE_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        db: DatabaseArg,
        /// Log filter, e.g. `info` or `dialbase=debug,tower_http=info`.
        #[arg(long, env = "DIALBASE_LOG", default_value = "info")]
        log_level: String,
        /// Largest accepted request body, in bytes.
        #[arg(long, env = "DIALBASE_BODY_LIMIT", default_value_t = DEFAULT_BODY_LIMIT)]
        body_limit: usize,
        /// `customer:user:apikey`: create this tenant and API user at start-up if absent.
        #[arg(long, env = "DIALBASE_BOOTSTRAP")]
        bootstrap: Option<String>,
        /// Address for Prometheus metrics (`/metrics`), apart from the API's.
        #[arg(long, env = "DIALBASE_METRICS_LISTEN")]
        metrics_listen: Option<String>,
    },
    /// Tenant (call centre) administration.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// API user and key administration.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// The audit log of admin actions and deletes.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Import records from CSV into a project (header row = field names).
    Import {
        tenant: String,
        project: i64,
        /// CSV file, or `-` for standard input.
        file: std::path::PathBuf,
        /// Records per transaction.
        #[arg(long, default_value_t = 10_000)]
        batch: usize,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Add or remove do-not-call list entries from CSV.
    Dnc {
        #[command(subcommand)]
        command: dnc::DncCommand,
    },
    /// Copy a SQLite database consistently, also while servers write to it.
    Backup {
        /// The new file (must not exist).
        target: std::path::PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Export a project's records as CSV.
    Export {
        tenant: String,
        project: i64,
        /// Output file (standard output when absent).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant (idempotent).
    Add {
        name: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// List tenants.
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Create an API user with an admin key, or give an existing one a new admin key in
    /// place of all its keys (revoked); prints the key once.
    Add {
        tenant: String,
        user: String,
        /// Use this key instead of generating one.
        #[arg(long)]
        key: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Add a key to an API user (created if absent), beside its other keys; prints its id
    /// and the key, once.
    Create {
        tenant: String,
        user: String,
        /// read-only, read-write or admin.
        #[arg(long, default_value = "read-write")]
        role: String,
        /// Limit the key to these projects (ids separated by commas).
        #[arg(long)]
        projects: Option<String>,
        /// Use this key instead of generating one.
        #[arg(long)]
        key: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// List a tenant's keys (never the keys themselves): id, user, role, projects, created, revoked.
    List {
        tenant: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Revoke a key by its id: it stops working at once on every node.
    Revoke {
        tenant: String,
        id: i64,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// A tenant's audit log, oldest first: id, time, user, source, action, target, detail.
    List {
        tenant: String,
        /// Lines with ids above this one.
        #[arg(long, default_value_t = 0)]
        after: i64,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

/// Threads for blocking work (SQLite reads, an export's page halves, console uploads).
/// Each thread keeps memory its allocator hands out again; tokio's default of 512 let an
/// export's RSS climb from ~180 to ~290 MiB as pages landed on ever new threads.
pub const MAX_BLOCKING_THREADS: usize = 16;

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(execute(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

async fn execute(command: Command) -> CliResult {
    match command {
        Command::Serve {
            listen,
            db,
            log_level,
            body_limit,
            bootstrap,
            metrics_listen,
        } => {
            let options = ServeOptions {
                listen,
                database: db.location(),
                log_level,
                body_limit,
                bootstrap,
                metrics_listen,
            };
            serve(options).await
        }
        Command::Tenant {
            command: TenantCommand::Add { name, db },
        } => {
            validate_tenant_name(&name)?;
            let id = storage::open(&db.location()).await?.ensure_tenant(&name).await?;
            println!("tenant {name} (id {id})");
            Ok(())
        }
        Command::Tenant {
            command: TenantCommand::List { db },
        } => {
            for (id, name) in storage::open(&db.location()).await?.list_tenants().await? {
                println!("{id}\t{name}");
            }
            Ok(())
        }
        Command::Import {
            tenant,
            project,
            file,
            batch,
            db,
        } => {
            let store = storage::open(&db.location()).await?;
            let tenant = tenant_id(store.as_ref(), &tenant).await?;
            let input: Box<dyn std::io::Read> = if file.as_os_str() == "-" {
                Box::new(std::io::stdin().lock())
            } else {
                Box::new(std::fs::File::open(&file).map_err(|e| format!("{}: {e}", file.display()))?)
            };
            let interactive = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let (stored, rejected) =
                transfer::import(store.as_ref(), tenant, project, input, batch.max(1), interactive).await?;
            println!("{stored} records imported, {rejected} rejected");
            if rejected > 0 {
                Err("some rows were rejected".into())
            } else {
                Ok(())
            }
        }
        Command::Export {
            tenant,
            project,
            output,
            db,
        } => {
            let store = storage::open(&db.location()).await?;
            let tenant = tenant_id(store.as_ref(), &tenant).await?;
            let count = match output {
                Some(path) => transfer::export(store.as_ref(), tenant, project, std::fs::File::create(path)?).await?,
                None => transfer::export(store.as_ref(), tenant, project, std::io::stdout().lock()).await?,
            };
            eprintln!("{count} records exported");
            Ok(())
        }
        Command::Dnc { command } => dnc::run(command).await,
        Command::Backup { target, db } => {
            let database = db.location();
            tokio::task::spawn_blocking(move || storage::backup(&database, &target)).await??;
            eprintln!("backup written");
            Ok(())
        }
        Command::Key {
            command: KeyCommand::Add { tenant, user, key, db },
        } => {
            let store = storage::open(&db.location()).await?;
            let key = key.unwrap_or_else(generate_key);
            put_user(store.as_ref(), &tenant, &user, &key, true).await?;
            println!("{key}");
            Ok(())
        }
        Command::Key { command } => keys::run(command).await,
        Command::Audit {
            command:
                AuditCommand::List {
                    tenant,
                    after,
                    limit,
                    db,
                },
        } => {
            let store = storage::open(&db.location()).await?;
            let tenant = tenant_id(store.as_ref(), &tenant).await?;
            let limit = limit.clamp(1, crate::domain::audit::MAX_PAGE);
            for line in store.audit_log(tenant, after, limit).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    line.id, line.at, line.user, line.source, line.action, line.target, line.detail
                );
            }
            Ok(())
        }
    }
}

async fn tenant_id(store: &dyn Store, name: &str) -> Result<i64, Box<dyn std::error::Error>> {
    let tenants = store.list_tenants().await?;
    let found = tenants.into_iter().find(|(_, n)| n == name).map(|(id, _)| id);
    found.ok_or_else(|| format!("no tenant named '{name}'").into())
}

async fn put_user(
    store: &dyn Store,
    tenant: &str,
    user: &str,
    key: &str,
    replace: bool,
) -> Result<bool, Box<dyn std::error::Error>> {
    validate_tenant_name(tenant)?;
    validate_user_name(user)?;
    if key.len() < 8 {
        return Err("an API key has at least 8 characters".into());
    }
    let id = store.ensure_tenant(tenant).await?;
    Ok(store.put_api_user(id, user, &hash_key(key), replace).await?)
}

/// What `dialbase serve` was given.
struct ServeOptions {
    listen: String,
    database: String,
    log_level: String,
    body_limit: usize,
    bootstrap: Option<String>,
    metrics_listen: Option<String>,
}

async fn serve(options: ServeOptions) -> CliResult {
    let ServeOptions {
        listen,
        database,
        log_level,
        body_limit,
        bootstrap,
        metrics_listen,
    } = options;
    let (listen, database, bootstrap) = (listen.as_str(), database.as_str(), bootstrap.as_deref());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&log_level)?)
        .with_writer(std::io::stderr)
        .init();
    let store: Arc<dyn Store> = storage::open(database).await?;
    if let Some(spec) = bootstrap {
        let mut parts = spec.splitn(3, ':');
        let (Some(tenant), Some(user), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err("DIALBASE_BOOTSTRAP must be customer:user:apikey".into());
        };
        if put_user(store.as_ref(), tenant, user, key, false).await? {
            tracing::info!(tenant, user, "bootstrap API user created");
        }
    } else if store.list_tenants().await?.is_empty() {
        eprintln!(
            "no tenants yet: create one and a key with\n  dialbase key add mycc mycc --database {database}\n\
             or start with DIALBASE_BOOTSTRAP=customer:user:apikey"
        );
    }
    if let Some(metrics_listen) = &metrics_listen {
        crate::http::metrics::serve(metrics_listen, store.clone()).await?;
    }
    jobs::start_pruning(store.clone(), jobs::retention_from_env()?);
    crate::webhook_sender::start(store.clone(), crate::webhook_sender::SenderConfig::from_env()?)?;
    let limits = server::ServerLimits::from_env()?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("dialbase listening on http://{}", listener.local_addr()?);
    tracing::info!(?limits, "serving");
    // A body whose next chunk does not come within the timeout fails its request.
    let app = router(store, body_limit)?.layer(RequestBodyTimeoutLayer::new(limits.body_timeout));
    server::serve(listener, app, limits, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return ctrl_c.await.unwrap_or(()),
        };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    ctrl_c.await.unwrap_or(());
}

#[cfg(test)]
mod tests {
    use super::choose_database;

    #[test]
    fn database_url_is_the_fallback_before_the_default_file() {
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            choose_database(some("a.db"), some("postgres://db/x")),
            "a.db",
            "--database / DIALBASE_DATABASE win"
        );
        assert_eq!(choose_database(None, some("postgres://db/x")), "postgres://db/x");
        assert_eq!(choose_database(None, some("")), "./dialbase.db");
        assert_eq!(choose_database(None, None), "./dialbase.db");
    }
}
