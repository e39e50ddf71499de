//! Which API a request path belongs to: the one place that decides it, for error answers,
//! metrics labels, path normalisation and the idempotency guard's tenant.
//!
//! Every dialect is mounted under `/{customer}` and at the root (the Host names the tenant),
//! so a dialect's first segment is the path's first (Host form) or second (`/mycc/v2/...`).
//! An exact first segment wins, as in the router, whose static routes beat `{customer}`.
//! jtel's own base path, `/rest/v1.0/{ClientsID}/dialler/...`, names the tenant third.

/// The APIs Dialbase serves, and what is none of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiDialect {
    Vcc,
    Iovox,
    Jtel,
    /// Dialbase's own API (`/dialbase/v1/...`).
    Dialbase,
    /// The web console: HTML pages with their own error page.
    Console,
    /// No dialect: `/healthz`, `/openapi.json`, `/api/`, paths that name nothing.
    Other,
}

/// The first segment of each dialect's paths.
const ROOTS: [(&str, ApiDialect); 7] = [
    ("v2", ApiDialect::Vcc),
    ("Contacts", ApiDialect::Iovox),
    ("Countries", ApiDialect::Iovox),
    ("Rules", ApiDialect::Iovox),
    ("dialler", ApiDialect::Jtel),
    ("dialbase", ApiDialect::Dialbase),
    ("console", ApiDialect::Console),
];

/// jtel's base path `/rest/v1.0/{ClientsID}`: the ClientsID is the tenant's name.
const JTEL_REST: [&str; 2] = ["rest", "v1.0"];

fn root(segment: &str) -> Option<ApiDialect> {
    ROOTS.iter().find(|(name, _)| *name == segment).map(|(_, d)| *d)
}

/// A root in other letter case (`/contacts`): no route matches it, but its 404 is answered
/// in the dialect the client meant.
fn root_in_any_case(segment: &str) -> Option<ApiDialect> {
    ROOTS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(segment))
        .map(|(_, d)| *d)
}

/// A path's dialect and the tenant the path names (None: the Host names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathDialect<'a> {
    pub dialect: ApiDialect,
    pub tenant: Option<&'a str>,
}

impl ApiDialect {
    /// From a path with or without the `/{customer}` prefix; empty segments (`//`) count for nothing.
    pub fn of_path(path: &str) -> Self {
        PathDialect::of(path).dialect
    }

    /// The dialects whose answers are all in their own format (JSON or XML): their paths are
    /// normalised and their bare errors rendered. The console and the rest keep their own.
    pub fn is_api(self) -> bool {
        matches!(self, Self::Vcc | Self::Iovox | Self::Jtel | Self::Dialbase)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Vcc => "vcc",
            Self::Iovox => "iovox",
            Self::Jtel => "jtel",
            Self::Dialbase => "dialbase",
            Self::Console => "console",
            Self::Other => "other",
        }
    }
}

impl<'a> PathDialect<'a> {
    pub fn of(path: &'a str) -> Self {
        let mut segments = path.split('/').filter(|s| !s.is_empty());
        let (first, second, third) = (segments.next(), segments.next(), segments.next());
        // `/rest/v1.0/{ClientsID}`, also below a `/{customer}` prefix (a tenant named "rest"
        // keeps its `/rest/v2/...`).
        let jtel_base = |a: Option<&str>, b: Option<&str>| [a, b] == JTEL_REST.map(Some);
        if jtel_base(first, second) {
            return Self {
                dialect: ApiDialect::Jtel,
                tenant: third,
            };
        }
        if jtel_base(second, third) {
            return Self {
                dialect: ApiDialect::Jtel,
                tenant: first,
            };
        }
        let host_form = |dialect| Self { dialect, tenant: None };
        let prefixed = |dialect| Self { dialect, tenant: first };
        if let Some(dialect) = first.and_then(root) {
            host_form(dialect)
        } else if let Some(dialect) = second.and_then(root) {
            prefixed(dialect)
        } else if let Some(dialect) = first.and_then(root_in_any_case) {
            host_form(dialect)
        } else if let Some(dialect) = second.and_then(root_in_any_case) {
            prefixed(dialect)
        } else {
            prefixed(ApiDialect::Other)
        }
    }
}

