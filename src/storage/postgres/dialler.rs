//! What jtel and dialers need beyond the project-scoped calls, on PostgreSQL: records by id
//! or user data across the tenant's projects, deletion, the lock flag, and the claim queue.
//! Several nodes claim from one database at once: see [`claim_next`].

use super::PostgresStore;
use super::record_rows::DispositionRows;
use super::records_read::{ROW_COLUMNS, ROW_WIDTH, records_by_id, row_of, to_records};
use super::records_write::delete_rows;
use super::{PgError, PgResult, Tx};
use crate::domain::calldate;
use crate::domain::record::{Disposition, Record};
use crate::storage::DialingStore;
use crate::storage::shared::dialler::{check_claimant, record_key_sql};
use crate::storage::shared::{POSTGRES, SqlArg};
use crate::storage::{RecordKey, StoreError, TenantId};
use async_trait::async_trait;
use deadpool_postgres::Transaction;
use std::sync::LazyLock;
use std::time::{Duration, Instant};
use tokio_postgres::types::ToSql;

/// (id, project) of the tenant's records a key names, lowest id first; with `lock` only the
/// first one, locked for the rest of the transaction.
async fn matching(tx: &Transaction<'_>, tenant: TenantId, key: &RecordKey, lock: bool) -> PgResult<Vec<(i64, i64)>> {
    let (sql, value) = record_key_sql(key, &POSTGRES);
    let sql = if lock { format!("{sql} LIMIT 1 FOR UPDATE") } else { sql };
    let value: &(dyn ToSql + Sync) = match &value {
        SqlArg::Integer(id) => id,
        SqlArg::Text(text) => text,
    };
    let statement = tx.prepare_cached(&sql).await?;
    let rows = tx.query(&statement, &[&tenant, value]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The one record a key names (the lowest id for user data), locked.
async fn lock_first(tx: &Transaction<'_>, tenant: TenantId, key: &RecordKey) -> PgResult<i64> {
    let found = matching(tx, tenant, key, true).await?;
    Ok(found.first().map(|(id, _)| *id).ok_or(StoreError::NotFound("record"))?)
}

pub async fn find_records(tx: &Tx<'_>, tenant: TenantId, key: &RecordKey) -> PgResult<Vec<Record>> {
    let ids: Vec<i64> = matching(tx, tenant, key, false)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    records_by_id(tx, tenant, &ids).await
}

/// Dispositions go with the record (ON DELETE CASCADE), its side-table entries with it.
pub async fn delete_record(tx: &Tx<'_>, tenant: TenantId, key: &RecordKey) -> PgResult<i64> {
    let id = lock_first(tx, tenant, key).await?;
    delete_rows(tx, tenant, &[id]).await?;
    Ok(id)
}

pub async fn set_locked(tx: &Transaction<'_>, tenant: TenantId, key: &RecordKey, locked: bool) -> PgResult<i64> {
    let id = lock_first(tx, tenant, key).await?;
    tx.execute(
        "UPDATE records SET locked = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
        &[&tenant, &id, &locked, &calldate::now_seconds()],
    )
    .await?;
    Ok(id)
}

/// The database's clock in Unix seconds (the whole second, as `calldate::now_seconds`): one
/// clock for every node, so that nodes whose clocks differ still agree on when a lease
/// ends. Fixed within a statement, so an index scan can start from it.
const NOW: &str = "floor(extract(epoch FROM statement_timestamp()))::bigint";

/// [`NOW`] plus `$4` seconds: when a lease taken now ends.
const LEASE_END: &str = "(floor(extract(epoch FROM statement_timestamp()))::bigint + $4::bigint)";

/// The claim order, as `records_queue` holds it: dated records by due time, then unset ones
/// ("due now") by id, since PostgreSQL sorts NULLs last. Also the order of the unset ones
/// alone: the planner does not see that `IS NULL` fixes the column, and would sort them all.
const QUEUE_ORDER: &str = "next_calldate, id";

/// The three kinds of dialable record of project `$1` (tenant `$2`), each a condition on
/// `records r` that one index walks in claim order: dated due records and unset ones in the
/// queue (`records_queue`), and records whose lease has expired (`records_leases`). A
/// record with a number on the Robinson list carries the flag: no join.
fn candidates() -> [String; 3] {
    let open = "r.tenant_id = $2 AND r.project_id = $1 AND r.done_at IS NULL AND NOT r.locked AND NOT r.robinson";
    let queued = format!("{open} AND r.claimed_by IS NULL");
    [
        format!("{queued} AND r.next_calldate <= {NOW}"),
        format!("{queued} AND r.next_calldate IS NULL"),
        format!(
            "{open} AND r.claimed_by IS NOT NULL AND r.claim_expires_at < {NOW}
             AND (r.next_calldate IS NULL OR r.next_calldate <= {NOW})"
        ),
    ]
}

/// One statement picks and claims. Each kind of candidate is its own CTE (FOR UPDATE is not
/// allowed under UNION) taking the first row of its kind that no concurrent claim has locked
/// (SKIP LOCKED: claims on other nodes pass each other instead of queueing on one row). A row
/// locked meanwhile by a committed change is re-checked against the conditions before it is
/// taken, so a record claimed elsewhere is never taken again. The earliest candidate in queue
/// order is claimed; the others stay locked only until the commit.
fn claim_sql() -> String {
    let ctes: Vec<String> = candidates()
        .iter()
        .enumerate()
        .map(|(n, condition)| {
            format!(
                "c{n} AS (SELECT r.id, r.next_calldate FROM records r WHERE {condition}
                 ORDER BY {QUEUE_ORDER} LIMIT 1 FOR UPDATE SKIP LOCKED)"
            )
        })
        .collect();
    format!(
        "WITH {}
         UPDATE records r SET claimed_by = $3, claim_expires_at = {LEASE_END}, updated_at = {NOW}
         WHERE r.tenant_id = $2
           AND r.id = (SELECT id FROM (SELECT * FROM c0 UNION ALL SELECT * FROM c1 UNION ALL SELECT * FROM c2) c
                       ORDER BY {QUEUE_ORDER} LIMIT 1)
         RETURNING {ROW_COLUMNS},
           (SELECT schema_version FROM projects p WHERE p.tenant_id = r.tenant_id AND p.id = r.project_id)",
        ctes.join(", ")
    )
}

/// Whether anything is dialable, locks aside: the same conditions as [`claim_sql`], reading
/// without locking (rows a concurrent transaction holds count as they were last committed).
fn dialable_sql() -> String {
    let exists: Vec<String> = candidates()
        .iter()
        .map(|condition| format!("EXISTS (SELECT 1 FROM records r WHERE {condition})"))
        .collect();
    format!("SELECT {}", exists.join(" OR "))
}

/// How long a claim keeps retrying while every dialable record is locked by other
/// transactions; afterwards it answers "nothing dialable now".
const LOCKED_PATIENCE: Duration = Duration::from_secs(10);

static CLAIM_SQL: LazyLock<String> = LazyLock::new(claim_sql);
static DIALABLE_SQL: LazyLock<String> = LazyLock::new(dialable_sql);

/// Claims the next dialable record. SKIP LOCKED may pass over due records that concurrent
/// transactions hold (claims choosing among candidates, updates); when the claim finds
/// nothing, a plain read tells "nothing is due" from "what is due is locked": in the second
/// case the claim runs again (each statement sees what has been committed since), so that a
/// due record is never reported as absent. Nothing is locked between attempts: a claim that
/// finds no row locks none.
pub async fn claim_next(
    tx: &Tx<'_>,
    tenant: TenantId,
    project_id: i64,
    owner: &str,
    lease_seconds: u32,
) -> PgResult<Option<Record>> {
    let claim = tx.prepare_cached(&CLAIM_SQL).await?;
    let lease = i64::from(lease_seconds);
    let started = Instant::now();
    let mut attempt: u32 = 0;
    loop {
        if let Some(r) = tx.query_opt(&claim, &[&project_id, &tenant, &owner, &lease]).await? {
            let claimed = (row_of(&r)?, r.get(ROW_WIDTH));
            return Ok(to_records(tx, tenant, vec![claimed]).await?.pop());
        }
        if attempt == 0 {
            // Only another tenant's or a missing project never yields a record: tell it apart
            // here rather than on every claim.
            super::fields::project(tx, tenant, project_id).await?;
        }
        let dialable = tx.prepare_cached(&DIALABLE_SQL).await?;
        if !tx
            .query_one(&dialable, &[&project_id, &tenant])
            .await?
            .get::<_, bool>(0)
        {
            return Ok(None);
        }
        if started.elapsed() > LOCKED_PATIENCE {
            tracing::warn!(project_id, "every dialable record stayed locked by other transactions");
            return Ok(None);
        }
        // 1, 2, 4, 8, then 16 ms: the holders' transactions are short.
        tokio::time::sleep(Duration::from_millis(1 << attempt.min(4))).await;
        attempt += 1;
    }
}

/// A release of record `$2` at `$3`; with a result (`$5`) one more attempt, and the
/// result's call-back (`$4`) as the next call date, or without one the record is done.
const RELEASE_SQL: &str = "UPDATE records r SET claimed_by = NULL, claim_expires_at = NULL, updated_at = $3,
      attempts = attempts + CASE WHEN $5 THEN 1 ELSE 0 END,
      next_calldate = CASE WHEN $5 THEN $4 ELSE next_calldate END,
      done_at = CASE WHEN $5 THEN (CASE WHEN $4::bigint IS NULL THEN $3::bigint END) ELSE done_at END
    WHERE r.tenant_id = $1 AND r.id = $2";

/// Ends a claim (see `DialingStore::release_claim`): without a result the record goes back
/// to the queue as it was; with one, its disposition is stored, the attempt counted, and
/// its call-back is the next call date, or without one the record is done.
pub async fn release_claim(
    tx: &Tx<'_>,
    tenant: TenantId,
    id: i64,
    owner: &str,
    result: Option<&Disposition>,
) -> PgResult<Record> {
    // Locked, so that a claim taking over an expired lease and this release queue.
    let row = tx
        .query_opt(
            "SELECT claimed_by FROM records WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
            &[&tenant, &id],
        )
        .await?
        .ok_or(StoreError::NotFound("record"))?;
    check_claimant(id, row.get(0), owner).map_err(PgError::from)?;
    let now = calldate::now_seconds();
    let callback = result
        .and_then(|d| d.next_calldate.as_deref())
        .and_then(|t| calldate::to_seconds(t).ok());
    if let Some(disposition) = result {
        let mut rows = DispositionRows::default();
        rows.push(id, disposition);
        rows.insert(tx, tenant, &calldate::from_seconds(now)).await?;
    }
    let statement = tx
        .prepare_cached(&format!(
            "{RELEASE_SQL} RETURNING {ROW_COLUMNS},
               (SELECT schema_version FROM projects p WHERE p.tenant_id = r.tenant_id AND p.id = r.project_id)"
        ))
        .await?;
    let r = tx
        .query_one(&statement, &[&tenant, &id, &now, &callback, &result.is_some()])
        .await?;
    let released = (row_of(&r)?, r.get(ROW_WIDTH));
    let mut records = to_records(tx, tenant, vec![released]).await?;
    Ok(records.pop().ok_or(StoreError::NotFound("record"))?)
}

#[async_trait]
impl DialingStore for PostgresStore {
    async fn claim_next(
        &self,
        tenant: TenantId,
        project_id: i64,
        owner: &str,
        lease_seconds: u32,
    ) -> Result<Option<Record>, StoreError> {
        self.write(owner, |tx, owner| {
            Box::pin(claim_next(tx, tenant, project_id, owner, lease_seconds))
        })
        .await
    }

    async fn release_claim(
        &self,
        tenant: TenantId,
        record: i64,
        owner: &str,
        result: Option<Disposition>,
    ) -> Result<Record, StoreError> {
        self.write((owner, result), |tx, (owner, result)| {
            Box::pin(release_claim(tx, tenant, record, owner, result.as_ref()))
        })
        .await
    }
}
