//! Test harness: starts the real `dialbase` binary on a random loopback port against
//! a fresh database and talks to it over HTTP.
#![allow(dead_code)] // each test binary uses its own part of the harness

pub mod console;
pub mod dialer;
pub mod iovox;
pub mod jtel;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub const TENANT: &str = "mycc";
pub const USER: &str = "mycc";
pub const KEY: &str = "test-key-mycc";

/// With this set to a server's URL (`postgres://user@127.0.0.1:PORT/postgres`), every
/// test runs on its own fresh PostgreSQL database there; without it, on SQLite.
pub const POSTGRES_ENV: &str = "DIALBASE_TEST_POSTGRES";

/// Where a test's data lives; kept alive (and reusable for a restart) by the test.
pub struct Database {
    pub url: String,
    backend: Backend,
}

enum Backend {
    Sqlite(tempfile::TempDir),
    /// A SQLite file the test owns (a backup it made).
    SqliteFile,
    /// The admin URL the database was created through, and its name.
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl Database {
    pub fn fresh() -> Self {
        match std::env::var(POSTGRES_ENV) {
            Ok(admin_url) if !admin_url.is_empty() => Self::fresh_postgres(admin_url),
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = dir.path().join("dialbase.db").to_string_lossy().into_owned();
                Self {
                    url,
                    backend: Backend::Sqlite(dir),
                }
            }
        }
    }

    /// A SQLite database file the test made itself (it removes nothing).
    pub fn sqlite_file(path: &std::path::Path) -> Self {
        Self {
            url: path.to_string_lossy().into_owned(),
            backend: Backend::SqliteFile,
        }
    }

