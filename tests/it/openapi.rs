//! `/openapi.json`: a valid OpenAPI 3.1 document that describes every JSON route of the
//! router, and only routes that exist. The routes are read from the source of `src/http`
//! (axum cannot list a router's routes), so a JSON route added without a description in
//! `src/http/openapi/operations.rs` fails here.

use crate::common::{Database, Server};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// Routes that are not JSON APIs: iovox (XML), the console and its assets, this document
/// and its reference page, the health check, the metrics listener.
fn is_json_api(path: &str) -> bool {
    !(path == "/"
        || path.starts_with("/console")
        || path.starts_with("/assets/")
        || path.starts_with("/api")
        || path == "/openapi.json"
        || path == "/healthz"
        || path == "/metrics"
        || ["/Contacts", "/Countries", "/Rules"].contains(&path))
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/http") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// (METHOD, path) of every `.route("path", method(handler)...)` in the source text.
fn routes_in(source: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find(".route(") {
        let after = &rest[start + ".route(".len()..];
        // The call's arguments, up to its closing parenthesis.
        let mut depth = 1;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let arguments = &after[..end];
        rest = &after[end..];
        let Some(path) = arguments.split('"').nth(1) else {
            continue;
        };
        for method in ["get", "post", "put", "delete", "patch", "any"] {
            let pattern = format!("{method}(");
            let mut search = 0;
            while let Some(at) = arguments[search..].find(&pattern) {
                let position = search + at;
                let before = arguments[..position].chars().next_back();
                if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    found.push((method.to_uppercase(), path.to_string()));
                }
                search = position + pattern.len();
            }
        }
    }
    found
}

fn router_json_routes() -> BTreeSet<(String, String)> {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http"), &mut files);
    let mut routes = BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("source");
        routes.extend(routes_in(&source).into_iter().filter(|(_, path)| is_json_api(path)));
    }
    routes
}

#[test]
fn the_route_reader_finds_chained_methods() {
    let source = r#"Router::new()
        .route("/a/{id}", get(m::get).put(m::update).delete(m::delete))
        .route(
            "/b",
            post(m::post_it),
        )"#;
    let found = routes_in(source);
    assert_eq!(
        found,
        [
            ("GET", "/a/{id}"),
            ("PUT", "/a/{id}"),
            ("DELETE", "/a/{id}"),
            ("POST", "/b")
        ]
        .map(|(m, p)| (m.to_string(), p.to_string()))
    );
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1_and_describes_every_json_route() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let response = crate::common::http_client()
        .get(format!("{}/openapi.json", server.base))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let text = response.text().await.expect("body");

    // Valid: it parses as an OpenAPI 3.1 document (oas3), with what a reader needs.
    let spec = oas3::from_json(&text).expect("an OpenAPI document");
    assert_eq!(spec.openapi, "3.1.0");
    let document: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(document["components"]["securitySchemes"]["basic"]["scheme"], "basic");
    assert_eq!(document["servers"][0]["url"], "/{customer}");
    let mut described = BTreeSet::new();
    let mut operation_ids = BTreeSet::new();
    for (path, method, operation) in spec.operations() {
        described.insert((method.to_string(), path.clone()));
        let id = operation.operation_id.clone().expect("an operationId");
        assert!(operation_ids.insert(id.clone()), "operationId {id} twice");
        assert!(operation.summary.is_some(), "{method} {path}: no summary");
        assert_eq!(operation.tags.len(), 1, "{method} {path}: one API tag");
        let declared: BTreeSet<String> = document["paths"][&path][method.as_str().to_lowercase()]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        let in_path: BTreeSet<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .map(str::to_string)
            .collect();
        assert_eq!(declared, in_path, "{method} {path}: path parameters");
        let answers = &document["paths"][&path][method.as_str().to_lowercase()]["responses"];
        assert!(
            answers["200"].is_object() && answers["default"].is_object(),
            "{method} {path}"
        );
    }
    for tag in ["VCC Live v2", "jtel dialler contacts", "Dialbase"] {
        assert!(text.contains(tag), "no {tag} operations");
    }

    // Complete and current: the router's JSON routes, exactly.
    let routes = router_json_routes();
    assert!(routes.len() > 30, "the route reader found only {routes:?}");
    let missing: Vec<_> = routes.difference(&described).collect();
    assert!(
        missing.is_empty(),
        "JSON routes without a description in src/http/openapi/operations.rs: {missing:?}"
    );
    let stale: Vec<_> = described.difference(&routes).collect();
    assert!(stale.is_empty(), "described routes the router lacks: {stale:?}");

    // The reference page is rendered from the same operations.
    let page = crate::common::http_client()
        .get(format!("{}/api/", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for (method, path) in &routes {
        assert!(
            page.contains(&format!("{method}</span> <code>{path}</code>")),
            "{method} {path} not on /api/"
        );
    }
}
