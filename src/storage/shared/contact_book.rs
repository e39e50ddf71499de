//! The iovox contact book's backend-neutral pieces: how a record becomes a contact,
//! how a plan's writes are reported, and getContacts' filter SQL. The rules
//! themselves live in `domain::iovox::book`.

use super::{DocOp, SqlArg, SqlDialect};
use crate::domain::canonical::iovox_detail;
use crate::domain::iovox::book::BookContact;
use crate::domain::iovox::{ContactField, ContactQuery, Detail};
use crate::domain::record::{FormEntry, RecordWrite};
use crate::domain::schema::ProjectSchema;
use crate::storage::{ItemResult, RecordTarget, RecordUpdate, StoreError};

/// The name the contact book project shows under in the VCC Live API.
pub const BOOK_NAME: &str = "Contact book";

/// The contact a record of the book holds: its detail fields (other fields are left
/// out), several values of a list detail in their order.
pub fn book_contact(record_id: i64, form: Vec<FormEntry>) -> BookContact {
    let details = form
        .into_iter()
        .filter_map(|entry| iovox_detail(&entry.name).map(|detail| (detail, entry.values)))
        .flat_map(|(detail, values)| values.into_iter().map(move |v| (detail, v.text)))
        .collect();
    BookContact { record_id, details }
}

/// A plan's (record id, change) pairs as record updates.
pub fn contact_updates(updates: Vec<(i64, RecordWrite)>) -> Vec<RecordUpdate> {
    updates
        .into_iter()
        .map(|(record, write)| RecordUpdate {
            target: RecordTarget::Id(record),
            write,
        })
        .collect()
}

/// Any item the record layer rejects (e.g. a value over its length cap) rejects the request.
pub fn first_rejection<T>(results: Vec<ItemResult<T>>) -> Result<(), StoreError> {
    match results.into_iter().find_map(Result::err) {
        Some(e) => Err(StoreError::Invalid(e)),
        None => Ok(()),
    }
}

/// A stored Rule's or Link's target as getRuleTemplates shows it; None when its
/// record has lost its contact_id or there is none.
pub fn rule_target(contact_id: Option<String>, detail: Option<String>) -> Option<(String, Detail)> {
    Some((contact_id?, Detail::from_element(&detail?)?))
}

/// getContacts' WHERE clause over `records r` of the contact book, with its
/// arguments in bind order.
#[derive(Debug)]
pub struct ContactFilter {
    pub sql: String,
    pub args: Vec<SqlArg>,
}

impl ContactFilter {
    /// Every given filter must match; a filter on a detail no contact has yet (no
    /// such field), or with a NUL character (no backend stores one, PostgreSQL cannot
    /// even bind one), matches nothing.
    pub fn new(book: i64, schema: &ProjectSchema, query: &ContactQuery, dialect: &SqlDialect) -> Self {
        let mut filter = Self {
            sql: String::new(),
            args: Vec::new(),
        };
        let book = filter.arg(dialect, SqlArg::Integer(book));
        filter.sql = format!("r.project_id = {book} AND r.user_data IS NOT NULL");
        if let Some(contact_id) = &query.contact_id {
            if contact_id.contains('\0') {
                filter.sql.push_str(" AND FALSE");
            } else {
                let contact_id = filter.arg(dialect, SqlArg::Text(contact_id.clone()));
                filter.sql.push_str(&format!(" AND r.user_data = {contact_id}"));
            }
        }
        let searches = [
            (&query.display_name, &[Detail::DisplayName][..], true),
            (&query.company, &[Detail::Company], false),
            (&query.email, &[Detail::Email, Detail::Email2], false),
            (&query.phone_number, &Detail::PHONES, false),
        ];
        if let Some(since) = query.updated_since {
            let since = filter.arg(dialect, SqlArg::Integer(since));
            filter.sql.push_str(&format!(" AND r.updated_at >= {since}"));
        }
        for (wanted, details, contains) in searches {
            if let Some(wanted) = wanted {
                let fields: Vec<i64> = details
                    .iter()
                    .filter_map(|d| schema.field(d.field()).map(|f| f.id))
                    .collect();
                filter.value_in(dialect, &fields, wanted, contains);
            }
        }
        filter
    }

    fn arg(&mut self, dialect: &SqlDialect, arg: SqlArg) -> String {
        self.args.push(arg);
        (dialect.param)(self.args.len())
    }

