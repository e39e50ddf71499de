//! iovox createContacts / deleteContacts on the model: the tenant's contact book is a project
//! whose records are the contacts (`user_data` = contact_id, a text field per detail: the
//! canonical `name` for display_name, `phone1` for the mobile phones).

use super::expect::{Checked, Effects, new_ids, status};
use super::ops::IoContact;
use super::resolve::{FormValue, resolve};
use super::state::{Model, Rec, Schema};
use crate::common::{Client, Reply};
use serde_json::Value;

/// Mobile numbers of the pools that are not internationalised.
pub const NOT_INTERNATIONAL: &[&str] = &["12"];

fn error_xml(text: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error status=\"400\">{text}</error></errors>")
}

fn refused(reply: &Reply, text: &str) -> Checked<Effects> {
    status(reply, 400)?;
    if reply.text != error_xml(text) {
        return Err(format!(
            "the model expects the iovox error '{text}', the server answered {}",
            reply.text
        ));
    }
    Ok(Effects::default())
}

/// The record of a contact of the book.
fn contact(m: &Model, contact_id: &str) -> Option<i64> {
    let book = m.book.as_ref()?.project;
    m.records
        .values()
        .find(|r| r.project == book && r.user_data.as_deref() == Some(contact_id))
        .map(|r| r.id)
}

fn digits(phone: &str) -> String {
    phone.strip_prefix('+').unwrap_or(phone).to_string()
}

/// Distinct mobile numbers, as digits, in order.
fn mobiles(c: &IoContact) -> Vec<String> {
    let mut numbers: Vec<String> = Vec::new();
    for number in c.mobiles.iter().map(|m| digits(m)) {
        if !numbers.contains(&number) {
            numbers.push(number);
        }
    }
    numbers
}

/// The first failing check of a createContacts request, in the vendor's order.
fn refusal(m: &Model, contacts: &[IoContact]) -> Option<String> {
    let total = contacts.len();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (index, c) in contacts.iter().enumerate() {
        let item = index + 1;
        if contacts[..index].iter().any(|e| e.id == c.id) || contact(m, &c.id).is_some() {
            return Some("Duplicate Contact ID Received".into());
        }
        if c.mobiles.iter().any(|p| NOT_INTERNATIONAL.contains(&p.as_str())) {
            return Some(format!("Mobile Phone {item} of {total} is not internationalised"));
        }
        let mine: Vec<(String, String)> = mobiles(c).into_iter().map(|p| (c.display_name.clone(), p)).collect();
        let book = m.book.as_ref().map(|b| b.project);
        let taken = mine.iter().any(|(name, phone)| {
            m.records.values().any(|r| {
                Some(r.project) == book
                    && r.user_data.is_some()
                    && m.texts(r, "name").concat() == *name
                    && m.texts(r, "phone1").contains(phone)
            })
        });
        if taken {
            return Some(format!(
                "Display Name and Phone Number Combination {item} of {total} already exists"
            ));
        }
        if mine.iter().any(|pair| pairs.contains(pair)) {
            return Some("Display Name and Phone Number Combination duplicated".into());
        }
        pairs.extend(mine);
    }
    None
}

pub async fn create(m: &mut Model, api: &Client, contacts: &[IoContact], reply: &Reply) -> Checked<Effects> {
    if let Some(text) = refusal(m, contacts) {
        return refused(reply, &text);
    }
    status(reply, 201)?;
    if m.book.is_none() {
        let projects = api.get("/v2/projects").await;
        let book = projects.body["response"]
            .as_array()
            .and_then(|all| all.iter().find(|p| p["name"] == "Contact book"))
            .and_then(|p| p["projectid"].as_i64())
            .ok_or_else(|| format!("no project 'Contact book' after createContacts: {}", projects.text))?;
        m.book = Some(Schema::new(book));
    }
    let book = m.book.as_ref().expect("just made").project;
    let listed = api
        .get(&format!(
            "/dialler/contacts?diallerCampaignsID={book}&limitPageSize=1000"
        ))
        .await;
    let id_of = |contact_id: &str| -> Value {
        let records = listed.body["records"].as_array();
        let found = records.and_then(|all| all.iter().find(|r| r["UserData"] == contact_id));
        found.map_or(Value::Null, |r| r["DiallerContactsID"].clone())
    };
    let answered: Vec<Value> = contacts.iter().map(|c| id_of(&c.id)).collect();
    let ids = new_ids(&answered, contacts.len(), &mut m.max_id)
        .map_err(|e| format!("the new contacts' records, read through jtel: {e}"))?;
    for (c, id) in contacts.iter().zip(&ids) {
        let numbers = mobiles(c);
        let mut form = vec![("name".to_string(), FormValue::Text(c.display_name.clone()))];
        if let Some(company) = &c.company {
            form.push(("company".into(), FormValue::Text(company.clone())));
        }
        form.push(("phone1".into(), FormValue::Values(numbers.clone())));
        let schema = m.book.as_mut().expect("the book");
        let cells =
            resolve(schema, &form, m.step).map_err(|code| format!("the model rejects its own contact: {code}"))?;
        let mut rec = Rec::new(*id, book);
        rec.user_data = Some(c.id.clone());
        rec.set_cells(&cells);
        m.records.insert(*id, rec);
    }
    Ok(Effects {
        book: true,
        ..Effects::default()
    })
}

pub fn delete(m: &mut Model, ids: &[String], reply: &Reply) -> Checked<Effects> {
    let mut records = Vec::new();
    for (index, contact_id) in ids.iter().enumerate() {
        match contact(m, contact_id) {
            Some(record) => records.push(record),
            None => {
                return refused(
                    reply,
                    &format!("Contact ID {} of {} does not exist", index + 1, ids.len()),
                );
            }
        }
    }
    status(reply, 204)?;
    for record in &records {
        m.records.remove(record);
        m.gone.push(*record);
    }
    Ok(Effects {
        book: true,
        ..Effects::default()
    })
}
