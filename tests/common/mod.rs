//! Test harness: starts the real `dialbase` binary on a random loopback port against
//! a fresh database and talks to it over HTTP.
#![allow(dead_code)] // each test binary uses its own part of the harness

use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const TENANT: &str = "mycc";
pub const USER: &str = "mycc";
pub const KEY: &str = "test-key-mycc";

/// Where a test's data lives; kept alive (and reusable for a restart) by the test.
pub struct Database {
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Database {
    pub fn fresh() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = dir.path().join("dialbase.db").to_string_lossy().into_owned();
        Self { url, _dir: dir }
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
        let mut child = Command::new(env!("CARGO_BIN_EXE_dialbase"))
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
            http: reqwest::Client::new(),
            base: format!("{}/{tenant}", self.base),
            user: user.into(),
            key: key.into(),
        }
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

    /// Creates a project and returns its id.
    pub async fn project(&self, name: &str) -> i64 {
        let reply = self.post("/v2/projects", &format!("{{\"name\": \"{name}\"}}")).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.body["response"].as_i64().expect("project id")
    }
}
