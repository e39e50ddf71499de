//! A console user over plain HTTP: signs in through the form, keeps the session cookie by
//! hand and fills in each form's CSRF token.

use super::Server;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

pub struct Console {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT`
    pub root: String,
    /// `/{tenant}/console`
    pub base: String,
    pub cookie: String,
    pub csrf: String,
}

pub struct Page {
    pub status: StatusCode,
    pub text: String,
    /// Where a redirect points.
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
}

impl Page {
    pub fn assert_ok(&self, contains: &str) {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text);
        assert!(self.text.contains(contains), "no {contains:?} in {}", self.text);
    }
}

/// application/x-www-form-urlencoded
pub fn form(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The first `name="csrf" value="..."` of a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[start..].split('"').next()?.to_string())
}

fn plain_client() -> reqwest::Client {
    dialbase::install_tls_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn fetch(request: reqwest::RequestBuilder) -> Page {
    let response = request.send().await.expect("request");
    let status = response.status();
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let set_cookies = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    let text = response.text().await.expect("body");
    Page {
        status,
        text,
        location,
        set_cookies,
    }
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_string()
}

impl Console {
    /// Signs in at `/{tenant}/console/` and panics unless that works.
    pub async fn sign_in(server: &Server, tenant: &str, user: &str, key: &str) -> Self {
        let mut console = Self::signed_out(server, tenant);
        let outcome = console.try_sign_in(user, key).await;
        assert_eq!(outcome.status, StatusCode::SEE_OTHER, "{}", outcome.text);
        assert_eq!(outcome.location.as_deref(), Some(&*format!("{}/", console.base)));
        let session = outcome
            .set_cookies
            .iter()
            .find(|c| c.starts_with("dialbase_session="))
            .expect("a session cookie");
        for attribute in ["HttpOnly", "SameSite=Strict", &format!("Path={}/", console.base)] {
            assert!(session.contains(attribute), "{session} lacks {attribute}");
        }
        console.cookie = cookie_pair(session);
        let home = console.get("/").await;
        home.assert_ok("Projects");
        console.csrf = csrf_of(&home.text).expect("a CSRF token");
        console
    }

    pub fn signed_out(server: &Server, tenant: &str) -> Self {
        Self {
            http: plain_client(),
            root: server.base.clone(),
            base: format!("/{tenant}/console"),
            cookie: String::new(),
            csrf: String::new(),
        }
    }

    /// The sign-in form, filled in and sent with its own token.
    pub async fn try_sign_in(&mut self, user: &str, key: &str) -> Page {
        let login = self.get("/login").await;
        login.assert_ok("Sign in");
        let token = csrf_of(&login.text).expect("a sign-in token");
        let cookie = login
            .set_cookies
            .iter()
            .find(|c| c.starts_with("dialbase_login="))
            .map(|c| cookie_pair(c))
            .expect("a sign-in cookie");
        let request = self
            .http
            .post(format!("{}{}/login", self.root, self.base))
            .header(COOKIE, cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[("csrf", &token), ("user", user), ("key", key)]));
        fetch(request).await
    }

    /// GET a path below the console's base.
    pub async fn get(&self, path: &str) -> Page {
        self.get_url(&format!("{}{path}", self.base)).await
    }

    /// GET any path of the server with the session cookie.
    pub async fn get_url(&self, path: &str) -> Page {
        let mut request = self.http.get(format!("{}{path}", self.root));
        if !self.cookie.is_empty() {
            request = request.header(COOKIE, &self.cookie);
        }
        fetch(request).await
    }

    /// POSTs a form with the session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// POSTs a form as given (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let request = self
            .http
            .post(format!("{}{}{path}", self.root, self.base))
            .header(COOKIE, &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(fields));
        fetch(request).await
    }

    /// Follows a redirect's location (a path of the server).
    pub async fn follow(&self, page: &Page) -> Page {
        let location = page.location.as_deref().expect("a redirect");
        self.get_url(location).await
    }

    /// Imports CSV text through the upload the console's script makes; the import's JSON.
    pub async fn import(&self, project: i64, csv: &str) -> serde_json::Value {
        let size = csv.len().to_string();
        let created = self
            .post(&format!("/projects/{project}/imports"), &[("size", &size)])
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let job: serde_json::Value = serde_json::from_str(&created.text).expect("json");
        let upload = job["upload"].as_str().expect("upload url");
        let response = self
            .http
            .put(format!("{}{upload}", self.root))
            .header(COOKIE, &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .body(csv.to_string())
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status(), StatusCode::OK);
        job
    }
}
