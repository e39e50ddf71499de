//! An idempotency key riding along with a request's write (docs/changes.md). The HTTP
//! layer runs the handler inside [`WriteKey::scope`]; each backend's write transaction
//! records the key before it commits, so a key is recorded exactly when its write is,
//! and a second request with the key finds it taken, in its own transaction, instead of
//! writing again.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

tokio::task_local! {
    static WRITE_KEY: Arc<WriteKey>;
}

const OPEN: u8 = 0;
const RECORDED: u8 = 1;
const TAKEN: u8 = 2;

/// An `Idempotency-Key` of one tenant's request.
#[derive(Debug)]
pub struct WriteKey {
    /// Whose key: the tenant's name (keys of different tenants never meet).
    pub scope: String,
    pub key: String,
    /// What the request was (method, path, body, credentials), hashed.
    pub fingerprint: String,
    /// Unix seconds.
    pub created_at: i64,
    state: AtomicU8,
}

impl WriteKey {
    pub fn new(scope: String, key: String, fingerprint: String, created_at: i64) -> Arc<Self> {
        Arc::new(Self {
            scope,
            key,
            fingerprint,
            created_at,
            state: AtomicU8::new(OPEN),
        })
    }

    /// Runs `work` (a request's handler) with this key attached to its writes.
    pub async fn scope<F: Future>(self: Arc<Self>, work: F) -> F::Output {
        WRITE_KEY.scope(self, work).await
    }

    /// The key a write of the current request must record, if any is still to be
    /// recorded: a request's first committed write records it, later ones do not.
    pub fn pending() -> Option<Arc<WriteKey>> {
        WRITE_KEY
            .try_with(Arc::clone)
            .ok()
            .filter(|key| key.state.load(Ordering::Acquire) == OPEN)
    }

    /// The write that recorded the key has committed.
    pub fn mark_recorded(&self) {
        self.state.store(RECORDED, Ordering::Release);
    }

    /// Another request recorded the key first; this one's write was rolled back.
    pub fn mark_taken(&self) {
        self.state.store(TAKEN, Ordering::Release);
    }

    pub fn recorded(&self) -> bool {
        self.state.load(Ordering::Acquire) == RECORDED
    }

    pub fn taken(&self) -> bool {
        self.state.load(Ordering::Acquire) == TAKEN
    }
}

/// The error a write answers when its key was recorded by another request.
pub fn key_taken() -> super::StoreError {
    super::StoreError::Conflict("this Idempotency-Key is being used by another request".into())
}

/// A request that came with a key, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub fingerprint: String,
    /// Unix seconds.
    pub created_at: i64,
    /// The first answer; None while it is not stored yet (its request is finishing, or the
    /// server stopped between the commit and storing it).
    pub reply: Option<StoredReply>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}
