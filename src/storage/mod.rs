//! Storage behind one trait, with an embedded SQLite and a PostgreSQL implementation.
//! Every method is scoped to a tenant and runs as one transaction.

mod console;
mod postgres;
mod shared;
mod sqlite;
pub mod write_key;

use crate::domain::ValidationError;
use crate::domain::audit::{AuditEntry, NewAuditEntry};
use crate::domain::changes::{Change, ChangeCursor, ChangeFilter};
use crate::domain::dialing_rules::DialingRules;
use crate::domain::dnc::{DncChange, DncEntry, DncList, DncListSummary, NewDncEntry};
use crate::domain::iovox::{
    ContactQuery, ContactView, ContactsRequest, IovoxError, Mode, RuleTemplateInput, RuleTemplateView,
};
use crate::domain::keys::{ApiKey, Login, ProjectScope, Role};
use crate::domain::record::{Contact, Disposition, Record, RecordWrite};
use crate::domain::schema::{FieldSpec, NewValue, ProjectSchema};
use crate::domain::webhook::{Delivery, DeliveryState, NewWebhook, Webhook};
use async_trait::async_trait;
use std::sync::Arc;

pub use console::{ConsoleSession, ConsoleStore, ImportStatus, ProjectOverview};
pub use postgres::PostgresStore;
pub use shared::dedup::check_dedup_fields;
pub use sqlite::SqliteStore;
pub use write_key::{StoredKey, StoredReply, WriteKey};

pub type TenantId = i64;

/// Per-item outcome of a batch: an item that fails is reported, the others are kept.
pub type ItemResult<T> = Result<T, ValidationError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid: {0}")]
    Invalid(ValidationError),
    /// An all-or-nothing batch refused for its item at this position.
    #[error("item {0}: {1}")]
    Rejected(usize, ValidationError),
    #[error("database error: {0}")]
    Backend(String),
}

impl From<ValidationError> for StoreError {
    fn from(e: ValidationError) -> Self {
        Self::Invalid(e)
    }
}

/// A rejected iovox request: the vendor's error text travels as the detail.
impl From<IovoxError> for StoreError {
    fn from(e: IovoxError) -> Self {
        Self::Invalid(ValidationError::new("iovox_rejected", e.message))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub created_at: String,
}

/// Which records an update touches: one by id, or every record whose fields match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordTarget {
    Id(i64),
    /// (field name, value) pairs that must all match; a `%` in a value matches any run of characters.
    Search(Vec<(String, String)>),
    /// Records matching any of these (VCC Live's batch disposition `search` objects).
    Dispositions(Vec<DispositionMatch>),
    /// The inner target less the records being handled (claimed by a dialer under a live lease, or
    /// locked), VCC Live's `avoid_in_call`. A record named by id that is being
    /// handled is refused (`record_in_call`); one a search finds is skipped (not counted).
    NotHandled(Box<RecordTarget>),
}

impl RecordTarget {
    /// The record it names by id, if it names one.
    pub fn named_id(&self) -> Option<i64> {
        match self {
            RecordTarget::Id(id) => Some(*id),
            RecordTarget::NotHandled(inner) => inner.named_id(),
            _ => None,
        }
    }

    /// What it selects, whether or not it skips records being handled.
    pub fn base(&self) -> &RecordTarget {
        match self {
            RecordTarget::NotHandled(inner) => inner.base(),
            other => other,
        }
    }

    pub fn skips_handled(&self) -> bool {
        matches!(self, RecordTarget::NotHandled(_))
    }
}

/// Parts a record must all match: its id, its latest disposition's id, that disposition's user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DispositionMatch {
    pub record: Option<i64>,
    pub disposition_id: Option<i64>,
    pub user_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordUpdate {
    pub target: RecordTarget,
    pub write: RecordWrite,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    pub search: Vec<(String, String)>,
    pub offset: u64,
    pub limit: u64,
    /// Only records changed at or after this time (Unix seconds): incremental reads.
    pub updated_since: Option<i64>,
}

/// A record named without its project, as jtel does: by id, or by its `user_data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKey {
    Id(i64),
    /// Where several records share the user data, the one meant is the lowest id.
    UserData(String),
    /// The records holding this number (digits) in one of their phone fields, as stored or
    /// as its E.164 form (`record_phones`); at most [`PHONE_MATCHES`] of them. For look-ups.
    Phone(String),
}

/// How many records a look-up by phone reads at the most.
pub const PHONE_MATCHES: usize = 1000;

