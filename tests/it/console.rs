//! The web console over plain HTTP: every page answers with its key text, forms without
//! the session's CSRF token change nothing, and another tenant's pages are refused.
//! (The browser drives it in `console_browser`.)

use crate::common::console::{Console, csrf_of};
use crate::common::{Database, KEY, Server, TENANT, USER};
use reqwest::StatusCode;

async fn project_with_records(console: &Console) -> i64 {
    let created = console.post("/projects", &[("name", "Spring leads")]).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let location = created.location.clone().expect("to the project");
    let project: i64 = location
        .trim_start_matches(&format!("{}/projects/", console.base))
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("a project id");
    console
        .follow(&created)
        .await
        .assert_ok("Project Spring leads created.");
    let job = console
        .import(
            project,
            "name,phone1,city\nPeter Green,3619997400,Budapest\nAnna Black,+36 1 999 7401,Szeged\n\"broken,\n",
        )
        .await;
    let progress = console.get_url(job["progress"].as_str().unwrap()).await;
    let progress: serde_json::Value = serde_json::from_str(&progress.text).unwrap();
    assert_eq!(progress["outcome"], "done", "{progress}");
    assert_eq!(progress["percent"], 100);
    assert_eq!(progress["stored"], 2);
    project
}

#[tokio::test]
async fn landing_page_links_the_console_and_the_api_reference() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let visitor = Console::signed_out(&server, TENANT);
    let landing = visitor.get_url("/").await;
    landing.assert_ok("Open the console");
    assert!(landing.text.contains("href=\"/api/\"") && landing.text.contains("href=\"/openapi.json\""));
    let to_console = visitor.get_url("/?customer=mycc").await;
    assert_eq!(to_console.location.as_deref(), Some("/mycc/console/"));
    visitor.get_url("/api/").await.assert_ok("Dialbase API reference");
    visitor.get_url("/assets/console.css").await.assert_ok("--accent");
    visitor.get("/assets/console.js").await.assert_ok("import-form");
    // Signed out, every page leads to the sign-in form.
    for path in ["/", "/dnc", "/keys", "/projects/1", "/projects/1/import"] {
        let page = visitor.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location.as_deref(), Some("/mycc/console/login"), "{path}");
    }
}