    /// One of the fields holds `wanted` (or, with `contains`, a value containing it,
    /// ignoring ASCII case).
    fn value_in(&mut self, dialect: &SqlDialect, fields: &[i64], wanted: &str, contains: bool) {
        if fields.is_empty() || wanted.contains('\0') {
            self.sql.push_str(" AND FALSE");
            return;
        }
        let wanted = self.arg(dialect, SqlArg::Text(wanted.to_owned()));
        let op = if contains { DocOp::Contains } else { DocOp::Eq };
        let tests: Vec<String> = fields
            .iter()
            .map(|&id| {
                let field = self.arg(dialect, SqlArg::Integer(id));
                (dialect.doc_match)(&field, op, &wanted)
            })
            .collect();
        self.sql.push_str(&format!(" AND ({})", tests.join(" OR ")));
    }

    /// How many contacts match.
    pub fn count_sql(&self) -> String {
        format!("SELECT count(*) FROM records r WHERE {}", self.sql)
    }

    /// The page's (record id, contact_id, assigned) rows, in the query's order.
    pub fn page_sql(&self, query: &ContactQuery, schema: &ProjectSchema) -> String {
        page_sql(&self.sql, query, schema, &SQLITE_BOOK)
    }
}

/// How a backend spells getContacts' sort keys and assigned_status.
pub struct BookSql {
    /// The first text of field `id` in `r.data` (NULL when the record has none).
    pub first_text: fn(i64) -> String,
    /// Makes a text compare byte by byte, so both backends sort alike.
    pub collate: &'static str,
    /// TRUE when a Rule or a Link uses one of `r`'s details.
    pub assigned: &'static str,
}

pub const SQLITE_BOOK: BookSql = BookSql {
    first_text: |id| format!("dialbase_doc_first_text(r.data, {id})"),
    collate: "",
    assigned: "(EXISTS (SELECT 1 FROM rule_template_rules u WHERE u.record_id = r.id) \
               OR EXISTS (SELECT 1 FROM rule_template_links u WHERE u.record_id = r.id))",
};

pub const POSTGRES_BOOK: BookSql = BookSql {
    first_text: |id| {
        format!(
            "(CASE jsonb_typeof(r.data -> '{id}') WHEN 'array' THEN r.data -> '{id}' ->> 0 ELSE r.data ->> '{id}' END)"
        )
    },
    collate: " COLLATE \"C\"",
    assigned: "(EXISTS (SELECT 1 FROM rule_template_rules u WHERE u.tenant_id = r.tenant_id AND u.record_id = r.id) \
               OR EXISTS (SELECT 1 FROM rule_template_links u WHERE u.tenant_id = r.tenant_id AND u.record_id = r.id))",
};

/// A getContacts page of `records r` matching `filter`: (record id, contact_id,
/// assigned) rows. assigned_status is only looked up when the query needs it.
pub fn page_sql(filter: &str, query: &ContactQuery, schema: &ProjectSchema, sql: &BookSql) -> String {
    let assigned = if query.needs_assigned_status() {
        sql.assigned
    } else {
        "FALSE"
    };
    format!(
        "SELECT r.id, r.user_data, {assigned} FROM records r WHERE {filter} ORDER BY {} LIMIT {} OFFSET {}",
        order_by(query, schema, sql),
        query.limit,
        query.offset()
    )
}

