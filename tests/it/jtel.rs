//! jtel dialler contacts over HTTP: the vendor's examples (seed 004), lock / unlock, the
//! userData rule, validation and tenant isolation.

use crate::common::{Client, Database, KEY, Server, USER};
use serde_json::{Value, json};

const GET_CONTACT: &str = include_str!("fixtures/jtel_get_contact.json");

fn contact(campaign: i64, name: &str, user_data: &str, phone: &str) -> Value {
    json!({"DiallerCampaignsID": campaign, "Name": name, "UserData": user_data, "PhoneNumber1": phone})
}

/// Inserts contacts through jtel; returns their ids.
async fn insert(api: &Client, contacts: Value) -> Vec<i64> {
    let reply = api.post("/dialler/contacts/contact", &contacts.to_string()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["status"], 200);
    let records = reply.body["records"].as_array().expect("records");
    assert_eq!(reply.body["count"], records.len());
    records
        .iter()
        .map(|r| r["DiallerContactsID"].as_i64().unwrap())
        .collect()
}

async fn locked(api: &Client, id: i64) -> bool {
    let reply = api.get(&format!("/dialler/contacts/contact/{id}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["records"][0]["bLocked"].as_bool().expect("bLocked")
}

#[tokio::test]
async fn the_seed_contact_reads_back_in_the_vendors_shape() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let campaign = api.project("Outbound").await;
    let mut seed = contact(campaign, "Mustermann", "crm-4711", "+49 89 1234567");
    for (key, value) in [
        ("Company", "Company"),
        ("ExternalSystemLink", "http://test.external.link/"),
        ("Email", "Email"),
        ("Tag", "Tag"),
    ] {
        seed[key] = json!(value);
    }
    let id = insert(&api, seed).await[0];

    let reply = api.get(&format!("/dialler/contacts/contact/{id}")).await;
    assert_eq!(reply.status, 200);
    let expected: Value = serde_json::from_str(GET_CONTACT).unwrap();
    assert_eq!(reply.body["count"], expected["count"]);
    assert_eq!(reply.body["status"], expected["status"]);
    let got = &reply.body["records"][0];
    for (key, value) in expected["records"][0].as_object().unwrap() {
        assert_eq!(&got[key], value, "{key}");
    }
    assert_eq!(got["DiallerContactsID"], id);
    assert_eq!(got["DiallerCampaignsID"], campaign);
    assert_eq!(got["UserData"], "crm-4711");
    assert_eq!(got["PhoneNumber1"], "49891234567", "numbers are stored as digits");
    assert_eq!(got["Name"], "Mustermann");
    assert_eq!(got["bLocked"], false);

    let by_user_data = api.get("/dialler/contacts/contact?userData=crm-4711").await;
    assert_eq!(by_user_data.status, 200);
    assert_eq!(by_user_data.body["records"], reply.body["records"]);

    // The same record through VCC Live: one store.
    let vcc = api.get(&format!("/v2/projects/{campaign}/records/{id}")).await;
    assert_eq!(vcc.body["response"]["data"]["phone1"], "49891234567");
    assert_eq!(
        vcc.body["response"]["data"]["company"], "Company",
        "jtel's Company is the canonical company"
    );
    assert_eq!(vcc.body["response"]["data"]["name"], "Mustermann");
}

#[tokio::test]
async fn delete_by_id_and_by_user_data_remove_everything_and_404_after() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let campaign = api.project("Outbound").await;
    let ids = insert(
        &api,
        json!([
            contact(campaign, "A", "a", "111111"),
            contact(campaign, "B", "b", "222222")
        ]),
    )
    .await;
    let disposition = json!({"dispositionid": 1, "userid": "7"}).to_string();
    let events = api
        .post(
            &format!("/v2/projects/{campaign}/records/{}/dispositions", ids[0]),
            &disposition,
        )
        .await;
    assert_eq!(events.status, 200, "{}", events.text);

    let reply = api.delete(&format!("/dialler/contacts/contact/{}", ids[0])).await;
    assert_eq!(
        (reply.status.as_u16(), reply.body.clone()),
        (200, json!({"status": 200}))
    );
    let gone = api.get(&format!("/dialler/contacts/contact/{}", ids[0])).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body["status"], 404);
    assert_eq!(gone.body["error"], "Dialler contact not found");
    let vcc = api.get(&format!("/v2/projects/{campaign}/records/{}", ids[0])).await;
    assert_eq!(vcc.status, 404, "the record is gone for every dialect");
    assert_eq!(
        api.delete(&format!("/dialler/contacts/contact/{}", ids[0]))
            .await
            .status,
        404
    );

    let reply = api.delete("/dialler/contacts/contact?userData=b").await;
    assert_eq!(
        (reply.status.as_u16(), reply.body.clone()),
        (200, json!({"status": 200}))
    );
    assert_eq!(api.get("/dialler/contacts/contact?userData=b").await.status, 404);
    assert_eq!(api.delete("/dialler/contacts/contact?userData=b").await.status, 404);
    assert_eq!(
        api.delete("/dialler/contacts/contact").await.status,
        400,
        "userData is required"
    );
    assert_eq!(api.delete("/dialler/contacts/contact/abc").await.status, 404);
}

