//! `dialbase import` / `dialbase export`: CSV in and out of a project, next to a running server.

use crate::common::{Database, Server};
use std::process::Command;

#[tokio::test]
async fn csv_import_resolves_values_and_export_writes_them_back() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Leads").await;
    api.multi_value_field(project, "likes").await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("leads.csv");
    std::fs::write(
        &csv,
        "name,likes,phone1,next_calldate,user_data\n\
         Peter Green,sports|movies,+36 1 999 7400,2030-01-01 08:00:00,crm-1\n\
         Rachel Smith,books,449997400,,crm-2\n\
         Bad Date,books,449997401,2030-02-30 08:00:00,crm-3\n",
    )
    .unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_dialbase"))
        .args(["import", "mycc", &project.to_string()])
        .arg(&csv)
        .env("DIALBASE_DATABASE", &db.url)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a rejected row makes the exit status non-zero");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "2 records imported, 1 rejected"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 4"),
        "the rejected row is named by its line"
    );

    let peter = api.get(&format!("/v2/projects/{project}/records/1")).await.body["response"].clone();
    assert_eq!(peter["values"]["likes"], "sports|movies");
    assert_eq!(
        peter["data"]["likes"].as_array().unwrap().len(),
        2,
        "multi-value text resolved to value ids"
    );
    assert_eq!(peter["data"]["phone1"], "3619997400");
    assert_eq!(peter["next_calldate"], "2030-01-01 08:00:00");

    let exported = db.admin(&["export", "mycc", &project.to_string()]);
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(
        lines[0],
        "numberid,next_calldate,phone_field,user_data,likes,name,phone1"
    );
    assert_eq!(
        lines[1],
        "1,2030-01-01 08:00:00,,crm-1,sports|movies,Peter Green,3619997400"
    );
    assert_eq!(lines[2], "2,,,crm-2,books,Rachel Smith,449997400");
    assert_eq!(lines.len(), 3);
}

#[test]
fn import_into_an_unknown_tenant_or_project_fails_cleanly() {
    let db = Database::fresh();
    db.admin(&["tenant", "add", "mycc"]);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("x.csv");
    std::fs::write(&csv, "name\nx\n").unwrap();
    for (tenant, project) in [("nobody", "1"), ("mycc", "42")] {
        let out = Command::new(env!("CARGO_BIN_EXE_dialbase"))
            .args(["import", tenant, project])
            .arg(&csv)
            .env("DIALBASE_DATABASE", &db.url)
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "), "{out:?}");
    }
}
