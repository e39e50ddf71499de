//! The audit log: admin actions and deletes, with who, when and what.

use serde::Serialize;
use serde_json::Value;

/// A line to append; the store adds the tenant, the time and the id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    pub user: String,
    /// The way in: vcc, iovox, jtel, dialbase or cli.
    pub source: &'static str,
    /// What was done: `project.create`, `record.delete`, `key.revoke`, ...
    pub action: &'static str,
    /// What it was done to: `project 3`, `record 17`, `key 4`, ...
    pub target: String,
    pub detail: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub user: String,
    pub source: String,
    pub action: String,
    pub target: String,
    pub detail: Value,
}

impl AuditEntry {
    pub fn from_columns(
        id: i64,
        at: String,
        user: String,
        source: String,
        action: String,
        target: String,
        detail: &str,
    ) -> Self {
        Self {
            id,
            at,
            user,
            source,
            action,
            target,
            detail: serde_json::from_str(detail).unwrap_or(Value::String(detail.to_string())),
        }
    }
}

/// Lines one page of the audit log holds at most.
pub const MAX_PAGE: u32 = 1_000;