    /// A fresh PostgreSQL database for a test that runs on PostgreSQL only; on a SQLite run
    /// it says the test is skipped, and why, and gives none.
    pub fn postgres_only(why: &str) -> Option<Self> {
        let db = Self::fresh();
        if !db.is_postgres() {
            eprintln!("skipped: {why}");
            return None;
        }
        Some(db)
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres { .. })
    }

    fn fresh_postgres(admin_url: String) -> Self {
        static CREATED: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "dialbase_test_{}_{}_{nanos}",
            std::process::id(),
            CREATED.fetch_add(1, Ordering::Relaxed)
        );
        postgres_admin(&admin_url, format!("CREATE DATABASE {name}")).expect("create the test database");
        Self {
            url: with_database(&admin_url, &name),
            backend: Backend::Postgres { admin_url, name },
        }
    }

    /// Runs a `dialbase` admin command against this database; returns its stdout.
    pub fn admin(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_dialbase"))
            .args(args)
            .env("DIALBASE_DATABASE", &self.url)
            .output()
            .expect("run dialbase");
        assert!(
            out.status.success(),
            "dialbase {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }
}

impl Database {
    /// Runs SQL straight on the database (the server is stopped): old data a migration or a
    /// look-up must cope with.
    pub fn execute(&self, sql: &str) {
        match &self.backend {
            Backend::Postgres { .. } => postgres_admin(&self.url, sql.to_string()).expect("run SQL"),
            _ => rusqlite::Connection::open(&self.url)
                .and_then(|conn| conn.execute_batch(sql))
                .expect("run SQL"),
        }
    }
}

impl Database {
    /// One number from SQL on the database: how data is stored.
    pub fn number(&self, sql: &str) -> i64 {
        match &self.backend {
            Backend::Postgres { .. } => postgres_number(&self.url, sql.to_string()).expect("run SQL"),
            _ => rusqlite::Connection::open(&self.url)
                .and_then(|conn| conn.query_row(sql, [], |r| r.get(0)))
                .expect("run SQL"),
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Backend::Postgres { admin_url, name } = &self.backend {
            // Best effort: a database left behind goes with the throw-away cluster.
            let _ = postgres_admin(admin_url, format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// `url` with its database (the path) replaced by `name`; the query string is kept.
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

/// Runs statements on the admin database.
fn postgres_admin(admin_url: &str, statement: String) -> Result<(), String> {
    postgres_sql(admin_url, statement, false).map(|_| ())
}

fn postgres_number(url: &str, query: String) -> Result<i64, String> {
    postgres_sql(url, query, true).map(Option::unwrap_or_default)
}

/// Runs `sql` on a connection of its own: statements, or (`number`) a query of one number.
/// Tests run inside a tokio runtime, which cannot block on another: the SQL gets its own
/// thread and runtime.
fn postgres_sql(url: &str, sql: String, number: bool) -> Result<Option<i64>, String> {
    let url = url.to_string();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .map_err(|e| format!("connect to {url}: {e}"))?;
            tokio::spawn(connection);
            let failed = |e: tokio_postgres::Error| format!("{sql}: {e}");
            if number {
                Ok(Some(client.query_one(&sql, &[]).await.map_err(failed)?.get(0)))
            } else {
                client.batch_execute(&sql).await.map_err(failed).map(|_| None)
            }
        })
    })
    .join()
    .map_err(|_| "SQL thread panicked".to_string())?
}

/// An HTTP client (reqwest needs the process's TLS provider installed first). It drops an
/// idle connection well before the server's 10-second keep-alive ends: reusing one the
/// server is closing at that moment fails the request (`IncompleteMessage`), which a
/// loaded machine once made a model test step do.
pub fn http_client() -> reqwest::Client {
    dialbase::install_tls_provider();
    reqwest::Client::builder()
        .pool_idle_timeout(std::time::Duration::from_secs(4))
        .build()
        .expect("an HTTP client")
}

pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// Starts a server on `db` with the `mycc` tenant bootstrapped.
    pub fn start(db: &Database) -> Self {
        Self::start_with(db, &[])
    }

    pub fn start_with(db: &Database, env: &[(&str, &str)]) -> Self {
        Self::start_in(Command::new(env!("CARGO_BIN_EXE_dialbase")), db, env)
    }

    /// Starts the server with at most `files` open file descriptors (`ulimit -n`).
    pub fn start_with_fd_limit(db: &Database, env: &[(&str, &str)], files: u32) -> Self {
        let mut shell = Command::new("sh");
        shell.args([
            "-c",
            &format!("ulimit -n {files} && exec \"$0\" \"$@\""),
            env!("CARGO_BIN_EXE_dialbase"),
        ]);
        Self::start_in(shell, db, env)
    }

    fn start_in(mut command: Command, db: &Database, env: &[(&str, &str)]) -> Self {
        let mut child = command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("DIALBASE_DATABASE", &db.url)
            .env("DIALBASE_BOOTSTRAP", format!("{TENANT}:{USER}:{KEY}"))
            .env("DIALBASE_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start dialbase");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("read listen line");
        let address = line.trim().rsplit(' ').next().unwrap_or_default().to_string();
        assert!(address.starts_with("http://"), "unexpected first line: {line:?}");
        Self { child, base: address }
    }

    pub fn client(&self) -> Client {
        self.client_as(TENANT, USER, KEY)
    }

    pub fn client_as(&self, tenant: &str, user: &str, key: &str) -> Client {
        Client {
            http: crate::common::http_client(),
            base: format!("{}/{tenant}", self.base),
            user: user.into(),
            key: key.into(),
        }
    }

    /// Sends SIGTERM and waits up to `patience` for the process to end; its exit status.
    pub fn terminate(&mut self, patience: std::time::Duration) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = std::time::Instant::now();
        while started.elapsed() < patience {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client bound to one tenant prefix and one set of credentials.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub user: String,
    pub key: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Client {
    pub async fn send(&self, method: Method, path: &str, body: Option<String>) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&self.user, Some(&self.key));
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body);
        }
        Self::reply(request).await
    }

    /// A JSON call with extra headers.
    pub async fn send_with(&self, method: Method, path: &str, body: Option<String>, headers: &[(&str, &str)]) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&self.user, Some(&self.key));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body);
        }
        Self::reply(request).await
    }

    /// An iovox call (`path` holds the query string): the vendor's `username` and
    /// `secureKey` headers and, when given, an XML body.
    pub async fn iovox(&self, method: Method, path: &str, body: Option<&str>) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("username", &self.user)
            .header("secureKey", &self.key);
        if let Some(body) = body {
            request = request.header("content-type", "application/xml").body(body.to_string());
        }
        Self::reply(request).await
    }

    pub async fn reply(request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            text,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &str) -> Reply {
        self.send(Method::POST, path, Some(body.to_string())).await
    }

    pub async fn put(&self, path: &str, body: &str) -> Reply {
        self.send(Method::PUT, path, Some(body.to_string())).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    pub async fn patch(&self, path: &str) -> Reply {
        self.send(Method::PATCH, path, None).await
    }

    /// Declares a `multiple` (multi-value list) field on a project.
    pub async fn multi_value_field(&self, project: i64, name: &str) {
        let body = format!(r#"{{"name": "{name}", "type": "multiple"}}"#);
        let reply = self.post(&format!("/v2/projects/{project}/fields"), &body).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }

    /// The names of a project's fields, in creation order.
    pub async fn field_names(&self, project: i64) -> Vec<String> {
        let reply = self.get(&format!("/v2/projects/{project}")).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let fields = reply.body["response"]["fields"].as_array().expect("fields").iter();
        fields
            .map(|f| f["name"].as_str().expect("field name").to_string())
            .collect()
    }

    /// Adds records (one object or an array) and returns their numberids; all must be stored.
    pub async fn add_records(&self, project: i64, body: &str) -> Vec<i64> {
        let reply = self.post(&format!("/v2/projects/{project}/records"), body).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body["errors"], serde_json::json!([]), "{}", reply.text);
        reply.body["response"]
            .as_array()
            .expect("id list")
            .iter()
            .map(|id| id.as_i64().expect("id"))
            .collect()
    }

    /// Creates a project and returns its id.
    pub async fn project(&self, name: &str) -> i64 {
        let reply = self.post("/v2/projects", &format!("{{\"name\": \"{name}\"}}")).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.body["response"].as_i64().expect("project id")
    }
}
