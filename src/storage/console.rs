//! What the web console keeps beyond the dialects' data: sign-in sessions (in the database,
//! so that any node knows them), uploads of CSV imports with their progress, and a
//! per-project summary of the dialing state. Times are Unix seconds.

use super::{StoreError, TenantId};
use async_trait::async_trait;

/// A signed-in console user; the session's token itself is only known by its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    pub tenant: TenantId,
    /// The tenant's name as read back (ignored when a session is created).
    pub tenant_name: String,
    pub user: String,
    /// The key signed in with (`api_keys.id`).
    pub key_id: i64,
    pub csrf_token: String,
}

/// A project's records by dialing state (docs/console.md says what each count means).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectOverview {
    pub id: i64,
    pub name: String,
    pub records: i64,
    pub due_now: i64,
    pub claimed: i64,
    pub done: i64,
    pub locked: i64,
    pub on_dnc: i64,
}

/// A CSV upload and how far it got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportStatus {
    pub id: i64,
    pub project: i64,
    pub total_bytes: i64,
    pub read_bytes: i64,
    pub stored: i64,
    pub rejected: i64,
    /// None while the upload goes in, then `done` or `failed`.
    pub outcome: Option<String>,
    /// Rejected lines ("line N: reason", one a line), or why the import failed.
    pub report: String,
}

#[async_trait]
pub trait ConsoleStore: Send + Sync {
    /// Stores a session (and forgets the expired ones).
    async fn create_session(
        &self,
        token_hash: &str,
        session: ConsoleSession,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError>;
    /// The session of a token digest, unless it expired or its key was revoked.
    async fn session(&self, token_hash: &str, now: i64) -> Result<Option<ConsoleSession>, StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;

    /// Every project of the tenant with its records counted by dialing state at `now`.
    async fn project_overview(&self, tenant: TenantId, now: i64) -> Result<Vec<ProjectOverview>, StoreError>;
    /// Ids of the project's records holding this number (digits as stored), lowest first.
    async fn records_by_phone(
        &self,
        tenant: TenantId,
        project: i64,
        phone: &str,
        limit: u32,
    ) -> Result<Vec<i64>, StoreError>;

    async fn create_import(
        &self,
        tenant: TenantId,
        project: i64,
        user: &str,
        total_bytes: i64,
        now: i64,
    ) -> Result<i64, StoreError>;
    /// Records how far an import got; with an outcome it is finished and `report` is kept.
    async fn update_import(&self, tenant: TenantId, status: ImportStatus, now: i64) -> Result<(), StoreError>;
    async fn import_status(&self, tenant: TenantId, id: i64) -> Result<Option<ImportStatus>, StoreError>;
}
