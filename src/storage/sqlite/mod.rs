//! The embedded default: SQLite in WAL mode. One writer thread owns the write connection
//! and commits writes in groups (SQLite allows one writer at a time anyway, and one commit
//! for many small writes is what makes claims fast); readers come from a small pool on
//! tokio's blocking threads and never wait for the writer.

mod backup;
mod bulk;
mod changes;
mod checkpoint;
mod console;
mod contact_book;
mod dedup;
mod dialler;
mod dnc_lists;
mod fields;
mod functions;
mod import;
mod jsonb;
mod keys;
mod memory;
mod migrate;
mod packed;
mod phone_key;
mod records_read;
mod records_write;
mod rules;
mod tenants;
mod terms;
mod webhooks;
mod writer;

use super::StoreError;
use super::shared::schema_cache::SchemaCache;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

pub struct SqliteStore {
    path: PathBuf,
    _checkpointer: checkpoint::Checkpointer,
    writer: writer::Writer,
    readers: Arc<Mutex<Vec<Connection>>>,
    reader_permits: Arc<tokio::sync::Semaphore>,
    schemas: Arc<SchemaCache>,
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
const WRITER_CACHE_KIB: i64 = 32_768;
const READER_CACHE_KIB: i64 = 4_096;

fn connect(path: &PathBuf, cache_kib: i64) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    // First of all: another node may hold a lock while this one sets up.
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // Before anything else: the page size of a new database. Small pages keep the
    // commit of a small write (a claim) small; existing files keep theirs.
    conn.pragma_update(None, "page_size", 4_096)?;
    set_wal(&conn)?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )?;
    conn.pragma_update(None, "synchronous", sync_mode()?)?;
    conn.pragma_update(None, "cache_size", -cache_kib)?;
    conn.set_prepared_statement_cache_capacity(64);
    // Without the query planner stability guarantee, SQLite re-prepares a cached statement
    // whenever a new value is bound to a parameter the planner looked at (`col = ?1 ORDER
    // BY id`, `LIMIT ?3`): every record read and claim re-parsed its SQL. Plans stay the same.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    functions::register(&conn)?;
    Ok(conn)
}

/// `DIALBASE_SYNC`: `normal` (the default: a commit survives a crash of the process, the
/// last ones may be lost on power loss) or `full` (also power loss, at a flush per commit).
fn sync_mode() -> Result<&'static str, StoreError> {
    match std::env::var("DIALBASE_SYNC").as_deref() {
        Err(_) | Ok("normal") | Ok("NORMAL") => Ok("NORMAL"),
        Ok("full") | Ok("FULL") => Ok("FULL"),
        Ok(other) => Err(StoreError::Invalid(crate::domain::ValidationError::new(
            "wrong_sync",
            format!("DIALBASE_SYNC must be normal or full, not {other:?}"),
        ))),
    }
}

pub use backup::backup;

/// Readers in use (the single writer is not counted).
impl super::PoolUse for SqliteStore {
    fn pool_use(&self) -> (usize, usize) {
        (MAX_READERS - self.reader_permits.available_permits(), MAX_READERS)
    }
}

/// Runs `work` in one read transaction on a reader. `BEGIN` and its end are statements
/// prepared once per connection (rusqlite's `Transaction` parses both again for every
/// read: about 5% of a look-up's samples). Says whether the connection can go back to the
/// pool (its transaction ended).
fn in_snapshot<T>(
    conn: &Connection,
    schemas: &SchemaCache,
    work: impl FnOnce(&Connection, &SchemaCache) -> Result<T, StoreError>,
) -> (Result<T, StoreError>, bool) {
    let run = |sql: &str| conn.prepare_cached(sql).and_then(|mut statement| statement.execute([]));
    if let Err(e) = run("BEGIN") {
        return (Err(e.into()), conn.is_autocommit());
    }
    let out = work(conn, schemas);
    // A read changes nothing: rolling back only ends the snapshot.
    if let Err(e) = run("ROLLBACK")
        && !conn.is_autocommit()
    {
        tracing::error!(error = %e, "a read transaction did not end");
    }
    (out, conn.is_autocommit())
}

/// What a point read's consistency rests on.
enum Snapshot {
    /// A read transaction around the work.
    Transaction,
    /// The work's one statement.
    Statement,
}

