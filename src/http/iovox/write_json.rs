//! `output=JSON` bodies. The vendor's JSON keeps the XML's shape with every
//! number as a string (as a real answer in a public client's fixture shows):
//!
//! ```text
//! {"response":{"current_page":"1","total_pages":"1","total_results":"2",
//!   "results":{"result":[
//!     {"contact_id":"333","display_name":"John Smith","business_phone":"44123871237"},
//!     {"contact_id":"444","display_name":"Ann","business_phone":["441","442"]}]}}}
//! ```
//!
//! Dialbase's choices where the vendor shows nothing:
//! - `result` is always an array: `[]` for an empty page, one object for one contact;
//! - a detail holding one value is a string, a list detail holding several an array
//!   of strings in their order (the XML repeats the element); a detail the contact
//!   does not have is left out, as in the XML;
//! - errors mirror the XML error document the way XML-to-JSON readers (such as the
//!   vendor's Ruby client's) see it: `{"errors":{"error":[{"status":"400",
//!   "__content__":"Limit not an integer"}]}}`.

use serde_json::Value;

use super::write::{shown_values, total_pages};
use crate::domain::iovox::{ContactQuery, ContactView, IovoxError};

/// getContacts / getContactDetails as JSON; see the module doc.
pub fn write_contacts_json(contacts: &[ContactView], total: u64, query: &ContactQuery) -> String {
    let mut json = String::from("{\"response\":{");
    json.push_str(&format!(
        "\"current_page\":\"{}\",\"total_pages\":\"{}\",\"total_results\":\"{total}\",\"results\":{{\"result\":[",
        query.page,
        total_pages(total, query.limit)
    ));
    for (index, contact) in contacts.iter().enumerate() {
        if index > 0 {
            json.push(',');
        }
        // One contact at a time: the page is never held twice as JSON values.
        json.push_str(&result(contact, query));
    }
    json.push_str("]}}}");
    json
}

/// One result object, its keys in the XML's element order. `shown_values` yields
/// the values of one detail one after another.
fn result(contact: &ContactView, query: &ContactQuery) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (name, value) in shown_values(contact, &query.fields) {
        match groups.last_mut() {
            Some((last, values)) if *last == name => values.push(value),
            _ => groups.push((name, vec![value])),
        }
    }
    let members: Vec<String> = groups
        .into_iter()
        .map(|(name, values)| {
            let value = match values.as_slice() {
                [one] => Value::from(*one),
                several => Value::from(several.to_vec()),
            };
            format!("{}:{value}", Value::from(name))
        })
        .collect();
    format!("{{{}}}", members.join(","))
}

/// Errors as JSON; see the module doc.
pub fn write_errors_json(errors: &[IovoxError]) -> String {
    let errors: Vec<Value> = errors
        .iter()
        .map(|error| serde_json::json!({"status": error.status.to_string(), "__content__": error.message}))
        .collect();
    serde_json::json!({"errors": {"error": errors}}).to_string()
}
