//! Webhooks through Dialbase's own API (docs/changes.md). Errors as the dialer calls give
//! them (`{"status", "error", "code"}`).
//!
//! - `POST /dialbase/v1/webhooks` `{"url", "secret"?, "types"?: ["add", ...], "project"?,
//!   "after"?}` → 201 `{"status": 201, "webhook": {..., "secret"}}`: the secret (generated
//!   when not given) is shown here only. Delivery starts after the feed's last event now,
//!   or after the cursor `after` (`"0"`: every event kept).
//! - `GET /dialbase/v1/webhooks` → `{"status": 200, "webhooks": [...]}`
//! - `DELETE /dialbase/v1/webhooks/{id}` → 200
//! - `GET /dialbase/v1/webhooks/{id}/deliveries?after=&limit=&state=` → the delivery log
//! - `POST /dialbase/v1/webhooks/{id}/deliveries/{delivery}/redeliver` → 200: a dead
//!   delivery goes out again

use super::{DialbaseApi, DialbaseError};
use crate::domain::ValidationError;
use crate::domain::auth::generate_key;
use crate::domain::calldate;
use crate::domain::changes::{ChangeCursor, ChangeFilter, kinds_named};
use crate::domain::webhook::{Delivery, DeliveryState, NewWebhook, Webhook, WebhookUrl, check_secret};
use crate::http::{ApiError, AppState, Authed, json_body, path_id};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, RawPathParams, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dialbase/v1/webhooks", get(list).post(create))
        .route("/dialbase/v1/webhooks/{id}", delete(remove))
        .route("/dialbase/v1/webhooks/{id}/deliveries", get(deliveries))
        .route(
            "/dialbase/v1/webhooks/{id}/deliveries/{delivery}/redeliver",
            post(redeliver),
        )
}

/// Webhooks a tenant may have.
const MAX_WEBHOOKS: usize = 50;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    url: String,
    secret: Option<String>,
    types: Option<Vec<String>>,
    project: Option<i64>,
    after: Option<String>,
}

fn webhook_json(w: &Webhook) -> Value {
    let types: Vec<&str> = w.filter.kinds.iter().map(|k| k.as_str()).collect();
    json!({"id": w.id, "url": w.url, "types": types, "project": w.filter.project,
           "created_at": calldate::from_seconds(w.created_at), "cursor": w.cursor.to_string(),
           "failures": w.failures, "retry_at": (w.failures > 0).then(|| calldate::from_seconds(w.retry_at)),
           "last_error": w.last_error})
}

fn delivery_json(d: &Delivery) -> Value {
    json!({"id": d.id, "cursor": d.cursor, "type": d.kind, "project": d.project, "record": d.record,
           "at": calldate::from_seconds(d.at), "state": d.state.as_str(), "attempts": d.attempts,
           "last_status": d.last_status, "last_error": d.last_error, "updated_at": calldate::from_seconds(d.updated_at)})
}

async fn create(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, DialbaseError> {
    let body: CreateBody = json_body(body)?;
    let url = WebhookUrl::parse(&body.url)?;
    let secret = match body.secret {
        Some(secret) => {
            check_secret(&secret)?;
            secret
        }
        None => generate_key(),
    };
    let kinds = kinds_named(body.types.iter().flatten().map(String::as_str))?;
    let after = body.after.map(|a| a.parse::<ChangeCursor>()).transpose()?;
    if let Some(project) = body.project {
        // A project that is not the tenant's is refused, not watched in vain.
        state
            .store
            .project_schema(auth.tenant, project)
            .await
            .map_err(ApiError::from)?;
    }
    if state.store.webhooks(auth.tenant).await.map_err(ApiError::from)?.len() >= MAX_WEBHOOKS {
        return Err(ValidationError::new("too_many_webhooks", format!("at most {MAX_WEBHOOKS} webhooks")).into());
    }
    let new = NewWebhook {
        url,
        secret: secret.clone(),
        filter: ChangeFilter {
            project: body.project,
            kinds,
        },
        after,
    };
    let webhook = state
        .store
        .create_webhook(auth.tenant, new, calldate::now_seconds())
        .await
        .map_err(ApiError::from)?;
    let mut shown = webhook_json(&webhook);
    shown["secret"] = secret.into();
    Ok((StatusCode::CREATED, Json(json!({"status": 201, "webhook": shown}))).into_response())
}

async fn list(auth: Authed<DialbaseApi>, State(state): State<AppState>) -> Result<Response, DialbaseError> {
    let webhooks = state.store.webhooks(auth.tenant).await.map_err(ApiError::from)?;
    let shown: Vec<Value> = webhooks.iter().map(webhook_json).collect();
    Ok(Json(json!({"status": 200, "webhooks": shown, "count": shown.len()})).into_response())
}

async fn remove(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    params: RawPathParams,
) -> Result<Response, DialbaseError> {
    let id = path_id(&params, "id", "webhook")?;
    state
        .store
        .delete_webhook(auth.tenant, id)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(json!({"status": 200})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogQuery {
    after: Option<i64>,
    limit: Option<String>,
    state: Option<String>,
}

async fn deliveries(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    params: RawPathParams,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Result<Response, DialbaseError> {
    let id = path_id(&params, "id", "webhook")?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let limit = crate::http::page_limit(query.limit.as_deref())?;
    let wanted = query.state.as_deref().map(DeliveryState::parse).transpose()?;
    let found = state
        .store
        .deliveries(auth.tenant, id, query.after.unwrap_or(0), limit, wanted)
        .await
        .map_err(ApiError::from)?;
    let next = (found.len() == limit as usize)
        .then(|| found.last().map(|d| d.id))
        .flatten();
    let shown: Vec<Value> = found.iter().map(delivery_json).collect();
    Ok(Json(json!({"status": 200, "deliveries": shown, "count": shown.len(), "next_after": next})).into_response())
}

async fn redeliver(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    params: RawPathParams,
) -> Result<Response, DialbaseError> {
    let id = path_id(&params, "id", "webhook")?;
    let delivery = path_id(&params, "delivery", "delivery")?;
    state
        .store
        .redeliver(auth.tenant, id, delivery)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(json!({"status": 200})).into_response())
}
