//! A jtel dialler contact as a record:
//!
//! | jtel key | record |
//! |---|---|
//! | `DiallerContactsID` | the record id (read-only) |
//! | `DiallerCampaignsID` | its project |
//! | `UserData` | `user_data` |
//! | `dtNextTry` | `next_calldate` |
//! | `PhoneNumber1`..`PhoneNumber9` | form fields `phone1`..`phone9` (digits only) |
//! | `Name`, `FirstName`, `Company`, `Email`, `Address`, `City`, `PostalCode`, `Region`, `Country`, `Comment` | the canonical contact's fields (`name`, `first_name`, ..., `notes`: `domain::canonical`, docs/fields.md) |
//! | `bLocked`, `bRobinson`, `ReservedUsersUID` | lock flag, Robinson flag, current claimant (read-only) |
//! | anything else (`Salutation`, `Tag`, `last_name`, ...) | the form field of the same name |
//!
//! Values follow jtel's naming: `bX` is a boolean, `nX`, `RandomSortOrder` and `...AcdAgentEndReasonsID`
//! integers, `Amount` a number, `dtX` a date; they are checked on the way in and typed again on
//! the way out. Other fields are text, `Email` too: jtel's own example holds `"Email": "Email"`.

use crate::domain::ValidationError;
use crate::domain::calldate;
use crate::domain::canonical;
use crate::domain::contact::normalize_phone;
use crate::domain::record::{Record, RecordWrite};
use crate::domain::resolve::FormValue;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;

pub const CAMPAIGN: &str = "DiallerCampaignsID";
/// The campaign by its name (jtel's import takes it instead of the id); never a field.
pub const CAMPAIGN_NAME: &str = "DiallerCampaignsName";
const USER_DATA_MAX_CHARS: usize = 255;

/// Shown on every contact, null when unset: jtel's contact fields ...
const CONTACT_FIELDS: &str = "Client Service ReferenceNumber Name FirstName Salutation Title Company Address
    PostalCode City Country Region AccountOwner AccountBank AccountNationalBankCode AccountBIC AccountNumber
    AccountIBAN Amount FaxNumber Email Website Comment ExternalSystemLink Tag Model RandomSortOrder
    bLastResultMailbox LastAcdAgentEndReasonsID";
/// ... and its per-number fields, `#` standing for 1 to 6.
const NUMBER_FIELDS: &[&str] = &[
    "PhoneNumber#",
    "bPhoneNumber#Invalid",
    "nTriesPhoneNumber#",
    "nPhoneNumber#LastCause",
    "PhoneNumber#LastAcdAgentEndReasonsID",
];
/// Shown but never written: a client may send back what it read.
const READ_ONLY: &[&str] = &["DiallerContactsID", "bLocked", "bRobinson", "ReservedUsersUID"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Phone,
    Bool,
    Integer,
    Number,
    Date,
    Text,
}

fn kind(key: &str) -> Kind {
    let prefixed = |prefix: &str| {
        key.strip_prefix(prefix)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_uppercase())
    };
    if canonical::jtel_phone_slot(key).is_some() {
        Kind::Phone
    } else if key == "Amount" {
        Kind::Number
    } else if prefixed("dt") {
        Kind::Date
    } else if prefixed("b") {
        Kind::Bool
    } else if prefixed("n") || key == "RandomSortOrder" || key.ends_with("AcdAgentEndReasonsID") {
        Kind::Integer
    } else {
        Kind::Text
    }
}

/// The form field a jtel key names.
pub fn form_name(key: &str) -> String {
    canonical::jtel_field(key)
}

fn wrong(key: &str, what: &str) -> ValidationError {
    ValidationError::new("wrong_value_format", format!("'{key}' must be {what}"))
}

/// A scalar as trimmed text; null and "" are None (unset).
fn scalar(key: &str, value: &Value) -> Result<Option<String>, ValidationError> {
    let text = match value {
        Value::Null => return Ok(None),
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return Err(wrong(key, "a string, number or boolean")),
    };
    Ok(Some(text).filter(|t| !t.is_empty()))
}

/// A field's value as sent, checked against the kind its name gives it.
pub fn checked_value(key: &str, text: &str) -> Result<String, ValidationError> {
    let named = |e: ValidationError| ValidationError::new(e.code, format!("{key}: {}", e.detail));
    Ok(match kind(key) {
        Kind::Phone => normalize_phone(text).map_err(named)?,
        Kind::Date => calldate::parse(text).map_err(named)?,
        Kind::Bool => match text {
            "true" | "1" => "true".into(),
            "false" | "0" => "false".into(),
            _ => return Err(wrong(key, "true or false")),
        },
        Kind::Integer => text.parse::<i64>().map_err(|_| wrong(key, "an integer"))?.to_string(),
        Kind::Number => match text.parse::<f64>() {
            Ok(n) if n.is_finite() => text.to_string(),
            _ => return Err(wrong(key, "a number")),
        },
        Kind::Text => text.to_string(),
    })
}

