//! What jtel and dialers need beyond the project-scoped calls, on PostgreSQL: records by id
//! or user data across the tenant's projects, deletion, the lock flag, and the claim queue.
//! Several nodes claim from one database at once: see [`claim_next`].

use super::PostgresStore;
use super::dnc_lists::{dnc_expiries, put_entries, set_dnc_until};
use super::fields::{cached_schema, change_schema, current_schema, own_schema};
use super::record_rows::{DispositionRows, SideChanges, register_zones};
use super::records_read::{
    DISPOSITIONS_JSON, ROW_COLUMNS, ROW_WIDTH, point_record, point_records, records_by_id, row_of, to_records,
};
use super::records_write::delete_rows;
use super::tenants::share_tenant;
use super::{PgError, PgResult, Tx};
use crate::domain::calldate;
use crate::domain::dialing_rules::DialingRules;
use crate::domain::dnc::{disposition_entry, named_lists};
use crate::domain::record::Record;
use crate::domain::schema::ProjectSchema;
use crate::storage::shared::dialler::{ClaimLimits, check_claimant, plan_release, record_key_sql, zones_change};
use crate::storage::shared::row::RecordRow;
use crate::storage::shared::{POSTGRES, SqlArg};
use crate::storage::{CallRelease, DialState, DialingStore, QueueDepth};
use crate::storage::{RecordKey, StoreError, TenantId, WriteKey};
use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;
use std::time::{Duration, Instant};
use tokio_postgres::types::ToSql;

