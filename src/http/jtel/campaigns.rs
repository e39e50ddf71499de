//! jtel's campaign calls: Dialbase's projects as dialler campaigns. A campaign shows what a
//! project has: `DiallerCampaignsID` (the project id), `Name` and `ClientsID` (the tenant's
//! name, as in the base path). jtel's dialling settings (`nMaxParallelLines`, `dtTo`, ...)
//! are not kept: Dialbase's own dialing rules stand in for them (docs/jtel.md). New contacts
//! name their campaign by id or by name (`named_campaign`).

use super::Jtel;
use super::envelope::{JtelError, records};
use super::fields::{CAMPAIGN, CAMPAIGN_NAME, ContactInput};
use super::listing::Paging;
use crate::domain::ValidationError;
use crate::http::{ApiError, AppState, Authed, path_id};
use crate::storage::{Project, TenantId};
use axum::extract::{Query, RawPathParams, State};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The campaign a new contact names: by id, else by name (a name several campaigns share is
/// a 409: name it by id then). An id and a name must name the same campaign.
pub async fn named_campaign(state: &AppState, tenant: TenantId, input: &ContactInput) -> Result<i64, ApiError> {
    let Some(name) = &input.campaign_name else {
        return input.campaign.ok_or_else(|| {
            ValidationError::new(
                "missing_campaign",
                format!("{CAMPAIGN} or {CAMPAIGN_NAME} is mandatory"),
            )
            .into()
        });
    };
    let named: Vec<i64> = (state.store.list_projects(tenant).await?.into_iter())
        .filter(|p| p.name == *name)
        .map(|p| p.id)
        .collect();
    match (input.campaign, named.as_slice()) {
        (Some(id), named) if named.contains(&id) => Ok(id),
        (_, []) => Err(ApiError::NotFound("project")),
        (Some(_), _) => Err(ValidationError::new(
            "wrong_campaign",
            format!("{CAMPAIGN} and {CAMPAIGN_NAME} name different campaigns"),
        )
        .into()),
        (None, [id]) => Ok(*id),
        (None, _) => Err(ApiError::Conflict(format!(
            "several campaigns are named {name:?}: name the campaign by {CAMPAIGN}"
        ))),
    }
}

fn campaign_json(project: &Project, clients_id: &str) -> Value {
    json!({"DiallerCampaignsID": project.id, "Name": project.name, "ClientsID": clients_id})
}

/// The campaigns the key may see, in id order.
pub async fn list(
    auth: Authed<Jtel>,
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, JtelError> {
    let paging = Paging::parse(&query, "DiallerCampaignsID")?;
    if let Some(other) = query.keys().find(|k| !super::listing::PARAMETERS.contains(&k.as_str())) {
        return Err(ApiError::BadRequest(format!("unknown parameter {other}")).into());
    }
    let mut projects = state.store.list_projects(auth.tenant).await?;
    projects.retain(|p| auth.projects.allows(p.id));
    projects.sort_by_key(|p| p.id);
    let total = projects.len() as u64;
    let page = (projects.iter())
        .skip(usize::try_from(paging.start).unwrap_or(usize::MAX))
        .take(usize::try_from(paging.size()).unwrap_or(usize::MAX))
        .map(|p| campaign_json(p, &auth.tenant_name))
        .collect();
    Ok(paging.envelope(String::new(), page, total))
}

pub async fn get(
    auth: Authed<Jtel>,
    State(state): State<AppState>,
    params: RawPathParams,
) -> Result<Response, JtelError> {
    let id = path_id(&params, "id", "project")?;
    let (project, _) = state.store.project_schema(auth.tenant, id).await?;
    Ok(records(vec![campaign_json(&project, &auth.tenant_name)]))
}
