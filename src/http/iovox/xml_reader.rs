//! A hardened, minimal XML node stream over quick-xml's streaming reader.
//!
//! Why a wrapper: quick-xml is a tokenizer, not a validating parser. This
//! layer adds what a request body needs to be safe and well-formed:
//! - any `<!DOCTYPE ...>` is rejected, so no DTD, no entity declarations,
//!   no XML bombs and no external entities (XXE);
//! - only the five predefined entities and character references are
//!   resolved; any other `&name;` is an error (nothing is ever expanded);
//! - element nesting is capped;
//! - exactly one root element, no text outside it, unclosed elements at the
//!   end of input are errors, characters outside XML 1.0's `Char` are errors.
//!
//! Errors carry the 1-based line and column (in characters) of the byte
//! offset quick-xml reports, or of the offending node's start.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};

use crate::domain::iovox::IovoxError;

/// What the request parser consumes. Self-closing elements come as
/// `Open` immediately followed by `Close`.
#[derive(Debug)]
pub(super) enum Node {
    Open(String),
    Close,
    /// A piece of character data, unescaped; consecutive pieces concatenate.
    Text(String),
    Eof,
}

pub(super) struct XmlReader<'a> {
    source: &'a str,
    reader: Reader<&'a [u8]>,
    open: Vec<String>,
    pending_close: bool,
    root_closed: bool,
    max_depth: usize,
    node_offset: usize,
}

impl<'a> XmlReader<'a> {
    pub(super) fn new(source: &'a str, max_depth: usize) -> Self {
        XmlReader {
            source,
            reader: Reader::from_str(source),
            open: Vec::new(),
            pending_close: false,
            root_closed: false,
            max_depth,
            node_offset: 0,
        }
    }

    /// A parse error located at the start of the last returned node.
    pub(super) fn error_at_node(&self, message: &str) -> IovoxError {
        self.error_at(message, self.node_offset)
    }

    /// Byte offset where the last returned node starts.
    pub(super) fn node_offset(&self) -> usize {
        self.node_offset
    }

    pub(super) fn error_at(&self, message: &str, offset: usize) -> IovoxError {
        let (line, column) = line_column(self.source, offset);
        IovoxError::xml_parse(message, line, column)
    }

    /// The trimmed text of a text-only element whose start tag was just read.
    pub(super) fn text(&mut self, name: &str) -> Result<String, IovoxError> {
        let mut text = String::new();
        loop {
            match self.next()? {
                Node::Text(piece) => text.push_str(&piece),
                Node::Open(child) => {
                    let message = format!("element <{name}> must contain text only, found <{child}>");
                    return Err(self.error_at_node(&message));
                }
                Node::Close | Node::Eof => {
                    return Ok(text.trim_matches(is_xml_whitespace).to_owned());
                }
            }
        }
    }

    /// Reads a text element that may appear once into `slot`.
    pub(super) fn text_once(&mut self, name: &str, slot: &mut Option<String>) -> Result<(), IovoxError> {
        if slot.is_some() {
            return Err(self.repeated(name));
        }
        *slot = Some(self.text(name)?);
        Ok(())
    }

    /// The error for an element that may appear only once, at its start.
    pub(super) fn repeated(&self, name: &str) -> IovoxError {
        let message = format!("element <{name}> may appear only once here");
        self.error_at_node(&message)
    }

