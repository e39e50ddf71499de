//! Conditions on PostgreSQL's JSONB documents that the iovox contact filter builds; the
//! record search is `storage::shared::search_sql`, shared with SQLite.

use tokio_postgres::types::ToSql;

pub type Params = Vec<Box<dyn ToSql + Sync + Send>>;

pub fn borrowed(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

/// A condition on `records r` and its parameters, built a piece at a time.
#[derive(Default)]
pub struct Condition {
    pub sql: String,
    pub params: Params,
}

impl Condition {
    /// Binds a parameter; returns its placeholder.
    pub fn bind(&mut self, param: impl ToSql + Sync + Send + 'static) -> String {
        self.params.push(Box::new(param));
        format!("${}", self.params.len())
    }

    pub fn and(&mut self, condition: &str) {
        if !self.sql.is_empty() {
            self.sql.push_str(" AND ");
        }
        self.sql.push_str(condition);
    }
}

/// The document key of a field.
pub fn key(field: i64) -> String {
    field.to_string()
}

/// One of the field's (key `$k`) text values is exactly `$t`: JSONB's `?` finds a string
/// value and a string in an array, never a number (a list value id).
pub fn text_equals(k: &str, t: &str) -> String {
    format!("(r.data -> {k}::text) ? {t}::text")
}

/// One of the field's text values contains `$t`, ASCII case ignored ("C": lower() folds
/// ASCII only, as SQLite's).
pub fn text_contains(k: &str, t: &str) -> String {
    texts_where(
        k,
        &format!("strpos(lower(v.t COLLATE \"C\"), lower({t}::text COLLATE \"C\")) > 0"),
    )
}

/// One of the field's values (`v.t`, as text) passes `test`.
fn texts_where(k: &str, test: &str) -> String {
    let value = format!("r.data -> {k}::text");
    format!(
        "r.data ? {k}::text AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE jsonb_typeof({value}) \
         WHEN 'array' THEN {value} ELSE jsonb_build_array({value}) END) AS v(t) WHERE {test})"
    )
}
