//! Projects, fields and field values.

use super::Vcc;
use super::batch::Batch;
use super::envelope::{VccError, json_body, ok, partial, value_error};
use super::payload::{parse_flag, scalar_text};
use crate::domain::ValidationError;
use crate::domain::schema::{
    FieldKind, FieldSpec, NewValue, ProjectSchema, ValueAttributes, validate_field_name, validate_value_name,
    value_name_key,
};
use crate::http::audit;
use crate::http::{ApiError, AppState, Authed, path_id};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawPathParams, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

fn project_json(id: i64, name: &str) -> Value {
    json!({"projectid": id, "name": name, "status": "active", "folderid": 0, "container": false, "folder": ""})
}

pub async fn list_projects(auth: Authed<Vcc>, State(state): State<AppState>) -> Result<Response, VccError> {
    let projects = state.store.list_projects(auth.tenant).await?;
    Ok(ok(projects
        .iter()
        .filter(|p| auth.projects.allows(p.id))
        .map(|p| project_json(p.id, &p.name))
        .collect::<Vec<_>>()))
}

pub async fn create_project(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, VccError> {
    let body = json_body(body)?;
    let name = body.get("name").and_then(scalar_text).unwrap_or_default();
    validate_value_name(&name)?;
    let id = state.store.create_project(auth.tenant, name.trim()).await?;
    let entry = auth.audit("project.create", format!("project {id}"), json!({"name": name.trim()}));
    audit::append(&state, auth.tenant, entry).await;
    Ok(ok(json!(id)))
}

fn schema_json(schema: &ProjectSchema) -> Value {
    schema
        .fields
        .iter()
        .map(|f| {
            let values: Vec<Value> = f
                .values
                .iter()
                .map(|v| {
                    let a = &v.attributes;
                    json!({"valueid": v.id, "name": v.name, "exportvalue": a.exportvalue,
                           "description": a.description, "commission": a.commission, "price": a.price})
                })
                .collect();
            json!({"fieldid": f.id, "name": f.name, "label": f.label, "type": f.kind.as_str(),
                "indexed": yes_no(f.indexed), "customised": yes_no(f.customised), "values": values})
        })
        .collect()
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

/// The dispositions the project's dialing rules define, each with what it does on release
/// (`{"dispositionid": 8, "action": "retry", "after_minutes": 120}`).
fn dispositions_json(schema: &ProjectSchema) -> Value {
    schema
        .rules
        .dispositions
        .iter()
        .map(|(id, action)| {
            let mut disposition = json!({"dispositionid": id});
            if let (Some(object), Ok(Value::Object(action))) =
                (disposition.as_object_mut(), serde_json::to_value(action))
            {
                object.extend(action);
            }
            disposition
        })
        .collect()
}

/// "Get project parameters": the project and its form schema.
pub async fn get_project(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    params: RawPathParams,
) -> Result<Response, VccError> {
    let project = path_id(&params, "projectid", "project")?;
    let (project, schema) = state.store.project_schema(auth.tenant, project).await?;
    let mut body = project_json(project.id, &project.name);
    body["create_date"] = json!(project.created_at);
    body["dispositions"] = dispositions_json(&schema);
    body["fields"] = schema_json(&schema);
    Ok(ok(body))
}

fn wrong_values_format() -> ValidationError {
    ValidationError::new("wrong_values_format", "values must be an array of value objects")
}

/// A value object; VCC Live's own examples spell `export_value` and `comission` too.
fn parse_value(value: &Value) -> Result<NewValue, ValidationError> {
    let object = value.as_object().ok_or_else(wrong_values_format)?;
    let text = |keys: &[&str]| keys.iter().find_map(|k| object.get(*k).and_then(scalar_text));
    let name = text(&["name"]).ok_or_else(|| ValidationError::new("wrong_value_format", "value name is mandatory"))?;
    validate_value_name(&name)?;
    Ok(NewValue {
        name: name.trim().to_string(),
        attributes: ValueAttributes {
            exportvalue: text(&["exportvalue", "export_value"]),
            description: text(&["description"]),
            commission: text(&["commission", "comission"]),
            price: text(&["price"]),
        },
    })
}

fn parse_field(body: &Map<String, Value>) -> Result<FieldSpec, ValidationError> {
    let text = |key: &str| body.get(key).and_then(scalar_text);
    let name = text("name").unwrap_or_default();
    validate_field_name(&name)?;
    let kind = FieldKind::parse(&text("type").unwrap_or_default())?;
    let values = match body.get("values") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if kind.is_list() => items.iter().map(parse_value).collect::<Result<_, _>>()?,
        Some(Value::Array(items)) if items.is_empty() => Vec::new(),
        Some(Value::Array(_)) => {
            return Err(ValidationError::new(
                "wrong_values_format",
                "a text field has no values",
            ));
        }
        Some(_) => return Err(wrong_values_format()),
    };
    let mut names: Vec<String> = values
        .iter()
        .map(|v: &NewValue| value_name_key(&v.name).into_owned())
        .collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return Err(ValidationError::new(
            "value_name_already_exists",
            "a value name is given twice",
        ));
    }
    let flag = |key: &str, code: &'static str| match body.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(flag) => parse_flag(flag).ok_or_else(|| ValidationError::new(code, format!("{key} must be yes or no"))),
    };
    Ok(FieldSpec {
        name,
        label: text("label"),
        kind,
        indexed: flag("indexed", "wrong_indexed_format")?,
        customised: flag("customised", "wrong_customised_format")?,
        values,
    })
}

