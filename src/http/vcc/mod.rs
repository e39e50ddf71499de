//! VCC Live Database API v2 (JSON), authenticated with HTTP Basic user + API key.

mod batch;
mod envelope;
pub use envelope::VccError;
mod payload;
mod projects;
mod record_body;
mod records;
mod robinson;

use crate::http::{AppState, Dialect};
use axum::Router;
use axum::routing::{delete, get, post, put};

pub struct Vcc;

impl Dialect for Vcc {
    type Error = envelope::VccError;
    const NAME: &'static str = "vcc";
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v2/projects",
            get(projects::list_projects).post(projects::create_project),
        )
        .route("/v2/projects/{projectid}", get(projects::get_project))
        .route("/v2/projects/{projectid}/fields", post(projects::add_field))
        .route(
            "/v2/projects/{projectid}/fields/{fieldid}/values",
            post(projects::add_values),
        )
        .route(
            "/v2/projects/{projectid}/fields/{fieldid}/values/{valueid}",
            put(projects::modify_value).delete(projects::delete_value),
        )
        .route(
            "/v2/projects/{projectid}/records",
            get(records::list_records)
                .post(records::add_records)
                .put(records::batch_modify),
        )
        .route(
            "/v2/projects/{projectid}/records/dispositions",
            put(records::batch_dispositions),
        )
        .route(
            "/v2/projects/{projectid}/records/{numberid}",
            get(records::get_record).put(records::modify_record),
        )
        .route(
            "/v2/projects/{projectid}/records/{numberid}/contacts/{contact}",
            put(records::modify_contact),
        )
        .route(
            "/v2/projects/{projectid}/records/{numberid}/dispositions",
            post(records::add_disposition),
        )
        .route("/v2/robinson", post(robinson::add))
        .route("/v2/robinson/{phone}", delete(robinson::delete))
}
