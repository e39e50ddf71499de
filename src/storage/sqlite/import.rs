//! jtel's import on SQLite: the look-up of the user data and the write run in one call of
//! the single writer, so no other write comes between them.

use super::fields::project;
use super::records_write::{insert_records, update_records};
use crate::domain::record::RecordWrite;
use crate::storage::shared::schema_cache::SchemaCache;
use crate::storage::shared::{all_or_nothing, single_update_outcome};
use crate::storage::{Imported, RecordTarget, RecordUpdate, StoreError, TenantId};
use rusqlite::{Connection, OptionalExtension, params};

pub fn import_record(
    conn: &Connection,
    cache: &SchemaCache,
    tenant: TenantId,
    project_id: i64,
    write: RecordWrite,
    overwrite: bool,
) -> Result<Imported, StoreError> {
    project(conn, tenant, project_id)?;
    let holder = match (&write.user_data, overwrite) {
        (Some(user_data), true) => conn
            .prepare_cached(
                "SELECT id FROM records WHERE tenant_id = ?1 AND user_data = ?2 AND project_id = ?3
                 ORDER BY id LIMIT 1",
            )?
            .query_row(params![tenant, user_data, project_id], |r| r.get::<_, i64>(0))
            .optional()?,
        _ => None,
    };
    if let Some(id) = holder {
        let update = RecordUpdate {
            target: RecordTarget::Id(id),
            write,
        };
        single_update_outcome(update_records(conn, cache, tenant, project_id, &[update])?)?;
        return Ok(Imported::Overwritten(id));
    }
    let stored = all_or_nothing(insert_records(conn, cache, tenant, project_id, &[write], None)?, true);
    match stored.map(|mut ids| ids.pop()) {
        Ok(Some(Ok(id))) => Ok(Imported::Created(id)),
        Ok(Some(Err(e))) | Err(StoreError::Rejected(_, e)) => Err(StoreError::Invalid(e)),
        Ok(None) => Err(StoreError::Backend("insert returned no result".into())),
        Err(e) => Err(e),
    }
}