/// Tenants and their API users and keys. A user holds any number of keys (for rotation),
/// each with a role and optionally limited to projects; revoked keys stay listed.
#[async_trait]
pub trait TenantStore: Send + Sync {
    /// Creates the tenant if absent; returns its id either way.
    async fn ensure_tenant(&self, name: &str) -> Result<TenantId, StoreError>;
    async fn list_tenants(&self) -> Result<Vec<(TenantId, String)>, StoreError>;
    /// Creates the user with this key as an admin key. An existing user keeps its keys
    /// unless `replace`: then they are all revoked and this one is its only key.
    /// Returns whether anything changed.
    async fn put_api_user(
        &self,
        tenant: TenantId,
        user: &str,
        key_hash: &str,
        replace: bool,
    ) -> Result<bool, StoreError>;
    /// Adds a key (and the user, if new), audited in the same transaction.
    async fn create_key(
        &self,
        tenant: TenantId,
        user: &str,
        key_hash: &str,
        role: Role,
        projects: ProjectScope,
        by: NewAuditEntry,
    ) -> Result<ApiKey, StoreError>;
    /// The tenant's keys, revoked ones too, by id.
    async fn list_keys(&self, tenant: TenantId) -> Result<Vec<ApiKey>, StoreError>;
    /// Revokes a key of the tenant (NotFound otherwise; revoking twice changes nothing) and
    /// raises the tenant's key generation, audited in the same transaction.
    async fn revoke_key(&self, tenant: TenantId, key: i64, by: NewAuditEntry) -> Result<ApiKey, StoreError>;
    /// The live key these credentials name, with the tenant's key generation read with it.
    async fn authenticate(&self, tenant: &str, user: &str, key_hash: &str) -> Result<Option<Login>, StoreError>;
    /// A bearer token (jtel): the tenant's live key with this digest, whichever user holds it
    /// (the lowest key id if two users chose the same key), with that user's name.
    async fn authenticate_token(&self, tenant: &str, key_hash: &str) -> Result<Option<(String, Login)>, StoreError>;
    /// The tenant's key generation: a login remembered at an older one is read again.
    async fn key_generation(&self, tenant: TenantId) -> Result<i64, StoreError>;
}

/// The audit log of admin actions and deletes.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn append_audit(&self, tenant: TenantId, entry: NewAuditEntry) -> Result<(), StoreError>;
    /// Up to `limit` lines with ids above `after`, oldest first.
    async fn audit_log(&self, tenant: TenantId, after: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;
}

/// Projects, their fields and list values.
#[async_trait]
pub trait SchemaStore: Send + Sync {
    async fn create_project(&self, tenant: TenantId, name: &str) -> Result<i64, StoreError>;
    async fn list_projects(&self, tenant: TenantId) -> Result<Vec<Project>, StoreError>;
    async fn project_schema(&self, tenant: TenantId, project: i64) -> Result<(Project, ProjectSchema), StoreError>;
    async fn add_field(&self, tenant: TenantId, project: i64, spec: FieldSpec) -> Result<i64, StoreError>;
    async fn add_values(
        &self,
        tenant: TenantId,
        project: i64,
        field: i64,
        values: Vec<NewValue>,
    ) -> Result<Vec<ItemResult<i64>>, StoreError>;
    async fn modify_values(
        &self,
        tenant: TenantId,
        project: i64,
        field: i64,
        values: Vec<(i64, NewValue)>,
    ) -> Result<Vec<ItemResult<()>>, StoreError>;
    async fn delete_value(&self, tenant: TenantId, project: i64, field: i64, value: i64) -> Result<(), StoreError>;
}

/// Turns records into the bytes of a response (an export's NDJSON or CSV lines).
pub type PageRenderer = std::sync::Arc<dyn Fn(&[Record]) -> Result<bytes::Bytes, String> + Send + Sync>;

/// A page of records as rendered bytes, in id order.
pub struct RenderedPage {
    pub parts: Vec<bytes::Bytes>,
    /// The page's last record id (none: the page is empty).
    pub last: Option<i64>,
    pub count: usize,
}

impl RenderedPage {
    /// Records rendered in one part.
    pub fn of(records: &[Record], render: &PageRenderer) -> Result<Self, StoreError> {
        Ok(Self {
            parts: vec![render(records).map_err(StoreError::Backend)?],
            last: records.last().map(|r| r.id),
            count: records.len(),
        })
    }
}

