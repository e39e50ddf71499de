//! Tenant resolution and authentication, shared by the dialects. The tenant is the
//! `/{customer}` path prefix, jtel's `/rest/v1.0/{ClientsID}`, or else the Host header's
//! first label; credentials are the dialect's own (HTTP Basic for all of them, and for jtel
//! a bearer token: one of the tenant's keys).

use super::limits::Caller;
use super::scope::{self, Target};
use super::{ApiError, AppState};
use crate::domain::audit::NewAuditEntry;
use crate::domain::auth::{hash_key, parse_basic};
use crate::domain::keys::{Access, Login, ProjectScope, Role};
use crate::storage::TenantId;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Query, RawPathParams};
use axum::http::header::{AUTHORIZATION, HOST};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::net::SocketAddr;

/// An API dialect: how it reads credentials and how it renders errors.
pub trait Dialect: Send + Sync + 'static {
    type Error: From<ApiError> + IntoResponse + Send;
    /// The way in, as the audit log names it.
    const NAME: &'static str;

    /// User and key from the request; HTTP Basic unless the dialect has its own way.
    fn credentials(parts: &Parts) -> Option<(String, String)> {
        basic_credentials(parts)
    }

    /// A bearer token, for a dialect that takes one (jtel): one of the tenant's keys,
    /// standing for the user who holds it. It wins over `credentials`.
    fn token(_parts: &Parts) -> Option<String> {
        None
    }
}

pub fn basic_credentials(parts: &Parts) -> Option<(String, String)> {
    parts.headers.get(AUTHORIZATION)?.to_str().ok().and_then(parse_basic)
}

/// An authenticated caller of dialect `D`, bound to one tenant, whose key allows what
/// the request needs (`scope::need`): its role, and for a project-limited key the project.
pub struct Authed<D> {
    pub tenant: TenantId,
    /// The tenant's name, as the request named it.
    pub tenant_name: String,
    /// The API user's name: who made a change, where Dialbase records that.
    pub user: String,
    pub role: Role,
    pub projects: ProjectScope,
    dialect: PhantomData<D>,
}

impl<D: Dialect> Authed<D> {
    /// Refuses a project the key is not limited to (where the request names it in its body).
    pub fn allow_project(&self, project: i64) -> Result<(), ApiError> {
        if self.projects.allows(project) {
            Ok(())
        } else {
            Err(outside_projects())
        }
    }

    /// An audit line of this caller's.
    pub fn audit(&self, action: &'static str, target: String, detail: serde_json::Value) -> NewAuditEntry {
        NewAuditEntry {
            user: self.user.clone(),
            source: D::NAME,
            action,
            target,
            detail,
        }
    }
}

fn outside_projects() -> ApiError {
    ApiError::Forbidden("this key is limited to other projects".into())
}

/// Whether the key's role and projects allow what the request needs.
async fn authorize(parts: &mut Parts, state: &AppState, login: &Login) -> Result<(), ApiError> {
    let route = parts
        .extensions
        .get::<MatchedPath>()
        .map(|m| {
            let route = m.as_str();
            let route = route.strip_prefix("/{customer}").unwrap_or(route);
            // jtel's base path: its routes are the same as under the tenant's prefix.
            route.strip_prefix(JTEL_BASE).unwrap_or(route).to_string()
        })
        .unwrap_or_default();
    let params = RawPathParams::from_request_parts(parts, state).await.ok();
    let query = Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
        .map(|q| q.0)
        .unwrap_or_default();
    let need = scope::need(
        &parts.method,
        &route,
        |name| params.as_ref()?.iter().find(|(k, _)| *k == name).map(|(_, v)| v),
        |name| query.get(name).cloned(),
    );
    if !login.role.allows(need.access) {
        return Err(ApiError::Forbidden(format!(
            "a {} key may not {}",
            login.role.as_str(),
            match need.access {
                Access::Read => "read",
                Access::Write => "write",
                Access::Admin => "do this (admin keys only)",
            }
        )));
    }
    let ProjectScope::Only(_) = &login.projects else {
        return Ok(());
    };
    let allowed = match need.target {
        Target::Nothing | Target::ProjectList | Target::ProjectInBody | Target::Shared => true,
        Target::Project(project) => login.projects.allows(project),
        // The record's project decides; a record that does not exist is the handler's 404.
        Target::Record(key) => match state.store.find_records(login.tenant, key).await?.first() {
            Some(record) => login.projects.allows(record.project_id),
            None => true,
        },
        Target::Tenant => false,
    };
    if allowed { Ok(()) } else { Err(outside_projects()) }
}

