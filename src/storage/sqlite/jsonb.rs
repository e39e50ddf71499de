//! SQLite's binary JSON (JSONB, <https://sqlite.org/jsonb.html>), the format of a record's
//! form and contacts on SQLite: written here straight from the record, read back through
//! serde (the same visitors that read JSON text), and understood by SQLite's own JSON
//! functions (`json_each`, `jsonb_set`) in SQL. Against JSON text it drops the quotes,
//! colons and commas, about 48 bytes of a typical record, and reading it needs no search
//! for escapes: every element starts with its type and length.
//!
//! An element is a header (type in the low four bits; payload size in the high four, or in
//! the 1, 2, 4 or 8 big-endian bytes after) and its payload. Texts are written as TEXTRAW
//! (any UTF-8, escaped when SQLite renders it), keys and value ids as TEXT and INT (ASCII
//! digits); the reader takes every type SQLite writes, escaped texts (TEXTJ) included.

use crate::domain::document::{DocValue, RecordDoc};
use crate::domain::record::Contact;
use crate::storage::shared::row::{StoredContacts, contact_slots, parse_contacts};
use rusqlite::types::ValueRef;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;

type Error = serde_json::Error;

const NULL: u8 = 0;
const TRUE: u8 = 1;
const FALSE: u8 = 2;
const INT: u8 = 3;
const INT5: u8 = 4;
const FLOAT: u8 = 5;
const FLOAT5: u8 = 6;
const TEXT: u8 = 7;
const TEXTJ: u8 = 8;
const TEXT5: u8 = 9;
const TEXTRAW: u8 = 10;
const ARRAY: u8 = 11;
const OBJECT: u8 = 12;

/// The form as JSONB: keys in the document's (ascending) order, one value bare.
pub fn doc(doc: &RecordDoc) -> Vec<u8> {
    let payload: usize = doc
        .entries()
        .map(|(field, values)| int_len(field) + values_len(values))
        .sum();
    let mut out = Vec::with_capacity(header_len(payload) + payload);
    header(&mut out, OBJECT, payload);
    for (field, values) in doc.entries() {
        int(&mut out, TEXT, field);
        field_values(&mut out, values);
    }
    out
}

/// A field's values as the document holds them (one bare, several in an array); None when
/// there are none.
pub fn values(values: &[DocValue]) -> Option<Vec<u8>> {
    if values.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(values_len(values));
    field_values(&mut out, values);
    Some(out)
}

fn field_values(out: &mut Vec<u8>, values: &[DocValue]) {
    match values {
        [one] => value(out, one),
        many => {
            header(out, ARRAY, many.iter().map(value_len).sum());
            many.iter().for_each(|v| value(out, v));
        }
    }
}

/// The contacts as JSONB (`{"slot": [title, name, phone, email]}`), the last of a slot
/// kept; None without contacts.
pub fn contacts(contacts: &[Contact]) -> Option<Vec<u8>> {
    if contacts.is_empty() {
        return None;
    }
    let slots = contact_slots(contacts);
    let detail_len = |d: &Option<&str>| d.map_or(1, text_len);
    let details_len = |details: &[Option<&str>; 4]| details.iter().map(detail_len).sum::<usize>();
    let payload: usize = slots
        .iter()
        .map(|(slot, details)| {
            let size = details_len(details);
            int_len(i64::from(*slot)) + header_len(size) + size
        })
        .sum();
    let mut out = Vec::with_capacity(header_len(payload) + payload);
    header(&mut out, OBJECT, payload);
    for (slot, details) in &slots {
        int(&mut out, TEXT, i64::from(*slot));
        header(&mut out, ARRAY, details_len(details));
        for detail in details {
            match detail {
                Some(text) => raw_text(&mut out, text),
                None => header(&mut out, NULL, 0),
            }
        }
    }
    Some(out)
}

/// Reads a whole JSONB value into `T`.
pub fn from_slice<'de, T: de::Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    let mut deserializer = Deserializer::new(bytes);
    let value = T::deserialize(&mut deserializer)?;
    if !deserializer.input.is_empty() {
        return Err(de::Error::custom("bytes after the JSONB value"));
    }
    Ok(value)
}

/// A stored form: JSONB, or JSON text in a row written before JSONB.
pub fn read_doc(stored: ValueRef<'_>) -> Result<RecordDoc, Error> {
    match stored {
        ValueRef::Blob(bytes) => from_slice(bytes),
        other => RecordDoc::parse(stored_text(other)?),
    }
}

