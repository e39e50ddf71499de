//! Every answer on a dialect's path is in that dialect's format (issue 14, item 4): unknown
//! paths, wrong methods (with `Allow`), 413, 429, a panic (500), a wrong Content-Type where
//! the dialect requires one; repeated and trailing slashes are the path without them. One
//! table, run under the `/{customer}` prefix and with the tenant in the Host header. The
//! console and `/openapi.json` keep their own answers.

use crate::common::{Database, KEY, Server, TENANT, USER, http_client};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Bodies over this are refused (the server is started with it).
const BODY_LIMIT: usize = 4096;
/// A user whose failed logins have blocked it: every call of it is a 429.
const BLOCKED_USER: &str = "blocked";
const BLOCKED_KEY: &str = "blocked-key-1";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Dialect {
    Vcc,
    Iovox,
    Jtel,
    Dialbase,
}

/// How the request names its tenant.
#[derive(Debug, Clone, Copy)]
enum Form {
    Prefix,
    Host,
}

struct Call {
    method: Method,
    path: String,
    body: Option<String>,
    content_type: Option<&'static str>,
    headers: Vec<(&'static str, &'static str)>,
    user: (&'static str, &'static str),
}

impl Call {
    fn new(method: Method, path: &str) -> Self {
        Call {
            method,
            path: path.to_string(),
            body: None,
            content_type: None,
            headers: Vec::new(),
            user: (USER, KEY),
        }
    }

    fn body(mut self, body: String, content_type: &'static str) -> Self {
        self.body = Some(body);
        self.content_type = Some(content_type);
        self
    }

    fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    fn by_user(mut self, user: &'static str, key: &'static str) -> Self {
        self.user = (user, key);
        self
    }
}

struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    text: String,
}

async fn send(server: &Server, form: Form, call: &Call) -> Answer {
    let url = match form {
        Form::Prefix => format!("{}/{TENANT}{}", server.base, call.path),
        Form::Host => format!("{}{}", server.base, call.path),
    };
    let mut request = http_client()
        .request(call.method.clone(), url)
        .basic_auth(call.user.0, Some(call.user.1))
        // The iovox credentials too: the other dialects ignore them.
        .header("username", call.user.0)
        .header("secureKey", call.user.1);
    if let Form::Host = form {
        request = request.header("host", format!("{TENANT}.dialbase.example"));
    }
    for (name, value) in &call.headers {
        request = request.header(*name, *value);
    }
    if let Some(content_type) = call.content_type {
        request = request.header("content-type", content_type);
    }
    if let Some(body) = &call.body {
        request = request.body(body.clone());
    }
    let response = request.send().await.expect("an answer, not a dropped connection");
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        text: response.text().await.expect("body"),
    }
}

/// The answer is an error of `dialect` with `status`, in its format.
fn assert_error(dialect: Dialect, answer: &Answer, status: u16, what: &str) {
    assert_eq!(answer.status, status, "{what}: {}", answer.text);
    let content_type = answer.headers.get("content-type").map_or("", |v| v.to_str().unwrap());
    if dialect == Dialect::Iovox {
        assert!(content_type.starts_with("application/xml"), "{what}: {content_type}");
        let opening = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error status=\"{status}\">");
        assert!(answer.text.starts_with(&opening), "{what}: {}", answer.text);
        return;
    }
    assert!(content_type.starts_with("application/json"), "{what}: {content_type}");
    let body: Value = serde_json::from_str(&answer.text).unwrap_or_else(|_| panic!("{what}: {}", answer.text));
    if dialect == Dialect::Vcc {
        assert_eq!(body["response"], false, "{what}: {body}");
        assert_eq!(body["errors"][0]["errorcode"], status, "{what}: {body}");
        let message = body["errors"][0]["errormessage"].as_str().unwrap_or_default();
        assert!(message.starts_with("error."), "{what}: {body}");
    } else {
        assert_eq!(body["status"], status, "{what}: {body}");
        assert!(body["error"].is_string(), "{what}: {body}");
        // What HTTP refused is named, so that no such path is never taken for no such record.
        let code = match status {
            404 => Some("unknown_path"),
            405 => Some("method_not_allowed"),
            415 => Some("unsupported_media_type"),
            _ => None,
        };
        if let Some(code) = code {
            assert_eq!(body["code"], code, "{what}: {body}");
        }
    }
}