/// (id, project) of the tenant's records a key names, lowest id first; with `lock` only the
/// first one, locked for the rest of the transaction.
async fn matching(tx: &Transaction<'_>, tenant: TenantId, key: &RecordKey, lock: bool) -> PgResult<Vec<(i64, i64)>> {
    let (sql, value) = record_key_sql(key, &POSTGRES);
    let sql = if lock { format!("{sql} LIMIT 1 FOR UPDATE") } else { sql };
    let statement = tx.prepare_cached(&sql).await?;
    let rows = tx.query(&statement, &[&tenant, key_value(&value)]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

fn key_value(value: &SqlArg) -> &(dyn ToSql + Sync) {
    match value {
        SqlArg::Integer(id) => id,
        SqlArg::Text(text) => text,
    }
}

/// [`find_records`] in one statement outside a transaction (None: a schema is not cached).
pub async fn point_find(
    store: &PostgresStore,
    tenant: TenantId,
    key: &RecordKey,
) -> Result<Option<Vec<Record>>, StoreError> {
    let (matching, value) = record_key_sql(key, &POSTGRES);
    let condition = format!("r.tenant_id = $1 AND r.id IN (SELECT id FROM ({matching}) AS matching)");
    point_records(store, &condition, &[&tenant, key_value(&value)]).await
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

/// The clock in Unix seconds (the whole second, as `calldate::now_seconds`): `$4` when a
/// test gives one, else the database's: one clock for every node, so that nodes whose
/// clocks differ still agree on when a lease ends. Fixed within a statement, so an index
/// scan can start from it.
const NOW: &str = "COALESCE($4::bigint, floor(extract(epoch FROM statement_timestamp()))::bigint)";

/// The rules' limits every claim applies: `$5` the call-back grace in seconds; `$3` is the
/// claiming owner. A record on a named do-not-call list its project applies waits until the
/// entry expires (`dnc_until`).
const ALLOWED: &str =
    "(r.callback_owner IS NULL OR r.callback_owner = $3::text OR r.next_calldate + $5::bigint <= {NOW})
    AND (r.dnc_until IS NULL OR r.dnc_until <= {NOW})";

/// Which optional limits of the rules (`ClaimLimits`) a claim's SQL applies: calling hours
/// (the zone sets inside them) and an attempt limit. One statement per combination, each
/// without the conditions it does not need: PostgreSQL plans a prepared statement once per
/// connection only when that plan's estimate is as good as a plan for the values at hand,
/// and a `$n IS NULL OR ...` condition looked so selective to it that it planned every
/// claim anew (more than half of a claim's time).
#[derive(Clone, Copy)]
struct Optional {
    zones: bool,
    attempts: bool,
}

impl Optional {
    const ALL: [Optional; 4] = [
        Optional {
            zones: false,
            attempts: false,
        },
        Optional {
            zones: false,
            attempts: true,
        },
        Optional {
            zones: true,
            attempts: false,
        },
        Optional {
            zones: true,
            attempts: true,
        },
    ];

    fn of(limits: &ClaimLimits) -> Self {
        Self {
            zones: limits.callable_zones.is_some(),
            attempts: limits.max_attempts.is_some(),
        }
    }

    fn index(self) -> usize {
        usize::from(self.zones) * 2 + usize::from(self.attempts)
    }

    /// The conditions, their parameters numbered from `$first` in [`Optional::args`]'s order.
    fn conditions(self, first: usize) -> String {
        let mut next = first;
        let mut sql = String::new();
        if self.zones {
            sql.push_str(&format!(" AND r.zones = ANY(${next}::text[])"));
            next += 1;
        }
        if self.attempts {
            sql.push_str(&format!(" AND r.attempts < ${next}::bigint"));
        }
        sql
    }

    /// The parameters of [`Optional::conditions`].
    fn args(limits: &ClaimLimits) -> impl Iterator<Item = &(dyn ToSql + Sync)> {
        let zones = limits.callable_zones.as_ref().map(|z| z as &(dyn ToSql + Sync));
        let attempts = limits.max_attempts.as_ref().map(|m| m as &(dyn ToSql + Sync));
        zones.into_iter().chain(attempts)
    }
}

/// The claim order, as `records_queue` holds it: dated records by due time, then unset ones
/// ("due now") by id, since PostgreSQL sorts NULLs last. Also the order of the unset ones
/// alone: the planner does not see that `IS NULL` fixes the column, and would sort them all.
const QUEUE_ORDER: &str = "next_calldate, id";

/// The three kinds of dialable record of project `$1` (tenant `$2`), each a condition on
/// `records r` that one index walks in claim order: dated due records and unset ones in the
/// queue (`records_queue`), and records whose lease has expired (`records_leases`). A
/// record with a number on the Robinson list carries the flag: no join.
fn candidates(optional: Optional, first_optional: usize) -> [String; 3] {
    let allowed = ALLOWED.replace("{NOW}", NOW) + &optional.conditions(first_optional);
    let open = format!(
        "r.tenant_id = $2 AND r.project_id = $1 AND r.done_at IS NULL AND NOT r.locked AND NOT r.robinson AND {allowed}"
    );
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

/// The schema version of `records r`'s project.
const SCHEMA_VERSION: &str =
    "(SELECT schema_version FROM projects p WHERE p.tenant_id = r.tenant_id AND p.id = r.project_id)";

/// One statement picks and claims. Each kind of candidate is its own CTE (FOR UPDATE is not
/// allowed under UNION) taking the first row of its kind that no concurrent claim has locked
/// (SKIP LOCKED: claims on other nodes pass each other instead of queueing on one row). A row
/// locked meanwhile by a committed change is re-checked against the conditions before it is
/// taken, so a record claimed elsewhere is never taken again. The earliest candidate in queue
/// order is claimed; the others stay locked only until the commit. `$6`: the lease in seconds;
/// `$7`: the schema version the caller's rules come from (NULL: read in this transaction),
/// so that a claim outside a transaction takes nothing under rules that have changed; the
/// optional limits follow. Returns the record as [`point_record`] reads it: its
/// dispositions come with it.
fn claim_sql(optional: Optional) -> String {
    let ctes: Vec<String> = candidates(optional, 8)
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
         UPDATE records r SET claimed_by = $3, claim_expires_at = {NOW} + $6::bigint, updated_at = {NOW}
         WHERE r.tenant_id = $2
           AND r.id = (SELECT id FROM (SELECT * FROM c0 UNION ALL SELECT * FROM c1 UNION ALL SELECT * FROM c2) c
                       ORDER BY {QUEUE_ORDER} LIMIT 1)
           AND ($7::bigint IS NULL OR $7::bigint = (SELECT schema_version FROM projects p WHERE p.tenant_id = $2 AND p.id = $1))
         RETURNING {ROW_COLUMNS}, {SCHEMA_VERSION}, {DISPOSITIONS_JSON}",
        ctes.join(", ")
    )
}

/// Whether anything is dialable, locks aside: the same conditions as [`claim_sql`], reading
/// without locking (rows a concurrent transaction holds count as they were last committed).
/// Its optional limits' parameters follow `$5`.
fn dialable_sql(optional: Optional) -> String {
    let exists: Vec<String> = candidates(optional, 6)
        .iter()
        .map(|condition| format!("EXISTS (SELECT 1 FROM records r WHERE {condition})"))
        .collect();
    format!("SELECT {}", exists.join(" OR "))
}

/// How long a claim keeps retrying while every dialable record is locked by other
/// transactions; afterwards it answers "nothing dialable now".
const LOCKED_PATIENCE: Duration = Duration::from_secs(10);

/// By [`Optional::index`].
static CLAIM_SQL: LazyLock<[String; 4]> = LazyLock::new(|| Optional::ALL.map(claim_sql));
static DIALABLE_SQL: LazyLock<[String; 4]> = LazyLock::new(|| Optional::ALL.map(dialable_sql));

/// Claims the next dialable record. SKIP LOCKED may pass over due records that concurrent
/// transactions hold (claims choosing among candidates, updates); when the claim finds
/// nothing, a plain read tells "nothing is due" from "what is due is locked": in the second
/// case the claim runs again (each statement sees what has been committed since), so that a
/// due record is never reported as absent. Nothing is locked between attempts: a claim that
/// finds no row locks none.
pub async fn claim_next(tx: &Tx<'_>, ask: &Ask<'_>) -> PgResult<Option<Record>> {
    // Also tells a project of another tenant (NotFound).
    let schema = current_schema(tx, ask.tenant, ask.project).await?;
    let limits = claim_limits(&**tx, ask, &schema).await?;
    let optional = Optional::of(&limits);
    let claim = tx.prepare_cached(&CLAIM_SQL[optional.index()]).await?;
    let started = Instant::now();
    let mut attempt: u32 = 0;
    let claim_args = ask.claim_args(&limits, &None);
    let dialable_args: Vec<_> = ask.args(&limits).into_iter().chain(Optional::args(&limits)).collect();
    loop {
        if let Some(r) = tx.query_opt(&claim, &claim_args).await? {
            let schema = cached_schema(tx, ask.tenant, ask.project, r.get(ROW_WIDTH)).await?;
            return Ok(Some(point_record(&r, &schema)?));
        }
        let dialable = tx.prepare_cached(&DIALABLE_SQL[optional.index()]).await?;
        if !tx.query_one(&dialable, &dialable_args).await?.get::<_, bool>(0) {
            return Ok(None);
        }
        if started.elapsed() > LOCKED_PATIENCE {
            tracing::warn!(
                project_id = ask.project,
                "every dialable record stayed locked by other transactions"
            );
            return Ok(None);
        }
        // 1, 2, 4, 8, then 16 ms: the holders' transactions are short.
        tokio::time::sleep(Duration::from_millis(1 << attempt.min(4))).await;
        attempt += 1;
    }
}

/// [`claim_next`] in one statement outside a transaction, under the rules of the schema this
/// node last kept for the project: a dialer's claim is one round trip. None when that cannot
/// answer (no schema kept, the rules changed since, nothing claimable now): the transaction
/// then decides, and keeps the schema for the next claim.
pub async fn point_claim(store: &PostgresStore, ask: &Ask<'_>) -> PgResult<Option<Record>> {
    let Some((version, schema)) = store.schemas.latest(ask.project) else {
        return Ok(None);
    };
    let client = store.connection().await?;
    let limits = claim_limits(&client, ask, &schema).await?;
    let claim = client.prepare_cached(&CLAIM_SQL[Optional::of(&limits).index()]).await?;
    let version = Some(version);
    match client.query_opt(&claim, &ask.claim_args(&limits, &version)).await? {
        Some(r) => Ok(Some(point_record(&r, &schema)?)),
        None => Ok(None),
    }
}

/// A dialer's claim: of `owner`, in `project`, for `lease` seconds; `now` a test's clock.
pub struct Ask<'a> {
    pub tenant: TenantId,
    pub project: i64,
    pub owner: &'a str,
    pub lease: i64,
    pub now: Option<i64>,
}

impl Ask<'_> {
    /// `$1`-`$5` of [`claim_sql`] and [`dialable_sql`].
    fn args<'a>(&'a self, limits: &'a ClaimLimits) -> [&'a (dyn ToSql + Sync); 5] {
        [
            &self.project,
            &self.tenant,
            &self.owner,
            &self.now,
            &limits.grace_seconds,
        ]
    }

    /// The parameters of [`claim_sql`]: `version` NULL to take any.
    fn claim_args<'a>(&'a self, limits: &'a ClaimLimits, version: &'a Option<i64>) -> Vec<&'a (dyn ToSql + Sync)> {
        let lease: [&(dyn ToSql + Sync); 2] = [&self.lease, version];
        self.args(limits)
            .into_iter()
            .chain(lease)
            .chain(Optional::args(limits))
            .collect()
    }
}

