//! Backend-neutral pieces both stores use, so SQLite and PostgreSQL answer alike:
//! the search SQL, the per-item errors, the update a "Modify contact" becomes, and (in
//! [`contact_book`] and [`dialler`]) the iovox contact book's and the dialer calls'.

pub mod contact_book;
pub mod dedup;
pub mod dialler;
pub mod row;
pub mod schema_cache;

use super::{DispositionMatch, ItemResult, RecordTarget, RecordUpdate, StoreError};
use crate::domain::ValidationError;
use crate::domain::document::like;
use crate::domain::record::{Contact, RecordWrite};
use crate::domain::resolve::{Cell, SchemaAdditions, resolve_batch};
use crate::domain::schema::{Field, ProjectSchema, same_value_name, value_name_key};

/// How a backend spells the parts of the search SQL that differ.
pub struct SqlDialect {
    /// The n-th bind parameter (1-based): `?1` or `$1`.
    pub param: fn(usize) -> String,
    /// Pattern match, case-insensitive at least for ASCII: SQLite's LIKE, Postgres' ILIKE.
    pub like: &'static str,
    /// A condition on record `r`'s document: one value of field `field` (a parameter)
    /// passes `op` (a [`DocOp`]) with argument `arg` (a parameter).
    pub doc_match: fn(field: &str, op: DocOp, arg: &str) -> String,
    /// Whether `records` is keyed by (tenant_id, id) (PostgreSQL, ready for Citus): joins
    /// and project scans then name the tenant. SQLite keys records by id alone, and its
    /// project index covers a count without the tenant.
    pub tenant_keys: bool,
    /// The `record_terms` rows of field `field` (a parameter) whose term passes `test` (a
    /// condition on `t.term`), under `alias`: the table and the condition. `one` when the
    /// test names a single term. PostgreSQL keeps the term text in the row; SQLite a term
    /// id from its dictionary `term_counts`.
    pub term_rows: fn(alias: &str, tenant: &str, field: &str, test: &str, one: bool) -> (String, String),
}

/// What [`SqlDialect::doc_match`] tests a field's values with; the argument is text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocOp {
    /// Equals the text.
    Eq,
    /// Matches the pattern: only `%` is a wildcard, ASCII case ignored ([`crate::domain::document::like`]).
    Like,
    /// Contains the text, ASCII case ignored.
    Contains,
    /// Is one of the value ids listed, comma-separated.
    Ids,
}

impl DocOp {
    pub fn as_str(self) -> &'static str {
        match self {
            DocOp::Eq => "eq",
            DocOp::Like => "like",
            DocOp::Contains => "contains",
            DocOp::Ids => "ids",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [DocOp::Eq, DocOp::Like, DocOp::Contains, DocOp::Ids]
            .into_iter()
            .find(|op| op.as_str() == text)
    }
}

pub const SQLITE: SqlDialect = SqlDialect {
    param: |n| format!("?{n}"),
    like: "LIKE",
    // A Rust function (sqlite/functions.rs); an exact text is first looked for in the
    // stored bytes: as it is (JSONB's raw texts), or escaped as JSON writes it (a document
    // stored as JSON text, or an escaped text SQLite made of one); json_quote escapes as
    // the writers do.
    doc_match: |field, op, arg| match op {
        DocOp::Eq => format!(
            "(instr(r.data, CAST({arg} AS BLOB)) > 0 \
              OR instr(r.data, substr(json_quote({arg}), 2, length(json_quote({arg})) - 2)) > 0) \
             AND dialbase_doc_match(r.data, {field}, 'eq', {arg})"
        ),
        _ => format!("dialbase_doc_match(r.data, {field}, '{}', {arg})", op.as_str()),
    },
    tenant_keys: false,
    term_rows: |alias, tenant, field, test, one| {
        let ids = format!(
            "(SELECT d.id FROM term_counts d WHERE d.tenant_id = {tenant} AND d.field_id = {field} AND {})",
            test.replace("t.term", "d.term")
        );
        // `=`: the planner then knows the rows come in record order.
        let op = if one { "=" } else { "IN" };
        (format!("record_terms {alias}"), format!("{alias}.term_id {op} {ids}"))
    },
};

