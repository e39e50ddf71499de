//! A record's form and contacts as SQLite stores them: Dialbase's own packed format.
//! Against SQLite's JSONB (what rows written before hold, still read by `jsonb.rs`), a key
//! is its distance from the previous field id in a varint, one byte, instead of the id's
//! digits as a text element, and a value's header is one byte for a text of up to 62
//! bytes, two in JSONB from 12 on: about 35 bytes less for a typical record
//! (docs/storage.md). SQL reaches it through Dialbase's functions (`functions.rs`).
//!
//! Both start with [`MARKER`], a byte no JSONB document starts with (JSONB's null).
//! - Form: entries in ascending field id order, each `varint(id - previous id)` (the first
//!   from 0) and the field's values: one bare, several as a list.
//! - A value: a tag byte, the kind in its low two bits and a number `n` in its high six,
//!   or 63 there and `n` in a varint after it. Text: `n` is its length, its bytes follow.
//!   Value id: `n` is the id, zigzag-coded. List: `n` values follow.
//! - Contacts: in slot order, each a byte of the details present (title, name, phone,
//!   email: bits 4-7) and the slot (bits 0-3; 15 and the slot in a byte after it when it
//!   is 15 or more), then each present detail as `varint(length)` and its bytes.

use crate::domain::document::{DocValue, RecordDoc};
use crate::domain::record::Contact;
use crate::storage::shared::row::contact_slots;
use rusqlite::types::ValueRef;
use serde::de;

type Error = serde_json::Error;

/// The first byte of a packed form or contacts.
pub const MARKER: u8 = 0x00;

const TEXT: u8 = 0;
const ID: u8 = 1;
const LIST: u8 = 2;
/// In a tag's number bits: the number follows in a varint.
const LONG: u64 = 63;

/// The form, packed.
pub fn doc(doc: &RecordDoc) -> Vec<u8> {
    let size: usize = doc.entries().map(|(_, values)| 2 + values_len(values)).sum();
    let mut out = Vec::with_capacity(1 + size);
    out.push(MARKER);
    let mut previous = 0i64;
    for (field, values) in doc.entries() {
        field_id(&mut out, &mut previous, field);
        field_values(&mut out, values);
    }
    out
}

/// An entry's field id, a step from the `previous` one (the first from 0).
fn field_id(out: &mut Vec<u8>, previous: &mut i64, field: i64) {
    varint(out, field.wrapping_sub(*previous) as u64);
    *previous = field;
}

/// New values for some fields of a form (none removes the field), packed once for every
/// record they go to.
pub struct Patch(Vec<PatchedField>);

struct PatchedField {
    field: i64,
    values: Vec<DocValue>,
    /// The values packed; None removes the field.
    packed: Option<Vec<u8>>,
}

impl Patch {
    pub fn new(changes: &[(i64, Vec<DocValue>)]) -> Self {
        let mut fields: Vec<PatchedField> = changes
            .iter()
            .map(|(field, values)| {
                let packed = (!values.is_empty()).then(|| {
                    let mut out = Vec::with_capacity(values_len(values));
                    field_values(&mut out, values);
                    out
                });
                PatchedField {
                    field: *field,
                    values: values.clone(),
                    packed,
                }
            })
            .collect();
        // The last change of a field wins, as applied one after another.
        fields.reverse();
        fields.sort_by_key(|f| f.field);
        fields.dedup_by_key(|f| f.field);
        Self(fields)
    }

    /// The stored form with the patch applied, or None when that changes nothing. A packed
    /// form is patched as bytes, its other fields copied as they are (a batch modification
    /// of 100,000 records: no text of theirs is read into a string); a form of an earlier
    /// format is read whole and written packed.
    pub fn apply(&self, stored: ValueRef<'_>) -> Result<Option<Vec<u8>>, Error> {
        let ValueRef::Blob([MARKER, packed @ ..]) = stored else {
            let mut doc = read_doc(stored)?;
            let before = doc.clone();
            for f in &self.0 {
                doc.set(f.field, f.values.clone());
            }
            return Ok((doc != before).then(|| self::doc(&doc)));
        };
        let patched_len: usize = self.0.iter().flat_map(|f| &f.packed).map(Vec::len).sum();
        let mut out = Vec::with_capacity(1 + packed.len() + patched_len);
        out.push(MARKER);
        let mut changed = false;
        let mut previous = 0i64;
        let mut put = |out: &mut Vec<u8>, field: i64, value: &[u8]| {
            field_id(out, &mut previous, field);
            out.extend_from_slice(value);
        };
        let mut reader = Reader(packed);
        let mut stored_previous: Option<i64> = None;
        let mut changes = self.0.iter().peekable();
        while !reader.0.is_empty() {
            let field = reader.field_id(&mut stored_previous)?;
            let value = reader.skip_values()?;
            while let Some(new) = changes.next_if(|f| f.field < field) {
                if let Some(new_value) = &new.packed {
                    put(&mut out, new.field, new_value);
                    changed = true;
                }
            }
            match changes.next_if(|f| f.field == field).map(|f| &f.packed) {
                Some(Some(new_value)) => {
                    changed |= new_value.as_slice() != value;
                    put(&mut out, field, new_value);
                }
                Some(None) => changed = true,
                None => put(&mut out, field, value),
            }
        }
        for new in changes {
            if let Some(new_value) = &new.packed {
                put(&mut out, new.field, new_value);
                changed = true;
            }
        }
        Ok(changed.then_some(out))
    }
}

