//! CSV import by upload, with progress reported by the server, and CSV export.
//!
//! The browser creates an import (`POST .../projects/{id}/imports`: the file's size), then
//! streams the file in one `PUT .../imports/{id}/upload` while it polls
//! `GET .../imports/{id}/progress`. The server parses the body as it arrives (a bounded
//! buffer: no file is held in memory, however large), stores it in batches through the
//! record store as `dialbase import` does, and writes its progress to the database after
//! every batch, so a poll answered by another node sees it too. Rejected lines are reported
//! (the first thousand one by one) on the import's page.

use super::error::ConsoleError;
use super::page::{self, project_tabs};
use super::session::Console;
use crate::cli::transfer::row_to_write;
use crate::domain::calldate;
use crate::domain::record::RecordWrite;
use crate::http::{ApiError, AppState, path_id};
use crate::storage::{ImportStatus, Store, TenantId};
use axum::body::Body;
use axum::extract::{RawPathParams, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use futures_util::TryStreamExt;
use maud::html;
use serde::Deserialize;
use serde_json::json;
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::runtime::Handle;
use tokio_util::io::{StreamReader, SyncIoBridge};

/// Uploads running at once on a node. Each holds one of the runtime's blocking threads
/// (`cli::MAX_BLOCKING_THREADS`) and waits there for the storage reads it starts on
/// others: with every thread held by an upload, none would finish.
const MAX_UPLOADS: usize = 4;
static UPLOADS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_UPLOADS);

/// Records per store transaction: small enough that the bar moves every few hundred KiB.
const BATCH: usize = 2_000;
/// Rejected lines reported one by one; the rest are counted.
const REPORTED_LINES: usize = 1_000;

pub async fn page(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
) -> Result<Response, ConsoleError> {
    let project = path_id(&params, "project", "project")?;
    let (info, _) = state.store.project_schema(console.tenant, project).await?;
    let body = html! {
        (project_tabs(&console, project, &info.name, "import"))
        section class="card" {
            h2 { "Import a CSV file" }
            p {
                "The header row names the fields (" code { "phone1" } ".." code { "phone9" } " are the numbers, "
                "a multi-value field takes " code { "a|b" } "), plus " code { "next_calldate" } ", "
                code { "phone_field" } " and " code { "user_data" } ". Fields that do not exist yet are created as text fields."
            }
            form id="import-form" method="post" action={ (console.base) "/projects/" (project) "/imports" } class="stack" {
                input type="hidden" name="csrf" value=(console.csrf);
                label for="import-file" { "CSV file" }
                input id="import-file" name="file" type="file" accept=".csv,text/csv" required;
                button type="submit" { "Upload and import" }
            }
            div style="margin-top:1rem" {
                label for="import-progress" { "Progress" }
                progress id="import-progress" max="100" value="0" { "0%" }
                p id="import-status" role="status" aria-live="polite" { "No upload yet." }
                p id="import-result" {}
            }
        }
        section class="card" {
            h2 { "Export" }
            p { a href={ (console.base) "/projects/" (project) "/export.csv" } download { "Download every record as CSV" }
                " (the same columns, so it imports again)." }
        }
    };
    Ok(page::frame(&console, &format!("{} · Import", info.name), body))
}

#[derive(Deserialize)]
pub struct NewImport {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    size: i64,
}

fn import_urls(console: &Console, id: i64) -> serde_json::Value {
    let base = format!("{}/imports/{id}", console.base);
    json!({
        "id": id,
        "upload": format!("{base}/upload"),
        "progress": format!("{base}/progress"),
        "report": base,
    })
}

pub async fn create(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
    Form(form): Form<NewImport>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let project = path_id(&params, "project", "project")?;
    let id = state
        .store
        .create_import(
            console.tenant,
            project,
            &console.user,
            form.size.max(0),
            calldate::now_seconds(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(import_urls(&console, id))).into_response())
}

async fn status_of(state: &AppState, console: &Console, params: &RawPathParams) -> Result<ImportStatus, ConsoleError> {
    let id = path_id(params, "import", "import")?;
    Ok(state
        .store
        .import_status(console.tenant, id)
        .await?
        .ok_or(ApiError::NotFound("import"))?)
}

fn percent(status: &ImportStatus) -> i64 {
    match status.outcome.as_deref() {
        Some("done") => 100,
        _ if status.total_bytes <= 0 => 0,
        // Never 100 before the last batch is stored.
        _ => (status.read_bytes.saturating_mul(100) / status.total_bytes).min(99),
    }
}

pub async fn progress(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
) -> Result<Response, ConsoleError> {
    let status = status_of(&state, &console, &params).await?;
    Ok(Json(json!({
        "percent": percent(&status),
        "read_bytes": status.read_bytes,
        "total_bytes": status.total_bytes,
        "stored": status.stored,
        "rejected": status.rejected,
        "outcome": status.outcome,
    }))
    .into_response())
}

