//! The dialer calls' backend-neutral pieces: which records a key names, who may release a
//! claim, and what a release writes. Each backend claims with its own statement (SQLite
//! serialises writers; PostgreSQL skips rows that concurrent claims hold).

use super::{SqlArg, SqlDialect};
use crate::storage::{RecordKey, StoreError};

/// SQL selecting (id, project_id) of the records of tenant `p1` a key names, lowest id
/// first, and the key's argument (`p2`). Append a LIMIT for "the one" a key means.
pub fn record_key_sql(key: &RecordKey, dialect: &SqlDialect) -> (String, SqlArg) {
    let (tenant, value) = ((dialect.param)(1), (dialect.param)(2));
    let (column, arg) = match key {
        RecordKey::Id(id) => ("id", SqlArg::Integer(*id)),
        RecordKey::UserData(data) => ("user_data", SqlArg::Text(data.clone())),
    };
    let sql =
        format!("SELECT id, project_id FROM records WHERE tenant_id = {tenant} AND {column} = {value} ORDER BY id");
    (sql, arg)
}

/// Only the dialer holding the claim may release it; a lease that expired is still its
/// holder's until another dialer takes the record over.
pub fn check_claimant(id: i64, claimed_by: Option<&str>, owner: &str) -> Result<(), StoreError> {
    if claimed_by == Some(owner) {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!("record {id} is not claimed by '{owner}'")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::shared::{POSTGRES, SQLITE};

    #[test]
    fn a_key_selects_by_id_or_user_data_lowest_id_first() {
        let (sql, arg) = record_key_sql(&RecordKey::UserData("crm-1".into()), &POSTGRES);
        assert!(sql.ends_with("tenant_id = $1 AND user_data = $2 ORDER BY id"), "{sql}");
        assert_eq!(arg, SqlArg::Text("crm-1".into()));
        let (sql, arg) = record_key_sql(&RecordKey::Id(7), &SQLITE);
        assert!(sql.contains("tenant_id = ?1 AND id = ?2"), "{sql}");
        assert_eq!(arg, SqlArg::Integer(7));
    }

    #[test]
    fn only_the_holder_releases() {
        assert!(check_claimant(1, Some("d1"), "d1").is_ok());
        assert!(matches!(
            check_claimant(1, Some("d2"), "d1"),
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(check_claimant(1, None, "d1"), Err(StoreError::Conflict(_))));
    }
}