/// The contacts, packed, the last of a slot kept; None without contacts.
pub fn contacts(contacts: &[Contact]) -> Option<Vec<u8>> {
    if contacts.is_empty() {
        return None;
    }
    let slots = contact_slots(contacts);
    let size: usize = slots
        .values()
        .map(|details| 2 + details.iter().flatten().map(|d| 1 + d.len()).sum::<usize>())
        .sum();
    let mut out = Vec::with_capacity(1 + size);
    out.push(MARKER);
    for (slot, details) in &slots {
        let present = details
            .iter()
            .enumerate()
            .fold(0u8, |bits, (i, d)| bits | u8::from(d.is_some()) << i);
        out.push(present << 4 | (*slot).min(15));
        if *slot >= 15 {
            out.push(*slot);
        }
        for detail in details.iter().flatten() {
            varint(&mut out, detail.len() as u64);
            out.extend_from_slice(detail.as_bytes());
        }
    }
    Some(out)
}

/// A stored form: packed, JSONB or JSON text (rows written by earlier versions).
pub fn read_doc(stored: ValueRef<'_>) -> Result<RecordDoc, Error> {
    match stored {
        ValueRef::Blob([MARKER, packed @ ..]) => unpack_doc(packed),
        ValueRef::Blob(bytes) => super::jsonb::from_slice(bytes),
        other => RecordDoc::parse(stored_text(other)?),
    }
}

/// Stored contacts (NULL: none): packed, JSONB or JSON text.
pub fn read_contacts(stored: ValueRef<'_>) -> Result<Vec<Contact>, Error> {
    match stored {
        ValueRef::Null => Ok(Vec::new()),
        ValueRef::Blob([MARKER, packed @ ..]) => unpack_contacts(packed),
        ValueRef::Blob(bytes) => super::jsonb::read_contacts(bytes),
        other => crate::storage::shared::row::parse_contacts(Some(stored_text(other)?)),
    }
}

fn stored_text(stored: ValueRef<'_>) -> Result<&str, Error> {
    stored
        .as_str()
        .map_err(|e| de::Error::custom(format!("a stored document is neither packed, JSONB nor JSON text: {e}")))
}

fn unpack_doc(bytes: &[u8]) -> Result<RecordDoc, Error> {
    let mut reader = Reader(bytes);
    let mut entries = Vec::with_capacity(16);
    let mut previous: Option<i64> = None;
    while !reader.0.is_empty() {
        let field = reader.field_id(&mut previous)?;
        entries.push((field, reader.field_values()?));
    }
    Ok(RecordDoc::from_entries(entries))
}

fn unpack_contacts(bytes: &[u8]) -> Result<Vec<Contact>, Error> {
    let mut reader = Reader(bytes);
    let mut contacts = Vec::with_capacity(1);
    while let Some(byte) = reader.byte() {
        let slot = match byte & 0x0f {
            15 => reader.byte().ok_or_else(|| error("truncated slot"))?,
            slot => slot,
        };
        let mut details: [Option<String>; 4] = Default::default();
        for (i, detail) in details.iter_mut().enumerate() {
            if byte >> 4 & 1 << i != 0 {
                let len = usize::try_from(reader.varint()?).map_err(|_| error("length out of range"))?;
                *detail = Some(reader.text(len)?);
            }
        }
        let [title, name, phone, email] = details;
        contacts.push(Contact {
            slot,
            title,
            name,
            phone,
            email,
        });
    }
    if !contacts.is_sorted_by_key(|c| c.slot) || contacts.windows(2).any(|w| w[0].slot == w[1].slot) {
        return Err(error("contact slots out of order"));
    }
    Ok(contacts)
}

fn error(what: &str) -> Error {
    de::Error::custom(format!("malformed packed document: {what}"))
}

