//! VCC Live request bodies to domain values. Loose on types where VCC Live is
//! (ids and numbers arrive as strings or numbers), strict on meaning.

use crate::domain::ValidationError;
use crate::domain::calldate;
use crate::domain::record::{
    ContactInput, Premium, RecordWrite, parse_contact_slot, validate_contact, validate_disposition,
    validate_phone_field,
};
use crate::domain::resolve::{FormItem, FormValue};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

fn wrong(code: &'static str, detail: impl Into<String>) -> ValidationError {
    ValidationError::new(code, detail)
}

/// A string, number or boolean as text; anything else is not a scalar.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub fn scalar_id(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// VCC Live's `yes|no` flags; JSON booleans and 1/0 are taken too.
pub fn parse_flag(flag: &Value) -> Option<bool> {
    match flag {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_u64().filter(|n| *n <= 1).map(|n| n == 1),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" => Some(true),
            "no" | "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn optional_text(object: &Map<String, Value>, key: &str) -> Result<Option<String>, ValidationError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => scalar_text(v)
            .map(Some)
            .ok_or_else(|| wrong("wrong_value_format", format!("'{key}' must be a string"))),
    }
}

fn object<'v>(value: &'v Value, code: &'static str, what: &str) -> Result<&'v Map<String, Value>, ValidationError> {
    value
        .as_object()
        .ok_or_else(|| wrong(code, format!("{what} must be an object")))
}

/// A `form` object (or a flat "Modify record" body) as field name / value pairs. A JSON
/// number stays a number: for a list field it names a value by id when the field has a
/// value with that id (what `data` answers), else it is its text.
pub fn parse_form(form: &Map<String, Value>) -> Result<Vec<(String, FormValue)>, ValidationError> {
    form.iter()
        .map(|(name, value)| {
            let parsed = match value {
                Value::Null => FormValue::Clear,
                Value::Number(n) => FormValue::Number(n.to_string()),
                Value::Array(items) if items.iter().any(Value::is_number) => FormValue::Items(
                    items
                        .iter()
                        .map(|item| match item {
                            Value::Number(n) => Ok(FormItem::Number(n.to_string())),
                            other => scalar_text(other)
                                .map(FormItem::Text)
                                .ok_or_else(|| wrong_form_value(name)),
                        })
                        .collect::<Result<_, _>>()?,
                ),
                Value::Array(items) => FormValue::List(
                    items
                        .iter()
                        .map(|item| scalar_text(item).ok_or_else(|| wrong_form_value(name)))
                        .collect::<Result<_, _>>()?,
                ),
                other => FormValue::Text(scalar_text(other).ok_or_else(|| wrong_form_value(name))?),
            };
            Ok((name.clone(), parsed))
        })
        .collect()
}

fn wrong_form_value(name: &str) -> ValidationError {
    wrong(
        "wrong_form_value",
        format!("value of '{name}' must be a string, a number or a list of them"),
    )
}

pub fn parse_contact(value: &Value) -> Result<ContactInput, ValidationError> {
    let c = object(value, "wrong_contact_format", "a contact")?;
    Ok(ContactInput {
        title: optional_text(c, "title")?,
        name: optional_text(c, "name")?,
        phone: optional_text(c, "phone")?,
        email: optional_text(c, "email")?,
    })
}

/// The keys of an "Add record" item; any other is refused (not silently dropped).
const RECORD_KEYS: [&str; 7] = [
    "form",
    "contacts",
    "next_calldate",
    "phone_field",
    "premium",
    "disposition",
    "user_data",
];

