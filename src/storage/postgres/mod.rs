//! PostgreSQL, for scale-out: any number of stateless Dialbase nodes on one database
//! (or a Postgres-wire engine). Connections come from a deadpool pool; each `Store`
//! call is one transaction, retried from the start when the database reports a
//! serialization failure or a deadlock. Writes run READ COMMITTED and lock the rows
//! they change; reads run in a REPEATABLE READ snapshot, as one SQLite read does.
//! Records are stored as docs/storage.md describes (one row, the form in JSONB).

mod changes;
mod console;
mod contact_book;
mod dedup;
mod dialler;
mod dnc_lists;
mod fields;
mod import;
mod keys;
mod migrate;
mod record_rows;
mod records_read;
mod records_write;
mod rules;
mod search;
mod statistics;
mod tenants;
mod tls;
mod webhooks;

use super::StoreError;
use super::shared::schema_cache::SchemaCache;
use crate::domain::ValidationError;
use crate::domain::iovox::IovoxError;
use crate::domain::schema::nul_character;
use deadpool_postgres::{ManagerConfig, Pool, RecyclingMethod, Runtime, Transaction};
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio_postgres::IsolationLevel;
use tokio_postgres::error::SqlState;

pub struct PostgresStore {
    pool: Pool,
    schemas: SchemaCache,
    /// Rows this node inserted since its last ANALYZE.
    statistics: statistics::Statistics,
}

impl super::PoolUse for PostgresStore {
    fn pool_use(&self) -> (usize, usize) {
        let status = self.pool.status();
        (status.size.saturating_sub(status.available), status.max_size)
    }
}

/// A transaction, and the node's schema cache for the work done in it.
pub struct Tx<'c> {
    tx: Transaction<'c>,
    pub schemas: &'c SchemaCache,
    /// Whether the work has changed a schema: what it reads since is not committed.
    schema_changed: AtomicBool,
}

impl Tx<'_> {
    pub fn schema_changed(&self) -> bool {
        self.schema_changed.load(Ordering::Relaxed)
    }

    pub fn mark_schema_changed(&self) {
        self.schema_changed.store(true, Ordering::Relaxed);
    }
}

impl<'c> Deref for Tx<'c> {
    type Target = Transaction<'c>;

    fn deref(&self) -> &Transaction<'c> {
        &self.tx
    }
}

/// An error inside a transaction. Database errors keep their SQLSTATE so that the
/// runner can tell a retry-able conflict from a real failure.
#[derive(Debug)]
pub enum PgError {
    Db(tokio_postgres::Error),
    Store(StoreError),
}

pub type PgResult<T> = Result<T, PgError>;

impl From<tokio_postgres::Error> for PgError {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Db(e)
    }
}

impl From<StoreError> for PgError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<ValidationError> for PgError {
    fn from(e: ValidationError) -> Self {
        Self::Store(e.into())
    }
}

impl From<IovoxError> for PgError {
    fn from(e: IovoxError) -> Self {
        Self::Store(e.into())
    }
}

impl PgError {
    /// The transaction lost a race the database could not order; running it again is safe.
    fn is_transient(&self) -> bool {
        let code = match self {
            Self::Db(e) => e.code(),
            Self::Store(_) => None,
        };
        code == Some(&SqlState::T_R_SERIALIZATION_FAILURE) || code == Some(&SqlState::T_R_DEADLOCK_DETECTED)
    }
}

impl From<PgError> for StoreError {
    fn from(e: PgError) -> Self {
        let db = match e {
            PgError::Store(e) => return e,
            PgError::Db(db) => db,
        };
        match db.code() {
            Some(code) if *code == SqlState::UNIQUE_VIOLATION => StoreError::Conflict(
                db.as_db_error()
                    .map_or_else(|| db.to_string(), |d| d.message().to_string()),
            ),
            // Text that validation let through but TEXT cannot hold (a NUL in a label).
            Some(code) if *code == SqlState::CHARACTER_NOT_IN_REPERTOIRE => StoreError::Invalid(nul_character()),
            _ => StoreError::Backend(db.as_db_error().map_or_else(|| with_causes(&db), |d| d.to_string())),
        }
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        PgError::Db(e).into()
    }
}

/// An error and what caused it ("error connecting to server: Connection refused").
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let next = c.to_string();
        if !text.ends_with(&next) {
            text = format!("{text}: {next}");
        }
        cause = c.source();
    }
    text
}

