//! Scoped keys (docs/operations.md): roles, project limits, several keys per user, and
//! revocation that holds at once on every node.

use crate::common::dialer::{add_records, claim_id, record, release};
use crate::common::iovox::{contact, request};
use crate::common::{Client, Database, Server, TENANT};
use reqwest::Method;
use serde_json::{Value, json};

/// Creates a key through the API as the admin; returns (id, secret).
async fn new_key(admin: &Client, body: Value) -> (i64, String) {
    let reply = admin.post("/dialbase/v1/keys", &body.to_string()).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let secret = reply.body["secret"].as_str().expect("the key, shown once").to_string();
    (reply.body["key"]["id"].as_i64().unwrap(), secret)
}

fn as_key(server: &Server, user: &str, secret: &str) -> Client {
    server.client_as(TENANT, user, secret)
}

fn assert_vcc_forbidden(reply: &crate::common::Reply) {
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(
        reply.body["errors"][0]["errormessage"], "error.forbidden",
        "{}",
        reply.text
    );
}

fn assert_json_forbidden(reply: &crate::common::Reply) {
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(reply.body["status"], 403, "{}", reply.text);
}

#[tokio::test]
async fn roles_decide_what_a_key_may_do_in_every_dialect() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let admin = server.client();
    let project = admin.project("Roles").await;
    let id = add_records(&admin, project, vec![record("3612345678", None)]).await[0];

    let (_, secret) = new_key(&admin, json!({"user": "viewer", "role": "read-only"})).await;
    let viewer = as_key(&server, "viewer", &secret);
    assert_eq!(viewer.get("/v2/projects").await.status, 200);
    assert_eq!(
        viewer.get(&format!("/v2/projects/{project}/records/{id}")).await.status,
        200
    );
    assert_eq!(viewer.get(&format!("/dialler/contacts/contact/{id}")).await.status, 200);
    let write = viewer
        .post(&format!("/v2/projects/{project}/records"), r#"{"form": {"name": "x"}}"#)
        .await;
    assert_vcc_forbidden(&write);
    let jtel = viewer
        .post(
            "/dialler/contacts/contact",
            &json!({"DiallerCampaignsID": project}).to_string(),
        )
        .await;
    assert_json_forbidden(&jtel);
    assert_json_forbidden(&viewer.delete(&format!("/dialler/contacts/contact/{id}")).await);
    let claim = viewer
        .post(&format!("/dialbase/v1/projects/{project}/claim"), r#"{"owner": "d1"}"#)
        .await;
    assert_json_forbidden(&claim);
    let iovox = viewer
        .create_contacts(&request("", &[contact("c1", &[("first_name", "Ann")])]))
        .await;
    iovox.assert_error(403, "HTTP 403: Forbidden");
    assert_eq!(viewer.get_contacts("").await.status, 200, "iovox reads are reads");

    let (_, secret) = new_key(&admin, json!({"user": "crm", "role": "read-write"})).await;
    let crm = as_key(&server, "crm", &secret);
    let added = crm
        .post(&format!("/v2/projects/{project}/records"), r#"{"form": {"name": "y"}}"#)
        .await;
    assert_eq!(added.status, 200, "{}", added.text);
    assert_vcc_forbidden(&crm.post("/v2/projects", r#"{"name": "Mine"}"#).await);
    let field = crm
        .post(
            &format!("/v2/projects/{project}/fields"),
            r#"{"name": "city", "type": "text"}"#,
        )
        .await;
    assert_vcc_forbidden(&field);
    assert_vcc_forbidden(&crm.post("/v2/robinson", r#"{"phone": "3611111111"}"#).await);
    assert_json_forbidden(&crm.put(&format!("/dialbase/v1/projects/{project}/rules"), "{}").await);
    assert_eq!(
        crm.get(&format!("/dialbase/v1/projects/{project}/rules")).await.status,
        200
    );
    let dnc = crm
        .post(
            "/dialbase/v1/dnc/lists/mine/entries",
            r#"{"entries": [{"phone": "3611111111"}]}"#,
        )
        .await;
    assert_eq!(dnc.status, 403, "{}", dnc.text);
    let check = crm.post("/dialbase/v1/dnc/check", r#"{"phone": "3611111111"}"#).await;
    assert_eq!(check.status, 200, "a check is a read: {}", check.text);
    assert_json_forbidden(&crm.get("/dialbase/v1/keys").await);
    assert_json_forbidden(&crm.get("/dialbase/v1/audit").await);
    let template = crm
        .iovox(
            Method::POST,
            "/Rules?v=3&method=createRuleTemplates",
            Some("<request/>"),
        )
        .await;
    template.assert_error(403, "HTTP 403: Forbidden");
    assert_eq!(crm.get(&format!("/dialler/contacts/contact/{id}")).await.status, 200);
    assert_eq!(crm.delete(&format!("/dialler/contacts/contact/{id}")).await.status, 200);
}

#[tokio::test]
async fn a_key_limited_to_projects_touches_only_those() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let admin = server.client();
    let (mine, other) = (admin.project("Mine").await, admin.project("Other").await);
    let own = add_records(&admin, mine, vec![record("3612345678", None)]).await[0];
    let foreign = add_records(&admin, other, vec![record("3612345679", None)]).await[0];
    let body = json!({"user": "dialer", "role": "read-write", "projects": [mine]});
    let (_, secret) = new_key(&admin, body).await;
    let dialer = as_key(&server, "dialer", &secret);

    let listed = dialer.get("/v2/projects").await;
    let ids: Vec<i64> = listed.body["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["projectid"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [mine], "only its own projects are listed");
    assert_eq!(
        dialer.get(&format!("/v2/projects/{mine}/records/{own}")).await.status,
        200
    );
    assert_vcc_forbidden(&dialer.get(&format!("/v2/projects/{other}/records/{foreign}")).await);
    assert_vcc_forbidden(
        &dialer
            .post(&format!("/v2/projects/{other}/records"), r#"{"form": {"name": "z"}}"#)
            .await,
    );
    // Records named without their project: the record's project decides.
    assert_json_forbidden(&dialer.get(&format!("/dialler/contacts/contact/{foreign}")).await);
    assert_json_forbidden(&dialer.delete(&format!("/dialler/contacts/contact/{foreign}")).await);
    assert_json_forbidden(&dialer.get(&format!("/dialbase/v1/records/{foreign}")).await);
    assert_eq!(
        dialer.get(&format!("/dialler/contacts/contact/{own}")).await.status,
        200
    );
    let insert =
        |project: i64| json!({"DiallerCampaignsID": project, "Name": "Ann", "PhoneNumber1": "3619990000"}).to_string();
    assert_json_forbidden(&dialer.post("/dialler/contacts/contact", &insert(other)).await);
    assert_eq!(
        dialer.post("/dialler/contacts/contact", &insert(mine)).await.status,
        200
    );
    let list = dialer
        .get(&format!("/dialler/contacts?diallerCampaignsID={other}"))
        .await;
    assert_json_forbidden(&list);

    // A dialer claims and releases within its project.
    let claim = dialer
        .post(&format!("/dialbase/v1/projects/{other}/claim"), r#"{"owner": "d1"}"#)
        .await;
    assert_json_forbidden(&claim);
    let claimed = claim_id(&dialer, mine, "d1")
        .await
        .expect("a record of its own project");
    let released = release(&dialer, claimed, json!({"owner": "d1"})).await;
    assert_eq!(released.status, 200, "{}", released.text);

    // Nothing tenant-wide but reads holding no project's data.
    assert_vcc_forbidden(&dialer.post("/v2/robinson", r#"{"phone": "3611111111"}"#).await);
    let contacts = dialer
        .iovox(Method::GET, "/Contacts?v=3&method=getContacts", None)
        .await;
    contacts.assert_error(403, "HTTP 403: Forbidden");
    let check = dialer
        .post("/dialbase/v1/dnc/check", r#"{"phone": "3611111111"}"#)
        .await;
    assert_eq!(check.status, 200, "{}", check.text);

    // A limited admin key cannot reach the tenant's keys (nor so make itself an unlimited one).
    let body = json!({"user": "boss", "role": "admin", "projects": [mine]});
    let (_, secret) = new_key(&admin, body).await;
    let boss = as_key(&server, "boss", &secret);
    let field = boss
        .post(
            &format!("/v2/projects/{mine}/fields"),
            r#"{"name": "city", "type": "text"}"#,
        )
        .await;
    assert_eq!(field.status, 200, "{}", field.text);
    assert_json_forbidden(
        &boss
            .post("/dialbase/v1/keys", r#"{"user": "x", "role": "admin"}"#)
            .await,
    );
    assert_vcc_forbidden(&boss.post("/v2/projects", r#"{"name": "Another"}"#).await);
}

#[tokio::test]
async fn keys_are_created_listed_and_revoked_through_the_api_and_the_cli() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let admin = server.client();
    let (first, secret) = new_key(&admin, json!({"user": "crm", "role": "read-only"})).await;
    let (second, rotated) = new_key(&admin, json!({"user": "crm", "role": "read-only"})).await;
    assert_ne!(secret, rotated);
    for key in [&secret, &rotated] {
        assert_eq!(as_key(&server, "crm", key).get("/v2/projects").await.status, 200);
    }
    let listed = admin.get("/dialbase/v1/keys").await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert!(!listed.text.contains(&secret), "a key is shown only when created");
    let crm: Vec<&Value> = listed.body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["user"] == "crm")
        .collect();
    assert_eq!(crm.len(), 2);
    assert_eq!(crm[0]["role"], "read-only");
    assert_eq!(crm[0]["projects"], Value::Null);

    // Rotation: the old key goes, the new one stays.
    let revoked = admin.delete(&format!("/dialbase/v1/keys/{first}")).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert!(revoked.body["key"]["revoked_at"].is_string());
    assert_eq!(as_key(&server, "crm", &secret).get("/v2/projects").await.status, 401);
    assert_eq!(as_key(&server, "crm", &rotated).get("/v2/projects").await.status, 200);
    assert_eq!(admin.delete("/dialbase/v1/keys/999999").await.status, 404);
    let wrong = admin
        .post("/dialbase/v1/keys", r#"{"user": "x", "role": "root"}"#)
        .await;
    assert_eq!(wrong.status, 400, "{}", wrong.text);

    // The command line: create with a role and projects, list, revoke.
    let cli_key = "cli-made-key-123";
    let args = [
        "key",
        "create",
        TENANT,
        "etl",
        "--role",
        "read-write",
        "--projects",
        "1,2",
        "--key",
        cli_key,
    ];
    assert_eq!(db.admin(&args).trim(), cli_key);
    let etl = as_key(&server, "etl", cli_key);
    assert_eq!(etl.get("/v2/projects").await.status, 200);
    let list = db.admin(&["key", "list", TENANT]);
    let line = list
        .lines()
        .find(|l| l.contains("\tetl\t"))
        .expect("the etl key listed");
    assert!(line.contains("read-write\t1,2"), "{line}");
    assert!(!list.contains(cli_key));
    let id = line.split('\t').next().unwrap();
    db.admin(&["key", "revoke", TENANT, id]);
    assert_eq!(etl.get("/v2/projects").await.status, 401);
    assert!(
        db.admin(&["key", "list", TENANT])
            .contains(&format!("{second}\tcrm\tread-only\tall"))
    );
}

#[tokio::test]
async fn a_revoked_key_stops_working_at_once_on_every_node() {
    let db = Database::fresh();
    let (a, b) = (Server::start(&db), Server::start(&db));
    let admin = a.client();
    let (id, secret) = new_key(&admin, json!({"user": "dialer", "role": "read-write"})).await;
    let (on_a, on_b) = (as_key(&a, "dialer", &secret), as_key(&b, "dialer", &secret));
    // Both nodes now remember the login.
    for _ in 0..3 {
        assert_eq!(on_a.get("/v2/projects").await.status, 200);
        assert_eq!(on_b.get("/v2/projects").await.status, 200);
    }
    let revoked = admin.delete(&format!("/dialbase/v1/keys/{id}")).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_eq!(on_b.get("/v2/projects").await.status, 401, "the other node");
    assert_eq!(on_a.get("/v2/projects").await.status, 401, "the node that revoked");

    // From the command line, beside both servers.
    let (id, secret) = new_key(&admin, json!({"user": "dialer", "role": "read-write"})).await;
    let on_b = as_key(&b, "dialer", &secret);
    assert_eq!(on_b.get("/v2/projects").await.status, 200);
    db.admin(&["key", "revoke", TENANT, &id.to_string()]);
    assert_eq!(on_b.get("/v2/projects").await.status, 401);
    // `key add` replaces a user's keys: the old one stops at once too.
    let old = b.client();
    assert_eq!(old.get("/v2/projects").await.status, 200);
    let new = db.admin(&["key", "add", TENANT, crate::common::USER]);
    assert_eq!(old.get("/v2/projects").await.status, 401);
    let new = b.client_as(TENANT, crate::common::USER, new.trim());
    assert_eq!(new.get("/v2/projects").await.status, 200);
}
