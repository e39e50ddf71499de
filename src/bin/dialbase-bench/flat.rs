//! The physical baseline: the rows of the import in a flat table (one row per record, one
//! text column per form field, phone, contact part and the call date; no index, no key
//! but SQLite's rowid), written the fastest plain way each database has. SQLite: one
//! prepared INSERT in one transaction, with the server's connection settings. PostgreSQL:
//! one binary COPY.

use crate::backend::{Backend, sqlite_bytes_in_use};
use crate::data;
use std::path::Path;
use std::time::Instant;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

/// The PostgreSQL schema of the flat table, apart from the server's tables.
pub const PG_SCHEMA: &str = "bench_flat";

pub struct FlatOutcome {
    pub records_per_second: f64,
    pub bytes: u64,
    pub rows: u64,
}

/// The flat insert, as the `round`th (from 1) of the run: each round writes a table of its own.
pub async fn insert(backend: &Backend, dir: &Path, records: usize, round: usize) -> Result<FlatOutcome, String> {
    match backend {
        Backend::Sqlite { .. } => {
            let file = dir.join(format!("flat-{round}.db"));
            let outcome = tokio::task::spawn_blocking({
                let file = file.clone();
                move || sqlite(&file, records).map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| e.to_string())?;
            if round > 1 {
                // Only the first round's table is kept for its bytes; this one frees the disk.
                let _ = std::fs::remove_file(&file);
            }
            outcome
        }
        Backend::Postgres(db) => postgres(&db.connect().await?, records, round)
            .await
            .map_err(|e| e.to_string()),
    }
}

fn create_table(name: &str) -> String {
    let columns: Vec<String> = data::flat_columns().iter().map(|c| format!("{c} TEXT")).collect();
    format!("CREATE TABLE {name} ({})", columns.join(", "))
}

fn sqlite(file: &Path, records: usize) -> rusqlite::Result<FlatOutcome> {
    let _ = std::fs::remove_file(file);
    let mut conn = rusqlite::Connection::open(file)?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;")?;
    conn.execute_batch(&create_table("records"))?;
    let columns = data::flat_columns();
    let insert = format!(
        "INSERT INTO records ({}) VALUES ({})",
        columns.join(", "),
        vec!["?"; columns.len()].join(", ")
    );
    let started = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut statement = tx.prepare(&insert)?;
        for i in 0..records {
            statement.execute(rusqlite::params_from_iter(data::flat_row(i)))?;
        }
    }
    tx.commit()?;
    let seconds = started.elapsed().as_secs_f64();
    let rows: i64 = conn.query_row("SELECT count(*) FROM records", [], |r| r.get(0))?;
    Ok(FlatOutcome {
        records_per_second: records as f64 / seconds,
        bytes: sqlite_bytes_in_use(&conn)?,
        rows: rows as u64,
    })
}

async fn postgres(
    client: &tokio_postgres::Client,
    records: usize,
    round: usize,
) -> Result<FlatOutcome, tokio_postgres::Error> {
    let table = format!("{PG_SCHEMA}.records_{round}");
    client
        .batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {PG_SCHEMA}; {}",
            create_table(&table)
        ))
        .await?;
    let columns = data::flat_columns();
    let types = vec![Type::TEXT; columns.len()];
    let started = Instant::now();
    let sink = client
        .copy_in(&format!("COPY {table} ({}) FROM STDIN BINARY", columns.join(", ")))
        .await?;
    let writer = BinaryCopyInWriter::new(sink, &types);
    let mut writer = std::pin::pin!(writer);
    for i in 0..records {
        let row = data::flat_row(i);
        let values: Vec<&(dyn ToSql + Sync)> = row.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        writer.as_mut().write(&values).await?;
    }
    let rows = writer.finish().await?;
    let seconds = started.elapsed().as_secs_f64();
    let bytes: i64 = client
        .query_one(&format!("SELECT pg_total_relation_size('{table}')"), &[])
        .await?
        .get(0);
    Ok(FlatOutcome {
        records_per_second: records as f64 / seconds,
        bytes: bytes as u64,
        rows,
    })
}
