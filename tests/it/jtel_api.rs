//! jtel's own calls around the seed (docs/jtel.md): the base path `/rest/v1.0/{ClientsID}`
//! with bearer tokens, import with `overwriteDuplicates`, the older contact path, campaigns,
//! and the list envelope.

use crate::common::jtel::Bearer;
use crate::common::{Client, Database, KEY, Reply, Server, TENANT};
use reqwest::Method;
use serde_json::{Value, json};

const IMPORT_EXAMPLE: &str = include_str!("fixtures/jtel_import_contact.json");

/// jtel's documented import body, into `campaign`.
fn example(campaign: i64) -> Value {
    let mut contact: Value = serde_json::from_str(IMPORT_EXAMPLE).unwrap();
    contact["DiallerCampaignsID"] = json!(campaign);
    contact
}

fn assert_jtel_error(reply: &Reply, status: u16, error: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert_eq!(reply.body["status"], status, "{}", reply.text);
    let text = reply.body["error"].as_str().unwrap_or_default();
    assert!(text.contains(error), "{error:?} not in {}", reply.text);
}

/// Creates a key through the API as the admin; returns its id and secret.
async fn new_key(admin: &Client, body: Value) -> (i64, String) {
    let reply = admin.post("/dialbase/v1/keys", &body.to_string()).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    (
        reply.body["key"]["id"].as_i64().unwrap(),
        reply.body["secret"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn bearer_tokens_and_the_clients_id_name_the_tenant_on_jtels_base_path() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let campaign = api.project("Outbound").await;
    db.admin(&["key", "add", "othercc", "other", "--key", "other-key-01"]);

    // jtel's way: the base path names the tenant, the token is one of its API keys.
    let jtel = Bearer::new(&server, TENANT, KEY);
    let campaigns = jtel.get("/dialler/campaigns").await;
    assert_eq!(campaigns.status, 200, "{}", campaigns.text);
    assert_eq!(campaigns.body["records"][0]["DiallerCampaignsID"], campaign);
    let (id, _) = jtel.import(&example(campaign), false).await;
    assert_eq!(jtel.contact(id).await["Name"], "Name");

    // HTTP Basic on the base path, and a bearer token under the tenant's prefix.
    let basic = Client {
        base: format!("{}/rest/v1.0/{TENANT}", server.base),
        ..server.client()
    };
    assert_eq!(basic.get(&format!("/dialler/contacts/{id}")).await.status, 200);
    let prefixed = Bearer {
        base: format!("{}/{TENANT}", server.base),
        ..Bearer::new(&server, TENANT, KEY)
    };
    assert_eq!(prefixed.contact(id).await["DiallerContactsID"], id);
    let both = Bearer {
        base: format!("{}/{TENANT}/rest/v1.0/{TENANT}", server.base),
        ..Bearer::new(&server, TENANT, KEY)
    };
    assert_eq!(both.get("/dialler/campaigns").await.status, 200);

    // 401 for a wrong token or a wrong ClientsID, in jtel's format.
    let wrong_token = Bearer::new(&server, TENANT, "not-a-key-of-mycc");
    let refused = wrong_token.get("/dialler/campaigns").await;
    assert_jtel_error(&refused, 401, "");
    let challenges: Vec<&str> = (refused.headers.get_all("www-authenticate").iter())
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(challenges.iter().any(|c| c.starts_with("Bearer")), "{challenges:?}");
    for clients_id in ["othercc", "nosuchcc"] {
        let elsewhere = Bearer::new(&server, clients_id, KEY);
        assert_jtel_error(&elsewhere.get("/dialler/campaigns").await, 401, "");
    }
    let mismatch = Bearer {
        base: format!("{}/{TENANT}/rest/v1.0/othercc", server.base),
        ..Bearer::new(&server, "othercc", "other-key-01")
    };
    assert_jtel_error(&mismatch.get("/dialler/campaigns").await, 401, "");
    // The other tenant's own token on its own ClientsID sees its own (empty) world.
    let other = Bearer::new(&server, "othercc", "other-key-01");
    let theirs = other.get("/dialler/campaigns").await;
    assert_eq!(theirs.body["count"], 0, "{}", theirs.text);
    assert_jtel_error(
        &other.get(&format!("/dialler/contacts/{id}")).await,
        404,
        "Dialler contact not found",
    );
}

#[tokio::test]
async fn bearer_tokens_obey_roles_projects_revocation_and_rate_limits() {
    let db = Database::fresh();
    let server = Server::start_with(&db, &[("DIALBASE_RATE_LIMIT", "1/40")]);
    let admin = server.client();
    let mine = admin.project("Mine").await;
    let other = admin.project("Other").await;
    let (reader_id, reader) = new_key(&admin, json!({"user": "reader", "role": "read-only"})).await;
    let (_, limited) = new_key(
        &admin,
        json!({"user": "dialer", "role": "read-write", "projects": [mine]}),
    )
    .await;

    let reader = Bearer::new(&server, TENANT, &reader);
    assert_eq!(reader.get("/dialler/campaigns").await.body["count"], 2);
    assert_jtel_error(
        &reader
            .post("/dialler/contacts/import?overwriteDuplicates=false", &example(mine))
            .await,
        403,
        "",
    );

    let limited = Bearer::new(&server, TENANT, &limited);
    let seen = limited.get("/dialler/campaigns").await;
    assert_eq!(seen.body["count"], 1, "{}", seen.text);
    assert_eq!(seen.body["records"][0]["DiallerCampaignsID"], mine);
    assert_jtel_error(&limited.get(&format!("/dialler/campaigns/{other}")).await, 403, "");
    assert_jtel_error(
        &limited.post("/dialler/contacts/import", &example(other)).await,
        403,
        "",
    );
    let (id, _) = limited.import(&example(mine), false).await;
    assert_eq!(limited.contact(id).await["DiallerCampaignsID"], mine);

    // Revoked: refused by the next request.
    let revoked = admin.delete(&format!("/dialbase/v1/keys/{reader_id}")).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_jtel_error(&reader.get("/dialler/campaigns").await, 401, "");

    // A token's requests count against its user's bucket: 40 at once, then 429.
    let mut refused = None;
    for _ in 0..60 {
        let reply = limited.get("/dialler/campaigns").await;
        if reply.status == 429 {
            refused = Some(reply);
            break;
        }
    }
    let refused = refused.expect("the rate limit applies to bearer tokens");
    assert_eq!(refused.body["status"], 429, "{}", refused.text);
    assert!(refused.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn import_creates_or_overwrites_the_campaigns_contact_with_that_user_data() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let campaign = api.project("Outbound").await;
    let elsewhere = api.project("Elsewhere").await;
    let jtel = Bearer::new(&server, TENANT, KEY);

    // The documented example, created twice with overwriteDuplicates=false.
    let (first, overwritten) = jtel.import(&example(campaign), false).await;
    assert!(!overwritten);
    let (second, _) = jtel.import(&example(campaign), false).await;
    assert_ne!(first, second, "false always creates");
    let read = jtel.contact(first).await;
    let sent = example(campaign);
    for (key, value) in sent.as_object().unwrap() {
        match key.as_str() {
            "PhoneNumber1" => assert_eq!(read[key], "49891234567", "numbers are stored as digits"),
            _ => assert_eq!(&read[key], value, "{key}"),
        }
    }

    // true: the lowest id of the campaign's contacts with that user data is written over.
    let mut changed = example(campaign);
    changed["Company"] = json!("Other Company");
    changed["Tag"] = Value::Null;
    changed.as_object_mut().unwrap().remove("Comment");
    let (id, overwritten) = jtel.import(&changed, true).await;
    assert_eq!((id, overwritten), (first, true));
    let read = jtel.contact(first).await;
    assert_eq!(read["Company"], "Other Company");
    assert_eq!(read["Tag"], Value::Null, "null clears");
    assert_eq!(read["Comment"], "Comment", "a key not sent stays");
    assert_eq!(jtel.contact(second).await["Company"], "Company");

    // Matches are looked for in the campaign only, and only by user data.
    let (there, overwritten) = jtel.import(&example(elsewhere), true).await;
    assert!(!overwritten);
    assert!(there > second);
    let mut fresh = example(campaign);
    fresh["UserData"] = json!("another");
    assert!(!jtel.import(&fresh, true).await.1);
    fresh.as_object_mut().unwrap().remove("UserData");
    let (without, overwritten) = jtel.import(&fresh, true).await;
    assert!(!overwritten, "no user data, nothing to match");
    assert_eq!(jtel.contact(without).await["UserData"], Value::Null);

    // The campaign by its name (jtel's later version).
    let mut by_name = example(campaign);
    by_name.as_object_mut().unwrap().remove("DiallerCampaignsID");
    by_name["DiallerCampaignsName"] = json!("Elsewhere");
    let (id, overwritten) = jtel.import(&by_name, true).await;
    assert_eq!((id, overwritten), (there, true));
    let read = jtel.contact(there).await;
    assert_eq!(read["DiallerCampaignsID"], elsewhere);
    assert!(read.get("DiallerCampaignsName").is_none(), "the name is no field");
    let fields = api.field_names(elsewhere).await;
    assert!(!fields.iter().any(|f| f == "DiallerCampaignsName"), "{fields:?}");
}

#[tokio::test]
async fn import_errors_are_jtels() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let campaign = api.project("Outbound").await;
    let jtel = Bearer::new(&server, TENANT, KEY);
    let import = "/dialler/contacts/import?overwriteDuplicates=true";
    let without = |key: &str| {
        let mut contact = example(campaign);
        contact.as_object_mut().unwrap().remove(key);
        contact
    };

    assert_jtel_error(&jtel.post(import, &without("Name")).await, 400, "Name is mandatory");
    assert_jtel_error(
        &jtel.post(import, &without("DiallerCampaignsID")).await,
        400,
        "DiallerCampaignsID or DiallerCampaignsName is mandatory",
    );
    assert_jtel_error(
        &jtel.post(import, &without("PhoneNumber1")).await,
        400,
        "PhoneNumber1..PhoneNumber6",
    );
    let mut seventh = without("PhoneNumber1");
    seventh["PhoneNumber7"] = json!("49891234567");
    assert_jtel_error(&jtel.post(import, &seventh).await, 400, "PhoneNumber1..PhoneNumber6");
    let mut unknown = example(campaign);
    unknown["DiallerCampaignsID"] = json!(campaign + 100);
    assert_jtel_error(&jtel.post(import, &unknown).await, 404, "Dialler campaign not found");
    let mut unknown = without("DiallerCampaignsID");
    unknown["DiallerCampaignsName"] = json!("No such campaign");
    assert_jtel_error(&jtel.post(import, &unknown).await, 404, "Dialler campaign not found");
    let mut disagree = example(campaign);
    disagree["DiallerCampaignsName"] = json!("Elsewhere");
    api.project("Elsewhere").await;
    assert_jtel_error(&jtel.post(import, &disagree).await, 400, "different campaigns");
    api.project("Outbound").await;
    let mut ambiguous = without("DiallerCampaignsID");
    ambiguous["DiallerCampaignsName"] = json!("Outbound");
    assert_jtel_error(&jtel.post(import, &ambiguous).await, 409, "several campaigns");
    let array = json!([example(campaign)]);
    assert_jtel_error(&jtel.post(import, &array).await, 400, "one contact");
    let maybe = "/dialler/contacts/import?overwriteDuplicates=maybe";
    assert_jtel_error(&jtel.post(maybe, &example(campaign)).await, 400, "overwriteDuplicates");
    let mut wrong = example(campaign);
    wrong["Amount"] = json!("a lot");
    assert_jtel_error(&jtel.post(import, &wrong).await, 400, "Amount");

    // Nothing of that was stored.
    let list = jtel
        .get(&format!("/dialler/contacts?diallerCampaignsID={campaign}"))
        .await;
    assert_eq!(list.body["count"], 0, "{}", list.text);

    // A duplicate the campaign's rules refuse: 409 naming the contact it duplicates.
    let rules = json!({"dedup": {"keys": ["phone"], "on_duplicate": "reject"}});
    let put = api
        .put(&format!("/dialbase/v1/projects/{campaign}/rules"), &rules.to_string())
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    let (id, _) = jtel.import(&example(campaign), false).await;
    let mut same_phone = example(campaign);
    same_phone["UserData"] = json!("someone else");
    let refused = jtel.post(import, &same_phone).await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.body["DiallerContactsID"], id);
    // The same user data is written over, as the rules allow.
    assert_eq!(jtel.import(&example(campaign), true).await, (id, true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_imports_of_one_user_data_create_one_contact() {
    let db = Database::fresh();
    // Two server nodes on one database: the imports race across processes too.
    let nodes = [Server::start(&db), Server::start(&db)];
    let campaign = nodes[0].client().project("Outbound").await;
    for round in 0..5 {
        let user_data = format!("race-{round}");
        let tasks: Vec<_> = (0..12)
            .map(|n| {
                let jtel = Bearer::new(&nodes[n % 2], TENANT, KEY);
                let mut contact = example(campaign);
                contact["UserData"] = json!(user_data);
                contact["Comment"] = json!(format!("writer {n}"));
                tokio::spawn(async move { jtel.import(&contact, true).await })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.expect("import task"));
        }
        let created: Vec<_> = results.iter().filter(|(_, overwritten)| !overwritten).collect();
        assert_eq!(created.len(), 1, "round {round}: {results:?}");
        assert!(results.iter().all(|(id, _)| *id == created[0].0), "{results:?}");
        let found = nodes[0]
            .client()
            .get(&format!("/dialler/contacts/contact?userData={user_data}"))
            .await;
        assert_eq!(found.body["count"], 1, "round {round}: {}", found.text);
    }
}

#[tokio::test]
async fn a_contact_by_jtels_older_path() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let campaign = api.project("Outbound").await;
    let jtel = Bearer::new(&server, TENANT, KEY);
    let (id, _) = jtel.import(&example(campaign), false).await;
    let old = jtel.get(&format!("/dialler/contacts/{id}")).await;
    let new = jtel.get(&format!("/dialler/contacts/contact/{id}")).await;
    assert_eq!(old.status, 200);
    assert_eq!(old.body, new.body);
    assert_eq!(old.body["count"], 1);
    assert_eq!(old.body["status"], 200);
    for missing in [format!("/dialler/contacts/{}", id + 1), "/dialler/contacts/x".into()] {
        let reply = jtel.get(&missing).await;
        assert_eq!(reply.body, json!({"status": 404, "error": "Dialler contact not found"}));
        assert_eq!(reply.status, 404);
    }
}

#[tokio::test]
async fn campaigns_are_the_tenants_projects() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let sales = api.project("Sales").await;
    let service = api.project("Service").await;
    let jtel = Bearer::new(&server, TENANT, KEY);

    let list = jtel.get("/dialler/campaigns").await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(
        list.body,
        json!({"filter": "", "limitStart": 0, "limitPageSize": -1, "records": [
            {"DiallerCampaignsID": sales, "Name": "Sales", "ClientsID": TENANT},
            {"DiallerCampaignsID": service, "Name": "Service", "ClientsID": TENANT},
        ], "count": 2, "total": 2, "orderBy": "DiallerCampaignsID", "ascending": true, "status": 200})
    );
    let page = jtel.get("/dialler/campaigns?limitStart=1&limitPageSize=1").await;
    assert_eq!(page.body["records"][0]["Name"], "Service");
    assert_eq!(
        (page.body["count"].clone(), page.body["limitPageSize"].clone()),
        (json!(1), json!(1))
    );

    let one = jtel.get(&format!("/dialler/campaigns/{service}")).await;
    assert_eq!(
        one.body,
        json!({"records": [{"DiallerCampaignsID": service, "Name": "Service", "ClientsID": TENANT}],
               "count": 1, "status": 200})
    );
    for missing in [
        format!("/dialler/campaigns/{}", service + 1),
        "/dialler/campaigns/x".into(),
    ] {
        let reply = jtel.get(&missing).await;
        assert_eq!(reply.status, 404);
        assert_eq!(
            reply.body,
            json!({"status": 404, "error": "Dialler campaign not found"})
        );
    }
    assert_jtel_error(&jtel.get("/dialler/campaigns?orderBy=Name").await, 400, "orderBy");
    assert_jtel_error(&jtel.get("/dialler/campaigns?Name=Sales").await, 400, "Name");
}

#[tokio::test]
async fn lists_answer_in_jtels_envelope() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let campaign = api.project("Outbound").await;
    let jtel = Bearer::new(&server, TENANT, KEY);
    let mut ids = Vec::new();
    for n in 0..3 {
        let mut contact = example(campaign);
        contact["UserData"] = json!(format!("u{n}"));
        ids.push(jtel.import(&contact, false).await.0);
    }

    // jtel's documented envelope: everything, in one answer.
    let all = jtel.send(Method::GET, "/dialler/contacts", None).await;
    assert_eq!(all.status, 200, "{}", all.text);
    let expected = json!({"filter": "", "limitStart": 0, "limitPageSize": -1, "count": 3, "total": 3,
                          "orderBy": "DiallerContactsID", "ascending": true, "status": 200});
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&all.body[key], value, "{key}: {}", all.text);
    }
    let listed: Vec<Value> = ids.iter().map(|id| json!(id)).collect();
    let got: Vec<Value> = (all.body["records"].as_array().unwrap().iter())
        .map(|r| r["DiallerContactsID"].clone())
        .collect();
    assert_eq!(got, listed);
    let reserved = "/dialler/contacts?filter=&orderBy=DiallerContactsID&ascending=true&limitPageSize=-1";
    assert_eq!(jtel.get(reserved).await.body["records"], all.body["records"]);

    // Paging: a page that stops short of the end says its size.
    let page = jtel.get("/dialler/contacts?limitStart=1&limitPageSize=1").await;
    assert_eq!(page.body["records"][0]["DiallerContactsID"], ids[1]);
    assert_eq!(
        (page.body["limitStart"].clone(), page.body["limitPageSize"].clone()),
        (json!(1), json!(1))
    );
    let rest = jtel.get("/dialler/contacts?limitStart=1").await;
    assert_eq!(
        (rest.body["count"].clone(), rest.body["limitPageSize"].clone()),
        (json!(2), json!(-1))
    );
    let filtered = jtel.get("/dialler/contacts?Company=Company").await;
    assert_eq!(filtered.body["filter"], "Company=Company");
    for wrong in [
        "filter=Company",
        "orderBy=Name",
        "ascending=false",
        "limitPageSize=many",
    ] {
        assert_jtel_error(&jtel.get(&format!("/dialler/contacts?{wrong}")).await, 400, "");
    }
}

