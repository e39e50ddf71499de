//! What jtel and dialers need beyond the project-scoped calls: records by id or user data
//! across the tenant's projects, deletion, the lock flag, and the claim queue.

use super::SqliteStore;
use super::dnc_lists::{put_entries, refresh_dnc_until};
use super::fields::{bump_schema, project, schema};
use super::phone_key::PhoneKey;
use super::records_read::{to_record, to_records};
use super::records_write::{ROW_COLUMNS, insert_call_result, load_row, read_row, register_zones, sync_phones};
use super::terms::{TermTally, delete_terms};
use crate::domain::calldate;
use crate::domain::dialing_rules::DialingRules;
use crate::domain::dnc::{disposition_entry, named_lists};
use crate::domain::record::Record;
use crate::storage::shared::dialler::{ClaimLimits, check_claimant, plan_release, record_key_sql, zones_change};
use crate::storage::shared::row::RecordRow;
use crate::storage::shared::schema_cache::SchemaCache;
use crate::storage::shared::{SQLITE, SqlArg};
use crate::storage::{CallRelease, DialState, DialingStore, QueueDepth};
use crate::storage::{RecordKey, StoreError, TenantId};
use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, ToSql, params};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Ids of the tenant's records a key names, lowest first; with `first` only one.
fn matching(conn: &Connection, tenant: TenantId, key: &RecordKey, first: bool) -> Result<Vec<i64>, StoreError> {
    let (sql, value) = record_key_sql(key, &SQLITE);
    let sql = if first { format!("{sql} LIMIT 1") } else { sql };
    let value = match (key, value) {
        (RecordKey::Phone(number), _) => PhoneKey::of(number).to_value(),
        (_, SqlArg::Integer(id)) => Value::Integer(id),
        (_, SqlArg::Text(text)) => Value::Text(text),
    };
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![tenant, value], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The one record a key names: the lowest id for user data.
fn first_id(conn: &Connection, tenant: TenantId, key: &RecordKey) -> Result<i64, StoreError> {
    matching(conn, tenant, key, true)?
        .first()
        .copied()
        .ok_or(StoreError::NotFound("record"))
}

pub fn find_records(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    key: &RecordKey,
) -> Result<Vec<Record>, StoreError> {
    // By id or user data the rows come in one statement; by phone through `record_phones`.
    let (column, value) = match key {
        RecordKey::Id(id) => ("id", Value::Integer(*id)),
        RecordKey::UserData(text) => ("user_data", Value::Text(text.clone())),
        RecordKey::Phone(_) => {
            let rows = matching(conn, tenant, key, false)?
                .into_iter()
                .map(|id| load_row(conn, id))
                .collect::<Result<_, _>>()?;
            return to_records(conn, cache, rows);
        }
    };
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM records WHERE tenant_id = ?1 AND {column} = ?2 ORDER BY id"
        ))?
        .query_map(params![tenant, value], read_row)?
        .collect::<Result<_, _>>()?;
    to_records(conn, cache, rows)
}

/// Deletes a record with its side-table rows and dispositions (Rule Template rows
/// referencing it go by ON DELETE CASCADE).
pub fn delete_record(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    key: &RecordKey,
) -> Result<i64, StoreError> {
    let id = first_id(conn, tenant, key)?;
    delete_by_id(conn, cache, tenant, id)?;
    Ok(id)
}

