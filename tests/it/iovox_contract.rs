//! What every storage backend must do alike for iovox, run on SQLite and (with
//! DIALBASE_TEST_POSTGRES) on PostgreSQL: uniqueness across nodes writing at once,
//! and look-ups by text no backend can store.

use crate::common::iovox::{contact, request, value, values};
use crate::common::{Database, Reply, Server};
use reqwest::Method;

/// Sends every body at once, alternating between the two nodes.
async fn create_concurrently(nodes: [&Server; 2], bodies: Vec<String>) -> Vec<Reply> {
    let tasks: Vec<_> = bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let client = nodes[i % 2].client();
            tokio::spawn(async move { client.create_contacts(&body).await })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.expect("request task"));
    }
    replies
}

/// Asserts that exactly one reply is 201 and every other one is this error.
fn one_created(replies: &[Reply], error: &str) {
    let created = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1, "{:?}", replies.iter().map(|r| &r.text).collect::<Vec<_>>());
    for reply in replies.iter().filter(|r| r.status != 201) {
        reply.assert_error(400, error);
    }
}

#[tokio::test]
async fn concurrent_writers_on_two_nodes_cannot_both_pass_the_uniqueness_checks() {
    const WRITERS: usize = 8;
    let db = Database::fresh();
    let (a, b) = (Server::start(&db), Server::start(&db));

    // The tenant's first iovox writes: the contact book is created once.
    let same_id = (0..WRITERS)
        .map(|i| request("", &[contact("dup", &[("display_name", &format!("Writer {i}"))])]))
        .collect();
    one_created(
        &create_concurrently([&a, &b], same_id).await,
        "Duplicate Contact ID Received",
    );

    let same_combination = (0..WRITERS)
        .map(|i| {
            let details = [("display_name", "Ann Lee"), ("mobile_phone", "447772412312")];
            request("", &[contact(&format!("ann-{i}"), &details)])
        })
        .collect();
    one_created(
        &create_concurrently([&a, &b], same_combination).await,
        "Display Name and Phone Number Combination 1 of 1 already exists",
    );

    let api = a.client();
    assert_eq!(value(&api.get_contacts("").await.text, "total_results"), "2");
    let projects = api.get("/v2/projects").await.body;
    let books = projects["response"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "Contact book")
        .count();
    assert_eq!(books, 1, "{projects}");
}

#[tokio::test]
async fn a_nul_character_in_an_id_or_filter_matches_no_contact() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    api.create_ok(&[contact("a", &[("display_name", "Ann"), ("company", "Acme")])])
        .await;

    assert_eq!(api.contact_details("a%00").await, None);
    for filter in ["contact_id=a%00", "display_name=A%00", "company=Acme%00", "email=%00"] {
        let listed = api.get_contacts(&format!("&{filter}")).await;
        assert_eq!(value(&listed.text, "total_results"), "0", "{filter}");
    }
    api.iovox(
        Method::DELETE,
        "/Contacts?v=3&method=deleteContacts&contact_ids=a%00",
        None,
    )
    .await
    .assert_error(400, "Contact ID 1 of 1 does not exist");
    assert_eq!(values(&api.get_contacts("").await.text, "contact_id"), ["a"]);
}
