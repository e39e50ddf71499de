//! Search on PostgreSQL (docs/storage.md): indexed fields through `record_terms`, the
//! others by JSONB expressions on the document. A `%` pattern is ILIKE on "C"-collated
//! text (ASCII case folded only, only `%` a wildcard: `domain::document::like`); list
//! fields are searched by the value ids their names resolve to in the schema.

use crate::domain::document::like;
use crate::domain::schema::ProjectSchema;
use crate::storage::TenantId;
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

/// One of the field's text values matches the escaped pattern `$p`.
fn text_like(k: &str, p: &str) -> String {
    texts_where(k, &format!("v.t COLLATE \"C\" ILIKE {p}::text ESCAPE '\\'"))
}

/// One of the field's values (`v.t`, as text) passes `test`.
fn texts_where(k: &str, test: &str) -> String {
    let value = format!("r.data -> {k}::text");
    format!(
        "r.data ? {k}::text AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE jsonb_typeof({value}) \
         WHEN 'array' THEN {value} ELSE jsonb_build_array({value}) END) AS v(t) WHERE {test})"
    )
}

/// A `%` pattern for ILIKE: `_` and the escape character match themselves.
pub fn escape_pattern(pattern: &str) -> String {
    pattern.replace('\\', "\\\\").replace('_', "\\_")
}

/// The condition that a record of the tenant's project matches every (field name, value)
/// pair, with its parameters; None when there are none or a field does not exist.
pub fn search_condition(
    tenant: TenantId,
    project: i64,
    schema: &ProjectSchema,
    pairs: &[(String, String)],
) -> Option<(String, Params)> {
    if pairs.is_empty() {
        return None;
    }
    let mut c = Condition::default();
    let (t, p) = (c.bind(tenant), c.bind(project));
    c.and(&format!("r.tenant_id = {t} AND r.project_id = {p}"));
    for (name, value) in pairs {
        let field = schema.field(name)?;
        let wildcard = value.contains('%');
        let condition = if field.kind.is_list() {
            // Value names are unique per field: the text names ids.
            let ids: Vec<i64> = field
                .values
                .iter()
                .filter(|v| {
                    if wildcard {
                        like(value, &v.name)
                    } else {
                        v.name == *value
                    }
                })
                .map(|v| v.id)
                .collect();
            if ids.is_empty() {
                "FALSE".to_string()
            } else if field.indexed {
                let terms: Vec<String> = ids.iter().map(i64::to_string).collect();
                let (f, terms) = (c.bind(field.id), c.bind(terms));
                format!(
                    "r.id IN (SELECT record_id FROM record_terms WHERE tenant_id = {t} AND field_id = {f} \
                     AND term = ANY({terms}::text[]))"
                )
            } else {
                let (k, ids) = (c.bind(key(field.id)), c.bind(ids));
                format!(
                    "EXISTS (SELECT 1 FROM unnest({ids}::bigint[]) AS i(id) WHERE r.data -> {k}::text @> to_jsonb(i.id))"
                )
            }
        } else if field.indexed {
            let f = c.bind(field.id);
            let test = if wildcard {
                format!("term ILIKE {}::text ESCAPE '\\'", c.bind(escape_pattern(value)))
            } else {
                format!("term = {}::text", c.bind(value.clone()))
            };
            format!("r.id IN (SELECT record_id FROM record_terms WHERE tenant_id = {t} AND field_id = {f} AND {test})")
        } else {
            let k = c.bind(key(field.id));
            if wildcard {
                text_like(&k, &c.bind(escape_pattern(value)))
            } else {
                text_equals(&k, &c.bind(value.clone()))
            }
        };
        c.and(&condition);
    }
    Some((c.sql, c.params))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::{Field, FieldKind, FieldValue, ValueAttributes};

    fn schema() -> ProjectSchema {
        let field = |id, name: &str, kind, indexed, values: Vec<(i64, &str)>| Field {
            id,
            name: name.into(),
            label: None,
            kind,
            indexed,
            values: values
                .into_iter()
                .map(|(id, name)| FieldValue {
                    id,
                    name: name.into(),
                    attributes: ValueAttributes::default(),
                })
                .collect(),
        };
        ProjectSchema::new(vec![
            field(1, "name", FieldKind::Text, false, vec![]),
            field(2, "city", FieldKind::Simple, false, vec![(20, "London"), (21, "Leeds")]),
            field(3, "code", FieldKind::Text, true, vec![]),
        ])
    }

    fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn each_kind_of_field_has_its_test() {
        let (sql, params) = search_condition(
            7,
            9,
            &schema(),
            &pairs(&[("name", "a_b%"), ("city", "l%"), ("code", "x")]),
        )
        .unwrap();
        assert!(
            sql.starts_with("r.tenant_id = $1 AND r.project_id = $2 AND r.data ? $3::text"),
            "{sql}"
        );
        assert!(sql.contains("ILIKE $4::text ESCAPE"), "{sql}");
        assert!(sql.contains("unnest($6::bigint[])"), "{sql}");
        assert!(sql.contains("field_id = $7 AND term = $8::text"), "{sql}");
        assert_eq!(params.len(), 8);
        assert_eq!(escape_pattern("a_b\\%"), "a\\_b\\\\%");
    }

    #[test]
    fn a_list_value_no_name_matches_finds_nothing_and_an_unknown_field_is_none() {
        let (sql, _) = search_condition(7, 9, &schema(), &pairs(&[("city", "Paris")])).unwrap();
        assert!(sql.ends_with("AND FALSE"), "{sql}");
        assert!(search_condition(7, 9, &schema(), &pairs(&[("nope", "x")])).is_none());
    }
}
