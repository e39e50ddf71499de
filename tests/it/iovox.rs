//! iovox Contacts API v3 over HTTP: the seed's updateContacts payload, list details,
//! renames, country inference, all-or-nothing, paging, search and deletion.

use crate::common::iovox::{SEED, contact, request, start_with_contacts, value, values};
use crate::common::{Database, Server};
use reqwest::Method;

#[tokio::test]
async fn the_seed_payload_updates_renames_and_replaces_lists() {
    let (_db, _server, api) = start_with_contacts(&[contact(
        "333",
        &[
            ("display_name", "J Smith"),
            ("business_phone", "441234567890"),
            ("business_phone", "441234567891"),
            ("email", "old@example.com"),
        ],
    )])
    .await;

    let reply = api.update_contacts(SEED).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert!(reply.text.is_empty());

    assert_eq!(api.contact_details("333").await, None);
    let stored = api.contact_details("333 Updated").await.expect("renamed contact");
    let expected = [
        ("contact_id", "333 Updated"),
        ("display_name", "John Smith"),
        ("first_name", "John"),
        ("last_name", "Smith"),
        ("email", "jsmith@iovox.com"),
        ("email_2", "jsmith@iovox.com"),
        ("company", "Smith&apos;s ABC"),
        ("mobile_phone", "447772412312"),
        ("home_phone", "44123231231"),
        ("business_phone", "44123871237"),
        ("business_fax", "44123875237"),
        ("work_address_1", "155 Abbey Street"),
        ("work_address_2", "Westminister"),
        ("work_city", "London"),
        ("work_country", "United Kingdom"),
        ("work_postcode", "W1 5P6"),
        ("home_address_1", "155 Abbey Street"),
        ("home_address_2", "Westminister"),
        ("home_city", "London"),
        ("home_country", "United Kingdom"),
        ("home_postcode", "W1 5P6"),
        ("business_country", "United Kingdom"),
        ("notes", "This is a note."),
    ];
    for (element, text) in expected {
        assert_eq!(values(&stored, element), vec![text.to_string()], "{element}");
    }
}

#[tokio::test]
async fn replace_details_false_appends_to_lists_and_true_replaces_them() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let phones = |numbers: &[&str]| -> Vec<String> {
        let details: Vec<(&str, &str)> = numbers.iter().map(|n| ("business_phone", *n)).collect();
        vec![contact("c1", &details)]
    };
    api.create_ok(&[contact(
        "c1",
        &[("display_name", "Ann"), ("business_phone", "441234567890")],
    )])
    .await;

    let append = api
        .update_contacts(&request(
            "<replace_details>FALSE</replace_details>",
            &phones(&["+441234567891", "441234567890"]),
        ))
        .await;
    assert_eq!(append.status, 204, "{}", append.text);
    let stored = api.contact_details("c1").await.unwrap();
    assert_eq!(values(&stored, "business_phone"), ["441234567890", "441234567891"]);

    let default_appends = api.update_contacts(&request("", &phones(&["441234567892"]))).await;
    assert_eq!(default_appends.status, 204);
    let stored = api.contact_details("c1").await.unwrap();
    assert_eq!(values(&stored, "business_phone").len(), 3);

    let replace = api
        .update_contacts(&request(
            "<replace_details>TRUE</replace_details>",
            &phones(&["33142685300"]),
        ))
        .await;
    assert_eq!(replace.status, 204);
    let stored = api.contact_details("c1").await.unwrap();
    assert_eq!(values(&stored, "business_phone"), ["33142685300"]);
    assert_eq!(
        values(&stored, "business_country"),
        ["France"],
        "guessed from the number sent"
    );

    let clear = api.update_contacts(&request("", &phones(&[""]))).await;
    assert_eq!(clear.status, 204);
    let stored = api.contact_details("c1").await.unwrap();
    assert!(values(&stored, "business_phone").is_empty(), "{stored}");
    assert_eq!(values(&stored, "display_name"), ["Ann"]);
}

