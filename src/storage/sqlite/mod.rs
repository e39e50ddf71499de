//! The embedded default: SQLite in WAL mode. One writer connection serialises writes
//! (SQLite allows one writer at a time anyway); readers come from a small pool and
//! never wait for the writer. All calls run on tokio's blocking threads.

mod contact_book;
mod dialler;
mod fields;
mod migrate;
mod records_read;
mod records_write;
mod rules;
mod store_impl;
mod tenants;

use super::StoreError;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

pub struct SqliteStore {
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Mutex<Vec<Connection>>>,
    reader_permits: Arc<tokio::sync::Semaphore>,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Backend(e.to_string())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic inside a closure rolled its transaction back; the connection is still sound.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Readers open at most: bounds memory (each has its own page cache) under many clients.
const MAX_READERS: usize = 8;
const WRITER_CACHE_KIB: i64 = 65_536;
const READER_CACHE_KIB: i64 = 16_384;

fn connect(path: &PathBuf, cache_kib: i64) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    // Before anything else: the page size of a new database. Larger pages mean fewer
    // B-tree levels and fewer WAL frames for bulk writes; existing files keep theirs.
    conn.pragma_update(None, "page_size", 16_384)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;
         PRAGMA temp_store = MEMORY;",
    )?;
    conn.pragma_update(None, "cache_size", -cache_kib)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &str) -> Result<Self, StoreError> {
        let path = PathBuf::from(path);
        let writer = tokio::task::spawn_blocking({
            let path = path.clone();
            move || -> Result<Connection, StoreError> {
                let mut conn = connect(&path, WRITER_CACHE_KIB)?;
                migrate::apply(&mut conn)?;
                Ok(conn)
            }
        })
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))??;
        Ok(Self {
            path,
            writer: Arc::new(Mutex::new(writer)),
            readers: Arc::new(Mutex::new(Vec::new())),
            reader_permits: Arc::new(tokio::sync::Semaphore::new(MAX_READERS)),
        })
    }

    /// Runs `work` in one write transaction: committed if it returns Ok, rolled back otherwise.
    async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = lock(&writer);
            let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = work(&mut tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("storage task failed: {e}")))?
    }

    /// Runs `work` on a pooled reader inside one read transaction (a consistent snapshot).
    async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let readers = self.readers.clone();
        let path = self.path.clone();
        let permit = self.reader_permits.clone().acquire_owned().await;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let pooled = lock(&readers).pop();
            let mut conn = match pooled {
                Some(conn) => conn,
                None => connect(&path, READER_CACHE_KIB)?,
            };
            let out = {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
                work(&tx)
            };
            lock(&readers).push(conn);
            out
        })
        .await
        .map_err(|e| StoreError::Backend(format!("storage task failed: {e}")))?
    }
}
