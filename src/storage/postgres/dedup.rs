//! The duplicate check on PostgreSQL: a new row's keys looked up in the side tables, the
//! batch's own rows compared in memory (they are stored together at its end). Inserts
//! into a checked scope queue on an advisory lock, so that two nodes inserting the same
//! contact at once cannot both find it absent.

use super::PgResult;
use crate::domain::dialing_rules::{Dedup, DedupScope};
use crate::storage::TenantId;
use crate::storage::shared::dedup::{Probe, bounds};
use deadpool_postgres::Transaction;
use std::collections::HashMap;
use tokio_postgres::types::ToSql;

/// Held until the transaction ends: one checked insert per scope at a time.
pub async fn lock_scope(tx: &Transaction<'_>, tenant: TenantId, project: i64, dedup: &Dedup) -> PgResult<()> {
    let scope = match dedup.scope {
        DedupScope::Project => project,
        DedupScope::Tenant => 0,
    };
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('dialbase-dedup:' || $1::bigint || ':' || $2::bigint, 0))",
        &[&tenant, &scope],
    )
    .await?;
    Ok(())
}

/// Per probe, the lowest id (and its project) of a stored record it duplicates: one
/// statement per kind of key for the whole batch.
pub async fn find_duplicates(
    tx: &Transaction<'_>,
    tenant: TenantId,
    project: i64,
    dedup: &Dedup,
    probes: &[Probe],
    now: i64,
) -> PgResult<Vec<Option<(i64, i64)>>> {
    let (scope, since) = bounds(dedup, project, now);
    let within = "($3::bigint IS NULL OR r.project_id = $3) AND ($4::bigint IS NULL OR r.created_at >= $4)";
    let phones: Vec<&str> = probes
        .iter()
        .flat_map(|p| p.phones.iter().map(String::as_str))
        .collect();
    let by_phone = if phones.is_empty() {
        HashMap::new()
    } else {
        let sql = format!(
            "SELECT p.phone, min(p.record_id) FROM record_phones p
             JOIN records r ON r.tenant_id = p.tenant_id AND r.id = p.record_id
             WHERE p.tenant_id = $1 AND p.phone = ANY($2::text[]) AND {within} GROUP BY p.phone"
        );
        pairs(tx, &sql, &[&tenant, &phones, &scope, &since]).await?
    };
    let user_data: Vec<&str> = probes.iter().filter_map(|p| p.user_data.as_deref()).collect();
    let by_user_data = if user_data.is_empty() {
        HashMap::new()
    } else {
        let sql = format!(
            "SELECT r.user_data, min(r.id) FROM records r
             WHERE r.tenant_id = $1 AND r.user_data = ANY($2::text[]) AND {within} GROUP BY r.user_data"
        );
        pairs(tx, &sql, &[&tenant, &user_data, &scope, &since]).await?
    };
    let terms: Vec<String> = probes
        .iter()
        .flat_map(|p| p.terms.iter().map(|(field, term)| format!("{field}\u{1f}{term}")))
        .collect();
    let by_term = if terms.is_empty() {
        HashMap::new()
    } else {
        let sql = format!(
            "SELECT f.name || chr(31) || t.term, min(t.record_id) FROM record_terms t
             JOIN records r ON r.tenant_id = t.tenant_id AND r.id = t.record_id
             JOIN fields f ON f.tenant_id = t.tenant_id AND f.id = t.field_id
             WHERE t.tenant_id = $1 AND f.indexed AND ($3::bigint IS NULL OR f.project_id = $3)
               AND f.name || chr(31) || t.term = ANY($2::text[]) AND {within}
             GROUP BY 1"
        );
        pairs(tx, &sql, &[&tenant, &terms, &scope, &since]).await?
    };
    let found: Vec<Option<i64>> = probes
        .iter()
        .map(|p| {
            let phones = p.phones.iter().filter_map(|phone| by_phone.get(phone.as_str()));
            let user_data = p.user_data.iter().filter_map(|u| by_user_data.get(u.as_str()));
            let terms = p
                .terms
                .iter()
                .filter_map(|(f, t)| by_term.get(&format!("{f}\u{1f}{t}")));
            phones.chain(user_data).chain(terms).copied().min()
        })
        .collect();
    let mut ids: Vec<i64> = found.iter().flatten().copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let projects: HashMap<i64, i64> = tx
        .query(
            "SELECT id, project_id FROM records WHERE tenant_id = $1 AND id = ANY($2)",
            &[&tenant, &ids],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Ok(found
        .into_iter()
        .map(|id| id.and_then(|id| Some((id, *projects.get(&id)?))))
        .collect())
}

/// (key, lowest record id) rows of a statement.
async fn pairs(tx: &Transaction<'_>, sql: &str, args: &[&(dyn ToSql + Sync)]) -> PgResult<HashMap<String, i64>> {
    let statement = tx.prepare_cached(sql).await?;
    Ok(tx
        .query(&statement, args)
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}
