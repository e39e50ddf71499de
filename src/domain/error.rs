use std::fmt;

/// A rejected input. `code` is a stable machine key (`wrong_email_format`); each
/// dialect renders it its own way (VCC Live: `error.wrong_email_format`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub code: &'static str,
    pub detail: String,
    /// The record an item duplicates (`duplicate_record`): dialects answer its id.
    pub existing: Option<i64>,
    /// The input key at fault, where naming it helps (an unknown key of an item).
    pub property: Option<String>,
}

impl ValidationError {
    pub fn new(code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            existing: None,
            property: None,
        }
    }

    /// The same error, naming the input key at fault.
    pub fn on_property(self, key: &str) -> Self {
        Self {
            property: Some(key.to_string()),
            ..self
        }
    }

    /// An item the project's duplicate check refuses: it is record `existing` again.
    pub fn duplicate(existing: i64) -> Self {
        Self {
            existing: Some(existing),
            ..Self::new("duplicate_record", format!("the record duplicates record {existing}"))
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

impl std::error::Error for ValidationError {}
