//! PostgreSQL: a database left at version 3 with the seed, upgraded by the new server.

use super::{SEED_V3, check_upgraded};
use crate::common::{Database, POSTGRES_ENV, Server};
use tokio_postgres::NoTls;

const VERSION_3: [(i64, &str); 3] = [
    (1, include_str!("../../../migrations/postgres/001_init.sql")),
    (2, include_str!("../../../migrations/postgres/002_dial_state.sql")),
    (3, include_str!("../../../migrations/postgres/003_contact_book.sql")),
];

/// The seed gives explicit ids: the identity sequences continue after them, as they
/// would after rows the application had inserted.
const SEQUENCES: &str = "
    SELECT setval(pg_get_serial_sequence(t, 'id'), m) FROM (VALUES
        ('tenants', (SELECT max(id) FROM tenants)), ('projects', (SELECT max(id) FROM projects)),
        ('fields', (SELECT max(id) FROM fields)), ('field_values', (SELECT max(id) FROM field_values)),
        ('records', (SELECT max(id) FROM records)), ('dispositions', (SELECT max(id) FROM dispositions)),
        ('rule_templates', (SELECT max(id) FROM rule_templates))) AS s(t, m)";

/// SHA-256 of `legacy-key-123`, as version 3 stored keys.
const LEGACY_KEY_DIGEST: &str = "b43642573aa5d4a913a8526df7362f1471ec13ad4e5c8dfff8f758eef2a6db31";

#[tokio::test]
async fn a_version_3_database_is_upgraded_with_every_record_intact() {
    let Some(db) = Database::postgres_only(&format!("the PostgreSQL upgrade test needs {POSTGRES_ENV}")) else {
        return;
    };
    let (client, connection) = tokio_postgres::connect(&db.url, NoTls).await.expect("connect");
    tokio::spawn(connection);
    client
        .batch_execute("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")
        .await
        .expect("schema_migrations");
    for (version, sql) in VERSION_3 {
        client.batch_execute(sql).await.expect("an old migration");
        client
            .execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, '2020-01-01 00:00:00')",
                &[&version],
            )
            .await
            .expect("record the version");
    }
    client.batch_execute(SEED_V3).await.expect("the version-3 rows");
    client.batch_execute(SEQUENCES).await.expect("the sequences");
    // A user of the single-key days (before migration 010): its key becomes an admin key.
    client
        .batch_execute(&format!(
            "INSERT INTO api_users (tenant_id, username, key_hash, created_at)
             VALUES (1, 'legacy', '{LEGACY_KEY_DIGEST}', '2020-01-01 00:00:00')"
        ))
        .await
        .expect("an API user of version 3");

    let server = Server::start(&db);
    check_upgraded(&server.client()).await;
    let legacy = server.client_as("mycc", "legacy", "legacy-key-123");
    let keys = legacy.get("/dialbase/v1/keys").await;
    assert_eq!(keys.status, 200, "the old key is an admin key: {}", keys.text);
    let legacy_keys: Vec<&serde_json::Value> = keys.body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["user"] == "legacy")
        .collect();
    assert_eq!(legacy_keys.len(), 1);
    assert_eq!(legacy_keys[0]["role"], "admin");
    assert_eq!(legacy_keys[0]["created_at"], "2020-01-01 00:00:00");
    let versions: Vec<i64> = client
        .query("SELECT version FROM schema_migrations ORDER BY version", &[])
        .await
        .expect("versions")
        .iter()
        .map(|r| r.get(0))
        .collect();
    // Every migration the binary ships, each applied once.
    let mut shipped: Vec<i64> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .expect("the migrations")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.get(..3)?.parse().ok())
        .collect();
    shipped.sort();
    assert_eq!(versions, shipped);
}

/// Migration 17 counts the entries a database already holds: the database is taken back to
/// version 16 (its counts, their triggers and the version gone), then the new server starts.
#[tokio::test]
async fn term_counts_are_counted_from_the_entries_of_a_version_16_database() {
    let Some(db) = Database::postgres_only(&format!("the PostgreSQL upgrade test needs {POSTGRES_ENV}")) else {
        return;
    };
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("counted").await;
    let field = serde_json::json!({"name": "city", "type": "text", "indexed": "yes"});
    let reply = api
        .post(&format!("/v2/projects/{project}/fields"), &field.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let cities = ["London", "Paris", "London", "Pécs", "London", "Paris"];
    let records: Vec<String> = cities
        .iter()
        .map(|city| format!(r#"{{"form":{{"city":"{city}"}}}}"#))
        .collect();
    let ids = api.add_records(project, &format!("[{}]", records.join(","))).await;
    // One London goes, one Paris becomes London: the counts must not be those of the adds.
    let reply = api.delete(&format!("/dialler/contacts/contact/{}", ids[0])).await;
    assert!(reply.status.is_success(), "{}", reply.text);
    let modify = serde_json::json!({"elements": [{"numberid": ids[1], "form": {"city": "London"}}]});
    let reply = api
        .put(&format!("/v2/projects/{project}/records"), &modify.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    server.stop();

    db.execute(
        "DROP TABLE term_counts;
         DROP FUNCTION term_counts_added, term_counts_removed CASCADE;
         DELETE FROM schema_migrations WHERE version = 17;",
    );
    let server = Server::start(&db);
    let api = server.client();
    for (city, expected) in [("London", "3"), ("Paris", "1"), ("P%C3%A9cs", "1"), ("Rome", "0")] {
        let reply = api
            .get(&format!("/v2/projects/{project}/records?city={city}&limit=1"))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.headers["X-Total-Count"], expected, "{city}");
    }
}
