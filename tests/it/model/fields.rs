//! VCC Live fields and values on the model.

use super::expect::{Checked, Effects, same, vcc_failed, vcc_ok, vcc_value_batch};
use super::ops::ValueRef;
use super::state::{Cell, FieldDef, Kind, Model, ValueDef};
use crate::common::Reply;
use serde_json::{Value, json};

fn kind_of(kind: &str) -> Kind {
    match kind {
        "simple" => Kind::Simple,
        "multiple" => Kind::Multiple,
        _ => Kind::Text,
    }
}

/// "Add field and values": the whole request is refused when anything is wrong.
pub fn add_field(m: &mut Model, name: &str, kind: &str, values: &[String], reply: &Reply) -> Checked<Effects> {
    let kind = kind_of(kind);
    let names: Vec<String> = values.iter().map(|v| v.trim().to_string()).collect();
    let mut sorted: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    sorted.sort();
    let refusal = if kind.is_list() && names.iter().any(String::is_empty) {
        Some("name_must_be_between")
    } else if !kind.is_list() && !names.is_empty() {
        Some("wrong_values_format")
    } else if sorted.windows(2).any(|w| w[0] == w[1]) {
        Some("value_name_already_exists")
    } else if m.main.field(name).is_some() {
        Some("field_name_already_exists")
    } else {
        None
    };
    if let Some(code) = refusal {
        vcc_failed(reply, 417, code)?;
        return Ok(Effects::default());
    }
    super::expect::status(reply, 200)?;
    let id = reply.body["response"]
        .as_i64()
        .ok_or_else(|| format!("no field id in {}", reply.text))?;
    if m.main.fields.iter().any(|f| f.id == Some(id)) {
        return Err(format!("field id {id} is already another field's"));
    }
    let born = m.step;
    m.main.fields.push(FieldDef {
        id: Some(id),
        name: name.to_string(),
        kind,
        values: names
            .into_iter()
            .map(|name| ValueDef {
                id: None,
                name,
                deleted: false,
                born,
            })
            .collect(),
        born,
    });
    Ok(Effects::default())
}

/// "Add new value(s) to a field": each value on its own.
pub fn add_values(m: &mut Model, field: &str, values: &[String], reply: &Reply) -> Checked<Effects> {
    let step = m.step;
    let field = m
        .main
        .fields
        .iter_mut()
        .find(|f| f.name == field)
        .expect("a known field");
    let mut errors = Vec::new();
    let mut created = Vec::new();
    for (index, value) in values.iter().enumerate() {
        let name = value.trim().to_string();
        if name.is_empty() {
            errors.push((index, "name_must_be_between"));
        } else if field.value_named(&name).is_some() {
            errors.push((index, "value_name_already_exists"));
        } else {
            field.values.push(ValueDef {
                id: None,
                name,
                deleted: false,
                born: step,
            });
            created.push((index, field.values.len() - 1));
        }
    }
    vcc_value_batch(reply, created.len(), &errors)?;
    let ids: Vec<Option<i64>> = if errors.is_empty() {
        let list = reply.body["response"].as_array().cloned().unwrap_or_default();
        list.iter().map(Value::as_i64).collect()
    } else {
        let object = reply.body["response"].as_object().cloned().unwrap_or_default();
        let keys: Vec<String> = object.keys().cloned().collect();
        let wanted: Vec<String> = created.iter().map(|(i, _)| i.to_string()).collect();
        if keys.iter().collect::<std::collections::BTreeSet<_>>() != wanted.iter().collect() {
            return Err(format!(
                "created values: the model expects indexes {wanted:?}, the server {}",
                reply.text
            ));
        }
        created.iter().map(|(i, _)| object[&i.to_string()].as_i64()).collect()
    };
    if ids.len() != created.len() || ids.iter().any(Option::is_none) {
        return Err(format!(
            "the model expects {} value ids, the server answered {}",
            created.len(),
            reply.text
        ));
    }
    for ((_, value), id) in created.iter().zip(ids) {
        field.values[*value].id = id;
    }
    Ok(Effects::default())
}

/// The live value an operation names, if any.
fn live(m: &Model, value: &ValueRef) -> Option<usize> {
    let field = m.main.field(&value.field)?;
    value.value.filter(|&i| !field.values[i].deleted)
}

/// The records holding a value.
fn holders(m: &Model, field: &str, value: usize) -> Effects {
    let ids: Vec<i64> = m
        .records
        .values()
        .filter(|r| {
            r.form
                .get(field)
                .is_some_and(|cells| cells.contains(&Cell::Value(value)))
        })
        .map(|r| r.id)
        .collect();
    if ids.len() > 4 {
        Effects::all()
    } else {
        Effects::records(ids)
    }
}