/// The path an API dialect's request is routed by: repeated slashes as one, no trailing
/// slash (`/mycc//Contacts/` is `/mycc/Contacts`), the way clients whose base URL ends in
/// a slash mean it. None when the path is already so, or is not an API dialect's (the
/// console's `/console/` and the reference's `/api/` are pages of their own).
pub fn normalized(path: &str) -> Option<String> {
    if !ApiDialect::of_path(path).is_api() || !(path.contains("//") || (path.len() > 1 && path.ends_with('/'))) {
        return None;
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    Some(format!("/{}", segments.join("/")))
}

/// Rewrites the request's path as [`normalized`] says, keeping its query; before routing.
pub fn normalize_request(mut request: axum::extract::Request) -> axum::extract::Request {
    let uri = request.uri();
    let Some(path) = normalized(uri.path()) else {
        return request;
    };
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let mut parts = uri.clone().into_parts();
    if let Ok(path_and_query) = path_and_query.parse() {
        parts.path_and_query = Some(path_and_query);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(path: &str) -> (ApiDialect, Option<&str>) {
        let found = PathDialect::of(path);
        (found.dialect, found.tenant)
    }

    #[test]
    fn the_first_or_second_segment_names_the_dialect() {
        assert_eq!(of("/mycc/v2/projects"), (ApiDialect::Vcc, Some("mycc")));
        assert_eq!(of("/v2/projects"), (ApiDialect::Vcc, None));
        assert_eq!(of("/mycc/Contacts"), (ApiDialect::Iovox, Some("mycc")));
        assert_eq!(of("/Countries"), (ApiDialect::Iovox, None));
        assert_eq!(of("/mycc//Rules"), (ApiDialect::Iovox, Some("mycc")));
        assert_eq!(of("/dialler/contacts"), (ApiDialect::Jtel, None));
        assert_eq!(of("/rest/v1.0/mycc/dialler/contacts"), (ApiDialect::Jtel, Some("mycc")));
        assert_eq!(
            of("/rest/v2/projects"),
            (ApiDialect::Vcc, Some("rest")),
            "a tenant named rest"
        );
        assert_eq!(
            of("/mycc/rest/v1.0/mycc/dialler/contacts"),
            (ApiDialect::Jtel, Some("mycc"))
        );
        assert_eq!(of("/mycc/dialbase/v1/changes"), (ApiDialect::Dialbase, Some("mycc")));
        assert_eq!(of("/mycc/console/"), (ApiDialect::Console, Some("mycc")));
        assert_eq!(of("/healthz"), (ApiDialect::Other, Some("healthz")));
        assert_eq!(of("/"), (ApiDialect::Other, None));
    }

    #[test]
    fn an_exact_root_wins_and_other_letter_case_only_names_the_dialect_meant() {
        // A tenant called "rules": the router takes `/rules/v2/...` as VCC under it.
        assert_eq!(of("/rules/v2/projects"), (ApiDialect::Vcc, Some("rules")));
        assert_eq!(of("/mycc/contacts"), (ApiDialect::Iovox, Some("mycc")));
        assert_eq!(of("/Dialler/contacts"), (ApiDialect::Jtel, None));
    }

    #[test]
    fn api_paths_lose_repeated_and_trailing_slashes_pages_keep_theirs() {
        assert_eq!(normalized("/mycc//Contacts").as_deref(), Some("/mycc/Contacts"));
        assert_eq!(normalized("//mycc/v2/projects/").as_deref(), Some("/mycc/v2/projects"));
        assert_eq!(
            normalized("/dialler/contacts/contact///7//").as_deref(),
            Some("/dialler/contacts/contact/7")
        );
        assert_eq!(normalized("/mycc/v2/projects"), None);
        assert_eq!(normalized("/mycc/console/"), None);
        assert_eq!(normalized("/api/"), None);
        assert_eq!(normalized("/"), None);
    }

    #[test]
    fn the_query_is_kept() {
        let request = axum::extract::Request::builder()
            .uri("/mycc/Contacts/?v=3&method=getContacts")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(
            normalize_request(request).uri(),
            "/mycc/Contacts?v=3&method=getContacts"
        );
    }
}
