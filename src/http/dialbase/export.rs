//! Dialbase's own API: a whole project streamed in numberid order.
//!
//! `GET /dialbase/v1/projects/{projectid}/export?format=ndjson|csv` (NDJSON by default).
//! NDJSON: one JSON object per line, `{"numberid", "projectid", "user_data", "phone_field",
//! "next_calldate", "locked", "robinson", "form": {field: text}, "contacts": {...}}`, several
//! values of a field joined by `|`. CSV: the columns of `dialbase export` (`domain::export`).
//!
//! The records are read in keyset pages by a task that renders each page and hands it to
//! the response body through a short channel, so a project of any size is streamed with a
//! few pages in memory, and the next page is read while the previous one is being sent.
//! Errors before the first byte are answered like the dialer API's (`{"status", "error"}`);
//! a storage failure later can only cut the stream short, which the client sees as an
//! incomplete (aborted) response.

use super::{DialbaseApi, DialbaseError};
use crate::domain::document::push_json_string;
use crate::domain::export::CsvLayout;
use crate::domain::record::Contact;
use crate::domain::record::Record;
use crate::http::record_view::by_name;
use crate::http::{ApiError, AppState, Authed, path_id};
use crate::storage::{PageRenderer, Store, TenantId};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, RawPathParams, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Records per storage read.
pub const PAGE: u64 = 2000;
/// Rendered pages waiting for the client; bounds the memory one export holds.
const PAGES_IN_FLIGHT: usize = 2;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dialbase/v1/projects/{projectid}/export", get(export))
}

#[derive(Clone)]
enum Format {
    Ndjson,
    Csv(Arc<CsvLayout>),
}

impl Format {
    fn content_type(&self) -> &'static str {
        match self {
            Self::Ndjson => "application/x-ndjson",
            Self::Csv(_) => "text/csv; charset=utf-8",
        }
    }

    fn extension(&self) -> &'static str {
        match self {
            Self::Ndjson => "ndjson",
            Self::Csv(_) => "csv",
        }
    }

    /// One page as the bytes of the response; the CSV header goes before the first page.
    fn render(&self, records: &[Record], first: bool) -> Result<Bytes, String> {
        match self {
            Self::Ndjson => {
                let mut out = String::with_capacity(records.len() * 512);
                for record in records {
                    push_ndjson_line(&mut out, record);
                }
                Ok(out.into())
            }
            Self::Csv(layout) => layout.lines(records, first).map(Bytes::from).map_err(|e| e.to_string()),
        }
    }
}

/// One record's NDJSON line with its newline, written by hand: the same bytes as
/// serde_json would write (keys of `form` by name, contacts by slot; the test below holds
/// it to that), with texts checked for escapes eight bytes at a time. serde_json's check,
/// byte by byte, was a tenth of an export.
fn push_ndjson_line(out: &mut String, record: &Record) {
    let mut int = itoa::Buffer::new();
    // A key (with the comma before it) and a text or null.
    let text = |out: &mut String, key: &str, value: Option<&str>| {
        out.push_str(key);
        match value {
            Some(value) => push_json_string(out, value),
            None => out.push_str("null"),
        }
    };
    out.push_str("{\"numberid\":");
    out.push_str(int.format(record.id));
    out.push_str(",\"projectid\":");
    out.push_str(int.format(record.project_id));
    text(out, ",\"user_data\":", record.user_data.as_deref());
    text(out, ",\"phone_field\":", record.phone_field.as_deref());
    text(out, ",\"next_calldate\":", record.next_calldate.as_deref());
    out.push_str(if record.locked {
        ",\"locked\":true"
    } else {
        ",\"locked\":false"
    });
    out.push_str(if record.robinson {
        ",\"robinson\":true"
    } else {
        ",\"robinson\":false"
    });
    out.push_str(",\"form\":{");
    for (i, entry) in by_name(record).into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(out, &entry.name);
        out.push(':');
        match entry.values.as_slice() {
            [one] => push_json_string(out, &one.text),
            _ => push_json_string(out, &entry.text()),
        }
    }
    out.push_str("},\"contacts\":{");
    let mut contacts: Vec<&Contact> = record.contacts.iter().collect();
    contacts.sort_unstable_by_key(|c| c.slot);
    for (i, c) in contacts.into_iter().enumerate() {
        out.push_str(if i > 0 { ",\"phone" } else { "\"phone" });
        out.push_str(int.format(c.slot));
        text(out, "\":{\"email\":", c.email.as_deref());
        text(out, ",\"name\":", c.name.as_deref());
        text(out, ",\"phone\":", c.phone.as_deref());
        text(out, ",\"title\":", c.title.as_deref());
        out.push('}');
    }
    out.push_str("}}\n");
}