pub const POSTGRES: SqlDialect = SqlDialect {
    param: |n| format!("${n}"),
    // On "C"-collated text ILIKE folds ASCII case only, as SQLite's LIKE.
    like: "ILIKE",
    doc_match: |field, op, arg| {
        let value = format!("r.data -> ({field}::bigint)::text");
        let elements = format!(
            "CASE jsonb_typeof({value}) WHEN 'array' THEN {value} WHEN 'string' THEN jsonb_build_array({value}) \
             WHEN 'number' THEN jsonb_build_array({value}) ELSE '[]'::jsonb END"
        );
        let texts = format!("jsonb_array_elements_text({elements})");
        match op {
            DocOp::Eq => format!("({value} = to_jsonb(({arg})::text) OR {value} @> jsonb_build_array(({arg})::text))"),
            DocOp::Like => format!(
                "EXISTS (SELECT 1 FROM {texts} AS v(t) WHERE v.t COLLATE \"C\" ILIKE \
                 replace(replace(({arg})::text, '\\', '\\\\'), '_', '\\_') COLLATE \"C\" ESCAPE '\\')"
            ),
            DocOp::Contains => format!(
                "EXISTS (SELECT 1 FROM {texts} AS v(t) WHERE strpos(lower(v.t COLLATE \"C\"), lower(({arg})::text COLLATE \"C\")) > 0)"
            ),
            DocOp::Ids => {
                format!("EXISTS (SELECT 1 FROM {texts} AS v(t) WHERE v.t = ANY(string_to_array(({arg})::text, ',')))")
            }
        }
    },
    tenant_keys: true,
    term_rows: |alias, tenant, field, test, _| {
        (
            format!("record_terms {alias}"),
            format!(
                "{alias}.tenant_id = {tenant} AND {alias}.field_id = {field} AND {}",
                test.replace("t.term", &format!("{alias}.term"))
            ),
        )
    },
};

/// A bind argument of SQL built here, for either backend to bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlArg {
    Integer(i64),
    Text(String),
}

/// Arguments of SQL being built, in bind order.
#[derive(Debug, Default)]
pub struct Binds {
    pub args: Vec<SqlArg>,
}

impl Binds {
    /// Binds an argument; returns its parameter.
    pub fn arg(&mut self, dialect: &SqlDialect, arg: SqlArg) -> String {
        self.args.push(arg);
        (dialect.param)(self.args.len())
    }
}

/// A search as SQL: `ids` selects the matching records' ids (column `id`) in ascending
/// order (append LIMIT / OFFSET for a page), `count` how many there are; both take `args`.
#[derive(Debug)]
pub struct SearchSql {
    pub ids: String,
    pub count: String,
    pub args: Vec<SqlArg>,
}

/// How a search pair is looked up: in `record_terms` (indexed fields) or in the document.
enum PairTest {
    /// A condition on `t.term` for field id parameter `field`; `exact` when it names one term.
    Terms {
        field: String,
        test: String,
        exact: bool,
    },
    Doc(String),
    Nothing,
}