/// "Modify value(s) of a field": records holding it show the new name.
pub fn rename_value(m: &mut Model, value: &ValueRef, name: &str, reply: &Reply) -> Checked<Effects> {
    let name = name.trim();
    if name.is_empty() {
        vcc_failed(reply, 417, "name_must_be_between")?;
        return Ok(Effects::default());
    }
    let Some(index) = live(m, value) else {
        vcc_failed(reply, 404, "value_not_exists")?;
        return Ok(Effects::default());
    };
    let position = m.main.position(&value.field).expect("a known field");
    let field = &mut m.main.fields[position];
    if field.value_named(name).is_some_and(|other| other != index) {
        vcc_failed(reply, 417, "value_name_already_exists")?;
        return Ok(Effects::default());
    }
    vcc_ok(reply, json!(true))?;
    field.values[index].name = name.to_string();
    Ok(holders(m, &value.field, index))
}

/// "Delete a value": it also goes from every record holding it.
pub fn delete_value(m: &mut Model, value: &ValueRef, reply: &Reply) -> Checked<Effects> {
    let Some(index) = live(m, value) else {
        vcc_failed(reply, 404, "value_not_exists")?;
        return Ok(Effects::default());
    };
    vcc_ok(reply, json!(true))?;
    let effects = holders(m, &value.field, index);
    let position = m.main.position(&value.field).expect("a known field");
    m.main.fields[position].values[index].deleted = true;
    for rec in m.records.values_mut() {
        if let Some(cells) = rec.form.get_mut(&value.field) {
            cells.retain(|c| *c != Cell::Value(index));
            if cells.is_empty() {
                rec.form.remove(&value.field);
            }
        }
    }
    Ok(effects)
}

/// "Get project parameters" against the model's schema. Ids the model does not know yet are
/// learned; known ones must not change; fields and values come in creation order (those of
/// one step in any order).
pub fn compare_schema(schema: &mut super::state::Schema, answer: &Value) -> Checked {
    let fields = answer["response"]["fields"].as_array().cloned().unwrap_or_default();
    let shown = |f: &Value| (f["name"].as_str().unwrap_or_default().to_string(), f["type"].clone());
    let mut server: Vec<_> = fields.iter().map(shown).collect();
    let mut model: Vec<_> = schema
        .fields
        .iter()
        .map(|f| (f.name.clone(), json!(f.kind.as_str())))
        .collect();
    server.sort_by(|a, b| a.0.cmp(&b.0));
    model.sort_by(|a, b| a.0.cmp(&b.0));
    if server != model {
        return Err(format!(
            "fields of project {} differ\n--- model:  {model:?}\n--- server: {server:?}",
            schema.project
        ));
    }
    let mut last_born = 0;
    for shown in &fields {
        let id = shown["fieldid"].as_i64();
        let name = shown["name"].as_str().unwrap_or_default();
        let position = schema.position(name).expect("compared above");
        if schema
            .fields
            .iter()
            .enumerate()
            .any(|(i, f)| i != position && f.id.is_some() && f.id == id)
        {
            return Err(format!("field '{name}' shows the id {id:?} of another field"));
        }
        let field = &mut schema.fields[position];
        match field.id {
            None => field.id = id,
            known if known != id => return Err(format!("field '{name}' had id {known:?}, now {id:?}")),
            _ => {}
        }
        if field.born < last_born {
            return Err(format!(
                "field '{name}' (step {}) comes after a newer field",
                field.born
            ));
        }
        last_born = field.born;
        compare_values(field, &shown["values"])?;
    }
    Ok(())
}

fn compare_values(field: &mut FieldDef, shown: &Value) -> Checked {
    let shown = shown.as_array().cloned().unwrap_or_default();
    let mut server: Vec<String> = shown
        .iter()
        .map(|v| v["name"].as_str().unwrap_or_default().to_string())
        .collect();
    let mut model: Vec<String> = field
        .values
        .iter()
        .filter(|v| !v.deleted)
        .map(|v| v.name.clone())
        .collect();
    server.sort();
    model.sort();
    same(
        &format!("values of field '{}'", field.name),
        &json!(model),
        &json!(server),
    )?;
    let mut last_born = 0;
    for value in &shown {
        let (id, name) = (value["valueid"].as_i64(), value["name"].as_str().unwrap_or_default());
        let index = field.value_named(name).expect("compared above");
        if let Some(other) = field
            .values
            .iter()
            .position(|v| v.id.is_some() && v.id == id)
            .filter(|&o| o != index)
        {
            let other = &field.values[other];
            return Err(format!(
                "value '{name}' of '{}' has the id {id:?} of value '{}'{}: value ids must not be reused",
                field.name,
                other.name,
                if other.deleted { " (deleted)" } else { "" }
            ));
        }
        let def = &mut field.values[index];
        match def.id {
            None => def.id = id,
            known if known != id => {
                return Err(format!(
                    "value '{name}' of '{}' had id {known:?}, now {id:?}",
                    field.name
                ));
            }
            _ => {}
        }
        if def.born < last_born {
            return Err(format!("value '{name}' of '{}' comes after a newer value", field.name));
        }
        last_born = def.born;
    }
    Ok(())
}
