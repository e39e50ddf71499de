//! Remembers successful logins for a few seconds, so a hot path (a dialer looking up
//! contacts) does not pay a database round trip per request for its credentials.
//! A revoked or replaced key stops working within [`TTL`] on every node.

use crate::storage::TenantId;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(10);
const MAX_ENTRIES: usize = 10_000;

/// (tenant name, user, key digest)
type Credentials = (String, String, String);

#[derive(Default)]
pub struct AuthCache {
    entries: Mutex<HashMap<Credentials, (TenantId, Instant)>>,
}

impl AuthCache {
    pub fn get(&self, credentials: &Credentials) -> Option<TenantId> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(credentials)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(tenant, _)| *tenant)
    }

    pub fn put(&self, credentials: Credentials, tenant: TenantId) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, at)| at.elapsed() < TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(credentials, (tenant, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_only_what_was_put() {
        let cache = AuthCache::default();
        let key = ("mycc".to_string(), "api".to_string(), "digest".to_string());
        assert_eq!(cache.get(&key), None);
        cache.put(key.clone(), 7);
        assert_eq!(cache.get(&key), Some(7));
        let other = ("other".to_string(), "api".to_string(), "digest".to_string());
        assert_eq!(cache.get(&other), None);
    }
}
