//! The Robinson (do-not-call) list, per tenant. A listed number is flagged on every
//! record that holds it and is never handed out for dialling.
//! `POST /v2/robinson` takes `{"phone": "..."}`, `{"phones": [...]}` or a bare array;
//! `DELETE /v2/robinson/{phone}` removes one number.

use super::Vcc;
use super::batch::Batch;
use super::envelope::{VccError, json_body, ok};
use super::payload::scalar_text;
use crate::domain::ValidationError;
use crate::domain::contact::normalize_phone;
use crate::domain::dnc::{DncList, NewDncEntry};
use crate::http::audit;
use crate::http::{ApiError, AppState, Authed, MAX_BATCH_ITEMS, too_many_items};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

fn phones_of(body: &Value) -> Option<Vec<Value>> {
    match body {
        Value::Array(items) => Some(items.clone()),
        Value::Object(o) => match (o.get("phone"), o.get("phones")) {
            (Some(one), None) => Some(vec![one.clone()]),
            (None, Some(Value::Array(many))) => Some(many.clone()),
            _ => None,
        },
        _ => None,
    }
}

pub async fn add(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, VccError> {
    let body = json_body(body)?;
    let items =
        phones_of(&body).ok_or_else(|| ApiError::BadRequest("give phone, phones or an array of numbers".into()))?;
    if items.len() > MAX_BATCH_ITEMS {
        return Err(too_many_items(items.len()).into());
    }
    let parsed = items.iter().map(|item| {
        scalar_text(item)
            .ok_or_else(|| ValidationError::new("wrong_phone_format", "a number must be a string"))
            .and_then(|text| normalize_phone(&text))
    });
    let mut batch = Batch::new(parsed.collect());
    let phones = batch.take();
    let added = phones.len();
    // The Robinson list is the do-not-call list `default`: the change is audited as such.
    let entries = phones
        .into_iter()
        .map(|phone| NewDncEntry {
            phone,
            expires_at: None,
            source: Some("vcc".into()),
            reason: None,
        })
        .collect();
    let (list, by) = (DncList::robinson(), auth.user.as_str());
    state
        .store
        .put_dnc_entries(auth.tenant, list, entries, by, None)
        .await?;
    if added > 0 {
        let entry = auth.audit("dnc.add", "list default".into(), json!({"numbers": added}));
        audit::append(&state, auth.tenant, entry).await;
    }
    batch.settle_all();
    Ok(batch.finish(json!(added > 0)))
}

pub async fn delete(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    Path(params): Path<std::collections::HashMap<String, String>>,
) -> Result<Response, VccError> {
    let phone = params
        .get("phone")
        .map(|p| normalize_phone(p))
        .transpose()?
        .unwrap_or_default();
    let removed = state
        .store
        .remove_dnc_entries(auth.tenant, DncList::robinson(), vec![phone.clone()], &auth.user, None)
        .await?;
    if removed.first().copied().unwrap_or(false) {
        let entry = auth.audit("dnc.remove", "list default".into(), json!({"phone": phone}));
        audit::append(&state, auth.tenant, entry).await;
        Ok(ok(json!(true)))
    } else {
        Err(ApiError::NotFound("number").into())
    }
}
