//! How each operation goes over the wire.

use super::ops::{Element, In, IoContact, ModifyBody, NewRec, Op, form_json};
use reqwest::Method;
use serde_json::{Value, json};
use std::fmt;

/// A request as sent: JSON for every dialect but iovox's XML.
pub struct Wire {
    pub method: Method,
    pub path: String,
    pub body: Option<String>,
    pub xml: bool,
}

fn wire(method: Method, path: String, body: Option<Value>) -> Wire {
    Wire {
        method,
        path,
        body: body.map(|b| b.to_string()),
        xml: false,
    }
}

/// `%` and other reserved characters of a query value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

impl Op {
    pub fn wire(&self, project: i64) -> Wire {
        let records = format!("/v2/projects/{project}/records");
        match self {
            Op::AddRecords { items, array } => {
                let body = match (array, items.as_slice()) {
                    (false, [one]) => one.json(),
                    _ => Value::Array(items.iter().map(NewRec::json).collect()),
                };
                wire(Method::POST, records, Some(body))
            }
            Op::BatchModify { elements, default } => {
                let mut body = json!({"elements": elements.iter().map(Element::json).collect::<Vec<_>>()});
                if let Some(default) = default {
                    body["default"] = form_json(default);
                }
                wire(Method::PUT, records, Some(body))
            }
            Op::ModifyRecord { id, body, next_contact } => {
                let query = next_contact
                    .as_ref()
                    .map_or(String::new(), |n| format!("?next_contact={n}"));
                let body = match body {
                    ModifyBody::Flat(form) => form_json(form),
                    ModifyBody::Shaped {
                        form,
                        next_calldate,
                        phone_field,
                    } => json!({"form": form_json(form), "next_calldate": next_calldate, "phone_field": phone_field}),
                };
                wire(Method::PUT, format!("{records}/{id}{query}"), Some(body))
            }
            Op::ModifyContact { id, slot, contact } => wire(
                Method::PUT,
                format!("{records}/{id}/contacts/{slot}"),
                Some(contact.json()),
            ),
            Op::AddDisposition { id, disposition } => wire(
                Method::POST,
                format!("{records}/{id}/dispositions"),
                Some(disposition.json()),
            ),
            Op::AddField { name, kind, values } => {
                let values: Vec<Value> = values.iter().map(|v| json!({"name": v})).collect();
                // Half the fields indexed (nothing the API shows depends on it): their
                // searches and totals go through `record_terms` and `term_counts`.
                let indexed = if name.len() % 2 == 0 { "yes" } else { "no" };
                let body = json!({"name": name, "type": kind, "values": values, "indexed": indexed});
                wire(Method::POST, format!("/v2/projects/{project}/fields"), Some(body))
            }
            Op::AddValues { field_id, values, .. } => {
                let values: Vec<Value> = values.iter().map(|v| json!({"name": v})).collect();
                let path = format!("/v2/projects/{project}/fields/{field_id}/values");
                wire(Method::POST, path, Some(Value::Array(values)))
            }
            Op::RenameValue { value, name } => {
                let path = format!(
                    "/v2/projects/{project}/fields/{}/values/{}",
                    value.field_id, value.value_id
                );
                wire(Method::PUT, path, Some(json!({"name": name})))
            }
            Op::DeleteValue { value } => {
                let path = format!(
                    "/v2/projects/{project}/fields/{}/values/{}",
                    value.field_id, value.value_id
                );
                wire(Method::DELETE, path, None)
            }
            Op::RobinsonAdd { phones } => {
                let phones: Vec<Value> = phones.iter().map(In::json).collect();
                wire(Method::POST, "/v2/robinson".into(), Some(json!({"phones": phones})))
            }
            Op::RobinsonDelete { phone } => wire(Method::DELETE, format!("/v2/robinson/{}", encode(phone)), None),
            Op::Lock { id, lock } => {
                let action = if *lock { "lock" } else { "unlock" };
                wire(Method::PATCH, format!("/dialler/contacts/contact/{id}/{action}"), None)
            }
            Op::JtelDelete { id } => wire(Method::DELETE, format!("/dialler/contacts/contact/{id}"), None),
            Op::JtelGet { id } => wire(Method::GET, format!("/dialler/contacts/contact/{id}"), None),
            Op::JtelInsert { items } => {
                let body = match items.as_slice() {
                    [one] => form_json(one),
                    _ => Value::Array(items.iter().map(form_json).collect()),
                };
                wire(Method::POST, "/dialler/contacts/contact".into(), Some(body))
            }
            Op::Claim { owner } => wire(
                Method::POST,
                format!("/dialbase/v1/projects/{project}/claim"),
                Some(json!({"owner": owner, "lease_seconds": 3600})),
            ),
            Op::Release {
                id,
                owner,
                disposition,
                next_calldate,
            } => {
                let mut body = json!({"owner": owner});
                if let Some(d) = disposition {
                    body["dispositionid"] = json!(d);
                }
                if let Some(date) = next_calldate {
                    body["next_calldate"] = json!(date);
                }
                wire(Method::POST, format!("/dialbase/v1/records/{id}/release"), Some(body))
            }
            Op::List { search } => {
                let query: String = search
                    .iter()
                    .map(|(k, v)| format!("&{}={}", encode(k), encode(v)))
                    .collect();
                wire(Method::GET, format!("{records}?limit=1000{query}"), None)
            }
            Op::IovoxCreate { contacts } => Wire {
                method: Method::POST,
                path: "/Contacts?v=3&method=createContacts".into(),
                body: Some(iovox_request(contacts)),
                xml: true,
            },
            Op::IovoxDelete { ids } => Wire {
                method: Method::DELETE,
                path: format!("/Contacts?v=3&method=deleteContacts&contact_ids={}", ids.join(",")),
                body: None,
                xml: true,
            },
        }
    }
}

fn iovox_request(contacts: &[IoContact]) -> String {
    let contacts: Vec<String> = contacts
        .iter()
        .map(|c| {
            let mut details = vec![("display_name", c.display_name.as_str())];
            details.extend(c.mobiles.iter().map(|m| ("mobile_phone", m.as_str())));
            if let Some(company) = &c.company {
                details.push(("company", company));
            }
            crate::common::iovox::contact(&c.id, &details)
        })
        .collect();
    crate::common::iovox::request("", &contacts)
}

impl fmt::Display for Wire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if let Some(body) = &self.body {
            write!(f, " {body}")?;
        }
        Ok(())
    }
}
