//! Countries::getCountries and the minimal Rules interface (createRuleTemplates,
//! getRuleTemplates) through which contact details get used by Rule Templates.

use super::reply::{IovoxReply, body_bytes, xml};
use super::{Iovox, called_method};
use crate::domain::iovox::{
    countries as all_countries, parse_rule_templates_request, write_countries_xml, write_rule_templates_xml,
};
use crate::http::{AppState, Authed};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

pub async fn countries(
    _auth: Authed<Iovox>,
    verb: Method,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, IovoxReply> {
    let Query(params) = query?;
    called_method(&params, &verb, &[("getCountries", "GET")])?;
    Ok(xml(write_countries_xml(all_countries())))
}

const RULE_METHODS: &[(&str, &str)] = &[("createRuleTemplates", "POST"), ("getRuleTemplates", "GET")];

pub async fn rules(
    auth: Authed<Iovox>,
    State(state): State<AppState>,
    verb: Method,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, IovoxReply> {
    let Query(params) = query?;
    if called_method(&params, &verb, RULE_METHODS)? == "createRuleTemplates" {
        let templates = parse_rule_templates_request(&body_bytes(body)?)?;
        state.store.create_rule_templates(auth.tenant, templates).await?;
        return Ok(StatusCode::CREATED.into_response());
    }
    let templates = state.store.list_rule_templates(auth.tenant).await?;
    Ok(xml(write_rule_templates_xml(&templates)))
}
