//! The Robinson list, jtel, the dialer API and record lists on the model.

use super::expect::{Checked, Effects, jtel_failed, new_ids, same, status, vcc_batch, vcc_failed, vcc_ok};
use super::ops::{Form, In, Search};
use super::resolve::{Code, FormValue, normalize_phone, phone_slot, resolve, scalar_text, valid_date};
use super::state::{Model, Rec};
use super::views;
use crate::common::Reply;
use serde_json::{Value, json};

pub fn robinson_add(m: &mut Model, phones: &[In], reply: &Reply) -> Checked<Effects> {
    let mut listed = Vec::new();
    let mut errors = Vec::new();
    for (index, phone) in phones.iter().enumerate() {
        match scalar_text(phone)
            .ok_or("wrong_phone_format")
            .and_then(|p| normalize_phone(&p))
        {
            Ok(phone) => listed.push(phone),
            Err(code) => errors.push((index, code)),
        }
    }
    vcc_batch(reply, listed.len(), &errors)?;
    same("response", &json!(!listed.is_empty()), &reply.body["response"])?;
    let effects = holders(m, &listed);
    m.robinson.extend(listed);
    Ok(effects)
}

/// The records holding one of these numbers in a phone field: their Robinson flag changes.
fn holders(m: &Model, phones: &[String]) -> Effects {
    let book = m.book.as_ref().map(|b| b.project);
    let held: Vec<&Rec> = m
        .records
        .values()
        .filter(|r| (1..=9).any(|slot| m.texts(r, &format!("phone{slot}")).iter().any(|p| phones.contains(p))))
        .collect();
    let main = held.iter().filter(|r| r.project == m.main.project).count();
    Effects {
        records: held.iter().map(|r| r.id).collect(),
        all: main > 4,
        book: held.iter().any(|r| Some(r.project) == book),
    }
}

pub fn robinson_delete(m: &mut Model, phone: &str, reply: &Reply) -> Checked<Effects> {
    match normalize_phone(phone) {
        Err(code) => vcc_failed(reply, 417, code).map(|()| Effects::default()),
        Ok(phone) if m.robinson.remove(&phone) => vcc_ok(reply, json!(true)).map(|()| holders(m, &[phone])),
        Ok(_) => vcc_failed(reply, 404, "number_not_exists").map(|()| Effects::default()),
    }
}

/// What a call on one record may have changed: it, and the contact book if it is there.
fn effects_of(m: &Model, id: i64) -> Effects {
    let book = m
        .book
        .as_ref()
        .is_some_and(|b| m.records.get(&id).is_some_and(|r| r.project == b.project));
    Effects {
        records: vec![id],
        all: false,
        book,
    }
}

pub fn lock(m: &mut Model, id: i64, locked: bool, reply: &Reply) -> Checked<Effects> {
    let effects = effects_of(m, id);
    match m.records.get_mut(&id) {
        Some(rec) => {
            rec.locked = locked;
            same("answer", &json!({"status": 200}), &reply.body).and(status(reply, 200))?;
        }
        None => jtel_failed(reply, 404, None)?,
    }
    Ok(effects)
}

pub fn jtel_delete(m: &mut Model, id: i64, reply: &Reply) -> Checked<Effects> {
    let effects = effects_of(m, id);
    match m.records.remove(&id) {
        Some(_) => {
            m.gone.push(id);
            same("answer", &json!({"status": 200}), &reply.body).and(status(reply, 200))?;
        }
        None => jtel_failed(reply, 404, None)?,
    }
    Ok(effects)
}

pub fn jtel_get(m: &Model, id: i64, reply: &Reply) -> Checked<Effects> {
    match m.records.get(&id) {
        Some(rec) => {
            status(reply, 200)?;
            let expected = json!({"records": [views::jtel(m, rec)], "count": 1, "status": 200});
            same("jtel contact", &expected, &reply.body)?;
        }
        None => jtel_failed(reply, 404, None)?,
    }
    Ok(Effects::default())
}