/// The search for records of the tenant's project matching every (field name, value)
/// pair; a `%` in a value matches any run of characters. List fields match by value id.
/// The first indexed pair drives the query from `record_terms` (a count over one exact
/// term never touches `records`); the other pairs filter. None when a field does not exist.
pub fn search_sql(
    tenant: i64,
    project: i64,
    schema: &ProjectSchema,
    pairs: &[(String, String)],
    updated_since: Option<i64>,
    dialect: &SqlDialect,
) -> Option<SearchSql> {
    // Only parameters the SQL uses are bound: PostgreSQL cannot type an unused one.
    let mut sql = Binds::default();
    let mut tests = pairs
        .iter()
        .map(|(name, value)| Some(pair_test(&mut sql, dialect, schema.field(name)?, value)))
        .collect::<Option<Vec<_>>>()?;
    if let Some(since) = updated_since {
        let since = sql.arg(dialect, SqlArg::Integer(since));
        tests.push(PairTest::Doc(format!("r.updated_at >= {since}")));
    }
    let uses_terms = tests.iter().any(|t| matches!(t, PairTest::Terms { .. }));
    let tenant = if uses_terms || dialect.tenant_keys {
        sql.arg(dialect, SqlArg::Integer(tenant))
    } else {
        String::new()
    };
    let mut driver: Option<(String, String, bool)> = None;
    let mut filters: Vec<String> = Vec::new();
    for test in tests {
        match test {
            PairTest::Terms { field, test, exact } if driver.is_none() => driver = Some((field, test, exact)),
            PairTest::Terms { field, test, exact } => {
                let (table, condition) = (dialect.term_rows)("t2", &tenant, &field, &test, exact);
                filters.push(format!("r.id IN (SELECT t2.record_id FROM {table} WHERE {condition})"))
            }
            PairTest::Doc(condition) => filters.push(condition),
            PairTest::Nothing => filters.push("1 = 0".to_string()),
        }
    }
    let filter = filters.iter().map(|f| format!(" AND {f}")).collect::<String>();
    let (ids, count) = match driver {
        Some((field, test, exact)) => {
            let (table, condition) = (dialect.term_rows)("t", &tenant, &field, &test, exact);
            if filters.is_empty() && exact {
                // `term_counts`: how many records hold each indexed term. SQLite keeps it in
                // the code that writes `record_terms`, PostgreSQL by statement triggers.
                let count = format!(
                    "SELECT coalesce((SELECT t.records FROM term_counts t WHERE t.tenant_id = {tenant} \
                     AND t.field_id = {field} AND {test}), 0)"
                );
                (
                    format!("SELECT t.record_id AS id FROM {table} WHERE {condition} ORDER BY t.record_id"),
                    count,
                )
            } else {
                let join = if dialect.tenant_keys {
                    "r.tenant_id = t.tenant_id AND r.id = t.record_id"
                } else {
                    "r.id = t.record_id"
                };
                let ids = format!(
                    "SELECT DISTINCT r.id AS id FROM {table} JOIN records r ON {join}
                     WHERE {condition}{filter}"
                );
                (
                    format!("{ids} ORDER BY r.id"),
                    format!("SELECT count(*) FROM ({ids}) AS matched"),
                )
            }
        }
        None => {
            let project = sql.arg(dialect, SqlArg::Integer(project));
            let tenant = if dialect.tenant_keys {
                format!("r.tenant_id = {tenant} AND ")
            } else {
                String::new()
            };
            let records = format!("records r WHERE {tenant}r.project_id = {project}{filter}");
            (
                format!("SELECT r.id AS id FROM {records} ORDER BY r.id"),
                format!("SELECT count(*) FROM {records}"),
            )
        }
    };
    Some(SearchSql {
        ids,
        count,
        args: sql.args,
    })
}

fn pair_test(sql: &mut Binds, dialect: &SqlDialect, field: &Field, value: &str) -> PairTest {
    let wildcard = value.contains('%');
    // Bound where it is used: a pair that matches nothing binds nothing.
    let field_id = |sql: &mut Binds| sql.arg(dialect, SqlArg::Integer(field.id));
    if field.kind.is_list() {
        // The text names the values of that name whatever their case (a database from
        // before names were case-insensitive may hold several spellings).
        let ids: Vec<String> = field
            .values
            .iter()
            .filter(|v| {
                if wildcard {
                    like(value, &v.name)
                } else {
                    same_value_name(&v.name, value)
                }
            })
            .map(|v| v.id.to_string())
            .collect();
        if ids.is_empty() {
            PairTest::Nothing
        } else if field.indexed {
            let terms = ids.iter().map(|id| format!("'{id}'")).collect::<Vec<_>>().join(", ");
            PairTest::Terms {
                field: field_id(sql),
                test: format!("t.term IN ({terms})"),
                exact: ids.len() == 1,
            }
        } else {
            let field = field_id(sql);
            let ids = sql.arg(dialect, SqlArg::Text(ids.join(",")));
            PairTest::Doc((dialect.doc_match)(&field, DocOp::Ids, &ids))
        }
    } else if field.indexed {
        let field = field_id(sql);
        let test = if wildcard {
            let escaped = value.replace('\\', "\\\\").replace('_', "\\_");
            let pattern = sql.arg(dialect, SqlArg::Text(escaped));
            format!("t.term {} {pattern} ESCAPE '\\'", dialect.like)
        } else {
            format!("t.term = {}", sql.arg(dialect, SqlArg::Text(value.to_string())))
        };
        PairTest::Terms {
            field,
            test,
            exact: !wildcard,
        }
    } else {
        let field = field_id(sql);
        let text = sql.arg(dialect, SqlArg::Text(value.to_string()));
        let op = if wildcard { DocOp::Like } else { DocOp::Eq };
        PairTest::Doc((dialect.doc_match)(&field, op, &text))
    }
}