/// Stored contacts (NULL: none): JSONB, or JSON text in a row written before JSONB.
pub fn read_contacts(stored: ValueRef<'_>) -> Result<Vec<Contact>, Error> {
    match stored {
        ValueRef::Null => Ok(Vec::new()),
        ValueRef::Blob(bytes) => from_slice::<StoredContacts>(bytes).map(StoredContacts::into_contacts),
        other => parse_contacts(Some(stored_text(other)?)),
    }
}

fn stored_text(stored: ValueRef<'_>) -> Result<&str, Error> {
    stored
        .as_str()
        .map_err(|e| de::Error::custom(format!("a stored document is neither JSONB nor JSON text: {e}")))
}

fn header_len(size: usize) -> usize {
    match size {
        0..=11 => 1,
        12..=0xff => 2,
        0x100..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

fn header(out: &mut Vec<u8>, kind: u8, size: usize) {
    match size {
        0..=11 => out.push(kind | (size as u8) << 4),
        12..=0xff => out.extend_from_slice(&[kind | 0xc0, size as u8]),
        0x100..=0xffff => {
            out.push(kind | 0xd0);
            out.extend_from_slice(&(size as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(kind | 0xe0);
            out.extend_from_slice(&(size as u32).to_be_bytes());
        }
        _ => {
            out.push(kind | 0xf0);
            out.extend_from_slice(&(size as u64).to_be_bytes());
        }
    }
}

fn text_len(text: &str) -> usize {
    header_len(text.len()) + text.len()
}

fn raw_text(out: &mut Vec<u8>, text: &str) {
    header(out, TEXTRAW, text.len());
    out.extend_from_slice(text.as_bytes());
}

/// The element of a number in ASCII digits (a value id, or a key as TEXT).
fn int_len(n: i64) -> usize {
    let digits = n.unsigned_abs().checked_ilog10().map_or(1, |log| log as usize + 1);
    let len = digits + usize::from(n < 0);
    header_len(len) + len
}

fn int(out: &mut Vec<u8>, kind: u8, n: i64) {
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(n);
    header(out, kind, digits.len());
    out.extend_from_slice(digits.as_bytes());
}

fn value_len(value: &DocValue) -> usize {
    match value {
        DocValue::Text(text) => text_len(text),
        DocValue::Id(id) => int_len(*id),
    }
}

fn values_len(values: &[DocValue]) -> usize {
    match values {
        [one] => value_len(one),
        many => {
            let payload: usize = many.iter().map(value_len).sum();
            header_len(payload) + payload
        }
    }
}

fn value(out: &mut Vec<u8>, value: &DocValue) {
    match value {
        DocValue::Text(text) => raw_text(out, text),
        DocValue::Id(id) => int(out, INT, *id),
    }
}

/// Reads JSONB through serde: what a visitor of JSON text accepts, it accepts here.
struct Deserializer<'de> {
    /// The elements not read yet.
    input: &'de [u8],
    /// Containers around them: a stored document nests two deep; a damaged one must not
    /// recurse down the stack.
    depth: u8,
}

/// Deeper nesting is an error (serde_json stops at 128).
const MAX_DEPTH: u8 = 32;

impl<'de> Deserializer<'de> {
    fn new(input: &'de [u8]) -> Self {
        Self { input, depth: 0 }
    }

    /// The reader of a container's payload, one level down.
    fn inside(&self, payload: &'de [u8]) -> Result<Self, Error> {
        match self.depth.checked_add(1).filter(|d| *d <= MAX_DEPTH) {
            Some(depth) => Ok(Self { input: payload, depth }),
            None => Err(error("nested too deep")),
        }
    }
}

fn error(what: &str) -> Error {
    de::Error::custom(format!("malformed JSONB: {what}"))
}

impl<'de> Deserializer<'de> {
    /// The next element's type and payload, past which it moves.
    fn element(&mut self) -> Result<(u8, &'de [u8]), Error> {
        let (&first, rest) = self.input.split_first().ok_or_else(|| error("truncated"))?;
        let width = match first >> 4 {
            0..=11 => 0,
            12 => 1,
            13 => 2,
            14 => 4,
            _ => 8,
        };
        if rest.len() < width {
            return Err(error("truncated header"));
        }
        let (size_bytes, rest) = rest.split_at(width);
        let size = match width {
            0 => usize::from(first >> 4),
            _ => size_bytes
                .iter()
                .try_fold(0usize, |size, &b| size.checked_mul(256).map(|s| s + usize::from(b)))
                .ok_or_else(|| error("size out of range"))?,
        };
        if rest.len() < size {
            return Err(error("truncated payload"));
        }
        let (payload, after) = rest.split_at(size);
        self.input = after;
        Ok((first & 0x0f, payload))
    }

    fn peek_kind(&self) -> Option<u8> {
        self.input.first().map(|b| b & 0x0f)
    }
}

fn utf8(payload: &[u8]) -> Result<&str, Error> {
    std::str::from_utf8(payload).map_err(|_| error("text is not UTF-8"))
}

/// A text element's text: TEXT and TEXTRAW as they are, TEXTJ and TEXT5 unescaped.
fn text_of(kind: u8, payload: &[u8]) -> Result<Cow<'_, str>, Error> {
    let text = utf8(payload)?;
    match kind {
        TEXT | TEXTRAW => Ok(Cow::Borrowed(text)),
        TEXTJ | TEXT5 => serde_json::from_str::<String>(&format!("\"{text}\"")).map(Cow::Owned),
        _ => Err(error("a key is not a text")),
    }
}

fn integer(payload: &[u8], kind: u8) -> Result<i64, Error> {
    let text = utf8(payload)?;
    let parsed = match kind {
        INT5 => {
            let (negative, digits) = text.strip_prefix('-').map_or((false, text), |d| (true, d));
            let hex = digits.trim_start_matches('+');
            let hex = hex.strip_prefix("0x").or_else(|| hex.strip_prefix("0X")).unwrap_or(hex);
            i64::from_str_radix(hex, 16).ok().map(|n| if negative { -n } else { n })
        }
        _ => text.parse().ok(),
    };
    parsed.ok_or_else(|| error("integer out of range"))
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let (kind, payload) = self.element()?;
        match kind {
            NULL => visitor.visit_unit(),
            TRUE => visitor.visit_bool(true),
            FALSE => visitor.visit_bool(false),
            INT | INT5 => visitor.visit_i64(integer(payload, kind)?),
            FLOAT | FLOAT5 => {
                let number = utf8(payload)?.parse::<f64>().map_err(|_| error("not a number"))?;
                visitor.visit_f64(number)
            }
            TEXT | TEXTRAW | TEXTJ | TEXT5 => match text_of(kind, payload)? {
                Cow::Borrowed(text) => visitor.visit_borrowed_str(text),
                Cow::Owned(text) => visitor.visit_string(text),
            },
            ARRAY => visitor.visit_seq(Elements(self.inside(payload)?)),
            OBJECT => visitor.visit_map(Elements(self.inside(payload)?)),
            _ => Err(error("reserved element type")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.peek_kind() == Some(NULL) {
            self.element()?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// The elements of an array, or the keys and values of an object.
struct Elements<'de>(Deserializer<'de>);

impl<'de> SeqAccess<'de> for Elements<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        if self.0.input.is_empty() {
            return Ok(None);
        }
        seed.deserialize(&mut self.0).map(Some)
    }
}

impl<'de> MapAccess<'de> for Elements<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        if self.0.input.is_empty() {
            return Ok(None);
        }
        let (kind, payload) = self.0.element()?;
        seed.deserialize(Key(text_of(kind, payload)?)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(&mut self.0)
    }
}

/// An object's key: a text, which a number type reads as its digits (contact slots), as
/// serde_json reads the keys of JSON text.
struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    fn number<N: std::str::FromStr>(&self) -> Result<N, Error> {
        self.0
            .parse()
            .map_err(|_| de::Error::custom(format!("'{}' is not a number", self.0)))
    }
}

macro_rules! numeric_keys {
    ($($method:ident => $visit:ident: $type:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.$visit(self.number::<$type>()?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Key<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Cow::Borrowed(text) => visitor.visit_borrowed_str(text),
            Cow::Owned(text) => visitor.visit_string(text),
        }
    }

    numeric_keys! {
        deserialize_u8 => visit_u8: u8, deserialize_u16 => visit_u16: u16, deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64, deserialize_i8 => visit_i8: i8, deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32, deserialize_i64 => visit_i64: i64
    }

    serde::forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char str string bytes byte_buf option unit unit_struct newtype_struct seq
        tuple tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
#[path = "jsonb_tests.rs"]
mod tests;
