//! Do-not-call lists on PostgreSQL: the Robinson list (`default`) through `tenants`'
//! functions, named lists in `dnc_entries`, every change through the list calls in
//! `dnc_changes`, and `records.dnc_until` kept for the records whose project applies a
//! changed list. A change takes the tenant's row as a Robinson change does, so it and a
//! record write (which shares the row) see each other's work (docs/postgres.md).

use super::fields::Schemas;
use super::records_read::select_rows;
use super::tenants::{add_robinson, delete_robinson, lock_tenant};
use super::{PgResult, PostgresStore, Tx};
use crate::domain::calldate;
use crate::domain::dnc::{
    DncAction, DncChange, DncEntry, DncExpiries, DncList, DncListSummary, NewDncEntry, last_per_phone, named_lists,
};
use crate::storage::{DncStore, StoreError, TenantId};
use async_trait::async_trait;
use deadpool_postgres::Transaction;
use std::collections::{BTreeSet, HashMap, HashSet};
use tokio_postgres::Row;

/// The latest expiry per number on the named ones of `lists` (a project's `dnc_lists`):
/// one statement for any number of numbers.
pub async fn dnc_expiries<'a>(
    tx: &Transaction<'_>,
    tenant: TenantId,
    lists: &[String],
    phones: impl IntoIterator<Item = &'a String>,
) -> PgResult<DncExpiries> {
    let lists = named_lists(lists);
    let phones: Vec<&str> = phones.into_iter().map(String::as_str).collect();
    if lists.is_empty() || phones.is_empty() {
        return Ok(DncExpiries::default());
    }
    let statement = tx
        .prepare_cached(
            "SELECT phone, expires_at FROM dnc_entries WHERE tenant_id = $1 AND list = ANY($2) AND phone = ANY($3)",
        )
        .await?;
    let rows = tx.query(&statement, &[&tenant, &lists, &phones]).await?;
    Ok(DncExpiries::from_rows(rows.iter().map(|r| (r.get(0), r.get(1)))))
}

/// Stores `dnc_until` per record id (those that differ).
pub async fn set_dnc_until(tx: &Transaction<'_>, tenant: TenantId, ids: &[i64], until: &[Option<i64>]) -> PgResult<()> {
    let statement = tx
        .prepare_cached(
            "UPDATE records r SET dnc_until = t.until FROM unnest($2::bigint[], $3::bigint[]) AS t(id, until)
             WHERE r.tenant_id = $1 AND r.id = t.id AND r.dnc_until IS DISTINCT FROM t.until",
        )
        .await?;
    tx.execute(&statement, &[&tenant, &ids, &until]).await?;
    Ok(())
}

/// After a change of `list`'s entries for `phones`: `dnc_until` again for the records
/// holding one of them whose project applies the list. Three statements: the holders,
/// their entries, the update.
async fn refresh_holders(tx: &Tx<'_>, tenant: TenantId, list: &DncList, phones: &[String]) -> PgResult<()> {
    if phones.is_empty() {
        return Ok(());
    }
    let condition = "r.tenant_id = $1
        AND r.id IN (SELECT record_id FROM record_phones WHERE tenant_id = $1 AND phone = ANY($2))";
    let rows = select_rows(tx, condition, &[&tenant, &phones], false).await?;
    let mut schemas = Schemas::default();
    let mut applying = Vec::new();
    for row in &rows {
        let schema = schemas.get(tx, tenant, row.project_id, None).await?;
        if schema.rules.dnc_lists.iter().any(|l| l == list.as_str()) {
            applying.push((row.id, schema.rules.dnc_lists.clone(), row.phones(&schema)));
        }
    }
    let lists: BTreeSet<&String> = applying.iter().flat_map(|(_, lists, _)| lists).collect();
    let numbers: BTreeSet<&String> = applying.iter().flat_map(|(_, _, phones)| phones).collect();
    let lists: Vec<String> = named_lists(&lists.into_iter().cloned().collect::<Vec<_>>());
    let numbers: Vec<&str> = numbers.into_iter().map(String::as_str).collect();
    if lists.is_empty() {
        return Ok(());
    }
    let statement = tx
        .prepare_cached(
            "SELECT list, phone, expires_at FROM dnc_entries WHERE tenant_id = $1 AND list = ANY($2) AND phone = ANY($3)",
        )
        .await?;
    let entries: Vec<(String, String, Option<i64>)> = tx
        .query(&statement, &[&tenant, &lists, &numbers])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    // Projects applying the same lists share their expiries.
    let mut by_lists: HashMap<Vec<String>, DncExpiries> = HashMap::new();
    let (mut ids, mut until) = (Vec::with_capacity(applying.len()), Vec::with_capacity(applying.len()));
    for (id, lists, phones) in &applying {
        let expiries = by_lists.entry(lists.clone()).or_insert_with(|| {
            let applied = entries.iter().filter(|(list, _, _)| lists.contains(list));
            DncExpiries::from_rows(applied.map(|(_, phone, at)| (phone.clone(), *at)))
        });
        ids.push(*id);
        until.push(expiries.until(phones));
    }
    set_dnc_until(tx, tenant, &ids, &until).await
}

