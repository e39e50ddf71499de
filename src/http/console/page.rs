//! The console's page frame: head, navigation, notices and error pages.

use super::session::Console;
use axum::http::StatusCode;
use axum::http::header::CACHE_CONTROL;
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, Render, html};

/// A page of a signed-in user: navigation, the user and sign-out.
pub fn frame(console: &Console, title: &str, body: Markup) -> Response {
    let base = &console.base;
    let content = html! {
        header class="top" {
            a class="brand" href={ (base) "/" } { "Dialbase" }
            nav aria-label="Main" {
                a href={ (base) "/" } { "Projects" }
                a href={ (base) "/dnc" } { "Do-not-call" }
                a href={ (base) "/keys" } { "API keys" }
                a href="/api/" { "API reference" }
            }
            form method="post" action={ (base) "/logout" } class="signout" {
                input type="hidden" name="csrf" value=(console.csrf);
                span class="who" { (console.user) " @ " (console.tenant_name) }
                button type="submit" { "Sign out" }
            }
        }
        main { (body) }
    };
    bare(title, base, content)
}

/// A whole document around `content`, with the embedded stylesheet and script.
pub fn bare(title: &str, base: &str, content: Markup) -> Response {
    let document = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href={ (base) "/assets/console.css" };
                script src={ (base) "/assets/console.js" } defer {}
            }
            body { (content) }
        }
    };
    ([(CACHE_CONTROL, "no-store")], Html(document.into_string())).into_response()
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    let content = html! {
        main class="narrow" {
            h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("Error")) }
            p role="alert" { (message) }
            p { a href="javascript:history.back()" { "Back" } " · " a href="./" { "Console" } }
        }
    };
    let mut response = bare("Error · Dialbase", "", content);
    *response.status_mut() = status;
    // The frame links assets relative to a base; an error page keeps to plain HTML.
    response
}

/// A message carried to the next page by a redirect (`?notice=` or `?error=`).
pub struct Notice {
    text: Option<String>,
    error: bool,
}

impl Notice {
    pub fn from_query(notice: Option<String>, error: Option<String>) -> Self {
        match (error, notice) {
            (Some(text), _) => Self {
                text: Some(text),
                error: true,
            },
            (None, text) => Self { text, error: false },
        }
    }
}

impl Render for Notice {
    fn render(&self) -> Markup {
        html! {
            @if let Some(text) = &self.text {
                @if self.error {
                    p class="notice error" role="alert" { (text) }
                } @else {
                    p class="notice" role="status" { (text) }
                }
            }
        }
    }
}

/// `url?notice=...` / `url?error=...`, percent-encoded.
pub fn with_notice(url: &str, key: &str, text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => encoded.push(byte as char),
            b' ' => encoded.push('+'),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{key}={encoded}")
}

/// The tabs of a project's pages.
pub fn project_tabs(console: &Console, project: i64, name: &str, current: &str) -> Markup {
    let base = format!("{}/projects/{project}", console.base);
    let tabs = [
        ("records", "Records", base.clone()),
        ("fields", "Fields", format!("{base}/fields")),
        ("import", "Import", format!("{base}/import")),
        ("rules", "Dialing rules", format!("{base}/rules")),
    ];
    html! {
        p class="crumbs" { a href={ (console.base) "/" } { "Projects" } " / " }
        h1 { (name) " " span class="muted" { "#" (project) } }
        nav class="tabs" aria-label="Project" {
            @for (key, label, href) in &tabs {
                @if *key == current {
                    a href=(href) aria-current="page" { (label) }
                } @else {
                    a href=(href) { (label) }
                }
            }
            a href={ (base) "/export.csv" } download { "Export CSV" }
        }
    }
}
