//! jtel's `POST /dialler/contacts/import?overwriteDuplicates=`: one contact into a campaign
//! named by id or by name. With `overwriteDuplicates=true` the campaign's contact holding
//! the same `UserData` (the lowest id) is written over instead, race-free in the store.

use super::Jtel;
use super::envelope::{JtelError, records};
use super::fields::{CAMPAIGN, CAMPAIGN_NAME, ContactInput, gives, parse_contact};
use crate::domain::ValidationError;
use crate::http::{ApiError, AppState, Authed, json_body};
use crate::storage::{Imported, StoreError, TenantId};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The numbers jtel's import asks for at least one of.
const IMPORT_PHONES: [&str; 6] = [
    "PhoneNumber1",
    "PhoneNumber2",
    "PhoneNumber3",
    "PhoneNumber4",
    "PhoneNumber5",
    "PhoneNumber6",
];

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

/// jtel's mandatory fields of an imported contact: `Name` and one of `PhoneNumber1..6`.
fn check_mandatory(input: &ContactInput) -> Result<(), ValidationError> {
    if !gives(input, "Name") {
        return Err(ValidationError::new("missing_name", "Name is mandatory"));
    }
    if !IMPORT_PHONES.iter().any(|key| gives(input, key)) {
        return Err(ValidationError::new(
            "missing_phone",
            "at least one of PhoneNumber1..PhoneNumber6 is mandatory",
        ));
    }
    Ok(())
}

/// The campaign the contact names: by id, else by name (a name several campaigns share is
/// a 409: name it by id). Both given must agree.
async fn campaign(state: &AppState, tenant: TenantId, input: &ContactInput) -> Result<i64, ApiError> {
    let Some(name) = &input.campaign_name else {
        return input.campaign.ok_or_else(|| {
            ValidationError::new(
                "missing_campaign",
                format!("{CAMPAIGN} or {CAMPAIGN_NAME} is mandatory"),
            )
            .into()
        });
    };
    let named: Vec<i64> = (state.store.list_projects(tenant).await?.into_iter())
        .filter(|p| p.name == *name)
        .map(|p| p.id)
        .collect();
    match (input.campaign, named.as_slice()) {
        (Some(id), named) if named.contains(&id) => Ok(id),
        (Some(_), []) | (None, []) => Err(ApiError::NotFound("project")),
        (Some(_), _) => Err(ValidationError::new(
            "wrong_campaign",
            format!("{CAMPAIGN} and {CAMPAIGN_NAME} name different campaigns"),
        )
        .into()),
        (None, [id]) => Ok(*id),
        (None, _) => Err(ApiError::Conflict(format!(
            "several campaigns are named {name:?}: name the campaign by {CAMPAIGN}"
        ))),
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
    check_mandatory(&input)?;
    let campaign = campaign(&state, auth.tenant, &input).await?;
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

    #[test]
    fn name_and_one_of_six_numbers_are_mandatory() {
        let code = |v: Value| check_mandatory(&parse_contact(&v).unwrap()).err().map(|e| e.code);
        assert_eq!(code(json!({"Name": "A", "PhoneNumber6": "491"})), None);
        assert_eq!(code(json!({"PhoneNumber1": "491"})), Some("missing_name"));
        assert_eq!(code(json!({"Name": " ", "PhoneNumber1": "491"})), Some("missing_name"));
        assert_eq!(code(json!({"Name": "A", "PhoneNumber7": "491"})), Some("missing_phone"));
        assert_eq!(code(json!({"Name": "A", "PhoneNumber1": null})), Some("missing_phone"));
    }
}
