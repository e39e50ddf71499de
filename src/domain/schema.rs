//! A project's form schema: custom fields and, for list fields, their values.

use super::ValidationError;
use crate::domain::dialing_rules::DialingRules;
// foldhash: names and ids are hashed for every value of every imported record.
use foldhash::HashMap;
use std::borrow::Cow;

/// VCC Live's field types: free text, a single choice or several choices from a value list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Simple,
    Multiple,
}

impl FieldKind {
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text {
            "text" => Ok(Self::Text),
            "simple" => Ok(Self::Simple),
            "multiple" => Ok(Self::Multiple),
            _ => Err(ValidationError::new(
                "wrong_field_type",
                format!("field type '{text}' is not one of text, simple, multiple"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Simple => "simple",
            Self::Multiple => "multiple",
        }
    }

    /// List fields store value ids; text fields store the text itself.
    pub fn is_list(self) -> bool {
        self != Self::Text
    }
}

/// The optional attributes VCC Live keeps on a field value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueAttributes {
    pub exportvalue: Option<String>,
    pub description: Option<String>,
    pub commission: Option<String>,
    pub price: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldValue {
    pub id: i64,
    pub name: String,
    pub attributes: ValueAttributes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub id: i64,
    pub name: String,
    pub label: Option<String>,
    pub kind: FieldKind,
    /// Searches on an indexed field use an index instead of a scan of the project.
    pub indexed: bool,
    /// VCC Live's `customised` flag, kept and shown as given (Dialbase gives it no meaning).
    pub customised: bool,
    pub values: Vec<FieldValue>,
}

/// A value to create, as sent to "Add field and values" or "Add new value(s) to a field".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewValue {
    pub name: String,
    pub attributes: ValueAttributes,
}

/// A field to create with "Add field and values".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: String,
    pub label: Option<String>,
    pub kind: FieldKind,
    pub indexed: bool,
    pub customised: bool,
    pub values: Vec<NewValue>,
}

pub const MAX_NAME_CHARS: usize = 255;

/// Field names are keys of the `form` object: short, printable, no `|`.
pub fn validate_field_name(name: &str) -> Result<(), ValidationError> {
    // Every form key of every imported record comes here: ASCII (nearly every name) is
    // checked byte by byte, without decoding characters.
    let valid = if name.is_ascii() {
        (1..=64).contains(&name.len()) && name.bytes().all(|b| b >= 0x20 && b != 0x7f && b != b'|')
    } else {
        let len = name.chars().count();
        (1..=64).contains(&len) && !name.chars().any(|c| c.is_control() || c == '|')
    };
    if !valid {
        return Err(ValidationError::new(
            "wrong_field_name",
            format!("field name '{name}' must be 1-64 printable characters without '|'"),
        ));
    }
    Ok(())
}

/// Value names of list fields: VCC Live's `error.name_must_be_between`.
pub fn validate_value_name(name: &str) -> Result<(), ValidationError> {
    let trimmed = name.trim();
    let len = if trimmed.is_ascii() {
        trimmed.len()
    } else {
        trimmed.chars().count()
    };
    if len == 0 || len > MAX_NAME_CHARS {
        return Err(ValidationError::new(
            "name_must_be_between",
            format!("value name must be between 1 and {MAX_NAME_CHARS} characters"),
        ));
    }
    reject_nul(name)
}

/// Text must not hold NUL characters: PostgreSQL's TEXT cannot store them, and both
/// backends must accept the same input.
pub fn reject_nul(text: &str) -> Result<(), ValidationError> {
    if text.contains('\0') {
        return Err(nul_character());
    }
    Ok(())
}

pub fn nul_character() -> ValidationError {
    ValidationError::new("invalid_character", "text must not contain NUL characters")
}

/// The fields of one project, indexed by name, and its dialing rules (they change with
/// the schema version, so one cache keeps both).
#[derive(Debug, Clone, Default)]
pub struct ProjectSchema {
    pub fields: Vec<Field>,
    by_name: HashMap<String, usize>,
    by_id: HashMap<i64, usize>,
    /// By field id, [`value_name_key`] to the lowest value id of that name: imports look up
    /// every value of every record (by field first, so a lower-case name is looked up as it is).
    values_by_key: HashMap<i64, HashMap<String, i64>>,
    pub rules: DialingRules,
}

impl ProjectSchema {
    pub fn new(fields: Vec<Field>) -> Self {
        let by_name = fields.iter().enumerate().map(|(i, f)| (f.name.clone(), i)).collect();
        let by_id = fields.iter().enumerate().map(|(i, f)| (f.id, i)).collect();
        let mut values_by_key: HashMap<i64, HashMap<String, i64>> = HashMap::default();
        for field in fields.iter().filter(|f| !f.values.is_empty()) {
            let by_key = values_by_key.entry(field.id).or_default();
            for value in &field.values {
                let lowest = by_key
                    .entry(value_name_key(&value.name).into_owned())
                    .or_insert(value.id);
                *lowest = (*lowest).min(value.id);
            }
        }
        Self {
            fields,
            by_name,
            by_id,
            values_by_key,
            rules: DialingRules::default(),
        }
    }

    /// The id of the field's value of this name, case ignored (the lowest of several spellings).
    pub fn value_id_named(&self, field: i64, name: &str) -> Option<i64> {
        self.values_by_key
            .get(&field)?
            .get(value_name_key(name).as_ref())
            .copied()
    }