/// One "Add record" item.
pub fn parse_record(value: &Value) -> Result<RecordWrite, ValidationError> {
    let item = object(value, "wrong_record_format", "a record")?;
    if let Some(key) = item.keys().find(|key| !RECORD_KEYS.contains(&key.as_str())) {
        return Err(wrong("unknown_property", format!("'{key}' is not a key of a record")).on_property(key));
    }
    let form = match item.get("form") {
        Some(form) => parse_form(object(form, "wrong_form_format", "form")?)?,
        None => return Err(wrong("missing_form", "form is mandatory")),
    };
    let mut write = parse_record_attributes(item)?;
    write.form = form;
    if let Some(contacts) = item.get("contacts").filter(|c| !c.is_null()) {
        for (key, contact) in object(contacts, "wrong_contact_format", "contacts")? {
            let slot = parse_contact_slot(key)?;
            write
                .contacts
                .push(validate_contact(slot, parse_contact(contact)?, true)?);
        }
    }
    write.mirror_contact_phones();
    Ok(write)
}

/// The common shape of an "Add record" item (texts only: form, contacts, `next_calldate`,
/// `phone_field`) read straight from its JSON text, without a JSON tree. None for any other
/// shape or any invalid value: [`parse_record`] then answers, with its error. The result
/// equals `parse_record`'s: keys in the same (sorted) order, the last of repeated keys.
pub fn parse_record_fast(json: &str) -> Option<RecordWrite> {
    let Object(item) = serde_json::from_str(json).ok()?;
    fast_write(item)
}

/// An array of items of [`parse_record_fast`]'s shape in one pass over the text (an import's
/// 10,000 records, without splitting them first); None when one of them is not.
pub fn parse_records_fast(json: &str) -> Option<Vec<RecordWrite>> {
    let items: Vec<Object<FastItem<'_>>> = serde_json::from_str(json).ok()?;
    items.into_iter().map(|Object(item)| fast_write(item)).collect()
}

fn fast_write(item: FastItem<'_>) -> Option<RecordWrite> {
    // Room for the contacts' phones, which `mirror_contact_phones` adds as fields.
    let contacts = item.contacts.as_ref().map_or(0, BTreeMap::len);
    let mut form = Vec::with_capacity(item.form.len() + contacts);
    form.extend(
        item.form
            .into_iter()
            .map(|(name, text)| (name.into_owned(), FormValue::Text(text.into_owned()))),
    );
    let mut write = RecordWrite {
        form,
        phone_field: item.phone_field.map(|p| validate_phone_field(&p)).transpose().ok()?,
        next_calldate: item.next_calldate.map(|d| calldate::parse(&d)).transpose().ok()?,
        user_data: item.user_data.map(Cow::into_owned),
        ..Default::default()
    };
    for (key, contact) in item.contacts.unwrap_or_default() {
        let input = ContactInput {
            title: contact.title.map(Cow::into_owned),
            name: contact.name.map(Cow::into_owned),
            phone: contact.phone.map(Cow::into_owned),
            email: contact.email.map(Cow::into_owned),
        };
        let slot = parse_contact_slot(&key).ok()?;
        write.contacts.push(validate_contact(slot, input, true).ok()?);
    }
    write.mirror_contact_phones();
    Some(write)
}

/// A struct read from a JSON object only: serde also reads a struct from an array (`[{...}]`
/// as its fields in order), which is no record (found by the property test below).
struct Object<T>(T);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Only<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Only<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        deserializer.deserialize_map(Only(std::marker::PhantomData)).map(Object)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FastItem<'a> {
    #[serde(borrow)]
    form: BTreeMap<Cow<'a, str>, Cow<'a, str>>,
    #[serde(borrow, default)]
    contacts: Option<BTreeMap<Cow<'a, str>, FastContact<'a>>>,
    #[serde(borrow, default)]
    next_calldate: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    phone_field: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    user_data: Option<Cow<'a, str>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FastContact<'a> {
    #[serde(borrow, default)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    phone: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    email: Option<Cow<'a, str>>,
}