/// What the project's rules allow at the claim's clock; the zone sets are read only when
/// the rules have calling hours.
async fn claim_limits(client: &impl GenericClient, ask: &Ask<'_>, schema: &ProjectSchema) -> PgResult<ClaimLimits> {
    let zone_sets = match schema.rules.schedule() {
        Some(_) => zone_sets(client, ask.tenant, ask.project).await?,
        None => Vec::new(),
    };
    let now = ask.now.unwrap_or_else(calldate::now_seconds);
    Ok(ClaimLimits::at(&schema.rules, zone_sets, now))
}

/// The project's zone sets (see `project_zones`).
async fn zone_sets(client: &impl GenericClient, tenant: TenantId, project: i64) -> PgResult<Vec<String>> {
    let statement = client
        .prepare_cached("SELECT zones FROM project_zones WHERE tenant_id = $1 AND project_id = $2")
        .await?;
    Ok(client
        .query(&statement, &[&tenant, &project])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// Ends a claim (see `DialingStore::release_claim`): without a result the record goes back
/// to the queue as it was; with one, its disposition is stored with the number dialed, the
/// attempt counted, and the project's rules decide what comes next.
pub async fn release_claim(
    tx: &Tx<'_>,
    tenant: TenantId,
    id: i64,
    owner: &str,
    result: Option<&CallRelease>,
    now: Option<i64>,
) -> PgResult<Record> {
    // Locked, so that a claim taking over an expired lease and this release queue. The
    // attempts per number come along: a call result needs them.
    let statement = tx
        .prepare_cached(&format!(
            "SELECT {ROW_COLUMNS}, p.schema_version, ({ATTEMPTS_BY_NUMBER})::text FROM records r
             JOIN projects p ON p.tenant_id = r.tenant_id AND p.id = r.project_id
             WHERE r.tenant_id = $1 AND r.id = $2 FOR UPDATE OF r"
        ))
        .await?;
    let r = tx
        .query_opt(&statement, &[&tenant, &id])
        .await?
        .ok_or(StoreError::NotFound("record"))?;
    let (row, version): (RecordRow, i64) = (row_of(&r)?, r.get(ROW_WIDTH));
    check_claimant(id, row.claimed_by.as_deref(), owner).map_err(PgError::from)?;
    let schema = cached_schema(tx, tenant, row.project_id, version).await?;
    let now = now.unwrap_or_else(calldate::now_seconds);
    // Each UPDATE returns the record with its dispositions, as `point_record` reads it.
    let returning = format!("RETURNING {ROW_COLUMNS}, {SCHEMA_VERSION}, {DISPOSITIONS_JSON}");
    let released = match result {
        None => {
            let statement = tx
                .prepare_cached(&format!(
                    "UPDATE records r SET claimed_by = NULL, claim_expires_at = NULL, updated_at = $3
                     WHERE r.tenant_id = $1 AND r.id = $2 {returning}"
                ))
                .await?;
            tx.query_one(&statement, &[&tenant, &id, &now]).await?
        }
        Some(call) => {
            let counts = attempts_from(r.get(ROW_WIDTH + 1))?;
            let plan = plan_release(&schema, &row, &counts, call, now)?;
            let mut rows = DispositionRows::default();
            rows.push_dialed(id, &call.disposition, plan.dialed_field.as_deref());
            rows.insert(tx, tenant, &calldate::from_seconds(now)).await?;
            if let Some((list, number)) = plan.dnc.clone() {
                let (list, entry) = disposition_entry(&list, number, call.disposition.disposition_id, id)?;
                put_entries(tx, tenant, &list, &[entry], owner, now).await?;
            }
            // The record's zones are registered since it has them.
            if plan.zones != row.zones {
                register_zones(tx, tenant, row.project_id, [&plan.zones]).await?;
            }
            // With a next call date the record comes due then; without one it is done.
            let statement = tx
                .prepare_cached(&format!(
                    "UPDATE records r SET claimed_by = NULL, claim_expires_at = NULL, attempts = attempts + 1,
                       next_calldate = $3, done_at = CASE WHEN $3::bigint IS NULL THEN $4::bigint END,
                       updated_at = $4, last_attempt_at = $4, phone_field = $5, zones = $6, callback_owner = $7
                     WHERE r.tenant_id = $1 AND r.id = $2 {returning}"
                ))
                .await?;
            tx.query_one(
                &statement,
                &[
                    &tenant,
                    &id,
                    &plan.next_calldate,
                    &now,
                    &plan.phone_field,
                    &plan.zones,
                    &plan.callback_owner,
                ],
            )
            .await?
        }
    };
    Ok(point_record(&released, &schema)?)
}

/// Call results per dialed field of record `$2` (tenant `$1`), as a JSON object (NULL: none).
const ATTEMPTS_BY_NUMBER: &str = "SELECT json_object_agg(phone_field, calls) FROM
    (SELECT phone_field, count(*) AS calls FROM dispositions
     WHERE tenant_id = $1 AND record_id = $2 AND phone_field IS NOT NULL GROUP BY phone_field) AS by_number";

/// The attempts per number as [`ATTEMPTS_BY_NUMBER`] reads them.
fn attempts_from(json: Option<&str>) -> Result<HashMap<String, i64>, StoreError> {
    match json {
        None => Ok(HashMap::new()),
        Some(json) => serde_json::from_str(json).map_err(|e| StoreError::Backend(format!("attempts by number: {e}"))),
    }
}

/// Call results per dialed field of a record.
async fn attempts_by_number(tx: &Transaction<'_>, tenant: TenantId, record: i64) -> PgResult<HashMap<String, i64>> {
    let statement = tx
        .prepare_cached(&format!("SELECT ({ATTEMPTS_BY_NUMBER})::text"))
        .await?;
    Ok(attempts_from(
        tx.query_one(&statement, &[&tenant, &record]).await?.get(0),
    )?)
}

/// Stores a project's rules: a new schema version (every node's cache drops the old
/// rules), and the records' zones and `dnc_until` worked out again, in one pass over the
/// project, when the rules change them.
pub async fn put_rules(tx: &Tx<'_>, tenant: TenantId, project_id: i64, rules: &DialingRules) -> PgResult<()> {
    let before = current_schema(tx, tenant, project_id).await?;
    change_schema(tx, tenant, project_id).await?;
    tx.execute(
        "UPDATE projects SET rules = $3 WHERE tenant_id = $1 AND id = $2",
        &[&tenant, &project_id, &rules.to_json().to_string()],
    )
    .await?;
    let zones_changed = zones_change(&before.rules, rules);
    let lists_changed = named_lists(&before.rules.dnc_lists) != named_lists(&rules.dnc_lists);
    // The default country decides national numbers' E.164 rows in `record_phones`.
    let phones_changed = before.rules.default_country != rules.default_country;
    if !zones_changed && !lists_changed && !phones_changed {
        return Ok(());
    }
    if lists_changed || phones_changed {
        // Entry changes wait for this, and this for those in flight (see `dnc_lists`).
        share_tenant(tx, tenant).await?;
    }
    let after = own_schema(tx, tenant, project_id).await?;
    if zones_changed {
        tx.execute(
            "DELETE FROM project_zones WHERE tenant_id = $1 AND project_id = $2",
            &[&tenant, &project_id],
        )
        .await?;
    }
    let page = tx
        .prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM records r WHERE r.tenant_id = $1 AND r.project_id = $2 AND r.id > $3
             ORDER BY r.id LIMIT 5000"
        ))
        .await?;
    let mut last = 0i64;
    loop {
        let rows: Vec<RecordRow> = tx
            .query(&page, &[&tenant, &project_id, &last])
            .await?
            .iter()
            .map(row_of)
            .collect::<PgResult<_>>()?;
        let Some(end) = rows.last().map(|r| r.id) else {
            if phones_changed {
                robinson_flags_of_project(tx, tenant, project_id).await?;
            }
            return Ok(());
        };
        last = end;
        if lists_changed || phones_changed {
            let phones: Vec<BTreeSet<String>> = rows.iter().map(|r| r.phones(&after)).collect();
            if phones_changed {
                let mut sides = SideChanges::default();
                for (row, new) in rows.iter().zip(&phones) {
                    let old = row.phones(&before);
                    sides.phones(
                        row.id,
                        old.difference(new).cloned().collect(),
                        new.difference(&old).cloned().collect(),
                    );
                }
                sides.write(tx, tenant).await?;
            }
            let expiries = dnc_expiries(tx, tenant, &after.rules.dnc_lists, phones.iter().flatten()).await?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let until: Vec<Option<i64>> = phones.iter().map(|p| expiries.until(p)).collect();
            set_dnc_until(tx, tenant, &ids, &until).await?;
        }
        if !zones_changed {
            continue;
        }
        let mut changed = Vec::new();
        for mut row in rows {
            let zones = row.zones_for(&after);
            if zones != row.zones {
                row.zones = zones;
                changed.push(row);
            } else if row.zones.is_some() {
                changed.push(row); // unchanged, but its zone set is registered anew
            }
        }
        let (ids, zones): (Vec<i64>, Vec<Option<String>>) = changed.iter().map(|r| (r.id, r.zones.clone())).unzip();
        tx.execute(
            "UPDATE records r SET zones = t.zones FROM unnest($2::bigint[], $3::text[]) AS t(id, zones)
             WHERE r.tenant_id = $1 AND r.id = t.id AND r.zones IS DISTINCT FROM t.zones",
            &[&tenant, &ids, &zones],
        )
        .await?;
        register_zones(tx, tenant, project_id, changed.iter().map(|r| &r.zones)).await?;
    }
}