#[tokio::test]
async fn sign_in_needs_the_right_key_and_the_forms_token_and_sign_out_ends_the_session() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let mut visitor = Console::signed_out(&server, TENANT);
    let wrong = visitor.try_sign_in(USER, "not-the-key").await;
    assert_eq!(wrong.status, StatusCode::SEE_OTHER);
    visitor.follow(&wrong).await.assert_ok("Wrong user or key.");
    // A sign-in form posted from elsewhere has no token: refused, even with the right key.
    let forged = visitor.post_raw("/login", &[("user", USER), ("key", KEY)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let console = Console::sign_in(&server, TENANT, USER, KEY).await;
    let signed_out = console.post("/logout", &[]).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert!(
        signed_out
            .set_cookies
            .iter()
            .any(|c| c.starts_with("dialbase_session=;"))
    );
    let after = console.get("/").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the old cookie no longer works");
}

#[tokio::test]
async fn every_page_shows_its_data_and_its_forms_work() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let console = Console::sign_in(&server, TENANT, USER, KEY).await;
    let project = project_with_records(&console).await;
    let base = format!("/projects/{project}");

    // Projects, with the live fragment.
    let home = console.get("/").await;
    home.assert_ok("Spring leads");
    assert!(home.text.contains("data-refresh"));
    let table = console.get("/projects/table").await;
    table.assert_ok("Due now");
    assert!(table.text.contains("<td class=\"num\">2</td>"), "{}", table.text);

    // Records: all, by field value, by phone (any spelling), newest first.
    let records = console.get(&base).await;
    records.assert_ok("Peter Green");
    assert!(records.text.contains("2 records"));
    let by_value = console.get(&format!("{base}?field=city&value=Sze%25")).await;
    by_value.assert_ok("Anna Black");
    assert!(!by_value.text.contains("Peter Green"));
    let by_phone = console.get(&format!("{base}?phone=%2B3619997400")).await;
    by_phone.assert_ok("Peter Green");
    assert!(!by_phone.text.contains("Anna Black"));
    let newest = console.get(&format!("{base}?order=desc")).await;
    assert!(newest.text.find("Anna Black") < newest.text.find("Peter Green"));

    // A record: values, lock and unlock.
    let record = console.get(&format!("{base}/records/1")).await;
    record.assert_ok("Budapest");
    assert!(record.text.contains("Lock (never dial)"));
    let locked = console
        .post(&format!("{base}/records/1/lock"), &[("locked", "true")])
        .await;
    console.follow(&locked).await.assert_ok("Record locked");
    let jtel = server.client().get("/dialler/contacts/contact/1").await;
    assert_eq!(jtel.body["records"][0]["bLocked"], true, "{}", jtel.text);
    let unlocked = console
        .post(&format!("{base}/records/1/lock"), &[("locked", "false")])
        .await;
    console.follow(&unlocked).await.assert_ok("Record unlocked.");

    // The import's report lists the rejected line.
    let report = console.get("/imports/1").await;
    report.assert_ok("Records stored");

    // Fields and values: add a list field, add, rename and delete a value.
    let added = console
        .post(
            &format!("{base}/fields"),
            &[("name", "status"), ("kind", "simple"), ("label", "")],
        )
        .await;
    console.follow(&added).await.assert_ok("Field status added.");
    let fields = console.get(&format!("{base}/fields")).await;
    let field_id = fields
        .text
        .split(&format!("{}{base}/fields/", console.base))
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|id| id.parse::<i64>().ok())
        .expect("the new field's form");
    let value = console
        .post(&format!("{base}/fields/{field_id}/values"), &[("name", "new")])
        .await;
    console.follow(&value).await.assert_ok("Value new added.");
    let fields = console.get(&format!("{base}/fields")).await;
    let value_id: i64 = fields
        .text
        .split(&format!("/fields/{field_id}/values/"))
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|id| id.parse().ok())
        .expect("the value's rename form");
    let renamed = console
        .post(
            &format!("{base}/fields/{field_id}/values/{value_id}/rename"),
            &[("name", "fresh")],
        )
        .await;
    console.follow(&renamed).await.assert_ok("Value renamed to fresh.");
    let deleted = console
        .post(&format!("{base}/fields/{field_id}/values/{value_id}/delete"), &[])
        .await;
    console.follow(&deleted).await.assert_ok("Value deleted.");

    // Import page and export download.
    console
        .get(&format!("{base}/import"))
        .await
        .assert_ok("Upload and import");
    let export = console.get(&format!("{base}/export.csv")).await;
    export.assert_ok("Peter Green");
    assert!(export.text.starts_with("numberid,"));

    // Dialing rules: shown as a form, saved, wrong values refused with the reason.
    console.get(&format!("{base}/rules")).await.assert_ok("Calling hours");
    let saved = console
        .post(
            &format!("{base}/rules"),
            &[
                ("hours_on", "on"),
                ("mon_start", "09:00"),
                ("mon_end", "17:30"),
                ("holidays", "2026-12-25\n2026-12-26"),
                ("default_country", "HU"),
                ("max_attempts", "3"),
                ("dispositions", r#"{"7": {"action": "done"}}"#),
            ],
        )
        .await;
    console.follow(&saved).await.assert_ok("Rules saved.");
    let api = server
        .client()
        .get(&format!("/dialbase/v1/projects/{project}/rules"))
        .await;
    let rules = &api.body["rules"];
    assert_eq!(
        rules["calling_hours"]["mon"],
        serde_json::json!(["09:00", "17:30"]),
        "{}",
        api.text
    );
    assert_eq!(rules["calling_hours"]["tue"], serde_json::Value::Null);
    assert_eq!(rules["holidays"], serde_json::json!(["2026-12-25", "2026-12-26"]));
    assert_eq!(rules["retries"]["max_attempts"], 3);
    assert_eq!(rules["dispositions"]["7"]["action"], "done");
    let form = console.get(&format!("{base}/rules")).await;
    assert!(form.text.contains("value=\"17:30\"") && form.text.contains("2026-12-26"));
    for wrong in [
        ("max_attempts", "many"),
        ("default_country", "XX"),
        ("dispositions", "{not json"),
    ] {
        let refused = console.post(&format!("{base}/rules"), &[wrong]).await;
        let page = console.follow(&refused).await;
        assert!(page.text.contains("notice error"), "{wrong:?} accepted");
    }
    let unchanged = server
        .client()
        .get(&format!("/dialbase/v1/projects/{project}/rules"))
        .await;
    assert_eq!(unchanged.body["rules"]["retries"]["max_attempts"], 3);

    // Do-not-call: add, find, remove.
    let dnc = console
        .post("/dnc/add", &[("phone", "+36 1 999 7400"), ("list", "default")])
        .await;
    console
        .follow(&dnc)
        .await
        .assert_ok("3619997400 is on the list default.");
    console.get("/dnc?q=36199").await.assert_ok("3619997400");
    let refreshed = console.get("/projects/table").await;
    assert!(refreshed.text.contains("<td class=\"num\">1</td>"));
    let removed = console
        .post("/dnc/remove", &[("phone", "3619997400"), ("list", "default")])
        .await;
    console
        .follow(&removed)
        .await
        .assert_ok("3619997400 taken off the list.");

    // API keys: create a scoped key (shown once, works), revoke it at once, not one's own.
    let created = console
        .post(
            "/keys",
            &[
                ("user", "crm"),
                ("role", "read-write"),
                ("projects", &project.to_string()),
            ],
        )
        .await;
    created.assert_ok("Copy it now");
    let key = created
        .text
        .split("id=\"new-key\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the key")
        .to_string();
    let key_id = created
        .text
        .split("Key #")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("the key's id")
        .to_string();
    let crm = server.client_as(TENANT, "crm", &key);
    assert_eq!(crm.get(&format!("/v2/projects/{project}")).await.status, StatusCode::OK);
    let keys = console.get("/keys").await;
    keys.assert_ok("read-write");
    assert!(keys.text.contains(&format!("<td>{project}</td>")), "{}", keys.text);
    let revoked = console.post("/keys/revoke", &[("key", &key_id)]).await;
    console
        .follow(&revoked)
        .await
        .assert_ok(&format!("Key #{key_id} of crm revoked."));
    assert_eq!(
        crm.get(&format!("/v2/projects/{project}")).await.status,
        StatusCode::UNAUTHORIZED
    );
    let own = console.post("/keys/revoke", &[("key", "1")]).await;
    console
        .follow(&own)
        .await
        .assert_ok("You cannot revoke the key you are signed in with.");

    // Only an admin key for every project opens the console.
    let mut reader = Console::signed_out(&server, TENANT);
    let created = console
        .post("/keys", &[("user", "viewer"), ("role", "read-only")])
        .await;
    let viewer_key = created
        .text
        .split("id=\"new-key\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap();
    let refused = reader.try_sign_in("viewer", viewer_key).await;
    reader
        .follow(&refused)
        .await
        .assert_ok("The console needs an admin key for all projects.");
}

#[tokio::test]
async fn forms_without_the_sessions_csrf_token_are_refused_and_change_nothing() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let console = Console::sign_in(&server, TENANT, USER, KEY).await;
    let project = project_with_records(&console).await;
    let base = format!("/projects/{project}");
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/projects".into(), vec![("name", "Forged")]),
        (format!("{base}/records/1/lock"), vec![("locked", "true")]),
        (format!("{base}/fields"), vec![("name", "forged"), ("kind", "text")]),
        (format!("{base}/rules"), vec![("rules", "{}")]),
        (format!("{base}/imports"), vec![("size", "10")]),
        ("/dnc/add".into(), vec![("phone", "3619990000"), ("list", "default")]),
        ("/dnc/remove".into(), vec![("phone", "3619990000"), ("list", "default")]),
        ("/keys".into(), vec![("user", "forged")]),
        ("/keys/revoke".into(), vec![("key", "1")]),
        ("/logout".into(), vec![]),
    ];
    for (path, fields) in &forms {
        let mut with_wrong = vec![("csrf", "0000")];
        with_wrong.extend_from_slice(fields);
        for attempt in [fields.clone(), with_wrong] {
            let page = console.post_raw(path, &attempt).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path} {attempt:?}: {}", page.text);
        }
    }
    // The upload needs the token in its header.
    let job = console.post(&format!("{base}/imports"), &[("size", "10")]).await;
    let job: serde_json::Value = serde_json::from_str(&job.text).unwrap();
    let upload = crate::common::http_client()
        .put(format!("{}{}", console.root, job["upload"].as_str().unwrap()))
        .header("cookie", &console.cookie)
        .body("name\nx\n")
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::FORBIDDEN);

    let home = console.get("/").await;
    assert!(!home.text.contains("Forged"));
    assert!(
        console
            .get(&format!("{base}/records/1"))
            .await
            .text
            .contains("Lock (never dial)")
    );
    assert!(!console.get("/keys").await.text.contains("forged"));
    assert!(!console.get("/dnc").await.text.contains("3619990000"));
    assert_eq!(csrf_of(&home.text).as_deref(), Some(console.csrf.as_str()));
}

