//! Random operations from small pools, so that searches overlap, values collide and several
//! elements of one request name the same new field.

use super::iovox::NOT_INTERNATIONAL;
use super::ops::{Element, Form, In, IoContact, ModifyBody, NewRec, Op, Search, Target, ValueRef};
use super::pools::*;
use super::rng::Rng;
use super::state::Model;

pub fn op(rng: &mut Rng, m: &Model) -> Op {
    let have = m.ids_of(m.main.project).len();
    let weights = [
        [100, 40, 40, 12][have.min(3)],  // add records
        14,                              // batch modify
        8,                               // modify record
        5,                               // modify contact
        4,                               // add disposition
        if m.step < 4 { 10 } else { 3 }, // add field
        2,                               // add values
        3,                               // rename value
        2,                               // delete value
        4,                               // Robinson add
        3,                               // Robinson delete
        4,                               // lock / unlock
        2,                               // jtel delete
        3,                               // jtel get
        4,                               // jtel insert
        6,                               // claim
        5,                               // release
        4,                               // list
        3,                               // iovox create
        2,                               // iovox delete
    ];
    match rng.weighted(&weights) {
        0 => add_records(rng, m),
        1 => batch_modify(rng, m),
        2 => modify_record(rng, m),
        3 => Op::ModifyContact {
            id: target(rng, m),
            slot: if rng.chance(5) {
                rng.pick(&["0", "10"])
            } else {
                rng.pick(&["1", "2", "3", "4"])
            }
            .to_string(),
            contact: contact(rng, false),
        },
        4 => Op::AddDisposition {
            id: target(rng, m),
            disposition: disposition(rng),
        },
        5 => add_field(rng),
        6..=8 => value_op(rng, m),
        9 => Op::RobinsonAdd {
            phones: (0..=rng.below(3)).map(|_| In::str(phone(rng, 10))).collect(),
        },
        10 => robinson_delete(rng, m),
        11 => Op::Lock {
            id: any_target(rng, m),
            lock: rng.chance(70),
        },
        12 => Op::JtelDelete { id: any_target(rng, m) },
        13 => Op::JtelGet { id: any_target(rng, m) },
        14 => Op::JtelInsert {
            items: (0..=rng.below(2)).map(|_| jtel_contact(rng, m)).collect(),
        },
        15 => Op::Claim {
            owner: rng.pick(&["d1", "d2"]).to_string(),
        },
        16 => release(rng, m),
        17 => Op::List { search: search(rng, m) },
        18 => iovox_create(rng, m),
        _ => iovox_delete(rng, m),
    }
}
fn add_records(rng: &mut Rng, m: &Model) -> Op {
    let count = 1 + rng.below(4);
    let items = (0..count)
        .map(|_| {
            let mut item = NewRec {
                form: (!rng.chance(4)).then(|| form(rng, m, 4)),
                ..NewRec::default()
            };
            if rng.chance(40) {
                for _ in 0..=rng.below(2) {
                    let slot = if rng.chance(3) { "0" } else { rng.pick(&["1", "2", "3"]) };
                    item.contacts.insert(slot.to_string(), contact(rng, true));
                }
            }
            item.next_calldate = rng.chance(40).then(|| date(rng));
            item.phone_field = rng
                .chance(12)
                .then(|| rng.pick(&["phone1", "phone2", "phone3", "phoneX"]).to_string());
            item.disposition = rng.chance(5).then(|| disposition(rng));
            item
        })
        .collect();
    Op::AddRecords {
        items,
        array: count > 1 || rng.chance(30),
    }
}

/// A search that finds `id` by one of its values (exactly, or by the start of it).
fn search_for(rng: &mut Rng, m: &Model, id: i64) -> Option<Search> {
    let rec = m.records.get(&id)?;
    let names: Vec<&String> = rec.form.keys().collect();
    if names.is_empty() {
        return None;
    }
    let name = rng.pick(&names).clone();
    let texts = m.texts(rec, &name);
    let text = rng.pick(&texts);
    let wanted = match text.chars().next() {
        Some(first) if rng.chance(30) => format!("{first}%"),
        _ => text,
    };
    Some(vec![(name, wanted)])
}

