//! iovox helpers: payload builders, calls, and reading the XML answers.

use super::{Client, Database, Reply, Server};
use reqwest::Method;

/// A fresh server whose `mycc` tenant already holds these contacts.
pub async fn start_with_contacts(contacts: &[String]) -> (Database, Server, Client) {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    if !contacts.is_empty() {
        api.create_ok(contacts).await;
    }
    (db, server, api)
}

/// The seed's updateContacts payload with its first, complete contact.
pub const SEED: &str = include_str!("../fixtures/iovox_update_contacts.xml");
/// The seed's payload exactly as documented, including the `<contact> ... <contact>` ellipsis.
pub const SEED_VERBATIM: &str = include_str!("../fixtures/iovox_update_contacts_verbatim.xml");

/// `<contact>` with a contact_id and details (element, text) in the given order.
pub fn contact(id: &str, details: &[(&str, &str)]) -> String {
    let details: String = details
        .iter()
        .map(|(name, text)| format!("<{name}>{text}</{name}>"))
        .collect();
    format!("<contact><contact_id>{id}</contact_id>{details}</contact>")
}

/// `<request>` with flags (`<rm_rules>TRUE</rm_rules>`...) and contacts.
pub fn request(flags: &str, contacts: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><request>{flags}{}</request>",
        contacts.concat()
    )
}

/// The text of every `<name>` element, in document order.
pub fn values(xml: &str, name: &str) -> Vec<String> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(text, _)| text.to_owned()))
        .collect()
}

/// The only `<name>` element's text.
pub fn value(xml: &str, name: &str) -> String {
    let found = values(xml, name);
    assert_eq!(found.len(), 1, "one <{name}> expected in {xml}");
    found[0].clone()
}

impl Reply {
    /// Asserts an iovox error with this status and exact text.
    pub fn assert_error(&self, status: u16, text: &str) {
        assert_eq!(self.status, status, "{}", self.text);
        let expected = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error status=\"{status}\">{text}</error></errors>"
        );
        assert_eq!(self.text, expected);
        assert!(
            self.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/xml")
        );
    }
}

impl Client {
    pub async fn contacts(&self, method: Method, iovox_method: &str, body: Option<&str>) -> Reply {
        self.iovox(method, &format!("/Contacts?v=3&method={iovox_method}"), body)
            .await
    }

    pub async fn create_contacts(&self, xml: &str) -> Reply {
        self.contacts(Method::POST, "createContacts", Some(xml)).await
    }

    pub async fn update_contacts(&self, xml: &str) -> Reply {
        self.contacts(Method::PUT, "updateContacts", Some(xml)).await
    }

    /// Creates the contacts and asserts 201.
    pub async fn create_ok(&self, contacts: &[String]) {
        let reply = self.create_contacts(&request("", contacts)).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }

    /// getContacts with extra query parameters (`&page=2`...).
    pub async fn get_contacts(&self, query: &str) -> Reply {
        let reply = self
            .iovox(Method::GET, &format!("/Contacts?v=3&method=getContacts{query}"), None)
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply
    }

    /// getContactDetails' single `<result>`, or None when the contact does not exist
    /// (the vendor's error `Contact ID does not exist`).
    pub async fn contact_details(&self, contact_id: &str) -> Option<String> {
        let path = format!("/Contacts?v=3&method=getContactDetails&contact_id={contact_id}");
        let reply = self.iovox(Method::GET, &path, None).await;
        if reply.status == 400 {
            reply.assert_error(400, "Contact ID does not exist");
            return None;
        }
        assert_eq!(reply.status, 200, "{}", reply.text);
        let results = values(&reply.text, "result");
        assert!(results.len() <= 1, "{}", reply.text);
        results.into_iter().next()
    }
}

/// The (element, text) children of a flat element's content such as a `<result>`'s,
/// in order, entities resolved.
pub fn children(xml: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        let name = after[..end].to_owned();
        let close = format!("</{name}>");
        let body = &after[end + 1..];
        let Some(text_end) = body.find(&close) else { break };
        found.push((name, unescape(&body[..text_end])));
        rest = &body[text_end + close.len()..];
    }
    found
}

/// Text with the five predefined XML entities resolved (all Dialbase writes).
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Text escaped for an XML element.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

impl Client {
    /// A Contacts read with `output=JSON` (`query` starts with `&method=...`).
    pub async fn contacts_json(&self, query: &str) -> Reply {
        self.iovox(Method::GET, &format!("/Contacts?v=3{query}&output=JSON"), None)
            .await
    }
}