/// The condition VCC Live's batch disposition search puts on a record: any of the matches,
/// each all of its parts. `record`, `last_disposition` and `last_user` are the SQL of the
/// record's id and of its latest disposition's id and user (NULL without one).
pub fn disposition_condition(
    sql: &mut Binds,
    dialect: &SqlDialect,
    matches: &[DispositionMatch],
    [record, last_disposition, last_user]: [&str; 3],
) -> String {
    let any: Vec<String> = matches
        .iter()
        .map(|m| {
            let mut all = Vec::new();
            if let Some(id) = m.record {
                all.push(format!("{record} = {}", sql.arg(dialect, SqlArg::Integer(id))));
            }
            if let Some(id) = m.disposition_id {
                all.push(format!(
                    "{last_disposition} = {}",
                    sql.arg(dialect, SqlArg::Integer(id))
                ));
            }
            if let Some(user) = &m.user_id {
                all.push(format!(
                    "{last_user} = {}",
                    sql.arg(dialect, SqlArg::Text(user.clone()))
                ));
            }
            // A match without parts would match every record: the parser never makes one.
            if all.is_empty() {
                "1 = 0".to_string()
            } else {
                format!("({})", all.join(" AND "))
            }
        })
        .collect();
    if any.is_empty() {
        "1 = 0".to_string()
    } else {
        format!("({})", any.join(" OR "))
    }
}

pub fn record_in_call(id: i64) -> ValidationError {
    ValidationError::new(
        "record_in_call",
        format!("record {id} is being handled (claimed or locked)"),
    )
}

/// Why [`search_sql`] found nothing to search.
pub fn unknown_search_field(schema: &ProjectSchema, pairs: &[(String, String)]) -> ValidationError {
    let name = pairs
        .iter()
        .map(|(n, _)| n)
        .find(|n| schema.field(n).is_none())
        .cloned()
        .unwrap_or_default();
    let detail = if pairs.is_empty() {
        "search is empty".to_string()
    } else {
        format!("no field named '{name}'")
    };
    ValidationError::new("missing_numberid_or_search", detail)
}

/// Resolves the forms of a batch of writes (see [`resolve_batch`]); a write holding
/// text no backend can store is rejected first and adds no fields or values.
pub fn resolve_writes(
    schema: &ProjectSchema,
    writes: &[&RecordWrite],
) -> (Vec<ItemResult<Vec<Cell>>>, SchemaAdditions) {
    let checked: Vec<ItemResult<()>> = writes.iter().map(|w| w.check_storable_text()).collect();
    let forms = writes
        .iter()
        .zip(&checked)
        .map(|(w, check)| if check.is_ok() { w.form.as_slice() } else { &[] });
    let (cells, additions) = resolve_batch(schema, forms);
    let cells = checked.into_iter().zip(cells).map(|(check, cells)| check.and(cells));
    (cells.collect(), additions)
}

/// The writes of a batch whose target can apply: an update naming a record that does not
/// exist is rejected before its form is resolved, so it creates no fields or values (a
/// request that fails creates nothing). Returns per update its rejection, and the others' writes.
pub fn live_writes<E>(
    updates: &[RecordUpdate],
    mut exists: impl FnMut(i64) -> Result<bool, E>,
) -> Result<(Vec<Option<ValidationError>>, Vec<&RecordWrite>), E> {
    let missing: Vec<Option<ValidationError>> = updates
        .iter()
        .map(|u| match u.target.named_id() {
            Some(id) => Ok((!exists(id)?).then(|| record_not_exists(id))),
            None => Ok(None),
        })
        .collect::<Result<_, E>>()?;
    let live = updates
        .iter()
        .zip(&missing)
        .filter(|(_, m)| m.is_none())
        .map(|(u, _)| &u.write)
        .collect();
    Ok((missing, live))
}

