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
use crate::http::{AppState, Dialect};
use axum::Router;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::routing::{get, patch, post};

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
        .route("/dialler/contacts/import", post(import::import))
        // The vendor's older path for "Retrieve contact by ID".
        .route("/dialler/contacts/{id}", get(contacts::get))
        .route(
            "/dialler/contacts/contact",
            get(contacts::get).post(contacts::insert).delete(contacts::delete),
        )
        .route(
            "/dialler/contacts/contact/{id}",
            get(contacts::get).put(contacts::update).delete(contacts::delete),
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
