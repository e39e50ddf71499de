//! The tenant's API keys (scoped keys: a role, optionally limited to projects): list,
//! create (the key is shown once), revoke. Changes are audited as the keys API audits them.

use super::error::ConsoleError;
use super::page::{self, with_notice};
use super::projects::NoticeQuery;
use super::session::Console;
use crate::domain::audit::NewAuditEntry;
use crate::domain::auth::{generate_key, hash_key};
use crate::domain::keys::{ProjectScope, Role};
use crate::domain::tenant::validate_user_name;
use crate::http::{ApiError, AppState};
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

fn audit(console: &Console, action: &'static str, target: String, detail: serde_json::Value) -> NewAuditEntry {
    NewAuditEntry {
        user: console.user.clone(),
        source: "console",
        action,
        target,
        detail,
    }
}

async fn keys_page(
    console: &Console,
    state: &AppState,
    notice: Markup,
    created: Option<(&str, &str)>,
) -> Result<Response, ConsoleError> {
    let keys = state.store.list_keys(console.tenant).await?;
    let base = &console.base;
    let body = html! {
        h1 { "API keys" }
        (notice)
        @if let Some((user, key)) = created {
            section class="card" role="status" {
                h2 { "New key of " (user) }
                p { "Copy it now: it is shown this once (Dialbase keeps only its digest)." }
                p class="secret" id="new-key" { (key) }
            }
        }
        div class="table-wrap" {
            table {
                thead { tr {
                    th scope="col" { "Key" } th scope="col" { "User" } th scope="col" { "Role" }
                    th scope="col" { "Projects" } th scope="col" { "Created" } th scope="col" { "Revoked" }
                    th scope="col" { span class="visually-hidden" { "Actions" } }
                } }
                tbody {
                    @for key in &keys {
                        tr {
                            td { "#" (key.id) }
                            td { (key.user) @if key.id == console.key_id { " " span class="badge" { "you" } } }
                            td { (key.role.as_str()) }
                            td { @match &key.projects { None => "all", Some(ids) => (ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")) } }
                            td { (key.created_at) }
                            td { (key.revoked_at.as_deref().unwrap_or("")) }
                            td {
                                @if key.revoked_at.is_none() && key.id != console.key_id {
                                    form method="post" action={ (base) "/keys/revoke" } class="row"
                                        data-confirm={ "Revoke key #" (key.id) " of " (key.user) "? It stops working at once." } {
                                        input type="hidden" name="csrf" value=(console.csrf);
                                        input type="hidden" name="key" value=(key.id);
                                        button type="submit" class="danger" aria-label={ "Revoke key " (key.id) } { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section class="card" style="margin-top:1rem" {
            h2 { "New key" }
            form method="post" action={ (base) "/keys" } class="inline" {
                input type="hidden" name="csrf" value=(console.csrf);
                div class="field" {
                    label for="key-user" { "User name" }
                    input id="key-user" name="user" type="text" required maxlength="128";
                }
                div class="field" {
                    label for="key-role" { "Role" }
                    select id="key-role" name="role" {
                        option value="read-only" { "read-only" }
                        option value="read-write" selected { "read-write" }
                        option value="admin" { "admin" }
                    }
                }
                div class="field" {
                    label for="key-projects" { "Projects (ids, comma-separated; empty: all)" }
                    input id="key-projects" name="projects" type="text" inputmode="numeric";
                }
                button type="submit" { "Create key" }
            }
            p class="hint" { "A user may hold several keys; the user is created with its first key." }
        }
    };
    Ok(page::frame(console, "API keys · Dialbase", body))
}

pub async fn page(
    console: Console,
    State(state): State<AppState>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, ConsoleError> {
    let notice = html! { (query.notice()) };
    keys_page(&console, &state, notice, None).await
}

#[derive(Deserialize)]
pub struct NewKeyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    projects: String,
}

pub async fn create(
    console: Console,
    State(state): State<AppState>,
    Form(form): Form<NewKeyForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let user = form.user.trim();
    let url = format!("{}/keys", console.base);
    let checked = validate_user_name(user)
        .and_then(|()| Role::parse(&form.role))
        .and_then(|role| Ok((role, ProjectScope::parse(Some(&form.projects))?)));
    let (role, projects) = match checked {
        Ok(checked) => checked,
        Err(e) => return Ok(Redirect::to(&with_notice(&url, "error", &e.detail)).into_response()),
    };
    let key = generate_key();
    let detail = json!({"user": user, "role": role.as_str()});
    let by = audit(&console, "key.create", format!("user {user}"), detail);
    let created = state
        .store
        .create_key(console.tenant, user, &hash_key(&key), role, projects, by)
        .await
        .map_err(ApiError::from)?;
    // Answered directly (not redirected), so the key never lands in a URL or the history.
    let notice = html! { p class="notice" role="status" { "Key #" (created.id) " of " (user) " created." } };
    keys_page(&console, &state, notice, Some((user, &key))).await
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
}

pub async fn revoke(
    console: Console,
    State(state): State<AppState>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let url = format!("{}/keys", console.base);
    let Ok(id) = form.key.trim().parse::<i64>() else {
        return Ok(Redirect::to(&with_notice(&url, "error", "No such key.")).into_response());
    };
    if id == console.key_id {
        let to = with_notice(&url, "error", "You cannot revoke the key you are signed in with.");
        return Ok(Redirect::to(&to).into_response());
    }
    let by = audit(&console, "key.revoke", format!("key {id}"), json!({}));
    let to = match state.store.revoke_key(console.tenant, id, by).await {
        Ok(key) => with_notice(&url, "notice", &format!("Key #{id} of {} revoked.", key.user)),
        Err(crate::storage::StoreError::NotFound(_)) => with_notice(&url, "error", "No such key."),
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&to).into_response())
}