/// Audit lines for a batch of entries of one list.
async fn record_changes(
    tx: &Transaction<'_>,
    tenant: TenantId,
    list: &DncList,
    action: DncAction,
    entries: &[NewDncEntry],
    by: &str,
    now: i64,
) -> PgResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let columns = Columns::of(entries);
    let statement = tx
        .prepare_cached(
            "INSERT INTO dnc_changes (tenant_id, list, phone, action, expires_at, source, reason, changed_by, changed_at)
             SELECT $1, $2, t.phone, $3, t.expires_at, t.source, t.reason, $4, $5
             FROM unnest($6::text[], $7::bigint[], $8::text[], $9::text[]) WITH ORDINALITY
               AS t(phone, expires_at, source, reason, n) ORDER BY t.n",
        )
        .await?;
    tx.execute(
        &statement,
        &[
            &tenant,
            &list.as_str(),
            &action.as_str(),
            &by,
            &now,
            &columns.phones,
            &columns.expires_at,
            &columns.sources,
            &columns.reasons,
        ],
    )
    .await?;
    Ok(())
}

/// Entries as the column arrays `unnest` takes.
struct Columns<'a> {
    phones: Vec<&'a str>,
    expires_at: Vec<Option<i64>>,
    sources: Vec<Option<&'a str>>,
    reasons: Vec<Option<&'a str>>,
}

impl<'a> Columns<'a> {
    fn of(entries: &'a [NewDncEntry]) -> Self {
        Self {
            phones: entries.iter().map(|e| e.phone.as_str()).collect(),
            expires_at: entries.iter().map(|e| e.expires_at).collect(),
            sources: entries.iter().map(|e| e.source.as_deref()).collect(),
            reasons: entries.iter().map(|e| e.reason.as_deref()).collect(),
        }
    }
}

/// Adds or replaces entries (each number once); the Robinson list's go through
/// `add_robinson`, which flags their records.
pub async fn put_entries(
    tx: &Tx<'_>,
    tenant: TenantId,
    list: &DncList,
    entries: &[NewDncEntry],
    by: &str,
    now: i64,
) -> PgResult<()> {
    lock_tenant(tx, tenant).await?;
    let columns = Columns::of(entries);
    let phones: Vec<String> = entries.iter().map(|e| e.phone.clone()).collect();
    if list.is_robinson() {
        add_robinson(tx, tenant, &phones).await?;
        let statement = tx
            .prepare_cached(
                "UPDATE robinson b SET source = t.source, reason = t.reason, created_by = $3, created_at = $4
                 FROM unnest($2::text[], $5::text[], $6::text[]) AS t(phone, source, reason)
                 WHERE b.tenant_id = $1 AND b.phone = t.phone",
            )
            .await?;
        let at = calldate::from_seconds(now);
        tx.execute(
            &statement,
            &[&tenant, &columns.phones, &by, &at, &columns.sources, &columns.reasons],
        )
        .await?;
    } else {
        let statement = tx
            .prepare_cached(
                "INSERT INTO dnc_entries (tenant_id, list, phone, expires_at, source, reason, created_by, created_at)
                 SELECT $1, $2, t.phone, t.expires_at, t.source, t.reason, $3, $4
                 FROM unnest($5::text[], $6::bigint[], $7::text[], $8::text[]) AS t(phone, expires_at, source, reason)
                 ON CONFLICT (tenant_id, list, phone) DO UPDATE SET expires_at = excluded.expires_at,
                   source = excluded.source, reason = excluded.reason, created_by = excluded.created_by,
                   created_at = excluded.created_at",
            )
            .await?;
        tx.execute(
            &statement,
            &[
                &tenant,
                &list.as_str(),
                &by,
                &now,
                &columns.phones,
                &columns.expires_at,
                &columns.sources,
                &columns.reasons,
            ],
        )
        .await?;
        refresh_holders(tx, tenant, list, &phones).await?;
    }
    record_changes(tx, tenant, list, DncAction::Add, entries, by, now).await
}