/// 0-2 pairs over fields that exist (or one that never will), each field once.
fn search(rng: &mut Rng, m: &Model) -> Search {
    let pairs: std::collections::BTreeMap<String, String> = (0..rng.below(3))
        .map(|_| {
            let field = if m.main.fields.is_empty() || rng.chance(5) {
                "nosuchfield".to_string()
            } else {
                rng.pick(&m.main.fields).name.clone()
            };
            (field, rng.pick(PATTERNS).to_string())
        })
        .collect();
    pairs.into_iter().collect()
}

fn batch_modify(rng: &mut Rng, m: &Model) -> Op {
    let mut elements: Vec<Element> = Vec::new();
    let mut named: Vec<i64> = Vec::new();
    for _ in 0..1 + rng.below(4) {
        let target = match rng.weighted(&[30, 30, 20, 10, 5, 5]) {
            0 if !named.is_empty() => Target::Id(rng.pick(&named)),
            2 if !named.is_empty() => {
                let id = rng.pick(&named);
                match search_for(rng, m, id) {
                    Some(search) => Target::Search(search),
                    None => Target::Id(target(rng, m)),
                }
            }
            3 => Target::Search(search(rng, m)),
            4 => Target::Both(target(rng, m), search(rng, m)),
            5 => Target::Neither,
            _ => Target::Id(target(rng, m)),
        };
        if let Target::Id(id) = target {
            named.push(id);
        }
        let mut form = form(rng, m, 3);
        if rng.chance(50) {
            form.insert(format!("new{}", m.step), In::str(rng.pick(TEXTS)));
        }
        elements.push(Element {
            target,
            form: (!rng.chance(12)).then_some(form),
        });
    }
    Op::BatchModify {
        elements,
        default: rng.chance(30).then(|| clean_form(rng, m, 2)),
    }
}

fn modify_record(rng: &mut Rng, m: &Model) -> Op {
    let id = target(rng, m);
    let body = if rng.chance(75) {
        ModifyBody::Flat(form(rng, m, 3))
    } else {
        ModifyBody::Shaped {
            form: form(rng, m, 2),
            next_calldate: rng.chance(50).then(|| date(rng)),
            phone_field: rng
                .chance(30)
                .then(|| rng.pick(&["phone1", "phone2", "phone0"]).to_string()),
        }
    };
    let next_contact = rng
        .chance(8)
        .then(|| rng.pick(&["phone2", "phone9", "phoneX"]).to_string());
    Op::ModifyRecord { id, body, next_contact }
}

fn add_field(rng: &mut Rng) -> Op {
    let (name, kinds) = rng.pick(DECLARED);
    let kind = if rng.chance(10) {
        rng.pick(&["text", "simple", "multiple"])
    } else {
        rng.pick(kinds)
    };
    let values = if kind == "text" && !rng.chance(5) {
        Vec::new()
    } else {
        (0..rng.below(4)).map(|_| rng.pick(VALUES).to_string()).collect()
    };
    Op::AddField {
        name: name.to_string(),
        kind,
        values,
    }
}

/// Adds, renames or deletes a value of a list field.
fn value_op(rng: &mut Rng, m: &Model) -> Op {
    let lists: Vec<_> = m
        .main
        .fields
        .iter()
        .filter(|f| f.kind.is_list() && f.id.is_some())
        .collect();
    if lists.is_empty() {
        return add_field(rng);
    }
    let field = rng.pick(&lists);
    let field_id = field.id.expect("learned");
    let live: Vec<usize> = (0..field.values.len()).filter(|&i| !field.values[i].deleted).collect();
    if live.is_empty() || rng.chance(30) {
        let values = (0..=rng.below(3)).map(|_| rng.pick(VALUES).to_string()).collect();
        return Op::AddValues {
            field: field.name.clone(),
            field_id,
            values,
        };
    }
    let deleted: Vec<usize> = (0..field.values.len()).filter(|&i| field.values[i].deleted).collect();
    let value = match rng.below(20) {
        0 if !deleted.is_empty() => Some(rng.pick(&deleted)),
        0 | 1 => None,
        _ => Some(rng.pick(&live)),
    };
    let value = ValueRef {
        field: field.name.clone(),
        field_id,
        value,
        value_id: value.and_then(|i| field.values[i].id).unwrap_or(999_999_999),
    };
    if rng.chance(50) {
        let name = if rng.chance(60) {
            rng.pick(VALUES).to_string()
        } else {
            format!("renamed{}", m.step)
        };
        Op::RenameValue { value, name }
    } else {
        Op::DeleteValue { value }
    }
}

