//! The projects page: every project with its records by dialing state, refreshed live.

use super::error::ConsoleError;
use super::page::{self, Notice, with_notice};
use super::session::Console;
use crate::domain::calldate;
use crate::http::{ApiError, AppState};
use crate::storage::ProjectOverview;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl NoticeQuery {
    pub fn notice(self) -> Notice {
        Notice::from_query(self.notice, self.error)
    }
}

fn overview_table(base: &str, projects: &[ProjectOverview]) -> Markup {
    html! {
        @if projects.is_empty() {
            p { "No projects yet: create the first one below." }
        } @else {
            p class="hint as-of" { "As of " (calldate::now()) " UTC, refreshed every 10 seconds" }
            div class="table-wrap" {
                table {
                    thead { tr {
                        th scope="col" { "Project" }
                        th scope="col" class="num" { "Records" }
                        th scope="col" class="num" { "Due now" }
                        th scope="col" class="num" { "Claimed" }
                        th scope="col" class="num" { "Done" }
                        th scope="col" class="num" { "Locked" }
                        th scope="col" class="num" { "On a DNC list" }
                    } }
                    tbody {
                        @for p in projects {
                            tr {
                                td { a href={ (base) "/projects/" (p.id) } { (p.name) } " " span class="muted" { "#" (p.id) } }
                                td class="num" { (p.records) }
                                td class="num" { (p.due_now) }
                                td class="num" { (p.claimed) }
                                td class="num" { (p.done) }
                                td class="num" { (p.locked) }
                                td class="num" { (p.on_dnc) }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn page(
    console: Console,
    State(state): State<AppState>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, ConsoleError> {
    let projects = state
        .store
        .project_overview(console.tenant, calldate::now_seconds())
        .await?;
    let base = &console.base;
    let body = html! {
        h1 { "Projects" }
        (query.notice())
        div id="projects" data-refresh={ (base) "/projects/table" } data-every="10" {
            (overview_table(base, &projects))
        }
        p class="hint" {
            "Due now: a dialer could claim it now (open, not locked, not claimed, due, no number on a do-not-call list; "
            "calling hours and attempt limits aside). Claimed: a dialer holds it. Done: released without a call-back."
        }
        section class="card" {
            h2 { "New project" }
            form method="post" action={ (base) "/projects" } class="inline" {
                input type="hidden" name="csrf" value=(console.csrf);
                div class="field" {
                    label for="project-name" { "Name" }
                    input id="project-name" name="name" type="text" required maxlength="255";
                }
                button type="submit" { "Create project" }
            }
        }
    };
    Ok(page::frame(&console, "Projects · Dialbase", body))
}

/// The table alone, for the live refresh.
pub async fn table(console: Console, State(state): State<AppState>) -> Result<Response, ConsoleError> {
    let projects = state
        .store
        .project_overview(console.tenant, calldate::now_seconds())
        .await?;
    Ok(Html(overview_table(&console.base, &projects).into_string()).into_response())
}

#[derive(Deserialize)]
pub struct NewProject {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

pub async fn create(
    console: Console,
    State(state): State<AppState>,
    Form(form): Form<NewProject>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 255 {
        let back = with_notice(
            &format!("{}/", console.base),
            "error",
            "A project needs a name (up to 255 characters).",
        );
        return Ok(Redirect::to(&back).into_response());
    }
    let id = state
        .store
        .create_project(console.tenant, name)
        .await
        .map_err(ApiError::from)?;
    let to = with_notice(
        &format!("{}/projects/{id}", console.base),
        "notice",
        &format!("Project {name} created."),
    );
    Ok(Redirect::to(&to).into_response())
}
