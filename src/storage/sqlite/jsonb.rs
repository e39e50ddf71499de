//! SQLite's binary JSON (JSONB, <https://sqlite.org/jsonb.html>): the form and contacts of
//! rows written before the packed format (`packed.rs`), read through serde
//! (the same visitors that read JSON text). Such a row is written packed when it next
//! changes.
//!
//! An element is a header (type in the low four bits; payload size in the high four, or in
//! the 1, 2, 4 or 8 big-endian bytes after) and its payload. The reader takes every type
//! SQLite writes, escaped texts (TEXTJ) included.

use crate::domain::record::Contact;
use crate::storage::shared::row::StoredContacts;
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

/// Reads a whole JSONB value into `T`.
pub fn from_slice<'de, T: de::Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    let mut deserializer = Deserializer::new(bytes);
    let value = T::deserialize(&mut deserializer)?;
    if !deserializer.input.is_empty() {
        return Err(de::Error::custom("bytes after the JSONB value"));
    }
    Ok(value)
}

/// Contacts stored as JSONB.
pub fn read_contacts(bytes: &[u8]) -> Result<Vec<Contact>, Error> {
    from_slice::<StoredContacts>(bytes).map(StoredContacts::into_contacts)
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
