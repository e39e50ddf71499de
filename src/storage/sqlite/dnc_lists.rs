//! Do-not-call lists on SQLite: the Robinson list (`default`) through `tenants`' functions,
//! named lists in `dnc_entries`, every change through the list calls in `dnc_changes`, and
//! `records.dnc_until` kept for the records whose project applies a changed list.

use super::SqliteStore;
use super::fields::schema;
use super::phone_key::PhoneKey;
use super::records_write::load_row;
use super::tenants::{add_robinson, delete_robinson};
use crate::domain::calldate;
use crate::domain::dnc::{
    DncAction, DncChange, DncEntry, DncExpiries, DncList, DncListSummary, NewDncEntry, has_named_lists, last_per_phone,
    named_lists,
};
use crate::domain::schema::ProjectSchema;
use crate::storage::shared::schema_cache::SchemaCache;
use crate::storage::{DncStore, StoreError, TenantId};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The latest expiry per number on the named ones of `lists` (a project's `dnc_lists`).
pub fn dnc_expiries<'a>(
    conn: &Connection,
    tenant: TenantId,
    lists: &[String],
    phones: impl IntoIterator<Item = &'a String>,
) -> Result<DncExpiries, StoreError> {
    let lists = named_lists(lists);
    if lists.is_empty() {
        return Ok(DncExpiries::default());
    }
    let lists = serde_json::Value::from(lists).to_string();
    let mut select = conn.prepare_cached(
        "SELECT expires_at FROM dnc_entries
         WHERE tenant_id = ?1 AND phone = ?2 AND list IN (SELECT value FROM json_each(?3))",
    )?;
    let mut rows = Vec::new();
    for phone in phones {
        for expires_at in select.query_map(params![tenant, phone, lists], |r| r.get::<_, Option<i64>>(0))? {
            rows.push((phone.clone(), expires_at?));
        }
    }
    Ok(DncExpiries::from_rows(rows))
}

/// `records.dnc_until` for a record holding `phones` in a project applying `lists` (its
/// rules' `dnc_lists`): what a record write stores with the record's numbers.
pub fn dnc_until_for<'a>(
    conn: &Connection,
    tenant: TenantId,
    lists: &[String],
    phones: impl IntoIterator<Item = &'a String>,
) -> Result<Option<i64>, StoreError> {
    // Most projects apply no named list: every imported record asks.
    if !has_named_lists(lists) {
        return Ok(None);
    }
    let phones: Vec<&String> = phones.into_iter().collect();
    Ok(dnc_expiries(conn, tenant, lists, phones.iter().copied())?.until(phones))
}

/// Stores a record's `dnc_until` for its numbers under its project's `lists`.
pub fn refresh_dnc_until(
    conn: &Connection,
    tenant: TenantId,
    lists: &[String],
    id: i64,
    phones: &BTreeSet<String>,
) -> Result<(), StoreError> {
    let until = dnc_until_for(conn, tenant, lists, phones)?;
    conn.prepare_cached("UPDATE records SET dnc_until = ?2 WHERE id = ?1 AND dnc_until IS NOT ?2")?
        .execute(params![id, until])?;
    Ok(())
}

/// After a change of `list`'s entries for `phones`: `dnc_until` again for the records
/// holding one of them whose project applies the list.
fn refresh_holders(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    list: &DncList,
    phones: &[String],
) -> Result<(), StoreError> {
    let mut holders = conn.prepare_cached(
        "SELECT p.record_id, r.project_id FROM record_phones p JOIN records r ON r.id = p.record_id
         WHERE p.tenant_id = ?1 AND p.phone = ?2",
    )?;
    let mut found: BTreeSet<(i64, i64)> = BTreeSet::new();
    for phone in phones {
        for holder in holders.query_map(params![tenant, PhoneKey::of(phone)], |r| Ok((r.get(0)?, r.get(1)?)))? {
            found.insert(holder?);
        }
    }
    let mut schemas: HashMap<i64, Arc<ProjectSchema>> = HashMap::new();
    for (id, project) in found {
        let project_schema = match schemas.entry(project) {
            Entry::Occupied(known) => known.get().clone(),
            Entry::Vacant(new) => new.insert(schema(conn, cache, project)?).clone(),
        };
        let lists = &project_schema.rules.dnc_lists;
        if lists.iter().any(|l| l == list.as_str()) {
            refresh_dnc_until(conn, tenant, lists, id, &load_row(conn, id)?.phones(&project_schema))?;
        }
    }
    Ok(())
}

fn record_change(
    conn: &Connection,
    tenant: TenantId,
    list: &DncList,
    action: DncAction,
    entry: &NewDncEntry,
    by: &str,
    now: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO dnc_changes (tenant_id, list, phone, action, expires_at, source, reason, changed_by, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        tenant,
        list.as_str(),
        entry.phone,
        action.as_str(),
        entry.expires_at,
        entry.source,
        entry.reason,
        by,
        now
    ])?;
    Ok(())
}