/// The attributes beside `form` that "Add record" and "Modify record" share.
pub fn parse_record_attributes(item: &Map<String, Value>) -> Result<RecordWrite, ValidationError> {
    let phone_field = optional_text(item, "phone_field")?
        .map(|p| validate_phone_field(&p))
        .transpose()?;
    let next_calldate = optional_text(item, "next_calldate")?
        .map(|d| calldate::parse(&d))
        .transpose()?;
    let premium = match item.get("premium").filter(|p| !p.is_null()) {
        Some(p) => {
            let p = object(p, "wrong_premium_format", "premium")?;
            Some(Premium {
                price: optional_text(p, "price")?,
                commission: optional_text(p, "commission")?,
            })
        }
        None => None,
    };
    let disposition = item
        .get("disposition")
        .filter(|d| !d.is_null())
        .map(parse_disposition)
        .transpose()?;
    let user_data = optional_text(item, "user_data")
        .map_err(|_| wrong("wrong_user_data_format", "user_data must be a string").on_property("user_data"))?;
    Ok(RecordWrite {
        phone_field,
        next_calldate,
        premium,
        disposition,
        user_data,
        ..Default::default()
    })
}

pub fn parse_disposition(value: &Value) -> Result<crate::domain::record::Disposition, ValidationError> {
    let d = object(value, "wrong_disposition_format", "disposition")?;
    let id = d.get("dispositionid").and_then(scalar_id);
    let send = d
        .get("sendDispositionMessages")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let next = optional_text(d, "next_calldate")?;
    validate_disposition(id, optional_text(d, "userid")?, next.as_deref(), send)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seed_record_parses_with_contact_phones_mirrored() {
        let item = json!({
            "next_calldate": "2020-11-11 11:11:11", "phone_field": "phone4",
            "form": {"name": "Peter Green", "city": "Budapest", "likes": "sports|movies"},
            "contacts": {"1": {"title": "Supervisor", "name": "Peter Green", "phone": "3619997400", "email": "peter.green@email.com"}, "4": {"phone": "3619996400"}},
            "premium": {"price": "100", "commission": "50"},
            "disposition": {"dispositionid": "1", "userid": "7", "next_calldate": "2015-07-20 10:26:55"}
        });
        let write = parse_record(&item).unwrap();
        assert_eq!(write.contacts.len(), 2);
        assert_eq!(write.effective_next_calldate(), Some("2015-07-20 10:26:55"));
        assert_eq!(write.form.len(), 5);
        assert_eq!(write.premium.unwrap().price.as_deref(), Some("100"));
    }

    #[test]
    fn the_fast_reader_agrees_with_the_general_one_or_declines() {
        let agree = [
            r#"{"form": {"name": "Peter", "likes": "a|b", "city": "X"}, "contacts": {"1": {"phone": "+36 1 999 7400", "name": "P"}}, "next_calldate": "2020-01-01 08:00:00"}"#,
            r#"{"form": {"b": "1", "a": "2", "b": "3"}, "contacts": {"4": {"phone": "111"}, "1": {"phone": "222", "email": "a@b.cd"}}, "phone_field": "phone4"}"#,
            r#"{"form": {"phone1": "333", "n\u00e9v": "\"q\""}, "contacts": {"1": {"phone": "444"}}, "next_calldate": null}"#,
            r#"{"form": {}, "user_data": "crm-17"}"#,
        ];
        for json in agree {
            let general = parse_record(&serde_json::from_str(json).unwrap()).unwrap();
            assert_eq!(parse_record_fast(json), Some(general), "{json}");
        }
        let decline = [
            r#"{"form": {"n": 1}}"#,
            r#"{"form": {"n": null}}"#,
            r#"{"form": {"n": ["a"]}}"#,
            r#"{"form": {}, "premium": {"price": "1"}}"#,
            r#"{"form": {}, "colour": "red"}"#,
            r#"{"form": {}, "user_data": 17}"#,
            r#"{"form": {}, "contacts": {"1": {"email": "x"}}}"#,
            r#"{"form": {}, "next_calldate": "2020-02-30 00:00:00"}"#,
            r#"{"contacts": {}}"#,
            r#"[]"#,
        ];
        for json in decline {
            assert_eq!(parse_record_fast(json), None, "{json}");
        }
        // An array reads in one pass as item by item, or not at all.
        let array = format!("[{}]", agree.join(","));
        let one_by_one: Option<Vec<_>> = agree.iter().map(|json| parse_record_fast(json)).collect();
        assert_eq!(parse_records_fast(&array), one_by_one);
        for declined in decline {
            let array = format!("[{}, {declined}]", agree[0]);
            assert_eq!(parse_records_fast(&array), None, "{array}");
        }
        // A struct's fields as an array are no record.
        assert_eq!(parse_records_fast(r#"[[{"n": "a"}]]"#), None);
        assert_eq!(parse_records_fast("[]"), Some(vec![]));
    }

    #[test]
    fn user_data_is_kept_and_unknown_keys_are_named() {
        let write = parse_record(&json!({"form": {}, "user_data": "crm-17"})).unwrap();
        assert_eq!(write.user_data.as_deref(), Some("crm-17"));
        let e = parse_record(&json!({"form": {}, "colour": "red"})).unwrap_err();
        assert_eq!((e.code, e.property.as_deref()), ("unknown_property", Some("colour")));
        let e = parse_record(&json!({"form": {}, "user_data": {"a": 1}})).unwrap_err();
        assert_eq!(e.code, "wrong_user_data_format");
    }

    #[test]
    fn numbers_stay_numbers_for_list_fields_to_read_as_ids() {
        let form = parse_form(
            json!({"city": 3, "likes": [4, "golf"], "tags": ["a"]})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(form[0], ("city".into(), FormValue::Number("3".into())));
        assert_eq!(
            form[1],
            (
                "likes".into(),
                FormValue::Items(vec![FormItem::Number("4".into()), FormItem::Text("golf".into())])
            )
        );
        assert_eq!(form[2], ("tags".into(), FormValue::List(vec!["a".into()])));
    }

    #[test]
    fn wrong_types_are_item_errors() {
        assert_eq!(parse_record(&json!([])).unwrap_err().code, "wrong_record_format");
        assert_eq!(parse_record(&json!({"contacts": {}})).unwrap_err().code, "missing_form");
        assert_eq!(
            parse_record(&json!({"form": {"a": {"b": 1}}})).unwrap_err().code,
            "wrong_form_value"
        );
        assert_eq!(
            parse_record(&json!({"form": {}, "next_calldate": "soon"}))
                .unwrap_err()
                .code,
            "wrong_date_format"
        );
        assert_eq!(
            parse_record(&json!({"form": {}, "contacts": {"10": {"phone": "1234"}}}))
                .unwrap_err()
                .code,
            "contact_not_exists"
        );
        assert_eq!(
            parse_record(&json!({"form": {}, "contacts": {"1": {"phone": "1234", "email": "x"}}}))
                .unwrap_err()
                .code,
            "wrong_email_format"
        );
    }
}

/// Property tests: no JSON value, however shaped, makes the record parsers panic, and
/// the fast path never accepts what the full parser refuses.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            ".{0,12}".prop_map(Value::from),
            prop_oneof![
                Just("form"),
                Just("contacts"),
                Just("phone"),
                Just("1"),
                Just("next_calldate")
            ]
            .prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let key = prop_oneof![
                Just("form".to_string()),
                Just("contacts".to_string()),
                Just("1".to_string()),
                Just("phone".to_string()),
                Just("next_calldate".to_string()),
                Just("user_data".to_string()),
                "[a-z0-9_]{1,8}",
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(key, inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("DIALBASE_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
        ))]

        #[test]
        fn any_json_is_parsed_or_refused(value in json()) {
            let full = parse_record(&value);
            if let Some(fast) = parse_record_fast(&value.to_string()) {
                prop_assert_eq!(Ok(fast), full);
            }
        }

        #[test]
        fn an_array_read_in_one_pass_is_what_its_items_are(values in prop::collection::vec(json(), 0..4)) {
            let text = Value::Array(values.clone()).to_string();
            if let Some(fast) = parse_records_fast(&text) {
                let full: Vec<_> = values.iter().map(parse_record).collect();
                prop_assert_eq!(fast.into_iter().map(Ok).collect::<Vec<_>>(), full);
            }
        }
    }
}
