//! Named do-not-call lists (docs/dialing.md "Do-not-call lists"): entries with expiry,
//! source and reason, the check endpoint, the audit, the flags claims obey (only in
//! projects applying the list), the Robinson list as `default`, a `dnc` call result onto a
//! named list, the CLI from CSV, tenant isolation and all-or-nothing input checks. The
//! server runs with `DIALBASE_TEST_CLOCK=1`, so expiry is tested without waiting.

use crate::common::dialer::{add_records, at, claim_id, record};
use crate::common::{Client, Database, Reply, Server};
use reqwest::Method;
use serde_json::{Value, json};
use std::process::Command;

const PHONE: &str = "3612345678";
const OTHER_PHONE: &str = "12125550100";

fn start(db: &Database) -> Server {
    Server::start_with(db, &[("DIALBASE_TEST_CLOCK", "1")])
}

fn entries_path(list: &str) -> String {
    format!("/dialbase/v1/dnc/lists/{list}/entries")
}

async fn add_entries(api: &Client, list: &str, entries: Value) -> Reply {
    api.post(&entries_path(list), &json!({"entries": entries}).to_string())
        .await
}

/// A project applying `lists`, with one record per phone; returns (project, record ids).
async fn project_applying(api: &Client, name: &str, lists: &[&str], phones: &[&str]) -> (i64, Vec<i64>) {
    let project = api.project(name).await;
    let rules = json!({"dnc_lists": lists}).to_string();
    let reply = api.put(&format!("/dialbase/v1/projects/{project}/rules"), &rules).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    if phones.is_empty() {
        return (project, Vec::new());
    }
    let records = phones.iter().map(|p| record(p, None)).collect();
    (project, add_records(api, project, records).await)
}

