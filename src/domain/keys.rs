//! Scoped API keys: a role (what a key may do) and optionally the projects it may touch.
//! The HTTP layer works out what a request needs ([`Access`]) and asks the key's [`Login`].

use super::ValidationError;
use serde::Serialize;

/// What a request needs of its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
    /// Schema, rules, do-not-call lists, keys and the audit log.
    Admin,
}

/// What a key may do: each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Role {
    #[serde(rename = "read-only")]
    ReadOnly,
    #[serde(rename = "read-write")]
    ReadWrite,
    #[serde(rename = "admin")]
    Admin,
}

impl Role {
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text {
            "read-only" => Ok(Self::ReadOnly),
            "read-write" => Ok(Self::ReadWrite),
            "admin" => Ok(Self::Admin),
            _ => Err(ValidationError::new(
                "wrong_role",
                format!("{text:?}: a role is read-only, read-write or admin"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadOnly => "read-only",
            Self::ReadWrite => "read-write",
            Self::Admin => "admin",
        }
    }

    pub fn allows(self, access: Access) -> bool {
        let granted = match self {
            Self::ReadOnly => Access::Read,
            Self::ReadWrite => Access::Write,
            Self::Admin => Access::Admin,
        };
        access <= granted
    }
}

/// The projects a key may touch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProjectScope {
    /// Every project of the tenant, and what belongs to the tenant as a whole.
    #[default]
    All,
    /// Only these projects; nothing tenant-wide but reads that hold no project's data.
    Only(Vec<i64>),
}

/// Projects one key may be limited to, at most.
const MAX_PROJECTS: usize = 1_000;

impl ProjectScope {
    /// From a list of ids separated by commas (the stored form); empty or absent is all.
    pub fn parse(text: Option<&str>) -> Result<Self, ValidationError> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Self::All);
        };
        let mut ids = text
            .split(',')
            .map(|id| id.trim().parse::<i64>().ok().filter(|id| *id > 0))
            .collect::<Option<Vec<i64>>>()
            .ok_or_else(|| {
                ValidationError::new("wrong_projects", format!("{text:?}: project ids separated by commas"))
            })?;
        ids.sort_unstable();
        ids.dedup();
        if ids.len() > MAX_PROJECTS {
            return Err(ValidationError::new(
                "wrong_projects",
                format!("at most {MAX_PROJECTS} projects"),
            ));
        }
        Ok(Self::Only(ids))
    }

    pub fn from_ids(ids: Option<Vec<i64>>) -> Result<Self, ValidationError> {
        match ids {
            None => Ok(Self::All),
            Some(ids) => {
                let text: Vec<String> = ids.iter().map(i64::to_string).collect();
                if text.is_empty() {
                    return Err(ValidationError::new("wrong_projects", "an empty list of projects"));
                }
                Self::parse(Some(&text.join(",")))
            }
        }
    }

    /// The stored form: None for all projects.
    pub fn to_column(&self) -> Option<String> {
        match self {
            Self::All => None,
            Self::Only(ids) => Some(ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
        }
    }

    pub fn allows(&self, project: i64) -> bool {
        match self {
            Self::All => true,
            Self::Only(ids) => ids.binary_search(&project).is_ok(),
        }
    }

    pub fn is_limited(&self) -> bool {
        matches!(self, Self::Only(_))
    }

    pub fn ids(&self) -> Option<&[i64]> {
        match self {
            Self::All => None,
            Self::Only(ids) => Some(ids),
        }
    }
}

/// A successful login: whose key it was and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub tenant: i64,
    pub key_id: i64,
    pub role: Role,
    pub projects: ProjectScope,
    /// The tenant's key generation when the key was read: it goes up with every revocation.
    pub generation: i64,
}

/// A key as listed: never the key itself (only its digest is stored, and not shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    pub id: i64,
    pub user: String,
    pub role: Role,
    /// None: every project.
    pub projects: Option<Vec<i64>>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl ApiKey {
    pub fn from_columns(
        id: i64,
        user: String,
        role: &str,
        projects: Option<&str>,
        created_at: String,
        revoked_at: Option<String>,
    ) -> Self {
        Self {
            id,
            user,
            // The column's CHECK allows only the three roles; a key shown wrongly is still no key.
            role: Role::parse(role).unwrap_or(Role::ReadOnly),
            projects: ProjectScope::parse(projects)
                .ok()
                .and_then(|scope| scope.ids().map(<[i64]>::to_vec)),
            created_at,
            revoked_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_include_the_ones_below() {
        assert!(Role::ReadOnly.allows(Access::Read));
        assert!(!Role::ReadOnly.allows(Access::Write));
        assert!(Role::ReadWrite.allows(Access::Write));
        assert!(!Role::ReadWrite.allows(Access::Admin));
        assert!(Role::Admin.allows(Access::Admin));
        assert_eq!(Role::parse("read-write").unwrap(), Role::ReadWrite);
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn project_scopes_parse_and_round_trip() {
        assert_eq!(ProjectScope::parse(None).unwrap(), ProjectScope::All);
        assert_eq!(ProjectScope::parse(Some(" ")).unwrap(), ProjectScope::All);
        let scope = ProjectScope::parse(Some("3, 1,3")).unwrap();
        assert_eq!(scope, ProjectScope::Only(vec![1, 3]));
        assert_eq!(scope.to_column().as_deref(), Some("1,3"));
        assert!(scope.allows(3) && !scope.allows(2));
        for bad in ["1,x", "0", "-2", "1,,2"] {
            assert!(ProjectScope::parse(Some(bad)).is_err(), "{bad}");
        }
        assert!(ProjectScope::from_ids(Some(vec![])).is_err());
    }
}