#[tokio::test]
async fn countries_are_inferred_from_phones_unless_sent() {
    let (_db, _server, api) = start_with_contacts(&[
        contact(
            "guess",
            &[
                ("display_name", "G"),
                ("home_phone", "447772412312"),
                ("business_phone", "+33142685300"),
            ],
        ),
        contact(
            "sent",
            &[
                ("display_name", "S"),
                ("home_phone", "447772412312"),
                ("home_country", "ireland"),
            ],
        ),
    ])
    .await;
    let guessed = api.contact_details("guess").await.unwrap();
    assert_eq!(value(&guessed, "home_country"), "United Kingdom");
    assert_eq!(value(&guessed, "business_country"), "France");
    let sent = api.contact_details("sent").await.unwrap();
    assert_eq!(
        value(&sent, "home_country"),
        "Ireland",
        "stored in getCountries' spelling"
    );
    assert!(values(&sent, "business_country").is_empty());
}

#[tokio::test]
async fn created_contacts_default_their_display_name() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let reply = api
        .contacts(
            Method::POST,
            "addContacts",
            Some(&request(
                "",
                &[
                    contact(
                        "p",
                        &[("first_name", "John"), ("last_name", "Smith"), ("company", "ABC")],
                    ),
                    contact("c", &[("company", "ABC")]),
                ],
            )),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(
        value(&api.contact_details("p").await.unwrap(), "display_name"),
        "John Smith"
    );
    assert_eq!(value(&api.contact_details("c").await.unwrap(), "display_name"), "ABC");
}

#[tokio::test]
async fn a_rejected_request_changes_nothing() {
    let (_db, _server, api) = start_with_contacts(&[contact("a", &[("display_name", "A"), ("notes", "kept")])]).await;

    let update = request(
        "",
        &[
            contact("a", &[("notes", "changed")]),
            contact("b", &[("notes", "missing contact")]),
        ],
    );
    api.update_contacts(&update)
        .await
        .assert_error(400, "Contact ID 2 of 2 does not exist");
    assert_eq!(value(&api.contact_details("a").await.unwrap(), "notes"), "kept");

    let create = request(
        "",
        &[
            contact("new", &[("display_name", "New")]),
            contact("bad", &[("display_name", "Bad"), ("first_name", "J0hn")]),
        ],
    );
    api.create_contacts(&create)
        .await
        .assert_error(400, "First Name 2 of 2 Invalid");
    assert_eq!(api.contact_details("new").await, None);
    assert_eq!(value(&api.get_contacts("").await.text, "total_results"), "1");
}

#[tokio::test]
async fn contacts_are_paged_searched_and_deleted() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let people: Vec<String> = (1..=5)
        .map(|i| {
            contact(
                &format!("id{i}"),
                &[
                    ("display_name", &format!("Person {i}")),
                    ("company", if i % 2 == 0 { "Even Ltd" } else { "Odd Ltd" }),
                    ("mobile_phone", &format!("44777241231{i}")),
                    ("email_2", &format!("p{i}@example.com")),
                ],
            )
        })
        .collect();
    api.create_ok(&people).await;

    let page = api.get_contacts("&page=2&limit=2").await.text;
    assert_eq!(value(&page, "current_page"), "2");
    assert_eq!(value(&page, "total_pages"), "3");
    assert_eq!(value(&page, "total_results"), "5");
    assert_eq!(values(&page, "contact_id"), ["id3", "id4"]);

    let searches = [
        ("&display_name=person%203", vec!["id3"]),
        ("&company=Even%20Ltd", vec!["id2", "id4"]),
        ("&phone_number=%2B447772412315", vec!["id5"]),
        ("&email=p1@example.com", vec!["id1"]),
        ("&contact_id=id4&company=Even%20Ltd", vec!["id4"]),
        ("&contact_id=id4&company=Odd%20Ltd", vec![]),
    ];
    for (query, expected) in searches {
        let found = api.get_contacts(query).await.text;
        assert_eq!(values(&found, "contact_id"), expected, "{query}");
    }

    let delete = api
        .iovox(
            Method::DELETE,
            "/Contacts?v=3&method=deleteContacts&contact_ids=id1,id2",
            None,
        )
        .await;
    assert_eq!(delete.status, 204, "{}", delete.text);
    assert_eq!(
        values(&api.get_contacts("").await.text, "contact_id"),
        ["id3", "id4", "id5"]
    );
}
