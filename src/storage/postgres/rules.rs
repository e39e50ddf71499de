//! Rule Templates on PostgreSQL, as far as contacts interact with them: which contact
//! details they use, and what rm_rules removes. Writers hold the contact book's lock
//! (see `contact_book`), so a contact cannot vanish under a template being created.

use super::contact_book::{load_contacts, lock_book};
use super::{PgResult, Tx};
use crate::domain::calldate;
use crate::domain::iovox::book::BookSnapshot;
use crate::domain::iovox::{
    Detail, IovoxError, RuleTemplateInput, RuleTemplateView, plan_rule_templates, referenced_contact_ids,
};
use crate::storage::TenantId;
use crate::storage::shared::contact_book::rule_target;
use deadpool_postgres::Transaction;
use std::collections::{HashMap, HashSet};

/// The (record, detail) pairs of these records that fixed Rules or Links' variable Rules use.
pub async fn rule_uses(tx: &Transaction<'_>, tenant: TenantId, records: &[i64]) -> PgResult<Vec<(i64, Detail)>> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let statement = tx
        .prepare_cached(
            "SELECT record_id, detail FROM rule_template_rules WHERE tenant_id = $1 AND record_id = ANY($2)
             UNION SELECT record_id, detail FROM rule_template_links WHERE tenant_id = $1 AND record_id = ANY($2)",
        )
        .await?;
    let rows = tx.query(&statement, &[&tenant, &records]).await?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((r.get(0), Detail::from_element(r.get(1))?)))
        .collect())
}

/// rm_rules: per (record, detail), deletes the templates with a fixed Rule on that
/// detail (any detail when `None`) and detaches templates from the Links that fix a
/// variable Rule with it.
pub async fn release_rules(tx: &Transaction<'_>, tenant: TenantId, released: &[(i64, Option<Detail>)]) -> PgResult<()> {
    if released.is_empty() {
        return Ok(());
    }
    let (records, details): (Vec<i64>, Vec<Option<&str>>) =
        released.iter().map(|(r, d)| (*r, d.map(|d| d.element_name()))).unzip();
    let statement = tx
        .prepare_cached(
            "DELETE FROM rule_templates WHERE tenant_id = $1 AND id IN
               (SELECT x.template_id FROM rule_template_rules x
                JOIN unnest($2::bigint[], $3::text[]) AS t(record_id, detail)
                  ON x.record_id = t.record_id AND (t.detail IS NULL OR x.detail = t.detail)
                WHERE x.tenant_id = $1)",
        )
        .await?;
    tx.execute(&statement, &[&tenant, &records, &details]).await?;
    let statement = tx
        .prepare_cached(
            "DELETE FROM rule_template_links l USING unnest($2::bigint[], $3::text[]) AS t(record_id, detail)
             WHERE l.tenant_id = $1 AND l.record_id = t.record_id AND (t.detail IS NULL OR l.detail = t.detail)",
        )
        .await?;
    tx.execute(&statement, &[&tenant, &records, &details]).await?;
    Ok(())
}

pub async fn create_rule_templates(tx: &Tx<'_>, tenant: TenantId, templates: &[RuleTemplateInput]) -> PgResult<()> {
    let mut book = BookSnapshot::default();
    if let Some(project) = lock_book(tx, tenant).await? {
        load_contacts(tx, tenant, project, &referenced_contact_ids(templates), &mut book).await?;
    }
    let names: Vec<&str> = templates.iter().filter_map(|t| t.name.as_deref()).collect();
    let existing: HashSet<String> = tx
        .query(
            "SELECT name FROM rule_templates WHERE tenant_id = $1 AND name = ANY($2)",
            &[&tenant, &names],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let now = calldate::now();
    for plan in plan_rule_templates(templates, &existing, &book)? {
        // A concurrent request (with no contact book to lock) may have taken the name.
        let template: i64 = tx
            .query_opt(
                "INSERT INTO rule_templates (tenant_id, name, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (tenant_id, name) DO NOTHING RETURNING id",
                &[&tenant, &plan.name, &now],
            )
            .await?
            .ok_or_else(IovoxError::duplicate_rule_template_name)?
            .get(0);
        let (records, details): (Vec<i64>, Vec<&str>) = plan.rules.iter().map(|(r, d)| (*r, d.element_name())).unzip();
        let statement = tx
            .prepare_cached(
                "INSERT INTO rule_template_rules (tenant_id, template_id, ordinal, record_id, detail)
                 SELECT $1, $2, i - 1, r, d FROM unnest($3::bigint[], $4::text[]) WITH ORDINALITY AS t(r, d, i)",
            )
            .await?;
        tx.execute(&statement, &[&tenant, &template, &records, &details])
            .await?;
        let link_ids: Vec<&str> = plan.links.iter().map(|(link, _)| link.as_str()).collect();
        let records: Vec<Option<i64>> = plan.links.iter().map(|(_, fixed)| fixed.map(|(r, _)| r)).collect();
        let details: Vec<Option<&str>> = plan
            .links
            .iter()
            .map(|(_, fixed)| fixed.map(|(_, d)| d.element_name()))
            .collect();
        let statement = tx
            .prepare_cached(
                "INSERT INTO rule_template_links (tenant_id, template_id, link_id, record_id, detail)
                 SELECT $1, $2, l, r, d FROM unnest($3::text[], $4::bigint[], $5::text[]) AS t(l, r, d)",
            )
            .await?;
        tx.execute(&statement, &[&tenant, &template, &link_ids, &records, &details])
            .await?;
    }
    Ok(())
}

/// The tenant's templates in creation order, each with its Rules and Links: three
/// queries in all.
pub async fn list_rule_templates(tx: &Transaction<'_>, tenant: TenantId) -> PgResult<Vec<RuleTemplateView>> {
    let rows = tx
        .query(
            "SELECT id, name FROM rule_templates WHERE tenant_id = $1 ORDER BY id",
            &[&tenant],
        )
        .await?;
    let position: HashMap<i64, usize> = rows.iter().enumerate().map(|(i, r)| (r.get(0), i)).collect();
    let mut views: Vec<RuleTemplateView> = rows
        .iter()
        .map(|r| RuleTemplateView {
            name: r.get(1),
            rules: Vec::new(),
            links: Vec::new(),
        })
        .collect();
    let rules = tx
        .query(
            "SELECT x.template_id, r.user_data, x.detail FROM rule_template_rules x
             JOIN records r ON r.tenant_id = x.tenant_id AND r.id = x.record_id
             WHERE x.tenant_id = $1 ORDER BY x.template_id, x.ordinal",
            &[&tenant],
        )
        .await?;
    for r in &rules {
        if let (Some(&i), Some(target)) = (position.get(&r.get(0)), rule_target(r.get(1), r.get(2))) {
            views[i].rules.push(target);
        }
    }
    let links = tx
        .query(
            "SELECT l.template_id, l.link_id, r.user_data, l.detail FROM rule_template_links l
             LEFT JOIN records r ON r.tenant_id = l.tenant_id AND r.id = l.record_id
             WHERE l.tenant_id = $1 ORDER BY l.template_id, l.link_id",
            &[&tenant],
        )
        .await?;
    for r in &links {
        if let Some(&i) = position.get(&r.get(0)) {
            views[i].links.push((r.get(1), rule_target(r.get(2), r.get(3))));
        }
    }
    Ok(views)
}
