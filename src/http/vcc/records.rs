//! Records: add, list, details, modify, batch modify, contacts and dispositions.

use super::Vcc;
use super::batch::Batch;
use super::envelope::{VccError, item_error, json_body, json_items, ok, partial};
use super::payload::{
    parse_contact, parse_disposition, parse_flag, parse_form, parse_record, parse_record_attributes, parse_record_fast,
    parse_records_fast, scalar_id, scalar_text,
};
use super::record_body::VccRecord;
use crate::domain::ValidationError;
use crate::domain::calldate;
use crate::domain::record::{RecordWrite, parse_contact_slot, validate_contact, validate_phone_field};
use crate::http::audit;
use crate::http::{ApiError, AppState, Authed, path_id};
use crate::http::{MAX_BATCH_ITEMS, too_many_items};
use crate::storage::{DispositionMatch, RecordQuery, RecordTarget, RecordUpdate};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, RawPathParams, State};
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// "Add record": one object or an array; valid items are stored, the others reported.
/// The ids answer a plain list when every item was stored, else an object keyed by the
/// item's request index (`{"0": 4, "2": 5}`), as the vendor's "Add new value(s)" does.
pub async fn add_records(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, VccError> {
    let project = path_id(&params, "projectid", "project")?;
    let mut batch = Batch::new(json_items(body, parse_records_fast, parse_record_fast, parse_record)?);
    let stored = state
        .store
        .insert_records(auth.tenant, project, batch.take(), false)
        .await?;
    batch.settle(stored, |id| json!(id));
    Ok(batch.into_list_or_object())
}

fn elements_of(body: &Value) -> Result<&Vec<Value>, ApiError> {
    let elements = body
        .get("elements")
        .and_then(Value::as_array)
        .ok_or_else(|| ValidationError::new("missing_elements", "elements must be an array"))?;
    if elements.len() > MAX_BATCH_ITEMS {
        return Err(too_many_items(elements.len()));
    }
    Ok(elements)
}

fn missing_target() -> ValidationError {
    ValidationError::new("missing_numberid_or_search", "give either numberid or search")
}

fn target_of(element: &Map<String, Value>) -> Result<RecordTarget, ValidationError> {
    let missing = missing_target;
    match (
        element.get("numberid").filter(|v| !v.is_null()),
        element.get("search").filter(|v| !v.is_null()),
    ) {
        (Some(id), None) => scalar_id(id).map(RecordTarget::Id).ok_or_else(missing),
        (None, Some(Value::Object(search))) if !search.is_empty() => {
            let pairs = search
                .iter()
                .map(|(k, v)| scalar_text(v).map(|v| (k.clone(), v)).ok_or_else(missing))
                .collect::<Result<_, _>>()?;
            Ok(RecordTarget::Search(pairs))
        }
        _ => Err(missing()),
    }
}

/// "Batch record modification": `default` applies to every element, an element's own form wins.
pub async fn batch_modify(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, VccError> {
    let project = path_id(&params, "projectid", "project")?;
    let body = json_body(body)?;
    let elements = elements_of(&body)?;
    let default = match body.get("default") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(d)) => parse_form(d)?,
        Some(_) => return Err(ValidationError::new("wrong_form_format", "default must be an object").into()),
    };
    let parse = |element: &Value| -> Result<RecordUpdate, ValidationError> {
        let element = element
            .as_object()
            .ok_or_else(|| ValidationError::new("wrong_element_format", "an element must be an object"))?;
        let target = target_of(element)?;
        let own = match element.get("form") {
            Some(Value::Object(form)) => parse_form(form)?,
            None | Some(Value::Null) if !default.is_empty() => Vec::new(),
            _ => return Err(ValidationError::new("missing_form", "form is mandatory")),
        };
        let mut form: Vec<_> = default
            .iter()
            .filter(|(k, _)| !own.iter().any(|(o, _)| o == k))
            .cloned()
            .collect();
        form.extend(own);
        Ok(RecordUpdate {
            target,
            write: RecordWrite {
                form,
                ..Default::default()
            },
        })
    };
    run_updates(&state, auth.tenant, project, elements.iter().map(parse).collect()).await
}

/// Applies parsed updates in one transaction; answers `{"<index>": true}` for each that applied.
async fn run_updates(
    state: &AppState,
    tenant: i64,
    project: i64,
    parsed: Vec<Result<RecordUpdate, ValidationError>>,
) -> Result<Response, VccError> {
    let mut batch = Batch::new(parsed);
    let results = state.store.update_records(tenant, project, batch.take()).await?;
    batch.settle(results, |_| json!(true));
    Ok(batch.into_object())
}

