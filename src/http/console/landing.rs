//! The root page: what this server is, where the console and the API reference are.

use super::page;
use crate::domain::tenant::validate_tenant_name;
use crate::http::AppState;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::html;
use serde::Deserialize;

/// `/` and the console's assets at the root (for pages outside a console, like errors).
pub fn root_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/assets/{asset}", get(super::assets::serve))
}

#[derive(Deserialize)]
pub struct LandingQuery {
    customer: Option<String>,
}

async fn landing(Query(query): Query<LandingQuery>) -> Response {
    if let Some(customer) = query.customer.map(|c| c.trim().to_ascii_lowercase())
        && validate_tenant_name(&customer).is_ok()
    {
        return Redirect::to(&format!("/{customer}/console/")).into_response();
    }
    let body = html! {
        main class="narrow" {
            h1 { "Dialbase" }
            p { "A contact database for outbound call centres: dialers, CRMs and import scripts use its APIs; "
                "staff use the console." }
            h2 { "Console" }
            form method="get" action="/" class="stack" {
                label for="customer" { "Call centre (the " code { "{customer}" } " of the API URLs)" }
                input id="customer" name="customer" type="text" required autocomplete="organization";
                button type="submit" { "Open the console" }
            }
            p class="hint" { "The console of call centre " code { "acme" } " is at " code { "/acme/console/" } "." }
            h2 { "APIs" }
            ul {
                li { a href="/api/" { "API reference" } " (VCC Live v2, jtel, Dialbase's own)" }
                li { a href="/openapi.json" { "OpenAPI 3.1 document" } }
                li { a href="/healthz" { "Health check" } }
            }
        }
    };
    page::bare("Dialbase", "", body)
}
