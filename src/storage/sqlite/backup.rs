//! `dialbase backup`: a consistent copy of a live SQLite database. `VACUUM INTO` reads one
//! snapshot (WAL readers never block the writer, nor it them) and writes a compact file.

use super::connect;
use crate::storage::StoreError;
use std::path::{Path, PathBuf};

/// Copies the database at `source` into the new file `target` (which must not exist).
pub fn backup(source: &Path, target: &Path) -> Result<(), StoreError> {
    if target.exists() {
        return Err(StoreError::Conflict(format!("{} exists already", target.display())));
    }
    if !source.exists() {
        return Err(StoreError::NotFound("database file"));
    }
    let conn = connect(&PathBuf::from(source), 2_048)?;
    let target = target
        .to_str()
        .ok_or_else(|| StoreError::Backend("the backup path is not UTF-8".into()))?;
    conn.execute("VACUUM INTO ?1", [target])?;
    Ok(())
}