/// Records: writes, reads, look-ups by key, deletion and the lock flag.
#[async_trait]
pub trait RecordStore: Send + Sync {
    /// Stores new records; an item the project's rules refuse (a duplicate) or merge
    /// reports that. With `atomic` the first refused item fails the whole batch
    /// (`StoreError::Rejected`) and nothing is stored.
    async fn insert_records(
        &self,
        tenant: TenantId,
        project: i64,
        records: Vec<RecordWrite>,
        atomic: bool,
    ) -> Result<Vec<ItemResult<i64>>, StoreError>;
    /// Returns, per update, how many records it changed.
    async fn update_records(
        &self,
        tenant: TenantId,
        project: i64,
        updates: Vec<RecordUpdate>,
    ) -> Result<Vec<ItemResult<u64>>, StoreError>;
    async fn get_record(&self, tenant: TenantId, project: i64, record: i64) -> Result<Record, StoreError>;
    /// A page of records and the number of all that match.
    async fn list_records(
        &self,
        tenant: TenantId,
        project: i64,
        query: RecordQuery,
    ) -> Result<(Vec<Record>, u64), StoreError>;
    /// Up to `limit` records of the project with ids above `after`, in id order: the pages
    /// of an export, each found through the index instead of an offset. No export shows
    /// dispositions: a backend may leave them out (SQLite does not read them).
    async fn records_after(
        &self,
        tenant: TenantId,
        project: i64,
        after: i64,
        limit: u64,
    ) -> Result<Vec<Record>, StoreError>;
    /// [`RecordStore::records_after`], each record handed to `render` instead of returned:
    /// what `render` made of the page, in id order, with the page's last id and size. A
    /// backend may render parts of the page on several threads (SQLite does, each part on
    /// the thread that parsed it: most of an export's time is building and freeing records).
    async fn render_records_after(
        &self,
        tenant: TenantId,
        project: i64,
        after: i64,
        limit: u64,
        render: PageRenderer,
    ) -> Result<RenderedPage, StoreError> {
        RenderedPage::of(&self.records_after(tenant, project, after, limit).await?, &render)
    }
    async fn modify_contact(
        &self,
        tenant: TenantId,
        project: i64,
        record: i64,
        contact: Contact,
    ) -> Result<(), StoreError>;
    /// The tenant's records a key names, whatever their project, lowest id first: at most
    /// one for an id, every match for user data. Empty when none matches.
    async fn find_records(&self, tenant: TenantId, key: RecordKey) -> Result<Vec<Record>, StoreError>;
    /// Deletes the record a key names (for user data the lowest id) with its values, contacts
    /// and dispositions; returns its id, or NotFound.
    async fn delete_record(&self, tenant: TenantId, key: RecordKey) -> Result<i64, StoreError>;
    /// Locks or unlocks the record a key names (for user data the lowest id); returns its id,
    /// or NotFound. A claim the record holds is left as it is.
    async fn set_locked(&self, tenant: TenantId, key: RecordKey, locked: bool) -> Result<i64, StoreError>;
    /// jtel's import: stores one new record in the project or, with `overwrite`, writes it
    /// over the project's record holding its user data (the lowest id) if there is one, as
    /// an update would. Race-free: two imports of one user data with `overwrite` never both
    /// create a record, also on two server nodes. A refused write is `Invalid` (a duplicate
    /// the project's rules reject names the record it duplicates).
    async fn import_record(
        &self,
        tenant: TenantId,
        project: i64,
        write: RecordWrite,
        overwrite: bool,
    ) -> Result<Imported, StoreError>;
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Created(i64),
    /// The record holding the user data, written over.
    Overwritten(i64),
}

impl Imported {
    pub fn id(self) -> i64 {
        match self {
            Self::Created(id) | Self::Overwritten(id) => id,
        }
    }
}

/// A dialer's release with a call result.
#[derive(Debug, Clone)]
pub struct CallRelease {
    pub disposition: Disposition,
    /// Only this owner may claim the call-back (`disposition.next_calldate`) until the
    /// project's grace time after it is due.
    pub callback_owner: Option<String>,
}

/// What Dialbase keeps about a record's dialing beyond what every dialect shows.
#[derive(Debug, Clone, Default)]
pub struct DialState {
    /// The time zones of the number dialed next (space-separated), while calling hours apply.
    pub zones: Option<String>,
    pub callback_owner: Option<String>,
    /// Unix seconds of the last call result.
    pub last_attempt_at: Option<i64>,
    /// Call results per dialed field.
    pub attempts_by_number: Vec<(String, i64)>,
    /// Unix seconds until which a named do-not-call list holds one of its numbers
    /// (`dnc::NO_EXPIRY`: for good); None when none does.
    pub dnc_until: Option<i64>,
    pub rules: DialingRules,
}