pub fn delete_by_id(conn: &Connection, cache: &SchemaCache, tenant: TenantId, id: i64) -> Result<(), StoreError> {
    let row = load_row(conn, id)?;
    let schema = schema(conn, cache, row.project_id)?;
    let mut phones =
        conn.prepare_cached("DELETE FROM record_phones WHERE tenant_id = ?1 AND phone = ?2 AND record_id = ?3")?;
    for phone in row.phones(&schema) {
        phones.execute(params![tenant, PhoneKey::of(&phone), id])?;
    }
    let mut tally = TermTally::default();
    delete_terms(conn, tenant, id, row.terms(&schema).iter(), &mut tally)?;
    tally.flush(conn)?;
    conn.prepare_cached("DELETE FROM dispositions WHERE record_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM records WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

pub fn set_locked(conn: &Connection, tenant: TenantId, key: &RecordKey, locked: bool) -> Result<i64, StoreError> {
    let id = first_id(conn, tenant, key)?;
    conn.prepare_cached("UPDATE records SET locked = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, locked, calldate::now_seconds()])?;
    Ok(id)
}

/// The project's zone sets (see `project_zones`).
fn zone_sets(conn: &Connection, tenant: TenantId, project: i64) -> Result<Vec<String>, StoreError> {
    let sets = conn
        .prepare_cached("SELECT zones FROM project_zones WHERE tenant_id = ?1 AND project_id = ?2")?
        .query_map(params![tenant, project], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(sets)
}

/// The claim's candidates: the first queued record due now and the first undated one (each
/// the first entry of the queue index), and a row marked 1 when any lease of the project has
/// expired. Parameters: project, dialer, now, callable zones (JSON array or NULL), call-back
/// reservation seconds, attempt limit. Nothing here sorts: each sort is a temporary B-tree
/// of its own, and the two this pick had (the expired leases, the candidates) were a tenth
/// of a claim + release.
static CLAIM_CANDIDATES: LazyLock<String> = LazyLock::new(|| {
    let queued = format!(
        "project_id = ?1 AND done_at IS NULL AND claimed_by IS NULL AND locked = 0 AND robinson = 0 AND {CLAIM_ALLOWED}"
    );
    format!(
        "SELECT id, next_calldate, 0 FROM (SELECT id, next_calldate FROM records
           WHERE {queued} AND next_calldate <= ?3 ORDER BY next_calldate, id LIMIT 1)
         UNION ALL
         SELECT id, next_calldate, 0 FROM (SELECT id, next_calldate FROM records
           WHERE {queued} AND next_calldate IS NULL ORDER BY id LIMIT 1)
         UNION ALL
         SELECT id, next_calldate, 1 FROM (SELECT id, next_calldate FROM records WHERE {LEASE_EXPIRED} LIMIT 1)"
    )
});

/// The first record, in queue order, whose lease expired (asked only when one did), with
/// the parameters of [`CLAIM_CANDIDATES`].
static CLAIM_EXPIRED_LEASE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT id, next_calldate FROM records
         WHERE {LEASE_EXPIRED}
           AND locked = 0 AND robinson = 0 AND (next_calldate IS NULL OR next_calldate <= ?3) AND {CLAIM_ALLOWED}
         ORDER BY next_calldate IS NULL, next_calldate, id LIMIT 1"
    )
});

/// A record of the project whose lease expired (the predicate of `records_leases` in it).
const LEASE_EXPIRED: &str = "project_id = ?1 AND claimed_by IS NOT NULL AND done_at IS NULL AND claim_expires_at < ?3";

/// What the project's rules allow a claim to take.
const CLAIM_ALLOWED: &str = "(?4 IS NULL OR zones IN (SELECT value FROM json_each(?4)))
    AND (callback_owner IS NULL OR callback_owner = ?2 OR next_calldate + ?5 <= ?3)
    AND (?6 IS NULL OR attempts < ?6)
    AND (dnc_until IS NULL OR dnc_until <= ?3)";

