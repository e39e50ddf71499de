//! Comparing an answer with what the model predicts; a mismatch is a readable message.

use super::resolve::Code;
use crate::common::Reply;
use serde_json::{Value, json};

/// What a step may have changed, to be read back and compared.
#[derive(Debug, Default)]
pub struct Effects {
    pub records: Vec<i64>,
    /// Any record of the project may have changed: compare the whole list.
    pub all: bool,
    /// The contact book may have changed.
    pub book: bool,
}

impl Effects {
    pub fn records(ids: impl IntoIterator<Item = i64>) -> Self {
        Self {
            records: ids.into_iter().collect(),
            ..Self::default()
        }
    }

    pub fn all() -> Self {
        Self {
            all: true,
            ..Self::default()
        }
    }
}

pub type Checked<T = ()> = Result<T, String>;

pub fn status(reply: &Reply, want: u16) -> Checked {
    let got = reply.status.as_u16();
    if got == want {
        Ok(())
    } else if got >= 500 {
        Err(format!(
            "the server failed: {got} where the model expects {want} (its log above names the cause): {}",
            reply.text
        ))
    } else {
        Err(format!(
            "status: the model expects {want}, the server answered {got}: {}",
            reply.text
        ))
    }
}

/// Equal JSON, or a message showing both (for lists of the same length, the first item
/// that differs) and where they first differ.
pub fn same(what: &str, expected: &Value, actual: &Value) -> Checked {
    if expected == actual {
        return Ok(());
    }
    let (model, server, item) = match (expected, actual) {
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            let i = (0..x.len()).find(|&i| x[i] != y[i]).unwrap_or_default();
            (&x[i], &y[i], format!(" (item {i} of {})", x.len()))
        }
        _ => (expected, actual, String::new()),
    };
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    Err(format!(
        "{what} differs{item}\n--- model:\n{}\n--- server:\n{}{}",
        pretty(model),
        pretty(server),
        first_difference(model, server, "")
            .map(|d| format!("\n--- first difference at {d}"))
            .unwrap_or_default()
    ))
}

/// The path of the first place two JSON values differ.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        _ if a == b => None,
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter()
                .find_map(|k| {
                    first_difference(
                        &x.get(k).cloned().unwrap_or(Value::Null),
                        &y.get(k).cloned().unwrap_or(Value::Null),
                        &format!("{at}.{k}"),
                    )
                })
                .or_else(|| Some(at.to_string()))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}[{i}]"))),
        _ => Some(format!("{at}: model {a}, server {b}")),
    }
}

/// VCC Live item errors, as reported in `errors`.
pub fn item_errors(errors: &[(usize, Code)]) -> Value {
    let mut errors = errors.to_vec();
    errors.sort_by_key(|(index, _)| *index);
    errors
        .iter()
        .map(|(index, code)| json!({"index": index, "errorcode": 417, "errormessage": format!("error.{code}")}))
        .collect()
}

/// VCC Live's value calls' item errors: those about the name say `"property": "name"`.
pub fn value_errors(errors: &[(usize, Code)]) -> Value {
    let mut rendered = item_errors(errors);
    for error in rendered.as_array_mut().into_iter().flatten() {
        let message = error["errormessage"].as_str().unwrap_or_default();
        if ["error.name_must_be_between", "error.value_name_already_exists"].contains(&message) {
            error["property"] = json!("name");
        }
    }
    rendered
}

/// A VCC Live success: 200, `response` as given, no errors.
pub fn vcc_ok(reply: &Reply, response: Value) -> Checked {
    status(reply, 200)?;
    same("answer", &json!({"response": response, "errors": []}), &reply.body)
}

/// A VCC Live request that failed as a whole: its status and `error.<code>`.
pub fn vcc_failed(reply: &Reply, want: u16, code: &str) -> Checked {
    status(reply, want)?;
    let message = &reply.body["errors"][0]["errormessage"];
    if reply.body["response"] == json!(false) && *message == json!(format!("error.{code}")) {
        Ok(())
    } else {
        Err(format!(
            "the model expects error.{code}, the server answered {}",
            reply.text
        ))
    }
}

/// A VCC Live batch: 417 when every item failed, else 200; the item errors by index.
pub fn vcc_batch(reply: &Reply, succeeded: usize, errors: &[(usize, Code)]) -> Checked {
    status(reply, if succeeded == 0 && !errors.is_empty() { 417 } else { 200 })?;
    same("errors", &item_errors(errors), &reply.body["errors"])
}

/// [`vcc_batch`] of the value calls.
pub fn vcc_value_batch(reply: &Reply, succeeded: usize, errors: &[(usize, Code)]) -> Checked {
    status(reply, if succeeded == 0 && !errors.is_empty() { 417 } else { 200 })?;
    same("errors", &value_errors(errors), &reply.body["errors"])
}

/// The new ids of an add call: a list when every item succeeded, else an object keyed by
/// the request indexes of those that did (`{"0": 4, "2": 5}`), which must be `succeeded`.
pub fn ids_by_index(reply: &Reply, succeeded: &[usize], failed: bool) -> Checked<Vec<Value>> {
    if !failed {
        return Ok(reply.body["response"].as_array().cloned().unwrap_or_default());
    }
    let object = reply.body["response"].as_object().cloned().unwrap_or_default();
    let keys: std::collections::BTreeSet<String> = object.keys().cloned().collect();
    let wanted: std::collections::BTreeSet<String> = succeeded.iter().map(usize::to_string).collect();
    if keys != wanted {
        return Err(format!(
            "the model expects ids at indexes {wanted:?}, the server answered {}",
            reply.text
        ));
    }
    Ok(succeeded.iter().map(|i| object[&i.to_string()].clone()).collect())
}

/// A jtel-style failure: its status and, for a 400, the check that failed.
pub fn jtel_failed(reply: &Reply, want: u16, code: Option<&str>) -> Checked {
    status(reply, want)?;
    if reply.body["status"] != json!(want) {
        return Err(format!("the body's status is not {want}: {}", reply.text));
    }
    match code {
        Some(code) if reply.body["code"] != json!(code) => Err(format!(
            "the model expects code {code}, the server answered {}",
            reply.text
        )),
        _ => Ok(()),
    }
}

/// New record ids from an answer: as many as expected, each above every id seen before.
pub fn new_ids(ids: &[Value], count: usize, max_id: &mut i64) -> Checked<Vec<i64>> {
    let ids: Vec<i64> = ids.iter().filter_map(Value::as_i64).collect();
    if ids.len() != count {
        return Err(format!("the model expects {count} new ids, the server gave {ids:?}"));
    }
    for &id in &ids {
        if id <= *max_id {
            return Err(format!(
                "new record id {id} is not above the highest id seen before ({max_id}): numberids must increase and never be reused"
            ));
        }
        *max_id = id;
    }
    Ok(ids)
}
