//! The change feed (`GET /dialbase/v1/changes`): every committed change of a record, in
//! commit order, paged by cursor, filtered by project and type, per tenant.

use crate::common::dialer::{add_records, claim_id, record, release};
use crate::common::{Client, Database, Server};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Every event, following `next` page by page in small pages; the last cursor.
pub async fn all_changes(api: &Client, query: &str) -> (Vec<Value>, String) {
    changes_in_pages(api, 3, query).await
}

/// Every event of the feed, in big pages.
pub async fn all_changes_quick(api: &Client) -> Vec<Value> {
    changes_in_pages(api, 1000, "").await.0
}

async fn changes_in_pages(api: &Client, limit: usize, query: &str) -> (Vec<Value>, String) {
    let mut after = "0.0".to_string();
    let mut events = Vec::new();
    loop {
        let page = api
            .get(&format!("/dialbase/v1/changes?after={after}&limit={limit}{query}"))
            .await;
        assert_eq!(page.status, 200, "{}", page.text);
        let changes = page.body["changes"].as_array().unwrap().clone();
        let next = page.body["next"].as_str().unwrap().to_string();
        if changes.is_empty() {
            assert_eq!(next, after, "an empty page keeps the cursor");
            return (events, next);
        }
        assert_eq!(changes.last().unwrap()["cursor"].as_str().unwrap(), next);
        events.extend(changes);
        after = next;
    }
}

/// `(type, record)` of each event.
fn kinds(events: &[Value]) -> Vec<(String, i64)> {
    events
        .iter()
        .map(|e| (e["type"].as_str().unwrap().to_string(), e["record"].as_i64().unwrap()))
        .collect()
}

fn of(kind: &str, record: i64) -> (String, i64) {
    (kind.to_string(), record)
}

