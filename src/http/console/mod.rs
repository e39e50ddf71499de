//! The web console for call-centre staff (docs/console.md): server-rendered HTML (maud) at
//! `/{customer}/console/`, or `/console/` where the Host names the tenant. Sign-in with an API
//! user and key opens a session kept in the database (any node knows it); every form carries
//! the session's CSRF token. Its stylesheet and script are embedded in the binary.

mod assets;
mod dnc;
mod error;
mod fields;
mod import;
mod keys;
mod landing;
mod page;
mod projects;
mod records;
mod rules;
mod session;

use super::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::Redirect;
use axum::routing::{get, post, put};

pub use landing::root_routes;

/// A page outside any console (the API reference), with the console's look.
pub fn bare_page(title: &str, body: maud::Markup) -> axum::response::Response {
    page::bare(title, "", body)
}

/// The console's pages, mounted by the caller under `/{customer}` and at the root.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(|| async { Redirect::permanent("console/") }))
        .route("/console/", get(projects::page))
        .route("/console/assets/{asset}", get(assets::serve))
        .route("/console/login", get(session::login_page).post(session::login))
        .route("/console/logout", post(session::logout))
        .route("/console/projects", post(projects::create))
        .route("/console/projects/table", get(projects::table))
        .route("/console/projects/{project}", get(records::list))
        .route("/console/projects/{project}/records/{record}", get(records::show))
        .route("/console/projects/{project}/records/{record}/lock", post(records::lock))
        .route(
            "/console/projects/{project}/fields",
            get(fields::page).post(fields::add_field),
        )
        .route(
            "/console/projects/{project}/fields/{field}/values",
            post(fields::add_value),
        )
        .route(
            "/console/projects/{project}/fields/{field}/values/{value}/rename",
            post(fields::rename_value),
        )
        .route(
            "/console/projects/{project}/fields/{field}/values/{value}/delete",
            post(fields::delete_value),
        )
        .route("/console/projects/{project}/import", get(import::page))
        .route("/console/projects/{project}/imports", post(import::create))
        .route(
            "/console/imports/{import}/upload",
            put(import::upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/console/imports/{import}/progress", get(import::progress))
        .route("/console/imports/{import}", get(import::report))
        .route("/console/projects/{project}/export.csv", get(import::export))
        .route("/console/projects/{project}/rules", get(rules::page).post(rules::save))
        .route("/console/dnc", get(dnc::page))
        .route("/console/dnc/add", post(dnc::add))
        .route("/console/dnc/remove", post(dnc::remove))
        .route("/console/keys", get(keys::page).post(keys::create))
        .route("/console/keys/revoke", post(keys::revoke))
}

/// An error answered outside the console's handlers (no such page, a wrong method), as its
/// error page.
pub fn error_answer(e: super::ApiError) -> axum::response::Response {
    axum::response::IntoResponse::into_response(error::ConsoleError::Api(e))
}

/// A CSV upload streams into the store however large it is: the body limit (and its early
/// 413 for a large declared Content-Length) does not apply to it.
pub fn unlimited_body(path: &str) -> bool {
    path.ends_with("/upload") && path.contains("/console/imports/")
}
