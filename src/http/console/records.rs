//! A project's records (search by a field's value or by phone, paging, ordering) and a
//! record's page (values, contacts, dispositions, lock and unlock).

use super::error::ConsoleError;
use super::page::{self, project_tabs, with_notice};
use super::session::{Console, CsrfForm};
use crate::domain::contact::normalize_phone;
use crate::domain::record::Record;
use crate::http::record_view::by_name;
use crate::http::{ApiError, AppState, path_id};
use crate::storage::{RecordKey, RecordQuery};
use axum::Form;
use axum::extract::{Query, RawPathParams, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

const PAGE_SIZE: u64 = 50;
/// Fields shown as columns of the list; the record page shows them all.
const COLUMNS: usize = 5;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    page: Option<u64>,
    /// `asc` (oldest first, the default) or `desc`.
    #[serde(default)]
    order: String,
    notice: Option<String>,
    error: Option<String>,
}

fn state_badges(record: &Record) -> Markup {
    html! {
        @if record.locked { span class="badge locked" { "locked" } " " }
        @if record.done_at.is_some() { span class="badge done" { "done" } " " }
        @if record.claimed_by.is_some() && record.done_at.is_none() { span class="badge" { "claimed" } " " }
        @if record.robinson { span class="badge locked" { "Robinson" } }
    }
}

pub async fn list(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
    Query(query): Query<ListQuery>,
) -> Result<Response, ConsoleError> {
    let project = path_id(&params, "project", "project")?;
    let (info, schema) = state.store.project_schema(console.tenant, project).await?;
    let page_number = query.page.unwrap_or(1).max(1);
    let descending = query.order == "desc";
    let phone = query.phone.trim();
    let (records, total) = if !phone.is_empty() {
        let digits = normalize_phone(phone).map_err(ApiError::Invalid)?;
        let ids = state
            .store
            .records_by_phone(console.tenant, project, &digits, PAGE_SIZE as u32)
            .await?;
        let mut records = Vec::with_capacity(ids.len());
        for id in ids {
            records.push(state.store.get_record(console.tenant, project, id).await?);
        }
        let total = records.len() as u64;
        (records, total)
    } else {
        let search = if query.field.is_empty() || query.value.trim().is_empty() {
            Vec::new()
        } else {
            vec![(query.field.clone(), query.value.trim().to_string())]
        };
        let mut request = RecordQuery {
            search,
            offset: (page_number - 1) * PAGE_SIZE,
            limit: PAGE_SIZE,
            updated_since: None,
        };
        if descending {
            // Newest first: the same pages counted from the end.
            let (_, total) = state
                .store
                .list_records(
                    console.tenant,
                    project,
                    RecordQuery {
                        limit: 1,
                        offset: 0,
                        ..request.clone()
                    },
                )
                .await?;
            let end = total.saturating_sub((page_number - 1) * PAGE_SIZE);
            request.offset = end.saturating_sub(PAGE_SIZE);
            request.limit = end - request.offset;
        }
        let (mut records, total) = state.store.list_records(console.tenant, project, request).await?;
        if descending {
            records.reverse();
        }
        (records, total)
    };
    let columns: Vec<&str> = schema.fields.iter().take(COLUMNS).map(|f| f.name.as_str()).collect();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let base = format!("{}/projects/{project}", console.base);
    let link = |page: u64| {
        let encode = |s: &str| with_notice("", "x", s).trim_start_matches("?x=").to_string();
        format!(
            "{base}?field={}&value={}&phone={}&order={}&page={page}",
            encode(&query.field),
            encode(&query.value),
            encode(&query.phone),
            if descending { "desc" } else { "asc" }
        )
    };
    let notice = page::Notice::from_query(query.notice.clone(), query.error.clone());
    let body = html! {
        (project_tabs(&console, project, &info.name, "records"))
        (notice)
        form method="get" action=(base) class="inline card" role="search" {
            div class="field" {
                label for="search-field" { "Field" }
                select id="search-field" name="field" {
                    option value="" { "(any)" }
                    @for field in &schema.fields {
                        option value=(field.name) selected[field.name == query.field] { (field.name) }
                    }
                }
            }
            div class="field" {
                label for="search-value" { "Value (% matches anything)" }
                input id="search-value" name="value" type="search" value=(query.value);
            }
            div class="field" {
                label for="search-phone" { "or phone number" }
                input id="search-phone" name="phone" type="search" inputmode="tel" value=(query.phone);
            }
            div class="field" {
                label for="search-order" { "Order" }
                select id="search-order" name="order" {
                    option value="asc" selected[!descending] { "Oldest first" }
                    option value="desc" selected[descending] { "Newest first" }
                }
            }
            button type="submit" { "Search" }
            a href=(base) { "Clear" }
        }
        p { (total) @if total == 1 { " record" } @else { " records" } @if total > 0 { " · page " (page_number) " of " (pages) } }
        @if !records.is_empty() {
            div class="table-wrap" {
                table {
                    thead { tr {
                        th scope="col" { "Id" }
                        th scope="col" { "User data" }
                        @for name in &columns { th scope="col" { (name) } }
                        th scope="col" { "Next call" }
                        th scope="col" { "State" }
                    } }
                    tbody {
                        @for record in &records {
                            tr {
                                td { a href={ (base) "/records/" (record.id) } { (record.id) } }
                                td { (record.user_data.as_deref().unwrap_or("")) }
                                @for name in &columns {
                                    td { (record.form.iter().find(|e| e.name == *name).map(|e| e.text()).unwrap_or_default()) }
                                }
                                td { (record.next_calldate.as_deref().unwrap_or("")) }
                                td { (state_badges(record)) }
                            }
                        }
                    }
                }
            }
        }
        nav class="pager" aria-label="Pages" {
            @if page_number > 1 { a href=(link(page_number - 1)) rel="prev" { "← Previous" } }
            @if page_number < pages && phone.is_empty() { a href=(link(page_number + 1)) rel="next" { "Next →" } }
        }
    };
    Ok(page::frame(&console, &format!("{} · Records", info.name), body))
}

