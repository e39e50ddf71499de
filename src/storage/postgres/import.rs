//! jtel's import on PostgreSQL: imports of one user data into one project queue on an
//! advisory lock held until their transaction ends, so the second one finds the record the
//! first created (READ COMMITTED: each statement sees what was committed before it).

use super::records_write::{insert_records, update_records};
use super::{PgResult, Tx};
use crate::domain::record::RecordWrite;
use crate::storage::shared::{all_or_nothing, single_update_outcome};
use crate::storage::{Imported, RecordTarget, RecordUpdate, StoreError, TenantId};

pub async fn import_record(
    tx: &Tx<'_>,
    tenant: TenantId,
    project: i64,
    write: &RecordWrite,
    overwrite: bool,
) -> PgResult<Imported> {
    let holder = match (&write.user_data, overwrite) {
        (Some(user_data), true) => {
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(
                     'dialbase-import:' || $1::bigint || ':' || $2::bigint || ':' || $3::text, 0))",
                &[&tenant, &project, user_data],
            )
            .await?;
            let statement = tx
                .prepare_cached(
                    "SELECT id FROM records WHERE tenant_id = $1 AND user_data = $2 AND project_id = $3
                     ORDER BY id LIMIT 1",
                )
                .await?;
            tx.query_opt(&statement, &[&tenant, user_data, &project])
                .await?
                .map(|r| r.get::<_, i64>(0))
        }
        _ => None,
    };
    if let Some(id) = holder {
        let update = RecordUpdate {
            target: RecordTarget::Id(id),
            write: write.clone(),
        };
        single_update_outcome(update_records(tx, tenant, project, &[update]).await?)?;
        return Ok(Imported::Overwritten(id));
    }
    let stored = all_or_nothing(
        insert_records(tx, tenant, project, std::slice::from_ref(write)).await?,
        true,
    );
    match stored.map(|mut ids| ids.pop()) {
        Ok(Some(Ok(id))) => Ok(Imported::Created(id)),
        Ok(Some(Err(e))) | Err(StoreError::Rejected(_, e)) => Err(StoreError::Invalid(e).into()),
        Ok(None) => Err(StoreError::Backend("insert returned no result".into()).into()),
        Err(e) => Err(e.into()),
    }
}
