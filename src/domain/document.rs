//! A record's form as one document: field id -> values, stored in one column
//! (docs/storage.md). Text fields keep their text, list fields their value ids; a
//! field with one value stores it bare, with several as an array, with none not at all.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DocValue {
    Text(String),
    /// A value id of a list field.
    Id(i64),
}

/// The form values of one record, in ascending field id order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordDoc {
    entries: Vec<(i64, Vec<DocValue>)>,
}

impl RecordDoc {
    /// An empty document with room for `fields` fields (a new record's form).
    pub fn with_capacity(fields: usize) -> Self {
        Self {
            entries: Vec::with_capacity(fields),
        }
    }

    /// The document of these entries: fields without values left out, any order sorted.
    pub fn from_entries(mut entries: Vec<(i64, Vec<DocValue>)>) -> Self {
        entries.retain(|(_, values)| !values.is_empty());
        if !entries.is_sorted_by_key(|(f, _)| *f) {
            entries.sort_by_key(|(f, _)| *f);
        }
        Self { entries }
    }

    pub fn parse(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The compact JSON text: keys in ascending id order, one value bare.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(32 * self.entries.len() + 2);
        out.push('{');
        for (i, (field, values)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(itoa::Buffer::new().format(*field));
            out.push_str("\":");
            push_values(&mut out, values);
        }
        out.push('}');
        out
    }

    pub fn entries(&self) -> impl Iterator<Item = (i64, &[DocValue])> {
        self.entries.iter().map(|(f, v)| (*f, v.as_slice()))
    }

    /// The entries by value: a record read for an answer moves its texts out instead of
    /// copying them.
    pub fn into_entries(self) -> impl Iterator<Item = (i64, Vec<DocValue>)> {
        self.entries.into_iter()
    }

    pub fn get(&self, field: i64) -> &[DocValue] {
        match self.entries.binary_search_by_key(&field, |(f, _)| *f) {
            Ok(i) => &self.entries[i].1,
            Err(_) => &[],
        }
    }

    /// Replaces the field's values; no values clears the field.
    pub fn set(&mut self, field: i64, values: Vec<DocValue>) {
        match (
            self.entries.binary_search_by_key(&field, |(f, _)| *f),
            values.is_empty(),
        ) {
            (Ok(i), true) => {
                self.entries.remove(i);
            }
            (Ok(i), false) => self.entries[i].1 = values,
            (Err(_), true) => {}
            (Err(i), false) => self.entries.insert(i, (field, values)),
        }
    }

    /// Takes the value id off the field; returns whether it was there.
    pub fn remove_id(&mut self, field: i64, id: i64) -> bool {
        let mut values = self.get(field).to_vec();
        let before = values.len();
        values.retain(|v| *v != DocValue::Id(id));
        let removed = values.len() != before;
        if removed {
            self.set(field, values);
        }
        removed
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn push_values(out: &mut String, values: &[DocValue]) {
    match values {
        [one] => push_value(out, one),
        many => {
            out.push('[');
            for (j, value) in many.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                push_value(out, value);
            }
            out.push(']');
        }
    }
}

fn push_value(out: &mut String, value: &DocValue) {
    match value {
        DocValue::Text(text) => push_json_string(out, text),
        DocValue::Id(id) => out.push_str(itoa::Buffer::new().format(*id)),
    }
}

/// `text` as a JSON string, as serde_json writes it; a text with nothing to escape (nearly
/// every one) is copied as it is, without an allocation of its own.
pub fn push_json_string(out: &mut String, text: &str) {
    if !needs_escape(text.as_bytes()) {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(text).expect("a string always serializes"));
    }
}

/// Whether JSON escapes any of these bytes (a control character, `"` or `\\`), eight at a
/// time: byte by byte, the check was a tenth of an export.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH_BITS: u64 = ONES << 7;
    // The high bit of a byte of the result is set where the word has a byte below `n`
    // (exact as a yes or no for n <= 128; Bit Twiddling Hacks, "hasless").
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH_BITS;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let escaped =
            below(word, 0x20) | below(word ^ (ONES * u64::from(b'"')), 1) | below(word ^ (ONES * u64::from(b'\\')), 1);
        if escaped != 0 {
            return true;
        }
    }
    words.remainder().iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// What a search asks of one field's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocMatch {
    /// One text value equals this text.
    Text(String),
    /// One text value matches this pattern (see [`like`]).
    Like(String),
    /// One text value contains this text, ASCII case ignored.
    Contains(String),
    /// One value id is among these.
    Ids(Vec<i64>),
}

impl DocMatch {
    pub fn matches(&self, values: &[DocValue]) -> bool {
        values.iter().any(|value| match (self, value) {
            (DocMatch::Text(wanted), DocValue::Text(text)) => wanted == text,
            (DocMatch::Like(pattern), DocValue::Text(text)) => like(pattern, text),
            (DocMatch::Contains(part), DocValue::Text(text)) => {
                text.to_ascii_lowercase().contains(&part.to_ascii_lowercase())
            }
            (DocMatch::Ids(ids), DocValue::Id(id)) => ids.contains(id),
            _ => false,
        })
    }
}

/// SQL LIKE as both backends apply it to search values: `%` matches any run of
/// characters, every other character itself, ASCII letters in either case.
pub fn like(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Greedy with back-tracking to the last `%`: linear for patterns without `%`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '%' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '%')
}

impl<'de> serde::Deserialize<'de> for RecordDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DocVisitor)
    }
}

struct DocVisitor;

