//! What jtel and dialers need beyond the project-scoped calls, on PostgreSQL: records by id
//! or user data across the tenant's projects, deletion, the lock flag, and the claim queue.
//! Several nodes claim from one database at once: see [`claim_next`].

use super::fields::project;
use super::record_rows::DispositionRows;
use super::records_read::{ROBINSON_SQL, get_record};
use super::{PgError, PgResult};
use crate::domain::calldate;
use crate::domain::record::{Disposition, Record};
use crate::storage::shared::dialler::{check_claimant, record_key_sql, release_result_sql, release_sql};
use crate::storage::shared::{POSTGRES, SqlArg};
use crate::storage::{RecordKey, StoreError, TenantId};
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

pub async fn find_records(tx: &Transaction<'_>, tenant: TenantId, key: &RecordKey) -> PgResult<Vec<Record>> {
    let mut records = Vec::new();
    for (id, project) in matching(tx, tenant, key, false).await? {
        records.push(get_record(tx, tenant, project, id).await?);
    }
    Ok(records)
}

/// Values, contacts and dispositions go with the record (ON DELETE CASCADE).
pub async fn delete_record(tx: &Transaction<'_>, tenant: TenantId, key: &RecordKey) -> PgResult<i64> {
    let id = lock_first(tx, tenant, key).await?;
    tx.execute("DELETE FROM records WHERE id = $1", &[&id]).await?;
    Ok(id)
}

pub async fn set_locked(tx: &Transaction<'_>, tenant: TenantId, key: &RecordKey, locked: bool) -> PgResult<i64> {
    let id = lock_first(tx, tenant, key).await?;
    tx.execute(
        "UPDATE records SET locked = $2, updated_at = $3 WHERE id = $1",
        &[&id, &locked, &calldate::now()],
    )
    .await?;
    Ok(id)
}

/// The database's clock (UTC, as `calldate::now`) in the canonical form: one clock for every
/// node, so that nodes whose clocks differ still agree on when a lease ends. Fixed within a
/// statement, so an index scan can start from it.
const NOW: &str = "to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')";

/// [`NOW`] plus `$4` seconds: when a lease taken now ends.
const LEASE_END: &str =
    "to_char(statement_timestamp() AT TIME ZONE 'UTC' + $4::bigint * interval '1 second', 'YYYY-MM-DD HH24:MI:SS')";

/// The claim order, as `records_queue` holds it: dated records by due time, then unset ones
/// ("due now") by id, since PostgreSQL sorts NULLs last. Also the order of the unset ones
/// alone: the planner does not see that `IS NULL` fixes the column, and would sort them all.
const QUEUE_ORDER: &str = "next_calldate, id";

/// The three kinds of dialable record of project `$1` (tenant `$2`), each a condition on
/// `records r` that one index walks in claim order: dated due records and unset ones in the
/// queue (`records_queue`), and records whose lease has expired (`records_leases`).
fn candidates() -> [String; 3] {
    let open = "r.project_id = $1 AND r.tenant_id = $2 AND r.done_at IS NULL AND NOT r.locked";
    let queued = format!("{open} AND r.claimed_by IS NULL AND NOT {ROBINSON_SQL}");
    [
        format!("{queued} AND r.next_calldate <= {NOW}"),
        format!("{queued} AND r.next_calldate IS NULL"),
        format!(
            "{open} AND r.claimed_by IS NOT NULL AND r.claim_expires_at < {NOW}
             AND (r.next_calldate IS NULL OR r.next_calldate <= {NOW}) AND NOT {ROBINSON_SQL}"
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
         UPDATE records SET claimed_by = $3, claim_expires_at = {LEASE_END}, updated_at = {NOW}
         WHERE id = (SELECT id FROM (SELECT * FROM c0 UNION ALL SELECT * FROM c1 UNION ALL SELECT * FROM c2) c
                     ORDER BY {QUEUE_ORDER} LIMIT 1)
         RETURNING id",
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
    tx: &Transaction<'_>,
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
        if let Some(row) = tx.query_opt(&claim, &[&project_id, &tenant, &owner, &lease]).await? {
            return get_record(tx, tenant, project_id, row.get(0)).await.map(Some);
        }
        if attempt == 0 {
            // Only another tenant's or a missing project never yields a record: tell it apart
            // here rather than on every claim.
            project(tx, tenant, project_id).await?;
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

pub async fn release_claim(
    tx: &Transaction<'_>,
    tenant: TenantId,
    id: i64,
    owner: &str,
    result: Option<&Disposition>,
) -> PgResult<Record> {
    // Locked, so that a claim taking over an expired lease and this release queue.
    let row = tx
        .query_opt(
            "SELECT project_id, claimed_by FROM records WHERE id = $1 AND tenant_id = $2 FOR UPDATE",
            &[&id, &tenant],
        )
        .await?
        .ok_or(StoreError::NotFound("record"))?;
    let (project_id, claimed_by): (i64, Option<String>) = (row.get(0), row.get(1));
    check_claimant(id, claimed_by.as_deref(), owner).map_err(PgError::from)?;
    let now = calldate::now();
    match result {
        None => tx.execute(&release_sql(&POSTGRES), &[&id, &now]).await?,
        Some(disposition) => {
            let mut rows = DispositionRows::default();
            rows.push(id, disposition);
            rows.insert(tx, &now).await?;
            tx.execute(&release_result_sql(&POSTGRES), &[&id, &disposition.next_calldate, &now])
                .await?
        }
    };
    get_record(tx, tenant, project_id, id).await
}
