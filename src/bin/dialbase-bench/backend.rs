//! The database the server under test runs on: a SQLite file in the bench's directory, or
//! a database the bench creates on the PostgreSQL server `--database` names (and drops at
//! the end). Also how much of it is in use, for the bytes-per-record figure.

use std::path::{Path, PathBuf};

pub enum Backend {
    Sqlite { file: PathBuf },
    Postgres(PgDatabase),
}

impl Backend {
    pub async fn new(database: Option<&str>, dir: &Path) -> Result<Self, String> {
        match database {
            Some(url) if is_postgres_url(url) => Ok(Self::Postgres(PgDatabase::create(url).await?)),
            Some(other) => Err(format!(
                "--database takes a postgres:// URL (SQLite runs in --dir), not {other:?}"
            )),
            None => {
                // A fresh database even in a --dir used before.
                let file = dir.join("dialbase.db");
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
                }
                Ok(Self::Sqlite { file })
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Sqlite { .. } => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// The server's `--database`.
    pub fn location(&self) -> String {
        match self {
            Self::Sqlite { file } => file.to_string_lossy().into_owned(),
            Self::Postgres(db) => db.url.clone(),
        }
    }

    /// Bytes the server's data takes. SQLite: the pages in use (`page_count - freelist_count`
    /// times `page_size`, WAL content included), read through a read-only connection.
    /// PostgreSQL: `pg_total_relation_size` (heap, TOAST, indexes) of every table.
    pub async fn bytes_in_use(&self) -> Result<u64, String> {
        match self {
            Self::Sqlite { file } => {
                let file = file.clone();
                tokio::task::spawn_blocking(move || {
                    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
                    let conn = rusqlite::Connection::open_with_flags(file, flags).map_err(|e| e.to_string())?;
                    sqlite_bytes_in_use(&conn).map_err(|e| e.to_string())
                })
                .await
                .map_err(|e| e.to_string())?
            }
            Self::Postgres(db) => {
                let client = db.connect().await?;
                let row = client
                    .query_one(
                        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
                         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', $1)
                           AND n.nspname NOT LIKE 'pg_toast%'",
                        &[&crate::flat::PG_SCHEMA],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(row.get::<_, i64>(0) as u64)
            }
        }
    }

    /// The database files' sizes on disk (SQLite: main file and WAL), for the JSON context.
    pub fn file_bytes(&self) -> Option<u64> {
        let Self::Sqlite { file } = self else { return None };
        let size = |path: PathBuf| std::fs::metadata(path).map_or(0, |m| m.len());
        Some(size(file.clone()) + size(PathBuf::from(format!("{}-wal", file.display()))))
    }
}

pub fn sqlite_bytes_in_use(conn: &rusqlite::Connection) -> rusqlite::Result<u64> {
    let pragma = |name: &str| conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0));
    let pages = pragma("page_count")? - pragma("freelist_count")?;
    Ok((pages * pragma("page_size")?) as u64)
}

fn is_postgres_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// A database of the bench's own on a PostgreSQL server: created from the URL the user
/// gave (whose database is only used to connect), dropped when this is dropped.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    async fn create(admin_url: &str) -> Result<Self, String> {
        let name = format!("dialbase_bench_{}", std::process::id());
        admin(admin_url, format!("CREATE DATABASE {name}")).await?;
        Ok(Self {
            admin_url: admin_url.to_string(),
            url: with_database(admin_url, &name),
            name,
        })
    }

    pub async fn connect(&self) -> Result<tokio_postgres::Client, String> {
        let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .map_err(|e| format!("connect to {}: {e}", self.url))?;
        tokio::spawn(connection);
        Ok(client)
    }
}

impl Drop for PgDatabase {
    /// Runs on its own thread and runtime: a drop may happen inside the bench's runtime,
    /// which cannot block on another future.
    fn drop(&mut self) {
        let (url, statement) = (
            self.admin_url.clone(),
            format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            runtime.map_err(|e| e.to_string())?.block_on(admin(&url, statement))
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop the bench database {}: {e}", self.name);
        }
    }
}

async fn admin(url: &str, statement: String) -> Result<(), String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| format!("connect to {url}: {e}"))?;
    tokio::spawn(connection);
    client
        .batch_execute(&statement)
        .await
        .map_err(|e| format!("{statement}: {e}"))
}

/// `url` with its database (the path) replaced by `name`; a query string is kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}
