//! jtel dialler contacts (JSON), authenticated with HTTP Basic user + API key. A dialler
//! contact is a record: `DiallerContactsID` is its id (unique per tenant, so no campaign in
//! the URLs), `DiallerCampaignsID` its project; see `fields` for the whole mapping.

mod contacts;
mod envelope;
mod fields;

pub use envelope::JtelError;

use crate::http::{AppState, Dialect};
use axum::Router;
use axum::routing::{get, patch};

pub struct Jtel;

impl Dialect for Jtel {
    type Error = JtelError;
    const NAME: &'static str = "jtel";
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dialler/contacts", get(contacts::list))
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
}
