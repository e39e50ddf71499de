//! Do-not-call lists through Dialbase's own API (docs/dialing.md "Do-not-call lists").
//! The list `default` is VCC's Robinson list; any other name (1-64 letters, digits, `_`
//! `-` `.`) is a named list, which exists while it holds entries. Errors are the own API's
//! (`{"status", "error", "code"}`), with `index` for an item at fault.
//!
//! - `GET /dialbase/v1/dnc/lists` → `{"status": 200, "lists": [{"name", "entries", "active"}]}`
//! - `POST /dialbase/v1/dnc/lists/{list}/entries` `{"entries": [{"phone", "expires_at"?,
//!   "source"?, "reason"?}]}` adds or replaces entries, all or nothing → `{"status": 200, "stored": n}`
//! - `DELETE /dialbase/v1/dnc/lists/{list}/entries/{phone}` → 200, or 404 when not listed
//! - `GET /dialbase/v1/dnc/lists/{list}/entries?after=&limit=` → a page in number order
//! - `POST /dialbase/v1/dnc/check` `{"phones": [...]}` or `{"phone": "..."}` → per number
//!   the lists holding it now
//! - `GET /dialbase/v1/dnc/lists/{list}/changes?after=&limit=` → the list's audit, oldest first

use super::{DialbaseApi, DialbaseError, path_text};
use crate::domain::ValidationError;
use crate::domain::calldate;
use crate::domain::contact::normalize_phone;
use crate::domain::dnc::{DncChange, DncEntry, DncList, MAX_ENTRIES_PER_REQUEST, NewDncEntry, last_per_phone};
use crate::http::audit;
use crate::http::clock::RequestNow;
use crate::http::{ApiError, AppState, Authed, json_body};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, RawPathParams, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dialbase/v1/dnc/lists", get(lists))
        .route("/dialbase/v1/dnc/lists/{list}/entries", get(entries).post(add))
        .route("/dialbase/v1/dnc/lists/{list}/entries/{phone}", delete(remove))
        .route("/dialbase/v1/dnc/lists/{list}/changes", get(changes))
        .route("/dialbase/v1/dnc/check", post(check))
}

fn path_list(params: &RawPathParams) -> Result<DncList, DialbaseError> {
    Ok(DncList::parse(path_text(params, "list")).map_err(ApiError::Invalid)?)
}

fn time(seconds: Option<i64>) -> Value {
    seconds.map(calldate::from_seconds).into()
}

fn entry_json(e: &DncEntry) -> Value {
    json!({"list": e.list, "phone": e.phone, "expires_at": time(e.expires_at), "source": e.source,
           "reason": e.reason, "created_by": e.created_by, "created_at": time(e.created_at)})
}

fn change_json(c: &DncChange) -> Value {
    json!({"id": c.id, "list": c.list, "phone": c.phone, "action": c.action.as_str(),
           "expires_at": time(c.expires_at), "source": c.source, "reason": c.reason,
           "changed_by": c.changed_by, "changed_at": time(Some(c.changed_at))})
}

