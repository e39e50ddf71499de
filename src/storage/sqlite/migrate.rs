//! Schema migrations, embedded in the binary and applied in order at start-up.

use super::fields::load_fields;
use crate::domain::calldate;
use crate::domain::document::DocValue;
use crate::domain::record::Contact;
use crate::domain::schema::ProjectSchema;
use crate::storage::StoreError;
use crate::storage::shared::row::{RecordRow, contacts_json};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/sqlite/001_init.sql")),
    (2, include_str!("../../../migrations/sqlite/002_dial_state.sql")),
    (3, include_str!("../../../migrations/sqlite/003_contact_book.sql")),
    (4, include_str!("../../../migrations/sqlite/004_storage_v2.sql")),
    (5, include_str!("../../../migrations/sqlite/005_term_counts.sql")),
    (6, include_str!("../../../migrations/sqlite/006_dialing_rules.sql")),
    (7, include_str!("../../../migrations/sqlite/007_dnc_lists.sql")),
    (8, include_str!("../../../migrations/sqlite/008_change_feed.sql")),
    (9, include_str!("../../../migrations/sqlite/009_webhooks.sql")),
    (10, include_str!("../../../migrations/sqlite/010_api_keys.sql")),
    (11, include_str!("../../../migrations/sqlite/011_audit_log.sql")),
    (12, include_str!("../../../migrations/sqlite/012_console.sql")),
    (13, include_str!("../../../migrations/sqlite/013_canonical_contact.sql")),
    (16, include_str!("../../../migrations/sqlite/016_field_customised.sql")),
    (18, include_str!("../../../migrations/sqlite/018_change_spans.sql")),
    (
        19,
        include_str!("../../../migrations/sqlite/019_indexes_end_in_rowid.sql"),
    ),
    (20, include_str!("../../../migrations/sqlite/020_phone_keys.sql")),
    (21, include_str!("../../../migrations/sqlite/021_term_ids.sql")),
    (
        22,
        include_str!("../../../migrations/sqlite/022_phones_keyed_by_number.sql"),
    ),
];

/// Where a migration hands over to [`move_records`].
const MOVE_RECORDS: &str = "-- @move-records";

pub fn apply(conn: &mut Connection) -> Result<(), StoreError> {
    apply_migrations(conn, MIGRATIONS)
}

/// Applies each migration not recorded yet, whatever its neighbours: a version slotted
/// in below applied ones (a branch's 2 merged after 3 shipped) still runs, once.
fn apply_migrations(conn: &mut Connection, migrations: &[(i64, &str)]) -> Result<(), StoreError> {
    // Tables are rebuilt under their references (SQLite's way to alter a table): foreign
    // keys are off meanwhile (a no-op inside a transaction, so set here) and checked after.
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let applied = apply_each(conn, migrations);
    conn.execute_batch("PRAGMA foreign_keys = ON")?;
    applied?;
    let broken: Option<String> = conn
        .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
        .optional()?;
    match broken {
        Some(table) => Err(StoreError::Backend(format!(
            "migration left a broken reference in {table}"
        ))),
        None => Ok(()),
    }
}

fn apply_each(conn: &mut Connection, migrations: &[(i64, &str)]) -> Result<(), StoreError> {
    // IMMEDIATE: a node that read an older schema may not upgrade to a writer (SQLite
    // answers "locked" at once), so it takes the write lock first and waits for it.
    conn.execute_batch(
        "BEGIN IMMEDIATE;
         CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
         COMMIT;",
    )?;
    for (version, sql) in migrations {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let applied: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |row| row.get(0),
        )?;
        if !applied {
            match sql.split_once(MOVE_RECORDS) {
                Some((before, after)) => {
                    tx.execute_batch(before)?;
                    move_records(&tx)?;
                    tx.execute_batch(after)?;
                }
                None => tx.execute_batch(sql)?,
            }
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                rusqlite::params![version, crate::domain::calldate::now()],
            )?;
            tracing::info!(version, "applied SQLite migration");
        }
        tx.commit()?;
    }
    Ok(())
}

