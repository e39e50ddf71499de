//! VCC Live record calls on the model: add, batch modify, modify, contacts, dispositions.

use super::expect::{Checked, Effects, ids_by_index, new_ids, status, vcc_batch, vcc_failed, vcc_ok};
use super::ops::{ContactIn, DispIn, Element, Form, ModifyBody, NewRec, Target};
use super::resolve::{Code, FormValue, normalize_phone, parse_form, phone_slot, resolve, valid_date, valid_email};
use super::state::{Event, Model, Rec, Slot};
use crate::common::Reply;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// One record write as the HTTP layer hands it to the storage.
#[derive(Default)]
struct Write {
    form: Vec<(String, FormValue)>,
    contacts: Vec<(u8, Slot)>,
    next_calldate: Option<String>,
    phone_field: Option<String>,
    disposition: Option<Event>,
}

impl Write {
    /// A disposition's call-back date outranks the record's own.
    fn next_calldate(&self) -> Option<&String> {
        self.disposition
            .as_ref()
            .and_then(|d| d.next_calldate.as_ref())
            .or(self.next_calldate.as_ref())
    }

    fn apply(&self, rec: &mut Rec, cells: &[(String, Vec<super::state::Cell>)]) {
        rec.set_cells(cells);
        for (slot, given) in &self.contacts {
            let stored = rec.contacts.entry(*slot).or_default();
            for (to, from) in [
                (&mut stored.title, &given.title),
                (&mut stored.name, &given.name),
                (&mut stored.phone, &given.phone),
                (&mut stored.email, &given.email),
            ] {
                if from.is_some() {
                    to.clone_from(from);
                }
            }
        }
        if let Some(field) = &self.phone_field {
            rec.phone_field = Some(field.clone());
        }
        rec.set_next_calldate(self.next_calldate());
        rec.events.extend(self.disposition.clone());
    }
}

fn phone_field(text: &str) -> Result<String, Code> {
    phone_slot(text).map(|_| text.to_string()).ok_or("wrong_phone_field")
}

fn date(text: &Option<String>) -> Result<Option<String>, Code> {
    match text {
        Some(d) if !valid_date(d) => Err("wrong_date_format"),
        other => Ok(other.as_ref().map(|d| d.trim().to_string())),
    }
}

pub fn disposition(d: &DispIn) -> Result<Event, Code> {
    if d.id <= 0 {
        return Err("wrong_dispositionid");
    }
    let userid = d
        .userid
        .clone()
        .filter(|u| !u.trim().is_empty())
        .ok_or("missing_userid")?;
    Ok(Event {
        dispositionid: d.id,
        userid,
        next_calldate: date(&d.next_calldate)?,
        description: None,
    })
}

/// A contact as validated: an added one needs a phone.
fn contact(c: &ContactIn, phone_required: bool) -> Result<Slot, Code> {
    let phone = match c.phone.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => Some(normalize_phone(p)?),
        _ if phone_required => return Err("missing_contact_phone"),
        _ => None,
    };
    if let Some(email) = c.email.as_deref().filter(|e| !e.is_empty())
        && !valid_email(email)
    {
        return Err("wrong_email_format");
    }
    Ok(Slot {
        title: None,
        name: c.name.clone(),
        phone,
        email: c.email.clone(),
    })
}

fn slot_of(key: &str) -> Result<u8, Code> {
    match key.trim().parse::<u8>() {
        Ok(slot @ 1..=9) => Ok(slot),
        _ => Err("contact_not_exists"),
    }
}

/// A contact's phone is also field `phoneN`, unless the form sets that itself.
fn mirror_contact_phones(write: &mut Write) {
    for (slot, contact) in &write.contacts {
        let field = format!("phone{slot}");
        if let Some(phone) = &contact.phone
            && !write.form.iter().any(|(name, _)| *name == field)
        {
            write.form.push((field, FormValue::Text(phone.clone())));
        }
    }
}