/// WAL mode. Switching a new file to it takes an exclusive lock for which SQLite does not
/// wait: nodes starting together on one new file retry.
fn set_wal(conn: &Connection) -> Result<(), StoreError> {
    let mut attempt = 0;
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && attempt < 200 =>
            {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return other.map(|_| ()).map_err(StoreError::from),
        }
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &str) -> Result<Self, StoreError> {
        memory::use_mimalloc();
        let path = PathBuf::from(path);
        let conn = tokio::task::spawn_blocking({
            let path = path.clone();
            move || -> Result<Connection, StoreError> {
                let mut conn = connect(&path, WRITER_CACHE_KIB)?;
                migrate::apply(&mut conn)?;
                changes::set_feed(&conn, super::change_feed_on()?)?;
                // Temporary files (a savepoint's journal of a big write grouped with others) go
                // to disk, not to memory.
                conn.pragma_update(None, "temp_store", "FILE")?;
                // The background thread checkpoints; the writer only if the WAL runs away.
                conn.pragma_update(None, "wal_autocheckpoint", checkpoint::WRITER_FALLBACK_PAGES)?;
                Ok(conn)
            }
        })
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))??;
        Ok(Self {
            _checkpointer: checkpoint::Checkpointer::start(&path)?,
            path,
            writer: writer::Writer::start(conn),
            readers: Arc::new(Mutex::new(Vec::new())),
            reader_permits: Arc::new(tokio::sync::Semaphore::new(MAX_READERS)),
            schemas: Arc::default(),
        })
    }

    /// Runs `work` in a write transaction, committed (with other writes of its group) if it
    /// returns Ok, rolled back otherwise; the connection and the schema cache are its.
    async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &SchemaCache) -> Result<T, StoreError> + Send + 'static,
    {
        let schemas = self.schemas.clone();
        // A request's idempotency key is recorded by its first write, in its transaction.
        let key = super::WriteKey::pending();
        let recording = key.clone();
        let out = self
            .writer
            .run(move |conn| {
                let out = work(conn, &schemas)?;
                if let Some(key) = &recording {
                    changes::record_key(conn, key)?;
                }
                Ok(out)
            })
            .await;
        if let (Some(key), Ok(_)) = (key, &out) {
            key.mark_recorded();
        }
        out
    }

    /// [`Self::read`] for a read of a few rows by key (a record by id or userData): run on
    /// the calling task instead of the blocking pool, whose hand-over to another thread and
    /// back cost as much as the read itself. Falls back to `read` when no reader is idle.
    async fn read_point<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &SchemaCache) -> Result<T, StoreError> + Send + 'static,
    {
        self.read_point_in(Snapshot::Transaction, work).await
    }

    /// [`Self::read_point`] for `work` that runs one statement: a statement is a snapshot of
    /// its own, so it runs without `BEGIN` and `ROLLBACK` (the key check of every request).
    async fn read_statement<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &SchemaCache) -> Result<T, StoreError> + Send + 'static,
    {
        self.read_point_in(Snapshot::Statement, work).await
    }

    async fn read_point_in<T, F>(&self, snapshot: Snapshot, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &SchemaCache) -> Result<T, StoreError> + Send + 'static,
    {
        let permit = self.reader_permits.acquire().await;
        let Some(conn) = lock(&self.readers).pop() else {
            drop(permit);
            return self.read(work).await;
        };
        let (out, reusable) = match snapshot {
            Snapshot::Transaction => in_snapshot(&conn, &self.schemas, work),
            Snapshot::Statement => (work(&conn, &self.schemas), conn.is_autocommit()),
        };
        if reusable {
            lock(&self.readers).push(conn);
        }
        out
    }

    /// Runs `work` on a pooled reader inside one read transaction (a consistent snapshot).
    async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &SchemaCache) -> Result<T, StoreError> + Send + 'static,
    {
        let readers = self.readers.clone();
        let path = self.path.clone();
        let schemas = self.schemas.clone();
        let permit = self.reader_permits.clone().acquire_owned().await;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let pooled = lock(&readers).pop();
            let conn = match pooled {
                Some(conn) => conn,
                None => connect(&path, READER_CACHE_KIB)?,
            };
            let (out, reusable) = in_snapshot(&conn, &schemas, work);
            if reusable {
                lock(&readers).push(conn);
            }
            out
        })
        .await
        .map_err(|e| StoreError::Backend(format!("storage task failed: {e}")))?
    }
}