pub async fn report(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
) -> Result<Response, ConsoleError> {
    let status = status_of(&state, &console, &params).await?;
    let (info, _) = state.store.project_schema(console.tenant, status.project).await?;
    let body = html! {
        (project_tabs(&console, status.project, &info.name, "import"))
        section class="card" {
            h2 { "Import " (status.id) }
            dl class="facts" {
                dt { "State" } dd { (status.outcome.as_deref().unwrap_or("in progress")) " (" (percent(&status)) "%)" }
                dt { "Records stored" } dd id="import-stored" { (status.stored) }
                dt { "Lines rejected" } dd id="import-rejected" { (status.rejected) }
            }
            @if !status.report.is_empty() {
                h2 { "Rejected lines" }
                pre class="report" { (status.report) }
                @if status.rejected as usize > REPORTED_LINES { p class="hint" { "The first " (REPORTED_LINES) " are listed." } }
            }
            p { a href={ (console.base) "/projects/" (status.project) } { "See the project's records" } }
        }
    };
    Ok(page::frame(
        &console,
        &format!("Import {} · {}", status.id, info.name),
        body,
    ))
}

pub async fn upload(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ConsoleError> {
    let token = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    console.check_csrf(token)?;
    let status = status_of(&state, &console, &params).await?;
    if status.outcome.is_some() || status.read_bytes > 0 {
        return Err(ApiError::Conflict("this import has had its upload".into()).into());
    }
    // An upload holds a blocking thread while its client sends; the runtime has few of them.
    let Ok(_upload) = UPLOADS.try_acquire() else {
        return Err(ApiError::TooManyRequests(std::time::Duration::from_secs(5)).into());
    };
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let reader = SyncIoBridge::new(StreamReader::new(stream));
    let store = state.store.clone();
    let tenant = console.tenant;
    let handle = Handle::current();
    let outcome = tokio::task::spawn_blocking(move || run(&handle, store, tenant, status, reader))
        .await
        .map_err(|e| ApiError::Internal(format!("import task failed: {e}")))?;
    Ok(Json(json!({
        "stored": outcome.stored,
        "rejected": outcome.rejected,
        "outcome": outcome.outcome,
    }))
    .into_response())
}

/// Bytes taken from the upload so far.
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Parses and stores the upload on a blocking thread (the CSV reader wants `Read`); store
/// calls go back to the runtime. Ends with the import's final state written.
fn run(
    handle: &Handle,
    store: Arc<dyn Store>,
    tenant: TenantId,
    mut status: ImportStatus,
    input: impl Read,
) -> ImportStatus {
    let read = Arc::new(AtomicU64::new(0));
    let counted = Counted {
        inner: input,
        read: read.clone(),
    };
    let mut lines: Vec<String> = Vec::new();
    let outcome = parse_and_store(handle, &*store, tenant, &mut status, counted, &read, &mut lines);
    status.read_bytes = read.load(Ordering::Relaxed) as i64;
    match outcome {
        Ok(()) => status.outcome = Some("done".into()),
        Err(e) => {
            lines.insert(0, format!("The import stopped: {e}"));
            status.outcome = Some("failed".into());
        }
    }
    status.report = lines.join("\n");
    if let Err(e) = handle.block_on(store.update_import(tenant, status.clone(), calldate::now_seconds())) {
        tracing::error!(error = %e, import = status.id, "cannot record an import's end");
    }
    status
}

fn reject(status: &mut ImportStatus, lines: &mut Vec<String>, line: u64, why: String) {
    status.rejected += 1;
    if lines.len() < REPORTED_LINES {
        lines.push(format!("line {line}: {why}"));
    }
}

fn parse_and_store(
    handle: &Handle,
    store: &dyn Store,
    tenant: TenantId,
    status: &mut ImportStatus,
    input: impl Read,
    read: &AtomicU64,
    lines: &mut Vec<String>,
) -> Result<(), String> {
    let mut reader = csv::Reader::from_reader(input);
    let headers = reader.headers().map_err(|e| format!("no header row: {e}"))?.clone();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err("the file is empty or has no header row".into());
    }
    let mut pending: Vec<(u64, RecordWrite)> = Vec::with_capacity(BATCH);
    let mut rows = reader.records();
    loop {
        let next = rows.next();
        match &next {
            Some(Ok(row)) => {
                let line = row.position().map_or(0, |p| p.line());
                match row_to_write(&headers, row) {
                    Ok(write) => pending.push((line, write)),
                    Err(why) => reject(status, lines, line, why),
                }
            }
            Some(Err(e)) => {
                let line = e.position().map_or(0, |p| p.line());
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(format!("the upload was cut off: {e}"));
                }
                reject(status, lines, line, e.to_string());
            }
            None => {}
        }
        if pending.len() >= BATCH || (next.is_none() && !pending.is_empty()) {
            let (numbers, writes): (Vec<u64>, Vec<RecordWrite>) = std::mem::take(&mut pending).into_iter().unzip();
            let outcomes = handle
                .block_on(store.insert_records(tenant, status.project, writes, false))
                .map_err(|e| e.to_string())?;
            for (line, outcome) in numbers.into_iter().zip(outcomes) {
                match outcome {
                    Ok(_) => status.stored += 1,
                    Err(e) => match e.existing {
                        Some(existing) => reject(status, lines, line, format!("duplicate of record {existing}")),
                        None => reject(status, lines, line, e.detail),
                    },
                }
            }
            status.read_bytes = read.load(Ordering::Relaxed) as i64;
            handle
                .block_on(store.update_import(tenant, status.clone(), calldate::now_seconds()))
                .map_err(|e| e.to_string())?;
        }
        if next.is_none() {
            return Ok(());
        }
    }
}

/// The project's records as a CSV download, streamed as the export API streams them.
pub async fn export(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
) -> Result<Response, ConsoleError> {
    let project = path_id(&params, "project", "project")?;
    Ok(crate::http::dialbase::export::download(&state.store, console.tenant, project, true).await?)
}
