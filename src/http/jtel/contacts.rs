//! The dialler-contact calls. A contact is named by its id in the path or by `?userData=`;
//! where several contacts share the user data, delete, lock and unlock take the lowest id
//! (jtel only says "the first one found"), and get returns them all in id order.

use super::Jtel;
use super::campaigns::named_campaign;
use super::envelope::{JtelError, done, records};
use super::fields::{CAMPAIGN, NEW_CONTACT_PHONES, check_new, checked_value, contact_json, form_name, parse_contact};
use super::listing::{self, Paging};
use crate::domain::ValidationError;
use crate::domain::calldate;
use crate::domain::resolve::resolve_batch;
use crate::http::audit;
use crate::http::{ApiError, AppState, Authed, MAX_BATCH_ITEMS, json_body, path_id, too_many_items};
use crate::storage::{RecordKey, RecordQuery, RecordTarget, RecordUpdate, StoreError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{MatchedPath, Query, RawPathParams, State};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::HashMap;

type Params = Query<HashMap<String, String>>;

fn key_of(params: &RawPathParams, query: &HashMap<String, String>) -> Result<RecordKey, ApiError> {
    if params.iter().any(|(name, _)| name == "id") {
        return path_id(params, "id", "record").map(RecordKey::Id);
    }
    match query.get("userData") {
        Some(data) if !data.is_empty() => Ok(RecordKey::UserData(data.clone())),
        _ => Err(ApiError::BadRequest(
            "name the contact by its id in the path or by ?userData=".into(),
        )),
    }
}

/// By id: the contact; by user data: every contact holding it.
pub async fn get(
    auth: Authed<Jtel>,
    State(state): State<AppState>,
    params: RawPathParams,
    Query(query): Params,
) -> Result<Response, JtelError> {
    let found = state.store.find_records(auth.tenant, key_of(&params, &query)?).await?;
    if found.is_empty() {
        return Err(ApiError::NotFound("record").into());
    }
    Ok(records(found.iter().map(contact_json).collect()))
}

/// Deletes the contact with its values, contacts and call results.
pub async fn delete(
    auth: Authed<Jtel>,
    State(state): State<AppState>,
    params: RawPathParams,
    Query(query): Params,
) -> Result<Response, JtelError> {
    let id = state.store.delete_record(auth.tenant, key_of(&params, &query)?).await?;
    audit::append(
        &state,
        auth.tenant,
        auth.audit("record.delete", format!("record {id}"), json!({})),
    )
    .await;
    Ok(done())
}

/// Lock or unlock, as the path ends: `/lock`, or `/unlock` and `/lockunlock`.
pub async fn set_lock(
    auth: Authed<Jtel>,
    State(state): State<AppState>,
    path: MatchedPath,
    params: RawPathParams,
    Query(query): Params,
) -> Result<Response, JtelError> {
    let locked = path.as_str().ends_with("/lock");
    state
        .store
        .set_locked(auth.tenant, key_of(&params, &query)?, locked)
        .await?;
    Ok(done())
}

fn at(index: usize, e: ValidationError) -> ApiError {
    ApiError::Invalid(ValidationError {
        detail: format!("contact {index}: {}", e.detail),
        ..e
    })
}

/// Inserts one contact or an array of them, all into one campaign and all or none: every
/// contact is checked (also against the campaign's fields) before anything is written. Only a
/// field created with another kind between that check and the write could still fail an item.
pub async fn insert(
    auth: Authed<Jtel>,
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, JtelError> {
    let body: Value = json_body(body)?;
    let items: Vec<&Value> = match &body {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    if items.len() > MAX_BATCH_ITEMS {
        return Err(too_many_items(items.len()).into());
    }
    let mut campaign = None;
    let mut writes = Vec::with_capacity(items.len());
    // Each campaign name (with the id beside it, if any) is looked up once.
    let mut by_name: HashMap<(Option<i64>, String), i64> = HashMap::new();
    for (index, item) in items.into_iter().enumerate() {
        let mut input = parse_contact(item).map_err(|e| at(index, e))?;
        check_new(&input, NEW_CONTACT_PHONES).map_err(|e| at(index, e))?;
        input.drop_needless_clears(|_| false);
        let reference = input.campaign_name.take().map(|name| (input.campaign, name));
        let named = match reference.as_ref().and_then(|r| by_name.get(r)) {
            Some(&id) => id,
            None => {
                input.campaign_name = reference.as_ref().map(|(_, name)| name.clone());
                let id = named_campaign(&state, auth.tenant, &input).await.map_err(|e| match e {
                    ApiError::Invalid(e) => at(index, e),
                    other => other,
                })?;
                by_name.extend(reference.map(|r| (r, id)));
                id
            }
        };
        if *campaign.get_or_insert(named) != named {
            let e = ValidationError::new("wrong_campaign", format!("every contact must name the same {CAMPAIGN}"));
            return Err(at(index, e).into());
        }
        writes.push(input.write);
    }
    let campaign = campaign.ok_or_else(|| ApiError::BadRequest("no contact given".into()))?;
    auth.allow_project(campaign)?;
    let (_, schema) = state.store.project_schema(auth.tenant, campaign).await?;
    let (resolved, _) = resolve_batch(&schema, writes.iter().map(|w| w.form.as_slice()));
    if let Some((index, e)) = resolved
        .into_iter()
        .enumerate()
        .find_map(|(i, r)| r.err().map(|e| (i, e)))
    {
        return Err(at(index, e).into());
    }
    let stored = match state.store.insert_records(auth.tenant, campaign, writes, true).await {
        Err(StoreError::Rejected(index, e)) => return Err(at(index, e).into()),
        other => other?,
    };
    let ids = stored
        .into_iter()
        .enumerate()
        .map(|(index, id)| id.map(|id| json!({"DiallerContactsID": id})).map_err(|e| at(index, e)))
        .collect::<Result<_, _>>()?;
    Ok(records(ids))
}

/// Sets the fields the body names (null clears one) and answers the updated contact.
pub async fn update(
    auth: Authed<Jtel>,
    State(state): State<AppState>,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, JtelError> {
    let id = path_id(&params, "id", "record")?;
    let mut input = parse_contact(&json_body(body)?)?;
    let key = RecordKey::Id(id);
    let current = state.store.find_records(auth.tenant, key.clone()).await?;
    let project = current.first().ok_or(ApiError::NotFound("record"))?.project_id;
    if input.campaign.is_some_and(|named| named != project) {
        let e = ValidationError::new("wrong_campaign", "a contact cannot move to another campaign");
        return Err(e.into());
    }
    let (campaign, schema) = state.store.project_schema(auth.tenant, project).await?;
    if input.campaign_name.as_ref().is_some_and(|name| *name != campaign.name) {
        let e = ValidationError::new("wrong_campaign", "a contact cannot move to another campaign");
        return Err(e.into());
    }
    input.drop_needless_clears(|name| schema.field(name).is_some());
    let update = RecordUpdate {
        target: RecordTarget::Id(id),
        write: input.write,
    };
    match state
        .store
        .update_records(auth.tenant, project, vec![update])
        .await?
        .pop()
    {
        Some(Err(e)) if e.code == "record_not_exists" => return Err(ApiError::NotFound("record").into()),
        Some(Err(e)) => return Err(e.into()),
        _ => {}
    }
    let updated = state.store.find_records(auth.tenant, key).await?;
    Ok(records(updated.iter().map(contact_json).collect()))
}

/// The contacts of `diallerCampaignsID`, or of every campaign (campaign by campaign, each in id
/// order), paged by `limitStart` and `limitPageSize` (`listing`). Any other parameter filters
/// on a field by its jtel name; a `%` matches any run of characters.
pub async fn list(
    auth: Authed<Jtel>,
    State(state): State<AppState>,
    Query(query): Params,
) -> Result<Response, JtelError> {
    let paging = Paging::parse(&query, "DiallerContactsID")?;
    let (start, limit) = (paging.start, paging.size());
    let campaign = query.get("diallerCampaignsID").map(|id| {
        id.parse::<i64>()
            .map_err(|_| ApiError::BadRequest("diallerCampaignsID must be an integer".into()))
    });
    let updated_since = query
        .get("updated_since")
        .map(|text| calldate::parse_moment(text))
        .transpose()?;
    let mut search = Vec::new();
    let mut filter = Vec::new();
    for (key, value) in &query {
        match key.as_str() {
            "diallerCampaignsID" | "updated_since" => continue,
            key if listing::PARAMETERS.contains(&key) => continue,
            "UserData" | "userData" => {
                return Err(ApiError::BadRequest(
                    "find contacts by user data with GET /dialler/contacts/contact?userData=".into(),
                )
                .into());
            }
            _ if value.contains('%') => search.push((form_name(key), value.clone())),
            _ => search.push((form_name(key), checked_value(key, value)?)),
        }
        filter.push(format!("{key}={value}"));
    }
    search.sort();
    filter.sort();
    let projects = match campaign {
        Some(id) => vec![id?],
        None => state
            .store
            .list_projects(auth.tenant)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect(),
    };
    let (mut found, mut total) = (Vec::new(), 0);
    for project in projects {
        let query = RecordQuery {
            search: search.clone(),
            offset: start.saturating_sub(total),
            limit: limit - found.len() as u64,
            updated_since,
        };
        let (page, count) = state.store.list_records(auth.tenant, project, query).await?;
        found.extend(page);
        total += count;
    }
    let records = found.iter().map(contact_json).collect();
    Ok(paging.envelope(filter.join("&"), records, total))
}
