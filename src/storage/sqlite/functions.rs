//! SQL functions Dialbase registers on every SQLite connection.

use crate::domain::document::DocMatch;
use crate::storage::shared::DocOp;
use rusqlite::Connection;
use rusqlite::functions::{Context, FunctionFlags};

/// `dialbase_doc_match(data, field_id, op, arg)`: one of the field's values in the record
/// document passes `op` (see [`DocOp`]) with `arg`. The search of unindexed fields.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "dialbase_doc_match",
        4,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| doc_match(ctx),
    )
}

fn doc_match(ctx: &Context<'_>) -> rusqlite::Result<bool> {
    let user_error = |e: String| rusqlite::Error::UserFunctionError(e.into());
    let field: i64 = ctx.get(1)?;
    let op = DocOp::parse(ctx.get_raw(2).as_str().map_err(|e| user_error(e.to_string()))?)
        .ok_or_else(|| user_error("unknown match operation".into()))?;
    let arg: String = ctx.get(3)?;
    let doc = super::jsonb::read_doc(ctx.get_raw(0)).map_err(|e| user_error(e.to_string()))?;
    let wanted = match op {
        DocOp::Eq => DocMatch::Text(arg),
        DocOp::Like => DocMatch::Like(arg),
        DocOp::Contains => DocMatch::Contains(arg),
        DocOp::Ids => DocMatch::Ids(arg.split(',').filter_map(|id| id.parse().ok()).collect()),
    };
    Ok(wanted.matches(doc.get(field)))
}
