//! Project schemas kept per node, keyed by `projects.schema_version` (docs/storage.md).
//! A backend keeps only schemas whose version no other content can have: SQLite draws
//! versions at random (any read may be kept), PostgreSQL keeps what committed data holds.

use crate::domain::schema::ProjectSchema;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// More projects than this and the cache starts afresh: memory stays bounded.
const MAX_PROJECTS: usize = 10_000;

#[derive(Default)]
pub struct SchemaCache {
    schemas: Mutex<HashMap<i64, (i64, Arc<ProjectSchema>)>>,
}

impl SchemaCache {
    /// The project's schema at `version`: the kept one, or `load`ed and kept.
    pub fn get_or_load<E>(
        &self,
        project: i64,
        version: i64,
        load: impl FnOnce() -> Result<ProjectSchema, E>,
    ) -> Result<Arc<ProjectSchema>, E> {
        if let Some(schema) = self.cached(project, version) {
            return Ok(schema);
        }
        let schema = Arc::new(load()?);
        self.keep(project, version, schema.clone());
        Ok(schema)
    }

    pub fn cached(&self, project: i64, version: i64) -> Option<Arc<ProjectSchema>> {
        let schemas = self.schemas.lock().unwrap_or_else(|p| p.into_inner());
        schemas
            .get(&project)
            .filter(|(kept, _)| *kept == version)
            .map(|(_, schema)| schema.clone())
    }

    /// The project's kept schema and its version, whatever the version: a guess that the
    /// caller must check against the data (PostgreSQL's one-statement claim does).
    pub fn latest(&self, project: i64) -> Option<(i64, Arc<ProjectSchema>)> {
        let schemas = self.schemas.lock().unwrap_or_else(|p| p.into_inner());
        schemas
            .get(&project)
            .map(|(version, schema)| (*version, schema.clone()))
    }

    pub fn keep(&self, project: i64, version: i64, schema: Arc<ProjectSchema>) {
        let mut schemas = self.schemas.lock().unwrap_or_else(|p| p.into_inner());
        if schemas.len() >= MAX_PROJECTS && !schemas.contains_key(&project) {
            schemas.clear();
        }
        schemas.insert(project, (version, schema));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_is_kept_per_version() {
        let cache = SchemaCache::default();
        let load = || Ok::<_, ()>(ProjectSchema::default());
        assert!(cache.cached(1, 1).is_none());
        cache.get_or_load(1, 1, load).unwrap();
        assert!(cache.cached(1, 1).is_some());
        assert!(cache.cached(1, 2).is_none(), "another version is loaded afresh");
    }
}