async fn export(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    params: RawPathParams,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, DialbaseError> {
    let project = path_id(&params, "projectid", "project")?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let csv = match query.get("format").map(String::as_str) {
        None | Some("ndjson") => false,
        Some("csv") => true,
        Some(other) => {
            let detail = format!("format '{other}' is not one of ndjson, csv");
            return Err(ApiError::BadRequest(detail).into());
        }
    };
    Ok(download(&state.store, auth.tenant, project, csv).await?)
}

/// A project's records as a streamed download (CSV or NDJSON); the console's export too.
pub async fn download(store: &Arc<dyn Store>, tenant: TenantId, project: i64, csv: bool) -> Result<Response, ApiError> {
    let format = if csv {
        let (_, schema) = store.project_schema(tenant, project).await?;
        Format::Csv(Arc::new(CsvLayout::new(&schema)))
    } else {
        Format::Ndjson
    };
    // The first page is read before answering, so a project that is not the tenant's is a
    // 404 and not an empty 200.
    let first = store.records_after(tenant, project, 0, PAGE).await?;
    let head = format.render(&first, true).map_err(internal)?;
    let (sender, receiver) = mpsc::channel(PAGES_IN_FLIGHT);
    sender.try_send(Ok(head)).expect("an empty channel takes one page");
    if let Some(last) = first.last().filter(|_| first.len() as u64 == PAGE) {
        tokio::spawn(stream_pages(
            store.clone(),
            tenant,
            project,
            last.id,
            format.clone(),
            sender,
        ));
    }
    let pages = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|page| (page, receiver))
    });
    let disposition = format!("attachment; filename=\"project-{project}.{}\"", format.extension());
    Ok((
        [
            (CONTENT_TYPE, format.content_type().to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(pages),
    )
        .into_response())
}

type Page = Result<Bytes, std::io::Error>;

/// Reads, renders and sends the pages after `after` until a short page, a failure (sent on
/// as an error, which aborts the response) or a client that went away. Storage renders a
/// page (on two threads with SQLite) while the previous one is being sent.
async fn stream_pages(
    store: Arc<dyn Store>,
    tenant: TenantId,
    project: i64,
    after: i64,
    format: Format,
    sender: mpsc::Sender<Page>,
) {
    let render: PageRenderer = Arc::new(move |records: &[Record]| format.render(records, false));
    let read = |after: i64| {
        let (store, render) = (store.clone(), render.clone());
        tokio::spawn(async move { store.render_records_after(tenant, project, after, PAGE, render).await })
    };
    let mut reading = Some(read(after));
    while let Some(next) = reading.take() {
        let page = match next.await {
            Ok(Ok(page)) => page,
            Ok(Err(e)) => return cut_short(&sender, project, e.to_string()).await,
            Err(e) => return cut_short(&sender, project, e.to_string()).await,
        };
        let Some(last) = page.last else { return };
        if page.count as u64 == PAGE {
            reading = Some(read(last));
        }
        for part in page.parts {
            if sender.send(Ok(part)).await.is_err() {
                // The client went away; the page being read is dropped with its task's handle.
                return;
            }
        }
    }
}

async fn cut_short(sender: &mpsc::Sender<Page>, project: i64, e: String) {
    tracing::error!(error = %e, project, "export cut short");
    let _ = sender.send(Err(std::io::Error::other(e))).await;
}

fn internal(e: String) -> ApiError {
    tracing::error!(error = %e, "export rendering failed");
    ApiError::Internal(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::FormEntry;
    use crate::http::record_view::{Contacts, FormTexts};

    /// What the line was before it was written by hand: each value as serde_json writes it.
    fn reference(record: &Record) -> String {
        fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
            serde_json::to_string(value).unwrap()
        }
        format!(
            "{{\"numberid\":{},\"projectid\":{},\"user_data\":{},\"phone_field\":{},\"next_calldate\":{},\"locked\":{},\"robinson\":{},\"form\":{},\"contacts\":{}}}\n",
            json(&record.id),
            json(&record.project_id),
            json(&record.user_data),
            json(&record.phone_field),
            json(&record.next_calldate),
            json(&record.locked),
            json(&record.robinson),
            json(&FormTexts(record)),
            json(&Contacts(record)),
        )
    }

    #[test]
    fn a_hand_written_line_is_what_serde_json_writes() {
        let bare = Record::blank(1, 1);
        let mut record = Record {
            id: 42,
            project_id: 7,
            user_data: Some("lead \"quoted\" \\ 1".into()),
            phone_field: Some("phone2".into()),
            next_calldate: Some("2026-12-03 10:00:00".into()),
            locked: true,
            robinson: true,
            ..bare.clone()
        };
        record.form = vec![
            FormEntry::of_texts(1, "zeta", &["z"]),
            FormEntry::of_texts(2, "interests", &["a|b", "c"]),
            FormEntry::of_texts(3, "name", &["Anna\u{1}\nÁrvíztűrő tükörfúrógép ✓"]),
        ];
        record.contacts = vec![
            Contact {
                slot: 3,
                title: None,
                name: Some("C".into()),
                phone: Some("36301234567".into()),
                email: None,
            },
            Contact {
                slot: 1,
                title: Some("Dr".into()),
                name: Some("A\tB".into()),
                phone: None,
                email: Some("a@example.com".into()),
            },
        ];
        for record in [record, bare] {
            let mut line = String::new();
            push_ndjson_line(&mut line, &record);
            assert_eq!(line, reference(&record));
            let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_eq!(parsed["numberid"], record.id);
        }
    }
}