#[tokio::test]
async fn insert_and_update_take_the_campaigns_name_too() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let campaign = api.project("Outbound").await;
    api.project("Other").await;
    let jtel = Bearer::new(&server, TENANT, KEY);
    let by_name = |user_data: &str| json!({"DiallerCampaignsName": "Outbound", "Name": "N", "UserData": user_data, "PhoneNumber1": "4989111"});
    let inserted = jtel
        .post("/dialler/contacts/contact", &json!([by_name("a"), by_name("b")]))
        .await;
    assert_eq!(inserted.status, 200, "{}", inserted.text);
    let id = inserted.body["records"][0]["DiallerContactsID"].as_i64().unwrap();
    assert_eq!(jtel.contact(id).await["DiallerCampaignsID"], campaign);
    let mut mixed = by_name("c");
    mixed["DiallerCampaignsName"] = json!("Other");
    let refused = jtel
        .post("/dialler/contacts/contact", &json!([by_name("d"), mixed]))
        .await;
    assert_jtel_error(&refused, 400, "contact 1");
    let unknown = json!({"DiallerCampaignsName": "Nope", "Name": "N", "PhoneNumber1": "4989111"});
    assert_jtel_error(
        &jtel.post("/dialler/contacts/contact", &unknown).await,
        404,
        "Dialler campaign not found",
    );

    let path = format!("/dialler/contacts/contact/{id}");
    let same = jtel
        .put(&path, &json!({"DiallerCampaignsName": "Outbound", "Tag": "t"}))
        .await;
    assert_eq!(same.status, 200, "{}", same.text);
    assert_eq!(same.body["records"][0]["Tag"], "t");
    let moved = jtel.put(&path, &json!({"DiallerCampaignsName": "Other"})).await;
    assert_jtel_error(&moved, 400, "another campaign");
    let fields = api.field_names(campaign).await;
    assert!(!fields.iter().any(|f| f == "DiallerCampaignsName"), "{fields:?}");
}

#[tokio::test]
async fn idempotency_keys_on_jtels_base_path_belong_to_the_clients_id() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let campaign = server.client().project("Outbound").await;
    db.admin(&["key", "add", "othercc", "other", "--key", "other-key-01"]);
    let theirs = server
        .client_as("othercc", "other", "other-key-01")
        .project("Theirs")
        .await;
    let import = "/dialler/contacts/import?overwriteDuplicates=false";
    let send = |jtel: Bearer, contact: Value| async move {
        let request = (jtel.http.post(format!("{}{import}", jtel.base)))
            .bearer_auth(&jtel.token)
            .header("idempotency-key", "same-key-1")
            .header("content-type", "application/json")
            .body(contact.to_string());
        Client::reply(request).await
    };
    let first = send(Bearer::new(&server, TENANT, KEY), example(campaign)).await;
    let again = send(Bearer::new(&server, TENANT, KEY), example(campaign)).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(again.text, first.text);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    // Another tenant's request with the same key is its own.
    let other = send(Bearer::new(&server, "othercc", "other-key-01"), example(theirs)).await;
    assert_eq!(other.status, 200, "{}", other.text);
    assert!(other.headers.get("idempotent-replayed").is_none());
}