/// The lists holding `phone` at `now`, by name.
async fn lists_holding(api: &Client, phone: &str, now: &str) -> Vec<String> {
    let reply = at(
        api,
        now,
        Method::POST,
        "/dialbase/v1/dnc/check",
        Some(json!({"phone": phone})),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let lists = reply.body["numbers"][0]["lists"].as_array().unwrap();
    lists.iter().map(|l| l["list"].as_str().unwrap().to_string()).collect()
}

async fn claim_at(api: &Client, project: i64, now: &str) -> Option<i64> {
    let path = format!("/dialbase/v1/projects/{project}/claim");
    let reply = at(api, now, Method::POST, &path, Some(json!({"owner": "d"}))).await;
    match reply.status.as_u16() {
        200 => reply.body["record"]["id"].as_i64(),
        204 => None,
        other => panic!("claim answered {other}: {}", reply.text),
    }
}

/// `name` → (entries, active) from `GET /dnc/lists`.
async fn list_counts(api: &Client, now: &str) -> Vec<(String, u64, u64)> {
    let reply = at(api, now, Method::GET, "/dialbase/v1/dnc/lists", None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let lists = reply.body["lists"].as_array().unwrap();
    lists
        .iter()
        .map(|l| {
            let count = |key: &str| l[key].as_u64().unwrap();
            (
                l["name"].as_str().unwrap().to_string(),
                count("entries"),
                count("active"),
            )
        })
        .collect()
}

/// The Robinson flag of a record, as VCC's API shows it.
async fn robinson(api: &Client, project: i64, id: i64) -> Value {
    api.get(&format!("/v2/projects/{project}/records/{id}")).await.body["response"]["robinson"].clone()
}

fn counts(list: &[(&str, u64, u64)]) -> Vec<(String, u64, u64)> {
    list.iter().map(|(n, e, a)| (n.to_string(), *e, *a)).collect()
}

#[tokio::test]
async fn entries_are_added_listed_checked_replaced_and_deleted() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let entries = json!([
        {"phone": "+1 212 555-0100", "expires_at": "2030-01-01 00:00:00", "source": "crm", "reason": "asked"},
        {"phone": "3611111111"},
        {"phone": 3622222222u64, "expires_at": "2030-06-01T12:00:00Z"}
    ]);
    let reply = add_entries(&api, "tcpa", entries).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["stored"], 3);
    let now = "2029-01-01T00:00:00Z";
    assert_eq!(
        list_counts(&api, now).await,
        counts(&[("default", 0, 0), ("tcpa", 3, 3)])
    );

    let first = api.get(&format!("{}?limit=2", entries_path("tcpa"))).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let phones = |reply: &Reply| -> Vec<String> {
        let entries = reply.body["entries"].as_array().unwrap();
        entries
            .iter()
            .map(|e| e["phone"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(phones(&first), ["12125550100", "3611111111"]);
    assert_eq!(first.body["next_after"], "3611111111");
    assert_eq!(first.body["entries"][0]["expires_at"], "2030-01-01 00:00:00");
    assert_eq!(first.body["entries"][0]["created_by"], "mycc");
    let rest = api
        .get(&format!("{}?after=3611111111&limit=2", entries_path("tcpa")))
        .await;
    assert_eq!(phones(&rest), ["3622222222"]);
    assert_eq!(rest.body["entries"][0]["expires_at"], "2030-06-01 12:00:00");
    assert_eq!(rest.body["next_after"], Value::Null);

    let check = json!({"phones": ["+1 (212) 555 0100", "3699999999"]});
    let reply = at(&api, now, Method::POST, "/dialbase/v1/dnc/check", Some(check)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let numbers = &reply.body["numbers"];
    assert_eq!(numbers[0]["phone"], OTHER_PHONE);
    assert_eq!(numbers[0]["listed"], true);
    assert_eq!(numbers[0]["lists"][0]["list"], "tcpa");
    assert_eq!(numbers[0]["lists"][0]["source"], "crm");
    assert_eq!(numbers[0]["lists"][0]["reason"], "asked");
    assert_eq!(numbers[1], json!({"phone": "3699999999", "listed": false, "lists": []}));

    // Adding a listed number again replaces its entry: here without expiry.
    let reply = add_entries(&api, "tcpa", json!([{"phone": OTHER_PHONE, "reason": "lawyer"}])).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let check = json!({"phone": OTHER_PHONE});
    let reply = at(
        &api,
        "2031-01-01T00:00:00Z",
        Method::POST,
        "/dialbase/v1/dnc/check",
        Some(check),
    )
    .await;
    let entry = &reply.body["numbers"][0]["lists"][0];
    assert_eq!(
        (&entry["reason"], &entry["expires_at"], &entry["source"]),
        (&json!("lawyer"), &Value::Null, &Value::Null)
    );

    let one = format!("{}/{OTHER_PHONE}", entries_path("tcpa"));
    assert_eq!(api.delete(&one).await.status, 200);
    let again = api.delete(&one).await;
    assert_eq!(again.status, 404, "{}", again.text);
    assert_eq!(again.body["status"], 404);
    assert!(lists_holding(&api, OTHER_PHONE, now).await.is_empty());
    assert_eq!(
        api.delete(&format!("{}/3611111111", entries_path("other")))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn an_expired_entry_makes_the_number_callable_again() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let (project, ids) = project_applying(&api, "Outbound", &["tcpa"], &[PHONE]).await;
    let entry = json!([{"phone": PHONE, "expires_at": "2030-01-01 00:00:00"}]);
    assert_eq!(add_entries(&api, "tcpa", entry).await.status, 200);

    let (before, after) = ("2029-12-31T23:59:59Z", "2030-01-01T00:00:01Z");
    assert_eq!(lists_holding(&api, PHONE, before).await, ["tcpa"]);
    assert_eq!(claim_at(&api, project, before).await, None, "listed until the expiry");
    let state = at(
        &api,
        before,
        Method::GET,
        &format!("/dialbase/v1/records/{}", ids[0]),
        None,
    )
    .await;
    assert_eq!(state.body["record"]["next_callable_at"], "2030-01-01 00:00:00");

    assert!(lists_holding(&api, PHONE, after).await.is_empty());
    assert_eq!(
        list_counts(&api, after).await,
        counts(&[("default", 0, 0), ("tcpa", 1, 0)])
    );
    assert_eq!(claim_at(&api, project, after).await, Some(ids[0]), "callable again");
}

#[tokio::test]
async fn only_projects_applying_a_list_pass_over_its_numbers() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let (applying, _) = project_applying(&api, "Applies", &["tcpa"], &[PHONE]).await;
    let (ignoring, theirs) = project_applying(&api, "Ignores", &[], &[PHONE]).await;
    assert_eq!(add_entries(&api, "tcpa", json!([{"phone": PHONE}])).await.status, 200);
    assert_eq!(claim_id(&api, applying, "d").await, None);
    assert_eq!(claim_id(&api, ignoring, "d").await, Some(theirs[0]));

    // Rules that start or stop applying the list change the project's records at once.
    let (later, records) = project_applying(&api, "Later", &[], &[PHONE, OTHER_PHONE]).await;
    let rules_path = format!("/dialbase/v1/projects/{later}/rules");
    let rules = json!({"dnc_lists": ["default", "tcpa"]}).to_string();
    assert_eq!(api.put(&rules_path, &rules).await.status, 200);
    assert_eq!(
        claim_id(&api, later, "d").await,
        Some(records[1]),
        "the listed one is passed over"
    );
    assert_eq!(claim_id(&api, later, "d").await, None);
    assert_eq!(api.put(&rules_path, "{}").await.status, 200);
    assert_eq!(claim_id(&api, later, "d").await, Some(records[0]));
}

/// Records inserted or renumbered after an entry (insert, update, CSV import) carry it.
#[tokio::test]
async fn records_written_after_an_entry_follow_it() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let (project, _) = project_applying(&api, "Outbound", &["tcpa"], &[]).await;
    assert_eq!(add_entries(&api, "tcpa", json!([{"phone": PHONE}])).await.status, 200);
    let listed = add_records(&api, project, vec![record(PHONE, None)]).await[0];
    let free = add_records(&api, project, vec![record(OTHER_PHONE, None)]).await[0];
    assert_eq!(
        claim_id(&api, project, "d").await,
        Some(free),
        "an inserted record is flagged"
    );
    let release = json!({"owner": "d"}).to_string();
    assert_eq!(
        api.post(&format!("/dialbase/v1/records/{free}/release"), &release)
            .await
            .status,
        200
    );

    let modify = |id: i64, phone: &str| {
        let (api, path) = (&api, format!("/v2/projects/{project}/records/{id}"));
        let body = json!({"phone1": phone}).to_string();
        async move { assert_eq!(api.put(&path, &body).await.status, 200) }
    };
    modify(free, PHONE).await;
    assert_eq!(
        claim_id(&api, project, "d").await,
        None,
        "an update onto a listed number"
    );
    modify(listed, "3699999999").await;
    assert_eq!(claim_id(&api, project, "d").await, Some(listed), "an update off it");
}

#[tokio::test]
async fn the_default_list_is_the_robinson_list() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let (project, ids) = project_applying(&api, "Outbound", &[], &[PHONE]).await;

    let expiring = add_entries(
        &api,
        "default",
        json!([{"phone": PHONE, "expires_at": "2030-01-01 00:00:00"}]),
    )
    .await;
    assert_eq!(expiring.status, 400, "{}", expiring.text);
    assert_eq!(
        expiring.body["error"],
        "item 0: the Robinson list (default) has no expiry"
    );
    assert_eq!(robinson(&api, project, ids[0]).await, false);

    let entry = json!([{"phone": PHONE, "source": "web form", "reason": "unsubscribed"}]);
    assert_eq!(add_entries(&api, "default", entry).await.status, 200);
    assert_eq!(
        robinson(&api, project, ids[0]).await,
        true,
        "flagged as VCC's /v2/robinson flags"
    );
    assert_eq!(claim_id(&api, project, "d").await, None);
    let listed = api.get(&entries_path("default")).await;
    assert_eq!(listed.body["entries"][0]["reason"], "unsubscribed");
    assert_eq!(listed.body["entries"][0]["expires_at"], Value::Null);

    // Numbers VCC's API lists are on the same list.
    let reply = api
        .post("/v2/robinson", &json!({"phone": OTHER_PHONE}).to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        lists_holding(&api, OTHER_PHONE, "2029-01-01T00:00:00Z").await,
        ["default"]
    );
    assert_eq!(
        list_counts(&api, "2029-01-01T00:00:00Z").await,
        counts(&[("default", 2, 2)])
    );

    let one = format!("{}/{PHONE}", entries_path("default"));
    assert_eq!(api.delete(&one).await.status, 200);
    assert_eq!(robinson(&api, project, ids[0]).await, false);
    assert_eq!(claim_id(&api, project, "d").await, Some(ids[0]));
}

#[tokio::test]
async fn every_change_is_audited_with_who_and_when() {
    let db = Database::fresh();
    db.admin(&["key", "add", "mycc", "crm-sync", "--key", "crm-sync-key-1"]);
    let server = start(&db);
    let api = server.client();
    let crm = server.client_as("mycc", "crm-sync", "crm-sync-key-1");
    let path = entries_path("tcpa");
    let body = |entries: Value| Some(json!({"entries": entries}));
    let added = at(
        &api,
        "2029-03-01T10:00:00Z",
        Method::POST,
        &path,
        body(json!([{"phone": PHONE, "reason": "asked"}])),
    );
    assert_eq!(added.await.status, 200);
    let entry = json!([{"phone": PHONE, "expires_at": "2030-01-01 00:00:00", "source": "crm"}]);
    assert_eq!(
        at(&crm, "2029-03-02T10:00:00Z", Method::POST, &path, body(entry))
            .await
            .status,
        200
    );
    let removed = at(
        &crm,
        "2029-03-03T10:00:00Z",
        Method::DELETE,
        &format!("{path}/{PHONE}"),
        None,
    )
    .await;
    assert_eq!(removed.status, 200);
    assert_eq!(
        api.delete(&format!("{path}/{PHONE}")).await.status,
        404,
        "not audited: nothing changed"
    );
    let robinson_path = entries_path("default");
    let robinson = at(
        &api,
        "2029-03-04T10:00:00Z",
        Method::POST,
        &robinson_path,
        body(json!([{"phone": PHONE}])),
    );
    assert_eq!(robinson.await.status, 200);

    let changes = api.get("/dialbase/v1/dnc/lists/tcpa/changes").await;
    assert_eq!(changes.status, 200, "{}", changes.text);
    let lines: Vec<(String, String, String, Value)> = changes.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let text = |key: &str| c[key].as_str().unwrap().to_string();
            (
                text("action"),
                text("changed_by"),
                text("changed_at"),
                c["expires_at"].clone(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("add".into(), "mycc".into(), "2029-03-01 10:00:00".into(), Value::Null),
            (
                "add".into(),
                "crm-sync".into(),
                "2029-03-02 10:00:00".into(),
                json!("2030-01-01 00:00:00")
            ),
            (
                "remove".into(),
                "crm-sync".into(),
                "2029-03-03 10:00:00".into(),
                Value::Null
            ),
        ]
    );
    assert_eq!(changes.body["changes"][0]["reason"], "asked");
    assert_eq!(changes.body["changes"][1]["source"], "crm");

    let first = changes.body["changes"][0]["id"].as_i64().unwrap();
    let page = api
        .get(&format!("/dialbase/v1/dnc/lists/tcpa/changes?after={first}&limit=1"))
        .await;
    assert_eq!(page.body["count"], 1);
    assert_eq!(page.body["changes"][0]["changed_by"], "crm-sync");
    assert_eq!(page.body["next_after"], page.body["changes"][0]["id"]);
    // VCC's own Robinson calls are changes of the list `default` too.
    let vcc = crm
        .post("/v2/robinson", &json!({"phones": ["3655555555"]}).to_string())
        .await;
    assert_eq!(vcc.status, 200, "{}", vcc.text);
    assert_eq!(crm.delete("/v2/robinson/3655555555").await.status, 200);
    let robinson = api.get("/dialbase/v1/dnc/lists/default/changes").await;
    assert_eq!(robinson.body["changes"][0]["phone"], PHONE);
    assert_eq!(robinson.body["count"], 3);
    let vcc_add = &robinson.body["changes"][1];
    assert_eq!(
        (&vcc_add["action"], &vcc_add["changed_by"], &vcc_add["source"]),
        (&json!("add"), &json!("crm-sync"), &json!("vcc"))
    );
    assert_eq!(robinson.body["changes"][2]["action"], "remove");
}

#[tokio::test]
async fn two_tenants_never_see_each_others_lists() {
    let db = Database::fresh();
    db.admin(&["key", "add", "othercc", "other", "--key", "other-key-123"]);
    let server = start(&db);
    let api = server.client();
    let theirs = server.client_as("othercc", "other", "other-key-123");
    let (project, ids) = project_applying(&api, "Outbound", &["tcpa"], &[PHONE]).await;
    let (their_project, their_ids) = project_applying(&theirs, "Theirs", &["tcpa"], &[PHONE]).await;
    assert_eq!(add_entries(&api, "tcpa", json!([{"phone": PHONE}])).await.status, 200);

    let now = "2029-01-01T00:00:00Z";
    assert_eq!(list_counts(&theirs, now).await, counts(&[("default", 0, 0)]));
    assert_eq!(theirs.get(&entries_path("tcpa")).await.body["entries"], json!([]));
    assert_eq!(
        theirs.get("/dialbase/v1/dnc/lists/tcpa/changes").await.body["changes"],
        json!([])
    );
    assert!(lists_holding(&theirs, PHONE, now).await.is_empty());
    assert_eq!(
        theirs.delete(&format!("{}/{PHONE}", entries_path("tcpa"))).await.status,
        404
    );
    assert_eq!(
        claim_id(&theirs, their_project, "d").await,
        Some(their_ids[0]),
        "their record is callable"
    );
    assert_eq!(claim_id(&api, project, "d").await, None);

    // Their list with the same name and number leaves ours alone.
    assert_eq!(
        add_entries(&theirs, "tcpa", json!([{"phone": PHONE}])).await.status,
        200
    );
    assert_eq!(
        api.delete(&format!("{}/{PHONE}", entries_path("tcpa"))).await.status,
        200
    );
    assert_eq!(claim_id(&api, project, "d").await, Some(ids[0]));
    assert_eq!(lists_holding(&theirs, PHONE, now).await, ["tcpa"]);
}

#[tokio::test]
async fn a_dnc_result_puts_the_dialed_number_on_a_named_list() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let project = api.project("Complaints").await;
    let rules = json!({"dnc_lists": ["complaints"], "dispositions": {"9": {"action": "dnc", "list": "complaints"}}});
    let reply = api
        .put(&format!("/dialbase/v1/projects/{project}/rules"), &rules.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let ids = add_records(&api, project, vec![record(PHONE, None), record(PHONE, None)]).await;

    let claimed = claim_id(&api, project, "dialer-1").await.unwrap();
    let release = json!({"owner": "dialer-1", "dispositionid": 9, "userid": "agent-7"});
    let path = format!("/dialbase/v1/records/{claimed}/release");
    let released = api.post(&path, &release.to_string()).await;
    assert_eq!(released.status, 200, "{}", released.text);
    assert_eq!(released.body["record"]["robinson"], false, "not the Robinson list");
    assert_eq!(
        claim_id(&api, project, "dialer-1").await,
        None,
        "its twin holds the same number"
    );

    let listed = api.get(&entries_path("complaints")).await;
    let entry = &listed.body["entries"][0];
    assert_eq!(
        (&entry["phone"], &entry["source"]),
        (&json!(PHONE), &json!("disposition"))
    );
    assert_eq!(entry["reason"], format!("disposition 9 of record {claimed}"));
    assert_eq!(entry["created_by"], "dialer-1");
    let changes = api.get("/dialbase/v1/dnc/lists/complaints/changes").await;
    assert_eq!(changes.body["changes"][0]["changed_by"], "dialer-1");
    let twin = ids.iter().find(|&&id| id != claimed).unwrap();
    let state = api.get(&format!("/dialbase/v1/records/{twin}")).await;
    assert_eq!(state.body["record"]["next_callable_at"], Value::Null, "listed for good");
}

fn dialbase_dnc(db: &Database, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dialbase"))
        .arg("dnc")
        .args(args)
        .env("DIALBASE_DATABASE", &db.url)
        .output()
        .expect("run dialbase dnc")
}

#[tokio::test]
async fn the_cli_adds_and_removes_entries_from_csv() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let (project, ids) = project_applying(&api, "Imported", &["import"], &[PHONE]).await;
    let dir = tempfile::tempdir().unwrap();
    let adds = dir.path().join("add.csv");
    std::fs::write(
        &adds,
        "phone,expires_at,reason\n\
         +36 1 234 5678,,asked on the phone\n\
         not a number,,x\n\
         12125550100,2099-01-01 00:00:00,\n\
         3611111111,next year,\n",
    )
    .unwrap();
    let file = adds.to_str().unwrap();
    let args = [
        "add",
        "--tenant",
        "mycc",
        "--list",
        "import",
        "--file",
        file,
        "--source",
        "crm-export",
        "--by",
        "alice",
    ];
    let out = dialbase_dnc(&db, &args);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(!out.status.success(), "a rejected line makes the exit status non-zero");
    assert_eq!(stdout.trim(), "2 entries added to import, 2 rejected");
    assert!(
        stderr.contains("line 3: 'not a number' is not a phone number"),
        "{stderr}"
    );
    assert!(stderr.contains("line 5:"), "{stderr}");

    let check = json!({"phones": [PHONE, OTHER_PHONE]});
    let reply = at(
        &api,
        "2029-01-01T00:00:00Z",
        Method::POST,
        "/dialbase/v1/dnc/check",
        Some(check),
    )
    .await;
    let numbers = &reply.body["numbers"];
    assert_eq!(numbers[0]["lists"][0]["reason"], "asked on the phone");
    assert_eq!(numbers[0]["lists"][0]["source"], "crm-export");
    assert_eq!(numbers[0]["lists"][0]["created_by"], "alice");
    assert_eq!(numbers[1]["lists"][0]["expires_at"], "2099-01-01 00:00:00");
    assert_eq!(claim_id(&api, project, "d").await, None);

    let removes = dir.path().join("remove.csv");
    std::fs::write(&removes, "name,phone\nPeter,3612345678\nNobody,3699999999\n").unwrap();
    let file = removes.to_str().unwrap();
    let out = dialbase_dnc(&db, &["remove", "--tenant", "mycc", "--list", "import", "--file", file]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "1 entries removed from import, 1 not listed, 0 rejected"
    );
    assert_eq!(claim_id(&api, project, "d").await, Some(ids[0]));
    let changes = api.get("/dialbase/v1/dnc/lists/import/changes").await;
    assert_eq!(changes.body["changes"][2]["action"], "remove");
    assert_eq!(changes.body["changes"][2]["changed_by"], "cli");

    let out = dialbase_dnc(&db, &["add", "--tenant", "nobody", "--list", "import", "--file", file]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
}

#[tokio::test]
async fn bad_input_is_refused_whole_with_the_item_index() {
    let db = Database::fresh();
    let server = start(&db);
    let api = server.client();
    let now = "2029-01-01T00:00:00Z";
    for (entries, index, code) in [
        (json!([{"phone": PHONE}, {"phone": "12ab"}]), 1, "wrong_phone_format"),
        (json!([{"phone": PHONE, "expires_at": "soon"}]), 0, "wrong_date_format"),
        (
            json!([{"phone": PHONE}, {"phone": PHONE, "colour": "red"}]),
            1,
            "wrong_entry",
        ),
        (
            json!([{"phone": PHONE}, {"phone": PHONE, "reason": "a\u{7}b"}]),
            1,
            "wrong_label",
        ),
    ] {
        let reply = add_entries(&api, "tcpa", entries).await;
        assert_eq!(reply.status, 400, "{}", reply.text);
        assert_eq!(
            (reply.body["index"].as_u64(), reply.body["code"].as_str()),
            (Some(index), Some(code))
        );
        assert_eq!(reply.body["status"], 400);
    }
    let too_many: Vec<Value> = (0..10_001u64)
        .map(|n| json!({"phone": (3_600_000_000u64 + n).to_string()}))
        .collect();
    let reply = add_entries(&api, "tcpa", Value::Array(too_many)).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(
        (reply.body["index"].as_u64(), reply.body["code"].as_str()),
        (Some(10_000), Some("too_many_entries"))
    );
    assert_eq!(
        list_counts(&api, now).await,
        counts(&[("default", 0, 0)]),
        "nothing stored"
    );

    let reply = add_entries(&api, "no%20spaces", json!([{"phone": PHONE}])).await;
    assert_eq!(
        (reply.status.as_u16(), reply.body["code"].as_str()),
        (400, Some("wrong_dnc_list"))
    );
    let reply = api.get(&format!("{}?limit=0", entries_path("tcpa"))).await;
    assert_eq!(
        (reply.status.as_u16(), reply.body["code"].as_str()),
        (400, Some("wrong_limit"))
    );
    let reply = api
        .post("/dialbase/v1/dnc/check", r#"{"phones": ["3612345678", "x"]}"#)
        .await;
    assert_eq!((reply.status.as_u16(), reply.body["index"].as_u64()), (400, Some(1)));
    let reply = api.post("/dialbase/v1/dnc/check", r#"{"numbers": []}"#).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    let reply = api.delete(&format!("{}/12ab", entries_path("tcpa"))).await;
    assert_eq!(
        (reply.status.as_u16(), reply.body["code"].as_str()),
        (400, Some("wrong_phone_format"))
    );
}