/// The bytes not read yet.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(first)
    }

    fn varint(&mut self) -> Result<u64, Error> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte().ok_or_else(|| error("truncated number"))?;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(error("number out of range"))
    }

    /// The next entry's field id, a step from the `previous` one (the first from 0).
    fn field_id(&mut self, previous: &mut Option<i64>) -> Result<i64, Error> {
        let field = previous.unwrap_or(0).wrapping_add(self.varint()? as i64);
        if previous.is_some_and(|p| field <= p) {
            return Err(error("field ids out of order"));
        }
        *previous = Some(field);
        Ok(field)
    }

    fn text(&mut self, len: usize) -> Result<String, Error> {
        if self.0.len() < len {
            return Err(error("truncated text"));
        }
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        std::str::from_utf8(text)
            .map(str::to_owned)
            .map_err(|_| error("text is not UTF-8"))
    }

    /// A tag's kind and number.
    fn tag(&mut self) -> Result<(u8, u64), Error> {
        let tag = self.byte().ok_or_else(|| error("truncated value"))?;
        let n = u64::from(tag >> 2);
        Ok((tag & 3, if n == LONG { self.varint()? } else { n }))
    }

    /// The bytes of a field's values, past which it moves.
    fn skip_values(&mut self) -> Result<&[u8], Error> {
        let start = self.0;
        let count = match self.tag()? {
            (LIST, count) => count,
            (kind, n) => {
                self.skip_value(kind, n)?;
                0
            }
        };
        for _ in 0..count {
            let (kind, n) = self.tag()?;
            self.skip_value(kind, n)?;
        }
        Ok(&start[..start.len() - self.0.len()])
    }

    fn skip_value(&mut self, kind: u8, n: u64) -> Result<(), Error> {
        match kind {
            TEXT => {
                let len = usize::try_from(n).ok().filter(|len| *len <= self.0.len());
                self.0 = &self.0[len.ok_or_else(|| error("truncated text"))?..];
                Ok(())
            }
            ID => Ok(()),
            _ => Err(error("a list inside a list")),
        }
    }

    fn field_values(&mut self) -> Result<Vec<DocValue>, Error> {
        match self.tag()? {
            (LIST, count) => {
                // Every value takes a byte at least: a count beyond the bytes left is damage.
                let count = usize::try_from(count)
                    .ok()
                    .filter(|c| *c <= self.0.len())
                    .ok_or_else(|| error("list longer than its bytes"))?;
                let mut values = Vec::with_capacity(count);
                for _ in 0..count {
                    let (kind, n) = self.tag()?;
                    values.push(self.value(kind, n)?);
                }
                Ok(values)
            }
            (kind, n) => Ok(vec![self.value(kind, n)?]),
        }
    }

    fn value(&mut self, kind: u8, n: u64) -> Result<DocValue, Error> {
        match kind {
            TEXT => {
                let len = usize::try_from(n).map_err(|_| error("length out of range"))?;
                self.text(len).map(DocValue::Text)
            }
            ID => Ok(DocValue::Id(unzigzag(n))),
            _ => Err(error("a list inside a list")),
        }
    }
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn varint_len(n: u64) -> usize {
    (64 - n.leading_zeros() as usize).max(1).div_ceil(7)
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    (n >> 1) as i64 ^ -((n & 1) as i64)
}

fn tag(out: &mut Vec<u8>, kind: u8, n: u64) {
    if n < LONG {
        out.push((n as u8) << 2 | kind);
    } else {
        out.push((LONG as u8) << 2 | kind);
        varint(out, n);
    }
}

fn tag_len(n: u64) -> usize {
    if n < LONG { 1 } else { 1 + varint_len(n) }
}

fn value_len(value: &DocValue) -> usize {
    match value {
        DocValue::Text(text) => tag_len(text.len() as u64) + text.len(),
        DocValue::Id(id) => tag_len(zigzag(*id)),
    }
}

fn values_len(values: &[DocValue]) -> usize {
    match values {
        [one] => value_len(one),
        many => tag_len(many.len() as u64) + many.iter().map(value_len).sum::<usize>(),
    }
}

fn value(out: &mut Vec<u8>, value: &DocValue) {
    match value {
        DocValue::Text(text) => {
            tag(out, TEXT, text.len() as u64);
            out.extend_from_slice(text.as_bytes());
        }
        DocValue::Id(id) => tag(out, ID, zigzag(*id)),
    }
}

fn field_values(out: &mut Vec<u8>, values: &[DocValue]) {
    match values {
        [one] => value(out, one),
        many => {
            tag(out, LIST, many.len() as u64);
            many.iter().for_each(|v| value(out, v));
        }
    }
}

#[cfg(test)]
#[path = "packed_tests.rs"]
pub(super) mod tests;