/// "Get detailed record information".
pub async fn get_record(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    params: RawPathParams,
) -> Result<Response, VccError> {
    let project = path_id(&params, "projectid", "project")?;
    let record = path_id(&params, "numberid", "record")?;
    let record = state.store.get_record(auth.tenant, project, record).await?;
    Ok(ok(VccRecord(&record)))
}

pub const MAX_PAGE: u64 = 1000;

/// "List records": `limit` (default 100, at most 1000) and `offset` page through the
/// project in numberid order; every other query parameter filters on a field's value.
pub async fn list_records(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    params: RawPathParams,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, VccError> {
    let project = path_id(&params, "projectid", "project")?;
    let number = |key: &str, default: u64| -> Result<u64, VccError> {
        query.get(key).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| ApiError::BadRequest(format!("{key} must be a non-negative integer")).into())
        })
    };
    let limit = number("limit", 100)?.min(MAX_PAGE);
    let offset = number("offset", 0)?;
    let updated_since = query
        .get("updated_since")
        .map(|text| calldate::parse_moment(text))
        .transpose()?;
    let mut search: Vec<(String, String)> = query
        .iter()
        .filter(|(k, _)| !["limit", "offset", "updated_since"].contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    search.sort();
    let query = RecordQuery {
        search,
        offset,
        limit,
        updated_since,
    };
    let (records, total) = state.store.list_records(auth.tenant, project, query).await?;
    let page: Vec<VccRecord> = records.iter().map(VccRecord).collect();
    let mut body = ok(page);
    body.headers_mut().insert("X-Total-Count", total.into());
    Ok(body)
}

