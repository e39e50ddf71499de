//! iovox REST API v3 (XML): the Contacts interface, Countries::getCountries and a minimal
//! Rules interface, each at `/<Interface>?v=3&method=...`. Credentials come as the vendor's
//! `username` / `secureKey` headers, or as HTTP Basic with the same user and key.
//!
//! This module owns the wire format: the hardened XML reader ([`xml_reader`]), the request
//! parsers ([`parse`], [`parse_rules`], [`query`]) and the response writers ([`write`], and
//! [`write_json`] for reads asked with `output=JSON`); the rules they feed are `domain::iovox`'s.

mod contacts;
mod parse;
mod parse_rules;
mod query;
mod reply;
mod rules;
mod write;
mod write_json;
mod xml_reader;

#[cfg(test)]
mod tests;

use crate::domain::iovox::IovoxError;
use crate::http::auth::basic_credentials;
use crate::http::{AppState, Dialect};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Query, Request};
use axum::http::Method;
use axum::http::request::Parts;
use axum::routing::any;
pub use reply::IovoxReply;
use std::collections::HashMap;

pub struct Iovox;

impl Dialect for Iovox {
    type Error = reply::IovoxReply;
    const NAME: &'static str = "iovox";

    fn credentials(parts: &Parts) -> Option<(String, String)> {
        let header = |name: &str| parts.headers.get(name)?.to_str().ok().map(str::to_owned);
        match (header("username"), header("securekey")) {
            (Some(user), Some(key)) => Some((user, key)),
            _ => basic_credentials(parts),
        }
    }
}

/// Every verb reaches the handler: a wrong one is the vendor's 400
/// "Request Method must be PUT. GET attempted", not a 405.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/Contacts", any(contacts::contacts))
        .route("/Countries", any(rules::countries))
        .route("/Rules", any(rules::rules))
        .layer(axum::middleware::from_fn(reply::errors_in_the_asked_format))
}

/// What an iovox call carries besides its credentials: query string, verb and body.
struct Call {
    params: HashMap<String, String>,
    verb: Method,
    body: Result<Bytes, BytesRejection>,
}

impl<S: Send + Sync> FromRequest<S> for Call {
    type Rejection = IovoxReply;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let verb = request.method().clone();
        let Query(params) = Query::try_from_uri(request.uri())?;
        let body = Bytes::from_request(request, state).await;
        Ok(Self { params, verb, body })
    }
}

impl Call {
    /// The method called, one of `methods` (name, HTTP verb); see [`called_method`].
    fn method<'m>(&self, methods: &[(&'m str, &str)]) -> Result<&'m str, IovoxError> {
        called_method(&self.params, &self.verb, methods)
    }

    /// The request body; too large a body is a 413.
    fn body(self) -> Result<Bytes, IovoxReply> {
        Ok(self.body.map_err(crate::http::ApiError::from)?)
    }
}

/// The method a call names, checked in the vendor's order: API version, then the
/// method (Dialbase's "Method Empty" / "Method Invalid"), then the HTTP verb
/// `methods` lists for it.
fn called_method<'m>(
    params: &HashMap<String, String>,
    verb: &Method,
    methods: &[(&'m str, &str)],
) -> Result<&'m str, IovoxError> {
    match params.get("v").map(|v| v.trim()) {
        None | Some("") => return Err(IovoxError::api_version_empty()),
        Some("3") => {}
        Some(_) => return Err(IovoxError::api_version_invalid()),
    }
    let name = params.get("method").map(|m| m.trim()).unwrap_or_default();
    if name.is_empty() {
        return Err(IovoxError::method_empty());
    }
    let (name, expected) = methods
        .iter()
        .find(|(known, _)| *known == name)
        .ok_or_else(IovoxError::method_invalid)?;
    if verb.as_str() != *expected {
        return Err(IovoxError::request_method(expected, verb.as_str()));
    }
    Ok(name)
}

#[cfg(test)]
mod call_tests {
    use super::*;
    use axum::http::Request;

    const METHODS: &[(&str, &str)] = &[("getContacts", "GET")];

    fn call(query: &[(&str, &str)], verb: Method) -> Result<&'static str, String> {
        let params = query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        called_method(&params, &verb, METHODS).map_err(|e| e.message)
    }

    #[test]
    fn version_then_method_then_verb() {
        assert_eq!(call(&[("method", "x")], Method::PUT).unwrap_err(), "API Version Empty");
        assert_eq!(
            call(&[("v", "3.1"), ("method", "x")], Method::PUT).unwrap_err(),
            "API Version Invalid"
        );
        assert_eq!(call(&[("v", "3")], Method::PUT).unwrap_err(), "Method Empty");
        assert_eq!(
            call(&[("v", "3"), ("method", "x")], Method::PUT).unwrap_err(),
            "Method Invalid"
        );
        assert_eq!(
            call(&[("v", "3"), ("method", "getContacts")], Method::PUT).unwrap_err(),
            "Request Method must be GET. PUT attempted"
        );
        assert_eq!(
            call(&[("v", " 3 "), ("method", "getContacts")], Method::GET),
            Ok("getContacts")
        );
    }

    #[test]
    fn vendor_headers_or_basic() {
        let (parts, _) = Request::builder()
            .header("username", "api")
            .header("secureKey", "k1")
            .body(())
            .unwrap()
            .into_parts();
        assert_eq!(Iovox::credentials(&parts), Some(("api".into(), "k1".into())));
        let (parts, _) = Request::builder()
            .header("authorization", "Basic YXBpOmsy")
            .body(())
            .unwrap()
            .into_parts();
        assert_eq!(Iovox::credentials(&parts), Some(("api".into(), "k2".into())));
    }
}
