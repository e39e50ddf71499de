//! jtel dialler contacts and campaigns (JSON), at jtel's own base path
//! `/rest/v1.0/{ClientsID}/dialler/...` (`ClientsID` is the tenant's name) and under the
//! tenant's prefix `/{customer}/dialler/...`. Authenticated with `Authorization: Bearer`
//! (one of the tenant's API keys) or HTTP Basic user + key. A dialler contact is a record:
//! `DiallerContactsID` is its id (unique per tenant, so no campaign in the URLs),
//! `DiallerCampaignsID` its project; see `fields` for the whole mapping.

mod campaigns;
mod contacts;
mod envelope;
mod fields;
mod import;
mod listing;

pub use envelope::JtelError;

use crate::domain::auth::parse_bearer;
use crate::http::auth::JTEL_BASE;
use crate::http::{ApiError, AppState, Dialect};
use axum::Router;
use axum::extract::Request;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, patch, post};

pub struct Jtel;

impl Dialect for Jtel {
    type Error = JtelError;
    const NAME: &'static str = "jtel";

    fn token(parts: &Parts) -> Option<String> {
        parts.headers.get(AUTHORIZATION)?.to_str().ok().and_then(parse_bearer)
    }
}

/// The dialler calls, under the tenant's prefix and under jtel's base path.
pub fn routes() -> Router<AppState> {
    let dialler = dialler_routes();
    Router::new().merge(dialler.clone()).nest(JTEL_BASE, dialler)
}

fn dialler_routes() -> Router<AppState> {
    Router::new()
        .route("/dialler/contacts", get(contacts::list))
        .route("/dialler/contacts/import", reads_json(post(import::import)))
        // The vendor's older path for "Retrieve contact by ID".
        .route("/dialler/contacts/{id}", get(contacts::get))
        .route(
            "/dialler/contacts/contact",
            reads_json(get(contacts::get).post(contacts::insert).delete(contacts::delete)),
        )
        .route(
            "/dialler/contacts/contact/{id}",
            reads_json(get(contacts::get).put(contacts::update).delete(contacts::delete)),
        )
        .route("/dialler/contacts/contact/{id}/lock", patch(contacts::set_lock))
        .route("/dialler/contacts/contact/{id}/unlock", patch(contacts::set_lock))
        .route("/dialler/contacts/contact/lock", patch(contacts::set_lock))
        .route("/dialler/contacts/contact/unlock", patch(contacts::set_lock))
        // The vendor's document prints this path for "Unlock a Dialler Contact by UserData".
        .route("/dialler/contacts/contact/lockunlock", patch(contacts::set_lock))
        .route("/dialler/campaigns", get(campaigns::list))
        .route("/dialler/campaigns/{id}", get(campaigns::get))
}

/// The Content-Type check for a path with a POST or PUT: on its methods only, so that a
/// method the path does not take is still a 405.
fn reads_json(methods: MethodRouter<AppState>) -> MethodRouter<AppState> {
    methods.route_layer(middleware::from_fn(json_bodies_only))
}

/// jtel requires `Content-Type: application/json` on the bodies it reads (POST, PUT); a body
/// declared as anything else, or not declared, is refused 415 before the call is looked at.
async fn json_bodies_only(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::POST | Method::PUT) && !declares_json(request.headers()) {
        let wanted = "Content-Type must be application/json".to_string();
        return JtelError(ApiError::UnsupportedMediaType(wanted)).into_response();
    }
    next.run(request).await
}

/// `application/json` or a `+json` type, with any parameters (`; charset=utf-8`).
fn declares_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(value: Option<&str>) -> bool {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert(CONTENT_TYPE, value.parse().unwrap());
        }
        declares_json(&headers)
    }

    #[test]
    fn json_with_or_without_parameters_is_json() {
        assert!(declared(Some("application/json")));
        assert!(declared(Some("Application/JSON; charset=UTF-8")));
        assert!(declared(Some("application/vnd.api+json")));
        assert!(!declared(Some("application/x-www-form-urlencoded")));
        assert!(!declared(Some("text/plain")));
        assert!(!declared(Some("application/jsonx")));
        assert!(!declared(None));
    }
}
