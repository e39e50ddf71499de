//! The OpenAPI document: one path item per route, operations with their parameters,
//! example bodies, the dialect's error format and HTTP Basic security.

use super::operations::{Api, OPERATIONS, Operation};
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

impl Api {
    pub fn tag(self) -> &'static str {
        match self {
            Self::Vcc => "VCC Live v2",
            Self::Jtel => "jtel dialler contacts",
            Self::Dialbase => "Dialbase",
        }
    }

    fn error_example(self) -> Value {
        match self {
            Self::Vcc => {
                json!({"response": [], "errors": [{"index": 0, "errorcode": 417, "errormessage": "error.duplicate_record", "numberid": 17}]})
            }
            Self::Jtel => json!({"status": 404, "error": "Dialler contact not found"}),
            Self::Dialbase => {
                json!({"status": 400, "error": "owner must be 1-128 printable characters", "code": "wrong_owner"})
            }
        }
    }
}

/// Path parameters in the order the path names them.
fn path_parameters(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

fn example(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

fn operation(op: &Operation) -> Value {
    let mut parameters: Vec<Value> = path_parameters(op.path)
        .into_iter()
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect();
    parameters.extend(
        op.query
            .iter()
            .map(|(name, description)| json!({"name": name, "in": "query", "description": description, "schema": {"type": "string"}})),
    );
    let success = if op.path.ends_with("/export") {
        json!({
            "description": "The records, streamed",
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}, "example": op.response},
                "text/csv": {"schema": {"type": "string"}},
            }
        })
    } else {
        json!({
            "description": "Success",
            "content": {"application/json": {"schema": {"type": "object"}, "example": example(op.response)}}
        })
    };
    let mut body = json!({
        "operationId": operation_id(op),
        "tags": [op.api.tag()],
        "summary": op.summary,
        "parameters": parameters,
        "responses": {
            "200": success,
            "default": {
                "description": "An error, in the API's own format",
                "content": {"application/json": {"schema": {"type": "object"}, "example": op.api.error_example()}}
            }
        }
    });
    if op.api == Api::Jtel {
        body["security"] = json!([{"basic": []}, {"bearer": []}]);
    }
    if let Some(request) = op.request {
        body["requestBody"] = json!({
            "required": true,
            "content": {"application/json": {"schema": {}, "example": example(request)}}
        });
    }
    body
}

/// Where jtel's paths are: below the tenant, and below jtel's own base path.
fn jtel_servers() -> Value {
    json!([
        {"url": "/{customer}", "variables": {"customer": {"default": "mycc", "description": "the call centre (tenant)"}}},
        {"url": "/rest/v1.0/{ClientsID}", "variables": {"ClientsID": {"default": "mycc", "description": "the tenant's name"}}}
    ])
}

/// `get_v2_projects_projectid_records`: unique per method and path.
pub fn operation_id(op: &Operation) -> String {
    let path: String = op
        .path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let mut id = format!("{}{}", op.method, path);
    while id.contains("__") {
        id = id.replace("__", "_");
    }
    id.trim_end_matches('_').to_string()
}

/// The whole document (built once).
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut paths = Map::new();
        for op in OPERATIONS {
            let item = paths.entry(op.path).or_insert_with(|| json!({}));
            item[op.method] = operation(op);
            if op.api == Api::Jtel {
                item["servers"] = jtel_servers();
            }
        }
        let tags: Vec<Value> = [Api::Vcc, Api::Jtel, Api::Dialbase]
            .iter()
            .map(|api| json!({"name": api.tag()}))
            .collect();
        json!({
            "openapi": "3.1.0",
            "info": {
                "title": "Dialbase",
                "version": env!("CARGO_PKG_VERSION"),
                "summary": "Contact database for outbound call centres",
                "description": "The JSON APIs of Dialbase: VCC Live Database API v2 as Dialbase implements it, \
                    jtel dialler contacts, and Dialbase's own API (claim and release, dialing rules, do-not-call \
                    lists, export). Every path is below /{customer} (the tenant), or at the root when the Host \
                    header's first label names the tenant; jtel's paths also below jtel's base path \
                    /rest/v1.0/{ClientsID}, where ClientsID is the tenant's name, with Authorization: Bearer and \
                    one of the tenant's API keys as the token; repeated and trailing slashes are ignored. Every answer \
                    of an API's paths is in its own format, errors too: an unknown path (404), a method the path \
                    does not take (405, with Allow), a body too large (413), a jtel body not declared \
                    application/json (415), too many requests (429, with Retry-After), a server fault (500). \
                    The iovox Contacts API (XML) is described in docs/iovox.md.",
                "license": {"name": "open source"}
            },
            "servers": [{
                "url": "/{customer}",
                "variables": {"customer": {"default": "mycc", "description": "the call centre (tenant)"}}
            }],
            "security": [{"basic": []}],
            "tags": tags,
            "paths": paths,
            "components": {
                "securitySchemes": {
                    "basic": {"type": "http", "scheme": "basic", "description": "API user and key"},
                    "bearer": {"type": "http", "scheme": "bearer", "description": "jtel: one of the tenant's API keys"}
                }
            }
        })
    })
}

pub async fn serve() -> Response {
    Json(document()).into_response()
}