/// Adds or replaces entries; the Robinson list's go through `add_robinson`, which flags
/// their records.
pub fn put_entries(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    list: &DncList,
    entries: &[NewDncEntry],
    by: &str,
    now: i64,
) -> Result<(), StoreError> {
    let phones: Vec<String> = entries.iter().map(|e| e.phone.clone()).collect();
    if list.is_robinson() {
        add_robinson(conn, tenant, &phones)?;
        let mut describe = conn.prepare_cached(
            "UPDATE robinson SET source = ?3, reason = ?4, created_by = ?5, created_at = ?6
             WHERE tenant_id = ?1 AND phone = ?2",
        )?;
        let at = calldate::from_seconds(now);
        for e in entries {
            describe.execute(params![tenant, e.phone, e.source, e.reason, by, at])?;
        }
    } else {
        let mut upsert = conn.prepare_cached(
            "INSERT INTO dnc_entries (tenant_id, list, phone, expires_at, source, reason, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (tenant_id, list, phone) DO UPDATE SET expires_at = excluded.expires_at,
               source = excluded.source, reason = excluded.reason, created_by = excluded.created_by,
               created_at = excluded.created_at",
        )?;
        for e in entries {
            upsert.execute(params![
                tenant,
                list.as_str(),
                e.phone,
                e.expires_at,
                e.source,
                e.reason,
                by,
                now
            ])?;
        }
        refresh_holders(conn, cache, tenant, list, &phones)?;
    }
    for e in entries {
        record_change(conn, tenant, list, DncAction::Add, e, by, now)?;
    }
    Ok(())
}

/// Takes numbers off a list (the Robinson list's through `delete_robinson`).
pub fn remove_entries(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    list: &DncList,
    phones: &[String],
    by: &str,
    now: i64,
) -> Result<Vec<bool>, StoreError> {
    let mut removed = Vec::with_capacity(phones.len());
    for phone in phones {
        let listed = if list.is_robinson() {
            delete_robinson(conn, cache, tenant, phone)?
        } else {
            conn.prepare_cached("DELETE FROM dnc_entries WHERE tenant_id = ?1 AND list = ?2 AND phone = ?3")?
                .execute(params![tenant, list.as_str(), phone])?
                > 0
        };
        if listed {
            let gone = NewDncEntry {
                phone: phone.clone(),
                expires_at: None,
                source: None,
                reason: None,
            };
            record_change(conn, tenant, list, DncAction::Remove, &gone, by, now)?;
        }
        removed.push(listed);
    }
    if !list.is_robinson() {
        let gone: Vec<String> = phones
            .iter()
            .zip(&removed)
            .filter(|(_, r)| **r)
            .map(|(p, _)| p.clone())
            .collect();
        refresh_holders(conn, cache, tenant, list, &gone)?;
    }
    Ok(removed)
}

