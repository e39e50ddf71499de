//! A project's fields and their list values: add a field, add, rename and delete values.

use super::error::ConsoleError;
use super::page::{self, project_tabs, with_notice};
use super::projects::NoticeQuery;
use super::session::Console;
use crate::domain::schema::{FieldKind, FieldSpec, NewValue, validate_field_name};
use crate::http::{ApiError, AppState, path_id};
use axum::Form;
use axum::extract::{Query, RawPathParams, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

pub async fn page(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, ConsoleError> {
    let project = path_id(&params, "project", "project")?;
    let (info, schema) = state.store.project_schema(console.tenant, project).await?;
    let base = format!("{}/projects/{project}/fields", console.base);
    let csrf = &console.csrf;
    let body = html! {
        (project_tabs(&console, project, &info.name, "fields"))
        (query.notice())
        @if schema.fields.is_empty() { p { "No fields yet: add one below, or import a CSV (its header names the fields)." } }
        @for field in &schema.fields {
            section class="card" {
                h2 { (field.name) " " span class="badge" { (field.kind.as_str()) } @if field.indexed { " " span class="badge" { "indexed" } } }
                @if let Some(label) = &field.label { p class="muted" { (label) } }
                @if field.kind.is_list() {
                    @if field.values.is_empty() { p class="muted" { "No values yet." } }
                    @for value in &field.values {
                        div class="inline" style="margin-bottom:.35rem; display:flex; flex-wrap:wrap; gap:.5rem" {
                            form method="post" action={ (base) "/" (field.id) "/values/" (value.id) "/rename" } class="row" {
                                input type="hidden" name="csrf" value=(csrf);
                                label for={ "value-" (value.id) } class="visually-hidden" { "Value " (value.id) }
                                input id={ "value-" (value.id) } name="name" type="text" value=(value.name) required;
                                button type="submit" class="secondary" { "Rename" }
                            }
                            form method="post" action={ (base) "/" (field.id) "/values/" (value.id) "/delete" } class="row"
                                data-confirm={ "Delete the value " (value.name) "?" } {
                                input type="hidden" name="csrf" value=(csrf);
                                button type="submit" class="danger" aria-label={ "Delete " (value.name) } { "Delete" }
                            }
                        }
                    }
                    form method="post" action={ (base) "/" (field.id) "/values" } class="inline" {
                        input type="hidden" name="csrf" value=(csrf);
                        div class="field" {
                            label for={ "new-value-" (field.id) } { "New value" }
                            input id={ "new-value-" (field.id) } name="name" type="text" required;
                        }
                        button type="submit" { "Add value" }
                    }
                } @else {
                    p class="muted" { "A text field: any text, no list of values." }
                }
            }
        }
        section class="card" {
            h2 { "New field" }
            form method="post" action=(base) class="inline" {
                input type="hidden" name="csrf" value=(csrf);
                div class="field" {
                    label for="field-name" { "Name" }
                    input id="field-name" name="name" type="text" required maxlength="64";
                }
                div class="field" {
                    label for="field-kind" { "Type" }
                    select id="field-kind" name="kind" {
                        option value="text" { "text" }
                        option value="simple" { "simple (one value of a list)" }
                        option value="multiple" { "multiple (values of a list)" }
                    }
                }
                div class="field" {
                    label for="field-label" { "Label (optional)" }
                    input id="field-label" name="label" type="text";
                }
                button type="submit" { "Add field" }
            }
        }
    };
    Ok(page::frame(&console, &format!("{} · Fields", info.name), body))
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    label: String,
}

fn back(console: &Console, project: i64, outcome: Result<String, String>) -> Response {
    let url = format!("{}/projects/{project}/fields", console.base);
    let to = match outcome {
        Ok(text) => with_notice(&url, "notice", &text),
        Err(text) => with_notice(&url, "error", &text),
    };
    Redirect::to(&to).into_response()
}

pub async fn add_field(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
    Form(form): Form<NameForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let project = path_id(&params, "project", "project")?;
    let name = form.name.trim().to_string();
    let spec = validate_field_name(&name)
        .and_then(|()| FieldKind::parse(&form.kind))
        .map(|kind| FieldSpec {
            name: name.clone(),
            label: Some(form.label.trim().to_string()).filter(|l| !l.is_empty()),
            kind,
            indexed: false,
            customised: false,
            values: Vec::new(),
        });
    let outcome = match spec {
        Err(e) => Err(e.detail),
        Ok(spec) => match state.store.add_field(console.tenant, project, spec).await {
            Ok(_) => Ok(format!("Field {name} added.")),
            Err(e) => Err(ApiError::from(e).message()),
        },
    };
    Ok(back(&console, project, outcome))
}

pub async fn add_value(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
    Form(form): Form<NameForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let project = path_id(&params, "project", "project")?;
    let field = path_id(&params, "field", "field")?;
    let name = form.name.trim().to_string();
    let value = NewValue {
        name: name.clone(),
        attributes: Default::default(),
    };
    let outcome = match state
        .store
        .add_values(console.tenant, project, field, vec![value])
        .await
    {
        Ok(mut items) => match items.pop() {
            Some(Ok(_)) => Ok(format!("Value {name} added.")),
            Some(Err(e)) => Err(e.detail),
            None => Err("nothing added".to_string()),
        },
        Err(e) => Err(ApiError::from(e).message()),
    };
    Ok(back(&console, project, outcome))
}

pub async fn rename_value(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
    Form(form): Form<NameForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let project = path_id(&params, "project", "project")?;
    let field = path_id(&params, "field", "field")?;
    let value = path_id(&params, "value", "value")?;
    let (_, schema) = state.store.project_schema(console.tenant, project).await?;
    let attributes = schema
        .fields
        .iter()
        .find(|f| f.id == field)
        .and_then(|f| f.values.iter().find(|v| v.id == value))
        .map(|v| v.attributes.clone())
        .ok_or(ApiError::NotFound("value"))?;
    let name = form.name.trim().to_string();
    let renamed = NewValue {
        name: name.clone(),
        attributes,
    };
    let outcome = match state
        .store
        .modify_values(console.tenant, project, field, vec![(value, renamed)])
        .await
    {
        Ok(mut items) => match items.pop() {
            Some(Ok(())) => Ok(format!("Value renamed to {name}.")),
            Some(Err(e)) => Err(e.detail),
            None => Err("nothing renamed".to_string()),
        },
        Err(e) => Err(ApiError::from(e).message()),
    };
    Ok(back(&console, project, outcome))
}

pub async fn delete_value(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
    Form(form): Form<NameForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let project = path_id(&params, "project", "project")?;
    let field = path_id(&params, "field", "field")?;
    let value = path_id(&params, "value", "value")?;
    let outcome = match state.store.delete_value(console.tenant, project, field, value).await {
        Ok(()) => Ok("Value deleted.".to_string()),
        Err(e) => Err(ApiError::from(e).message()),
    };
    Ok(back(&console, project, outcome))
}