/// The Robinson flags of a project's records, from their numbers as `record_phones` holds them.
async fn robinson_flags_of_project(tx: &Tx<'_>, tenant: TenantId, project_id: i64) -> PgResult<()> {
    tx.execute(
        "UPDATE records r SET robinson = f.listed
         FROM (SELECT r2.id, EXISTS (SELECT 1 FROM record_phones p JOIN robinson l
                                       ON l.tenant_id = p.tenant_id AND l.phone = p.phone
                                     WHERE p.tenant_id = $1 AND p.record_id = r2.id) AS listed
               FROM records r2 WHERE r2.tenant_id = $1 AND r2.project_id = $2) AS f
         WHERE r.tenant_id = $1 AND r.id = f.id AND r.robinson <> f.listed",
        &[&tenant, &project_id],
    )
    .await?;
    Ok(())
}

/// A record of the tenant with its dialing state.
pub async fn dial_state(tx: &Tx<'_>, tenant: TenantId, id: i64) -> PgResult<(Record, DialState)> {
    let statement = tx
        .prepare_cached(&format!(
            "SELECT {ROW_COLUMNS}, p.schema_version, r.callback_owner, r.last_attempt_at, r.dnc_until FROM records r
             JOIN projects p ON p.tenant_id = r.tenant_id AND p.id = r.project_id
             WHERE r.tenant_id = $1 AND r.id = $2"
        ))
        .await?;
    let r = tx
        .query_opt(&statement, &[&tenant, &id])
        .await?
        .ok_or(StoreError::NotFound("record"))?;
    let (row, version): (RecordRow, i64) = (row_of(&r)?, r.get(ROW_WIDTH));
    let schema = cached_schema(tx, tenant, row.project_id, version).await?;
    let mut attempts_by_number: Vec<(String, i64)> = attempts_by_number(tx, tenant, id).await?.into_iter().collect();
    attempts_by_number.sort();
    let state = DialState {
        zones: row.zones.clone(),
        callback_owner: r.get(ROW_WIDTH + 1),
        last_attempt_at: r.get(ROW_WIDTH + 2),
        attempts_by_number,
        dnc_until: r.get(ROW_WIDTH + 3),
        rules: schema.rules.clone(),
    };
    let record = to_records(tx, tenant, vec![(row, version)])
        .await?
        .pop()
        .ok_or(StoreError::NotFound("record"))?;
    Ok((record, state))
}

