//! Sign-in, sign-out and the signed-in user (`Console`), found by the session cookie.
//!
//! The cookie holds a random token; the database keeps its SHA-256 digest with the tenant,
//! the user and the session's CSRF token, so any node behind a load balancer knows the
//! session. The cookie is HttpOnly and SameSite=Strict, scoped to this console's path, and
//! Secure when the request came over TLS (`X-Forwarded-Proto: https` from the proxy).

use super::error::ConsoleError;
use super::page::{self, Notice, with_notice};
use crate::domain::auth::{generate_key, hash_key};
use crate::domain::calldate;
use crate::domain::keys::{ProjectScope, Role};
use crate::http::auth::tenant_name;
use crate::http::limits::Caller;
use crate::http::{ApiError, AppState};
use crate::storage::{ConsoleSession, TenantId};
use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, Query, RawPathParams, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use std::net::SocketAddr;

const SESSION_COOKIE: &str = "dialbase_session";
/// Double-submit token of the sign-in form, which has no session yet.
const LOGIN_COOKIE: &str = "dialbase_login";
/// Eight hours: a working shift.
pub const SESSION_SECONDS: i64 = 8 * 3600;

/// Where this console lives and which tenant the URL names.
pub struct ConsolePlace {
    /// `/{customer}/console` or `/console` (no trailing slash).
    pub base: String,
    pub tenant_name: String,
    secure: bool,
    /// The client's address, for the limits on failed sign-ins.
    client: Option<std::net::IpAddr>,
}

impl FromRequestParts<AppState> for ConsolePlace {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let by_path = RawPathParams::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|params| {
                params
                    .iter()
                    .find(|(name, _)| *name == "customer")
                    .map(|(_, v)| v.to_string())
            });
        let tenant = tenant_name(parts, state)
            .await
            .ok_or(ConsoleError::Api(ApiError::NotFound("tenant")))?;
        let base = match by_path {
            Some(customer) => format!("/{customer}/console"),
            None => "/console".to_string(),
        };
        let secure = parts
            .headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
            || parts.uri.scheme_str() == Some("https");
        let client = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(Self {
            base,
            tenant_name: tenant,
            secure,
            client,
        })
    }
}

impl ConsolePlace {
    fn cookie(&self, name: &str, value: &str, max_age: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{name}={value}; Path={}/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
            self.base
        )
    }
}

/// A signed-in console user of the tenant the URL names.
pub struct Console {
    pub base: String,
    pub tenant: TenantId,
    pub tenant_name: String,
    pub user: String,
    /// The admin key signed in with.
    pub key_id: i64,
    pub csrf: String,
    token_hash: String,
}

impl Console {
    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), ConsoleError> {
        if same(token.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(ConsoleError::Forbidden(
                "The form's security token is missing or stale: reload the page and try again.",
            ))
        }
    }
}

/// Equal byte strings, compared in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

impl FromRequestParts<AppState> for Console {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let place = ConsolePlace::from_request_parts(parts, state).await?;
        let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(ConsoleError::SignIn(place.base));
        };
        let token_hash = hash_key(token);
        let Some(session) = state.store.session(&token_hash, calldate::now_seconds()).await? else {
            return Err(ConsoleError::SignIn(place.base));
        };
        if session.tenant_name != place.tenant_name {
            return Err(ConsoleError::Forbidden("This session belongs to another call centre."));
        }
        Ok(Self {
            base: place.base,
            tenant: session.tenant,
            tenant_name: session.tenant_name,
            user: session.user,
            key_id: session.key_id,
            csrf: session.csrf_token,
            token_hash,
        })
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    notice: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

pub async fn login_page(place: ConsolePlace, Query(query): Query<LoginQuery>) -> Response {
    let token = generate_key();
    let notice = Notice::from_query(query.notice, query.error);
    let body = html! {
        main class="narrow" {
            h1 { "Sign in to " (place.tenant_name) }
            (notice)
            form method="post" action={ (place.base) "/login" } class="stack" {
                input type="hidden" name="csrf" value=(token);
                label for="user" { "API user" }
                input id="user" name="user" type="text" autocomplete="username" required autofocus;
                label for="key" { "API key" }
                input id="key" name="key" type="password" autocomplete="current-password" required;
                button type="submit" { "Sign in" }
            }
            p class="hint" { "Use an API user and key of this call centre (" code { "dialbase key add" } ")." }
        }
    };
    let cookie = place.cookie(LOGIN_COOKIE, &token, 3600);
    (
        [(SET_COOKIE, cookie)],
        page::bare(&format!("Sign in · {}", place.tenant_name), &place.base, body),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    key: String,
}

pub async fn login(
    place: ConsolePlace,
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, ConsoleError> {
    let expected = cookie_value(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(expected.as_bytes(), form.csrf.as_bytes()) {
        return Err(ConsoleError::Forbidden(
            "The sign-in form's security token is missing or stale: reload the page and try again.",
        ));
    }
    let callers: Vec<Caller> = place
        .client
        .map(Caller::Address)
        .into_iter()
        .chain([Caller::User(place.tenant_name.clone(), form.user.clone())])
        .collect();
    if state.limits.login_blocked(&callers).is_some() {
        return Ok(page::error_page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many failed sign-ins: wait a minute and try again.",
        ));
    }
    let login = state
        .store
        .authenticate(&place.tenant_name, &form.user, &hash_key(&form.key))
        .await?;
    let Some(login) = login else {
        state.limits.login_failed(callers);
        return Ok(Redirect::to(&format!("{}/login?error=Wrong+user+or+key.", place.base)).into_response());
    };
    // The console shows and changes everything of the tenant, keys included.
    if login.role != Role::Admin || login.projects != ProjectScope::All {
        let to = with_notice(
            &format!("{}/login", place.base),
            "error",
            "The console needs an admin key for all projects.",
        );
        return Ok(Redirect::to(&to).into_response());
    }
    let token = generate_key();
    let now = calldate::now_seconds();
    let session = ConsoleSession {
        tenant: login.tenant,
        tenant_name: place.tenant_name.clone(),
        user: form.user,
        key_id: login.key_id,
        csrf_token: generate_key(),
    };
    state
        .store
        .create_session(&hash_key(&token), session, now, now + SESSION_SECONDS)
        .await?;
    let mut response = Redirect::to(&format!("{}/", place.base)).into_response();
    let headers = response.headers_mut();
    for cookie in [
        place.cookie(SESSION_COOKIE, &token, SESSION_SECONDS),
        place.cookie(LOGIN_COOKIE, "", 0),
    ] {
        headers.append(SET_COOKIE, cookie.parse().expect("a cookie is a header value"));
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn logout(
    console: Console,
    place: ConsolePlace,
    State(state): State<AppState>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(&form.csrf)?;
    state.store.delete_session(&console.token_hash).await?;
    let cookie = place.cookie(SESSION_COOKIE, "", 0);
    Ok((
        [(SET_COOKIE, cookie)],
        Redirect::to(&format!("{}/login?notice=Signed+out.", console.base)),
    )
        .into_response())
}
