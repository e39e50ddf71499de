//! The tenant's API users and keys: list, create (the key is shown once), revoke.

use super::error::ConsoleError;
use super::page::{self, with_notice};
use super::projects::NoticeQuery;
use super::session::Console;
use crate::domain::auth::{generate_key, hash_key};
use crate::domain::tenant::validate_user_name;
use crate::http::{ApiError, AppState};
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

async fn users_page(
    console: &Console,
    state: &AppState,
    notice: Markup,
    created: Option<(&str, &str)>,
) -> Result<Response, ConsoleError> {
    let users = state.store.api_users(console.tenant).await?;
    let base = &console.base;
    let body = html! {
        h1 { "API users and keys" }
        (notice)
        @if let Some((user, key)) = created {
            section class="card" role="status" {
                h2 { "Key of " (user) }
                p { "Copy it now: it is shown this once (Dialbase keeps only its digest)." }
                p class="secret" id="new-key" { (key) }
            }
        }
        div class="table-wrap" {
            table {
                thead { tr { th scope="col" { "User" } th scope="col" { "Created" } th scope="col" { span class="visually-hidden" { "Actions" } } } }
                tbody {
                    @for user in &users {
                        tr {
                            td { (user.name) @if user.name == console.user { " " span class="badge" { "you" } } }
                            td { (user.created_at) }
                            td {
                                @if user.name != console.user {
                                    form method="post" action={ (base) "/keys/revoke" } class="row"
                                        data-confirm={ "Revoke " (user.name) "? Its key stops working." } {
                                        input type="hidden" name="csrf" value=(console.csrf);
                                        input type="hidden" name="user" value=(user.name);
                                        button type="submit" class="danger" aria-label={ "Revoke " (user.name) } { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section class="card" style="margin-top:1rem" {
            h2 { "New API user" }
            form method="post" action={ (base) "/keys" } class="inline" {
                input type="hidden" name="csrf" value=(console.csrf);
                div class="field" {
                    label for="key-user" { "User name" }
                    input id="key-user" name="user" type="text" required maxlength="128";
                }
                button type="submit" { "Create user and key" }
            }
            p class="hint" { "A revoked key may still work for up to 10 seconds on a node that used it just before." }
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
    users_page(&console, &state, notice, None).await
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user: String,
}

pub async fn create(
    console: Console,
    State(state): State<AppState>,
    Form(form): Form<UserForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let user = form.user.trim();
    let url = format!("{}/keys", console.base);
    if let Err(e) = validate_user_name(user) {
        return Ok(Redirect::to(&with_notice(&url, "error", &e.detail)).into_response());
    }
    let key = generate_key();
    let created = state
        .store
        .put_api_user(console.tenant, user, &hash_key(&key), false)
        .await
        .map_err(ApiError::from)?;
    if !created {
        let text = format!("The user {user} exists already.");
        return Ok(Redirect::to(&with_notice(&url, "error", &text)).into_response());
    }
    // Answered directly (not redirected), so the key never lands in a URL or the history.
    let notice = html! { p class="notice" role="status" { "User " (user) " created." } };
    users_page(&console, &state, notice, Some((user, &key))).await
}

pub async fn revoke(
    console: Console,
    State(state): State<AppState>,
    Form(form): Form<UserForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    let url = format!("{}/keys", console.base);
    let to = if form.user == console.user {
        with_notice(&url, "error", "You cannot revoke the user you are signed in as.")
    } else if state.store.delete_api_user(console.tenant, &form.user).await? {
        with_notice(&url, "notice", &format!("{} revoked.", form.user))
    } else {
        with_notice(&url, "error", &format!("There is no user {}.", form.user))
    };
    Ok(Redirect::to(&to).into_response())
}