/// The future a unit of work returns; it borrows the transaction and its arguments.
pub type Work<'a, T> = Pin<Box<dyn Future<Output = PgResult<T>> + Send + 'a>>;

#[derive(Clone, Copy)]
enum Mode {
    Write,
    Read,
}

/// Connections per node.
const POOL_SIZE: usize = 32;

/// `DIALBASE_PG_POOL`: connections per node, else [`POOL_SIZE`].
fn pool_size() -> Result<usize, StoreError> {
    crate::settings::number("DIALBASE_PG_POOL", POOL_SIZE, 1..=1_000).map_err(StoreError::Backend)
}

/// How often a transaction that hit a serialization failure or deadlock is tried.
const ATTEMPTS: u32 = 5;

impl PostgresStore {
    /// Connects to a `postgres://` URL and applies pending migrations (serialised
    /// between nodes starting at once).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let manager = tls::manager(
            url,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        )?;
        let pool = Pool::builder(manager)
            // Most of a request's time on a connection is waiting for round trips: more
            // connections than cores keep the server busy (the default is 4 per core).
            .max_size(pool_size()?)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(Duration::from_secs(10)))
            .wait_timeout(Some(Duration::from_secs(30)))
            .build()
            .map_err(|e| StoreError::Backend(format!("cannot build the connection pool: {e}")))?;
        let store = Self {
            pool,
            schemas: SchemaCache::default(),
            statistics: Default::default(),
        };
        let mut connection = store.connection().await?;
        migrate::apply(&mut connection).await?;
        Ok(store)
    }

    async fn connection(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Backend(format!("no PostgreSQL connection: {}", with_causes(&e))))
    }

    /// Runs `work` in one read-write transaction: committed if it returns Ok.
    async fn write<A, T, F>(&self, args: A, work: F) -> Result<T, StoreError>
    where
        A: Sync,
        T: Send,
        F: for<'c> Fn(&'c Tx<'c>, &'c A) -> Work<'c, T> + Sync,
    {
        self.run(Mode::Write, args, work).await
    }

    /// Runs `work` in one read-only snapshot.
    async fn read<A, T, F>(&self, args: A, work: F) -> Result<T, StoreError>
    where
        A: Sync,
        T: Send,
        F: for<'c> Fn(&'c Tx<'c>, &'c A) -> Work<'c, T> + Sync,
    {
        self.run(Mode::Read, args, work).await
    }

    async fn run<A, T, F>(&self, mode: Mode, args: A, work: F) -> Result<T, StoreError>
    where
        A: Sync,
        T: Send,
        F: for<'c> Fn(&'c Tx<'c>, &'c A) -> Work<'c, T> + Sync,
    {
        // A request's idempotency key is recorded by its first write, in its transaction.
        let key = match mode {
            Mode::Write => super::WriteKey::pending(),
            Mode::Read => None,
        };
        let mut attempt = 1;
        loop {
            let mut client = self.connection().await?;
            let builder = match mode {
                Mode::Write => client
                    .build_transaction()
                    .isolation_level(IsolationLevel::ReadCommitted),
                Mode::Read => client
                    .build_transaction()
                    .isolation_level(IsolationLevel::RepeatableRead)
                    .read_only(true),
            };
            let tx = Tx {
                tx: builder.start().await?,
                schemas: &self.schemas,
                schema_changed: AtomicBool::new(false),
            };
            let worked = match (work(&tx, &args).await, &key) {
                (Ok(out), Some(key)) => changes::record_key(&tx, key).await.map(|()| out),
                (worked, _) => worked,
            };
            let outcome = match worked {
                Ok(out) => tx.tx.commit().await.map(|()| out).map_err(PgError::from),
                Err(e) => {
                    // Best effort: a connection that cannot roll back is dropped by the pool.
                    let _ = tx.tx.rollback().await;
                    Err(e)
                }
            };
            match outcome {
                Err(e) if e.is_transient() && attempt < ATTEMPTS => {
                    tracing::debug!(attempt, error = ?e, "retrying a PostgreSQL transaction");
                    tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt))).await;
                    attempt += 1;
                }
                other => {
                    if let (Some(key), Ok(_)) = (&key, &other) {
                        key.mark_recorded();
                    }
                    return other.map_err(StoreError::from);
                }
            }
        }
    }
}
