//! Rule Templates, only as far as contacts interact with them (Dialbase's
//! minimal model of iovox call routing). A template has a name, fixed Rules
//! that route to a contact's detail ("custom" Rules), and the Links it is
//! attached to; a Link may fix the template's variable Rule to a contact's
//! detail. The payload is parsed by `http::iovox::parse_rules`.

use std::collections::HashSet;

use super::book::BookSnapshot;
use super::detail::Detail;
use super::error::IovoxError;

/// A contact detail a Rule routes to, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleTargetInput {
    pub contact_id: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkInput {
    pub link_id: Option<String>,
    /// The contact detail fixing the template's variable Rule on this Link.
    pub target: Option<RuleTargetInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleTemplateInput {
    pub name: Option<String>,
    pub rules: Vec<RuleTargetInput>,
    pub links: Vec<LinkInput>,
}

/// A validated template: contact details as (record id, detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleTemplatePlan {
    pub name: String,
    pub rules: Vec<(i64, Detail)>,
    pub links: Vec<(String, Option<(i64, Detail)>)>,
}

/// A stored template as getRuleTemplates shows it: contact details as
/// (contact_id, detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleTemplateView {
    pub name: String,
    pub rules: Vec<(String, Detail)>,
    pub links: Vec<(String, Option<(String, Detail)>)>,
}

/// The contact ids the templates reference, for the caller to load into a
/// [`BookSnapshot`] before [`plan_rule_templates`].
pub fn referenced_contact_ids(templates: &[RuleTemplateInput]) -> Vec<String> {
    let targets = templates
        .iter()
        .flat_map(|t| t.rules.iter().chain(t.links.iter().filter_map(|l| l.target.as_ref())));
    let mut ids: Vec<String> = targets.filter_map(|t| t.contact_id.clone()).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Checks template by template (x of y is the template's position): name
/// empty, name repeated in the request or already stored (`existing_names`),
/// then each Rule's and Link's contact_id empty or unknown, detail not a
/// contact detail or empty on that contact, link_id empty or repeated.
pub fn plan_rule_templates(
    templates: &[RuleTemplateInput],
    existing_names: &HashSet<String>,
    book: &BookSnapshot,
) -> Result<Vec<RuleTemplatePlan>, IovoxError> {
    let total = templates.len();
    let mut names = HashSet::new();
    let mut plans = Vec::with_capacity(total);
    for (index, template) in templates.iter().enumerate() {
        let item = index + 1;
        let name = template.name.clone().filter(|n| !n.is_empty());
        let name = name.ok_or_else(|| IovoxError::rule_template_name_empty(item, total))?;
        if existing_names.contains(&name) || !names.insert(name.clone()) {
            return Err(IovoxError::duplicate_rule_template_name());
        }
        let rules = template
            .rules
            .iter()
            .map(|rule| resolve_target(rule, book, item, total))
            .collect::<Result<_, _>>()?;
        let mut link_ids = HashSet::new();
        let mut links = Vec::with_capacity(template.links.len());
        for link in &template.links {
            let link_id = link.link_id.clone().filter(|id| !id.is_empty());
            let link_id = link_id.ok_or_else(|| IovoxError::link_id_empty(item, total))?;
            if !link_ids.insert(link_id.clone()) {
                return Err(IovoxError::duplicate_link_id());
            }
            let target = link
                .target
                .as_ref()
                .map(|target| resolve_target(target, book, item, total))
                .transpose()?;
            links.push((link_id, target));
        }
        plans.push(RuleTemplatePlan { name, rules, links });
    }
    Ok(plans)
}

fn resolve_target(
    target: &RuleTargetInput,
    book: &BookSnapshot,
    item: usize,
    total: usize,
) -> Result<(i64, Detail), IovoxError> {
    let contact_id = target.contact_id.as_deref().filter(|id| !id.is_empty());
    let contact_id = contact_id.ok_or_else(|| IovoxError::contact_id_empty(item, total))?;
    let contact = book
        .contact(contact_id)
        .ok_or_else(|| IovoxError::contact_id_not_found(item, total))?;
    let detail = target.detail.as_deref().and_then(Detail::from_element);
    let detail = detail.ok_or_else(|| IovoxError::contact_detail_invalid(item, total))?;
    if contact.values(detail).iter().all(String::is_empty) {
        return Err(IovoxError::contact_detail_empty(item, total));
    }
    Ok((contact.record_id, detail))
}