/// The dialers' queue: rules, claim and release (docs/dialing.md). `now` (Unix seconds)
/// stands in for the clock in tests; None is the real one (the database's on PostgreSQL).
#[async_trait]
pub trait DialingStore: Send + Sync {
    /// Stores a project's rules (replacing all of them) and works out again what they
    /// change about its records (their time zones).
    async fn put_rules(&self, tenant: TenantId, project: i64, rules: DialingRules) -> Result<(), StoreError>;
    async fn rules(&self, tenant: TenantId, project: i64) -> Result<DialingRules, StoreError>;
    /// Atomically claims the project's next dialable record for `owner` until `lease_seconds`
    /// from now (at least that long: times have whole seconds, a lease ends once the clock has
    /// passed its expiry second). Dialable: not done, not locked, no number on the Robinson
    /// list nor (until the entry expires) on a named do-not-call list the project applies,
    /// due (`next_calldate` passed or unset), unclaimed or its lease expired, and
    /// allowed by the project's rules (inside its zones' calling hours, under the attempt
    /// limit, past the minimum gap, a call-back of another owner past its grace time).
    /// Order: dated records by `next_calldate` then id, then unset ones by id (unset means
    /// "due now", so it comes after everything overdue). None when nothing is dialable;
    /// NotFound when the project is not the tenant's. Must stay race-free with several
    /// server nodes on one database: one `UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP
    /// LOCKED) RETURNING`, and None only when nothing is dialable, however many rows
    /// concurrent claims hold locked (docs/jtel.md has the PostgreSQL statement).
    async fn claim_next(
        &self,
        tenant: TenantId,
        project: i64,
        owner: &str,
        lease_seconds: u32,
        now: Option<i64>,
    ) -> Result<Option<Record>, StoreError>;
    /// Ends `owner`'s claim on a record (NotFound if not the tenant's; Conflict unless the record
    /// is still claimed by `owner`: a lease that expired may have been taken over). Without a
    /// result the record goes back to the queue as it was. With one, the disposition is stored
    /// with the number dialed, `attempts` counted, and the project's rules decide what comes
    /// next (`domain::call_outcome::plan`): without rules a `next_calldate` is a call-back
    /// (the record stays open) and without one the record is done.
    async fn release_claim(
        &self,
        tenant: TenantId,
        record: i64,
        owner: &str,
        result: Option<CallRelease>,
        now: Option<i64>,
    ) -> Result<Record, StoreError>;
    /// A record (by id, any project of the tenant) with its dialing state.
    async fn dial_state(&self, tenant: TenantId, record: i64) -> Result<(Record, DialState), StoreError>;
    /// Per project of every tenant, the records waiting in its claim queue at `now`: not
    /// done, locked, listed nor claimed, and due. Calling hours and attempt limits are left
    /// out (the claim applies them). For the metrics: one grouped count over the queue index.
    async fn queue_depths(&self, now: Option<i64>) -> Result<Vec<QueueDepth>, StoreError>;
}

/// How many records wait in one project's claim queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueDepth {
    pub tenant: String,
    pub project: i64,
    pub waiting: i64,
}

/// The do-not-call lists: the VCC Robinson list (`default`, the `robinson` table) and named
/// lists whose entries may expire (`dnc_entries`). Records carry what applies to them
/// (`robinson`, and `dnc_until` for the named lists their project applies), so a claim
/// needs no join. Changes through the list calls are audited (`dnc_changes`); `now` (Unix
/// seconds) stands in for the clock in tests, None is the real one.
#[async_trait]
pub trait DncStore: Send + Sync {
    /// Adds entries to a list or replaces them (each number at most once), all in one
    /// transaction, each recorded in the audit as `by`'s change.
    async fn put_dnc_entries(
        &self,
        tenant: TenantId,
        list: DncList,
        entries: Vec<NewDncEntry>,
        by: &str,
        now: Option<i64>,
    ) -> Result<(), StoreError>;
    /// Takes numbers off a list, audited; per number whether it was listed.
    async fn remove_dnc_entries(
        &self,
        tenant: TenantId,
        list: DncList,
        phones: Vec<String>,
        by: &str,
        now: Option<i64>,
    ) -> Result<Vec<bool>, StoreError>;
    /// The tenant's lists (`default` always, the others while they hold entries) with their
    /// entry counts, in all and not expired at `now`.
    async fn dnc_lists(&self, tenant: TenantId, now: Option<i64>) -> Result<Vec<DncListSummary>, StoreError>;
    /// Up to `limit` entries of a list with numbers after `after`, in number order.
    async fn dnc_entries(
        &self,
        tenant: TenantId,
        list: DncList,
        after: Option<String>,
        limit: u32,
    ) -> Result<Vec<DncEntry>, StoreError>;
    /// The entries, on any list, that hold one of these numbers at `now`.
    async fn check_dnc(
        &self,
        tenant: TenantId,
        phones: Vec<String>,
        now: Option<i64>,
    ) -> Result<Vec<DncEntry>, StoreError>;
    /// Up to `limit` audit lines of a list with ids above `after`, oldest first.
    async fn dnc_changes(
        &self,
        tenant: TenantId,
        list: DncList,
        after: i64,
        limit: u32,
    ) -> Result<Vec<DncChange>, StoreError>;
}

