//! Countries::getCountries and the minimal Rules interface (createRuleTemplates,
//! getRuleTemplates) through which contact details get used by Rule Templates.

use super::parse_rules::parse_rule_templates_request;
use super::reply::{IovoxReply, xml};
use super::write::{write_countries_xml, write_rule_templates_xml};
use super::{Call, Iovox};
use crate::domain::iovox::countries as all_countries;
use crate::http::audit;
use crate::http::{AppState, Authed};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub async fn countries(_auth: Authed<Iovox>, call: Call) -> Result<Response, IovoxReply> {
    call.method(&[("getCountries", "GET")])?;
    Ok(xml(write_countries_xml(all_countries())))
}

const RULE_METHODS: &[(&str, &str)] = &[("createRuleTemplates", "POST"), ("getRuleTemplates", "GET")];

pub async fn rules(auth: Authed<Iovox>, State(state): State<AppState>, call: Call) -> Result<Response, IovoxReply> {
    if call.method(RULE_METHODS)? == "createRuleTemplates" {
        let templates = parse_rule_templates_request(&call.body()?)?;
        let count = templates.len();
        state.store.create_rule_templates(auth.tenant, templates).await?;
        let entry = auth.audit(
            "rule_template.create",
            "contact book".into(),
            serde_json::json!({"templates": count}),
        );
        audit::append(&state, auth.tenant, entry).await;
        return Ok(StatusCode::CREATED.into_response());
    }
    let templates = state.store.list_rule_templates(auth.tenant).await?;
    Ok(xml(write_rule_templates_xml(&templates)))
}
