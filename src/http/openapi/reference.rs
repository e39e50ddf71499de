//! The API reference page: the OpenAPI document's operations as HTML, grouped by API.

use super::document::operation_id;
use super::operations::{Api, OPERATIONS};
use crate::http::console::bare_page;
use axum::response::Response;
use maud::html;

pub async fn page() -> Response {
    let apis = [Api::Vcc, Api::Jtel, Api::Dialbase];
    let body = html! {
        main {
            h1 { "Dialbase API reference" }
            p {
                "Every path is below " code { "/{customer}" } " (or at the root when the Host names the tenant); "
                "authenticate with HTTP Basic (API user and key). The machine-readable description is "
                a href="/openapi.json" { "/openapi.json" } " (OpenAPI 3.1). Staff use the "
                a href="/" { "console" } "."
            }
            nav aria-label="APIs" {
                ul { @for api in &apis { li { a href={ "#" (api.tag().replace(' ', "-")) } { (api.tag()) } } } }
            }
            @for api in &apis {
                section {
                    h2 id=(api.tag().replace(' ', "-")) { (api.tag()) }
                    @for op in OPERATIONS.iter().filter(|op| op.api == *api) {
                        article class="card" id=(operation_id(op)) {
                            h3 { span class="badge" { (op.method.to_uppercase()) } " " code { (op.path) } }
                            p { (op.summary) }
                            @if !op.query.is_empty() {
                                dl class="facts" { @for (name, description) in op.query { dt { code { (name) } } dd { (description) } } }
                            }
                            @if let Some(request) = op.request {
                                p class="hint" { "Request body" }
                                pre class="report" { (request) }
                            }
                            p class="hint" { "Answer" }
                            pre class="report" { (op.response) }
                        }
                    }
                }
            }
        }
    };
    bare_page("API reference · Dialbase", body)
}