/// The claim's pick: the first queued record due now, else the first undated one, else the
/// first record whose lease expired; of these the earliest in queue order (an undated one
/// after every dated one, then by id).
fn claim_pick(conn: &Connection, args: &[&dyn ToSql; 6]) -> Result<Option<i64>, StoreError> {
    let mut candidates: Vec<(i64, Option<i64>)> = Vec::with_capacity(3);
    let mut lease_expired = false;
    let mut statement = conn.prepare_cached(&CLAIM_CANDIDATES)?;
    let mut rows = statement.query(args)?;
    while let Some(row) = rows.next()? {
        if row.get::<_, bool>(2)? {
            lease_expired = true;
        } else {
            candidates.push((row.get(0)?, row.get(1)?));
        }
    }
    if lease_expired {
        let lease = conn
            .prepare_cached(&CLAIM_EXPIRED_LEASE)?
            .query_row(args, |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        candidates.extend(lease);
    }
    Ok(candidates
        .into_iter()
        .min_by_key(|&(id, next_calldate)| (next_calldate.is_none(), next_calldate, id))
        .map(|(id, _)| id))
}

/// Picks and claims inside the writer's transaction (which holds SQLite's write lock), so
/// no two claims can take the same record. The candidates: the first due dated and the
/// first unset record of the queue index (each its first entry in order), and the first
/// expired lease; the earliest of them in queue order is claimed. The rules' limits are
/// arguments, NULL where the project has none: the plan is the same either way. A record
/// on a named do-not-call list its project applies waits until the entry expires
/// (`dnc_until`). The claimed row is read back by id: `UPDATE ... RETURNING` builds a
/// temporary table for its one row, which cost a fifth of the claim.
pub fn claim_next(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    project_id: i64,
    owner: &str,
    lease_seconds: u32,
    now: i64,
) -> Result<Option<Record>, StoreError> {
    project(conn, tenant, project_id)?;
    let rules = &schema(conn, cache, project_id)?.rules;
    let zone_sets = match rules.schedule() {
        Some(_) => zone_sets(conn, tenant, project_id)?,
        None => Vec::new(),
    };
    let limits = ClaimLimits::at(rules, zone_sets, now);
    let callable = limits
        .callable_zones
        .map(|zones| serde_json::Value::from(zones).to_string());
    let args: [&dyn ToSql; 6] = [
        &project_id,
        &owner,
        &now,
        &callable,
        &limits.grace_seconds,
        &limits.max_attempts,
    ];
    let Some(id) = claim_pick(conn, &args)? else {
        return Ok(None);
    };
    conn.prepare_cached("UPDATE records SET claimed_by = ?2, claim_expires_at = ?3, updated_at = ?4 WHERE id = ?1")?
        .execute(params![id, owner, now + i64::from(lease_seconds), now])?;
    to_record(conn, cache, load_row(conn, id)?).map(Some)
}

/// Call results per dialed field of a record.
fn attempts_by_number(conn: &Connection, record: i64) -> Result<HashMap<String, i64>, StoreError> {
    let counts = conn
        .prepare_cached(
            "SELECT phone_field, count(*) FROM dispositions
             WHERE record_id = ?1 AND phone_field IS NOT NULL GROUP BY phone_field",
        )?
        .query_map([record], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(counts)
}

pub fn release_claim(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    id: i64,
    owner: &str,
    result: Option<&CallRelease>,
    now: i64,
) -> Result<Record, StoreError> {
    static ROW_OF_TENANT: LazyLock<String> =
        LazyLock::new(|| format!("SELECT {ROW_COLUMNS} FROM records r WHERE r.id = ?1 AND r.tenant_id = ?2"));
    let row = conn
        .prepare_cached(&ROW_OF_TENANT)?
        .query_row(params![id, tenant], read_row)
        .optional()?
        .ok_or(StoreError::NotFound("record"))?;
    check_claimant(id, row.claimed_by.as_deref(), owner)?;
    match result {
        None => {
            conn.prepare_cached(
                "UPDATE records SET claimed_by = NULL, claim_expires_at = NULL, updated_at = ?2 WHERE id = ?1",
            )?
            .execute(params![id, now])?;
        }
        Some(call) => {
            let schema = schema(conn, cache, row.project_id)?;
            // Only a limit per number reads the results per number.
            let counts = match schema.rules.retries.max_attempts_per_number {
                Some(_) => attempts_by_number(conn, id)?,
                None => HashMap::new(),
            };
            let plan = plan_release(&schema, &row, &counts, call, now)?;
            insert_call_result(conn, tenant, id, &call.disposition, plan.dialed_field.as_deref())?;
            if let Some(zones) = &plan.zones {
                register_zones(conn, tenant, row.project_id, zones)?;
            }
            if let Some((list, number)) = plan.dnc {
                let (list, entry) = disposition_entry(&list, number, call.disposition.disposition_id, id)?;
                put_entries(conn, cache, tenant, &list, &[entry], owner, now)?;
            }
            // With a next call date the record comes due then; without one it is done.
            conn.prepare_cached(
                "UPDATE records SET claimed_by = NULL, claim_expires_at = NULL, attempts = attempts + 1,
                   next_calldate = ?2, done_at = CASE WHEN ?2 IS NULL THEN ?3 END, updated_at = ?3,
                   last_attempt_at = ?3, phone_field = ?4, zones = ?5, callback_owner = ?6
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                plan.next_calldate,
                now,
                plan.phone_field,
                plan.zones,
                plan.callback_owner
            ])?;
        }
    }
    // Read back by id rather than `RETURNING` (see `claim_next`).
    to_record(conn, cache, load_row(conn, id)?)
}

/// Stores a project's rules: a new schema version (every node's cache drops the old
/// rules), and the records' zones, `dnc_until` and (for a new default country) E.164 phone rows
/// and Robinson flags worked out again, in one pass over the
/// project, when the rules change them.
pub fn put_rules(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    project_id: i64,
    rules: &DialingRules,
) -> Result<(), StoreError> {
    project(conn, tenant, project_id)?;
    let before = schema(conn, cache, project_id)?;
    conn.prepare_cached("UPDATE projects SET rules = ?2 WHERE id = ?1")?
        .execute(params![project_id, rules.to_json().to_string()])?;
    bump_schema(conn, project_id)?;
    let zones_changed = zones_change(&before.rules, rules);
    let lists_changed = named_lists(&before.rules.dnc_lists) != named_lists(&rules.dnc_lists);
    // The default country decides national numbers' E.164 rows in `record_phones`.
    let phones_changed = before.rules.default_country != rules.default_country;
    if !zones_changed && !lists_changed && !phones_changed {
        return Ok(());
    }
    let after = schema(conn, cache, project_id)?;
    if zones_changed {
        conn.prepare_cached("DELETE FROM project_zones WHERE tenant_id = ?1 AND project_id = ?2")?
            .execute(params![tenant, project_id])?;
    }
    let mut registered = HashSet::new();
    let mut page = conn.prepare_cached(&format!(
        "SELECT {ROW_COLUMNS} FROM records WHERE project_id = ?1 AND id > ?2 ORDER BY id LIMIT 5000"
    ))?;
    let mut update = conn.prepare_cached("UPDATE records SET zones = ?2 WHERE id = ?1")?;
    let mut flag = conn.prepare_cached("UPDATE records SET robinson = ?2 WHERE id = ?1")?;
    let mut last = 0;
    loop {
        let rows: Vec<RecordRow> = page
            .query_map(params![project_id, last], read_row)?
            .collect::<Result<_, _>>()?;
        let Some(end) = rows.last().map(|r| r.id) else {
            return Ok(());
        };
        for row in rows {
            let phones = row.phones(&after);
            let mut refresh = lists_changed;
            if phones_changed && let Some(listed) = sync_phones(conn, tenant, row.id, &row.phones(&before), &phones)? {
                if listed != row.robinson {
                    flag.execute(params![row.id, listed])?;
                }
                refresh = true;
            }
            if refresh {
                refresh_dnc_until(conn, tenant, &after.rules.dnc_lists, row.id, &phones)?;
            }
            if !zones_changed {
                continue;
            }
            let zones = row.zones_for(&after);
            if zones != row.zones {
                update.execute(params![row.id, zones])?;
            }
            if let Some(zones) = zones.filter(|z| !registered.contains(z)) {
                register_zones(conn, tenant, project_id, &zones)?;
                registered.insert(zones);
            }
        }
        last = end;
    }
}

/// A record of the tenant with its dialing state.
pub fn dial_state(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    id: i64,
) -> Result<(Record, DialState), StoreError> {
    let (callback_owner, last_attempt_at, dnc_until): (Option<String>, Option<i64>, Option<i64>) = conn
        .prepare_cached(
            "SELECT callback_owner, last_attempt_at, dnc_until FROM records WHERE id = ?1 AND tenant_id = ?2",
        )?
        .query_row(params![id, tenant], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or(StoreError::NotFound("record"))?;
    let row = load_row(conn, id)?;
    let schema = schema(conn, cache, row.project_id)?;
    let mut attempts_by_number: Vec<(String, i64)> = attempts_by_number(conn, id)?.into_iter().collect();
    attempts_by_number.sort();
    let state = DialState {
        zones: row.zones.clone(),
        callback_owner,
        last_attempt_at,
        attempts_by_number,
        dnc_until,
        rules: schema.rules.clone(),
    };
    Ok((to_record(conn, cache, row)?, state))
}

fn now_or_clock(now: Option<i64>) -> i64 {
    now.unwrap_or_else(calldate::now_seconds)
}

#[async_trait]
impl DialingStore for SqliteStore {
    async fn put_rules(&self, tenant: TenantId, project: i64, rules: DialingRules) -> Result<(), StoreError> {
        self.write(move |tx, cache| put_rules(tx, cache, tenant, project, &rules))
            .await
    }

    async fn rules(&self, tenant: TenantId, project_id: i64) -> Result<DialingRules, StoreError> {
        self.read(move |tx, cache| {
            project(tx, tenant, project_id)?;
            Ok(schema(tx, cache, project_id)?.rules.clone())
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
        let owner = owner.to_string();
        self.write(move |tx, cache| claim_next(tx, cache, tenant, project_id, &owner, lease_seconds, now_or_clock(now)))
            .await
    }

    async fn release_claim(
        &self,
        tenant: TenantId,
        record: i64,
        owner: &str,
        result: Option<CallRelease>,
        now: Option<i64>,
    ) -> Result<Record, StoreError> {
        let owner = owner.to_string();
        self.write(move |tx, cache| {
            release_claim(tx, cache, tenant, record, &owner, result.as_ref(), now_or_clock(now))
        })
        .await
    }

    async fn dial_state(&self, tenant: TenantId, record: i64) -> Result<(Record, DialState), StoreError> {
        self.read(move |tx, cache| dial_state(tx, cache, tenant, record)).await
    }

    async fn queue_depths(&self, now: Option<i64>) -> Result<Vec<QueueDepth>, StoreError> {
        self.read(move |tx, _| queue_depths(tx, now_or_clock(now))).await
    }
}

/// Counted over `records_queue` (its predicate repeated, so that SQLite reads only the index).
fn queue_depths(conn: &Connection, now: i64) -> Result<Vec<QueueDepth>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT t.name, q.project_id, q.waiting FROM (
             SELECT project_id, count(*) AS waiting FROM records
             WHERE done_at IS NULL AND claimed_by IS NULL AND locked = 0 AND robinson = 0
               AND (next_calldate IS NULL OR next_calldate <= ?1)
             GROUP BY project_id) AS q
         JOIN projects p ON p.id = q.project_id JOIN tenants t ON t.id = p.tenant_id
         ORDER BY t.name, q.project_id",
    )?;
    let rows = statement.query_map([now], |r| {
        Ok(QueueDepth {
            tenant: r.get(0)?,
            project: r.get(1)?,
            waiting: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(conn: &Connection, sql: &str) -> Vec<String> {
        let mut statement = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        // Unbound parameters are NULL: the plan is the same (the claim's comment says why).
        let mut rows = statement.raw_query();
        let mut details = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            details.push(row.get(3).unwrap());
        }
        details
    }

    /// The indexes do not name `id` (an entry ends in the rowid anyway, migration 019): the
    /// claim, a page and a `userData` look-up must still walk them in order, not sort.
    #[test]
    fn the_claim_pages_and_user_data_walk_their_indexes_in_id_order() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::storage::sqlite::migrate::apply(&mut conn).unwrap();
        let claim = plan(&conn, &CLAIM_CANDIDATES);
        let queue_walks = claim.iter().filter(|d| d.contains("USING INDEX records_queue")).count();
        let lease_probes = claim
            .iter()
            .filter(|d| d.contains("USING INDEX records_leases"))
            .count();
        let sorts = claim.iter().filter(|d| d.contains("TEMP B-TREE")).count();
        // The queue in index order, the leases probed; nothing sorted.
        assert_eq!((queue_walks, lease_probes, sorts), (2, 1, 0), "{claim:#?}");
        // Only once a lease expired: those leases sorted (few).
        let lease = plan(&conn, &CLAIM_EXPIRED_LEASE);
        assert!(lease.iter().any(|d| d.contains("records_leases")), "{lease:#?}");
        let page = plan(
            &conn,
            "SELECT * FROM records r WHERE r.project_id = 1 AND r.id > 0 ORDER BY r.id LIMIT 100",
        );
        assert!(page.iter().any(|d| d.contains("records_by_project")), "{page:#?}");
        let by_user_data = plan(
            &conn,
            "SELECT * FROM records WHERE tenant_id = 1 AND user_data = 'x' ORDER BY id",
        );
        assert!(
            by_user_data.iter().any(|d| d.contains("records_by_user_data")),
            "{by_user_data:#?}"
        );
        for steps in [page, by_user_data] {
            assert!(!steps.iter().any(|d| d.contains("TEMP B-TREE")), "{steps:#?}");
        }
    }
}
