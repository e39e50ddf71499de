//! Look-up by phone number: `GET /dialbase/v1/phones/{number}?project=` answers the tenant's
//! records (of one project with `project=`) holding the number in one of their phone fields,
//! however a dialect wrote it: as given (digits) or in its E.164 form (docs/fields.md).
//! `{"status": 200, "number": "0036...", "e164": "36...", "records": [...]}`, lowest id first,
//! at most `storage::PHONE_MATCHES` records.

use super::dialer::DialerRecord;
use super::{DialbaseApi, DialbaseError, path_text};
use crate::domain::contact::normalize_phone;
use crate::domain::dialing::to_e164;
use crate::http::{AppState, Authed};
use crate::storage::RecordKey;
use axum::extract::{Query, RawPathParams, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dialbase/v1/phones/{number}", get(look_up))
}

#[derive(Deserialize)]
struct LookUp {
    project: Option<String>,
}

async fn look_up(
    auth: Authed<DialbaseApi>,
    State(state): State<AppState>,
    params: RawPathParams,
    Query(query): Query<LookUp>,
) -> Result<Response, DialbaseError> {
    let number = path_text(&params, "number");
    let digits = normalize_phone(number)?;
    let project = super::project_filter(query.project.as_deref())?;
    // The E.164 form without a country: a national number (`06...`) stays as given, and
    // meets the records whose project reads it with its default country by their E.164 row.
    let international = to_e164(number, None);
    let mut found = BTreeMap::new();
    for key in [Some(digits.clone()), international.clone()].into_iter().flatten() {
        for record in state.store.find_records(auth.tenant, RecordKey::Phone(key)).await? {
            if project.is_none_or(|p| p == record.project_id) {
                found.insert(record.id, record);
            }
        }
    }
    let records: Vec<DialerRecord> = found.values().map(DialerRecord).collect();
    let body = json!({"status": 200, "number": digits, "e164": international, "records": records});
    Ok(Json(body).into_response())
}
