//! Upgrading a version-3 database to Storage v2: each backend's test builds a database
//! at version 3 holding [`SEED_V3`], starts the new server on it and runs
//! [`check_upgraded`], which compares what the API answers with what the seed stored.

mod postgres;
mod sqlite;

use crate::common::Client;
use crate::common::dialer::{claim, claim_id, release};
use crate::common::iovox::values;
use reqwest::Method;
use serde_json::{Value, json};

/// The old layout's rows, in SQL both backends run (explicit ids, TRUE/FALSE).
pub const SEED_V3: &str = include_str!("seed_v3.sql");

/// The campaign project of the seed; its records are 1 to 6, the contact book's is 7.
pub const CAMPAIGN: i64 = 1;

/// A seeded record as "Get detailed record information" shows it.
fn expected(id: i64) -> Value {
    let no_premium = json!({"price": null, "commission": null});
    let plain = |name: &str, phone: &str, created: &str, updated: &str| {
        json!({
            "numberid": id, "projectid": CAMPAIGN,
            "data": {"name": name, "phone1": phone}, "values": {"name": name, "phone1": phone},
            "contacts": {}, "events": [], "cdrs": [], "phone_field": null, "next_calldate": null,
            "premium": no_premium, "robinson": false, "locked": false,
            "create_date": created, "create_date_utc": created, "update_date": updated, "user_data": null,
        })
    };
    match id {
        1 => json!({
            "numberid": 1, "projectid": CAMPAIGN,
            "data": {"name": "Ann \"Quote\" Émile", "phone1": "3611111111", "city": 1, "likes": [4, 3],
                     "notes": "first", "phone2": "3622222222"},
            "values": {"name": "Ann \"Quote\" Émile", "phone1": "3611111111", "city": "London",
                       "likes": "movies|sports", "notes": "first|second", "phone2": "3622222222"},
            "contacts": {
                "phone1": {"title": "Dr", "name": "Ann", "phone": "3611111111", "email": "ann@example.com"},
                "phone2": {"title": null, "name": null, "phone": "3622222222", "email": null},
            },
            "events": [
                {"dispositionid": 5, "userid": "agent-1", "next_calldate": "2020-01-02 03:04:05",
                 "description": "call back", "date": "2020-01-01 10:00:00"},
                {"dispositionid": 6, "userid": "agent-2", "next_calldate": null, "description": null,
                 "date": "2020-01-01 11:00:00"},
            ],
            "cdrs": [], "phone_field": "phone1", "next_calldate": "2020-01-02 03:04:05",
            "premium": {"price": "10.5", "commission": "2"}, "robinson": false, "locked": false,
            "create_date": "2019-12-31 23:59:59", "create_date_utc": "2019-12-31 23:59:59",
            "update_date": "2020-01-01 00:00:00", "user_data": "crm-1",
        }),
        2 => {
            let mut record = plain("Rob", "3699999999", "2020-01-01 00:00:02", "2020-01-01 00:00:02");
            record["data"]["city"] = json!(2);
            record["values"]["city"] = json!("Leeds");
            record["robinson"] = json!(true);
            record
        }
        3 => {
            let mut record = plain("Locked", "3633333333", "2020-01-01 00:00:03", "2020-01-01 00:00:03");
            record["locked"] = json!(true);
            record
        }
        4 => plain("Claimed", "3644444444", "2020-01-01 00:00:04", "2020-01-01 00:00:04"),
        5 => {
            let mut record = plain("Done", "3655555555", "2020-01-01 00:00:05", "2020-05-05 05:05:05");
            record["events"] = json!([{"dispositionid": 7, "userid": "dialer-2", "next_calldate": null,
                                       "description": null, "date": "2020-05-05 05:05:05"}]);
            record
        }
        6 => {
            let mut record = plain("Due", "3666666666", "2020-01-01 00:00:06", "2020-01-01 00:00:06");
            record["user_data"] = json!("crm-6");
            record["data"]["likes"] = json!([5]);
            record["values"]["likes"] = json!("music");
            // jtel's `Company` is the canonical `company` (migration 013).
            record["data"]["company"] = json!("Acme");
            record["values"]["company"] = json!("Acme");
            record
        }
        _ => unreachable!("the seed has records 1 to 6 in the campaign"),
    }
}

