//! Claims stay exclusive across server nodes: two `dialbase serve` processes on one database
//! (a PostgreSQL database, or one SQLite file), with dialers on both claiming and releasing
//! at once. No contact is handed out twice and every due one is handed out, also while
//! another node's transaction holds it.

use crate::common::dialer::{add_records, claim_id, record, release};
use crate::common::{Database, Server};
use serde_json::json;
use std::collections::HashSet;
use std::time::{Duration, Instant};

const DIALERS: usize = 8;
const RECORDS: usize = 3_600;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dialers_on_two_nodes_never_get_the_same_contact() {
    let db = Database::fresh();
    let nodes = [Server::start(&db), Server::start(&db)];
    let api = nodes[0].client();
    let project = api.project("Campaign").await;
    // A third dated and overdue, a ninth not due yet, the rest unset ("due now").
    let records = (0..RECORDS)
        .map(|i| {
            let phone = format!("36{i:08}");
            match i % 9 {
                0 => record(&phone, Some("2099-01-01 00:00:00")),
                1..=3 => record(&phone, Some(&format!("2020-01-01 {:02}:{:02}:00", i % 24, i % 60))),
                _ => record(&phone, None),
            }
        })
        .collect();
    let ids = add_records(&api, project, records).await;
    let due: HashSet<i64> = (0..RECORDS).filter(|i| i % 9 != 0).map(|i| ids[i]).collect();

    let started = Instant::now();
    let dialers: Vec<_> = (0..DIALERS)
        .map(|n| {
            // Alternating nodes: each node serves half of the dialers.
            let api = nodes[n % 2].client();
            tokio::spawn(async move {
                let owner = format!("dialer-{n}");
                let mut got = Vec::new();
                // Bounded, so that a queue handing out records again fails instead of spinning.
                while got.len() <= RECORDS
                    && let Some(id) = claim_id(&api, project, &owner).await
                {
                    // The call's result: done. A record another dialer also holds fails here.
                    let done = release(&api, id, json!({"owner": owner, "dispositionid": 1})).await;
                    assert_eq!(done.status, 200, "{owner} releases {id}: {}", done.text);
                    got.push(id);
                }
                got
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for dialer in dialers {
        claimed.extend(dialer.await.expect("dialer task"));
    }
    let elapsed = started.elapsed().as_secs_f64();

    let unique: HashSet<i64> = claimed.iter().copied().collect();
    let backend = if db.is_postgres() { "PostgreSQL" } else { "SQLite" };
    eprintln!(
        "two nodes on {backend}: {DIALERS} dialers made {} claims ({} duplicates) of {} due contacts \
         in {elapsed:.2} s: {:.0} claims/s (each with its release)",
        claimed.len(),
        claimed.len() - unique.len(),
        due.len(),
        claimed.len() as f64 / elapsed,
    );
    assert_eq!(unique.len(), claimed.len(), "no contact was handed out twice");
    assert_eq!(claimed.len(), due.len(), "every due contact was handed out");
    assert_eq!(unique, due, "exactly the due contacts");
    for node in &nodes {
        assert_eq!(
            claim_id(&node.client(), project, "late").await,
            None,
            "the queue is empty"
        );
    }
}

/// What another node's write in flight looks like to the database: a transaction holding
/// a record's row (PostgreSQL) or the database's write lock (SQLite) until it ends.
enum Holder {
    Postgres(tokio_postgres::Client),
    Sqlite(rusqlite::Connection),
}

impl Holder {
    async fn hold(db: &Database, record: i64) -> Self {
        if db.is_postgres() {
            let (client, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
                .await
                .expect("connect");
            tokio::spawn(connection);
            let lock = format!("BEGIN; SELECT id FROM records WHERE id = {record} FOR UPDATE");
            client.batch_execute(&lock).await.expect("lock the record");
            Self::Postgres(client)
        } else {
            let conn = rusqlite::Connection::open(&db.url).expect("open");
            conn.execute_batch("BEGIN IMMEDIATE").expect("take the write lock");
            Self::Sqlite(conn)
        }
    }

    async fn end(self) {
        match self {
            Self::Postgres(client) => client.batch_execute("ROLLBACK").await.expect("rollback"),
            Self::Sqlite(conn) => conn.execute_batch("ROLLBACK").expect("rollback"),
        }
    }
}

#[tokio::test]
async fn a_claim_waits_out_a_transaction_holding_the_only_due_contact() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Campaign").await;
    let id = add_records(&api, project, vec![record("1000001", None)]).await[0];

    let holder = Holder::hold(&db, id).await;
    let waiting = tokio::spawn({
        let api = server.client();
        async move { claim_id(&api, project, "d").await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !waiting.is_finished(),
        "a held due contact is not reported as nothing to dial"
    );
    holder.end().await;
    assert_eq!(waiting.await.expect("claim task"), Some(id), "claimed once it is free");
}