/// Version 1 records into `records_v2`: each record's values and contacts become its
/// document and contacts column, times become Unix seconds, its numbers go into
/// `record_phones` and its Robinson flag is set.
fn move_records(conn: &Connection) -> Result<(), StoreError> {
    let seconds = |text: Option<String>| text.and_then(|t| calldate::to_seconds(&t).ok());
    let mut schemas: HashMap<i64, ProjectSchema> = HashMap::new();
    let mut records = conn.prepare(
        "SELECT id, tenant_id, project_id, user_data, phone_field, next_calldate, price, commission, locked,
                claimed_by, claim_expires_at, done_at, attempts, created_at, updated_at
         FROM records ORDER BY id",
    )?;
    let mut rows = records.query([])?;
    let mut values = conn.prepare(
        "SELECT field_id, value, value_id FROM record_values WHERE record_id = ?1 ORDER BY field_id, ordinal",
    )?;
    let mut contacts =
        conn.prepare("SELECT slot, title, name, phone, email FROM contacts WHERE record_id = ?1 ORDER BY slot")?;
    let mut listed = conn.prepare("SELECT EXISTS (SELECT 1 FROM robinson WHERE tenant_id = ?1 AND phone = ?2)")?;
    let mut insert = conn.prepare(
        "INSERT INTO records_v2 (id, tenant_id, project_id, user_data, phone_field, next_calldate, price, commission,
           locked, claimed_by, claim_expires_at, done_at, attempts, robinson, created_at, updated_at, contacts, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?;
    let mut phone_rows =
        conn.prepare("INSERT OR IGNORE INTO record_phones (tenant_id, phone, record_id) VALUES (?1, ?2, ?3)")?;
    while let Some(r) = rows.next()? {
        let (id, tenant, project): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let mut row = RecordRow {
            id,
            project_id: project,
            user_data: r.get(3)?,
            phone_field: r.get(4)?,
            next_calldate: seconds(r.get(5)?),
            price: r.get(6)?,
            commission: r.get(7)?,
            locked: r.get(8)?,
            claimed_by: r.get(9)?,
            claim_expires_at: seconds(r.get(10)?),
            done_at: seconds(r.get(11)?),
            attempts: r.get(12)?,
            created_at: seconds(r.get(13)?).unwrap_or_default(),
            updated_at: seconds(r.get(14)?).unwrap_or_default(),
            ..Default::default()
        };
        let mut fields: Vec<(i64, Vec<DocValue>)> = Vec::new();
        let mut value_rows = values.query([id])?;
        while let Some(v) = value_rows.next()? {
            let field: i64 = v.get(0)?;
            let value = match v.get::<_, Option<i64>>(2)? {
                Some(value_id) => DocValue::Id(value_id),
                None => DocValue::Text(v.get(1)?),
            };
            match fields.last_mut() {
                Some((last, list)) if *last == field => list.push(value),
                _ => fields.push((field, vec![value])),
            }
        }
        for (field, list) in fields {
            row.data.set(field, list);
        }
        row.contacts = contacts
            .query_map([id], |c| {
                Ok(Contact {
                    slot: c.get(0)?,
                    title: c.get(1)?,
                    name: c.get(2)?,
                    phone: c.get(3)?,
                    email: c.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let schema = match schemas.entry(project) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => new.insert(load_fields(conn, project)?),
        };
        let phones = row.phones(schema);
        for phone in &phones {
            row.robinson |= listed.query_row(params![tenant, phone], |l| l.get::<_, bool>(0))?;
            phone_rows.execute(params![tenant, phone, id])?;
        }
        insert.execute(params![
            id,
            tenant,
            project,
            row.user_data,
            row.phone_field,
            row.next_calldate,
            row.price,
            row.commission,
            row.locked,
            row.claimed_by,
            row.claim_expires_at,
            row.done_at,
            row.attempts,
            row.robinson,
            row.created_at,
            row.updated_at,
            contacts_json(&row.contacts),
            row.data.to_json(),
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_slotted_in_below_applied_ones_is_applied_later_and_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        let (one, two, three) = (
            (1, "CREATE TABLE one (id INTEGER)"),
            (2, "CREATE TABLE two (id INTEGER)"),
            (3, "CREATE TABLE three (id INTEGER)"),
        );
        apply_migrations(&mut conn, &[one, three]).unwrap();
        // Running 1 or 3 again would fail: their tables exist.
        apply_migrations(&mut conn, &[one, two, three]).unwrap();
        let versions: Vec<i64> = conn
            .prepare("SELECT version FROM schema_migrations ORDER BY version")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(versions, [1, 2, 3]);
        conn.execute("INSERT INTO two (id) VALUES (1)", []).unwrap();
    }

    #[test]
    fn terms_a_version_4_database_holds_are_counted_and_numbered_and_follow_their_changes() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply_migrations(&mut conn, &MIGRATIONS[..4]).unwrap();
        conn.execute_batch(
            "INSERT INTO record_terms (tenant_id, field_id, term, record_id) VALUES
               (1, 3, 'London', 1), (1, 3, 'London', 2), (1, 3, 'Paris', 3), (2, 3, 'London', 4);",
        )
        .unwrap();
        apply_migrations(&mut conn, MIGRATIONS).unwrap();
        let count = |conn: &Connection, tenant: i64, term: &str| -> i64 {
            conn.query_row(
                "SELECT records FROM term_counts WHERE tenant_id = ?1 AND field_id = 3 AND term = ?2",
                params![tenant, term],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(
            (
                count(&conn, 1, "London"),
                count(&conn, 1, "Paris"),
                count(&conn, 2, "London")
            ),
            (2, 1, 1)
        );
        // The entries point at their terms by id (migration 21).
        let holders = |conn: &Connection, tenant: i64, term: &str| -> Vec<i64> {
            conn.prepare(
                "SELECT t.record_id FROM record_terms t JOIN term_counts d ON d.id = t.term_id
                 WHERE d.tenant_id = ?1 AND d.field_id = 3 AND d.term = ?2 ORDER BY 1",
            )
            .unwrap()
            .query_map(params![tenant, term], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
        };
        assert_eq!(
            (
                holders(&conn, 1, "London"),
                holders(&conn, 1, "Paris"),
                holders(&conn, 2, "London")
            ),
            (vec![1, 2], vec![3], vec![4])
        );
        // From now on the code that changes record_terms keeps the counts.
        use crate::storage::sqlite::terms::{TermTally, delete_terms, insert_terms};
        let mut tally = TermTally::default();
        let london = (3, "London".to_string());
        insert_terms(&conn, 1, 1, [&london].into_iter(), &mut tally).unwrap();
        insert_terms(&conn, 1, 5, [&london].into_iter(), &mut tally).unwrap();
        delete_terms(&conn, 1, 3, [&(3, "Paris".to_string())].into_iter(), &mut tally).unwrap();
        delete_terms(&conn, 1, 9, [&london].into_iter(), &mut tally).unwrap();
        tally.flush(&conn).unwrap();
        assert_eq!((count(&conn, 1, "London"), count(&conn, 1, "Paris")), (3, 0));
        assert_eq!(
            (holders(&conn, 1, "London"), holders(&conn, 1, "Paris")),
            (vec![1, 2, 5], vec![])
        );
    }

    #[test]
    fn events_stored_before_spans_read_as_one_event_each() {
        let mut conn = Connection::open_in_memory().unwrap();
        let before_spans = MIGRATIONS.iter().position(|(version, _)| *version == 18).unwrap();
        apply_migrations(&mut conn, &MIGRATIONS[..before_spans]).unwrap();
        conn.execute_batch(
            "INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at) VALUES
               (1, 1, 1, 7, 'add', 0), (1, 2, 1, 7, 'modify', 0);",
        )
        .unwrap();
        apply_migrations(&mut conn, MIGRATIONS).unwrap();
        let spans: Vec<(i64, i64)> = conn
            .prepare("SELECT id, span FROM changes ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(spans, [(1, 1), (2, 1)]);
    }

    #[test]
    fn numbers_stored_as_text_take_the_keys_the_code_binds() {
        let mut conn = Connection::open_in_memory().unwrap();
        let before_keys = MIGRATIONS.iter().position(|(version, _)| *version == 20).unwrap();
        apply_migrations(&mut conn, &MIGRATIONS[..before_keys]).unwrap();
        let numbers = [
            "36100099999",
            "0361",
            "361",
            "999999999999999999",
            "1234567890123456789",
            "3612a",
        ];
        for (record, number) in numbers.iter().enumerate() {
            conn.execute(
                "INSERT INTO record_phones (tenant_id, phone, record_id) VALUES (1, ?1, ?2)",
                params![number, record as i64],
            )
            .unwrap();
        }
        apply_migrations(&mut conn, MIGRATIONS).unwrap();
        for (record, number) in numbers.iter().enumerate() {
            let found: i64 = conn
                .query_row(
                    "SELECT record_id FROM record_phones WHERE tenant_id = 1 AND phone = ?1",
                    [super::super::phone_key::PhoneKey::of(number)],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(found, record as i64, "{number}");
        }
        let integers: i64 = conn
            .query_row(
                "SELECT count(*) FROM record_phones WHERE typeof(phone) = 'integer'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(integers, 4);
    }

    #[test]
    fn migrations_are_listed_in_version_order() {
        assert!(MIGRATIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