#[tokio::test]
async fn another_tenants_console_refuses_the_session_and_its_data_stays_apart() {
    let db = Database::fresh();
    let server = Server::start(&db);
    db.admin(&["tenant", "add", "other"]);
    db.admin(&["key", "add", "other", "boss", "--key", "other-key-1234"]);
    let mine = Console::sign_in(&server, TENANT, USER, KEY).await;
    let project = project_with_records(&mine).await;
    let theirs = Console::sign_in(&server, "other", "boss", "other-key-1234").await;
    assert!(!theirs.get("/").await.text.contains("Spring leads"));

    // My cookie on their console's pages: refused, whatever the page.
    let mut intruder = Console::signed_out(&server, "other");
    intruder.cookie = mine.cookie.clone();
    intruder.csrf = mine.csrf.clone();
    for path in ["/", "/dnc", "/keys", "/projects/table", &format!("/projects/{project}")] {
        assert_eq!(intruder.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        intruder.post("/projects", &[("name", "Planted")]).await.status,
        StatusCode::FORBIDDEN
    );
    // Their session on my project's pages and my import: not found.
    for path in [
        format!("/projects/{project}"),
        format!("/projects/{project}/records/1"),
        format!("/projects/{project}/fields"),
        format!("/projects/{project}/rules"),
        format!("/projects/{project}/export.csv"),
        "/imports/1".to_string(),
        "/imports/1/progress".to_string(),
    ] {
        assert_eq!(theirs.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let lock = theirs
        .post(&format!("/projects/{project}/records/1/lock"), &[("locked", "true")])
        .await;
    assert_eq!(lock.status, StatusCode::NOT_FOUND);
    assert!(!theirs.get("/keys").await.text.contains(&format!(">{USER}<")));
}

#[tokio::test]
async fn the_console_answers_where_the_host_names_the_tenant() {
    let db = Database::fresh();
    let server = Server::start(&db);
    dialbase::install_tls_provider();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = http
        .get(format!("{}/console/login", server.base))
        .header("host", "mycc.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("Path=/console/"), "{cookie}");
    let text = login.text().await.unwrap();
    assert!(text.contains("Sign in to mycc"));
    // Behind a TLS proxy the cookies are Secure.
    let tls = http
        .get(format!("{}/console/login", server.base))
        .header("host", "mycc.example.com")
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(tls.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
}

#[tokio::test]
async fn an_upload_streams_past_the_body_limit() {
    let db = Database::fresh();
    let server = Server::start_with(&db, &[("DIALBASE_BODY_LIMIT", "4096")]);
    let console = Console::sign_in(&server, TENANT, USER, KEY).await;
    let created = console.post("/projects", &[("name", "Big")]).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let mut csv = String::from("name,phone1\n");
    for i in 0..5_000 {
        csv.push_str(&format!("Lead {i},36199{i:05}\n"));
    }
    csv.push_str("bad \"quote,x\n");
    assert!(csv.len() > 4096 * 20);
    let job = console.import(1, &csv).await;
    let progress = console.get_url(job["progress"].as_str().unwrap()).await;
    let progress: serde_json::Value = serde_json::from_str(&progress.text).unwrap();
    assert_eq!(progress["stored"], 5000, "{progress}");
    assert_eq!(progress["outcome"], "done");
    // The API's own bodies still have the limit.
    let big = server.client().post("/v2/projects", &"x".repeat(5000)).await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// Starts an upload whose client sends the header line and then waits: the returned socket
/// keeps it running until dropped.
async fn hanging_upload(console: &Console, project: i64) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let job = console
        .post(&format!("/projects/{project}/imports"), &[("size", "1000")])
        .await;
    assert_eq!(job.status, StatusCode::CREATED, "{}", job.text);
    let job: serde_json::Value = serde_json::from_str(&job.text).unwrap();
    let address = console.root.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "PUT {} HTTP/1.1\r\nHost: {address}\r\nCookie: {}\r\nX-CSRF-Token: {}\r\nContent-Length: 1000\r\n\r\nname,phone1\n",
        job["upload"].as_str().unwrap(),
        console.cookie,
        console.csrf
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket
}

#[tokio::test]
async fn a_node_runs_four_uploads_at_once_and_refuses_a_fifth_until_one_ends() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let console = Console::sign_in(&server, TENANT, USER, KEY).await;
    let created = console.post("/projects", &[("name", "Uploads")]).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let mut running = Vec::new();
    for _ in 0..4 {
        running.push(hanging_upload(&console, 1).await);
    }
    // The four have reached the server (their header lines are stored as they arrive).
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let job = console.post("/projects/1/imports", &[("size", "20")]).await;
    let job: serde_json::Value = serde_json::from_str(&job.text).unwrap();
    let fifth = crate::common::http_client()
        .put(format!("{}{}", console.root, job["upload"].as_str().unwrap()))
        .header("cookie", &console.cookie)
        .header("x-csrf-token", &console.csrf)
        .body("name,phone1\nAnna,3612345678\n")
        .send()
        .await
        .unwrap();
    assert_eq!(fifth.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(fifth.headers().contains_key("retry-after"));
    // The server still answers everything else meanwhile.
    assert_eq!(server.client().get("/v2/projects").await.status, StatusCode::OK);
    drop(running);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let job = console.import(1, "name,phone1\nAnna,3612345678\n").await;
    let progress = console.get_url(job["progress"].as_str().unwrap()).await;
    assert!(progress.text.contains("\"stored\":1"), "{}", progress.text);
}
