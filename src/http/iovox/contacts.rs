//! The Contacts interface over the tenant's contact book.

use super::parse::parse_contacts_request;
use super::query::{Output, parse_contact_ids, parse_contact_query, query_flag};
use super::reply::{IovoxReply, json, xml};
use super::write::write_contacts_xml;
use super::write_json::write_contacts_json;
use super::{Call, Iovox};
use crate::domain::iovox::book::fill_default_display_names;
use crate::domain::iovox::{IovoxError, Mode};
use crate::http::audit;
use crate::http::{AppState, Authed};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// `addContacts` is the name this project's issue uses for the vendor's createContacts.
const METHODS: &[(&str, &str)] = &[
    ("updateContacts", "PUT"),
    ("createContacts", "POST"),
    ("addContacts", "POST"),
    ("getContacts", "GET"),
    ("getContactDetails", "GET"),
    ("deleteContacts", "DELETE"),
];

pub async fn contacts(auth: Authed<Iovox>, State(state): State<AppState>, call: Call) -> Result<Response, IovoxReply> {
    let store = &state.store;
    let params = &call.params;
    match call.method(METHODS)? {
        "updateContacts" => {
            let request = parse_contacts_request(&call.body()?)?;
            store.write_contacts(auth.tenant, Mode::Update, request).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        "createContacts" | "addContacts" => {
            let mut request = parse_contacts_request(&call.body()?)?;
            fill_default_display_names(&mut request);
            store.write_contacts(auth.tenant, Mode::Add, request).await?;
            Ok(StatusCode::CREATED.into_response())
        }
        "deleteContacts" => {
            // Dialbase contacts have no user accounts: rm_if_user is checked, never needed.
            query_flag(params, "rm_if_user", "Remove If User")?;
            let rm_rules = query_flag(params, "rm_rules", "Remove Rules")?;
            let contact_ids = parse_contact_ids(params)?;
            let detail = serde_json::json!({"contacts": contact_ids, "rm_rules": rm_rules});
            store.delete_contacts(auth.tenant, contact_ids, rm_rules).await?;
            let entry = auth.audit("record.delete", "contact book".into(), detail);
            audit::append(&state, auth.tenant, entry).await;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        method => {
            let details = method == "getContactDetails";
            let (query, output) = parse_contact_query(params, details)?;
            let (contacts, total) = store.list_contacts(auth.tenant, query.clone()).await?;
            if details && total == 0 {
                return Err(IovoxError::contact_not_found().into());
            }
            Ok(match output {
                Output::Xml => xml(write_contacts_xml(&contacts, total, &query)),
                Output::Json => json(write_contacts_json(&contacts, total, &query)),
            })
        }
    }
}