/// "Add field and values".
pub async fn add_field(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, VccError> {
    let project = path_id(&params, "projectid", "project")?;
    let body = json_body(body)?;
    let object = body
        .as_object()
        .ok_or_else(|| ApiError::BadRequest("the body must be a field object".into()))?;
    let spec = parse_field(object)?;
    let detail = json!({"project": project, "name": spec.name, "type": spec.kind.as_str()});
    let id = state
        .store
        .add_field(auth.tenant, project, spec)
        .await
        .map_err(|e| match e {
            crate::storage::StoreError::Conflict(m) => {
                VccError(ApiError::Invalid(ValidationError::new("field_name_already_exists", m)))
            }
            other => other.into(),
        })?;
    let entry = auth.audit("field.create", format!("field {id}"), detail);
    audit::append(&state, auth.tenant, entry).await;
    Ok(ok(json!(id)))
}

/// "Add new value(s) to a field": per-index results, the rest stored.
pub async fn add_values(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, VccError> {
    let project = path_id(&params, "projectid", "project")?;
    let field = path_id(&params, "fieldid", "field")?;
    let body = json_body(body)?;
    let items = body.as_array().ok_or_else(wrong_values_format)?;
    let mut batch = Batch::rendered(items.iter().map(parse_value).collect(), value_error);
    let stored = state
        .store
        .add_values(auth.tenant, project, field, batch.take())
        .await?;
    batch.settle(stored, |id| json!(id));
    let ids: Vec<&Value> = batch.succeeded().collect();
    if !ids.is_empty() {
        let entry = auth.audit(
            "value.create",
            format!("field {field}"),
            json!({"project": project, "values": ids}),
        );
        audit::append(&state, auth.tenant, entry).await;
    }
    // The vendor answers a plain list when all succeeded and an index-keyed object otherwise.
    Ok(batch.into_list_or_object())
}

/// A refused value of "Modify value(s) of a field": 417 with the vendor's item error,
/// which names the property at fault.
fn value_refused(e: &ValidationError) -> Response {
    partial(json!(false), vec![value_error(0, e)], 0)
}

/// "Modify value(s) of a field".
pub async fn modify_value(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    params: RawPathParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, VccError> {
    let project = path_id(&params, "projectid", "project")?;
    let field = path_id(&params, "fieldid", "field")?;
    let value = path_id(&params, "valueid", "value")?;
    let new = match parse_value(&json_body(body)?) {
        Ok(new) => new,
        Err(e) => return Ok(value_refused(&e)),
    };
    let detail = json!({"project": project, "field": field, "name": new.name});
    let result = state
        .store
        .modify_values(auth.tenant, project, field, vec![(value, new)])
        .await?;
    // The value is named by the path: a missing one is 404, as for "Delete a value".
    match result.into_iter().next() {
        Some(Err(e)) if e.code == "value_not_exists" => Err(ApiError::NotFound("value").into()),
        Some(Err(e)) => Ok(value_refused(&e)),
        _ => {
            let entry = auth.audit("value.modify", format!("value {value}"), detail);
            audit::append(&state, auth.tenant, entry).await;
            Ok(ok(json!(true)))
        }
    }
}

/// "Delete a value": also removes it from the records that held it.
pub async fn delete_value(
    auth: Authed<Vcc>,
    State(state): State<AppState>,
    params: RawPathParams,
) -> Result<Response, VccError> {
    let project = path_id(&params, "projectid", "project")?;
    let field = path_id(&params, "fieldid", "field")?;
    let value = path_id(&params, "valueid", "value")?;
    state.store.delete_value(auth.tenant, project, field, value).await?;
    let entry = auth.audit(
        "value.delete",
        format!("value {value}"),
        json!({"project": project, "field": field}),
    );
    audit::append(&state, auth.tenant, entry).await;
    Ok(ok(json!(true)))
}
