//! PostgreSQL only: the migrated layout is ready for Citus to distribute by tenant
//! (docs/postgres.md): every table but `tenants` (a reference table) and
//! `schema_migrations` has `tenant_id`, every primary and unique key starts with it, and
//! every foreign key between such tables includes it on both sides.

use crate::common::{Database, POSTGRES_ENV, Server};
use tokio_postgres::NoTls;

const NOT_DISTRIBUTED: [&str; 3] = ["tenants", "schema_migrations", "worker_leases"];

#[tokio::test]
async fn every_distributed_table_is_keyed_by_tenant_first() {
    let Some(db) = Database::postgres_only(&format!("the PostgreSQL layout test needs {POSTGRES_ENV}")) else {
        return;
    };
    let _server = Server::start(&db); // migrates
    let (client, connection) = tokio_postgres::connect(&db.url, NoTls).await.expect("connect");
    tokio::spawn(connection);

    let tables: Vec<(String, bool)> = client
        .query(
            "SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute a
                 WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
             FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
             ORDER BY 1",
            &[],
        )
        .await
        .expect("tables")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let distributed: Vec<&str> = tables
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| !NOT_DISTRIBUTED.contains(name))
        .collect();
    assert!(
        distributed.contains(&"records") && distributed.contains(&"record_terms"),
        "{tables:?}"
    );
    for (name, has_tenant) in &tables {
        assert!(
            *has_tenant || NOT_DISTRIBUTED.contains(&name.as_str()),
            "{name} has no tenant_id"
        );
    }

    // Primary keys, unique constraints and unique indexes: (table, index, first column).
    let unique: Vec<(String, String, String)> = client
        .query(
            "SELECT t.relname, i.relname, coalesce(a.attname, '(expression)')
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
             LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
             WHERE x.indisunique AND t.relnamespace = current_schema()::regnamespace",
            &[],
        )
        .await
        .expect("unique indexes")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    for (table, index, first) in &unique {
        if distributed.contains(&table.as_str()) {
            assert_eq!(first, "tenant_id", "{index} on {table} does not start with tenant_id");
        }
    }
    for table in &distributed {
        assert!(
            unique
                .iter()
                .any(|(t, i, _)| t == table && *i == format!("{table}_pkey")),
            "{table} has no primary key"
        );
    }

    // Foreign keys between distributed tables: (table, constraint, has tenant_id both sides).
    let foreign: Vec<(String, String, String, bool)> = client
        .query(
            "SELECT t.relname, c.conname, r.relname,
                    EXISTS (SELECT 1 FROM unnest(c.conkey, c.confkey) AS k(own, other)
                            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.own
                            JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = k.other
                            WHERE a.attname = 'tenant_id' AND b.attname = 'tenant_id')
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
             WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace",
            &[],
        )
        .await
        .expect("foreign keys")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    for (table, constraint, references, with_tenant) in &foreign {
        if references != "tenants" {
            assert!(
                *with_tenant,
                "{constraint} ({table} -> {references}) does not include tenant_id"
            );
        }
    }
}