    /// Skips the subtree of an element whose start tag was just read.
    pub(super) fn skip_element(&mut self) -> Result<(), IovoxError> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Node::Open(_) => depth += 1,
                Node::Close | Node::Eof => depth -= 1,
                Node::Text(_) => {}
            }
        }
        Ok(())
    }

    pub(super) fn next(&mut self) -> Result<Node, IovoxError> {
        if self.pending_close {
            self.pending_close = false;
            return Ok(self.close());
        }
        loop {
            let start = offset(self.reader.buffer_position());
            self.node_offset = start;
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(err) => {
                    let at = offset(self.reader.error_position());
                    return Err(self.error_at(&err.to_string(), at));
                }
            };
            match event {
                Event::Decl(_) if start != 0 => {
                    return Err(self.error_at("XML declaration allowed only at the start of the document", start));
                }
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
                Event::DocType(_) => {
                    return Err(self.error_at("DOCTYPE declarations are not allowed", start));
                }
                Event::Start(tag) | Event::Empty(tag) if self.root_closed => {
                    let name = tag.name();
                    let message = format!("unexpected element <{}> after the root element", name.as_ref());
                    return Err(self.error_at(&message, start));
                }
                Event::Start(tag) => {
                    self.check_attributes(&tag, start)?;
                    return self.open(tag.name().as_ref(), start);
                }
                Event::Empty(tag) => {
                    self.check_attributes(&tag, start)?;
                    self.pending_close = true;
                    return self.open(tag.name().as_ref(), start);
                }
                Event::End(_) => return Ok(self.close()),
                Event::Text(text) => {
                    self.check_chars(&text, start)?;
                    if self.open.is_empty() {
                        if !text.chars().all(is_xml_whitespace) {
                            return Err(self.error_at("text outside the root element", start));
                        }
                        continue;
                    }
                    return Ok(Node::Text(text.xml10_content().into_owned()));
                }
                Event::CData(data) => {
                    self.check_chars(&data, start)?;
                    self.check_inside_root(start)?;
                    return Ok(Node::Text(data.xml10_content().into_owned()));
                }
                Event::GeneralRef(reference) => {
                    self.check_inside_root(start)?;
                    return self.resolve(&reference, start).map(Node::Text);
                }
                Event::Eof => return self.eof(start),
            }
        }
    }

    fn open(&mut self, name: &str, start: usize) -> Result<Node, IovoxError> {
        if self.open.len() >= self.max_depth {
            let message = format!("elements nested deeper than {} levels", self.max_depth);
            return Err(self.error_at(&message, start));
        }
        self.open.push(name.to_owned());
        Ok(Node::Open(name.to_owned()))
    }

    fn close(&mut self) -> Node {
        self.open.pop();
        self.root_closed = self.open.is_empty();
        Node::Close
    }

    fn eof(&self, at: usize) -> Result<Node, IovoxError> {
        match self.open.last() {
            Some(name) => {
                let message = format!("unexpected end of document, </{name}> expected");
                Err(self.error_at(&message, at))
            }
            None if !self.root_closed => Err(self.error_at("no root element", at)),
            None => Ok(Node::Eof),
        }
    }

    fn check_inside_root(&self, at: usize) -> Result<(), IovoxError> {
        if self.open.is_empty() {
            return Err(self.error_at("content outside the root element", at));
        }
        Ok(())
    }

    /// Attributes are ignored, but must still be well-formed (quoted,
    /// not repeated).
    fn check_attributes(&self, tag: &BytesStart<'_>, start: usize) -> Result<(), IovoxError> {
        match tag.attributes().find_map(Result::err) {
            Some(err) => Err(self.error_at(&err.to_string(), start)),
            None => Ok(()),
        }
    }

    fn check_chars(&self, raw: &str, start: usize) -> Result<(), IovoxError> {
        match raw.char_indices().find(|&(_, c)| !is_xml_char(c)) {
            Some((index, c)) => {
                let message = format!("invalid character U+{:04X}", u32::from(c));
                Err(self.error_at(&message, start + index))
            }
            None => Ok(()),
        }
    }

    /// Character references and the five predefined entities only.
    fn resolve(&self, reference: &BytesRef<'_>, at: usize) -> Result<String, IovoxError> {
        let name: &str = reference;
        match reference.resolve_char_ref() {
            Ok(Some(c)) if is_xml_char(c) => Ok(c.to_string()),
            Ok(Some(_)) | Err(_) => {
                let message = format!("invalid character reference &{name};");
                Err(self.error_at(&message, at))
            }
            Ok(None) => match resolve_predefined_entity(name) {
                Some(text) => Ok(text.to_owned()),
                None => Err(self.error_at(&format!("undefined entity &{name};"), at)),
            },
        }
    }
}

fn offset(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

pub(super) fn is_xml_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// XML 1.0 `Char`: Rust's `char` already excludes surrogates.
pub(super) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// 1-based line and column (counted in characters) of a byte offset.
pub(super) fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(source.len());
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let before = &source[..end];
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}