/// Puts [`live_writes`]' rejections back among the live writes' results, in request order.
pub fn with_rejections<T>(missing: Vec<Option<ValidationError>>, live: Vec<ItemResult<T>>) -> Vec<ItemResult<T>> {
    let mut live = live.into_iter();
    missing
        .into_iter()
        .map(|m| match m {
            Some(e) => Err(e),
            None => live
                .next()
                .unwrap_or_else(|| Err(ValidationError::new("internal", "no result"))),
        })
        .collect()
}

pub fn record_not_exists(id: i64) -> ValidationError {
    ValidationError::new("record_not_exists", format!("record {id} does not exist"))
}

pub fn value_exists(name: &str) -> ValidationError {
    ValidationError::new("value_name_already_exists", format!("value '{name}' already exists"))
}

/// Which of `names` a field's values (`taken`: id and name, any order) already hold, case
/// ignored: the lowest such id, for each name.
pub fn taken_value_ids<'n>(taken: &[(i64, String)], names: impl IntoIterator<Item = &'n str>) -> Vec<Option<i64>> {
    let mut lowest: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for (id, name) in taken {
        let entry = lowest.entry(value_name_key(name).into_owned()).or_insert(*id);
        *entry = (*entry).min(*id);
    }
    names
        .into_iter()
        .map(|name| lowest.get(value_name_key(name).as_ref()).copied())
        .collect()
}

pub fn value_not_exists(value: i64) -> ValidationError {
    ValidationError::new("value_not_exists", format!("value {value} does not exist"))
}

/// The update "Modify contact" makes: the slot's details, and its phone as `phoneN`.
/// The slot must exist in the project (VCC Live: contact 1 always does).
pub fn contact_update(schema: &ProjectSchema, record: i64, contact: Contact) -> Result<RecordUpdate, StoreError> {
    if !schema.has_contact_slot(contact.slot) {
        return Err(
            ValidationError::new("contact_not_exists", format!("contact {} does not exist", contact.slot)).into(),
        );
    }
    let mut write = RecordWrite {
        contacts: vec![contact],
        ..Default::default()
    };
    write.mirror_contact_phones();
    Ok(RecordUpdate {
        target: RecordTarget::Id(record),
        write,
    })
}

/// The outcome of a single-record update as a request-level result.
pub fn single_update_outcome(mut results: Vec<ItemResult<u64>>) -> Result<(), StoreError> {
    match results.pop() {
        Some(Ok(_)) => Ok(()),
        Some(Err(e)) if e.code == "record_not_exists" => Err(StoreError::NotFound("record")),
        Some(Err(e)) => Err(e.into()),
        None => Err(StoreError::Backend("update returned no result".into())),
    }
}

/// All or nothing: with `atomic` the first refused item fails the batch (the caller's
/// transaction rolls back); otherwise every item reports its own outcome.
pub fn all_or_nothing<T>(mut results: Vec<ItemResult<T>>, atomic: bool) -> Result<Vec<ItemResult<T>>, StoreError> {
    let refused = results.iter().position(Result::is_err).filter(|_| atomic);
    match refused.map(|index| (index, results.swap_remove(index))) {
        Some((index, Err(e))) => Err(StoreError::Rejected(index, e)),
        _ => Ok(results),
    }
}

