//! Remembers successful logins for a few seconds, so a hot path (a dialer looking up
//! contacts) does not pay a full login per request for its credentials. A remembered
//! login is used only while its tenant's key generation is unchanged (one indexed read
//! of one row: a single round trip on PostgreSQL, no transaction): every revocation
//! raises it, so a revoked key stops working at once on every node.

use crate::domain::keys::Login;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(10);
const MAX_ENTRIES: usize = 10_000;

/// (tenant name, user, key digest); a bearer token names no user (None).
type Credentials = (String, Option<String>, String);

#[derive(Default)]
pub struct AuthCache {
    /// The login and the name of the user whose key it is.
    entries: Mutex<HashMap<Credentials, (Login, String, Instant)>>,
}

impl AuthCache {
    /// The login remembered for these credentials, to be checked against the tenant's
    /// key generation before use.
    pub fn get(&self, credentials: &Credentials) -> Option<(Login, String)> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(credentials)
            .filter(|(_, _, at)| at.elapsed() < TTL)
            .map(|(login, user, _)| (login.clone(), user.clone()))
    }

    pub fn put(&self, credentials: Credentials, login: Login, user: String) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, _, at)| at.elapsed() < TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(credentials, (login, user, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::keys::{ProjectScope, Role};

    #[test]
    fn remembers_only_what_was_put() {
        let cache = AuthCache::default();
        let key = ("mycc".to_string(), Some("api".to_string()), "digest".to_string());
        assert_eq!(cache.get(&key), None);
        let login = Login {
            tenant: 7,
            key_id: 1,
            role: Role::Admin,
            projects: ProjectScope::All,
            generation: 0,
        };
        cache.put(key.clone(), login.clone(), "api".into());
        assert_eq!(cache.get(&key), Some((login, "api".to_string())));
        let other = ("other".to_string(), Some("api".to_string()), "digest".to_string());
        assert_eq!(cache.get(&other), None);
        let bearer = ("mycc".to_string(), None, "digest".to_string());
        assert_eq!(cache.get(&bearer), None, "a token is not the user's basic login");
    }
}