/// The ORDER BY of a page: creation order, or the query's field (contacts without
/// it sort as an empty text; ASSIGNED before UNASSIGNED ascending, as their texts),
/// ties in creation order.
pub fn order_by(query: &ContactQuery, schema: &ProjectSchema, sql: &BookSql) -> String {
    let Some(order) = query.order else {
        return "r.id".to_owned();
    };
    let key = match order.field {
        ContactField::ContactId => format!("r.user_data{}", sql.collate),
        ContactField::AssignedStatus => format!("(NOT {})", sql.assigned),
        // Looked up as ContactFilter looks up the fields it searches.
        ContactField::Detail(detail) => match schema.field(detail.field()) {
            Some(field) => format!("COALESCE({}, ''){}", (sql.first_text)(field.id), sql.collate),
            // No contact has the detail yet: they all tie.
            None => return "r.id".to_owned(),
        },
    };
    let direction = if order.descending { "DESC" } else { "ASC" };
    format!("{key} {direction}, r.id")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::shared::tests::text_fields;
    use crate::storage::shared::{POSTGRES, SQLITE, SqlArg};

    fn schema() -> ProjectSchema {
        text_fields(&[(7, "name"), (8, "email"), (9, "email_2")])
    }

    fn query() -> ContactQuery {
        ContactQuery {
            page: 3,
            limit: 10,
            ..ContactQuery::new()
        }
    }

    #[test]
    fn filters_bind_in_order_in_each_dialect() {
        let query = ContactQuery {
            contact_id: Some("c1".into()),
            display_name: Some("Ann".into()),
            email: Some("a@b.c".into()),
            ..query()
        };
        let filter = ContactFilter::new(5, &schema(), &query, &POSTGRES);
        assert!(
            filter
                .sql
                .starts_with("r.project_id = $1 AND r.user_data IS NOT NULL AND r.user_data = $2")
        );
        assert!(
            filter.sql.contains("strpos(lower(v.t COLLATE \"C\"), lower(($3)::text"),
            "{}",
            filter.sql
        );
        let text = |t: &str| SqlArg::Text(t.into());
        assert_eq!(
            filter.args,
            vec![
                SqlArg::Integer(5),
                text("c1"),
                text("Ann"),
                SqlArg::Integer(7),
                text("a@b.c"),
                SqlArg::Integer(8),
                SqlArg::Integer(9),
            ]
        );
        let sqlite = ContactFilter::new(5, &schema(), &query, &SQLITE);
        assert!(
            sqlite.sql.contains("(dialbase_doc_match(r.data, ?4, 'contains', ?3))"),
            "{}",
            sqlite.sql
        );
        assert!(
            sqlite.sql.contains("dialbase_doc_match(r.data, ?6, 'eq', ?5) OR"),
            "{}",
            sqlite.sql
        );
        assert_eq!(sqlite.args, filter.args);
        assert!(
            sqlite
                .page_sql(&query, &schema())
                .ends_with("ORDER BY r.id LIMIT 10 OFFSET 20")
        );
    }

    #[test]
    fn a_filter_on_a_detail_no_contact_has_matches_nothing() {
        let query = ContactQuery {
            company: Some("Acme".into()),
            ..query()
        };
        let filter = ContactFilter::new(5, &schema(), &query, &SQLITE);
        assert_eq!(filter.sql, "r.project_id = ?1 AND r.user_data IS NOT NULL AND FALSE");
        assert_eq!(filter.args, vec![SqlArg::Integer(5)]);
    }

    #[test]
    fn a_filter_holding_a_nul_character_matches_nothing_and_binds_no_text() {
        let query = ContactQuery {
            contact_id: Some("a\0".into()),
            display_name: Some("\0".into()),
            ..query()
        };
        let filter = ContactFilter::new(5, &schema(), &query, &POSTGRES);
        assert_eq!(
            filter.sql,
            "r.project_id = $1 AND r.user_data IS NOT NULL AND FALSE AND FALSE"
        );
        assert_eq!(filter.args, vec![SqlArg::Integer(5)]);
    }

    #[test]
    fn pages_sort_by_a_fields_first_text_then_creation() {
        use crate::domain::iovox::ContactOrder;
        let ordered = |field, descending| ContactQuery {
            order: Some(ContactOrder { field, descending }),
            ..query()
        };
        let by_name = ordered(ContactField::Detail(Detail::DisplayName), true);
        assert_eq!(
            order_by(&by_name, &schema(), &POSTGRES_BOOK),
            "COALESCE((CASE jsonb_typeof(r.data -> '7') WHEN 'array' THEN r.data -> '7' ->> 0 \
             ELSE r.data ->> '7' END), '') COLLATE \"C\" DESC, r.id"
        );
        assert!(order_by(&by_name, &schema(), &SQLITE_BOOK).starts_with("COALESCE(dialbase_doc_first_text(r.data, 7)"));
        let by_id = ordered(ContactField::ContactId, false);
        assert_eq!(order_by(&by_id, &schema(), &SQLITE_BOOK), "r.user_data ASC, r.id");
        let by_company = ordered(ContactField::Detail(Detail::Company), false);
        assert_eq!(
            order_by(&by_company, &schema(), &SQLITE_BOOK),
            "r.id",
            "no contact has a company"
        );
        let by_status = ordered(ContactField::AssignedStatus, false);
        assert!(order_by(&by_status, &schema(), &SQLITE_BOOK).starts_with("(NOT (EXISTS"));
        let without_status = ContactQuery {
            fields: vec![ContactField::ContactId],
            ..query()
        };
        assert!(
            page_sql("TRUE", &without_status, &schema(), &SQLITE_BOOK)
                .starts_with("SELECT r.id, r.user_data, FALSE FROM")
        );
        assert!(page_sql("TRUE", &by_status, &schema(), &SQLITE_BOOK).contains("rule_template_links"));
    }
}