/// A contact as sent to insert or update: the campaign it names and the write it makes.
#[derive(Debug, Default)]
pub struct ContactInput {
    pub campaign: Option<i64>,
    /// `DiallerCampaignsName`: the campaign by name.
    pub campaign_name: Option<String>,
    pub write: RecordWrite,
}

pub fn parse_contact(value: &Value) -> Result<ContactInput, ValidationError> {
    let object = value
        .as_object()
        .ok_or_else(|| ValidationError::new("wrong_contact_format", "a contact must be a JSON object"))?;
    let mut input = ContactInput::default();
    for (key, value) in object {
        let text = scalar(key, value)?;
        match key.as_str() {
            CAMPAIGN => {
                let id = text.map(|t| t.parse::<i64>().ok().filter(|id| *id > 0));
                input.campaign = id
                    .map(|id| id.ok_or_else(|| wrong(key, "a positive integer")))
                    .transpose()?;
            }
            CAMPAIGN_NAME => input.campaign_name = text,
            "UserData" if text.as_ref().is_some_and(|t| t.chars().count() > USER_DATA_MAX_CHARS) => {
                return Err(wrong(key, "at most 255 characters"));
            }
            "UserData" => input.write.user_data = text,
            "dtNextTry" => input.write.next_calldate = text.as_deref().map(calldate::parse).transpose()?,
            key if READ_ONLY.contains(&key) => {}
            key => {
                let field = form_name(key);
                if input.write.form.iter().any(|(name, _)| *name == field) {
                    return Err(ValidationError::new(
                        "duplicate_field",
                        format!("'{key}' names field '{field}' twice"),
                    ));
                }
                let value = match text {
                    Some(text) => FormValue::Text(checked_value(key, &text)?),
                    None => FormValue::Clear,
                };
                input.write.form.push((field, value));
            }
        }
    }
    Ok(input)
}

impl ContactInput {
    /// Drops the nulls for fields `exists` does not know: there is nothing to clear, and the
    /// shared write path would otherwise create an empty field for each.
    pub fn drop_needless_clears(&mut self, exists: impl Fn(&str) -> bool) {
        self.write
            .form
            .retain(|(name, value)| *value != FormValue::Clear || exists(name));
    }
}

/// Whether the contact gives the field a jtel key names a value.
pub fn gives(input: &ContactInput, key: &str) -> bool {
    let field = form_name(key);
    (input.write.form.iter()).any(|(name, value)| *name == field && matches!(value, FormValue::Text(_)))
}

/// The numbers of which an inserted contact must give one (jtel's own fields go to 6; Dialbase
/// keeps 9).
pub const NEW_CONTACT_PHONES: u8 = 9;

/// jtel's mandatory fields for a new contact: the campaign (by id or name), `Name`, and one of
/// `PhoneNumber1` to `PhoneNumber{phones}`.
pub fn check_new(input: &ContactInput, phones: u8) -> Result<(), ValidationError> {
    if input.campaign.is_none() && input.campaign_name.is_none() {
        return Err(ValidationError::new(
            "missing_campaign",
            format!("{CAMPAIGN} or {CAMPAIGN_NAME} is mandatory"),
        ));
    }
    if !gives(input, "Name") {
        return Err(ValidationError::new("missing_name", "Name is mandatory"));
    }
    if !(1..=phones).any(|n| gives(input, &format!("PhoneNumber{n}"))) {
        return Err(ValidationError::new(
            "missing_phone",
            format!("at least one of PhoneNumber1..PhoneNumber{phones} is mandatory"),
        ));
    }
    Ok(())
}

/// Stored text typed back by the field's jtel kind.
fn typed(key: &str, text: String) -> Value {
    match kind(key) {
        Kind::Bool if text == "true" || text == "false" => Value::Bool(text == "true"),
        Kind::Integer | Kind::Number => {
            serde_json::from_str::<serde_json::Number>(&text).map_or(Value::String(text), Value::Number)
        }
        _ => Value::String(text),
    }
}

/// A contact as jtel shows it: every documented key (null until the record has it), the
/// record's other fields and its own keys, in key order. The documented keys are static:
/// a look-up no longer builds some sixty strings per contact.
pub type JtelContact = BTreeMap<Cow<'static, str>, Value>;

