//! `GET /dialbase/v1/projects/{projectid}/export`: a whole project streamed as NDJSON or CSV.

use crate::common::{Client, Database, Server};
use reqwest::Method;
use serde_json::{Value, json};

fn export_path(project: i64, format: Option<&str>) -> String {
    match format {
        Some(format) => format!("/dialbase/v1/projects/{project}/export?format={format}"),
        None => format!("/dialbase/v1/projects/{project}/export"),
    }
}

fn ndjson(text: &str) -> Vec<Value> {
    assert!(text.is_empty() || text.ends_with('\n'), "every line ends: {text:?}");
    text.lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

/// Two VCC Live records (one with a multi-value field and a contact), a jtel contact with
/// user data, locked, and a number on the Robinson list; returns the project and the ids.
async fn leads(api: &Client) -> (i64, Vec<i64>) {
    let project = api.project("Leads").await;
    api.multi_value_field(project, "likes").await;
    let body = json!([
        {"form": {"name": "Peter Green", "likes": "sports|movies"}, "next_calldate": "2030-01-01 08:00:00",
         "contacts": {"1": {"name": "Peter", "phone": "3619997400", "email": "peter@example.com"}}},
        {"form": {"name": "Rachel Smith", "likes": "books"}, "contacts": {"2": {"phone": "449997400"}}},
    ]);
    let mut ids = api.add_records(project, &body.to_string()).await;
    let jtel = json!({"DiallerCampaignsID": project, "UserData": "crm-3", "Name": "Jane, \"JJ\" Doe", "PhoneNumber1": "3619997401"});
    let reply = api.post("/dialler/contacts/contact", &jtel.to_string()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    ids.push(reply.body["records"][0]["DiallerContactsID"].as_i64().expect("jtel id"));
    let reply = api.patch(&format!("/dialler/contacts/contact/{}/lock", ids[2])).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let reply = api.post("/v2/robinson", r#"{"phones": ["449997400"]}"#).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    (project, ids)
}

#[tokio::test]
async fn ndjson_holds_every_record_in_id_order() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let (project, ids) = leads(&api).await;

    let reply = api.get(&export_path(project, None)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.headers["content-type"], "application/x-ndjson");
    let lines = ndjson(&reply.text);
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        json!({"numberid": ids[0], "projectid": project, "user_data": null, "phone_field": null,
               "next_calldate": "2030-01-01 08:00:00", "locked": false, "robinson": false,
               "form": {"name": "Peter Green", "likes": "sports|movies", "phone1": "3619997400"},
               "contacts": {"phone1": {"title": null, "name": "Peter", "phone": "3619997400", "email": "peter@example.com"}}})
    );
    assert_eq!(lines[1]["numberid"], ids[1]);
    assert_eq!(lines[1]["form"]["likes"], "books");
    assert_eq!(lines[1]["robinson"], true, "its number is on the Robinson list");
    assert_eq!(lines[1]["contacts"]["phone2"]["phone"], "449997400");
    assert_eq!(lines[2]["numberid"], ids[2]);
    assert_eq!(lines[2]["user_data"], "crm-3");
    assert_eq!(lines[2]["locked"], true);
    assert_eq!(
        lines[2]["form"]["name"], "Jane, \"JJ\" Doe",
        "jtel's Name is the canonical name"
    );
    assert_eq!(lines[2]["contacts"], json!({}));

    let explicit = api.get(&export_path(project, Some("ndjson"))).await;
    assert_eq!(explicit.text, reply.text);
}

#[tokio::test]
async fn csv_is_what_the_cli_exports() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let (project, ids) = leads(&api).await;

    let reply = api.get(&export_path(project, Some("csv"))).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.headers["content-type"], "text/csv; charset=utf-8");
    let lines: Vec<&str> = reply.text.lines().collect();
    assert_eq!(
        lines,
        [
            "numberid,next_calldate,phone_field,user_data,likes,name,phone1,phone2",
            &format!("{},2030-01-01 08:00:00,,,sports|movies,Peter Green,3619997400,", ids[0]),
            &format!("{},,,,books,Rachel Smith,,449997400", ids[1]),
            &format!("{},,,crm-3,,\"Jane, \"\"JJ\"\" Doe\",3619997401,", ids[2]),
        ]
    );
    let cli = db.admin(&["export", "mycc", &project.to_string()]);
    assert_eq!(cli, reply.text, "the CLI and the HTTP export share one layout");
}

#[tokio::test]
async fn a_project_of_several_pages_streams_whole_and_in_order() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Big").await;
    // More than two pages of the export (2,000 records each), one request to add them.
    let count = 4_100;
    let records: Vec<Value> = (0..count).map(|i| json!({"form": {"n": i.to_string()}})).collect();
    let ids = api.add_records(project, &Value::Array(records).to_string()).await;
    assert_eq!(ids.len(), count);

    let lines = ndjson(&api.get(&export_path(project, None)).await.text);
    let exported: Vec<i64> = lines.iter().map(|l| l["numberid"].as_i64().unwrap()).collect();
    assert_eq!(exported, ids);
    assert_eq!(lines[count - 1]["form"]["n"], (count - 1).to_string());
    let csv = api.get(&export_path(project, Some("csv"))).await.text;
    assert_eq!(csv.lines().count(), count + 1, "a header and one row per record");
}

#[tokio::test]
async fn an_empty_project_exports_nothing_but_the_csv_header() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Empty").await;
    let reply = api.get(&export_path(project, None)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.text, "");
    api.multi_value_field(project, "likes").await;
    let reply = api.get(&export_path(project, Some("csv"))).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.text, "numberid,next_calldate,phone_field,user_data,likes\n");
}

#[tokio::test]
async fn only_the_tenants_own_projects_export_and_only_with_credentials() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let (project, _) = leads(&api).await;
    db.admin(&["key", "add", "other", "other", "--key", "other-key-123"]);
    let theirs = server.client_as("other", "other", "other-key-123");

    for format in [None, Some("csv")] {
        let reply = theirs.get(&export_path(project, format)).await;
        assert_eq!(reply.status, 404, "another tenant's project: {}", reply.text);
        assert_eq!(reply.body["status"], 404);
        assert!(reply.body["error"].is_string(), "{}", reply.text);
        let reply = api.get(&export_path(project + 1000, format)).await;
        assert_eq!(reply.status, 404, "unknown project: {}", reply.text);
    }
    let reply = api.get("/dialbase/v1/projects/x/export").await;
    assert_eq!(reply.status, 404, "{}", reply.text);

    let anonymous = crate::common::http_client()
        .get(format!("{}{}", api.base, export_path(project, None)))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong = server.client_as("mycc", "mycc", "wrong-key");
    let reply = wrong.send(Method::GET, &export_path(project, None), None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.body["status"], 401);

    let reply = api.get(&export_path(project, Some("xml"))).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(reply.body["status"], 400);
}