/// `limit` (1-1000, default 100) and the raw `after` of a page request.
fn page(query: Result<Query<HashMap<String, String>>, QueryRejection>) -> Result<(u32, Option<String>), DialbaseError> {
    let Query(mut query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let limit = crate::http::page_limit(query.remove("limit").as_deref())?;
    Ok((limit, query.remove("after").filter(|a| !a.is_empty())))
}

/// A number given as a JSON string or integer.
fn phone_of(item: &Value) -> Result<String, ValidationError> {
    match item {
        Value::String(text) => normalize_phone(text),
        Value::Number(n) => normalize_phone(&n.to_string()),
        _ => Err(ValidationError::new("wrong_phone_format", "a number must be a string")),
    }
}

async fn lists(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    RequestNow(now): RequestNow,
) -> Result<Response, DialbaseError> {
    let lists = state.store.dnc_lists(auth.tenant, now).await?;
    let lists: Vec<Value> = lists
        .iter()
        .map(|l| json!({"name": l.name, "entries": l.entries, "active": l.active}))
        .collect();
    Ok(Json(json!({"status": 200, "lists": lists})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntriesBody {
    entries: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryItem {
    phone: Value,
    expires_at: Option<String>,
    source: Option<String>,
    reason: Option<String>,
}

fn parse_entry(list: &DncList, item: Value) -> Result<NewDncEntry, ValidationError> {
    let item: EntryItem =
        serde_json::from_value(item).map_err(|e| ValidationError::new("wrong_entry", e.to_string()))?;
    let phone = phone_of(&item.phone)?;
    NewDncEntry::parse(
        list,
        &phone,
        item.expires_at.as_deref(),
        item.source.as_deref(),
        item.reason.as_deref(),
    )
}

async fn add(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    RequestNow(now): RequestNow,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, DialbaseError> {
    let list = path_list(&params)?;
    let body: EntriesBody = json_body(body)?;
    if body.entries.len() > MAX_ENTRIES_PER_REQUEST {
        let detail = format!("at most {MAX_ENTRIES_PER_REQUEST} entries per request");
        return Err(DialbaseError::Item {
            index: MAX_ENTRIES_PER_REQUEST,
            error: ValidationError::new("too_many_entries", detail),
        });
    }
    let mut entries = Vec::with_capacity(body.entries.len());
    for (index, item) in body.entries.into_iter().enumerate() {
        entries.push(parse_entry(&list, item).map_err(|error| DialbaseError::Item { index, error })?);
    }
    let entries = last_per_phone(entries);
    let stored = entries.len();
    state
        .store
        .put_dnc_entries(auth.tenant, list.clone(), entries, &auth.user, now)
        .await?;
    let entry = auth.audit("dnc.add", format!("list {}", list.as_str()), json!({"numbers": stored}));
    audit::append(&state, auth.tenant, entry).await;
    Ok(Json(json!({"status": 200, "list": list.as_str(), "stored": stored})).into_response())
}

async fn remove(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    RequestNow(now): RequestNow,
    params: RawPathParams,
) -> Result<Response, DialbaseError> {
    let list = path_list(&params)?;
    let phone = normalize_phone(path_text(&params, "phone"))?;
    let removed = state
        .store
        .remove_dnc_entries(auth.tenant, list.clone(), vec![phone.clone()], &auth.user, now)
        .await?;
    if removed.first().copied().unwrap_or(false) {
        let entry = auth.audit("dnc.remove", format!("list {}", list.as_str()), json!({"phone": phone}));
        audit::append(&state, auth.tenant, entry).await;
        Ok(Json(json!({"status": 200})).into_response())
    } else {
        Err(ApiError::NotFound("entry").into())
    }
}

async fn entries(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    params: RawPathParams,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, DialbaseError> {
    let list = path_list(&params)?;
    let (limit, after) = page(query)?;
    let found = state.store.dnc_entries(auth.tenant, list.clone(), after, limit).await?;
    let next = (found.len() == limit as usize).then(|| found.last().map(|e| e.phone.clone()));
    let entries: Vec<Value> = found.iter().map(entry_json).collect();
    let body = json!({"status": 200, "list": list.as_str(), "entries": entries, "count": entries.len(),
                      "next_after": next.flatten()});
    Ok(Json(body).into_response())
}

async fn changes(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    params: RawPathParams,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, DialbaseError> {
    let list = path_list(&params)?;
    let (limit, after) = page(query)?;
    let after = match after {
        None => 0,
        Some(text) => text
            .parse()
            .map_err(|_| ValidationError::new("wrong_after", "after is the id of a change"))?,
    };
    let found = state.store.dnc_changes(auth.tenant, list.clone(), after, limit).await?;
    let next = (found.len() == limit as usize).then(|| found.last().map(|c| c.id));
    let changes: Vec<Value> = found.iter().map(change_json).collect();
    let body = json!({"status": 200, "list": list.as_str(), "changes": changes, "count": changes.len(),
                      "next_after": next.flatten()});
    Ok(Json(body).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckBody {
    phone: Option<Value>,
    phones: Option<Vec<Value>>,
}

async fn check(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    RequestNow(now): RequestNow,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, DialbaseError> {
    let body: CheckBody = json_body(body)?;
    let items = match (body.phone, body.phones) {
        (Some(one), None) => vec![one],
        (None, Some(many)) => many,
        _ => return Err(ApiError::BadRequest("give phone or phones".into()).into()),
    };
    if items.len() > MAX_ENTRIES_PER_REQUEST {
        let detail = format!("at most {MAX_ENTRIES_PER_REQUEST} numbers per request");
        return Err(DialbaseError::Item {
            index: MAX_ENTRIES_PER_REQUEST,
            error: ValidationError::new("too_many_entries", detail),
        });
    }
    let mut phones = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        phones.push(phone_of(item).map_err(|error| DialbaseError::Item { index, error })?);
    }
    let found = state.store.check_dnc(auth.tenant, phones.clone(), now).await?;
    let mut by_phone: HashMap<&str, Vec<Value>> = HashMap::new();
    for entry in &found {
        by_phone.entry(&entry.phone).or_default().push(entry_json(entry));
    }
    let numbers: Vec<Value> = phones
        .iter()
        .map(|phone| {
            let lists = by_phone.get(phone.as_str()).cloned().unwrap_or_default();
            json!({"phone": phone, "listed": !lists.is_empty(), "lists": lists})
        })
        .collect();
    Ok(Json(json!({"status": 200, "numbers": numbers})).into_response())
}