#[tokio::test]
async fn every_change_of_a_record_is_an_event_in_commit_order() {
    let db = Database::fresh();
    db.admin(&["key", "add", "other", "other", "--key", "other-key-123"]);
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Feed").await;
    let ids = add_records(
        &api,
        project,
        vec![record("3611111111", None), record("3622222222", None)],
    )
    .await;
    let (a, b) = (ids[0], ids[1]);
    let p = format!("/v2/projects/{project}");
    let modified = api
        .put(
            &format!("{p}/records"),
            &json!({"elements": [{"numberid": a, "form": {"city": "Pécs"}}]}).to_string(),
        )
        .await;
    assert_eq!(modified.status, 200, "{}", modified.text);
    let contact = api
        .put(
            &format!("{p}/records/{b}/contacts/1"),
            r#"{"name": "Second Line", "phone": "3633333333"}"#,
        )
        .await;
    assert_eq!(contact.status, 200, "{}", contact.text);
    let locked = api
        .send(Method::PATCH, &format!("/dialler/contacts/contact/{b}/lock"), None)
        .await;
    assert_eq!(locked.status, 200, "{}", locked.text);
    let unlocked = api
        .send(Method::PATCH, &format!("/dialler/contacts/contact/{b}/unlock"), None)
        .await;
    assert_eq!(unlocked.status, 200, "{}", unlocked.text);
    let claimed = claim_id(&api, project, "dialer-1").await.unwrap();
    assert_eq!(claimed, a);
    let released = release(
        &api,
        a,
        json!({"owner": "dialer-1", "dispositionid": 1, "userid": "agent"}),
    )
    .await;
    assert_eq!(released.status, 200, "{}", released.text);
    let listed = api.post("/v2/robinson", r#"{"phone": "3633333333"}"#).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let deleted = api.delete(&format!("/dialler/contacts/contact/{b}")).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);

    let (events, end) = all_changes(&api, "").await;
    let got = kinds(&events);
    let expected = [
        of("add", a),
        of("add", b),
        of("modify", a),
        of("contact", b),
        of("lock", b),
        of("unlock", b),
        of("claim", a),
        of("disposition", a),
        of("release", a),
        of("dnc", b),
        of("delete", b),
    ];
    // A contact's number is also the record's phone field: "modify" comes with it (on
    // SQLite before or after "contact": one update, two triggers).
    let without_contact_modify: Vec<_> = got
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            let beside_contact =
                (*i > 0 && got[i - 1] == of("contact", b)) || got.get(i + 1) == Some(&of("contact", b));
            !(**e == of("modify", b) && beside_contact)
        })
        .map(|(_, e)| e.clone())
        .collect();
    assert_eq!(without_contact_modify, expected, "all: {got:?}");
    assert!(
        events
            .iter()
            .all(|e| e["project"] == json!(project) && e["at"].is_string())
    );

    // Nothing new: the same cursor back; a new change comes after it.
    let idle = api.get(&format!("/dialbase/v1/changes?after={end}")).await;
    assert_eq!(
        (idle.body["count"].clone(), idle.body["next"].clone()),
        (json!(0), json!(end))
    );
    let c = add_records(&api, project, vec![record("3644444444", None)]).await[0];
    let fresh = api.get(&format!("/dialbase/v1/changes?after={end}")).await;
    assert_eq!(kinds(fresh.body["changes"].as_array().unwrap()), [of("add", c)]);

    // Filters: by type, by project.
    let (only, _) = all_changes(&api, "&type=lock,unlock").await;
    assert_eq!(kinds(&only), [of("lock", b), of("unlock", b)]);
    let elsewhere = api.project("Elsewhere").await;
    let d = add_records(&api, elsewhere, vec![record("3655555555", None)]).await[0];
    let (there, _) = all_changes(&api, &format!("&project={elsewhere}")).await;
    assert_eq!(kinds(&there), [of("add", d)]);

    // Another tenant sees none of it.
    let theirs = server.client_as("other", "other", "other-key-123");
    let (nothing, _) = all_changes(&theirs, "").await;
    assert!(nothing.is_empty(), "{nothing:?}");

    // Wrong queries answer 400 with a code.
    for (query, code) in [
        ("after=abc", "wrong_after"),
        ("limit=0", "wrong_limit"),
        ("limit=1001", "wrong_limit"),
        ("type=added", "wrong_type"),
        ("project=x", "wrong_project"),
    ] {
        let wrong = api.get(&format!("/dialbase/v1/changes?{query}")).await;
        assert_eq!(
            (wrong.status.as_u16(), wrong.body["code"].as_str()),
            (400, Some(code)),
            "{query}"
        );
    }
    let unknown = api.get("/dialbase/v1/changes?since=1").await;
    assert_eq!(unknown.status, 400, "{}", unknown.text);
}

#[tokio::test]
async fn a_feed_that_is_off_records_nothing() {
    let db = Database::fresh();
    let server = Server::start_with(&db, &[("DIALBASE_CHANGE_FEED", "off")]);
    let api = server.client();
    let project = api.project("Quiet").await;
    add_records(&api, project, vec![record("3611111111", None)]).await;
    let (events, _) = all_changes(&api, "").await;
    assert!(events.is_empty(), "{events:?}");
    drop(server);
    // Turned on again, it records from then on.
    let server = Server::start(&db);
    let api = server.client();
    let id = add_records(&api, project, vec![record("3622222222", None)]).await[0];
    let (events, _) = all_changes(&api, "").await;
    assert_eq!(kinds(&events), [of("add", id)]);
}

