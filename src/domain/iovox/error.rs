//! The error rows of the iovox Contacts API, with their exact texts.
//!
//! `x of y` in the vendor table is always the 1-based position of the
//! offending `<contact>` and the number of contacts in the request.

use std::fmt;

use super::detail::Detail;

/// An API error: the HTTP status and the plain-text message iovox returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IovoxError {
    pub status: u16,
    pub message: String,
}

impl fmt::Display for IovoxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}

impl std::error::Error for IovoxError {}

fn bad_request(message: impl Into<String>) -> IovoxError {
    IovoxError {
        status: 400,
        message: message.into(),
    }
}

impl IovoxError {
    pub fn api_version_empty() -> Self {
        bad_request("API Version Empty")
    }

    pub fn api_version_invalid() -> Self {
        bad_request("API Version Invalid")
    }

    /// `expected` differs per method (PUT for updateContacts, POST for
    /// addContacts, GET for getContacts...).
    pub fn request_method(expected: &str, attempted: &str) -> Self {
        bad_request(format!("Request Method must be {expected}. {attempted} attempted"))
    }

    pub fn xml_empty() -> Self {
        bad_request("XML Empty")
    }

    /// `line` and `column` are 1-based; see `xml_reader` for how they are
    /// computed.
    pub fn xml_parse(message: &str, line: usize, column: usize) -> Self {
        bad_request(format!("XML parse error. {message} at line {line}, column {column}"))
    }

    pub fn request_empty() -> Self {
        bad_request("Request Empty")
    }

    /// Not in the vendor table: Dialbase caps the contacts per request so a
    /// single call cannot monopolise the server.
    pub fn too_many_contacts(max: usize) -> Self {
        bad_request(format!("Too many contacts. At most {max} contacts per request"))
    }

    pub fn contact_id_empty(item: usize, total: usize) -> Self {
        bad_request(format!("Contact ID {item} of {total} Empty"))
    }

    pub fn contact_id_not_found(item: usize, total: usize) -> Self {
        bad_request(format!("Contact ID {item} of {total} does not exist"))
    }

    pub fn duplicate_contact_id() -> Self {
        bad_request("Duplicate Contact ID Received")
    }

    pub fn display_name_empty(item: usize, total: usize) -> Self {
        bad_request(format!("Display Name {item} of {total} Empty"))
    }

    /// One row per phone detail: "Home Phone", "Business Phone",
    /// "Business Fax" and "Mobile Phone".
    pub fn phone_not_internationalised(phone: Detail, item: usize, total: usize) -> Self {
        bad_request(format!("{} {item} of {total} is not internationalised", phone.label()))
    }

    /// Rows "First Name", "Last Name", "Home Country" and "Business Country"
    /// `x of y Invalid`.
    pub fn detail_invalid(detail: Detail, item: usize, total: usize) -> Self {
        bad_request(format!("{} {item} of {total} Invalid", detail.label()))
    }

    pub fn combination_exists(item: usize, total: usize) -> Self {
        bad_request(format!(
            "Display Name and Phone Number Combination {item} of {total} already exists"
        ))
    }

    pub fn combination_duplicated() -> Self {
        bad_request("Display Name and Phone Number Combination duplicated")
    }

    pub fn empty_fields_used_in_rules(item: usize, total: usize) -> Self {
        bad_request(format!(
            "Contact {item} of {total} has empty fields that are used in Rules or Rule Templates"
        ))
    }

    /// Not in the vendor table (Dialbase's wording): no `method` parameter.
    pub fn method_empty() -> Self {
        bad_request("Method Empty")
    }

    /// Not in the vendor table (Dialbase's wording): a method this interface lacks.
    pub fn method_invalid() -> Self {
        bad_request("Method Invalid")
    }

    /// getContacts / getContactDetails paging rows.
    pub fn page_not_integer() -> Self {
        bad_request("Page Number not an integer")
    }

    pub fn limit_not_integer() -> Self {
        bad_request("Limit not an integer")
    }

    pub fn limit_out_of_range(max: u32) -> Self {
        bad_request(format!("Limit must be between 1 and {max}"))
    }

    /// Dialbase's `updated_since` (no vendor text exists for it).
    pub fn updated_since_invalid() -> Self {
        bad_request("Updated Since Invalid")
    }

    pub fn output_invalid() -> Self {
        bad_request("Output Type Invalid")
    }

    /// getContacts' `order` names no field or direction (Dialbase's wording).
    pub fn order_invalid() -> Self {
        bad_request("Order Invalid")
    }

    /// getContacts' `req_fields` names an unknown field (Dialbase's wording).
    pub fn req_fields_invalid() -> Self {
        bad_request("Requested Fields Invalid")
    }

    /// getContactDetails of a contact id that does not exist (or no longer does),
    /// as the vendor words it.
    pub fn contact_not_found() -> Self {
        bad_request("Contact ID does not exist")
    }

    /// getContactDetails without `contact_id` (Dialbase's wording).
    pub fn contact_id_missing() -> Self {
        bad_request("Contact ID Empty")
    }

    /// deleteContacts rows.
    pub fn contact_ids_empty() -> Self {
        bad_request("Contact IDs Empty")
    }

    /// `label` is "Remove If User" (vendor row) or "Remove Rules" (Dialbase's
    /// analogue for rm_rules).
    pub fn flag_invalid(label: &str) -> Self {
        bad_request(format!("{label} Invalid"))
    }

    pub fn contact_used_in_rules(item: usize, total: usize) -> Self {
        bad_request(format!("Contact {item} of {total} is used in Rules or Rule Templates"))
    }

    /// Rules::createRuleTemplates rows (Dialbase's wording, in the vendor's style;
    /// `x of y` is the position of the `<rule_template>`).
    pub fn rule_template_name_empty(item: usize, total: usize) -> Self {
        bad_request(format!("Rule Template Name {item} of {total} Empty"))
    }

    pub fn duplicate_rule_template_name() -> Self {
        bad_request("Duplicate Rule Template Name Received")
    }

    pub fn contact_detail_invalid(item: usize, total: usize) -> Self {
        bad_request(format!("Contact Detail {item} of {total} Invalid"))
    }

    pub fn contact_detail_empty(item: usize, total: usize) -> Self {
        bad_request(format!("Contact Detail {item} of {total} Empty"))
    }

    pub fn link_id_empty(item: usize, total: usize) -> Self {
        bad_request(format!("Link ID {item} of {total} Empty"))
    }

    pub fn duplicate_link_id() -> Self {
        bad_request("Duplicate Link ID Received")
    }

    /// Any other status, worded as the vendor's own 401 ("HTTP 401: Unauthorized").
    pub fn http_status(status: u16, reason: &str) -> Self {
        IovoxError {
            status,
            message: format!("HTTP {status}: {reason}"),
        }
    }

    pub fn internal_server_error() -> Self {
        IovoxError {
            status: 500,
            message: "Internal Server Error".to_owned(),
        }
    }
}
