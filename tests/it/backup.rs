//! `dialbase backup` copies a live SQLite database consistently (a server writing to it
//! meanwhile), and the copy serves as a database of its own; `DIALBASE_SYNC` picks the
//! durability. PostgreSQL is backed up with its own tools: the command says so.

use crate::common::dialer::{add_records, record};
use crate::common::{Client, Database, Server};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

async fn all_records(api: &Client, project: i64) -> BTreeMap<i64, Value> {
    let mut records = BTreeMap::new();
    loop {
        let path = format!("/v2/projects/{project}/records?limit=1000&offset={}", records.len());
        let page = api.get(&path).await.body["response"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if page.is_empty() {
            return records;
        }
        records.extend(page.into_iter().map(|r| (r["numberid"].as_i64().unwrap(), r)));
    }
}

fn backup(database: &str, target: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dialbase"))
        .arg("backup")
        .arg(target)
        .env("DIALBASE_DATABASE", database)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_the_server_writes_is_a_consistent_database() {
    let db = Database::fresh();
    let server = Server::start_with(&db, &[("DIALBASE_SYNC", "full")]);
    let api = server.client();
    let project = api.project("Leads").await;
    if db.is_postgres() {
        let out = backup(&db.url, std::path::Path::new("/tmp/never.db"));
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        return;
    }
    add_records(
        &api,
        project,
        (0..1_000).map(|i| record(&format!("3610{i:06}"), None)).collect(),
    )
    .await;
    let writer = {
        let api = server.client();
        tokio::spawn(async move {
            for batch in 0..20 {
                let records = (0..200)
                    .map(|i| record(&format!("3620{batch:03}{i:03}"), None))
                    .collect();
                add_records(&api, project, records).await;
            }
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let out = backup(&db.url, &copy);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    writer.await.unwrap();
    let again = backup(&db.url, &copy);
    assert!(!again.status.success(), "an existing file is never overwritten");

    let original = all_records(&api, project).await;
    assert_eq!(original.len(), 5_000);
    let restored = Server::start(&Database::sqlite_file(&copy));
    let copied = all_records(&restored.client(), project).await;
    assert!((1_000..=5_000).contains(&copied.len()), "{}", copied.len());
    for (id, record) in &copied {
        assert_eq!(Some(record), original.get(id), "record {id} as it was");
    }
}

#[test]
fn a_sync_mode_that_is_none_stops_the_start() {
    let db = Database::fresh();
    if db.is_postgres() {
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_dialbase"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DIALBASE_DATABASE", &db.url)
        .env("DIALBASE_SYNC", "sometimes")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DIALBASE_SYNC"));
}
