//! Dialbase's own API, `/{customer}/dialbase/v1/...` (docs/dialbase.md): what no vendor API
//! has. `dialer` (claim, release, a record's dial state), `rules` (a project's dialing rules),
//! `dnc` (do-not-call lists), `phones` (look-up by number), `export`, `changes` (the change feed), `webhooks`, `keys` and
//! `audit` (admin). JSON in and out; errors are this API's own (`error`).

mod audit;
mod changes;
mod dialer;
mod dnc;
mod error;
pub mod export;
mod keys;
mod phones;
mod rules;
mod webhooks;

pub use error::DialbaseError;

use crate::http::{AppState, Dialect};
use axum::Router;
use axum::extract::RawPathParams;

/// A `project=` filter of the own API's reads: a project id, or none given.
fn project_filter(text: Option<&str>) -> Result<Option<i64>, crate::domain::ValidationError> {
    text.map(|text| {
        text.parse::<i64>()
            .map_err(|_| crate::domain::ValidationError::new("wrong_project", "project is a project id"))
    })
    .transpose()
}

/// A path parameter's text (percent-decoded); "" when the route has none of that name.
fn path_text<'a>(params: &'a RawPathParams, name: &str) -> &'a str {
    params
        .iter()
        .find(|(key, _)| *key == name)
        .map_or("", |(_, value)| value)
}

pub struct DialbaseApi;

impl Dialect for DialbaseApi {
    type Error = DialbaseError;
    const NAME: &'static str = "dialbase";
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(dialer::routes())
        .merge(rules::routes())
        .merge(dnc::routes())
        .merge(export::routes())
        .merge(changes::routes())
        .merge(webhooks::routes())
        .merge(keys::routes())
        .merge(audit::routes())
        .merge(phones::routes())
}
