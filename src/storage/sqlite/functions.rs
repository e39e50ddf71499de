//! SQL functions Dialbase registers on every SQLite connection.

use crate::domain::document::{DocMatch, DocValue, RecordDoc};
use crate::storage::shared::DocOp;
use rusqlite::Connection;
use rusqlite::functions::{Context, FunctionFlags};

/// A record's form is packed (`packed.rs`), which SQLite's JSON functions do not read:
/// - `dialbase_doc_match(data, field_id, op, arg)`: one of the field's values in the record
///   document passes `op` (see [`DocOp`]) with `arg`. The search of unindexed fields.
/// - `dialbase_doc_json(data)`: the form as JSON text, for `json_each` (iovox's look-up of
///   contacts by display name).
/// - `dialbase_doc_first_text(data, field_id)`: the field's first value as text (a value
///   id in digits), NULL without one: iovox's sort keys.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("dialbase_doc_match", 4, flags, |ctx| doc_match(ctx))?;
    conn.create_scalar_function("dialbase_doc_json", 1, flags, |ctx| Ok(read_doc(ctx)?.to_json()))?;
    conn.create_scalar_function("dialbase_doc_first_text", 2, flags, |ctx| {
        let field: i64 = ctx.get(1)?;
        Ok(read_doc(ctx)?.get(field).first().map(|value| match value {
            DocValue::Text(text) => text.clone(),
            DocValue::Id(id) => id.to_string(),
        }))
    })
}

fn user_error(e: String) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(e.into())
}

/// The form in the function's first argument.
fn read_doc(ctx: &Context<'_>) -> rusqlite::Result<RecordDoc> {
    super::packed::read_doc(ctx.get_raw(0)).map_err(|e| user_error(e.to_string()))
}

fn doc_match(ctx: &Context<'_>) -> rusqlite::Result<bool> {
    let field: i64 = ctx.get(1)?;
    let op = DocOp::parse(ctx.get_raw(2).as_str().map_err(|e| user_error(e.to_string()))?)
        .ok_or_else(|| user_error("unknown match operation".into()))?;
    let arg: String = ctx.get(3)?;
    let doc = read_doc(ctx)?;
    let wanted = match op {
        DocOp::Eq => DocMatch::Text(arg),
        DocOp::Like => DocMatch::Like(arg),
        DocOp::Contains => DocMatch::Contains(arg),
        DocOp::Ids => DocMatch::Ids(arg.split(',').filter_map(|id| id.parse().ok()).collect()),
    };
    Ok(wanted.matches(doc.get(field)))
}
