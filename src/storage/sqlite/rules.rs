//! Rule Templates on SQLite, as far as contacts interact with them: which contact
//! details they use, and what rm_rules removes.

use super::contact_book::{find_book, load_contacts};
use crate::domain::calldate;
use crate::domain::iovox::book::BookSnapshot;
use crate::domain::iovox::{Detail, RuleTemplateInput, RuleTemplateView, plan_rule_templates, referenced_contact_ids};
use crate::storage::shared::contact_book::rule_target;
use crate::storage::shared::schema_cache::SchemaCache;
use crate::storage::{StoreError, TenantId};
use rusqlite::{Connection, params};
use std::collections::HashSet;

/// The details of a contact's record that fixed Rules or Links' variable Rules use.
pub fn rule_uses(conn: &Connection, record: i64) -> Result<Vec<Detail>, StoreError> {
    let details: Vec<String> = conn
        .prepare_cached(
            "SELECT detail FROM rule_template_rules WHERE record_id = ?1
             UNION SELECT detail FROM rule_template_links WHERE record_id = ?1",
        )?
        .query_map([record], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(details.iter().filter_map(|d| Detail::from_element(d)).collect())
}

/// rm_rules: deletes the templates with a fixed Rule on the detail (any detail when
/// `None`) and detaches templates from the Links that fix a variable Rule with it.
pub fn release_rules(conn: &Connection, record: i64, detail: Option<Detail>) -> Result<(), StoreError> {
    let detail = detail.map(|d| d.element_name());
    conn.prepare_cached(
        "DELETE FROM rule_templates WHERE id IN
           (SELECT template_id FROM rule_template_rules WHERE record_id = ?1 AND (?2 IS NULL OR detail = ?2))",
    )?
    .execute(params![record, detail])?;
    conn.prepare_cached("DELETE FROM rule_template_links WHERE record_id = ?1 AND (?2 IS NULL OR detail = ?2)")?
        .execute(params![record, detail])?;
    Ok(())
}

pub fn create_rule_templates(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    templates: &[RuleTemplateInput],
) -> Result<(), StoreError> {
    let mut book = BookSnapshot::default();
    if let Some(project) = find_book(conn, tenant)? {
        load_contacts(
            conn,
            cache,
            tenant,
            project,
            &referenced_contact_ids(templates),
            &mut book,
        )?;
    }
    let mut existing = HashSet::new();
    let mut exists =
        conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM rule_templates WHERE tenant_id = ?1 AND name = ?2)")?;
    for name in templates.iter().filter_map(|t| t.name.as_deref()) {
        if exists.query_row(params![tenant, name], |r| r.get::<_, bool>(0))? {
            existing.insert(name.to_owned());
        }
    }
    let now = calldate::now();
    for plan in plan_rule_templates(templates, &existing, &book)? {
        conn.prepare_cached("INSERT INTO rule_templates (tenant_id, name, created_at) VALUES (?1, ?2, ?3)")?
            .execute(params![tenant, plan.name, now])?;
        let template = conn.last_insert_rowid();
        for (ordinal, (record, detail)) in plan.rules.iter().enumerate() {
            conn.prepare_cached(
                "INSERT INTO rule_template_rules (tenant_id, template_id, ordinal, record_id, detail)
                 SELECT tenant_id, ?1, ?2, ?3, ?4 FROM rule_templates WHERE id = ?1",
            )?
            .execute(params![template, ordinal as i64, record, detail.element_name()])?;
        }
        for (link, fixed) in &plan.links {
            conn.prepare_cached(
                "INSERT INTO rule_template_links (tenant_id, template_id, link_id, record_id, detail)
                 SELECT tenant_id, ?1, ?2, ?3, ?4 FROM rule_templates WHERE id = ?1",
            )?
            .execute(params![
                template,
                link,
                fixed.map(|(record, _)| record),
                fixed.map(|(_, detail)| detail.element_name())
            ])?;
        }
    }
    Ok(())
}

pub fn list_rule_templates(conn: &Connection, tenant: TenantId) -> Result<Vec<RuleTemplateView>, StoreError> {
    let templates: Vec<(i64, String)> = conn
        .prepare_cached("SELECT id, name FROM rule_templates WHERE tenant_id = ?1 ORDER BY id")?
        .query_map([tenant], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut views = Vec::with_capacity(templates.len());
    for (id, name) in templates {
        let rules = conn
            .prepare_cached(
                "SELECT r.user_data, x.detail FROM rule_template_rules x JOIN records r ON r.id = x.record_id
                 WHERE x.template_id = ?1 ORDER BY x.ordinal",
            )?
            .query_map([id], |r| Ok(rule_target(r.get(0)?, r.get(1)?)))?
            .filter_map(Result::transpose)
            .collect::<Result<_, _>>()?;
        let links = conn
            .prepare_cached(
                "SELECT l.link_id, r.user_data, l.detail FROM rule_template_links l
                 LEFT JOIN records r ON r.id = l.record_id WHERE l.template_id = ?1 ORDER BY l.link_id",
            )?
            .query_map([id], |r| Ok((r.get(0)?, rule_target(r.get(1)?, r.get(2)?))))?
            .collect::<Result<_, _>>()?;
        views.push(RuleTemplateView { name, rules, links });
    }
    Ok(views)
}