impl<'de> Visitor<'de> for DocVisitor {
    type Value = RecordDoc;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of field ids")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RecordDoc, A::Error> {
        // Room for a typical form: growing from empty reallocated four times per record.
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(16));
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let field: i64 = key
                .parse()
                .map_err(|_| de::Error::custom(format!("'{key}' is not a field id")))?;
            entries.push((field, map.next_value::<Parsed>()?.into_values()));
        }
        // JSONB (PostgreSQL) orders keys its own way.
        Ok(RecordDoc::from_entries(entries))
    }
}

/// A field's value, or an array of them, as parsed: an array's values are taken one by
/// one, without a vector of their own each.
enum Parsed {
    One(DocValue),
    Many(Vec<DocValue>),
}

impl Parsed {
    fn into_values(self) -> Vec<DocValue> {
        match self {
            Parsed::One(value) => vec![value],
            Parsed::Many(values) => values,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Parsed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValuesVisitor)
    }
}

struct ValuesVisitor;

impl<'de> Visitor<'de> for ValuesVisitor {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a text, a value id or an array of them")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Parsed, E> {
        Ok(Parsed::One(DocValue::Text(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Parsed, E> {
        Ok(Parsed::One(DocValue::Text(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Parsed, E> {
        Ok(Parsed::One(DocValue::Id(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Parsed, E> {
        i64::try_from(v)
            .map(|v| Parsed::One(DocValue::Id(v)))
            .map_err(|_| E::custom("value id out of range"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Parsed, E> {
        // JSONB hands numbers back as numerics; ids are whole.
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(Parsed::One(DocValue::Id(v as i64)))
        } else {
            Err(E::custom("value id is not whole"))
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Parsed, A::Error> {
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(2));
        while let Some(item) = seq.next_element::<Parsed>()? {
            match item {
                Parsed::One(value) => values.push(value),
                Parsed::Many(mut many) => values.append(&mut many),
            }
        }
        Ok(Parsed::Many(values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> DocValue {
        DocValue::Text(t.into())
    }

    proptest::proptest! {
        #[test]
        fn strings_are_written_as_serde_json_writes_them(text in "(\\PC|[\"\\\\\u{0}-\u{1f}\u{7f}])*") {
            let mut out = String::new();
            push_json_string(&mut out, &text);
            proptest::prop_assert_eq!(out, serde_json::to_string(&text).unwrap());
        }

        #[test]
        fn the_word_at_a_time_check_finds_what_the_byte_check_finds(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let naive = bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
            proptest::prop_assert_eq!(needs_escape(&bytes), naive);
        }
    }

    #[test]
    fn round_trips_in_id_order_with_single_values_bare() {
        let mut doc = RecordDoc::default();
        doc.set(11, vec![text("3619997400")]);
        doc.set(1, vec![text("Peter \"P\" Green")]);
        doc.set(4, vec![DocValue::Id(7), DocValue::Id(9)]);
        doc.set(3, vec![DocValue::Id(12)]);
        let json = doc.to_json();
        assert_eq!(json, r#"{"1":"Peter \"P\" Green","3":12,"4":[7,9],"11":"3619997400"}"#);
        assert_eq!(RecordDoc::parse(&json).unwrap(), doc);
    }

    #[test]
    fn jsonb_key_order_and_empty_fields_are_accepted() {
        let doc = RecordDoc::parse(r#"{"11":"x","3":[],"2":["a","b"]}"#).unwrap();
        assert_eq!(doc.to_json(), r#"{"2":["a","b"],"11":"x"}"#);
        assert!(RecordDoc::parse(r#"{"name":"x"}"#).is_err());
        // JSONB's numerics, and arrays of ids or nested arrays, as values.
        let doc = RecordDoc::parse(r#"{"4":[7.0,[8,"t"]],"5":9}"#).unwrap();
        assert_eq!(doc.get(4), [DocValue::Id(7), DocValue::Id(8), text("t")]);
        assert_eq!(doc.get(5), [DocValue::Id(9)]);
        assert!(RecordDoc::parse(r#"{"4":[1.5]}"#).is_err());
    }

    #[test]
    fn set_clears_and_remove_id_takes_one_value() {
        let mut doc = RecordDoc::default();
        doc.set(2, vec![DocValue::Id(1), DocValue::Id(2)]);
        assert!(doc.remove_id(2, 1));
        assert!(!doc.remove_id(2, 1));
        assert_eq!(doc.get(2), &[DocValue::Id(2)]);
        doc.set(2, vec![]);
        assert!(doc.is_empty());
    }

    #[test]
    fn like_has_one_wildcard_and_folds_ascii_only() {
        assert!(like("lon%", "London"));
        assert!(like("%DON", "london"));
        assert!(like("%", ""));
        assert!(like("a%b%c", "aXXbYYc"));
        assert!(!like("a%b%c", "aXXbYY"));
        assert!(like("a_b", "A_B"));
        assert!(!like("a_b", "axb"), "_ is no wildcard");
        assert!(!like("é", "É"), "only ASCII folds");
        assert!(like("%ab", "aab"));
    }

    #[test]
    fn matches_by_text_pattern_or_id() {
        let values = [text("London"), DocValue::Id(3)];
        assert!(DocMatch::Text("London".into()).matches(&values));
        assert!(!DocMatch::Text("london".into()).matches(&values));
        assert!(DocMatch::Like("LON%".into()).matches(&values));
        assert!(DocMatch::Contains("ndO".into()).matches(&values));
        assert!(DocMatch::Ids(vec![1, 3]).matches(&values));
        assert!(!DocMatch::Ids(vec![2]).matches(&values));
    }
}