/// The `/{customer}` prefix, else jtel's `/rest/v1.0/{ClientsID}` (the tenant's name),
/// else the Host's first label. A ClientsID under a prefix naming another tenant names none.
pub(crate) async fn tenant_name(parts: &mut Parts, state: &AppState) -> Option<String> {
    if let Ok(params) = RawPathParams::from_request_parts(parts, state).await {
        let param = |wanted: &str| {
            params
                .iter()
                .find(|(name, _)| *name == wanted)
                .map(|(_, v)| v.to_string())
        };
        match (param("customer"), param(CLIENTS_ID)) {
            (Some(customer), Some(client)) if customer != client => return None,
            (Some(tenant), _) | (None, Some(tenant)) => return Some(tenant),
            (None, None) => {}
        }
    }
    host_tenant(&parts.headers)
}

/// The path parameter of jtel's base path, [`JTEL_BASE`].
pub const CLIENTS_ID: &str = "ClientsID";
/// jtel's base path, where `{ClientsID}` names the tenant.
pub const JTEL_BASE: &str = "/rest/v1.0/{ClientsID}";

/// The tenant the Host header names: its first label.
pub(crate) fn host_tenant(headers: &axum::http::HeaderMap) -> Option<String> {
    let host = headers.get(HOST)?.to_str().ok()?;
    host.split(['.', ':']).next().map(str::to_ascii_lowercase)
}

impl<D: Dialect> FromRequestParts<AppState> for Authed<D> {
    type Rejection = D::Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let tenant = tenant_name(parts, state).await.ok_or(ApiError::Unauthorized)?;
        // A bearer token names no user: its key does.
        let (user, key) = match D::token(parts) {
            Some(token) => (None, token),
            None => D::credentials(parts)
                .map(|(user, key)| (Some(user), key))
                .ok_or(ApiError::Unauthorized)?,
        };
        // Failed logins count per client address and per user; too many, and both wait.
        let address = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let callers: Vec<Caller> = address
            .map(Caller::Address)
            .into_iter()
            .chain(user.clone().map(|user| Caller::User(tenant.clone(), user)))
            .collect();
        if let Some(wait) = state.limits.login_blocked(&callers) {
            return Err(ApiError::TooManyRequests(wait).into());
        }
        let credentials = (tenant, user, hash_key(&key));
        let remembered = match state.auth_cache.get(&credentials) {
            // A revocation since raised the generation: the key is read again.
            Some((login, user))
                if state.store.key_generation(login.tenant).await.map_err(ApiError::from)? == login.generation =>
            {
                Some((login, user))
            }
            _ => None,
        };
        let (login, user) = match remembered {
            Some(found) => found,
            None => {
                let (tenant_name, user, digest) = &credentials;
                let found = match user {
                    None => state.store.authenticate_token(tenant_name, digest).await,
                    Some(user) => (state.store.authenticate(tenant_name, user, digest).await)
                        .map(|login| login.map(|login| (user.clone(), login))),
                };
                let Some((user, login)) = found.map_err(ApiError::from)? else {
                    state.limits.login_failed(callers);
                    return Err(ApiError::Unauthorized.into());
                };
                state.auth_cache.put(credentials.clone(), login.clone(), user.clone());
                (login, user)
            }
        };
        let (tenant_name, _, _) = credentials;
        if let Some(wait) = state.limits.take(&tenant_name, &user) {
            return Err(ApiError::TooManyRequests(wait).into());
        }
        authorize(parts, state, &login).await?;
        Ok(Self {
            tenant: login.tenant,
            tenant_name,
            user,
            role: login.role,
            projects: login.projects,
            dialect: PhantomData,
        })
    }
}

/// A numeric path parameter; one that is not a number names nothing that exists.
pub fn path_id(params: &RawPathParams, name: &str, what: &'static str) -> Result<i64, ApiError> {
    params
        .iter()
        .find(|(key, _)| *key == name)
        .and_then(|(_, value)| value.parse().ok())
        .ok_or(ApiError::NotFound(what))
}