    /// The schema with the rules stored beside it (text that no longer parses counts as none:
    /// it was checked when stored).
    pub fn with_rules(mut self, stored: Option<&str>) -> Self {
        self.rules = stored
            .and_then(|text| DialingRules::parse(text.as_bytes()).ok())
            .unwrap_or_default();
        self
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.by_name.get(name).map(|&i| &self.fields[i])
    }

    pub fn field_by_id(&self, id: i64) -> Option<&Field> {
        self.by_id.get(&id).map(|&i| &self.fields[i])
    }

    /// VCC Live: contact 1 always exists; contact N>1 only where the project has `phoneN`.
    pub fn has_contact_slot(&self, slot: u8) -> bool {
        slot == 1 || self.field(&format!("phone{slot}")).is_some()
    }
}

/// List value names are case-insensitive: `budapest` names the value `Budapest`. Compares
/// without allocating (imports look up every value of every record).
pub fn same_value_name(a: &str, b: &str) -> bool {
    a == b
        || a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
}

/// The key two value names that differ only in case share: the name itself when it is
/// lower-case ASCII already (nearly every imported value), without a copy.
pub fn value_name_key(name: &str) -> Cow<'_, str> {
    if name.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(name.to_lowercase())
    }
}

impl Field {
    /// The value of this name, case ignored. A database from before names were
    /// case-insensitive may hold several spellings: the lowest id is the one meant.
    pub fn value_named(&self, name: &str) -> Option<&FieldValue> {
        self.values
            .iter()
            .filter(|v| same_value_name(&v.name, name))
            .min_by_key(|v| v.id)
    }

    /// Every value of this name, whatever its case (searches match them all).
    pub fn values_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a FieldValue> + 'a {
        self.values.iter().filter(move |v| same_value_name(&v.name, name))
    }

    pub fn value_by_id(&self, id: i64) -> Option<&FieldValue> {
        self.values.iter().find(|v| v.id == id)
    }
}

/// `phone1`..`phone9`, the fields that hold a record's numbers, in dialing order.
pub const PHONE_FIELDS: [&str; 9] = [
    "phone1", "phone2", "phone3", "phone4", "phone5", "phone6", "phone7", "phone8", "phone9",
];

/// `phone1`..`phone9` are the record's dialable numbers (`phone_field` picks one).
pub fn is_phone_field(name: &str) -> bool {
    phone_slot(name).is_some()
}

pub fn phone_slot(name: &str) -> Option<u8> {
    let digit = name.strip_prefix("phone")?;
    match digit.as_bytes() {
        [d @ b'1'..=b'9'] => Some(d - b'0'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_kinds_parse_vcc_names() {
        assert_eq!(FieldKind::parse("multiple").unwrap(), FieldKind::Multiple);
        assert!(FieldKind::parse("select").is_err());
        assert!(!FieldKind::Text.is_list());
    }

    #[test]
    fn phone_fields_are_phone1_to_phone9() {
        assert_eq!(phone_slot("phone4"), Some(4));
        assert!(!is_phone_field("phone0"));
        assert!(!is_phone_field("phone10"));
        assert!(!is_phone_field("phones"));
    }

    #[test]
    fn value_names_ignore_case_and_the_lowest_id_wins() {
        let value = |id, name: &str| FieldValue {
            id,
            name: name.into(),
            attributes: ValueAttributes::default(),
        };
        let field = Field {
            id: 1,
            name: "city".into(),
            label: None,
            kind: FieldKind::Simple,
            indexed: false,
            customised: false,
            values: vec![value(7, "budapest"), value(3, "Budapest"), value(9, "Pécs")],
        };
        assert_eq!(field.value_named("BUDAPEST").map(|v| v.id), Some(3));
        assert_eq!(field.value_named("PÉCS").map(|v| v.id), Some(9));
        assert_eq!(field.values_named("budapest").count(), 2);
        assert!(field.value_named("Buda").is_none());
        let schema = ProjectSchema::new(vec![field]);
        assert_eq!(schema.value_id_named(1, "BUDAPEST"), Some(3));
        assert_eq!(schema.value_id_named(1, "pécs"), Some(9));
        assert_eq!(schema.value_id_named(2, "budapest"), None);
    }

    #[test]
    fn names_are_bounded() {
        assert!(validate_field_name("likes").is_ok());
        assert!(validate_field_name("a|b").is_err());
        assert!(validate_field_name("").is_err());
        assert!(validate_field_name("tab\there").is_err());
        assert!(validate_field_name("del\u{7f}").is_err());
        assert!(validate_field_name(&"x".repeat(64)).is_ok());
        assert!(validate_field_name(&"x".repeat(65)).is_err());
        assert!(validate_field_name(&"é".repeat(64)).is_ok());
        assert!(validate_field_name(&"é".repeat(65)).is_err());
        assert!(validate_field_name("név\u{85}").is_err());
        // Value names fold case; a lower-case ASCII name is its own key, without a copy.
        assert!(matches!(value_name_key("budapest"), Cow::Borrowed("budapest")));
        assert_eq!(value_name_key("Budapest"), "budapest");
        assert_eq!(value_name_key("ÁRVÍZ"), "árvíz");
        assert!(validate_value_name(&"x".repeat(256)).is_err());
        assert!(validate_value_name(" ").is_err());
        assert_eq!(validate_value_name("a\0b").unwrap_err().code, "invalid_character");
    }
}