#[tokio::test]
async fn lock_and_unlock_by_id_and_by_user_data() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let campaign = api.project("Outbound").await;
    let id = insert(&api, contact(campaign, "A", "crm-1", "111111")).await[0];

    let reply = api.patch(&format!("/dialler/contacts/contact/{id}/lock")).await;
    assert_eq!(
        (reply.status.as_u16(), reply.body.clone()),
        (200, json!({"status": 200}))
    );
    assert!(locked(&api, id).await);
    assert_eq!(
        api.patch(&format!("/dialler/contacts/contact/{id}/unlock"))
            .await
            .status,
        200
    );
    assert!(!locked(&api, id).await);

    assert_eq!(
        api.patch("/dialler/contacts/contact/lock?userData=crm-1").await.status,
        200
    );
    assert!(locked(&api, id).await);
    // The vendor's document prints `lockunlock` for "Unlock by UserData"; `unlock` works too.
    assert_eq!(
        api.patch("/dialler/contacts/contact/lockunlock?userData=crm-1")
            .await
            .status,
        200
    );
    assert!(!locked(&api, id).await);
    api.patch("/dialler/contacts/contact/lock?userData=crm-1").await;
    assert_eq!(
        api.patch("/dialler/contacts/contact/unlock?userData=crm-1")
            .await
            .status,
        200
    );
    assert!(!locked(&api, id).await);

    for path in [
        format!("/dialler/contacts/contact/{}/lock", id + 1),
        format!("/dialler/contacts/contact/{}/unlock", id + 1),
        "/dialler/contacts/contact/lock?userData=nobody".to_string(),
        "/dialler/contacts/contact/lockunlock?userData=nobody".to_string(),
    ] {
        let reply = api.patch(&path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.body["status"], 404, "{path}");
    }
    let missing = api.patch("/dialler/contacts/contact/lock").await;
    assert_eq!(
        (missing.status.as_u16(), missing.body["status"].clone()),
        (400, json!(400))
    );
}

#[tokio::test]
async fn duplicate_user_data_means_the_lowest_id() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let first = api.project("First").await;
    let second = api.project("Second").await;
    let a = insert(&api, contact(second, "A", "dup", "111111")).await[0];
    let b = insert(&api, contact(first, "B", "dup", "222222")).await[0];
    let c = insert(&api, contact(second, "C", "dup", "333333")).await[0];

    let all = api.get("/dialler/contacts/contact?userData=dup").await;
    assert_eq!(all.body["count"], 3);
    let ids: Vec<i64> = all.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["DiallerContactsID"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [a, b, c], "every match, in id order, across campaigns");

    api.patch("/dialler/contacts/contact/lock?userData=dup").await;
    assert_eq!(
        [locked(&api, a).await, locked(&api, b).await, locked(&api, c).await],
        [true, false, false]
    );
    api.delete("/dialler/contacts/contact?userData=dup").await;
    assert_eq!(api.get(&format!("/dialler/contacts/contact/{a}")).await.status, 404);
    api.patch("/dialler/contacts/contact/lock?userData=dup").await;
    assert!(locked(&api, b).await, "now b is the lowest");
    assert!(!locked(&api, c).await);
}

