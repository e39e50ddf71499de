//! The operations a sequence applies, and how each goes over the wire.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// A form value as sent.
#[derive(Debug, Clone, PartialEq)]
pub enum In {
    Str(String),
    Num(i64),
    Bool(bool),
    Arr(Vec<String>),
    Null,
    /// An object: not a form value at all.
    Obj,
}

impl In {
    pub fn str(text: &str) -> Self {
        In::Str(text.to_string())
    }

    pub fn json(&self) -> Value {
        match self {
            In::Str(s) => json!(s),
            In::Num(n) => json!(n),
            In::Bool(b) => json!(b),
            In::Arr(items) => json!(items),
            In::Null => Value::Null,
            In::Obj => json!({"x": 1}),
        }
    }
}

/// A form (or a jtel contact): keys in the order the server reads them.
pub type Form = BTreeMap<String, In>;

pub fn form_json(form: &Form) -> Value {
    Value::Object(form.iter().map(|(k, v)| (k.clone(), v.json())).collect())
}

#[derive(Debug, Clone, Default)]
pub struct ContactIn {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl ContactIn {
    pub fn json(&self) -> Value {
        let mut object = Map::new();
        for (key, value) in [("name", &self.name), ("phone", &self.phone), ("email", &self.email)] {
            if let Some(value) = value {
                object.insert(key.into(), json!(value));
            }
        }
        Value::Object(object)
    }
}

#[derive(Debug, Clone)]
pub struct DispIn {
    pub id: i64,
    pub userid: Option<String>,
    pub next_calldate: Option<String>,
}

impl DispIn {
    pub fn json(&self) -> Value {
        let mut object = json!({"dispositionid": self.id});
        if let Some(user) = &self.userid {
            object["userid"] = json!(user);
        }
        if let Some(date) = &self.next_calldate {
            object["next_calldate"] = json!(date);
        }
        object
    }
}

/// One item of "Add record".
#[derive(Debug, Clone, Default)]
pub struct NewRec {
    pub form: Option<Form>,
    /// Keyed by the slot as sent ("1".."9", or a wrong one).
    pub contacts: BTreeMap<String, ContactIn>,
    pub next_calldate: Option<String>,
    pub phone_field: Option<String>,
    pub disposition: Option<DispIn>,
}

impl NewRec {
    pub fn json(&self) -> Value {
        let mut object = Map::new();
        if let Some(form) = &self.form {
            object.insert("form".into(), form_json(form));
        }
        if !self.contacts.is_empty() {
            let contacts = self.contacts.iter().map(|(k, c)| (k.clone(), c.json()));
            object.insert("contacts".into(), Value::Object(contacts.collect()));
        }
        if let Some(date) = &self.next_calldate {
            object.insert("next_calldate".into(), json!(date));
        }
        if let Some(field) = &self.phone_field {
            object.insert("phone_field".into(), json!(field));
        }
        if let Some(d) = &self.disposition {
            object.insert("disposition".into(), d.json());
        }
        Value::Object(object)
    }
}

pub type Search = Vec<(String, String)>;

#[derive(Debug, Clone)]
pub enum Target {
    Id(i64),
    Search(Search),
    Both(i64, Search),
    Neither,
}

#[derive(Debug, Clone)]
pub struct Element {
    pub target: Target,
    pub form: Option<Form>,
}

impl Element {
    pub fn json(&self) -> Value {
        let search = |pairs: &Search| Value::Object(pairs.iter().map(|(k, v)| (k.clone(), json!(v))).collect());
        let mut object = match &self.target {
            Target::Id(id) => json!({"numberid": id}),
            Target::Search(pairs) => json!({"search": search(pairs)}),
            Target::Both(id, pairs) => json!({"numberid": id, "search": search(pairs)}),
            Target::Neither => json!({}),
        };
        if let Some(form) = &self.form {
            object["form"] = form_json(form);
        }
        object
    }
}

/// "Modify record": the vendor's flat object, or the "Add record" shape.
#[derive(Debug, Clone)]
pub enum ModifyBody {
    Flat(Form),
    Shaped {
        form: Form,
        next_calldate: Option<String>,
        phone_field: Option<String>,
    },
}

/// An iovox contact to create.
#[derive(Debug, Clone)]
pub struct IoContact {
    pub id: String,
    pub display_name: String,
    pub mobiles: Vec<String>,
    pub company: Option<String>,
}

/// A list value an operation names: its field and value ids, and the model's value index
/// (None for a value that never existed).
#[derive(Debug, Clone)]
pub struct ValueRef {
    pub field: String,
    pub field_id: i64,
    pub value: Option<usize>,
    pub value_id: i64,
}

#[derive(Debug, Clone)]
pub enum Op {
    AddRecords {
        items: Vec<NewRec>,
        array: bool,
    },
    BatchModify {
        elements: Vec<Element>,
        default: Option<Form>,
    },
    ModifyRecord {
        id: i64,
        body: ModifyBody,
        next_contact: Option<String>,
    },
    ModifyContact {
        id: i64,
        slot: String,
        contact: ContactIn,
    },
    AddDisposition {
        id: i64,
        disposition: DispIn,
    },
    AddField {
        name: String,
        kind: &'static str,
        values: Vec<String>,
    },
    AddValues {
        field: String,
        field_id: i64,
        values: Vec<String>,
    },
    RenameValue {
        value: ValueRef,
        name: String,
    },
    DeleteValue {
        value: ValueRef,
    },
    RobinsonAdd {
        phones: Vec<In>,
    },
    RobinsonDelete {
        phone: String,
    },
    Lock {
        id: i64,
        lock: bool,
    },
    JtelDelete {
        id: i64,
    },
    JtelGet {
        id: i64,
    },
    JtelInsert {
        items: Vec<Form>,
    },
    Claim {
        owner: String,
    },
    Release {
        id: i64,
        owner: String,
        disposition: Option<i64>,
        next_calldate: Option<String>,
    },
    List {
        search: Search,
    },
    IovoxCreate {
        contacts: Vec<IoContact>,
    },
    IovoxDelete {
        ids: Vec<String>,
    },
}
