//! Records: add, list, details, modify, batch modify, contacts and dispositions.

use super::Vcc;
use super::batch::Batch;
use super::envelope::{VccError, item_error, json_body, json_items, ok, partial};
use super::payload::{
    parse_contact, parse_disposition, parse_form, parse_record, parse_record_attributes, parse_record_fast, scalar_id,
    scalar_text,
};
use super::record_body::VccRecord;
use crate::domain::ValidationError;
use crate::domain::calldate;
use crate::domain::record::{RecordWrite, parse_contact_slot, validate_contact, validate_phone_field};
use crate::http::audit;
use crate::http::{ApiError, AppState, Authed, path_id};
use crate::http::{MAX_BATCH_ITEMS, too_many_items};
use crate::storage::{RecordQuery, RecordTarget, RecordUpdate};
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
    let mut batch = Batch::new(json_items(body, parse_record_fast, parse_record)?);
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
    update_one(&state, auth.tenant, project, record, write).await
}

async fn update_one(
    state: &AppState,
    tenant: i64,
    project: i64,
    record: i64,
    write: RecordWrite,
) -> Result<Response, VccError> {
    let update = RecordUpdate {
        target: RecordTarget::Id(record),
        write,
    };
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
    let response = update_one(&state, auth.tenant, project, record, disposition_write(object)?).await?;
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

fn disposition_target(element: &Map<String, Value>) -> Result<RecordTarget, ValidationError> {
    let missing = missing_target;
    if let Some(id) = element.get("numberid").filter(|v| !v.is_null()) {
        return scalar_id(id).map(RecordTarget::Id).ok_or_else(missing);
    }
    let search = element.get("search").and_then(Value::as_object).ok_or_else(missing)?;
    if let Some(id) = search.get("numberid") {
        return scalar_id(id).map(RecordTarget::Id).ok_or_else(missing);
    }
    let disposition_id = search.get("act_status").and_then(scalar_id);
    let user_id = search.get("pref_userid").and_then(scalar_text);
    if disposition_id.is_none() && user_id.is_none() {
        return Err(missing());
    }
    Ok(RecordTarget::LastDisposition {
        disposition_id,
        user_id,
    })
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
            target: disposition_target(element)?,
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
