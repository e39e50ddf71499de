//! CSV import and export of a project's records, straight against the store.
//! Import: the header row names the form fields (`phone1`..`phone9` are the numbers;
//! `next_calldate`, `phone_field` and `user_data` set those attributes); rows go in
//! transactions of `batch` records. Export writes the same layout back
//! (`domain::export`, shared with the HTTP export).

use crate::domain::calldate;
use crate::domain::export::{ATTRIBUTES, CsvLayout};
use crate::domain::record::{Record, RecordWrite, validate_phone_field};
use crate::domain::resolve::FormValue;
use crate::storage::{PageRenderer, Store, TenantId};
use bytes::Bytes;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{Read, Write};
use std::sync::Arc;

type CliError = Box<dyn std::error::Error>;

/// One CSV row as a record write (the console's upload shares it).
pub fn row_to_write(headers: &csv::StringRecord, row: &csv::StringRecord) -> Result<RecordWrite, String> {
    let mut write = RecordWrite::default();
    for (name, value) in headers.iter().zip(row.iter()) {
        let value = value.trim();
        match name {
            "next_calldate" if !value.is_empty() => {
                write.next_calldate = Some(calldate::parse(value).map_err(|e| e.detail)?)
            }
            "phone_field" if !value.is_empty() => {
                write.phone_field = Some(validate_phone_field(value).map_err(|e| e.detail)?)
            }
            "user_data" if !value.is_empty() => write.user_data = Some(value.to_string()),
            _ if ATTRIBUTES.contains(&name) || value.is_empty() => {}
            _ => write.form.push((name.to_string(), FormValue::Text(value.to_string()))),
        }
    }
    Ok(write)
}

/// Imports CSV rows; a rejected row is reported (line and reason) and the rest stored.
/// Returns (stored, rejected).
pub async fn import(
    store: &dyn Store,
    tenant: TenantId,
    project: i64,
    input: impl Read,
    batch: usize,
    progress: bool,
) -> Result<(u64, u64), CliError> {
    let mut reader = csv::Reader::from_reader(input);
    let headers = reader.headers()?.clone();
    let bar = if progress {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(ProgressStyle::with_template(
        "{spinner} {pos} records imported ({per_sec})",
    )?);
    let (mut stored, mut rejected) = (0u64, 0u64);
    let mut pending: Vec<(u64, RecordWrite)> = Vec::with_capacity(batch);
    let mut rows = reader.records();
    loop {
        let next = rows.next();
        if let Some(row) = &next {
            let line = row.as_ref().ok().and_then(|r| r.position()).map_or(0, |p| p.line());
            match row
                .as_ref()
                .map_err(|e| e.to_string())
                .and_then(|r| row_to_write(&headers, r))
            {
                Ok(write) => pending.push((line, write)),
                Err(e) => {
                    eprintln!("line {line}: {e}");
                    rejected += 1;
                }
            }
        }
        if pending.len() >= batch || (next.is_none() && !pending.is_empty()) {
            let (lines, writes): (Vec<u64>, Vec<RecordWrite>) = std::mem::take(&mut pending).into_iter().unzip();
            for (line, outcome) in lines
                .iter()
                .zip(store.insert_records(tenant, project, writes, false).await?)
            {
                match outcome {
                    Ok(_) => stored += 1,
                    Err(e) => {
                        match e.existing {
                            Some(existing) => eprintln!("line {line}: duplicate of record {existing}"),
                            None => eprintln!("line {line}: {}", e.detail),
                        }
                        rejected += 1;
                    }
                }
            }
            bar.set_position(stored);
        }
        if next.is_none() {
            break;
        }
    }
    bar.finish_and_clear();
    Ok((stored, rejected))
}

/// Records per storage read of an export.
const EXPORT_PAGE: u64 = 2000;

/// Writes every record of the project as CSV: attributes first, then one column per field.
pub async fn export(
    store: &dyn Store,
    tenant: TenantId,
    project: i64,
    mut output: impl Write,
) -> Result<u64, CliError> {
    let (_, schema) = store.project_schema(tenant, project).await?;
    let layout = Arc::new(CsvLayout::new(&schema));
    output.write_all(&layout.lines(&[], true)?)?;
    let render: PageRenderer =
        Arc::new(move |records: &[Record]| layout.lines(records, false).map(Bytes::from).map_err(|e| e.to_string()));
    let read = |after: i64| store.render_records_after(tenant, project, after, EXPORT_PAGE, render.clone());
    let mut written = 0u64;
    let mut page = read(0).await?;
    // Each page is written while storage renders the next one.
    while let Some(last) = page.last {
        let write_page = async { page.parts.iter().try_for_each(|part| output.write_all(part)) };
        let (next, wrote) = tokio::join!(read(last), write_page);
        wrote?;
        written += page.count as u64;
        page = next?;
    }
    output.flush()?;
    Ok(written)
}