async fn record(api: &Client, id: i64) -> Value {
    let reply = api.get(&format!("/v2/projects/{CAMPAIGN}/records/{id}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["response"].clone()
}

/// The ids a VCC Live list query finds.
async fn found(api: &Client, query: &str) -> Vec<i64> {
    let reply = api.get(&format!("/v2/projects/{CAMPAIGN}/records?{query}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let records = reply.body["response"].as_array().expect("records").iter();
    records.map(|r| r["numberid"].as_i64().expect("numberid")).collect()
}

/// Everything the seed stored, as the upgraded server answers it; then that the moved
/// state still works: search, the Robinson list, claims and new records.
pub async fn check_upgraded(api: &Client) {
    for id in 1..=6 {
        assert_eq!(record(api, id).await, expected(id), "record {id}");
    }

    assert_eq!(found(api, "city=London").await, [1]);
    assert_eq!(found(api, "likes=sports").await, [1]);
    assert_eq!(found(api, "likes=mus%").await, [6]);
    assert_eq!(found(api, "name=%O%").await, [1, 2, 3, 5], "ASCII case folded");
    assert_eq!(found(api, "notes=second").await, [1], "any of a text field's values");
    assert_eq!(found(api, "phone1=3666666666").await, [6]);

    let jtel = api.get("/dialler/contacts/contact/4").await;
    assert_eq!(jtel.body["records"][0]["ReservedUsersUID"], "dialer-1", "{}", jtel.text);
    let by_user_data = api.get("/dialler/contacts/contact?userData=crm-6").await;
    assert_eq!(
        by_user_data.body["records"][0]["DiallerContactsID"], 6,
        "{}",
        by_user_data.text
    );

    // Robinson-listed (2), locked (3), claimed (4) and done (5) records are not dialable.
    assert_eq!(claim_id(api, CAMPAIGN, "d").await, Some(1), "overdue first");
    assert_eq!(claim_id(api, CAMPAIGN, "d").await, Some(6));
    assert_eq!(claim_id(api, CAMPAIGN, "d").await, None);
    let released = release(api, 4, json!({"owner": "dialer-1"})).await;
    assert_eq!(released.status, 200, "{}", released.text);
    let state = &released.body["record"];
    assert_eq!(
        (state["attempts"].clone(), state["done_at"].clone()),
        (json!(1), Value::Null)
    );
    assert_eq!(claim_id(api, CAMPAIGN, "d").await, Some(4));
    let reply = api.delete("/v2/robinson/3699999999").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(record(api, 2).await["robinson"], false);
    let claimed = claim(api, CAMPAIGN, "d", 60).await.expect("record 2 is dialable now");
    assert_eq!(
        (claimed["id"].clone(), claimed["phone"].clone()),
        (json!(2), json!("3699999999"))
    );

    let body = r#"{"form": {"name": "New", "city": "London", "likes": "sports|music"}}"#;
    let added = api.add_records(CAMPAIGN, body).await;
    assert!(added[0] > 7, "ids continue after the seed's: {added:?}");
    assert_eq!(found(api, "city=London").await, [1, added[0]]);
    assert_eq!(record(api, added[0]).await["data"]["likes"], json!([3, 5]));

    assert_eq!(
        by_user_data.body["records"][0]["Company"], "Acme",
        "{}",
        by_user_data.text
    );

    let contacts = api.iovox(Method::GET, "/Contacts?v=3&method=getContacts", None).await;
    assert_eq!(values(&contacts.text, "contact_id"), ["c-1"], "{}", contacts.text);
    assert_eq!(values(&contacts.text, "display_name"), ["Book Person"]);
    let details = api
        .iovox(
            Method::GET,
            "/Contacts?v=3&method=getContactDetails&contact_id=c-1",
            None,
        )
        .await;
    assert_eq!(
        values(&details.text, "mobile_phone"),
        ["447700900001", "447700900002"],
        "both numbers moved into phone1: {}",
        details.text
    );
    assert_eq!(values(&details.text, "home_city"), ["Leeds"]);
    let book = api.get("/v2/projects/2/records/7").await.body;
    let book = &book["response"];
    assert_eq!(book["values"]["name"], "Book Person", "{book}");
    assert_eq!(book["values"]["city"], "Leeds");
    assert_eq!(book["values"]["phone1"], "447700900001|447700900002");
    assert_eq!(book["values"]["mobile_phone"], Value::Null);
    assert_eq!(book["robinson"], true, "its second number is listed");
    let templates = api.iovox(Method::GET, "/Rules?v=3&method=getRuleTemplates", None).await;
    assert!(
        templates.text.contains(
            "<rule><contact_id>c-1</contact_id><detail>mobile_phone</detail></rule>"
        ) && templates.text.contains(
            "<link><link_id>L1</link_id><contact_id>c-1</contact_id><detail>mobile_phone</detail></link><link><link_id>L2</link_id></link>"
        ),
        "{}",
        templates.text
    );
}