/// What each dialect is asked, besides its paths' errors.
struct Paths {
    dialect: Dialect,
    /// A read that succeeds: `{}` marks where a trailing slash goes (before the query).
    read: &'static str,
    unknown: &'static [&'static str],
    /// A method the path does not take, and the `Allow` it answers (iovox takes every verb).
    wrong_method: Option<(Method, &'static str, &'static str)>,
    /// A call with a body, its method, path and a body it accepts (`{n}`: a number of its own).
    write: (Method, &'static str, &'static str),
}

fn table() -> Vec<Paths> {
    vec![
        Paths {
            dialect: Dialect::Vcc,
            read: "/v2/projects{}",
            unknown: &["/v2/nope", "/V2/projects", "/v2/projects/1/nope"],
            wrong_method: Some((Method::DELETE, "/v2/projects", "GET,HEAD,POST")),
            write: (Method::POST, "/v2/projects", r#"{"name": "From the table {n}"}"#),
        },
        Paths {
            dialect: Dialect::Iovox,
            read: "/Contacts{}?v=3&method=getContacts",
            unknown: &[
                "/contacts?v=3&method=getContacts",
                "/CONTACTS",
                "/Contacts/nope",
                "/countries",
            ],
            wrong_method: None,
            write: (
                Method::POST,
                "/Contacts?v=3&method=createContacts",
                "<request><contact><contact_id>t{n}</contact_id><display_name>T {n}</display_name>\
                 <mobile_phone>447772412312</mobile_phone></contact></request>",
            ),
        },
        Paths {
            dialect: Dialect::Jtel,
            read: "/dialler/contacts{}",
            unknown: &["/dialler/nope", "/Dialler/contacts", "/dialler/contacts/contact/1/nope"],
            wrong_method: Some((Method::POST, "/dialler/contacts", "GET,HEAD")),
            write: (Method::POST, "/dialler/contacts/contact", ""),
        },
        Paths {
            dialect: Dialect::Dialbase,
            read: "/dialbase/v1/dnc/lists{}",
            unknown: &["/dialbase/v1/nope", "/dialbase/v2/changes", "/Dialbase/v1/changes"],
            wrong_method: Some((Method::DELETE, "/dialbase/v1/dnc/lists", "GET,HEAD")),
            write: (Method::POST, "/dialbase/v1/dnc/check", r#"{"phones": ["3614444444"]}"#),
        },
    ]
}

/// A jtel insert into `project` (jtel needs an existing campaign).
fn jtel_insert(project: i64) -> String {
    format!(r#"{{"DiallerCampaignsID": {project}, "Name": "N", "PhoneNumber1": "3613333333"}}"#)
}

fn content_type_of(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Iovox => "application/xml",
        _ => "application/json",
    }
}

#[tokio::test]
async fn every_answer_on_a_dialects_path_is_in_its_format() {
    let db = Database::fresh();
    db.admin(&["key", "add", TENANT, BLOCKED_USER, "--key", BLOCKED_KEY]);
    let limit = BODY_LIMIT.to_string();
    let server = Server::start_with(&db, &[("DIALBASE_TEST_PANIC", "1"), ("DIALBASE_BODY_LIMIT", &limit)]);
    let project = server.client().project("Table").await;
    // Ten failed logins block the user for a minute, even with its right key.
    for _ in 0..10 {
        let failed = send(
            &server,
            Form::Prefix,
            &Call::new(Method::GET, "/v2/projects").by_user(BLOCKED_USER, "wrong-key"),
        )
        .await;
        assert_eq!(failed.status, 401);
    }

    for (n, form) in [Form::Prefix, Form::Host].into_iter().enumerate() {
        for paths in table() {
            let dialect = paths.dialect;
            let case = |what: &str| format!("{dialect:?} {form:?}: {what}");
            let read = paths.read.replace("{}", "");

            let ok = send(&server, form, &Call::new(Method::GET, &read)).await;
            assert_eq!(ok.status, 200, "{}: {}", case("read"), ok.text);

            // A base URL ending in a slash, a trailing slash: the same path.
            let trailing = paths.read.replace("{}", "/");
            let repeated = format!("/{}", read.replace('/', "//"));
            for path in [trailing, repeated] {
                let answer = send(&server, form, &Call::new(Method::GET, &path)).await;
                assert_eq!((answer.status, &answer.text), (ok.status, &ok.text), "{}", case(&path));
            }

            for path in paths.unknown {
                let answer = send(&server, form, &Call::new(Method::GET, path)).await;
                assert_error(dialect, &answer, 404, &case(path));
            }

            if let Some((method, path, allow)) = &paths.wrong_method {
                let answer = send(&server, form, &Call::new(method.clone(), path)).await;
                assert_error(dialect, &answer, 405, &case("wrong method"));
                assert_eq!(answer.headers["allow"], *allow, "{}", case("Allow"));
                // The wrong method on a path with a trailing slash is the same answer.
                let slashed = send(&server, form, &Call::new(method.clone(), &format!("{path}/"))).await;
                assert_error(dialect, &slashed, 405, &case("wrong method, trailing slash"));
            }

            let (method, path, body) = &paths.write;
            let body = if dialect == Dialect::Jtel {
                jtel_insert(project)
            } else {
                body.replace("{n}", &n.to_string())
            };
            let too_large = Call::new(method.clone(), path).body(" ".repeat(BODY_LIMIT + 1), content_type_of(dialect));
            assert_error(dialect, &send(&server, form, &too_large).await, 413, &case("413"));

            let blocked = Call::new(Method::GET, &read).by_user(BLOCKED_USER, BLOCKED_KEY);
            let answer = send(&server, form, &blocked).await;
            assert_error(dialect, &answer, 429, &case("429"));
            assert!(answer.headers.contains_key("retry-after"), "{}", case("Retry-After"));

            let panicking = Call::new(method.clone(), path)
                .body(body.clone(), content_type_of(dialect))
                .header("x-dialbase-panic", "1");
            assert_error(dialect, &send(&server, form, &panicking).await, 500, &case("panic"));
            let after = send(&server, form, &Call::new(Method::GET, &read)).await;
            assert_eq!(
                (after.status, &after.text),
                (ok.status, &ok.text),
                "{}",
                case("the panic changed nothing")
            );

            // Content-Type: jtel requires JSON on bodies; the others read their format whatever
            // the header says (curl's default is application/x-www-form-urlencoded).
            let form_encoded = Call::new(method.clone(), path).body(body.clone(), "application/x-www-form-urlencoded");
            let answer = send(&server, form, &form_encoded).await;
            if dialect == Dialect::Jtel {
                assert_error(dialect, &answer, 415, &case("form-encoded body"));
                let undeclared = Call {
                    content_type: None,
                    ..form_encoded
                };
                assert_error(
                    dialect,
                    &send(&server, form, &undeclared).await,
                    415,
                    &case("no Content-Type"),
                );
                let json = Call::new(method.clone(), path).body(body.clone(), "application/json; charset=utf-8");
                let stored = send(&server, form, &json).await;
                assert_eq!(stored.status, 200, "{}: {}", case("JSON body"), stored.text);
            } else {
                assert!(
                    answer.status.is_success(),
                    "{}: {}",
                    case("any Content-Type"),
                    answer.text
                );
            }
        }
    }
}

#[tokio::test]
async fn an_extractors_rejection_is_in_the_dialects_format() {
    let db = Database::fresh();
    let server = Server::start(&db);
    // A path parameter that is not UTF-8: axum's Path rejection, rendered as VCC's envelope.
    // (Under the prefix the tenant cannot be read from such a path either: a 401 first.)
    let answer = send(&server, Form::Host, &Call::new(Method::DELETE, "/v2/robinson/%FF")).await;
    assert_error(Dialect::Vcc, &answer, 400, "a path parameter that cannot be read");
    let body: Value = serde_json::from_str(&answer.text).unwrap();
    assert_eq!(body["errors"][0]["errormessage"], "error.wrong_request_format");
}

#[tokio::test]
async fn the_console_and_the_openapi_document_keep_their_own_answers() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let http = http_client();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // The console's `/console/` keeps its slash: it sends a visitor to sign in.
    let console = no_redirects
        .get(format!("{}/{TENANT}/console/", server.base))
        .send()
        .await
        .unwrap();
    assert!(console.status().is_redirection(), "{}", console.status());
    assert!(console.headers()["location"].to_str().unwrap().ends_with("/login"));
    // An unknown console page is its HTML error page, not a dialect's.
    let missing = http
        .get(format!("{}/{TENANT}/console/nope", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(
        missing.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    let document = http.get(format!("{}/openapi.json", server.base)).send().await.unwrap();
    assert_eq!(document.status(), 200);
    let wrong = http.post(format!("{}/openapi.json", server.base)).send().await.unwrap();
    assert_eq!(wrong.status(), 405);
    assert_eq!(wrong.headers()["allow"], "GET,HEAD");
    assert_eq!(wrong.text().await.unwrap(), "", "no dialect's body");
    let reference = http.get(format!("{}/api/", server.base)).send().await.unwrap();
    assert_eq!(reference.status(), 200);
}