/// The iovox contact book and its Rule Templates.
#[async_trait]
pub trait ContactBookStore: Send + Sync {
    /// iovox createContacts (`Mode::Add`) or updateContacts (`Mode::Update`) on the tenant's
    /// contact book (a project, created on first use). One transaction loads the snapshot,
    /// plans with `domain::iovox::book::plan_contacts` and writes the plan, so a rejected
    /// request changes nothing; it is `StoreError::Invalid` with the vendor's text as detail.
    async fn write_contacts(&self, tenant: TenantId, mode: Mode, request: ContactsRequest) -> Result<(), StoreError>;
    /// iovox deleteContacts, all or nothing (`domain::iovox::validate_delete`); with `rm_rules`
    /// the contacts' Rule Templates are deleted and their Links' fixes detached.
    async fn delete_contacts(
        &self,
        tenant: TenantId,
        contact_ids: Vec<String>,
        rm_rules: bool,
    ) -> Result<(), StoreError>;
    /// A page of the contact book (in creation order) and the number of all matching contacts.
    async fn list_contacts(&self, tenant: TenantId, query: ContactQuery)
    -> Result<(Vec<ContactView>, u64), StoreError>;
    /// Stores Rule Templates referencing contact details, all or nothing
    /// (`domain::iovox::plan_rule_templates`).
    async fn create_rule_templates(
        &self,
        tenant: TenantId,
        templates: Vec<RuleTemplateInput>,
    ) -> Result<(), StoreError>;
    async fn list_rule_templates(&self, tenant: TenantId) -> Result<Vec<RuleTemplateView>, StoreError>;
}

/// How busy the database connections are, for the metrics.
pub trait PoolUse: Send + Sync {
    /// (connections in use, connections at most)
    fn pool_use(&self) -> (usize, usize);
}

/// The change feed and idempotency keys (docs/changes.md). Events are appended by the
/// database itself (triggers), in the transaction of the change.
#[async_trait]
pub trait ChangeStore: Send + Sync {
    /// Up to `limit` of the tenant's events after `after` that pass `filter`, in commit
    /// order: no event can later appear before a cursor this returned.
    async fn changes(
        &self,
        tenant: TenantId,
        after: ChangeCursor,
        filter: ChangeFilter,
        limit: u32,
    ) -> Result<Vec<Change>, StoreError>;
    /// Deletes events older than `events_before` and idempotency keys older than
    /// `keys_before` (Unix seconds); returns how many events went.
    async fn prune(&self, events_before: i64, keys_before: i64) -> Result<u64, StoreError>;
    /// A key as a request recorded it (`WriteKey`), if it was.
    async fn idempotency_key(&self, scope: &str, key: &str) -> Result<Option<StoredKey>, StoreError>;
    /// The first answer of the request that recorded the key.
    async fn store_reply(&self, scope: &str, key: &str, reply: StoredReply) -> Result<(), StoreError>;
}

/// What the webhook sender did for one webhook: where it is in the feed now, how the
/// next event fares, and the log rows to add or change.
#[derive(Debug, Clone, Default)]
pub struct WebhookProgress {
    pub cursor: ChangeCursor,
    pub failures: i64,
    pub retry_at: i64,
    pub last_error: Option<String>,
    /// New log rows (their `id` is not used).
    pub logged: Vec<Delivery>,
    /// Log rows sent again.
    pub redelivered: Vec<Redelivery>,
}