#[tokio::test]
async fn update_sets_and_clears_fields() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let campaign = api.project("Outbound").await;
    let other = api.project("Other").await;
    let mut new = contact(campaign, "A", "crm-1", "111111");
    new["Tag"] = json!("vip");
    let id = insert(&api, new).await[0];

    let change = json!({"Company": "ACME", "Tag": null, "PhoneNumber2": "+36 1 999 7400",
                        "bPhoneNumber1Invalid": true, "nTriesPhoneNumber1": "2", "dtNextTry": "2030-01-02 03:04:05"});
    let reply = api
        .put(&format!("/dialler/contacts/contact/{id}"), &change.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let got = &reply.body["records"][0];
    assert_eq!(got["Company"], "ACME");
    assert_eq!(got["Tag"], Value::Null);
    assert_eq!(got["Name"], "A", "fields the body does not name stay");
    assert_eq!(got["PhoneNumber2"], "3619997400");
    assert_eq!(got["bPhoneNumber1Invalid"], true);
    assert_eq!(got["nTriesPhoneNumber1"], 2);
    assert_eq!(got["dtNextTry"], "2030-01-02 03:04:05");

    let back = api
        .put(&format!("/dialler/contacts/contact/{id}"), &got.to_string())
        .await;
    assert_eq!(back.status, 200, "what was read can be sent back: {}", back.text);
    assert_eq!(back.body["records"][0], *got);
    let mut fields = api.field_names(campaign).await;
    fields.sort();
    let expected = [
        "Tag",
        "bPhoneNumber1Invalid",
        "company",
        "nTriesPhoneNumber1",
        "name",
        "phone1",
        "phone2",
    ];
    assert_eq!(fields, expected, "nulls for fields the campaign lacks create none");

    let moved = json!({"DiallerCampaignsID": other}).to_string();
    let reply = api.put(&format!("/dialler/contacts/contact/{id}"), &moved).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["code"], "wrong_campaign");
    let bad = api
        .put(
            &format!("/dialler/contacts/contact/{id}"),
            r#"{"PhoneNumber1": "call me"}"#,
        )
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.body["code"].clone()),
        (400, json!("wrong_phone_format"))
    );
    let missing = api.put(&format!("/dialler/contacts/contact/{}", id + 1), "{}").await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn a_rejected_insert_writes_nothing() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let campaign = api.project("Outbound").await;
    let other = api.project("Other").await;
    let good = contact(campaign, "A", "a", "111111");
    let cases = [
        (
            json!([good.clone(), contact(campaign, "B", "b", "call me")]),
            "wrong_phone_format",
            "contact 1",
        ),
        (
            json!([good.clone(), {"DiallerCampaignsID": campaign, "Name": "C"}]),
            "missing_phone",
            "contact 1",
        ),
        (
            json!([good.clone(), {"Name": "C", "PhoneNumber1": "123456"}]),
            "missing_campaign",
            "contact 1",
        ),
        (
            json!([good.clone(), contact(other, "D", "d", "444444")]),
            "wrong_campaign",
            "contact 1",
        ),
        (
            json!([{"DiallerCampaignsID": campaign, "PhoneNumber1": "123456"}]),
            "missing_name",
            "contact 0",
        ),
    ];
    for (body, code, index) in cases {
        let reply = api.post("/dialler/contacts/contact", &body.to_string()).await;
        assert_eq!(reply.status, 400, "{body}");
        assert_eq!(reply.body["status"], 400);
        assert_eq!(reply.body["code"], code, "{}", reply.text);
        assert!(
            reply.body["error"].as_str().unwrap().starts_with(index),
            "{}",
            reply.text
        );
    }
    // A VCC Live list field takes value names of at most 255 characters: checked before writing too.
    let field = json!({"name": "Tag", "type": "simple"}).to_string();
    assert_eq!(
        api.post(&format!("/v2/projects/{campaign}/fields"), &field)
            .await
            .status,
        200
    );
    let mut long_tag = contact(campaign, "E", "e", "555555");
    long_tag["Tag"] = json!("x".repeat(300));
    let reply = api
        .post("/dialler/contacts/contact", &json!([good, long_tag]).to_string())
        .await;
    assert_eq!(
        (reply.status.as_u16(), reply.body["code"].clone()),
        (400, json!("name_must_be_between"))
    );

    let malformed = api.post("/dialler/contacts/contact", "[{").await;
    assert_eq!(malformed.status, 400);
    assert!(malformed.body["error"].as_str().unwrap().contains("line 1"));
    assert_eq!(api.post("/dialler/contacts/contact", "[]").await.status, 400);
    let unknown = api
        .post(
            "/dialler/contacts/contact",
            &contact(9999, "A", "a", "111111").to_string(),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body["error"], "Dialler campaign not found");

    let list = api
        .get(&format!("/dialler/contacts?diallerCampaignsID={campaign}"))
        .await;
    assert_eq!(list.body["total"], 0, "nothing was written: {}", list.text);
}

