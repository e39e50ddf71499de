//! A project's dialing rules through Dialbase's own API (docs/dialing.md); errors as the
//! dialer calls give them (jtel's `{"status", "error"}`).
//!
//! - `PUT /dialbase/v1/projects/{projectid}/rules` with the rules (every rule left out has
//!   its default, no restriction) → 200 `{"status": 200, "rules": {...}}`, all rules as stored.
//! - `GET` on the same path → the same answer.

use super::{DialbaseApi, DialbaseError};
use crate::domain::dialing_rules::DialingRules;
use crate::http::audit;
use crate::http::{ApiError, AppState, Authed, path_id};
use crate::storage::check_dedup_fields;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawPathParams, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dialbase/v1/projects/{projectid}/rules", get(show).put(put))
}

fn answer(rules: &DialingRules) -> Response {
    Json(json!({"status": 200, "rules": rules.to_json()})).into_response()
}

async fn show(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    params: RawPathParams,
) -> Result<Response, DialbaseError> {
    let project = path_id(&params, "projectid", "project")?;
    Ok(answer(&state.store.rules(auth.tenant, project).await?))
}

async fn put(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, DialbaseError> {
    let project = path_id(&params, "projectid", "project")?;
    let body = body.map_err(ApiError::from)?;
    let rules = DialingRules::parse(&body).map_err(ApiError::Invalid)?;
    let (_, schema) = state.store.project_schema(auth.tenant, project).await?;
    check_dedup_fields(&schema, &rules)?;
    state.store.put_rules(auth.tenant, project, rules.clone()).await?;
    let entry = auth.audit("rules.put", format!("project {project}"), rules.to_json());
    audit::append(&state, auth.tenant, entry).await;
    Ok(answer(&rules))
}