/// The ordering argument of docs/changes.md under load: writers on two nodes commit
/// transactions of very different lengths at once while a consumer follows the feed
/// page by page. Everything the consumer saw, in the order it saw it, must be exactly
/// the feed read again afterwards: an event that appeared behind a cursor already handed
/// out (an earlier-numbered transaction committing later) would be missing from it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_consumer_following_the_feed_misses_nothing_while_two_nodes_write() {
    const WRITERS: usize = 6;
    const ROUNDS: usize = 12;
    let db = Database::fresh();
    let nodes = [Server::start(&db), Server::start(&db)];
    let api = nodes[0].client();
    let project = api.project("Busy").await;
    let seed = add_records(
        &api,
        project,
        (0..900).map(|i| record(&format!("3690{i:06}"), None)).collect(),
    )
    .await;

    let writing = Arc::new(AtomicBool::new(true));
    let consumer = {
        let api = nodes[1].client();
        let writing = writing.clone();
        tokio::spawn(async move {
            let (mut after, mut seen) = ("0.0".to_string(), Vec::new());
            loop {
                // Read before the page: once the writers were done, an empty page is the end.
                let finished = !writing.load(Ordering::SeqCst);
                let page = api.get(&format!("/dialbase/v1/changes?after={after}&limit=37")).await;
                assert_eq!(page.status, 200, "{}", page.text);
                let changes = page.body["changes"].as_array().unwrap().clone();
                if changes.is_empty() && finished {
                    return seen;
                }
                after = page.body["next"].as_str().unwrap().to_string();
                seen.extend(changes.into_iter().map(|c| c["cursor"].as_str().unwrap().to_string()));
            }
        })
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|n| {
            let api = nodes[n % 2].client();
            let seed = seed.clone();
            tokio::spawn(async move {
                for round in 0..ROUNDS {
                    if (n + round) % 2 == 0 {
                        // A long transaction: its events are appended one element at a
                        // time while shorter ones commit.
                        let elements: Vec<Value> = (0..150)
                            .map(|i| {
                                json!({"numberid": seed[(n * 150 + round * 7 + i) % seed.len()],
                                            "form": {"city": format!("c{n}-{round}")}})
                            })
                            .collect();
                        let body = json!({"elements": elements});
                        let reply = api
                            .put(&format!("/v2/projects/{project}/records"), &body.to_string())
                            .await;
                        assert_eq!(reply.status, 200, "{}", reply.text);
                    } else {
                        // Short ones.
                        add_records(&api, project, vec![record(&format!("37{n}{round:04}"), None)]).await;
                    }
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.expect("writer");
    }
    writing.store(false, Ordering::SeqCst);
    let seen = consumer.await.expect("consumer");

    let truth: Vec<String> = all_changes_quick(&api)
        .await
        .iter()
        .map(|c| c["cursor"].as_str().unwrap().to_string())
        .collect();
    assert!(truth.len() >= WRITERS * ROUNDS, "{} events", truth.len());
    assert_eq!(seen.len(), truth.len(), "the consumer missed or repeated events");
    assert_eq!(seen, truth);
}

/// The case the commit numbering exists for, made to happen: on PostgreSQL a transaction
/// appends its event, then stays open while another commits a later-numbered event and a
/// consumer reads past it. When the first commits, its event must come after the cursor
/// the consumer holds, not behind it. (SQLite has one writer at a time: a transaction
/// left open would block the other instead.)
#[tokio::test]
async fn a_transaction_committing_late_appears_after_the_cursor_already_handed_out() {
    let Some(db) = Database::postgres_only("PostgreSQL only (SQLite commits one writer at a time)") else {
        return;
    };
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Late").await;
    let ids = add_records(
        &api,
        project,
        vec![record("3611111111", None), record("3622222222", None)],
    )
    .await;
    let (_, start) = all_changes(&api, "").await;

    let (held, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    held.batch_execute(&format!(
        "BEGIN; UPDATE records SET user_data = 'held' WHERE id = {}",
        ids[0]
    ))
    .await
    .unwrap();
    let body = json!({"elements": [{"numberid": ids[1], "form": {"city": "Győr"}}]});
    let other = api
        .put(&format!("/v2/projects/{project}/records"), &body.to_string())
        .await;
    assert_eq!(other.status, 200, "{}", other.text);
    let page = api.get(&format!("/dialbase/v1/changes?after={start}")).await;
    assert_eq!(kinds(page.body["changes"].as_array().unwrap()), [of("modify", ids[1])]);
    let cursor = page.body["next"].as_str().unwrap().to_string();

    held.batch_execute("COMMIT").await.unwrap();
    let after = api.get(&format!("/dialbase/v1/changes?after={cursor}")).await;
    assert_eq!(
        kinds(after.body["changes"].as_array().unwrap()),
        [of("modify", ids[0])],
        "{}",
        after.text
    );
}

#[tokio::test]
async fn events_older_than_the_retention_are_pruned() {
    let db = Database::fresh();
    let retention = [("DIALBASE_CHANGES_RETENTION", "1s")];
    let server = Server::start_with(&db, &retention);
    let api = server.client();
    let project = api.project("Old").await;
    for phone in ["3611111111", "3611111112", "3611111113"] {
        add_records(&api, project, vec![record(phone, None)]).await;
    }
    let (events, cursor) = all_changes(&api, "").await;
    assert_eq!(events.len(), 3);
    drop(server);
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    // A server prunes when it starts (and every ten minutes after).
    let server = Server::start_with(&db, &retention);
    let api = server.client();
    // (SQLite keeps the newest event: it keeps new ids above every id handed out.)
    let mut pruned = false;
    for _ in 0..50 {
        let (events, _) = all_changes(&api, "").await;
        if events.len() <= 1 {
            pruned = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(pruned, "the old events are still there");
    // A consumer's cursor stays valid: the next event comes after it.
    let id = add_records(&api, project, vec![record("3622222222", None)]).await[0];
    let next = api.get(&format!("/dialbase/v1/changes?after={cursor}")).await;
    assert_eq!(kinds(next.body["changes"].as_array().unwrap()), [of("add", id)]);
}

/// An import's events: one `add` per record, each before the record's disposition (SQLite
/// writes the `add` events itself, several to a statement; PostgreSQL by a statement trigger
/// after the whole batch). On SQLite, a node of an earlier version that put the per-record
/// trigger back makes them alone.
#[tokio::test]
async fn an_imports_adds_keep_their_order_and_are_written_once() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Import feed").await;
    let import = |names: [&str; 3]| {
        let body = json!([
            {"form": {"name": names[0]}},
            {"form": {"name": names[1]}, "disposition": {"dispositionid": 1, "userid": "7"}},
            {"form": {"name": names[2]}},
        ]);
        let api = &api;
        async move { api.add_records(project, &body.to_string()).await }
    };
    // The events of both imports, in order: each batch's own, the add of the record with a
    // disposition before its disposition.
    let check = |events: &[(String, i64)], batches: &[&[i64]]| {
        let mut expected = Vec::new();
        for ids in batches {
            expected.extend([
                of("add", ids[0]),
                of("add", ids[1]),
                of("add", ids[2]),
                of("disposition", ids[1]),
            ]);
        }
        let mut sorted = events.to_vec();
        sorted.sort();
        expected.sort();
        assert_eq!(sorted, expected, "{events:?}");
        for ids in batches {
            let at = |event: (String, i64)| events.iter().position(|e| *e == event).unwrap();
            assert!(at(of("add", ids[1])) < at(of("disposition", ids[1])), "{events:?}");
            let last_add = ids.iter().map(|&id| at(of("add", id))).max().unwrap();
            let first_add = ids.iter().map(|&id| at(of("add", id))).min().unwrap();
            assert!(last_add - first_add <= 3, "a batch's events stay together: {events:?}");
        }
    };
    let first = import(["A", "B", "C"]).await;
    let (events, _) = all_changes(&api, "").await;
    check(&kinds(&events), &[&first]);
    if db.is_postgres() {
        return;
    }
    db.execute(
        "CREATE TRIGGER change_feed_add AFTER INSERT ON records BEGIN
            INSERT INTO changes (tenant_id, id, project_id, record_id, kind, at)
            VALUES (new.tenant_id, coalesce((SELECT max(id) FROM changes WHERE tenant_id = new.tenant_id), 0) + 1,
                    new.project_id, new.id, 'add', unixepoch());
         END;",
    );
    let second = import(["D", "E", "F"]).await;
    let (events, _) = all_changes(&api, "").await;
    check(&kinds(&events), &[&first, &second]);
}

/// An import's `add` events are stored a row per run of new ids on SQLite (spans), yet read
/// one by one: pages that end inside a run go on from there, a project filter keeps its own.
#[tokio::test]
async fn an_imports_adds_read_one_by_one_however_they_are_stored() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let (first, second) = (api.project("Spans").await, api.project("Other").await);
    let names = |n: usize| {
        json!(
            (0..n)
                .map(|i| json!({"form": {"name": format!("R{i}")}}))
                .collect::<Vec<_>>()
        )
    };
    let many = api.add_records(first, &names(25).to_string()).await;
    let few = api.add_records(second, &names(3).to_string()).await;
    let (events, _) = changes_in_pages(&api, 4, "").await;
    let expected: Vec<(String, i64)> = many.iter().chain(&few).map(|&id| of("add", id)).collect();
    assert_eq!(kinds(&events), expected);
    let cursors: Vec<&str> = events.iter().map(|e| e["cursor"].as_str().unwrap()).collect();
    let distinct: std::collections::HashSet<&&str> = cursors.iter().collect();
    assert_eq!(distinct.len(), 28, "every event its own cursor: {cursors:?}");
    let (of_second, _) = changes_in_pages(&api, 2, &format!("&project={second}")).await;
    assert_eq!(
        kinds(&of_second),
        few.iter().map(|&id| of("add", id)).collect::<Vec<_>>()
    );
    // From inside the first run: the rest of it.
    let page = api
        .get(&format!("/dialbase/v1/changes?after={}&limit=30", cursors[20]))
        .await;
    let rest = kinds(page.body["changes"].as_array().unwrap());
    assert_eq!(rest, expected[21..]);
    assert_eq!(
        db.number("SELECT count(*) FROM changes"),
        2,
        "one row per run of new ids"
    );
    // A server starting on a database whose triggers exist replaces their functions (an
    // earlier version's wrote an event per row): the next import is stored as a span too.
    server.stop();
    if db.is_postgres() {
        db.execute(
            "CREATE OR REPLACE FUNCTION change_feed_added() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
                 WITH events AS (
                     INSERT INTO changes (tenant_id, project_id, record_id, kind)
                     SELECT tenant_id, project_id, id, 'add' FROM new_rows ORDER BY id
                     RETURNING tenant_id)
                 INSERT INTO change_commits (xid, tenant_id)
                 SELECT DISTINCT pg_current_xact_id(), tenant_id FROM events ON CONFLICT DO NOTHING;
                 RETURN NULL;
             END $$;",
        );
    }
    let server = Server::start(&db);
    let api = server.client();
    api.add_records(first, &names(5).to_string()).await;
    assert_eq!(db.number("SELECT count(*) FROM changes"), 3);
}

/// A batch modification of many records (on SQLite, from 512 on) writes its `modify`
/// events itself with the feed's triggers off: one per record whose values changed, none
/// for a record that already held them, in record order; the triggers work again after.
#[tokio::test]
async fn a_large_batch_modification_has_one_event_per_changed_record() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Big batch").await;
    let body: Vec<Value> = (0..700)
        .map(|i| {
            let (segment, note) = (if i < 600 { "A" } else { "B" }, if i % 5 == 0 { "done" } else { "new" });
            json!({"form": {"name": format!("n{i}"), "segment": segment, "note": note}})
        })
        .collect();
    let ids = api.add_records(project, &Value::Array(body).to_string()).await;
    let before = all_changes_quick(&api).await.len();
    let p = format!("/v2/projects/{project}/records");
    let modified = api
        .put(
            &p,
            &json!({"elements": [{"search": {"segment": "A"}, "form": {"note": "done"}}]}).to_string(),
        )
        .await;
    assert_eq!(modified.body["response"]["0"], json!(true), "{}", modified.text);
    let single = api
        .put(
            &p,
            &json!({"elements": [{"numberid": ids[651], "form": {"note": "done"}}]}).to_string(),
        )
        .await;
    assert_eq!(single.body["response"]["0"], json!(true), "{}", single.text);

    let events = all_changes_quick(&api).await;
    let mut expected: Vec<(String, i64)> = ids[..600]
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 5 != 0)
        .map(|(_, &id)| of("modify", id))
        .collect();
    expected.push(of("modify", ids[651]));
    assert_eq!(kinds(&events[before..]), expected);
    let done = api.get(&format!("{p}?limit=1&note=done")).await;
    assert_eq!(done.headers["x-total-count"], (600 + 20 + 1).to_string().as_str());
}