#[async_trait]
impl DialingStore for PostgresStore {
    async fn put_rules(&self, tenant: TenantId, project: i64, rules: DialingRules) -> Result<(), StoreError> {
        self.write(rules, |tx, rules| Box::pin(put_rules(tx, tenant, project, rules)))
            .await
    }

    async fn rules(&self, tenant: TenantId, project: i64) -> Result<DialingRules, StoreError> {
        self.read((), |tx, _| {
            Box::pin(async move { Ok(current_schema(tx, tenant, project).await?.rules.clone()) })
        })
        .await
    }

    async fn claim_next(
        &self,
        tenant: TenantId,
        project_id: i64,
        owner: &str,
        lease_seconds: u32,
        now: Option<i64>,
    ) -> Result<Option<Record>, StoreError> {
        let ask = Ask {
            tenant,
            project: project_id,
            owner,
            lease: i64::from(lease_seconds),
            now,
        };
        // A request with an idempotency key records it in the claim's transaction.
        if WriteKey::pending().is_none()
            && let Some(record) = point_claim(self, &ask).await?
        {
            return Ok(Some(record));
        }
        self.write(ask, |tx, ask| Box::pin(claim_next(tx, ask))).await
    }

    async fn release_claim(
        &self,
        tenant: TenantId,
        record: i64,
        owner: &str,
        result: Option<CallRelease>,
        now: Option<i64>,
    ) -> Result<Record, StoreError> {
        self.write((owner, result), |tx, (owner, result)| {
            Box::pin(release_claim(tx, tenant, record, owner, result.as_ref(), now))
        })
        .await
    }