pub fn contact_json(record: &Record) -> JtelContact {
    static EMPTY: std::sync::LazyLock<JtelContact> = std::sync::LazyLock::new(|| {
        let mut out = JtelContact::new();
        for name in CONTACT_FIELDS.split_whitespace() {
            out.insert(Cow::Borrowed(name), Value::Null);
        }
        for slot in 1..=6 {
            for template in NUMBER_FIELDS {
                // Made once for the process and borrowed by every contact: owned, each
                // look-up copied these 30 names (a tenth of a jtel look-up).
                let name: &'static str = Box::leak(template.replace('#', &slot.to_string()).into_boxed_str());
                out.insert(Cow::Borrowed(name), Value::Null);
            }
        }
        out
    });
    let mut out = EMPTY.clone();
    for entry in &record.form {
        if let Some(key) = canonical::jtel_key(&entry.name) {
            let value = typed(&key, entry.text());
            out.insert(Cow::Owned(key), value);
        }
    }
    let own: [(&'static str, Value); 7] = [
        ("DiallerContactsID", record.id.into()),
        (CAMPAIGN, record.project_id.into()),
        ("UserData", record.user_data.clone().into()),
        ("dtNextTry", record.next_calldate.clone().into()),
        ("bLocked", record.locked.into()),
        ("bRobinson", record.robinson.into()),
        ("ReservedUsersUID", record.claimant(&calldate::now()).into()),
    ];
    for (key, value) in own {
        out.insert(Cow::Borrowed(key), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_give_kinds() {
        assert_eq!(kind("PhoneNumber3"), Kind::Phone);
        assert_eq!(kind("PhoneNumber3LastAcdAgentEndReasonsID"), Kind::Integer);
        assert_eq!(kind("bPhoneNumber1Invalid"), Kind::Bool);
        assert_eq!(kind("nTriesPhoneNumber2"), Kind::Integer);
        assert_eq!(kind("dtImported"), Kind::Date);
        assert_eq!(kind("bonus"), Kind::Text, "a lower-case word is no prefix");
        assert_eq!(kind("Company"), Kind::Text);
        assert_eq!(form_name("PhoneNumber9"), "phone9");
        assert_eq!(form_name("PhoneNumber10"), "PhoneNumber10");
        assert_eq!(form_name("Company"), "company");
    }

    #[test]
    fn a_contact_maps_to_a_record_write() {
        let input = parse_contact(&json!({
            "DiallerCampaignsID": 538, "UserData": "crm-1", "Name": "Mustermann", "Company": "Company",
            "PhoneNumber1": "+49 89 1234567", "PhoneNumber2": "", "bPhoneNumber1Invalid": 0,
            "Amount": "12.50", "dtNextTry": "2030-01-02 03:04:05", "DiallerContactsID": 7, "Tag": null
        }))
        .unwrap();
        assert_eq!(input.campaign, Some(538));
        assert!(check_new(&input, NEW_CONTACT_PHONES).is_ok());
        let w = &input.write;
        assert_eq!(w.user_data.as_deref(), Some("crm-1"));
        assert_eq!(w.next_calldate.as_deref(), Some("2030-01-02 03:04:05"));
        let value = |name: &str| w.form.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        assert_eq!(value("phone1"), Some(FormValue::Text("49891234567".into())));
        assert_eq!(value("phone2"), Some(FormValue::Clear));
        assert_eq!(value("bPhoneNumber1Invalid"), Some(FormValue::Text("false".into())));
        assert_eq!(value("Tag"), Some(FormValue::Clear));
        assert_eq!(value("name"), Some(FormValue::Text("Mustermann".into())));
        assert_eq!(value("company"), Some(FormValue::Text("Company".into())));
        assert_eq!(value("DiallerContactsID"), None, "read-only keys are not stored");
    }

    #[test]
    fn wrong_values_and_missing_mandatory_fields_are_named() {
        let code = |v: Value| parse_contact(&v).unwrap_err().code;
        assert_eq!(code(json!({"PhoneNumber1": "call me"})), "wrong_phone_format");
        assert_eq!(code(json!({"bLastResultMailbox": "maybe"})), "wrong_value_format");
        assert_eq!(code(json!({"nTriesPhoneNumber1": 1.5})), "wrong_value_format");
        assert_eq!(code(json!({"DiallerCampaignsID": "x"})), "wrong_value_format");
        assert_eq!(code(json!({"Company": {"a": 1}})), "wrong_value_format");
        assert_eq!(code(json!({"PhoneNumber1": "123", "phone1": "456"})), "duplicate_field");
        assert_eq!(code(json!([])), "wrong_contact_format");
        let new = |v: Value| check_new(&parse_contact(&v).unwrap(), 6).unwrap_err().code;
        assert_eq!(new(json!({"Name": "A", "PhoneNumber1": "123"})), "missing_campaign");
        assert_eq!(
            new(json!({"DiallerCampaignsID": 1, "PhoneNumber1": "123"})),
            "missing_name"
        );
        assert_eq!(
            new(json!({"DiallerCampaignsID": 1, "Name": "A", "PhoneNumber1": ""})),
            "missing_phone"
        );
        assert_eq!(
            new(json!({"DiallerCampaignsName": "Sales", "Name": "A", "PhoneNumber7": "123"})),
            "missing_phone"
        );
        let by_name = parse_contact(&json!({"DiallerCampaignsName": "Sales", "Name": "A", "PhoneNumber6": "123"}));
        assert_eq!(by_name.as_ref().unwrap().campaign_name.as_deref(), Some("Sales"));
        assert!(check_new(&by_name.unwrap(), 6).is_ok());
    }

    #[test]
    fn stored_text_is_typed_back() {
        assert_eq!(typed("bPhoneNumber2Invalid", "true".into()), json!(true));
        assert_eq!(typed("nTriesPhoneNumber1", "3".into()), json!(3));
        assert_eq!(typed("Amount", "12.5".into()), json!(12.5));
        assert_eq!(
            typed("Amount", "a lot".into()),
            json!("a lot"),
            "text written by another dialect stays text"
        );
        assert_eq!(typed("Tag", "42".into()), json!("42"));
    }
}