pub async fn show(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
    Query(query): Query<super::projects::NoticeQuery>,
) -> Result<Response, ConsoleError> {
    let project = path_id(&params, "project", "project")?;
    let id = path_id(&params, "record", "record")?;
    let record = state.store.get_record(console.tenant, project, id).await?;
    let (info, _) = state.store.project_schema(console.tenant, project).await?;
    let (_, dial) = state.store.dial_state(console.tenant, id).await?;
    let base = format!("{}/projects/{project}", console.base);
    let body = html! {
        (project_tabs(&console, project, &info.name, "records"))
        (query.notice())
        h2 { "Record " (record.id) " " (state_badges(&record)) }
        div class="grid2" {
            section class="card" {
                h2 { "Values" }
                dl class="facts" {
                    @for entry in by_name(&record) { dt { (entry.name) } dd { (entry.text()) } }
                }
            }
            section class="card" {
                h2 { "Dialing" }
                dl class="facts" {
                    dt { "User data" } dd { (record.user_data.as_deref().unwrap_or("—")) }
                    dt { "Next call" } dd { (record.next_calldate.as_deref().unwrap_or("due now")) }
                    dt { "Number to dial" } dd { (record.phone_field.as_deref().unwrap_or("phone1")) }
                    dt { "Attempts" } dd { (record.attempts) }
                    dt { "Claimed by" } dd { (record.claimed_by.as_deref().unwrap_or("—")) }
                    dt { "Done at" } dd { (record.done_at.as_deref().unwrap_or("—")) }
                    dt { "Time zones" } dd { (dial.zones.as_deref().unwrap_or("—")) }
                    dt { "Locked" } dd { @if record.locked { "yes" } @else { "no" } }
                    dt { "Created" } dd { (record.created_at) }
                    dt { "Updated" } dd { (record.updated_at) }
                }
                form method="post" action={ (base) "/records/" (id) "/lock" } class="inline" style="margin-top:.8rem" {
                    input type="hidden" name="csrf" value=(console.csrf);
                    @if record.locked {
                        input type="hidden" name="locked" value="false";
                        button type="submit" id="unlock" { "Unlock" }
                    } @else {
                        input type="hidden" name="locked" value="true";
                        button type="submit" id="lock" class="danger" { "Lock (never dial)" }
                    }
                }
            }
        }
        section class="card" {
            h2 { "Contacts" }
            @if record.contacts.is_empty() { p class="muted" { "None." } } @else {
                div class="table-wrap" { table {
                    thead { tr { th scope="col" { "Number" } th scope="col" { "Title" } th scope="col" { "Name" } th scope="col" { "Phone" } th scope="col" { "Email" } } }
                    tbody { @for c in &record.contacts { tr {
                        td { "phone" (c.slot) }
                        td { (c.title.as_deref().unwrap_or("")) }
                        td { (c.name.as_deref().unwrap_or("")) }
                        td { (c.phone.as_deref().unwrap_or("")) }
                        td { (c.email.as_deref().unwrap_or("")) }
                    } } }
                } }
            }
        }
        section class="card" {
            h2 { "Events (dispositions)" }
            @if record.dispositions.is_empty() { p class="muted" { "No call results yet." } } @else {
                div class="table-wrap" { table {
                    thead { tr { th scope="col" { "When" } th scope="col" { "Disposition" } th scope="col" { "User" } th scope="col" { "Next call" } th scope="col" { "Note" } } }
                    tbody { @for d in &record.dispositions { tr {
                        td { (d.created_at) }
                        td { (d.disposition_id) }
                        td { (d.user_id) }
                        td { (d.next_calldate.as_deref().unwrap_or("")) }
                        td { (d.description.as_deref().unwrap_or("")) }
                    } } }
                } }
            }
        }
    };
    Ok(page::frame(&console, &format!("Record {id} · {}", info.name), body))
}

#[derive(Deserialize)]
pub struct LockForm {
    #[serde(flatten)]
    csrf: CsrfForm,
    #[serde(default)]
    locked: String,
}

pub async fn lock(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
    Form(form): Form<LockForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf.csrf)?;
    let project = path_id(&params, "project", "project")?;
    let id = path_id(&params, "record", "record")?;
    // The record must be this project's before the tenant-wide lock call.
    state.store.get_record(console.tenant, project, id).await?;
    let locked = form.locked == "true";
    state
        .store
        .set_locked(console.tenant, RecordKey::Id(id), locked)
        .await?;
    let text = if locked {
        "Record locked: no dialer gets it."
    } else {
        "Record unlocked."
    };
    let to = with_notice(
        &format!("{}/projects/{project}/records/{id}", console.base),
        "notice",
        text,
    );
    Ok(Redirect::to(&to).into_response())
}
