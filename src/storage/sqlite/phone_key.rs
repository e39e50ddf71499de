//! How `record_phones` keys a number. A number of 1-18 digits is the integer whose decimal
//! digits are `1` and then the number's (`0361` is 10,361): six bytes for a national number
//! instead of its eleven characters, in every entry of the index, and leading zeros kept
//! (`0361` and `361` stay apart). Anything else (longer, or not only digits) stays text;
//! the column has no type, so SQLite keeps either as given. Migration 020 turned the texts
//! earlier versions stored into these keys with the same rule.

use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};

/// A number as `record_phones` stores it, to bind in a statement. Ordered as SQLite orders
/// them (integers before texts), so that rows sorted by it go into the index in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PhoneKey<'a> {
    Integer(i64),
    Text(&'a str),
}

impl<'a> PhoneKey<'a> {
    pub fn of(number: &'a str) -> Self {
        let digits = number.as_bytes();
        if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
            return Self::Text(number);
        }
        // At most 19 decimal digits starting with 1: below i64::MAX (9.2e18).
        Self::Integer(digits.iter().fold(1i64, |key, d| key * 10 + i64::from(d - b'0')))
    }

    pub fn to_value(self) -> Value {
        match self {
            Self::Integer(key) => Value::Integer(key),
            Self::Text(number) => Value::Text(number.to_owned()),
        }
    }

    /// The key in a JSON array (`json_each` yields a JSON integer as an SQL integer).
    pub fn to_json(self) -> serde_json::Value {
        match self {
            Self::Integer(key) => key.into(),
            Self::Text(number) => number.into(),
        }
    }
}

impl ToSql for PhoneKey<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Self::Integer(key) => ToSqlOutput::Owned(Value::Integer(key)),
            Self::Text(number) => ToSqlOutput::Borrowed(ValueRef::Text(number.as_bytes())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn digits_become_integers_that_keep_leading_zeros() {
        use PhoneKey::{Integer, Text};
        let key = PhoneKey::of;
        assert_eq!(key("36100099999"), Integer(136_100_099_999));
        assert_eq!(
            (key("0361"), key("361"), key("00361")),
            (Integer(10_361), Integer(1_361), Integer(100_361))
        );
        assert_eq!(key("999999999999999999"), Integer(1_999_999_999_999_999_999));
        assert_eq!(
            key("1234567890123456789"),
            Text("1234567890123456789"),
            "19 digits stay text"
        );
        assert_eq!((key(""), key("+3612")), (Text(""), Text("+3612")));
    }

    proptest! {
        /// Two different numbers never share a key.
        #[test]
        fn keys_are_one_to_one(a in "[0-9]{0,20}|\\+?[0-9 ]{1,6}", b in "[0-9]{0,20}|\\+?[0-9 ]{1,6}") {
            prop_assume!(a != b);
            prop_assert_ne!(PhoneKey::of(&a), PhoneKey::of(&b));
        }
    }
}