#[tokio::test]
async fn list_and_search_page_through_campaigns() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let first = api.project("First").await;
    let second = api.project("Second").await;
    let mut contacts: Vec<Value> = (0..5)
        .map(|i| contact(first, &format!("N{i}"), &format!("u{i}"), &format!("10000{i}")))
        .collect();
    contacts[1]["Company"] = json!("ACME");
    contacts[3]["Company"] = json!("ACME Ltd");
    let ids = insert(&api, Value::Array(contacts)).await;
    let other = insert(&api, contact(second, "S", "s", "200000")).await[0];

    let page = api
        .get(&format!(
            "/dialler/contacts?diallerCampaignsID={first}&limitStart=1&limitPageSize=2"
        ))
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body["count"], 2);
    assert_eq!(page.body["total"], 5);
    assert_eq!(page.body["records"][0]["DiallerContactsID"], ids[1]);
    assert_eq!(page.body["status"], 200);

    let acme = api
        .get(&format!("/dialler/contacts?diallerCampaignsID={first}&Company=ACME"))
        .await;
    assert_eq!(acme.body["count"], 1);
    assert_eq!(acme.body["records"][0]["DiallerContactsID"], ids[1]);
    let wildcard = api
        .get(&format!("/dialler/contacts?diallerCampaignsID={first}&Company=ACME%25"))
        .await;
    assert_eq!(wildcard.body["count"], 2);
    let by_phone = api.get("/dialler/contacts?PhoneNumber1=%2B200000").await;
    assert_eq!(by_phone.body["count"], 1, "{}", by_phone.text);
    assert_eq!(by_phone.body["records"][0]["DiallerContactsID"], other);

    let all = api.get("/dialler/contacts?limitStart=4").await;
    assert_eq!(all.body["total"], 6);
    let rest: Vec<i64> = all.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["DiallerContactsID"].as_i64().unwrap())
        .collect();
    assert_eq!(rest, [ids[4], other], "paging runs on across campaigns");
    assert_eq!(api.get("/dialler/contacts?limitStart=x").await.status, 400);
    assert_eq!(api.get("/dialler/contacts?UserData=u1").await.status, 400);
    assert_eq!(api.get("/dialler/contacts?diallerCampaignsID=9999").await.status, 404);
}

#[tokio::test]
async fn another_tenant_sees_nothing() {
    let db = Database::fresh();
    db.admin(&["key", "add", "other", "other", "--key", "other-key-123"]);
    let server = Server::start(&db);
    let api = server.client();
    let theirs = server.client_as("other", "other", "other-key-123");
    let campaign = api.project("Outbound").await;
    let id = insert(&api, contact(campaign, "A", "mine", "111111")).await[0];

    for reply in [
        theirs.get(&format!("/dialler/contacts/contact/{id}")).await,
        theirs.get("/dialler/contacts/contact?userData=mine").await,
        theirs.patch(&format!("/dialler/contacts/contact/{id}/lock")).await,
        theirs.patch("/dialler/contacts/contact/lock?userData=mine").await,
        theirs
            .put(&format!("/dialler/contacts/contact/{id}"), r#"{"Tag": "x"}"#)
            .await,
        theirs.delete(&format!("/dialler/contacts/contact/{id}")).await,
        theirs.delete("/dialler/contacts/contact?userData=mine").await,
        theirs
            .get(&format!("/dialler/contacts?diallerCampaignsID={campaign}"))
            .await,
        theirs
            .post(
                "/dialler/contacts/contact",
                &contact(campaign, "X", "x", "999999").to_string(),
            )
            .await,
    ] {
        assert_eq!(reply.status, 404, "{}", reply.text);
    }
    assert_eq!(theirs.get("/dialler/contacts").await.body["total"], 0);
    assert!(!locked(&api, id).await);
    assert_eq!(
        api.get(&format!("/dialler/contacts/contact/{id}")).await.body["records"][0]["Tag"],
        Value::Null
    );

    let anonymous = server.client_as("mycc", "mycc", "wrong-key");
    let reply = anonymous.get(&format!("/dialler/contacts/contact/{id}")).await;
    assert_eq!((reply.status.as_u16(), reply.body["status"].clone()), (401, json!(401)));
}

#[tokio::test]
async fn without_a_prefix_the_host_names_the_tenant() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let campaign = api.project("Outbound").await;
    let id = insert(&api, contact(campaign, "A", "a", "111111")).await[0];
    let reply = crate::common::http_client()
        .get(format!("{}/dialler/contacts/contact/{id}", server.base))
        .header("host", "mycc.dialbase.example")
        .basic_auth(USER, Some(KEY))
        .send()
        .await
        .expect("request");
    assert_eq!(reply.status(), 200);
    let body: Value = serde_json::from_str(&reply.text().await.expect("body")).expect("json");
    assert_eq!(body["records"][0]["DiallerContactsID"], id);
}