/// Renders a page's rows in two halves, each on a blocking thread of its own: `render`
/// parses its half, builds the records, renders them and frees them on the thread that
/// built them (most of an export's server time). The parts come back in the rows' order.
pub async fn render_halves<T, F>(mut rows: Vec<T>, render: F) -> Result<Vec<bytes::Bytes>, StoreError>
where
    T: Send + 'static,
    F: Fn(Vec<T>) -> Result<bytes::Bytes, StoreError> + Clone + Send + 'static,
{
    let second = rows.split_off(rows.len() / 2);
    let part = |rows: Vec<T>| {
        let render = render.clone();
        tokio::task::spawn_blocking(move || render(rows))
    };
    let (first, second) = tokio::join!(part(rows), part(second));
    let failed = |e: tokio::task::JoinError| StoreError::Backend(format!("storage task failed: {e}"));
    Ok(vec![first.map_err(failed)??, second.map_err(failed)??])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::{Field, FieldKind};

    /// A schema of text fields, (id, name).
    pub(super) fn text_fields(fields: &[(i64, &str)]) -> ProjectSchema {
        let field = |&(id, name): &(i64, &str)| Field {
            id,
            name: name.into(),
            label: None,
            kind: FieldKind::Text,
            indexed: false,
            customised: false,
            values: vec![],
        };
        ProjectSchema::new(fields.iter().map(field).collect())
    }

    fn schema() -> ProjectSchema {
        text_fields(&[(1, "name"), (2, "city")])
    }

    #[test]
    fn only_percent_is_a_wildcard_and_params_follow_the_dialect() {
        let pairs = [
            ("name".to_string(), "a_b%".to_string()),
            ("city".to_string(), "Pécs".to_string()),
        ];
        let found = search_sql(3, 9, &schema(), &pairs, None, &POSTGRES).unwrap();
        assert!(
            found
                .ids
                .starts_with("SELECT r.id AS id FROM records r WHERE r.tenant_id = $5 AND r.project_id = $6 AND "),
            "{}",
            found.ids
        );
        assert!(found.ids.contains("ILIKE"), "{}", found.ids);
        let text = |t: &str| SqlArg::Text(t.into());
        assert_eq!(
            found.args,
            vec![
                SqlArg::Integer(1),
                text("a_b%"),
                SqlArg::Integer(2),
                text("Pécs"),
                SqlArg::Integer(3),
                SqlArg::Integer(9)
            ]
        );
        let sqlite = search_sql(3, 9, &schema(), &pairs, None, &SQLITE).unwrap();
        assert!(
            sqlite.ids.contains("dialbase_doc_match(r.data, ?1, 'like', ?2)"),
            "{}",
            sqlite.ids
        );
        assert!(
            sqlite.count.contains("(instr(r.data, CAST(?4 AS BLOB)) > 0"),
            "{}",
            sqlite.count
        );
    }

    #[test]
    fn an_indexed_pair_drives_and_alone_is_counted_by_its_term() {
        let mut schema = schema();
        schema = ProjectSchema::new(
            schema
                .fields
                .drain(..)
                .map(|f| Field {
                    indexed: f.name == "city",
                    ..f
                })
                .collect(),
        );
        let city = [("city".to_string(), "London".to_string())];
        let alone = search_sql(3, 9, &schema, &city, None, &SQLITE).unwrap();
        assert_eq!(
            alone.count,
            "SELECT coalesce((SELECT t.records FROM term_counts t WHERE t.tenant_id = ?3 \
             AND t.field_id = ?1 AND t.term = ?2), 0)"
        );
        let counted = search_sql(3, 9, &schema, &city, None, &POSTGRES).unwrap();
        assert_eq!(
            counted.count,
            "SELECT coalesce((SELECT t.records FROM term_counts t WHERE t.tenant_id = $3 \
             AND t.field_id = $1 AND t.term = $2), 0)"
        );
        let both = [city[0].clone(), ("name".to_string(), "Ann".to_string())];
        let joined = search_sql(3, 9, &schema, &both, None, &SQLITE).unwrap();
        assert!(
            joined.ids.contains("JOIN records r ON r.id = t.record_id"),
            "{}",
            joined.ids
        );
        assert!(
            joined.ids.contains("dialbase_doc_match(r.data, ?3, 'eq', ?4)"),
            "{}",
            joined.ids
        );
    }

    #[test]
    fn an_unknown_field_is_named() {
        let pairs = [("nope".to_string(), "x".to_string())];
        assert!(search_sql(1, 1, &schema(), &pairs, None, &POSTGRES).is_none());
        assert_eq!(unknown_search_field(&schema(), &pairs).detail, "no field named 'nope'");
    }
}
