//! Parsing of the `<request><contact>...</contact>...</request>` body shared
//! by updateContacts and addContacts.
//!
//! Structure rules (Dialbase's choices where the vendor is silent):
//! - the root element must be `<request>`;
//! - `<rm_rules>` / `<replace_details>` accept TRUE/FALSE (any case) or 1/0;
//!   an empty element (`<rm_rules/>`) is the vendor's default, FALSE; anything
//!   else is an XML parse error;
//! - details, ids and flags must hold text only; their values are trimmed;
//! - single-valued details, ids and flags may appear at most once;
//! - unknown elements (inside `<request>` or `<contact>`) and attributes
//!   are ignored, subtree included, for forward compatibility with fields
//!   iovox may add;
//! - only UTF-8 bodies are accepted (a UTF-8 BOM is allowed).

use super::xml_reader::{Node, XmlReader, is_xml_whitespace, line_column};
use crate::domain::iovox::{ContactInput, ContactsRequest, Detail, IovoxError};

/// Resource caps; the caller separately caps the body size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// More contacts than this is a 400 "Too many contacts..." error.
    pub max_contacts: usize,
    /// Deepest element nesting accepted (`<request><contact><x>` is 3).
    pub max_depth: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_contacts: 10_000,
            max_depth: 16,
        }
    }
}

/// Parses with `ParseLimits::default()`.
pub fn parse_contacts_request(body: &[u8]) -> Result<ContactsRequest, IovoxError> {
    parse_contacts_request_with(body, &ParseLimits::default())
}

/// Errors, in order: "XML Empty" (no bytes or only whitespace), "XML parse
/// error. ..." (including structure violations), "Too many contacts...",
/// and "Request Empty" (well-formed but no `<contact>`).
pub fn parse_contacts_request_with(body: &[u8], limits: &ParseLimits) -> Result<ContactsRequest, IovoxError> {
    let mut xml = open_request(body, limits.max_depth)?;
    let request = request_children(&mut xml, limits.max_contacts)?;
    close_request(xml)?;
    if request.contacts.is_empty() {
        return Err(IovoxError::request_empty());
    }
    Ok(request)
}

/// A reader positioned inside the root `<request>` of `body`, for every
/// method whose payload is a `<request>` document.
pub(super) fn open_request(body: &[u8], max_depth: usize) -> Result<XmlReader<'_>, IovoxError> {
    let source = decode(body)?;
    if source.chars().all(is_xml_whitespace) {
        return Err(IovoxError::xml_empty());
    }
    let mut xml = XmlReader::new(source, max_depth);
    match xml.next()? {
        Node::Open(name) if name == "request" => Ok(xml),
        Node::Open(name) => {
            let message = format!("root element must be <request>, found <{name}>");
            Err(xml.error_at_node(&message))
        }
        _ => Err(xml.error_at_node("no root element")),
    }
}

/// Drains what follows `</request>` so trailing garbage is still reported.
pub(super) fn close_request(mut xml: XmlReader<'_>) -> Result<(), IovoxError> {
    while !matches!(xml.next()?, Node::Eof) {}
    Ok(())
}

fn decode(body: &[u8]) -> Result<&str, IovoxError> {
    let text = std::str::from_utf8(body).map_err(|err| {
        let valid = std::str::from_utf8(&body[..err.valid_up_to()]).unwrap_or_default();
        let (line, column) = line_column(valid, valid.len());
        IovoxError::xml_parse("invalid UTF-8 sequence", line, column)
    })?;
    Ok(text.strip_prefix('\u{FEFF}').unwrap_or(text))
}

fn request_children(xml: &mut XmlReader<'_>, max_contacts: usize) -> Result<ContactsRequest, IovoxError> {
    let mut request = ContactsRequest::default();
    let (mut rm_rules, mut replace_details) = (None, None);
    loop {
        match xml.next()? {
            Node::Open(name) => match name.as_str() {
                "contact" => {
                    if request.contacts.len() == max_contacts {
                        return Err(IovoxError::too_many_contacts(max_contacts));
                    }
                    request.contacts.push(contact(xml)?);
                }
                "rm_rules" => flag(xml, &name, &mut rm_rules)?,
                "replace_details" => flag(xml, &name, &mut replace_details)?,
                _ => xml.skip_element()?,
            },
            Node::Text(_) => {}
            Node::Close | Node::Eof => break,
        }
    }
    request.rm_rules = rm_rules.unwrap_or(false);
    request.replace_details = replace_details.unwrap_or(false);
    Ok(request)
}

fn contact(xml: &mut XmlReader<'_>) -> Result<ContactInput, IovoxError> {
    let mut contact = ContactInput::default();
    loop {
        match xml.next()? {
            Node::Open(name) => match name.as_str() {
                "contact_id" => xml.text_once(&name, &mut contact.contact_id)?,
                "new_contact_id" => xml.text_once(&name, &mut contact.new_contact_id)?,
                _ => match Detail::from_element(&name) {
                    Some(detail) if !detail.is_multi_valued() && contact.sends(detail) => {
                        return Err(xml.repeated(&name));
                    }
                    Some(detail) => contact.details.push((detail, xml.text(&name)?)),
                    None => xml.skip_element()?,
                },
            },
            Node::Text(_) => {}
            Node::Close | Node::Eof => return Ok(contact),
        }
    }
}

/// Reads a boolean flag element into `slot`, which must still be empty; an
/// empty element means the default, FALSE.
fn flag(xml: &mut XmlReader<'_>, name: &str, slot: &mut Option<bool>) -> Result<(), IovoxError> {
    if slot.is_some() {
        return Err(xml.repeated(name));
    }
    let element_offset = xml.node_offset();
    let value = xml.text(name)?;
    if value.is_empty() {
        *slot = Some(false);
        return Ok(());
    }
    match parse_flag(&value) {
        Some(flag) => {
            *slot = Some(flag);
            Ok(())
        }
        None => {
            let message = format!("invalid value '{value}' for <{name}>, expected TRUE or FALSE");
            Err(xml.error_at(&message, element_offset))
        }
    }
}

/// TRUE/FALSE in any case, or 1/0.
pub(super) fn parse_flag(value: &str) -> Option<bool> {
    match value {
        "1" => Some(true),
        "0" => Some(false),
        _ if value.eq_ignore_ascii_case("true") => Some(true),
        _ if value.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}
