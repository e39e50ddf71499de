//! The audit log through Dialbase's own API, for admin keys not limited to projects:
//! `GET /dialbase/v1/audit?after=&limit=` → `{"status": 200, "entries": [{"id", "at", "user",
//! "source", "action", "target", "detail"}], "next_after": id}`, oldest first; `next_after` is the
//! `after` of the following page (absent at the end). Handlers append with `http::audit::append`.

use super::{DialbaseApi, DialbaseError};
use crate::domain::ValidationError;
use crate::domain::audit::MAX_PAGE;
use crate::http::{AppState, Authed};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::collections::HashMap;

const DEFAULT_PAGE: u32 = 100;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dialbase/v1/audit", get(list))
}

async fn list(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, DialbaseError> {
    let number = |name: &str, default: i64, min: i64, max: i64| -> Result<i64, ValidationError> {
        match query.get(name).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    ValidationError::new(
                        "wrong_parameter",
                        format!("{name} must be a number from {min} to {max}"),
                    )
                }),
        }
    };
    let after = number("after", 0, 0, i64::MAX)?;
    let limit = number("limit", DEFAULT_PAGE.into(), 1, MAX_PAGE.into())? as u32;
    let entries = state.store.audit_log(auth.tenant, after, limit).await?;
    let mut body = json!({"status": 200, "entries": entries});
    if entries.len() == limit as usize
        && let Some(last) = entries.last()
    {
        body["next_after"] = json!(last.id);
    }
    Ok(Json(body).into_response())
}
