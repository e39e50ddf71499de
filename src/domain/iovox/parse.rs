//! Parsing of the `<request><contact>...</contact>...</request>` body shared
//! by updateContacts and addContacts.
//!
//! Structure rules (Dialbase's choices where the vendor is silent):
//! - the root element must be `<request>`;
//! - `<rm_rules>` / `<replace_details>` accept TRUE/FALSE (any case) or 1/0;
//!   anything else, an empty value included, is an XML parse error;
//! - details, ids and flags must hold text only; their values are trimmed;
//! - single-valued details, ids and flags may appear at most once;
//! - unknown elements (inside `<request>` or `<contact>`) and attributes
//!   are ignored, subtree included, for forward compatibility with fields
//!   iovox may add;
//! - only UTF-8 bodies are accepted (a UTF-8 BOM is allowed).

use super::detail::Detail;
use super::error::IovoxError;
use super::request::{ContactInput, ContactsRequest};
use super::xml_reader::{Node, XmlReader, is_xml_whitespace, line_column};

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
    let source = decode(body)?;
    if source.chars().all(is_xml_whitespace) {
        return Err(IovoxError::xml_empty());
    }
    let parser = RequestParser {
        xml: XmlReader::new(source, limits.max_depth),
        max_contacts: limits.max_contacts,
    };
    let request = parser.parse()?;
    if request.contacts.is_empty() {
        return Err(IovoxError::request_empty());
    }
    Ok(request)
}

fn decode(body: &[u8]) -> Result<&str, IovoxError> {
    let text = std::str::from_utf8(body).map_err(|err| {
        let valid = std::str::from_utf8(&body[..err.valid_up_to()]).unwrap_or_default();
        let (line, column) = line_column(valid, valid.len());
        IovoxError::xml_parse("invalid UTF-8 sequence", line, column)
    })?;
    Ok(text.strip_prefix('\u{FEFF}').unwrap_or(text))
}

struct RequestParser<'a> {
    xml: XmlReader<'a>,
    max_contacts: usize,
}

impl RequestParser<'_> {
    fn parse(mut self) -> Result<ContactsRequest, IovoxError> {
        match self.xml.next()? {
            Node::Open(name) if name == "request" => {}
            Node::Open(name) => {
                let message = format!("root element must be <request>, found <{name}>");
                return Err(self.xml.error_at_node(&message));
            }
            _ => return Err(self.xml.error_at_node("no root element")),
        }
        let request = self.request_children()?;
        // Drain the rest so trailing garbage is still reported.
        while !matches!(self.xml.next()?, Node::Eof) {}
        Ok(request)
    }

    fn request_children(&mut self) -> Result<ContactsRequest, IovoxError> {
        let mut request = ContactsRequest::default();
        let (mut rm_rules, mut replace_details) = (None, None);
        loop {
            match self.xml.next()? {
                Node::Open(name) => match name.as_str() {
                    "contact" => {
                        if request.contacts.len() == self.max_contacts {
                            return Err(IovoxError::too_many_contacts(self.max_contacts));
                        }
                        request.contacts.push(self.contact()?);
                    }
                    "rm_rules" => self.flag(&name, &mut rm_rules)?,
                    "replace_details" => self.flag(&name, &mut replace_details)?,
                    _ => self.skip()?,
                },
                Node::Text(_) => {}
                Node::Close | Node::Eof => break,
            }
        }
        request.rm_rules = rm_rules.unwrap_or(false);
        request.replace_details = replace_details.unwrap_or(false);
        Ok(request)
    }

    fn contact(&mut self) -> Result<ContactInput, IovoxError> {
        let mut contact = ContactInput::default();
        loop {
            match self.xml.next()? {
                Node::Open(name) => match name.as_str() {
                    "contact_id" => self.once(&name, &mut contact.contact_id)?,
                    "new_contact_id" => self.once(&name, &mut contact.new_contact_id)?,
                    _ => match Detail::from_element(&name) {
                        Some(detail) if !detail.is_multi_valued() && contact.sends(detail) => {
                            return Err(self.repeated(&name));
                        }
                        Some(detail) => contact.details.push((detail, self.text(&name)?)),
                        None => self.skip()?,
                    },
                },
                Node::Text(_) => {}
                Node::Close | Node::Eof => return Ok(contact),
            }
        }
    }

    /// Reads a boolean flag element into `slot`, which must still be empty.
    fn flag(&mut self, name: &str, slot: &mut Option<bool>) -> Result<(), IovoxError> {
        if slot.is_some() {
            return Err(self.repeated(name));
        }
        let element_offset = self.xml.node_offset();
        let value = self.text(name)?;
        match parse_flag(&value) {
            Some(flag) => {
                *slot = Some(flag);
                Ok(())
            }
            None => {
                let message = format!("invalid value '{value}' for <{name}>, expected TRUE or FALSE");
                Err(self.xml.error_at(&message, element_offset))
            }
        }
    }

    /// Reads a text element that may appear once into `slot`.
    fn once(&mut self, name: &str, slot: &mut Option<String>) -> Result<(), IovoxError> {
        if slot.is_some() {
            return Err(self.repeated(name));
        }
        *slot = Some(self.text(name)?);
        Ok(())
    }

    fn repeated(&self, name: &str) -> IovoxError {
        let message = format!("element <{name}> may appear only once here");
        self.xml.error_at_node(&message)
    }

    /// The trimmed text of a text-only element whose start tag was just read.
    fn text(&mut self, name: &str) -> Result<String, IovoxError> {
        let mut text = String::new();
        loop {
            match self.xml.next()? {
                Node::Text(piece) => text.push_str(&piece),
                Node::Open(child) => {
                    let message = format!("element <{name}> must contain text only, found <{child}>");
                    return Err(self.xml.error_at_node(&message));
                }
                Node::Close | Node::Eof => {
                    return Ok(text.trim_matches(is_xml_whitespace).to_owned());
                }
            }
        }
    }

    /// Skips the subtree of an element whose start tag was just read.
    fn skip(&mut self) -> Result<(), IovoxError> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.xml.next()? {
                Node::Open(_) => depth += 1,
                Node::Close | Node::Eof => depth -= 1,
                Node::Text(_) => {}
            }
        }
        Ok(())
    }
}

fn parse_flag(value: &str) -> Option<bool> {
    match value {
        "1" => Some(true),
        "0" => Some(false),
        _ if value.eq_ignore_ascii_case("true") => Some(true),
        _ if value.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}
