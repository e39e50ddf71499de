//! PostgreSQL's own ceiling for the import: the rows the server wrote for the imported
//! records (`records`, `record_terms`, `record_phones`), read back and written again by
//! binary COPY into empty copies of those tables with the same indexes, from two sessions
//! at once (the import's two requests in flight). No HTTP, no JSON, no server CPU and no
//! triggers: an upper bound for any server that stores these rows, to set beside the
//! flat COPY, which stores one unindexed row per record.

use crate::backend::PgDatabase;
use bytes::Bytes;
use futures_util::{SinkExt, TryStreamExt};
use std::pin::pin;
use std::time::{Duration, Instant};
use tokio_postgres::{Client, Error};

const SCHEMA: &str = "bench_ceiling";
const TABLES: [&str; 3] = ["records", "record_terms", "record_phones"];

/// Records per second of the two sessions together, for `records` imported records.
pub async fn postgres(db: &PgDatabase, records: usize) -> Result<f64, String> {
    let (setup, a, b) = (db.connect().await?, db.connect().await?, db.connect().await?);
    measure(&setup, [&a, &b], records).await.map_err(|e| e.to_string())
}

async fn measure(setup: &Client, sessions: [&Client; 2], records: usize) -> Result<f64, Error> {
    let mut ddl = format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA};");
    for session in ["a", "b"] {
        for table in TABLES {
            ddl += &format!("CREATE TABLE {SCHEMA}.{table}_{session} (LIKE public.{table} INCLUDING ALL);");
        }
    }
    setup.batch_execute(&ddl).await?;
    let mut dumps = Vec::new();
    for table in TABLES {
        let stream = setup.copy_out(&format!("COPY public.{table} TO STDOUT BINARY")).await?;
        dumps.push(stream.try_collect::<Vec<Bytes>>().await?);
    }
    quiet(setup).await?;
    let started = Instant::now();
    let [a, b] = sessions;
    let (ra, rb) = tokio::join!(write_again(a, "a", &dumps), write_again(b, "b", &dumps));
    let seconds = started.elapsed().as_secs_f64();
    ra.and(rb)?;
    // Gone before any later phase measures the disk.
    setup.batch_execute(&format!("DROP SCHEMA {SCHEMA} CASCADE")).await?;
    Ok(2.0 * records as f64 / seconds)
}

/// Waits (at most 30 s) until no other session of the database is working: after an
/// import the server runs `ANALYZE` in the background, and autovacuum may be at work,
/// which would lower the ceiling. The server process's own quiet does not show this.
async fn quiet(client: &Client) -> Result<(), Error> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        let busy: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'",
                &[],
            )
            .await?
            .get(0);
        if busy == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// One session's copy of every table, in one transaction as an import request writes them.
async fn write_again(client: &Client, session: &str, dumps: &[Vec<Bytes>]) -> Result<(), Error> {
    client.batch_execute("BEGIN").await?;
    for (table, chunks) in TABLES.iter().zip(dumps) {
        let sql = format!("COPY {SCHEMA}.{table}_{session} FROM STDIN BINARY");
        let mut sink = pin!(client.copy_in::<_, Bytes>(&sql).await?);
        for chunk in chunks {
            sink.feed(chunk.clone()).await?;
        }
        sink.as_mut().finish().await?;
    }
    client.batch_execute("COMMIT").await
}
