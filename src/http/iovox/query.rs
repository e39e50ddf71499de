//! Query-string parameters of getContacts, getContactDetails and
//! deleteContacts, checked in the order of the vendor's error tables.

use std::collections::HashMap;

use super::parse::parse_flag;
use crate::domain::iovox::{ContactField, ContactOrder, ContactQuery, IovoxError, MAX_LIMIT, phone_digits};

/// The format of a read's answer: `output=XML` (the default) or `output=JSON`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Xml,
    Json,
}

impl Output {
    /// `output`'s value, ASCII case ignored; `None` for anything else.
    pub fn parse(text: &str) -> Option<Output> {
        match text.trim() {
            text if text.eq_ignore_ascii_case("XML") => Some(Output::Xml),
            text if text.eq_ignore_ascii_case("JSON") => Some(Output::Json),
            _ => None,
        }
    }

    /// Whether a query string asks for JSON: errors are then rendered as JSON too.
    pub fn asks_json(params: &HashMap<String, String>) -> bool {
        params.get("output").and_then(|output| Output::parse(output)) == Some(Output::Json)
    }
}

/// getContacts (`details` false) or getContactDetails (`details` true, where
/// `contact_id` is mandatory and the only filter, and every detail is shown).
/// Empty parameters are ignored. Checked in the vendor's order (page, limit,
/// output), then Dialbase's (contact_id, order, req_fields, updated_since).
pub fn parse_contact_query(
    params: &HashMap<String, String>,
    details: bool,
) -> Result<(ContactQuery, Output), IovoxError> {
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
    let output = match params.get("output") {
        None => Output::Xml,
        Some(output) => Output::parse(output).ok_or_else(IovoxError::output_invalid)?,
    };
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
    let order = searched("order")
        .map(|order| ContactOrder::parse(&order).ok_or_else(IovoxError::order_invalid))
        .transpose()?;
    let fields = match searched("req_fields") {
        _ if details => ContactField::all()
            .filter(|field| matches!(field, ContactField::Detail(_)))
            .chain([ContactField::ContactId])
            .collect(),
        Some(list) => requested_fields(&list)?,
        None => ContactField::VENDOR_DEFAULT.to_vec(),
    };
    let updated_since = searched("updated_since")
        .map(|text| crate::domain::calldate::parse_moment(&text).map_err(|_| IovoxError::updated_since_invalid()))
        .transpose()?;
    let mut query = ContactQuery {
        contact_id,
        display_name: searched("display_name"),
        company: searched("company"),
        phone_number: searched("phone_number").map(|phone| phone_digits(&phone).to_owned()),
        email: searched("email"),
        page: page.max(1),
        limit,
        updated_since,
        fields,
        order,
    };
    query.fields.sort();
    query.fields.dedup();
    Ok((query, output))
}

/// `req_fields`: comma separated abbreviations (or element names); empty items
/// are skipped, an unknown one is an error.
fn requested_fields(list: &str) -> Result<Vec<ContactField>, IovoxError> {
    let names = list.split(',').map(str::trim).filter(|name| !name.is_empty());
    let fields = names
        .map(|name| ContactField::parse(name).ok_or_else(IovoxError::req_fields_invalid))
        .collect::<Result<Vec<_>, _>>()?;
    if fields.is_empty() {
        return Ok(ContactField::VENDOR_DEFAULT.to_vec());
    }
    Ok(fields)
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

/// A TRUE/FALSE query parameter, FALSE (the vendor's default) when absent or
/// empty; `label` names it in the error ("Remove If User Invalid").
pub fn query_flag(params: &HashMap<String, String>, key: &str, label: &str) -> Result<bool, IovoxError> {
    match params.get(key).map(|value| value.trim()) {
        None | Some("") => Ok(false),
        Some(value) => parse_flag(value).ok_or_else(|| IovoxError::flag_invalid(label)),
    }
}