fn parse_item(item: &NewRec) -> Result<Write, Code> {
    let form = parse_form(item.form.as_ref().ok_or("missing_form")?)?;
    let mut write = Write {
        form,
        phone_field: item.phone_field.as_deref().map(phone_field).transpose()?,
        next_calldate: date(&item.next_calldate)?,
        disposition: item.disposition.as_ref().map(disposition).transpose()?,
        contacts: Vec::new(),
    };
    for (key, c) in &item.contacts {
        let slot = slot_of(key)?;
        write.contacts.push((slot, contact(c, true)?));
    }
    mirror_contact_phones(&mut write);
    Ok(write)
}

pub fn add_records(m: &mut Model, items: &[NewRec], reply: &Reply) -> Checked<Effects> {
    let mut errors = Vec::new();
    let mut stored = Vec::new();
    let mut stored_at = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match parse_item(item).and_then(|w| {
            let cells = resolve(&mut m.main, &w.form, m.step)?;
            Ok((w, cells))
        }) {
            Ok(write) => {
                stored.push(write);
                stored_at.push(index);
            }
            Err(code) => errors.push((index, code)),
        }
    }
    vcc_batch(reply, stored.len(), &errors)?;
    let answered = ids_by_index(reply, &stored_at, !errors.is_empty())?;
    let ids = new_ids(&answered, stored.len(), &mut m.max_id)?;
    for (id, (write, cells)) in ids.iter().zip(stored) {
        let mut rec = Rec::new(*id, m.main.project);
        write.apply(&mut rec, &cells);
        m.records.insert(*id, rec);
    }
    Ok(Effects::records(ids))
}

fn target_of(target: &Target) -> Result<&Target, Code> {
    match target {
        Target::Search(pairs) if pairs.is_empty() => Err("missing_numberid_or_search"),
        Target::Id(_) | Target::Search(_) => Ok(target),
        Target::Both(..) | Target::Neither => Err("missing_numberid_or_search"),
    }
}

/// "Batch record modification": every element's form is resolved first (the fields and
/// values it needs are created) unless it names a record that does not exist (rejected, it
/// creates nothing), then the elements apply in order, each seeing the effect of the ones
/// before: a record two elements reach is simply written twice.
pub fn batch_modify(m: &mut Model, elements: &[Element], default: &Option<Form>, reply: &Reply) -> Checked<Effects> {
    let default = parse_form(default.as_ref().unwrap_or(&Form::new())).expect("defaults are valid");
    let known: BTreeSet<String> = m.main.fields.iter().map(|f| f.name.clone()).collect();
    let mut errors = Vec::new();
    let mut resolved = Vec::new();
    for (index, element) in elements.iter().enumerate() {
        let parsed = target_of(&element.target).and_then(|target| {
            let own = match &element.form {
                Some(form) => parse_form(form)?,
                None if !default.is_empty() => Vec::new(),
                None => return Err("missing_form"),
            };
            let mut form: Vec<_> = default
                .iter()
                .filter(|(k, _)| !own.iter().any(|(o, _)| o == k))
                .cloned()
                .collect();
            form.extend(own);
            Ok((target, form))
        });
        let parsed = parsed.and_then(|(target, form)| match target {
            Target::Id(id) if !exists(m, *id) => Err("record_not_exists"),
            _ => Ok((target, form)),
        });
        match parsed.and_then(|(target, form)| Ok((target, resolve(&mut m.main, &form, m.step)?))) {
            Ok(ok) => resolved.push((index, ok)),
            Err(code) => errors.push((index, code)),
        }
    }
    let mut applied = Vec::new();
    let mut touched = Vec::new();
    let mut searched = false;
    for (index, (target, cells)) in resolved {
        let ids = match target {
            Target::Id(id) if m.records.get(id).is_some_and(|r| r.project == m.main.project) => vec![*id],
            Target::Id(_) => {
                errors.push((index, "record_not_exists"));
                continue;
            }
            Target::Search(pairs) if pairs.iter().all(|(k, _)| known.contains(k)) => {
                searched = true;
                let main = m.main.project;
                let matching = m.records.values().filter(|r| r.project == main && m.matches(r, pairs));
                matching.map(|r| r.id).collect()
            }
            _ => {
                errors.push((index, "missing_numberid_or_search"));
                continue;
            }
        };
        for id in &ids {
            m.records.get_mut(id).expect("target").set_cells(&cells);
        }
        touched.extend(ids);
        applied.push(index);
    }
    vcc_batch(reply, applied.len(), &errors)?;
    let response: serde_json::Map<String, Value> = applied.iter().map(|i| (i.to_string(), json!(true))).collect();
    super::expect::same("response", &Value::Object(response), &reply.body["response"])?;
    Ok(if searched {
        Effects::all()
    } else {
        Effects::records(touched)
    })
}

