//! A database written by version 1 of the storage (migrations 001-003: values in
//! `record_values`) is migrated at start-up and answers exactly as version 1 did.
//! `fixtures/v1_database.sql` is that database as the previous release left it, and
//! `fixtures/v1_expected.json` what its API answered (both made with that release's binary:
//! VCC, jtel and iovox writes, list values renamed, a Robinson-listed number, a locked, a
//! claimed and a finished record, Rule Templates). SQLite here; PostgreSQL has its own.

use crate::common::{Database, Server};
use serde_json::Value;

const V1_DATABASE: &str = include_str!("../fixtures/v1_database.sql");
const V1_EXPECTED: &str = include_str!("../fixtures/v1_expected.json");

/// What version 1 answered, less what depends on the clock: a lease's holder
/// (`ReservedUsersUID`) shows only until its lease ends.
fn without_clock(mut jtel: Value) -> Value {
    for record in jtel["records"].as_array_mut().into_iter().flatten() {
        record.as_object_mut().map(|r| r.remove("ReservedUsersUID"));
    }
    jtel
}

/// What version 1 answered, with migration 013's canonical names: the jtel campaign's
/// `Company` and `Name` are `company` and `name`; the contact book's `display_name` is
/// `name` and its phone details are the phone fields they were copied into; jtel shows the
/// canonical fields under its own keys. The iovox answers stay byte for byte.
fn with_canonical_names(expected: &mut Value) {
    let renames: [(&str, &[(&str, &str)]); 2] = [
        ("2", &[("Company", "company"), ("Name", "name")]),
        (
            "3",
            &[
                ("display_name", "name"),
                ("business_phone", "phone3"),
                ("mobile_phone", "phone1"),
            ],
        ),
    ];
    for (project, pairs) in renames {
        let project = &mut expected["projects"][project];
        for record in project["records"].as_array_mut().unwrap() {
            for part in ["data", "values"] {
                let map = record[part].as_object_mut().unwrap();
                for (old, new) in pairs {
                    if let Some(value) = map.remove(*old) {
                        map.insert(new.to_string(), value);
                    }
                }
            }
        }
        let fields = project["schema"]["fields"].as_array_mut().unwrap();
        let taken: Vec<String> = fields.iter().map(|f| f["name"].as_str().unwrap().to_owned()).collect();
        fields.retain(|f| {
            !pairs
                .iter()
                .any(|(old, new)| f["name"] == *old && taken.iter().any(|t| t == new))
        });
        for field in fields.iter_mut() {
            if let Some((_, new)) = pairs.iter().find(|(old, _)| field["name"] == *old) {
                field["name"] = Value::from(*new);
            }
        }
    }
    for contact in expected["jtel"].as_object_mut().unwrap().values_mut() {
        let contact = contact["records"][0].as_object_mut().unwrap();
        let project = contact["DiallerCampaignsID"].to_string();
        let pairs = renames
            .iter()
            .find(|(p, _)| *p == project)
            .map_or(&[][..], |(_, pairs)| *pairs);
        for (old, new) in pairs {
            if let Some(value) = contact.remove(*old) {
                let key = new
                    .strip_prefix("phone")
                    .map_or_else(|| new.to_string(), |n| format!("PhoneNumber{n}"));
                contact.insert(key, value);
            }
        }
        for (key, field) in crate::model::JTEL_CANONICAL {
            if let Some(value) = contact.remove(field) {
                contact.insert(key.to_owned(), value);
            }
        }
    }
}

#[tokio::test]
async fn a_version_1_database_is_migrated_and_answers_as_before() {
    let db = Database::fresh();
    if db.is_postgres() {
        eprintln!("the SQLite upgrade test does not apply to PostgreSQL");
        return;
    }
    rusqlite::Connection::open(&db.url)
        // The dump creates tables in name order, children before parents.
        .and_then(|conn| conn.execute_batch(&format!("PRAGMA foreign_keys = OFF; {V1_DATABASE}")))
        .expect("build the version 1 database");
    let server = Server::start(&db);
    let api = server.client();
    let mut expected: Value = serde_json::from_str(V1_EXPECTED).unwrap();
    with_canonical_names(&mut expected);

    let projects = expected["projects"].as_object().unwrap();
    assert_eq!(projects.len(), 3, "Sales, Campaign and the Contact book");
    for (project, want) in projects {
        let schema = api.get(&format!("/v2/projects/{project}")).await;
        assert_eq!(schema.body["response"], want["schema"], "project {project}");
        let records = api.get(&format!("/v2/projects/{project}/records?limit=1000")).await;
        assert_eq!(
            records.body["response"], want["records"],
            "records of project {project}"
        );
    }
    for (id, want) in expected["jtel"].as_object().unwrap() {
        let got = api.get(&format!("/dialler/contacts/contact/{id}")).await;
        assert_eq!(
            without_clock(got.body),
            without_clock(want.clone()),
            "jtel contact {id}"
        );
    }
    // Every detail version 1 showed (getContacts now shows the vendor's default fields).
    let every_detail = "/Contacts?v=3&method=getContacts&req_fields=cid,dn,em,mphone,bphone,bcountry";
    let contacts = api.iovox(reqwest::Method::GET, every_detail, None).await;
    assert_eq!(contacts.text, expected["iovox"]["contacts"].as_str().unwrap());
    let rules = api
        .iovox(reqwest::Method::GET, "/Rules?v=3&method=getRuleTemplates", None)
        .await;
    assert_eq!(rules.text, expected["iovox"]["rules"].as_str().unwrap());

    // The upgraded store goes on working: the listed number stays out of the queue, the
    // locked and finished records too, and a new write lands beside the old ones.
    let claimed = api
        .post("/dialbase/v1/projects/1/claim", r#"{"owner": "after-upgrade"}"#)
        .await;
    let name = &claimed.body["record"]["form"]["name"];
    assert!(
        ["Peter Green", "Anna Black", "Ünïcödé \"quoted\" \\ back"].contains(&name.as_str().unwrap_or_default()),
        "{}",
        claimed.text
    );
    let added = api
        .add_records(1, r#"{"form": {"name": "New", "city": "London UK"}}"#)
        .await;
    let city = api.get(&format!("/v2/projects/1/records/{}", added[0])).await;
    assert_eq!(city.body["response"]["values"]["city"], "London UK");

    // Version 1's single key per user (migration 010) is now that user's admin key.
    let keys = api.get("/dialbase/v1/keys").await;
    assert_eq!(keys.status, 200, "{}", keys.text);
    assert_eq!(
        keys.body["keys"],
        serde_json::json!([{"id": 1, "user": "mycc", "role": "admin", "projects": null,
                            "created_at": "2026-11-23 22:24:48", "revoked_at": null}])
    );
}
