//! A project's dialing rules (docs/dialing.md) as a form: the rules' JSON document, checked
//! and stored as `PUT /dialbase/v1/projects/{id}/rules` does.

use super::error::ConsoleError;
use super::page::{self, project_tabs, with_notice};
use super::projects::NoticeQuery;
use super::session::Console;
use crate::domain::dialing_rules::DialingRules;
use crate::http::{ApiError, AppState, path_id};
use crate::storage::check_dedup_fields;
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
    let (info, _) = state.store.project_schema(console.tenant, project).await?;
    let rules = state.store.rules(console.tenant, project).await?;
    let text = serde_json::to_string_pretty(&rules.to_json()).unwrap_or_default();
    let body = html! {
        (project_tabs(&console, project, &info.name, "rules"))
        (query.notice())
        section class="card" {
            h2 { "Dialing rules" }
            p {
                "Every claim and release obeys these: calling hours in the contact's local time, holidays, "
                "duplicate checks, attempt limits, what each disposition does, do-not-call lists. A rule left out "
                "restricts nothing. The fields are described in the API reference ("
                code { "PUT /dialbase/v1/projects/{id}/rules" } ")."
            }
            form method="post" action={ (console.base) "/projects/" (project) "/rules" } class="stack" {
                input type="hidden" name="csrf" value=(console.csrf);
                label for="rules-json" { "Rules (JSON)" }
                textarea id="rules-json" name="rules" spellcheck="false" { (text) }
                div { button type="submit" { "Save rules" } }
            }
        }
    };
    Ok(page::frame(&console, &format!("{} · Dialing rules", info.name), body))
}

#[derive(Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    rules: String,
}

pub async fn save(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
    Form(form): Form<RulesForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let project = path_id(&params, "project", "project")?;
    let url = format!("{}/projects/{project}/rules", console.base);
    let (_, schema) = state.store.project_schema(console.tenant, project).await?;
    let parsed = DialingRules::parse(form.rules.as_bytes())
        .map_err(ApiError::Invalid)
        .and_then(|rules| {
            check_dedup_fields(&schema, &rules)
                .map(|()| rules)
                .map_err(ApiError::Invalid)
        });
    let to = match parsed {
        Err(e) => with_notice(&url, "error", &e.message()),
        Ok(rules) => {
            state.store.put_rules(console.tenant, project, rules).await?;
            with_notice(&url, "notice", "Rules saved.")
        }
    };
    Ok(Redirect::to(&to).into_response())
}