/// A jtel contact to insert: the campaign it names, the record, its form.
type JtelWrite = (Option<i64>, Rec, Vec<(String, FormValue)>);

/// One jtel contact to insert, or the check it fails.
fn jtel_contact(item: &Form) -> Result<JtelWrite, Code> {
    let mut campaign = None;
    let mut rec = Rec::new(0, 0);
    let mut form = Vec::new();
    for (key, value) in item {
        let text = match value {
            In::Null => None,
            In::Str(s) => Some(s.trim().to_string()).filter(|t| !t.is_empty()),
            In::Arr(_) | In::Obj => return Err("wrong_value_format"),
            scalar => scalar_text(scalar),
        };
        match key.as_str() {
            "DiallerCampaignsID" => {
                let id = text.map(|t| t.parse::<i64>().ok().filter(|id| *id > 0));
                campaign = id.map(|id| id.ok_or("wrong_value_format")).transpose()?;
            }
            "UserData" => rec.user_data = text,
            "dtNextTry" => match text {
                Some(d) if !valid_date(&d) => return Err("wrong_date_format"),
                d => rec.next_calldate = d,
            },
            key => {
                let field = match key
                    .strip_prefix("PhoneNumber")
                    .and_then(|n| phone_slot(&format!("phone{n}")))
                {
                    Some(slot) => format!("phone{slot}"),
                    None => super::resolve::jtel_field(key),
                };
                let value = match text {
                    Some(t) if phone_slot(&field).is_some() && key.starts_with("PhoneNumber") => {
                        FormValue::Text(normalize_phone(&t)?)
                    }
                    Some(t) => FormValue::Text(t),
                    None => FormValue::Clear,
                };
                form.push((field, value));
            }
        }
    }
    let has = |wanted: &dyn Fn(&str) -> bool| {
        form.iter()
            .any(|(name, value)| wanted(name) && matches!(value, FormValue::Text(_)))
    };
    let campaign = campaign.ok_or("missing_campaign")?;
    if !has(&|name| name == "name") {
        return Err("missing_name");
    }
    if !has(&|name| phone_slot(name).is_some()) {
        return Err("missing_phone");
    }
    form.retain(|(_, value)| *value != FormValue::Clear);
    Ok((Some(campaign), rec, form))
}

/// jtel insert: all contacts or none.
pub fn jtel_insert(m: &mut Model, items: &[Form], reply: &Reply) -> Checked<Effects> {
    let refuse = |index: usize, code: Code| -> Checked<Effects> {
        jtel_failed(reply, 400, Some(code))?;
        let error = reply.body["error"].as_str().unwrap_or_default();
        if !error.starts_with(&format!("contact {index}: ")) {
            return Err(format!("the error should name contact {index}: {}", reply.text));
        }
        Ok(Effects::default())
    };
    // Every contact is checked before any is resolved against the campaign's fields.
    let mut parsed = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match jtel_contact(item) {
            Ok((campaign, _, _)) if campaign != Some(m.main.project) => return refuse(index, "wrong_campaign"),
            Ok((_, rec, form)) => parsed.push((rec, form)),
            Err(code) => return refuse(index, code),
        }
    }
    let mut schema = m.main.clone();
    let mut writes = Vec::new();
    for (index, (rec, form)) in parsed.into_iter().enumerate() {
        match resolve(&mut schema, &form, m.step) {
            Ok(cells) => writes.push((rec, cells)),
            Err(code) => return refuse(index, code),
        }
    }
    status(reply, 200)?;
    let answered: Vec<Value> = reply.body["records"]
        .as_array()
        .map(|r| r.iter().map(|r| r["DiallerContactsID"].clone()).collect())
        .unwrap_or_default();
    let ids = new_ids(&answered, writes.len(), &mut m.max_id)?;
    let records: Vec<Value> = ids.iter().map(|id| json!({"DiallerContactsID": id})).collect();
    same(
        "answer",
        &json!({"records": records, "count": ids.len(), "status": 200}),
        &reply.body,
    )?;
    m.main = schema;
    for (id, (mut rec, cells)) in ids.iter().zip(writes) {
        rec.id = *id;
        rec.project = m.main.project;
        rec.set_cells(&cells);
        m.records.insert(*id, rec);
    }
    Ok(Effects::records(ids))
}

