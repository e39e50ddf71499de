//! API keys through Dialbase's own API, for admin keys that are not limited to projects
//! (docs/operations.md). Errors as the dialer calls give them (`{"status", "error"}`).
//!
//! - `GET /dialbase/v1/keys` → `{"status": 200, "keys": [{"id", "user", "role", "projects",
//!   "created_at", "revoked_at"}]}` (never a key itself)
//! - `POST /dialbase/v1/keys` `{"user", "role"?, "projects"?}` → 201 `{"status": 201, "key":
//!   {...}, "secret": "..."}`: the only time the key is shown
//! - `DELETE /dialbase/v1/keys/{id}` → `{"status": 200, "key": {...}}`; it stops working at once

use super::{DialbaseApi, DialbaseError};
use crate::domain::auth::{generate_key, hash_key};
use crate::domain::keys::{ProjectScope, Role};
use crate::domain::tenant::validate_user_name;
use crate::http::{AppState, Authed, json_body, path_id};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawPathParams, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dialbase/v1/keys", get(list).post(create))
        .route("/dialbase/v1/keys/{id}", delete(revoke))
}

async fn list(auth: Authed<DialbaseApi>, State(state): State<AppState>) -> Result<Response, DialbaseError> {
    let keys = state.store.list_keys(auth.tenant).await?;
    Ok(Json(json!({"status": 200, "keys": keys})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    user: String,
    role: Option<String>,
    projects: Option<Vec<i64>>,
}

async fn create(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, DialbaseError> {
    let body: NewKey = json_body(body)?;
    validate_user_name(&body.user)?;
    let role = Role::parse(body.role.as_deref().unwrap_or("read-write"))?;
    let projects = ProjectScope::from_ids(body.projects)?;
    let secret = generate_key();
    let by = auth.audit("key.create", String::new(), serde_json::Value::Null);
    let key = state
        .store
        .create_key(auth.tenant, &body.user, &hash_key(&secret), role, projects, by)
        .await?;
    let body = json!({"status": 201, "key": key, "secret": secret});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn revoke(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    params: RawPathParams,
) -> Result<Response, DialbaseError> {
    let id = path_id(&params, "id", "key")?;
    let by = auth.audit("key.revoke", String::new(), serde_json::Value::Null);
    let key = state.store.revoke_key(auth.tenant, id, by).await?;
    Ok(Json(json!({"status": 200, "key": key})).into_response())
}