fn jtel_contact(rng: &mut Rng, m: &Model) -> Form {
    let mut contact = Form::new();
    contact.insert("DiallerCampaignsID".into(), In::Num(m.main.project));
    let name = if rng.chance(5) {
        ""
    } else {
        rng.pick(&["Ann", "Bob", " Cy "])
    };
    contact.insert("Name".into(), In::str(name));
    contact.insert("PhoneNumber1".into(), In::str(phone(rng, 5)));
    if rng.chance(30) {
        contact.insert("PhoneNumber2".into(), In::str(phone(rng, 0)));
    }
    if rng.chance(50) {
        contact.insert("UserData".into(), In::str(rng.pick(&["crm-1", "crm-2"])));
    }
    if rng.chance(40) {
        contact.insert("dtNextTry".into(), In::Str(date(rng)));
    }
    for _ in 0..rng.below(3) {
        let key = rng.pick(&["city", "likes", "Company", "status"]).to_string();
        contact.insert(key, In::str(rng.pick(&["London", "sports|music", "Acme", ""])));
    }
    contact
}

fn release(rng: &mut Rng, m: &Model) -> Op {
    let claimed: Vec<(i64, String)> = m
        .records
        .values()
        .filter_map(|r| r.claimed_by.clone().map(|owner| (r.id, owner)))
        .collect();
    let (id, owner) = match claimed.is_empty() || rng.chance(10) {
        true => (any_target(rng, m), rng.pick(&["d1", "d2"]).to_string()),
        false => {
            let (id, owner) = rng.pick(&claimed);
            (id, if rng.chance(10) { "d3".to_string() } else { owner })
        }
    };
    let disposition = rng
        .chance(60)
        .then(|| if rng.chance(5) { 0 } else { 1 + rng.below(5) as i64 });
    let next_calldate = (disposition.is_some() || rng.chance(5)) && rng.chance(50);
    Op::Release {
        id,
        owner,
        disposition,
        next_calldate: next_calldate.then(|| date(rng)),
    }
}

fn iovox_create(rng: &mut Rng, m: &Model) -> Op {
    let taken = book_contact_ids(m);
    let free: Vec<&str> = CONTACT_IDS
        .iter()
        .copied()
        .filter(|id| !taken.iter().any(|t| t == id))
        .collect();
    let contacts = (0..=rng.below(2))
        .map(|_| {
            let mut mobiles = vec![rng.pick(MOBILES).to_string()];
            if rng.chance(20) {
                mobiles.push(rng.pick(MOBILES).to_string());
            }
            if rng.chance(4) {
                mobiles.push(NOT_INTERNATIONAL[0].to_string());
            }
            IoContact {
                id: if free.is_empty() || rng.chance(15) {
                    rng.pick(CONTACT_IDS)
                } else {
                    rng.pick(&free)
                }
                .to_string(),
                display_name: rng.pick(DISPLAY_NAMES).to_string(),
                mobiles,
                company: rng.chance(50).then(|| rng.pick(&["Acme", "Initech"]).to_string()),
            }
        })
        .collect();
    Op::IovoxCreate { contacts }
}

fn book_contact_ids(m: &Model) -> Vec<String> {
    let book = m.book.as_ref().map(|b| b.project);
    m.records
        .values()
        .filter(|r| Some(r.project) == book)
        .filter_map(|r| r.user_data.clone())
        .collect()
}

/// A listed number (as stored, or as first sent), or any number of the pool.
fn robinson_delete(rng: &mut Rng, m: &Model) -> Op {
    let listed: Vec<&String> = m.robinson.iter().collect();
    let phone = match listed.is_empty() || rng.chance(30) {
        true => phone(rng, 5).to_string(),
        false => rng.pick(&listed).clone(),
    };
    Op::RobinsonDelete { phone }
}

/// Contacts of the book, now and then one that does not exist; with none, mostly a create.
fn iovox_delete(rng: &mut Rng, m: &Model) -> Op {
    let existing = book_contact_ids(m);
    if existing.is_empty() && rng.chance(70) {
        return iovox_create(rng, m);
    }
    let ids = (0..=rng.below(2))
        .map(|_| match existing.is_empty() || rng.chance(15) {
            true => rng.pick(CONTACT_IDS).to_string(),
            false => rng.pick(&existing),
        })
        .collect::<Vec<_>>();
    let mut unique: Vec<String> = Vec::new();
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    Op::IovoxDelete { ids: unique }
}