/// Takes numbers off a list (the Robinson list's through `delete_robinson`); per number
/// whether it was listed.
pub async fn remove_entries(
    tx: &Tx<'_>,
    tenant: TenantId,
    list: &DncList,
    phones: &[String],
    by: &str,
    now: i64,
) -> PgResult<Vec<bool>> {
    lock_tenant(tx, tenant).await?;
    let removed: Vec<bool> = if list.is_robinson() {
        let mut removed = Vec::with_capacity(phones.len());
        for phone in phones {
            removed.push(delete_robinson(tx, tenant, phone).await?);
        }
        removed
    } else {
        let statement = tx
            .prepare_cached(
                "DELETE FROM dnc_entries WHERE tenant_id = $1 AND list = $2 AND phone = ANY($3) RETURNING phone",
            )
            .await?;
        let gone: HashSet<String> = tx
            .query(&statement, &[&tenant, &list.as_str(), &phones])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        phones.iter().map(|p| gone.contains(p)).collect()
    };
    let gone: Vec<NewDncEntry> = phones
        .iter()
        .zip(&removed)
        .filter(|(_, listed)| **listed)
        .map(|(phone, _)| NewDncEntry {
            phone: phone.clone(),
            expires_at: None,
            source: None,
            reason: None,
        })
        .collect();
    record_changes(tx, tenant, list, DncAction::Remove, &gone, by, now).await?;
    if !list.is_robinson() {
        let phones: Vec<String> = gone.into_iter().map(|e| e.phone).collect();
        refresh_holders(tx, tenant, list, &phones).await?;
    }
    Ok(removed)
}

pub async fn list_summaries(tx: &Transaction<'_>, tenant: TenantId, now: i64) -> PgResult<Vec<DncListSummary>> {
    let robinson: i64 = tx
        .query_one("SELECT count(*) FROM robinson WHERE tenant_id = $1", &[&tenant])
        .await?
        .get(0);
    let mut lists = vec![DncListSummary {
        name: DncList::robinson().to_string(),
        entries: robinson as u64,
        active: robinson as u64,
    }];
    let statement = tx
        .prepare_cached(
            "SELECT list, count(*), count(*) FILTER (WHERE expires_at IS NULL OR expires_at > $2) FROM dnc_entries
             WHERE tenant_id = $1 GROUP BY list ORDER BY list",
        )
        .await?;
    let named = tx.query(&statement, &[&tenant, &now]).await?;
    lists.extend(named.iter().map(|r| DncListSummary {
        name: r.get(0),
        entries: r.get::<_, i64>(1) as u64,
        active: r.get::<_, i64>(2) as u64,
    }));
    Ok(lists)
}

/// The Robinson list's columns as an entry; its times are text.
const ROBINSON_COLUMNS: &str = "'default'::text, phone, NULL::bigint, source, reason, created_by, created_at";
const ENTRY_COLUMNS: &str = "list, phone, expires_at, source, reason, created_by, created_at";

fn robinson_entry(r: &Row) -> DncEntry {
    let created_at: String = r.get(6);
    DncEntry {
        created_at: calldate::to_seconds(&created_at).ok(),
        ..entry_head(r)
    }
}

fn named_entry(r: &Row) -> DncEntry {
    DncEntry {
        created_at: r.get(6),
        ..entry_head(r)
    }
}

fn entry_head(r: &Row) -> DncEntry {
    DncEntry {
        list: r.get(0),
        phone: r.get(1),
        expires_at: r.get(2),
        source: r.get(3),
        reason: r.get(4),
        created_by: r.get(5),
        created_at: None,
    }
}

pub async fn entries_page(
    tx: &Transaction<'_>,
    tenant: TenantId,
    list: &DncList,
    after: Option<&str>,
    limit: u32,
) -> PgResult<Vec<DncEntry>> {
    let (after, limit) = (after.unwrap_or_default(), i64::from(limit));
    if list.is_robinson() {
        let statement = tx
            .prepare_cached(&format!(
                "SELECT {ROBINSON_COLUMNS} FROM robinson WHERE tenant_id = $1 AND phone > $2 ORDER BY phone LIMIT $3"
            ))
            .await?;
        let rows = tx.query(&statement, &[&tenant, &after, &limit]).await?;
        return Ok(rows.iter().map(robinson_entry).collect());
    }
    let statement = tx
        .prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM dnc_entries WHERE tenant_id = $1 AND list = $2 AND phone > $3
             ORDER BY phone LIMIT $4"
        ))
        .await?;
    let rows = tx.query(&statement, &[&tenant, &list.as_str(), &after, &limit]).await?;
    Ok(rows.iter().map(named_entry).collect())
}

