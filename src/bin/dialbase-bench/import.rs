//! Bulk import over HTTP, and the same rows through raw rusqlite as a baseline.

use crate::client::Api;
use crate::data;
use crate::server::ServerProcess;
use reqwest::Method;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Instant;
use tokio::task::JoinSet;

pub struct ImportOutcome {
    pub project: i64,
    pub records_per_second: f64,
    pub imported: u64,
    /// Server RSS (KiB) after the first tenth of the requests and at the end, and the peak.
    pub rss_early_kib: u64,
    pub rss_end_kib: u64,
    pub peak_kib: u64,
}

pub async fn setup_project(api: &Api) -> Result<i64, String> {
    let (reply, _) = api
        .ok(Method::POST, "/v2/projects", Some(br#"{"name": "bench"}"#.to_vec()))
        .await?;
    let project = reply["response"].as_i64().ok_or("no project id")?;
    for field in data::field_declarations() {
        api.ok(
            Method::POST,
            &format!("/v2/projects/{project}/fields"),
            Some(field.to_string().into_bytes()),
        )
        .await?;
    }
    Ok(project)
}

fn batch_body(start: usize, count: usize) -> Vec<u8> {
    let records: Vec<Value> = (start..start + count).map(data::vcc_record).collect();
    serde_json::to_vec(&records).expect("serialisable")
}

/// Posts `records` in arrays of `batch`, two requests in flight (the client builds
/// the next body while the server stores the previous one).
pub async fn http_import(
    api: &Api,
    server: &ServerProcess,
    records: usize,
    batch: usize,
) -> Result<ImportOutcome, String> {
    let project = setup_project(api).await?;
    let path = format!("/v2/projects/{project}/records");
    let requests = records.div_ceil(batch);
    let mut in_flight = JoinSet::new();
    let mut rss_early = 0;
    let mut done = 0usize;
    let started = Instant::now();
    for request in 0..requests {
        let start = request * batch;
        let count = batch.min(records - start);
        let (api, path) = (api.clone(), path.clone());
        in_flight.spawn(async move {
            let (reply, _) = api.ok(Method::POST, &path, Some(batch_body(start, count))).await?;
            let stored = reply["response"].as_array().map_or(0, Vec::len);
            if stored == count {
                Ok(count)
            } else {
                Err(format!("stored {stored} of {count}"))
            }
        });
        if in_flight.len() >= 2 {
            done += in_flight
                .join_next()
                .await
                .ok_or("no task")?
                .map_err(|e| e.to_string())??;
            if rss_early == 0 && done >= records / 10 {
                rss_early = server.memory_kib().0;
            }
        }
    }
    while let Some(result) = in_flight.join_next().await {
        done += result.map_err(|e| e.to_string())??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let (rss_end, peak) = server.memory_kib();
    let imported = api.total(&format!("/v2/projects/{project}/records?limit=1")).await?;
    if imported != records as u64 || done != records {
        return Err(format!("imported {imported} records, expected {records}"));
    }
    Ok(ImportOutcome {
        project,
        records_per_second: records as f64 / seconds,
        imported,
        rss_early_kib: rss_early,
        rss_end_kib: rss_end,
        peak_kib: peak,
    })
}

/// The baseline: the rows the HTTP import stores, inserted into the same schema by raw
/// rusqlite in one transaction with prepared statements. Returns (records/s, record rows).
pub async fn raw_insert(database: &Path, records: usize) -> Result<(f64, u64), String> {
    // The real store creates the schema (same migrations), then we write around it.
    dialbase::storage::SqliteStore::open(&database.to_string_lossy())
        .await
        .map_err(|e| e.to_string())?;
    let path = database.to_path_buf();
    tokio::task::spawn_blocking(move || raw_insert_blocking(&path, records))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

fn raw_insert_blocking(path: &Path, records: usize) -> rusqlite::Result<(f64, u64)> {
    let mut conn = rusqlite::Connection::open(path)?;
    // The server's own connection settings.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;",
    )?;
    conn.execute(
        "INSERT INTO tenants (name, created_at) VALUES ('raw', '2026-01-01 00:00:00')",
        [],
    )?;
    conn.execute(
        "INSERT INTO projects (tenant_id, name, created_at) VALUES (1, 'raw', '2026-01-01 00:00:00')",
        [],
    )?;
    let mut field_ids = std::collections::HashMap::new();
    let mut value_ids = std::collections::HashMap::new();
    for declaration in data::field_declarations() {
        let name = declaration["name"].as_str().unwrap_or_default();
        conn.execute(
            "INSERT INTO fields (project_id, name, kind) VALUES (1, ?1, ?2)",
            rusqlite::params![name, declaration["type"].as_str()],
        )?;
        let field = conn.last_insert_rowid();
        field_ids.insert(name.to_string(), field);
        for value in declaration["values"].as_array().into_iter().flatten() {
            let value = value["name"].as_str().unwrap_or_default();
            conn.execute(
                "INSERT INTO field_values (field_id, name) VALUES (?1, ?2)",
                rusqlite::params![field, value],
            )?;
            value_ids.insert((field, value.to_string()), conn.last_insert_rowid());
        }
    }
    for (name, _) in data::form(0)
        .into_iter()
        .chain([("phone1", String::new()), ("phone2", String::new())])
    {
        if !field_ids.contains_key(name) {
            conn.execute(
                "INSERT INTO fields (project_id, name, kind) VALUES (1, ?1, 'text')",
                [name],
            )?;
            field_ids.insert(name.to_string(), conn.last_insert_rowid());
        }
    }
    let started = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut record = tx.prepare(
            "INSERT INTO records (tenant_id, project_id, next_calldate, created_at, updated_at) VALUES (1, 1, ?1, ?2, ?2)",
        )?;
        let mut value = tx.prepare(
            "INSERT INTO record_values (record_id, field_id, ordinal, value, value_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut contact =
            tx.prepare("INSERT INTO contacts (record_id, slot, name, phone, email) VALUES (?1, 1, ?2, ?3, ?4)")?;
        let now = "2026-01-01 00:00:00";
        for i in 0..records {
            record.execute(rusqlite::params!["2020-01-01 08:00:00", now])?;
            let id = tx.last_insert_rowid();
            for (name, text) in data::form(i) {
                let field = field_ids[name];
                if name == "interests" {
                    for (ordinal, interest) in data::interests_of(i).iter().enumerate() {
                        value.execute(rusqlite::params![
                            id,
                            field,
                            ordinal as i64,
                            interest,
                            value_ids[&(field, interest.to_string())]
                        ])?;
                    }
                } else {
                    let value_id = value_ids.get(&(field, text.clone())).copied();
                    value.execute(rusqlite::params![id, field, 0, text, value_id])?;
                }
            }
            value.execute(rusqlite::params![
                id,
                field_ids["phone1"],
                0,
                data::phone(i, 1),
                None::<i64>
            ])?;
            value.execute(rusqlite::params![
                id,
                field_ids["phone2"],
                0,
                data::phone(i, 2),
                None::<i64>
            ])?;
            contact.execute(rusqlite::params![
                id,
                format!("Lead Number {i}"),
                data::phone(i, 1),
                format!("lead{i}@example.com")
            ])?;
        }
    }
    tx.commit()?;
    let seconds = started.elapsed().as_secs_f64();
    let rows: i64 = conn.query_row("SELECT count(*) FROM records", [], |r| r.get(0))?;
    Ok((records as f64 / seconds, rows as u64))
}

/// Batch modification by `search` over one segment (a tenth of the records).
pub async fn batch_modify(api: &Api, project: i64, records: usize) -> Result<(f64, u64), String> {
    let body =
        json!({"elements": [{"search": {"segment": data::segment(3)}, "form": {"notes": "called back", "age": "99"}}]});
    let (reply, elapsed) = api
        .ok(
            Method::PUT,
            &format!("/v2/projects/{project}/records"),
            Some(body.to_string().into_bytes()),
        )
        .await?;
    if reply["response"]["0"] != json!(true) {
        return Err(format!("batch modification failed: {reply}"));
    }
    let touched = api
        .total(&format!("/v2/projects/{project}/records?limit=1&notes=called%20back"))
        .await?;
    let expected = (0..records).filter(|i| i % data::SEGMENTS == 3).count() as u64;
    if touched != expected {
        return Err(format!(
            "batch modification touched {touched} records, expected {expected}"
        ));
    }
    Ok((elapsed.as_secs_f64(), touched))
}
