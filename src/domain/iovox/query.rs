//! Query-string parameters of getContacts, getContactDetails and
//! deleteContacts, checked in the order of the vendor's error tables.

use std::collections::HashMap;

use super::error::IovoxError;
use super::parse::parse_flag;
use super::phone::phone_digits;

/// Vendor: "Maximum here is 20000", also the default.
pub const MAX_LIMIT: u32 = 20_000;

/// A page of contacts matching every given filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactQuery {
    pub contact_id: Option<String>,
    /// Contacts whose display name contains this text.
    pub display_name: Option<String>,
    pub company: Option<String>,
    /// Digits without '+'; matches any of the four phone details.
    pub phone_number: Option<String>,
    /// Matches `email` or `email_2`.
    pub email: Option<String>,
    /// 1-based.
    pub page: u32,
    pub limit: u32,
    /// Only contacts changed at or after this time (Unix seconds): Dialbase's incremental read.
    pub updated_since: Option<i64>,
}

impl ContactQuery {
    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.limit)
    }
}

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

/// What deleteContacts needs to know of one requested id: `None` when no
/// such contact exists, else its record and whether Rules use its details.
pub type DeleteTarget = Option<(i64, bool)>;

/// deleteContacts' checks, item by item ("Contact ID x of y does not exist",
/// then "Contact x of y is used in Rules or Rule Templates" unless rm_rules);
/// returns the records to delete.
pub fn validate_delete(targets: &[DeleteTarget], rm_rules: bool) -> Result<Vec<i64>, IovoxError> {
    let total = targets.len();
    let mut records = Vec::with_capacity(total);
    for (index, target) in targets.iter().enumerate() {
        let item = index + 1;
        let (record, used) = target.ok_or_else(|| IovoxError::contact_id_not_found(item, total))?;
        if used && !rm_rules {
            return Err(IovoxError::contact_used_in_rules(item, total));
        }
        records.push(record);
    }
    Ok(records)
}