fn exists(m: &Model, id: i64) -> bool {
    m.records.get(&id).is_some_and(|r| r.project == m.main.project)
}

/// One record's update through "Modify record", "Modify contact" or "Add disposition": a
/// request that fails as a whole (the record does not exist) changes nothing.
fn update_one(m: &mut Model, id: i64, write: Write, reply: &Reply) -> Checked<Effects> {
    if !exists(m, id) {
        vcc_failed(reply, 404, "record_not_exists")?;
        return Ok(Effects::records([id]));
    }
    let mut schema = m.main.clone();
    let cells = match resolve(&mut schema, &write.form, m.step) {
        Ok(cells) => cells,
        Err(code) => return vcc_failed(reply, 417, code).map(|()| Effects::default()),
    };
    vcc_ok(reply, json!(true))?;
    m.main = schema;
    write.apply(m.records.get_mut(&id).expect("exists"), &cells);
    Ok(Effects::records([id]))
}

pub fn modify_record(
    m: &mut Model,
    id: i64,
    body: &ModifyBody,
    next_contact: &Option<String>,
    reply: &Reply,
) -> Checked<Effects> {
    let parsed = match body {
        ModifyBody::Flat(form) => parse_form(form).map(|form| Write {
            form,
            ..Write::default()
        }),
        ModifyBody::Shaped {
            form,
            next_calldate,
            phone_field: field,
        } => parse_form(form).and_then(|form| {
            Ok(Write {
                form,
                phone_field: field.as_deref().map(phone_field).transpose()?,
                next_calldate: date(next_calldate)?,
                ..Write::default()
            })
        }),
    };
    let parsed = parsed.and_then(|mut write| {
        if let Some(next) = next_contact {
            write.phone_field = Some(phone_field(next)?);
        }
        Ok(write)
    });
    match parsed {
        Ok(write) => update_one(m, id, write, reply),
        Err(code) => vcc_failed(reply, 417, code).map(|()| Effects::default()),
    }
}

/// "Modify contact" reports its errors at index contact - 1, in a batch-shaped answer.
pub fn modify_contact(m: &mut Model, id: i64, key: &str, given: &ContactIn, reply: &Reply) -> Checked<Effects> {
    let refused = |index: usize, code: Code| -> Checked<Effects> {
        vcc_batch(reply, 0, &[(index, code)])?;
        super::expect::same("response", &json!(false), &reply.body["response"])?;
        Ok(Effects::default())
    };
    let slot = match slot_of(key) {
        Ok(slot) => slot,
        Err(code) => return refused(0, code),
    };
    let index = usize::from(slot - 1);
    let contact = match contact(given, false) {
        Ok(contact) => contact,
        Err(code) => return refused(index, code),
    };
    if slot > 1 && m.main.field(&format!("phone{slot}")).is_none() {
        return refused(index, "contact_not_exists");
    }
    let mut write = Write {
        contacts: vec![(slot, contact)],
        ..Write::default()
    };
    mirror_contact_phones(&mut write);
    update_one(m, id, write, reply)
}

pub fn add_disposition(m: &mut Model, id: i64, given: &DispIn, reply: &Reply) -> Checked<Effects> {
    match disposition(given) {
        Ok(event) => update_one(
            m,
            id,
            Write {
                disposition: Some(event),
                ..Write::default()
            },
            reply,
        ),
        Err(code) => status(reply, 417)
            .and_then(|()| vcc_failed(reply, 417, code))
            .map(|()| Effects::default()),
    }
}