/// A logged delivery sent again, and how it went.
#[derive(Debug, Clone)]
pub struct Redelivery {
    pub id: i64,
    pub state: DeliveryState,
    pub attempts: i64,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
}

/// Webhooks (docs/changes.md): subscriptions, their delivery log, and what the one sender
/// of the cluster needs (a lease, the webhooks due, saving its progress).
#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn create_webhook(&self, tenant: TenantId, new: NewWebhook, now: i64) -> Result<Webhook, StoreError>;
    async fn webhooks(&self, tenant: TenantId) -> Result<Vec<Webhook>, StoreError>;
    /// Deletes a webhook and its log; NotFound if not the tenant's.
    async fn delete_webhook(&self, tenant: TenantId, id: i64) -> Result<(), StoreError>;
    /// A page of a webhook's log after the row `after`, oldest first.
    async fn deliveries(
        &self,
        tenant: TenantId,
        webhook: i64,
        after: i64,
        limit: u32,
        state: Option<DeliveryState>,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// Puts a dead delivery back in line; NotFound, or Conflict unless it is dead.
    async fn redeliver(&self, tenant: TenantId, webhook: i64, delivery: i64) -> Result<(), StoreError>;
    /// Takes or renews the lease `name` for `holder` until `now + ttl`; false while another
    /// holder's lease runs.
    async fn take_lease(&self, name: &str, holder: &str, ttl: i64, now: i64) -> Result<bool, StoreError>;
    /// Every tenant's webhooks whose next attempt is due.
    async fn due_webhooks(&self, now: i64) -> Result<Vec<Webhook>, StoreError>;
    /// Deliveries asked to go again, oldest first.
    async fn pending_deliveries(&self, webhook: &Webhook, limit: u32) -> Result<Vec<Delivery>, StoreError>;
    async fn save_progress(&self, webhook: &Webhook, progress: WebhookProgress) -> Result<(), StoreError>;
}

/// Everything a server needs of its database: one object implementing every concern.
pub trait Store:
    TenantStore
    + SchemaStore
    + RecordStore
    + DialingStore
    + DncStore
    + ContactBookStore
    + ChangeStore
    + WebhookStore
    + AuditStore
    + ConsoleStore
    + PoolUse
{
}

impl<T> Store for T where
    T: TenantStore
        + SchemaStore
        + RecordStore
        + DialingStore
        + DncStore
        + ContactBookStore
        + ChangeStore
        + WebhookStore
        + AuditStore
        + ConsoleStore
        + PoolUse
{
}

/// Opens the store a `--database` value names: a `postgres://` (or `postgresql://`)
/// URL, or else a SQLite file path.
pub async fn open(database: &str) -> Result<Arc<dyn Store>, StoreError> {
    if is_postgres_url(database) {
        Ok(Arc::new(PostgresStore::open(database).await?))
    } else {
        Ok(Arc::new(SqliteStore::open(database).await?))
    }
}

/// `dialbase backup`: a consistent copy of a SQLite database while servers use it. A
/// PostgreSQL database is backed up with PostgreSQL's own tools.
pub fn backup(database: &str, target: &std::path::Path) -> Result<(), StoreError> {
    if is_postgres_url(database) {
        return Err(StoreError::Invalid(ValidationError::new(
            "postgres_backup",
            "back up PostgreSQL with pg_dump or pg_basebackup",
        )));
    }
    sqlite::backup(std::path::Path::new(database), target)
}

/// `DIALBASE_CHANGE_FEED`: `on` (the default) or `off`, for the whole database: a node
/// starting with `off` removes the triggers that append events (docs/changes.md).
pub fn change_feed_on() -> Result<bool, StoreError> {
    match std::env::var("DIALBASE_CHANGE_FEED").as_deref() {
        Err(_) | Ok("on") => Ok(true),
        Ok("off") => Ok(false),
        Ok(other) => Err(StoreError::Invalid(ValidationError::new(
            "wrong_change_feed",
            format!("DIALBASE_CHANGE_FEED must be on or off, not {other:?}"),
        ))),
    }
}

fn is_postgres_url(database: &str) -> bool {
    ["postgres://", "postgresql://"].iter().any(|scheme| {
        database
            .get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn postgres_urls_choose_postgres_and_anything_else_is_a_sqlite_path() {
        assert!(super::is_postgres_url("postgres://u@db:5432/dialbase"));
        assert!(super::is_postgres_url("PostgreSQL://u@db/dialbase"));
        assert!(!super::is_postgres_url("./dialbase.db"));
        assert!(!super::is_postgres_url("postgres.db"));
    }
}