/// The entries holding these numbers at `now`: the Robinson list's first, then the
/// named lists' by list.
pub async fn check(tx: &Transaction<'_>, tenant: TenantId, phones: &[String], now: i64) -> PgResult<Vec<DncEntry>> {
    let statement = tx
        .prepare_cached(&format!(
            "SELECT {ROBINSON_COLUMNS} FROM robinson WHERE tenant_id = $1 AND phone = ANY($2)"
        ))
        .await?;
    let mut found: Vec<DncEntry> = tx
        .query(&statement, &[&tenant, &phones])
        .await?
        .iter()
        .map(robinson_entry)
        .collect();
    let statement = tx
        .prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM dnc_entries WHERE tenant_id = $1 AND phone = ANY($2)
               AND (expires_at IS NULL OR expires_at > $3) ORDER BY list"
        ))
        .await?;
    let named = tx.query(&statement, &[&tenant, &phones, &now]).await?;
    found.extend(named.iter().map(named_entry));
    Ok(found)
}

pub async fn changes_page(
    tx: &Transaction<'_>,
    tenant: TenantId,
    list: &DncList,
    after: i64,
    limit: u32,
) -> PgResult<Vec<DncChange>> {
    let statement = tx
        .prepare_cached(
            "SELECT id, list, phone, action, expires_at, source, reason, changed_by, changed_at FROM dnc_changes
             WHERE tenant_id = $1 AND list = $2 AND id > $3 ORDER BY id LIMIT $4",
        )
        .await?;
    let rows = tx
        .query(&statement, &[&tenant, &list.as_str(), &after, &i64::from(limit)])
        .await?;
    Ok(rows
        .iter()
        .map(|r| DncChange {
            id: r.get(0),
            list: r.get(1),
            phone: r.get(2),
            action: DncAction::parse(r.get(3)).unwrap_or(DncAction::Add),
            expires_at: r.get(4),
            source: r.get(5),
            reason: r.get(6),
            changed_by: r.get(7),
            changed_at: r.get(8),
        })
        .collect())
}

fn now_or_clock(now: Option<i64>) -> i64 {
    now.unwrap_or_else(calldate::now_seconds)
}

#[async_trait]
impl DncStore for PostgresStore {
    async fn put_dnc_entries(
        &self,
        tenant: TenantId,
        list: DncList,
        entries: Vec<NewDncEntry>,
        by: &str,
        now: Option<i64>,
    ) -> Result<(), StoreError> {
        let (entries, now) = (last_per_phone(entries), now_or_clock(now));
        self.write((list, entries, by), |tx, (list, entries, by)| {
            Box::pin(put_entries(tx, tenant, list, entries, by, now))
        })
        .await
    }

    async fn remove_dnc_entries(
        &self,
        tenant: TenantId,
        list: DncList,
        phones: Vec<String>,
        by: &str,
        now: Option<i64>,
    ) -> Result<Vec<bool>, StoreError> {
        let now = now_or_clock(now);
        self.write((list, phones, by), |tx, (list, phones, by)| {
            Box::pin(remove_entries(tx, tenant, list, phones, by, now))
        })
        .await
    }

    async fn dnc_lists(&self, tenant: TenantId, now: Option<i64>) -> Result<Vec<DncListSummary>, StoreError> {
        let now = now_or_clock(now);
        self.read((), |tx, ()| Box::pin(list_summaries(tx, tenant, now))).await
    }

    async fn dnc_entries(
        &self,
        tenant: TenantId,
        list: DncList,
        after: Option<String>,
        limit: u32,
    ) -> Result<Vec<DncEntry>, StoreError> {
        self.read((list, after), |tx, (list, after)| {
            Box::pin(entries_page(tx, tenant, list, after.as_deref(), limit))
        })
        .await
    }

    async fn check_dnc(
        &self,
        tenant: TenantId,
        phones: Vec<String>,
        now: Option<i64>,
    ) -> Result<Vec<DncEntry>, StoreError> {
        let now = now_or_clock(now);
        self.read(phones, |tx, phones| Box::pin(check(tx, tenant, phones, now)))
            .await
    }

    async fn dnc_changes(
        &self,
        tenant: TenantId,
        list: DncList,
        after: i64,
        limit: u32,
    ) -> Result<Vec<DncChange>, StoreError> {
        self.read(list, |tx, list| Box::pin(changes_page(tx, tenant, list, after, limit)))
            .await
    }
}
