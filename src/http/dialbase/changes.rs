//! The change feed through Dialbase's own API (docs/changes.md). Errors as the dialer
//! calls give them (`{"status", "error", "code"}`).
//!
//! - `GET /dialbase/v1/changes?after=<cursor>&limit=&project=&type=add,modify` → events in
//!   commit order: `{"status": 200, "changes": [{"cursor", "type", "project", "record",
//!   "at"}], "count", "next"}`; `next` is the cursor to ask with next time (the one given
//!   when nothing new came).

use super::{DialbaseApi, DialbaseError};
use crate::domain::ValidationError;
use crate::domain::changes::{Change, ChangeCursor, ChangeFilter, parse_kinds};
use crate::http::{ApiError, AppState, Authed};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new().route("/dialbase/v1/changes", get(changes))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangesQuery {
    after: Option<String>,
    limit: Option<String>,
    project: Option<String>,
    #[serde(rename = "type")]
    kinds: Option<String>,
}

/// The page a query asks for: where it starts, how many, which events.
pub fn page_of(
    after: Option<&str>,
    limit: Option<&str>,
    project: Option<&str>,
    kinds: Option<&str>,
) -> Result<(ChangeCursor, u32, ChangeFilter), ValidationError> {
    let after = match after.filter(|a| !a.is_empty()) {
        None => ChangeCursor::START,
        Some(text) => text.parse()?,
    };
    let limit = crate::http::page_limit(limit)?;
    let project = super::project_filter(project)?;
    let kinds = kinds.map(parse_kinds).transpose()?.unwrap_or_default();
    Ok((after, limit, ChangeFilter { project, kinds }))
}

async fn changes(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    query: Result<Query<ChangesQuery>, QueryRejection>,
) -> Result<Response, DialbaseError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let (after, limit, filter) = page_of(
        query.after.as_deref(),
        query.limit.as_deref(),
        query.project.as_deref(),
        query.kinds.as_deref(),
    )
    .map_err(ApiError::Invalid)?;
    let found = state
        .store
        .changes(auth.tenant, after, filter, limit)
        .await
        .map_err(ApiError::from)?;
    let next = found.last().map_or(after, |c| c.cursor);
    let changes: Vec<Value> = found.iter().map(Change::to_json).collect();
    Ok(
        Json(json!({"status": 200, "changes": changes, "count": changes.len(), "next": next.to_string()}))
            .into_response(),
    )
}
