//! What each dialect should show of a model record, and the parts of an answer compared
//! (timestamps the server makes up are left out).

use super::state::{Cell, Kind, Model, Rec};
use serde_json::{Map, Value, json};

/// VCC Live "Get detailed record information".
pub fn vcc(model: &Model, rec: &Rec) -> Value {
    let schema = model.schema(rec.project);
    let mut data = Map::new();
    let mut values = Map::new();
    for (name, cells) in &rec.form {
        let field = schema.field(name).expect("a record's field is in its schema");
        let ids: Vec<Value> = cells
            .iter()
            .map(|cell| match cell {
                Cell::Value(index) => field.values[*index].id.map_or(Value::Null, |id| json!(id)),
                Cell::Text(_) => Value::Null,
            })
            .collect();
        let texts = model.texts(rec, name);
        let shown = match field.kind {
            Kind::Text => json!(texts[0]),
            Kind::Simple => ids[0].clone(),
            Kind::Multiple => Value::Array(ids),
        };
        data.insert(name.clone(), shown);
        values.insert(name.clone(), json!(texts.join("|")));
    }
    let contacts: Map<String, Value> = rec
        .contacts
        .iter()
        .map(|(slot, c)| {
            let contact = json!({"title": c.title, "name": c.name, "phone": c.phone, "email": c.email});
            (format!("phone{slot}"), contact)
        })
        .collect();
    let events: Vec<Value> = rec
        .events
        .iter()
        .map(|e| {
            json!({"dispositionid": e.dispositionid, "userid": e.userid, "next_calldate": e.next_calldate,
                   "description": e.description})
        })
        .collect();
    json!({
        "numberid": rec.id, "projectid": rec.project, "data": data, "values": values, "contacts": contacts,
        "events": events, "cdrs": [], "phone_field": rec.phone_field, "next_calldate": rec.next_calldate,
        "premium": {"price": null, "commission": null}, "robinson": model.robinson_of(rec), "locked": rec.locked,
        "user_data": rec.user_data,
    })
}

/// A VCC Live record as compared: without its timestamps.
pub fn vcc_compared(actual: &Value) -> Value {
    let mut record = actual.clone();
    if let Some(object) = record.as_object_mut() {
        for key in ["create_date", "create_date_utc", "update_date"] {
            object.remove(key);
        }
    }
    if let Some(events) = record["events"].as_array_mut() {
        for event in events {
            if let Some(event) = event.as_object_mut() {
                event.remove("date");
            }
        }
    }
    record
}

/// Every jtel contact shows these, null when unset.
const JTEL_FIELDS: &str = "Client Service ReferenceNumber Name FirstName Salutation Title Company Address
    PostalCode City Country Region AccountOwner AccountBank AccountNationalBankCode AccountBIC AccountNumber
    AccountIBAN Amount FaxNumber Email Website Comment ExternalSystemLink Tag Model RandomSortOrder
    bLastResultMailbox LastAcdAgentEndReasonsID";
const JTEL_NUMBER_FIELDS: [&str; 5] = [
    "PhoneNumber#",
    "bPhoneNumber#Invalid",
    "nTriesPhoneNumber#",
    "nPhoneNumber#LastCause",
    "PhoneNumber#LastAcdAgentEndReasonsID",
];

/// A jtel dialler contact. The model's field names are all jtel text fields.
pub fn jtel(model: &Model, rec: &Rec) -> Value {
    let mut out = Map::new();
    for name in JTEL_FIELDS.split_whitespace() {
        out.insert(name.into(), Value::Null);
    }
    for slot in 1..=6 {
        for template in JTEL_NUMBER_FIELDS {
            out.insert(template.replace('#', &slot.to_string()), Value::Null);
        }
    }
    for name in rec.form.keys() {
        if let Some(key) = super::resolve::jtel_key(name) {
            out.insert(key, json!(model.texts(rec, name).join("|")));
        }
    }
    let own = [
        ("DiallerContactsID", json!(rec.id)),
        ("DiallerCampaignsID", json!(rec.project)),
        ("UserData", json!(rec.user_data)),
        ("dtNextTry", json!(rec.next_calldate)),
        ("bLocked", json!(rec.locked)),
        ("bRobinson", json!(model.robinson_of(rec))),
        ("ReservedUsersUID", json!(rec.claimed_by)),
    ];
    for (key, value) in own {
        out.insert(key.into(), value);
    }
    Value::Object(out)
}

/// The dialer API's record, with `done_at` as whether it is set.
pub fn dialer(model: &Model, rec: &Rec) -> Value {
    let form: Map<String, Value> = rec
        .form
        .keys()
        .map(|name| (name.clone(), json!(model.texts(rec, name).join("|"))))
        .collect();
    json!({
        "id": rec.id, "projectid": rec.project, "user_data": rec.user_data, "phone": model.dial_number(rec),
        "phone_field": rec.phone_field, "form": form, "next_calldate": rec.next_calldate,
        "claimed_by": rec.claimed_by, "attempts": rec.attempts, "done_at": rec.done, "locked": rec.locked,
        "robinson": model.robinson_of(rec),
    })
}

pub fn dialer_compared(actual: &Value) -> Value {
    let mut record = actual.clone();
    if let Some(object) = record.as_object_mut() {
        object.remove("claim_expires_at");
        let done = object.get("done_at").is_some_and(|d| !d.is_null());
        object.insert("done_at".into(), json!(done));
    }
    record
}

/// The iovox details a record of the contact book holds, in the vendor's element order,
/// with the canonical fields that hold them.
const DETAILS: [(&str, &str); 4] = [
    ("display_name", "name"),
    ("email", "email"),
    ("company", "company"),
    ("mobile_phone", "phone1"),
];

/// getContacts (all contacts, one page) as the server should write it.
pub fn contacts_xml(model: &Model) -> String {
    let mut results = String::new();
    let book = model.book.as_ref().map(|b| b.project);
    let contacts: Vec<&Rec> = model
        .records
        .values()
        .filter(|r| Some(r.project) == book && r.user_data.is_some())
        .collect();
    for rec in &contacts {
        results.push_str("<result>");
        element(&mut results, "contact_id", rec.user_data.as_deref().unwrap_or_default());
        for (detail, field) in DETAILS {
            for text in model.texts(rec, field) {
                element(&mut results, detail, &text);
            }
        }
        results.push_str("</result>");
    }
    let total = contacts.len();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><response><current_page>1</current_page><total_pages>{}</total_pages><total_results>{total}</total_results><results>{results}</results></response>",
        usize::from(total > 0)
    )
}

fn element(xml: &mut String, name: &str, text: &str) {
    xml.push_str(&format!("<{name}>{text}</{name}>"));
}
