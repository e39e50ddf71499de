//! The do-not-call lists: the Robinson list (`default`) and named lists: search, add, remove.

use super::error::ConsoleError;
use super::page::{self, Notice, with_notice};
use super::session::Console;
use crate::domain::calldate;
use crate::domain::contact::normalize_phone;
use crate::domain::dialing_rules::DEFAULT_DNC_LIST;
use crate::domain::dnc::{DncEntry, DncList, NewDncEntry};
use crate::http::{ApiError, AppState};
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

const PAGE: u32 = 100;

#[derive(Deserialize, Default)]
pub struct DncQuery {
    #[serde(default)]
    list: String,
    /// The beginning of a number.
    #[serde(default)]
    q: String,
    notice: Option<String>,
    error: Option<String>,
}

fn list_or_default(name: &str) -> Result<DncList, ApiError> {
    let name = name.trim();
    if name.is_empty() {
        Ok(DncList::robinson())
    } else {
        DncList::parse(name).map_err(ApiError::Invalid)
    }
}

fn when(seconds: Option<i64>) -> String {
    seconds.map_or_else(|| "never".to_string(), calldate::from_seconds)
}

pub async fn page(
    console: Console,
    State(state): State<AppState>,
    Query(query): Query<DncQuery>,
) -> Result<Response, ConsoleError> {
    let list = list_or_default(&query.list)?;
    let lists = state.store.dnc_lists(console.tenant, None).await?;
    let prefix = query.q.trim();
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        normalize_phone(prefix).map_err(ApiError::Invalid)?
    };
    // Numbers in number order from the prefix on: the exact number first, then the longer ones.
    let mut entries: Vec<DncEntry> = Vec::new();
    if !prefix.is_empty() {
        entries = state
            .store
            .check_dnc(console.tenant, vec![prefix.clone()], None)
            .await?
            .into_iter()
            .filter(|e| e.list == list.as_str())
            .collect();
    }
    let after = (!prefix.is_empty()).then(|| prefix.clone());
    let page_entries = state
        .store
        .dnc_entries(console.tenant, list.clone(), after, PAGE)
        .await?;
    entries.extend(page_entries.into_iter().filter(|e| e.phone.starts_with(&prefix)));
    let base = &console.base;
    let list_name = list.as_str().to_string();
    let body = html! {
        h1 { "Do-not-call lists" }
        (Notice::from_query(query.notice.clone(), query.error.clone()))
        form method="get" action={ (base) "/dnc" } class="inline card" role="search" {
            div class="field" {
                label for="dnc-list" { "List" }
                select id="dnc-list" name="list" {
                    @for summary in &lists {
                        option value=(summary.name) selected[summary.name == list_name] {
                            (summary.name) @if summary.name == DEFAULT_DNC_LIST { " (Robinson)" } " · " (summary.active) " active"
                        }
                    }
                }
            }
            div class="field" {
                label for="dnc-q" { "Number starts with" }
                input id="dnc-q" name="q" type="search" inputmode="tel" value=(query.q);
            }
            button type="submit" { "Search" }
        }
        div class="table-wrap" {
            table {
                thead { tr {
                    th scope="col" { "Number" } th scope="col" { "Until" } th scope="col" { "Source" }
                    th scope="col" { "Reason" } th scope="col" { "Added by" } th scope="col" { span class="visually-hidden" { "Actions" } }
                } }
                tbody {
                    @if entries.is_empty() { tr { td colspan="6" class="muted" { "No numbers." } } }
                    @for entry in &entries {
                        tr {
                            td { (entry.phone) }
                            td { (when(entry.expires_at)) }
                            td { (entry.source.as_deref().unwrap_or("")) }
                            td { (entry.reason.as_deref().unwrap_or("")) }
                            td { (entry.created_by.as_deref().unwrap_or("")) }
                            td {
                                form method="post" action={ (base) "/dnc/remove" } class="row"
                                    data-confirm={ "Take " (entry.phone) " off the list?" } {
                                    input type="hidden" name="csrf" value=(console.csrf);
                                    input type="hidden" name="list" value=(list_name);
                                    input type="hidden" name="phone" value=(entry.phone);
                                    button type="submit" class="danger" aria-label={ "Remove " (entry.phone) } { "Remove" }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if entries.len() as u32 >= PAGE { p class="hint" { "The first " (PAGE) " numbers: narrow the search." } }
        section class="card" style="margin-top:1rem" {
            h2 { "Add a number" }
            form method="post" action={ (base) "/dnc/add" } class="inline" {
                input type="hidden" name="csrf" value=(console.csrf);
                div class="field" {
                    label for="add-phone" { "Number" }
                    input id="add-phone" name="phone" type="text" inputmode="tel" required;
                }
                div class="field" {
                    label for="add-list" { "List" }
                    input id="add-list" name="list" type="text" value=(list_name) required;
                }
                div class="field" {
                    label for="add-expires" { "Until (optional, YYYY-MM-DD hh:mm:ss UTC)" }
                    input id="add-expires" name="expires_at" type="text";
                }
                div class="field" {
                    label for="add-reason" { "Reason (optional)" }
                    input id="add-reason" name="reason" type="text";
                }
                button type="submit" { "Add" }
            }
        }
    };
    Ok(page::frame(&console, "Do-not-call lists · Dialbase", body))
}

#[derive(Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    list: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    expires_at: String,
    #[serde(default)]
    reason: String,
}

fn back(console: &Console, list: &str, outcome: Result<String, String>) -> Response {
    let url = with_notice(&format!("{}/dnc", console.base), "list", list);
    let to = match outcome {
        Ok(text) => with_notice(&url, "notice", &text),
        Err(text) => with_notice(&url, "error", &text),
    };
    Redirect::to(&to).into_response()
}

pub async fn add(
    console: Console,
    State(state): State<AppState>,
    Form(form): Form<EntryForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let list = list_or_default(&form.list)?;
    let entry = NewDncEntry::parse(
        &list,
        &form.phone,
        Some(form.expires_at.as_str()),
        Some("console"),
        Some(form.reason.as_str()),
    );
    let outcome = match entry {
        Err(e) => Err(e.detail),
        Ok(entry) => {
            let phone = entry.phone.clone();
            match state
                .store
                .put_dnc_entries(console.tenant, list.clone(), vec![entry], &console.user, None)
                .await
            {
                Ok(()) => Ok(format!("{phone} is on the list {}.", list.as_str())),
                Err(e) => Err(ApiError::from(e).message()),
            }
        }
    };
    Ok(back(&console, list.as_str(), outcome))
}

pub async fn remove(
    console: Console,
    State(state): State<AppState>,
    Form(form): Form<EntryForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let list = list_or_default(&form.list)?;
    let phone = normalize_phone(&form.phone).map_err(ApiError::Invalid)?;
    let removed = state
        .store
        .remove_dnc_entries(console.tenant, list.clone(), vec![phone.clone()], &console.user, None)
        .await?;
    let outcome = if removed.first().copied().unwrap_or(false) {
        Ok(format!("{phone} taken off the list."))
    } else {
        Err(format!("{phone} was not on the list."))
    };
    Ok(back(&console, list.as_str(), outcome))
}
