//! Query-string parameters of getContacts, getContactDetails and
//! deleteContacts, checked in the order of the vendor's error tables.

use std::collections::HashMap;

use super::parse::parse_flag;
use crate::domain::iovox::{ContactQuery, IovoxError, MAX_LIMIT, phone_digits};

/// getContacts (`details` false) or getContactDetails (`details` true, where
/// `contact_id` is mandatory and the only filter). Empty filters are ignored;
/// `output` may only be XML (Dialbase does not answer JSON).
pub fn parse_contact_query(params: &HashMap<String, String>, details: bool) -> Result<ContactQuery, IovoxError> {
    let page = match params.get("page") {
        None => 1,
        Some(page) => page.trim().parse::<u32>().map_err(|_| IovoxError::page_not_integer())?,
    };
    let limit = match params.get("limit") {
        None => MAX_LIMIT,
        Some(limit) => limit
            .trim()
            .parse::<u32>()
            .map_err(|_| IovoxError::limit_not_integer())?,
    };
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(IovoxError::limit_out_of_range(MAX_LIMIT));
    }
    if params
        .get("output")
        .is_some_and(|output| !output.eq_ignore_ascii_case("XML"))
    {
        return Err(IovoxError::output_invalid());
    }
    let filter = |key: &str| {
        params
            .get(key)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    let contact_id = filter("contact_id");
    if details && contact_id.is_none() {
        return Err(IovoxError::contact_id_missing());
    }
    let searched = |key: &str| if details { None } else { filter(key) };
    let updated_since = searched("updated_since")
        .map(|text| crate::domain::calldate::parse_moment(&text).map_err(|_| IovoxError::updated_since_invalid()))
        .transpose()?;
    Ok(ContactQuery {
        contact_id,
        display_name: searched("display_name"),
        company: searched("company"),
        phone_number: searched("phone_number").map(|phone| phone_digits(&phone).to_owned()),
        email: searched("email"),
        page: page.max(1),
        limit,
        updated_since,
    })
}

/// deleteContacts' `contact_ids`: comma separated, trimmed, repeats dropped.
pub fn parse_contact_ids(params: &HashMap<String, String>) -> Result<Vec<String>, IovoxError> {
    let mut ids: Vec<String> = Vec::new();
    for id in params.get("contact_ids").into_iter().flat_map(|ids| ids.split(',')) {
        let id = id.trim();
        if !id.is_empty() && !ids.iter().any(|seen| seen == id) {
            ids.push(id.to_owned());
        }
    }
    if ids.is_empty() {
        return Err(IovoxError::contact_ids_empty());
    }
    Ok(ids)
}

/// A TRUE/FALSE query parameter, FALSE when absent; `label` names it in the
/// error ("Remove If User Invalid").
pub fn query_flag(params: &HashMap<String, String>, key: &str, label: &str) -> Result<bool, IovoxError> {
    match params.get(key) {
        None => Ok(false),
        Some(value) => parse_flag(value.trim()).ok_or_else(|| IovoxError::flag_invalid(label)),
    }
}