    async fn dial_state(&self, tenant: TenantId, record: i64) -> Result<(Record, DialState), StoreError> {
        self.read((), |tx, _| Box::pin(dial_state(tx, tenant, record))).await
    }

    async fn queue_depths(&self, now: Option<i64>) -> Result<Vec<QueueDepth>, StoreError> {
        self.read((), |tx, _| Box::pin(queue_depths(tx, now))).await
    }
}

/// Counted over `records_queue` (its predicate repeated, so that an index-only scan serves it).
async fn queue_depths(tx: &Tx<'_>, now: Option<i64>) -> PgResult<Vec<QueueDepth>> {
    let rows = tx
        .query(
            "SELECT t.name, q.project_id, q.waiting FROM (
                 SELECT tenant_id, project_id, count(*) AS waiting FROM records
                 WHERE done_at IS NULL AND claimed_by IS NULL AND NOT locked AND NOT robinson
                   AND (next_calldate IS NULL
                        OR next_calldate <= COALESCE($1, extract(epoch FROM now())::bigint))
                 GROUP BY tenant_id, project_id) AS q
             JOIN tenants t ON t.id = q.tenant_id
             ORDER BY t.name, q.project_id",
            &[&now],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| QueueDepth {
            tenant: r.get(0),
            project: r.get(1),
            waiting: r.get(2),
        })
        .collect())
}
