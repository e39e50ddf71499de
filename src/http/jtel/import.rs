//! jtel's `POST /dialler/contacts/import?overwriteDuplicates=`: one contact into a campaign
//! named by id or by name. With `overwriteDuplicates=true` the campaign's contact holding
//! the same `UserData` (the lowest id) is written over instead, race-free in the store.

use super::Jtel;
use super::campaigns::named_campaign;
use super::envelope::{JtelError, records};
use super::fields::{check_new, parse_contact};
use crate::http::{ApiError, AppState, Authed, json_body};
use crate::storage::{Imported, StoreError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::HashMap;

/// jtel's import asks for one of `PhoneNumber1..6`.
const IMPORT_PHONES: u8 = 6;

/// `overwriteDuplicates`: true or false, absent is false (always create).
fn overwrite(query: &HashMap<String, String>) -> Result<bool, ApiError> {
    match query
        .get("overwriteDuplicates")
        .map(|v| v.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(ApiError::BadRequest("overwriteDuplicates must be true or false".into())),
    }
}

pub async fn import(
    auth: Authed<Jtel>,
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, JtelError> {
    let overwrite = overwrite(&query)?;
    let body: Value = json_body(body)?;
    if !body.is_object() {
        return Err(ApiError::BadRequest("import one contact: a JSON object".into()).into());
    }
    let mut input = parse_contact(&body)?;
    check_new(&input, IMPORT_PHONES)?;
    let campaign = named_campaign(&state, auth.tenant, &input).await?;
    auth.allow_project(campaign)?;
    let (_, schema) = state.store.project_schema(auth.tenant, campaign).await?;
    input.drop_needless_clears(|name| schema.field(name).is_some());
    let imported = match state
        .store
        .import_record(auth.tenant, campaign, input.write, overwrite)
        .await
    {
        // The contact vanished between the look-up and the write: a concurrent delete.
        Err(StoreError::NotFound("record")) => {
            return Err(ApiError::Conflict("the contact was deleted meanwhile: import it again".into()).into());
        }
        other => other?,
    };
    let contact =
        json!({"DiallerContactsID": imported.id(), "bOverwritten": matches!(imported, Imported::Overwritten(_))});
    Ok(records(vec![contact]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overwrite_duplicates_is_a_boolean() {
        let query = |v: &str| HashMap::from([("overwriteDuplicates".to_string(), v.to_string())]);
        assert!(overwrite(&query("true")).unwrap());
        assert!(!overwrite(&query("False")).unwrap());
        assert!(!overwrite(&HashMap::new()).unwrap());
        assert!(overwrite(&query("yes")).is_err());
    }
}
