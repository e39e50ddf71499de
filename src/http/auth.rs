//! Tenant resolution and authentication, shared by the dialects. The tenant is the
//! `/{customer}` path prefix or else the Host header's first label; credentials are
//! the dialect's own (HTTP Basic for all of them).

use super::limits::Caller;
use super::{ApiError, AppState};
use crate::domain::auth::{hash_key, parse_basic};
use crate::storage::TenantId;
use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams};
use axum::http::header::{AUTHORIZATION, HOST};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use std::marker::PhantomData;
use std::net::SocketAddr;

/// An API dialect: how it reads credentials and how it renders errors.
pub trait Dialect: Send + Sync + 'static {
    type Error: From<ApiError> + IntoResponse + Send;

    /// User and key from the request; HTTP Basic unless the dialect has its own way.
    fn credentials(parts: &Parts) -> Option<(String, String)> {
        basic_credentials(parts)
    }
}

pub fn basic_credentials(parts: &Parts) -> Option<(String, String)> {
    parts.headers.get(AUTHORIZATION)?.to_str().ok().and_then(parse_basic)
}

/// An authenticated caller of dialect `D`, bound to one tenant.
pub struct Authed<D> {
    pub tenant: TenantId,
    /// The API user's name: who made a change, where Dialbase records that.
    pub user: String,
    dialect: PhantomData<D>,
}

pub(crate) async fn tenant_name(parts: &mut Parts, state: &AppState) -> Option<String> {
    if let Ok(params) = RawPathParams::from_request_parts(parts, state).await
        && let Some((_, customer)) = params.iter().find(|(name, _)| *name == "customer")
    {
        return Some(customer.to_string());
    }
    let host = parts.headers.get(HOST)?.to_str().ok()?;
    host.split(['.', ':']).next().map(str::to_ascii_lowercase)
}

impl<D: Dialect> FromRequestParts<AppState> for Authed<D> {
    type Rejection = D::Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let tenant = tenant_name(parts, state).await.ok_or(ApiError::Unauthorized)?;
        let (user, key) = D::credentials(parts).ok_or(ApiError::Unauthorized)?;
        // Failed logins count per client address and per user; too many, and both wait.
        let address = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let callers: Vec<Caller> = address
            .map(Caller::Address)
            .into_iter()
            .chain([Caller::User(tenant.clone(), user.clone())])
            .collect();
        if let Some(wait) = state.limits.login_blocked(&callers) {
            return Err(ApiError::TooManyRequests(wait).into());
        }
        let credentials = (tenant, user, hash_key(&key));
        let tenant_id = match state.auth_cache.get(&credentials) {
            Some(tenant_id) => tenant_id,
            None => {
                let (tenant_name, user, digest) = &credentials;
                let Some(tenant_id) = state
                    .store
                    .authenticate(tenant_name, user, digest)
                    .await
                    .map_err(ApiError::from)?
                else {
                    state.limits.login_failed(callers);
                    return Err(ApiError::Unauthorized.into());
                };
                state.auth_cache.put(credentials.clone(), tenant_id);
                tenant_id
            }
        };
        let (tenant_name, user, _) = credentials;
        if let Some(wait) = state.limits.take(&tenant_name, &user) {
            return Err(ApiError::TooManyRequests(wait).into());
        }
        Ok(Self {
            tenant: tenant_id,
            user,
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