/// "Modify record": a flat object of field values (the vendor's shape), or an "Add
/// record"-shaped object with `form`; `?next_contact=phoneN` sets the number to dial next.
pub async fn modify_record(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    params: RawPathParams,
    Query(query): Query<HashMap<String, String>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, VccError> {
    let project = path_id(&params, "projectid", "project")?;
    let record = path_id(&params, "numberid", "record")?;
    let body = json_body(body)?;
    let object = body
        .as_object()
        .ok_or_else(|| ValidationError::new("wrong_record_format", "the body must be an object"))?;
    let mut write = match object.get("form") {
        Some(Value::Object(form)) => RecordWrite {
            form: parse_form(form)?,
            ..parse_record_attributes(object)?
        },
        _ => RecordWrite {
            form: parse_form(object)?,
            ..Default::default()
        },
    };
    if let Some(next) = query.get("next_contact") {
        write.phone_field = Some(validate_phone_field(next)?);
    }
    update_one(&state, auth.tenant, project, RecordTarget::Id(record), write).await
}

async fn update_one(
    state: &AppState,
    tenant: i64,
    project: i64,
    target: RecordTarget,
    write: RecordWrite,
) -> Result<Response, VccError> {
    let update = RecordUpdate { target, write };
    match state.store.update_records(tenant, project, vec![update]).await?.pop() {
        Some(Err(e)) if e.code == "record_not_exists" => Err(ApiError::NotFound("record").into()),
        Some(Err(e)) => Err(e.into()),
        _ => Ok(ok(json!(true))),
    }
}

/// "Modify contact". The vendor's error example reports contact 2 at index 1, so the
/// index is the contact number less one.
pub async fn modify_contact(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, VccError> {
    let project = path_id(&params, "projectid", "project")?;
    let record = path_id(&params, "numberid", "record")?;
    let key = params
        .iter()
        .find(|(k, _)| *k == "contact")
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    let body = json_body(body)?;
    let slot = match parse_contact_slot(&key) {
        Ok(slot) => slot,
        Err(e) => return Ok(partial(json!(false), vec![item_error(0, &e)], 0)),
    };
    let index = usize::from(slot - 1);
    let contact = match parse_contact(&body).and_then(|input| validate_contact(slot, input, false)) {
        Ok(contact) => contact,
        Err(e) => return Ok(partial(json!(false), vec![item_error(index, &e)], 0)),
    };
    match state.store.modify_contact(auth.tenant, project, record, contact).await {
        Ok(()) => Ok(ok(json!(true))),
        Err(crate::storage::StoreError::Invalid(e)) => Ok(partial(json!(false), vec![item_error(index, &e)], 0)),
        Err(e) => Err(e.into()),
    }
}

/// A disposition element: `dispositionid`, `userid`, `next_calldate`, `description`, `next_contactid`.
fn disposition_write(object: &Map<String, Value>) -> Result<RecordWrite, ValidationError> {
    let mut disposition = parse_disposition(&Value::Object(object.clone()))?;
    disposition.description = object.get("description").and_then(scalar_text);
    let phone_field = match object.get("next_contactid").filter(|v| !v.is_null()) {
        Some(n) => Some(validate_phone_field(&format!(
            "phone{}",
            scalar_text(n).unwrap_or_default()
        ))?),
        None => None,
    };
    Ok(RecordWrite {
        phone_field,
        disposition: Some(disposition),
        ..Default::default()
    })
}

/// "Add disposition".
pub async fn add_disposition(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, VccError> {
    let project = path_id(&params, "projectid", "project")?;
    let record = path_id(&params, "numberid", "record")?;
    let body = json_body(body)?;
    let object = body
        .as_object()
        .ok_or_else(|| ValidationError::new("wrong_disposition_format", "the body must be an object"))?;
    let target = unless_handled(avoid_in_call(&body)?, RecordTarget::Id(record));
    let response = update_one(&state, auth.tenant, project, target, disposition_write(object)?).await?;
    if response.status().is_success() {
        let entry = auth.audit(
            "disposition.add",
            format!("record {record}"),
            Value::Object(object.clone()),
        );
        audit::append(&state, auth.tenant, entry).await;
    }
    Ok(response)
}

/// The records a batch disposition element names: `numberid`, or `search` (one object, or
/// an array of them: any object matches, each with all its keys).
fn disposition_target(element: &Map<String, Value>) -> Result<RecordTarget, ValidationError> {
    if let Some(id) = element.get("numberid").filter(|v| !v.is_null()) {
        return scalar_id(id).map(RecordTarget::Id).ok_or_else(missing_target);
    }
    let matches = match element.get("search") {
        Some(Value::Object(search)) => vec![disposition_match(search)?],
        Some(Value::Array(searches)) if !searches.is_empty() => searches
            .iter()
            .map(|search| {
                search
                    .as_object()
                    .ok_or_else(missing_target)
                    .and_then(disposition_match)
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(missing_target()),
    };
    Ok(RecordTarget::Dispositions(matches))
}

/// One `search` object: `numberid`, `act_status` (the latest disposition's id) and
/// `pref_userid` (its user), all of which must match; any other key is refused.
fn disposition_match(search: &Map<String, Value>) -> Result<DispositionMatch, ValidationError> {
    let mut found = DispositionMatch::default();
    for (key, value) in search {
        let wrong = || missing_target().on_property(key);
        match key.as_str() {
            "numberid" => found.record = Some(scalar_id(value).ok_or_else(wrong)?),
            "act_status" => found.disposition_id = Some(scalar_id(value).ok_or_else(wrong)?),
            "pref_userid" => found.user_id = Some(scalar_text(value).ok_or_else(wrong)?),
            _ => return Err(wrong()),
        }
    }
    if found == DispositionMatch::default() {
        return Err(missing_target());
    }
    Ok(found)
}

/// VCC Live's `avoid_in_call`: leave records being handled (claimed by a dialer under a live
/// lease, or locked) alone.
fn avoid_in_call(body: &Value) -> Result<bool, ValidationError> {
    match body.get("avoid_in_call") {
        None | Some(Value::Null) => Ok(false),
        Some(flag) => parse_flag(flag)
            .ok_or_else(|| ValidationError::new("wrong_avoid_in_call", "avoid_in_call must be true or false")),
    }
}

fn unless_handled(avoid_in_call: bool, target: RecordTarget) -> RecordTarget {
    if avoid_in_call {
        RecordTarget::NotHandled(Box::new(target))
    } else {
        target
    }
}

/// "Batch disposition modification": `disposition` holds defaults for every element.
pub async fn batch_dispositions(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, VccError> {
    let project = path_id(&params, "projectid", "project")?;
    let body = json_body(body)?;
    let elements = elements_of(&body)?;
    let avoid = avoid_in_call(&body)?;
    let defaults = body
        .get("disposition")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let parse = |element: &Value| -> Result<RecordUpdate, ValidationError> {
        let element = element
            .as_object()
            .ok_or_else(|| ValidationError::new("wrong_element_format", "an element must be an object"))?;
        let mut merged = defaults.clone();
        merged.extend(
            element
                .iter()
                .filter(|(k, _)| *k != "search" && *k != "numberid")
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        Ok(RecordUpdate {
            target: unless_handled(avoid, disposition_target(element)?),
            write: disposition_write(&merged)?,
        })
    };
    let response = run_updates(&state, auth.tenant, project, elements.iter().map(parse).collect()).await?;
    if response.status().is_success() {
        let detail = json!({"elements": elements.len(), "disposition": defaults});
        let entry = auth.audit("disposition.modify", format!("project {project}"), detail);
        audit::append(&state, auth.tenant, entry).await;
    }
    Ok(response)
}