pub fn list_summaries(conn: &Connection, tenant: TenantId, now: i64) -> Result<Vec<DncListSummary>, StoreError> {
    let robinson = conn
        .prepare_cached("SELECT count(*) FROM robinson WHERE tenant_id = ?1")?
        .query_row([tenant], |r| r.get::<_, i64>(0))? as u64;
    let mut lists = vec![DncListSummary {
        name: DncList::robinson().to_string(),
        entries: robinson,
        active: robinson,
    }];
    let named = conn
        .prepare_cached(
            "SELECT list, count(*), sum(expires_at IS NULL OR expires_at > ?2) FROM dnc_entries
             WHERE tenant_id = ?1 GROUP BY list ORDER BY list",
        )?
        .query_map(params![tenant, now], |r| {
            Ok(DncListSummary {
                name: r.get(0)?,
                entries: r.get::<_, i64>(1)? as u64,
                active: r.get::<_, i64>(2)? as u64,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    lists.extend(named);
    Ok(lists)
}

/// The Robinson list's columns as an entry; its times are text.
const ROBINSON_COLUMNS: &str = "'default', phone, NULL, source, reason, created_by, created_at";
const ENTRY_COLUMNS: &str = "list, phone, expires_at, source, reason, created_by, created_at";

fn robinson_entry(r: &Row<'_>) -> rusqlite::Result<DncEntry> {
    let created_at: String = r.get(6)?;
    Ok(DncEntry {
        created_at: calldate::to_seconds(&created_at).ok(),
        ..named_entry_head(r)?
    })
}

fn named_entry(r: &Row<'_>) -> rusqlite::Result<DncEntry> {
    Ok(DncEntry {
        created_at: r.get(6)?,
        ..named_entry_head(r)?
    })
}

fn named_entry_head(r: &Row<'_>) -> rusqlite::Result<DncEntry> {
    Ok(DncEntry {
        list: r.get(0)?,
        phone: r.get(1)?,
        expires_at: r.get(2)?,
        source: r.get(3)?,
        reason: r.get(4)?,
        created_by: r.get(5)?,
        created_at: None,
    })
}

pub fn entries_page(
    conn: &Connection,
    tenant: TenantId,
    list: &DncList,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<DncEntry>, StoreError> {
    let after = after.unwrap_or_default();
    let entries = if list.is_robinson() {
        conn.prepare_cached(&format!(
            "SELECT {ROBINSON_COLUMNS} FROM robinson WHERE tenant_id = ?1 AND phone > ?2 ORDER BY phone LIMIT ?3"
        ))?
        .query_map(params![tenant, after, limit], robinson_entry)?
        .collect::<Result<_, _>>()?
    } else {
        conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM dnc_entries WHERE tenant_id = ?1 AND list = ?2 AND phone > ?3
             ORDER BY phone LIMIT ?4"
        ))?
        .query_map(params![tenant, list.as_str(), after, limit], named_entry)?
        .collect::<Result<_, _>>()?
    };
    Ok(entries)
}

/// The entries holding these numbers at `now`: the Robinson list's first, then by list.
pub fn check(conn: &Connection, tenant: TenantId, phones: &[String], now: i64) -> Result<Vec<DncEntry>, StoreError> {
    let mut robinson = conn.prepare_cached(&format!(
        "SELECT {ROBINSON_COLUMNS} FROM robinson WHERE tenant_id = ?1 AND phone = ?2"
    ))?;
    let mut named = conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM dnc_entries WHERE tenant_id = ?1 AND phone = ?2
           AND (expires_at IS NULL OR expires_at > ?3) ORDER BY list"
    ))?;
    let mut found = Vec::new();
    for phone in phones {
        found.extend(robinson.query_row(params![tenant, phone], robinson_entry).optional()?);
        for entry in named.query_map(params![tenant, phone, now], named_entry)? {
            found.push(entry?);
        }
    }
    Ok(found)
}

pub fn changes_page(
    conn: &Connection,
    tenant: TenantId,
    list: &DncList,
    after: i64,
    limit: u32,
) -> Result<Vec<DncChange>, StoreError> {
    let rows = conn
        .prepare_cached(
            "SELECT id, list, phone, action, expires_at, source, reason, changed_by, changed_at FROM dnc_changes
             WHERE tenant_id = ?1 AND list = ?2 AND id > ?3 ORDER BY id LIMIT ?4",
        )?
        .query_map(params![tenant, list.as_str(), after, limit], |r| {
            let action: String = r.get(3)?;
            Ok(DncChange {
                id: r.get(0)?,
                list: r.get(1)?,
                phone: r.get(2)?,
                action: DncAction::parse(&action).unwrap_or(DncAction::Add),
                expires_at: r.get(4)?,
                source: r.get(5)?,
                reason: r.get(6)?,
                changed_by: r.get(7)?,
                changed_at: r.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn now_or_clock(now: Option<i64>) -> i64 {
    now.unwrap_or_else(calldate::now_seconds)
}

#[async_trait]
impl DncStore for SqliteStore {
    async fn put_dnc_entries(
        &self,
        tenant: TenantId,
        list: DncList,
        entries: Vec<NewDncEntry>,
        by: &str,
        now: Option<i64>,
    ) -> Result<(), StoreError> {
        let (by, entries) = (by.to_string(), last_per_phone(entries));
        self.write(move |tx, cache| put_entries(tx, cache, tenant, &list, &entries, &by, now_or_clock(now)))
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
        let by = by.to_string();
        self.write(move |tx, cache| remove_entries(tx, cache, tenant, &list, &phones, &by, now_or_clock(now)))
            .await
    }

    async fn dnc_lists(&self, tenant: TenantId, now: Option<i64>) -> Result<Vec<DncListSummary>, StoreError> {
        self.read(move |tx, _| list_summaries(tx, tenant, now_or_clock(now)))
            .await
    }

    async fn dnc_entries(
        &self,
        tenant: TenantId,
        list: DncList,
        after: Option<String>,
        limit: u32,
    ) -> Result<Vec<DncEntry>, StoreError> {
        self.read(move |tx, _| entries_page(tx, tenant, &list, after.as_deref(), limit))
            .await
    }

    async fn check_dnc(
        &self,
        tenant: TenantId,
        phones: Vec<String>,
        now: Option<i64>,
    ) -> Result<Vec<DncEntry>, StoreError> {
        self.read(move |tx, _| check(tx, tenant, &phones, now_or_clock(now)))
            .await
    }

    async fn dnc_changes(
        &self,
        tenant: TenantId,
        list: DncList,
        after: i64,
        limit: u32,
    ) -> Result<Vec<DncChange>, StoreError> {
        self.read(move |tx, _| changes_page(tx, tenant, &list, after, limit))
            .await
    }
}