fn dialer_answer(m: &Model, id: i64, reply: &Reply) -> Checked {
    status(reply, 200)?;
    let mut actual = reply.body.clone();
    actual["record"] = views::dialer_compared(&actual["record"]);
    let expected = json!({"status": 200, "record": views::dialer(m, &m.records[&id])});
    same("dialer answer", &expected, &actual)
}

pub fn claim(m: &mut Model, owner: &str, reply: &Reply) -> Checked<Effects> {
    let Some(id) = m.next_claim() else {
        status(reply, 204)?;
        return Ok(Effects::default());
    };
    m.records.get_mut(&id).expect("claimed").claimed_by = Some(owner.to_string());
    dialer_answer(m, id, reply)?;
    Ok(Effects::records([id]))
}

pub fn release(
    m: &mut Model,
    id: i64,
    owner: &str,
    result: Option<i64>,
    next: &Option<String>,
    reply: &Reply,
) -> Checked<Effects> {
    let refused = match (result, next) {
        (Some(d), _) if d <= 0 => Some("wrong_dispositionid"),
        (Some(_), Some(date)) if !valid_date(date) => Some("wrong_date_format"),
        (None, Some(_)) => Some("missing_dispositionid"),
        _ => None,
    };
    if let Some(code) = refused {
        jtel_failed(reply, 400, Some(code))?;
        return Ok(Effects::default());
    }
    let Some(rec) = m.records.get_mut(&id) else {
        jtel_failed(reply, 404, None)?;
        return Ok(Effects::default());
    };
    if rec.claimed_by.as_deref() != Some(owner) {
        jtel_failed(reply, 409, None)?;
        return Ok(Effects::default());
    }
    rec.claimed_by = None;
    if let Some(dispositionid) = result {
        rec.events.push(super::state::Event {
            dispositionid,
            userid: owner.to_string(),
            next_calldate: next.clone(),
            description: None,
        });
        rec.attempts += 1;
        rec.next_calldate = next.clone();
        rec.done = next.is_none();
    }
    dialer_answer(m, id, reply)?;
    Ok(effects_of(m, id))
}

/// "List records" of the project, filtered: unknown fields match nothing.
pub fn list(m: &Model, search: &Search, reply: &Reply) -> Checked<Effects> {
    let project = m.main.project;
    let known = search.iter().all(|(k, _)| m.main.field(k).is_some());
    let matching: Vec<&Rec> = m
        .records
        .values()
        .filter(|r| r.project == project && known && m.matches(r, search))
        .collect();
    compare_list(m, &matching, reply)
}

/// A page of every match (at most 1000) and the number of all in `X-Total-Count`.
pub fn compare_list(m: &Model, records: &[&Rec], reply: &Reply) -> Checked<Effects> {
    status(reply, 200)?;
    let total = reply.headers.get("X-Total-Count").and_then(|v| v.to_str().ok());
    if total != Some(records.len().to_string().as_str()) {
        return Err(format!(
            "X-Total-Count: the model counts {}, the server says {total:?}",
            records.len()
        ));
    }
    let expected: Vec<Value> = records.iter().map(|r| views::vcc(m, r)).collect();
    let actual: Vec<Value> = reply.body["response"]
        .as_array()
        .map(|a| a.iter().map(views::vcc_compared).collect())
        .unwrap_or_default();
    same("record list", &json!(expected), &json!(actual))?;
    Ok(Effects::default())
}
